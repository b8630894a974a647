/*
 * Drawing tablets (tablet-unstable-v2). A tablet's tool (a pen, an eraser, a lens
 * mouse) reports where it hovers, its pressure, tilt and buttons; a pad is the frame
 * of buttons, rings and strips around the drawing area.
 *
 * Tools: a surface whose client bound the tablet manager gets the tool's own events
 * (proximity, motion, pressure, tilt, down, up, buttons, each burst closed by a frame
 * that wlroots sends from an idle callback). Any other surface gets a pointer instead:
 * the tool moves the cursor, its tip is the left button, its first and second stylus
 * buttons are the right and middle buttons. Emulated events are emitted on the
 * wlr_cursor's own pointer signals, so they take exactly the path of a mouse in
 * seat.c (click to focus, decorations, Super+drag, implicit grabs, constraints).
 *
 * While the tip or a button is held, the tool stays with the surface it was pressed
 * on, in whichever of the two modes the press started (an implicit grab, as for the
 * pointer). Otherwise focus follows the tool: leaving a surface sends proximity_out
 * there; wlroots does the same when the focused surface is destroyed.
 *
 * Pads follow the keyboard focus: they enter the focused surface if its client bound
 * the tablet manager, paired with the newest tablet (wlroots 0.15 does not say which
 * tablet a pad belongs to).
 *
 * wlroots frees its tablet, tool and pad objects on the destroy signals of what they
 * wrap; ours are freed on the same signals and never outlive them.
 */
#include <linux/input-event-codes.h>
#include <math.h>
#include <stdlib.h>
#include <wlr/types/wlr_input_inhibitor.h>
#include <wlr/types/wlr_tablet_pad.h>
#include <wlr/types/wlr_tablet_tool.h>
#include <wlr/types/wlr_tablet_v2.h>
#include <wlr/version.h>
#include "common/log.h"
#include "server.h"

/*
 * wlroots before 0.16 sends the wheel's arguments swapped (clicks as the fixed-point
 * degrees, degrees as the clicks) and a ring's angle as a raw integer instead of
 * fixed point (fixed upstream in "tablet-v2: fix event parameters"). We hand it
 * arguments that come out right.
 */
#define WLR_TABLET_V2_ARGS_BROKEN (WLR_VERSION_NUM < ((0 << 16) | (16 << 8)))
/* wlroots 0.15 never frees a tablet-v2 pad's array of group modes. */
#define WLR_TABLET_V2_PAD_LEAKS_GROUPS (WLR_VERSION_NUM < ((0 << 16) | (16 << 8)))

/* What tablet.c keeps per server (comp_server.tablets); NULL while there is nothing. */
struct comp_tablets {
	struct wl_list tablets; // comp_tablet.link, newest first
	struct wl_list tools; // comp_tablet_tool.link
	struct wl_list pads; // comp_tablet_pad.link
};

/* A tablet's tool side: one input device of type WLR_INPUT_DEVICE_TABLET_TOOL. */
struct comp_tablet {
	struct wl_list link; // comp_tablets.tablets
	struct comp_server *server;
	struct wlr_input_device *device;
	struct wlr_tablet_v2_tablet *tablet_v2; // may be NULL (out of memory): pointer only
	struct wl_listener axis, proximity, tip, button, destroy;
};

/* Pointer buttons a tool emulates, as bits of comp_tablet_tool.emulated. */
enum emulated_button {
	EMULATED_TIP = 1 << 0, // BTN_LEFT
	EMULATED_RIGHT = 1 << 1,
	EMULATED_MIDDLE = 1 << 2,
};

/* A physical tool, from its first event on. */
struct comp_tablet_tool {
	struct wl_list link; // comp_tablets.tools
	struct comp_server *server;
	struct wlr_tablet_tool *wlr_tool;
	struct wlr_tablet_v2_tablet_tool *tool_v2; // NULL for types the protocol lacks
	struct comp_tablet *tablet; // where it was last seen; NULL once that is gone
	uint32_t emulated; // enum emulated_button: pressed as pointer buttons
	double tilt_x, tilt_y; // the last values: an event may update only one
	/* Layout minus surface coordinates of the surface the tool is in proximity of. */
	double origin_x, origin_y;
	struct wl_listener destroy, set_cursor;
};

