/*
 * wlr-layer-shell: panels, docks, backgrounds, lock screens and notifications.
 * Surfaces are arranged per output, exclusive ones first, so that each one's
 * exclusive zone shrinks the area left to the next and to windows.
 */
#include <stdlib.h>
#include <wlr/types/wlr_xdg_shell.h>
#include "common/log.h"
#include "server.h"
#include "xdg-wm-base.h"

static enum comp_layer scene_layer(enum zwlr_layer_shell_v1_layer layer) {
	switch (layer) {
	case ZWLR_LAYER_SHELL_V1_LAYER_BACKGROUND:
		return COMP_LAYER_BACKGROUND;
	case ZWLR_LAYER_SHELL_V1_LAYER_BOTTOM:
		return COMP_LAYER_BOTTOM;
	case ZWLR_LAYER_SHELL_V1_LAYER_TOP:
		return COMP_LAYER_TOP;
	case ZWLR_LAYER_SHELL_V1_LAYER_OVERLAY:
		return COMP_LAYER_OVERLAY;
	}
	return COMP_LAYER_TOP;
}

static void apply_exclusive(struct wlr_box *usable, uint32_t anchor, int32_t exclusive,
		const struct wlr_layer_surface_v1_state *state) {
	if (exclusive <= 0) {
		return;
	}
	const uint32_t top = ZWLR_LAYER_SURFACE_V1_ANCHOR_TOP;
	const uint32_t bottom = ZWLR_LAYER_SURFACE_V1_ANCHOR_BOTTOM;
	const uint32_t left = ZWLR_LAYER_SURFACE_V1_ANCHOR_LEFT;
	const uint32_t right = ZWLR_LAYER_SURFACE_V1_ANCHOR_RIGHT;
	/* The zone applies to the one edge the surface is attached to, as the protocol says. */
	if (anchor == top || anchor == (top | left | right)) {
		int32_t zone = exclusive + (int32_t)state->margin.top;
		usable->y += zone;
		usable->height -= zone;
	} else if (anchor == bottom || anchor == (bottom | left | right)) {
		usable->height -= exclusive + (int32_t)state->margin.bottom;
	} else if (anchor == left || anchor == (left | top | bottom)) {
		int32_t zone = exclusive + (int32_t)state->margin.left;
		usable->x += zone;
		usable->width -= zone;
	} else if (anchor == right || anchor == (right | top | bottom)) {
		usable->width -= exclusive + (int32_t)state->margin.right;
	}
	if (usable->width < 0) {
		usable->width = 0;
	}
	if (usable->height < 0) {
		usable->height = 0;
	}
}

static void arrange_surface(struct comp_layer_surface *layer, const struct wlr_box *full,
		struct wlr_box *usable) {
	struct wlr_layer_surface_v1 *ls = layer->layer_surface;
	const struct wlr_layer_surface_v1_state *state = &ls->current;
	struct wlr_box bounds = state->exclusive_zone == -1 ? *full : *usable;
	uint32_t anchor = state->anchor;
	const uint32_t both_h = ZWLR_LAYER_SURFACE_V1_ANCHOR_LEFT | ZWLR_LAYER_SURFACE_V1_ANCHOR_RIGHT;
	const uint32_t both_v = ZWLR_LAYER_SURFACE_V1_ANCHOR_TOP | ZWLR_LAYER_SURFACE_V1_ANCHOR_BOTTOM;

	int width = (int)state->desired_width, height = (int)state->desired_height;
	int x, y;
	if (width == 0 || (anchor & both_h) == both_h) {
		if (width == 0) {
			width = bounds.width - (int)(state->margin.left + state->margin.right);
		}
		x = bounds.x + (int)state->margin.left +
			(bounds.width - (int)(state->margin.left + state->margin.right) - width) / 2;
	} else if (anchor & ZWLR_LAYER_SURFACE_V1_ANCHOR_LEFT) {
		x = bounds.x + (int)state->margin.left;
	} else if (anchor & ZWLR_LAYER_SURFACE_V1_ANCHOR_RIGHT) {
		x = bounds.x + bounds.width - width - (int)state->margin.right;
	} else {
		x = bounds.x + (bounds.width - width) / 2;
	}
	if (height == 0 || (anchor & both_v) == both_v) {
		if (height == 0) {
			height = bounds.height - (int)(state->margin.top + state->margin.bottom);
		}
		y = bounds.y + (int)state->margin.top +
			(bounds.height - (int)(state->margin.top + state->margin.bottom) - height) / 2;
	} else if (anchor & ZWLR_LAYER_SURFACE_V1_ANCHOR_TOP) {
		y = bounds.y + (int)state->margin.top;
	} else if (anchor & ZWLR_LAYER_SURFACE_V1_ANCHOR_BOTTOM) {
		y = bounds.y + bounds.height - height - (int)state->margin.bottom;
	} else {
		y = bounds.y + (bounds.height - height) / 2;
	}
	if (width <= 0 || height <= 0) {
		/* A size of zero without both anchors is the client's bug; the protocol checks it. */
		lumen_log(LUMEN_WARN, "layer surface '%s' has no room (%dx%d)", ls->namespace,
			width, height);
		width = width <= 0 ? 1 : width;
		height = height <= 0 ? 1 : height;
	}
	wlr_scene_node_set_position(layer->node, x, y);
	wlr_layer_surface_v1_configure(ls, (uint32_t)width, (uint32_t)height);
	apply_exclusive(usable, anchor, state->exclusive_zone, state);
}

