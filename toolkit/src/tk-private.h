#ifndef TOOLKIT_TK_PRIVATE_H
#define TOOLKIT_TK_PRIVATE_H

#include <pixman.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wayland-client.h>
#include <xkbcommon/xkbcommon.h>
#include "toolkit/toolkit.h"

#define TK_MAX_OUTPUTS 16

/* ---- Text (text.c): one line of text, over fonts/ or a fallback ---- */

struct tk_text;

/** The family new sizes are set in (settings' font; NULL or "" for sans-serif). */
void tk_text_set_default_family(const char *family);
struct tk_text *tk_text_create(double size_px, bool bold);
void tk_text_destroy(struct tk_text *text);
void tk_text_set(struct tk_text *text, const char *utf8, size_t len);
void tk_text_set_scale(struct tk_text *text, double scale);
void tk_text_set_size(struct tk_text *text, double size_px, bool bold);
/** Underlines bytes [start, end); start == end: none. */
void tk_text_set_underline(struct tk_text *text, size_t start, size_t end);
/** Logical size of the line box and the baseline from its top. */
void tk_text_get_size(struct tk_text *text, double *width, double *height);
/** x of a caret before byte index, logical, from the text's left. */
double tk_text_index_to_x(struct tk_text *text, size_t index);
/** The caret byte index nearest to logical x. */
size_t tk_text_x_to_index(struct tk_text *text, double x);
size_t tk_text_next_char(struct tk_text *text, size_t index);
size_t tk_text_prev_char(struct tk_text *text, size_t index);
struct tk_draw;
/** Draws with the line box's top-left at logical (x, y), inside d's clip. */
void tk_text_render(struct tk_text *text, struct tk_draw *d, double x, double y, uint32_t color);

/* ---- Drawing (draw.c) ---- */

struct tk_draw {
	pixman_image_t *image; // device pixels
	double scale;
	int clip_x, clip_y, clip_w, clip_h; // logical
	const struct tk_theme *theme;
};

void tk_draw_push_clip(struct tk_draw *d, int x, int y, int w, int h, int saved[4]);
void tk_draw_pop_clip(struct tk_draw *d, const int saved[4]);
void tk_draw_rect(struct tk_draw *d, double x, double y, double w, double h, uint32_t color);
void tk_draw_frame(struct tk_draw *d, double x, double y, double w, double h, double width,
	uint32_t color);
void tk_draw_circle(struct tk_draw *d, double cx, double cy, double r, uint32_t color);
/** Text at logical (x, y), vertically centred in a box of height h when h > 0. */
void tk_draw_text(struct tk_draw *d, struct tk_text *text, double x, double y, double h,
	uint32_t color);
void tk_draw_focus_ring(struct tk_draw *d, int x, int y, int w, int h);
void tk_draw_image(struct tk_draw *d, pixman_image_t *src, int x, int y, int w, int h);
/** Fills with color through mask's alpha (symbolic icons take the text colour). */
void tk_draw_mask(struct tk_draw *d, uint32_t color, pixman_image_t *mask, int x, int y, int w,
	int h);

/* ---- Widgets (widget.c) ---- */

struct tk_key {
	xkb_keysym_t sym;
	const char *utf8; // what the key types, "" for none
	bool shift, ctrl, alt;
};

enum tk_pointer_kind {
	TK_POINTER_MOTION,
	TK_POINTER_PRESS,
	TK_POINTER_RELEASE,
	TK_POINTER_SCROLL,
	TK_POINTER_LEAVE,
};

struct tk_pointer {
	enum tk_pointer_kind kind;
	double x, y; // surface-local logical
	int button; // BTN_LEFT ...
	double scroll; // for SCROLL, positive is down
	int clicks; // 1, 2 for a double click
	uint32_t serial;
};

struct tk_widget_impl {
	const char *type;
	enum tk_a11y_role role;
	void (*measure)(struct tk_widget *w, int *width, int *height);
	void (*layout)(struct tk_widget *w); // place the children inside w's box
	void (*draw)(struct tk_widget *w, struct tk_draw *d);
	bool (*key)(struct tk_widget *w, const struct tk_key *key);
	bool (*pointer)(struct tk_widget *w, const struct tk_pointer *ev);
	void (*focus)(struct tk_widget *w, bool in);
	void (*destroy)(struct tk_widget *w);
	void (*scale_changed)(struct tk_widget *w);
	/* Accessibility beyond the generic fields. */
	bool (*a11y_value)(const struct tk_widget *w, double *v, double *min, double *max);
	bool (*a11y_text)(const struct tk_widget *w, const char **text, size_t *caret,
		size_t *sel_start, size_t *sel_end);
	uint32_t (*a11y_states)(const struct tk_widget *w);
	/* Moves the caret (start == end) or selects, in a11y_text's byte offsets. */
	bool (*a11y_set_selection)(struct tk_widget *w, size_t start, size_t end);
	const char *const *actions; // NULL-terminated
	bool (*action)(struct tk_widget *w, const char *name);
	/* An extra accessible child (an open menu's popup), or NULL. */
	struct tk_widget *(*a11y_extra_child)(const struct tk_widget *w);
};

