/*
 * A menu button and its menu, an xdg popup with a grab. The menu's items are widgets in
 * the popup window, so focus, keyboard navigation and accessibility work there as
 * anywhere; while open, the popup's tree hangs under the button in the a11y tree.
 */
#include <linux/input-event-codes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <xkbcommon/xkbcommon-keysyms.h>
#include "common/alloc.h"
#include "common/log.h"
#include "tk-private.h"

struct tk_menu_item_def {
	char *label;
	tk_widget_fn fn;
	void *data;
};

struct tk_menu_button {
	struct tk_widget base;
	struct tk_text *text;
	char *str;
	struct tk_menu_item_def *items;
	size_t n_items;
	struct tk_window *popup; // NULL while closed
	char *last;
};

struct tk_menu_item {
	struct tk_widget base;
	struct tk_text *text;
	struct tk_menu_button *button;
	size_t index;
};

void tk_button_draw_face(struct tk_widget *w, struct tk_draw *d, struct tk_text *text);

static void menu_close(struct tk_menu_button *mb) {
	if (!mb->popup) {
		return;
	}
	struct tk_window *popup = mb->popup;
	mb->popup = NULL;
	popup->owner = NULL;
	/* Destroyed from the loop: we may be inside one of its widgets' handlers. */
	popup->closing = true;
	tk_window_schedule_redraw(popup);
	tk_widget_queue_redraw(&mb->base);
	if (mb->base.window) {
		tk_window_set_focus(mb->base.window, &mb->base);
	}
}

static void popup_closed(struct tk_window *popup, void *data) {
	struct tk_menu_button *mb = data;
	if (mb->popup == popup) {
		menu_close(mb);
	}
}

static void item_activate(struct tk_widget *w) {
	struct tk_menu_item *item = (struct tk_menu_item *)w;
	struct tk_menu_button *mb = item->button;
	if (!mb) {
		return;
	}
	struct tk_menu_item_def *def = &mb->items[item->index];
	free(mb->last);
	mb->last = lumen_xstrdup(def->label);
	tk_widget_fn fn = def->fn;
	void *data = def->data;
	menu_close(mb);
	if (fn) {
		fn(&mb->base, data);
	}
}

static void item_measure(struct tk_widget *w, int *width, int *height) {
	struct tk_menu_item *item = (struct tk_menu_item *)w;
	double tw = 0, th = 0;
	if (item->text) {
		tk_text_set_size(item->text, tk_widget_font_size(w), false);
		tk_text_set_scale(item->text, tk_widget_scale(w));
		tk_text_get_size(item->text, &tw, &th);
	}
	*width = (int)ceil(tw) + 32;
	*height = (int)ceil(th) + 12;
}

static void item_draw(struct tk_widget *w, struct tk_draw *d) {
	struct tk_menu_item *item = (struct tk_menu_item *)w;
	const struct tk_theme *t = d->theme;
	bool hl = w->hover || tk_widget_has_focus(w);
	if (hl) {
		tk_draw_rect(d, w->x, w->y, w->width, w->height, t->selection_bg);
	}
	tk_draw_text(d, item->text, w->x + 16, w->y, w->height, hl ? t->selection_fg : t->fg);
}

static bool item_key(struct tk_widget *w, const struct tk_key *key) {
	if (key->sym == XKB_KEY_Return || key->sym == XKB_KEY_KP_Enter || key->sym == XKB_KEY_space) {
		item_activate(w);
		return true;
	}
	return false;
}

static bool item_pointer(struct tk_widget *w, const struct tk_pointer *ev) {
	if (ev->kind == TK_POINTER_RELEASE && ev->button == BTN_LEFT) {
		item_activate(w);
		return true;
	}
	return ev->kind == TK_POINTER_PRESS;
}

static bool item_action(struct tk_widget *w, const char *name) {
	item_activate(w);
	return true;
}

static void item_destroy(struct tk_widget *w) {
	struct tk_menu_item *item = (struct tk_menu_item *)w;
	tk_text_destroy(item->text);
	free(item);
}

static const char *const item_actions[] = {"activate", NULL};

