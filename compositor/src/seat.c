/*
 * The seat: keyboards (xkb layouts from config, switching, key bindings), the
 * pointer (click to focus, Super+drag to move and resize, decoration buttons),
 * virtual devices from trusted clients, selections and drag and drop.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/input-event-codes.h>
#include <wlr/backend/libinput.h>
#include <wlr/backend/multi.h>
#include <wlr/types/wlr_compositor.h>
#include <wlr/types/wlr_data_device.h>
#include <wlr/types/wlr_input_inhibitor.h>
#include <wlr/types/wlr_touch.h>
#include <wlr/types/wlr_pointer_constraints_v1.h>
#include <wlr/types/wlr_pointer_gestures_v1.h>
#include <wlr/types/wlr_primary_selection.h>
#include <wlr/types/wlr_relative_pointer_v1.h>
#include <wlr/types/wlr_virtual_keyboard_v1.h>
#include <wlr/types/wlr_virtual_pointer_v1.h>
#include <wlr/types/wlr_keyboard_shortcuts_inhibit_v1.h>
#include <wlr/util/edges.h>
#include "common/log.h"
#include "input-backend.h"
#include "protocols-ext.h"
#include "server.h"

#define MAX_CONSUMED (sizeof(((struct comp_server *)0)->consumed_keys) / sizeof(uint32_t))

/*
 * Keymaps. Every keyboard gets the [keyboard] settings, or those of its own
 * [keyboard NAME] section (by device name) where it has one; what that section leaves
 * out comes from [keyboard], except the variant, which belongs to the layout it was
 * written for.
 *
 * The layout (xkb group) is the seat's, not a device's: switching on one keyboard
 * switches every keyboard whose keymap has that many layouts, and a keyboard that
 * appears later (hotplug, inputd coming back) starts in it. Virtual keyboards are left
 * alone: their keymaps are their clients'.
 */
static struct xkb_keymap *compile_keymap(struct comp_server *server,
		const struct comp_keyboard_config *kc) {
	struct xkb_context *context = xkb_context_new(XKB_CONTEXT_NO_FLAGS);
	if (!context) {
		return NULL;
	}
	const struct comp_config *config = &server->config;
	struct xkb_rule_names rules = {
		.rules = kc && kc->xkb_rules ? kc->xkb_rules : config->xkb_rules,
		.model = kc && kc->xkb_model ? kc->xkb_model : config->xkb_model,
		.layout = kc && kc->xkb_layout ? kc->xkb_layout : config->xkb_layout,
		.variant = kc && kc->xkb_variant ? kc->xkb_variant
			: kc && kc->xkb_layout ? NULL : config->xkb_variant,
		.options = kc && kc->xkb_options ? kc->xkb_options : config->xkb_options,
	};
	struct xkb_keymap *keymap = xkb_keymap_new_from_names(context, &rules,
		XKB_KEYMAP_COMPILE_NO_FLAGS);
	if (!keymap) {
		lumen_log(LUMEN_ERROR, "keyboard%s%s: layout '%s' variant '%s' options '%s' do not "
			"compile; using the default layout", kc ? " " : "", kc ? kc->name : "",
			rules.layout ? rules.layout : "", rules.variant ? rules.variant : "",
			rules.options ? rules.options : "");
		struct xkb_rule_names fallback = {0};
		keymap = xkb_keymap_new_from_names(context, &fallback, XKB_KEYMAP_COMPILE_NO_FLAGS);
	}
	xkb_context_unref(context);
	return keymap;
}

static void configure_keyboard(struct comp_server *server, struct wlr_input_device *device) {
	struct wlr_keyboard *kbd = device->keyboard;
	const struct comp_keyboard_config *kc = comp_config_find_keyboard(&server->config,
		device->name);
	struct xkb_keymap *keymap = compile_keymap(server, kc);
	if (keymap) {
		wlr_keyboard_set_keymap(kbd, keymap);
		xkb_keymap_unref(keymap);
	}
	int rate = kc && kc->repeat_rate >= 0 ? kc->repeat_rate : server->config.repeat_rate;
	int delay = kc && kc->repeat_delay >= 0 ? kc->repeat_delay : server->config.repeat_delay;
	wlr_keyboard_set_repeat_info(kbd, rate, delay);
	bool numlock = kc && kc->numlock >= 0 ? kc->numlock : server->config.numlock;
	if (!kbd->keymap) {
		return;
	}
	uint32_t locked = kbd->modifiers.locked;
	xkb_mod_index_t num = xkb_keymap_mod_get_index(kbd->keymap, XKB_MOD_NAME_NUM);
	if (numlock && num != XKB_MOD_INVALID) {
		locked |= 1u << num;
	}
	/* The seat's layout, where this keymap has it. */
	uint32_t group = server->kbd_group < xkb_keymap_num_layouts(kbd->keymap) ?
		server->kbd_group : 0;
	if (locked != kbd->modifiers.locked || group != kbd->modifiers.group) {
		wlr_keyboard_notify_modifiers(kbd, kbd->modifiers.depressed, kbd->modifiers.latched,
			locked, group);
	}
}

void comp_seat_apply_keyboard_config(struct comp_server *server) {
	struct comp_keyboard *keyboard;
	wl_list_for_each(keyboard, &server->keyboards, link) {
		/* A virtual keyboard's keymap belongs to its client. */
		if (!wlr_input_device_get_virtual_keyboard(keyboard->device)) {
			configure_keyboard(server, keyboard->device);
		}
	}
}

/* The modifiers (and layout) of this keyboard go to the seat's clients, or to the input
 * method while it grabs the keyboard. */
static void forward_modifiers(struct comp_server *server, struct comp_keyboard *keyboard) {
	struct wlr_keyboard *kbd = keyboard->device->keyboard;
	if (kbd->keymap && !comp_im_relay_handle_modifiers(server->im_relay, keyboard->device)) {
		wlr_seat_set_keyboard(server->seat, keyboard->device);
		wlr_seat_keyboard_notify_modifiers(server->seat, &kbd->modifiers);
	}
}

/* Makes group the seat's layout: every other keyboard that has it follows. */
static void sync_group(struct comp_server *server, struct comp_keyboard *origin,
		uint32_t group) {
	server->kbd_group = group;
	server->kbd_syncing = true;
	struct comp_keyboard *seat_keyboard = NULL;
	struct comp_keyboard *keyboard;
	wl_list_for_each(keyboard, &server->keyboards, link) {
		struct wlr_keyboard *kbd = keyboard->device->keyboard;
		if (kbd == wlr_seat_get_keyboard(server->seat)) {
			seat_keyboard = keyboard;
		}
		if (keyboard == origin || !kbd->keymap ||
				wlr_input_device_get_virtual_keyboard(keyboard->device) ||
				group >= xkb_keymap_num_layouts(kbd->keymap) || kbd->modifiers.group == group) {
			continue;
		}
		wlr_keyboard_notify_modifiers(kbd, kbd->modifiers.depressed, kbd->modifiers.latched,
			kbd->modifiers.locked, group);
	}
	server->kbd_syncing = false;
	/* Clients heard nothing while we synced: tell them of the seat keyboard's state. */
	if (seat_keyboard && seat_keyboard != origin) {
		forward_modifiers(server, seat_keyboard);
	}
	comp_ipc_event(server, "layout", "change", NULL);
}

