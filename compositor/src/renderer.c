/* The compositor's choice of renderer (renderer.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wlr/backend.h>
#include <wlr/render/gles2.h>
#include <wlr/render/pixman.h>
#include <wlr/render/wlr_renderer.h>
#include "common/log.h"
#if HAVE_GPU
#include "gpu/caps.h"
#endif
#include "renderer.h"

/* One compositor per process: the choice is the process's. */
static char chosen_name[32];
static char chosen_why[320];

const char *comp_renderer_name(void) {
	return chosen_name;
}

const char *comp_renderer_why(void) {
	return chosen_why;
}

struct wlr_renderer *comp_renderer_create(struct wlr_backend *backend) {
	const char *env = getenv("WLR_RENDERER");
	if (env && env[0]) {
		snprintf(chosen_name, sizeof(chosen_name), "%s", env);
		snprintf(chosen_why, sizeof(chosen_why), "WLR_RENDERER=%s asks for it", env);
		lumen_log(LUMEN_INFO, "renderer: %s (%s)", chosen_name, chosen_why);
		return wlr_renderer_autocreate(backend);
	}
	const char *node = getenv("WLR_RENDER_DRM_DEVICE");
	if (node && node[0]) {
		/* wlroots' own override of the node: its autocreate opens and checks it. */
		snprintf(chosen_name, sizeof(chosen_name), "auto");
		snprintf(chosen_why, sizeof(chosen_why), "WLR_RENDER_DRM_DEVICE=%s: wlroots chooses",
			node);
		lumen_log(LUMEN_INFO, "renderer: %s (%s)", chosen_name, chosen_why);
		return wlr_renderer_autocreate(backend);
	}
	/* A backend without a DRM node (displayd offered none) takes no dmabufs: pixman. */
	int fd = wlr_backend_get_drm_fd(backend);
	char name[16] = "pixman";
	char why[256] = "built without gpu/: wlroots chooses";
#if HAVE_GPU
	gpu_caps_choose_renderer(fd, name, sizeof(name), why, sizeof(why));
#else
	snprintf(name, sizeof(name), "%s", fd >= 0 ? "auto" : "pixman");
#endif
	struct wlr_renderer *renderer = NULL;
	if (strcmp(name, "gles2") == 0) {
		renderer = wlr_gles2_renderer_create_with_drm_fd(fd);
		if (!renderer) {
			char failed[256];
			snprintf(failed, sizeof(failed), "%s", why);
			snprintf(why, sizeof(why), "GLES2 did not start on %.200s", failed);
			snprintf(name, sizeof(name), "pixman");
		}
	} else if (strcmp(name, "auto") == 0) {
		renderer = wlr_renderer_autocreate(backend);
	}
	if (!renderer) {
		renderer = wlr_pixman_renderer_create();
	}
	snprintf(chosen_name, sizeof(chosen_name), "%s", name);
	snprintf(chosen_why, sizeof(chosen_why), "%s", why);
	if (renderer) {
		lumen_log(LUMEN_INFO, "renderer: %s (%s)", chosen_name, chosen_why);
	}
	return renderer;
}
