/*
 * X11 clients through Xwayland, started on first use. Managed windows are views
 * like any other; override-redirect ones (menus, tooltips) are shown where they
 * ask, above the windows.
 */
#include <stdlib.h>
#include <time.h>
#include "common/log.h"
#include "server.h"

#if HAVE_XWAYLAND
#include <wlr/xwayland.h>

struct comp_xwayland_unmanaged {
	struct comp_server *server;
	struct wlr_xwayland_surface *xsurface;
	struct wlr_scene_node *node; // while mapped
	struct wl_listener map, unmap, destroy, set_geometry;
};

static void handle_unmanaged_set_geometry(struct wl_listener *listener, void *data) {
	struct comp_xwayland_unmanaged *u = wl_container_of(listener, u, set_geometry);
	if (u->node) {
		wlr_scene_node_set_position(u->node, u->xsurface->x, u->xsurface->y);
	}
}

static void handle_unmanaged_map(struct wl_listener *listener, void *data) {
	struct comp_xwayland_unmanaged *u = wl_container_of(listener, u, map);
	u->node = wlr_scene_subsurface_tree_create(&u->server->layers[COMP_LAYER_POPUPS]->node,
		u->xsurface->surface);
	if (u->node) {
		wlr_scene_node_set_position(u->node, u->xsurface->x, u->xsurface->y);
	}
	if (wlr_xwayland_or_surface_wants_focus(u->xsurface)) {
		comp_seat_focus_surface(u->server, u->xsurface->surface);
	}
}

static void handle_unmanaged_unmap(struct wl_listener *listener, void *data) {
	struct comp_xwayland_unmanaged *u = wl_container_of(listener, u, unmap);
	if (u->node) {
		wlr_scene_node_destroy(u->node);
		u->node = NULL;
	}
	if (u->server->seat->keyboard_state.focused_surface == u->xsurface->surface) {
		struct comp_view *view = u->server->focused_view;
		comp_seat_focus_surface(u->server, view ? comp_view_surface(view) : NULL);
	}
}

static void handle_unmanaged_destroy(struct wl_listener *listener, void *data) {
	struct comp_xwayland_unmanaged *u = wl_container_of(listener, u, destroy);
	wl_list_remove(&u->map.link);
	wl_list_remove(&u->unmap.link);
	wl_list_remove(&u->destroy.link);
	wl_list_remove(&u->set_geometry.link);
	free(u);
}

static void new_unmanaged(struct comp_server *server, struct wlr_xwayland_surface *xsurface) {
	struct comp_xwayland_unmanaged *u = calloc(1, sizeof(*u));
	if (!u) {
		return;
	}
	u->server = server;
	u->xsurface = xsurface;
	u->map.notify = handle_unmanaged_map;
	wl_signal_add(&xsurface->events.map, &u->map);
	u->unmap.notify = handle_unmanaged_unmap;
	wl_signal_add(&xsurface->events.unmap, &u->unmap);
	u->destroy.notify = handle_unmanaged_destroy;
	wl_signal_add(&xsurface->events.destroy, &u->destroy);
	u->set_geometry.notify = handle_unmanaged_set_geometry;
	wl_signal_add(&xsurface->events.set_geometry, &u->set_geometry);
}

static void handle_commit(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, commit);
	comp_view_commit(view);
}

static void handle_map(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, map);
	view->content = wlr_scene_subsurface_tree_create(&view->tree->node,
		view->xsurface->surface);
	if (!view->content) {
		return;
	}
	view->commit.notify = handle_commit;
	wl_signal_add(&view->xsurface->surface->events.commit, &view->commit);
	comp_view_map(view);
	/* Tell the client where we put it, so its own popups land right. */
	comp_view_move_to(view, view->x, view->y);
}

static void handle_unmap(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, unmap);
	comp_view_unmap(view);
	if (view->content) {
		wl_list_remove(&view->commit.link);
		wlr_scene_node_destroy(view->content);
		view->content = NULL;
	}
}

