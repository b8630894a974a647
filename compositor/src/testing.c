/*
 * Test hooks (comp/testing.h): input devices on the headless backend that a harness
 * drives directly, clients on sockets the harness hands us, and placing a window
 * where a test wants it. Events are emitted on the wlr_pointer/wlr_touch signals, as a
 * backend would, so that they go through wlr_cursor and seat.c like real input.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wlr/backend/headless.h>
#include <wlr/interfaces/wlr_input_device.h>
#include <wlr/types/wlr_compositor.h>
#include <wlr/types/wlr_layer_shell_v1.h>
#include <wlr/types/wlr_pointer.h>
#include <wlr/types/wlr_surface.h>
#include <wlr/interfaces/wlr_tablet_pad.h>
#include <wlr/types/wlr_tablet_pad.h>
#include <wlr/types/wlr_tablet_tool.h>
#include <wlr/types/wlr_touch.h>
#include <wlr/types/wlr_xdg_shell.h>
#include <wlr/util/box.h>
#include "comp/testing.h"
#include "common/log.h"
#include "server.h"
#include "xdg-wm-base.h"

struct comp_testing_device {
	struct comp_server *server;
	struct wlr_input_device *device; // NULL once the backend destroyed it
	struct wl_listener destroy;
	struct wlr_tablet_tool *tool; // tablets: the pen, ours; NULL once gone
	double tool_x, tool_y; // tablets: where the pen is, 0..1 of the layout
};

/*
 * A pad is made here rather than on the headless backend, which announces a device
 * before its buttons, rings and strips could be set, and wlroots reads them then.
 */
struct testing_pad {
	struct wlr_input_device device;
	struct wlr_tablet_pad pad;
	struct wlr_tablet_pad_group group;
	unsigned int buttons[3], rings[1], strips[1];
};

/* The pen goes with its tablet: clients are told it is removed. */
static void destroy_tool(struct comp_testing_device *dev) {
	if (dev->tool) {
		wl_signal_emit(&dev->tool->events.destroy, dev->tool);
		free(dev->tool);
		dev->tool = NULL;
	}
}

static uint32_t now_msec(void) {
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint32_t)(now.tv_sec * 1000 + now.tv_nsec / 1000000);
}

static void handle_device_destroy(struct wl_listener *listener, void *data) {
	struct comp_testing_device *dev = wl_container_of(listener, dev, destroy);
	wl_list_remove(&dev->destroy.link);
	wl_list_init(&dev->destroy.link);
	dev->device = NULL;
	destroy_tool(dev);
}

static struct comp_testing_device *add_device(struct comp_server *server,
		enum wlr_input_device_type type) {
	if (!server->headless) {
		lumen_log(LUMEN_ERROR, "testing: no headless backend to add an input device to "
			"(run with WLR_BACKENDS=headless)");
		return NULL;
	}
	struct comp_testing_device *dev = calloc(1, sizeof(*dev));
	if (!dev) {
		return NULL;
	}
	dev->server = server;
	/* The backend announces it through new_input, where seat.c attaches it. */
	dev->device = wlr_headless_add_input_device(server->headless, type);
	if (!dev->device) {
		lumen_log(LUMEN_ERROR, "testing: the headless backend refused an input device");
		free(dev);
		return NULL;
	}
	dev->destroy.notify = handle_device_destroy;
	wl_signal_add(&dev->device->events.destroy, &dev->destroy);
	return dev;
}

struct comp_testing_device *comp_testing_add_pointer(struct comp_server *server) {
	return add_device(server, WLR_INPUT_DEVICE_POINTER);
}

struct comp_testing_device *comp_testing_add_touch(struct comp_server *server) {
	return add_device(server, WLR_INPUT_DEVICE_TOUCH);
}

void comp_testing_device_destroy(struct comp_testing_device *dev) {
	if (!dev) {
		return;
	}
	if (dev->device) {
		struct wlr_input_device *device = dev->device;
		wl_list_remove(&dev->destroy.link);
		wlr_input_device_destroy(device);
	}
	destroy_tool(dev);
	free(dev);
}

