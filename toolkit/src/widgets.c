/* Label, button, toggle, check box and slider. */
#include <linux/input-event-codes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <xkbcommon/xkbcommon-keysyms.h>
#include "common/alloc.h"
#include "common/log.h"
#include "tk-private.h"

static bool is_activate_key(xkb_keysym_t sym) {
	return sym == XKB_KEY_Return || sym == XKB_KEY_KP_Enter || sym == XKB_KEY_space ||
		sym == XKB_KEY_KP_Space;
}

static void text_measure(struct tk_widget *w, struct tk_text *text, bool bold, int *width,
	int *height) {
	double tw = 0, th = 0;
	if (text) {
		tk_text_set_size(text, tk_widget_font_size(w) * (bold ? 1.3 : 1), bold);
		tk_text_set_scale(text, tk_widget_scale(w));
		tk_text_get_size(text, &tw, &th);
	}
	*width = (int)ceil(tw);
	*height = (int)ceil(th);
}

/* ---- Label ---- */

struct tk_label {
	struct tk_widget base;
	struct tk_text *text;
	char *str;
};

static void label_measure(struct tk_widget *w, int *width, int *height) {
	struct tk_label *l = (struct tk_label *)w;
	text_measure(w, l->text, w->heading, width, height);
}

static void label_draw(struct tk_widget *w, struct tk_draw *d) {
	struct tk_label *l = (struct tk_label *)w;
	tk_draw_text(d, l->text, w->x, w->y, w->height,
		w->disabled ? d->theme->fg_disabled : d->theme->fg);
}

static void label_destroy(struct tk_widget *w) {
	struct tk_label *l = (struct tk_label *)w;
	tk_text_destroy(l->text);
	free(l->str);
	free(l);
}

static bool label_text(const struct tk_widget *w, const char **text, size_t *caret,
	size_t *ss, size_t *se) {
	const struct tk_label *l = (const struct tk_label *)w;
	*text = l->str;
	*caret = *ss = *se = 0;
	return true;
}

static const struct tk_widget_impl label_impl = {
	.type = "label",
	.role = TK_A11Y_ROLE_LABEL,
	.measure = label_measure,
	.draw = label_draw,
	.destroy = label_destroy,
	.a11y_text = label_text,
};

struct tk_widget *tk_label_create(const char *text) {
	struct tk_label *l = lumen_xcalloc(1, sizeof(*l));
	tk_widget_init(&l->base, &label_impl);
	l->text = tk_text_create(14, false);
	tk_label_set_text(&l->base, text);
	return &l->base;
}

void tk_label_set_text(struct tk_widget *w, const char *text) {
	if (!lumen_assert(w->impl == &label_impl, "not a label")) {
		return;
	}
	struct tk_label *l = (struct tk_label *)w;
	free(l->str);
	l->str = lumen_xstrdup(text ? text : "");
	w->default_name = l->str;
	if (l->text) {
		tk_text_set(l->text, l->str, strlen(l->str));
	}
	tk_widget_queue_layout(w);
}

void tk_label_set_heading(struct tk_widget *w, bool heading) {
	if (!lumen_assert(w->impl == &label_impl, "not a label")) {
		return;
	}
	w->heading = heading;
	tk_widget_queue_layout(w);
}

/* ---- Button ---- */

struct tk_button {
	struct tk_widget base;
	struct tk_text *text;
	char *str;
	tk_widget_fn on_click;
	void *data;
};

#define BUTTON_PAD_X 14
#define BUTTON_PAD_Y 6

static void button_measure(struct tk_widget *w, int *width, int *height) {
	struct tk_button *b = (struct tk_button *)w;
	text_measure(w, b->text, false, width, height);
	*width += 2 * BUTTON_PAD_X;
	*height += 2 * BUTTON_PAD_Y;
}

