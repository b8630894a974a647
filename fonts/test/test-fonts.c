/*
 * Tests of lumen's text library against the reference tools and by pixels: shaping
 * against hb-shape (libharfbuzz-bin), visual order against fribidi, fallback, carets
 * and hit tests both ways, rendering (coverage, subpixel fringes, colour emoji),
 * wrapping and ellipsis, the glyph cache's bound, and a truncated font skipped with a
 * log line. TAP output. Run alone: ./test-fonts (LUMEN_LOG=debug for the library's log).
 */
#include <fcntl.h>
#include <fribidi.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <thai/thbrk.h>
#include <thai/thwbrk.h>
#include <unistd.h>
#include "common/log.h"
#include "font-private.h"
#include "fonts/font.h"

static int test_no;
static int failures;

static bool ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool ok(bool cond, const char *fmt, ...) {
	test_no++;
	printf("%sok %d - ", cond ? "" : "not ", test_no);
	va_list args;
	va_start(args, fmt);
	vprintf(fmt, args);
	va_end(args);
	printf("\n");
	fflush(stdout);
	if (!cond) {
		failures++;
	}
	return cond;
}

static struct font_layout *make_layout(struct font_context *ctx, const char *family, double px,
		const char *text) {
	struct font_desc desc = {.family = family, .size = px, .unit = FONT_SIZE_PX};
	struct font_layout *layout = font_layout_create(ctx, &desc);
	font_layout_set_text(layout, text, strlen(text));
	return layout;
}

/* ---- shaping against hb-shape ---- */

struct hb_glyph {
	unsigned int id, cluster;
	int dx, dy, ax;
};

/* Parses hb-shape's "[g=c@dx,dy+ax|...]" (no glyph names, UTF-8 clusters). */
static size_t parse_hb_shape(const char *out, struct hb_glyph *glyphs, size_t max) {
	size_t n = 0;
	const char *p = strchr(out, '[');
	if (!p) {
		return 0;
	}
	p++;
	while (*p && *p != ']' && n < max) {
		struct hb_glyph g = {0};
		char *end;
		g.id = (unsigned int)strtoul(p, &end, 10);
		p = end;
		if (*p == '=') {
			g.cluster = (unsigned int)strtoul(p + 1, &end, 10);
			p = end;
		}
		if (*p == '@') {
			g.dx = (int)strtol(p + 1, &end, 10);
			p = end;
			if (*p == ',') {
				g.dy = (int)strtol(p + 1, &end, 10);
				p = end;
			}
		}
		if (*p == '+') {
			g.ax = (int)strtol(p + 1, &end, 10);
			p = end;
		}
		glyphs[n++] = g;
		if (*p == '|') {
			p++;
		} else {
			break;
		}
	}
	return n;
}

static bool run_hb_shape(const struct font_item *item, const char *text, size_t len,
		const char *lang, char *out, size_t out_len) {
	char script[5] = "";
	hb_tag_to_string(hb_script_to_iso15924_tag(item->script), script);
	char cmd[2048];
	snprintf(cmd, sizeof(cmd),
		"hb-shape --no-glyph-names --utf8-clusters --font-size=upem --direction=%s "
		"--script=%s --language=%s --face-index=%d '%s' '%.*s' 2>&1",
		(item->level & 1) ? "rtl" : "ltr", script, lang, item->face->index,
		item->face->path, (int)len, text);
	FILE *f = popen(cmd, "r");
	if (!f) {
		return false;
	}
	size_t n = fread(out, 1, out_len - 1, f);
	out[n] = '\0';
	return pclose(f) == 0;
}

static void test_shaping(struct font_context *ctx, const char *name, const char *family,
		const char *lang, const char *text) {
	/* Shaped at size = units per em, so our 26.6 advances are font units × 64. */
	struct font_layout *layout = make_layout(ctx, family, 16, text);
	font_layout_set_language(layout, lang);
	struct font_options opts = {.hinting = FONT_HINTING_NONE};
	font_layout_set_options(layout, &opts);
	const struct font_item *items;
	size_t nitems = font_layout_get_items(layout, &items);
	if (!ok(nitems > 0, "%s: shaped into items", name)) {
		font_layout_destroy(layout);
		return;
	}
	struct font_desc desc = {.family = family, .size = items[0].face->upem,
		.unit = FONT_SIZE_PX};
	font_layout_set_desc(layout, &desc);
	nitems = font_layout_get_items(layout, &items);
	bool all_same = true, all_found = true;
	size_t compared = 0;
	char why[256] = "";
	for (size_t i = 0; i < nitems; i++) {
		const struct font_item *item = &items[i];
		if (item->face->upem != items[0].face->upem) {
			continue; // another face's units: shaped at a size that is not its upem
		}
		size_t bs = layout->off[item->cp_start], be = layout->off[item->cp_end];
		/* Spaces at item edges are shaped alone by hb-shape just the same. */
		char out[8192];
		if (!run_hb_shape(item, text + bs, be - bs, lang, out, sizeof(out))) {
			snprintf(why, sizeof(why), "hb-shape failed: %.100s", out);
			all_same = false;
			break;
		}
		struct hb_glyph ref[512];
		size_t nref = parse_hb_shape(out, ref, 512);
		if (nref != item->nglyphs) {
			snprintf(why, sizeof(why), "item %zu: %zu glyphs, hb-shape %zu (%.80s)", i,
				item->nglyphs, nref, out);
			all_same = false;
			break;
		}
		for (size_t g = 0; g < nref; g++) {
			const struct font_glyph *gl = &item->glyphs[g];
			size_t cl = layout->off[gl->cluster] - bs;
			if (gl->id == 0) {
				all_found = false;
			}
			if (gl->id != ref[g].id || cl != ref[g].cluster || gl->x_advance != ref[g].ax * 64 ||
					gl->x_offset != ref[g].dx * 64 || gl->y_offset != ref[g].dy * 64) {
				snprintf(why, sizeof(why),
					"item %zu glyph %zu: ours %u cl %zu +%d@%d,%d, hb-shape %u cl %u +%d@%d,%d",
					i, g, gl->id, cl, gl->x_advance / 64, gl->x_offset / 64,
					gl->y_offset / 64, ref[g].id, ref[g].cluster, ref[g].ax, ref[g].dx,
					ref[g].dy);
				all_same = false;
				break;
			}
			compared++;
		}
		if (!all_same) {
			break;
		}
	}
	ok(all_same && compared > 0, "%s: %zu glyphs in %zu items agree with hb-shape %s", name,
		compared, nitems, why);
	ok(all_found, "%s: no missing glyphs (font %s)", name, items[0].face->path);
	font_layout_destroy(layout);
}

