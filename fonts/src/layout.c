/*
 * Layout: UTF-8 decoding, grapheme boundaries, line breaks (libunibreak), bidi levels
 * (fribidi), itemizing by face, script, level and style, shaping (HarfBuzz), greedy
 * line filling, ellipsis, bidi reordering of each line's runs, alignment.
 *
 * Thai, which has no spaces between words, breaks where libthai's dictionary finds
 * words, besides where libunibreak allows. Lines are chosen with the widths of the
 * paragraph shaped whole; then an item that a soft break (or the ellipsis) cuts is
 * shaped again in pieces, each without the other's context, as the reader sees it:
 * Arabic takes its final or initial forms at the break. Those pieces may be a little
 * wider or narrower than measured (as in pango). Line heights are ascent + descent of
 * the faces on the line.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <linebreak.h>
#include <thai/thbrk.h>
#include <thai/thwbrk.h>
#include <wchar.h>
#include <wordbreak.h>
#include "common/log.h"
#include "font-private.h"

static const struct font_desc default_desc = {.size = 11, .unit = FONT_SIZE_PT};

static void desc_copy(struct font_layout *layout, const struct font_desc *desc) {
	free(layout->family);
	layout->desc = desc ? *desc : default_desc;
	layout->family = layout->desc.family ? strdup(layout->desc.family) : NULL;
	layout->desc.family = layout->family;
	if (!(layout->desc.size > 0) || layout->desc.size > 10000) {
		layout->desc.size = 11;
		layout->desc.unit = FONT_SIZE_PT;
	}
	if (layout->desc.weight <= 0 || layout->desc.weight > 1000) {
		layout->desc.weight = FONT_WEIGHT_NORMAL;
	}
}

struct font_layout *font_layout_create(struct font_context *ctx, const struct font_desc *desc) {
	static bool lb_initialized;
	if (!lb_initialized) {
		init_linebreak();
		init_wordbreak();
		lb_initialized = true;
	}
	struct font_layout *layout = calloc(1, sizeof(*layout));
	if (!layout) {
		return NULL;
	}
	layout->ctx = ctx;
	desc_copy(layout, desc);
	layout->scale = 1;
	layout->opts = ctx->default_opts;
	layout->width = -1;
	layout->wrap = FONT_WRAP_WORD_CHAR;
	layout->dirty = true;
	return layout;
}

static void clear_computed(struct font_layout *layout) {
	free(layout->cp);
	free(layout->off);
	free(layout->gstart);
	free(layout->brks);
	free(layout->wbrks);
	free(layout->levels);
	free(layout->para_rtl);
	free(layout->cpw);
	for (size_t i = 0; i < layout->nitems; i++) {
		free(layout->items[i].glyphs);
	}
	free(layout->items);
	for (size_t i = 0; i < layout->nlines; i++) {
		free(layout->lines[i].runs);
		if (layout->vis) {
			free(layout->vis[i]);
		}
		if (layout->vlead) {
			free(layout->vlead[i]);
			free(layout->vtrail[i]);
		}
	}
	free(layout->lines);
	free(layout->vis);
	free(layout->nvis);
	free(layout->vlead);
	free(layout->vtrail);
	free(layout->psum);
	layout->vlead = layout->vtrail = NULL;
	layout->psum = NULL;
	layout->cp = NULL;
	layout->off = NULL;
	layout->gstart = NULL;
	layout->brks = layout->wbrks = NULL;
	layout->levels = NULL;
	layout->para_rtl = NULL;
	layout->cpw = NULL;
	layout->items = NULL;
	layout->nitems = 0;
	layout->lines = NULL;
	layout->nlines = 0;
	layout->vis = NULL;
	layout->nvis = NULL;
	layout->ncp = 0;
	layout->nellipsis = 0;
}

void font_layout_destroy(struct font_layout *layout) {
	if (!layout) {
		return;
	}
	clear_computed(layout);
	free(layout->family);
	free(layout->lang);
	free(layout->features);
	free(layout->attrs);
	free(layout->text);
	free(layout);
}

void font_layout_set_text(struct font_layout *layout, const char *text, size_t len) {
	char *copy = malloc(len + 1);
	if (!copy) {
		lumen_log(LUMEN_ERROR, "out of memory for %zu bytes of text", len);
		return;
	}
	if (len > 0) {
		memcpy(copy, text, len);
	}
	copy[len] = '\0';
	free(layout->text);
	layout->text = copy;
	layout->len = len;
	layout->dirty = true;
}

const char *font_layout_get_text(const struct font_layout *layout, size_t *len) {
	if (len) {
		*len = layout->len;
	}
	return layout->text ? layout->text : "";
}

void font_layout_set_desc(struct font_layout *layout, const struct font_desc *desc) {
	desc_copy(layout, desc);
	layout->dirty = true;
}

void font_layout_set_scale(struct font_layout *layout, double scale) {
	if (scale > 0 && scale <= 16) {
		layout->scale = scale;
		layout->dirty = true;
	}
}

void font_layout_set_options(struct font_layout *layout, const struct font_options *opts) {
	layout->opts = *opts;
	layout->dirty = true;
}

void font_layout_set_width(struct font_layout *layout, double width) {
	layout->width = width;
	layout->dirty = true;
}

void font_layout_set_wrap(struct font_layout *layout, enum font_wrap wrap) {
	layout->wrap = wrap;
	layout->dirty = true;
}

void font_layout_set_ellipsize(struct font_layout *layout, enum font_ellipsize ellipsize) {
	layout->ellipsize = ellipsize;
	layout->dirty = true;
}

void font_layout_set_max_lines(struct font_layout *layout, int max_lines) {
	layout->max_lines = max_lines > 0 ? max_lines : 0;
	layout->dirty = true;
}

void font_layout_set_align(struct font_layout *layout, enum font_align align) {
	layout->align = align;
	layout->dirty = true;
}

void font_layout_set_direction(struct font_layout *layout, enum font_direction dir) {
	layout->dir = dir;
	layout->dirty = true;
}

void font_layout_set_language(struct font_layout *layout, const char *lang) {
	free(layout->lang);
	layout->lang = lang ? strdup(lang) : NULL;
	layout->dirty = true;
}

bool font_layout_set_features(struct font_layout *layout, const char *features) {
	hb_feature_t *list = NULL;
	unsigned int n = 0;
	const char *p = features ? features : "";
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		while (len > 0 && *p == ' ') {
			p++;
			len--;
		}
		if (len > 0) {
			hb_feature_t f;
			if (!hb_feature_from_string(p, (int)len, &f)) {
				free(list);
				return false;
			}
			hb_feature_t *bigger = realloc(list, (n + 1) * sizeof(*list));
			if (!bigger) {
				free(list);
				return false;
			}
			list = bigger;
			list[n++] = f;
		}
		p += len;
		if (*p == ',') {
			p++;
		}
	}
	free(layout->features);
	layout->features = list;
	layout->nfeatures = n;
	layout->dirty = true;
	return true;
}

void font_layout_set_attrs(struct font_layout *layout, const struct font_attr *attrs, size_t n) {
	struct font_attr *copy = NULL;
	if (n > 0) {
		copy = calloc(n, sizeof(*copy));
		if (!copy) {
			return;
		}
		memcpy(copy, attrs, n * sizeof(*copy));
	}
	free(layout->attrs);
	layout->attrs = copy;
	layout->nattrs = n;
	layout->dirty = true;
}

/* ---- text analysis ---- */

