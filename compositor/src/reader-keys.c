/*
 * lumen-reader-keys-v1 (protocols/lumen-reader-keys-v1.xml): the screen reader's chords.
 * The reader grabs its modifier (Insert or Caps Lock); seat.c hands us every key before
 * anything else sees it, and we take:
 *  - the modifier's press and release (a lone modifier reaches no client), except a
 *    second press within DOUBLE_PRESS_MS of a lone tap, which goes through as usual;
 *  - every key pressed while the modifier is held, and its release: the reader's;
 *  - the reader-toggle binding (Super+Alt+S by default), from anywhere, even while the
 *    session is locked or an inhibitor holds the keyboard: the one binding that may.
 * Navigation keys that go through are also reported to the reader (observed), so it
 * can tell how a caret moved. Keys that type text never are.
 *
 * While the session is locked (or an input inhibitor holds the keyboard) no chord is
 * taken and nothing is observed: the reader must not read the windows behind the lock,
 * and the locker gets its keys. Only the toggle reaches around it.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wlr/types/wlr_input_inhibitor.h>
#include <wlr/types/wlr_keyboard.h>
#include <wlr/types/wlr_seat.h>
#include <xkbcommon/xkbcommon.h>
#include "common/log.h"
#include "lumen-reader-keys-v1-protocol.h"
#include "protocols-ext.h"
#include "server.h"

#define READER_KEYS_VERSION 1
#define DOUBLE_PRESS_MS 400
#define MAX_HELD 32
#define TOGGLE_ACTION "reader-toggle"

enum held_kind {
	HELD_MODIFIER, // the reader's modifier, pressed alone so far or with chords
	HELD_CHORD, // a key of a chord: its release goes to the reader
	HELD_TOGGLE, // the reader-toggle binding's key: its release goes nowhere
};

/* A key whose press we took: its release is ours too. */
struct held_key {
	struct wlr_keyboard *kbd; // compared only: the keyboard may be gone (pruned)
	uint32_t keycode; // evdev
	xkb_keysym_t sym;
	enum held_kind kind;
};

struct comp_reader_keys {
	struct comp_server *server;
	struct wl_global *global;
	struct wl_list managers; // wl_resource links of lumen_reader_keys_v1, newest first
	struct wl_resource *grab; // lumen_reader_grab_v1 in force; NULL when none
	struct wl_resource *grab_manager; // what it was made through; may be NULL
	xkb_keysym_t modifier; // XKB_KEY_Insert or XKB_KEY_Caps_Lock
	struct held_key held[MAX_HELD];
	size_t nheld;
	bool chorded; // a chord key went with the modifier's press in progress
	int64_t last_tap_ms; // when the modifier was last tapped alone; 0: not lately
};

