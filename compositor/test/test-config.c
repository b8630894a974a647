/*
 * Unit tests for lumen.ini parsing (compositor/src/config.c). TAP output.
 * Run alone: ./test-config; LUMEN_LOG=error shows the parser's own log lines.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wlr/types/wlr_keyboard.h>
#include <xkbcommon/xkbcommon.h>
#include "common/log.h"
#include "config.h"

#define SUPER WLR_MODIFIER_LOGO
#define SHIFT WLR_MODIFIER_SHIFT
#define ALT WLR_MODIFIER_ALT
#define CTRL WLR_MODIFIER_CTRL

static int test_no;
static int failures;

static bool ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool ok(bool cond, const char *fmt, ...) {
	test_no++;
	printf("%sok %d - ", cond ? "" : "not ", test_no);
	va_list args;
	va_start(args, fmt);
	vprintf(fmt, args);
	va_end(args);
	printf("\n");
	if (!cond) {
		failures++;
	}
	return cond;
}

static void dump_errors(const struct comp_config *config) {
	for (size_t i = 0; i < config->errors.len; i++) {
		printf("#   error %zu: %s\n", i, (const char *)config->errors.items[i]);
	}
}

static const struct comp_binding *find_binding(const struct comp_config *config,
		uint32_t modifiers, xkb_keysym_t sym) {
	for (size_t i = 0; i < config->bindings.len; i++) {
		const struct comp_binding *b = config->bindings.items[i];
		if (b->modifiers == modifiers && b->sym == sym) {
			return b;
		}
	}
	return NULL;
}

static bool binding_is(const struct comp_config *config, uint32_t modifiers, xkb_keysym_t sym,
		const char *action) {
	const struct comp_binding *b = find_binding(config, modifiers, sym);
	return b && strcmp(b->action, action) == 0;
}

/* errors[index] starts with prefix ("FILE:LINE: ") and mentions what. */
static bool error_is(const struct comp_config *config, size_t index, const char *prefix,
		const char *what) {
	if (index >= config->errors.len) {
		return false;
	}
	const char *msg = config->errors.items[index];
	return strncmp(msg, prefix, strlen(prefix)) == 0 && strstr(msg, what) != NULL;
}

static void test_defaults(void) {
	struct comp_config config;
	comp_config_init(&config);
	ok(config.repeat_rate == 25 && config.repeat_delay == 600 && !config.numlock,
		"default keyboard repeat 25/600, numlock off");
	ok(config.deco_mode == COMP_DECO_MODE_SERVER && config.title_height == 28,
		"default decorations: server side, 28 px titles");
	ok(config.color_focused == 0x3584e4 && config.color_unfocused == 0x5e5c64 &&
			config.color_text == 0xffffff,
		"default colors");
	ok(!config.xkb_layout && !config.xkb_rules && config.outputs.len == 0 &&
			config.autostart.len == 0 && config.trusted.len == 0 && config.errors.len == 0,
		"nothing else set by default");
	ok(config.bindings.len == 30, "30 default bindings (got %zu)", config.bindings.len);
	ok(binding_is(&config, SUPER, XKB_KEY_Return, "exec foot") &&
			binding_is(&config, SUPER, XKB_KEY_q, "close") &&
			binding_is(&config, SUPER, XKB_KEY_f, "fullscreen") &&
			binding_is(&config, SUPER, XKB_KEY_m, "maximize") &&
			binding_is(&config, SUPER, XKB_KEY_n, "minimize") &&
			binding_is(&config, SUPER, XKB_KEY_t, "tiling toggle") &&
			binding_is(&config, SUPER, XKB_KEY_space, "layout-next") &&
			binding_is(&config, SUPER | ALT, XKB_KEY_s, "reader-toggle"),
		"default Super bindings, the screen reader's Super+Alt+S among them");
	ok(binding_is(&config, SUPER, XKB_KEY_1, "workspace 1") &&
			binding_is(&config, SUPER, XKB_KEY_9, "workspace 9") &&
			binding_is(&config, SUPER | SHIFT, XKB_KEY_1, "move-to-workspace 1") &&
			binding_is(&config, SUPER | SHIFT, XKB_KEY_9, "move-to-workspace 9") &&
			!find_binding(&config, SUPER | SHIFT, XKB_KEY_exclam),
		"workspace bindings, Shift ones stored by the digit keysym");
	ok(binding_is(&config, ALT, XKB_KEY_Tab, "cycle-next") &&
			binding_is(&config, ALT | SHIFT, XKB_KEY_Tab, "cycle-prev") &&
			binding_is(&config, SUPER | SHIFT, XKB_KEY_e, "exit") &&
			binding_is(&config, SUPER | SHIFT, XKB_KEY_r, "reload"),
		"Alt+Tab, exit and reload bindings");
	comp_config_finish(&config);
	comp_config_finish(&config);
	ok(config.bindings.len == 0 && config.bindings.items == NULL,
		"finish empties the config and may be called twice");
}