static bool has_layout(struct comp_server *server, int index) {
	struct comp_keyboard *keyboard;
	wl_list_for_each(keyboard, &server->keyboards, link) {
		struct wlr_keyboard *kbd = keyboard->device->keyboard;
		if (kbd->keymap && index >= 0 &&
				(xkb_layout_index_t)index < xkb_keymap_num_layouts(kbd->keymap)) {
			return true;
		}
	}
	return false;
}

bool comp_seat_set_layout(struct comp_server *server, int index) {
	if (!has_layout(server, index)) {
		return false;
	}
	sync_group(server, NULL, (uint32_t)index);
	return true;
}

static struct wlr_keyboard *main_keyboard(struct comp_server *server) {
	struct wlr_keyboard *kbd = wlr_seat_get_keyboard(server->seat);
	if (kbd) {
		return kbd;
	}
	if (wl_list_empty(&server->keyboards)) {
		return NULL;
	}
	struct comp_keyboard *keyboard = wl_container_of(server->keyboards.next, keyboard, link);
	return keyboard->device->keyboard;
}

int comp_seat_layout_index(struct comp_server *server) {
	struct wlr_keyboard *kbd = main_keyboard(server);
	return kbd && kbd->xkb_state ? (int)xkb_state_serialize_layout(kbd->xkb_state,
		XKB_STATE_LAYOUT_EFFECTIVE) : 0;
}

const char *comp_seat_layout_name(struct comp_server *server, int index) {
	struct wlr_keyboard *kbd = main_keyboard(server);
	if (!kbd || !kbd->keymap || index < 0 ||
			(xkb_layout_index_t)index >= xkb_keymap_num_layouts(kbd->keymap)) {
		return NULL;
	}
	return xkb_keymap_layout_get_name(kbd->keymap, (xkb_layout_index_t)index);
}

static bool shortcuts_inhibited(struct comp_server *server) {
	struct wlr_surface *focus = server->seat->keyboard_state.focused_surface;
	if (!focus || !server->shortcuts_inhibit) {
		return false;
	}
	struct wlr_keyboard_shortcuts_inhibitor_v1 *inhibitor;
	wl_list_for_each(inhibitor, &server->shortcuts_inhibit->inhibitors, link) {
		if (inhibitor->surface == focus && inhibitor->active) {
			return true;
		}
	}
	return false;
}

static void handle_key(struct wl_listener *listener, void *data) {
	struct comp_keyboard *keyboard = wl_container_of(listener, keyboard, key);
	struct comp_server *server = keyboard->server;
	struct wlr_event_keyboard_key *event = data;
	struct wlr_keyboard *kbd = keyboard->device->keyboard;
	uint32_t keycode = event->keycode + 8;

	/* The screen reader's chords and its toggle, before bindings and clients. */
	if (comp_reader_keys_handle_key(server, keyboard->device, event)) {
		return;
	}

	bool handled = false;
	if (event->state == WL_KEYBOARD_KEY_STATE_PRESSED && kbd->xkb_state) {
		/*
		 * Bindings match the key's level-0 keysym in the current layout, so that
		 * Super+Shift+1 is "1" with Shift, not "exclam", in every layout.
		 */
		xkb_layout_index_t layout = xkb_state_key_get_layout(kbd->xkb_state, keycode);
		const xkb_keysym_t *syms;
		int nsyms = xkb_keymap_key_get_syms_by_level(kbd->keymap, keycode,
			layout == XKB_LAYOUT_INVALID ? 0 : layout, 0, &syms);
		uint32_t modifiers = wlr_keyboard_get_modifiers(kbd);
		/* While a locker holds the input, no binding may reach around it. */
		bool inhibited = shortcuts_inhibited(server) ||
			server->input_inhibit->active_client != NULL || comp_session_lock_active(server);
		/*
		 * A key that switches the layout through the keymap (grp:win_space_toggle makes
		 * Super+Space ISO_Next_Group) is xkb's: a binding on the same chord (the default
		 * Super+Space layout-next) would switch a second time.
		 */
		const xkb_keysym_t *gsyms;
		int ngsyms = xkb_state_key_get_syms(kbd->xkb_state, keycode, &gsyms);
		for (int i = 0; i < ngsyms; i++) {
			if (gsyms[i] >= XKB_KEY_ISO_Group_Latch && gsyms[i] <= XKB_KEY_ISO_Last_Group_Lock) {
				inhibited = true;
			}
		}
		for (int i = 0; i < nsyms && !handled; i++) {
			xkb_keysym_t sym = xkb_keysym_to_lower(syms[i]);
			if (!inhibited) {
				handled = comp_bindings_handle(server, modifiers, sym);
			}
		}
		/* Also try the translated keysym, for bindings on keys like XF86AudioMute. */
		const xkb_keysym_t *tsyms;
		int ntsyms = xkb_state_key_get_syms(kbd->xkb_state, keycode, &tsyms);
		for (int i = 0; i < ntsyms && !handled && !inhibited; i++) {
			handled = comp_bindings_handle(server, modifiers, xkb_keysym_to_lower(tsyms[i]));
		}
		/*
		 * In a layout without Latin letters (ru, ara) Ctrl+Alt+k is Ctrl+Alt+Cyrillic_el:
		 * then the same key in the other layouts counts, as GTK and Qt do for their
		 * shortcuts.
		 */
		xkb_layout_index_t nlayouts = xkb_keymap_num_layouts_for_key(kbd->keymap, keycode);
		for (xkb_layout_index_t l = 0; l < nlayouts && !handled && !inhibited; l++) {
			if (l == layout) {
				continue;
			}
			const xkb_keysym_t *lsyms;
			int nlsyms = xkb_keymap_key_get_syms_by_level(kbd->keymap, keycode, l, 0, &lsyms);
			for (int i = 0; i < nlsyms && !handled; i++) {
				handled = comp_bindings_handle(server, modifiers, xkb_keysym_to_lower(lsyms[i]));
			}
		}
		if (handled) {
			for (size_t i = 0; i < MAX_CONSUMED; i++) {
				if (server->consumed_keys[i] == 0) {
					server->consumed_keys[i] = event->keycode + 1;
					break;
				}
			}
		}
	} else if (event->state == WL_KEYBOARD_KEY_STATE_RELEASED) {
		for (size_t i = 0; i < MAX_CONSUMED; i++) {
			if (server->consumed_keys[i] == event->keycode + 1) {
				server->consumed_keys[i] = 0;
				handled = true;
			}
		}
	}
	comp_protocols_notify_activity(server);
	/* Assistive technologies (atspi-keys.c) may hold the key, take it, or let it go. */
	if (!handled && comp_atspi_keys_handle_key(server->atspi_keys, keyboard->device, event)) {
		handled = true;
	}
	if (!handled) {
		comp_seat_deliver_key(server, keyboard->device, event->time_msec, event->keycode,
			event->state);
	}
}