/* ---- visual order against fribidi ---- */

static void test_visual_order(struct font_context *ctx, const char *name, const char *text,
		enum font_direction dir) {
	struct font_layout *layout = make_layout(ctx, "DejaVu Sans", 14, text);
	font_layout_set_direction(layout, dir);
	font_layout_update(layout);
	size_t n = layout->ncp;
	size_t *ours = calloc(n + 1, sizeof(*ours));
	size_t got = font_layout_visual_order(layout, 0, ours, n);

	FriBidiChar *str = calloc(n + 1, sizeof(*str));
	FriBidiChar *vis = calloc(n + 1, sizeof(*vis));
	FriBidiStrIndex *v2l = calloc(n + 1, sizeof(*v2l));
	for (size_t i = 0; i < n; i++) {
		str[i] = layout->cp[i];
	}
	FriBidiParType base = dir == FONT_DIRECTION_RTL ? FRIBIDI_PAR_RTL
		: dir == FONT_DIRECTION_LTR ? FRIBIDI_PAR_LTR : FRIBIDI_PAR_ON;
	fribidi_log2vis(str, (FriBidiStrIndex)n, &base, vis, NULL, v2l, NULL);
	bool same = got == n;
	char why[128] = "";
	for (size_t i = 0; same && i < n; i++) {
		if (ours[i] != (size_t)v2l[i]) {
			snprintf(why, sizeof(why), "at visual %zu: ours %zu, fribidi %d", i, ours[i],
				(int)v2l[i]);
			same = false;
		}
	}
	ok(same, "%s: visual order agrees with fribidi_log2vis (%zu chars) %s", name, n, why);
	free(ours);
	free(str);
	free(vis);
	free(v2l);
	font_layout_destroy(layout);
}

/* ---- fallback ---- */

static void test_fallback(struct font_context *ctx) {
	const char *text = "Lumen 漢字 😀";
	struct font_layout *layout = make_layout(ctx, "DejaVu Sans", 20, text);
	const struct font_item *items;
	size_t nitems = font_layout_get_items(layout, &items);
	struct font_face *latin = NULL, *cjk = NULL, *emoji = NULL;
	bool missing = false;
	for (size_t i = 0; i < nitems; i++) {
		uint32_t c = layout->cp[items[i].cp_start];
		if (c == 'L') {
			latin = items[i].face;
		} else if (c == 0x6f22) {
			cjk = items[i].face;
		} else if (c == 0x1f600) {
			emoji = items[i].face;
		}
		for (size_t g = 0; g < items[i].nglyphs; g++) {
			missing |= items[i].glyphs[g].id == 0;
		}
	}
	ok(latin && strstr(latin->path, "DejaVuSans"), "fallback: Latin stays in DejaVu Sans (%s)",
		latin ? latin->path : "none");
	ok(cjk && cjk != latin && font_face_has_char(cjk, 0x6f22) && font_face_has_char(cjk, 0x5b57),
		"fallback: 漢字 from a face that has them (%s)", cjk ? cjk->path : "none");
	ok(emoji && emoji->color && font_face_has_char(emoji, 0x1f600),
		"fallback: 😀 from a colour face (%s)", emoji ? emoji->path : "none");
	ok(!missing, "fallback: no missing-glyph boxes");
	font_layout_destroy(layout);
}

/* ---- carets and hit tests ---- */

static void test_graphemes(struct font_context *ctx);
static void test_attrs(struct font_context *ctx);

static void test_carets(struct font_context *ctx, const char *name, const char *text,
		enum font_direction dir, double width) {
	struct font_layout *layout = make_layout(ctx, "DejaVu Sans", 18, text);
	font_layout_set_direction(layout, dir);
	font_layout_set_width(layout, width);
	size_t len = strlen(text);
	size_t checked = 0, ambiguous = 0;
	char why[200] = "";
	bool fine = true;
	for (size_t i = 0; i <= len; i = font_layout_next_grapheme(layout, i)) {
		struct font_rect strong, weak;
		font_layout_get_caret(layout, i, &strong, &weak);
		size_t index, trailing;
		font_layout_hit_test(layout, strong.x, strong.y + strong.height / 2, &index, &trailing);
		if (index + trailing != i) {
			/* At a direction boundary two indices can have their strong carets at one
			 * spot (in "abc אב 12" the start of א and of 1): no point tells them apart,
			 * so the hit must at least land on a caret drawn at the same place. */
			struct font_rect other;
			font_layout_get_caret(layout, index + trailing, &other, NULL);
			if (fabs(other.x - strong.x) < 1e-6 && fabs(other.y - strong.y) < 1e-6) {
				ambiguous++;
				index = i, trailing = 0;
			}
		}
		if (index + trailing != i && fine) {
			snprintf(why, sizeof(why), "caret %zu at x=%.2f y=%.2f hits %zu+%zu", i, strong.x,
				strong.y, index, trailing);
			fine = false;
		}
		checked++;
		if (i == len) {
			break;
		}
	}
	ok(fine && checked > 1 && ambiguous * 4 < checked,
		"%s: hit_test(caret(i)) == i at all %zu grapheme boundaries (%zu shared) %s", name,
		checked, ambiguous, why);
	why[0] = '\0';

	/* The other way: the caret of a hit lies on the grapheme edge nearest the point. */
	struct font_layout_metrics m;
	font_layout_get_metrics(layout, &m);
	fine = true;
	for (double x = -3; x < m.width + 3 && fine; x += 0.7) {
		size_t index, trailing;
		double y = m.baseline - 2;
		font_layout_hit_test(layout, x, y, &index, &trailing);
		struct font_rect strong, weak;
		font_layout_get_caret(layout, index + trailing, &strong, &weak);
		/* Within one grapheme's width of the point (our widest is < 20 px at 18 px). */
		if ((fabs(strong.x - x) > 20 && fabs(weak.x - x) > 20) || strong.y > y ||
				strong.y + strong.height < y) {
			snprintf(why, sizeof(why), "x=%.1f -> %zu+%zu, caret at %.1f", x, index,
				trailing, strong.x);
			fine = false;
		}
	}
	ok(fine, "%s: hit tests across the first line give carets near the point %s", name, why);
	why[0] = '\0';

	/* Moving right from the leftmost stop of each line visits every boundary once. */
	int lines = font_layout_get_line_count(layout);
	size_t total = 0;
	fine = true;
	for (int l = 0; l < lines && fine; l++) {
		struct font_line line;
		font_layout_get_line(layout, l, &line);
		size_t idx;
		size_t tr;
		font_layout_hit_test(layout, line.x - 5, line.y + line.height / 2, &idx, &tr);
		size_t pos = idx + tr;
		double last_x = -1e9;
		for (int step = 0; step < 200; step++) {
			struct font_rect r;
			font_layout_get_caret(layout, pos, &r, NULL);
			if (font_layout_index_to_line(layout, pos) != l) {
				break;
			}
			if (r.x < last_x - 1e-6) {
				snprintf(why, sizeof(why), "line %d: caret went left to %.2f at %zu", l, r.x,
					pos);
				fine = false;
				break;
			}
			last_x = r.x;
			total++;
			size_t next = font_layout_move_visual(layout, pos, 1);
			if (next == pos) {
				break;
			}
			pos = next;
		}
	}
	ok(fine && total > 1, "%s: moving right goes left to right on every line (%zu stops) %s",
		name, total, why);
	font_layout_destroy(layout);
}

