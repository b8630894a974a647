/*
 * Consumers (assistive technologies) and the window manager: events out, whole-tree
 * reads, action requests routed to providers and their answers routed back, and which
 * tree has focus (the active window's, or the compositor's own UI while it holds focus).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/log.h"
#include "core.h"
#include "lumen-a11y-v1-protocol.h"

#define VALUE_TEXT 1536

/* ---- windows and trees ---- */

struct a11y_tree *a11y_tree_for_window(struct a11y_server *server, struct a11y_window *win) {
	struct a11y_tree *tree, *best = NULL, *proxied = NULL;
	wl_list_for_each (tree, &server->trees, link) {
		if (tree->dead || tree->wm_ui || tree->pid != win->pid) {
			continue;
		}
		if (strcmp(tree->app_id, win->app_id) != 0) {
			/* A bridge's tree (create_provider_for) knows no Wayland app id: it
			 * matches the process's windows when no tree matches exactly. */
			if (tree->proxied && !proxied) {
				proxied = tree;
			}
			continue;
		}
		/* One app, several windows: the tree whose root is named like the window. */
		struct a11y_node *root = a11y_tree_node(tree, tree->root);
		if (root && strcmp(root->name, win->title) == 0) {
			return tree;
		}
		if (!best) {
			best = tree;
		}
	}
	return best ? best : proxied;
}

struct a11y_window *a11y_window_for_tree(struct a11y_server *server, struct a11y_tree *tree) {
	struct a11y_window *win;
	wl_list_for_each (win, &server->windows, link) {
		if (win->pid == tree->pid && a11y_tree_for_window(server, win) == tree) {
			return win;
		}
	}
	return NULL;
}

static struct a11y_window *window_by_id(struct a11y_server *server, uint32_t id) {
	struct a11y_window *win;
	wl_list_for_each (win, &server->windows, link) {
		if (win->id == id) {
			return win;
		}
	}
	return NULL;
}

static struct a11y_tree *wm_ui_tree(struct a11y_server *server) {
	struct a11y_tree *tree;
	wl_list_for_each (tree, &server->trees, link) {
		if (tree->wm_ui && !tree->dead && tree->focus) {
			return tree;
		}
	}
	return NULL;
}

static struct a11y_tree *active_tree(struct a11y_server *server) {
	if (!server->wm) {
		return server->recent_focus_tree;
	}
	struct a11y_tree *ui = wm_ui_tree(server);
	if (ui) {
		return ui;
	}
	struct a11y_window *win = window_by_id(server, server->active_window);
	return win ? a11y_tree_for_window(server, win) : NULL;
}

void a11y_server_update_focus(struct a11y_server *server) {
	struct a11y_tree *tree = active_tree(server);
	struct a11y_node *node = tree ? a11y_tree_node(tree, tree->focus) : NULL;
	uint32_t tree_id = tree ? tree->id : 0, node_id = node ? node->id : 0;
	if (tree_id == server->said_tree && node_id == server->said_node) {
		return;
	}
	server->said_tree = tree_id;
	server->said_node = node_id;
	if (!node) {
		return;
	}
	char value[VALUE_TEXT];
	a11y_node_value_text(node, value, sizeof(value));
	struct a11y_consumer *consumer;
	wl_list_for_each (consumer, &server->consumers, link) {
		if (consumer->events & LUMEN_A11Y_CONSUMER_V1_EVENT_MASK_FOCUS) {
			lumen_a11y_consumer_v1_send_focus(consumer->resource, tree_id, node_id,
				node->role, node->states, node->name, node->description, value);
		}
	}
}

/* ---- events ---- */

void a11y_emit_changed(struct a11y_server *server, struct a11y_tree *tree,
		struct a11y_node *node, uint32_t what) {
	char value[VALUE_TEXT];
	a11y_node_value_text(node, value, sizeof(value));
	bool has_text = node->text != NULL;
	struct a11y_consumer *consumer;
	wl_list_for_each (consumer, &server->consumers, link) {
		if (consumer->events & LUMEN_A11Y_CONSUMER_V1_EVENT_MASK_CHANGES) {
			lumen_a11y_consumer_v1_send_changed(consumer->resource, tree->id, node->id, what,
				node->role, node->states, node->name, value,
				has_text ? (int32_t)node->caret : -1,
				has_text ? (int32_t)node->sel_start : -1,
				has_text ? (int32_t)node->sel_end : -1);
		}
	}
}

