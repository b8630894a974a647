/*
 * One line of text for widgets. With fonts/ (TK_HAVE_FONTS) it is a font_layout; until
 * that library is built, cairo's toy text API (fontconfig + FreeType underneath) stands
 * in, so the toolkit works and is tested either way. Positions are logical pixels;
 * rendering happens at the window's scale, never by scaling a bitmap.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "common/alloc.h"
#include "common/log.h"
#include "tk-private.h"

#if TK_HAVE_FONTS
#include "fonts/font.h"
#else
#include <cairo.h>
#endif

struct tk_text {
	char *utf8;
	size_t len;
	double size; // logical px
	bool bold;
	double scale;
	size_t ul_start, ul_end;
#if TK_HAVE_FONTS
	struct font_layout *layout;
#endif
};

/* One shared context while any text lives: fonts are expensive to open. */
static int text_refs;
#if TK_HAVE_FONTS
static struct font_context *font_ctx;
#else
static cairo_surface_t *measure_surface;
static cairo_t *measure_cr;
#endif

static bool shared_ref(void) {
	if (text_refs++ > 0) {
		return true;
	}
#if TK_HAVE_FONTS
	font_ctx = font_context_create();
	if (!font_ctx) {
		lumen_log(LUMEN_ERROR, "no fonts: fontconfig found none");
		text_refs--;
		return false;
	}
#else
	measure_surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
	measure_cr = cairo_create(measure_surface);
#endif
	return true;
}

static void shared_unref(void) {
	if (--text_refs > 0) {
		return;
	}
#if TK_HAVE_FONTS
	font_context_destroy(font_ctx);
	font_ctx = NULL;
#else
	cairo_destroy(measure_cr);
	cairo_surface_destroy(measure_surface);
	measure_cr = NULL;
	measure_surface = NULL;
	/* cairo keeps fontconfig and its font caches for the process otherwise. */
	cairo_debug_reset_static_data();
#endif
}

#if TK_HAVE_FONTS
static void apply_desc(struct tk_text *t) {
	struct font_desc desc = {
		.family = NULL,
		.size = t->size,
		.unit = FONT_SIZE_PX,
		.weight = t->bold ? FONT_WEIGHT_BOLD : FONT_WEIGHT_NORMAL,
	};
	font_layout_set_desc(t->layout, &desc);
}
#else
static void set_cairo_font(cairo_t *cr, const struct tk_text *t) {
	cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
		t->bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, t->size * t->scale);
}

/* Advance of the first n bytes, device pixels. */
static double prefix_advance(const struct tk_text *t, size_t n) {
	if (n == 0) {
		return 0;
	}
	char *s = malloc(n + 1);
	if (!s) {
		abort();
	}
	memcpy(s, t->utf8, n);
	s[n] = '\0';
	set_cairo_font(measure_cr, t);
	cairo_text_extents_t ext;
	cairo_text_extents(measure_cr, s, &ext);
	free(s);
	return ext.x_advance;
}
#endif

struct tk_text *tk_text_create(double size_px, bool bold) {
	if (!shared_ref()) {
		return NULL;
	}
	struct tk_text *t = lumen_xcalloc(1, sizeof(*t));
	t->utf8 = lumen_xstrdup("");
	t->size = size_px;
	t->bold = bold;
	t->scale = 1;
#if TK_HAVE_FONTS
	struct font_desc desc = {0};
	t->layout = font_layout_create(font_ctx, &desc);
	if (!t->layout) {
		abort();
	}
	font_layout_set_wrap(t->layout, FONT_WRAP_NONE);
	apply_desc(t);
#endif
	return t;
}

void tk_text_destroy(struct tk_text *t) {
	if (!t) {
		return;
	}
#if TK_HAVE_FONTS
	font_layout_destroy(t->layout);
#endif
	free(t->utf8);
	free(t);
	shared_unref();
}

void tk_text_set(struct tk_text *t, const char *utf8, size_t len) {
	char *copy = malloc(len + 1);
	if (!copy) {
		abort();
	}
	if (len > 0) {
		memcpy(copy, utf8, len);
	}
	copy[len] = '\0';
	/* The fallback measures NUL-terminated strings: stop at an embedded NUL. */
	free(t->utf8);
	t->utf8 = copy;
	t->len = strlen(copy);
#if TK_HAVE_FONTS
	font_layout_set_text(t->layout, t->utf8, t->len);
#endif
}

void tk_text_set_scale(struct tk_text *t, double scale) {
	t->scale = scale > 0 ? scale : 1;
#if TK_HAVE_FONTS
	font_layout_set_scale(t->layout, t->scale);
#endif
}

void tk_text_set_size(struct tk_text *t, double size_px, bool bold) {
	t->size = size_px;
	t->bold = bold;
#if TK_HAVE_FONTS
	apply_desc(t);
#endif
}