static size_t decode_utf8(const uint8_t *s, size_t len, size_t i, uint32_t *out) {
	uint8_t c = s[i];
	if (c < 0x80) {
		*out = c;
		return 1;
	}
	int n;
	uint32_t cp, min;
	if ((c & 0xe0) == 0xc0) {
		n = 1, cp = c & 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 2, cp = c & 0x0f, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 3, cp = c & 0x07, min = 0x10000;
	} else {
		*out = 0xfffd;
		return 1;
	}
	if (i + (size_t)n >= len) {
		*out = 0xfffd;
		return 1;
	}
	for (int k = 1; k <= n; k++) {
		if ((s[i + k] & 0xc0) != 0x80) {
			*out = 0xfffd;
			return 1;
		}
		cp = cp << 6 | (s[i + k] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
		*out = 0xfffd;
		return 1;
	}
	*out = cp;
	return (size_t)n + 1;
}

static bool is_para_sep(uint32_t c) {
	return c == '\n' || c == '\r' || c == 0x2029 || c == 0x85 || c == 0x0b || c == 0x0c;
}

static bool is_space(uint32_t c) {
	return c == ' ' || c == '\t' || c == 0x3000 || (c >= 0x2000 && c <= 0x200a) ||
		c == 0x1680 || c == 0x205f;
}

static bool is_extend(uint32_t c) {
	if (c == 0x200c || c == 0x200d || (c >= 0xfe00 && c <= 0xfe0f) ||
			(c >= 0xe0100 && c <= 0xe01ef) || (c >= 0x1f3fb && c <= 0x1f3ff) ||
			(c >= 0xe0020 && c <= 0xe007f) || c == 0x0e33 || c == 0x0eb3) {
		return true;
	}
	hb_unicode_general_category_t gc =
		hb_unicode_general_category(hb_unicode_funcs_get_default(), c);
	return gc == HB_UNICODE_GENERAL_CATEGORY_NON_SPACING_MARK ||
		gc == HB_UNICODE_GENERAL_CATEGORY_SPACING_MARK ||
		gc == HB_UNICODE_GENERAL_CATEGORY_ENCLOSING_MARK;
}

static bool is_pictographic(uint32_t c) {
	return (c >= 0x1f000 && c <= 0x1faff) || (c >= 0x2600 && c <= 0x27bf) ||
		(c >= 0x2300 && c <= 0x23ff) || c == 0x2764 || c == 0x00a9 || c == 0x00ae;
}

static bool is_ri(uint32_t c) {
	return c >= 0x1f1e6 && c <= 0x1f1ff;
}

/* Extended grapheme clusters, UAX #29 without the Hangul and Prepend rules. */
static void find_graphemes(struct font_layout *layout) {
	const uint32_t *cp = layout->cp;
	size_t n = layout->ncp;
	size_t ri_run = 0;
	layout->gstart[0] = true;
	layout->gstart[n] = true;
	for (size_t i = 1; i < n; i++) {
		uint32_t a = cp[i - 1], b = cp[i];
		ri_run = is_ri(a) ? ri_run + 1 : 0;
		bool join;
		if (a == '\r' && b == '\n') {
			join = true;
		} else if (a < 0x20 || a == 0x7f || b < 0x20 || b == 0x7f || is_para_sep(a) ||
				is_para_sep(b)) {
			join = false;
		} else if (is_extend(b)) {
			join = true;
		} else if (a == 0x200d && is_pictographic(b)) {
			join = true;
		} else if (is_ri(a) && is_ri(b)) {
			join = ri_run % 2 == 1;
		} else {
			join = false;
		}
		layout->gstart[i] = !join;
	}
}

size_t font_layout_byte_to_cp(const struct font_layout *layout, size_t index) {
	size_t lo = 0, hi = layout->ncp;
	if (index >= layout->len) {
		return layout->ncp;
	}
	while (lo < hi) { // first cp whose offset >= index
		size_t mid = (lo + hi) / 2;
		if (layout->off[mid] < index) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	if (lo < layout->ncp && layout->off[lo] > index && lo > 0) {
		lo--; // inside a character: its start
	}
	return lo;
}

static int32_t size26_of(const struct font_layout *layout) {
	double px = layout->desc.size * (layout->desc.unit == FONT_SIZE_PT ? 96.0 / 72.0 : 1.0);
	double s = px * layout->scale * 64.0;
	if (s < 64) {
		s = 64;
	}
	if (s > 64.0 * 4096) {
		s = 64.0 * 4096;
	}
	return (int32_t)lround(s);
}

struct style {
	int weight;
	enum font_slant slant;
	uint32_t color;
	bool underline, strikethrough;
};

static void style_at(const struct font_layout *layout, size_t byte, struct style *st) {
	st->weight = layout->desc.weight;
	st->slant = layout->desc.slant;
	st->color = 0;
	st->underline = st->strikethrough = false;
	for (size_t i = 0; i < layout->nattrs; i++) {
		const struct font_attr *a = &layout->attrs[i];
		if (byte < a->start || byte >= a->end) {
			continue;
		}
		switch (a->type) {
		case FONT_ATTR_COLOR:
			st->color = a->value.color;
			break;
		case FONT_ATTR_UNDERLINE:
			st->underline = a->value.on;
			break;
		case FONT_ATTR_STRIKETHROUGH:
			st->strikethrough = a->value.on;
			break;
		case FONT_ATTR_WEIGHT:
			if (a->value.weight > 0 && a->value.weight <= 1000) {
				st->weight = a->value.weight;
			}
			break;
		case FONT_ATTR_SLANT:
			st->slant = a->value.slant;
			break;
		}
	}
}

static bool style_eq(const struct style *a, const struct style *b) {
	return a->weight == b->weight && a->slant == b->slant && a->color == b->color &&
		a->underline == b->underline && a->strikethrough == b->strikethrough;
}

static const char *layout_lang(const struct font_layout *layout) {
	if (layout->lang && *layout->lang) {
		return layout->lang;
	}
	return hb_language_to_string(hb_language_get_default());
}

static bool analyze_bidi(struct font_layout *layout) {
	size_t n = layout->ncp;
	FriBidiCharType *types = calloc(n ? n : 1, sizeof(*types));
	FriBidiBracketType *btypes = calloc(n ? n : 1, sizeof(*btypes));
	if (!types || !btypes) {
		free(types);
		free(btypes);
		return false;
	}
	size_t ps = 0;
	while (ps <= n) {
		size_t pe = ps;
		while (pe < n && !is_para_sep(layout->cp[pe])) {
			pe++;
		}
		FriBidiParType base = layout->dir == FONT_DIRECTION_LTR ? FRIBIDI_PAR_LTR
			: layout->dir == FONT_DIRECTION_RTL ? FRIBIDI_PAR_RTL : FRIBIDI_PAR_ON;
		size_t len = pe - ps;
		bool rtl = base == FRIBIDI_PAR_RTL;
		if (len > 0) {
			const FriBidiChar *str = (const FriBidiChar *)(layout->cp + ps);
			fribidi_get_bidi_types(str, (FriBidiStrIndex)len, types);
			fribidi_get_bracket_types(str, (FriBidiStrIndex)len, types, btypes);
			if (fribidi_get_par_embedding_levels_ex(types, btypes, (FriBidiStrIndex)len,
					&base, layout->levels + ps) == 0) {
				memset(layout->levels + ps, rtl ? 1 : 0, len);
			} else {
				rtl = FRIBIDI_IS_RTL(base);
			}
		}
		for (size_t i = ps; i < pe; i++) {
			layout->para_rtl[i] = rtl;
		}
		/* The separator (and the LF of a CRLF) belong to the paragraph they end. */
		size_t next = pe;
		while (next < n && is_para_sep(layout->cp[next])) {
			layout->levels[next] = rtl ? 1 : 0;
			layout->para_rtl[next] = rtl;
			bool crlf = layout->cp[next] == '\r' && next + 1 < n && layout->cp[next + 1] == '\n';
			next++;
			if (!crlf) {
				break;
			}
		}
		if (pe == n) {
			break;
		}
		ps = next;
		if (ps == n) {
			break; // a final separator: the empty last paragraph has no characters
		}
	}
	free(types);
	free(btypes);
	return true;
}

static hb_script_t *resolve_scripts(const struct font_layout *layout) {
	size_t n = layout->ncp;
	hb_script_t *scripts = calloc(n ? n : 1, sizeof(*scripts));
	if (!scripts) {
		return NULL;
	}
	hb_unicode_funcs_t *uf = hb_unicode_funcs_get_default();
	hb_script_t last = HB_SCRIPT_INVALID;
	for (size_t i = 0; i < n; i++) {
		hb_script_t s = hb_unicode_script(uf, layout->cp[i]);
		if (s == HB_SCRIPT_COMMON || s == HB_SCRIPT_INHERITED || s == HB_SCRIPT_UNKNOWN) {
			s = last;
		} else {
			last = s;
		}
		scripts[i] = s;
	}
	/* Leading neutrals take the first real script; all-neutral text is Latin. */
	hb_script_t next = HB_SCRIPT_LATIN;
	for (size_t i = n; i-- > 0;) {
		if (scripts[i] == HB_SCRIPT_INVALID) {
			scripts[i] = next;
		} else {
			next = scripts[i];
		}
	}
	return scripts;
}

static bool push_item(struct font_layout *layout, size_t *cap, const struct font_item *item) {
	if (layout->nitems == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct font_item *bigger = realloc(layout->items, ncap * sizeof(*bigger));
		if (!bigger) {
			return false;
		}
		layout->items = bigger;
		*cap = ncap;
	}
	layout->items[layout->nitems++] = *item;
	return true;
}

static void face_extents(struct font_face *face, int32_t size26, int32_t *ascent,
		int32_t *descent, int32_t *gap) {
	hb_font_set_scale(face->hb_font, size26, size26);
	hb_font_extents_t ext = {0};
	if (!hb_font_get_h_extents(face->hb_font, &ext) || ext.ascender - ext.descender <= 0) {
		ext.ascender = size26 * 4 / 5;
		ext.descender = -size26 / 5;
		ext.line_gap = 0;
	}
	/* Whole device pixels, so baselines land on pixel rows. */
	*ascent = (ext.ascender + 63) & ~63;
	*descent = (-ext.descender + 63) & ~63;
	*gap = ext.line_gap > 0 ? (ext.line_gap + 32) & ~63 : 0;
}

/* Shapes item with the text [ctx_start, ctx_end) around it as context; cstart (may be
 * NULL) gets the first character of each cluster. */
static bool shape_item(struct font_layout *layout, struct font_item *item, hb_buffer_t *buf,
		const uint32_t *shape_cp, size_t ctx_start, size_t ctx_end, bool *cstart) {
	struct font_face *face = item->face;
	hb_buffer_clear_contents(buf);
	hb_buffer_add_codepoints(buf, shape_cp + ctx_start, (int)(ctx_end - ctx_start),
		(unsigned int)(item->cp_start - ctx_start), (int)(item->cp_end - item->cp_start));
	hb_buffer_set_direction(buf, (item->level & 1) ? HB_DIRECTION_RTL : HB_DIRECTION_LTR);
	hb_buffer_set_script(buf, item->script);
	hb_buffer_set_language(buf, hb_language_from_string(layout_lang(layout), -1));
	hb_font_set_scale(face->hb_font, item->size26, item->size26);
	hb_shape(face->hb_font, buf, layout->features, layout->nfeatures);
	unsigned int n = 0;
	hb_glyph_info_t *info = hb_buffer_get_glyph_infos(buf, &n);
	hb_glyph_position_t *pos = hb_buffer_get_glyph_positions(buf, NULL);
	item->glyphs = calloc(n ? n : 1, sizeof(*item->glyphs));
	if (!item->glyphs) {
		return false;
	}
	item->nglyphs = n;
	bool full = layout->opts.hinting == FONT_HINTING_FULL;
	for (unsigned int i = 0; i < n; i++) {
		struct font_glyph *g = &item->glyphs[i];
		g->id = info[i].codepoint;
		g->cluster = info[i].cluster + (uint32_t)ctx_start;
		if (g->cluster < item->cp_start || g->cluster >= item->cp_end) {
			g->cluster = (uint32_t)item->cp_start; // cannot happen; stay in range
		}
		g->x_advance = full ? (pos[i].x_advance + 32) & ~63 : pos[i].x_advance;
		g->x_offset = pos[i].x_offset;
		g->y_offset = pos[i].y_offset;
		layout->cpw[g->cluster] += g->x_advance;
		if (cstart) {
			cstart[g->cluster] = true;
		}
	}
	face_extents(face, item->size26, &item->ascent, &item->descent, &item->gap);
	return true;
}

static bool itemize_and_shape(struct font_layout *layout) {
	size_t n = layout->ncp;
	hb_script_t *scripts = resolve_scripts(layout);
	uint32_t *shape_cp = calloc(n ? n : 1, sizeof(*shape_cp));
	bool *cstart = calloc(n + 1, sizeof(*cstart));
	hb_buffer_t *buf = hb_buffer_create();
	bool ok = scripts && shape_cp && cstart && hb_buffer_allocation_successful(buf);
	size_t cap = 0;
	const char *lang = layout_lang(layout);
	struct font_face *prev = NULL;
	struct font_item cur = {0};
	bool open = false;
	int32_t size26 = size26_of(layout);
	for (size_t i = 0; ok && i < n; i++) {
		uint32_t c = layout->cp[i];
		shape_cp[i] = c == '\t' ? ' ' : c;
		if (is_para_sep(c)) {
			if (open) {
				ok = push_item(layout, &cap, &cur);
				open = false;
			}
			cstart[i] = true;
			continue;
		}
		struct style st;
		style_at(layout, layout->off[i], &st);
		uint32_t next = i + 1 < n ? layout->cp[i + 1] : 0;
		struct font_face *face = font_context_face_for(layout->ctx, &layout->desc,
			layout->family, st.weight, st.slant, lang, c, next,
			open && cur.weight == st.weight && cur.slant == st.slant ? prev : NULL);
		if (!face) {
			ok = false;
			break;
		}
		struct style cur_st = {cur.weight, cur.slant, cur.color, cur.underline,
			cur.strikethrough};
		if (open && (face != cur.face || scripts[i] != cur.script ||
				layout->levels[i] != cur.level || !style_eq(&st, &cur_st))) {
			ok = push_item(layout, &cap, &cur);
			open = false;
		}
		if (!open) {
			memset(&cur, 0, sizeof(cur));
			cur.cp_start = i;
			cur.face = face;
			cur.script = scripts[i];
			cur.level = layout->levels[i];
			cur.weight = st.weight;
			cur.slant = st.slant;
			cur.color = st.color;
			cur.underline = st.underline;
			cur.strikethrough = st.strikethrough;
			cur.size26 = size26;
			/* Synthesize what the face lacks: bold from a regular, oblique from upright. */
			cur.synth_bold = st.weight >= 600 && face->fc_weight < FC_WEIGHT_DEMIBOLD &&
				face->scalable;
			cur.synth_oblique = st.slant != FONT_SLANT_NORMAL &&
				face->fc_slant == FC_SLANT_ROMAN && face->scalable;
			open = true;
		}
		cur.cp_end = i + 1;
		prev = face;
	}
	if (ok && open) {
		ok = push_item(layout, &cap, &cur);
	}
	for (size_t i = 0; ok && i < layout->nitems; i++) {
		ok = shape_item(layout, &layout->items[i], buf, shape_cp, 0, n, cstart);
	}
	/* A break or caret never splits a cluster: graphemes inside one merge. */
	for (size_t i = 0; ok && i < n; i++) {
		if (!cstart[i]) {
			layout->gstart[i] = false;
		}
	}
	hb_buffer_destroy(buf);
	free(cstart);
	free(shape_cp);
	free(scripts);
	return ok;
}

/* ---- lines ---- */

static int32_t range_width(const struct font_layout *layout, size_t a, size_t b) {
	int64_t w = 0;
	if (layout->psum) {
		w = layout->psum[b] - layout->psum[a];
	} else {
		for (size_t i = a; i < b; i++) {
			w += layout->cpw[i];
		}
	}
	return w > INT32_MAX ? INT32_MAX : w < INT32_MIN ? INT32_MIN : (int32_t)w;
}

static size_t trim_trailing(const struct font_layout *layout, size_t a, size_t b) {
	while (b > a && (is_space(layout->cp[b - 1]) || is_para_sep(layout->cp[b - 1]))) {
		b--;
	}
	return b;
}

static bool can_break_before(const struct font_layout *layout, size_t i) {
	return i > 0 && layout->gstart[i] && layout->brks[i - 1] == LINEBREAK_ALLOWBREAK;
}

static int item_at(const struct font_layout *layout, size_t cp) {
	size_t lo = 0, hi = layout->nitems;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (layout->items[mid].cp_end <= cp) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	if (lo < layout->nitems && layout->items[lo].cp_start <= cp) {
		return (int)lo;
	}
	return -1;
}

static bool shape_ellipsis(struct font_layout *layout, struct font_face *face) {
	if (layout->nellipsis > 0) {
		return true;
	}
	hb_buffer_t *buf = hb_buffer_create();
	static const uint32_t ell[] = {0x2026}, dots[] = {'.', '.', '.'};
	struct font_face *use = face;
	if (!use || !font_face_has_char(use, 0x2026)) {
		struct font_face *f = font_context_face_for(layout->ctx, &layout->desc,
			layout->family, layout->desc.weight, layout->desc.slant, layout_lang(layout),
			0x2026, 0, NULL);
		if (f && font_face_has_char(f, 0x2026)) {
			use = f;
		}
	}
	if (!use) {
		hb_buffer_destroy(buf);
		return false;
	}
	bool have = font_face_has_char(use, 0x2026);
	hb_buffer_add_codepoints(buf, have ? ell : dots, have ? 1 : 3, 0, -1);
	hb_buffer_guess_segment_properties(buf);
	hb_buffer_set_direction(buf, HB_DIRECTION_LTR);
	int32_t size26 = size26_of(layout);
	hb_font_set_scale(use->hb_font, size26, size26);
	hb_shape(use->hb_font, buf, NULL, 0);
	unsigned int n = 0;
	hb_glyph_info_t *info = hb_buffer_get_glyph_infos(buf, &n);
	hb_glyph_position_t *pos = hb_buffer_get_glyph_positions(buf, NULL);
	for (unsigned int i = 0; i < n && i < 8; i++) {
		layout->ellipsis[i] = (struct font_glyph){
			.id = info[i].codepoint,
			.x_advance = pos[i].x_advance,
			.x_offset = pos[i].x_offset,
			.y_offset = pos[i].y_offset,
		};
	}
	layout->nellipsis = n < 8 ? n : 8;
	layout->ellipsis_face = use;
	layout->ellipsis_size26 = size26;
	hb_buffer_destroy(buf);
	return true;
}

static int32_t ellipsis_width(const struct font_layout *layout) {
	int32_t w = 0;
	for (size_t i = 0; i < layout->nellipsis; i++) {
		w += layout->ellipsis[i].x_advance;
	}
	return w;
}

static bool add_run(struct font_line_priv *line, size_t *cap, const struct font_run *run) {
	if (line->nruns == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		struct font_run *bigger = realloc(line->runs, ncap * sizeof(*bigger));
		if (!bigger) {
			return false;
		}
		line->runs = bigger;
		*cap = ncap;
	}
	line->runs[line->nruns++] = *run;
	return true;
}

/* Reverses every maximal sequence of runs at level >= k, from the highest level down
 * to the lowest odd one (rule L2). */
static void reorder_runs(struct font_run *runs, size_t n) {
	uint8_t max = 0, min_odd = UINT8_MAX;
	for (size_t i = 0; i < n; i++) {
		if (runs[i].level > max) {
			max = runs[i].level;
		}
		if ((runs[i].level & 1) && runs[i].level < min_odd) {
			min_odd = runs[i].level;
		}
	}
	for (int k = max; k >= (int)min_odd && k > 0; k--) {
		size_t i = 0;
		while (i < n) {
			if (runs[i].level < k) {
				i++;
				continue;
			}
			size_t j = i;
			while (j < n && runs[j].level >= k) {
				j++;
			}
			for (size_t a = i, b = j - 1; a < b; a++, b--) {
				struct font_run t = runs[a];
				runs[a] = runs[b];
				runs[b] = t;
			}
			i = j;
		}
	}
}

/* Builds the runs of a line showing [a, shown_end), plus the ellipsis if asked. */
static bool build_runs(struct font_layout *layout, struct font_line_priv *line, size_t a,
		size_t shown_end, bool ellipsis) {
	size_t cap = 0;
	line->cp_shown_end = shown_end;
	line->ellipsis = ellipsis;
	uint8_t base = line->rtl ? 1 : 0;
	size_t content_end = shown_end;
	while (content_end > a && is_para_sep(layout->cp[content_end - 1])) {
		content_end--;
	}
	size_t ws = trim_trailing(layout, a, content_end); // white space from here: base level
	size_t i = a;
	while (i < content_end) {
		int it = item_at(layout, i);
		if (it < 0) {
			i++;
			continue;
		}
		const struct font_item *item = &layout->items[it];
		size_t end = item->cp_end < content_end ? item->cp_end : content_end;
		uint8_t level = item->level;
		if (i < ws && end > ws) {
			end = ws;
		} else if (i >= ws) {
			level = base;
		}
		struct font_run run = {.item = it, .cp_start = i, .cp_end = end, .level = level,
			.width = range_width(layout, i, end)};
		if (!add_run(line, &cap, &run)) {
			return false;
		}
		i = end;
	}
	if (ellipsis && layout->nellipsis > 0) {
		struct font_run run = {.item = -1, .cp_start = shown_end,
			.cp_end = line->cp_content_end, .level = base, .width = ellipsis_width(layout)};
		if (!add_run(line, &cap, &run)) {
			return false;
		}
	}
	reorder_runs(line->runs, line->nruns);
	int32_t x = 0;
	for (size_t r = 0; r < line->nruns; r++) {
		line->runs[r].x = x;
		x += line->runs[r].width;
	}
	line->width = range_width(layout, a, ws) + (ellipsis ? ellipsis_width(layout) : 0);
	/* Heights from the faces on the line, at least the primary face's. */
	line->ascent = layout->primary_ascent;
	line->descent = layout->primary_descent;
	for (size_t r = 0; r < line->nruns; r++) {
		if (line->runs[r].item < 0) {
			continue;
		}
		const struct font_item *item = &layout->items[line->runs[r].item];
		if (item->ascent > line->ascent) {
			line->ascent = item->ascent;
		}
		if (item->descent > line->descent) {
			line->descent = item->descent;
		}
	}
	line->height = line->ascent + line->descent;
	return true;
}

static bool push_line(struct font_layout *layout, size_t *cap, size_t a, size_t b,
		size_t content_end, bool soft, bool force_ellipsis, int32_t max_w) {
	if (layout->nlines == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		struct font_line_priv *bigger = realloc(layout->lines, ncap * sizeof(*bigger));
		if (!bigger) {
			return false;
		}
		layout->lines = bigger;
		*cap = ncap;
	}
	struct font_line_priv *line = &layout->lines[layout->nlines++];
	memset(line, 0, sizeof(*line));
	line->cp_start = a;
	line->cp_end = b;
	line->cp_content_end = content_end;
	line->soft = soft;
	line->rtl = a < layout->ncp ? layout->para_rtl[a]
		: (a > 0 ? layout->para_rtl[a - 1] && !is_para_sep(layout->cp[a - 1])
			: layout->dir == FONT_DIRECTION_RTL);
	if (a >= layout->ncp && layout->dir == FONT_DIRECTION_RTL) {
		line->rtl = true;
	}
	int32_t w = range_width(layout, a, trim_trailing(layout, a, content_end));
	bool ellipsize = layout->ellipsize == FONT_ELLIPSIZE_END && max_w < INT32_MAX &&
		(force_ellipsis || w > max_w);
	if (!ellipsize) {
		return build_runs(layout, line, a, content_end, false);
	}
	int it = item_at(layout, a);
	if (!shape_ellipsis(layout, it >= 0 ? layout->items[it].face : layout->primary)) {
		return build_runs(layout, line, a, content_end, false);
	}
	int32_t room = max_w - ellipsis_width(layout);
	size_t cut = a;
	int32_t acc = 0;
	for (size_t i = a; i < content_end; i++) {
		acc += layout->cpw[i];
		if (i + 1 <= content_end && layout->gstart[i + 1] && acc <= room) {
			cut = i + 1;
		}
		if (acc > room) {
			break;
		}
	}
	layout->metrics.ellipsized = true;
	return build_runs(layout, line, a, cut, true);
}

static bool break_lines(struct font_layout *layout) {
	size_t n = layout->ncp;
	size_t cap = 0;
	int32_t max_w = INT32_MAX;
	if (layout->width >= 0) {
		double w = layout->width * layout->scale * 64.0;
		max_w = w > INT32_MAX ? INT32_MAX : (int32_t)w;
	}
	bool wrap = layout->wrap != FONT_WRAP_NONE && max_w < INT32_MAX;
	int max_lines = layout->ellipsize == FONT_ELLIPSIZE_END ? layout->max_lines : 0;
	size_t ps = 0;
	while (true) {
		size_t pe = ps;
		while (pe < n && !is_para_sep(layout->cp[pe])) {
			pe++;
		}
		size_t next = pe;
		if (next < n) {
			next += (layout->cp[next] == '\r' && next + 1 < n && layout->cp[next + 1] == '\n')
				? 2 : 1;
		}
		size_t pos = ps;
		do {
			bool last_allowed = max_lines > 0 && (int)layout->nlines == max_lines - 1;
			size_t end = pe;
			if (wrap && !last_allowed) {
				int32_t acc = 0;
				size_t last_break = 0, last_fit = 0;
				for (size_t i = pos; i < pe; i++) {
					if (i > pos && can_break_before(layout, i) &&
							layout->wrap != FONT_WRAP_CHAR) {
						if (range_width(layout, pos, trim_trailing(layout, pos, i)) <= max_w) {
							last_break = i;
						}
					}
					if (i > pos && layout->gstart[i] && acc <= max_w) {
						last_fit = i;
					}
					acc = range_width(layout, pos, trim_trailing(layout, pos, i + 1));
					if (acc > max_w) {
						if (last_break > pos) {
							end = last_break;
						} else if (layout->wrap != FONT_WRAP_WORD && last_fit > pos) {
							end = last_fit;
						} else if (layout->wrap != FONT_WRAP_WORD) {
							/* Not even one grapheme fits: one per line. */
							size_t g = i + 1;
							while (g < pe && !layout->gstart[g]) {
								g++;
							}
							end = g;
						} else {
							/* WORD: overflow to the next break opportunity. */
							size_t g = i + 1;
							while (g < pe && !can_break_before(layout, g)) {
								g++;
							}
							end = g;
						}
						break;
					}
				}
			}
			bool soft = end < pe;
			bool more_after = soft || next < n || (next == n && pe < n);
			if (last_allowed && more_after) {
				/* The last line shown: the rest of the text is cut at its end. */
				if (!push_line(layout, &cap, pos, n, pe, false, true, max_w)) {
					return false;
				}
				layout->metrics.ellipsized = true;
				return true;
			}
			if (soft) {
				layout->metrics.wrapped = true;
			}
			if (!push_line(layout, &cap, pos, soft ? end : next, end, soft, false, max_w)) {
				return false;
			}
			pos = end;
		} while (pos < pe);
		if (pe >= n) {
			break;
		}
		ps = next;
		if (ps >= n) {
			/* Text ending in a line break: an empty last line, as editors show. */
			if (max_lines > 0 && (int)layout->nlines >= max_lines) {
				break;
			}
			if (!push_line(layout, &cap, n, n, n, false, false, max_w)) {
				return false;
			}
			break;
		}
	}
	return true;
}

/* The points where a soft break or an ellipsis cuts the text, ascending, no repeats. */
static size_t cut_points(const struct font_layout *layout, size_t *cuts) {
	size_t n = 0;
	for (size_t i = 0; i < layout->nlines; i++) {
		const struct font_line_priv *line = &layout->lines[i];
		size_t at[2] = {SIZE_MAX, SIZE_MAX};
		if (line->ellipsis && line->cp_shown_end > line->cp_start) {
			at[0] = line->cp_shown_end;
		}
		if (line->soft && line->cp_end < layout->ncp) {
			at[1] = line->cp_end;
		}
		for (int k = 0; k < 2; k++) {
			if (at[k] != SIZE_MAX && (n == 0 || at[k] > cuts[n - 1])) {
				cuts[n++] = at[k];
			}
		}
	}
	return n;
}

/*
 * Shapes again, in pieces, each item that a line's soft break or ellipsis cuts, each
 * piece without the text on the other side of the cut as context; then rebuilds the
 * lines' runs from the new glyphs, keeping where the lines break.
 */
static bool reshape_at_cuts(struct font_layout *layout) {
	size_t ncp = layout->ncp;
	size_t *cuts = calloc(2 * layout->nlines + 1, sizeof(*cuts));
	if (!cuts) {
		return false;
	}
	size_t ncuts = cut_points(layout, cuts);
	size_t inside = 0;
	for (size_t c = 0; c < ncuts; c++) {
		int it = item_at(layout, cuts[c]);
		inside += it >= 0 && layout->items[it].cp_start < cuts[c];
	}
	if (inside == 0) {
		free(cuts);
		return true;
	}
	struct font_item *items = calloc(layout->nitems + inside, sizeof(*items));
	/* Per new item: shaped again (1), cut at its start (2), cut at its end (4). */
	uint8_t *fresh = calloc(layout->nitems + inside, sizeof(*fresh));
	uint32_t *shape_cp = calloc(ncp ? ncp : 1, sizeof(*shape_cp));
	hb_buffer_t *buf = hb_buffer_create();
	bool ok = items && fresh && shape_cp && hb_buffer_allocation_successful(buf);
	size_t nitems = 0, c = 0;
	for (size_t i = 0; ok && i < layout->nitems; i++) {
		struct font_item *item = &layout->items[i];
		while (c < ncuts && cuts[c] <= item->cp_start) {
			c++;
		}
		if (c == ncuts || cuts[c] >= item->cp_end) {
			items[nitems++] = *item;
			item->glyphs = NULL; // moved
			continue;
		}
		size_t start = item->cp_start;
		while (start < item->cp_end) {
			size_t end = c < ncuts && cuts[c] < item->cp_end ? cuts[c++] : item->cp_end;
			items[nitems] = *item;
			items[nitems].cp_start = start;
			items[nitems].cp_end = end;
			items[nitems].glyphs = NULL;
			items[nitems].nglyphs = 0;
			fresh[nitems++] = (uint8_t)(1 | (start > item->cp_start ? 2 : 0) |
				(end < item->cp_end ? 4 : 0));
			start = end;
		}
		free(item->glyphs);
		item->glyphs = NULL;
	}
	if (ok) {
		free(layout->items);
		layout->items = items;
		layout->nitems = nitems;
		items = NULL;
		for (size_t i = 0; i < ncp; i++) {
			shape_cp[i] = layout->cp[i] == '\t' ? ' ' : layout->cp[i];
		}
	}
	for (size_t i = 0; ok && i < layout->nitems; i++) {
		struct font_item *item = &layout->items[i];
		if (!fresh[i]) {
			continue;
		}
		/* A cut edge has no context across it; an item's own edge keeps the text's. */
		bool cut_before = fresh[i] & 2, cut_after = fresh[i] & 4;
		for (size_t k = item->cp_start; k < item->cp_end; k++) {
			layout->cpw[k] = 0;
		}
		ok = shape_item(layout, item, buf, shape_cp, cut_before ? item->cp_start : 0,
			cut_after ? item->cp_end : ncp, NULL);
	}
	hb_buffer_destroy(buf);
	free(shape_cp);
	free(fresh);
	free(items);
	free(cuts);
	if (!ok) {
		return false;
	}
	for (size_t i = 0; i < ncp; i++) {
		layout->psum[i + 1] = layout->psum[i] + layout->cpw[i];
	}
	for (size_t i = 0; ok && i < layout->nlines; i++) {
		struct font_line_priv *line = &layout->lines[i];
		free(line->runs);
		line->runs = NULL;
		line->nruns = 0;
		ok = build_runs(layout, line, line->cp_start, line->cp_shown_end, line->ellipsis);
	}
	return ok;
}

static void place_lines(struct font_layout *layout) {
	int32_t max_w = 0;
	for (size_t i = 0; i < layout->nlines; i++) {
		if (layout->lines[i].width > max_w) {
			max_w = layout->lines[i].width;
		}
	}
	int32_t box = max_w;
	if (layout->width >= 0) {
		box = (int32_t)fmin(layout->width * layout->scale * 64.0, (double)INT32_MAX);
	}
	int32_t y = 0;
	for (size_t i = 0; i < layout->nlines; i++) {
		struct font_line_priv *line = &layout->lines[i];
		line->y = y;
		y += line->height;
		int32_t slack = box - line->width;
		enum font_align a = layout->align;
		if (a == FONT_ALIGN_START) {
			a = line->rtl ? FONT_ALIGN_RIGHT : FONT_ALIGN_LEFT;
		} else if (a == FONT_ALIGN_END) {
			a = line->rtl ? FONT_ALIGN_LEFT : FONT_ALIGN_RIGHT;
		}
		int32_t x = a == FONT_ALIGN_LEFT ? 0 : a == FONT_ALIGN_CENTER ? slack / 2 : slack;
		if (x < 0 && a != FONT_ALIGN_LEFT) {
			x = 0; // overflowing lines start at the left edge, as pango does
		}
		line->x = x & ~63;
		/* An RTL line's trailing spaces hang off its left end: shift them out. */
		if (line->rtl) {
			int32_t full = 0;
			for (size_t r = 0; r < line->nruns; r++) {
				full += line->runs[r].width;
			}
			line->x -= full - line->width;
		}
	}
	struct font_layout_metrics *m = &layout->metrics;
	double s = layout->scale * 64.0;
	m->width = max_w / s;
	m->height = y / s;
	m->line_count = (int)layout->nlines;
	m->baseline = layout->nlines ? (layout->lines[0].y + layout->lines[0].ascent) / s : 0;
	m->ink_x = m->ink_y = m->ink_width = m->ink_height = 0;
	bool first = true;
	for (size_t i = 0; i < layout->nlines; i++) {
		const struct font_line_priv *line = &layout->lines[i];
		if (line->width <= 0) {
			continue;
		}
		double x0 = line->x / s, y0 = line->y / s;
		double x1 = x0 + line->width / s, y1 = y0 + line->height / s;
		if (line->rtl) {
			int32_t full = 0;
			for (size_t r = 0; r < line->nruns; r++) {
				full += line->runs[r].width;
			}
			x0 = (line->x + full - line->width) / s;
			x1 = (line->x + full) / s;
		}
		if (first) {
			m->ink_x = x0, m->ink_y = y0, m->ink_width = x1 - x0, m->ink_height = y1 - y0;
			first = false;
		} else {
			double ax1 = fmax(m->ink_x + m->ink_width, x1);
			double ay1 = fmax(m->ink_y + m->ink_height, y1);
			m->ink_x = fmin(m->ink_x, x0);
			m->ink_y = fmin(m->ink_y, y0);
			m->ink_width = ax1 - m->ink_x;
			m->ink_height = ay1 - m->ink_y;
		}
	}
}

static bool is_thai(uint32_t c) {
	return c >= 0x0e01 && c <= 0x0e5b;
}

/*
 * libunibreak lets Thai (which puts no spaces between words) break only at spaces:
 * libthai's dictionary adds a line and word break between the words of each run of
 * Thai letters. Breaks inside a grapheme cluster are still refused later (gstart).
 */
static bool thai_breaks(struct font_layout *layout) {
	struct font_context *ctx = layout->ctx;
	size_t n = layout->ncp;
	for (size_t i = 0; i < n;) {
		if (!is_thai(layout->cp[i])) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && is_thai(layout->cp[j])) {
			j++;
		}
		size_t len = j - i;
		if (len >= 2 && len < INT_MAX && !ctx->thbrk && !ctx->thbrk_failed) {
			ctx->thbrk = th_brk_new(NULL);
			if (!ctx->thbrk) {
				ctx->thbrk_failed = true;
				lumen_log(LUMEN_WARN, "libthai has no dictionary (libthai-data): Thai text "
					"breaks only at spaces");
			}
		}
		if (len >= 2 && len < INT_MAX && ctx->thbrk) {
			thwchar_t *ws = calloc(len + 1, sizeof(*ws));
			int *pos = calloc(len, sizeof(*pos));
			if (!ws || !pos) {
				free(ws);
				free(pos);
				return false;
			}
			for (size_t k = 0; k < len; k++) {
				ws[k] = (thwchar_t)layout->cp[i + k];
			}
			int np = th_brk_wc_find_breaks(ctx->thbrk, ws, pos, len);
			/* Words are the dictionary's (libunibreak puts a word break between any two
			 * Thai letters); line breaks are libunibreak's and the dictionary's. */
			for (size_t k = i; k + 1 < j; k++) {
				layout->wbrks[k] = WORDBREAK_NOBREAK;
			}
			for (int k = 0; k < np; k++) {
				if (pos[k] <= 0 || (size_t)pos[k] >= len) {
					continue;
				}
				size_t at = i + (size_t)pos[k] - 1; // a break after this character
				if (layout->brks[at] == LINEBREAK_NOBREAK) {
					layout->brks[at] = LINEBREAK_ALLOWBREAK;
				}
				layout->wbrks[at] = WORDBREAK_BREAK;
			}
			free(ws);
			free(pos);
		}
		i = j;
	}
	return true;
}

static bool do_update(struct font_layout *layout) {
	const uint8_t *s = (const uint8_t *)(layout->text ? layout->text : "");
	size_t len = layout->len;
	size_t n = 0;
	layout->cp = calloc(len + 1, sizeof(*layout->cp));
	layout->off = calloc(len + 1, sizeof(*layout->off));
	if (!layout->cp || !layout->off) {
		return false;
	}
	for (size_t i = 0; i < len;) {
		uint32_t c;
		size_t k = decode_utf8(s, len, i, &c);
		layout->cp[n] = c;
		layout->off[n] = i;
		n++;
		i += k;
	}
	layout->off[n] = len;
	layout->ncp = n;
	layout->gstart = calloc(n + 1, sizeof(*layout->gstart));
	layout->brks = calloc(n + 1, 1);
	layout->wbrks = calloc(n + 1, 1);
	layout->levels = calloc(n + 1, sizeof(*layout->levels));
	layout->para_rtl = calloc(n + 1, sizeof(*layout->para_rtl));
	layout->cpw = calloc(n + 1, sizeof(*layout->cpw));
	if (!layout->gstart || !layout->brks || !layout->wbrks || !layout->levels ||
			!layout->para_rtl || !layout->cpw) {
		return false;
	}
	const char *lang = layout_lang(layout);
	char lb_lang[8] = "";
	snprintf(lb_lang, sizeof(lb_lang), "%.2s", lang);
	if (n > 0) {
		/* Debian's libunibreak (linebreak 2.2) asserts on regional indicators, whose
		 * class it does not know, and on U+FFFF: it sees stand-ins instead, a flag's
		 * first letter as an ideograph and its second as a combining mark, so a flag
		 * breaks like an emoji and never between its letters. */
		utf32_t *lb = malloc(n * sizeof(*lb));
		if (!lb) {
			return false;
		}
		size_t ri = 0;
		for (size_t i = 0; i < n; i++) {
			uint32_t c = layout->cp[i];
			ri = is_ri(c) ? ri + 1 : 0;
			lb[i] = c == 0xffff ? 0xfffd : ri == 0 ? c : (ri % 2 ? 0x1f600 : 0x0300);
		}
		set_linebreaks_utf32(lb, n, lb_lang, layout->brks);
		set_wordbreaks_utf32(lb, n, lb_lang, layout->wbrks);
		free(lb);
		if (!thai_breaks(layout)) {
			return false;
		}
	}
	find_graphemes(layout);
	if (!analyze_bidi(layout)) {
		return false;
	}
	layout->primary_size26 = size26_of(layout);
	layout->primary = font_context_primary_face(layout->ctx, layout->family,
		layout->desc.weight, layout->desc.slant, lang);
	if (layout->primary) {
		int32_t gap;
		face_extents(layout->primary, layout->primary_size26, &layout->primary_ascent,
			&layout->primary_descent, &gap);
		layout->primary_height = layout->primary_ascent + layout->primary_descent;
	} else {
		layout->primary_ascent = layout->primary_size26 * 4 / 5 & ~63;
		layout->primary_descent = (layout->primary_size26 / 5 + 63) & ~63;
		layout->primary_height = layout->primary_ascent + layout->primary_descent;
	}
	if (!itemize_and_shape(layout)) {
		return false;
	}
	layout->psum = calloc(n + 1, sizeof(*layout->psum));
	if (!layout->psum) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		layout->psum[i + 1] = layout->psum[i] + layout->cpw[i];
	}
	if (!break_lines(layout) || !reshape_at_cuts(layout)) {
		return false;
	}
	place_lines(layout);
	layout->vis = calloc(layout->nlines, sizeof(*layout->vis));
	layout->nvis = calloc(layout->nlines, sizeof(*layout->nvis));
	layout->vlead = calloc(layout->nlines, sizeof(*layout->vlead));
	layout->vtrail = calloc(layout->nlines, sizeof(*layout->vtrail));
	return layout->vis && layout->nvis && layout->vlead && layout->vtrail;
}

