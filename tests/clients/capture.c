/*
 * lumen-test-capture: takes a screenshot of one output through wlr-screencopy and
 * writes it as PNG. It is a second capture path beside grim, written against the
 * protocol text, so a test can tell a compositor bug from a grim quirk.
 *
 *   lumen-test-capture [--output NAME] [--cursor] [--region X,Y,WxH] FILE.png
 *   lumen-test-capture --list
 *
 * Outputs are named by wl_output.name (wl_output v4) or else zxdg_output_v1.name; the
 * default is the first output announced.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wayland-client.h>
#include "common/alloc.h"
#include "common/fd.h"
#include "png-io.h"
#include "tc-common.h"
#include "wlr-screencopy-unstable-v1-client-protocol.h"
#include "xdg-output-unstable-v1-client-protocol.h"

struct output {
	struct wl_list link; // capture.outputs, in announce order
	struct capture *capture;
	struct wl_output *wl_output;
	struct zxdg_output_v1 *xdg_output;
	uint32_t global_name;
	char *name; // may be NULL
	char *description; // may be NULL
	int32_t mode_width, mode_height;
	int32_t x, y;
	int32_t scale;
};

struct capture {
	struct wl_display *display;
	struct wl_registry *registry;
	struct wl_shm *shm;
	struct zwlr_screencopy_manager_v1 *screencopy;
	struct zxdg_output_manager_v1 *xdg_output_manager;
	struct wl_list outputs;

	/* The frame being copied. */
	struct zwlr_screencopy_frame_v1 *frame;
	bool have_buffer;
	uint32_t format, width, height, stride;
	struct wl_buffer *buffer;
	void *data;
	size_t size;
	bool y_invert;
	bool ready, failed;
};

static void usage(FILE *f) {
	fprintf(f,
		"usage: lumen-test-capture [--output NAME] [--cursor] [--region X,Y,WxH] FILE.png\n"
		"       lumen-test-capture --list\n");
}

static void set_string(char **dst, const char *src) {
	free(*dst);
	*dst = lumen_xstrdup(src);
}

static void output_handle_geometry(void *data, struct wl_output *wl_output, int32_t x,
		int32_t y, int32_t phys_width, int32_t phys_height, int32_t subpixel,
		const char *make, const char *model, int32_t transform) {
	struct output *out = data;
	out->x = x;
	out->y = y;
}

static void output_handle_mode(void *data, struct wl_output *wl_output, uint32_t flags,
		int32_t width, int32_t height, int32_t refresh) {
	struct output *out = data;
	if (flags & WL_OUTPUT_MODE_CURRENT) {
		out->mode_width = width;
		out->mode_height = height;
	}
}

static void output_handle_done(void *data, struct wl_output *wl_output) {
}

static void output_handle_scale(void *data, struct wl_output *wl_output, int32_t factor) {
	struct output *out = data;
	out->scale = factor;
}

static void output_handle_name(void *data, struct wl_output *wl_output, const char *name) {
	struct output *out = data;
	set_string(&out->name, name);
}

static void output_handle_description(void *data, struct wl_output *wl_output,
		const char *description) {
	struct output *out = data;
	set_string(&out->description, description);
}

static const struct wl_output_listener output_listener = {
	.geometry = output_handle_geometry,
	.mode = output_handle_mode,
	.done = output_handle_done,
	.scale = output_handle_scale,
	.name = output_handle_name,
	.description = output_handle_description,
};

static void xdg_output_handle_logical_position(void *data, struct zxdg_output_v1 *xdg_output,
		int32_t x, int32_t y) {
}

static void xdg_output_handle_logical_size(void *data, struct zxdg_output_v1 *xdg_output,
		int32_t width, int32_t height) {
}

static void xdg_output_handle_done(void *data, struct zxdg_output_v1 *xdg_output) {
}

static void xdg_output_handle_name(void *data, struct zxdg_output_v1 *xdg_output,
		const char *name) {
	struct output *out = data;
	/* wl_output v4's name is the same string; keep whichever came first. */
	if (!out->name) {
		set_string(&out->name, name);
	}
}

static void xdg_output_handle_description(void *data, struct zxdg_output_v1 *xdg_output,
		const char *description) {
	struct output *out = data;
	if (!out->description) {
		set_string(&out->description, description);
	}
}

static const struct zxdg_output_v1_listener xdg_output_listener = {
	.logical_position = xdg_output_handle_logical_position,
	.logical_size = xdg_output_handle_logical_size,
	.done = xdg_output_handle_done,
	.name = xdg_output_handle_name,
	.description = xdg_output_handle_description,
};