void a11y_emit_announcement(struct a11y_server *server, struct a11y_tree *tree,
		const char *text, uint32_t politeness) {
	struct a11y_consumer *consumer;
	wl_list_for_each (consumer, &server->consumers, link) {
		if (consumer->events & LUMEN_A11Y_CONSUMER_V1_EVENT_MASK_ANNOUNCEMENTS) {
			lumen_a11y_consumer_v1_send_announcement(consumer->resource, tree->id, text,
				politeness);
		}
	}
}

static void send_tree(struct a11y_server *server, struct wl_resource *resource,
		uint32_t serial, struct a11y_tree *tree) {
	struct a11y_window *win = a11y_window_for_tree(server, tree);
	lumen_a11y_consumer_v1_send_tree(resource, serial, tree->id, (int32_t)tree->pid,
		tree->app_id, win ? win->id : 0);
}

void a11y_emit_tree(struct a11y_server *server, struct a11y_tree *tree, bool added) {
	struct a11y_consumer *consumer;
	wl_list_for_each (consumer, &server->consumers, link) {
		if (!(consumer->events & LUMEN_A11Y_CONSUMER_V1_EVENT_MASK_TREES)) {
			continue;
		}
		if (added) {
			send_tree(server, consumer->resource, 0, tree);
		} else {
			lumen_a11y_consumer_v1_send_tree_removed(consumer->resource, tree->id);
		}
	}
}

static void emit_window(struct a11y_server *server, struct a11y_window *win, uint32_t change) {
	struct a11y_tree *tree = a11y_tree_for_window(server, win);
	struct a11y_consumer *consumer;
	wl_list_for_each (consumer, &server->consumers, link) {
		if (consumer->events & LUMEN_A11Y_CONSUMER_V1_EVENT_MASK_WINDOWS) {
			lumen_a11y_consumer_v1_send_window(consumer->resource, win->id, change,
				tree ? tree->id : 0, win->title, win->app_id);
		}
	}
}

/* ---- actions ---- */

void a11y_actions_done(struct a11y_server *server, struct a11y_tree *tree, uint32_t serial,
		uint32_t result, bool all) {
	struct a11y_pending_action *action, *tmp;
	wl_list_for_each_safe (action, tmp, &server->actions, link) {
		if (action->tree != tree || (!all && action->provider_serial != serial)) {
			continue;
		}
		if (action->consumer) {
			lumen_a11y_consumer_v1_send_action_result(action->consumer->resource,
				action->consumer_serial, result);
		}
		wl_list_remove(&action->link);
		free(action);
		if (!all) {
			return;
		}
	}
}

/* ---- lumen_a11y_consumer_v1 ---- */

static void consumer_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void consumer_handle_subscribe(struct wl_client *client, struct wl_resource *resource,
		uint32_t events) {
	struct a11y_consumer *consumer = wl_resource_get_user_data(resource);
	struct a11y_server *server = consumer->server;
	bool had_windows = consumer->events & LUMEN_A11Y_CONSUMER_V1_EVENT_MASK_WINDOWS;
	consumer->events = events;
	if (had_windows || !(events & LUMEN_A11Y_CONSUMER_V1_EVENT_MASK_WINDOWS)) {
		return;
	}
	/* A consumer that starts late (a reader turned on) learns the windows there are and
	 * which one is active, as if it had seen them come. */
	struct a11y_window *win, *active = NULL;
	wl_list_for_each (win, &server->windows, link) {
		struct a11y_tree *tree = a11y_tree_for_window(server, win);
		lumen_a11y_consumer_v1_send_window(resource, win->id,
			LUMEN_A11Y_CONSUMER_V1_WINDOW_CHANGE_OPENED, tree ? tree->id : 0, win->title,
			win->app_id);
		if (win->id == server->active_window) {
			active = win;
		}
	}
	if (active) {
		struct a11y_tree *tree = a11y_tree_for_window(server, active);
		lumen_a11y_consumer_v1_send_window(resource, active->id,
			LUMEN_A11Y_CONSUMER_V1_WINDOW_CHANGE_ACTIVATED, tree ? tree->id : 0, active->title,
			active->app_id);
	}
}

