/*
 * EGL on GBM or surfaceless, one GLES context without any surface (rendering goes to
 * FBOs), the dmabuf extensions and explicit sync.
 */
#define _GNU_SOURCE // dl_iterate_phdr, RTLD_NODELETE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <drm_fourcc.h>
#include "common/log.h"
#include "gpu/allocator.h"
#include "gpu/egl.h"
#include "gpu/formats.h"

bool gpu_egl_has_ext(const char *exts, const char *name) {
	if (!exts) {
		return false;
	}
	size_t len = strlen(name);
	const char *p = exts;
	while ((p = strstr(p, name))) {
		if ((p == exts || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0')) {
			return true;
		}
		p += len;
	}
	return false;
}

static void set_why(char *why, size_t size, const char *msg) {
	if (why && size > 0) {
		snprintf(why, size, "%s", msg);
	}
}

static const char *egl_error_str(EGLint error) {
	switch (error) {
	case EGL_SUCCESS:
		return "EGL_SUCCESS";
	case EGL_NOT_INITIALIZED:
		return "EGL_NOT_INITIALIZED";
	case EGL_BAD_ACCESS:
		return "EGL_BAD_ACCESS";
	case EGL_BAD_ALLOC:
		return "EGL_BAD_ALLOC";
	case EGL_BAD_ATTRIBUTE:
		return "EGL_BAD_ATTRIBUTE";
	case EGL_BAD_CONTEXT:
		return "EGL_BAD_CONTEXT";
	case EGL_BAD_CONFIG:
		return "EGL_BAD_CONFIG";
	case EGL_BAD_DISPLAY:
		return "EGL_BAD_DISPLAY";
	case EGL_BAD_MATCH:
		return "EGL_BAD_MATCH";
	case EGL_BAD_PARAMETER:
		return "EGL_BAD_PARAMETER";
	default:
		return "EGL error";
	}
}

static void copy_str(char *dst, size_t size, const char *src) {
	snprintf(dst, size, "%s", src ? src : "?");
}

static EGLDisplay get_display(struct gbm_device *gbm, bool *surfaceless, char *why,
		size_t why_size) {
	const char *client_exts = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
	if (!client_exts) {
		set_why(why, why_size, "EGL has no client extensions (EGL_EXT_client_extensions)");
		return EGL_NO_DISPLAY;
	}
	PFNEGLGETPLATFORMDISPLAYEXTPROC get_platform_display =
		(PFNEGLGETPLATFORMDISPLAYEXTPROC)eglGetProcAddress("eglGetPlatformDisplayEXT");
	if (!get_platform_display) {
		set_why(why, why_size, "EGL lacks eglGetPlatformDisplayEXT");
		return EGL_NO_DISPLAY;
	}
	if (gbm) {
		*surfaceless = false;
		if (!gpu_egl_has_ext(client_exts, "EGL_KHR_platform_gbm") &&
				!gpu_egl_has_ext(client_exts, "EGL_MESA_platform_gbm")) {
			set_why(why, why_size, "EGL has no GBM platform (EGL_KHR_platform_gbm)");
			return EGL_NO_DISPLAY;
		}
		return get_platform_display(EGL_PLATFORM_GBM_KHR, gbm, NULL);
	}
	*surfaceless = true;
	if (!gpu_egl_has_ext(client_exts, "EGL_MESA_platform_surfaceless")) {
		set_why(why, why_size, "EGL has no surfaceless platform (EGL_MESA_platform_surfaceless)");
		return EGL_NO_DISPLAY;
	}
	return get_platform_display(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, NULL);
}

static void load_procs(struct gpu_egl *egl) {
#define PROC(field, type, name) egl->field = (type)eglGetProcAddress(name)
	PROC(create_image, PFNEGLCREATEIMAGEKHRPROC, "eglCreateImageKHR");
	PROC(destroy_image, PFNEGLDESTROYIMAGEKHRPROC, "eglDestroyImageKHR");
	if (egl->has_dmabuf_modifiers) {
		PROC(query_dmabuf_formats, PFNEGLQUERYDMABUFFORMATSEXTPROC, "eglQueryDmaBufFormatsEXT");
		PROC(query_dmabuf_modifiers, PFNEGLQUERYDMABUFMODIFIERSEXTPROC,
			"eglQueryDmaBufModifiersEXT");
		egl->has_dmabuf_modifiers = egl->query_dmabuf_formats && egl->query_dmabuf_modifiers;
	}
	if (egl->has_dmabuf_export) {
		PROC(export_image_query, PFNEGLEXPORTDMABUFIMAGEQUERYMESAPROC,
			"eglExportDMABUFImageQueryMESA");
		PROC(export_image, PFNEGLEXPORTDMABUFIMAGEMESAPROC, "eglExportDMABUFImageMESA");
		egl->has_dmabuf_export = egl->export_image_query && egl->export_image;
	}
	if (egl->has_fence_sync) {
		PROC(create_sync, PFNEGLCREATESYNCKHRPROC, "eglCreateSyncKHR");
		PROC(destroy_sync, PFNEGLDESTROYSYNCKHRPROC, "eglDestroySyncKHR");
		PROC(client_wait_sync, PFNEGLCLIENTWAITSYNCKHRPROC, "eglClientWaitSyncKHR");
		egl->has_fence_sync = egl->create_sync && egl->destroy_sync && egl->client_wait_sync;
	}
	if (egl->has_wait_sync) {
		PROC(wait_sync, PFNEGLWAITSYNCKHRPROC, "eglWaitSyncKHR");
		egl->has_wait_sync = egl->wait_sync != NULL;
	}
	if (egl->has_native_fence) {
		PROC(dup_native_fence_fd, PFNEGLDUPNATIVEFENCEFDANDROIDPROC,
			"eglDupNativeFenceFDANDROID");
		egl->has_native_fence = egl->dup_native_fence_fd && egl->has_fence_sync;
	}
	PROC(image_target_texture, PFNGLEGLIMAGETARGETTEXTURE2DOESPROC,
		"glEGLImageTargetTexture2DOES");
	PROC(image_target_renderbuffer, PFNGLEGLIMAGETARGETRENDERBUFFERSTORAGEOESPROC,
		"glEGLImageTargetRenderbufferStorageOES");
#undef PROC
	egl->has_dmabuf_import = egl->has_dmabuf_import && egl->create_image && egl->destroy_image;
}

static void query_drm_device(struct gpu_egl *egl) {
	const char *client_exts = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
	if (!gpu_egl_has_ext(client_exts, "EGL_EXT_device_query")) {
		return;
	}
	PFNEGLQUERYDISPLAYATTRIBEXTPROC query_display_attrib =
		(PFNEGLQUERYDISPLAYATTRIBEXTPROC)eglGetProcAddress("eglQueryDisplayAttribEXT");
	PFNEGLQUERYDEVICESTRINGEXTPROC query_device_string =
		(PFNEGLQUERYDEVICESTRINGEXTPROC)eglGetProcAddress("eglQueryDeviceStringEXT");
	EGLAttrib device = 0;
	if (!query_display_attrib || !query_device_string ||
			!query_display_attrib(egl->display, EGL_DEVICE_EXT, &device) || !device) {
		return;
	}
	const char *dev_exts = query_device_string((EGLDeviceEXT)device, EGL_EXTENSIONS);
	if (gpu_egl_has_ext(dev_exts, "EGL_EXT_device_drm")) {
		const char *node = query_device_string((EGLDeviceEXT)device, EGL_DRM_DEVICE_FILE_EXT);
		copy_str(egl->drm_device, sizeof(egl->drm_device), node);
	}
}

static int pin_module(struct dl_phdr_info *info, size_t size, void *data) {
	const char *name = info->dlpi_name;
	if (name && (strstr(name, "_dri.so") || strstr(name, "libEGL_mesa") ||
			strstr(name, "libgallium") || strstr(name, "libLLVM"))) {
		/* A second reference that is never dropped: RTLD_NODELETE. */
		void *handle = dlopen(name, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
		(void)handle;
	}
	return 0;
}

/*
 * Mesa's driver (and LLVM under llvmpipe) keep a few one-time allocations past
 * eglTerminate, and unloading them does not free those. Kept loaded, they are not
 * reloaded for each display, and LeakSanitizer can name them (tests/lsan.supp) instead
 * of reporting leaks in an unknown module.
 */
static void pin_driver_modules(void) {
	dl_iterate_phdr(pin_module, NULL);
}

struct gpu_egl *gpu_egl_create(struct gbm_device *gbm, char *why, size_t why_size) {
	struct gpu_egl *egl = calloc(1, sizeof(*egl));
	if (!egl) {
		set_why(why, why_size, "out of memory");
		return NULL;
	}
	egl->display = get_display(gbm, &egl->surfaceless, why, why_size);
	if (egl->display == EGL_NO_DISPLAY) {
		if (why && why_size && !why[0]) {
			set_why(why, why_size, "eglGetPlatformDisplayEXT failed");
		}
		free(egl);
		return NULL;
	}
	EGLint major = 0, minor = 0;
	if (!eglInitialize(egl->display, &major, &minor)) {
		char msg[128];
		snprintf(msg, sizeof(msg), "eglInitialize: %s", egl_error_str(eglGetError()));
		set_why(why, why_size, msg);
		free(egl);
		return NULL;
	}
	egl->egl_exts = eglQueryString(egl->display, EGL_EXTENSIONS);
	copy_str(egl->egl_vendor, sizeof(egl->egl_vendor), eglQueryString(egl->display, EGL_VENDOR));
	copy_str(egl->egl_version, sizeof(egl->egl_version),
		eglQueryString(egl->display, EGL_VERSION));
	if (!gpu_egl_has_ext(egl->egl_exts, "EGL_KHR_surfaceless_context") ||
			!gpu_egl_has_ext(egl->egl_exts, "EGL_KHR_no_config_context")) {
		set_why(why, why_size,
			"EGL lacks EGL_KHR_surfaceless_context or EGL_KHR_no_config_context");
		goto fail;
	}
	if (!eglBindAPI(EGL_OPENGL_ES_API)) {
		set_why(why, why_size, "eglBindAPI(EGL_OPENGL_ES_API) failed");
		goto fail;
	}
	static const int versions[][2] = {{3, 0}, {2, 0}};
	for (size_t i = 0; i < 2 && egl->context == EGL_NO_CONTEXT; i++) {
		EGLint attribs[] = {
			EGL_CONTEXT_MAJOR_VERSION, versions[i][0],
			EGL_CONTEXT_MINOR_VERSION, versions[i][1],
			EGL_NONE,
		};
		egl->context = eglCreateContext(egl->display, EGL_NO_CONFIG_KHR, EGL_NO_CONTEXT, attribs);
	}
	if (egl->context == EGL_NO_CONTEXT) {
		char msg[128];
		snprintf(msg, sizeof(msg), "eglCreateContext (GLES 3 and 2): %s",
			egl_error_str(eglGetError()));
		set_why(why, why_size, msg);
		goto fail;
	}
	pin_driver_modules();
	if (!gpu_egl_make_current(egl)) {
		set_why(why, why_size, "eglMakeCurrent without a surface failed");
		goto fail;
	}
	copy_str(egl->gl_vendor, sizeof(egl->gl_vendor), (const char *)glGetString(GL_VENDOR));
	copy_str(egl->gl_renderer, sizeof(egl->gl_renderer), (const char *)glGetString(GL_RENDERER));
	copy_str(egl->gl_version, sizeof(egl->gl_version), (const char *)glGetString(GL_VERSION));
	egl->gl_exts = (const char *)glGetString(GL_EXTENSIONS);
	/* "OpenGL ES 3.2 Mesa 22.3.6" */
	if (sscanf(egl->gl_version, "OpenGL ES %d.%d", &egl->gles_major, &egl->gles_minor) != 2) {
		egl->gles_major = 2;
		egl->gles_minor = 0;
	}

	egl->has_dmabuf_import = gpu_egl_has_ext(egl->egl_exts, "EGL_EXT_image_dma_buf_import");
	egl->has_dmabuf_modifiers =
		gpu_egl_has_ext(egl->egl_exts, "EGL_EXT_image_dma_buf_import_modifiers");
	egl->has_dmabuf_export = gpu_egl_has_ext(egl->egl_exts, "EGL_MESA_image_dma_buf_export");
	egl->has_native_fence = gpu_egl_has_ext(egl->egl_exts, "EGL_ANDROID_native_fence_sync");
	egl->has_fence_sync = gpu_egl_has_ext(egl->egl_exts, "EGL_KHR_fence_sync");
	egl->has_wait_sync = gpu_egl_has_ext(egl->egl_exts, "EGL_KHR_wait_sync");
	egl->has_image_oes = gpu_egl_has_ext(egl->gl_exts, "GL_OES_EGL_image");
	egl->has_image_external = gpu_egl_has_ext(egl->gl_exts, "GL_OES_EGL_image_external");
	egl->has_bgra = gpu_egl_has_ext(egl->gl_exts, "GL_EXT_texture_format_BGRA8888");
	egl->has_rgb8_rgba8 = egl->gles_major >= 3 || gpu_egl_has_ext(egl->gl_exts, "GL_OES_rgb8_rgba8");
	load_procs(egl);
	egl->has_image_oes = egl->has_image_oes && egl->image_target_texture;
	query_drm_device(egl);
	return egl;

fail:
	if (egl->context != EGL_NO_CONTEXT) {
		eglDestroyContext(egl->display, egl->context);
	}
	eglTerminate(egl->display);
	free(egl);
	return NULL;
}

void gpu_egl_destroy(struct gpu_egl *egl) {
	if (!egl) {
		return;
	}
	eglMakeCurrent(egl->display, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
	eglDestroyContext(egl->display, egl->context);
	eglTerminate(egl->display);
	/* Frees EGL's per-thread state, which LeakSanitizer would otherwise report. */
	eglReleaseThread();
	free(egl);
}

bool gpu_egl_make_current(struct gpu_egl *egl) {
	return eglMakeCurrent(egl->display, EGL_NO_SURFACE, EGL_NO_SURFACE, egl->context);
}

bool gpu_egl_dmabuf_formats(struct gpu_egl *egl, struct gpu_format_set *out) {
	if (!egl->has_dmabuf_import) {
		return true;
	}
	if (!egl->has_dmabuf_modifiers) {
		/* Without the query extension only the classic formats can be assumed. */
		static const uint32_t implicit[] = {DRM_FORMAT_XRGB8888, DRM_FORMAT_ARGB8888};
		for (size_t i = 0; i < 2; i++) {
			if (!gpu_format_set_add(out, implicit[i], DRM_FORMAT_MOD_INVALID, false)) {
				return false;
			}
		}
		return true;
	}
	EGLint n = 0;
	if (!egl->query_dmabuf_formats(egl->display, 0, NULL, &n) || n <= 0) {
		return n == 0;
	}
	EGLint *formats = calloc((size_t)n, sizeof(*formats));
	if (!formats) {
		return false;
	}
	bool ok = egl->query_dmabuf_formats(egl->display, n, formats, &n);
	for (EGLint i = 0; ok && i < n; i++) {
		EGLint n_mods = 0;
		if (!egl->query_dmabuf_modifiers(egl->display, formats[i], 0, NULL, NULL, &n_mods)) {
			continue;
		}
		if (n_mods == 0) {
			ok = gpu_format_set_add(out, (uint32_t)formats[i], DRM_FORMAT_MOD_INVALID, false);
			continue;
		}
		EGLuint64KHR *mods = calloc((size_t)n_mods, sizeof(*mods));
		EGLBoolean *external = calloc((size_t)n_mods, sizeof(*external));
		if (!mods || !external) {
			free(mods);
			free(external);
			ok = false;
			break;
		}
		if (egl->query_dmabuf_modifiers(egl->display, formats[i], n_mods, mods, external,
				&n_mods)) {
			for (EGLint j = 0; ok && j < n_mods; j++) {
				ok = gpu_format_set_add(out, (uint32_t)formats[i], mods[j], external[j]);
			}
		}
		free(mods);
		free(external);
	}
	free(formats);
	return ok;
}

EGLImageKHR gpu_egl_import_dmabuf(struct gpu_egl *egl, const struct gpu_dmabuf *dmabuf,
		char *why, size_t why_size) {
	if (!egl->has_dmabuf_import) {
		set_why(why, why_size, "EGL lacks EGL_EXT_image_dma_buf_import");
		return EGL_NO_IMAGE_KHR;
	}
	if (dmabuf->n_planes < 1 || dmabuf->n_planes > 4) {
		set_why(why, why_size, "bad plane count");
		return EGL_NO_IMAGE_KHR;
	}
	static const EGLint plane_attrs[4][5] = {
		{EGL_DMA_BUF_PLANE0_FD_EXT, EGL_DMA_BUF_PLANE0_OFFSET_EXT, EGL_DMA_BUF_PLANE0_PITCH_EXT,
			EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT, EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT},
		{EGL_DMA_BUF_PLANE1_FD_EXT, EGL_DMA_BUF_PLANE1_OFFSET_EXT, EGL_DMA_BUF_PLANE1_PITCH_EXT,
			EGL_DMA_BUF_PLANE1_MODIFIER_LO_EXT, EGL_DMA_BUF_PLANE1_MODIFIER_HI_EXT},
		{EGL_DMA_BUF_PLANE2_FD_EXT, EGL_DMA_BUF_PLANE2_OFFSET_EXT, EGL_DMA_BUF_PLANE2_PITCH_EXT,
			EGL_DMA_BUF_PLANE2_MODIFIER_LO_EXT, EGL_DMA_BUF_PLANE2_MODIFIER_HI_EXT},
		{EGL_DMA_BUF_PLANE3_FD_EXT, EGL_DMA_BUF_PLANE3_OFFSET_EXT, EGL_DMA_BUF_PLANE3_PITCH_EXT,
			EGL_DMA_BUF_PLANE3_MODIFIER_LO_EXT, EGL_DMA_BUF_PLANE3_MODIFIER_HI_EXT},
	};
	EGLint attribs[64];
	size_t k = 0;
	attribs[k++] = EGL_WIDTH;
	attribs[k++] = dmabuf->width;
	attribs[k++] = EGL_HEIGHT;
	attribs[k++] = dmabuf->height;
	attribs[k++] = EGL_LINUX_DRM_FOURCC_EXT;
	attribs[k++] = (EGLint)dmabuf->format;
	bool explicit_mod = dmabuf->modifier != DRM_FORMAT_MOD_INVALID;
	if (explicit_mod && !egl->has_dmabuf_modifiers && dmabuf->modifier != DRM_FORMAT_MOD_LINEAR) {
		set_why(why, why_size, "an explicit modifier needs EGL_EXT_image_dma_buf_import_modifiers");
		return EGL_NO_IMAGE_KHR;
	}
	for (int i = 0; i < dmabuf->n_planes; i++) {
		attribs[k++] = plane_attrs[i][0];
		attribs[k++] = dmabuf->fds[i];
		attribs[k++] = plane_attrs[i][1];
		attribs[k++] = (EGLint)dmabuf->offsets[i];
		attribs[k++] = plane_attrs[i][2];
		attribs[k++] = (EGLint)dmabuf->strides[i];
		if (explicit_mod && egl->has_dmabuf_modifiers) {
			attribs[k++] = plane_attrs[i][3];
			attribs[k++] = (EGLint)(dmabuf->modifier & 0xffffffff);
			attribs[k++] = plane_attrs[i][4];
			attribs[k++] = (EGLint)(dmabuf->modifier >> 32);
		}
	}
	attribs[k++] = EGL_IMAGE_PRESERVED_KHR;
	attribs[k++] = EGL_TRUE;
	attribs[k++] = EGL_NONE;
	EGLImageKHR image =
		egl->create_image(egl->display, EGL_NO_CONTEXT, EGL_LINUX_DMA_BUF_EXT, NULL, attribs);
	if (image == EGL_NO_IMAGE_KHR) {
		char msg[128];
		snprintf(msg, sizeof(msg), "eglCreateImageKHR(EGL_LINUX_DMA_BUF_EXT): %s",
			egl_error_str(eglGetError()));
		set_why(why, why_size, msg);
	}
	return image;
}

bool gpu_egl_export_dmabuf(struct gpu_egl *egl, EGLImageKHR image, int32_t width,
		int32_t height, struct gpu_dmabuf *out) {
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < GPU_DMABUF_MAX_PLANES; i++) {
		out->fds[i] = -1;
	}
	if (!egl->has_dmabuf_export) {
		return false;
	}
	int fourcc = 0, n_planes = 0;
	EGLuint64KHR modifier = DRM_FORMAT_MOD_INVALID;
	if (!egl->export_image_query(egl->display, image, &fourcc, &n_planes, &modifier) ||
			n_planes < 1 || n_planes > GPU_DMABUF_MAX_PLANES) {
		return false;
	}
	EGLint strides[GPU_DMABUF_MAX_PLANES] = {0}, offsets[GPU_DMABUF_MAX_PLANES] = {0};
	if (!egl->export_image(egl->display, image, out->fds, strides, offsets)) {
		return false;
	}
	out->width = width;
	out->height = height;
	out->format = (uint32_t)fourcc;
	out->modifier = modifier;
	out->n_planes = n_planes;
	for (int i = 0; i < n_planes; i++) {
		out->strides[i] = (uint32_t)strides[i];
		out->offsets[i] = (uint32_t)offsets[i];
	}
	return true;
}

int gpu_egl_fence_export(struct gpu_egl *egl) {
	if (!egl->has_native_fence) {
		return -1;
	}
	EGLint attribs[] = {EGL_SYNC_NATIVE_FENCE_FD_ANDROID, EGL_NO_NATIVE_FENCE_FD_ANDROID,
		EGL_NONE};
	EGLSyncKHR sync = egl->create_sync(egl->display, EGL_SYNC_NATIVE_FENCE_ANDROID, attribs);
	if (sync == EGL_NO_SYNC_KHR) {
		return -1;
	}
	/* The fence fd exists only once the commands are flushed. */
	glFlush();
	int fd = egl->dup_native_fence_fd(egl->display, sync);
	egl->destroy_sync(egl->display, sync);
	return fd == EGL_NO_NATIVE_FENCE_FD_ANDROID ? -1 : fd;
}

bool gpu_egl_fence_import_wait(struct gpu_egl *egl, int fd) {
	if (!egl->has_native_fence || !egl->has_wait_sync || fd < 0) {
		if (fd >= 0) {
			close(fd);
		}
		return false;
	}
	EGLint attribs[] = {EGL_SYNC_NATIVE_FENCE_FD_ANDROID, fd, EGL_NONE};
	EGLSyncKHR sync = egl->create_sync(egl->display, EGL_SYNC_NATIVE_FENCE_ANDROID, attribs);
	if (sync == EGL_NO_SYNC_KHR) {
		close(fd);
		return false;
	}
	/* The sync owns fd now. */
	bool ok = egl->wait_sync(egl->display, sync, 0) == EGL_TRUE;
	egl->destroy_sync(egl->display, sync);
	return ok;
}

bool gpu_egl_finish(struct gpu_egl *egl) {
	if (!egl->has_fence_sync) {
		glFinish();
		return true;
	}
	EGLSyncKHR sync = egl->create_sync(egl->display, EGL_SYNC_FENCE_KHR, NULL);
	if (sync == EGL_NO_SYNC_KHR) {
		glFinish();
		return true;
	}
	EGLint r = egl->client_wait_sync(egl->display, sync, EGL_SYNC_FLUSH_COMMANDS_BIT_KHR,
		EGL_FOREVER_KHR);
	egl->destroy_sync(egl->display, sync);
	return r == EGL_CONDITION_SATISFIED_KHR;
}
