/*
 * Keys for screen readers, the two ways they ask for them:
 *
 * - The AT-SPI2 registry (Orca 43 and older on Wayland): while the session bus says
 *   accessibility is on (org.a11y.Status IsEnabled or ScreenReaderEnabled) and the
 *   registry has keystroke listeners, each key goes to
 *   DeviceEventController.NotifyListenersSync before any client sees it. The call is
 *   asynchronous: the key waits in its keyboard's queue (later keys and modifier
 *   changes queue behind it, in order) until the answer, or COMP_ATSPI_TIMEOUT_MS.
 *   "Consumed" swallows the key and its release; anything else delivers it. A keyboard
 *   that goes away delivers what it holds at once, with its own keymap lent to the seat.
 *   Apps that report their own keys (GTK 3's atk-bridge) send the same type, hardware
 *   code and timestamp, which Orca takes for a duplicate of ours.
 * - org.freedesktop.a11y.KeyboardMonitor (mutter 46, KWin; newer Orca) on the session
 *   bus: watch every key, grab every key, or grab some (modifier keysyms, and keysym
 *   plus modifier mask); KeyEvent signals go to each interested client. Only the owner
 *   of org.gnome.Orca.KeyboardMonitor may call it (asked of the bus at each call).
 *
 * Without a session bus nothing here exists, and keys take no detour.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <systemd/sd-bus.h>
#include "atspi-read.h"
#include "common/log.h"
#include "server.h"

/* How long a key waits for the registry's answer; LUMEN_ATSPI_KEY_TIMEOUT_MS (10..5000)
 * changes it, for slow machines and tests. */
#define COMP_ATSPI_TIMEOUT_MS 150
/*
 * GTK 3 and Qt report the keys they get to the registry themselves, and Orca takes
 * such a report for a duplicate of ours (same type, keycode and timestamp) only while
 * ours is the last event it heard. So lumen listens to the registry too: a client whose
 * reports it hears is a reporter, and after a key goes to a reporter, the next key waits
 * for that report (this long at most) before it goes to the registry.
 */
#define COMP_ATSPI_REPORT_MS 150
#define LISTENER_PATH "/org/a11y/lumen/keys"
#define LISTENER_IFACE "org.a11y.atspi.DeviceEventListener"
#define SWALLOWED_MAX 32
#define HELD_MODS_MAX 8

#define A11Y_BUS_NAME "org.a11y.Bus"
#define A11Y_BUS_PATH "/org/a11y/bus"
#define REGISTRY_NAME "org.a11y.atspi.Registry"
#define DEC_PATH "/org/a11y/atspi/registry/deviceeventcontroller"
#define DEC_IFACE "org.a11y.atspi.DeviceEventController"
#define MANAGER_NAME "org.freedesktop.a11y.Manager"
#define MANAGER_PATH "/org/freedesktop/a11y/Manager"
#define MONITOR_IFACE "org.freedesktop.a11y.KeyboardMonitor"
#define ORCA_MONITOR_NAME "org.gnome.Orca.KeyboardMonitor"

/* AT-SPI2's Accessibility_EventType for DeviceEvent.type. */
enum { ATSPI_KEY_PRESSED = 0, ATSPI_KEY_RELEASED = 1 };

/* One sd-bus connection on the compositor's loop. */
struct bus_watch {
	struct comp_atspi_keys *keys;
	sd_bus *bus;
	struct wl_event_source *fd_source, *timer;
	bool dispatching;
	void (*closed)(struct comp_atspi_keys *keys); // the connection broke
};

/* A key as AT-SPI2 tells it, taken when it happened. */
struct key_info {
	uint32_t time_msec, keycode, state; // evdev keycode
	xkb_keysym_t sym;
	uint32_t modifiers; // X modifier mask
	char text[32]; // what it types, else the keysym's name
	bool is_text;
};

/* A key (or a modifier change) held in its keyboard's queue. */
struct held_item {
	struct wl_list link; // held_keyboard.queue
	struct held_keyboard *keyboard;
	bool is_modifiers;
	struct wlr_keyboard_modifiers modifiers;
	struct key_info key;
	bool sent, answered, consumed;
	bool echoed; // our listener heard the registry tell of it (as we sent it)
	uint64_t queued_ms, deadline_ms; // deadline: for the registry's answer, once sent
	sd_bus_slot *call; // the registry call in flight; NULL once answered
};

struct held_keyboard {
	struct wl_list link; // comp_atspi_keys.keyboards
	struct comp_atspi_keys *keys;
	struct wlr_input_device *device;
	struct wl_list queue; // held_item.link, oldest first
	struct { // the last key of this queue that went to a client
		bool valid;
		uint32_t type, hw_code, timestamp;
		struct wl_client *client; // may be NULL; NULL once it is destroyed
		bool own_echo; // what we sent of it is still to come back to our listener
	} last;
	struct wl_listener last_client_destroy; // last.client's, while it is set
	bool awaiting; // the reporter's copy of last, until await_until
	uint64_t await_until;
	uint32_t swallowed[SWALLOWED_MAX]; // keycode + 1 of presses taken from clients
};

/* A client seen reporting its own keys to the registry (GTK 3, Qt). */
struct reporter {
	struct wl_list link; // comp_atspi_keys.reporters
	struct wl_client *client;
	struct wl_listener destroy;
};

/* A caller of the KeyboardMonitor, by unique bus name. */
struct monitor_client {
	struct wl_list link; // comp_atspi_keys.clients
	struct comp_atspi_keys *keys;
	char *name;
	bool grab_all, watch;
	uint32_t *modifier_syms;
	size_t n_modifier_syms;
	struct atspi_key_grab *grabs;
	size_t n_grabs;
	sd_bus_slot *vanish; // NameOwnerChanged for its name
};

enum monitor_method { M_GRAB, M_UNGRAB, M_WATCH, M_UNWATCH, M_SET_KEY_GRABS };

/* A KeyboardMonitor call waiting for the bus to say who owns Orca's name. */
struct monitor_call {
	struct comp_atspi_keys *keys;
	sd_bus_message *message;
	enum monitor_method method;
};

struct comp_atspi_keys {
	struct comp_server *server;
	struct bus_watch session;
	struct bus_watch a11y; // .bus NULL while off
	bool enabled; // IsEnabled or ScreenReaderEnabled
	uint64_t timeout_ms; // COMP_ATSPI_TIMEOUT_MS, or the environment's
	bool listeners; // the registry has keystroke listeners
	bool asking_address;
	sd_bus_slot *status_call, *address_call, *listeners_call;
	sd_bus_slot *status_match, *owner_match, *monitor_vtable;
	sd_bus_slot *listener_match[3];
	sd_bus_slot *listener_vtable; // our own keystroke listener on the AT-SPI2 bus
	struct wl_event_source *listeners_timer; // asks for the listeners, a little later
	struct wl_list reporters; // reporter.link
	struct wl_list keyboards; // held_keyboard.link
	struct wl_event_source *deadline_timer;
	struct wl_list clients; // monitor_client.link
	uint32_t held_mods[HELD_MODS_MAX]; // keycode + 1 of grabbed modifier keys held
	uint32_t tap_keycode, tap_time; // a grabbed modifier pressed and released alone
	bool tap_clean; // no other key since the grabbed modifier went down
};

