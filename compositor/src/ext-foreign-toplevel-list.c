/*
 * ext-foreign-toplevel-list-v1: a read-only list of the open windows (title, app id, a
 * unique identifier), for panels and docks; the wlr foreign-toplevel manager stays for
 * those that also want to act on them. Privileged: trust.c hides it from ordinary
 * clients, as it does the wlr one (window titles are private).
 *
 * Windows are followed through xdg-shell's own signals (a toplevel's map, unmap, title
 * and app id), so the list needs no hook in the window manager.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <wlr/types/wlr_xdg_shell.h>
#include "common/log.h"
#include "ext-foreign-toplevel-list-v1-protocol.h"
#include "protocols-ext.h"
#include "server.h"
#include "xdg-wm-base.h"

#define TOPLEVEL_LIST_VERSION 1

struct comp_ext_toplevels {
	struct comp_server *server;
	struct wl_global *global;
	struct wl_list lists; // wl_resource links of bound, not stopped lists
	struct wl_list toplevels; // comp_ext_toplevel.link
	uint64_t next_id;
	struct wl_listener new_xdg_surface;
	struct wl_listener new_comp_toplevel;
};

struct comp_ext_toplevel {
	struct wl_list link; // comp_ext_toplevels.toplevels
	struct comp_ext_toplevels *tl;
	struct wlr_xdg_surface *xdg_surface; // wlroots' xdg-shell, or
	struct comp_xdg_toplevel *ours; // our xdg_wm_base (xdg-wm-base.c)
	bool mapped;
	char identifier[32];
	struct wl_list handles; // wl_resource links
	struct wl_listener map, unmap, destroy, set_title, set_app_id;
};

static const struct ext_foreign_toplevel_handle_v1_interface handle_impl;
static const struct ext_foreign_toplevel_list_v1_interface list_impl;

static void handle_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static const struct ext_foreign_toplevel_handle_v1_interface handle_impl = {
	.destroy = handle_handle_destroy,
};

static void handle_resource_destroy(struct wl_resource *resource) {
	wl_list_remove(wl_resource_get_link(resource));
}

static void send_details(struct comp_ext_toplevel *toplevel, struct wl_resource *handle) {
	const char *title, *app_id;
	if (toplevel->ours) {
		title = toplevel->ours->title;
		app_id = toplevel->ours->app_id;
	} else {
		title = toplevel->xdg_surface->toplevel->title;
		app_id = toplevel->xdg_surface->toplevel->app_id;
	}
	ext_foreign_toplevel_handle_v1_send_title(handle, title ? title : "");
	ext_foreign_toplevel_handle_v1_send_app_id(handle, app_id ? app_id : "");
	ext_foreign_toplevel_handle_v1_send_done(handle);
}

static void announce(struct comp_ext_toplevel *toplevel, struct wl_resource *list) {
	struct wl_client *client = wl_resource_get_client(list);
	struct wl_resource *handle = wl_resource_create(client,
		&ext_foreign_toplevel_handle_v1_interface, wl_resource_get_version(list), 0);
	if (!handle) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(handle, &handle_impl, toplevel, handle_resource_destroy);
	wl_list_insert(&toplevel->handles, wl_resource_get_link(handle));
	ext_foreign_toplevel_list_v1_send_toplevel(list, handle);
	ext_foreign_toplevel_handle_v1_send_identifier(handle, toplevel->identifier);
	send_details(toplevel, handle);
}

/* Every handle of this toplevel is told it closed and becomes inert. */
static void close_handles(struct comp_ext_toplevel *toplevel) {
	struct wl_resource *handle, *tmp;
	wl_resource_for_each_safe(handle, tmp, &toplevel->handles) {
		ext_foreign_toplevel_handle_v1_send_closed(handle);
		wl_resource_set_user_data(handle, NULL);
		wl_list_remove(wl_resource_get_link(handle));
		wl_list_init(wl_resource_get_link(handle));
	}
}

