/*
 * Server-side decorations: a title bar with the window's title and minimize,
 * maximize and close buttons, and a thin border. Drawn with cairo into a buffer
 * of our own that the scene graph shows; redrawn only when title, width or focus
 * change.
 */
#include <cairo.h>
#include <drm_fourcc.h>
#include <stdlib.h>
#include <string.h>
#include <wlr/types/wlr_buffer.h>
#include "common/log.h"
#include "server.h"

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
};

static struct comp_server *deco_server;

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

/* Draws the title bar of width w (frame width) into a new buffer. */
static struct wlr_buffer *draw_title(struct comp_decoration *deco, int w, bool focused) {
	struct comp_config *config = &deco_server->config;
	int h = BORDER + config->title_height;
	struct comp_cairo_buffer *buffer = calloc(1, sizeof(*buffer));
	if (!buffer) {
		return NULL;
	}
	buffer->surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
	if (cairo_surface_status(buffer->surface) != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(buffer->surface);
		free(buffer);
		return NULL;
	}
	wlr_buffer_init(&buffer->base, &cairo_buffer_impl, w, h);

	cairo_t *cr = cairo_create(buffer->surface);
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

	/* The title, elided to the room left of the buttons. */
	const char *title = comp_view_title(deco->view);
	double room = w - 2 * BORDER - 3 * BUTTON_W - 12;
	if (room > 0 && *title) {
		cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
			focused ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
		cairo_set_font_size(cr, config->title_height * 0.5);
		cairo_font_extents_t fe;
		cairo_font_extents(cr, &fe);
		char text[512];
		snprintf(text, sizeof(text), "%s", title);
		cairo_text_extents_t te;
		cairo_text_extents(cr, text, &te);
		size_t len = strlen(text);
		while (te.x_advance > room && len > 0) {
			/* Drop whole UTF-8 characters, then add an ellipsis. */
			do {
				len--;
			} while (len > 0 && (text[len] & 0xc0) == 0x80);
			snprintf(text + len, sizeof(text) - len, "…");
			cairo_text_extents(cr, text, &te);
		}
		cairo_move_to(cr, BORDER + 10, cy + (fe.ascent - fe.descent) / 2);
		cairo_show_text(cr, text);
	}
	cairo_destroy(cr);
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
	wlr_scene_node_destroy(&deco->tree->node);
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

	const char *title = comp_view_title(view);
	if (deco->title && deco->drawn_width == frame.width && deco->drawn_focused == focused &&
			deco->drawn_color == color && deco->drawn_title &&
			strcmp(deco->drawn_title, title) == 0) {
		return;
	}
	if (frame.width <= 0) {
		return;
	}
	struct wlr_buffer *buffer = draw_title(deco, frame.width, focused);
	if (!buffer) {
		return;
	}
	/* wlroots 0.15 cannot swap a scene buffer's contents, so the node is replaced. */
	if (deco->title) {
		wlr_scene_node_destroy(&deco->title->node);
	}
	deco->title = wlr_scene_buffer_create(&deco->tree->node, buffer);
	wlr_buffer_drop(buffer);
	free(deco->drawn_title);
	deco->drawn_title = strdup(title);
	deco->drawn_width = frame.width;
	deco->drawn_focused = focused;
	deco->drawn_color = color;
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