static uint64_t now_ms(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- sd-bus on the wayland event loop ---- */

static void watch_update(struct bus_watch *watch) {
	if (!watch->bus) {
		return;
	}
	int events = sd_bus_get_events(watch->bus);
	uint32_t mask = 0;
	if (events > 0 && (events & POLLIN)) {
		mask |= WL_EVENT_READABLE;
	}
	if (events > 0 && (events & POLLOUT)) {
		mask |= WL_EVENT_WRITABLE;
	}
	wl_event_source_fd_update(watch->fd_source, mask);
	uint64_t usec = UINT64_MAX;
	int delay = 0;
	if (sd_bus_get_timeout(watch->bus, &usec) >= 0 && usec != UINT64_MAX) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		uint64_t now = (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
		delay = usec <= now ? 1 : (int)((usec - now + 999) / 1000);
		if (delay < 1) {
			delay = 1;
		}
	}
	wl_event_source_timer_update(watch->timer, delay);
}

static void watch_close(struct bus_watch *watch) {
	if (watch->fd_source) {
		wl_event_source_remove(watch->fd_source);
		watch->fd_source = NULL;
	}
	if (watch->timer) {
		wl_event_source_remove(watch->timer);
		watch->timer = NULL;
	}
	if (watch->bus) {
		sd_bus_flush_close_unref(watch->bus);
		watch->bus = NULL;
	}
}

/* Runs what the connection has for us; false when it broke (and was closed). */
static void watch_dispatch(struct bus_watch *watch) {
	if (!watch->bus || watch->dispatching) {
		return;
	}
	watch->dispatching = true;
	int r;
	while ((r = sd_bus_process(watch->bus, NULL)) > 0) {
		if (!watch->bus) {
			break;
		}
	}
	watch->dispatching = false;
	if (!watch->bus) {
		return;
	}
	if (r < 0 || !sd_bus_is_open(watch->bus)) {
		lumen_log(LUMEN_INFO, "a D-Bus connection closed (%s)", r < 0 ? strerror(-r) : "EOF");
		watch->closed(watch->keys);
		return;
	}
	watch_update(watch);
}

static int handle_bus_fd(int fd, uint32_t mask, void *data) {
	watch_dispatch(data);
	return 0;
}

static int handle_bus_timer(void *data) {
	watch_dispatch(data);
	return 0;
}

static bool watch_attach(struct comp_atspi_keys *keys, struct bus_watch *watch, sd_bus *bus) {
	watch->keys = keys;
	watch->bus = bus;
	int fd = sd_bus_get_fd(bus);
	watch->fd_source = fd >= 0 ? wl_event_loop_add_fd(keys->server->loop, fd,
		WL_EVENT_READABLE, handle_bus_fd, watch) : NULL;
	watch->timer = wl_event_loop_add_timer(keys->server->loop, handle_bus_timer, watch);
	if (!watch->fd_source || !watch->timer) {
		watch_close(watch);
		return false;
	}
	watch_update(watch);
	return true;
}

/* After sending: the connection may have output to write. */
static void watch_kick(struct bus_watch *watch) {
	if (watch->bus && !watch->dispatching) {
		watch_update(watch);
	}
}

/* ---- held keys ---- */

static bool swallowed_take(struct held_keyboard *hk, uint32_t keycode) {
	for (size_t i = 0; i < SWALLOWED_MAX; i++) {
		if (hk->swallowed[i] == keycode + 1) {
			hk->swallowed[i] = 0;
			return true;
		}
	}
	return false;
}

static void swallowed_add(struct held_keyboard *hk, uint32_t keycode) {
	for (size_t i = 0; i < SWALLOWED_MAX; i++) {
		if (hk->swallowed[i] == 0) {
			hk->swallowed[i] = keycode + 1;
			return;
		}
	}
}

static bool notify_registry(struct comp_atspi_keys *keys, const struct key_info *key,
	struct held_item *item);
static bool registry_active(struct comp_atspi_keys *keys);

static void item_free(struct held_item *item) {
	sd_bus_slot_unref(item->call);
	wl_list_remove(&item->link);
	free(item);
}

/* The time the keyboard's queue waits for: an answer, or the spacing; 0 if none. */
static uint64_t next_wakeup(struct held_keyboard *hk) {
	if (wl_list_empty(&hk->queue)) {
		return 0;
	}
	struct held_item *item = wl_container_of(hk->queue.next, item, link);
	if (item->answered) {
		return 0;
	}
	if (item->sent) {
		return item->deadline_ms;
	}
	return hk->awaiting ? hk->await_until : 0;
}

static void arm_deadline(struct comp_atspi_keys *keys) {
	uint64_t first = UINT64_MAX;
	struct held_keyboard *hk;
	wl_list_for_each(hk, &keys->keyboards, link) {
		uint64_t when = next_wakeup(hk);
		if (when && when < first) {
			first = when;
		}
	}
	int delay = 0;
	if (first != UINT64_MAX) {
		uint64_t now = now_ms();
		delay = first <= now ? 1 : (int)(first - now);
	}
	wl_event_source_timer_update(keys->deadline_timer, delay);
}

static bool is_reporter(struct comp_atspi_keys *keys, struct wl_client *client) {
	struct reporter *reporter;
	wl_list_for_each(reporter, &keys->reporters, link) {
		if (reporter->client == client) {
			return true;
		}
	}
	return false;
}

static void handle_reporter_destroy(struct wl_listener *listener, void *data) {
	struct reporter *reporter = wl_container_of(listener, reporter, destroy);
	wl_list_remove(&reporter->destroy.link);
	wl_list_remove(&reporter->link);
	free(reporter);
}

static void add_reporter(struct comp_atspi_keys *keys, struct wl_client *client) {
	struct reporter *reporter = calloc(1, sizeof(*reporter));
	if (!reporter) {
		return;
	}
	reporter->client = client;
	reporter->destroy.notify = handle_reporter_destroy;
	wl_client_add_destroy_listener(client, &reporter->destroy);
	wl_list_insert(&keys->reporters, &reporter->link);
	pid_t pid = 0;
	wl_client_get_credentials(client, &pid, NULL, NULL);
	lumen_log(LUMEN_INFO, "client (pid %d) reports its keys to the AT-SPI2 registry: its "
		"next key waits for each report", (int)pid);
}

static void handle_last_client_destroy(struct wl_listener *listener, void *data) {
	struct held_keyboard *hk = wl_container_of(listener, hk, last_client_destroy);
	wl_list_remove(&hk->last_client_destroy.link);
	wl_list_init(&hk->last_client_destroy.link);
	hk->last.client = NULL;
}

static void set_last_client(struct held_keyboard *hk, struct wl_client *client) {
	if (hk->last.client == client) {
		return;
	}
	wl_list_remove(&hk->last_client_destroy.link);
	wl_list_init(&hk->last_client_destroy.link);
	hk->last.client = client;
	if (client) {
		wl_client_add_destroy_listener(client, &hk->last_client_destroy);
	}
}

/*
 * A key went to the focused client: a reporter's copy of it comes before the next. When
 * the key went on the registry's silence (sent, not yet heard back), the registry's copy
 * of what we sent comes too, later: that one is not the client's.
 */
static void note_delivered(struct held_keyboard *hk, const struct held_item *item) {
	const struct key_info *key = &item->key;
	struct wlr_seat_client *focused = hk->keys->server->seat->keyboard_state.focused_client;
	hk->last.valid = true;
	hk->last.type = key->state == WL_KEYBOARD_KEY_STATE_PRESSED ? ATSPI_KEY_PRESSED
		: ATSPI_KEY_RELEASED;
	hk->last.hw_code = key->keycode + 8;
	hk->last.timestamp = key->time_msec;
	hk->last.own_echo = item->sent && !item->echoed;
	set_last_client(hk, focused ? focused->client : NULL);
	if (hk->last.client && is_reporter(hk->keys, hk->last.client)) {
		hk->awaiting = true;
		hk->await_until = now_ms() + COMP_ATSPI_REPORT_MS;
	}
}

/*
 * Moves the keyboard's queue along: asks the registry about its head (one call at a
 * time, so that the registry hears keys in order with what clients report), and
 * delivers from the head while the head's fate is known. A keyboard being destroyed
 * (dying) is not handed to the seat again: its keys go through the seat's keyboard, which
 * comp_atspi_keys_keyboard_destroyed has lent it.
 */
static void drain_keyboard(struct held_keyboard *hk, bool dying) {
	struct comp_server *server = hk->keys->server;
	struct wlr_input_device *device = dying ? NULL : hk->device;
	while (!wl_list_empty(&hk->queue)) {
		struct held_item *item = wl_container_of(hk->queue.next, item, link);
		if (!item->answered && !item->sent) {
			uint64_t now = now_ms();
			if (hk->awaiting && now >= hk->await_until) {
				hk->awaiting = false; // no report came: the client is busy, or kept it
			}
			if (!registry_active(hk->keys) || dying) {
				item->answered = true;
			} else if (hk->awaiting) {
				break; // the report, or the deadline timer, comes back for it
			} else if (notify_registry(hk->keys, &item->key, item)) {
				item->sent = true;
				item->deadline_ms = now + hk->keys->timeout_ms;
			} else {
				item->answered = true;
			}
		}
		if (!item->answered) {
			break;
		}
		const struct key_info *key = &item->key;
		lumen_log(LUMEN_DEBUG, "%s %s %u after %d ms", item->is_modifiers ? "modifiers" :
			item->consumed ? "consumed" : "deliver", key->state ? "press" : "release",
			key->keycode, (int)(now_ms() - item->queued_ms));
		bool delivered = !item->is_modifiers;
		if (item->is_modifiers) {
			comp_seat_deliver_modifiers(server, device, &item->modifiers);
		} else if (key->state == WL_KEYBOARD_KEY_STATE_PRESSED && item->consumed) {
			swallowed_add(hk, key->keycode);
			delivered = false;
		} else if (key->state == WL_KEYBOARD_KEY_STATE_RELEASED &&
				swallowed_take(hk, key->keycode)) {
			delivered = false;
		} else {
			comp_seat_deliver_key(server, device, key->time_msec, key->keycode, key->state);
		}
		if (delivered && !dying) {
			note_delivered(hk, item);
		}
		item_free(item);
	}
}

static void drain(struct held_keyboard *hk) {
	drain_keyboard(hk, false);
}

static void drain_all(struct comp_atspi_keys *keys) {
	struct held_keyboard *hk;
	wl_list_for_each(hk, &keys->keyboards, link) {
		drain(hk);
	}
	arm_deadline(keys);
}

/* Gives up waiting for every call in flight (the registry went, or was too slow). */
static void answer_all(struct comp_atspi_keys *keys, bool only_late) {
	uint64_t now = now_ms();
	struct held_keyboard *hk;
	wl_list_for_each(hk, &keys->keyboards, link) {
		struct held_item *item;
		wl_list_for_each(item, &hk->queue, link) {
			if (!item->answered && (!only_late || (item->sent && item->deadline_ms <= now))) {
				item->answered = true;
				item->consumed = false;
				item->call = sd_bus_slot_unref(item->call);
			}
		}
	}
	drain_all(keys);
}

static int handle_deadline(void *data) {
	struct comp_atspi_keys *keys = data;
	answer_all(keys, true);
	return 0;
}

static void held_keyboard_free(struct held_keyboard *hk) {
	struct held_item *item, *tmp;
	wl_list_for_each_safe(item, tmp, &hk->queue, link) {
		item_free(item);
	}
	wl_list_remove(&hk->last_client_destroy.link);
	wl_list_remove(&hk->link);
	free(hk);
}

static struct held_keyboard *find_keyboard(struct comp_atspi_keys *keys,
		struct wlr_input_device *device, bool create) {
	struct held_keyboard *hk;
	wl_list_for_each(hk, &keys->keyboards, link) {
		if (hk->device == device) {
			return hk;
		}
	}
	if (!create || !(hk = calloc(1, sizeof(*hk)))) {
		return NULL;
	}
	hk->keys = keys;
	hk->device = device;
	wl_list_init(&hk->queue);
	hk->last_client_destroy.notify = handle_last_client_destroy;
	wl_list_init(&hk->last_client_destroy.link);
	wl_list_insert(keys->keyboards.prev, &hk->link);
	return hk;
}

static int handle_notify_reply(sd_bus_message *m, void *data, sd_bus_error *error) {
	struct held_item *item = data;
	item->call = sd_bus_slot_unref(item->call);
	item->answered = true;
	int consumed = 0;
	if (sd_bus_message_is_method_error(m, NULL)) {
		const sd_bus_error *e = sd_bus_message_get_error(m);
		lumen_log(LUMEN_DEBUG, "NotifyListenersSync: %s", e && e->message ? e->message : "error");
	} else if (sd_bus_message_read(m, "b", &consumed) < 0) {
		consumed = 0;
	}
	item->consumed = consumed != 0;
	struct comp_atspi_keys *keys = item->keyboard->keys;
	drain(item->keyboard);
	arm_deadline(keys);
	return 1;
}

/* What AT-SPI2 calls the key: keysym, text, X modifier mask (before the key). */
static void describe_key(struct wlr_keyboard *kbd, struct wlr_event_keyboard_key *event,
		struct key_info *key) {
	*key = (struct key_info){
		.time_msec = event->time_msec,
		.keycode = event->keycode,
		.state = event->state,
		.sym = XKB_KEY_NoSymbol,
		.modifiers = wlr_keyboard_get_modifiers(kbd),
	};
	if (!kbd->xkb_state) {
		return;
	}
	key->sym = xkb_state_key_get_one_sym(kbd->xkb_state, event->keycode + 8);
	char utf8[16];
	int len = xkb_state_key_get_utf8(kbd->xkb_state, event->keycode + 8, utf8, sizeof(utf8));
	if (len > 0 && (unsigned char)utf8[0] >= 0x20 && utf8[0] != 0x7f) {
		snprintf(key->text, sizeof(key->text), "%s", utf8);
		key->is_text = true;
	} else if (xkb_keysym_get_name(key->sym, key->text, sizeof(key->text)) < 0) {
		key->text[0] = '\0';
	}
}

/* NotifyListenersSync for this key; the answer goes to item, or none is wanted. */
static bool notify_registry(struct comp_atspi_keys *keys, const struct key_info *key,
		struct held_item *item) {
	sd_bus_message *m = NULL;
	int r = sd_bus_message_new_method_call(keys->a11y.bus, &m, REGISTRY_NAME, DEC_PATH,
		DEC_IFACE, "NotifyListenersSync");
	if (r >= 0) {
		/* The registry reads (uiiiisb), whatever its introspection says. */
		r = sd_bus_message_append(m, "(uiiiisb)",
			(uint32_t)(key->state == WL_KEYBOARD_KEY_STATE_PRESSED ? ATSPI_KEY_PRESSED
				: ATSPI_KEY_RELEASED),
			(int32_t)key->sym, (int32_t)(key->keycode + 8), (int32_t)key->modifiers,
			(int32_t)key->time_msec, key->text, (int)key->is_text);
	}
	if (r >= 0) {
		if (item) {
			r = sd_bus_call_async(keys->a11y.bus, &item->call, m, handle_notify_reply, item,
				keys->timeout_ms * 4 * 1000);
		} else {
			r = sd_bus_message_set_expect_reply(m, 0);
			r = r >= 0 ? sd_bus_send(keys->a11y.bus, m, NULL) : r;
		}
	}
	sd_bus_message_unref(m);
	if (r < 0) {
		lumen_log(LUMEN_DEBUG, "NotifyListenersSync not sent: %s", strerror(-r));
		return false;
	}
	watch_kick(&keys->a11y);
	return true;
}

static bool registry_active(struct comp_atspi_keys *keys) {
	return keys->a11y.bus && keys->enabled && keys->listeners;
}

/* ---- org.freedesktop.a11y.KeyboardMonitor ---- */

static bool held_mod_down(struct comp_atspi_keys *keys) {
	for (size_t i = 0; i < HELD_MODS_MAX; i++) {
		if (keys->held_mods[i]) {
			return true;
		}
	}
	return false;
}

static bool client_grabs_modifier(struct monitor_client *client, xkb_keysym_t sym) {
	for (size_t i = 0; i < client->n_modifier_syms; i++) {
		if (client->modifier_syms[i] == sym) {
			return true;
		}
	}
	return false;
}

static bool client_grabs_stroke(struct monitor_client *client, xkb_keysym_t sym,
		uint32_t modifiers) {
	xkb_keysym_t lower = xkb_keysym_to_lower(sym);
	for (size_t i = 0; i < client->n_grabs; i++) {
		struct atspi_key_grab *g = &client->grabs[i];
		if ((g->keysym == sym || g->keysym == lower) && (modifiers & 0xff) == g->modifiers) {
			return true;
		}
	}
	return false;
}

static void emit_key_event(struct comp_atspi_keys *keys, struct monitor_client *client,
		bool released, uint32_t state, uint32_t sym, uint32_t unichar, uint16_t keycode) {
	sd_bus_message *m = NULL;
	int r = sd_bus_message_new_signal(keys->session.bus, &m, MANAGER_PATH, MONITOR_IFACE,
		"KeyEvent");
	if (r >= 0) {
		r = sd_bus_message_set_destination(m, client->name);
	}
	if (r >= 0) {
		r = sd_bus_message_append(m, "buuuq", (int)released, state, sym, unichar, keycode);
	}
	if (r >= 0) {
		r = sd_bus_send(keys->session.bus, m, NULL);
	}
	sd_bus_message_unref(m);
	if (r < 0) {
		lumen_log(LUMEN_DEBUG, "KeyEvent to %s not sent: %s", client->name, strerror(-r));
	}
}

/* Tells the monitor's clients of the key; true when one of them grabs it. */
static bool monitor_key(struct comp_atspi_keys *keys, struct wlr_keyboard *kbd,
		struct wlr_event_keyboard_key *event) {
	if (wl_list_empty(&keys->clients) || !kbd->xkb_state) {
		return false;
	}
	uint32_t keycode = event->keycode + 8;
	bool pressed = event->state == WL_KEYBOARD_KEY_STATE_PRESSED;
	xkb_keysym_t sym = xkb_state_key_get_one_sym(kbd->xkb_state, keycode);
	uint32_t unichar = xkb_state_key_get_utf32(kbd->xkb_state, keycode);
	uint32_t modifiers = wlr_keyboard_get_modifiers(kbd);

	bool is_grabbed_modifier = false;
	struct monitor_client *client;
	wl_list_for_each(client, &keys->clients, link) {
		is_grabbed_modifier = is_grabbed_modifier || client_grabs_modifier(client, sym);
	}
	/*
	 * A grabbed modifier (Orca's Insert) tapped twice quickly: the second press is the
	 * key itself, for the application.
	 */
	bool pass = false;
	if (is_grabbed_modifier && pressed) {
		pass = keys->tap_keycode == keycode && event->time_msec - keys->tap_time <
			(uint32_t)(kbd->repeat_info.delay > 0 ? kbd->repeat_info.delay : 600);
		keys->tap_keycode = 0;
		keys->tap_clean = true;
	} else if (is_grabbed_modifier && keys->tap_clean) {
		keys->tap_keycode = keycode;
		keys->tap_time = event->time_msec;
	} else if (pressed) {
		keys->tap_clean = false;
		keys->tap_keycode = 0;
	}
	bool under_modifier = held_mod_down(keys);
	if (is_grabbed_modifier && !pass) {
		for (size_t i = 0; i < HELD_MODS_MAX; i++) {
			if (pressed && keys->held_mods[i] == 0) {
				keys->held_mods[i] = keycode;
				break;
			} else if (!pressed && keys->held_mods[i] == keycode) {
				keys->held_mods[i] = 0;
			}
		}
	}

	bool grabbed = false;
	wl_list_for_each(client, &keys->clients, link) {
		bool grabs = !pass && (client->grab_all || client_grabs_modifier(client, sym) ||
			(client->n_modifier_syms > 0 && under_modifier) ||
			client_grabs_stroke(client, sym, modifiers));
		if (grabs || client->watch) {
			emit_key_event(keys, client, !pressed, modifiers, sym, unichar,
				(uint16_t)keycode);
		}
		grabbed = grabbed || grabs;
	}
	watch_kick(&keys->session);
	return grabbed;
}

static void client_free(struct monitor_client *client) {
	wl_list_remove(&client->link);
	sd_bus_slot_unref(client->vanish);
	free(client->name);
	free(client->modifier_syms);
	free(client->grabs);
	free(client);
}

static int handle_client_vanished(sd_bus_message *m, void *data, sd_bus_error *error) {
	struct monitor_client *client = data;
	const char *name, *old_owner, *new_owner;
	if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) >= 0 &&
			new_owner[0] == '\0') {
		lumen_log(LUMEN_INFO, "KeyboardMonitor: %s left", client->name);
		client_free(client);
	}
	return 0;
}

