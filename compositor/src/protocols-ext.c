/*
 * The globals of protocols-ext.h, created and freed together, and the per-surface hints
 * that content-type.c and tearing-control.c share: both are double-buffered surface
 * state, applied on the surface's commit.
 */
#include <stdlib.h>
#include <wlr/types/wlr_surface.h>
#include "common/log.h"
#include "protocols-ext-private.h"
#include "server.h"

struct comp_surface_hints {
	struct comp_server *server;
	struct wl_list surfaces; // comp_surface_hint.link
};

static void hint_handle_commit(struct wl_listener *listener, void *data) {
	struct comp_surface_hint *hint = wl_container_of(listener, hint, commit);
	hint->content_type = hint->pending_content_type;
	hint->presentation_hint = hint->pending_presentation_hint;
}

static void hint_free(struct comp_surface_hint *hint) {
	if (hint->content_type_resource) {
		wl_resource_set_user_data(hint->content_type_resource, NULL);
	}
	if (hint->tearing_resource) {
		wl_resource_set_user_data(hint->tearing_resource, NULL);
	}
	wl_list_remove(&hint->commit.link);
	wl_list_remove(&hint->destroy.link);
	wl_list_remove(&hint->link);
	free(hint);
}

static void hint_handle_destroy(struct wl_listener *listener, void *data) {
	struct comp_surface_hint *hint = wl_container_of(listener, hint, destroy);
	hint_free(hint);
}

struct comp_surface_hint *comp_surface_hint_find(struct comp_server *server,
		struct wlr_surface *surface) {
	struct comp_surface_hints *hints = server->ext ? server->ext->hints : NULL;
	if (!hints || !surface) {
		return NULL;
	}
	struct comp_surface_hint *hint;
	wl_list_for_each(hint, &hints->surfaces, link) {
		if (hint->surface == surface) {
			return hint;
		}
	}
	return NULL;
}

struct comp_surface_hint *comp_surface_hint_get(struct comp_server *server,
		struct wlr_surface *surface) {
	struct comp_surface_hint *hint = comp_surface_hint_find(server, surface);
	struct comp_surface_hints *hints = server->ext ? server->ext->hints : NULL;
	if (hint || !hints) {
		return hint;
	}
	hint = calloc(1, sizeof(*hint));
	if (!hint) {
		return NULL;
	}
	hint->surface = surface;
	hint->commit.notify = hint_handle_commit;
	wl_signal_add(&surface->events.commit, &hint->commit);
	hint->destroy.notify = hint_handle_destroy;
	wl_signal_add(&surface->events.destroy, &hint->destroy);
	wl_list_insert(&hints->surfaces, &hint->link);
	return hint;
}

uint32_t comp_surface_content_type(struct comp_server *server, struct wlr_surface *surface) {
	struct comp_surface_hint *hint = comp_surface_hint_find(server, surface);
	return hint ? hint->content_type : 0;
}

uint32_t comp_surface_presentation_hint(struct comp_server *server,
		struct wlr_surface *surface) {
	struct comp_surface_hint *hint = comp_surface_hint_find(server, surface);
	return hint ? hint->presentation_hint : 0;
}

struct comp_surface_hints *comp_surface_hints_create(struct comp_server *server) {
	struct comp_surface_hints *hints = calloc(1, sizeof(*hints));
	if (!hints) {
		return NULL;
	}
	hints->server = server;
	wl_list_init(&hints->surfaces);
	return hints;
}

void comp_surface_hints_destroy(struct comp_surface_hints *hints) {
	if (!hints) {
		return;
	}
	struct comp_surface_hint *hint, *tmp;
	wl_list_for_each_safe(hint, tmp, &hints->surfaces, link) {
		hint_free(hint);
	}
	free(hints);
}

void comp_protocols_ext_init(struct comp_server *server) {
	struct comp_protocols_ext *ext = calloc(1, sizeof(*ext));
	if (!ext) {
		lumen_log(LUMEN_ERROR, "out of memory: the protocols of issue 5 are off");
		return;
	}
	server->ext = ext;
	ext->session_lock = comp_session_lock_create(server);
	ext->idle_notify = comp_idle_notify_create(server);
	ext->fractional_scale = comp_fractional_scale_create(server);
	ext->cursor_shape = comp_cursor_shape_create(server);
	ext->security_context = comp_security_context_create(server);
	ext->hints = comp_surface_hints_create(server);
	ext->toplevels = comp_ext_toplevels_create(server);
	ext->workspaces = comp_ext_workspaces_create(server);
	comp_single_pixel_buffer_init(server);
	comp_content_type_init(server);
	comp_tearing_control_init(server);
	if (!ext->session_lock || !ext->idle_notify || !ext->fractional_scale ||
			!ext->cursor_shape || !ext->security_context || !ext->hints ||
			!ext->toplevels || !ext->workspaces) {
		lumen_log(LUMEN_ERROR, "some protocols could not be set up (out of memory)");
	}
}

void comp_protocols_ext_finish(struct comp_server *server) {
	struct comp_protocols_ext *ext = server->ext;
	if (!ext) {
		return;
	}
	comp_ext_workspaces_destroy(ext->workspaces);
	comp_ext_toplevels_destroy(ext->toplevels);
	comp_surface_hints_destroy(ext->hints);
	comp_security_context_destroy(ext->security_context);
	comp_cursor_shape_destroy(ext->cursor_shape);
	comp_fractional_scale_destroy(ext->fractional_scale);
	comp_idle_notify_destroy(ext->idle_notify);
	comp_session_lock_destroy(ext->session_lock);
	free(ext);
	server->ext = NULL;
}