struct comp_tablet_pad {
	struct wl_list link; // comp_tablets.pads
	struct comp_server *server;
	struct wlr_input_device *device;
	struct wlr_tablet_v2_tablet_pad *pad_v2;
	struct wlr_surface *focus; // entered; NULL when none
	struct comp_tablet *tablet; // the tablet the enter named; NULL with no focus
	struct wl_listener button, ring, strip, destroy, focus_destroy, keyboard_focus;
};

static void tablets_release_if_empty(struct comp_server *server) {
	struct comp_tablets *tablets = server->tablets;
	if (tablets && wl_list_empty(&tablets->tablets) && wl_list_empty(&tablets->tools) &&
			wl_list_empty(&tablets->pads)) {
		free(tablets);
		server->tablets = NULL;
	}
}

static struct comp_tablets *tablets_get(struct comp_server *server) {
	if (!server->tablets) {
		struct comp_tablets *tablets = calloc(1, sizeof(*tablets));
		if (!tablets) {
			return NULL;
		}
		wl_list_init(&tablets->tablets);
		wl_list_init(&tablets->tools);
		wl_list_init(&tablets->pads);
		server->tablets = tablets;
	}
	return server->tablets;
}

/* The surface at a layout point that may take input now, with its local coordinates. */
static struct wlr_surface *surface_at(struct comp_server *server, double lx, double ly,
		double *sx, double *sy, struct comp_view **view) {
	struct wlr_surface *surface = NULL;
	struct comp_view *found = comp_view_at(server, lx, ly, &surface, sx, sy);
	if (view) {
		*view = found;
	}
	if (surface && !comp_seat_client_allowed(server,
			wl_resource_get_client(surface->resource))) {
		return NULL;
	}
	return surface;
}

/* Emulation: pointer events as if from a mouse, through seat.c's cursor handlers. */

static void emulate_motion(struct comp_tablet *tablet, uint32_t time, double lx, double ly) {
	struct wlr_cursor *cursor = tablet->server->cursor;
	double dx = lx - cursor->x, dy = ly - cursor->y;
	struct wlr_event_pointer_motion event = {
		.device = tablet->device,
		.time_msec = time,
		.delta_x = dx,
		.delta_y = dy,
		.unaccel_dx = dx,
		.unaccel_dy = dy,
	};
	wl_signal_emit(&cursor->events.motion, &event);
	wl_signal_emit(&cursor->events.frame, cursor);
}

static void emulate_button(struct comp_server *server, struct wlr_input_device *device,
		uint32_t time, uint32_t button, bool pressed) {
	struct wlr_event_pointer_button event = {
		.device = device,
		.time_msec = time,
		.button = button,
		.state = pressed ? WLR_BUTTON_PRESSED : WLR_BUTTON_RELEASED,
	};
	wl_signal_emit(&server->cursor->events.button, &event);
	wl_signal_emit(&server->cursor->events.frame, server->cursor);
}

static uint32_t emulated_code(enum emulated_button bit) {
	switch (bit) {
	case EMULATED_TIP:
		return BTN_LEFT;
	case EMULATED_RIGHT:
		return BTN_RIGHT;
	case EMULATED_MIDDLE:
		return BTN_MIDDLE;
	}
	return BTN_LEFT;
}

/* Releases every pointer button the tool holds (it went away, or out of reach). */
static void release_emulated(struct comp_tablet_tool *tool, struct wlr_input_device *device,
		uint32_t time) {
	for (uint32_t bit = EMULATED_TIP; bit <= EMULATED_MIDDLE; bit <<= 1) {
		if (tool->emulated & bit) {
			tool->emulated &= ~bit;
			emulate_button(tool->server, device, time, emulated_code(bit), false);
		}
	}
}

/* Tools. */

static bool tool_held(struct comp_tablet_tool *tool) {
	return tool->tool_v2 && tool->tool_v2->focused_surface &&
		(tool->tool_v2->is_down || tool->tool_v2->num_buttons > 0);
}

static void tool_proximity_out(struct comp_tablet_tool *tool) {
	if (tool->tool_v2 && tool->tool_v2->focused_surface) {
		wlr_send_tablet_v2_tablet_tool_proximity_out(tool->tool_v2);
	}
}

