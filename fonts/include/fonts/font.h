#ifndef FONTS_FONT_H
#define FONTS_FONT_H

/*
 * Lumen's text library: fontconfig discovery with per-character fallback, HarfBuzz
 * shaping, fribidi bidi, libunibreak line breaking (with libthai's dictionary for Thai
 * words), FreeType rasterizing into a glyph cache (colour glyphs: CBDT/sbix bitmaps and
 * COLRv0 layers), drawing through pixman.
 *
 * Units. Every geometry value in this API (widths, metrics, hit-test points, caret and
 * selection rectangles, render origins) is in *logical* pixels, as doubles. A layout
 * has an output scale (1, 1.5, 2, ...): text is shaped, hinted and rasterized at
 * size × scale device pixels, and font_layout_render() draws into an image whose
 * pixels are device pixels (logical × scale). Text indices are byte offsets into the
 * UTF-8 text given to font_layout_set_text(); invalid UTF-8 bytes are kept and shown
 * as U+FFFD, one byte each, so indices always refer to the caller's bytes.
 *
 * Threads. Nothing here is thread-safe: one font_context per process (or per thread),
 * and its layouts used from that thread only.
 */

#include <pixman.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct font_context;
struct font_layout;

enum font_slant {
	FONT_SLANT_NORMAL = 0,
	FONT_SLANT_ITALIC,
	FONT_SLANT_OBLIQUE,
};

/* CSS / OpenType weights; any value from 1 to 1000 is accepted. */
enum font_weight {
	FONT_WEIGHT_THIN = 100,
	FONT_WEIGHT_LIGHT = 300,
	FONT_WEIGHT_NORMAL = 400,
	FONT_WEIGHT_MEDIUM = 500,
	FONT_WEIGHT_SEMIBOLD = 600,
	FONT_WEIGHT_BOLD = 700,
	FONT_WEIGHT_BLACK = 900,
};

enum font_size_unit {
	FONT_SIZE_PX = 0, // logical pixels (the em size)
	FONT_SIZE_PT,     // points at 96 logical pixels per inch: px = pt * 96 / 72
};

/**
 * What font to use. The caller owns the struct and its family string; the library
 * copies what it keeps. family may be NULL ("sans-serif"), a fontconfig family name,
 * or a comma-separated list ("Cantarell, sans-serif"). Zero-initialised fields mean
 * the defaults: weight 0 is NORMAL, size 0 is 11 pt.
 */
struct font_desc {
	const char *family; // may be NULL
	double size;
	enum font_size_unit unit;
	int weight; // enum font_weight or any 1..1000; 0 = NORMAL
	enum font_slant slant;
};

enum font_antialias {
	FONT_ANTIALIAS_GRAY = 0, // 8-bit coverage
	FONT_ANTIALIAS_SUBPIXEL, // LCD filtered, per-channel coverage (see subpixel order)
	FONT_ANTIALIAS_NONE,     // 1-bit, aliased
};

enum font_subpixel_order {
	FONT_SUBPIXEL_RGB = 0,
	FONT_SUBPIXEL_BGR,
	FONT_SUBPIXEL_NONE, // FONT_ANTIALIAS_SUBPIXEL with NONE renders as GRAY
};

enum font_hinting {
	FONT_HINTING_SLIGHT = 0, // vertical only, glyphs keep subpixel x positions
	FONT_HINTING_NONE,       // unhinted outlines, subpixel x positions
	FONT_HINTING_FULL,       // hinted both ways, advances rounded to device pixels
};

/** How glyphs are rasterized; zero-initialised = gray, RGB, slight. */
struct font_options {
	enum font_antialias antialias;
	enum font_subpixel_order subpixel;
	enum font_hinting hinting;
};

enum font_wrap {
	FONT_WRAP_WORD_CHAR = 0, // at word breaks; inside a word only when it alone is too wide
	FONT_WRAP_WORD,          // at word breaks only (a long word overflows)
	FONT_WRAP_CHAR,          // at any grapheme boundary
	FONT_WRAP_NONE,          // only at hard line breaks ('\n', U+2029)
};

enum font_ellipsize {
	FONT_ELLIPSIZE_NONE = 0,
	FONT_ELLIPSIZE_END, // the last shown line ends in "…" when text is cut
};

enum font_align {
	FONT_ALIGN_START = 0, // left in an LTR paragraph, right in an RTL one
	FONT_ALIGN_END,
	FONT_ALIGN_LEFT,
	FONT_ALIGN_CENTER,
	FONT_ALIGN_RIGHT,
};

