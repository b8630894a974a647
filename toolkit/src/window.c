/*
 * Windows: xdg toplevels and popups, layer surfaces, and offscreen windows for tests.
 * Each draws its widget tree into one of two wl_shm buffers (memfd) with pixman, at the
 * output's integer scale (wl_surface.set_buffer_scale) or, where the compositor offers
 * wp_fractional_scale_v1, at the fractional scale through wp_viewporter. Redraws wait
 * for the frame callback.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/input-event-codes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xkbcommon/xkbcommon-keysyms.h>
#include "common/alloc.h"
#include "common/log.h"
#include "fractional-scale-v1-client-protocol.h"
#include "text-input-unstable-v3-client-protocol.h"
#include "tk-private.h"
#include "viewporter-client-protocol.h"
#include "wlr-layer-shell-unstable-v1-client-protocol.h"
#include "xdg-shell-client-protocol.h"

#define WINDOW_OF(root) ((struct tk_window *)((char *)(root) - offsetof(struct tk_window, a11y_root)))

/* ---- The window's top widget: background, and the root at full size ---- */

static void top_measure(struct tk_widget *w, int *width, int *height) {
	*width = *height = 0;
	if (w->n_children > 0) {
		tk_widget_measure(w->children[0], width, height);
	}
}

static void top_layout(struct tk_widget *w) {
	if (w->n_children > 0) {
		tk_widget_set_bounds(w->children[0], w->x, w->y, w->width, w->height);
	}
}

static void top_draw(struct tk_widget *w, struct tk_draw *d) {
	tk_draw_rect(d, w->x, w->y, w->width, w->height, d->theme->window_bg);
	if (w->n_children > 0) {
		tk_widget_draw(w->children[0], d);
	}
}

static void top_destroy(struct tk_widget *w) {
	/* Embedded in the window, freed with it. */
}

static const struct tk_widget_impl top_impl = {
	.type = "window",
	.role = TK_A11Y_ROLE_WINDOW,
	.measure = top_measure,
	.layout = top_layout,
	.draw = top_draw,
	.destroy = top_destroy,
};

static void destroy_top(struct tk_window *win) {
	struct tk_widget *top = &win->a11y_root;
	/* Children through the ordinary path; the top itself is embedded. */
	while (top->n_children > 0) {
		tk_widget_destroy(top->children[top->n_children - 1]);
	}
	free(top->children);
	top->children = NULL;
	top->cap_children = 0;
}

static void window_init(struct tk_window *win, struct tk_app *app, enum tk_window_kind kind) {
	win->app = app;
	win->kind = kind;
	win->buffer_scale = 1;
	wl_list_init(&win->link);
	tk_widget_init(&win->a11y_root, &top_impl);
	win->a11y_root.window = win;
	if (app) {
		wl_list_insert(app->windows.prev, &win->link);
	}
}

static void natural_size(struct tk_window *win, int *w, int *h);

/* ---- Buffers ---- */

static void buffer_release(void *data, struct wl_buffer *wl_buffer) {
	struct tk_buffer *buf = data;
	buf->busy = false;
}

static const struct wl_buffer_listener buffer_listener = {.release = buffer_release};

static void buffer_finish(struct tk_buffer *buf) {
	if (buf->buffer) {
		wl_buffer_destroy(buf->buffer);
	}
	if (buf->image) {
		pixman_image_unref(buf->image);
	}
	if (buf->data) {
		munmap(buf->data, buf->size);
	}
	*buf = (struct tk_buffer){0};
}

static bool buffer_init(struct tk_app *app, struct tk_buffer *buf, int width, int height) {
	int stride = width * 4;
	size_t size = (size_t)stride * height;
	int fd = memfd_create("lumen-toolkit", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0) {
		lumen_log_errno(LUMEN_ERROR, "memfd_create");
		return false;
	}
	if (ftruncate(fd, (off_t)size) < 0) {
		lumen_log_errno(LUMEN_ERROR, "ftruncate");
		close(fd);
		return false;
	}
	void *data = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (data == MAP_FAILED) {
		lumen_log_errno(LUMEN_ERROR, "mmap");
		close(fd);
		return false;
	}
	struct wl_shm_pool *pool = wl_shm_create_pool(app->shm, fd, (int32_t)size);
	buf->buffer = wl_shm_pool_create_buffer(pool, 0, width, height, stride, WL_SHM_FORMAT_ARGB8888);
	wl_shm_pool_destroy(pool);
	close(fd);
	wl_buffer_add_listener(buf->buffer, &buffer_listener, buf);
	buf->data = data;
	buf->size = size;
	buf->width = width;
	buf->height = height;
	buf->image = pixman_image_create_bits(PIXMAN_a8r8g8b8, width, height, data, stride);
	return true;
}

