/*
 * lumen-a11yd in-process: the server runs on its event loop in this thread and
 * libwayland clients (providers, consumers, a window manager) talk to it over
 * socketpairs; pump() turns both sides by turns. Each client writes the events it gets
 * as text lines, and the checks read them: what an assistive technology would hear.
 * TAP output.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wayland-client.h>
#include "a11y/server.h"
#include "common/log.h"
#include "lumen-a11y-v1-client-protocol.h"

#define P(x) LUMEN_A11Y_PROVIDER_V1_##x
#define LOG_MAX 65536

static int test_no, failures;

static bool ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool ok(bool cond, const char *fmt, ...) {
	va_list args;
	va_start(args, fmt);
	test_no++;
	printf("%sok %d - ", cond ? "" : "not ", test_no);
	vprintf(fmt, args);
	printf("\n");
	fflush(stdout);
	va_end(args);
	if (!cond) {
		failures++;
	}
	return cond;
}

static struct a11y_server *server;

struct t_client {
	struct wl_display *display;
	struct wl_registry *registry;
	struct lumen_a11y_v1 *bus;
	char log[LOG_MAX];
	size_t log_len;
	int n_announcements, n_actions;
	uint32_t last_action_serial, last_action_node, last_action_kind;
};

#define MAX_CLIENTS 16
static struct t_client *clients[MAX_CLIENTS];

static void logf_(struct t_client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(struct t_client *c, const char *fmt, ...) {
	va_list args;
	va_start(args, fmt);
	if (c->log_len < LOG_MAX - 1) {
		int n = vsnprintf(c->log + c->log_len, LOG_MAX - c->log_len, fmt, args);
		if (n > 0) {
			c->log_len += (size_t)n;
			if (c->log_len >= LOG_MAX) {
				c->log_len = LOG_MAX - 1;
			}
		}
	}
	va_end(args);
}

static void clear_log(struct t_client *c) {
	c->log_len = 0;
	c->log[0] = '\0';
}

static bool has(struct t_client *c, const char *s) {
	return strstr(c->log, s) != NULL;
}

static bool dead(struct t_client *c) {
	return wl_display_get_error(c->display) != 0;
}

static uint32_t error_code(struct t_client *c) {
	const struct wl_interface *iface;
	uint32_t id;
	if (wl_display_get_error(c->display) != EPROTO) {
		return UINT32_MAX;
	}
	return wl_display_get_protocol_error(c->display, &iface, &id);
}

static void pump(void) {
	struct wl_event_loop *loop = a11y_server_get_event_loop(server);
	for (int round = 0; round < 6; round++) {
		for (int i = 0; i < MAX_CLIENTS; i++) {
			if (clients[i] && !dead(clients[i])) {
				wl_display_flush(clients[i]->display);
			}
		}
		wl_event_loop_dispatch(loop, 0);
		wl_display_flush_clients(a11y_server_get_display(server));
		for (int i = 0; i < MAX_CLIENTS; i++) {
			struct t_client *c = clients[i];
			if (!c || dead(c)) {
				continue;
			}
			while (wl_display_prepare_read(c->display) != 0) {
				wl_display_dispatch_pending(c->display);
			}
			struct pollfd pfd = {.fd = wl_display_get_fd(c->display), .events = POLLIN};
			if (poll(&pfd, 1, 0) > 0) {
				wl_display_read_events(c->display);
			} else {
				wl_display_cancel_read(c->display);
			}
			wl_display_dispatch_pending(c->display);
		}
	}
}

static void registry_global(void *data, struct wl_registry *registry, uint32_t name,
		const char *interface, uint32_t version) {
	struct t_client *c = data;
	if (strcmp(interface, lumen_a11y_v1_interface.name) == 0) {
		c->bus = wl_registry_bind(registry, name, &lumen_a11y_v1_interface,
			version < 2 ? version : 2);
	}
}
static void registry_remove(void *data, struct wl_registry *r, uint32_t name) {
}
static const struct wl_registry_listener registry_listener = {registry_global,
	registry_remove};

static struct t_client *client_new(bool trusted) {
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		abort();
	}
	if (!a11y_server_add_client(server, sv[0], trusted)) {
		abort();
	}
	struct t_client *c = calloc(1, sizeof(*c));
	c->display = wl_display_connect_to_fd(sv[1]);
	c->registry = wl_display_get_registry(c->display);
	wl_registry_add_listener(c->registry, &registry_listener, c);
	for (int i = 0; i < MAX_CLIENTS; i++) {
		if (!clients[i]) {
			clients[i] = c;
			break;
		}
	}
	pump();
	if (!c->bus) {
		abort();
	}
	return c;
}

static void client_free(struct t_client *c) {
	for (int i = 0; i < MAX_CLIENTS; i++) {
		if (clients[i] == c) {
			clients[i] = NULL;
		}
	}
	/* Proxies other than these are leaked on purpose only if the test forgot them:
	 * wl_display_disconnect frees the display; objects must be destroyed first. */
	lumen_a11y_v1_destroy(c->bus);
	wl_registry_destroy(c->registry);
	wl_display_disconnect(c->display);
	free(c);
	pump();
}

