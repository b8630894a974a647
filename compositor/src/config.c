/*
 * lumen.ini: defaults, parsing with inih, and the lookups the rest of the compositor
 * uses. See config.h for the sections and keys.
 *
 * inih reports only the first bad line and hands the handler no line number, so we
 * feed it through our own reader: the reader counts lines, tracks the current
 * section itself and checks each line's shape before inih sees it. A line inih would
 * reject is recorded here with its number and handed to inih as an empty line, so
 * every bad line is reported and every good one still applies. inih is left with
 * what it does well: splitting "name = value" and stripping inline comments.
 *
 * Key chords are stored by the lower-cased keysym the user wrote, with Shift as a
 * modifier: Super+Shift+1 is { LOGO | SHIFT, XKB_KEY_1 }, not XKB_KEY_exclam. The
 * compositor matches chords on the keysym of the key at shift level 0 (the unshifted
 * keysym), like sway's `bindsym --to-code`, so bindings do not depend on what Shift
 * makes of a key in the current layout.
 */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <math.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <wlr/types/wlr_keyboard.h>
#include <xkbcommon/xkbcommon.h>
#include "common/alloc.h"
#include "common/log.h"
#include "config.h"

/* More than this many bad lines is not a config file; say so once instead of flooding the log. */
#define COMP_CONFIG_MAX_ERRORS 100
/* A config file bigger than this is a mistake (a binary, a log), not a config. */
#define COMP_CONFIG_MAX_SIZE (1024 * 1024)

#define COMP_MODE_MAX_SIZE 32767
#define COMP_REFRESH_MAX_MHZ 1000000
#define COMP_POSITION_MAX 1000000
/* Scale is parsed as fixed point with this many decimals, so no locale gets a say. */
#define COMP_SCALE_DECIMALS 6
#define COMP_SCALE_MAX 10

enum comp_config_section {
	COMP_SECTION_NONE, // before the first section header
	COMP_SECTION_IGNORED, // an unknown or broken header, already reported
	COMP_SECTION_OUTPUT,
	COMP_SECTION_KEYBOARD,
	COMP_SECTION_BINDINGS,
	COMP_SECTION_AUTOSTART,
	COMP_SECTION_DECORATIONS,
	COMP_SECTION_TRUST,
	COMP_SECTION_INPUT,
};

struct comp_config_parser {
	struct comp_config *config;
	const char *name; // the file name used in messages
	const char *pos, *end; // the text not read yet
	int lineno; // of the line inih is working on
	enum comp_config_section section;
	struct comp_output_config *output; // for COMP_SECTION_OUTPUT
	struct comp_keyboard_config *keyboard; // for a [keyboard NAME] section; NULL: [keyboard]
	struct comp_input_config *input; // for COMP_SECTION_INPUT: [input] or [input NAME]
	size_t errors; // reported by this parse, including those not stored
	int last_error_line;
	bool out_of_memory;
};

struct comp_default_binding {
	uint32_t modifiers;
	xkb_keysym_t sym;
	const char *action;
};

static const struct comp_default_binding default_bindings[] = {
	{ WLR_MODIFIER_LOGO, XKB_KEY_Return, "exec foot" },
	{ WLR_MODIFIER_LOGO, XKB_KEY_q, "close" },
	{ WLR_MODIFIER_LOGO, XKB_KEY_f, "fullscreen" },
	{ WLR_MODIFIER_LOGO, XKB_KEY_m, "maximize" },
	{ WLR_MODIFIER_LOGO, XKB_KEY_n, "minimize" },
	{ WLR_MODIFIER_LOGO, XKB_KEY_t, "tiling toggle" },
	{ WLR_MODIFIER_ALT, XKB_KEY_Tab, "cycle-next" },
	{ WLR_MODIFIER_ALT | WLR_MODIFIER_SHIFT, XKB_KEY_Tab, "cycle-prev" },
	{ WLR_MODIFIER_LOGO | WLR_MODIFIER_SHIFT, XKB_KEY_e, "exit" },
	{ WLR_MODIFIER_LOGO | WLR_MODIFIER_SHIFT, XKB_KEY_r, "reload" },
	{ WLR_MODIFIER_LOGO, XKB_KEY_space, "layout-next" },
	{ WLR_MODIFIER_LOGO | WLR_MODIFIER_ALT, XKB_KEY_s, "reader-toggle" },
};

struct comp_modifier_name {
	const char *name;
	uint32_t mask;
};

static const struct comp_modifier_name modifier_names[] = {
	{ "Super", WLR_MODIFIER_LOGO },
	{ "Logo", WLR_MODIFIER_LOGO },
	{ "Mod4", WLR_MODIFIER_LOGO },
	{ "Alt", WLR_MODIFIER_ALT },
	{ "Mod1", WLR_MODIFIER_ALT },
	{ "Ctrl", WLR_MODIFIER_CTRL },
	{ "Control", WLR_MODIFIER_CTRL },
	{ "Shift", WLR_MODIFIER_SHIFT },
};

static const char *section_label(enum comp_config_section section) {
	switch (section) {
	case COMP_SECTION_OUTPUT:
		return "output";
	case COMP_SECTION_KEYBOARD:
		return "keyboard";
	case COMP_SECTION_BINDINGS:
		return "bindings";
	case COMP_SECTION_AUTOSTART:
		return "autostart";
	case COMP_SECTION_DECORATIONS:
		return "decorations";
	case COMP_SECTION_TRUST:
		return "trust";
	case COMP_SECTION_INPUT:
		return "input";
	case COMP_SECTION_NONE:
	case COMP_SECTION_IGNORED:
		break;
	}
	return "?";
}

