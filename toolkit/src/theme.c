/*
 * Themes and the settings file ($XDG_CONFIG_HOME/lumen/toolkit.ini), which the settings
 * app will edit:
 *
 *   [appearance]
 *   theme = light | dark | high-contrast
 *   text_scale = 1.25
 *   font = Cantarell
 *   font_size = 14
 *
 * inih reports only its first bad line and gives the handler no line number, so lines
 * reach it through our own reader, which counts them and turns a line of the wrong
 * shape into an empty one after reporting it: every bad line is named, the rest apply.
 */
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "common/log.h"
#include "tk-private.h"

void tk_settings_init_default(struct tk_settings *s) {
	*s = (struct tk_settings){
		.theme = TK_THEME_LIGHT,
		.text_scale = 1,
		.font_size = 14,
	};
}

bool tk_theme_kind_from_string(const char *s, enum tk_theme_kind *kind) {
	if (strcasecmp(s, "light") == 0) {
		*kind = TK_THEME_LIGHT;
	} else if (strcasecmp(s, "dark") == 0) {
		*kind = TK_THEME_DARK;
	} else if (strcasecmp(s, "high-contrast") == 0 || strcasecmp(s, "highcontrast") == 0) {
		*kind = TK_THEME_HIGH_CONTRAST;
	} else {
		return false;
	}
	return true;
}

const char *tk_theme_kind_to_string(enum tk_theme_kind kind) {
	switch (kind) {
	case TK_THEME_DARK:
		return "dark";
	case TK_THEME_HIGH_CONTRAST:
		return "high-contrast";
	case TK_THEME_LIGHT:
		break;
	}
	return "light";
}

void tk_theme_init(struct tk_theme *t, enum tk_theme_kind kind) {
	t->kind = kind;
	t->border_width = 1;
	t->focus_width = 2;
	switch (kind) {
	case TK_THEME_LIGHT:
		t->window_bg = 0xfff6f5f4;
		t->fg = 0xff1e1e1e;
		t->fg_disabled = 0xff929595;
		t->widget_bg = 0xffe8e8e7;
		t->widget_bg_hover = 0xffdcdcdb;
		t->widget_bg_pressed = 0xffc8c8c7;
		t->border = 0xffb6b6b3;
		t->accent = 0xff3584e4;
		t->accent_fg = 0xffffffff;
		t->entry_bg = 0xffffffff;
		t->selection_bg = 0xff99c1f1;
		t->selection_fg = 0xff1e1e1e;
		t->focus_ring = 0xff1c71d8;
		t->trough = 0xffc0bfbc;
		break;
	case TK_THEME_DARK:
		t->window_bg = 0xff242424;
		t->fg = 0xffeeeeec;
		t->fg_disabled = 0xff77767b;
		t->widget_bg = 0xff3a3a3a;
		t->widget_bg_hover = 0xff454545;
		t->widget_bg_pressed = 0xff555555;
		t->border = 0xff5e5c64;
		t->accent = 0xff3584e4;
		t->accent_fg = 0xffffffff;
		t->entry_bg = 0xff1e1e1e;
		t->selection_bg = 0xff1a5fb4;
		t->selection_fg = 0xffffffff;
		t->focus_ring = 0xff78aeed;
		t->trough = 0xff5e5c64;
		break;
	case TK_THEME_HIGH_CONTRAST:
		/* Black on white, with borders and focus that no one misses. */
		t->window_bg = 0xffffffff;
		t->fg = 0xff000000;
		t->fg_disabled = 0xff595959;
		t->widget_bg = 0xffffffff;
		t->widget_bg_hover = 0xffe0e0e0;
		t->widget_bg_pressed = 0xffc0c0c0;
		t->border = 0xff000000;
		t->accent = 0xff000000;
		t->accent_fg = 0xffffffff;
		t->entry_bg = 0xffffffff;
		t->selection_bg = 0xff000000;
		t->selection_fg = 0xffffffff;
		t->focus_ring = 0xffff8c00;
		t->trough = 0xff000000;
		t->border_width = 2;
		t->focus_width = 3;
		break;
	}
}

struct settings_parser {
	struct tk_settings *settings;
	const char *name;
	const char *pos, *end;
	int lineno;
	int errors;
	char section[64];
};

static void parser_error(struct settings_parser *p, const char *fmt, const char *arg) {
	char msg[256];
	snprintf(msg, sizeof(msg), fmt, arg);
	lumen_log(LUMEN_WARN, "%s:%d: %s (line ignored)", p->name, p->lineno, msg);
	p->errors++;
}

