#ifndef A11Y_READER_READER_H
#define A11Y_READER_READER_H

/*
 * lumen-reader's state, shared by main.c (the bus, the loop), keys.c (the compositor's
 * lumen-reader-keys-v1: chords under the reader's modifier) and commands.c (what the
 * chords do).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xkbcommon/xkbcommon.h>
#include "speech.h"

#define READER_TEXT_MAX 4096

struct wl_display;
struct wl_registry;
struct wl_callback;
struct lumen_a11y_v1;
struct lumen_a11y_consumer_v1;
struct lumen_reader_keys_v1;
struct lumen_reader_grab_v1;

/* One node of a tree read with read_tree. */
struct reader_node {
	uint32_t id, parent, role, states;
	char *name, *description; // never NULL
	char *text; // NULL: no text
	uint32_t caret;
	bool has_value;
	double value;
};

/* What a chord asked for, done once the tree it needs has been read. */
enum reader_command {
	READER_CMD_NONE,
	READER_CMD_WHERE_AM_I,
	READER_CMD_TITLE,
	READER_CMD_READ_WINDOW,
	READER_CMD_SAY_ALL,
	READER_CMD_LINE,
	READER_CMD_WORD,
	READER_CMD_CHAR,
	READER_CMD_NEXT,
	READER_CMD_PREV,
};

/* Kinds of node that browse mode jumps to. */
enum reader_jump {
	READER_JUMP_HEADING,
	READER_JUMP_LINK,
	READER_JUMP_BUTTON,
	READER_JUMP_FORM_FIELD,
};

struct reader {
	char socket_path[108];
	struct reader_speech *speech;
	bool muted, running;
	struct wl_display *display; // the bus
	struct wl_registry *registry;
	struct lumen_a11y_v1 *bus;
	struct lumen_a11y_consumer_v1 *consumer;
	/* The focused node, as last told. */
	uint32_t focus_tree, focus_node, focus_role, focus_states;
	char focus_value[READER_TEXT_MAX];
	int64_t focus_caret; // byte offset; -1: not known yet
	/* The active window, as the window manager told. */
	uint32_t window_id, window_tree; // window_tree 0: none told (yet)
	bool focus_after_window; // a focus event came since the window's activation
	char window_title[512];
	char pid_path[108];

	/* Browse mode: the virtual cursor, a node of the active tree (0: at the focus). */
	uint32_t cursor_tree, cursor_node;
	/* A focus we asked for: its focus event is not spoken again. */
	uint32_t expect_tree, expect_node;
	uint32_t action_serial;

	/* A read_tree in flight for a command, and what it gathered. */
	uint32_t read_serial; // 0: none
	enum reader_command pending;
	enum reader_jump pending_jump;
	bool pending_spell; // the same command twice in a row: spell it
	struct reader_node *nodes;
	size_t n_nodes, cap_nodes;
	bool read_overflow;
	uint32_t next_serial;

	/* The last command and when (a repeat spells), the last navigation key seen. */
	enum reader_command last_command;
	int64_t last_command_ms;
	xkb_keysym_t last_key;
	uint32_t last_key_mods;
	int64_t last_key_ms;

	/* The compositor (keys.c). */
	enum { READER_MOD_INSERT = 1, READER_MOD_CAPS_LOCK = 2 } modifier;
	bool keys_enabled; // --no-keys turns the chords off
	bool keys_warned;
	bool wayland_socket_used; // WAYLAND_SOCKET is good for one connection only
	const char *wayland_name; // --wayland; NULL: $WAYLAND_DISPLAY (its -trusted twin first)
	struct wl_display *wl; // may be NULL
	struct wl_registry *wl_registry;
	struct wl_callback *wl_sync; // the registry's answer, awaited
	struct lumen_reader_keys_v1 *keys;
	struct lumen_reader_grab_v1 *grab;
};

int64_t reader_now_ms(void);
/** Speaks unless muted. interrupt: stop what is being said first. */
void reader_say(struct reader *r, const char *text, bool interrupt);
void reader_toggle(struct reader *r);
/** "Remember me, check box, not checked": a node as the reader speaks it. */
void reader_describe(char *buf, size_t len, uint32_t role, uint32_t states, const char *name,
	const char *value);
bool reader_is_text_role(uint32_t role);
/** The name of a character as spoken ("space"). */
const char *reader_char_name(const char *ch);

/* keys.c */
/** Connects to the compositor when there is none; false when it cannot now. */
bool reader_keys_connect(struct reader *r);
void reader_keys_disconnect(struct reader *r);
/** Grabs the modifier while speaking, lets it go while muted. */
void reader_keys_update_grab(struct reader *r);

/* commands.c */
/** A chord's key: keysym at level 0, xkb modifiers. */
void reader_command_key(struct reader *r, xkb_keysym_t sym, uint32_t mods);
/** A navigation key the focused app received (for caret granularity, Ctrl stops speech). */
void reader_observed_key(struct reader *r, xkb_keysym_t sym, uint32_t mods, bool pressed);
/** The caret of the focused text moved from old_caret (-1: unknown) to caret. */
void reader_caret_moved(struct reader *r, const char *text, int64_t old_caret, int64_t caret);
/** read_tree gathered the tree: run the pending command on it. */
void reader_command_tree_done(struct reader *r, uint32_t tree, uint32_t root, uint32_t focus);
void reader_command_read_failed(struct reader *r);
void reader_nodes_clear(struct reader *r);

#endif