static bool chord_is(const char *chord, uint32_t modifiers, xkb_keysym_t sym) {
	uint32_t m = 0xdead;
	xkb_keysym_t s = 0;
	return comp_config_parse_chord(chord, &m, &s) && m == modifiers && s == sym;
}

static bool chord_fails(const char *chord) {
	uint32_t m = 0xdead;
	xkb_keysym_t s = 0xbeef;
	return !comp_config_parse_chord(chord, &m, &s) && m == 0xdead && s == 0xbeef;
}

static void test_chords(void) {
	ok(chord_is("Super+Shift+Return", SUPER | SHIFT, XKB_KEY_Return), "Super+Shift+Return");
	ok(chord_is("mod4+q", SUPER, XKB_KEY_q) && chord_is("LOGO+q", SUPER, XKB_KEY_q),
		"Mod4 and Logo are Super, case-insensitive");
	ok(chord_is("Ctrl+Alt+Delete", CTRL | ALT, XKB_KEY_Delete) &&
			chord_is("control+MOD1+Delete", CTRL | ALT, XKB_KEY_Delete),
		"Ctrl/Control and Alt/Mod1");
	ok(chord_is("Super+Q", SUPER, XKB_KEY_q) && chord_is("Super+Shift+E", SUPER | SHIFT, XKB_KEY_e),
		"keysyms are lower-cased");
	ok(chord_is("super+return", SUPER, XKB_KEY_Return) &&
			chord_is("Alt+TAB", ALT, XKB_KEY_Tab),
		"key names fall back to case-insensitive lookup");
	ok(chord_is("Super+Shift+1", SUPER | SHIFT, XKB_KEY_1), "Shift+digit keeps the digit keysym");
	ok(chord_is(" Super + space ", SUPER, XKB_KEY_space), "spaces around parts are ignored");
	ok(chord_is("Print", 0, XKB_KEY_Print) && chord_is("Super+plus", SUPER, XKB_KEY_plus),
		"bare key, and plus by name");
	ok(chord_is("Super+Super+x", SUPER, XKB_KEY_x), "a repeated modifier is harmless");
	ok(chord_fails("Hyper+x"), "unknown modifier fails");
	ok(chord_fails("Super+nosuchkey"), "unknown key fails");
	ok(chord_fails("Super+"), "missing key fails");
	ok(chord_fails(""), "empty chord fails");
	ok(chord_fails("Super+Shift"), "modifiers alone fail");
	ok(chord_fails("Super++"), "empty part fails");
	ok(chord_fails("x+Super"), "a key in modifier position fails");
	ok(chord_fails("Super+NoSymbol"), "NoSymbol fails");
}

static const char broken_text[] =
	"; lumen test config\n" // 1
	"[keyboard]\n" // 2
	"layout = us,de\n" // 3
	"colour = blue\n" // 4 unknown key
	"repeat_rate = 40\n" // 5
	"repeat_delay = 20000\n" // 6 out of range
	"\n" // 7
	"[output HDMI-A-1]\n" // 8
	"mode = 1920x1080@59.94\n" // 9
	"position = 1920,0\n" // 10
	"mode = 1920x\n" // 11 bad mode
	"this line has no equals sign\n" // 12 syntax
	"scale = 1.5\n" // 13
	"[decorations]\n" // 14
	"focused = #12345g\n" // 15 bad color
	"unfocused = #AbCdEf\n" // 16
	"title_height = 30\n" // 17
	"[nonsense]\n" // 18 unknown section
	"whatever = 1\n" // 19 ignored with its section
	"[bindings]\n" // 20
	"    Super+Return = exec alacritty\n" // 21 indented, not a continuation
	"Super+q = none\n" // 22 removes
	"Ctrl+Alt+Delete = exit ; an inline comment\n" // 23
	"Hyper+x = close\n" // 24 bad chord
	"[autostart]\n" // 25
	"bar = waybar\n" // 26
	"[trust]\n" // 27
	"shot = grim\n"; // 28

