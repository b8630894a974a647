/*
 * The export half of lumen-atspi-bridge: a trusted consumer of lumen-a11yd that reads
 * every tree (but those the import half mirrored from AT-SPI2), keeps it current from the
 * bus's events, and shows each as an AT-SPI2 application (objects.c), with the bus's
 * events turned into AT-SPI2's (focus, names, values, states, text, caret, children,
 * window activation). AT-SPI2 clients' actions go back as action requests on our bus.
 *
 * Keeping current: the bus tells name, value, state, text and caret changes and focus,
 * not structure; so each event also re-reads its tree (one read in flight per tree), and
 * a read's differences from what we had are told as events too. Replies on the bus come
 * in order, so a read is never older than an event received before its end: each change
 * is told once, by whichever of the two brings it first.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "common/log.h"
#include "export-private.h"
#include "lumen-a11y-v1-client-protocol.h"

#define S(x) LUMEN_A11Y_PROVIDER_V1_STATE_##x

static uint32_t next_serial(struct atspi_export *exp) {
	if (++exp->next_serial == 0) {
		exp->next_serial = 1;
	}
	return exp->next_serial;
}

static uint64_t now_usec(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ---- nodes ---- */

static void node_finish(struct exp_node *node) {
	free(node->name);
	free(node->desc);
	free(node->text);
	for (size_t i = 0; i < node->n_actions; i++) {
		free(node->actions[i]);
	}
	free(node->actions);
	free(node->children);
}

static void nodes_clear(struct exp_nodes *nodes) {
	for (size_t i = 0; i < nodes->n; i++) {
		node_finish(&nodes->v[i]);
	}
	free(nodes->v);
	*nodes = (struct exp_nodes){0};
}

