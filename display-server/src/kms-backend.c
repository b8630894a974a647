/*
 * The kms backend: displayd drives a DRM card itself (libdrm).
 *
 * - Master: through the seat (kms-seat.h: libseat where a seat daemon runs, else
 *   directly as root); a VT switch with a seat daemon stops and restores us.
 * - Atomic modesetting where the driver has it; legacy (SetCrtc, PageFlip, SetCursor,
 *   CrtcSetGamma, DPMS) where not, or when LUMEN_KMS_LEGACY=1 asks for it.
 * - One output per connected connector with a CRTC, named
 *   "display:kms.card0/Virtual-1"; hotplug through kms-udev.h.
 * - shm frames: two scanout buffers per output (kms-buffer.c: GBM through gpu/ with
 *   the modifier the primary plane and our copy agree on, else dumb buffers). Each
 *   remembers where it differs from the latest picture (its "stale" region); a frame
 *   copies that region plus the frame's damage from the shm buffer into the back
 *   buffer, so a steady stream of small changes copies little. The copied region goes
 *   to the kernel as FB_DAMAGE_CLIPS (atomic) or DirtyFB (legacy).
 * - dmabuf frames: a framebuffer made through gpu/ when the buffer is created (GBM
 *   import, or PRIME without GBM); scanned out as they are, and locked until the next
 *   flip replaces them.
 * - Card probing (planes, CRTCs, connectors, EDID, hotplug rescans): kms-probe.c;
 *   the structs all three share: kms.h.
 * - Frames end in the page-flip event (drmHandleEvent on the card's fd in the loop):
 *   ds_output_frame_done with the kernel's timestamp and sequence.
 * - The screen is left as it is found (e.g. the console's framebuffer) until the
 *   first frame or configure.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>
#include "common/log.h"
#if HAVE_GPU
#include "gpu/device.h"
#endif
#include "backend.h"
#include "kms-seat.h"
#include "kms-udev.h"
#include "kms.h"

static struct kms_connector *conn_from(struct ds_output *output) {
	return (struct kms_connector *)output;
}

/* ---- properties ---- */

/* ---- dumb buffers ---- */

/* ---- modes and names ---- */

/* ---- page flips ---- */

static uint32_t current_fb(struct kms_connector *conn) {
	if (conn->front >= 0) {
		return conn->dumb[conn->front].fb_id;
	}
	if (conn->front_buffer && conn->front_buffer->backend_data) {
		return *(uint32_t *)conn->front_buffer->backend_data;
	}
	return 0;
}

static void atomic_add(drmModeAtomicReq *req, uint32_t obj, uint32_t prop, uint64_t value,
		bool *ok) {
	if (!prop) {
		return; // a property the driver lacks (e.g. FB_DAMAGE_CLIPS)
	}
	if (drmModeAtomicAddProperty(req, obj, prop, value) < 0) {
		*ok = false;
	}
}

static bool ensure_mode_blob(struct kms_connector *conn) {
	if (conn->mode_blob) {
		return true;
	}
	if (drmModeCreatePropertyBlob(conn->kms->fd, &conn->mode, sizeof(conn->mode),
			&conn->mode_blob) < 0) {
		lumen_log_errno(LUMEN_ERROR, "%s: cannot create a mode blob", conn->name);
		conn->mode_blob = 0;
		return false;
	}
	return true;
}

/*
 * One atomic commit of this connector's whole state: connector → CRTC, the mode, the
 * primary plane showing fb (0: leave the plane alone), the cursor plane and gamma.
 * The kernel works out what changed. clips: the damage of fb (NULL: all of it).
 */
static int atomic_commit(struct kms_connector *conn, uint32_t fb, const pixman_region32_t *clips,
		bool active, uint32_t flags) {
	struct kms_backend *kms = conn->kms;
	struct kms_crtc *crtc = conn->crtc;
	if (!ensure_mode_blob(conn)) {
		return -ENOMEM;
	}
	drmModeAtomicReq *req = drmModeAtomicAlloc();
	if (!req) {
		return -ENOMEM;
	}
	bool ok = true;
	uint32_t damage_blob = 0;
	atomic_add(req, conn->id, conn->props.crtc_id, crtc->id, &ok);
	atomic_add(req, crtc->id, crtc->props.mode_id, conn->mode_blob, &ok);
	atomic_add(req, crtc->id, crtc->props.active, active ? 1 : 0, &ok);
	if (crtc->props.gamma_lut && conn->output.gamma_size > 0) {
		atomic_add(req, crtc->id, crtc->props.gamma_lut, conn->gamma_blob, &ok);
	}
	struct kms_plane *p = crtc->primary;
	if (p && fb) {
		uint64_t w = (uint64_t)conn->mode.hdisplay, h = (uint64_t)conn->mode.vdisplay;
		atomic_add(req, p->id, p->props.fb_id, fb, &ok);
		atomic_add(req, p->id, p->props.crtc_id, crtc->id, &ok);
		atomic_add(req, p->id, p->props.src_x, 0, &ok);
		atomic_add(req, p->id, p->props.src_y, 0, &ok);
		atomic_add(req, p->id, p->props.src_w, w << 16, &ok);
		atomic_add(req, p->id, p->props.src_h, h << 16, &ok);
		atomic_add(req, p->id, p->props.crtc_x, 0, &ok);
		atomic_add(req, p->id, p->props.crtc_y, 0, &ok);
		atomic_add(req, p->id, p->props.crtc_w, w, &ok);
		atomic_add(req, p->id, p->props.crtc_h, h, &ok);
		if (clips && p->props.fb_damage_clips) {
			int n = 0;
			const pixman_box32_t *boxes = pixman_region32_rectangles(clips, &n);
			if (n > 0) {
				struct drm_mode_rect *rects = calloc((size_t)n, sizeof(*rects));
				if (rects) {
					for (int i = 0; i < n; i++) {
						rects[i] = (struct drm_mode_rect){boxes[i].x1, boxes[i].y1, boxes[i].x2,
							boxes[i].y2};
					}
					if (drmModeCreatePropertyBlob(kms->fd, rects, sizeof(*rects) * (size_t)n,
							&damage_blob) < 0) {
						damage_blob = 0;
					}
					free(rects);
				}
				/* Without clips the driver updates all of the plane, which is right. */
				if (damage_blob) {
					atomic_add(req, p->id, p->props.fb_damage_clips, damage_blob, &ok);
				}
			}
		}
	}
	struct kms_plane *c = crtc->cursor;
	if (c && (fb || conn->shown_ours)) {
		if (conn->cursor_visible) {
			struct kms_dumb *d = &conn->cursor[conn->cursor_cur];
			atomic_add(req, c->id, c->props.fb_id, d->fb_id, &ok);
			atomic_add(req, c->id, c->props.crtc_id, crtc->id, &ok);
			atomic_add(req, c->id, c->props.src_x, 0, &ok);
			atomic_add(req, c->id, c->props.src_y, 0, &ok);
			atomic_add(req, c->id, c->props.src_w, (uint64_t)d->width << 16, &ok);
			atomic_add(req, c->id, c->props.src_h, (uint64_t)d->height << 16, &ok);
			atomic_add(req, c->id, c->props.crtc_x,
				(uint64_t)(int64_t)(conn->cursor_x - conn->hot_x), &ok);
			atomic_add(req, c->id, c->props.crtc_y,
				(uint64_t)(int64_t)(conn->cursor_y - conn->hot_y), &ok);
			atomic_add(req, c->id, c->props.crtc_w, (uint64_t)d->width, &ok);
			atomic_add(req, c->id, c->props.crtc_h, (uint64_t)d->height, &ok);
		} else {
			atomic_add(req, c->id, c->props.fb_id, 0, &ok);
			atomic_add(req, c->id, c->props.crtc_id, 0, &ok);
		}
	}
	int ret = -EINVAL;
	if (ok) {
		ret = drmModeAtomicCommit(kms->fd, req, flags, kms);
		if (ret < 0) {
			ret = -errno;
		}
	}
	drmModeAtomicFree(req);
	if (damage_blob) {
		drmModeDestroyPropertyBlob(kms->fd, damage_blob);
	}
	if (ret == 0) {
		conn->state_dirty = false;
	}
	return ret;
}

