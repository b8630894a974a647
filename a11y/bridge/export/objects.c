/*
 * The AT-SPI2 objects of one exported tree, on its own sd-bus connection: the application
 * object at ATSPI_ROOT_PATH (Accessible, Application) and a node at ATSPI_OBJ_PREFIX/ID
 * (Accessible, Component, and Action, Value, Text where the node has them), found from
 * the path on each call (fallback vtables), and the Cache at ATSPI_CACHE_PATH.
 *
 * Offsets on AT-SPI2 are in characters, ours in bytes. A password's text is never known
 * here (the bus drops it): its node has Text with nothing in it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/log.h"
#include "export-private.h"
#include "lumen-a11y-v1-client-protocol.h"

#define S(x) LUMEN_A11Y_PROVIDER_V1_STATE_##x
#define ROLE(x) LUMEN_A11Y_PROVIDER_V1_ROLE_##x
#define KIND(x) LUMEN_A11Y_PROVIDER_V1_ACTION_KIND_##x

#define IF_ACCESSIBLE "org.a11y.atspi.Accessible"
#define IF_APPLICATION "org.a11y.atspi.Application"
#define IF_COMPONENT "org.a11y.atspi.Component"
#define IF_ACTION "org.a11y.atspi.Action"
#define IF_VALUE "org.a11y.atspi.Value"
#define IF_TEXT "org.a11y.atspi.Text"
#define IF_CACHE "org.a11y.atspi.Cache"
#define CACHE_ITEM "((so)(so)(so)iiassusau)"

/* AtspiStateType */
enum {
	ST_ACTIVE = 1, ST_BUSY = 3, ST_CHECKED = 4, ST_COLLAPSED = 5, ST_EDITABLE = 7,
	ST_ENABLED = 8, ST_EXPANDABLE = 9, ST_EXPANDED = 10, ST_FOCUSABLE = 11, ST_FOCUSED = 12,
	ST_HORIZONTAL = 14, ST_MODAL = 16, ST_MULTI_LINE = 17, ST_MULTISELECTABLE = 18,
	ST_PRESSED = 20, ST_SELECTABLE = 22, ST_SELECTED = 23, ST_SENSITIVE = 24,
	ST_SHOWING = 25, ST_SINGLE_LINE = 26, ST_VERTICAL = 29, ST_VISIBLE = 30,
	ST_INDETERMINATE = 32, ST_REQUIRED = 33, ST_INVALID_ENTRY = 36, ST_SELECTABLE_TEXT = 38,
	ST_IS_DEFAULT = 39, ST_VISITED = 40, ST_CHECKABLE = 41, ST_HAS_POPUP = 42,
	ST_READ_ONLY = 43,
};

/* ---- text offsets ---- */

static bool is_cont(char c) {
	return ((unsigned char)c & 0xc0) == 0x80;
}

int32_t exp_utf8_chars(const char *text, size_t bytes) {
	int32_t n = 0;
	for (size_t i = 0; i < bytes && text[i]; i++) {
		if (!is_cont(text[i])) {
			n++;
		}
	}
	return n;
}

size_t exp_utf8_bytes(const char *text, int32_t chars) {
	size_t i = 0;
	for (int32_t n = 0; text[i] && n < chars; n++) {
		i++;
		while (text[i] && is_cont(text[i])) {
			i++;
		}
	}
	return i;
}

/* ---- roles, states ---- */

static bool is_password(const struct exp_node *node) {
	return node->states & S(PASSWORD) || node->role == ROLE(PASSWORD_TEXT);
}

static bool has_text_iface(const struct exp_node *node) {
	return node->has_text || is_password(node);
}

uint32_t exp_atspi_role(const struct exp_node *node) {
	if (is_password(node)) {
		return ROLE(PASSWORD_TEXT);
	}
	if (node->role == ROLE(INVALID) || node->role > ROLE(PUSH_BUTTON_MENU)) {
		return ROLE(UNKNOWN);
	}
	return node->role; // the same numbers as AtspiRole
}

static void set_bit(uint32_t out[2], int bit) {
	out[bit / 32] |= 1u << (bit % 32);
}

void exp_atspi_states(struct exp_tree *tree, const struct exp_node *node, uint32_t out[2]) {
	static const struct {
		uint32_t ours;
		int atspi;
	} map[] = {
		{S(FOCUSED), ST_FOCUSED}, {S(FOCUSABLE), ST_FOCUSABLE}, {S(SELECTED), ST_SELECTED},
		{S(SELECTABLE), ST_SELECTABLE}, {S(CHECKED), ST_CHECKED},
		{S(CHECKABLE), ST_CHECKABLE}, {S(EXPANDED), ST_EXPANDED},
		{S(EXPANDABLE), ST_EXPANDABLE}, {S(EDITABLE), ST_EDITABLE},
		{S(MULTILINE), ST_MULTI_LINE}, {S(PRESSED), ST_PRESSED}, {S(BUSY), ST_BUSY},
		{S(INVALID_ENTRY), ST_INVALID_ENTRY}, {S(REQUIRED), ST_REQUIRED},
		{S(MODAL), ST_MODAL}, {S(READ_ONLY), ST_READ_ONLY},
		{S(INDETERMINATE), ST_INDETERMINATE}, {S(HAS_POPUP), ST_HAS_POPUP},
		{S(MULTISELECTABLE), ST_MULTISELECTABLE}, {S(VISITED), ST_VISITED},
		{S(DEFAULT), ST_IS_DEFAULT}, {S(HORIZONTAL), ST_HORIZONTAL},
		{S(VERTICAL), ST_VERTICAL},
	};
	out[0] = out[1] = 0;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (node->states & map[i].ours) {
			set_bit(out, map[i].atspi);
		}
	}
	if (!(node->states & S(DISABLED))) {
		set_bit(out, ST_ENABLED);
		set_bit(out, ST_SENSITIVE);
	}
	if (!(node->states & S(OFFSCREEN))) {
		set_bit(out, ST_VISIBLE);
		set_bit(out, ST_SHOWING);
	}
	if ((node->states & S(EXPANDABLE)) && !(node->states & S(EXPANDED))) {
		set_bit(out, ST_COLLAPSED);
	}
	/* GTK's toggle buttons say pressed when on; Orca reads either. */
	if (node->role == ROLE(TOGGLE_BUTTON) && (node->states & S(CHECKED))) {
		set_bit(out, ST_PRESSED);
	}
	if (has_text_iface(node)) {
		set_bit(out, node->states & S(MULTILINE) ? ST_MULTI_LINE : ST_SINGLE_LINE);
		if (!is_password(node)) {
			set_bit(out, ST_SELECTABLE_TEXT);
		}
	}
	if (node->id == tree->root && tree->exp->active_tree == tree->id) {
		set_bit(out, ST_ACTIVE);
	}
}

