/*
 * AT-SPI2 -> lumen-a11yd: each application on the registry is one provider, its tree a
 * mirror of the application's accessibles.
 *
 * Events come through libatspi (it registers them with the registry and matches the
 * signals); its callbacks only queue. Reads go out through GDBus as asynchronous calls
 * on a connection of our own to the AT-SPI2 bus: a node's properties, role, states,
 * interfaces and children in one round trip, then its bounds, actions, value and text;
 * many nodes at once. libatspi's reads are one blocking round trip per property, which
 * on a loaded machine made the first walk of gtk4-widget-factory take minutes.
 *
 * Work per event is bounded: it re-reads only the node it names (its states, name,
 * text, value, or children, whose new subtrees are read in the background, a window of
 * reads at a time). Focus events, and the reads they need, go first. Each application
 * that changed is published once per turn of the loop (during a first walk, at most
 * every 300 ms). An accessible that takes focus before it is mirrored has its chain of
 * ancestors read first, and focus is told once it is.
 *
 * Replies are typed (GVariant checked against the signature expected); nodes are found
 * again by (application, id) when a reply comes, so a node removed meanwhile is ignored.
 */
#define _GNU_SOURCE
#include "import.h"
#include <atspi/atspi.h>
#include <gio/gio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "a11y/client.h"
#include "common/log.h"
#include "export/export.h"
#include "lumen-a11y-v1-client-protocol.h"

#define S(x) LUMEN_A11Y_PROVIDER_V1_STATE_##x
#define R(x) LUMEN_A11Y_PROVIDER_V1_ROLE_##x

/* What fits one libwayland message with room to spare (the bus cuts names at 1024 bytes
 * and text at 3072; a message is at most 4096). */
#define MAX_NAME_BYTES 1024
#define MAX_ACTION_BYTES 128
#define MAX_TEXT_BYTES 3000
#define MAX_TEXT_CHARS 3000
#define MAX_ACTIONS 32
#define MAX_DEPTH 64 // ancestors looked up for a focus not mirrored yet
#define EVENT_QUEUE_MAX 8192
#define EVENTS_PER_TURN 1024
#define READS_IN_FLIGHT 32 // background node reads at once
#define CALLS_IN_FLIGHT 96 // below the AT-SPI2 bus daemon's 128 pending replies a connection
#define PUBLISH_EVERY_US 300000 // while an application is still being walked
#define CALL_TIMEOUT_MS 2000 // blocking calls (rare: new applications, focus chains, actions)
#define READ_TIMEOUT_MS 15000 // reads (asynchronous: an app busy building its tree is waited for)
#define READ_RETRIES 3 // a read that timed out is sent again, this many times

#define ATSPI_ROOT_PATH "/org/a11y/atspi/accessible/root"
#define ATSPI_REGISTRY "org.a11y.atspi.Registry"
#define IF_ACCESSIBLE "org.a11y.atspi.Accessible"
#define IF_COMPONENT "org.a11y.atspi.Component"
#define IF_ACTION "org.a11y.atspi.Action"
#define IF_VALUE "org.a11y.atspi.Value"
#define IF_TEXT "org.a11y.atspi.Text"
#define IF_PROPERTIES "org.freedesktop.DBus.Properties"

/* Roles have AT-SPI2's values (the protocol says so); a few spot checks. */
_Static_assert((int)ATSPI_ROLE_PUSH_BUTTON == (int)R(PUSH_BUTTON), "roles are AT-SPI2's");
_Static_assert((int)ATSPI_ROLE_ENTRY == (int)R(ENTRY), "roles are AT-SPI2's");
_Static_assert((int)ATSPI_ROLE_PASSWORD_TEXT == (int)R(PASSWORD_TEXT), "roles are AT-SPI2's");
_Static_assert((int)ATSPI_ROLE_APPLICATION == (int)R(APPLICATION), "roles are AT-SPI2's");
_Static_assert((int)ATSPI_ROLE_PUSH_BUTTON_MENU == (int)R(PUSH_BUTTON_MENU),
	"roles are AT-SPI2's");

enum need {
	NEED_PROPS = 1 << 0, // name, description, role, states, bounds, actions
	NEED_CHILDREN = 1 << 1,
	NEED_TEXT = 1 << 2,
	NEED_VALUE = 1 << 3,
	NEED_STATES = 1 << 4,
	NEED_ALL = 0x1f,
};

enum iface {
	IFACE_KNOWN = 1 << 0,
	IFACE_COMPONENT = 1 << 1,
	IFACE_ACTION = 1 << 2,
	IFACE_VALUE = 1 << 3,
	IFACE_TEXT = 1 << 4,
};

enum event_kind {
	EV_NEED, // re-read what need says
	EV_FOCUS, // focused (state-changed:focused, 1)
	EV_DEFUNCT, // gone: its parent's children are re-read
	EV_WINDOW, // a window came or went: the application's children are re-read
	EV_APPS, // the registry's list of applications changed
};

struct imp_event {
	char *bus, *path;
	enum event_kind kind;
	uint32_t need;
};

struct imp_node {
	struct imp_app *app;
	char *path; // the object path (the key of app->by_path)
	uint32_t id, parent; // parent 0: the root
	bool read; // read whole at least once
	bool queued; // waiting in app->reads
	int batches; // reads in flight
	int retries; // reads sent again after a timeout
	bool focus_when_read; // it took focus before it was mirrored
	bool forced; // linked to its parent by its Parent, though the parent does not list it
	uint32_t ifaces; // enum iface
	uint32_t role, states;
	uint32_t raw_states[2]; // AT-SPI2's state set
	char *name, *description;
	int32_t x, y, width, height;
	bool has_value;
	double value, min, max;
	GArray *children; // uint32_t ids
	char **actions;
	size_t n_actions;
	char *text; // NULL: no text (always for passwords)
	uint32_t caret, sel_start, sel_end; // bytes into text
	int text_chars; // AT-SPI2's character count, while a text read is in flight
	int child_count; // AT-SPI2's ChildCount, as last read
	uint32_t seen, pushed, visited, pub_parent; // generation marks
};

struct imp_app {
	struct atspi_import *imp;
	char *bus_name, *app_id;
	pid_t pid;
	struct a11y_provider *provider;
	GHashTable *by_path; // path -> struct imp_node *
	GHashTable *by_id; // id -> struct imp_node * (owns them)
	uint32_t next_id, root, focus;
	GQueue reads; // ids of nodes whose first read waits (background)
	bool changed, urgent; // publish at the end of the turn (urgent: now)
	/* Since the last whole publish: a node came, went or changed children (publish
	 * whole), else only the nodes in touched (ids) changed (publish those). */
	bool shape_changed;
	uint32_t pub_gen; // the generation mark of the last whole publish (0: none)
	GHashTable *touched;
	gint64 last_publish;
	bool capped; // max_nodes reached (said once)
	bool seen; // in the registry's list at the last look
};

/* One read of one node: several calls, finished when the last answers. */
struct batch {
	struct atspi_import *imp;
	char *bus;
	uint32_t node;
	uint32_t need;
	int pending;
	bool background, focus; // focus: the node takes focus when done
	bool timed_out; // a call timed out: the read is sent again
	GPtrArray *gathered; // children asked one by one (GetChildAtIndex), by index
	int gathering; // of those, answers still to come
	int index; // the index of the answer being applied
};

struct call {
	struct batch *batch;
	void (*apply)(struct imp_node *node, struct batch *batch, GVariant *reply);
	int index; // GetChildAtIndex's, else -1
	/* While waiting for a place (CALLS_IN_FLIGHT): */
	char *path;
	const char *iface, *method, *type; // static strings
	GVariant *args; // sunk, may be NULL
};

struct client_source {
	GSource base;
	GPollFD pfd;
	struct atspi_import *imp;
};

struct atspi_import {
	struct a11y_client *client;
	struct client_source *source;
	guint reconnect_timer, work_idle, publish_timer;
	GDBusConnection *dbus; // to the AT-SPI2 bus, for reads and actions
	GCancellable *cancel;
	int calls_in_flight, reads_in_flight;
	GQueue waiting_calls; // struct call *, sent as answers come
	AtspiEventListener *listener;
	GHashTable *apps; // bus name -> struct imp_app *
	GHashTable *ignored; // bus names of processes never imported (ours)
	GQueue events; // struct imp_event *
	bool apps_dirty, overflow;
	gint64 last_sync;
	int max_nodes;
	uint32_t gen;
	bool (*skip_owns)(void *data, const char *bus_name);
	void *skip_data;
};

static void schedule_work(struct atspi_import *imp);
static void start_read(struct imp_node *node, uint32_t need, bool background, bool focus);

