/*
 * lumen-inputctl: lumen-inputd from the command line. As a driver it creates virtual
 * devices (a keyboard, a pointer, a touch screen, a switch, a tablet's pen, each when
 * first needed) and runs its commands in order; text is typed through an xkb layout,
 * looking up the key and level (Shift, AltGr) that produce each character. As a
 * consumer it lists devices, changes a device's settings (set), or becomes the seat
 * master and prints every event (monitor).
 *
 * Exit status: 0 done, 1 inputd refused or is not there, 2 bad usage.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <libevdev/libevdev.h>
#include <stdbool.h>
#include <linux/input-event-codes.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wayland-client.h>
#include <xkbcommon/xkbcommon.h>
#include "lumen-input-v1-client-protocol.h"

#define MAX_DEVICES 64

static const char *prog = "lumen-inputctl";

static double need_number(const char *s, const char *what);

static void usage(FILE *f) {
	fprintf(f,
		"usage: lumen-inputctl [options] COMMAND [ARGS] [COMMAND [ARGS]]...\n"
		"Consumer commands (alone):\n"
		"  list [--follow]     the devices (and, with --follow, then \"added\" and \"removed\"\n"
		"                      lines as they come and go)\n"
		"  monitor             become the seat master and print every event\n"
		"  set DEVICE SETTING VALUE [SETTING VALUE]...\n"
		"                      change a device's settings (DEVICE: its path or name):\n"
		"                      tap, natural-scroll, left-handed on|off; accel-profile\n"
		"                      flat|adaptive; accel-speed -1..1; scroll-method\n"
		"                      none|two-finger|edge|button\n"
		"Driver commands (any number, run in order; devices are created when needed):\n"
		"  type STRING         type text through the layout (--layout)\n"
		"  key KEY[+KEY...]    press and release keys: a, enter, KEY_F1, ctrl+alt+t, 30\n"
		"  press KEY           press and hold (inputd releases what is held at exit)\n"
		"  release KEY\n"
		"  move DX DY          relative pointer motion\n"
		"  move-abs X Y        absolute pointer motion, in 0..W-1, 0..H-1 (--size)\n"
		"  click [BUTTON]      left (default), right, middle, side, extra, BTN_*, a code\n"
		"  scroll DY [DX]      wheel detents; positive: down, right\n"
		"  touch X Y           a tap at X Y (--size)\n"
		"  switch lid|tablet-mode on|off\n"
		"  pen-in X Y          a tablet's pen comes into proximity at X Y (--size)\n"
		"  pen-move X Y [P]    the pen moves (P: pressure 0..1, when given)\n"
		"  pen-down [P]        the tip touches (pressure P, default 0.5); pen-up lifts it\n"
		"  pen-button stylus|stylus2 down|up\n"
		"  pen-out             the pen leaves proximity\n"
		"  pad-button N        a tablet pad's button N (0..9), pressed and released\n"
		"  pad-ring DEGREES    a finger on the pad's ring at that angle, then lifted\n"
		"  pad-strip POS       a finger on the pad's strip at POS (0..1), then lifted\n"
		"  sleep MS\n"
		"Options:\n"
		"  --socket NAME       inputd's socket (default: lumen-input-0 in $XDG_RUNTIME_DIR)\n"
		"  --layout LAYOUT     xkb layout for type: us, de, fr, ru, ara, jp, ... (default us)\n"
		"  --variant VARIANT   xkb variant for type\n"
		"  --name NAME         the devices' name (default lumen-inputctl)\n"
		"  --size WxH          range of absolute pointer and touch (default 1920x1080)\n"
		"  --delay MS          pause between key events (default 0)\n");
}

static void die_usage(const char *fmt, const char *arg) __attribute__((noreturn));
static void die_usage(const char *fmt, const char *arg) {
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(2);
}

/* The connection */

static struct wl_display *display;
static struct lumen_input_v1 *input;

static void fail_connection(void) {
	int err = wl_display_get_error(display);
	if (err == EPROTO) {
		const struct wl_interface *iface = NULL;
		uint32_t id;
		uint32_t code = wl_display_get_protocol_error(display, &iface, &id);
		fprintf(stderr, "%s: inputd refused a request (%s error %u; see above)\n", prog,
			iface ? iface->name : "?", code);
	} else {
		fprintf(stderr, "%s: lost the connection to inputd: %s\n", prog, strerror(err));
	}
	exit(1);
}

static void roundtrip(void) {
	if (wl_display_roundtrip(display) < 0) {
		fail_connection();
	}
}

/* Consumer side: devices as announced */

struct device {
	struct lumen_input_device_v1 *proxy;
	char path[128], name[128];
	uint32_t bustype, vendor, product, caps, is_virtual, slots;
	char axes[512];
	uint32_t supported, leds;
	uint32_t tap, natural, left, profile, method, profiles, methods;
	double speed;
	bool done, announced, removed;
};

static struct device devices[MAX_DEVICES];
static int n_devices;
static bool initial_done;
static enum { MODE_LIST, MODE_FOLLOW, MODE_MONITOR, MODE_SET, MODE_DRIVER } mode;

static const char *accel_profile_names[] = {"none", "flat", "adaptive"};
static const char *scroll_method_names[] = {"none", "two-finger", "edge", "button"};

static void caps_string(uint32_t caps, char *buf, size_t size) {
	static const char *names[] = {"keyboard", "pointer", "touch", "tablet-tool", "tablet-pad",
		"switch"};
	buf[0] = '\0';
	size_t len = 0;
	for (int i = 0; i < 6; i++) {
		if (caps & (1u << i)) {
			int n = snprintf(buf + len, size - len, "%s%s", len ? " " : "", names[i]);
			if (n < 0 || (size_t)n >= size - len) {
				break;
			}
			len += (size_t)n;
		}
	}
}

