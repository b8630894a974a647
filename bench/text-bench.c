/*
 * Text benchmark: the same paragraphs (Latin, Arabic, CJK, mixed bidi with emoji)
 * shaped, laid out at a width and rendered into a 32-bit image, with lumen's fonts/
 * and with pango-cairo, side by side in one run. Each iteration builds a new layout
 * (so shaping and line breaking are measured, not only drawing); glyph caches stay
 * warm as they would in an application. Prints microseconds per paragraph, the ratio
 * ours/pango, and our glyph cache's hit rate. Then the drawing step alone, the same
 * glyphs two ways: composited one by one from a cache of our own (as fonts/ draws), and
 * through pixman's glyph cache with pixman_composite_glyphs (with and without a mask).
 * Not a test: no thresholds.
 *
 *   ninja -C build bench-text          (or build/bench/text-bench [iterations])
 */
#include <fontconfig/fontconfig.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include <math.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "fonts/font.h"

#define WIDTH 480
#define HEIGHT 400
#define FONT_PX 15

static const struct {
	const char *name;
	const char *text;
} paragraphs[] = {
	{"latin", "A display server is a program whose primary task is to coordinate the "
		"input and output of its clients to and from the rest of the operating system, "
		"the hardware, and each other. Lumen keeps each of those jobs in its own process, "
		"so that when one of them fails the rest carry on, and a person at the keyboard "
		"sees at most a flicker rather than losing the work in every open window."},
	{"arabic", "يعمل خادم العرض على تنسيق مدخلات ومخرجات البرامج مع بقية نظام التشغيل "
		"والعتاد، ويحافظ كل جزء من أجزاء النظام على عمله الخاص في عملية مستقلة، حتى إذا "
		"تعطل أحدها استمرت البقية في العمل ولم يفقد المستخدم شيئا من عمله في النوافذ "
		"المفتوحة أمامه على الشاشة."},
	{"cjk", "显示服务器是一个程序，其主要任务是协调客户端与操作系统其余部分、硬件以及彼此之间"
		"的输入和输出。每个部分都在自己的进程中运行，因此当其中一个出现故障时，其余部分"
		"继续工作，用户最多只会看到屏幕闪烁一下，而不会丢失任何窗口中的工作。日本語の"
		"かなとカナも少し混ぜておきます。"},
	{"mixed", "The word שלום means peace, and مرحبا means hello; version 2.5 shipped on "
		"2024-03-01 with 120 fixes 🎉. In Hebrew: הגרסה 2.5 כוללת 120 תיקונים, and in "
		"Arabic: الإصدار 2.5 يتضمن 120 إصلاحا. Emoji: 👍🏽 🇫🇷 ❤️ and ✓ marks."},
};
#define NPARA (sizeof(paragraphs) / sizeof(paragraphs[0]))

static double now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int ours_once(struct font_context *ctx, pixman_image_t *img, const char *text) {
	struct font_desc desc = {.family = "DejaVu Sans", .size = FONT_PX, .unit = FONT_SIZE_PX};
	struct font_layout *layout = font_layout_create(ctx, &desc);
	font_layout_set_text(layout, text, strlen(text));
	font_layout_set_width(layout, WIDTH - 20);
	font_layout_render(layout, img, 10, 10, 0xff000000);
	int lines = font_layout_get_line_count(layout);
	font_layout_destroy(layout);
	return lines;
}

static int pango_once(cairo_t *cr, PangoContext *pc, const PangoFontDescription *fd,
		const char *text) {
	PangoLayout *layout = pango_layout_new(pc);
	pango_layout_set_font_description(layout, fd);
	pango_layout_set_width(layout, (WIDTH - 20) * PANGO_SCALE);
	pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_text(layout, text, -1);
	cairo_move_to(cr, 10, 10);
	pango_cairo_show_layout(cr, layout);
	int lines = pango_layout_get_line_count(layout);
	g_object_unref(layout);
	return lines;
}

