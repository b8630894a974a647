/*
 * Windows (views) of any kind: placement, focus, stacking, maximize, fullscreen,
 * minimize, interactive move and resize. The shell-specific parts (xdg-shell,
 * Xwayland) sit behind the small switch statements here.
 */
#include <stdlib.h>
#include <string.h>
#include <wlr/types/wlr_foreign_toplevel_management_v1.h>
#include <wlr/util/edges.h>
#include "common/log.h"
#include "server.h"
#include "xdg-wm-base.h"
#if HAVE_XWAYLAND
#include <wlr/xwayland.h>
#endif

struct wlr_surface *comp_view_surface(struct comp_view *view) {
	switch (view->type) {
	case COMP_VIEW_XDG:
		return view->xdg_surface->surface;
	case COMP_VIEW_XDG_V6:
		return view->toplevel->base->surface;
	case COMP_VIEW_XWAYLAND:
#if HAVE_XWAYLAND
		return view->xsurface->surface;
#else
		break;
#endif
	}
	return NULL;
}

const char *comp_view_title(struct comp_view *view) {
	const char *title = NULL;
	switch (view->type) {
	case COMP_VIEW_XDG:
		title = view->xdg_surface->toplevel->title;
		break;
	case COMP_VIEW_XDG_V6:
		title = view->toplevel->title;
		break;
	case COMP_VIEW_XWAYLAND:
#if HAVE_XWAYLAND
		title = view->xsurface->title;
#endif
		break;
	}
	return title ? title : "";
}

const char *comp_view_app_id(struct comp_view *view) {
	const char *app_id = NULL;
	switch (view->type) {
	case COMP_VIEW_XDG:
		app_id = view->xdg_surface->toplevel->app_id;
		break;
	case COMP_VIEW_XDG_V6:
		app_id = view->toplevel->app_id;
		break;
	case COMP_VIEW_XWAYLAND:
#if HAVE_XWAYLAND
		app_id = view->xsurface->class;
#endif
		break;
	}
	return app_id ? app_id : "";
}

struct wlr_box comp_view_geometry(struct comp_view *view) {
	struct wlr_box box = {0};
	switch (view->type) {
	case COMP_VIEW_XDG:
		wlr_xdg_surface_get_geometry(view->xdg_surface, &box);
		break;
	case COMP_VIEW_XDG_V6:
		box = comp_xdg_surface_geometry(view->toplevel->base);
		break;
	case COMP_VIEW_XWAYLAND:
#if HAVE_XWAYLAND
		box.width = view->xsurface->width;
		box.height = view->xsurface->height;
#endif
		break;
	}
	return box;
}

static bool view_decorated(struct comp_view *view) {
	return view->decoration && !view->fullscreen;
}

/* Offsets of the content inside the frame. */
static void content_offset(struct comp_view *view, int *dx, int *dy) {
	if (view_decorated(view)) {
		*dx = comp_decoration_border();
		*dy = comp_decoration_border() + comp_decoration_title_height();
	} else {
		*dx = *dy = 0;
	}
}

struct wlr_box comp_view_frame_box(struct comp_view *view) {
	int dx, dy;
	content_offset(view, &dx, &dy);
	struct wlr_box box = {
		.x = view->x,
		.y = view->y,
		.width = view->width + (view_decorated(view) ? 2 * dx : 0),
		.height = view->height + (view_decorated(view) ? dy + dx : 0),
	};
	return box;
}

static void configure_content(struct comp_view *view, int width, int height) {
	switch (view->type) {
	case COMP_VIEW_XDG:
		wlr_xdg_toplevel_set_size(view->xdg_surface, (uint32_t)width, (uint32_t)height);
		break;
	case COMP_VIEW_XDG_V6:
		view->toplevel->pending.width = width;
		view->toplevel->pending.height = height;
		comp_view_xdg_configure(view);
		break;
	case COMP_VIEW_XWAYLAND:;
#if HAVE_XWAYLAND
		int dx, dy;
		content_offset(view, &dx, &dy);
		wlr_xwayland_surface_configure(view->xsurface, (int16_t)(view->x + dx),
			(int16_t)(view->y + dy), (uint16_t)width, (uint16_t)height);
#endif
		break;
	}
}