void tk_button_draw_face(struct tk_widget *w, struct tk_draw *d, struct tk_text *text);
void tk_button_draw_face(struct tk_widget *w, struct tk_draw *d, struct tk_text *text) {
	const struct tk_theme *t = d->theme;
	uint32_t bg = w->pressed ? t->widget_bg_pressed : w->hover ? t->widget_bg_hover : t->widget_bg;
	tk_draw_rect(d, w->x, w->y, w->width, w->height, bg);
	tk_draw_frame(d, w->x, w->y, w->width, w->height, t->border_width, t->border);
	double tw = 0, th = 0;
	if (text) {
		tk_text_get_size(text, &tw, &th);
	}
	tk_draw_text(d, text, w->x + floor((w->width - tw) / 2), w->y, w->height,
		w->disabled ? t->fg_disabled : t->fg);
}

static void button_draw(struct tk_widget *w, struct tk_draw *d) {
	tk_button_draw_face(w, d, ((struct tk_button *)w)->text);
}

static void button_click(struct tk_widget *w) {
	struct tk_button *b = (struct tk_button *)w;
	if (b->on_click) {
		b->on_click(w, b->data);
	}
	tk_widget_queue_redraw(w);
}

static bool button_key(struct tk_widget *w, const struct tk_key *key) {
	if (is_activate_key(key->sym)) {
		button_click(w);
		return true;
	}
	return false;
}

/* Press, then release over the widget: a click (shared by the clickable widgets). */
static bool click_pointer(struct tk_widget *w, const struct tk_pointer *ev, void (*click)(struct tk_widget *)) {
	if (ev->button != BTN_LEFT && ev->kind != TK_POINTER_MOTION) {
		return false;
	}
	switch (ev->kind) {
	case TK_POINTER_PRESS:
		w->pressed = true;
		tk_widget_queue_redraw(w);
		return true;
	case TK_POINTER_RELEASE: {
		bool inside = ev->x >= w->x && ev->y >= w->y && ev->x < w->x + w->width &&
			ev->y < w->y + w->height;
		w->pressed = false;
		if (inside) {
			click(w);
		}
		tk_widget_queue_redraw(w);
		return true;
	}
	default:
		return false;
	}
}

static bool button_pointer(struct tk_widget *w, const struct tk_pointer *ev) {
	return click_pointer(w, ev, button_click);
}

static bool button_action(struct tk_widget *w, const char *name) {
	button_click(w);
	return true;
}

static void button_destroy(struct tk_widget *w) {
	struct tk_button *b = (struct tk_button *)w;
	tk_text_destroy(b->text);
	free(b->str);
	free(b);
}

static const char *const press_actions[] = {"press", NULL};

static const struct tk_widget_impl button_impl = {
	.type = "button",
	.role = TK_A11Y_ROLE_BUTTON,
	.measure = button_measure,
	.draw = button_draw,
	.key = button_key,
	.pointer = button_pointer,
	.destroy = button_destroy,
	.actions = press_actions,
	.action = button_action,
};

struct tk_widget *tk_button_create(const char *label) {
	struct tk_button *b = lumen_xcalloc(1, sizeof(*b));
	tk_widget_init(&b->base, &button_impl);
	b->base.focusable = true;
	b->str = lumen_xstrdup(label ? label : "");
	b->base.default_name = b->str;
	b->text = tk_text_create(14, false);
	if (b->text) {
		tk_text_set(b->text, b->str, strlen(b->str));
	}
	return &b->base;
}

void tk_button_set_handler(struct tk_widget *w, tk_widget_fn on_click, void *data) {
	if (!lumen_assert(w->impl == &button_impl, "not a button")) {
		return;
	}
	struct tk_button *b = (struct tk_button *)w;
	b->on_click = on_click;
	b->data = data;
}

/* ---- Toggle and check box ---- */

struct tk_toggle {
	struct tk_widget base;
	struct tk_text *text;
	char *str;
	bool active, check;
	tk_widget_fn on_change;
	void *data;
};

#define CHECK_SIZE 18
#define SWITCH_W 40
#define SWITCH_H 22
#define INDICATOR_GAP 8

