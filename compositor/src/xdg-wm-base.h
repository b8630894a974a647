/*
 * xdg_wm_base at version 6, served by us on libwayland: wlroots 0.15 serves it only
 * at version 2 (COMP_XDG_SHELL_WLROOTS keeps that one). The protocol state machine
 * lives in xdg-wm-base.c; window management stays in view.c, reached through the
 * signals below (xdg-shell.c connects them).
 */
#ifndef COMP_XDG_WM_BASE_H
#define COMP_XDG_WM_BASE_H

#include <stdbool.h>
#include <stdint.h>
#include <wayland-server-core.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/types/wlr_seat.h>
#include <wlr/types/wlr_surface.h>
#include <wlr/util/box.h>

#define COMP_XDG_WM_BASE_VERSION 6
/* xdg_toplevel.state.suspended (v6): wayland-protocols 1.31's header stops at v5. */
#define COMP_XDG_TOPLEVEL_STATE_SUSPENDED 9

struct comp_server;
struct comp_xdg_surface;
struct comp_xdg_popup;
struct comp_xdg_toplevel;

struct comp_xdg_shell {
	struct comp_server *server;
	struct wl_display *display;
	struct wl_global *global;
	struct wl_list clients; // comp_xdg_client.link
	struct wl_protocol_logger *logger;
	/*
	 * WLCS 1.5 maps windows with a buffer on the initial commit: with this set, that
	 * commit counts as acked (comp_testing_assume_initial_ack).
	 */
	bool assume_initial_ack;
	/* The popup grab (one seat): popups that took an explicit grab, topmost first. */
	struct {
		struct wlr_seat *seat; // NULL while no grab is active
		struct wl_client *client;
		struct wl_list popups; // comp_xdg_popup.grab_link
		struct wlr_seat_pointer_grab pointer;
		struct wlr_seat_keyboard_grab keyboard;
		struct wlr_seat_touch_grab touch;
	} grab;
	struct wl_event_source *suspend_idle; // pending comp_xdg_shell_update_visibility
	/* xdg_wm_base.ping: while a window is activated, every interval; answer in timeout. */
	struct wl_event_source *ping_interval;
	int ping_interval_ms, ping_timeout_ms; // LUMEN_XDG_PING_INTERVAL_MS, _TIMEOUT_MS
	/* The box (window geometry coordinates) the window's popups must stay in. */
	bool (*toplevel_constraint)(struct comp_xdg_toplevel *toplevel, struct wlr_box *box);
	struct {
		struct wl_signal new_toplevel; // comp_xdg_toplevel, at get_toplevel
		struct wl_signal new_layer_popup; // comp_xdg_popup, parent set by layer-shell
		struct wl_signal grab_end; // NULL: the keyboard goes back to the window
		struct wl_signal responsive; // wl_client: stopped or resumed answering pings
		struct wl_signal destroy;
	} events;
	struct wl_listener display_destroy;
};

enum comp_xdg_role {
	COMP_XDG_ROLE_NONE,
	COMP_XDG_ROLE_TOPLEVEL,
	COMP_XDG_ROLE_POPUP,
};

struct comp_xdg_toplevel_state {
	bool maximized, fullscreen, resizing, activated, suspended;
	uint32_t tiled; // enum wlr_edges
	int32_t width, height; // 0: the client chooses
	int32_t bounds_width, bounds_height; // 0: unknown
};

struct comp_xdg_positioner_rules {
	struct wlr_box anchor_rect;
	int32_t width, height;
	uint32_t anchor, gravity, constraint_adjustment;
	int32_t offset_x, offset_y;
	bool reactive;
	bool has_size, has_anchor_rect;
	int32_t parent_width, parent_height;
	bool has_parent_configure;
	uint32_t parent_configure;
};

struct comp_xdg_toplevel {
	struct wl_resource *resource; // NULL once destroyed
	struct comp_xdg_surface *base;
	struct comp_xdg_toplevel *parent; // may be NULL
	char *title, *app_id; // may be NULL
	struct comp_xdg_toplevel_state pending; // what the next configure sends
	struct comp_xdg_toplevel_state sent; // the last one sent
	struct comp_xdg_toplevel_state acked; // what the client last acked (committed)
	bool bounds_sent;
	int32_t min_width, min_height, max_width, max_height; // current (committed)
	int32_t pending_min_width, pending_min_height, pending_max_width, pending_max_height;
	struct {
		bool maximized, fullscreen, minimized; // the client's wishes
	} requested;
	struct wlr_output *requested_output; // set_fullscreen's output, may be NULL
	void *data; // the comp_view
	struct {
		struct wl_signal destroy, map, unmap, commit, initial_commit;
		struct wl_signal request_move, request_resize; // data: uint32_t *edges for resize
		struct wl_signal request_maximize, request_fullscreen, request_minimize;
		struct wl_signal set_title, set_app_id, set_parent;
	} events;
};