enum font_direction {
	FONT_DIRECTION_AUTO = 0, // from each paragraph's first strong character; LTR if none
	FONT_DIRECTION_LTR,
	FONT_DIRECTION_RTL,
};

enum font_attr_type {
	FONT_ATTR_COLOR,         // value.color: 0xAARRGGBB, replaces the render colour
	FONT_ATTR_UNDERLINE,     // value.on: a single underline (e.g. IME preedit)
	FONT_ATTR_STRIKETHROUGH, // value.on
	FONT_ATTR_WEIGHT,        // value.weight: 1..1000
	FONT_ATTR_SLANT,         // value.slant
};

/** A text attribute over the bytes [start, end) of the layout's text. */
struct font_attr {
	enum font_attr_type type;
	size_t start, end;
	union {
		uint32_t color;
		bool on;
		int weight;
		enum font_slant slant;
	} value;
};

struct font_rect {
	double x, y, width, height;
};

/** Whole-layout metrics, logical pixels, relative to the layout's top-left corner. */
struct font_layout_metrics {
	double width;    // widest line's advance (excluding trailing spaces)
	double height;   // sum of line heights; an empty layout is one line high
	double baseline; // first line's baseline, from the top
	double ink_x, ink_y, ink_width, ink_height; // union of the lines' boxes (for now)
	int line_count;  // at least 1
	bool ellipsized; // some text is not shown
	bool wrapped;    // some line was broken at the width, not at a hard break
};

/** One laid-out line: its text range and its box, logical pixels. */
struct font_line {
	size_t start, end;   // bytes [start, end), end includes the trailing line break
	double x, y;         // left edge of the line (after alignment), its top
	double width;        // advance width
	double height;       // line height (ascent + descent + gap)
	double baseline;     // from the layout top
	bool rtl;            // the paragraph's resolved direction
};

/** Glyph cache counters, since the context was created or last reset. */
struct font_cache_stats {
	uint64_t hits, misses, evictions;
	size_t entries;
	size_t bytes; // pixels plus bookkeeping of the cached glyphs
	size_t bound; // bytes kept at most; least recently used glyphs go first
};

/**
 * Creates a font context: a fontconfig configuration (FONTCONFIG_FILE is honoured, as
 * fontconfig does), the faces opened so far and the glyph cache. Create one per process
 * and share it. Returns NULL when fontconfig finds no configuration or no fonts.
 * Destroy with font_context_destroy() after every layout made from it.
 */
struct font_context *font_context_create(void);
/** Frees the context, its faces and its glyph cache. NULL is allowed. */
void font_context_destroy(struct font_context *ctx);

/** The options new layouts start with; the default is zero-initialised options. */
void font_context_set_default_options(struct font_context *ctx, const struct font_options *opts);
/** Sets the glyph cache's byte bound (default 16 MiB); evicts down to it at once. */
void font_context_set_cache_bound(struct font_context *ctx, size_t bytes);
void font_context_get_cache_stats(const struct font_context *ctx, struct font_cache_stats *stats);
/** Zeroes hits, misses and evictions; entries and bytes stay. */
void font_context_reset_cache_stats(struct font_context *ctx);

/**
 * Line metrics of the first font that desc matches, at the given scale, in logical
 * pixels: ascent and descent positive, height = ascent + descent + line gap.
 * Returns false if no font could be loaded.
 */
bool font_context_get_metrics(struct font_context *ctx, const struct font_desc *desc,
	double scale, double *ascent, double *descent, double *height);

/**
 * A layout for one piece of text in one font description, with scale 1 and the
 * context's default options. The layout keeps a pointer to ctx (which must outlive
 * it) and copies desc. Returns NULL on allocation failure.
 */
struct font_layout *font_layout_create(struct font_context *ctx, const struct font_desc *desc);
/** NULL is allowed. */
void font_layout_destroy(struct font_layout *layout);

/*
 * Setters only mark the layout dirty; the work happens on the next getter or render.
 * Each setter copies its arguments.
 */

