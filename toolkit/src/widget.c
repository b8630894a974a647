/* The widget base: the tree, measuring, focus order, and the box layout. */
#include <stdlib.h>
#include <string.h>
#include <xkbcommon/xkbcommon-keysyms.h>
#include "common/alloc.h"
#include "common/log.h"
#include "tk-private.h"

void tk_widget_init(struct tk_widget *w, const struct tk_widget_impl *impl) {
	w->impl = impl;
}

void tk_widget_add_child(struct tk_widget *parent, struct tk_widget *child) {
	if (!lumen_assert(child && !child->parent, "child already has a parent")) {
		return;
	}
	if (parent->n_children == parent->cap_children) {
		size_t cap = parent->cap_children ? parent->cap_children * 2 : 4;
		struct tk_widget **c = realloc(parent->children, cap * sizeof(*c));
		if (!c) {
			abort();
		}
		parent->children = c;
		parent->cap_children = cap;
	}
	parent->children[parent->n_children++] = child;
	child->parent = parent;
	tk_widget_set_window(child, parent->window);
	tk_widget_queue_layout(parent);
}

static void forget_in_window(struct tk_window *win, struct tk_widget *w) {
	if (!win) {
		return;
	}
	if (win->focus == w) {
		win->focus = NULL;
	}
	if (win->hover == w) {
		win->hover = NULL;
	}
	if (win->pressed == w) {
		win->pressed = NULL;
	}
	if (win->ti_widget == w) {
		win->ti_widget = NULL;
	}
	if (win->app) {
		tk_clipboard_forget(win->app, w);
	}
}

static void destroy_tree(struct tk_widget *w) {
	for (size_t i = 0; i < w->n_children; i++) {
		w->children[i]->parent = NULL;
		destroy_tree(w->children[i]);
	}
	free(w->children);
	w->children = NULL;
	w->n_children = 0;
	forget_in_window(w->window, w);
	free(w->name);
	free(w->description);
	if (w->impl->destroy) {
		w->impl->destroy(w);
	} else {
		free(w);
	}
}

void tk_widget_destroy(struct tk_widget *w) {
	if (!w) {
		return;
	}
	struct tk_widget *parent = w->parent;
	if (parent) {
		for (size_t i = 0; i < parent->n_children; i++) {
			if (parent->children[i] == w) {
				memmove(&parent->children[i], &parent->children[i + 1],
					(parent->n_children - i - 1) * sizeof(*parent->children));
				parent->n_children--;
				break;
			}
		}
		w->parent = NULL;
		tk_widget_queue_layout(parent);
	}
	destroy_tree(w);
}

void tk_widget_set_window(struct tk_widget *w, struct tk_window *window) {
	bool changed = w->window != window;
	w->window = window;
	for (size_t i = 0; i < w->n_children; i++) {
		tk_widget_set_window(w->children[i], window);
	}
	if (changed && window && w->impl->scale_changed) {
		w->impl->scale_changed(w);
	}
}

void tk_widget_queue_redraw(struct tk_widget *w) {
	if (w && w->window) {
		tk_window_schedule_redraw(w->window);
	}
}

void tk_widget_queue_layout(struct tk_widget *w) {
	if (w && w->window) {
		w->window->needs_layout = true;
		tk_window_schedule_redraw(w->window);
	}
}

void tk_widget_measure(struct tk_widget *w, int *width, int *height) {
	int mw = 0, mh = 0;
	if (!w->hidden && w->impl->measure) {
		w->impl->measure(w, &mw, &mh);
	}
	*width = mw > w->min_width ? mw : w->min_width;
	*height = mh > w->min_height ? mh : w->min_height;
}

void tk_widget_set_bounds(struct tk_widget *w, int x, int y, int width, int height) {
	w->x = x;
	w->y = y;
	w->width = width;
	w->height = height;
	if (w->impl->layout) {
		w->impl->layout(w);
	}
}