static struct tk_buffer *next_buffer(struct tk_window *win, int width, int height) {
	for (int i = 0; i < 2; i++) {
		struct tk_buffer *buf = &win->buffers[i];
		if (buf->busy) {
			continue;
		}
		if (buf->buffer && (buf->width != width || buf->height != height)) {
			buffer_finish(buf);
		}
		if (!buf->buffer && !buffer_init(win->app, buf, width, height)) {
			return NULL;
		}
		return buf;
	}
	return NULL;
}

/* ---- Scale ---- */

double tk_window_get_scale(const struct tk_window *win) {
	if (win->fractional_scale > 0) {
		return win->fractional_scale;
	}
	return win->buffer_scale;
}

/*
 * The buffer for a logical size: wp_fractional_scale_v1 asks for the surface size times
 * the scale rounded half away from zero (round()), which the compositor maps 1:1 onto the
 * output; ceil() would make it a pixel wider than the destination, and resampled.
 */
static void buffer_size(const struct tk_window *win, double scale, int *bw, int *bh) {
	*bw = (int)round(win->width * scale);
	*bh = (int)round(win->height * scale);
	*bw = *bw > 0 ? *bw : 1;
	*bh = *bh > 0 ? *bh : 1;
}

static void scale_changed(struct tk_widget *w) {
	if (w->impl->scale_changed) {
		w->impl->scale_changed(w);
	}
	for (size_t i = 0; i < w->n_children; i++) {
		scale_changed(w->children[i]);
	}
}

static void update_buffer_scale(struct tk_window *win) {
	int scale = 1;
	for (int i = 0; i < win->n_outputs; i++) {
		struct tk_output *out = tk_app_find_output(win->app, win->outputs[i]);
		if (out && out->scale > scale) {
			scale = out->scale;
		}
	}
	if (scale != win->buffer_scale) {
		win->buffer_scale = scale;
		scale_changed(&win->a11y_root);
		win->needs_layout = true;
		tk_window_schedule_redraw(win);
	}
}

static void surface_enter(void *data, struct wl_surface *surface, struct wl_output *output) {
	struct tk_window *win = data;
	if (win->n_outputs < TK_MAX_OUTPUTS) {
		win->outputs[win->n_outputs++] = output;
	}
	update_buffer_scale(win);
}

static void surface_leave(void *data, struct wl_surface *surface, struct wl_output *output) {
	struct tk_window *win = data;
	for (int i = 0; i < win->n_outputs; i++) {
		if (win->outputs[i] == output) {
			win->outputs[i] = win->outputs[--win->n_outputs];
			break;
		}
	}
	update_buffer_scale(win);
}

static const struct wl_surface_listener surface_listener = {
	.enter = surface_enter,
	.leave = surface_leave,
};

static void fractional_preferred(void *data, struct wp_fractional_scale_v1 *f, uint32_t scale) {
	struct tk_window *win = data;
	double s = scale / 120.0;
	if (s <= 0 || s == win->fractional_scale) {
		return;
	}
	win->fractional_scale = s;
	scale_changed(&win->a11y_root);
	win->needs_layout = true;
	tk_window_schedule_redraw(win);
}

static const struct wp_fractional_scale_v1_listener fractional_listener = {
	.preferred_scale = fractional_preferred,
};

static bool create_surface(struct tk_window *win) {
	struct tk_app *app = win->app;
	win->surface = wl_compositor_create_surface(app->compositor);
	wl_surface_add_listener(win->surface, &surface_listener, win);
	if (app->fractional_manager && app->viewporter) {
		win->viewport = wp_viewporter_get_viewport(app->viewporter, win->surface);
		win->fractional = wp_fractional_scale_manager_v1_get_fractional_scale(
			app->fractional_manager, win->surface);
		wp_fractional_scale_v1_add_listener(win->fractional, &fractional_listener, win);
	}
	return true;
}

/* ---- Drawing ---- */

void tk_window_layout(struct tk_window *win) {
	win->needs_layout = false;
	tk_widget_set_bounds(&win->a11y_root, 0, 0, win->width, win->height);
}