/* ---- small helpers ---- */

static bool skipped_bus(struct atspi_import *imp, const char *bus) {
	if (!bus || g_hash_table_contains(imp->ignored, bus)) {
		return true;
	}
	return imp->skip_owns && imp->skip_owns(imp->skip_data, bus);
}

/* A copy cut to at most max bytes at a character boundary, made valid UTF-8. */
static char *dup_cut(const char *s, size_t max) {
	if (!s) {
		return g_strdup("");
	}
	char *valid = g_utf8_validate(s, -1, NULL) ? g_strdup(s) : g_utf8_make_valid(s, -1);
	size_t len = strlen(valid);
	if (len > max) {
		size_t n = max;
		while (n > 0 && ((unsigned char)valid[n] & 0xc0) == 0x80) {
			n--;
		}
		valid[n] = '\0';
	}
	return valid;
}

/* Character offset -> byte offset in text (clamped to its length). */
static uint32_t char_to_byte(const char *text, int offset) {
	if (!text || offset <= 0) {
		return 0;
	}
	const char *p = text;
	for (int i = 0; i < offset && *p; i++) {
		p = g_utf8_next_char(p);
	}
	return (uint32_t)(p - text);
}

/* Byte offset -> character offset. */
static int byte_to_char(const char *text, uint32_t offset) {
	size_t len = text ? strlen(text) : 0;
	if (offset > len) {
		offset = (uint32_t)len;
	}
	return text ? (int)g_utf8_strlen(text, offset) : 0;
}

static bool has_state(const uint32_t words[2], int state) {
	return state >= 0 && state < 64 && (words[state / 32] >> (state % 32)) & 1;
}

/* ---- nodes ---- */

static void node_clear_actions(struct imp_node *node) {
	for (size_t i = 0; i < node->n_actions; i++) {
		g_free(node->actions[i]);
	}
	g_free(node->actions);
	node->actions = NULL;
	node->n_actions = 0;
}

static void node_free(void *data) {
	struct imp_node *node = data;
	node_clear_actions(node);
	g_free(node->name);
	g_free(node->description);
	g_free(node->text);
	g_array_unref(node->children);
	g_free(node->path);
	g_free(node);
}

static struct imp_node *node_by_id(struct imp_app *app, uint32_t id) {
	return id ? g_hash_table_lookup(app->by_id, GUINT_TO_POINTER(id)) : NULL;
}

/* A node for path; NULL at the cap. Its first read is the caller's to start. */
static struct imp_node *node_new(struct imp_app *app, const char *path, uint32_t parent) {
	if ((int)g_hash_table_size(app->by_id) >= app->imp->max_nodes) {
		if (!app->capped) {
			lumen_log(LUMEN_WARN, "%s: more than %d accessibles; the rest are left out",
				app->app_id, app->imp->max_nodes);
			app->capped = true;
		}
		return NULL;
	}
	struct imp_node *node = g_new0(struct imp_node, 1);
	node->app = app;
	node->path = g_strdup(path);
	node->id = app->next_id++;
	node->parent = parent;
	node->children = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	node->name = g_strdup("");
	node->description = g_strdup("");
	g_hash_table_insert(app->by_id, GUINT_TO_POINTER(node->id), node);
	g_hash_table_insert(app->by_path, node->path, node);
	app->shape_changed = true;
	return node;
}

/* Drops node and every descendant mirrored under it. */
static void node_remove_subtree(struct imp_app *app, struct imp_node *top) {
	GArray *stack = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	g_array_append_val(stack, top->id);
	while (stack->len > 0) {
		uint32_t id = g_array_index(stack, uint32_t, stack->len - 1);
		g_array_set_size(stack, stack->len - 1);
		struct imp_node *node = node_by_id(app, id);
		if (!node) {
			continue;
		}
		for (guint i = 0; i < node->children->len; i++) {
			uint32_t cid = g_array_index(node->children, uint32_t, i);
			struct imp_node *child = node_by_id(app, cid);
			if (child && child->parent == node->id) {
				g_array_append_val(stack, cid);
			}
		}
		if (app->focus == id) {
			app->focus = 0;
		}
		g_hash_table_remove(app->by_path, node->path);
		g_hash_table_remove(app->by_id, GUINT_TO_POINTER(id)); // frees it
	}
	g_array_unref(stack);
	app->changed = true;
	app->shape_changed = true;
}

static uint32_t map_states(const uint32_t raw[2], uint32_t role) {
	static const struct {
		AtspiStateType atspi;
		uint32_t ours;
	} table[] = {
		{ATSPI_STATE_FOCUSED, S(FOCUSED)},
		{ATSPI_STATE_FOCUSABLE, S(FOCUSABLE)},
		{ATSPI_STATE_SELECTED, S(SELECTED)},
		{ATSPI_STATE_SELECTABLE, S(SELECTABLE)},
		{ATSPI_STATE_CHECKED, S(CHECKED)},
		{ATSPI_STATE_CHECKABLE, S(CHECKABLE)},
		{ATSPI_STATE_EXPANDED, S(EXPANDED)},
		{ATSPI_STATE_EXPANDABLE, S(EXPANDABLE)},
		{ATSPI_STATE_EDITABLE, S(EDITABLE)},
		{ATSPI_STATE_MULTI_LINE, S(MULTILINE)},
		{ATSPI_STATE_PRESSED, S(PRESSED)},
		{ATSPI_STATE_BUSY, S(BUSY)},
		{ATSPI_STATE_INVALID_ENTRY, S(INVALID_ENTRY)},
		{ATSPI_STATE_REQUIRED, S(REQUIRED)},
		{ATSPI_STATE_MODAL, S(MODAL)},
		{ATSPI_STATE_READ_ONLY, S(READ_ONLY)},
		{ATSPI_STATE_INDETERMINATE, S(INDETERMINATE)},
		{ATSPI_STATE_HAS_POPUP, S(HAS_POPUP)},
		{ATSPI_STATE_MULTISELECTABLE, S(MULTISELECTABLE)},
		{ATSPI_STATE_VISITED, S(VISITED)},
		{ATSPI_STATE_IS_DEFAULT, S(DEFAULT)},
		{ATSPI_STATE_HORIZONTAL, S(HORIZONTAL)},
		{ATSPI_STATE_VERTICAL, S(VERTICAL)},
	};
	uint32_t states = 0;
	for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
		if (has_state(raw, table[i].atspi)) {
			states |= table[i].ours;
		}
	}
	/* Only what says anything of itself can be disabled or off screen (the application
	 * object says nothing). */
	bool visible = has_state(raw, ATSPI_STATE_VISIBLE);
	if (visible && !has_state(raw, ATSPI_STATE_ENABLED) &&
			!has_state(raw, ATSPI_STATE_SENSITIVE)) {
		states |= S(DISABLED);
	}
	if (visible && !has_state(raw, ATSPI_STATE_SHOWING)) {
		states |= S(OFFSCREEN);
	}
	if (role == R(PASSWORD_TEXT)) {
		states |= S(PASSWORD);
	}
	return states;
}

static bool is_text_node(const struct imp_node *node) {
	if (node->role == R(PASSWORD_TEXT) || (node->states & S(PASSWORD))) {
		return false; // a password's text never leaves AT-SPI2
	}
	switch (node->role) {
	case R(ENTRY):
	case R(TEXT):
	case R(TERMINAL):
	case R(SPIN_BUTTON):
	case R(DOCUMENT_TEXT):
	case R(AUTOCOMPLETE):
		return true;
	default:
		return (node->states & S(EDITABLE)) != 0;
	}
}

/* ---- reads: calls and what their replies set ---- */

static void batch_done(struct batch *batch);
static void set_children(struct imp_node *node, const char *const *paths, gsize n);
static void apply_child_at(struct imp_node *node, struct batch *batch, GVariant *reply);

static void send_waiting(struct atspi_import *imp);

static void handle_reply(GObject *source, GAsyncResult *result, void *data) {
	struct call *call = data;
	struct batch *batch = call->batch;
	struct atspi_import *imp = batch->imp;
	GError *err = NULL;
	GVariant *reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &err);
	imp->calls_in_flight--;
	send_waiting(imp);
	if (err) {
		if (!g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
			lumen_log(LUMEN_DEBUG, "AT-SPI2 %s: %s", batch->bus, err->message);
		}
		if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)) {
			batch->timed_out = true;
		}
		g_error_free(err);
	}
	struct imp_app *app =
		reply && !g_cancellable_is_cancelled(imp->cancel)
			? g_hash_table_lookup(imp->apps, batch->bus) : NULL;
	struct imp_node *node = app ? node_by_id(app, batch->node) : NULL;
	batch->index = call->index;
	if (node && reply) {
		call->apply(node, batch, reply);
	}
	if (reply) {
		g_variant_unref(reply);
	}
	if (call->index >= 0 && --batch->gathering == 0 && node) {
		set_children(node, (const char *const *)batch->gathered->pdata,
			batch->gathered->len);
	}
	g_free(call);
	if (--batch->pending == 0) {
		batch_done(batch);
	}
}

