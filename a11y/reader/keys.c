/*
 * The reader's keys: a Wayland connection to the compositor, lumen_reader_keys_v1 bound
 * there (a privileged global: the reader must be trusted, started by the compositor or
 * the session, or connected to the trusted socket), and the grab of the modifier while
 * the reader speaks. Chords come back as key events (commands.c); navigation keys the
 * apps received as observed events; the compositor's reader-toggle as toggle.
 *
 * The connection: WAYLAND_SOCKET once (what the session or the compositor handed us),
 * then --wayland NAME, else "$WAYLAND_DISPLAY-trusted" where that socket exists, else
 * $WAYLAND_DISPLAY. Lost (the compositor restarts), it is made again. Nothing here
 * waits for the compositor (a session's socket keeps connections in its backlog while
 * the compositor restarts): the registry is answered in the main loop.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <wayland-client.h>
#include "common/log.h"
#include "lumen-reader-keys-v1-client-protocol.h"
#include "reader.h"

static void grab_refused(void *data, struct lumen_reader_grab_v1 *grab) {
	struct reader *r = data;
	lumen_log(LUMEN_WARN, "another screen reader holds the keys: no commands here");
	if (r->grab == grab) {
		lumen_reader_grab_v1_destroy(grab);
		r->grab = NULL;
	}
}

static void grab_key(void *data, struct lumen_reader_grab_v1 *grab, uint32_t time,
		uint32_t keysym, uint32_t modifiers, uint32_t state) {
	struct reader *r = data;
	if (state == LUMEN_READER_GRAB_V1_KEY_STATE_PRESSED) {
		reader_command_key(r, keysym, modifiers);
	}
}

static void grab_observed(void *data, struct lumen_reader_grab_v1 *grab, uint32_t time,
		uint32_t keysym, uint32_t modifiers, uint32_t state) {
	reader_observed_key(data, keysym, modifiers,
		state == LUMEN_READER_GRAB_V1_KEY_STATE_PRESSED);
}

static const struct lumen_reader_grab_v1_listener grab_listener = {
	.refused = grab_refused,
	.key = grab_key,
	.observed = grab_observed,
};

static void keys_toggle(void *data, struct lumen_reader_keys_v1 *keys) {
	reader_toggle(data);
}

static const struct lumen_reader_keys_v1_listener keys_listener = {
	.toggle = keys_toggle,
};

void reader_keys_update_grab(struct reader *r) {
	bool want = !r->muted && r->keys;
	if (want && !r->grab) {
		r->grab = lumen_reader_keys_v1_grab(r->keys, r->modifier == READER_MOD_CAPS_LOCK ?
			LUMEN_READER_KEYS_V1_MODIFIER_CAPS_LOCK : LUMEN_READER_KEYS_V1_MODIFIER_INSERT);
		lumen_reader_grab_v1_add_listener(r->grab, &grab_listener, r);
		lumen_log(LUMEN_INFO, "commands under %s",
			r->modifier == READER_MOD_CAPS_LOCK ? "Caps Lock" : "Insert");
	} else if (!want && r->grab) {
		lumen_reader_grab_v1_destroy(r->grab);
		r->grab = NULL;
	}
}

static void registry_global(void *data, struct wl_registry *registry, uint32_t name,
		const char *interface, uint32_t version) {
	struct reader *r = data;
	if (strcmp(interface, lumen_reader_keys_v1_interface.name) == 0 && !r->keys) {
		r->keys = wl_registry_bind(registry, name, &lumen_reader_keys_v1_interface, 1);
		lumen_reader_keys_v1_add_listener(r->keys, &keys_listener, r);
	}
}

static void registry_remove(void *data, struct wl_registry *registry, uint32_t name) {
}

static const struct wl_registry_listener registry_listener = {registry_global,
	registry_remove};

static void sync_done(void *data, struct wl_callback *callback, uint32_t serial) {
	struct reader *r = data;
	wl_callback_destroy(callback);
	r->wl_sync = NULL;
	if (!r->keys) {
		lumen_log(LUMEN_WARN, "the compositor offers no lumen_reader_keys_v1 (are we "
			"trusted?): no commands");
		return;
	}
	reader_keys_update_grab(r);
}

static const struct wl_callback_listener sync_listener = {sync_done};

void reader_keys_disconnect(struct reader *r) {
	if (r->wl_sync) {
		wl_callback_destroy(r->wl_sync);
		r->wl_sync = NULL;
	}
	if (r->grab) {
		lumen_reader_grab_v1_destroy(r->grab);
		r->grab = NULL;
	}
	if (r->keys) {
		lumen_reader_keys_v1_destroy(r->keys);
		r->keys = NULL;
	}
	if (r->wl_registry) {
		wl_registry_destroy(r->wl_registry);
		r->wl_registry = NULL;
	}
	if (r->wl) {
		wl_display_disconnect(r->wl);
		r->wl = NULL;
	}
}

static struct wl_display *open_display(struct reader *r) {
	const char *socket_env = getenv("WAYLAND_SOCKET");
	if (!r->wayland_socket_used && socket_env && socket_env[0]) {
		r->wayland_socket_used = true;
		return wl_display_connect(NULL); // takes WAYLAND_SOCKET (and unsets it)
	}
	if (r->wayland_name) {
		return wl_display_connect(r->wayland_name);
	}
	const char *name = getenv("WAYLAND_DISPLAY");
	const char *dir = getenv("XDG_RUNTIME_DIR");
	if (!name || !name[0]) {
		return NULL;
	}
	/* The trusted twin of the compositor's socket, ours alone (0600), where it exists. */
	char trusted[256];
	struct stat st;
	int len = snprintf(trusted, sizeof(trusted), "%s%s%s-trusted",
		name[0] == '/' || !dir ? "" : dir, name[0] == '/' || !dir ? "" : "/", name);
	if (len > 0 && (size_t)len < sizeof(trusted) && stat(trusted, &st) == 0 &&
			S_ISSOCK(st.st_mode)) {
		struct wl_display *display = wl_display_connect(trusted);
		if (display) {
			return display;
		}
	}
	return wl_display_connect(name);
}

bool reader_keys_connect(struct reader *r) {
	if (r->wl) {
		return true;
	}
	const char *name = getenv("WAYLAND_DISPLAY");
	const char *socket_env = getenv("WAYLAND_SOCKET");
	if (!r->wayland_name && (!name || !name[0]) &&
			(r->wayland_socket_used || !socket_env || !socket_env[0])) {
		lumen_log(LUMEN_INFO, "no compositor named (WAYLAND_DISPLAY): no commands");
		r->keys_enabled = false;
		return false;
	}
	r->wl = open_display(r);
	if (!r->wl) {
		if (!r->keys_warned) {
			lumen_log(LUMEN_INFO, "waiting for the compositor for the reader's keys");
			r->keys_warned = true;
		}
		return false;
	}
	r->keys_warned = false;
	/* Globals come before the sync's answer; without ours we stay connected all the
	 * same: a lost connection says the compositor restarted. */
	r->wl_registry = wl_display_get_registry(r->wl);
	wl_registry_add_listener(r->wl_registry, &registry_listener, r);
	r->wl_sync = wl_display_sync(r->wl);
	wl_callback_add_listener(r->wl_sync, &sync_listener, r);
	return true;
}