void font_layout_update(struct font_layout *layout) {
	if (!layout->dirty) {
		return;
	}
	clear_computed(layout);
	memset(&layout->metrics, 0, sizeof(layout->metrics));
	if (!do_update(layout)) {
		lumen_log(LUMEN_ERROR, "text layout failed (out of memory or no fonts)");
		clear_computed(layout);
		memset(&layout->metrics, 0, sizeof(layout->metrics));
		/* An empty layout, one line high, so callers never see zero lines. */
		layout->lines = calloc(1, sizeof(*layout->lines));
		layout->vis = calloc(1, sizeof(*layout->vis));
		layout->nvis = calloc(1, sizeof(*layout->nvis));
		layout->vlead = calloc(1, sizeof(*layout->vlead));
		layout->vtrail = calloc(1, sizeof(*layout->vtrail));
		layout->off = calloc(1, sizeof(*layout->off));
		layout->gstart = calloc(1, sizeof(*layout->gstart));
		if (layout->lines && layout->vis && layout->nvis && layout->vlead && layout->vtrail &&
				layout->off && layout->gstart) {
			layout->nlines = 1;
			layout->lines[0].height = layout->primary_height;
			layout->lines[0].ascent = layout->primary_ascent;
			layout->lines[0].descent = layout->primary_descent;
			layout->gstart[0] = true;
		}
		layout->metrics.line_count = 1;
		layout->metrics.height = layout->primary_height / 64.0 / layout->scale;
	}
	layout->dirty = false;
}