/* ---- paths ---- */

/* The node a path names: *is_app for the application object (NULL returned). */
static struct exp_node *lookup(struct exp_tree *tree, const char *path, bool *is_app) {
	*is_app = false;
	if (!path) {
		return NULL;
	}
	if (strcmp(path, ATSPI_ROOT_PATH) == 0) {
		*is_app = true;
		return NULL;
	}
	size_t plen = strlen(ATSPI_OBJ_PREFIX);
	if (strncmp(path, ATSPI_OBJ_PREFIX, plen) != 0 || path[plen] != '/') {
		return NULL;
	}
	const char *num = path + plen + 1;
	char *end;
	errno = 0;
	unsigned long id = strtoul(num, &end, 10);
	if (num[0] < '1' || num[0] > '9' || *end || errno || id > UINT32_MAX) {
		return NULL;
	}
	return exp_tree_node(tree, (uint32_t)id);
}

static struct exp_node *msg_node(sd_bus_message *m, struct exp_tree *tree, bool *is_app) {
	return lookup(tree, sd_bus_message_get_path(m), is_app);
}

static void path_of(char *buf, size_t len, uint32_t id) {
	if (id == 0) {
		snprintf(buf, len, "%s", ATSPI_ROOT_PATH);
	} else {
		snprintf(buf, len, "%s/%u", ATSPI_OBJ_PREFIX, id);
	}
}

/* (so) of our object id (0: the application), or the null reference for none. */
static int append_ref(sd_bus_message *m, struct exp_tree *tree, uint32_t id, bool null) {
	char path[96];
	if (null) {
		return sd_bus_message_append(m, "(so)", tree->bus_name, ATSPI_NULL_PATH);
	}
	path_of(path, sizeof(path), id);
	return sd_bus_message_append(m, "(so)", tree->bus_name, path);
}

static int append_parent(sd_bus_message *m, struct exp_tree *tree, const struct exp_node *node) {
	if (!node) { // the application: its parent is the registry's root (the desktop)
		return sd_bus_message_append(m, "(so)",
			tree->parent_name ? tree->parent_name : ATSPI_REGISTRY_NAME,
			tree->parent_path ? tree->parent_path : ATSPI_ROOT_PATH);
	}
	return append_ref(m, tree, node->id == tree->root ? 0 : node->parent, false);
}

static size_t child_count(struct exp_tree *tree, const struct exp_node *node) {
	if (!node) {
		return exp_tree_node(tree, tree->root) ? 1 : 0;
	}
	return node->n_children;
}

static uint32_t child_at(struct exp_tree *tree, const struct exp_node *node, size_t i) {
	if (!node) {
		return i == 0 && exp_tree_node(tree, tree->root) ? tree->root : 0;
	}
	return i < node->n_children ? node->children[i] : 0;
}

static int append_interfaces(sd_bus_message *m, const struct exp_node *node) {
	int r = sd_bus_message_open_container(m, 'a', "s");
	if (r < 0) {
		return r;
	}
	r = sd_bus_message_append(m, "s", IF_ACCESSIBLE);
	if (!node) {
		if (r >= 0) {
			r = sd_bus_message_append(m, "s", IF_APPLICATION);
		}
	} else {
		if (r >= 0) {
			r = sd_bus_message_append(m, "s", IF_COMPONENT);
		}
		if (r >= 0 && node->n_actions > 0) {
			r = sd_bus_message_append(m, "s", IF_ACTION);
		}
		if (r >= 0 && node->has_value) {
			r = sd_bus_message_append(m, "s", IF_VALUE);
		}
		if (r >= 0 && has_text_iface(node)) {
			r = sd_bus_message_append(m, "s", IF_TEXT);
		}
	}
	return r < 0 ? r : sd_bus_message_close_container(m);
}

static int append_states(sd_bus_message *m, struct exp_tree *tree, const struct exp_node *node) {
	uint32_t st[2] = {0, 0};
	if (node) {
		exp_atspi_states(tree, node, st);
	}
	return sd_bus_message_append(m, "au", 2, st[0], st[1]);
}

static int reply_bool(sd_bus_message *m, bool b) {
	return sd_bus_reply_method_return(m, "b", b);
}

static int no_object(sd_bus_error *err) {
	return sd_bus_error_set(err, "org.freedesktop.DBus.Error.UnknownObject", "no such object");
}

/* ---- org.a11y.atspi.Accessible ---- */

static int acc_find(sd_bus *bus, const char *path, const char *iface, void *data, void **found,
		sd_bus_error *err) {
	bool is_app;
	if (lookup(data, path, &is_app) || is_app) {
		*found = data;
		return 1;
	}
	return 0;
}

static int prop_name(sd_bus *bus, const char *path, const char *iface, const char *prop,
		sd_bus_message *reply, void *data, sd_bus_error *err) {
	struct exp_tree *tree = data;
	bool is_app;
	struct exp_node *node = lookup(tree, path, &is_app);
	if (!node && !is_app) {
		return no_object(err);
	}
	if (strcmp(prop, "Name") == 0) {
		return sd_bus_message_append(reply, "s", node ? node->name : tree->app_id);
	}
	if (strcmp(prop, "Description") == 0) {
		return sd_bus_message_append(reply, "s", node ? node->desc : "");
	}
	if (strcmp(prop, "Locale") == 0) {
		return sd_bus_message_append(reply, "s", "");
	}
	if (strcmp(prop, "AccessibleId") == 0) {
		char id[16] = "";
		if (node) {
			snprintf(id, sizeof(id), "%u", node->id);
		}
		return sd_bus_message_append(reply, "s", id);
	}
	if (strcmp(prop, "ChildCount") == 0) {
		return sd_bus_message_append(reply, "i", (int32_t)child_count(tree, node));
	}
	/* Parent */
	return append_parent(reply, tree, node);
}

