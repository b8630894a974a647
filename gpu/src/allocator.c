/* GBM allocation and dmabuf export/import. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <drm_fourcc.h>
#include <gbm.h>
#include "common/log.h"
#include "gpu/allocator.h"
#include "gpu/formats.h"

static void set_why(char *why, size_t size, const char *fmt, const char *arg) {
	if (why && size > 0) {
		snprintf(why, size, fmt, arg);
	}
}

void gpu_dmabuf_finish(struct gpu_dmabuf *dmabuf) {
	for (int i = 0; i < GPU_DMABUF_MAX_PLANES; i++) {
		if (i < dmabuf->n_planes && dmabuf->fds[i] >= 0) {
			close(dmabuf->fds[i]);
		}
		dmabuf->fds[i] = -1;
	}
	dmabuf->n_planes = 0;
}

struct gpu_allocator *gpu_allocator_create(int drm_fd, char *why, size_t why_size) {
	struct gpu_allocator *alloc = calloc(1, sizeof(*alloc));
	if (!alloc) {
		set_why(why, why_size, "%s", "out of memory");
		return NULL;
	}
	alloc->fd = fcntl(drm_fd, F_DUPFD_CLOEXEC, 0);
	if (alloc->fd < 0) {
		set_why(why, why_size, "dup of the DRM fd: %s", strerror(errno));
		free(alloc);
		return NULL;
	}
	alloc->gbm = gbm_create_device(alloc->fd);
	if (!alloc->gbm) {
		set_why(why, why_size, "gbm_create_device failed (%s)",
			errno ? strerror(errno) : "no GBM backend for this driver");
		close(alloc->fd);
		free(alloc);
		return NULL;
	}
	const char *name = gbm_device_get_backend_name(alloc->gbm);
	snprintf(alloc->backend, sizeof(alloc->backend), "%s", name ? name : "?");
	return alloc;
}

void gpu_allocator_destroy(struct gpu_allocator *alloc) {
	if (!alloc) {
		return;
	}
	gbm_device_destroy(alloc->gbm);
	close(alloc->fd);
	free(alloc);
}

static uint32_t gbm_flags(uint32_t usage) {
	uint32_t flags = 0;
	if (usage & GPU_BUFFER_SCANOUT) {
		flags |= GBM_BO_USE_SCANOUT;
	}
	if (usage & GPU_BUFFER_RENDER) {
		flags |= GBM_BO_USE_RENDERING;
	}
	if (usage & GPU_BUFFER_LINEAR) {
		flags |= GBM_BO_USE_LINEAR;
	}
	if (usage & GPU_BUFFER_WRITE) {
		flags |= GBM_BO_USE_WRITE;
	}
	return flags;
}

static struct gpu_buffer *wrap_bo(struct gbm_bo *bo) {
	struct gpu_buffer *buffer = calloc(1, sizeof(*buffer));
	if (!buffer) {
		gbm_bo_destroy(bo);
		return NULL;
	}
	buffer->bo = bo;
	buffer->width = (int32_t)gbm_bo_get_width(bo);
	buffer->height = (int32_t)gbm_bo_get_height(bo);
	buffer->format = gbm_bo_get_format(bo);
	buffer->modifier = gbm_bo_get_modifier(bo);
	buffer->n_planes = gbm_bo_get_plane_count(bo);
	if (buffer->n_planes > GPU_DMABUF_MAX_PLANES) {
		buffer->n_planes = GPU_DMABUF_MAX_PLANES;
	}
	for (int i = 0; i < buffer->n_planes; i++) {
		buffer->strides[i] = gbm_bo_get_stride_for_plane(bo, i);
		buffer->offsets[i] = gbm_bo_get_offset(bo, i);
	}
	buffer->handle = gbm_bo_get_handle(bo).u32;
	for (int i = 0; i < buffer->n_planes; i++) {
		buffer->handles[i] = i == 0 ? buffer->handle : gbm_bo_get_handle_for_plane(bo, i).u32;
	}
	return buffer;
}

struct gpu_buffer *gpu_buffer_create(struct gpu_allocator *alloc, int32_t width,
		int32_t height, uint32_t format, const uint64_t *modifiers, size_t n_modifiers,
		uint32_t usage, char *why, size_t why_size) {
	if (width <= 0 || height <= 0) {
		set_why(why, why_size, "%s", "bad size");
		return NULL;
	}
	errno = 0;
	struct gbm_bo *bo;
	if (n_modifiers > 0) {
		bo = gbm_bo_create_with_modifiers2(alloc->gbm, (uint32_t)width, (uint32_t)height,
			format, modifiers, (unsigned)n_modifiers, gbm_flags(usage & ~GPU_BUFFER_LINEAR));
		/* Drivers without modifiers (kms_swrast: ENOSYS) still give LINEAR or an
		 * implicit layout through the usage flags. */
		bool implicit_ok = true, linear = true;
		for (size_t i = 0; i < n_modifiers; i++) {
			implicit_ok &= modifiers[i] == DRM_FORMAT_MOD_LINEAR ||
				modifiers[i] == DRM_FORMAT_MOD_INVALID;
			linear &= modifiers[i] == DRM_FORMAT_MOD_LINEAR;
		}
		if (!bo && errno == ENOSYS && implicit_ok) {
			errno = 0;
			bo = gbm_bo_create(alloc->gbm, (uint32_t)width, (uint32_t)height, format,
				gbm_flags(usage | (linear ? GPU_BUFFER_LINEAR : 0)));
		}
	} else {
		bo = gbm_bo_create(alloc->gbm, (uint32_t)width, (uint32_t)height, format,
			gbm_flags(usage));
	}
	if (!bo) {
		char f[8];
		char msg[128];
		snprintf(msg, sizeof(msg), "gbm_bo_create %dx%d %s: %s", width, height,
			gpu_fourcc_str(format, f, sizeof(f)), errno ? strerror(errno) : "failed");
		set_why(why, why_size, "%s", msg);
		return NULL;
	}
	struct gpu_buffer *buffer = wrap_bo(bo);
	if (!buffer) {
		set_why(why, why_size, "%s", "out of memory");
	}
	return buffer;
}