static void toggle_measure(struct tk_widget *w, int *width, int *height) {
	struct tk_toggle *t = (struct tk_toggle *)w;
	text_measure(w, t->text, false, width, height);
	int iw = t->check ? CHECK_SIZE : SWITCH_W, ih = t->check ? CHECK_SIZE : SWITCH_H;
	*width += iw + INDICATOR_GAP + 4;
	*height = (*height > ih ? *height : ih) + 4;
}

static void toggle_draw(struct tk_widget *w, struct tk_draw *d) {
	struct tk_toggle *t = (struct tk_toggle *)w;
	const struct tk_theme *th = d->theme;
	int iw = t->check ? CHECK_SIZE : SWITCH_W, ih = t->check ? CHECK_SIZE : SWITCH_H;
	double ix = w->x + 2, iy = w->y + floor((w->height - ih) / 2.0);
	if (t->check) {
		tk_draw_rect(d, ix, iy, iw, ih, t->active ? th->accent : th->entry_bg);
		tk_draw_frame(d, ix, iy, iw, ih, th->border_width, t->active ? th->accent : th->border);
		if (t->active) {
			/* A check mark as two strokes of squares. */
			for (int i = 0; i < 4; i++) {
				tk_draw_rect(d, ix + 3 + i, iy + 8 + i, 2.5, 2.5, th->accent_fg);
			}
			for (int i = 0; i < 8; i++) {
				tk_draw_rect(d, ix + 7 + i, iy + 11 - i, 2.5, 2.5, th->accent_fg);
			}
		}
	} else {
		tk_draw_rect(d, ix, iy, iw, ih, t->active ? th->accent : th->trough);
		if (th->kind == TK_THEME_HIGH_CONTRAST) {
			tk_draw_frame(d, ix, iy, iw, ih, th->border_width, th->fg);
		}
		double r = ih / 2.0 - 3;
		double cx = t->active ? ix + iw - ih / 2.0 : ix + ih / 2.0;
		tk_draw_circle(d, cx, iy + ih / 2.0, r,
			t->active ? th->accent_fg : (th->kind == TK_THEME_HIGH_CONTRAST ? th->window_bg : 0xffffffff));
	}
	tk_draw_text(d, t->text, w->x + 2 + iw + INDICATOR_GAP, w->y, w->height,
		w->disabled ? th->fg_disabled : th->fg);
}

static void toggle_flip(struct tk_widget *w) {
	struct tk_toggle *t = (struct tk_toggle *)w;
	tk_toggle_set_active(w, !t->active);
}

static bool toggle_key(struct tk_widget *w, const struct tk_key *key) {
	if (is_activate_key(key->sym)) {
		toggle_flip(w);
		return true;
	}
	return false;
}

static bool toggle_pointer(struct tk_widget *w, const struct tk_pointer *ev) {
	return click_pointer(w, ev, toggle_flip);
}

static bool toggle_action(struct tk_widget *w, const char *name) {
	toggle_flip(w);
	return true;
}

static uint32_t toggle_states(const struct tk_widget *w) {
	const struct tk_toggle *t = (const struct tk_toggle *)w;
	return TK_A11Y_STATE_CHECKABLE | (t->active ? TK_A11Y_STATE_CHECKED : 0);
}

static void toggle_destroy(struct tk_widget *w) {
	struct tk_toggle *t = (struct tk_toggle *)w;
	tk_text_destroy(t->text);
	free(t->str);
	free(t);
}

static const char *const toggle_actions[] = {"toggle", NULL};

static const struct tk_widget_impl toggle_impl = {
	.type = "toggle",
	.role = TK_A11Y_ROLE_TOGGLE_BUTTON,
	.measure = toggle_measure,
	.draw = toggle_draw,
	.key = toggle_key,
	.pointer = toggle_pointer,
	.destroy = toggle_destroy,
	.a11y_states = toggle_states,
	.actions = toggle_actions,
	.action = toggle_action,
};

