/* A small GLES2 renderer into FBOs: solid and textured quads, premultiplied OVER. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/log.h"
#include "gpu/allocator.h"
#include "gpu/render.h"

static void set_why(char *why, size_t size, const char *msg) {
	if (why && size > 0) {
		snprintf(why, size, "%s", msg);
	}
}

const char *gpu_gl_error(void) {
	switch (glGetError()) {
	case GL_NO_ERROR:
		return "";
	case GL_INVALID_ENUM:
		return "GL_INVALID_ENUM";
	case GL_INVALID_VALUE:
		return "GL_INVALID_VALUE";
	case GL_INVALID_OPERATION:
		return "GL_INVALID_OPERATION";
	case GL_INVALID_FRAMEBUFFER_OPERATION:
		return "GL_INVALID_FRAMEBUFFER_OPERATION";
	case GL_OUT_OF_MEMORY:
		return "GL_OUT_OF_MEMORY";
	default:
		return "GL error";
	}
}

/* Rectangles are given in target pixels; the vertex shader maps them to clip space
 * with row 0 at y = -1, so that memory row 0 is the top of the image. */
static const char vs_src[] =
	"attribute vec2 pos;\n"
	"uniform vec4 rect;\n"
	"uniform vec2 size;\n"
	"varying vec2 uv;\n"
	"void main() {\n"
	"  vec2 p = rect.xy + pos * rect.zw;\n"
	"  uv = pos;\n"
	"  gl_Position = vec4(p / size * 2.0 - 1.0, 0.0, 1.0);\n"
	"}\n";

static const char fs_solid[] =
	"precision mediump float;\n"
	"uniform vec4 color;\n"
	"void main() { gl_FragColor = color; }\n";

static const char fs_tex[] =
	"precision mediump float;\n"
	"uniform sampler2D tex;\n"
	"uniform float alpha;\n"
	"varying vec2 uv;\n"
	"void main() { gl_FragColor = texture2D(tex, uv) * alpha; }\n";

static const char fs_ext[] =
	"#extension GL_OES_EGL_image_external : require\n"
	"precision mediump float;\n"
	"uniform samplerExternalOES tex;\n"
	"uniform float alpha;\n"
	"varying vec2 uv;\n"
	"void main() { gl_FragColor = texture2D(tex, uv) * alpha; }\n";

static GLuint compile(GLenum type, const char *src, char *why, size_t why_size) {
	GLuint shader = glCreateShader(type);
	glShaderSource(shader, 1, &src, NULL);
	glCompileShader(shader);
	GLint ok = 0;
	glGetShaderiv(shader, GL_COMPILE_STATUS, &ok);
	if (!ok) {
		char log[256] = "";
		glGetShaderInfoLog(shader, sizeof(log), NULL, log);
		char msg[320];
		snprintf(msg, sizeof(msg), "shader: %s", log);
		set_why(why, why_size, msg);
		glDeleteShader(shader);
		return 0;
	}
	return shader;
}

static GLuint link(const char *fs_src, char *why, size_t why_size) {
	GLuint vs = compile(GL_VERTEX_SHADER, vs_src, why, why_size);
	if (!vs) {
		return 0;
	}
	GLuint fs = compile(GL_FRAGMENT_SHADER, fs_src, why, why_size);
	if (!fs) {
		glDeleteShader(vs);
		return 0;
	}
	GLuint prog = glCreateProgram();
	glAttachShader(prog, vs);
	glAttachShader(prog, fs);
	glBindAttribLocation(prog, 0, "pos");
	glLinkProgram(prog);
	glDetachShader(prog, vs);
	glDetachShader(prog, fs);
	glDeleteShader(vs);
	glDeleteShader(fs);
	GLint ok = 0;
	glGetProgramiv(prog, GL_LINK_STATUS, &ok);
	if (!ok) {
		set_why(why, why_size, "program link failed");
		glDeleteProgram(prog);
		return 0;
	}
	return prog;
}

