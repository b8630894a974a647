/*
 * lumen-test-tablet: an xdg toplevel of one solid colour that binds the tablet
 * manager (tablet-unstable-v2) and reports on stdout, one line each, every tablet,
 * tool and pad event it receives, and also its keyboard and pointer events (as
 * tc_seat prints them), so a test can tell tablet input from emulated pointer input.
 *
 * Lines:
 *   tablet added | tablet name NAME | tablet done | tablet removed
 *   tool added | tool type TYPE | tool capability CAP | tool done | tool removed
 *   tool proximity_in main|other | tool proximity_out
 *   tool motion X Y | tool pressure P | tool distance D | tool tilt X Y
 *   tool rotation DEG | tool slider P | tool wheel DEG CLICKS
 *   tool down | tool up | tool button CODE pressed|released | tool frame
 *   pad added | pad buttons N | pad group | pad group buttons B... | pad group modes N
 *   pad group ring | pad group strip | pad group done | pad done | pad removed
 *   pad enter main|other | pad leave | pad button N pressed|released
 *   pad mode_switch MODE | ring source finger | ring angle DEG | ring stop | ring frame
 *   strip source finger | strip position P | strip stop | strip frame
 * Coordinates and degrees are printed with two decimals; "main" is our own surface.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wayland-client.h>
#include "tablet-unstable-v2-client-protocol.h"
#include "tc-common.h"
#include "xdg-shell-client-protocol.h"

#define MAX_PAD_PARTS 8

enum pad_part_kind {
	PAD_PART_GROUP,
	PAD_PART_RING,
	PAD_PART_STRIP,
};

/* One per pad, with the groups, rings and strips that belong to it. */
struct pad {
	struct wl_list link; // tablet_client.pads
	struct tablet_client *tc;
	struct zwp_tablet_pad_v2 *pad;
	struct {
		enum pad_part_kind kind;
		void *proxy;
	} parts[MAX_PAD_PARTS]; // destroyed with the pad
	size_t n_parts;
};

/* A tablet or a tool, kept to be destroyed when removed or when we exit. */
struct device {
	struct wl_list link; // tablet_client.devices
	struct tablet_client *tc;
	void *proxy;
	bool is_tool;
};

struct tablet_client {
	struct wl_display *display;
	struct wl_registry *registry;
	struct wl_compositor *compositor;
	struct wl_shm *shm;
	struct xdg_wm_base *wm_base;
	struct wl_seat *wl_seat;
	struct tc_seat seat;
	struct zwp_tablet_manager_v2 *manager;
	struct zwp_tablet_seat_v2 *tablet_seat;
	struct tc_pool pool;
	struct wl_list pads; // pad.link
	struct wl_list devices; // device.link

	struct wl_surface *surface;
	struct xdg_surface *xdg_surface;
	struct xdg_toplevel *toplevel;
	uint32_t color;
	int width, height;
	int pending_width, pending_height;
	bool committed, closed;
};

static const char *surface_name(struct tablet_client *tc, struct wl_surface *surface) {
	return surface && surface == tc->surface ? "main" : "other";
}

/* Tablets. */

static void tablet_handle_name(void *data, struct zwp_tablet_v2 *tablet, const char *name) {
	printf("tablet name %s\n", name ? name : "");
}

static void tablet_handle_id(void *data, struct zwp_tablet_v2 *tablet, uint32_t vid,
		uint32_t pid) {
}

static void tablet_handle_path(void *data, struct zwp_tablet_v2 *tablet, const char *path) {
}

static void tablet_handle_done(void *data, struct zwp_tablet_v2 *tablet) {
	printf("tablet done\n");
}

static void device_destroy(struct device *device) {
	if (device->is_tool) {
		zwp_tablet_tool_v2_destroy(device->proxy);
	} else {
		zwp_tablet_v2_destroy(device->proxy);
	}
	wl_list_remove(&device->link);
	free(device);
}

static void tablet_handle_removed(void *data, struct zwp_tablet_v2 *tablet) {
	printf("tablet removed\n");
	device_destroy(data);
}

