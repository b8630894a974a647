/*
 * The seat: keyboard (xkbcommon, with key repeat from repeat_info), pointer with theme
 * cursors (libwayland-cursor), touch (a finger acts as the left button), and the
 * text-input-v3 object for input methods.
 */
#define _GNU_SOURCE
#include <linux/input-event-codes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wayland-cursor.h>
#include "common/alloc.h"
#include "common/log.h"
#include "text-input-unstable-v3-client-protocol.h"
#include "tk-private.h"

static struct tk_window *window_of_surface(struct tk_app *app, struct wl_surface *surface) {
	if (!surface) {
		return NULL;
	}
	struct tk_window *win;
	wl_list_for_each(win, &app->windows, link) {
		if (win->surface == surface) {
			return win;
		}
	}
	return NULL;
}

/* ---- Cursor ---- */

void tk_app_set_cursor(struct tk_app *app, const char *name) {
	if (!app->pointer || !app->ptr_focus || !app->shm) {
		return;
	}
	int scale = app->ptr_focus->buffer_scale;
	if (!app->cursor_theme || app->cursor_theme_scale != scale) {
		if (app->cursor_theme) {
			wl_cursor_theme_destroy(app->cursor_theme);
		}
		const char *size_env = getenv("XCURSOR_SIZE");
		int size = size_env ? (int)strtol(size_env, NULL, 10) : 24;
		if (size <= 0 || size > 256) {
			size = 24;
		}
		app->cursor_theme = wl_cursor_theme_load(getenv("XCURSOR_THEME"), size * scale, app->shm);
		app->cursor_theme_scale = scale;
		app->cursor_name = NULL;
	}
	if (!app->cursor_theme) {
		return;
	}
	if (app->cursor_name && strcmp(app->cursor_name, name) == 0) {
		return;
	}
	struct wl_cursor *cursor = wl_cursor_theme_get_cursor(app->cursor_theme, name);
	if (!cursor) {
		cursor = wl_cursor_theme_get_cursor(app->cursor_theme, "left_ptr");
	}
	if (!cursor || cursor->image_count == 0) {
		return;
	}
	struct wl_cursor_image *image = cursor->images[0];
	struct wl_buffer *buffer = wl_cursor_image_get_buffer(image);
	if (!buffer) {
		return;
	}
	if (!app->cursor_surface) {
		app->cursor_surface = wl_compositor_create_surface(app->compositor);
	}
	app->cursor_name = name;
	wl_surface_set_buffer_scale(app->cursor_surface, scale);
	wl_surface_attach(app->cursor_surface, buffer, 0, 0);
	wl_surface_damage_buffer(app->cursor_surface, 0, 0, (int32_t)image->width,
		(int32_t)image->height);
	wl_surface_commit(app->cursor_surface);
	wl_pointer_set_cursor(app->pointer, app->ptr_enter_serial, app->cursor_surface,
		(int32_t)image->hotspot_x / scale, (int32_t)image->hotspot_y / scale);
}

/* ---- Keyboard ---- */

static void keyboard_keymap(void *data, struct wl_keyboard *kbd, uint32_t format, int32_t fd,
	uint32_t size) {
	struct tk_app *app = data;
	if (format != WL_KEYBOARD_KEYMAP_FORMAT_XKB_V1) {
		close(fd);
		return;
	}
	char *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		return;
	}
	struct xkb_keymap *keymap = xkb_keymap_new_from_buffer(app->xkb_context, map,
		strnlen(map, size), XKB_KEYMAP_FORMAT_TEXT_V1, XKB_KEYMAP_COMPILE_NO_FLAGS);
	munmap(map, size);
	if (!keymap) {
		lumen_log(LUMEN_WARN, "the compositor sent a keymap xkbcommon cannot read");
		return;
	}
	xkb_state_unref(app->xkb_state);
	xkb_keymap_unref(app->keymap);
	app->keymap = keymap;
	app->xkb_state = xkb_state_new(keymap);
}

static void keyboard_enter(void *data, struct wl_keyboard *kbd, uint32_t serial,
	struct wl_surface *surface, struct wl_array *keys) {
	struct tk_app *app = data;
	app->kbd_focus = window_of_surface(app, surface);
	app->last_serial = serial;
	if (app->kbd_focus && !app->kbd_focus->focus) {
		struct tk_window *win = app->kbd_focus;
		tk_window_set_focus(win, tk_focus_next(&win->a11y_root, NULL, 1));
	}
	if (app->kbd_focus) {
		tk_window_schedule_redraw(app->kbd_focus);
	}
}

