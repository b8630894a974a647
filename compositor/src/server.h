#ifndef COMP_SERVER_H
#define COMP_SERVER_H

#include <stdbool.h>
#include <wayland-server-core.h>
#include <wlr/backend.h>
#include <wlr/render/allocator.h>
#include <wlr/render/wlr_renderer.h>
#include <wlr/types/wlr_cursor.h>
#include <wlr/types/wlr_foreign_toplevel_management_v1.h>
#include <wlr/types/wlr_input_device.h>
#include <wlr/types/wlr_keyboard.h>
#include <wlr/types/wlr_layer_shell_v1.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_output_layout.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/types/wlr_seat.h>
#include <wlr/types/wlr_xcursor_manager.h>
#include <wlr/types/wlr_xdg_shell.h>
#include <xkbcommon/xkbcommon.h>
#include "comp/server.h"
#include "config.h"

#define COMP_WORKSPACES 9

struct comp_atspi_keys;
struct comp_ipc;
struct comp_tablets;
struct comp_decoration;
struct comp_trust;
struct comp_protocols_ext;
struct comp_reader_keys;
struct comp_xdg_shell;
struct comp_xdg_toplevel;
struct wlr_xwayland;
struct wlr_xwayland_surface;

/*
 * Scene layers, bottom to top. Windows live in per-workspace trees under
 * COMP_LAYER_WINDOWS; fullscreen windows are moved to COMP_LAYER_FULLSCREEN so
 * that they cover the top layer-shell layer as users expect.
 */
enum comp_layer {
	COMP_LAYER_BACKGROUND,
	COMP_LAYER_BOTTOM,
	COMP_LAYER_WINDOWS,
	COMP_LAYER_TOP,
	COMP_LAYER_FULLSCREEN,
	COMP_LAYER_OVERLAY,
	COMP_LAYER_POPUPS,
	COMP_LAYER_UI, // our own UI: the Alt+Tab switcher
	COMP_LAYER_COUNT,
};

enum comp_cursor_mode {
	COMP_CURSOR_PASSTHROUGH,
	COMP_CURSOR_MOVE,
	COMP_CURSOR_RESIZE,
};

struct comp_workspace {
	struct comp_server *server;
	int num; // 1..COMP_WORKSPACES
	struct comp_output *output; // where it is shown; may be NULL until first shown
	struct wlr_scene_tree *tree; // under COMP_LAYER_WINDOWS
	struct wlr_scene_tree *fullscreen_tree; // under COMP_LAYER_FULLSCREEN
	bool tiling;
	struct wl_list views; // comp_view.ws_link, top of the stack first
};

struct comp_output {
	struct wl_list link; // comp_server.outputs
	struct comp_server *server;
	struct wlr_output *wlr_output;
	struct comp_workspace *workspace; // the one shown here
	struct wlr_box usable_area; // layout coordinates, minus exclusive zones
	struct wl_list layer_surfaces; // comp_layer_surface.link
	unsigned present_seq; // our own vblank count, for backends that have none
	int tearing_state; // comp_tearing_policy's last decision, logged on change

	struct wl_listener frame;
	struct wl_listener destroy;
	struct wl_listener mode;
};

enum comp_view_type {
	COMP_VIEW_XDG, // wlroots' xdg-shell (LUMEN_XDG_SHELL=wlroots)
	COMP_VIEW_XWAYLAND,
	COMP_VIEW_XDG_V6, // ours, xdg-wm-base.c
};

struct comp_view {
	struct wl_list ws_link; // comp_workspace.views
	struct comp_server *server;
	enum comp_view_type type;
	struct wlr_xdg_surface *xdg_surface; // COMP_VIEW_XDG
	struct wlr_xwayland_surface *xsurface; // COMP_VIEW_XWAYLAND
	struct comp_xdg_toplevel *toplevel; // COMP_VIEW_XDG_V6
	struct comp_workspace *workspace;