static void test_graphemes(struct font_context *ctx) {
	/* e + combining acute, a thumbs-up with a skin tone, a flag, CR LF, a family. */
	const char *text = "e\xcc\x81👍🏽🇫🇷\r\n👨‍👩‍👧x";
	static const size_t want[] = {0, 3, 11, 19, 21, 39, 40};
	struct font_layout *layout = make_layout(ctx, "DejaVu Sans", 16, text);
	size_t got[16], n = 0;
	size_t len = strlen(text);
	for (size_t i = 0; n < 16; i = font_layout_next_grapheme(layout, i)) {
		got[n++] = i;
		if (i >= len) {
			break;
		}
	}
	bool same = n == sizeof(want) / sizeof(want[0]);
	for (size_t i = 0; same && i < n; i++) {
		same = got[i] == want[i];
	}
	for (size_t i = 0; !same && i < n; i++) {
		printf("# boundary %zu at %zu\n", i, got[i]);
	}
	ok(same, "graphemes: marks, skin tones, flags, CR LF and ZWJ sequences stay whole "
		"(%zu boundaries)", n);
	bool back = true;
	for (size_t i = n - 1; i > 0; i--) {
		back &= font_layout_prev_grapheme(layout, got[i]) == got[i - 1];
	}
	ok(back, "graphemes: prev_grapheme walks the same boundaries backwards");
	font_layout_set_text(layout, "hello, big world", 16);
	ok(font_layout_move_word(layout, 0, 1) == 5 && font_layout_move_word(layout, 5, 1) == 10 &&
		font_layout_move_word(layout, 16, -1) == 11 && font_layout_move_word(layout, 11, -1) == 7,
		"words: next word end and previous word start");
	double ascent = 0, descent = 0, height = 0;
	struct font_desc desc = {.family = "DejaVu Sans", .size = 20, .unit = FONT_SIZE_PX};
	bool got_metrics = font_context_get_metrics(ctx, &desc, 1, &ascent, &descent, &height);
	ok(got_metrics && ascent > 15 &&
		descent > 3 && height >= ascent + descent, "metrics: ascent %.0f, descent %.0f, "
		"height %.0f at 20 px", ascent, descent, height);
	desc.size = 15;
	desc.unit = FONT_SIZE_PT;
	double h_pt = 0;
	font_context_get_metrics(ctx, &desc, 1, NULL, NULL, &h_pt);
	ok(fabs(h_pt - height) < 1.01, "metrics: 15 pt is 20 px (%.1f vs %.1f)", h_pt, height);
	font_layout_destroy(layout);
}

static void test_attrs(struct font_context *ctx) {
	const char *text = "plain red under";
	struct font_layout *layout = make_layout(ctx, "DejaVu Sans", 20, text);
	struct font_attr attrs[] = {
		{.type = FONT_ATTR_COLOR, .start = 6, .end = 9, .value.color = 0xffff0000},
		{.type = FONT_ATTR_UNDERLINE, .start = 10, .end = 15, .value.on = true},
		{.type = FONT_ATTR_WEIGHT, .start = 0, .end = 5, .value.weight = 700},
	};
	font_layout_set_attrs(layout, attrs, 3);
	pixman_image_t *img = pixman_image_create_bits(PIXMAN_a8r8g8b8, 220, 40, NULL, 0);
	pixman_color_t white = {0xffff, 0xffff, 0xffff, 0xffff};
	pixman_image_t *bg = pixman_image_create_solid_fill(&white);
	pixman_image_composite32(PIXMAN_OP_SRC, bg, NULL, img, 0, 0, 0, 0, 0, 0, 220, 40);
	pixman_image_unref(bg);
	font_layout_render(layout, img, 0, 0, 0xff000000);
	struct font_rect red, under, plain;
	font_layout_get_selection_rects(layout, 6, 9, &red, 1);
	font_layout_get_selection_rects(layout, 10, 15, &under, 1);
	font_layout_get_selection_rects(layout, 0, 5, &plain, 1);
	uint32_t *p = pixman_image_get_data(img);
	int reds = 0, reds_elsewhere = 0;
	for (int y = 0; y < 40; y++) {
		for (int x = 0; x < 220; x++) {
			uint32_t c = p[y * 220 + x];
			bool is_red = ((c >> 16) & 0xff) > 0xc0 && ((c >> 8) & 0xff) < 0x60;
			if (x >= red.x && x < red.x + red.width) {
				reds += is_red;
			} else {
				reds_elsewhere += is_red;
			}
		}
	}
	ok(reds > 20 && reds_elsewhere == 0, "attrs: colour applies to its range only (%d red "
		"pixels in it, %d outside)", reds, reds_elsewhere);
	struct font_layout_metrics m;
	font_layout_get_metrics(layout, &m);
	/* An underline: a row below the baseline dark across most of the range. */
	int best_row = 0;
	for (int y = (int)m.baseline + 1; y < 40; y++) {
		int dark = 0;
		for (int x = (int)under.x; x < (int)(under.x + under.width); x++) {
			dark += (p[y * 220 + x] & 0xff) < 0x80;
		}
		best_row = dark > best_row ? dark : best_row;
	}
	ok(best_row > under.width * 0.8, "attrs: underline drawn under its range (%d of %.0f px)",
		best_row, under.width);
	const struct font_item *items;
	size_t nitems = font_layout_get_items(layout, &items);
	ok(nitems >= 3 && items[0].weight == 700 && strstr(items[0].face->path, "Bold"),
		"attrs: weight 700 picks the bold face (%s)", nitems ? items[0].face->path : "none");
	pixman_image_unref(img);
	font_layout_destroy(layout);
}

