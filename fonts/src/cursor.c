/*
 * Carets, hit testing, selection and cursor movement. Each line is turned into its
 * graphemes in visual order with their x extents; a cluster that holds several
 * graphemes (a ligature) is shared out evenly between them, so every grapheme
 * boundary has a caret position and hit testing lands back on it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <wordbreak.h>
#include "font-private.h"

struct vis_builder {
	struct font_vis *v;
	size_t n, cap;
	bool failed;
};

static void vis_push(struct vis_builder *b, size_t s, size_t e, double x0, double x1, bool rtl) {
	if (b->n == b->cap) {
		size_t ncap = b->cap ? b->cap * 2 : 16;
		struct font_vis *bigger = realloc(b->v, ncap * sizeof(*bigger));
		if (!bigger) {
			b->failed = true;
			return;
		}
		b->v = bigger;
		b->cap = ncap;
	}
	b->v[b->n++] = (struct font_vis){s, e, x0, x1, rtl};
}

/* Splits one box [x0, x1) covering the characters [s, e) into its graphemes. */
static void push_graphemes(struct font_layout *layout, struct vis_builder *b, size_t s, size_t e,
		double x0, double x1, bool rtl) {
	size_t count = 0;
	for (size_t i = s; i < e; i++) {
		count += layout->gstart[i] || i == s;
	}
	if (count <= 1) {
		vis_push(b, s, e, x0, x1, rtl);
		return;
	}
	double w = (x1 - x0) / (double)count;
	size_t k = 0;
	size_t gs = s;
	for (size_t i = s + 1; i <= e; i++) {
		if (i == e || layout->gstart[i]) {
			double a = rtl ? x1 - (double)(k + 1) * w : x0 + (double)k * w;
			vis_push(b, gs, i, a, a + w, rtl);
			k++;
			gs = i;
		}
	}
	if (rtl) {
		/* Pushed right to left; visual order is left to right. */
		for (size_t a = b->n - count, z = b->n - 1; a < z; a++, z--) {
			struct font_vis t = b->v[a];
			b->v[a] = b->v[z];
			b->v[z] = t;
		}
	}
}

struct cluster_box {
	size_t c, end;
	int32_t x, w;
};