static int node_cmp(const void *a, const void *b) {
	const struct exp_node *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

static struct exp_node *nodes_find(struct exp_nodes *nodes, uint32_t id) {
	struct exp_node key = {.id = id};
	if (nodes->n == 0) {
		return NULL;
	}
	return bsearch(&key, nodes->v, nodes->n, sizeof(*nodes->v), node_cmp);
}

struct exp_node *exp_tree_node(struct exp_tree *tree, uint32_t id) {
	return id ? nodes_find(&tree->nodes, id) : NULL;
}

struct exp_node *exp_tree_node_parent(struct exp_tree *tree, const struct exp_node *node) {
	return node->parent ? exp_tree_node(tree, node->parent) : NULL;
}

/* The pending read's node being described: the last one (nodes come one at a time). */
static struct exp_node *pending_node(struct exp_tree *tree, uint32_t id) {
	if (tree->pending.n > 0 && tree->pending.v[tree->pending.n - 1].id == id) {
		return &tree->pending.v[tree->pending.n - 1];
	}
	return NULL;
}

static char *dup_or_null(const char *s) {
	char *d = strdup(s ? s : "");
	if (!d) {
		lumen_log(LUMEN_ERROR, "out of memory");
	}
	return d;
}

static bool replace_str(char **field, const char *s) {
	char *d = dup_or_null(s);
	if (!d) {
		return false;
	}
	free(*field);
	*field = d;
	return true;
}

/* ---- events to AT-SPI2 ---- */

static void obj_path(char *buf, size_t len, uint32_t obj) {
	if (obj == 0) {
		snprintf(buf, len, "%s", ATSPI_ROOT_PATH);
	} else {
		snprintf(buf, len, "%s/%u", ATSPI_OBJ_PREFIX, obj);
	}
}

void exp_emit(struct exp_tree *tree, uint32_t obj, const char *iface, const char *member,
		const char *detail, int32_t d1, int32_t d2, int vtype, ...) {
	if (!tree->bus) {
		return;
	}
	char path[96];
	obj_path(path, sizeof(path), obj);
	sd_bus_message *m = NULL;
	int r = sd_bus_message_new_signal(tree->bus, &m, path, iface, member);
	if (r >= 0) {
		r = sd_bus_message_append(m, "sii", detail ? detail : "", d1, d2);
	}
	va_list ap;
	va_start(ap, vtype);
	if (r >= 0) {
		switch (vtype) {
		case 's':
			r = sd_bus_message_append(m, "v", "s", va_arg(ap, const char *));
			break;
		case 'd':
			r = sd_bus_message_append(m, "v", "d", va_arg(ap, double));
			break;
		case 'o': {
			char child[96];
			obj_path(child, sizeof(child), va_arg(ap, uint32_t));
			r = sd_bus_message_append(m, "v", "(so)", tree->bus_name, child);
			break;
		}
		case 'i':
			r = sd_bus_message_append(m, "v", "i", va_arg(ap, int32_t));
			break;
		default:
			r = sd_bus_message_append(m, "v", "i", 0);
			break;
		}
	}
	va_end(ap);
	if (r >= 0) {
		r = sd_bus_message_append(m, "a{sv}", 0);
	}
	if (r >= 0) {
		r = sd_bus_send(tree->bus, m, NULL);
	}
	if (r < 0) {
		lumen_log(LUMEN_WARN, "could not emit %s.%s: %s", iface, member, strerror(-r));
	}
	sd_bus_message_unref(m);
}

#define EV_OBJECT "org.a11y.atspi.Event.Object"
#define EV_WINDOW "org.a11y.atspi.Event.Window"
#define EV_FOCUS "org.a11y.atspi.Event.Focus"

static const char *const state_names[64] = {
	[1] = "active", [2] = "armed", [3] = "busy", [4] = "checked", [5] = "collapsed",
	[7] = "editable", [8] = "enabled", [9] = "expandable", [10] = "expanded",
	[11] = "focusable", [14] = "horizontal", [16] = "modal", [17] = "multi-line",
	[18] = "multiselectable", [20] = "pressed", [22] = "selectable", [23] = "selected",
	[24] = "sensitive", [25] = "showing", [26] = "single-line", [29] = "vertical",
	[30] = "visible", [32] = "indeterminate", [33] = "required", [36] = "invalid-entry",
	[39] = "is-default", [40] = "visited", [41] = "checkable", [42] = "has-popup",
	[43] = "read-only",
};

/* State changes but focus (told by focus events alone). */
static void emit_states(struct exp_tree *tree, uint32_t id, const uint32_t before[2],
		const uint32_t after[2]) {
	for (int bit = 0; bit < 64; bit++) {
		uint32_t mask = 1u << (bit % 32);
		bool was = before[bit / 32] & mask, is = after[bit / 32] & mask;
		if (was != is && state_names[bit]) {
			exp_emit(tree, id, EV_OBJECT, "StateChanged", state_names[bit], is, 0, 0);
		}
	}
}

/* What was inserted into and deleted from a's text to make b's, told in characters. */
static void emit_text_change(struct exp_tree *tree, uint32_t id, const char *a, const char *b) {
	size_t la = strlen(a), lb = strlen(b), pre = 0, suf = 0;
	while (pre < la && pre < lb && a[pre] == b[pre]) {
		pre++;
	}
	while (pre > 0 && ((unsigned char)a[pre] & 0xc0) == 0x80) {
		pre--; // back to a character boundary
	}
	while (suf < la - pre && suf < lb - pre && a[la - 1 - suf] == b[lb - 1 - suf]) {
		suf++;
	}
	while (suf > 0 && la - suf < la && ((unsigned char)a[la - suf] & 0xc0) == 0x80) {
		suf--;
	}
	int32_t at = exp_utf8_chars(a, pre);
	if (la - pre - suf > 0) {
		char *del = strndup(a + pre, la - pre - suf);
		if (del) {
			exp_emit(tree, id, EV_OBJECT, "TextChanged", "delete", at,
				exp_utf8_chars(del, strlen(del)), 's', del);
			free(del);
		}
	}
	if (lb - pre - suf > 0) {
		char *ins = strndup(b + pre, lb - pre - suf);
		if (ins) {
			exp_emit(tree, id, EV_OBJECT, "TextChanged", "insert", at,
				exp_utf8_chars(ins, strlen(ins)), 's', ins);
			free(ins);
		}
	}
}

/*
 * Tells what differs between a node as we had it (old) and as it is now (now, whose
 * strings are the new ones): name, description, value, states, text, caret, selection.
 */
static void emit_node_changes(struct exp_tree *tree, const struct exp_node *old,
		const struct exp_node *now) {
	uint32_t id = now->id;
	if (strcmp(old->name, now->name) != 0) {
		exp_emit(tree, id, EV_OBJECT, "PropertyChange", "accessible-name", 0, 0, 's',
			now->name);
	}
	if (strcmp(old->desc, now->desc) != 0) {
		exp_emit(tree, id, EV_OBJECT, "PropertyChange", "accessible-description", 0, 0, 's',
			now->desc);
	}
	if (now->has_value && (!old->has_value || old->value[0] != now->value[0])) {
		exp_emit(tree, id, EV_OBJECT, "PropertyChange", "accessible-value", 0, 0, 'd',
			now->value[0]);
		exp_emit(tree, id, EV_OBJECT, "ValueChanged", "", 0, 0, 'd', now->value[0]);
	}
	uint32_t before[2], after[2];
	exp_atspi_states(tree, old, before);
	exp_atspi_states(tree, now, after);
	emit_states(tree, id, before, after);
	if (now->has_text) {
		const char *was = old->has_text ? old->text : "";
		if (strcmp(was, now->text) != 0) {
			emit_text_change(tree, id, was, now->text);
		}
		/* As GTK does: a caret that stays put while text changes after it is no move. */
		if (!old->has_text || old->caret != now->caret) {
			exp_emit(tree, id, EV_OBJECT, "TextCaretMoved", "",
				exp_utf8_chars(now->text, now->caret), 0, 0);
		}
		if (old->has_text && (old->sel_start != now->sel_start ||
				old->sel_end != now->sel_end)) {
			exp_emit(tree, id, EV_OBJECT, "TextSelectionChanged", "", 0, 0, 0);
		}
	}
}

/* ---- reading trees ---- */

/* Reads of one tree at most this often: a burst of events costs one more read. */
#define READ_INTERVAL_USEC 30000u

static void read_tree(struct exp_tree *tree) {
	if (tree->read_serial) {
		/* The answer is sent after every event we have seen: nothing to add. */
		return;
	}
	uint64_t now = now_usec();
	if (tree->last_read && now < tree->last_read + READ_INTERVAL_USEC) {
		uint64_t at = tree->last_read + READ_INTERVAL_USEC;
		if (!tree->retry_at || at < tree->retry_at) {
			tree->retry_at = at;
		}
		return;
	}
	tree->last_read = now;
	tree->read_serial = next_serial(tree->exp);
	nodes_clear(&tree->pending);
	tree->n_order = 0;
	lumen_a11y_consumer_v1_read_tree(tree->exp->consumer, tree->read_serial, tree->id);
}

static struct exp_tree *tree_by_serial(struct atspi_export *exp, uint32_t serial) {
	struct exp_tree *tree;
	wl_list_for_each(tree, &exp->trees, link) {
		if (tree->read_serial && tree->read_serial == serial) {
			return tree;
		}
	}
	return NULL;
}

static struct exp_tree *tree_by_id(struct atspi_export *exp, uint32_t id) {
	struct exp_tree *tree;
	wl_list_for_each(tree, &exp->trees, link) {
		if (tree->id == id) {
			return tree;
		}
	}
	return NULL;
}

static bool children_append(struct exp_node *parent, uint32_t child) {
	if (parent->n_children == parent->cap_children) {
		size_t cap = parent->cap_children ? parent->cap_children * 2 : 4;
		uint32_t *v = realloc(parent->children, cap * sizeof(*v));
		if (!v) {
			return false;
		}
		parent->children = v;
		parent->cap_children = cap;
	}
	parent->children[parent->n_children++] = child;
	return true;
}

/* Whether child is one of parent's children in nodes (a lookup, not a scan: lists can
 * be long). */
static bool has_child(struct exp_nodes *nodes, uint32_t parent, uint32_t child) {
	const struct exp_node *node = nodes_find(nodes, child);
	return node && node->parent == parent;
}

static bool same_children(const struct exp_node *a, const struct exp_node *b) {
	return a->n_children == b->n_children && (a->n_children == 0 ||
		memcmp(a->children, b->children, a->n_children * sizeof(*a->children)) == 0);
}

static void emit_focus(struct atspi_export *exp, struct exp_tree *tree, uint32_t node);

/* The read is complete: it becomes the tree, and its differences are told. */
static void apply_read(struct exp_tree *tree, uint32_t root, uint32_t focus) {
	struct exp_nodes *nodes = &tree->pending;
	if (nodes->n > 0) {
		qsort(nodes->v, nodes->n, sizeof(*nodes->v), node_cmp);
	}
	bool ok = true;
	for (size_t i = 0; i < tree->n_order && ok; i++) {
		struct exp_node *node = nodes_find(nodes, tree->order[i]);
		struct exp_node *parent = node && node->parent ? nodes_find(nodes, node->parent) : NULL;
		if (parent) {
			node->index = (uint32_t)parent->n_children;
			ok = children_append(parent, node->id);
		}
	}
	if (!ok) {
		lumen_log(LUMEN_ERROR, "out of memory reading tree %u", tree->id);
		nodes_clear(nodes);
		return;
	}
	struct exp_nodes old = tree->nodes;
	uint32_t old_root = tree->root;
	tree->nodes = *nodes;
	*nodes = (struct exp_nodes){0};
	tree->root = root;
	/* A tree read before its first commit is empty: read it again a little later (its
	 * first commit may come with no event), less and less often. */
	if (root == 0) {
		int shift = tree->empty_reads < 5 ? tree->empty_reads : 5;
		tree->retry_at = now_usec() + (200000u << shift);
		tree->empty_reads++;
	} else {
		tree->retry_at = 0;
		tree->empty_reads = 0;
	}
	tree->focus = focus;
	/* An application appears on AT-SPI2 with its first nodes, not before. */
	bool first = !tree->have_tree;
	tree->have_tree = root != 0 || tree->have_tree;
	struct exp_node *focused = exp_tree_node(tree, focus);
	if (first && !tree->exp->focus_tree && focused && (focused->states & S(FOCUSED))) {
		/* Read at start: the window with keyboard focus is the active one until told. */
		tree->exp->focus_tree = tree->id;
		tree->exp->focus_node = focus;
		if (!tree->exp->active_tree) {
			tree->exp->active_tree = tree->id;
		}
	}
	if (first && !tree->have_tree) {
		// still empty: nothing to show yet
	} else if (first) {
		if (!exp_objects_register(tree)) {
			lumen_log(LUMEN_WARN, "tree %u (%s) is not on the AT-SPI2 bus", tree->id,
				tree->app_id);
		}
	} else {
		for (size_t i = 0; i < tree->nodes.n; i++) {
			struct exp_node *now = &tree->nodes.v[i];
			struct exp_node *was = nodes_find(&old, now->id);
			if (!was) {
				exp_cache_emit(tree, now, true);
				continue;
			}
			emit_node_changes(tree, was, now);
			if (same_children(was, now)) {
				continue;
			}
			for (size_t c = 0; c < was->n_children; c++) {
				if (!has_child(&tree->nodes, now->id, was->children[c])) {
					exp_emit(tree, now->id, EV_OBJECT, "ChildrenChanged", "remove",
						(int32_t)c, 0, 'o', was->children[c]);
				}
			}
			for (size_t c = 0; c < now->n_children; c++) {
				if (!has_child(&old, now->id, now->children[c])) {
					exp_emit(tree, now->id, EV_OBJECT, "ChildrenChanged", "add",
						(int32_t)c, 0, 'o', now->children[c]);
				}
			}
		}
		if (old_root != root) { // the application object's one child
			if (old_root) {
				exp_emit(tree, 0, EV_OBJECT, "ChildrenChanged", "remove", 0, 0, 'o',
					old_root);
			}
			if (root) {
				exp_emit(tree, 0, EV_OBJECT, "ChildrenChanged", "add", 0, 0, 'o', root);
			}
		}
		for (size_t i = 0; i < old.n; i++) {
			if (!nodes_find(&tree->nodes, old.v[i].id)) {
				exp_emit(tree, old.v[i].id, EV_OBJECT, "StateChanged", "defunct", 1, 0, 0);
				exp_cache_emit(tree, &old.v[i], false);
			}
		}
	}
	nodes_clear(&old);
	if (tree->focus_pending && exp_tree_node(tree, tree->focus_pending)) {
		uint32_t node = tree->focus_pending;
		tree->focus_pending = 0;
		emit_focus(tree->exp, tree, node);
	}
}

/* ---- the consumer's events ---- */

static struct exp_tree *tree_create(struct atspi_export *exp, uint32_t id, int32_t pid,
		const char *app_id, uint32_t window) {
	struct exp_tree *tree = calloc(1, sizeof(*tree));
	if (!tree || !(tree->app_id = strdup(app_id))) {
		free(tree);
		lumen_log(LUMEN_ERROR, "out of memory");
		return NULL;
	}
	tree->exp = exp;
	tree->id = id;
	tree->pid = pid;
	tree->window = window;
	wl_list_insert(exp->trees.prev, &tree->link);
	return tree;
}

static void tree_destroy(struct exp_tree *tree) {
	if (tree->bus) {
		int fd = sd_bus_get_fd(tree->bus);
		if (fd >= 0) {
			epoll_ctl(tree->exp->epoll_fd, EPOLL_CTL_DEL, fd, NULL);
		}
		for (size_t i = 0; i < sizeof(tree->slot_objects) / sizeof(tree->slot_objects[0]);
				i++) {
			sd_bus_slot_unref(tree->slot_objects[i]);
		}
		sd_bus_slot_unref(tree->slot_cache);
		sd_bus_slot_unref(tree->slot_embed);
		/* The registry sees the name go and tells its clients the application left. */
		sd_bus_flush_close_unref(tree->bus);
	}
	if (tree->exp->focus_tree == tree->id) {
		tree->exp->focus_tree = tree->exp->focus_node = 0;
	}
	nodes_clear(&tree->nodes);
	nodes_clear(&tree->pending);
	free(tree->order);
	free(tree->app_id);
	free(tree->parent_name);
	free(tree->parent_path);
	wl_list_remove(&tree->link);
	free(tree);
}

static void c_tree(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t serial, uint32_t id,
		int32_t pid, const char *app_id, uint32_t window) {
	struct atspi_export *exp = data;
	if (strncmp(app_id, ATSPI_IMPORT_PREFIX, strlen(ATSPI_IMPORT_PREFIX)) == 0) {
		return; // AT-SPI2's own, mirrored by the import half
	}
	struct exp_tree *tree = tree_by_id(exp, id);
	if (tree) {
		tree->window = window; // its bounds may be global now
		read_tree(tree);
		return;
	}
	tree = tree_create(exp, id, pid, app_id, window);
	if (tree) {
		lumen_log(LUMEN_DEBUG, "tree %u: %s (pid %d)", id, app_id, (int)pid);
		read_tree(tree);
	}
}

static void c_trees_done(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t serial) {
}

static void c_tree_removed(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t id) {
	struct atspi_export *exp = data;
	struct exp_tree *tree = tree_by_id(exp, id);
	if (tree) {
		lumen_log(LUMEN_DEBUG, "tree %u (%s) gone", id, tree->app_id);
		tree_destroy(tree);
	}
}

static void c_node(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t serial, uint32_t id,
		uint32_t parent, uint32_t role, uint32_t states, const char *name, const char *desc) {
	struct exp_tree *tree = tree_by_serial(data, serial);
	if (!tree) {
		return;
	}
	struct exp_nodes *p = &tree->pending;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 32;
		struct exp_node *v = realloc(p->v, cap * sizeof(*v));
		if (!v) {
			lumen_log(LUMEN_ERROR, "out of memory");
			return;
		}
		p->v = v;
		p->cap = cap;
	}
	if (tree->n_order == tree->cap_order) {
		size_t cap = tree->cap_order ? tree->cap_order * 2 : 32;
		uint32_t *v = realloc(tree->order, cap * sizeof(*v));
		if (!v) {
			lumen_log(LUMEN_ERROR, "out of memory");
			return;
		}
		tree->order = v;
		tree->cap_order = cap;
	}
	struct exp_node *node = &p->v[p->n];
	*node = (struct exp_node){.id = id, .parent = parent, .role = role, .states = states};
	node->name = dup_or_null(name);
	node->desc = dup_or_null(desc);
	node->text = dup_or_null("");
	if (!node->name || !node->desc || !node->text) {
		node_finish(node);
		return;
	}
	p->n++;
	tree->order[tree->n_order++] = id;
}