/*
 * Our xdg toplevel's next configure: state that view.c keeps in the view (tiling,
 * interactive resize, the usable area for configure_bounds) is copied in here.
 */
void comp_view_xdg_configure(struct comp_view *view) {
	if (view->type != COMP_VIEW_XDG_V6) {
		return;
	}
	struct comp_xdg_toplevel *t = view->toplevel;
	struct comp_server *server = view->server;
	t->pending.tiled = view->tiled ? WLR_EDGE_TOP | WLR_EDGE_BOTTOM | WLR_EDGE_LEFT |
		WLR_EDGE_RIGHT : 0;
	t->pending.resizing = server->cursor_mode == COMP_CURSOR_RESIZE &&
		server->grabbed_view == view;
	if (view->workspace && view->workspace->output) {
		/* The largest window that fits: the usable area less our decoration. */
		struct wlr_box area = view->workspace->output->usable_area;
		if (view->decoration) {
			area.width -= 2 * comp_decoration_border();
			area.height -= 2 * comp_decoration_border() + comp_decoration_title_height();
		}
		t->pending.bounds_width = area.width > 0 ? area.width : 0;
		t->pending.bounds_height = area.height > 0 ? area.height : 0;
	}
	if (t->base->initial_commit) {
		comp_xdg_surface_schedule_configure(t->base);
	}
}

static void update_positions(struct comp_view *view) {
	int dx, dy;
	content_offset(view, &dx, &dy);
	wlr_scene_node_set_position(&view->tree->node, view->x, view->y);
	if (view->content) {
		wlr_scene_node_set_position(view->content, dx, dy);
	}
	if (view->decoration) {
		comp_decoration_update(view->decoration);
	}
	if (view->toplevel_handle && view->workspace && view->workspace->output) {
		wlr_foreign_toplevel_handle_v1_output_enter(view->toplevel_handle,
			view->workspace->output->wlr_output);
	}
	if (view->server->focused_view == view) {
		comp_im_relay_views_moved(view->server->im_relay);
	}
	if (view->type == COMP_VIEW_XDG_V6) {
		/* Reactive popups follow their window (xdg_positioner.set_reactive). */
		comp_xdg_surface_reconstrain_popups(view->toplevel->base);
		comp_xdg_shell_update_visibility_soon(view->server->xdg_wm_base);
	}
	comp_cursor_rebase_soon(view->server);
}

void comp_view_move_to(struct comp_view *view, int x, int y) {
	view->x = x;
	view->y = y;
	update_positions(view);
#if HAVE_XWAYLAND
	if (view->type == COMP_VIEW_XWAYLAND) {
		/* X11 clients place their own popups from where they think they are. */
		configure_content(view, view->width, view->height);
	}
#endif
}

void comp_view_set_frame_box(struct comp_view *view, struct wlr_box box) {
	int dx, dy;
	content_offset(view, &dx, &dy);
	int width = box.width - (view_decorated(view) ? 2 * dx : 0);
	int height = box.height - (view_decorated(view) ? dy + dx : 0);
	if (width < 1) {
		width = 1;
	}
	if (height < 1) {
		height = 1;
	}
	view->x = box.x;
	view->y = box.y;
	configure_content(view, width, height);
	update_positions(view);
}

void comp_view_commit(struct comp_view *view) {
	/* Its surfaces (or subsurfaces) may have changed under the pointer. */
	comp_cursor_rebase_soon(view->server);
	struct wlr_box geo = comp_view_geometry(view);
	if (geo.width != view->width || geo.height != view->height) {
		view->width = geo.width;
		view->height = geo.height;
		update_positions(view);
	}
}

static struct wlr_box output_box(struct comp_output *output) {
	struct wlr_box box = {0};
	if (output) {
		box = comp_layout_box(output->server->output_layout, output->wlr_output);
	}
	return box;
}