static void handle_tool_set_cursor(struct wl_listener *listener, void *data) {
	struct comp_tablet_tool *tool = wl_container_of(listener, tool, set_cursor);
	struct wlr_tablet_v2_event_cursor *event = data;
	struct wlr_surface *focus = tool->tool_v2->focused_surface;
	/* Only the client the tool hovers, and only for its current proximity. */
	if (!focus || !event->seat_client ||
			event->seat_client->client != wl_resource_get_client(focus->resource) ||
			event->serial != tool->tool_v2->proximity_serial) {
		return;
	}
	wlr_cursor_set_surface(tool->server->cursor, event->surface, event->hotspot_x,
		event->hotspot_y);
}

static void handle_tool_destroy(struct wl_listener *listener, void *data) {
	struct comp_tablet_tool *tool = wl_container_of(listener, tool, destroy);
	struct comp_server *server = tool->server;
	/* Runs before wlroots frees its tablet tool, which listens after us. */
	release_emulated(tool, NULL, 0);
	if (tool->tool_v2) {
		wl_list_remove(&tool->set_cursor.link);
	}
	wl_list_remove(&tool->destroy.link);
	wl_list_remove(&tool->link);
	tool->wlr_tool->data = NULL;
	free(tool);
	tablets_release_if_empty(server);
}

/* Our tool for a wlroots one, made on first sight; NULL when out of memory. */
static struct comp_tablet_tool *tool_get(struct comp_server *server,
		struct wlr_tablet_tool *wlr_tool) {
	if (wlr_tool->data) {
		return wlr_tool->data;
	}
	struct comp_tablets *tablets = tablets_get(server);
	struct comp_tablet_tool *tool = tablets ? calloc(1, sizeof(*tool)) : NULL;
	if (!tool) {
		lumen_log(LUMEN_ERROR, "tablet: out of memory for a tool");
		return NULL;
	}
	tool->server = server;
	tool->wlr_tool = wlr_tool;
	/* Before wlroots' own listener, so that ours runs while its tool still exists. */
	tool->destroy.notify = handle_tool_destroy;
	wl_signal_add(&wlr_tool->events.destroy, &tool->destroy);
	tool->tool_v2 = wlr_tablet_tool_create(server->tablet, server->seat, wlr_tool);
	if (tool->tool_v2) {
		tool->set_cursor.notify = handle_tool_set_cursor;
		wl_signal_add(&tool->tool_v2->events.set_cursor, &tool->set_cursor);
	} else {
		lumen_log(LUMEN_INFO, "tablet: tool type %d is not in the protocol; it is a pointer",
			(int)wlr_tool->type);
	}
	wl_list_insert(&tablets->tools, &tool->link);
	wlr_tool->data = tool;
	return tool;
}

/*
 * The tool is at (lx, ly) in layout coordinates: move the cursor there and tell
 * whoever should know, in the mode the tool is in.
 */
static void tool_move(struct comp_tablet *tablet, struct comp_tablet_tool *tool,
		uint32_t time, double lx, double ly) {
	struct comp_server *server = tablet->server;
	if (tool->emulated) {
		emulate_motion(tablet, time, lx, ly); // the pointer keeps its implicit grab
		return;
	}
	/* A locker that took the input since the press ends the stroke too. */
	if (tool_held(tool) && comp_seat_client_allowed(server,
			wl_resource_get_client(tool->tool_v2->focused_surface->resource))) {
		wlr_cursor_warp_closest(server->cursor, tablet->device, lx, ly);
		wlr_send_tablet_v2_tablet_tool_motion(tool->tool_v2, lx - tool->origin_x,
			ly - tool->origin_y);
		return;
	}
	double sx, sy;
	struct wlr_surface *surface = surface_at(server, lx, ly, &sx, &sy, NULL);
	if (surface && tool->tool_v2 && tablet->tablet_v2 &&
			wlr_surface_accepts_tablet_v2(tablet->tablet_v2, surface)) {
		/* The cursor follows the pen; its image is the client's (set_cursor). */
		wlr_cursor_warp_closest(server->cursor, tablet->device, lx, ly);
		/*
		 * The pointer is no longer over the surface it last entered: a mouse click
		 * now must not land there (it finds its surface again when the mouse moves).
		 */
		struct wlr_seat_pointer_state *pointer = &server->seat->pointer_state;
		if (pointer->focused_surface && pointer->focused_surface != surface &&
				pointer->button_count == 0 && server->cursor_mode == COMP_CURSOR_PASSTHROUGH) {
			wlr_seat_pointer_notify_clear_focus(server->seat);
		}
		tool->origin_x = lx - sx;
		tool->origin_y = ly - sy;
		if (tool->tool_v2->focused_surface != surface) {
			/* Until the client sets one: not the image some other surface chose. */
			wlr_xcursor_manager_set_cursor_image(server->cursor_mgr, "left_ptr",
				server->cursor);
			/* wlroots sends proximity_out to the surface the tool leaves. */
			wlr_send_tablet_v2_tablet_tool_proximity_in(tool->tool_v2, tablet->tablet_v2,
				surface);
		}
		wlr_send_tablet_v2_tablet_tool_motion(tool->tool_v2, sx, sy);
		return;
	}
	tool_proximity_out(tool);
	emulate_motion(tablet, time, lx, ly);
}