	struct wlr_scene_tree *tree; // frame origin: decoration and content
	struct wlr_scene_node *content; // the surface tree, offset by the decoration
	struct comp_decoration *decoration; // NULL when the client draws its own
	bool ssd; // server-side decorations wanted

	bool mapped, minimized, maximized, fullscreen;
	bool placed; // has a position of its own: mapped again, it goes back there
	int x, y; // frame position, layout coordinates
	int width, height; // content size as last committed (window geometry)
	struct wlr_box saved; // frame box before maximize/fullscreen/tiling
	bool tiled;

	struct wlr_foreign_toplevel_handle_v1 *toplevel_handle;
	uint64_t id; // stable id for IPC
	bool has_layout; // per_window_layout: layout is the one it had when it lost focus
	uint32_t layout;

	struct wl_listener map, unmap, destroy, commit;
	struct wl_listener request_move, request_resize, request_maximize,
		request_fullscreen, request_minimize, set_title, set_app_id, set_parent;
	struct wl_listener xw_request_configure, xw_request_activate; // COMP_VIEW_XWAYLAND
	struct wl_listener xdg_initial_commit; // COMP_VIEW_XDG_V6
	struct wl_listener toplevel_request_activate, toplevel_request_close,
		toplevel_request_maximize, toplevel_request_minimize,
		toplevel_request_fullscreen;
};

struct comp_popup {
	struct wlr_xdg_popup *wlr_popup;
	struct wlr_scene_node *node;
	struct wl_listener new_popup, destroy, map;
};

struct comp_layer_surface {
	struct wl_list link; // comp_output.layer_surfaces
	struct comp_server *server;
	struct wlr_layer_surface_v1 *layer_surface;
	struct comp_output *output;
	struct wlr_scene_node *node;
	bool mapped;
	struct wl_listener map, unmap, destroy, commit, new_popup, output_destroy;
};

struct comp_keyboard {
	struct wl_list link; // comp_server.keyboards
	struct comp_server *server;
	struct wlr_input_device *device;
	uint32_t last_group; // a virtual keyboard's, as last reported
	struct wl_listener modifiers, key, destroy;
};

struct comp_server {
	struct wl_display *display;
	struct wl_event_loop *loop;
	struct comp_server_options options;
	char *socket_name;
	char *trusted_socket_name;

	struct wlr_backend *backend;
	struct wlr_backend *headless; // may be NULL
	struct wlr_backend *display_backend; // lumen-displayd's, may be NULL
	int exit_status; // of main(), once the loop ends
	struct wlr_renderer *renderer;
	struct wlr_allocator *allocator;
	struct wlr_compositor *compositor;

	struct wlr_scene *scene;
	struct wlr_scene_tree *layers[COMP_LAYER_COUNT];
	struct wlr_output_layout *output_layout;
	struct wl_list outputs; // comp_output.link
	struct comp_workspace workspaces[COMP_WORKSPACES];
	struct comp_view *focused_view; // may be NULL
	struct comp_layer_surface *focused_layer; // exclusive keyboard layer, may be NULL
	uint64_t next_view_id;

