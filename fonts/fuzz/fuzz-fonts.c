/*
 * libFuzzer target for fonts/. The first byte picks what the rest is:
 *  - bit 7 set: a font file. It goes through the loader's checks and FreeType /
 *    HarfBuzz (font_face_from_memory, as files from fontconfig do), then a string is
 *    shaped with it and its glyphs rasterized in every mode through the glyph cache.
 *  - bit 7 clear: UTF-8 text (any bytes) laid out with the system's fonts under the
 *    options in the first two bytes, then metrics, carets, hit tests, selection,
 *    cursor movement and rendering, with the layout's invariants checked.
 * Seeds: fonts/fuzz/corpus/fonts (font-tiny is written by make-seed-font.py, font-colr
 * is 0x80 and the COLRv0 font of fonts/test/make-colr-font.py).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "common/log.h"
#include "font-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/*
 * libFuzzer checks for leaks after inputs, without tests/lsan.supp. fontconfig keeps
 * allocations for the life of the process that LeakSanitizer cannot reach (the same
 * line is in tests/lsan.supp); nothing of ours is suppressed.
 */
const char *__lsan_default_suppressions(void) {
	return "leak:libfontconfig.so\n";
}

static struct font_context *ctx;

static void fuzz_font(const uint8_t *data, size_t size, uint8_t flags) {
	struct font_face *face = font_face_from_memory(ctx, data, size, flags & 1);
	if (!face) {
		return;
	}
	static const uint32_t text[] = {'A', 'g', ' ', 0x627, 0x644, 0x5d0, 0x928, 0x94d, 0x6f22,
		0x1f600, 0xfffd};
	hb_buffer_t *buf = hb_buffer_create();
	hb_buffer_add_codepoints(buf, text, sizeof(text) / sizeof(text[0]), 0, -1);
	hb_buffer_guess_segment_properties(buf);
	int32_t size26 = 64 * (8 + (flags >> 1 & 15) * 3);
	hb_font_set_scale(face->hb_font, size26, size26);
	hb_shape(face->hb_font, buf, NULL, 0);
	unsigned int n = 0;
	hb_glyph_info_t *info = hb_buffer_get_glyph_infos(buf, &n);
	font_context_set_cache_bound(ctx, 1 << 20);
	for (unsigned int i = 0; i < n; i++) {
		for (int mode = GLYPH_MODE_GRAY; mode <= GLYPH_MODE_LCD_BGR; mode++) {
			glyph_cache_get(ctx, face, size26, info[i].codepoint, (uint8_t)(i & 3),
				(enum glyph_mode)mode, (enum font_hinting)(i % 3), (uint8_t)(flags >> 5 & 3),
				0xff000000u | i * 0x10203u);
		}
	}
	/* A few glyphs by id, whatever the cmap says. */
	long nglyphs = face->ft->num_glyphs < 16 ? face->ft->num_glyphs : 16;
	for (long g = 0; g < nglyphs; g++) {
		glyph_cache_get(ctx, face, size26, (uint32_t)g, 0, GLYPH_MODE_GRAY,
			FONT_HINTING_SLIGHT, 0, 0xff000000u);
	}
	hb_buffer_destroy(buf);
	/* The face goes away now; its cached glyphs must too before its id could matter. */
	font_context_set_cache_bound(ctx, 0);
	font_face_destroy(face);
}

static void check(bool cond) {
	if (!cond) {
		abort();
	}
}

