#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <drm_fourcc.h>
#include "gpu/formats.h"

void gpu_format_set_init(struct gpu_format_set *set) {
	memset(set, 0, sizeof(*set));
}

void gpu_format_set_finish(struct gpu_format_set *set) {
	free(set->pairs);
	memset(set, 0, sizeof(*set));
}

bool gpu_format_set_has(const struct gpu_format_set *set, uint32_t format, uint64_t modifier) {
	for (size_t i = 0; i < set->n; i++) {
		if (set->pairs[i].format == format && set->pairs[i].modifier == modifier) {
			return true;
		}
	}
	return false;
}

bool gpu_format_set_has_format(const struct gpu_format_set *set, uint32_t format) {
	for (size_t i = 0; i < set->n; i++) {
		if (set->pairs[i].format == format) {
			return true;
		}
	}
	return false;
}

bool gpu_format_set_add(struct gpu_format_set *set, uint32_t format, uint64_t modifier,
		bool external_only) {
	if (gpu_format_set_has(set, format, modifier)) {
		return true;
	}
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 16;
		struct gpu_format_pair *pairs = realloc(set->pairs, cap * sizeof(*pairs));
		if (!pairs) {
			return false;
		}
		set->pairs = pairs;
		set->cap = cap;
	}
	set->pairs[set->n++] = (struct gpu_format_pair){format, modifier, external_only};
	return true;
}

bool gpu_format_set_intersect(const struct gpu_format_set *a, const struct gpu_format_set *b,
		struct gpu_format_set *out) {
	out->n = 0;
	for (size_t i = 0; i < a->n; i++) {
		for (size_t j = 0; j < b->n; j++) {
			const struct gpu_format_pair *pa = &a->pairs[i], *pb = &b->pairs[j];
			if (pa->format == pb->format && pa->modifier == pb->modifier &&
					!pb->external_only) {
				if (!gpu_format_set_add(out, pa->format, pa->modifier, false)) {
					return false;
				}
			}
		}
	}
	return true;
}

size_t gpu_format_set_modifiers(const struct gpu_format_set *set, uint32_t format,
		uint64_t *out, size_t max) {
	size_t n = 0;
	for (size_t i = 0; i < set->n; i++) {
		if (set->pairs[i].format == format) {
			if (n < max) {
				out[n] = set->pairs[i].modifier;
			}
			n++;
		}
	}
	return n;
}

const char *gpu_fourcc_str(uint32_t format, char *buf, size_t size) {
	char c[4];
	for (int i = 0; i < 4; i++) {
		char ch = (char)((format >> (8 * i)) & 0xff);
		c[i] = ch >= 0x20 && ch < 0x7f ? ch : '?';
	}
	snprintf(buf, size, "%c%c%c%c", c[0], c[1], c[2], c[3]);
	return buf;
}

const char *gpu_modifier_str(uint64_t modifier, char *buf, size_t size) {
	if (modifier == DRM_FORMAT_MOD_LINEAR) {
		snprintf(buf, size, "LINEAR");
	} else if (modifier == DRM_FORMAT_MOD_INVALID) {
		snprintf(buf, size, "INVALID");
	} else {
		snprintf(buf, size, "0x%016llx", (unsigned long long)modifier);
	}
	return buf;
}

int gpu_format_bpp(uint32_t format) {
	switch (format) {
	case DRM_FORMAT_XRGB8888:
	case DRM_FORMAT_ARGB8888:
	case DRM_FORMAT_XBGR8888:
	case DRM_FORMAT_ABGR8888:
	case DRM_FORMAT_RGBX8888:
	case DRM_FORMAT_RGBA8888:
	case DRM_FORMAT_BGRX8888:
	case DRM_FORMAT_BGRA8888:
	case DRM_FORMAT_XRGB2101010:
	case DRM_FORMAT_ARGB2101010:
	case DRM_FORMAT_XBGR2101010:
	case DRM_FORMAT_ABGR2101010:
		return 4;
	case DRM_FORMAT_RGB888:
	case DRM_FORMAT_BGR888:
		return 3;
	case DRM_FORMAT_RGB565:
	case DRM_FORMAT_BGR565:
	case DRM_FORMAT_XRGB1555:
	case DRM_FORMAT_ARGB1555:
	case DRM_FORMAT_XRGB4444:
	case DRM_FORMAT_ARGB4444:
		return 2;
	case DRM_FORMAT_C8:
	case DRM_FORMAT_R8:
		return 1;
	case DRM_FORMAT_XRGB16161616F:
	case DRM_FORMAT_ARGB16161616F:
	case DRM_FORMAT_XBGR16161616F:
	case DRM_FORMAT_ABGR16161616F:
		return 8;
	default:
		return 0;
	}
}