/* ---- rendering ---- */

static pixman_image_t *canvas(int w, int h, uint32_t argb) {
	pixman_image_t *img = pixman_image_create_bits(PIXMAN_a8r8g8b8, w, h, NULL, 0);
	uint32_t *p = pixman_image_get_data(img);
	for (int i = 0; i < w * h; i++) {
		p[i] = argb;
	}
	return img;
}

static uint32_t px(pixman_image_t *img, int x, int y) {
	return pixman_image_get_data(img)[y * (pixman_image_get_stride(img) / 4) + x];
}

static void test_render(struct font_context *ctx) {
	const int W = 200, H = 40;
	const char *text = "Hello, wörld";
	struct font_layout *layout = make_layout(ctx, "DejaVu Sans", 20, text);
	struct font_options gray = {.antialias = FONT_ANTIALIAS_GRAY, .hinting = FONT_HINTING_SLIGHT};
	font_layout_set_options(layout, &gray);
	pixman_image_t *img = canvas(W, H, 0xffffffff);
	font_layout_render(layout, img, 10, 5, 0xff000000);
	struct font_layout_metrics m;
	font_layout_get_metrics(layout, &m);

	/* Every character's box holds dark pixels; outside the text box nothing changed. */
	size_t len = strlen(text), covered = 0, chars = 0;
	for (size_t i = 0; i < len; i = font_layout_next_grapheme(layout, i)) {
		size_t next = font_layout_next_grapheme(layout, i);
		if (text[i] == ' ') {
			continue;
		}
		struct font_rect r;
		font_layout_get_selection_rects(layout, i, next, &r, 1);
		bool dark = false;
		for (int y = (int)(5 + r.y); y < (int)(5 + r.y + r.height) && y < H; y++) {
			for (int x = (int)(10 + r.x); x < (int)ceil(10 + r.x + r.width) && x < W; x++) {
				dark |= (px(img, x, y) & 0xff) < 0x80;
			}
		}
		covered += dark;
		chars++;
	}
	ok(chars == 11 && covered == chars, "render: each of %zu characters has dark pixels in its "
		"box (%zu do)", chars, covered);
	int stray = 0;
	for (int y = 0; y < H; y++) {
		for (int x = 0; x < W; x++) {
			bool in = x >= 10 - 2 && x < 10 + m.width + 2 && y >= 5 - 1 && y < 5 + m.height + 1;
			if (!in && px(img, x, y) != 0xffffffff) {
				stray++;
			}
		}
	}
	ok(stray == 0, "render: no pixel outside the %.1fx%.1f text box changed (%d did)", m.width,
		m.height, stray);
	int colored = 0;
	for (int i = 0; i < W * H; i++) {
		uint32_t p = pixman_image_get_data(img)[i];
		colored += ((p >> 16) & 0xff) != ((p >> 8) & 0xff) || ((p >> 8) & 0xff) != (p & 0xff);
	}
	ok(colored == 0, "render: grayscale antialiasing draws only grays (%d coloured)", colored);

	struct font_options rgb = {.antialias = FONT_ANTIALIAS_SUBPIXEL,
		.subpixel = FONT_SUBPIXEL_RGB, .hinting = FONT_HINTING_SLIGHT};
	font_layout_set_options(layout, &rgb);
	pixman_image_t *img_rgb = canvas(W, H, 0xffffffff);
	font_layout_render(layout, img_rgb, 10, 5, 0xff000000);
	struct font_options bgr = rgb;
	bgr.subpixel = FONT_SUBPIXEL_BGR;
	font_layout_set_options(layout, &bgr);
	pixman_image_t *img_bgr = canvas(W, H, 0xffffffff);
	font_layout_render(layout, img_bgr, 10, 5, 0xff000000);
	int fringes = 0, red_left = 0, blue_left = 0, differ = 0;
	for (int y = 0; y < H; y++) {
		for (int x = 0; x < W; x++) {
			uint32_t p = px(img_rgb, x, y), q = px(img_bgr, x, y);
			int r = (p >> 16) & 0xff, b = p & 0xff;
			fringes += r != b;
			differ += p != q;
			/* RGB: a glyph's left edge lets red through less than blue is blocked... so
			 * compare the two orders: swapping R and B of one gives the other. */
			uint32_t swapped = (q & 0xff00ff00) | ((q >> 16) & 0xff) | ((q & 0xff) << 16);
			red_left += p == swapped;
			blue_left += p != swapped;
		}
	}
	ok(fringes > 20, "render: subpixel RGB draws coloured fringes (%d pixels)", fringes);
	ok(differ > 20 && red_left > blue_left, "render: BGR is RGB with red and blue swapped "
		"(%d pixels differ, %d match swapped, %d do not)", differ, red_left, blue_left);

	/* Full hinting snaps outlines to the pixel grid: other pixels than unhinted. */
	struct font_options none = {.hinting = FONT_HINTING_NONE};
	struct font_options full = {.hinting = FONT_HINTING_FULL};
	font_layout_set_options(layout, &none);
	pixman_image_t *img_n = canvas(W, H, 0xffffffff);
	font_layout_render(layout, img_n, 10, 5, 0xff000000);
	font_layout_set_options(layout, &full);
	pixman_image_t *img_f = canvas(W, H, 0xffffffff);
	font_layout_render(layout, img_f, 10, 5, 0xff000000);
	int hint_diff = 0;
	for (int i = 0; i < W * H; i++) {
		hint_diff += pixman_image_get_data(img_n)[i] != pixman_image_get_data(img_f)[i];
	}
	ok(hint_diff > 50, "render: full hinting differs from none (%d pixels)", hint_diff);
	pixman_image_unref(img_n);
	pixman_image_unref(img_f);

	/* Colour emoji keep their colours whatever the text colour. */
	struct font_layout *emoji = make_layout(ctx, "DejaVu Sans", 32, "😀");
	pixman_image_t *img_e = canvas(64, 64, 0xffffffff);
	font_layout_render(emoji, img_e, 4, 4, 0xff000000);
	int saturated = 0;
	for (int i = 0; i < 64 * 64; i++) {
		uint32_t p = pixman_image_get_data(img_e)[i];
		int r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;
		saturated += r > 150 && g > 100 && b < 80; // the face's yellow
	}
	ok(saturated > 50, "render: colour emoji drawn in colour (%d yellow pixels)", saturated);

	/* Scale 2: the same logical metrics, twice the pixels. */
	struct font_layout *two = make_layout(ctx, "DejaVu Sans", 20, text);
	font_layout_set_scale(two, 2);
	struct font_layout_metrics m2;
	font_layout_get_metrics(two, &m2);
	pixman_image_t *img2 = canvas(2 * W, 2 * H, 0xffffffff);
	font_layout_render(two, img2, 10, 5, 0xff000000);
	int dark1 = 0, dark2 = 0;
	for (int i = 0; i < W * H; i++) {
		dark1 += (pixman_image_get_data(img)[i] & 0xff) < 0x80;
	}
	for (int i = 0; i < 4 * W * H; i++) {
		dark2 += (pixman_image_get_data(img2)[i] & 0xff) < 0x80;
	}
	ok(fabs(m2.width - m.width) < 2 && fabs(m2.height - m.height) < 1.5,
		"render: scale 2 keeps logical metrics (%.1fx%.1f vs %.1fx%.1f)", m2.width, m2.height,
		m.width, m.height);
	ok(dark2 > 3 * dark1 && dark2 < 5 * dark1,
		"render: scale 2 covers about four times the pixels (%d vs %d)", dark2, dark1);

	/* Fractional scale: 1.5 draws at 30 px. */
	font_layout_set_scale(two, 1.5);
	font_layout_get_metrics(two, &m2);
	ok(fabs(m2.width - m.width) < 2, "render: scale 1.5 keeps logical width (%.1f vs %.1f)",
		m2.width, m.width);

	struct font_cache_stats st;
	font_context_reset_cache_stats(ctx);
	font_layout_set_options(layout, &gray);
	font_layout_render(layout, img, 10, 5, 0xff000000);
	font_context_get_cache_stats(ctx, &st);
	ok(st.hits >= 11 && st.misses == 0, "glyph cache: drawing again hits (%llu hits, %llu misses)",
		(unsigned long long)st.hits, (unsigned long long)st.misses);
	font_context_set_cache_bound(ctx, 2048);
	font_layout_render(two, img2, 10, 5, 0xff000000);
	font_context_get_cache_stats(ctx, &st);
	ok(st.bytes <= 2048 || st.entries == 1, "glyph cache: stays within its bound (%zu of %zu "
		"bytes, %llu evictions)", st.bytes, st.bound, (unsigned long long)st.evictions);
	ok(st.evictions > 0, "glyph cache: evicts least recently used glyphs");
	font_context_set_cache_bound(ctx, 16u << 20);

	pixman_image_unref(img);
	pixman_image_unref(img_rgb);
	pixman_image_unref(img_bgr);
	pixman_image_unref(img_e);
	pixman_image_unref(img2);
	font_layout_destroy(layout);
	font_layout_destroy(emoji);
	font_layout_destroy(two);
}