void comp_output_arrange_layers(struct comp_output *output) {
	struct comp_server *server = output->server;
	struct wlr_box full;
	full = comp_layout_box(server->output_layout, output->wlr_output);
	if (wlr_box_empty(&full)) {
		return;
	}
	struct wlr_box usable = full;
	static const enum zwlr_layer_shell_v1_layer order[] = {
		ZWLR_LAYER_SHELL_V1_LAYER_OVERLAY,
		ZWLR_LAYER_SHELL_V1_LAYER_TOP,
		ZWLR_LAYER_SHELL_V1_LAYER_BOTTOM,
		ZWLR_LAYER_SHELL_V1_LAYER_BACKGROUND,
	};
	/* Surfaces that reserve space go first, so the rest are placed inside what is left. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
			struct comp_layer_surface *layer;
			wl_list_for_each(layer, &output->layer_surfaces, link) {
				struct wlr_layer_surface_v1 *ls = layer->layer_surface;
				if (!ls->added || ls->current.layer != order[i]) {
					continue;
				}
				bool exclusive = ls->current.exclusive_zone > 0;
				if (exclusive != (pass == 0)) {
					continue;
				}
				arrange_surface(layer, &full, &usable);
			}
		}
	}
	bool changed = usable.x != output->usable_area.x || usable.y != output->usable_area.y ||
		usable.width != output->usable_area.width ||
		usable.height != output->usable_area.height;
	output->usable_area = usable;
	if (changed && output->workspace) {
		comp_workspace_arrange(output->workspace);
	}

	/* The topmost surface that asks for exclusive keyboard focus gets it. */
	struct comp_layer_surface *exclusive = NULL, *layer;
	wl_list_for_each(layer, &output->layer_surfaces, link) {
		struct wlr_layer_surface_v1 *ls = layer->layer_surface;
		if (layer->mapped && ls->current.keyboard_interactive ==
				ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_EXCLUSIVE &&
				ls->current.layer >= ZWLR_LAYER_SHELL_V1_LAYER_TOP) {
			if (!exclusive || ls->current.layer > exclusive->layer_surface->current.layer) {
				exclusive = layer;
			}
		}
	}
	if (exclusive) {
		comp_seat_focus_layer(server, exclusive);
	} else if (server->focused_layer && server->focused_layer->output == output &&
			server->focused_layer->layer_surface->current.keyboard_interactive ==
				ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_EXCLUSIVE) {
		comp_seat_focus_layer(server, NULL);
	}
}

static void handle_commit(struct wl_listener *listener, void *data) {
	struct comp_layer_surface *layer = wl_container_of(listener, layer, commit);
	struct wlr_layer_surface_v1 *ls = layer->layer_surface;
	if (!layer->output) {
		return;
	}
	enum comp_layer target = scene_layer(ls->current.layer);
	if (layer->node->parent != &layer->server->layers[target]->node) {
		wlr_scene_node_reparent(layer->node, &layer->server->layers[target]->node);
	}
	/*
	 * Re-arrange when the client changed what it asked for (and on the first commit,
	 * which must be answered by a configure before it may attach a buffer).
	 */
	if (ls->current.committed != 0 || !ls->configured) {
		comp_output_arrange_layers(layer->output);
	}
	/* A surface that stops wanting the keyboard gives it back. */
	if (layer->server->focused_layer == layer && ls->current.keyboard_interactive ==
			ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_NONE) {
		comp_seat_focus_layer(layer->server, NULL);
	}
}