static const struct tk_widget_impl check_impl = {
	.type = "check",
	.role = TK_A11Y_ROLE_CHECK_BOX,
	.measure = toggle_measure,
	.draw = toggle_draw,
	.key = toggle_key,
	.pointer = toggle_pointer,
	.destroy = toggle_destroy,
	.a11y_states = toggle_states,
	.actions = toggle_actions,
	.action = toggle_action,
};

static struct tk_widget *toggle_create(const char *label, bool active, bool check) {
	struct tk_toggle *t = lumen_xcalloc(1, sizeof(*t));
	tk_widget_init(&t->base, check ? &check_impl : &toggle_impl);
	t->base.focusable = true;
	t->check = check;
	t->active = active;
	t->str = lumen_xstrdup(label ? label : "");
	t->base.default_name = t->str;
	t->text = tk_text_create(14, false);
	if (t->text) {
		tk_text_set(t->text, t->str, strlen(t->str));
	}
	return &t->base;
}

struct tk_widget *tk_toggle_create(const char *label, bool active) {
	return toggle_create(label, active, false);
}

struct tk_widget *tk_check_create(const char *label, bool checked) {
	return toggle_create(label, checked, true);
}

static bool is_toggle(const struct tk_widget *w) {
	return w->impl == &toggle_impl || w->impl == &check_impl;
}

bool tk_toggle_get_active(const struct tk_widget *w) {
	return is_toggle(w) && ((const struct tk_toggle *)w)->active;
}

void tk_toggle_set_active(struct tk_widget *w, bool active) {
	if (!lumen_assert(is_toggle(w), "not a toggle")) {
		return;
	}
	struct tk_toggle *t = (struct tk_toggle *)w;
	if (t->active == active) {
		return;
	}
	t->active = active;
	tk_widget_queue_redraw(w);
	if (t->on_change) {
		t->on_change(w, t->data);
	}
}

void tk_toggle_set_handler(struct tk_widget *w, tk_widget_fn on_change, void *data) {
	if (!lumen_assert(is_toggle(w), "not a toggle")) {
		return;
	}
	struct tk_toggle *t = (struct tk_toggle *)w;
	t->on_change = on_change;
	t->data = data;
}

/* ---- Slider ---- */

struct tk_slider {
	struct tk_widget base;
	double min, max, step, value;
	tk_widget_fn on_change;
	void *data;
};

#define SLIDER_KNOB 9

static void slider_measure(struct tk_widget *w, int *width, int *height) {
	*width = 200;
	*height = 2 * SLIDER_KNOB + 6;
}

static double slider_fraction(const struct tk_slider *s) {
	return s->max > s->min ? (s->value - s->min) / (s->max - s->min) : 0;
}

static void slider_draw(struct tk_widget *w, struct tk_draw *d) {
	struct tk_slider *s = (struct tk_slider *)w;
	const struct tk_theme *t = d->theme;
	double x0 = w->x + SLIDER_KNOB + 2, x1 = w->x + w->width - SLIDER_KNOB - 2;
	double cy = w->y + w->height / 2.0;
	double kx = x0 + (x1 - x0) * slider_fraction(s);
	tk_draw_rect(d, x0, cy - 2, x1 - x0, 4, t->trough);
	tk_draw_rect(d, x0, cy - 2, kx - x0, 4, w->disabled ? t->fg_disabled : t->accent);
	tk_draw_circle(d, kx, cy, SLIDER_KNOB, t->border);
	tk_draw_circle(d, kx, cy, SLIDER_KNOB - t->border_width,
		w->pressed ? t->widget_bg_pressed : t->entry_bg);
}

static void slider_change(struct tk_widget *w, double value) {
	struct tk_slider *s = (struct tk_slider *)w;
	if (s->step > 0) {
		value = s->min + round((value - s->min) / s->step) * s->step;
	}
	value = fmin(s->max, fmax(s->min, value));
	if (value == s->value) {
		return;
	}
	s->value = value;
	tk_widget_queue_redraw(w);
	if (s->on_change) {
		s->on_change(w, s->data);
	}
}