const struct font_vis *font_layout_line_vis(struct font_layout *layout, size_t line_no, size_t *n) {
	font_layout_update(layout);
	*n = 0;
	if (line_no >= layout->nlines || !layout->vis) {
		return NULL;
	}
	if (layout->vlead[line_no]) { // computed before (vis may be NULL: no graphemes)
		*n = layout->nvis[line_no];
		return layout->vis[line_no];
	}
	const struct font_line_priv *line = &layout->lines[line_no];
	struct vis_builder b = {0};
	for (size_t r = 0; r < line->nruns && !b.failed; r++) {
		const struct font_run *run = &line->runs[r];
		int32_t base = line->x + run->x;
		bool rtl = run->level & 1;
		if (run->item < 0) {
			if (run->cp_end > run->cp_start) {
				vis_push(&b, run->cp_start, run->cp_end, base / 64.0,
					(base + run->width) / 64.0, rtl);
			}
			continue;
		}
		const struct font_item *item = &layout->items[run->item];
		/* The run's clusters as boxes, in visual order. */
		struct cluster_box *boxes = calloc(item->nglyphs + 1, sizeof(*boxes));
		if (!boxes) {
			b.failed = true;
			break;
		}
		size_t nb = 0;
		int32_t x = base;
		for (size_t g = 0; g < item->nglyphs; g++) {
			const struct font_glyph *gl = &item->glyphs[g];
			if (gl->cluster < run->cp_start || gl->cluster >= run->cp_end) {
				continue;
			}
			if (nb > 0 && boxes[nb - 1].c == gl->cluster) {
				boxes[nb - 1].w += gl->x_advance;
			} else {
				boxes[nb++] = (struct cluster_box){gl->cluster, 0, x, gl->x_advance};
			}
			x += gl->x_advance;
		}
		for (size_t k = 0; k < nb; k++) {
			if (!rtl) {
				boxes[k].end = k + 1 < nb ? boxes[k + 1].c : run->cp_end;
			} else {
				boxes[k].end = k > 0 ? boxes[k - 1].c : run->cp_end;
			}
		}
		/* Clusters that start inside a grapheme join the grapheme's box. */
		size_t m = 0;
		for (size_t k = 0; k < nb; k++) {
			if (m > 0 && !rtl && !layout->gstart[boxes[k].c]) {
				boxes[m - 1].end = boxes[k].end;
				boxes[m - 1].w += boxes[k].w;
				continue;
			}
			if (m > 0 && rtl && !layout->gstart[boxes[m - 1].c]) {
				boxes[m - 1].c = boxes[k].c;
				boxes[m - 1].w += boxes[k].w;
				continue;
			}
			boxes[m++] = boxes[k];
		}
		for (size_t k = 0; k < m; k++) {
			push_graphemes(layout, &b, boxes[k].c, boxes[k].end, boxes[k].x / 64.0,
				(boxes[k].x + boxes[k].w) / 64.0, rtl);
		}
		free(boxes);
	}
	if (b.failed) {
		free(b.v);
		return NULL;
	}
	/* Which grapheme starts / ends at each character of the line, for carets. */
	size_t span = line->cp_end - line->cp_start + 1;
	int32_t *lead = malloc(span * sizeof(*lead)), *trail = malloc(span * sizeof(*trail));
	if (!lead || !trail) {
		free(lead);
		free(trail);
		free(b.v);
		return NULL;
	}
	for (size_t i = 0; i < span; i++) {
		lead[i] = trail[i] = -1;
	}
	for (size_t k = 0; k < b.n; k++) {
		size_t s = b.v[k].cp_start - line->cp_start, e = b.v[k].cp_end - line->cp_start;
		if (b.v[k].cp_start >= line->cp_start && s < span && lead[s] < 0) {
			lead[s] = (int32_t)k;
		}
		if (b.v[k].cp_end >= line->cp_start && e < span && trail[e] < 0) {
			trail[e] = (int32_t)k;
		}
	}
	layout->vlead[line_no] = lead;
	layout->vtrail[line_no] = trail;
	layout->vis[line_no] = b.v;
	layout->nvis[line_no] = b.n;
	*n = b.n;
	return b.v;
}

static size_t snap_cp(struct font_layout *layout, size_t index) {
	size_t cp = font_layout_byte_to_cp(layout, index);
	while (cp > 0 && cp < layout->ncp && !layout->gstart[cp]) {
		cp--;
	}
	return cp;
}

/* Caret x positions (device pixels) of cp on line l. */
static void caret_x(struct font_layout *layout, size_t l, size_t cp, double *strong,
		double *weak) {
	size_t n;
	const struct font_vis *v = font_layout_line_vis(layout, l, &n);
	const struct font_line_priv *line = &layout->lines[l];
	const struct font_vis *lead = NULL, *trail = NULL;
	if (layout->vlead[l] && cp >= line->cp_start && cp <= line->cp_end) {
		int32_t li = layout->vlead[l][cp - line->cp_start];
		int32_t ti = layout->vtrail[l][cp - line->cp_start];
		lead = li >= 0 ? &v[li] : NULL;
		trail = ti >= 0 ? &v[ti] : NULL;
	}
	double lx = 0, tx = 0;
	if (lead) {
		lx = lead->rtl ? lead->x1 : lead->x0;
	}
	if (trail) {
		tx = trail->rtl ? trail->x0 : trail->x1;
	}
	if (!lead && !trail) {
		/* An empty line, or text hidden by the ellipsis: the line's start or end. */
		double x = line->x / 64.0;
		if (n > 0) {
			bool at_start = cp <= v[0].cp_start && cp <= line->cp_start;
			double left = v[0].x0, right = v[n - 1].x1;
			x = (at_start != line->rtl) ? left : right;
		}
		*strong = *weak = x;
	} else if (!trail) {
		*strong = *weak = lx;
	} else if (!lead) {
		*strong = *weak = tx;
	} else if (lead->rtl == line->rtl || trail->rtl != line->rtl) {
		*strong = lx;
		*weak = tx;
	} else {
		*strong = tx;
		*weak = lx;
	}
}