void tk_text_set_underline(struct tk_text *t, size_t start, size_t end) {
	t->ul_start = start;
	t->ul_end = end;
#if TK_HAVE_FONTS
	struct font_attr attr = {
		.type = FONT_ATTR_UNDERLINE, .start = start, .end = end, .value.on = true,
	};
	font_layout_set_attrs(t->layout, &attr, start < end ? 1 : 0);
#endif
}

void tk_text_get_size(struct tk_text *t, double *width, double *height) {
#if TK_HAVE_FONTS
	struct font_layout_metrics m;
	font_layout_get_metrics(t->layout, &m);
	*width = m.width;
	*height = m.height;
#else
	set_cairo_font(measure_cr, t);
	cairo_font_extents_t fe;
	cairo_font_extents(measure_cr, &fe);
	*width = prefix_advance(t, t->len) / t->scale;
	*height = ceil((fe.ascent + fe.descent) / t->scale);
#endif
}

double tk_text_index_to_x(struct tk_text *t, size_t index) {
	if (index > t->len) {
		index = t->len;
	}
#if TK_HAVE_FONTS
	struct font_rect r;
	font_layout_get_caret(t->layout, index, &r, NULL);
	return r.x;
#else
	return prefix_advance(t, index) / t->scale;
#endif
}

size_t tk_text_next_char(struct tk_text *t, size_t index) {
#if TK_HAVE_FONTS
	return font_layout_next_grapheme(t->layout, index);
#else
	if (index >= t->len) {
		return t->len;
	}
	index++;
	while (index < t->len && ((unsigned char)t->utf8[index] & 0xc0) == 0x80) {
		index++;
	}
	return index;
#endif
}

size_t tk_text_prev_char(struct tk_text *t, size_t index) {
#if TK_HAVE_FONTS
	return font_layout_prev_grapheme(t->layout, index);
#else
	if (index == 0) {
		return 0;
	}
	if (index > t->len) {
		index = t->len;
	}
	index--;
	while (index > 0 && ((unsigned char)t->utf8[index] & 0xc0) == 0x80) {
		index--;
	}
	return index;
#endif
}

size_t tk_text_x_to_index(struct tk_text *t, double x) {
#if TK_HAVE_FONTS
	size_t index = 0, trailing = 0;
	font_layout_hit_test(t->layout, x, 0, &index, &trailing);
	return index + trailing;
#else
	size_t best = 0;
	double best_d = fabs(x);
	for (size_t i = tk_text_next_char(t, 0); i <= t->len; i = tk_text_next_char(t, i)) {
		double d = fabs(tk_text_index_to_x(t, i) - x);
		if (d < best_d) {
			best = i;
			best_d = d;
		}
		if (i == t->len) {
			break;
		}
	}
	return best;
#endif
}

void tk_text_render(struct tk_text *t, struct tk_draw *d, double x, double y, uint32_t color) {
#if TK_HAVE_FONTS
	tk_text_set_scale(t, d->scale);
	font_layout_render(t->layout, d->image, x, y, color);
#else
	tk_text_set_scale(t, d->scale);
	if (t->len == 0) {
		return;
	}
	cairo_surface_t *surface = cairo_image_surface_create_for_data(
		(unsigned char *)pixman_image_get_data(d->image), CAIRO_FORMAT_ARGB32,
		pixman_image_get_width(d->image), pixman_image_get_height(d->image),
		pixman_image_get_stride(d->image));
	cairo_t *cr = cairo_create(surface);
	double s = d->scale;
	double cx0 = round(d->clip_x * s), cy0 = round(d->clip_y * s);
	cairo_rectangle(cr, cx0, cy0, round((d->clip_x + d->clip_w) * s) - cx0,
		round((d->clip_y + d->clip_h) * s) - cy0);
	cairo_clip(cr);
	set_cairo_font(cr, t);
	cairo_font_extents_t fe;
	cairo_font_extents(cr, &fe);
	cairo_set_source_rgba(cr, ((color >> 16) & 0xff) / 255.0, ((color >> 8) & 0xff) / 255.0,
		(color & 0xff) / 255.0, ((color >> 24) & 0xff) / 255.0);
	double base = round(y * s + fe.ascent);
	cairo_move_to(cr, round(x * s), base);
	cairo_show_text(cr, t->utf8);
	if (t->ul_start < t->ul_end && t->ul_end <= t->len) {
		double x0 = tk_text_index_to_x(t, t->ul_start), x1 = tk_text_index_to_x(t, t->ul_end);
		double thick = fmax(1, round(s));
		cairo_rectangle(cr, round((x + x0) * s), base + thick, round((x1 - x0) * s), thick);
		cairo_fill(cr);
	}
	cairo_destroy(cr);
	cairo_surface_destroy(surface);
#endif
}
