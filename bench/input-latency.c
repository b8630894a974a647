/*
 * input-latency: the two ends of bench/run-input-bench.sh.
 *
 *   input-latency client
 *       An xdg toplevel (one solid colour) that prints "mapped" once it has drawn,
 *       "focus" when it gets the keyboard (under sway, only once a virtual keyboard
 *       exists) and, for every wl_keyboard.key, "R CODE STATE NS" with CLOCK_MONOTONIC taken
 *       first thing in the handler.
 *   input-latency lumen-driver COUNT GAP_MS
 *       A keyboard of lumen-inputd (lumen-input-0 in XDG_RUNTIME_DIR, or $LUMEN_INPUT):
 *       taps COUNT keys, one event every GAP_MS, and prints "S CODE STATE NS" with
 *       CLOCK_MONOTONIC taken right before each event is written to the socket.
 *   input-latency vk-driver COUNT GAP_MS
 *       The same through zwp_virtual_keyboard_v1 on $WAYLAND_DISPLAY (sway's path for
 *       wtype), with a us keymap.
 *
 * The script pairs the i-th S line with the i-th R line. The gap keeps one event in
 * flight at a time, so what is measured is the latency of the path, not a queue.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/input-event-codes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <wayland-client.h>
#include <xkbcommon/xkbcommon.h>
#include "lumen-input-v1-client-protocol.h"
#include "tc-common.h"
#include "virtual-keyboard-unstable-v1-client-protocol.h"
#include "xdg-shell-client-protocol.h"

/* The keys tapped in turn: the middle row, a to l. */
static const uint32_t keys[] = {KEY_A, KEY_S, KEY_D, KEY_F, KEY_G, KEY_H, KEY_J, KEY_K, KEY_L};
#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

static void sleep_ms(long ms) {
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
	}
}

/* The client */

struct client {
	struct wl_compositor *compositor;
	struct wl_shm *shm;
	struct xdg_wm_base *wm_base;
	struct wl_seat *seat;
	struct wl_keyboard *keyboard;
	struct wl_surface *surface;
	struct xdg_surface *xdg_surface;
	struct xdg_toplevel *toplevel;
	struct tc_buffer *buffer;
	bool closed;
};

static void kb_keymap(void *data, struct wl_keyboard *kb, uint32_t format, int32_t fd,
		uint32_t size) {
	close(fd);
}
static void kb_enter(void *data, struct wl_keyboard *kb, uint32_t serial,
		struct wl_surface *surface, struct wl_array *pressed) {
	printf("focus\n");
	fflush(stdout);
}
static void kb_leave(void *data, struct wl_keyboard *kb, uint32_t serial,
		struct wl_surface *surface) {
	printf("unfocus\n");
	fflush(stdout);
}
static void kb_key(void *data, struct wl_keyboard *kb, uint32_t serial, uint32_t time,
		uint32_t key, uint32_t state) {
	int64_t now = tc_now_ns();
	printf("R %u %u %lld\n", key, state, (long long)now);
	fflush(stdout);
}
static void kb_modifiers(void *data, struct wl_keyboard *kb, uint32_t serial, uint32_t dep,
		uint32_t latched, uint32_t locked, uint32_t group) {
}
static void kb_repeat_info(void *data, struct wl_keyboard *kb, int32_t rate, int32_t delay) {
}
static const struct wl_keyboard_listener keyboard_listener = {
	.keymap = kb_keymap,
	.enter = kb_enter,
	.leave = kb_leave,
	.key = kb_key,
	.modifiers = kb_modifiers,
	.repeat_info = kb_repeat_info,
};

static void seat_capabilities(void *data, struct wl_seat *seat, uint32_t caps) {
	struct client *c = data;
	if ((caps & WL_SEAT_CAPABILITY_KEYBOARD) && !c->keyboard) {
		c->keyboard = wl_seat_get_keyboard(seat);
		wl_keyboard_add_listener(c->keyboard, &keyboard_listener, c);
	}
}
static void seat_name(void *data, struct wl_seat *seat, const char *name) {
}
static const struct wl_seat_listener seat_listener = {
	.capabilities = seat_capabilities,
	.name = seat_name,
};