/* Places a new window: centred in the usable area of its output, cascading. */
static void place_new(struct comp_view *view) {
	struct comp_output *output = view->workspace->output;
	if (!output) {
		return;
	}
	struct wlr_box area = output->usable_area;
	struct wlr_box frame = comp_view_frame_box(view);
	int x = area.x + (area.width - frame.width) / 2;
	int y = area.y + (area.height - frame.height) / 2;
	struct comp_view *parent = comp_view_parent(view);
	if (parent && parent->mapped) {
		/* Dialogs open centred over the window they belong to. */
		struct wlr_box pbox = comp_view_frame_box(parent);
		x = pbox.x + (pbox.width - frame.width) / 2;
		y = pbox.y + (pbox.height - frame.height) / 2;
		comp_view_move_to(view, x, y);
		return;
	}
	/* Keep the title bar reachable when the window is larger than the area. */
	if (x < area.x) {
		x = area.x;
	}
	if (y < area.y) {
		y = area.y;
	}
	/* Cascade so that a new window does not hide one of the same size exactly. */
	struct comp_view *other;
	for (int tries = 0; tries < 10; tries++) {
		bool clash = false;
		wl_list_for_each(other, &view->workspace->views, ws_link) {
			if (other != view && other->mapped && other->x == x && other->y == y) {
				clash = true;
			}
		}
		if (!clash) {
			break;
		}
		x += 32;
		y += 32;
	}
	comp_view_move_to(view, x, y);
}

static void set_activated(struct comp_view *view, bool activated) {
	switch (view->type) {
	case COMP_VIEW_XDG:
		wlr_xdg_toplevel_set_activated(view->xdg_surface, activated);
		break;
	case COMP_VIEW_XDG_V6:
		view->toplevel->pending.activated = activated;
		comp_view_xdg_configure(view);
		break;
	case COMP_VIEW_XWAYLAND:
#if HAVE_XWAYLAND
		wlr_xwayland_surface_activate(view->xsurface, activated);
#endif
		break;
	}
	if (view->toplevel_handle) {
		wlr_foreign_toplevel_handle_v1_set_activated(view->toplevel_handle, activated);
	}
	if (view->decoration) {
		comp_decoration_update(view->decoration);
	}
}

void comp_view_clear_focus(struct comp_server *server) {
	struct comp_view *prev = server->focused_view;
	server->focused_view = NULL;
	if (prev) {
		set_activated(prev, false);
	}
}

void comp_view_focus(struct comp_view *view) {
	struct comp_server *server = view->server;
	if (!view->mapped) {
		return;
	}
	if (view->minimized) {
		comp_view_set_minimized(view, false);
		return; // unminimizing focuses
	}
	if (view->workspace && view->workspace->output &&
			view->workspace->output->workspace != view->workspace) {
		comp_workspace_show(view->workspace, view->workspace->output);
	} else if (view->workspace && !view->workspace->output) {
		comp_workspace_show(view->workspace, comp_output_focused(server));
	}
	struct comp_view *prev = server->focused_view;
	wl_list_remove(&view->ws_link);
	wl_list_insert(&view->workspace->views, &view->ws_link);
	wlr_scene_node_raise_to_top(&view->tree->node);
	comp_xdg_shell_update_visibility_soon(server->xdg_wm_base); // restacked
	if (prev == view) {
		comp_seat_focus_surface(server, comp_view_surface(view));
		return;
	}
	server->focused_view = view;
	if (prev) {
		set_activated(prev, false);
	}
	set_activated(view, true);
	comp_seat_focus_surface(server, comp_view_surface(view));
	comp_ipc_event(server, "window", "focus", view);
}

/* Focuses the top visible window of the focused workspace, or nothing. */
static void focus_next_after(struct comp_server *server, struct comp_view *gone) {
	struct comp_workspace *ws = gone && gone->workspace ? gone->workspace
		: comp_workspace_focused(server);
	if (server->focused_view == gone) {
		server->focused_view = NULL;
	}
	if (ws) {
		struct comp_view *view;
		wl_list_for_each(view, &ws->views, ws_link) {
			if (view != gone && view->mapped && !view->minimized) {
				comp_view_focus(view);
				return;
			}
		}
	}
	if (!server->focused_view) {
		comp_seat_focus_surface(server, NULL);
	}
}