struct comp_xdg_popup {
	struct wl_resource *resource; // NULL once destroyed
	struct comp_xdg_surface *base;
	struct comp_xdg_surface *parent; // NULL for a layer-shell popup
	struct wlr_surface *parent_surface; // the parent's wl_surface (either kind)
	struct wl_list link; // parent's comp_xdg_surface.popups (or a private list)
	struct comp_xdg_positioner_rules rules;
	struct wlr_box geometry; // relative to the parent's window geometry, as committed
	struct wlr_box pending_geometry; // the last one configured
	struct wlr_box acked_geometry; // the last one acked, applied at the next commit
	bool has_token;
	uint32_t reposition_token;
	bool grabbing; // in comp_xdg_shell.grab.popups
	bool dismissed;
	struct wl_list grab_link;
	struct wlr_scene_tree *tree; // where it is drawn; owned by the parent's tree
	struct wl_listener parent_surface_destroy;
	/* Fills the box (parent-root coordinates) it must stay in; false: no limit. */
	bool (*constraint_box)(struct comp_xdg_popup *popup, struct wlr_box *box);
	void *constraint_data;
	struct {
		struct wl_signal destroy;
	} events;
};

struct comp_xdg_surface {
	struct comp_xdg_client *client;
	struct wl_resource *resource;
	struct wlr_surface *surface;
	struct wl_list link; // comp_xdg_client.surfaces
	enum comp_xdg_role role;
	struct comp_xdg_toplevel *toplevel; // COMP_XDG_ROLE_TOPLEVEL
	struct comp_xdg_popup *popup; // COMP_XDG_ROLE_POPUP
	struct wl_list popups; // comp_xdg_popup.link, its children
	struct wl_list configures; // struct comp_xdg_configure.link
	struct wl_event_source *configure_idle;
	uint32_t scheduled_serial;
	bool initial_commit; // the initial commit was answered by a configure
	bool configured; // a configure was acked since the (re)start
	bool mapped;
	bool has_pending_geometry, has_geometry;
	struct wlr_box pending_geometry, geometry;
	struct wlr_scene_tree *tree; // comp_xdg_scene_create's, may be NULL
	struct wlr_scene_node *surface_node;
	struct wl_listener surface_commit, surface_destroy, tree_destroy;
	struct {
		struct wl_signal map, unmap, destroy, commit;
	} events;
};

/** Creates the xdg_wm_base global; the shell lives as long as the display. */
struct comp_xdg_shell *comp_xdg_shell_create(struct comp_server *server);
/** The xdg surface of a wl_surface that has an xdg role of ours, or NULL. */
struct comp_xdg_surface *comp_xdg_surface_from_wlr_surface(struct wlr_surface *surface);
struct comp_xdg_toplevel *comp_xdg_toplevel_from_resource(struct wl_resource *resource);
/** The window geometry: as set by the client, else the surface's extents. */
struct wlr_box comp_xdg_surface_geometry(struct comp_xdg_surface *xdg);
/** Sends a configure (once, at idle) with the toplevel's pending state. */
uint32_t comp_xdg_surface_schedule_configure(struct comp_xdg_surface *xdg);
void comp_xdg_toplevel_send_close(struct comp_xdg_toplevel *toplevel);
/** True while the toplevel's client leaves a ping unanswered past the deadline. */
bool comp_xdg_toplevel_unresponsive(struct comp_xdg_toplevel *toplevel);
/** Sets the parent (NULL: none); false when that would make a loop. */
bool comp_xdg_toplevel_set_parent(struct comp_xdg_toplevel *toplevel,
	struct comp_xdg_toplevel *parent);
/** Sends popup_done to the popup and those above it. */
void comp_xdg_popup_dismiss(struct comp_xdg_popup *popup);
/** Ends the popup grab, dismissing the grabbing popups. */
void comp_xdg_shell_dismiss_grab(struct comp_xdg_shell *shell);
/** Places the popup again (reactive popups after their parent moved); configures if changed. */
void comp_xdg_popup_reconstrain(struct comp_xdg_popup *popup, bool reactive_only);
/** Reconstrains the reactive popups of xdg, nested ones too. */
void comp_xdg_surface_reconstrain_popups(struct comp_xdg_surface *xdg);
/** Gives a parentless popup (created with a null parent) the layer surface as parent. */
void comp_xdg_popup_set_layer_parent(struct comp_xdg_popup *popup, struct wlr_surface *parent);
/**
 * A scene tree showing the surface, its subsurfaces and its popups (created as they
 * come, each at its place), at the window geometry's origin. Destroyed with the surface.
 */
struct wlr_scene_tree *comp_xdg_scene_create(struct wlr_scene_node *parent,
	struct comp_xdg_surface *xdg);
/** Creates the tree of a popup (and of those it gets later) under parent. */
struct wlr_scene_tree *comp_xdg_popup_scene_create(struct wlr_scene_node *parent,
	struct comp_xdg_popup *popup);
/** Recomputes the suspended state of every toplevel soon (view.c's visibility rule). */
void comp_xdg_shell_update_visibility_soon(struct comp_xdg_shell *shell);
/** xdg-shell.c: sets each window's suspended state from what can be seen of it. */
void comp_xdg_shell_update_suspended(struct comp_server *server);

/** xdg-decoration.c: zxdg_decoration_manager_v1 for our toplevels. */
bool comp_xdg_decoration_create(struct comp_server *server);
/** xdg-foreign.c: zxdg_exporter_v2 and zxdg_importer_v2 for our toplevels. */
bool comp_xdg_foreign_create(struct comp_server *server);

#endif