/* Shows fb at the next vblank with an event; false if the kernel refused. */
static bool submit_flip(struct kms_connector *conn, uint32_t fb, const pixman_region32_t *clips) {
	struct kms_backend *kms = conn->kms;
	int ret;
	if (kms->atomic) {
		uint32_t flags = DRM_MODE_PAGE_FLIP_EVENT | DRM_MODE_ATOMIC_NONBLOCK;
		if (conn->needs_modeset) {
			flags |= DRM_MODE_ATOMIC_ALLOW_MODESET;
		}
		ret = atomic_commit(conn, fb, clips, conn->output.power_on, flags);
	} else {
		if (clips) {
			int n = 0;
			const pixman_box32_t *boxes = pixman_region32_rectangles(clips, &n);
			drmModeClip *rects = n > 0 ? calloc((size_t)n, sizeof(*rects)) : NULL;
			if (rects) {
				for (int i = 0; i < n; i++) {
					rects[i] = (drmModeClip){(uint16_t)boxes[i].x1, (uint16_t)boxes[i].y1,
						(uint16_t)boxes[i].x2, (uint16_t)boxes[i].y2};
				}
				/* Drivers that upload dumb buffers (virtio-gpu, udl) want to be told;
				 * the rest say ENOSYS. */
				drmModeDirtyFB(kms->fd, fb, rects, (uint32_t)n);
				free(rects);
			}
		}
		ret = 0;
		if (conn->needs_modeset) {
			ret = drmModeSetCrtc(kms->fd, conn->crtc->id, fb, 0, 0, &conn->id, 1, &conn->mode);
			ret = ret < 0 ? -errno : 0;
		}
		if (ret == 0) {
			ret = drmModePageFlip(kms->fd, conn->crtc->id, fb, DRM_MODE_PAGE_FLIP_EVENT, kms);
			ret = ret < 0 ? -errno : 0;
		}
	}
	if (ret < 0) {
		lumen_log(LUMEN_ERROR, "%s: page flip failed: %s", conn->output.name, strerror(-ret));
		return false;
	}
	conn->needs_modeset = false;
	conn->flip_pending = true;
	return true;
}

/* A cursor or gamma change with no frame to carry it (atomic only). */
static void flush_state(struct kms_connector *conn) {
	if (!conn->kms->atomic || !conn->state_dirty || conn->flip_pending || conn->holding ||
			!conn->shown_ours || !conn->output.enabled || !conn->output.power_on ||
			!ds_seat_is_active(conn->kms->seat)) {
		return;
	}
	if (!current_fb(conn)) {
		return;
	}
	/* The primary plane stays out of the commit: a plane in it would be uploaded
	 * again in full by drivers that copy dumb buffers (virtio-gpu). */
	int ret = atomic_commit(conn, 0, NULL, conn->output.power_on,
		DRM_MODE_PAGE_FLIP_EVENT | DRM_MODE_ATOMIC_NONBLOCK);
	if (ret < 0) {
		lumen_log(LUMEN_WARN, "%s: cursor/gamma update failed: %s", conn->output.name,
			strerror(-ret));
		return;
	}
	conn->flip_pending = true;
	conn->flip_has_frame = false;
	conn->flip_dumb = conn->front;
	conn->flip_buffer = conn->front_buffer;
	if (conn->flip_buffer) {
		ds_buffer_lock(conn->flip_buffer);
	}
}

static struct timespec kernel_time(struct kms_backend *kms, unsigned sec, unsigned usec) {
	struct timespec t = {.tv_sec = (time_t)sec, .tv_nsec = (long)usec * 1000};
	if (!kms->monotonic) {
		/* CLOCK_REALTIME from an old kernel: move it onto the monotonic clock. */
		struct timespec mono, real;
		clock_gettime(CLOCK_MONOTONIC, &mono);
		clock_gettime(CLOCK_REALTIME, &real);
		int64_t ns = (int64_t)t.tv_sec * 1000000000 + t.tv_nsec -
			((int64_t)real.tv_sec * 1000000000 + real.tv_nsec) +
			((int64_t)mono.tv_sec * 1000000000 + mono.tv_nsec);
		t.tv_sec = (time_t)(ns / 1000000000);
		t.tv_nsec = (long)(ns % 1000000000);
	}
	return t;
}

