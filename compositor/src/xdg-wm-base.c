/*
 * xdg_wm_base version 6 on libwayland: positioners, xdg surfaces, toplevels, popups,
 * configure/ack serials, popup grabs, and the protocol errors xdg-shell.xml demands.
 * Window management (what size, which state) is decided by view.c through
 * xdg-shell.c; this file only keeps the protocol's state machine.
 *
 * The positioner and its placement rules (flip, slide, resize) are in xdg-positioner.c,
 * the popup grab (pointer, keyboard and touch while popups hold it) in xdg-popup-grab.c.
 *
 * Layer-shell popups (a dispatcher of ours in front of wlroots' layer surfaces) are in
 * xdg-layer-popup.c.
 */
#include <wayland-server-core.h>
#include <stdlib.h>
#include <string.h>
#include <wlr/types/wlr_layer_shell_v1.h>
#include <wlr/util/edges.h>
#include "common/log.h"
#include "server.h"
#include "wlr-layer-shell-unstable-v1-protocol.h"
#include "xdg-layer-popup.h"
#include "xdg-popup-grab.h"
#include "xdg-positioner.h"
#include "xdg-shell-protocol.h"
#include "xdg-wm-base.h"

struct comp_xdg_client {
	struct comp_xdg_shell *shell;
	struct wl_resource *resource; // xdg_wm_base
	struct wl_client *client;
	struct wl_list surfaces; // comp_xdg_surface.link
	struct wl_list link; // comp_xdg_shell.clients
	/* Ping: the serial awaiting a pong (0: none), and the timer of its deadline. */
	uint32_t ping_serial;
	struct wl_event_source *ping_timeout;
	bool unresponsive; // a ping went unanswered past the deadline
};

struct comp_xdg_configure {
	struct wl_list link; // comp_xdg_surface.configures
	uint32_t serial;
	struct comp_xdg_toplevel_state state; // toplevels
	struct wlr_box geometry; // popups
};

static const struct xdg_wm_base_interface wm_base_impl;
static const struct xdg_surface_interface xdg_surface_impl;
static const struct xdg_toplevel_interface toplevel_impl;
static const struct xdg_popup_interface popup_impl;
static void xdg_surface_role_commit(struct wlr_surface *surface);
static void client_ping(struct comp_xdg_client *c);

static const struct wlr_surface_role toplevel_role = {
	.name = "xdg_toplevel",
	.commit = xdg_surface_role_commit,
};
static const struct wlr_surface_role popup_role = {
	.name = "xdg_popup",
	.commit = xdg_surface_role_commit,
};

/* The global says version 6; the 1.31 interface (version 5) still types the objects. */
static struct wl_interface wm_base_v6_interface;

struct comp_xdg_surface *comp_xdg_surface_from_wlr_surface(struct wlr_surface *surface) {
	if (!surface || (surface->role != &toplevel_role && surface->role != &popup_role)) {
		return NULL;
	}
	return surface->role_data;
}

static struct comp_xdg_surface *xdg_from_resource(struct wl_resource *resource) {
	return wl_resource_get_user_data(resource);
}

struct comp_xdg_toplevel *comp_xdg_toplevel_from_resource(struct wl_resource *resource) {
	if (!resource || !wl_resource_instance_of(resource, &xdg_toplevel_interface, &toplevel_impl)) {
		return NULL;
	}
	return wl_resource_get_user_data(resource);
}

/* Where the popup's parent's window geometry sits in its root's (toplevel or layer). */
static void popup_parent_offset(struct comp_xdg_popup *popup, int *dx, int *dy) {
	*dx = *dy = 0;
	struct comp_xdg_surface *parent = popup->parent;
	while (parent && parent->role == COMP_XDG_ROLE_POPUP && parent->popup) {
		*dx += parent->popup->geometry.x;
		*dy += parent->popup->geometry.y;
		parent = parent->popup->parent;
	}
}

static struct comp_xdg_popup *root_popup(struct comp_xdg_popup *popup) {
	while (popup->parent && popup->parent->role == COMP_XDG_ROLE_POPUP &&
			popup->parent->popup) {
		popup = popup->parent->popup;
	}
	return popup;
}

/* The box the popup gets now (relative to its parent's window geometry). */
static struct wlr_box popup_compute(struct comp_xdg_popup *popup) {
	struct comp_xdg_popup *root = root_popup(popup);
	struct comp_xdg_shell *shell = popup->base->client->shell;
	struct wlr_box c;
	bool limited = false;
	if (root->constraint_box) {
		limited = root->constraint_box(root, &c);
	} else if (root->parent && root->parent->role == COMP_XDG_ROLE_TOPLEVEL &&
			shell->toplevel_constraint) {
		limited = shell->toplevel_constraint(root->parent->toplevel, &c);
	}
	if (!limited) {
		return comp_xdg_positioner_place(&popup->rules);
	}
	int dx, dy;
	popup_parent_offset(popup, &dx, &dy);
	c.x -= dx;
	c.y -= dy;
	return comp_xdg_positioner_unconstrain(&popup->rules, c);
}

/* ---- configure ---- */

static void send_toplevel_configure(struct comp_xdg_toplevel *t, struct comp_xdg_configure *cfg) {
	struct comp_xdg_toplevel_state *s = &t->pending;
	int version = wl_resource_get_version(t->resource);
	if (version >= XDG_TOPLEVEL_CONFIGURE_BOUNDS_SINCE_VERSION &&
			(!t->bounds_sent || s->bounds_width != t->sent.bounds_width ||
			 s->bounds_height != t->sent.bounds_height)) {
		xdg_toplevel_send_configure_bounds(t->resource, s->bounds_width, s->bounds_height);
		t->bounds_sent = true;
	}
	struct wl_array states;
	wl_array_init(&states);
	uint32_t list[12];
	size_t n = 0;
	if (s->maximized) {
		list[n++] = XDG_TOPLEVEL_STATE_MAXIMIZED;
	}
	if (s->fullscreen) {
		list[n++] = XDG_TOPLEVEL_STATE_FULLSCREEN;
	}
	if (s->resizing) {
		list[n++] = XDG_TOPLEVEL_STATE_RESIZING;
	}
	if (s->activated) {
		list[n++] = XDG_TOPLEVEL_STATE_ACTIVATED;
	}
	if (version >= XDG_TOPLEVEL_STATE_TILED_LEFT_SINCE_VERSION) {
		if (s->tiled & WLR_EDGE_LEFT) {
			list[n++] = XDG_TOPLEVEL_STATE_TILED_LEFT;
		}
		if (s->tiled & WLR_EDGE_RIGHT) {
			list[n++] = XDG_TOPLEVEL_STATE_TILED_RIGHT;
		}
		if (s->tiled & WLR_EDGE_TOP) {
			list[n++] = XDG_TOPLEVEL_STATE_TILED_TOP;
		}
		if (s->tiled & WLR_EDGE_BOTTOM) {
			list[n++] = XDG_TOPLEVEL_STATE_TILED_BOTTOM;
		}
	}
	if (version >= 6 && s->suspended) {
		list[n++] = COMP_XDG_TOPLEVEL_STATE_SUSPENDED;
	}
	uint32_t *data = wl_array_add(&states, n * sizeof(uint32_t));
	if (!data && n > 0) {
		wl_array_release(&states);
		wl_resource_post_no_memory(t->resource);
		return;
	}
	if (n > 0) {
		memcpy(data, list, n * sizeof(uint32_t));
	}
	xdg_toplevel_send_configure(t->resource, s->width, s->height, &states);
	wl_array_release(&states);
	bool newly_activated = s->activated && !t->sent.activated;
	cfg->state = *s;
	t->sent = *s;
	if (newly_activated) {
		client_ping(t->base->client); // focus is a moment to know it still answers
	}
}

