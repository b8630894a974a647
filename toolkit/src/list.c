/* A list of text rows with keyboard navigation, and the scroll view. */
#include <linux/input-event-codes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <xkbcommon/xkbcommon-keysyms.h>
#include "common/alloc.h"
#include "common/log.h"
#include "tk-private.h"

#define ROW_PAD_X 8
#define ROW_PAD_Y 4

struct tk_list_row {
	struct tk_widget base;
	struct tk_text *text;
	char *str;
	int index;
};

struct tk_list {
	struct tk_widget base;
	int selected;
	tk_widget_fn on_select, on_activate;
	void *data;
};

static struct tk_list *row_list(const struct tk_widget *row) {
	return (struct tk_list *)row->parent;
}

static void row_measure(struct tk_widget *w, int *width, int *height) {
	struct tk_list_row *r = (struct tk_list_row *)w;
	double tw = 0, th = 0;
	if (r->text) {
		tk_text_set_size(r->text, tk_widget_font_size(w), false);
		tk_text_set_scale(r->text, tk_widget_scale(w));
		tk_text_get_size(r->text, &tw, &th);
	}
	*width = (int)ceil(tw) + 2 * ROW_PAD_X;
	*height = (int)ceil(th) + 2 * ROW_PAD_Y;
}

static void row_draw(struct tk_widget *w, struct tk_draw *d) {
	struct tk_list_row *r = (struct tk_list_row *)w;
	struct tk_list *l = row_list(w);
	bool selected = l && l->selected == r->index;
	const struct tk_theme *t = d->theme;
	if (selected) {
		tk_draw_rect(d, w->x, w->y, w->width, w->height, t->selection_bg);
	} else if (w->hover) {
		tk_draw_rect(d, w->x, w->y, w->width, w->height, t->widget_bg_hover);
	}
	tk_draw_text(d, r->text, w->x + ROW_PAD_X, w->y, w->height, selected ? t->selection_fg : t->fg);
}

static void row_destroy(struct tk_widget *w) {
	struct tk_list_row *r = (struct tk_list_row *)w;
	tk_text_destroy(r->text);
	free(r->str);
	free(r);
}

static uint32_t row_states(const struct tk_widget *w) {
	const struct tk_list_row *r = (const struct tk_list_row *)w;
	struct tk_list *l = row_list(w);
	return l && l->selected == r->index ? TK_A11Y_STATE_SELECTED : 0;
}

static bool row_text(const struct tk_widget *w, const char **text, size_t *caret, size_t *ss,
	size_t *se) {
	*text = ((const struct tk_list_row *)w)->str;
	*caret = *ss = *se = 0;
	return true;
}

static bool row_action(struct tk_widget *w, const char *name) {
	struct tk_list *l = row_list(w);
	if (l) {
		tk_list_set_selected(&l->base, ((struct tk_list_row *)w)->index);
	}
	return l != NULL;
}

static const char *const row_actions[] = {"select", NULL};

static const struct tk_widget_impl row_impl = {
	.type = "list-row",
	.role = TK_A11Y_ROLE_LIST_ITEM,
	.measure = row_measure,
	.draw = row_draw,
	.destroy = row_destroy,
	.a11y_states = row_states,
	.a11y_text = row_text,
	.actions = row_actions,
	.action = row_action,
};

static void list_measure(struct tk_widget *w, int *width, int *height) {
	int mw = 120, h = 0;
	for (size_t i = 0; i < w->n_children; i++) {
		int cw, ch;
		tk_widget_measure(w->children[i], &cw, &ch);
		mw = cw > mw ? cw : mw;
		h += ch;
	}
	*width = mw + 4;
	*height = h + 4;
}

static void list_layout(struct tk_widget *w) {
	int y = w->y + 2;
	for (size_t i = 0; i < w->n_children; i++) {
		int cw, ch;
		tk_widget_measure(w->children[i], &cw, &ch);
		tk_widget_set_bounds(w->children[i], w->x + 2, y, w->width - 4, ch);
		y += ch;
	}
}

static void list_draw(struct tk_widget *w, struct tk_draw *d) {
	const struct tk_theme *t = d->theme;
	tk_draw_rect(d, w->x, w->y, w->width, w->height, t->entry_bg);
	tk_draw_frame(d, w->x, w->y, w->width, w->height, t->border_width, t->border);
	for (size_t i = 0; i < w->n_children; i++) {
		tk_widget_draw(w->children[i], d);
	}
}