static void test_broken_lines(void) {
	struct comp_config config;
	comp_config_init(&config);
	ok(comp_config_parse_string(&config, "test.ini", broken_text),
		"parse_string succeeds despite bad lines");
	if (!ok(config.errors.len == 7, "exactly 7 errors (got %zu)", config.errors.len)) {
		dump_errors(&config);
	}
	ok(error_is(&config, 0, "test.ini:4: ", "colour"), "line 4: unknown key");
	ok(error_is(&config, 1, "test.ini:6: ", "repeat_delay"), "line 6: repeat_delay out of range");
	ok(error_is(&config, 2, "test.ini:11: ", "mode"), "line 11: bad mode");
	ok(error_is(&config, 3, "test.ini:12: ", "key = value"), "line 12: no '='");
	ok(error_is(&config, 4, "test.ini:15: ", "color"), "line 15: bad color");
	ok(error_is(&config, 5, "test.ini:18: ", "nonsense"), "line 18: unknown section");
	ok(error_is(&config, 6, "test.ini:24: ", "Hyper+x"), "line 24: bad chord");

	ok(config.xkb_layout && strcmp(config.xkb_layout, "us,de") == 0, "layout applied");
	ok(config.repeat_rate == 40 && config.repeat_delay == 600,
		"repeat_rate applied, bad repeat_delay left at its default");
	const struct comp_output_config *oc = comp_config_find_output(&config, "HDMI-A-1");
	ok(oc && oc->has_mode && oc->width == 1920 && oc->height == 1080 &&
			oc->refresh_mhz == 59940,
		"mode 1920x1080@59.94 applied, the bad mode after it ignored");
	ok(oc && oc->has_position && oc->x == 1920 && oc->y == 0, "position applied");
	ok(oc && oc->scale == 1.5 && oc->enabled == -1, "scale applied after the bad lines");
	ok(config.color_focused == 0x3584e4 && config.color_unfocused == 0xabcdef &&
			config.title_height == 30,
		"good decoration lines applied, bad color left at its default");
	ok(binding_is(&config, SUPER, XKB_KEY_Return, "exec alacritty"),
		"indented binding overrides the default");
	ok(!find_binding(&config, SUPER, XKB_KEY_q), "'none' removes Super+q");
	ok(binding_is(&config, CTRL | ALT, XKB_KEY_Delete, "exit"),
		"new binding added, inline comment stripped");
	ok(!find_binding(&config, 0, XKB_KEY_x), "bad chord added nothing");
	ok(config.bindings.len == 30, "30 - 1 removed + 1 added bindings (got %zu)",
		config.bindings.len);
	ok(config.autostart.len == 1 && strcmp(config.autostart.items[0], "waybar") == 0,
		"autostart entry");
	ok(config.trusted.len == 1 && strcmp(config.trusted.items[0], "grim") == 0,
		"trust entry");
	ok(config.outputs.len == 1, "one output section");
	comp_config_finish(&config);
}