static struct monitor_client *ensure_client(struct comp_atspi_keys *keys, const char *name) {
	struct monitor_client *client;
	wl_list_for_each(client, &keys->clients, link) {
		if (strcmp(client->name, name) == 0) {
			return client;
		}
	}
	client = calloc(1, sizeof(*client));
	if (!client || !(client->name = strdup(name))) {
		free(client);
		return NULL;
	}
	client->keys = keys;
	char match[512];
	snprintf(match, sizeof(match), "type='signal',sender='org.freedesktop.DBus',"
		"path='/org/freedesktop/DBus',interface='org.freedesktop.DBus',"
		"member='NameOwnerChanged',arg0='%s'", name);
	if (sd_bus_add_match_async(keys->session.bus, &client->vanish, match,
			handle_client_vanished, NULL, client) < 0) {
		free(client->name);
		free(client);
		return NULL;
	}
	wl_list_insert(&keys->clients, &client->link);
	return client;
}

static int set_key_grabs(struct monitor_client *client, sd_bus_message *m) {
	uint32_t *syms;
	struct atspi_key_grab *grabs;
	size_t n_syms, n_grabs;
	int r = atspi_read_key_grabs(m, &syms, &n_syms, &grabs, &n_grabs);
	if (r < 0) {
		return r;
	}
	free(client->modifier_syms);
	free(client->grabs);
	client->modifier_syms = syms;
	client->n_modifier_syms = n_syms;
	client->grabs = grabs;
	client->n_grabs = n_grabs;
	return 0;
}

