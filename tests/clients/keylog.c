/*
 * lumen-test-keylog: an xdg toplevel of one solid colour that reports on stdout, one line
 * at a time, what the compositor tells it: configures, keyboard focus, keys and the text
 * they typed, pointer entry and buttons. Integration tests read these lines to check what
 * a client really received.
 *
 * With --text-input it is also a text field (text-input-v3): enabled while it has
 * keyboard focus, it tells the input method what it holds and where its cursor is, and
 * prints what the input method sends back, adding committed text to what was typed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wayland-client.h>
#include "tc-common.h"
#include "text-input-unstable-v3-client-protocol.h"
#include "xdg-shell-client-protocol.h"

/*
 * The text cursor, in surface coordinates: tests compute where the input method's
 * popup must appear from it.
 */
#define CURSOR_X 100
#define CURSOR_Y 120
#define CURSOR_W 2
#define CURSOR_H 20
/* Neither zero nor each other's value, so a relay that drops or swaps them shows. */
#define CONTENT_HINT \
	(ZWP_TEXT_INPUT_V3_CONTENT_HINT_COMPLETION | ZWP_TEXT_INPUT_V3_CONTENT_HINT_SPELLCHECK)
#define CONTENT_PURPOSE ZWP_TEXT_INPUT_V3_CONTENT_PURPOSE_NAME

struct keylog {
	struct wl_display *display;
	struct wl_registry *registry;
	struct wl_compositor *compositor;
	struct wl_shm *shm;
	struct xdg_wm_base *wm_base;
	struct wl_seat *wl_seat; // NULL until the compositor announces one
	struct tc_seat seat;
	struct tc_pool pool;

	struct wl_surface *surface;
	struct xdg_surface *xdg_surface;
	struct xdg_toplevel *toplevel;

	const char *title;
	const char *app_id;
	uint32_t color;
	int default_width, default_height;
	int pending_width, pending_height; // from the last toplevel configure; 0: ours to pick
	bool committed;
	bool closed;
	const char *on_press; // what a button press asks of the compositor; may be NULL
	const char *start_state; // asked for before the first commit; may be NULL

	bool want_text_input;
	struct zwp_text_input_manager_v3 *ti_manager; // NULL without --text-input
	struct zwp_text_input_v3 *text_input; // NULL until both it and a seat exist
	bool ti_enabled;
	/* Received since the last done, applied on done in the protocol's order. */
	char *ti_commit; // may be NULL
	uint32_t ti_delete_before;
};

static void usage(FILE *f) {
	fprintf(f,
		"usage: lumen-test-keylog [options]\n"
		"  --title TITLE     toplevel title (default lumen-test-keylog)\n"
		"  --app-id ID       app_id (default lumen-test-keylog)\n"
		"  --color RRGGBB    fill colour (default 3366cc)\n"
		"  --size WxH        size when the compositor leaves it to us (default 400x300)\n"
		"  --timeout S       exit 0 after S seconds\n"
		"  --on-press WHAT   on a button press, ask: move, resize (bottom-right),\n"
		"                    maximize, unmaximize, fullscreen, unfullscreen, minimize\n"
		"  --start STATE     ask for maximized or fullscreen before mapping\n"
		"  --stdin           exit 0 when stdin reaches end of file\n"
		"  --motion          also print 'pointer motion X Y'\n"
		"  --text-input      be a text field (text-input-v3) while focused, its cursor\n"
		"                    at x=%d y=%d w=%d h=%d in the surface\n"
		"Prints: configure W H [STATES], mapped, focus in/out, keysym: NAME, text: TEXT,\n"
		"key released: NAME, modifiers: NAMES, pointer enter X Y, pointer leave,\n"
		"button CODE pressed/released, axis vertical|horizontal V, closed;\n"
		"with --text-input also text-input enter|leave, preedit \"TEXT\" BEGIN END,\n"
		"commit_string \"TEXT\", delete_surrounding BEFORE AFTER (and text: after them).\n",
		CURSOR_X, CURSOR_Y, CURSOR_W, CURSOR_H);
}

static void wm_base_handle_ping(void *data, struct xdg_wm_base *wm_base, uint32_t serial) {
	xdg_wm_base_pong(wm_base, serial);
}

static const struct xdg_wm_base_listener wm_base_listener = {
	.ping = wm_base_handle_ping,
};

/* Text input. */

