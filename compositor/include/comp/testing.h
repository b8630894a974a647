#ifndef COMP_PUBLIC_TESTING_H
#define COMP_PUBLIC_TESTING_H

/*
 * Hooks for test harnesses that run the compositor in their own process (the Wayland
 * Conformance Suite module in tests/wlcs). Input goes through devices on the headless
 * backend, so events take the same path as a real device's: backend, wlr_cursor,
 * seat.c, clients.
 *
 * Every function here must be called on the thread that runs the compositor's event
 * loop (or while no thread runs it), and only after comp_server_start: devices added
 * before the backend starts are not announced to the seat until it does.
 */

#include <stdbool.h>
#include <stdint.h>
#include <wayland-server-core.h>
#include "comp/server.h"

struct comp_testing_device;

/**
 * Plugs a pointer into the headless backend; NULL without one. The caller owns the
 * result and frees it with comp_testing_device_destroy; it goes inert (every call
 * returns false) if the server destroys the device first.
 */
struct comp_testing_device *comp_testing_add_pointer(struct comp_server *server);
/** Plugs a touchscreen into the headless backend; ownership as for a pointer. */
struct comp_testing_device *comp_testing_add_touch(struct comp_server *server);
/** Unplugs the device if it is still there and frees it. NULL is fine. */
void comp_testing_device_destroy(struct comp_testing_device *device);

/** Moves the pointer to (lx, ly) in layout coordinates, as an absolute device would. */
bool comp_testing_pointer_move_absolute(struct comp_testing_device *pointer, double lx,
	double ly);
/** Moves the pointer by (dx, dy), as a mouse would. */
bool comp_testing_pointer_move_relative(struct comp_testing_device *pointer, double dx,
	double dy);
/** Presses or releases a button (BTN_LEFT, ... from linux/input-event-codes.h). */
bool comp_testing_pointer_button(struct comp_testing_device *pointer, uint32_t button,
	bool pressed);

/** Touch point id goes down at (lx, ly) in layout coordinates. */
bool comp_testing_touch_down(struct comp_testing_device *touch, int32_t id, double lx,
	double ly);
bool comp_testing_touch_move(struct comp_testing_device *touch, int32_t id, double lx,
	double ly);
bool comp_testing_touch_up(struct comp_testing_device *touch, int32_t id);

/**
 * Plugs a drawing tablet into the headless backend, with one pen (type pen, every
 * axis: pressure, distance, tilt, rotation, slider, wheel). Ownership as for a
 * pointer; the pen is the device's and goes with it.
 */
struct comp_testing_device *comp_testing_add_tablet(struct comp_server *server);
/**
 * Plugs a tablet pad: 3 buttons, one ring and one strip in a single group with one
 * mode. Ownership as for a pointer, except that the backend does not unplug it:
 * destroy it before the server.
 */
struct comp_testing_device *comp_testing_add_tablet_pad(struct comp_server *server);

/* Which members of comp_testing_tablet_axes an axis event carries. */
enum comp_testing_tablet_axis {
	COMP_TESTING_TABLET_X = 1 << 0,
	COMP_TESTING_TABLET_Y = 1 << 1,
	COMP_TESTING_TABLET_PRESSURE = 1 << 2,
	COMP_TESTING_TABLET_DISTANCE = 1 << 3,
	COMP_TESTING_TABLET_TILT_X = 1 << 4,
	COMP_TESTING_TABLET_TILT_Y = 1 << 5,
	COMP_TESTING_TABLET_ROTATION = 1 << 6,
	COMP_TESTING_TABLET_SLIDER = 1 << 7,
	COMP_TESTING_TABLET_WHEEL = 1 << 8,
};

struct comp_testing_tablet_axes {
	uint32_t axes; // enum comp_testing_tablet_axis: those set below
	double x, y; // layout coordinates
	double pressure, distance; // 0..1
	double tilt_x, tilt_y; // degrees from the perpendicular, -90..90
	double rotation; // degrees, 0..360
	double slider; // -1..1
	double wheel; // degrees turned since the last event
};

/** The pen comes into proximity at (lx, ly) in layout coordinates, or leaves it. */
bool comp_testing_tablet_proximity(struct comp_testing_device *tablet, bool in, double lx,
	double ly);
/** The pen moves, is pressed harder, tilts, ...: one event with the axes named. */
bool comp_testing_tablet_axis(struct comp_testing_device *tablet,
	const struct comp_testing_tablet_axes *axes);
/** The pen's tip touches the tablet or lifts, where the pen is. */
bool comp_testing_tablet_tip(struct comp_testing_device *tablet, bool down);
/** A button on the pen (BTN_STYLUS, BTN_STYLUS2, ...) is pressed or released. */
bool comp_testing_tablet_button(struct comp_testing_device *tablet, uint32_t button,
	bool pressed);
/** Pad button 0..2 is pressed or released. */
bool comp_testing_pad_button(struct comp_testing_device *pad, uint32_t button, bool pressed);
/** A finger on the pad's ring at degrees 0..360; -1 when it lifts. */
bool comp_testing_pad_ring(struct comp_testing_device *pad, uint32_t ring, double degrees);
/** A finger on the pad's strip at position 0..1; -1 when it lifts. */
bool comp_testing_pad_strip(struct comp_testing_device *pad, uint32_t strip,
	double position);

/**
 * Makes a client on a connected socket fd (the compositor's end; the client owns the
 * other). Trusted clients see the privileged globals, as if started by the compositor.
 * The display owns the client; NULL on failure (fd is then not taken).
 */
struct wl_client *comp_testing_create_client(struct comp_server *server, int fd,
	bool trusted);

/**
 * Moves the window whose wl_surface has protocol id surface_id in client so that its
 * content (the xdg window geometry, without our decorations) has its top left at
 * (x, y) in layout coordinates. False if that surface is not a mapped window.
 */
bool comp_testing_position_window(struct comp_server *server, struct wl_client *client,
	uint32_t surface_id, int x, int y);

/**
 * Works around WLCS 1.5, whose helpers attach a buffer to a new (or unmapped) surface
 * before they have seen a configure, often on the initial commit itself (fixed in
 * wlcs 1.7: canonical/wlcs#324); wlroots rightly calls that a protocol error. From
 * now on, as if every client acknowledged each configure at once:
 *  - an xdg surface counts as configured from its initial commit on (and maps on it
 *    if it carries a buffer), and again when it commits after being unmapped;
 *  - a layer surface counts as configured once the compositor has answered its
 *    initial commit with a configure. A buffer on a layer surface's initial commit
 *    is still an error: wlroots checks it before anyone can step in.
 * Everything else is still checked. For as long as the server lives; false if out of
 * memory.
 */
bool comp_testing_assume_initial_ack(struct comp_server *server);

#endif
