/*
 * xdg-shell toplevels become views; popups are placed in their parent's scene tree
 * and kept inside the output their toplevel is on.
 *
 * Two implementations: ours (xdg-wm-base.c, xdg_wm_base v6), the default, and
 * wlroots' (v2) with LUMEN_XDG_SHELL=wlroots.
 */
#include <pixman.h>
#include <stdlib.h>
#include <string.h>
#include <wlr/util/edges.h>
#include "common/log.h"
#include "server.h"
#include "xdg-wm-base.h"

struct comp_wlr_popup {
	struct wlr_xdg_popup *popup;
	struct comp_server *server;
	struct wl_listener destroy;
	struct wl_listener new_popup;
};

static void handle_xdg_map(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, map);
	comp_view_map(view);
}

static void handle_xdg_unmap(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, unmap);
	comp_view_unmap(view);
}

static void handle_xdg_commit(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, commit);
	if (view->mapped) {
		comp_view_commit(view);
	}
}

static void handle_xdg_destroy(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, destroy);
	comp_view_destroy_common(view);
	wl_list_remove(&view->map.link);
	wl_list_remove(&view->unmap.link);
	wl_list_remove(&view->destroy.link);
	wl_list_remove(&view->commit.link);
	wl_list_remove(&view->request_move.link);
	wl_list_remove(&view->request_resize.link);
	wl_list_remove(&view->request_maximize.link);
	wl_list_remove(&view->request_fullscreen.link);
	wl_list_remove(&view->request_minimize.link);
	wl_list_remove(&view->set_title.link);
	wl_list_remove(&view->set_app_id.link);
	wl_list_remove(&view->set_parent.link);
	free(view);
}

static void handle_request_move(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, request_move);
	/* Only honoured while a button is down; a client cannot start a grab on its own. */
	if (view->server->seat->pointer_state.button_count > 0) {
		comp_view_begin_interactive(view, COMP_CURSOR_MOVE, 0);
	}
}

static void handle_request_resize(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, request_resize);
	struct wlr_xdg_toplevel_resize_event *event = data;
	if (view->server->seat->pointer_state.button_count > 0) {
		comp_view_begin_interactive(view, COMP_CURSOR_RESIZE, event->edges);
	}
}

static void handle_request_maximize(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, request_maximize);
	if (!view->mapped) {
		/* Applied at map; the protocol still wants a configure now. */
		if (view->xdg_surface->added) {
			wlr_xdg_surface_schedule_configure(view->xdg_surface);
		}
		return;
	}
	comp_view_set_maximized(view, view->xdg_surface->toplevel->requested.maximized);
}

static void handle_request_fullscreen(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, request_fullscreen);
	if (!view->mapped) {
		if (view->xdg_surface->added) {
			wlr_xdg_surface_schedule_configure(view->xdg_surface);
		}
		return;
	}
	comp_view_set_fullscreen(view, view->xdg_surface->toplevel->requested.fullscreen);
}

static void handle_request_minimize(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, request_minimize);
	if (view->mapped) {
		comp_view_set_minimized(view, true);
	}
}

static void handle_set_title(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, set_title);
	comp_view_title_changed(view);
}

static void handle_set_parent(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, set_parent);
	comp_view_parent_changed(view);
}

static void handle_set_app_id(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, set_app_id);
	comp_view_title_changed(view);
}

/* Finds the view a popup (possibly nested) belongs to. */
static struct comp_view *popup_root_view(struct wlr_xdg_surface *xdg_surface) {
	while (xdg_surface && xdg_surface->role == WLR_XDG_SURFACE_ROLE_POPUP) {
		if (!xdg_surface->popup->parent ||
				!wlr_surface_is_xdg_surface(xdg_surface->popup->parent)) {
			return NULL;
		}
		struct wlr_xdg_surface *parent =
			wlr_xdg_surface_from_wlr_surface(xdg_surface->popup->parent);
		xdg_surface = parent;
	}
	if (!xdg_surface || xdg_surface->role != WLR_XDG_SURFACE_ROLE_TOPLEVEL) {
		return NULL;
	}
	return xdg_surface->data ? ((struct wlr_scene_node *)xdg_surface->data)->parent->data
		: NULL;
}

static void handle_popup_destroy(struct wl_listener *listener, void *data) {
	struct comp_wlr_popup *popup = wl_container_of(listener, popup, destroy);
	wl_list_remove(&popup->destroy.link);
	free(popup);
}