/* ---- providers ---- */

static void provider_action(void *data, struct lumen_a11y_provider_v1 *p, uint32_t serial,
		uint32_t node, uint32_t kind, const char *name, struct wl_array *value, int32_t start,
		int32_t end) {
	struct t_client *c = data;
	c->n_actions++;
	c->last_action_serial = serial;
	c->last_action_node = node;
	c->last_action_kind = kind;
	double v = 0;
	if (value->size == sizeof(double)) {
		memcpy(&v, value->data, sizeof(v));
	}
	logf_(c, "action node=%u kind=%u name=%s value=%g start=%d end=%d\n", node, kind, name, v,
		start, end);
}
static const struct lumen_a11y_provider_v1_listener provider_listener = {provider_action};

static struct lumen_a11y_provider_v1 *provider_new(struct t_client *c, const char *app_id) {
	struct lumen_a11y_provider_v1 *p = lumen_a11y_v1_create_provider(c->bus, app_id);
	lumen_a11y_provider_v1_add_listener(p, &provider_listener, c);
	return p;
}

static void node(struct lumen_a11y_provider_v1 *p, uint32_t id, uint32_t role, uint32_t states,
		const char *name, int n_children, ...) {
	lumen_a11y_provider_v1_node(p, id, role, states, name, "");
	lumen_a11y_provider_v1_node_bounds(p, id, (int32_t)id * 10, 5, 100, 20);
	if (n_children > 0) {
		uint32_t kids[64];
		va_list args;
		va_start(args, n_children);
		for (int i = 0; i < n_children && i < 64; i++) {
			kids[i] = va_arg(args, uint32_t);
		}
		va_end(args);
		struct wl_array a = {.size = (size_t)n_children * 4, .alloc = (size_t)n_children * 4,
			.data = kids};
		lumen_a11y_provider_v1_node_children(p, id, &a);
	}
}

static void value(struct lumen_a11y_provider_v1 *p, uint32_t id, double v, double min,
		double max) {
	double d[3] = {v, min, max};
	struct wl_array a = {.size = sizeof(d), .alloc = sizeof(d), .data = d};
	lumen_a11y_provider_v1_node_value(p, id, &a);
}

/* The gallery-like tree: frame 1 { button 2 "OK", entry 3 "Name" = "Ada", password 4
 * "Password" (with text a buggy provider sent), slider 5 "Volume" 50 } */
static void publish_form(struct lumen_a11y_provider_v1 *p, uint32_t focus) {
	lumen_a11y_provider_v1_reset(p);
	node(p, 1, P(ROLE_FRAME), 0, "Form", 4, 2u, 3u, 4u, 5u);
	node(p, 2, P(ROLE_PUSH_BUTTON), P(STATE_FOCUSABLE), "OK", 0);
	lumen_a11y_provider_v1_node_action(p, 2, "press");
	node(p, 3, P(ROLE_ENTRY), P(STATE_FOCUSABLE) | P(STATE_EDITABLE), "Name", 0);
	lumen_a11y_provider_v1_node_text(p, 3, "Ada", 3, 0, 0);
	node(p, 4, P(ROLE_PASSWORD_TEXT), P(STATE_FOCUSABLE) | P(STATE_PASSWORD), "Password", 0);
	lumen_a11y_provider_v1_node_text(p, 4, "hunter2", 7, 0, 0);
	node(p, 5, P(ROLE_SLIDER), P(STATE_FOCUSABLE), "Volume", 0);
	value(p, 5, 50, 0, 100);
	lumen_a11y_provider_v1_commit(p, 1, focus);
}

/* ---- consumers ---- */

