/*
 * One line of text for widgets: a font_layout from fonts/. Positions are logical
 * pixels; rendering happens at the window's scale, never by scaling a bitmap.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/alloc.h"
#include "common/log.h"
#include "tk-private.h"
#include "fonts/font.h"

struct tk_text {
	char *utf8;
	size_t len;
	double size; // logical px
	bool bold;
	double scale;
	size_t ul_start, ul_end;
	struct font_layout *layout;
};

/* One shared context while any text lives: fonts are expensive to open. */
static int text_refs;
static struct font_context *font_ctx;
static char font_family[128]; // from the settings; "" = the default sans-serif

void tk_text_set_default_family(const char *family) {
	snprintf(font_family, sizeof(font_family), "%s", family ? family : "");
}

static bool shared_ref(void) {
	if (text_refs++ > 0) {
		return true;
	}
	font_ctx = font_context_create();
	if (!font_ctx) {
		lumen_log(LUMEN_ERROR, "no fonts: fontconfig found none");
		text_refs--;
		return false;
	}
	return true;
}

static void shared_unref(void) {
	if (--text_refs > 0) {
		return;
	}
	font_context_destroy(font_ctx);
	font_ctx = NULL;
}

static void apply_desc(struct tk_text *t) {
	struct font_desc desc = {
		.family = font_family[0] ? font_family : NULL,
		.size = t->size,
		.unit = FONT_SIZE_PX,
		.weight = t->bold ? FONT_WEIGHT_BOLD : FONT_WEIGHT_NORMAL,
	};
	font_layout_set_desc(t->layout, &desc);
}

struct tk_text *tk_text_create(double size_px, bool bold) {
	if (!shared_ref()) {
		return NULL;
	}
	struct tk_text *t = lumen_xcalloc(1, sizeof(*t));
	t->utf8 = lumen_xstrdup("");
	t->size = size_px;
	t->bold = bold;
	t->scale = 1;
	struct font_desc desc = {0};
	t->layout = font_layout_create(font_ctx, &desc);
	if (!t->layout) {
		abort();
	}
	font_layout_set_wrap(t->layout, FONT_WRAP_NONE);
	apply_desc(t);
	return t;
}

void tk_text_destroy(struct tk_text *t) {
	if (!t) {
		return;
	}
	font_layout_destroy(t->layout);
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
	font_layout_set_text(t->layout, t->utf8, t->len);
}

void tk_text_set_scale(struct tk_text *t, double scale) {
	t->scale = scale > 0 ? scale : 1;
	font_layout_set_scale(t->layout, t->scale);
}

void tk_text_set_size(struct tk_text *t, double size_px, bool bold) {
	t->size = size_px;
	t->bold = bold;
	apply_desc(t);
}

void tk_text_set_underline(struct tk_text *t, size_t start, size_t end) {
	t->ul_start = start;
	t->ul_end = end;
	struct font_attr attr = {
		.type = FONT_ATTR_UNDERLINE, .start = start, .end = end, .value.on = true,
	};
	font_layout_set_attrs(t->layout, &attr, start < end ? 1 : 0);
}

void tk_text_get_size(struct tk_text *t, double *width, double *height) {
	struct font_layout_metrics m;
	font_layout_get_metrics(t->layout, &m);
	*width = m.width;
	*height = m.height;
}

double tk_text_index_to_x(struct tk_text *t, size_t index) {
	if (index > t->len) {
		index = t->len;
	}
	struct font_rect r;
	font_layout_get_caret(t->layout, index, &r, NULL);
	return r.x;
}

size_t tk_text_next_char(struct tk_text *t, size_t index) {
	return font_layout_next_grapheme(t->layout, index);
}

size_t tk_text_prev_char(struct tk_text *t, size_t index) {
	return font_layout_prev_grapheme(t->layout, index);
}

size_t tk_text_x_to_index(struct tk_text *t, double x) {
	size_t index = 0, trailing = 0;
	font_layout_hit_test(t->layout, x, 0, &index, &trailing);
	return index + trailing;
}

void tk_text_render(struct tk_text *t, struct tk_draw *d, double x, double y, uint32_t color) {
	tk_text_set_scale(t, d->scale);
	font_layout_render(t->layout, d->image, x, y, color);
}
