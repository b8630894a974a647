/*
 * A one-line text entry: editing, selection, clipboard, input methods (text-input-v3:
 * the preedit is drawn underlined at the caret, commits replace the selection) and a
 * password mode in which the text is never drawn, copied out or exposed to
 * accessibility (one bullet per character instead).
 */
#include <linux/input-event-codes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <xkbcommon/xkbcommon-keysyms.h>
#include "common/alloc.h"
#include "common/log.h"
#include "tk-private.h"

#define ENTRY_PAD 6
#define BULLET "\xe2\x80\xa2"
#define BULLET_LEN 3

struct tk_entry {
	struct tk_widget base;
	struct tk_text *text, *placeholder_text;
	char *buf; // the text, NUL-terminated
	size_t len, cap;
	size_t caret, anchor; // bytes; anchor != caret: a selection
	char *preedit; // NULL: none
	int preedit_cursor;
	char *placeholder;
	char *bullets; // password mode: what a11y sees
	double scroll_x;
	bool password, selecting;
	tk_widget_fn on_change, on_activate;
	void *data;
};

static struct tk_entry *entry_of(struct tk_widget *w) {
	return (struct tk_entry *)w;
}

static size_t utf8_chars(const char *s, size_t n) {
	size_t count = 0;
	for (size_t i = 0; i < n; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80) {
			count++;
		}
	}
	return count;
}

/* Byte index into the real text -> index into what is shown (bullets when password). */
static size_t to_display(const struct tk_entry *e, size_t i) {
	return e->password ? utf8_chars(e->buf, i) * BULLET_LEN : i;
}

static size_t from_display(const struct tk_entry *e, size_t d) {
	if (!e->password) {
		return d;
	}
	size_t want = d / BULLET_LEN, i = 0, n = 0;
	while (i < e->len && n < want) {
		i++;
		while (i < e->len && ((unsigned char)e->buf[i] & 0xc0) == 0x80) {
			i++;
		}
		n++;
	}
	return i;
}

static size_t next_char(const struct tk_entry *e, size_t i) {
	if (i >= e->len) {
		return e->len;
	}
	i++;
	while (i < e->len && ((unsigned char)e->buf[i] & 0xc0) == 0x80) {
		i++;
	}
	return i;
}

static size_t prev_char(const struct tk_entry *e, size_t i) {
	if (i == 0) {
		return 0;
	}
	i--;
	while (i > 0 && ((unsigned char)e->buf[i] & 0xc0) == 0x80) {
		i--;
	}
	return i;
}

/* Rebuilds the shown string: text (or bullets) with the preedit spliced in at the caret. */
static void update_display(struct tk_entry *e) {
	free(e->bullets);
	size_t chars = utf8_chars(e->buf, e->len);
	e->bullets = lumen_xcalloc(chars * BULLET_LEN + 1, 1);
	for (size_t i = 0; i < chars; i++) {
		memcpy(e->bullets + i * BULLET_LEN, BULLET, BULLET_LEN);
	}
	if (!e->text) {
		return;
	}
	const char *shown = e->password ? e->bullets : e->buf;
	size_t shown_len = e->password ? chars * BULLET_LEN : e->len;
	size_t at = to_display(e, e->caret);
	size_t plen = e->preedit ? strlen(e->preedit) : 0;
	char *s = lumen_xcalloc(shown_len + plen + 1, 1);
	memcpy(s, shown, at);
	if (plen) {
		memcpy(s + at, e->preedit, plen);
	}
	memcpy(s + at + plen, shown + at, shown_len - at);
	tk_text_set(e->text, s, shown_len + plen);
	tk_text_set_underline(e->text, at, at + plen);
	free(s);
}

static void entry_changed(struct tk_entry *e, bool text_changed) {
	update_display(e);
	tk_widget_queue_redraw(&e->base);
	if (e->base.window) {
		tk_window_update_text_input(e->base.window);
	}
	if (text_changed && e->on_change) {
		e->on_change(&e->base, e->data);
	}
}

static void sel_range(const struct tk_entry *e, size_t *start, size_t *end) {
	*start = e->caret < e->anchor ? e->caret : e->anchor;
	*end = e->caret < e->anchor ? e->anchor : e->caret;
}