static void surface_send_configure(void *data) {
	struct comp_xdg_surface *xdg = data;
	xdg->configure_idle = NULL;
	struct comp_xdg_configure *cfg = calloc(1, sizeof(*cfg));
	if (!cfg) {
		wl_resource_post_no_memory(xdg->resource);
		return;
	}
	cfg->serial = xdg->scheduled_serial;
	switch (xdg->role) {
	case COMP_XDG_ROLE_NONE:
		free(cfg);
		return;
	case COMP_XDG_ROLE_TOPLEVEL:
		if (!xdg->toplevel->resource) {
			free(cfg);
			return;
		}
		send_toplevel_configure(xdg->toplevel, cfg);
		break;
	case COMP_XDG_ROLE_POPUP:;
		struct comp_xdg_popup *popup = xdg->popup;
		if (popup->has_token &&
				wl_resource_get_version(popup->resource) >= XDG_POPUP_REPOSITIONED_SINCE_VERSION) {
			xdg_popup_send_repositioned(popup->resource, popup->reposition_token);
		}
		popup->has_token = false;
		cfg->geometry = popup_compute(popup);
		popup->pending_geometry = cfg->geometry;
		xdg_popup_send_configure(popup->resource, cfg->geometry.x, cfg->geometry.y,
			cfg->geometry.width, cfg->geometry.height);
		break;
	}
	wl_list_insert(xdg->configures.prev, &cfg->link);
	xdg_surface_send_configure(xdg->resource, cfg->serial);
}

uint32_t comp_xdg_surface_schedule_configure(struct comp_xdg_surface *xdg) {
	if (!xdg->configure_idle) {
		struct wl_display *display = xdg->client->shell->display;
		xdg->scheduled_serial = wl_display_next_serial(display);
		xdg->configure_idle = wl_event_loop_add_idle(wl_display_get_event_loop(display),
			surface_send_configure, xdg);
		if (!xdg->configure_idle) {
			wl_resource_post_no_memory(xdg->resource);
		}
	}
	return xdg->scheduled_serial;
}

static void clear_configures(struct comp_xdg_surface *xdg) {
	struct comp_xdg_configure *cfg, *tmp;
	wl_list_for_each_safe(cfg, tmp, &xdg->configures, link) {
		wl_list_remove(&cfg->link);
		free(cfg);
	}
	if (xdg->configure_idle) {
		wl_event_source_remove(xdg->configure_idle);
		xdg->configure_idle = NULL;
	}
}

/* ---- map, unmap ---- */

static void reparent_children(struct comp_xdg_shell *shell, struct comp_xdg_toplevel *gone) {
	struct comp_xdg_client *client;
	wl_list_for_each(client, &shell->clients, link) {
		struct comp_xdg_surface *xdg;
		wl_list_for_each(xdg, &client->surfaces, link) {
			if (xdg->role == COMP_XDG_ROLE_TOPLEVEL && xdg->toplevel->parent == gone) {
				xdg->toplevel->parent = gone->parent != gone ? gone->parent : NULL;
				wl_signal_emit(&xdg->toplevel->events.set_parent, xdg->toplevel);
			}
		}
	}
}

static void dismiss_children(struct comp_xdg_surface *xdg) {
	struct comp_xdg_popup *popup, *tmp;
	wl_list_for_each_safe(popup, tmp, &xdg->popups, link) {
		comp_xdg_popup_dismiss(popup);
	}
}

static void xdg_surface_unmap(struct comp_xdg_surface *xdg) {
	dismiss_children(xdg);
	if (xdg->role == COMP_XDG_ROLE_POPUP && xdg->popup->grabbing) {
		comp_xdg_grab_remove_popup(xdg->popup);
	}
	if (xdg->mapped) {
		xdg->mapped = false;
		if (xdg->tree) {
			wlr_scene_node_set_enabled(&xdg->tree->node, false);
		}
		wl_signal_emit(&xdg->events.unmap, xdg);
		if (xdg->role == COMP_XDG_ROLE_TOPLEVEL) {
			wl_signal_emit(&xdg->toplevel->events.unmap, xdg->toplevel);
			reparent_children(xdg->client->shell, xdg->toplevel);
		}
	}
	clear_configures(xdg);
	xdg->configured = false;
	xdg->initial_commit = false;
}

/* An error of xdg_wm_base's, about one of its surfaces. */
static void post_wm_error(struct comp_xdg_surface *xdg, uint32_t code, const char *msg) {
	wl_resource_post_error(xdg->client->resource ? xdg->client->resource : xdg->resource,
		code, "%s", msg);
}

static bool surface_has_buffer(struct wlr_surface *surface) {
	return wlr_surface_has_buffer(surface);
}

struct wlr_box comp_xdg_surface_geometry(struct comp_xdg_surface *xdg) {
	if (xdg->has_geometry) {
		return xdg->geometry;
	}
	struct wlr_box box;
	wlr_surface_get_extends(xdg->surface, &box);
	return box;
}

static void update_tree_positions(struct comp_xdg_surface *xdg) {
	if (!xdg->tree) {
		return;
	}
	struct wlr_box geo = comp_xdg_surface_geometry(xdg);
	if (xdg->surface_node) {
		wlr_scene_node_set_position(xdg->surface_node, -geo.x, -geo.y);
	}
	if (xdg->role == COMP_XDG_ROLE_POPUP) {
		wlr_scene_node_set_position(&xdg->tree->node, xdg->popup->geometry.x,
			xdg->popup->geometry.y);
	}
}

static void xdg_surface_role_commit(struct wlr_surface *surface) {
	struct comp_xdg_surface *xdg = surface->role_data;
	if (!xdg || xdg->role == COMP_XDG_ROLE_NONE) {
		return; // the role object is gone: the surface is inert until a new one
	}
	struct comp_xdg_shell *shell = xdg->client->shell;
	bool has_buffer = surface_has_buffer(surface);
	if (!xdg->initial_commit && shell->assume_initial_ack) {
		xdg->configured = true;
	}
	if (has_buffer && !xdg->configured) {
		wl_resource_post_error(xdg->resource, XDG_SURFACE_ERROR_UNCONFIGURED_BUFFER,
			"a buffer was committed before the first configure was acked");
		return;
	}
	if (xdg->has_pending_geometry) {
		xdg->geometry = xdg->pending_geometry;
		xdg->has_geometry = true;
		xdg->has_pending_geometry = false;
	}
	if (xdg->role == COMP_XDG_ROLE_TOPLEVEL) {
		struct comp_xdg_toplevel *t = xdg->toplevel;
		t->min_width = t->pending_min_width;
		t->min_height = t->pending_min_height;
		t->max_width = t->pending_max_width;
		t->max_height = t->pending_max_height;
		if ((t->max_width > 0 && t->min_width > t->max_width) ||
				(t->max_height > 0 && t->min_height > t->max_height)) {
			wl_resource_post_error(t->resource, XDG_TOPLEVEL_ERROR_INVALID_SIZE,
				"the minimum size is larger than the maximum size");
			return;
		}
	} else if (xdg->role == COMP_XDG_ROLE_POPUP) {
		struct comp_xdg_popup *popup = xdg->popup;
		if (!popup->parent_surface && !popup->dismissed) {
			post_wm_error(xdg, XDG_WM_BASE_ERROR_INVALID_POPUP_PARENT,
				"a popup without a parent was committed");
			return;
		}
		popup->geometry = popup->acked_geometry;
	}

	if (!xdg->initial_commit) {
		xdg->initial_commit = true;
		if (xdg->role == COMP_XDG_ROLE_TOPLEVEL) {
			wl_signal_emit(&xdg->toplevel->events.initial_commit, xdg->toplevel);
		}
		if (xdg->role == COMP_XDG_ROLE_POPUP && shell->assume_initial_ack) {
			xdg->popup->geometry = popup_compute(xdg->popup);
			xdg->popup->acked_geometry = xdg->popup->geometry;
		}
		comp_xdg_surface_schedule_configure(xdg);
	}
	update_tree_positions(xdg);

	if (!has_buffer && xdg->mapped) {
		xdg_surface_unmap(xdg); // a null buffer: the client starts over
		return;
	}
	if (has_buffer && !xdg->mapped && xdg->configured) {
		if (xdg->role == COMP_XDG_ROLE_POPUP && xdg->popup->dismissed) {
			return; // nothing to show: the client will destroy it
		}
		xdg->mapped = true;
		if (xdg->tree) {
			wlr_scene_node_set_enabled(&xdg->tree->node, true);
		}
		if (xdg->role == COMP_XDG_ROLE_POPUP && xdg->popup->grabbing &&
				comp_xdg_grab_top(shell) == xdg->popup) {
			comp_xdg_grab_focus_top(shell);
		}
		wl_signal_emit(&xdg->events.map, xdg);
		if (xdg->role == COMP_XDG_ROLE_TOPLEVEL) {
			wl_signal_emit(&xdg->toplevel->events.map, xdg->toplevel);
		}
	}
	wl_signal_emit(&xdg->events.commit, xdg);
	if (xdg->role == COMP_XDG_ROLE_TOPLEVEL && xdg->mapped) {
		wl_signal_emit(&xdg->toplevel->events.commit, xdg->toplevel);
	}
}

