/*
 * The virtual backend: outputs in memory. Each has a pixman image (the screen) and a
 * vblank clock at its mode's refresh on CLOCK_MONOTONIC: vblank k is at
 * epoch + k * period. A committed frame is latched at the next vblank, when only its
 * damaged rectangles are copied into the screen. The clock's timer runs only while a
 * frame waits, so an idle displayd sleeps. Capture composes what a viewer would see:
 * the screen, the software cursor over it, gamma over both; black when powered off.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include "backend.h"
#include "common/log.h"

#define VB_GAMMA_SIZE 256
#define VB_CURSOR_SIZE 256
#define VB_MAX_MODES 16
#define VB_FORMAT_XRGB8888 0x34325258u
#define VB_FORMAT_ARGB8888 0x34325241u

static const uint32_t vb_formats[] = {VB_FORMAT_XRGB8888, VB_FORMAT_ARGB8888};
static const uint64_t vb_modifiers[] = {0, 0}; // DRM_FORMAT_MOD_LINEAR

struct vb_backend {
	struct ds_backend base;
	struct wl_list outputs; // vb_output.link
	int next_index;
};

struct vb_output {
	struct ds_output base;
	struct vb_backend *backend;
	struct wl_list link; // vb_backend.outputs
	struct ds_mode modes[VB_MAX_MODES];
	pixman_image_t *screen; // x8r8g8b8 at the current mode's size
	struct timespec latched; // when the screen's frame was latched

	/* the vblank clock */
	int timer_fd;
	struct wl_event_source *timer;
	int64_t epoch_ns, period_ns;
	uint64_t seq_base;

	/* the frame waiting for the next vblank */
	struct ds_buffer *frame; // locked, may be NULL
	pixman_region32_t frame_damage;

	uint16_t gamma[3 * VB_GAMMA_SIZE];
	bool gamma_set;
	pixman_image_t *cursor; // may be NULL
	int32_t hot_x, hot_y, cursor_x, cursor_y;
};

static const struct ds_output_impl vb_output_impl;

static struct vb_output *vb_output_from(struct ds_output *output) {
	return (struct vb_output *)output;
}

static int64_t now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static struct timespec ts_from_ns(int64_t ns) {
	return (struct timespec){.tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000};
}

static void clock_reset(struct vb_output *vo, uint64_t seq_base) {
	vo->epoch_ns = now_ns();
	vo->period_ns = 1000000000000ll / (vo->base.current.refresh > 0 ? vo->base.current.refresh
		: 60000);
	vo->seq_base = seq_base;
}

/* Index of the last vblank at or before t. */
static int64_t vblank_index(struct vb_output *vo, int64_t t) {
	return t < vo->epoch_ns ? 0 : (t - vo->epoch_ns) / vo->period_ns;
}

static void timer_arm(struct vb_output *vo) {
	int64_t next = vo->epoch_ns + (vblank_index(vo, now_ns()) + 1) * vo->period_ns;
	struct itimerspec its = {.it_value = ts_from_ns(next)};
	if (timerfd_settime(vo->timer_fd, TFD_TIMER_ABSTIME, &its, NULL) != 0) {
		lumen_log_errno(LUMEN_ERROR, "timerfd_settime");
	}
}

static void latch(struct vb_output *vo, struct ds_buffer *buffer) {
	pixman_format_code_t format =
		buffer->format == VB_FORMAT_ARGB8888 ? PIXMAN_a8r8g8b8 : PIXMAN_x8r8g8b8;
	pixman_image_t *src = pixman_image_create_bits(format, buffer->width, buffer->height,
		buffer->data, buffer->stride);
	if (!src) {
		lumen_log(LUMEN_ERROR, "out of memory latching a frame on %s", vo->base.name);
		return;
	}
	int n = 0;
	const pixman_box32_t *rects = pixman_region32_rectangles(&vo->frame_damage, &n);
	ds_buffer_begin_access(buffer);
	for (int i = 0; i < n; i++) {
		int32_t w = rects[i].x2 - rects[i].x1, h = rects[i].y2 - rects[i].y1;
		pixman_image_composite32(PIXMAN_OP_SRC, src, NULL, vo->screen, rects[i].x1,
			rects[i].y1, 0, 0, rects[i].x1, rects[i].y1, w, h);
		vo->base.bytes_copied += (uint64_t)w * (uint64_t)h * 4;
	}
	ds_buffer_end_access(buffer);
	pixman_image_unref(src);
}

