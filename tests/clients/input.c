/*
 * lumen-test-input: injects pointer and keyboard input through the wlr virtual pointer
 * and zwp virtual keyboard protocols, as a person would: keys and buttons are pressed
 * and released, modifiers are held while other keys go down.
 *
 *   lumen-test-input [--delay MS] COMMAND...
 *
 * Commands run in order; after each one we wait for the compositor to have read it (a
 * roundtrip) and then --delay milliseconds (default 20):
 *   move-abs X Y W H               absolute motion to (X, Y) in a WxH extent
 *   move DX DY                     relative motion
 *   button left|right|middle|CODE press|release|click
 *   key NAME press|release|tap     NAME is an xkb keysym name (a, Return, 3, exclam);
 *                                  keys that need Shift in the us layout get it
 *   mod super|alt|ctrl|shift press|release|tap
 *   scroll DY / hscroll DX         wheel motion, DY in axis units (15 a notch)
 *   type TEXT                      taps the keys for each character of TEXT (us layout)
 *   sleep MS
 *
 * The virtual devices live only as long as this process: a modifier held down in one
 * invocation does not carry over to the next, so press and release it in the same one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/input-event-codes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <wayland-client.h>
#include <xkbcommon/xkbcommon.h>
#include "common/fd.h"
#include "tc-common.h"
#include "virtual-keyboard-unstable-v1-client-protocol.h"
#include "wlr-virtual-pointer-unstable-v1-client-protocol.h"

enum action {
	ACT_PRESS,
	ACT_RELEASE,
	ACT_TAP, // press and release
};

struct input {
	struct wl_display *display;
	struct wl_registry *registry;
	struct wl_seat *seat;
	struct zwlr_virtual_pointer_manager_v1 *pointer_manager;
	struct zwp_virtual_keyboard_manager_v1 *keyboard_manager;
	struct zwlr_virtual_pointer_v1 *pointer;
	struct zwp_virtual_keyboard_v1 *keyboard;

	struct xkb_context *xkb_context;
	struct xkb_keymap *keymap;
	struct xkb_state *state; // mirrors what we sent, to derive the modifier masks
	xkb_mod_mask_t sent_depressed, sent_latched, sent_locked;
	xkb_layout_index_t sent_group;

	long delay_ms;
	bool dry_run; // checking the command line: resolve everything, send nothing
};

static void usage(FILE *f) {
	fprintf(f,
		"usage: lumen-test-input [--delay MS] COMMAND...\n"
		"  move-abs X Y W H\n"
		"  move DX DY\n"
		"  button left|right|middle|CODE press|release|click\n"
		"  key KEYSYM press|release|tap\n"
		"  mod super|alt|ctrl|shift press|release|tap\n"
		"  scroll DY | hscroll DX        (axis units, 15 per wheel notch)\n"
		"  type TEXT\n"
		"  sleep MS\n"
		"example: lumen-test-input mod super press key 3 tap mod super release\n");
}

static void sleep_ms(long ms) {
	if (ms <= 0) {
		return;
	}
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
	}
}

static void roundtrip(struct input *in) {
	if (in->dry_run) {
		return;
	}
	if (wl_display_roundtrip(in->display) < 0) {
		tc_die_disconnected(in->display);
	}
}

static bool parse_double(const char *s, double *out) {
	if (!s || !*s) {
		return false;
	}
	char *end = NULL;
	errno = 0;
	double v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v)) {
		return false;
	}
	*out = v;
	return true;
}

static bool parse_action(const char *s, enum action *action) {
	if (!s) {
		return false;
	}
	if (strcmp(s, "press") == 0) {
		*action = ACT_PRESS;
	} else if (strcmp(s, "release") == 0) {
		*action = ACT_RELEASE;
	} else if (strcmp(s, "tap") == 0 || strcmp(s, "click") == 0) {
		*action = ACT_TAP;
	} else {
		return false;
	}
	return true;
}

/*
 * A seat's first keyboard or pointer reaches clients as a capability change; until
 * they have asked for a wl_keyboard in answer, a key press is lost to them (only the
 * release would arrive). Give them a moment, as a person plugging in a keyboard would.
 */
