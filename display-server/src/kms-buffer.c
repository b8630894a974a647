/*
 * The kms backend's buffers (kms.h).
 *
 * - Scanout buffers, the two per output that shm frames are copied into: GBM buffers
 *   through gpu/ where GBM opens the card, with the modifier that both the primary
 *   plane (its IN_FORMATS) and displayd's copy (pixman through a mapping: LINEAR) take;
 *   dumb buffers where GBM has no device or no such buffer can be made. Which one each
 *   output got is logged ("scanout buffers: ...").
 * - Cursor images: dumb buffers (every cursor plane takes them).
 * - Clients' dmabufs: a framebuffer made once per buffer through gpu/ (GBM import, or
 *   PRIME where there is no GBM).
 * - Capture of a dmabuf on screen: GBM import and map, which reads what the GPU drew
 *   (virgl renders on the host: the guest's pages of the buffer may be stale).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>
#include "common/log.h"
#if HAVE_GPU
#include "gpu/allocator.h"
#include "gpu/formats.h"
#include "gpu/scanout.h"
#endif
#include "kms.h"

void kms_device_unref(struct kms_device *dev) {
	if (dev && --dev->refs == 0) {
		close(dev->fd);
		free(dev);
	}
}

void kms_buffers_init(struct kms_backend *kms) {
#if HAVE_GPU
	const char *force = getenv("LUMEN_KMS_BUFFERS");
	if (force && strcmp(force, "dumb") == 0) {
		snprintf(kms->alloc_why, sizeof(kms->alloc_why), "LUMEN_KMS_BUFFERS=dumb");
	} else {
		kms->alloc = gpu_allocator_create(kms->fd, kms->alloc_why, sizeof(kms->alloc_why));
	}
	if (kms->alloc) {
		lumen_log(LUMEN_INFO, "%s: GBM (%s) for scanout buffers and dmabuf imports", kms->card,
			kms->alloc->backend);
	} else {
		lumen_log(LUMEN_INFO, "%s: no GBM (%s): dumb buffers and PRIME imports", kms->card,
			kms->alloc_why);
	}
#else
	snprintf(kms->alloc_why, sizeof(kms->alloc_why), "built without gpu/");
#endif
}

void kms_buffers_finish(struct kms_backend *kms) {
#if HAVE_GPU
	gpu_allocator_destroy(kms->alloc);
#endif
	kms->alloc = NULL;
}

/* ---- dumb and GBM buffers ---- */

void kms_dumb_init(struct kms_dumb *d) {
	memset(d, 0, sizeof(*d));
	pixman_region32_init(&d->stale);
}

void kms_dumb_finish(struct kms_backend *kms, struct kms_dumb *d) {
	if (d->map) {
		munmap(d->map, d->size);
	}
	if (d->fb_id) {
		drmModeRmFB(kms->fd, d->fb_id);
	}
#if HAVE_GPU
	if (d->bo) {
		gpu_buffer_destroy(d->bo); // its handle goes with it
		d->handle = 0;
	}
#endif
	if (d->handle) {
		struct drm_mode_destroy_dumb destroy = {.handle = d->handle};
		drmIoctl(kms->fd, DRM_IOCTL_MODE_DESTROY_DUMB, &destroy);
	}
	pixman_region32_fini(&d->stale);
	kms_dumb_init(d);
}