static const struct zwp_tablet_v2_listener tablet_listener = {
	.name = tablet_handle_name,
	.id = tablet_handle_id,
	.path = tablet_handle_path,
	.done = tablet_handle_done,
	.removed = tablet_handle_removed,
};

/* Tools. */

static void tool_handle_type(void *data, struct zwp_tablet_tool_v2 *tool, uint32_t type) {
	static const char *const names[] = {
		[ZWP_TABLET_TOOL_V2_TYPE_PEN] = "pen",
		[ZWP_TABLET_TOOL_V2_TYPE_ERASER] = "eraser",
		[ZWP_TABLET_TOOL_V2_TYPE_BRUSH] = "brush",
		[ZWP_TABLET_TOOL_V2_TYPE_PENCIL] = "pencil",
		[ZWP_TABLET_TOOL_V2_TYPE_AIRBRUSH] = "airbrush",
		[ZWP_TABLET_TOOL_V2_TYPE_FINGER] = "finger",
		[ZWP_TABLET_TOOL_V2_TYPE_MOUSE] = "mouse",
		[ZWP_TABLET_TOOL_V2_TYPE_LENS] = "lens",
	};
	const char *name = type < sizeof(names) / sizeof(names[0]) ? names[type] : NULL;
	if (name) {
		printf("tool type %s\n", name);
	} else {
		printf("tool type 0x%x\n", type);
	}
}

static void tool_handle_hardware_serial(void *data, struct zwp_tablet_tool_v2 *tool,
		uint32_t hi, uint32_t lo) {
}

static void tool_handle_hardware_id_wacom(void *data, struct zwp_tablet_tool_v2 *tool,
		uint32_t hi, uint32_t lo) {
}

static void tool_handle_capability(void *data, struct zwp_tablet_tool_v2 *tool,
		uint32_t capability) {
	static const char *const names[] = {
		[ZWP_TABLET_TOOL_V2_CAPABILITY_TILT] = "tilt",
		[ZWP_TABLET_TOOL_V2_CAPABILITY_PRESSURE] = "pressure",
		[ZWP_TABLET_TOOL_V2_CAPABILITY_DISTANCE] = "distance",
		[ZWP_TABLET_TOOL_V2_CAPABILITY_ROTATION] = "rotation",
		[ZWP_TABLET_TOOL_V2_CAPABILITY_SLIDER] = "slider",
		[ZWP_TABLET_TOOL_V2_CAPABILITY_WHEEL] = "wheel",
	};
	const char *name = capability < sizeof(names) / sizeof(names[0]) ? names[capability]
		: NULL;
	if (name) {
		printf("tool capability %s\n", name);
	} else {
		printf("tool capability 0x%x\n", capability);
	}
}

static void tool_handle_done(void *data, struct zwp_tablet_tool_v2 *tool) {
	printf("tool done\n");
}

static void tool_handle_removed(void *data, struct zwp_tablet_tool_v2 *tool) {
	printf("tool removed\n");
	device_destroy(data);
}

static void tool_handle_proximity_in(void *data, struct zwp_tablet_tool_v2 *tool,
		uint32_t serial, struct zwp_tablet_v2 *tablet, struct wl_surface *surface) {
	struct device *device = data;
	printf("tool proximity_in %s\n", surface_name(device->tc, surface));
}

static void tool_handle_proximity_out(void *data, struct zwp_tablet_tool_v2 *tool) {
	printf("tool proximity_out\n");
}

static void tool_handle_down(void *data, struct zwp_tablet_tool_v2 *tool, uint32_t serial) {
	printf("tool down\n");
}

static void tool_handle_up(void *data, struct zwp_tablet_tool_v2 *tool) {
	printf("tool up\n");
}

static void tool_handle_motion(void *data, struct zwp_tablet_tool_v2 *tool, wl_fixed_t x,
		wl_fixed_t y) {
	printf("tool motion %.2f %.2f\n", wl_fixed_to_double(x), wl_fixed_to_double(y));
}