static void settle_new_device(struct input *in) {
	sleep_ms(in->delay_ms > 50 ? in->delay_ms : 50);
	roundtrip(in);
}

/* Keyboard */

static void ensure_keymap(struct input *in) {
	if (in->keymap) {
		return;
	}
	in->xkb_context = xkb_context_new(XKB_CONTEXT_NO_FLAGS);
	if (!in->xkb_context) {
		tc_die("cannot create an xkb context");
	}
	/* Fixed names, not the environment's XKB_DEFAULT_*: tests need the same keys everywhere. */
	struct xkb_rule_names names = {
		.rules = "evdev",
		.model = "pc105",
		.layout = "us",
	};
	in->keymap = xkb_keymap_new_from_names(in->xkb_context, &names,
		XKB_KEYMAP_COMPILE_NO_FLAGS);
	if (!in->keymap) {
		tc_die("cannot compile the us keymap (is xkb-data installed?)");
	}
	in->state = xkb_state_new(in->keymap);
	if (!in->state) {
		tc_die("cannot create an xkb state");
	}
}

static void ensure_keyboard(struct input *in) {
	if (in->keyboard || in->dry_run) {
		return;
	}
	if (!in->keyboard_manager) {
		tc_die("compositor offers no zwp_virtual_keyboard_manager_v1");
	}
	if (!in->seat) {
		tc_die("compositor offers no wl_seat (a virtual keyboard needs one)");
	}
	ensure_keymap(in);
	in->keyboard = zwp_virtual_keyboard_manager_v1_create_virtual_keyboard(
		in->keyboard_manager, in->seat);

	char *text = xkb_keymap_get_as_string(in->keymap, XKB_KEYMAP_FORMAT_TEXT_V1);
	if (!text) {
		tc_die("cannot serialise the keymap");
	}
	/* The compositor reads it as a C string: the size includes the terminating NUL. */
	size_t size = strlen(text) + 1;
	int fd = lumen_shm_create(size);
	if (fd < 0) {
		tc_die("cannot create a file for the keymap: %s", strerror(errno));
	}
	void *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		tc_die("mmap: %s", strerror(errno));
	}
	memcpy(map, text, size);
	munmap(map, size);
	free(text);
	zwp_virtual_keyboard_v1_keymap(in->keyboard, WL_KEYBOARD_KEYMAP_FORMAT_XKB_V1, fd,
		(uint32_t)size);
	close(fd);
	/* The compositor may reject us (unauthorized); learn that before sending keys. */
	roundtrip(in);
	settle_new_device(in);
}

static void send_modifiers_if_changed(struct input *in) {
	xkb_mod_mask_t depressed = xkb_state_serialize_mods(in->state, XKB_STATE_MODS_DEPRESSED);
	xkb_mod_mask_t latched = xkb_state_serialize_mods(in->state, XKB_STATE_MODS_LATCHED);
	xkb_mod_mask_t locked = xkb_state_serialize_mods(in->state, XKB_STATE_MODS_LOCKED);
	xkb_layout_index_t group = xkb_state_serialize_layout(in->state, XKB_STATE_LAYOUT_EFFECTIVE);
	if (depressed == in->sent_depressed && latched == in->sent_latched &&
			locked == in->sent_locked && group == in->sent_group) {
		return;
	}
	in->sent_depressed = depressed;
	in->sent_latched = latched;
	in->sent_locked = locked;
	in->sent_group = group;
	zwp_virtual_keyboard_v1_modifiers(in->keyboard, depressed, latched, locked, group);
}

/*
 * The compositor's keyboard does not update its modifier state from our key events: a
 * virtual keyboard must say which modifiers are down, right after the key that changed
 * them, as a hardware keyboard's driver would.
 */