static void c_bounds(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t serial, uint32_t id,
		int32_t x, int32_t y, int32_t w, int32_t h) {
	struct exp_tree *tree = tree_by_serial(data, serial);
	struct exp_node *node = tree ? pending_node(tree, id) : NULL;
	if (node) {
		node->x = x;
		node->y = y;
		node->w = w;
		node->h = h;
	}
}

static void c_value(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t serial, uint32_t id,
		struct wl_array *value) {
	struct exp_tree *tree = tree_by_serial(data, serial);
	struct exp_node *node = tree ? pending_node(tree, id) : NULL;
	if (node && value->size == sizeof(node->value)) {
		memcpy(node->value, value->data, sizeof(node->value));
		node->has_value = true;
	}
}

static void c_text(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t serial, uint32_t id,
		const char *text, uint32_t caret, uint32_t s, uint32_t e) {
	struct exp_tree *tree = tree_by_serial(data, serial);
	struct exp_node *node = tree ? pending_node(tree, id) : NULL;
	/* The bus drops a password's text; never keep one that came anyway. */
	if (!node || node->states & S(PASSWORD) ||
			node->role == LUMEN_A11Y_PROVIDER_V1_ROLE_PASSWORD_TEXT) {
		return;
	}
	size_t len = strlen(text);
	if (!replace_str(&node->text, text)) {
		return;
	}
	node->has_text = true;
	node->caret = caret <= len ? caret : (uint32_t)len;
	node->sel_end = e <= len ? e : (uint32_t)len;
	node->sel_start = s <= node->sel_end ? s : node->sel_end;
}

