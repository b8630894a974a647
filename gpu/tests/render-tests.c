/*
 * EGL/GLES and GBM/dmabuf tests: on the device's render node when there is one, else on
 * llvmpipe through EGL surfaceless (where the GBM tests skip: GBM needs a device).
 * Rendered pixels are compared with pixman's rendering of the same scene.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <drm_fourcc.h>
#include <pixman.h>
#include "gpu/allocator.h"
#include "gpu/caps.h"
#include "gpu/egl.h"
#include "gpu/formats.h"
#include "gpu/render.h"
#include "harness.h"

#define SCENE_W 256
#define SCENE_H 192
/* GL blends in floating point, pixman in 8-bit integers with its own rounding: a channel
 * may differ by this much. */
#define SCENE_TOLERANCE 2

static enum gt_result need_render(struct gt_ctx *ctx) {
	if (!gt_get_render(ctx)) {
		return gt_fail(ctx, "no EGL: %s", ctx->egl_why);
	}
	return GT_PASS;
}

static enum gt_result need_gbm(struct gt_ctx *ctx) {
	gt_get_render(ctx);
	if (!ctx->alloc) {
		return gt_skip(ctx, "no GBM: %s", ctx->alloc_why);
	}
	if (!ctx->egl) {
		return gt_fail(ctx, "no EGL: %s", ctx->egl_why);
	}
	return GT_PASS;
}

/* A texture image: a premultiplied checker of translucent blue and opaque yellow. */
static void texture_pixels(uint32_t *p, int32_t w, int32_t h) {
	for (int32_t y = 0; y < h; y++) {
		for (int32_t x = 0; x < w; x++) {
			bool a = ((x / 4) + (y / 4)) % 2 == 0;
			p[(size_t)y * (size_t)w + (size_t)x] = a ? 0x80000080 : 0xffffff00;
		}
	}
}

struct scene_rect {
	int32_t x, y, w, h;
	uint32_t argb; // straight alpha
};
static const struct scene_rect scene_rects[] = {
	{16, 16, 100, 60, 0xffff0000},
	{60, 40, 120, 80, 0x8000ff00},
	{0, 150, 256, 20, 0x40ffffff},
	{200, 10, 40, 170, 0xc0000000},
};
#define TEX_W 32
#define TEX_H 24

static void scene_gl(struct gpu_renderer *r, struct gpu_target *t, GLuint tex) {
	gpu_render_begin(r, t);
	gpu_render_clear(r, 0xff102030);
	for (size_t i = 0; i < sizeof(scene_rects) / sizeof(scene_rects[0]); i++) {
		const struct scene_rect *s = &scene_rects[i];
		gpu_render_rect(r, t, s->x, s->y, s->w, s->h, s->argb);
	}
	gpu_render_texture(r, t, tex, false, 140, 100, TEX_W, TEX_H, 1.0f);
	gpu_render_texture(r, t, tex, false, 20, 90, TEX_W * 2, TEX_H * 2, 1.0f);
}

static pixman_color_t pixman_color(uint32_t argb) {
	uint32_t a = argb >> 24;
	/* premultiplied 16-bit */
	uint32_t r = ((argb >> 16) & 0xff) * a / 255, g = ((argb >> 8) & 0xff) * a / 255,
		 b = (argb & 0xff) * a / 255;
	return (pixman_color_t){(uint16_t)(r * 257), (uint16_t)(g * 257), (uint16_t)(b * 257),
		(uint16_t)(a * 257)};
}