static void tool_handle_pressure(void *data, struct zwp_tablet_tool_v2 *tool,
		uint32_t pressure) {
	printf("tool pressure %u\n", pressure);
}

static void tool_handle_distance(void *data, struct zwp_tablet_tool_v2 *tool,
		uint32_t distance) {
	printf("tool distance %u\n", distance);
}

static void tool_handle_tilt(void *data, struct zwp_tablet_tool_v2 *tool, wl_fixed_t tilt_x,
		wl_fixed_t tilt_y) {
	printf("tool tilt %.2f %.2f\n", wl_fixed_to_double(tilt_x), wl_fixed_to_double(tilt_y));
}

static void tool_handle_rotation(void *data, struct zwp_tablet_tool_v2 *tool,
		wl_fixed_t degrees) {
	printf("tool rotation %.2f\n", wl_fixed_to_double(degrees));
}

static void tool_handle_slider(void *data, struct zwp_tablet_tool_v2 *tool,
		int32_t position) {
	printf("tool slider %d\n", position);
}

static void tool_handle_wheel(void *data, struct zwp_tablet_tool_v2 *tool, wl_fixed_t degrees,
		int32_t clicks) {
	printf("tool wheel %.2f %d\n", wl_fixed_to_double(degrees), clicks);
}

static void tool_handle_button(void *data, struct zwp_tablet_tool_v2 *tool, uint32_t serial,
		uint32_t button, uint32_t state) {
	printf("tool button %u %s\n", button,
		state == ZWP_TABLET_TOOL_V2_BUTTON_STATE_PRESSED ? "pressed" : "released");
}

static void tool_handle_frame(void *data, struct zwp_tablet_tool_v2 *tool, uint32_t time) {
	printf("tool frame\n");
}

static const struct zwp_tablet_tool_v2_listener tool_listener = {
	.type = tool_handle_type,
	.hardware_serial = tool_handle_hardware_serial,
	.hardware_id_wacom = tool_handle_hardware_id_wacom,
	.capability = tool_handle_capability,
	.done = tool_handle_done,
	.removed = tool_handle_removed,
	.proximity_in = tool_handle_proximity_in,
	.proximity_out = tool_handle_proximity_out,
	.down = tool_handle_down,
	.up = tool_handle_up,
	.motion = tool_handle_motion,
	.pressure = tool_handle_pressure,
	.distance = tool_handle_distance,
	.tilt = tool_handle_tilt,
	.rotation = tool_handle_rotation,
	.slider = tool_handle_slider,
	.wheel = tool_handle_wheel,
	.button = tool_handle_button,
	.frame = tool_handle_frame,
};

/* Pads, their groups, rings and strips. */

static void pad_keep(struct pad *pad, enum pad_part_kind kind, void *proxy) {
	if (pad->n_parts == MAX_PAD_PARTS) {
		tc_die("a pad with more than %d groups, rings and strips", MAX_PAD_PARTS);
	}
	pad->parts[pad->n_parts].kind = kind;
	pad->parts[pad->n_parts].proxy = proxy;
	pad->n_parts++;
}

static void ring_handle_source(void *data, struct zwp_tablet_pad_ring_v2 *ring,
		uint32_t source) {
	printf("ring source %s\n", source == ZWP_TABLET_PAD_RING_V2_SOURCE_FINGER ? "finger"
		: "unknown");
}

static void ring_handle_angle(void *data, struct zwp_tablet_pad_ring_v2 *ring,
		wl_fixed_t degrees) {
	printf("ring angle %.2f\n", wl_fixed_to_double(degrees));
}

static void ring_handle_stop(void *data, struct zwp_tablet_pad_ring_v2 *ring) {
	printf("ring stop\n");
}

static void ring_handle_frame(void *data, struct zwp_tablet_pad_ring_v2 *ring, uint32_t time) {
	printf("ring frame\n");
}

static const struct zwp_tablet_pad_ring_v2_listener ring_listener = {
	.source = ring_handle_source,
	.angle = ring_handle_angle,
	.stop = ring_handle_stop,
	.frame = ring_handle_frame,
};

