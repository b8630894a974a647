/* Unit tests of the gpu library's pure parts: driver mapping, format sets, fourcc text. */
#include <stdio.h>
#include <string.h>
#include <drm_fourcc.h>
#include "gpu/device.h"
#include "gpu/egl.h"
#include "gpu/formats.h"
#include "gpu/caps.h"
#include "gpu/scanout.h"

static int n_test = 0, n_failed = 0;

static void ok(int cond, const char *what) {
	n_test++;
	printf("%sok %d - %s\n", cond ? "" : "not ", n_test, what);
	if (!cond) {
		n_failed++;
	}
}

int main(void) {
	printf("1..19\n");
	ok(strcmp(gpu_mesa_driver_for("virtio_gpu", GPU_3D_YES), "virgl") == 0,
		"virtio_gpu with 3D is virgl");
	ok(strcmp(gpu_mesa_driver_for("virtio_gpu", GPU_3D_NO), "kms_swrast") == 0,
		"virtio_gpu without 3D is kms_swrast");
	ok(strcmp(gpu_mesa_driver_for("i915", GPU_3D_UNKNOWN), "iris") == 0 &&
		strcmp(gpu_mesa_driver_for("xe", GPU_3D_UNKNOWN), "iris") == 0, "i915 and xe are iris");
	ok(strcmp(gpu_mesa_driver_for("amdgpu", GPU_3D_UNKNOWN), "radeonsi") == 0, "amdgpu is radeonsi");
	ok(strcmp(gpu_mesa_driver_for(NULL, GPU_3D_UNKNOWN), "llvmpipe") == 0 &&
		strcmp(gpu_mesa_driver_for("", GPU_3D_UNKNOWN), "llvmpipe") == 0, "no device is llvmpipe");
	ok(strcmp(gpu_mesa_driver_for("simpledrm", GPU_3D_UNKNOWN), "kms_swrast") == 0,
		"a display-only driver is kms_swrast");

	struct gpu_format_set a, b, out;
	gpu_format_set_init(&a);
	gpu_format_set_init(&b);
	gpu_format_set_init(&out);
	gpu_format_set_add(&a, DRM_FORMAT_XRGB8888, DRM_FORMAT_MOD_LINEAR, false);
	gpu_format_set_add(&a, DRM_FORMAT_XRGB8888, I915_FORMAT_MOD_X_TILED, false);
	gpu_format_set_add(&a, DRM_FORMAT_ARGB8888, DRM_FORMAT_MOD_LINEAR, false);
	gpu_format_set_add(&a, DRM_FORMAT_ARGB8888, DRM_FORMAT_MOD_LINEAR, false);
	ok(a.n == 3, "a pair added twice is kept once");
	gpu_format_set_add(&b, DRM_FORMAT_XRGB8888, I915_FORMAT_MOD_X_TILED, false);
	gpu_format_set_add(&b, DRM_FORMAT_ARGB8888, DRM_FORMAT_MOD_LINEAR, true);
	gpu_format_set_add(&b, DRM_FORMAT_NV12, DRM_FORMAT_MOD_LINEAR, false);
	gpu_format_set_intersect(&a, &b, &out);
	ok(out.n == 1 && out.pairs[0].format == DRM_FORMAT_XRGB8888 &&
		out.pairs[0].modifier == I915_FORMAT_MOD_X_TILED,
		"the intersection keeps common pairs, not external-only ones");
	uint64_t mods[4];
	ok(gpu_format_set_modifiers(&a, DRM_FORMAT_XRGB8888, mods, 4) == 2 &&
		mods[0] == DRM_FORMAT_MOD_LINEAR, "the modifiers of one format");
	ok(gpu_format_set_has_format(&b, DRM_FORMAT_NV12) &&
		!gpu_format_set_has_format(&a, DRM_FORMAT_NV12), "has_format");
	gpu_format_set_finish(&a);
	gpu_format_set_finish(&b);
	gpu_format_set_finish(&out);

	char buf[24];
	ok(strcmp(gpu_fourcc_str(DRM_FORMAT_XRGB8888, buf, sizeof(buf)), "XR24") == 0 &&
		strcmp(gpu_fourcc_str(0x01020304, buf, sizeof(buf)), "????") == 0,
		"fourcc text, unprintable bytes as ?");
	ok(strcmp(gpu_modifier_str(DRM_FORMAT_MOD_LINEAR, buf, sizeof(buf)), "LINEAR") == 0 &&
		strcmp(gpu_modifier_str(DRM_FORMAT_MOD_INVALID, buf, sizeof(buf)), "INVALID") == 0,
		"modifier text");
	ok(gpu_format_bpp(DRM_FORMAT_ARGB8888) == 4 && gpu_format_bpp(DRM_FORMAT_RGB565) == 2 &&
		gpu_format_bpp(DRM_FORMAT_NV12) == 0, "bytes per pixel");
	ok(gpu_egl_has_ext("EGL_A EGL_AB EGL_ABC", "EGL_AB") &&
		!gpu_egl_has_ext("EGL_ABC EGL_ABCD", "EGL_AB") && !gpu_egl_has_ext(NULL, "X"),
		"extension lookup matches whole names only");

	/* The compositor's choice: hardware Mesa drivers render, software ones do not. */
	ok(gpu_mesa_driver_is_hardware("virgl") && gpu_mesa_driver_is_hardware("iris") &&
		gpu_mesa_driver_is_hardware("radeonsi"), "virgl, iris and radeonsi render in hardware");
	ok(!gpu_mesa_driver_is_hardware("kms_swrast") && !gpu_mesa_driver_is_hardware("llvmpipe") &&
		!gpu_mesa_driver_is_hardware("") && !gpu_mesa_driver_is_hardware(NULL),
		"kms_swrast, llvmpipe and none do not");
	char name[16], why[256];
	gpu_caps_choose_renderer(-1, name, sizeof(name), why, sizeof(why));
	ok(strcmp(name, "pixman") == 0 && strstr(why, "no DRM device") != NULL,
		"no DRM fd: pixman, because there is no device");

	/* Scanout modifiers: the plane's, that the renderer takes, LINEAR first. */
	const uint64_t tiled = I915_FORMAT_MOD_X_TILED, ccs = I915_FORMAT_MOD_Y_TILED_CCS;
	struct gpu_format_set plane, renderer;
	gpu_format_set_init(&plane);
	gpu_format_set_init(&renderer);
	gpu_format_set_add(&plane, DRM_FORMAT_XRGB8888, tiled, false);
	gpu_format_set_add(&plane, DRM_FORMAT_XRGB8888, ccs, false);
	gpu_format_set_add(&plane, DRM_FORMAT_XRGB8888, DRM_FORMAT_MOD_LINEAR, false);
	gpu_format_set_add(&plane, DRM_FORMAT_ARGB8888, DRM_FORMAT_MOD_LINEAR, false);
	gpu_format_set_add(&renderer, DRM_FORMAT_XRGB8888, DRM_FORMAT_MOD_LINEAR, false);
	gpu_format_set_add(&renderer, DRM_FORMAT_XRGB8888, tiled, false);
	gpu_format_set_add(&renderer, DRM_FORMAT_XRGB8888, ccs, true); // external only
	uint64_t got[8];
	size_t n = gpu_scanout_modifiers(&plane, &renderer, DRM_FORMAT_XRGB8888, got, 8);
	ok(n == 2 && got[0] == DRM_FORMAT_MOD_LINEAR && got[1] == tiled,
		"negotiated: LINEAR first, then the plane's tiled layout the renderer renders");
	n = gpu_scanout_modifiers(&plane, NULL, DRM_FORMAT_XRGB8888, got, 8);
	size_t none = gpu_scanout_modifiers(&renderer, NULL, DRM_FORMAT_ARGB8888, got + 1, 7);
	ok(n == 1 && got[0] == DRM_FORMAT_MOD_LINEAR && none == 0,
		"a CPU renderer (NULL) takes LINEAR only; nothing where the plane lacks the format");
	gpu_format_set_finish(&plane);
	gpu_format_set_finish(&renderer);
	return n_failed ? 1 : 0;
}
