/*
 * Providers: one lumen_a11y_provider_v1 is one tree. Requests build a pending update;
 * commit checks it whole (dangling children, two parents, cycles through the root, a
 * focus outside the tree) and swaps it in, so consumers never see half an update. What
 * changed is noted and sent at the next flush (server.c), coalesced.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/log.h"
#include "core.h"
#include "lumen-a11y-v1-protocol.h"

void a11y_node_destroy(struct a11y_node *node) {
	if (!node) {
		return;
	}
	free(node->name);
	free(node->description);
	free(node->children);
	for (size_t i = 0; i < node->n_actions; i++) {
		free(node->actions[i]);
	}
	free(node->actions);
	free(node->text);
	free(node);
}

static void clear_map(struct a11y_idmap *map) {
	for (size_t i = 0; i < map->cap; i++) {
		if (map->slots[i].key) {
			a11y_node_destroy(map->slots[i].value);
		}
	}
	a11y_idmap_finish(map);
}

struct a11y_tree *a11y_tree_by_id(struct a11y_server *server, uint32_t id) {
	struct a11y_tree *tree;
	wl_list_for_each (tree, &server->trees, link) {
		if (tree->id == id && !tree->dead) {
			return tree;
		}
	}
	return NULL;
}

struct a11y_node *a11y_tree_node(struct a11y_tree *tree, uint32_t id) {
	return a11y_idmap_get(&tree->nodes, id);
}

void a11y_node_value_text(const struct a11y_node *node, char *buf, size_t len) {
	buf[0] = '\0';
	if (node->has_value) {
		snprintf(buf, len, "%g", node->value);
	} else if (node->text && !(node->states & LUMEN_A11Y_PROVIDER_V1_STATE_PASSWORD)) {
		snprintf(buf, len, "%s", node->text);
		/* snprintf may have cut a character in two */
		size_t n = strlen(buf);
		if (n + 1 == len) {
			while (n > 0 && ((unsigned char)buf[n] & 0xc0) == 0x80) {
				n--;
			}
			if (n > 0 && ((unsigned char)buf[n] & 0xc0) == 0xc0) {
				buf[n] = '\0';
			}
		}
	}
}

static struct a11y_tree *tree_from(struct wl_resource *resource) {
	return wl_resource_get_user_data(resource);
}

/* The node described in this update, or the error invalid_node. */
static struct a11y_node *pending_node(struct a11y_tree *tree, struct wl_resource *resource,
		uint32_t id) {
	struct a11y_node *node = a11y_idmap_get(&tree->pending, id);
	if (!node) {
		wl_resource_post_error(resource, LUMEN_A11Y_PROVIDER_V1_ERROR_INVALID_NODE,
			"node %u is not described in this update", id);
	}
	return node;
}

static bool check_string(struct wl_resource *resource, const char *s) {
	if (!a11y_utf8_valid(s)) {
		wl_resource_post_error(resource, LUMEN_A11Y_PROVIDER_V1_ERROR_INVALID_STRING,
			"a string is not UTF-8");
		return false;
	}
	return true;
}

static void drop_pending(struct a11y_tree *tree) {
	clear_map(&tree->pending);
	free(tree->removed);
	tree->removed = NULL;
	tree->n_removed = tree->cap_removed = 0;
	tree->reset = false;
}

static void provider_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void provider_handle_reset(struct wl_client *client, struct wl_resource *resource) {
	struct a11y_tree *tree = tree_from(resource);
	if (!tree) {
		return;
	}
	drop_pending(tree);
	tree->reset = true;
}