/* Tells the input method what the field holds; the cursor is always at the end. */
static void text_input_send_state(struct keylog *kl, uint32_t cause) {
	const char *text = kl->seat.text ? kl->seat.text : "";
	int32_t len = (int32_t)kl->seat.text_len;
	zwp_text_input_v3_set_surrounding_text(kl->text_input, text, len, len);
	zwp_text_input_v3_set_text_change_cause(kl->text_input, cause);
	zwp_text_input_v3_set_content_type(kl->text_input, CONTENT_HINT, CONTENT_PURPOSE);
	zwp_text_input_v3_set_cursor_rectangle(kl->text_input, CURSOR_X, CURSOR_Y, CURSOR_W,
		CURSOR_H);
	zwp_text_input_v3_commit(kl->text_input);
}

static void handle_typed(void *data) {
	struct keylog *kl = data;
	if (kl->ti_enabled) {
		text_input_send_state(kl, ZWP_TEXT_INPUT_V3_CHANGE_CAUSE_OTHER);
	}
}

static void text_input_handle_enter(void *data, struct zwp_text_input_v3 *text_input,
		struct wl_surface *surface) {
	struct keylog *kl = data;
	printf("text-input enter\n");
	if (surface != kl->surface) {
		return;
	}
	/* enable resets the pending state, so everything is sent again after it. */
	zwp_text_input_v3_enable(text_input);
	kl->ti_enabled = true;
	text_input_send_state(kl, ZWP_TEXT_INPUT_V3_CHANGE_CAUSE_OTHER);
}

static void text_input_handle_leave(void *data, struct zwp_text_input_v3 *text_input,
		struct wl_surface *surface) {
	struct keylog *kl = data;
	printf("text-input leave\n");
	if (kl->ti_enabled) {
		zwp_text_input_v3_disable(text_input);
		zwp_text_input_v3_commit(text_input);
		kl->ti_enabled = false;
	}
}

static void text_input_handle_preedit_string(void *data, struct zwp_text_input_v3 *text_input,
		const char *text, int32_t cursor_begin, int32_t cursor_end) {
	/* We draw no text, so the preedit is only reported, never kept. */
	printf("preedit \"%s\" %d %d\n", text ? text : "", cursor_begin, cursor_end);
}

static void text_input_handle_commit_string(void *data, struct zwp_text_input_v3 *text_input,
		const char *text) {
	struct keylog *kl = data;
	printf("commit_string \"%s\"\n", text ? text : "");
	free(kl->ti_commit);
	kl->ti_commit = text ? strdup(text) : NULL;
	if (text && !kl->ti_commit) {
		tc_die("out of memory");
	}
}

static void text_input_handle_delete_surrounding_text(void *data,
		struct zwp_text_input_v3 *text_input, uint32_t before_length, uint32_t after_length) {
	struct keylog *kl = data;
	printf("delete_surrounding %u %u\n", before_length, after_length);
	/* Nothing follows the cursor, so only the part before it can be deleted. */
	kl->ti_delete_before = before_length;
}

static void text_input_handle_done(void *data, struct zwp_text_input_v3 *text_input,
		uint32_t serial) {
	struct keylog *kl = data;
	/* The protocol's order: delete around the cursor, then insert the commit. */
	bool changed = kl->ti_delete_before > 0 || kl->ti_commit;
	if (kl->ti_delete_before > 0) {
		tc_seat_delete_text(&kl->seat, kl->ti_delete_before);
	}
	if (kl->ti_commit) {
		tc_seat_insert_text(&kl->seat, kl->ti_commit);
	}
	free(kl->ti_commit);
	kl->ti_commit = NULL;
	kl->ti_delete_before = 0;
	if (!changed) {
		return;
	}
	printf("text: %s\n", kl->seat.text ? kl->seat.text : "");
	if (kl->ti_enabled) {
		text_input_send_state(kl, ZWP_TEXT_INPUT_V3_CHANGE_CAUSE_INPUT_METHOD);
	}
}

static const struct zwp_text_input_v3_listener text_input_listener = {
	.enter = text_input_handle_enter,
	.leave = text_input_handle_leave,
	.preedit_string = text_input_handle_preedit_string,
	.commit_string = text_input_handle_commit_string,
	.delete_surrounding_text = text_input_handle_delete_surrounding_text,
	.done = text_input_handle_done,
};