void comp_seat_deliver_key(struct comp_server *server, struct wlr_input_device *device,
		uint32_t time_msec, uint32_t keycode, uint32_t state) {
	if (!device) { // a keyboard being destroyed: the seat must not take it up again
		if (wlr_seat_get_keyboard(server->seat)) {
			wlr_seat_keyboard_notify_key(server->seat, time_msec, keycode, state);
		}
		return;
	}
	if (comp_im_relay_handle_key(server->im_relay, device, time_msec, keycode, state)) {
		return;
	}
	if (device->keyboard->keymap) {
		wlr_seat_set_keyboard(server->seat, device);
		wlr_seat_keyboard_notify_key(server->seat, time_msec, keycode, state);
	}
}

void comp_seat_deliver_modifiers(struct comp_server *server, struct wlr_input_device *device,
		struct wlr_keyboard_modifiers *modifiers) {
	if (!device) {
		if (wlr_seat_get_keyboard(server->seat)) {
			wlr_seat_keyboard_notify_modifiers(server->seat, modifiers);
		}
		return;
	}
	if (device->keyboard->keymap &&
			!comp_im_relay_handle_modifiers(server->im_relay, device)) {
		wlr_seat_set_keyboard(server->seat, device);
		wlr_seat_keyboard_notify_modifiers(server->seat, modifiers);
	}
}

static void handle_modifiers(struct wl_listener *listener, void *data) {
	struct comp_keyboard *keyboard = wl_container_of(listener, keyboard, modifiers);
	struct comp_server *server = keyboard->server;
	struct wlr_keyboard *kbd = keyboard->device->keyboard;
	if (server->switching && !(wlr_keyboard_get_modifiers(kbd) & WLR_MODIFIER_ALT)) {
		comp_workspace_end_switch(server);
	}
	if (server->kbd_syncing) {
		return; // sync_group tells the seat once it is done
	}
	/* Behind keys held for assistive technologies, modifiers wait their turn. */
	if (!comp_atspi_keys_handle_modifiers(server->atspi_keys, keyboard->device)) {
		forward_modifiers(server, keyboard);
	}
	if (wlr_input_device_get_virtual_keyboard(keyboard->device)) {
		if (kbd->modifiers.group != keyboard->last_group) {
			keyboard->last_group = kbd->modifiers.group;
			comp_ipc_event(server, "layout", "change", NULL);
		}
	} else if (kbd->keymap && kbd->modifiers.group != server->kbd_group) {
		/* Switched on this keyboard (grp:alt_shift_toggle and the like). */
		sync_group(server, keyboard, kbd->modifiers.group);
	}
}

static void update_capabilities(struct comp_server *server) {
	uint32_t caps = WL_SEAT_CAPABILITY_POINTER;
	if (!wl_list_empty(&server->keyboards)) {
		caps |= WL_SEAT_CAPABILITY_KEYBOARD;
	}
	if (server->touch_devices > 0) {
		caps |= WL_SEAT_CAPABILITY_TOUCH;
	}
	wlr_seat_set_capabilities(server->seat, caps);
}

static void free_later(void *data) {
	free(data);
}

static void handle_keyboard_destroy(struct wl_listener *listener, void *data) {
	struct comp_keyboard *keyboard = wl_container_of(listener, keyboard, destroy);
	struct comp_server *server = keyboard->server;
	/* Keys still held for assistive technologies go out while the keyboard is here. */
	comp_atspi_keys_keyboard_destroyed(server->atspi_keys, keyboard->device);
	if (wlr_input_device_get_virtual_keyboard(keyboard->device)) {
		/*
		 * wlroots 0.15.1 never frees a virtual keyboard's wlr_keyboard (its destroy
		 * hook is empty); once the destruction in progress is over, nothing refers
		 * to it, so free it then.
		 */
		wl_event_loop_add_idle(server->loop, free_later, keyboard->device->keyboard);
	}
	wl_list_remove(&keyboard->modifiers.link);
	wl_list_remove(&keyboard->key.link);
	wl_list_remove(&keyboard->destroy.link);
	wl_list_remove(&keyboard->link);
	free(keyboard);
	/* Keep a keymap on the seat: fall back to another keyboard, if any. */
	struct comp_keyboard *other;
	wl_list_for_each(other, &server->keyboards, link) {
		if (other->device->keyboard->keymap &&
				wlr_seat_get_keyboard(server->seat) == NULL) {
			wlr_seat_set_keyboard(server->seat, other->device);
		}
	}
	update_capabilities(server);
}

static void add_keyboard(struct comp_server *server, struct wlr_input_device *device,
		bool configure) {
	struct comp_keyboard *keyboard = calloc(1, sizeof(*keyboard));
	if (!keyboard) {
		return;
	}
	keyboard->server = server;
	keyboard->device = device;
	if (configure) {
		configure_keyboard(server, device);
	}
	keyboard->modifiers.notify = handle_modifiers;
	wl_signal_add(&device->keyboard->events.modifiers, &keyboard->modifiers);
	keyboard->key.notify = handle_key;
	wl_signal_add(&device->keyboard->events.key, &keyboard->key);
	keyboard->destroy.notify = handle_keyboard_destroy;
	wl_signal_add(&device->events.destroy, &keyboard->destroy);
	wl_list_insert(&server->keyboards, &keyboard->link);
	/*
	 * A virtual keyboard has no keymap until its client sends one; made the seat's
	 * keyboard before that, clients would be sent an invalid keymap fd.
	 */
	if (device->keyboard->keymap) {
		wlr_seat_set_keyboard(server->seat, device);
	}
	update_capabilities(server);
}

struct comp_touch_device {
	struct comp_server *server;
	struct wl_listener destroy;
};

static void handle_touch_device_destroy(struct wl_listener *listener, void *data) {
	struct comp_touch_device *touch = wl_container_of(listener, touch, destroy);
	struct comp_server *server = touch->server;
	wl_list_remove(&touch->destroy.link);
	free(touch);
	server->touch_devices--;
	update_capabilities(server);
}

static void add_touch(struct comp_server *server, struct wlr_input_device *device) {
	struct comp_touch_device *touch = calloc(1, sizeof(*touch));
	if (!touch) {
		return;
	}
	touch->server = server;
	touch->destroy.notify = handle_touch_device_destroy;
	wl_signal_add(&device->events.destroy, &touch->destroy);
	server->touch_devices++;
	wlr_cursor_attach_input_device(server->cursor, device);
}

/* [input] and [input NAME] of the config, for inputd's pointers, touchpads and tablets. */
static void configure_input(struct wlr_input_device *device, void *data) {
	struct comp_server *server = data;
	if (device->type == WLR_INPUT_DEVICE_KEYBOARD) {
		return;
	}
	struct comp_input_config ic;
	comp_config_input_for(&server->config, device->name, &ic);
	struct comp_input_settings s = {
		.tap = ic.tap, .natural_scroll = ic.natural_scroll, .left_handed = ic.left_handed,
		.accel_profile = ic.accel_profile, .accel_speed = ic.accel_speed,
		.scroll_method = ic.scroll_method,
	};
	comp_input_device_configure(device, &s);
}