static void provider_handle_node(struct wl_client *client, struct wl_resource *resource,
		uint32_t id, uint32_t role, uint32_t states, const char *name,
		const char *description) {
	struct a11y_tree *tree = tree_from(resource);
	if (!tree) {
		return;
	}
	if (id == 0) {
		wl_resource_post_error(resource, LUMEN_A11Y_PROVIDER_V1_ERROR_INVALID_NODE,
			"node id 0");
		return;
	}
	if (!check_string(resource, name) || !check_string(resource, description)) {
		return;
	}
	if (role > LUMEN_A11Y_PROVIDER_V1_ROLE_PUSH_BUTTON_MENU) {
		role = LUMEN_A11Y_PROVIDER_V1_ROLE_UNKNOWN; // a newer provider's role
	}
	size_t committed = tree->reset ? 0 : tree->nodes.count;
	if (!a11y_idmap_get(&tree->pending, id) &&
			committed + tree->pending.count >= 2 * A11Y_MAX_NODES) {
		wl_resource_post_error(resource, LUMEN_A11Y_PROVIDER_V1_ERROR_TOO_LARGE,
			"more than %d nodes", A11Y_MAX_NODES);
		return;
	}
	struct a11y_node *node = calloc(1, sizeof(*node));
	if (!node) {
		wl_client_post_no_memory(client);
		return;
	}
	node->id = id;
	node->role = role;
	node->states = states;
	node->name = a11y_strdup_cut(name, A11Y_MAX_NAME);
	node->description = a11y_strdup_cut(description, A11Y_MAX_NAME);
	void *old = NULL;
	if (!node->name || !node->description ||
			!a11y_idmap_put(&tree->pending, id, node, &old)) {
		a11y_node_destroy(node);
		wl_client_post_no_memory(client);
		return;
	}
	a11y_node_destroy(old);
}

static void provider_handle_node_bounds(struct wl_client *client, struct wl_resource *resource,
		uint32_t id, int32_t x, int32_t y, int32_t width, int32_t height) {
	struct a11y_tree *tree = tree_from(resource);
	struct a11y_node *node = tree ? pending_node(tree, resource, id) : NULL;
	if (!node) {
		return;
	}
	if (width < 0 || height < 0) {
		wl_resource_post_error(resource, LUMEN_A11Y_PROVIDER_V1_ERROR_INVALID_VALUE,
			"negative size %dx%d", width, height);
		return;
	}
	node->x = x;
	node->y = y;
	node->width = width;
	node->height = height;
}

static void provider_handle_node_value(struct wl_client *client, struct wl_resource *resource,
		uint32_t id, struct wl_array *value) {
	struct a11y_tree *tree = tree_from(resource);
	struct a11y_node *node = tree ? pending_node(tree, resource, id) : NULL;
	if (!node) {
		return;
	}
	double v[3];
	if (value->size != sizeof(v)) {
		wl_resource_post_error(resource, LUMEN_A11Y_PROVIDER_V1_ERROR_INVALID_VALUE,
			"a value is three doubles, not %zu bytes", value->size);
		return;
	}
	memcpy(v, value->data, sizeof(v));
	if (!isfinite(v[0]) || !isfinite(v[1]) || !isfinite(v[2]) || v[1] > v[2]) {
		wl_resource_post_error(resource, LUMEN_A11Y_PROVIDER_V1_ERROR_INVALID_VALUE,
			"a value must be finite with min <= max");
		return;
	}
	node->has_value = true;
	node->value = v[0];
	node->min = v[1];
	node->max = v[2];
}

static void provider_handle_node_children(struct wl_client *client,
		struct wl_resource *resource, uint32_t id, struct wl_array *children) {
	struct a11y_tree *tree = tree_from(resource);
	struct a11y_node *node = tree ? pending_node(tree, resource, id) : NULL;
	if (!node) {
		return;
	}
	if (children->size % sizeof(uint32_t) != 0 ||
			children->size / sizeof(uint32_t) > A11Y_MAX_NODES) {
		wl_resource_post_error(resource, LUMEN_A11Y_PROVIDER_V1_ERROR_INVALID_VALUE,
			"children: %zu bytes is no list of ids", children->size);
		return;
	}
	/* Sent again in one update, the lists are joined: a long list does not fit one
	 * message (4096 bytes), so providers send it in parts. */
	size_t n = children->size / sizeof(uint32_t);
	if (node->n_children + n > A11Y_MAX_NODES) {
		wl_resource_post_error(resource, LUMEN_A11Y_PROVIDER_V1_ERROR_TOO_LARGE,
			"more than %d children", A11Y_MAX_NODES);
		return;
	}
	if (n == 0) {
		return;
	}
	uint32_t *joined = realloc(node->children, (node->n_children + n) * sizeof(uint32_t));
	if (!joined) {
		wl_client_post_no_memory(client);
		return;
	}
	memcpy(joined + node->n_children, children->data, children->size);
	node->children = joined;
	node->n_children += n;
}