static void registry_handle_global(void *data, struct wl_registry *registry, uint32_t name,
		const char *interface, uint32_t version) {
	struct capture *cap = data;
	if (strcmp(interface, wl_shm_interface.name) == 0) {
		cap->shm = tc_bind(registry, name, &wl_shm_interface, version, 1);
	} else if (strcmp(interface, zwlr_screencopy_manager_v1_interface.name) == 0) {
		cap->screencopy = tc_bind(registry, name, &zwlr_screencopy_manager_v1_interface,
			version, 3);
	} else if (strcmp(interface, zxdg_output_manager_v1_interface.name) == 0) {
		cap->xdg_output_manager = tc_bind(registry, name, &zxdg_output_manager_v1_interface,
			version, 3);
	} else if (strcmp(interface, wl_output_interface.name) == 0) {
		struct output *out = lumen_xcalloc(1, sizeof(*out));
		out->capture = cap;
		out->global_name = name;
		out->scale = 1;
		out->wl_output = tc_bind(registry, name, &wl_output_interface, version, 4);
		wl_output_add_listener(out->wl_output, &output_listener, out);
		wl_list_insert(cap->outputs.prev, &out->link);
	}
}

static void registry_handle_global_remove(void *data, struct wl_registry *registry,
		uint32_t name) {
}

static const struct wl_registry_listener registry_listener = {
	.global = registry_handle_global,
	.global_remove = registry_handle_global_remove,
};

static bool format_supported(uint32_t format) {
	switch (format) {
	case WL_SHM_FORMAT_ARGB8888:
	case WL_SHM_FORMAT_XRGB8888:
	case WL_SHM_FORMAT_ABGR8888:
	case WL_SHM_FORMAT_XBGR8888:
	case WL_SHM_FORMAT_RGB888:
	case WL_SHM_FORMAT_BGR888:
		return true;
	default:
		return false;
	}
}

