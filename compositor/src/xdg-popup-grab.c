/*
 * The xdg_popup grab (xdg-wm-base.c's popups): while popups hold an explicit grab,
 * pointer, keyboard and touch go to the grabbing client's surfaces, the topmost
 * grabbing popup has the keyboard, and a press outside the client dismisses them all.
 */
#include <wayland-server-core.h>
#include <wlr/types/wlr_seat.h>
#include "xdg-popup-grab.h"
#include "xdg-shell-protocol.h"
#include "xdg-wm-base.h"

struct comp_xdg_popup *comp_xdg_grab_top(struct comp_xdg_shell *shell) {
	if (wl_list_empty(&shell->grab.popups)) {
		return NULL;
	}
	struct comp_xdg_popup *top = wl_container_of(shell->grab.popups.next, top, grab_link);
	return top;
}

void comp_xdg_grab_focus_top(struct comp_xdg_shell *shell) {
	struct comp_xdg_popup *top = comp_xdg_grab_top(shell);
	struct wlr_seat *seat = shell->grab.seat;
	if (!top || !seat) {
		return;
	}
	/* The topmost grabbing popup has the keyboard (bypassing our own grab's enter). */
	struct wlr_keyboard *kbd = wlr_seat_get_keyboard(seat);
	if (kbd) {
		wlr_seat_keyboard_enter(seat, top->base->surface, kbd->keycodes, kbd->num_keycodes,
			&kbd->modifiers);
	} else {
		wlr_seat_keyboard_enter(seat, top->base->surface, NULL, 0, NULL);
	}
}

static void grab_end(struct comp_xdg_shell *shell) {
	struct wlr_seat *seat = shell->grab.seat;
	if (!seat) {
		return;
	}
	shell->grab.seat = NULL;
	shell->grab.client = NULL;
	if (seat->pointer_state.grab == &shell->grab.pointer) {
		wlr_seat_pointer_end_grab(seat);
	}
	if (seat->keyboard_state.grab == &shell->grab.keyboard) {
		wlr_seat_keyboard_end_grab(seat);
	}
	if (seat->touch_state.grab == &shell->grab.touch) {
		wlr_seat_touch_end_grab(seat);
	}
	wl_signal_emit(&shell->events.grab_end, NULL);
}

/* The popup leaves the grab (unmapped, destroyed or dismissed). */
void comp_xdg_grab_remove_popup(struct comp_xdg_popup *popup) {
	struct comp_xdg_shell *shell = comp_xdg_popup_shell(popup);
	if (!popup->grabbing) {
		return;
	}
	popup->grabbing = false;
	wl_list_remove(&popup->grab_link);
	wl_list_init(&popup->grab_link);
	if (wl_list_empty(&shell->grab.popups)) {
		grab_end(shell);
	} else {
		comp_xdg_grab_focus_top(shell); // the grab goes back to the parent popup
	}
}

void comp_xdg_popup_dismiss(struct comp_xdg_popup *popup) {
	if (!popup->base) {
		return;
	}
	/* Those above it first, as the client must destroy them. */
	struct comp_xdg_popup *child, *tmp;
	wl_list_for_each_safe(child, tmp, &popup->base->popups, link) {
		comp_xdg_popup_dismiss(child);
	}
	if (!popup->dismissed && popup->resource) {
		popup->dismissed = true;
		xdg_popup_send_popup_done(popup->resource);
	}
	comp_xdg_grab_remove_popup(popup);
	if (popup->base->mapped) {
		popup->base->mapped = false;
		if (popup->base->tree) {
			wlr_scene_node_set_enabled(&popup->base->tree->node, false);
		}
		wl_signal_emit(&popup->base->events.unmap, popup->base);
	}
}

void comp_xdg_shell_dismiss_grab(struct comp_xdg_shell *shell) {
	/* Bottom grabbing popup first dismisses everything above it too. */
	while (!wl_list_empty(&shell->grab.popups)) {
		struct comp_xdg_popup *bottom =
			wl_container_of(shell->grab.popups.prev, bottom, grab_link);
		comp_xdg_popup_dismiss(bottom);
	}
	grab_end(shell);
}

static void pointer_grab_enter(struct wlr_seat_pointer_grab *grab, struct wlr_surface *surface,
		double sx, double sy) {
	struct comp_xdg_shell *shell = grab->data;
	/* Owner events: the client's own surfaces get the pointer as usual. */
	if (wl_resource_get_client(surface->resource) == shell->grab.client) {
		wlr_seat_pointer_enter(grab->seat, surface, sx, sy);
	} else {
		wlr_seat_pointer_clear_focus(grab->seat);
	}
}

static void pointer_grab_clear_focus(struct wlr_seat_pointer_grab *grab) {
	wlr_seat_pointer_clear_focus(grab->seat);
}

static void pointer_grab_motion(struct wlr_seat_pointer_grab *grab, uint32_t time,
		double sx, double sy) {
	wlr_seat_pointer_send_motion(grab->seat, time, sx, sy);
}