static int handle_vblank(int fd, uint32_t mask, void *data) {
	struct vb_output *vo = data;
	uint64_t expirations;
	if (read(fd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN) {
		lumen_log_errno(LUMEN_WARN, "timerfd read");
	}
	struct ds_buffer *buffer = vo->frame;
	if (!buffer) {
		return 0;
	}
	int64_t k = vblank_index(vo, now_ns());
	int64_t when_ns = vo->epoch_ns + k * vo->period_ns;
	struct timespec when = ts_from_ns(when_ns);
	uint64_t seq = vo->seq_base + (uint64_t)k;
	vo->frame = NULL;
	bool shown = vo->base.enabled && vo->base.power_on &&
		buffer->width == pixman_image_get_width(vo->screen) &&
		buffer->height == pixman_image_get_height(vo->screen);
	if (shown) {
		latch(vo, buffer);
		vo->latched = when;
	}
	pixman_region32_clear(&vo->frame_damage);
	ds_buffer_unlock(buffer);
	/* The core may hand us the next frame from in here; commit arms the timer again. */
	ds_output_frame_done(&vo->base, shown, &when, seq,
		DS_PRESENT_VSYNC | DS_PRESENT_HW_CLOCK | DS_PRESENT_HW_COMPLETION);
	return 0;
}

static bool vb_configure(struct ds_output *output, const struct ds_mode *mode, bool enabled,
		bool test_only, const char **reason) {
	struct vb_output *vo = vb_output_from(output);
	if (!enabled || test_only) {
		return true;
	}
	if (mode->width != pixman_image_get_width(vo->screen) ||
			mode->height != pixman_image_get_height(vo->screen)) {
		pixman_image_t *screen =
			pixman_image_create_bits(PIXMAN_x8r8g8b8, mode->width, mode->height, NULL, 0);
		if (!screen) {
			*reason = "out of memory";
			return false;
		}
		/* Keep what was there, top left, until the next frame. */
		pixman_image_composite32(PIXMAN_OP_SRC, vo->screen, NULL, screen, 0, 0, 0, 0, 0, 0,
			mode->width, mode->height);
		pixman_image_unref(vo->screen);
		vo->screen = screen;
	}
	if (mode->refresh != output->current.refresh) {
		uint64_t seq = vo->seq_base + (uint64_t)vblank_index(vo, now_ns()) + 1;
		output->current.refresh = mode->refresh;
		clock_reset(vo, seq);
		if (vo->frame) {
			timer_arm(vo);
		}
	}
	return true;
}

static bool vb_commit(struct ds_output *output, struct ds_buffer *buffer,
		const pixman_region32_t *damage) {
	struct vb_output *vo = vb_output_from(output);
	if (vo->frame || buffer->type != DS_BUFFER_SHM || !buffer->data) {
		return false;
	}
	ds_buffer_lock(buffer);
	vo->frame = buffer;
	pixman_region32_copy(&vo->frame_damage, (pixman_region32_t *)damage);
	timer_arm(vo);
	return true;
}

static bool vb_set_cursor(struct ds_output *output, struct ds_buffer *buffer, int32_t hot_x,
		int32_t hot_y) {
	struct vb_output *vo = vb_output_from(output);
	if (vo->cursor) {
		pixman_image_unref(vo->cursor);
		vo->cursor = NULL;
	}
	if (!buffer) {
		return true;
	}
	if (buffer->type != DS_BUFFER_SHM || !buffer->data || buffer->width > VB_CURSOR_SIZE ||
			buffer->height > VB_CURSOR_SIZE) {
		return false;
	}
	/* Copied now: the client may reuse its buffer at once. */
	pixman_format_code_t format =
		buffer->format == VB_FORMAT_ARGB8888 ? PIXMAN_a8r8g8b8 : PIXMAN_x8r8g8b8;
	vo->cursor = pixman_image_create_bits(format, buffer->width, buffer->height, NULL, 0);
	if (!vo->cursor) {
		return false;
	}
	uint8_t *dst = (uint8_t *)pixman_image_get_data(vo->cursor);
	int dst_stride = pixman_image_get_stride(vo->cursor);
	ds_buffer_begin_access(buffer);
	for (int32_t y = 0; y < buffer->height; y++) {
		memcpy(dst + (size_t)y * (size_t)dst_stride,
			(const uint8_t *)buffer->data + (size_t)y * (size_t)buffer->stride,
			(size_t)buffer->width * 4);
	}
	ds_buffer_end_access(buffer);
	vo->hot_x = hot_x;
	vo->hot_y = hot_y;
	return true;
}

static void vb_move_cursor(struct ds_output *output, int32_t x, int32_t y) {
	struct vb_output *vo = vb_output_from(output);
	vo->cursor_x = x;
	vo->cursor_y = y;
}

static bool vb_set_gamma(struct ds_output *output, const uint16_t *ramps) {
	struct vb_output *vo = vb_output_from(output);
	vo->gamma_set = ramps != NULL;
	if (ramps) {
		memcpy(vo->gamma, ramps, sizeof(vo->gamma));
	}
	return true;
}

static bool vb_set_power(struct ds_output *output, bool on) {
	return true; // the frame in flight is discarded at its vblank while off
}

static int32_t clamp_coord(int64_t v) {
	return (int32_t)(v < -100000 ? -100000 : v > 100000 ? 100000 : v);
}

static bool vb_capture(struct ds_output *output, void *dst, int32_t stride, uint32_t format,
		struct timespec *latched) {
	struct vb_output *vo = vb_output_from(output);
	int32_t w = pixman_image_get_width(vo->screen), h = pixman_image_get_height(vo->screen);
	*latched = vo->latched;
	if (!output->power_on) {
		for (int32_t y = 0; y < h; y++) {
			uint32_t *row = (uint32_t *)((uint8_t *)dst + (size_t)y * (size_t)stride);
			for (int32_t x = 0; x < w; x++) {
				row[x] = 0xff000000u;
			}
		}
		return true;
	}
	pixman_image_t *image = pixman_image_create_bits(
		format == VB_FORMAT_ARGB8888 ? PIXMAN_a8r8g8b8 : PIXMAN_x8r8g8b8, w, h, dst, stride);
	if (!image) {
		return false;
	}
	pixman_image_composite32(PIXMAN_OP_SRC, vo->screen, NULL, image, 0, 0, 0, 0, 0, 0, w, h);
	if (vo->cursor) {
		int32_t x = clamp_coord((int64_t)vo->cursor_x - vo->hot_x);
		int32_t y = clamp_coord((int64_t)vo->cursor_y - vo->hot_y);
		pixman_image_composite32(PIXMAN_OP_OVER, vo->cursor, NULL, image, 0, 0, 0, 0, x, y,
			pixman_image_get_width(vo->cursor), pixman_image_get_height(vo->cursor));
	}
	pixman_image_unref(image);
	/* Gamma applies to everything scanned out, the cursor included, as a CRTC's LUT does. */
	for (int32_t y = 0; y < h; y++) {
		uint32_t *row = (uint32_t *)((uint8_t *)dst + (size_t)y * (size_t)stride);
		for (int32_t x = 0; x < w; x++) {
			uint32_t p = row[x];
			if (vo->gamma_set) {
				uint32_t r = vo->gamma[(p >> 16) & 0xff] >> 8;
				uint32_t g = vo->gamma[VB_GAMMA_SIZE + ((p >> 8) & 0xff)] >> 8;
				uint32_t b = vo->gamma[2 * VB_GAMMA_SIZE + (p & 0xff)] >> 8;
				p = (r << 16) | (g << 8) | b;
			}
			row[x] = p | 0xff000000u;
		}
	}
	return true;
}

static void vb_output_free(struct vb_output *vo) {
	if (vo->frame) {
		ds_buffer_unlock(vo->frame);
	}
	if (vo->timer) {
		wl_event_source_remove(vo->timer);
	}
	if (vo->timer_fd >= 0) {
		close(vo->timer_fd);
	}
	if (vo->screen) {
		pixman_image_unref(vo->screen);
	}
	if (vo->cursor) {
		pixman_image_unref(vo->cursor);
	}
	pixman_region32_fini(&vo->frame_damage);
	wl_list_remove(&vo->link);
	free(vo);
}

static bool vb_remove(struct ds_output *output) {
	struct vb_output *vo = vb_output_from(output);
	/* The core discards the frame in flight; ours is not reported again. */
	ds_output_remove(output);
	vb_output_free(vo);
	return true;
}

static void vb_output_destroy(struct ds_output *output) {
	vb_remove(output);
}

static const struct ds_output_impl vb_output_impl = {
	.configure = vb_configure,
	.commit = vb_commit,
	.set_cursor = vb_set_cursor,
	.move_cursor = vb_move_cursor,
	.set_gamma = vb_set_gamma,
	.set_power = vb_set_power,
	.capture = vb_capture,
	.remove = vb_remove,
	.destroy = vb_output_destroy,
};

static void add_mode(struct vb_output *vo, int32_t width, int32_t height, int32_t refresh,
		bool preferred) {
	if (vo->base.n_modes >= VB_MAX_MODES) {
		return;
	}
	for (size_t i = 0; i < vo->base.n_modes; i++) {
		if (vo->modes[i].width == width && vo->modes[i].height == height &&
				vo->modes[i].refresh == refresh) {
			return;
		}
	}
	vo->modes[vo->base.n_modes++] = (struct ds_mode){width, height, refresh, preferred};
}

static struct ds_output *vb_add_output(struct ds_backend *backend, int32_t width,
		int32_t height, int32_t refresh) {
	struct vb_backend *vb = (struct vb_backend *)backend;
	if (width <= 0 || height <= 0 || width > 16384 || height > 16384 || refresh <= 0) {
		return NULL;
	}
	struct vb_output *vo = calloc(1, sizeof(*vo));
	if (!vo) {
		return NULL;
	}
	wl_list_init(&vo->link);
	pixman_region32_init(&vo->frame_damage);
	vo->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	vo->screen = pixman_image_create_bits(PIXMAN_x8r8g8b8, width, height, NULL, 0);
	if (vo->timer_fd < 0 || !vo->screen) {
		lumen_log(LUMEN_ERROR, "cannot create a %dx%d virtual output", width, height);
		vb_output_free(vo);
		return NULL;
	}
	vo->timer = wl_event_loop_add_fd(backend->loop, vo->timer_fd, WL_EVENT_READABLE,
		handle_vblank, vo);
	if (!vo->timer) {
		vb_output_free(vo);
		return NULL;
	}
	vo->backend = vb;
	struct ds_output *output = &vo->base;
	output->impl = &vb_output_impl;
	output->backend = backend;
	int index = vb->next_index++;
	snprintf(output->name, sizeof(output->name), "display:virtual/%d", index);
	snprintf(output->make, sizeof(output->make), "Lumen");
	snprintf(output->model, sizeof(output->model), "virtual");
	snprintf(output->serial, sizeof(output->serial), "%d", index);
	/* as if at 96 dpi */
	output->phys_width_mm = (int32_t)((int64_t)width * 254 / 960);
	output->phys_height_mm = (int32_t)((int64_t)height * 254 / 960);
	add_mode(vo, width, height, refresh, true);
	static const int32_t common[][2] = {{3840, 2160}, {2560, 1440}, {1920, 1200},
		{1920, 1080}, {1600, 900}, {1280, 1024}, {1280, 720}, {1024, 768}, {800, 600},
		{640, 480}};
	for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++) {
		if (common[i][0] <= width && common[i][1] <= height) {
			add_mode(vo, common[i][0], common[i][1], refresh, false);
		}
	}
	add_mode(vo, width, height, 30000, false);
	output->modes = vo->modes;
	output->current = vo->modes[0];
	output->current.preferred = false;
	output->enabled = true;
	output->power_on = true;
	output->gamma_size = VB_GAMMA_SIZE;
	output->cursor_width = VB_CURSOR_SIZE;
	output->cursor_height = VB_CURSOR_SIZE;
	output->formats = vb_formats;
	output->modifiers = vb_modifiers;
	output->n_formats = sizeof(vb_formats) / sizeof(vb_formats[0]);
	clock_reset(vo, 0);
	clock_gettime(CLOCK_MONOTONIC, &vo->latched);
	wl_list_insert(vb->outputs.prev, &vo->link);
	ds_output_add(backend->server, output);
	return output;
}

static void vb_destroy(struct ds_backend *backend) {
	struct vb_backend *vb = (struct vb_backend *)backend;
	struct vb_output *vo, *tmp;
	wl_list_for_each_safe (vo, tmp, &vb->outputs, link) {
		vb_remove(&vo->base);
	}
	free(vb);
}

static const struct ds_backend_impl vb_impl = {
	.destroy = vb_destroy,
	.add_output = vb_add_output,
	.render_node_fd = -1,
	.import_dmabuf = NULL, // no GPU: the client gets unsupported
};

struct ds_backend *ds_virtual_backend_create(struct ds_server *server, struct wl_event_loop *loop) {
	struct vb_backend *vb = calloc(1, sizeof(*vb));
	if (!vb) {
		return NULL;
	}
	vb->base.impl = &vb_impl;
	vb->base.server = server;
	vb->base.loop = loop;
	wl_list_init(&vb->outputs);
	return &vb->base;
}