void comp_view_close(struct comp_view *view) {
	switch (view->type) {
	case COMP_VIEW_XDG:
		wlr_xdg_toplevel_send_close(view->xdg_surface);
		break;
	case COMP_VIEW_XDG_V6:
		comp_xdg_toplevel_send_close(view->toplevel);
		break;
	case COMP_VIEW_XWAYLAND:
#if HAVE_XWAYLAND
		wlr_xwayland_surface_close(view->xsurface);
#endif
		break;
	}
}

static void send_maximized(struct comp_view *view, bool maximized) {
	switch (view->type) {
	case COMP_VIEW_XDG:
		wlr_xdg_toplevel_set_maximized(view->xdg_surface, maximized);
		break;
	case COMP_VIEW_XDG_V6:
		view->toplevel->pending.maximized = maximized;
		comp_view_xdg_configure(view);
		break;
	case COMP_VIEW_XWAYLAND:
#if HAVE_XWAYLAND
		wlr_xwayland_surface_set_maximized(view->xsurface, maximized);
#endif
		break;
	}
	if (view->toplevel_handle) {
		wlr_foreign_toplevel_handle_v1_set_maximized(view->toplevel_handle, maximized);
	}
}

static void send_fullscreen(struct comp_view *view, bool fullscreen) {
	switch (view->type) {
	case COMP_VIEW_XDG:
		wlr_xdg_toplevel_set_fullscreen(view->xdg_surface, fullscreen);
		break;
	case COMP_VIEW_XDG_V6:
		view->toplevel->pending.fullscreen = fullscreen;
		comp_view_xdg_configure(view);
		break;
	case COMP_VIEW_XWAYLAND:
#if HAVE_XWAYLAND
		wlr_xwayland_surface_set_fullscreen(view->xsurface, fullscreen);
#endif
		break;
	}
	if (view->toplevel_handle) {
		wlr_foreign_toplevel_handle_v1_set_fullscreen(view->toplevel_handle, fullscreen);
	}
}

void comp_view_set_maximized(struct comp_view *view, bool maximized) {
	if (view->fullscreen || view->maximized == maximized || !view->workspace) {
		/* A client that asks must still get a configure, even if nothing changes. */
		if (view->type == COMP_VIEW_XDG && view->xdg_surface->added) {
			wlr_xdg_surface_schedule_configure(view->xdg_surface);
		}
		comp_view_xdg_configure(view);
		return;
	}
	if (maximized) {
		if (!view->tiled) {
			view->saved = comp_view_frame_box(view);
		}
		view->maximized = true;
		send_maximized(view, true);
		if (view->workspace->output) {
			comp_view_set_frame_box(view, view->workspace->output->usable_area);
		}
	} else {
		view->maximized = false;
		send_maximized(view, false);
		if (view->workspace->tiling) {
			comp_workspace_arrange(view->workspace);
		} else {
			comp_view_set_frame_box(view, view->saved);
		}
	}
	comp_ipc_event(view->server, "window", "maximize", view);
	comp_protocols_idle_recheck(view->server);
}

void comp_view_set_fullscreen(struct comp_view *view, bool fullscreen) {
	if (view->fullscreen == fullscreen || !view->workspace) {
		if (view->type == COMP_VIEW_XDG && view->xdg_surface->added) {
			wlr_xdg_surface_schedule_configure(view->xdg_surface);
		}
		comp_view_xdg_configure(view);
		return;
	}
	if (fullscreen) {
		if (!view->maximized && !view->tiled) {
			view->saved = comp_view_frame_box(view);
		}
		view->fullscreen = true;
		send_fullscreen(view, true);
		wlr_scene_node_reparent(&view->tree->node, &view->workspace->fullscreen_tree->node);
		if (view->decoration) {
			comp_decoration_update(view->decoration); // hides itself
		}
		comp_view_set_frame_box(view, output_box(view->workspace->output));
	} else {
		view->fullscreen = false;
		send_fullscreen(view, false);
		wlr_scene_node_reparent(&view->tree->node, &view->workspace->tree->node);
		if (view->maximized && view->workspace->output) {
			comp_view_set_frame_box(view, view->workspace->output->usable_area);
		} else if (view->workspace->tiling) {
			comp_workspace_arrange(view->workspace);
		} else {
			comp_view_set_frame_box(view, view->saved);
		}
	}
	comp_ipc_event(view->server, "window", "fullscreen", view);
	comp_protocols_idle_recheck(view->server);
}

