/*
 * wp-tearing-control-v1: a surface may ask that its frames go out at once (async), even
 * if that tears. The output commit policy (comp_tearing_policy, asked before each frame)
 * allows it only for a fullscreen window on an output whose configuration says
 * allow_tearing = yes. No backend here can flip asynchronously, so the decision is
 * what we can show: it is logged whenever it changes, for users and tests.
 */
#include <wlr/types/wlr_surface.h>
#include "common/log.h"
#include "protocols-ext-private.h"
#include "server.h"
#include "tearing-control-v1-protocol.h"

#define TEARING_CONTROL_VERSION 1

static const struct wp_tearing_control_v1_interface object_impl;

static struct comp_surface_hint *hint_from_resource(struct wl_resource *resource) {
	wl_resource_instance_of(resource, &wp_tearing_control_v1_interface, &object_impl);
	return wl_resource_get_user_data(resource);
}

static void object_handle_set(struct wl_client *client, struct wl_resource *resource,
		uint32_t hint_value) {
	struct comp_surface_hint *hint = hint_from_resource(resource);
	if (hint_value > WP_TEARING_CONTROL_V1_PRESENTATION_HINT_ASYNC) {
		lumen_log(LUMEN_DEBUG, "client bug: presentation hint %u is not in the enum",
			hint_value);
		return;
	}
	if (hint) {
		hint->pending_presentation_hint = hint_value;
	}
}

static void object_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static const struct wp_tearing_control_v1_interface object_impl = {
	.set_presentation_hint = object_handle_set,
	.destroy = object_handle_destroy,
};

static void object_resource_destroy(struct wl_resource *resource) {
	struct comp_surface_hint *hint = hint_from_resource(resource);
	if (hint) {
		hint->pending_presentation_hint = WP_TEARING_CONTROL_V1_PRESENTATION_HINT_VSYNC;
		hint->tearing_resource = NULL;
	}
}

static void manager_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void manager_handle_get(struct wl_client *client, struct wl_resource *resource,
		uint32_t id, struct wl_resource *surface_resource) {
	struct comp_server *server = wl_resource_get_user_data(resource);
	struct wlr_surface *surface = wlr_surface_from_resource(surface_resource);
	struct comp_surface_hint *hint = comp_surface_hint_get(server, surface);
	if (!hint) {
		wl_client_post_no_memory(client);
		return;
	}
	if (hint->tearing_resource) {
		wl_resource_post_error(resource,
			WP_TEARING_CONTROL_MANAGER_V1_ERROR_TEARING_CONTROL_EXISTS,
			"the surface already has a tearing control object");
		return;
	}
	struct wl_resource *object = wl_resource_create(client, &wp_tearing_control_v1_interface,
		wl_resource_get_version(resource), id);
	if (!object) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(object, &object_impl, hint, object_resource_destroy);
	hint->tearing_resource = object;
}

static const struct wp_tearing_control_manager_v1_interface manager_impl = {
	.destroy = manager_handle_destroy,
	.get_tearing_control = manager_handle_get,
};

static void manager_bind(struct wl_client *client, void *data, uint32_t version,
		uint32_t id) {
	struct wl_resource *resource = wl_resource_create(client,
		&wp_tearing_control_manager_v1_interface, (int)version, id);
	if (!resource) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(resource, &manager_impl, data, NULL);
}

void comp_tearing_control_init(struct comp_server *server) {
	if (!wl_global_create(server->display, &wp_tearing_control_manager_v1_interface,
			TEARING_CONTROL_VERSION, server, manager_bind)) {
		lumen_log(LUMEN_ERROR, "cannot create the tearing control global");
	}
}

/* The fullscreen window shown on this output, if any. */
static struct comp_view *fullscreen_view(struct comp_output *output) {
	struct comp_workspace *ws = output->workspace;
	if (!ws || ws->output != output) {
		return NULL;
	}
	struct comp_view *view;
	wl_list_for_each(view, &ws->views, ws_link) {
		if (view->mapped && !view->minimized && view->fullscreen) {
			return view;
		}
	}
	return NULL;
}

bool comp_tearing_policy(struct comp_output *output) {
	struct comp_server *server = output->server;
	const struct comp_output_config *oc =
		comp_config_find_output(&server->config, output->wlr_output->name);
	struct comp_view *view = fullscreen_view(output);
	struct wlr_surface *surface = view ? comp_view_surface(view) : NULL;
	bool wants = surface && comp_surface_presentation_hint(server, surface) ==
		WP_TEARING_CONTROL_V1_PRESENTATION_HINT_ASYNC;
	bool allowed = oc && oc->allow_tearing == 1;
	bool tear = wants && allowed;
	/* Logged on change only: this runs every frame. */
	int state = tear ? 2 : wants ? 1 : 0;
	if (state != output->tearing_state) {
		output->tearing_state = state;
		const char *app = view ? comp_view_app_id(view) : NULL;
		static const char *const types[] = {"none", "photo", "video", "game"};
		uint32_t type = surface ? comp_surface_content_type(server, surface) : 0;
		const char *content = type < 4 ? types[type] : "?";
		if (tear) {
			lumen_log(LUMEN_INFO, "output %s: tearing allowed (fullscreen '%s' asks for async, "
				"content %s)", output->wlr_output->name, app ? app : "", content);
		} else if (wants) {
			lumen_log(LUMEN_INFO, "output %s: tearing refused for fullscreen '%s' "
				"(allow_tearing is off; content %s)", output->wlr_output->name, app ? app : "",
				content);
		} else {
			lumen_log(LUMEN_INFO, "output %s: vsync", output->wlr_output->name);
		}
	}
	return tear;
}