static void paint(struct tk_window *win, pixman_image_t *image, double scale) {
	if (win->needs_layout) {
		tk_window_layout(win);
	}
	struct tk_draw d = {
		.image = image,
		.scale = scale,
		.clip_x = 0,
		.clip_y = 0,
		.clip_w = win->width,
		.clip_h = win->height,
		.theme = win->app ? &win->app->theme : &win->own_theme,
	};
	int saved[4];
	tk_draw_push_clip(&d, 0, 0, win->width, win->height, saved);
	tk_widget_draw(&win->a11y_root, &d);
	pixman_image_set_clip_region32(image, NULL);
}

static void frame_done(void *data, struct wl_callback *cb, uint32_t time) {
	struct tk_window *win = data;
	wl_callback_destroy(cb);
	win->frame_cb = NULL;
}

static const struct wl_callback_listener frame_listener = {.done = frame_done};

/* Called from the loop: draws a dirty, configured window whose last frame is done. */
void tk_window_flush(struct tk_window *win);
void tk_window_flush(struct tk_window *win) {
	if (!win->dirty || !win->configured || win->frame_cb || win->closing || !win->surface) {
		return;
	}
	if (win->width <= 0 || win->height <= 0) {
		return;
	}
	if (win->needs_layout && win->kind == TK_WINDOW_TOPLEVEL) {
		/* Content that grew (longer text, a larger text scale) grows the window. */
		int nw, nh;
		natural_size(win, &nw, &nh);
		int w = win->pending_width > nw ? win->pending_width : nw;
		int h = win->pending_height > nh ? win->pending_height : nh;
		win->width = w > win->width || win->pending_width <= 0 ? w : win->width;
		win->height = h > win->height || win->pending_height <= 0 ? h : win->height;
	}
	if (win->needs_layout) {
		tk_window_layout(win);
	}
	double scale = tk_window_get_scale(win);
	int bw, bh;
	buffer_size(win, scale, &bw, &bh);
	struct tk_buffer *buf = next_buffer(win, bw, bh);
	if (!buf) {
		return; // both busy: the release will come
	}
	win->dirty = false;
	paint(win, buf->image, scale);
	wl_surface_attach(win->surface, buf->buffer, 0, 0);
	if (win->fractional_scale > 0 && win->viewport) {
		wl_surface_set_buffer_scale(win->surface, 1);
		wp_viewport_set_destination(win->viewport, win->width, win->height);
	} else {
		wl_surface_set_buffer_scale(win->surface, win->buffer_scale);
	}
	wl_surface_damage_buffer(win->surface, 0, 0, bw, bh);
	win->frame_cb = wl_surface_frame(win->surface);
	wl_callback_add_listener(win->frame_cb, &frame_listener, win);
	buf->busy = true;
	wl_surface_commit(win->surface);
	/* A popup's tree is part of its parent's: tell the window that has a handler. */
	for (struct tk_window *w = win; w; w = w->parent) {
		if (w->a11y_fn) {
			w->a11y_fn(tk_window_get_a11y(w), w->a11y_data);
			break;
		}
	}
	tk_a11y_bus_window_changed(win);
}

void tk_window_schedule_redraw(struct tk_window *win) {
	win->dirty = true;
}

pixman_image_t *tk_window_render_offscreen(struct tk_window *win) {
	if (win->needs_layout) {
		tk_window_layout(win);
	}
	int bw, bh;
	buffer_size(win, tk_window_get_scale(win), &bw, &bh);
	pixman_image_t *image = pixman_image_create_bits(PIXMAN_a8r8g8b8, bw, bh, NULL, 0);
	if (image) {
		paint(win, image, tk_window_get_scale(win));
	}
	win->dirty = false;
	return image;
}

/* ---- xdg-shell ---- */

static void natural_size(struct tk_window *win, int *w, int *h) {
	tk_widget_measure(&win->a11y_root, w, h);
	if (*w < 1) {
		*w = 1;
	}
	if (*h < 1) {
		*h = 1;
	}
}