static const char *code_name(unsigned type, uint32_t code) {
	const char *name = libevdev_event_code_get_name(type, code);
	return name ? name : "?";
}

static void print_device(const struct device *d) {
	char caps[128];
	caps_string(d->caps, caps, sizeof(caps));
	printf("%s\n", d->path);
	printf("  name: %s\n", d->name);
	printf("  capabilities: %s%s\n", caps[0] ? caps : "none", d->is_virtual ? " (virtual)" : "");
	printf("  ids: bus 0x%02x vendor 0x%04x product 0x%04x\n", d->bustype, d->vendor,
		d->product);
	if (d->axes[0]) {
		printf("  axes:%s\n", d->axes);
	}
	if (d->caps & LUMEN_INPUT_DEVICE_V1_CAPABILITY_TOUCH) {
		printf("  touch slots: %u\n", d->slots);
	}
	if (d->caps & LUMEN_INPUT_DEVICE_V1_CAPABILITY_KEYBOARD) {
		printf("  leds: 0x%x\n", d->leds);
	}
	if (d->supported) {
		printf("  settings:");
		if (d->supported & LUMEN_INPUT_DEVICE_V1_SETTING_TAP) {
			printf(" tap %s", d->tap ? "on" : "off");
		}
		if (d->supported & LUMEN_INPUT_DEVICE_V1_SETTING_NATURAL_SCROLL) {
			printf(" natural-scroll %s", d->natural ? "on" : "off");
		}
		if (d->supported & LUMEN_INPUT_DEVICE_V1_SETTING_LEFT_HANDED) {
			printf(" left-handed %s", d->left ? "on" : "off");
		}
		if (d->supported & LUMEN_INPUT_DEVICE_V1_SETTING_ACCEL) {
			printf(" accel-profile %s accel-speed %.2f",
				d->profile < 3 ? accel_profile_names[d->profile] : "?", d->speed);
		}
		if (d->supported & LUMEN_INPUT_DEVICE_V1_SETTING_SCROLL_METHOD) {
			printf(" scroll-method %s", d->method < 4 ? scroll_method_names[d->method] : "?");
		}
		printf("\n");
	}
}

static void dev_path(void *data, struct lumen_input_device_v1 *p, const char *path) {
	struct device *d = data;
	snprintf(d->path, sizeof(d->path), "%s", path);
}
static void dev_name(void *data, struct lumen_input_device_v1 *p, const char *name) {
	struct device *d = data;
	snprintf(d->name, sizeof(d->name), "%s", name);
}
static void dev_ids(void *data, struct lumen_input_device_v1 *p, uint32_t bus, uint32_t vendor,
		uint32_t product) {
	struct device *d = data;
	d->bustype = bus;
	d->vendor = vendor;
	d->product = product;
}
static void dev_capabilities(void *data, struct lumen_input_device_v1 *p, uint32_t caps,
		uint32_t is_virtual) {
	struct device *d = data;
	d->caps = caps;
	d->is_virtual = is_virtual;
}
static void dev_abs_axis(void *data, struct lumen_input_device_v1 *p, uint32_t code, int32_t min,
		int32_t max, int32_t res) {
	struct device *d = data;
	size_t len = strlen(d->axes);
	snprintf(d->axes + len, sizeof(d->axes) - len, " %s %d..%d", code_name(EV_ABS, code), min,
		max);
}
static void dev_touch_slots(void *data, struct lumen_input_device_v1 *p, uint32_t slots) {
	struct device *d = data;
	d->slots = slots;
}
static void dev_settings(void *data, struct lumen_input_device_v1 *p, uint32_t supported,
		uint32_t tap, uint32_t natural, uint32_t left, uint32_t profile, wl_fixed_t speed,
		uint32_t method, uint32_t profiles, uint32_t methods) {
	struct device *d = data;
	d->supported = supported;
	d->tap = tap;
	d->natural = natural;
	d->left = left;
	d->profile = profile;
	d->speed = wl_fixed_to_double(speed);
	d->method = method;
	d->profiles = profiles;
	d->methods = methods;
}
static void dev_leds(void *data, struct lumen_input_device_v1 *p, uint32_t leds) {
	struct device *d = data;
	d->leds = leds;
}
static void dev_done(void *data, struct lumen_input_device_v1 *p) {
	struct device *d = data;
	d->done = true;
	if (d->announced) {
		return;
	}
	d->announced = true;
	if (mode == MODE_MONITOR || (mode == MODE_FOLLOW && initial_done)) {
		char caps[128];
		caps_string(d->caps, caps, sizeof(caps));
		printf("added %s \"%s\" %s%s\n", d->path, d->name, caps, d->is_virtual ? " virtual" : "");
		fflush(stdout);
	}
}
static void dev_removed(void *data, struct lumen_input_device_v1 *p) {
	struct device *d = data;
	d->removed = true;
	if (mode == MODE_MONITOR || mode == MODE_FOLLOW) {
		printf("removed %s\n", d->path);
		fflush(stdout);
	}
	lumen_input_device_v1_destroy(p);
	d->proxy = NULL;
}
static void dev_key(void *data, struct lumen_input_device_v1 *p, uint32_t code, uint32_t state) {
	struct device *d = data;
	printf("%s key %u %s %s\n", d->path, code, code_name(EV_KEY, code),
		state ? "pressed" : "released");
}
static void dev_relative(void *data, struct lumen_input_device_v1 *p, uint32_t code,
		wl_fixed_t value) {
	struct device *d = data;
	printf("%s rel %u %s %.3f\n", d->path, code, code_name(EV_REL, code),
		wl_fixed_to_double(value));
}
static void dev_axis_source(void *data, struct lumen_input_device_v1 *p, uint32_t source) {
	struct device *d = data;
	printf("%s axis-source %u\n", d->path, source);
}
static void dev_absolute(void *data, struct lumen_input_device_v1 *p, uint32_t code,
		int32_t value) {
	struct device *d = data;
	printf("%s abs %u %s %d\n", d->path, code, code_name(EV_ABS, code), value);
}
static void dev_switch_state(void *data, struct lumen_input_device_v1 *p, uint32_t code,
		uint32_t state) {
	struct device *d = data;
	printf("%s switch %u %s %s\n", d->path, code, code_name(EV_SW, code), state ? "on" : "off");
}
static void dev_frame(void *data, struct lumen_input_device_v1 *p, uint32_t hi, uint32_t lo) {
	struct device *d = data;
	printf("%s frame %llu\n", d->path, ((unsigned long long)hi << 32) | lo);
	fflush(stdout);
}