static void scene_pixman(uint32_t *dst, int32_t stride, const uint32_t *tex_pixels) {
	pixman_image_t *img =
		pixman_image_create_bits(PIXMAN_a8r8g8b8, SCENE_W, SCENE_H, dst, stride);
	pixman_color_t bg = pixman_color(0xff102030);
	pixman_box32_t all = {0, 0, SCENE_W, SCENE_H};
	pixman_image_fill_boxes(PIXMAN_OP_SRC, img, &bg, 1, &all);
	for (size_t i = 0; i < sizeof(scene_rects) / sizeof(scene_rects[0]); i++) {
		const struct scene_rect *s = &scene_rects[i];
		pixman_color_t c = pixman_color(s->argb);
		pixman_box32_t box = {s->x, s->y, s->x + s->w, s->y + s->h};
		pixman_image_fill_boxes(PIXMAN_OP_OVER, img, &c, 1, &box);
	}
	pixman_image_t *tex = pixman_image_create_bits(PIXMAN_a8r8g8b8, TEX_W, TEX_H,
		(uint32_t *)tex_pixels, TEX_W * 4);
	pixman_image_composite32(PIXMAN_OP_OVER, tex, NULL, img, 0, 0, 0, 0, 140, 100, TEX_W, TEX_H);
	pixman_transform_t half;
	pixman_transform_init_scale(&half, pixman_double_to_fixed(0.5), pixman_double_to_fixed(0.5));
	pixman_image_set_transform(tex, &half);
	pixman_image_set_filter(tex, PIXMAN_FILTER_NEAREST, NULL, 0);
	pixman_image_composite32(PIXMAN_OP_OVER, tex, NULL, img, 0, 0, 0, 0, 20, 90, TEX_W * 2,
		TEX_H * 2);
	pixman_image_unref(tex);
	pixman_image_unref(img);
}

static enum gt_result compare_scene(struct gt_ctx *ctx, const uint32_t *got, int32_t stride,
		const char *what) {
	uint32_t tex[TEX_W * TEX_H];
	texture_pixels(tex, TEX_W, TEX_H);
	uint32_t *want = calloc(SCENE_W * SCENE_H, 4);
	if (!want) {
		return gt_fail(ctx, "out of memory");
	}
	scene_pixman(want, SCENE_W * 4, tex);
	struct gt_diff diff;
	gt_compare(got, stride, want, SCENE_W * 4, SCENE_W, SCENE_H, true, SCENE_TOLERANCE, &diff);
	free(want);
	gt_diag("%s: largest channel difference from pixman %d (tolerance %d)", what, diff.max_diff,
		SCENE_TOLERANCE);
	if (diff.over) {
		return gt_fail(ctx, "%s: %zu pixels differ from pixman by more than %d, first at %d,%d: "
			"%08x, not %08x", what, diff.over, SCENE_TOLERANCE, diff.first_x, diff.first_y,
			diff.got, diff.want);
	}
	return gt_pass(ctx, "%s matches pixman within %d (largest difference %d)", what,
		SCENE_TOLERANCE, diff.max_diff);
}

static enum gt_result test_context(struct gt_ctx *ctx) {
	enum gt_result r = need_render(ctx);
	if (r != GT_PASS) {
		return r;
	}
	struct gpu_egl *egl = ctx->egl;
	gt_diag("EGL %s (%s), platform %s", egl->egl_version, egl->egl_vendor,
		egl->surfaceless ? "surfaceless" : "gbm");
	gt_diag("GL_RENDERER %s; GL_VERSION %s", egl->gl_renderer, egl->gl_version);
	if (egl->gles_major < 2) {
		return gt_fail(ctx, "GLES %d.%d", egl->gles_major, egl->gles_minor);
	}
	return gt_pass(ctx, "GLES %d.%d on %s", egl->gles_major, egl->gles_minor, egl->gl_renderer);
}

static enum gt_result test_scene(struct gt_ctx *ctx) {
	enum gt_result r = need_render(ctx);
	if (r != GT_PASS) {
		return r;
	}
	char why[256];
	struct gpu_target t;
	if (!gpu_target_init(&t, ctx->renderer, SCENE_W, SCENE_H, why, sizeof(why))) {
		return gt_fail(ctx, "%s", why);
	}
	uint32_t tex_px[TEX_W * TEX_H];
	texture_pixels(tex_px, TEX_W, TEX_H);
	GLuint tex = gpu_texture_from_argb(ctx->renderer, tex_px, TEX_W, TEX_H, TEX_W * 4);
	uint32_t *got = calloc(SCENE_W * SCENE_H, 4);
	if (!tex || !got) {
		free(got);
		gpu_target_finish(&t, ctx->renderer);
		return gt_fail(ctx, "texture upload failed");
	}
	scene_gl(ctx->renderer, &t, tex);
	bool read = gpu_target_read(ctx->renderer, &t, got, SCENE_W * 4);
	glDeleteTextures(1, &tex);
	gpu_target_finish(&t, ctx->renderer);
	r = read ? compare_scene(ctx, got, SCENE_W * 4, "GLES scene") : gt_fail(ctx, "readback failed");
	free(got);
	return r;
}