static void submit_deferred(struct kms_connector *conn);

static struct kms_connector *connector_by_crtc(struct kms_backend *kms, uint32_t crtc_id) {
	struct kms_connector *conn;
	wl_list_for_each (conn, &kms->connectors, link) {
		if (conn->flip_pending && (conn->crtc->id == crtc_id || crtc_id == 0)) {
			return conn;
		}
	}
	return NULL;
}

/* data is the backend (it outlives the fd's events); the connector is found by its
 * CRTC, since it may have gone while the flip was in flight. */
static void handle_page_flip(int fd, unsigned seq32, unsigned sec, unsigned usec,
		unsigned crtc_id, void *data) {
	struct kms_connector *conn = connector_by_crtc(data, crtc_id);
	if (!conn) {
		return;
	}
	conn->flip_pending = false;
	struct timespec when = kernel_time(conn->kms, sec, usec);
	/* 64-bit and strictly increasing, also on drivers whose counter stands still
	 * (no vblank interrupt, e.g. virtio-gpu). */
	uint64_t seq = (conn->seq & ~(uint64_t)0xffffffff) | seq32;
	if (seq32 < conn->last_seq32) {
		seq += (uint64_t)1 << 32;
	}
	conn->last_seq32 = seq32;
	if (seq <= conn->seq) {
		seq = conn->seq + 1;
	}
	conn->seq = seq;

	/* What is on screen now. */
	if (conn->flip_buffer != conn->front_buffer) {
		ds_buffer_unlock(conn->front_buffer);
		conn->front_buffer = conn->flip_buffer;
	} else {
		ds_buffer_unlock(conn->flip_buffer);
	}
	conn->flip_buffer = NULL;
	conn->front = conn->flip_dumb;
	conn->shown_ours = true;
	bool had_frame = conn->flip_has_frame;
	conn->flip_has_frame = false;
	if (had_frame) {
		conn->latched = when;
	}
	uint32_t flags = conn->flip_flags;

	if (conn->deferred) {
		submit_deferred(conn);
	}
	if (had_frame) {
		/* The core may hand us its next frame from in here. */
		ds_output_frame_done(&conn->output, true, &when, seq, flags);
	} else {
		flush_state(conn);
	}
}

static int handle_drm_readable(int fd, uint32_t mask, void *data) {
	drmEventContext ctx = {
		.version = 3,
		.page_flip_handler2 = handle_page_flip,
	};
	if (drmHandleEvent(fd, &ctx) != 0) {
		lumen_log_errno(LUMEN_WARN, "drmHandleEvent");
	}
	return 0;
}

/* Waits (at most a second) for the flip in flight to end, e.g. before a modeset.
 * Frames the core sends meanwhile are refused (discarded). */
void kms_wait_flip(struct kms_connector *conn) {
	conn->holding = true;
	if (conn->deferred) {
		/* Accepted but not yet submitted: it never reaches the screen. */
		conn->deferred = false;
		ds_buffer_unlock(conn->deferred_buffer);
		conn->deferred_buffer = NULL;
		ds_output_frame_done(&conn->output, false, NULL, 0, 0);
	}
	for (int i = 0; i < 10 && conn->flip_pending; i++) {
		struct pollfd pfd = {.fd = conn->kms->fd, .events = POLLIN};
		if (poll(&pfd, 1, 100) > 0) {
			handle_drm_readable(conn->kms->fd, 0, conn->kms);
		}
	}
	if (conn->flip_pending) {
		lumen_log(LUMEN_WARN, "%s: the flip in flight never ended", conn->output.name);
		conn->flip_pending = false;
		ds_buffer_unlock(conn->flip_buffer);
		conn->flip_buffer = NULL;
		if (conn->flip_has_frame) {
			conn->flip_has_frame = false;
			ds_output_frame_done(&conn->output, false, NULL, 0, 0);
		}
	}
	conn->holding = false;
}

/* ---- frames ---- */

static void submit_deferred(struct kms_connector *conn) {
	conn->deferred = false;
	bool ok = submit_flip(conn, conn->deferred_fb,
		conn->deferred_dumb >= 0 ? &conn->deferred_clips : NULL);
	struct ds_buffer *buffer = conn->deferred_buffer;
	conn->deferred_buffer = NULL;
	if (!ok) {
		ds_buffer_unlock(buffer);
		/* Accepted earlier: it ends here, as a frame that never made it. */
		ds_output_frame_done(&conn->output, false, NULL, 0, 0);
		return;
	}
	conn->flip_has_frame = true;
	conn->flip_dumb = conn->deferred_dumb;
	conn->flip_buffer = buffer;
}

/* Copies what the back buffer lacks of buffer's picture; clips gets the region. */
static bool copy_shm(struct kms_connector *conn, struct kms_dumb *back, struct kms_dumb *other,
		struct ds_buffer *buffer, const pixman_region32_t *damage, pixman_region32_t *clips) {
	pixman_format_code_t format;
	if (!kms_pixman_format(buffer->format, &format)) {
		lumen_log(LUMEN_WARN, "%s: shm format 0x%08x cannot be shown", conn->output.name,
			buffer->format);
		return false;
	}
	pixman_region32_union(clips, &back->stale, damage);
	pixman_region32_intersect_rect(clips, clips, 0, 0, (unsigned)back->width,
		(unsigned)back->height);
	if (!pixman_region32_not_empty(clips)) {
		pixman_region32_union(&other->stale, &other->stale, damage);
		return true;
	}
	/* The rectangle around the copy, mapped once (a GBM buffer is written there). */
	const pixman_box32_t *ext = pixman_region32_extents(clips);
	void *map_data = NULL;
	pixman_image_t *src = pixman_image_create_bits(format, buffer->width, buffer->height,
		buffer->data, buffer->stride);
	pixman_image_t *dst = kms_dumb_map(back, ext->x1, ext->y1, ext->x2 - ext->x1,
		ext->y2 - ext->y1, true, PIXMAN_x8r8g8b8, &map_data);
	if (!src || !dst) {
		if (src) {
			pixman_image_unref(src);
		}
		kms_dumb_unmap(back, dst, map_data);
		lumen_log(LUMEN_ERROR, "%s: cannot write into a scanout buffer", conn->output.name);
		return false;
	}
	int n = 0;
	const pixman_box32_t *boxes = pixman_region32_rectangles(clips, &n);
	for (int i = 0; i < n; i++) {
		int32_t w = boxes[i].x2 - boxes[i].x1, h = boxes[i].y2 - boxes[i].y1;
		pixman_image_composite32(PIXMAN_OP_SRC, src, NULL, dst, boxes[i].x1, boxes[i].y1, 0, 0,
			boxes[i].x1 - ext->x1, boxes[i].y1 - ext->y1, w, h);
		conn->output.bytes_copied += (uint64_t)w * (uint64_t)h * 4;
	}
	pixman_image_unref(src);
	kms_dumb_unmap(back, dst, map_data);
	pixman_region32_clear(&back->stale);
	pixman_region32_union(&other->stale, &other->stale, damage);
	return true;
}

