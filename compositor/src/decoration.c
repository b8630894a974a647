/*
 * Server-side decorations: a title bar with the window's title and minimize,
 * maximize and close buttons, and a thin border. The bar is drawn into a buffer of
 * our own at the scale of the view's output (the scene shows it at its logical
 * size): background and buttons with cairo, the title with fonts/ (fallback for
 * every script and colour emoji, shaping, bidi, ellipsized to the room left of the
 * buttons). Redrawn only when title, width, focus or scale change (the view's output
 * is watched for scale changes).
 */
#include <cairo.h>
#include <drm_fourcc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wlr/types/wlr_buffer.h>
#include "common/log.h"
#include "fonts/font.h"
#include "server.h"
#include "xdg-wm-base.h"

#define BORDER 2
#define BUTTON_W 34

struct comp_cairo_buffer {
	struct wlr_buffer base;
	cairo_surface_t *surface;
};

struct comp_decoration {
	struct comp_view *view;
	struct wlr_scene_tree *tree;
	struct wlr_scene_buffer *title; // may be NULL until first drawn
	struct wlr_scene_rect *left, *right, *bottom;
	/* What the title buffer was last drawn for, to skip needless redraws. */
	char *drawn_title;
	int drawn_width;
	bool drawn_focused;
	uint32_t drawn_color;
	double drawn_scale;
	struct font_layout *layout; // the title's, made on first draw
	/* The output whose scale the bar is drawn at, watched for a new scale. */
	struct wlr_output *output;
	struct wl_listener output_commit, output_destroy;
};

/* Titles longer than this (bytes) are cut before layout: no window needs more. */
#define TITLE_MAX 1024

static struct comp_server *deco_server;
/* One font context for every title bar: fontconfig's font list and the glyph cache. */
static struct font_context *deco_fonts;
static bool deco_fonts_failed;

static void cairo_buffer_destroy(struct wlr_buffer *wlr_buffer) {
	struct comp_cairo_buffer *buffer = wl_container_of(wlr_buffer, buffer, base);
	cairo_surface_destroy(buffer->surface);
	free(buffer);
}

static bool cairo_buffer_begin(struct wlr_buffer *wlr_buffer, uint32_t flags, void **data,
		uint32_t *format, size_t *stride) {
	struct comp_cairo_buffer *buffer = wl_container_of(wlr_buffer, buffer, base);
	*data = cairo_image_surface_get_data(buffer->surface);
	*format = DRM_FORMAT_ARGB8888;
	*stride = (size_t)cairo_image_surface_get_stride(buffer->surface);
	return true;
}

static void cairo_buffer_end(struct wlr_buffer *wlr_buffer) {
}

static const struct wlr_buffer_impl cairo_buffer_impl = {
	.destroy = cairo_buffer_destroy,
	.begin_data_ptr_access = cairo_buffer_begin,
	.end_data_ptr_access = cairo_buffer_end,
};

int comp_decoration_title_height(void) {
	return deco_server ? deco_server->config.title_height : 28;
}

int comp_decoration_border(void) {
	return BORDER;
}

void comp_decoration_init(struct comp_server *server) {
	deco_server = server;
}

void comp_decoration_finish(void) {
	font_context_destroy(deco_fonts);
	deco_fonts = NULL;
	deco_fonts_failed = false;
	deco_server = NULL;
}

/* The output the view is shown on: its workspace's. */
static struct wlr_output *view_output(struct comp_view *view) {
	if (view->workspace && view->workspace->output) {
		return view->workspace->output->wlr_output;
	}
	return NULL;
}

static double output_scale(struct wlr_output *output) {
	if (output && output->scale > 0 && output->scale <= 16) {
		return output->scale;
	}
	return 1;
}

static void track_output(struct comp_decoration *deco, struct wlr_output *output);

static void handle_output_commit(struct wl_listener *listener, void *data) {
	struct comp_decoration *deco = wl_container_of(listener, deco, output_commit);
	struct wlr_output_event_commit *event = data;
	if ((event->committed & WLR_OUTPUT_STATE_SCALE) && deco->title &&
			output_scale(deco->output) != deco->drawn_scale) {
		comp_decoration_update(deco);
	}
}