struct gpu_renderer *gpu_renderer_create(struct gpu_egl *egl, char *why, size_t why_size) {
	struct gpu_renderer *r = calloc(1, sizeof(*r));
	if (!r) {
		set_why(why, why_size, "out of memory");
		return NULL;
	}
	r->egl = egl;
	if (!gpu_egl_make_current(egl)) {
		set_why(why, why_size, "eglMakeCurrent failed");
		free(r);
		return NULL;
	}
	r->solid_prog = link(fs_solid, why, why_size);
	r->tex_prog = r->solid_prog ? link(fs_tex, why, why_size) : 0;
	if (!r->solid_prog || !r->tex_prog) {
		gpu_renderer_destroy(r);
		return NULL;
	}
	r->solid_pos = 0;
	r->solid_color = glGetUniformLocation(r->solid_prog, "color");
	r->solid_rect = glGetUniformLocation(r->solid_prog, "rect");
	r->solid_size = glGetUniformLocation(r->solid_prog, "size");
	r->tex_rect = glGetUniformLocation(r->tex_prog, "rect");
	r->tex_size = glGetUniformLocation(r->tex_prog, "size");
	r->tex_sampler = glGetUniformLocation(r->tex_prog, "tex");
	r->tex_alpha = glGetUniformLocation(r->tex_prog, "alpha");
	if (egl->has_image_external) {
		char ignored[64];
		r->ext_prog = link(fs_ext, ignored, sizeof(ignored));
		if (r->ext_prog) {
			r->ext_rect = glGetUniformLocation(r->ext_prog, "rect");
			r->ext_size = glGetUniformLocation(r->ext_prog, "size");
			r->ext_sampler = glGetUniformLocation(r->ext_prog, "tex");
			r->ext_alpha = glGetUniformLocation(r->ext_prog, "alpha");
		}
	}
	return r;
}

void gpu_renderer_destroy(struct gpu_renderer *r) {
	if (!r) {
		return;
	}
	gpu_egl_make_current(r->egl);
	if (r->solid_prog) {
		glDeleteProgram(r->solid_prog);
	}
	if (r->tex_prog) {
		glDeleteProgram(r->tex_prog);
	}
	if (r->ext_prog) {
		glDeleteProgram(r->ext_prog);
	}
	free(r);
}

static bool check_complete(char *why, size_t why_size) {
	GLenum status = glCheckFramebufferStatus(GL_FRAMEBUFFER);
	if (status != GL_FRAMEBUFFER_COMPLETE) {
		char msg[64];
		snprintf(msg, sizeof(msg), "framebuffer incomplete (0x%x)", status);
		set_why(why, why_size, msg);
		return false;
	}
	return true;
}

bool gpu_target_init(struct gpu_target *t, struct gpu_renderer *r, int32_t width,
		int32_t height, char *why, size_t why_size) {
	memset(t, 0, sizeof(*t));
	t->image = EGL_NO_IMAGE_KHR;
	t->width = width;
	t->height = height;
	gpu_egl_make_current(r->egl);
	glGenFramebuffers(1, &t->fbo);
	glBindFramebuffer(GL_FRAMEBUFFER, t->fbo);
	if (r->egl->has_rgb8_rgba8) {
		glGenRenderbuffers(1, &t->rbo);
		glBindRenderbuffer(GL_RENDERBUFFER, t->rbo);
		glRenderbufferStorage(GL_RENDERBUFFER, GL_RGBA8_OES, width, height);
		glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, t->rbo);
	} else {
		glGenTextures(1, &t->tex);
		glBindTexture(GL_TEXTURE_2D, t->tex);
		glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE,
			NULL);
		glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, t->tex, 0);
	}
	if (!check_complete(why, why_size)) {
		gpu_target_finish(t, r);
		return false;
	}
	return true;
}

