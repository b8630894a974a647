/*
 * The export half's insides, shared by export.c (lumen-a11yd's side, the trees, the
 * connections and the loop) and objects.c (the AT-SPI2 interfaces on D-Bus).
 *
 * Each exported tree is one AT-SPI2 application on its own connection to the AT-SPI2 bus,
 * as each GTK or Qt process is: libatspi and the registry know an application by its bus
 * name and find its root at ATSPI_ROOT_PATH. The application object (role application)
 * has one child, the tree's root node (a frame); node N lives at ATSPI_OBJ_PREFIX/N.
 */
#ifndef LUMEN_ATSPI_EXPORT_PRIVATE_H
#define LUMEN_ATSPI_EXPORT_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-bus.h>
#include <wayland-client.h>
#include "export.h"

#define ATSPI_OBJ_PREFIX "/org/a11y/atspi/accessible"
#define ATSPI_ROOT_PATH "/org/a11y/atspi/accessible/root"
#define ATSPI_NULL_PATH "/org/a11y/atspi/null"
#define ATSPI_CACHE_PATH "/org/a11y/atspi/cache"
#define ATSPI_REGISTRY_NAME "org.a11y.atspi.Registry"

struct exp_node {
	uint32_t id, parent, role, states; // as lumen-a11yd says them
	char *name, *desc;
	int32_t x, y, w, h;
	bool has_value;
	double value[3]; // value, min, max
	bool has_text; // never for a password: the bus drops its text
	char *text;
	uint32_t caret, sel_start, sel_end; // byte offsets into text
	char **actions;
	size_t n_actions;
	uint32_t *children;
	size_t n_children, cap_children;
	uint32_t index; // in the parent's children
};

struct exp_nodes {
	struct exp_node *v; // sorted by id once complete
	size_t n, cap;
};

struct exp_tree {
	struct wl_list link; // atspi_export.trees
	struct atspi_export *exp;
	uint32_t id, window;
	int32_t pid;
	char *app_id;
	struct exp_nodes nodes; // the last complete read
	uint32_t root, focus;
	bool have_tree;
	uint32_t read_serial; // the read in flight, 0 for none
	bool reread; // read again when this one is done
	struct exp_nodes pending; // the read in flight
	uint32_t *order; // ids of pending in the order read (children in order)
	size_t n_order, cap_order;
	uint32_t focus_pending; // a focus event for a node not yet read
	uint64_t retry_at; // CLOCK_MONOTONIC µs: read again (an empty tree), 0 for never
	int empty_reads; // empty reads in a row
	uint64_t last_read; // CLOCK_MONOTONIC µs the last read was asked
	/* The tree's AT-SPI2 application. */
	sd_bus *bus; // NULL until its first read is complete
	const char *bus_name; // bus's unique name
	sd_bus_slot *slot_objects[7], *slot_cache, *slot_embed;
	char *parent_name, *parent_path; // the registry's root, from Embed
	int32_t app_num; // Application.Id, set by the registry
};

struct exp_action {
	struct wl_list link; // atspi_export.actions
	uint32_t serial;
	sd_bus_message *call; // answered with b when the provider answers
};

struct atspi_export {
	char *address; // the AT-SPI2 bus
	sd_bus *ctl; // our own name on the AT-SPI2 bus (no objects)
	int epoll_fd; // the trees' and ctl's connections
	struct wl_display *display;
	struct wl_registry *registry;
	struct lumen_a11y_v1 *bus;
	struct lumen_a11y_consumer_v1 *consumer;
	uint32_t next_serial;
	struct wl_list trees; // exp_tree.link
	struct wl_list actions; // exp_action.link
	uint32_t focus_tree, focus_node; // the focus as last told
	uint32_t active_tree; // the tree of the active window
	bool dead;
};

/* export.c */
struct exp_node *exp_tree_node(struct exp_tree *tree, uint32_t id);
struct exp_node *exp_tree_node_parent(struct exp_tree *tree, const struct exp_node *node);
/* Asks the node's provider for an action; call (may be NULL) is answered with b. */
bool exp_request_action(struct exp_tree *tree, uint32_t node, uint32_t kind, const char *name,
	const double *value, int32_t start, int32_t end, sd_bus_message *call);
/* Emits an AT-SPI2 event from obj (0: the application object): vtype 'i', 's', 'd', 'o'
 * (a child reference: the int is the child's id) or 0 (an int 0). */
void exp_emit(struct exp_tree *tree, uint32_t obj, const char *iface, const char *member,
	const char *detail, int32_t d1, int32_t d2, int vtype, ...);

/* The tree's own connection to the AT-SPI2 bus (tree->bus, tree->bus_name). */
bool exp_objects_connect(struct exp_tree *tree);
/* Registers the tree's application with the registry (Socket.Embed, answered later). */
bool exp_objects_embed(struct exp_tree *tree);

/* objects.c */
bool exp_objects_register(struct exp_tree *tree);
/* A node's AT-SPI2 role and state bitset (two words). */
uint32_t exp_atspi_role(const struct exp_node *node);
void exp_atspi_states(struct exp_tree *tree, const struct exp_node *node, uint32_t out[2]);
/* Emits the cache's AddAccessible for a node (true) or RemoveAccessible (false). */
void exp_cache_emit(struct exp_tree *tree, const struct exp_node *node, bool add);
/* The character offset of a byte offset, and the other way. */
int32_t exp_utf8_chars(const char *text, size_t bytes);
size_t exp_utf8_bytes(const char *text, int32_t chars);

/* roles.c */
const char *atspi_export_role_name(uint32_t role);

#endif