static void wm_base_ping(void *data, struct xdg_wm_base *wm_base, uint32_t serial) {
	xdg_wm_base_pong(wm_base, serial);
}
static const struct xdg_wm_base_listener wm_base_listener = {.ping = wm_base_ping};

static void xdg_surface_configure(void *data, struct xdg_surface *xdg_surface, uint32_t serial) {
	struct client *c = data;
	xdg_surface_ack_configure(xdg_surface, serial);
	if (!c->buffer) {
		c->buffer = tc_buffer_create(c->shm, 320, 200);
		if (!c->buffer) {
			tc_die("cannot create a buffer");
		}
		tc_buffer_fill_rect(c->buffer, 0, 0, 320, 200, 0xff2a7f62);
		printf("mapped\n");
		fflush(stdout);
	}
	wl_surface_attach(c->surface, c->buffer->wl_buffer, 0, 0);
	wl_surface_damage(c->surface, 0, 0, INT32_MAX, INT32_MAX);
	wl_surface_commit(c->surface);
}
static const struct xdg_surface_listener xdg_surface_listener = {
	.configure = xdg_surface_configure,
};

static void toplevel_configure(void *data, struct xdg_toplevel *toplevel, int32_t w, int32_t h,
		struct wl_array *states) {
}
static void toplevel_close(void *data, struct xdg_toplevel *toplevel) {
	struct client *c = data;
	c->closed = true;
}
static const struct xdg_toplevel_listener toplevel_listener = {
	.configure = toplevel_configure,
	.close = toplevel_close,
};

static void client_global(void *data, struct wl_registry *registry, uint32_t name,
		const char *interface, uint32_t version) {
	struct client *c = data;
	if (strcmp(interface, wl_compositor_interface.name) == 0) {
		c->compositor = tc_bind(registry, name, &wl_compositor_interface, version, 4);
	} else if (strcmp(interface, wl_shm_interface.name) == 0) {
		c->shm = tc_bind(registry, name, &wl_shm_interface, version, 1);
	} else if (strcmp(interface, xdg_wm_base_interface.name) == 0) {
		c->wm_base = tc_bind(registry, name, &xdg_wm_base_interface, version, 1);
		xdg_wm_base_add_listener(c->wm_base, &wm_base_listener, c);
	} else if (strcmp(interface, wl_seat_interface.name) == 0 && !c->seat) {
		c->seat = tc_bind(registry, name, &wl_seat_interface, version, 5);
		wl_seat_add_listener(c->seat, &seat_listener, c);
	}
}
static void global_remove(void *data, struct wl_registry *registry, uint32_t name) {
}
static const struct wl_registry_listener client_registry_listener = {
	.global = client_global,
	.global_remove = global_remove,
};

static int run_client(void) {
	struct client c = {0};
	struct wl_display *display = tc_connect();
	struct wl_registry *registry = wl_display_get_registry(display);
	wl_registry_add_listener(registry, &client_registry_listener, &c);
	wl_display_roundtrip(display);
	if (!c.compositor || !c.shm || !c.wm_base || !c.seat) {
		tc_die("the compositor lacks wl_compositor, wl_shm, xdg_wm_base or wl_seat");
	}
	c.surface = wl_compositor_create_surface(c.compositor);
	c.xdg_surface = xdg_wm_base_get_xdg_surface(c.wm_base, c.surface);
	xdg_surface_add_listener(c.xdg_surface, &xdg_surface_listener, &c);
	c.toplevel = xdg_surface_get_toplevel(c.xdg_surface);
	xdg_toplevel_add_listener(c.toplevel, &toplevel_listener, &c);
	xdg_toplevel_set_title(c.toplevel, "input-latency");
	xdg_toplevel_set_app_id(c.toplevel, "input-latency");
	wl_surface_commit(c.surface);
	tc_signals_init();
	while (!c.closed && !tc_signalled()) {
		if (!tc_dispatch(display, 1000, -1, NULL)) {
			break;
		}
	}
	if (c.keyboard) {
		wl_keyboard_destroy(c.keyboard);
	}
	xdg_toplevel_destroy(c.toplevel);
	xdg_surface_destroy(c.xdg_surface);
	wl_surface_destroy(c.surface);
	tc_buffer_destroy(c.buffer);
	wl_seat_destroy(c.seat);
	xdg_wm_base_destroy(c.wm_base);
	wl_shm_destroy(c.shm);
	wl_compositor_destroy(c.compositor);
	wl_registry_destroy(registry);
	wl_display_disconnect(display);
	return 0;
}

