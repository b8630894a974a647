#ifndef GPU_RENDER_H
#define GPU_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gpu/egl.h"

struct gpu_dmabuf;

/*
 * Offscreen GLES rendering into framebuffer objects, enough for the compositor's
 * needs (solid rectangles, textured quads with premultiplied alpha) and for the tests.
 * Row 0 of a target is its top: what glReadPixels returns first and what a dmabuf
 * holds first.
 */
struct gpu_renderer {
	struct gpu_egl *egl; // not owned
	GLuint solid_prog, tex_prog, ext_prog; // ext_prog: 0 without OES_EGL_image_external
	GLint solid_pos, solid_color, solid_rect, solid_size;
	GLint tex_pos, tex_rect, tex_size, tex_sampler, tex_alpha;
	GLint ext_pos, ext_rect, ext_size, ext_sampler, ext_alpha;
};

struct gpu_target {
	int32_t width, height;
	GLuint fbo, rbo, tex;
	EGLImageKHR image; // EGL_NO_IMAGE_KHR unless rendering into a dmabuf
};

/** Compiles the shaders on the current context; NULL with why. */
struct gpu_renderer *gpu_renderer_create(struct gpu_egl *egl, char *why, size_t why_size);
void gpu_renderer_destroy(struct gpu_renderer *r);

/** An RGBA8 renderbuffer target. */
bool gpu_target_init(struct gpu_target *t, struct gpu_renderer *r, int32_t width,
	int32_t height, char *why, size_t why_size);
/** A target that renders into a dmabuf (imported as an EGLImage; the fds stay the caller's). */
bool gpu_target_init_dmabuf(struct gpu_target *t, struct gpu_renderer *r,
	const struct gpu_dmabuf *dmabuf, char *why, size_t why_size);
void gpu_target_finish(struct gpu_target *t, struct gpu_renderer *r);

void gpu_render_begin(struct gpu_renderer *r, struct gpu_target *t);
/** Clears to a colour given as 0xAARRGGBB (straight alpha). */
void gpu_render_clear(struct gpu_renderer *r, uint32_t argb);
/** Blends a rectangle of 0xAARRGGBB (straight alpha) OVER the target. */
void gpu_render_rect(struct gpu_renderer *r, struct gpu_target *t, int32_t x, int32_t y,
	int32_t w, int32_t h, uint32_t argb);
/** Blends a premultiplied texture OVER the target, scaled to the rectangle. */
void gpu_render_texture(struct gpu_renderer *r, struct gpu_target *t, GLuint tex,
	bool external, int32_t x, int32_t y, int32_t w, int32_t h, float alpha);

/**
 * Uploads premultiplied ARGB8888 pixels (pixman's a8r8g8b8 / DRM's ARGB8888 layout) as
 * a new texture; 0 on failure.
 */
GLuint gpu_texture_from_argb(struct gpu_renderer *r, const uint32_t *pixels, int32_t width,
	int32_t height, int32_t stride);
/** A texture (GL_TEXTURE_2D, or EXTERNAL_OES when external) from an EGLImage; 0 on failure. */
GLuint gpu_texture_from_image(struct gpu_renderer *r, EGLImageKHR image, bool external);

/** Reads the target back as ARGB8888 words (0xAARRGGBB) into dst with dst_stride bytes a row. */
bool gpu_target_read(struct gpu_renderer *r, struct gpu_target *t, uint32_t *dst,
	int32_t dst_stride);

/** The GL error as text, "" when none (clears it). */
const char *gpu_gl_error(void);

#endif