static void c_tree(void *data, struct lumen_a11y_consumer_v1 *p, uint32_t serial, uint32_t tree,
		int32_t pid, const char *app_id, uint32_t window) {
	logf_(data, "tree serial=%u tree=%u app=%s window=%u\n", serial, tree, app_id, window);
}
static void c_trees_done(void *data, struct lumen_a11y_consumer_v1 *p, uint32_t serial) {
	logf_(data, "trees_done %u\n", serial);
}
static void c_tree_removed(void *data, struct lumen_a11y_consumer_v1 *p, uint32_t tree) {
	logf_(data, "tree_removed %u\n", tree);
}
static void c_node(void *data, struct lumen_a11y_consumer_v1 *p, uint32_t serial, uint32_t id,
		uint32_t parent, uint32_t role, uint32_t states, const char *name, const char *desc) {
	logf_(data, "node %u parent=%u role=%u name=%s\n", id, parent, role, name);
}
static void c_bounds(void *data, struct lumen_a11y_consumer_v1 *p, uint32_t serial, uint32_t id,
		int32_t x, int32_t y, int32_t w, int32_t h) {
	logf_(data, "bounds %u %d,%d %dx%d\n", id, x, y, w, h);
}
static void c_value(void *data, struct lumen_a11y_consumer_v1 *p, uint32_t serial, uint32_t id,
		struct wl_array *value) {
	double d[3] = {0};
	if (value->size == sizeof(d)) {
		memcpy(d, value->data, sizeof(d));
	}
	logf_(data, "value %u %g [%g..%g]\n", id, d[0], d[1], d[2]);
}
static void c_text(void *data, struct lumen_a11y_consumer_v1 *p, uint32_t serial, uint32_t id,
		const char *text, uint32_t caret, uint32_t s, uint32_t e) {
	logf_(data, "text %u \"%s\" caret=%u\n", id, text, caret);
}
static void c_action(void *data, struct lumen_a11y_consumer_v1 *p, uint32_t serial, uint32_t id,
		const char *name) {
	logf_(data, "node_action %u %s\n", id, name);
}
static void c_done(void *data, struct lumen_a11y_consumer_v1 *p, uint32_t serial, uint32_t tree,
		uint32_t root, uint32_t focus) {
	logf_(data, "tree_done serial=%u tree=%u root=%u focus=%u\n", serial, tree, root, focus);
}
static void c_failed(void *data, struct lumen_a11y_consumer_v1 *p, uint32_t serial,
		uint32_t error) {
	logf_(data, "read_failed %u\n", serial);
}
static void c_focus(void *data, struct lumen_a11y_consumer_v1 *p, uint32_t tree, uint32_t node,
		uint32_t role, uint32_t states, const char *name, const char *desc, const char *value) {
	logf_(data, "focus tree=%u node=%u role=%u name=%s value=%s\n", tree, node, role, name,
		value);
}
static void c_changed(void *data, struct lumen_a11y_consumer_v1 *p, uint32_t tree, uint32_t node,
		uint32_t what, uint32_t role, uint32_t states, const char *name, const char *value,
		int32_t caret, int32_t s, int32_t e) {
	logf_(data, "changed tree=%u node=%u what=%u name=%s value=%s\n", tree, node, what, name,
		value);
}
static void c_window(void *data, struct lumen_a11y_consumer_v1 *p, uint32_t window,
		uint32_t change, uint32_t tree, const char *title, const char *app_id) {
	logf_(data, "window %u change=%u tree=%u title=%s\n", window, change, tree, title);
}
static void c_announcement(void *data, struct lumen_a11y_consumer_v1 *p, uint32_t tree,
		const char *text, uint32_t politeness) {
	struct t_client *c = data;
	c->n_announcements++;
	logf_(data, "announce %s\n", text);
}
static void c_result(void *data, struct lumen_a11y_consumer_v1 *p, uint32_t serial,
		uint32_t result) {
	logf_(data, "action_result %u %u\n", serial, result);
}
static const struct lumen_a11y_consumer_v1_listener consumer_listener = {
	.tree = c_tree,
	.trees_done = c_trees_done,
	.tree_removed = c_tree_removed,
	.tree_node = c_node,
	.tree_node_bounds = c_bounds,
	.tree_node_value = c_value,
	.tree_node_text = c_text,
	.tree_node_action = c_action,
	.tree_done = c_done,
	.read_failed = c_failed,
	.focus = c_focus,
	.changed = c_changed,
	.window = c_window,
	.announcement = c_announcement,
	.action_result = c_result,
};

static struct lumen_a11y_consumer_v1 *consumer_new(struct t_client *c) {
	struct lumen_a11y_consumer_v1 *p = lumen_a11y_v1_create_consumer(c->bus);
	lumen_a11y_consumer_v1_add_listener(p, &consumer_listener, c);
	lumen_a11y_consumer_v1_subscribe(p, 0x1f);
	pump();
	return p;
}

/* The tree id that the consumer's log names for app_id (0: none). */
static uint32_t tree_of(struct t_client *c, const char *app_id) {
	char pat[128];
	snprintf(pat, sizeof(pat), " app=%s ", app_id);
	const char *s = c->log, *hit = NULL;
	while ((s = strstr(s, pat))) {
		hit = s;
		s++;
	}
	if (!hit) {
		return 0;
	}
	while (hit > c->log && strncmp(hit, "tree=", 5) != 0) {
		hit--;
	}
	return (uint32_t)strtoul(hit + 5, NULL, 10);
}

/* ---- tests ---- */