static void handle_map(struct wl_listener *listener, void *data) {
	struct comp_layer_surface *layer = wl_container_of(listener, layer, map);
	layer->mapped = true;
	wlr_scene_node_set_enabled(layer->node, true);
	if (layer->output) {
		comp_output_arrange_layers(layer->output);
	}
	struct wlr_layer_surface_v1 *ls = layer->layer_surface;
	if (ls->current.keyboard_interactive != ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_NONE &&
			ls->current.layer >= ZWLR_LAYER_SHELL_V1_LAYER_TOP && !layer->server->focused_layer) {
		comp_seat_focus_layer(layer->server, layer);
	}
}

static void handle_unmap(struct wl_listener *listener, void *data) {
	struct comp_layer_surface *layer = wl_container_of(listener, layer, unmap);
	layer->mapped = false;
	wlr_scene_node_set_enabled(layer->node, false);
	if (layer->server->focused_layer == layer) {
		comp_seat_focus_layer(layer->server, NULL);
	}
	if (layer->output) {
		comp_output_arrange_layers(layer->output);
	}
}

static void handle_destroy(struct wl_listener *listener, void *data) {
	struct comp_layer_surface *layer = wl_container_of(listener, layer, destroy);
	wl_list_remove(&layer->map.link);
	wl_list_remove(&layer->unmap.link);
	wl_list_remove(&layer->destroy.link);
	wl_list_remove(&layer->commit.link);
	wl_list_remove(&layer->new_popup.link);
	wl_list_remove(&layer->link);
	if (layer->server->focused_layer == layer) {
		comp_seat_focus_layer(layer->server, NULL);
	}
	wlr_scene_node_destroy(layer->node);
	struct comp_output *output = layer->output;
	free(layer);
	if (output) {
		comp_output_arrange_layers(output);
	}
}

static void handle_new_popup(struct wl_listener *listener, void *data) {
	struct comp_layer_surface *layer = wl_container_of(listener, layer, new_popup);
	struct wlr_xdg_popup *popup = data;
	struct wlr_scene_node *node = wlr_scene_xdg_surface_create(layer->node, popup->base);
	if (!node) {
		return;
	}
	popup->base->data = node;
	/* Keep the popup on the output: slide and flip within the output, in surface coordinates. */
	struct wlr_box full;
	full = comp_layout_box(layer->server->output_layout, layer->output->wlr_output);
	int lx = 0, ly = 0;
	wlr_scene_node_coords(layer->node, &lx, &ly);
	struct wlr_box box = {.x = full.x - lx, .y = full.y - ly,
		.width = full.width, .height = full.height};
	wlr_xdg_popup_unconstrain_from_box(popup, &box);
}

/*
 * Popups of layer surfaces with our xdg-shell (xdg-wm-base.c adopts them through
 * zwlr_layer_surface_v1.get_popup): drawn above the layer surface, kept on its
 * output, closed when it unmaps.
 */
struct comp_layer_popup {
	struct comp_xdg_popup *popup;
	struct comp_layer_surface *layer;
	struct wl_listener popup_destroy, layer_unmap, layer_destroy;
};

static bool layer_popup_constraint(struct comp_xdg_popup *popup, struct wlr_box *box) {
	struct comp_layer_popup *lp = popup->constraint_data;
	if (!lp || !lp->layer || !lp->layer->output) {
		return false;
	}
	struct comp_layer_surface *layer = lp->layer;
	struct wlr_box full = comp_layout_box(layer->server->output_layout,
		layer->output->wlr_output);
	int lx = 0, ly = 0;
	wlr_scene_node_coords(layer->node, &lx, &ly);
	*box = (struct wlr_box){full.x - lx, full.y - ly, full.width, full.height};
	return true;
}

static void layer_popup_forget_layer(struct comp_layer_popup *lp) {
	if (lp->layer) {
		wl_list_remove(&lp->layer_unmap.link);
		wl_list_remove(&lp->layer_destroy.link);
		lp->layer = NULL;
	}
}