static bool kms_commit(struct ds_output *output, struct ds_buffer *buffer,
		const pixman_region32_t *damage) {
	struct kms_connector *conn = conn_from(output);
	struct kms_backend *kms = conn->kms;
	if (conn->holding || conn->deferred || !ds_seat_is_active(kms->seat) || !output->enabled ||
			!output->power_on || buffer->width != conn->mode.hdisplay ||
			buffer->height != conn->mode.vdisplay) {
		return false;
	}
	uint32_t fb;
	int dumb_index = -1;
	uint32_t flags = DS_PRESENT_VSYNC | DS_PRESENT_HW_COMPLETION;
	if (kms->monotonic) {
		flags |= DS_PRESENT_HW_CLOCK;
	}
	pixman_region32_t clips;
	pixman_region32_init(&clips);
	if (buffer->type == DS_BUFFER_SHM) {
		if (!conn->dumb[0].fb_id && !kms_alloc_scanout(conn)) {
			pixman_region32_fini(&clips);
			return false;
		}
		dumb_index = conn->front == 0 ? 1 : 0;
		struct kms_dumb *back = &conn->dumb[dumb_index];
		if (!back->fb_id ||
				!copy_shm(conn, back, &conn->dumb[1 - dumb_index], buffer, damage, &clips)) {
			pixman_region32_fini(&clips);
			return false;
		}
		fb = back->fb_id;
	} else {
		if (!buffer->backend_data) {
			pixman_region32_fini(&clips);
			return false;
		}
		fb = ((struct kms_fb *)buffer->backend_data)->fb_id;
		flags |= DS_PRESENT_ZERO_COPY;
		/* The dumb buffers miss whatever the dmabuf showed. */
		for (int i = 0; i < 2; i++) {
			pixman_region32_fini(&conn->dumb[i].stale);
			pixman_region32_init_rect(&conn->dumb[i].stale, 0, 0,
				(unsigned)conn->dumb[i].width, (unsigned)conn->dumb[i].height);
		}
		ds_buffer_lock(buffer);
	}
	kms_log_frames_path(conn, buffer);
	struct ds_buffer *locked = buffer->type == DS_BUFFER_DMABUF ? buffer : NULL;
	if (conn->flip_pending) {
		/* A cursor-only flip is in flight: this frame follows it. */
		conn->deferred = true;
		conn->deferred_fb = fb;
		conn->deferred_dumb = dumb_index;
		conn->deferred_buffer = locked;
		pixman_region32_copy(&conn->deferred_clips, &clips);
		conn->flip_flags = flags;
		pixman_region32_fini(&clips);
		return true;
	}
	bool ok = submit_flip(conn, fb, dumb_index >= 0 ? &clips : NULL);
	pixman_region32_fini(&clips);
	if (!ok) {
		ds_buffer_unlock(locked);
		return false;
	}
	conn->flip_has_frame = true;
	conn->flip_dumb = dumb_index;
	conn->flip_buffer = locked;
	conn->flip_flags = flags;
	return true;
}

/* ---- modesetting ---- */

static const drmModeModeInfo *find_drm_mode(struct kms_connector *conn, const struct ds_mode *mode) {
	for (size_t i = 0; i < conn->n_modes; i++) {
		if (conn->modes[i].width == mode->width && conn->modes[i].height == mode->height &&
				(mode->refresh == 0 || conn->modes[i].refresh == mode->refresh)) {
			return &conn->drm_modes[i];
		}
	}
	return NULL;
}

static void set_mode(struct kms_connector *conn, const drmModeModeInfo *mode) {
	if (conn->mode_blob) {
		drmModeDestroyPropertyBlob(conn->kms->fd, conn->mode_blob);
		conn->mode_blob = 0;
	}
	conn->mode = *mode;
}

static void disable_crtc(struct kms_connector *conn) {
	struct kms_backend *kms = conn->kms;
	int ret;
	if (kms->atomic) {
		drmModeAtomicReq *req = drmModeAtomicAlloc();
		if (!req) {
			return;
		}
		bool ok = true;
		struct kms_crtc *crtc = conn->crtc;
		atomic_add(req, conn->id, conn->props.crtc_id, 0, &ok);
		atomic_add(req, crtc->id, crtc->props.mode_id, 0, &ok);
		atomic_add(req, crtc->id, crtc->props.active, 0, &ok);
		for (int i = 0; i < 2; i++) {
			struct kms_plane *p = i == 0 ? crtc->primary : crtc->cursor;
			if (p) {
				atomic_add(req, p->id, p->props.fb_id, 0, &ok);
				atomic_add(req, p->id, p->props.crtc_id, 0, &ok);
			}
		}
		ret = ok ? drmModeAtomicCommit(kms->fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, kms) : -1;
		drmModeAtomicFree(req);
	} else {
		ret = drmModeSetCrtc(kms->fd, conn->crtc->id, 0, 0, 0, NULL, 0, NULL);
	}
	if (ret < 0) {
		lumen_log_errno(LUMEN_WARN, "%s: cannot switch off", conn->output.name);
	}
}

static void drop_front_buffer(struct kms_connector *conn) {
	ds_buffer_unlock(conn->front_buffer);
	conn->front_buffer = NULL;
}

static void legacy_restore_cursor(struct kms_connector *conn);