static void test_reparse_merges(void) {
	struct comp_config config;
	comp_config_init(&config);
	comp_config_parse_string(&config, "a.ini",
		"[output HDMI-A-1]\nmode = 1920x1080\n"
		"[bindings]\nSuper+Return = exec alacritty\nSuper+x = close\n"
		"[autostart]\nbar = waybar\n[trust]\nshot = grim\n");
	comp_config_parse_string(&config, "b.ini",
		"[output DP-1]\nmode = 2560x1440@144Hz\n"
		"[output HDMI-A-1]\nscale = 2\nenabled = no\n"
		"[bindings]\nsuper+RETURN = exec foot --server\nSuper+X = none\nsuper+shift+1 = none\n"
		"[autostart]\nbar = waybar\nnotify = mako\n[trust]\nshot = grim\n");
	if (!ok(config.errors.len == 0, "two clean parses, no errors")) {
		dump_errors(&config);
	}
	const struct comp_output_config *hdmi = comp_config_find_output(&config, "HDMI-A-1");
	const struct comp_output_config *dp = comp_config_find_output(&config, "DP-1");
	ok(config.outputs.len == 2, "two outputs after merging (got %zu)", config.outputs.len);
	ok(hdmi && hdmi->has_mode && hdmi->width == 1920 && hdmi->refresh_mhz == 0 &&
			hdmi->scale == 2.0 && hdmi->enabled == 0 && !hdmi->has_position,
		"[output HDMI-A-1] merged: mode from the first, scale and enabled from the second");
	ok(dp && dp->width == 2560 && dp->height == 1440 && dp->refresh_mhz == 144000,
		"second output added, 144Hz suffix accepted");
	ok(!comp_config_find_output(&config, "hdmi-a-1") && !comp_config_find_output(&config, NULL),
		"output names match exactly");
	ok(binding_is(&config, SUPER, XKB_KEY_Return, "exec foot --server"),
		"same chord overrides again");
	ok(!find_binding(&config, SUPER, XKB_KEY_x), "a binding from an earlier parse is removed");
	ok(!find_binding(&config, SUPER | SHIFT, XKB_KEY_1) &&
			find_binding(&config, SUPER | SHIFT, XKB_KEY_2),
		"'none' removes only its own default");
	ok(config.autostart.len == 2 && config.trusted.len == 1,
		"autostart and trust entries are not duplicated by re-parsing");
	comp_config_parse_string(&config, "c.ini", "[output HDMI-A-1]\nenabled = yes\n");
	ok(hdmi->enabled == 1 && hdmi->scale == 2.0, "a third parse changes only enabled");
	comp_config_finish(&config);
}

struct value_case {
	const char *text;
	bool good;
};