/* Layout coordinates of a position event; an axis left out (NAN) keeps its value. */
static void tool_position(struct comp_tablet *tablet, double x, double y, double *lx,
		double *ly) {
	wlr_cursor_absolute_to_layout_coords(tablet->server->cursor, tablet->device, x, y,
		lx, ly);
}

/* Moves the tool only if it is somewhere else: a tip or button event repeats where it is. */
static void tool_move_if_moved(struct comp_tablet *tablet, struct comp_tablet_tool *tool,
		uint32_t time, double x, double y) {
	double lx, ly;
	tool_position(tablet, x, y, &lx, &ly);
	struct wlr_cursor *cursor = tablet->server->cursor;
	if (fabs(lx - cursor->x) > 1e-6 || fabs(ly - cursor->y) > 1e-6) {
		tool_move(tablet, tool, time, lx, ly);
	}
}

/*
 * After a release ends a tablet grab: if the tool is over another surface now,
 * focus goes there (proximity_out here, proximity_in there, or a pointer).
 */
static void tool_refocus(struct comp_tablet *tablet, struct comp_tablet_tool *tool,
		uint32_t time) {
	if (tool->emulated || tool_held(tool) || !tool->tool_v2 ||
			!tool->tool_v2->focused_surface) {
		return;
	}
	struct wlr_cursor *cursor = tablet->server->cursor;
	double sx, sy;
	if (surface_at(tablet->server, cursor->x, cursor->y, &sx, &sy, NULL) !=
			tool->tool_v2->focused_surface) {
		tool_move(tablet, tool, time, cursor->x, cursor->y);
	}
}

static struct comp_tablet_tool *event_tool(struct comp_tablet *tablet,
		struct wlr_input_device *device, struct wlr_tablet_tool *wlr_tool) {
	if (device != tablet->device || !wlr_tool) {
		return NULL; // another tablet's event: wlr_cursor has one signal for all
	}
	struct comp_tablet_tool *tool = tool_get(tablet->server, wlr_tool);
	if (tool) {
		tool->tablet = tablet;
	}
	return tool;
}

static void handle_tablet_proximity(struct wl_listener *listener, void *data) {
	struct comp_tablet *tablet = wl_container_of(listener, tablet, proximity);
	struct wlr_event_tablet_tool_proximity *event = data;
	struct comp_tablet_tool *tool = event_tool(tablet, event->device, event->tool);
	if (!tool) {
		return;
	}
	comp_protocols_notify_activity(tablet->server);
	if (event->state == WLR_TABLET_TOOL_PROXIMITY_IN) {
		double lx, ly;
		tool_position(tablet, event->x, event->y, &lx, &ly);
		tool_move(tablet, tool, event->time_msec, lx, ly);
		return;
	}
	/* Out of reach with a button still down (a lost event): nothing may stay stuck. */
	release_emulated(tool, tablet->device, event->time_msec);
	tool_proximity_out(tool);
}

