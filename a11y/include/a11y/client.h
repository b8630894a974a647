#ifndef A11Y_CLIENT_H
#define A11Y_CLIENT_H

/*
 * lib_a11y_client: publishing accessible trees on lumen-a11yd's bus (the toolkit, the
 * compositor, test providers). The library owns no event loop: the caller watches
 * a11y_client_get_fd() and calls a11y_client_dispatch() when it is readable, and calls
 * a11y_client_reconnect() now and then (every second, say) while disconnected. Whenever a
 * connection is made (again: lumen-a11yd restarted), the connected callback runs and the
 * caller publishes every tree whole.
 *
 * Roles and states are those of protocols/lumen-a11y-v1.xml (a11y/roles.h names them).
 * Never put a password's text in a node: leave text NULL and set the password state.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct a11y_client;
struct a11y_provider;

struct a11y_node_desc {
	uint32_t id; // non-zero, unique in its tree
	uint32_t role, states;
	const char *name, *description; // NULL: ""
	int32_t x, y, width, height; // relative to the surface
	bool has_value;
	double value, min, max;
	const uint32_t *children;
	size_t n_children;
	const char *const *actions;
	size_t n_actions;
	const char *text; // NULL: no text
	uint32_t caret, sel_start, sel_end; // byte offsets into text
};

struct a11y_action_request {
	uint32_t node, kind; // kind: enum lumen_a11y_provider_v1_action_kind
	const char *name;    // for kind named
	bool has_value;
	double value; // for set_value
	int32_t start, end;
};

struct a11y_client_listener {
	/** Connected (again): publish every tree whole. May be NULL. */
	void (*connected)(struct a11y_client *client, void *data);
	/** An action for one of provider's nodes; returns enum ..._action_result. May be
	 * NULL (then every action is unsupported). */
	uint32_t (*action)(struct a11y_provider *provider, const struct a11y_action_request *req,
		void *data);
};

/**
 * socket: a name in $XDG_RUNTIME_DIR or a path; NULL: $LUMEN_A11Y_SOCKET, else
 * "lumen-a11y-0". Starts connecting at once; a missing bus is no failure (the client
 * waits for a11y_client_reconnect). wm: also act as the window manager (the compositor,
 * on the trusted socket). Returns NULL only when out of memory. The caller owns it.
 */
struct a11y_client *a11y_client_create(const char *socket, bool wm,
	const struct a11y_client_listener *listener, void *data);
/** Destroys the providers left too. NULL is fine. */
void a11y_client_destroy(struct a11y_client *client);
/** The connection's fd to poll for reading (also while connecting), or -1 without one. */
int a11y_client_get_fd(struct a11y_client *client);
bool a11y_client_is_connected(struct a11y_client *client);
/** Reads and handles what the bus sent. False when the connection is lost (the fd is
 * then closed: stop watching it and call a11y_client_reconnect later). */
bool a11y_client_dispatch(struct a11y_client *client);
/** Starts connecting if there is no connection; the connected callback comes later, from
 * a11y_client_dispatch. True if connected already. */
bool a11y_client_reconnect(struct a11y_client *client);

/** One tree. app_id: the app's Wayland app id. user: the caller's. Owned by client. */
struct a11y_provider *a11y_provider_create(struct a11y_client *client, const char *app_id,
	void *user);
/**
 * The same for a tree that describes another process (pid > 0): a bridge from another
 * accessibility stack, connected to the trusted socket, so the bus matches the tree to
 * that process's windows (lumen_a11y_v1.create_provider_for). On a bus older than
 * version 2 the tree is published as the caller's own.
 */
struct a11y_provider *a11y_provider_create_for_pid(struct a11y_client *client,
	const char *app_id, pid_t pid, void *user);
void a11y_provider_destroy(struct a11y_provider *provider);
void *a11y_provider_get_user(struct a11y_provider *provider);
/**
 * Publishes the tree whole, atomically: nodes (any order), its root and focused node
 * (0: none). A no-op while disconnected. Blocks while the socket is full.
 */
void a11y_provider_publish(struct a11y_provider *provider, const struct a11y_node_desc *nodes,
	size_t n_nodes, uint32_t root, uint32_t focus);
/**
 * Publishes only the nodes given, each whole (children, actions, text...), over the tree
 * last published: the others are kept. For a tree whose shape did not change (states,
 * names, values, text, focus); children must name nodes the bus has. A no-op while
 * disconnected: publish the tree whole on connecting.
 */
void a11y_provider_update(struct a11y_provider *provider, const struct a11y_node_desc *nodes,
	size_t n_nodes, uint32_t root, uint32_t focus);
/** A live-region announcement. */
void a11y_provider_announce(struct a11y_provider *provider, const char *text, bool assertive);

/* The window manager's part (clients created with wm). No-ops while disconnected. */
void a11y_client_wm_window(struct a11y_client *client, uint32_t id, pid_t pid,
	const char *app_id, const char *title, int32_t x, int32_t y, int32_t width,
	int32_t height);
void a11y_client_wm_window_closed(struct a11y_client *client, uint32_t id);
void a11y_client_wm_activate(struct a11y_client *client, uint32_t id);

#endif