bool kms_dumb_create(struct kms_backend *kms, struct kms_dumb *d, int32_t width,
		int32_t height, uint32_t format) {
	struct drm_mode_create_dumb create = {
		.width = (uint32_t)width,
		.height = (uint32_t)height,
		.bpp = 32,
	};
	if (drmIoctl(kms->fd, DRM_IOCTL_MODE_CREATE_DUMB, &create) < 0) {
		lumen_log_errno(LUMEN_ERROR, "%s: cannot create a %dx%d dumb buffer", kms->card, width,
			height);
		return false;
	}
	d->handle = create.handle;
	d->pitch = create.pitch;
	d->size = create.size;
	d->width = width;
	d->height = height;
	uint32_t handles[4] = {d->handle}, pitches[4] = {d->pitch}, offsets[4] = {0};
	if (drmModeAddFB2(kms->fd, (uint32_t)width, (uint32_t)height, format, handles, pitches,
			offsets, &d->fb_id, 0) < 0) {
		lumen_log_errno(LUMEN_ERROR, "%s: AddFB2 of a dumb buffer", kms->card);
		goto fail;
	}
	struct drm_mode_map_dumb map = {.handle = d->handle};
	if (drmIoctl(kms->fd, DRM_IOCTL_MODE_MAP_DUMB, &map) < 0) {
		lumen_log_errno(LUMEN_ERROR, "%s: cannot map a dumb buffer", kms->card);
		goto fail;
	}
	d->map = mmap(NULL, d->size, PROT_READ | PROT_WRITE, MAP_SHARED, kms->fd, (off_t)map.offset);
	if (d->map == MAP_FAILED) {
		d->map = NULL;
		lumen_log_errno(LUMEN_ERROR, "%s: mmap of a dumb buffer", kms->card);
		goto fail;
	}
	/* Nothing of the picture is in it yet. */
	pixman_region32_fini(&d->stale);
	pixman_region32_init_rect(&d->stale, 0, 0, (unsigned)width, (unsigned)height);
	return true;
fail:
	kms_dumb_finish(kms, d);
	return false;
}

pixman_image_t *kms_dumb_map(struct kms_dumb *d, int32_t x, int32_t y, int32_t w, int32_t h,
		bool write, pixman_format_code_t format, void **map_data) {
	*map_data = NULL;
	if (x < 0 || y < 0 || w <= 0 || h <= 0 || x > d->width - w || y > d->height - h) {
		return NULL;
	}
	if (d->map) {
		uint8_t *base = (uint8_t *)d->map + (size_t)y * d->pitch + (size_t)x * 4;
		return pixman_image_create_bits(format, w, h, (uint32_t *)base, (int)d->pitch);
	}
#if HAVE_GPU
	if (d->bo) {
		uint32_t stride = 0;
		/* Read too when writing: parts of the rectangle keep what they had. */
		void *ptr = gpu_buffer_map_rect(d->bo, x, y, w, h, true, write, &stride, map_data);
		if (!ptr) {
			lumen_log(LUMEN_WARN, "gbm_bo_map of a %dx%d scanout buffer failed", w, h);
			return NULL;
		}
		pixman_image_t *image = pixman_image_create_bits(format, w, h, ptr, (int)stride);
		if (!image) {
			gpu_buffer_unmap(d->bo, *map_data);
			*map_data = NULL;
		}
		return image;
	}
#else
	(void)write;
#endif
	return NULL;
}

void kms_dumb_unmap(struct kms_dumb *d, pixman_image_t *image, void *map_data) {
	if (image) {
		pixman_image_unref(image);
	}
#if HAVE_GPU
	if (d->bo && map_data) {
		gpu_buffer_unmap(d->bo, map_data);
	}
#else
	(void)d;
	(void)map_data;
#endif
}

#if HAVE_GPU
/* A GBM scanout buffer with the modifiers given, black, with a framebuffer. */
static bool gbm_create(struct kms_backend *kms, struct kms_dumb *d, int32_t width,
		int32_t height, const uint64_t *modifiers, size_t n_modifiers, char *why,
		size_t why_size) {
	d->bo = gpu_buffer_create(kms->alloc, width, height, DRM_FORMAT_XRGB8888, modifiers,
		n_modifiers, GPU_BUFFER_SCANOUT, why, why_size);
	if (!d->bo) {
		return false;
	}
	d->handle = d->bo->handle;
	d->pitch = d->bo->strides[0];
	d->width = width;
	d->height = height;
	d->size = (uint64_t)d->pitch * (uint64_t)height;
	if (!gpu_buffer_add_fb(kms->fd, d->bo, kms->addfb2_modifiers, &d->fb_id, why, why_size)) {
		d->fb_id = 0;
		return false;
	}
	/* Black, as a dumb buffer starts. */
	void *map_data = NULL;
	uint32_t stride = 0;
	uint8_t *ptr = gpu_buffer_map_rect(d->bo, 0, 0, width, height, false, true, &stride,
		&map_data);
	if (!ptr) {
		snprintf(why, why_size, "gbm_bo_map for writing failed");
		return false;
	}
	for (int32_t y = 0; y < height; y++) {
		memset(ptr + (size_t)y * stride, 0, (size_t)width * 4);
	}
	gpu_buffer_unmap(d->bo, map_data);
	pixman_region32_fini(&d->stale);
	pixman_region32_init_rect(&d->stale, 0, 0, (unsigned)width, (unsigned)height);
	return true;
}

