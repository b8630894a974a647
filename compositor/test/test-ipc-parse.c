/*
 * Unit tests for the IPC request parser (src/ipc-json.c): good requests of every
 * command, and the bad ones a script or a hostile client may send, each of which
 * must come back as a clear error string rather than a crash. TAP output.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ipc-json.h"

static int test_no;
static int failures;

static void ok(bool cond, const char *what) {
	test_no++;
	printf("%sok %d - %s\n", cond ? "" : "not ", test_no, what);
	if (!cond) {
		failures++;
	}
}

/* Parses text (NUL-terminated) and expects success; req is the caller's to finish. */
static bool parse(const char *text, struct comp_ipc_request *req) {
	char err[256] = "";
	bool res = comp_ipc_parse_request(text, strlen(text), req, err, sizeof(err));
	if (!res) {
		printf("# '%s' failed: %s\n", text, err);
	}
	return res;
}

static void expect_error_len(const char *text, size_t len, const char *want, const char *what) {
	struct comp_ipc_request req;
	char err[256] = "";
	bool res = comp_ipc_parse_request(text, len, &req, err, sizeof(err));
	bool good = !res && strstr(err, want) != NULL;
	if (!good) {
		printf("# expected an error containing \"%s\", got %s \"%s\"\n", want,
				res ? "success" : "error", err);
	}
	if (res) {
		comp_ipc_request_finish(&req);
	}
	ok(good, what);
}

static void expect_error(const char *text, const char *want, const char *what) {
	expect_error_len(text, strlen(text), want, what);
}

static void test_simple_commands(void) {
	static const struct {
		const char *text;
		enum comp_ipc_command command;
	} cases[] = {
			{"{\"command\":\"outputs\"}", COMP_IPC_OUTPUTS},
			{"{\"command\":\"windows\"}", COMP_IPC_WINDOWS},
			{"{\"command\":\"workspaces\"}", COMP_IPC_WORKSPACES},
			{"{\"command\":\"get-layout\"}", COMP_IPC_GET_LAYOUT},
			{"{\"command\":\"reload\"}", COMP_IPC_RELOAD},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct comp_ipc_request req;
		bool res = parse(cases[i].text, &req);
		char what[128];
		snprintf(what, sizeof(what), "'%s' parses without arguments",
				comp_ipc_command_name(cases[i].command));
		ok(res && req.command == cases[i].command, what);
		if (res) {
			comp_ipc_request_finish(&req);
		}
	}
	struct comp_ipc_request req;
	bool res = parse(" \t{ \"command\" : \"windows\", \"extra\": [1, {\"x\": null}] }\r ", &req);
	ok(res && req.command == COMP_IPC_WINDOWS,
			"whitespace, a trailing CR and unknown members are accepted");
}

static void test_window_commands(void) {
	struct comp_ipc_request req;
	bool res = parse("{\"command\":\"focus\",\"id\":7}", &req);
	ok(res && req.command == COMP_IPC_FOCUS && req.id == 7, "focus takes an id");
	res = parse("{\"command\":\"close\",\"id\":18446744073709551615}", &req);
	ok(res && req.id == UINT64_MAX, "ids up to 2^64-1 are kept exactly");
	res = parse("{\"command\":\"fullscreen\",\"id\":3}", &req);
	ok(res && req.state == COMP_IPC_STATE_TOGGLE, "a missing state means toggle");
	res = parse("{\"command\":\"maximize\",\"id\":3,\"state\":\"on\"}", &req);
	ok(res && req.command == COMP_IPC_MAXIMIZE && req.state == COMP_IPC_STATE_ON, "state \"on\"");
	res = parse("{\"command\":\"minimize\",\"id\":3,\"state\":\"off\"}", &req);
	ok(res && req.state == COMP_IPC_STATE_OFF, "state \"off\"");
	res = parse("{\"command\":\"minimize\",\"id\":3,\"state\":true}", &req);
	ok(res && req.state == COMP_IPC_STATE_ON, "state true means on");
	res = parse("{\"command\":\"fullscreen\",\"id\":3,\"state\":null}", &req);
	ok(res && req.state == COMP_IPC_STATE_TOGGLE, "state null means toggle");

	expect_error("{\"command\":\"focus\"}", "missing 'id' argument", "focus without an id");
	expect_error("{\"command\":\"focus\",\"id\":\"7\"}", "'id' must be an integer, not a string",
			"a string id is a type error");
	expect_error("{\"command\":\"close\",\"id\":1.5}",
			"'id' must be an integer, not a fractional number", "a fractional id is a type error");
	expect_error("{\"command\":\"close\",\"id\":-1}", "'id' must not be negative",
			"a negative id is refused");
	expect_error("{\"command\":\"close\",\"id\":null}", "missing 'id' argument",
			"a null id counts as missing");
	expect_error("{\"command\":\"fullscreen\",\"id\":1,\"state\":\"sideways\"}",
			"'state' must be \"on\", \"off\" or \"toggle\", not \"sideways\"", "an unknown state");
	expect_error("{\"command\":\"fullscreen\",\"id\":1,\"state\":1}",
			"'state' must be \"on\", \"off\" or \"toggle\", not an integer", "a numeric state");
}