static struct wlr_input_device *live_device(struct comp_testing_device *dev,
		enum wlr_input_device_type type) {
	if (!dev || !dev->device) {
		return NULL;
	}
	if (!lumen_assert(dev->device->type == type, "testing: wrong kind of device")) {
		return NULL;
	}
	return dev->device;
}

/*
 * Absolute devices report 0..1 of the area they are mapped to; ours are mapped to
 * nothing, so wlr_cursor takes the whole layout.
 */
static bool layout_to_absolute(struct comp_server *server, double lx, double ly, double *x,
		double *y) {
	struct wlr_box *box = wlr_output_layout_get_box(server->output_layout, NULL);
	if (!box || wlr_box_empty(box)) {
		lumen_log(LUMEN_ERROR, "testing: no output, so no absolute coordinates");
		return false;
	}
	*x = (lx - box->x) / box->width;
	*y = (ly - box->y) / box->height;
	return true;
}

bool comp_testing_pointer_move_absolute(struct comp_testing_device *pointer, double lx,
		double ly) {
	struct wlr_input_device *device = live_device(pointer, WLR_INPUT_DEVICE_POINTER);
	struct wlr_event_pointer_motion_absolute event = {.device = device};
	if (!device || !layout_to_absolute(pointer->server, lx, ly, &event.x, &event.y)) {
		return false;
	}
	event.time_msec = now_msec();
	wl_signal_emit(&device->pointer->events.motion_absolute, &event);
	wl_signal_emit(&device->pointer->events.frame, device->pointer);
	return true;
}

bool comp_testing_pointer_move_relative(struct comp_testing_device *pointer, double dx,
		double dy) {
	struct wlr_input_device *device = live_device(pointer, WLR_INPUT_DEVICE_POINTER);
	if (!device) {
		return false;
	}
	struct wlr_event_pointer_motion event = {
		.device = device,
		.time_msec = now_msec(),
		.delta_x = dx,
		.delta_y = dy,
		.unaccel_dx = dx,
		.unaccel_dy = dy,
	};
	wl_signal_emit(&device->pointer->events.motion, &event);
	wl_signal_emit(&device->pointer->events.frame, device->pointer);
	return true;
}

bool comp_testing_pointer_button(struct comp_testing_device *pointer, uint32_t button,
		bool pressed) {
	struct wlr_input_device *device = live_device(pointer, WLR_INPUT_DEVICE_POINTER);
	if (!device) {
		return false;
	}
	struct wlr_event_pointer_button event = {
		.device = device,
		.time_msec = now_msec(),
		.button = button,
		.state = pressed ? WLR_BUTTON_PRESSED : WLR_BUTTON_RELEASED,
	};
	wl_signal_emit(&device->pointer->events.button, &event);
	wl_signal_emit(&device->pointer->events.frame, device->pointer);
	return true;
}

bool comp_testing_touch_down(struct comp_testing_device *touch, int32_t id, double lx,
		double ly) {
	struct wlr_input_device *device = live_device(touch, WLR_INPUT_DEVICE_TOUCH);
	struct wlr_event_touch_down event = {.device = device, .touch_id = id};
	if (!device || !layout_to_absolute(touch->server, lx, ly, &event.x, &event.y)) {
		return false;
	}
	event.time_msec = now_msec();
	wl_signal_emit(&device->touch->events.down, &event);
	wl_signal_emit(&device->touch->events.frame, NULL);
	return true;
}

bool comp_testing_touch_move(struct comp_testing_device *touch, int32_t id, double lx,
		double ly) {
	struct wlr_input_device *device = live_device(touch, WLR_INPUT_DEVICE_TOUCH);
	struct wlr_event_touch_motion event = {.device = device, .touch_id = id};
	if (!device || !layout_to_absolute(touch->server, lx, ly, &event.x, &event.y)) {
		return false;
	}
	event.time_msec = now_msec();
	wl_signal_emit(&device->touch->events.motion, &event);
	wl_signal_emit(&device->touch->events.frame, NULL);
	return true;
}