static void strip_handle_source(void *data, struct zwp_tablet_pad_strip_v2 *strip,
		uint32_t source) {
	printf("strip source %s\n", source == ZWP_TABLET_PAD_STRIP_V2_SOURCE_FINGER ? "finger"
		: "unknown");
}

static void strip_handle_position(void *data, struct zwp_tablet_pad_strip_v2 *strip,
		uint32_t position) {
	printf("strip position %u\n", position);
}

static void strip_handle_stop(void *data, struct zwp_tablet_pad_strip_v2 *strip) {
	printf("strip stop\n");
}

static void strip_handle_frame(void *data, struct zwp_tablet_pad_strip_v2 *strip,
		uint32_t time) {
	printf("strip frame\n");
}

static const struct zwp_tablet_pad_strip_v2_listener strip_listener = {
	.source = strip_handle_source,
	.position = strip_handle_position,
	.stop = strip_handle_stop,
	.frame = strip_handle_frame,
};

static void group_handle_buttons(void *data, struct zwp_tablet_pad_group_v2 *group,
		struct wl_array *buttons) {
	printf("pad group buttons");
	int *b;
	wl_array_for_each(b, buttons) {
		printf(" %d", *b);
	}
	printf("\n");
}

static void group_handle_ring(void *data, struct zwp_tablet_pad_group_v2 *group,
		struct zwp_tablet_pad_ring_v2 *ring) {
	printf("pad group ring\n");
	zwp_tablet_pad_ring_v2_add_listener(ring, &ring_listener, NULL);
	pad_keep(data, PAD_PART_RING, ring);
}

static void group_handle_strip(void *data, struct zwp_tablet_pad_group_v2 *group,
		struct zwp_tablet_pad_strip_v2 *strip) {
	printf("pad group strip\n");
	zwp_tablet_pad_strip_v2_add_listener(strip, &strip_listener, NULL);
	pad_keep(data, PAD_PART_STRIP, strip);
}

static void group_handle_modes(void *data, struct zwp_tablet_pad_group_v2 *group,
		uint32_t modes) {
	printf("pad group modes %u\n", modes);
}

static void group_handle_done(void *data, struct zwp_tablet_pad_group_v2 *group) {
	printf("pad group done\n");
}

static void group_handle_mode_switch(void *data, struct zwp_tablet_pad_group_v2 *group,
		uint32_t time, uint32_t serial, uint32_t mode) {
	printf("pad mode_switch %u\n", mode);
}

static const struct zwp_tablet_pad_group_v2_listener group_listener = {
	.buttons = group_handle_buttons,
	.ring = group_handle_ring,
	.strip = group_handle_strip,
	.modes = group_handle_modes,
	.done = group_handle_done,
	.mode_switch = group_handle_mode_switch,
};

static void pad_handle_group(void *data, struct zwp_tablet_pad_v2 *pad_proxy,
		struct zwp_tablet_pad_group_v2 *group) {
	struct pad *pad = data;
	printf("pad group\n");
	zwp_tablet_pad_group_v2_add_listener(group, &group_listener, pad);
	pad_keep(pad, PAD_PART_GROUP, group);
}

static void pad_handle_path(void *data, struct zwp_tablet_pad_v2 *pad, const char *path) {
}

static void pad_handle_buttons(void *data, struct zwp_tablet_pad_v2 *pad, uint32_t buttons) {
	printf("pad buttons %u\n", buttons);
}

static void pad_handle_done(void *data, struct zwp_tablet_pad_v2 *pad) {
	printf("pad done\n");
}

static void pad_handle_button(void *data, struct zwp_tablet_pad_v2 *pad, uint32_t time,
		uint32_t button, uint32_t state) {
	printf("pad button %u %s\n", button,
		state == ZWP_TABLET_PAD_V2_BUTTON_STATE_PRESSED ? "pressed" : "released");
}

static void pad_handle_enter(void *data, struct zwp_tablet_pad_v2 *pad_proxy, uint32_t serial,
		struct zwp_tablet_v2 *tablet, struct wl_surface *surface) {
	struct pad *pad = data;
	printf("pad enter %s\n", surface_name(pad->tc, surface));
}