static void line_rect(const struct font_layout *layout, size_t l, double x, struct font_rect *r) {
	const struct font_line_priv *line = &layout->lines[l];
	double s = layout->scale;
	r->x = x / s;
	r->y = line->y / 64.0 / s;
	r->width = 0;
	r->height = line->height / 64.0 / s;
}

void font_layout_get_caret(struct font_layout *layout, size_t index, struct font_rect *strong,
		struct font_rect *weak) {
	font_layout_update(layout);
	if (layout->nlines == 0) {
		struct font_rect r = {0, 0, 0, layout->primary_height / 64.0 / layout->scale};
		if (strong) {
			*strong = r;
		}
		if (weak) {
			*weak = r;
		}
		return;
	}
	size_t cp = snap_cp(layout, index);
	size_t l = (size_t)font_layout_index_to_line(layout, layout->off[cp]);
	double sx, wx;
	caret_x(layout, l, cp, &sx, &wx);
	if (strong) {
		line_rect(layout, l, sx, strong);
	}
	if (weak) {
		line_rect(layout, l, wx, weak);
	}
}

static size_t line_at_y(const struct font_layout *layout, double y26) {
	for (size_t i = 0; i < layout->nlines; i++) {
		if (y26 < layout->lines[i].y + layout->lines[i].height) {
			return i;
		}
	}
	return layout->nlines - 1;
}

bool font_layout_hit_test(struct font_layout *layout, double x, double y, size_t *index,
		size_t *trailing) {
	font_layout_update(layout);
	*index = 0;
	*trailing = 0;
	if (layout->nlines == 0) {
		return false;
	}
	double X = x * layout->scale, Y = y * layout->scale * 64.0;
	size_t l = line_at_y(layout, Y);
	const struct font_line_priv *line = &layout->lines[l];
	size_t n;
	const struct font_vis *v = font_layout_line_vis(layout, l, &n);
	bool inside = Y >= 0 && Y < line->y + line->height;
	if (n == 0) {
		*index = layout->off[line->cp_start];
		return false;
	}
	inside = inside && X >= v[0].x0 && X < v[n - 1].x1;
	/* The nearest grapheme edge; at an edge shared by two graphemes, the index whose
	 * strong caret is drawn there, so hit_test(caret(i)) gives back i. */
	double best = INFINITY, bx = 0;
	for (size_t i = 0; i < n; i++) {
		double d0 = fabs(v[i].x0 - X), d1 = fabs(v[i].x1 - X);
		if (d0 < best) {
			best = d0;
			bx = v[i].x0;
		}
		if (d1 < best) {
			best = d1;
			bx = v[i].x1;
		}
	}
	const struct font_vis *pick = NULL;
	bool pick_left_edge = false;
	int pick_score = -1;
	for (size_t i = 0; i < n; i++) {
		for (int edge = 0; edge < 2; edge++) {
			double ex = edge == 0 ? v[i].x0 : v[i].x1;
			if (fabs(ex - bx) > 1e-9) {
				continue;
			}
			bool left_edge = edge == 0;
			size_t c = (left_edge != v[i].rtl) ? v[i].cp_start : v[i].cp_end;
			double sx, wx;
			caret_x(layout, l, c, &sx, &wx);
			bool on_point_side = left_edge ? X >= bx : X < bx;
			int score = (fabs(sx - bx) < 1e-9 ? 2 : 0) + (on_point_side ? 1 : 0);
			if (score > pick_score) {
				pick_score = score;
				pick = &v[i];
				pick_left_edge = left_edge;
			}
		}
	}
	if (!pick) {
		pick = &v[0];
		pick_left_edge = true;
	}
	size_t len = layout->off[pick->cp_end] - layout->off[pick->cp_start];
	*index = layout->off[pick->cp_start];
	*trailing = (pick_left_edge == pick->rtl) ? len : 0;
	if (line->soft && *trailing > 0 && pick->cp_end >= line->cp_end) {
		/* After the last grapheme of a wrapped line (its trailing space): that index
		 * is the next line's start, so stay before the grapheme instead. */
		*trailing = 0;
	}
	return inside;
}

