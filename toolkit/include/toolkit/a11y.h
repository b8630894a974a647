#ifndef TOOLKIT_A11Y_H
#define TOOLKIT_A11Y_H

/*
 * Every toolkit widget is an accessibility node. This is the one interface through
 * which its accessible side is read and driven: the [a11y] bus provider reads nodes
 * through it, and tk_a11y_dump() prints a tree for tests. Nodes belong to their
 * widgets; a node pointer is valid as long as its widget lives.
 *
 * Password entries never expose their text: their node's text is one bullet per
 * character, their name and description are the caller's.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tk_a11y_node;

enum tk_a11y_role {
	TK_A11Y_ROLE_WINDOW = 0,
	TK_A11Y_ROLE_PANEL, // a box: groups others
	TK_A11Y_ROLE_LABEL,
	TK_A11Y_ROLE_BUTTON,
	TK_A11Y_ROLE_TOGGLE_BUTTON,
	TK_A11Y_ROLE_CHECK_BOX,
	TK_A11Y_ROLE_SLIDER,
	TK_A11Y_ROLE_ENTRY,
	TK_A11Y_ROLE_PASSWORD_TEXT,
	TK_A11Y_ROLE_LIST,
	TK_A11Y_ROLE_LIST_ITEM,
	TK_A11Y_ROLE_SCROLL_PANE,
	TK_A11Y_ROLE_MENU_BUTTON,
	TK_A11Y_ROLE_MENU,
	TK_A11Y_ROLE_MENU_ITEM,
	TK_A11Y_ROLE_IMAGE,
	TK_A11Y_ROLE_HEADING, // a label that titles a section (tk_label_set_heading)
};

enum tk_a11y_state {
	TK_A11Y_STATE_FOCUSED = 1 << 0,
	TK_A11Y_STATE_FOCUSABLE = 1 << 1,
	TK_A11Y_STATE_SELECTED = 1 << 2,
	TK_A11Y_STATE_CHECKED = 1 << 3,
	TK_A11Y_STATE_EXPANDED = 1 << 4,
	TK_A11Y_STATE_DISABLED = 1 << 5,
	TK_A11Y_STATE_EDITABLE = 1 << 6,
	TK_A11Y_STATE_MULTILINE = 1 << 7,
	TK_A11Y_STATE_PASSWORD = 1 << 8,
	TK_A11Y_STATE_CHECKABLE = 1 << 9,
	TK_A11Y_STATE_EXPANDABLE = 1 << 10,
};

/** Bounds in logical pixels, relative to the node's surface. */
struct tk_a11y_rect {
	int x, y, width, height;
};

/** "push-button", "check-box", ...: the role's name as the dump prints it. */
const char *tk_a11y_role_name(enum tk_a11y_role role);
/** "focused", "checked", ... for a single state bit; NULL for an unknown bit. */
const char *tk_a11y_state_name(uint32_t state);

enum tk_a11y_role tk_a11y_node_get_role(const struct tk_a11y_node *node);
/** The accessible name; never NULL (may be ""). Owned by the node. */
const char *tk_a11y_node_get_name(const struct tk_a11y_node *node);
const char *tk_a11y_node_get_description(const struct tk_a11y_node *node);
/** A bitmask of enum tk_a11y_state. */
uint32_t tk_a11y_node_get_states(const struct tk_a11y_node *node);
/** Returns false if the node has no numeric value (only sliders do). */
bool tk_a11y_node_get_value(const struct tk_a11y_node *node, double *value, double *min,
	double *max);
void tk_a11y_node_get_bounds(const struct tk_a11y_node *node, struct tk_a11y_rect *bounds);
size_t tk_a11y_node_get_child_count(const struct tk_a11y_node *node);
/** The i-th child, or NULL if i is out of range. */
struct tk_a11y_node *tk_a11y_node_get_child(const struct tk_a11y_node *node, size_t i);
struct tk_a11y_node *tk_a11y_node_get_parent(const struct tk_a11y_node *node);

/** Actions: "press", "toggle", "activate", "increment", "decrement", "focus", ... */
size_t tk_a11y_node_get_action_count(const struct tk_a11y_node *node);
const char *tk_a11y_node_get_action_name(const struct tk_a11y_node *node, size_t i);
/** Runs the named action as a person's input would; false if the node has no such action. */
bool tk_a11y_node_do_action(struct tk_a11y_node *node, const char *name);

/**
 * Text of text-bearing nodes (labels, entries, list items). Returns false if the node
 * has none. *text is owned by the node and valid until it changes; caret, selection
 * start and end are byte offsets into it (start == end: no selection). Any out
 * pointer may be NULL.
 */
/** Caret (start == end) or selection from start (anchor) to end, in get_text's byte
 * offsets; false if the node has no editable text or an offset is not a character's. */
bool tk_a11y_node_set_selection(struct tk_a11y_node *node, size_t start, size_t end);
bool tk_a11y_node_get_text(const struct tk_a11y_node *node, const char **text, size_t *caret,
	size_t *sel_start, size_t *sel_end);

/** Called with the node whose tree changed (its root), after the change is drawn. */
typedef void (*tk_a11y_change_fn)(struct tk_a11y_node *root, void *data);

enum tk_a11y_dump_format {
	TK_A11Y_DUMP_TEXT = 0, // one line per node, indented by depth
	TK_A11Y_DUMP_JSON,     // one JSON object, children nested
};

/** Writes the tree under node to fd. Returns false on a write error. */
bool tk_a11y_dump(const struct tk_a11y_node *node, int fd, enum tk_a11y_dump_format format);

#endif