static void handle_destroy(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, destroy);
	if (view->content) {
		wl_list_remove(&view->commit.link);
		view->content = NULL; // destroyed with the tree
	}
	comp_view_destroy_common(view);
	wl_list_remove(&view->map.link);
	wl_list_remove(&view->unmap.link);
	wl_list_remove(&view->destroy.link);
	wl_list_remove(&view->xw_request_configure.link);
	wl_list_remove(&view->xw_request_activate.link);
	wl_list_remove(&view->request_move.link);
	wl_list_remove(&view->request_resize.link);
	wl_list_remove(&view->request_maximize.link);
	wl_list_remove(&view->request_fullscreen.link);
	wl_list_remove(&view->request_minimize.link);
	wl_list_remove(&view->set_title.link);
	wl_list_remove(&view->set_app_id.link);
	free(view);
}

static void handle_request_configure(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, xw_request_configure);
	struct wlr_xwayland_surface_configure_event *event = data;
	if (!view->mapped) {
		wlr_xwayland_surface_configure(view->xsurface, event->x, event->y, event->width,
			event->height);
		return;
	}
	/* Mapped windows keep the place we gave them; only their size is theirs to ask. */
	if (!view->maximized && !view->fullscreen && !view->tiled) {
		struct wlr_box frame = comp_view_frame_box(view);
		frame.width += event->width - view->width;
		frame.height += event->height - view->height;
		comp_view_set_frame_box(view, frame);
	} else {
		comp_view_move_to(view, view->x, view->y);
	}
}

static void handle_request_activate(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, xw_request_activate);
	comp_view_focus(view);
}

static void handle_request_move(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, request_move);
	if (view->server->seat->pointer_state.button_count > 0) {
		comp_view_begin_interactive(view, COMP_CURSOR_MOVE, 0);
	}
}

static void handle_request_resize(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, request_resize);
	struct wlr_xwayland_resize_event *event = data;
	if (view->server->seat->pointer_state.button_count > 0) {
		comp_view_begin_interactive(view, COMP_CURSOR_RESIZE, event->edges);
	}
}

static void handle_request_maximize(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, request_maximize);
	comp_view_set_maximized(view, view->xsurface->maximized_vert &&
		view->xsurface->maximized_horz);
}

static void handle_request_fullscreen(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, request_fullscreen);
	comp_view_set_fullscreen(view, view->xsurface->fullscreen);
}

static void handle_request_minimize(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, request_minimize);
	struct wlr_xwayland_minimize_event *event = data;
	comp_view_set_minimized(view, event->minimize);
}

static void handle_set_title(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, set_title);
	comp_view_title_changed(view);
}

static void handle_set_class(struct wl_listener *listener, void *data) {
	struct comp_view *view = wl_container_of(listener, view, set_app_id);
	comp_view_title_changed(view);
}

