/*
 * Globals that need little beyond creation, and the few small policies around
 * them: decoration negotiation, activation requests, idle inhibition.
 */
#include <stdlib.h>
#include <wlr/types/wlr_data_control_v1.h>
#include <wlr/types/wlr_export_dmabuf_v1.h>
#include <wlr/types/wlr_gamma_control_v1.h>
#include <wlr/types/wlr_idle.h>
#include <wlr/types/wlr_idle_inhibit_v1.h>
#include <wlr/types/wlr_primary_selection_v1.h>
#include <wlr/types/wlr_presentation_time.h>
#include <wlr/types/wlr_screencopy_v1.h>
#include <wlr/types/wlr_server_decoration.h>
#include <wlr/types/wlr_tablet_v2.h>
#include <wlr/types/wlr_viewporter.h>
#include <wlr/types/wlr_xdg_activation_v1.h>
#include <wlr/types/wlr_xdg_decoration_v1.h>
#include <wlr/types/wlr_xdg_foreign_registry.h>
#include <wlr/types/wlr_xdg_foreign_v1.h>
#include <wlr/types/wlr_xdg_foreign_v2.h>
#include <wlr/types/wlr_xdg_output_v1.h>
#include "common/log.h"
#include "protocols-ext.h"
#include "server.h"
#include "xdg-wm-base.h"

struct comp_xdg_decoration {
	struct wlr_xdg_toplevel_decoration_v1 *wlr_deco;
	struct comp_server *server;
	struct wl_listener request_mode, destroy;
};

struct comp_kde_decoration {
	struct wlr_server_decoration *wlr_deco;
	struct comp_server *server;
	struct wl_listener mode, destroy;
};


/* The window of a wl_surface that is an xdg toplevel, of either implementation. */
static struct comp_view *view_from_surface(struct wlr_surface *surface) {
	struct comp_xdg_surface *xdg = comp_xdg_surface_from_wlr_surface(surface);
	if (xdg) {
		return xdg->role == COMP_XDG_ROLE_TOPLEVEL ? xdg->toplevel->data : NULL;
	}
	if (!wlr_surface_is_xdg_surface(surface)) {
		return NULL;
	}
	struct wlr_xdg_surface *xdg_surface = wlr_xdg_surface_from_wlr_surface(surface);
	if (!xdg_surface || xdg_surface->role != WLR_XDG_SURFACE_ROLE_TOPLEVEL ||
			!xdg_surface->data) {
		return NULL;
	}
	struct wlr_scene_node *content = xdg_surface->data;
	return content->parent ? content->parent->data : NULL;
}

static struct comp_view *view_from_xdg(struct wlr_xdg_surface *xdg_surface) {
	if (!xdg_surface || xdg_surface->role != WLR_XDG_SURFACE_ROLE_TOPLEVEL ||
			!xdg_surface->data) {
		return NULL;
	}
	struct wlr_scene_node *content = xdg_surface->data;
	return content->parent ? content->parent->data : NULL;
}

static void set_ssd(struct comp_view *view, bool ssd) {
	if (!view || view->ssd == ssd) {
		return;
	}
	view->ssd = ssd;
	comp_view_update_ssd(view);
}

static void xdg_deco_apply(struct comp_xdg_decoration *deco) {
	struct comp_server *server = deco->server;
	enum wlr_xdg_toplevel_decoration_v1_mode mode = deco->wlr_deco->requested_mode;
	/*
	 * In server mode every window gets our title bar, so they all look and behave
	 * alike; in client mode the client's wish is followed, client-side by default.
	 */
	if (server->config.deco_mode == COMP_DECO_MODE_SERVER) {
		mode = WLR_XDG_TOPLEVEL_DECORATION_V1_MODE_SERVER_SIDE;
	} else if (mode == WLR_XDG_TOPLEVEL_DECORATION_V1_MODE_NONE) {
		mode = WLR_XDG_TOPLEVEL_DECORATION_V1_MODE_CLIENT_SIDE;
	}
	wlr_xdg_toplevel_decoration_v1_set_mode(deco->wlr_deco, mode);
	set_ssd(view_from_xdg(deco->wlr_deco->surface),
		mode == WLR_XDG_TOPLEVEL_DECORATION_V1_MODE_SERVER_SIDE);
}

