/*
 * Every toplevel's accessible tree on lumen-a11yd's bus, through lib_a11y_client: the
 * tree is published whole after each drawn change (the bus finds what changed), node
 * ids stay the same for a node's life, and the bus's action requests run the nodes'
 * actions as a person's input would. A password entry's text is never sent. Without a
 * bus the app runs as before and tries again every second.
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include "a11y/client.h"
#include "common/log.h"
#include "lumen-a11y-v1-client-protocol.h"
#include "tk-private.h"

#define RETRY_MS 1000

struct bus_node_id {
	const struct tk_a11y_node *node;
	uint32_t id;
};

struct bus_window {
	struct wl_list link; // tk_a11y_bus.windows
	struct tk_window *win;
	struct a11y_provider *provider;
	struct bus_node_id *ids; // sorted by node pointer
	size_t n_ids;
	uint32_t next_id;
};

struct tk_a11y_bus {
	struct tk_app *app;
	struct a11y_client *client;
	struct tk_fd_watch *watch; // while connected
	struct tk_timer *retry; // while disconnected
	struct wl_list windows; // bus_window.link
};

static uint32_t map_role(enum tk_a11y_role role) {
	switch (role) {
	case TK_A11Y_ROLE_WINDOW: return LUMEN_A11Y_PROVIDER_V1_ROLE_FRAME;
	case TK_A11Y_ROLE_PANEL: return LUMEN_A11Y_PROVIDER_V1_ROLE_PANEL;
	case TK_A11Y_ROLE_LABEL: return LUMEN_A11Y_PROVIDER_V1_ROLE_LABEL;
	case TK_A11Y_ROLE_BUTTON: return LUMEN_A11Y_PROVIDER_V1_ROLE_PUSH_BUTTON;
	case TK_A11Y_ROLE_TOGGLE_BUTTON: return LUMEN_A11Y_PROVIDER_V1_ROLE_TOGGLE_BUTTON;
	case TK_A11Y_ROLE_CHECK_BOX: return LUMEN_A11Y_PROVIDER_V1_ROLE_CHECK_BOX;
	case TK_A11Y_ROLE_SLIDER: return LUMEN_A11Y_PROVIDER_V1_ROLE_SLIDER;
	case TK_A11Y_ROLE_ENTRY: return LUMEN_A11Y_PROVIDER_V1_ROLE_ENTRY;
	case TK_A11Y_ROLE_PASSWORD_TEXT: return LUMEN_A11Y_PROVIDER_V1_ROLE_PASSWORD_TEXT;
	case TK_A11Y_ROLE_LIST: return LUMEN_A11Y_PROVIDER_V1_ROLE_LIST;
	case TK_A11Y_ROLE_LIST_ITEM: return LUMEN_A11Y_PROVIDER_V1_ROLE_LIST_ITEM;
	case TK_A11Y_ROLE_SCROLL_PANE: return LUMEN_A11Y_PROVIDER_V1_ROLE_SCROLL_PANE;
	case TK_A11Y_ROLE_MENU_BUTTON: return LUMEN_A11Y_PROVIDER_V1_ROLE_PUSH_BUTTON_MENU;
	case TK_A11Y_ROLE_MENU: return LUMEN_A11Y_PROVIDER_V1_ROLE_MENU;
	case TK_A11Y_ROLE_MENU_ITEM: return LUMEN_A11Y_PROVIDER_V1_ROLE_MENU_ITEM;
	case TK_A11Y_ROLE_IMAGE: return LUMEN_A11Y_PROVIDER_V1_ROLE_IMAGE;
	case TK_A11Y_ROLE_HEADING: return LUMEN_A11Y_PROVIDER_V1_ROLE_HEADING;
	}
	return LUMEN_A11Y_PROVIDER_V1_ROLE_UNKNOWN;
}

static uint32_t map_states(uint32_t s) {
	static const uint32_t map[][2] = {
		{TK_A11Y_STATE_FOCUSED, LUMEN_A11Y_PROVIDER_V1_STATE_FOCUSED},
		{TK_A11Y_STATE_FOCUSABLE, LUMEN_A11Y_PROVIDER_V1_STATE_FOCUSABLE},
		{TK_A11Y_STATE_SELECTED, LUMEN_A11Y_PROVIDER_V1_STATE_SELECTED},
		{TK_A11Y_STATE_CHECKED, LUMEN_A11Y_PROVIDER_V1_STATE_CHECKED},
		{TK_A11Y_STATE_EXPANDED, LUMEN_A11Y_PROVIDER_V1_STATE_EXPANDED},
		{TK_A11Y_STATE_DISABLED, LUMEN_A11Y_PROVIDER_V1_STATE_DISABLED},
		{TK_A11Y_STATE_EDITABLE, LUMEN_A11Y_PROVIDER_V1_STATE_EDITABLE},
		{TK_A11Y_STATE_MULTILINE, LUMEN_A11Y_PROVIDER_V1_STATE_MULTILINE},
		{TK_A11Y_STATE_PASSWORD, LUMEN_A11Y_PROVIDER_V1_STATE_PASSWORD},
		{TK_A11Y_STATE_CHECKABLE, LUMEN_A11Y_PROVIDER_V1_STATE_CHECKABLE},
		{TK_A11Y_STATE_EXPANDABLE, LUMEN_A11Y_PROVIDER_V1_STATE_EXPANDABLE},
	};
	uint32_t out = 0;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (s & map[i][0]) {
			out |= map[i][1];
		}
	}
	return out;
}

static int cmp_ptr(const void *a, const void *b) {
	const struct bus_node_id *x = a, *y = b;
	return x->node < y->node ? -1 : x->node > y->node;
}

static uint32_t old_id(struct bus_window *bw, const struct tk_a11y_node *node) {
	struct bus_node_id key = {.node = node};
	struct bus_node_id *hit = bw->n_ids
		? bsearch(&key, bw->ids, bw->n_ids, sizeof(key), cmp_ptr) : NULL;
	return hit ? hit->id : 0;
}

struct publish_state {
	struct bus_window *bw;
	struct a11y_node_desc *descs;
	struct bus_node_id *ids;
	uint32_t *children; // all children lists, back to back
	size_t n, cap, n_children, cap_children;
	uint32_t focus;
};

/* The tree in pre-order into st; returns the node's id. */
static uint32_t collect(struct publish_state *st, const struct tk_a11y_node *node, int depth) {
	if (st->n == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 64;
		st->descs = realloc(st->descs, st->cap * sizeof(*st->descs));
		st->ids = realloc(st->ids, st->cap * sizeof(*st->ids));
		if (!st->descs || !st->ids) {
			abort(); // a client may abort when memory runs out
		}
	}
	size_t index = st->n++;
	uint32_t id = old_id(st->bw, node);
	if (!id) {
		id = ++st->bw->next_id;
	}
	st->ids[index] = (struct bus_node_id){.node = node, .id = id};
	struct a11y_node_desc *d = &st->descs[index];
	memset(d, 0, sizeof(*d));
	d->id = id;
	enum tk_a11y_role role = tk_a11y_node_get_role(node);
	uint32_t tk_states = tk_a11y_node_get_states(node);
	d->role = map_role(role);
	d->states = map_states(tk_states);
	if (role == TK_A11Y_ROLE_PASSWORD_TEXT) {
		d->states |= LUMEN_A11Y_PROVIDER_V1_STATE_PASSWORD;
	}
	d->name = tk_a11y_node_get_name(node);
	d->description = tk_a11y_node_get_description(node);
	struct tk_a11y_rect r;
	tk_a11y_node_get_bounds(node, &r);
	d->x = r.x;
	d->y = r.y;
	d->width = r.width;
	d->height = r.height;
	d->has_value = tk_a11y_node_get_value(node, &d->value, &d->min, &d->max);
	if (d->has_value && d->min > d->max) {
		d->has_value = false;
	}
	size_t caret = 0, s = 0, e = 0;
	const char *text = NULL;
	if (!(d->states & LUMEN_A11Y_PROVIDER_V1_STATE_PASSWORD) &&
			tk_a11y_node_get_text(node, &text, &caret, &s, &e) && text) {
		d->text = text;
		d->caret = (uint32_t)caret;
		d->sel_start = (uint32_t)(s < e ? s : e);
		d->sel_end = (uint32_t)(s < e ? e : s);
	}
	if ((tk_states & TK_A11Y_STATE_FOCUSED) && depth > 0) {
		st->focus = id;
	}
	/* Actions: the node owns the names. */
	size_t n_actions = tk_a11y_node_get_action_count(node);
	if (n_actions > 0) {
		const char **names = calloc(n_actions, sizeof(char *));
		if (!names) {
			abort();
		}
		for (size_t i = 0; i < n_actions; i++) {
			names[i] = tk_a11y_node_get_action_name(node, i);
		}
		st->descs[index].actions = names;
		st->descs[index].n_actions = n_actions;
	}
	size_t n_kids = tk_a11y_node_get_child_count(node);
	uint32_t *kids = n_kids ? calloc(n_kids, sizeof(uint32_t)) : NULL;
	size_t k = 0;
	for (size_t i = 0; i < n_kids; i++) {
		struct tk_a11y_node *child = tk_a11y_node_get_child(node, i);
		if (child && depth < 64) {
			kids[k++] = collect(st, child, depth + 1);
		}
	}
	/* st->descs may have moved while the children were collected. */
	st->descs[index].children = kids;
	st->descs[index].n_children = k;
	return id;
}