size_t font_layout_get_selection_rects(struct font_layout *layout, size_t start, size_t end,
		struct font_rect *rects, size_t max) {
	font_layout_update(layout);
	if (start > end) {
		size_t t = start;
		start = end;
		end = t;
	}
	size_t a = snap_cp(layout, start), b = snap_cp(layout, end);
	if (b < layout->ncp && b < font_layout_byte_to_cp(layout, end)) {
		b = font_layout_next_grapheme(layout, layout->off[b]) < layout->len
			? font_layout_byte_to_cp(layout, font_layout_next_grapheme(layout, layout->off[b]))
			: layout->ncp;
	}
	size_t count = 0;
	double s = layout->scale;
	for (size_t l = 0; l < layout->nlines && a < b; l++) {
		size_t n;
		const struct font_vis *v = font_layout_line_vis(layout, l, &n);
		const struct font_line_priv *line = &layout->lines[l];
		bool open = false;
		struct font_rect cur = {0};
		for (size_t i = 0; i < n; i++) {
			bool sel = v[i].cp_start < b && v[i].cp_end > a;
			if (sel && open && fabs(cur.x + cur.width - v[i].x0 / s) < 1e-6) {
				cur.width = v[i].x1 / s - cur.x;
				continue;
			}
			if (open) {
				if (count < max) {
					rects[count] = cur;
				}
				count++;
				open = false;
			}
			if (sel) {
				cur = (struct font_rect){v[i].x0 / s, line->y / 64.0 / s,
					(v[i].x1 - v[i].x0) / s, line->height / 64.0 / s};
				open = true;
			}
		}
		if (open) {
			if (count < max) {
				rects[count] = cur;
			}
			count++;
		}
	}
	return count;
}

size_t font_layout_next_grapheme(struct font_layout *layout, size_t index) {
	font_layout_update(layout);
	size_t cp = font_layout_byte_to_cp(layout, index);
	if (cp >= layout->ncp) {
		return layout->len;
	}
	cp++;
	while (cp < layout->ncp && !layout->gstart[cp]) {
		cp++;
	}
	return layout->off[cp];
}

size_t font_layout_prev_grapheme(struct font_layout *layout, size_t index) {
	font_layout_update(layout);
	size_t cp = font_layout_byte_to_cp(layout, index);
	if (cp == 0 || layout->ncp == 0) {
		return 0;
	}
	if (cp < layout->ncp && layout->off[cp] < index) {
		cp++; // index pointed inside a character: start from its end
	}
	cp--;
	while (cp > 0 && !layout->gstart[cp]) {
		cp--;
	}
	return layout->off[cp];
}

struct stop {
	double x;
	size_t cp;
};

static int compare_stops(const void *a, const void *b) {
	const struct stop *p = a, *q = b;
	if (p->x != q->x) {
		return p->x < q->x ? -1 : 1;
	}
	return p->cp < q->cp ? -1 : p->cp > q->cp;
}

/* The caret stops of line l sorted by their strong x; caller frees. */
static struct stop *line_stops(struct font_layout *layout, size_t l, size_t *n) {
	const struct font_line_priv *line = &layout->lines[l];
	size_t last = line->soft ? line->cp_end - 1 : line->cp_content_end;
	if (line->cp_end <= line->cp_start) {
		last = line->cp_start;
	}
	struct stop *stops = calloc(last - line->cp_start + 1, sizeof(*stops));
	if (!stops) {
		*n = 0;
		return NULL;
	}
	size_t k = 0;
	for (size_t cp = line->cp_start; cp <= last; cp++) {
		if (cp < layout->ncp && !layout->gstart[cp]) {
			continue;
		}
		double sx, wx;
		caret_x(layout, l, cp, &sx, &wx);
		stops[k++] = (struct stop){sx, cp};
	}
	qsort(stops, k, sizeof(*stops), compare_stops);
	*n = k;
	return stops;
}

