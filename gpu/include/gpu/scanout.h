#ifndef GPU_SCANOUT_H
#define GPU_SCANOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gpu/allocator.h"
#include "gpu/formats.h"

/*
 * What a display server needs of the GPU layer: scanout buffers whose layout both the
 * plane and the renderer accept, and framebuffers (KMS) for its own buffers and for
 * clients' dmabufs.
 */

/**
 * The modifiers of format for a scanout buffer: those the plane scans out (IN_FORMATS)
 * that the renderer can render (renderer may be NULL: it takes only LINEAR, as a CPU
 * renderer writing through a mapping does), LINEAR first. Returns how many are in out
 * (at most max); 0 when the two share none.
 */
size_t gpu_scanout_modifiers(const struct gpu_format_set *plane,
	const struct gpu_format_set *renderer, uint32_t format, uint64_t *out, size_t max);

/**
 * A KMS framebuffer for a GBM buffer allocated or imported on fd (the allocator's fd or
 * one sharing its file description). with_modifiers: the device takes AddFB2 with
 * modifiers (DRM_CAP_ADDFB2_MODIFIERS). False with the reason in why.
 */
bool gpu_buffer_add_fb(int fd, const struct gpu_buffer *buffer, bool with_modifiers,
	uint32_t *fb_id, char *why, size_t why_size);

/**
 * A KMS framebuffer for a dmabuf (its fds stay the caller's): imported through GBM where
 * there is an allocator on fd, else (or where GBM refuses it) by PRIME. The GEM handles go again once the
 * framebuffer holds the buffer.
 */
bool gpu_dmabuf_add_fb(int fd, struct gpu_allocator *alloc, const struct gpu_dmabuf *dmabuf,
	bool with_modifiers, uint32_t *fb_id, char *why, size_t why_size);

#endif