/* ---- xdg_surface ---- */

static void xdg_surface_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	struct comp_xdg_surface *xdg = xdg_from_resource(resource);
	if (xdg && xdg->role != COMP_XDG_ROLE_NONE) {
		wl_resource_post_error(resource, XDG_SURFACE_ERROR_DEFUNCT_ROLE_OBJECT,
			"the xdg_surface was destroyed before its role object");
		return;
	}
	wl_resource_destroy(resource);
}

static void create_toplevel(struct comp_xdg_surface *xdg, uint32_t id);
static void create_popup(struct comp_xdg_surface *xdg, struct comp_xdg_surface *parent,
	struct comp_xdg_positioner *positioner, uint32_t id);

static void xdg_surface_handle_get_toplevel(struct wl_client *client,
		struct wl_resource *resource, uint32_t id) {
	struct comp_xdg_surface *xdg = xdg_from_resource(resource);
	if (!xdg) {
		/* Its wl_surface is gone: an inert object keeps the ids in step. */
		struct wl_resource *inert = wl_resource_create(client, &xdg_toplevel_interface,
			wl_resource_get_version(resource), id);
		if (!inert) {
			wl_client_post_no_memory(client);
			return;
		}
		wl_resource_set_implementation(inert, &toplevel_impl, NULL, NULL);
		return;
	}
	create_toplevel(xdg, id);
}

static void xdg_surface_handle_get_popup(struct wl_client *client, struct wl_resource *resource,
		uint32_t id, struct wl_resource *parent_resource,
		struct wl_resource *positioner_resource) {
	struct comp_xdg_surface *xdg = xdg_from_resource(resource);
	struct comp_xdg_surface *parent = parent_resource ? xdg_from_resource(parent_resource) : NULL;
	struct comp_xdg_positioner *positioner = comp_xdg_positioner_from_resource(positioner_resource);
	if (!xdg) {
		struct wl_resource *inert = wl_resource_create(client, &xdg_popup_interface,
			wl_resource_get_version(resource), id);
		if (!inert) {
			wl_client_post_no_memory(client);
			return;
		}
		wl_resource_set_implementation(inert, &popup_impl, NULL, NULL);
		return;
	}
	if (parent_resource && (!parent || parent->role == COMP_XDG_ROLE_NONE)) {
		post_wm_error(xdg, XDG_WM_BASE_ERROR_INVALID_POPUP_PARENT,
			"the popup's parent has no role");
		return;
	}
	create_popup(xdg, parent, positioner, id);
}

static void xdg_surface_handle_set_window_geometry(struct wl_client *client,
		struct wl_resource *resource, int32_t x, int32_t y, int32_t width, int32_t height) {
	struct comp_xdg_surface *xdg = xdg_from_resource(resource);
	if (!xdg) {
		return;
	}
	if (xdg->role == COMP_XDG_ROLE_NONE) {
		wl_resource_post_error(resource, XDG_SURFACE_ERROR_NOT_CONSTRUCTED,
			"the xdg_surface has no role object");
		return;
	}
	if (width <= 0 || height <= 0) {
		wl_resource_post_error(resource, XDG_SURFACE_ERROR_INVALID_SIZE,
			"the window geometry must have a positive size");
		return;
	}
	xdg->pending_geometry = (struct wlr_box){x, y, width, height};
	xdg->has_pending_geometry = true;
}

static void xdg_surface_handle_ack_configure(struct wl_client *client,
		struct wl_resource *resource, uint32_t serial) {
	struct comp_xdg_surface *xdg = xdg_from_resource(resource);
	if (!xdg) {
		return;
	}
	if (xdg->role == COMP_XDG_ROLE_NONE) {
		wl_resource_post_error(resource, XDG_SURFACE_ERROR_NOT_CONSTRUCTED,
			"the xdg_surface has no role object");
		return;
	}
	struct comp_xdg_configure *cfg, *found = NULL;
	wl_list_for_each(cfg, &xdg->configures, link) {
		if (cfg->serial == serial) {
			found = cfg;
			break;
		}
	}
	if (!found) {
		/* Never sent, or acked already (older ones are dropped at each ack). */
		wl_resource_post_error(resource, XDG_SURFACE_ERROR_INVALID_SERIAL,
			"no configure with serial %u is waiting for an ack", serial);
		return;
	}
	if (xdg->role == COMP_XDG_ROLE_TOPLEVEL) {
		xdg->toplevel->acked = found->state;
	} else {
		xdg->popup->acked_geometry = found->geometry;
	}
	struct comp_xdg_configure *tmp;
	wl_list_for_each_safe(cfg, tmp, &xdg->configures, link) {
		bool last = cfg == found;
		wl_list_remove(&cfg->link);
		free(cfg);
		if (last) {
			break;
		}
	}
	xdg->configured = true;
}

static const struct xdg_surface_interface xdg_surface_impl = {
	.destroy = xdg_surface_handle_destroy,
	.get_toplevel = xdg_surface_handle_get_toplevel,
	.get_popup = xdg_surface_handle_get_popup,
	.set_window_geometry = xdg_surface_handle_set_window_geometry,
	.ack_configure = xdg_surface_handle_ack_configure,
};

static void toplevel_destroy_role(struct comp_xdg_toplevel *t);
static void popup_destroy_role(struct comp_xdg_popup *popup);

/* The xdg_surface goes: its wl_surface was destroyed, or its resource. */
static void xdg_surface_destroy(struct comp_xdg_surface *xdg) {
	if (xdg->role == COMP_XDG_ROLE_TOPLEVEL) {
		toplevel_destroy_role(xdg->toplevel);
	} else if (xdg->role == COMP_XDG_ROLE_POPUP) {
		popup_destroy_role(xdg->popup);
	}
	/* Popups of this surface lose their parent; they stay inert until destroyed. */
	struct comp_xdg_popup *popup, *tmp;
	wl_list_for_each_safe(popup, tmp, &xdg->popups, link) {
		comp_xdg_popup_dismiss(popup);
		wl_list_remove(&popup->link);
		wl_list_init(&popup->link);
		popup->parent = NULL;
	}
	wl_signal_emit(&xdg->events.destroy, xdg);
	clear_configures(xdg);
	if (xdg->tree) {
		wl_list_remove(&xdg->tree_destroy.link);
		wlr_scene_node_destroy(&xdg->tree->node);
		xdg->tree = NULL;
	}
	if (xdg->surface->role_data == xdg) {
		xdg->surface->role_data = NULL;
	}
	wl_list_remove(&xdg->surface_destroy.link);
	wl_list_remove(&xdg->surface_commit.link);
	wl_list_remove(&xdg->link);
	wl_resource_set_user_data(xdg->resource, NULL);
	struct comp_xdg_client *client = xdg->client;
	free(xdg);
	if (!client->resource && wl_list_empty(&client->surfaces)) {
		wl_list_remove(&client->link);
		free(client);
	}
}