static const struct lumen_input_device_v1_listener device_listener = {
	.path = dev_path,
	.name = dev_name,
	.ids = dev_ids,
	.capabilities = dev_capabilities,
	.abs_axis = dev_abs_axis,
	.touch_slots = dev_touch_slots,
	.settings = dev_settings,
	.leds = dev_leds,
	.done = dev_done,
	.removed = dev_removed,
	.key = dev_key,
	.relative = dev_relative,
	.axis_source = dev_axis_source,
	.absolute = dev_absolute,
	.switch_state = dev_switch_state,
	.frame = dev_frame,
};

static void input_device(void *data, struct lumen_input_v1 *g, struct lumen_input_device_v1 *p) {
	if (mode == MODE_DRIVER) {
		lumen_input_device_v1_destroy(p);
		return;
	}
	/* Reuse the slot of a removed device: a follower runs for long. */
	struct device *d = NULL;
	for (int i = 0; i < n_devices; i++) {
		if (devices[i].removed) {
			d = &devices[i];
			break;
		}
	}
	if (!d) {
		if (n_devices >= MAX_DEVICES) {
			lumen_input_device_v1_destroy(p);
			return;
		}
		d = &devices[n_devices++];
	}
	memset(d, 0, sizeof(*d));
	d->proxy = p;
	lumen_input_device_v1_add_listener(p, &device_listener, d);
}
static void input_done(void *data, struct lumen_input_v1 *g) {
	initial_done = true;
}
static const struct lumen_input_v1_listener input_listener = {
	.device = input_device,
	.done = input_done,
};

static void registry_global(void *data, struct wl_registry *r, uint32_t name,
		const char *interface, uint32_t version) {
	if (strcmp(interface, lumen_input_v1_interface.name) == 0 && !input) {
		input = wl_registry_bind(r, name, &lumen_input_v1_interface, 1);
		lumen_input_v1_add_listener(input, &input_listener, NULL);
	}
}
static void registry_global_remove(void *data, struct wl_registry *r, uint32_t name) {
}
static const struct wl_registry_listener registry_listener = {
	.global = registry_global,
	.global_remove = registry_global_remove,
};

static void connect_inputd(const char *socket) {
	display = wl_display_connect(socket ? socket : "lumen-input-0");
	if (!display) {
		fprintf(stderr, "%s: cannot connect to inputd at %s: %s\n", prog,
			socket ? socket : "$XDG_RUNTIME_DIR/lumen-input-0", strerror(errno));
		exit(1);
	}
	struct wl_registry *registry = wl_display_get_registry(display);
	wl_registry_add_listener(registry, &registry_listener, NULL);
	roundtrip();
	if (!input) {
		fprintf(stderr, "%s: the server has no lumen_input_v1: is it inputd?\n", prog);
		exit(1);
	}
	wl_registry_destroy(registry);
	roundtrip(); // the devices and done
}

static bool on_off(const char *s) {
	if (strcmp(s, "on") == 0) {
		return true;
	}
	if (strcmp(s, "off") != 0) {
		die_usage("'%s' is not on or off", s);
	}
	return false;
}

static uint32_t name_index(const char *s, const char **names, uint32_t n, const char *what) {
	for (uint32_t i = 0; i < n; i++) {
		if (strcmp(s, names[i]) == 0) {
			return i;
		}
	}
	fprintf(stderr, "%s: unknown %s '%s'\n", prog, what, s);
	exit(2);
}

/* set DEVICE SETTING VALUE...: the settings are checked, sent, then the device as
 * inputd describes it afterwards is printed. */
