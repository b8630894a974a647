/*
 * The reader's commands: chords of its modifier (keys.c), NVDA's keys where they fit.
 * Most read the active window's tree first (read_tree) and run on what came back, so
 * they speak the tree as it is, not as events last left it. The keymap is in
 * a11y/README.md; keep the two together.
 *
 * Browse mode: a virtual cursor walks the active window's tree in document order
 * (depth first, as the bus sends it) to the next or previous heading, link, button or
 * form field, speaks it and, where it can take focus, asks its app to focus it.
 *
 * Also here: what to say when the caret of the focused text moves: a character, a word
 * (Ctrl+Left/Right) or a line (Up, Down, Page Up, Page Down), decided from the last
 * navigation key the compositor reported, else from how far the caret went.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wayland-client.h>
#include "a11y/roles.h"
#include "common/log.h"
#include "lumen-a11y-v1-client-protocol.h"
#include "reader.h"

#define ROLE(x) LUMEN_A11Y_PROVIDER_V1_ROLE_##x
#define STATE(x) LUMEN_A11Y_PROVIDER_V1_STATE_##x
#define MOD_SHIFT 0x1
#define MOD_CTRL 0x4
#define REPEAT_MS 500 // the same command again within this: spell
#define KEY_FRESH_MS 1000 // a caret move this soon after a key is that key's doing
#define READ_WINDOW_MAX 200 // nodes spoken by "read window"

enum granularity { GRAN_CHAR, GRAN_WORD, GRAN_LINE };

/* ---- text ---- */

