/*
 * lumen-test-reader-keys: a stand-in screen reader on lumen-reader-keys-v1
 * (protocols/lumen-reader-keys-v1.xml), for tests/integration/reader-keys.sh.
 *
 *   lumen-test-reader-keys [--modifier N] [--hold]
 *
 * Binds the global (exit 3 with "no lumen_reader_keys_v1" when it is not offered), grabs
 * modifier N (1 Insert, the default; 2 Caps Lock; anything else to provoke the protocol
 * error) and prints "grabbed" or "refused". With --hold it stays, printing "key SYM
 * pressed|released MODS", "observed SYM ..." and "toggle" lines, until killed or
 * disconnected (then the reason, as a protocol error or a lost connection, exit 1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wayland-client.h>
#include <xkbcommon/xkbcommon.h>
#include "lumen-reader-keys-v1-client-protocol.h"
#include "tc-common.h"

struct state {
	struct lumen_reader_keys_v1 *keys;
	bool refused;
};

static void print_key(const char *what, uint32_t keysym, uint32_t mods, uint32_t state) {
	char name[64];
	if (xkb_keysym_get_name(keysym, name, sizeof(name)) < 0) {
		snprintf(name, sizeof(name), "0x%x", keysym);
	}
	printf("%s %s %s 0x%x\n", what, name,
		state == LUMEN_READER_GRAB_V1_KEY_STATE_PRESSED ? "pressed" : "released", mods);
	fflush(stdout);
}

static void grab_refused(void *data, struct lumen_reader_grab_v1 *grab) {
	struct state *st = data;
	st->refused = true;
}

static void grab_key(void *data, struct lumen_reader_grab_v1 *grab, uint32_t time,
		uint32_t keysym, uint32_t mods, uint32_t state) {
	print_key("key", keysym, mods, state);
}

static void grab_observed(void *data, struct lumen_reader_grab_v1 *grab, uint32_t time,
		uint32_t keysym, uint32_t mods, uint32_t state) {
	print_key("observed", keysym, mods, state);
}

static const struct lumen_reader_grab_v1_listener grab_listener = {
	.refused = grab_refused,
	.key = grab_key,
	.observed = grab_observed,
};

static void keys_toggle(void *data, struct lumen_reader_keys_v1 *keys) {
	printf("toggle\n");
	fflush(stdout);
}

static const struct lumen_reader_keys_v1_listener keys_listener = {
	.toggle = keys_toggle,
};

static void registry_global(void *data, struct wl_registry *registry, uint32_t name,
		const char *interface, uint32_t version) {
	struct state *st = data;
	if (strcmp(interface, lumen_reader_keys_v1_interface.name) == 0 && !st->keys) {
		st->keys = tc_bind(registry, name, &lumen_reader_keys_v1_interface, version, 1);
	}
}

static void registry_global_remove(void *data, struct wl_registry *registry, uint32_t name) {
}

static const struct wl_registry_listener registry_listener = {
	.global = registry_global,
	.global_remove = registry_global_remove,
};

static void usage(FILE *f) {
	fprintf(f, "usage: lumen-test-reader-keys [--modifier N] [--hold]\n");
}

int main(int argc, char *argv[]) {
	tc_set_program_name("lumen-test-reader-keys");
	long modifier = LUMEN_READER_KEYS_V1_MODIFIER_INSERT;
	bool hold = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--modifier") == 0 && i + 1 < argc) {
			if (!tc_parse_long(argv[++i], 0, 0xffffffffL, &modifier)) {
				tc_die("--modifier wants a number");
			}
		} else if (strcmp(argv[i], "--hold") == 0) {
			hold = true;
		} else {
			bool help = strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0;
			usage(help ? stdout : stderr);
			return help ? 0 : 1;
		}
	}
	tc_signals_init();
	struct state st = {0};
	struct wl_display *display = tc_connect();
	struct wl_registry *registry = wl_display_get_registry(display);
	wl_registry_add_listener(registry, &registry_listener, &st);
	if (wl_display_roundtrip(display) < 0) {
		tc_die_disconnected(display);
	}
	if (!st.keys) {
		printf("no lumen_reader_keys_v1\n");
		wl_registry_destroy(registry);
		wl_display_disconnect(display);
		return 3;
	}
	lumen_reader_keys_v1_add_listener(st.keys, &keys_listener, &st);
	struct lumen_reader_grab_v1 *grab = lumen_reader_keys_v1_grab(st.keys, (uint32_t)modifier);
	lumen_reader_grab_v1_add_listener(grab, &grab_listener, &st);
	if (wl_display_roundtrip(display) < 0) {
		fflush(stdout);
		tc_die_disconnected(display);
	}
	printf("%s\n", st.refused ? "refused" : "grabbed");
	fflush(stdout);
	while (hold && !tc_signalled()) {
		if (!tc_dispatch(display, -1, -1, NULL)) {
			tc_die_disconnected(display);
		}
	}
	lumen_reader_grab_v1_destroy(grab);
	lumen_reader_keys_v1_destroy(st.keys);
	wl_registry_destroy(registry);
	wl_display_disconnect(display);
	return 0;
}