static int run_set(int argc, char **argv, int i) {
	if (i + 3 >= argc + 1 || (argc - i - 1) % 2 != 1) {
		die_usage("set needs a device and SETTING VALUE pairs%s", "");
	}
	const char *which = argv[i + 1];
	struct device *d = NULL;
	for (int k = 0; k < n_devices && !d; k++) {
		if (!devices[k].removed && strcmp(devices[k].path, which) == 0) {
			d = &devices[k];
		}
	}
	for (int k = 0; k < n_devices && !d; k++) {
		if (!devices[k].removed && strcmp(devices[k].name, which) == 0 && devices[k].supported) {
			d = &devices[k];
		}
	}
	if (!d) {
		fprintf(stderr, "%s: no device '%s' with settings (see list)\n", prog, which);
		return 1;
	}
	for (int k = i + 2; k + 1 < argc; k += 2) {
		const char *key = argv[k], *value = argv[k + 1];
		if (strcmp(key, "tap") == 0) {
			lumen_input_device_v1_set_tap(d->proxy, on_off(value));
		} else if (strcmp(key, "natural-scroll") == 0) {
			lumen_input_device_v1_set_natural_scroll(d->proxy, on_off(value));
		} else if (strcmp(key, "left-handed") == 0) {
			lumen_input_device_v1_set_left_handed(d->proxy, on_off(value));
		} else if (strcmp(key, "accel-profile") == 0) {
			d->profile = name_index(value, accel_profile_names, 3, "acceleration profile");
			lumen_input_device_v1_set_accel(d->proxy, d->profile, wl_fixed_from_double(d->speed));
		} else if (strcmp(key, "accel-speed") == 0) {
			d->speed = need_number(value, "speed");
			if (d->speed < -1 || d->speed > 1) {
				die_usage("acceleration speed '%s' is not in -1..1", value);
			}
			lumen_input_device_v1_set_accel(d->proxy, d->profile, wl_fixed_from_double(d->speed));
		} else if (strcmp(key, "scroll-method") == 0) {
			lumen_input_device_v1_set_scroll_method(d->proxy,
				name_index(value, scroll_method_names, 4, "scroll method"));
		} else {
			die_usage("unknown setting '%s' (tap, natural-scroll, left-handed, accel-profile, "
					  "accel-speed, scroll-method)",
				key);
		}
		roundtrip(); // refused settings end here with inputd's error
	}
	roundtrip();
	print_device(d);
	fflush(stdout);
	return 0;
}

static int run_consumer(void) {
	if (mode == MODE_MONITOR) {
		lumen_input_v1_become_master(input);
		if (wl_display_roundtrip(display) < 0) {
			const struct wl_interface *iface = NULL;
			uint32_t id;
			if (wl_display_get_error(display) == EPROTO &&
					wl_display_get_protocol_error(display, &iface, &id) ==
						LUMEN_INPUT_V1_ERROR_MASTER_TAKEN &&
					iface == &lumen_input_v1_interface) {
				fprintf(stderr, "%s: another client (the compositor?) is the seat master\n",
					prog);
				return 1;
			}
			fail_connection();
		}
		printf("monitoring\n");
		fflush(stdout);
	} else {
		for (int i = 0; i < n_devices; i++) {
			if (!devices[i].removed) {
				print_device(&devices[i]);
			}
		}
		if (mode == MODE_LIST) {
			fflush(stdout);
			return 0;
		}
		printf("following changes\n");
		fflush(stdout);
	}
	while (wl_display_dispatch(display) >= 0) {
	}
	fail_connection();
	return 1;
}

/* Driver side */

static const char *opt_name = "lumen-inputctl";
static uint32_t opt_width = 1920, opt_height = 1080;
static long opt_delay_ms;

static struct lumen_input_virtual_device_v1 *vdevs[6]; // by type

static struct lumen_input_virtual_device_v1 *vdev(uint32_t type) {
	if (!vdevs[type]) {
		static const char *suffix[] = {"keyboard", "pointer", "touch", "switch", "pen", "pad"};
		char name[128];
		snprintf(name, sizeof(name), "%s %s", opt_name, suffix[type]);
		bool sized = type == LUMEN_INPUT_V1_DEVICE_TYPE_POINTER ||
			type == LUMEN_INPUT_V1_DEVICE_TYPE_TOUCH ||
			type == LUMEN_INPUT_V1_DEVICE_TYPE_TABLET_TOOL;
		vdevs[type] = lumen_input_v1_create_virtual_device(input, type, name, 0, 0,
			sized ? opt_width : 0, sized ? opt_height : 0);
		roundtrip();
	}
	return vdevs[type];
}

static void pause_ms(long ms) {
	if (ms <= 0) {
		return;
	}
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
	}
}

static void key_event(uint32_t code, bool down) {
	struct lumen_input_virtual_device_v1 *kb = vdev(LUMEN_INPUT_V1_DEVICE_TYPE_KEYBOARD);
	lumen_input_virtual_device_v1_key(kb, code, down);
	lumen_input_virtual_device_v1_frame(kb);
	if (opt_delay_ms > 0) {
		roundtrip();
		pause_ms(opt_delay_ms);
	} else if (wl_display_flush(display) < 0 && errno != EAGAIN) {
		fail_connection();
	}
}

/* Key names: "a", "enter", "KEY_ENTER", "ctrl", "30". -1 if unknown. */
static int key_code(const char *name) {
	static const struct {
		const char *alias;
		int code;
	} aliases[] = {
		{"ctrl", KEY_LEFTCTRL}, {"control", KEY_LEFTCTRL}, {"shift", KEY_LEFTSHIFT},
		{"alt", KEY_LEFTALT}, {"altgr", KEY_RIGHTALT}, {"super", KEY_LEFTMETA},
		{"meta", KEY_LEFTMETA}, {"logo", KEY_LEFTMETA}, {"win", KEY_LEFTMETA},
		{"return", KEY_ENTER}, {"escape", KEY_ESC}, {"del", KEY_DELETE},
	};
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		if (strcasecmp(name, aliases[i].alias) == 0) {
			return aliases[i].code;
		}
	}
	char *end;
	long n = strtol(name, &end, 0);
	if (end != name && *end == '\0') {
		return n > 0 && n < KEY_MAX ? (int)n : -1;
	}
	char upper[64];
	size_t len = strlen(name);
	bool prefixed = strncasecmp(name, "KEY_", 4) == 0 || strncasecmp(name, "BTN_", 4) == 0;
	if (len + 5 > sizeof(upper)) {
		return -1;
	}
	snprintf(upper, sizeof(upper), "%s%s", prefixed ? "" : "KEY_", name);
	for (char *c = upper; *c; c++) {
		*c = (char)toupper((unsigned char)*c);
	}
	return libevdev_event_code_from_name(EV_KEY, upper);
}