static void stop_repeat(struct tk_app *app) {
	tk_timer_cancel(app->repeat_timer);
	app->repeat_timer = NULL;
	app->repeat_key = 0;
}

static void keyboard_leave(void *data, struct wl_keyboard *kbd, uint32_t serial,
	struct wl_surface *surface) {
	struct tk_app *app = data;
	stop_repeat(app);
	app->kbd_focus = NULL;
}

static void send_key(struct tk_app *app, xkb_keycode_t code) {
	if (!app->kbd_focus || !app->xkb_state) {
		return;
	}
	char utf8[64] = "";
	xkb_state_key_get_utf8(app->xkb_state, code, utf8, sizeof(utf8));
	struct tk_key key = {
		.sym = xkb_state_key_get_one_sym(app->xkb_state, code),
		.utf8 = utf8,
		.shift = xkb_state_mod_name_is_active(app->xkb_state, XKB_MOD_NAME_SHIFT,
			XKB_STATE_MODS_EFFECTIVE) > 0,
		.ctrl = xkb_state_mod_name_is_active(app->xkb_state, XKB_MOD_NAME_CTRL,
			XKB_STATE_MODS_EFFECTIVE) > 0,
		.alt = xkb_state_mod_name_is_active(app->xkb_state, XKB_MOD_NAME_ALT,
			XKB_STATE_MODS_EFFECTIVE) > 0,
	};
	tk_window_key(app->kbd_focus, &key);
}

static void repeat_fire(void *data) {
	struct tk_app *app = data;
	app->repeat_timer = NULL;
	if (!app->repeat_key || app->repeat_rate <= 0) {
		return;
	}
	send_key(app, app->repeat_key);
	app->repeat_timer = tk_timer_add(app, 1000 / app->repeat_rate, repeat_fire, app);
}

static void keyboard_key(void *data, struct wl_keyboard *kbd, uint32_t serial, uint32_t time,
	uint32_t key, uint32_t state) {
	struct tk_app *app = data;
	app->last_serial = serial;
	xkb_keycode_t code = key + 8;
	if (state == WL_KEYBOARD_KEY_STATE_PRESSED) {
		stop_repeat(app);
		send_key(app, code);
		if (app->keymap && xkb_keymap_key_repeats(app->keymap, code) && app->repeat_rate > 0) {
			app->repeat_key = code;
			app->repeat_timer = tk_timer_add(app, app->repeat_delay, repeat_fire, app);
		}
	} else if (code == app->repeat_key) {
		stop_repeat(app);
	}
}

static void keyboard_modifiers(void *data, struct wl_keyboard *kbd, uint32_t serial,
	uint32_t depressed, uint32_t latched, uint32_t locked, uint32_t group) {
	struct tk_app *app = data;
	if (app->xkb_state) {
		xkb_state_update_mask(app->xkb_state, depressed, latched, locked, 0, 0, group);
	}
}

static void keyboard_repeat_info(void *data, struct wl_keyboard *kbd, int32_t rate,
	int32_t delay) {
	struct tk_app *app = data;
	app->repeat_rate = rate;
	app->repeat_delay = delay;
}

static const struct wl_keyboard_listener keyboard_listener = {
	.keymap = keyboard_keymap,
	.enter = keyboard_enter,
	.leave = keyboard_leave,
	.key = keyboard_key,
	.modifiers = keyboard_modifiers,
	.repeat_info = keyboard_repeat_info,
};

/* ---- Pointer ---- */

static void pointer_event(struct tk_app *app, enum tk_pointer_kind kind, int button,
	double scroll, uint32_t serial) {
	struct tk_window *win = app->ptr_focus;
	if (!win) {
		return;
	}
	struct tk_pointer ev = {
		.kind = kind,
		.x = app->ptr_x,
		.y = app->ptr_y,
		.button = button,
		.scroll = scroll,
		.clicks = 1,
		.serial = serial,
	};
	tk_window_pointer(win, &ev);
}

