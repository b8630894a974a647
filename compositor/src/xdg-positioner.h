/*
 * xdg_positioner for xdg-wm-base.c: the object (xdg-positioner.c) and the placement
 * of a popup by its rules, unconstrained or kept in a box.
 */
#ifndef COMP_XDG_POSITIONER_H
#define COMP_XDG_POSITIONER_H

#include <stdint.h>
#include <wayland-server-core.h>
#include <wlr/util/box.h>
#include "xdg-wm-base.h"

struct comp_xdg_positioner {
	struct wl_resource *resource;
	struct comp_xdg_positioner_rules rules;
};

/** Creates the positioner object of create_positioner; NULL (no memory posted) on failure. */
struct comp_xdg_positioner *comp_xdg_positioner_create(struct wl_client *client, int version,
	uint32_t id);
/** The positioner of an xdg_positioner resource (libwayland checked its type). */
struct comp_xdg_positioner *comp_xdg_positioner_from_resource(struct wl_resource *resource);
/** The popup's box relative to the parent's window geometry, as the rules ask. */
struct wlr_box comp_xdg_positioner_place(const struct comp_xdg_positioner_rules *r);
/**
 * The same kept in c (same coordinates) by flip, then slide, then resize, each axis on
 * its own, as far as the rules' constraint_adjustment allows.
 */
struct wlr_box comp_xdg_positioner_unconstrain(const struct comp_xdg_positioner_rules *r,
	struct wlr_box c);

#endif