static void send_key(struct input *in, xkb_keycode_t keycode, bool pressed) {
	ensure_keyboard(in);
	xkb_state_update_key(in->state, keycode, pressed ? XKB_KEY_DOWN : XKB_KEY_UP);
	if (in->dry_run) {
		return;
	}
	zwp_virtual_keyboard_v1_key(in->keyboard, tc_now_ms(), keycode - 8,
		pressed ? WL_KEYBOARD_KEY_STATE_PRESSED : WL_KEYBOARD_KEY_STATE_RELEASED);
	send_modifiers_if_changed(in);
}

struct key_lookup {
	xkb_keysym_t sym;
	xkb_keycode_t keycode;
	bool need_shift;
	bool found;
};

static void lookup_key(struct xkb_keymap *keymap, xkb_keycode_t keycode, void *data) {
	struct key_lookup *lk = data;
	if (lk->found && !lk->need_shift) {
		return;
	}
	xkb_level_index_t levels = xkb_keymap_num_levels_for_key(keymap, keycode, 0);
	for (xkb_level_index_t level = 0; level < levels && level < 2; level++) {
		const xkb_keysym_t *syms = NULL;
		int n = xkb_keymap_key_get_syms_by_level(keymap, keycode, 0, level, &syms);
		for (int i = 0; i < n; i++) {
			if (syms[i] != lk->sym) {
				continue;
			}
			/* Prefer a key that needs no Shift (the '1' row over the keypad, etc.). */
			if (!lk->found || (lk->need_shift && level == 0)) {
				lk->found = true;
				lk->keycode = keycode;
				lk->need_shift = level == 1;
			}
			return;
		}
	}
}

static bool keysym_to_key(struct input *in, xkb_keysym_t sym, xkb_keycode_t *keycode,
		bool *need_shift) {
	ensure_keymap(in);
	struct key_lookup lk = {.sym = sym};
	xkb_keymap_key_for_each(in->keymap, lookup_key, &lk);
	if (!lk.found) {
		return false;
	}
	*keycode = lk.keycode;
	*need_shift = lk.need_shift;
	return true;
}

static xkb_keycode_t keycode_for_name(struct input *in, const char *keysym_name) {
	xkb_keysym_t sym = xkb_keysym_from_name(keysym_name, XKB_KEYSYM_NO_FLAGS);
	xkb_keycode_t keycode;
	bool shift;
	if (sym == XKB_KEY_NoSymbol || !keysym_to_key(in, sym, &keycode, &shift)) {
		tc_die("no key in the us keymap gives keysym '%s'", keysym_name);
	}
	return keycode;
}

static void key_action(struct input *in, xkb_keysym_t sym, const char *what,
		enum action action) {
	xkb_keycode_t keycode, shift_key = 0;
	bool need_shift;
	if (!keysym_to_key(in, sym, &keycode, &need_shift)) {
		tc_die("no key in the us keymap gives %s", what);
	}
	ensure_keyboard(in);
	/* Shift only if not already held: "mod shift press key A tap" must not release it. */
	if (need_shift && xkb_state_mod_name_is_active(in->state, XKB_MOD_NAME_SHIFT,
			XKB_STATE_MODS_DEPRESSED) <= 0) {
		shift_key = keycode_for_name(in, "Shift_L");
	}
	if (shift_key && action != ACT_RELEASE) {
		send_key(in, shift_key, true);
	}
	if (action == ACT_PRESS || action == ACT_TAP) {
		send_key(in, keycode, true);
	}
	if (action == ACT_TAP) {
		roundtrip(in);
	}
	if (action == ACT_RELEASE || action == ACT_TAP) {
		send_key(in, keycode, false);
	}
	if (shift_key && action != ACT_PRESS) {
		send_key(in, shift_key, false);
	}
}

static bool cmd_key(struct input *in, const char *name, const char *action_str) {
	enum action action;
	if (!name || !parse_action(action_str, &action)) {
		return false;
	}
	xkb_keysym_t sym = xkb_keysym_from_name(name, XKB_KEYSYM_NO_FLAGS);
	if (sym == XKB_KEY_NoSymbol) {
		sym = xkb_keysym_from_name(name, XKB_KEYSYM_CASE_INSENSITIVE);
	}
	if (sym == XKB_KEY_NoSymbol) {
		tc_die("'%s' is not an xkb keysym name", name);
	}
	char what[96];
	snprintf(what, sizeof(what), "keysym '%s'", name);
	key_action(in, sym, what, action);
	return true;
}

