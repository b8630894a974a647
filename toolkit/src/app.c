/*
 * The app: the Wayland connection, its globals, and a small event loop of our own
 * (poll on the display fd and on watched fds, one-shot timers), in the manner of foot's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "common/alloc.h"
#include "common/log.h"
#include "fractional-scale-v1-client-protocol.h"
#include "text-input-unstable-v3-client-protocol.h"
#include "tk-private.h"
#include "viewporter-client-protocol.h"
#include "wlr-layer-shell-unstable-v1-client-protocol.h"
#include "xdg-shell-client-protocol.h"

struct tk_timer {
	struct tk_app *app;
	int64_t deadline_ms;
	tk_timer_fn fn;
	void *data;
	struct wl_list link;
};

struct tk_fd_watch {
	struct tk_app *app;
	int fd;
	short events;
	tk_fd_fn fn;
	void *data;
	bool removed;
	struct wl_list link;
};

void tk_window_flush(struct tk_window *win);

static int64_t now_ms(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- Outputs ---- */

static void output_geometry(void *data, struct wl_output *o, int32_t x, int32_t y, int32_t pw,
	int32_t ph, int32_t subpixel, const char *make, const char *model, int32_t transform) {
}

static void output_mode(void *data, struct wl_output *o, uint32_t flags, int32_t w, int32_t h,
	int32_t refresh) {
}

static void output_done(void *data, struct wl_output *o) {
}

static void output_scale(void *data, struct wl_output *o, int32_t factor) {
	struct tk_output *out = data;
	out->scale = factor > 0 ? factor : 1;
}

static const struct wl_output_listener output_listener = {
	.geometry = output_geometry,
	.mode = output_mode,
	.done = output_done,
	.scale = output_scale,
};

struct tk_output *tk_app_find_output(struct tk_app *app, struct wl_output *output) {
	struct tk_output *out;
	wl_list_for_each(out, &app->outputs, link) {
		if (out->output == output) {
			return out;
		}
	}
	return NULL;
}

/* ---- Registry ---- */

static void wm_base_ping(void *data, struct xdg_wm_base *wm_base, uint32_t serial) {
	xdg_wm_base_pong(wm_base, serial);
}

static const struct xdg_wm_base_listener wm_base_listener = {.ping = wm_base_ping};

static uint32_t min_u32(uint32_t a, uint32_t b) {
	return a < b ? a : b;
}

static void registry_global(void *data, struct wl_registry *registry, uint32_t name,
	const char *interface, uint32_t version) {
	struct tk_app *app = data;
	if (strcmp(interface, wl_compositor_interface.name) == 0) {
		app->compositor = wl_registry_bind(registry, name, &wl_compositor_interface, min_u32(version, 4));
	} else if (strcmp(interface, wl_shm_interface.name) == 0) {
		app->shm = wl_registry_bind(registry, name, &wl_shm_interface, 1);
	} else if (strcmp(interface, xdg_wm_base_interface.name) == 0) {
		app->wm_base = wl_registry_bind(registry, name, &xdg_wm_base_interface, min_u32(version, 3));
		xdg_wm_base_add_listener(app->wm_base, &wm_base_listener, app);
	} else if (strcmp(interface, zwlr_layer_shell_v1_interface.name) == 0) {
		app->layer_shell = wl_registry_bind(registry, name, &zwlr_layer_shell_v1_interface,
			min_u32(version, 3));
	} else if (strcmp(interface, wp_viewporter_interface.name) == 0) {
		app->viewporter = wl_registry_bind(registry, name, &wp_viewporter_interface, 1);
	} else if (strcmp(interface, wp_fractional_scale_manager_v1_interface.name) == 0) {
		app->fractional_manager = wl_registry_bind(registry, name,
			&wp_fractional_scale_manager_v1_interface, 1);
	} else if (strcmp(interface, wl_data_device_manager_interface.name) == 0) {
		app->data_device_manager = wl_registry_bind(registry, name,
			&wl_data_device_manager_interface, min_u32(version, 3));
	} else if (strcmp(interface, zwp_text_input_manager_v3_interface.name) == 0) {
		app->text_input_manager = wl_registry_bind(registry, name,
			&zwp_text_input_manager_v3_interface, 1);
	} else if (strcmp(interface, wl_seat_interface.name) == 0 && !app->seat) {
		app->seat = wl_registry_bind(registry, name, &wl_seat_interface, min_u32(version, 5));
		tk_app_bind_seat(app);
	} else if (strcmp(interface, wl_output_interface.name) == 0) {
		struct tk_output *out = lumen_xcalloc(1, sizeof(*out));
		out->name = name;
		out->scale = 1;
		out->output = wl_registry_bind(registry, name, &wl_output_interface, min_u32(version, 2));
		wl_output_add_listener(out->output, &output_listener, out);
		wl_list_insert(&app->outputs, &out->link);
	}
}

static void registry_global_remove(void *data, struct wl_registry *registry, uint32_t name) {
	struct tk_app *app = data;
	struct tk_output *out, *tmp;
	wl_list_for_each_safe(out, tmp, &app->outputs, link) {
		if (out->name == name) {
			wl_list_remove(&out->link);
			wl_output_destroy(out->output);
			free(out);
		}
	}
}