void comp_view_set_minimized(struct comp_view *view, bool minimized) {
	if (view->minimized == minimized) {
		return;
	}
	view->minimized = minimized;
	wlr_scene_node_set_enabled(&view->tree->node, !minimized && view->mapped);
	if (view->toplevel_handle) {
		wlr_foreign_toplevel_handle_v1_set_minimized(view->toplevel_handle, minimized);
	}
#if HAVE_XWAYLAND
	if (view->type == COMP_VIEW_XWAYLAND) {
		wlr_xwayland_surface_set_minimized(view->xsurface, minimized);
	}
#endif
	if (view->workspace && view->workspace->tiling) {
		comp_workspace_arrange(view->workspace);
	}
	if (minimized) {
		if (view->server->focused_view == view) {
			set_activated(view, false);
			focus_next_after(view->server, view);
		}
	} else {
		comp_view_focus(view);
	}
	comp_ipc_event(view->server, "window", "minimize", view);
	comp_protocols_idle_recheck(view->server);
}

void comp_view_move_to_workspace(struct comp_view *view, struct comp_workspace *ws) {
	if (!ws || view->workspace == ws) {
		return;
	}
	struct comp_workspace *old = view->workspace;
	bool was_focused = view->server->focused_view == view;
	struct wlr_box old_out = output_box(old ? old->output : NULL);
	wl_list_remove(&view->ws_link);
	wl_list_insert(&ws->views, &view->ws_link);
	view->workspace = ws;
	wlr_scene_node_reparent(&view->tree->node,
		view->fullscreen ? &ws->fullscreen_tree->node : &ws->tree->node);
	/* Keep the window at the same place relative to its output. */
	if (ws->output && old && old->output && ws->output != old->output) {
		struct wlr_box new_out = output_box(ws->output);
		comp_view_move_to(view, view->x - old_out.x + new_out.x,
			view->y - old_out.y + new_out.y);
	}
	if (view->fullscreen && ws->output) {
		comp_view_set_frame_box(view, output_box(ws->output));
	} else if (view->maximized && ws->output) {
		comp_view_set_frame_box(view, ws->output->usable_area);
	}
	if (old) {
		comp_workspace_arrange(old);
	}
	comp_workspace_arrange(ws);
	if (was_focused) {
		/* The window left the screen the user looks at; focus stays where they are. */
		set_activated(view, false);
		view->server->focused_view = NULL;
		focus_next_after(view->server, NULL);
	}
	comp_ipc_event(view->server, "window", "move", view);
}

void comp_view_title_changed(struct comp_view *view) {
	if (view->toplevel_handle) {
		wlr_foreign_toplevel_handle_v1_set_title(view->toplevel_handle, comp_view_title(view));
		wlr_foreign_toplevel_handle_v1_set_app_id(view->toplevel_handle,
			comp_view_app_id(view));
	}
	if (view->decoration) {
		comp_decoration_update(view->decoration);
	}
	if (view->mapped) {
		comp_ipc_event(view->server, "window", "title", view);
	}
}

struct comp_view *comp_view_parent(struct comp_view *view) {
	struct wlr_xdg_surface *parent = NULL;
	switch (view->type) {
	case COMP_VIEW_XDG:
		parent = view->xdg_surface->toplevel->parent;
		break;
	case COMP_VIEW_XDG_V6:
		return view->toplevel->parent ? view->toplevel->parent->data : NULL;
	case COMP_VIEW_XWAYLAND:
#if HAVE_XWAYLAND
		if (view->xsurface->parent) {
			return view->xsurface->parent->data;
		}
#endif
		return NULL;
	}
	if (!parent || !parent->data) {
		return NULL;
	}
	struct wlr_scene_node *content = parent->data;
	return content->parent ? content->parent->data : NULL;
}

