#ifndef DS_FUZZ_SERVER_H
#define DS_FUZZ_SERVER_H

/*
 * Shared by the fuzzer and the seed recorder, so the seeds' buffers fit the fuzzed
 * server's outputs: one small virtual output with a 1 ms vblank, so that a frame is
 * latched within the fuzzer's short wait, and small hotplugged outputs.
 *
 * An input is: one byte, the number of fds (mod 9); per fd one kind byte and a
 * little-endian u16 size in units of 4 bytes; then the bytes a client writes to its
 * socket. The fds all go with the first bytes; the server takes them in order.
 */

#include "display-server/server.h"

#define FUZZ_WIDTH 64
#define FUZZ_HEIGHT 48
#define FUZZ_REFRESH 1000000 // mHz: a 1 ms vblank
#define FUZZ_MAX_FDS 8

enum fuzz_fd_kind {
	FUZZ_FD_MEMFD = 0, // of the given size
	FUZZ_FD_PIPE = 1, // the read end of an empty pipe
	FUZZ_FD_DEVNULL = 2,
	FUZZ_FD_KINDS = 3,
};

static inline struct ds_server *fuzz_server_create(void) {
	static const struct ds_virtual_mode mode = {FUZZ_WIDTH, FUZZ_HEIGHT, FUZZ_REFRESH};
	struct ds_server_options options = {
		.no_socket = true,
		.virtual_modes = &mode,
		.n_virtual_modes = 1,
		.restart_frame_after_ms = 1,
		.virtual_max_size = 128,
	};
	return ds_server_create(&options);
}

#endif