static void send_call(struct atspi_import *imp, struct call *c) {
	imp->calls_in_flight++;
	g_dbus_connection_call(imp->dbus, c->batch->bus, c->path, c->iface, c->method, c->args,
		G_VARIANT_TYPE(c->type), G_DBUS_CALL_FLAGS_NO_AUTO_START, READ_TIMEOUT_MS,
		imp->cancel, handle_reply, c);
	if (c->args) {
		g_variant_unref(c->args);
		c->args = NULL;
	}
	g_free(c->path);
	c->path = NULL;
}

/* One call of the batch: method on the node's object, reply checked against type. */
static void call(struct batch *batch, const char *path, const char *iface, const char *method,
		GVariant *args, const char *type,
		void (*apply)(struct imp_node *node, struct batch *batch, GVariant *reply)) {
	struct atspi_import *imp = batch->imp;
	struct call *c = g_new0(struct call, 1);
	c->batch = batch;
	c->apply = apply;
	c->index = apply == apply_child_at ? batch->index : -1;
	c->path = g_strdup(path);
	c->iface = iface;
	c->method = method;
	c->type = type;
	c->args = args ? g_variant_ref_sink(args) : NULL;
	batch->pending++;
	if (imp->calls_in_flight < CALLS_IN_FLIGHT && imp->waiting_calls.length == 0) {
		send_call(imp, c);
	} else {
		g_queue_push_tail(&imp->waiting_calls, c);
	}
}

static void send_waiting(struct atspi_import *imp) {
	while (imp->calls_in_flight < CALLS_IN_FLIGHT && imp->waiting_calls.length > 0) {
		send_call(imp, g_queue_pop_head(&imp->waiting_calls));
	}
}

static void get_all(struct batch *batch, const char *path, const char *iface,
		void (*apply)(struct imp_node *node, struct batch *batch, GVariant *reply)) {
	call(batch, path, IF_PROPERTIES, "GetAll", g_variant_new("(s)", iface), "(a{sv})", apply);
}

static void apply_accessible(struct imp_node *node, struct batch *batch, GVariant *reply) {
	GVariant *dict = g_variant_get_child_value(reply, 0);
	const char *s = NULL;
	if (g_variant_lookup(dict, "Name", "&s", &s)) {
		g_free(node->name);
		node->name = dup_cut(s, MAX_NAME_BYTES);
	}
	if (g_variant_lookup(dict, "Description", "&s", &s)) {
		g_free(node->description);
		node->description = dup_cut(s, MAX_NAME_BYTES);
	}
	int32_t count = 0;
	if (g_variant_lookup(dict, "ChildCount", "i", &count)) {
		node->child_count = count;
	}
	g_variant_unref(dict);
}

static void apply_role(struct imp_node *node, struct batch *batch, GVariant *reply) {
	uint32_t role = 0;
	g_variant_get(reply, "(u)", &role);
	node->role = role > ATSPI_ROLE_INVALID && role < ATSPI_ROLE_LAST_DEFINED &&
			role <= R(PUSH_BUTTON_MENU)
		? role : R(UNKNOWN);
	node->states = map_states(node->raw_states, node->role);
}

static void apply_states(struct imp_node *node, struct batch *batch, GVariant *reply) {
	GVariant *words = g_variant_get_child_value(reply, 0);
	gsize n = 0;
	const uint32_t *w = g_variant_get_fixed_array(words, &n, sizeof(uint32_t));
	node->raw_states[0] = n > 0 ? w[0] : 0;
	node->raw_states[1] = n > 1 ? w[1] : 0;
	g_variant_unref(words);
	node->states = map_states(node->raw_states, node->role);
	if (node->states & S(FOCUSED) && !batch->background) {
		node->app->focus = node->id; // an event's read of a focused node
	} else if (node->states & S(FOCUSED) && node->app->focus == 0) {
		node->app->focus = node->id; // the walk found where focus is
	}
}

static void apply_extents(struct imp_node *node, struct batch *batch, GVariant *reply) {
	int32_t x, y, w, h;
	g_variant_get(reply, "((iiii))", &x, &y, &w, &h);
	node->x = x;
	node->y = y;
	node->width = w > 0 ? w : 0;
	node->height = h > 0 ? h : 0;
}

static void apply_actions(struct imp_node *node, struct batch *batch, GVariant *reply) {
	node_clear_actions(node);
	GVariant *list = g_variant_get_child_value(reply, 0);
	gsize n = g_variant_n_children(list);
	if (n > MAX_ACTIONS) {
		n = MAX_ACTIONS;
	}
	node->actions = g_new0(char *, n > 0 ? n : 1);
	for (gsize i = 0; i < n; i++) {
		const char *name = NULL;
		g_variant_get_child(list, i, "(&s&s&s)", &name, NULL, NULL);
		node->actions[node->n_actions++] = dup_cut(name, MAX_ACTION_BYTES);
	}
	g_variant_unref(list);
}

static void apply_value(struct imp_node *node, struct batch *batch, GVariant *reply) {
	GVariant *dict = g_variant_get_child_value(reply, 0);
	double v, min, max;
	node->has_value = false;
	if (g_variant_lookup(dict, "CurrentValue", "d", &v) &&
			g_variant_lookup(dict, "MinimumValue", "d", &min) &&
			g_variant_lookup(dict, "MaximumValue", "d", &max) && isfinite(v) &&
			isfinite(min) && isfinite(max)) {
		node->has_value = true;
		node->value = v;
		node->min = min < max ? min : max;
		node->max = min < max ? max : min;
	}
	g_variant_unref(dict);
}

static void apply_text(struct imp_node *node, struct batch *batch, GVariant *reply) {
	const char *s = NULL;
	g_variant_get(reply, "(&s)", &s);
	g_free(node->text);
	node->text = is_text_node(node) ? dup_cut(s, MAX_TEXT_BYTES) : NULL;
	node->caret = char_to_byte(node->text, node->text_chars);
	node->sel_start = node->sel_end = node->caret;
}

static void apply_selection(struct imp_node *node, struct batch *batch, GVariant *reply) {
	int32_t a, b;
	g_variant_get(reply, "(ii)", &a, &b);
	uint32_t ba = char_to_byte(node->text, a), bb = char_to_byte(node->text, b);
	node->sel_start = ba < bb ? ba : bb;
	node->sel_end = ba < bb ? bb : ba;
}

static void apply_text_props(struct imp_node *node, struct batch *batch, GVariant *reply) {
	GVariant *dict = g_variant_get_child_value(reply, 0);
	int32_t count = 0, caret = 0;
	g_variant_lookup(dict, "CharacterCount", "i", &count);
	g_variant_lookup(dict, "CaretOffset", "i", &caret);
	g_variant_unref(dict);
	if (!is_text_node(node)) {
		g_free(node->text);
		node->text = NULL;
		return;
	}
	/* The caret is kept in characters until the text is here (apply_text_done). */
	node->text_chars = caret;
	int end = count < 0 ? 0 : count < MAX_TEXT_CHARS ? count : MAX_TEXT_CHARS;
	call(batch, node->path, IF_TEXT, "GetText", g_variant_new("(ii)", 0, end), "(s)",
		apply_text);
	call(batch, node->path, IF_TEXT, "GetSelection", g_variant_new("(i)", 0), "(ii)",
		apply_selection);
}

static void read_text(struct batch *batch, struct imp_node *node) {
	if (!(node->ifaces & IFACE_TEXT) || !is_text_node(node)) {
		g_free(node->text);
		node->text = NULL;
		return;
	}
	get_all(batch, node->path, IF_TEXT, apply_text_props);
}

/* Interfaces known (first read): the calls that depend on them. */
static void read_by_iface(struct batch *batch, struct imp_node *node) {
	if ((batch->need & NEED_PROPS) && (node->ifaces & IFACE_COMPONENT)) {
		call(batch, node->path, IF_COMPONENT, "GetExtents",
			g_variant_new("(u)", (uint32_t)ATSPI_COORD_TYPE_WINDOW), "((iiii))",
			apply_extents);
	}
	if ((batch->need & NEED_PROPS) && (node->ifaces & IFACE_ACTION)) {
		call(batch, node->path, IF_ACTION, "GetActions", NULL, "(a(sss))", apply_actions);
	}
	if ((batch->need & NEED_VALUE) && (node->ifaces & IFACE_VALUE)) {
		get_all(batch, node->path, IF_VALUE, apply_value);
	}
	if (batch->need & NEED_TEXT) {
		read_text(batch, node);
	}
}

