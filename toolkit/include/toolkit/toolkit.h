#ifndef TOOLKIT_TOOLKIT_H
#define TOOLKIT_TOOLKIT_H

/*
 * Lumen's client toolkit: a Wayland connection with its own small event loop, windows
 * (xdg toplevels, popups, layer surfaces) drawn into shm buffers with pixman, and
 * widgets that are all accessibility nodes (toolkit/a11y.h).
 *
 * Ownership: the app owns its windows (tk_app_destroy destroys those left); a window
 * owns its root widget; a container owns the widgets appended to it. Sizes are logical
 * pixels; the toolkit draws at the output's scale.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "toolkit/a11y.h"

struct tk_app;
struct tk_window;
struct tk_widget;
struct tk_timer;
struct tk_fd_watch;

/* ---- Themes and settings ---- */

enum tk_theme_kind {
	TK_THEME_LIGHT = 0,
	TK_THEME_DARK,
	TK_THEME_HIGH_CONTRAST,
};

/** Colours are 0xAARRGGBB, not premultiplied. */
struct tk_theme {
	enum tk_theme_kind kind;
	uint32_t window_bg, fg, fg_disabled, widget_bg, widget_bg_hover, widget_bg_pressed;
	uint32_t border, accent, accent_fg, entry_bg, selection_bg, selection_fg, focus_ring;
	uint32_t trough; // slider and toggle tracks
	int border_width, focus_width;
};

struct tk_settings {
	enum tk_theme_kind theme;
	double text_scale; // multiplies every font size; 0.5 .. 4
	double font_size;  // logical pixels, before text_scale
	char font[128];    // a font family, "" = sans-serif
};

/** Light theme, text scale 1, 14 px sans-serif. */
void tk_settings_init_default(struct tk_settings *settings);
/**
 * Parses settings text (ini) into settings, keeping what is not mentioned. Every bad
 * line is logged as "NAME:LINE: reason" and ignored. Returns the number of bad lines.
 */
int tk_settings_parse(struct tk_settings *settings, const char *name, const char *text,
	size_t len);
/** Reads $XDG_CONFIG_HOME/lumen/toolkit.ini (or ~/.config/...); a missing file is fine. */
int tk_settings_load(struct tk_settings *settings);
bool tk_theme_kind_from_string(const char *s, enum tk_theme_kind *kind);
const char *tk_theme_kind_to_string(enum tk_theme_kind kind);
void tk_theme_init(struct tk_theme *theme, enum tk_theme_kind kind);

/* ---- The app and its event loop ---- */

/**
 * Connects to $WAYLAND_DISPLAY and binds the globals. settings may be NULL (the settings
 * file is read). Returns NULL if there is no compositor or it lacks wl_compositor,
 * wl_shm or xdg_wm_base.
 */
struct tk_app *tk_app_create(const struct tk_settings *settings);
/** Destroys the windows left, then the connection. NULL is allowed. */
void tk_app_destroy(struct tk_app *app);
/** Runs until tk_app_quit() or the connection fails; returns the quit status. */
int tk_app_run(struct tk_app *app);
void tk_app_quit(struct tk_app *app, int status);
const struct tk_theme *tk_app_get_theme(const struct tk_app *app);
const struct tk_settings *tk_app_get_settings(const struct tk_app *app);
/** Changes theme and text scale; every window is laid out and drawn again. */
void tk_app_apply_settings(struct tk_app *app, const struct tk_settings *settings);

typedef void (*tk_timer_fn)(void *data);
/** A one-shot timer after ms milliseconds; the app frees it after it fires. */
struct tk_timer *tk_timer_add(struct tk_app *app, int ms, tk_timer_fn fn, void *data);
/** Cancels a timer that has not fired. NULL is allowed. */
void tk_timer_cancel(struct tk_timer *timer);

typedef void (*tk_fd_fn)(int fd, short revents, void *data);
struct tk_fd_watch *tk_fd_watch_add(struct tk_app *app, int fd, short events, tk_fd_fn fn,
	void *data);
/** Stops watching; the fd stays the caller's. NULL is allowed. */
void tk_fd_watch_remove(struct tk_fd_watch *watch);

/* ---- Windows ---- */

typedef void (*tk_window_fn)(struct tk_window *window, void *data);

struct tk_window *tk_window_create_toplevel(struct tk_app *app, const char *title,
	const char *app_id);

enum tk_layer {
	TK_LAYER_BACKGROUND = 0,
	TK_LAYER_BOTTOM,
	TK_LAYER_TOP,
	TK_LAYER_OVERLAY,
};
enum tk_anchor {
	TK_ANCHOR_TOP = 1,
	TK_ANCHOR_BOTTOM = 2,
	TK_ANCHOR_LEFT = 4,
	TK_ANCHOR_RIGHT = 8,
};
/**
 * A layer-shell surface (panels, docks); NULL if the compositor has no layer shell.
 * width or height 0 takes the anchored output's size.
 */
struct tk_window *tk_window_create_layer(struct tk_app *app, enum tk_layer layer,
	uint32_t anchor, int width, int height, int exclusive_zone, const char *name_space);