static void start_copy(struct capture *cap) {
	if (!cap->have_buffer) {
		tc_die("compositor offered no shm buffer format we can read");
	}
	cap->size = (size_t)cap->stride * cap->height;
	int fd = lumen_shm_create(cap->size);
	if (fd < 0) {
		tc_die("cannot create shm file: %s", strerror(errno));
	}
	cap->data = mmap(NULL, cap->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (cap->data == MAP_FAILED) {
		tc_die("mmap: %s", strerror(errno));
	}
	struct wl_shm_pool *pool = wl_shm_create_pool(cap->shm, fd, (int32_t)cap->size);
	cap->buffer = wl_shm_pool_create_buffer(pool, 0, (int32_t)cap->width,
		(int32_t)cap->height, (int32_t)cap->stride, cap->format);
	wl_shm_pool_destroy(pool);
	close(fd);
	zwlr_screencopy_frame_v1_copy(cap->frame, cap->buffer);
}

static void frame_handle_buffer(void *data, struct zwlr_screencopy_frame_v1 *frame,
		uint32_t format, uint32_t width, uint32_t height, uint32_t stride) {
	struct capture *cap = data;
	/* Since v3 several formats may be offered: take the first we can convert. */
	if (cap->have_buffer || !format_supported(format)) {
		return;
	}
	uint32_t bytes_pp = format == WL_SHM_FORMAT_RGB888 || format == WL_SHM_FORMAT_BGR888 ? 3 : 4;
	if (width == 0 || height == 0 || width > 32768 || height > 32768 ||
			stride < width * bytes_pp) {
		tc_die("compositor offered an unusable buffer %ux%u stride %u", width, height,
			stride);
	}
	cap->have_buffer = true;
	cap->format = format;
	cap->width = width;
	cap->height = height;
	cap->stride = stride;
	if (zwlr_screencopy_frame_v1_get_version(frame) < 3) {
		/* Before v3 there is no buffer_done: this one event is all there is. */
		start_copy(cap);
	}
}

static void frame_handle_flags(void *data, struct zwlr_screencopy_frame_v1 *frame,
		uint32_t flags) {
	struct capture *cap = data;
	cap->y_invert = flags & ZWLR_SCREENCOPY_FRAME_V1_FLAGS_Y_INVERT;
}

static void frame_handle_ready(void *data, struct zwlr_screencopy_frame_v1 *frame,
		uint32_t tv_sec_hi, uint32_t tv_sec_lo, uint32_t tv_nsec) {
	struct capture *cap = data;
	cap->ready = true;
}

static void frame_handle_failed(void *data, struct zwlr_screencopy_frame_v1 *frame) {
	struct capture *cap = data;
	cap->failed = true;
}

static void frame_handle_damage(void *data, struct zwlr_screencopy_frame_v1 *frame, uint32_t x,
		uint32_t y, uint32_t width, uint32_t height) {
}

static void frame_handle_linux_dmabuf(void *data, struct zwlr_screencopy_frame_v1 *frame,
		uint32_t format, uint32_t width, uint32_t height) {
}

static void frame_handle_buffer_done(void *data, struct zwlr_screencopy_frame_v1 *frame) {
	struct capture *cap = data;
	start_copy(cap);
}

static const struct zwlr_screencopy_frame_v1_listener frame_listener = {
	.buffer = frame_handle_buffer,
	.flags = frame_handle_flags,
	.ready = frame_handle_ready,
	.failed = frame_handle_failed,
	.damage = frame_handle_damage,
	.linux_dmabuf = frame_handle_linux_dmabuf,
	.buffer_done = frame_handle_buffer_done,
};

static bool convert(const struct capture *cap, struct pngio_image *img) {
	if (!pngio_image_init(img, (int)cap->width, (int)cap->height)) {
		return false;
	}
	for (uint32_t y = 0; y < cap->height; y++) {
		uint32_t src_y = cap->y_invert ? cap->height - 1 - y : y;
		const uint8_t *src = (const uint8_t *)cap->data + (size_t)src_y * cap->stride;
		uint8_t *dst = pngio_pixel(img, 0, (int)y);
		for (uint32_t x = 0; x < cap->width; x++, dst += 3) {
			/* wl_shm formats are little-endian: ARGB8888 is B, G, R, A in memory. */
			switch (cap->format) {
			case WL_SHM_FORMAT_ARGB8888:
			case WL_SHM_FORMAT_XRGB8888:
				dst[0] = src[x * 4 + 2];
				dst[1] = src[x * 4 + 1];
				dst[2] = src[x * 4 + 0];
				break;
			case WL_SHM_FORMAT_ABGR8888:
			case WL_SHM_FORMAT_XBGR8888:
				dst[0] = src[x * 4 + 0];
				dst[1] = src[x * 4 + 1];
				dst[2] = src[x * 4 + 2];
				break;
			case WL_SHM_FORMAT_RGB888:
				dst[0] = src[x * 3 + 2];
				dst[1] = src[x * 3 + 1];
				dst[2] = src[x * 3 + 0];
				break;
			case WL_SHM_FORMAT_BGR888:
				dst[0] = src[x * 3 + 0];
				dst[1] = src[x * 3 + 1];
				dst[2] = src[x * 3 + 2];
				break;
			default:
				return false;
			}
		}
	}
	return true;
}

static bool parse_region(const char *s, int32_t region[4]) {
	/* X,Y,WxH */
	char copy[64];
	snprintf(copy, sizeof(copy), "%s", s);
	char *comma1 = strchr(copy, ',');
	char *comma2 = comma1 ? strchr(comma1 + 1, ',') : NULL;
	if (!comma2) {
		return false;
	}
	*comma1 = '\0';
	*comma2 = '\0';
	long x, y;
	int w, h;
	if (!tc_parse_long(copy, 0, 32768, &x) || !tc_parse_long(comma1 + 1, 0, 32768, &y) ||
			!tc_parse_size(comma2 + 1, &w, &h) || w == 0 || h == 0) {
		return false;
	}
	region[0] = (int32_t)x;
	region[1] = (int32_t)y;
	region[2] = w;
	region[3] = h;
	return true;
}

int main(int argc, char *argv[]) {
	tc_set_program_name("lumen-test-capture");
	const char *output_name = NULL;
	const char *path = NULL;
	bool cursor = false, list = false, have_region = false;
	int32_t region[4] = {0};
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(arg, "--cursor") == 0) {
			cursor = true;
		} else if (strcmp(arg, "--list") == 0) {
			list = true;
		} else if (strcmp(arg, "--output") == 0 && i + 1 < argc) {
			output_name = argv[++i];
		} else if (strcmp(arg, "--region") == 0 && i + 1 < argc) {
			if (!parse_region(argv[++i], region)) {
				tc_die("--region wants X,Y,WxH, not '%s'", argv[i]);
			}
			have_region = true;
		} else if (arg[0] == '-' && arg[1] != '\0') {
			usage(stderr);
			tc_die("unknown option or missing value: %s", arg);
		} else if (!path) {
			path = arg;
		} else {
			usage(stderr);
			tc_die("more than one output file given");
		}
	}
	if (!path && !list) {
		usage(stderr);
		tc_die("no output file given");
	}

	struct capture cap = {0};
	wl_list_init(&cap.outputs);
	cap.display = tc_connect();
	cap.registry = wl_display_get_registry(cap.display);
	wl_registry_add_listener(cap.registry, &registry_listener, &cap);
	if (wl_display_roundtrip(cap.display) < 0) {
		tc_die_disconnected(cap.display);
	}
	if (cap.xdg_output_manager) {
		struct output *out;
		wl_list_for_each(out, &cap.outputs, link) {
			out->xdg_output = zxdg_output_manager_v1_get_xdg_output(cap.xdg_output_manager,
				out->wl_output);
			zxdg_output_v1_add_listener(out->xdg_output, &xdg_output_listener, out);
		}
	}
	/* Output names and modes arrive in the events the binds above asked for. */
	if (wl_display_roundtrip(cap.display) < 0) {
		tc_die_disconnected(cap.display);
	}

	if (list) {
		struct output *out;
		wl_list_for_each(out, &cap.outputs, link) {
			printf("%s %dx%d at %d,%d scale %d%s%s\n", out->name ? out->name : "(unnamed)",
				out->mode_width, out->mode_height, out->x, out->y, out->scale,
				out->description ? " " : "", out->description ? out->description : "");
		}
		return 0;
	}

	if (!cap.shm) {
		tc_die("compositor offers no wl_shm");
	}
	if (!cap.screencopy) {
		tc_die("compositor offers no zwlr_screencopy_manager_v1");
	}
	if (wl_list_empty(&cap.outputs)) {
		tc_die("compositor has no outputs");
	}
	struct output *target = NULL;
	if (output_name) {
		struct output *out;
		wl_list_for_each(out, &cap.outputs, link) {
			if (out->name && strcmp(out->name, output_name) == 0) {
				target = out;
				break;
			}
		}
		if (!target) {
			struct output *first = wl_container_of(cap.outputs.next, first, link);
			if (!cap.xdg_output_manager &&
					wl_output_get_version(first->wl_output) < WL_OUTPUT_NAME_SINCE_VERSION) {
				tc_die("output '%s' not found: the compositor gives outputs no names "
					"(no wl_output v4, no xdg-output)", output_name);
			}
			tc_die("no output named '%s' (try --list)", output_name);
		}
	} else {
		target = wl_container_of(cap.outputs.next, target, link);
	}

	if (have_region) {
		cap.frame = zwlr_screencopy_manager_v1_capture_output_region(cap.screencopy,
			cursor ? 1 : 0, target->wl_output, region[0], region[1], region[2], region[3]);
	} else {
		cap.frame = zwlr_screencopy_manager_v1_capture_output(cap.screencopy, cursor ? 1 : 0,
			target->wl_output);
	}
	zwlr_screencopy_frame_v1_add_listener(cap.frame, &frame_listener, &cap);
	while (!cap.ready && !cap.failed) {
		if (wl_display_dispatch(cap.display) < 0) {
			tc_die_disconnected(cap.display);
		}
	}
	if (cap.failed) {
		tc_die("the compositor could not copy output '%s'",
			target->name ? target->name : "(unnamed)");
	}

	struct pngio_image img;
	if (!convert(&cap, &img)) {
		tc_die("cannot convert the captured frame");
	}
	if (!pngio_write(&img, path, PNGIO_RGB)) {
		tc_die("cannot write %s", path);
	}
	pngio_image_finish(&img);

	zwlr_screencopy_frame_v1_destroy(cap.frame);
	wl_buffer_destroy(cap.buffer);
	munmap(cap.data, cap.size);
	struct output *out, *tmp;
	wl_list_for_each_safe(out, tmp, &cap.outputs, link) {
		if (out->xdg_output) {
			zxdg_output_v1_destroy(out->xdg_output);
		}
		if (wl_output_get_version(out->wl_output) >= WL_OUTPUT_RELEASE_SINCE_VERSION) {
			wl_output_release(out->wl_output);
		} else {
			wl_output_destroy(out->wl_output);
		}
		free(out->name);
		free(out->description);
		wl_list_remove(&out->link);
		free(out);
	}
	if (cap.xdg_output_manager) {
		zxdg_output_manager_v1_destroy(cap.xdg_output_manager);
	}
	zwlr_screencopy_manager_v1_destroy(cap.screencopy);
	wl_shm_destroy(cap.shm);
	wl_registry_destroy(cap.registry);
	wl_display_disconnect(cap.display);
	return 0;
}