/* Both buffers through GBM; false (with why, nothing left made) if it cannot. */
static bool scanout_gbm(struct kms_connector *conn, struct kms_dumb fresh[2], int32_t width,
		int32_t height, char *why, size_t why_size) {
	struct kms_backend *kms = conn->kms;
	if (!kms->alloc) {
		snprintf(why, why_size, "no GBM: %s", kms->alloc_why);
		return false;
	}
	/* What the primary plane scans out, against what displayd's copy writes (pixman
	 * through a mapping: LINEAR; a tiled layout would go through a staging copy on
	 * every frame). */
	struct gpu_format_set plane;
	gpu_format_set_init(&plane);
	bool ok = true;
	for (size_t i = 0; i < conn->output.n_formats && ok; i++) {
		ok = gpu_format_set_add(&plane, conn->output.formats[i], conn->output.modifiers[i], false);
	}
	uint64_t modifiers[8];
	size_t n = ok ? gpu_scanout_modifiers(&plane, NULL, DRM_FORMAT_XRGB8888, modifiers, 8) : 0;
	uint64_t plane_mods[16];
	size_t n_plane = gpu_format_set_modifiers(&plane, DRM_FORMAT_XRGB8888, plane_mods, 16);
	gpu_format_set_finish(&plane);
	if (!ok) {
		snprintf(why, why_size, "out of memory");
		return false;
	}
	if (n == 0) {
		snprintf(why, why_size, "the primary plane takes XR24 with %zu modifiers, none LINEAR",
			n_plane);
		return false;
	}
	for (int i = 0; i < 2; i++) {
		if (!gbm_create(kms, &fresh[i], width, height, modifiers, n, why, why_size)) {
			kms_dumb_finish(kms, &fresh[0]);
			kms_dumb_finish(kms, &fresh[1]);
			return false;
		}
	}
	char mod[24];
	uint64_t got = fresh[0].bo->modifier;
	snprintf(conn->buffers_path, sizeof(conn->buffers_path),
		"GBM (%s) XR24 modifier %s%s, negotiated: %zu of the plane's %zu XR24 modifiers that "
		"displayd's copy writes (LINEAR)",
		kms->alloc->backend, gpu_modifier_str(got, mod, sizeof(mod)),
		got == DRM_FORMAT_MOD_INVALID ? " (the driver takes no modifiers: linear by usage)" : "",
		n, n_plane);
	return true;
}
#endif

bool kms_scanout_create(struct kms_connector *conn, struct kms_dumb fresh[2], int32_t width,
		int32_t height) {
	struct kms_backend *kms = conn->kms;
	char old[sizeof(conn->buffers_path)];
	snprintf(old, sizeof(old), "%s", conn->buffers_path);
	kms_dumb_init(&fresh[0]);
	kms_dumb_init(&fresh[1]);
	char why[200] = "built without gpu/";
#if HAVE_GPU
	if (scanout_gbm(conn, fresh, width, height, why, sizeof(why))) {
		if (strcmp(old, conn->buffers_path) != 0) {
			lumen_log(LUMEN_INFO, "%s: scanout buffers %dx%d: %s", conn->output.name, width,
				height, conn->buffers_path);
		}
		return true;
	}
#endif
	for (int i = 0; i < 2; i++) {
		if (!kms_dumb_create(kms, &fresh[i], width, height, DRM_FORMAT_XRGB8888)) {
			kms_dumb_finish(kms, &fresh[0]);
			kms_dumb_finish(kms, &fresh[1]);
			return false;
		}
	}
	snprintf(conn->buffers_path, sizeof(conn->buffers_path), "dumb (%s)", why);
	if (strcmp(old, conn->buffers_path) != 0) {
		lumen_log(LUMEN_INFO, "%s: scanout buffers %dx%d: %s", conn->output.name, width, height,
			conn->buffers_path);
	}
	return true;
}

