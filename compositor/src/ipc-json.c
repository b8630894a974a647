#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ipc-json.h"

static const char *const command_names[COMP_IPC_COMMAND_COUNT] = {
		[COMP_IPC_OUTPUTS] = "outputs",
		[COMP_IPC_WINDOWS] = "windows",
		[COMP_IPC_WORKSPACES] = "workspaces",
		[COMP_IPC_FOCUS] = "focus",
		[COMP_IPC_CLOSE] = "close",
		[COMP_IPC_FULLSCREEN] = "fullscreen",
		[COMP_IPC_MAXIMIZE] = "maximize",
		[COMP_IPC_MINIMIZE] = "minimize",
		[COMP_IPC_MOVE] = "move",
		[COMP_IPC_WORKSPACE] = "workspace",
		[COMP_IPC_EXEC] = "exec",
		[COMP_IPC_ACTION] = "action",
		[COMP_IPC_LAYOUT] = "layout",
		[COMP_IPC_GET_LAYOUT] = "get-layout",
		[COMP_IPC_RELOAD] = "reload",
		[COMP_IPC_SCREENSHOT] = "screenshot",
		[COMP_IPC_SUBSCRIBE] = "subscribe",
};

static const struct {
	const char *name;
	uint32_t bit;
} event_names[] = {
		{"window", COMP_IPC_EVENT_WINDOW},
		{"workspace", COMP_IPC_EVENT_WORKSPACE},
		{"layout", COMP_IPC_EVENT_LAYOUT},
		{"output", COMP_IPC_EVENT_OUTPUT},
};

const char *comp_ipc_command_name(enum comp_ipc_command command) {
	if ((int)command < 0 || command >= COMP_IPC_COMMAND_COUNT) {
		return NULL;
	}
	return command_names[command];
}

uint32_t comp_ipc_event_from_name(const char *name) {
	for (size_t i = 0; i < sizeof(event_names) / sizeof(event_names[0]); i++) {
		if (strcmp(name, event_names[i].name) == 0) {
			return event_names[i].bit;
		}
	}
	return 0;
}

int comp_ipc_utf8_prefix(const char *s, int max) {
	size_t n = strnlen(s, (size_t)max);
	if (n < (size_t)max) {
		return (int)n;
	}
	/* s[n] is the first byte left out; while it continues a character, drop that character. */
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80) {
		n--;
	}
	return (int)n;
}

/* The length of the well-formed UTF-8 sequence at s, or 0 if it is ill-formed. */
static size_t utf8_sequence(const unsigned char *s) {
	if (s[0] < 0x80) {
		return 1;
	}
	size_t len;
	uint32_t min, cp;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2, min = 0x80, cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3, min = 0x800, cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4, min = 0x10000, cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < len; i++) {
		/* The NUL terminator is not a continuation byte, so this never reads past it. */
		if ((s[i] & 0xc0) != 0x80) {
			return 0;
		}
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
		return 0;
	}
	return len;
}

bool comp_ipc_utf8_valid(const char *s) {
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		size_t n = utf8_sequence(p);
		if (n == 0) {
			return false;
		}
		p += n;
	}
	return true;
}

char *comp_ipc_utf8_dup(const char *s) {
	size_t len = strlen(s);
	/* Each bad byte becomes 3 bytes at most. */
	if (len > (SIZE_MAX - 1) / 3) {
		return NULL;
	}
	char *out = malloc(len * 3 + 1);
	if (!out) {
		return NULL;
	}
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;
	while (*p) {
		size_t n = utf8_sequence(p);
		if (n == 0) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			p++;
		} else {
			memcpy(out + o, p, n);
			o += n;
			p += n;
		}
	}
	out[o] = '\0';
	return out;
}

/* Type names as a person reads them in an error message. */
static const char *type_phrase(enum json_type type) {
	switch (type) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
		return "a fractional number";
	case json_type_int:
		return "an integer";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "of an unknown type";
}

/*
 * Looks key up in root. A member that is absent or null counts as absent, so that
 * clients may write "output": null for "the default". Returns false (with err set)
 * when it is required and absent, or present with another type.
 */
static bool get_member(struct json_object *root, const char *key, enum json_type type,
		bool required, struct json_object **out, char *err, size_t errlen) {
	struct json_object *val = NULL;
	if (!json_object_object_get_ex(root, key, &val) || json_object_is_type(val, json_type_null)) {
		*out = NULL;
		if (required) {
			snprintf(err, errlen, "missing '%s' argument", key);
			return false;
		}
		return true;
	}
	if (!json_object_is_type(val, type)) {
		snprintf(err, errlen, "'%s' must be %s, not %s", key, type_phrase(type),
				type_phrase(json_object_get_type(val)));
		return false;
	}
	*out = val;
	return true;
}