static void publish(struct bus_window *bw) {
	struct publish_state st = {.bw = bw};
	uint32_t root = collect(&st, tk_window_get_a11y(bw->win), 0);
	a11y_provider_publish(bw->provider, st.descs, st.n, root, st.focus);
	for (size_t i = 0; i < st.n; i++) {
		free((void *)st.descs[i].children);
		free((void *)st.descs[i].actions);
	}
	free(st.descs);
	/* The ids of this tree, for the next publish and for actions. */
	free(bw->ids);
	bw->ids = st.ids;
	bw->n_ids = st.n;
	if (bw->n_ids > 1) {
		qsort(bw->ids, bw->n_ids, sizeof(*bw->ids), cmp_ptr);
	}
}

static struct bus_window *find_window(struct tk_a11y_bus *bus, struct tk_window *win) {
	struct bus_window *bw;
	wl_list_for_each(bw, &bus->windows, link) {
		if (bw->win == win) {
			return bw;
		}
	}
	return NULL;
}

static void handle_connected(struct a11y_client *client, void *data) {
	struct tk_a11y_bus *bus = data;
	struct bus_window *bw;
	wl_list_for_each(bw, &bus->windows, link) {
		if (bw->win->configured) {
			publish(bw);
		}
	}
}

static bool do_named(struct tk_a11y_node *node, const char *name) {
	return tk_a11y_node_do_action(node, name);
}

