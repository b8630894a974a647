/*
 * The glyph cache: rasterized glyphs as pixman images, keyed by (face, size, glyph,
 * subpixel x position, render mode, hinting, synthesis, and for COLR faces the text
 * colour), shared by every layout of a context. Bounded in bytes, least recently used
 * first out.
 *
 * Colour glyphs: CBDT/sbix strikes come from FreeType as BGRA bitmaps (scaled to the
 * wanted size); COLRv0 glyphs are composed here, layer by layer: each layer's outline
 * rendered to coverage and filled with its CPAL colour (palette 0), or the text colour
 * for index 0xFFFF.
 */
#include <stdlib.h>
#include <string.h>
#include "common/log.h"
#include "font-private.h"
#include FT_COLOR_H
#include FT_SYNTHESIS_H

#define NBUCKETS 4096

void glyph_cache_init(struct glyph_cache *cache, size_t bound) {
	memset(cache, 0, sizeof(*cache));
	cache->buckets = calloc(NBUCKETS, sizeof(*cache->buckets));
	cache->nbuckets = cache->buckets ? NBUCKETS : 0;
	cache->bound = bound;
}

static void entry_free(struct glyph_entry *e) {
	if (e->image) {
		pixman_image_unref(e->image);
	}
	free(e);
}

void glyph_cache_finish(struct glyph_cache *cache) {
	struct glyph_entry *e = cache->lru_head;
	while (e) {
		struct glyph_entry *next = e->next;
		entry_free(e);
		e = next;
	}
	free(cache->buckets);
	memset(cache, 0, sizeof(*cache));
}

static size_t hash_key(uint32_t face_id, int32_t size26, uint32_t glyph, uint8_t subpx,
		uint8_t mode, uint8_t hinting, uint8_t synth, uint32_t fg) {
	uint64_t h = face_id * 0x9e3779b97f4a7c15ull;
	h ^= (uint64_t)fg * 0x94d049bb133111ebull;
	h ^= (uint64_t)(uint32_t)size26 * 0xc2b2ae3d27d4eb4full;
	h ^= (uint64_t)glyph * 0x165667b19e3779f9ull;
	h ^= (uint64_t)(subpx | mode << 8 | hinting << 16 | (uint32_t)synth << 24) *
		0x27d4eb2f165667c5ull;
	h ^= h >> 29;
	return (size_t)h;
}

static void lru_unlink(struct glyph_cache *cache, struct glyph_entry *e) {
	if (e->prev) {
		e->prev->next = e->next;
	} else {
		cache->lru_head = e->next;
	}
	if (e->next) {
		e->next->prev = e->prev;
	} else {
		cache->lru_tail = e->prev;
	}
	e->prev = e->next = NULL;
}

static void lru_push_front(struct glyph_cache *cache, struct glyph_entry *e) {
	e->prev = NULL;
	e->next = cache->lru_head;
	if (cache->lru_head) {
		cache->lru_head->prev = e;
	}
	cache->lru_head = e;
	if (!cache->lru_tail) {
		cache->lru_tail = e;
	}
}

static void evict_one(struct glyph_cache *cache) {
	struct glyph_entry *e = cache->lru_tail;
	if (!e) {
		return;
	}
	lru_unlink(cache, e);
	size_t b = hash_key(e->face_id, e->size26, e->glyph, e->subpx, e->mode, e->hinting,
		e->synth, e->fg) % cache->nbuckets;
	struct glyph_entry **pp = &cache->buckets[b];
	while (*pp && *pp != e) {
		pp = &(*pp)->hnext;
	}
	if (*pp) {
		*pp = e->hnext;
	}
	cache->stats.bytes -= e->bytes;
	cache->stats.entries--;
	cache->stats.evictions++;
	entry_free(e);
}

void glyph_cache_set_bound(struct glyph_cache *cache, size_t bound) {
	cache->bound = bound;
	while (cache->stats.bytes > cache->bound && cache->lru_tail) {
		evict_one(cache);
	}
}