static void xdg_surface_configure(void *data, struct xdg_surface *xdg_surface, uint32_t serial) {
	struct tk_window *win = data;
	xdg_surface_ack_configure(xdg_surface, serial);
	int nw, nh;
	natural_size(win, &nw, &nh);
	int w = win->pending_width > 0 ? win->pending_width : nw;
	int h = win->pending_height > 0 ? win->pending_height : nh;
	/* Never smaller than the widgets need. */
	w = w < nw ? nw : w;
	h = h < nh ? nh : h;
	if (w != win->width || h != win->height || !win->configured) {
		win->width = w;
		win->height = h;
		win->needs_layout = true;
	}
	win->configured = true;
	win->dirty = true;
}

static const struct xdg_surface_listener xdg_surface_listener = {
	.configure = xdg_surface_configure,
};

static void toplevel_configure(void *data, struct xdg_toplevel *toplevel, int32_t width,
	int32_t height, struct wl_array *states) {
	struct tk_window *win = data;
	win->pending_width = width;
	win->pending_height = height;
}

static void request_close(struct tk_window *win) {
	if (win->close_fn) {
		win->close_fn(win, win->close_data);
	} else if (win->kind == TK_WINDOW_POPUP) {
		win->closing = true;
	} else if (win->app) {
		tk_app_quit(win->app, 0);
	}
}

static void toplevel_close(void *data, struct xdg_toplevel *toplevel) {
	request_close(data);
}

static const struct xdg_toplevel_listener toplevel_listener = {
	.configure = toplevel_configure,
	.close = toplevel_close,
};

struct tk_window *tk_window_create_toplevel(struct tk_app *app, const char *title,
	const char *app_id) {
	struct tk_window *win = lumen_xcalloc(1, sizeof(*win));
	window_init(win, app, TK_WINDOW_TOPLEVEL);
	win->title = lumen_xstrdup(title ? title : "");
	win->a11y_root.default_name = win->title;
	create_surface(win);
	win->xdg_surface = xdg_wm_base_get_xdg_surface(app->wm_base, win->surface);
	xdg_surface_add_listener(win->xdg_surface, &xdg_surface_listener, win);
	win->xdg_toplevel = xdg_surface_get_toplevel(win->xdg_surface);
	xdg_toplevel_add_listener(win->xdg_toplevel, &toplevel_listener, win);
	xdg_toplevel_set_title(win->xdg_toplevel, win->title);
	if (app_id) {
		xdg_toplevel_set_app_id(win->xdg_toplevel, app_id);
	}
	tk_a11y_bus_window_created(win, app_id);
	wl_surface_commit(win->surface);
	return win;
}

static void popup_configure(void *data, struct xdg_popup *popup, int32_t x, int32_t y,
	int32_t width, int32_t height) {
	struct tk_window *win = data;
	win->pending_width = width;
	win->pending_height = height;
}

static void popup_done(void *data, struct xdg_popup *popup) {
	request_close(data);
}

static void popup_repositioned(void *data, struct xdg_popup *popup, uint32_t token) {
}

static const struct xdg_popup_listener popup_listener = {
	.configure = popup_configure,
	.popup_done = popup_done,
	.repositioned = popup_repositioned,
};

struct tk_window *tk_window_create_popup(struct tk_window *parent, struct tk_widget *owner,
	int ax, int ay, int aw, int ah, struct tk_widget *content, uint32_t grab_serial) {
	struct tk_app *app = parent->app;
	if (!app || !parent->xdg_surface) {
		tk_widget_destroy(content);
		return NULL;
	}
	struct tk_window *win = lumen_xcalloc(1, sizeof(*win));
	window_init(win, app, TK_WINDOW_POPUP);
	win->parent = parent;
	win->owner = owner;
	win->buffer_scale = parent->buffer_scale;
	win->fractional_scale = parent->fractional_scale;
	tk_window_set_root(win, content);
	int w, h;
	natural_size(win, &w, &h);
	create_surface(win);
	win->xdg_surface = xdg_wm_base_get_xdg_surface(app->wm_base, win->surface);
	xdg_surface_add_listener(win->xdg_surface, &xdg_surface_listener, win);
	struct xdg_positioner *pos = xdg_wm_base_create_positioner(app->wm_base);
	xdg_positioner_set_size(pos, w, h);
	xdg_positioner_set_anchor_rect(pos, ax, ay, aw > 0 ? aw : 1, ah > 0 ? ah : 1);
	xdg_positioner_set_anchor(pos, XDG_POSITIONER_ANCHOR_BOTTOM_LEFT);
	xdg_positioner_set_gravity(pos, XDG_POSITIONER_GRAVITY_BOTTOM_RIGHT);
	xdg_positioner_set_constraint_adjustment(pos, XDG_POSITIONER_CONSTRAINT_ADJUSTMENT_FLIP_Y |
		XDG_POSITIONER_CONSTRAINT_ADJUSTMENT_SLIDE_X | XDG_POSITIONER_CONSTRAINT_ADJUSTMENT_SLIDE_Y);
	win->xdg_popup = xdg_surface_get_popup(win->xdg_surface, parent->xdg_surface, pos);
	xdg_positioner_destroy(pos);
	xdg_popup_add_listener(win->xdg_popup, &popup_listener, win);
	if (app->seat) {
		xdg_popup_grab(win->xdg_popup, app->seat, grab_serial);
	}
	wl_surface_commit(win->surface);
	return win;
}