/** Destroys the window and its widgets (and its popups). NULL is allowed. */
void tk_window_destroy(struct tk_window *window);
/** The window takes root (and any previous root is destroyed). */
void tk_window_set_root(struct tk_window *window, struct tk_widget *root);
struct tk_widget *tk_window_get_root(struct tk_window *window);
/** What the close button (or Escape in a popup) does; default: tk_app_quit(app, 0). */
void tk_window_set_close_handler(struct tk_window *window, tk_window_fn fn, void *data);
/** Called after each frame that was drawn because something changed. */
void tk_window_set_a11y_handler(struct tk_window *window, tk_a11y_change_fn fn, void *data);
void tk_window_set_title(struct tk_window *window, const char *title);
void tk_window_set_focus(struct tk_window *window, struct tk_widget *widget);
struct tk_widget *tk_window_get_focus(struct tk_window *window);
/** The scale the window draws at (1, 2, 1.5 with fractional scaling). */
double tk_window_get_scale(const struct tk_window *window);
/** The root of the window's accessible tree (a "window" node). */
struct tk_a11y_node *tk_window_get_a11y(struct tk_window *window);

/* ---- Widgets ---- */

typedef void (*tk_widget_fn)(struct tk_widget *widget, void *data);

enum tk_orientation {
	TK_HORIZONTAL = 0,
	TK_VERTICAL,
};

/** Destroys a widget that has no parent (or removes it from its parent first). */
void tk_widget_destroy(struct tk_widget *widget);
/** The accessible name (labels and buttons default to their text). */
void tk_widget_set_name(struct tk_widget *widget, const char *name);
void tk_widget_set_description(struct tk_widget *widget, const char *description);
/** Whether the widget takes the extra space of its box, each way. */
void tk_widget_set_expand(struct tk_widget *widget, bool horizontal, bool vertical);
void tk_widget_set_disabled(struct tk_widget *widget, bool disabled);
/** A minimum size in logical pixels (0: the natural size). */
void tk_widget_set_min_size(struct tk_widget *widget, int width, int height);
/** The widget's accessibility node, which lives as long as the widget. */
struct tk_a11y_node *tk_widget_get_a11y(struct tk_widget *widget);
/** Position and size in logical pixels relative to the window's surface. */
void tk_widget_get_bounds(const struct tk_widget *widget, int *x, int *y, int *width,
	int *height);
void tk_widget_grab_focus(struct tk_widget *widget);

struct tk_widget *tk_box_create(enum tk_orientation orientation, int spacing);
/** The box takes child. */
void tk_box_append(struct tk_widget *box, struct tk_widget *child);
/** Space around the children, logical pixels. */
void tk_box_set_padding(struct tk_widget *box, int padding);

struct tk_widget *tk_label_create(const char *text);
void tk_label_set_text(struct tk_widget *label, const char *text);
/** A larger, bold label. */
void tk_label_set_heading(struct tk_widget *label, bool heading);

struct tk_widget *tk_button_create(const char *label);
void tk_button_set_handler(struct tk_widget *button, tk_widget_fn on_click, void *data);

/** A toggle (switch) or a check box; handler runs after the state changes. */
struct tk_widget *tk_toggle_create(const char *label, bool active);
struct tk_widget *tk_check_create(const char *label, bool checked);
bool tk_toggle_get_active(const struct tk_widget *widget);
void tk_toggle_set_active(struct tk_widget *widget, bool active);
void tk_toggle_set_handler(struct tk_widget *widget, tk_widget_fn on_change, void *data);

struct tk_widget *tk_slider_create(double min, double max, double step, double value);
double tk_slider_get_value(const struct tk_widget *slider);
void tk_slider_set_value(struct tk_widget *slider, double value);
void tk_slider_set_handler(struct tk_widget *slider, tk_widget_fn on_change, void *data);

struct tk_widget *tk_entry_create(const char *placeholder);
/** The entry's text; owned by it, valid until the next change. */
const char *tk_entry_get_text(const struct tk_widget *entry);
void tk_entry_set_text(struct tk_widget *entry, const char *text);
/** Password mode: bullets on screen and to accessibility; no copy out. */
void tk_entry_set_password(struct tk_widget *entry, bool password);
void tk_entry_set_handlers(struct tk_widget *entry, tk_widget_fn on_change,
	tk_widget_fn on_activate, void *data);

struct tk_widget *tk_list_create(void);
void tk_list_append(struct tk_widget *list, const char *text);
/** The selected row, or -1. */
int tk_list_get_selected(const struct tk_widget *list);
void tk_list_set_selected(struct tk_widget *list, int row);
/** on_activate runs on Enter or a double click; on_select on each selection change. */
void tk_list_set_handlers(struct tk_widget *list, tk_widget_fn on_select,
	tk_widget_fn on_activate, void *data);

/** A scroll view over child, at most max_height logical pixels high. */
struct tk_widget *tk_scroll_create(struct tk_widget *child, int max_height);

/** A button that opens a menu (an xdg popup) of items. */
struct tk_widget *tk_menu_button_create(const char *label);
void tk_menu_button_add_item(struct tk_widget *menu_button, const char *label,
	tk_widget_fn on_activate, void *data);
/** The label of the item last activated, or NULL. */
const char *tk_menu_button_get_last(const struct tk_widget *menu_button);

/** A PNG file at its size (or size x size when size > 0); NULL if it cannot be read. */
struct tk_widget *tk_image_create_png(const char *path, int size);
/**
 * An icon by its freedesktop name ("edit-copy-symbolic") from the icon theme
 * (Adwaita, then hicolor), drawn from its SVG with librsvg at size x size logical
 * pixels. NULL if the theme has no such icon.
 */
struct tk_widget *tk_image_create_icon(const char *name, int size);

#endif
