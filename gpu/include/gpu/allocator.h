#ifndef GPU_ALLOCATOR_H
#define GPU_ALLOCATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gbm_device;
struct gbm_bo;
struct gpu_format_set;

#define GPU_DMABUF_MAX_PLANES 4

/** A dmabuf as planes of fds; the fds are owned by whoever holds the struct. */
struct gpu_dmabuf {
	int32_t width, height;
	uint32_t format;
	uint64_t modifier;
	int n_planes;
	int fds[GPU_DMABUF_MAX_PLANES];
	uint32_t offsets[GPU_DMABUF_MAX_PLANES];
	uint32_t strides[GPU_DMABUF_MAX_PLANES];
};

/** Closes the fds (those >= 0) and marks them -1. */
void gpu_dmabuf_finish(struct gpu_dmabuf *dmabuf);

/** A GBM device on a DRM fd (which is dup'ed: the caller keeps its own). */
struct gpu_allocator {
	int fd;
	struct gbm_device *gbm;
	char backend[32]; // gbm_device_get_backend_name
};

enum gpu_buffer_usage {
	GPU_BUFFER_SCANOUT = 1 << 0,
	GPU_BUFFER_RENDER = 1 << 1,
	GPU_BUFFER_LINEAR = 1 << 2,
	GPU_BUFFER_WRITE = 1 << 3, // gbm_bo_write (cursors); Mesa then makes a bare dumb buffer that cannot be exported
};

struct gpu_buffer {
	struct gbm_bo *bo;
	int32_t width, height;
	uint32_t format;
	uint64_t modifier;
	int n_planes;
	uint32_t strides[GPU_DMABUF_MAX_PLANES];
	uint32_t offsets[GPU_DMABUF_MAX_PLANES];
	uint32_t handle; // GEM handle of plane 0 on the allocator's fd
	uint32_t handles[GPU_DMABUF_MAX_PLANES]; // GEM handle of each plane
};

/** Returns NULL with a reason in why when GBM cannot open the device. */
struct gpu_allocator *gpu_allocator_create(int drm_fd, char *why, size_t why_size);
void gpu_allocator_destroy(struct gpu_allocator *alloc);

/**
 * Allocates a buffer. With modifiers (n_modifiers > 0) GBM picks one of them; without,
 * the usage flags decide (GPU_BUFFER_LINEAR forces a linear layout). NULL on failure,
 * with errno's text in why.
 */
struct gpu_buffer *gpu_buffer_create(struct gpu_allocator *alloc, int32_t width,
	int32_t height, uint32_t format, const uint64_t *modifiers, size_t n_modifiers,
	uint32_t usage, char *why, size_t why_size);
/** Imports a dmabuf (the fds stay the caller's). */
struct gpu_buffer *gpu_buffer_import(struct gpu_allocator *alloc, const struct gpu_dmabuf *dmabuf,
	uint32_t usage, char *why, size_t why_size);
void gpu_buffer_destroy(struct gpu_buffer *buffer);
/** Exports every plane as a new fd into out (the caller owns them). */
bool gpu_buffer_export(struct gpu_buffer *buffer, struct gpu_dmabuf *out);

/**
 * Maps the buffer for CPU access (gbm_bo_map: a linear view, copied through a staging
 * buffer where the layout is tiled). *stride receives the row pitch; unmap with
 * gpu_buffer_unmap(buffer, map_data).
 */
void *gpu_buffer_map(struct gpu_buffer *buffer, bool write, uint32_t *stride, void **map_data);
void gpu_buffer_unmap(struct gpu_buffer *buffer, void *map_data);
/**
 * Maps a rectangle of the buffer (x, y, w, h inside it) for reading and/or writing; the
 * pointer is the rectangle's top-left pixel. Writes reach the buffer on unmap (GBM
 * flushes there: a driver that copies through a staging buffer, virgl, uploads then).
 */
void *gpu_buffer_map_rect(struct gpu_buffer *buffer, int32_t x, int32_t y, int32_t w,
	int32_t h, bool read, bool write, uint32_t *stride, void **map_data);

/**
 * The pairs of formats in `formats` that GBM reports usable for the usage (modifier
 * INVALID when GBM cannot say which), added to out.
 */
bool gpu_allocator_supported(struct gpu_allocator *alloc, const uint32_t *formats, size_t n,
	uint32_t usage, struct gpu_format_set *out);

#endif