void tk_widget_draw(struct tk_widget *w, struct tk_draw *d) {
	if (w->hidden) {
		return;
	}
	/* Skip what lies outside the clip entirely. */
	int fw = d->theme->focus_width;
	if (w->x + w->width + fw <= d->clip_x || w->y + w->height + fw <= d->clip_y ||
			w->x - fw >= d->clip_x + d->clip_w || w->y - fw >= d->clip_y + d->clip_h) {
		return;
	}
	if (w->impl->draw) {
		w->impl->draw(w, d);
	} else {
		for (size_t i = 0; i < w->n_children; i++) {
			tk_widget_draw(w->children[i], d);
		}
	}
	if (tk_widget_has_focus(w)) {
		tk_draw_focus_ring(d, w->x, w->y, w->width, w->height);
	}
}

bool tk_widget_has_focus(const struct tk_widget *w) {
	return w->window && w->window->focus == w;
}

bool tk_widget_can_focus(const struct tk_widget *w) {
	for (const struct tk_widget *p = w; p; p = p->parent) {
		if (p->hidden || p->disabled) {
			return false;
		}
	}
	return w->focusable;
}

struct tk_widget *tk_widget_at(struct tk_widget *w, double x, double y) {
	if (w->hidden || x < w->x || y < w->y || x >= w->x + w->width || y >= w->y + w->height) {
		return NULL;
	}
	for (size_t i = w->n_children; i-- > 0;) {
		struct tk_widget *hit = tk_widget_at(w->children[i], x, y);
		if (hit) {
			return hit;
		}
	}
	return w;
}

struct tk_app *tk_widget_get_app(const struct tk_widget *w) {
	return w->window ? w->window->app : NULL;
}

static const struct tk_settings *widget_settings(const struct tk_widget *w) {
	if (w->window) {
		return w->window->app ? &w->window->app->settings : &w->window->own_settings;
	}
	return NULL;
}

const struct tk_theme *tk_widget_theme(const struct tk_widget *w) {
	static struct tk_theme fallback;
	if (w->window) {
		return w->window->app ? &w->window->app->theme : &w->window->own_theme;
	}
	if (fallback.fg == 0) {
		tk_theme_init(&fallback, TK_THEME_LIGHT);
	}
	return &fallback;
}

double tk_widget_font_size(const struct tk_widget *w) {
	const struct tk_settings *s = widget_settings(w);
	return s ? s->font_size * s->text_scale : 14;
}

double tk_widget_scale(const struct tk_widget *w) {
	return w->window ? tk_window_get_scale(w->window) : 1;
}

static void collect_focusable(struct tk_widget *w, struct tk_widget ***list, size_t *n,
	size_t *cap) {
	if (w->hidden || w->disabled) {
		return;
	}
	if (w->focusable) {
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 16;
			struct tk_widget **l = realloc(*list, *cap * sizeof(**list));
			if (!l) {
				abort();
			}
			*list = l;
		}
		(*list)[(*n)++] = w;
	}
	for (size_t i = 0; i < w->n_children; i++) {
		collect_focusable(w->children[i], list, n, cap);
	}
}

struct tk_widget *tk_focus_next(struct tk_widget *root, struct tk_widget *from, int dir) {
	struct tk_widget **list = NULL;
	size_t n = 0, cap = 0;
	collect_focusable(root, &list, &n, &cap);
	struct tk_widget *next = NULL;
	if (n > 0) {
		size_t at = n;
		for (size_t i = 0; i < n; i++) {
			if (list[i] == from) {
				at = i;
				break;
			}
		}
		if (at == n) {
			next = dir > 0 ? list[0] : list[n - 1];
		} else {
			next = list[(at + n + (size_t)(dir > 0 ? 1 : n - 1)) % n];
		}
	}
	free(list);
	return next;
}

void tk_widget_set_name(struct tk_widget *w, const char *name) {
	free(w->name);
	w->name = name ? lumen_xstrdup(name) : NULL;
	tk_widget_queue_redraw(w);
}

void tk_widget_set_description(struct tk_widget *w, const char *description) {
	free(w->description);
	w->description = description ? lumen_xstrdup(description) : NULL;
	tk_widget_queue_redraw(w);
}

void tk_widget_set_expand(struct tk_widget *w, bool horizontal, bool vertical) {
	w->expand_h = horizontal;
	w->expand_v = vertical;
	tk_widget_queue_layout(w);
}

void tk_widget_set_disabled(struct tk_widget *w, bool disabled) {
	w->disabled = disabled;
	if (disabled && w->window && w->window->focus == w) {
		tk_window_set_focus(w->window, NULL);
	}
	tk_widget_queue_redraw(w);
}