static void handle_new_surface(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, new_xwayland_surface);
	struct wlr_xwayland_surface *xsurface = data;
	if (xsurface->override_redirect) {
		new_unmanaged(server, xsurface);
		return;
	}
	struct comp_view *view = calloc(1, sizeof(*view));
	if (!view) {
		return;
	}
	view->type = COMP_VIEW_XWAYLAND;
	view->xsurface = xsurface;
	comp_view_init_common(view, server);
	view->ssd = server->config.deco_mode == COMP_DECO_MODE_SERVER;
	xsurface->data = view;

	view->map.notify = handle_map;
	wl_signal_add(&xsurface->events.map, &view->map);
	view->unmap.notify = handle_unmap;
	wl_signal_add(&xsurface->events.unmap, &view->unmap);
	view->destroy.notify = handle_destroy;
	wl_signal_add(&xsurface->events.destroy, &view->destroy);
	view->xw_request_configure.notify = handle_request_configure;
	wl_signal_add(&xsurface->events.request_configure, &view->xw_request_configure);
	view->xw_request_activate.notify = handle_request_activate;
	wl_signal_add(&xsurface->events.request_activate, &view->xw_request_activate);
	view->request_move.notify = handle_request_move;
	wl_signal_add(&xsurface->events.request_move, &view->request_move);
	view->request_resize.notify = handle_request_resize;
	wl_signal_add(&xsurface->events.request_resize, &view->request_resize);
	view->request_maximize.notify = handle_request_maximize;
	wl_signal_add(&xsurface->events.request_maximize, &view->request_maximize);
	view->request_fullscreen.notify = handle_request_fullscreen;
	wl_signal_add(&xsurface->events.request_fullscreen, &view->request_fullscreen);
	view->request_minimize.notify = handle_request_minimize;
	wl_signal_add(&xsurface->events.request_minimize, &view->request_minimize);
	view->set_title.notify = handle_set_title;
	wl_signal_add(&xsurface->events.set_title, &view->set_title);
	view->set_app_id.notify = handle_set_class;
	wl_signal_add(&xsurface->events.set_class, &view->set_app_id);
}

static void handle_ready(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, xwayland_ready);
	wlr_xwayland_set_seat(server->xwayland, server->seat);
	lumen_log(LUMEN_INFO, "Xwayland is ready on DISPLAY=%s", server->xwayland->display_name);
}

void comp_xwayland_init(struct comp_server *server) {
	/* Lazy: Xwayland starts when the first X11 client connects. */
	server->xwayland = wlr_xwayland_create(server->display, server->compositor, true);
	if (!server->xwayland) {
		lumen_log(LUMEN_INFO, "Xwayland is not available; X11 clients will not run");
		return;
	}
	server->new_xwayland_surface.notify = handle_new_surface;
	wl_signal_add(&server->xwayland->events.new_surface, &server->new_xwayland_surface);
	server->xwayland_ready.notify = handle_ready;
	wl_signal_add(&server->xwayland->events.ready, &server->xwayland_ready);
	setenv("DISPLAY", server->xwayland->display_name, 1);
	lumen_log(LUMEN_INFO, "X11 clients: DISPLAY=%s (Xwayland starts on first use)",
		server->xwayland->display_name);
}

void comp_xwayland_finish(struct comp_server *server) {
	if (!server->xwayland) {
		return;
	}
	/*
	 * wlroots 0.15.1 frees its X window manager only when the X connection hangs
	 * up, never in wlr_xwayland_destroy: end Xwayland first and let the event loop
	 * see the hang-up, so the window manager, its windows and ours are freed.
	 */
	struct wlr_xwayland_server *xserver = server->xwayland->server;
	if (server->xwayland->xwm && xserver && xserver->client) {
		/* Xwayland exits when its Wayland connection goes. */
		wl_client_destroy(xserver->client);
		struct timespec start, now;
		clock_gettime(CLOCK_MONOTONIC, &start);
		do {
			wl_event_loop_dispatch(server->loop, 50);
			clock_gettime(CLOCK_MONOTONIC, &now);
		} while (server->xwayland->xwm && (now.tv_sec - start.tv_sec) * 1000 +
			(now.tv_nsec - start.tv_nsec) / 1000000 < 2000);
		if (server->xwayland->xwm) {
			lumen_log(LUMEN_WARN, "Xwayland did not hang up; its window manager leaks");
		}
	}
	wl_list_remove(&server->new_xwayland_surface.link);
	wl_list_remove(&server->xwayland_ready.link);
	wlr_xwayland_destroy(server->xwayland);
	server->xwayland = NULL;
}

#else

void comp_xwayland_init(struct comp_server *server) {
	lumen_log(LUMEN_INFO, "built without Xwayland; X11 clients will not run");
}

void comp_xwayland_finish(struct comp_server *server) {
}

#endif