static void pad_handle_leave(void *data, struct zwp_tablet_pad_v2 *pad, uint32_t serial,
		struct wl_surface *surface) {
	printf("pad leave\n");
}

static void pad_destroy(struct pad *pad) {
	/* Children first: the protocol wants them gone before their pad. */
	for (size_t i = pad->n_parts; i > 0; i--) {
		void *proxy = pad->parts[i - 1].proxy;
		switch (pad->parts[i - 1].kind) {
		case PAD_PART_GROUP:
			zwp_tablet_pad_group_v2_destroy(proxy);
			break;
		case PAD_PART_RING:
			zwp_tablet_pad_ring_v2_destroy(proxy);
			break;
		case PAD_PART_STRIP:
			zwp_tablet_pad_strip_v2_destroy(proxy);
			break;
		}
	}
	zwp_tablet_pad_v2_destroy(pad->pad);
	wl_list_remove(&pad->link);
	free(pad);
}

static void pad_handle_removed(void *data, struct zwp_tablet_pad_v2 *pad_proxy) {
	printf("pad removed\n");
	pad_destroy(data);
}

static const struct zwp_tablet_pad_v2_listener pad_listener = {
	.group = pad_handle_group,
	.path = pad_handle_path,
	.buttons = pad_handle_buttons,
	.done = pad_handle_done,
	.button = pad_handle_button,
	.enter = pad_handle_enter,
	.leave = pad_handle_leave,
	.removed = pad_handle_removed,
};

/* The tablet seat. */

static struct device *device_keep(struct tablet_client *tc, void *proxy, bool is_tool) {
	struct device *device = calloc(1, sizeof(*device));
	if (!device) {
		tc_die("out of memory");
	}
	device->tc = tc;
	device->proxy = proxy;
	device->is_tool = is_tool;
	wl_list_insert(&tc->devices, &device->link);
	return device;
}

static void seat_handle_tablet_added(void *data, struct zwp_tablet_seat_v2 *seat,
		struct zwp_tablet_v2 *tablet) {
	printf("tablet added\n");
	zwp_tablet_v2_add_listener(tablet, &tablet_listener, device_keep(data, tablet, false));
}

static void seat_handle_tool_added(void *data, struct zwp_tablet_seat_v2 *seat,
		struct zwp_tablet_tool_v2 *tool) {
	printf("tool added\n");
	zwp_tablet_tool_v2_add_listener(tool, &tool_listener, device_keep(data, tool, true));
}

static void seat_handle_pad_added(void *data, struct zwp_tablet_seat_v2 *seat,
		struct zwp_tablet_pad_v2 *pad_proxy) {
	struct tablet_client *tc = data;
	printf("pad added\n");
	struct pad *pad = calloc(1, sizeof(*pad));
	if (!pad) {
		tc_die("out of memory");
	}
	pad->pad = pad_proxy;
	pad->tc = tc;
	wl_list_insert(&tc->pads, &pad->link);
	zwp_tablet_pad_v2_add_listener(pad_proxy, &pad_listener, pad);
}

static const struct zwp_tablet_seat_v2_listener tablet_seat_listener = {
	.tablet_added = seat_handle_tablet_added,
	.tool_added = seat_handle_tool_added,
	.pad_added = seat_handle_pad_added,
};

/* The window. */

static void wm_base_handle_ping(void *data, struct xdg_wm_base *wm_base, uint32_t serial) {
	xdg_wm_base_pong(wm_base, serial);
}

static const struct xdg_wm_base_listener wm_base_listener = {
	.ping = wm_base_handle_ping,
};

static void mapped_handle_done(void *data, struct wl_callback *callback, uint32_t time) {
	wl_callback_destroy(callback);
	printf("mapped\n");
}

static const struct wl_callback_listener mapped_listener = {
	.done = mapped_handle_done,
};

