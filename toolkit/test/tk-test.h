#ifndef TOOLKIT_TEST_TK_TEST_H
#define TOOLKIT_TEST_TK_TEST_H

#include <stdbool.h>
#include <xkbcommon/xkbcommon-keysyms.h>
#include "tk-private.h"

/* TAP for the toolkit's unit tests. */
void tk_test_ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int tk_test_done(void);
/** Sends a key to an offscreen window as the keyboard would. */
void tk_test_key(struct tk_window *win, xkb_keysym_t sym, const char *utf8, bool shift,
	bool ctrl);
void tk_test_type(struct tk_window *win, const char *text);
void tk_test_click(struct tk_window *win, double x, double y);
/** Pixels of colour (0xRRGGBB) in a logical rectangle of an image at scale 1. */
int tk_test_count(pixman_image_t *img, int x, int y, int w, int h, uint32_t rgb);

#endif