static bool get_int(struct json_object *root, const char *key, long long min, long long max,
		bool required, bool *present, int *out, char *err, size_t errlen) {
	struct json_object *val;
	if (!get_member(root, key, json_type_int, required, &val, err, errlen)) {
		return false;
	}
	if (present) {
		*present = val != NULL;
	}
	if (!val) {
		return true;
	}
	/* json-c saturates out-of-range integers to INT64_MIN/MAX, which the range catches. */
	int64_t v = json_object_get_int64(val);
	if (v < min || v > max) {
		snprintf(err, errlen, "'%s' must be between %lld and %lld", key, min, max);
		return false;
	}
	*out = (int)v;
	return true;
}

static bool get_id(struct json_object *root, uint64_t *id, char *err, size_t errlen) {
	struct json_object *val;
	if (!get_member(root, "id", json_type_int, true, &val, err, errlen)) {
		return false;
	}
	if (json_object_get_int64(val) < 0) {
		snprintf(err, errlen, "'id' must not be negative");
		return false;
	}
	/* get_uint64, not get_int64: ids above INT64_MAX are still ids. */
	*id = json_object_get_uint64(val);
	return true;
}

/* A string argument copied to the heap; NUL characters would silently cut it short. */
static bool get_string(struct json_object *root, const char *key, bool required, char **out,
		char *err, size_t errlen) {
	struct json_object *val;
	*out = NULL;
	if (!get_member(root, key, json_type_string, required, &val, err, errlen)) {
		return false;
	}
	if (!val) {
		return true;
	}
	const char *s = json_object_get_string(val);
	size_t len = (size_t)json_object_get_string_len(val);
	if (len == 0) {
		snprintf(err, errlen, "'%s' must not be empty", key);
		return false;
	}
	if (strlen(s) != len) {
		snprintf(err, errlen, "'%s' must not contain NUL characters", key);
		return false;
	}
	*out = strdup(s);
	if (!*out) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	return true;
}

static bool get_state(
		struct json_object *root, enum comp_ipc_state *state, char *err, size_t errlen) {
	struct json_object *val = NULL;
	*state = COMP_IPC_STATE_TOGGLE;
	if (!json_object_object_get_ex(root, "state", &val) ||
			json_object_is_type(val, json_type_null)) {
		return true;
	}
	/* A boolean is the obvious other spelling of on/off; take it too. */
	if (json_object_is_type(val, json_type_boolean)) {
		*state = json_object_get_boolean(val) ? COMP_IPC_STATE_ON : COMP_IPC_STATE_OFF;
		return true;
	}
	if (!json_object_is_type(val, json_type_string)) {
		snprintf(err, errlen, "'state' must be \"on\", \"off\" or \"toggle\", not %s",
				type_phrase(json_object_get_type(val)));
		return false;
	}
	const char *s = json_object_get_string(val);
	if (strcmp(s, "on") == 0) {
		*state = COMP_IPC_STATE_ON;
	} else if (strcmp(s, "off") == 0) {
		*state = COMP_IPC_STATE_OFF;
	} else if (strcmp(s, "toggle") == 0) {
		*state = COMP_IPC_STATE_TOGGLE;
	} else {
		snprintf(err, errlen, "'state' must be \"on\", \"off\" or \"toggle\", not \"%.*s\"",
				comp_ipc_utf8_prefix(s, 32), s);
		return false;
	}
	return true;
}

static bool parse_move(
		struct json_object *root, struct comp_ipc_request *req, char *err, size_t errlen) {
	bool has_ws, has_x, has_y;
	if (!get_id(root, &req->id, err, errlen) ||
			!get_int(root, "workspace", 1, INT_MAX, false, &has_ws, &req->num, err, errlen) ||
			!get_int(root, "x", INT_MIN, INT_MAX, false, &has_x, &req->x, err, errlen) ||
			!get_int(root, "y", INT_MIN, INT_MAX, false, &has_y, &req->y, err, errlen)) {
		return false;
	}
	if (has_ws && (has_x || has_y)) {
		snprintf(err, errlen, "'move' takes either 'workspace' or 'x' and 'y', not both");
		return false;
	}
	if (has_ws) {
		req->move_kind = COMP_IPC_MOVE_WORKSPACE;
		return true;
	}
	if (!has_x && !has_y) {
		snprintf(err, errlen, "'move' needs 'workspace' or 'x' and 'y'");
		return false;
	}
	if (!has_x || !has_y) {
		snprintf(err, errlen, "'move' needs both 'x' and 'y'");
		return false;
	}
	req->move_kind = COMP_IPC_MOVE_POSITION;
	return true;
}

