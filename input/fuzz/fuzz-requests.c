/*
 * libFuzzer target for inputd's request handlers: the input is what one client writes
 * to its socket (after one byte of setup, see fuzz-server.h), fed to a fresh server
 * through a socketpair while a bystander holds a virtual keyboard with a key down and,
 * as the setup byte says, is the seat master (the fuzzed client's frames then go
 * through the queues to it) or leaves that role to the fuzzed client. A protocol error only disconnects the fuzzed client; the
 * server must survive, keep the bystander, and free everything when destroyed
 * (LeakSanitizer checks).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wayland-server-core.h>
#include "common/log.h"
#include "fuzz-server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_client {
	struct wl_listener destroy;
	bool gone;
};

static void handle_client_destroy(struct wl_listener *listener, void *data) {
	struct fuzz_client *fc = wl_container_of(listener, fc, destroy);
	fc->gone = true;
	wl_list_remove(&fc->destroy.link);
}

static void drain(int fd) {
	char buf[4096];
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0) {
	}
}

static int bystander_fd = -1;

static void turn(struct input_server *server, int client_fd, int timeout_ms) {
	wl_event_loop_dispatch(input_server_get_event_loop(server), timeout_ms);
	wl_display_flush_clients(input_server_get_display(server));
	drain(client_fd);
	drain(bystander_fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	static bool init;
	if (!init) {
		lumen_log_init(LUMEN_SILENT);
		lumen_log_route_wayland_server(); // protocol errors are expected: keep them quiet
		init = true;
	}
	struct input_server *server = fuzz_server_create();
	if (!server) {
		abort(); // not the input's fault: the fuzzer itself is broken
	}
	int sv[2], bystander[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0 ||
			socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, bystander) != 0) {
		abort();
	}
	struct wl_client *other = input_server_add_client(server, bystander[0]);
	struct wl_client *client = input_server_add_client(server, sv[0]);
	if (!client || !other) {
		abort();
	}
	struct fuzz_client fc = {.destroy.notify = handle_client_destroy};
	wl_client_add_destroy_listener(client, &fc.destroy);
	struct fuzz_client fo = {.destroy.notify = handle_client_destroy};
	wl_client_add_destroy_listener(other, &fo.destroy);
	bystander_fd = bystander[1];
	bool bystander_master = size > 0 && (data[0] & FUZZ_BYSTANDER_MASTER);
	uint8_t setup[256];
	size_t setup_len = fuzz_bystander_requests(setup, bystander_master);
	if (send(bystander[1], setup, setup_len, MSG_NOSIGNAL) != (ssize_t)setup_len) {
		abort();
	}
	turn(server, sv[1], 0);
	if (bystander_master != (input_server_get_master(server) == other)) {
		abort(); // the bystander's requests are wrong: the fuzzer is broken
	}

	size_t pos = size > 0 ? 1 : 0;
	while (pos < size && !fc.gone) {
		size_t len = size - pos < 4096 ? size - pos : 4096;
		ssize_t n = send(sv[1], data + pos, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			break;
		}
		if (n > 0) {
			pos += (size_t)n;
		}
		turn(server, sv[1], 0);
	}
	turn(server, sv[1], 0);
	turn(server, sv[1], 0);
	if (!fc.gone) {
		wl_list_remove(&fc.destroy.link);
		wl_client_destroy(client);
	}
	turn(server, sv[1], 0);
	if (fo.gone) {
		abort(); // the fuzzed client's requests disconnected another client
	}
	wl_list_remove(&fo.destroy.link);
	input_server_destroy(server);
	close(sv[1]);
	close(bystander[1]);
	return 0;
}
