/*
 * libFuzzer target for the IPC request parser. The input is treated as what a client
 * writes to the socket: split at newlines the way ipc.c does, each line parsed on its
 * own; the whole input is also parsed as one line, which reaches the length limit.
 * Beyond "does not crash", it checks what ipc.c relies on: a successful parse yields
 * a command in range with its required strings present, and a failed one leaves a
 * non-empty message that makes a valid one-line error reply.
 */
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ipc-json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *line, size_t len) {
	struct comp_ipc_request req;
	char err[256];
	memset(err, 0, sizeof(err));
	if (comp_ipc_parse_request(line, len, &req, err, sizeof(err))) {
		if (!comp_ipc_command_name(req.command)) {
			abort();
		}
		switch (req.command) {
		case COMP_IPC_EXEC:
		case COMP_IPC_ACTION:
			if (!req.str || !req.str[0]) {
				abort();
			}
			break;
		case COMP_IPC_SCREENSHOT:
			if (!req.str || req.str[0] != '/' || (req.output && !req.output[0])) {
				abort();
			}
			break;
		case COMP_IPC_SUBSCRIBE:
			if (req.events == 0) {
				abort();
			}
			break;
		case COMP_IPC_WORKSPACE:
			if (req.num < 1) {
				abort();
			}
			break;
		case COMP_IPC_LAYOUT:
			if (req.layout_next ? req.layout_index != -1 : req.layout_index < 0) {
				abort();
			}
			break;
		default:
			break;
		}
		comp_ipc_request_finish(&req);
		return;
	}
	if (!err[0] || !memchr(err, '\0', sizeof(err))) {
		abort();
	}
	char *reply = comp_ipc_error_line(err);
	if (!reply) {
		return; // out of memory is allowed here
	}
	size_t rlen = strlen(reply);
	if (rlen == 0 || reply[rlen - 1] != '\n' || memchr(reply, '\n', rlen - 1)) {
		abort();
	}
	/* The reply must parse back, strictly: a client has to be able to read its error. */
	struct json_tokener *tok = json_tokener_new();
	if (!tok) {
		free(reply);
		return;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	struct json_object *obj = json_tokener_parse_ex(tok, reply, (int)rlen + 1);
	if (!obj || !json_object_is_type(obj, json_type_object)) {
		abort();
	}
	json_object_put(obj);
	json_tokener_free(tok);
	free(reply);
}

/* Client titles go through utf8_dup into replies; whatever comes out must be valid. */
static void check_utf8(const uint8_t *data, size_t size) {
	char *s = malloc(size + 1);
	if (!s) {
		return;
	}
	memcpy(s, data, size);
	s[size] = '\0';
	char *clean = comp_ipc_utf8_dup(s);
	if (clean) {
		if (!comp_ipc_utf8_valid(clean)) {
			abort();
		}
		/* Valid input comes back unchanged (up to its first NUL). */
		if (comp_ipc_utf8_valid(s) && strcmp(s, clean) != 0) {
			abort();
		}
		int n = comp_ipc_utf8_prefix(clean, (int)(size % 97));
		if (n < 0 || (size_t)n > strlen(clean) || ((unsigned char)clean[n] & 0xc0) == 0x80) {
			abort();
		}
	}
	free(clean);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	const char *buf = (const char *)data;
	size_t start = 0;
	while (start < size) {
		const char *nl = memchr(buf + start, '\n', size - start);
		size_t len = nl ? (size_t)(nl - (buf + start)) : size - start;
		check(buf + start, len);
		start += len + 1;
	}
	check(buf, size);
	check_utf8(data, size);
	return 0;
}
