/*
 * The font context: fontconfig configuration, opened faces, fallback chains and the
 * glyph cache. Faces are opened lazily, the first time fallback looks at them, and a
 * face that fails to open (truncated or corrupt file, unsupported format) is marked bad
 * with one logged reason and never tried again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hb-ot.h>
#include "common/log.h"
#include <thai/thbrk.h>
#include "font-private.h"
#include FT_TRUETYPE_TABLES_H
#include FT_LCD_FILTER_H

#define DEFAULT_CACHE_BOUND (16u << 20)

struct font_context *font_context_create(void) {
	struct font_context *ctx = calloc(1, sizeof(*ctx));
	if (!ctx) {
		return NULL;
	}
	/* A configuration of our own rather than fontconfig's global one, so that
	 * destroying the context frees it and other users in the process (cairo) keep
	 * theirs. FONTCONFIG_FILE is read by fontconfig here, as everywhere. */
	ctx->fc = FcInitLoadConfigAndFonts();
	if (!ctx->fc) {
		lumen_log(LUMEN_ERROR, "fontconfig: cannot load its configuration");
		goto fail;
	}
	FcFontSet *all = FcConfigGetFonts(ctx->fc, FcSetSystem);
	FcFontSet *app = FcConfigGetFonts(ctx->fc, FcSetApplication);
	if ((!all || all->nfont == 0) && (!app || app->nfont == 0)) {
		lumen_log(LUMEN_ERROR, "fontconfig: no fonts found");
		goto fail;
	}
	FT_Error err = FT_Init_FreeType(&ctx->ft);
	if (err) {
		lumen_log(LUMEN_ERROR, "FreeType: cannot initialise (error %d)", err);
		ctx->ft = NULL;
		goto fail;
	}
	/* Without the filter LCD rendering has strong colour fringes; FreeType builds
	 * without ClearType-style filtering answer Unimplemented_Feature and use
	 * Harmony instead, which needs no filter. */
	ctx->lcd_filter = FT_Library_SetLcdFilter(ctx->ft, FT_LCD_FILTER_DEFAULT) == 0;
	glyph_cache_init(&ctx->cache, DEFAULT_CACHE_BOUND);
	if (!ctx->cache.buckets) {
		goto fail;
	}
	ctx->next_face_id = 1;
	return ctx;
fail:
	font_context_destroy(ctx);
	return NULL;
}

void font_face_destroy(struct font_face *face) {
	if (!face) {
		return;
	}
	/* FreeType reads the memory that the HarfBuzz face's blob holds: it goes first. */
	if (face->ft) {
		FT_Done_Face(face->ft);
	}
	if (face->hb_font) {
		hb_font_destroy(face->hb_font);
	}
	if (face->hb_face) {
		hb_face_destroy(face->hb_face);
	}
	free(face->path);
	free(face);
}

void font_context_destroy(struct font_context *ctx) {
	if (!ctx) {
		return;
	}
	glyph_cache_finish(&ctx->cache);
	if (ctx->thbrk) {
		th_brk_delete(ctx->thbrk);
	}
	struct font_fallback *fb = ctx->fallbacks;
	while (fb) {
		struct font_fallback *next = fb->next;
		if (fb->set) {
			FcFontSetDestroy(fb->set);
		}
		free(fb->faces);
		free(fb->key);
		free(fb);
		fb = next;
	}
	struct font_face *face = ctx->faces;
	while (face) {
		struct font_face *next = face->next;
		font_face_destroy(face);
		face = next;
	}
	if (ctx->ft) {
		FT_Done_FreeType(ctx->ft);
	}
	if (ctx->fc) {
		FcConfigDestroy(ctx->fc);
	}
	free(ctx->default_lang);
	free(ctx);
}

void font_context_set_default_options(struct font_context *ctx, const struct font_options *opts) {
	ctx->default_opts = *opts;
}