bool gpu_target_init_dmabuf(struct gpu_target *t, struct gpu_renderer *r,
		const struct gpu_dmabuf *dmabuf, char *why, size_t why_size) {
	memset(t, 0, sizeof(*t));
	t->image = EGL_NO_IMAGE_KHR;
	t->width = dmabuf->width;
	t->height = dmabuf->height;
	if (!r->egl->image_target_renderbuffer) {
		set_why(why, why_size, "GL lacks glEGLImageTargetRenderbufferStorageOES");
		return false;
	}
	gpu_egl_make_current(r->egl);
	t->image = gpu_egl_import_dmabuf(r->egl, dmabuf, why, why_size);
	if (t->image == EGL_NO_IMAGE_KHR) {
		return false;
	}
	glGenFramebuffers(1, &t->fbo);
	glBindFramebuffer(GL_FRAMEBUFFER, t->fbo);
	glGenRenderbuffers(1, &t->rbo);
	glBindRenderbuffer(GL_RENDERBUFFER, t->rbo);
	r->egl->image_target_renderbuffer(GL_RENDERBUFFER, t->image);
	glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, t->rbo);
	if (!check_complete(why, why_size)) {
		gpu_target_finish(t, r);
		return false;
	}
	return true;
}

void gpu_target_finish(struct gpu_target *t, struct gpu_renderer *r) {
	gpu_egl_make_current(r->egl);
	glBindFramebuffer(GL_FRAMEBUFFER, 0);
	if (t->fbo) {
		glDeleteFramebuffers(1, &t->fbo);
	}
	if (t->rbo) {
		glDeleteRenderbuffers(1, &t->rbo);
	}
	if (t->tex) {
		glDeleteTextures(1, &t->tex);
	}
	if (t->image != EGL_NO_IMAGE_KHR) {
		r->egl->destroy_image(r->egl->display, t->image);
	}
	memset(t, 0, sizeof(*t));
	t->image = EGL_NO_IMAGE_KHR;
}

void gpu_render_begin(struct gpu_renderer *r, struct gpu_target *t) {
	gpu_egl_make_current(r->egl);
	glBindFramebuffer(GL_FRAMEBUFFER, t->fbo);
	glViewport(0, 0, t->width, t->height);
	glDisable(GL_SCISSOR_TEST);
	glDisable(GL_DEPTH_TEST);
	glEnable(GL_BLEND);
	glBlendFunc(GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
}

static void unpack(uint32_t argb, float out[4]) {
	float a = (float)(argb >> 24) / 255.0f;
	out[0] = (float)((argb >> 16) & 0xff) / 255.0f * a;
	out[1] = (float)((argb >> 8) & 0xff) / 255.0f * a;
	out[2] = (float)(argb & 0xff) / 255.0f * a;
	out[3] = a;
}

void gpu_render_clear(struct gpu_renderer *r, uint32_t argb) {
	float c[4];
	unpack(argb, c);
	glClearColor(c[0], c[1], c[2], c[3]);
	glClear(GL_COLOR_BUFFER_BIT);
}

static const GLfloat quad[] = {0, 0, 1, 0, 0, 1, 1, 1};

static void draw_quad(void) {
	glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, quad);
	glEnableVertexAttribArray(0);
	glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
	glDisableVertexAttribArray(0);
}

void gpu_render_rect(struct gpu_renderer *r, struct gpu_target *t, int32_t x, int32_t y,
		int32_t w, int32_t h, uint32_t argb) {
	float c[4];
	unpack(argb, c);
	glUseProgram(r->solid_prog);
	glUniform4f(r->solid_color, c[0], c[1], c[2], c[3]);
	glUniform4f(r->solid_rect, (float)x, (float)y, (float)w, (float)h);
	glUniform2f(r->solid_size, (float)t->width, (float)t->height);
	draw_quad();
}

