/* Box layout without a compositor: sizes, spacing, padding, expansion. */
#include "tk-test.h"

static struct tk_widget *block(int w, int h) {
	struct tk_widget *b = tk_box_create(TK_HORIZONTAL, 0);
	tk_widget_set_min_size(b, w, h);
	return b;
}

int main(void) {
	struct tk_window *win = tk_window_create_offscreen(NULL, 300, 200);
	struct tk_widget *v = tk_box_create(TK_VERTICAL, 5);
	tk_box_set_padding(v, 10);
	struct tk_widget *a = block(50, 20), *b = block(80, 30), *c = block(40, 10);
	tk_box_append(v, a);
	tk_box_append(v, b);
	tk_box_append(v, c);
	tk_window_set_root(win, v);

	int w, h;
	tk_widget_measure(v, &w, &h);
	tk_test_ok(w == 100 && h == 20 + 30 + 10 + 2 * 5 + 2 * 10,
		"a vbox measures its widest child and the sum of heights, spacing and padding (%dx%d)", w, h);

	tk_window_layout(win);
	tk_test_ok(a->x == 10 && a->y == 10 && a->width == 280 && a->height == 20,
		"the first child sits inside the padding, stretched across (%d,%d %dx%d)", a->x, a->y,
		a->width, a->height);
	tk_test_ok(b->y == 35 && c->y == 70, "the next ones follow after the spacing (%d, %d)", b->y,
		c->y);

	tk_widget_set_expand(b, false, true);
	tk_window_layout(win);
	int extra = 200 - h;
	tk_test_ok(b->height == 30 + extra && c->y + c->height == 190,
		"an expanding child takes the extra height (%d) and the last ends at the padding (%d)",
		b->height, c->y + c->height);

	tk_widget_set_expand(c, false, true);
	tk_window_layout(win);
	tk_test_ok(b->height + c->height == 40 + extra && b->height - 30 == extra / 2,
		"two expanding children share it (%d, %d)", b->height, c->height);

	/* Horizontal, with a hidden child. */
	struct tk_widget *hbox = tk_box_create(TK_HORIZONTAL, 4);
	struct tk_widget *x = block(30, 10), *y = block(30, 10), *z = block(30, 10);
	tk_box_append(hbox, x);
	tk_box_append(hbox, y);
	tk_box_append(hbox, z);
	y->hidden = true;
	tk_widget_measure(hbox, &w, &h);
	tk_test_ok(w == 64 && h == 10, "a hidden child takes no room (%dx%d)", w, h);
	tk_widget_set_expand(z, true, false);
	tk_widget_set_bounds(hbox, 0, 0, 100, 10);
	tk_test_ok(x->x == 0 && x->width == 30 && z->x == 34 && z->width == 66,
		"in an hbox the expanding child fills the width (%d+%d)", z->x, z->width);
	tk_widget_destroy(hbox);

	/* Labels measure their text. */
	struct tk_widget *l1 = tk_label_create("i"), *l2 = tk_label_create("a much longer label");
	int w1, h1, w2, h2;
	tk_widget_measure(l1, &w1, &h1);
	tk_widget_measure(l2, &w2, &h2);
	tk_test_ok(w2 > 4 * w1 && h1 > 8 && h1 == h2, "a label's size follows its text (%d < %d, h %d)",
		w1, w2, h1);
	tk_widget_destroy(l1);
	tk_widget_destroy(l2);

	tk_window_destroy(win);
	return tk_test_done();
}