void font_context_set_cache_bound(struct font_context *ctx, size_t bytes) {
	glyph_cache_set_bound(&ctx->cache, bytes);
}

void font_context_get_cache_stats(const struct font_context *ctx, struct font_cache_stats *stats) {
	*stats = ctx->cache.stats;
	stats->bound = ctx->cache.bound;
}

void font_context_reset_cache_stats(struct font_context *ctx) {
	ctx->cache.stats.hits = 0;
	ctx->cache.stats.misses = 0;
	ctx->cache.stats.evictions = 0;
}

static uint32_t read_u32(const uint8_t *p) {
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t read_u16(const uint8_t *p) {
	return (uint16_t)(p[0] << 8 | p[1]);
}

/*
 * FreeType opens a truncated TrueType file and fails (or worse, draws garbage) only
 * when a glyph is loaded from the missing part; checking the table directory against
 * the file's size catches it when the file is opened, with a reason to log.
 */
bool font_check_sfnt(const uint8_t *data, size_t size, int index, char *why, size_t why_len) {
	if (size < 12) {
		snprintf(why, why_len, "file too short (%zu bytes)", size);
		return false;
	}
	uint64_t base = 0;
	uint32_t tag = read_u32(data);
	if (tag == 0x74746366) { // 'ttcf'
		uint32_t nfonts = read_u32(data + 8);
		if (index < 0 || (uint32_t)index >= nfonts || 12 + 4 * (uint64_t)nfonts > size) {
			snprintf(why, why_len, "collection header names %u fonts, face %d missing",
				nfonts, index);
			return false;
		}
		base = read_u32(data + 12 + 4 * (size_t)index);
		if (base + 12 > size) {
			snprintf(why, why_len, "face %d's offset table lies past the end", index);
			return false;
		}
		tag = read_u32(data + base);
	}
	if (tag != 0x00010000 && tag != 0x4f54544f && tag != 0x74727565) { // 1.0 OTTO true
		return true; // not an sfnt (WOFF, Type 1, ...): FreeType's own checks apply
	}
	uint16_t ntables = read_u16(data + base + 4);
	if (base + 12 + 16 * (uint64_t)ntables > size) {
		snprintf(why, why_len, "table directory (%u tables) runs past the end of the file",
			ntables);
		return false;
	}
	for (uint16_t i = 0; i < ntables; i++) {
		const uint8_t *rec = data + base + 12 + 16 * (size_t)i;
		uint64_t offset = read_u32(rec + 8), length = read_u32(rec + 12);
		if (offset + length > size) {
			snprintf(why, why_len,
				"table '%c%c%c%c' (bytes %llu..%llu) lies past the end of the file "
				"(%zu bytes): truncated?",
				rec[0] >= 0x20 && rec[0] < 0x7f ? rec[0] : '?',
				rec[1] >= 0x20 && rec[1] < 0x7f ? rec[1] : '?',
				rec[2] >= 0x20 && rec[2] < 0x7f ? rec[2] : '?',
				rec[3] >= 0x20 && rec[3] < 0x7f ? rec[3] : '?',
				(unsigned long long)offset, (unsigned long long)(offset + length), size);
			return false;
		}
	}
	return true;
}

static bool load_from_blob(struct font_context *ctx, struct font_face *face, hb_blob_t *blob,
		char *why, size_t why_len) {
	unsigned int size = 0;
	const char *data = hb_blob_get_data(blob, &size);
	if (!data || size == 0) {
		snprintf(why, why_len, "empty or unreadable file");
		return false;
	}
	if (!font_check_sfnt((const uint8_t *)data, size, face->index, why, why_len)) {
		return false;
	}
	FT_Error err = FT_New_Memory_Face(ctx->ft, (const FT_Byte *)data, (FT_Long)size,
		face->index, &face->ft);
	if (err) {
		face->ft = NULL;
		snprintf(why, why_len, "FreeType cannot open it (error 0x%02x)", err);
		return false;
	}
	if (face->ft->num_glyphs <= 0) {
		snprintf(why, why_len, "no glyphs");
		return false;
	}
	face->color = FT_HAS_COLOR(face->ft);
	FT_ULong colr_len = 0;
	face->colr = face->color &&
		FT_Load_Sfnt_Table(face->ft, FT_MAKE_TAG('C', 'O', 'L', 'R'), 0, NULL, &colr_len) == 0 &&
		colr_len > 0;
	face->scalable = FT_IS_SCALABLE(face->ft);
	if (!face->scalable && !(face->color && FT_HAS_FIXED_SIZES(face->ft))) {
		snprintf(why, why_len, "bitmap font without outlines or colour strikes");
		return false;
	}
	face->hb_face = hb_face_create(blob, (unsigned int)face->index);
	face->upem = hb_face_get_upem(face->hb_face);
	if (hb_face_get_glyph_count(face->hb_face) == 0 || face->upem < 16 ||
			face->upem > 16384) {
		snprintf(why, why_len, "HarfBuzz reads no glyphs or a bad units-per-em (%u)",
			face->upem);
		return false;
	}
	face->hb_font = hb_font_create(face->hb_face);
	hb_ot_font_set_funcs(face->hb_font);
	return true;
}

static void unload(struct font_face *face) {
	if (face->ft) {
		FT_Done_Face(face->ft);
		face->ft = NULL;
	}
	if (face->hb_font) {
		hb_font_destroy(face->hb_font);
		face->hb_font = NULL;
	}
	if (face->hb_face) {
		hb_face_destroy(face->hb_face);
		face->hb_face = NULL;
	}
}

bool font_face_load(struct font_context *ctx, struct font_face *face) {
	if (face->loaded || face->bad) {
		return face->loaded;
	}
	char why[256] = "";
	hb_blob_t *blob = hb_blob_create_from_file_or_fail(face->path);
	if (!blob) {
		snprintf(why, sizeof(why), "cannot read it");
	} else if (load_from_blob(ctx, face, blob, why, sizeof(why))) {
		hb_blob_destroy(blob); // the face holds its own reference, FreeType our data
		face->loaded = true;
		return true;
	}
	/* FreeType reads the blob's memory, so it goes first. */
	unload(face);
	if (blob) {
		hb_blob_destroy(blob);
	}
	face->bad = true;
	lumen_log(LUMEN_WARN, "skipping font %s (face %d): %s", face->path, face->index, why);
	return false;
}

struct font_face *font_face_from_memory(struct font_context *ctx, const uint8_t *data,
		size_t size, int index) {
	struct font_face *face = calloc(1, sizeof(*face));
	if (!face) {
		return NULL;
	}
	face->path = strdup("(memory)");
	face->index = index;
	face->id = ctx->next_face_id++;
	hb_blob_t *blob = hb_blob_create((const char *)data, (unsigned int)size,
		HB_MEMORY_MODE_DUPLICATE, NULL, NULL);
	char why[256] = "";
	if (!face->path || !load_from_blob(ctx, face, blob, why, sizeof(why))) {
		lumen_log(LUMEN_DEBUG, "memory font rejected: %s", why);
		unload(face);
		hb_blob_destroy(blob);
		font_face_destroy(face);
		return NULL;
	}
	hb_blob_destroy(blob);
	face->loaded = true;
	return face;
}

static struct font_face *face_get(struct font_context *ctx, const char *path, int index) {
	for (struct font_face *f = ctx->faces; f; f = f->next) {
		if (f->index == index && strcmp(f->path, path) == 0) {
			return f;
		}
	}
	struct font_face *face = calloc(1, sizeof(*face));
	if (!face) {
		return NULL;
	}
	face->path = strdup(path);
	if (!face->path) {
		free(face);
		return NULL;
	}
	face->index = index;
	face->id = ctx->next_face_id++;
	face->next = ctx->faces;
	ctx->faces = face;
	return face;
}

void font_face_set_size(struct font_face *face, int32_t size26) {
	if (!face->ft || face->ft_size == size26) {
		return;
	}
	if (face->scalable) {
		FT_Set_Char_Size(face->ft, 0, size26, 72, 72);
	} else {
		/* Colour bitmap fonts: the strike nearest above the size, else the largest;
		 * glyphs are scaled from it when rasterized. */
		int best = 0;
		for (int i = 0; i < face->ft->num_fixed_sizes; i++) {
			FT_Pos s = face->ft->available_sizes[i].y_ppem;
			FT_Pos b = face->ft->available_sizes[best].y_ppem;
			if ((s >= size26 && (b < size26 || s < b)) || (b < size26 && s > b)) {
				best = i;
			}
		}
		FT_Select_Size(face->ft, best);
	}
	face->ft_size = size26;
}

bool font_face_has_char(struct font_face *face, uint32_t cp) {
	hb_codepoint_t g;
	return face->hb_font && hb_font_get_nominal_glyph(face->hb_font, cp, &g);
}

static struct font_fallback *fallback_get(struct font_context *ctx, const char *family,
		int weight, enum font_slant slant, const char *lang) {
	char key[512];
	snprintf(key, sizeof(key), "%s|%d|%d|%s", family ? family : "", weight, (int)slant,
		lang ? lang : "");
	for (struct font_fallback *fb = ctx->fallbacks; fb; fb = fb->next) {
		if (strcmp(fb->key, key) == 0) {
			return fb;
		}
	}
	struct font_fallback *fb = calloc(1, sizeof(*fb));
	if (!fb) {
		return NULL;
	}
	fb->key = strdup(key);
	FcPattern *pat = FcPatternCreate();
	if (!fb->key || !pat) {
		goto fail;
	}
	/* Each comma-separated family in order, then fontconfig's own defaults. */
	const char *p = family && *family ? family : "sans-serif";
	while (*p) {
		while (*p == ' ' || *p == ',') {
			p++;
		}
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		while (n > 0 && p[n - 1] == ' ') {
			n--;
		}
		if (n > 0 && n < 256) {
			char name[256];
			memcpy(name, p, n);
			name[n] = '\0';
			FcPatternAddString(pat, FC_FAMILY, (const FcChar8 *)name);
		}
		p += n;
		while (*p && *p != ',') {
			p++;
		}
	}
	FcPatternAddInteger(pat, FC_WEIGHT, FcWeightFromOpenType(weight));
	FcPatternAddInteger(pat, FC_SLANT, slant == FONT_SLANT_ITALIC ? FC_SLANT_ITALIC
		: slant == FONT_SLANT_OBLIQUE ? FC_SLANT_OBLIQUE : FC_SLANT_ROMAN);
	if (lang && *lang) {
		FcPatternAddString(pat, FC_LANG, (const FcChar8 *)lang);
	}
	FcConfigSubstitute(ctx->fc, pat, FcMatchPattern);
	FcDefaultSubstitute(pat);
	FcResult result;
	fb->set = FcFontSort(ctx->fc, pat, FcTrue, NULL, &result);
	FcPatternDestroy(pat);
	if (!fb->set || fb->set->nfont == 0) {
		lumen_log(LUMEN_ERROR, "fontconfig: no font matches '%s'", key);
		goto fail;
	}
	fb->faces = calloc((size_t)fb->set->nfont, sizeof(*fb->faces));
	if (!fb->faces) {
		goto fail;
	}
	fb->next = ctx->fallbacks;
	ctx->fallbacks = fb;
	return fb;
fail:
	if (fb->set) {
		FcFontSetDestroy(fb->set);
	}
	free(fb->key);
	free(fb);
	return NULL;
}

/* Entry i of the chain, opened; NULL if it is bad. */
static struct font_face *fallback_face(struct font_context *ctx, struct font_fallback *fb,
		int i) {
	if (!fb->faces[i]) {
		FcChar8 *file = NULL;
		int index = 0;
		if (FcPatternGetString(fb->set->fonts[i], FC_FILE, 0, &file) != FcResultMatch) {
			return NULL;
		}
		FcPatternGetInteger(fb->set->fonts[i], FC_INDEX, 0, &index);
		fb->faces[i] = face_get(ctx, (const char *)file, index);
		if (!fb->faces[i]) {
			return NULL;
		}
		int w = FC_WEIGHT_REGULAR, s = FC_SLANT_ROMAN;
		FcPatternGetInteger(fb->set->fonts[i], FC_WEIGHT, 0, &w);
		FcPatternGetInteger(fb->set->fonts[i], FC_SLANT, 0, &s);
		fb->faces[i]->fc_weight = w;
		fb->faces[i]->fc_slant = s;
	}
	return font_face_load(ctx, fb->faces[i]) ? fb->faces[i] : NULL;
}

static bool fc_has_char(struct font_fallback *fb, int i, uint32_t cp) {
	FcCharSet *cs = NULL;
	if (FcPatternGetCharSet(fb->set->fonts[i], FC_CHARSET, 0, &cs) != FcResultMatch) {
		return true; // unknown coverage: let the face itself answer
	}
	return FcCharSetHasChar(cs, cp);
}

static bool fc_is_color(struct font_fallback *fb, int i) {
	FcBool color = FcFalse;
	FcPatternGetBool(fb->set->fonts[i], FC_COLOR, 0, &color);
	return color;
}

struct font_face *font_context_primary_face(struct font_context *ctx, const char *family,
		int weight, enum font_slant slant, const char *lang) {
	struct font_fallback *fb = fallback_get(ctx, family, weight, slant, lang);
	if (!fb) {
		return NULL;
	}
	for (int i = 0; i < fb->set->nfont; i++) {
		struct font_face *face = fallback_face(ctx, fb, i);
		if (face) {
			return face;
		}
	}
	return NULL;
}

static bool is_sticky(uint32_t cp) {
	/* Characters that belong with what precedes them: marks, joiners, variation
	 * selectors, emoji modifiers and tags. */
	if (cp == 0x200c || cp == 0x200d || (cp >= 0xfe00 && cp <= 0xfe0f) ||
			(cp >= 0xe0100 && cp <= 0xe01ef) || (cp >= 0x1f3fb && cp <= 0x1f3ff) ||
			(cp >= 0xe0020 && cp <= 0xe007f) || cp == 0x20e3) {
		return true;
	}
	hb_unicode_general_category_t gc =
		hb_unicode_general_category(hb_unicode_funcs_get_default(), cp);
	return gc == HB_UNICODE_GENERAL_CATEGORY_NON_SPACING_MARK ||
		gc == HB_UNICODE_GENERAL_CATEGORY_SPACING_MARK ||
		gc == HB_UNICODE_GENERAL_CATEGORY_ENCLOSING_MARK;
}

/* Emoji_Presentation=Yes, approximately: the blocks where emoji are shown in colour
 * unless FE0E asks for text. */
static bool is_emoji_presentation(uint32_t cp) {
	return (cp >= 0x1f300 && cp <= 0x1f64f) || (cp >= 0x1f680 && cp <= 0x1f6ff) ||
		(cp >= 0x1f900 && cp <= 0x1faff) || (cp >= 0x1f1e6 && cp <= 0x1f1ff) ||
		cp == 0x231a || cp == 0x231b || (cp >= 0x23e9 && cp <= 0x23ec) || cp == 0x23f0 ||
		cp == 0x23f3 || cp == 0x25fd || cp == 0x25fe || cp == 0x2614 || cp == 0x2615 ||
		(cp >= 0x2648 && cp <= 0x2653) || cp == 0x267f || cp == 0x2693 || cp == 0x26a1 ||
		cp == 0x26aa || cp == 0x26ab || cp == 0x26bd || cp == 0x26be || cp == 0x26c4 ||
		cp == 0x26c5 || cp == 0x26ce || cp == 0x26d4 || cp == 0x26ea || cp == 0x26f2 ||
		cp == 0x26f3 || cp == 0x26f5 || cp == 0x26fa || cp == 0x26fd || cp == 0x2705 ||
		cp == 0x270a || cp == 0x270b || cp == 0x2728 || cp == 0x274c || cp == 0x274e ||
		(cp >= 0x2753 && cp <= 0x2755) || cp == 0x2757 || (cp >= 0x2795 && cp <= 0x2797) ||
		cp == 0x27b0 || cp == 0x27bf || cp == 0x2b1b || cp == 0x2b1c || cp == 0x2b50 ||
		cp == 0x2b55;
}

struct font_face *font_context_face_for(struct font_context *ctx, const struct font_desc *desc,
		const char *family, int weight, enum font_slant slant, const char *lang, uint32_t cp,
		uint32_t next_cp, struct font_face *prev) {
	(void)desc;
	if (prev && (is_sticky(cp) || cp == 0x20 || cp == 0xa0) && font_face_has_char(prev, cp)) {
		return prev;
	}
	if (prev && (cp == 0x200d || (cp >= 0xfe00 && cp <= 0xfe0f) ||
			(cp >= 0xe0020 && cp <= 0xe007f))) {
		return prev; // default ignorables: HarfBuzz hides them in any font
	}
	struct font_fallback *fb = fallback_get(ctx, family, weight, slant, lang);
	if (!fb) {
		return prev;
	}
	hb_script_t script = hb_unicode_script(hb_unicode_funcs_get_default(), cp);
	if (prev && (script == HB_SCRIPT_COMMON || script == HB_SCRIPT_INHERITED) &&
			next_cp != 0xfe0f && font_face_has_char(prev, cp)) {
		return prev; // digits and punctuation stay in the run they are in
	}
	if (next_cp == 0xfe0f || next_cp == 0xfe0e || is_emoji_presentation(cp)) {
		/* Emoji (FE0F, or emoji by default) or text (FE0E) presentation: a face of
		 * that kind first, so a text font's black-and-white smiley does not win. */
		bool want_color = next_cp != 0xfe0e;
		for (int i = 0; i < fb->set->nfont; i++) {
			if (fc_is_color(fb, i) == want_color && fc_has_char(fb, i, cp)) {
				struct font_face *face = fallback_face(ctx, fb, i);
				if (face && font_face_has_char(face, cp)) {
					return face;
				}
			}
		}
	}
	for (int i = 0; i < fb->set->nfont; i++) {
		if (!fc_has_char(fb, i, cp)) {
			continue;
		}
		struct font_face *face = fallback_face(ctx, fb, i);
		if (face && font_face_has_char(face, cp)) {
			return face;
		}
	}
	/* Nobody has it: the previous face (so a run is not split) or the first good one,
	 * which draws its missing-glyph box. */
	if (prev) {
		return prev;
	}
	for (int i = 0; i < fb->set->nfont; i++) {
		struct font_face *face = fallback_face(ctx, fb, i);
		if (face) {
			return face;
		}
	}
	return NULL;
}

bool font_context_get_metrics(struct font_context *ctx, const struct font_desc *desc,
		double scale, double *ascent, double *descent, double *height) {
	struct font_layout *layout = font_layout_create(ctx, desc);
	if (!layout) {
		return false;
	}
	font_layout_set_scale(layout, scale);
	font_layout_update(layout);
	bool ok = layout->primary != NULL;
	if (ok) {
		if (ascent) {
			*ascent = layout->primary_ascent / 64.0 / scale;
		}
		if (descent) {
			*descent = layout->primary_descent / 64.0 / scale;
		}
		if (height) {
			*height = layout->primary_height / 64.0 / scale;
		}
	}
	font_layout_destroy(layout);
	return ok;
}