static void new_popup(struct comp_server *server, struct wlr_xdg_surface *xdg_surface) {
	struct wlr_xdg_popup *wlr_popup = xdg_surface->popup;
	if (!wlr_popup->parent || !wlr_surface_is_xdg_surface(wlr_popup->parent)) {
		/* Layer-shell popups are placed by layer-shell.c when it gets the parent. */
		return;
	}
	struct wlr_xdg_surface *parent = wlr_xdg_surface_from_wlr_surface(wlr_popup->parent);
	if (!parent || !parent->data) {
		return;
	}
	struct wlr_scene_node *parent_node = parent->data;
	struct wlr_scene_node *node = wlr_scene_xdg_surface_create(parent_node, xdg_surface);
	if (!node) {
		return;
	}
	xdg_surface->data = node;

	struct comp_wlr_popup *popup = calloc(1, sizeof(*popup));
	if (!popup) {
		return;
	}
	popup->popup = wlr_popup;
	popup->server = server;
	popup->destroy.notify = handle_popup_destroy;
	wl_signal_add(&xdg_surface->events.destroy, &popup->destroy);

	/* Keep the popup inside the output of its window (slide, flip, resize as it asks). */
	struct comp_view *view = popup_root_view(xdg_surface);
	if (!view || !view->workspace || !view->workspace->output) {
		return;
	}
	struct wlr_box out;
	out = comp_layout_box(server->output_layout, view->workspace->output->wlr_output);
	int lx = 0, ly = 0;
	wlr_scene_node_coords(view->content, &lx, &ly);
	struct wlr_box box = {
		.x = out.x - lx,
		.y = out.y - ly,
		.width = out.width,
		.height = out.height,
	};
	wlr_xdg_popup_unconstrain_from_box(wlr_popup, &box);
}

static void handle_new_xdg_surface(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, new_xdg_surface);
	struct wlr_xdg_surface *xdg_surface = data;

	if (xdg_surface->role == WLR_XDG_SURFACE_ROLE_POPUP) {
		new_popup(server, xdg_surface);
		return;
	}
	if (xdg_surface->role != WLR_XDG_SURFACE_ROLE_TOPLEVEL) {
		return;
	}

	struct comp_view *view = calloc(1, sizeof(*view));
	if (!view) {
		wl_resource_post_no_memory(xdg_surface->resource);
		return;
	}
	view->type = COMP_VIEW_XDG;
	view->xdg_surface = xdg_surface;
	comp_view_init_common(view, server);
	view->content = wlr_scene_xdg_surface_create(&view->tree->node, xdg_surface);
	if (!view->content) {
		wlr_scene_node_destroy(&view->tree->node);
		free(view);
		wl_resource_post_no_memory(xdg_surface->resource);
		return;
	}
	xdg_surface->data = view->content;
	/* Without a decoration protocol, we decorate: the user must be able to move it. */
	view->ssd = server->config.deco_mode == COMP_DECO_MODE_SERVER;

	view->map.notify = handle_xdg_map;
	wl_signal_add(&xdg_surface->events.map, &view->map);
	view->unmap.notify = handle_xdg_unmap;
	wl_signal_add(&xdg_surface->events.unmap, &view->unmap);
	view->destroy.notify = handle_xdg_destroy;
	wl_signal_add(&xdg_surface->events.destroy, &view->destroy);
	view->commit.notify = handle_xdg_commit;
	wl_signal_add(&xdg_surface->surface->events.commit, &view->commit);

	struct wlr_xdg_toplevel *toplevel = xdg_surface->toplevel;
	view->request_move.notify = handle_request_move;
	wl_signal_add(&toplevel->events.request_move, &view->request_move);
	view->request_resize.notify = handle_request_resize;
	wl_signal_add(&toplevel->events.request_resize, &view->request_resize);
	view->request_maximize.notify = handle_request_maximize;
	wl_signal_add(&toplevel->events.request_maximize, &view->request_maximize);
	view->request_fullscreen.notify = handle_request_fullscreen;
	wl_signal_add(&toplevel->events.request_fullscreen, &view->request_fullscreen);
	view->request_minimize.notify = handle_request_minimize;
	wl_signal_add(&toplevel->events.request_minimize, &view->request_minimize);
	view->set_title.notify = handle_set_title;
	wl_signal_add(&toplevel->events.set_title, &view->set_title);
	view->set_app_id.notify = handle_set_app_id;
	wl_signal_add(&toplevel->events.set_app_id, &view->set_app_id);
	view->set_parent.notify = handle_set_parent;
	wl_signal_add(&toplevel->events.set_parent, &view->set_parent);

	/*
	 * wlroots 0.15 announces the surface at its first commit, so what the client
	 * asked for before it is known now: answer it in the first configure, with a
	 * size, instead of letting the client draw a window it then has to redo.
	 */
	struct comp_output *output = comp_output_focused(server);
	if (output && toplevel->requested.fullscreen) {
		struct wlr_box box = comp_layout_box(server->output_layout, output->wlr_output);
		wlr_xdg_toplevel_set_fullscreen(xdg_surface, true);
		wlr_xdg_toplevel_set_size(xdg_surface, (uint32_t)box.width, (uint32_t)box.height);
	} else if (output && toplevel->requested.maximized) {
		wlr_xdg_toplevel_set_maximized(xdg_surface, true);
		wlr_xdg_toplevel_set_size(xdg_surface, (uint32_t)output->usable_area.width,
			(uint32_t)output->usable_area.height);
	}
}

