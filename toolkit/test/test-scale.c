/*
 * Fractional scales without a compositor: the buffer is the logical size times the scale
 * rounded half away from zero (wp_fractional_scale_v1), every pixel of it painted, and
 * widgets land at their scaled bounds.
 */
#include <math.h>
#include "tk-test.h"

/* Pixels in a device rectangle whose alpha is not 0xff. */
static int unpainted(pixman_image_t *img, int x, int y, int w, int h) {
	uint32_t *px = pixman_image_get_data(img);
	int stride = pixman_image_get_stride(img) / 4, n = 0;
	for (int j = y; j < y + h; j++) {
		for (int i = x; i < x + w; i++) {
			n += (px[j * stride + i] >> 24) != 0xff;
		}
	}
	return n;
}

int main(void) {
	static const struct {
		double scale;
		int w, h, bw, bh;
	} cases[] = {
		{1.25, 301, 201, 376, 251}, // 376.25 x 251.25: ceil() would give 377 x 252
		{1.5, 301, 201, 452, 302},  // 451.5 x 301.5: halves round up
		{1.75, 243, 101, 425, 177}, // 425.25 x 176.75
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tk_window *win = tk_window_create_offscreen(NULL, cases[i].w, cases[i].h);
		win->fractional_scale = cases[i].scale;
		struct tk_widget *box = tk_box_create(TK_VERTICAL, 0);
		tk_window_set_root(win, box);
		pixman_image_t *img = tk_window_render_offscreen(win);
		int bw = pixman_image_get_width(img), bh = pixman_image_get_height(img);
		tk_test_ok(bw == cases[i].bw && bh == cases[i].bh,
			"%dx%d at %g draws a %dx%d buffer (%dx%d)", cases[i].w, cases[i].h, cases[i].scale,
			cases[i].bw, cases[i].bh, bw, bh);
		int holes = unpainted(img, 0, 0, bw, bh);
		tk_test_ok(holes == 0, "and paints all of it, up to the last row and column (%d unpainted)",
			holes);
		pixman_image_unref(img);
		tk_window_destroy(win);
	}

	/* A checked check box's 18x18 square at 1.5 is 27x27 device pixels. */
	struct tk_window *win = tk_window_create_offscreen(NULL, 200, 60);
	win->fractional_scale = 1.5;
	struct tk_widget *box = tk_box_create(TK_VERTICAL, 0);
	tk_box_set_padding(box, 7);
	struct tk_widget *check = tk_check_create("Scaled", true);
	tk_box_append(box, check);
	tk_window_set_root(win, box);
	pixman_image_t *img = tk_window_render_offscreen(win);
	uint32_t accent = win->own_theme.accent & 0xffffff;
	uint32_t *px = pixman_image_get_data(img);
	int stride = pixman_image_get_stride(img) / 4;
	int minx = 1 << 20, miny = 1 << 20, maxx = -1, maxy = -1;
	for (int y = 0; y < pixman_image_get_height(img); y++) {
		for (int x = 0; x < pixman_image_get_width(img); x++) {
			if ((px[y * stride + x] & 0xffffff) == accent) {
				minx = x < minx ? x : minx;
				miny = y < miny ? y : miny;
				maxx = x > maxx ? x : maxx;
				maxy = y > maxy ? y : maxy;
			}
		}
	}
	int ix = check->x + 2, iy = check->y + (check->height - 18) / 2;
	int ex = (int)round(ix * 1.5), ey = (int)round(iy * 1.5);
	tk_test_ok(maxx - minx + 1 == 27 && maxy - miny + 1 == 27 && minx == ex && miny == ey,
		"a check box's square at 1.5 is 27x27 at %d,%d (%dx%d at %d,%d)", ex, ey, maxx - minx + 1,
		maxy - miny + 1, minx, miny);
	pixman_image_unref(img);
	tk_window_destroy(win);
	return tk_test_done();
}
