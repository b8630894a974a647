#ifndef GPU_FORMATS_H
#define GPU_FORMATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A set of (DRM fourcc, modifier) pairs: what a display plane can scan out, what the
 * renderer can render to or sample from. Negotiation is an intersection.
 */
struct gpu_format_pair {
	uint32_t format;
	uint64_t modifier;
	bool external_only; // EGL: sampled only through GL_TEXTURE_EXTERNAL_OES
};

struct gpu_format_set {
	struct gpu_format_pair *pairs; // owned
	size_t n, cap;
};

void gpu_format_set_init(struct gpu_format_set *set);
void gpu_format_set_finish(struct gpu_format_set *set);
/** Adds a pair once; false when out of memory. */
bool gpu_format_set_add(struct gpu_format_set *set, uint32_t format, uint64_t modifier,
	bool external_only);
bool gpu_format_set_has(const struct gpu_format_set *set, uint32_t format, uint64_t modifier);
bool gpu_format_set_has_format(const struct gpu_format_set *set, uint32_t format);
/** out (initialised by the caller, emptied first) = pairs in both a and b, not external-only in b. */
bool gpu_format_set_intersect(const struct gpu_format_set *a, const struct gpu_format_set *b,
	struct gpu_format_set *out);
/** The modifiers of one format in the set, up to max; returns how many there are. */
size_t gpu_format_set_modifiers(const struct gpu_format_set *set, uint32_t format,
	uint64_t *out, size_t max);

/** "XR24" style fourcc text into buf (5 bytes at least); returns buf. */
const char *gpu_fourcc_str(uint32_t format, char *buf, size_t size);
/** A modifier as text: "LINEAR", "INVALID", or 0x.... */
const char *gpu_modifier_str(uint64_t modifier, char *buf, size_t size);
/** Bytes per pixel of a single-plane RGB format; 0 for others. */
int gpu_format_bpp(uint32_t format);

#endif
