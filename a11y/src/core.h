#ifndef A11Y_CORE_H
#define A11Y_CORE_H

/*
 * lumen-a11yd's private state: the server, its clients, the trees providers publish,
 * consumers (assistive technologies) and the window manager's windows.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <wayland-server-core.h>
#include "common/listener.h"
#include "a11y/server.h"
#include "idmap.h"

#define A11Y_MAX_NODES 16384
#define A11Y_MAX_ACTIONS 32
#define A11Y_MAX_PROVIDERS_PER_CLIENT 64
#define A11Y_MAX_CONSUMERS_PER_CLIENT 8
#define A11Y_MAX_WINDOWS 4096
#define A11Y_MAX_PENDING_ACTIONS 256
#define A11Y_MAX_DIRTY 256 // distinct changed nodes coalesced between flushes
/* Stored strings are cut (at a UTF-8 boundary) so that every event that carries them
 * fits libwayland's 4096-byte message. */
#define A11Y_MAX_NAME 1024
#define A11Y_MAX_TEXT 3072
#define A11Y_MAX_ID 512
/* Announcements: a burst, then a rate. */
#define A11Y_ANNOUNCE_BURST 16.0
#define A11Y_ANNOUNCE_PER_S 4.0

struct a11y_node {
	uint32_t id, parent; // parent 0: the root (or not yet linked)
	uint32_t role, states;
	char *name, *description;
	int32_t x, y, width, height;
	bool has_value, has_text;
	double value, min, max;
	uint32_t *children;
	size_t n_children;
	char **actions;
	size_t n_actions;
	char *text; // NULL without text, and always for password nodes
	uint32_t caret, sel_start, sel_end;
};

struct a11y_client_info {
	struct wl_client *client;
	struct a11y_server *server;
	bool trusted;
	int n_providers, n_consumers;
	struct wl_listener destroy;
	struct wl_list link; // a11y_server.clients
};

struct a11y_tree {
	struct a11y_server *server;
	struct wl_resource *resource;
	struct a11y_client_info *owner;
	struct wl_list link; // a11y_server.trees
	uint32_t id; // the bus's
	pid_t pid;
	char *app_id;
	bool wm_ui; // published by the window manager's client: the compositor's own UI
	bool proxied; // create_provider_for: pid named by a trusted bridge; any app id matches
	bool dead; // a protocol error was posted: no more events from it

	struct a11y_idmap nodes; // committed: id -> struct a11y_node
	uint32_t root, focus;

	/* The pending update. */
	struct a11y_idmap pending; // id -> struct a11y_node described in this update
	uint32_t *removed;
	size_t n_removed, cap_removed;
	bool reset;

	/* Changes waiting for the next flush (coalesced). */
	uint32_t dirty[A11Y_MAX_DIRTY], dirty_what[A11Y_MAX_DIRTY];
	size_t n_dirty;
	bool focus_dirty;

	double tokens; // announcements
	uint64_t tokens_ms;
	uint32_t next_action_serial;
};

struct a11y_window {
	struct wl_list link; // a11y_server.windows
	uint32_t id;
	pid_t pid;
	char *app_id, *title;
	int32_t x, y, width, height;
};

struct a11y_consumer {
	struct a11y_server *server;
	struct wl_resource *resource;
	struct wl_list link; // a11y_server.consumers
	uint32_t events; // enum lumen_a11y_consumer_v1_event_mask
};

struct a11y_pending_action {
	struct wl_list link; // a11y_server.actions
	struct a11y_tree *tree;
	uint32_t provider_serial;
	struct a11y_consumer *consumer; // NULL once it left
	uint32_t consumer_serial;
};

struct a11y_server {
	struct wl_display *display;
	struct wl_event_loop *loop;
	struct wl_global *global;
	struct wl_event_source *flush_idle; // may be NULL
	struct wl_list clients; // a11y_client_info.link
	struct wl_list trees; // a11y_tree.link
	struct wl_list consumers; // a11y_consumer.link
	struct wl_list windows; // a11y_window.link
	struct wl_list actions; // a11y_pending_action.link
	uint32_t next_tree_id;

	struct wl_resource *wm; // the window manager object, may be NULL
	struct wl_client *wm_client; // may be NULL
	uint32_t active_window; // 0: none
	struct a11y_tree *recent_focus_tree; // without a wm: the last tree whose focus moved
	uint32_t said_tree, said_node; // the focus consumers were last told of

	char **trusted_exes;
	size_t n_trusted_exes;

	struct lumen_listener sockets[2]; // plain, trusted
};

/* server.c */
struct a11y_client_info *a11y_client_info_get(struct a11y_server *server,
	struct wl_client *client);
void a11y_server_schedule_flush(struct a11y_server *server);

/* tree.c */
/** pid > 0: the tree is another process's (create_provider_for); 0: its client's. */
struct a11y_tree *a11y_tree_create(struct a11y_client_info *info, struct wl_resource *parent,
	uint32_t id, const char *app_id, pid_t pid);
struct a11y_tree *a11y_tree_by_id(struct a11y_server *server, uint32_t id);
struct a11y_node *a11y_tree_node(struct a11y_tree *tree, uint32_t id);
/** The node's value as consumers read it: a number, or its text; "" for neither. */
void a11y_node_value_text(const struct a11y_node *node, char *buf, size_t len);
void a11y_node_destroy(struct a11y_node *node);
/** Sends what changed since the last flush to consumers. */
void a11y_tree_flush(struct a11y_tree *tree);
/** Sends an action event to the tree's provider; false if it cannot take more. */
bool a11y_tree_send_action(struct a11y_tree *tree, uint32_t node, uint32_t kind,
	const char *name, struct wl_array *value, int32_t start, int32_t end, uint32_t *serial);

/* consumer.c */
void a11y_consumer_create(struct a11y_server *server, struct wl_resource *parent, uint32_t id);
void a11y_wm_create(struct a11y_server *server, struct wl_resource *parent, uint32_t id);
struct a11y_window *a11y_window_for_tree(struct a11y_server *server, struct a11y_tree *tree);
struct a11y_tree *a11y_tree_for_window(struct a11y_server *server, struct a11y_window *win);
/** Tells consumers where focus is now, if that changed. */
void a11y_server_update_focus(struct a11y_server *server);
/** Emits to every consumer subscribed to mask. */
void a11y_emit_changed(struct a11y_server *server, struct a11y_tree *tree,
	struct a11y_node *node, uint32_t what);
void a11y_emit_announcement(struct a11y_server *server, struct a11y_tree *tree,
	const char *text, uint32_t politeness);
void a11y_emit_tree(struct a11y_server *server, struct a11y_tree *tree, bool added);
/** The provider answered (or left: result gone, serial ignored with all true). */
void a11y_actions_done(struct a11y_server *server, struct a11y_tree *tree, uint32_t serial,
	uint32_t result, bool all);

/* util.c */
bool a11y_utf8_valid(const char *s);
/** strdup cut to at most max bytes at a UTF-8 boundary; NULL when out of memory. */
char *a11y_strdup_cut(const char *s, size_t max);
uint64_t a11y_now_ms(void);

#endif