static void test_trees_and_password(void) {
	struct t_client *app = client_new(false);
	struct t_client *at = client_new(true);
	struct lumen_a11y_consumer_v1 *consumer = consumer_new(at);
	struct lumen_a11y_provider_v1 *p = provider_new(app, "form");
	publish_form(p, 0);
	pump();
	lumen_a11y_consumer_v1_list_trees(consumer, 7);
	pump();
	uint32_t tree = tree_of(at, "form");
	ok(tree != 0 && has(at, "trees_done 7"), "a consumer lists the provider's tree");
	clear_log(at);
	lumen_a11y_consumer_v1_read_tree(consumer, 8, tree);
	pump();
	ok(has(at, "node 1 parent=0 role=23 name=Form") && has(at, "node 2 parent=1 role=43 name=OK") &&
			has(at, "node_action 2 press") && has(at, "tree_done serial=8"),
		"the whole tree is read in one request (roles, names, parents, actions)");
	ok(strstr(at->log, "node 1 ") < strstr(at->log, "node 5 "),
		"parents come before children, children in order");
	ok(has(at, "text 3 \"Ada\" caret=3") && has(at, "value 5 50 [0..100]"),
		"text with caret, and value with range");
	ok(has(at, "node 4 parent=1 role=40 name=Password") && !has(at, "hunter2") &&
			!has(at, "text 4"),
		"a password node's text is dropped by the bus (defence in depth)");
	clear_log(at);
	lumen_a11y_provider_v1_commit(p, 1, 4);
	pump();
	ok(has(at, "focus tree=") && has(at, "node=4 role=40 name=Password value=\n") &&
			!has(at, "hunter2"),
		"focus on the password entry names it, never its text");
	clear_log(at);
	lumen_a11y_consumer_v1_read_tree(consumer, 9, 999);
	pump();
	ok(has(at, "read_failed 9"), "reading a tree that does not exist fails softly");
	lumen_a11y_consumer_v1_destroy(consumer);
	lumen_a11y_provider_v1_destroy(p);
	client_free(app);
	client_free(at);
}

static void test_atomic_focus_changes(void) {
	struct t_client *app = client_new(false);
	struct t_client *at = client_new(true);
	struct lumen_a11y_consumer_v1 *consumer = consumer_new(at);
	struct lumen_a11y_provider_v1 *p = provider_new(app, "atomic");
	publish_form(p, 2);
	pump();
	uint32_t tree = tree_of(at, "atomic");
	ok(has(at, "node=2 role=43 name=OK"), "the first commit tells the focused node");
	clear_log(at);
	/* Half an update: the button renamed, not yet committed. */
	node(p, 2, P(ROLE_PUSH_BUTTON), P(STATE_FOCUSABLE), "Apply", 0);
	node(p, 5, P(ROLE_SLIDER), P(STATE_FOCUSABLE), "Volume", 0);
	value(p, 5, 60, 0, 100);
	pump();
	lumen_a11y_consumer_v1_read_tree(consumer, 1, tree);
	pump();
	ok(has(at, "name=OK") && !has(at, "Apply") && !has(at, "changed"),
		"an update is not seen before its commit");
	clear_log(at);
	lumen_a11y_provider_v1_commit(p, 1, 5);
	pump();
	ok(has(at, "changed tree=") && has(at, "node=2 what=1 name=Apply"),
		"a name change is an event");
	ok(has(at, "node=5 what=2 name=Volume value=60"), "a value change is an event");
	ok(has(at, "focus tree=") && has(at, "node=5 role=51 name=Volume value=60"),
		"focus moves to the slider with its value");
	clear_log(at);
	lumen_a11y_consumer_v1_read_tree(consumer, 2, tree);
	pump();
	ok(has(at, "name=Apply") && has(at, "text 3 \"Ada\"") && has(at, "tree_done serial=2 tree=") &&
			has(at, "focus=5"),
		"nodes the update left alone are kept; the focus is read with the tree");
	/* Removing a node from its parent drops it; remove_node drops it too. */
	clear_log(at);
	node(p, 1, P(ROLE_FRAME), 0, "Form", 2, 2u, 5u);
	lumen_a11y_provider_v1_remove_node(p, 4);
	lumen_a11y_provider_v1_commit(p, 1, 5);
	lumen_a11y_consumer_v1_read_tree(consumer, 3, tree);
	pump();
	ok(!has(at, "node 3 ") && !has(at, "node 4 ") && has(at, "node 5 "),
		"nodes the root no longer reaches are dropped");
	ok(!dead(app) && !dead(at), "nobody was disconnected");
	lumen_a11y_consumer_v1_destroy(consumer);
	lumen_a11y_provider_v1_destroy(p);
	client_free(app);
	client_free(at);
}