	struct wlr_xdg_shell *xdg_shell; // wlroots'; its global is withdrawn unless chosen
	struct comp_xdg_shell *xdg_wm_base; // ours (xdg-wm-base.h); NULL with wlroots'
	struct wl_listener new_xdg_toplevel, xdg_grab_end, new_layer_popup, xdg_responsive;
	struct wlr_layer_shell_v1 *layer_shell;
	struct wlr_foreign_toplevel_manager_v1 *foreign_toplevel;
	struct wlr_output_manager_v1 *output_manager;
	struct wlr_output_power_manager_v1 *output_power;
	struct wlr_presentation *presentation;
	struct wlr_xdg_activation_v1 *xdg_activation;
	struct wlr_virtual_keyboard_manager_v1 *virtual_keyboard;
	struct wlr_virtual_pointer_manager_v1 *virtual_pointer;
	struct wlr_input_method_manager_v2 *input_method;
	struct wlr_text_input_manager_v3 *text_input;
	struct wlr_server_decoration_manager *server_decoration;
	struct wlr_xdg_decoration_manager_v1 *xdg_decoration;
	struct wlr_idle_inhibit_manager_v1 *idle_inhibit;
	struct wlr_idle *idle;
	struct wlr_pointer_constraints_v1 *pointer_constraints;
	struct wlr_relative_pointer_manager_v1 *relative_pointer;
	struct wlr_keyboard_shortcuts_inhibit_manager_v1 *shortcuts_inhibit;
	struct wlr_tablet_manager_v2 *tablet;
	struct comp_tablets *tablets; // tablet.c's devices; NULL while there are none
	struct wlr_input_inhibit_manager *input_inhibit;
	struct wlr_pointer_gestures_v1 *gestures;
	/* Keycodes (+1) whose press a binding took: their release stays ours too. */
	uint32_t consumed_keys[32];
	struct comp_atspi_keys *atspi_keys; // AT-SPI2 and a11y KeyboardMonitor; may be NULL
	struct wlr_xwayland *xwayland; // may be NULL

	struct wlr_seat *seat;
	struct wlr_cursor *cursor;
	struct wlr_xcursor_manager *cursor_mgr;
	struct wl_list keyboards; // comp_keyboard.link
	uint32_t kbd_group; // the seat's keyboard layout (xkb group)
	bool kbd_syncing; // seat.c is setting every keyboard's group
	int touch_devices; // how many are attached, for the seat's capabilities
	struct wlr_pointer_constraint_v1 *active_constraint; // may be NULL
	struct wl_event_source *rebase_idle; // pending pointer re-check, may be NULL
	double press_origin_x, press_origin_y; // layout position of the pressed surface
	struct { int32_t id; double dx, dy; bool used; } touch_points[16]; // layout - surface
	enum comp_cursor_mode cursor_mode;
	struct comp_view *grabbed_view;
	double grab_x, grab_y;
	struct wlr_box grab_box;
	uint32_t resize_edges;

	/* Alt+Tab: while the modifier is held, cycling walks this snapshot. */
	bool switching;
	struct comp_view *switch_target;

	struct comp_config config;
	char *config_path; // NULL: the default path
	struct comp_ipc *ipc;
	struct comp_a11y *a11y; // a11y-provider.c: lumen-a11yd, may be NULL
	struct comp_trust *trust;
	struct comp_protocols_ext *ext; // protocols-ext.h: the protocols wlroots 0.15 lacks
	struct comp_input_method_relay *im_relay;
	struct comp_reader_keys *reader_keys; // reader-keys.c: the screen reader's chords

	struct wl_listener new_output, new_input, new_xdg_surface, new_layer_surface,
		new_virtual_keyboard, new_virtual_pointer, output_layout_change,
		output_manager_apply, output_manager_test, output_power_set_mode,
		request_activate, new_xdg_decoration, new_server_decoration,
		new_xwayland_surface, xwayland_ready,
		cursor_motion, cursor_motion_absolute, cursor_button, cursor_axis,
		cursor_frame, request_set_cursor, request_set_selection,
		request_set_primary_selection, request_start_drag, start_drag,
		inhibit_activate, inhibit_deactivate,
		touch_down, touch_up, touch_motion, touch_cancel, touch_frame,
		new_constraint, active_constraint_destroy, new_shortcuts_inhibitor,
		new_surface,
		swipe_begin, swipe_update, swipe_end, pinch_begin, pinch_update, pinch_end,
		hold_begin, hold_end, new_idle_inhibitor;
};

