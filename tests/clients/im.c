/*
 * lumen-test-im: an input method (input-method-v2) that reports on stdout, one line at a
 * time, what the compositor tells it about the focused text field, and answers each
 * activation as its options say: a preedit, a commit, a deletion. It can show a popup
 * (the candidate list of a real input method) in one colour, so a test can see where
 * the compositor put it, and grab the keyboard, typing each key it gets as committed
 * text, so a test can type through it.
 *
 * The manager is privileged: run it on the trusted socket.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wayland-client.h>
#include <xkbcommon/xkbcommon.h>
#include "input-method-unstable-v2-client-protocol.h"
#include "tc-common.h"

struct im {
	struct wl_display *display;
	struct wl_registry *registry;
	struct wl_compositor *compositor;
	struct wl_shm *shm;
	struct wl_seat *seat;
	struct zwp_input_method_manager_v2 *manager;
	struct zwp_input_method_v2 *input_method;
	struct zwp_input_method_keyboard_grab_v2 *grab; // NULL while not grabbing

	struct wl_surface *popup_surface; // NULL without --popup
	struct zwp_input_popup_surface_v2 *popup;
	struct tc_buffer *popup_buffer;

	struct xkb_context *xkb_context;
	struct xkb_keymap *keymap; // from the grab; NULL before its keymap event
	struct xkb_state *xkb_state;

	/*
	 * activate and deactivate take effect on the next done, like everything the
	 * compositor sends; the done count is the serial our commits must carry.
	 */
	bool pending_active, active;
	uint32_t done_count;
	bool unavailable;

	/* What to do on each activation. */
	const char *preedit; // may be NULL
	const char *commit; // may be NULL
	bool delete;
	uint32_t delete_before, delete_after;
	bool want_grab;
	int popup_width, popup_height; // 0: no popup
	uint32_t popup_color;
};

static void usage(FILE *f) {
	fprintf(f,
		"usage: lumen-test-im [options]\n"
		"  --preedit TEXT     on each activation, set a preedit (cursor at its end)\n"
		"  --commit TEXT      on each activation, commit TEXT\n"
		"  --delete B,A       on each activation, delete B bytes before the cursor and A\n"
		"                     after it\n"
		"  --popup WxH        show a popup surface of that size while active\n"
		"  --color RRGGBB     the popup's colour (default ff00ff)\n"
		"  --grab             grab the keyboard while active; each key typed is\n"
		"                     committed as text\n"
		"Prints: ready, activate, deactivate, surrounding \"TEXT\" CURSOR ANCHOR,\n"
		"content_type HINT PURPOSE, done, unavailable (then exits 0),\n"
		"text_input_rectangle X Y W H, grab key CODE pressed|released.\n");
}

/* Sends what is pending with the serial of the last done, as the protocol asks. */
static void im_commit(struct im *im) {
	zwp_input_method_v2_commit(im->input_method, im->done_count);
}

/* Keyboard grab. */

static void grab_handle_keymap(void *data, struct zwp_input_method_keyboard_grab_v2 *grab,
		uint32_t format, int32_t fd, uint32_t size) {
	struct im *im = data;
	if (format != WL_KEYBOARD_KEYMAP_FORMAT_XKB_V1 || size == 0) {
		close(fd);
		fprintf(stderr, "lumen-test-im: the grab sent a keymap we cannot read (format %u)\n",
			format);
		return;
	}
	char *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		tc_die("cannot mmap the grab's keymap: %s", strerror(errno));
	}
	struct xkb_keymap *keymap = xkb_keymap_new_from_buffer(im->xkb_context, map,
		strnlen(map, size), XKB_KEYMAP_FORMAT_TEXT_V1, XKB_KEYMAP_COMPILE_NO_FLAGS);
	munmap(map, size);
	if (!keymap) {
		tc_die("cannot compile the grab's keymap");
	}
	struct xkb_state *state = xkb_state_new(keymap);
	if (!state) {
		tc_die("cannot create an xkb state");
	}
	xkb_state_unref(im->xkb_state);
	xkb_keymap_unref(im->keymap);
	im->keymap = keymap;
	im->xkb_state = state;
}