static void fuzz_text(const uint8_t *data, size_t size, uint8_t flags) {
	uint8_t opts = size > 0 ? data[0] : 0;
	if (size > 0) {
		data++, size--;
	}
	struct font_desc desc = {.family = (flags & 1) ? "DejaVu Serif" : NULL,
		.size = 6 + (flags >> 1 & 7) * 3, .unit = FONT_SIZE_PX,
		.weight = (flags & 16) ? FONT_WEIGHT_BOLD : 0,
		.slant = (flags & 32) ? FONT_SLANT_ITALIC : FONT_SLANT_NORMAL};
	struct font_layout *layout = font_layout_create(ctx, &desc);
	if (!layout) {
		return;
	}
	font_layout_set_text(layout, (const char *)data, size);
	font_layout_set_direction(layout, (enum font_direction)(opts % 3));
	font_layout_set_wrap(layout, (enum font_wrap)(opts >> 2 & 3));
	font_layout_set_ellipsize(layout, (opts & 16) ? FONT_ELLIPSIZE_END : FONT_ELLIPSIZE_NONE);
	font_layout_set_max_lines(layout, (opts & 32) ? 2 : 0);
	static const double scales[] = {1, 1.5, 2, 1.25};
	font_layout_set_scale(layout, scales[opts >> 6 & 3]);
	font_layout_set_width(layout, (flags & 64) ? 17.0 + (opts & 63) * 3 : -1);
	struct font_options fo = {.antialias = (enum font_antialias)(opts % 3),
		.subpixel = (enum font_subpixel_order)(opts >> 3 & 1),
		.hinting = (enum font_hinting)(opts >> 4 & 1 ? 2 : 0)};
	font_layout_set_options(layout, &fo);
	if (size > 4) {
		struct font_attr attrs[2] = {
			{.type = FONT_ATTR_WEIGHT, .start = data[0] % size, .end = data[1] % (size + 1),
				.value.weight = 700},
			{.type = FONT_ATTR_UNDERLINE, .start = 0, .end = data[2], .value.on = true},
		};
		font_layout_set_attrs(layout, attrs, 2);
	}

	struct font_layout_metrics m;
	font_layout_get_metrics(layout, &m);
	check(m.line_count >= 1 && m.width >= 0 && m.height > 0);
	int lines = font_layout_get_line_count(layout);
	check(lines == m.line_count);
	size_t len;
	font_layout_get_text(layout, &len);
	check(len == size);

	/* Every grapheme boundary has a caret inside the layout's lines. */
	size_t steps = 0;
	for (size_t i = 0; i <= len && steps < 256; steps++) {
		struct font_rect strong, weak;
		font_layout_get_caret(layout, i, &strong, &weak);
		check(strong.y >= 0 && strong.y <= m.height + 1e-6);
		size_t index, trailing;
		font_layout_hit_test(layout, strong.x, strong.y + strong.height / 2, &index, &trailing);
		check(index <= len && index + trailing <= len);
		size_t next = font_layout_next_grapheme(layout, i);
		check(next > i || i == len);
		check(next <= len);
		check(font_layout_prev_grapheme(layout, next) <= i || next == i);
		size_t mv = font_layout_move_visual(layout, i, (i & 1) ? 1 : -1);
		check(mv <= len);
		check(font_layout_move_word(layout, i, 1) <= len);
		if (i == len) {
			break;
		}
		i = next;
	}
	/* A bounded grid, so long texts stay well under libFuzzer's timeout. */
	double dx = m.width / 40 > 11 ? m.width / 40 : 11, dy = m.height / 12 > 7 ? m.height / 12 : 7;
	for (double y = -5; y < m.height + 5; y += dy) {
		for (double x = -5; x < m.width + 5; x += dx) {
			size_t index, trailing;
			font_layout_hit_test(layout, x, y, &index, &trailing);
			check(index + trailing <= len);
		}
	}
	struct font_rect rects[8];
	size_t nr = font_layout_get_selection_rects(layout, len / 3, len, rects, 8);
	for (size_t i = 0; i < nr && i < 8; i++) {
		check(rects[i].width >= 0 && rects[i].height >= 0);
	}
	pixman_image_t *img = pixman_image_create_bits(PIXMAN_a8r8g8b8, 64, 32, NULL, 0);
	if (img) {
		font_layout_render(layout, img, -3, -2, 0xc0102030);
		pixman_image_unref(img);
	}
	font_layout_destroy(layout);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	if (!ctx) {
		/* Thousands of bad fonts a second would drown the fuzzer's own output. */
		lumen_log_init(LUMEN_SILENT);
		ctx = font_context_create();
		if (!ctx) {
			abort(); // no fonts installed: nothing to fuzz
		}
	}
	if (size == 0) {
		return 0;
	}
	if (data[0] & 0x80) {
		fuzz_font(data + 1, size - 1, data[0]);
	} else {
		fuzz_text(data + 1, size - 1, data[0]);
	}
	return 0;
}