static void configure_backend_inputs(struct wlr_backend *backend, void *data) {
	comp_input_backend_for_each_device(backend, configure_input, data);
}

void comp_seat_apply_input_config(struct comp_server *server) {
	if (wlr_backend_is_multi(server->backend)) {
		wlr_multi_for_each_backend(server->backend, configure_backend_inputs, server);
	} else {
		configure_backend_inputs(server->backend, server);
	}
}

static void handle_new_input(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, new_input);
	struct wlr_input_device *device = data;
	switch (device->type) {
	case WLR_INPUT_DEVICE_KEYBOARD:
		add_keyboard(server, device, true);
		break;
	case WLR_INPUT_DEVICE_TOUCH:
		add_touch(server, device);
		break;
	case WLR_INPUT_DEVICE_POINTER:
		wlr_cursor_attach_input_device(server->cursor, device);
		break;
	case WLR_INPUT_DEVICE_TABLET_TOOL:
	case WLR_INPUT_DEVICE_TABLET_PAD:
		comp_tablet_add_device(server, device);
		break;
	default:
		break;
	}
	configure_input(device, server);
	update_capabilities(server);
}

static void handle_new_virtual_keyboard(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, new_virtual_keyboard);
	struct wlr_virtual_keyboard_v1 *vkbd = data;
	add_keyboard(server, &vkbd->input_device, false);
}

static void handle_new_virtual_pointer(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, new_virtual_pointer);
	struct wlr_virtual_pointer_v1_new_pointer_event *event = data;
	struct wlr_input_device *device = &event->new_pointer->input_device;
	wlr_cursor_attach_input_device(server->cursor, device);
	if (event->suggested_output) {
		wlr_cursor_map_input_to_output(server->cursor, device, event->suggested_output);
	}
}

bool comp_seat_client_allowed(struct comp_server *server, struct wl_client *client) {
	if (!comp_session_lock_client_allowed(server, client)) {
		return false; // ext-session-lock.c: while locked, only the locker
	}
	struct wl_client *exclusive = server->input_inhibit ? server->input_inhibit->active_client
		: NULL;
	return !exclusive || exclusive == client;
}

/*
 * per_window_layout: the window that loses the keyboard keeps the layout it had; the
 * one that gets it goes back to its own, or to the first layout if it never had the
 * keyboard (as KDE's and labwc's per-window policies do). Surfaces that are not windows
 * (layer surfaces: a launcher, a lock screen) change nothing.
 */
static void restore_window_layout(struct comp_server *server, struct wlr_surface *previous,
		struct wlr_surface *next) {
	struct comp_view *old = previous ? comp_view_from_surface(server, previous) : NULL;
	struct comp_view *view = next ? comp_view_from_surface(server, next) : NULL;
	if (old) {
		old->layout = server->kbd_group;
		old->has_layout = true;
	}
	if (!view) {
		return;
	}
	uint32_t group = view->has_layout ? view->layout : 0;
	if (group != server->kbd_group) {
		comp_seat_set_layout(server, (int)group);
	}
}

void comp_seat_focus_surface(struct comp_server *server, struct wlr_surface *surface) {
	if (comp_session_lock_active(server)) {
		/* While locked only lock surfaces take the keyboard, over any exclusive layer. */
		if (surface && !comp_session_lock_owns_surface(server, surface)) {
			return;
		}
		server->focused_layer = NULL;
	}
	if (surface && !comp_seat_client_allowed(server,
			wl_resource_get_client(surface->resource))) {
		return;
	}
	/* An exclusive layer surface (a lock screen, a launcher) keeps the keyboard. */
	if (server->focused_layer && server->focused_layer->mapped &&
			server->focused_layer->layer_surface->current.keyboard_interactive ==
				ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_EXCLUSIVE) {
		return;
	}
	server->focused_layer = NULL;
	if (!surface) {
		wlr_seat_keyboard_notify_clear_focus(server->seat);
		comp_im_relay_set_focus(server->im_relay, NULL);
		return;
	}
	struct wlr_surface *previous = server->seat->keyboard_state.focused_surface;
	struct wlr_keyboard *kbd = wlr_seat_get_keyboard(server->seat);
	if (kbd) {
		wlr_seat_keyboard_notify_enter(server->seat, surface, kbd->keycodes, kbd->num_keycodes,
			&kbd->modifiers);
	} else {
		wlr_seat_keyboard_notify_enter(server->seat, surface, NULL, 0, NULL);
	}
	if (server->config.per_window_layout && previous != surface) {
		restore_window_layout(server, previous, surface);
	}
	comp_im_relay_set_focus(server->im_relay, surface);
}

void comp_seat_focus_layer(struct comp_server *server, struct comp_layer_surface *layer) {
	if (!layer) {
		server->focused_layer = NULL;
		struct comp_view *view = server->focused_view;
		comp_seat_focus_surface(server, view ? comp_view_surface(view) : NULL);
		return;
	}
	server->focused_layer = NULL;
	comp_seat_focus_surface(server, layer->layer_surface->surface);
	server->focused_layer = layer;
}

/* Pointer. */

static void process_move(struct comp_server *server) {
	struct comp_view *view = server->grabbed_view;
	comp_view_move_to(view, (int)(server->cursor->x - server->grab_x),
		(int)(server->cursor->y - server->grab_y));
}

static void process_resize(struct comp_server *server) {
	struct comp_view *view = server->grabbed_view;
	double bx = server->cursor->x - server->grab_x;
	double by = server->cursor->y - server->grab_y;
	struct wlr_box g = server->grab_box;
	int left = g.x, right = g.x + g.width, top = g.y, bottom = g.y + g.height;
	const int min = 2 * comp_decoration_title_height() + 16;
	if (server->resize_edges & WLR_EDGE_TOP) {
		top = (int)by;
		if (top >= bottom - min) {
			top = bottom - min;
		}
	} else if (server->resize_edges & WLR_EDGE_BOTTOM) {
		bottom = (int)by;
		if (bottom <= top + min) {
			bottom = top + min;
		}
	}
	if (server->resize_edges & WLR_EDGE_LEFT) {
		left = (int)bx;
		if (left >= right - min) {
			left = right - min;
		}
	} else if (server->resize_edges & WLR_EDGE_RIGHT) {
		right = (int)bx;
		if (right <= left + min) {
			right = left + min;
		}
	}
	struct wlr_box box = {left, top, right - left, bottom - top};
	comp_view_set_frame_box(view, box);
}

static void update_constraint(struct comp_server *server);