static bool push_error(struct comp_config *config, char *msg) {
	lumen_log(LUMEN_ERROR, "%s", msg);
	if (!lumen_vec_push(&config->errors, msg)) {
		free(msg);
		return false;
	}
	return true;
}

static void parser_error(struct comp_config_parser *parser, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void parser_error(struct comp_config_parser *parser, const char *fmt, ...) {
	parser->errors++;
	parser->last_error_line = parser->lineno;
	if (parser->errors > COMP_CONFIG_MAX_ERRORS) {
		return;
	}
	char msg[512];
	va_list args;
	va_start(args, fmt);
	vsnprintf(msg, sizeof(msg), fmt, args);
	va_end(args);
	/* Messages quote the file's text; a file of escape sequences must not drive the terminal. */
	for (char *c = msg; *c; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			*c = '?';
		}
	}
	char *full = lumen_strdup_printf("%s:%d: %s", parser->name, parser->lineno, msg);
	if (!full || !push_error(parser->config, full)) {
		parser->out_of_memory = true;
	}
}

static void parser_out_of_memory(struct comp_config_parser *parser) {
	parser->out_of_memory = true;
	parser_error(parser, "out of memory");
}

/* A whole, non-empty, optionally negative decimal integer in [min, max]. */
static bool parse_int(const char *s, long min, long max, long *out) {
	const char *digits = s[0] == '-' ? s + 1 : s;
	if (!isdigit((unsigned char)digits[0])) {
		return false; // strtol would also take spaces and '+'
	}
	errno = 0;
	char *end;
	long value = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || value < min || value > max) {
		return false;
	}
	*out = value;
	return true;
}

/*
 * A non-negative decimal like "59.94", as an integer scaled by 10^decimals and
 * rounded: parse_fixed("59.94", 3, ...) gives 59940. strtod would follow LC_NUMERIC
 * and read "59.94" as 59 under a German locale. Stops at the first character that
 * cannot continue the number; *end points there.
 */
static bool parse_fixed(const char *s, int decimals, long max, long *out, const char **end) {
	long value = 0;
	bool any = false;
	const char *c = s;
	for (; isdigit((unsigned char)*c); c++) {
		value = value * 10 + (*c - '0');
		any = true;
		if (value > max) {
			return false;
		}
	}
	long fraction = 0;
	int fraction_digits = 0;
	bool round_up = false;
	if (*c == '.') {
		c++;
		for (; isdigit((unsigned char)*c); c++) {
			any = true;
			if (fraction_digits < decimals) {
				fraction = fraction * 10 + (*c - '0');
				fraction_digits++;
			} else if (fraction_digits == decimals) {
				round_up = *c >= '5';
				fraction_digits++;
			}
		}
	}
	if (!any) {
		return false;
	}
	for (int i = 0; i < decimals; i++) {
		if (value > max / 10) {
			return false;
		}
		value *= 10;
	}
	for (int i = fraction_digits; i < decimals; i++) {
		fraction *= 10;
	}
	value += fraction + (round_up ? 1 : 0);
	if (value > max) {
		return false;
	}
	*out = value;
	*end = c;
	return true;
}

/* Digits only, up to max; advances *s past them. */
static bool parse_uint_prefix(const char **s, long max, long *out) {
	long value = 0;
	const char *c = *s;
	if (!isdigit((unsigned char)*c)) {
		return false;
	}
	for (; isdigit((unsigned char)*c); c++) {
		value = value * 10 + (*c - '0');
		if (value > max) {
			return false;
		}
	}
	*out = value;
	*s = c;
	return true;
}

/* "WxH" or "WxH@R" with R in Hz, possibly decimal and followed by "Hz". */
static bool parse_mode(const char *s, int *width, int *height, int *refresh_mhz) {
	long w, h, r = 0;
	if (!parse_uint_prefix(&s, COMP_MODE_MAX_SIZE, &w) || (*s != 'x' && *s != 'X')) {
		return false;
	}
	s++;
	if (!parse_uint_prefix(&s, COMP_MODE_MAX_SIZE, &h) || w == 0 || h == 0) {
		return false;
	}
	if (*s == '@') {
		if (!parse_fixed(s + 1, 3, COMP_REFRESH_MAX_MHZ, &r, &s) || r < 1000 ||
				r > COMP_REFRESH_MAX_MHZ) {
			return false;
		}
		if (strcasecmp(s, "Hz") == 0) {
			s += 2;
		}
	}
	if (*s != '\0') {
		return false;
	}
	*width = (int)w;
	*height = (int)h;
	*refresh_mhz = (int)r;
	return true;
}

static bool parse_position(const char *s, int *x, int *y) {
	const char *comma = strchr(s, ',');
	if (!comma) {
		return false;
	}
	char first[32];
	size_t len = (size_t)(comma - s);
	while (len > 0 && isspace((unsigned char)s[len - 1])) {
		len--;
	}
	if (len == 0 || len >= sizeof(first)) {
		return false;
	}
	memcpy(first, s, len);
	first[len] = '\0';
	const char *second = comma + 1;
	while (isspace((unsigned char)*second)) {
		second++;
	}
	long lx, ly;
	if (!parse_int(first, -COMP_POSITION_MAX, COMP_POSITION_MAX, &lx) ||
			!parse_int(second, -COMP_POSITION_MAX, COMP_POSITION_MAX, &ly)) {
		return false;
	}
	*x = (int)lx;
	*y = (int)ly;
	return true;
}

static bool parse_scale(const char *s, double *scale) {
	long unit = 1;
	for (int i = 0; i < COMP_SCALE_DECIMALS; i++) {
		unit *= 10;
	}
	long fixed;
	const char *end;
	if (!parse_fixed(s, COMP_SCALE_DECIMALS, COMP_SCALE_MAX * unit, &fixed, &end) ||
			*end != '\0' || fixed <= 0) {
		return false;
	}
	*scale = (double)fixed / (double)unit;
	return true;
}