static int need_key(const char *name) {
	int code = key_code(name);
	if (code < 0) {
		die_usage("unknown key '%s' (try a, enter, KEY_F1, ctrl, or a number)", name);
	}
	return code;
}

static void cmd_key_combo(const char *combo) {
	int codes[8];
	int n = 0;
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", combo);
	char *save = NULL;
	for (char *tok = strtok_r(buf, "+", &save); tok; tok = strtok_r(NULL, "+", &save)) {
		if (n >= 8) {
			die_usage("too many keys in '%s'", combo);
		}
		codes[n++] = need_key(tok);
	}
	if (n == 0) {
		die_usage("no key in '%s'", combo);
	}
	for (int i = 0; i < n; i++) {
		key_event((uint32_t)codes[i], true);
	}
	for (int i = n - 1; i >= 0; i--) {
		key_event((uint32_t)codes[i], false);
	}
}

/* Typing through a layout: for each character, the key and the modifiers to hold. */

struct keymap_entry {
	uint32_t codepoint;
	uint16_t key; // evdev
	uint8_t mods; // MOD_SHIFT | MOD_LEVEL3
};

#define MOD_SHIFT 1
#define MOD_LEVEL3 2

static struct keymap_entry *typing_table;
static size_t typing_len;

static bool is_keypad(uint32_t evdev) {
	const char *name = libevdev_event_code_get_name(EV_KEY, evdev);
	return name && strncmp(name, "KEY_KP", 6) == 0;
}

/* Every character the layout's first group produces with Shift and AltGr (level 3)
 * held or not, in the order we prefer: main keys before the keypad, fewer modifiers,
 * lower keycodes. */
static bool build_typing_table(const char *layout, const char *variant) {
	struct xkb_context *ctx = xkb_context_new(XKB_CONTEXT_NO_FLAGS);
	if (!ctx) {
		return false;
	}
	struct xkb_rule_names names = {.rules = "evdev", .model = "pc105", .layout = layout,
		.variant = variant};
	struct xkb_keymap *keymap = xkb_keymap_new_from_names(ctx, &names, XKB_KEYMAP_COMPILE_NO_FLAGS);
	if (!keymap) {
		fprintf(stderr, "%s: xkb has no layout '%s'%s%s\n", prog, layout,
			variant ? " with variant " : "", variant ? variant : "");
		xkb_context_unref(ctx);
		return false;
	}
	xkb_keycode_t min = xkb_keymap_min_keycode(keymap), max = xkb_keymap_max_keycode(keymap);
	size_t cap = 4 * (size_t)(max - min + 1) * 2;
	typing_table = calloc(cap, sizeof(*typing_table));
	if (!typing_table) {
		abort();
	}
	for (int pass = 0; pass < 2; pass++) {
		for (uint8_t mods = 0; mods < 4; mods++) {
			struct xkb_state *state = xkb_state_new(keymap);
			if (!state) {
				abort();
			}
			if (mods & MOD_SHIFT) {
				xkb_state_update_key(state, KEY_LEFTSHIFT + 8, XKB_KEY_DOWN);
			}
			if (mods & MOD_LEVEL3) {
				xkb_state_update_key(state, KEY_RIGHTALT + 8, XKB_KEY_DOWN);
			}
			for (xkb_keycode_t kc = min; kc <= max; kc++) {
				if (kc < 8 || (pass == 0) == is_keypad(kc - 8)) {
					continue;
				}
				uint32_t cp = xkb_state_key_get_utf32(state, kc);
				if (cp == 0 || typing_len >= cap) {
					continue;
				}
				typing_table[typing_len++] =
					(struct keymap_entry){cp, (uint16_t)(kc - 8), mods};
			}
			xkb_state_unref(state);
		}
	}
	xkb_keymap_unref(keymap);
	xkb_context_unref(ctx);
	return true;
}

static const struct keymap_entry *find_char(uint32_t cp) {
	if (cp == '\n') {
		static const struct keymap_entry enter = {'\n', KEY_ENTER, 0};
		return &enter;
	}
	for (size_t i = 0; i < typing_len; i++) {
		/* Modifier keys produce no text; Return's '\r' stands for '\n' above. */
		if (typing_table[i].codepoint == cp) {
			return &typing_table[i];
		}
	}
	return NULL;
}

/* Decodes one UTF-8 character; 0 with *len 0 on bad input. */
static uint32_t utf8_next(const unsigned char *s, size_t *len) {
	uint32_t cp;
	size_t n;
	if (s[0] < 0x80) {
		cp = s[0];
		n = 1;
	} else if ((s[0] & 0xe0) == 0xc0) {
		cp = s[0] & 0x1f;
		n = 2;
	} else if ((s[0] & 0xf0) == 0xe0) {
		cp = s[0] & 0x0f;
		n = 3;
	} else if ((s[0] & 0xf8) == 0xf0) {
		cp = s[0] & 0x07;
		n = 4;
	} else {
		*len = 0;
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*len = 0;
			return 0;
		}
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	*len = n;
	return cp;
}