bool comp_testing_touch_up(struct comp_testing_device *touch, int32_t id) {
	struct wlr_input_device *device = live_device(touch, WLR_INPUT_DEVICE_TOUCH);
	if (!device) {
		return false;
	}
	struct wlr_event_touch_up event = {
		.device = device,
		.time_msec = now_msec(),
		.touch_id = id,
	};
	wl_signal_emit(&device->touch->events.up, &event);
	wl_signal_emit(&device->touch->events.frame, NULL);
	return true;
}

struct comp_testing_device *comp_testing_add_tablet(struct comp_server *server) {
	struct wlr_tablet_tool *tool = calloc(1, sizeof(*tool));
	if (!tool) {
		return NULL;
	}
	tool->type = WLR_TABLET_TOOL_TYPE_PEN;
	tool->hardware_serial = 1;
	tool->tilt = tool->pressure = tool->distance = tool->rotation = tool->slider =
		tool->wheel = true;
	wl_signal_init(&tool->events.destroy);
	struct comp_testing_device *dev = add_device(server, WLR_INPUT_DEVICE_TABLET_TOOL);
	if (!dev) {
		free(tool);
		return NULL;
	}
	dev->tool = tool;
	return dev;
}

static void testing_pad_impl_destroy(struct wlr_tablet_pad *pad) {
	/* Part of struct testing_pad, freed with the device. */
}

static struct wlr_tablet_pad_impl testing_pad_impl = {
	.destroy = testing_pad_impl_destroy,
};

static void testing_pad_device_destroy(struct wlr_input_device *device) {
	struct testing_pad *pad = wl_container_of(device, pad, device);
	free(pad);
}

static const struct wlr_input_device_impl testing_pad_device_impl = {
	.destroy = testing_pad_device_destroy,
};

struct comp_testing_device *comp_testing_add_tablet_pad(struct comp_server *server) {
	if (!server->headless) {
		lumen_log(LUMEN_ERROR, "testing: no headless backend to add a tablet pad to");
		return NULL;
	}
	struct comp_testing_device *dev = calloc(1, sizeof(*dev));
	struct testing_pad *pad = calloc(1, sizeof(*pad));
	if (!dev || !pad) {
		free(dev);
		free(pad);
		return NULL;
	}
	wlr_input_device_init(&pad->device, WLR_INPUT_DEVICE_TABLET_PAD,
		&testing_pad_device_impl, "headless pad", 0, 0);
	wlr_tablet_pad_init(&pad->pad, &testing_pad_impl);
	pad->device.tablet_pad = &pad->pad;
	pad->pad.button_count = 3;
	pad->pad.ring_count = 1;
	pad->pad.strip_count = 1;
	for (unsigned int i = 0; i < 3; i++) {
		pad->buttons[i] = i;
	}
	pad->group.button_count = 3;
	pad->group.buttons = pad->buttons;
	pad->group.ring_count = 1;
	pad->group.rings = pad->rings;
	pad->group.strip_count = 1;
	pad->group.strips = pad->strips;
	pad->group.mode_count = 1;
	wl_list_insert(&pad->pad.groups, &pad->group.link);
	dev->server = server;
	dev->device = &pad->device;
	dev->destroy.notify = handle_device_destroy;
	wl_signal_add(&dev->device->events.destroy, &dev->destroy);
	/* Announced as the headless backend would (the multi backend passes it on). */
	wl_signal_emit(&server->headless->events.new_input, &pad->device);
	return dev;
}

