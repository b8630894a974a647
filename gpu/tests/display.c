/* The tests' lumen-display client. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wayland-client.h>
#include "common/fd.h"
#include "display.h"
#include "lumen-display-v1-client-protocol.h"

static struct gt_output *find(struct gt_display *d, struct lumen_display_output_v1 *p) {
	for (int i = 0; i < d->n_outputs; i++) {
		if (d->outputs[i].proxy == p) {
			return &d->outputs[i];
		}
	}
	return NULL;
}

static void o_name(void *data, struct lumen_display_output_v1 *p, const char *name) {
	struct gt_output *o = find(data, p);
	if (o) {
		snprintf(o->name, sizeof(o->name), "%s", name);
	}
}
static void o_description(void *d, struct lumen_display_output_v1 *p, const char *a,
		const char *b, const char *c) {
}
static void o_physical_size(void *d, struct lumen_display_output_v1 *p, int32_t w, int32_t h) {
}
static void o_mode(void *data, struct lumen_display_output_v1 *p, int32_t w, int32_t h,
		int32_t refresh, uint32_t flags) {
	struct gt_output *o = find(data, p);
	if (!o) {
		return;
	}
	bool known = false;
	for (int i = 0; i < o->n_modes; i++) {
		if (o->modes[i].width == w && o->modes[i].height == h && o->modes[i].refresh == refresh) {
			o->modes[i].flags = flags;
			known = true;
		} else if (flags & LUMEN_DISPLAY_OUTPUT_V1_MODE_FLAGS_CURRENT) {
			o->modes[i].flags &= ~(uint32_t)LUMEN_DISPLAY_OUTPUT_V1_MODE_FLAGS_CURRENT;
		}
	}
	if (!known && o->n_modes < GT_MAX_MODES) {
		o->modes[o->n_modes++] = (struct gt_mode){w, h, refresh, flags};
	}
	if (flags & LUMEN_DISPLAY_OUTPUT_V1_MODE_FLAGS_CURRENT) {
		o->width = w;
		o->height = h;
		o->refresh = refresh;
	}
}
static void o_format(void *data, struct lumen_display_output_v1 *p, uint32_t f, uint32_t hi,
		uint32_t lo) {
	struct gt_output *o = find(data, p);
	if (!o) {
		return;
	}
	uint64_t mod = (uint64_t)hi << 32 | lo;
	for (int i = 0; i < o->n_formats; i++) {
		if (o->formats[i] == f && o->modifiers[i] == mod) {
			return;
		}
	}
	if (o->n_formats < GT_MAX_FORMATS) {
		o->formats[o->n_formats] = f;
		o->modifiers[o->n_formats++] = mod;
	}
}
static void o_state(void *data, struct lumen_display_output_v1 *p, uint32_t enabled,
		uint32_t power_on, uint32_t gamma_size, int32_t cw, int32_t ch) {
	struct gt_output *o = find(data, p);
	if (o) {
		o->enabled = enabled;
		o->power_on = power_on;
		o->gamma_size = gamma_size;
		o->cursor_width = cw;
		o->cursor_height = ch;
	}
}
static void o_done(void *data, struct lumen_display_output_v1 *p) {
	struct gt_output *o = find(data, p);
	if (o) {
		o->done_count++;
	}
}
static void o_removed(void *data, struct lumen_display_output_v1 *p) {
	struct gt_output *o = find(data, p);
	if (o) {
		o->removed = true;
	}
}
static const struct lumen_display_output_v1_listener output_listener = {
	o_name, o_description, o_physical_size, o_mode, o_format, o_state, o_done, o_removed,
};

static void d_output(void *data, struct lumen_display_v1 *g, struct lumen_display_output_v1 *p) {
	struct gt_display *d = data;
	if (d->n_outputs >= GT_MAX_OUTPUTS) {
		lumen_display_output_v1_destroy(p);
		return;
	}
	struct gt_output *o = &d->outputs[d->n_outputs++];
	memset(o, 0, sizeof(*o));
	o->proxy = p;
	lumen_display_output_v1_add_listener(p, &output_listener, d);
}
static void d_render_node(void *data, struct lumen_display_v1 *g, int fd) {
	struct gt_display *d = data;
	if (d->render_node_fd >= 0) {
		close(d->render_node_fd);
	}
	d->render_node_fd = fd;
}
static void d_done(void *data, struct lumen_display_v1 *g) {
	((struct gt_display *)data)->done = true;
}
static const struct lumen_display_v1_listener display_listener = {d_output, d_render_node, d_done};

static void r_global(void *data, struct wl_registry *r, uint32_t name, const char *iface,
		uint32_t version) {
	struct gt_display *d = data;
	if (strcmp(iface, lumen_display_v1_interface.name) == 0 && !d->global) {
		d->global = wl_registry_bind(r, name, &lumen_display_v1_interface, 1);
		lumen_display_v1_add_listener(d->global, &display_listener, d);
	}
}
static void r_remove(void *d, struct wl_registry *r, uint32_t name) {
}
static const struct wl_registry_listener registry_listener = {r_global, r_remove};

struct gt_display *gt_display_connect(const char *socket, char *why, size_t why_size) {
	struct gt_display *d = calloc(1, sizeof(*d));
	if (!d) {
		snprintf(why, why_size, "out of memory");
		return NULL;
	}
	d->render_node_fd = -1;
	d->wl = wl_display_connect(socket);
	if (!d->wl) {
		snprintf(why, why_size, "cannot connect to %s: %s", socket, strerror(errno));
		free(d);
		return NULL;
	}
	d->registry = wl_display_get_registry(d->wl);
	wl_registry_add_listener(d->registry, &registry_listener, d);
	if (wl_display_roundtrip(d->wl) < 0 || !d->global) {
		snprintf(why, why_size, "%s has no lumen_display_v1", socket);
		gt_display_disconnect(d);
		return NULL;
	}
	while (!d->done) {
		if (wl_display_dispatch(d->wl) < 0) {
			snprintf(why, why_size, "connection failed before done");
			gt_display_disconnect(d);
			return NULL;
		}
	}
	wl_display_roundtrip(d->wl);
	return d;
}

void gt_display_disconnect(struct gt_display *d) {
	if (!d) {
		return;
	}
	for (int i = 0; i < d->n_outputs; i++) {
		lumen_display_output_v1_destroy(d->outputs[i].proxy);
	}
	if (d->global) {
		lumen_display_v1_destroy(d->global);
	}
	if (d->registry) {
		wl_registry_destroy(d->registry);
	}
	if (d->render_node_fd >= 0) {
		close(d->render_node_fd);
	}
	wl_display_disconnect(d->wl);
	free(d);
}

bool gt_display_sync(struct gt_display *d, uint32_t *error) {
	if (wl_display_roundtrip(d->wl) >= 0) {
		return true;
	}
	if (error) {
		const struct wl_interface *iface = NULL;
		uint32_t id = 0;
		*error = wl_display_get_protocol_error(d->wl, &iface, &id);
	}
	return false;
}

bool gt_display_become_master(struct gt_display *d) {
	if (!d->master) {
		lumen_display_v1_become_master(d->global);
		d->master = true;
	}
	return gt_display_sync(d, NULL);
}

bool gt_shm_create(struct gt_shm *shm, int32_t width, int32_t height) {
	memset(shm, 0, sizeof(*shm));
	shm->width = width;
	shm->height = height;
	shm->stride = width * 4;
	shm->size = (size_t)shm->stride * (size_t)height;
	shm->fd = lumen_shm_create(shm->size);
	if (shm->fd < 0) {
		return false;
	}
	shm->pixels = mmap(NULL, shm->size, PROT_READ | PROT_WRITE, MAP_SHARED, shm->fd, 0);
	if (shm->pixels == MAP_FAILED) {
		close(shm->fd);
		shm->fd = -1;
		shm->pixels = NULL;
		return false;
	}
	return true;
}

void gt_shm_finish(struct gt_shm *shm) {
	if (shm->pixels) {
		munmap(shm->pixels, shm->size);
	}
	if (shm->fd >= 0) {
		close(shm->fd);
	}
	memset(shm, 0, sizeof(*shm));
	shm->fd = -1;
}

struct lumen_display_buffer_v1 *gt_display_shm_buffer(struct gt_display *d, struct gt_shm *shm,
		uint32_t format) {
	return lumen_display_v1_create_shm_buffer(d->global, shm->fd, 0, shm->width, shm->height,
		shm->stride, format);
}

static void f_presented(void *data, struct lumen_display_frame_v1 *f, uint32_t sec_hi,
		uint32_t sec_lo, uint32_t nsec, uint32_t refresh, uint32_t seq_hi, uint32_t seq_lo,
		uint32_t flags) {
	struct gt_frame *frame = data;
	frame->done = frame->presented = true;
	frame->sec = (uint64_t)sec_hi << 32 | sec_lo;
	frame->nsec = nsec;
	frame->refresh_ns = refresh;
	frame->seq = (uint64_t)seq_hi << 32 | seq_lo;
	frame->flags = flags;
	lumen_display_frame_v1_destroy(f);
}
static void f_discarded(void *data, struct lumen_display_frame_v1 *f) {
	((struct gt_frame *)data)->done = true;
	lumen_display_frame_v1_destroy(f);
}
static const struct lumen_display_frame_v1_listener frame_listener = {f_presented, f_discarded};

bool gt_display_commit(struct gt_display *d, struct gt_output *o,
		struct lumen_display_buffer_v1 *buffer, struct gt_frame *frame) {
	memset(frame, 0, sizeof(*frame));
	if (buffer) {
		lumen_display_output_v1_attach(o->proxy, buffer);
	}
	struct lumen_display_frame_v1 *f = lumen_display_output_v1_commit(o->proxy);
	lumen_display_frame_v1_add_listener(f, &frame_listener, frame);
	while (!frame->done) {
		if (wl_display_dispatch(d->wl) < 0) {
			return false;
		}
	}
	return true;
}

struct configure_wait {
	bool done, succeeded;
	char *reason;
	size_t size;
};
static void c_succeeded(void *data, struct lumen_display_configure_v1 *c) {
	struct configure_wait *w = data;
	w->done = w->succeeded = true;
	lumen_display_configure_v1_destroy(c);
}
static void c_failed(void *data, struct lumen_display_configure_v1 *c, const char *reason) {
	struct configure_wait *w = data;
	w->done = true;
	if (w->reason) {
		snprintf(w->reason, w->size, "%s", reason);
	}
	lumen_display_configure_v1_destroy(c);
}
static const struct lumen_display_configure_v1_listener configure_listener = {c_succeeded, c_failed};

bool gt_display_configure(struct gt_display *d, struct gt_output *o, int32_t w, int32_t h,
		int32_t refresh, bool enabled, bool test_only, bool *succeeded, char *reason,
		size_t size) {
	struct configure_wait wait = {.reason = reason, .size = size};
	if (reason && size) {
		reason[0] = '\0';
	}
	struct lumen_display_configure_v1 *c =
		lumen_display_output_v1_configure(o->proxy, w, h, refresh, enabled, test_only);
	lumen_display_configure_v1_add_listener(c, &configure_listener, &wait);
	while (!wait.done) {
		if (wl_display_dispatch(d->wl) < 0) {
			return false;
		}
	}
	*succeeded = wait.succeeded;
	/* The state and mode events follow a success. */
	return wl_display_roundtrip(d->wl) >= 0;
}