bool kms_alloc_scanout(struct kms_connector *conn) {
	return kms_scanout_create(conn, conn->dumb, conn->mode.hdisplay, conn->mode.vdisplay);
}

void kms_log_frames_path(struct kms_connector *conn, const struct ds_buffer *buffer) {
	int path = buffer->type == DS_BUFFER_SHM ? 1 : 2;
	if (conn->frames_path == path) {
		return;
	}
	conn->frames_path = path;
	if (path == 1) {
		lumen_log(LUMEN_INFO, "%s: shm frames, copied into its scanout buffers: %s",
			conn->output.name, conn->buffers_path);
		return;
	}
	char mod[24] = "?", fc[8] = "?";
#if HAVE_GPU
	gpu_fourcc_str(buffer->format, fc, sizeof(fc));
	gpu_modifier_str(buffer->modifier, mod, sizeof(mod));
#endif
	lumen_log(LUMEN_INFO, "%s: dmabuf frames (%s modifier %s), scanned out as they are "
						  "(framebuffers through %s)",
		conn->output.name, fc, mod, conn->kms->alloc ? "a GBM import" : "PRIME");
}

/* ---- clients' dmabufs ---- */

static void kms_fb_destroy(struct ds_buffer *buffer) {
	struct kms_fb *fb = buffer->backend_data;
	if (!fb) {
		return;
	}
	drmModeRmFB(fb->dev->fd, fb->fb_id);
	kms_device_unref(fb->dev);
	free(fb);
	buffer->backend_data = NULL;
}

#if HAVE_GPU
static void dmabuf_of(const struct ds_buffer *buffer, struct gpu_dmabuf *out) {
	memset(out, 0, sizeof(*out));
	out->width = buffer->width;
	out->height = buffer->height;
	out->format = buffer->format;
	out->modifier = buffer->modifier;
	out->n_planes = buffer->n_planes;
	for (int i = 0; i < GPU_DMABUF_MAX_PLANES; i++) {
		bool have = i < buffer->n_planes && i < DS_DMABUF_MAX_PLANES;
		out->fds[i] = have ? buffer->fds[i] : -1;
		out->offsets[i] = have ? buffer->offsets[i] : 0;
		out->strides[i] = have ? buffer->strides[i] : 0;
	}
}
#endif

bool kms_import_dmabuf(struct ds_backend *backend, struct ds_buffer *buffer) {
	struct kms_backend *kms = (struct kms_backend *)backend;
#if HAVE_GPU
	struct gpu_dmabuf dmabuf;
	dmabuf_of(buffer, &dmabuf);
	uint32_t fb_id = 0;
	char why[160];
	if (!gpu_dmabuf_add_fb(kms->fd, kms->alloc, &dmabuf, kms->addfb2_modifiers, &fb_id, why,
			sizeof(why))) {
		lumen_log(LUMEN_WARN, "%s: a %dx%d dmabuf (format 0x%08x) cannot be scanned out: %s",
			kms->card, buffer->width, buffer->height, buffer->format, why);
		return false;
	}
	struct kms_fb *fb = calloc(1, sizeof(*fb));
	if (!fb) {
		drmModeRmFB(kms->fd, fb_id);
		return false;
	}
	fb->fb_id = fb_id;
	fb->dev = kms->dev;
	kms->dev->refs++;
	buffer->backend_data = fb;
	buffer->backend_data_destroy = kms_fb_destroy;
	return true;
#else
	lumen_log(LUMEN_WARN, "%s: built without gpu/: no dmabuf is scanned out", kms->card);
	(void)buffer;
	(void)kms_fb_destroy;
	return false;
#endif
}