/* Lights the connector with mode, showing the (black) new scanout buffer 0. */
static bool modeset(struct kms_connector *conn, const drmModeModeInfo *mode) {
	struct kms_backend *kms = conn->kms;
	struct kms_dumb fresh[2];
	if (!kms_scanout_create(conn, fresh, mode->hdisplay, mode->vdisplay)) {
		return false;
	}
	drmModeModeInfo old_mode = conn->mode;
	set_mode(conn, mode);
	int ret;
	if (kms->atomic) {
		ret = atomic_commit(conn, fresh[0].fb_id, NULL, conn->output.power_on,
			DRM_MODE_ATOMIC_ALLOW_MODESET);
	} else {
		ret = drmModeSetCrtc(kms->fd, conn->crtc->id, fresh[0].fb_id, 0, 0, &conn->id, 1,
			&conn->mode);
		ret = ret < 0 ? -errno : 0;
	}
	if (ret < 0) {
		lumen_log(LUMEN_ERROR, "%s: modeset to %dx%d failed: %s", conn->output.name,
			mode->hdisplay, mode->vdisplay, strerror(-ret));
		set_mode(conn, &old_mode);
		kms_dumb_finish(kms, &fresh[0]);
		kms_dumb_finish(kms, &fresh[1]);
		return false;
	}
	/* The old buffers are off screen now: removing their framebuffers is safe. */
	for (int i = 0; i < 2; i++) {
		kms_dumb_finish(kms, &conn->dumb[i]);
		/* A one-rectangle region holds no pointers: moving the struct is fine. */
		conn->dumb[i] = fresh[i];
	}
	conn->front = 0;
	drop_front_buffer(conn);
	conn->shown_ours = true;
	conn->needs_modeset = false;
	clock_gettime(CLOCK_MONOTONIC, &conn->latched);
	if (!kms->atomic) {
		legacy_restore_cursor(conn);
	}
	lumen_log(LUMEN_INFO, "%s: mode %dx%d@%d.%03d Hz", conn->output.name, mode->hdisplay,
		mode->vdisplay, kms_mode_refresh_mhz(mode) / 1000, kms_mode_refresh_mhz(mode) % 1000);
	return true;
}

static bool kms_configure(struct ds_output *output, const struct ds_mode *mode, bool enabled,
		bool test_only, const char **reason) {
	struct kms_connector *conn = conn_from(output);
	if (!ds_seat_is_active(conn->kms->seat)) {
		*reason = "the session is not active (VT switched away)";
		return false;
	}
	const drmModeModeInfo *drm_mode = find_drm_mode(conn, mode);
	if (enabled && !drm_mode) {
		*reason = "the connector has no such mode";
		return false;
	}
	if (test_only) {
		return true;
	}
	if (!enabled) {
		if (output->enabled) {
			kms_wait_flip(conn);
			disable_crtc(conn);
			drop_front_buffer(conn);
			conn->front = -1;
			conn->needs_modeset = true;
		}
		return true;
	}
	if (output->enabled && memcmp(drm_mode, &conn->mode, sizeof(*drm_mode)) == 0) {
		/* Already showing it: nothing to do, and nothing blanked (what we found at
		 * start stays until the first commit). */
		return true;
	}
	kms_wait_flip(conn);
	if (!modeset(conn, drm_mode)) {
		*reason = "the driver refused the mode";
		return false;
	}
	return true;
}

/* ---- cursor, gamma, power ---- */

static void legacy_restore_cursor(struct kms_connector *conn) {
	struct kms_backend *kms = conn->kms;
	if (!conn->cursor_visible) {
		drmModeSetCursor(kms->fd, conn->crtc->id, 0, 0, 0);
		return;
	}
	struct kms_dumb *d = &conn->cursor[conn->cursor_cur];
	if (drmModeSetCursor2(kms->fd, conn->crtc->id, d->handle, (uint32_t)d->width,
			(uint32_t)d->height, conn->hot_x, conn->hot_y) < 0 &&
			drmModeSetCursor(kms->fd, conn->crtc->id, d->handle, (uint32_t)d->width,
				(uint32_t)d->height) < 0) {
		lumen_log_errno(LUMEN_WARN, "%s: SetCursor", conn->output.name);
	}
	drmModeMoveCursor(kms->fd, conn->crtc->id, conn->cursor_x - conn->hot_x,
		conn->cursor_y - conn->hot_y);
}

static bool kms_set_cursor(struct ds_output *output, struct ds_buffer *buffer, int32_t hot_x,
		int32_t hot_y) {
	struct kms_connector *conn = conn_from(output);
	struct kms_backend *kms = conn->kms;
	if (!buffer) {
		conn->cursor_visible = false;
	} else {
		if (buffer->type != DS_BUFFER_SHM || buffer->width > output->cursor_width ||
				buffer->height > output->cursor_height) {
			return false;
		}
		int next = conn->cursor[conn->cursor_cur].fb_id ? 1 - conn->cursor_cur : 0;
		struct kms_dumb *d = &conn->cursor[next];
		if (!d->fb_id && !kms_dumb_create(kms, d, output->cursor_width, output->cursor_height,
								 DRM_FORMAT_ARGB8888)) {
			return false;
		}
		pixman_format_code_t format =
			buffer->format == DRM_FORMAT_XRGB8888 ? PIXMAN_x8r8g8b8 : PIXMAN_a8r8g8b8;
		pixman_image_t *src = pixman_image_create_bits(format, buffer->width, buffer->height,
			buffer->data, buffer->stride);
		pixman_image_t *dst = pixman_image_create_bits(PIXMAN_a8r8g8b8, d->width, d->height,
			d->map, (int)d->pitch); // a dumb buffer: mapped
		pixman_image_t *copy =
			pixman_image_create_bits(PIXMAN_a8r8g8b8, buffer->width, buffer->height, NULL, 0);
		if (!src || !dst || !copy) {
			if (src) {
				pixman_image_unref(src);
			}
			if (dst) {
				pixman_image_unref(dst);
			}
			if (copy) {
				pixman_image_unref(copy);
			}
			return false;
		}
		memset(d->map, 0, d->size);
		pixman_image_composite32(PIXMAN_OP_SRC, src, NULL, dst, 0, 0, 0, 0, 0, 0, buffer->width,
			buffer->height);
		pixman_image_composite32(PIXMAN_OP_SRC, src, NULL, copy, 0, 0, 0, 0, 0, 0,
			buffer->width, buffer->height);
		pixman_image_unref(src);
		pixman_image_unref(dst);
		if (conn->cursor_image) {
			pixman_image_unref(conn->cursor_image);
		}
		conn->cursor_image = copy;
		conn->cursor_cur = next;
		conn->cursor_visible = true;
		conn->hot_x = hot_x;
		conn->hot_y = hot_y;
	}
	if (kms->atomic) {
		conn->state_dirty = true;
		flush_state(conn);
	} else if (ds_seat_is_active(kms->seat) && output->enabled) {
		legacy_restore_cursor(conn);
	}
	return true;
}

