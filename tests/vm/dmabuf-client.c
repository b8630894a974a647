/*
 * lumen-vm-dmabuf-client: a Wayland client that draws with GLES into a GBM buffer and
 * hands it to the compositor through zwp_linux_dmabuf_v1, so that the compositor's
 * renderer has to import a dmabuf. Used in the GLES VM test (tests/vm/gles-vm.sh).
 *
 *   lumen-vm-dmabuf-client [--device /dev/dri/renderD128] [--tag TAG] [--frames N]
 *
 * The window is 600x400: purple (8000ff), an orange (ff8000) band over its top 100
 * rows and a green (00ff00) 100x100 square at its top-left corner, so that a picture
 * upside down or mirrored is told apart. Frames are the same picture, committed again
 * after each presentation (the last one stays). Lines for the host, on stdout:
 *   VM TAG: formats N (XRGB8888 with modifiers M)   what zwp_linux_dmabuf_v1 offered
 *   VM TAG: buffer WxH FOURCC modifier MOD planes P  the GBM buffer
 *   VM TAG: gl RENDERER                            the client's GLES renderer
 *   VM TAG: map first=RRGGBB                       the buffer's first pixel read back
 *                                                  through gbm_bo_map after GLES drew it
 *   VM TAG: created                                the compositor accepted the dmabuf
 *   VM TAG: presented N discarded D flags F        after the last frame's presentation
 *   VM TAG: FAIL why
 * then it stays until SIGTERM (so that the screen can be looked at), and exits 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <drm_fourcc.h>
#include <wayland-client.h>
#include "gpu/allocator.h"
#include "gpu/egl.h"
#include "gpu/formats.h"
#include "gpu/render.h"
#include "linux-dmabuf-unstable-v1-client-protocol.h"
#include "presentation-time-client-protocol.h"
#include "xdg-shell-client-protocol.h"

#define WIN_W 600
#define WIN_H 400
#define MAX_MODS 64

struct client {
	const char *tag;
	struct wl_display *display;
	struct wl_compositor *compositor;
	struct xdg_wm_base *wm_base;
	struct zwp_linux_dmabuf_v1 *dmabuf;
	struct wp_presentation *presentation;
	int n_formats;
	uint64_t xrgb_mods[MAX_MODS];
	int n_xrgb_mods;
	bool configured, created, failed;
	int presented, discarded, frames;
	uint32_t last_flags;
	struct wl_buffer *buffer;
};

static volatile sig_atomic_t quit;

static void handle_signal(int sig) {
	quit = 1;
}

static void fail(struct client *c, const char *why) {
	printf("VM %s: FAIL %s\n", c->tag, why);
	fflush(stdout);
	c->failed = true;
}

static void dmabuf_format(void *data, struct zwp_linux_dmabuf_v1 *d, uint32_t format) {
	/* v3 sends modifier events as well; counted there. */
}

static void dmabuf_modifier(void *data, struct zwp_linux_dmabuf_v1 *d, uint32_t format,
		uint32_t hi, uint32_t lo) {
	struct client *c = data;
	c->n_formats++;
	if (format == DRM_FORMAT_XRGB8888 && c->n_xrgb_mods < MAX_MODS) {
		c->xrgb_mods[c->n_xrgb_mods++] = ((uint64_t)hi << 32) | lo;
	}
}

static const struct zwp_linux_dmabuf_v1_listener dmabuf_listener = {
	.format = dmabuf_format,
	.modifier = dmabuf_modifier,
};

static void wm_base_ping(void *data, struct xdg_wm_base *wm_base, uint32_t serial) {
	xdg_wm_base_pong(wm_base, serial);
}

static const struct xdg_wm_base_listener wm_base_listener = {
	.ping = wm_base_ping,
};

static void registry_global(void *data, struct wl_registry *registry, uint32_t name,
		const char *interface, uint32_t version) {
	struct client *c = data;
	if (strcmp(interface, wl_compositor_interface.name) == 0) {
		c->compositor = wl_registry_bind(registry, name, &wl_compositor_interface, 4);
	} else if (strcmp(interface, xdg_wm_base_interface.name) == 0) {
		c->wm_base = wl_registry_bind(registry, name, &xdg_wm_base_interface, 1);
		xdg_wm_base_add_listener(c->wm_base, &wm_base_listener, c);
	} else if (strcmp(interface, zwp_linux_dmabuf_v1_interface.name) == 0 && version >= 3) {
		c->dmabuf = wl_registry_bind(registry, name, &zwp_linux_dmabuf_v1_interface, 3);
		zwp_linux_dmabuf_v1_add_listener(c->dmabuf, &dmabuf_listener, c);
	} else if (strcmp(interface, wp_presentation_interface.name) == 0) {
		c->presentation = wl_registry_bind(registry, name, &wp_presentation_interface, 1);
	}
}

