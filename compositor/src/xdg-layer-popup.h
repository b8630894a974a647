/*
 * Layer-shell popups for xdg-wm-base.c (xdg-layer-popup.c).
 */
#ifndef COMP_XDG_LAYER_POPUP_H
#define COMP_XDG_LAYER_POPUP_H

#include <stdbool.h>
#include <wayland-server-core.h>
#include "xdg-wm-base.h"

/** Our popup of an xdg_popup resource, or NULL (none, or not ours). */
struct comp_xdg_popup *comp_xdg_popup_from_resource(struct wl_resource *resource);
/**
 * Puts our dispatcher in front of a zwlr_layer_surface_v1 resource (once), so that
 * get_popup takes our popups; false if that cannot be done.
 */
bool comp_xdg_layer_surface_wrap(struct wl_resource *resource);

#endif