/* The text input needs both the manager and a seat; either may be announced last. */
static void text_input_setup(struct keylog *kl) {
	if (kl->text_input || !kl->ti_manager || !kl->wl_seat) {
		return;
	}
	kl->text_input = zwp_text_input_manager_v3_get_text_input(kl->ti_manager, kl->wl_seat);
	zwp_text_input_v3_add_listener(kl->text_input, &text_input_listener, kl);
	kl->seat.on_text = handle_typed;
	kl->seat.on_text_data = kl;
}

static void mapped_handle_done(void *data, struct wl_callback *callback, uint32_t time) {
	wl_callback_destroy(callback);
	printf("mapped\n");
}

static const struct wl_callback_listener mapped_listener = {
	.done = mapped_handle_done,
};

/* Client-side requests, as a window with its own title bar would make them. */
static void handle_button(void *data, uint32_t serial, uint32_t button) {
	struct keylog *kl = data;
	const char *what = kl->on_press;
	if (strcmp(what, "move") == 0) {
		xdg_toplevel_move(kl->toplevel, kl->wl_seat, serial);
	} else if (strcmp(what, "resize") == 0) {
		xdg_toplevel_resize(kl->toplevel, kl->wl_seat, serial,
			XDG_TOPLEVEL_RESIZE_EDGE_BOTTOM_RIGHT);
	} else if (strcmp(what, "maximize") == 0) {
		xdg_toplevel_set_maximized(kl->toplevel);
	} else if (strcmp(what, "unmaximize") == 0) {
		xdg_toplevel_unset_maximized(kl->toplevel);
	} else if (strcmp(what, "fullscreen") == 0) {
		xdg_toplevel_set_fullscreen(kl->toplevel, NULL);
	} else if (strcmp(what, "unfullscreen") == 0) {
		xdg_toplevel_unset_fullscreen(kl->toplevel);
	} else if (strcmp(what, "minimize") == 0) {
		xdg_toplevel_set_minimized(kl->toplevel);
	}
	printf("requested %s\n", what);
}

static void draw(struct keylog *kl, int width, int height) {
	struct tc_buffer *buf = tc_pool_next(&kl->pool, width, height);
	if (!buf) {
		tc_die("no free buffer to draw into (compositor holds all %d)", TC_POOL_MAX);
	}
	tc_buffer_fill_rect(buf, 0, 0, width, height, kl->color);
	wl_surface_attach(kl->surface, buf->wl_buffer, 0, 0);
	wl_surface_damage_buffer(kl->surface, 0, 0, width, height);
	buf->busy = true;
}

static void xdg_surface_handle_configure(void *data, struct xdg_surface *xdg_surface,
		uint32_t serial) {
	struct keylog *kl = data;
	xdg_surface_ack_configure(xdg_surface, serial);
	int width = kl->pending_width > 0 ? kl->pending_width : kl->default_width;
	int height = kl->pending_height > 0 ? kl->pending_height : kl->default_height;
	draw(kl, width, height);
	wl_surface_commit(kl->surface);
	if (!kl->committed) {
		kl->committed = true;
		/* The sync answers once the compositor has handled the commit with our buffer. */
		struct wl_callback *cb = wl_display_sync(kl->display);
		wl_callback_add_listener(cb, &mapped_listener, kl);
	}
}

static const struct xdg_surface_listener xdg_surface_listener = {
	.configure = xdg_surface_handle_configure,
};

static void toplevel_handle_configure(void *data, struct xdg_toplevel *toplevel, int32_t width,
		int32_t height, struct wl_array *states) {
	struct keylog *kl = data;
	kl->pending_width = width;
	kl->pending_height = height;
	bool maximized = false, fullscreen = false, activated = false, resizing = false;
	bool tiled = false;
	uint32_t *state;
	wl_array_for_each(state, states) {
		switch (*state) {
		case XDG_TOPLEVEL_STATE_MAXIMIZED:
			maximized = true;
			break;
		case XDG_TOPLEVEL_STATE_FULLSCREEN:
			fullscreen = true;
			break;
		case XDG_TOPLEVEL_STATE_ACTIVATED:
			activated = true;
			break;
		case XDG_TOPLEVEL_STATE_RESIZING:
			resizing = true;
			break;
		case XDG_TOPLEVEL_STATE_TILED_LEFT:
		case XDG_TOPLEVEL_STATE_TILED_RIGHT:
		case XDG_TOPLEVEL_STATE_TILED_TOP:
		case XDG_TOPLEVEL_STATE_TILED_BOTTOM:
			tiled = true;
			break;
		default:
			break;
		}
	}
	/* A fixed order, so tests can match the whole line. */
	printf("configure %d %d%s%s%s%s%s\n", width, height, maximized ? " maximized" : "",
		fullscreen ? " fullscreen" : "", activated ? " activated" : "",
		resizing ? " resizing" : "", tiled ? " tiled" : "");
}

