/*
 * The clipboard through wl_data_device: copying offers our text as the selection and
 * writes it to whoever asks; pasting reads the offer through a pipe watched by the
 * event loop, so a slow or silent source never blocks us.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "common/alloc.h"
#include "common/log.h"
#include "tk-private.h"

#define MIME_UTF8 "text/plain;charset=utf-8"
#define PASTE_MAX (16 << 20)

struct tk_paste {
	struct tk_app *app;
	struct tk_widget *entry; // NULL once it is gone
	int fd;
	struct tk_fd_watch *watch;
	char *buf;
	size_t len, cap;
	struct wl_list link; // tk_app.pastes
};

/* ---- Offers from others ---- */

static void offer_offer(void *data, struct wl_data_offer *offer, const char *mime) {
}

static const struct wl_data_offer_listener offer_listener = {.offer = offer_offer};

static void device_data_offer(void *data, struct wl_data_device *dev, struct wl_data_offer *offer) {
	wl_data_offer_add_listener(offer, &offer_listener, data);
}

static void device_enter(void *data, struct wl_data_device *dev, uint32_t serial,
	struct wl_surface *surface, wl_fixed_t x, wl_fixed_t y, struct wl_data_offer *offer) {
	/* No drag and drop targets yet. */
	if (offer) {
		wl_data_offer_destroy(offer);
	}
}

static void device_leave(void *data, struct wl_data_device *dev) {
}

static void device_motion(void *data, struct wl_data_device *dev, uint32_t time, wl_fixed_t x,
	wl_fixed_t y) {
}

static void device_drop(void *data, struct wl_data_device *dev) {
}

static void device_selection(void *data, struct wl_data_device *dev, struct wl_data_offer *offer) {
	struct tk_app *app = data;
	if (app->selection_offer) {
		wl_data_offer_destroy(app->selection_offer);
	}
	app->selection_offer = offer;
}

static const struct wl_data_device_listener device_listener = {
	.data_offer = device_data_offer,
	.enter = device_enter,
	.leave = device_leave,
	.motion = device_motion,
	.drop = device_drop,
	.selection = device_selection,
};

/* ---- Our source ---- */

static void source_target(void *data, struct wl_data_source *source, const char *mime) {
}

static void source_send(void *data, struct wl_data_source *source, const char *mime, int32_t fd) {
	struct tk_app *app = data;
	/* Small texts: a blocking write with SIGPIPE ignored would stall on a stuck reader,
	 * so write what the pipe takes without blocking and give up on the rest. */
	int flags = fcntl(fd, F_GETFL);
	if (flags >= 0) {
		fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	}
	size_t off = 0;
	while (off < app->source_len) {
		ssize_t n = write(fd, app->source_text + off, app->source_len - off);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && errno == EAGAIN) {
			struct pollfd p = {.fd = fd, .events = POLLOUT};
			if (poll(&p, 1, 1000) <= 0) {
				break;
			}
			continue;
		}
		if (n <= 0) {
			break;
		}
		off += (size_t)n;
	}
	close(fd);
}

static void source_cancelled(void *data, struct wl_data_source *source) {
	struct tk_app *app = data;
	if (app->source == source) {
		app->source = NULL;
		free(app->source_text);
		app->source_text = NULL;
		app->source_len = 0;
	}
	wl_data_source_destroy(source);
}

static void source_dnd_drop_performed(void *data, struct wl_data_source *source) {
}

static void source_dnd_finished(void *data, struct wl_data_source *source) {
}

static void source_action(void *data, struct wl_data_source *source, uint32_t action) {
}

static const struct wl_data_source_listener source_listener = {
	.target = source_target,
	.send = source_send,
	.cancelled = source_cancelled,
	.dnd_drop_performed = source_dnd_drop_performed,
	.dnd_finished = source_dnd_finished,
	.action = source_action,
};

