/*
 * Workspaces 1..9, each shown on at most one output, each with its own stacking
 * and an optional tiling mode (a master column and a stack, like most tilers'
 * default layout).
 */
#include <stdlib.h>
#include <wlr/util/edges.h>
#include "common/log.h"
#include "server.h"

void comp_workspaces_init(struct comp_server *server) {
	for (int i = 0; i < COMP_WORKSPACES; i++) {
		struct comp_workspace *ws = &server->workspaces[i];
		ws->server = server;
		ws->num = i + 1;
		ws->tree = wlr_scene_tree_create(&server->layers[COMP_LAYER_WINDOWS]->node);
		ws->fullscreen_tree =
			wlr_scene_tree_create(&server->layers[COMP_LAYER_FULLSCREEN]->node);
		wlr_scene_node_set_enabled(&ws->tree->node, false);
		wlr_scene_node_set_enabled(&ws->fullscreen_tree->node, false);
		wl_list_init(&ws->views);
	}
}

struct comp_workspace *comp_workspace_get(struct comp_server *server, int num) {
	if (num < 1 || num > COMP_WORKSPACES) {
		return NULL;
	}
	return &server->workspaces[num - 1];
}

struct comp_workspace *comp_workspace_focused(struct comp_server *server) {
	if (server->focused_view && server->focused_view->workspace) {
		return server->focused_view->workspace;
	}
	struct comp_output *output = comp_output_focused(server);
	if (output && output->workspace) {
		return output->workspace;
	}
	return &server->workspaces[0];
}

static void set_visible(struct comp_workspace *ws, bool visible) {
	wlr_scene_node_set_enabled(&ws->tree->node, visible);
	wlr_scene_node_set_enabled(&ws->fullscreen_tree->node, visible);
}

void comp_workspace_show(struct comp_workspace *ws, struct comp_output *output) {
	struct comp_server *server = ws->server;
	if (!output) {
		return;
	}
	if (ws->output && ws->output != output && ws->output->workspace == ws) {
		/* Already on another screen: go there (pointer too) rather than steal it. */
		struct wlr_box box = comp_layout_box(server->output_layout, ws->output->wlr_output);
		wlr_cursor_warp(server->cursor, NULL, box.x + box.width / 2.0,
			box.y + box.height / 2.0);
		struct comp_view *view;
		wl_list_for_each(view, &ws->views, ws_link) {
			if (view->mapped && !view->minimized) {
				comp_view_focus(view);
				comp_ipc_event(server, "workspace", "focus", NULL);
				return;
			}
		}
		comp_view_clear_focus(server);
		comp_seat_focus_surface(server, NULL);
		comp_ipc_event(server, "workspace", "focus", NULL);
		return;
	}
	struct comp_workspace *old = output->workspace;
	if (old && old != ws) {
		set_visible(old, false);
	}
	struct comp_output *prev_output = ws->output;
	ws->output = output;
	output->workspace = ws;
	set_visible(ws, true);

	/* A workspace that moved between outputs takes its windows along. */
	if (prev_output && prev_output != output) {
		struct wlr_box from, to;
		from = comp_layout_box(server->output_layout, prev_output->wlr_output);
		to = comp_layout_box(server->output_layout, output->wlr_output);
		struct comp_view *view;
		wl_list_for_each(view, &ws->views, ws_link) {
			comp_view_move_to(view, view->x - from.x + to.x, view->y - from.y + to.y);
		}
	}
	comp_workspace_arrange(ws);

	if (old != ws) {
		if (server->focused_view && server->focused_view->workspace == old) {
			/* Focus goes with what the user now sees. */
			comp_view_clear_focus(server);
		}
		struct comp_view *view;
		bool focused_one = false;
		wl_list_for_each(view, &ws->views, ws_link) {
			if (view->mapped && !view->minimized) {
				comp_view_focus(view);
				focused_one = true;
				break;
			}
		}
		if (!focused_one && !server->focused_view) {
			comp_seat_focus_surface(server, NULL);
		}
		comp_ipc_event(server, "workspace", "focus", NULL);
	}
	comp_protocols_idle_recheck(server);
}