/* output.c */
/** The output's box in layout coordinates; empty when it is not in the layout. */
struct wlr_box comp_layout_box(struct wlr_output_layout *layout, struct wlr_output *output);
void comp_output_init(struct comp_server *server);
struct comp_output *comp_output_at(struct comp_server *server, double lx, double ly);
struct comp_output *comp_output_focused(struct comp_server *server);
struct comp_output *comp_output_by_name(struct comp_server *server, const char *name);
void comp_output_apply_config(struct comp_output *output);
void comp_output_update_manager(struct comp_server *server);
/** Renders the output's scene into a new buffer and writes it as PNG; false on error. */
bool comp_output_screenshot(struct comp_output *output, const char *path, char *err, size_t errlen);

/* layer-shell.c */
void comp_layer_shell_init(struct comp_server *server);
void comp_output_arrange_layers(struct comp_output *output);

/* xdg-shell.c */
void comp_xdg_shell_init(struct comp_server *server);

/* xwayland.c */
void comp_xwayland_init(struct comp_server *server);
void comp_xwayland_finish(struct comp_server *server);

/* view.c: window management */
void comp_view_init_common(struct comp_view *view, struct comp_server *server);
void comp_view_map(struct comp_view *view);
void comp_view_unmap(struct comp_view *view);
void comp_view_destroy_common(struct comp_view *view);
void comp_view_commit(struct comp_view *view);
/** Our xdg toplevel (COMP_VIEW_XDG_V6) is configured with the view's state; else nothing. */
void comp_view_xdg_configure(struct comp_view *view);
struct wlr_surface *comp_view_surface(struct comp_view *view);
const char *comp_view_title(struct comp_view *view);
const char *comp_view_app_id(struct comp_view *view);
struct wlr_box comp_view_geometry(struct comp_view *view); // content geometry offset and size
struct wlr_box comp_view_frame_box(struct comp_view *view); // frame, layout coordinates
void comp_view_focus(struct comp_view *view);
/** No window is focused any more (the keyboard focus is left to the caller). */
void comp_view_clear_focus(struct comp_server *server);
void comp_view_close(struct comp_view *view);
void comp_view_set_maximized(struct comp_view *view, bool maximized);
void comp_view_set_fullscreen(struct comp_view *view, bool fullscreen);
void comp_view_set_minimized(struct comp_view *view, bool minimized);
void comp_view_move_to(struct comp_view *view, int x, int y);
/** Sets the frame box; the content is configured to fit it. */
void comp_view_set_frame_box(struct comp_view *view, struct wlr_box box);
void comp_view_begin_interactive(struct comp_view *view, enum comp_cursor_mode mode,
	uint32_t edges);
void comp_view_move_to_workspace(struct comp_view *view, struct comp_workspace *ws);
void comp_view_title_changed(struct comp_view *view);
/** The window this one belongs to (a dialog's main window, set by the client or xdg-foreign). */
struct comp_view *comp_view_parent(struct comp_view *view);
void comp_view_parent_changed(struct comp_view *view);
struct comp_view *comp_view_at(struct comp_server *server, double lx, double ly,
	struct wlr_surface **surface, double *sx, double *sy);
/** Fills boxes (layout coordinates) of the view's mapped popups, nested ones too. */
size_t comp_view_popups(struct comp_view *view, struct wlr_box *boxes, size_t max);
struct comp_view *comp_view_by_id(struct comp_server *server, uint64_t id);
struct comp_view *comp_view_from_surface(struct comp_server *server, struct wlr_surface *surface);

/* workspace.c */
void comp_workspaces_init(struct comp_server *server);
struct comp_workspace *comp_workspace_get(struct comp_server *server, int num);
void comp_workspace_show(struct comp_workspace *ws, struct comp_output *output);
void comp_workspace_arrange(struct comp_workspace *ws);
void comp_workspace_set_tiling(struct comp_workspace *ws, bool tiling);
struct comp_workspace *comp_workspace_focused(struct comp_server *server);
/** Cycles focus through the focused workspace's windows (Alt+Tab); dir is +1 or -1. */
void comp_workspace_cycle(struct comp_server *server, int dir);
/** Ends an Alt+Tab cycle: focuses the window it stopped on. */
void comp_workspace_end_switch(struct comp_server *server);

