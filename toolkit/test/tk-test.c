#include <linux/input-event-codes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "tk-test.h"

static int count, failed;

void tk_test_ok(bool cond, const char *fmt, ...) {
	count++;
	if (!cond) {
		failed++;
	}
	printf("%s %d - ", cond ? "ok" : "not ok", count);
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

int tk_test_done(void) {
	printf("1..%d\n", count);
	return failed ? 1 : 0;
}

void tk_test_key(struct tk_window *win, xkb_keysym_t sym, const char *utf8, bool shift,
	bool ctrl) {
	struct tk_key key = {.sym = sym, .utf8 = utf8 ? utf8 : "", .shift = shift, .ctrl = ctrl};
	tk_window_key(win, &key);
}

void tk_test_type(struct tk_window *win, const char *text) {
	for (const char *p = text; *p; p++) {
		char s[2] = {*p, 0};
		tk_test_key(win, (xkb_keysym_t)(unsigned char)*p, s, false, false);
	}
}

void tk_test_click(struct tk_window *win, double x, double y) {
	struct tk_pointer ev = {.kind = TK_POINTER_MOTION, .x = x, .y = y};
	tk_window_pointer(win, &ev);
	ev.kind = TK_POINTER_PRESS;
	ev.button = BTN_LEFT;
	ev.clicks = 1;
	tk_window_pointer(win, &ev);
	ev.kind = TK_POINTER_RELEASE;
	tk_window_pointer(win, &ev);
}

int tk_test_count(pixman_image_t *img, int x, int y, int w, int h, uint32_t rgb) {
	uint32_t *data = pixman_image_get_data(img);
	int stride = pixman_image_get_stride(img) / 4;
	int iw = pixman_image_get_width(img), ih = pixman_image_get_height(img);
	int n = 0;
	for (int j = y; j < y + h && j < ih; j++) {
		for (int i = x; i < x + w && i < iw; i++) {
			if (i >= 0 && j >= 0 && (data[j * stride + i] & 0xffffff) == rgb) {
				n++;
			}
		}
	}
	return n;
}