static void apply_ifaces(struct imp_node *node, struct batch *batch, GVariant *reply) {
	GVariant *list = g_variant_get_child_value(reply, 0);
	uint32_t ifaces = IFACE_KNOWN;
	gsize n = g_variant_n_children(list);
	for (gsize i = 0; i < n; i++) {
		const char *name = NULL;
		g_variant_get_child(list, i, "&s", &name);
		if (strcmp(name, IF_COMPONENT) == 0) {
			ifaces |= IFACE_COMPONENT;
		} else if (strcmp(name, IF_ACTION) == 0) {
			ifaces |= IFACE_ACTION;
		} else if (strcmp(name, IF_VALUE) == 0) {
			ifaces |= IFACE_VALUE;
		} else if (strcmp(name, IF_TEXT) == 0) {
			ifaces |= IFACE_TEXT;
		}
	}
	g_variant_unref(list);
	node->ifaces = ifaces;
}

/* The children as AT-SPI2 says now (paths, in order; NULL entries skipped): new ones get
 * nodes (and reads), gone ones are dropped with their subtrees. */
static void set_children(struct imp_node *node, const char *const *paths, gsize n) {
	struct imp_app *app = node->app;
	struct atspi_import *imp = app->imp;
	if (n > (gsize)imp->max_nodes) {
		n = (gsize)imp->max_nodes;
	}
	uint32_t gen = ++imp->gen;
	GArray *kids = g_array_sized_new(FALSE, FALSE, sizeof(uint32_t), (guint)n);
	for (gsize i = 0; i < n; i++) {
		const char *path = paths[i];
		if (!path) {
			continue;
		}
		struct imp_node *child = g_hash_table_lookup(app->by_path, path);
		if (!child) {
			child = node_new(app, path, node->id);
			if (child) {
				start_read(child, NEED_ALL, true, false);
			}
		} else if (child->seen == gen || child->id == app->root || child == node) {
			child = NULL; // listed twice, or a loop
		} else if (child->parent != node->id) {
			/* It moved here: its old parent's list forgets it. */
			struct imp_node *old = node_by_id(app, child->parent);
			for (guint k = 0; old && k < old->children->len; k++) {
				if (g_array_index(old->children, uint32_t, k) == child->id) {
					g_array_remove_index(old->children, k);
					break;
				}
			}
			child->parent = node->id;
		}
		if (child) {
			child->seen = gen;
			g_array_append_val(kids, child->id);
		}
	}
	GArray *old = node->children;
	node->children = kids;
	app->shape_changed = true;
	for (guint i = 0; i < old->len; i++) {
		struct imp_node *child = node_by_id(app, g_array_index(old, uint32_t, i));
		if (child && child->seen != gen && child->parent == node->id) {
			if (child->forced) {
				g_array_append_val(node->children, child->id); // its Parent says so
			} else {
				node_remove_subtree(app, child);
			}
		}
	}
	g_array_unref(old);
}

/* GetChildren's answer. GTK 4.8 lists there only the children whose accessibles it has
 * made already (a long list of buttons never shown, say); when ChildCount says more,
 * each child is asked by index, which makes them. */
static void apply_children(struct imp_node *node, struct batch *batch, GVariant *reply) {
	struct imp_app *app = node->app;
	GVariant *list = g_variant_get_child_value(reply, 0);
	gsize n = g_variant_n_children(list);
	int want = node->child_count < app->imp->max_nodes ? node->child_count
		: app->imp->max_nodes;
	if (want > 0 && n < (gsize)want && !batch->gathered) {
		g_variant_unref(list);
		batch->gathered = g_ptr_array_new_full((guint)want, g_free);
		g_ptr_array_set_size(batch->gathered, want);
		batch->gathering = want;
		for (int i = 0; i < want; i++) {
			batch->index = i; // taken by call()
			call(batch, node->path, IF_ACCESSIBLE, "GetChildAtIndex",
				g_variant_new("(i)", i), "((so))", apply_child_at);
		}
		return;
	}
	const char **paths = g_new0(const char *, n > 0 ? n : 1);
	for (gsize i = 0; i < n; i++) {
		const char *bus = NULL, *path = NULL;
		g_variant_get_child(list, i, "(&s&o)", &bus, &path);
		paths[i] = strcmp(bus, app->bus_name) == 0 ? path : NULL; // a plug: not ours
	}
	set_children(node, paths, n);
	g_free(paths);
	g_variant_unref(list);
}

/* One child asked by index; the list is set when the last has answered. */
static void apply_child_at(struct imp_node *node, struct batch *batch, GVariant *reply) {
	const char *bus = NULL, *path = NULL;
	g_variant_get(reply, "((&s&o))", &bus, &path);
	if (batch->index >= 0 && (guint)batch->index < batch->gathered->len &&
			strcmp(bus, node->app->bus_name) == 0) {
		g_free(batch->gathered->pdata[batch->index]);
		batch->gathered->pdata[batch->index] = g_strdup(path);
	}
}

/* The first round trip of a read: whatever is asked that needs no interface list. */
static void apply_ifaces_then(struct imp_node *node, struct batch *batch, GVariant *reply) {
	apply_ifaces(node, batch, reply);
	read_by_iface(batch, node);
}

static void batch_done(struct batch *batch) {
	struct atspi_import *imp = batch->imp;
	if (batch->background) {
		imp->reads_in_flight--;
	}
	struct imp_app *app = g_cancellable_is_cancelled(imp->cancel)
		? NULL : g_hash_table_lookup(imp->apps, batch->bus);
	struct imp_node *node = app ? node_by_id(app, batch->node) : NULL;
	if (node && batch->timed_out && node->retries < READ_RETRIES) {
		/* A busy application: ask again (its other answers are kept meanwhile). */
		node->batches--;
		node->retries++;
		uint32_t need = batch->need;
		bool background = batch->background, focus = batch->focus;
		if (batch->gathered) {
			g_ptr_array_unref(batch->gathered);
		}
		g_free(batch->bus);
		g_free(batch);
		start_read(node, need, background, focus);
		return;
	}
	if (node) {
		node->batches--;
		if (batch->need == NEED_ALL) {
			node->read = true;
		}
		if (node->focus_when_read || batch->focus) {
			node->focus_when_read = false;
			app->focus = node->id;
			app->urgent = true;
		}
		if (!batch->background) {
			app->urgent = true;
		}
		app->changed = true;
		g_hash_table_add(app->touched, GUINT_TO_POINTER(node->id));
	}
	if (batch->gathered) {
		g_ptr_array_unref(batch->gathered);
	}
	g_free(batch->bus);
	g_free(batch);
	schedule_work(imp);
}

/* Reads what need says of node now (background: the first walk's reads, which wait for
 * a place in the window). */
static void start_read(struct imp_node *node, uint32_t need, bool background, bool focus) {
	struct imp_app *app = node->app;
	struct atspi_import *imp = app->imp;
	if (background && need == NEED_ALL && imp->reads_in_flight >= READS_IN_FLIGHT) {
		if (!node->queued) {
			node->queued = true;
			g_queue_push_tail(&app->reads, GUINT_TO_POINTER(node->id));
		}
		return;
	}
	node->queued = false;
	struct batch *batch = g_new0(struct batch, 1);
	batch->imp = imp;
	batch->bus = g_strdup(app->bus_name);
	batch->node = node->id;
	batch->need = need;
	batch->background = background;
	batch->focus = focus;
	batch->pending = 1; // held until every call is sent
	if (background) {
		imp->reads_in_flight++;
	}
	node->batches++;
	if (need & (NEED_PROPS | NEED_CHILDREN)) {
		get_all(batch, node->path, IF_ACCESSIBLE, apply_accessible); // ChildCount too
	}
	if (need & NEED_PROPS) {
		call(batch, node->path, IF_ACCESSIBLE, "GetRole", NULL, "(u)", apply_role);
	}
	if (need & (NEED_PROPS | NEED_STATES)) {
		call(batch, node->path, IF_ACCESSIBLE, "GetState", NULL, "(au)", apply_states);
	}
	if (need & NEED_CHILDREN) {
		call(batch, node->path, IF_ACCESSIBLE, "GetChildren", NULL, "(a(so))",
			apply_children);
	}
	if (node->ifaces & IFACE_KNOWN) {
		read_by_iface(batch, node);
	} else {
		call(batch, node->path, IF_ACCESSIBLE, "GetInterfaces", NULL, "(as)",
			apply_ifaces_then);
	}
	if (--batch->pending == 0) {
		batch_done(batch);
	}
}

