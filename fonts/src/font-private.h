#ifndef FONTS_FONT_PRIVATE_H
#define FONTS_FONT_PRIVATE_H

#include <fontconfig/fontconfig.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include <fribidi.h>
#include <hb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fonts/font.h"

/* One font file (and face index in a collection), opened once per context. */
struct font_face {
	char *path;
	int index;
	uint32_t id; // cache key; unique per context
	bool loaded, bad;
	FT_Face ft;
	hb_face_t *hb_face;
	hb_font_t *hb_font;
	unsigned int upem;
	bool color;     // has CBDT/sbix bitmaps or COLR layers
	bool colr;      // has COLR layers (drawn by us, layer by layer, in the palette's colours)
	bool scalable;  // outlines; bitmap-only faces are scaled from their strikes
	int fc_weight;  // what fontconfig says, for synthetic bold/oblique
	int fc_slant;
	FT_F26Dot6 ft_size; // size last set with FT_Set_Char_Size (0 = none)
	struct font_face *next;
};

/* The fontconfig sort for one description + language: the fallback chain. */
struct font_fallback {
	char *key;
	FcFontSet *set;
	struct font_face **faces; // set->nfont, NULL until looked at
	struct font_fallback *next;
};

struct glyph_entry;

struct glyph_cache {
	struct glyph_entry **buckets;
	size_t nbuckets;
	struct glyph_entry *lru_head, *lru_tail; // head = most recently used
	size_t bound;
	struct font_cache_stats stats;
};

struct font_context {
	FcConfig *fc;
	FT_Library ft;
	bool lcd_filter;
	struct font_face *faces;
	uint32_t next_face_id;
	struct font_fallback *fallbacks;
	struct glyph_cache cache;
	struct font_options default_opts;
	char *default_lang;
	struct _ThBrk *thbrk; // libthai's dictionary breaker, opened on the first Thai text
	bool thbrk_failed;    // th_brk_new failed once: Thai breaks only where libunibreak says
};

/* A glyph of a shaped item, in visual order within the item; 26.6 device pixels. */
struct font_glyph {
	uint32_t id;
	uint32_t cluster; // codepoint index of the cluster's first character
	int32_t x_advance, x_offset, y_offset;
};

/* A run of text with one face, script, bidi level and style. */
struct font_item {
	size_t cp_start, cp_end;
	struct font_face *face;
	hb_script_t script;
	uint8_t level;
	int weight;
	enum font_slant slant;
	uint32_t color; // 0 = the render colour
	bool underline, strikethrough;
	bool synth_bold, synth_oblique;
	struct font_glyph *glyphs;
	size_t nglyphs;
	int32_t ascent, descent, gap; // 26.6 device pixels
	int32_t size26;               // em size, 26.6 device pixels
};

/* A piece of an item on one line; runs are stored in visual order. */
struct font_run {
	int item; // index into layout->items; -1 for the ellipsis
	size_t cp_start, cp_end;
	uint8_t level;
	int32_t x;     // 26.6 device pixels from the line's start
	int32_t width; // 26.6
};

struct font_line_priv {
	size_t cp_start, cp_end;  // the line's characters, including a final break
	size_t cp_content_end;    // without the hard break
	struct font_run *runs;
	size_t nruns;
	int32_t width; // 26.6, without trailing white space
	int32_t ascent, descent, height; // 26.6, whole pixels
	int32_t y, x;  // 26.6 device: top, and alignment offset
	bool rtl;
	bool soft; // ended by wrapping rather than a hard break or the text end
	size_t cp_shown_end; // where the shown text ends (before an ellipsis)
	bool ellipsis;       // ends in the ellipsis
};

/* A grapheme on a line, in visual order, for carets and hit testing. */
struct font_vis {
	size_t cp_start, cp_end;
	double x0, x1; // device pixels (not 26.6), x0 <= x1
	bool rtl;
};

struct font_layout {
	struct font_context *ctx;
	struct font_desc desc;
	char *family;
	double scale;
	struct font_options opts;
	double width;
	enum font_wrap wrap;
	enum font_ellipsize ellipsize;
	int max_lines;
	enum font_align align;
	enum font_direction dir;
	char *lang;
	hb_feature_t *features;
	unsigned int nfeatures;
	struct font_attr *attrs;
	size_t nattrs;

	char *text;
	size_t len;