struct tk_widget {
	const struct tk_widget_impl *impl;
	struct tk_widget *parent; // NULL for a window's root
	struct tk_window *window; // NULL until the tree is in a window
	struct tk_widget **children;
	size_t n_children, cap_children;
	int x, y, width, height; // logical, surface-relative
	int min_width, min_height;
	bool expand_h, expand_v;
	bool focusable, disabled, hidden;
	bool hover, pressed;
	char *name, *description; // NULL: the impl's default
	const char *default_name; // owned by the impl's widget, may be NULL
	bool heading; // a label shown as a heading: its role is heading
};

void tk_widget_init(struct tk_widget *w, const struct tk_widget_impl *impl);
void tk_widget_add_child(struct tk_widget *parent, struct tk_widget *child);
void tk_widget_queue_redraw(struct tk_widget *w);
/** Layout changed (size may differ): the window measures and places everything again. */
void tk_widget_queue_layout(struct tk_widget *w);
void tk_widget_measure(struct tk_widget *w, int *width, int *height);
void tk_widget_set_bounds(struct tk_widget *w, int x, int y, int width, int height);
void tk_widget_draw(struct tk_widget *w, struct tk_draw *d);
bool tk_widget_has_focus(const struct tk_widget *w);
bool tk_widget_can_focus(const struct tk_widget *w);
struct tk_widget *tk_widget_at(struct tk_widget *w, double x, double y);
struct tk_app *tk_widget_get_app(const struct tk_widget *w);
const struct tk_theme *tk_widget_theme(const struct tk_widget *w);
/** The font size for body text, with the text scale applied. */
double tk_widget_font_size(const struct tk_widget *w);
double tk_widget_scale(const struct tk_widget *w);
void tk_widget_set_window(struct tk_widget *w, struct tk_window *window);
/** Scrolls any scroll view above w so that w is visible. */
void tk_widget_scroll_into_view(struct tk_widget *w);
/** The next focusable widget after from in tab order (dir +1 / -1), wrapping. */
struct tk_widget *tk_focus_next(struct tk_widget *root, struct tk_widget *from, int dir);

/* Text-input-v3 hooks an entry implements (entry.c). */
bool tk_entry_is(const struct tk_widget *w);
void tk_entry_ime_preedit(struct tk_widget *w, const char *text, int begin, int end);
void tk_entry_ime_commit(struct tk_widget *w, const char *text);
void tk_entry_ime_delete(struct tk_widget *w, uint32_t before, uint32_t after);
/** Surrounding text, cursor and anchor (bytes) and the cursor rectangle (surface). */
void tk_entry_ime_state(struct tk_widget *w, const char **text, int *cursor, int *anchor,
	int rect[4], bool *password);
void tk_entry_paste(struct tk_widget *w, const char *text, size_t len);

/* Menu popups (menu.c). */
bool tk_menu_button_is(const struct tk_widget *w);

/* ---- Windows (window.c) ---- */

enum tk_window_kind {
	TK_WINDOW_TOPLEVEL,
	TK_WINDOW_POPUP,
	TK_WINDOW_LAYER,
	TK_WINDOW_OFFSCREEN, // no surface: unit tests
};

struct tk_buffer {
	struct wl_buffer *buffer;
	pixman_image_t *image;
	void *data;
	size_t size;
	int width, height; // device pixels
	bool busy;
};

struct tk_window {
	struct tk_app *app;
	enum tk_window_kind kind;
	struct wl_list link; // tk_app.windows
	struct wl_surface *surface;
	struct xdg_surface *xdg_surface;
	struct xdg_toplevel *xdg_toplevel;
	struct xdg_popup *xdg_popup;
	struct zwlr_layer_surface_v1 *layer_surface;
	struct wp_viewport *viewport;
	struct wp_fractional_scale_v1 *fractional;
	struct wl_callback *frame_cb;
	struct tk_buffer buffers[2];

	struct tk_window *parent; // popups
	struct tk_widget *owner; // the widget that opened a popup
	struct tk_widget *root;
	struct tk_widget *focus; // may be NULL
	struct tk_widget *hover, *pressed;
	struct tk_widget a11y_root; // the "window" node above root

	struct tk_settings own_settings; // offscreen windows, which have no app
	struct tk_theme own_theme;
	char *title;
	int width, height; // logical
	int pending_width, pending_height;
	bool configured, dirty, needs_layout, closing;
	int buffer_scale; // integer scale from the outputs entered
	double fractional_scale; // 0 unless wp_fractional_scale_v1 said otherwise
	struct wl_output *outputs[TK_MAX_OUTPUTS];
	int n_outputs;

	tk_window_fn close_fn;
	void *close_data;
	tk_a11y_change_fn a11y_fn;
	void *a11y_data;