static bool parse_bool(const char *s, bool *out) {
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

static bool parse_color(const char *s, uint32_t *color) {
	if (s[0] != '#' || strlen(s) != 7) {
		return false;
	}
	uint32_t value = 0;
	for (int i = 1; i < 7; i++) {
		char c = s[i];
		uint32_t digit;
		if (c >= '0' && c <= '9') {
			digit = (uint32_t)(c - '0');
		} else if (c >= 'a' && c <= 'f') {
			digit = (uint32_t)(c - 'a' + 10);
		} else if (c >= 'A' && c <= 'F') {
			digit = (uint32_t)(c - 'A' + 10);
		} else {
			return false;
		}
		value = value << 4 | digit;
	}
	*color = value;
	return true;
}

bool comp_config_parse_chord(const char *chord, uint32_t *modifiers, xkb_keysym_t *sym) {
	uint32_t mods = 0;
	const char *part = chord;
	while (true) {
		const char *plus = strchr(part, '+');
		const char *part_end = plus ? plus : part + strlen(part);
		while (part < part_end && isspace((unsigned char)*part)) {
			part++;
		}
		while (part_end > part && isspace((unsigned char)part_end[-1])) {
			part_end--;
		}
		char name[64];
		size_t len = (size_t)(part_end - part);
		if (len == 0 || len >= sizeof(name)) {
			return false;
		}
		memcpy(name, part, len);
		name[len] = '\0';

		if (!plus) {
			/* The key itself: "Return" exactly, else "return" as the user likely meant. */
			xkb_keysym_t key = xkb_keysym_from_name(name, XKB_KEYSYM_NO_FLAGS);
			if (key == XKB_KEY_NoSymbol) {
				key = xkb_keysym_from_name(name, XKB_KEYSYM_CASE_INSENSITIVE);
			}
			if (key == XKB_KEY_NoSymbol) {
				return false;
			}
			*modifiers = mods;
			*sym = xkb_keysym_to_lower(key);
			return true;
		}

		bool found = false;
		for (size_t i = 0; i < sizeof(modifier_names) / sizeof(modifier_names[0]); i++) {
			if (strcasecmp(name, modifier_names[i].name) == 0) {
				mods |= modifier_names[i].mask;
				found = true;
				break;
			}
		}
		if (!found) {
			return false;
		}
		part = plus + 1;
	}
}

static long find_binding(const struct comp_config *config, uint32_t modifiers,
		xkb_keysym_t sym) {
	for (size_t i = 0; i < config->bindings.len; i++) {
		const struct comp_binding *binding = config->bindings.items[i];
		if (binding->modifiers == modifiers && binding->sym == sym) {
			return (long)i;
		}
	}
	return -1;
}

static void binding_destroy(struct comp_binding *binding) {
	free(binding->action);
	free(binding);
}

/* Adds or replaces the binding for a chord; a NULL action removes it. False only on OOM. */
static bool set_binding(struct comp_config *config, uint32_t modifiers, xkb_keysym_t sym,
		const char *action) {
	long index = find_binding(config, modifiers, sym);
	if (!action) {
		if (index >= 0) {
			binding_destroy(lumen_vec_remove_at(&config->bindings, (size_t)index));
		}
		return true;
	}
	char *copy = strdup(action);
	if (!copy) {
		return false;
	}
	if (index >= 0) {
		/* Keep the binding's place so a reload does not reorder what the user sees. */
		struct comp_binding *binding = config->bindings.items[index];
		free(binding->action);
		binding->action = copy;
		return true;
	}
	struct comp_binding *binding = calloc(1, sizeof(*binding));
	if (!binding) {
		free(copy);
		return false;
	}
	binding->modifiers = modifiers;
	binding->sym = sym;
	binding->action = copy;
	if (!lumen_vec_push(&config->bindings, binding)) {
		binding_destroy(binding);
		return false;
	}
	return true;
}

static bool add_default_bindings(struct comp_config *config) {
	for (size_t i = 0; i < sizeof(default_bindings) / sizeof(default_bindings[0]); i++) {
		const struct comp_default_binding *b = &default_bindings[i];
		if (!set_binding(config, b->modifiers, b->sym, b->action)) {
			return false;
		}
	}
	/* XKB_KEY_1..XKB_KEY_9 are consecutive. */
	for (int n = 1; n <= 9; n++) {
		char action[32];
		xkb_keysym_t sym = XKB_KEY_1 + (xkb_keysym_t)(n - 1);
		snprintf(action, sizeof(action), "workspace %d", n);
		if (!set_binding(config, WLR_MODIFIER_LOGO, sym, action)) {
			return false;
		}
		snprintf(action, sizeof(action), "move-to-workspace %d", n);
		if (!set_binding(config, WLR_MODIFIER_LOGO | WLR_MODIFIER_SHIFT, sym, action)) {
			return false;
		}
	}
	return true;
}

void comp_config_init(struct comp_config *config) {
	*config = (struct comp_config){
		.repeat_rate = 25,
		.repeat_delay = 600,
		.numlock = false,
		.deco_mode = COMP_DECO_MODE_SERVER,
		.title_height = 28,
		.color_focused = 0x3584e4,
		.color_unfocused = 0x5e5c64,
		.color_text = 0xffffff,
	};
	lumen_vec_init(&config->outputs);
	lumen_vec_init(&config->keyboards);
	config->input = (struct comp_input_config){.tap = -1, .natural_scroll = -1,
		.left_handed = -1, .accel_profile = -1, .accel_speed = NAN, .scroll_method = -1};
	lumen_vec_init(&config->inputs);
	lumen_vec_init(&config->bindings);
	lumen_vec_init(&config->autostart);
	lumen_vec_init(&config->trusted);
	lumen_vec_init(&config->errors);
	if (!add_default_bindings(config)) {
		lumen_log(LUMEN_ERROR, "out of memory adding the default key bindings");
	}
}

static void free_strings(struct lumen_vec *vec) {
	for (size_t i = 0; i < vec->len; i++) {
		free(vec->items[i]);
	}
	lumen_vec_finish(vec);
}

void comp_config_finish(struct comp_config *config) {
	for (size_t i = 0; i < config->outputs.len; i++) {
		struct comp_output_config *oc = config->outputs.items[i];
		free(oc->name);
		free(oc);
	}
	lumen_vec_finish(&config->outputs);
	for (size_t i = 0; i < config->keyboards.len; i++) {
		struct comp_keyboard_config *kc = config->keyboards.items[i];
		free(kc->name);
		free(kc->xkb_rules);
		free(kc->xkb_model);
		free(kc->xkb_layout);
		free(kc->xkb_variant);
		free(kc->xkb_options);
		free(kc);
	}
	lumen_vec_finish(&config->keyboards);
	for (size_t i = 0; i < config->inputs.len; i++) {
		struct comp_input_config *ic = config->inputs.items[i];
		free(ic->name);
		free(ic);
	}
	lumen_vec_finish(&config->inputs);
	for (size_t i = 0; i < config->bindings.len; i++) {
		binding_destroy(config->bindings.items[i]);
	}
	lumen_vec_finish(&config->bindings);
	free_strings(&config->autostart);
	free_strings(&config->trusted);
	free_strings(&config->errors);
	free(config->xkb_rules);
	free(config->xkb_model);
	free(config->xkb_layout);
	free(config->xkb_variant);
	free(config->xkb_options);
	/* Zeroed, a finished config can be finished again or handed to init. */
	*config = (struct comp_config){ 0 };
}

const struct comp_output_config *comp_config_find_output(const struct comp_config *config,
		const char *name) {
	if (!name) {
		return NULL;
	}
	for (size_t i = 0; i < config->outputs.len; i++) {
		const struct comp_output_config *oc = config->outputs.items[i];
		if (strcmp(oc->name, name) == 0) {
			return oc;
		}
	}
	return NULL;
}

const struct comp_keyboard_config *comp_config_find_keyboard(const struct comp_config *config,
		const char *name) {
	if (!name) {
		return NULL;
	}
	for (size_t i = 0; i < config->keyboards.len; i++) {
		const struct comp_keyboard_config *kc = config->keyboards.items[i];
		if (strcmp(kc->name, name) == 0) {
			return kc;
		}
	}
	return NULL;
}

/* [keyboard NAME] sections merge as [output NAME] sections do. */
static struct comp_keyboard_config *get_keyboard(struct comp_config *config, const char *name) {
	struct comp_keyboard_config *kc =
		(struct comp_keyboard_config *)comp_config_find_keyboard(config, name);
	if (kc) {
		return kc;
	}
	kc = calloc(1, sizeof(*kc));
	if (!kc) {
		return NULL;
	}
	kc->name = strdup(name);
	kc->repeat_rate = kc->repeat_delay = kc->numlock = -1;
	if (!kc->name || !lumen_vec_push(&config->keyboards, kc)) {
		free(kc->name);
		free(kc);
		return NULL;
	}
	return kc;
}

static struct comp_input_config *find_input(const struct comp_config *config,
		const char *name) {
	for (size_t i = 0; i < config->inputs.len; i++) {
		struct comp_input_config *ic = config->inputs.items[i];
		if (strcmp(ic->name, name) == 0) {
			return ic;
		}
	}
	return NULL;
}

void comp_config_input_for(const struct comp_config *config, const char *name,
		struct comp_input_config *out) {
	*out = config->input;
	const struct comp_input_config *ic = name ? find_input(config, name) : NULL;
	if (!ic) {
		return;
	}
	out->name = ic->name;
	if (ic->tap >= 0) {
		out->tap = ic->tap;
	}
	if (ic->natural_scroll >= 0) {
		out->natural_scroll = ic->natural_scroll;
	}
	if (ic->left_handed >= 0) {
		out->left_handed = ic->left_handed;
	}
	if (ic->accel_profile >= 0) {
		out->accel_profile = ic->accel_profile;
	}
	if (!isnan(ic->accel_speed)) {
		out->accel_speed = ic->accel_speed;
	}
	if (ic->scroll_method >= 0) {
		out->scroll_method = ic->scroll_method;
	}
}

/* [input NAME] sections merge as [keyboard NAME] sections do. */
static struct comp_input_config *get_input(struct comp_config *config, const char *name) {
	struct comp_input_config *ic = find_input(config, name);
	if (ic) {
		return ic;
	}
	ic = calloc(1, sizeof(*ic));
	if (!ic) {
		return NULL;
	}
	*ic = (struct comp_input_config){.name = strdup(name), .tap = -1, .natural_scroll = -1,
		.left_handed = -1, .accel_profile = -1, .accel_speed = NAN, .scroll_method = -1};
	if (!ic->name || !lumen_vec_push(&config->inputs, ic)) {
		free(ic->name);
		free(ic);
		return NULL;
	}
	return ic;
}

/* [output NAME] sections merge: a second one for the same name changes only its keys. */
static struct comp_output_config *get_output(struct comp_config *config, const char *name) {
	struct comp_output_config *oc =
		(struct comp_output_config *)comp_config_find_output(config, name);
	if (oc) {
		return oc;
	}
	oc = calloc(1, sizeof(*oc));
	if (!oc) {
		return NULL;
	}
	oc->name = strdup(name);
	oc->enabled = -1;
	oc->allow_tearing = -1;
	if (!oc->name || !lumen_vec_push(&config->outputs, oc)) {
		free(oc->name);
		free(oc);
		return NULL;
	}
	return oc;
}

/* Lists of names (autostart commands, trusted executables) hold each only once, so
 * parsing the same file twice over one config does not start things twice. */
static bool add_unique_string(struct lumen_vec *vec, const char *s) {
	for (size_t i = 0; i < vec->len; i++) {
		if (strcmp(vec->items[i], s) == 0) {
			return true;
		}
	}
	char *copy = strdup(s);
	if (!copy) {
		return false;
	}
	if (!lumen_vec_push(vec, copy)) {
		free(copy);
		return false;
	}
	return true;
}

static bool replace_string(char **field, const char *value) {
	/* An empty value means "back to the default", which for xkb is NULL. */
	char *copy = NULL;
	if (value[0] != '\0') {
		copy = strdup(value);
		if (!copy) {
			return false;
		}
	}
	free(*field);
	*field = copy;
	return true;
}

static void handle_output_key(struct comp_config_parser *parser, const char *key,
		const char *value) {
	struct comp_output_config *oc = parser->output;
	if (strcasecmp(key, "mode") == 0) {
		int w, h, r;
		if (!parse_mode(value, &w, &h, &r)) {
			parser_error(parser, "invalid mode '%s' (expected WxH or WxH@Hz)", value);
			return;
		}
		oc->has_mode = true;
		oc->width = w;
		oc->height = h;
		oc->refresh_mhz = r;
	} else if (strcasecmp(key, "position") == 0) {
		int x, y;
		if (!parse_position(value, &x, &y)) {
			parser_error(parser, "invalid position '%s' (expected X,Y)", value);
			return;
		}
		oc->has_position = true;
		oc->x = x;
		oc->y = y;
	} else if (strcasecmp(key, "scale") == 0) {
		double scale;
		if (!parse_scale(value, &scale)) {
			parser_error(parser, "invalid scale '%s' (expected a number above 0, at most %d)",
				value, COMP_SCALE_MAX);
			return;
		}
		oc->scale = scale;
	} else if (strcasecmp(key, "enabled") == 0) {
		bool enabled;
		if (!parse_bool(value, &enabled)) {
			parser_error(parser, "invalid value '%s' for enabled (expected yes or no)", value);
			return;
		}
		oc->enabled = enabled ? 1 : 0;
	} else if (strcasecmp(key, "allow_tearing") == 0) {
		bool allow;
		if (!parse_bool(value, &allow)) {
			parser_error(parser, "invalid value '%s' for allow_tearing (expected yes or no)",
				value);
			return;
		}
		oc->allow_tearing = allow ? 1 : 0;
	} else {
		parser_error(parser, "unknown key '%s' in [output %s]", key, oc->name);
	}
}

static bool parse_range(struct comp_config_parser *parser, const char *key, const char *value,
		long min, long max, int *out) {
	long n;
	if (!parse_int(value, min, max, &n)) {
		parser_error(parser, "invalid %s '%s' (expected a whole number from %ld to %ld)",
			key, value, min, max);
		return false;
	}
	*out = (int)n;
	return true;
}

static void handle_keyboard_key(struct comp_config_parser *parser, const char *key,
		const char *value) {
	struct comp_config *config = parser->config;
	struct comp_keyboard_config *kc = parser->keyboard; // NULL in [keyboard]
	char **field = NULL;
	if (strcasecmp(key, "rules") == 0) {
		field = kc ? &kc->xkb_rules : &config->xkb_rules;
	} else if (strcasecmp(key, "model") == 0) {
		field = kc ? &kc->xkb_model : &config->xkb_model;
	} else if (strcasecmp(key, "layout") == 0) {
		field = kc ? &kc->xkb_layout : &config->xkb_layout;
	} else if (strcasecmp(key, "variant") == 0) {
		field = kc ? &kc->xkb_variant : &config->xkb_variant;
	} else if (strcasecmp(key, "options") == 0) {
		field = kc ? &kc->xkb_options : &config->xkb_options;
	}
	if (field) {
		if (!replace_string(field, value)) {
			parser_out_of_memory(parser);
		}
		return;
	}

	if (strcasecmp(key, "repeat_rate") == 0) {
		parse_range(parser, "repeat_rate", value, 0, 1000,
			kc ? &kc->repeat_rate : &config->repeat_rate);
	} else if (strcasecmp(key, "repeat_delay") == 0) {
		parse_range(parser, "repeat_delay", value, 0, 10000,
			kc ? &kc->repeat_delay : &config->repeat_delay);
	} else if (strcasecmp(key, "numlock") == 0) {
		bool on;
		if (!parse_bool(value, &on)) {
			parser_error(parser, "invalid value '%s' for numlock (expected yes or no)", value);
		} else if (kc) {
			kc->numlock = on;
		} else {
			config->numlock = on;
		}
	} else if (strcasecmp(key, "per_window_layout") == 0 && !kc) {
		if (!parse_bool(value, &config->per_window_layout)) {
			parser_error(parser, "invalid value '%s' for per_window_layout (expected yes or "
				"no)", value);
		}
	} else if (kc) {
		parser_error(parser, "unknown key '%s' in [keyboard %s]", key, kc->name);
	} else {
		parser_error(parser, "unknown key '%s' in [keyboard]", key);
	}
}

/* "-0.25", "1", ".5": within -1..1, to a millionth. */
static bool parse_speed(const char *s, double *out) {
	bool negative = *s == '-';
	if (*s == '-' || *s == '+') {
		s++;
	}
	long fixed;
	const char *end;
	if (!parse_fixed(s, 6, 1000000, &fixed, &end) || *end != '\0') {
		return false;
	}
	*out = (negative ? -(double)fixed : (double)fixed) / 1e6;
	return true;
}

static bool parse_word(const char *s, const char *const *words, size_t n, int first,
		int *out) {
	for (size_t i = 0; i < n; i++) {
		if (strcasecmp(s, words[i]) == 0) {
			*out = first + (int)i;
			return true;
		}
	}
	return false;
}

static void handle_input_key(struct comp_config_parser *parser, const char *key,
		const char *value) {
	struct comp_input_config *ic = parser->input;
	const char *where = ic->name ? ic->name : "";
	const char *space = ic->name ? " " : "";
	int *flag = NULL;
	if (strcasecmp(key, "tap") == 0) {
		flag = &ic->tap;
	} else if (strcasecmp(key, "natural_scroll") == 0) {
		flag = &ic->natural_scroll;
	} else if (strcasecmp(key, "left_handed") == 0) {
		flag = &ic->left_handed;
	}
	if (flag) {
		bool on;
		if (!parse_bool(value, &on)) {
			parser_error(parser, "invalid value '%s' for %s (expected yes or no)", value, key);
		} else {
			*flag = on;
		}
		return;
	}
	static const char *const profiles[] = { "flat", "adaptive" };
	static const char *const methods[] = { "none", "two_finger", "edge", "on_button_down" };
	if (strcasecmp(key, "accel_profile") == 0) {
		if (!parse_word(value, profiles, 2, 1, &ic->accel_profile)) {
			parser_error(parser, "invalid accel_profile '%s' (expected flat or adaptive)",
				value);
		}
	} else if (strcasecmp(key, "accel_speed") == 0) {
		if (!parse_speed(value, &ic->accel_speed)) {
			parser_error(parser, "invalid accel_speed '%s' (expected a number from -1 to 1)",
				value);
		}
	} else if (strcasecmp(key, "scroll_method") == 0) {
		if (!parse_word(value, methods, 4, 0, &ic->scroll_method)) {
			parser_error(parser, "invalid scroll_method '%s' (expected none, two_finger, "
				"edge or on_button_down)", value);
		}
	} else {
		parser_error(parser, "unknown key '%s' in [input%s%s]", key, space, where);
	}
}

static void handle_binding(struct comp_config_parser *parser, const char *chord,
		const char *action) {
	uint32_t modifiers;
	xkb_keysym_t sym;
	if (!comp_config_parse_chord(chord, &modifiers, &sym)) {
		parser_error(parser, "invalid key chord '%s' (expected e.g. Super+Shift+Return)", chord);
		return;
	}
	if (action[0] == '\0') {
		parser_error(parser, "no action for '%s' (use 'none' to remove a binding)", chord);
		return;
	}
	if (!set_binding(parser->config, modifiers, sym,
			strcasecmp(action, "none") == 0 ? NULL : action)) {
		parser_out_of_memory(parser);
	}
}

static void handle_decorations_key(struct comp_config_parser *parser, const char *key,
		const char *value) {
	struct comp_config *config = parser->config;
	uint32_t *color = NULL;
	if (strcasecmp(key, "focused") == 0) {
		color = &config->color_focused;
	} else if (strcasecmp(key, "unfocused") == 0) {
		color = &config->color_unfocused;
	} else if (strcasecmp(key, "text") == 0) {
		color = &config->color_text;
	}
	if (color) {
		if (!parse_color(value, color)) {
			parser_error(parser, "invalid color '%s' for %s (expected #rrggbb)", value, key);
		}
		return;
	}

	if (strcasecmp(key, "mode") == 0) {
		if (strcasecmp(value, "server") == 0) {
			config->deco_mode = COMP_DECO_MODE_SERVER;
		} else if (strcasecmp(value, "client") == 0) {
			config->deco_mode = COMP_DECO_MODE_CLIENT;
		} else {
			parser_error(parser, "invalid decoration mode '%s' (expected server or client)",
				value);
		}
	} else if (strcasecmp(key, "title_height") == 0) {
		parse_range(parser, "title_height", value, 12, 100, &config->title_height);
	} else {
		parser_error(parser, "unknown key '%s' in [decorations]", key);
	}
}

static void handle_list_entry(struct comp_config_parser *parser, struct lumen_vec *list,
		const char *key, const char *value) {
	if (value[0] == '\0') {
		parser_error(parser, "no value for '%s' in [%s]", key, section_label(parser->section));
		return;
	}
	if (!add_unique_string(list, value)) {
		parser_out_of_memory(parser);
	}
}

/* inih's handler; the section comes from our reader, which has already checked it. */
static int handle_key(void *user, const char *section, const char *key, const char *value) {
	struct comp_config_parser *parser = user;
	if (key[0] == '\0' && parser->section != COMP_SECTION_IGNORED) {
		parser_error(parser, "missing key before '='");
		return 1;
	}
	switch (parser->section) {
	case COMP_SECTION_NONE:
		parser_error(parser, "'%s' is outside of any section", key);
		break;
	case COMP_SECTION_IGNORED:
		break; // its header was reported, its keys need not be
	case COMP_SECTION_OUTPUT:
		handle_output_key(parser, key, value);
		break;
	case COMP_SECTION_KEYBOARD:
		handle_keyboard_key(parser, key, value);
		break;
	case COMP_SECTION_BINDINGS:
		handle_binding(parser, key, value);
		break;
	case COMP_SECTION_AUTOSTART:
		handle_list_entry(parser, &parser->config->autostart, key, value);
		break;
	case COMP_SECTION_DECORATIONS:
		handle_decorations_key(parser, key, value);
		break;
	case COMP_SECTION_TRUST:
		handle_list_entry(parser, &parser->config->trusted, key, value);
		break;
	case COMP_SECTION_INPUT:
		handle_input_key(parser, key, value);
		break;
	}
	/* Errors are recorded above with their line; nonzero keeps inih's own report for
	 * lines our reader failed to catch (see parse_text). */
	return 1;
}

/* The first of chars, or an inline comment (';' after whitespace), as inih finds them. */
static const char *find_chars_or_comment(const char *s, const char *end, const char *chars) {
	bool was_space = false;
	for (; s < end; s++) {
		if ((chars && strchr(chars, *s)) || (was_space && *s == ';')) {
			return s;
		}
		was_space = isspace((unsigned char)*s);
	}
	return end;
}

static void enter_section(struct comp_config_parser *parser, const char *start,
		const char *end) {
	parser->section = COMP_SECTION_IGNORED;
	parser->output = NULL;
	parser->keyboard = NULL;
	parser->input = NULL;
	while (start < end && isspace((unsigned char)*start)) {
		start++;
	}
	while (end > start && isspace((unsigned char)end[-1])) {
		end--;
	}
	char name[256];
	size_t len = (size_t)(end - start);
	if (len >= sizeof(name)) {
		parser_error(parser, "section name is too long");
		return;
	}
	memcpy(name, start, len);
	name[len] = '\0';

	static const struct {
		const char *name;
		enum comp_config_section section;
	} simple[] = {
		{ "keyboard", COMP_SECTION_KEYBOARD },
		{ "bindings", COMP_SECTION_BINDINGS },
		{ "autostart", COMP_SECTION_AUTOSTART },
		{ "decorations", COMP_SECTION_DECORATIONS },
		{ "trust", COMP_SECTION_TRUST },
	};
	for (size_t i = 0; i < sizeof(simple) / sizeof(simple[0]); i++) {
		if (strcasecmp(name, simple[i].name) == 0) {
			parser->section = simple[i].section;
			return;
		}
	}

	if (strncasecmp(name, "output", 6) == 0 &&
			(name[6] == '\0' || isspace((unsigned char)name[6]))) {
		const char *output = name + 6;
		while (isspace((unsigned char)*output)) {
			output++;
		}
		if (*output == '\0') {
			parser_error(parser, "[output] needs the output's name, e.g. [output HDMI-A-1]");
			return;
		}
		parser->output = get_output(parser->config, output);
		if (!parser->output) {
			parser_out_of_memory(parser);
			return;
		}
		parser->section = COMP_SECTION_OUTPUT;
		return;
	}
	if (strncasecmp(name, "keyboard", 8) == 0 && isspace((unsigned char)name[8])) {
		char *kbd = name + 8;
		while (isspace((unsigned char)*kbd)) {
			kbd++;
		}
		/* Device names have spaces and more: [keyboard "AT Translated Set 2 keyboard"]. */
		size_t klen = strlen(kbd);
		if (klen >= 2 && kbd[0] == '"' && kbd[klen - 1] == '"') {
			kbd[klen - 1] = '\0';
			kbd++;
		}
		if (*kbd == '\0') {
			parser_error(parser, "[keyboard \"\"] needs the device's name");
			return;
		}
		parser->keyboard = get_keyboard(parser->config, kbd);
		if (!parser->keyboard) {
			parser_out_of_memory(parser);
			return;
		}
		parser->section = COMP_SECTION_KEYBOARD;
		return;
	}
	if (strcasecmp(name, "input") == 0) {
		parser->input = &parser->config->input;
		parser->section = COMP_SECTION_INPUT;
		return;
	}
	if (strncasecmp(name, "input", 5) == 0 && isspace((unsigned char)name[5])) {
		char *dev = name + 5;
		while (isspace((unsigned char)*dev)) {
			dev++;
		}
		size_t dlen = strlen(dev);
		if (dlen >= 2 && dev[0] == '"' && dev[dlen - 1] == '"') {
			dev[dlen - 1] = '\0';
			dev++;
		}
		if (*dev == '\0') {
			parser_error(parser, "[input \"\"] needs the device's name");
			return;
		}
		parser->input = get_input(parser->config, dev);
		if (!parser->input) {
			parser_out_of_memory(parser);
			return;
		}
		parser->section = COMP_SECTION_INPUT;
		return;
	}
	parser_error(parser, "unknown section [%s]", name);
}

/*
 * Checks one line the way inih would parse it. Returns true if inih should see it: a
 * well-formed "key = value" line. Section headers are handled here, comments and
 * blank lines need nothing from inih, and bad lines are reported here.
 */
static bool check_line(struct comp_config_parser *parser, const char *start, const char *end,
		int max_len) {
	if (start == end || *start == ';' || *start == '#') {
		return false;
	}
	if (memchr(start, '\0', (size_t)(end - start))) {
		parser_error(parser, "line contains a NUL byte");
		return false;
	}
	if (*start == '[') {
		const char *close = find_chars_or_comment(start + 1, end, "]");
		if (close == end || *close != ']') {
			parser_error(parser, "section header without a closing ']'");
			/* Keys that follow belong to the broken section, not the one before it. */
			parser->section = COMP_SECTION_IGNORED;
			parser->output = NULL;
			parser->keyboard = NULL;
			parser->input = NULL;
			return false;
		}
		enter_section(parser, start + 1, close);
		return false;
	}
	/* inih's line buffer is fixed; a longer line would be cut and its end read as a line. */
	if (end - start > max_len) {
		parser_error(parser, "line is longer than %d characters", max_len);
		return false;
	}
	const char *sep = find_chars_or_comment(start, end, "=:");
	if (sep == end || (*sep != '=' && *sep != ':')) {
		parser_error(parser, "expected 'key = value'");
		return false;
	}
	return true;
}

/* inih's reader: hands out one checked line at a time, always whole and '\n'-terminated. */
static char *read_line(char *str, int num, void *stream) {
	struct comp_config_parser *parser = stream;
	if (parser->pos >= parser->end || num < 2) {
		return NULL;
	}
	const char *start = parser->pos;
	const char *newline = memchr(start, '\n', (size_t)(parser->end - start));
	const char *end = newline ? newline : parser->end;
	parser->pos = newline ? newline + 1 : parser->end;
	parser->lineno++;

	/* Leading whitespace is stripped so inih never treats an indented line as the
	 * continuation of the previous value: indenting is how people lay out INI files. */
	while (start < end) {
		if (isspace((unsigned char)*start)) {
			start++;
		} else if (parser->lineno == 1 && end - start >= 3 &&
				memcmp(start, "\xef\xbb\xbf", 3) == 0) {
			/* A UTF-8 byte order mark. inih skips one at the start of line 1 too, so
			 * none may be left there after the whitespace we strip. */
			start += 3;
		} else {
			break;
		}
	}
	while (end > start && isspace((unsigned char)end[-1])) {
		end--;
	}

	size_t len = 0;
	if (check_line(parser, start, end, num - 2)) {
		len = (size_t)(end - start);
		memcpy(str, start, len);
	}
	str[len] = '\n';
	str[len + 1] = '\0';
	return str;
}

static bool parse_text(struct comp_config *config, const char *name, const char *text,
		size_t len) {
	struct comp_config_parser parser = {
		.config = config,
		.name = name ? name : "<string>",
		.pos = text,
		.end = text + len,
	};
	int ret = ini_parse_stream(read_line, &parser, handle_key, &parser);
	if (ret == -2) {
		parser_out_of_memory(&parser);
	} else if (ret > 0 && ret != parser.last_error_line) {
		/* Our reader should have caught every line inih rejects; if not, say where. */
		int lineno = parser.lineno;
		parser.lineno = ret;
		parser_error(&parser, "syntax error");
		parser.lineno = lineno;
	}
	if (parser.errors > COMP_CONFIG_MAX_ERRORS) {
		char *msg = lumen_strdup_printf("%s: %zu more errors not shown", parser.name,
			parser.errors - COMP_CONFIG_MAX_ERRORS);
		if (!msg || !push_error(config, msg)) {
			parser.out_of_memory = true;
		}
	}
	return !parser.out_of_memory;
}

/* False only when nothing could be parsed (NULL text, out of memory); bad lines are in
 * config->errors and do not make it fail, as the rest of the text still applies. */
bool comp_config_parse_string(struct comp_config *config, const char *name, const char *text) {
	if (!text) {
		return false;
	}
	return parse_text(config, name, text, strlen(text));
}

static bool add_file_error(struct comp_config *config, const char *path, const char *what) {
	char *msg = lumen_strdup_printf("%s: %s", path, what);
	if (msg) {
		push_error(config, msg);
	}
	return false;
}

/* As for parse_string: false means the file could not be read (comp_server_reload_config
 * keeps the old config then), not that it had bad lines. */
bool comp_config_load(struct comp_config *config, const char *path) {
	FILE *file = fopen(path, "r");
	if (!file) {
		if (errno == ENOENT) {
			lumen_log(LUMEN_INFO, "no config file at %s, using the defaults", path);
			return true;
		}
		char what[256];
		snprintf(what, sizeof(what), "cannot open: %s", strerror(errno));
		return add_file_error(config, path, what);
	}

	/* Read it whole: lines may hold NUL bytes, which fgets would silently cut at. */
	char *text = NULL;
	size_t len = 0, cap = 0;
	bool ok = true;
	while (true) {
		if (len == cap) {
			/* The buffer has a spare byte past cap: reading into it tells a file of
			 * exactly the limit from a larger one. */
			if (cap >= COMP_CONFIG_MAX_SIZE) {
				if (fread(text + len, 1, 1, file) > 0) {
					ok = add_file_error(config, path, "file is larger than 1 MiB");
				}
				break;
			}
			size_t new_cap = cap ? cap * 2 : 4096;
			char *bigger = realloc(text, new_cap + 1);
			if (!bigger) {
				ok = add_file_error(config, path, "out of memory");
				break;
			}
			text = bigger;
			cap = new_cap;
		}
		size_t n = fread(text + len, 1, cap - len, file);
		len += n;
		if (n == 0) {
			if (ferror(file)) {
				char what[256];
				snprintf(what, sizeof(what), "cannot read: %s", strerror(errno));
				ok = add_file_error(config, path, what);
			}
			break;
		}
	}
	fclose(file);
	if (ok) {
		ok = parse_text(config, path, text ? text : "", len);
	}
	free(text);
	return ok;
}

char *comp_config_default_path(void) {
	const char *config_home = getenv("XDG_CONFIG_HOME");
	/* The XDG spec says relative values are invalid and to be ignored. */
	if (config_home && config_home[0] == '/') {
		return lumen_strdup_printf("%s/lumen/lumen.ini", config_home);
	}
	const char *home = getenv("HOME");
	if (!home || home[0] == '\0') {
		struct passwd *pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : NULL;
	}
	if (!home || home[0] == '\0') {
		return NULL;
	}
	return lumen_strdup_printf("%s/.config/lumen/lumen.ini", home);
}
