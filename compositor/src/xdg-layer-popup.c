/*
 * Popups of layer surfaces on our xdg_wm_base: wlroots' zwlr_layer_surface_v1.get_popup
 * takes only wlroots' own popups, so each layer surface's requests pass through a
 * dispatcher of ours that serves get_popup itself and hands every other request to
 * wlroots (comp_xdg_layer_surface_wrap, called from xdg-wm-base.c's request hook).
 */
#include <wayland-server.h> // the public prefix of struct wl_resource (see below)
#include <stdlib.h>
#include <string.h>
#include <wlr/types/wlr_layer_shell_v1.h>
#include "common/log.h"
#include "wlr-layer-shell-unstable-v1-protocol.h"
#include "xdg-layer-popup.h"
#include "xdg-wm-base.h"

/*
 * wlroots' zwlr_layer_surface_v1.get_popup asserts that the popup is one of wlroots'
 * xdg popups. Each layer surface's requests therefore pass through this dispatcher:
 * get_popup is ours, every other request goes to wlroots' handler, called through
 * its implementation struct with the arguments its signature has.
 */
static int layer_surface_dispatch(const void *impl_ptr, void *target, uint32_t opcode,
		const struct wl_message *msg, union wl_argument *args) {
	const struct zwlr_layer_surface_v1_interface *impl = impl_ptr;
	struct wl_resource *resource = target;
	struct wl_client *client = wl_resource_get_client(resource);
	const char *name = msg->name;
	if (strcmp(name, "get_popup") == 0) {
		struct wl_resource *popup_resource = (struct wl_resource *)args[0].o;
		struct wlr_layer_surface_v1 *ls = wl_resource_get_user_data(resource);
		struct comp_xdg_popup *popup = comp_xdg_popup_from_resource(popup_resource);
		if (ls && popup) {
			comp_xdg_popup_set_layer_parent(popup, ls->surface);
		}
	} else if (strcmp(name, "set_size") == 0) {
		impl->set_size(client, resource, args[0].u, args[1].u);
	} else if (strcmp(name, "set_anchor") == 0) {
		impl->set_anchor(client, resource, args[0].u);
	} else if (strcmp(name, "set_exclusive_zone") == 0) {
		impl->set_exclusive_zone(client, resource, args[0].i);
	} else if (strcmp(name, "set_margin") == 0) {
		impl->set_margin(client, resource, args[0].i, args[1].i, args[2].i, args[3].i);
	} else if (strcmp(name, "set_keyboard_interactivity") == 0) {
		impl->set_keyboard_interactivity(client, resource, args[0].u);
	} else if (strcmp(name, "ack_configure") == 0) {
		impl->ack_configure(client, resource, args[0].u);
	} else if (strcmp(name, "destroy") == 0) {
		impl->destroy(client, resource);
	} else if (strcmp(name, "set_layer") == 0) {
		impl->set_layer(client, resource, args[0].u);
	}
	return 0;
}

static void layer_wrap_marker(struct wl_listener *listener, void *data) {
	wl_list_remove(&listener->link);
	free(listener);
}

/*
 * The implementation and destructor wlroots gave the resource, read through the
 * public (deprecated) prefix of struct wl_resource that libwayland keeps for old
 * binaries; checked against the accessors before it is trusted.
 */
bool comp_xdg_layer_surface_wrap(struct wl_resource *resource) {
	if (wl_resource_get_destroy_listener(resource, layer_wrap_marker)) {
		return true; // done already
	}
	struct wl_resource_public {
		struct wl_object object;
		wl_resource_destroy_func_t destroy;
		struct wl_list link;
		struct wl_signal destroy_signal;
		struct wl_client *client;
		void *data;
	};
	const struct wl_resource_public *pub = (const void *)resource;
	if (pub->client != wl_resource_get_client(resource) ||
			pub->data != wl_resource_get_user_data(resource) ||
			pub->object.id != wl_resource_get_id(resource) || !pub->object.implementation) {
		lumen_log(LUMEN_ERROR, "libwayland's wl_resource is not laid out as expected: "
			"layer-shell popups are refused");
		return false;
	}
	struct wl_listener *marker = calloc(1, sizeof(*marker));
	if (!marker) {
		return false;
	}
	marker->notify = layer_wrap_marker;
	wl_resource_add_destroy_listener(resource, marker);
	wl_resource_set_dispatcher(resource, layer_surface_dispatch, pub->object.implementation,
		pub->data, pub->destroy);
	return true;
}
