#ifndef COMP_PROTOCOLS_EXT_H
#define COMP_PROTOCOLS_EXT_H

/*
 * The protocols wlroots 0.15 lacks, implemented here on libwayland (issue 5), one file
 * each, named after its XML. The hooks below are what the rest of the compositor
 * calls; everything else stays inside those files.
 */

#include <stdbool.h>
#include <stdint.h>
#include <wayland-server-core.h>

struct comp_server;
struct comp_output;
struct wlr_surface;
struct wlr_output;

struct comp_session_lock;
struct comp_idle_notify;
struct comp_fractional_scale;
struct comp_cursor_shape;
struct comp_security_context;
struct comp_surface_hints;
struct comp_ext_toplevels;
struct comp_ext_workspaces;

/* Each protocol's state; owned by comp_protocols_ext_finish. */
struct comp_protocols_ext {
	struct comp_session_lock *session_lock;
	struct comp_idle_notify *idle_notify;
	struct comp_fractional_scale *fractional_scale;
	struct comp_cursor_shape *cursor_shape;
	struct comp_security_context *security_context;
	struct comp_surface_hints *hints; // content-type and tearing-control
	struct comp_ext_toplevels *toplevels;
	struct comp_ext_workspaces *workspaces;
};

/** Creates every global of this header; server->ext owns what they need. */
void comp_protocols_ext_init(struct comp_server *server);
/** Frees what init made; after the clients are gone, before the backend goes. */
void comp_protocols_ext_finish(struct comp_server *server);

/* ext-session-lock.c */
struct comp_session_lock *comp_session_lock_create(struct comp_server *server);
void comp_session_lock_destroy(struct comp_session_lock *lock);
/** True from the lock request until a valid unlock, also when the locker has died. */
bool comp_session_lock_active(struct comp_server *server);
/** Whether input may go to this client: while locked only the locker's. */
bool comp_session_lock_client_allowed(struct comp_server *server, struct wl_client *client);
/** Whether the surface is one of the current lock's lock surfaces. */
bool comp_session_lock_owns_surface(struct comp_server *server, struct wlr_surface *surface);
/** "locked", "locking", "abandoned" (the locker died) or "unlocked"; for IPC and tests. */
const char *comp_session_lock_state(struct comp_server *server);

/* ext-idle-notify.c */
struct comp_idle_notify *comp_idle_notify_create(struct comp_server *server);
void comp_idle_notify_destroy(struct comp_idle_notify *idle);
/** Input happened: resumed to those idle, timers restart. */
void comp_idle_notify_activity(struct comp_server *server);
/** Idle inhibitors (protocols.c's rule) hold the timers while inhibited. */
void comp_idle_notify_set_inhibited(struct comp_server *server, bool inhibited);

/* fractional-scale.c */
struct comp_fractional_scale *comp_fractional_scale_create(struct comp_server *server);
void comp_fractional_scale_destroy(struct comp_fractional_scale *fs);

/* single-pixel-buffer.c */
void comp_single_pixel_buffer_init(struct comp_server *server);

/* cursor-shape.c */
struct comp_cursor_shape *comp_cursor_shape_create(struct comp_server *server);
void comp_cursor_shape_destroy(struct comp_cursor_shape *cs);
/** The xcursor name of a wp_cursor_shape_device_v1 shape; NULL if not one. */
const char *comp_cursor_shape_name(uint32_t shape);

/* security-context.c */
struct comp_security_context *comp_security_context_create(struct comp_server *server);
void comp_security_context_destroy(struct comp_security_context *sc);
/** Whether the client came in through a security context's socket. */
bool comp_security_context_is_sandboxed(struct comp_server *server,
	const struct wl_client *client);

/* content-type.c and tearing-control.c share the per-surface hints. */
struct comp_surface_hints *comp_surface_hints_create(struct comp_server *server);
void comp_surface_hints_destroy(struct comp_surface_hints *hints);
void comp_content_type_init(struct comp_server *server);
void comp_tearing_control_init(struct comp_server *server);
/** wp_content_type_v1.type of the surface: 0 (none) if it never said. */
uint32_t comp_surface_content_type(struct comp_server *server, struct wlr_surface *surface);
/** wp_tearing_control_v1 hint of the surface: 0 (vsync) if it never said. */
uint32_t comp_surface_presentation_hint(struct comp_server *server,
	struct wlr_surface *surface);
/**
 * The output commit policy: true when this output's next commit may tear (a fullscreen
 * window that asks for async, and the output's allow_tearing). Logs each change.
 */
bool comp_tearing_policy(struct comp_output *output);

/* ext-foreign-toplevel-list.c */
struct comp_ext_toplevels *comp_ext_toplevels_create(struct comp_server *server);
void comp_ext_toplevels_destroy(struct comp_ext_toplevels *tl);

/* ext-workspace.c */
struct comp_ext_workspaces *comp_ext_workspaces_create(struct comp_server *server);
void comp_ext_workspaces_destroy(struct comp_ext_workspaces *ws);

#endif