static void c_node_action(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t serial,
		uint32_t id, const char *name) {
	struct exp_tree *tree = tree_by_serial(data, serial);
	struct exp_node *node = tree ? pending_node(tree, id) : NULL;
	if (!node) {
		return;
	}
	char **v = realloc(node->actions, (node->n_actions + 1) * sizeof(*v));
	if (!v) {
		return;
	}
	node->actions = v;
	if ((v[node->n_actions] = dup_or_null(name))) {
		node->n_actions++;
	}
}

static void c_done(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t serial, uint32_t id,
		uint32_t root, uint32_t focus) {
	struct exp_tree *tree = tree_by_serial(data, serial);
	if (!tree) {
		return;
	}
	tree->read_serial = 0;
	apply_read(tree, root, focus);
	if (tree->reread) {
		tree->reread = false;
		read_tree(tree);
	}
}

static void c_failed(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t serial,
		uint32_t error) {
	struct exp_tree *tree = tree_by_serial(data, serial);
	if (tree) {
		tree->read_serial = 0;
		nodes_clear(&tree->pending);
		tree->n_order = 0;
	}
}

static void emit_focus(struct atspi_export *exp, struct exp_tree *tree, uint32_t node) {
	struct exp_tree *old = tree_by_id(exp, exp->focus_tree);
	if (old && (old != tree || exp->focus_node != node) && exp_tree_node(old, exp->focus_node)) {
		exp_emit(old, exp->focus_node, EV_OBJECT, "StateChanged", "focused", 0, 0, 0);
	}
	exp->focus_tree = tree->id;
	exp->focus_node = node;
	exp_emit(tree, node, EV_FOCUS, "Focus", "", 0, 0, 0);
	exp_emit(tree, node, EV_OBJECT, "StateChanged", "focused", 1, 0, 0);
}