static void test_move(void) {
	struct comp_ipc_request req;
	bool res = parse("{\"command\":\"move\",\"id\":2,\"workspace\":4}", &req);
	ok(res && req.move_kind == COMP_IPC_MOVE_WORKSPACE && req.num == 4 && req.id == 2,
			"move to a workspace");
	res = parse("{\"command\":\"move\",\"id\":2,\"x\":-100,\"y\":250}", &req);
	ok(res && req.move_kind == COMP_IPC_MOVE_POSITION && req.x == -100 && req.y == 250,
			"move to a position, negative coordinates allowed");
	expect_error("{\"command\":\"move\",\"id\":2,\"workspace\":4,\"x\":1,\"y\":1}",
			"either 'workspace' or 'x' and 'y'", "move with both forms");
	expect_error("{\"command\":\"move\",\"id\":2,\"x\":1}", "needs both 'x' and 'y'",
			"move with x only");
	expect_error("{\"command\":\"move\",\"id\":2}", "needs 'workspace' or 'x' and 'y'",
			"move with no destination");
	expect_error("{\"command\":\"move\",\"id\":2,\"workspace\":0}",
			"'workspace' must be between 1 and", "move to workspace 0");
	expect_error("{\"command\":\"move\",\"id\":2,\"x\":99999999999,\"y\":0}", "'x' must be between",
			"a coordinate beyond int");
	expect_error("{\"command\":\"move\",\"id\":2,\"x\":1e3,\"y\":0}",
			"'x' must be an integer, not a fractional number", "an exponent is not an integer");
}

static void test_other_commands(void) {
	struct comp_ipc_request req;
	bool res = parse("{\"command\":\"workspace\",\"num\":3}", &req);
	ok(res && req.command == COMP_IPC_WORKSPACE && req.num == 3, "workspace takes num");
	expect_error("{\"command\":\"workspace\",\"num\":\"3\"}",
			"'num' must be an integer, not a string", "workspace with a string num");
	expect_error("{\"command\":\"workspace\"}", "missing 'num' argument", "workspace without num");
	expect_error("{\"command\":\"workspace\",\"num\":-2}", "'num' must be between 1 and",
			"a negative workspace");

	res = parse("{\"command\":\"exec\",\"cmd\":\"foot --title \\\"a b\\\" \\u00e9\"}", &req);
	ok(res && req.command == COMP_IPC_EXEC && req.str &&
					strcmp(req.str, "foot --title \"a b\" \xc3\xa9") == 0,
			"exec unescapes its command");
	if (res) {
		comp_ipc_request_finish(&req);
	}
	expect_error("{\"command\":\"exec\",\"cmd\":\"\"}", "'cmd' must not be empty",
			"exec with an empty command");
	expect_error("{\"command\":\"exec\",\"cmd\":\"foot\\u0000rm\"}",
			"'cmd' must not contain NUL characters", "exec with an escaped NUL");
	expect_error("{\"command\":\"exec\",\"cmd\":[\"foot\"]}",
			"'cmd' must be a string, not an array", "exec with an array");
	res = parse("{\"command\":\"action\",\"action\":\"workspace 3\"}", &req);
	ok(res && req.command == COMP_IPC_ACTION && req.str && strcmp(req.str, "workspace 3") == 0,
			"action keeps its text");
	if (res) {
		comp_ipc_request_finish(&req);
	}
	expect_error("{\"command\":\"action\"}", "missing 'action' argument", "action without text");

	res = parse("{\"command\":\"layout\",\"index\":1}", &req);
	ok(res && req.layout_index == 1 && !req.layout_next, "layout by index");
	res = parse("{\"command\":\"layout\",\"next\":true}", &req);
	ok(res && req.layout_next && req.layout_index == -1, "layout next");
	expect_error("{\"command\":\"layout\",\"index\":1,\"next\":true}", "either 'index' or 'next'",
			"layout with both");
	expect_error("{\"command\":\"layout\",\"next\":false}", "needs 'index' or",
			"layout next false and no index");
	expect_error("{\"command\":\"layout\",\"next\":\"yes\"}",
			"'next' must be a boolean, not a string", "layout next as a string");

	res = parse(
			"{\"command\":\"screenshot\",\"path\":\"/tmp/a.png\",\"output\":\"HEADLESS-1\"}", &req);
	ok(res && req.str && strcmp(req.str, "/tmp/a.png") == 0 && req.output &&
					strcmp(req.output, "HEADLESS-1") == 0,
			"screenshot with a path and an output");
	if (res) {
		comp_ipc_request_finish(&req);
	}
	res = parse("{\"command\":\"screenshot\",\"path\":\"/tmp/a.png\",\"output\":null}", &req);
	ok(res && req.output == NULL, "a null output means the focused one");
	if (res) {
		comp_ipc_request_finish(&req);
	}
	expect_error("{\"command\":\"screenshot\",\"path\":\"a.png\"}", "'path' must be absolute",
			"a relative screenshot path");
	expect_error(
			"{\"command\":\"screenshot\"}", "missing 'path' argument", "screenshot without a path");

	res = parse("{\"command\":\"subscribe\",\"events\":[\"window\",\"layout\",\"window\"]}", &req);
	ok(res && req.events == (COMP_IPC_EVENT_WINDOW | COMP_IPC_EVENT_LAYOUT),
			"subscribe builds a mask");
	res = parse("{\"command\":\"subscribe\",\"events\":\"output\"}", &req);
	ok(res && req.events == COMP_IPC_EVENT_OUTPUT, "subscribe to a single string");
	expect_error("{\"command\":\"subscribe\",\"events\":[]}", "'events' must not be empty",
			"subscribe to nothing");
	expect_error("{\"command\":\"subscribe\",\"events\":[\"window\",\"mouse\"]}",
			"unknown event type 'mouse'", "subscribe to an unknown event");
	expect_error("{\"command\":\"subscribe\",\"events\":[1]}",
			"'events' must hold strings, not an integer", "subscribe with a number");
	expect_error("{\"command\":\"subscribe\",\"events\":{}}",
			"'events' must be an array, not an object", "subscribe with an object");
	expect_error("{\"command\":\"subscribe\"}", "missing 'events' argument", "subscribe bare");
}