static pixman_image_t *image_from_bitmap(const FT_Bitmap *bm, enum glyph_mode mode,
		bool *color, bool *component_alpha) {
	*color = false;
	*component_alpha = false;
	int w = (int)bm->width, h = (int)bm->rows;
	if (bm->pixel_mode == FT_PIXEL_MODE_LCD) {
		w /= 3;
	}
	if (w <= 0 || h <= 0) {
		return NULL;
	}
	pixman_format_code_t fmt = PIXMAN_a8;
	if (bm->pixel_mode == FT_PIXEL_MODE_LCD || bm->pixel_mode == FT_PIXEL_MODE_BGRA) {
		fmt = PIXMAN_a8r8g8b8;
	}
	pixman_image_t *img = pixman_image_create_bits(fmt, w, h, NULL, 0);
	if (!img) {
		return NULL;
	}
	uint8_t *dst = (uint8_t *)pixman_image_get_data(img);
	int stride = pixman_image_get_stride(img);
	for (int y = 0; y < h; y++) {
		const uint8_t *src = bm->buffer + (ptrdiff_t)y * bm->pitch;
		uint8_t *row = dst + (ptrdiff_t)y * stride;
		switch (bm->pixel_mode) {
		case FT_PIXEL_MODE_GRAY:
			memcpy(row, src, (size_t)w);
			break;
		case FT_PIXEL_MODE_MONO:
			for (int x = 0; x < w; x++) {
				row[x] = (src[x >> 3] & (0x80 >> (x & 7))) ? 0xff : 0;
			}
			break;
		case FT_PIXEL_MODE_LCD:
			for (int x = 0; x < w; x++) {
				uint32_t r = src[3 * x], g = src[3 * x + 1], b = src[3 * x + 2];
				if (mode == GLYPH_MODE_LCD_BGR) {
					uint32_t t = r;
					r = b;
					b = t;
				}
				((uint32_t *)row)[x] = g << 24 | r << 16 | g << 8 | b;
			}
			*component_alpha = true;
			break;
		case FT_PIXEL_MODE_BGRA:
			/* Premultiplied BGRA bytes: pixman's a8r8g8b8 on little endian. */
			for (int x = 0; x < w; x++) {
				((uint32_t *)row)[x] = (uint32_t)src[4 * x + 3] << 24 |
					(uint32_t)src[4 * x + 2] << 16 | (uint32_t)src[4 * x + 1] << 8 |
					src[4 * x];
			}
			*color = true;
			break;
		default:
			pixman_image_unref(img);
			return NULL;
		}
	}
	return img;
}

/* A bitmap strike (CBDT emoji) scaled to the wanted size, bilinear. */
static pixman_image_t *scale_image(pixman_image_t *src, double f, int *left, int *top) {
	int sw = pixman_image_get_width(src), sh = pixman_image_get_height(src);
	int w = (int)(sw * f + 0.5), h = (int)(sh * f + 0.5);
	if (w < 1) {
		w = 1;
	}
	if (h < 1) {
		h = 1;
	}
	pixman_image_t *dst = pixman_image_create_bits(PIXMAN_a8r8g8b8, w, h, NULL, 0);
	if (!dst) {
		return NULL;
	}
	pixman_transform_t t;
	pixman_transform_init_scale(&t, pixman_double_to_fixed((double)sw / w),
		pixman_double_to_fixed((double)sh / h));
	pixman_image_set_transform(src, &t);
	pixman_image_set_filter(src, f < 1 ? PIXMAN_FILTER_GOOD : PIXMAN_FILTER_BILINEAR, NULL, 0);
	pixman_image_composite32(PIXMAN_OP_SRC, src, NULL, dst, 0, 0, 0, 0, 0, 0, w, h);
	*left = (int)(*left * f + (*left < 0 ? -0.5 : 0.5));
	*top = (int)(*top * f + (*top < 0 ? -0.5 : 0.5));
	return dst;
}