static void consumer_handle_list_trees(struct wl_client *client, struct wl_resource *resource,
		uint32_t serial) {
	struct a11y_consumer *consumer = wl_resource_get_user_data(resource);
	struct a11y_tree *tree;
	wl_list_for_each (tree, &consumer->server->trees, link) {
		if (!tree->dead) {
			send_tree(consumer->server, resource, serial, tree);
		}
	}
	lumen_a11y_consumer_v1_send_trees_done(resource, serial);
}

static void consumer_handle_read_tree(struct wl_client *client, struct wl_resource *resource,
		uint32_t serial, uint32_t tree_id) {
	struct a11y_consumer *consumer = wl_resource_get_user_data(resource);
	struct a11y_server *server = consumer->server;
	struct a11y_tree *tree = a11y_tree_by_id(server, tree_id);
	if (!tree) {
		lumen_a11y_consumer_v1_send_read_failed(resource, serial,
			LUMEN_A11Y_CONSUMER_V1_READ_ERROR_NO_TREE);
		return;
	}
	struct a11y_window *win = a11y_window_for_tree(server, tree);
	int32_t dx = win ? win->x : 0, dy = win ? win->y : 0;
	size_t n = tree->nodes.count;
	uint32_t *stack = n ? malloc(n * sizeof(uint32_t)) : NULL;
	if (n && !stack) {
		wl_client_post_no_memory(client);
		return;
	}
	/* Depth first, parents before children, children in order. */
	size_t top = 0;
	if (tree->root) {
		stack[top++] = tree->root;
	}
	while (top > 0) {
		struct a11y_node *node = a11y_tree_node(tree, stack[--top]);
		if (!node) {
			continue;
		}
		lumen_a11y_consumer_v1_send_tree_node(resource, serial, node->id, node->parent,
			node->role, node->states, node->name, node->description);
		lumen_a11y_consumer_v1_send_tree_node_bounds(resource, serial, node->id,
			node->x + dx, node->y + dy, node->width, node->height);
		if (node->has_value) {
			struct wl_array value = {.size = 3 * sizeof(double),
				.alloc = 3 * sizeof(double),
				.data = (double[]){node->value, node->min, node->max}};
			lumen_a11y_consumer_v1_send_tree_node_value(resource, serial, node->id, &value);
		}
		if (node->text) {
			lumen_a11y_consumer_v1_send_tree_node_text(resource, serial, node->id, node->text,
				node->caret, node->sel_start, node->sel_end);
		}
		for (size_t i = 0; i < node->n_actions; i++) {
			lumen_a11y_consumer_v1_send_tree_node_action(resource, serial, node->id,
				node->actions[i]);
		}
		for (size_t c = node->n_children; c > 0 && top < n; c--) {
			stack[top++] = node->children[c - 1];
		}
	}
	free(stack);
	lumen_a11y_consumer_v1_send_tree_done(resource, serial, tree->id, tree->root, tree->focus);
}

static void consumer_handle_action(struct wl_client *client, struct wl_resource *resource,
		uint32_t serial, uint32_t tree_id, uint32_t node, uint32_t kind, const char *name,
		struct wl_array *value, int32_t start, int32_t end) {
	struct a11y_consumer *consumer = wl_resource_get_user_data(resource);
	struct a11y_server *server = consumer->server;
	if ((value->size != 0 && value->size != sizeof(double)) || !a11y_utf8_valid(name)) {
		wl_resource_post_error(resource, LUMEN_A11Y_CONSUMER_V1_ERROR_INVALID_VALUE,
			"an action's value is one double or nothing, its name UTF-8");
		return;
	}
	struct a11y_tree *tree = a11y_tree_by_id(server, tree_id);
	if (!tree || !a11y_tree_node(tree, node)) {
		lumen_a11y_consumer_v1_send_action_result(resource, serial,
			LUMEN_A11Y_PROVIDER_V1_ACTION_RESULT_GONE);
		return;
	}
	if (kind > LUMEN_A11Y_PROVIDER_V1_ACTION_KIND_SCROLL_INTO_VIEW ||
			(kind == LUMEN_A11Y_PROVIDER_V1_ACTION_KIND_SET_VALUE &&
				value->size != sizeof(double))) {
		lumen_a11y_consumer_v1_send_action_result(resource, serial,
			LUMEN_A11Y_PROVIDER_V1_ACTION_RESULT_UNSUPPORTED);
		return;
	}
	struct a11y_pending_action *action = calloc(1, sizeof(*action));
	if (!action) {
		wl_client_post_no_memory(client);
		return;
	}
	if (!a11y_tree_send_action(tree, node, kind, name, value, start, end,
			&action->provider_serial)) {
		free(action);
		lumen_a11y_consumer_v1_send_action_result(resource, serial,
			LUMEN_A11Y_PROVIDER_V1_ACTION_RESULT_FAILED);
		return;
	}
	action->tree = tree;
	action->consumer = consumer;
	action->consumer_serial = serial;
	wl_list_insert(server->actions.prev, &action->link);
}

