/* Scanout buffers and framebuffers for a display server (gpu/scanout.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>
#include "gpu/scanout.h"

size_t gpu_scanout_modifiers(const struct gpu_format_set *plane,
		const struct gpu_format_set *renderer, uint32_t format, uint64_t *out, size_t max) {
	size_t n = 0;
	/* LINEAR first: every renderer and every mapping takes it. */
	if (gpu_format_set_has(plane, format, DRM_FORMAT_MOD_LINEAR) &&
			(!renderer || gpu_format_set_has(renderer, format, DRM_FORMAT_MOD_LINEAR)) &&
			n < max) {
		out[n++] = DRM_FORMAT_MOD_LINEAR;
	}
	if (!renderer) {
		return n;
	}
	for (size_t i = 0; i < plane->n && n < max; i++) {
		const struct gpu_format_pair *p = &plane->pairs[i];
		if (p->format != format || p->modifier == DRM_FORMAT_MOD_LINEAR ||
				p->modifier == DRM_FORMAT_MOD_INVALID) {
			continue;
		}
		bool ok = false;
		for (size_t j = 0; j < renderer->n && !ok; j++) {
			const struct gpu_format_pair *r = &renderer->pairs[j];
			ok = r->format == format && r->modifier == p->modifier && !r->external_only;
		}
		if (ok) {
			out[n++] = p->modifier;
		}
	}
	return n;
}

static bool add_fb(int fd, int32_t width, int32_t height, uint32_t format, uint64_t modifier,
		int n_planes, const uint32_t *handles_in, const uint32_t *strides,
		const uint32_t *offsets_in, bool with_modifiers, uint32_t *fb_id, char *why,
		size_t why_size) {
	uint32_t handles[4] = {0}, pitches[4] = {0}, offsets[4] = {0};
	uint64_t modifiers[4] = {0};
	for (int i = 0; i < n_planes && i < 4; i++) {
		handles[i] = handles_in[i];
		pitches[i] = strides[i];
		offsets[i] = offsets_in[i];
		modifiers[i] = modifier;
	}
	int ret;
	errno = 0;
	if (modifier != DRM_FORMAT_MOD_INVALID && with_modifiers) {
		ret = drmModeAddFB2WithModifiers(fd, (uint32_t)width, (uint32_t)height, format, handles,
			pitches, offsets, modifiers, fb_id, DRM_MODE_FB_MODIFIERS);
	} else if (modifier == DRM_FORMAT_MOD_INVALID || modifier == DRM_FORMAT_MOD_LINEAR) {
		ret = drmModeAddFB2(fd, (uint32_t)width, (uint32_t)height, format, handles, pitches,
			offsets, fb_id, 0);
	} else {
		snprintf(why, why_size, "modifier 0x%016llx without AddFB2 modifiers",
			(unsigned long long)modifier);
		return false;
	}
	if (ret != 0) {
		char fc[8];
		snprintf(why, why_size, "AddFB2 of a %dx%d %s: %s", width, height,
			gpu_fourcc_str(format, fc, sizeof(fc)), strerror(errno ? errno : EINVAL));
		return false;
	}
	return true;
}

bool gpu_buffer_add_fb(int fd, const struct gpu_buffer *buffer, bool with_modifiers,
		uint32_t *fb_id, char *why, size_t why_size) {
	return add_fb(fd, buffer->width, buffer->height, buffer->format, buffer->modifier,
		buffer->n_planes, buffer->handles, buffer->strides, buffer->offsets, with_modifiers,
		fb_id, why, why_size);
}

bool gpu_dmabuf_add_fb(int fd, struct gpu_allocator *alloc, const struct gpu_dmabuf *dmabuf,
		bool with_modifiers, uint32_t *fb_id, char *why, size_t why_size) {
	if (dmabuf->n_planes < 1 || dmabuf->n_planes > GPU_DMABUF_MAX_PLANES) {
		snprintf(why, why_size, "bad plane count %d", dmabuf->n_planes);
		return false;
	}
	if (alloc) {
		struct gpu_buffer *bo = gpu_buffer_import(alloc, dmabuf, GPU_BUFFER_SCANOUT, why,
			why_size);
		if (bo) {
			/* The framebuffer holds the buffer; the GBM object (and its handle) may go. */
			bool ok = gpu_buffer_add_fb(fd, bo, with_modifiers, fb_id, why, why_size);
			gpu_buffer_destroy(bo);
			return ok;
		}
		/* GBM may not know the format (a YUV layout the plane takes): the kernel may. */
	}
	uint32_t handles[GPU_DMABUF_MAX_PLANES] = {0};
	bool ok = true;
	for (int i = 0; i < dmabuf->n_planes; i++) {
		if (drmPrimeFDToHandle(fd, dmabuf->fds[i], &handles[i]) != 0) {
			snprintf(why, why_size, "PRIME import of plane %d: %s", i, strerror(errno));
			ok = false;
			break;
		}
	}
	if (ok) {
		ok = add_fb(fd, dmabuf->width, dmabuf->height, dmabuf->format, dmabuf->modifier,
			dmabuf->n_planes, handles, dmabuf->strides, dmabuf->offsets, with_modifiers, fb_id,
			why, why_size);
	}
	/* The same dmabuf in two planes gives the same handle: close each once. */
	for (int i = 0; i < GPU_DMABUF_MAX_PLANES; i++) {
		bool dup = handles[i] == 0;
		for (int j = 0; j < i && !dup; j++) {
			dup = handles[j] == handles[i];
		}
		if (!dup) {
			struct drm_gem_close close_args = {.handle = handles[i]};
			drmIoctl(fd, DRM_IOCTL_GEM_CLOSE, &close_args);
		}
	}
	return ok;
}