static bool cmd_mod(struct input *in, const char *name, const char *action_str) {
	enum action action;
	if (!name || !parse_action(action_str, &action)) {
		return false;
	}
	const char *keysym_name;
	if (strcmp(name, "super") == 0 || strcmp(name, "logo") == 0) {
		keysym_name = "Super_L";
	} else if (strcmp(name, "alt") == 0) {
		keysym_name = "Alt_L";
	} else if (strcmp(name, "ctrl") == 0 || strcmp(name, "control") == 0) {
		keysym_name = "Control_L";
	} else if (strcmp(name, "shift") == 0) {
		keysym_name = "Shift_L";
	} else {
		tc_die("mod wants super, alt, ctrl or shift, not '%s'", name);
	}
	xkb_keycode_t keycode = keycode_for_name(in, keysym_name);
	if (action == ACT_PRESS || action == ACT_TAP) {
		send_key(in, keycode, true);
	}
	if (action == ACT_TAP) {
		roundtrip(in);
	}
	if (action == ACT_RELEASE || action == ACT_TAP) {
		send_key(in, keycode, false);
	}
	return true;
}

static void cmd_type(struct input *in, const char *text) {
	for (const char *p = text; *p;) {
		/* Decode one UTF-8 sequence; the us layout covers ASCII, the rest is refused. */
		uint32_t cp = (unsigned char)*p;
		int len = 1;
		if (cp >= 0xf0) {
			cp &= 0x07;
			len = 4;
		} else if (cp >= 0xe0) {
			cp &= 0x0f;
			len = 3;
		} else if (cp >= 0xc0) {
			cp &= 0x1f;
			len = 2;
		}
		for (int i = 1; i < len; i++) {
			if ((p[i] & 0xc0) != 0x80) {
				tc_die("type: TEXT is not valid UTF-8");
			}
			cp = cp << 6 | ((unsigned char)p[i] & 0x3f);
		}
		xkb_keysym_t sym;
		if (cp == '\n') {
			sym = XKB_KEY_Return;
		} else if (cp == '\t') {
			sym = XKB_KEY_Tab;
		} else {
			sym = xkb_utf32_to_keysym(cp);
		}
		char what[64];
		snprintf(what, sizeof(what), "character U+%04X (use wtype for text beyond us)", cp);
		key_action(in, sym, what, ACT_TAP);
		roundtrip(in);
		p += len;
	}
}

/* Pointer */

static void ensure_pointer(struct input *in) {
	if (in->pointer || in->dry_run) {
		return;
	}
	if (!in->pointer_manager) {
		tc_die("compositor offers no zwlr_virtual_pointer_manager_v1");
	}
	in->pointer = zwlr_virtual_pointer_manager_v1_create_virtual_pointer(in->pointer_manager,
		in->seat);
	roundtrip(in);
	settle_new_device(in);
}

static bool cmd_button(struct input *in, const char *name, const char *action_str) {
	enum action action;
	if (!name || !parse_action(action_str, &action)) {
		return false;
	}
	long code;
	if (strcmp(name, "left") == 0) {
		code = BTN_LEFT;
	} else if (strcmp(name, "right") == 0) {
		code = BTN_RIGHT;
	} else if (strcmp(name, "middle") == 0) {
		code = BTN_MIDDLE;
	} else if (!tc_parse_long(name, 0, 0xffff, &code)) {
		tc_die("button wants left, right, middle or a linux button code, not '%s'", name);
	}
	ensure_pointer(in);
	if (in->dry_run) {
		return true;
	}
	if (action == ACT_PRESS || action == ACT_TAP) {
		zwlr_virtual_pointer_v1_button(in->pointer, tc_now_ms(), (uint32_t)code,
			WL_POINTER_BUTTON_STATE_PRESSED);
		zwlr_virtual_pointer_v1_frame(in->pointer);
	}
	if (action == ACT_TAP) {
		roundtrip(in);
	}
	if (action == ACT_RELEASE || action == ACT_TAP) {
		zwlr_virtual_pointer_v1_button(in->pointer, tc_now_ms(), (uint32_t)code,
			WL_POINTER_BUTTON_STATE_RELEASED);
		zwlr_virtual_pointer_v1_frame(in->pointer);
	}
	return true;
}