static bool parse_layout(
		struct json_object *root, struct comp_ipc_request *req, char *err, size_t errlen) {
	bool has_index;
	struct json_object *next;
	if (!get_int(root, "index", 0, INT_MAX, false, &has_index, &req->layout_index, err, errlen) ||
			!get_member(root, "next", json_type_boolean, false, &next, err, errlen)) {
		return false;
	}
	req->layout_next = next && json_object_get_boolean(next);
	if (has_index && req->layout_next) {
		snprintf(err, errlen, "'layout' takes either 'index' or 'next', not both");
		return false;
	}
	if (!has_index && !req->layout_next) {
		snprintf(err, errlen, "'layout' needs 'index' or \"next\": true");
		return false;
	}
	if (req->layout_next) {
		req->layout_index = -1;
	}
	return true;
}

static bool add_event(
		struct comp_ipc_request *req, struct json_object *name, char *err, size_t errlen) {
	if (!json_object_is_type(name, json_type_string)) {
		snprintf(err, errlen, "'events' must hold strings, not %s",
				type_phrase(json_object_get_type(name)));
		return false;
	}
	const char *s = json_object_get_string(name);
	uint32_t bit = comp_ipc_event_from_name(s);
	if (!bit || strlen(s) != (size_t)json_object_get_string_len(name)) {
		snprintf(err, errlen,
				"unknown event type '%.*s' (expected window, workspace, "
				"layout or output)",
				comp_ipc_utf8_prefix(s, 32), s);
		return false;
	}
	req->events |= bit;
	return true;
}

static bool parse_subscribe(
		struct json_object *root, struct comp_ipc_request *req, char *err, size_t errlen) {
	struct json_object *events = NULL;
	if (!json_object_object_get_ex(root, "events", &events) ||
			json_object_is_type(events, json_type_null)) {
		snprintf(err, errlen, "missing 'events' argument");
		return false;
	}
	/* A lone string is taken as a list of one. */
	if (json_object_is_type(events, json_type_string)) {
		return add_event(req, events, err, errlen);
	}
	if (!json_object_is_type(events, json_type_array)) {
		snprintf(err, errlen, "'events' must be an array, not %s",
				type_phrase(json_object_get_type(events)));
		return false;
	}
	size_t n = json_object_array_length(events);
	if (n == 0) {
		snprintf(err, errlen, "'events' must not be empty");
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (!add_event(req, json_object_array_get_idx(events, i), err, errlen)) {
			return false;
		}
	}
	return true;
}

static bool parse_args(
		struct json_object *root, struct comp_ipc_request *req, char *err, size_t errlen) {
	switch (req->command) {
	case COMP_IPC_OUTPUTS:
	case COMP_IPC_WINDOWS:
	case COMP_IPC_WORKSPACES:
	case COMP_IPC_GET_LAYOUT:
	case COMP_IPC_RELOAD:
		return true;
	case COMP_IPC_FOCUS:
	case COMP_IPC_CLOSE:
		return get_id(root, &req->id, err, errlen);
	case COMP_IPC_FULLSCREEN:
	case COMP_IPC_MAXIMIZE:
	case COMP_IPC_MINIMIZE:
		return get_id(root, &req->id, err, errlen) && get_state(root, &req->state, err, errlen);
	case COMP_IPC_MOVE:
		return parse_move(root, req, err, errlen);
	case COMP_IPC_WORKSPACE:
		return get_int(root, "num", 1, INT_MAX, true, NULL, &req->num, err, errlen);
	case COMP_IPC_EXEC:
		return get_string(root, "cmd", true, &req->str, err, errlen);
	case COMP_IPC_ACTION:
		return get_string(root, "action", true, &req->str, err, errlen);
	case COMP_IPC_LAYOUT:
		return parse_layout(root, req, err, errlen);
	case COMP_IPC_SCREENSHOT:
		if (!get_string(root, "path", true, &req->str, err, errlen) ||
				!get_string(root, "output", false, &req->output, err, errlen)) {
			return false;
		}
		/* The compositor's working directory is not the client's. */
		if (req->str[0] != '/') {
			snprintf(err, errlen, "'path' must be absolute");
			return false;
		}
		return true;
	case COMP_IPC_SUBSCRIBE:
		return parse_subscribe(root, req, err, errlen);
	case COMP_IPC_COMMAND_COUNT:
		break;
	}
	snprintf(err, errlen, "internal error: command %d has no parser", (int)req->command);
	return false;
}

static bool is_blank(const char *s, size_t len) {
	for (size_t i = 0; i < len; i++) {
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') {
			return false;
		}
	}
	return true;
}

