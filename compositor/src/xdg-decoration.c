/*
 * xdg-decoration (zxdg_decoration_manager_v1) for our xdg toplevels: wlroots' takes
 * only its own. The policy is protocols.c's for wlroots' shell: in server mode every
 * window gets our title bar (decoration.c); in client mode the client's wish is
 * followed, client-side when it has none.
 */
#include <stdlib.h>
#include "common/log.h"
#include "server.h"
#include "xdg-decoration-unstable-v1-protocol.h"
#include "xdg-wm-base.h"

#define DECORATION_VERSION 1

struct comp_xdg_decoration_manager {
	struct comp_server *server;
	struct wl_global *global;
	struct wl_list decorations; // comp_toplevel_decoration.link
	struct wl_listener display_destroy;
};

struct comp_toplevel_decoration {
	struct wl_list link;
	struct comp_xdg_decoration_manager *manager;
	struct wl_resource *resource;
	struct comp_xdg_toplevel *toplevel; // NULL once it is gone (orphaned)
	uint32_t requested; // 0: no preference
	struct wl_listener toplevel_destroy;
};

static const struct zxdg_toplevel_decoration_v1_interface decoration_impl;

static struct comp_toplevel_decoration *decoration_from_resource(struct wl_resource *resource) {
	return wl_resource_get_user_data(resource);
}

static void decoration_apply(struct comp_toplevel_decoration *deco) {
	struct comp_server *server = deco->manager->server;
	uint32_t mode = deco->requested;
	if (server->config.deco_mode == COMP_DECO_MODE_SERVER) {
		mode = ZXDG_TOPLEVEL_DECORATION_V1_MODE_SERVER_SIDE;
	} else if (mode == 0) {
		mode = ZXDG_TOPLEVEL_DECORATION_V1_MODE_CLIENT_SIDE;
	}
	zxdg_toplevel_decoration_v1_send_configure(deco->resource, mode);
	struct comp_xdg_toplevel *t = deco->toplevel;
	/* The decoration's configure takes effect with the xdg_surface.configure after it. */
	if (t->base->initial_commit) {
		comp_xdg_surface_schedule_configure(t->base);
	}
	struct comp_view *view = t->data;
	bool ssd = mode == ZXDG_TOPLEVEL_DECORATION_V1_MODE_SERVER_SIDE;
	if (view && view->ssd != ssd) {
		view->ssd = ssd;
		comp_view_update_ssd(view);
	}
}

static bool check_orphaned(struct comp_toplevel_decoration *deco) {
	if (!deco->toplevel) {
		wl_resource_post_error(deco->resource, ZXDG_TOPLEVEL_DECORATION_V1_ERROR_ORPHANED,
			"the xdg_toplevel was destroyed before its decoration object");
		return true;
	}
	return false;
}

static void decoration_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void decoration_handle_set_mode(struct wl_client *client, struct wl_resource *resource,
		uint32_t mode) {
	struct comp_toplevel_decoration *deco = decoration_from_resource(resource);
	if (check_orphaned(deco)) {
		return;
	}
	if (mode != ZXDG_TOPLEVEL_DECORATION_V1_MODE_CLIENT_SIDE &&
			mode != ZXDG_TOPLEVEL_DECORATION_V1_MODE_SERVER_SIDE) {
		wl_resource_post_error(resource, WL_DISPLAY_ERROR_INVALID_METHOD,
			"invalid decoration mode %u", mode);
		return;
	}
	deco->requested = mode;
	decoration_apply(deco);
}

static void decoration_handle_unset_mode(struct wl_client *client,
		struct wl_resource *resource) {
	struct comp_toplevel_decoration *deco = decoration_from_resource(resource);
	if (check_orphaned(deco)) {
		return;
	}
	deco->requested = 0;
	decoration_apply(deco);
}

static const struct zxdg_toplevel_decoration_v1_interface decoration_impl = {
	.destroy = decoration_handle_destroy,
	.set_mode = decoration_handle_set_mode,
	.unset_mode = decoration_handle_unset_mode,
};