static void handle_rebase(void *data) {
	struct comp_server *server = data;
	server->rebase_idle = NULL;
	/* Only plain pointing: a move or resize in progress drives the window itself. */
	if (server->cursor_mode != COMP_CURSOR_PASSTHROUGH ||
			server->seat->pointer_state.button_count > 0) {
		return;
	}
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	uint32_t msec = (uint32_t)(now.tv_sec * 1000 + now.tv_nsec / 1000000);
	double sx, sy;
	struct wlr_scene_node *node = wlr_scene_node_at(&server->scene->node, server->cursor->x,
		server->cursor->y, &sx, &sy);
	struct wlr_surface *surface = node && node->type == WLR_SCENE_NODE_SURFACE
		? wlr_scene_surface_from_node(node)->surface : NULL;
	struct wlr_surface *focus = server->seat->pointer_state.focused_surface;
	if (!surface && !focus) {
		return; // nothing was under the pointer, nothing is: leave the image alone
	}
	if (surface && surface == focus) {
		if (sx != server->seat->pointer_state.sx || sy != server->seat->pointer_state.sy) {
			wlr_seat_pointer_notify_motion(server->seat, msec, sx, sy);
			wlr_seat_pointer_notify_frame(server->seat);
		}
		return;
	}
	comp_cursor_process_motion(server, msec);
	wlr_seat_pointer_notify_frame(server->seat);
}

void comp_cursor_rebase_soon(struct comp_server *server) {
	if (server->rebase_idle || !server->cursor) {
		return;
	}
	server->rebase_idle = wl_event_loop_add_idle(server->loop, handle_rebase, server);
}

void comp_cursor_process_motion(struct comp_server *server, uint32_t time) {
	comp_protocols_notify_activity(server);
	if (server->cursor_mode == COMP_CURSOR_MOVE && server->grabbed_view) {
		process_move(server);
		return;
	} else if (server->cursor_mode == COMP_CURSOR_RESIZE && server->grabbed_view) {
		process_resize(server);
		return;
	}
	/*
	 * While a button is held, the surface it was pressed on keeps the pointer (the
	 * implicit grab every toolkit expects when dragging out of a window).
	 */
	if (server->seat->pointer_state.button_count > 0 &&
			server->seat->pointer_state.focused_surface) {
		wlr_seat_pointer_notify_motion(server->seat, time,
			server->cursor->x - server->press_origin_x,
			server->cursor->y - server->press_origin_y);
		return;
	}
	double sx, sy;
	struct wlr_surface *surface = NULL;
	struct wlr_scene_node *node = wlr_scene_node_at(&server->scene->node, server->cursor->x,
		server->cursor->y, &sx, &sy);
	if (node && node->type == WLR_SCENE_NODE_SURFACE) {
		surface = wlr_scene_surface_from_node(node)->surface;
	}
	if (surface && !comp_seat_client_allowed(server,
			wl_resource_get_client(surface->resource))) {
		surface = NULL;
	}
	if (!surface) {
		wlr_xcursor_manager_set_cursor_image(server->cursor_mgr, "left_ptr", server->cursor);
		wlr_seat_pointer_notify_clear_focus(server->seat);
		update_constraint(server);
		return;
	}
	wlr_seat_pointer_notify_enter(server->seat, surface, sx, sy);
	wlr_seat_pointer_notify_motion(server->seat, time, sx, sy);
	update_constraint(server);
}

/*
 * Pointer constraints: the constraint of the surface under the pointer (if any)
 * is the active one; it is told so, and motion obeys it — a lock keeps the cursor
 * still (relative motion still flows), a confinement keeps it in the region.
 */
static void handle_active_constraint_destroy(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, active_constraint_destroy);
	wl_list_remove(&server->active_constraint_destroy.link);
	server->active_constraint = NULL;
}

static void set_active_constraint(struct comp_server *server,
		struct wlr_pointer_constraint_v1 *constraint) {
	if (server->active_constraint == constraint) {
		return;
	}
	if (server->active_constraint) {
		struct wlr_pointer_constraint_v1 *old = server->active_constraint;
		wl_list_remove(&server->active_constraint_destroy.link);
		server->active_constraint = NULL;
		wlr_pointer_constraint_v1_send_deactivated(old);
	}
	if (constraint) {
		server->active_constraint = constraint;
		server->active_constraint_destroy.notify = handle_active_constraint_destroy;
		wl_signal_add(&constraint->events.destroy, &server->active_constraint_destroy);
		wlr_pointer_constraint_v1_send_activated(constraint);
	}
}

static void update_constraint(struct comp_server *server) {
	struct wlr_surface *focus = server->seat->pointer_state.focused_surface;
	set_active_constraint(server, focus ? wlr_pointer_constraints_v1_constraint_for_surface(
		server->pointer_constraints, focus, server->seat) : NULL);
}

static void handle_new_constraint(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, new_constraint);
	update_constraint(server);
}

/*
 * Where the pointer may go, from (x, y) by (dx, dy), under the active constraint;
 * false when it must not move at all.
 */
static bool constrain_motion(struct comp_server *server, double *dx, double *dy) {
	struct wlr_pointer_constraint_v1 *constraint = server->active_constraint;
	if (!constraint) {
		return true;
	}
	if (constraint->type == WLR_POINTER_CONSTRAINT_V1_LOCKED) {
		return false;
	}
	/* Confined: the surface's origin in layout coordinates, from the pointer's focus. */
	double sx = server->seat->pointer_state.sx, sy = server->seat->pointer_state.sy;
	double ox = server->cursor->x - sx, oy = server->cursor->y - sy;
	double nx = sx + *dx, ny = sy + *dy;
	if (!pixman_region32_contains_point(&constraint->region, (int)nx, (int)ny, NULL)) {
		/* Slide along the edge where that stays inside, else stay put. */
		if (pixman_region32_contains_point(&constraint->region, (int)nx, (int)sy, NULL)) {
			ny = sy;
		} else if (pixman_region32_contains_point(&constraint->region, (int)sx, (int)ny,
				NULL)) {
			nx = sx;
		} else {
			return false;
		}
	}
	*dx = ox + nx - server->cursor->x;
	*dy = oy + ny - server->cursor->y;
	return true;
}

static void handle_new_shortcuts_inhibitor(struct wl_listener *listener, void *data) {
	/* Honoured while its surface has keyboard focus (see shortcuts_inhibited). */
	wlr_keyboard_shortcuts_inhibitor_v1_activate(data);
}

static void handle_cursor_motion(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, cursor_motion);
	struct wlr_event_pointer_motion *event = data;
	wlr_relative_pointer_manager_v1_send_relative_motion(server->relative_pointer,
		server->seat, (uint64_t)event->time_msec * 1000, event->delta_x, event->delta_y,
		event->unaccel_dx, event->unaccel_dy);
	double dx = event->delta_x, dy = event->delta_y;
	if (!constrain_motion(server, &dx, &dy)) {
		return; // a locked pointer stays put; the game reads relative motion
	}
	wlr_cursor_move(server->cursor, event->device, dx, dy);
	comp_cursor_process_motion(server, event->time_msec);
}

static void handle_cursor_motion_absolute(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, cursor_motion_absolute);
	struct wlr_event_pointer_motion_absolute *event = data;
	double lx, ly;
	wlr_cursor_absolute_to_layout_coords(server->cursor, event->device, event->x, event->y,
		&lx, &ly);
	double dx = lx - server->cursor->x, dy = ly - server->cursor->y;
	wlr_relative_pointer_manager_v1_send_relative_motion(server->relative_pointer,
		server->seat, (uint64_t)event->time_msec * 1000, dx, dy, dx, dy);
	if (!constrain_motion(server, &dx, &dy)) {
		return;
	}
	wlr_cursor_move(server->cursor, event->device, dx, dy);
	comp_cursor_process_motion(server, event->time_msec);
}

