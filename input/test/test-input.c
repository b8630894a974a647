/*
 * lumen-inputd in-process: the server runs on its event loop in this thread, and
 * libwayland clients (consumers, a master, drivers) talk to it over socketpairs;
 * pump() turns both sides by turns. Every check is on what a client sees: devices
 * announced, events and frames received, errors. TAP output.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/input-event-codes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <wayland-client.h>
#include "common/log.h"
#include "core.h" // a stand-in for a real device goes through the producer API
#include "input/server.h"
#include "lumen-input-v1-client-protocol.h"

#define MAX_DEVICES 24
#define KEY_LOG 64

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

static uint64_t now_usec(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static struct input_server *server;
static struct wl_event_loop *server_loop;

/* A device as a client sees it. */
struct t_device {
	struct lumen_input_device_v1 *proxy;
	char path[64], name[128];
	uint32_t caps, is_virtual, bustype, vendor, product, slots, leds;
	uint32_t supported, accel_profile, tap;
	double accel_speed;
	int n_axes, n_done;
	bool removed;
	/* events (the master's) */
	int n_keys, n_frames, events_in_frame, last_frame_events;
	uint32_t key_log[KEY_LOG][2]; // code, state
	uint8_t pressed[0x300 / 8];
	int n_pressed;
	uint64_t last_usec;
	int n_rel, n_abs, n_switch;
	int32_t last_abs_code, last_abs_value;
	double last_rel;
	bool touching;
	int events_after_removed;
};

struct t_client {
	struct wl_display *display;
	struct wl_registry *registry;
	struct lumen_input_v1 *global;
	struct t_device devices[MAX_DEVICES];
	int n_devices;
	bool done;
	bool paused; // not read by pump: a master that does not keep up
};

static struct t_client *clients[8];

static void dev_path(void *data, struct lumen_input_device_v1 *p, const char *path) {
	struct t_device *d = data;
	snprintf(d->path, sizeof(d->path), "%s", path);
}
static void dev_name(void *data, struct lumen_input_device_v1 *p, const char *name) {
	struct t_device *d = data;
	snprintf(d->name, sizeof(d->name), "%s", name);
}
static void dev_ids(void *data, struct lumen_input_device_v1 *p, uint32_t bus, uint32_t vendor,
		uint32_t product) {
	struct t_device *d = data;
	d->bustype = bus;
	d->vendor = vendor;
	d->product = product;
}
static void dev_capabilities(void *data, struct lumen_input_device_v1 *p, uint32_t caps,
		uint32_t is_virtual) {
	struct t_device *d = data;
	d->caps = caps;
	d->is_virtual = is_virtual;
}
static void dev_abs_axis(void *data, struct lumen_input_device_v1 *p, uint32_t code, int32_t min,
		int32_t max, int32_t res) {
	struct t_device *d = data;
	d->n_axes++;
}
static void dev_touch_slots(void *data, struct lumen_input_device_v1 *p, uint32_t slots) {
	struct t_device *d = data;
	d->slots = slots;
}
static void dev_settings(void *data, struct lumen_input_device_v1 *p, uint32_t supported,
		uint32_t tap, uint32_t natural, uint32_t left, uint32_t profile, wl_fixed_t speed,
		uint32_t method, uint32_t profiles, uint32_t methods) {
	struct t_device *d = data;
	d->supported = supported;
	d->tap = tap;
	d->accel_profile = profile;
	d->accel_speed = wl_fixed_to_double(speed);
}
static void dev_leds(void *data, struct lumen_input_device_v1 *p, uint32_t leds) {
	struct t_device *d = data;
	d->leds = leds;
}
static void dev_done(void *data, struct lumen_input_device_v1 *p) {
	struct t_device *d = data;
	d->n_done++;
}
static void dev_removed(void *data, struct lumen_input_device_v1 *p) {
	struct t_device *d = data;
	d->removed = true;
}
static void count_event(struct t_device *d) {
	d->events_in_frame++;
	if (d->removed) {
		d->events_after_removed++;
	}
}
static void dev_key(void *data, struct lumen_input_device_v1 *p, uint32_t code, uint32_t state) {
	struct t_device *d = data;
	count_event(d);
	d->key_log[d->n_keys % KEY_LOG][0] = code;
	d->key_log[d->n_keys % KEY_LOG][1] = state;
	d->n_keys++;
	if (code < 0x300) {
		bool was = d->pressed[code / 8] & (1u << (code % 8));
		if (state && !was) {
			d->pressed[code / 8] |= (uint8_t)(1u << (code % 8));
			d->n_pressed++;
		} else if (!state && was) {
			d->pressed[code / 8] &= (uint8_t)~(1u << (code % 8));
			d->n_pressed--;
		}
	}
}
static void dev_relative(void *data, struct lumen_input_device_v1 *p, uint32_t code,
		wl_fixed_t value) {
	struct t_device *d = data;
	count_event(d);
	d->n_rel++;
	d->last_rel = wl_fixed_to_double(value);
}
static void dev_axis_source(void *data, struct lumen_input_device_v1 *p, uint32_t source) {
	count_event(data);
}
static void dev_absolute(void *data, struct lumen_input_device_v1 *p, uint32_t code,
		int32_t value) {
	struct t_device *d = data;
	count_event(d);
	d->n_abs++;
	d->last_abs_code = (int32_t)code;
	d->last_abs_value = value;
	if (code == ABS_MT_TRACKING_ID) {
		d->touching = value >= 0;
	}
}
static void dev_switch_state(void *data, struct lumen_input_device_v1 *p, uint32_t code,
		uint32_t state) {
	struct t_device *d = data;
	count_event(d);
	d->n_switch++;
}
static void dev_frame(void *data, struct lumen_input_device_v1 *p, uint32_t hi, uint32_t lo) {
	struct t_device *d = data;
	d->n_frames++;
	d->last_frame_events = d->events_in_frame;
	d->events_in_frame = 0;
	d->last_usec = ((uint64_t)hi << 32) | lo;
	if (d->removed) {
		d->events_after_removed++;
	}
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
	struct t_client *c = data;
	if (c->n_devices >= MAX_DEVICES) {
		lumen_input_device_v1_destroy(p);
		return;
	}
	struct t_device *d = &c->devices[c->n_devices++];
	d->proxy = p;
	lumen_input_device_v1_add_listener(p, &device_listener, d);
}
static void input_done(void *data, struct lumen_input_v1 *g) {
	struct t_client *c = data;
	c->done = true;
}
static const struct lumen_input_v1_listener input_listener = {
	.device = input_device,
	.done = input_done,
};