static void test_values(void) {
	static const struct value_case cases[] = {
		{ "[output A]\nmode = 1280x720\n", true },
		{ "[output A]\nmode = 1280X720@60\n", true },
		{ "[output A]\nmode = 1280x720@75.0001hz\n", true },
		{ "[output A]\nmode = 1280x720@0\n", false },
		{ "[output A]\nmode = 0x720\n", false },
		{ "[output A]\nmode = 1280x720@\n", false },
		{ "[output A]\nmode = 1280x720@60fps\n", false },
		{ "[output A]\nmode = -1280x720\n", false },
		{ "[output A]\nmode = 99999999999999999999x1\n", false },
		{ "[output A]\nmode = \n", false },
		{ "[output A]\nposition = -1280, 200\n", true },
		{ "[output A]\nposition = 1,2,3\n", false },
		{ "[output A]\nposition = 12\n", false },
		{ "[output A]\nposition = +1,2\n", false },
		{ "[output A]\nscale = 10\n", true },
		{ "[output A]\nscale = 0.5\n", true },
		{ "[output A]\nscale = 10.000001\n", false },
		{ "[output A]\nscale = 0\n", false },
		{ "[output A]\nscale = -1\n", false },
		{ "[output A]\nscale = 1e3\n", false },
		{ "[output A]\nscale = .\n", false },
		{ "[output A]\nenabled = ON\n", true },
		{ "[output A]\nenabled = 0\n", true },
		{ "[output A]\nenabled = maybe\n", false },
		{ "[output A]\nresolution = 1x1\n", false },
		{ "[keyboard]\nrepeat_rate = 0\n", true },
		{ "[keyboard]\nrepeat_rate = 1000\n", true },
		{ "[keyboard]\nrepeat_rate = 1001\n", false },
		{ "[keyboard]\nrepeat_rate = -1\n", false },
		{ "[keyboard]\nrepeat_rate = 25 \n", true },
		{ "[keyboard]\nrepeat_rate = 2 5\n", false },
		{ "[keyboard]\nrepeat_delay = 10000\n", true },
		{ "[keyboard]\nrepeat_delay = 10001\n", false },
		{ "[keyboard]\nnumlock = true\n", true },
		{ "[keyboard]\nnumlock = 2\n", false },
		{ "[decorations]\ntitle_height = 12\n", true },
		{ "[decorations]\ntitle_height = 11\n", false },
		{ "[decorations]\ntitle_height = 101\n", false },
		{ "[decorations]\nmode = client\n", true },
		{ "[decorations]\nmode = both\n", false },
		{ "[decorations]\ntext = #fff\n", false },
		{ "[decorations]\ntext = 123456\n", false },
		{ "[decorations]\ntext = #1234567\n", false },
		{ "[bindings]\nSuper+x =\n", false },
		{ "[autostart]\nempty =\n", false },
		{ "[trust]\nempty =\n", false },
		{ "key = outside\n", false },
		{ "[output]\nmode = 1x1\n", false },
		{ "[Keyboard]\nLayout = de\n", true },
		{ "[input]\ntap = yes\n", true },
		{ "[input]\ntap = sometimes\n", false },
		{ "[input]\naccel_speed = -1\n", true },
		{ "[input]\naccel_speed = +.25\n", true },
		{ "[input]\naccel_speed = 1.0001\n", false },
		{ "[input]\naccel_speed = -1.5\n", false },
		{ "[input]\naccel_speed = 0.5x\n", false },
		{ "[input]\naccel_profile = Flat\n", true },
		{ "[input]\naccel_profile = none\n", false },
		{ "[input]\nscroll_method = on_button_down\n", true },
		{ "[input]\nscroll_method = three_finger\n", false },
		{ "[input]\nspeed = 1\n", false },
		{ "[input \"\"]\n", false },
		{ "[input \"A pad\"]\nnatural_scroll = no\n", true },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct comp_config config;
		comp_config_init(&config);
		comp_config_parse_string(&config, "v.ini", cases[i].text);
		char shown[128];
		snprintf(shown, sizeof(shown), "%s", cases[i].text);
		for (char *c = shown; *c; c++) {
			if (*c == '\n') {
				*c = '|';
			}
		}
		size_t want = cases[i].good ? 0 : 1;
		ok(config.errors.len == want && (want == 0 || error_is(&config, 0, "v.ini:", "")),
			"%s '%s'", cases[i].good ? "accepts" : "rejects", shown);
		comp_config_finish(&config);
	}

	struct comp_config config;
	comp_config_init(&config);
	comp_config_parse_string(&config, "v.ini",
		"[output A]\nmode = 1280x720@75.0006\nscale = 1.25\nposition = -1280, 200\n"
		"[keyboard]\nnumlock = on\nlayout = de\nlayout =\n"
		"[decorations]\nmode = client\ntext = #000000\n");
	const struct comp_output_config *oc = comp_config_find_output(&config, "A");
	ok(oc && oc->refresh_mhz == 75001, "refresh rounds to the nearest mHz");
	ok(oc && oc->scale == 1.25 && oc->x == -1280 && oc->y == 200, "scale and negative position");
	ok(config.numlock && !config.xkb_layout, "numlock on; an empty layout resets to unset");
	ok(config.deco_mode == COMP_DECO_MODE_CLIENT && config.color_text == 0,
		"client decorations, black text");
	comp_config_finish(&config);

	comp_config_init(&config);
	comp_config_parse_string(&config, "v.ini",
		"[input]\ntap = yes\naccel_speed = -0.25\n"
		"[input \"Touch Pad\"]\ntap = no\nscroll_method = edge\n");
	struct comp_input_config ic;
	comp_config_input_for(&config, "Touch Pad", &ic);
	ok(ic.tap == 0 && ic.scroll_method == 2 && ic.accel_speed == -0.25 &&
		ic.natural_scroll == -1 && ic.accel_profile == -1,
		"[input NAME] over [input]; unset stays unset");
	comp_config_input_for(&config, "Mouse", &ic);
	ok(ic.tap == 1 && ic.scroll_method == -1 && ic.accel_speed == -0.25,
		"another device gets [input]");
	comp_config_finish(&config);
}