static void decoration_click(struct comp_server *server, struct comp_view *view) {
	struct wlr_box frame = comp_view_frame_box(view);
	enum comp_deco_part part = comp_decoration_part_at(view->decoration,
		server->cursor->x - frame.x, server->cursor->y - frame.y);
	switch (part) {
	case COMP_DECO_CLOSE:
		comp_view_close(view);
		break;
	case COMP_DECO_MAXIMIZE:
		comp_view_set_maximized(view, !view->maximized);
		break;
	case COMP_DECO_MINIMIZE:
		comp_view_set_minimized(view, true);
		break;
	case COMP_DECO_TITLE:
		comp_view_begin_interactive(view, COMP_CURSOR_MOVE, 0);
		break;
	case COMP_DECO_BORDER:;
		uint32_t edges = 0;
		double x = server->cursor->x - frame.x, y = server->cursor->y - frame.y;
		int b = comp_decoration_border() + 4;
		edges |= x < b ? WLR_EDGE_LEFT : (x > frame.width - b ? WLR_EDGE_RIGHT : 0);
		edges |= y < b ? WLR_EDGE_TOP : (y > frame.height - b ? WLR_EDGE_BOTTOM : 0);
		if (edges) {
			comp_view_begin_interactive(view, COMP_CURSOR_RESIZE, edges);
		}
		break;
	case COMP_DECO_NONE:
		break;
	}
}

static struct comp_layer_surface *layer_at(struct comp_server *server,
		struct wlr_surface *surface) {
	if (!surface || !wlr_surface_is_layer_surface(surface)) {
		return NULL;
	}
	struct wlr_layer_surface_v1 *ls = wlr_layer_surface_v1_from_wlr_surface(surface);
	return ls ? ls->data : NULL;
}

static void handle_cursor_button(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, cursor_button);
	struct wlr_event_pointer_button *event = data;

	if (event->state == WLR_BUTTON_RELEASED) {
		if (server->cursor_mode != COMP_CURSOR_PASSTHROUGH) {
			if (server->cursor_mode == COMP_CURSOR_RESIZE && server->grabbed_view &&
					server->grabbed_view->type == COMP_VIEW_XDG) {
				wlr_xdg_toplevel_set_resizing(server->grabbed_view->xdg_surface, false);
			}
			struct comp_view *ended = server->grabbed_view;
			server->cursor_mode = COMP_CURSOR_PASSTHROUGH;
			server->grabbed_view = NULL;
			if (ended) {
				comp_view_xdg_configure(ended); // no longer resizing
			}
			/* The seat counted the press that started it (the client asked on it). */
			wlr_seat_pointer_notify_button(server->seat, event->time_msec, event->button,
				event->state);
			comp_cursor_process_motion(server, event->time_msec);
			return;
		}
		wlr_seat_pointer_notify_button(server->seat, event->time_msec, event->button,
			event->state);
		if (server->seat->pointer_state.button_count == 0) {
			comp_cursor_rebase_soon(server); // the grab is over: what is under it now?
		}
		return;
	}

	double sx, sy;
	struct wlr_surface *surface = NULL;
	struct comp_view *view = comp_view_at(server, server->cursor->x, server->cursor->y,
		&surface, &sx, &sy);
	if (server->seat->pointer_state.button_count == 0) {
		server->press_origin_x = server->cursor->x - server->seat->pointer_state.sx;
		server->press_origin_y = server->cursor->y - server->seat->pointer_state.sy;
	}
	if (server->input_inhibit->active_client || comp_session_lock_active(server)) {
		/* Only the inhibiting client's surfaces take clicks; nothing is raised. */
		if (surface && comp_seat_client_allowed(server,
				wl_resource_get_client(surface->resource))) {
			wlr_seat_pointer_notify_button(server->seat, event->time_msec, event->button,
				event->state);
		}
		return;
	}
	struct wlr_keyboard *kbd = wlr_seat_get_keyboard(server->seat);
	uint32_t mods = kbd ? wlr_keyboard_get_modifiers(kbd) : 0;

	if (view && (mods & WLR_MODIFIER_LOGO)) {
		/* Super+drag moves (left) or resizes (right) any window, wherever grabbed. */
		comp_view_focus(view);
		if (event->button == BTN_LEFT) {
			comp_view_begin_interactive(view, COMP_CURSOR_MOVE, 0);
		} else if (event->button == BTN_RIGHT) {
			struct wlr_box frame = comp_view_frame_box(view);
			uint32_t edges = (server->cursor->x < frame.x + frame.width / 2.0
				? WLR_EDGE_LEFT : WLR_EDGE_RIGHT) |
				(server->cursor->y < frame.y + frame.height / 2.0
				? WLR_EDGE_TOP : WLR_EDGE_BOTTOM);
			comp_view_begin_interactive(view, COMP_CURSOR_RESIZE, edges);
		}
		return;
	}
	if (view) {
		comp_view_focus(view);
		if (!surface && view->decoration) {
			decoration_click(server, view);
			return;
		}
	} else {
		struct comp_layer_surface *layer = layer_at(server, surface);
		if (layer && layer->layer_surface->current.keyboard_interactive !=
				ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_NONE) {
			comp_seat_focus_layer(server, layer);
		}
	}
	wlr_seat_pointer_notify_button(server->seat, event->time_msec, event->button,
		event->state);
}

static void handle_cursor_axis(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, cursor_axis);
	struct wlr_event_pointer_axis *event = data;
	wlr_seat_pointer_notify_axis(server->seat, event->time_msec, event->orientation,
		event->delta, event->delta_discrete, event->source);
}

static void handle_cursor_frame(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, cursor_frame);
	wlr_seat_pointer_notify_frame(server->seat);
}

static void handle_request_set_cursor(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, request_set_cursor);
	struct wlr_seat_pointer_request_set_cursor_event *event = data;
	/* Only the client under the pointer may set its image. */
	if (server->seat->pointer_state.focused_client == event->seat_client) {
		wlr_cursor_set_surface(server->cursor, event->surface, event->hotspot_x,
			event->hotspot_y);
	}
}

static void handle_request_set_selection(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, request_set_selection);
	struct wlr_seat_request_set_selection_event *event = data;
	wlr_seat_set_selection(server->seat, event->source, event->serial);
}

static void handle_request_set_primary_selection(struct wl_listener *listener, void *data) {
	struct comp_server *server =
		wl_container_of(listener, server, request_set_primary_selection);
	struct wlr_seat_request_set_primary_selection_event *event = data;
	wlr_seat_set_primary_selection(server->seat, event->source, event->serial);
}

static void handle_request_start_drag(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, request_start_drag);
	struct wlr_seat_request_start_drag_event *event = data;
	if (wlr_seat_validate_pointer_grab_serial(server->seat, event->origin, event->serial)) {
		wlr_seat_start_pointer_drag(server->seat, event->drag, event->serial);
	} else {
		wlr_data_source_destroy(event->drag->source);
	}
}