static void test_actions(void) {
	struct t_client *app = client_new(false);
	struct t_client *at = client_new(true);
	struct lumen_a11y_consumer_v1 *consumer = consumer_new(at);
	struct lumen_a11y_provider_v1 *p = provider_new(app, "actions");
	publish_form(p, 0);
	pump();
	uint32_t tree = tree_of(at, "actions");
	struct wl_array none = {0};
	lumen_a11y_consumer_v1_action(consumer, 41, tree, 2, P(ACTION_KIND_ACTIVATE), "", &none, 0,
		0);
	pump();
	ok(app->n_actions == 1 && has(app, "action node=2 kind=1"),
		"an activate request reaches the provider");
	lumen_a11y_provider_v1_action_done(p, app->last_action_serial, P(ACTION_RESULT_DONE));
	pump();
	ok(has(at, "action_result 41 0"), "the provider's answer reaches the consumer");
	double v = 75;
	struct wl_array value = {.size = sizeof(v), .alloc = sizeof(v), .data = &v};
	lumen_a11y_consumer_v1_action(consumer, 42, tree, 5, P(ACTION_KIND_SET_VALUE), "", &value,
		0, 0);
	lumen_a11y_consumer_v1_action(consumer, 43, tree, 3, P(ACTION_KIND_SET_SELECTION), "", &none,
		1, 2);
	lumen_a11y_consumer_v1_action(consumer, 44, tree, 2, P(ACTION_KIND_NAMED), "press", &none, 0,
		0);
	lumen_a11y_consumer_v1_action(consumer, 45, tree, 77, P(ACTION_KIND_FOCUS), "", &none, 0, 0);
	pump();
	ok(has(app, "action node=5 kind=3 name= value=75") &&
			has(app, "action node=3 kind=4 name= value=0 start=1 end=2") &&
			has(app, "action node=2 kind=0 name=press"),
		"set value, set selection and named actions are routed with their arguments");
	ok(has(at, "action_result 45 4"), "an action on a node that does not exist is gone");
	/* The provider leaves with actions unanswered. */
	lumen_a11y_provider_v1_destroy(p);
	pump();
	ok(has(at, "action_result 42 4") && has(at, "action_result 43 4") &&
			has(at, "action_result 44 4") && has(at, "tree_removed"),
		"actions waiting on a provider that leaves are answered gone");
	lumen_a11y_consumer_v1_destroy(consumer);
	client_free(app);
	client_free(at);
}

static void test_trust(void) {
	struct t_client *app = client_new(false);
	struct lumen_a11y_consumer_v1 *consumer = lumen_a11y_v1_create_consumer(app->bus);
	pump();
	ok(dead(app) && error_code(app) == LUMEN_A11Y_V1_ERROR_NOT_TRUSTED,
		"an untrusted client may not become a consumer");
	lumen_a11y_consumer_v1_destroy(consumer);
	client_free(app);
	app = client_new(false);
	struct lumen_a11y_wm_v1 *wm = lumen_a11y_v1_create_window_manager(app->bus);
	pump();
	ok(dead(app) && error_code(app) == LUMEN_A11Y_V1_ERROR_NOT_TRUSTED,
		"an untrusted client may not say which window is whose");
	lumen_a11y_wm_v1_destroy(wm);
	client_free(app);
	struct t_client *at = client_new(true);
	consumer = consumer_new(at);
	ok(!dead(at), "a trusted client may");
	lumen_a11y_consumer_v1_destroy(consumer);
	client_free(at);
}

/* A fresh provider client that sends something bad; the bystander must be unharmed. */
struct bad_case {
	const char *what;
	uint32_t code;
};

static void expect_error(struct t_client *bad, struct t_client *bystander,
		struct lumen_a11y_consumer_v1 *consumer, const char *what, uint32_t code) {
	pump();
	ok(dead(bad) && error_code(bad) == code, "%s: error %u (got %u)", what, code,
		error_code(bad));
	clear_log(bystander);
	lumen_a11y_consumer_v1_list_trees(consumer, 99);
	pump();
	ok(!dead(bystander) && has(bystander, "trees_done 99"), "%s: others are unaffected", what);
}