static const struct wl_registry_listener registry_listener = {
	.global = registry_global,
	.global_remove = registry_global_remove,
};

struct tk_app *tk_app_create(const struct tk_settings *settings) {
	struct tk_app *app = lumen_xcalloc(1, sizeof(*app));
	wl_list_init(&app->outputs);
	wl_list_init(&app->windows);
	wl_list_init(&app->timers);
	wl_list_init(&app->watches);
	wl_list_init(&app->pastes);
	if (settings) {
		app->settings = *settings;
	} else {
		tk_settings_init_default(&app->settings);
		tk_settings_load(&app->settings);
	}
	tk_theme_init(&app->theme, app->settings.theme);
	tk_text_set_default_family(app->settings.font);
	app->display = wl_display_connect(NULL);
	if (!app->display) {
		lumen_log_errno(LUMEN_ERROR, "cannot connect to the Wayland display");
		free(app);
		return NULL;
	}
	app->registry = wl_display_get_registry(app->display);
	wl_registry_add_listener(app->registry, &registry_listener, app);
	wl_display_roundtrip(app->display);
	if (!app->compositor || !app->shm || !app->wm_base) {
		lumen_log(LUMEN_ERROR, "the compositor lacks wl_compositor, wl_shm or xdg_wm_base");
		tk_app_destroy(app);
		return NULL;
	}
	tk_clipboard_init(app);
	tk_text_input_init(app);
	/* Output scales and seat capabilities. */
	wl_display_roundtrip(app->display);
	app->running = true;
	tk_a11y_bus_init(app);
	return app;
}

void tk_app_destroy(struct tk_app *app) {
	if (!app) {
		return;
	}
	while (!wl_list_empty(&app->windows)) {
		struct tk_window *win = wl_container_of(app->windows.prev, win, link);
		tk_window_destroy(win);
	}
	tk_a11y_bus_finish(app);
	struct tk_timer *t, *tt;
	wl_list_for_each_safe(t, tt, &app->timers, link) {
		wl_list_remove(&t->link);
		free(t);
	}
	struct tk_fd_watch *fw, *ft;
	wl_list_for_each_safe(fw, ft, &app->watches, link) {
		wl_list_remove(&fw->link);
		free(fw);
	}
	app->repeat_timer = NULL;
	tk_text_input_finish(app);
	tk_clipboard_finish(app);
	tk_app_finish_seat(app);
	struct tk_output *out, *ot;
	wl_list_for_each_safe(out, ot, &app->outputs, link) {
		wl_list_remove(&out->link);
		wl_output_destroy(out->output);
		free(out);
	}
	if (app->text_input_manager) {
		zwp_text_input_manager_v3_destroy(app->text_input_manager);
	}
	if (app->data_device_manager) {
		wl_data_device_manager_destroy(app->data_device_manager);
	}
	if (app->fractional_manager) {
		wp_fractional_scale_manager_v1_destroy(app->fractional_manager);
	}
	if (app->viewporter) {
		wp_viewporter_destroy(app->viewporter);
	}
	if (app->layer_shell) {
		zwlr_layer_shell_v1_destroy(app->layer_shell);
	}
	if (app->wm_base) {
		xdg_wm_base_destroy(app->wm_base);
	}
	if (app->shm) {
		wl_shm_destroy(app->shm);
	}
	if (app->compositor) {
		wl_compositor_destroy(app->compositor);
	}
	wl_registry_destroy(app->registry);
	wl_display_flush(app->display);
	wl_display_disconnect(app->display);
	free(app);
}

void tk_app_quit(struct tk_app *app, int status) {
	app->running = false;
	app->status = status;
}

const struct tk_theme *tk_app_get_theme(const struct tk_app *app) {
	return &app->theme;
}

const struct tk_settings *tk_app_get_settings(const struct tk_app *app) {
	return &app->settings;
}

static void relayout(struct tk_widget *w) {
	if (w->impl->scale_changed) {
		w->impl->scale_changed(w);
	}
	for (size_t i = 0; i < w->n_children; i++) {
		relayout(w->children[i]);
	}
}

void tk_app_apply_settings(struct tk_app *app, const struct tk_settings *settings) {
	app->settings = *settings;
	tk_theme_init(&app->theme, settings->theme);
	tk_text_set_default_family(settings->font);
	struct tk_window *win;
	wl_list_for_each(win, &app->windows, link) {
		relayout(&win->a11y_root);
		win->needs_layout = true;
		tk_window_schedule_redraw(win);
	}
}

void tk_app_forget_window(struct tk_app *app, struct tk_window *win) {
	if (app->kbd_focus == win) {
		app->kbd_focus = NULL;
	}
	if (app->ptr_focus == win) {
		app->ptr_focus = NULL;
	}
	if (app->touch_focus == win) {
		app->touch_focus = NULL;
	}
}

/* ---- Timers and fd watches ---- */