static void xdg_surface_handle_resource_destroy(struct wl_resource *resource) {
	struct comp_xdg_surface *xdg = xdg_from_resource(resource);
	if (xdg) {
		xdg_surface_destroy(xdg);
	}
}

static void handle_surface_destroy(struct wl_listener *listener, void *data) {
	struct comp_xdg_surface *xdg = wl_container_of(listener, xdg, surface_destroy);
	xdg_surface_destroy(xdg);
}

/* Before a role: no buffer may come before the first configure. */
static void handle_surface_commit(struct wl_listener *listener, void *data) {
	struct comp_xdg_surface *xdg = wl_container_of(listener, xdg, surface_commit);
	if (xdg->role == COMP_XDG_ROLE_NONE && xdg->surface->role_data != xdg &&
			surface_has_buffer(xdg->surface)) {
		wl_resource_post_error(xdg->resource, XDG_SURFACE_ERROR_UNCONFIGURED_BUFFER,
			"a buffer was committed before the xdg_surface had a role");
	}
}

/* The xdg surface of a wl_surface, with or without a role yet. */
static struct comp_xdg_surface *xdg_of_wlr_surface(struct wlr_surface *surface) {
	struct wl_listener *l = wl_signal_get(&surface->events.destroy, handle_surface_destroy);
	if (!l) {
		return NULL;
	}
	struct comp_xdg_surface *xdg = wl_container_of(l, xdg, surface_destroy);
	return xdg;
}

/* ---- xdg_toplevel ---- */

static struct comp_xdg_toplevel *toplevel_from_resource(struct wl_resource *resource) {
	return wl_resource_get_user_data(resource);
}

static void toplevel_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static bool is_descendant(struct comp_xdg_toplevel *t, struct comp_xdg_toplevel *of) {
	for (struct comp_xdg_toplevel *p = t; p; p = p->parent) {
		if (p == of) {
			return true;
		}
	}
	return false;
}

bool comp_xdg_toplevel_set_parent(struct comp_xdg_toplevel *t, struct comp_xdg_toplevel *parent) {
	if (parent && is_descendant(parent, t)) {
		return false;
	}
	/* Only mapped windows have children: an unmapped parent means none. */
	if (parent && !parent->base->mapped) {
		parent = NULL;
	}
	if (t->parent == parent) {
		return true;
	}
	t->parent = parent;
	wl_signal_emit(&t->events.set_parent, t);
	return true;
}

static void toplevel_handle_set_parent(struct wl_client *client, struct wl_resource *resource,
		struct wl_resource *parent_resource) {
	struct comp_xdg_toplevel *t = toplevel_from_resource(resource);
	if (!t) {
		return;
	}
	struct comp_xdg_toplevel *parent = parent_resource ?
		toplevel_from_resource(parent_resource) : NULL;
	if (!comp_xdg_toplevel_set_parent(t, parent)) {
		wl_resource_post_error(resource, XDG_TOPLEVEL_ERROR_INVALID_PARENT,
			"the parent would be the window itself or one of its descendants");
	}
}

static void toplevel_handle_set_title(struct wl_client *client, struct wl_resource *resource,
		const char *title) {
	struct comp_xdg_toplevel *t = toplevel_from_resource(resource);
	if (!t) {
		return;
	}
	char *copy = strdup(title);
	if (!copy) {
		wl_resource_post_no_memory(resource);
		return;
	}
	free(t->title);
	t->title = copy;
	wl_signal_emit(&t->events.set_title, t);
}

static void toplevel_handle_set_app_id(struct wl_client *client, struct wl_resource *resource,
		const char *app_id) {
	struct comp_xdg_toplevel *t = toplevel_from_resource(resource);
	if (!t) {
		return;
	}
	char *copy = strdup(app_id);
	if (!copy) {
		wl_resource_post_no_memory(resource);
		return;
	}
	free(t->app_id);
	t->app_id = copy;
	wl_signal_emit(&t->events.set_app_id, t);
}

static void toplevel_handle_show_window_menu(struct wl_client *client,
		struct wl_resource *resource, struct wl_resource *seat, uint32_t serial,
		int32_t x, int32_t y) {
	/* No window menu: wm_capabilities does not announce one. */
}

static void toplevel_handle_move(struct wl_client *client, struct wl_resource *resource,
		struct wl_resource *seat, uint32_t serial) {
	struct comp_xdg_toplevel *t = toplevel_from_resource(resource);
	if (!t || !t->base->mapped) {
		return;
	}
	wl_signal_emit(&t->events.request_move, t);
}

static void toplevel_handle_resize(struct wl_client *client, struct wl_resource *resource,
		struct wl_resource *seat, uint32_t serial, uint32_t edges) {
	struct comp_xdg_toplevel *t = toplevel_from_resource(resource);
	if (!t) {
		return;
	}
	switch (edges) {
	case XDG_TOPLEVEL_RESIZE_EDGE_NONE:
	case XDG_TOPLEVEL_RESIZE_EDGE_TOP:
	case XDG_TOPLEVEL_RESIZE_EDGE_BOTTOM:
	case XDG_TOPLEVEL_RESIZE_EDGE_LEFT:
	case XDG_TOPLEVEL_RESIZE_EDGE_TOP_LEFT:
	case XDG_TOPLEVEL_RESIZE_EDGE_BOTTOM_LEFT:
	case XDG_TOPLEVEL_RESIZE_EDGE_RIGHT:
	case XDG_TOPLEVEL_RESIZE_EDGE_TOP_RIGHT:
	case XDG_TOPLEVEL_RESIZE_EDGE_BOTTOM_RIGHT:
		break;
	default:
		wl_resource_post_error(resource, XDG_TOPLEVEL_ERROR_INVALID_RESIZE_EDGE,
			"invalid resize edge %u", edges);
		return;
	}
	if (!t->base->mapped) {
		return;
	}
	wl_signal_emit(&t->events.request_resize, &edges);
}

static void set_size_limit(struct wl_resource *resource, int32_t width, int32_t height,
		bool max) {
	struct comp_xdg_toplevel *t = toplevel_from_resource(resource);
	if (!t) {
		return;
	}
	if (width < 0 || height < 0) {
		wl_resource_post_error(resource, XDG_TOPLEVEL_ERROR_INVALID_SIZE,
			"a size limit must not be negative");
		return;
	}
	if (max) {
		t->pending_max_width = width;
		t->pending_max_height = height;
	} else {
		t->pending_min_width = width;
		t->pending_min_height = height;
	}
}

static void toplevel_handle_set_max_size(struct wl_client *client, struct wl_resource *resource,
		int32_t width, int32_t height) {
	set_size_limit(resource, width, height, true);
}

static void toplevel_handle_set_min_size(struct wl_client *client, struct wl_resource *resource,
		int32_t width, int32_t height) {
	set_size_limit(resource, width, height, false);
}

static void request_state(struct wl_resource *resource, int which, bool on,
		struct wl_resource *output) {
	struct comp_xdg_toplevel *t = toplevel_from_resource(resource);
	if (!t) {
		return;
	}
	switch (which) {
	case 0:
		t->requested.maximized = on;
		wl_signal_emit(&t->events.request_maximize, t);
		break;
	case 1:
		t->requested.fullscreen = on;
		t->requested_output = on && output ? wlr_output_from_resource(output) : NULL;
		wl_signal_emit(&t->events.request_fullscreen, t);
		break;
	default:
		t->requested.minimized = true;
		wl_signal_emit(&t->events.request_minimize, t);
		break;
	}
}

static void toplevel_handle_set_maximized(struct wl_client *client, struct wl_resource *resource) {
	request_state(resource, 0, true, NULL);
}

static void toplevel_handle_unset_maximized(struct wl_client *client,
		struct wl_resource *resource) {
	request_state(resource, 0, false, NULL);
}