static void xdg_surface_handle_configure(void *data, struct xdg_surface *xdg_surface,
		uint32_t serial) {
	struct tablet_client *tc = data;
	xdg_surface_ack_configure(xdg_surface, serial);
	int width = tc->pending_width > 0 ? tc->pending_width : tc->width;
	int height = tc->pending_height > 0 ? tc->pending_height : tc->height;
	struct tc_buffer *buf = tc_pool_next(&tc->pool, width, height);
	if (!buf) {
		tc_die("no free buffer to draw into");
	}
	tc_buffer_fill_rect(buf, 0, 0, width, height, tc->color);
	wl_surface_attach(tc->surface, buf->wl_buffer, 0, 0);
	wl_surface_damage_buffer(tc->surface, 0, 0, width, height);
	buf->busy = true;
	wl_surface_commit(tc->surface);
	if (!tc->committed) {
		tc->committed = true;
		struct wl_callback *cb = wl_display_sync(tc->display);
		wl_callback_add_listener(cb, &mapped_listener, tc);
	}
}

static const struct xdg_surface_listener xdg_surface_listener = {
	.configure = xdg_surface_handle_configure,
};

static void toplevel_handle_configure(void *data, struct xdg_toplevel *toplevel, int32_t width,
		int32_t height, struct wl_array *states) {
	struct tablet_client *tc = data;
	tc->pending_width = width;
	tc->pending_height = height;
}

static void toplevel_handle_close(void *data, struct xdg_toplevel *toplevel) {
	struct tablet_client *tc = data;
	tc->closed = true;
}

static void toplevel_handle_configure_bounds(void *data, struct xdg_toplevel *toplevel,
		int32_t width, int32_t height) {
}

static void toplevel_handle_wm_capabilities(void *data, struct xdg_toplevel *toplevel,
		struct wl_array *capabilities) {
}

static const struct xdg_toplevel_listener toplevel_listener = {
	.configure = toplevel_handle_configure,
	.close = toplevel_handle_close,
	.configure_bounds = toplevel_handle_configure_bounds,
	.wm_capabilities = toplevel_handle_wm_capabilities,
};

static void tablet_seat_setup(struct tablet_client *tc) {
	if (tc->tablet_seat || !tc->manager || !tc->wl_seat) {
		return;
	}
	tc->tablet_seat = zwp_tablet_manager_v2_get_tablet_seat(tc->manager, tc->wl_seat);
	zwp_tablet_seat_v2_add_listener(tc->tablet_seat, &tablet_seat_listener, tc);
}

static void registry_handle_global(void *data, struct wl_registry *registry, uint32_t name,
		const char *interface, uint32_t version) {
	struct tablet_client *tc = data;
	if (strcmp(interface, wl_compositor_interface.name) == 0) {
		tc->compositor = tc_bind(registry, name, &wl_compositor_interface, version, 4);
	} else if (strcmp(interface, wl_shm_interface.name) == 0) {
		tc->shm = tc_bind(registry, name, &wl_shm_interface, version, 1);
	} else if (strcmp(interface, xdg_wm_base_interface.name) == 0) {
		tc->wm_base = tc_bind(registry, name, &xdg_wm_base_interface, version, 5);
		xdg_wm_base_add_listener(tc->wm_base, &wm_base_listener, tc);
	} else if (strcmp(interface, wl_seat_interface.name) == 0 && !tc->wl_seat) {
		tc->wl_seat = tc_bind(registry, name, &wl_seat_interface, version, 7);
		tc_seat_init(&tc->seat, tc->wl_seat);
		tablet_seat_setup(tc);
	} else if (strcmp(interface, zwp_tablet_manager_v2_interface.name) == 0 &&
			!tc->manager) {
		tc->manager = tc_bind(registry, name, &zwp_tablet_manager_v2_interface, version, 1);
		tablet_seat_setup(tc);
	}
}

static void registry_handle_global_remove(void *data, struct wl_registry *registry,
		uint32_t name) {
}

static const struct wl_registry_listener registry_listener = {
	.global = registry_handle_global,
	.global_remove = registry_handle_global_remove,
};