static void toplevel_handle_close(void *data, struct xdg_toplevel *toplevel) {
	struct keylog *kl = data;
	printf("closed\n");
	kl->closed = true;
}

static void toplevel_handle_configure_bounds(void *data, struct xdg_toplevel *toplevel,
		int32_t width, int32_t height) {
}

static void toplevel_handle_wm_capabilities(void *data, struct xdg_toplevel *toplevel,
		struct wl_array *capabilities) {
}

static const struct xdg_toplevel_listener toplevel_listener = {
	.configure = toplevel_handle_configure,
	.close = toplevel_handle_close,
	.configure_bounds = toplevel_handle_configure_bounds,
	.wm_capabilities = toplevel_handle_wm_capabilities,
};

static void registry_handle_global(void *data, struct wl_registry *registry, uint32_t name,
		const char *interface, uint32_t version) {
	struct keylog *kl = data;
	if (strcmp(interface, wl_compositor_interface.name) == 0) {
		kl->compositor = tc_bind(registry, name, &wl_compositor_interface, version, 4);
	} else if (strcmp(interface, wl_shm_interface.name) == 0) {
		kl->shm = tc_bind(registry, name, &wl_shm_interface, version, 1);
	} else if (strcmp(interface, xdg_wm_base_interface.name) == 0) {
		kl->wm_base = tc_bind(registry, name, &xdg_wm_base_interface, version, 5);
		xdg_wm_base_add_listener(kl->wm_base, &wm_base_listener, kl);
	} else if (strcmp(interface, wl_seat_interface.name) == 0 && !kl->wl_seat) {
		/*
		 * v8 adds axis_value120, which we have no handler for. The seat may come
		 * later than the window (a compositor may announce it with the first input
		 * device), so it is set up whenever it appears.
		 */
		kl->wl_seat = tc_bind(registry, name, &wl_seat_interface, version, 7);
		tc_seat_init(&kl->seat, kl->wl_seat);
		if (kl->on_press) {
			kl->seat.on_button = handle_button;
			kl->seat.on_button_data = kl;
		}
		text_input_setup(kl);
	} else if (strcmp(interface, zwp_text_input_manager_v3_interface.name) == 0 &&
			kl->want_text_input && !kl->ti_manager) {
		kl->ti_manager =
			tc_bind(registry, name, &zwp_text_input_manager_v3_interface, version, 1);
		text_input_setup(kl);
	}
}

static void registry_handle_global_remove(void *data, struct wl_registry *registry,
		uint32_t name) {
}

static const struct wl_registry_listener registry_listener = {
	.global = registry_handle_global,
	.global_remove = registry_handle_global_remove,
};

