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
#include <wlr/types/wlr_touch.h>
#include <wlr/types/wlr_xdg_shell.h>
#include <wlr/util/box.h>
#include "comp/testing.h"
#include "common/log.h"
#include "server.h"

struct comp_testing_device {
	struct comp_server *server;
	struct wlr_input_device *device; // NULL once the backend destroyed it
	struct wl_listener destroy;
};

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