	/* Computed by font_layout_update(); valid while !dirty. */
	bool dirty;
	size_t ncp;
	uint32_t *cp;
	size_t *off;      // ncp + 1 byte offsets
	bool *gstart;     // ncp + 1: a grapheme starts here
	char *brks;       // ncp: libunibreak's break after cp i
	char *wbrks;      // ncp: word breaks
	FriBidiLevel *levels;
	bool *para_rtl;   // per cp: the paragraph's direction
	int32_t *cpw;     // per cp: advance of the cluster that starts here, 26.6
	struct font_item *items;
	size_t nitems;
	struct font_glyph ellipsis[8];
	size_t nellipsis;
	struct font_face *ellipsis_face;
	int32_t ellipsis_size26;
	struct font_line_priv *lines;
	size_t nlines;
	struct font_vis **vis; // per line, lazily
	size_t *nvis;
	int32_t **vlead, **vtrail; // per line: cp - line start -> vis index, or -1
	int64_t *psum;             // ncp + 1: prefix sums of cpw
	struct font_layout_metrics metrics;
	struct font_face *primary; // the face metrics of empty lines come from
	int32_t primary_size26;
	int32_t primary_ascent, primary_descent, primary_height;
};

/* context.c */
struct font_face *font_context_face_for(struct font_context *ctx, const struct font_desc *desc,
	const char *family, int weight, enum font_slant slant, const char *lang, uint32_t cp,
	uint32_t next_cp, struct font_face *prev);
struct font_face *font_context_primary_face(struct font_context *ctx, const char *family,
	int weight, enum font_slant slant, const char *lang);
bool font_face_load(struct font_context *ctx, struct font_face *face);
bool font_face_has_char(struct font_face *face, uint32_t cp);
void font_face_set_size(struct font_face *face, int32_t size26);
/** Checks a memory font image the way files are checked before FreeType opens them. */
bool font_check_sfnt(const uint8_t *data, size_t size, int index, char *why, size_t why_len);
/** Opens a face from memory through the same checks as files (for the fuzzer). */
struct font_face *font_face_from_memory(struct font_context *ctx, const uint8_t *data,
	size_t size, int index);
void font_face_destroy(struct font_face *face);

/* glyph-cache.c */
enum glyph_mode {
	GLYPH_MODE_GRAY = 0,
	GLYPH_MODE_MONO,
	GLYPH_MODE_LCD_RGB,
	GLYPH_MODE_LCD_BGR,
};

struct glyph_entry {
	uint32_t face_id, glyph;
	int32_t size26;
	uint8_t subpx, mode, hinting, synth;
	uint32_t fg;           // COLR: the text colour (opaque) its foreground layers take; else 0
	pixman_image_t *image; // NULL for an empty glyph (space)
	int left, top;         // device pixels: image origin relative to the pen position
	bool color;            // premultiplied ARGB to composite as is
	bool component_alpha;
	size_t bytes;
	struct glyph_entry *hnext;
	struct glyph_entry *prev, *next; // LRU
};

void glyph_cache_init(struct glyph_cache *cache, size_t bound);
void glyph_cache_finish(struct glyph_cache *cache);
void glyph_cache_set_bound(struct glyph_cache *cache, size_t bound);
/**
 * The cached glyph, rasterized on a miss; NULL only if it cannot be rasterized. fg is
 * the text colour (0xAARRGGBB, alpha ignored): COLR layers with palette index 0xFFFF
 * take it, so it is part of the key for COLR faces only.
 */
const struct glyph_entry *glyph_cache_get(struct font_context *ctx, struct font_face *face,
	int32_t size26, uint32_t glyph, uint8_t subpx, enum glyph_mode mode,
	enum font_hinting hinting, uint8_t synth, uint32_t fg);

/* layout.c */
void font_layout_update(struct font_layout *layout);
size_t font_layout_byte_to_cp(const struct font_layout *layout, size_t index);
/** Visual graphemes of line i (computed on first use). */
const struct font_vis *font_layout_line_vis(struct font_layout *layout, size_t line, size_t *n);

/* For tests: the items as shaped. */
size_t font_layout_get_items(struct font_layout *layout, const struct font_item **items);
/** Logical cp indices of line's characters in visual order; returns the count written. */
size_t font_layout_visual_order(struct font_layout *layout, size_t line, size_t *out, size_t max);

#endif