static void test_syntax(void) {
	struct comp_config config;
	comp_config_init(&config);
	char long_line[400];
	snprintf(long_line, sizeof(long_line), "[autostart]\nlong = %0300d\nafter = ok\n", 7);
	comp_config_parse_string(&config, "s.ini", long_line);
	ok(config.errors.len == 1 && error_is(&config, 0, "s.ini:2: ", "longer"),
		"an over-long line is one error on its own line");
	ok(config.autostart.len == 1 && strcmp(config.autostart.items[0], "ok") == 0,
		"the line after an over-long one is read normally");
	comp_config_finish(&config);

	comp_config_init(&config);
	comp_config_parse_string(&config, "s.ini",
		"\xef\xbb\xbf[keyboard]\r\nlayout = fr\r\n[output X\r\nscale = 2\r\n"
		"[keyboard] ; comment\r\nmodel = pc105\r\nnovalue\r\n# hash comment = no\r\n"
		"variant: nodeadkeys\r\n[trust ; x]\r\nrules = evdev\r\n");
	if (!ok(config.errors.len == 3, "BOM/CRLF text has 3 errors (got %zu)", config.errors.len)) {
		dump_errors(&config);
	}
	ok(error_is(&config, 0, "s.ini:3: ", "]") && error_is(&config, 1, "s.ini:7: ", "key = value") &&
			error_is(&config, 2, "s.ini:10: ", "]"),
		"unclosed sections and a bare word reported with their lines");
	ok(config.xkb_layout && strcmp(config.xkb_layout, "fr") == 0 && config.xkb_model &&
			strcmp(config.xkb_model, "pc105") == 0,
		"BOM skipped, CR stripped, comment after a header allowed");
	ok(config.xkb_variant && strcmp(config.xkb_variant, "nodeadkeys") == 0,
		"'name: value' is accepted as inih does");
	ok(config.outputs.len == 0, "keys under a broken header go nowhere");
	ok(!config.xkb_rules, "keys after a broken header do not land in the section before it");
	comp_config_finish(&config);

	/* Found by fuzzing: inih skips a byte order mark that our reader had left behind
	 * leading whitespace, and the two disagreed about what line 1 was. */
	comp_config_init(&config);
	comp_config_parse_string(&config, "s.ini", "\t\xef\xbb\xbf[keyboard]\nlayout = gb\n");
	ok(config.errors.len == 0 && config.xkb_layout && strcmp(config.xkb_layout, "gb") == 0,
		"a byte order mark after leading whitespace is skipped");
	comp_config_finish(&config);
	comp_config_init(&config);
	comp_config_parse_string(&config, "s.ini", " \xef\xbb\xbf[output : x\nmode = 1x1\n");
	ok(config.errors.len == 1 && error_is(&config, 0, "s.ini:1: ", "]") &&
			config.outputs.len == 0,
		"... and a broken header after it is reported as one");
	comp_config_finish(&config);

	comp_config_init(&config);
	char many[4096] = "";
	size_t len = 0;
	for (int i = 0; i < 150; i++) {
		len += (size_t)snprintf(many + len, sizeof(many) - len, "bad\n");
	}
	comp_config_parse_string(&config, "m.ini", many);
	ok(config.errors.len == 101 && error_is(&config, 99, "m.ini:100: ", "") &&
			error_is(&config, 100, "m.ini: ", "50 more errors"),
		"errors stop after 100 with a count of the rest");
	comp_config_finish(&config);

	comp_config_init(&config);
	ok(comp_config_parse_string(&config, "e.ini", "") && config.errors.len == 0,
		"empty text is fine");
	ok(!comp_config_parse_string(&config, "e.ini", NULL), "NULL text fails");
	comp_config_finish(&config);
}

static bool write_file(const char *path, const char *text) {
	FILE *f = fopen(path, "w");
	if (!f) {
		return false;
	}
	bool written = fputs(text, f) >= 0;
	return fclose(f) == 0 && written;
}