static void registry_global(void *data, struct wl_registry *r, uint32_t name,
		const char *interface, uint32_t version) {
	struct t_client *c = data;
	if (strcmp(interface, lumen_input_v1_interface.name) == 0) {
		c->global = wl_registry_bind(r, name, &lumen_input_v1_interface, 1);
		lumen_input_v1_add_listener(c->global, &input_listener, c);
	}
}
static void registry_global_remove(void *data, struct wl_registry *r, uint32_t name) {
}
static const struct wl_registry_listener registry_listener = {
	.global = registry_global,
	.global_remove = registry_global_remove,
};

/* Reads what has arrived for one client without blocking; false on a dead connection. */
static bool client_read(struct t_client *c) {
	if (wl_display_get_error(c->display)) {
		return false;
	}
	wl_display_flush(c->display);
	while (wl_display_prepare_read(c->display) != 0) {
		if (wl_display_dispatch_pending(c->display) < 0) {
			return false;
		}
	}
	struct pollfd pfd = {.fd = wl_display_get_fd(c->display), .events = POLLIN};
	if (poll(&pfd, 1, 0) > 0) {
		if (wl_display_read_events(c->display) < 0) {
			return false;
		}
	} else {
		wl_display_cancel_read(c->display);
	}
	return wl_display_dispatch_pending(c->display) >= 0;
}

/* Turns the server and every client (but paused ones) until *flag is set or c has
 * failed. A guard against hangs only: nothing checks how long it took. */
static bool pump(struct t_client *c, const bool *flag) {
	for (int i = 0; i < 20000; i++) {
		for (size_t j = 0; j < sizeof(clients) / sizeof(clients[0]); j++) {
			if (clients[j] && !wl_display_get_error(clients[j]->display)) {
				wl_display_flush(clients[j]->display);
			}
		}
		wl_event_loop_dispatch(server_loop, 1);
		wl_display_flush_clients(input_server_get_display(server));
		bool alive = true;
		for (size_t j = 0; j < sizeof(clients) / sizeof(clients[0]); j++) {
			if (clients[j] && !clients[j]->paused && !client_read(clients[j]) &&
					clients[j] == c) {
				alive = false;
			}
		}
		if (flag && *flag) {
			return true;
		}
		if (!alive) {
			return false;
		}
	}
	return false;
}

static void sync_done(void *data, struct wl_callback *cb, uint32_t serial) {
	*(bool *)data = true;
	wl_callback_destroy(cb);
}
static const struct wl_callback_listener sync_listener = {.done = sync_done};

static bool roundtrip(struct t_client *c) {
	bool done = false;
	struct wl_callback *cb = wl_display_sync(c->display);
	wl_callback_add_listener(cb, &sync_listener, &done);
	bool ret = pump(c, &done);
	if (!done) {
		wl_callback_destroy(cb); // the connection died first
	}
	return ret;
}

/* Everything in flight delivered: a roundtrip of every live client, twice (a driver's
 * frame reaches the master on the server's next turn). */
static void settle(void) {
	for (int k = 0; k < 2; k++) {
		for (size_t j = 0; j < sizeof(clients) / sizeof(clients[0]); j++) {
			if (clients[j] && !clients[j]->paused && !wl_display_get_error(clients[j]->display)) {
				roundtrip(clients[j]);
			}
		}
	}
}

static struct t_client *client_connect(void) {
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		return NULL;
	}
	struct t_client *c = calloc(1, sizeof(*c));
	if (!c || !input_server_add_client(server, sv[0])) {
		free(c);
		close(sv[1]);
		return NULL;
	}
	c->display = wl_display_connect_to_fd(sv[1]);
	for (size_t j = 0; j < sizeof(clients) / sizeof(clients[0]); j++) {
		if (!clients[j]) {
			clients[j] = c;
			break;
		}
	}
	c->registry = wl_display_get_registry(c->display);
	wl_registry_add_listener(c->registry, &registry_listener, c);
	roundtrip(c);
	pump(c, &c->done);
	return c;
}

static void client_disconnect(struct t_client *c) {
	if (!c) {
		return;
	}
	for (int i = 0; i < c->n_devices; i++) {
		lumen_input_device_v1_destroy(c->devices[i].proxy);
	}
	if (c->global) {
		lumen_input_v1_destroy(c->global);
	}
	wl_registry_destroy(c->registry);
	wl_display_flush(c->display);
	wl_display_disconnect(c->display);
	for (size_t j = 0; j < sizeof(clients) / sizeof(clients[0]); j++) {
		if (clients[j] == c) {
			clients[j] = NULL;
		}
	}
	free(c);
	for (int i = 0; i < 5; i++) {
		wl_event_loop_dispatch(server_loop, 0);
	}
}

/* The protocol error a client got: its code, or -1 if none. */
static int client_error(struct t_client *c, const struct wl_interface **interface) {
	if (wl_display_get_error(c->display) != EPROTO) {
		return -1;
	}
	uint32_t id;
	return (int)wl_display_get_protocol_error(c->display, interface, &id);
}

/* The device a client was told of; bails out without it (the checks after need it). */
static struct t_device *find_device(struct t_client *c, const char *path) {
	for (int i = c ? c->n_devices - 1 : -1; i >= 0; i--) {
		if (strcmp(c->devices[i].path, path) == 0) {
			return &c->devices[i];
		}
	}
	printf("Bail out! a client was not told of %s\n", path);
	exit(1);
}

/* The driver's side */

struct t_vdev {
	struct lumen_input_virtual_device_v1 *proxy;
	char path[64];
	uint32_t leds;
	int n_leds;
};

static void vdev_path(void *data, struct lumen_input_virtual_device_v1 *p, const char *path) {
	struct t_vdev *v = data;
	snprintf(v->path, sizeof(v->path), "%s", path);
}
static void vdev_leds(void *data, struct lumen_input_virtual_device_v1 *p, uint32_t leds) {
	struct t_vdev *v = data;
	v->leds = leds;
	v->n_leds++;
}
static const struct lumen_input_virtual_device_v1_listener vdev_listener = {
	.path = vdev_path,
	.leds = vdev_leds,
};