static enum gt_result test_texture_roundtrip(struct gt_ctx *ctx) {
	enum gt_result r = need_render(ctx);
	if (r != GT_PASS) {
		return r;
	}
	const int32_t w = 97, h = 61; // odd sizes: no row padding assumed
	uint32_t *src = calloc((size_t)w * h, 4), *got = calloc((size_t)w * h, 4);
	if (!src || !got) {
		free(src);
		free(got);
		return gt_fail(ctx, "out of memory");
	}
	gt_pattern(src, w, h, w * 4, 77);
	char why[256];
	struct gpu_target t;
	if (!gpu_target_init(&t, ctx->renderer, w, h, why, sizeof(why))) {
		free(src);
		free(got);
		return gt_fail(ctx, "%s", why);
	}
	GLuint tex = gpu_texture_from_argb(ctx->renderer, src, w, h, w * 4);
	gpu_render_begin(ctx->renderer, &t);
	gpu_render_clear(ctx->renderer, 0);
	gpu_render_texture(ctx->renderer, &t, tex, false, 0, 0, w, h, 1.0f);
	bool read = gpu_target_read(ctx->renderer, &t, got, w * 4);
	glDeleteTextures(1, &tex);
	gpu_target_finish(&t, ctx->renderer);
	struct gt_diff diff;
	gt_compare(got, w * 4, src, w * 4, w, h, true, 0, &diff);
	free(src);
	free(got);
	if (!read) {
		return gt_fail(ctx, "readback failed");
	}
	if (diff.over) {
		return gt_fail(ctx, "%zu pixels changed, first at %d,%d: %08x, not %08x", diff.over,
			diff.first_x, diff.first_y, diff.got, diff.want);
	}
	return gt_pass(ctx, "%dx%d texture drawn 1:1 and read back exactly", w, h);
}

static enum gt_result test_fence(struct gt_ctx *ctx) {
	enum gt_result r = need_render(ctx);
	if (r != GT_PASS) {
		return r;
	}
	struct gpu_egl *egl = ctx->egl;
	if (!egl->has_native_fence) {
		return gt_skip(ctx, "explicit sync not offered: EGL lacks EGL_ANDROID_native_fence_sync "
			"(%s)", egl->surfaceless ? "surfaceless llvmpipe has no kernel fences" : egl->gl_renderer);
	}
	char why[256];
	struct gpu_target t;
	if (!gpu_target_init(&t, ctx->renderer, 64, 64, why, sizeof(why))) {
		return gt_fail(ctx, "%s", why);
	}
	gpu_render_begin(ctx->renderer, &t);
	gpu_render_clear(ctx->renderer, 0xff00ff00);
	int fd = gpu_egl_fence_export(egl);
	if (fd < 0) {
		gpu_target_finish(&t, ctx->renderer);
		return gt_fail(ctx, "EGL_ANDROID_native_fence_sync is listed but gave no sync_file");
	}
	/* A sync_file is pollable: readable once signalled. */
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	int n = poll(&pfd, 1, 10000);
	bool waited = gpu_egl_fence_import_wait(egl, fd);
	gpu_target_finish(&t, ctx->renderer);
	if (n != 1 || !(pfd.revents & POLLIN)) {
		return gt_fail(ctx, "the sync_file never signalled (poll %d, revents 0x%x)", n, pfd.revents);
	}
	if (!waited) {
		return gt_fail(ctx, "importing the sync_file for a GPU wait failed");
	}
	return gt_pass(ctx, "a sync_file exported, signalled, and imported for a GPU wait");
}

static enum gt_result test_dmabuf_formats(struct gt_ctx *ctx) {
	enum gt_result r = need_render(ctx);
	if (r != GT_PASS) {
		return r;
	}
	struct gpu_egl *egl = ctx->egl;
	if (!egl->has_dmabuf_import) {
		return gt_skip(ctx, "EGL lacks EGL_EXT_image_dma_buf_import (%s)",
			egl->surfaceless ? "surfaceless llvmpipe imports no dmabufs" : egl->gl_renderer);
	}
	struct gpu_format_set set;
	gpu_format_set_init(&set);
	gpu_egl_dmabuf_formats(egl, &set);
	bool xrgb = gpu_format_set_has_format(&set, DRM_FORMAT_XRGB8888);
	bool argb = gpu_format_set_has_format(&set, DRM_FORMAT_ARGB8888);
	size_t n = set.n;
	gpu_format_set_finish(&set);
	gt_diag("%zu format/modifier pairs importable%s", n,
		egl->has_dmabuf_modifiers ? "" : " (no modifier query: implicit layouts)");
	if (!xrgb || !argb) {
		return gt_fail(ctx, "XRGB8888 or ARGB8888 is not importable");
	}
	return gt_pass(ctx, "%zu pairs, XRGB8888 and ARGB8888 among them", n);
}