void font_layout_get_metrics(struct font_layout *layout, struct font_layout_metrics *metrics) {
	font_layout_update(layout);
	*metrics = layout->metrics;
}

int font_layout_get_line_count(struct font_layout *layout) {
	font_layout_update(layout);
	return layout->nlines > 0 ? (int)layout->nlines : 1;
}

bool font_layout_get_line(struct font_layout *layout, int i, struct font_line *out) {
	font_layout_update(layout);
	if (i < 0 || (size_t)i >= layout->nlines) {
		return false;
	}
	const struct font_line_priv *line = &layout->lines[i];
	double s = layout->scale * 64.0;
	out->start = layout->off ? layout->off[line->cp_start] : 0;
	out->end = layout->off ? layout->off[line->cp_end] : 0;
	out->width = line->width / s;
	out->height = line->height / s;
	out->y = line->y / s;
	out->baseline = (line->y + line->ascent) / s;
	out->rtl = line->rtl;
	int32_t full = 0;
	for (size_t r = 0; r < line->nruns; r++) {
		full += line->runs[r].width;
	}
	out->x = (line->rtl ? line->x + full - line->width : line->x) / s;
	return true;
}

int font_layout_index_to_line(struct font_layout *layout, size_t index) {
	font_layout_update(layout);
	if (layout->nlines == 0) {
		return 0;
	}
	size_t cp = font_layout_byte_to_cp(layout, index);
	for (size_t i = 0; i < layout->nlines; i++) {
		const struct font_line_priv *line = &layout->lines[i];
		/* At a soft break the index belongs to the next line (the caret goes there). */
		if (cp < line->cp_end || (cp == line->cp_end && !line->soft &&
				(line->cp_content_end == line->cp_end || i + 1 == layout->nlines))) {
			if (cp >= line->cp_start) {
				return (int)i;
			}
		}
	}
	return (int)layout->nlines - 1;
}