bool comp_testing_tablet_proximity(struct comp_testing_device *tablet, bool in, double lx,
		double ly) {
	struct wlr_input_device *device = live_device(tablet, WLR_INPUT_DEVICE_TABLET_TOOL);
	if (!device || !tablet->tool) {
		return false;
	}
	if (in && !layout_to_absolute(tablet->server, lx, ly, &tablet->tool_x,
			&tablet->tool_y)) {
		return false;
	}
	struct wlr_event_tablet_tool_proximity event = {
		.device = device,
		.tool = tablet->tool,
		.time_msec = now_msec(),
		.x = tablet->tool_x,
		.y = tablet->tool_y,
		.state = in ? WLR_TABLET_TOOL_PROXIMITY_IN : WLR_TABLET_TOOL_PROXIMITY_OUT,
	};
	wl_signal_emit(&device->tablet->events.proximity, &event);
	return true;
}

bool comp_testing_tablet_axis(struct comp_testing_device *tablet,
		const struct comp_testing_tablet_axes *axes) {
	struct wlr_input_device *device = live_device(tablet, WLR_INPUT_DEVICE_TABLET_TOOL);
	if (!device || !tablet->tool) {
		return false;
	}
	struct wlr_event_tablet_tool_axis event = {
		.device = device,
		.tool = tablet->tool,
		.time_msec = now_msec(),
		.pressure = axes->pressure,
		.distance = axes->distance,
		.tilt_x = axes->tilt_x,
		.tilt_y = axes->tilt_y,
		.rotation = axes->rotation,
		.slider = axes->slider,
		.wheel_delta = axes->wheel,
	};
	/* libinput reports both coordinates and the change; so do we. */
	if (axes->axes & (COMP_TESTING_TABLET_X | COMP_TESTING_TABLET_Y)) {
		double x, y;
		if (!layout_to_absolute(tablet->server, axes->x, axes->y, &x, &y)) {
			return false;
		}
		if (axes->axes & COMP_TESTING_TABLET_X) {
			event.updated_axes |= WLR_TABLET_TOOL_AXIS_X;
			event.dx = x - tablet->tool_x;
			tablet->tool_x = x;
		}
		if (axes->axes & COMP_TESTING_TABLET_Y) {
			event.updated_axes |= WLR_TABLET_TOOL_AXIS_Y;
			event.dy = y - tablet->tool_y;
			tablet->tool_y = y;
		}
	}
	event.x = tablet->tool_x;
	event.y = tablet->tool_y;
	static const struct {
		uint32_t ours, wlr;
	} map[] = {
		{COMP_TESTING_TABLET_PRESSURE, WLR_TABLET_TOOL_AXIS_PRESSURE},
		{COMP_TESTING_TABLET_DISTANCE, WLR_TABLET_TOOL_AXIS_DISTANCE},
		{COMP_TESTING_TABLET_TILT_X, WLR_TABLET_TOOL_AXIS_TILT_X},
		{COMP_TESTING_TABLET_TILT_Y, WLR_TABLET_TOOL_AXIS_TILT_Y},
		{COMP_TESTING_TABLET_ROTATION, WLR_TABLET_TOOL_AXIS_ROTATION},
		{COMP_TESTING_TABLET_SLIDER, WLR_TABLET_TOOL_AXIS_SLIDER},
		{COMP_TESTING_TABLET_WHEEL, WLR_TABLET_TOOL_AXIS_WHEEL},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (axes->axes & map[i].ours) {
			event.updated_axes |= map[i].wlr;
		}
	}
	wl_signal_emit(&device->tablet->events.axis, &event);
	return true;
}

bool comp_testing_tablet_tip(struct comp_testing_device *tablet, bool down) {
	struct wlr_input_device *device = live_device(tablet, WLR_INPUT_DEVICE_TABLET_TOOL);
	if (!device || !tablet->tool) {
		return false;
	}
	struct wlr_event_tablet_tool_tip event = {
		.device = device,
		.tool = tablet->tool,
		.time_msec = now_msec(),
		.x = tablet->tool_x,
		.y = tablet->tool_y,
		.state = down ? WLR_TABLET_TOOL_TIP_DOWN : WLR_TABLET_TOOL_TIP_UP,
	};
	wl_signal_emit(&device->tablet->events.tip, &event);
	return true;
}