static void delete_range(struct tk_entry *e, size_t start, size_t end) {
	if (end > e->len) {
		end = e->len;
	}
	if (start >= end) {
		return;
	}
	memmove(e->buf + start, e->buf + end, e->len - end + 1);
	e->len -= end - start;
	e->caret = e->anchor = start;
}

static bool delete_selection(struct tk_entry *e) {
	size_t s, t;
	sel_range(e, &s, &t);
	if (s == t) {
		return false;
	}
	delete_range(e, s, t);
	return true;
}

static void insert(struct tk_entry *e, const char *text, size_t n) {
	delete_selection(e);
	/* One line: line breaks become spaces, other controls are dropped. */
	if (e->len + n + 1 > e->cap) {
		e->cap = (e->len + n + 1) * 2;
		char *b = realloc(e->buf, e->cap);
		if (!b) {
			abort();
		}
		e->buf = b;
	}
	memmove(e->buf + e->caret + n, e->buf + e->caret, e->len - e->caret + 1);
	size_t out = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == '\n' || c == '\t' || c == '\r') {
			c = ' ';
		} else if (c < 0x20 || c == 0x7f) {
			continue;
		}
		e->buf[e->caret + out++] = (char)c;
	}
	if (out < n) {
		memmove(e->buf + e->caret + out, e->buf + e->caret + n, e->len - e->caret + 1);
	}
	e->len += out;
	e->caret += out;
	e->anchor = e->caret;
}

static void entry_measure(struct tk_widget *w, int *width, int *height) {
	struct tk_entry *e = entry_of(w);
	double tw = 0, th = 0;
	if (e->text) {
		tk_text_set_size(e->text, tk_widget_font_size(w), false);
		tk_text_set_scale(e->text, tk_widget_scale(w));
		tk_text_get_size(e->text, &tw, &th);
	}
	if (e->placeholder_text) {
		tk_text_set_size(e->placeholder_text, tk_widget_font_size(w), false);
		tk_text_set_scale(e->placeholder_text, tk_widget_scale(w));
	}
	*width = 220;
	*height = (int)ceil(th) + 2 * ENTRY_PAD;
}

static double caret_x(struct tk_entry *e) {
	size_t at = to_display(e, e->caret);
	if (e->preedit) {
		size_t pc = (size_t)e->preedit_cursor;
		at += pc <= strlen(e->preedit) ? pc : strlen(e->preedit);
	}
	return e->text ? tk_text_index_to_x(e->text, at) : 0;
}

static void keep_caret_visible(struct tk_entry *e) {
	double inner = e->base.width - 2 * ENTRY_PAD;
	double cx = caret_x(e);
	if (cx - e->scroll_x > inner - 1) {
		e->scroll_x = cx - inner + 1;
	} else if (cx < e->scroll_x) {
		e->scroll_x = cx;
	}
	if (e->scroll_x < 0) {
		e->scroll_x = 0;
	}
}

static void entry_draw(struct tk_widget *w, struct tk_draw *d) {
	struct tk_entry *e = entry_of(w);
	const struct tk_theme *t = d->theme;
	bool focus = tk_widget_has_focus(w);
	tk_draw_rect(d, w->x, w->y, w->width, w->height, t->entry_bg);
	tk_draw_frame(d, w->x, w->y, w->width, w->height, t->border_width,
		focus ? t->accent : t->border);
	int saved[4];
	tk_draw_push_clip(d, w->x + ENTRY_PAD / 2, w->y, w->width - ENTRY_PAD, w->height, saved);
	keep_caret_visible(e);
	double tx = w->x + ENTRY_PAD - e->scroll_x;
	double tw = 0, th = 0;
	if (e->text) {
		tk_text_get_size(e->text, &tw, &th);
	}
	double ty = w->y + floor((w->height - th) / 2);
	size_t s, en;
	sel_range(e, &s, &en);
	if (s != en && e->text) {
		double x0 = tk_text_index_to_x(e->text, to_display(e, s));
		double x1 = tk_text_index_to_x(e->text, to_display(e, en));
		tk_draw_rect(d, tx + x0, ty, x1 - x0, th, t->selection_bg);
	}
	if (e->len == 0 && !e->preedit && e->placeholder_text) {
		tk_draw_text(d, e->placeholder_text, tx, ty, 0, t->fg_disabled);
	} else {
		tk_draw_text(d, e->text, tx, ty, 0, w->disabled ? t->fg_disabled : t->fg);
	}
	if (focus) {
		tk_draw_rect(d, tx + caret_x(e), ty, t->kind == TK_THEME_HIGH_CONTRAST ? 2 : 1, th, t->fg);
	}
	tk_draw_pop_clip(d, saved);
}

