#ifndef COMP_PROTOCOLS_EXT_PRIVATE_H
#define COMP_PROTOCOLS_EXT_PRIVATE_H

/* Shared between protocols-ext.c, content-type.c and tearing-control.c only. */

#include "protocols-ext.h"

/* One surface's content type and presentation hint; pending until its commit. */
struct comp_surface_hint {
	struct wl_list link; // comp_surface_hints.surfaces
	struct wlr_surface *surface;
	struct wl_resource *content_type_resource; // may be NULL
	struct wl_resource *tearing_resource; // may be NULL
	uint32_t content_type, pending_content_type;
	uint32_t presentation_hint, pending_presentation_hint;
	struct wl_listener commit, destroy;
};

struct comp_surface_hint *comp_surface_hint_find(struct comp_server *server,
	struct wlr_surface *surface);
/** Finds or makes the surface's record; NULL when out of memory. */
struct comp_surface_hint *comp_surface_hint_get(struct comp_server *server,
	struct wlr_surface *surface);

#endif