/* The drivers */

struct driver {
	struct lumen_input_v1 *input;
	struct wl_seat *seat;
	struct zwp_virtual_keyboard_manager_v1 *vk_manager;
};

static void driver_global(void *data, struct wl_registry *registry, uint32_t name,
		const char *interface, uint32_t version) {
	struct driver *d = data;
	if (strcmp(interface, lumen_input_v1_interface.name) == 0) {
		d->input = tc_bind(registry, name, &lumen_input_v1_interface, version, 1);
	} else if (strcmp(interface, wl_seat_interface.name) == 0 && !d->seat) {
		d->seat = tc_bind(registry, name, &wl_seat_interface, version, 1);
	} else if (strcmp(interface, zwp_virtual_keyboard_manager_v1_interface.name) == 0) {
		d->vk_manager =
			tc_bind(registry, name, &zwp_virtual_keyboard_manager_v1_interface, version, 1);
	}
}
static const struct wl_registry_listener driver_registry_listener = {
	.global = driver_global,
	.global_remove = global_remove,
};

/* Sends the i-th event (press on even i, release on odd) and prints when it left. */
typedef void (*send_fn)(void *target, uint32_t code, uint32_t state, uint32_t time_ms);

static void drive(struct wl_display *display, send_fn send, void *target, long count,
		long gap_ms) {
	for (long i = 0; i < 2 * count; i++) {
		uint32_t code = keys[(i / 2) % N_KEYS];
		uint32_t state = i % 2 == 0;
		int64_t now = tc_now_ns();
		send(target, code, state, (uint32_t)(now / 1000000));
		if (wl_display_flush(display) < 0) {
			tc_die_disconnected(display);
		}
		printf("S %u %u %lld\n", code, state, (long long)now);
		/* Whatever the server said meanwhile (LEDs, errors) is read, not left to fill
		 * the socket. */
		if (wl_display_dispatch_pending(display) < 0) {
			tc_die_disconnected(display);
		}
		sleep_ms(gap_ms);
	}
	fflush(stdout);
	if (wl_display_roundtrip(display) < 0) {
		tc_die_disconnected(display);
	}
}

static void lumen_send(void *target, uint32_t code, uint32_t state, uint32_t time_ms) {
	struct lumen_input_virtual_device_v1 *vdev = target;
	lumen_input_virtual_device_v1_key(vdev, code, state);
	lumen_input_virtual_device_v1_frame(vdev);
}

static void vk_send(void *target, uint32_t code, uint32_t state, uint32_t time_ms) {
	zwp_virtual_keyboard_v1_key(target, time_ms, code, state);
}

static void vdev_path(void *data, struct lumen_input_virtual_device_v1 *vdev, const char *path) {
}
static void vdev_leds(void *data, struct lumen_input_virtual_device_v1 *vdev, uint32_t leds) {
}
static const struct lumen_input_virtual_device_v1_listener vdev_listener = {
	.path = vdev_path,
	.leds = vdev_leds,
};