static void vdev_create(struct t_client *c, struct t_vdev *v, uint32_t type, const char *name,
		uint32_t w, uint32_t h) {
	memset(v, 0, sizeof(*v));
	v->proxy = lumen_input_v1_create_virtual_device(c->global, type, name, 0x1234, 0x5678, w, h);
	lumen_input_virtual_device_v1_add_listener(v->proxy, &vdev_listener, v);
	roundtrip(c);
}

static void key(struct t_vdev *v, uint32_t code, uint32_t state) {
	lumen_input_virtual_device_v1_key(v->proxy, code, state);
	lumen_input_virtual_device_v1_frame(v->proxy);
}

/* A driver that makes one device and one bad request: the error it gets. */
enum bad {
	BAD_BUTTON_ON_KEYBOARD,
	BAD_KEY_STATE,
	BAD_KEY_CODE_RANGE,
	BAD_KEY_ON_POINTER,
	BAD_REL_HUGE,
	BAD_REL_CODE,
	BAD_ABS_ON_RELATIVE_POINTER,
	BAD_ABS_OUT_OF_RANGE,
	BAD_TOUCH_NO_CONTACT,
	BAD_TOUCH_SLOT,
	BAD_SWITCH_CODE,
	BAD_TOO_MANY_EVENTS,
	BAD_TYPE,
	BAD_NAME,
	BAD_RANGE,
	BAD_TOUCH_NO_RANGE,
	BAD_TOO_MANY_DEVICES,
	BAD_TABLET_TIP_NO_TOOL,
	BAD_TABLET_PRESSURE,
	BAD_TABLET_KEY,
	BAD_TABLET_SECOND_TOOL,
	BAD_TABLET_NO_RANGE,
	BAD_PAD_RING,
	BAD_PAD_KEY,
};

static int try_bad(enum bad what, const struct wl_interface **iface) {
	struct t_client *c = client_connect();
	if (!c) {
		return -2;
	}
	uint32_t type = LUMEN_INPUT_V1_DEVICE_TYPE_KEYBOARD, w = 0, h = 0;
	switch (what) {
	case BAD_KEY_ON_POINTER:
	case BAD_REL_HUGE:
	case BAD_REL_CODE:
	case BAD_ABS_ON_RELATIVE_POINTER:
		type = LUMEN_INPUT_V1_DEVICE_TYPE_POINTER;
		break;
	case BAD_ABS_OUT_OF_RANGE:
		type = LUMEN_INPUT_V1_DEVICE_TYPE_POINTER;
		w = 100;
		h = 50;
		break;
	case BAD_TOUCH_NO_CONTACT:
	case BAD_TOUCH_SLOT:
		type = LUMEN_INPUT_V1_DEVICE_TYPE_TOUCH;
		w = 100;
		h = 50;
		break;
	case BAD_SWITCH_CODE:
		type = LUMEN_INPUT_V1_DEVICE_TYPE_SWITCH;
		break;
	case BAD_TABLET_TIP_NO_TOOL:
	case BAD_TABLET_PRESSURE:
	case BAD_TABLET_KEY:
	case BAD_TABLET_SECOND_TOOL:
		type = LUMEN_INPUT_V1_DEVICE_TYPE_TABLET_TOOL;
		w = 100;
		h = 50;
		break;
	case BAD_PAD_RING:
	case BAD_PAD_KEY:
		type = LUMEN_INPUT_V1_DEVICE_TYPE_TABLET_PAD;
		break;
	default:
		break;
	}
	struct t_vdev v = {0};
	struct lumen_input_virtual_device_v1 *extra[INPUT_MAX_VIRTUAL_PER_CLIENT + 1] = {0};
	switch (what) {
	case BAD_TYPE:
		extra[0] = lumen_input_v1_create_virtual_device(c->global, 9, "x", 0, 0, 0, 0);
		break;
	case BAD_NAME:
		extra[0] = lumen_input_v1_create_virtual_device(c->global, 0, "", 0, 0, 0, 0);
		break;
	case BAD_RANGE:
		extra[0] = lumen_input_v1_create_virtual_device(c->global, 1, "p", 0, 0, 100, 0);
		break;
	case BAD_TOUCH_NO_RANGE:
		extra[0] = lumen_input_v1_create_virtual_device(c->global, 2, "t", 0, 0, 0, 0);
		break;
	case BAD_TABLET_NO_RANGE:
		extra[0] = lumen_input_v1_create_virtual_device(c->global,
			LUMEN_INPUT_V1_DEVICE_TYPE_TABLET_TOOL, "pen", 0, 0, 0, 0);
		break;
	case BAD_TOO_MANY_DEVICES:
		/* The announcements of the first 16 are read before the error: proxies that
		 * libwayland made for events it never dispatched would leak. */
		for (int i = 0; i < INPUT_MAX_VIRTUAL_PER_CLIENT + 1; i++) {
			if (i == INPUT_MAX_VIRTUAL_PER_CLIENT) {
				roundtrip(c);
			}
			extra[i] = lumen_input_v1_create_virtual_device(c->global, 0, "k", 0, 0, 0, 0);
		}
		break;
	default:
		vdev_create(c, &v, type, "bad", w, h);
		break;
	}
	struct lumen_input_virtual_device_v1 *p = v.proxy;
	switch (what) {
	case BAD_BUTTON_ON_KEYBOARD:
		key(&v, BTN_LEFT, 1);
		break;
	case BAD_KEY_STATE:
		key(&v, KEY_A, 2);
		break;
	case BAD_KEY_CODE_RANGE:
		key(&v, 0x300, 1);
		break;
	case BAD_KEY_ON_POINTER:
		key(&v, KEY_A, 1);
		break;
	case BAD_REL_HUGE:
		lumen_input_virtual_device_v1_relative(p, REL_X, wl_fixed_from_int(100000));
		break;
	case BAD_REL_CODE:
		lumen_input_virtual_device_v1_relative(p, REL_DIAL, wl_fixed_from_int(1));
		break;
	case BAD_ABS_ON_RELATIVE_POINTER:
		lumen_input_virtual_device_v1_absolute(p, ABS_X, 1);
		break;
	case BAD_ABS_OUT_OF_RANGE:
		lumen_input_virtual_device_v1_absolute(p, ABS_X, 100);
		break;
	case BAD_TOUCH_NO_CONTACT:
		lumen_input_virtual_device_v1_absolute(p, ABS_MT_POSITION_X, 10);
		break;
	case BAD_TOUCH_SLOT:
		lumen_input_virtual_device_v1_absolute(p, ABS_MT_SLOT, 10);
		break;
	case BAD_SWITCH_CODE:
		lumen_input_virtual_device_v1_switch_state(p, SW_HEADPHONE_INSERT, 1);
		break;
	case BAD_TABLET_TIP_NO_TOOL:
		key(&v, BTN_TOUCH, 1);
		break;
	case BAD_TABLET_PRESSURE:
		lumen_input_virtual_device_v1_absolute(p, ABS_PRESSURE, 65536);
		break;
	case BAD_TABLET_KEY:
		key(&v, BTN_LEFT, 1);
		break;
	case BAD_TABLET_SECOND_TOOL:
		key(&v, BTN_TOOL_PEN, 1);
		key(&v, BTN_TOOL_RUBBER, 1);
		break;
	case BAD_PAD_RING:
		lumen_input_virtual_device_v1_absolute(p, ABS_WHEEL, 360);
		break;
	case BAD_PAD_KEY:
		key(&v, BTN_LEFT, 1);
		break;
	case BAD_TOO_MANY_EVENTS:
		for (int i = 0; i < INPUT_MAX_FRAME_EVENTS + 1; i++) {
			lumen_input_virtual_device_v1_key(p, KEY_A, (uint32_t)(i % 2 == 0));
		}
		break;
	default:
		break;
	}
	roundtrip(c);
	int code = client_error(c, iface);
	if (p) {
		lumen_input_virtual_device_v1_destroy(p);
	}
	for (int i = 0; i < INPUT_MAX_VIRTUAL_PER_CLIENT + 1; i++) {
		if (extra[i]) {
			lumen_input_virtual_device_v1_destroy(extra[i]);
		}
	}
	client_disconnect(c);
	return code;
}