static const struct tk_widget_impl item_impl = {
	.type = "menu-item",
	.role = TK_A11Y_ROLE_MENU_ITEM,
	.measure = item_measure,
	.draw = item_draw,
	.key = item_key,
	.pointer = item_pointer,
	.destroy = item_destroy,
	.actions = item_actions,
	.action = item_action,
};

static void menu_draw(struct tk_widget *w, struct tk_draw *d) {
	const struct tk_theme *t = d->theme;
	tk_draw_rect(d, w->x, w->y, w->width, w->height, t->widget_bg);
	tk_draw_frame(d, w->x, w->y, w->width, w->height, t->border_width, t->border);
	for (size_t i = 0; i < w->n_children; i++) {
		tk_widget_draw(w->children[i], d);
	}
}

static void menu_measure(struct tk_widget *w, int *width, int *height) {
	int mw = 0, h = 4;
	for (size_t i = 0; i < w->n_children; i++) {
		int cw, ch;
		tk_widget_measure(w->children[i], &cw, &ch);
		mw = cw > mw ? cw : mw;
		h += ch;
	}
	*width = mw + 4;
	*height = h;
}

static void menu_layout(struct tk_widget *w) {
	int y = w->y + 2;
	for (size_t i = 0; i < w->n_children; i++) {
		int cw, ch;
		tk_widget_measure(w->children[i], &cw, &ch);
		tk_widget_set_bounds(w->children[i], w->x + 2, y, w->width - 4, ch);
		y += ch;
	}
}

static const struct tk_widget_impl menu_impl = {
	.type = "menu",
	.role = TK_A11Y_ROLE_MENU,
	.measure = menu_measure,
	.layout = menu_layout,
	.draw = menu_draw,
};

static void menu_open(struct tk_menu_button *mb) {
	struct tk_window *win = mb->base.window;
	if (mb->popup || !win || !win->app || mb->n_items == 0) {
		return;
	}
	struct tk_widget *menu = lumen_xcalloc(1, sizeof(*menu));
	tk_widget_init(menu, &menu_impl);
	menu->default_name = mb->str;
	for (size_t i = 0; i < mb->n_items; i++) {
		struct tk_menu_item *item = lumen_xcalloc(1, sizeof(*item));
		tk_widget_init(&item->base, &item_impl);
		item->base.focusable = true;
		item->base.default_name = mb->items[i].label;
		item->button = mb;
		item->index = i;
		item->text = tk_text_create(14, false);
		if (item->text) {
			tk_text_set(item->text, mb->items[i].label, strlen(mb->items[i].label));
		}
		tk_widget_add_child(menu, &item->base);
	}
	struct tk_widget *b = &mb->base;
	mb->popup = tk_window_create_popup(win, b, b->x, b->y, b->width, b->height, menu,
		win->app->last_serial);
	if (!mb->popup) {
		return;
	}
	tk_window_set_close_handler(mb->popup, popup_closed, mb);
	tk_window_set_focus(mb->popup, menu->children[0]);
	tk_widget_queue_redraw(b);
}

static void mb_measure(struct tk_widget *w, int *width, int *height) {
	struct tk_menu_button *mb = (struct tk_menu_button *)w;
	double tw = 0, th = 0;
	if (mb->text) {
		tk_text_set_size(mb->text, tk_widget_font_size(w), false);
		tk_text_set_scale(mb->text, tk_widget_scale(w));
		tk_text_get_size(mb->text, &tw, &th);
	}
	*width = (int)ceil(tw) + 28 + 16;
	*height = (int)ceil(th) + 12;
}

static void mb_draw(struct tk_widget *w, struct tk_draw *d) {
	struct tk_menu_button *mb = (struct tk_menu_button *)w;
	bool pressed = w->pressed;
	w->pressed = pressed || mb->popup;
	tk_button_draw_face(w, d, mb->text);
	w->pressed = pressed;
	/* The arrow: a small downward triangle from rows of rectangles. */
	double ax = w->x + w->width - 18, ay = w->y + w->height / 2.0 - 2;
	for (int i = 0; i < 4; i++) {
		tk_draw_rect(d, ax + i, ay + i, 8 - 2 * i, 1, d->theme->fg);
	}
}