static uint32_t handle_action(struct a11y_provider *provider,
		const struct a11y_action_request *req, void *data) {
	struct bus_window *bw = a11y_provider_get_user(provider);
	struct tk_a11y_node *node = NULL;
	for (size_t i = 0; i < bw->n_ids; i++) {
		if (bw->ids[i].id == req->node) {
			node = (struct tk_a11y_node *)bw->ids[i].node;
			break;
		}
	}
	if (!node) {
		return LUMEN_A11Y_PROVIDER_V1_ACTION_RESULT_GONE;
	}
	bool done = false;
	switch (req->kind) {
	case LUMEN_A11Y_PROVIDER_V1_ACTION_KIND_NAMED:
		done = do_named(node, req->name);
		break;
	case LUMEN_A11Y_PROVIDER_V1_ACTION_KIND_ACTIVATE:
		/* The node's first action is its default one (press, toggle, activate). */
		if (tk_a11y_node_get_action_count(node) > 0) {
			done = do_named(node, tk_a11y_node_get_action_name(node, 0));
		}
		break;
	case LUMEN_A11Y_PROVIDER_V1_ACTION_KIND_FOCUS:
	case LUMEN_A11Y_PROVIDER_V1_ACTION_KIND_SCROLL_INTO_VIEW:
		done = do_named(node, "focus");
		break;
	case LUMEN_A11Y_PROVIDER_V1_ACTION_KIND_SET_VALUE: {
		/* The toolkit moves values in steps, as keys do: step toward the target. */
		double v, min, max;
		if (!req->has_value || !tk_a11y_node_get_value(node, &v, &min, &max)) {
			return LUMEN_A11Y_PROVIDER_V1_ACTION_RESULT_UNSUPPORTED;
		}
		for (int i = 0; i < 10000 && v != req->value; i++) {
			double before = v;
			if (!do_named(node, req->value > v ? "increment" : "decrement") ||
					!tk_a11y_node_get_value(node, &v, &min, &max) || v == before ||
					(req->value > before) != (req->value > v)) {
				break;
			}
		}
		done = true;
		break;
	}
	case LUMEN_A11Y_PROVIDER_V1_ACTION_KIND_SET_SELECTION:
		if (!tk_a11y_node_get_text(node, NULL, NULL, NULL, NULL)) {
			return LUMEN_A11Y_PROVIDER_V1_ACTION_RESULT_UNSUPPORTED;
		}
		done = req->start >= 0 && req->end >= 0 &&
			tk_a11y_node_set_selection(node, (size_t)req->start, (size_t)req->end);
		break;
	default:
		return LUMEN_A11Y_PROVIDER_V1_ACTION_RESULT_UNSUPPORTED;
	}
	return done ? LUMEN_A11Y_PROVIDER_V1_ACTION_RESULT_DONE
		: LUMEN_A11Y_PROVIDER_V1_ACTION_RESULT_FAILED;
}