/*
 * Touch: each point goes to the surface it went down on, for its whole life, as
 * the protocol wants; a touch on a window also focuses it, like a click.
 */
static int touch_slot(struct comp_server *server, int32_t id, bool create) {
	int free_slot = -1;
	for (int i = 0; i < 16; i++) {
		if (server->touch_points[i].used && server->touch_points[i].id == id) {
			return i;
		}
		if (!server->touch_points[i].used && free_slot < 0) {
			free_slot = i;
		}
	}
	return create ? free_slot : -1;
}

static void handle_touch_down(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, touch_down);
	struct wlr_event_touch_down *event = data;
	comp_protocols_notify_activity(server);
	double lx, ly, sx, sy;
	wlr_cursor_absolute_to_layout_coords(server->cursor, event->device, event->x, event->y,
		&lx, &ly);
	struct wlr_surface *surface = NULL;
	struct comp_view *view = comp_view_at(server, lx, ly, &surface, &sx, &sy);
	if (view && !server->input_inhibit->active_client && !comp_session_lock_active(server)) {
		comp_view_focus(view);
	}
	int slot = touch_slot(server, event->touch_id, true);
	if (!surface || slot < 0 || !comp_seat_client_allowed(server,
			wl_resource_get_client(surface->resource))) {
		return;
	}
	server->touch_points[slot].used = true;
	server->touch_points[slot].id = event->touch_id;
	server->touch_points[slot].dx = lx - sx;
	server->touch_points[slot].dy = ly - sy;
	wlr_seat_touch_notify_down(server->seat, surface, event->time_msec, event->touch_id,
		sx, sy);
}

static void handle_touch_motion(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, touch_motion);
	struct wlr_event_touch_motion *event = data;
	int slot = touch_slot(server, event->touch_id, false);
	if (slot < 0) {
		return;
	}
	double lx, ly;
	wlr_cursor_absolute_to_layout_coords(server->cursor, event->device, event->x, event->y,
		&lx, &ly);
	wlr_seat_touch_notify_motion(server->seat, event->time_msec, event->touch_id,
		lx - server->touch_points[slot].dx, ly - server->touch_points[slot].dy);
}

static void handle_touch_up(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, touch_up);
	struct wlr_event_touch_up *event = data;
	int slot = touch_slot(server, event->touch_id, false);
	if (slot < 0) {
		return;
	}
	server->touch_points[slot].used = false;
	wlr_seat_touch_notify_up(server->seat, event->time_msec, event->touch_id);
}

static void handle_touch_cancel(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, touch_cancel);
	struct wlr_event_touch_cancel *event = data;
	int slot = touch_slot(server, event->touch_id, false);
	if (slot < 0) {
		return;
	}
	server->touch_points[slot].used = false;
	struct wlr_touch_point *point = wlr_seat_touch_get_point(server->seat, event->touch_id);
	if (point && point->surface) {
		wlr_seat_touch_notify_cancel(server->seat, point->surface);
	}
}

static void handle_touch_frame(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, touch_frame);
	wlr_seat_touch_notify_frame(server->seat);
}

/* Touchpad gestures pass through to the focused client. */
#define GESTURE_HANDLER(name, type, ...) \
	static void handle_##name(struct wl_listener *listener, void *data) { \
		struct comp_server *server = wl_container_of(listener, server, name); \
		struct type *event = data; \
		__VA_ARGS__; \
	}

GESTURE_HANDLER(swipe_begin, wlr_event_pointer_swipe_begin,
	wlr_pointer_gestures_v1_send_swipe_begin(server->gestures, server->seat, event->time_msec,
		event->fingers))
GESTURE_HANDLER(swipe_update, wlr_event_pointer_swipe_update,
	wlr_pointer_gestures_v1_send_swipe_update(server->gestures, server->seat, event->time_msec,
		event->dx, event->dy))
GESTURE_HANDLER(swipe_end, wlr_event_pointer_swipe_end,
	wlr_pointer_gestures_v1_send_swipe_end(server->gestures, server->seat, event->time_msec,
		event->cancelled))
GESTURE_HANDLER(pinch_begin, wlr_event_pointer_pinch_begin,
	wlr_pointer_gestures_v1_send_pinch_begin(server->gestures, server->seat, event->time_msec,
		event->fingers))
GESTURE_HANDLER(pinch_update, wlr_event_pointer_pinch_update,
	wlr_pointer_gestures_v1_send_pinch_update(server->gestures, server->seat, event->time_msec,
		event->dx, event->dy, event->scale, event->rotation))
GESTURE_HANDLER(pinch_end, wlr_event_pointer_pinch_end,
	wlr_pointer_gestures_v1_send_pinch_end(server->gestures, server->seat, event->time_msec,
		event->cancelled))
GESTURE_HANDLER(hold_begin, wlr_event_pointer_hold_begin,
	wlr_pointer_gestures_v1_send_hold_begin(server->gestures, server->seat, event->time_msec,
		event->fingers))
GESTURE_HANDLER(hold_end, wlr_event_pointer_hold_end,
	wlr_pointer_gestures_v1_send_hold_end(server->gestures, server->seat, event->time_msec,
		event->cancelled))

/* The inhibitor's own layer surface with keyboard interactivity gets the keyboard. */
static void handle_inhibit_activate(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, inhibit_activate);
	struct wl_client *client = server->input_inhibit->active_client;
	wlr_seat_pointer_notify_clear_focus(server->seat);
	wlr_seat_keyboard_notify_clear_focus(server->seat);
	server->focused_layer = NULL;
	struct comp_output *output;
	wl_list_for_each(output, &server->outputs, link) {
		struct comp_layer_surface *layer;
		wl_list_for_each(layer, &output->layer_surfaces, link) {
			struct wlr_layer_surface_v1 *ls = layer->layer_surface;
			if (layer->mapped && wl_resource_get_client(ls->resource) == client &&
					ls->current.keyboard_interactive) {
				comp_seat_focus_layer(server, layer);
				return;
			}
		}
	}
}

static void handle_inhibit_deactivate(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, inhibit_deactivate);
	server->focused_layer = NULL;
	struct comp_view *view = server->focused_view;
	comp_seat_focus_surface(server, view ? comp_view_surface(view) : NULL);
	comp_cursor_process_motion(server, 0);
}

struct comp_surface_watch {
	struct comp_server *server;
	struct wl_listener commit, destroy;
};

static void handle_watched_commit(struct wl_listener *listener, void *data) {
	struct comp_surface_watch *watch = wl_container_of(listener, watch, commit);
	comp_cursor_rebase_soon(watch->server);
}

static void handle_watched_destroy(struct wl_listener *listener, void *data) {
	struct comp_surface_watch *watch = wl_container_of(listener, watch, destroy);
	wl_list_remove(&watch->commit.link);
	wl_list_remove(&watch->destroy.link);
	free(watch);
}

