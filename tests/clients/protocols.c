/*
 * lumen-test-protocols: one xdg toplevel of a solid colour that puts one protocol of the
 * compositor to work per run and prints, one line at a time, what it was answered, so
 * that an integration test can check that the global does what it promises and is not
 * merely announced.
 *
 *   lumen-test-protocols COMMAND [ARG] [options]
 *
 * Commands, and what each prints besides the lines every run prints (below):
 *   relative             relative pointer: "relative DX DY unaccel UDX UDY"
 *   lock                 pointer lock on our surface (and relative motion): "locked",
 *                        "unlocked"; pointer motion is printed too
 *   confine              pointer confinement to our surface: "confined", "unconfined"
 *   gestures             swipe, pinch and hold objects on our wl_pointer:
 *                        "gestures created: swipe pinch [hold] (version V)", then any
 *                        "swipe|pinch|hold begin|update|end ..." that arrive
 *   shortcuts-inhibit    asks that the compositor's shortcuts go to us instead:
 *                        "inhibitor active", "inhibitor inactive"
 *   idle                 org_kde_kwin_idle timer (--timeout-ms, default 1000):
 *                        "idle after MS ms", "resumed"; with --inhibit an idle
 *                        inhibitor on our surface as well ("inhibitor created")
 *   activation-token     at the first keyboard focus, asks for an xdg activation token
 *                        bound to that focus: "token: TOKEN"
 *   activate [TOKEN]     once mapped, asks to be activated with TOKEN: "activate sent"
 *   export               exports our toplevel with xdg-foreign v2: "handle: HANDLE"
 *   import HANDLE        once mapped, imports HANDLE and makes it our parent:
 *                        "imported", "parent set"; "destroyed" if the compositor drops it
 *   viewport             a --buffer WxH (default 100x100) buffer shown at --dest WxH
 *                        (default 300x200) through wp_viewporter
 *   presentation         --frames N (default 10) frames with presentation feedback:
 *                        "presented seq S time SEC.NSEC refresh NS flags 0xF" or
 *                        "discarded" each, then "summary presented P discarded D
 *                        seq-increasing yes|no time-increasing yes|no plausible yes|no"
 *                        and exit
 *
 * Every run prints "configure W H [activated]", "mapped", what tc_seat prints (focus
 * in/out, keysym: NAME, modifiers:, pointer enter X Y, button ...), "closed".
 *
 * Options: --title T, --app-id ID, --color RRGGBB, --size WxH (when the compositor
 * leaves the size to us), --timeout S (exit 0 after S seconds, printing "timeout"),
 * --stdin (read commands, one a line: "release" drops the object the command made (lock,
 * confinement, inhibitor, gestures) and prints "released"; "activate TOKEN"; "token"
 * asks for another activation token; "sync" prints "synced N" once the compositor has
 * answered everything sent before it; "quit"; end of file quits too).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wayland-client.h>
#include "common/alloc.h"
#include "idle-client-protocol.h"
#include "idle-inhibit-unstable-v1-client-protocol.h"
#include "keyboard-shortcuts-inhibit-unstable-v1-client-protocol.h"
#include "pointer-constraints-unstable-v1-client-protocol.h"
#include "pointer-gestures-unstable-v1-client-protocol.h"
#include "presentation-time-client-protocol.h"
#include "relative-pointer-unstable-v1-client-protocol.h"
#include "tc-common.h"
#include "viewporter-client-protocol.h"
#include "xdg-activation-v1-client-protocol.h"
#include "xdg-foreign-unstable-v2-client-protocol.h"
#include "xdg-shell-client-protocol.h"

enum mode {
	MODE_RELATIVE,
	MODE_LOCK,
	MODE_CONFINE,
	MODE_GESTURES,
	MODE_SHORTCUTS_INHIBIT,
	MODE_IDLE,
	MODE_ACTIVATION_TOKEN,
	MODE_ACTIVATE,
	MODE_EXPORT,
	MODE_IMPORT,
	MODE_VIEWPORT,
	MODE_PRESENTATION,
};

static const struct {
	const char *name;
	enum mode mode;
	bool takes_arg; // a positional argument follows the command
	bool arg_optional;
} commands[] = {
	{"relative", MODE_RELATIVE, false, false},
	{"lock", MODE_LOCK, false, false},
	{"confine", MODE_CONFINE, false, false},
	{"gestures", MODE_GESTURES, false, false},
	{"shortcuts-inhibit", MODE_SHORTCUTS_INHIBIT, false, false},
	{"idle", MODE_IDLE, false, false},
	{"activation-token", MODE_ACTIVATION_TOKEN, false, false},
	{"activate", MODE_ACTIVATE, true, true},
	{"export", MODE_EXPORT, false, false},
	{"import", MODE_IMPORT, true, false},
	{"viewport", MODE_VIEWPORT, false, false},
	{"presentation", MODE_PRESENTATION, false, false},
};

#define MAX_FRAMES 1000

struct proto;

/* One frame's presentation feedback, kept until the compositor answers it. */
struct frame_feedback {
	struct proto *proto;
	struct wp_presentation_feedback *feedback;
	int64_t commit_ns; // our commit, on the compositor's presentation clock
};

struct proto {
	enum mode mode;
	const char *arg; // TOKEN or HANDLE; may be NULL

	struct wl_display *display;
	struct wl_registry *registry;
	struct wl_compositor *compositor;
	struct wl_shm *shm;
	struct xdg_wm_base *wm_base;
	struct wl_seat *wl_seat; // logged by seat
	struct tc_seat seat;
	/*
	 * A second binding of the same seat, only to learn the serial of our keyboard
	 * focus: tc_seat keeps the wl_seat's one listener slot.
	 */
	struct wl_seat *serial_seat;
	struct wl_keyboard *serial_keyboard;
	uint32_t focus_serial;
	bool have_focus_serial;
	bool token_requested; // activation-token: asked at the first focus only

	struct zwp_relative_pointer_manager_v1 *relative_manager;
	struct zwp_pointer_constraints_v1 *constraints;
	struct zwp_pointer_gestures_v1 *gestures;
	struct zwp_keyboard_shortcuts_inhibit_manager_v1 *shortcuts_manager;
	struct zwp_idle_inhibit_manager_v1 *idle_inhibit_manager;
	struct org_kde_kwin_idle *kde_idle;
	struct xdg_activation_v1 *activation;
	struct zxdg_exporter_v2 *exporter;
	struct zxdg_importer_v2 *importer;
	struct wp_viewporter *viewporter;
	struct wp_presentation *presentation;