/* ---- Layer shell ---- */

static void layer_configure(void *data, struct zwlr_layer_surface_v1 *surface, uint32_t serial,
	uint32_t width, uint32_t height) {
	struct tk_window *win = data;
	zwlr_layer_surface_v1_ack_configure(surface, serial);
	int nw, nh;
	natural_size(win, &nw, &nh);
	win->width = width > 0 ? (int)width : nw;
	win->height = height > 0 ? (int)height : nh;
	win->needs_layout = true;
	win->configured = true;
	win->dirty = true;
}

static void layer_closed(void *data, struct zwlr_layer_surface_v1 *surface) {
	request_close(data);
}

static const struct zwlr_layer_surface_v1_listener layer_listener = {
	.configure = layer_configure,
	.closed = layer_closed,
};

struct tk_window *tk_window_create_layer(struct tk_app *app, enum tk_layer layer, uint32_t anchor,
	int width, int height, int exclusive_zone, const char *name_space) {
	if (!app->layer_shell) {
		return NULL;
	}
	struct tk_window *win = lumen_xcalloc(1, sizeof(*win));
	window_init(win, app, TK_WINDOW_LAYER);
	win->title = lumen_xstrdup(name_space ? name_space : "");
	win->a11y_root.default_name = win->title;
	create_surface(win);
	win->layer_surface = zwlr_layer_shell_v1_get_layer_surface(app->layer_shell, win->surface,
		NULL, (uint32_t)layer, win->title);
	zwlr_layer_surface_v1_add_listener(win->layer_surface, &layer_listener, win);
	zwlr_layer_surface_v1_set_anchor(win->layer_surface, anchor);
	zwlr_layer_surface_v1_set_size(win->layer_surface, (uint32_t)(width > 0 ? width : 0),
		(uint32_t)(height > 0 ? height : 0));
	zwlr_layer_surface_v1_set_exclusive_zone(win->layer_surface, exclusive_zone);
	zwlr_layer_surface_v1_set_keyboard_interactivity(win->layer_surface,
		ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_ON_DEMAND);
	wl_surface_commit(win->surface);
	return win;
}

/* ---- Offscreen (unit tests) ---- */

struct tk_window *tk_window_create_offscreen(const struct tk_settings *settings, int width,
	int height) {
	struct tk_window *win = lumen_xcalloc(1, sizeof(*win));
	window_init(win, NULL, TK_WINDOW_OFFSCREEN);
	if (settings) {
		win->own_settings = *settings;
	} else {
		tk_settings_init_default(&win->own_settings);
	}
	tk_theme_init(&win->own_theme, win->own_settings.theme);
	win->width = width;
	win->height = height;
	win->configured = true;
	win->needs_layout = true;
	return win;
}

/* ---- Common ---- */

