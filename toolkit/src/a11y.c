/* The accessible side of widgets (toolkit/a11y.h) and the tree dump the tests read. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tk-private.h"

#define NODE(n) ((struct tk_widget *)(n))

static const char *const role_names[] = {
	[TK_A11Y_ROLE_WINDOW] = "window",
	[TK_A11Y_ROLE_PANEL] = "panel",
	[TK_A11Y_ROLE_LABEL] = "label",
	[TK_A11Y_ROLE_BUTTON] = "push-button",
	[TK_A11Y_ROLE_TOGGLE_BUTTON] = "toggle-button",
	[TK_A11Y_ROLE_CHECK_BOX] = "check-box",
	[TK_A11Y_ROLE_SLIDER] = "slider",
	[TK_A11Y_ROLE_ENTRY] = "entry",
	[TK_A11Y_ROLE_PASSWORD_TEXT] = "password-text",
	[TK_A11Y_ROLE_LIST] = "list",
	[TK_A11Y_ROLE_LIST_ITEM] = "list-item",
	[TK_A11Y_ROLE_SCROLL_PANE] = "scroll-pane",
	[TK_A11Y_ROLE_MENU_BUTTON] = "menu-button",
	[TK_A11Y_ROLE_MENU] = "menu",
	[TK_A11Y_ROLE_MENU_ITEM] = "menu-item",
	[TK_A11Y_ROLE_IMAGE] = "image",
	[TK_A11Y_ROLE_HEADING] = "heading",
};

static const char *const state_names[] = {
	"focused", "focusable", "selected", "checked", "expanded", "disabled", "editable",
	"multiline", "password", "checkable", "expandable",
};

const char *tk_a11y_role_name(enum tk_a11y_role role) {
	if ((size_t)role < sizeof(role_names) / sizeof(role_names[0]) && role_names[role]) {
		return role_names[role];
	}
	return "unknown";
}

const char *tk_a11y_state_name(uint32_t state) {
	for (size_t i = 0; i < sizeof(state_names) / sizeof(state_names[0]); i++) {
		if (state == 1u << i) {
			return state_names[i];
		}
	}
	return NULL;
}

enum tk_a11y_role tk_a11y_node_get_role(const struct tk_a11y_node *node) {
	return NODE(node)->heading ? TK_A11Y_ROLE_HEADING : NODE(node)->impl->role;
}

const char *tk_a11y_node_get_name(const struct tk_a11y_node *node) {
	const struct tk_widget *w = NODE(node);
	if (w->name) {
		return w->name;
	}
	return w->default_name ? w->default_name : "";
}

const char *tk_a11y_node_get_description(const struct tk_a11y_node *node) {
	const struct tk_widget *w = NODE(node);
	return w->description ? w->description : "";
}

uint32_t tk_a11y_node_get_states(const struct tk_a11y_node *node) {
	const struct tk_widget *w = NODE(node);
	uint32_t s = w->impl->a11y_states ? w->impl->a11y_states(w) : 0;
	if (w->focusable) {
		s |= TK_A11Y_STATE_FOCUSABLE;
	}
	/* While a popup is open, focus is in it, not in the window below. */
	if (tk_widget_has_focus(w) && tk_window_top_popup(w->window) == w->window) {
		s |= TK_A11Y_STATE_FOCUSED;
	}
	for (const struct tk_widget *p = w; p; p = p->parent) {
		if (p->disabled) {
			s |= TK_A11Y_STATE_DISABLED;
			break;
		}
	}
	return s;
}

bool tk_a11y_node_get_value(const struct tk_a11y_node *node, double *value, double *min,
	double *max) {
	const struct tk_widget *w = NODE(node);
	double v, lo, hi;
	if (!w->impl->a11y_value || !w->impl->a11y_value(w, &v, &lo, &hi)) {
		return false;
	}
	if (value) {
		*value = v;
	}
	if (min) {
		*min = lo;
	}
	if (max) {
		*max = hi;
	}
	return true;
}