static void handle_xdg_deco_request_mode(struct wl_listener *listener, void *data) {
	struct comp_xdg_decoration *deco = wl_container_of(listener, deco, request_mode);
	xdg_deco_apply(deco);
}

static void handle_xdg_deco_destroy(struct wl_listener *listener, void *data) {
	struct comp_xdg_decoration *deco = wl_container_of(listener, deco, destroy);
	wl_list_remove(&deco->request_mode.link);
	wl_list_remove(&deco->destroy.link);
	free(deco);
}

static void handle_new_xdg_decoration(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, new_xdg_decoration);
	struct wlr_xdg_toplevel_decoration_v1 *wlr_deco = data;
	struct comp_xdg_decoration *deco = calloc(1, sizeof(*deco));
	if (!deco) {
		wl_resource_post_no_memory(wlr_deco->resource);
		return;
	}
	deco->wlr_deco = wlr_deco;
	deco->server = server;
	deco->request_mode.notify = handle_xdg_deco_request_mode;
	wl_signal_add(&wlr_deco->events.request_mode, &deco->request_mode);
	deco->destroy.notify = handle_xdg_deco_destroy;
	wl_signal_add(&wlr_deco->events.destroy, &deco->destroy);
	xdg_deco_apply(deco);
}

static void handle_kde_deco_mode(struct wl_listener *listener, void *data) {
	struct comp_kde_decoration *deco = wl_container_of(listener, deco, mode);
	struct comp_view *view = view_from_surface(deco->wlr_deco->surface);
	bool ssd = deco->wlr_deco->mode == WLR_SERVER_DECORATION_MANAGER_MODE_SERVER;
	if (deco->server->config.deco_mode == COMP_DECO_MODE_SERVER) {
		ssd = true;
	}
	set_ssd(view, ssd);
}

static void handle_kde_deco_destroy(struct wl_listener *listener, void *data) {
	struct comp_kde_decoration *deco = wl_container_of(listener, deco, destroy);
	wl_list_remove(&deco->mode.link);
	wl_list_remove(&deco->destroy.link);
	free(deco);
}

static void handle_new_server_decoration(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, new_server_decoration);
	struct wlr_server_decoration *wlr_deco = data;
	struct comp_kde_decoration *deco = calloc(1, sizeof(*deco));
	if (!deco) {
		wl_resource_post_no_memory(wlr_deco->resource);
		return;
	}
	deco->wlr_deco = wlr_deco;
	deco->server = server;
	deco->mode.notify = handle_kde_deco_mode;
	wl_signal_add(&wlr_deco->events.mode, &deco->mode);
	deco->destroy.notify = handle_kde_deco_destroy;
	wl_signal_add(&wlr_deco->events.destroy, &deco->destroy);
	handle_kde_deco_mode(&deco->mode, NULL);
}

static void handle_request_activate(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, request_activate);
	struct wlr_xdg_activation_v1_request_activate_event *event = data;
	/*
	 * Only a token made from real input (it names the seat and serial of an event
	 * the focused client got) may move focus: a window cannot steal it on its own.
	 */
	if (!event->token->seat) {
		lumen_log(LUMEN_DEBUG, "activation request with a token not tied to input: ignored");
		return;
	}
	struct comp_view *view = view_from_surface(event->surface);
	/* wlroots checked the token's serial and focus when it was made. */
	if (view && view->mapped) {
		comp_view_focus(view);
	}
}

/* An inhibitor counts only while its surface can be seen, as the protocol says. */
static bool surface_visible(struct comp_server *server, struct wlr_surface *surface) {
	struct wlr_surface *root = wlr_surface_get_root_surface(surface);
	if (wlr_surface_is_layer_surface(root)) {
		struct wlr_layer_surface_v1 *ls = wlr_layer_surface_v1_from_wlr_surface(root);
		return ls && ls->mapped;
	}
	struct comp_view *view = comp_view_from_surface(server, root);
	return view && view->mapped && !view->minimized && view->workspace &&
		view->workspace->output && view->workspace->output->workspace == view->workspace;
}

static void update_idle_inhibit(struct comp_server *server) {
	if (!server->idle_inhibit) {
		return;
	}
	bool inhibited = false;
	struct wlr_idle_inhibitor_v1 *inhibitor;
	wl_list_for_each(inhibitor, &server->idle_inhibit->inhibitors, link) {
		if (surface_visible(server, inhibitor->surface)) {
			inhibited = true;
		}
	}
	wlr_idle_set_enabled(server->idle, server->seat, !inhibited);
	comp_idle_notify_set_inhibited(server, inhibited);
}