static void handle_map(struct wl_listener *listener, void *data) {
	struct comp_ext_toplevel *toplevel = wl_container_of(listener, toplevel, map);
	toplevel->mapped = true;
	/* A new identifier each time it maps: a window unmapped and mapped again is new. */
	snprintf(toplevel->identifier, sizeof(toplevel->identifier), "lumen-%" PRIu64,
		toplevel->tl->next_id++);
	struct wl_resource *list;
	wl_resource_for_each(list, &toplevel->tl->lists) {
		announce(toplevel, list);
	}
}

static void handle_unmap(struct wl_listener *listener, void *data) {
	struct comp_ext_toplevel *toplevel = wl_container_of(listener, toplevel, unmap);
	toplevel->mapped = false;
	close_handles(toplevel);
}

static void handle_changed(struct comp_ext_toplevel *toplevel) {
	if (!toplevel->mapped) {
		return;
	}
	struct wl_resource *handle;
	wl_resource_for_each(handle, &toplevel->handles) {
		send_details(toplevel, handle);
	}
}

static void handle_set_title(struct wl_listener *listener, void *data) {
	struct comp_ext_toplevel *toplevel = wl_container_of(listener, toplevel, set_title);
	handle_changed(toplevel);
}

static void handle_set_app_id(struct wl_listener *listener, void *data) {
	struct comp_ext_toplevel *toplevel = wl_container_of(listener, toplevel, set_app_id);
	handle_changed(toplevel);
}

static void toplevel_free(struct comp_ext_toplevel *toplevel) {
	close_handles(toplevel);
	wl_list_remove(&toplevel->map.link);
	wl_list_remove(&toplevel->unmap.link);
	wl_list_remove(&toplevel->destroy.link);
	wl_list_remove(&toplevel->set_title.link);
	wl_list_remove(&toplevel->set_app_id.link);
	wl_list_remove(&toplevel->link);
	free(toplevel);
}

static void handle_destroy(struct wl_listener *listener, void *data) {
	struct comp_ext_toplevel *toplevel = wl_container_of(listener, toplevel, destroy);
	toplevel_free(toplevel);
}

static void handle_new_xdg_surface(struct wl_listener *listener, void *data) {
	struct comp_ext_toplevels *tl = wl_container_of(listener, tl, new_xdg_surface);
	struct wlr_xdg_surface *xdg_surface = data;
	if (xdg_surface->role != WLR_XDG_SURFACE_ROLE_TOPLEVEL) {
		return;
	}
	struct comp_ext_toplevel *toplevel = calloc(1, sizeof(*toplevel));
	if (!toplevel) {
		wl_resource_post_no_memory(xdg_surface->resource);
		return;
	}
	toplevel->tl = tl;
	toplevel->xdg_surface = xdg_surface;
	wl_list_init(&toplevel->handles);
	toplevel->map.notify = handle_map;
	wl_signal_add(&xdg_surface->events.map, &toplevel->map);
	toplevel->unmap.notify = handle_unmap;
	wl_signal_add(&xdg_surface->events.unmap, &toplevel->unmap);
	toplevel->destroy.notify = handle_destroy;
	wl_signal_add(&xdg_surface->events.destroy, &toplevel->destroy);
	toplevel->set_title.notify = handle_set_title;
	wl_signal_add(&xdg_surface->toplevel->events.set_title, &toplevel->set_title);
	toplevel->set_app_id.notify = handle_set_app_id;
	wl_signal_add(&xdg_surface->toplevel->events.set_app_id, &toplevel->set_app_id);
	wl_list_insert(tl->toplevels.prev, &toplevel->link);
}