/* The call's slot is floating: this runs when it is answered, or the bus closes. */
static void monitor_call_free(void *data) {
	struct monitor_call *call = data;
	sd_bus_message_unref(call->message);
	free(call);
}

static int handle_orca_owner(sd_bus_message *reply, void *data, sd_bus_error *ret_error) {
	struct monitor_call *call = data;
	struct comp_atspi_keys *keys = call->keys;
	const char *sender = sd_bus_message_get_sender(call->message);
	const char *owner = NULL;
	if (sd_bus_message_is_method_error(reply, NULL) ||
			sd_bus_message_read(reply, "s", &owner) < 0 || !sender || strcmp(owner, sender)) {
		lumen_log(LUMEN_INFO, "KeyboardMonitor: %s does not own %s; refused",
			sender ? sender : "?", ORCA_MONITOR_NAME);
		sd_bus_reply_method_errorf(call->message, SD_BUS_ERROR_ACCESS_DENIED,
			"only the owner of %s may use the keyboard monitor", ORCA_MONITOR_NAME);
		goto out;
	}
	struct monitor_client *client = ensure_client(keys, sender);
	if (!client) {
		sd_bus_reply_method_errorf(call->message, SD_BUS_ERROR_NO_MEMORY, "out of memory");
		goto out;
	}
	int r = 0;
	switch (call->method) {
	case M_GRAB:
		client->grab_all = true;
		break;
	case M_UNGRAB:
		client->grab_all = false;
		break;
	case M_WATCH:
		client->watch = true;
		break;
	case M_UNWATCH:
		client->watch = false;
		break;
	case M_SET_KEY_GRABS:
		r = set_key_grabs(client, call->message);
		break;
	}
	lumen_log(LUMEN_INFO, "KeyboardMonitor: %s: %s", sender,
		sd_bus_message_get_member(call->message));
	if (r < 0) {
		sd_bus_reply_method_errorf(call->message, SD_BUS_ERROR_INVALID_ARGS,
			"bad arguments: %s", strerror(-r));
	} else {
		sd_bus_reply_method_return(call->message, NULL);
	}
out:
	return 1;
}

