/*
 * xdg-foreign v2 (zxdg_exporter_v2, zxdg_importer_v2) for our xdg toplevels:
 * wlroots' takes only its own. One client exports a window under a random handle;
 * another imports it and makes one of its own windows that window's child (a
 * portal's file chooser over the app that asked for it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include "common/log.h"
#include "server.h"
#include "xdg-foreign-unstable-v2-protocol.h"
#include "xdg-wm-base.h"

#define FOREIGN_VERSION 1

struct comp_xdg_foreign {
	struct comp_server *server;
	struct wl_list exports; // comp_xdg_exported.link
	struct wl_listener display_destroy;
};

struct comp_xdg_exported {
	struct wl_list link;
	struct comp_xdg_foreign *foreign;
	struct wl_resource *resource;
	struct comp_xdg_toplevel *toplevel; // NULL once gone
	char handle[33];
	struct wl_list imports; // comp_xdg_imported.link
	struct wl_listener toplevel_destroy;
};

struct comp_xdg_imported {
	struct wl_list link; // comp_xdg_exported.imports, or alone
	struct wl_resource *resource;
	struct comp_xdg_exported *exported; // NULL once the export is gone
	struct wl_list children; // comp_xdg_import_child.link
};

struct comp_xdg_import_child {
	struct wl_list link;
	struct comp_xdg_toplevel *toplevel;
	struct wl_listener destroy;
};

static const struct zxdg_exported_v2_interface exported_impl;
static const struct zxdg_imported_v2_interface imported_impl;

static void child_free(struct comp_xdg_import_child *child) {
	wl_list_remove(&child->destroy.link);
	wl_list_remove(&child->link);
	free(child);
}

static void handle_child_destroy(struct wl_listener *listener, void *data) {
	struct comp_xdg_import_child *child = wl_container_of(listener, child, destroy);
	child_free(child);
}

/* The import is over: its children lose the foreign parent. */
static void imported_end(struct comp_xdg_imported *imported, bool send_destroyed) {
	struct comp_xdg_exported *exported = imported->exported;
	struct comp_xdg_import_child *child, *tmp;
	wl_list_for_each_safe(child, tmp, &imported->children, link) {
		if (exported && exported->toplevel && child->toplevel->parent == exported->toplevel) {
			comp_xdg_toplevel_set_parent(child->toplevel, NULL);
		}
		child_free(child);
	}
	wl_list_remove(&imported->link);
	wl_list_init(&imported->link);
	imported->exported = NULL;
	if (send_destroyed) {
		zxdg_imported_v2_send_destroyed(imported->resource);
	}
}

static void exported_end(struct comp_xdg_exported *exported) {
	struct comp_xdg_imported *imported, *tmp;
	wl_list_for_each_safe(imported, tmp, &exported->imports, link) {
		imported_end(imported, true);
	}
	if (exported->toplevel) {
		wl_list_remove(&exported->toplevel_destroy.link);
		exported->toplevel = NULL;
	}
	wl_list_remove(&exported->link);
	wl_list_init(&exported->link);
}

static void exported_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static const struct zxdg_exported_v2_interface exported_impl = {
	.destroy = exported_handle_destroy,
};

static void exported_handle_resource_destroy(struct wl_resource *resource) {
	struct comp_xdg_exported *exported = wl_resource_get_user_data(resource);
	exported_end(exported);
	free(exported);
}

static void handle_exported_toplevel_destroy(struct wl_listener *listener, void *data) {
	struct comp_xdg_exported *exported = wl_container_of(listener, exported, toplevel_destroy);
	exported_end(exported);
}

static void exporter_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void exporter_handle_export(struct wl_client *client, struct wl_resource *resource,
		uint32_t id, struct wl_resource *surface_resource) {
	struct comp_xdg_foreign *foreign = wl_resource_get_user_data(resource);
	struct wlr_surface *surface = wlr_surface_from_resource(surface_resource);
	struct comp_xdg_surface *xdg = comp_xdg_surface_from_wlr_surface(surface);
	if (!xdg || xdg->role != COMP_XDG_ROLE_TOPLEVEL) {
		wl_resource_post_error(resource, ZXDG_EXPORTER_V2_ERROR_INVALID_SURFACE,
			"only an xdg_toplevel can be exported");
		return;
	}
	struct comp_xdg_exported *exported = calloc(1, sizeof(*exported));
	if (!exported) {
		wl_client_post_no_memory(client);
		return;
	}
	uint8_t bytes[16];
	if (getrandom(bytes, sizeof(bytes), 0) != (ssize_t)sizeof(bytes)) {
		free(exported);
		wl_client_post_implementation_error(client, "no random handle");
		return;
	}
	for (size_t i = 0; i < sizeof(bytes); i++) {
		snprintf(exported->handle + 2 * i, 3, "%02x", bytes[i]);
	}
	exported->resource = wl_resource_create(client, &zxdg_exported_v2_interface,
		wl_resource_get_version(resource), id);
	if (!exported->resource) {
		free(exported);
		wl_client_post_no_memory(client);
		return;
	}
	exported->foreign = foreign;
	exported->toplevel = xdg->toplevel;
	wl_list_init(&exported->imports);
	exported->toplevel_destroy.notify = handle_exported_toplevel_destroy;
	wl_signal_add(&xdg->toplevel->events.destroy, &exported->toplevel_destroy);
	wl_list_insert(&foreign->exports, &exported->link);
	wl_resource_set_implementation(exported->resource, &exported_impl, exported,
		exported_handle_resource_destroy);
	zxdg_exported_v2_send_handle(exported->resource, exported->handle);
}