struct tk_timer *tk_timer_add(struct tk_app *app, int ms, tk_timer_fn fn, void *data) {
	struct tk_timer *t = lumen_xcalloc(1, sizeof(*t));
	t->app = app;
	t->deadline_ms = now_ms() + (ms > 0 ? ms : 0);
	t->fn = fn;
	t->data = data;
	wl_list_insert(&app->timers, &t->link);
	return t;
}

void tk_timer_cancel(struct tk_timer *t) {
	if (!t) {
		return;
	}
	wl_list_remove(&t->link);
	free(t);
}

struct tk_fd_watch *tk_fd_watch_add(struct tk_app *app, int fd, short events, tk_fd_fn fn,
	void *data) {
	struct tk_fd_watch *w = lumen_xcalloc(1, sizeof(*w));
	w->app = app;
	w->fd = fd;
	w->events = events;
	w->fn = fn;
	w->data = data;
	wl_list_insert(app->watches.prev, &w->link);
	return w;
}

void tk_fd_watch_remove(struct tk_fd_watch *w) {
	if (!w) {
		return;
	}
	/* Freed by the loop: it may be iterating over the watches right now. */
	w->removed = true;
	w->fn = NULL;
}

static void run_timers(struct tk_app *app) {
	int64_t now = now_ms();
	bool again = true;
	while (again) {
		again = false;
		struct tk_timer *t;
		wl_list_for_each(t, &app->timers, link) {
			if (t->deadline_ms <= now) {
				wl_list_remove(&t->link);
				tk_timer_fn fn = t->fn;
				void *data = t->data;
				free(t);
				fn(data);
				again = true; // the list may have changed
				break;
			}
		}
	}
}

static int next_timeout(struct tk_app *app) {
	int64_t now = now_ms(), best = -1;
	struct tk_timer *t;
	wl_list_for_each(t, &app->timers, link) {
		int64_t left = t->deadline_ms - now;
		if (left < 0) {
			left = 0;
		}
		if (best < 0 || left < best) {
			best = left;
		}
	}
	return (int)best;
}

static void flush_windows(struct tk_app *app) {
	struct tk_window *win, *tmp;
	wl_list_for_each_safe(win, tmp, &app->windows, link) {
		if (win->closing) {
			tk_window_destroy(win);
		}
	}
	wl_list_for_each(win, &app->windows, link) {
		tk_window_flush(win);
	}
}

int tk_app_run(struct tk_app *app) {
	struct pollfd *fds = NULL;
	size_t cap = 0;
	while (app->running) {
		if (wl_display_dispatch_pending(app->display) < 0) {
			break;
		}
		flush_windows(app);
		if (!app->running) {
			break;
		}
		while (wl_display_prepare_read(app->display) != 0) {
			wl_display_dispatch_pending(app->display);
		}
		if (wl_display_flush(app->display) < 0 && errno != EAGAIN) {
			wl_display_cancel_read(app->display);
			lumen_log_errno(LUMEN_ERROR, "lost the compositor");
			app->status = 1;
			break;
		}
		size_t n = 1;
		struct tk_fd_watch *w, *wt;
		wl_list_for_each(w, &app->watches, link) {
			n++;
		}
		if (n > cap) {
			cap = n * 2;
			struct pollfd *nf = realloc(fds, cap * sizeof(*fds));
			if (!nf) {
				abort();
			}
			fds = nf;
		}
		fds[0] = (struct pollfd){.fd = wl_display_get_fd(app->display), .events = POLLIN};
		size_t i = 1;
		wl_list_for_each(w, &app->watches, link) {
			fds[i++] = (struct pollfd){.fd = w->removed ? -1 : w->fd, .events = w->events};
		}
		int ret = poll(fds, n, next_timeout(app));
		if (ret < 0 && errno != EINTR) {
			wl_display_cancel_read(app->display);
			lumen_log_errno(LUMEN_ERROR, "poll");
			app->status = 1;
			break;
		}
		if (ret > 0 && (fds[0].revents & POLLIN)) {
			if (wl_display_read_events(app->display) < 0) {
				lumen_log_errno(LUMEN_ERROR, "lost the compositor");
				app->status = 1;
				break;
			}
		} else {
			wl_display_cancel_read(app->display);
		}
		if (ret > 0 && (fds[0].revents & (POLLERR | POLLHUP))) {
			lumen_log(LUMEN_ERROR, "the compositor hung up");
			app->status = 1;
			break;
		}
		i = 1;
		wl_list_for_each(w, &app->watches, link) {
			if (i >= n) {
				break;
			}
			if (ret > 0 && fds[i].revents && !w->removed && w->fn) {
				w->fn(w->fd, fds[i].revents, w->data);
			}
			i++;
		}
		wl_list_for_each_safe(w, wt, &app->watches, link) {
			if (w->removed) {
				wl_list_remove(&w->link);
				free(w);
			}
		}
		run_timers(app);
	}
	free(fds);
	int err = wl_display_get_error(app->display);
	if (err && app->status == 0) {
		lumen_log(LUMEN_ERROR, "Wayland protocol error %d", err);
		app->status = 1;
	}
	return app->status;
}