bool comp_testing_tablet_button(struct comp_testing_device *tablet, uint32_t button,
		bool pressed) {
	struct wlr_input_device *device = live_device(tablet, WLR_INPUT_DEVICE_TABLET_TOOL);
	if (!device || !tablet->tool) {
		return false;
	}
	struct wlr_event_tablet_tool_button event = {
		.device = device,
		.tool = tablet->tool,
		.time_msec = now_msec(),
		.button = button,
		.state = pressed ? WLR_BUTTON_PRESSED : WLR_BUTTON_RELEASED,
	};
	wl_signal_emit(&device->tablet->events.button, &event);
	return true;
}

bool comp_testing_pad_button(struct comp_testing_device *pad, uint32_t button, bool pressed) {
	struct wlr_input_device *device = live_device(pad, WLR_INPUT_DEVICE_TABLET_PAD);
	if (!device) {
		return false;
	}
	struct wlr_event_tablet_pad_button event = {
		.time_msec = now_msec(),
		.button = button,
		.state = pressed ? WLR_BUTTON_PRESSED : WLR_BUTTON_RELEASED,
	};
	wl_signal_emit(&device->tablet_pad->events.button, &event);
	return true;
}

bool comp_testing_pad_ring(struct comp_testing_device *pad, uint32_t ring, double degrees) {
	struct wlr_input_device *device = live_device(pad, WLR_INPUT_DEVICE_TABLET_PAD);
	if (!device) {
		return false;
	}
	struct wlr_event_tablet_pad_ring event = {
		.time_msec = now_msec(),
		.source = WLR_TABLET_PAD_RING_SOURCE_FINGER,
		.ring = ring,
		.position = degrees,
	};
	wl_signal_emit(&device->tablet_pad->events.ring, &event);
	return true;
}

bool comp_testing_pad_strip(struct comp_testing_device *pad, uint32_t strip,
		double position) {
	struct wlr_input_device *device = live_device(pad, WLR_INPUT_DEVICE_TABLET_PAD);
	if (!device) {
		return false;
	}
	struct wlr_event_tablet_pad_strip event = {
		.time_msec = now_msec(),
		.source = WLR_TABLET_PAD_STRIP_SOURCE_FINGER,
		.strip = strip,
		.position = position,
	};
	wl_signal_emit(&device->tablet_pad->events.strip, &event);
	return true;
}

struct wl_client *comp_testing_create_client(struct comp_server *server, int fd,
		bool trusted) {
	struct wl_client *client = wl_client_create(server->display, fd);
	if (!client) {
		lumen_log_errno(LUMEN_ERROR, "testing: cannot create a client");
		return NULL;
	}
	if (trusted) {
		comp_trust_client(server->trust, client);
	}
	return client;
}

bool comp_testing_position_window(struct comp_server *server, struct wl_client *client,
		uint32_t surface_id, int x, int y) {
	struct wl_resource *resource = wl_client_get_object(client, surface_id);
	if (!resource || strcmp(wl_resource_get_class(resource), "wl_surface") != 0) {
		lumen_log(LUMEN_ERROR, "testing: object %u of the client is not a wl_surface",
			surface_id);
		return false;
	}
	struct wlr_surface *surface = wlr_surface_from_resource(resource);
	struct comp_view *view = comp_view_from_surface(server, surface);
	if (!view) {
		lumen_log(LUMEN_ERROR, "testing: wl_surface@%u is not a mapped window", surface_id);
		return false;
	}
	/* Where the content is inside the frame: decorations and borders come first. */
	int dx = 0, dy = 0;
	if (view->content) {
		int frame_x, frame_y, content_x, content_y;
		wlr_scene_node_coords(&view->tree->node, &frame_x, &frame_y);
		wlr_scene_node_coords(view->content, &content_x, &content_y);
		dx = content_x - frame_x;
		dy = content_y - frame_y;
	}
	comp_view_move_to(view, x - dx, y - dy);
	return true;
}