void comp_view_parent_changed(struct comp_view *view) {
	struct comp_view *parent = comp_view_parent(view);
	if (view->toplevel_handle) {
		wlr_foreign_toplevel_handle_v1_set_parent(view->toplevel_handle,
			parent ? parent->toplevel_handle : NULL);
	}
	if (parent && parent->workspace && view->mapped) {
		/* A dialog goes above its window, on its workspace. */
		comp_view_move_to_workspace(view, parent->workspace);
	}
}

void comp_view_begin_interactive(struct comp_view *view, enum comp_cursor_mode mode,
		uint32_t edges) {
	struct comp_server *server = view->server;
	if (view->fullscreen) {
		return;
	}
	if (view->maximized) {
		/* Dragging a maximized window restores it under the pointer, as users expect. */
		if (mode != COMP_CURSOR_MOVE) {
			return;
		}
		struct wlr_box frame = comp_view_frame_box(view);
		double fraction = frame.width > 0 ? (server->cursor->x - frame.x) / frame.width : 0.5;
		comp_view_set_maximized(view, false);
		struct wlr_box restored = view->saved;
		comp_view_move_to(view, (int)(server->cursor->x - fraction * restored.width),
			(int)server->cursor->y - 8);
	}
	server->grabbed_view = view;
	server->cursor_mode = mode;
	/* The window does not see the pointer while it is being moved or resized. */
	wlr_seat_pointer_notify_clear_focus(server->seat);
	struct wlr_box frame = comp_view_frame_box(view);
	if (mode == COMP_CURSOR_MOVE) {
		server->grab_x = server->cursor->x - view->x;
		server->grab_y = server->cursor->y - view->y;
	} else {
		double border_x = frame.x + ((edges & WLR_EDGE_RIGHT) ? frame.width : 0);
		double border_y = frame.y + ((edges & WLR_EDGE_BOTTOM) ? frame.height : 0);
		server->grab_x = server->cursor->x - border_x;
		server->grab_y = server->cursor->y - border_y;
		server->grab_box = frame;
		server->resize_edges = edges;
		if (view->type == COMP_VIEW_XDG) {
			wlr_xdg_toplevel_set_resizing(view->xdg_surface, true);
		}
		comp_view_xdg_configure(view);
	}
}

void comp_view_init_common(struct comp_view *view, struct comp_server *server) {
	view->server = server;
	view->id = server->next_view_id++;
	wl_list_init(&view->ws_link);
	struct comp_workspace *ws = comp_workspace_focused(server);
	view->workspace = ws;
	view->tree = wlr_scene_tree_create(&ws->tree->node);
	view->tree->node.data = view;
	wlr_scene_node_set_enabled(&view->tree->node, false);
}

static void handle_toplevel_request_activate(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, toplevel_request_activate);
	comp_view_focus(view);
}

static void handle_toplevel_request_close(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, toplevel_request_close);
	comp_view_close(view);
}

static void handle_toplevel_request_maximize(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, toplevel_request_maximize);
	struct wlr_foreign_toplevel_handle_v1_maximized_event *event = data;
	/* A task bar that maximizes a minimized window means: show it, maximized. */
	if (event->maximized && view->minimized) {
		comp_view_set_minimized(view, false);
	}
	comp_view_set_maximized(view, event->maximized);
}

static void handle_toplevel_request_minimize(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, toplevel_request_minimize);
	struct wlr_foreign_toplevel_handle_v1_minimized_event *event = data;
	comp_view_set_minimized(view, event->minimized);
}

static void handle_toplevel_request_fullscreen(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, toplevel_request_fullscreen);
	struct wlr_foreign_toplevel_handle_v1_fullscreen_event *event = data;
	if (event->fullscreen && view->minimized) {
		comp_view_set_minimized(view, false);
	}
	comp_view_set_fullscreen(view, event->fullscreen);
}