static bool slider_key(struct tk_widget *w, const struct tk_key *key) {
	struct tk_slider *s = (struct tk_slider *)w;
	double step = s->step > 0 ? s->step : (s->max - s->min) / 100;
	switch (key->sym) {
	case XKB_KEY_Right:
	case XKB_KEY_Up:
		slider_change(w, s->value + step);
		return true;
	case XKB_KEY_Left:
	case XKB_KEY_Down:
		slider_change(w, s->value - step);
		return true;
	case XKB_KEY_Page_Up:
		slider_change(w, s->value + 10 * step);
		return true;
	case XKB_KEY_Page_Down:
		slider_change(w, s->value - 10 * step);
		return true;
	case XKB_KEY_Home:
		slider_change(w, s->min);
		return true;
	case XKB_KEY_End:
		slider_change(w, s->max);
		return true;
	default:
		return false;
	}
}

static bool slider_pointer(struct tk_widget *w, const struct tk_pointer *ev) {
	struct tk_slider *s = (struct tk_slider *)w;
	if (ev->kind == TK_POINTER_PRESS && ev->button == BTN_LEFT) {
		w->pressed = true;
	} else if (ev->kind == TK_POINTER_RELEASE && ev->button == BTN_LEFT) {
		w->pressed = false;
		tk_widget_queue_redraw(w);
		return true;
	} else if (ev->kind == TK_POINTER_SCROLL) {
		double step = s->step > 0 ? s->step : (s->max - s->min) / 100;
		slider_change(w, s->value + (ev->scroll < 0 ? step : -step));
		return true;
	} else if (ev->kind != TK_POINTER_MOTION || !w->pressed) {
		return false;
	}
	double x0 = w->x + SLIDER_KNOB + 2, x1 = w->x + w->width - SLIDER_KNOB - 2;
	double f = x1 > x0 ? (ev->x - x0) / (x1 - x0) : 0;
	slider_change(w, s->min + fmin(1, fmax(0, f)) * (s->max - s->min));
	tk_widget_queue_redraw(w);
	return true;
}

static bool slider_value(const struct tk_widget *w, double *v, double *min, double *max) {
	const struct tk_slider *s = (const struct tk_slider *)w;
	*v = s->value;
	*min = s->min;
	*max = s->max;
	return true;
}

static bool slider_action(struct tk_widget *w, const char *name) {
	struct tk_slider *s = (struct tk_slider *)w;
	double step = s->step > 0 ? s->step : (s->max - s->min) / 100;
	slider_change(w, s->value + (strcmp(name, "increment") == 0 ? step : -step));
	return true;
}

static const char *const slider_actions[] = {"increment", "decrement", NULL};

static const struct tk_widget_impl slider_impl = {
	.type = "slider",
	.role = TK_A11Y_ROLE_SLIDER,
	.measure = slider_measure,
	.draw = slider_draw,
	.key = slider_key,
	.pointer = slider_pointer,
	.a11y_value = slider_value,
	.actions = slider_actions,
	.action = slider_action,
};

struct tk_widget *tk_slider_create(double min, double max, double step, double value) {
	struct tk_slider *s = lumen_xcalloc(1, sizeof(*s));
	tk_widget_init(&s->base, &slider_impl);
	s->base.focusable = true;
	s->min = min;
	s->max = max > min ? max : min;
	s->step = step > 0 ? step : 0;
	s->value = fmin(s->max, fmax(s->min, value));
	return &s->base;
}

double tk_slider_get_value(const struct tk_widget *w) {
	return w->impl == &slider_impl ? ((const struct tk_slider *)w)->value : 0;
}

void tk_slider_set_value(struct tk_widget *w, double value) {
	if (lumen_assert(w->impl == &slider_impl, "not a slider")) {
		slider_change(w, value);
	}
}

void tk_slider_set_handler(struct tk_widget *w, tk_widget_fn on_change, void *data) {
	if (!lumen_assert(w->impl == &slider_impl, "not a slider")) {
		return;
	}
	struct tk_slider *s = (struct tk_slider *)w;
	s->on_change = on_change;
	s->data = data;
}
