/*
 * Drawing a layout: each glyph's cached mask composited through a solid source (or,
 * for colour glyphs, the glyph itself) onto the destination with pixman.
 */
#include <math.h>
#include <stdlib.h>
#include "font-private.h"

static pixman_color_t to_pixman(uint32_t argb) {
	uint32_t a = argb >> 24, r = (argb >> 16) & 0xff, g = (argb >> 8) & 0xff, b = argb & 0xff;
	/* Premultiplied, 16 bits a channel. */
	return (pixman_color_t){
		.red = (uint16_t)(r * a * 0x101 / 0xff),
		.green = (uint16_t)(g * a * 0x101 / 0xff),
		.blue = (uint16_t)(b * a * 0x101 / 0xff),
		.alpha = (uint16_t)(a * 0x101),
	};
}

struct draw {
	struct font_layout *layout;
	pixman_image_t *dst;
	enum glyph_mode mode;
	enum font_hinting hinting;
	pixman_image_t *solid; // the current colour
	pixman_image_t *alpha; // its alpha, for colour glyphs (NULL if opaque)
	uint32_t color;
};

static void set_color(struct draw *d, uint32_t argb) {
	if (d->solid && argb == d->color) {
		return;
	}
	if (d->solid) {
		pixman_image_unref(d->solid);
	}
	if (d->alpha) {
		pixman_image_unref(d->alpha);
		d->alpha = NULL;
	}
	pixman_color_t c = to_pixman(argb);
	d->solid = pixman_image_create_solid_fill(&c);
	if ((argb >> 24) != 0xff) {
		pixman_color_t a = {0, 0, 0, c.alpha};
		d->alpha = pixman_image_create_solid_fill(&a);
	}
	d->color = argb;
}

static void draw_glyph(struct draw *d, struct font_face *face, int32_t size26, uint8_t synth,
		const struct font_glyph *g, int32_t pen26, int32_t base26) {
	int32_t gx = pen26 + g->x_offset;
	int32_t gy = base26 - g->y_offset;
	int32_t ix, subpx;
	if (d->hinting == FONT_HINTING_FULL) {
		ix = (gx + 32) >> 6;
		subpx = 0;
	} else {
		ix = gx >> 6;
		subpx = ((gx & 63) + 8) >> 4; // quarter pixels
		if (subpx == 4) {
			ix++;
			subpx = 0;
		}
	}
	int32_t iy = (gy + 32) >> 6;
	const struct glyph_entry *e = glyph_cache_get(d->layout->ctx, face, size26, g->id,
		(uint8_t)subpx, d->mode, d->hinting, synth, d->color);
	if (!e || !e->image || !d->solid) {
		return;
	}
	int w = pixman_image_get_width(e->image), h = pixman_image_get_height(e->image);
	if (e->color) {
		pixman_image_composite32(PIXMAN_OP_OVER, e->image, d->alpha, d->dst, 0, 0, 0, 0,
			ix + e->left, iy - e->top, w, h);
	} else {
		pixman_image_composite32(PIXMAN_OP_OVER, d->solid, e->image, d->dst, 0, 0, 0, 0,
			ix + e->left, iy - e->top, w, h);
	}
}

static void draw_line_deco(struct draw *d, const struct font_item *item, int32_t x26,
		int32_t w26, int32_t base26) {
	int thickness = item->size26 / 64 / 14;
	if (thickness < 1) {
		thickness = 1;
	}
	int x0 = x26 >> 6, x1 = (x26 + w26 + 63) >> 6;
	int base = (base26 + 32) >> 6;
	if (item->underline) {
		int y = base + (item->descent >> 6) / 3 + 1;
		pixman_image_composite32(PIXMAN_OP_OVER, d->solid, NULL, d->dst, 0, 0, 0, 0, x0, y,
			x1 - x0, thickness);
	}
	if (item->strikethrough) {
		int y = base - (item->ascent >> 6) / 3;
		pixman_image_composite32(PIXMAN_OP_OVER, d->solid, NULL, d->dst, 0, 0, 0, 0, x0, y,
			x1 - x0, thickness);
	}
}

void font_layout_render(struct font_layout *layout, pixman_image_t *dst, double x, double y,
		uint32_t color) {
	font_layout_update(layout);
	if (!dst || layout->nlines == 0) {
		return;
	}
	struct draw d = {.layout = layout, .dst = dst, .hinting = layout->opts.hinting};
	bool a8 = pixman_image_get_format(dst) == PIXMAN_a8;
	switch (layout->opts.antialias) {
	case FONT_ANTIALIAS_NONE:
		d.mode = GLYPH_MODE_MONO;
		break;
	case FONT_ANTIALIAS_SUBPIXEL:
		d.mode = a8 || layout->opts.subpixel == FONT_SUBPIXEL_NONE ? GLYPH_MODE_GRAY
			: layout->opts.subpixel == FONT_SUBPIXEL_BGR ? GLYPH_MODE_LCD_BGR
			: GLYPH_MODE_LCD_RGB;
		break;
	case FONT_ANTIALIAS_GRAY:
	default:
		d.mode = GLYPH_MODE_GRAY;
		break;
	}
	/* The layout's origin in 26.6 device pixels; y on a whole pixel so baselines
	 * (whole pixels from the top) stay on pixel rows. */
	int32_t ox = (int32_t)lround(x * layout->scale * 64.0);
	int32_t oy = (int32_t)lround(y * layout->scale) * 64;
	for (size_t l = 0; l < layout->nlines; l++) {
		const struct font_line_priv *line = &layout->lines[l];
		int32_t base = oy + line->y + line->ascent;
		for (size_t r = 0; r < line->nruns; r++) {
			const struct font_run *run = &line->runs[r];
			int32_t pen = ox + line->x + run->x;
			if (run->item < 0) {
				set_color(&d, color);
				for (size_t g = 0; g < layout->nellipsis; g++) {
					draw_glyph(&d, layout->ellipsis_face, layout->ellipsis_size26, 0,
						&layout->ellipsis[g], pen, base);
					pen += layout->ellipsis[g].x_advance;
				}
				continue;
			}
			const struct font_item *item = &layout->items[run->item];
			set_color(&d, item->color ? item->color : color);
			uint8_t synth = (item->synth_bold ? 1 : 0) | (item->synth_oblique ? 2 : 0);
			int32_t start = pen;
			for (size_t g = 0; g < item->nglyphs; g++) {
				const struct font_glyph *gl = &item->glyphs[g];
				if (gl->cluster < run->cp_start || gl->cluster >= run->cp_end) {
					continue;
				}
				draw_glyph(&d, item->face, item->size26, synth, gl, pen, base);
				pen += gl->x_advance;
			}
			if (item->underline || item->strikethrough) {
				draw_line_deco(&d, item, start, pen - start, base);
			}
		}
	}
	if (d.solid) {
		pixman_image_unref(d.solid);
	}
	if (d.alpha) {
		pixman_image_unref(d.alpha);
	}
}
