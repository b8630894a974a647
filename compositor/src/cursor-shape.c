/*
 * wp-cursor-shape-v1: a client names a shape and the compositor shows that cursor from
 * its own theme (wlr_xcursor_manager), as if the client had attached the image itself;
 * the same rule as wl_pointer.set_cursor applies (only the client under the pointer).
 */
#include <stdlib.h>
#include <wlr/types/wlr_seat.h>
#include <wlr/types/wlr_xcursor_manager.h>
#include "common/log.h"
#include "cursor-shape-v1-protocol.h"
#include "protocols-ext.h"
#include "server.h"

#define CURSOR_SHAPE_VERSION 1

struct comp_cursor_shape {
	struct comp_server *server;
	struct wl_global *global;
	const char *last_name; // last shape shown, to log changes only; may be NULL
};

struct comp_cursor_shape_device {
	struct comp_cursor_shape *cs; // NULL once inert
	struct wlr_seat_client *seat_client; // NULL for a tablet tool, or once its seat went
	struct wl_listener seat_client_destroy;
};

/* Names from the xcursor themes Debian ships (Adwaita, DMZ), one per shape. */
static const char *const shape_names[] = {
	[WP_CURSOR_SHAPE_DEVICE_V1_SHAPE_DEFAULT] = "left_ptr",
	[WP_CURSOR_SHAPE_DEVICE_V1_SHAPE_CONTEXT_MENU] = "context-menu",
	[WP_CURSOR_SHAPE_DEVICE_V1_SHAPE_HELP] = "help",
	[WP_CURSOR_SHAPE_DEVICE_V1_SHAPE_POINTER] = "pointer",
	[WP_CURSOR_SHAPE_DEVICE_V1_SHAPE_PROGRESS] = "progress",
	[WP_CURSOR_SHAPE_DEVICE_V1_SHAPE_WAIT] = "wait",
	[WP_CURSOR_SHAPE_DEVICE_V1_SHAPE_CELL] = "cell",
	[WP_CURSOR_SHAPE_DEVICE_V1_SHAPE_CROSSHAIR] = "crosshair",
	[WP_CURSOR_SHAPE_DEVICE_V1_SHAPE_TEXT] = "text",
	[WP_CURSOR_SHAPE_DEVICE_V1_SHAPE_VERTICAL_TEXT] = "vertical-text",
	[WP_CURSOR_SHAPE_DEVICE_V1_SHAPE_ALIAS] = "alias",
	[WP_CURSOR_SHAPE_DEVICE_V1_SHAPE_COPY] = "copy",
	[WP_CURSOR_SHAPE_DEVICE_V1_SHAPE_MOVE] = "move",
	[WP_CURSOR_SHAPE_DEVICE_V1_SHAPE_NO_DROP] = "no-drop",
	[WP_CURSOR_SHAPE_DEVICE_V1_SHAPE_NOT_ALLOWED] = "not-allowed",
	[WP_CURSOR_SHAPE_DEVICE_V1_SHAPE_GRAB] = "grab",
	[WP_CURSOR_SHAPE_DEVICE_V1_SHAPE_GRABBING] = "grabbing",
	[WP_CURSOR_SHAPE_DEVICE_V1_SHAPE_E_RESIZE] = "e-resize",
	[WP_CURSOR_SHAPE_DEVICE_V1_SHAPE_N_RESIZE] = "n-resize",
	[WP_CURSOR_SHAPE_DEVICE_V1_SHAPE_NE_RESIZE] = "ne-resize",
	[WP_CURSOR_SHAPE_DEVICE_V1_SHAPE_NW_RESIZE] = "nw-resize",
	[WP_CURSOR_SHAPE_DEVICE_V1_SHAPE_S_RESIZE] = "s-resize",
	[WP_CURSOR_SHAPE_DEVICE_V1_SHAPE_SE_RESIZE] = "se-resize",
	[WP_CURSOR_SHAPE_DEVICE_V1_SHAPE_SW_RESIZE] = "sw-resize",
	[WP_CURSOR_SHAPE_DEVICE_V1_SHAPE_W_RESIZE] = "w-resize",
	[WP_CURSOR_SHAPE_DEVICE_V1_SHAPE_EW_RESIZE] = "ew-resize",
	[WP_CURSOR_SHAPE_DEVICE_V1_SHAPE_NS_RESIZE] = "ns-resize",
	[WP_CURSOR_SHAPE_DEVICE_V1_SHAPE_NESW_RESIZE] = "nesw-resize",
	[WP_CURSOR_SHAPE_DEVICE_V1_SHAPE_NWSE_RESIZE] = "nwse-resize",
	[WP_CURSOR_SHAPE_DEVICE_V1_SHAPE_COL_RESIZE] = "col-resize",
	[WP_CURSOR_SHAPE_DEVICE_V1_SHAPE_ROW_RESIZE] = "row-resize",
	[WP_CURSOR_SHAPE_DEVICE_V1_SHAPE_ALL_SCROLL] = "all-scroll",
	[WP_CURSOR_SHAPE_DEVICE_V1_SHAPE_ZOOM_IN] = "zoom-in",
	[WP_CURSOR_SHAPE_DEVICE_V1_SHAPE_ZOOM_OUT] = "zoom-out",
};

