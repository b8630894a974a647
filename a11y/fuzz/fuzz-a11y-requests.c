/*
 * libFuzzer target for lumen-a11yd's request handlers: the input is what one client
 * writes to its socket (the first byte's low bit: whether it came through the trusted
 * socket), fed to a fresh server through a socketpair, while a well-behaved trusted
 * bystander (a consumer subscribed to everything, and a provider with a small tree) is
 * connected too. A protocol error only disconnects the fuzzed client; the server must
 * survive, keep the bystander, and free everything (LeakSanitizer checks).
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
#include "a11y/server.h"
#include "common/log.h"

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

/* Wire encoding of one request: object, opcode, then words (ints) and strings. */
struct msg {
	uint32_t words[256];
	size_t n;
};

static void put(struct msg *m, uint32_t w) {
	if (m->n < 256) {
		m->words[m->n++] = w;
	}
}

static void put_str(struct msg *m, const char *s) {
	uint32_t len = (uint32_t)strlen(s) + 1;
	put(m, len);
	uint32_t word = 0;
	for (uint32_t i = 0; i < len; i++) {
		word |= (uint32_t)(uint8_t)s[i] << (8 * (i % 4));
		if (i % 4 == 3 || i + 1 == len) {
			put(m, word);
			word = 0;
		}
	}
}

static void send_msg(int fd, uint32_t object, uint16_t opcode, const struct msg *args) {
	uint32_t out[258];
	out[0] = object;
	out[1] = (uint32_t)((args->n + 2) * 4) << 16 | opcode;
	memcpy(out + 2, args->words, args->n * 4);
	if (send(fd, out, (args->n + 2) * 4, MSG_NOSIGNAL) < 0) {
		abort();
	}
}

/* The bystander: registry 2, bus 3, consumer 4 (all events), provider 5 with a tree. */
static void bystander_hello(int fd) {
	struct msg m = {0};
	put(&m, 2);
	send_msg(fd, 1, 1, &m); // wl_display.get_registry
	m.n = 0;
	put(&m, 1);
	put_str(&m, "lumen_a11y_v1");
	put(&m, 1);
	put(&m, 3);
	send_msg(fd, 2, 0, &m); // wl_registry.bind
	m.n = 0;
	put(&m, 4);
	send_msg(fd, 3, 2, &m); // create_consumer
	m.n = 0;
	put(&m, 0x1f);
	send_msg(fd, 4, 1, &m); // subscribe
	m.n = 0;
	put(&m, 5);
	put_str(&m, "bystander");
	send_msg(fd, 3, 1, &m); // create_provider
	m.n = 0;
	put(&m, 1);
	put(&m, 23);
	put(&m, 0);
	put_str(&m, "Bystander");
	put_str(&m, "");
	send_msg(fd, 5, 2, &m); // node 1 frame
	m.n = 0;
	put(&m, 1);
	put(&m, 1);
	send_msg(fd, 5, 9, &m); // commit root 1 focus 1
}

static void turn(struct a11y_server *server, int client_fd, int bystander_fd) {
	wl_event_loop_dispatch(a11y_server_get_event_loop(server), 0);
	wl_display_flush_clients(a11y_server_get_display(server));
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
	struct a11y_server_options options = {.no_socket = true};
	struct a11y_server *server = a11y_server_create(&options);
	if (!server) {
		abort(); // not the input's fault
	}
	int sv[2], by[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0 ||
			socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, by) != 0) {
		abort();
	}
	bool trusted = size > 0 && (data[0] & 1);
	struct wl_client *other = a11y_server_add_client(server, by[0], true);
	struct wl_client *client = a11y_server_add_client(server, sv[0], trusted);
	if (!client || !other) {
		abort();
	}
	struct fuzz_client fc = {.destroy.notify = handle_client_destroy};
	wl_client_add_destroy_listener(client, &fc.destroy);
	struct fuzz_client fo = {.destroy.notify = handle_client_destroy};
	wl_client_add_destroy_listener(other, &fo.destroy);
	bystander_hello(by[1]);
	turn(server, sv[1], by[1]);

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
		turn(server, sv[1], by[1]);
	}
	turn(server, sv[1], by[1]);
	turn(server, sv[1], by[1]);
	if (!fc.gone) {
		wl_list_remove(&fc.destroy.link);
		wl_client_destroy(client);
	}
	turn(server, sv[1], by[1]);
	if (fo.gone) {
		abort(); // the fuzzed client's requests disconnected another client
	}
	wl_list_remove(&fo.destroy.link);
	a11y_server_destroy(server);
	close(sv[1]);
	close(by[1]);
	return 0;
}