/* Loads a glyph's outline (with the synthetic oblique and the subpixel shift) into the
 * slot, emboldened if asked. */
static FT_Error load_outline(struct font_face *face, uint32_t glyph, FT_Int32 flags,
		const struct glyph_entry *e) {
	FT_Face ft = face->ft;
	if (face->scalable) {
		FT_Matrix shear = {0x10000, 0x3333, 0, 0x10000}; // x += 0.2 y
		FT_Vector delta = {e->subpx * 16, 0}; // quarter pixels in 26.6
		FT_Set_Transform(ft, (e->synth & 2) ? &shear : NULL, &delta);
	}
	FT_Error err = FT_Load_Glyph(ft, glyph, flags);
	if (face->scalable) {
		FT_Set_Transform(ft, NULL, NULL);
	}
	if (!err && (e->synth & 1) && ft->glyph->format == FT_GLYPH_FORMAT_OUTLINE) {
		FT_GlyphSlot_Embolden(ft->glyph);
	}
	return err;
}

#define COLR_MAX_LAYERS 64

struct colr_layer {
	pixman_image_t *mask; // a8 coverage; NULL for an empty layer
	int left, top;
	uint32_t argb;
};

/*
 * A COLRv0 glyph composed from its layers into premultiplied ARGB. Returns false if
 * the glyph has no layers (it is then drawn as an ordinary glyph in the text colour)
 * or cannot be drawn; *handled tells which.
 */