/* Background reads waiting for a place in the window. */
static void pump_reads(struct atspi_import *imp) {
	bool more = true;
	while (more && imp->reads_in_flight < READS_IN_FLIGHT) {
		more = false;
		GHashTableIter iter;
		void *value;
		g_hash_table_iter_init(&iter, imp->apps);
		while (g_hash_table_iter_next(&iter, NULL, &value) &&
				imp->reads_in_flight < READS_IN_FLIGHT) {
			struct imp_app *app = value;
			struct imp_node *node = NULL;
			while (!node && app->reads.length > 0) {
				node = node_by_id(app, GPOINTER_TO_UINT(g_queue_pop_head(&app->reads)));
			}
			if (node && node->queued) {
				node->queued = false;
				start_read(node, NEED_ALL, true, false);
			}
			more = more || app->reads.length > 0;
		}
	}
}

/* ---- applications ---- */

static void app_destroy(void *data) {
	struct imp_app *app = data;
	lumen_log(LUMEN_INFO, "%s (pid %d) left", app->app_id, (int)app->pid);
	a11y_provider_destroy(app->provider);
	g_hash_table_destroy(app->by_path);
	g_hash_table_destroy(app->by_id);
	g_hash_table_destroy(app->touched);
	g_queue_clear(&app->reads);
	g_free(app->bus_name);
	g_free(app->app_id);
	g_free(app);
}

static GVariant *call_sync(struct atspi_import *imp, const char *bus, const char *path,
		const char *iface, const char *method, GVariant *args, const char *type) {
	GError *err = NULL;
	GVariant *reply = g_dbus_connection_call_sync(imp->dbus, bus, path, iface, method, args,
		G_VARIANT_TYPE(type), G_DBUS_CALL_FLAGS_NO_AUTO_START, CALL_TIMEOUT_MS, NULL, &err);
	if (err) {
		lumen_log(LUMEN_DEBUG, "AT-SPI2 %s %s.%s: %s", bus, iface, method, err->message);
		g_error_free(err);
	}
	return reply;
}

static struct imp_app *app_create(struct atspi_import *imp, const char *bus, const char *path,
		pid_t pid) {
	GVariant *reply = call_sync(imp, bus, path, IF_PROPERTIES, "Get",
		g_variant_new("(ss)", IF_ACCESSIBLE, "Name"), "(v)");
	if (!reply) {
		return NULL;
	}
	GVariant *v = NULL;
	g_variant_get(reply, "(v)", &v);
	const char *name = g_variant_is_of_type(v, G_VARIANT_TYPE_STRING)
		? g_variant_get_string(v, NULL) : "";
	struct imp_app *app = g_new0(struct imp_app, 1);
	app->imp = imp;
	app->bus_name = g_strdup(bus);
	char *cut = dup_cut(name[0] ? name : bus, MAX_NAME_BYTES - 16);
	app->app_id = g_strconcat(ATSPI_IMPORT_PREFIX, cut, NULL);
	g_free(cut);
	g_variant_unref(v);
	g_variant_unref(reply);
	app->pid = pid;
	app->by_path = g_hash_table_new(g_str_hash, g_str_equal);
	app->by_id = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, node_free);
	app->touched = g_hash_table_new(g_direct_hash, g_direct_equal);
	g_queue_init(&app->reads);
	app->next_id = 1;
	struct imp_node *root = node_new(app, path, 0);
	app->root = root ? root->id : 0;
	app->provider = a11y_provider_create_for_pid(imp->client, app->app_id, pid, app);
	if (!root || !app->provider) {
		lumen_log(LUMEN_ERROR, "out of memory");
		app_destroy(app);
		return NULL;
	}
	lumen_log(LUMEN_INFO, "importing %s (pid %d, %s)", app->app_id, (int)pid, bus);
	return app;
}

/* The registry's applications: new ones imported, gone ones dropped. */
static void sync_apps(struct atspi_import *imp) {
	imp->apps_dirty = false;
	imp->last_sync = g_get_monotonic_time();
	GVariant *reply = call_sync(imp, ATSPI_REGISTRY, ATSPI_ROOT_PATH, IF_ACCESSIBLE,
		"GetChildren", NULL, "(a(so))");
	if (!reply) {
		return;
	}
	GHashTableIter iter;
	void *value;
	g_hash_table_iter_init(&iter, imp->apps);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		((struct imp_app *)value)->seen = false;
	}
	GVariant *list = g_variant_get_child_value(reply, 0);
	gsize n = g_variant_n_children(list);
	for (gsize i = 0; i < n; i++) {
		const char *bus = NULL, *path = NULL;
		g_variant_get_child(list, i, "(&s&o)", &bus, &path);
		struct imp_app *app = g_hash_table_lookup(imp->apps, bus);
		if (app) {
			app->seen = true;
			continue;
		}
		if (skipped_bus(imp, bus)) {
			continue;
		}
		/* Asked of the bus daemon, never of the application (which may be us). */
		GVariant *pid_reply = call_sync(imp, "org.freedesktop.DBus", "/org/freedesktop/DBus",
			"org.freedesktop.DBus", "GetConnectionUnixProcessID", g_variant_new("(s)", bus),
			"(u)");
		uint32_t pid = 0;
		if (pid_reply) {
			g_variant_get(pid_reply, "(u)", &pid);
			g_variant_unref(pid_reply);
		}
		if (pid == 0) {
			continue;
		}
		if ((pid_t)pid == getpid()) {
			g_hash_table_add(imp->ignored, g_strdup(bus));
			continue;
		}
		app = app_create(imp, bus, path, (pid_t)pid);
		if (app) {
			app->seen = true;
			g_hash_table_insert(imp->apps, app->bus_name, app);
			start_read(node_by_id(app, app->root), NEED_ALL, false, false);
		}
	}
	g_variant_unref(list);
	g_variant_unref(reply);
	g_hash_table_iter_init(&iter, imp->apps);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		if (!((struct imp_app *)value)->seen) {
			g_hash_table_iter_remove(&iter);
		}
	}
}

/* ---- publishing ---- */

static void describe(struct a11y_node_desc *d, struct imp_node *node) {
	d->id = node->id;
	d->role = node->role;
	d->states = node->states;
	d->name = node->name;
	d->description = node->description;
	d->x = node->x;
	d->y = node->y;
	d->width = node->width;
	d->height = node->height;
	d->has_value = node->has_value;
	d->value = node->value;
	d->min = node->min;
	d->max = node->max;
	d->actions = (const char *const *)node->actions;
	d->n_actions = node->n_actions;
	d->text = node->text;
	d->caret = node->caret;
	d->sel_start = node->sel_start;
	d->sel_end = node->sel_end;
}

/* The tree's shape is as last published whole: only the nodes that changed go out
 * (their children as published then). False when that cannot be (the focus is not in
 * the published tree): publish whole. */
static bool publish_touched(struct imp_app *app, struct imp_node *root) {
	uint32_t gen = app->pub_gen;
	struct imp_node *focus = node_by_id(app, app->focus);
	if (focus && focus->visited != gen) {
		return false;
	}
	guint n = g_hash_table_size(app->touched);
	struct a11y_node_desc *descs = g_new0(struct a11y_node_desc, n > 0 ? n : 1);
	GArray *pool = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	GArray *starts = g_array_new(FALSE, FALSE, sizeof(guint));
	guint used = 0;
	GHashTableIter iter;
	void *key;
	g_hash_table_iter_init(&iter, app->touched);
	while (g_hash_table_iter_next(&iter, &key, NULL)) {
		struct imp_node *node = node_by_id(app, GPOINTER_TO_UINT(key));
		if (!node || node->visited != gen) {
			continue; // not in the published tree
		}
		describe(&descs[used], node);
		guint start = pool->len;
		for (guint c = 0; c < node->children->len; c++) {
			uint32_t cid = g_array_index(node->children, uint32_t, c);
			struct imp_node *child = node_by_id(app, cid);
			if (child && child->visited == gen && child->pub_parent == node->id) {
				g_array_append_val(pool, cid);
			}
		}
		g_array_append_val(starts, start);
		descs[used].n_children = pool->len - start;
		used++;
	}
	for (guint i = 0; i < used; i++) { // the pool is final: point into it
		descs[i].children = (uint32_t *)pool->data + g_array_index(starts, guint, i);
	}
	uint32_t focus_id = focus ? focus->id : 0;
	a11y_provider_update(app->provider, descs, used, root->id, focus_id);
	lumen_log(LUMEN_DEBUG, "%s: updated %u nodes, focus %u (%s)", app->app_id, used,
		focus_id, focus_id ? focus->name : "");
	g_hash_table_remove_all(app->touched);
	g_free(descs);
	g_array_unref(pool);
	g_array_unref(starts);
	return true;
}