static void pointer_enter(void *data, struct wl_pointer *pointer, uint32_t serial,
	struct wl_surface *surface, wl_fixed_t x, wl_fixed_t y) {
	struct tk_app *app = data;
	app->ptr_focus = window_of_surface(app, surface);
	app->ptr_enter_serial = serial;
	app->ptr_x = wl_fixed_to_double(x);
	app->ptr_y = wl_fixed_to_double(y);
	app->cursor_name = NULL;
	tk_app_set_cursor(app, "left_ptr");
	pointer_event(app, TK_POINTER_MOTION, 0, 0, serial);
}

static void pointer_leave(void *data, struct wl_pointer *pointer, uint32_t serial,
	struct wl_surface *surface) {
	struct tk_app *app = data;
	pointer_event(app, TK_POINTER_LEAVE, 0, 0, serial);
	app->ptr_focus = NULL;
}

static void pointer_motion(void *data, struct wl_pointer *pointer, uint32_t time, wl_fixed_t x,
	wl_fixed_t y) {
	struct tk_app *app = data;
	app->ptr_x = wl_fixed_to_double(x);
	app->ptr_y = wl_fixed_to_double(y);
	pointer_event(app, TK_POINTER_MOTION, 0, 0, 0);
}

static void pointer_button(void *data, struct wl_pointer *pointer, uint32_t serial, uint32_t time,
	uint32_t button, uint32_t state) {
	struct tk_app *app = data;
	app->last_serial = serial;
	struct tk_window *win = app->ptr_focus;
	if (!win) {
		return;
	}
	struct tk_pointer ev = {
		.kind = state == WL_POINTER_BUTTON_STATE_PRESSED ? TK_POINTER_PRESS : TK_POINTER_RELEASE,
		.x = app->ptr_x,
		.y = app->ptr_y,
		.button = (int)button,
		.clicks = 1,
		.serial = serial,
	};
	if (ev.kind == TK_POINTER_PRESS && button == BTN_LEFT) {
		bool near = app->ptr_x - app->last_click_x < 4 && app->last_click_x - app->ptr_x < 4 &&
			app->ptr_y - app->last_click_y < 4 && app->last_click_y - app->ptr_y < 4;
		app->click_count = near && time - app->last_click_time < 400 ? app->click_count + 1 : 1;
		app->last_click_time = time;
		app->last_click_x = app->ptr_x;
		app->last_click_y = app->ptr_y;
		ev.clicks = app->click_count;
	}
	tk_window_pointer(win, &ev);
}

static void pointer_axis(void *data, struct wl_pointer *pointer, uint32_t time, uint32_t axis,
	wl_fixed_t value) {
	struct tk_app *app = data;
	if (axis == WL_POINTER_AXIS_VERTICAL_SCROLL) {
		pointer_event(app, TK_POINTER_SCROLL, 0, wl_fixed_to_double(value), 0);
	}
}

static void pointer_frame(void *data, struct wl_pointer *pointer) {
}

static void pointer_axis_source(void *data, struct wl_pointer *pointer, uint32_t source) {
}

static void pointer_axis_stop(void *data, struct wl_pointer *pointer, uint32_t time,
	uint32_t axis) {
}

static void pointer_axis_discrete(void *data, struct wl_pointer *pointer, uint32_t axis,
	int32_t discrete) {
}

static const struct wl_pointer_listener pointer_listener = {
	.enter = pointer_enter,
	.leave = pointer_leave,
	.motion = pointer_motion,
	.button = pointer_button,
	.axis = pointer_axis,
	.frame = pointer_frame,
	.axis_source = pointer_axis_source,
	.axis_stop = pointer_axis_stop,
	.axis_discrete = pointer_axis_discrete,
};

/* ---- Touch: the first finger is a left button ---- */

static void touch_down(void *data, struct wl_touch *touch, uint32_t serial, uint32_t time,
	struct wl_surface *surface, int32_t id, wl_fixed_t x, wl_fixed_t y) {
	struct tk_app *app = data;
	if (app->touch_focus) {
		return; // one finger at a time
	}
	app->touch_focus = window_of_surface(app, surface);
	app->touch_id = id;
	app->last_serial = serial;
	app->touch_x = wl_fixed_to_double(x);
	app->touch_y = wl_fixed_to_double(y);
	if (app->touch_focus) {
		struct tk_pointer ev = {.kind = TK_POINTER_PRESS, .x = app->touch_x, .y = app->touch_y,
			.button = BTN_LEFT, .clicks = 1, .serial = serial};
		tk_window_pointer(app->touch_focus, &ev);
	}
}

