/*
 * Text benchmark: the same paragraphs (Latin, Arabic, CJK, mixed bidi with emoji)
 * shaped, laid out at a width and rendered into a 32-bit image, with lumen's fonts/
 * and with pango-cairo, side by side in one run. Each iteration builds a new layout
 * (so shaping and line breaking are measured, not only drawing); glyph caches stay
 * warm as they would in an application. Prints microseconds per paragraph, the ratio
 * ours/pango, and our glyph cache's hit rate. Not a test: no thresholds.
 *
 *   ninja -C build bench-text          (or build/bench/text-bench [iterations])
 */
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

int main(int argc, char *argv[]) {
	int iterations = argc > 1 ? atoi(argv[1]) : 200;
	if (iterations < 1) {
		iterations = 1;
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

	pango_font_description_free(fd);
	g_object_unref(pc);
	cairo_font_options_destroy(fo);
	cairo_destroy(cr);
	cairo_surface_destroy(surface);
	pixman_image_unref(img);
	font_context_destroy(ctx);
	return 0;
}