/* ---- wrapping and ellipsis ---- */

static double text_width(struct font_context *ctx, const char *text) {
	struct font_layout *l = make_layout(ctx, "DejaVu Sans", 16, text);
	struct font_layout_metrics m;
	font_layout_get_metrics(l, &m);
	font_layout_destroy(l);
	return m.width;
}

/* ---- reshaping at soft breaks, Thai dictionary breaks ---- */

/* Each line of Arabic wrapped inside words has the glyphs hb-shape gives for that
 * line's text alone: the letter before a break takes its final or isolated form, the
 * one after it its initial form. */
static void test_reshape_at_breaks(struct font_context *ctx) {
	const char *text = "مرحبا بالعالم كيف حالك اليوم يا صديقي العزيز";
	struct font_layout *layout = make_layout(ctx, "Noto Sans Arabic", 16, text);
	font_layout_set_language(layout, "ar");
	struct font_options opts = {.hinting = FONT_HINTING_NONE};
	font_layout_set_options(layout, &opts);
	font_layout_set_wrap(layout, FONT_WRAP_CHAR);
	font_layout_set_width(layout, 75);
	font_layout_update(layout);
	size_t nlines = layout->nlines;
	int compared = 0, mid_word = 0;
	bool same = nlines >= 3;
	char why[300] = "";
	for (size_t l = 0; same && l < nlines; l++) {
		const struct font_line_priv *line = &layout->lines[l];
		size_t bs = layout->off[line->cp_start], be = layout->off[line->cp_end];
		if (line->soft && line->cp_end < layout->ncp && layout->cp[line->cp_end - 1] != ' ' &&
				layout->cp[line->cp_end] != ' ') {
			mid_word++;
		}
		/* The glyphs drawn on the line: each run's, in visual order, as render.c does. */
		struct font_glyph ours[256];
		size_t nours = 0;
		const struct font_item *first = NULL;
		for (size_t r = 0; r < line->nruns; r++) {
			const struct font_run *run = &line->runs[r];
			if (run->item < 0) {
				continue;
			}
			const struct font_item *item = &layout->items[run->item];
			first = first ? first : item;
			for (size_t g = 0; g < item->nglyphs && nours < 256; g++) {
				if (item->glyphs[g].cluster >= run->cp_start &&
						item->glyphs[g].cluster < run->cp_end) {
					ours[nours++] = item->glyphs[g];
				}
			}
		}
		if (!first) {
			same = false;
			break;
		}
		char out[8192];
		if (!run_hb_shape(first, text + bs, be - bs, "ar", out, sizeof(out))) {
			snprintf(why, sizeof(why), "hb-shape failed: %.100s", out);
			same = false;
			break;
		}
		struct hb_glyph ref[256];
		size_t nref = parse_hb_shape(out, ref, 256);
		if (nref != nours) {
			snprintf(why, sizeof(why), "line %zu: %zu glyphs, hb-shape %zu", l, nours, nref);
			same = false;
			break;
		}
		for (size_t g = 0; g < nref; g++) {
			if (ours[g].id != ref[g].id) {
				snprintf(why, sizeof(why), "line %zu '%.*s' glyph %zu: ours %u, hb-shape %u", l,
					(int)(be - bs), text + bs, g, ours[g].id, ref[g].id);
				same = false;
				break;
			}
			compared++;
		}
	}
	ok(same && mid_word > 0, "reshape: %zu wrapped Arabic lines (%d broken inside a word), "
		"%d glyphs agree with hb-shape of each line alone %s", nlines, mid_word, compared, why);
	/* The lines still cover the text and render. */
	pixman_image_t *img = canvas(100, 200, 0xffffffff);
	font_layout_render(layout, img, 0, 0, 0xff000000);
	int dark = 0;
	for (int i = 0; i < 100 * 200; i++) {
		dark += (pixman_image_get_data(img)[i] & 0xff) < 0x80;
	}
	ok(dark > 200, "reshape: the wrapped lines render (%d dark pixels)", dark);
	pixman_image_unref(img);
	font_layout_destroy(layout);
}

