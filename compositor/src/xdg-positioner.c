/*
 * xdg_positioner (xdg-wm-base.c's popups use it): the requests that fill its rules,
 * with the protocol errors they demand, and the geometry: where a popup goes by its
 * anchor, gravity and offset, and how flip, slide and resize keep it in a box.
 */
#include <stdlib.h>
#include <wayland-server-core.h>
#include "xdg-positioner.h"
#include "xdg-shell-protocol.h"

struct comp_xdg_positioner *comp_xdg_positioner_from_resource(struct wl_resource *resource) {
	return wl_resource_get_user_data(resource);
}

static void positioner_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void positioner_set_size(struct wl_client *client, struct wl_resource *resource,
		int32_t width, int32_t height) {
	struct comp_xdg_positioner *p = comp_xdg_positioner_from_resource(resource);
	if (width <= 0 || height <= 0) {
		wl_resource_post_error(resource, XDG_POSITIONER_ERROR_INVALID_INPUT,
			"width and height must be positive");
		return;
	}
	p->rules.width = width;
	p->rules.height = height;
	p->rules.has_size = true;
}

static void positioner_set_anchor_rect(struct wl_client *client, struct wl_resource *resource,
		int32_t x, int32_t y, int32_t width, int32_t height) {
	struct comp_xdg_positioner *p = comp_xdg_positioner_from_resource(resource);
	if (width < 0 || height < 0) {
		wl_resource_post_error(resource, XDG_POSITIONER_ERROR_INVALID_INPUT,
			"the anchor rectangle's size must not be negative");
		return;
	}
	p->rules.anchor_rect = (struct wlr_box){x, y, width, height};
	p->rules.has_anchor_rect = true;
}

static void positioner_set_anchor(struct wl_client *client, struct wl_resource *resource,
		uint32_t anchor) {
	struct comp_xdg_positioner *p = comp_xdg_positioner_from_resource(resource);
	if (anchor > XDG_POSITIONER_ANCHOR_BOTTOM_RIGHT) {
		wl_resource_post_error(resource, XDG_POSITIONER_ERROR_INVALID_INPUT,
			"invalid anchor %u", anchor);
		return;
	}
	p->rules.anchor = anchor;
}

static void positioner_set_gravity(struct wl_client *client, struct wl_resource *resource,
		uint32_t gravity) {
	struct comp_xdg_positioner *p = comp_xdg_positioner_from_resource(resource);
	if (gravity > XDG_POSITIONER_GRAVITY_BOTTOM_RIGHT) {
		wl_resource_post_error(resource, XDG_POSITIONER_ERROR_INVALID_INPUT,
			"invalid gravity %u", gravity);
		return;
	}
	p->rules.gravity = gravity;
}

static void positioner_set_constraint_adjustment(struct wl_client *client,
		struct wl_resource *resource, uint32_t adjustment) {
	struct comp_xdg_positioner *p = comp_xdg_positioner_from_resource(resource);
	p->rules.constraint_adjustment = adjustment;
}

static void positioner_set_offset(struct wl_client *client, struct wl_resource *resource,
		int32_t x, int32_t y) {
	struct comp_xdg_positioner *p = comp_xdg_positioner_from_resource(resource);
	p->rules.offset_x = x;
	p->rules.offset_y = y;
}

static void positioner_set_reactive(struct wl_client *client, struct wl_resource *resource) {
	comp_xdg_positioner_from_resource(resource)->rules.reactive = true;
}

static void positioner_set_parent_size(struct wl_client *client, struct wl_resource *resource,
		int32_t width, int32_t height) {
	struct comp_xdg_positioner *p = comp_xdg_positioner_from_resource(resource);
	p->rules.parent_width = width;
	p->rules.parent_height = height;
}

static void positioner_set_parent_configure(struct wl_client *client,
		struct wl_resource *resource, uint32_t serial) {
	struct comp_xdg_positioner *p = comp_xdg_positioner_from_resource(resource);
	p->rules.has_parent_configure = true;
	p->rules.parent_configure = serial;
}

static const struct xdg_positioner_interface positioner_impl = {
	.destroy = positioner_destroy,
	.set_size = positioner_set_size,
	.set_anchor_rect = positioner_set_anchor_rect,
	.set_anchor = positioner_set_anchor,
	.set_gravity = positioner_set_gravity,
	.set_constraint_adjustment = positioner_set_constraint_adjustment,
	.set_offset = positioner_set_offset,
	.set_reactive = positioner_set_reactive,
	.set_parent_size = positioner_set_parent_size,
	.set_parent_configure = positioner_set_parent_configure,
};