#define ACC_PROLOGUE \
	struct exp_tree *tree = data; \
	bool is_app; \
	struct exp_node *node = msg_node(m, tree, &is_app); \
	if (!node && !is_app) { \
		return no_object(err); \
	}

static int m_child_at(sd_bus_message *m, void *data, sd_bus_error *err) {
	ACC_PROLOGUE
	int32_t i;
	int r = sd_bus_message_read(m, "i", &i);
	if (r < 0) {
		return r;
	}
	uint32_t child = i >= 0 ? child_at(tree, node, (size_t)i) : 0;
	sd_bus_message *reply = NULL;
	r = sd_bus_message_new_method_return(m, &reply);
	if (r >= 0) {
		r = append_ref(reply, tree, child, child == 0);
	}
	if (r >= 0) {
		r = sd_bus_send(NULL, reply, NULL);
	}
	sd_bus_message_unref(reply);
	return r;
}

static int m_children(sd_bus_message *m, void *data, sd_bus_error *err) {
	ACC_PROLOGUE
	sd_bus_message *reply = NULL;
	int r = sd_bus_message_new_method_return(m, &reply);
	if (r >= 0) {
		r = sd_bus_message_open_container(reply, 'a', "(so)");
	}
	size_t n = child_count(tree, node);
	for (size_t i = 0; i < n && r >= 0; i++) {
		r = append_ref(reply, tree, child_at(tree, node, i), false);
	}
	if (r >= 0) {
		r = sd_bus_message_close_container(reply);
	}
	if (r >= 0) {
		r = sd_bus_send(NULL, reply, NULL);
	}
	sd_bus_message_unref(reply);
	return r;
}

static int m_index(sd_bus_message *m, void *data, sd_bus_error *err) {
	ACC_PROLOGUE
	int32_t i = -1;
	if (node) {
		i = node->id == tree->root ? 0 : (int32_t)node->index;
	}
	return sd_bus_reply_method_return(m, "i", i);
}

static int m_relations(sd_bus_message *m, void *data, sd_bus_error *err) {
	ACC_PROLOGUE
	return sd_bus_reply_method_return(m, "a(ua(so))", 0);
}

static int m_role(sd_bus_message *m, void *data, sd_bus_error *err) {
	ACC_PROLOGUE
	return sd_bus_reply_method_return(m, "u", node ? exp_atspi_role(node) : ROLE(APPLICATION));
}

static int m_role_name(sd_bus_message *m, void *data, sd_bus_error *err) {
	ACC_PROLOGUE
	return sd_bus_reply_method_return(m, "s",
		atspi_export_role_name(node ? exp_atspi_role(node) : ROLE(APPLICATION)));
}

static int m_state(sd_bus_message *m, void *data, sd_bus_error *err) {
	ACC_PROLOGUE
	sd_bus_message *reply = NULL;
	int r = sd_bus_message_new_method_return(m, &reply);
	if (r >= 0) {
		r = append_states(reply, tree, node);
	}
	if (r >= 0) {
		r = sd_bus_send(NULL, reply, NULL);
	}
	sd_bus_message_unref(reply);
	return r;
}

static int m_attributes(sd_bus_message *m, void *data, sd_bus_error *err) {
	ACC_PROLOGUE
	if (node && (node->states & S(LIVE))) {
		return sd_bus_reply_method_return(m, "a{ss}", 3, "toolkit", "lumen", "live", "polite",
			"container-live", "polite");
	}
	return sd_bus_reply_method_return(m, "a{ss}", 1, "toolkit", "lumen");
}

static int m_application(sd_bus_message *m, void *data, sd_bus_error *err) {
	ACC_PROLOGUE
	sd_bus_message *reply = NULL;
	int r = sd_bus_message_new_method_return(m, &reply);
	if (r >= 0) {
		r = append_ref(reply, tree, 0, false);
	}
	if (r >= 0) {
		r = sd_bus_send(NULL, reply, NULL);
	}
	sd_bus_message_unref(reply);
	return r;
}

static int m_interfaces(sd_bus_message *m, void *data, sd_bus_error *err) {
	ACC_PROLOGUE
	sd_bus_message *reply = NULL;
	int r = sd_bus_message_new_method_return(m, &reply);
	if (r >= 0) {
		r = append_interfaces(reply, node);
	}
	if (r >= 0) {
		r = sd_bus_send(NULL, reply, NULL);
	}
	sd_bus_message_unref(reply);
	return r;
}

static const sd_bus_vtable accessible_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Name", "s", prop_name, 0, 0),
	SD_BUS_PROPERTY("Description", "s", prop_name, 0, 0),
	SD_BUS_PROPERTY("Parent", "(so)", prop_name, 0, 0),
	SD_BUS_PROPERTY("ChildCount", "i", prop_name, 0, 0),
	SD_BUS_PROPERTY("Locale", "s", prop_name, 0, 0),
	SD_BUS_PROPERTY("AccessibleId", "s", prop_name, 0, 0),
	SD_BUS_METHOD("GetChildAtIndex", "i", "(so)", m_child_at, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetChildren", "", "a(so)", m_children, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetIndexInParent", "", "i", m_index, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetRelationSet", "", "a(ua(so))", m_relations, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetRole", "", "u", m_role, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetRoleName", "", "s", m_role_name, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetLocalizedRoleName", "", "s", m_role_name, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetState", "", "au", m_state, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetAttributes", "", "a{ss}", m_attributes, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetApplication", "", "(so)", m_application, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetInterfaces", "", "as", m_interfaces, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END,
};

/* ---- org.a11y.atspi.Application (the application object only) ---- */