static void app_publish(struct imp_app *app) {
	struct atspi_import *imp = app->imp;
	app->changed = app->urgent = false;
	app->last_publish = g_get_monotonic_time();
	if (!a11y_client_is_connected(imp->client)) {
		return; // published whole on connecting
	}
	struct imp_node *root = node_by_id(app, app->root);
	if (!root || !root->read) {
		return;
	}
	if (!app->shape_changed && app->pub_gen != 0 && publish_touched(app, root)) {
		return;
	}
	/* Depth first from the root over what has been read; a node listed by two parents
	 * goes to the first, loops are cut, and the bus's limit is kept. */
	uint32_t gen = ++imp->gen;
	guint total = g_hash_table_size(app->by_id);
	GPtrArray *order = g_ptr_array_sized_new(total);
	GPtrArray *stack = g_ptr_array_new();
	root->pushed = gen;
	root->pub_parent = 0;
	g_ptr_array_add(stack, root);
	while (stack->len > 0 && order->len < (guint)imp->max_nodes) {
		struct imp_node *node = g_ptr_array_steal_index(stack, stack->len - 1);
		if (node->visited == gen) {
			continue;
		}
		node->visited = gen;
		g_ptr_array_add(order, node);
		for (guint i = node->children->len; i-- > 0;) {
			struct imp_node *child =
				node_by_id(app, g_array_index(node->children, uint32_t, i));
			if (child && child->read && child->pushed != gen) {
				child->pushed = gen;
				child->pub_parent = node->id;
				g_ptr_array_add(stack, child);
			}
		}
	}
	g_ptr_array_unref(stack);
	struct a11y_node_desc *descs = g_new0(struct a11y_node_desc, order->len);
	uint32_t *pool = g_new(uint32_t, order->len > 0 ? order->len : 1);
	size_t used = 0;
	for (guint i = 0; i < order->len; i++) {
		struct imp_node *node = order->pdata[i];
		struct a11y_node_desc *d = &descs[i];
		d->id = node->id;
		d->role = node->role;
		d->states = node->states;
		d->name = node->name;
		d->description = node->description;
		d->x = node->x;
		d->y = node->y;
		d->width = node->width;
		d->height = node->height;
		d->has_value = node->has_value;
		d->value = node->value;
		d->min = node->min;
		d->max = node->max;
		d->children = pool + used;
		for (guint c = 0; c < node->children->len; c++) {
			struct imp_node *child =
				node_by_id(app, g_array_index(node->children, uint32_t, c));
			if (child && child->visited == gen && child->pub_parent == node->id &&
					used < order->len) {
				pool[used++] = child->id;
			}
		}
		d->n_children = (size_t)(pool + used - d->children);
		d->actions = (const char *const *)node->actions;
		d->n_actions = node->n_actions;
		d->text = node->text;
		d->caret = node->caret;
		d->sel_start = node->sel_start;
		d->sel_end = node->sel_end;
	}
	struct imp_node *focus = node_by_id(app, app->focus);
	uint32_t focus_id = focus && focus->visited == gen ? focus->id : 0;
	a11y_provider_publish(app->provider, descs, order->len, root->id, focus_id);
	app->pub_gen = gen;
	app->shape_changed = false;
	g_hash_table_remove_all(app->touched);
	lumen_log(LUMEN_DEBUG, "%s: published %u nodes, focus %u (%s)", app->app_id, order->len,
		focus_id, focus_id ? focus->name : "");
	g_free(descs);
	g_free(pool);
	g_ptr_array_unref(order);
}

/* ---- events ---- */

static void queue_event(struct atspi_import *imp, AtspiEvent *event) {
	if (!event->source || !event->type) {
		return;
	}
	AtspiObject *src = ATSPI_OBJECT(event->source);
	if (!src->app || !src->app->bus_name || !src->path ||
			skipped_bus(imp, src->app->bus_name)) {
		return; // the export half's own applications among them
	}
	const char *type = event->type;
	struct imp_event ev = {.kind = EV_NEED};
	if (g_str_has_prefix(type, "object:state-changed:")) {
		const char *state = type + strlen("object:state-changed:");
		if (strcmp(state, "focused") == 0 && event->detail1) {
			ev.kind = EV_FOCUS;
		} else if (strcmp(state, "defunct") == 0 && event->detail1) {
			ev.kind = EV_DEFUNCT;
		} else {
			ev.need = NEED_STATES;
		}
	} else if (g_str_has_prefix(type, "object:property-change:")) {
		const char *prop = type + strlen("object:property-change:");
		if (strcmp(prop, "accessible-value") == 0) {
			ev.need = NEED_VALUE;
		} else if (strcmp(prop, "accessible-name") == 0 ||
				strcmp(prop, "accessible-description") == 0 ||
				strcmp(prop, "accessible-role") == 0) {
			ev.need = NEED_PROPS;
		} else {
			return;
		}
	} else if (g_str_has_prefix(type, "object:children-changed")) {
		ev.need = NEED_CHILDREN;
		if (strcmp(src->path, ATSPI_ROOT_PATH) == 0 &&
				!g_hash_table_contains(imp->apps, src->app->bus_name)) {
			ev.kind = EV_APPS; // the registry's desktop
		}
	} else if (g_str_has_prefix(type, "object:text-")) {
		ev.need = NEED_TEXT;
	} else if (g_str_has_prefix(type, "object:value-changed")) {
		ev.need = NEED_VALUE;
	} else if (g_str_has_prefix(type, "window:create") ||
			g_str_has_prefix(type, "window:destroy")) {
		ev.kind = EV_WINDOW;
	} else if (g_str_has_prefix(type, "window:")) {
		ev.need = NEED_STATES;
	} else {
		return;
	}
	if (imp->events.length >= EVENT_QUEUE_MAX) {
		imp->overflow = true; // every application is read again
		schedule_work(imp);
		return;
	}
	struct imp_event *copy = g_new(struct imp_event, 1);
	*copy = ev;
	copy->bus = g_strdup(src->app->bus_name);
	copy->path = g_strdup(src->path);
	g_queue_push_tail(&imp->events, copy);
	schedule_work(imp);
}

/* libatspi hands each listener a copy of the event, the listener's to free. */
static void handle_event(AtspiEvent *event, void *data) {
	queue_event(data, event);
	g_boxed_free(ATSPI_TYPE_EVENT, event);
}

static void event_free(void *data) {
	struct imp_event *ev = data;
	g_free(ev->bus);
	g_free(ev->path);
	g_free(ev);
}

/* An accessible took focus before it was mirrored: its ancestors up to the nearest
 * mirrored one are asked (Parent, one blocking call each; rare), and the chain is
 * mirrored by those Parent links (some toolkits do not list every child: GTK 3's stack
 * pages), read ahead of the background walk; focus moves when the chain is read. */
static void locate(struct imp_app *app, const char *path) {
	struct atspi_import *imp = app->imp;
	GPtrArray *chain = g_ptr_array_new_with_free_func(g_free);
	char *cur = g_strdup(path);
	struct imp_node *known = NULL;
	while (cur && chain->len < MAX_DEPTH && !known) {
		g_ptr_array_add(chain, cur);
		GVariant *reply = call_sync(imp, app->bus_name, cur, IF_PROPERTIES, "Get",
			g_variant_new("(ss)", IF_ACCESSIBLE, "Parent"), "(v)");
		cur = NULL;
		if (!reply) {
			break;
		}
		GVariant *v = NULL;
		g_variant_get(reply, "(v)", &v);
		if (g_variant_is_of_type(v, G_VARIANT_TYPE("(so)"))) {
			const char *bus = NULL, *parent = NULL;
			g_variant_get(v, "(&s&o)", &bus, &parent);
			known = g_hash_table_lookup(app->by_path, parent);
			if (!known && strcmp(bus, app->bus_name) == 0) {
				cur = g_strdup(parent);
			}
		}
		g_variant_unref(v);
		g_variant_unref(reply);
	}
	g_free(cur);
	for (guint i = chain->len; known && i-- > 0;) {
		struct imp_node *node = g_hash_table_lookup(app->by_path, chain->pdata[i]);
		if (!node) {
			node = node_new(app, chain->pdata[i], known->id);
			if (!node) {
				break;
			}
			node->forced = true;
			g_array_append_val(known->children, node->id);
		}
		if (i == 0) {
			node->focus_when_read = true;
		}
		if (!node->read) {
			start_read(node, NEED_ALL, false, false);
		}
		known = node;
	}
	g_ptr_array_unref(chain);
}