static bool mb_key(struct tk_widget *w, const struct tk_key *key) {
	if (key->sym == XKB_KEY_Return || key->sym == XKB_KEY_KP_Enter || key->sym == XKB_KEY_space ||
			key->sym == XKB_KEY_Down) {
		menu_open((struct tk_menu_button *)w);
		return true;
	}
	return false;
}

static bool mb_pointer(struct tk_widget *w, const struct tk_pointer *ev) {
	if (ev->kind == TK_POINTER_PRESS && ev->button == BTN_LEFT) {
		struct tk_menu_button *mb = (struct tk_menu_button *)w;
		if (mb->popup) {
			menu_close(mb);
		} else {
			menu_open(mb);
		}
		return true;
	}
	return ev->kind == TK_POINTER_RELEASE;
}

static uint32_t mb_states(const struct tk_widget *w) {
	const struct tk_menu_button *mb = (const struct tk_menu_button *)w;
	return TK_A11Y_STATE_EXPANDABLE | (mb->popup ? TK_A11Y_STATE_EXPANDED : 0);
}

static struct tk_widget *mb_extra(const struct tk_widget *w) {
	const struct tk_menu_button *mb = (const struct tk_menu_button *)w;
	return mb->popup ? &mb->popup->a11y_root : NULL;
}

static bool mb_action(struct tk_widget *w, const char *name) {
	struct tk_menu_button *mb = (struct tk_menu_button *)w;
	if (mb->popup) {
		menu_close(mb);
	} else {
		menu_open(mb);
	}
	return true;
}

static void mb_destroy(struct tk_widget *w) {
	struct tk_menu_button *mb = (struct tk_menu_button *)w;
	if (mb->popup) {
		mb->popup->owner = NULL;
		tk_window_set_close_handler(mb->popup, NULL, NULL);
		tk_window_destroy(mb->popup);
	}
	for (size_t i = 0; i < mb->n_items; i++) {
		free(mb->items[i].label);
	}
	free(mb->items);
	tk_text_destroy(mb->text);
	free(mb->str);
	free(mb->last);
	free(mb);
}

static const char *const mb_actions[] = {"press", NULL};

static const struct tk_widget_impl mb_impl = {
	.type = "menu-button",
	.role = TK_A11Y_ROLE_MENU_BUTTON,
	.measure = mb_measure,
	.draw = mb_draw,
	.key = mb_key,
	.pointer = mb_pointer,
	.destroy = mb_destroy,
	.a11y_states = mb_states,
	.a11y_extra_child = mb_extra,
	.actions = mb_actions,
	.action = mb_action,
};

bool tk_menu_button_is(const struct tk_widget *w) {
	return w && w->impl == &mb_impl;
}

struct tk_widget *tk_menu_button_create(const char *label) {
	struct tk_menu_button *mb = lumen_xcalloc(1, sizeof(*mb));
	tk_widget_init(&mb->base, &mb_impl);
	mb->base.focusable = true;
	mb->str = lumen_xstrdup(label ? label : "");
	mb->base.default_name = mb->str;
	mb->text = tk_text_create(14, false);
	if (mb->text) {
		tk_text_set(mb->text, mb->str, strlen(mb->str));
	}
	return &mb->base;
}

void tk_menu_button_add_item(struct tk_widget *w, const char *label, tk_widget_fn fn, void *data) {
	if (!lumen_assert(w->impl == &mb_impl, "not a menu button")) {
		return;
	}
	struct tk_menu_button *mb = (struct tk_menu_button *)w;
	struct tk_menu_item_def *items = realloc(mb->items, (mb->n_items + 1) * sizeof(*items));
	if (!items) {
		abort();
	}
	mb->items = items;
	mb->items[mb->n_items++] = (struct tk_menu_item_def){
		.label = lumen_xstrdup(label ? label : ""), .fn = fn, .data = data,
	};
}

const char *tk_menu_button_get_last(const struct tk_widget *w) {
	return w->impl == &mb_impl ? ((const struct tk_menu_button *)w)->last : NULL;
}