/* The same for a toplevel of our own xdg_wm_base, which has the same signals. */
static void handle_new_comp_toplevel(struct wl_listener *listener, void *data) {
	struct comp_ext_toplevels *tl = wl_container_of(listener, tl, new_comp_toplevel);
	struct comp_xdg_toplevel *ours = data;
	struct comp_ext_toplevel *toplevel = calloc(1, sizeof(*toplevel));
	if (!toplevel) {
		wl_resource_post_no_memory(ours->resource);
		return;
	}
	toplevel->tl = tl;
	toplevel->ours = ours;
	wl_list_init(&toplevel->handles);
	toplevel->map.notify = handle_map;
	wl_signal_add(&ours->events.map, &toplevel->map);
	toplevel->unmap.notify = handle_unmap;
	wl_signal_add(&ours->events.unmap, &toplevel->unmap);
	toplevel->destroy.notify = handle_destroy;
	wl_signal_add(&ours->events.destroy, &toplevel->destroy);
	toplevel->set_title.notify = handle_set_title;
	wl_signal_add(&ours->events.set_title, &toplevel->set_title);
	toplevel->set_app_id.notify = handle_set_app_id;
	wl_signal_add(&ours->events.set_app_id, &toplevel->set_app_id);
	wl_list_insert(tl->toplevels.prev, &toplevel->link);
}

static void list_handle_stop(struct wl_client *client, struct wl_resource *resource) {
	/* No more toplevel events; the list is finished and the client destroys it. */
	wl_list_remove(wl_resource_get_link(resource));
	wl_list_init(wl_resource_get_link(resource));
	ext_foreign_toplevel_list_v1_send_finished(resource);
}

static void list_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static const struct ext_foreign_toplevel_list_v1_interface list_impl = {
	.stop = list_handle_stop,
	.destroy = list_handle_destroy,
};

static void list_resource_destroy(struct wl_resource *resource) {
	wl_list_remove(wl_resource_get_link(resource));
}

static void list_bind(struct wl_client *client, void *data, uint32_t version, uint32_t id) {
	struct comp_ext_toplevels *tl = data;
	struct wl_resource *resource = wl_resource_create(client,
		&ext_foreign_toplevel_list_v1_interface, (int)version, id);
	if (!resource) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(resource, &list_impl, tl, list_resource_destroy);
	wl_list_insert(&tl->lists, wl_resource_get_link(resource));
	struct comp_ext_toplevel *toplevel;
	wl_list_for_each(toplevel, &tl->toplevels, link) {
		if (toplevel->mapped) {
			announce(toplevel, resource);
		}
	}
}

struct comp_ext_toplevels *comp_ext_toplevels_create(struct comp_server *server) {
	struct comp_ext_toplevels *tl = calloc(1, sizeof(*tl));
	if (!tl) {
		return NULL;
	}
	tl->server = server;
	tl->next_id = 1;
	wl_list_init(&tl->lists);
	wl_list_init(&tl->toplevels);
	tl->global = wl_global_create(server->display, &ext_foreign_toplevel_list_v1_interface,
		TOPLEVEL_LIST_VERSION, tl, list_bind);
	if (!tl->global) {
		free(tl);
		return NULL;
	}
	tl->new_xdg_surface.notify = handle_new_xdg_surface;
	wl_list_init(&tl->new_xdg_surface.link);
	tl->new_comp_toplevel.notify = handle_new_comp_toplevel;
	wl_list_init(&tl->new_comp_toplevel.link);
	if (server->xdg_wm_base) {
		wl_signal_add(&server->xdg_wm_base->events.new_toplevel, &tl->new_comp_toplevel);
	} else if (server->xdg_shell) {
		wl_signal_add(&server->xdg_shell->events.new_surface, &tl->new_xdg_surface);
	} else {
		lumen_log(LUMEN_WARN, "no xdg-shell: the ext toplevel list stays empty");
	}
	return tl;
}

void comp_ext_toplevels_destroy(struct comp_ext_toplevels *tl) {
	if (!tl) {
		return;
	}
	struct comp_ext_toplevel *toplevel, *tmp;
	wl_list_for_each_safe(toplevel, tmp, &tl->toplevels, link) {
		toplevel_free(toplevel);
	}
	wl_list_remove(&tl->new_xdg_surface.link);
	wl_list_remove(&tl->new_comp_toplevel.link);
	wl_global_destroy(tl->global);
	free(tl);
}