/* Every method: first ask the bus who owns Orca's name, then act (or refuse). */
static int monitor_method(sd_bus_message *m, void *data, enum monitor_method method) {
	struct comp_atspi_keys *keys = data;
	struct monitor_call *call = calloc(1, sizeof(*call));
	if (!call) {
		return -ENOMEM;
	}
	call->keys = keys;
	call->message = sd_bus_message_ref(m);
	call->method = method;
	sd_bus_slot *slot = NULL;
	int r = sd_bus_call_method_async(keys->session.bus, &slot, "org.freedesktop.DBus",
		"/org/freedesktop/DBus", "org.freedesktop.DBus", "GetNameOwner", handle_orca_owner,
		call, "s", ORCA_MONITOR_NAME);
	if (r < 0) {
		monitor_call_free(call);
		return r;
	}
	sd_bus_slot_set_destroy_callback(slot, monitor_call_free);
	sd_bus_slot_set_floating(slot, 1);
	sd_bus_slot_unref(slot);
	return 1;
}

static int handle_grab(sd_bus_message *m, void *data, sd_bus_error *e) {
	return monitor_method(m, data, M_GRAB);
}

static int handle_ungrab(sd_bus_message *m, void *data, sd_bus_error *e) {
	return monitor_method(m, data, M_UNGRAB);
}

static int handle_watch(sd_bus_message *m, void *data, sd_bus_error *e) {
	return monitor_method(m, data, M_WATCH);
}

static int handle_unwatch(sd_bus_message *m, void *data, sd_bus_error *e) {
	return monitor_method(m, data, M_UNWATCH);
}

static int handle_set_key_grabs(sd_bus_message *m, void *data, sd_bus_error *e) {
	return monitor_method(m, data, M_SET_KEY_GRABS);
}