/* ---- ours: xdg_wm_base v6 (xdg-wm-base.c) ---- */

static void handle_v6_map(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, map);
	/* A new window takes the focus: open menus of others close first. */
	comp_xdg_shell_dismiss_grab(view->server->xdg_wm_base);
	comp_view_map(view);
}

static void handle_v6_unmap(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, unmap);
	comp_view_unmap(view);
}

static void handle_v6_commit(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, commit);
	if (view->mapped) {
		comp_view_commit(view);
		/* Its opaque region may cover others now, or no longer. */
		comp_xdg_shell_update_visibility_soon(view->server->xdg_wm_base);
	}
}

static void handle_v6_destroy(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, destroy);
	comp_view_destroy_common(view);
	wl_list_remove(&view->map.link);
	wl_list_remove(&view->unmap.link);
	wl_list_remove(&view->destroy.link);
	wl_list_remove(&view->commit.link);
	wl_list_remove(&view->xdg_initial_commit.link);
	wl_list_remove(&view->request_move.link);
	wl_list_remove(&view->request_resize.link);
	wl_list_remove(&view->request_maximize.link);
	wl_list_remove(&view->request_fullscreen.link);
	wl_list_remove(&view->request_minimize.link);
	wl_list_remove(&view->set_title.link);
	wl_list_remove(&view->set_app_id.link);
	wl_list_remove(&view->set_parent.link);
	view->toplevel->data = NULL;
	free(view);
}

static void handle_v6_request_move(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, request_move);
	if (view->server->seat->pointer_state.button_count > 0) {
		comp_view_begin_interactive(view, COMP_CURSOR_MOVE, 0);
	}
}

static void handle_v6_request_resize(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, request_resize);
	uint32_t *edges = data;
	if (view->server->seat->pointer_state.button_count > 0) {
		comp_view_begin_interactive(view, COMP_CURSOR_RESIZE, *edges);
	}
}

static void handle_v6_request_maximize(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, request_maximize);
	struct comp_xdg_toplevel *t = view->toplevel;
	if (!view->mapped) {
		/* Applied at map; a configure answers now if one is due. */
		if (t->base->initial_commit) {
			comp_xdg_surface_schedule_configure(t->base);
		}
		return;
	}
	comp_view_set_maximized(view, t->requested.maximized);
}

static void handle_v6_request_fullscreen(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, request_fullscreen);
	struct comp_xdg_toplevel *t = view->toplevel;
	if (!view->mapped) {
		if (t->base->initial_commit) {
			comp_xdg_surface_schedule_configure(t->base);
		}
		return;
	}
	comp_view_set_fullscreen(view, t->requested.fullscreen);
}

static void handle_v6_request_minimize(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, request_minimize);
	if (view->mapped) {
		comp_view_set_minimized(view, true);
	}
}

static void handle_v6_initial_commit(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, xdg_initial_commit);
	struct comp_server *server = view->server;
	struct comp_xdg_toplevel *t = view->toplevel;
	/*
	 * What the client asked for before its first commit is answered in the first
	 * configure, with a size, instead of letting it draw a window it has to redo.
	 */
	struct comp_output *output = comp_output_focused(server);
	t->pending.width = t->pending.height = 0;
	t->pending.maximized = t->pending.fullscreen = false;
	if (output && t->requested.fullscreen) {
		struct wlr_box box = comp_layout_box(server->output_layout, output->wlr_output);
		t->pending.fullscreen = true;
		t->pending.width = box.width;
		t->pending.height = box.height;
	} else if (output && t->requested.maximized) {
		t->pending.maximized = true;
		t->pending.width = output->usable_area.width;
		t->pending.height = output->usable_area.height;
	}
	if (output) {
		t->pending.bounds_width = output->usable_area.width;
		t->pending.bounds_height = output->usable_area.height;
	}
}