static void decoration_detach(struct comp_toplevel_decoration *deco) {
	if (deco->toplevel) {
		wl_list_remove(&deco->toplevel_destroy.link);
		deco->toplevel = NULL;
	}
}

static void decoration_handle_resource_destroy(struct wl_resource *resource) {
	struct comp_toplevel_decoration *deco = decoration_from_resource(resource);
	decoration_detach(deco);
	wl_list_remove(&deco->link);
	free(deco);
}

static void handle_toplevel_destroy(struct wl_listener *listener, void *data) {
	struct comp_toplevel_decoration *deco = wl_container_of(listener, deco, toplevel_destroy);
	decoration_detach(deco);
}

static void manager_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void manager_handle_get_toplevel_decoration(struct wl_client *client,
		struct wl_resource *resource, uint32_t id, struct wl_resource *toplevel_resource) {
	struct comp_xdg_decoration_manager *manager = wl_resource_get_user_data(resource);
	struct comp_xdg_toplevel *t = comp_xdg_toplevel_from_resource(toplevel_resource);
	struct comp_toplevel_decoration *deco = calloc(1, sizeof(*deco));
	if (!deco) {
		wl_client_post_no_memory(client);
		return;
	}
	deco->resource = wl_resource_create(client, &zxdg_toplevel_decoration_v1_interface,
		wl_resource_get_version(resource), id);
	if (!deco->resource) {
		free(deco);
		wl_client_post_no_memory(client);
		return;
	}
	deco->manager = manager;
	wl_list_init(&deco->toplevel_destroy.link);
	wl_list_insert(&manager->decorations, &deco->link);
	wl_resource_set_implementation(deco->resource, &decoration_impl, deco,
		decoration_handle_resource_destroy);
	if (!t) {
		return; // the toplevel is already gone: an orphan from the start
	}
	struct comp_toplevel_decoration *other;
	wl_list_for_each(other, &manager->decorations, link) {
		if (other != deco && other->toplevel == t) {
			wl_resource_post_error(resource,
				ZXDG_TOPLEVEL_DECORATION_V1_ERROR_ALREADY_CONSTRUCTED,
				"the xdg_toplevel already has a decoration object");
			return;
		}
	}
	struct wlr_surface *surface = t->base->surface;
	if (wlr_surface_has_buffer(surface) ||
			((surface->pending.committed & WLR_SURFACE_STATE_BUFFER) && surface->pending.buffer)) {
		wl_resource_post_error(resource, ZXDG_TOPLEVEL_DECORATION_V1_ERROR_UNCONFIGURED_BUFFER,
			"the xdg_toplevel already has a buffer");
		return;
	}
	deco->toplevel = t;
	deco->toplevel_destroy.notify = handle_toplevel_destroy;
	wl_signal_add(&t->events.destroy, &deco->toplevel_destroy);
	decoration_apply(deco);
}

static const struct zxdg_decoration_manager_v1_interface manager_impl = {
	.destroy = manager_handle_destroy,
	.get_toplevel_decoration = manager_handle_get_toplevel_decoration,
};

static void manager_bind(struct wl_client *client, void *data, uint32_t version, uint32_t id) {
	struct wl_resource *resource = wl_resource_create(client,
		&zxdg_decoration_manager_v1_interface, (int)version, id);
	if (!resource) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(resource, &manager_impl, data, NULL);
}

static void handle_display_destroy(struct wl_listener *listener, void *data) {
	struct comp_xdg_decoration_manager *manager =
		wl_container_of(listener, manager, display_destroy);
	wl_list_remove(&manager->display_destroy.link);
	free(manager);
}

bool comp_xdg_decoration_create(struct comp_server *server) {
	struct comp_xdg_decoration_manager *manager = calloc(1, sizeof(*manager));
	if (!manager) {
		return false;
	}
	manager->server = server;
	wl_list_init(&manager->decorations);
	manager->global = wl_global_create(server->display, &zxdg_decoration_manager_v1_interface,
		DECORATION_VERSION, manager, manager_bind);
	if (!manager->global) {
		free(manager);
		return false;
	}
	manager->display_destroy.notify = handle_display_destroy;
	wl_display_add_destroy_listener(server->display, &manager->display_destroy);
	return true;
}