static void cmd_type(const char *text, const char *layout, const char *variant) {
	if (!typing_table && !build_typing_table(layout, variant)) {
		exit(1);
	}
	/* Check the whole string first: nothing is typed if a character cannot be. */
	const unsigned char *s = (const unsigned char *)text;
	while (*s) {
		size_t len;
		uint32_t cp = utf8_next(s, &len);
		if (len == 0) {
			fprintf(stderr, "%s: the text is not UTF-8\n", prog);
			exit(2);
		}
		if (!find_char(cp)) {
			fprintf(stderr, "%s: cannot type '%.*s' (U+%04X) with layout %s\n", prog, (int)len,
				(const char *)s, cp, layout);
			exit(1);
		}
		s += len;
	}
	s = (const unsigned char *)text;
	while (*s) {
		size_t len;
		const struct keymap_entry *e = find_char(utf8_next(s, &len));
		s += len;
		if (!e) {
			exit(1); // checked above
		}
		if (e->mods & MOD_SHIFT) {
			key_event(KEY_LEFTSHIFT, true);
		}
		if (e->mods & MOD_LEVEL3) {
			key_event(KEY_RIGHTALT, true);
		}
		key_event(e->key, true);
		key_event(e->key, false);
		if (e->mods & MOD_LEVEL3) {
			key_event(KEY_RIGHTALT, false);
		}
		if (e->mods & MOD_SHIFT) {
			key_event(KEY_LEFTSHIFT, false);
		}
	}
}

static int button_code(const char *name) {
	static const struct {
		const char *name;
		int code;
	} buttons[] = {
		{"left", BTN_LEFT}, {"right", BTN_RIGHT}, {"middle", BTN_MIDDLE}, {"side", BTN_SIDE},
		{"extra", BTN_EXTRA}, {"forward", BTN_FORWARD}, {"back", BTN_BACK}, {"task", BTN_TASK},
	};
	for (size_t i = 0; i < sizeof(buttons) / sizeof(buttons[0]); i++) {
		if (strcasecmp(name, buttons[i].name) == 0) {
			return buttons[i].code;
		}
	}
	int code = key_code(name);
	return code >= BTN_LEFT && code <= BTN_TASK ? code : -1;
}

static double need_number(const char *s, const char *what) {
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || v != v) {
		die_usage("bad number '%s'", s);
	}
	(void)what;
	return v;
}

static void pointer_frame(struct lumen_input_virtual_device_v1 *p) {
	lumen_input_virtual_device_v1_frame(p);
	roundtrip();
}

static bool is_number(const char *s) {
	char *end;
	strtod(s, &end);
	return end != s && *end == '\0';
}