/* comp_testing_assume_initial_ack: one per server, gone with the xdg shell. */
struct initial_ack_quirk {
	struct wl_listener new_xdg_surface, xdg_shell_destroy;
	struct wl_protocol_logger *logger;
};

/*
 * An xdg surface's initial commit: wlroots emits new_surface from inside it, after
 * the compositor has seen the role state and just before it checks whether the
 * surface can map. Marked configured here, a buffer on that commit maps the window.
 */
static void handle_quirk_new_xdg_surface(struct wl_listener *listener, void *data) {
	struct wlr_xdg_surface *xdg_surface = data;
	xdg_surface->configured = true;
}

/*
 * Later commits: the protocol logger sees each request before it is dispatched, so
 * this runs after everything the previous request caused and before this commit is
 * applied, which is when a client would have acked.
 *  - an xdg surface unmapped by a null buffer is unconfigured again, and WLCS maps
 *    it again without waiting for a configure;
 *  - a layer surface's initial commit is checked by wlroots before anyone can step
 *    in (a buffer on it is an error we cannot help), but the configure the
 *    compositor answers it with can be taken as acked before the next commit.
 */
static void quirk_before_request(void *data, enum wl_protocol_logger_type type,
		const struct wl_protocol_logger_message *message) {
	if (type != WL_PROTOCOL_LOGGER_REQUEST ||
			strcmp(message->message->name, "commit") != 0 ||
			strcmp(wl_resource_get_class(message->resource), "wl_surface") != 0) {
		return;
	}
	struct wlr_surface *surface = wlr_surface_from_resource(message->resource);
	if (wlr_surface_is_xdg_surface(surface)) {
		struct wlr_xdg_surface *xdg_surface = wlr_xdg_surface_from_wlr_surface(surface);
		if (xdg_surface && xdg_surface->added && !xdg_surface->configured) {
			xdg_surface->configured = true;
		}
	} else if (wlr_surface_is_layer_surface(surface)) {
		struct wlr_layer_surface_v1 *layer_surface =
			wlr_layer_surface_v1_from_wlr_surface(surface);
		if (layer_surface && layer_surface->added && !layer_surface->configured &&
				!wl_list_empty(&layer_surface->configure_list)) {
			layer_surface->configured = true;
		}
	}
}

static void handle_quirk_xdg_shell_destroy(struct wl_listener *listener, void *data) {
	struct initial_ack_quirk *quirk = wl_container_of(listener, quirk, xdg_shell_destroy);
	wl_list_remove(&quirk->new_xdg_surface.link);
	wl_list_remove(&quirk->xdg_shell_destroy.link);
	/* The display does not free its loggers; it is still alive while shells go. */
	wl_protocol_logger_destroy(quirk->logger);
	free(quirk);
}

bool comp_testing_assume_initial_ack(struct comp_server *server) {
	if (server->xdg_wm_base) {
		server->xdg_wm_base->assume_initial_ack = true; // our xdg-shell (xdg-wm-base.c)
	}
	struct initial_ack_quirk *quirk = calloc(1, sizeof(*quirk));
	if (!quirk) {
		return false;
	}
	quirk->logger = wl_display_add_protocol_logger(server->display, quirk_before_request,
		quirk);
	if (!quirk->logger) {
		free(quirk);
		return false;
	}
	/* After the compositor's own listener, which makes the view first. */
	quirk->new_xdg_surface.notify = handle_quirk_new_xdg_surface;
	wl_signal_add(&server->xdg_shell->events.new_surface, &quirk->new_xdg_surface);
	quirk->xdg_shell_destroy.notify = handle_quirk_xdg_shell_destroy;
	wl_signal_add(&server->xdg_shell->events.destroy, &quirk->xdg_shell_destroy);
	return true;
}