static void toplevel_handle_set_fullscreen(struct wl_client *client, struct wl_resource *resource,
		struct wl_resource *output) {
	request_state(resource, 1, true, output);
}

static void toplevel_handle_unset_fullscreen(struct wl_client *client,
		struct wl_resource *resource) {
	request_state(resource, 1, false, NULL);
}

static void toplevel_handle_set_minimized(struct wl_client *client, struct wl_resource *resource) {
	request_state(resource, 2, true, NULL);
}

static const struct xdg_toplevel_interface toplevel_impl = {
	.destroy = toplevel_handle_destroy,
	.set_parent = toplevel_handle_set_parent,
	.set_title = toplevel_handle_set_title,
	.set_app_id = toplevel_handle_set_app_id,
	.show_window_menu = toplevel_handle_show_window_menu,
	.move = toplevel_handle_move,
	.resize = toplevel_handle_resize,
	.set_max_size = toplevel_handle_set_max_size,
	.set_min_size = toplevel_handle_set_min_size,
	.set_maximized = toplevel_handle_set_maximized,
	.unset_maximized = toplevel_handle_unset_maximized,
	.set_fullscreen = toplevel_handle_set_fullscreen,
	.unset_fullscreen = toplevel_handle_unset_fullscreen,
	.set_minimized = toplevel_handle_set_minimized,
};

static void toplevel_destroy_role(struct comp_xdg_toplevel *t) {
	struct comp_xdg_surface *xdg = t->base;
	xdg_surface_unmap(xdg);
	wl_signal_emit(&t->events.destroy, t);
	reparent_children(xdg->client->shell, t);
	/* Others that still name it as parent (unmapped children) forget it. */
	struct comp_xdg_client *client;
	wl_list_for_each(client, &xdg->client->shell->clients, link) {
		struct comp_xdg_surface *other;
		wl_list_for_each(other, &client->surfaces, link) {
			if (other->role == COMP_XDG_ROLE_TOPLEVEL && other->toplevel->parent == t) {
				other->toplevel->parent = NULL;
			}
		}
	}
	if (t->resource) {
		wl_resource_set_user_data(t->resource, NULL);
	}
	free(t->title);
	free(t->app_id);
	free(t);
	xdg->toplevel = NULL;
	xdg->role = COMP_XDG_ROLE_NONE;
	xdg->has_geometry = xdg->has_pending_geometry = false;
}

static void toplevel_handle_resource_destroy(struct wl_resource *resource) {
	struct comp_xdg_toplevel *t = toplevel_from_resource(resource);
	if (t) {
		t->resource = NULL;
		toplevel_destroy_role(t);
	}
}

static void create_toplevel(struct comp_xdg_surface *xdg, uint32_t id) {
	if (xdg->role != COMP_XDG_ROLE_NONE) {
		wl_resource_post_error(xdg->resource, XDG_SURFACE_ERROR_ALREADY_CONSTRUCTED,
			"the xdg_surface already has a role object");
		return;
	}
	if (!wlr_surface_set_role(xdg->surface, &toplevel_role, xdg, xdg->client->resource,
			XDG_WM_BASE_ERROR_ROLE)) {
		return;
	}
	struct comp_xdg_toplevel *t = calloc(1, sizeof(*t));
	if (!t) {
		wl_resource_post_no_memory(xdg->resource);
		return;
	}
	t->base = xdg;
	t->resource = wl_resource_create(xdg->client->client, &xdg_toplevel_interface,
		wl_resource_get_version(xdg->resource), id);
	if (!t->resource) {
		free(t);
		wl_resource_post_no_memory(xdg->resource);
		return;
	}
	wl_resource_set_implementation(t->resource, &toplevel_impl, t,
		toplevel_handle_resource_destroy);
	wl_signal_init(&t->events.destroy);
	wl_signal_init(&t->events.map);
	wl_signal_init(&t->events.unmap);
	wl_signal_init(&t->events.commit);
	wl_signal_init(&t->events.initial_commit);
	wl_signal_init(&t->events.request_move);
	wl_signal_init(&t->events.request_resize);
	wl_signal_init(&t->events.request_maximize);
	wl_signal_init(&t->events.request_fullscreen);
	wl_signal_init(&t->events.request_minimize);
	wl_signal_init(&t->events.set_title);
	wl_signal_init(&t->events.set_app_id);
	wl_signal_init(&t->events.set_parent);
	xdg->toplevel = t;
	xdg->role = COMP_XDG_ROLE_TOPLEVEL;
	if (wl_resource_get_version(t->resource) >= XDG_TOPLEVEL_WM_CAPABILITIES_SINCE_VERSION) {
		/* What we offer: no window menu (we show none), the rest. */
		struct wl_array caps;
		wl_array_init(&caps);
		uint32_t *c = wl_array_add(&caps, 3 * sizeof(uint32_t));
		if (c) {
			c[0] = XDG_TOPLEVEL_WM_CAPABILITIES_MAXIMIZE;
			c[1] = XDG_TOPLEVEL_WM_CAPABILITIES_FULLSCREEN;
			c[2] = XDG_TOPLEVEL_WM_CAPABILITIES_MINIMIZE;
			xdg_toplevel_send_wm_capabilities(t->resource, &caps);
		}
		wl_array_release(&caps);
	}
	wl_signal_emit(&xdg->client->shell->events.new_toplevel, t);
}

void comp_xdg_toplevel_send_close(struct comp_xdg_toplevel *t) {
	if (t->resource) {
		xdg_toplevel_send_close(t->resource);
		client_ping(t->base->client); // a client that ignores close may be hung
	}
}

/* ---- xdg_popup ---- */

struct comp_xdg_popup *comp_xdg_popup_from_resource(struct wl_resource *resource) {
	if (!resource || !wl_resource_instance_of(resource, &xdg_popup_interface, &popup_impl)) {
		return NULL;
	}
	return wl_resource_get_user_data(resource);
}

struct comp_xdg_shell *comp_xdg_popup_shell(struct comp_xdg_popup *popup) {
	return popup->base->client->shell;
}

static struct comp_xdg_popup *popup_from_resource(struct wl_resource *resource) {
	return wl_resource_get_user_data(resource);
}

static void popup_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	struct comp_xdg_popup *popup = popup_from_resource(resource);
	if (popup && !wl_list_empty(&popup->base->popups)) {
		post_wm_error(popup->base, XDG_WM_BASE_ERROR_NOT_THE_TOPMOST_POPUP,
			"a popup was destroyed while popups above it still exist");
		return;
	}
	wl_resource_destroy(resource);
}

static void popup_handle_grab(struct wl_client *client, struct wl_resource *resource,
		struct wl_resource *seat_resource, uint32_t serial) {
	struct comp_xdg_popup *popup = popup_from_resource(resource);
	struct wlr_seat_client *seat_client = wlr_seat_client_from_resource(seat_resource);
	if (!popup || !seat_client) {
		return;
	}
	struct comp_xdg_shell *shell = popup->base->client->shell;
	if (popup->base->initial_commit) {
		wl_resource_post_error(resource, XDG_POPUP_ERROR_INVALID_GRAB,
			"the grab must be taken before the popup's initial commit");
		return;
	}
	struct comp_xdg_popup *parent_popup = popup->parent &&
		popup->parent->role == COMP_XDG_ROLE_POPUP ? popup->parent->popup : NULL;
	if (parent_popup && !parent_popup->grabbing && !parent_popup->dismissed) {
		wl_resource_post_error(resource, XDG_POPUP_ERROR_INVALID_GRAB,
			"the parent popup took no explicit grab");
		return;
	}
	struct comp_xdg_popup *top = comp_xdg_grab_top(shell);
	if (top && shell->grab.client == client && top != parent_popup && parent_popup) {
		post_wm_error(popup->base, XDG_WM_BASE_ERROR_NOT_THE_TOPMOST_POPUP,
			"a grabbing popup must be opened on the topmost grabbing popup");
		return;
	}
	/* Denied: a dismissed parent, no popup parent at all, or another client's grab. */
	if ((parent_popup && parent_popup->dismissed) || popup->dismissed) {
		comp_xdg_popup_dismiss(popup);
		return;
	}
	if (shell->grab.seat && shell->grab.client != client) {
		comp_xdg_shell_dismiss_grab(shell);
	} else if (top && !parent_popup) {
		/* A new menu from the window itself replaces the open ones. */
		comp_xdg_shell_dismiss_grab(shell);
	}
	popup->grabbing = true;
	wl_list_insert(&shell->grab.popups, &popup->grab_link);
	if (!shell->grab.seat) {
		shell->grab.seat = seat_client->seat;
		shell->grab.client = client;
		wlr_seat_pointer_start_grab(seat_client->seat, &shell->grab.pointer);
		wlr_seat_keyboard_start_grab(seat_client->seat, &shell->grab.keyboard);
		wlr_seat_touch_start_grab(seat_client->seat, &shell->grab.touch);
	}
	/* The keyboard goes to it when it maps (see handle_popup_map). */
}

