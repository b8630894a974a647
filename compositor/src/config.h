#ifndef COMP_CONFIG_H
#define COMP_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <xkbcommon/xkbcommon.h>
#include "common/list.h"

/*
 * lumen.ini, parsed with inih. Sections:
 *   [output NAME]  mode = 1920x1080[@60], position = X,Y, scale = 1.5, enabled = yes|no,
 *                  allow_tearing = yes|no
 *   [keyboard]     rules, model, layout (us,de), variant, options, repeat_rate,
 *                  repeat_delay, numlock = yes|no, per_window_layout = yes|no
 *   [keyboard NAME] the same keys (not per_window_layout) for the keyboard whose
 *                  device name is NAME (quotes around it are allowed); what it leaves
 *                  out comes from [keyboard], except variant, which goes with layout
 *   [bindings]     Super+Shift+1 = move-to-workspace 1   (chord = action)
 *   [autostart]    any-name = command line
 *   [decorations]  mode = server|client, title_height, focused = #rrggbb,
 *                  unfocused = #rrggbb, text = #rrggbb
 *   [trust]        NAME = executable name allowed the privileged globals, when
 *                  started by us (autostart/exec)
 *   [input]        pointer and touchpad settings for every device of lumen-inputd that
 *                  has them: tap, natural_scroll, left_handed = yes|no,
 *                  accel_profile = flat|adaptive, accel_speed = -1..1,
 *                  scroll_method = none|two_finger|edge|on_button_down
 *   [input NAME]   the same keys for the device named NAME; what it leaves out comes
 *                  from [input]
 * A bad line is recorded as "FILE:LINE: message" and the rest still applies.
 */

struct comp_output_config {
	char *name;
	bool has_mode;
	int width, height;
	int refresh_mhz; // 0: the preferred refresh for that size
	bool has_position;
	int x, y;
	double scale; // 0: unset
	int enabled; // -1 unset, 0 no, 1 yes
	int allow_tearing; // -1 unset, 0 no, 1 yes: a fullscreen window may ask for async flips
};

/* A [keyboard NAME] section. */
struct comp_keyboard_config {
	char *name; // the device's name
	char *xkb_rules, *xkb_model, *xkb_layout, *xkb_variant, *xkb_options; // NULL: [keyboard]'s
	int repeat_rate, repeat_delay; // -1: [keyboard]'s
	int numlock; // -1: [keyboard]'s, else 0 or 1
};

/* [input] (name NULL) or [input NAME]: -1 (NaN for accel_speed) where unset. */
struct comp_input_config {
	char *name;
	int tap, natural_scroll, left_handed;
	int accel_profile; // lumen-input-v1's accel_profile: 1 flat, 2 adaptive
	double accel_speed;
	int scroll_method; // lumen-input-v1's scroll_method
};

struct comp_binding {
	uint32_t modifiers; // WLR_MODIFIER_* mask
	xkb_keysym_t sym; // lower-case keysym
	char *action;
};

enum comp_deco_mode {
	COMP_DECO_MODE_SERVER,
	COMP_DECO_MODE_CLIENT,
};

struct comp_config {
	struct lumen_vec outputs; // struct comp_output_config *
	char *xkb_rules, *xkb_model, *xkb_layout, *xkb_variant, *xkb_options; // may be NULL
	int repeat_rate, repeat_delay;
	bool numlock;
	bool per_window_layout; // each window keeps its own layout
	struct lumen_vec keyboards; // struct comp_keyboard_config *
	struct comp_input_config input; // [input]
	struct lumen_vec inputs; // struct comp_input_config *, [input NAME]
	struct lumen_vec bindings; // struct comp_binding *
	struct lumen_vec autostart; // char *, command lines
	struct lumen_vec trusted; // char *, executable names
	enum comp_deco_mode deco_mode;
	int title_height;
	uint32_t color_focused, color_unfocused, color_text; // 0xRRGGBB
	struct lumen_vec errors; // char *, "FILE:LINE: message"
};

/** Fills in the defaults, including the default key bindings. */
void comp_config_init(struct comp_config *config);
void comp_config_finish(struct comp_config *config);
/**
 * Parses the file at path over the defaults already in config. A missing file is not
 * an error (returns true); an unreadable one is (false, with a message in errors).
 */
bool comp_config_load(struct comp_config *config, const char *path);
/** Parses text as if it were the file called name; for tests and the fuzzer. */
bool comp_config_parse_string(struct comp_config *config, const char *name, const char *text);
/** Parses a chord like "Super+Shift+Return"; false if a part is unknown. */
bool comp_config_parse_chord(const char *chord, uint32_t *modifiers, xkb_keysym_t *sym);
/** The default path: $XDG_CONFIG_HOME/lumen/lumen.ini or ~/.config/lumen/lumen.ini. Heap. */
char *comp_config_default_path(void);
const struct comp_output_config *comp_config_find_output(const struct comp_config *config,
	const char *name);
/** The [keyboard NAME] section for a device name; NULL if there is none. */
const struct comp_keyboard_config *comp_config_find_keyboard(const struct comp_config *config,
	const char *name);

/** The settings for a device: its [input NAME] section over [input]. */
void comp_config_input_for(const struct comp_config *config, const char *name,
	struct comp_input_config *out);

#endif
