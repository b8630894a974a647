/*
 * wp-content-type-v1: a surface says what it shows (photo, video, game); stored per
 * surface (protocols-ext.c) for the output policies to read.
 */
#include <wlr/types/wlr_surface.h>
#include "common/log.h"
#include "content-type-v1-protocol.h"
#include "protocols-ext-private.h"
#include "server.h"

#define CONTENT_TYPE_VERSION 1

static const struct wp_content_type_v1_interface object_impl;

static struct comp_surface_hint *hint_from_resource(struct wl_resource *resource) {
	wl_resource_instance_of(resource, &wp_content_type_v1_interface, &object_impl);
	return wl_resource_get_user_data(resource);
}

static void object_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void object_handle_set(struct wl_client *client, struct wl_resource *resource,
		uint32_t type) {
	struct comp_surface_hint *hint = hint_from_resource(resource);
	if (type > WP_CONTENT_TYPE_V1_TYPE_GAME) {
		/* The protocol defines no error for this: keep the last valid value. */
		lumen_log(LUMEN_DEBUG, "client bug: content type %u is not in the enum", type);
		return;
	}
	if (hint) {
		hint->pending_content_type = type;
	}
}

static const struct wp_content_type_v1_interface object_impl = {
	.destroy = object_handle_destroy,
	.set_content_type = object_handle_set,
};

static void object_resource_destroy(struct wl_resource *resource) {
	struct comp_surface_hint *hint = hint_from_resource(resource);
	if (hint) {
		/* Back to "none" at the surface's next commit, as the protocol says. */
		hint->pending_content_type = WP_CONTENT_TYPE_V1_TYPE_NONE;
		hint->content_type_resource = NULL;
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
	if (hint->content_type_resource) {
		wl_resource_post_error(resource, WP_CONTENT_TYPE_MANAGER_V1_ERROR_ALREADY_CONSTRUCTED,
			"the surface already has a content type object");
		return;
	}
	struct wl_resource *object = wl_resource_create(client, &wp_content_type_v1_interface,
		wl_resource_get_version(resource), id);
	if (!object) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(object, &object_impl, hint, object_resource_destroy);
	hint->content_type_resource = object;
}

static const struct wp_content_type_manager_v1_interface manager_impl = {
	.destroy = manager_handle_destroy,
	.get_surface_content_type = manager_handle_get,
};

static void manager_bind(struct wl_client *client, void *data, uint32_t version,
		uint32_t id) {
	struct wl_resource *resource = wl_resource_create(client,
		&wp_content_type_manager_v1_interface, (int)version, id);
	if (!resource) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(resource, &manager_impl, data, NULL);
}

void comp_content_type_init(struct comp_server *server) {
	if (!wl_global_create(server->display, &wp_content_type_manager_v1_interface,
			CONTENT_TYPE_VERSION, server, manager_bind)) {
		lumen_log(LUMEN_ERROR, "cannot create the content type global");
	}
}