/* seat.c */
void comp_seat_init(struct comp_server *server);
void comp_seat_finish(struct comp_server *server);
void comp_seat_focus_surface(struct comp_server *server, struct wlr_surface *surface);
void comp_seat_focus_layer(struct comp_server *server, struct comp_layer_surface *layer);
void comp_seat_apply_keyboard_config(struct comp_server *server);
/** Sends inputd's devices the settings of [input] and [input NAME] (config reload). */
void comp_seat_apply_input_config(struct comp_server *server);
/** Delivers a key to the input method or the focused client (after bindings); device
 * NULL: a keyboard being destroyed, through the seat's keyboard as it is. */
void comp_seat_deliver_key(struct comp_server *server, struct wlr_input_device *device,
	uint32_t time_msec, uint32_t keycode, uint32_t state);
/** Delivers modifiers (a snapshot taken when they changed) as forward_modifiers does. */
void comp_seat_deliver_modifiers(struct comp_server *server, struct wlr_input_device *device,
	struct wlr_keyboard_modifiers *modifiers);

/* atspi-keys.c: keys for screen readers (AT-SPI2 registry, org.freedesktop.a11y) */
/** NULL when there is no session bus (or no memory); the server owns the result. */
struct comp_atspi_keys *comp_atspi_keys_create(struct comp_server *server);
void comp_atspi_keys_destroy(struct comp_atspi_keys *keys);
/** True when the key is taken (held for the registry's answer, or swallowed); it is
 * delivered later with comp_seat_deliver_key if nobody consumes it. */
bool comp_atspi_keys_handle_key(struct comp_atspi_keys *keys, struct wlr_input_device *device,
	struct wlr_event_keyboard_key *event);
/** The keyboard is going: its held keys and modifiers are delivered now. */
void comp_atspi_keys_keyboard_destroyed(struct comp_atspi_keys *keys,
	struct wlr_input_device *device);
/** True when the device's modifiers must wait behind its held keys (queued here). */
bool comp_atspi_keys_handle_modifiers(struct comp_atspi_keys *keys,
	struct wlr_input_device *device);
/** Switches every keyboard to layout index (of the configured layout list); false if out of range. */
bool comp_seat_set_layout(struct comp_server *server, int index);
int comp_seat_layout_index(struct comp_server *server);
const char *comp_seat_layout_name(struct comp_server *server, int index);
void comp_cursor_process_motion(struct comp_server *server, uint32_t time);
/**
 * What is under the pointer may have changed (a window moved, mapped, resized):
 * find it again once the current event is handled, so enter/leave/motion follow.
 */
void comp_cursor_rebase_soon(struct comp_server *server);
/** Whether input may go to this client now (an input inhibitor, e.g. a locker, may own it). */
bool comp_seat_client_allowed(struct comp_server *server, struct wl_client *client);

/* reader-keys.c: lumen-reader-keys-v1, the screen reader's chords (made by seat.c) */
struct comp_reader_keys *comp_reader_keys_create(struct comp_server *server);
void comp_reader_keys_destroy(struct comp_reader_keys *rk);
/** Takes the key before anything else sees it; true when it is the reader's. */
bool comp_reader_keys_handle_key(struct comp_server *server, struct wlr_input_device *device,
	struct wlr_event_keyboard_key *event);
/** The reader-toggle action: tells the reader, or runs `lumen-reader --toggle`. */
void comp_reader_keys_toggle(struct comp_server *server);

/* tablet.c */
/** Takes a new tablet tool or pad device: tablet-v2 for clients that bind it, else a pointer. */
void comp_tablet_add_device(struct comp_server *server, struct wlr_input_device *device);