/* Runs the driver commands from argv[i]; returns the status. */
static int run_driver(int argc, char **argv, int i, const char *layout, const char *variant) {
	for (; i < argc; i++) {
		const char *cmd = argv[i];
		int left = argc - i - 1;
		if (strcmp(cmd, "type") == 0 && left >= 1) {
			cmd_type(argv[++i], layout, variant);
		} else if (strcmp(cmd, "key") == 0 && left >= 1) {
			cmd_key_combo(argv[++i]);
		} else if (strcmp(cmd, "press") == 0 && left >= 1) {
			key_event((uint32_t)need_key(argv[++i]), true);
		} else if (strcmp(cmd, "release") == 0 && left >= 1) {
			key_event((uint32_t)need_key(argv[++i]), false);
		} else if (strcmp(cmd, "move") == 0 && left >= 2) {
			double dx = need_number(argv[i + 1], "dx"), dy = need_number(argv[i + 2], "dy");
			i += 2;
			struct lumen_input_virtual_device_v1 *p = vdev(LUMEN_INPUT_V1_DEVICE_TYPE_POINTER);
			lumen_input_virtual_device_v1_relative(p, REL_X, wl_fixed_from_double(dx));
			lumen_input_virtual_device_v1_relative(p, REL_Y, wl_fixed_from_double(dy));
			pointer_frame(p);
		} else if (strcmp(cmd, "move-abs") == 0 && left >= 2) {
			double x = need_number(argv[i + 1], "x"), y = need_number(argv[i + 2], "y");
			i += 2;
			struct lumen_input_virtual_device_v1 *p = vdev(LUMEN_INPUT_V1_DEVICE_TYPE_POINTER);
			lumen_input_virtual_device_v1_absolute(p, ABS_X, (int32_t)x);
			lumen_input_virtual_device_v1_absolute(p, ABS_Y, (int32_t)y);
			pointer_frame(p);
		} else if (strcmp(cmd, "click") == 0) {
			int button = BTN_LEFT;
			if (left >= 1 && button_code(argv[i + 1]) >= 0) {
				button = button_code(argv[++i]);
			}
			struct lumen_input_virtual_device_v1 *p = vdev(LUMEN_INPUT_V1_DEVICE_TYPE_POINTER);
			lumen_input_virtual_device_v1_key(p, (uint32_t)button, 1);
			pointer_frame(p);
			lumen_input_virtual_device_v1_key(p, (uint32_t)button, 0);
			pointer_frame(p);
		} else if (strcmp(cmd, "scroll") == 0 && left >= 1) {
			double dy = need_number(argv[++i], "dy"), dx = 0;
			if (left >= 2 && is_number(argv[i + 1])) {
				dx = need_number(argv[++i], "dx");
			}
			struct lumen_input_virtual_device_v1 *p = vdev(LUMEN_INPUT_V1_DEVICE_TYPE_POINTER);
			/* evdev's wheel: positive is up. */
			if (dy != 0) {
				lumen_input_virtual_device_v1_relative(p, REL_WHEEL_HI_RES,
					wl_fixed_from_double(-dy * 120));
			}
			if (dx != 0) {
				lumen_input_virtual_device_v1_relative(p, REL_HWHEEL_HI_RES,
					wl_fixed_from_double(dx * 120));
			}
			pointer_frame(p);
		} else if (strcmp(cmd, "touch") == 0 && left >= 2) {
			int32_t x = (int32_t)need_number(argv[i + 1], "x");
			int32_t y = (int32_t)need_number(argv[i + 2], "y");
			i += 2;
			struct lumen_input_virtual_device_v1 *t = vdev(LUMEN_INPUT_V1_DEVICE_TYPE_TOUCH);
			static int32_t tracking_id;
			lumen_input_virtual_device_v1_absolute(t, ABS_MT_SLOT, 0);
			lumen_input_virtual_device_v1_absolute(t, ABS_MT_TRACKING_ID, tracking_id++ & 0xffff);
			lumen_input_virtual_device_v1_absolute(t, ABS_MT_POSITION_X, x);
			lumen_input_virtual_device_v1_absolute(t, ABS_MT_POSITION_Y, y);
			pointer_frame(t);
			lumen_input_virtual_device_v1_absolute(t, ABS_MT_TRACKING_ID, -1);
			pointer_frame(t);
		} else if (strcmp(cmd, "switch") == 0 && left >= 2) {
			const char *which = argv[++i], *state = argv[++i];
			uint32_t code;
			if (strcmp(which, "lid") == 0) {
				code = SW_LID;
			} else if (strcmp(which, "tablet-mode") == 0) {
				code = SW_TABLET_MODE;
			} else {
				die_usage("unknown switch '%s' (lid, tablet-mode)", which);
			}
			if (strcmp(state, "on") != 0 && strcmp(state, "off") != 0) {
				die_usage("switch state '%s' is not on or off", state);
			}
			struct lumen_input_virtual_device_v1 *s = vdev(LUMEN_INPUT_V1_DEVICE_TYPE_SWITCH);
			lumen_input_virtual_device_v1_switch_state(s, code, strcmp(state, "on") == 0);
			pointer_frame(s);
		} else if (strcmp(cmd, "pen-in") == 0 && left >= 2) {
			int32_t x = (int32_t)need_number(argv[i + 1], "x");
			int32_t y = (int32_t)need_number(argv[i + 2], "y");
			i += 2;
			struct lumen_input_virtual_device_v1 *t = vdev(LUMEN_INPUT_V1_DEVICE_TYPE_TABLET_TOOL);
			lumen_input_virtual_device_v1_key(t, BTN_TOOL_PEN, 1);
			lumen_input_virtual_device_v1_absolute(t, ABS_X, x);
			lumen_input_virtual_device_v1_absolute(t, ABS_Y, y);
			lumen_input_virtual_device_v1_absolute(t, ABS_DISTANCE, 1000);
			pointer_frame(t);
		} else if (strcmp(cmd, "pen-move") == 0 && left >= 2) {
			int32_t x = (int32_t)need_number(argv[i + 1], "x");
			int32_t y = (int32_t)need_number(argv[i + 2], "y");
			i += 2;
			struct lumen_input_virtual_device_v1 *t = vdev(LUMEN_INPUT_V1_DEVICE_TYPE_TABLET_TOOL);
			lumen_input_virtual_device_v1_absolute(t, ABS_X, x);
			lumen_input_virtual_device_v1_absolute(t, ABS_Y, y);
			if (left >= 3 && is_number(argv[i + 1])) {
				double p = need_number(argv[++i], "pressure");
				if (p < 0 || p > 1) {
					die_usage("pressure '%s' is not in 0..1", argv[i]);
				}
				lumen_input_virtual_device_v1_absolute(t, ABS_PRESSURE, (int32_t)(p * 65535));
			}
			pointer_frame(t);
		} else if (strcmp(cmd, "pen-down") == 0) {
			double p = 0.5;
			if (left >= 1 && is_number(argv[i + 1])) {
				p = need_number(argv[++i], "pressure");
				if (p < 0 || p > 1) {
					die_usage("pressure '%s' is not in 0..1", argv[i]);
				}
			}
			struct lumen_input_virtual_device_v1 *t = vdev(LUMEN_INPUT_V1_DEVICE_TYPE_TABLET_TOOL);
			lumen_input_virtual_device_v1_absolute(t, ABS_DISTANCE, 0);
			lumen_input_virtual_device_v1_absolute(t, ABS_PRESSURE, (int32_t)(p * 65535));
			lumen_input_virtual_device_v1_key(t, BTN_TOUCH, 1);
			pointer_frame(t);
		} else if (strcmp(cmd, "pen-up") == 0) {
			struct lumen_input_virtual_device_v1 *t = vdev(LUMEN_INPUT_V1_DEVICE_TYPE_TABLET_TOOL);
			lumen_input_virtual_device_v1_absolute(t, ABS_PRESSURE, 0);
			lumen_input_virtual_device_v1_key(t, BTN_TOUCH, 0);
			pointer_frame(t);
		} else if (strcmp(cmd, "pen-button") == 0 && left >= 2) {
			const char *which = argv[++i], *state = argv[++i];
			uint32_t code = strcmp(which, "stylus") == 0 ? BTN_STYLUS
				: strcmp(which, "stylus2") == 0          ? BTN_STYLUS2
														 : 0;
			if (!code) {
				die_usage("unknown pen button '%s' (stylus, stylus2)", which);
			}
			if (strcmp(state, "down") != 0 && strcmp(state, "up") != 0) {
				die_usage("pen button state '%s' is not down or up", state);
			}
			struct lumen_input_virtual_device_v1 *t = vdev(LUMEN_INPUT_V1_DEVICE_TYPE_TABLET_TOOL);
			lumen_input_virtual_device_v1_key(t, code, strcmp(state, "down") == 0);
			pointer_frame(t);
		} else if (strcmp(cmd, "pen-out") == 0) {
			struct lumen_input_virtual_device_v1 *t = vdev(LUMEN_INPUT_V1_DEVICE_TYPE_TABLET_TOOL);
			lumen_input_virtual_device_v1_key(t, BTN_TOOL_PEN, 0);
			pointer_frame(t);
		} else if (strcmp(cmd, "pad-button") == 0 && left >= 1) {
			double n = need_number(argv[++i], "button");
			if (n < 0 || n > 9 || n != (int)n) {
				die_usage("pad button '%s' is not 0..9", argv[i]);
			}
			struct lumen_input_virtual_device_v1 *p = vdev(LUMEN_INPUT_V1_DEVICE_TYPE_TABLET_PAD);
			lumen_input_virtual_device_v1_key(p, BTN_0 + (uint32_t)n, 1);
			pointer_frame(p);
			lumen_input_virtual_device_v1_key(p, BTN_0 + (uint32_t)n, 0);
			pointer_frame(p);
		} else if ((strcmp(cmd, "pad-ring") == 0 || strcmp(cmd, "pad-strip") == 0) &&
				left >= 1) {
			bool ring = strcmp(cmd, "pad-ring") == 0;
			double v = need_number(argv[++i], ring ? "degrees" : "position");
			if (ring ? v < 0 || v >= 360 : v < 0 || v > 1) {
				die_usage(ring ? "ring angle '%s' is not in 0..359" : "strip position '%s' is not in 0..1",
					argv[i]);
			}
			struct lumen_input_virtual_device_v1 *p = vdev(LUMEN_INPUT_V1_DEVICE_TYPE_TABLET_PAD);
			uint32_t code = ring ? ABS_WHEEL : ABS_RX;
			lumen_input_virtual_device_v1_absolute(p, code, (int32_t)(ring ? v : v * 65535));
			pointer_frame(p);
			lumen_input_virtual_device_v1_absolute(p, code, -1);
			pointer_frame(p);
		} else if (strcmp(cmd, "sleep") == 0 && left >= 1) {
			double ms = need_number(argv[++i], "ms");
			roundtrip();
			pause_ms((long)ms);
		} else {
			die_usage("unknown command or missing arguments: '%s' (see --help)", cmd);
		}
	}
	roundtrip(); // every request accepted
	for (size_t t = 0; t < sizeof(vdevs) / sizeof(vdevs[0]); t++) {
		if (vdevs[t]) {
			lumen_input_virtual_device_v1_destroy(vdevs[t]);
		}
	}
	roundtrip();
	return 0;
}