static void popup_handle_reposition(struct wl_client *client, struct wl_resource *resource,
		struct wl_resource *positioner_resource, uint32_t token) {
	struct comp_xdg_popup *popup = popup_from_resource(resource);
	struct comp_xdg_positioner *positioner = comp_xdg_positioner_from_resource(positioner_resource);
	if (!popup) {
		return;
	}
	if (!positioner->rules.has_size || !positioner->rules.has_anchor_rect) {
		post_wm_error(popup->base, XDG_WM_BASE_ERROR_INVALID_POSITIONER,
			"the positioner has no size or no anchor rectangle");
		return;
	}
	popup->rules = positioner->rules;
	popup->has_token = true;
	popup->reposition_token = token;
	if (popup->base->initial_commit) {
		comp_xdg_surface_schedule_configure(popup->base);
	}
}

static const struct xdg_popup_interface popup_impl = {
	.destroy = popup_handle_destroy,
	.grab = popup_handle_grab,
	.reposition = popup_handle_reposition,
};

static void popup_detach_parent_surface(struct comp_xdg_popup *popup) {
	if (popup->parent_surface) {
		wl_list_remove(&popup->parent_surface_destroy.link);
		wl_list_init(&popup->parent_surface_destroy.link);
		popup->parent_surface = NULL;
	}
}

static void popup_destroy_role(struct comp_xdg_popup *popup) {
	struct comp_xdg_surface *xdg = popup->base;
	xdg_surface_unmap(xdg);
	comp_xdg_grab_remove_popup(popup);
	wl_signal_emit(&popup->events.destroy, popup);
	if (xdg->tree) {
		/* The popup's tree lives under its parent's: it goes with the role. */
		wl_list_remove(&xdg->tree_destroy.link);
		wlr_scene_node_destroy(&xdg->tree->node);
		xdg->tree = NULL;
		xdg->surface_node = NULL;
	}
	wl_list_remove(&popup->link);
	popup_detach_parent_surface(popup);
	if (popup->resource) {
		wl_resource_set_user_data(popup->resource, NULL);
	}
	free(popup);
	xdg->popup = NULL;
	xdg->role = COMP_XDG_ROLE_NONE;
	xdg->has_geometry = xdg->has_pending_geometry = false;
}

static void popup_handle_resource_destroy(struct wl_resource *resource) {
	struct comp_xdg_popup *popup = popup_from_resource(resource);
	if (popup) {
		popup->resource = NULL;
		popup_destroy_role(popup);
	}
}

static void handle_parent_surface_destroy(struct wl_listener *listener, void *data) {
	struct comp_xdg_popup *popup = wl_container_of(listener, popup, parent_surface_destroy);
	comp_xdg_popup_dismiss(popup);
	popup_detach_parent_surface(popup);
}

static void popup_set_parent_surface(struct comp_xdg_popup *popup, struct wlr_surface *surface) {
	popup->parent_surface = surface;
	popup->parent_surface_destroy.notify = handle_parent_surface_destroy;
	wl_signal_add(&surface->events.destroy, &popup->parent_surface_destroy);
}

static void create_popup(struct comp_xdg_surface *xdg, struct comp_xdg_surface *parent,
		struct comp_xdg_positioner *positioner, uint32_t id) {
	if (xdg->role != COMP_XDG_ROLE_NONE) {
		wl_resource_post_error(xdg->resource, XDG_SURFACE_ERROR_ALREADY_CONSTRUCTED,
			"the xdg_surface already has a role object");
		return;
	}
	if (!positioner->rules.has_size || !positioner->rules.has_anchor_rect) {
		post_wm_error(xdg, XDG_WM_BASE_ERROR_INVALID_POSITIONER,
			"the positioner has no size or no anchor rectangle");
		return;
	}
	if (!wlr_surface_set_role(xdg->surface, &popup_role, xdg, xdg->client->resource,
			XDG_WM_BASE_ERROR_ROLE)) {
		return;
	}
	struct comp_xdg_popup *popup = calloc(1, sizeof(*popup));
	if (!popup) {
		wl_resource_post_no_memory(xdg->resource);
		return;
	}
	popup->base = xdg;
	popup->resource = wl_resource_create(xdg->client->client, &xdg_popup_interface,
		wl_resource_get_version(xdg->resource), id);
	if (!popup->resource) {
		free(popup);
		wl_resource_post_no_memory(xdg->resource);
		return;
	}
	wl_resource_set_implementation(popup->resource, &popup_impl, popup,
		popup_handle_resource_destroy);
	wl_signal_init(&popup->events.destroy);
	wl_list_init(&popup->grab_link);
	wl_list_init(&popup->parent_surface_destroy.link);
	popup->rules = positioner->rules;
	xdg->popup = popup;
	xdg->role = COMP_XDG_ROLE_POPUP;
	if (parent) {
		popup->parent = parent;
		wl_list_insert(&parent->popups, &popup->link);
		popup_set_parent_surface(popup, parent->surface);
		popup->geometry = popup->acked_geometry = comp_xdg_positioner_place(&popup->rules);
		if (parent->tree) {
			comp_xdg_popup_scene_create(&parent->tree->node, popup);
		}
	} else {
		wl_list_init(&popup->link); // a layer surface will adopt it
	}
}

void comp_xdg_popup_set_layer_parent(struct comp_xdg_popup *popup, struct wlr_surface *parent) {
	if (popup->parent || popup->parent_surface) {
		return;
	}
	popup_set_parent_surface(popup, parent);
	popup->geometry = popup->acked_geometry = comp_xdg_positioner_place(&popup->rules);
	wl_signal_emit(&popup->base->client->shell->events.new_layer_popup, popup);
}

void comp_xdg_popup_reconstrain(struct comp_xdg_popup *popup, bool reactive_only) {
	if (!popup->resource || popup->dismissed || !popup->base->initial_commit ||
			(reactive_only && !popup->rules.reactive)) {
		return;
	}
	struct wlr_box box = popup_compute(popup);
	if (memcmp(&box, &popup->pending_geometry, sizeof(box)) != 0) {
		comp_xdg_surface_schedule_configure(popup->base);
	}
}

void comp_xdg_surface_reconstrain_popups(struct comp_xdg_surface *xdg) {
	struct comp_xdg_popup *popup;
	wl_list_for_each(popup, &xdg->popups, link) {
		comp_xdg_popup_reconstrain(popup, true);
		comp_xdg_surface_reconstrain_popups(popup->base);
	}
}

/* ---- scene ---- */

static void handle_tree_destroy(struct wl_listener *listener, void *data) {
	struct comp_xdg_surface *xdg = wl_container_of(listener, xdg, tree_destroy);
	wl_list_remove(&xdg->tree_destroy.link);
	xdg->tree = NULL;
	xdg->surface_node = NULL;
	/* The popups' trees were children of this one and are gone with it. */
	struct comp_xdg_popup *popup;
	wl_list_for_each(popup, &xdg->popups, link) {
		popup->tree = NULL;
	}
}