static void kms_move_cursor(struct ds_output *output, int32_t x, int32_t y) {
	struct kms_connector *conn = conn_from(output);
	conn->cursor_x = x;
	conn->cursor_y = y;
	if (conn->kms->atomic) {
		conn->state_dirty = true;
		flush_state(conn);
	} else if (conn->cursor_visible && ds_seat_is_active(conn->kms->seat) && output->enabled) {
		drmModeMoveCursor(conn->kms->fd, conn->crtc->id, x - conn->hot_x, y - conn->hot_y);
	}
}

static bool kms_set_gamma(struct ds_output *output, const uint16_t *ramps) {
	struct kms_connector *conn = conn_from(output);
	struct kms_backend *kms = conn->kms;
	uint32_t size = output->gamma_size;
	if (size == 0) {
		return false;
	}
	uint16_t *copy = NULL;
	if (ramps) {
		copy = calloc(3 * (size_t)size, sizeof(*copy));
		if (!copy) {
			return false;
		}
		memcpy(copy, ramps, 3 * (size_t)size * sizeof(*copy));
	}
	if (kms->atomic) {
		uint32_t blob = 0;
		if (copy) {
			struct drm_color_lut *lut = calloc(size, sizeof(*lut));
			if (!lut) {
				free(copy);
				return false;
			}
			for (uint32_t i = 0; i < size; i++) {
				lut[i] = (struct drm_color_lut){copy[i], copy[size + i], copy[2 * size + i], 0};
			}
			int ret = drmModeCreatePropertyBlob(kms->fd, lut, sizeof(*lut) * size, &blob);
			free(lut);
			if (ret < 0) {
				free(copy);
				return false;
			}
		}
		if (conn->gamma_blob) {
			drmModeDestroyPropertyBlob(kms->fd, conn->gamma_blob);
		}
		conn->gamma_blob = blob;
		conn->state_dirty = true;
	} else {
		uint16_t *ramp = copy;
		uint16_t *linear = NULL;
		if (!ramp) {
			linear = calloc(3 * (size_t)size, sizeof(*linear));
			if (!linear) {
				return false;
			}
			for (uint32_t i = 0; i < size; i++) {
				uint16_t v = (uint16_t)(size > 1 ? (uint32_t)i * 0xffff / (size - 1) : 0xffff);
				linear[i] = linear[size + i] = linear[2 * size + i] = v;
			}
			ramp = linear;
		}
		int ret = drmModeCrtcSetGamma(kms->fd, conn->crtc->id, size, ramp, ramp + size,
			ramp + 2 * size);
		free(linear);
		if (ret < 0) {
			lumen_log_errno(LUMEN_WARN, "%s: CrtcSetGamma", output->name);
			free(copy);
			return false;
		}
	}
	free(conn->gamma);
	conn->gamma = copy;
	flush_state(conn);
	return true;
}

static bool kms_set_power(struct ds_output *output, bool on) {
	struct kms_connector *conn = conn_from(output);
	struct kms_backend *kms = conn->kms;
	if (!ds_seat_is_active(kms->seat)) {
		return false;
	}
	if (!output->enabled) {
		output->power_on = on;
		return true;
	}
	kms_wait_flip(conn);
	int ret;
	if (kms->atomic) {
		ret = atomic_commit(conn, current_fb(conn), NULL, on, DRM_MODE_ATOMIC_ALLOW_MODESET);
	} else if (conn->props.dpms) {
		ret = drmModeConnectorSetProperty(kms->fd, conn->id, conn->props.dpms,
			on ? DRM_MODE_DPMS_ON : DRM_MODE_DPMS_OFF);
		ret = ret < 0 ? -errno : 0;
	} else {
		ret = -ENOTSUP;
	}
	if (ret < 0) {
		lumen_log(LUMEN_WARN, "%s: power %s failed: %s", output->name, on ? "on" : "off",
			strerror(-ret));
		return false;
	}
	output->power_on = on;
	return true;
}

/* ---- capture ---- */

/* Ends what capture read from: a scanout buffer's mapping or a dmabuf's read-back. */
static void release(struct kms_dumb *front, pixman_image_t *src, void *map_data,
		void *read_data) {
	if (read_data) {
		kms_dmabuf_read_end(src, read_data);
	} else if (front) {
		kms_dumb_unmap(front, src, map_data);
	} else {
		pixman_image_unref(src);
	}
}