int main(int argc, char *argv[]) {
	const char *socket = getenv("LUMEN_INPUT_SOCKET");
	const char *layout = "us", *variant = NULL;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *arg = argv[i];
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(arg, "--socket") == 0 && next) {
			socket = argv[++i];
		} else if (strcmp(arg, "--layout") == 0 && next) {
			layout = argv[++i];
		} else if (strcmp(arg, "--variant") == 0 && next) {
			variant = argv[++i];
		} else if (strcmp(arg, "--name") == 0 && next) {
			opt_name = argv[++i];
			if (strlen(opt_name) == 0 || strlen(opt_name) > 100) {
				die_usage("the name must be 1 to 100 bytes: '%s'", opt_name);
			}
		} else if (strcmp(arg, "--size") == 0 && next) {
			unsigned w, h;
			char extra;
			if (sscanf(next, "%ux%u%c", &w, &h, &extra) != 2 || w == 0 || h == 0 || w > 65536 ||
					h > 65536) {
				die_usage("bad size '%s' (WxH, 1..65536)", next);
			}
			opt_width = w;
			opt_height = h;
			i++;
		} else if (strcmp(arg, "--delay") == 0 && next) {
			opt_delay_ms = (long)need_number(argv[++i], "ms");
		} else {
			die_usage("unknown or incomplete option '%s' (see --help)", arg);
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[i], "list") == 0) {
		mode = MODE_LIST;
		if (i + 1 < argc && strcmp(argv[i + 1], "--follow") == 0) {
			mode = MODE_FOLLOW;
			i++;
		}
		if (i + 1 < argc) {
			die_usage("list takes only --follow, not '%s'", argv[i + 1]);
		}
	} else if (strcmp(argv[i], "monitor") == 0) {
		mode = MODE_MONITOR;
		if (i + 1 < argc) {
			die_usage("monitor takes no arguments, not '%s'", argv[i + 1]);
		}
	} else if (strcmp(argv[i], "set") == 0) {
		mode = MODE_SET;
	} else {
		mode = MODE_DRIVER;
	}
	/* Keys and layouts are checked before connecting where that is cheap. */
	connect_inputd(socket);
	int status = mode == MODE_DRIVER ? run_driver(argc, argv, i, layout, variant)
		: mode == MODE_SET           ? run_set(argc, argv, i)
									 : run_consumer();
	free(typing_table);
	for (int d = 0; d < n_devices; d++) {
		if (devices[d].proxy) {
			lumen_input_device_v1_destroy(devices[d].proxy);
		}
	}
	lumen_input_v1_destroy(input);
	wl_display_disconnect(display);
	return status;
}