size_t font_layout_move_visual(struct font_layout *layout, size_t index, int dir) {
	font_layout_update(layout);
	if (layout->nlines == 0 || dir == 0) {
		return index;
	}
	size_t cp = snap_cp(layout, index);
	size_t l = (size_t)font_layout_index_to_line(layout, layout->off[cp]);
	size_t n;
	struct stop *stops = line_stops(layout, l, &n);
	if (!stops) {
		return index;
	}
	size_t result = layout->off[cp];
	size_t at = n;
	for (size_t i = 0; i < n; i++) {
		if (stops[i].cp == cp) {
			at = i;
			break;
		}
	}
	if (at < n && dir > 0 && at + 1 < n) {
		result = layout->off[stops[at + 1].cp];
	} else if (at < n && dir < 0 && at > 0) {
		result = layout->off[stops[at - 1].cp];
	} else {
		/* Off the line's visual end: the next (previous) line's leftmost (rightmost). */
		size_t nl = dir > 0 ? l + 1 : l - 1;
		if ((dir > 0 && l + 1 < layout->nlines) || (dir < 0 && l > 0)) {
			size_t m;
			struct stop *other = line_stops(layout, nl, &m);
			if (other && m > 0) {
				result = layout->off[dir > 0 ? other[0].cp : other[m - 1].cp];
			}
			free(other);
		}
	}
	free(stops);
	return result;
}

static bool is_word_char(uint32_t c) {
	hb_unicode_general_category_t gc =
		hb_unicode_general_category(hb_unicode_funcs_get_default(), c);
	switch (gc) {
	case HB_UNICODE_GENERAL_CATEGORY_LOWERCASE_LETTER:
	case HB_UNICODE_GENERAL_CATEGORY_MODIFIER_LETTER:
	case HB_UNICODE_GENERAL_CATEGORY_OTHER_LETTER:
	case HB_UNICODE_GENERAL_CATEGORY_TITLECASE_LETTER:
	case HB_UNICODE_GENERAL_CATEGORY_UPPERCASE_LETTER:
	case HB_UNICODE_GENERAL_CATEGORY_DECIMAL_NUMBER:
	case HB_UNICODE_GENERAL_CATEGORY_LETTER_NUMBER:
	case HB_UNICODE_GENERAL_CATEGORY_OTHER_NUMBER:
	case HB_UNICODE_GENERAL_CATEGORY_SPACING_MARK:
	case HB_UNICODE_GENERAL_CATEGORY_NON_SPACING_MARK:
	case HB_UNICODE_GENERAL_CATEGORY_ENCLOSING_MARK:
		return true;
	default:
		return false;
	}
}

static bool word_boundary(const struct font_layout *layout, size_t cp) {
	return cp == 0 || cp >= layout->ncp ||
		(layout->wbrks[cp - 1] == WORDBREAK_BREAK && layout->gstart[cp]);
}

size_t font_layout_move_word(struct font_layout *layout, size_t index, int dir) {
	font_layout_update(layout);
	size_t cp = font_layout_byte_to_cp(layout, index);
	size_t n = layout->ncp;
	if (dir > 0) {
		/* The end of the next word: a boundary with a word character before it. */
		for (size_t p = cp + 1; p <= n; p++) {
			if (word_boundary(layout, p) && is_word_char(layout->cp[p - 1])) {
				return layout->off[p];
			}
		}
		return layout->len;
	}
	if (dir < 0) {
		for (size_t p = cp; p-- > 0;) {
			if (word_boundary(layout, p) && is_word_char(layout->cp[p])) {
				return layout->off[p];
			}
		}
		return 0;
	}
	return index;
}