/* bindings.c */
/** Runs the binding for this key chord if there is one; true when consumed. */
bool comp_bindings_handle(struct comp_server *server, uint32_t modifiers, xkb_keysym_t sym);
/** Runs an action string as written in config or IPC ("workspace 3", "exec foot"). */
bool comp_action_run(struct comp_server *server, const char *action, char *err, size_t errlen);
void comp_spawn(struct comp_server *server, const char *command);

/* decoration.c */
void comp_decoration_init(struct comp_server *server);
/** Frees what the title bars share (fonts); after the last decoration is gone. */
void comp_decoration_finish(void);
struct comp_decoration *comp_decoration_create(struct comp_view *view);
void comp_decoration_destroy(struct comp_decoration *deco);
/** Redraws for the view's current title, size and focus. */
void comp_decoration_update(struct comp_decoration *deco);
int comp_decoration_title_height(void);
int comp_decoration_border(void);
enum comp_deco_part {
	COMP_DECO_NONE,
	COMP_DECO_TITLE,
	COMP_DECO_CLOSE,
	COMP_DECO_MAXIMIZE,
	COMP_DECO_MINIMIZE,
	COMP_DECO_BORDER,
};
/** What part of the decoration is at frame-relative (x, y). */
enum comp_deco_part comp_decoration_part_at(struct comp_decoration *deco, double x, double y);
void comp_view_update_ssd(struct comp_view *view);

/* protocols.c: the globals that need little more than creation */
void comp_protocols_init(struct comp_server *server);
/** Input happened: idle timers restart (unless an inhibitor holds them). */
void comp_protocols_notify_activity(struct comp_server *server);
/** What is visible changed: idle inhibitors of hidden surfaces stop counting. */
void comp_protocols_idle_recheck(struct comp_server *server);

/* trust.c: the global filter */
struct comp_trust *comp_trust_create(struct comp_server *server);
void comp_trust_destroy(struct comp_trust *trust);
bool comp_trust_add_socket(struct comp_trust *trust, const char *name);
/** Listens on an inherited listening socket (lumen-session's); its file is left in place. */
bool comp_trust_add_fd(struct comp_trust *trust, int fd);
void comp_trust_client(struct comp_trust *trust, struct wl_client *client);
bool comp_trust_is_trusted(struct comp_trust *trust, const struct wl_client *client);

/* input-method.c */
struct comp_input_method_relay *comp_im_relay_create(struct comp_server *server);
void comp_im_relay_destroy(struct comp_input_method_relay *relay);
void comp_im_relay_set_focus(struct comp_input_method_relay *relay, struct wlr_surface *surface);
/** Sends the key to the input method's keyboard grab; true when it took it. */
bool comp_im_relay_handle_key(struct comp_input_method_relay *relay,
	struct wlr_input_device *device, uint32_t time, uint32_t keycode, uint32_t state);
/** Windows moved: the input method's popup follows the text cursor. */
void comp_im_relay_views_moved(struct comp_input_method_relay *relay);
bool comp_im_relay_handle_modifiers(struct comp_input_method_relay *relay,
	struct wlr_input_device *device);

/* ipc.c */
struct comp_ipc *comp_ipc_create(struct comp_server *server, const char *path);
void comp_ipc_destroy(struct comp_ipc *ipc);
/** Sends an event to subscribers: type is "window", "workspace", "layout" or "output". */
/* a11y-provider.c: windows, workspaces and the switcher on lumen-a11yd's bus */
struct comp_a11y *comp_a11y_create(struct comp_server *server);
void comp_a11y_destroy(struct comp_a11y *a11y);
/** Fed every IPC event (ipc.c), whether or not IPC clients listen. */
void comp_a11y_event(struct comp_server *server, const char *type, const char *change,
	struct comp_view *view);
void comp_ipc_event(struct comp_server *server, const char *type, const char *change,
	struct comp_view *view);

/* config application (server.c) */
bool comp_server_reload_config(struct comp_server *server, char *err, size_t errlen);

#endif