static void grab_handle_key(void *data, struct zwp_input_method_keyboard_grab_v2 *grab,
		uint32_t serial, uint32_t time, uint32_t key, uint32_t state) {
	struct im *im = data;
	bool pressed = state == WL_KEYBOARD_KEY_STATE_PRESSED;
	printf("grab key %u %s\n", key, pressed ? "pressed" : "released");
	if (!pressed || !im->xkb_state || !im->active) {
		return;
	}
	/* evdev codes are offset by 8 from xkb keycodes. */
	char utf8[64];
	int len = xkb_state_key_get_utf8(im->xkb_state, key + 8, utf8, sizeof(utf8));
	if (len <= 0 || (size_t)len >= sizeof(utf8)) {
		return;
	}
	/* Control characters (Return, Escape) are not text to commit. */
	unsigned char c = (unsigned char)utf8[0];
	if (len == 1 && (c < 0x20 || c == 0x7f)) {
		return;
	}
	zwp_input_method_v2_commit_string(im->input_method, utf8);
	im_commit(im);
}

static void grab_handle_modifiers(void *data, struct zwp_input_method_keyboard_grab_v2 *grab,
		uint32_t serial, uint32_t depressed, uint32_t latched, uint32_t locked,
		uint32_t group) {
	struct im *im = data;
	if (im->xkb_state) {
		xkb_state_update_mask(im->xkb_state, depressed, latched, locked, 0, 0, group);
	}
}

static void grab_handle_repeat_info(void *data, struct zwp_input_method_keyboard_grab_v2 *grab,
		int32_t rate, int32_t delay) {
}

static const struct zwp_input_method_keyboard_grab_v2_listener grab_listener = {
	.keymap = grab_handle_keymap,
	.key = grab_handle_key,
	.modifiers = grab_handle_modifiers,
	.repeat_info = grab_handle_repeat_info,
};

/* Popup. */

static void popup_handle_text_input_rectangle(void *data,
		struct zwp_input_popup_surface_v2 *popup, int32_t x, int32_t y, int32_t width,
		int32_t height) {
	printf("text_input_rectangle %d %d %d %d\n", x, y, width, height);
}

static const struct zwp_input_popup_surface_v2_listener popup_listener = {
	.text_input_rectangle = popup_handle_text_input_rectangle,
};

/*
 * The popup is made once, up front, with its buffer: the compositor shows it only
 * while we are active, which is part of what the tests check.
 */
static void popup_create(struct im *im) {
	im->popup_buffer = tc_buffer_create(im->shm, im->popup_width, im->popup_height);
	if (!im->popup_buffer) {
		tc_die("cannot create the popup's buffer");
	}
	tc_buffer_fill_rect(im->popup_buffer, 0, 0, im->popup_width, im->popup_height,
		im->popup_color);
	im->popup_surface = wl_compositor_create_surface(im->compositor);
	im->popup = zwp_input_method_v2_get_input_popup_surface(im->input_method,
		im->popup_surface);
	zwp_input_popup_surface_v2_add_listener(im->popup, &popup_listener, im);
	wl_surface_attach(im->popup_surface, im->popup_buffer->wl_buffer, 0, 0);
	wl_surface_damage_buffer(im->popup_surface, 0, 0, im->popup_width, im->popup_height);
	wl_surface_commit(im->popup_surface);
}

/* Input method. */

static void im_handle_activate(void *data, struct zwp_input_method_v2 *input_method) {
	struct im *im = data;
	printf("activate\n");
	im->pending_active = true;
}

static void im_handle_deactivate(void *data, struct zwp_input_method_v2 *input_method) {
	struct im *im = data;
	printf("deactivate\n");
	im->pending_active = false;
}

static void im_handle_surrounding_text(void *data, struct zwp_input_method_v2 *input_method,
		const char *text, uint32_t cursor, uint32_t anchor) {
	printf("surrounding \"%s\" %u %u\n", text ? text : "", cursor, anchor);
}

