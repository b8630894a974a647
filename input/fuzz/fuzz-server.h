#ifndef INPUT_FUZZ_SERVER_H
#define INPUT_FUZZ_SERVER_H

/*
 * Shared by the fuzzer and the seed recorder: the server as the fuzzer runs it (no
 * socket, no libinput). An input is one setup byte (FUZZ_BYSTANDER_MASTER: the other
 * client is the seat master), then the bytes one client writes to its socket; the
 * protocol passes no fds.
 */

#define FUZZ_BYSTANDER_MASTER 1

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "input/server.h"

static inline struct input_server *fuzz_server_create(void) {
	struct input_server_options options = {.no_socket = true, .no_libinput = true};
	return input_server_create(&options);
}

/* The bystander's requests, as libwayland would write them: get the registry (id 2),
 * bind lumen_input_v1 (global name 1) as id 3, become_master, and create a keyboard
 * (id 4). */
static inline size_t fz_put_u32(uint8_t *buf, size_t pos, uint32_t v) {
	memcpy(buf + pos, &v, 4);
	return pos + 4;
}
static inline size_t fz_put_string(uint8_t *buf, size_t pos, const char *s) {
	uint32_t len = (uint32_t)strlen(s) + 1;
	pos = fz_put_u32(buf, pos, len);
	memset(buf + pos, 0, (len + 3) & ~3u);
	memcpy(buf + pos, s, len);
	return pos + ((len + 3) & ~3u);
}
static inline size_t fz_begin(uint8_t *buf, size_t pos, uint32_t id, uint16_t opcode) {
	pos = fz_put_u32(buf, pos, id);
	return fz_put_u32(buf, pos, opcode); // size patched by fz_end()
}
static inline size_t fz_end(uint8_t *buf, size_t start, size_t pos) {
	uint32_t word = (uint32_t)(pos - start) << 16 | (buf[start + 4] | buf[start + 5] << 8);
	memcpy(buf + start + 4, &word, 4);
	return pos;
}
static inline size_t fuzz_bystander_requests(uint8_t *buf, bool master) {
	size_t pos = 0, s;
	s = pos; // wl_display.get_registry(new_id 2)
	pos = fz_put_u32(buf, fz_begin(buf, pos, 1, 1), 2);
	pos = fz_end(buf, s, pos);
	s = pos; // wl_registry.bind(1, "lumen_input_v1", 1, new_id 3)
	pos = fz_put_u32(buf, fz_begin(buf, pos, 2, 0), 1);
	pos = fz_put_string(buf, pos, "lumen_input_v1");
	pos = fz_put_u32(buf, pos, 1);
	pos = fz_put_u32(buf, pos, 3);
	pos = fz_end(buf, s, pos);
	if (master) {
		s = pos; // lumen_input_v1.become_master
		pos = fz_end(buf, s, fz_begin(buf, pos, 3, 1));
	}
	s = pos; // lumen_input_v1.create_virtual_device(4, keyboard, "bystander", 0, 0, 0, 0)
	pos = fz_put_u32(buf, fz_begin(buf, pos, 3, 2), 4);
	pos = fz_put_u32(buf, pos, 0);
	pos = fz_put_string(buf, pos, "bystander");
	for (int i = 0; i < 4; i++) {
		pos = fz_put_u32(buf, pos, 0);
	}
	pos = fz_end(buf, s, pos);
	s = pos; // lumen_input_virtual_device_v1.key(KEY_A, 1), then frame
	pos = fz_put_u32(buf, fz_put_u32(buf, fz_begin(buf, pos, 4, 1), 30), 1);
	pos = fz_end(buf, s, pos);
	s = pos;
	pos = fz_end(buf, s, fz_begin(buf, pos, 4, 5));
	return pos;
}

#endif