/* The events' view of a node (a copy of its fields, strings borrowed) updated in place. */
static void update_node(struct exp_tree *tree, struct exp_node *node, uint32_t role,
		uint32_t states, const char *name, const char *value, uint32_t what, int32_t caret,
		int32_t sel_start, int32_t sel_end) {
	struct exp_node old = *node;
	char *old_text = NULL;
	bool password = states & S(PASSWORD) || role == LUMEN_A11Y_PROVIDER_V1_ROLE_PASSWORD_TEXT;
	if (what & LUMEN_A11Y_CONSUMER_V1_CHANGE_NAME) {
		old.name = strdup(node->name);
		if (!old.name || !replace_str(&node->name, name)) {
			free(old.name);
			return;
		}
	}
	node->states = states;
	node->role = role;
	if (node->has_value && (what & LUMEN_A11Y_CONSUMER_V1_CHANGE_VALUE)) {
		char *end;
		double v = strtod(value, &end);
		if (end != value) {
			node->value[0] = v;
		}
	}
	if (password) {
		node->has_text = false; // and the text we never had stays unknown
	} else if (node->has_text && (what & (LUMEN_A11Y_CONSUMER_V1_CHANGE_TEXT |
			LUMEN_A11Y_CONSUMER_V1_CHANGE_CARET))) {
		old_text = strdup(node->text);
		if (old_text && (what & LUMEN_A11Y_CONSUMER_V1_CHANGE_TEXT) &&
				!replace_str(&node->text, value)) {
			free(old_text);
			old_text = NULL;
		}
		size_t len = strlen(node->text);
		if (caret >= 0 && (size_t)caret <= len) {
			node->caret = (uint32_t)caret;
		}
		if (sel_start >= 0 && sel_end >= sel_start && (size_t)sel_end <= len) {
			node->sel_start = (uint32_t)sel_start;
			node->sel_end = (uint32_t)sel_end;
		}
		if (old_text) {
			old.text = old_text;
		}
	}
	emit_node_changes(tree, &old, node);
	if (old.name != node->name) {
		free(old.name);
	}
	free(old_text);
}

static void c_focus(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t tree_id,
		uint32_t node_id, uint32_t role, uint32_t states, const char *name, const char *desc,
		const char *value) {
	struct atspi_export *exp = data;
	struct exp_tree *tree = tree_by_id(exp, tree_id);
	if (!tree || !node_id) {
		struct exp_tree *old = tree_by_id(exp, exp->focus_tree);
		if (old && exp_tree_node(old, exp->focus_node)) {
			exp_emit(old, exp->focus_node, EV_OBJECT, "StateChanged", "focused", 0, 0, 0);
		}
		exp->focus_tree = exp->focus_node = 0;
		return;
	}
	if (!exp->active_tree || !tree_by_id(exp, exp->active_tree)) {
		exp->active_tree = tree->id; // no window manager: the tree whose focus moved
	}
	struct exp_node *node = exp_tree_node(tree, node_id);
	if (!node) {
		tree->focus_pending = node_id; // told once read
		read_tree(tree);
		return;
	}
	update_node(tree, node, role, states, name, value, LUMEN_A11Y_CONSUMER_V1_CHANGE_NAME,
		-1, -1, -1);
	tree->focus = node_id;
	if (exp->focus_tree != tree_id || exp->focus_node != node_id) {
		emit_focus(exp, tree, node_id);
	}
	read_tree(tree);
}

static void c_changed(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t tree_id,
		uint32_t node_id, uint32_t what, uint32_t role, uint32_t states, const char *name,
		const char *value, int32_t caret, int32_t sel_start, int32_t sel_end) {
	struct exp_tree *tree = tree_by_id(data, tree_id);
	if (!tree) {
		return;
	}
	struct exp_node *node = exp_tree_node(tree, node_id);
	if (node) {
		update_node(tree, node, role, states, name, value, what, caret, sel_start, sel_end);
	}
	read_tree(tree);
}

static void set_active(struct atspi_export *exp, uint32_t tree_id) {
	if (exp->active_tree == tree_id) {
		return;
	}
	struct exp_tree *old = tree_by_id(exp, exp->active_tree);
	exp->active_tree = tree_id;
	if (old && old->root) {
		exp_emit(old, old->root, EV_OBJECT, "StateChanged", "active", 0, 0, 0);
		exp_emit(old, old->root, EV_WINDOW, "Deactivate", "", 0, 0, 0);
	}
	struct exp_tree *tree = tree_by_id(exp, tree_id);
	if (tree && tree->root) {
		exp_emit(tree, tree->root, EV_OBJECT, "StateChanged", "active", 1, 0, 0);
		exp_emit(tree, tree->root, EV_WINDOW, "Activate", "", 0, 0, 0);
	}
}

static void c_window(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t window,
		uint32_t change, uint32_t tree_id, const char *title, const char *app_id) {
	struct atspi_export *exp = data;
	struct exp_tree *tree = tree_by_id(exp, tree_id);
	if (tree) {
		tree->window = window;
		read_tree(tree); // new bounds, a first commit, a new title
	}
	if (change == LUMEN_A11Y_CONSUMER_V1_WINDOW_CHANGE_ACTIVATED) {
		set_active(exp, tree ? tree->id : 0);
	} else if (change == LUMEN_A11Y_CONSUMER_V1_WINDOW_CHANGE_CLOSED && tree &&
			exp->active_tree == tree->id) {
		set_active(exp, 0);
	}
}