/*
 * The drawing step alone: the Latin paragraph's glyphs (FreeType, 15 px, gray, laid out
 * by advances and wrapped at the width; no shaping, which both ways share) drawn with
 * each of the two glyph caches. Both hold the same a8 bitmaps; what differs is the
 * lookup and the compositing: one pixman_image_composite32() per glyph from a table of
 * our own (what fonts/src/render.c does), or one pixman_composite_glyphs() call that
 * looks glyphs up in a pixman_glyph_cache_t (pixman 0.28+).
 */
#define MAX_GLYPHS 1024
struct glyph_slot {
	pixman_image_t *image; // a8, NULL for blank glyphs
	int left, top;
};

static void glyph_draw_bench(const char *text, int iterations) {
	FcPattern *pat = FcNameParse((const FcChar8 *)"DejaVu Sans");
	FcConfigSubstitute(NULL, pat, FcMatchPattern);
	FcDefaultSubstitute(pat);
	FcResult res;
	FcPattern *match = FcFontMatch(NULL, pat, &res);
	FcChar8 *file = NULL;
	FT_Library ft = NULL;
	FT_Face face = NULL;
	if (!match || FcPatternGetString(match, FC_FILE, 0, &file) != FcResultMatch ||
			FT_Init_FreeType(&ft) != 0 || FT_New_Face(ft, (const char *)file, 0, &face) != 0) {
		printf("\ndrawing step: DejaVu Sans not found, skipped\n");
		goto out;
	}
	FT_Set_Pixel_Sizes(face, 0, FONT_PX);
	static struct glyph_slot slots[MAX_GLYPHS];
	static pixman_glyph_t placed[2048];
	int n = 0;
	double x = 10, y = 10 + FONT_PX;
	for (const char *c = text; *c && n < 2048; c++) {
		FT_UInt gi = FT_Get_Char_Index(face, (unsigned char)*c);
		if (gi >= MAX_GLYPHS || FT_Load_Glyph(face, gi, FT_LOAD_TARGET_LIGHT) != 0) {
			continue;
		}
		double adv = face->glyph->advance.x / 64.0;
		if (x + adv > WIDTH - 10) {
			x = 10;
			y += FONT_PX * 1.2;
		}
		if (!slots[gi].image && face->glyph->format != FT_GLYPH_FORMAT_BITMAP &&
				FT_Render_Glyph(face->glyph, FT_RENDER_MODE_NORMAL) == 0 &&
				face->glyph->bitmap.width > 0) {
			FT_Bitmap *bm = &face->glyph->bitmap;
			pixman_image_t *img = pixman_image_create_bits(PIXMAN_a8, (int)bm->width,
				(int)bm->rows, NULL, 0);
			uint8_t *dst = (uint8_t *)pixman_image_get_data(img);
			int stride = pixman_image_get_stride(img);
			for (unsigned r = 0; r < bm->rows; r++) {
				memcpy(dst + r * stride, bm->buffer + r * bm->pitch, bm->width);
			}
			slots[gi].image = img;
			slots[gi].left = face->glyph->bitmap_left;
			slots[gi].top = face->glyph->bitmap_top;
		}
		if (slots[gi].image) {
			/* pixman_glyph_t.glyph holds the key until the cache gives the real one. */
			placed[n].x = (int)lround(x);
			placed[n].y = (int)lround(y);
			placed[n].glyph = (const void *)(uintptr_t)gi;
			n++;
		}
		x += adv;
	}

	pixman_image_t *dst = pixman_image_create_bits(PIXMAN_a8r8g8b8, WIDTH, HEIGHT, NULL, 0);
	pixman_color_t black = {0, 0, 0, 0xffff};
	pixman_image_t *solid = pixman_image_create_solid_fill(&black);
	pixman_glyph_cache_t *cache = pixman_glyph_cache_create();
	static pixman_glyph_t glyphs[2048];
	static const int font_key; // any stable address names the font

	double t0 = now();
	for (int it = 0; it < iterations; it++) {
		for (int i = 0; i < n; i++) {
			const struct glyph_slot *g = &slots[(uintptr_t)placed[i].glyph];
			int w = pixman_image_get_width(g->image), h = pixman_image_get_height(g->image);
			pixman_image_composite32(PIXMAN_OP_OVER, solid, g->image, dst, 0, 0, 0, 0,
				placed[i].x + g->left, placed[i].y - g->top, w, h);
		}
	}
	double us[3] = {(now() - t0) / iterations * 1e6, 0, 0};
	for (int pass = 1; pass <= 2; pass++) {
		t0 = now();
		for (int it = 0; it < iterations; it++) {
			/* As an application would: look every glyph up each frame, insert misses. */
			pixman_glyph_cache_freeze(cache);
			for (int i = 0; i < n; i++) {
				uintptr_t gi = (uintptr_t)placed[i].glyph;
				const void *g = pixman_glyph_cache_lookup(cache, (void *)&font_key, (void *)gi);
				if (!g) {
					g = pixman_glyph_cache_insert(cache, (void *)&font_key, (void *)gi,
						-slots[gi].left, slots[gi].top, slots[gi].image);
				}
				glyphs[i] = (pixman_glyph_t){.x = placed[i].x, .y = placed[i].y, .glyph = g};
			}
			if (pass == 1) {
				pixman_composite_glyphs(PIXMAN_OP_OVER, solid, dst, PIXMAN_a8, 0, 0, 0, 0, 0, 0,
					WIDTH, HEIGHT, cache, n, glyphs);
			} else {
				pixman_composite_glyphs_no_mask(PIXMAN_OP_OVER, solid, dst, 0, 0, 0, 0, cache, n,
					glyphs);
			}
			pixman_glyph_cache_thaw(cache);
		}
		us[pass] = (now() - t0) / iterations * 1e6;
	}
	printf("\ndrawing step alone, %d glyphs of the Latin paragraph, %d iterations:\n", n,
		iterations);
	printf("  our cache, one composite per glyph (fonts/):   %8.1f us\n", us[0]);
	printf("  pixman glyph cache, composite_glyphs (a8 mask): %8.1f us  (%.2fx ours)\n", us[1],
		us[1] / us[0]);
	printf("  pixman glyph cache, composite_glyphs_no_mask:   %8.1f us  (%.2fx ours)\n", us[2],
		us[2] / us[0]);
	pixman_glyph_cache_destroy(cache);
	pixman_image_unref(solid);
	pixman_image_unref(dst);
	for (int i = 0; i < MAX_GLYPHS; i++) {
		if (slots[i].image) {
			pixman_image_unref(slots[i].image);
			slots[i].image = NULL;
		}
	}
out:
	if (face) {
		FT_Done_Face(face);
	}
	if (ft) {
		FT_Done_FreeType(ft);
	}
	if (match) {
		FcPatternDestroy(match);
	}
	FcPatternDestroy(pat);
}

