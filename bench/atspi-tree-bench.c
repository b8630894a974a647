/*
 * bench-atspi's tree reader: the cost of reading one application's whole accessible
 * tree, both ways, RUNS times each, printed as min / p50 / max in ms with the node count.
 *
 *   atspi-tree-bench ours TRUSTED_SOCKET APP_ID RUNS
 *       a consumer of lumen-a11yd: one read_tree request, answered whole (what
 *       lumen-reader or any of our assistive technologies does);
 *   atspi-tree-bench atspi APP_NAME RUNS
 *       libatspi, the way an AT-SPI2 client walks it (Orca's path, in C): for each node
 *       its role, name, description, states, bounds and children, libatspi's cache
 *       cleared before each run so every property is asked of the application.
 */
#define _GNU_SOURCE
#include <atspi/atspi.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <wayland-client.h>
#include "lumen-a11y-v1-client-protocol.h"

#define MAX_RUNS 100

static double now_ms(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *what, double *times, int runs, long nodes) {
	qsort(times, (size_t)runs, sizeof(double), cmp_double);
	printf("%s nodes=%ld runs=%d min=%.2f p50=%.2f max=%.2f ms\n", what, nodes, runs,
		times[0], times[runs / 2], times[runs - 1]);
}

/* ---- ours: lumen-a11yd's read_tree ---- */

struct ours {
	struct lumen_a11y_v1 *bus;
	const char *app_id;
	uint32_t tree;
	long nodes;
	bool done, listed;
	uint32_t serial;
};

static void c_tree(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t serial, uint32_t tree,
		int32_t pid, const char *app_id, uint32_t window) {
	struct ours *o = data;
	if (strcmp(app_id, o->app_id) == 0) {
		o->tree = tree;
	}
}
static void c_trees_done(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t serial) {
	((struct ours *)data)->listed = true;
}
static void c_tree_removed(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t tree) {
}
static void c_node(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t serial, uint32_t id,
		uint32_t parent, uint32_t role, uint32_t states, const char *name, const char *desc) {
	((struct ours *)data)->nodes++;
}
static void c_bounds(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t serial, uint32_t id,
		int32_t x, int32_t y, int32_t w, int32_t h) {
}
static void c_value(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t serial, uint32_t id,
		struct wl_array *value) {
}
static void c_text(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t serial, uint32_t id,
		const char *text, uint32_t caret, uint32_t s, uint32_t e) {
}
static void c_node_action(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t serial,
		uint32_t id, const char *name) {
}
static void c_done(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t serial, uint32_t tree,
		uint32_t root, uint32_t focus) {
	struct ours *o = data;
	if (serial == o->serial) {
		o->done = true;
	}
}
static void c_failed(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t serial,
		uint32_t error) {
	struct ours *o = data;
	if (serial == o->serial) {
		o->done = true;
		o->nodes = -1;
	}
}
static void c_focus(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t tree, uint32_t node,
		uint32_t role, uint32_t states, const char *name, const char *desc, const char *value) {
}
static void c_changed(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t tree, uint32_t node,
		uint32_t what, uint32_t role, uint32_t states, const char *name, const char *value,
		int32_t caret, int32_t sel_start, int32_t sel_end) {
}
static void c_window(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t window,
		uint32_t change, uint32_t tree, const char *title, const char *app_id) {
}
static void c_announcement(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t tree,
		const char *text, uint32_t politeness) {
}
static void c_result(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t serial,
		uint32_t result) {
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

static void registry_global(void *data, struct wl_registry *registry, uint32_t name,
		const char *interface, uint32_t version) {
	struct ours *o = data;
	if (strcmp(interface, lumen_a11y_v1_interface.name) == 0 && !o->bus) {
		o->bus = wl_registry_bind(registry, name, &lumen_a11y_v1_interface, 1);
	}
}
static void registry_remove(void *data, struct wl_registry *registry, uint32_t name) {
}
static const struct wl_registry_listener registry_listener = {registry_global,
	registry_remove};

static int run_ours(const char *socket_path, const char *app_id, int runs) {
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", socket_path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		fprintf(stderr, "cannot connect to %s\n", socket_path);
		return 1;
	}
	struct wl_display *display = wl_display_connect_to_fd(fd);
	if (!display) {
		return 1;
	}
	struct ours o = {.app_id = app_id};
	struct wl_registry *registry = wl_display_get_registry(display);
	wl_registry_add_listener(registry, &registry_listener, &o);
	wl_display_roundtrip(display);
	if (!o.bus) {
		fprintf(stderr, "no lumen_a11y_v1 on %s\n", socket_path);
		return 1;
	}
	struct lumen_a11y_consumer_v1 *consumer = lumen_a11y_v1_create_consumer(o.bus);
	lumen_a11y_consumer_v1_add_listener(consumer, &consumer_listener, &o);
	lumen_a11y_consumer_v1_list_trees(consumer, 1);
	while (!o.listed && wl_display_dispatch(display) >= 0) {
	}
	if (!o.tree) {
		fprintf(stderr, "no tree %s on the bus\n", app_id);
		return 1;
	}
	double times[MAX_RUNS];
	long nodes = 0;
	for (int i = 0; i < runs; i++) {
		o.serial = 100 + (uint32_t)i;
		o.done = false;
		o.nodes = 0;
		double t0 = now_ms();
		lumen_a11y_consumer_v1_read_tree(consumer, o.serial, o.tree);
		while (!o.done && wl_display_dispatch(display) >= 0) {
		}
		times[i] = now_ms() - t0;
		nodes = o.nodes;
	}
	report("ours: lumen-a11yd read_tree", times, runs, nodes);
	lumen_a11y_consumer_v1_destroy(consumer);
	lumen_a11y_v1_destroy(o.bus);
	wl_registry_destroy(registry);
	wl_display_disconnect(display);
	return nodes > 0 ? 0 : 1;
}