void comp_protocols_idle_recheck(struct comp_server *server) {
	update_idle_inhibit(server);
	/* What can be seen changed: so may xdg toplevels' suspended state. */
	comp_xdg_shell_update_visibility_soon(server->xdg_wm_base);
}

static void idle_recheck(void *data) {
	update_idle_inhibit(data);
}

struct comp_idle_inhibitor {
	struct comp_server *server;
	struct wl_listener destroy;
};

static void handle_inhibitor_destroy(struct wl_listener *listener, void *data) {
	struct comp_idle_inhibitor *inhibitor = wl_container_of(listener, inhibitor, destroy);
	struct comp_server *server = inhibitor->server;
	wl_list_remove(&inhibitor->destroy.link);
	free(inhibitor);
	/* wlroots removes the inhibitor from its list after this signal; look again soon. */
	wl_event_loop_add_idle(server->loop, idle_recheck, server);
}

static void handle_new_idle_inhibitor(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, new_idle_inhibitor);
	struct wlr_idle_inhibitor_v1 *wlr_inhibitor = data;
	struct comp_idle_inhibitor *inhibitor = calloc(1, sizeof(*inhibitor));
	if (!inhibitor) {
		return;
	}
	inhibitor->server = server;
	inhibitor->destroy.notify = handle_inhibitor_destroy;
	wl_signal_add(&wlr_inhibitor->events.destroy, &inhibitor->destroy);
	update_idle_inhibit(server);
}

void comp_protocols_notify_activity(struct comp_server *server) {
	if (server->idle) {
		wlr_idle_notify_activity(server->idle, server->seat);
	}
	comp_idle_notify_activity(server);
}

void comp_protocols_init(struct comp_server *server) {
	struct wl_display *display = server->display;

	wlr_export_dmabuf_manager_v1_create(display);
	wlr_screencopy_manager_v1_create(display);
	wlr_data_control_manager_v1_create(display);
	wlr_primary_selection_v1_device_manager_create(display);
	wlr_viewporter_create(display);
	wlr_xdg_output_manager_v1_create(display, server->output_layout);
	wlr_gamma_control_manager_v1_create(display);
	server->tablet = wlr_tablet_v2_create(display);

	server->presentation = wlr_presentation_create(display, server->backend);
	wlr_scene_set_presentation(server->scene, server->presentation);

	server->foreign_toplevel = wlr_foreign_toplevel_manager_v1_create(display);

	if (server->xdg_wm_base) {
		/* wlroots' take only its own xdg surfaces: ours serve our toplevels. */
		comp_xdg_foreign_create(server);
		comp_xdg_decoration_create(server);
	} else {
		struct wlr_xdg_foreign_registry *registry = wlr_xdg_foreign_registry_create(display);
		wlr_xdg_foreign_v1_create(display, registry);
		wlr_xdg_foreign_v2_create(display, registry);

		server->xdg_decoration = wlr_xdg_decoration_manager_v1_create(display);
		server->new_xdg_decoration.notify = handle_new_xdg_decoration;
		wl_signal_add(&server->xdg_decoration->events.new_toplevel_decoration,
			&server->new_xdg_decoration);
	}

	server->server_decoration = wlr_server_decoration_manager_create(display);
	wlr_server_decoration_manager_set_default_mode(server->server_decoration,
		server->config.deco_mode == COMP_DECO_MODE_SERVER
			? WLR_SERVER_DECORATION_MANAGER_MODE_SERVER
			: WLR_SERVER_DECORATION_MANAGER_MODE_CLIENT);
	server->new_server_decoration.notify = handle_new_server_decoration;
	wl_signal_add(&server->server_decoration->events.new_decoration,
		&server->new_server_decoration);

	server->xdg_activation = wlr_xdg_activation_v1_create(display);
	server->request_activate.notify = handle_request_activate;
	wl_signal_add(&server->xdg_activation->events.request_activate, &server->request_activate);

	server->idle = wlr_idle_create(display);
	server->idle_inhibit = wlr_idle_inhibit_v1_create(display);
	server->new_idle_inhibitor.notify = handle_new_idle_inhibitor;
	wl_signal_add(&server->idle_inhibit->events.new_inhibitor, &server->new_idle_inhibitor);
}