/** Copies len bytes of text (no NUL needed; len may be 0; text may be NULL if len 0). */
void font_layout_set_text(struct font_layout *layout, const char *text, size_t len);
/** The layout's copy of the text and its length; valid until the next set_text. */
const char *font_layout_get_text(const struct font_layout *layout, size_t *len);
void font_layout_set_desc(struct font_layout *layout, const struct font_desc *desc);
/** Output scale, > 0 (1, 1.25, 1.5, 2, ...). */
void font_layout_set_scale(struct font_layout *layout, double scale);
void font_layout_set_options(struct font_layout *layout, const struct font_options *opts);
/** Width in logical pixels to wrap or ellipsize at; < 0 means unbounded (the default). */
void font_layout_set_width(struct font_layout *layout, double width);
void font_layout_set_wrap(struct font_layout *layout, enum font_wrap wrap);
void font_layout_set_ellipsize(struct font_layout *layout, enum font_ellipsize ellipsize);
/** With ELLIPSIZE_END, at most this many lines are shown (0 = no limit, the default). */
void font_layout_set_max_lines(struct font_layout *layout, int max_lines);
void font_layout_set_align(struct font_layout *layout, enum font_align align);
void font_layout_set_direction(struct font_layout *layout, enum font_direction dir);
/** BCP 47 language for shaping and fallback ("ar", "zh-cn"); NULL = from the locale. */
void font_layout_set_language(struct font_layout *layout, const char *lang);
/**
 * OpenType features in HarfBuzz's syntax, comma-separated ("liga=0,tnum,+kern");
 * NULL or "" for none. Returns false (and keeps the old ones) if one does not parse.
 */
bool font_layout_set_features(struct font_layout *layout, const char *features);
/** Replaces the attribute list with a copy of n attrs (n may be 0). */
void font_layout_set_attrs(struct font_layout *layout, const struct font_attr *attrs, size_t n);

void font_layout_get_metrics(struct font_layout *layout, struct font_layout_metrics *metrics);
/** Number of lines (>= 1) and line i's range and box; false if i is out of range. */
int font_layout_get_line_count(struct font_layout *layout);
bool font_layout_get_line(struct font_layout *layout, int i, struct font_line *line);
/** The line that holds byte index (the last line for index == text length). */
int font_layout_index_to_line(struct font_layout *layout, size_t index);
/** The resolved direction of the paragraph that holds index (LTR or RTL, never AUTO). */
enum font_direction font_layout_get_direction(struct font_layout *layout, size_t index);

/**
 * Draws the layout with its top-left corner at logical (x, y) of dst, whose pixels
 * are device pixels (x, y are multiplied by the layout's scale). color is 0xAARRGGBB,
 * not premultiplied; colour glyphs (emoji) keep their colours and take only its alpha,
 * except COLR layers in the foreground colour (palette index 0xFFFF), which take it all.
 * Clipping: dst's clip region, if set, is honoured. dst should be a8r8g8b8, x8r8g8b8
 * or a8; subpixel antialiasing on an a8 image renders gray.
 */
void font_layout_render(struct font_layout *layout, pixman_image_t *dst, double x, double y,
	uint32_t color);

/**
 * The grapheme under logical point (x, y) (layout coordinates, clamped to the nearest
 * line and to its ends). *index is the grapheme's first byte; *trailing is 0 if the
 * point is on the grapheme's leading half, else its length in bytes, so the caret goes
 * to index + trailing. Returns whether the point is inside the text's lines.
 */
bool font_layout_hit_test(struct font_layout *layout, double x, double y, size_t *index,
	size_t *trailing);
/**
 * Caret rectangles (width 0, line height) for a caret before byte index, which is
 * snapped back to a grapheme boundary. strong is where text in the paragraph's
 * direction would be inserted, weak where text in the other direction would be; they
 * differ only at direction boundaries. Either may be NULL.
 */
void font_layout_get_caret(struct font_layout *layout, size_t index, struct font_rect *strong,
	struct font_rect *weak);
/**
 * Rectangles covering the bytes [start, end) (order does not matter), one or more
 * per line in visual order. Writes at most max of them to rects (may be NULL if max
 * is 0) and returns how many there are in all: call again with more room if larger.
 */
size_t font_layout_get_selection_rects(struct font_layout *layout, size_t start, size_t end,
	struct font_rect *rects, size_t max);
/**
 * The caret index one grapheme to the right (dir > 0) or left (dir < 0) of index on
 * screen, moving to the next or previous line at a line's visual end; index itself at
 * the ends of the text.
 */
size_t font_layout_move_visual(struct font_layout *layout, size_t index, int dir);
/** Logical order: the next / previous grapheme boundary (text length / 0 at the ends). */
size_t font_layout_next_grapheme(struct font_layout *layout, size_t index);
size_t font_layout_prev_grapheme(struct font_layout *layout, size_t index);
/** Logical order: the next word end (dir > 0) or previous word start (dir < 0). */
size_t font_layout_move_word(struct font_layout *layout, size_t index, int dir);

#endif