void tk_clipboard_init(struct tk_app *app) {
	if (app->data_device_manager && app->seat) {
		app->data_device = wl_data_device_manager_get_data_device(app->data_device_manager,
			app->seat);
		wl_data_device_add_listener(app->data_device, &device_listener, app);
	}
}

static void paste_end(struct tk_paste *p) {
	tk_fd_watch_remove(p->watch);
	close(p->fd);
	wl_list_remove(&p->link);
	free(p->buf);
	free(p);
}

void tk_clipboard_finish(struct tk_app *app) {
	struct tk_paste *p, *tmp;
	wl_list_for_each_safe(p, tmp, &app->pastes, link) {
		paste_end(p);
	}
	if (app->source) {
		wl_data_source_destroy(app->source);
		app->source = NULL;
	}
	free(app->source_text);
	app->source_text = NULL;
	if (app->selection_offer) {
		wl_data_offer_destroy(app->selection_offer);
		app->selection_offer = NULL;
	}
	if (app->data_device) {
		if (wl_data_device_get_version(app->data_device) >= 2) {
			wl_data_device_release(app->data_device);
		} else {
			wl_data_device_destroy(app->data_device);
		}
		app->data_device = NULL;
	}
}

void tk_clipboard_copy(struct tk_app *app, const char *text, size_t len) {
	if (!app->data_device) {
		return;
	}
	if (app->source) {
		wl_data_source_destroy(app->source);
	}
	free(app->source_text);
	app->source_text = malloc(len + 1);
	if (!app->source_text) {
		abort();
	}
	memcpy(app->source_text, text, len);
	app->source_text[len] = '\0';
	app->source_len = len;
	app->source = wl_data_device_manager_create_data_source(app->data_device_manager);
	wl_data_source_add_listener(app->source, &source_listener, app);
	wl_data_source_offer(app->source, MIME_UTF8);
	wl_data_source_offer(app->source, "text/plain");
	wl_data_source_offer(app->source, "UTF8_STRING");
	wl_data_device_set_selection(app->data_device, app->source, app->last_serial);
}

static void paste_readable(int fd, short revents, void *data) {
	struct tk_paste *p = data;
	char chunk[4096];
	ssize_t n = read(fd, chunk, sizeof(chunk));
	if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
		return;
	}
	if (n > 0 && p->len + (size_t)n <= PASTE_MAX) {
		if (p->len + (size_t)n > p->cap) {
			p->cap = (p->len + (size_t)n) * 2;
			char *b = realloc(p->buf, p->cap);
			if (!b) {
				abort();
			}
			p->buf = b;
		}
		memcpy(p->buf + p->len, chunk, (size_t)n);
		p->len += (size_t)n;
		return;
	}
	if (n == 0 && p->entry) {
		tk_entry_paste(p->entry, p->buf ? p->buf : "", p->len);
	}
	paste_end(p);
}

void tk_clipboard_paste(struct tk_app *app, struct tk_widget *entry) {
	if (app->source) {
		/* Our own selection: no round trip through the compositor. */
		tk_entry_paste(entry, app->source_text, app->source_len);
		return;
	}
	if (!app->selection_offer) {
		return;
	}
	int fds[2];
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) {
		lumen_log_errno(LUMEN_WARN, "pipe");
		return;
	}
	wl_data_offer_receive(app->selection_offer, MIME_UTF8, fds[1]);
	close(fds[1]);
	wl_display_flush(app->display);
	struct tk_paste *p = lumen_xcalloc(1, sizeof(*p));
	p->app = app;
	p->entry = entry;
	p->fd = fds[0];
	p->watch = tk_fd_watch_add(app, fds[0], POLLIN, paste_readable, p);
	wl_list_insert(&app->pastes, &p->link);
}

void tk_clipboard_forget(struct tk_app *app, struct tk_widget *w) {
	struct tk_paste *p;
	wl_list_for_each(p, &app->pastes, link) {
		if (p->entry == w) {
			p->entry = NULL;
		}
	}
}