static uint32_t pointer_grab_button(struct wlr_seat_pointer_grab *grab, uint32_t time,
		uint32_t button, uint32_t state) {
	struct comp_xdg_shell *shell = grab->data;
	uint32_t serial = wlr_seat_pointer_send_button(grab->seat, time, button, state);
	if (!serial && state == WL_POINTER_BUTTON_STATE_PRESSED) {
		/* A press outside the client's surfaces: the popups go. */
		comp_xdg_shell_dismiss_grab(shell);
	}
	return serial;
}

static void pointer_grab_axis(struct wlr_seat_pointer_grab *grab, uint32_t time,
		enum wlr_axis_orientation orientation, double value, int32_t value_discrete,
		enum wlr_axis_source source) {
	wlr_seat_pointer_send_axis(grab->seat, time, orientation, value, value_discrete, source);
}

static void pointer_grab_frame(struct wlr_seat_pointer_grab *grab) {
	wlr_seat_pointer_send_frame(grab->seat);
}

static void pointer_grab_cancel(struct wlr_seat_pointer_grab *grab) {
	comp_xdg_shell_dismiss_grab(grab->data);
}

static const struct wlr_pointer_grab_interface pointer_grab_impl = {
	.enter = pointer_grab_enter,
	.clear_focus = pointer_grab_clear_focus,
	.motion = pointer_grab_motion,
	.button = pointer_grab_button,
	.axis = pointer_grab_axis,
	.frame = pointer_grab_frame,
	.cancel = pointer_grab_cancel,
};

static void keyboard_grab_enter(struct wlr_seat_keyboard_grab *grab, struct wlr_surface *surface,
		uint32_t keycodes[], size_t num_keycodes, struct wlr_keyboard_modifiers *modifiers) {
	struct comp_xdg_shell *shell = grab->data;
	if (surface && wl_resource_get_client(surface->resource) != shell->grab.client) {
		/* Another client's window takes focus: the menus close, focus goes there. */
		struct wlr_seat *seat = grab->seat;
		comp_xdg_shell_dismiss_grab(shell);
		wlr_seat_keyboard_enter(seat, surface, keycodes, num_keycodes, modifiers);
	}
	/* Within the client, the topmost grabbing popup keeps the keyboard. */
}

static void keyboard_grab_clear_focus(struct wlr_seat_keyboard_grab *grab) {
}

static void keyboard_grab_key(struct wlr_seat_keyboard_grab *grab, uint32_t time, uint32_t key,
		uint32_t state) {
	wlr_seat_keyboard_send_key(grab->seat, time, key, state);
}

static void keyboard_grab_modifiers(struct wlr_seat_keyboard_grab *grab,
		struct wlr_keyboard_modifiers *modifiers) {
	wlr_seat_keyboard_send_modifiers(grab->seat, modifiers);
}

static void keyboard_grab_cancel(struct wlr_seat_keyboard_grab *grab) {
	comp_xdg_shell_dismiss_grab(grab->data);
}

static const struct wlr_keyboard_grab_interface keyboard_grab_impl = {
	.enter = keyboard_grab_enter,
	.clear_focus = keyboard_grab_clear_focus,
	.key = keyboard_grab_key,
	.modifiers = keyboard_grab_modifiers,
	.cancel = keyboard_grab_cancel,
};

static uint32_t touch_grab_down(struct wlr_seat_touch_grab *grab, uint32_t time,
		struct wlr_touch_point *point) {
	struct comp_xdg_shell *shell = grab->data;
	if (wl_resource_get_client(point->surface->resource) != shell->grab.client) {
		comp_xdg_shell_dismiss_grab(shell);
		return 0;
	}
	return wlr_seat_touch_send_down(grab->seat, point->surface, time, point->touch_id,
		point->sx, point->sy);
}

static void touch_grab_up(struct wlr_seat_touch_grab *grab, uint32_t time,
		struct wlr_touch_point *point) {
	wlr_seat_touch_send_up(grab->seat, time, point->touch_id);
}

static void touch_grab_motion(struct wlr_seat_touch_grab *grab, uint32_t time,
		struct wlr_touch_point *point) {
	wlr_seat_touch_send_motion(grab->seat, time, point->touch_id, point->sx, point->sy);
}

static void touch_grab_enter(struct wlr_seat_touch_grab *grab, uint32_t time,
		struct wlr_touch_point *point) {
}

static void touch_grab_frame(struct wlr_seat_touch_grab *grab) {
	wlr_seat_touch_send_frame(grab->seat);
}

static void touch_grab_cancel(struct wlr_seat_touch_grab *grab) {
	comp_xdg_shell_dismiss_grab(grab->data);
}

static const struct wlr_touch_grab_interface touch_grab_impl = {
	.down = touch_grab_down,
	.up = touch_grab_up,
	.motion = touch_grab_motion,
	.enter = touch_grab_enter,
	.frame = touch_grab_frame,
	.cancel = touch_grab_cancel,
};

void comp_xdg_grab_init(struct comp_xdg_shell *shell) {
	shell->grab.pointer.interface = &pointer_grab_impl;
	shell->grab.pointer.data = shell;
	shell->grab.keyboard.interface = &keyboard_grab_impl;
	shell->grab.keyboard.data = shell;
	shell->grab.touch.interface = &touch_grab_impl;
	shell->grab.touch.data = shell;
}