static void cmd_scroll(struct input *in, uint32_t axis, double value) {
	ensure_pointer(in);
	if (in->dry_run) {
		return;
	}
	/* 15 units a notch is libinput's convention, and what compositors expect of a wheel. */
	int32_t discrete = (int32_t)lround(value / 15.0);
	if (discrete == 0 && value != 0.0) {
		discrete = value > 0 ? 1 : -1;
	}
	uint32_t now = tc_now_ms();
	zwlr_virtual_pointer_v1_axis_source(in->pointer, WL_POINTER_AXIS_SOURCE_WHEEL);
	zwlr_virtual_pointer_v1_axis_discrete(in->pointer, now, axis, wl_fixed_from_double(value),
		discrete);
	zwlr_virtual_pointer_v1_frame(in->pointer);
}

/* Setup */

static void registry_handle_global(void *data, struct wl_registry *registry, uint32_t name,
		const char *interface, uint32_t version) {
	struct input *in = data;
	if (strcmp(interface, wl_seat_interface.name) == 0 && !in->seat) {
		in->seat = tc_bind(registry, name, &wl_seat_interface, version, 1);
	} else if (strcmp(interface, zwlr_virtual_pointer_manager_v1_interface.name) == 0) {
		in->pointer_manager = tc_bind(registry, name,
			&zwlr_virtual_pointer_manager_v1_interface, version, 1);
	} else if (strcmp(interface, zwp_virtual_keyboard_manager_v1_interface.name) == 0) {
		in->keyboard_manager = tc_bind(registry, name,
			&zwp_virtual_keyboard_manager_v1_interface, version, 1);
	}
}

static void registry_handle_global_remove(void *data, struct wl_registry *registry,
		uint32_t name) {
}

static const struct wl_registry_listener registry_listener = {
	.global = registry_handle_global,
	.global_remove = registry_handle_global_remove,
};

/* Returns how many arguments the command at argv[0] takes, or -1 if unknown. */
static int command_arity(const char *cmd) {
	static const struct {
		const char *name;
		int args;
	} commands[] = {
		{"move-abs", 4}, {"move", 2}, {"button", 2}, {"key", 2}, {"mod", 2},
		{"scroll", 1}, {"hscroll", 1}, {"type", 1}, {"sleep", 1},
	};
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(cmd, commands[i].name) == 0) {
			return commands[i].args;
		}
	}
	return -1;
}

static void run_command(struct input *in, char **argv) {
	const char *cmd = argv[0];
	bool ok = true;
	if (strcmp(cmd, "move-abs") == 0) {
		long x, y, w, h;
		ok = tc_parse_long(argv[1], 0, 1L << 30, &x) && tc_parse_long(argv[2], 0, 1L << 30, &y) &&
			tc_parse_long(argv[3], 1, 1L << 30, &w) && tc_parse_long(argv[4], 1, 1L << 30, &h);
		if (ok && !in->dry_run) {
			ensure_pointer(in);
			zwlr_virtual_pointer_v1_motion_absolute(in->pointer, tc_now_ms(), (uint32_t)x,
				(uint32_t)y, (uint32_t)w, (uint32_t)h);
			zwlr_virtual_pointer_v1_frame(in->pointer);
		}
	} else if (strcmp(cmd, "move") == 0) {
		double dx, dy;
		ok = parse_double(argv[1], &dx) && parse_double(argv[2], &dy);
		if (ok && !in->dry_run) {
			ensure_pointer(in);
			zwlr_virtual_pointer_v1_motion(in->pointer, tc_now_ms(),
				wl_fixed_from_double(dx), wl_fixed_from_double(dy));
			zwlr_virtual_pointer_v1_frame(in->pointer);
		}
	} else if (strcmp(cmd, "button") == 0) {
		ok = cmd_button(in, argv[1], argv[2]);
	} else if (strcmp(cmd, "key") == 0) {
		ok = cmd_key(in, argv[1], argv[2]);
	} else if (strcmp(cmd, "mod") == 0) {
		ok = cmd_mod(in, argv[1], argv[2]);
	} else if (strcmp(cmd, "scroll") == 0 || strcmp(cmd, "hscroll") == 0) {
		double v;
		ok = parse_double(argv[1], &v);
		if (ok) {
			cmd_scroll(in, cmd[0] == 'h' ? WL_POINTER_AXIS_HORIZONTAL_SCROLL :
				WL_POINTER_AXIS_VERTICAL_SCROLL, v);
		}
	} else if (strcmp(cmd, "type") == 0) {
		cmd_type(in, argv[1]);
	} else if (strcmp(cmd, "sleep") == 0) {
		long ms;
		ok = tc_parse_long(argv[1], 0, 3600000, &ms);
		if (ok && !in->dry_run) {
			sleep_ms(ms);
		}
	}
	if (!ok) {
		usage(stderr);
		tc_die("bad arguments to '%s'", cmd);
	}
}