static int app_prop(sd_bus *bus, const char *path, const char *iface, const char *prop,
		sd_bus_message *reply, void *data, sd_bus_error *err) {
	struct exp_tree *tree = data;
	if (strcmp(prop, "ToolkitName") == 0) {
		return sd_bus_message_append(reply, "s", "lumen");
	}
	if (strcmp(prop, "Version") == 0) {
		return sd_bus_message_append(reply, "s", "1.0");
	}
	if (strcmp(prop, "AtspiVersion") == 0) {
		return sd_bus_message_append(reply, "s", "2.1");
	}
	return sd_bus_message_append(reply, "i", tree->app_num); // Id
}

static int app_set_id(sd_bus *bus, const char *path, const char *iface, const char *prop,
		sd_bus_message *value, void *data, sd_bus_error *err) {
	struct exp_tree *tree = data;
	return sd_bus_message_read(value, "i", &tree->app_num);
}

static int m_locale(sd_bus_message *m, void *data, sd_bus_error *err) {
	uint32_t lctype;
	int r = sd_bus_message_read(m, "u", &lctype);
	if (r < 0) {
		return r;
	}
	const char *lang = getenv("LANG");
	return sd_bus_reply_method_return(m, "s", lang ? lang : "C");
}

static int m_listener(sd_bus_message *m, void *data, sd_bus_error *err) {
	/* Events are always sent; which ones clients want is not tracked. */
	return sd_bus_reply_method_return(m, "");
}