struct wlr_scene_tree *comp_xdg_scene_create(struct wlr_scene_node *parent,
		struct comp_xdg_surface *xdg) {
	struct wlr_scene_tree *tree = wlr_scene_tree_create(parent);
	if (!tree) {
		return NULL;
	}
	xdg->surface_node = wlr_scene_subsurface_tree_create(&tree->node, xdg->surface);
	if (!xdg->surface_node) {
		wlr_scene_node_destroy(&tree->node);
		return NULL;
	}
	if (xdg->tree) {
		wl_list_remove(&xdg->tree_destroy.link);
	}
	xdg->tree = tree;
	xdg->tree_destroy.notify = handle_tree_destroy;
	wl_signal_add(&tree->node.events.destroy, &xdg->tree_destroy);
	update_tree_positions(xdg);
	/* Popups the surface already has (a layer surface's come later). */
	struct comp_xdg_popup *popup;
	wl_list_for_each_reverse(popup, &xdg->popups, link) {
		comp_xdg_popup_scene_create(&tree->node, popup);
	}
	return tree;
}

struct wlr_scene_tree *comp_xdg_popup_scene_create(struct wlr_scene_node *parent,
		struct comp_xdg_popup *popup) {
	struct wlr_scene_tree *tree = comp_xdg_scene_create(parent, popup->base);
	if (!tree) {
		wl_resource_post_no_memory(popup->base->resource);
		return NULL;
	}
	popup->tree = tree;
	wlr_scene_node_set_enabled(&tree->node, popup->base->mapped);
	return tree;
}

/* ---- xdg_wm_base ---- */

static struct comp_xdg_client *client_from_resource(struct wl_resource *resource) {
	return wl_resource_get_user_data(resource);
}

static void wm_base_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	struct comp_xdg_client *c = client_from_resource(resource);
	if (!wl_list_empty(&c->surfaces)) {
		wl_resource_post_error(resource, XDG_WM_BASE_ERROR_DEFUNCT_SURFACES,
			"xdg_wm_base was destroyed while xdg_surfaces of it still exist");
		return;
	}
	wl_resource_destroy(resource);
}

static void wm_base_handle_create_positioner(struct wl_client *client,
		struct wl_resource *resource, uint32_t id) {
	comp_xdg_positioner_create(client, wl_resource_get_version(resource), id);
}

static void wm_base_handle_get_xdg_surface(struct wl_client *client,
		struct wl_resource *resource, uint32_t id, struct wl_resource *surface_resource) {
	struct comp_xdg_client *c = client_from_resource(resource);
	struct wlr_surface *surface = wlr_surface_from_resource(surface_resource);
	if ((surface->role && surface->role != &toplevel_role && surface->role != &popup_role) ||
			(surface->role && surface->role_data) || xdg_of_wlr_surface(surface)) {
		wl_resource_post_error(resource, XDG_WM_BASE_ERROR_ROLE,
			"the wl_surface already has a role");
		return;
	}
	if (wlr_surface_has_buffer(surface) ||
			((surface->pending.committed & WLR_SURFACE_STATE_BUFFER) &&
			 surface->pending.buffer)) {
		wl_resource_post_error(resource, XDG_WM_BASE_ERROR_INVALID_SURFACE_STATE,
			"the wl_surface has a buffer attached or committed");
		return;
	}
	struct comp_xdg_surface *xdg = calloc(1, sizeof(*xdg));
	if (!xdg) {
		wl_client_post_no_memory(client);
		return;
	}
	xdg->resource = wl_resource_create(client, &xdg_surface_interface,
		wl_resource_get_version(resource), id);
	if (!xdg->resource) {
		free(xdg);
		wl_client_post_no_memory(client);
		return;
	}
	xdg->client = c;
	xdg->surface = surface;
	wl_list_init(&xdg->popups);
	wl_list_init(&xdg->configures);
	wl_signal_init(&xdg->events.map);
	wl_signal_init(&xdg->events.unmap);
	wl_signal_init(&xdg->events.destroy);
	wl_signal_init(&xdg->events.commit);
	xdg->surface_destroy.notify = handle_surface_destroy;
	wl_signal_add(&surface->events.destroy, &xdg->surface_destroy);
	xdg->surface_commit.notify = handle_surface_commit;
	wl_signal_add(&surface->events.commit, &xdg->surface_commit);
	wl_list_insert(&c->surfaces, &xdg->link);
	wl_resource_set_implementation(xdg->resource, &xdg_surface_impl, xdg,
		xdg_surface_handle_resource_destroy);
}

/* ---- ping ---- */

/*
 * xdg_wm_base.ping goes to a client when one of its windows is activated, every
 * ping_interval_ms while it has the activated window, and after a close request. A
 * client that does not pong within ping_timeout_ms is marked unresponsive (IPC shows
 * it; events.responsive tells the rest) until it answers. A pong whose serial is not
 * the outstanding ping's (a stale or made-up one) is ignored: the protocol defines no
 * error for it, and only the right pong proves the client is alive.
 */
static void client_set_unresponsive(struct comp_xdg_client *c, bool unresponsive) {
	if (c->unresponsive == unresponsive) {
		return;
	}
	c->unresponsive = unresponsive;
	pid_t pid = 0;
	wl_client_get_credentials(c->client, &pid, NULL, NULL);
	if (unresponsive) {
		lumen_log(LUMEN_INFO, "client (pid %d) is not responding: no pong in %d ms",
			(int)pid, c->shell->ping_timeout_ms);
	} else {
		lumen_log(LUMEN_INFO, "client (pid %d) responds again", (int)pid);
	}
	wl_signal_emit(&c->shell->events.responsive, c->client);
}

static int handle_ping_timeout(void *data) {
	struct comp_xdg_client *c = data;
	if (c->ping_serial != 0) {
		client_set_unresponsive(c, true);
	}
	return 0;
}

static void client_ping(struct comp_xdg_client *c) {
	if (!c || !c->resource || c->ping_serial != 0) {
		return; // an outstanding ping keeps its deadline
	}
	if (!c->ping_timeout) {
		c->ping_timeout = wl_event_loop_add_timer(wl_display_get_event_loop(c->shell->display),
			handle_ping_timeout, c);
		if (!c->ping_timeout) {
			lumen_log(LUMEN_ERROR, "cannot create a ping timer");
			return;
		}
	}
	c->ping_serial = wl_display_next_serial(c->shell->display);
	if (c->ping_serial == 0) {
		c->ping_serial = wl_display_next_serial(c->shell->display);
	}
	xdg_wm_base_send_ping(c->resource, c->ping_serial);
	wl_event_source_timer_update(c->ping_timeout, c->shell->ping_timeout_ms);
}

static bool client_has_activated_toplevel(struct comp_xdg_client *c) {
	struct comp_xdg_surface *xdg;
	wl_list_for_each(xdg, &c->surfaces, link) {
		if (xdg->role == COMP_XDG_ROLE_TOPLEVEL && xdg->mapped && xdg->toplevel->resource &&
				xdg->toplevel->sent.activated) {
			return true;
		}
	}
	return false;
}

static int handle_ping_interval(void *data) {
	struct comp_xdg_shell *shell = data;
	struct comp_xdg_client *c;
	wl_list_for_each(c, &shell->clients, link) {
		if (client_has_activated_toplevel(c)) {
			client_ping(c);
		}
	}
	wl_event_source_timer_update(shell->ping_interval, shell->ping_interval_ms);
	return 0;
}

bool comp_xdg_toplevel_unresponsive(struct comp_xdg_toplevel *toplevel) {
	return toplevel && toplevel->base && toplevel->base->client &&
		toplevel->base->client->unresponsive;
}