static void tile(struct comp_workspace *ws) {
	struct comp_output *output = ws->output;
	struct wlr_box area = output->usable_area;
	int count = 0;
	struct comp_view *view;
	wl_list_for_each(view, &ws->views, ws_link) {
		if (view->mapped && !view->minimized && !view->fullscreen && !view->maximized) {
			count++;
		}
	}
	if (count == 0) {
		return;
	}
	/*
	 * The most recently focused window is the master on the left; the others
	 * share the right column. Iterating bottom-up keeps positions stable while
	 * focus moves between the stacked ones.
	 */
	int master_w = count == 1 ? area.width : area.width / 2;
	int stack_n = count - 1;
	int i = 0;
	wl_list_for_each_reverse(view, &ws->views, ws_link) {
		if (!view->mapped || view->minimized || view->fullscreen || view->maximized) {
			continue;
		}
		struct wlr_box box;
		if (i == count - 1) {
			box = (struct wlr_box){area.x, area.y, master_w, area.height};
		} else {
			int h = area.height / stack_n;
			box = (struct wlr_box){area.x + master_w, area.y + i * h, area.width - master_w,
				i == stack_n - 1 ? area.height - i * h : h};
		}
		if (!view->tiled) {
			view->saved = comp_view_frame_box(view);
			view->tiled = true;
			if (view->type == COMP_VIEW_XDG) {
				wlr_xdg_toplevel_set_tiled(view->xdg_surface, WLR_EDGE_TOP | WLR_EDGE_BOTTOM |
					WLR_EDGE_LEFT | WLR_EDGE_RIGHT);
			}
		}
		comp_view_set_frame_box(view, box);
		i++;
	}
}

void comp_workspace_arrange(struct comp_workspace *ws) {
	if (!ws->output) {
		return;
	}
	struct wlr_box full;
	full = comp_layout_box(ws->server->output_layout, ws->output->wlr_output);
	struct comp_view *view;
	wl_list_for_each(view, &ws->views, ws_link) {
		if (!view->mapped) {
			continue;
		}
		if (view->fullscreen) {
			comp_view_set_frame_box(view, full);
		} else if (view->maximized) {
			comp_view_set_frame_box(view, ws->output->usable_area);
		}
	}
	if (ws->tiling) {
		tile(ws);
	}
}

void comp_workspace_set_tiling(struct comp_workspace *ws, bool tiling) {
	if (ws->tiling == tiling) {
		return;
	}
	ws->tiling = tiling;
	if (tiling) {
		comp_workspace_arrange(ws);
	} else {
		/* Floating again: every window goes back to where it was before tiling. */
		struct comp_view *view;
		wl_list_for_each(view, &ws->views, ws_link) {
			if (!view->tiled) {
				continue;
			}
			view->tiled = false;
			if (view->type == COMP_VIEW_XDG) {
				wlr_xdg_toplevel_set_tiled(view->xdg_surface, 0);
			}
			if (!view->fullscreen && !view->maximized) {
				comp_view_set_frame_box(view, view->saved);
			}
		}
	}
	comp_ipc_event(ws->server, "workspace", "tiling", NULL);
}

/* Puts the scene back in the order of ws->views, undoing any Alt+Tab preview. */
static void restack(struct comp_workspace *ws) {
	struct comp_view *view;
	wl_list_for_each_reverse(view, &ws->views, ws_link) {
		wlr_scene_node_set_enabled(&view->tree->node, view->mapped && !view->minimized);
		wlr_scene_node_raise_to_top(&view->tree->node);
	}
}

void comp_workspace_cycle(struct comp_server *server, int dir) {
	struct comp_workspace *ws = comp_workspace_focused(server);
	struct wl_list *start = server->switch_target ? &server->switch_target->ws_link
		: (server->focused_view && server->focused_view->workspace == ws
			? &server->focused_view->ws_link : &ws->views);
	if (wl_list_empty(&ws->views)) {
		return;
	}
	struct wl_list *pos = start;
	int limit = 2 * wl_list_length(&ws->views) + 2;
	/*
	 * Walk the stack from the current target; the list head is skipped. Minimized
	 * windows are included so Alt+Tab can bring them back, as on other desktops.
	 */
	for (int step = 0; step < limit; step++) {
		pos = dir > 0 ? pos->next : pos->prev;
		if (pos == &ws->views) {
			continue;
		}
		struct comp_view *view = wl_container_of(pos, view, ws_link);
		if (!view->mapped || view == server->switch_target ||
				(!server->switch_target && view == server->focused_view)) {
			continue;
		}
		server->switch_target = view;
		server->switching = true;
		/* Preview: raise it without changing the focus order until the key is let go. */
		restack(ws);
		wlr_scene_node_set_enabled(&view->tree->node, true);
		wlr_scene_node_raise_to_top(&view->tree->node);
		comp_ipc_event(server, "window", "switch", view);
		return;
	}
}

void comp_workspace_end_switch(struct comp_server *server) {
	struct comp_view *target = server->switch_target;
	server->switching = false;
	server->switch_target = NULL;
	if (!target || !target->workspace) {
		return;
	}
	restack(target->workspace);
	if (target->minimized) {
		comp_view_set_minimized(target, false);
	} else {
		comp_view_focus(target);
	}
}