static void test_malformed(void) {
	struct t_client *at = client_new(true);
	struct lumen_a11y_consumer_v1 *consumer = consumer_new(at);
	struct t_client *bad;
	struct lumen_a11y_provider_v1 *p;

#define BAD_BEGIN() \
	bad = client_new(false); \
	p = provider_new(bad, "bad")
#define BAD_END(what, code) \
	expect_error(bad, at, consumer, what, code); \
	lumen_a11y_provider_v1_destroy(p); \
	client_free(bad)

	BAD_BEGIN();
	node(p, 1, P(ROLE_FRAME), 0, "x", 1, 9u);
	lumen_a11y_provider_v1_commit(p, 1, 0);
	BAD_END("a dangling child", P(ERROR_INVALID_TREE));

	BAD_BEGIN();
	node(p, 1, P(ROLE_FRAME), 0, "x", 1, 2u);
	node(p, 2, P(ROLE_PANEL), 0, "y", 1, 1u);
	lumen_a11y_provider_v1_commit(p, 1, 0);
	BAD_END("a cycle through the root", P(ERROR_INVALID_TREE));

	BAD_BEGIN();
	node(p, 1, P(ROLE_FRAME), 0, "x", 2, 2u, 3u);
	node(p, 2, P(ROLE_PANEL), 0, "y", 1, 3u);
	node(p, 3, P(ROLE_LABEL), 0, "z", 0);
	lumen_a11y_provider_v1_commit(p, 1, 0);
	BAD_END("a node with two parents", P(ERROR_INVALID_TREE));

	BAD_BEGIN();
	node(p, 1, P(ROLE_FRAME), 0, "x", 0);
	lumen_a11y_provider_v1_commit(p, 1, 5);
	BAD_END("a focus outside the tree", P(ERROR_INVALID_TREE));

	BAD_BEGIN();
	lumen_a11y_provider_v1_node_bounds(p, 3, 0, 0, 1, 1);
	BAD_END("an attribute of an undescribed node", P(ERROR_INVALID_NODE));

	BAD_BEGIN();
	node(p, 0, P(ROLE_FRAME), 0, "x", 0);
	BAD_END("node id 0", P(ERROR_INVALID_NODE));

	BAD_BEGIN();
	node(p, 1, P(ROLE_FRAME), 0, "x", 0);
	value(p, 1, 5, 10, 0);
	BAD_END("min above max", P(ERROR_INVALID_VALUE));

	BAD_BEGIN();
	node(p, 1, P(ROLE_FRAME), 0, "x", 0);
	{
		char three[3] = {0};
		struct wl_array a = {.size = 3, .alloc = 3, .data = three};
		lumen_a11y_provider_v1_node_children(p, 1, &a);
	}
	BAD_END("children of 3 bytes", P(ERROR_INVALID_VALUE));

	BAD_BEGIN();
	node(p, 1, P(ROLE_ENTRY), 0, "x", 0);
	lumen_a11y_provider_v1_node_text(p, 1, "abc", 9, 0, 0);
	BAD_END("a caret past the text", P(ERROR_INVALID_VALUE));

	BAD_BEGIN();
	node(p, 1, P(ROLE_FRAME), 0, "bad \xff\xfe utf-8", 0);
	BAD_END("a name that is not UTF-8", P(ERROR_INVALID_STRING));

	BAD_BEGIN();
	lumen_a11y_provider_v1_action_done(p, 1234, 0);
	BAD_END("an answer to no action", P(ERROR_INVALID_SERIAL));

	BAD_BEGIN();
	node(p, 1, P(ROLE_FRAME), 0, "x", 0);
	lumen_a11y_provider_v1_commit(p, 0, 0);
	BAD_END("root 0 with nodes", P(ERROR_INVALID_TREE));

	/* A huge tree: the bus stops it before it holds more than its bound. */
	BAD_BEGIN();
	for (uint32_t id = 1; id <= 40000 && !dead(bad); id++) {
		lumen_a11y_provider_v1_node(p, id, P(ROLE_LABEL), 0, "n", "");
		if (id % 64 == 0) {
			pump();
		}
	}
	BAD_END("a tree of 40000 nodes", P(ERROR_TOO_LARGE));

	lumen_a11y_consumer_v1_destroy(consumer);
	client_free(at);
}

static void test_flood(void) {
	struct t_client *app = client_new(false);
	struct t_client *at = client_new(true);
	struct lumen_a11y_consumer_v1 *consumer = consumer_new(at);
	struct lumen_a11y_provider_v1 *p = provider_new(app, "flood");
	publish_form(p, 2);
	pump();
	clear_log(at);
	for (int i = 0; i < 2000; i++) {
		lumen_a11y_provider_v1_announce(p, "spam", 0);
		if (i % 50 == 0) {
			pump();
		}
	}
	pump();
	ok(at->n_announcements >= 16 && at->n_announcements < 100,
		"2000 announcements are cut to a burst (%d told)", at->n_announcements);
	/* Many commits in one go: consumers hear the last focus, not each. */
	clear_log(at);
	for (int i = 0; i < 200; i++) {
		lumen_a11y_provider_v1_commit(p, 1, i % 2 ? 2 : 3);
	}
	lumen_a11y_provider_v1_commit(p, 1, 5);
	pump();
	int focus_events = 0;
	for (const char *s = at->log; (s = strstr(s, "focus tree=")); s++) {
		focus_events++;
	}
	ok(focus_events >= 1 && focus_events < 50 && has(at, "node=5 role=51"),
		"201 focus moves in one burst are coalesced (%d told), the last one kept",
		focus_events);
	ok(!dead(at) && !dead(app), "the consumer stays connected");
	lumen_a11y_consumer_v1_destroy(consumer);
	lumen_a11y_provider_v1_destroy(p);
	client_free(app);
	client_free(at);
}