void tk_window_destroy(struct tk_window *win) {
	if (!win) {
		return;
	}
	tk_a11y_bus_window_destroyed(win);
	/* Popups first: they hang off this surface. */
	if (win->app) {
		struct tk_window *child, *tmp;
		wl_list_for_each_safe(child, tmp, &win->app->windows, link) {
			if (child->parent == win) {
				if (child->owner) {
					/* Let the owner forget it (menu_close through the handler). */
					child->closing = true;
				}
				tk_window_destroy(child);
			}
		}
	}
	destroy_top(win);
	if (win->app) {
		tk_app_forget_window(win->app, win);
		if (win->app->text_input && win->ti_widget) {
			zwp_text_input_v3_disable(win->app->text_input);
			zwp_text_input_v3_commit(win->app->text_input);
			win->app->ti_commits++;
		}
	}
	if (win->frame_cb) {
		wl_callback_destroy(win->frame_cb);
	}
	if (win->fractional) {
		wp_fractional_scale_v1_destroy(win->fractional);
	}
	if (win->viewport) {
		wp_viewport_destroy(win->viewport);
	}
	if (win->xdg_popup) {
		xdg_popup_destroy(win->xdg_popup);
	}
	if (win->xdg_toplevel) {
		xdg_toplevel_destroy(win->xdg_toplevel);
	}
	if (win->xdg_surface) {
		xdg_surface_destroy(win->xdg_surface);
	}
	if (win->layer_surface) {
		zwlr_layer_surface_v1_destroy(win->layer_surface);
	}
	for (int i = 0; i < 2; i++) {
		buffer_finish(&win->buffers[i]);
	}
	if (win->surface) {
		wl_surface_destroy(win->surface);
	}
	wl_list_remove(&win->link);
	free(win->title);
	free(win);
}

void tk_window_set_root(struct tk_window *win, struct tk_widget *root) {
	destroy_top(win);
	if (root) {
		tk_widget_add_child(&win->a11y_root, root);
	}
	win->needs_layout = true;
	tk_window_schedule_redraw(win);
}

struct tk_widget *tk_window_get_root(struct tk_window *win) {
	return win->a11y_root.n_children > 0 ? win->a11y_root.children[0] : NULL;
}

void tk_window_set_close_handler(struct tk_window *win, tk_window_fn fn, void *data) {
	win->close_fn = fn;
	win->close_data = data;
}

void tk_window_set_a11y_handler(struct tk_window *win, tk_a11y_change_fn fn, void *data) {
	win->a11y_fn = fn;
	win->a11y_data = data;
}

void tk_window_set_title(struct tk_window *win, const char *title) {
	free(win->title);
	win->title = lumen_xstrdup(title ? title : "");
	win->a11y_root.default_name = win->title;
	if (win->xdg_toplevel) {
		xdg_toplevel_set_title(win->xdg_toplevel, win->title);
	}
	tk_window_schedule_redraw(win);
}

struct tk_a11y_node *tk_window_get_a11y(struct tk_window *win) {
	return (struct tk_a11y_node *)&win->a11y_root;
}

struct tk_widget *tk_window_get_focus(struct tk_window *win) {
	return win->focus;
}

void tk_window_set_focus(struct tk_window *win, struct tk_widget *w) {
	if (w && (w->window != win || !tk_widget_can_focus(w))) {
		return;
	}
	struct tk_widget *old = win->focus;
	if (old == w) {
		return;
	}
	win->focus = w;
	if (old && old->impl->focus) {
		old->impl->focus(old, false);
	}
	if (w) {
		if (w->impl->focus) {
			w->impl->focus(w, true);
		}
		tk_widget_scroll_into_view(w);
	}
	tk_window_update_text_input(win);
	tk_window_schedule_redraw(win);
}

struct tk_window *tk_window_top_popup(struct tk_window *win) {
	if (!win->app) {
		return win;
	}
	for (;;) {
		struct tk_window *child, *found = NULL;
		wl_list_for_each(child, &win->app->windows, link) {
			if (child->parent == win && !child->closing && child->kind == TK_WINDOW_POPUP) {
				found = child;
			}
		}
		if (!found) {
			return win;
		}
		win = found;
	}
}

/* ---- Input routing ---- */

void tk_window_key(struct tk_window *win, const struct tk_key *key) {
	win = tk_window_top_popup(win);
	for (struct tk_widget *w = win->focus; w; w = w->parent) {
		if (w->impl->key && w->impl->key(w, key)) {
			return;
		}
	}
	struct tk_widget *top = &win->a11y_root;
	switch (key->sym) {
	case XKB_KEY_Tab:
	case XKB_KEY_ISO_Left_Tab:
		tk_window_set_focus(win,
			tk_focus_next(top, win->focus, key->shift || key->sym == XKB_KEY_ISO_Left_Tab ? -1 : 1));
		break;
	case XKB_KEY_Down:
	case XKB_KEY_Right:
		tk_window_set_focus(win, tk_focus_next(top, win->focus, 1));
		break;
	case XKB_KEY_Up:
	case XKB_KEY_Left:
		tk_window_set_focus(win, tk_focus_next(top, win->focus, -1));
		break;
	case XKB_KEY_Escape:
		if (win->kind == TK_WINDOW_POPUP) {
			request_close(win);
		}
		break;
	default:
		break;
	}
}