static void process_event(struct atspi_import *imp, struct imp_event *ev) {
	if (ev->kind == EV_APPS) {
		imp->apps_dirty = true;
		return;
	}
	if (skipped_bus(imp, ev->bus)) {
		return;
	}
	struct imp_app *app = g_hash_table_lookup(imp->apps, ev->bus);
	if (!app) {
		/* An application we have not seen yet (its arrival is told by the registry's
		 * children-changed; this catches one we missed, at most once a second). */
		if (g_get_monotonic_time() - imp->last_sync > G_USEC_PER_SEC) {
			imp->apps_dirty = true;
		}
		return;
	}
	struct imp_node *node = g_hash_table_lookup(app->by_path, ev->path);
	switch (ev->kind) {
	case EV_FOCUS:
		if (node && node->read) {
			/* Focus moves once its states, text and value are read again. */
			start_read(node, NEED_STATES | NEED_TEXT | NEED_VALUE, false, true);
		} else if (node) {
			node->focus_when_read = true;
			if (node->queued) {
				start_read(node, NEED_ALL, false, false);
			}
			/* Its ancestors may be waiting too. */
			for (struct imp_node *up = node_by_id(app, node->parent); up && !up->read;
					up = node_by_id(app, up->parent)) {
				if (up->queued) {
					start_read(up, NEED_ALL, false, false);
				}
			}
		} else {
			locate(app, ev->path);
		}
		break;
	case EV_DEFUNCT:
		if (node) {
			struct imp_node *parent = node_by_id(app, node->parent);
			if (parent) {
				start_read(parent, NEED_CHILDREN, false, false);
			}
		}
		break;
	case EV_WINDOW: {
		struct imp_node *root = node_by_id(app, app->root);
		if (root && root->read) {
			start_read(root, NEED_CHILDREN, false, false);
		}
		break;
	}
	case EV_NEED:
		if (node && node->read) {
			start_read(node, ev->need, false, false);
		}
		break;
	case EV_APPS:
		break;
	}
}

static void resync_all(struct atspi_import *imp) {
	imp->overflow = false;
	GHashTableIter iter;
	void *value;
	g_hash_table_iter_init(&iter, imp->apps);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		struct imp_app *app = value;
		GHashTableIter it;
		void *n;
		g_hash_table_iter_init(&it, app->by_id);
		while (g_hash_table_iter_next(&it, NULL, &n)) {
			struct imp_node *node = n;
			if (node->read && !node->queued) {
				node->queued = true;
				g_queue_push_tail(&app->reads, GUINT_TO_POINTER(node->id));
			}
		}
	}
	imp->apps_dirty = true;
}

static gboolean handle_publish_timer(void *data) {
	struct atspi_import *imp = data;
	imp->publish_timer = 0;
	schedule_work(imp);
	return G_SOURCE_REMOVE;
}

static gboolean work(void *data) {
	struct atspi_import *imp = data;
	imp->work_idle = 0;
	for (int i = 0; i < EVENTS_PER_TURN; i++) {
		struct imp_event *ev = g_queue_pop_head(&imp->events);
		if (!ev) {
			break;
		}
		process_event(imp, ev);
		event_free(ev);
	}
	if (imp->overflow) {
		lumen_log(LUMEN_WARN, "AT-SPI2 events overflowed: reading everything again");
		g_queue_clear_full(&imp->events, event_free);
		resync_all(imp);
	}
	if (imp->apps_dirty) {
		sync_apps(imp);
	}
	pump_reads(imp);
	/* One publish per application that changed; during a long walk, now and then. */
	gint64 now = g_get_monotonic_time();
	bool later = false;
	GHashTableIter iter;
	void *value;
	g_hash_table_iter_init(&iter, imp->apps);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		struct imp_app *app = value;
		if (!app->changed) {
			continue;
		}
		bool walking = app->reads.length > 0 || imp->reads_in_flight > 0;
		if (!walking || app->urgent || now - app->last_publish >= PUBLISH_EVERY_US) {
			app_publish(app);
		} else {
			later = true;
		}
	}
	if (later && !imp->publish_timer) {
		imp->publish_timer = g_timeout_add(PUBLISH_EVERY_US / 1000, handle_publish_timer, imp);
	}
	if (imp->events.length > 0) {
		schedule_work(imp);
	}
	return G_SOURCE_REMOVE;
}

static void schedule_work(struct atspi_import *imp) {
	if (!imp->work_idle && !g_cancellable_is_cancelled(imp->cancel)) {
		/* Below libatspi's own idle (its queued events) and GDBus's replies, so what
		 * arrives together is published together. */
		imp->work_idle = g_idle_add_full(G_PRIORITY_DEFAULT_IDLE + 10, work, imp, NULL);
	}
}

/* ---- actions asked on our bus (blocking calls: the answer is due at once) ---- */

static bool call_bool(struct imp_node *node, const char *iface, const char *method,
		GVariant *args) {
	GVariant *reply = call_sync(node->app->imp, node->app->bus_name, node->path, iface,
		method, args, "(b)");
	gboolean ok = FALSE;
	if (reply) {
		g_variant_get(reply, "(b)", &ok);
		g_variant_unref(reply);
	}
	return ok;
}

static uint32_t result(bool ok) {
	return ok ? LUMEN_A11Y_PROVIDER_V1_ACTION_RESULT_DONE
		: LUMEN_A11Y_PROVIDER_V1_ACTION_RESULT_FAILED;
}

static uint32_t do_named(struct imp_node *node, size_t index) {
	return result(call_bool(node, IF_ACTION, "DoAction", g_variant_new("(i)", (int)index)));
}

static uint32_t do_action(struct imp_node *node, const struct a11y_action_request *req) {
	const uint32_t unsupported = LUMEN_A11Y_PROVIDER_V1_ACTION_RESULT_UNSUPPORTED;
	switch (req->kind) {
	case LUMEN_A11Y_PROVIDER_V1_ACTION_KIND_NAMED:
		for (size_t i = 0; req->name && i < node->n_actions; i++) {
			if (strcmp(node->actions[i], req->name) == 0) {
				return do_named(node, i);
			}
		}
		return unsupported;
	case LUMEN_A11Y_PROVIDER_V1_ACTION_KIND_ACTIVATE: {
		static const char *const defaults[] = {"click", "activate", "press", "toggle",
			"jump", "open"};
		for (size_t d = 0; d < G_N_ELEMENTS(defaults); d++) {
			for (size_t i = 0; i < node->n_actions; i++) {
				if (strcmp(node->actions[i], defaults[d]) == 0) {
					return do_named(node, i);
				}
			}
		}
		return node->n_actions > 0 ? do_named(node, 0) : unsupported;
	}
	case LUMEN_A11Y_PROVIDER_V1_ACTION_KIND_FOCUS:
		return node->ifaces & IFACE_COMPONENT
			? result(call_bool(node, IF_COMPONENT, "GrabFocus", NULL)) : unsupported;
	case LUMEN_A11Y_PROVIDER_V1_ACTION_KIND_SCROLL_INTO_VIEW:
		return node->ifaces & IFACE_COMPONENT
			? result(call_bool(node, IF_COMPONENT, "ScrollTo",
				g_variant_new("(u)", (uint32_t)ATSPI_SCROLL_ANYWHERE)))
			: unsupported;
	case LUMEN_A11Y_PROVIDER_V1_ACTION_KIND_SET_VALUE: {
		if (!(node->ifaces & IFACE_VALUE) || !req->has_value || !isfinite(req->value)) {
			return unsupported;
		}
		GVariant *reply = call_sync(node->app->imp, node->app->bus_name, node->path,
			IF_PROPERTIES, "Set",
			g_variant_new("(ssv)", IF_VALUE, "CurrentValue", g_variant_new_double(req->value)),
			"()");
		if (reply) {
			g_variant_unref(reply);
		}
		return result(reply != NULL);
	}
	case LUMEN_A11Y_PROVIDER_V1_ACTION_KIND_SET_SELECTION: {
		if (!node->text || !(node->ifaces & IFACE_TEXT) || req->start < 0 ||
				req->end < req->start) {
			return unsupported;
		}
		int start = byte_to_char(node->text, (uint32_t)req->start);
		int end = byte_to_char(node->text, (uint32_t)req->end);
		if (start == end) {
			return result(call_bool(node, IF_TEXT, "SetCaretOffset",
				g_variant_new("(i)", start)));
		}
		return result(call_bool(node, IF_TEXT, "SetSelection",
				g_variant_new("(iii)", 0, start, end)) ||
			call_bool(node, IF_TEXT, "AddSelection", g_variant_new("(ii)", start, end)));
	}
	default:
		return unsupported;
	}
}