static const struct lumen_a11y_consumer_v1_interface consumer_impl = {
	.destroy = consumer_handle_destroy,
	.subscribe = consumer_handle_subscribe,
	.list_trees = consumer_handle_list_trees,
	.read_tree = consumer_handle_read_tree,
	.action = consumer_handle_action,
};

static void consumer_destroy(struct wl_resource *resource) {
	struct a11y_consumer *consumer = wl_resource_get_user_data(resource);
	struct a11y_pending_action *action;
	wl_list_for_each (action, &consumer->server->actions, link) {
		if (action->consumer == consumer) {
			action->consumer = NULL;
		}
	}
	struct a11y_client_info *info = a11y_client_info_get(consumer->server,
		wl_resource_get_client(resource));
	if (info) {
		info->n_consumers--;
	}
	wl_list_remove(&consumer->link);
	free(consumer);
}

void a11y_consumer_create(struct a11y_server *server, struct wl_resource *parent, uint32_t id) {
	struct wl_client *client = wl_resource_get_client(parent);
	struct a11y_consumer *consumer = calloc(1, sizeof(*consumer));
	if (!consumer) {
		wl_client_post_no_memory(client);
		return;
	}
	consumer->resource = wl_resource_create(client, &lumen_a11y_consumer_v1_interface,
		wl_resource_get_version(parent), id);
	if (!consumer->resource) {
		free(consumer);
		wl_client_post_no_memory(client);
		return;
	}
	consumer->server = server;
	struct a11y_client_info *info = a11y_client_info_get(server, client);
	if (info) {
		info->n_consumers++;
	}
	wl_list_insert(server->consumers.prev, &consumer->link);
	wl_resource_set_implementation(consumer->resource, &consumer_impl, consumer,
		consumer_destroy);
}

/* ---- lumen_a11y_wm_v1 ---- */

static void window_destroy(struct a11y_window *win) {
	wl_list_remove(&win->link);
	free(win->app_id);
	free(win->title);
	free(win);
}

static void wm_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void wm_handle_window(struct wl_client *client, struct wl_resource *resource,
		uint32_t id, int32_t pid, const char *app_id, const char *title, int32_t x, int32_t y,
		int32_t width, int32_t height) {
	struct a11y_server *server = wl_resource_get_user_data(resource);
	if (!server) {
		return;
	}
	if (id == 0) {
		wl_resource_post_error(resource, LUMEN_A11Y_WM_V1_ERROR_INVALID_WINDOW, "window 0");
		return;
	}
	if (!a11y_utf8_valid(app_id) || !a11y_utf8_valid(title)) {
		wl_resource_post_error(resource, LUMEN_A11Y_WM_V1_ERROR_INVALID_STRING,
			"a string is not UTF-8");
		return;
	}
	char *app_copy = a11y_strdup_cut(app_id, A11Y_MAX_ID);
	char *title_copy = a11y_strdup_cut(title, A11Y_MAX_NAME);
	if (!app_copy || !title_copy) {
		free(app_copy);
		free(title_copy);
		wl_client_post_no_memory(client);
		return;
	}
	struct a11y_window *win = window_by_id(server, id);
	bool opened = !win;
	if (opened) {
		if ((size_t)wl_list_length(&server->windows) >= A11Y_MAX_WINDOWS) {
			free(app_copy);
			free(title_copy);
			wl_resource_post_error(resource, LUMEN_A11Y_WM_V1_ERROR_TOO_MANY,
				"more than %d windows", A11Y_MAX_WINDOWS);
			return;
		}
		win = calloc(1, sizeof(*win));
		if (!win) {
			free(app_copy);
			free(title_copy);
			wl_client_post_no_memory(client);
			return;
		}
		win->id = id;
		wl_list_insert(server->windows.prev, &win->link);
	}
	bool retitled = !opened && strcmp(win->title, title_copy) != 0;
	free(win->app_id);
	free(win->title);
	win->app_id = app_copy;
	win->title = title_copy;
	win->pid = pid;
	win->x = x;
	win->y = y;
	win->width = width;
	win->height = height;
	if (opened) {
		emit_window(server, win, LUMEN_A11Y_CONSUMER_V1_WINDOW_CHANGE_OPENED);
	} else if (retitled) {
		emit_window(server, win, LUMEN_A11Y_CONSUMER_V1_WINDOW_CHANGE_TITLE);
	}
	a11y_server_update_focus(server);
}