static void im_handle_text_change_cause(void *data, struct zwp_input_method_v2 *input_method,
		uint32_t cause) {
}

static void im_handle_content_type(void *data, struct zwp_input_method_v2 *input_method,
		uint32_t hint, uint32_t purpose) {
	printf("content_type %u %u\n", hint, purpose);
}

static void on_activated(struct im *im) {
	if (im->want_grab && !im->grab) {
		im->grab = zwp_input_method_v2_grab_keyboard(im->input_method);
		zwp_input_method_keyboard_grab_v2_add_listener(im->grab, &grab_listener, im);
	}
	if (!im->preedit && !im->commit && !im->delete) {
		return;
	}
	if (im->delete) {
		zwp_input_method_v2_delete_surrounding_text(im->input_method, im->delete_before,
			im->delete_after);
	}
	if (im->commit) {
		zwp_input_method_v2_commit_string(im->input_method, im->commit);
	}
	if (im->preedit) {
		int32_t end = (int32_t)strlen(im->preedit);
		zwp_input_method_v2_set_preedit_string(im->input_method, im->preedit, end, end);
	}
	im_commit(im);
}

static void on_deactivated(struct im *im) {
	/* Keys belong to whoever has focus now, not to us. */
	if (im->grab) {
		zwp_input_method_keyboard_grab_v2_release(im->grab);
		im->grab = NULL;
	}
}

static void im_handle_done(void *data, struct zwp_input_method_v2 *input_method) {
	struct im *im = data;
	printf("done\n");
	im->done_count++;
	bool was_active = im->active;
	im->active = im->pending_active;
	/*
	 * Only an activation is answered: answering every done would loop, since the
	 * field reports each commit back as new surrounding text.
	 */
	if (im->active && !was_active) {
		on_activated(im);
	} else if (!im->active && was_active) {
		on_deactivated(im);
	}
}

static void im_handle_unavailable(void *data, struct zwp_input_method_v2 *input_method) {
	struct im *im = data;
	printf("unavailable\n");
	im->unavailable = true;
}

static const struct zwp_input_method_v2_listener im_listener = {
	.activate = im_handle_activate,
	.deactivate = im_handle_deactivate,
	.surrounding_text = im_handle_surrounding_text,
	.text_change_cause = im_handle_text_change_cause,
	.content_type = im_handle_content_type,
	.done = im_handle_done,
	.unavailable = im_handle_unavailable,
};

static void registry_handle_global(void *data, struct wl_registry *registry, uint32_t name,
		const char *interface, uint32_t version) {
	struct im *im = data;
	if (strcmp(interface, wl_compositor_interface.name) == 0) {
		im->compositor = tc_bind(registry, name, &wl_compositor_interface, version, 4);
	} else if (strcmp(interface, wl_shm_interface.name) == 0) {
		im->shm = tc_bind(registry, name, &wl_shm_interface, version, 1);
	} else if (strcmp(interface, wl_seat_interface.name) == 0 && !im->seat) {
		im->seat = tc_bind(registry, name, &wl_seat_interface, version, 1);
	} else if (strcmp(interface, zwp_input_method_manager_v2_interface.name) == 0) {
		im->manager =
			tc_bind(registry, name, &zwp_input_method_manager_v2_interface, version, 1);
	}
}

static void registry_handle_global_remove(void *data, struct wl_registry *registry,
		uint32_t name) {
}

static const struct wl_registry_listener registry_listener = {
	.global = registry_handle_global,
	.global_remove = registry_handle_global_remove,
};

static bool parse_delete(const char *s, uint32_t *before, uint32_t *after) {
	const char *comma = strchr(s, ',');
	if (!comma || (size_t)(comma - s) >= 16) {
		return false;
	}
	char b_str[16];
	snprintf(b_str, sizeof(b_str), "%.*s", (int)(comma - s), s);
	long b, a;
	if (!tc_parse_long(b_str, 0, 4000, &b) || !tc_parse_long(comma + 1, 0, 4000, &a)) {
		return false;
	}
	*before = (uint32_t)b;
	*after = (uint32_t)a;
	return true;
}