static bool parse_number(const char *s, double min, double max, double *out) {
	char *end = NULL;
	errno = 0;
	double v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v < min || v > max) {
		return false;
	}
	*out = v;
	return true;
}

static int handle_pair(void *user, const char *section, const char *key, const char *value) {
	struct settings_parser *p = user;
	struct tk_settings *s = p->settings;
	if (strcasecmp(section, "appearance") != 0) {
		parser_error(p, "unknown section [%s]", section);
		return 1;
	}
	double v;
	if (strcasecmp(key, "theme") == 0) {
		if (!tk_theme_kind_from_string(value, &s->theme)) {
			parser_error(p, "unknown theme '%s' (light, dark or high-contrast)", value);
		}
	} else if (strcasecmp(key, "text_scale") == 0) {
		if (parse_number(value, 0.5, 4, &v)) {
			s->text_scale = v;
		} else {
			parser_error(p, "text_scale '%s' is not a number from 0.5 to 4", value);
		}
	} else if (strcasecmp(key, "font_size") == 0) {
		if (parse_number(value, 4, 96, &v)) {
			s->font_size = v;
		} else {
			parser_error(p, "font_size '%s' is not a number from 4 to 96", value);
		}
	} else if (strcasecmp(key, "font") == 0) {
		if (strlen(value) >= sizeof(s->font)) {
			parser_error(p, "font name '%.40s...' is too long", value);
		} else {
			snprintf(s->font, sizeof(s->font), "%s", value);
		}
	} else {
		parser_error(p, "unknown key '%s'", key);
	}
	return 1;
}

/* Whether inih should see the line: blank, a comment, a section or "key = value". */
static bool check_line(struct settings_parser *p, const char *s, size_t len) {
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r')) {
		len--;
	}
	if (memchr(s, '\0', len)) {
		parser_error(p, "%s", "line contains a NUL byte");
		return false;
	}
	if (len == 0 || *s == ';' || *s == '#') {
		return true;
	}
	if (*s == '[') {
		if (s[len - 1] != ']' || len < 3) {
			parser_error(p, "%s", "malformed section header");
			return false;
		}
		return true;
	}
	const char *eq = memchr(s, '=', len);
	if (!eq || eq == s) {
		parser_error(p, "%s", "expected 'key = value'");
		return false;
	}
	return true;
}

static char *read_line(char *str, int num, void *stream) {
	struct settings_parser *p = stream;
	if (p->pos >= p->end) {
		return NULL;
	}
	const char *nl = memchr(p->pos, '\n', (size_t)(p->end - p->pos));
	const char *line_end = nl ? nl : p->end;
	const char *start = p->pos;
	p->pos = nl ? nl + 1 : p->end;
	p->lineno++;
	size_t len = (size_t)(line_end - start);
	if ((int)len >= num - 2) {
		parser_error(p, "%s", "line is too long");
		snprintf(str, (size_t)num, "\n");
		return str;
	}
	if (!check_line(p, start, len)) {
		snprintf(str, (size_t)num, "\n");
		return str;
	}
	memcpy(str, start, len);
	str[len] = '\n';
	str[len + 1] = '\0';
	return str;
}

int tk_settings_parse(struct tk_settings *settings, const char *name, const char *text,
	size_t len) {
	struct settings_parser p = {
		.settings = settings,
		.name = name,
		.pos = text,
		.end = text + len,
	};
	ini_parse_stream(read_line, &p, handle_pair, &p);
	return p.errors;
}

int tk_settings_load(struct tk_settings *settings) {
	char path[4096];
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	if (xdg && *xdg) {
		snprintf(path, sizeof(path), "%s/lumen/toolkit.ini", xdg);
	} else if (home && *home) {
		snprintf(path, sizeof(path), "%s/.config/lumen/toolkit.ini", home);
	} else {
		return 0;
	}
	FILE *f = fopen(path, "rb");
	if (!f) {
		if (errno != ENOENT) {
			lumen_log_errno(LUMEN_WARN, "cannot read %s", path);
		}
		return 0;
	}
	char *buf = NULL;
	size_t len = 0, cap = 0;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (len + n > 1 << 20) {
			lumen_log(LUMEN_WARN, "%s is larger than 1 MiB; ignored", path);
			free(buf);
			fclose(f);
			return 1;
		}
		if (len + n > cap) {
			cap = (len + n) * 2;
			char *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return 1;
			}
			buf = nb;
		}
		memcpy(buf + len, chunk, n);
		len += n;
	}
	fclose(f);
	int errors = tk_settings_parse(settings, path, buf ? buf : "", len);
	free(buf);
	return errors;
}