static void test_malformed(void) {
	expect_error("", "empty request", "an empty line");
	expect_error(" \t ", "empty request", "a blank line");
	expect_error("{", "invalid JSON", "an unterminated object");
	expect_error("{\"command\":\"windows\"", "invalid JSON", "a missing closing brace");
	expect_error("{\"command\":\"windows\"} x", "invalid JSON", "trailing garbage");
	expect_error("{\"command\":\"windows\"}{}", "invalid JSON", "two objects on one line");
	expect_error("{\"command\":\"windows\",}", "invalid JSON", "a trailing comma");
	expect_error("{\"command\":\"exec\",\"cmd\":\"\xff\xfe\"}", "invalid JSON", "invalid UTF-8");
	expect_error_len("{\"command\":\"windows\"}\0junk", 25, "NUL byte", "a raw NUL byte");
	expect_error("[1,2]", "request must be a JSON object, not an array", "an array");
	expect_error("null", "request must be a JSON object, not null", "null");
	expect_error("42", "request must be a JSON object, not an integer", "a number");
	expect_error("\"windows\"", "request must be a JSON object, not a string", "a string");
	expect_error("{}", "request has no 'command'", "no command");
	expect_error(
			"{\"command\":5}", "'command' must be a string, not an integer", "a numeric command");
	expect_error(
			"{\"command\":\"frobnicate\"}", "unknown command 'frobnicate'", "an unknown command");
	expect_error("{\"command\":\"windows\\u0000x\"}", "unknown command",
			"a command name with an escaped NUL");
	expect_error("{\"command\":\"Windows\"}", "unknown command 'Windows'",
			"command names are case-sensitive");

	/* Deep nesting must be refused by depth, not by exhausting the stack. */
	size_t depth = COMP_IPC_MAX_LINE;
	char *deep = malloc(depth + 1);
	memset(deep, '[', depth);
	deep[depth] = '\0';
	expect_error(deep, "invalid JSON", "65536 nested arrays");
	free(deep);
}