int main(int argc, char *argv[]) {
	tc_set_program_name("lumen-test-im");
	struct im im = {
		.popup_color = 0xffff00ff,
	};
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(arg, "--grab") == 0) {
			im.want_grab = true;
		} else if (!val) {
			usage(stderr);
			tc_die("unknown option or missing value: %s", arg);
		} else if (strcmp(arg, "--preedit") == 0) {
			im.preedit = val;
			i++;
		} else if (strcmp(arg, "--commit") == 0) {
			im.commit = val;
			i++;
		} else if (strcmp(arg, "--delete") == 0) {
			if (!parse_delete(val, &im.delete_before, &im.delete_after)) {
				tc_die("--delete wants BEFORE,AFTER in bytes, not '%s'", val);
			}
			im.delete = true;
			i++;
		} else if (strcmp(arg, "--popup") == 0) {
			tc_option_size("--popup", val, &im.popup_width, &im.popup_height);
			i++;
		} else if (strcmp(arg, "--color") == 0) {
			tc_option_color("--color", val, &im.popup_color);
			i++;
		} else {
			usage(stderr);
			tc_die("unknown option: %s", arg);
		}
	}

	/* Tests read us through a pipe: every line must arrive as soon as it is printed. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	tc_signals_init();
	im.xkb_context = xkb_context_new(XKB_CONTEXT_NO_FLAGS);
	if (!im.xkb_context) {
		tc_die("cannot create an xkb context");
	}

	im.display = tc_connect();
	im.registry = wl_display_get_registry(im.display);
	wl_registry_add_listener(im.registry, &registry_listener, &im);
	if (wl_display_roundtrip(im.display) < 0) {
		tc_die_disconnected(im.display);
	}
	if (!im.manager) {
		tc_die("compositor offers no zwp_input_method_manager_v2 (it is privileged: "
			"is WAYLAND_DISPLAY the trusted socket?)");
	}
	if (!im.seat) {
		tc_die("compositor offers no wl_seat");
	}
	if (im.popup_width > 0 && (!im.compositor || !im.shm)) {
		tc_die("compositor offers no wl_compositor or wl_shm for the popup");
	}

	im.input_method = zwp_input_method_manager_v2_get_input_method(im.manager, im.seat);
	zwp_input_method_v2_add_listener(im.input_method, &im_listener, &im);
	if (im.popup_width > 0) {
		popup_create(&im);
	}
	/* After this roundtrip the compositor knows us, or has said it has no room. */
	if (wl_display_roundtrip(im.display) < 0) {
		tc_die_disconnected(im.display);
	}
	if (!im.unavailable) {
		printf("ready\n");
	}

	while (!im.unavailable && !tc_signalled()) {
		if (!tc_dispatch(im.display, -1, -1, NULL)) {
			tc_die_disconnected(im.display);
		}
	}

	if (im.grab) {
		zwp_input_method_keyboard_grab_v2_release(im.grab);
	}
	if (im.popup) {
		zwp_input_popup_surface_v2_destroy(im.popup);
		wl_surface_destroy(im.popup_surface);
	}
	tc_buffer_destroy(im.popup_buffer);
	zwp_input_method_v2_destroy(im.input_method);
	zwp_input_method_manager_v2_destroy(im.manager);
	if (wl_seat_get_version(im.seat) >= WL_SEAT_RELEASE_SINCE_VERSION) {
		wl_seat_release(im.seat);
	} else {
		wl_seat_destroy(im.seat);
	}
	if (im.shm) {
		wl_shm_destroy(im.shm);
	}
	if (im.compositor) {
		wl_compositor_destroy(im.compositor);
	}
	wl_registry_destroy(im.registry);
	wl_display_flush(im.display);
	wl_display_disconnect(im.display);
	xkb_state_unref(im.xkb_state);
	xkb_keymap_unref(im.keymap);
	xkb_context_unref(im.xkb_context);
	return 0;
}