/* GBM */

static const uint32_t gbm_formats[] = {DRM_FORMAT_XRGB8888, DRM_FORMAT_ARGB8888,
	DRM_FORMAT_XBGR8888, DRM_FORMAT_ABGR8888, DRM_FORMAT_RGB565};

static bool write_pattern(struct gpu_buffer *bo, uint32_t seed, uint32_t *ref, int32_t ref_stride) {
	uint32_t stride = 0;
	void *data = NULL;
	uint8_t *map = gpu_buffer_map(bo, true, &stride, &data);
	if (!map) {
		return false;
	}
	int bpp = gpu_format_bpp(bo->format);
	gt_pattern(ref, bo->width, bo->height, ref_stride, seed);
	for (int32_t y = 0; y < bo->height; y++) {
		uint8_t *row = map + (size_t)y * stride;
		const uint32_t *src = (const uint32_t *)((const uint8_t *)ref + (size_t)y * (size_t)ref_stride);
		if (bpp == 4) {
			memcpy(row, src, (size_t)bo->width * 4);
		} else {
			for (int32_t x = 0; x < bo->width; x++) {
				uint16_t v = (uint16_t)((src[x] >> 8 & 0xf800) | (src[x] >> 5 & 0x07e0) |
					(src[x] >> 3 & 0x001f));
				memcpy(row + (size_t)x * 2, &v, 2);
			}
		}
	}
	gpu_buffer_unmap(bo, data);
	return true;
}

/* Compares a buffer's bytes with what write_pattern put there. */
static bool check_pattern(struct gpu_buffer *bo, const uint32_t *ref, int32_t ref_stride,
		char *why, size_t size) {
	uint32_t stride = 0;
	void *data = NULL;
	const uint8_t *map = gpu_buffer_map(bo, false, &stride, &data);
	if (!map) {
		snprintf(why, size, "gbm_bo_map for reading failed");
		return false;
	}
	int bpp = gpu_format_bpp(bo->format);
	bool ok = true;
	for (int32_t y = 0; ok && y < bo->height; y++) {
		const uint8_t *row = map + (size_t)y * stride;
		const uint32_t *src = (const uint32_t *)((const uint8_t *)ref + (size_t)y * (size_t)ref_stride);
		for (int32_t x = 0; ok && x < bo->width; x++) {
			uint32_t got, want;
			if (bpp == 4) {
				memcpy(&got, row + (size_t)x * 4, 4);
				want = src[x];
			} else {
				uint16_t v;
				memcpy(&v, row + (size_t)x * 2, 2);
				got = v;
				want = (src[x] >> 8 & 0xf800) | (src[x] >> 5 & 0x07e0) | (src[x] >> 3 & 0x001f);
			}
			if (got != want) {
				snprintf(why, size, "at %d,%d: %08x, not %08x", x, y, got, want);
				ok = false;
			}
		}
	}
	gpu_buffer_unmap(bo, data);
	return ok;
}