static bool rasterize_colr(struct font_face *face, struct glyph_entry *e, FT_Int32 flags,
		bool *handled) {
	FT_Face ft = face->ft;
	*handled = false;
	FT_LayerIterator it = {0};
	FT_UInt layer_glyph, color_index;
	struct colr_layer layers[COLR_MAX_LAYERS];
	size_t n = 0;
	FT_Color *palette = NULL;
	FT_Palette_Data pd = {0};
	if (FT_Palette_Data_Get(ft, &pd) != 0 || pd.num_palettes == 0 ||
			FT_Palette_Select(ft, 0, &palette) != 0) {
		palette = NULL;
	}
	bool ok = true;
	while (FT_Get_Color_Glyph_Layer(ft, e->glyph, &layer_glyph, &color_index, &it)) {
		*handled = true;
		if (n == COLR_MAX_LAYERS) {
			lumen_log(LUMEN_DEBUG, "%s: glyph %u has more than %d COLR layers", face->path,
				e->glyph, COLR_MAX_LAYERS);
			break;
		}
		uint32_t argb = e->fg | 0xff000000u;
		if (color_index != 0xffff) {
			if (!palette || color_index >= pd.num_palette_entries) {
				continue; // a bad index: the layer is left out
			}
			const FT_Color *c = &palette[color_index];
			argb = (uint32_t)c->alpha << 24 | (uint32_t)c->red << 16 |
				(uint32_t)c->green << 8 | c->blue;
		}
		if (load_outline(face, layer_glyph, flags & ~FT_LOAD_COLOR, e) != 0) {
			ok = false;
			break;
		}
		FT_GlyphSlot slot = ft->glyph;
		if (slot->format != FT_GLYPH_FORMAT_BITMAP &&
				FT_Render_Glyph(slot, FT_RENDER_MODE_NORMAL) != 0) {
			ok = false;
			break;
		}
		if (slot->bitmap.pixel_mode != FT_PIXEL_MODE_GRAY) {
			continue; // a bitmap-only layer glyph: not in COLRv0 fonts worth drawing
		}
		bool color, ca;
		layers[n] = (struct colr_layer){
			.mask = image_from_bitmap(&slot->bitmap, GLYPH_MODE_GRAY, &color, &ca),
			.left = slot->bitmap_left,
			.top = slot->bitmap_top,
			.argb = argb,
		};
		n++;
	}
	if (!*handled) {
		return false;
	}
	int x0 = INT32_MAX, y0 = INT32_MAX, x1 = INT32_MIN, y1 = INT32_MIN;
	for (size_t i = 0; ok && i < n; i++) {
		if (!layers[i].mask) {
			continue;
		}
		int lx1 = layers[i].left + pixman_image_get_width(layers[i].mask);
		int ly1 = -layers[i].top + pixman_image_get_height(layers[i].mask);
		x0 = layers[i].left < x0 ? layers[i].left : x0;
		y0 = -layers[i].top < y0 ? -layers[i].top : y0;
		x1 = lx1 > x1 ? lx1 : x1;
		y1 = ly1 > y1 ? ly1 : y1;
	}
	if (ok && x1 > x0 && y1 > y0 && (int64_t)(x1 - x0) * (y1 - y0) <= 16 << 20) {
		e->image = pixman_image_create_bits(PIXMAN_a8r8g8b8, x1 - x0, y1 - y0, NULL, 0);
		for (size_t i = 0; e->image && i < n; i++) {
			if (!layers[i].mask) {
				continue;
			}
			uint32_t a = layers[i].argb >> 24;
			pixman_color_t c = {
				.red = (uint16_t)(((layers[i].argb >> 16) & 0xff) * a * 0x101 / 0xff),
				.green = (uint16_t)(((layers[i].argb >> 8) & 0xff) * a * 0x101 / 0xff),
				.blue = (uint16_t)((layers[i].argb & 0xff) * a * 0x101 / 0xff),
				.alpha = (uint16_t)(a * 0x101),
			};
			pixman_image_t *solid = pixman_image_create_solid_fill(&c);
			if (!solid) {
				ok = false;
				break;
			}
			pixman_image_composite32(PIXMAN_OP_OVER, solid, layers[i].mask, e->image, 0, 0,
				0, 0, layers[i].left - x0, -layers[i].top - y0,
				pixman_image_get_width(layers[i].mask), pixman_image_get_height(layers[i].mask));
			pixman_image_unref(solid);
		}
		e->left = x0;
		e->top = -y0;
		e->color = e->image != NULL;
		ok = ok && e->image;
	}
	for (size_t i = 0; i < n; i++) {
		if (layers[i].mask) {
			pixman_image_unref(layers[i].mask);
		}
	}
	return ok;
}

static bool rasterize(struct font_context *ctx, struct font_face *face, struct glyph_entry *e) {
	FT_Face ft = face->ft;
	font_face_set_size(face, e->size26);
	FT_Int32 flags = FT_LOAD_DEFAULT;
	FT_Render_Mode render = FT_RENDER_MODE_NORMAL;
	enum glyph_mode mode = e->mode;
	if (face->color) {
		flags |= FT_LOAD_COLOR;
		mode = GLYPH_MODE_GRAY;
	}
	switch ((enum font_hinting)e->hinting) {
	case FONT_HINTING_NONE:
		flags |= FT_LOAD_NO_HINTING;
		break;
	case FONT_HINTING_SLIGHT:
		flags |= FT_LOAD_TARGET_LIGHT;
		break;
	case FONT_HINTING_FULL:
		flags |= mode == GLYPH_MODE_MONO ? FT_LOAD_TARGET_MONO
			: mode == GLYPH_MODE_GRAY ? FT_LOAD_TARGET_NORMAL : FT_LOAD_TARGET_LCD;
		break;
	}
	if (mode == GLYPH_MODE_MONO) {
		render = FT_RENDER_MODE_MONO;
	} else if (mode == GLYPH_MODE_LCD_RGB || mode == GLYPH_MODE_LCD_BGR) {
		render = FT_RENDER_MODE_LCD;
	}
	if (face->colr) {
		bool handled;
		bool ok = rasterize_colr(face, e, flags, &handled);
		if (handled) {
			return ok;
		}
		flags &= ~FT_LOAD_COLOR; // no layers: an ordinary glyph in the text colour
	}
	if (load_outline(face, e->glyph, flags, e) != 0) {
		return false;
	}
	FT_GlyphSlot slot = ft->glyph;
	if (slot->format != FT_GLYPH_FORMAT_BITMAP) {
		if (FT_Render_Glyph(slot, render)) {
			return false;
		}
	}
	e->left = slot->bitmap_left;
	e->top = slot->bitmap_top;
	bool color, ca;
	e->image = image_from_bitmap(&slot->bitmap, mode, &color, &ca);
	e->color = color;
	e->component_alpha = ca;
	if (e->image && !face->scalable && ft->size->metrics.y_ppem > 0) {
		double f = e->size26 / 64.0 / ft->size->metrics.y_ppem;
		if (f < 0.98 || f > 1.02) {
			pixman_image_t *scaled = scale_image(e->image, f, &e->left, &e->top);
			pixman_image_unref(e->image);
			e->image = scaled;
		}
	}
	if (e->image && e->component_alpha) {
		pixman_image_set_component_alpha(e->image, true);
	}
	return true;
}