static bool kms_capture(struct ds_output *output, void *dst, int32_t stride, uint32_t format,
		struct timespec *latched) {
	struct kms_connector *conn = conn_from(output);
	int32_t w = output->current.width, h = output->current.height;
	pixman_image_t *src = NULL;
	void *map_data = NULL, *read_data = NULL;
	struct kms_dumb *front = conn->front >= 0 ? &conn->dumb[conn->front] : NULL;
	if (front && front->fb_id && front->width == w && front->height == h) {
		src = kms_dumb_map(front, 0, 0, w, h, false, PIXMAN_x8r8g8b8, &map_data);
	} else if (conn->front_buffer && conn->front_buffer->width == w &&
			conn->front_buffer->height == h) {
		/* A dmabuf on screen: read back through the driver (gpu/), which has what the
		 * GPU drew, not what the guest's pages of it held. */
		src = kms_dmabuf_read(conn->kms, conn->front_buffer, &read_data);
	}
	if (!src) {
		return false;
	}
	pixman_image_t *out = pixman_image_create_bits(
		format == DRM_FORMAT_ARGB8888 ? PIXMAN_a8r8g8b8 : PIXMAN_x8r8g8b8, w, h, dst, stride);
	if (!out) {
		release(front, src, map_data, read_data);
		return false;
	}
	pixman_image_composite32(PIXMAN_OP_SRC, src, NULL, out, 0, 0, 0, 0, 0, 0, w, h);
	if (conn->cursor_visible && conn->cursor_image) {
		pixman_image_composite32(PIXMAN_OP_OVER, conn->cursor_image, NULL, out, 0, 0, 0, 0,
			conn->cursor_x - conn->hot_x, conn->cursor_y - conn->hot_y,
			pixman_image_get_width(conn->cursor_image),
			pixman_image_get_height(conn->cursor_image));
	}
	if (conn->gamma) {
		uint32_t size = output->gamma_size;
		for (int32_t y = 0; y < h; y++) {
			uint32_t *row = (uint32_t *)((uint8_t *)dst + (size_t)y * (size_t)stride);
			for (int32_t x = 0; x < w; x++) {
				uint32_t p = row[x];
				uint32_t c[3] = {(p >> 16) & 0xff, (p >> 8) & 0xff, p & 0xff};
				for (int k = 0; k < 3; k++) {
					uint32_t i = size > 1 ? c[k] * (size - 1) / 255 : 0;
					c[k] = conn->gamma[(uint32_t)k * size + i] >> 8;
				}
				row[x] = (p & 0xff000000u) | c[0] << 16 | c[1] << 8 | c[2];
			}
		}
	}
	pixman_image_unref(out);
	release(front, src, map_data, read_data);
	*latched = conn->latched;
	return true;
}

/* ---- connectors ---- */

void kms_destroy_connector(struct kms_connector *conn) {
	struct kms_backend *kms = conn->kms;
	/* The core discards the frame in flight; ours is not reported again. */
	ds_output_remove(&conn->output);
	ds_buffer_unlock(conn->flip_buffer);
	ds_buffer_unlock(conn->deferred_buffer);
	drop_front_buffer(conn);
	for (int i = 0; i < 2; i++) {
		kms_dumb_finish(kms, &conn->dumb[i]);
		kms_dumb_finish(kms, &conn->cursor[i]);
		pixman_region32_fini(&conn->dumb[i].stale);
		pixman_region32_fini(&conn->cursor[i].stale);
	}
	pixman_region32_fini(&conn->deferred_clips);
	if (conn->cursor_image) {
		pixman_image_unref(conn->cursor_image);
	}
	if (conn->mode_blob) {
		drmModeDestroyPropertyBlob(kms->fd, conn->mode_blob);
	}
	if (conn->gamma_blob) {
		drmModeDestroyPropertyBlob(kms->fd, conn->gamma_blob);
	}
	free(conn->gamma);
	if (conn->crtc) {
		conn->crtc->taken = false;
	}
	free(conn->modes);
	free(conn->drm_modes);
	wl_list_remove(&conn->link);
	free(conn);
}

static void kms_output_destroy(struct ds_output *output) {
	kms_destroy_connector(conn_from(output));
}

/* ---- the seat: VT switches ---- */

static void handle_seat_disable(void *data) {
	struct kms_backend *kms = data;
	/* Nothing more is sent to the card until enable; master is dropped by the seat
	 * daemon once we acknowledge. */
	ds_seat_ack_disable(kms->seat);
}

static void handle_seat_enable(void *data) {
	struct kms_backend *kms = data;
	if (kms->fd < 0) {
		return; // still starting
	}
	struct kms_connector *conn;
	wl_list_for_each (conn, &kms->connectors, link) {
		if (conn->flip_pending) {
			kms_wait_flip(conn);
		}
		conn->needs_modeset = true;
		uint32_t fb = current_fb(conn);
		if (!conn->output.enabled || !fb) {
			continue;
		}
		/* Whoever had the card meanwhile changed it: put our picture back. */
		int ret;
		if (kms->atomic) {
			ret = atomic_commit(conn, fb, NULL, conn->output.power_on,
				DRM_MODE_ATOMIC_ALLOW_MODESET);
		} else {
			ret = drmModeSetCrtc(kms->fd, conn->crtc->id, fb, 0, 0, &conn->id, 1, &conn->mode);
			ret = ret < 0 ? -errno : 0;
			if (ret == 0) {
				legacy_restore_cursor(conn);
				if (conn->gamma) {
					uint32_t size = conn->output.gamma_size;
					drmModeCrtcSetGamma(kms->fd, conn->crtc->id, size, conn->gamma,
						conn->gamma + size, conn->gamma + 2 * size);
				}
			}
		}
		if (ret < 0) {
			lumen_log(LUMEN_WARN, "%s: cannot restore after a VT switch: %s",
				conn->output.name, strerror(-ret));
		} else {
			conn->needs_modeset = false;
		}
	}
	kms_scan_connectors(kms);
}

static const struct ds_seat_listener seat_listener = {
	.enable = handle_seat_enable,
	.disable = handle_seat_disable,
};

/* ---- the card ---- */

static void kms_destroy(struct ds_backend *backend) {
	struct kms_backend *kms = (struct kms_backend *)backend;
	struct kms_connector *conn, *tmp;
	wl_list_for_each_safe (conn, tmp, &kms->connectors, link) {
		kms_destroy_connector(conn);
	}
	ds_hotplug_destroy(kms->hotplug);
	if (kms->drm_source) {
		wl_event_source_remove(kms->drm_source);
	}
	if (kms->impl.render_node_fd >= 0) {
		close(kms->impl.render_node_fd);
	}
	for (int i = 0; i < kms->n_planes; i++) {
		free(kms->planes[i].formats);
		free(kms->planes[i].modifiers);
	}
	free(kms->planes);
	free(kms->crtcs);
	kms_buffers_finish(kms);
	if (kms->fd >= 0) {
		ds_seat_close_device(kms->seat, kms->seat_device, kms->fd);
	}
	/* dmabuf framebuffers still alive keep the card (a dup) open until they go. */
	kms_device_unref(kms->dev);
	ds_seat_destroy(kms->seat);
	free(kms);
}

/*
 * The render node offered to the master, so that it renders with GLES2 and hands us
 * dmabufs. Only where a Mesa driver renders in hardware: kms_swrast (virtio-gpu
 * without 3D) can allocate only dumb buffers on the primary node, and a compositor is
 * better off with pixman into shm there.
 */
