#ifndef COMP_IPC_JSON_H
#define COMP_IPC_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The IPC request parser: bytes of one line in, a checked request out. It knows
 * nothing of the running compositor, so the unit test and the fuzzer drive it alone;
 * ipc.c does everything that needs the server (does window 7 exist, is there a
 * workspace 12). The wire format is described at the top of ipc.c.
 */

/* The longest request line accepted, newline excluded. */
#define COMP_IPC_MAX_LINE 65536

enum comp_ipc_command {
	COMP_IPC_OUTPUTS,
	COMP_IPC_WINDOWS,
	COMP_IPC_WORKSPACES,
	COMP_IPC_FOCUS,
	COMP_IPC_CLOSE,
	COMP_IPC_FULLSCREEN,
	COMP_IPC_MAXIMIZE,
	COMP_IPC_MINIMIZE,
	COMP_IPC_MOVE,
	COMP_IPC_WORKSPACE,
	COMP_IPC_EXEC,
	COMP_IPC_ACTION,
	COMP_IPC_LAYOUT,
	COMP_IPC_GET_LAYOUT,
	COMP_IPC_RELOAD,
	COMP_IPC_SCREENSHOT,
	COMP_IPC_SUBSCRIBE,
	COMP_IPC_COMMAND_COUNT,
};

enum comp_ipc_state {
	COMP_IPC_STATE_TOGGLE, // the default when "state" is absent
	COMP_IPC_STATE_ON,
	COMP_IPC_STATE_OFF,
};

/* Event types a client subscribes to; a bit mask. */
enum comp_ipc_event_type {
	COMP_IPC_EVENT_WINDOW = 1 << 0,
	COMP_IPC_EVENT_WORKSPACE = 1 << 1,
	COMP_IPC_EVENT_LAYOUT = 1 << 2,
	COMP_IPC_EVENT_OUTPUT = 1 << 3,
};

enum comp_ipc_move_kind {
	COMP_IPC_MOVE_WORKSPACE, // "workspace": N
	COMP_IPC_MOVE_POSITION, // "x", "y"
};

struct comp_ipc_request {
	enum comp_ipc_command command;
	uint64_t id; // focus, close, fullscreen, maximize, minimize, move
	enum comp_ipc_state state; // fullscreen, maximize, minimize
	enum comp_ipc_move_kind move_kind; // move
	int num; // workspace; move to a workspace (>= 1, not checked against the count)
	int x, y; // move to a position
	int layout_index; // layout; -1 with layout_next
	bool layout_next;
	char *str; // exec: cmd, action: action, screenshot: path (absolute); heap
	char *output; // screenshot; NULL: the focused output; heap
	uint32_t events; // subscribe: enum comp_ipc_event_type mask, never 0
};

/**
 * Parses one request line (without its newline; it need not be NUL-terminated).
 * On success fills req, which the caller releases with comp_ipc_request_finish. On
 * failure writes a message for the client into err and leaves nothing to release.
 */
bool comp_ipc_parse_request(
		const char *line, size_t len, struct comp_ipc_request *req, char *err, size_t errlen);
/** Frees what a successful parse allocated; safe on a zeroed request. */
void comp_ipc_request_finish(struct comp_ipc_request *req);

/** The wire name of a command ("get-layout"); NULL when out of range. */
const char *comp_ipc_command_name(enum comp_ipc_command command);
/** The event bit for a type name ("window"); 0 when unknown. */
uint32_t comp_ipc_event_from_name(const char *name);

/**
 * How many bytes of s, at most max, end on a UTF-8 character boundary: for quoting a
 * client's string in an error with "%.*s" without cutting a character in half, which
 * would make the reply invalid UTF-8.
 */
int comp_ipc_utf8_prefix(const char *s, int max);

/** Whether s is well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF). */
bool comp_ipc_utf8_valid(const char *s);
/**
 * A heap copy of s with each ill-formed UTF-8 sequence replaced by U+FFFD, for strings
 * from elsewhere (an X11 title in Latin-1) that go into replies; NULL when out of memory.
 */
char *comp_ipc_utf8_dup(const char *s);

/**
 * Builds the reply line {"success":false,"error":message}, newline included, into a
 * heap string; NULL when out of memory.
 */
char *comp_ipc_error_line(const char *message);

#endif