static void positioner_handle_resource_destroy(struct wl_resource *resource) {
	free(comp_xdg_positioner_from_resource(resource));
}

struct comp_xdg_positioner *comp_xdg_positioner_create(struct wl_client *client, int version,
		uint32_t id) {
	struct comp_xdg_positioner *p = calloc(1, sizeof(*p));
	if (!p) {
		wl_client_post_no_memory(client);
		return NULL;
	}
	p->resource = wl_resource_create(client, &xdg_positioner_interface, version, id);
	if (!p->resource) {
		free(p);
		wl_client_post_no_memory(client);
		return NULL;
	}
	wl_resource_set_implementation(p->resource, &positioner_impl, p,
		positioner_handle_resource_destroy);
	return p;
}

static bool anchor_has(uint32_t anchor, uint32_t a, uint32_t b, uint32_t c) {
	return anchor == a || anchor == b || anchor == c;
}

/* The popup's box relative to the parent's window geometry, as the rules ask. */
struct wlr_box comp_xdg_positioner_place(const struct comp_xdg_positioner_rules *r) {
	const struct wlr_box *rect = &r->anchor_rect;
	int ax = rect->x + rect->width / 2, ay = rect->y + rect->height / 2;
	if (anchor_has(r->anchor, XDG_POSITIONER_ANCHOR_LEFT, XDG_POSITIONER_ANCHOR_TOP_LEFT,
			XDG_POSITIONER_ANCHOR_BOTTOM_LEFT)) {
		ax = rect->x;
	} else if (anchor_has(r->anchor, XDG_POSITIONER_ANCHOR_RIGHT,
			XDG_POSITIONER_ANCHOR_TOP_RIGHT, XDG_POSITIONER_ANCHOR_BOTTOM_RIGHT)) {
		ax = rect->x + rect->width;
	}
	if (anchor_has(r->anchor, XDG_POSITIONER_ANCHOR_TOP, XDG_POSITIONER_ANCHOR_TOP_LEFT,
			XDG_POSITIONER_ANCHOR_TOP_RIGHT)) {
		ay = rect->y;
	} else if (anchor_has(r->anchor, XDG_POSITIONER_ANCHOR_BOTTOM,
			XDG_POSITIONER_ANCHOR_BOTTOM_LEFT, XDG_POSITIONER_ANCHOR_BOTTOM_RIGHT)) {
		ay = rect->y + rect->height;
	}
	ax += r->offset_x;
	ay += r->offset_y;
	struct wlr_box box = {.width = r->width, .height = r->height};
	/* The gravity is the direction the popup extends from the anchor point. */
	if (anchor_has(r->gravity, XDG_POSITIONER_GRAVITY_LEFT, XDG_POSITIONER_GRAVITY_TOP_LEFT,
			XDG_POSITIONER_GRAVITY_BOTTOM_LEFT)) {
		box.x = ax - box.width;
	} else if (anchor_has(r->gravity, XDG_POSITIONER_GRAVITY_RIGHT,
			XDG_POSITIONER_GRAVITY_TOP_RIGHT, XDG_POSITIONER_GRAVITY_BOTTOM_RIGHT)) {
		box.x = ax;
	} else {
		box.x = ax - box.width / 2;
	}
	if (anchor_has(r->gravity, XDG_POSITIONER_GRAVITY_TOP, XDG_POSITIONER_GRAVITY_TOP_LEFT,
			XDG_POSITIONER_GRAVITY_TOP_RIGHT)) {
		box.y = ay - box.height;
	} else if (anchor_has(r->gravity, XDG_POSITIONER_GRAVITY_BOTTOM,
			XDG_POSITIONER_GRAVITY_BOTTOM_LEFT, XDG_POSITIONER_GRAVITY_BOTTOM_RIGHT)) {
		box.y = ay;
	} else {
		box.y = ay - box.height / 2;
	}
	return box;
}

/* Left/right (x) or top/bottom (y) of an anchor or gravity swapped; the values agree. */
static uint32_t invert_x(uint32_t v) {
	switch (v) {
	case XDG_POSITIONER_ANCHOR_LEFT: return XDG_POSITIONER_ANCHOR_RIGHT;
	case XDG_POSITIONER_ANCHOR_RIGHT: return XDG_POSITIONER_ANCHOR_LEFT;
	case XDG_POSITIONER_ANCHOR_TOP_LEFT: return XDG_POSITIONER_ANCHOR_TOP_RIGHT;
	case XDG_POSITIONER_ANCHOR_TOP_RIGHT: return XDG_POSITIONER_ANCHOR_TOP_LEFT;
	case XDG_POSITIONER_ANCHOR_BOTTOM_LEFT: return XDG_POSITIONER_ANCHOR_BOTTOM_RIGHT;
	case XDG_POSITIONER_ANCHOR_BOTTOM_RIGHT: return XDG_POSITIONER_ANCHOR_BOTTOM_LEFT;
	default: return v;
	}
}