void gpu_render_texture(struct gpu_renderer *r, struct gpu_target *t, GLuint tex,
		bool external, int32_t x, int32_t y, int32_t w, int32_t h, float alpha) {
	GLenum target = GL_TEXTURE_2D;
	if (external && r->ext_prog) {
		target = GL_TEXTURE_EXTERNAL_OES;
		glUseProgram(r->ext_prog);
		glUniform4f(r->ext_rect, (float)x, (float)y, (float)w, (float)h);
		glUniform2f(r->ext_size, (float)t->width, (float)t->height);
		glUniform1i(r->ext_sampler, 0);
		glUniform1f(r->ext_alpha, alpha);
	} else {
		glUseProgram(r->tex_prog);
		glUniform4f(r->tex_rect, (float)x, (float)y, (float)w, (float)h);
		glUniform2f(r->tex_size, (float)t->width, (float)t->height);
		glUniform1i(r->tex_sampler, 0);
		glUniform1f(r->tex_alpha, alpha);
	}
	glActiveTexture(GL_TEXTURE0);
	glBindTexture(target, tex);
	glTexParameteri(target, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
	glTexParameteri(target, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
	glTexParameteri(target, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
	glTexParameteri(target, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
	draw_quad();
	glBindTexture(target, 0);
}

GLuint gpu_texture_from_argb(struct gpu_renderer *r, const uint32_t *pixels, int32_t width,
		int32_t height, int32_t stride) {
	gpu_egl_make_current(r->egl);
	GLuint tex = 0;
	glGenTextures(1, &tex);
	glBindTexture(GL_TEXTURE_2D, tex);
	glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
	/* ARGB8888 words are B,G,R,A bytes in memory on little-endian: BGRA_EXT when GL has
	 * it, else swizzled into RGBA here. */
	if (r->egl->has_bgra && stride == width * 4) {
		glTexImage2D(GL_TEXTURE_2D, 0, GL_BGRA_EXT, width, height, 0, GL_BGRA_EXT,
			GL_UNSIGNED_BYTE, pixels);
	} else {
		uint8_t *rgba = malloc((size_t)width * (size_t)height * 4);
		if (!rgba) {
			glDeleteTextures(1, &tex);
			return 0;
		}
		for (int32_t y = 0; y < height; y++) {
			const uint32_t *row = (const uint32_t *)((const uint8_t *)pixels + (size_t)y * (size_t)stride);
			for (int32_t x = 0; x < width; x++) {
				uint32_t p = row[x];
				uint8_t *o = rgba + ((size_t)y * (size_t)width + (size_t)x) * 4;
				o[0] = (uint8_t)(p >> 16);
				o[1] = (uint8_t)(p >> 8);
				o[2] = (uint8_t)p;
				o[3] = (uint8_t)(p >> 24);
			}
		}
		glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE,
			rgba);
		free(rgba);
	}
	glBindTexture(GL_TEXTURE_2D, 0);
	const char *err = gpu_gl_error();
	if (err[0]) {
		lumen_log(LUMEN_WARN, "texture upload: %s", err);
		glDeleteTextures(1, &tex);
		return 0;
	}
	return tex;
}

GLuint gpu_texture_from_image(struct gpu_renderer *r, EGLImageKHR image, bool external) {
	if (!r->egl->image_target_texture || (external && !r->ext_prog)) {
		return 0;
	}
	gpu_egl_make_current(r->egl);
	GLenum target = external ? GL_TEXTURE_EXTERNAL_OES : GL_TEXTURE_2D;
	GLuint tex = 0;
	glGenTextures(1, &tex);
	glBindTexture(target, tex);
	r->egl->image_target_texture(target, image);
	glBindTexture(target, 0);
	const char *err = gpu_gl_error();
	if (err[0]) {
		lumen_log(LUMEN_WARN, "glEGLImageTargetTexture2DOES: %s", err);
		glDeleteTextures(1, &tex);
		return 0;
	}
	return tex;
}

bool gpu_target_read(struct gpu_renderer *r, struct gpu_target *t, uint32_t *dst,
		int32_t dst_stride) {
	gpu_egl_make_current(r->egl);
	glBindFramebuffer(GL_FRAMEBUFFER, t->fbo);
	size_t n = (size_t)t->width * (size_t)t->height;
	uint8_t *rgba = malloc(n * 4);
	if (!rgba) {
		return false;
	}
	glPixelStorei(GL_PACK_ALIGNMENT, 4);
	glReadPixels(0, 0, t->width, t->height, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
	const char *err = gpu_gl_error();
	if (err[0]) {
		lumen_log(LUMEN_WARN, "glReadPixels: %s", err);
		free(rgba);
		return false;
	}
	for (int32_t y = 0; y < t->height; y++) {
		uint32_t *row = (uint32_t *)((uint8_t *)dst + (size_t)y * (size_t)dst_stride);
		for (int32_t x = 0; x < t->width; x++) {
			const uint8_t *p = rgba + ((size_t)y * (size_t)t->width + (size_t)x) * 4;
			row[x] = (uint32_t)p[3] << 24 | (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
		}
	}
	free(rgba);
	return true;
}