static enum gt_result test_gbm_alloc(struct gt_ctx *ctx) {
	enum gt_result r = need_gbm(ctx);
	if (r != GT_PASS) {
		return r;
	}
	const int32_t w = 200, h = 120;
	uint32_t *ref = calloc((size_t)w * h, 4);
	if (!ref) {
		return gt_fail(ctx, "out of memory");
	}
	int tested = 0;
	r = GT_PASS;
	for (size_t i = 0; i < sizeof(gbm_formats) / sizeof(gbm_formats[0]) && r == GT_PASS; i++) {
		char fc[8], why[256] = "";
		gpu_fourcc_str(gbm_formats[i], fc, sizeof(fc));
		struct gpu_buffer *bo = gpu_buffer_create(ctx->alloc, w, h, gbm_formats[i], NULL, 0,
			GPU_BUFFER_RENDER | GPU_BUFFER_LINEAR, why, sizeof(why));
		if (!bo) {
			bool must = gbm_formats[i] == DRM_FORMAT_XRGB8888 || gbm_formats[i] == DRM_FORMAT_ARGB8888;
			gt_diag("%s: not allocated (%s)%s", fc, why, must ? "" : ", optional");
			if (must) {
				r = gt_fail(ctx, "%s: %s", fc, why);
			}
			continue;
		}
		char mod[24];
		if (!write_pattern(bo, (uint32_t)i, ref, w * 4)) {
			r = gt_fail(ctx, "%s: gbm_bo_map for writing failed", fc);
		} else if (!check_pattern(bo, ref, w * 4, why, sizeof(why))) {
			r = gt_fail(ctx, "%s: read back differs %s", fc, why);
		} else {
			gt_diag("%s: %dx%d stride %u modifier %s, written and read back", fc, w, h,
				bo->strides[0], gpu_modifier_str(bo->modifier, mod, sizeof(mod)));
			tested++;
		}
		gpu_buffer_destroy(bo);
	}
	free(ref);
	if (r != GT_PASS) {
		return r;
	}
	return gt_pass(ctx, "%d formats allocated, mapped, read back", tested);
}

static enum gt_result test_gbm_export_import(struct gt_ctx *ctx) {
	enum gt_result r = need_gbm(ctx);
	if (r != GT_PASS) {
		return r;
	}
	const int32_t w = 128, h = 96;
	uint32_t ref[128 * 96];
	char why[256] = "";
	struct gpu_buffer *bo = gpu_buffer_create(ctx->alloc, w, h, DRM_FORMAT_XRGB8888, NULL, 0,
		GPU_BUFFER_RENDER | GPU_BUFFER_LINEAR, why, sizeof(why));
	if (!bo) {
		return gt_fail(ctx, "%s", why);
	}
	struct gpu_dmabuf dmabuf;
	struct gpu_buffer *imported = NULL;
	if (!write_pattern(bo, 5, ref, w * 4)) {
		r = gt_fail(ctx, "map failed");
	} else if (!gpu_buffer_export(bo, &dmabuf)) {
		r = gt_fail(ctx, "export failed");
	} else {
		imported = gpu_buffer_import(ctx->alloc, &dmabuf, GPU_BUFFER_RENDER, why, sizeof(why));
		gpu_dmabuf_finish(&dmabuf);
		if (!imported) {
			r = gt_fail(ctx, "%s", why);
		} else if (!check_pattern(imported, ref, w * 4, why, sizeof(why))) {
			r = gt_fail(ctx, "the imported buffer reads %s", why);
		} else {
			r = gt_pass(ctx, "exported as a dmabuf, imported, the same pixels");
		}
	}
	gpu_buffer_destroy(imported);
	gpu_buffer_destroy(bo);
	return r;
}