/* A us keymap in a sealed-enough memfd, as zwp_virtual_keyboard_v1.keymap wants. */
static void vk_upload_keymap(struct zwp_virtual_keyboard_v1 *vk) {
	struct xkb_context *ctx = xkb_context_new(XKB_CONTEXT_NO_FLAGS);
	struct xkb_rule_names names = {.layout = "us"};
	struct xkb_keymap *keymap =
		ctx ? xkb_keymap_new_from_names(ctx, &names, XKB_KEYMAP_COMPILE_NO_FLAGS) : NULL;
	char *text = keymap ? xkb_keymap_get_as_string(keymap, XKB_KEYMAP_FORMAT_TEXT_V1) : NULL;
	if (!text) {
		tc_die("cannot compile a us keymap");
	}
	size_t size = strlen(text) + 1;
	int fd = memfd_create("input-latency-keymap", MFD_CLOEXEC);
	if (fd < 0 || write(fd, text, size) != (ssize_t)size) {
		tc_die("cannot write the keymap: %s", strerror(errno));
	}
	zwp_virtual_keyboard_v1_keymap(vk, WL_KEYBOARD_KEYMAP_FORMAT_XKB_V1, fd, (uint32_t)size);
	close(fd);
	free(text);
	xkb_keymap_unref(keymap);
	xkb_context_unref(ctx);
}

static int run_driver(bool lumen, long count, long gap_ms) {
	struct wl_display *display;
	if (lumen) {
		const char *name = getenv("LUMEN_INPUT");
		display = wl_display_connect(name && *name ? name : "lumen-input-0");
		if (!display) {
			tc_die("cannot connect to lumen-inputd");
		}
	} else {
		display = tc_connect();
	}
	struct driver d = {0};
	struct wl_registry *registry = wl_display_get_registry(display);
	wl_registry_add_listener(registry, &driver_registry_listener, &d);
	wl_display_roundtrip(display);
	if (lumen) {
		if (!d.input) {
			tc_die("lumen-inputd offers no lumen_input_v1");
		}
		struct lumen_input_virtual_device_v1 *vdev = lumen_input_v1_create_virtual_device(
			d.input, LUMEN_INPUT_V1_DEVICE_TYPE_KEYBOARD, "input-latency", 0, 0, 0, 0);
		lumen_input_virtual_device_v1_add_listener(vdev, &vdev_listener, NULL);
		wl_display_roundtrip(display);
		sleep_ms(500); // the compositor takes the new keyboard into its seat
		drive(display, lumen_send, vdev, count, gap_ms);
		lumen_input_virtual_device_v1_destroy(vdev);
		lumen_input_v1_destroy(d.input);
	} else {
		if (!d.seat || !d.vk_manager) {
			tc_die("the compositor offers no zwp_virtual_keyboard_manager_v1");
		}
		struct zwp_virtual_keyboard_v1 *vk =
			zwp_virtual_keyboard_manager_v1_create_virtual_keyboard(d.vk_manager, d.seat);
		vk_upload_keymap(vk);
		wl_display_roundtrip(display);
		sleep_ms(500);
		drive(display, vk_send, vk, count, gap_ms);
		zwp_virtual_keyboard_v1_destroy(vk);
		zwp_virtual_keyboard_manager_v1_destroy(d.vk_manager);
		wl_seat_destroy(d.seat);
	}
	wl_display_roundtrip(display);
	wl_registry_destroy(registry);
	wl_display_disconnect(display);
	return 0;
}

int main(int argc, char *argv[]) {
	tc_set_program_name("input-latency");
	if (argc == 2 && strcmp(argv[1], "client") == 0) {
		return run_client();
	}
	long count, gap_ms;
	if (argc == 4 &&
			(strcmp(argv[1], "lumen-driver") == 0 || strcmp(argv[1], "vk-driver") == 0) &&
			tc_parse_long(argv[2], 1, 1000000, &count) &&
			tc_parse_long(argv[3], 0, 10000, &gap_ms)) {
		return run_driver(strcmp(argv[1], "lumen-driver") == 0, count, gap_ms);
	}
	fprintf(stderr, "usage: input-latency client\n"
					"       input-latency lumen-driver|vk-driver COUNT GAP_MS\n");
	return 2;
}
