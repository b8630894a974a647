/*
 * lumen-test-globals: prints every global the compositor advertises, one
 * "INTERFACE VERSION" line each, in the order they were announced. Tests grep it to
 * check that a protocol is offered, at the version they need.
 */
#include <stdio.h>
#include <string.h>
#include <wayland-client.h>
#include "tc-common.h"

static void registry_handle_global(void *data, struct wl_registry *registry, uint32_t name,
		const char *interface, uint32_t version) {
	int *count = data;
	printf("%s %u\n", interface, version);
	(*count)++;
}

static void registry_handle_global_remove(void *data, struct wl_registry *registry,
		uint32_t name) {
}

static const struct wl_registry_listener registry_listener = {
	.global = registry_handle_global,
	.global_remove = registry_handle_global_remove,
};

int main(int argc, char *argv[]) {
	tc_set_program_name("lumen-test-globals");
	if (argc > 1) {
		bool help = strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0;
		fprintf(help ? stdout : stderr,
			"usage: lumen-test-globals\nPrints each global as 'INTERFACE VERSION'.\n");
		return help ? 0 : 1;
	}
	struct wl_display *display = tc_connect();
	struct wl_registry *registry = wl_display_get_registry(display);
	int count = 0;
	wl_registry_add_listener(registry, &registry_listener, &count);
	/* One roundtrip: the compositor sends all globals before answering the sync. */
	if (wl_display_roundtrip(display) < 0) {
		tc_die_disconnected(display);
	}
	if (fflush(stdout) != 0) {
		tc_die("cannot write to stdout");
	}
	wl_registry_destroy(registry);
	wl_display_disconnect(display);
	if (count == 0) {
		tc_die("the compositor advertised no globals");
	}
	return 0;
}