static void provider_handle_node_action(struct wl_client *client, struct wl_resource *resource,
		uint32_t id, const char *name) {
	struct a11y_tree *tree = tree_from(resource);
	struct a11y_node *node = tree ? pending_node(tree, resource, id) : NULL;
	if (!node || !check_string(resource, name)) {
		return;
	}
	if (node->n_actions >= A11Y_MAX_ACTIONS) {
		wl_resource_post_error(resource, LUMEN_A11Y_PROVIDER_V1_ERROR_TOO_LARGE,
			"more than %d actions", A11Y_MAX_ACTIONS);
		return;
	}
	char **bigger = realloc(node->actions, (node->n_actions + 1) * sizeof(char *));
	if (!bigger) {
		wl_client_post_no_memory(client);
		return;
	}
	node->actions = bigger;
	node->actions[node->n_actions] = a11y_strdup_cut(name, A11Y_MAX_NAME);
	if (!node->actions[node->n_actions]) {
		wl_client_post_no_memory(client);
		return;
	}
	node->n_actions++;
}

static void provider_handle_node_text(struct wl_client *client, struct wl_resource *resource,
		uint32_t id, const char *text, uint32_t caret, uint32_t sel_start, uint32_t sel_end) {
	struct a11y_tree *tree = tree_from(resource);
	struct a11y_node *node = tree ? pending_node(tree, resource, id) : NULL;
	if (!node || !check_string(resource, text)) {
		return;
	}
	size_t len = strlen(text);
	if (caret > len || sel_start > sel_end || sel_end > len) {
		wl_resource_post_error(resource, LUMEN_A11Y_PROVIDER_V1_ERROR_INVALID_VALUE,
			"caret %u, selection %u..%u in %zu bytes", caret, sel_start, sel_end, len);
		return;
	}
	char *copy = a11y_strdup_cut(text, A11Y_MAX_TEXT);
	if (!copy) {
		wl_client_post_no_memory(client);
		return;
	}
	size_t kept = strlen(copy);
	free(node->text);
	node->text = copy;
	node->has_text = true;
	node->caret = caret > kept ? (uint32_t)kept : caret;
	node->sel_start = sel_start > kept ? (uint32_t)kept : sel_start;
	node->sel_end = sel_end > kept ? (uint32_t)kept : sel_end;
}

static void provider_handle_remove_node(struct wl_client *client, struct wl_resource *resource,
		uint32_t id) {
	struct a11y_tree *tree = tree_from(resource);
	if (!tree) {
		return;
	}
	if (id == 0) {
		wl_resource_post_error(resource, LUMEN_A11Y_PROVIDER_V1_ERROR_INVALID_NODE,
			"node id 0");
		return;
	}
	a11y_node_destroy(a11y_idmap_remove(&tree->pending, id));
	if (tree->n_removed >= 2 * A11Y_MAX_NODES) {
		wl_resource_post_error(resource, LUMEN_A11Y_PROVIDER_V1_ERROR_TOO_LARGE,
			"more than %d removals in one update", 2 * A11Y_MAX_NODES);
		return;
	}
	if (tree->n_removed == tree->cap_removed) {
		size_t cap = tree->cap_removed ? tree->cap_removed * 2 : 16;
		uint32_t *bigger = realloc(tree->removed, cap * sizeof(uint32_t));
		if (!bigger) {
			wl_client_post_no_memory(client);
			return;
		}
		tree->removed = bigger;
		tree->cap_removed = cap;
	}
	tree->removed[tree->n_removed++] = id;
}

static void note_dirty(struct a11y_tree *tree, uint32_t id, uint32_t what) {
	for (size_t i = 0; i < tree->n_dirty; i++) {
		if (tree->dirty[i] == id) {
			tree->dirty_what[i] |= what;
			return;
		}
	}
	if (tree->n_dirty < A11Y_MAX_DIRTY) {
		tree->dirty[tree->n_dirty] = id;
		tree->dirty_what[tree->n_dirty] = what;
		tree->n_dirty++;
	}
	/* else: a flood; the rest of this turn's changes are not told (the trees stay
	 * right, and a consumer that reads them sees it) */
}