static const struct zxdg_exporter_v2_interface exporter_impl = {
	.destroy = exporter_handle_destroy,
	.export_toplevel = exporter_handle_export,
};

static void imported_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void imported_handle_set_parent_of(struct wl_client *client,
		struct wl_resource *resource, struct wl_resource *surface_resource) {
	struct comp_xdg_imported *imported = wl_resource_get_user_data(resource);
	struct wlr_surface *surface = wlr_surface_from_resource(surface_resource);
	struct comp_xdg_surface *xdg = comp_xdg_surface_from_wlr_surface(surface);
	if (!xdg || xdg->role != COMP_XDG_ROLE_TOPLEVEL) {
		wl_resource_post_error(resource, ZXDG_IMPORTED_V2_ERROR_INVALID_SURFACE,
			"only an xdg_toplevel can be a child");
		return;
	}
	if (!imported->exported || !imported->exported->toplevel) {
		return; // the export is gone; destroyed was sent
	}
	if (!comp_xdg_toplevel_set_parent(xdg->toplevel, imported->exported->toplevel)) {
		return; // it would make a loop: ignored, the client did nothing wrong
	}
	struct comp_xdg_import_child *child = calloc(1, sizeof(*child));
	if (!child) {
		wl_client_post_no_memory(client);
		return;
	}
	child->toplevel = xdg->toplevel;
	child->destroy.notify = handle_child_destroy;
	wl_signal_add(&xdg->toplevel->events.destroy, &child->destroy);
	wl_list_insert(&imported->children, &child->link);
}

static const struct zxdg_imported_v2_interface imported_impl = {
	.destroy = imported_handle_destroy,
	.set_parent_of = imported_handle_set_parent_of,
};

static void imported_handle_resource_destroy(struct wl_resource *resource) {
	struct comp_xdg_imported *imported = wl_resource_get_user_data(resource);
	imported_end(imported, false);
	free(imported);
}

static void importer_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void importer_handle_import(struct wl_client *client, struct wl_resource *resource,
		uint32_t id, const char *handle) {
	struct comp_xdg_foreign *foreign = wl_resource_get_user_data(resource);
	struct comp_xdg_imported *imported = calloc(1, sizeof(*imported));
	if (!imported) {
		wl_client_post_no_memory(client);
		return;
	}
	imported->resource = wl_resource_create(client, &zxdg_imported_v2_interface,
		wl_resource_get_version(resource), id);
	if (!imported->resource) {
		free(imported);
		wl_client_post_no_memory(client);
		return;
	}
	wl_list_init(&imported->children);
	wl_list_init(&imported->link);
	wl_resource_set_implementation(imported->resource, &imported_impl, imported,
		imported_handle_resource_destroy);
	struct comp_xdg_exported *exported;
	wl_list_for_each(exported, &foreign->exports, link) {
		if (strcmp(exported->handle, handle) == 0 && exported->toplevel) {
			imported->exported = exported;
			wl_list_insert(&exported->imports, &imported->link);
			return;
		}
	}
	zxdg_imported_v2_send_destroyed(imported->resource); // no such handle
}

static const struct zxdg_importer_v2_interface importer_impl = {
	.destroy = importer_handle_destroy,
	.import_toplevel = importer_handle_import,
};

static void exporter_bind(struct wl_client *client, void *data, uint32_t version, uint32_t id) {
	struct wl_resource *resource = wl_resource_create(client, &zxdg_exporter_v2_interface,
		(int)version, id);
	if (!resource) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(resource, &exporter_impl, data, NULL);
}

static void importer_bind(struct wl_client *client, void *data, uint32_t version, uint32_t id) {
	struct wl_resource *resource = wl_resource_create(client, &zxdg_importer_v2_interface,
		(int)version, id);
	if (!resource) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(resource, &importer_impl, data, NULL);
}

static void handle_display_destroy(struct wl_listener *listener, void *data) {
	struct comp_xdg_foreign *foreign = wl_container_of(listener, foreign, display_destroy);
	wl_list_remove(&foreign->display_destroy.link);
	free(foreign);
}

bool comp_xdg_foreign_create(struct comp_server *server) {
	struct comp_xdg_foreign *foreign = calloc(1, sizeof(*foreign));
	if (!foreign) {
		return false;
	}
	foreign->server = server;
	wl_list_init(&foreign->exports);
	if (!wl_global_create(server->display, &zxdg_exporter_v2_interface, FOREIGN_VERSION,
			foreign, exporter_bind) ||
			!wl_global_create(server->display, &zxdg_importer_v2_interface, FOREIGN_VERSION,
				foreign, importer_bind)) {
		free(foreign); // a global made before stays harmless: the display frees it
		return false;
	}
	foreign->display_destroy.notify = handle_display_destroy;
	wl_display_add_destroy_listener(server->display, &foreign->display_destroy);
	return true;
}