/* A Thai sentence without spaces wraps at the word boundaries libthai's dictionary
 * finds (th_brk_wc_find_breaks, the breaker of its th_brk), never inside a cluster. */
static void test_thai_breaks(struct font_context *ctx) {
	const char *text = "ภาษาไทยเป็นภาษาที่มีระดับเสียงของคำแน่นอนหรือวรรณยุกต์เช่นเดียวกับภาษาจีน";
	ThBrk *brk = th_brk_new(NULL);
	if (!ok(brk != NULL, "thai: libthai opens its dictionary")) {
		return;
	}
	enum font_wrap modes[] = {FONT_WRAP_WORD, FONT_WRAP_WORD_CHAR};
	for (size_t m = 0; m < 2; m++) {
		struct font_layout *layout = make_layout(ctx, "Noto Sans Thai", 16, text);
		font_layout_set_language(layout, "th");
		font_layout_set_wrap(layout, modes[m]);
		font_layout_set_width(layout, 110);
		font_layout_update(layout);
		size_t n = layout->ncp;
		thwchar_t *ws = calloc(n + 1, sizeof(*ws));
		int *pos = calloc(n + 1, sizeof(*pos));
		for (size_t i = 0; i < n; i++) {
			ws[i] = (thwchar_t)layout->cp[i];
		}
		int np = th_brk_wc_find_breaks(brk, ws, pos, n);
		bool all_dict = true, clusters = true;
		char why[200] = "";
		for (size_t l = 1; l < layout->nlines; l++) {
			size_t at = layout->lines[l].cp_start;
			bool found = false;
			for (int k = 0; k < np; k++) {
				found = found || (size_t)pos[k] == at;
			}
			if (!found && all_dict) {
				snprintf(why, sizeof(why), "line %zu starts at %zu, no dictionary break", l, at);
				all_dict = false;
			}
			hb_unicode_general_category_t gc = hb_unicode_general_category(
				hb_unicode_funcs_get_default(), layout->cp[at]);
			if (!layout->gstart[at] || gc == HB_UNICODE_GENERAL_CATEGORY_NON_SPACING_MARK ||
					gc == HB_UNICODE_GENERAL_CATEGORY_SPACING_MARK) {
				clusters = false;
			}
		}
		struct font_layout_metrics mt;
		font_layout_get_metrics(layout, &mt);
		const char *mode = m == 0 ? "WORD" : "WORD_CHAR";
		ok(layout->nlines >= 4 && all_dict,
			"thai (%s): %zu lines, each break at one of libthai's %d word breaks %s", mode,
			layout->nlines, np, why);
		ok(clusters, "thai (%s): no line starts inside a grapheme cluster", mode);
		ok(mt.width <= 110, "thai (%s): every line fits the width (%.1f <= 110)", mode,
			mt.width);
		free(ws);
		free(pos);
		font_layout_destroy(layout);
	}
	/* Ctrl+arrow stops at the dictionary's words too. */
	struct font_layout *layout = make_layout(ctx, "Noto Sans Thai", 16, "ภาษาไทยเป็นภาษา");
	size_t next = font_layout_move_word(layout, 0, 1);
	ok(next == strlen("ภาษา") || next == strlen("ภาษาไทย"),
		"thai: the next word end is a dictionary word's (%zu)", next);
	font_layout_destroy(layout);
	th_brk_delete(brk);
}

/* ---- COLR colour glyphs (the font is generated by make-colr-font.py) ---- */

struct color_count {
	int n;
	double sx;
};

static void test_colr(struct font_context *ctx) {
	const char *path = getenv("LUMEN_TEST_COLR_FONT");
	if (!path) {
		ok(true, "# SKIP COLR: LUMEN_TEST_COLR_FONT not set (run through meson test)");
		return;
	}
	/* 'A': a red layer left of a blue one; 'B': a green body over a bar in the text
	 * colour (palette index 0xFFFF). 40 px: 36 px advances, layers 28 px high. */
	struct font_layout *layout = make_layout(ctx, "Lumen COLR Test", 40, "AB");
	const struct font_item *items;
	size_t nitems = font_layout_get_items(layout, &items);
	ok(nitems == 1 && strcmp(items[0].face->path, path) == 0 && items[0].face->color,
		"COLR: fontconfig finds the generated font and it is a colour face (%s)",
		nitems ? items[0].face->path : "none");
	pixman_image_t *img = canvas(100, 60, 0xffffffff);
	font_layout_render(layout, img, 4, 4, 0xffff00ff); // magenta text
	struct color_count red = {0}, blue = {0}, green = {0}, magenta = {0};
	int other = 0;
	for (int y = 0; y < 60; y++) {
		for (int x = 0; x < 100; x++) {
			uint32_t p = px(img, x, y);
			int r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;
			struct color_count *c = NULL;
			if (r > 230 && g < 25 && b < 25) {
				c = &red;
			} else if (r < 25 && g < 25 && b > 230) {
				c = &blue;
			} else if (r < 25 && g > 180 && g < 225 && b < 25) {
				c = &green;
			} else if (r > 230 && g < 25 && b > 230) {
				c = &magenta;
			} else if (r < 200 || g < 200 || b < 200) {
				other++; // dark or coloured, but none of the palette's (edges, or black)
			}
			if (c) {
				c->n++;
				c->sx += x;
			}
		}
	}
	ok(red.n > 150 && blue.n > 150 && green.n > 250,
		"COLR: layers drawn in the palette's colours (red %d, blue %d, green %d px)",
		red.n, blue.n, green.n);
	double rx = red.n ? red.sx / red.n : 0, bx = blue.n ? blue.sx / blue.n : 0;
	double gx = green.n ? green.sx / green.n : 0;
	ok(rx < bx && bx < gx && rx > 4 && rx < 24 && bx > 20 && bx < 40 && gx > 40 && gx < 76,
		"COLR: each layer where the font puts it (red at x %.1f, blue %.1f, green %.1f)",
		rx, bx, gx);
	ok(magenta.n > 100, "COLR: the foreground layer takes the text colour (%d magenta px)",
		magenta.n);
	ok(other < 80, "COLR: nothing drawn in other colours (%d px, only layer edges)", other);
	/* The same glyphs in another text colour: the foreground layer follows it, the
	 * palette layers stay. */
	pixman_image_t *img2 = canvas(100, 60, 0xffffffff);
	font_layout_render(layout, img2, 4, 4, 0xff00c0c0);
	int teal = 0, red2 = 0;
	for (int i = 0; i < 100 * 60; i++) {
		uint32_t p = pixman_image_get_data(img2)[i];
		int r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;
		teal += r < 25 && g > 170 && g < 210 && b > 170 && b < 210;
		red2 += r > 230 && g < 25 && b < 25;
	}
	ok(teal > 100 && abs(red2 - red.n) < 10,
		"COLR: another text colour changes only the foreground layer (%d teal, red %d)",
		teal, red2);
	pixman_image_unref(img);
	pixman_image_unref(img2);
	font_layout_destroy(layout);
}