static int open_render_node(struct kms_backend *kms) {
#if HAVE_GPU
	struct gpu_device_info info = {0};
	gpu_device_probe_fd(kms->fd, &info);
	if (strcmp(info.mesa_driver, "kms_swrast") == 0 ||
			strcmp(info.mesa_driver, "llvmpipe") == 0) {
		lumen_log(LUMEN_INFO, "%s (%s) renders in software (%s): no render node offered",
			kms->card, info.kernel_driver, info.mesa_driver);
		return -1;
	}
#endif
	char *name = drmGetRenderDeviceNameFromFd(kms->fd);
	if (!name) {
		lumen_log(LUMEN_INFO, "%s has no render node", kms->card);
		return -1;
	}
	int fd = open(name, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		lumen_log_errno(LUMEN_WARN, "cannot open %s", name);
	} else {
#if HAVE_GPU
		lumen_log(LUMEN_INFO, "render node %s (%s, Mesa %s)", name, info.kernel_driver,
			info.mesa_driver);
#else
		lumen_log(LUMEN_INFO, "render node %s", name);
#endif
	}
	free(name);
	return fd;
}

struct ds_backend *ds_kms_backend_create(struct ds_server *server, struct wl_event_loop *loop,
		const char *path) {
	struct kms_backend *kms = calloc(1, sizeof(*kms));
	if (!kms) {
		lumen_log(LUMEN_ERROR, "out of memory");
		return NULL;
	}
	kms->fd = -1;
	kms->seat_device = -1;
	kms->impl.destroy = kms_destroy;
	kms->impl.add_output = NULL;
	kms->impl.render_node_fd = -1;
	kms->impl.import_dmabuf = kms_import_dmabuf;
	kms->base.impl = &kms->impl;
	kms->base.server = server;
	kms->base.loop = loop;
	wl_list_init(&kms->connectors);

	kms->seat = ds_seat_create(loop, &seat_listener, kms);
	if (!kms->seat) {
		free(kms);
		return NULL;
	}
	int fd = kms_open_card(kms, path);
	if (fd < 0) {
		ds_seat_destroy(kms->seat);
		free(kms);
		return NULL;
	}
	kms->dev = calloc(1, sizeof(*kms->dev));
	int dup_fd = kms->dev ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : -1;
	if (dup_fd < 0) {
		lumen_log(LUMEN_ERROR, "out of memory");
		free(kms->dev);
		ds_seat_close_device(kms->seat, kms->seat_device, fd);
		ds_seat_destroy(kms->seat);
		free(kms);
		return NULL;
	}
	kms->dev->fd = dup_fd;
	kms->dev->refs = 1;
	kms->fd = fd;

	struct stat st;
	if (fstat(fd, &st) == 0) {
		kms->devnum = st.st_rdev;
	}
	char *node = drmGetDeviceNameFromFd2(fd);
	const char *base = node ? strrchr(node, '/') : NULL;
	snprintf(kms->card, sizeof(kms->card), "%s", base ? base + 1 : "card");
	free(node);

	if (!ds_seat_is_managed(kms->seat) && !drmIsMaster(fd) && drmSetMaster(fd) != 0) {
		lumen_log_errno(LUMEN_ERROR, "%s: cannot become DRM master (another display server?)",
			kms->card);
		goto fail;
	}
	uint64_t cap = 0;
	if (drmGetCap(fd, DRM_CAP_DUMB_BUFFER, &cap) != 0 || !cap) {
		lumen_log(LUMEN_ERROR, "%s has no dumb buffers", kms->card);
		goto fail;
	}
	drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1);
	const char *legacy = getenv("LUMEN_KMS_LEGACY");
	kms->atomic = !(legacy && strcmp(legacy, "1") == 0) &&
		drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1) == 0;
	kms->monotonic = drmGetCap(fd, DRM_CAP_TIMESTAMP_MONOTONIC, &cap) == 0 && cap;
	kms->addfb2_modifiers = drmGetCap(fd, DRM_CAP_ADDFB2_MODIFIERS, &cap) == 0 && cap;
	kms->cursor_w = drmGetCap(fd, DRM_CAP_CURSOR_WIDTH, &cap) == 0 && cap ? cap : 64;
	kms->cursor_h = drmGetCap(fd, DRM_CAP_CURSOR_HEIGHT, &cap) == 0 && cap ? cap : 64;
	if (!kms_read_card(kms)) {
		goto fail;
	}
	kms_buffers_init(kms);
	drmVersion *version = drmGetVersion(fd);
	lumen_log(LUMEN_INFO, "%s: driver %s, %s modesetting, %d CRTCs, %d planes, cursor %ux%u%s",
		kms->card, version ? version->name : "?", kms->atomic ? "atomic" : "legacy", kms->n_crtcs,
		kms->n_planes, (unsigned)kms->cursor_w, (unsigned)kms->cursor_h,
		kms->monotonic ? "" : ", realtime timestamps");
	drmFreeVersion(version);

	kms->impl.render_node_fd = open_render_node(kms);
	kms->drm_source = wl_event_loop_add_fd(loop, fd, WL_EVENT_READABLE, handle_drm_readable, kms);
	if (!kms->drm_source) {
		lumen_log(LUMEN_ERROR, "cannot watch %s", kms->card);
		goto fail;
	}
	kms->hotplug = ds_hotplug_create(loop, kms->devnum, kms_handle_hotplug, kms);
	kms_scan_connectors(kms);
	if (wl_list_empty(&kms->connectors)) {
		lumen_log(LUMEN_WARN, "%s: nothing connected (yet)", kms->card);
	}
	return &kms->base;
fail:
	kms_destroy(&kms->base);
	return NULL;
}

const struct ds_output_impl kms_output_impl = {
	.configure = kms_configure,
	.commit = kms_commit,
	.set_cursor = kms_set_cursor,
	.move_cursor = kms_move_cursor,
	.set_gamma = kms_set_gamma,
	.set_power = kms_set_power,
	.capture = kms_capture,
	.remove = NULL, // connectors go when they are unplugged, not on request
	.destroy = kms_output_destroy,
};