static void list_select(struct tk_list *l, int row) {
	int n = (int)l->base.n_children;
	if (n == 0) {
		return;
	}
	row = row < 0 ? 0 : row >= n ? n - 1 : row;
	if (row == l->selected) {
		return;
	}
	l->selected = row;
	tk_widget_scroll_into_view(l->base.children[row]);
	tk_widget_queue_redraw(&l->base);
	if (l->on_select) {
		l->on_select(&l->base, l->data);
	}
}

static bool list_key(struct tk_widget *w, const struct tk_key *key) {
	struct tk_list *l = (struct tk_list *)w;
	int n = (int)w->n_children;
	switch (key->sym) {
	case XKB_KEY_Down:
		list_select(l, l->selected < 0 ? 0 : l->selected + 1);
		return true;
	case XKB_KEY_Up:
		list_select(l, l->selected < 0 ? 0 : l->selected - 1);
		return true;
	case XKB_KEY_Home:
		list_select(l, 0);
		return true;
	case XKB_KEY_End:
		list_select(l, n - 1);
		return true;
	case XKB_KEY_Page_Down:
		list_select(l, l->selected + 5);
		return true;
	case XKB_KEY_Page_Up:
		list_select(l, l->selected - 5);
		return true;
	case XKB_KEY_Return:
	case XKB_KEY_KP_Enter:
	case XKB_KEY_space:
		if (l->selected >= 0 && l->on_activate) {
			l->on_activate(w, l->data);
		}
		return true;
	default:
		return false;
	}
}

static bool list_pointer(struct tk_widget *w, const struct tk_pointer *ev) {
	struct tk_list *l = (struct tk_list *)w;
	if (ev->kind != TK_POINTER_PRESS || ev->button != BTN_LEFT) {
		return ev->kind == TK_POINTER_RELEASE && ev->button == BTN_LEFT;
	}
	for (size_t i = 0; i < w->n_children; i++) {
		struct tk_widget *r = w->children[i];
		if (ev->y >= r->y && ev->y < r->y + r->height) {
			list_select(l, (int)i);
			if (ev->clicks >= 2 && l->on_activate) {
				l->on_activate(w, l->data);
			}
			break;
		}
	}
	return true;
}

static const struct tk_widget_impl list_impl = {
	.type = "list",
	.role = TK_A11Y_ROLE_LIST,
	.measure = list_measure,
	.layout = list_layout,
	.draw = list_draw,
	.key = list_key,
	.pointer = list_pointer,
};

struct tk_widget *tk_list_create(void) {
	struct tk_list *l = lumen_xcalloc(1, sizeof(*l));
	tk_widget_init(&l->base, &list_impl);
	l->base.focusable = true;
	l->selected = -1;
	return &l->base;
}

void tk_list_append(struct tk_widget *w, const char *text) {
	if (!lumen_assert(w->impl == &list_impl, "not a list")) {
		return;
	}
	struct tk_list_row *r = lumen_xcalloc(1, sizeof(*r));
	tk_widget_init(&r->base, &row_impl);
	r->str = lumen_xstrdup(text ? text : "");
	r->base.default_name = r->str;
	r->index = (int)w->n_children;
	r->text = tk_text_create(14, false);
	if (r->text) {
		tk_text_set(r->text, r->str, strlen(r->str));
	}
	tk_widget_add_child(w, &r->base);
}

int tk_list_get_selected(const struct tk_widget *w) {
	return w->impl == &list_impl ? ((const struct tk_list *)w)->selected : -1;
}

void tk_list_set_selected(struct tk_widget *w, int row) {
	if (lumen_assert(w->impl == &list_impl, "not a list")) {
		list_select((struct tk_list *)w, row);
	}
}

void tk_list_set_handlers(struct tk_widget *w, tk_widget_fn on_select, tk_widget_fn on_activate,
	void *data) {
	if (!lumen_assert(w->impl == &list_impl, "not a list")) {
		return;
	}
	struct tk_list *l = (struct tk_list *)w;
	l->on_select = on_select;
	l->on_activate = on_activate;
	l->data = data;
}

/* ---- Scroll view ---- */

#define SCROLLBAR 8

struct tk_scroll {
	struct tk_widget base;
	int max_height;
	int offset, content_height;
};

static void scroll_measure(struct tk_widget *w, int *width, int *height) {
	struct tk_scroll *s = (struct tk_scroll *)w;
	int cw = 0, ch = 0;
	if (w->n_children > 0) {
		tk_widget_measure(w->children[0], &cw, &ch);
	}
	*width = cw + SCROLLBAR;
	*height = ch < s->max_height ? ch : s->max_height;
}