static void c_announcement(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t tree_id,
		const char *text, uint32_t politeness) {
	struct exp_tree *tree = tree_by_id(data, tree_id);
	if (tree && tree->root) {
		/* AT-SPI2 2.46's object:announcement; its politeness: 1 polite, 2 assertive. */
		exp_emit(tree, tree->root, EV_OBJECT, "Announcement", "",
			politeness == LUMEN_A11Y_PROVIDER_V1_POLITENESS_ASSERTIVE ? 2 : 1, 0, 's', text);
	}
}

static void c_result(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t serial,
		uint32_t result) {
	struct atspi_export *exp = data;
	struct exp_action *act;
	wl_list_for_each(act, &exp->actions, link) {
		if (act->serial == serial) {
			if (act->call) {
				sd_bus_reply_method_return(act->call, "b",
					result == LUMEN_A11Y_PROVIDER_V1_ACTION_RESULT_DONE);
				sd_bus_message_unref(act->call);
			}
			wl_list_remove(&act->link);
			free(act);
			return;
		}
	}
}

static const struct lumen_a11y_consumer_v1_listener consumer_listener = {
	.tree = c_tree,
	.trees_done = c_trees_done,
	.tree_removed = c_tree_removed,
	.tree_node = c_node,
	.tree_node_bounds = c_bounds,
	.tree_node_value = c_value,
	.tree_node_text = c_text,
	.tree_node_action = c_node_action,
	.tree_done = c_done,
	.read_failed = c_failed,
	.focus = c_focus,
	.changed = c_changed,
	.window = c_window,
	.announcement = c_announcement,
	.action_result = c_result,
};

bool exp_request_action(struct exp_tree *tree, uint32_t node, uint32_t kind, const char *name,
		const double *value, int32_t start, int32_t end, sd_bus_message *call) {
	struct atspi_export *exp = tree->exp;
	if (!exp->consumer) {
		return false;
	}
	struct exp_action *act = calloc(1, sizeof(*act));
	if (!act) {
		lumen_log(LUMEN_ERROR, "out of memory");
		return false;
	}
	act->serial = next_serial(exp);
	act->call = call ? sd_bus_message_ref(call) : NULL;
	wl_list_insert(&exp->actions, &act->link);
	struct wl_array arr;
	wl_array_init(&arr);
	if (value) {
		double *d = wl_array_add(&arr, sizeof(*d));
		if (!d) {
			wl_list_remove(&act->link);
			sd_bus_message_unref(act->call);
			free(act);
			return false;
		}
		*d = *value;
	}
	lumen_a11y_consumer_v1_action(exp->consumer, act->serial, tree->id, node, kind,
		name ? name : "", &arr, start, end);
	wl_array_release(&arr);
	return true;
}

/* ---- connections ---- */

static void registry_global(void *data, struct wl_registry *registry, uint32_t name,
		const char *interface, uint32_t version) {
	struct atspi_export *exp = data;
	if (strcmp(interface, lumen_a11y_v1_interface.name) == 0 && !exp->bus) {
		exp->bus = wl_registry_bind(registry, name, &lumen_a11y_v1_interface, 1);
	}
}

static void registry_remove(void *data, struct wl_registry *registry, uint32_t name) {
}

static const struct wl_registry_listener registry_listener = {registry_global,
	registry_remove};

static bool connect_a11yd(struct atspi_export *exp, const char *socket_name) {
	const char *dir = getenv("XDG_RUNTIME_DIR");
	if (!socket_name || !socket_name[0]) {
		socket_name = getenv("LUMEN_A11Y_TRUSTED_SOCKET");
	}
	if (!socket_name || !socket_name[0]) {
		socket_name = "lumen-a11y-0-trusted";
	}
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int n;
	if (socket_name[0] == '/') {
		n = snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", socket_name);
	} else if (dir && dir[0]) {
		n = snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/%s", dir, socket_name);
	} else {
		lumen_log(LUMEN_ERROR, "XDG_RUNTIME_DIR is not set");
		return false;
	}
	if (n < 0 || (size_t)n >= sizeof(addr.sun_path)) {
		lumen_log(LUMEN_ERROR, "socket path too long: %s", socket_name);
		return false;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		lumen_log_errno(LUMEN_ERROR, "socket");
		return false;
	}
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		lumen_log_errno(LUMEN_ERROR, "cannot reach lumen-a11yd at %s", addr.sun_path);
		close(fd);
		return false;
	}
	exp->display = wl_display_connect_to_fd(fd);
	if (!exp->display) {
		close(fd);
		return false;
	}
	exp->registry = wl_display_get_registry(exp->display);
	wl_registry_add_listener(exp->registry, &registry_listener, exp);
	if (wl_display_roundtrip(exp->display) < 0 || !exp->bus) {
		lumen_log(LUMEN_ERROR, "%s is not lumen-a11yd", addr.sun_path);
		return false;
	}
	exp->consumer = lumen_a11y_v1_create_consumer(exp->bus);
	lumen_a11y_consumer_v1_add_listener(exp->consumer, &consumer_listener, exp);
	lumen_a11y_consumer_v1_subscribe(exp->consumer, LUMEN_A11Y_CONSUMER_V1_EVENT_MASK_FOCUS |
		LUMEN_A11Y_CONSUMER_V1_EVENT_MASK_CHANGES | LUMEN_A11Y_CONSUMER_V1_EVENT_MASK_WINDOWS |
		LUMEN_A11Y_CONSUMER_V1_EVENT_MASK_ANNOUNCEMENTS |
		LUMEN_A11Y_CONSUMER_V1_EVENT_MASK_TREES);
	lumen_a11y_consumer_v1_list_trees(exp->consumer, next_serial(exp));
	if (wl_display_roundtrip(exp->display) < 0) {
		lumen_log(LUMEN_ERROR, "lumen-a11yd refused us (%s): is %s its trusted socket?",
			strerror(wl_display_get_error(exp->display)), addr.sun_path);
		return false;
	}
	return true;
}