static const sd_bus_vtable monitor_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("GrabKeyboard", "", "", handle_grab, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("UngrabKeyboard", "", "", handle_ungrab, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("WatchKeyboard", "", "", handle_watch, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("UnwatchKeyboard", "", "", handle_unwatch, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("SetKeyGrabs", "aua(uu)", "", handle_set_key_grabs,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL("KeyEvent", "buuuq", 0),
	SD_BUS_VTABLE_END,
};

/* ---- the AT-SPI2 bus and its registry ---- */

static bool is_key(const struct atspi_device_event *event, const struct key_info *key) {
	uint32_t type = key->state == WL_KEYBOARD_KEY_STATE_PRESSED ? ATSPI_KEY_PRESSED
		: ATSPI_KEY_RELEASED;
	return event->type == type && event->hw_code == key->keycode + 8 &&
		(uint32_t)event->timestamp == key->time_msec;
}

/*
 * Our own keystroke listener: every key the registry hears, from us or from clients.
 * It consumes nothing. A copy of a key we delivered is the client's report of it, once
 * the registry's copy of what we sent has come (before the answer, or after it, when we
 * stopped waiting: the registry was busy).
 */
static int handle_notify_event(sd_bus_message *m, void *data, sd_bus_error *e) {
	struct comp_atspi_keys *keys = data;
	struct atspi_device_event event;
	int r = atspi_read_device_event(m, &event);
	if (r < 0) {
		return r;
	}
	/* The answer first: the registry must tell the others before it hears our next. */
	r = sd_bus_reply_method_return(m, "b", 0);
	struct held_keyboard *hk;
	wl_list_for_each(hk, &keys->keyboards, link) {
		struct held_item *head = wl_list_empty(&hk->queue) ? NULL :
			wl_container_of(hk->queue.next, head, link);
		if (head && head->sent && !head->echoed && !head->answered &&
				is_key(&event, &head->key)) {
			head->echoed = true; // ours, in flight
			continue;
		}
		if (!hk->last.valid || hk->last.type != event.type ||
				hk->last.hw_code != event.hw_code ||
				hk->last.timestamp != (uint32_t)event.timestamp) {
			continue;
		}
		if (hk->last.own_echo) {
			hk->last.own_echo = false; // ours, after we stopped waiting
			continue;
		}
		hk->last.valid = false;
		if (hk->last.client && !is_reporter(keys, hk->last.client)) {
			add_reporter(keys, hk->last.client);
		}
		if (hk->awaiting) {
			hk->awaiting = false;
			drain(hk);
		}
	}
	arm_deadline(keys);
	return r < 0 ? r : 1;
}

static const sd_bus_vtable listener_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("NotifyEvent", "(uiuuisb)", "b", handle_notify_event,
		SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END,
};

/* Registers our listener for every key, with every modifier mask (the registry matches
 * masks exactly), not synchronous, never consuming. */
static void register_listener(struct comp_atspi_keys *keys) {
	sd_bus *bus = keys->a11y.bus;
	if (sd_bus_add_object_vtable(bus, &keys->listener_vtable, LISTENER_PATH, LISTENER_IFACE,
			listener_vtable, keys) < 0) {
		lumen_log(LUMEN_WARN, "cannot listen to the AT-SPI2 registry's keys");
		return;
	}
	for (uint32_t mask = 0; mask < 256; mask++) {
		int r = sd_bus_call_method_async(bus, NULL, REGISTRY_NAME, DEC_PATH, DEC_IFACE,
			"RegisterKeystrokeListener", NULL, NULL, "oa(iisi)uu(bbb)", LISTENER_PATH, 0,
			mask, (uint32_t)((1 << ATSPI_KEY_PRESSED) | (1 << ATSPI_KEY_RELEASED)), 0, 0, 0);
		if (r < 0) {
			lumen_log(LUMEN_WARN, "RegisterKeystrokeListener: %s", strerror(-r));
			return;
		}
	}
}

static void close_a11y(struct comp_atspi_keys *keys) {
	keys->listeners_call = sd_bus_slot_unref(keys->listeners_call);
	keys->listener_vtable = sd_bus_slot_unref(keys->listener_vtable);
	if (keys->listeners_timer) {
		wl_event_source_timer_update(keys->listeners_timer, 0);
	}
	for (size_t i = 0; i < 3; i++) {
		keys->listener_match[i] = sd_bus_slot_unref(keys->listener_match[i]);
	}
	keys->listeners = false;
	answer_all(keys, false);
	watch_close(&keys->a11y);
}

static void a11y_closed(struct comp_atspi_keys *keys) {
	close_a11y(keys);
}

static int handle_listeners_reply(sd_bus_message *m, void *data, sd_bus_error *e) {
	struct comp_atspi_keys *keys = data;
	keys->listeners_call = sd_bus_slot_unref(keys->listeners_call);
	if (sd_bus_message_is_method_error(m, NULL)) {
		keys->listeners = false;
		return 1;
	}
	/* a(souua(iisi)u(bbb)): whether there is one, other than ours. */
	const char *self = NULL;
	sd_bus_get_unique_name(keys->a11y.bus, &self);
	bool any = false;
	if (atspi_read_listeners(m, self, &any) < 0) {
		lumen_log(LUMEN_WARN, "GetKeystrokeListeners: an answer we cannot read");
	}
	lumen_log(LUMEN_DEBUG, "GetKeystrokeListeners: %s other than ours", any ? "some" : "none");
	if (any != keys->listeners) {
		lumen_log(LUMEN_INFO, "AT-SPI2 keystroke listeners: %s; keys %s", any ? "yes" : "none",
			any ? "go to the registry first" : "go straight to clients");
	}
	keys->listeners = any;
	if (!any) {
		answer_all(keys, false);
	}
	return 1;
}

static void ask_listeners(struct comp_atspi_keys *keys) {
	if (!keys->a11y.bus) {
		return;
	}
	keys->listeners_call = sd_bus_slot_unref(keys->listeners_call);
	int r = sd_bus_call_method_async(keys->a11y.bus, &keys->listeners_call, REGISTRY_NAME,
		DEC_PATH, DEC_IFACE, "GetKeystrokeListeners", handle_listeners_reply, keys, "");
	if (r < 0) {
		lumen_log(LUMEN_DEBUG, "GetKeystrokeListeners: %s", strerror(-r));
	}
	watch_kick(&keys->a11y);
}

/* Listeners register one mask at a time (256 of them for Orca): ask once they are done. */
static int handle_listener_signal(sd_bus_message *m, void *data, sd_bus_error *e) {
	struct comp_atspi_keys *keys = data;
	wl_event_source_timer_update(keys->listeners_timer, 50);
	return 0;
}

static int handle_listeners_timer(void *data) {
	ask_listeners(data);
	return 0;
}

static void open_a11y(struct comp_atspi_keys *keys, const char *address) {
	sd_bus *bus = NULL;
	int r = sd_bus_new(&bus);
	if (r >= 0) {
		r = sd_bus_set_address(bus, address);
	}
	if (r >= 0) {
		r = sd_bus_set_bus_client(bus, 1);
	}
	if (r >= 0) {
		r = sd_bus_start(bus);
	}
	if (r < 0) {
		lumen_log(LUMEN_WARN, "cannot connect to the AT-SPI2 bus %s: %s", address, strerror(-r));
		sd_bus_unref(bus);
		return;
	}
	if (!watch_attach(keys, &keys->a11y, bus)) {
		return;
	}
	keys->a11y.closed = a11y_closed;
	/*
	 * The registry tells of listeners coming and going, but forgets one whose
	 * connection closed without a word: then ask again when any name loses its owner.
	 */
	static const char *const matches[3] = {
		"type='signal',member='KeystrokeListenerRegistered'",
		"type='signal',member='KeystrokeListenerDeregistered'",
		("type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',"
			"member='NameOwnerChanged',arg2=''"),
	};
	for (size_t i = 0; i < 3; i++) {
		const char *match = matches[i];
		sd_bus_add_match_async(bus, &keys->listener_match[i], match, handle_listener_signal,
			NULL, keys);
	}
	lumen_log(LUMEN_INFO, "on the AT-SPI2 bus %s", address);
	register_listener(keys);
	ask_listeners(keys);
}

static int handle_address(sd_bus_message *m, void *data, sd_bus_error *e) {
	struct comp_atspi_keys *keys = data;
	keys->address_call = sd_bus_slot_unref(keys->address_call);
	const char *address;
	if (sd_bus_message_is_method_error(m, NULL) || sd_bus_message_read(m, "s", &address) < 0) {
		lumen_log(LUMEN_WARN, "org.a11y.Bus.GetAddress failed");
		return 1;
	}
	if (keys->enabled && !keys->a11y.bus) {
		open_a11y(keys, address);
	}
	return 1;
}

static void set_enabled(struct comp_atspi_keys *keys, bool enabled) {
	if (enabled != keys->enabled) {
		lumen_log(LUMEN_INFO, "accessibility is %s on the session bus", enabled ? "on" : "off");
	}
	keys->enabled = enabled;
	if (!enabled) {
		keys->address_call = sd_bus_slot_unref(keys->address_call);
		close_a11y(keys);
	} else if (!keys->a11y.bus && !keys->address_call) {
		sd_bus_call_method_async(keys->session.bus, &keys->address_call, A11Y_BUS_NAME,
			A11Y_BUS_PATH, A11Y_BUS_NAME, "GetAddress", handle_address, keys, "");
	}
}

static int handle_status(sd_bus_message *m, void *data, sd_bus_error *e) {
	struct comp_atspi_keys *keys = data;
	keys->status_call = sd_bus_slot_unref(keys->status_call);
	if (sd_bus_message_is_method_error(m, NULL)) {
		set_enabled(keys, false); // no AT-SPI2 bus launcher on this session bus
		return 1;
	}
	bool seen, enabled;
	if (atspi_read_status(m, &seen, &enabled) < 0) {
		lumen_log(LUMEN_WARN, "org.a11y.Status: an answer we cannot read");
	}
	set_enabled(keys, seen ? enabled : keys->enabled);
	return 1;
}

static void ask_status(struct comp_atspi_keys *keys) {
	keys->status_call = sd_bus_slot_unref(keys->status_call);
	sd_bus_message *m = NULL;
	int r = sd_bus_message_new_method_call(keys->session.bus, &m, A11Y_BUS_NAME,
		A11Y_BUS_PATH, "org.freedesktop.DBus.Properties", "GetAll");
	/* Asking must not start the AT-SPI2 bus: that is the session's or the user's call. */
	r = r >= 0 ? sd_bus_message_set_auto_start(m, 0) : r;
	r = r >= 0 ? sd_bus_message_append(m, "s", "org.a11y.Status") : r;
	r = r >= 0 ? sd_bus_call_async(keys->session.bus, &keys->status_call, m, handle_status,
		keys, 0) : r;
	sd_bus_message_unref(m);
	if (r < 0) {
		lumen_log(LUMEN_DEBUG, "org.a11y.Status not asked: %s", strerror(-r));
	}
}

static int handle_status_changed(sd_bus_message *m, void *data, sd_bus_error *e) {
	struct comp_atspi_keys *keys = data;
	const char *iface;
	if (sd_bus_message_read(m, "s", &iface) < 0 || strcmp(iface, "org.a11y.Status") != 0) {
		return 0;
	}
	ask_status(keys); // both properties, whichever changed
	return 0;
}

static int handle_bus_owner(sd_bus_message *m, void *data, sd_bus_error *e) {
	struct comp_atspi_keys *keys = data;
	const char *name, *old_owner, *new_owner;
	if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0) {
		return 0;
	}
	/* The launcher came or went: the AT-SPI2 bus with it. */
	close_a11y(keys);
	keys->enabled = false;
	if (new_owner[0]) {
		ask_status(keys);
	}
	return 0;
}

static void close_session(struct comp_atspi_keys *keys) {
	close_a11y(keys);
	struct monitor_client *client, *tmp;
	wl_list_for_each_safe(client, tmp, &keys->clients, link) {
		client_free(client);
	}
	keys->status_call = sd_bus_slot_unref(keys->status_call);
	keys->address_call = sd_bus_slot_unref(keys->address_call);
	keys->status_match = sd_bus_slot_unref(keys->status_match);
	keys->owner_match = sd_bus_slot_unref(keys->owner_match);
	keys->monitor_vtable = sd_bus_slot_unref(keys->monitor_vtable);
	keys->enabled = false;
	watch_close(&keys->session);
}

static void session_closed(struct comp_atspi_keys *keys) {
	lumen_log(LUMEN_WARN, "the session bus went away; keys for screen readers are off");
	close_session(keys);
}

struct comp_atspi_keys *comp_atspi_keys_create(struct comp_server *server) {
	sd_bus *bus = NULL;
	int r = sd_bus_open_user(&bus);
	if (r < 0) {
		lumen_log(LUMEN_INFO, "no session bus (%s): no AT-SPI2 key forwarding, no "
			"KeyboardMonitor", strerror(-r));
		return NULL;
	}
	struct comp_atspi_keys *keys = calloc(1, sizeof(*keys));
	if (!keys) {
		sd_bus_unref(bus);
		return NULL;
	}
	keys->server = server;
	keys->timeout_ms = COMP_ATSPI_TIMEOUT_MS;
	const char *timeout = getenv("LUMEN_ATSPI_KEY_TIMEOUT_MS");
	if (timeout && timeout[0]) {
		char *end;
		long ms = strtol(timeout, &end, 10);
		if (*end == '\0' && ms >= 10 && ms <= 5000) {
			keys->timeout_ms = (uint64_t)ms;
		} else {
			lumen_log(LUMEN_ERROR, "LUMEN_ATSPI_KEY_TIMEOUT_MS=%s is not 10..5000: %d ms",
				timeout, COMP_ATSPI_TIMEOUT_MS);
		}
	}
	wl_list_init(&keys->keyboards);
	wl_list_init(&keys->clients);
	wl_list_init(&keys->reporters);
	keys->deadline_timer = wl_event_loop_add_timer(server->loop, handle_deadline, keys);
	keys->listeners_timer = wl_event_loop_add_timer(server->loop, handle_listeners_timer,
		keys);
	if (!keys->deadline_timer || !keys->listeners_timer ||
			!watch_attach(keys, &keys->session, bus)) {
		if (!keys->deadline_timer || !keys->listeners_timer) {
			sd_bus_unref(bus);
		}
		comp_atspi_keys_destroy(keys);
		return NULL;
	}
	keys->session.closed = session_closed;
	sd_bus_match_signal_async(bus, &keys->status_match, A11Y_BUS_NAME, A11Y_BUS_PATH,
		"org.freedesktop.DBus.Properties", "PropertiesChanged", handle_status_changed, NULL,
		keys);
	sd_bus_add_match_async(bus, &keys->owner_match, "type='signal',"
		"sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',"
		"member='NameOwnerChanged',arg0='" A11Y_BUS_NAME "'", handle_bus_owner, NULL, keys);
	r = sd_bus_add_object_vtable(bus, &keys->monitor_vtable, MANAGER_PATH, MONITOR_IFACE,
		monitor_vtable, keys);
	if (r >= 0) {
		r = sd_bus_request_name_async(bus, NULL, MANAGER_NAME, SD_BUS_NAME_ALLOW_REPLACEMENT,
			NULL, NULL);
	}
	if (r < 0) {
		lumen_log(LUMEN_WARN, "no KeyboardMonitor on the session bus: %s", strerror(-r));
	}
	ask_status(keys);
	watch_kick(&keys->session);
	lumen_log(LUMEN_INFO, "on the session bus: watching org.a11y.Status, serving %s",
		MANAGER_NAME);
	return keys;
}

void comp_atspi_keys_destroy(struct comp_atspi_keys *keys) {
	if (!keys) {
		return;
	}
	struct held_keyboard *hk, *tmp;
	wl_list_for_each_safe(hk, tmp, &keys->keyboards, link) {
		held_keyboard_free(hk);
	}
	if (keys->session.bus) {
		close_session(keys);
	}
	if (keys->deadline_timer) {
		wl_event_source_remove(keys->deadline_timer);
	}
	if (keys->listeners_timer) {
		wl_event_source_remove(keys->listeners_timer);
	}
	struct reporter *reporter, *rtmp;
	wl_list_for_each_safe(reporter, rtmp, &keys->reporters, link) {
		handle_reporter_destroy(&reporter->destroy, NULL);
	}
	free(keys);
}

bool comp_atspi_keys_handle_key(struct comp_atspi_keys *keys, struct wlr_input_device *device,
		struct wlr_event_keyboard_key *event) {
	if (!keys || !keys->session.bus) {
		return false;
	}
	struct wlr_keyboard *kbd = device->keyboard;
	bool pressed = event->state == WL_KEYBOARD_KEY_STATE_PRESSED;
	bool grabbed = monitor_key(keys, kbd, event);
	struct held_keyboard *hk = find_keyboard(keys, device, false);
	bool queued = hk && !wl_list_empty(&hk->queue);
	bool active = registry_active(keys);
	if (pressed && grabbed && !queued) {
		if ((hk = find_keyboard(keys, device, true))) {
			swallowed_add(hk, event->keycode);
		}
		return true;
	}
	if (!pressed && !queued && hk && swallowed_take(hk, event->keycode)) {
		/* The release of a swallowed press: the registry hears it, no client does. */
		if (active) {
			struct key_info key;
			describe_key(kbd, event, &key);
			notify_registry(keys, &key, NULL);
		}
		return true;
	}
	if (!active && !queued) {
		return false;
	}
	if (!hk && !(hk = find_keyboard(keys, device, true))) {
		return false;
	}
	struct held_item *item = calloc(1, sizeof(*item));
	if (!item) {
		return false; // deliver it now, out of order rather than never
	}
	item->keyboard = hk;
	describe_key(kbd, event, &item->key);
	item->queued_ms = now_ms();
	wl_list_insert(hk->queue.prev, &item->link);
	if (pressed && grabbed) {
		item->answered = item->consumed = true;
	}
	drain(hk);
	arm_deadline(keys);
	return true;
}

/* The input device of the seat's keyboard, if it has one. */
static struct wlr_input_device *seat_keyboard_device(struct comp_server *server) {
	struct wlr_keyboard *kbd = wlr_seat_get_keyboard(server->seat);
	struct comp_keyboard *keyboard;
	wl_list_for_each(keyboard, &server->keyboards, link) {
		if (kbd && keyboard->device->keyboard == kbd) {
			return keyboard->device;
		}
	}
	return NULL;
}

void comp_atspi_keys_keyboard_destroyed(struct comp_atspi_keys *keys,
		struct wlr_input_device *device) {
	struct held_keyboard *hk = keys ? find_keyboard(keys, device, false) : NULL;
	if (!hk) {
		return;
	}
	/*
	 * Nobody has said to consume what is still waiting: it goes to the clients now. The
	 * registry hears the keys it has not heard yet (no answer wanted), so that a screen
	 * reader that heard a press hears its release too.
	 */
	bool active = registry_active(keys);
	bool deliver = false;
	struct held_item *item;
	wl_list_for_each(item, &hk->queue, link) {
		deliver = deliver || !item->consumed;
		if (item->answered) {
			continue;
		}
		if (active && !item->sent && !item->is_modifiers) {
			notify_registry(keys, &item->key, NULL);
		}
		item->answered = true;
		item->consumed = false;
		item->call = sd_bus_slot_unref(item->call);
	}
	/*
	 * The keys go through the seat with this keyboard's keymap: a key held since the
	 * keyboard came has not made it the seat's keyboard yet, and the seat's keyboard may be
	 * another one, or none (then the key would be lost). The seat only lends it: the seat
	 * must not keep a keyboard whose destroy signal is being emitted (a listener added now
	 * is not called), so it gets back the keyboard it had.
	 */
	struct comp_server *server = keys->server;
	struct wlr_input_device *before = seat_keyboard_device(server);
	bool lend = deliver && before != device && device->keyboard && device->keyboard->keymap;
	if (lend) {
		wlr_seat_set_keyboard(server->seat, device);
	}
	drain_keyboard(hk, true);
	if (lend) {
		wlr_seat_set_keyboard(server->seat, before);
	}
	held_keyboard_free(hk);
	arm_deadline(keys);
}

bool comp_atspi_keys_handle_modifiers(struct comp_atspi_keys *keys,
		struct wlr_input_device *device) {
	if (!keys) {
		return false;
	}
	struct held_keyboard *hk = find_keyboard(keys, device, false);
	if (!hk || wl_list_empty(&hk->queue)) {
		return false;
	}
	struct held_item *item = calloc(1, sizeof(*item));
	if (!item) {
		return false;
	}
	item->keyboard = hk;
	item->is_modifiers = true;
	item->modifiers = device->keyboard->modifiers;
	item->queued_ms = now_ms();
	item->answered = true;
	wl_list_insert(hk->queue.prev, &item->link);
	return true;
}