/* ---- AT-SPI2: libatspi's walk ---- */

static long walk(AtspiAccessible *acc, int depth) {
	if (depth > 256) {
		return 0;
	}
	long n = 1;
	atspi_accessible_get_role(acc, NULL);
	g_free(atspi_accessible_get_name(acc, NULL));
	g_free(atspi_accessible_get_description(acc, NULL));
	AtspiStateSet *states = atspi_accessible_get_state_set(acc);
	if (states) {
		g_object_unref(states);
	}
	AtspiComponent *comp = atspi_accessible_get_component_iface(acc);
	if (comp) {
		g_free(atspi_component_get_extents(comp, ATSPI_COORD_TYPE_WINDOW, NULL));
		g_object_unref(comp);
	}
	int count = atspi_accessible_get_child_count(acc, NULL);
	for (int i = 0; i < count; i++) {
		AtspiAccessible *child = atspi_accessible_get_child_at_index(acc, i, NULL);
		if (child) {
			n += walk(child, depth + 1);
			g_object_unref(child);
		}
	}
	return n;
}

static int run_atspi(const char *app_name, int runs) {
	if (atspi_init() > 1) {
		fprintf(stderr, "no AT-SPI2 bus\n");
		return 1;
	}
	AtspiAccessible *desktop = atspi_get_desktop(0);
	AtspiAccessible *app = NULL;
	int n = atspi_accessible_get_child_count(desktop, NULL);
	for (int i = 0; i < n && !app; i++) {
		AtspiAccessible *child = atspi_accessible_get_child_at_index(desktop, i, NULL);
		char *name = child ? atspi_accessible_get_name(child, NULL) : NULL;
		if (name && strcmp(name, app_name) == 0) {
			app = child;
		} else if (child) {
			g_object_unref(child);
		}
		g_free(name);
	}
	if (!app) {
		fprintf(stderr, "no application %s on AT-SPI2\n", app_name);
		return 1;
	}
	double times[MAX_RUNS];
	long nodes = 0;
	for (int i = 0; i < runs; i++) {
		atspi_accessible_clear_cache(app);
		double t0 = now_ms();
		nodes = walk(app, 0);
		times[i] = now_ms() - t0;
	}
	report("AT-SPI2: libatspi walk", times, runs, nodes);
	g_object_unref(app);
	g_object_unref(desktop);
	return 0;
}

int main(int argc, char *argv[]) {
	if (argc == 5 && strcmp(argv[1], "ours") == 0) {
		int runs = (int)strtol(argv[4], NULL, 10);
		return run_ours(argv[2], argv[3], runs < 1 ? 1 : runs > MAX_RUNS ? MAX_RUNS : runs);
	}
	if (argc == 4 && strcmp(argv[1], "atspi") == 0) {
		int runs = (int)strtol(argv[3], NULL, 10);
		return run_atspi(argv[2], runs < 1 ? 1 : runs > MAX_RUNS ? MAX_RUNS : runs);
	}
	fprintf(stderr, "usage: atspi-tree-bench ours TRUSTED_SOCKET APP_ID RUNS\n"
			"       atspi-tree-bench atspi APP_NAME RUNS\n");
	return 1;
}