static enum gt_result test_gbm_egl_texture(struct gt_ctx *ctx) {
	enum gt_result r = need_gbm(ctx);
	if (r != GT_PASS) {
		return r;
	}
	if (!ctx->egl->has_dmabuf_import || !ctx->egl->has_image_oes) {
		return gt_fail(ctx, "EGL cannot import dmabufs as textures (%s%s)",
			ctx->egl->has_dmabuf_import ? "" : "no EGL_EXT_image_dma_buf_import ",
			ctx->egl->has_image_oes ? "" : "no GL_OES_EGL_image");
	}
	const int32_t w = 128, h = 96;
	uint32_t ref[128 * 96], got[128 * 96];
	char why[256] = "";
	struct gpu_buffer *bo = gpu_buffer_create(ctx->alloc, w, h, DRM_FORMAT_ARGB8888, NULL, 0,
		GPU_BUFFER_RENDER | GPU_BUFFER_LINEAR, why, sizeof(why));
	if (!bo) {
		return gt_fail(ctx, "%s", why);
	}
	struct gpu_dmabuf dmabuf = {.n_planes = 0};
	EGLImageKHR image = EGL_NO_IMAGE_KHR;
	GLuint tex = 0;
	struct gpu_target t = {.fbo = 0};
	bool have_target = false;
	if (!write_pattern(bo, 11, ref, w * 4) || !gpu_buffer_export(bo, &dmabuf)) {
		r = gt_fail(ctx, "map or export failed");
		goto out;
	}
	image = gpu_egl_import_dmabuf(ctx->egl, &dmabuf, why, sizeof(why));
	if (image == EGL_NO_IMAGE_KHR) {
		r = gt_fail(ctx, "%s", why);
		goto out;
	}
	tex = gpu_texture_from_image(ctx->renderer, image, false);
	if (!tex) {
		r = gt_fail(ctx, "glEGLImageTargetTexture2DOES failed");
		goto out;
	}
	if (!gpu_target_init(&t, ctx->renderer, w, h, why, sizeof(why))) {
		r = gt_fail(ctx, "%s", why);
		goto out;
	}
	have_target = true;
	gpu_render_begin(ctx->renderer, &t);
	gpu_render_clear(ctx->renderer, 0);
	glDisable(GL_BLEND); // copy, alpha and all
	gpu_render_texture(ctx->renderer, &t, tex, false, 0, 0, w, h, 1.0f);
	if (!gpu_target_read(ctx->renderer, &t, got, w * 4)) {
		r = gt_fail(ctx, "readback failed");
		goto out;
	}
	struct gt_diff diff;
	gt_compare(got, w * 4, ref, w * 4, w, h, true, 0, &diff);
	if (diff.over) {
		r = gt_fail(ctx, "%zu pixels differ, first at %d,%d: %08x, not %08x", diff.over,
			diff.first_x, diff.first_y, diff.got, diff.want);
	} else {
		r = gt_pass(ctx, "a GBM buffer sampled by GLES through an EGLImage, exactly");
	}
out:
	if (have_target) {
		gpu_target_finish(&t, ctx->renderer);
	}
	if (tex) {
		glDeleteTextures(1, &tex);
	}
	if (image != EGL_NO_IMAGE_KHR) {
		ctx->egl->destroy_image(ctx->egl->display, image);
	}
	gpu_dmabuf_finish(&dmabuf);
	gpu_buffer_destroy(bo);
	return r;
}

static enum gt_result test_gbm_egl_render(struct gt_ctx *ctx) {
	enum gt_result r = need_gbm(ctx);
	if (r != GT_PASS) {
		return r;
	}
	if (!ctx->egl->has_dmabuf_import) {
		return gt_fail(ctx, "EGL lacks EGL_EXT_image_dma_buf_import");
	}
	char why[256] = "";
	struct gpu_buffer *bo = gpu_buffer_create(ctx->alloc, SCENE_W, SCENE_H, DRM_FORMAT_ARGB8888,
		NULL, 0, GPU_BUFFER_RENDER | GPU_BUFFER_LINEAR, why, sizeof(why));
	if (!bo) {
		return gt_fail(ctx, "%s", why);
	}
	struct gpu_dmabuf dmabuf = {.n_planes = 0};
	struct gpu_target t;
	uint32_t *got = calloc(SCENE_W * SCENE_H, 4);
	uint32_t tex_px[TEX_W * TEX_H];
	texture_pixels(tex_px, TEX_W, TEX_H);
	if (!got || !gpu_buffer_export(bo, &dmabuf)) {
		r = gt_fail(ctx, "export failed");
		goto out;
	}
	if (!gpu_target_init_dmabuf(&t, ctx->renderer, &dmabuf, why, sizeof(why))) {
		r = gt_fail(ctx, "%s", why);
		goto out;
	}
	GLuint tex = gpu_texture_from_argb(ctx->renderer, tex_px, TEX_W, TEX_H, TEX_W * 4);
	scene_gl(ctx->renderer, &t, tex);
	gpu_egl_finish(ctx->egl);
	glDeleteTextures(1, &tex);
	gpu_target_finish(&t, ctx->renderer);
	/* Read through GBM's map: the bytes in the dmabuf, not GL's view of them. */
	uint32_t stride = 0;
	void *data = NULL;
	const uint8_t *map = gpu_buffer_map(bo, false, &stride, &data);
	if (!map) {
		r = gt_fail(ctx, "gbm_bo_map failed");
		goto out;
	}
	for (int32_t y = 0; y < SCENE_H; y++) {
		memcpy(got + (size_t)y * SCENE_W, map + (size_t)y * stride, SCENE_W * 4);
	}
	gpu_buffer_unmap(bo, data);
	r = compare_scene(ctx, got, SCENE_W * 4, "scene rendered into a GBM dmabuf");
out:
	free(got);
	gpu_dmabuf_finish(&dmabuf);
	gpu_buffer_destroy(bo);
	return r;
}