enum font_direction font_layout_get_direction(struct font_layout *layout, size_t index) {
	font_layout_update(layout);
	int l = font_layout_index_to_line(layout, index);
	if (layout->nlines == 0) {
		return layout->dir == FONT_DIRECTION_RTL ? FONT_DIRECTION_RTL : FONT_DIRECTION_LTR;
	}
	return layout->lines[l].rtl ? FONT_DIRECTION_RTL : FONT_DIRECTION_LTR;
}

size_t font_layout_get_items(struct font_layout *layout, const struct font_item **items) {
	font_layout_update(layout);
	*items = layout->items;
	return layout->nitems;
}

size_t font_layout_visual_order(struct font_layout *layout, size_t line_no, size_t *out,
		size_t max) {
	font_layout_update(layout);
	if (line_no >= layout->nlines) {
		return 0;
	}
	const struct font_line_priv *line = &layout->lines[line_no];
	size_t k = 0;
	for (size_t r = 0; r < line->nruns; r++) {
		const struct font_run *run = &line->runs[r];
		if (run->item < 0) {
			continue;
		}
		for (size_t j = 0; j < run->cp_end - run->cp_start; j++) {
			size_t cp = (run->level & 1) ? run->cp_end - 1 - j : run->cp_start + j;
			if (k < max) {
				out[k] = cp;
			}
			k++;
		}
	}
	return k;
}
