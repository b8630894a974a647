/*
 * lumen-test-anim: a toplevel that redraws on every frame callback, for benchmarks. With
 * --damage full the whole surface changes each frame; with --damage partial only a 64x64
 * square (--square N: NxN) moves and only where it was and where it is now is damaged,
 * which is what a compositor's damage tracking should turn into a small repaint.
 *
 * It prints "size W H" whenever it starts drawing at a new size, and on exit (after
 * --frames, on SIGTERM/SIGINT, or when closed):
 *   frames N        frame callbacks received, each for a frame we committed
 *   presented N     wp_presentation feedbacks that said presented (only if offered)
 *   discarded N     ... that said discarded (only if offered)
 *   elapsed_ms T    from the first commit to the last frame callback
 *   fps F
 *
 * With --latency (needs wp_presentation), one line per frame reported presented:
 *   latency_ns NS   from just before our wl_surface.commit to the presented timestamp,
 *                   both on the compositor's presentation clock
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wayland-client.h>
#include "common/alloc.h"
#include "presentation-time-client-protocol.h"
#include "tc-common.h"
#include "xdg-shell-client-protocol.h"

#define SQUARE_DEFAULT 64
#define ANIM_BUFFERS 4

enum damage_mode {
	DAMAGE_FULL,
	DAMAGE_PARTIAL,
};

struct anim_buffer {
	struct tc_buffer *buf;
	bool drawn; // holds a whole frame, so only the square's old place needs repainting
	int square_x, square_y; // where this buffer's copy of the square is
};

struct feedback {
	struct wl_list link; // anim.feedbacks
	struct anim *anim;
	struct wp_presentation_feedback *wp_feedback;
	int64_t commit_ns; // --latency: our commit, on the presentation clock
};

struct anim {
	struct wl_display *display;
	struct wl_registry *registry;
	struct wl_compositor *compositor;
	struct wl_shm *shm;
	struct xdg_wm_base *wm_base;
	struct wp_presentation *presentation; // may be NULL

	struct wl_surface *surface;
	struct xdg_surface *xdg_surface;
	struct xdg_toplevel *toplevel;
	struct anim_buffer buffers[ANIM_BUFFERS];

	enum damage_mode damage;
	int req_width, req_height;
	int width, height; // what we draw now
	int pending_width, pending_height;
	long frames_wanted; // 0: forever
	int square; // the moving square's side
	bool latency; // --latency: print latency_ns per presented frame
	bool clock_known;
	clockid_t clock; // the presentation clock, once clock_id came
	bool configured;
	bool closed;
	bool done;

	/* The square's place on screen (in the last committed frame) and its velocity. */
	int square_x, square_y;
	int dx, dy;
	bool first_frame;

	long frames; // frame callbacks received
	long committed;
	long presented, discarded;
	struct wl_list feedbacks; // feedback.link, not yet answered
	struct wl_callback *frame_callback; // the one pending, or NULL
	int64_t start_ns, last_ns;
};

static void usage(FILE *f) {
	fprintf(f,
		"usage: lumen-test-anim [options]\n"
		"  --size WxH              size when the compositor leaves it to us (default 800x600)\n"
		"  --damage full|partial   (default full)\n"
		"  --frames N              exit after N frames; 0 runs until killed (default 0)\n"
		"  --title TITLE           (default lumen-test-anim)\n"
		"  --square N              the moving square's side (default 64)\n"
		"  --latency               print latency_ns (commit to presented) per frame\n");
}

static void feedback_handle_sync_output(void *data, struct wp_presentation_feedback *feedback,
		struct wl_output *output) {
}

static void feedback_destroy(struct feedback *fb) {
	wp_presentation_feedback_destroy(fb->wp_feedback);
	wl_list_remove(&fb->link);
	free(fb);
}

static void feedback_handle_presented(void *data, struct wp_presentation_feedback *feedback,
		uint32_t tv_sec_hi, uint32_t tv_sec_lo, uint32_t tv_nsec, uint32_t refresh,
		uint32_t seq_hi, uint32_t seq_lo, uint32_t flags) {
	struct feedback *fb = data;
	fb->anim->presented++;
	if (fb->anim->latency && fb->commit_ns > 0) {
		uint64_t sec = ((uint64_t)tv_sec_hi << 32) | tv_sec_lo;
		int64_t when = (int64_t)sec * 1000000000 + tv_nsec;
		printf("latency_ns %" PRId64 "\n", when - fb->commit_ns);
	}
	feedback_destroy(fb);
}

static void feedback_handle_discarded(void *data, struct wp_presentation_feedback *feedback) {
	struct feedback *fb = data;
	fb->anim->discarded++;
	feedback_destroy(fb);
}

