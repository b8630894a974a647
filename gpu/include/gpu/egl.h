#ifndef GPU_EGL_H
#define GPU_EGL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GLES2/gl2.h>
#include <GLES2/gl2ext.h>

struct gbm_device;
struct gpu_dmabuf;
struct gpu_format_set;

/*
 * An EGL display and a GLES context with no window: on a GBM device (a DRM node), or
 * surfaceless (EGL_MESA_platform_surfaceless: llvmpipe) where there is none. Rendering
 * goes to framebuffer objects (render.h).
 */
struct gpu_egl {
	EGLDisplay display;
	EGLContext context;
	bool surfaceless; // EGL_PLATFORM_SURFACELESS_MESA rather than GBM
	int gles_major, gles_minor;
	char egl_vendor[64], egl_version[64];
	char gl_vendor[64], gl_renderer[128], gl_version[128];
	char drm_device[64]; // EGL_EXT_device_drm's node, "" if unknown
	const char *egl_exts; // owned by EGL
	const char *gl_exts; // owned by GL

	bool has_dmabuf_import; // EGL_EXT_image_dma_buf_import
	bool has_dmabuf_modifiers; // EGL_EXT_image_dma_buf_import_modifiers
	bool has_dmabuf_export; // EGL_MESA_image_dma_buf_export
	bool has_native_fence; // EGL_ANDROID_native_fence_sync
	bool has_wait_sync; // EGL_KHR_wait_sync
	bool has_fence_sync; // EGL_KHR_fence_sync
	bool has_image_oes; // GL_OES_EGL_image
	bool has_image_external; // GL_OES_EGL_image_external
	bool has_bgra; // GL_EXT_texture_format_BGRA8888
	bool has_rgb8_rgba8; // GL_OES_rgb8_rgba8 (RGBA8 renderbuffers on GLES2)

	PFNEGLCREATEIMAGEKHRPROC create_image;
	PFNEGLDESTROYIMAGEKHRPROC destroy_image;
	PFNEGLQUERYDMABUFFORMATSEXTPROC query_dmabuf_formats;
	PFNEGLQUERYDMABUFMODIFIERSEXTPROC query_dmabuf_modifiers;
	PFNEGLEXPORTDMABUFIMAGEQUERYMESAPROC export_image_query;
	PFNEGLEXPORTDMABUFIMAGEMESAPROC export_image;
	PFNEGLCREATESYNCKHRPROC create_sync;
	PFNEGLDESTROYSYNCKHRPROC destroy_sync;
	PFNEGLCLIENTWAITSYNCKHRPROC client_wait_sync;
	PFNEGLWAITSYNCKHRPROC wait_sync;
	PFNEGLDUPNATIVEFENCEFDANDROIDPROC dup_native_fence_fd;
	PFNGLEGLIMAGETARGETTEXTURE2DOESPROC image_target_texture;
	PFNGLEGLIMAGETARGETRENDERBUFFERSTORAGEOESPROC image_target_renderbuffer;
};

/**
 * Opens EGL on the GBM device (gbm may be NULL: surfaceless) and makes a GLES 3 (else
 * GLES 2) context current. Returns NULL with the reason in why.
 */
struct gpu_egl *gpu_egl_create(struct gbm_device *gbm, char *why, size_t why_size);
void gpu_egl_destroy(struct gpu_egl *egl);
bool gpu_egl_make_current(struct gpu_egl *egl);
bool gpu_egl_has_ext(const char *exts, const char *name);

/**
 * The dmabuf formats and modifiers EGL can import (external-only flagged). Without
 * the modifiers extension each format gets DRM_FORMAT_MOD_INVALID (implicit layout).
 */
bool gpu_egl_dmabuf_formats(struct gpu_egl *egl, struct gpu_format_set *out);

/** Imports a dmabuf as an EGLImage (EGL_NO_IMAGE_KHR on failure, with why). */
EGLImageKHR gpu_egl_import_dmabuf(struct gpu_egl *egl, const struct gpu_dmabuf *dmabuf,
	char *why, size_t why_size);
/** Exports an EGLImage as a dmabuf (EGL_MESA_image_dma_buf_export); out's fds are the caller's. */
bool gpu_egl_export_dmabuf(struct gpu_egl *egl, EGLImageKHR image, int32_t width,
	int32_t height, struct gpu_dmabuf *out);

/**
 * A sync_file fd that signals when the GL commands issued so far complete
 * (EGL_ANDROID_native_fence_sync); -1 where not offered.
 */
int gpu_egl_fence_export(struct gpu_egl *egl);
/** Makes the GPU wait for a sync_file fd (taken) before later commands; false if unsupported. */
bool gpu_egl_fence_import_wait(struct gpu_egl *egl, int fd);
/** Waits on the CPU for everything issued so far (EGL_KHR_fence_sync, else glFinish). */
bool gpu_egl_finish(struct gpu_egl *egl);

#endif