static void usage(FILE *f) {
	fprintf(f,
		"usage: lumen-test-tablet [options]\n"
		"  --title TITLE     toplevel title and app_id (default lumen-test-tablet)\n"
		"  --color RRGGBB    fill colour (default 33aa66)\n"
		"  --size WxH        size when the compositor leaves it to us (default 400x300)\n"
		"  --motion          also print 'pointer motion X Y'\n"
		"Prints every tablet, tool and pad event (see the top of tablet.c), and the\n"
		"keyboard and pointer lines of the other test clients.\n");
}

int main(int argc, char *argv[]) {
	tc_set_program_name("lumen-test-tablet");
	struct tablet_client tc = {
		.color = 0xff33aa66,
		.width = 400,
		.height = 300,
	};
	wl_list_init(&tc.pads);
	wl_list_init(&tc.devices);
	const char *title = "lumen-test-tablet";
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(arg, "--motion") == 0) {
			tc.seat.print_motion = true;
		} else if (!val) {
			usage(stderr);
			tc_die("unknown option or missing value: %s", arg);
		} else if (strcmp(arg, "--title") == 0) {
			title = val;
			i++;
		} else if (strcmp(arg, "--color") == 0) {
			tc_option_color("--color", val, &tc.color);
			i++;
		} else if (strcmp(arg, "--size") == 0) {
			tc_option_size("--size", val, &tc.width, &tc.height);
			i++;
		} else {
			usage(stderr);
			tc_die("unknown option: %s", arg);
		}
	}

	/* Tests read us through a pipe: every line must arrive as soon as it is printed. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	tc_signals_init();

	tc.display = tc_connect();
	tc.registry = wl_display_get_registry(tc.display);
	wl_registry_add_listener(tc.registry, &registry_listener, &tc);
	if (wl_display_roundtrip(tc.display) < 0) {
		tc_die_disconnected(tc.display);
	}
	if (!tc.compositor || !tc.shm || !tc.wm_base) {
		tc_die("compositor lacks wl_compositor, wl_shm or xdg_wm_base");
	}
	if (!tc.manager) {
		tc_die("compositor offers no zwp_tablet_manager_v2");
	}
	if (!tc.wl_seat) {
		tc_die("compositor offers no wl_seat");
	}
	tc.pool.shm = tc.shm;

	tc.surface = wl_compositor_create_surface(tc.compositor);
	tc.xdg_surface = xdg_wm_base_get_xdg_surface(tc.wm_base, tc.surface);
	xdg_surface_add_listener(tc.xdg_surface, &xdg_surface_listener, &tc);
	tc.toplevel = xdg_surface_get_toplevel(tc.xdg_surface);
	xdg_toplevel_add_listener(tc.toplevel, &toplevel_listener, &tc);
	xdg_toplevel_set_title(tc.toplevel, title);
	xdg_toplevel_set_app_id(tc.toplevel, title);
	wl_surface_commit(tc.surface);

	while (!tc.closed && !tc_signalled()) {
		if (!tc_dispatch(tc.display, -1, -1, NULL)) {
			tc_die_disconnected(tc.display);
		}
	}

	struct pad *pad, *tmp;
	wl_list_for_each_safe(pad, tmp, &tc.pads, link) {
		pad_destroy(pad);
	}
	struct device *device, *dtmp;
	wl_list_for_each_safe(device, dtmp, &tc.devices, link) {
		device_destroy(device);
	}
	xdg_toplevel_destroy(tc.toplevel);
	xdg_surface_destroy(tc.xdg_surface);
	wl_surface_destroy(tc.surface);
	tc_pool_finish(&tc.pool);
	zwp_tablet_seat_v2_destroy(tc.tablet_seat);
	zwp_tablet_manager_v2_destroy(tc.manager);
	tc_seat_finish(&tc.seat);
	xdg_wm_base_destroy(tc.wm_base);
	wl_shm_destroy(tc.shm);
	wl_compositor_destroy(tc.compositor);
	wl_registry_destroy(tc.registry);
	wl_display_flush(tc.display);
	wl_display_disconnect(tc.display);
	return 0;
}