static void handle_v6_set_title(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, set_title);
	comp_view_title_changed(view);
}

static void handle_v6_set_app_id(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, set_app_id);
	comp_view_title_changed(view);
}

static void handle_v6_set_parent(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, set_parent);
	comp_view_parent_changed(view);
}

/* A popup's limit: the output its window is on, in the window geometry's coordinates. */
static bool view_popup_constraint(struct comp_xdg_toplevel *t, struct wlr_box *box) {
	struct comp_view *view = t->data;
	if (!view || !view->workspace || !view->workspace->output || !view->content) {
		return false;
	}
	struct wlr_box out = comp_layout_box(view->server->output_layout,
		view->workspace->output->wlr_output);
	int lx = 0, ly = 0;
	wlr_scene_node_coords(view->content, &lx, &ly);
	*box = (struct wlr_box){out.x - lx, out.y - ly, out.width, out.height};
	return true;
}

static void handle_new_v6_toplevel(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, new_xdg_toplevel);
	struct comp_xdg_toplevel *t = data;
	struct comp_view *view = calloc(1, sizeof(*view));
	if (!view) {
		wl_resource_post_no_memory(t->resource);
		return;
	}
	view->type = COMP_VIEW_XDG_V6;
	view->toplevel = t;
	t->data = view;
	comp_view_init_common(view, server);
	struct wlr_scene_tree *content = comp_xdg_scene_create(&view->tree->node, t->base);
	if (!content) {
		wlr_scene_node_destroy(&view->tree->node);
		t->data = NULL;
		free(view);
		wl_resource_post_no_memory(t->resource);
		return;
	}
	view->content = &content->node;
	/* Without a decoration protocol, we decorate: the user must be able to move it. */
	view->ssd = server->config.deco_mode == COMP_DECO_MODE_SERVER;

	view->map.notify = handle_v6_map;
	wl_signal_add(&t->events.map, &view->map);
	view->unmap.notify = handle_v6_unmap;
	wl_signal_add(&t->events.unmap, &view->unmap);
	view->destroy.notify = handle_v6_destroy;
	wl_signal_add(&t->events.destroy, &view->destroy);
	view->commit.notify = handle_v6_commit;
	wl_signal_add(&t->events.commit, &view->commit);
	view->xdg_initial_commit.notify = handle_v6_initial_commit;
	wl_signal_add(&t->events.initial_commit, &view->xdg_initial_commit);
	view->request_move.notify = handle_v6_request_move;
	wl_signal_add(&t->events.request_move, &view->request_move);
	view->request_resize.notify = handle_v6_request_resize;
	wl_signal_add(&t->events.request_resize, &view->request_resize);
	view->request_maximize.notify = handle_v6_request_maximize;
	wl_signal_add(&t->events.request_maximize, &view->request_maximize);
	view->request_fullscreen.notify = handle_v6_request_fullscreen;
	wl_signal_add(&t->events.request_fullscreen, &view->request_fullscreen);
	view->request_minimize.notify = handle_v6_request_minimize;
	wl_signal_add(&t->events.request_minimize, &view->request_minimize);
	view->set_title.notify = handle_v6_set_title;
	wl_signal_add(&t->events.set_title, &view->set_title);
	view->set_app_id.notify = handle_v6_set_app_id;
	wl_signal_add(&t->events.set_app_id, &view->set_app_id);
	view->set_parent.notify = handle_v6_set_parent;
	wl_signal_add(&t->events.set_parent, &view->set_parent);
}

static void handle_grab_end(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, xdg_grab_end);
	/* The menus are gone: the keyboard goes back to the focused window. */
	if (server->focused_layer) {
		comp_seat_focus_layer(server, server->focused_layer);
	} else if (server->focused_view) {
		comp_seat_focus_surface(server, comp_view_surface(server->focused_view));
	}
}

/* A client stopped or resumed answering pings: its windows' title bars say so. */
static void handle_responsive(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, xdg_responsive);
	struct wl_client *client = data;
	for (int i = 0; i < COMP_WORKSPACES; i++) {
		struct comp_view *view;
		wl_list_for_each(view, &server->workspaces[i].views, ws_link) {
			struct wlr_surface *surface = comp_view_surface(view);
			if (view->decoration && surface && wl_resource_get_client(surface->resource) == client) {
				comp_decoration_update(view->decoration);
			}
		}
	}
}

/* Whether the surface's opaque region covers all of it. */
static bool surface_opaque(struct wlr_surface *surface) {
	if (surface->current.width <= 0 || surface->current.height <= 0) {
		return false;
	}
	pixman_box32_t box = {0, 0, surface->current.width, surface->current.height};
	return pixman_region32_contains_rectangle(&surface->opaque_region, &box) ==
		PIXMAN_REGION_IN;
}