const char *comp_cursor_shape_name(uint32_t shape) {
	if (shape >= sizeof(shape_names) / sizeof(shape_names[0])) {
		return NULL;
	}
	return shape_names[shape];
}

static const struct wp_cursor_shape_device_v1_interface device_impl;

static struct comp_cursor_shape_device *device_from_resource(struct wl_resource *resource) {
	wl_resource_instance_of(resource, &wp_cursor_shape_device_v1_interface, &device_impl);
	return wl_resource_get_user_data(resource);
}

static void device_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void device_handle_set_shape(struct wl_client *client, struct wl_resource *resource,
		uint32_t serial, uint32_t shape) {
	struct comp_cursor_shape_device *device = device_from_resource(resource);
	const char *name = comp_cursor_shape_name(shape);
	if (!name) {
		wl_resource_post_error(resource, WP_CURSOR_SHAPE_DEVICE_V1_ERROR_INVALID_SHAPE,
			"%u is not a cursor shape", shape);
		return;
	}
	if (!device->cs || !device->seat_client) {
		return; // a tablet tool's cursor is drawn as the pointer's; or the seat is gone
	}
	struct comp_server *server = device->cs->server;
	/* As wl_pointer.set_cursor: only the client with the pointer, for its latest enter. */
	if (server->seat->pointer_state.focused_client != device->seat_client ||
			!wlr_seat_client_validate_event_serial(device->seat_client, serial)) {
		return;
	}
	wlr_xcursor_manager_set_cursor_image(server->cursor_mgr, name, server->cursor);
	/* Toolkits set a shape at every enter: say so only when it changes. */
	if (device->cs->last_name != name) {
		device->cs->last_name = name;
		lumen_log(LUMEN_INFO, "cursor shape %u: showing '%s'", shape, name);
	}
}

static const struct wp_cursor_shape_device_v1_interface device_impl = {
	.destroy = device_handle_destroy,
	.set_shape = device_handle_set_shape,
};

static void device_handle_seat_client_destroy(struct wl_listener *listener, void *data) {
	struct comp_cursor_shape_device *device =
		wl_container_of(listener, device, seat_client_destroy);
	wl_list_remove(&device->seat_client_destroy.link);
	wl_list_init(&device->seat_client_destroy.link);
	device->seat_client = NULL;
}

static void device_resource_destroy(struct wl_resource *resource) {
	struct comp_cursor_shape_device *device = device_from_resource(resource);
	wl_list_remove(&device->seat_client_destroy.link);
	free(device);
}

static void create_device(struct wl_client *client, struct wl_resource *manager_resource,
		uint32_t id, struct wlr_seat_client *seat_client) {
	struct comp_cursor_shape_device *device = calloc(1, sizeof(*device));
	if (!device) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_list_init(&device->seat_client_destroy.link);
	struct wl_resource *resource = wl_resource_create(client,
		&wp_cursor_shape_device_v1_interface, wl_resource_get_version(manager_resource), id);
	if (!resource) {
		free(device);
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(resource, &device_impl, device, device_resource_destroy);
	device->cs = wl_resource_get_user_data(manager_resource);
	device->seat_client = seat_client;
	if (seat_client) {
		device->seat_client_destroy.notify = device_handle_seat_client_destroy;
		wl_signal_add(&seat_client->events.destroy, &device->seat_client_destroy);
	}
}

static void manager_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void manager_handle_get_pointer(struct wl_client *client, struct wl_resource *resource,
		uint32_t id, struct wl_resource *pointer) {
	create_device(client, resource, id, wlr_seat_client_from_pointer_resource(pointer));
}

static void manager_handle_get_tablet_tool(struct wl_client *client,
		struct wl_resource *resource, uint32_t id, struct wl_resource *tool) {
	create_device(client, resource, id, NULL);
}

static const struct wp_cursor_shape_manager_v1_interface manager_impl = {
	.destroy = manager_handle_destroy,
	.get_pointer = manager_handle_get_pointer,
	.get_tablet_tool_v2 = manager_handle_get_tablet_tool,
};

static void manager_bind(struct wl_client *client, void *data, uint32_t version,
		uint32_t id) {
	struct wl_resource *resource = wl_resource_create(client,
		&wp_cursor_shape_manager_v1_interface, (int)version, id);
	if (!resource) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(resource, &manager_impl, data, NULL);
}

struct comp_cursor_shape *comp_cursor_shape_create(struct comp_server *server) {
	struct comp_cursor_shape *cs = calloc(1, sizeof(*cs));
	if (!cs) {
		return NULL;
	}
	cs->server = server;
	cs->global = wl_global_create(server->display, &wp_cursor_shape_manager_v1_interface,
		CURSOR_SHAPE_VERSION, cs, manager_bind);
	if (!cs->global) {
		free(cs);
		return NULL;
	}
	return cs;
}

void comp_cursor_shape_destroy(struct comp_cursor_shape *cs) {
	if (!cs) {
		return;
	}
	wl_global_destroy(cs->global);
	free(cs);
}