void tk_a11y_node_get_bounds(const struct tk_a11y_node *node, struct tk_a11y_rect *b) {
	const struct tk_widget *w = NODE(node);
	*b = (struct tk_a11y_rect){w->x, w->y, w->width, w->height};
}

size_t tk_a11y_node_get_child_count(const struct tk_a11y_node *node) {
	const struct tk_widget *w = NODE(node);
	size_t n = w->n_children;
	if (w->impl->a11y_extra_child && w->impl->a11y_extra_child(w)) {
		n++;
	}
	return n;
}

struct tk_a11y_node *tk_a11y_node_get_child(const struct tk_a11y_node *node, size_t i) {
	const struct tk_widget *w = NODE(node);
	if (i < w->n_children) {
		return (struct tk_a11y_node *)w->children[i];
	}
	if (i == w->n_children && w->impl->a11y_extra_child) {
		return (struct tk_a11y_node *)w->impl->a11y_extra_child(w);
	}
	return NULL;
}

struct tk_a11y_node *tk_a11y_node_get_parent(const struct tk_a11y_node *node) {
	const struct tk_widget *w = NODE(node);
	if (w->parent) {
		return (struct tk_a11y_node *)w->parent;
	}
	/* A popup's tree hangs under the widget that opened it. */
	if (w->window && w->window->owner && w == &w->window->a11y_root) {
		return (struct tk_a11y_node *)w->window->owner;
	}
	return NULL;
}

size_t tk_a11y_node_get_action_count(const struct tk_a11y_node *node) {
	const struct tk_widget *w = NODE(node);
	size_t n = 0;
	if (w->focusable) {
		n++;
	}
	for (const char *const *a = w->impl->actions; a && *a; a++) {
		n++;
	}
	return n;
}

const char *tk_a11y_node_get_action_name(const struct tk_a11y_node *node, size_t i) {
	const struct tk_widget *w = NODE(node);
	if (w->focusable) {
		if (i == 0) {
			return "focus";
		}
		i--;
	}
	for (const char *const *a = w->impl->actions; a && *a; a++, i--) {
		if (i == 0) {
			return *a;
		}
	}
	return NULL;
}

bool tk_a11y_node_do_action(struct tk_a11y_node *node, const char *name) {
	struct tk_widget *w = NODE(node);
	if (!tk_widget_can_focus(w) && w->focusable) {
		return false; // disabled
	}
	if (w->focusable && strcmp(name, "focus") == 0) {
		tk_widget_grab_focus(w);
		return true;
	}
	bool known = false;
	for (const char *const *a = w->impl->actions; a && *a; a++) {
		known = known || strcmp(*a, name) == 0;
	}
	return known && w->impl->action && w->impl->action(w, name);
}

bool tk_a11y_node_get_text(const struct tk_a11y_node *node, const char **text, size_t *caret,
	size_t *sel_start, size_t *sel_end) {
	const struct tk_widget *w = NODE(node);
	const char *t = "";
	size_t c = 0, s = 0, e = 0;
	if (!w->impl->a11y_text || !w->impl->a11y_text(w, &t, &c, &s, &e)) {
		return false;
	}
	if (text) {
		*text = t;
	}
	if (caret) {
		*caret = c;
	}
	if (sel_start) {
		*sel_start = s;
	}
	if (sel_end) {
		*sel_end = e;
	}
	return true;
}

bool tk_a11y_node_set_selection(struct tk_a11y_node *node, size_t start, size_t end) {
	struct tk_widget *w = NODE(node);
	return w->impl->a11y_set_selection && w->impl->a11y_set_selection(w, start, end);
}

/* ---- Dump ---- */

struct out {
	char *buf;
	size_t len, cap;
};