static void test_wrap(struct font_context *ctx) {
	const char *text = "the quick brown fox jumps over the lazy dog";
	double w1 = text_width(ctx, "the quick brown fox");
	double w2 = text_width(ctx, "jumps over the lazy dog");
	struct font_layout *layout = make_layout(ctx, "DejaVu Sans", 16, text);
	font_layout_set_width(layout, fmax(w1, w2) + 1);
	struct font_layout_metrics m;
	font_layout_get_metrics(layout, &m);
	struct font_line line = {0};
	font_layout_get_line(layout, 1, &line);
	ok(m.line_count == 2 && line.start == strlen("the quick brown fox "),
		"wrap: two lines at the word break (%d lines, second at %zu)", m.line_count, line.start);
	ok(m.wrapped && m.width <= fmax(w1, w2) + 1, "wrap: no line wider than the width");

	font_layout_set_width(layout, w1 / 2);
	font_layout_get_metrics(layout, &m);
	ok(m.line_count >= 4, "wrap: half the width, more lines (%d)", m.line_count);

	font_layout_set_text(layout, "abcdefghijklmnopqrstuvwxyz", 26);
	double wl = text_width(ctx, "abcdefghijklmnopqrstuvwxyz");
	font_layout_set_width(layout, wl / 3 + 1);
	font_layout_get_metrics(layout, &m);
	bool narrow = true;
	for (int i = 0; i < m.line_count; i++) {
		font_layout_get_line(layout, i, &line);
		narrow &= line.width <= wl / 3 + 1;
	}
	ok(m.line_count >= 3 && m.line_count <= 4 && narrow, "wrap: a long word breaks inside at a third of its width "
		"(%d lines)", m.line_count);
	font_layout_set_wrap(layout, FONT_WRAP_WORD);
	font_layout_get_metrics(layout, &m);
	ok(m.line_count == 1, "wrap: WORD mode lets a long word overflow (%d lines)", m.line_count);

	font_layout_set_text(layout, "one\ntwo\n\nfour", strlen("one\ntwo\n\nfour"));
	font_layout_set_width(layout, -1);
	font_layout_get_metrics(layout, &m);
	ok(m.line_count == 4 && !m.wrapped, "wrap: hard breaks make 4 lines (%d)", m.line_count);

	/* Ellipsis: one line cut to the width, ending in "…". */
	font_layout_set_text(layout, text, strlen(text));
	font_layout_set_wrap(layout, FONT_WRAP_NONE);
	font_layout_set_ellipsize(layout, FONT_ELLIPSIZE_END);
	font_layout_set_width(layout, 100);
	font_layout_get_metrics(layout, &m);
	ok(m.line_count == 1 && m.ellipsized && m.width <= 100 && m.width > 70,
		"ellipsis: one line of %.1f px <= 100, ellipsized", m.width);
	bool has_ell = layout->nellipsis > 0 && layout->lines[0].nruns > 0;
	const struct font_run *last = &layout->lines[0].runs[layout->lines[0].nruns - 1];
	ok(has_ell && last->item == -1, "ellipsis: the line ends in the ellipsis run");
	pixman_image_t *img = canvas(140, 30, 0xffffffff);
	font_layout_render(layout, img, 0, 0, 0xff000000);
	int right = 0;
	for (int y = 0; y < 30; y++) {
		for (int x = 101; x < 140; x++) {
			right += px(img, x, y) != 0xffffffff;
		}
	}
	ok(right == 0, "ellipsis: nothing drawn past the width (%d pixels)", right);
	pixman_image_unref(img);

	font_layout_set_wrap(layout, FONT_WRAP_WORD_CHAR);
	font_layout_set_max_lines(layout, 2);
	font_layout_set_width(layout, w1 / 2);
	font_layout_get_metrics(layout, &m);
	ok(m.line_count == 2 && m.ellipsized, "ellipsis: max 2 lines, the second cut (%d lines)",
		m.line_count);
	font_layout_destroy(layout);

	/* RTL paragraph aligns right by default. */
	struct font_layout *rtl = make_layout(ctx, "DejaVu Sans", 16, "שלום");
	font_layout_set_width(rtl, 200);
	font_layout_get_line(rtl, 0, &line);
	ok(line.rtl && fabs(line.x + line.width - 200) < 1.01,
		"align: an RTL line ends at the right edge (%.1f + %.1f)", line.x, line.width);
	font_layout_destroy(rtl);
}

/* ---- a truncated font ---- */

static bool copy_file(const char *from, const char *to, long keep) {
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	bool good = in && out;
	char buf[65536];
	long total = 0;
	size_t n;
	while (good && (n = fread(buf, 1, sizeof(buf), in)) > 0) {
		if (keep >= 0 && total + (long)n > keep) {
			n = (size_t)(keep - total);
		}
		good = fwrite(buf, 1, n, out) == n;
		total += (long)n;
		if (keep >= 0 && total >= keep) {
			break;
		}
	}
	if (in) {
		fclose(in);
	}
	if (out) {
		fclose(out);
	}
	return good;
}