static void test_windows(void) {
	struct t_client *app = client_new(false);
	struct t_client *other = client_new(false);
	struct t_client *comp = client_new(true);
	struct t_client *at = client_new(true);
	struct lumen_a11y_consumer_v1 *consumer = consumer_new(at);
	struct lumen_a11y_wm_v1 *wm = lumen_a11y_v1_create_window_manager(comp->bus);
	struct lumen_a11y_provider_v1 *ui = provider_new(comp, "lumen");
	struct lumen_a11y_provider_v1 *p = provider_new(app, "editor");
	struct lumen_a11y_provider_v1 *q = provider_new(other, "other");
	publish_form(p, 2);
	publish_form(q, 3);
	lumen_a11y_provider_v1_reset(ui);
	node(ui, 1, P(ROLE_APPLICATION), 0, "Lumen", 0);
	lumen_a11y_provider_v1_commit(ui, 1, 0);
	pump();
	ok(!has(at, "focus tree="), "with a window manager, focus outside the active window is "
		"not told");
	struct t_client *rogue = client_new(true);
	struct lumen_a11y_wm_v1 *wm2 = lumen_a11y_v1_create_window_manager(rogue->bus);
	pump();
	ok(dead(rogue) && error_code(rogue) == LUMEN_A11Y_V1_ERROR_WM_TAKEN,
		"there is one window manager");
	lumen_a11y_wm_v1_destroy(wm2);
	client_free(rogue);

	clear_log(at);
	lumen_a11y_wm_v1_window(wm, 10, getpid(), "editor", "Form", 300, 200, 640, 480);
	lumen_a11y_wm_v1_window(wm, 11, getpid(), "other", "Other", 0, 0, 640, 480);
	lumen_a11y_wm_v1_activate(wm, 10);
	pump();
	uint32_t tree = tree_of(at, "editor");
	(void)tree;
	ok(has(at, "window 10 change=0") && has(at, "window 10 change=1") &&
			has(at, "title=Form"),
		"windows opened and activated are told with their titles");
	ok(has(at, "node=2 role=43 name=OK"), "activating a window tells its focused node");
	clear_log(at);
	lumen_a11y_consumer_v1_list_trees(consumer, 5);
	pump();
	ok(has(at, "app=editor window=10") && has(at, "app=other window=11"),
		"trees are matched to their windows by process and app id");
	uint32_t editor = tree_of(at, "editor");
	clear_log(at);
	lumen_a11y_consumer_v1_read_tree(consumer, 6, editor);
	pump();
	ok(has(at, "bounds 2 320,205 100x20"), "bounds become global in a window");
	clear_log(at);
	lumen_a11y_provider_v1_commit(q, 1, 5);
	pump();
	ok(!has(at, "focus tree="), "focus moving in an inactive window is not told");
	lumen_a11y_wm_v1_activate(wm, 11);
	pump();
	ok(has(at, "window 11 change=1") && has(at, "node=5 role=51 name=Volume"),
		"switching windows tells the new window's focus");
	clear_log(at);
	/* The compositor's own UI (the switcher) takes focus, and gives it back. */
	lumen_a11y_provider_v1_reset(ui);
	node(ui, 1, P(ROLE_APPLICATION), 0, "Lumen", 1, 2u);
	node(ui, 2, P(ROLE_LIST), 0, "Switcher", 1, 3u);
	node(ui, 3, P(ROLE_LIST_ITEM), P(STATE_SELECTED), "Form", 0);
	lumen_a11y_provider_v1_commit(ui, 1, 3);
	pump();
	ok(has(at, "node=3 role=32 name=Form"), "the compositor's UI takes focus while it holds it");
	clear_log(at);
	lumen_a11y_provider_v1_commit(ui, 1, 0);
	pump();
	ok(has(at, "node=5 role=51 name=Volume"), "and focus returns to the active window after");
	clear_log(at);
	lumen_a11y_wm_v1_window(wm, 11, getpid(), "other", "Renamed", 0, 0, 640, 480);
	lumen_a11y_wm_v1_window_closed(wm, 10);
	pump();
	ok(has(at, "window 11 change=3 tree=") && has(at, "title=Renamed") &&
			has(at, "window 10 change=2"),
		"retitled and closed windows are told");
	lumen_a11y_wm_v1_window_closed(wm, 77);
	pump();
	ok(dead(comp) && error_code(comp) == LUMEN_A11Y_WM_V1_ERROR_INVALID_WINDOW,
		"closing a window that does not exist is an error");
	lumen_a11y_consumer_v1_destroy(consumer);
	lumen_a11y_wm_v1_destroy(wm);
	lumen_a11y_provider_v1_destroy(ui);
	lumen_a11y_provider_v1_destroy(p);
	lumen_a11y_provider_v1_destroy(q);
	client_free(comp);
	client_free(app);
	client_free(other);
	client_free(at);
}

/* A bridge from another stack (lumen-atspi-bridge) publishes trees for other processes:
 * trusted only; such a tree belongs to the named process's window whatever its app id. */