static void registry_global_remove(void *data, struct wl_registry *registry, uint32_t name) {
}

static const struct wl_registry_listener registry_listener = {
	.global = registry_global,
	.global_remove = registry_global_remove,
};

static void xdg_surface_configure(void *data, struct xdg_surface *xdg_surface, uint32_t serial) {
	struct client *c = data;
	xdg_surface_ack_configure(xdg_surface, serial);
	c->configured = true;
}

static const struct xdg_surface_listener xdg_surface_listener = {
	.configure = xdg_surface_configure,
};

static void toplevel_configure(void *data, struct xdg_toplevel *toplevel, int32_t w, int32_t h,
		struct wl_array *states) {
}

static void toplevel_close(void *data, struct xdg_toplevel *toplevel) {
	quit = 1;
}

static const struct xdg_toplevel_listener toplevel_listener = {
	.configure = toplevel_configure,
	.close = toplevel_close,
};

static void params_created(void *data, struct zwp_linux_buffer_params_v1 *params,
		struct wl_buffer *buffer) {
	struct client *c = data;
	c->buffer = buffer;
	c->created = true;
}

static void params_failed(void *data, struct zwp_linux_buffer_params_v1 *params) {
	fail(data, "the compositor refused the dmabuf (zwp_linux_buffer_params_v1.failed)");
}

static const struct zwp_linux_buffer_params_v1_listener params_listener = {
	.created = params_created,
	.failed = params_failed,
};

static void feedback_sync_output(void *data, struct wp_presentation_feedback *fb,
		struct wl_output *output) {
}

static void feedback_presented(void *data, struct wp_presentation_feedback *fb,
		uint32_t tv_sec_hi, uint32_t tv_sec_lo, uint32_t tv_nsec, uint32_t refresh,
		uint32_t seq_hi, uint32_t seq_lo, uint32_t flags) {
	struct client *c = data;
	c->presented++;
	c->last_flags = flags;
	wp_presentation_feedback_destroy(fb);
}

static void feedback_discarded(void *data, struct wp_presentation_feedback *fb) {
	struct client *c = data;
	c->discarded++;
	wp_presentation_feedback_destroy(fb);
}

static const struct wp_presentation_feedback_listener feedback_listener = {
	.sync_output = feedback_sync_output,
	.presented = feedback_presented,
	.discarded = feedback_discarded,
};

/* Draws the picture with GLES into the buffer; false with why. */
static bool draw(struct client *c, struct gpu_allocator *alloc, struct gpu_buffer *bo,
		const struct gpu_dmabuf *dmabuf, char *why, size_t why_size) {
	struct gpu_egl *egl = gpu_egl_create(alloc->gbm, why, why_size);
	if (!egl) {
		return false;
	}
	bool ok = false;
	struct gpu_renderer *r = gpu_renderer_create(egl, why, why_size);
	if (!r) {
		goto out_egl;
	}
	printf("VM %s: gl %s\n", c->tag, egl->gl_renderer);
	struct gpu_target t;
	if (!gpu_target_init_dmabuf(&t, r, dmabuf, why, why_size)) {
		goto out_renderer;
	}
	gpu_render_begin(r, &t);
	gpu_render_clear(r, 0xff8000ff);
	gpu_render_rect(r, &t, 0, 0, WIN_W, 100, 0xffff8000);
	gpu_render_rect(r, &t, 0, 0, 100, 100, 0xff00ff00);
	ok = gpu_egl_finish(egl);
	if (!ok) {
		snprintf(why, why_size, "glFinish failed: %s", gpu_gl_error());
	}
	gpu_target_finish(&t, r);

	/* What a CPU reader of the buffer sees (virgl keeps GLES's pixels on the host). */
	uint32_t stride = 0;
	void *map_data = NULL;
	const uint32_t *map = gpu_buffer_map(bo, false, &stride, &map_data);
	if (map) {
		printf("VM %s: map first=%06x\n", c->tag, map[0] & 0xffffff);
		gpu_buffer_unmap(bo, map_data);
	} else {
		printf("VM %s: map failed\n", c->tag);
	}
out_renderer:
	gpu_renderer_destroy(r);
out_egl:
	gpu_egl_destroy(egl);
	return ok;
}