static const struct a11y_client_listener client_listener = {
	.connected = handle_connected,
	.action = handle_action,
};

static void watch_connection(struct tk_a11y_bus *bus);

static void handle_retry(void *data) {
	struct tk_a11y_bus *bus = data;
	bus->retry = NULL;
	a11y_client_reconnect(bus->client);
	watch_connection(bus);
}

static void handle_readable(int fd, short revents, void *data) {
	struct tk_a11y_bus *bus = data;
	if (!a11y_client_dispatch(bus->client)) {
		tk_fd_watch_remove(bus->watch);
		bus->watch = NULL;
		watch_connection(bus);
	}
}

/* Watches the connection, or tries again later without one. */
static void watch_connection(struct tk_a11y_bus *bus) {
	int fd = a11y_client_get_fd(bus->client);
	if (fd >= 0 && !bus->watch) {
		bus->watch = tk_fd_watch_add(bus->app, fd, POLLIN, handle_readable, bus);
	} else if (fd < 0 && !bus->retry) {
		bus->retry = tk_timer_add(bus->app, RETRY_MS, handle_retry, bus);
	}
}

void tk_a11y_bus_init(struct tk_app *app) {
	const char *off = getenv("LUMEN_A11Y");
	if (off && strcmp(off, "0") == 0) {
		return;
	}
	struct tk_a11y_bus *bus = calloc(1, sizeof(*bus));
	if (!bus) {
		return;
	}
	bus->app = app;
	wl_list_init(&bus->windows);
	bus->client = a11y_client_create(NULL, false, &client_listener, bus);
	if (!bus->client) {
		free(bus);
		return;
	}
	app->a11y_bus = bus;
	watch_connection(bus);
}

void tk_a11y_bus_finish(struct tk_app *app) {
	struct tk_a11y_bus *bus = app->a11y_bus;
	if (!bus) {
		return;
	}
	struct bus_window *bw, *tmp;
	wl_list_for_each_safe(bw, tmp, &bus->windows, link) {
		tk_a11y_bus_window_destroyed(bw->win);
	}
	tk_fd_watch_remove(bus->watch);
	tk_timer_cancel(bus->retry);
	a11y_client_destroy(bus->client);
	free(bus);
	app->a11y_bus = NULL;
}

void tk_a11y_bus_window_created(struct tk_window *win, const char *app_id) {
	struct tk_a11y_bus *bus = win->app ? win->app->a11y_bus : NULL;
	if (!bus) {
		return;
	}
	struct bus_window *bw = calloc(1, sizeof(*bw));
	if (!bw) {
		return;
	}
	bw->win = win;
	bw->provider = a11y_provider_create(bus->client, app_id ? app_id : "", bw);
	if (!bw->provider) {
		free(bw);
		return;
	}
	wl_list_insert(bus->windows.prev, &bw->link);
}

void tk_a11y_bus_window_changed(struct tk_window *win) {
	while (win->parent) {
		win = win->parent; // a popup's tree is its toplevel's
	}
	struct tk_a11y_bus *bus = win->app ? win->app->a11y_bus : NULL;
	struct bus_window *bw = bus ? find_window(bus, win) : NULL;
	if (bw) {
		publish(bw);
	}
}

void tk_a11y_bus_window_destroyed(struct tk_window *win) {
	struct tk_a11y_bus *bus = win->app ? win->app->a11y_bus : NULL;
	struct bus_window *bw = bus ? find_window(bus, win) : NULL;
	if (!bw) {
		return;
	}
	wl_list_remove(&bw->link);
	a11y_provider_destroy(bw->provider);
	free(bw->ids);
	free(bw);
}