static void test_proxied(void) {
	struct t_client *untrusted = client_new(false);
	struct lumen_a11y_provider_v1 *bad =
		lumen_a11y_v1_create_provider_for(untrusted->bus, "atspi:app", 4242);
	pump();
	ok(dead(untrusted) && error_code(untrusted) == LUMEN_A11Y_V1_ERROR_NOT_TRUSTED,
		"an untrusted client may not publish for another process");
	lumen_a11y_provider_v1_destroy(bad);
	client_free(untrusted);

	struct t_client *bridge = client_new(true);
	struct t_client *comp = client_new(true);
	struct t_client *at = client_new(true);
	struct lumen_a11y_consumer_v1 *consumer = consumer_new(at);
	struct lumen_a11y_wm_v1 *wm = lumen_a11y_v1_create_window_manager(comp->bus);
	struct lumen_a11y_provider_v1 *p =
		lumen_a11y_v1_create_provider_for(bridge->bus, "atspi:factory", 4242);
	lumen_a11y_provider_v1_add_listener(p, &provider_listener, bridge);
	publish_form(p, 2);
	pump();
	ok(!dead(bridge), "a trusted bridge may");
	clear_log(at);
	lumen_a11y_wm_v1_window(wm, 30, 4242, "org.example.Factory", "Factory", 100, 50, 640,
		480);
	lumen_a11y_wm_v1_window(wm, 31, getpid(), "org.example.Factory", "Mine", 0, 0, 64, 48);
	lumen_a11y_wm_v1_activate(wm, 30);
	pump();
	lumen_a11y_consumer_v1_list_trees(consumer, 7);
	pump();
	ok(has(at, "app=atspi:factory window=30"),
		"the bridge's tree belongs to that process's window, not the bridge's");
	ok(has(at, "node=2 role=43 name=OK"), "its focus is told when the window is active");
	clear_log(at);
	struct lumen_a11y_provider_v1 *q =
		lumen_a11y_v1_create_provider_for(bridge->bus, "atspi:zero", 0);
	pump();
	ok(dead(bridge) && error_code(bridge) == LUMEN_A11Y_V1_ERROR_INVALID_PID,
		"pid 0 is refused");
	lumen_a11y_provider_v1_destroy(q);
	lumen_a11y_provider_v1_destroy(p);
	lumen_a11y_wm_v1_destroy(wm);
	lumen_a11y_consumer_v1_destroy(consumer);
	client_free(bridge);
	client_free(comp);
	client_free(at);
}

/* A list of children longer than one message holds comes in parts, joined in order. */
static void test_long_children(void) {
	struct t_client *app = client_new(false);
	struct t_client *at = client_new(true);
	struct lumen_a11y_consumer_v1 *consumer = consumer_new(at);
	struct lumen_a11y_provider_v1 *p = provider_new(app, "long");
	enum { N = 400 };
	uint32_t kids[N];
	lumen_a11y_provider_v1_reset(p);
	lumen_a11y_provider_v1_node(p, 1, P(ROLE_LIST), 0, "List", "");
	for (uint32_t i = 0; i < N; i++) {
		kids[i] = i + 2;
		lumen_a11y_provider_v1_node(p, i + 2, P(ROLE_LIST_ITEM), 0, "", "");
		if (i % 64 == 63) {
			pump();
		}
	}
	for (int part = 0; part < 2; part++) {
		struct wl_array a = {.size = N / 2 * 4, .alloc = N / 2 * 4, .data = kids + part * N / 2};
		lumen_a11y_provider_v1_node_children(p, 1, &a);
		pump();
	}
	lumen_a11y_provider_v1_commit(p, 1, N + 1);
	pump();
	lumen_a11y_consumer_v1_list_trees(consumer, 8);
	pump();
	uint32_t tree = tree_of(at, "long");
	clear_log(at);
	lumen_a11y_consumer_v1_read_tree(consumer, 10, tree);
	for (int i = 0; i < 20 && !has(at, "tree_done serial=10"); i++) {
		pump();
	}
	char last[64];
	snprintf(last, sizeof(last), "node %d parent=1 ", N + 1);
	ok(!dead(app) && has(at, "node 2 parent=1 ") && has(at, "node 202 parent=1 ") &&
			has(at, last) && has(at, "tree_done serial=10"),
		"children sent in two parts are joined (%d children)", N);
	lumen_a11y_provider_v1_destroy(p);
	lumen_a11y_consumer_v1_destroy(consumer);
	client_free(app);
	client_free(at);
}

static void test_config(void) {
	char path[] = "/tmp/a11y-conf-XXXXXX";
	int fd = mkstemp(path);
	const char text[] = "# trusted programs\ntrusted = /usr/bin/orca\nbogus\nother = 1\n"
		"trusted=relative\n  trusted   =   /opt/reader  \n";
	ok(fd >= 0 && write(fd, text, sizeof(text) - 1) == (ssize_t)sizeof(text) - 1,
		"config written");
	close(fd);
	char **exes = NULL;
	size_t n = 0;
	bool loaded = a11y_config_load(path, &exes, &n);
	ok(loaded && n == 2 && strcmp(exes[0], "/usr/bin/orca") == 0 &&
			strcmp(exes[1], "/opt/reader") == 0,
		"the config names trusted programs; bad lines are skipped");
	for (size_t i = 0; i < n; i++) {
		free(exes[i]);
	}
	free(exes);
	unlink(path);
	exes = NULL;
	n = 0;
	ok(a11y_config_load("/nonexistent/a11y.conf", &exes, &n) && n == 0,
		"a missing config is fine");
}

int main(void) {
	lumen_log_init(LUMEN_SILENT);
	lumen_log_route_wayland_server();
	struct a11y_server_options options = {.no_socket = true};
	server = a11y_server_create(&options);
	if (!server) {
		printf("Bail out! cannot create the server\n");
		return 1;
	}
	test_trees_and_password();
	test_atomic_focus_changes();
	test_actions();
	test_trust();
	test_malformed();
	test_flood();
	test_windows();
	test_proxied();
	test_long_children();
	test_config();
	a11y_server_destroy(server);
	printf("1..%d\n", test_no);
	return failures ? 1 : 0;
}