static void handle_layer_popup_destroy(struct wl_listener *listener, void *data) {
	struct comp_layer_popup *lp = wl_container_of(listener, lp, popup_destroy);
	layer_popup_forget_layer(lp);
	wl_list_remove(&lp->popup_destroy.link);
	lp->popup->constraint_data = NULL;
	lp->popup->constraint_box = NULL;
	free(lp);
}

static void handle_layer_popup_layer_unmap(struct wl_listener *listener, void *data) {
	struct comp_layer_popup *lp = wl_container_of(listener, lp, layer_unmap);
	comp_xdg_popup_dismiss(lp->popup);
}

static void handle_layer_popup_layer_destroy(struct wl_listener *listener, void *data) {
	struct comp_layer_popup *lp = wl_container_of(listener, lp, layer_destroy);
	comp_xdg_popup_dismiss(lp->popup);
	layer_popup_forget_layer(lp);
}

static void handle_new_layer_popup(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, new_layer_popup);
	struct comp_xdg_popup *popup = data;
	if (!wlr_surface_is_layer_surface(popup->parent_surface)) {
		return;
	}
	struct wlr_layer_surface_v1 *ls = wlr_layer_surface_v1_from_wlr_surface(popup->parent_surface);
	struct comp_layer_surface *layer = ls ? ls->data : NULL;
	if (!layer || !layer->node) {
		comp_xdg_popup_dismiss(popup);
		return;
	}
	struct comp_layer_popup *lp = calloc(1, sizeof(*lp));
	if (!lp) {
		wl_resource_post_no_memory(popup->resource);
		return;
	}
	lp->popup = popup;
	lp->layer = layer;
	popup->constraint_box = layer_popup_constraint;
	popup->constraint_data = lp;
	lp->popup_destroy.notify = handle_layer_popup_destroy;
	wl_signal_add(&popup->events.destroy, &lp->popup_destroy);
	lp->layer_unmap.notify = handle_layer_popup_layer_unmap;
	wl_signal_add(&ls->events.unmap, &lp->layer_unmap);
	lp->layer_destroy.notify = handle_layer_popup_layer_destroy;
	wl_signal_add(&ls->events.destroy, &lp->layer_destroy);
	comp_xdg_popup_scene_create(layer->node, popup);
}

static void handle_new_layer_surface(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, new_layer_surface);
	struct wlr_layer_surface_v1 *ls = data;

	if (!ls->output) {
		struct comp_output *focused = comp_output_focused(server);
		if (!focused) {
			/* No output to show it on: the protocol's answer is to close it. */
			wlr_layer_surface_v1_destroy(ls);
			return;
		}
		ls->output = focused->wlr_output;
	}
	struct comp_output *output = ls->output->data;
	struct comp_layer_surface *layer = calloc(1, sizeof(*layer));
	if (!layer || !output) {
		free(layer);
		wlr_layer_surface_v1_destroy(ls);
		return;
	}
	layer->server = server;
	layer->layer_surface = ls;
	layer->output = output;
	ls->data = layer;
	layer->node = wlr_scene_subsurface_tree_create(
		&server->layers[scene_layer(ls->pending.layer)]->node, ls->surface);
	if (!layer->node) {
		free(layer);
		wlr_layer_surface_v1_destroy(ls);
		return;
	}
	layer->node->data = layer;
	wlr_scene_node_set_enabled(layer->node, false);
	wl_list_insert(&output->layer_surfaces, &layer->link);

	layer->map.notify = handle_map;
	wl_signal_add(&ls->events.map, &layer->map);
	layer->unmap.notify = handle_unmap;
	wl_signal_add(&ls->events.unmap, &layer->unmap);
	layer->destroy.notify = handle_destroy;
	wl_signal_add(&ls->events.destroy, &layer->destroy);
	layer->commit.notify = handle_commit;
	wl_signal_add(&ls->surface->events.commit, &layer->commit);
	layer->new_popup.notify = handle_new_popup;
	wl_signal_add(&ls->events.new_popup, &layer->new_popup);
}

void comp_layer_shell_init(struct comp_server *server) {
	server->layer_shell = wlr_layer_shell_v1_create(server->display);
	server->new_layer_surface.notify = handle_new_layer_surface;
	wl_signal_add(&server->layer_shell->events.new_surface, &server->new_layer_surface);
	if (server->xdg_wm_base) {
		server->new_layer_popup.notify = handle_new_layer_popup;
		wl_signal_add(&server->xdg_wm_base->events.new_layer_popup, &server->new_layer_popup);
	}
}