static int64_t now_ms(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- lumen_reader_grab_v1 ---- */

static void grab_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static const struct lumen_reader_grab_v1_interface grab_impl = {
	.destroy = grab_handle_destroy,
};

static void grab_resource_destroy(struct wl_resource *resource) {
	struct comp_reader_keys *rk = wl_resource_get_user_data(resource);
	if (rk && rk->grab == resource) {
		/* Keys held now keep their entries: their releases still go nowhere. */
		rk->grab = NULL;
		rk->grab_manager = NULL;
		rk->chorded = false;
		rk->last_tap_ms = 0;
		lumen_log(LUMEN_INFO, "the screen reader's grab ended");
	}
}

/* ---- lumen_reader_keys_v1 ---- */

static void manager_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void manager_handle_grab(struct wl_client *client, struct wl_resource *resource,
		uint32_t id, uint32_t modifier) {
	struct comp_reader_keys *rk = wl_resource_get_user_data(resource);
	xkb_keysym_t sym;
	switch (modifier) {
	case LUMEN_READER_KEYS_V1_MODIFIER_INSERT:
		sym = XKB_KEY_Insert;
		break;
	case LUMEN_READER_KEYS_V1_MODIFIER_CAPS_LOCK:
		sym = XKB_KEY_Caps_Lock;
		break;
	default:
		wl_resource_post_error(resource, LUMEN_READER_KEYS_V1_ERROR_INVALID_MODIFIER,
			"unknown modifier %u", modifier);
		return;
	}
	struct wl_resource *grab = wl_resource_create(client, &lumen_reader_grab_v1_interface,
		wl_resource_get_version(resource), id);
	if (!grab) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(grab, &grab_impl, NULL, grab_resource_destroy);
	if (!rk || rk->grab) {
		lumen_reader_grab_v1_send_refused(grab); // inert: user data stays NULL
		return;
	}
	wl_resource_set_user_data(grab, rk);
	rk->grab = grab;
	rk->grab_manager = resource;
	rk->modifier = sym;
	rk->chorded = false;
	rk->last_tap_ms = 0;
	lumen_log(LUMEN_INFO, "the screen reader grabs %s chords",
		sym == XKB_KEY_Insert ? "Insert" : "Caps Lock");
}

static const struct lumen_reader_keys_v1_interface manager_impl = {
	.destroy = manager_handle_destroy,
	.grab = manager_handle_grab,
};

static void manager_resource_destroy(struct wl_resource *resource) {
	struct comp_reader_keys *rk = wl_resource_get_user_data(resource);
	if (rk && rk->grab_manager == resource) {
		rk->grab_manager = NULL;
	}
	wl_list_remove(wl_resource_get_link(resource));
}

static void manager_bind(struct wl_client *client, void *data, uint32_t version, uint32_t id) {
	struct comp_reader_keys *rk = data;
	struct wl_resource *resource = wl_resource_create(client,
		&lumen_reader_keys_v1_interface, version, id);
	if (!resource) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(resource, &manager_impl, rk, manager_resource_destroy);
	wl_list_insert(&rk->managers, wl_resource_get_link(resource));
}

/* ---- keys ---- */

/* The key's keysym at level 0 of its current layout, as bindings see keys. */
static xkb_keysym_t level0_sym(struct wlr_keyboard *kbd, uint32_t keycode) {
	if (!kbd->keymap || !kbd->xkb_state) {
		return XKB_KEY_NoSymbol;
	}
	xkb_layout_index_t layout = xkb_state_key_get_layout(kbd->xkb_state, keycode + 8);
	const xkb_keysym_t *syms;
	int n = xkb_keymap_key_get_syms_by_level(kbd->keymap, keycode + 8,
		layout == XKB_LAYOUT_INVALID ? 0 : layout, 0, &syms);
	return n > 0 ? syms[0] : XKB_KEY_NoSymbol;
}

/* The key's keysym as it types now (Num Lock and Shift applied). */
static xkb_keysym_t effective_sym(struct wlr_keyboard *kbd, uint32_t keycode) {
	return kbd->xkb_state ? xkb_state_key_get_one_sym(kbd->xkb_state, keycode + 8) :
		XKB_KEY_NoSymbol;
}

/* Insert is either Insert key: the keypad's too, while Num Lock is off. */
static bool is_modifier(struct comp_reader_keys *rk, struct wlr_keyboard *kbd,
		uint32_t keycode, xkb_keysym_t sym) {
	if (sym == rk->modifier) {
		return true;
	}
	return rk->modifier == XKB_KEY_Insert && effective_sym(kbd, keycode) == XKB_KEY_KP_Insert;
}

static bool is_observed(xkb_keysym_t sym) {
	switch (sym) {
	case XKB_KEY_Left: case XKB_KEY_Right: case XKB_KEY_Up: case XKB_KEY_Down:
	case XKB_KEY_Home: case XKB_KEY_End: case XKB_KEY_Page_Up: case XKB_KEY_Page_Down:
	case XKB_KEY_KP_Left: case XKB_KEY_KP_Right: case XKB_KEY_KP_Up: case XKB_KEY_KP_Down:
	case XKB_KEY_KP_Home: case XKB_KEY_KP_End: case XKB_KEY_KP_Page_Up:
	case XKB_KEY_KP_Page_Down: case XKB_KEY_Tab: case XKB_KEY_ISO_Left_Tab:
	case XKB_KEY_Shift_L: case XKB_KEY_Shift_R: case XKB_KEY_Control_L:
	case XKB_KEY_Control_R: case XKB_KEY_Alt_L: case XKB_KEY_Alt_R: case XKB_KEY_Super_L:
	case XKB_KEY_Super_R:
		return true;
	default:
		return false;
	}
}

static bool keyboard_present(struct comp_server *server, struct wlr_keyboard *kbd) {
	struct comp_keyboard *keyboard;
	wl_list_for_each(keyboard, &server->keyboards, link) {
		if (keyboard->device->keyboard == kbd) {
			return true;
		}
	}
	return false;
}

static bool key_down(struct wlr_keyboard *kbd, uint32_t keycode) {
	for (size_t i = 0; i < kbd->num_keycodes; i++) {
		if (kbd->keycodes[i] == keycode) {
			return true;
		}
	}
	return false;
}

static void remove_held(struct comp_reader_keys *rk, size_t i) {
	rk->held[i] = rk->held[--rk->nheld];
}

/*
 * Entries of keyboards that went away (a virtual keyboard's client left) or of keys no
 * longer down (wlroots lost a release) would hold the modifier forever: drop them.
 */
static void prune_held(struct comp_reader_keys *rk) {
	for (size_t i = 0; i < rk->nheld;) {
		struct held_key *h = &rk->held[i];
		if (!keyboard_present(rk->server, h->kbd) || !key_down(h->kbd, h->keycode)) {
			remove_held(rk, i);
		} else {
			i++;
		}
	}
}

static int find_held(struct comp_reader_keys *rk, struct wlr_keyboard *kbd, uint32_t keycode) {
	for (size_t i = 0; i < rk->nheld; i++) {
		if (rk->held[i].kbd == kbd && rk->held[i].keycode == keycode) {
			return (int)i;
		}
	}
	return -1;
}

static bool add_held(struct comp_reader_keys *rk, struct wlr_keyboard *kbd, uint32_t keycode,
		xkb_keysym_t sym, enum held_kind kind) {
	if (find_held(rk, kbd, keycode) >= 0) {
		return true;
	}
	if (rk->nheld == MAX_HELD) {
		prune_held(rk);
		if (rk->nheld == MAX_HELD) {
			return false;
		}
	}
	rk->held[rk->nheld++] = (struct held_key){kbd, keycode, sym, kind};
	return true;
}

static bool modifier_held(struct comp_reader_keys *rk) {
	for (size_t i = 0; i < rk->nheld; i++) {
		if (rk->held[i].kind == HELD_MODIFIER) {
			return true;
		}
	}
	return false;
}

/* Whether this chord is bound to reader-toggle. */
static bool is_toggle_chord(struct comp_server *server, struct wlr_keyboard *kbd,
		uint32_t keycode, xkb_keysym_t sym) {
	uint32_t mods = wlr_keyboard_get_modifiers(kbd) &
		~(uint32_t)(WLR_MODIFIER_CAPS | WLR_MODIFIER_MOD2);
	const xkb_keysym_t *tsyms = NULL;
	int ntsyms = kbd->xkb_state ? xkb_state_key_get_syms(kbd->xkb_state, keycode + 8, &tsyms) : 0;
	for (size_t i = 0; i < server->config.bindings.len; i++) {
		struct comp_binding *b = server->config.bindings.items[i];
		if (b->modifiers != mods || strcmp(b->action, TOGGLE_ACTION) != 0) {
			continue;
		}
		if (b->sym == xkb_keysym_to_lower(sym)) {
			return true;
		}
		for (int j = 0; j < ntsyms; j++) {
			if (b->sym == xkb_keysym_to_lower(tsyms[j])) {
				return true;
			}
		}
	}
	return false;
}

static void send_key(struct comp_reader_keys *rk, bool observed, uint32_t time,
		xkb_keysym_t sym, uint32_t mods, uint32_t state) {
	if (!rk->grab) {
		return;
	}
	if (observed) {
		lumen_reader_grab_v1_send_observed(rk->grab, time, sym, mods, state);
	} else {
		lumen_reader_grab_v1_send_key(rk->grab, time, sym, mods, state);
	}
}

bool comp_reader_keys_handle_key(struct comp_server *server, struct wlr_input_device *device,
		struct wlr_event_keyboard_key *event) {
	struct comp_reader_keys *rk = server->reader_keys;
	struct wlr_keyboard *kbd = device->keyboard;
	if (!rk || !kbd) {
		return false;
	}
	uint32_t mods = wlr_keyboard_get_modifiers(kbd);
	if (event->state == WL_KEYBOARD_KEY_STATE_RELEASED) {
		int i = find_held(rk, kbd, event->keycode);
		if (i < 0) {
			xkb_keysym_t sym = effective_sym(kbd, event->keycode);
			if (is_observed(sym) && !comp_session_lock_active(server) &&
					!server->input_inhibit->active_client) {
				send_key(rk, true, event->time_msec, sym, mods,
					LUMEN_READER_GRAB_V1_KEY_STATE_RELEASED);
			}
			return false;
		}
		struct held_key h = rk->held[i];
		remove_held(rk, (size_t)i);
		if (h.kind == HELD_MODIFIER) {
			event->update_state = false; // Caps Lock does not lock
			if (!modifier_held(rk)) {
				rk->last_tap_ms = rk->chorded ? 0 : now_ms();
			}
		} else if (h.kind == HELD_CHORD) {
			send_key(rk, false, event->time_msec, h.sym, mods,
				LUMEN_READER_GRAB_V1_KEY_STATE_RELEASED);
		}
		comp_protocols_notify_activity(server);
		return true;
	}

	xkb_keysym_t sym = level0_sym(kbd, event->keycode);
	if (is_toggle_chord(server, kbd, event->keycode, sym)) {
		add_held(rk, kbd, event->keycode, sym, HELD_TOGGLE);
		comp_protocols_notify_activity(server);
		comp_reader_keys_toggle(server);
		return true;
	}
	if (!rk->grab || comp_session_lock_active(server) ||
			server->input_inhibit->active_client) {
		return false;
	}
	prune_held(rk);
	if (is_modifier(rk, kbd, event->keycode, sym)) {
		bool first = !modifier_held(rk);
		if (first && rk->last_tap_ms && now_ms() - rk->last_tap_ms <= DOUBLE_PRESS_MS) {
			rk->last_tap_ms = 0;
			return false; // a double press: this one is the app's
		}
		if (!add_held(rk, kbd, event->keycode, sym, HELD_MODIFIER)) {
			return false;
		}
		if (first) {
			rk->chorded = false;
		}
		event->update_state = false;
		comp_protocols_notify_activity(server);
		return true;
	}
	if (modifier_held(rk)) {
		rk->chorded = true;
		rk->last_tap_ms = 0;
		if (add_held(rk, kbd, event->keycode, sym, HELD_CHORD)) {
			send_key(rk, false, event->time_msec, sym, mods,
				LUMEN_READER_GRAB_V1_KEY_STATE_PRESSED);
		}
		comp_protocols_notify_activity(server);
		return true; // even with no room to remember it: never the app's
	}
	rk->last_tap_ms = 0;
	/* As it types: a keypad arrow with Num Lock on is a digit, never reported. */
	xkb_keysym_t typed = effective_sym(kbd, event->keycode);
	if (is_observed(typed)) {
		send_key(rk, true, event->time_msec, typed, mods,
			LUMEN_READER_GRAB_V1_KEY_STATE_PRESSED);
	}
	return false;
}

void comp_reader_keys_toggle(struct comp_server *server) {
	struct comp_reader_keys *rk = server->reader_keys;
	struct wl_resource *target = rk ? rk->grab_manager : NULL;
	if (!target && rk && !wl_list_empty(&rk->managers)) {
		target = wl_resource_from_link(rk->managers.next);
	}
	if (target) {
		lumen_reader_keys_v1_send_toggle(target);
		lumen_log(LUMEN_INFO, "reader-toggle: told the screen reader");
		return;
	}
	/* No reader speaks our protocol: one started by hand, or none at all. */
	comp_spawn(server, "lumen-reader --toggle");
}

struct comp_reader_keys *comp_reader_keys_create(struct comp_server *server) {
	struct comp_reader_keys *rk = calloc(1, sizeof(*rk));
	if (!rk) {
		return NULL;
	}
	rk->server = server;
	wl_list_init(&rk->managers);
	rk->global = wl_global_create(server->display, &lumen_reader_keys_v1_interface,
		READER_KEYS_VERSION, rk, manager_bind);
	if (!rk->global) {
		free(rk);
		return NULL;
	}
	return rk;
}

void comp_reader_keys_destroy(struct comp_reader_keys *rk) {
	if (!rk) {
		return;
	}
	/* Objects of clients still connected become inert. */
	struct wl_resource *resource, *tmp;
	wl_resource_for_each_safe(resource, tmp, &rk->managers) {
		wl_list_remove(wl_resource_get_link(resource));
		wl_list_init(wl_resource_get_link(resource));
		wl_resource_set_user_data(resource, NULL);
	}
	if (rk->grab) {
		wl_resource_set_user_data(rk->grab, NULL);
	}
	wl_global_destroy(rk->global);
	free(rk);
}