static void test_files(void) {
	char dir[] = "/tmp/lumen-test-config-XXXXXX";
	if (!ok(mkdtemp(dir) != NULL, "temporary directory")) {
		return;
	}
	char path[256];
	struct comp_config config;

	comp_config_init(&config);
	snprintf(path, sizeof(path), "%s/missing.ini", dir);
	ok(comp_config_load(&config, path) && config.errors.len == 0 &&
			config.bindings.len == 30 && config.repeat_rate == 25,
		"a missing file returns true and leaves the defaults");
	comp_config_finish(&config);

	comp_config_init(&config);
	snprintf(path, sizeof(path), "%s/lumen.ini", dir);
	ok(write_file(path, "[keyboard]\nrepeat_rate = 50\nbogus = 1\n"), "wrote a config file");
	ok(comp_config_load(&config, path) && config.repeat_rate == 50,
		"load applies the file and returns true despite a bad line");
	char prefix[300];
	snprintf(prefix, sizeof(prefix), "%s:3: ", path);
	ok(config.errors.len == 1 && error_is(&config, 0, prefix, "bogus"),
		"errors name the file's path and line");
	comp_config_finish(&config);

	comp_config_init(&config);
	char nul_text[] = "[keyboard]\nlayout = d\0e\nrepeat_rate = 5\n";
	FILE *f = fopen(path, "w");
	ok(f && fwrite(nul_text, 1, sizeof(nul_text) - 1, f) == sizeof(nul_text) - 1 &&
			fclose(f) == 0,
		"wrote a file with a NUL byte");
	snprintf(prefix, sizeof(prefix), "%s:2: ", path);
	ok(comp_config_load(&config, path) && config.errors.len == 1 &&
			error_is(&config, 0, prefix, "NUL") && config.repeat_rate == 5 &&
			!config.xkb_layout,
		"a NUL byte spoils only its line");
	comp_config_finish(&config);

	/* A file of exactly 1 MiB is read; one byte more is refused. */
	const char head[] = "[keyboard]\nrepeat_rate = 7\n#";
	size_t limit = 1024 * 1024;
	char *big = malloc(limit + 1);
	if (big) {
		memset(big, ' ', limit + 1);
		memcpy(big, head, sizeof(head) - 1);
	}
	for (size_t size = limit; big && size <= limit + 1; size++) {
		comp_config_init(&config);
		f = fopen(path, "w");
		bool written = f && fwrite(big, 1, size, f) == size;
		written = f && fclose(f) == 0 && written;
		bool loaded = comp_config_load(&config, path);
		if (size == limit) {
			ok(written && loaded && config.errors.len == 0 && config.repeat_rate == 7,
				"a 1 MiB file is read");
		} else {
			ok(written && !loaded && config.errors.len == 1 &&
					error_is(&config, 0, path, "larger") && config.repeat_rate == 25,
				"a larger file is refused, nothing applied");
		}
		comp_config_finish(&config);
	}
	free(big);

	comp_config_init(&config);
	ok(!comp_config_load(&config, dir) && config.errors.len == 1,
		"a directory is unreadable: false with an error");
	if (config.errors.len > 0) {
		printf("#   %s\n", (const char *)config.errors.items[0]);
	}
	comp_config_finish(&config);

	unlink(path);
	rmdir(dir);
}

static bool path_is(const char *want) {
	char *path = comp_config_default_path();
	bool same = path && strcmp(path, want) == 0;
	if (!same) {
		printf("#   got %s, want %s\n", path ? path : "(null)", want);
	}
	free(path);
	return same;
}

static void test_default_path(void) {
	char *saved_xdg = getenv("XDG_CONFIG_HOME") ? strdup(getenv("XDG_CONFIG_HOME")) : NULL;
	char *saved_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;

	setenv("XDG_CONFIG_HOME", "/cfg", 1);
	setenv("HOME", "/home/u", 1);
	ok(path_is("/cfg/lumen/lumen.ini"), "$XDG_CONFIG_HOME/lumen/lumen.ini");
	unsetenv("XDG_CONFIG_HOME");
	ok(path_is("/home/u/.config/lumen/lumen.ini"), "$HOME/.config/lumen/lumen.ini");
	setenv("XDG_CONFIG_HOME", "relative", 1);
	ok(path_is("/home/u/.config/lumen/lumen.ini"), "a relative XDG_CONFIG_HOME is ignored");
	setenv("XDG_CONFIG_HOME", "", 1);
	ok(path_is("/home/u/.config/lumen/lumen.ini"), "an empty XDG_CONFIG_HOME is ignored");

	if (saved_xdg) {
		setenv("XDG_CONFIG_HOME", saved_xdg, 1);
	} else {
		unsetenv("XDG_CONFIG_HOME");
	}
	if (saved_home) {
		setenv("HOME", saved_home, 1);
	} else {
		unsetenv("HOME");
	}
	free(saved_xdg);
	free(saved_home);
}

int main(void) {
	/* The parser logs every bad line; the tests make many on purpose. */
	lumen_log_init(LUMEN_SILENT);
	test_defaults();
	test_chords();
	test_broken_lines();
	test_reparse_merges();
	test_values();
	test_syntax();
	test_files();
	test_default_path();
	printf("1..%d\n", test_no);
	return failures ? 1 : 0;
}