static bool roundtrip_until(struct client *c, bool *flag) {
	while (!*flag && !c->failed && !quit) {
		if (wl_display_dispatch(c->display) < 0) {
			fail(c, "the compositor hung up");
			return false;
		}
	}
	return *flag && !c->failed;
}

static void commit_frame(struct client *c, struct wl_surface *surface) {
	wl_surface_attach(surface, c->buffer, 0, 0);
	wl_surface_damage(surface, 0, 0, WIN_W, WIN_H);
	if (c->presentation) {
		struct wp_presentation_feedback *fb = wp_presentation_feedback(c->presentation, surface);
		wp_presentation_feedback_add_listener(fb, &feedback_listener, c);
	}
	wl_surface_commit(surface);
	c->frames++;
}

int main(int argc, char *argv[]) {
	struct client c = {.tag = "dmabuf"};
	const char *device = "/dev/dri/renderD128";
	int want_frames = 3;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--device") == 0 && i + 1 < argc) {
			device = argv[++i];
		} else if (strcmp(argv[i], "--tag") == 0 && i + 1 < argc) {
			c.tag = argv[++i];
		} else if (strcmp(argv[i], "--frames") == 0 && i + 1 < argc) {
			want_frames = (int)strtol(argv[++i], NULL, 10);
			if (want_frames < 1) {
				want_frames = 1;
			}
		} else {
			fprintf(stderr, "usage: lumen-vm-dmabuf-client [--device PATH] [--tag TAG] "
							"[--frames N]\n");
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGTERM, handle_signal);
	signal(SIGINT, handle_signal);

	int status = 1;
	char why[256] = "";
	int fd = -1;
	struct gpu_allocator *alloc = NULL;
	struct gpu_buffer *bo = NULL;
	struct gpu_dmabuf dmabuf = {.n_planes = 0};
	struct wl_surface *surface = NULL;
	struct xdg_surface *xdg_surface = NULL;
	struct xdg_toplevel *toplevel = NULL;
	struct wl_registry *registry = NULL;

	c.display = wl_display_connect(NULL);
	if (!c.display) {
		fail(&c, "cannot connect to the compositor");
		return 1;
	}
	registry = wl_display_get_registry(c.display);
	wl_registry_add_listener(registry, &registry_listener, &c);
	if (wl_display_roundtrip(c.display) < 0 || wl_display_roundtrip(c.display) < 0) {
		fail(&c, "registry roundtrip failed");
		goto out;
	}
	if (!c.compositor || !c.wm_base || !c.dmabuf) {
		fail(&c, !c.dmabuf ? "the compositor offers no zwp_linux_dmabuf_v1 (v3)"
						   : "the compositor lacks wl_compositor or xdg_wm_base");
		goto out;
	}
	printf("VM %s: formats %d (XRGB8888 with modifiers %d)\n", c.tag, c.n_formats,
		c.n_xrgb_mods);
	if (c.n_xrgb_mods == 0) {
		fail(&c, "XRGB8888 is not among the dmabuf formats");
		goto out;
	}

	fd = open(device, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, sizeof(why), "cannot open %s: %s", device, strerror(errno));
		fail(&c, why);
		goto out;
	}
	alloc = gpu_allocator_create(fd, why, sizeof(why));
	if (!alloc) {
		fail(&c, why);
		goto out;
	}
	/* The modifiers the compositor can import; INVALID among them means "implicit". */
	uint64_t mods[MAX_MODS];
	size_t n_mods = 0;
	for (int i = 0; i < c.n_xrgb_mods; i++) {
		if (c.xrgb_mods[i] != DRM_FORMAT_MOD_INVALID) {
			mods[n_mods++] = c.xrgb_mods[i];
		}
	}
	bo = gpu_buffer_create(alloc, WIN_W, WIN_H, DRM_FORMAT_XRGB8888, mods, n_mods,
		GPU_BUFFER_RENDER | GPU_BUFFER_SCANOUT, why, sizeof(why));
	if (!bo && n_mods > 0) {
		bo = gpu_buffer_create(alloc, WIN_W, WIN_H, DRM_FORMAT_XRGB8888, NULL, 0,
			GPU_BUFFER_RENDER | GPU_BUFFER_SCANOUT, why, sizeof(why));
	}
	if (!bo || !gpu_buffer_export(bo, &dmabuf)) {
		fail(&c, bo ? "exporting the buffer failed" : why);
		goto out;
	}
	char fourcc[8], mod[64];
	printf("VM %s: buffer %dx%d %s modifier %s planes %d\n", c.tag, WIN_W, WIN_H,
		gpu_fourcc_str(dmabuf.format, fourcc, sizeof(fourcc)),
		gpu_modifier_str(dmabuf.modifier, mod, sizeof(mod)), dmabuf.n_planes);
	if (!draw(&c, alloc, bo, &dmabuf, why, sizeof(why))) {
		fail(&c, why);
		goto out;
	}

	struct zwp_linux_buffer_params_v1 *params = zwp_linux_dmabuf_v1_create_params(c.dmabuf);
	zwp_linux_buffer_params_v1_add_listener(params, &params_listener, &c);
	for (int i = 0; i < dmabuf.n_planes; i++) {
		zwp_linux_buffer_params_v1_add(params, dmabuf.fds[i], (uint32_t)i, dmabuf.offsets[i],
			dmabuf.strides[i], (uint32_t)(dmabuf.modifier >> 32),
			(uint32_t)(dmabuf.modifier & 0xffffffff));
	}
	zwp_linux_buffer_params_v1_create(params, WIN_W, WIN_H, dmabuf.format, 0);
	bool ok = roundtrip_until(&c, &c.created);
	zwp_linux_buffer_params_v1_destroy(params);
	if (!ok) {
		goto out;
	}
	printf("VM %s: created\n", c.tag);

	surface = wl_compositor_create_surface(c.compositor);
	xdg_surface = xdg_wm_base_get_xdg_surface(c.wm_base, surface);
	xdg_surface_add_listener(xdg_surface, &xdg_surface_listener, &c);
	toplevel = xdg_surface_get_toplevel(xdg_surface);
	xdg_toplevel_add_listener(toplevel, &toplevel_listener, &c);
	xdg_toplevel_set_title(toplevel, "dmabuf");
	wl_surface_commit(surface);
	if (!roundtrip_until(&c, &c.configured)) {
		goto out;
	}
	commit_frame(&c, surface);
	while (!quit && !c.failed) {
		if (wl_display_dispatch(c.display) < 0) {
			fail(&c, "the compositor hung up");
			goto out;
		}
		if (c.presented + c.discarded < c.frames) {
			continue;
		}
		if (!c.presentation || c.frames >= want_frames) {
			break;
		}
		commit_frame(&c, surface);
	}
	printf("VM %s: presented %d discarded %d flags %u\n", c.tag, c.presented, c.discarded,
		c.last_flags);

	/* The window stays until we are told to go. */
	struct pollfd pfd = {.fd = wl_display_get_fd(c.display), .events = POLLIN};
	while (!quit && !c.failed) {
		wl_display_flush(c.display);
		if (poll(&pfd, 1, 200) > 0 && wl_display_dispatch(c.display) < 0) {
			break;
		}
	}
	status = c.failed ? 1 : 0;

out:
	if (toplevel) {
		xdg_toplevel_destroy(toplevel);
	}
	if (xdg_surface) {
		xdg_surface_destroy(xdg_surface);
	}
	if (surface) {
		wl_surface_destroy(surface);
	}
	if (c.buffer) {
		wl_buffer_destroy(c.buffer);
	}
	if (c.presentation) {
		wp_presentation_destroy(c.presentation);
	}
	if (c.dmabuf) {
		zwp_linux_dmabuf_v1_destroy(c.dmabuf);
	}
	if (c.wm_base) {
		xdg_wm_base_destroy(c.wm_base);
	}
	if (c.compositor) {
		wl_compositor_destroy(c.compositor);
	}
	if (registry) {
		wl_registry_destroy(registry);
	}
	wl_display_roundtrip(c.display);
	wl_display_disconnect(c.display);
	gpu_dmabuf_finish(&dmabuf);
	gpu_buffer_destroy(bo);
	gpu_allocator_destroy(alloc);
	if (fd >= 0) {
		close(fd);
	}
	return status;
}