static void handle_tablet_axis(struct wl_listener *listener, void *data) {
	struct comp_tablet *tablet = wl_container_of(listener, tablet, axis);
	struct wlr_event_tablet_tool_axis *event = data;
	struct comp_tablet_tool *tool = event_tool(tablet, event->device, event->tool);
	if (!tool) {
		return;
	}
	comp_protocols_notify_activity(tablet->server);
	if (event->updated_axes & (WLR_TABLET_TOOL_AXIS_X | WLR_TABLET_TOOL_AXIS_Y)) {
		double lx, ly;
		tool_position(tablet, event->updated_axes & WLR_TABLET_TOOL_AXIS_X ? event->x : NAN,
			event->updated_axes & WLR_TABLET_TOOL_AXIS_Y ? event->y : NAN, &lx, &ly);
		tool_move(tablet, tool, event->time_msec, lx, ly);
	}
	if (event->updated_axes & WLR_TABLET_TOOL_AXIS_TILT_X) {
		tool->tilt_x = event->tilt_x;
	}
	if (event->updated_axes & WLR_TABLET_TOOL_AXIS_TILT_Y) {
		tool->tilt_y = event->tilt_y;
	}
	struct wlr_tablet_v2_tablet_tool *v2 = tool->tool_v2;
	if (!v2 || !v2->focused_surface || tool->emulated) {
		return; // a pointer has no pressure, tilt or the like
	}
	if (event->updated_axes & WLR_TABLET_TOOL_AXIS_PRESSURE) {
		wlr_send_tablet_v2_tablet_tool_pressure(v2, event->pressure);
	}
	if (event->updated_axes & WLR_TABLET_TOOL_AXIS_DISTANCE) {
		wlr_send_tablet_v2_tablet_tool_distance(v2, event->distance);
	}
	if (event->updated_axes & (WLR_TABLET_TOOL_AXIS_TILT_X | WLR_TABLET_TOOL_AXIS_TILT_Y)) {
		wlr_send_tablet_v2_tablet_tool_tilt(v2, tool->tilt_x, tool->tilt_y);
	}
	if (event->updated_axes & WLR_TABLET_TOOL_AXIS_ROTATION) {
		wlr_send_tablet_v2_tablet_tool_rotation(v2, event->rotation);
	}
	if (event->updated_axes & WLR_TABLET_TOOL_AXIS_SLIDER) {
		wlr_send_tablet_v2_tablet_tool_slider(v2, event->slider);
	}
	if (event->updated_axes & WLR_TABLET_TOOL_AXIS_WHEEL) {
		/* libinput reports degrees; its wheels click every 15 degrees. */
		int32_t clicks = (int32_t)lround(event->wheel_delta / 15.0);
#if WLR_TABLET_V2_ARGS_BROKEN
		wlr_send_tablet_v2_tablet_tool_wheel(v2, clicks,
			wl_fixed_from_double(event->wheel_delta));
#else
		wlr_send_tablet_v2_tablet_tool_wheel(v2, event->wheel_delta, clicks);
#endif
	}
}

/* A window pressed on with the pen is focused, as a click would. */
static void focus_under_tool(struct comp_server *server) {
	if (server->input_inhibit->active_client) {
		return;
	}
	double sx, sy;
	struct comp_view *view = NULL;
	surface_at(server, server->cursor->x, server->cursor->y, &sx, &sy, &view);
	if (view) {
		comp_view_focus(view);
	}
}

static void handle_tablet_tip(struct wl_listener *listener, void *data) {
	struct comp_tablet *tablet = wl_container_of(listener, tablet, tip);
	struct wlr_event_tablet_tool_tip *event = data;
	struct comp_tablet_tool *tool = event_tool(tablet, event->device, event->tool);
	if (!tool) {
		return;
	}
	comp_protocols_notify_activity(tablet->server);
	bool down = event->state == WLR_TABLET_TOOL_TIP_DOWN;
	if (down) {
		tool_move_if_moved(tablet, tool, event->time_msec, event->x, event->y);
		if (tool->tool_v2 && tool->tool_v2->focused_surface && !tool->emulated) {
			focus_under_tool(tablet->server);
			wlr_send_tablet_v2_tablet_tool_down(tool->tool_v2);
		} else if (!(tool->emulated & EMULATED_TIP)) {
			tool->emulated |= EMULATED_TIP;
			emulate_button(tablet->server, tablet->device, event->time_msec, BTN_LEFT, true);
		}
		return;
	}
	if (tool->emulated & EMULATED_TIP) {
		tool->emulated &= ~EMULATED_TIP;
		emulate_button(tablet->server, tablet->device, event->time_msec, BTN_LEFT, false);
	} else if (tool->tool_v2) {
		wlr_send_tablet_v2_tablet_tool_up(tool->tool_v2);
	}
	tool_move_if_moved(tablet, tool, event->time_msec, event->x, event->y);
	tool_refocus(tablet, tool, event->time_msec);
}