static uint32_t handle_action(struct a11y_provider *provider,
		const struct a11y_action_request *req, void *data) {
	struct imp_app *app = a11y_provider_get_user(provider);
	struct imp_node *node = app ? node_by_id(app, req->node) : NULL;
	if (!node) {
		return LUMEN_A11Y_PROVIDER_V1_ACTION_RESULT_GONE;
	}
	lumen_log(LUMEN_DEBUG, "%s: action %u on node %u (%s)", app->app_id, req->kind, node->id,
		node->name);
	return do_action(node, req);
}

static void handle_connected(struct a11y_client *client, void *data) {
	struct atspi_import *imp = data;
	GHashTableIter iter;
	void *value;
	g_hash_table_iter_init(&iter, imp->apps);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		struct imp_app *app = value;
		app->changed = app->urgent = app->shape_changed = true; // a new bus: whole
	}
	schedule_work(imp);
}

static const struct a11y_client_listener client_listener = {
	.connected = handle_connected,
	.action = handle_action,
};

/* ---- lumen-a11yd's connection in the GLib loop ---- */

static gboolean client_prepare(GSource *base, gint *timeout) {
	struct client_source *cs = (struct client_source *)base;
	int fd = a11y_client_get_fd(cs->imp->client);
	/* GLib keeps poll records sorted by fd: a new fd is a new record. */
	if (fd != cs->pfd.fd) {
		if (cs->pfd.fd >= 0) {
			g_source_remove_poll(base, &cs->pfd);
		}
		cs->pfd.fd = fd;
		cs->pfd.revents = 0;
		if (fd >= 0) {
			cs->pfd.events = G_IO_IN | G_IO_ERR | G_IO_HUP;
			g_source_add_poll(base, &cs->pfd);
		}
	}
	*timeout = -1;
	return FALSE;
}

static gboolean client_check(GSource *base) {
	struct client_source *cs = (struct client_source *)base;
	return cs->pfd.fd >= 0 && (cs->pfd.revents & (G_IO_IN | G_IO_ERR | G_IO_HUP)) != 0;
}

static gboolean client_dispatch(GSource *base, GSourceFunc callback, gpointer data) {
	struct client_source *cs = (struct client_source *)base;
	cs->pfd.revents = 0;
	a11y_client_dispatch(cs->imp->client);
	return G_SOURCE_CONTINUE;
}

static GSourceFuncs client_funcs = {
	.prepare = client_prepare,
	.check = client_check,
	.dispatch = client_dispatch,
};

static gboolean handle_reconnect(void *data) {
	struct atspi_import *imp = data;
	a11y_client_reconnect(imp->client);
	return G_SOURCE_CONTINUE;
}

/* ---- the module ---- */

static const char *const event_types[] = {
	"object:state-changed",
	"object:property-change",
	"object:children-changed",
	"object:text-changed",
	"object:text-caret-moved",
	"object:text-selection-changed",
	"object:value-changed",
	"window:activate",
	"window:deactivate",
	"window:create",
	"window:destroy",
};

/* The AT-SPI2 bus's address: $AT_SPI_BUS_ADDRESS, else org.a11y.Bus on the session bus. */
static char *a11y_bus_address(void) {
	const char *env = getenv("AT_SPI_BUS_ADDRESS");
	if (env && env[0]) {
		return g_strdup(env);
	}
	GError *err = NULL;
	GDBusConnection *session = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, &err);
	if (!session) {
		lumen_log(LUMEN_ERROR, "no session bus: %s", err->message);
		g_error_free(err);
		return NULL;
	}
	GVariant *reply = g_dbus_connection_call_sync(session, "org.a11y.Bus", "/org/a11y/bus",
		"org.a11y.Bus", "GetAddress", NULL, G_VARIANT_TYPE("(s)"), G_DBUS_CALL_FLAGS_NONE,
		10000, NULL, &err);
	g_object_unref(session);
	if (!reply) {
		lumen_log(LUMEN_ERROR, "no AT-SPI2 bus (org.a11y.Bus): %s", err->message);
		g_error_free(err);
		return NULL;
	}
	char *address = NULL;
	g_variant_get(reply, "(s)", &address);
	g_variant_unref(reply);
	return address;
}

struct atspi_import *atspi_import_create(const char *trusted_socket, int max_nodes) {
	struct atspi_import *imp = g_new0(struct atspi_import, 1);
	imp->max_nodes = max_nodes > 0 && max_nodes < ATSPI_IMPORT_MAX_NODES
		? max_nodes : ATSPI_IMPORT_MAX_NODES;
	imp->apps = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, app_destroy);
	imp->ignored = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	imp->cancel = g_cancellable_new();
	g_queue_init(&imp->events);
	g_queue_init(&imp->waiting_calls);
	if (!trusted_socket || !trusted_socket[0]) {
		trusted_socket = getenv("LUMEN_A11Y_TRUSTED_SOCKET");
	}
	if (!trusted_socket || !trusted_socket[0]) {
		trusted_socket = "lumen-a11y-0-trusted";
	}
	imp->client = a11y_client_create(trusted_socket, false, &client_listener, imp);
	if (!imp->client) {
		lumen_log(LUMEN_ERROR, "out of memory");
		atspi_import_destroy(imp);
		return NULL;
	}
	imp->source = (struct client_source *)g_source_new(&client_funcs,
		sizeof(struct client_source));
	imp->source->imp = imp;
	imp->source->pfd.fd = -1; // added by prepare once there is one
	g_source_attach(&imp->source->base, NULL);
	imp->reconnect_timer = g_timeout_add_seconds(1, handle_reconnect, imp);

	char *address = a11y_bus_address();
	if (!address) {
		atspi_import_destroy(imp);
		return NULL;
	}
	GError *err = NULL;
	imp->dbus = g_dbus_connection_new_for_address_sync(address,
		G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
			G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
		NULL, NULL, &err);
	g_free(address);
	if (!imp->dbus) {
		lumen_log(LUMEN_ERROR, "cannot connect to the AT-SPI2 bus: %s", err->message);
		g_error_free(err);
		atspi_import_destroy(imp);
		return NULL;
	}
	imp->listener = atspi_event_listener_new(handle_event, imp, NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(event_types); i++) {
		if (!atspi_event_listener_register(imp->listener, event_types[i], &err)) {
			lumen_log(LUMEN_ERROR, "cannot listen to %s: %s", event_types[i],
				err ? err->message : "?");
			g_clear_error(&err);
			atspi_import_destroy(imp);
			return NULL;
		}
	}
	imp->apps_dirty = true;
	schedule_work(imp);
	return imp;
}

void atspi_import_set_skip(struct atspi_import *imp,
		bool (*owns)(void *data, const char *bus_name), void *data) {
	imp->skip_owns = owns;
	imp->skip_data = data;
}

void atspi_import_destroy(struct atspi_import *imp) {
	if (!imp) {
		return;
	}
	if (imp->listener) {
		for (size_t i = 0; i < G_N_ELEMENTS(event_types); i++) {
			atspi_event_listener_deregister(imp->listener, event_types[i], NULL);
		}
		g_object_unref(imp->listener);
	}
	/* Calls in flight end (cancelled) before what they point to goes. */
	g_cancellable_cancel(imp->cancel);
	send_waiting(imp);
	gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
	while ((imp->calls_in_flight > 0 || imp->waiting_calls.length > 0) &&
			g_get_monotonic_time() < deadline) {
		if (!g_main_context_iteration(NULL, FALSE)) {
			g_usleep(1000);
		}
	}
	if (imp->work_idle) {
		g_source_remove(imp->work_idle);
	}
	if (imp->publish_timer) {
		g_source_remove(imp->publish_timer);
	}
	if (imp->reconnect_timer) {
		g_source_remove(imp->reconnect_timer);
	}
	g_queue_clear_full(&imp->events, event_free);
	g_hash_table_destroy(imp->apps); // providers first, then the client
	g_hash_table_destroy(imp->ignored);
	if (imp->source) {
		g_source_destroy(&imp->source->base);
		g_source_unref(&imp->source->base);
	}
	a11y_client_destroy(imp->client);
	if (imp->dbus) {
		g_object_unref(imp->dbus);
	}
	g_object_unref(imp->cancel);
	g_free(imp);
}