static void select_all(struct tk_entry *e) {
	e->anchor = 0;
	e->caret = e->len;
}

static bool entry_key(struct tk_widget *w, const struct tk_key *key) {
	struct tk_entry *e = entry_of(w);
	struct tk_app *app = tk_widget_get_app(w);
	bool changed = false;
	size_t target;
	if (key->ctrl) {
		switch (key->sym) {
		case XKB_KEY_a:
		case XKB_KEY_A:
			select_all(e);
			entry_changed(e, false);
			return true;
		case XKB_KEY_c:
		case XKB_KEY_C:
		case XKB_KEY_x:
		case XKB_KEY_X: {
			size_t s, t;
			sel_range(e, &s, &t);
			if (e->password || s == t) {
				return true; // a password never leaves the entry
			}
			if (app) {
				tk_clipboard_copy(app, e->buf + s, t - s);
			}
			if (key->sym == XKB_KEY_x || key->sym == XKB_KEY_X) {
				delete_selection(e);
				entry_changed(e, true);
			}
			return true;
		}
		case XKB_KEY_v:
		case XKB_KEY_V:
			if (app) {
				tk_clipboard_paste(app, w);
			}
			return true;
		default:
			break;
		}
	}
	switch (key->sym) {
	case XKB_KEY_Left:
	case XKB_KEY_Right:
		if (!key->shift && e->caret != e->anchor) {
			size_t s, t;
			sel_range(e, &s, &t);
			e->caret = key->sym == XKB_KEY_Left ? s : t;
		} else {
			e->caret = key->sym == XKB_KEY_Left ? prev_char(e, e->caret) : next_char(e, e->caret);
		}
		if (!key->shift) {
			e->anchor = e->caret;
		}
		entry_changed(e, false);
		return true;
	case XKB_KEY_Home:
	case XKB_KEY_End:
		e->caret = key->sym == XKB_KEY_Home ? 0 : e->len;
		if (!key->shift) {
			e->anchor = e->caret;
		}
		entry_changed(e, false);
		return true;
	case XKB_KEY_BackSpace:
	case XKB_KEY_Delete:
		if (!delete_selection(e)) {
			target = key->sym == XKB_KEY_BackSpace ? prev_char(e, e->caret) : next_char(e, e->caret);
			if (target < e->caret) {
				delete_range(e, target, e->caret);
			} else {
				delete_range(e, e->caret, target);
			}
		}
		entry_changed(e, true);
		return true;
	case XKB_KEY_Return:
	case XKB_KEY_KP_Enter:
		if (e->on_activate) {
			e->on_activate(w, e->data);
		}
		return true;
	default:
		break;
	}
	if (!key->ctrl && !key->alt && key->utf8[0] && (unsigned char)key->utf8[0] >= 0x20 &&
			key->utf8[0] != 0x7f) {
		insert(e, key->utf8, strlen(key->utf8));
		changed = true;
	}
	if (changed) {
		entry_changed(e, true);
		return true;
	}
	return false;
}

static size_t index_at(struct tk_entry *e, double x) {
	if (!e->text) {
		return 0;
	}
	double local = x - (e->base.x + ENTRY_PAD) + e->scroll_x;
	return from_display(e, tk_text_x_to_index(e->text, local));
}