static uint32_t invert_y(uint32_t v) {
	switch (v) {
	case XDG_POSITIONER_ANCHOR_TOP: return XDG_POSITIONER_ANCHOR_BOTTOM;
	case XDG_POSITIONER_ANCHOR_BOTTOM: return XDG_POSITIONER_ANCHOR_TOP;
	case XDG_POSITIONER_ANCHOR_TOP_LEFT: return XDG_POSITIONER_ANCHOR_BOTTOM_LEFT;
	case XDG_POSITIONER_ANCHOR_BOTTOM_LEFT: return XDG_POSITIONER_ANCHOR_TOP_LEFT;
	case XDG_POSITIONER_ANCHOR_TOP_RIGHT: return XDG_POSITIONER_ANCHOR_BOTTOM_RIGHT;
	case XDG_POSITIONER_ANCHOR_BOTTOM_RIGHT: return XDG_POSITIONER_ANCHOR_TOP_RIGHT;
	default: return v;
	}
}

static bool out_x(struct wlr_box b, struct wlr_box c) {
	return b.x < c.x || b.x + b.width > c.x + c.width;
}

static bool out_y(struct wlr_box b, struct wlr_box c) {
	return b.y < c.y || b.y + b.height > c.y + c.height;
}

/*
 * Flip, then slide, then resize, each axis on its own, as far as the client allows
 * (xdg_positioner.constraint_adjustment). c and the result are in the same
 * coordinates as the rules (the parent's window geometry), with the offset dx, dy
 * of that origin in the constraint's coordinates.
 */
struct wlr_box comp_xdg_positioner_unconstrain(const struct comp_xdg_positioner_rules *r,
		struct wlr_box c) {
	struct wlr_box box = comp_xdg_positioner_place(r);
	uint32_t adj = r->constraint_adjustment;
	if (out_x(box, c) && (adj & XDG_POSITIONER_CONSTRAINT_ADJUSTMENT_FLIP_X)) {
		struct comp_xdg_positioner_rules f = *r;
		f.anchor = invert_x(f.anchor);
		f.gravity = invert_x(f.gravity);
		struct wlr_box flipped = comp_xdg_positioner_place(&f);
		if (!out_x(flipped, c)) {
			box.x = flipped.x;
		}
	}
	if (out_y(box, c) && (adj & XDG_POSITIONER_CONSTRAINT_ADJUSTMENT_FLIP_Y)) {
		struct comp_xdg_positioner_rules f = *r;
		f.anchor = invert_y(f.anchor);
		f.gravity = invert_y(f.gravity);
		struct wlr_box flipped = comp_xdg_positioner_place(&f);
		if (!out_y(flipped, c)) {
			box.y = flipped.y;
		}
	}
	if (out_x(box, c) && (adj & XDG_POSITIONER_CONSTRAINT_ADJUSTMENT_SLIDE_X)) {
		if (box.x + box.width > c.x + c.width) {
			box.x = c.x + c.width - box.width;
		}
		if (box.x < c.x) {
			box.x = c.x; // the left edge wins: its start stays visible
		}
	}
	if (out_y(box, c) && (adj & XDG_POSITIONER_CONSTRAINT_ADJUSTMENT_SLIDE_Y)) {
		if (box.y + box.height > c.y + c.height) {
			box.y = c.y + c.height - box.height;
		}
		if (box.y < c.y) {
			box.y = c.y;
		}
	}
	if (out_x(box, c) && (adj & XDG_POSITIONER_CONSTRAINT_ADJUSTMENT_RESIZE_X)) {
		int left = box.x > c.x ? box.x : c.x;
		int right = box.x + box.width < c.x + c.width ? box.x + box.width : c.x + c.width;
		if (right > left) {
			box.x = left;
			box.width = right - left;
		}
	}
	if (out_y(box, c) && (adj & XDG_POSITIONER_CONSTRAINT_ADJUSTMENT_RESIZE_Y)) {
		int top = box.y > c.y ? box.y : c.y;
		int bottom = box.y + box.height < c.y + c.height ? box.y + box.height
			: c.y + c.height;
		if (bottom > top) {
			box.y = top;
			box.height = bottom - top;
		}
	}
	return box;
}