/* The AT-SPI2 bus's address: $AT_SPI_BUS_ADDRESS, else org.a11y.Bus on the session bus. */
static char *ask_a11y_bus_address(void) {
	const char *env = getenv("AT_SPI_BUS_ADDRESS");
	if (env && env[0]) {
		return dup_or_null(env);
	}
	sd_bus *session = NULL;
	int r = sd_bus_open_user(&session);
	if (r < 0) {
		lumen_log(LUMEN_ERROR, "no session bus: %s", strerror(-r));
		return NULL;
	}
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	char *address = NULL;
	r = sd_bus_call_method(session, "org.a11y.Bus", "/org/a11y/bus", "org.a11y.Bus",
		"GetAddress", &err, &reply, "");
	const char *s = NULL;
	if (r >= 0 && sd_bus_message_read(reply, "s", &s) >= 0 && s && s[0]) {
		address = dup_or_null(s);
	} else {
		lumen_log(LUMEN_ERROR, "org.a11y.Bus.GetAddress failed: %s",
			err.message ? err.message : strerror(r < 0 ? -r : EINVAL));
	}
	sd_bus_error_free(&err);
	sd_bus_message_unref(reply);
	sd_bus_flush_close_unref(session);
	return address;
}

static void watch_bus(struct atspi_export *exp, sd_bus *bus) {
	int fd = sd_bus_get_fd(bus);
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = bus};
	if (fd >= 0 && epoll_ctl(exp->epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) {
		lumen_log_errno(LUMEN_WARN, "epoll_ctl");
	}
}

/* A connection of ours to the AT-SPI2 bus, registered (Hello done) before it returns. */
static sd_bus *open_a11y_bus(struct atspi_export *exp, const char *description) {
	sd_bus *bus = NULL;
	int r = sd_bus_new(&bus);
	if (r >= 0) {
		r = sd_bus_set_address(bus, exp->address);
	}
	if (r >= 0) {
		r = sd_bus_set_bus_client(bus, 1);
	}
	if (r >= 0) {
		r = sd_bus_set_trusted(bus, 1); // the user's own bus: no per-call checks
	}
	if (r >= 0) {
		r = sd_bus_set_description(bus, description);
	}
	if (r >= 0) {
		r = sd_bus_start(bus);
	}
	const char *unique = NULL;
	if (r >= 0) {
		r = sd_bus_get_unique_name(bus, &unique); // waits for Hello's answer
	}
	if (r < 0) {
		lumen_log(LUMEN_ERROR, "cannot connect to the AT-SPI2 bus %s: %s", exp->address,
			strerror(-r));
		sd_bus_flush_close_unref(bus);
		return NULL;
	}
	watch_bus(exp, bus);
	return bus;
}

/* The tree's application: its own connection, objects, and registered with the registry. */
static int handle_embedded(sd_bus_message *m, void *data, sd_bus_error *ret_error) {
	struct exp_tree *tree = data;
	sd_bus_slot_unref(tree->slot_embed);
	tree->slot_embed = NULL;
	const char *name = NULL, *path = NULL;
	if (sd_bus_message_is_method_error(m, NULL)) {
		const sd_bus_error *e = sd_bus_message_get_error(m);
		lumen_log(LUMEN_WARN, "the AT-SPI2 registry refused %s: %s", tree->app_id,
			e && e->message ? e->message : "?");
		return 0;
	}
	if (sd_bus_message_read(m, "(so)", &name, &path) >= 0) {
		replace_str(&tree->parent_name, name);
		replace_str(&tree->parent_path, path);
	}
	lumen_log(LUMEN_DEBUG, "%s registered as %s", tree->app_id, tree->bus_name);
	if (tree->exp->active_tree == tree->id && tree->root) {
		exp_emit(tree, tree->root, EV_WINDOW, "Activate", "", 0, 0, 0);
	}
	return 0;
}

bool exp_objects_connect(struct exp_tree *tree) {
	struct atspi_export *exp = tree->exp;
	char desc[64];
	snprintf(desc, sizeof(desc), "lumen-tree-%u", tree->id);
	tree->bus = open_a11y_bus(exp, desc);
	if (!tree->bus) {
		return false;
	}
	sd_bus_get_unique_name(tree->bus, &tree->bus_name);
	if (!tree->parent_name) {
		tree->parent_name = dup_or_null(ATSPI_REGISTRY_NAME);
		tree->parent_path = dup_or_null(ATSPI_ROOT_PATH);
	}
	return true;
}

bool exp_objects_embed(struct exp_tree *tree) {
	int r = sd_bus_call_method_async(tree->bus, &tree->slot_embed, ATSPI_REGISTRY_NAME,
		ATSPI_ROOT_PATH, "org.a11y.atspi.Socket", "Embed", handle_embedded, tree, "(so)",
		tree->bus_name, ATSPI_ROOT_PATH);
	if (r < 0) {
		lumen_log(LUMEN_WARN, "Embed: %s", strerror(-r));
		return false;
	}
	return true;
}

struct atspi_export *atspi_export_create(const char *trusted_socket,
		const char *a11y_bus_address) {
	struct atspi_export *exp = calloc(1, sizeof(*exp));
	if (!exp) {
		lumen_log(LUMEN_ERROR, "out of memory");
		return NULL;
	}
	wl_list_init(&exp->trees);
	wl_list_init(&exp->actions);
	exp->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (exp->epoll_fd < 0) {
		lumen_log_errno(LUMEN_ERROR, "epoll_create1");
		free(exp);
		return NULL;
	}
	exp->address = a11y_bus_address ? dup_or_null(a11y_bus_address) : ask_a11y_bus_address();
	if (!exp->address || !(exp->ctl = open_a11y_bus(exp, "lumen-atspi-export"))) {
		atspi_export_destroy(exp);
		return NULL;
	}
	if (!connect_a11yd(exp, trusted_socket)) {
		atspi_export_destroy(exp);
		return NULL;
	}
	lumen_log(LUMEN_INFO, "exporting lumen-a11yd's trees to AT-SPI2 at %s as %s",
		exp->address, atspi_export_bus_name(exp));
	return exp;
}