static void touch_up(void *data, struct wl_touch *touch, uint32_t serial, uint32_t time,
	int32_t id) {
	struct tk_app *app = data;
	if (!app->touch_focus || id != app->touch_id) {
		return;
	}
	struct tk_pointer ev = {.kind = TK_POINTER_RELEASE, .x = app->touch_x, .y = app->touch_y,
		.button = BTN_LEFT, .clicks = 1, .serial = serial};
	struct tk_window *win = app->touch_focus;
	app->touch_focus = NULL;
	tk_window_pointer(win, &ev);
}

static void touch_motion(void *data, struct wl_touch *touch, uint32_t time, int32_t id,
	wl_fixed_t x, wl_fixed_t y) {
	struct tk_app *app = data;
	if (!app->touch_focus || id != app->touch_id) {
		return;
	}
	app->touch_x = wl_fixed_to_double(x);
	app->touch_y = wl_fixed_to_double(y);
	struct tk_pointer ev = {.kind = TK_POINTER_MOTION, .x = app->touch_x, .y = app->touch_y};
	tk_window_pointer(app->touch_focus, &ev);
}

static void touch_frame(void *data, struct wl_touch *touch) {
}

static void touch_cancel(void *data, struct wl_touch *touch) {
	struct tk_app *app = data;
	if (app->touch_focus) {
		app->touch_focus->pressed = NULL;
	}
	app->touch_focus = NULL;
}

static void touch_shape(void *data, struct wl_touch *touch, int32_t id, wl_fixed_t major,
	wl_fixed_t minor) {
}

static void touch_orientation(void *data, struct wl_touch *touch, int32_t id,
	wl_fixed_t orientation) {
}

static const struct wl_touch_listener touch_listener = {
	.down = touch_down,
	.up = touch_up,
	.motion = touch_motion,
	.frame = touch_frame,
	.cancel = touch_cancel,
	.shape = touch_shape,
	.orientation = touch_orientation,
};

/* ---- Seat ---- */

static void seat_capabilities(void *data, struct wl_seat *seat, uint32_t caps) {
	struct tk_app *app = data;
	bool kbd = caps & WL_SEAT_CAPABILITY_KEYBOARD, ptr = caps & WL_SEAT_CAPABILITY_POINTER;
	bool touch = caps & WL_SEAT_CAPABILITY_TOUCH;
	if (kbd && !app->keyboard) {
		app->keyboard = wl_seat_get_keyboard(seat);
		wl_keyboard_add_listener(app->keyboard, &keyboard_listener, app);
	} else if (!kbd && app->keyboard) {
		stop_repeat(app);
		wl_keyboard_release(app->keyboard);
		app->keyboard = NULL;
		app->kbd_focus = NULL;
	}
	if (ptr && !app->pointer) {
		app->pointer = wl_seat_get_pointer(seat);
		wl_pointer_add_listener(app->pointer, &pointer_listener, app);
	} else if (!ptr && app->pointer) {
		wl_pointer_release(app->pointer);
		app->pointer = NULL;
		app->ptr_focus = NULL;
	}
	if (touch && !app->touch) {
		app->touch = wl_seat_get_touch(seat);
		wl_touch_add_listener(app->touch, &touch_listener, app);
	} else if (!touch && app->touch) {
		wl_touch_release(app->touch);
		app->touch = NULL;
		app->touch_focus = NULL;
	}
}

static void seat_name(void *data, struct wl_seat *seat, const char *name) {
}

static const struct wl_seat_listener seat_listener = {
	.capabilities = seat_capabilities,
	.name = seat_name,
};

void tk_app_bind_seat(struct tk_app *app) {
	app->xkb_context = xkb_context_new(XKB_CONTEXT_NO_FLAGS);
	app->repeat_rate = 25;
	app->repeat_delay = 600;
	wl_seat_add_listener(app->seat, &seat_listener, app);
}