static const struct wp_presentation_feedback_listener feedback_listener = {
	.sync_output = feedback_handle_sync_output,
	.presented = feedback_handle_presented,
	.discarded = feedback_handle_discarded,
};

static void presentation_handle_clock_id(void *data, struct wp_presentation *presentation,
		uint32_t clk_id) {
	struct anim *a = data;
	a->clock = (clockid_t)clk_id;
	a->clock_known = true;
}

static const struct wp_presentation_listener presentation_listener = {
	.clock_id = presentation_handle_clock_id,
};

static int64_t presentation_now_ns(struct anim *a) {
	struct timespec ts;
	if (!a->clock_known || clock_gettime(a->clock, &ts) != 0) {
		return 0;
	}
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static struct anim_buffer *next_buffer(struct anim *a) {
	/* Drop released buffers of an old size; keep busy ones until they come back. */
	for (int i = 0; i < ANIM_BUFFERS; i++) {
		struct anim_buffer *ab = &a->buffers[i];
		if (ab->buf && !ab->buf->busy &&
				(ab->buf->width != a->width || ab->buf->height != a->height)) {
			tc_buffer_destroy(ab->buf);
			memset(ab, 0, sizeof(*ab));
		}
	}
	for (int i = 0; i < ANIM_BUFFERS; i++) {
		struct anim_buffer *ab = &a->buffers[i];
		if (ab->buf && !ab->buf->busy) {
			return ab;
		}
	}
	for (int i = 0; i < ANIM_BUFFERS; i++) {
		struct anim_buffer *ab = &a->buffers[i];
		if (!ab->buf) {
			ab->buf = tc_buffer_create(a->shm, a->width, a->height);
			if (!ab->buf) {
				tc_die("cannot create a %dx%d buffer", a->width, a->height);
			}
			return ab;
		}
	}
	return NULL;
}

static uint32_t cycle_color(long frame) {
	/* A slow walk round the colour wheel: every frame differs from the last. */
	double t = (double)(frame % 360) * M_PI / 180.0;
	uint32_t r = (uint32_t)(127.5 + 127.5 * sin(t));
	uint32_t g = (uint32_t)(127.5 + 127.5 * sin(t + 2.0 * M_PI / 3.0));
	uint32_t b = (uint32_t)(127.5 + 127.5 * sin(t + 4.0 * M_PI / 3.0));
	return 0xff000000u | r << 16 | g << 8 | b;
}

static void move_square(struct anim *a) {
	int max_x = a->width > a->square ? a->width - a->square : 0;
	int max_y = a->height > a->square ? a->height - a->square : 0;
	a->square_x += a->dx;
	a->square_y += a->dy;
	if (a->square_x < 0 || a->square_x > max_x) {
		a->dx = -a->dx;
		a->square_x = a->square_x < 0 ? 0 : max_x;
	}
	if (a->square_y < 0 || a->square_y > max_y) {
		a->dy = -a->dy;
		a->square_y = a->square_y < 0 ? 0 : max_y;
	}
}

static void frame_handle_done(void *data, struct wl_callback *callback, uint32_t time);

static const struct wl_callback_listener frame_listener = {
	.done = frame_handle_done,
};

static void draw_frame(struct anim *a) {
	const uint32_t background = 0xff202020;
	const uint32_t square_color = 0xffffcc00;
	bool resized = a->pending_width != a->width || a->pending_height != a->height;
	a->width = a->pending_width;
	a->height = a->pending_height;
	if (resized) {
		printf("size %d %d\n", a->width, a->height);
	}

	struct anim_buffer *ab = next_buffer(a);
	a->frame_callback = wl_surface_frame(a->surface);
	wl_callback_add_listener(a->frame_callback, &frame_listener, a);
	if (!ab) {
		/* The compositor holds every buffer: commit nothing new and try next frame. */
		wl_surface_commit(a->surface);
		return;
	}
	struct tc_buffer *buf = ab->buf;
	int old_x = a->square_x, old_y = a->square_y;
	move_square(a);

	if (a->damage == DAMAGE_FULL) {
		tc_buffer_fill_rect(buf, 0, 0, buf->width, buf->height, cycle_color(a->committed));
		tc_buffer_fill_rect(buf, a->square_x, a->square_y, a->square, a->square,
			square_color);
		wl_surface_attach(a->surface, buf->wl_buffer, 0, 0);
		wl_surface_damage_buffer(a->surface, 0, 0, buf->width, buf->height);
	} else {
		if (ab->drawn) {
			tc_buffer_fill_rect(buf, ab->square_x, ab->square_y, a->square, a->square,
				background);
		} else {
			tc_buffer_fill_rect(buf, 0, 0, buf->width, buf->height, background);
		}
		tc_buffer_fill_rect(buf, a->square_x, a->square_y, a->square, a->square,
			square_color);
		ab->drawn = true;
		ab->square_x = a->square_x;
		ab->square_y = a->square_y;
		wl_surface_attach(a->surface, buf->wl_buffer, 0, 0);
		if (a->first_frame || resized) {
			wl_surface_damage_buffer(a->surface, 0, 0, buf->width, buf->height);
		} else {
			/* What changed on screen: the square's old place and its new one. */
			wl_surface_damage_buffer(a->surface, old_x, old_y, a->square, a->square);
			wl_surface_damage_buffer(a->surface, a->square_x, a->square_y,
				a->square, a->square);
		}
	}
	buf->busy = true;
	a->first_frame = false;

	if (a->presentation) {
		struct feedback *fb = lumen_xcalloc(1, sizeof(*fb));
		fb->anim = a;
		fb->wp_feedback = wp_presentation_feedback(a->presentation, a->surface);
		wp_presentation_feedback_add_listener(fb->wp_feedback, &feedback_listener, fb);
		wl_list_insert(&a->feedbacks, &fb->link);
		fb->commit_ns = a->latency ? presentation_now_ns(a) : 0;
	}
	wl_surface_commit(a->surface);
	a->committed++;
}

static void frame_handle_done(void *data, struct wl_callback *callback, uint32_t time) {
	struct anim *a = data;
	wl_callback_destroy(callback);
	a->frame_callback = NULL;
	a->frames++;
	a->last_ns = tc_now_ns();
	if (a->frames_wanted > 0 && a->frames >= a->frames_wanted) {
		a->done = true;
		return;
	}
	draw_frame(a);
}

static void wm_base_handle_ping(void *data, struct xdg_wm_base *wm_base, uint32_t serial) {
	xdg_wm_base_pong(wm_base, serial);
}

static const struct xdg_wm_base_listener wm_base_listener = {
	.ping = wm_base_handle_ping,
};

static void xdg_surface_handle_configure(void *data, struct xdg_surface *xdg_surface,
		uint32_t serial) {
	struct anim *a = data;
	xdg_surface_ack_configure(xdg_surface, serial);
	if (!a->configured) {
		/* Frame callbacks drive everything after this first frame. */
		a->configured = true;
		a->first_frame = true;
		a->start_ns = tc_now_ns();
		draw_frame(a);
	}
}

static const struct xdg_surface_listener xdg_surface_listener = {
	.configure = xdg_surface_handle_configure,
};

static void toplevel_handle_configure(void *data, struct xdg_toplevel *toplevel, int32_t width,
		int32_t height, struct wl_array *states) {
	struct anim *a = data;
	a->pending_width = width > 0 ? width : a->req_width;
	a->pending_height = height > 0 ? height : a->req_height;
}

static void toplevel_handle_close(void *data, struct xdg_toplevel *toplevel) {
	struct anim *a = data;
	a->closed = true;
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
	struct anim *a = data;
	if (strcmp(interface, wl_compositor_interface.name) == 0) {
		a->compositor = tc_bind(registry, name, &wl_compositor_interface, version, 4);
	} else if (strcmp(interface, wl_shm_interface.name) == 0) {
		a->shm = tc_bind(registry, name, &wl_shm_interface, version, 1);
	} else if (strcmp(interface, xdg_wm_base_interface.name) == 0) {
		a->wm_base = tc_bind(registry, name, &xdg_wm_base_interface, version, 5);
		xdg_wm_base_add_listener(a->wm_base, &wm_base_listener, a);
	} else if (strcmp(interface, wp_presentation_interface.name) == 0) {
		a->presentation = tc_bind(registry, name, &wp_presentation_interface, version, 1);
		wp_presentation_add_listener(a->presentation, &presentation_listener, a);
	}
}

static void registry_handle_global_remove(void *data, struct wl_registry *registry,
		uint32_t name) {
}

static const struct wl_registry_listener registry_listener = {
	.global = registry_handle_global,
	.global_remove = registry_handle_global_remove,
};

static void report(struct anim *a) {
	printf("frames %ld\n", a->frames);
	if (a->presentation) {
		printf("presented %ld\n", a->presented);
		printf("discarded %ld\n", a->discarded);
	}
	double elapsed_ms = a->frames > 0 ? (double)(a->last_ns - a->start_ns) / 1e6 : 0.0;
	printf("elapsed_ms %.1f\n", elapsed_ms);
	printf("fps %.1f\n", elapsed_ms > 0.0 ? (double)a->frames * 1000.0 / elapsed_ms : 0.0);
}

int main(int argc, char *argv[]) {
	tc_set_program_name("lumen-test-anim");
	struct anim a = {
		.damage = DAMAGE_FULL,
		.req_width = 800,
		.req_height = 600,
		.dx = 5,
		.dy = 3,
		.square = SQUARE_DEFAULT,
	};
	const char *title = "lumen-test-anim";
	/* Every option but --help and --latency takes a value. */
	for (int i = 1; i < argc; i += 2) {
		const char *arg = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(arg, "--latency") == 0) {
			a.latency = true;
			i--; // takes no value
		} else if (!val) {
			usage(stderr);
			tc_die("unknown option or missing value: %s", arg);
		} else if (strcmp(arg, "--size") == 0) {
			tc_option_size("--size", val, &a.req_width, &a.req_height);
		} else if (strcmp(arg, "--damage") == 0) {
			if (strcmp(val, "full") == 0) {
				a.damage = DAMAGE_FULL;
			} else if (strcmp(val, "partial") == 0) {
				a.damage = DAMAGE_PARTIAL;
			} else {
				tc_die("--damage wants full or partial, not '%s'", val);
			}
		} else if (strcmp(arg, "--frames") == 0) {
			if (!tc_parse_long(val, 0, 1000000000L, &a.frames_wanted)) {
				tc_die("--frames wants a count, not '%s'", val);
			}
		} else if (strcmp(arg, "--title") == 0) {
			title = val;
		} else if (strcmp(arg, "--square") == 0) {
			long side;
			if (!tc_parse_long(val, 1, 4096, &side)) {
				tc_die("--square wants a side from 1 to 4096, not '%s'", val);
			}
			a.square = (int)side;
		} else {
			usage(stderr);
			tc_die("unknown option: %s", arg);
		}
	}
	wl_list_init(&a.feedbacks);
	a.pending_width = a.req_width;
	a.pending_height = a.req_height;

	setvbuf(stdout, NULL, _IOLBF, 0);
	tc_signals_init();

	a.display = tc_connect();
	a.registry = wl_display_get_registry(a.display);
	wl_registry_add_listener(a.registry, &registry_listener, &a);
	if (wl_display_roundtrip(a.display) < 0) {
		tc_die_disconnected(a.display);
	}
	if (!a.compositor) {
		tc_die("compositor offers no wl_compositor");
	}
	if (!a.shm) {
		tc_die("compositor offers no wl_shm");
	}
	if (!a.wm_base) {
		tc_die("compositor offers no xdg_wm_base");
	}
	if (a.latency && !a.presentation) {
		tc_die("--latency: compositor offers no wp_presentation");
	}

	a.surface = wl_compositor_create_surface(a.compositor);
	a.xdg_surface = xdg_wm_base_get_xdg_surface(a.wm_base, a.surface);
	xdg_surface_add_listener(a.xdg_surface, &xdg_surface_listener, &a);
	a.toplevel = xdg_surface_get_toplevel(a.xdg_surface);
	xdg_toplevel_add_listener(a.toplevel, &toplevel_listener, &a);
	xdg_toplevel_set_title(a.toplevel, title);
	xdg_toplevel_set_app_id(a.toplevel, "lumen-test-anim");
	wl_surface_commit(a.surface);

	while (!a.done && !a.closed && !tc_signalled()) {
		if (!tc_dispatch(a.display, -1, -1, NULL)) {
			tc_die_disconnected(a.display);
		}
	}
	/*
	 * Feedback for the last frames comes after their frame callbacks, if at all (some
	 * headless backends never present): wait a little, not forever.
	 */
	int64_t deadline = tc_now_ns() + 1000000000LL;
	while (!wl_list_empty(&a.feedbacks) && !tc_signalled()) {
		int64_t left = deadline - tc_now_ns();
		if (left <= 0) {
			break;
		}
		if (!tc_dispatch(a.display, (int)((left + 999999) / 1000000), -1, NULL)) {
			tc_die_disconnected(a.display);
		}
	}
	report(&a);

	if (a.frame_callback) {
		wl_callback_destroy(a.frame_callback);
	}
	struct feedback *fb, *fb_tmp;
	wl_list_for_each_safe(fb, fb_tmp, &a.feedbacks, link) {
		feedback_destroy(fb);
	}
	xdg_toplevel_destroy(a.toplevel);
	xdg_surface_destroy(a.xdg_surface);
	wl_surface_destroy(a.surface);
	for (int i = 0; i < ANIM_BUFFERS; i++) {
		tc_buffer_destroy(a.buffers[i].buf);
	}
	if (a.presentation) {
		wp_presentation_destroy(a.presentation);
	}
	xdg_wm_base_destroy(a.wm_base);
	wl_shm_destroy(a.shm);
	wl_compositor_destroy(a.compositor);
	wl_registry_destroy(a.registry);
	wl_display_flush(a.display);
	wl_display_disconnect(a.display);
	return 0;
}