static bool entry_pointer(struct tk_widget *w, const struct tk_pointer *ev) {
	struct tk_entry *e = entry_of(w);
	if (ev->kind == TK_POINTER_PRESS && ev->button == BTN_LEFT) {
		if (ev->clicks >= 2) {
			select_all(e);
		} else {
			e->caret = e->anchor = index_at(e, ev->x);
			e->selecting = true;
		}
		entry_changed(e, false);
		return true;
	}
	if (ev->kind == TK_POINTER_MOTION && e->selecting) {
		e->caret = index_at(e, ev->x);
		entry_changed(e, false);
		return true;
	}
	if (ev->kind == TK_POINTER_RELEASE && ev->button == BTN_LEFT) {
		e->selecting = false;
		return true;
	}
	if (ev->kind == TK_POINTER_PRESS && ev->button == BTN_MIDDLE) {
		return true;
	}
	return false;
}

static void entry_focus(struct tk_widget *w, bool in) {
	struct tk_entry *e = entry_of(w);
	if (!in && e->preedit) {
		free(e->preedit);
		e->preedit = NULL;
		update_display(e);
	}
}

static bool entry_text(const struct tk_widget *w, const char **text, size_t *caret,
	size_t *ss, size_t *se) {
	const struct tk_entry *e = (const struct tk_entry *)w;
	*text = e->password ? (e->bullets ? e->bullets : "") : e->buf;
	*caret = to_display(e, e->caret);
	size_t s, t;
	sel_range(e, &s, &t);
	*ss = to_display(e, s);
	*se = to_display(e, t);
	return true;
}

/* An assistive technology moves the caret or selects: start is the anchor, end the
 * caret; both on character boundaries of what a11y_text shows. */
static bool entry_set_selection(struct tk_widget *w, size_t start, size_t end) {
	struct tk_entry *e = entry_of(w);
	size_t shown = to_display(e, e->len);
	if (start > shown || end > shown || e->preedit) {
		return false;
	}
	if (e->password ? (start % BULLET_LEN || end % BULLET_LEN)
			: (((unsigned char)e->buf[start] & 0xc0) == 0x80 ||
				((unsigned char)e->buf[end] & 0xc0) == 0x80)) {
		return false;
	}
	e->anchor = from_display(e, start);
	e->caret = from_display(e, end);
	entry_changed(e, false);
	return true;
}

static uint32_t entry_states(const struct tk_widget *w) {
	const struct tk_entry *e = (const struct tk_entry *)w;
	return TK_A11Y_STATE_EDITABLE | (e->password ? TK_A11Y_STATE_PASSWORD : 0);
}

static void entry_destroy(struct tk_widget *w) {
	struct tk_entry *e = entry_of(w);
	tk_text_destroy(e->text);
	tk_text_destroy(e->placeholder_text);
	free(e->buf);
	free(e->preedit);
	free(e->placeholder);
	free(e->bullets);
	free(e);
}

static bool entry_action(struct tk_widget *w, const char *name) {
	struct tk_entry *e = entry_of(w);
	if (e->on_activate) {
		e->on_activate(w, e->data);
	}
	return true;
}

static const char *const entry_actions[] = {"activate", NULL};

static const struct tk_widget_impl entry_impl = {
	.type = "entry",
	.role = TK_A11Y_ROLE_ENTRY,
	.measure = entry_measure,
	.draw = entry_draw,
	.key = entry_key,
	.pointer = entry_pointer,
	.focus = entry_focus,
	.destroy = entry_destroy,
	.a11y_text = entry_text,
	.a11y_states = entry_states,
	.a11y_set_selection = entry_set_selection,
	.actions = entry_actions,
	.action = entry_action,
};

static const struct tk_widget_impl password_impl = {
	.type = "entry",
	.role = TK_A11Y_ROLE_PASSWORD_TEXT,
	.measure = entry_measure,
	.draw = entry_draw,
	.key = entry_key,
	.pointer = entry_pointer,
	.focus = entry_focus,
	.destroy = entry_destroy,
	.a11y_text = entry_text,
	.a11y_states = entry_states,
	.a11y_set_selection = entry_set_selection,
	.actions = entry_actions,
	.action = entry_action,
};

bool tk_entry_is(const struct tk_widget *w) {
	return w && (w->impl == &entry_impl || w->impl == &password_impl);
}