static void handle_output_destroy(struct wl_listener *listener, void *data) {
	struct comp_decoration *deco = wl_container_of(listener, deco, output_destroy);
	track_output(deco, NULL);
}

static void track_output(struct comp_decoration *deco, struct wlr_output *output) {
	if (deco->output == output) {
		return;
	}
	if (deco->output) {
		wl_list_remove(&deco->output_commit.link);
		wl_list_remove(&deco->output_destroy.link);
	}
	deco->output = output;
	if (output) {
		deco->output_commit.notify = handle_output_commit;
		wl_signal_add(&output->events.commit, &deco->output_commit);
		deco->output_destroy.notify = handle_output_destroy;
		wl_signal_add(&output->events.destroy, &deco->output_destroy);
	}
}

/* The title as shown on one line: control characters (line breaks, tabs) as spaces,
 * cut at TITLE_MAX bytes on a character boundary. */
static size_t clean_title(const char *title, char *out) {
	size_t len = strlen(title);
	if (len > TITLE_MAX) {
		len = TITLE_MAX;
		while (len > 0 && (title[len] & 0xc0) == 0x80) {
			len--;
		}
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)title[i];
		out[i] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	out[len] = '\0';
	return len;
}

/* Draws the title into the bar's pixels (device pixels, scale × logical). */
static void draw_title_text(struct comp_decoration *deco, const char *title,
		cairo_surface_t *surface, double scale, double room, bool focused) {
	struct comp_config *config = &deco_server->config;
	if (!deco_fonts && !deco_fonts_failed) {
		deco_fonts = font_context_create();
		if (!deco_fonts) {
			deco_fonts_failed = true;
			lumen_log(LUMEN_ERROR, "no fonts for window titles (fontconfig finds none)");
		}
	}
	if (!deco_fonts) {
		return;
	}
	if (!deco->layout) {
		deco->layout = font_layout_create(deco_fonts, NULL);
		if (!deco->layout) {
			return;
		}
	}
	struct font_layout *layout = deco->layout;
	struct font_desc desc = {
		.family = "sans-serif",
		.size = config->title_height * 0.5,
		.unit = FONT_SIZE_PX,
		.weight = focused ? FONT_WEIGHT_BOLD : FONT_WEIGHT_NORMAL,
	};
	font_layout_set_desc(layout, &desc);
	char text[TITLE_MAX + 1];
	size_t len = clean_title(title, text);
	font_layout_set_text(layout, text, len);
	font_layout_set_scale(layout, scale);
	font_layout_set_wrap(layout, FONT_WRAP_NONE);
	font_layout_set_width(layout, room);
	font_layout_set_ellipsize(layout, FONT_ELLIPSIZE_END);
	font_layout_set_align(layout, FONT_ALIGN_LEFT);
	struct font_layout_metrics m;
	font_layout_get_metrics(layout, &m);

	cairo_surface_flush(surface);
	pixman_image_t *dst = pixman_image_create_bits(PIXMAN_a8r8g8b8,
		cairo_image_surface_get_width(surface), cairo_image_surface_get_height(surface),
		(uint32_t *)cairo_image_surface_get_data(surface),
		cairo_image_surface_get_stride(surface));
	if (!dst) {
		return;
	}
	uint32_t alpha = focused ? 0xff : 0xb3;
	uint32_t color = alpha << 24 | (config->color_text & 0xffffff);
	double y = BORDER + (config->title_height - m.height) / 2.0;
	font_layout_render(layout, dst, BORDER + 10, y, color);
	pixman_image_unref(dst);
	cairo_surface_mark_dirty(surface);
}

static void set_rgb(cairo_t *cr, uint32_t rgb, double alpha) {
	cairo_set_source_rgba(cr, ((rgb >> 16) & 0xff) / 255.0, ((rgb >> 8) & 0xff) / 255.0,
		(rgb & 0xff) / 255.0, alpha);
}