int main(int argc, char *argv[]) {
	int iterations = 200;
	if (argc > 1) {
		char *end = NULL;
		long n = strtol(argv[1], &end, 10);
		if (end == argv[1] || *end != '\0' || n < 1 || n > 1000000) {
			fprintf(stderr, "text-bench: ITERATIONS is a whole number from 1 to 1000000\n");
			return 2;
		}
		iterations = (int)n;
	}
	struct font_context *ctx = font_context_create();
	if (!ctx) {
		fprintf(stderr, "text-bench: no fonts\n");
		return 1;
	}
	struct font_options opts = {.antialias = FONT_ANTIALIAS_GRAY, .hinting = FONT_HINTING_SLIGHT};
	font_context_set_default_options(ctx, &opts);
	pixman_image_t *img = pixman_image_create_bits(PIXMAN_a8r8g8b8, WIDTH, HEIGHT, NULL, 0);

	cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, WIDTH, HEIGHT);
	cairo_t *cr = cairo_create(surface);
	cairo_font_options_t *fo = cairo_font_options_create();
	cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_SLIGHT);
	PangoContext *pc = pango_cairo_create_context(cr);
	pango_cairo_context_set_font_options(pc, fo);
	PangoFontDescription *fd = pango_font_description_from_string("DejaVu Sans");
	pango_font_description_set_absolute_size(fd, FONT_PX * PANGO_SCALE);
	cairo_set_source_rgb(cr, 0, 0, 0);

	printf("text benchmark: %d iterations per paragraph, %dx%d ARGB image, %d px DejaVu Sans "
		"(with fallback), gray antialiasing, slight hinting\n\n", iterations, WIDTH, HEIGHT,
		FONT_PX);
	printf("%-8s %6s %6s %14s %14s %11s\n", "para", "bytes", "lines", "ours us/para",
		"pango us/para", "ours/pango");
	double total_ours = 0, total_pango = 0;
	struct font_cache_stats st_all = {0};
	for (size_t p = 0; p < NPARA; p++) {
		const char *text = paragraphs[p].text;
		/* Warm up both: fonts opened, caches filled, as in a running application. */
		int lines_ours = 0, lines_pango = 0;
		for (int i = 0; i < 5; i++) {
			lines_ours = ours_once(ctx, img, text);
			lines_pango = pango_once(cr, pc, fd, text);
		}
		font_context_reset_cache_stats(ctx);
		double t0 = now();
		for (int i = 0; i < iterations; i++) {
			ours_once(ctx, img, text);
		}
		double t1 = now();
		for (int i = 0; i < iterations; i++) {
			pango_once(cr, pc, fd, text);
		}
		cairo_surface_flush(surface);
		double t2 = now();
		struct font_cache_stats st;
		font_context_get_cache_stats(ctx, &st);
		st_all.hits += st.hits;
		st_all.misses += st.misses;
		double ours = (t1 - t0) / iterations * 1e6, pango = (t2 - t1) / iterations * 1e6;
		total_ours += ours;
		total_pango += pango;
		printf("%-8s %6zu %3d/%-2d %14.1f %14.1f %11.2f\n", paragraphs[p].name, strlen(text),
			lines_ours, lines_pango, ours, pango, ours / pango);
	}
	printf("%-8s %6s %6s %14.1f %14.1f %11.2f\n", "all", "", "", total_ours, total_pango,
		total_ours / total_pango);

	/* Cold: a fresh layout and an empty glyph cache, the first frame of an app. */
	font_context_set_cache_bound(ctx, 0);
	font_context_set_cache_bound(ctx, 16u << 20);
	font_context_reset_cache_stats(ctx);
	double t0 = now();
	for (size_t p = 0; p < NPARA; p++) {
		ours_once(ctx, img, paragraphs[p].text);
	}
	double cold = (now() - t0) * 1e6;
	struct font_cache_stats st;
	font_context_get_cache_stats(ctx, &st);
	printf("\nglyph cache, warm runs: %llu hits, %llu misses, hit rate %.2f%%\n",
		(unsigned long long)st_all.hits, (unsigned long long)st_all.misses,
		100.0 * st_all.hits / fmax(1, st_all.hits + st_all.misses));
	printf("glyph cache, one cold pass over all paragraphs: %.0f us, %llu hits, %llu misses "
		"(hit rate %.1f%%), %zu glyphs in %zu bytes (bound %zu)\n", cold,
		(unsigned long long)st.hits, (unsigned long long)st.misses,
		100.0 * st.hits / fmax(1, st.hits + st.misses), st.entries, st.bytes, st.bound);

	glyph_draw_bench(paragraphs[0].text, iterations);

	pango_font_description_free(fd);
	g_object_unref(pc);
	cairo_font_options_destroy(fo);
	cairo_destroy(cr);
	cairo_surface_destroy(surface);
	pixman_image_unref(img);
	font_context_destroy(ctx);
	return 0;
}