static bool same_str(const char *a, const char *b) {
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static uint32_t node_diff(const struct a11y_node *old, const struct a11y_node *node) {
	uint32_t what = 0;
	if (!same_str(old->name, node->name)) {
		what |= LUMEN_A11Y_CONSUMER_V1_CHANGE_NAME;
	}
	if (old->has_value != node->has_value || old->value != node->value ||
			old->min != node->min || old->max != node->max) {
		what |= LUMEN_A11Y_CONSUMER_V1_CHANGE_VALUE;
	}
	if (old->states != node->states) {
		what |= LUMEN_A11Y_CONSUMER_V1_CHANGE_STATES;
	}
	if (!same_str(old->text, node->text)) {
		what |= LUMEN_A11Y_CONSUMER_V1_CHANGE_TEXT;
	}
	if (old->caret != node->caret || old->sel_start != node->sel_start ||
			old->sel_end != node->sel_end) {
		what |= LUMEN_A11Y_CONSUMER_V1_CHANGE_CARET;
	}
	if (old->role != node->role) {
		what |= LUMEN_A11Y_CONSUMER_V1_CHANGE_ROLE;
	}
	return what;
}

/* Checks the tree in next (every child described, one parent each, the root without a
 * parent) and links parents; drops what the root does not reach. */
static const char *validate(struct a11y_idmap *next, uint32_t root, uint32_t focus) {
	if (root == 0) {
		return next->count == 0 && focus == 0 ? NULL : "root 0 for a tree with nodes";
	}
	if (!a11y_idmap_get(next, root)) {
		return "the root is not described";
	}
	for (size_t i = 0; i < next->cap; i++) {
		if (next->slots[i].key) {
			((struct a11y_node *)next->slots[i].value)->parent = 0;
		}
	}
	for (size_t i = 0; i < next->cap; i++) {
		if (!next->slots[i].key) {
			continue;
		}
		struct a11y_node *node = next->slots[i].value;
		for (size_t c = 0; c < node->n_children; c++) {
			struct a11y_node *child = a11y_idmap_get(next, node->children[c]);
			if (!child) {
				return "a dangling child";
			}
			if (child->id == root) {
				return "a cycle through the root";
			}
			if (child->parent != 0) {
				return "a node with two parents (or listed twice)";
			}
			child->parent = node->id;
		}
	}
	/* Every node has at most one parent and the root none: what the root does not
	 * reach (detached subtrees, cycles on their own) is dropped. Mark reachable. */
	size_t n = next->count;
	uint32_t *stack = malloc(n * sizeof(uint32_t));
	struct a11y_idmap seen;
	a11y_idmap_init(&seen);
	if (!stack) {
		return "";
	}
	size_t top = 0;
	stack[top++] = root;
	const char *err = NULL;
	while (top > 0) {
		uint32_t id = stack[--top];
		if (!a11y_idmap_put(&seen, id, (void *)1, NULL)) {
			err = "";
			break;
		}
		struct a11y_node *node = a11y_idmap_get(next, id);
		for (size_t c = 0; c < node->n_children && top < n; c++) {
			stack[top++] = node->children[c];
		}
	}
	free(stack);
	if (!err && seen.count < next->count) {
		for (size_t i = 0; i < next->cap;) {
			uint32_t key = next->slots[i].key;
			if (key && !a11y_idmap_get(&seen, key)) {
				a11y_node_destroy(a11y_idmap_remove(next, key));
				continue; // backward shift may have moved another entry here
			}
			i++;
		}
	}
	a11y_idmap_finish(&seen);
	if (!err && focus != 0 && !a11y_idmap_get(next, focus)) {
		err = "the focus is not in the tree";
	}
	if (!err && next->count > A11Y_MAX_NODES) {
		err = "too many nodes";
	}
	return err;
}

static void provider_handle_commit(struct wl_client *client, struct wl_resource *resource,
		uint32_t root, uint32_t focus) {
	struct a11y_tree *tree = tree_from(resource);
	if (!tree || tree->dead) {
		return;
	}
	/* next = committed (unless reset) - removed + pending, built in a fresh map so the
	 * committed tree stays whole if the update is refused. */
	struct a11y_idmap next;
	a11y_idmap_init(&next);
	bool oom = false;
	if (!tree->reset) {
		for (size_t i = 0; i < tree->nodes.cap && !oom; i++) {
			if (tree->nodes.slots[i].key) {
				oom = !a11y_idmap_put(&next, tree->nodes.slots[i].key,
					tree->nodes.slots[i].value, NULL);
			}
		}
		for (size_t i = 0; i < tree->n_removed; i++) {
			a11y_idmap_remove(&next, tree->removed[i]);
		}
	}
	for (size_t i = 0; i < tree->pending.cap && !oom; i++) {
		if (tree->pending.slots[i].key) {
			struct a11y_node *node = tree->pending.slots[i].value;
			if (node->states & LUMEN_A11Y_PROVIDER_V1_STATE_PASSWORD) {
				/* Defence in depth: a password's text stops here. */
				free(node->text);
				node->text = NULL;
				node->has_text = false;
				node->caret = node->sel_start = node->sel_end = 0;
			}
			oom = !a11y_idmap_put(&next, node->id, node, NULL);
		}
	}
	if (oom) {
		a11y_idmap_finish(&next);
		wl_client_post_no_memory(client);
		return;
	}
	/* Nodes validate() drops are freed there: they must be ones nobody else holds. A
	 * committed node that stays in next is held by both maps; one dropped by validate is
	 * taken out of tree->nodes first. Simplest: detach next from both sources first. */
	for (size_t i = 0; i < next.cap; i++) {
		uint32_t key = next.slots[i].key;
		if (key) {
			struct a11y_node *committed = a11y_idmap_get(&tree->nodes, key);
			if (committed == next.slots[i].value) {
				a11y_idmap_remove(&tree->nodes, key);
			} else {
				a11y_idmap_remove(&tree->pending, key);
			}
		}
	}
	/* tree->nodes now holds only the nodes the update replaced or removed; pending is
	 * empty. */
	const char *err = validate(&next, root, focus);
	if (err) {
		if (!*err) {
			clear_map(&next);
			wl_client_post_no_memory(client);
		} else {
			clear_map(&next);
			wl_resource_post_error(resource, LUMEN_A11Y_PROVIDER_V1_ERROR_INVALID_TREE,
				"refused update: %s", err);
		}
		/* The client is being disconnected: nothing more of this tree is told. */
		tree->dead = true;
		clear_map(&tree->nodes);
		drop_pending(tree);
		tree->root = tree->focus = 0;
		return;
	}
	/* Changes, against the replaced nodes (left in tree->nodes). */
	for (size_t i = 0; i < next.cap; i++) {
		uint32_t key = next.slots[i].key;
		if (!key) {
			continue;
		}
		struct a11y_node *old = a11y_idmap_get(&tree->nodes, key);
		if (old) {
			uint32_t what = node_diff(old, next.slots[i].value);
			if (what) {
				note_dirty(tree, key, what);
			}
		}
	}
	clear_map(&tree->nodes);
	drop_pending(tree);
	tree->nodes = next;
	tree->root = root;
	if (focus != tree->focus) {
		tree->focus = focus;
		tree->focus_dirty = true;
		if (focus) {
			tree->server->recent_focus_tree = tree;
		}
	}
	a11y_server_schedule_flush(tree->server);
}

static void provider_handle_announce(struct wl_client *client, struct wl_resource *resource,
		const char *text, uint32_t politeness) {
	struct a11y_tree *tree = tree_from(resource);
	if (!tree || !check_string(resource, text)) {
		return;
	}
	uint64_t now = a11y_now_ms();
	tree->tokens += (double)(now - tree->tokens_ms) * A11Y_ANNOUNCE_PER_S / 1000.0;
	tree->tokens_ms = now;
	if (tree->tokens > A11Y_ANNOUNCE_BURST) {
		tree->tokens = A11Y_ANNOUNCE_BURST;
	}
	if (tree->tokens < 1.0) {
		return; // a flood: dropped
	}
	tree->tokens -= 1.0;
	char *cut = a11y_strdup_cut(text, A11Y_MAX_TEXT);
	if (!cut) {
		wl_client_post_no_memory(client);
		return;
	}
	a11y_emit_announcement(tree->server, tree, cut,
		politeness == LUMEN_A11Y_PROVIDER_V1_POLITENESS_ASSERTIVE ? politeness : 0);
	free(cut);
}

static void provider_handle_action_done(struct wl_client *client, struct wl_resource *resource,
		uint32_t serial, uint32_t result) {
	struct a11y_tree *tree = tree_from(resource);
	if (!tree) {
		return;
	}
	struct a11y_pending_action *action;
	wl_list_for_each (action, &tree->server->actions, link) {
		if (action->tree == tree && action->provider_serial == serial) {
			a11y_actions_done(tree->server, tree, serial,
				result <= LUMEN_A11Y_PROVIDER_V1_ACTION_RESULT_GONE
					? result : LUMEN_A11Y_PROVIDER_V1_ACTION_RESULT_FAILED,
				false);
			return;
		}
	}
	wl_resource_post_error(resource, LUMEN_A11Y_PROVIDER_V1_ERROR_INVALID_SERIAL,
		"no action %u is waiting", serial);
}

static const struct lumen_a11y_provider_v1_interface provider_impl = {
	.destroy = provider_handle_destroy,
	.reset = provider_handle_reset,
	.node = provider_handle_node,
	.node_bounds = provider_handle_node_bounds,
	.node_value = provider_handle_node_value,
	.node_children = provider_handle_node_children,
	.node_action = provider_handle_node_action,
	.node_text = provider_handle_node_text,
	.remove_node = provider_handle_remove_node,
	.commit = provider_handle_commit,
	.announce = provider_handle_announce,
	.action_done = provider_handle_action_done,
};

static void tree_destroy(struct wl_resource *resource) {
	struct a11y_tree *tree = tree_from(resource);
	if (!tree) {
		return;
	}
	struct a11y_server *server = tree->server;
	a11y_actions_done(server, tree, 0, LUMEN_A11Y_PROVIDER_V1_ACTION_RESULT_GONE, true);
	if (server->recent_focus_tree == tree) {
		server->recent_focus_tree = NULL;
	}
	wl_list_remove(&tree->link);
	if (!tree->dead) {
		a11y_emit_tree(server, tree, false);
	}
	if (tree->owner) {
		tree->owner->n_providers--;
	}
	clear_map(&tree->nodes);
	drop_pending(tree);
	free(tree->app_id);
	free(tree);
	/* Focus may have been in it. */
	a11y_server_update_focus(server);
}

struct a11y_tree *a11y_tree_create(struct a11y_client_info *info, struct wl_resource *parent,
		uint32_t id, const char *app_id, pid_t pid) {
	struct wl_client *client = wl_resource_get_client(parent);
	struct a11y_server *server = info->server;
	struct a11y_tree *tree = calloc(1, sizeof(*tree));
	if (!tree) {
		wl_client_post_no_memory(client);
		return NULL;
	}
	tree->app_id = a11y_strdup_cut(app_id, A11Y_MAX_ID);
	tree->resource = wl_resource_create(client, &lumen_a11y_provider_v1_interface,
		wl_resource_get_version(parent), id);
	if (!tree->app_id || !tree->resource) {
		free(tree->app_id);
		free(tree);
		wl_client_post_no_memory(client);
		return NULL;
	}
	tree->server = server;
	tree->owner = info;
	info->n_providers++;
	tree->id = server->next_tree_id++;
	if (pid > 0) {
		tree->pid = pid;
		tree->proxied = true;
	} else {
		wl_client_get_credentials(client, &tree->pid, NULL, NULL);
		tree->wm_ui = server->wm_client == client;
	}
	a11y_idmap_init(&tree->nodes);
	a11y_idmap_init(&tree->pending);
	tree->tokens = A11Y_ANNOUNCE_BURST;
	tree->tokens_ms = a11y_now_ms();
	tree->next_action_serial = 1;
	wl_list_insert(server->trees.prev, &tree->link);
	wl_resource_set_implementation(tree->resource, &provider_impl, tree, tree_destroy);
	a11y_emit_tree(server, tree, true);
	return tree;
}

void a11y_tree_flush(struct a11y_tree *tree) {
	if (tree->dead) {
		tree->n_dirty = 0;
		tree->focus_dirty = false;
		return;
	}
	for (size_t i = 0; i < tree->n_dirty; i++) {
		struct a11y_node *node = a11y_idmap_get(&tree->nodes, tree->dirty[i]);
		if (node) {
			a11y_emit_changed(tree->server, tree, node, tree->dirty_what[i]);
		}
	}
	tree->n_dirty = 0;
	tree->focus_dirty = false;
}

bool a11y_tree_send_action(struct a11y_tree *tree, uint32_t node, uint32_t kind,
		const char *name, struct wl_array *value, int32_t start, int32_t end,
		uint32_t *serial) {
	int pending = 0;
	struct a11y_pending_action *action;
	wl_list_for_each (action, &tree->server->actions, link) {
		if (action->tree == tree) {
			pending++;
		}
	}
	if (pending >= A11Y_MAX_PENDING_ACTIONS) {
		return false;
	}
	*serial = tree->next_action_serial++;
	if (tree->next_action_serial == 0) {
		tree->next_action_serial = 1;
	}
	lumen_a11y_provider_v1_send_action(tree->resource, *serial, node, kind, name, value, start,
		end);
	return true;
}