static void handle_tablet_button(struct wl_listener *listener, void *data) {
	struct comp_tablet *tablet = wl_container_of(listener, tablet, button);
	struct wlr_event_tablet_tool_button *event = data;
	struct comp_tablet_tool *tool = event_tool(tablet, event->device, event->tool);
	if (!tool) {
		return;
	}
	comp_protocols_notify_activity(tablet->server);
	uint32_t bit = event->button == BTN_STYLUS ? EMULATED_RIGHT
		: event->button == BTN_STYLUS2 ? EMULATED_MIDDLE : 0;
	bool pressed = event->state == WLR_BUTTON_PRESSED;
	if (pressed) {
		if (tool->tool_v2 && tool->tool_v2->focused_surface && !tool->emulated) {
			wlr_send_tablet_v2_tablet_tool_button(tool->tool_v2, event->button,
				ZWP_TABLET_PAD_V2_BUTTON_STATE_PRESSED);
		} else if (bit && !(tool->emulated & bit)) {
			tool->emulated |= bit;
			emulate_button(tablet->server, tablet->device, event->time_msec,
				emulated_code(bit), true);
		}
		return;
	}
	if (bit && (tool->emulated & bit)) {
		tool->emulated &= ~bit;
		emulate_button(tablet->server, tablet->device, event->time_msec, emulated_code(bit),
			false);
		return;
	}
	if (tool->tool_v2) {
		/* Also with no client focused: wlroots forgets the button either way. */
		wlr_send_tablet_v2_tablet_tool_button(tool->tool_v2, event->button,
			ZWP_TABLET_PAD_V2_BUTTON_STATE_RELEASED);
	}
	tool_refocus(tablet, tool, event->time_msec);
}

static void pad_set_focus(struct comp_tablet_pad *pad, struct wlr_surface *surface);

static void handle_tablet_destroy(struct wl_listener *listener, void *data) {
	struct comp_tablet *tablet = wl_container_of(listener, tablet, destroy);
	struct comp_server *server = tablet->server;
	/* wlroots has told clients the tablet is removed; tools and pads on it leave. */
	struct comp_tablet_pad *pad;
	wl_list_for_each(pad, &server->tablets->pads, link) {
		if (pad->tablet == tablet) {
			pad_set_focus(pad, NULL);
		}
	}
	struct comp_tablet_tool *tool;
	wl_list_for_each(tool, &server->tablets->tools, link) {
		if (tool->tablet == tablet) {
			release_emulated(tool, NULL, 0);
			tool_proximity_out(tool);
			tool->tablet = NULL;
		}
	}
	wl_list_remove(&tablet->axis.link);
	wl_list_remove(&tablet->proximity.link);
	wl_list_remove(&tablet->tip.link);
	wl_list_remove(&tablet->button.link);
	wl_list_remove(&tablet->destroy.link);
	wl_list_remove(&tablet->link);
	free(tablet);
	tablets_release_if_empty(server);
}