struct gpu_buffer *gpu_buffer_import(struct gpu_allocator *alloc, const struct gpu_dmabuf *dmabuf,
		uint32_t usage, char *why, size_t why_size) {
	if (dmabuf->n_planes < 1 || dmabuf->n_planes > GPU_DMABUF_MAX_PLANES) {
		set_why(why, why_size, "%s", "bad plane count");
		return NULL;
	}
	struct gbm_import_fd_modifier_data data = {
		.width = (uint32_t)dmabuf->width,
		.height = (uint32_t)dmabuf->height,
		.format = dmabuf->format,
		.num_fds = (uint32_t)dmabuf->n_planes,
		.modifier = dmabuf->modifier,
	};
	for (int i = 0; i < dmabuf->n_planes; i++) {
		data.fds[i] = dmabuf->fds[i];
		data.strides[i] = (int)dmabuf->strides[i];
		data.offsets[i] = (int)dmabuf->offsets[i];
	}
	errno = 0;
	struct gbm_bo *bo = gbm_bo_import(alloc->gbm, GBM_BO_IMPORT_FD_MODIFIER, &data,
		gbm_flags(usage));
	if (!bo) {
		set_why(why, why_size, "gbm_bo_import: %s", errno ? strerror(errno) : "failed");
		return NULL;
	}
	struct gpu_buffer *buffer = wrap_bo(bo);
	if (!buffer) {
		set_why(why, why_size, "%s", "out of memory");
	}
	return buffer;
}

void gpu_buffer_destroy(struct gpu_buffer *buffer) {
	if (!buffer) {
		return;
	}
	gbm_bo_destroy(buffer->bo);
	free(buffer);
}

bool gpu_buffer_export(struct gpu_buffer *buffer, struct gpu_dmabuf *out) {
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < GPU_DMABUF_MAX_PLANES; i++) {
		out->fds[i] = -1;
	}
	out->width = buffer->width;
	out->height = buffer->height;
	out->format = buffer->format;
	out->modifier = buffer->modifier;
	out->n_planes = buffer->n_planes;
	for (int i = 0; i < buffer->n_planes; i++) {
		errno = 0;
		out->fds[i] = gbm_bo_get_fd_for_plane(buffer->bo, i);
		if (out->fds[i] < 0) {
			lumen_log(LUMEN_WARN, "gbm_bo_get_fd_for_plane(%d) failed: %s", i,
				errno ? strerror(errno) : "?");
			gpu_dmabuf_finish(out);
			return false;
		}
		out->strides[i] = buffer->strides[i];
		out->offsets[i] = buffer->offsets[i];
	}
	return true;
}

void *gpu_buffer_map(struct gpu_buffer *buffer, bool write, uint32_t *stride, void **map_data) {
	*map_data = NULL;
	void *ptr = gbm_bo_map(buffer->bo, 0, 0, (uint32_t)buffer->width, (uint32_t)buffer->height,
		write ? GBM_BO_TRANSFER_READ_WRITE : GBM_BO_TRANSFER_READ, stride, map_data);
	if (!ptr || ptr == (void *)-1) {
		*map_data = NULL;
		return NULL;
	}
	return ptr;
}

void *gpu_buffer_map_rect(struct gpu_buffer *buffer, int32_t x, int32_t y, int32_t w,
		int32_t h, bool read, bool write, uint32_t *stride, void **map_data) {
	*map_data = NULL;
	if (x < 0 || y < 0 || w <= 0 || h <= 0 || x > buffer->width - w ||
			y > buffer->height - h || (!read && !write)) {
		return NULL;
	}
	uint32_t flags = (read ? GBM_BO_TRANSFER_READ : 0) | (write ? GBM_BO_TRANSFER_WRITE : 0);
	void *ptr = gbm_bo_map(buffer->bo, (uint32_t)x, (uint32_t)y, (uint32_t)w, (uint32_t)h,
		flags, stride, map_data);
	if (!ptr || ptr == (void *)-1) {
		*map_data = NULL;
		return NULL;
	}
	return ptr;
}

void gpu_buffer_unmap(struct gpu_buffer *buffer, void *map_data) {
	if (map_data) {
		gbm_bo_unmap(buffer->bo, map_data);
	}
}

bool gpu_allocator_supported(struct gpu_allocator *alloc, const uint32_t *formats, size_t n,
		uint32_t usage, struct gpu_format_set *out) {
	for (size_t i = 0; i < n; i++) {
		if (gbm_device_is_format_supported(alloc->gbm, formats[i], gbm_flags(usage))) {
			if (!gpu_format_set_add(out, formats[i], DRM_FORMAT_MOD_INVALID, false)) {
				return false;
			}
		}
	}
	return true;
}