static const sd_bus_vtable application_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("ToolkitName", "s", app_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Version", "s", app_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("AtspiVersion", "s", app_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_WRITABLE_PROPERTY("Id", "i", app_prop, app_set_id, 0, 0),
	SD_BUS_METHOD("GetLocale", "u", "s", m_locale, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("RegisterEventListener", "s", "", m_listener, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("DeregisterEventListener", "s", "", m_listener, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END,
};

/* ---- org.a11y.atspi.Component ---- */

static int node_find(sd_bus *bus, const char *path, const char *iface, void *data,
		void **found, sd_bus_error *err) {
	bool is_app;
	if (lookup(data, path, &is_app)) {
		*found = data;
		return 1;
	}
	return 0;
}

#define NODE_PROLOGUE \
	struct exp_tree *tree = data; \
	bool is_app; \
	struct exp_node *node = msg_node(m, tree, &is_app); \
	if (!node) { \
		return no_object(err); \
	}

enum { COORD_SCREEN = 0, COORD_WINDOW = 1, COORD_PARENT = 2 };

/* The origin that coordinates of a type are relative to. */
static void coord_origin(struct exp_tree *tree, const struct exp_node *node, uint32_t type,
		int32_t *ox, int32_t *oy) {
	*ox = *oy = 0;
	const struct exp_node *base = NULL;
	if (type == COORD_WINDOW) {
		base = exp_tree_node(tree, tree->root);
	} else if (type == COORD_PARENT) {
		base = exp_tree_node_parent(tree, node);
	}
	if (base) {
		*ox = base->x;
		*oy = base->y;
	}
}

static bool node_contains(const struct exp_node *node, int32_t x, int32_t y) {
	return x >= node->x && y >= node->y && (int64_t)x < (int64_t)node->x + node->w &&
		(int64_t)y < (int64_t)node->y + node->h;
}

static int m_contains(sd_bus_message *m, void *data, sd_bus_error *err) {
	NODE_PROLOGUE
	int32_t x, y;
	uint32_t type;
	int r = sd_bus_message_read(m, "iiu", &x, &y, &type);
	if (r < 0) {
		return r;
	}
	int32_t ox, oy;
	coord_origin(tree, node, type, &ox, &oy);
	return reply_bool(m, node_contains(node, x + ox, y + oy));
}

static int m_at_point(sd_bus_message *m, void *data, sd_bus_error *err) {
	NODE_PROLOGUE
	int32_t x, y;
	uint32_t type;
	int r = sd_bus_message_read(m, "iiu", &x, &y, &type);
	if (r < 0) {
		return r;
	}
	int32_t ox, oy;
	coord_origin(tree, node, type, &ox, &oy);
	x += ox;
	y += oy;
	/* The deepest descendant under the point, last child first (drawn on top). */
	uint32_t hit = 0;
	const struct exp_node *at = node;
	for (int depth = 0; at && depth < 256; depth++) {
		const struct exp_node *next = NULL;
		for (size_t i = at->n_children; i-- > 0;) {
			const struct exp_node *c = exp_tree_node(tree, at->children[i]);
			if (c && node_contains(c, x, y)) {
				next = c;
				break;
			}
		}
		if (next) {
			hit = next->id;
		}
		at = next;
	}
	sd_bus_message *reply = NULL;
	r = sd_bus_message_new_method_return(m, &reply);
	if (r >= 0) {
		r = append_ref(reply, tree, hit, hit == 0);
	}
	if (r >= 0) {
		r = sd_bus_send(NULL, reply, NULL);
	}
	sd_bus_message_unref(reply);
	return r;
}

static int m_extents(sd_bus_message *m, void *data, sd_bus_error *err) {
	NODE_PROLOGUE
	uint32_t type;
	int r = sd_bus_message_read(m, "u", &type);
	if (r < 0) {
		return r;
	}
	int32_t ox, oy;
	coord_origin(tree, node, type, &ox, &oy);
	return sd_bus_reply_method_return(m, "(iiii)", node->x - ox, node->y - oy, node->w,
		node->h);
}

static int m_position(sd_bus_message *m, void *data, sd_bus_error *err) {
	NODE_PROLOGUE
	uint32_t type;
	int r = sd_bus_message_read(m, "u", &type);
	if (r < 0) {
		return r;
	}
	int32_t ox, oy;
	coord_origin(tree, node, type, &ox, &oy);
	return sd_bus_reply_method_return(m, "ii", node->x - ox, node->y - oy);
}

static int m_size(sd_bus_message *m, void *data, sd_bus_error *err) {
	NODE_PROLOGUE
	return sd_bus_reply_method_return(m, "ii", node->w, node->h);
}

static int m_layer(sd_bus_message *m, void *data, sd_bus_error *err) {
	NODE_PROLOGUE
	/* AtspiComponentLayer: 7 window, 3 widget */
	return sd_bus_reply_method_return(m, "u", node->id == tree->root ? 7 : 3);
}

static int m_zorder(sd_bus_message *m, void *data, sd_bus_error *err) {
	NODE_PROLOGUE
	return sd_bus_reply_method_return(m, "n", (int16_t)0);
}

static int m_alpha(sd_bus_message *m, void *data, sd_bus_error *err) {
	NODE_PROLOGUE
	return sd_bus_reply_method_return(m, "d", 1.0);
}

/* Asks the provider; the call is answered once it answers. */
static int ask(sd_bus_message *m, struct exp_tree *tree, const struct exp_node *node,
		uint32_t kind, const char *name, const double *value, int32_t start, int32_t end) {
	if (!exp_request_action(tree, node->id, kind, name, value, start, end, m)) {
		return reply_bool(m, false);
	}
	return 1;
}

static int m_grab_focus(sd_bus_message *m, void *data, sd_bus_error *err) {
	NODE_PROLOGUE
	return ask(m, tree, node, KIND(FOCUS), NULL, NULL, 0, 0);
}

static int m_scroll_to(sd_bus_message *m, void *data, sd_bus_error *err) {
	NODE_PROLOGUE
	return ask(m, tree, node, KIND(SCROLL_INTO_VIEW), NULL, NULL, 0, 0);
}

static int m_false(sd_bus_message *m, void *data, sd_bus_error *err) {
	NODE_PROLOGUE
	return reply_bool(m, false);
}

static const sd_bus_vtable component_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("Contains", "iiu", "b", m_contains, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetAccessibleAtPoint", "iiu", "(so)", m_at_point,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetExtents", "u", "(iiii)", m_extents, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetPosition", "u", "ii", m_position, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetSize", "", "ii", m_size, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetLayer", "", "u", m_layer, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetMDIZOrder", "", "n", m_zorder, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GrabFocus", "", "b", m_grab_focus, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetAlpha", "", "d", m_alpha, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("SetExtents", "iiiiu", "b", m_false, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("SetPosition", "iiu", "b", m_false, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("SetSize", "ii", "b", m_false, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("ScrollTo", "u", "b", m_scroll_to, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("ScrollToPoint", "uii", "b", m_false, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END,
};

/* ---- org.a11y.atspi.Action ---- */

static int action_find(sd_bus *bus, const char *path, const char *iface, void *data,
		void **found, sd_bus_error *err) {
	bool is_app;
	struct exp_node *node = lookup(data, path, &is_app);
	if (node && node->n_actions > 0) {
		*found = data;
		return 1;
	}
	return 0;
}

static int prop_nactions(sd_bus *bus, const char *path, const char *iface, const char *prop,
		sd_bus_message *reply, void *data, sd_bus_error *err) {
	bool is_app;
	struct exp_node *node = lookup(data, path, &is_app);
	return sd_bus_message_append(reply, "i", node ? (int32_t)node->n_actions : 0);
}

/* The action's name (GetName, GetLocalizedName) or "" (GetDescription, GetKeyBinding). */
static int m_action_str(sd_bus_message *m, void *data, sd_bus_error *err) {
	NODE_PROLOGUE
	int32_t i;
	int r = sd_bus_message_read(m, "i", &i);
	if (r < 0) {
		return r;
	}
	const char *member = sd_bus_message_get_member(m);
	bool name = member && (strcmp(member, "GetName") == 0 ||
		strcmp(member, "GetLocalizedName") == 0);
	const char *s = i >= 0 && (size_t)i < node->n_actions && name ? node->actions[i] : "";
	return sd_bus_reply_method_return(m, "s", s);
}

static int m_actions(sd_bus_message *m, void *data, sd_bus_error *err) {
	NODE_PROLOGUE
	sd_bus_message *reply = NULL;
	int r = sd_bus_message_new_method_return(m, &reply);
	if (r >= 0) {
		r = sd_bus_message_open_container(reply, 'a', "(sss)");
	}
	for (size_t i = 0; i < node->n_actions && r >= 0; i++) {
		r = sd_bus_message_append(reply, "(sss)", node->actions[i], "", "");
	}
	if (r >= 0) {
		r = sd_bus_message_close_container(reply);
	}
	if (r >= 0) {
		r = sd_bus_send(NULL, reply, NULL);
	}
	sd_bus_message_unref(reply);
	return r;
}

static int m_do_action(sd_bus_message *m, void *data, sd_bus_error *err) {
	NODE_PROLOGUE
	int32_t i;
	int r = sd_bus_message_read(m, "i", &i);
	if (r < 0) {
		return r;
	}
	if (i < 0 || (size_t)i >= node->n_actions) {
		return reply_bool(m, false);
	}
	return ask(m, tree, node, KIND(NAMED), node->actions[i], NULL, 0, 0);
}

static const sd_bus_vtable action_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("NActions", "i", prop_nactions, 0, 0),
	SD_BUS_METHOD("GetDescription", "i", "s", m_action_str, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetName", "i", "s", m_action_str, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetLocalizedName", "i", "s", m_action_str, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetKeyBinding", "i", "s", m_action_str, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetActions", "", "a(sss)", m_actions, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("DoAction", "i", "b", m_do_action, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END,
};

/* ---- org.a11y.atspi.Value ---- */

static int value_find(sd_bus *bus, const char *path, const char *iface, void *data,
		void **found, sd_bus_error *err) {
	bool is_app;
	struct exp_node *node = lookup(data, path, &is_app);
	if (node && node->has_value) {
		*found = data;
		return 1;
	}
	return 0;
}

static int prop_value(sd_bus *bus, const char *path, const char *iface, const char *prop,
		sd_bus_message *reply, void *data, sd_bus_error *err) {
	bool is_app;
	struct exp_node *node = lookup(data, path, &is_app);
	if (!node || !node->has_value) {
		return no_object(err);
	}
	if (strcmp(prop, "Text") == 0) {
		char text[64];
		snprintf(text, sizeof(text), "%g", node->value[0]);
		return sd_bus_message_append(reply, "s", text);
	}
	double v = node->value[0];
	if (strcmp(prop, "MinimumValue") == 0) {
		v = node->value[1];
	} else if (strcmp(prop, "MaximumValue") == 0) {
		v = node->value[2];
	} else if (strcmp(prop, "MinimumIncrement") == 0) {
		double range = node->value[2] - node->value[1];
		v = range >= 10 ? 1.0 : range / 100.0;
	}
	return sd_bus_message_append(reply, "d", v);
}

static int set_value(sd_bus *bus, const char *path, const char *iface, const char *prop,
		sd_bus_message *value, void *data, sd_bus_error *err) {
	struct exp_tree *tree = data;
	bool is_app;
	struct exp_node *node = lookup(tree, path, &is_app);
	double v;
	int r = sd_bus_message_read(value, "d", &v);
	if (r < 0) {
		return r;
	}
	if (!node || !node->has_value) {
		return no_object(err);
	}
	if (!(v >= node->value[1] && v <= node->value[2])) {
		return sd_bus_error_set(err, "org.freedesktop.DBus.Error.InvalidArgs",
			"value out of range");
	}
	exp_request_action(tree, node->id, KIND(SET_VALUE), NULL, &v, 0, 0, NULL);
	return 0;
}

static const sd_bus_vtable value_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("MinimumValue", "d", prop_value, 0, 0),
	SD_BUS_PROPERTY("MaximumValue", "d", prop_value, 0, 0),
	SD_BUS_PROPERTY("MinimumIncrement", "d", prop_value, 0, 0),
	SD_BUS_WRITABLE_PROPERTY("CurrentValue", "d", prop_value, set_value, 0, 0),
	SD_BUS_PROPERTY("Text", "s", prop_value, 0, 0),
	SD_BUS_VTABLE_END,
};

/* ---- org.a11y.atspi.Text ---- */

static int text_find(sd_bus *bus, const char *path, const char *iface, void *data,
		void **found, sd_bus_error *err) {
	bool is_app;
	struct exp_node *node = lookup(data, path, &is_app);
	if (node && has_text_iface(node)) {
		*found = data;
		return 1;
	}
	return 0;
}

/* The node's text as AT-SPI2 may see it: never a password's. */
static const char *text_of(const struct exp_node *node) {
	return node->has_text && !is_password(node) ? node->text : "";
}

static int prop_text(sd_bus *bus, const char *path, const char *iface, const char *prop,
		sd_bus_message *reply, void *data, sd_bus_error *err) {
	bool is_app;
	struct exp_node *node = lookup(data, path, &is_app);
	if (!node) {
		return no_object(err);
	}
	const char *text = text_of(node);
	if (strcmp(prop, "CharacterCount") == 0) {
		return sd_bus_message_append(reply, "i", exp_utf8_chars(text, strlen(text)));
	}
	return sd_bus_message_append(reply, "i",
		text[0] ? exp_utf8_chars(text, node->caret) : 0); // CaretOffset
}

/* AtspiTextBoundaryType for Get*AtOffset, AtspiTextGranularity for GetStringAtOffset. */
enum { B_CHAR = 0, B_WORD_START, B_WORD_END, B_SENTENCE_START, B_SENTENCE_END,
	B_LINE_START, B_LINE_END };
enum { G_CHAR = 0, G_WORD, G_SENTENCE, G_LINE, G_PARAGRAPH };

static bool is_space_at(const char *text, size_t byte) {
	char c = text[byte];
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The range [*start, *end) in characters of the unit (0 char, 1 word, 2 line) at offset. */
static void unit_at(const char *text, int32_t count, int32_t offset, int unit, int32_t *start,
		int32_t *end) {
	if (offset < 0 || offset >= count) {
		*start = *end = offset < 0 ? 0 : count;
		return;
	}
	if (unit == 0) {
		*start = offset;
		*end = offset + 1;
		return;
	}
	int32_t s = offset, e = offset;
	if (unit == 1) { // a word and the spaces after it
		while (s > 0 && !is_space_at(text, exp_utf8_bytes(text, s - 1))) {
			s--;
		}
		while (e < count && !is_space_at(text, exp_utf8_bytes(text, e))) {
			e++;
		}
		while (e < count && is_space_at(text, exp_utf8_bytes(text, e)) &&
				text[exp_utf8_bytes(text, e)] != '\n') {
			e++;
		}
	} else { // a line, with its newline
		while (s > 0 && text[exp_utf8_bytes(text, s - 1)] != '\n') {
			s--;
		}
		while (e < count && text[exp_utf8_bytes(text, e)] != '\n') {
			e++;
		}
		if (e < count) {
			e++;
		}
	}
	*start = s;
	*end = e;
}

static int reply_range(sd_bus_message *m, const char *text, int32_t start, int32_t end) {
	size_t a = exp_utf8_bytes(text, start), b = exp_utf8_bytes(text, end);
	char *s = strndup(text + a, b > a ? b - a : 0);
	if (!s) {
		return -ENOMEM;
	}
	int r = sd_bus_reply_method_return(m, "sii", s, start, end);
	free(s);
	return r;
}

static int m_text_at(sd_bus_message *m, void *data, sd_bus_error *err) {
	NODE_PROLOGUE
	int32_t offset;
	uint32_t type;
	int r = sd_bus_message_read(m, "iu", &offset, &type);
	if (r < 0) {
		return r;
	}
	const char *text = text_of(node);
	int32_t count = exp_utf8_chars(text, strlen(text));
	const char *member = sd_bus_message_get_member(m);
	int unit;
	if (member && strcmp(member, "GetStringAtOffset") == 0) {
		unit = type == G_CHAR ? 0 : type == G_WORD ? 1 : 2;
	} else {
		unit = type == B_CHAR ? 0 : type <= B_WORD_END ? 1 : 2;
	}
	int32_t start, end;
	unit_at(text, count, offset, unit, &start, &end);
	if (member && strcmp(member, "GetTextBeforeOffset") == 0) {
		if (start > 0) {
			unit_at(text, count, start - 1, unit, &start, &end);
		} else {
			end = start;
		}
	} else if (member && strcmp(member, "GetTextAfterOffset") == 0) {
		if (end < count) {
			unit_at(text, count, end, unit, &start, &end);
		} else {
			start = end;
		}
	}
	return reply_range(m, text, start, end);
}

static int m_get_text(sd_bus_message *m, void *data, sd_bus_error *err) {
	NODE_PROLOGUE
	int32_t start, end;
	int r = sd_bus_message_read(m, "ii", &start, &end);
	if (r < 0) {
		return r;
	}
	const char *text = text_of(node);
	int32_t count = exp_utf8_chars(text, strlen(text));
	if (end < 0 || end > count) {
		end = count;
	}
	if (start < 0) {
		start = 0;
	}
	if (start > end) {
		start = end;
	}
	size_t a = exp_utf8_bytes(text, start), b = exp_utf8_bytes(text, end);
	char *s = strndup(text + a, b - a);
	if (!s) {
		return -ENOMEM;
	}
	r = sd_bus_reply_method_return(m, "s", s);
	free(s);
	return r;
}

static int m_char_at(sd_bus_message *m, void *data, sd_bus_error *err) {
	NODE_PROLOGUE
	int32_t offset;
	int r = sd_bus_message_read(m, "i", &offset);
	if (r < 0) {
		return r;
	}
	const char *text = text_of(node);
	int32_t ch = 0;
	if (offset >= 0 && offset < exp_utf8_chars(text, strlen(text))) {
		const unsigned char *p = (const unsigned char *)text + exp_utf8_bytes(text, offset);
		int n = p[0] < 0x80 ? 0 : p[0] < 0xe0 ? 1 : p[0] < 0xf0 ? 2 : 3;
		ch = n == 0 ? p[0] : p[0] & (0x3f >> n);
		for (int i = 1; i <= n && p[i]; i++) {
			ch = (ch << 6) | (p[i] & 0x3f);
		}
	}
	return sd_bus_reply_method_return(m, "i", ch);
}

static int m_set_caret(sd_bus_message *m, void *data, sd_bus_error *err) {
	NODE_PROLOGUE
	int32_t offset;
	int r = sd_bus_message_read(m, "i", &offset);
	if (r < 0) {
		return r;
	}
	const char *text = text_of(node);
	if (is_password(node) || offset < 0 || offset > exp_utf8_chars(text, strlen(text))) {
		return reply_bool(m, false);
	}
	int32_t b = (int32_t)exp_utf8_bytes(text, offset);
	return ask(m, tree, node, KIND(SET_SELECTION), NULL, NULL, b, b);
}

static int m_n_selections(sd_bus_message *m, void *data, sd_bus_error *err) {
	NODE_PROLOGUE
	bool sel = node->has_text && !is_password(node) && node->sel_end > node->sel_start;
	return sd_bus_reply_method_return(m, "i", sel ? 1 : 0);
}

static int m_selection(sd_bus_message *m, void *data, sd_bus_error *err) {
	NODE_PROLOGUE
	int32_t i;
	int r = sd_bus_message_read(m, "i", &i);
	if (r < 0) {
		return r;
	}
	const char *text = text_of(node);
	if (i != 0 || !text[0] || node->sel_end <= node->sel_start) {
		return sd_bus_reply_method_return(m, "ii", 0, 0);
	}
	return sd_bus_reply_method_return(m, "ii", exp_utf8_chars(text, node->sel_start),
		exp_utf8_chars(text, node->sel_end));
}

/* AddSelection(start, end), SetSelection(n, start, end), RemoveSelection(n). */
static int m_set_selection(sd_bus_message *m, void *data, sd_bus_error *err) {
	NODE_PROLOGUE
	const char *member = sd_bus_message_get_member(m);
	int32_t n = 0, start, end;
	int r;
	if (member && strcmp(member, "SetSelection") == 0) {
		r = sd_bus_message_read(m, "iii", &n, &start, &end);
	} else if (member && strcmp(member, "RemoveSelection") == 0) {
		r = sd_bus_message_read(m, "i", &n);
		start = end = exp_utf8_chars(text_of(node), node->caret);
	} else {
		r = sd_bus_message_read(m, "ii", &start, &end);
	}
	if (r < 0) {
		return r;
	}
	const char *text = text_of(node);
	int32_t count = exp_utf8_chars(text, strlen(text));
	if (is_password(node) || n != 0 || start < 0 || end < start || end > count) {
		return reply_bool(m, false);
	}
	return ask(m, tree, node, KIND(SET_SELECTION), NULL, NULL,
		(int32_t)exp_utf8_bytes(text, start), (int32_t)exp_utf8_bytes(text, end));
}

static int m_attribute_value(sd_bus_message *m, void *data, sd_bus_error *err) {
	NODE_PROLOGUE
	return sd_bus_reply_method_return(m, "s", "");
}

static int m_text_attributes(sd_bus_message *m, void *data, sd_bus_error *err) {
	NODE_PROLOGUE
	int32_t offset;
	int r = sd_bus_message_read(m, "i", &offset);
	if (r < 0) {
		return r;
	}
	const char *text = text_of(node);
	return sd_bus_reply_method_return(m, "a{ss}ii", 0, 0, exp_utf8_chars(text, strlen(text)));
}

static int m_attribute_run(sd_bus_message *m, void *data, sd_bus_error *err) {
	NODE_PROLOGUE
	const char *text = text_of(node);
	return sd_bus_reply_method_return(m, "a{ss}ii", 0, 0, exp_utf8_chars(text, strlen(text)));
}

static int m_default_attributes(sd_bus_message *m, void *data, sd_bus_error *err) {
	NODE_PROLOGUE
	return sd_bus_reply_method_return(m, "a{ss}", 0);
}

/* Character and range extents: the node's (no glyph positions are on the bus). */
static int m_char_extents(sd_bus_message *m, void *data, sd_bus_error *err) {
	NODE_PROLOGUE
	const char *member = sd_bus_message_get_member(m);
	int32_t a, b = 0;
	uint32_t type;
	int r = member && strcmp(member, "GetRangeExtents") == 0 ?
		sd_bus_message_read(m, "iiu", &a, &b, &type) : sd_bus_message_read(m, "iu", &a, &type);
	if (r < 0) {
		return r;
	}
	int32_t ox, oy;
	coord_origin(tree, node, type, &ox, &oy);
	return sd_bus_reply_method_return(m, "iiii", node->x - ox, node->y - oy, node->w, node->h);
}

static int m_offset_at_point(sd_bus_message *m, void *data, sd_bus_error *err) {
	NODE_PROLOGUE
	return sd_bus_reply_method_return(m, "i", -1);
}

static const sd_bus_vtable text_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("CharacterCount", "i", prop_text, 0, 0),
	SD_BUS_PROPERTY("CaretOffset", "i", prop_text, 0, 0),
	SD_BUS_METHOD("GetStringAtOffset", "iu", "sii", m_text_at, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetText", "ii", "s", m_get_text, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("SetCaretOffset", "i", "b", m_set_caret, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetTextBeforeOffset", "iu", "sii", m_text_at, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetTextAtOffset", "iu", "sii", m_text_at, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetTextAfterOffset", "iu", "sii", m_text_at, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetCharacterAtOffset", "i", "i", m_char_at, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetAttributeValue", "is", "s", m_attribute_value,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetAttributes", "i", "a{ss}ii", m_text_attributes,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetDefaultAttributes", "", "a{ss}", m_default_attributes,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetCharacterExtents", "iu", "iiii", m_char_extents,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetOffsetAtPoint", "iiu", "i", m_offset_at_point,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetNSelections", "", "i", m_n_selections, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetSelection", "i", "ii", m_selection, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("AddSelection", "ii", "b", m_set_selection, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("RemoveSelection", "i", "b", m_set_selection, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("SetSelection", "iii", "b", m_set_selection, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetRangeExtents", "iiu", "iiii", m_char_extents,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetAttributeRun", "ib", "a{ss}ii", m_attribute_run,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("GetDefaultAttributeSet", "", "a{ss}", m_default_attributes,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END,
};

/* ---- org.a11y.atspi.Cache ---- */

/* One cache item: the object (node NULL: the application). */
static int append_item(sd_bus_message *m, struct exp_tree *tree, const struct exp_node *node) {
	int r = sd_bus_message_open_container(m, 'r', "(so)(so)(so)iiassusau");
	if (r >= 0) {
		r = append_ref(m, tree, node ? node->id : 0, false);
	}
	if (r >= 0) {
		r = append_ref(m, tree, 0, false);
	}
	if (r >= 0) {
		r = append_parent(m, tree, node);
	}
	int32_t index = !node ? -1 : node->id == tree->root ? 0 : (int32_t)node->index;
	if (r >= 0) {
		r = sd_bus_message_append(m, "ii", index, (int32_t)child_count(tree, node));
	}
	if (r >= 0) {
		r = append_interfaces(m, node);
	}
	if (r >= 0) {
		r = sd_bus_message_append(m, "sus", node ? node->name : tree->app_id,
			node ? exp_atspi_role(node) : ROLE(APPLICATION), node ? node->desc : "");
	}
	if (r >= 0) {
		r = append_states(m, tree, node);
	}
	return r < 0 ? r : sd_bus_message_close_container(m);
}

static int m_get_items(sd_bus_message *m, void *data, sd_bus_error *err) {
	struct exp_tree *tree = data;
	sd_bus_message *reply = NULL;
	int r = sd_bus_message_new_method_return(m, &reply);
	if (r >= 0) {
		r = sd_bus_message_open_container(reply, 'a', CACHE_ITEM);
	}
	if (r >= 0) {
		r = append_item(reply, tree, NULL);
	}
	for (size_t i = 0; i < tree->nodes.n && r >= 0; i++) {
		r = append_item(reply, tree, &tree->nodes.v[i]);
	}
	if (r >= 0) {
		r = sd_bus_message_close_container(reply);
	}
	if (r >= 0) {
		r = sd_bus_send(NULL, reply, NULL);
	}
	sd_bus_message_unref(reply);
	return r;
}

static const sd_bus_vtable cache_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("GetItems", "", "a" CACHE_ITEM, m_get_items, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL("AddAccessible", CACHE_ITEM, 0),
	SD_BUS_SIGNAL("RemoveAccessible", "(so)", 0),
	SD_BUS_VTABLE_END,
};

void exp_cache_emit(struct exp_tree *tree, const struct exp_node *node, bool add) {
	if (!tree->bus) {
		return;
	}
	sd_bus_message *m = NULL;
	int r = sd_bus_message_new_signal(tree->bus, &m, ATSPI_CACHE_PATH, IF_CACHE,
		add ? "AddAccessible" : "RemoveAccessible");
	if (r >= 0) {
		r = add ? append_item(m, tree, node) : append_ref(m, tree, node->id, false);
	}
	if (r >= 0) {
		r = sd_bus_send(tree->bus, m, NULL);
	}
	sd_bus_message_unref(m);
}

/* ---- registration ---- */

bool exp_objects_register(struct exp_tree *tree) {
	if (!exp_objects_connect(tree)) {
		return false;
	}
	static const struct {
		const char *iface;
		const sd_bus_vtable *vtable;
		sd_bus_object_find_t find;
	} fallbacks[] = {
		{IF_ACCESSIBLE, accessible_vtable, acc_find},
		{IF_COMPONENT, component_vtable, node_find},
		{IF_ACTION, action_vtable, action_find},
		{IF_VALUE, value_vtable, value_find},
		{IF_TEXT, text_vtable, text_find},
	};
	int r = 0;
	size_t n = sizeof(fallbacks) / sizeof(fallbacks[0]);
	for (size_t i = 0; i < n && r >= 0; i++) {
		r = sd_bus_add_fallback_vtable(tree->bus, &tree->slot_objects[i], ATSPI_OBJ_PREFIX,
			fallbacks[i].iface, fallbacks[i].vtable, fallbacks[i].find, tree);
	}
	if (r >= 0) {
		r = sd_bus_add_object_vtable(tree->bus, &tree->slot_objects[n], ATSPI_ROOT_PATH,
			IF_APPLICATION, application_vtable, tree);
	}
	if (r >= 0) {
		r = sd_bus_add_object_vtable(tree->bus, &tree->slot_cache, ATSPI_CACHE_PATH,
			IF_CACHE, cache_vtable, tree);
	}
	if (r < 0) {
		lumen_log(LUMEN_ERROR, "cannot export %s: %s", tree->app_id, strerror(-r));
		return false;
	}
	return exp_objects_embed(tree);
}