void tk_widget_set_min_size(struct tk_widget *w, int width, int height) {
	w->min_width = width;
	w->min_height = height;
	tk_widget_queue_layout(w);
}

struct tk_a11y_node *tk_widget_get_a11y(struct tk_widget *w) {
	return (struct tk_a11y_node *)w;
}

void tk_widget_get_bounds(const struct tk_widget *w, int *x, int *y, int *width, int *height) {
	*x = w->x;
	*y = w->y;
	*width = w->width;
	*height = w->height;
}

void tk_widget_grab_focus(struct tk_widget *w) {
	if (w->window && tk_widget_can_focus(w)) {
		tk_window_set_focus(w->window, w);
	}
}

/* ---- Box ---- */

struct tk_box {
	struct tk_widget base;
	enum tk_orientation orientation;
	int spacing, padding;
};

static void box_measure(struct tk_widget *w, int *width, int *height) {
	struct tk_box *box = (struct tk_box *)w;
	int along = 0, across = 0, shown = 0;
	for (size_t i = 0; i < w->n_children; i++) {
		struct tk_widget *c = w->children[i];
		if (c->hidden) {
			continue;
		}
		int cw, ch;
		tk_widget_measure(c, &cw, &ch);
		int a = box->orientation == TK_HORIZONTAL ? cw : ch;
		int b = box->orientation == TK_HORIZONTAL ? ch : cw;
		along += a;
		across = b > across ? b : across;
		shown++;
	}
	if (shown > 1) {
		along += box->spacing * (shown - 1);
	}
	along += 2 * box->padding;
	across += 2 * box->padding;
	*width = box->orientation == TK_HORIZONTAL ? along : across;
	*height = box->orientation == TK_HORIZONTAL ? across : along;
}

static void box_layout(struct tk_widget *w) {
	struct tk_box *box = (struct tk_box *)w;
	bool horiz = box->orientation == TK_HORIZONTAL;
	int natural_w, natural_h;
	box_measure(w, &natural_w, &natural_h);
	int extra = horiz ? w->width - natural_w : w->height - natural_h;
	int expanders = 0;
	for (size_t i = 0; i < w->n_children; i++) {
		struct tk_widget *c = w->children[i];
		if (!c->hidden && (horiz ? c->expand_h : c->expand_v)) {
			expanders++;
		}
	}
	if (extra < 0) {
		extra = 0;
	}
	int pos = (horiz ? w->x : w->y) + box->padding;
	int across = (horiz ? w->height : w->width) - 2 * box->padding;
	int given = 0, seen = 0;
	for (size_t i = 0; i < w->n_children; i++) {
		struct tk_widget *c = w->children[i];
		if (c->hidden) {
			continue;
		}
		int cw, ch;
		tk_widget_measure(c, &cw, &ch);
		int size = horiz ? cw : ch;
		if (expanders > 0 && (horiz ? c->expand_h : c->expand_v)) {
			seen++;
			/* The last expander takes the remainder: sizes add up exactly. */
			int share = seen == expanders ? extra - given : extra / expanders;
			size += share;
			given += share;
		}
		if (horiz) {
			tk_widget_set_bounds(c, pos, w->y + box->padding, size, across);
		} else {
			tk_widget_set_bounds(c, w->x + box->padding, pos, across, size);
		}
		pos += size + box->spacing;
	}
}

static const struct tk_widget_impl box_impl = {
	.type = "box",
	.role = TK_A11Y_ROLE_PANEL,
	.measure = box_measure,
	.layout = box_layout,
};

struct tk_widget *tk_box_create(enum tk_orientation orientation, int spacing) {
	struct tk_box *box = lumen_xcalloc(1, sizeof(*box));
	tk_widget_init(&box->base, &box_impl);
	box->orientation = orientation;
	box->spacing = spacing;
	return &box->base;
}

void tk_box_append(struct tk_widget *box, struct tk_widget *child) {
	if (!lumen_assert(box->impl == &box_impl, "not a box")) {
		return;
	}
	tk_widget_add_child(box, child);
}

void tk_box_set_padding(struct tk_widget *w, int padding) {
	if (!lumen_assert(w->impl == &box_impl, "not a box")) {
		return;
	}
	((struct tk_box *)w)->padding = padding;
	tk_widget_queue_layout(w);
}