int main(int argc, char *argv[]) {
	tc_set_program_name("lumen-test-keylog");
	struct keylog kl = {
		.title = "lumen-test-keylog",
		.app_id = "lumen-test-keylog",
		.color = 0xff3366cc,
		.default_width = 400,
		.default_height = 300,
	};
	long timeout_s = -1;
	bool watch_stdin = false;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(arg, "--stdin") == 0) {
			watch_stdin = true;
		} else if (strcmp(arg, "--motion") == 0) {
			kl.seat.print_motion = true;
		} else if (strcmp(arg, "--text-input") == 0) {
			kl.want_text_input = true;
		} else if (!val) {
			usage(stderr);
			tc_die("unknown option or missing value: %s", arg);
		} else if (strcmp(arg, "--title") == 0) {
			kl.title = val;
			i++;
		} else if (strcmp(arg, "--app-id") == 0) {
			kl.app_id = val;
			i++;
		} else if (strcmp(arg, "--color") == 0) {
			tc_option_color("--color", val, &kl.color);
			i++;
		} else if (strcmp(arg, "--size") == 0) {
			tc_option_size("--size", val, &kl.default_width, &kl.default_height);
			i++;
		} else if (strcmp(arg, "--on-press") == 0) {
			static const char *const known[] = {"move", "resize", "maximize", "unmaximize",
				"fullscreen", "unfullscreen", "minimize"};
			bool found = false;
			for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
				found = found || strcmp(val, known[k]) == 0;
			}
			if (!found) {
				tc_die("--on-press: unknown request '%s'", val);
			}
			kl.on_press = val;
			i++;
		} else if (strcmp(arg, "--start") == 0) {
			if (strcmp(val, "maximized") != 0 && strcmp(val, "fullscreen") != 0) {
				tc_die("--start wants maximized or fullscreen, not '%s'", val);
			}
			kl.start_state = val;
			i++;
		} else if (strcmp(arg, "--timeout") == 0) {
			if (!tc_parse_long(val, 0, 86400, &timeout_s)) {
				tc_die("--timeout wants whole seconds, not '%s'", val);
			}
			i++;
		} else {
			usage(stderr);
			tc_die("unknown option: %s", arg);
		}
	}

	/* Tests read us through a pipe: every line must arrive as soon as it is printed. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	tc_signals_init();

	kl.display = tc_connect();
	kl.registry = wl_display_get_registry(kl.display);
	wl_registry_add_listener(kl.registry, &registry_listener, &kl);
	if (wl_display_roundtrip(kl.display) < 0) {
		tc_die_disconnected(kl.display);
	}
	if (!kl.compositor) {
		tc_die("compositor offers no wl_compositor");
	}
	if (!kl.shm) {
		tc_die("compositor offers no wl_shm");
	}
	if (!kl.wm_base) {
		tc_die("compositor offers no xdg_wm_base");
	}
	if (!kl.wl_seat) {
		fprintf(stderr, "lumen-test-keylog: no wl_seat yet; input will be logged once "
			"one appears\n");
	}
	if (kl.want_text_input && !kl.ti_manager) {
		tc_die("compositor offers no zwp_text_input_manager_v3");
	}
	kl.pool.shm = kl.shm;

	kl.surface = wl_compositor_create_surface(kl.compositor);
	kl.xdg_surface = xdg_wm_base_get_xdg_surface(kl.wm_base, kl.surface);
	xdg_surface_add_listener(kl.xdg_surface, &xdg_surface_listener, &kl);
	kl.toplevel = xdg_surface_get_toplevel(kl.xdg_surface);
	xdg_toplevel_add_listener(kl.toplevel, &toplevel_listener, &kl);
	xdg_toplevel_set_title(kl.toplevel, kl.title);
	xdg_toplevel_set_app_id(kl.toplevel, kl.app_id);
	if (kl.start_state && strcmp(kl.start_state, "maximized") == 0) {
		xdg_toplevel_set_maximized(kl.toplevel);
	} else if (kl.start_state) {
		xdg_toplevel_set_fullscreen(kl.toplevel, NULL);
	}
	/* The first commit carries no buffer: it asks for the initial configure. */
	wl_surface_commit(kl.surface);

	int64_t deadline = timeout_s >= 0 ? tc_now_ns() + timeout_s * 1000000000LL : -1;
	int status = 0;
	while (!kl.closed && !tc_signalled()) {
		int wait_ms = -1;
		if (deadline >= 0) {
			int64_t left = deadline - tc_now_ns();
			if (left <= 0) {
				printf("timeout\n");
				break;
			}
			wait_ms = (int)((left + 999999) / 1000000);
		}
		bool stdin_ready = false;
		if (!tc_dispatch(kl.display, wait_ms, watch_stdin ? STDIN_FILENO : -1,
				&stdin_ready)) {
			tc_die_disconnected(kl.display);
		}
		if (stdin_ready) {
			char buf[256];
			ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
				break;
			}
		}
	}

	xdg_toplevel_destroy(kl.toplevel);
	xdg_surface_destroy(kl.xdg_surface);
	wl_surface_destroy(kl.surface);
	tc_pool_finish(&kl.pool);
	if (kl.text_input) {
		zwp_text_input_v3_destroy(kl.text_input);
	}
	if (kl.ti_manager) {
		zwp_text_input_manager_v3_destroy(kl.ti_manager);
	}
	free(kl.ti_commit);
	if (kl.wl_seat) {
		tc_seat_finish(&kl.seat);
	}
	xdg_wm_base_destroy(kl.wm_base);
	wl_shm_destroy(kl.shm);
	wl_compositor_destroy(kl.compositor);
	wl_registry_destroy(kl.registry);
	wl_display_flush(kl.display);
	wl_display_disconnect(kl.display);
	return status;
}