static void put(struct out *o, const char *s, size_t n) {
	if (o->len + n + 1 > o->cap) {
		size_t cap = (o->len + n + 1) * 2;
		char *b = realloc(o->buf, cap);
		if (!b) {
			abort();
		}
		o->buf = b;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void puts_(struct out *o, const char *s) {
	put(o, s, strlen(s));
}

static void putf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct out *o, const char *fmt, ...) {
	char tmp[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0) {
		put(o, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
	}
}

static void put_json_string(struct out *o, const char *s) {
	puts_(o, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			putf(o, "\\%c", c);
		} else if (c < 0x20) {
			putf(o, "\\u%04x", c);
		} else {
			put(o, s, 1);
		}
	}
	puts_(o, "\"");
}

static void put_states(struct out *o, uint32_t states, bool json) {
	bool first = true;
	for (uint32_t bit = 1; bit && bit <= TK_A11Y_STATE_EXPANDABLE; bit <<= 1) {
		if (!(states & bit)) {
			continue;
		}
		if (!first) {
			puts_(o, ",");
		}
		first = false;
		if (json) {
			put_json_string(o, tk_a11y_state_name(bit));
		} else {
			puts_(o, tk_a11y_state_name(bit));
		}
	}
}

static void dump_node(struct out *o, const struct tk_a11y_node *node, int depth, bool json) {
	struct tk_a11y_rect b;
	tk_a11y_node_get_bounds(node, &b);
	double v, lo, hi;
	bool has_value = tk_a11y_node_get_value(node, &v, &lo, &hi);
	const char *text;
	size_t caret, ss, se;
	bool has_text = tk_a11y_node_get_text(node, &text, &caret, &ss, &se);
	uint32_t states = tk_a11y_node_get_states(node);
	if (json) {
		puts_(o, "{\"role\":");
		put_json_string(o, tk_a11y_role_name(tk_a11y_node_get_role(node)));
		puts_(o, ",\"name\":");
		put_json_string(o, tk_a11y_node_get_name(node));
		puts_(o, ",\"description\":");
		put_json_string(o, tk_a11y_node_get_description(node));
		if (has_value) {
			putf(o, ",\"value\":%g,\"min\":%g,\"max\":%g", v, lo, hi);
		}
		if (has_text) {
			puts_(o, ",\"text\":");
			put_json_string(o, text);
			putf(o, ",\"caret\":%zu,\"selection\":[%zu,%zu]", caret, ss, se);
		}
		puts_(o, ",\"states\":[");
		put_states(o, states, true);
		putf(o, "],\"bounds\":[%d,%d,%d,%d],\"actions\":[", b.x, b.y, b.width, b.height);
		size_t na = tk_a11y_node_get_action_count(node);
		for (size_t i = 0; i < na; i++) {
			if (i > 0) {
				puts_(o, ",");
			}
			put_json_string(o, tk_a11y_node_get_action_name(node, i));
		}
		puts_(o, "],\"children\":[");
	} else {
		for (int i = 0; i < depth; i++) {
			puts_(o, "  ");
		}
		puts_(o, tk_a11y_role_name(tk_a11y_node_get_role(node)));
		puts_(o, " \"");
		puts_(o, tk_a11y_node_get_name(node));
		puts_(o, "\"");
		if (has_value) {
			putf(o, " value=%g", v);
		}
		if (has_text) {
			puts_(o, " text=\"");
			puts_(o, text);
			putf(o, "\" caret=%zu", caret);
		}
		puts_(o, " states=");
		put_states(o, states, false);
		putf(o, " bounds=%d,%d,%dx%d\n", b.x, b.y, b.width, b.height);
	}
	size_t n = tk_a11y_node_get_child_count(node);
	for (size_t i = 0; i < n; i++) {
		if (json && i > 0) {
			puts_(o, ",");
		}
		dump_node(o, tk_a11y_node_get_child(node, i), depth + 1, json);
	}
	if (json) {
		puts_(o, "]}");
	}
}

bool tk_a11y_dump(const struct tk_a11y_node *node, int fd, enum tk_a11y_dump_format format) {
	struct out o = {0};
	dump_node(&o, node, 0, format == TK_A11Y_DUMP_JSON);
	if (format == TK_A11Y_DUMP_JSON) {
		puts_(&o, "\n");
	}
	size_t off = 0;
	bool ok = true;
	while (off < o.len) {
		ssize_t n = write(fd, o.buf + off, o.len - off);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			ok = false;
			break;
		}
		off += (size_t)n;
	}
	free(o.buf);
	return ok;
}