static void rgb_to_float(uint32_t rgb, float out[4]) {
	out[0] = ((rgb >> 16) & 0xff) / 255.0f;
	out[1] = ((rgb >> 8) & 0xff) / 255.0f;
	out[2] = (rgb & 0xff) / 255.0f;
	out[3] = 1.0f;
}

/* Draws the title bar of width w (frame width, logical) into a new buffer of
 * w × h logical pixels at the given scale. */
static struct wlr_buffer *draw_title(struct comp_decoration *deco, const char *title, int w,
		bool focused, double scale) {
	struct comp_config *config = &deco_server->config;
	int h = BORDER + config->title_height;
	int bw = (int)ceil(w * scale), bh = (int)ceil(h * scale);
	struct comp_cairo_buffer *buffer = calloc(1, sizeof(*buffer));
	if (!buffer) {
		return NULL;
	}
	buffer->surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, bw, bh);
	if (cairo_surface_status(buffer->surface) != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(buffer->surface);
		free(buffer);
		return NULL;
	}
	wlr_buffer_init(&buffer->base, &cairo_buffer_impl, bw, bh);

	cairo_t *cr = cairo_create(buffer->surface);
	cairo_scale(cr, (double)bw / w, (double)bh / h);
	uint32_t bg = focused ? config->color_focused : config->color_unfocused;
	set_rgb(cr, bg, 1.0);
	cairo_paint(cr);

	/* Buttons from the right: close, maximize, minimize. */
	double cy = BORDER + config->title_height / 2.0;
	double r = config->title_height * 0.22;
	set_rgb(cr, config->color_text, focused ? 1.0 : 0.7);
	cairo_set_line_width(cr, 2.0);
	double cx = w - BORDER - BUTTON_W / 2.0;
	cairo_move_to(cr, cx - r, cy - r);
	cairo_line_to(cr, cx + r, cy + r);
	cairo_move_to(cr, cx + r, cy - r);
	cairo_line_to(cr, cx - r, cy + r);
	cairo_stroke(cr);
	cx -= BUTTON_W;
	cairo_rectangle(cr, cx - r, cy - r, 2 * r, 2 * r);
	cairo_stroke(cr);
	cx -= BUTTON_W;
	cairo_move_to(cr, cx - r, cy + r);
	cairo_line_to(cr, cx + r, cy + r);
	cairo_stroke(cr);
	cairo_destroy(cr);

	/* The title, ellipsized to the room left of the buttons. */
	double room = w - 2 * BORDER - 3 * BUTTON_W - 12;
	if (room > 0 && *title) {
		draw_title_text(deco, title, buffer->surface, (double)bw / w, room, focused);
	}
	cairo_surface_flush(buffer->surface);
	return &buffer->base;
}

struct comp_decoration *comp_decoration_create(struct comp_view *view) {
	struct comp_decoration *deco = calloc(1, sizeof(*deco));
	if (!deco) {
		return NULL;
	}
	deco->view = view;
	deco->tree = wlr_scene_tree_create(&view->tree->node);
	wlr_scene_node_lower_to_bottom(&deco->tree->node);
	float color[4];
	rgb_to_float(view->server->config.color_unfocused, color);
	deco->left = wlr_scene_rect_create(&deco->tree->node, 0, 0, color);
	deco->right = wlr_scene_rect_create(&deco->tree->node, 0, 0, color);
	deco->bottom = wlr_scene_rect_create(&deco->tree->node, 0, 0, color);
	return deco;
}

void comp_decoration_destroy(struct comp_decoration *deco) {
	if (!deco) {
		return;
	}
	track_output(deco, NULL);
	wlr_scene_node_destroy(&deco->tree->node);
	font_layout_destroy(deco->layout);
	free(deco->drawn_title);
	free(deco);
}