static enum gt_result test_negotiate(struct gt_ctx *ctx) {
	enum gt_result r = need_gbm(ctx);
	if (r != GT_PASS) {
		return r;
	}
	struct gpu_format_set scanout, render, both;
	gpu_format_set_init(&scanout);
	gpu_format_set_init(&render);
	gpu_format_set_init(&both);
	int fd = gt_get_kms(ctx);
	if (fd >= 0) {
		gpu_kms_scanout_formats(fd, &scanout);
	}
	gpu_egl_dmabuf_formats(ctx->egl, &render);
	/* Modifier INVALID on either side (implicit layout) pairs with LINEAR on the other. */
	for (size_t i = 0; i < render.n; i++) {
		if (render.pairs[i].modifier == DRM_FORMAT_MOD_INVALID) {
			gpu_format_set_add(&render, render.pairs[i].format, DRM_FORMAT_MOD_LINEAR, false);
		}
	}
	gpu_format_set_intersect(&scanout, &render, &both);
	uint64_t mods[32];
	size_t n_mods = gpu_format_set_modifiers(&both, DRM_FORMAT_XRGB8888, mods, 32);
	gt_diag("scanout %zu pairs, renderable %zu, both %zu; XRGB8888 with %zu modifiers",
		scanout.n, render.n, both.n, n_mods);
	char why[256] = "";
	if (fd < 0) {
		r = gt_skip(ctx, "no KMS device to scan out: %s", ctx->kms_why);
	} else if (n_mods == 0) {
		r = gt_fail(ctx, "no modifier of XRGB8888 both scanned out and rendered");
	} else {
		struct gpu_buffer *bo = gpu_buffer_create(ctx->alloc, 256, 256, DRM_FORMAT_XRGB8888,
			mods, n_mods > 32 ? 32 : n_mods, GPU_BUFFER_SCANOUT | GPU_BUFFER_RENDER, why, sizeof(why));
		if (!bo) {
			r = gt_fail(ctx, "allocation with the negotiated modifiers failed: %s", why);
		} else {
			char mod[24];
			r = gt_pass(ctx, "XRGB8888 allocated with modifier %s of %zu negotiated",
				gpu_modifier_str(bo->modifier, mod, sizeof(mod)), n_mods);
			gpu_buffer_destroy(bo);
		}
	}
	gpu_format_set_finish(&scanout);
	gpu_format_set_finish(&render);
	gpu_format_set_finish(&both);
	return r;
}

const struct gt_test gt_render_tests[] = {
	{"egl/context", GT_NEED_RENDER, "a GLES context without a surface", test_context},
	{"egl/scene-vs-pixman", GT_NEED_RENDER, "a scene rendered by GLES matches pixman",
		test_scene},
	{"egl/texture-roundtrip", GT_NEED_RENDER, "a texture drawn 1:1 reads back exactly",
		test_texture_roundtrip},
	{"egl/explicit-sync", GT_NEED_RENDER, "a sync_file out of EGL and back in", test_fence},
	{"egl/dmabuf-formats", GT_NEED_RENDER, "EGL lists the dmabuf formats it imports",
		test_dmabuf_formats},
	{"gbm/alloc-map", GT_NEED_RENDER, "buffers of each format allocated, mapped, read back",
		test_gbm_alloc},
	{"gbm/export-import", GT_NEED_RENDER, "a dmabuf exported and imported keeps its pixels",
		test_gbm_export_import},
	{"gbm/egl-texture", GT_NEED_RENDER, "a dmabuf imported into EGL as a texture",
		test_gbm_egl_texture},
	{"gbm/egl-render", GT_NEED_RENDER, "GLES renders into a dmabuf; its bytes match pixman",
		test_gbm_egl_render},
	{"gbm/negotiate", GT_NEED_KMS, "scanout and render formats intersect; allocation uses them",
		test_negotiate},
};
const size_t gt_render_tests_n = sizeof(gt_render_tests) / sizeof(gt_render_tests[0]);