static void wm_base_handle_pong(struct wl_client *client, struct wl_resource *resource,
		uint32_t serial) {
	struct comp_xdg_client *c = client_from_resource(resource);
	if (c->ping_serial == 0 || serial != c->ping_serial) {
		lumen_log(LUMEN_DEBUG, "pong %u answers no outstanding ping (%u): ignored", serial,
			c->ping_serial);
		return;
	}
	c->ping_serial = 0;
	wl_event_source_timer_update(c->ping_timeout, 0);
	client_set_unresponsive(c, false);
}

static const struct xdg_wm_base_interface wm_base_impl = {
	.destroy = wm_base_handle_destroy,
	.create_positioner = wm_base_handle_create_positioner,
	.get_xdg_surface = wm_base_handle_get_xdg_surface,
	.pong = wm_base_handle_pong,
};

static void wm_base_handle_resource_destroy(struct wl_resource *resource) {
	struct comp_xdg_client *c = client_from_resource(resource);
	/* At disconnect surfaces may remain a moment: the last one frees it. */
	c->resource = NULL;
	c->ping_serial = 0;
	if (c->ping_timeout) {
		wl_event_source_remove(c->ping_timeout);
		c->ping_timeout = NULL;
	}
	if (wl_list_empty(&c->surfaces)) {
		wl_list_remove(&c->link);
		free(c);
	}
}

static void wm_base_bind(struct wl_client *client, void *data, uint32_t version, uint32_t id) {
	struct comp_xdg_shell *shell = data;
	struct comp_xdg_client *c = calloc(1, sizeof(*c));
	if (!c) {
		wl_client_post_no_memory(client);
		return;
	}
	c->resource = wl_resource_create(client, &xdg_wm_base_interface, (int)version, id);
	if (!c->resource) {
		free(c);
		wl_client_post_no_memory(client);
		return;
	}
	c->shell = shell;
	c->client = client;
	wl_list_init(&c->surfaces);
	wl_list_insert(&shell->clients, &c->link);
	wl_resource_set_implementation(c->resource, &wm_base_impl, c,
		wm_base_handle_resource_destroy);
}

/* ---- request hooks ---- */

/*
 * Runs before each request is dispatched (libwayland calls loggers first):
 *  - a layer surface's first request wraps it (comp_xdg_layer_surface_wrap);
 *  - wl_surface.attach of a buffer to an xdg surface never configured is an error
 *    there and then, as xdg_surface's description asks.
 */
static void shell_logger(void *data, enum wl_protocol_logger_type type,
		const struct wl_protocol_logger_message *message) {
	struct comp_xdg_shell *shell = data;
	if (type != WL_PROTOCOL_LOGGER_REQUEST) {
		return;
	}
	const char *cls = wl_resource_get_class(message->resource);
	if (strcmp(cls, "zwlr_layer_surface_v1") == 0) {
		if (!comp_xdg_layer_surface_wrap(message->resource) &&
				strcmp(message->message->name, "get_popup") == 0) {
			wl_client_post_implementation_error(wl_resource_get_client(message->resource),
				"layer-shell popups are not available");
		}
		return;
	}
	if (strcmp(cls, "wl_surface") != 0 || strcmp(message->message->name, "attach") != 0 ||
			message->arguments_count < 1 || !message->arguments[0].o) {
		return;
	}
	struct wlr_surface *surface = wlr_surface_from_resource(message->resource);
	struct comp_xdg_surface *xdg = xdg_of_wlr_surface(surface);
	if (!xdg || xdg->configured || (shell->assume_initial_ack && xdg->role != COMP_XDG_ROLE_NONE)) {
		return;
	}
	wl_resource_post_error(xdg->resource, XDG_SURFACE_ERROR_UNCONFIGURED_BUFFER,
		"a buffer was attached before the first configure was acked");
}

/* ---- the shell ---- */

static void handle_display_destroy(struct wl_listener *listener, void *data) {
	struct comp_xdg_shell *shell = wl_container_of(listener, shell, display_destroy);
	wl_signal_emit(&shell->events.destroy, shell);
	wl_list_remove(&shell->display_destroy.link);
	if (shell->suspend_idle) {
		wl_event_source_remove(shell->suspend_idle);
	}
	if (shell->ping_interval) {
		wl_event_source_remove(shell->ping_interval);
	}
	wl_protocol_logger_destroy(shell->logger);
	free(shell);
}

/* A duration in milliseconds from the environment (tests shorten the ping's), else def. */
static int env_ms(const char *name, int def) {
	const char *v = getenv(name);
	if (!v) {
		return def;
	}
	char *end = NULL;
	long ms = strtol(v, &end, 10);
	if (!end || *end != '\0' || ms < 1 || ms > 3600000) {
		lumen_log(LUMEN_ERROR, "%s=%s is not 1 to 3600000 ms: ignored", name, v);
		return def;
	}
	return (int)ms;
}

struct comp_xdg_shell *comp_xdg_shell_create(struct comp_server *server) {
	struct comp_xdg_shell *shell = calloc(1, sizeof(*shell));
	if (!shell) {
		return NULL;
	}
	shell->server = server;
	shell->display = server->display;
	wl_list_init(&shell->clients);
	wl_list_init(&shell->grab.popups);
	comp_xdg_grab_init(shell);
	wl_signal_init(&shell->events.new_toplevel);
	wl_signal_init(&shell->events.new_layer_popup);
	wl_signal_init(&shell->events.grab_end);
	wl_signal_init(&shell->events.destroy);
	wl_signal_init(&shell->events.responsive);
	shell->ping_interval_ms = env_ms("LUMEN_XDG_PING_INTERVAL_MS", 10000);
	shell->ping_timeout_ms = env_ms("LUMEN_XDG_PING_TIMEOUT_MS", 5000);
	wm_base_v6_interface = xdg_wm_base_interface;
	wm_base_v6_interface.version = COMP_XDG_WM_BASE_VERSION;
	/*
	 * Some clients bind whatever version is offered and then abort on events they have
	 * no handler for (weston 10's demos on wm_capabilities): LUMEN_XDG_WM_BASE_VERSION
	 * offers less to such a session.
	 */
	int version = COMP_XDG_WM_BASE_VERSION;
	const char *cap = getenv("LUMEN_XDG_WM_BASE_VERSION");
	if (cap) {
		char *end = NULL;
		long v = strtol(cap, &end, 10);
		if (end && *end == '\0' && v >= 1 && v <= COMP_XDG_WM_BASE_VERSION) {
			version = (int)v;
		} else {
			lumen_log(LUMEN_ERROR, "LUMEN_XDG_WM_BASE_VERSION=%s is not 1 to %d: ignored",
				cap, COMP_XDG_WM_BASE_VERSION);
		}
	}
	shell->global = wl_global_create(server->display, &wm_base_v6_interface, version, shell,
		wm_base_bind);
	shell->logger = wl_display_add_protocol_logger(server->display, shell_logger, shell);
	if (!shell->global || !shell->logger) {
		if (shell->global) {
			wl_global_destroy(shell->global);
		}
		free(shell);
		return NULL;
	}
	shell->ping_interval = wl_event_loop_add_timer(wl_display_get_event_loop(server->display),
		handle_ping_interval, shell);
	if (shell->ping_interval) {
		wl_event_source_timer_update(shell->ping_interval, shell->ping_interval_ms);
	} else {
		lumen_log(LUMEN_ERROR, "cannot create the ping timer: clients are not pinged");
	}
	shell->display_destroy.notify = handle_display_destroy;
	wl_display_add_destroy_listener(server->display, &shell->display_destroy);
	return shell;
}

static void update_visibility(void *data) {
	struct comp_xdg_shell *shell = data;
	shell->suspend_idle = NULL;
	comp_xdg_shell_update_suspended(shell->server);
}

void comp_xdg_shell_update_visibility_soon(struct comp_xdg_shell *shell) {
	if (!shell || shell->suspend_idle) {
		return;
	}
	shell->suspend_idle = wl_event_loop_add_idle(wl_display_get_event_loop(shell->display),
		update_visibility, shell);
}