void comp_decoration_update(struct comp_decoration *deco) {
	struct comp_view *view = deco->view;
	bool visible = !view->fullscreen;
	wlr_scene_node_set_enabled(&deco->tree->node, visible);
	if (!visible) {
		return;
	}
	struct wlr_box frame = comp_view_frame_box(view);
	bool focused = view->server->focused_view == view;
	uint32_t color = focused ? view->server->config.color_focused
		: view->server->config.color_unfocused;
	int top = BORDER + comp_decoration_title_height();
	float fcolor[4];
	rgb_to_float(color, fcolor);
	wlr_scene_rect_set_color(deco->left, fcolor);
	wlr_scene_rect_set_color(deco->right, fcolor);
	wlr_scene_rect_set_color(deco->bottom, fcolor);
	wlr_scene_node_set_position(&deco->left->node, 0, top);
	wlr_scene_rect_set_size(deco->left, BORDER, frame.height - top);
	wlr_scene_node_set_position(&deco->right->node, frame.width - BORDER, top);
	wlr_scene_rect_set_size(deco->right, BORDER, frame.height - top);
	wlr_scene_node_set_position(&deco->bottom->node, 0, frame.height - BORDER);
	wlr_scene_rect_set_size(deco->bottom, frame.width, BORDER);

	/* A window whose client stopped answering pings says so first, where an ellipsis
	 * cannot hide it. */
	char shown[TITLE_MAX + 1];
	const char *title = comp_view_title(view);
	if (view->type == COMP_VIEW_XDG_V6 && comp_xdg_toplevel_unresponsive(view->toplevel)) {
		snprintf(shown, sizeof(shown), "Not responding: %s", title);
		title = shown;
	}
	track_output(deco, view_output(view));
	double scale = output_scale(deco->output);
	if (deco->title && deco->drawn_width == frame.width && deco->drawn_focused == focused &&
			deco->drawn_color == color && deco->drawn_scale == scale && deco->drawn_title &&
			strcmp(deco->drawn_title, title) == 0) {
		return;
	}
	if (frame.width <= 0) {
		return;
	}
	struct wlr_buffer *buffer = draw_title(deco, title, frame.width, focused, scale);
	if (!buffer) {
		return;
	}
	/* wlroots 0.15 cannot swap a scene buffer's contents, so the node is replaced. */
	if (deco->title) {
		wlr_scene_node_destroy(&deco->title->node);
	}
	deco->title = wlr_scene_buffer_create(&deco->tree->node, buffer);
	wlr_buffer_drop(buffer);
	if (!deco->title) {
		return;
	}
	/* Shown at its logical size whatever its pixels (scale × that). */
	wlr_scene_buffer_set_dest_size(deco->title, frame.width,
		BORDER + comp_decoration_title_height());
	free(deco->drawn_title);
	deco->drawn_title = strdup(title);
	deco->drawn_width = frame.width;
	deco->drawn_focused = focused;
	deco->drawn_color = color;
	deco->drawn_scale = scale;
}

enum comp_deco_part comp_decoration_part_at(struct comp_decoration *deco, double x, double y) {
	if (!deco) {
		return COMP_DECO_NONE;
	}
	struct wlr_box frame = comp_view_frame_box(deco->view);
	int top = BORDER + comp_decoration_title_height();
	if (x < 0 || y < 0 || x >= frame.width || y >= frame.height) {
		return COMP_DECO_NONE;
	}
	if (y >= BORDER && y < top && x >= BORDER && x < frame.width - BORDER) {
		double from_right = frame.width - BORDER - x;
		if (from_right < BUTTON_W) {
			return COMP_DECO_CLOSE;
		} else if (from_right < 2 * BUTTON_W) {
			return COMP_DECO_MAXIMIZE;
		} else if (from_right < 3 * BUTTON_W) {
			return COMP_DECO_MINIMIZE;
		}
		return COMP_DECO_TITLE;
	}
	return COMP_DECO_BORDER;
}

void comp_view_update_ssd(struct comp_view *view) {
	bool want = view->ssd;
	if (want && !view->decoration) {
		view->decoration = comp_decoration_create(view);
	} else if (!want && view->decoration) {
		comp_decoration_destroy(view->decoration);
		view->decoration = NULL;
	}
	if (view->mapped) {
		/* The frame changed size around the same content: keep the content in place. */
		comp_view_move_to(view, view->x, view->y);
	}
}