static void wm_handle_window_closed(struct wl_client *client, struct wl_resource *resource,
		uint32_t id) {
	struct a11y_server *server = wl_resource_get_user_data(resource);
	if (!server) {
		return;
	}
	struct a11y_window *win = window_by_id(server, id);
	if (!win) {
		wl_resource_post_error(resource, LUMEN_A11Y_WM_V1_ERROR_INVALID_WINDOW,
			"no window %u", id);
		return;
	}
	emit_window(server, win, LUMEN_A11Y_CONSUMER_V1_WINDOW_CHANGE_CLOSED);
	if (server->active_window == id) {
		server->active_window = 0;
	}
	window_destroy(win);
	a11y_server_update_focus(server);
}

static void wm_handle_activate(struct wl_client *client, struct wl_resource *resource,
		uint32_t id) {
	struct a11y_server *server = wl_resource_get_user_data(resource);
	if (!server) {
		return;
	}
	struct a11y_window *win = id ? window_by_id(server, id) : NULL;
	if (id && !win) {
		wl_resource_post_error(resource, LUMEN_A11Y_WM_V1_ERROR_INVALID_WINDOW,
			"no window %u", id);
		return;
	}
	if (server->active_window == id) {
		return;
	}
	server->active_window = id;
	if (win) {
		emit_window(server, win, LUMEN_A11Y_CONSUMER_V1_WINDOW_CHANGE_ACTIVATED);
		/* Focus is told again in the window just activated, even if it is the same
		 * node as before the switch. */
		server->said_tree = server->said_node = 0;
	}
	a11y_server_update_focus(server);
}

static const struct lumen_a11y_wm_v1_interface wm_impl = {
	.destroy = wm_handle_destroy,
	.window = wm_handle_window,
	.window_closed = wm_handle_window_closed,
	.activate = wm_handle_activate,
};

static void wm_destroy(struct wl_resource *resource) {
	struct a11y_server *server = wl_resource_get_user_data(resource);
	if (!server) {
		return;
	}
	struct a11y_window *win, *tmp;
	wl_list_for_each_safe (win, tmp, &server->windows, link) {
		window_destroy(win);
	}
	struct a11y_tree *tree;
	wl_list_for_each (tree, &server->trees, link) {
		tree->wm_ui = false;
	}
	server->wm = NULL;
	server->wm_client = NULL;
	server->active_window = 0;
}

void a11y_wm_create(struct a11y_server *server, struct wl_resource *parent, uint32_t id) {
	struct wl_client *client = wl_resource_get_client(parent);
	struct wl_resource *resource = wl_resource_create(client, &lumen_a11y_wm_v1_interface,
		wl_resource_get_version(parent), id);
	if (!resource) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(resource, &wm_impl, server, wm_destroy);
	server->wm = resource;
	server->wm_client = client;
	/* Trees this client published before are the compositor's own UI. */
	struct a11y_tree *tree;
	wl_list_for_each (tree, &server->trees, link) {
		if (tree->owner && tree->owner->client == client) {
			tree->wm_ui = true;
		}
	}
}