struct tk_widget *tk_entry_create(const char *placeholder) {
	struct tk_entry *e = lumen_xcalloc(1, sizeof(*e));
	tk_widget_init(&e->base, &entry_impl);
	e->base.focusable = true;
	e->cap = 32;
	e->buf = lumen_xcalloc(e->cap, 1);
	e->placeholder = lumen_xstrdup(placeholder ? placeholder : "");
	e->base.default_name = e->placeholder;
	e->text = tk_text_create(14, false);
	e->placeholder_text = tk_text_create(14, false);
	if (e->placeholder_text) {
		tk_text_set(e->placeholder_text, e->placeholder, strlen(e->placeholder));
	}
	update_display(e);
	return &e->base;
}

const char *tk_entry_get_text(const struct tk_widget *w) {
	return tk_entry_is(w) ? ((const struct tk_entry *)w)->buf : "";
}

void tk_entry_set_text(struct tk_widget *w, const char *text) {
	if (!lumen_assert(tk_entry_is(w), "not an entry")) {
		return;
	}
	struct tk_entry *e = entry_of(w);
	e->len = 0;
	e->buf[0] = '\0';
	e->caret = e->anchor = 0;
	insert(e, text ? text : "", text ? strlen(text) : 0);
	entry_changed(e, true);
}

void tk_entry_set_password(struct tk_widget *w, bool password) {
	if (!lumen_assert(tk_entry_is(w), "not an entry")) {
		return;
	}
	struct tk_entry *e = entry_of(w);
	e->password = password;
	w->impl = password ? &password_impl : &entry_impl;
	entry_changed(e, false);
}

void tk_entry_set_handlers(struct tk_widget *w, tk_widget_fn on_change, tk_widget_fn on_activate,
	void *data) {
	if (!lumen_assert(tk_entry_is(w), "not an entry")) {
		return;
	}
	struct tk_entry *e = entry_of(w);
	e->on_change = on_change;
	e->on_activate = on_activate;
	e->data = data;
}

void tk_entry_ime_preedit(struct tk_widget *w, const char *text, int begin, int end) {
	struct tk_entry *e = entry_of(w);
	free(e->preedit);
	e->preedit = text && *text ? lumen_xstrdup(text) : NULL;
	e->preedit_cursor = begin >= 0 ? begin : (e->preedit ? (int)strlen(e->preedit) : 0);
	update_display(e);
	tk_widget_queue_redraw(w);
}

void tk_entry_ime_commit(struct tk_widget *w, const char *text) {
	struct tk_entry *e = entry_of(w);
	insert(e, text, strlen(text));
	entry_changed(e, true);
}

void tk_entry_ime_delete(struct tk_widget *w, uint32_t before, uint32_t after) {
	struct tk_entry *e = entry_of(w);
	delete_selection(e);
	size_t start = before > e->caret ? 0 : e->caret - before;
	size_t end = e->caret + after > e->len ? e->len : e->caret + after;
	/* Only whole characters: never split a UTF-8 sequence. */
	while (start > 0 && ((unsigned char)e->buf[start] & 0xc0) == 0x80) {
		start--;
	}
	while (end < e->len && ((unsigned char)e->buf[end] & 0xc0) == 0x80) {
		end++;
	}
	delete_range(e, start, end);
	e->caret = e->anchor = start;
	entry_changed(e, true);
}

void tk_entry_ime_state(struct tk_widget *w, const char **text, int *cursor, int *anchor,
	int rect[4], bool *password) {
	struct tk_entry *e = entry_of(w);
	*password = e->password;
	*text = e->password ? "" : e->buf;
	*cursor = e->password ? 0 : (int)e->caret;
	*anchor = e->password ? 0 : (int)e->anchor;
	double th = w->height - 2 * ENTRY_PAD;
	rect[0] = (int)(w->x + ENTRY_PAD - e->scroll_x + caret_x(e));
	rect[1] = w->y + ENTRY_PAD;
	rect[2] = 1;
	rect[3] = (int)th;
}

void tk_entry_paste(struct tk_widget *w, const char *text, size_t len) {
	if (!tk_entry_is(w)) {
		return;
	}
	struct tk_entry *e = entry_of(w);
	insert(e, text, len);
	entry_changed(e, true);
}