static void test_corrupt_font(void) {
	char dir[] = "/tmp/lumen-fonts-XXXXXX";
	if (!mkdtemp(dir)) {
		ok(false, "corrupt font: temporary directory");
		return;
	}
	char fonts[64], conf[64], broken[96], good[96], log[64], cmd[128];
	snprintf(fonts, sizeof(fonts), "%s/fonts", dir);
	snprintf(conf, sizeof(conf), "%s/fonts.conf", dir);
	snprintf(broken, sizeof(broken), "%s/Broken.ttf", fonts);
	snprintf(good, sizeof(good), "%s/Mono.ttf", fonts);
	snprintf(log, sizeof(log), "%s/log", dir);
	mkdir(fonts, 0700);
	FILE *f = fopen(conf, "w");
	fprintf(f, "<?xml version=\"1.0\"?>\n<fontconfig><dir>%s</dir><cachedir>%s/cache</cachedir>"
		"</fontconfig>\n", fonts, dir);
	fclose(f);
	/* First whole, so fontconfig lists it (and caches what it saw); then truncated
	 * behind fontconfig's back, as a disk error or an interrupted copy would. */
	copy_file("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", broken, -1);
	copy_file("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", good, -1);
	setenv("FONTCONFIG_FILE", conf, 1);
	struct font_context *ctx = font_context_create();
	font_context_destroy(ctx);
	struct stat st;
	stat("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", &st);
	truncate(broken, st.st_size / 3);

	fflush(stderr);
	int saved = dup(2);
	int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	close(fd);
	ctx = font_context_create();
	struct font_layout *layout = ctx ? make_layout(ctx, "DejaVu Sans", 20, "Hello") : NULL;
	pixman_image_t *img = canvas(120, 40, 0xffffffff);
	const struct font_item *items = NULL;
	size_t nitems = layout ? font_layout_get_items(layout, &items) : 0;
	if (layout) {
		font_layout_render(layout, img, 2, 2, 0xff000000);
	}
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	unsetenv("FONTCONFIG_FILE");

	char text[4096] = "";
	f = fopen(log, "r");
	size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
	text[n] = '\0';
	if (f) {
		fclose(f);
	}
	char *line = strstr(text, "skipping font");
	ok(ctx && line && strstr(line, "Broken.ttf") && strstr(line, "truncated"),
		"corrupt font: skipped with a logged reason: %.*s", line ? (int)strcspn(line, "\n") : 0,
		line ? line : "(no line)");
	ok(nitems > 0 && strstr(items[0].face->path, "Mono.ttf"),
		"corrupt font: the text falls back to the good font (%s)",
		nitems ? items[0].face->path : "none");
	int dark = 0;
	for (int i = 0; i < 120 * 40; i++) {
		dark += (pixman_image_get_data(img)[i] & 0xff) < 0x80;
	}
	ok(dark > 30, "corrupt font: text still drawn (%d dark pixels)", dark);
	pixman_image_unref(img);
	font_layout_destroy(layout);
	font_context_destroy(ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0) {
		printf("# could not remove %s\n", dir);
	}
}

int main(void) {
	lumen_log_init(LUMEN_WARN);
	struct font_context *ctx = font_context_create();
	if (!ok(ctx != NULL, "context: fontconfig finds fonts")) {
		printf("1..%d\n", test_no);
		return 1;
	}
	test_shaping(ctx, "Arabic", "Noto Sans Arabic", "ar", "مرحبا بالعالم، كيف حالك؟");
	test_shaping(ctx, "Hebrew with Latin and digits", "DejaVu Sans", "he",
		"שלום world 123 עולם 4.5");
	test_shaping(ctx, "Devanagari", "Noto Sans Devanagari", "hi", "नमस्ते दुनिया क्षत्रिय");
	test_shaping(ctx, "Thai", "Noto Sans Thai", "th", "สวัสดีชาวโลก น้ำ");
	test_shaping(ctx, "CJK", "WenQuanYi Micro Hei", "zh-cn", "你好，世界。漢字かなカナ");
	test_shaping(ctx, "Latin with features", "DejaVu Sans", "en", "office affine AV To");

	test_visual_order(ctx, "LTR with Hebrew", "abc שלום עולם 123 def", FONT_DIRECTION_AUTO);
	test_visual_order(ctx, "RTL with Latin and digits", "שלום abc 123 עולם!", FONT_DIRECTION_AUTO);
	test_visual_order(ctx, "RTL base, brackets", "(a) [ב] 1.5 - x", FONT_DIRECTION_RTL);
	test_visual_order(ctx, "Arabic with numbers", "مرحبا 2024 hello عالم", FONT_DIRECTION_AUTO);
	test_visual_order(ctx, "nested numbers in RTL", "א 1-2 ב 3/4 ג", FONT_DIRECTION_LTR);

	test_fallback(ctx);

	test_carets(ctx, "Latin", "Hello world", FONT_DIRECTION_AUTO, -1);
	test_carets(ctx, "LTR with Hebrew", "abc שלום 12 def", FONT_DIRECTION_AUTO, -1);
	test_carets(ctx, "RTL with Latin", "שלום abc 12 עולם", FONT_DIRECTION_AUTO, -1);
	test_carets(ctx, "Arabic ligatures", "لا إله مرحبا", FONT_DIRECTION_AUTO, -1);
	test_carets(ctx, "combining marks", "e\xcc\x81t\xc3\xa9 n\xcc\x83", FONT_DIRECTION_AUTO, -1);
	test_carets(ctx, "wrapped bidi", "one two שלוש ארבע five six שש", FONT_DIRECTION_AUTO, 90);
	test_carets(ctx, "emoji sequences and flags", "a👍🏽b🇫🇷🇩🇪c 👨‍👩‍👧 d",
		FONT_DIRECTION_AUTO, -1);
	test_carets(ctx, "Devanagari and Thai", "नमस्ते क्षत्रिय สวัสดี น้ำ", FONT_DIRECTION_AUTO, -1);
	test_graphemes(ctx);
	test_attrs(ctx);

	test_render(ctx);
	test_colr(ctx);
	test_wrap(ctx);
	test_reshape_at_breaks(ctx);
	test_thai_breaks(ctx);
	font_context_destroy(ctx);

	test_corrupt_font();
	printf("1..%d\n", test_no);
	return failures ? 1 : 0;
}