	struct tc_pool pool;
	struct wl_surface *surface;
	struct xdg_surface *xdg_surface;
	struct xdg_toplevel *toplevel;
	const char *title;
	const char *app_id;
	uint32_t color;
	int default_width, default_height;
	int pending_width, pending_height; // from the last toplevel configure; 0: ours to pick
	bool committed, mapped, closed, quit;

	/* What the command made; each NULL until then and again once released. */
	struct zwp_relative_pointer_v1 *relative_pointer;
	struct zwp_locked_pointer_v1 *locked_pointer;
	struct zwp_confined_pointer_v1 *confined_pointer;
	struct zwp_pointer_gesture_swipe_v1 *swipe;
	struct zwp_pointer_gesture_pinch_v1 *pinch;
	struct zwp_pointer_gesture_hold_v1 *hold;
	struct zwp_keyboard_shortcuts_inhibitor_v1 *shortcuts_inhibitor;
	struct org_kde_kwin_idle_timeout *idle_timeout;
	struct zwp_idle_inhibitor_v1 *idle_inhibitor;
	struct xdg_activation_token_v1 *activation_token;
	struct zxdg_exported_v2 *exported;
	struct zxdg_imported_v2 *imported;
	struct wp_viewport *viewport;

	/* idle */
	long idle_timeout_ms;
	bool idle_inhibit;
	int64_t idle_since_ns; // when the current wait for idle began

	/* viewport */
	int buffer_width, buffer_height;
	int dest_width, dest_height;

	/* presentation */
	long frames; // to send
	long frames_sent, frames_answered;
	long presented, discarded;
	bool presentation_clock_known;
	clockid_t presentation_clock;
	uint64_t last_seq;
	int64_t last_present_ns;
	bool seq_increasing, time_increasing, plausible;
	struct wl_callback *frame_callback;

	/* --stdin */
	char line[1024];
	size_t line_len;
	unsigned sync_count;
};

static void usage(FILE *f) {
	fprintf(f,
		"usage: lumen-test-protocols COMMAND [ARG] [options]\n"
		"commands:\n"
		"  relative | lock | confine | gestures | shortcuts-inhibit\n"
		"  idle [--timeout-ms MS] [--inhibit]\n"
		"  activation-token | activate [TOKEN]\n"
		"  export | import HANDLE\n"
		"  viewport [--buffer WxH] [--dest WxH]\n"
		"  presentation [--frames N]\n"
		"options:\n"
		"  --title TITLE --app-id ID --color RRGGBB --size WxH\n"
		"  --timeout S   exit 0 after S seconds\n"
		"  --stdin       read commands from stdin: release, activate TOKEN, token, sync,\n"
		"                quit (end of file quits)\n");
}