static void test_lengths(void) {
	/* Exactly the limit: {"command":"exec","cmd":"aaa..."} of COMP_IPC_MAX_LINE bytes. */
	const char *head = "{\"command\":\"exec\",\"cmd\":\"";
	const char *tail = "\"}";
	size_t len = COMP_IPC_MAX_LINE;
	char *line = malloc(len + 2);
	size_t fill = len - strlen(head) - strlen(tail);
	memcpy(line, head, strlen(head));
	memset(line + strlen(head), 'a', fill);
	memcpy(line + strlen(head) + fill, tail, strlen(tail));
	line[len] = 'X'; // not NUL-terminated: the parser must honour len
	struct comp_ipc_request req;
	char err[256] = "";
	bool res = comp_ipc_parse_request(line, len, &req, err, sizeof(err));
	ok(res && req.str && strlen(req.str) == fill, "a request of exactly the limit parses");
	if (res) {
		comp_ipc_request_finish(&req);
	}
	expect_error_len(line, len + 1, "request too long (65537 bytes, the limit is 65536)",
			"one byte over the limit is refused");
	free(line);

	char small[] = "{\"command\":\"outputs\"}GARBAGE";
	res = comp_ipc_parse_request(small, strlen(small) - 7, &req, err, sizeof(err));
	ok(res && req.command == COMP_IPC_OUTPUTS, "bytes past len are not read");
}

static void test_helpers(void) {
	bool all = true;
	for (int i = 0; i < COMP_IPC_COMMAND_COUNT; i++) {
		const char *name = comp_ipc_command_name((enum comp_ipc_command)i);
		char text[128];
		snprintf(text, sizeof(text), "{\"command\":\"%s\"}", name ? name : "");
		struct comp_ipc_request req;
		char err[256] = "";
		/* Every command is known: a failure must be about arguments, not the name. */
		if (comp_ipc_parse_request(text, strlen(text), &req, err, sizeof(err))) {
			all = all && req.command == (enum comp_ipc_command)i;
			comp_ipc_request_finish(&req);
		} else {
			all = all && name && strstr(err, "unknown command") == NULL && err[0];
		}
	}
	ok(all, "every command name round-trips through the parser");
	ok(comp_ipc_command_name(COMP_IPC_COMMAND_COUNT) == NULL, "command_name out of range");
	ok(comp_ipc_event_from_name("workspace") == COMP_IPC_EVENT_WORKSPACE &&
					comp_ipc_event_from_name("Window") == 0,
			"event_from_name");

	char *line = comp_ipc_error_line("bad \"quote\" \\ and /slash\n");
	size_t len = line ? strlen(line) : 0;
	struct json_object *obj = line ? json_tokener_parse(line) : NULL;
	struct json_object *success = NULL, *error = NULL;
	bool good = line && len > 0 && line[len - 1] == '\n' && memchr(line, '\n', len - 1) == NULL &&
			obj && json_object_object_get_ex(obj, "success", &success) &&
			!json_object_get_boolean(success) && json_object_object_get_ex(obj, "error", &error) &&
			strcmp(json_object_get_string(error), "bad \"quote\" \\ and /slash\n") == 0;
	ok(good, "error_line escapes the message and is one line");
	json_object_put(obj);
	free(line);

	ok(comp_ipc_utf8_prefix("\xc3\xa9\xc3\xa9", 3) == 2 && comp_ipc_utf8_prefix("abc", 2) == 2 &&
					comp_ipc_utf8_prefix("ab", 64) == 2 &&
					comp_ipc_utf8_prefix("\xe2\x82\xac", 2) == 0,
			"utf8_prefix never cuts a character in half");
	ok(comp_ipc_utf8_valid("caf\xc3\xa9 \xf0\x9f\x99\x82") && !comp_ipc_utf8_valid("caf\xe9") &&
					!comp_ipc_utf8_valid("\xc0\xaf") && !comp_ipc_utf8_valid("\xed\xa0\x80") &&
					!comp_ipc_utf8_valid("\xf4\x90\x80\x80") && !comp_ipc_utf8_valid("\xe2\x82"),
			"utf8_valid rejects Latin-1, overlongs, surrogates, > U+10FFFF and truncation");
	char *clean = comp_ipc_utf8_dup("caf\xe9 \xc3\xa9\xff");
	ok(clean && strcmp(clean, "caf\xef\xbf\xbd \xc3\xa9\xef\xbf\xbd") == 0,
			"utf8_dup replaces bad bytes with U+FFFD and keeps good ones");
	free(clean);
	line = comp_ipc_error_line("no window titled \xe9t\xe9");
	ok(line && strstr(line, "\xef\xbf\xbd") && comp_ipc_utf8_valid(line),
			"error_line makes an ill-formed message valid UTF-8");
	free(line);
	expect_error(
			"{\"command\":\"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
			"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
			"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9x\"}",
			"unknown command '\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
			"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
			"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
			"\xc3\xa9\xc3\xa9\xc3\xa9'",
			"a long unknown command is quoted whole characters only");
}

int main(void) {
	test_simple_commands();
	test_window_commands();
	test_move();
	test_other_commands();
	test_malformed();
	test_lengths();
	test_helpers();
	printf("1..%d\n", test_no);
	return failures ? 1 : 0;
}
