#ifndef GPU_CAPS_H
#define GPU_CAPS_H

#include <stdbool.h>
#include <stdio.h>
#include "gpu/device.h"
#include "gpu/formats.h"

struct json_object;

/*
 * What a device and its driver can do, gathered once: for `lumen-gpu-test --caps`, for
 * logs, and for the compositor's choice between GLES2 and pixman. Every part that is
 * missing says why in its *_why field instead.
 */
struct gpu_caps {
	bool have_device;
	struct gpu_device_info device;
	char device_why[256]; // why there is no device

	bool have_kms; // a primary node with KMS resources
	bool kms_atomic, kms_universal_planes, kms_addfb2_modifiers, kms_prime_import,
		kms_prime_export, kms_cursor, kms_async_flip;
	int kms_connectors, kms_crtcs, kms_planes;
	uint64_t cursor_width, cursor_height;
	struct gpu_format_set scanout; // primary planes' formats (modifiers from IN_FORMATS)
	char kms_why[256];

	bool have_gbm;
	char gbm_backend[32];
	char gbm_why[256];

	bool have_egl;
	bool egl_surfaceless;
	char egl_vendor[64], egl_version[64], gl_vendor[64], gl_renderer[128], gl_version[128];
	int gles_major, gles_minor;
	char egl_drm_device[64];
	bool dmabuf_import, dmabuf_modifiers, dmabuf_export, image_external;
	struct gpu_format_set renderable; // EGL dmabuf import formats
	char egl_why[256];

	bool explicit_sync; // native fence fds (sync_file) both ways
	char sync_why[128];

	struct gpu_format_set negotiated; // scanout ∩ renderable
	char renderer[16]; // "gles2" or "pixman": what the compositor should use
	char renderer_why[128];
};

/**
 * Fills caps for the DRM node at path (card or render), or for the first device when
 * path is NULL, or for llvmpipe surfaceless when path is "" or there is no device.
 */
void gpu_caps_collect(struct gpu_caps *caps, const char *path);
void gpu_caps_finish(struct gpu_caps *caps);
void gpu_caps_print(const struct gpu_caps *caps, FILE *f);
/** A new json-c object (the caller puts it); NULL when out of memory. */
struct json_object *gpu_caps_to_json(const struct gpu_caps *caps);

/** Whether a Mesa driver renders in hardware (virgl, iris, radeonsi...): not kms_swrast,
 * llvmpipe, swrast, softpipe or none. */
bool gpu_mesa_driver_is_hardware(const char *mesa_driver);

/**
 * The compositor's renderer for the DRM node it is given (its render node; drm_fd -1:
 * none), decided without starting EGL: "gles2" where the node's Mesa driver renders in
 * hardware and GBM opens on it, else "pixman". why says which (device, driver, reason).
 */
void gpu_caps_choose_renderer(int drm_fd, char *renderer, size_t renderer_size, char *why,
	size_t why_size);

/**
 * Scanout formats of the primary planes of an open primary node (IN_FORMATS with
 * modifiers where the kernel has it, else the plane's list with LINEAR).
 */
bool gpu_kms_scanout_formats(int fd, struct gpu_format_set *out);

#endif