struct capture_wait {
	bool done, ok;
	char *why;
	size_t size;
};
static void cap_done(void *data, struct lumen_display_capture_v1 *c, uint32_t a, uint32_t b,
		uint32_t ns) {
	struct capture_wait *w = data;
	w->done = w->ok = true;
	lumen_display_capture_v1_destroy(c);
}
static void cap_failed(void *data, struct lumen_display_capture_v1 *c, const char *reason) {
	struct capture_wait *w = data;
	w->done = true;
	snprintf(w->why, w->size, "capture failed: %s", reason);
	lumen_display_capture_v1_destroy(c);
}
static const struct lumen_display_capture_v1_listener capture_listener = {cap_done, cap_failed};

bool gt_display_capture(struct gt_display *d, struct gt_output *o, struct gt_shm *shm,
		char *why, size_t why_size) {
	struct capture_wait wait = {.why = why, .size = why_size};
	struct lumen_display_capture_v1 *c = lumen_display_output_v1_capture(o->proxy, shm->fd,
		shm->width, shm->height, shm->stride, 0x34325258 /* XRGB8888 */);
	lumen_display_capture_v1_add_listener(c, &capture_listener, &wait);
	while (!wait.done) {
		if (wl_display_dispatch(d->wl) < 0) {
			snprintf(why, why_size, "connection failed during capture");
			return false;
		}
	}
	return wait.ok;
}