/* ---- reading a dmabuf back (capture) ---- */

struct dmabuf_read {
#if HAVE_GPU
	struct gpu_buffer *bo;
#endif
	void *map_data;
	void *mmap_ptr;
	size_t mmap_size;
};

bool kms_pixman_format(uint32_t drm_format, pixman_format_code_t *format) {
	switch (drm_format) {
	case DRM_FORMAT_XRGB8888:
		*format = PIXMAN_x8r8g8b8;
		return true;
	case DRM_FORMAT_ARGB8888:
		*format = PIXMAN_a8r8g8b8;
		return true;
	case DRM_FORMAT_XBGR8888:
		*format = PIXMAN_x8b8g8r8;
		return true;
	case DRM_FORMAT_ABGR8888:
		*format = PIXMAN_a8b8g8r8;
		return true;
	default:
		return false;
	}
}

pixman_image_t *kms_dmabuf_read(struct kms_backend *kms, struct ds_buffer *buffer,
		void **read_data) {
	*read_data = NULL;
	pixman_format_code_t format;
	if (!kms_pixman_format(buffer->format, &format)) {
		return NULL;
	}
	struct dmabuf_read *r = calloc(1, sizeof(*r));
	if (!r) {
		return NULL;
	}
	pixman_image_t *image = NULL;
#if HAVE_GPU
	if (kms->alloc) {
		/* Through the driver, which fetches what the GPU drew (a transfer from the
		 * host for virgl) and untiles it. */
		struct gpu_dmabuf dmabuf;
		dmabuf_of(buffer, &dmabuf);
		char why[160];
		r->bo = gpu_buffer_import(kms->alloc, &dmabuf, 0, why, sizeof(why));
		uint32_t stride = 0;
		void *ptr = r->bo ? gpu_buffer_map_rect(r->bo, 0, 0, buffer->width, buffer->height,
			true, false, &stride, &r->map_data) : NULL;
		if (ptr) {
			image = pixman_image_create_bits(format, buffer->width, buffer->height, ptr,
				(int)stride);
		} else {
			lumen_log(LUMEN_WARN, "%s: cannot read a dmabuf back through GBM: %s", kms->card,
				r->bo ? "gbm_bo_map failed" : why);
		}
		if (image) {
			*read_data = r;
			return image;
		}
		if (r->bo) {
			gpu_buffer_unmap(r->bo, r->map_data);
			gpu_buffer_destroy(r->bo);
		}
		free(r);
		return NULL;
	}
#else
	(void)kms;
#endif
	/* No GBM: a linear dmabuf read through its own mapping. */
	if (buffer->n_planes != 1 || (buffer->modifier != DRM_FORMAT_MOD_LINEAR &&
			buffer->modifier != DRM_FORMAT_MOD_INVALID)) {
		free(r);
		return NULL;
	}
	r->mmap_size = (size_t)buffer->offsets[0] + (size_t)buffer->strides[0] * (size_t)buffer->height;
	r->mmap_ptr = mmap(NULL, r->mmap_size, PROT_READ, MAP_SHARED, buffer->fds[0], 0);
	if (r->mmap_ptr == MAP_FAILED) {
		free(r);
		return NULL;
	}
	image = pixman_image_create_bits(format, buffer->width, buffer->height,
		(uint32_t *)((uint8_t *)r->mmap_ptr + buffer->offsets[0]), (int)buffer->strides[0]);
	if (!image) {
		munmap(r->mmap_ptr, r->mmap_size);
		free(r);
		return NULL;
	}
	*read_data = r;
	return image;
}

void kms_dmabuf_read_end(pixman_image_t *image, void *read_data) {
	struct dmabuf_read *r = read_data;
	if (image) {
		pixman_image_unref(image);
	}
	if (!r) {
		return;
	}
#if HAVE_GPU
	if (r->bo) {
		gpu_buffer_unmap(r->bo, r->map_data);
		gpu_buffer_destroy(r->bo);
	}
#endif
	if (r->mmap_ptr) {
		munmap(r->mmap_ptr, r->mmap_size);
	}
	free(r);
}