static struct json_object *parse_json(const char *line, size_t len, char *err, size_t errlen) {
	/*
	 * json-c stops at a NUL and would take "{}\0junk" for "{}"; and it needs the
	 * terminating NUL to know that a number or literal at the very end is complete.
	 */
	if (memchr(line, '\0', len)) {
		snprintf(err, errlen, "request contains a NUL byte");
		return NULL;
	}
	char *copy = malloc(len + 1);
	struct json_tokener *tok = json_tokener_new();
	if (!copy || !tok) {
		free(copy);
		if (tok) {
			json_tokener_free(tok);
		}
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	memcpy(copy, line, len);
	copy[len] = '\0';
	/* Strict: no trailing garbage or commas. UTF-8 checked so replies stay valid. */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	struct json_object *root = json_tokener_parse_ex(tok, copy, (int)len + 1);
	if (!root) {
		enum json_tokener_error jerr = json_tokener_get_error(tok);
		if (jerr == json_tokener_continue || jerr == json_tokener_success) {
			/* Only "null" parses to NULL with success. */
			snprintf(err, errlen,
					jerr == json_tokener_success ? "request must be a JSON object, not null"
												 : "invalid JSON: unexpected end of data");
		} else {
			snprintf(err, errlen, "invalid JSON at byte %zu: %s", json_tokener_get_parse_end(tok),
					json_tokener_error_desc(jerr));
		}
	}
	json_tokener_free(tok);
	free(copy);
	return root;
}

bool comp_ipc_parse_request(
		const char *line, size_t len, struct comp_ipc_request *req, char *err, size_t errlen) {
	memset(req, 0, sizeof(*req));
	if (len > COMP_IPC_MAX_LINE) {
		snprintf(err, errlen, "request too long (%zu bytes, the limit is %d)", len,
				COMP_IPC_MAX_LINE);
		return false;
	}
	if (is_blank(line, len)) {
		snprintf(err, errlen, "empty request");
		return false;
	}
	struct json_object *root = parse_json(line, len, err, errlen);
	if (!root) {
		return false;
	}
	bool ok = false;
	struct json_object *cmd;
	if (!json_object_is_type(root, json_type_object)) {
		snprintf(err, errlen, "request must be a JSON object, not %s",
				type_phrase(json_object_get_type(root)));
		goto out;
	}
	if (!json_object_object_get_ex(root, "command", &cmd)) {
		snprintf(err, errlen, "request has no 'command'");
		goto out;
	}
	if (!json_object_is_type(cmd, json_type_string)) {
		snprintf(err, errlen, "'command' must be a string, not %s",
				type_phrase(json_object_get_type(cmd)));
		goto out;
	}
	const char *name = json_object_get_string(cmd);
	int found = -1;
	for (int i = 0; i < COMP_IPC_COMMAND_COUNT; i++) {
		if (strcmp(name, command_names[i]) == 0) {
			found = i;
			break;
		}
	}
	if (found < 0 || strlen(name) != (size_t)json_object_get_string_len(cmd)) {
		snprintf(err, errlen, "unknown command '%.*s'", comp_ipc_utf8_prefix(name, 64), name);
		goto out;
	}
	req->command = (enum comp_ipc_command)found;
	ok = parse_args(root, req, err, errlen);
	if (!ok) {
		comp_ipc_request_finish(req);
	}
out:
	json_object_put(root);
	return ok;
}

void comp_ipc_request_finish(struct comp_ipc_request *req) {
	free(req->str);
	free(req->output);
	req->str = NULL;
	req->output = NULL;
}

char *comp_ipc_error_line(const char *message) {
	struct json_object *obj = json_object_new_object();
	if (!obj) {
		return NULL;
	}
	char *line = NULL;
	/* Messages may quote what a client or the core handed us; keep the reply UTF-8. */
	char *clean = comp_ipc_utf8_valid(message) ? NULL : comp_ipc_utf8_dup(message);
	struct json_object *success = json_object_new_boolean(false);
	struct json_object *error = json_object_new_string(clean ? clean : message);
	free(clean);
	if (json_object_object_add(obj, "success", success) != 0) {
		json_object_put(success);
		json_object_put(error);
		goto out;
	}
	if (json_object_object_add(obj, "error", error) != 0) {
		json_object_put(error);
		goto out;
	}
	size_t len;
	const char *s = json_object_to_json_string_length(
			obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	if (!s) {
		goto out;
	}
	line = malloc(len + 2);
	if (line) {
		memcpy(line, s, len);
		line[len] = '\n';
		line[len + 1] = '\0';
	}
out:
	json_object_put(obj);
	return line;
}