const struct glyph_entry *glyph_cache_get(struct font_context *ctx, struct font_face *face,
		int32_t size26, uint32_t glyph, uint8_t subpx, enum glyph_mode mode,
		enum font_hinting hinting, uint8_t synth, uint32_t fg) {
	struct glyph_cache *cache = &ctx->cache;
	if (!face->ft || cache->nbuckets == 0) {
		return NULL;
	}
	if (face->color) {
		mode = GLYPH_MODE_GRAY; // colour glyphs are drawn the same in every mode
		subpx = 0;
	}
	/* Only COLR foreground layers depend on the text colour; its alpha is applied when
	 * the glyph is drawn. */
	fg = face->colr ? (fg & 0xffffff) : 0;
	size_t b = hash_key(face->id, size26, glyph, subpx, (uint8_t)mode, (uint8_t)hinting,
		synth, fg) % cache->nbuckets;
	for (struct glyph_entry *e = cache->buckets[b]; e; e = e->hnext) {
		if (e->face_id == face->id && e->size26 == size26 && e->glyph == glyph &&
				e->subpx == subpx && e->mode == mode && e->hinting == hinting &&
				e->synth == synth && e->fg == fg) {
			cache->stats.hits++;
			if (cache->lru_head != e) {
				lru_unlink(cache, e);
				lru_push_front(cache, e);
			}
			return e;
		}
	}
	cache->stats.misses++;
	struct glyph_entry *e = calloc(1, sizeof(*e));
	if (!e) {
		return NULL;
	}
	e->face_id = face->id;
	e->size26 = size26;
	e->glyph = glyph;
	e->subpx = subpx;
	e->mode = (uint8_t)mode;
	e->hinting = (uint8_t)hinting;
	e->synth = synth;
	e->fg = fg;
	if (!rasterize(ctx, face, e)) {
		/* Cached as empty, so a broken glyph costs one attempt, not one per frame. */
		lumen_log(LUMEN_DEBUG, "%s: glyph %u cannot be rasterized", face->path, glyph);
		if (e->image) {
			pixman_image_unref(e->image);
			e->image = NULL;
		}
	}
	e->bytes = sizeof(*e);
	if (e->image) {
		e->bytes += (size_t)pixman_image_get_stride(e->image) *
			(size_t)pixman_image_get_height(e->image) + 64;
	}
	e->hnext = cache->buckets[b];
	cache->buckets[b] = e;
	lru_push_front(cache, e);
	cache->stats.bytes += e->bytes;
	cache->stats.entries++;
	while (cache->stats.bytes > cache->bound && cache->lru_tail && cache->lru_tail != e) {
		evict_one(cache);
	}
	return e;
}