void atspi_export_destroy(struct atspi_export *exp) {
	if (!exp) {
		return;
	}
	/* Unanswered calls first: they hold their connections. */
	struct exp_action *act, *tmp_act;
	wl_list_for_each_safe(act, tmp_act, &exp->actions, link) {
		if (act->call) {
			sd_bus_reply_method_return(act->call, "b", 0);
			sd_bus_message_unref(act->call);
		}
		wl_list_remove(&act->link);
		free(act);
	}
	struct exp_tree *tree, *tmp_tree;
	wl_list_for_each_safe(tree, tmp_tree, &exp->trees, link) {
		tree_destroy(tree);
	}
	if (exp->consumer) {
		lumen_a11y_consumer_v1_destroy(exp->consumer);
	}
	if (exp->bus) {
		lumen_a11y_v1_destroy(exp->bus);
	}
	if (exp->registry) {
		wl_registry_destroy(exp->registry);
	}
	if (exp->display) {
		wl_display_disconnect(exp->display);
	}
	sd_bus_flush_close_unref(exp->ctl);
	if (exp->epoll_fd >= 0) {
		close(exp->epoll_fd);
	}
	free(exp->address);
	free(exp);
}

const char *atspi_export_bus_name(struct atspi_export *exp) {
	const char *name = NULL;
	if (!exp->ctl || sd_bus_get_unique_name(exp->ctl, &name) < 0) {
		return NULL;
	}
	return name;
}

bool atspi_export_owns_bus_name(struct atspi_export *exp, const char *name) {
	const char *own = atspi_export_bus_name(exp);
	if (!name || (own && strcmp(own, name) == 0)) {
		return name != NULL;
	}
	struct exp_tree *tree;
	wl_list_for_each(tree, &exp->trees, link) {
		if (tree->bus_name && strcmp(tree->bus_name, name) == 0) {
			return true;
		}
	}
	return false;
}

static void bus_prepare(struct atspi_export *exp, sd_bus *bus, uint64_t *deadline) {
	sd_bus_flush(bus);
	int events = sd_bus_get_events(bus);
	int fd = sd_bus_get_fd(bus);
	if (events >= 0 && fd >= 0) {
		struct epoll_event ev = {.events = (uint32_t)events, .data.ptr = bus};
		epoll_ctl(exp->epoll_fd, EPOLL_CTL_MOD, fd, &ev);
	}
	uint64_t t;
	if (sd_bus_get_timeout(bus, &t) >= 0 && t < *deadline) {
		*deadline = t;
	}
}

int atspi_export_prepare(struct atspi_export *exp, struct pollfd *fds, int *timeout_ms) {
	uint64_t deadline = UINT64_MAX;
	bus_prepare(exp, exp->ctl, &deadline);
	struct exp_tree *tree;
	wl_list_for_each(tree, &exp->trees, link) {
		if (tree->bus) {
			bus_prepare(exp, tree->bus, &deadline);
		}
		if (tree->retry_at && tree->retry_at < deadline) {
			deadline = tree->retry_at;
		}
	}
	*timeout_ms = -1;
	if (deadline != UINT64_MAX) {
		uint64_t now = now_usec();
		uint64_t ms = deadline > now ? (deadline - now + 999) / 1000 : 0;
		*timeout_ms = ms > 60000 ? 60000 : (int)ms;
	}
	int n = 0;
	if (exp->display) {
		wl_display_dispatch_pending(exp->display);
		if (wl_display_flush(exp->display) < 0 && errno != EAGAIN) {
			exp->dead = true;
		}
		fds[n++] = (struct pollfd){.fd = wl_display_get_fd(exp->display), .events = POLLIN};
	}
	fds[n++] = (struct pollfd){.fd = exp->epoll_fd, .events = POLLIN};
	if (exp->dead) {
		*timeout_ms = 0;
	}
	return n;
}

static bool bus_process(sd_bus *bus) {
	for (int i = 0; i < 256; i++) {
		int r = sd_bus_process(bus, NULL);
		if (r < 0) {
			return false;
		}
		if (r == 0) {
			break;
		}
	}
	return sd_bus_is_open(bus) > 0;
}

bool atspi_export_dispatch(struct atspi_export *exp, const struct pollfd *fds, int nfds) {
	if (exp->dead) {
		return false;
	}
	for (int i = 0; i < nfds; i++) {
		if (exp->display && fds[i].fd == wl_display_get_fd(exp->display) && fds[i].revents) {
			if (wl_display_dispatch(exp->display) < 0) {
				lumen_log(LUMEN_INFO, "lost lumen-a11yd");
				exp->dead = true;
				return false;
			}
		}
	}
	/* The bus connections: each processes what it has (cheap when nothing); the epoll
	 * set is level-triggered, so it is quiet again once they have read. */
	if (!bus_process(exp->ctl)) {
		lumen_log(LUMEN_INFO, "lost the AT-SPI2 bus");
		exp->dead = true;
		return false;
	}
	struct exp_tree *tree, *tmp;
	uint64_t now = now_usec();
	wl_list_for_each_safe(tree, tmp, &exp->trees, link) {
		if (tree->retry_at && tree->retry_at <= now) {
			tree->retry_at = 0;
			read_tree(tree);
		}
		if (tree->bus && !bus_process(tree->bus)) {
			lumen_log(LUMEN_WARN, "tree %u lost its AT-SPI2 connection", tree->id);
			int fd = sd_bus_get_fd(tree->bus);
			if (fd >= 0) {
				epoll_ctl(exp->epoll_fd, EPOLL_CTL_DEL, fd, NULL);
			}
			for (size_t i = 0; i < sizeof(tree->slot_objects) / sizeof(tree->slot_objects[0]);
					i++) {
				tree->slot_objects[i] = sd_bus_slot_unref(tree->slot_objects[i]);
			}
			tree->slot_cache = sd_bus_slot_unref(tree->slot_cache);
			tree->slot_embed = sd_bus_slot_unref(tree->slot_embed);
			tree->bus = sd_bus_flush_close_unref(tree->bus);
			tree->bus_name = NULL;
		}
	}
	return true;
}
