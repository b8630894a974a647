/*
 * Records the seed corpus of fuzz-input-requests: a real libwayland client runs
 * scenarios against an in-process server (set up as the fuzzer sets it up, with its
 * bystander) through a proxy that writes down every byte the client sends, in the
 * fuzzer's input format (fuzz-server.h). Run by hand when the protocol changes:
 *
 *   build/input/input-gen-seeds input/fuzz/corpus/input-requests
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/input-event-codes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wayland-client.h>
#include "common/log.h"
#include "fuzz-server.h"
#include "lumen-input-v1-client-protocol.h"

static struct input_server *server;
static int proxy_client_end = -1, proxy_server_end = -1;
static struct wl_display *display;
static uint8_t record[1 << 17];
static int bystander_fd = -1;
static size_t record_len;

/* Moves what arrived on one end to the other; records the client's bytes. */
static void forward(int from, int to, bool rec) {
	uint8_t buf[4096];
	ssize_t n;
	while ((n = recv(from, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		if (rec) {
			if (record_len + (size_t)n > sizeof(record)) {
				fprintf(stderr, "gen-seeds: scenario too long\n");
				exit(1);
			}
			memcpy(record + record_len, buf, (size_t)n);
			record_len += (size_t)n;
		}
		size_t off = 0;
		while (off < (size_t)n) {
			ssize_t w = send(to, buf + off, (size_t)n - off, MSG_NOSIGNAL);
			if (w <= 0) {
				break;
			}
			off += (size_t)w;
		}
	}
}

static bool pump_once(void) {
	wl_display_flush(display);
	forward(proxy_client_end, proxy_server_end, true);
	wl_event_loop_dispatch(input_server_get_event_loop(server), 1);
	wl_display_flush_clients(input_server_get_display(server));
	forward(proxy_server_end, proxy_client_end, false);
	char sink[4096];
	while (bystander_fd >= 0 && recv(bystander_fd, sink, sizeof(sink), MSG_DONTWAIT) > 0) {
	}
	if (wl_display_get_error(display)) {
		return false;
	}
	while (wl_display_prepare_read(display) != 0) {
		wl_display_dispatch_pending(display);
	}
	struct pollfd pfd = {.fd = wl_display_get_fd(display), .events = POLLIN};
	if (poll(&pfd, 1, 0) > 0) {
		wl_display_read_events(display);
	} else {
		wl_display_cancel_read(display);
	}
	return wl_display_dispatch_pending(display) >= 0;
}

static void sync_done(void *data, struct wl_callback *cb, uint32_t serial) {
	*(bool *)data = true;
	wl_callback_destroy(cb);
}
static const struct wl_callback_listener sync_listener = {.done = sync_done};

static void roundtrip(void) {
	bool done = false;
	struct wl_callback *cb = wl_display_sync(display);
	wl_callback_add_listener(cb, &sync_listener, &done);
	for (int i = 0; i < 2000 && !done; i++) {
		if (!pump_once()) {
			break;
		}
	}
}

/* the client's view: devices it was told of */

static struct lumen_input_v1 *global;
static struct lumen_input_device_v1 *devices[32];
static int n_devices;

static void dev_path(void *d, struct lumen_input_device_v1 *p, const char *s) {
}
static void dev_name(void *d, struct lumen_input_device_v1 *p, const char *s) {
}
static void dev_ids(void *d, struct lumen_input_device_v1 *p, uint32_t a, uint32_t b,
		uint32_t c) {
}
static void dev_caps(void *d, struct lumen_input_device_v1 *p, uint32_t a, uint32_t b) {
}
static void dev_abs(void *d, struct lumen_input_device_v1 *p, uint32_t a, int32_t b, int32_t c,
		int32_t e) {
}
static void dev_u32(void *d, struct lumen_input_device_v1 *p, uint32_t a) {
}
static void dev_settings(void *d, struct lumen_input_device_v1 *p, uint32_t a, uint32_t b,
		uint32_t c, uint32_t e, uint32_t f, wl_fixed_t g, uint32_t h, uint32_t i, uint32_t j) {
}
static void dev_void(void *d, struct lumen_input_device_v1 *p) {
}
static void dev_u32_u32(void *d, struct lumen_input_device_v1 *p, uint32_t a, uint32_t b) {
}
static void dev_rel(void *d, struct lumen_input_device_v1 *p, uint32_t a, wl_fixed_t b) {
}
static void dev_abs_ev(void *d, struct lumen_input_device_v1 *p, uint32_t a, int32_t b) {
}
static const struct lumen_input_device_v1_listener device_listener = {
	.path = dev_path,
	.name = dev_name,
	.ids = dev_ids,
	.capabilities = dev_caps,
	.abs_axis = dev_abs,
	.touch_slots = dev_u32,
	.settings = dev_settings,
	.leds = dev_u32,
	.done = dev_void,
	.removed = dev_void,
	.key = dev_u32_u32,
	.relative = dev_rel,
	.axis_source = dev_u32,
	.absolute = dev_abs_ev,
	.switch_state = dev_u32_u32,
	.frame = dev_u32_u32,
};
static void in_device(void *d, struct lumen_input_v1 *g, struct lumen_input_device_v1 *p) {
	lumen_input_device_v1_add_listener(p, &device_listener, NULL);
	if (n_devices < 32) {
		devices[n_devices++] = p;
	}
}
static void in_done(void *d, struct lumen_input_v1 *g) {
}
static const struct lumen_input_v1_listener input_listener = {in_device, in_done};
static void r_global(void *d, struct wl_registry *r, uint32_t name, const char *iface,
		uint32_t v) {
	if (strcmp(iface, lumen_input_v1_interface.name) == 0) {
		global = wl_registry_bind(r, name, &lumen_input_v1_interface, 1);
		lumen_input_v1_add_listener(global, &input_listener, NULL);
	}
}
static void r_remove(void *d, struct wl_registry *r, uint32_t name) {
}
static const struct wl_registry_listener registry_listener = {r_global, r_remove};

static struct lumen_input_virtual_device_v1 *vdev(uint32_t type, uint32_t w, uint32_t h) {
	return lumen_input_v1_create_virtual_device(global, type, "seed device", 0x46d, 0xc52b, w,
		h);
}
static void key(struct lumen_input_virtual_device_v1 *v, uint32_t code, uint32_t state) {
	lumen_input_virtual_device_v1_key(v, code, state);
	lumen_input_virtual_device_v1_frame(v);
}

/* Scenarios: each runs against a fresh server; the first argument is the setup byte. */

static void s_list(void) {
	roundtrip();
}

static void s_master(void) {
	lumen_input_v1_become_master(global);
	struct lumen_input_virtual_device_v1 *p = vdev(LUMEN_INPUT_V1_DEVICE_TYPE_POINTER, 0, 0);
	roundtrip();
	lumen_input_device_v1_set_leds(devices[0], 0); // the bystander's keyboard
	for (int i = 1; i < n_devices; i++) {
		{
			lumen_input_device_v1_set_accel(devices[i],
				LUMEN_INPUT_DEVICE_V1_ACCEL_PROFILE_FLAT, wl_fixed_from_double(-0.25));
			lumen_input_device_v1_set_natural_scroll(devices[i], 1);
			lumen_input_device_v1_set_left_handed(devices[i], 1);
			lumen_input_device_v1_set_tap(devices[i], 1);
			lumen_input_device_v1_set_scroll_method(devices[i],
				LUMEN_INPUT_DEVICE_V1_SCROLL_METHOD_ON_BUTTON_DOWN);
		}
	}
	lumen_input_device_v1_set_leds(devices[0], LUMEN_INPUT_DEVICE_V1_LED_NUM_LOCK);
	key(p, BTN_LEFT, 1);
	roundtrip();
	lumen_input_device_v1_destroy(devices[0]);
	lumen_input_virtual_device_v1_destroy(p);
	roundtrip();
}

static void s_keyboard(void) {
	struct lumen_input_virtual_device_v1 *k = vdev(LUMEN_INPUT_V1_DEVICE_TYPE_KEYBOARD, 0, 0);
	static const uint32_t text[] = {KEY_LEFTSHIFT, KEY_H, KEY_E, KEY_L, KEY_RIGHTALT, KEY_Q,
		KEY_ENTER, KEY_F12, KEY_MUTE, KEY_OK};
	for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++) {
		key(k, text[i], 1);
		if (text[i] != KEY_LEFTSHIFT && text[i] != KEY_RIGHTALT) {
			key(k, text[i], 0);
		}
	}
	lumen_input_virtual_device_v1_key(k, KEY_A, 1);
	lumen_input_virtual_device_v1_key(k, KEY_B, 1);
	lumen_input_virtual_device_v1_key(k, KEY_A, 1);
	lumen_input_virtual_device_v1_frame(k);
	lumen_input_virtual_device_v1_frame(k);
	roundtrip();
	lumen_input_virtual_device_v1_destroy(k);
	roundtrip();
}

static void s_pointer(void) {
	struct lumen_input_virtual_device_v1 *r = vdev(LUMEN_INPUT_V1_DEVICE_TYPE_POINTER, 0, 0);
	struct lumen_input_virtual_device_v1 *a =
		vdev(LUMEN_INPUT_V1_DEVICE_TYPE_POINTER, 1920, 1080);
	lumen_input_virtual_device_v1_relative(r, REL_X, wl_fixed_from_double(12.5));
	lumen_input_virtual_device_v1_relative(r, REL_Y, wl_fixed_from_int(-7));
	lumen_input_virtual_device_v1_frame(r);
	lumen_input_virtual_device_v1_relative(r, REL_WHEEL_HI_RES, wl_fixed_from_int(-120));
	lumen_input_virtual_device_v1_relative(r, REL_HWHEEL_HI_RES, wl_fixed_from_int(60));
	lumen_input_virtual_device_v1_frame(r);
	key(r, BTN_RIGHT, 1);
	key(r, BTN_RIGHT, 0);
	lumen_input_virtual_device_v1_absolute(a, ABS_X, 1919);
	lumen_input_virtual_device_v1_absolute(a, ABS_Y, 0);
	lumen_input_virtual_device_v1_frame(a);
	key(a, BTN_MIDDLE, 1);
	roundtrip();
}

static void s_touch_switch(void) {
	struct lumen_input_virtual_device_v1 *t = vdev(LUMEN_INPUT_V1_DEVICE_TYPE_TOUCH, 800, 600);
	struct lumen_input_virtual_device_v1 *s = vdev(LUMEN_INPUT_V1_DEVICE_TYPE_SWITCH, 0, 0);
	for (int slot = 0; slot < 3; slot++) {
		lumen_input_virtual_device_v1_absolute(t, ABS_MT_SLOT, slot);
		lumen_input_virtual_device_v1_absolute(t, ABS_MT_TRACKING_ID, 100 + slot);
		lumen_input_virtual_device_v1_absolute(t, ABS_MT_POSITION_X, 10 * slot);
		lumen_input_virtual_device_v1_absolute(t, ABS_MT_POSITION_Y, 599);
	}
	lumen_input_virtual_device_v1_frame(t);
	lumen_input_virtual_device_v1_absolute(t, ABS_MT_SLOT, 1);
	lumen_input_virtual_device_v1_absolute(t, ABS_MT_TRACKING_ID, -1);
	lumen_input_virtual_device_v1_frame(t);
	lumen_input_virtual_device_v1_switch_state(s, SW_LID, 1);
	lumen_input_virtual_device_v1_switch_state(s, SW_TABLET_MODE, 0);
	lumen_input_virtual_device_v1_frame(s);
	roundtrip();
}

static void s_tablet(void) {
	struct lumen_input_virtual_device_v1 *t =
		vdev(LUMEN_INPUT_V1_DEVICE_TYPE_TABLET_TOOL, 1000, 800);
	key(t, BTN_TOOL_PEN, 1);
	lumen_input_virtual_device_v1_absolute(t, ABS_X, 999);
	lumen_input_virtual_device_v1_absolute(t, ABS_Y, 10);
	lumen_input_virtual_device_v1_absolute(t, ABS_DISTANCE, 100);
	lumen_input_virtual_device_v1_frame(t);
	lumen_input_virtual_device_v1_absolute(t, ABS_PRESSURE, 65535);
	lumen_input_virtual_device_v1_absolute(t, ABS_TILT_X, -90);
	lumen_input_virtual_device_v1_absolute(t, ABS_TILT_Y, 90);
	key(t, BTN_TOUCH, 1);
	key(t, BTN_STYLUS, 1);
	key(t, BTN_STYLUS, 0);
	key(t, BTN_TOUCH, 0);
	key(t, BTN_TOOL_PEN, 0);
	key(t, BTN_TOOL_RUBBER, 1);
	lumen_input_virtual_device_v1_frame(t);
	struct lumen_input_virtual_device_v1 *p = vdev(LUMEN_INPUT_V1_DEVICE_TYPE_TABLET_PAD, 0, 0);
	key(p, BTN_0, 1);
	key(p, BTN_9, 1);
	lumen_input_virtual_device_v1_absolute(p, ABS_WHEEL, 359);
	lumen_input_virtual_device_v1_absolute(p, ABS_RX, 65535);
	lumen_input_virtual_device_v1_frame(p);
	lumen_input_virtual_device_v1_absolute(p, ABS_WHEEL, -1);
	lumen_input_virtual_device_v1_absolute(p, ABS_RX, -1);
	lumen_input_virtual_device_v1_frame(p);
	roundtrip();
}

static void s_bad_value(void) {
	struct lumen_input_virtual_device_v1 *k = vdev(LUMEN_INPUT_V1_DEVICE_TYPE_KEYBOARD, 0, 0);
	key(k, KEY_A, 1);
	key(k, KEY_A, 7);
	roundtrip();
}

static void s_many(void) {
	struct lumen_input_virtual_device_v1 *k = vdev(LUMEN_INPUT_V1_DEVICE_TYPE_KEYBOARD, 0, 0);
	for (int i = 0; i < 400; i++) {
		key(k, KEY_X, (uint32_t)(i % 2 == 0));
		if (i % 64 == 0) {
			roundtrip();
		}
	}
	for (int i = 0; i < 17; i++) {
		vdev(LUMEN_INPUT_V1_DEVICE_TYPE_SWITCH, 0, 0);
	}
	roundtrip();
}

static void run(const char *dir, const char *name, uint8_t setup, void (*scenario)(void)) {
	server = fuzz_server_create();
	int to_server[2], to_client[2];
	if (!server || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, to_server) != 0 ||
			socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, to_client) != 0) {
		fprintf(stderr, "gen-seeds: setup failed\n");
		exit(1);
	}
	/* The fuzzer's bystander, made the same way, so object ids match on replay. */
	int by[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, by) != 0) {
		exit(1);
	}
	input_server_add_client(server, by[0]);
	uint8_t setup_bytes[256];
	size_t setup_len = fuzz_bystander_requests(setup_bytes, setup & FUZZ_BYSTANDER_MASTER);
	if (send(by[1], setup_bytes, setup_len, MSG_NOSIGNAL) != (ssize_t)setup_len) {
		exit(1);
	}
	wl_event_loop_dispatch(input_server_get_event_loop(server), 0);
	bystander_fd = by[1];

	/* The recorded client */
	input_server_add_client(server, to_server[0]);
	proxy_server_end = to_server[1];
	proxy_client_end = to_client[0];
	display = wl_display_connect_to_fd(to_client[1]);
	global = NULL;
	n_devices = 0;
	record_len = 0;
	record[record_len++] = setup;
	struct wl_registry *registry = wl_display_get_registry(display);
	wl_registry_add_listener(registry, &registry_listener, NULL);
	roundtrip();
	roundtrip();
	scenario();
	roundtrip();
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(record, 1, record_len, f) != record_len || fclose(f) != 0) {
		fprintf(stderr, "gen-seeds: cannot write %s\n", path);
		exit(1);
	}
	printf("%s: %zu bytes\n", path, record_len);
	wl_display_disconnect(display);
	close(proxy_server_end);
	close(proxy_client_end);
	input_server_destroy(server);
	close(by[1]);
	bystander_fd = -1;
}

int main(int argc, char *argv[]) {
	if (argc != 2) {
		fprintf(stderr, "usage: input-gen-seeds DIR\n");
		return 2;
	}
	lumen_log_init(LUMEN_SILENT);
	run(argv[1], "list", FUZZ_BYSTANDER_MASTER, s_list);
	run(argv[1], "master-settings", 0, s_master);
	run(argv[1], "keyboard", FUZZ_BYSTANDER_MASTER, s_keyboard);
	run(argv[1], "pointer", FUZZ_BYSTANDER_MASTER, s_pointer);
	run(argv[1], "touch-switch", FUZZ_BYSTANDER_MASTER, s_touch_switch);
	run(argv[1], "tablet", FUZZ_BYSTANDER_MASTER, s_tablet);
	run(argv[1], "bad-value", FUZZ_BYSTANDER_MASTER, s_bad_value);
	run(argv[1], "many", FUZZ_BYSTANDER_MASTER, s_many);
	return 0;
}