void tk_app_finish_seat(struct tk_app *app) {
	if (app->keyboard) {
		wl_keyboard_release(app->keyboard);
	}
	if (app->pointer) {
		wl_pointer_release(app->pointer);
	}
	if (app->touch) {
		wl_touch_release(app->touch);
	}
	if (app->cursor_surface) {
		wl_surface_destroy(app->cursor_surface);
	}
	if (app->cursor_theme) {
		wl_cursor_theme_destroy(app->cursor_theme);
	}
	xkb_state_unref(app->xkb_state);
	xkb_keymap_unref(app->keymap);
	xkb_context_unref(app->xkb_context);
	if (app->seat) {
		wl_seat_release(app->seat);
	}
}

/* ---- text-input-v3 ---- */

static void ti_enter(void *data, struct zwp_text_input_v3 *ti, struct wl_surface *surface) {
	struct tk_app *app = data;
	struct tk_window *win = window_of_surface(app, surface);
	if (win) {
		win->ti_entered = true;
		win->ti_widget = NULL;
		tk_window_update_text_input(win);
	}
}

static void ti_leave(void *data, struct zwp_text_input_v3 *ti, struct wl_surface *surface) {
	struct tk_app *app = data;
	struct tk_window *win = window_of_surface(app, surface);
	if (!win) {
		return;
	}
	win->ti_entered = false;
	if (win->ti_widget) {
		tk_entry_ime_preedit(win->ti_widget, NULL, 0, 0);
		win->ti_widget = NULL;
		zwp_text_input_v3_disable(ti);
		zwp_text_input_v3_commit(ti);
		app->ti_commits++;
	}
}

static void ti_preedit(void *data, struct zwp_text_input_v3 *ti, const char *text, int32_t begin,
	int32_t end) {
	struct tk_app *app = data;
	free(app->ti_preedit);
	app->ti_preedit = text ? lumen_xstrdup(text) : NULL;
	app->ti_preedit_begin = begin;
	app->ti_preedit_end = end;
	app->ti_has_preedit = true;
}

static void ti_commit_string(void *data, struct zwp_text_input_v3 *ti, const char *text) {
	struct tk_app *app = data;
	free(app->ti_commit);
	app->ti_commit = text ? lumen_xstrdup(text) : NULL;
}

static void ti_delete(void *data, struct zwp_text_input_v3 *ti, uint32_t before, uint32_t after) {
	struct tk_app *app = data;
	app->ti_delete_before = before;
	app->ti_delete_after = after;
	app->ti_has_delete = true;
}

static void ti_done(void *data, struct zwp_text_input_v3 *ti, uint32_t serial) {
	struct tk_app *app = data;
	struct tk_window *win;
	struct tk_widget *entry = NULL;
	wl_list_for_each(win, &app->windows, link) {
		if (win->ti_entered && win->ti_widget) {
			entry = win->ti_widget;
		}
	}
	/* The order the protocol gives: preedit off, delete, commit, new preedit. */
	if (entry) {
		tk_entry_ime_preedit(entry, NULL, 0, 0);
		if (app->ti_has_delete) {
			tk_entry_ime_delete(entry, app->ti_delete_before, app->ti_delete_after);
		}
		if (app->ti_commit) {
			tk_entry_ime_commit(entry, app->ti_commit);
		}
		if (app->ti_has_preedit && app->ti_preedit) {
			tk_entry_ime_preedit(entry, app->ti_preedit, app->ti_preedit_begin,
				app->ti_preedit_end);
		}
		tk_widget_queue_redraw(entry);
	}
	free(app->ti_preedit);
	free(app->ti_commit);
	app->ti_preedit = app->ti_commit = NULL;
	app->ti_has_preedit = app->ti_has_delete = false;
}

static const struct zwp_text_input_v3_listener ti_listener = {
	.enter = ti_enter,
	.leave = ti_leave,
	.preedit_string = ti_preedit,
	.commit_string = ti_commit_string,
	.delete_surrounding_text = ti_delete,
	.done = ti_done,
};

void tk_text_input_init(struct tk_app *app) {
	if (!app->text_input_manager || !app->seat) {
		return;
	}
	app->text_input = zwp_text_input_manager_v3_get_text_input(app->text_input_manager, app->seat);
	zwp_text_input_v3_add_listener(app->text_input, &ti_listener, app);
}

void tk_text_input_finish(struct tk_app *app) {
	if (app->text_input) {
		zwp_text_input_v3_destroy(app->text_input);
		app->text_input = NULL;
	}
	free(app->ti_preedit);
	free(app->ti_commit);
	app->ti_preedit = app->ti_commit = NULL;
}