static void create_toplevel_handle(struct comp_view *view) {
	struct comp_server *server = view->server;
	view->toplevel_handle = wlr_foreign_toplevel_handle_v1_create(server->foreign_toplevel);
	if (!view->toplevel_handle) {
		return;
	}
	view->toplevel_request_activate.notify = handle_toplevel_request_activate;
	wl_signal_add(&view->toplevel_handle->events.request_activate,
		&view->toplevel_request_activate);
	view->toplevel_request_close.notify = handle_toplevel_request_close;
	wl_signal_add(&view->toplevel_handle->events.request_close, &view->toplevel_request_close);
	view->toplevel_request_maximize.notify = handle_toplevel_request_maximize;
	wl_signal_add(&view->toplevel_handle->events.request_maximize,
		&view->toplevel_request_maximize);
	view->toplevel_request_minimize.notify = handle_toplevel_request_minimize;
	wl_signal_add(&view->toplevel_handle->events.request_minimize,
		&view->toplevel_request_minimize);
	view->toplevel_request_fullscreen.notify = handle_toplevel_request_fullscreen;
	wl_signal_add(&view->toplevel_handle->events.request_fullscreen,
		&view->toplevel_request_fullscreen);
	wlr_foreign_toplevel_handle_v1_set_title(view->toplevel_handle, comp_view_title(view));
	wlr_foreign_toplevel_handle_v1_set_app_id(view->toplevel_handle, comp_view_app_id(view));
	struct comp_view *parent = comp_view_parent(view);
	if (parent && parent->toplevel_handle) {
		wlr_foreign_toplevel_handle_v1_set_parent(view->toplevel_handle,
			parent->toplevel_handle);
	}
}

static void destroy_toplevel_handle(struct comp_view *view) {
	if (!view->toplevel_handle) {
		return;
	}
	wl_list_remove(&view->toplevel_request_activate.link);
	wl_list_remove(&view->toplevel_request_close.link);
	wl_list_remove(&view->toplevel_request_maximize.link);
	wl_list_remove(&view->toplevel_request_minimize.link);
	wl_list_remove(&view->toplevel_request_fullscreen.link);
	wlr_foreign_toplevel_handle_v1_destroy(view->toplevel_handle);
	view->toplevel_handle = NULL;
}

void comp_view_map(struct comp_view *view) {
	struct comp_server *server = view->server;
	struct comp_workspace *ws = view->workspace;
	if (!ws->output) {
		comp_workspace_show(ws, comp_output_focused(server));
	}
	view->mapped = true;
	wl_list_insert(&ws->views, &view->ws_link);
	struct wlr_box geo = comp_view_geometry(view);
	view->width = geo.width;
	view->height = geo.height;
	comp_view_update_ssd(view);
	wlr_scene_node_set_enabled(&view->tree->node, true);
	create_toplevel_handle(view);

	bool wants_max = false, wants_fs = false;
	if (view->type == COMP_VIEW_XDG) {
		wants_max = view->xdg_surface->toplevel->requested.maximized;
		wants_fs = view->xdg_surface->toplevel->requested.fullscreen;
	} else if (view->type == COMP_VIEW_XDG_V6) {
		wants_max = view->toplevel->requested.maximized;
		wants_fs = view->toplevel->requested.fullscreen;
	}
	if (ws->tiling) {
		comp_workspace_arrange(ws);
	} else if (view->placed) {
		comp_view_move_to(view, view->x, view->y);
	} else {
		place_new(view);
	}
	view->placed = true;
	if (wants_fs) {
		comp_view_set_fullscreen(view, true);
	} else if (wants_max) {
		comp_view_set_maximized(view, true);
	}
	comp_ipc_event(server, "window", "new", view);
	comp_view_focus(view);
	comp_protocols_idle_recheck(server);
	comp_cursor_rebase_soon(server);
}

void comp_view_unmap(struct comp_view *view) {
	struct comp_server *server = view->server;
	if (!view->mapped) {
		return;
	}
	view->mapped = false;
	wlr_scene_node_set_enabled(&view->tree->node, false);
	if (server->grabbed_view == view) {
		server->grabbed_view = NULL;
		server->cursor_mode = COMP_CURSOR_PASSTHROUGH;
	}
	if (server->switch_target == view) {
		server->switch_target = NULL;
	}
	wl_list_remove(&view->ws_link);
	wl_list_init(&view->ws_link);
	comp_ipc_event(server, "window", "close", view);
	destroy_toplevel_handle(view);
	if (view->workspace && view->workspace->tiling) {
		comp_workspace_arrange(view->workspace);
	}
	if (server->focused_view == view) {
		focus_next_after(server, view);
	}
	comp_protocols_idle_recheck(server);
	comp_cursor_rebase_soon(server);
}