/* Any surface's commit (a subsurface too) may change what is under the pointer. */
static void handle_new_surface(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, new_surface);
	struct wlr_surface *surface = data;
	struct comp_surface_watch *watch = calloc(1, sizeof(*watch));
	if (!watch) {
		wl_resource_post_no_memory(surface->resource);
		return;
	}
	watch->server = server;
	watch->commit.notify = handle_watched_commit;
	wl_signal_add(&surface->events.commit, &watch->commit);
	watch->destroy.notify = handle_watched_destroy;
	wl_signal_add(&surface->events.destroy, &watch->destroy);
}

void comp_seat_init(struct comp_server *server) {
	server->seat = wlr_seat_create(server->display, "seat0");
	server->cursor = wlr_cursor_create();
	wlr_cursor_attach_output_layout(server->cursor, server->output_layout);
	server->cursor_mgr = wlr_xcursor_manager_create(NULL, 24);
	wlr_xcursor_manager_load(server->cursor_mgr, 1);

	server->new_surface.notify = handle_new_surface;
	wl_signal_add(&server->compositor->events.new_surface, &server->new_surface);

	server->new_input.notify = handle_new_input;
	wl_signal_add(&server->backend->events.new_input, &server->new_input);

	server->cursor_motion.notify = handle_cursor_motion;
	wl_signal_add(&server->cursor->events.motion, &server->cursor_motion);
	server->cursor_motion_absolute.notify = handle_cursor_motion_absolute;
	wl_signal_add(&server->cursor->events.motion_absolute, &server->cursor_motion_absolute);
	server->cursor_button.notify = handle_cursor_button;
	wl_signal_add(&server->cursor->events.button, &server->cursor_button);
	server->cursor_axis.notify = handle_cursor_axis;
	wl_signal_add(&server->cursor->events.axis, &server->cursor_axis);
	server->cursor_frame.notify = handle_cursor_frame;
	wl_signal_add(&server->cursor->events.frame, &server->cursor_frame);

	server->touch_down.notify = handle_touch_down;
	wl_signal_add(&server->cursor->events.touch_down, &server->touch_down);
	server->touch_up.notify = handle_touch_up;
	wl_signal_add(&server->cursor->events.touch_up, &server->touch_up);
	server->touch_motion.notify = handle_touch_motion;
	wl_signal_add(&server->cursor->events.touch_motion, &server->touch_motion);
	server->touch_cancel.notify = handle_touch_cancel;
	wl_signal_add(&server->cursor->events.touch_cancel, &server->touch_cancel);
	server->touch_frame.notify = handle_touch_frame;
	wl_signal_add(&server->cursor->events.touch_frame, &server->touch_frame);

	server->request_set_cursor.notify = handle_request_set_cursor;
	wl_signal_add(&server->seat->events.request_set_cursor, &server->request_set_cursor);
	server->request_set_selection.notify = handle_request_set_selection;
	wl_signal_add(&server->seat->events.request_set_selection, &server->request_set_selection);
	server->request_set_primary_selection.notify = handle_request_set_primary_selection;
	wl_signal_add(&server->seat->events.request_set_primary_selection,
		&server->request_set_primary_selection);
	server->request_start_drag.notify = handle_request_start_drag;
	wl_signal_add(&server->seat->events.request_start_drag, &server->request_start_drag);

	server->virtual_keyboard = wlr_virtual_keyboard_manager_v1_create(server->display);
	server->new_virtual_keyboard.notify = handle_new_virtual_keyboard;
	wl_signal_add(&server->virtual_keyboard->events.new_virtual_keyboard,
		&server->new_virtual_keyboard);
	server->virtual_pointer = wlr_virtual_pointer_manager_v1_create(server->display);
	server->new_virtual_pointer.notify = handle_new_virtual_pointer;
	wl_signal_add(&server->virtual_pointer->events.new_virtual_pointer,
		&server->new_virtual_pointer);

	server->input_inhibit = wlr_input_inhibit_manager_create(server->display);
	server->inhibit_activate.notify = handle_inhibit_activate;
	wl_signal_add(&server->input_inhibit->events.activate, &server->inhibit_activate);
	server->inhibit_deactivate.notify = handle_inhibit_deactivate;
	wl_signal_add(&server->input_inhibit->events.deactivate, &server->inhibit_deactivate);

	server->relative_pointer = wlr_relative_pointer_manager_v1_create(server->display);
	server->pointer_constraints = wlr_pointer_constraints_v1_create(server->display);
	server->shortcuts_inhibit = wlr_keyboard_shortcuts_inhibit_v1_create(server->display);
	server->new_shortcuts_inhibitor.notify = handle_new_shortcuts_inhibitor;
	wl_signal_add(&server->shortcuts_inhibit->events.new_inhibitor,
		&server->new_shortcuts_inhibitor);
	server->new_constraint.notify = handle_new_constraint;
	wl_signal_add(&server->pointer_constraints->events.new_constraint, &server->new_constraint);

	server->gestures = wlr_pointer_gestures_v1_create(server->display);
	server->swipe_begin.notify = handle_swipe_begin;
	wl_signal_add(&server->cursor->events.swipe_begin, &server->swipe_begin);
	server->swipe_update.notify = handle_swipe_update;
	wl_signal_add(&server->cursor->events.swipe_update, &server->swipe_update);
	server->swipe_end.notify = handle_swipe_end;
	wl_signal_add(&server->cursor->events.swipe_end, &server->swipe_end);
	server->pinch_begin.notify = handle_pinch_begin;
	wl_signal_add(&server->cursor->events.pinch_begin, &server->pinch_begin);
	server->pinch_update.notify = handle_pinch_update;
	wl_signal_add(&server->cursor->events.pinch_update, &server->pinch_update);
	server->pinch_end.notify = handle_pinch_end;
	wl_signal_add(&server->cursor->events.pinch_end, &server->pinch_end);
	server->hold_begin.notify = handle_hold_begin;
	wl_signal_add(&server->cursor->events.hold_begin, &server->hold_begin);
	server->hold_end.notify = handle_hold_end;
	wl_signal_add(&server->cursor->events.hold_end, &server->hold_end);

	server->reader_keys = comp_reader_keys_create(server);

	update_capabilities(server);
}

void comp_seat_finish(struct comp_server *server) {
	comp_reader_keys_destroy(server->reader_keys);
	server->reader_keys = NULL;
	if (server->rebase_idle) {
		wl_event_source_remove(server->rebase_idle);
		server->rebase_idle = NULL;
	}
	if (server->cursor) {
		wl_list_remove(&server->swipe_begin.link);
		wl_list_remove(&server->swipe_update.link);
		wl_list_remove(&server->swipe_end.link);
		wl_list_remove(&server->pinch_begin.link);
		wl_list_remove(&server->pinch_update.link);
		wl_list_remove(&server->pinch_end.link);
		wl_list_remove(&server->hold_begin.link);
		wl_list_remove(&server->hold_end.link);
		wlr_cursor_destroy(server->cursor);
		server->cursor = NULL;
	}
	if (server->cursor_mgr) {
		wlr_xcursor_manager_destroy(server->cursor_mgr);
		server->cursor_mgr = NULL;
	}
}