static void add_tablet(struct comp_server *server, struct wlr_input_device *device) {
	struct comp_tablets *tablets = tablets_get(server);
	struct comp_tablet *tablet = tablets ? calloc(1, sizeof(*tablet)) : NULL;
	if (!tablet) {
		lumen_log(LUMEN_ERROR, "tablet: out of memory for '%s'", device->name);
		tablets_release_if_empty(server);
		return;
	}
	tablet->server = server;
	tablet->device = device;
	/* Its own destroy listener comes first, so it is gone before ours runs. */
	tablet->tablet_v2 = wlr_tablet_create(server->tablet, server->seat, device);
	if (!tablet->tablet_v2) {
		lumen_log(LUMEN_ERROR, "tablet: '%s' is a pointer only (out of memory)",
			device->name);
	}
	struct wlr_cursor *cursor = server->cursor;
	tablet->axis.notify = handle_tablet_axis;
	wl_signal_add(&cursor->events.tablet_tool_axis, &tablet->axis);
	tablet->proximity.notify = handle_tablet_proximity;
	wl_signal_add(&cursor->events.tablet_tool_proximity, &tablet->proximity);
	tablet->tip.notify = handle_tablet_tip;
	wl_signal_add(&cursor->events.tablet_tool_tip, &tablet->tip);
	tablet->button.notify = handle_tablet_button;
	wl_signal_add(&cursor->events.tablet_tool_button, &tablet->button);
	tablet->destroy.notify = handle_tablet_destroy;
	wl_signal_add(&device->events.destroy, &tablet->destroy);
	wl_list_insert(&tablets->tablets, &tablet->link);
	/* The cursor maps the tablet's area to the layout (and applies output transforms). */
	wlr_cursor_attach_input_device(cursor, device);
	lumen_log(LUMEN_INFO, "tablet: '%s' added", device->name ? device->name : "");
}

/* Pads. */

static void handle_pad_focus_destroy(struct wl_listener *listener, void *data) {
	struct comp_tablet_pad *pad = wl_container_of(listener, pad, focus_destroy);
	wl_list_remove(&pad->focus_destroy.link);
	wl_list_init(&pad->focus_destroy.link);
	pad->focus = NULL;
	pad->tablet = NULL;
	/* wlroots 0.15 would go on sending the client buttons for a surface it no longer has. */
	pad->pad_v2->current_client = NULL;
}

static void pad_set_focus(struct comp_tablet_pad *pad, struct wlr_surface *surface) {
	if (surface && surface == pad->focus && pad->pad_v2->current_client) {
		return;
	}
	if (pad->focus) {
		wlr_send_tablet_v2_tablet_pad_leave(pad->pad_v2, pad->focus);
		handle_pad_focus_destroy(&pad->focus_destroy, NULL);
	}
	struct comp_tablets *tablets = pad->server->tablets;
	if (!surface || wl_list_empty(&tablets->tablets) ||
			!comp_seat_client_allowed(pad->server, wl_resource_get_client(surface->resource))) {
		return;
	}
	struct comp_tablet *tablet = wl_container_of(tablets->tablets.next, tablet, link);
	if (!tablet->tablet_v2 || !wlr_surface_accepts_tablet_v2(tablet->tablet_v2, surface) ||
			wlr_send_tablet_v2_tablet_pad_enter(pad->pad_v2, tablet->tablet_v2, surface) == 0) {
		return;
	}
	pad->focus = surface;
	pad->tablet = tablet;
	wl_signal_add(&surface->events.destroy, &pad->focus_destroy);
}

static void handle_pad_keyboard_focus(struct wl_listener *listener, void *data) {
	struct comp_tablet_pad *pad = wl_container_of(listener, pad, keyboard_focus);
	struct wlr_seat_keyboard_focus_change_event *event = data;
	pad_set_focus(pad, event->new_surface);
}

/* Before each event: a client that bound the manager after it got the keyboard. */
static bool pad_focused(struct comp_tablet_pad *pad) {
	if (!pad->focus || !pad->pad_v2->current_client) {
		pad_set_focus(pad, pad->server->seat->keyboard_state.focused_surface);
	}
	return pad->focus != NULL;
}

static void handle_pad_button(struct wl_listener *listener, void *data) {
	struct comp_tablet_pad *pad = wl_container_of(listener, pad, button);
	struct wlr_event_tablet_pad_button *event = data;
	comp_protocols_notify_activity(pad->server);
	if (pad_focused(pad)) {
		wlr_send_tablet_v2_tablet_pad_button(pad->pad_v2, event->button, event->time_msec,
			event->state == WLR_BUTTON_PRESSED ? ZWP_TABLET_PAD_V2_BUTTON_STATE_PRESSED
				: ZWP_TABLET_PAD_V2_BUTTON_STATE_RELEASED);
	}
}