void comp_view_destroy_common(struct comp_view *view) {
	comp_view_unmap(view);
	if (view->server->focused_view == view) {
		view->server->focused_view = NULL;
	}
	comp_decoration_destroy(view->decoration);
	view->decoration = NULL;
	wlr_scene_node_destroy(&view->tree->node);
}

struct comp_view *comp_view_at(struct comp_server *server, double lx, double ly,
		struct wlr_surface **surface, double *sx, double *sy) {
	*surface = NULL;
	struct wlr_scene_node *node = wlr_scene_node_at(&server->scene->node, lx, ly, sx, sy);
	if (!node) {
		return NULL;
	}
	if (node->type == WLR_SCENE_NODE_SURFACE) {
		*surface = wlr_scene_surface_from_node(node)->surface;
	}
	/* Walk up to the view's tree, whose data is the view. */
	for (struct wlr_scene_node *n = node; n; n = n->parent) {
		if (n->type == WLR_SCENE_NODE_TREE && n->data) {
			struct comp_view *view = n->data;
			/* Other trees carry data too (layer surfaces): only accept view trees. */
			for (int i = 0; i < COMP_WORKSPACES; i++) {
				struct comp_workspace *ws = &server->workspaces[i];
				if (n->parent == &ws->tree->node || n->parent == &ws->fullscreen_tree->node) {
					return view;
				}
			}
		}
	}
	return NULL;
}

struct comp_view *comp_view_by_id(struct comp_server *server, uint64_t id) {
	for (int i = 0; i < COMP_WORKSPACES; i++) {
		struct comp_view *view;
		wl_list_for_each(view, &server->workspaces[i].views, ws_link) {
			if (view->id == id) {
				return view;
			}
		}
	}
	return NULL;
}

struct comp_view *comp_view_from_surface(struct comp_server *server,
		struct wlr_surface *surface) {
	for (int i = 0; i < COMP_WORKSPACES; i++) {
		struct comp_view *view;
		wl_list_for_each(view, &server->workspaces[i].views, ws_link) {
			if (comp_view_surface(view) == surface) {
				return view;
			}
		}
	}
	return NULL;
}

static size_t collect_popups(struct wlr_xdg_surface *parent, struct wlr_box *boxes, size_t n,
		size_t max) {
	struct wlr_xdg_popup *popup;
	wl_list_for_each(popup, &parent->popups, link) {
		struct wlr_xdg_surface *base = popup->base;
		if (n >= max) {
			return n;
		}
		if (!base->mapped || !base->data) {
			continue;
		}
		int lx = 0, ly = 0;
		wlr_scene_node_coords(base->data, &lx, &ly);
		struct wlr_box geo;
		wlr_xdg_surface_get_geometry(base, &geo);
		boxes[n++] = (struct wlr_box){lx, ly, geo.width, geo.height};
		n = collect_popups(base, boxes, n, max);
	}
	return n;
}

static size_t collect_v6_popups(struct comp_xdg_surface *parent, struct wlr_box *boxes,
		size_t n, size_t max) {
	struct comp_xdg_popup *popup;
	wl_list_for_each(popup, &parent->popups, link) {
		if (n >= max) {
			return n;
		}
		struct comp_xdg_surface *base = popup->base;
		if (!base->mapped || !base->tree) {
			continue;
		}
		int lx = 0, ly = 0;
		wlr_scene_node_coords(&base->tree->node, &lx, &ly);
		struct wlr_box geo = comp_xdg_surface_geometry(base);
		boxes[n++] = (struct wlr_box){lx, ly, geo.width, geo.height};
		n = collect_v6_popups(base, boxes, n, max);
	}
	return n;
}

size_t comp_view_popups(struct comp_view *view, struct wlr_box *boxes, size_t max) {
	if (view->type == COMP_VIEW_XDG_V6) {
		return collect_v6_popups(view->toplevel->base, boxes, 0, max);
	}
	if (view->type != COMP_VIEW_XDG) {
		return 0;
	}
	return collect_popups(view->xdg_surface, boxes, 0, max);
}