static int64_t clock_now_ns(clockid_t clock) {
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Drawing and the toplevel. */

static void draw(struct proto *p, int width, int height) {
	struct tc_buffer *buf = tc_pool_next(&p->pool, width, height);
	if (!buf) {
		tc_die("no free buffer to draw into (compositor holds all %d)", TC_POOL_MAX);
	}
	tc_buffer_fill_rect(buf, 0, 0, width, height, p->color);
	wl_surface_attach(p->surface, buf->wl_buffer, 0, 0);
	wl_surface_damage_buffer(p->surface, 0, 0, width, height);
	buf->busy = true;
}

static void start_presentation_frame(struct proto *p);

static void on_mapped(struct proto *p);

static void mapped_handle_done(void *data, struct wl_callback *callback, uint32_t time) {
	struct proto *p = data;
	wl_callback_destroy(callback);
	p->mapped = true;
	printf("mapped\n");
	on_mapped(p);
}

static const struct wl_callback_listener mapped_listener = {
	.done = mapped_handle_done,
};

static void wm_base_handle_ping(void *data, struct xdg_wm_base *wm_base, uint32_t serial) {
	xdg_wm_base_pong(wm_base, serial);
}

static const struct xdg_wm_base_listener wm_base_listener = {
	.ping = wm_base_handle_ping,
};

static void xdg_surface_handle_configure(void *data, struct xdg_surface *xdg_surface,
		uint32_t serial) {
	struct proto *p = data;
	xdg_surface_ack_configure(xdg_surface, serial);
	if (p->mode == MODE_PRESENTATION && p->mapped) {
		/*
		 * A commit of our own here would replace the frame whose feedback is
		 * pending, and the compositor would rightly report it discarded; the next
		 * frame's commit carries the acknowledgement.
		 */
		return;
	}
	if (p->mode == MODE_VIEWPORT) {
		/*
		 * The buffer keeps its size whatever the compositor suggests: the point is
		 * that the viewport, not the buffer, decides the size on screen.
		 */
		draw(p, p->buffer_width, p->buffer_height);
	} else {
		int width = p->pending_width > 0 ? p->pending_width : p->default_width;
		int height = p->pending_height > 0 ? p->pending_height : p->default_height;
		draw(p, width, height);
	}
	wl_surface_commit(p->surface);
	if (!p->committed) {
		p->committed = true;
		/* The sync answers once the compositor has handled the commit with our buffer. */
		struct wl_callback *cb = wl_display_sync(p->display);
		wl_callback_add_listener(cb, &mapped_listener, p);
	}
}

static const struct xdg_surface_listener xdg_surface_listener = {
	.configure = xdg_surface_handle_configure,
};

static void toplevel_handle_configure(void *data, struct xdg_toplevel *toplevel, int32_t width,
		int32_t height, struct wl_array *states) {
	struct proto *p = data;
	p->pending_width = width;
	p->pending_height = height;
	bool activated = false;
	uint32_t *state;
	wl_array_for_each(state, states) {
		if (*state == XDG_TOPLEVEL_STATE_ACTIVATED) {
			activated = true;
		}
	}
	printf("configure %d %d%s\n", width, height, activated ? " activated" : "");
}

static void toplevel_handle_close(void *data, struct xdg_toplevel *toplevel) {
	struct proto *p = data;
	printf("closed\n");
	p->closed = true;
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

/* Relative pointer, pointer constraints. */

static void relative_handle_motion(void *data, struct zwp_relative_pointer_v1 *relative,
		uint32_t utime_hi, uint32_t utime_lo, wl_fixed_t dx, wl_fixed_t dy,
		wl_fixed_t dx_unaccel, wl_fixed_t dy_unaccel) {
	printf("relative %.2f %.2f unaccel %.2f %.2f\n", wl_fixed_to_double(dx),
		wl_fixed_to_double(dy), wl_fixed_to_double(dx_unaccel),
		wl_fixed_to_double(dy_unaccel));
}

static const struct zwp_relative_pointer_v1_listener relative_listener = {
	.relative_motion = relative_handle_motion,
};

static void locked_handle_locked(void *data, struct zwp_locked_pointer_v1 *locked) {
	printf("locked\n");
}

static void locked_handle_unlocked(void *data, struct zwp_locked_pointer_v1 *locked) {
	printf("unlocked\n");
}

static const struct zwp_locked_pointer_v1_listener locked_listener = {
	.locked = locked_handle_locked,
	.unlocked = locked_handle_unlocked,
};

static void confined_handle_confined(void *data, struct zwp_confined_pointer_v1 *confined) {
	printf("confined\n");
}

static void confined_handle_unconfined(void *data, struct zwp_confined_pointer_v1 *confined) {
	printf("unconfined\n");
}

static const struct zwp_confined_pointer_v1_listener confined_listener = {
	.confined = confined_handle_confined,
	.unconfined = confined_handle_unconfined,
};

/* Gestures: only a touchpad makes them, so a headless run sees none of these lines. */

static void swipe_handle_begin(void *data, struct zwp_pointer_gesture_swipe_v1 *swipe,
		uint32_t serial, uint32_t time, struct wl_surface *surface, uint32_t fingers) {
	printf("swipe begin %u\n", fingers);
}

static void swipe_handle_update(void *data, struct zwp_pointer_gesture_swipe_v1 *swipe,
		uint32_t time, wl_fixed_t dx, wl_fixed_t dy) {
	printf("swipe update %.2f %.2f\n", wl_fixed_to_double(dx), wl_fixed_to_double(dy));
}

static void swipe_handle_end(void *data, struct zwp_pointer_gesture_swipe_v1 *swipe,
		uint32_t serial, uint32_t time, int32_t cancelled) {
	printf("swipe end%s\n", cancelled ? " cancelled" : "");
}

static const struct zwp_pointer_gesture_swipe_v1_listener swipe_listener = {
	.begin = swipe_handle_begin,
	.update = swipe_handle_update,
	.end = swipe_handle_end,
};

static void pinch_handle_begin(void *data, struct zwp_pointer_gesture_pinch_v1 *pinch,
		uint32_t serial, uint32_t time, struct wl_surface *surface, uint32_t fingers) {
	printf("pinch begin %u\n", fingers);
}

static void pinch_handle_update(void *data, struct zwp_pointer_gesture_pinch_v1 *pinch,
		uint32_t time, wl_fixed_t dx, wl_fixed_t dy, wl_fixed_t scale, wl_fixed_t rotation) {
	printf("pinch update %.2f %.2f scale %.2f rotation %.2f\n", wl_fixed_to_double(dx),
		wl_fixed_to_double(dy), wl_fixed_to_double(scale), wl_fixed_to_double(rotation));
}

static void pinch_handle_end(void *data, struct zwp_pointer_gesture_pinch_v1 *pinch,
		uint32_t serial, uint32_t time, int32_t cancelled) {
	printf("pinch end%s\n", cancelled ? " cancelled" : "");
}

static const struct zwp_pointer_gesture_pinch_v1_listener pinch_listener = {
	.begin = pinch_handle_begin,
	.update = pinch_handle_update,
	.end = pinch_handle_end,
};

static void hold_handle_begin(void *data, struct zwp_pointer_gesture_hold_v1 *hold,
		uint32_t serial, uint32_t time, struct wl_surface *surface, uint32_t fingers) {
	printf("hold begin %u\n", fingers);
}

static void hold_handle_end(void *data, struct zwp_pointer_gesture_hold_v1 *hold,
		uint32_t serial, uint32_t time, int32_t cancelled) {
	printf("hold end%s\n", cancelled ? " cancelled" : "");
}

static const struct zwp_pointer_gesture_hold_v1_listener hold_listener = {
	.begin = hold_handle_begin,
	.end = hold_handle_end,
};

/* Keyboard shortcuts inhibition. */

static void shortcuts_handle_active(void *data,
		struct zwp_keyboard_shortcuts_inhibitor_v1 *inhibitor) {
	printf("inhibitor active\n");
}

static void shortcuts_handle_inactive(void *data,
		struct zwp_keyboard_shortcuts_inhibitor_v1 *inhibitor) {
	printf("inhibitor inactive\n");
}

static const struct zwp_keyboard_shortcuts_inhibitor_v1_listener shortcuts_listener = {
	.active = shortcuts_handle_active,
	.inactive = shortcuts_handle_inactive,
};

/* Idle. */

static void idle_handle_idle(void *data, struct org_kde_kwin_idle_timeout *timeout) {
	struct proto *p = data;
	printf("idle after %" PRId64 " ms\n", (tc_now_ns() - p->idle_since_ns) / 1000000);
}

static void idle_handle_resumed(void *data, struct org_kde_kwin_idle_timeout *timeout) {
	struct proto *p = data;
	p->idle_since_ns = tc_now_ns();
	printf("resumed\n");
}

static const struct org_kde_kwin_idle_timeout_listener idle_listener = {
	.idle = idle_handle_idle,
	.resumed = idle_handle_resumed,
};

/* Activation. */

static void token_handle_done(void *data, struct xdg_activation_token_v1 *token,
		const char *name) {
	struct proto *p = data;
	printf("token: %s\n", name);
	xdg_activation_token_v1_destroy(token);
	if (p->activation_token == token) {
		p->activation_token = NULL;
	}
}

static const struct xdg_activation_token_v1_listener token_listener = {
	.done = token_handle_done,
};

/*
 * A token bound to our current keyboard focus: the compositor may then trust that the
 * person was using us when we asked, and honour it for another window.
 */
static void request_token(struct proto *p) {
	if (!p->activation) {
		tc_die("compositor offers no xdg_activation_v1");
	}
	if (p->activation_token) {
		return; // one request at a time; its answer prints the token
	}
	p->activation_token = xdg_activation_v1_get_activation_token(p->activation);
	xdg_activation_token_v1_add_listener(p->activation_token, &token_listener, p);
	if (p->have_focus_serial) {
		xdg_activation_token_v1_set_serial(p->activation_token, p->focus_serial,
			p->serial_seat);
	}
	xdg_activation_token_v1_set_surface(p->activation_token, p->surface);
	xdg_activation_token_v1_set_app_id(p->activation_token, p->app_id);
	xdg_activation_token_v1_commit(p->activation_token);
}

static void activate_sent_done(void *data, struct wl_callback *callback, uint32_t time) {
	wl_callback_destroy(callback);
	printf("activate sent\n");
}

static const struct wl_callback_listener activate_sent_listener = {
	.done = activate_sent_done,
};

static void activate(struct proto *p, const char *token) {
	if (!p->activation) {
		tc_die("compositor offers no xdg_activation_v1");
	}
	xdg_activation_v1_activate(p->activation, token, p->surface);
	/* Printed once the compositor has read the request, so a test may then look. */
	struct wl_callback *cb = wl_display_sync(p->display);
	wl_callback_add_listener(cb, &activate_sent_listener, p);
}

static void serial_keyboard_handle_keymap(void *data, struct wl_keyboard *keyboard,
		uint32_t format, int32_t fd, uint32_t size) {
	close(fd);
}

static void serial_keyboard_handle_enter(void *data, struct wl_keyboard *keyboard,
		uint32_t serial, struct wl_surface *surface, struct wl_array *keys) {
	struct proto *p = data;
	p->focus_serial = serial;
	p->have_focus_serial = true;
	if (p->mode == MODE_ACTIVATION_TOKEN && surface == p->surface && !p->token_requested) {
		p->token_requested = true;
		request_token(p);
	}
}

static void serial_keyboard_handle_leave(void *data, struct wl_keyboard *keyboard,
		uint32_t serial, struct wl_surface *surface) {
	struct proto *p = data;
	p->have_focus_serial = false;
}

static void serial_keyboard_handle_key(void *data, struct wl_keyboard *keyboard,
		uint32_t serial, uint32_t time, uint32_t key, uint32_t state) {
}

static void serial_keyboard_handle_modifiers(void *data, struct wl_keyboard *keyboard,
		uint32_t serial, uint32_t depressed, uint32_t latched, uint32_t locked,
		uint32_t group) {
}

static void serial_keyboard_handle_repeat_info(void *data, struct wl_keyboard *keyboard,
		int32_t rate, int32_t delay) {
}

static const struct wl_keyboard_listener serial_keyboard_listener = {
	.keymap = serial_keyboard_handle_keymap,
	.enter = serial_keyboard_handle_enter,
	.leave = serial_keyboard_handle_leave,
	.key = serial_keyboard_handle_key,
	.modifiers = serial_keyboard_handle_modifiers,
	.repeat_info = serial_keyboard_handle_repeat_info,
};

static void drop_serial_keyboard(struct proto *p) {
	if (!p->serial_keyboard) {
		return;
	}
	if (wl_keyboard_get_version(p->serial_keyboard) >= WL_KEYBOARD_RELEASE_SINCE_VERSION) {
		wl_keyboard_release(p->serial_keyboard);
	} else {
		wl_keyboard_destroy(p->serial_keyboard);
	}
	p->serial_keyboard = NULL;
	p->have_focus_serial = false;
}

static void serial_seat_handle_capabilities(void *data, struct wl_seat *wl_seat,
		uint32_t caps) {
	struct proto *p = data;
	bool has_keyboard = caps & WL_SEAT_CAPABILITY_KEYBOARD;
	if (has_keyboard && !p->serial_keyboard) {
		p->serial_keyboard = wl_seat_get_keyboard(wl_seat);
		wl_keyboard_add_listener(p->serial_keyboard, &serial_keyboard_listener, p);
	} else if (!has_keyboard) {
		drop_serial_keyboard(p);
	}
}

static void serial_seat_handle_name(void *data, struct wl_seat *wl_seat, const char *name) {
}

static const struct wl_seat_listener serial_seat_listener = {
	.capabilities = serial_seat_handle_capabilities,
	.name = serial_seat_handle_name,
};

/* xdg-foreign. */

static void exported_handle_handle(void *data, struct zxdg_exported_v2 *exported,
		const char *handle) {
	printf("handle: %s\n", handle);
}

static const struct zxdg_exported_v2_listener exported_listener = {
	.handle = exported_handle_handle,
};

static void imported_handle_destroyed(void *data, struct zxdg_imported_v2 *imported) {
	printf("destroyed\n");
}

static const struct zxdg_imported_v2_listener imported_listener = {
	.destroyed = imported_handle_destroyed,
};

static void parent_set_done(void *data, struct wl_callback *callback, uint32_t time) {
	wl_callback_destroy(callback);
	printf("parent set\n");
}

static const struct wl_callback_listener parent_set_listener = {
	.done = parent_set_done,
};

/* Presentation time. */

static void presentation_handle_clock_id(void *data, struct wp_presentation *presentation,
		uint32_t clk_id) {
	struct proto *p = data;
	p->presentation_clock = (clockid_t)clk_id;
	p->presentation_clock_known = true;
	printf("presentation clock %u%s\n", clk_id,
		clk_id == CLOCK_MONOTONIC ? " (monotonic)" : "");
}

static const struct wp_presentation_listener presentation_listener = {
	.clock_id = presentation_handle_clock_id,
};

static void feedback_done(struct frame_feedback *ff) {
	struct proto *p = ff->proto;
	wp_presentation_feedback_destroy(ff->feedback);
	free(ff);
	p->frames_answered++;
	if (p->frames_answered < p->frames) {
		return;
	}
	printf("summary presented %ld discarded %ld seq-increasing %s time-increasing %s "
		"plausible %s\n", p->presented, p->discarded,
		p->seq_increasing && p->presented > 1 ? "yes" : "no",
		p->time_increasing && p->presented > 1 ? "yes" : "no",
		p->plausible && p->presented > 0 ? "yes" : "no");
	p->quit = true;
}

static void feedback_handle_sync_output(void *data, struct wp_presentation_feedback *feedback,
		struct wl_output *output) {
}

static void feedback_handle_presented(void *data, struct wp_presentation_feedback *feedback,
		uint32_t tv_sec_hi, uint32_t tv_sec_lo, uint32_t tv_nsec, uint32_t refresh,
		uint32_t seq_hi, uint32_t seq_lo, uint32_t flags) {
	struct frame_feedback *ff = data;
	struct proto *p = ff->proto;
	uint64_t sec = ((uint64_t)tv_sec_hi << 32) | tv_sec_lo;
	uint64_t seq = ((uint64_t)seq_hi << 32) | seq_lo;
	int64_t when = (int64_t)sec * 1000000000 + tv_nsec;
	printf("presented seq %" PRIu64 " time %" PRIu64 ".%09u refresh %u flags 0x%x\n", seq,
		sec, tv_nsec, refresh, flags);
	if (p->presented > 0) {
		if (seq <= p->last_seq) {
			p->seq_increasing = false;
		}
		if (when <= p->last_present_ns) {
			p->time_increasing = false;
		}
	}
	/*
	 * Shown after we committed and before we heard of it: a clock or a timestamp
	 * made up from the wrong moment shows here.
	 */
	if (!p->presentation_clock_known || tv_nsec >= 1000000000u || when < ff->commit_ns ||
			when > clock_now_ns(p->presentation_clock)) {
		printf("implausible: committed at %" PRId64 " ns, now %" PRId64 " ns\n",
			ff->commit_ns, p->presentation_clock_known
				? clock_now_ns(p->presentation_clock) : 0);
		p->plausible = false;
	}
	p->last_seq = seq;
	p->last_present_ns = when;
	p->presented++;
	feedback_done(ff);
}

static void feedback_handle_discarded(void *data, struct wp_presentation_feedback *feedback) {
	struct frame_feedback *ff = data;
	printf("discarded\n");
	ff->proto->discarded++;
	feedback_done(ff);
}

static const struct wp_presentation_feedback_listener feedback_listener = {
	.sync_output = feedback_handle_sync_output,
	.presented = feedback_handle_presented,
	.discarded = feedback_handle_discarded,
};

static void frame_handle_done(void *data, struct wl_callback *callback, uint32_t time) {
	struct proto *p = data;
	wl_callback_destroy(callback);
	p->frame_callback = NULL;
	start_presentation_frame(p);
}

static const struct wl_callback_listener frame_listener = {
	.done = frame_handle_done,
};

/* One new frame with feedback; the next follows its frame callback, as a game would. */
static void start_presentation_frame(struct proto *p) {
	if (p->frames_sent >= p->frames) {
		return;
	}
	struct frame_feedback *ff = lumen_xcalloc(1, sizeof(*ff));
	ff->proto = p;
	ff->feedback = wp_presentation_feedback(p->presentation, p->surface);
	wp_presentation_feedback_add_listener(ff->feedback, &feedback_listener, ff);
	p->frame_callback = wl_surface_frame(p->surface);
	wl_callback_add_listener(p->frame_callback, &frame_listener, p);
	/* A new buffer with damage each time, so every frame is one the output must show. */
	int width = p->pending_width > 0 ? p->pending_width : p->default_width;
	int height = p->pending_height > 0 ? p->pending_height : p->default_height;
	draw(p, width, height);
	ff->commit_ns = p->presentation_clock_known ? clock_now_ns(p->presentation_clock) : 0;
	wl_surface_commit(p->surface);
	p->frames_sent++;
}

/* What each command does. */

static struct wl_pointer *need_pointer(struct proto *p) {
	if (!p->seat.pointer) {
		tc_die("the seat has no pointer");
	}
	return p->seat.pointer;
}

/* Objects made before the window is shown: the compositor must act once it is. */
static void start_mode(struct proto *p) {
	switch (p->mode) {
	case MODE_RELATIVE:
	case MODE_LOCK:
		if (!p->relative_manager) {
			tc_die("compositor offers no zwp_relative_pointer_manager_v1");
		}
		p->relative_pointer = zwp_relative_pointer_manager_v1_get_relative_pointer(
			p->relative_manager, need_pointer(p));
		zwp_relative_pointer_v1_add_listener(p->relative_pointer, &relative_listener, p);
		if (p->mode == MODE_RELATIVE) {
			break;
		}
		if (!p->constraints) {
			tc_die("compositor offers no zwp_pointer_constraints_v1");
		}
		p->seat.print_motion = true;
		p->locked_pointer = zwp_pointer_constraints_v1_lock_pointer(p->constraints,
			p->surface, need_pointer(p), NULL,
			ZWP_POINTER_CONSTRAINTS_V1_LIFETIME_PERSISTENT);
		zwp_locked_pointer_v1_add_listener(p->locked_pointer, &locked_listener, p);
		break;
	case MODE_CONFINE:
		if (!p->constraints) {
			tc_die("compositor offers no zwp_pointer_constraints_v1");
		}
		p->seat.print_motion = true;
		p->confined_pointer = zwp_pointer_constraints_v1_confine_pointer(p->constraints,
			p->surface, need_pointer(p), NULL,
			ZWP_POINTER_CONSTRAINTS_V1_LIFETIME_PERSISTENT);
		zwp_confined_pointer_v1_add_listener(p->confined_pointer, &confined_listener, p);
		break;
	case MODE_GESTURES:
		if (!p->gestures) {
			tc_die("compositor offers no zwp_pointer_gestures_v1");
		}
		p->swipe = zwp_pointer_gestures_v1_get_swipe_gesture(p->gestures, need_pointer(p));
		zwp_pointer_gesture_swipe_v1_add_listener(p->swipe, &swipe_listener, p);
		p->pinch = zwp_pointer_gestures_v1_get_pinch_gesture(p->gestures, need_pointer(p));
		zwp_pointer_gesture_pinch_v1_add_listener(p->pinch, &pinch_listener, p);
		if (zwp_pointer_gestures_v1_get_version(p->gestures) >=
				ZWP_POINTER_GESTURES_V1_GET_HOLD_GESTURE_SINCE_VERSION) {
			p->hold = zwp_pointer_gestures_v1_get_hold_gesture(p->gestures,
				need_pointer(p));
			zwp_pointer_gesture_hold_v1_add_listener(p->hold, &hold_listener, p);
		}
		/* A protocol error for any of them would end the roundtrip instead. */
		if (wl_display_roundtrip(p->display) < 0) {
			tc_die_disconnected(p->display);
		}
		printf("gestures created: swipe pinch%s (version %u)\n", p->hold ? " hold" : "",
			zwp_pointer_gestures_v1_get_version(p->gestures));
		break;
	case MODE_SHORTCUTS_INHIBIT:
		if (!p->shortcuts_manager) {
			tc_die("compositor offers no zwp_keyboard_shortcuts_inhibit_manager_v1");
		}
		p->shortcuts_inhibitor = zwp_keyboard_shortcuts_inhibit_manager_v1_inhibit_shortcuts(
			p->shortcuts_manager, p->surface, p->wl_seat);
		zwp_keyboard_shortcuts_inhibitor_v1_add_listener(p->shortcuts_inhibitor,
			&shortcuts_listener, p);
		break;
	case MODE_IDLE:
		if (!p->kde_idle) {
			tc_die("compositor offers no org_kde_kwin_idle");
		}
		if (p->idle_inhibit) {
			if (!p->idle_inhibit_manager) {
				tc_die("compositor offers no zwp_idle_inhibit_manager_v1");
			}
			p->idle_inhibitor = zwp_idle_inhibit_manager_v1_create_inhibitor(
				p->idle_inhibit_manager, p->surface);
			printf("inhibitor created\n");
		}
		p->idle_since_ns = tc_now_ns();
		p->idle_timeout = org_kde_kwin_idle_get_idle_timeout(p->kde_idle, p->wl_seat,
			(uint32_t)p->idle_timeout_ms);
		org_kde_kwin_idle_timeout_add_listener(p->idle_timeout, &idle_listener, p);
		break;
	case MODE_ACTIVATION_TOKEN:
	case MODE_ACTIVATE:
		if (!p->activation) {
			tc_die("compositor offers no xdg_activation_v1");
		}
		break;
	case MODE_EXPORT:
		if (!p->exporter) {
			tc_die("compositor offers no zxdg_exporter_v2");
		}
		p->exported = zxdg_exporter_v2_export_toplevel(p->exporter, p->surface);
		zxdg_exported_v2_add_listener(p->exported, &exported_listener, p);
		break;
	case MODE_IMPORT:
		if (!p->importer) {
			tc_die("compositor offers no zxdg_importer_v2");
		}
		break;
	case MODE_VIEWPORT:
		if (!p->viewporter) {
			tc_die("compositor offers no wp_viewporter");
		}
		p->viewport = wp_viewporter_get_viewport(p->viewporter, p->surface);
		wp_viewport_set_destination(p->viewport, p->dest_width, p->dest_height);
		break;
	case MODE_PRESENTATION:
		if (!p->presentation) {
			tc_die("compositor offers no wp_presentation");
		}
		break;
	}
}

static void on_mapped(struct proto *p) {
	if (p->mode == MODE_ACTIVATE && p->arg) {
		activate(p, p->arg);
	} else if (p->mode == MODE_IMPORT) {
		p->imported = zxdg_importer_v2_import_toplevel(p->importer, p->arg);
		zxdg_imported_v2_add_listener(p->imported, &imported_listener, p);
		zxdg_imported_v2_set_parent_of(p->imported, p->surface);
		printf("imported\n");
		struct wl_callback *cb = wl_display_sync(p->display);
		wl_callback_add_listener(cb, &parent_set_listener, p);
	} else if (p->mode == MODE_PRESENTATION) {
		start_presentation_frame(p);
	}
}

/* Drops whatever the command made; safe to call twice. */
static void release_mode_objects(struct proto *p) {
	if (p->relative_pointer) {
		zwp_relative_pointer_v1_destroy(p->relative_pointer);
		p->relative_pointer = NULL;
	}
	if (p->locked_pointer) {
		zwp_locked_pointer_v1_destroy(p->locked_pointer);
		p->locked_pointer = NULL;
	}
	if (p->confined_pointer) {
		zwp_confined_pointer_v1_destroy(p->confined_pointer);
		p->confined_pointer = NULL;
	}
	if (p->swipe) {
		zwp_pointer_gesture_swipe_v1_destroy(p->swipe);
		p->swipe = NULL;
	}
	if (p->pinch) {
		zwp_pointer_gesture_pinch_v1_destroy(p->pinch);
		p->pinch = NULL;
	}
	if (p->hold) {
		zwp_pointer_gesture_hold_v1_destroy(p->hold);
		p->hold = NULL;
	}
	if (p->shortcuts_inhibitor) {
		zwp_keyboard_shortcuts_inhibitor_v1_destroy(p->shortcuts_inhibitor);
		p->shortcuts_inhibitor = NULL;
	}
	if (p->idle_inhibitor) {
		zwp_idle_inhibitor_v1_destroy(p->idle_inhibitor);
		p->idle_inhibitor = NULL;
	}
}

static void sync_done(void *data, struct wl_callback *callback, uint32_t n) {
	struct proto *p = data;
	wl_callback_destroy(callback);
	p->sync_count++;
	printf("synced %u\n", p->sync_count);
}

static const struct wl_callback_listener sync_listener = {
	.done = sync_done,
};

static void release_done(void *data, struct wl_callback *callback, uint32_t n) {
	wl_callback_destroy(callback);
	printf("released\n");
}

static const struct wl_callback_listener release_listener = {
	.done = release_done,
};

static void run_command(struct proto *p, const char *line) {
	if (strcmp(line, "release") == 0) {
		/* The relative pointer stays: a game that unlocks still reads motion. */
		struct zwp_relative_pointer_v1 *relative = p->relative_pointer;
		p->relative_pointer = NULL;
		release_mode_objects(p);
		p->relative_pointer = relative;
		/* Printed once the compositor has read the destruction. */
		struct wl_callback *cb = wl_display_sync(p->display);
		wl_callback_add_listener(cb, &release_listener, p);
	} else if (strncmp(line, "activate ", 9) == 0 && line[9] != '\0') {
		activate(p, line + 9);
	} else if (strcmp(line, "token") == 0) {
		request_token(p);
	} else if (strcmp(line, "sync") == 0) {
		struct wl_callback *cb = wl_display_sync(p->display);
		wl_callback_add_listener(cb, &sync_listener, p);
	} else if (strcmp(line, "quit") == 0) {
		p->quit = true;
	} else if (line[0] != '\0') {
		fprintf(stderr, "lumen-test-protocols: unknown stdin command '%s'\n", line);
	}
}

/* False at end of file. */
static bool read_stdin(struct proto *p) {
	char buf[512];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
	if (n < 0) {
		return errno == EINTR || errno == EAGAIN;
	}
	if (n == 0) {
		return false;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			p->line[p->line_len] = '\0';
			run_command(p, p->line);
			p->line_len = 0;
		} else if (p->line_len + 1 < sizeof(p->line)) {
			p->line[p->line_len++] = buf[i];
		}
	}
	return true;
}

/* Registry. */

static void registry_handle_global(void *data, struct wl_registry *registry, uint32_t name,
		const char *interface, uint32_t version) {
	struct proto *p = data;
	if (strcmp(interface, wl_compositor_interface.name) == 0) {
		p->compositor = tc_bind(registry, name, &wl_compositor_interface, version, 4);
	} else if (strcmp(interface, wl_shm_interface.name) == 0) {
		p->shm = tc_bind(registry, name, &wl_shm_interface, version, 1);
	} else if (strcmp(interface, xdg_wm_base_interface.name) == 0) {
		p->wm_base = tc_bind(registry, name, &xdg_wm_base_interface, version, 5);
		xdg_wm_base_add_listener(p->wm_base, &wm_base_listener, p);
	} else if (strcmp(interface, wl_seat_interface.name) == 0 && !p->wl_seat) {
		/* v8 adds axis_value120, which tc_seat has no handler for. */
		p->wl_seat = tc_bind(registry, name, &wl_seat_interface, version, 7);
		tc_seat_init(&p->seat, p->wl_seat);
		p->serial_seat = tc_bind(registry, name, &wl_seat_interface, version, 7);
		wl_seat_add_listener(p->serial_seat, &serial_seat_listener, p);
	} else if (strcmp(interface, zwp_relative_pointer_manager_v1_interface.name) == 0) {
		p->relative_manager = tc_bind(registry, name,
			&zwp_relative_pointer_manager_v1_interface, version, 1);
	} else if (strcmp(interface, zwp_pointer_constraints_v1_interface.name) == 0) {
		p->constraints = tc_bind(registry, name, &zwp_pointer_constraints_v1_interface,
			version, 1);
	} else if (strcmp(interface, zwp_pointer_gestures_v1_interface.name) == 0) {
		p->gestures = tc_bind(registry, name, &zwp_pointer_gestures_v1_interface, version,
			3);
	} else if (strcmp(interface,
			zwp_keyboard_shortcuts_inhibit_manager_v1_interface.name) == 0) {
		p->shortcuts_manager = tc_bind(registry, name,
			&zwp_keyboard_shortcuts_inhibit_manager_v1_interface, version, 1);
	} else if (strcmp(interface, zwp_idle_inhibit_manager_v1_interface.name) == 0) {
		p->idle_inhibit_manager = tc_bind(registry, name,
			&zwp_idle_inhibit_manager_v1_interface, version, 1);
	} else if (strcmp(interface, org_kde_kwin_idle_interface.name) == 0) {
		p->kde_idle = tc_bind(registry, name, &org_kde_kwin_idle_interface, version, 1);
	} else if (strcmp(interface, xdg_activation_v1_interface.name) == 0) {
		p->activation = tc_bind(registry, name, &xdg_activation_v1_interface, version, 1);
	} else if (strcmp(interface, zxdg_exporter_v2_interface.name) == 0) {
		p->exporter = tc_bind(registry, name, &zxdg_exporter_v2_interface, version, 1);
	} else if (strcmp(interface, zxdg_importer_v2_interface.name) == 0) {
		p->importer = tc_bind(registry, name, &zxdg_importer_v2_interface, version, 1);
	} else if (strcmp(interface, wp_viewporter_interface.name) == 0) {
		p->viewporter = tc_bind(registry, name, &wp_viewporter_interface, version, 1);
	} else if (strcmp(interface, wp_presentation_interface.name) == 0) {
		p->presentation = tc_bind(registry, name, &wp_presentation_interface, version, 1);
		wp_presentation_add_listener(p->presentation, &presentation_listener, p);
	}
}

static void registry_handle_global_remove(void *data, struct wl_registry *registry,
		uint32_t name) {
}

static const struct wl_registry_listener registry_listener = {
	.global = registry_handle_global,
	.global_remove = registry_handle_global_remove,
};

static void destroy_all(struct proto *p) {
	release_mode_objects(p);
	if (p->frame_callback) {
		wl_callback_destroy(p->frame_callback);
	}
	if (p->idle_timeout) {
		org_kde_kwin_idle_timeout_release(p->idle_timeout);
	}
	if (p->activation_token) {
		xdg_activation_token_v1_destroy(p->activation_token);
	}
	if (p->imported) {
		zxdg_imported_v2_destroy(p->imported);
	}
	if (p->exported) {
		zxdg_exported_v2_destroy(p->exported);
	}
	if (p->viewport) {
		wp_viewport_destroy(p->viewport);
	}
	xdg_toplevel_destroy(p->toplevel);
	xdg_surface_destroy(p->xdg_surface);
	wl_surface_destroy(p->surface);
	tc_pool_finish(&p->pool);
	drop_serial_keyboard(p);
	if (p->serial_seat) {
		if (wl_seat_get_version(p->serial_seat) >= WL_SEAT_RELEASE_SINCE_VERSION) {
			wl_seat_release(p->serial_seat);
		} else {
			wl_seat_destroy(p->serial_seat);
		}
	}
	if (p->wl_seat) {
		tc_seat_finish(&p->seat);
	}
	if (p->relative_manager) {
		zwp_relative_pointer_manager_v1_destroy(p->relative_manager);
	}
	if (p->constraints) {
		zwp_pointer_constraints_v1_destroy(p->constraints);
	}
	if (p->gestures) {
		if (zwp_pointer_gestures_v1_get_version(p->gestures) >=
				ZWP_POINTER_GESTURES_V1_RELEASE_SINCE_VERSION) {
			zwp_pointer_gestures_v1_release(p->gestures);
		} else {
			zwp_pointer_gestures_v1_destroy(p->gestures);
		}
	}
	if (p->shortcuts_manager) {
		zwp_keyboard_shortcuts_inhibit_manager_v1_destroy(p->shortcuts_manager);
	}
	if (p->idle_inhibit_manager) {
		zwp_idle_inhibit_manager_v1_destroy(p->idle_inhibit_manager);
	}
	if (p->kde_idle) {
		/* The interface has no destructor request; forget the proxy alone. */
		org_kde_kwin_idle_destroy(p->kde_idle);
	}
	if (p->activation) {
		xdg_activation_v1_destroy(p->activation);
	}
	if (p->exporter) {
		zxdg_exporter_v2_destroy(p->exporter);
	}
	if (p->importer) {
		zxdg_importer_v2_destroy(p->importer);
	}
	if (p->viewporter) {
		wp_viewporter_destroy(p->viewporter);
	}
	if (p->presentation) {
		wp_presentation_destroy(p->presentation);
	}
	xdg_wm_base_destroy(p->wm_base);
	wl_shm_destroy(p->shm);
	wl_compositor_destroy(p->compositor);
	wl_registry_destroy(p->registry);
}

static bool parse_command(struct proto *p, int argc, char *argv[], int *next) {
	if (argc < 2) {
		return false;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) != 0) {
			continue;
		}
		p->mode = commands[i].mode;
		*next = 2;
		if (commands[i].takes_arg) {
			bool have = argc > 2 && strncmp(argv[2], "--", 2) != 0;
			if (!have && !commands[i].arg_optional) {
				tc_die("%s wants an argument", argv[1]);
			}
			if (have) {
				p->arg = argv[2];
				*next = 3;
			}
		}
		return true;
	}
	return false;
}