static void test_bad_requests(struct t_client *master) {
	static const struct {
		enum bad what;
		const struct wl_interface *iface;
		int code;
		const char *desc;
	} cases[] = {
		{BAD_BUTTON_ON_KEYBOARD, &lumen_input_virtual_device_v1_interface,
			LUMEN_INPUT_VIRTUAL_DEVICE_V1_ERROR_INVALID_CODE, "a mouse button on a keyboard"},
		{BAD_KEY_STATE, &lumen_input_virtual_device_v1_interface,
			LUMEN_INPUT_VIRTUAL_DEVICE_V1_ERROR_INVALID_VALUE, "key state 2"},
		{BAD_KEY_CODE_RANGE, &lumen_input_virtual_device_v1_interface,
			LUMEN_INPUT_VIRTUAL_DEVICE_V1_ERROR_INVALID_CODE, "key code 0x300 (past KEY_MAX)"},
		{BAD_KEY_ON_POINTER, &lumen_input_virtual_device_v1_interface,
			LUMEN_INPUT_VIRTUAL_DEVICE_V1_ERROR_INVALID_CODE, "KEY_A on a pointer"},
		{BAD_REL_HUGE, &lumen_input_virtual_device_v1_interface,
			LUMEN_INPUT_VIRTUAL_DEVICE_V1_ERROR_INVALID_VALUE, "a motion of 100000"},
		{BAD_REL_CODE, &lumen_input_virtual_device_v1_interface,
			LUMEN_INPUT_VIRTUAL_DEVICE_V1_ERROR_INVALID_CODE, "REL_DIAL"},
		{BAD_ABS_ON_RELATIVE_POINTER, &lumen_input_virtual_device_v1_interface,
			LUMEN_INPUT_VIRTUAL_DEVICE_V1_ERROR_INVALID_CODE,
			"ABS_X on a pointer without a range"},
		{BAD_ABS_OUT_OF_RANGE, &lumen_input_virtual_device_v1_interface,
			LUMEN_INPUT_VIRTUAL_DEVICE_V1_ERROR_INVALID_VALUE, "ABS_X = width"},
		{BAD_TOUCH_NO_CONTACT, &lumen_input_virtual_device_v1_interface,
			LUMEN_INPUT_VIRTUAL_DEVICE_V1_ERROR_INVALID_VALUE, "a position on a slot without a contact"},
		{BAD_TOUCH_SLOT, &lumen_input_virtual_device_v1_interface,
			LUMEN_INPUT_VIRTUAL_DEVICE_V1_ERROR_INVALID_VALUE, "slot 10"},
		{BAD_SWITCH_CODE, &lumen_input_virtual_device_v1_interface,
			LUMEN_INPUT_VIRTUAL_DEVICE_V1_ERROR_INVALID_CODE, "SW_HEADPHONE_INSERT"},
		{BAD_TOO_MANY_EVENTS, &lumen_input_virtual_device_v1_interface,
			LUMEN_INPUT_VIRTUAL_DEVICE_V1_ERROR_TOO_MANY_EVENTS, "65 events in one frame"},
		{BAD_TYPE, &lumen_input_v1_interface, LUMEN_INPUT_V1_ERROR_INVALID_DEVICE,
			"device type 9"},
		{BAD_NAME, &lumen_input_v1_interface, LUMEN_INPUT_V1_ERROR_INVALID_DEVICE, "an empty name"},
		{BAD_RANGE, &lumen_input_v1_interface, LUMEN_INPUT_V1_ERROR_INVALID_DEVICE,
			"a width without a height"},
		{BAD_TOUCH_NO_RANGE, &lumen_input_v1_interface, LUMEN_INPUT_V1_ERROR_INVALID_DEVICE,
			"a touch device without a range"},
		{BAD_TOO_MANY_DEVICES, &lumen_input_v1_interface, LUMEN_INPUT_V1_ERROR_TOO_MANY_DEVICES,
			"a 17th device of one driver"},
		{BAD_TABLET_TIP_NO_TOOL, &lumen_input_virtual_device_v1_interface,
			LUMEN_INPUT_VIRTUAL_DEVICE_V1_ERROR_INVALID_VALUE, "a pen's tip with no tool in proximity"},
		{BAD_TABLET_PRESSURE, &lumen_input_virtual_device_v1_interface,
			LUMEN_INPUT_VIRTUAL_DEVICE_V1_ERROR_INVALID_VALUE, "pressure 65536"},
		{BAD_TABLET_KEY, &lumen_input_virtual_device_v1_interface,
			LUMEN_INPUT_VIRTUAL_DEVICE_V1_ERROR_INVALID_CODE, "BTN_LEFT on a tablet tool"},
		{BAD_TABLET_SECOND_TOOL, &lumen_input_virtual_device_v1_interface,
			LUMEN_INPUT_VIRTUAL_DEVICE_V1_ERROR_INVALID_VALUE, "an eraser while the pen is in"},
		{BAD_TABLET_NO_RANGE, &lumen_input_v1_interface, LUMEN_INPUT_V1_ERROR_INVALID_DEVICE,
			"a tablet tool without a range"},
		{BAD_PAD_RING, &lumen_input_virtual_device_v1_interface,
			LUMEN_INPUT_VIRTUAL_DEVICE_V1_ERROR_INVALID_VALUE, "a pad's ring at 360 degrees"},
		{BAD_PAD_KEY, &lumen_input_virtual_device_v1_interface,
			LUMEN_INPUT_VIRTUAL_DEVICE_V1_ERROR_INVALID_CODE, "BTN_LEFT on a pad"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct wl_interface *iface = NULL;
		int code = try_bad(cases[i].what, &iface);
		ok(code == cases[i].code && iface == cases[i].iface, "%s: %s error %d (got %s %d)",
			cases[i].desc, cases[i].iface->name, cases[i].code, iface ? iface->name : "none",
			code);
	}
	ok(!wl_display_get_error(master->display) && roundtrip(master),
		"the master is untouched by the drivers' errors");
	ok(input_server_device_count(server) == 0, "the bad drivers' devices are gone");
}


/* A stand-in for a libinput device: the producer API that libinput-backend.c uses. */
struct fake_real {
	uint32_t leds;
	int n_leds, n_apply;
	bool tap;
};

static void fake_set_leds(struct input_device *device, uint32_t leds) {
	struct fake_real *f = device->impl_data;
	f->leds = leds;
	f->n_leds++;
}

static void fake_apply_settings(struct input_device *device, const struct input_settings *want) {
	struct fake_real *f = device->impl_data;
	f->n_apply++;
	f->tap = want->tap;
	device->settings = *want;
}

static const struct input_device_impl fake_impl = {
	.set_leds = fake_set_leds,
	.apply_settings = fake_apply_settings,
};

static void fake_frame(struct input_device *device, uint16_t code, int32_t value) {
	input_device_push(device, INPUT_EV_KEY, code, value);
	input_device_frame(device, now_usec(), true);
}

static bool key_down(const struct t_device *d, uint32_t code) {
	return d->pressed[code / 8] & (1u << (code % 8));
}

/* The server's side of a device, to see whether the master has read its frames yet. */
static struct input_device *server_device(const char *path) {
	struct input_device *device;
	wl_list_for_each (device, &server->devices, link) {
		if (strcmp(device->path, path) == 0) {
			return device;
		}
	}
	return NULL;
}

/* The i-th key a typist presses: the letters of the top and middle rows in turn. */
static uint32_t typed_code(int i) {
	return i % 2 == 0 ? (uint32_t)(KEY_Q + (i / 2) % 10) : (uint32_t)(KEY_A + (i / 2) % 9);
}

/* lumen-inputctl type: a driver writes its text and exits at once, while the master has
 * not read it yet (its socket is full). Every key must still reach the master, in order,
 * and only then the device's removal. */
static void test_exit_before_master_reads(struct t_client *master) {
	struct t_client *typist = client_connect();
	struct t_vdev kb;
	vdev_create(typist, &kb, LUMEN_INPUT_V1_DEVICE_TYPE_KEYBOARD, "quick typist", 0, 0);
	settle();
	struct t_device *m = find_device(master, kb.path);
	struct input_device *dev = server_device(kb.path);
	master->paused = true;
	int typed = 0;
	/* Until the master's socket is full and frames wait in the server's queue. */
	while (typed < 40000 && dev && dev->q_len == 0 && !wl_display_get_error(typist->display)) {
		for (int i = 0; i < 50; i++, typed++) {
			key(&kb, typed_code(typed), 1);
			key(&kb, typed_code(typed), 0);
		}
		roundtrip(typist);
	}
	for (int i = 0; i < 300; i++, typed++) {
		key(&kb, typed_code(typed), 1);
		key(&kb, typed_code(typed), 0);
	}
	roundtrip(typist); // as lumen-inputctl does before it exits
	ok(!wl_display_get_error(typist->display), "a driver types %d keys and was not refused",
		typed);
	size_t waiting = dev ? dev->q_len : 0;
	lumen_input_virtual_device_v1_destroy(kb.proxy);
	client_disconnect(typist);
	ok(waiting > 0, "it leaves while %zu of its events wait for the slow master", waiting);
	master->paused = false;
	pump(master, &m->removed);
	settle();
	bool in_order = m->n_keys >= KEY_LOG;
	for (int k = m->n_keys - KEY_LOG; in_order && k < m->n_keys; k++) {
		in_order = m->key_log[k % KEY_LOG][0] == typed_code(k / 2) &&
			m->key_log[k % KEY_LOG][1] == (uint32_t)(k % 2 == 0);
	}
	ok(m->n_keys == 2 * typed && in_order,
		"the master gets every key, the last ones in order (%d of %d presses and releases)",
		m->n_keys, 2 * typed);
	ok(m->removed && m->n_pressed == 0 && m->events_after_removed == 0,
		"then the device is removed, nothing left pressed");
}

static void test_real_device(struct t_client *master) {
	struct fake_real fake = {0};
	struct input_device_info info = {
		.path = "input:libinput/event9",
		.name = "stand-in keyboard",
		.bustype = 0x03,
		.caps = LUMEN_INPUT_DEVICE_V1_CAPABILITY_KEYBOARD | LUMEN_INPUT_DEVICE_V1_CAPABILITY_POINTER,
		.settings = {.supported = LUMEN_INPUT_DEVICE_V1_SETTING_TAP},
	};
	struct input_device *dev = input_device_create(server, &info, &fake_impl, &fake);
	settle();
	struct t_device *m = find_device(master, info.path);
	ok(m->caps == info.caps && !m->is_virtual && m->bustype == 0x03,
		"a real device is announced with its capabilities, not virtual");
	lumen_input_device_v1_set_leds(m->proxy, LUMEN_INPUT_DEVICE_V1_LED_SCROLL_LOCK);
	lumen_input_device_v1_set_tap(m->proxy, 1);
	settle();
	ok(fake.n_leds == 1 && fake.leds == 4 && fake.n_apply == 1 && fake.tap,
		"LEDs and settings of the master reach the real device's backend");
	ok(m->tap == 1, "and the settings it took are announced");

	/* The master stops reading while the device sends on: frames are dropped, but the
	 * master ends up holding exactly what the device holds. */
	master->paused = true;
	fake_frame(dev, KEY_A, 1);
	int frames = 1;
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 6000; i++) {
			fake_frame(dev, KEY_B, i % 2 == 0); // ends released
			frames++;
			if (i % 100 == 0) {
				wl_event_loop_dispatch(server_loop, 0);
			}
		}
		if (round == 0) {
			/* Queued behind thousands of frames, and dropped with them: the master
			 * must get this release all the same. */
			fake_frame(dev, KEY_A, 0);
			frames++;
		}
	}
	fake_frame(dev, KEY_C, 1);
	frames++;
	master->paused = false;
	settle();
	settle();
	ok(!wl_display_get_error(master->display), "a real device that outruns the master does "
													"not get the master disconnected");
	ok(m->n_frames < frames, "frames were dropped (%d of %d arrived)", m->n_frames, frames);
	ok(m->n_pressed == 1 && !key_down(m, KEY_A) && !key_down(m, KEY_B) && key_down(m, KEY_C),
		"the master holds what the device holds: C, not A, whose release was in a dropped "
		"frame (%d keys down)",
		m->n_pressed);
	input_device_remove(dev);
	settle();
	ok(m->removed && m->n_pressed == 0 && m->events_after_removed == 0,
		"the device unplugged, the master gets the releases, then removed");
}