int main(int argc, char *argv[]) {
	tc_set_program_name("lumen-test-input");
	struct input in = {.delay_ms = 20};
	int first = 1;
	while (first < argc && strncmp(argv[first], "-", 1) == 0) {
		if (strcmp(argv[first], "--help") == 0 || strcmp(argv[first], "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[first], "--delay") == 0 && first + 1 < argc) {
			if (!tc_parse_long(argv[first + 1], 0, 60000, &in.delay_ms)) {
				tc_die("--delay wants milliseconds, not '%s'", argv[first + 1]);
			}
			first += 2;
		} else {
			usage(stderr);
			tc_die("unknown option: %s", argv[first]);
		}
	}
	if (first >= argc) {
		usage(stderr);
		tc_die("no commands given");
	}
	/*
	 * Run the whole line once without sending anything, so a typo fails before any
	 * input is injected: half a key chord is worse than none.
	 */
	in.dry_run = true;
	for (int i = first; i < argc;) {
		int arity = command_arity(argv[i]);
		if (arity < 0) {
			usage(stderr);
			tc_die("unknown command '%s'", argv[i]);
		}
		if (i + arity >= argc) {
			usage(stderr);
			tc_die("'%s' wants %d argument%s", argv[i], arity, arity == 1 ? "" : "s");
		}
		run_command(&in, &argv[i]);
		i += 1 + arity;
	}
	in.dry_run = false;
	if (in.state) {
		/* Start the real run with no keys down. */
		xkb_state_unref(in.state);
		in.state = xkb_state_new(in.keymap);
		if (!in.state) {
			tc_die("cannot create an xkb state");
		}
	}

	in.display = tc_connect();
	in.registry = wl_display_get_registry(in.display);
	wl_registry_add_listener(in.registry, &registry_listener, &in);
	roundtrip(&in);

	for (int i = first; i < argc;) {
		int arity = command_arity(argv[i]);
		run_command(&in, &argv[i]);
		roundtrip(&in);
		sleep_ms(in.delay_ms);
		i += 1 + arity;
	}

	if (in.keyboard) {
		zwp_virtual_keyboard_v1_destroy(in.keyboard);
	}
	if (in.pointer) {
		zwlr_virtual_pointer_v1_destroy(in.pointer);
	}
	roundtrip(&in);
	if (in.pointer_manager) {
		zwlr_virtual_pointer_manager_v1_destroy(in.pointer_manager);
	}
	if (in.keyboard_manager) {
		zwp_virtual_keyboard_manager_v1_destroy(in.keyboard_manager);
	}
	if (in.seat) {
		wl_seat_destroy(in.seat);
	}
	wl_registry_destroy(in.registry);
	wl_display_disconnect(in.display);
	xkb_state_unref(in.state);
	xkb_keymap_unref(in.keymap);
	xkb_context_unref(in.xkb_context);
	return 0;
}