static bool box_contains(struct wlr_box outer, struct wlr_box inner) {
	return inner.x >= outer.x && inner.y >= outer.y &&
		inner.x + inner.width <= outer.x + outer.width &&
		inner.y + inner.height <= outer.y + outer.height;
}

/*
 * The suspended rule (xdg_toplevel.state.suspended, v6): a window is suspended while
 * nothing of it can be seen: it is minimized, its workspace is not shown on an
 * output, or a fullscreen or maximized window above it, whose surface is opaque all
 * over, covers its whole frame.
 */
static bool view_hidden(struct comp_view *view) {
	struct comp_workspace *ws = view->workspace;
	if (view->minimized || !ws || !ws->output || ws->output->workspace != ws) {
		return true;
	}
	struct wlr_box frame = comp_view_frame_box(view);
	struct comp_view *other;
	wl_list_for_each(other, &ws->views, ws_link) {
		if (other == view || !other->mapped || other->minimized ||
				!(other->fullscreen || other->maximized)) {
			continue;
		}
		/* Fullscreen windows sit above the others; else ws->views runs top first. */
		bool above = false;
		if (other->fullscreen && !view->fullscreen) {
			above = true;
		} else if (other->fullscreen == view->fullscreen) {
			struct comp_view *v;
			wl_list_for_each(v, &ws->views, ws_link) {
				if (v == other) {
					above = true;
					break;
				}
				if (v == view) {
					break;
				}
			}
		}
		struct wlr_surface *surface = comp_view_surface(other);
		if (above && surface && surface_opaque(surface) &&
				box_contains(comp_view_frame_box(other), frame)) {
			return true;
		}
	}
	return false;
}

void comp_xdg_shell_update_suspended(struct comp_server *server) {
	for (int i = 0; i < COMP_WORKSPACES; i++) {
		struct comp_view *view;
		wl_list_for_each(view, &server->workspaces[i].views, ws_link) {
			if (view->type != COMP_VIEW_XDG_V6 || !view->mapped) {
				continue;
			}
			struct comp_xdg_toplevel *t = view->toplevel;
			bool hidden = view_hidden(view);
			if (t->pending.suspended != hidden) {
				t->pending.suspended = hidden;
				if (t->resource && wl_resource_get_version(t->resource) >= 6) {
					comp_xdg_surface_schedule_configure(t->base);
				}
			}
		}
	}
}

void comp_xdg_shell_init(struct comp_server *server) {
	/*
	 * Ours (v6) by default; LUMEN_XDG_SHELL=wlroots gives wlroots' v2 back, for
	 * comparison and as a way out should a client misbehave with ours.
	 */
	const char *which = getenv("LUMEN_XDG_SHELL");
	bool wlroots = which && strcmp(which, "wlroots") == 0;
	server->xdg_shell = wlr_xdg_shell_create(server->display);
	if (wlroots) {
		lumen_log(LUMEN_INFO, "xdg-shell: wlroots' xdg_wm_base v2 (LUMEN_XDG_SHELL=wlroots)");
		server->new_xdg_surface.notify = handle_new_xdg_surface;
		wl_signal_add(&server->xdg_shell->events.new_surface, &server->new_xdg_surface);
		return;
	}
	/*
	 * wlroots' shell object stays for code that listens to it, but its global is
	 * withdrawn before any client can see it: clients get ours.
	 */
	wl_global_remove(server->xdg_shell->global);
	server->new_xdg_surface.notify = handle_new_xdg_surface;
	wl_signal_add(&server->xdg_shell->events.new_surface, &server->new_xdg_surface);
	server->xdg_wm_base = comp_xdg_shell_create(server);
	if (!server->xdg_wm_base) {
		lumen_log(LUMEN_ERROR, "xdg-shell: cannot create xdg_wm_base");
		return;
	}
	server->xdg_wm_base->toplevel_constraint = view_popup_constraint;
	server->new_xdg_toplevel.notify = handle_new_v6_toplevel;
	wl_signal_add(&server->xdg_wm_base->events.new_toplevel, &server->new_xdg_toplevel);
	server->xdg_grab_end.notify = handle_grab_end;
	wl_signal_add(&server->xdg_wm_base->events.grab_end, &server->xdg_grab_end);
	server->xdg_responsive.notify = handle_responsive;
	wl_signal_add(&server->xdg_wm_base->events.responsive, &server->xdg_responsive);
}