int main(void) {
	lumen_log_init(LUMEN_SILENT);
	if (getenv("TEST_INPUT_DEBUG")) {
		lumen_log_init(LUMEN_DEBUG);
	}
	lumen_log_route_wayland_server();
	struct input_server_options options = {.no_socket = true, .no_libinput = true};
	server = input_server_create(&options);
	if (!server) {
		printf("Bail out! cannot create the server\n");
		return 1;
	}
	server_loop = input_server_get_event_loop(server);

	/* Consumers and the master */
	struct t_client *watcher = client_connect();
	struct t_client *master = client_connect();
	struct t_client *driver = client_connect();
	if (!watcher || !master || !driver || !watcher->global) {
		printf("Bail out! cannot connect\n");
		return 1;
	}
	ok(watcher->done && watcher->n_devices == 0, "a consumer binds: done, no devices yet");

	lumen_input_v1_become_master(master->global);
	roundtrip(master);
	ok(input_server_get_master(server) != NULL && !wl_display_get_error(master->display),
		"a consumer becomes the seat master");

	struct t_vdev kb;
	vdev_create(driver, &kb, LUMEN_INPUT_V1_DEVICE_TYPE_KEYBOARD, "test keyboard", 0, 0);
	settle();
	ok(strcmp(kb.path, "input:virtual/0") == 0, "the driver learns its device's path (%s)",
		kb.path);
	struct t_device *w_kb = find_device(watcher, kb.path);
	struct t_device *m_kb = find_device(master, kb.path);
	ok(w_kb && m_kb && w_kb->n_done == 1, "both consumers are told of the new device");
	ok(w_kb && strcmp(w_kb->name, "test keyboard") == 0 &&
			w_kb->caps == LUMEN_INPUT_DEVICE_V1_CAPABILITY_KEYBOARD && w_kb->is_virtual &&
			w_kb->vendor == 0x1234 && w_kb->product == 0x5678 && w_kb->bustype == 0x06,
		"with its name, capabilities (keyboard, virtual) and ids");

	/* Events and frames */
	uint64_t before = now_usec();
	lumen_input_virtual_device_v1_key(kb.proxy, KEY_LEFTSHIFT, 1);
	lumen_input_virtual_device_v1_key(kb.proxy, KEY_A, 1);
	lumen_input_virtual_device_v1_frame(kb.proxy);
	settle();
	uint64_t after = now_usec();
	ok(m_kb && m_kb->n_keys == 2 && m_kb->key_log[0][0] == KEY_LEFTSHIFT &&
			m_kb->key_log[1][0] == KEY_A && m_kb->key_log[1][1] == 1,
		"the master receives the keys with their evdev codes (42, 30 pressed)");
	ok(m_kb && m_kb->n_frames == 1 && m_kb->last_frame_events == 2,
		"both in one frame, as the driver grouped them");
	ok(m_kb && m_kb->last_usec >= before && m_kb->last_usec <= after,
		"the frame's timestamp is CLOCK_MONOTONIC in usec, taken when it was written");
	ok(w_kb && w_kb->n_keys == 0 && w_kb->n_frames == 0, "a consumer that is not master "
																"gets no events");
	lumen_input_virtual_device_v1_key(kb.proxy, KEY_A, 1); // repeat: dropped
	lumen_input_virtual_device_v1_frame(kb.proxy);
	key(&kb, KEY_A, 0);
	settle();
	ok(m_kb && m_kb->n_keys == 3 && m_kb->key_log[2][0] == KEY_A && m_kb->key_log[2][1] == 0,
		"a press of a held key is dropped; its release goes through");

	/* Master rules */
	lumen_input_v1_become_master(watcher->global);
	roundtrip(watcher);
	const struct wl_interface *iface = NULL;
	ok(client_error(watcher, &iface) == LUMEN_INPUT_V1_ERROR_MASTER_TAKEN &&
			iface == &lumen_input_v1_interface,
		"a second would-be master gets master_taken");
	client_disconnect(watcher);
	watcher = client_connect();
	w_kb = find_device(watcher, kb.path);
	ok(w_kb && w_kb->n_done == 1, "a new consumer is told of the existing device on bind");
	lumen_input_device_v1_set_leds(w_kb->proxy, LUMEN_INPUT_DEVICE_V1_LED_CAPS_LOCK);
	roundtrip(watcher);
	ok(client_error(watcher, &iface) == LUMEN_INPUT_DEVICE_V1_ERROR_NOT_MASTER &&
			iface == &lumen_input_device_v1_interface,
		"LEDs from a consumer that is not master: not_master");
	client_disconnect(watcher);
	watcher = client_connect();
	w_kb = find_device(watcher, kb.path);

	lumen_input_device_v1_set_leds(m_kb->proxy,
		LUMEN_INPUT_DEVICE_V1_LED_CAPS_LOCK | LUMEN_INPUT_DEVICE_V1_LED_NUM_LOCK);
	settle();
	ok(kb.n_leds == 1 && kb.leds == 3, "the master lights LEDs: the driver is told (0x%x)",
		kb.leds);
	ok(w_kb && w_kb->leds == 3, "and every consumer sees them");

	/* Settings */
	struct t_vdev ptr;
	vdev_create(driver, &ptr, LUMEN_INPUT_V1_DEVICE_TYPE_POINTER, "test pointer", 0, 0);
	settle();
	struct t_device *m_ptr = find_device(master, ptr.path);
	struct t_device *w_ptr = find_device(watcher, ptr.path);
	ok(m_ptr && (m_ptr->supported & LUMEN_INPUT_DEVICE_V1_SETTING_ACCEL) &&
			m_ptr->accel_profile == LUMEN_INPUT_DEVICE_V1_ACCEL_PROFILE_ADAPTIVE,
		"a virtual pointer has settings (adaptive acceleration)");
	lumen_input_device_v1_set_accel(m_ptr->proxy, LUMEN_INPUT_DEVICE_V1_ACCEL_PROFILE_FLAT,
		wl_fixed_from_double(0.5));
	lumen_input_device_v1_set_tap(m_ptr->proxy, 1);
	settle();
	ok(w_ptr && w_ptr->accel_profile == LUMEN_INPUT_DEVICE_V1_ACCEL_PROFILE_FLAT &&
			w_ptr->accel_speed == 0.5 && w_ptr->tap == 1,
		"settings the master sets are recorded and announced (flat, 0.5, tap)");
	if (w_ptr) {
		lumen_input_device_v1_set_tap(w_ptr->proxy, 0);
	}
	settle();
	ok(!wl_display_get_error(watcher->display) && m_ptr && m_ptr->tap == 0 && w_ptr &&
			w_ptr->tap == 0,
		"a consumer that is not the master changes a setting (tap off): everyone is told");

	/* A tablet tool: proximity, position, pressure, tip, held at disconnect */
	struct t_client *artist = client_connect();
	struct t_vdev pen;
	vdev_create(artist, &pen, LUMEN_INPUT_V1_DEVICE_TYPE_TABLET_TOOL, "test pen", 1000, 800);
	lumen_input_virtual_device_v1_key(pen.proxy, BTN_TOOL_PEN, 1);
	lumen_input_virtual_device_v1_absolute(pen.proxy, ABS_X, 999);
	lumen_input_virtual_device_v1_absolute(pen.proxy, ABS_Y, 799);
	lumen_input_virtual_device_v1_frame(pen.proxy);
	lumen_input_virtual_device_v1_absolute(pen.proxy, ABS_PRESSURE, 65535);
	lumen_input_virtual_device_v1_key(pen.proxy, BTN_TOUCH, 1);
	lumen_input_virtual_device_v1_frame(pen.proxy);
	settle();
	struct t_device *m_pen = find_device(master, pen.path);
	ok(m_pen && m_pen->caps == LUMEN_INPUT_DEVICE_V1_CAPABILITY_TABLET_TOOL &&
			m_pen->n_axes == 6 && m_pen->n_pressed == 2 && m_pen->n_abs == 3 &&
			m_pen->last_abs_value == 65535,
		"a virtual pen: in proximity at 999,799, tip down with pressure 65535 reach the master");
	lumen_input_virtual_device_v1_destroy(pen.proxy);
	client_disconnect(artist);
	settle();
	ok(m_pen && m_pen->n_pressed == 0 && m_pen->removed && m_pen->events_after_removed == 0,
		"the pen's driver gone, its tip and proximity are released before it is removed");

	/* Pointer events */
	lumen_input_virtual_device_v1_relative(ptr.proxy, REL_X, wl_fixed_from_double(2.5));
	lumen_input_virtual_device_v1_relative(ptr.proxy, REL_Y, wl_fixed_from_int(-3));
	lumen_input_virtual_device_v1_frame(ptr.proxy);
	key(&ptr, BTN_LEFT, 1);
	settle();
	ok(m_ptr && m_ptr->n_rel == 2 && m_ptr->last_rel == -3 && m_ptr->n_keys == 1 &&
			m_ptr->key_log[0][0] == BTN_LEFT && m_ptr->n_frames == 2,
		"pointer motion (REL_X, REL_Y) and BTN_LEFT reach the master in two frames");

	/* Touch, held at disconnect */
	struct t_client *toucher = client_connect();
	struct t_vdev touch;
	vdev_create(toucher, &touch, LUMEN_INPUT_V1_DEVICE_TYPE_TOUCH, "test touch", 800, 600);
	lumen_input_virtual_device_v1_absolute(touch.proxy, ABS_MT_SLOT, 3);
	lumen_input_virtual_device_v1_absolute(touch.proxy, ABS_MT_TRACKING_ID, 7);
	lumen_input_virtual_device_v1_absolute(touch.proxy, ABS_MT_POSITION_X, 799);
	lumen_input_virtual_device_v1_absolute(touch.proxy, ABS_MT_POSITION_Y, 599);
	lumen_input_virtual_device_v1_frame(touch.proxy);
	settle();
	struct t_device *m_touch = find_device(master, touch.path);
	ok(m_touch && m_touch->slots == 10 && m_touch->n_axes == 2 && m_touch->touching &&
			m_touch->n_abs == 4 && m_touch->last_abs_value == 599,
		"a touch down (slot 3, 799,599) reaches the master");
	lumen_input_virtual_device_v1_destroy(touch.proxy);
	client_disconnect(toucher);
	settle();
	ok(m_touch && !m_touch->touching && m_touch->removed && m_touch->events_after_removed == 0,
		"the driver gone, its touch is lifted before the device is removed");

	/* Keys held when a driver disconnects */
	struct t_client *typist = client_connect();
	struct t_vdev kb2;
	vdev_create(typist, &kb2, LUMEN_INPUT_V1_DEVICE_TYPE_KEYBOARD, "held keys", 0, 0);
	lumen_input_virtual_device_v1_key(kb2.proxy, KEY_LEFTCTRL, 1);
	lumen_input_virtual_device_v1_key(kb2.proxy, KEY_LEFTALT, 1);
	lumen_input_virtual_device_v1_frame(kb2.proxy);
	key(&kb2, KEY_F1, 1);
	lumen_input_virtual_device_v1_key(kb2.proxy, KEY_Q, 1); // never framed: dropped
	settle();
	struct t_device *m_kb2 = find_device(master, kb2.path);
	struct t_device *w_kb2 = find_device(watcher, kb2.path);
	ok(m_kb2 && m_kb2->n_pressed == 3, "the master holds 3 keys of a driver");
	lumen_input_virtual_device_v1_destroy(kb2.proxy); // the connection ends with it
	client_disconnect(typist);
	settle();
	ok(m_kb2 && m_kb2->n_pressed == 0 && m_kb2->n_keys == 6,
		"the driver gone, the master gets the releases of all 3 (no stuck key; the unframed "
		"press never came)");
	ok(m_kb2 && m_kb2->removed && m_kb2->events_after_removed == 0 && w_kb2 && w_kb2->removed,
		"then the device is removed, for the master and the other consumers");

	/* Setting requests on a removed device are ignored. */
	if (m_kb2) {
		lumen_input_device_v1_set_leds(m_kb2->proxy, 1);
	}
	ok(roundtrip(master) && !wl_display_get_error(master->display),
		"requests on a removed device are ignored");

	/* Bad settings */
	struct t_client *m2 = master;
	lumen_input_device_v1_set_tap(m_kb->proxy, 1);
	roundtrip(m2);
	ok(client_error(m2, &iface) == LUMEN_INPUT_DEVICE_V1_ERROR_UNSUPPORTED,
		"tap on a keyboard: unsupported");
	/* The master is gone with its error: a new one. */
	for (int i = 0; i < master->n_devices; i++) {
		lumen_input_device_v1_destroy(master->devices[i].proxy);
	}
	master->n_devices = 0;
	client_disconnect(master);
	ok(input_server_get_master(server) == NULL, "the master's disconnection ends its role");
	master = client_connect();
	lumen_input_v1_become_master(master->global);
	roundtrip(master);
	m_ptr = find_device(master, ptr.path);
	lumen_input_device_v1_set_accel(m_ptr->proxy, LUMEN_INPUT_DEVICE_V1_ACCEL_PROFILE_FLAT,
		wl_fixed_from_int(2));
	roundtrip(master);
	ok(client_error(master, &iface) == LUMEN_INPUT_DEVICE_V1_ERROR_INVALID_VALUE,
		"an acceleration speed of 2: invalid_value");
	client_disconnect(master);
	master = client_connect();
	lumen_input_v1_become_master(master->global);
	roundtrip(master);
	lumen_input_v1_become_master(master->global);
	roundtrip(master);
	ok(client_error(master, &iface) == LUMEN_INPUT_V1_ERROR_ALREADY_MASTER,
		"become_master twice: already_master");
	client_disconnect(master);
	master = client_connect();
	lumen_input_v1_become_master(master->global);
	roundtrip(master);
	m_kb = find_device(master, kb.path);
	m_ptr = find_device(master, ptr.path);

	/* Flood: a master that does not read, a driver that writes without end. */
	struct t_client *flooder = client_connect();
	struct t_vdev fkb;
	vdev_create(flooder, &fkb, LUMEN_INPUT_V1_DEVICE_TYPE_KEYBOARD, "flood", 0, 0);
	settle();
	struct t_device *m_fkb = find_device(master, fkb.path);
	master->paused = true;
	int frames = 0;
	while (frames < 200000 && !wl_display_get_error(flooder->display)) {
		for (int i = 0; i < 50; i++) {
			key(&fkb, KEY_X, 1);
			key(&fkb, KEY_X, 0);
			frames += 2;
		}
		if (wl_display_flush(flooder->display) < 0 && errno != EAGAIN) {
			break;
		}
		wl_event_loop_dispatch(server_loop, 0);
		client_read(flooder);
	}
	ok(client_error(flooder, &iface) == LUMEN_INPUT_VIRTUAL_DEVICE_V1_ERROR_FLOOD &&
			iface == &lumen_input_virtual_device_v1_interface,
		"a driver flooding a master that does not keep up gets the error flood (after %d "
		"frames)",
		frames);
	/* Another device goes on working, and the master catches up. */
	key(&kb, KEY_B, 1);
	key(&kb, KEY_B, 0);
	wl_display_flush(driver->display);
	int b_before = m_kb ? m_kb->n_keys : 0;
	master->paused = false;
	settle();
	settle();
	ok(!wl_display_get_error(master->display), "the master was not disconnected by the flood");
	ok(m_kb && m_kb->n_keys == b_before + 2 && m_kb->key_log[(m_kb->n_keys - 1) % KEY_LOG][0] ==
			KEY_B,
		"another driver's keyboard keeps working: its key reaches the master");
	ok(m_fkb && m_fkb->removed && m_fkb->n_pressed == 0 && m_fkb->events_after_removed == 0,
		"the flooder's device is removed with nothing left pressed (%d keys seen)",
		m_fkb ? m_fkb->n_keys : -1);
	lumen_input_virtual_device_v1_destroy(fkb.proxy);
	client_disconnect(flooder);

	test_exit_before_master_reads(master);
	test_real_device(master);

	/* Validation, one bad driver at a time. */
	lumen_input_virtual_device_v1_destroy(kb.proxy);
	lumen_input_virtual_device_v1_destroy(ptr.proxy);
	settle();
	test_bad_requests(master);

	client_disconnect(driver);
	client_disconnect(watcher);
	client_disconnect(master);
	input_server_destroy(server);
	printf("1..%d\n", test_no);
	return failures ? 1 : 0;
}
