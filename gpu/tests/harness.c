/* Helpers shared by the test files: messages, the pattern, pixel comparison. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "harness.h"

static enum gt_result set_msg(struct gt_ctx *ctx, enum gt_result r, const char *fmt, va_list ap) {
	vsnprintf(ctx->msg, sizeof(ctx->msg), fmt, ap);
	return r;
}

enum gt_result gt_fail(struct gt_ctx *ctx, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	enum gt_result r = set_msg(ctx, GT_FAIL, fmt, ap);
	va_end(ap);
	return r;
}

enum gt_result gt_skip(struct gt_ctx *ctx, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	enum gt_result r = set_msg(ctx, GT_SKIP, fmt, ap);
	va_end(ap);
	return r;
}

enum gt_result gt_pass(struct gt_ctx *ctx, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	enum gt_result r = set_msg(ctx, GT_PASS, fmt, ap);
	va_end(ap);
	return r;
}

void gt_diag(const char *fmt, ...) {
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	printf("# %s\n", line);
	fflush(stdout);
}

void gt_pattern(uint32_t *pixels, int32_t width, int32_t height, int32_t stride, uint32_t seed) {
	uint32_t colours[4] = {0xffff0000, 0xff00ff00, 0xff0000ff, 0xffffffff};
	for (int32_t y = 0; y < height; y++) {
		uint32_t *row = (uint32_t *)((uint8_t *)pixels + (size_t)y * (size_t)stride);
		for (int32_t x = 0; x < width; x++) {
			uint32_t p;
			if (x == 0 || y == 0 || x == width - 1 || y == height - 1) {
				p = 0xffffff00; // the border shows an off-by-one at once
			} else if (y < height / 8) {
				/* a gradient: every value of one channel, shifted by the seed */
				uint32_t v = (uint32_t)(x * 255 / (width > 1 ? width - 1 : 1));
				p = 0xff000000 | ((v + seed) & 0xff) << 16 | v << 8 | (255 - v);
			} else {
				int q = (x >= width / 2) + 2 * (y >= height / 2);
				p = colours[(q + (int)seed) % 4];
				if (((x / 8) + (y / 8)) % 2 == 0) {
					p ^= 0x00404040; // a checker in each quadrant
				}
			}
			row[x] = p;
		}
	}
}

void gt_compare(const uint32_t *got, int32_t got_stride, const uint32_t *want,
		int32_t want_stride, int32_t width, int32_t height, bool alpha, int tol, struct gt_diff *d) {
	d->max_diff = 0;
	d->over = 0;
	d->first_x = d->first_y = -1;
	d->got = d->want = 0;
	int channels = alpha ? 4 : 3;
	for (int32_t y = 0; y < height; y++) {
		const uint32_t *g = (const uint32_t *)((const uint8_t *)got + (size_t)y * (size_t)got_stride);
		const uint32_t *w = (const uint32_t *)((const uint8_t *)want + (size_t)y * (size_t)want_stride);
		for (int32_t x = 0; x < width; x++) {
			int worst = 0;
			for (int c = 0; c < channels; c++) {
				int a = (int)(g[x] >> (8 * c) & 0xff), b = (int)(w[x] >> (8 * c) & 0xff);
				int diff = abs(a - b);
				worst = diff > worst ? diff : worst;
			}
			if (worst > d->max_diff) {
				d->max_diff = worst;
			}
			if (worst > tol) {
				if (d->over == 0) {
					d->first_x = x;
					d->first_y = y;
					d->got = g[x];
					d->want = w[x];
				}
				d->over++;
			}
		}
	}
}