static bool is_space(char c) {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t utf8_len(const char *p) {
	size_t n = 1;
	while (p[n] && ((unsigned char)p[n] & 0xc0) == 0x80 && n < 4) {
		n++;
	}
	return n;
}

/* Copies text[start, end) into buf. */
static void copy_range(char *buf, size_t len, const char *text, size_t start, size_t end) {
	size_t n = end > start ? end - start : 0;
	if (n >= len) {
		n = len - 1;
	}
	memcpy(buf, text + start, n);
	buf[n] = '\0';
}

static void line_at(const char *text, size_t pos, size_t *start, size_t *end) {
	size_t s = pos, e = pos;
	while (s > 0 && text[s - 1] != '\n') {
		s--;
	}
	while (text[e] && text[e] != '\n') {
		e++;
	}
	*start = s;
	*end = e;
}

static void word_at(const char *text, size_t pos, size_t *start, size_t *end) {
	size_t s = pos, e = pos;
	while (s > 0 && !is_space(text[s - 1])) {
		s--;
	}
	while (text[e] && !is_space(text[e])) {
		e++;
	}
	*start = s;
	*end = e;
}

/* "h e l l o" (with "space" for spaces): for the repeat of a command. */
static void spell(char *buf, size_t len, const char *text) {
	buf[0] = '\0';
	size_t used = 0;
	for (const char *p = text; *p && used + 1 < len;) {
		size_t n = utf8_len(p);
		char ch[8];
		memcpy(ch, p, n);
		ch[n] = '\0';
		int w = snprintf(buf + used, len - used, "%s%s", used ? " " : "", reader_char_name(ch));
		if (w < 0 || (size_t)w >= len - used) {
			break;
		}
		used += (size_t)w;
		p += n;
	}
}

/* Speaks text[start, end): a character, a word or a line of it, or "blank". */
static void say_piece(struct reader *r, const char *text, enum granularity g, size_t pos,
		bool spelled, bool interrupt) {
	size_t len = strlen(text);
	if (pos > len) {
		pos = len;
	}
	size_t start = pos, end = pos;
	switch (g) {
	case GRAN_CHAR:
		end = text[pos] ? pos + utf8_len(text + pos) : pos;
		break;
	case GRAN_WORD:
		word_at(text, pos, &start, &end);
		if (start == end && text[pos]) {
			end = pos + utf8_len(text + pos); // on a space: say the space
		}
		break;
	case GRAN_LINE:
		line_at(text, pos, &start, &end);
		break;
	}
	char piece[READER_TEXT_MAX], out[READER_TEXT_MAX];
	copy_range(piece, sizeof(piece), text, start, end);
	if (!piece[0]) {
		reader_say(r, "blank", interrupt);
	} else if (spelled && g != GRAN_CHAR) {
		spell(out, sizeof(out), piece);
		reader_say(r, out, interrupt);
	} else if (g == GRAN_CHAR) {
		reader_say(r, reader_char_name(piece), interrupt);
	} else {
		reader_say(r, piece, interrupt);
	}
}

static bool same_line(const char *text, size_t a, size_t b) {
	size_t lo = a < b ? a : b, hi = a < b ? b : a;
	return memchr(text + lo, '\n', hi - lo) == NULL;
}

static size_t chars_between(const char *text, size_t a, size_t b) {
	size_t lo = a < b ? a : b, hi = a < b ? b : a, n = 0;
	for (size_t i = lo; i < hi; i++) {
		if (((unsigned char)text[i] & 0xc0) != 0x80) {
			n++;
		}
	}
	return n;
}

void reader_caret_moved(struct reader *r, const char *text, int64_t old_caret, int64_t caret) {
	size_t len = strlen(text);
	if (caret < 0 || (size_t)caret > len) {
		return;
	}
	enum granularity g = GRAN_CHAR;
	xkb_keysym_t k = r->last_key;
	if (r->last_key_ms && reader_now_ms() - r->last_key_ms <= KEY_FRESH_MS) {
		if ((r->last_key_mods & MOD_CTRL) && (k == XKB_KEY_Left || k == XKB_KEY_Right ||
				k == XKB_KEY_KP_Left || k == XKB_KEY_KP_Right)) {
			g = GRAN_WORD;
		} else if (k == XKB_KEY_Up || k == XKB_KEY_Down || k == XKB_KEY_Page_Up ||
				k == XKB_KEY_Page_Down || k == XKB_KEY_KP_Up || k == XKB_KEY_KP_Down ||
				k == XKB_KEY_KP_Page_Up || k == XKB_KEY_KP_Page_Down) {
			g = GRAN_LINE;
		}
	} else if (old_caret >= 0 && (size_t)old_caret <= len) {
		/* No key we know of (a click, an app's own move): judge by the distance. */
		if (!same_line(text, (size_t)old_caret, (size_t)caret)) {
			g = GRAN_LINE;
		} else if (chars_between(text, (size_t)old_caret, (size_t)caret) > 1) {
			g = GRAN_WORD;
		}
	}
	say_piece(r, text, g, (size_t)caret, false, true);
}

void reader_observed_key(struct reader *r, xkb_keysym_t sym, uint32_t mods, bool pressed) {
	if (!pressed) {
		return;
	}
	if (sym == XKB_KEY_Control_L || sym == XKB_KEY_Control_R) {
		reader_speech_stop(r->speech); // Ctrl alone silences, as in every screen reader
		lumen_log(LUMEN_DEBUG, "speech stopped (Ctrl)");
		return;
	}
	if (sym == XKB_KEY_Shift_L || sym == XKB_KEY_Shift_R || sym == XKB_KEY_Alt_L ||
			sym == XKB_KEY_Alt_R || sym == XKB_KEY_Super_L || sym == XKB_KEY_Super_R) {
		return; // modifiers of the next key, not moves
	}
	r->last_key = sym;
	r->last_key_mods = mods;
	r->last_key_ms = reader_now_ms();
}

/* ---- the tree, as read ---- */

static struct reader_node *node_by_id(struct reader *r, uint32_t id) {
	for (size_t i = 0; i < r->n_nodes; i++) {
		if (r->nodes[i].id == id) {
			return &r->nodes[i];
		}
	}
	return NULL;
}

static long node_index(struct reader *r, uint32_t id) {
	struct reader_node *node = node_by_id(r, id);
	return node ? (long)(node - r->nodes) : -1;
}

static void node_value(const struct reader_node *node, char *buf, size_t len) {
	buf[0] = '\0';
	if (node->text) {
		snprintf(buf, len, "%s", node->text);
	} else if (node->has_value) {
		snprintf(buf, len, "%g", node->value);
	}
}

static void describe_node(const struct reader_node *node, char *buf, size_t len) {
	char value[READER_TEXT_MAX];
	node_value(node, value, sizeof(value));
	/* A label's text is its name: say it once. */
	reader_describe(buf, len, node->role, node->states, node->name,
		strcmp(value, node->name) == 0 ? "" : value);
}

static bool is_container(uint32_t role) {
	return role == ROLE(PANEL) || role == ROLE(FILLER) || role == ROLE(SCROLL_PANE) ||
		role == ROLE(UNKNOWN) || role == ROLE(INVALID) || role == ROLE(SECTION) ||
		role == ROLE(GROUPING) || role == ROLE(VIEWPORT) || role == ROLE(REDUNDANT_OBJECT);
}

static bool matches(const struct reader_node *node, enum reader_jump jump) {
	uint32_t role = node->role;
	switch (jump) {
	case READER_JUMP_HEADING:
		return role == ROLE(HEADING);
	case READER_JUMP_LINK:
		return role == ROLE(LINK);
	case READER_JUMP_BUTTON:
		return role == ROLE(PUSH_BUTTON) || role == ROLE(TOGGLE_BUTTON) ||
			role == ROLE(PUSH_BUTTON_MENU);
	case READER_JUMP_FORM_FIELD:
		return role == ROLE(ENTRY) || role == ROLE(PASSWORD_TEXT) ||
			role == ROLE(CHECK_BOX) || role == ROLE(RADIO_BUTTON) ||
			role == ROLE(COMBO_BOX) || role == ROLE(SLIDER) || role == ROLE(SPIN_BUTTON) ||
			role == ROLE(LIST_BOX) || role == ROLE(DATE_EDITOR) ||
			(role == ROLE(TEXT) && (node->states & STATE(EDITABLE)));
	}
	return false;
}

static const char *jump_name(enum reader_jump jump) {
	switch (jump) {
	case READER_JUMP_HEADING:
		return "heading";
	case READER_JUMP_LINK:
		return "link";
	case READER_JUMP_BUTTON:
		return "button";
	case READER_JUMP_FORM_FIELD:
		return "form field";
	}
	return "";
}

/* Roles whose items count among their own kind ("Item 3 of 12"). */
static bool is_item(uint32_t role) {
	return role == ROLE(LIST_ITEM) || role == ROLE(MENU_ITEM) || role == ROLE(PAGE_TAB) ||
		role == ROLE(RADIO_BUTTON) || role == ROLE(TREE_ITEM) ||
		role == ROLE(CHECK_MENU_ITEM) || role == ROLE(RADIO_MENU_ITEM) ||
		role == ROLE(TABLE_ROW);
}

/*
 * "3 of 7": an item among its siblings of its role; anything else among the window's
 * focusable nodes (the Tab order). False when it counts among nothing.
 */
static bool position(struct reader *r, const struct reader_node *node, size_t *index,
		size_t *count) {
	*index = *count = 0;
	bool item = is_item(node->role);
	for (size_t i = 0; i < r->n_nodes; i++) {
		const struct reader_node *n = &r->nodes[i];
		bool counts = item ? n->parent == node->parent && n->role == node->role :
			(n->states & STATE(FOCUSABLE)) && !(n->states & STATE(DISABLED));
		if (!counts && n != node) {
			continue;
		}
		(*count)++;
		if (n == node) {
			*index = *count;
		}
	}
	return *index > 0 && *count > 1;
}

static void request_focus(struct reader *r, uint32_t tree, struct reader_node *node) {
	if (!r->consumer || !(node->states & STATE(FOCUSABLE)) ||
			(node->states & STATE(FOCUSED))) {
		return;
	}
	struct wl_array empty;
	wl_array_init(&empty);
	lumen_a11y_consumer_v1_action(r->consumer, ++r->action_serial, tree, node->id,
		LUMEN_A11Y_PROVIDER_V1_ACTION_KIND_FOCUS, "", &empty, 0, 0);
	r->expect_tree = tree;
	r->expect_node = node->id;
}

static void do_jump(struct reader *r, uint32_t tree, uint32_t focus, bool backwards) {
	long from = -1;
	if (r->cursor_tree == tree && r->cursor_node) {
		from = node_index(r, r->cursor_node);
	}
	if (from < 0 && focus) {
		from = node_index(r, focus);
	}
	long n = (long)r->n_nodes;
	if (from < 0) {
		from = backwards ? n : -1;
	}
	for (long i = backwards ? from - 1 : from + 1; i >= 0 && i < n; i += backwards ? -1 : 1) {
		struct reader_node *node = &r->nodes[i];
		if (!matches(node, r->pending_jump)) {
			continue;
		}
		r->cursor_tree = tree;
		r->cursor_node = node->id;
		char text[READER_TEXT_MAX];
		describe_node(node, text, sizeof(text));
		reader_say(r, text, true);
		request_focus(r, tree, node);
		return;
	}
	char text[64];
	snprintf(text, sizeof(text), "no %s %s", backwards ? "previous" : "next",
		jump_name(r->pending_jump));
	reader_say(r, text, true);
}

/* Appends to buf what fits. */
__attribute__((format(printf, 3, 4)))
static void add(char *buf, size_t len, const char *fmt, ...) {
	size_t used = strlen(buf);
	if (used + 1 >= len) {
		return;
	}
	va_list args;
	va_start(args, fmt);
	vsnprintf(buf + used, len - used, fmt, args);
	va_end(args);
}

static void do_where_am_i(struct reader *r, struct reader_node *focus) {
	char text[READER_TEXT_MAX] = "";
	const char *title = r->window_title[0] ? r->window_title :
		r->n_nodes ? r->nodes[0].name : "";
	add(text, sizeof(text), "%s%s", title, title[0] ? ", window" : "no window");
	if (focus) {
		char desc[READER_TEXT_MAX];
		describe_node(focus, desc, sizeof(desc));
		add(text, sizeof(text), "%s%s", desc[0] ? ", " : "", desc);
		size_t index, count;
		if (position(r, focus, &index, &count)) {
			add(text, sizeof(text), ", %zu of %zu", index, count);
		}
		if (focus->description[0]) {
			add(text, sizeof(text), ", %s", focus->description);
		}
	} else {
		add(text, sizeof(text), ", nothing focused");
	}
	reader_say(r, text, true);
}

static void do_read_window(struct reader *r) {
	size_t spoken = 0;
	for (size_t i = 0; i < r->n_nodes && spoken < READ_WINDOW_MAX; i++) {
		struct reader_node *node = &r->nodes[i];
		if (is_container(node->role) && !node->name[0]) {
			continue;
		}
		char text[READER_TEXT_MAX];
		describe_node(node, text, sizeof(text));
		if (text[0]) {
			reader_say(r, text, spoken == 0);
			spoken++;
		}
	}
	if (spoken == 0) {
		reader_say(r, "empty window", true);
	}
}

/* Line, word, character and say-all: the focused node's text, else what it is. */
static void do_text(struct reader *r, struct reader_node *focus, enum reader_command cmd) {
	if (!focus) {
		reader_say(r, "nothing focused", true);
		return;
	}
	if (!focus->text) {
		char text[READER_TEXT_MAX];
		describe_node(focus, text, sizeof(text));
		reader_say(r, text, true);
		return;
	}
	switch (cmd) {
	case READER_CMD_SAY_ALL:
		reader_say(r, focus->text[focus->caret] ? focus->text + focus->caret : "blank", true);
		break;
	case READER_CMD_LINE:
		say_piece(r, focus->text, GRAN_LINE, focus->caret, r->pending_spell, true);
		break;
	case READER_CMD_WORD:
		say_piece(r, focus->text, GRAN_WORD, focus->caret, r->pending_spell, true);
		break;
	default:
		say_piece(r, focus->text, GRAN_CHAR, focus->caret, r->pending_spell, true);
		break;
	}
}

void reader_command_tree_done(struct reader *r, uint32_t tree, uint32_t root, uint32_t focus) {
	enum reader_command cmd = r->pending;
	r->pending = READER_CMD_NONE;
	/* The bus's focus, else the one we were told (a tree without one: the compositor's). */
	struct reader_node *focused = node_by_id(r, focus);
	if (!focused && tree == r->focus_tree) {
		focused = node_by_id(r, r->focus_node);
	}
	switch (cmd) {
	case READER_CMD_NONE:
		break;
	case READER_CMD_WHERE_AM_I:
		do_where_am_i(r, focused);
		break;
	case READER_CMD_TITLE: {
		struct reader_node *top = node_by_id(r, root);
		reader_say(r, top && top->name[0] ? top->name : "no title", true);
		break;
	}
	case READER_CMD_READ_WINDOW:
		do_read_window(r);
		break;
	case READER_CMD_SAY_ALL:
	case READER_CMD_LINE:
	case READER_CMD_WORD:
	case READER_CMD_CHAR:
		do_text(r, focused, cmd);
		break;
	case READER_CMD_NEXT:
	case READER_CMD_PREV:
		do_jump(r, tree, focused ? focused->id : 0, cmd == READER_CMD_PREV);
		break;
	}
}

void reader_command_read_failed(struct reader *r) {
	r->pending = READER_CMD_NONE;
	reader_say(r, "no window", true);
}

/*
 * The tree commands work on: the active window's; else, when its tree is not known (it
 * came after the window), the focused node's, if focus moved since (a window without
 * a tree leaves the last focus as it was).
 */
static uint32_t active_tree(struct reader *r) {
	if (r->window_tree) {
		return r->window_tree;
	}
	return !r->window_id || r->focus_after_window ? r->focus_tree : 0;
}

static void run(struct reader *r, enum reader_command cmd) {
	int64_t now = reader_now_ms();
	r->pending_spell = cmd == r->last_command && now - r->last_command_ms <= REPEAT_MS &&
		(cmd == READER_CMD_LINE || cmd == READER_CMD_WORD || cmd == READER_CMD_CHAR);
	r->last_command = r->pending_spell ? READER_CMD_NONE : cmd; // a third press: again
	r->last_command_ms = now;
	if (cmd == READER_CMD_TITLE && r->window_title[0]) {
		reader_say(r, r->window_title, true);
		return;
	}
	uint32_t tree = active_tree(r);
	if (!r->consumer || !tree) {
		reader_say(r, cmd == READER_CMD_WHERE_AM_I && r->window_title[0] ?
			r->window_title : "no window", true);
		return;
	}
	reader_nodes_clear(r);
	if (++r->next_serial == 0) {
		r->next_serial = 1;
	}
	r->read_serial = r->next_serial;
	r->pending = cmd;
	lumen_a11y_consumer_v1_read_tree(r->consumer, r->read_serial, tree);
}

static void jump(struct reader *r, enum reader_jump kind, bool backwards) {
	r->pending_jump = kind;
	run(r, backwards ? READER_CMD_PREV : READER_CMD_NEXT);
}

void reader_command_key(struct reader *r, xkb_keysym_t sym, uint32_t mods) {
	if (r->muted) {
		return;
	}
	bool shift = mods & MOD_SHIFT, ctrl = mods & MOD_CTRL;
	switch (xkb_keysym_to_lower(sym)) {
	case XKB_KEY_s:
		reader_speech_stop(r->speech);
		lumen_log(LUMEN_INFO, "speech stopped");
		break;
	case XKB_KEY_t:
		run(r, READER_CMD_TITLE);
		break;
	case XKB_KEY_Tab:
		run(r, READER_CMD_WHERE_AM_I);
		break;
	case XKB_KEY_w:
		run(r, READER_CMD_READ_WINDOW);
		break;
	case XKB_KEY_a:
	case XKB_KEY_Down:
		run(r, READER_CMD_SAY_ALL);
		break;
	case XKB_KEY_l:
	case XKB_KEY_Up:
		run(r, READER_CMD_LINE);
		break;
	case XKB_KEY_comma:
		run(r, READER_CMD_WORD);
		break;
	case XKB_KEY_period:
		run(r, ctrl ? READER_CMD_WORD : READER_CMD_CHAR);
		break;
	case XKB_KEY_h:
		jump(r, READER_JUMP_HEADING, shift);
		break;
	case XKB_KEY_k:
		jump(r, READER_JUMP_LINK, shift);
		break;
	case XKB_KEY_b:
		jump(r, READER_JUMP_BUTTON, shift);
		break;
	case XKB_KEY_f:
		jump(r, READER_JUMP_FORM_FIELD, shift);
		break;
	default:
		lumen_log(LUMEN_DEBUG, "no command on keysym 0x%x", sym);
		break;
	}
}