int main(int argc, char *argv[]) {
	tc_set_program_name("lumen-test-protocols");
	struct proto p = {
		.title = "lumen-test-protocols",
		.app_id = "lumen-test-protocols",
		.color = 0xff3366cc,
		.default_width = 300,
		.default_height = 200,
		.idle_timeout_ms = 1000,
		.buffer_width = 100,
		.buffer_height = 100,
		.dest_width = 300,
		.dest_height = 200,
		.frames = 10,
		.seq_increasing = true,
		.time_increasing = true,
		.plausible = true,
	};
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	int first_option = 0;
	if (!parse_command(&p, argc, argv, &first_option)) {
		usage(stderr);
		tc_die("unknown or missing command%s%s", argc >= 2 ? ": " : "",
			argc >= 2 ? argv[1] : "");
	}
	long timeout_s = -1;
	bool watch_stdin = false;
	for (int i = first_option; i < argc; i++) {
		const char *arg = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(arg, "--stdin") == 0) {
			watch_stdin = true;
		} else if (strcmp(arg, "--inhibit") == 0) {
			p.idle_inhibit = true;
		} else if (!val) {
			usage(stderr);
			tc_die("unknown option or missing value: %s", arg);
		} else if (strcmp(arg, "--title") == 0) {
			p.title = val;
			i++;
		} else if (strcmp(arg, "--app-id") == 0) {
			p.app_id = val;
			i++;
		} else if (strcmp(arg, "--color") == 0) {
			tc_option_color("--color", val, &p.color);
			i++;
		} else if (strcmp(arg, "--size") == 0) {
			tc_option_size("--size", val, &p.default_width, &p.default_height);
			i++;
		} else if (strcmp(arg, "--buffer") == 0) {
			tc_option_size("--buffer", val, &p.buffer_width, &p.buffer_height);
			i++;
		} else if (strcmp(arg, "--dest") == 0) {
			tc_option_size("--dest", val, &p.dest_width, &p.dest_height);
			i++;
		} else if (strcmp(arg, "--timeout-ms") == 0) {
			if (!tc_parse_long(val, 0, 86400000, &p.idle_timeout_ms)) {
				tc_die("--timeout-ms wants milliseconds, not '%s'", val);
			}
			i++;
		} else if (strcmp(arg, "--frames") == 0) {
			if (!tc_parse_long(val, 1, MAX_FRAMES, &p.frames)) {
				tc_die("--frames wants 1 to %d, not '%s'", MAX_FRAMES, val);
			}
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

	p.display = tc_connect();
	p.registry = wl_display_get_registry(p.display);
	wl_registry_add_listener(p.registry, &registry_listener, &p);
	/* The second roundtrip brings the seat's capabilities, and so our wl_pointer. */
	if (wl_display_roundtrip(p.display) < 0 || wl_display_roundtrip(p.display) < 0) {
		tc_die_disconnected(p.display);
	}
	if (!p.compositor || !p.shm || !p.wm_base) {
		tc_die("compositor lacks wl_compositor, wl_shm or xdg_wm_base");
	}
	if (!p.wl_seat) {
		tc_die("compositor offers no wl_seat");
	}
	p.pool.shm = p.shm;

	p.surface = wl_compositor_create_surface(p.compositor);
	p.xdg_surface = xdg_wm_base_get_xdg_surface(p.wm_base, p.surface);
	xdg_surface_add_listener(p.xdg_surface, &xdg_surface_listener, &p);
	p.toplevel = xdg_surface_get_toplevel(p.xdg_surface);
	xdg_toplevel_add_listener(p.toplevel, &toplevel_listener, &p);
	xdg_toplevel_set_title(p.toplevel, p.title);
	xdg_toplevel_set_app_id(p.toplevel, p.app_id);
	start_mode(&p);
	/* The first commit carries no buffer: it asks for the initial configure. */
	wl_surface_commit(p.surface);

	int64_t deadline = timeout_s >= 0 ? tc_now_ns() + timeout_s * 1000000000LL : -1;
	int status = 0;
	while (!p.closed && !p.quit && !tc_signalled()) {
		int wait_ms = -1;
		if (deadline >= 0) {
			int64_t left = deadline - tc_now_ns();
			if (left <= 0) {
				printf("timeout\n");
				/* Presentation runs end by themselves; one that did not, failed. */
				status = p.mode == MODE_PRESENTATION ? 1 : 0;
				break;
			}
			wait_ms = (int)((left + 999999) / 1000000);
		}
		bool stdin_ready = false;
		if (!tc_dispatch(p.display, wait_ms, watch_stdin ? STDIN_FILENO : -1,
				&stdin_ready)) {
			tc_die_disconnected(p.display);
		}
		if (stdin_ready && !read_stdin(&p)) {
			break;
		}
	}

	destroy_all(&p);
	wl_display_flush(p.display);
	wl_display_disconnect(p.display);
	return status;
}