static bool deliver_pointer(struct tk_widget *w, const struct tk_pointer *ev,
	struct tk_widget **handled_by) {
	for (; w; w = w->parent) {
		bool enabled = true;
		for (struct tk_widget *p = w; p; p = p->parent) {
			enabled = enabled && !p->disabled;
		}
		if (enabled && w->impl->pointer && w->impl->pointer(w, ev)) {
			if (handled_by) {
				*handled_by = w;
			}
			return true;
		}
	}
	return false;
}

static void set_hover(struct tk_window *win, struct tk_widget *hit) {
	if (win->hover == hit) {
		return;
	}
	if (win->hover) {
		win->hover->hover = false;
	}
	win->hover = hit;
	if (hit) {
		hit->hover = true;
	}
	if (win->app) {
		tk_app_set_cursor(win->app, hit && tk_entry_is(hit) ? "xterm" : "left_ptr");
	}
	tk_window_schedule_redraw(win);
}

void tk_window_pointer(struct tk_window *win, const struct tk_pointer *ev) {
	struct tk_widget *hit = tk_widget_at(&win->a11y_root, ev->x, ev->y);
	switch (ev->kind) {
	case TK_POINTER_MOTION:
		set_hover(win, hit);
		if (win->pressed) {
			deliver_pointer(win->pressed, ev, NULL);
		}
		break;
	case TK_POINTER_LEAVE:
		set_hover(win, NULL);
		break;
	case TK_POINTER_PRESS: {
		/* Click to focus: the nearest focusable widget under the pointer. */
		for (struct tk_widget *f = hit; f; f = f->parent) {
			if (tk_widget_can_focus(f)) {
				tk_window_set_focus(win, f);
				break;
			}
		}
		struct tk_widget *by = NULL;
		if (deliver_pointer(hit, ev, &by)) {
			win->pressed = by;
		}
		break;
	}
	case TK_POINTER_RELEASE:
		if (win->pressed) {
			struct tk_widget *p = win->pressed;
			win->pressed = NULL;
			deliver_pointer(p, ev, NULL);
		}
		break;
	case TK_POINTER_SCROLL:
		deliver_pointer(hit, ev, NULL);
		break;
	}
}

/* ---- text-input-v3 ---- */

void tk_window_update_text_input(struct tk_window *win) {
	struct tk_app *app = win->app;
	if (!app || !app->text_input || !win->ti_entered) {
		return;
	}
	struct zwp_text_input_v3 *ti = app->text_input;
	struct tk_widget *entry = tk_entry_is(win->focus) ? win->focus : NULL;
	if (!entry) {
		if (win->ti_widget) {
			win->ti_widget = NULL;
			zwp_text_input_v3_disable(ti);
			zwp_text_input_v3_commit(ti);
			app->ti_commits++;
		}
		return;
	}
	if (win->ti_widget != entry) {
		win->ti_widget = entry;
		zwp_text_input_v3_enable(ti);
	}
	const char *text;
	int cursor, anchor, rect[4];
	bool password;
	tk_entry_ime_state(entry, &text, &cursor, &anchor, rect, &password);
	/* The protocol caps a request's text at 4000 bytes: send a window around the caret. */
	size_t len = strlen(text);
	if (len < 4000) {
		zwp_text_input_v3_set_surrounding_text(ti, text, cursor, anchor);
	}
	zwp_text_input_v3_set_text_change_cause(ti, ZWP_TEXT_INPUT_V3_CHANGE_CAUSE_OTHER);
	zwp_text_input_v3_set_content_type(ti,
		password ? ZWP_TEXT_INPUT_V3_CONTENT_HINT_SENSITIVE_DATA | ZWP_TEXT_INPUT_V3_CONTENT_HINT_HIDDEN_TEXT
			: ZWP_TEXT_INPUT_V3_CONTENT_HINT_NONE,
		password ? ZWP_TEXT_INPUT_V3_CONTENT_PURPOSE_PASSWORD : ZWP_TEXT_INPUT_V3_CONTENT_PURPOSE_NORMAL);
	zwp_text_input_v3_set_cursor_rectangle(ti, rect[0], rect[1], rect[2], rect[3]);
	zwp_text_input_v3_commit(ti);
	app->ti_commits++;
}
