#ifndef COMP_RENDERER_H
#define COMP_RENDERER_H

struct wlr_backend;
struct wlr_renderer;

/*
 * The renderer, chosen through gpu/ (gpu_caps_choose_renderer): GLES2 on the backend's
 * DRM node (displayd's render node, or the one wlroots' own backends opened) where its
 * Mesa driver renders in hardware (virgl, iris, radeonsi...), else pixman. WLR_RENDERER
 * or WLR_RENDER_DRM_DEVICE, when set, still decide (through wlroots' autocreate). The
 * choice and its reason are logged and kept for IPC ("outputs" replies carry
 * "renderer": {"name", "why"}).
 */
struct wlr_renderer *comp_renderer_create(struct wlr_backend *backend);
/** "gles2", "pixman", WLR_RENDERER's value or "auto"; "" before comp_renderer_create. */
const char *comp_renderer_name(void);
const char *comp_renderer_why(void);

#endif