static void handle_pad_ring(struct wl_listener *listener, void *data) {
	struct comp_tablet_pad *pad = wl_container_of(listener, pad, ring);
	struct wlr_event_tablet_pad_ring *event = data;
	comp_protocols_notify_activity(pad->server);
	/* wlroots indexes its array of rings without looking. */
	if (event->ring >= pad->device->tablet_pad->ring_count || !pad_focused(pad)) {
		return;
	}
	double position = event->position; // negative: the finger lifted
#if WLR_TABLET_V2_ARGS_BROKEN
	if (position >= 0) {
		position = wl_fixed_from_double(position);
	}
#endif
	wlr_send_tablet_v2_tablet_pad_ring(pad->pad_v2, event->ring, position,
		event->source == WLR_TABLET_PAD_RING_SOURCE_FINGER, event->time_msec);
}

static void handle_pad_strip(struct wl_listener *listener, void *data) {
	struct comp_tablet_pad *pad = wl_container_of(listener, pad, strip);
	struct wlr_event_tablet_pad_strip *event = data;
	comp_protocols_notify_activity(pad->server);
	if (event->strip < pad->device->tablet_pad->strip_count && pad_focused(pad)) {
		wlr_send_tablet_v2_tablet_pad_strip(pad->pad_v2, event->strip, event->position,
			event->source == WLR_TABLET_PAD_STRIP_SOURCE_FINGER, event->time_msec);
	}
}

static void handle_pad_destroy(struct wl_listener *listener, void *data) {
	struct comp_tablet_pad *pad = wl_container_of(listener, pad, destroy);
	struct comp_server *server = pad->server;
	/* Ours listens before wlroots' pad, which still exists: leave, then it is removed. */
	pad_set_focus(pad, NULL);
#if WLR_TABLET_V2_PAD_LEAKS_GROUPS
	free(pad->pad_v2->groups);
	pad->pad_v2->groups = NULL;
#endif
	wl_list_remove(&pad->focus_destroy.link);
	wl_list_remove(&pad->keyboard_focus.link);
	wl_list_remove(&pad->button.link);
	wl_list_remove(&pad->ring.link);
	wl_list_remove(&pad->strip.link);
	wl_list_remove(&pad->destroy.link);
	wl_list_remove(&pad->link);
	free(pad);
	tablets_release_if_empty(server);
}

static void add_pad(struct comp_server *server, struct wlr_input_device *device) {
	struct comp_tablets *tablets = tablets_get(server);
	struct comp_tablet_pad *pad = tablets ? calloc(1, sizeof(*pad)) : NULL;
	if (!pad) {
		lumen_log(LUMEN_ERROR, "tablet: out of memory for pad '%s'", device->name);
		tablets_release_if_empty(server);
		return;
	}
	/* Before wlroots' own listener, so that its pad still exists when ours runs. */
	pad->destroy.notify = handle_pad_destroy;
	wl_signal_add(&device->events.destroy, &pad->destroy);
	pad->pad_v2 = wlr_tablet_pad_create(server->tablet, server->seat, device);
	if (!pad->pad_v2) {
		lumen_log(LUMEN_ERROR, "tablet: out of memory for pad '%s'", device->name);
		wl_list_remove(&pad->destroy.link);
		free(pad);
		tablets_release_if_empty(server);
		return;
	}
	pad->server = server;
	pad->device = device;
	wl_list_init(&pad->focus_destroy.link);
	pad->focus_destroy.notify = handle_pad_focus_destroy;
	pad->keyboard_focus.notify = handle_pad_keyboard_focus;
	wl_signal_add(&server->seat->keyboard_state.events.focus_change, &pad->keyboard_focus);
	struct wlr_tablet_pad *wlr_pad = device->tablet_pad;
	pad->button.notify = handle_pad_button;
	wl_signal_add(&wlr_pad->events.button, &pad->button);
	pad->ring.notify = handle_pad_ring;
	wl_signal_add(&wlr_pad->events.ring, &pad->ring);
	pad->strip.notify = handle_pad_strip;
	wl_signal_add(&wlr_pad->events.strip, &pad->strip);
	wl_list_insert(&tablets->pads, &pad->link);
	lumen_log(LUMEN_INFO, "tablet: pad '%s' added", device->name ? device->name : "");
}

void comp_tablet_add_device(struct comp_server *server, struct wlr_input_device *device) {
	if (device->type == WLR_INPUT_DEVICE_TABLET_TOOL) {
		add_tablet(server, device);
	} else if (device->type == WLR_INPUT_DEVICE_TABLET_PAD) {
		add_pad(server, device);
	}
}