	/* text-input-v3 state */
	bool ti_entered;
	struct tk_widget *ti_widget; // the entry text-input is enabled for
};

struct tk_window *tk_window_create_offscreen(const struct tk_settings *settings, int width,
	int height);
/** Lays out and draws into an image of its own (offscreen windows); NULL if none. */
pixman_image_t *tk_window_render_offscreen(struct tk_window *window);
void tk_window_schedule_redraw(struct tk_window *window);
void tk_window_key(struct tk_window *window, const struct tk_key *key);
void tk_window_pointer(struct tk_window *window, const struct tk_pointer *ev);
void tk_window_layout(struct tk_window *window);
/** Opens a popup under anchor (surface-local rect of parent), with an xdg grab. */
struct tk_window *tk_window_create_popup(struct tk_window *parent, struct tk_widget *owner,
	int ax, int ay, int aw, int ah, struct tk_widget *content, uint32_t grab_serial);
void tk_window_update_text_input(struct tk_window *window);
/** The innermost open popup above window, or window itself. */
struct tk_window *tk_window_top_popup(struct tk_window *window);

/* ---- The app (app.c) ---- */

struct tk_output {
	struct wl_output *output;
	uint32_t name;
	int scale;
	struct wl_list link;
};

struct tk_app {
	struct wl_display *display;
	struct tk_a11y_bus *a11y_bus; // a11y-bus.c: lumen-a11yd, may be NULL
	struct wl_registry *registry;
	struct wl_compositor *compositor;
	struct wl_shm *shm;
	struct xdg_wm_base *wm_base;
	struct zwlr_layer_shell_v1 *layer_shell;
	struct wp_viewporter *viewporter;
	struct wp_fractional_scale_manager_v1 *fractional_manager;
	struct wl_data_device_manager *data_device_manager;
	struct zwp_text_input_manager_v3 *text_input_manager;
	struct wl_seat *seat;
	struct wl_list outputs; // tk_output.link
	struct wl_list windows; // tk_window.link
	struct wl_list timers, watches;

	struct tk_settings settings;
	struct tk_theme theme;
	bool running;
	int status;

	/* Seat (input.c) */
	struct wl_keyboard *keyboard;
	struct wl_pointer *pointer;
	struct wl_touch *touch;
	struct xkb_context *xkb_context;
	struct xkb_keymap *keymap;
	struct xkb_state *xkb_state;
	struct tk_window *kbd_focus, *ptr_focus, *touch_focus;
	double ptr_x, ptr_y, touch_x, touch_y;
	int32_t touch_id;
	uint32_t last_serial, ptr_enter_serial;
	uint32_t last_click_time;
	double last_click_x, last_click_y;
	int click_count;
	int32_t repeat_rate, repeat_delay;
	xkb_keycode_t repeat_key;
	struct tk_timer *repeat_timer;
	struct wl_cursor_theme *cursor_theme;
	int cursor_theme_scale;
	struct wl_surface *cursor_surface;
	const char *cursor_name;

	/* Clipboard (clipboard.c) */
	struct wl_data_device *data_device;
	struct wl_data_offer *selection_offer;
	struct wl_data_source *source;
	char *source_text;
	size_t source_len;
	struct wl_list pastes;

	/* text-input-v3 */
	struct zwp_text_input_v3 *text_input;
	uint32_t ti_commits;
	char *ti_preedit, *ti_commit;
	int ti_preedit_begin, ti_preedit_end;
	uint32_t ti_delete_before, ti_delete_after;
	bool ti_has_preedit, ti_has_delete;
};

void tk_app_bind_seat(struct tk_app *app);
void tk_app_finish_seat(struct tk_app *app);
void tk_app_set_cursor(struct tk_app *app, const char *name);
struct tk_output *tk_app_find_output(struct tk_app *app, struct wl_output *output);
void tk_clipboard_init(struct tk_app *app);
void tk_clipboard_finish(struct tk_app *app);
/** Offers text as the selection (the clipboard). */
void tk_clipboard_copy(struct tk_app *app, const char *text, size_t len);
/** Reads the selection and pastes it into the entry, asynchronously. */
void tk_clipboard_paste(struct tk_app *app, struct tk_widget *entry);
/** Forgets pending pastes into a widget that goes away. */
void tk_clipboard_forget(struct tk_app *app, struct tk_widget *w);
void tk_text_input_init(struct tk_app *app);
void tk_text_input_finish(struct tk_app *app);
void tk_app_forget_window(struct tk_app *app, struct tk_window *window);

/* a11y-bus.c: each toplevel's accessible tree published on lumen-a11yd's bus. */
struct tk_a11y_bus;
void tk_a11y_bus_init(struct tk_app *app);
void tk_a11y_bus_finish(struct tk_app *app);
void tk_a11y_bus_window_created(struct tk_window *win, const char *app_id);
void tk_a11y_bus_window_changed(struct tk_window *win);
void tk_a11y_bus_window_destroyed(struct tk_window *win);

#endif