static void scroll_clamp(struct tk_scroll *s) {
	int max = s->content_height - s->base.height;
	if (s->offset > max) {
		s->offset = max;
	}
	if (s->offset < 0) {
		s->offset = 0;
	}
}

static void scroll_layout(struct tk_widget *w) {
	struct tk_scroll *s = (struct tk_scroll *)w;
	if (w->n_children == 0) {
		return;
	}
	int cw, ch;
	tk_widget_measure(w->children[0], &cw, &ch);
	s->content_height = ch > w->height ? ch : w->height;
	scroll_clamp(s);
	tk_widget_set_bounds(w->children[0], w->x, w->y - s->offset, w->width - SCROLLBAR,
		s->content_height);
}

static void scroll_draw(struct tk_widget *w, struct tk_draw *d) {
	struct tk_scroll *s = (struct tk_scroll *)w;
	const struct tk_theme *t = d->theme;
	int saved[4];
	tk_draw_push_clip(d, w->x, w->y, w->width, w->height, saved);
	tk_draw_rect(d, w->x, w->y, w->width, w->height, t->window_bg);
	if (w->n_children > 0) {
		tk_widget_draw(w->children[0], d);
	}
	tk_draw_pop_clip(d, saved);
	if (s->content_height > w->height) {
		double frac = (double)w->height / s->content_height;
		double top = (double)s->offset / s->content_height * w->height;
		tk_draw_rect(d, w->x + w->width - SCROLLBAR, w->y, SCROLLBAR, w->height, t->trough);
		tk_draw_rect(d, w->x + w->width - SCROLLBAR + 1, w->y + top, SCROLLBAR - 2,
			w->height * frac, t->fg_disabled);
	}
}

static void scroll_to(struct tk_scroll *s, int offset) {
	s->offset = offset;
	scroll_clamp(s);
	tk_widget_queue_layout(&s->base);
}

static bool scroll_pointer(struct tk_widget *w, const struct tk_pointer *ev) {
	struct tk_scroll *s = (struct tk_scroll *)w;
	if (ev->kind != TK_POINTER_SCROLL) {
		return false;
	}
	scroll_to(s, s->offset + (int)lround(ev->scroll * 3));
	return true;
}

static bool scroll_action(struct tk_widget *w, const char *name) {
	struct tk_scroll *s = (struct tk_scroll *)w;
	int page = w->height > 20 ? w->height - 20 : w->height;
	scroll_to(s, s->offset + (strcmp(name, "scroll-down") == 0 ? page : -page));
	return true;
}

static const char *const scroll_actions[] = {"scroll-up", "scroll-down", NULL};

static bool scroll_value(const struct tk_widget *w, double *v, double *min, double *max) {
	const struct tk_scroll *s = (const struct tk_scroll *)w;
	int range = s->content_height - w->height;
	*v = s->offset;
	*min = 0;
	*max = range > 0 ? range : 0;
	return true;
}

static const struct tk_widget_impl scroll_impl = {
	.type = "scroll",
	.role = TK_A11Y_ROLE_SCROLL_PANE,
	.measure = scroll_measure,
	.layout = scroll_layout,
	.draw = scroll_draw,
	.pointer = scroll_pointer,
	.a11y_value = scroll_value,
	.actions = scroll_actions,
	.action = scroll_action,
};

struct tk_widget *tk_scroll_create(struct tk_widget *child, int max_height) {
	struct tk_scroll *s = lumen_xcalloc(1, sizeof(*s));
	tk_widget_init(&s->base, &scroll_impl);
	s->max_height = max_height > 0 ? max_height : 200;
	if (child) {
		tk_widget_add_child(&s->base, child);
	}
	return &s->base;
}

void tk_widget_scroll_into_view(struct tk_widget *w) {
	for (struct tk_widget *p = w->parent; p; p = p->parent) {
		if (p->impl != &scroll_impl) {
			continue;
		}
		struct tk_scroll *s = (struct tk_scroll *)p;
		/* w's position relative to the content's top. */
		int top = w->y - (p->y - s->offset), bottom = top + w->height;
		if (top < s->offset && bottom > s->offset + p->height) {
			/* Larger than the view and covering it: already in view. */
		} else if (top < s->offset) {
			scroll_to(s, top);
		} else if (bottom > s->offset + p->height) {
			int to = bottom - p->height;
			scroll_to(s, to < top ? to : top);
		}
		if (p->window) {
			tk_window_layout(p->window);
		}
	}
}
