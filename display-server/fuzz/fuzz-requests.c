/*
 * libFuzzer target for displayd's request handlers: the input is what one client writes
 * to its socket (with fds passed alongside, see fuzz-server.h), fed to a fresh server
 * through a socketpair while a well-behaved bystander client is also connected. A
 * protocol error only disconnects the fuzzed client; the server must survive, keep
 * serving the bystander, and free everything when destroyed (LeakSanitizer checks).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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

/* Reads and drops what the server sent, closing any fds it passed. */
static void drain(int fd) {
	char buf[4096];
	char control[CMSG_SPACE(sizeof(int) * 28)];
	while (true) {
		struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
		struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
			.msg_controllen = sizeof(control)};
		ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n <= 0) {
			return;
		}
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
				size_t n_fds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
				for (size_t i = 0; i < n_fds; i++) {
					int passed;
					memcpy(&passed, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
					close(passed);
				}
			}
		}
	}
}

static int make_fd(uint8_t kind, uint32_t size) {
	switch (kind % FUZZ_FD_KINDS) {
	case FUZZ_FD_PIPE: {
		int fds[2];
		if (pipe2(fds, O_CLOEXEC) != 0) {
			return -1;
		}
		close(fds[1]);
		return fds[0];
	}
	case FUZZ_FD_DEVNULL:
		return open("/dev/null", O_RDWR | O_CLOEXEC);
	default: {
		int fd = memfd_create("fuzz", MFD_CLOEXEC);
		if (fd >= 0 && ftruncate(fd, size) != 0) {
			close(fd);
			return -1;
		}
		return fd;
	}
	}
}

static int bystander_fd = -1;

static void turn(struct ds_server *server, int client_fd, int timeout_ms) {
	struct wl_event_loop *loop = ds_server_get_event_loop(server);
	wl_event_loop_dispatch(loop, timeout_ms);
	wl_display_flush_clients(ds_server_get_display(server));
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
	struct ds_server *server = fuzz_server_create();
	if (!server) {
		abort(); // not the input's fault: the fuzzer itself is broken
	}
	int sv[2], bystander[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0 ||
			socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, bystander) != 0) {
		abort();
	}
	struct wl_client *client = ds_server_add_client(server, sv[0]);
	struct wl_client *other = ds_server_add_client(server, bystander[0]);
	if (!client || !other) {
		abort();
	}
	struct fuzz_client fc = {.destroy.notify = handle_client_destroy};
	wl_client_add_destroy_listener(client, &fc.destroy);
	struct fuzz_client fo = {.destroy.notify = handle_client_destroy};
	wl_client_add_destroy_listener(other, &fo.destroy);
	bystander_fd = bystander[1];

	/* the fds */
	size_t pos = 0;
	int fds[FUZZ_MAX_FDS];
	int n_fds = 0;
	if (size > 0) {
		int want = data[pos++] % (FUZZ_MAX_FDS + 1);
		while (n_fds < want && pos + 3 <= size) {
			uint32_t fd_size = ((uint32_t)data[pos + 1] | (uint32_t)data[pos + 2] << 8) * 4;
			int fd = make_fd(data[pos], fd_size);
			pos += 3;
			if (fd >= 0) {
				fds[n_fds++] = fd;
			}
		}
	}

	/* the bytes, in pieces no larger than libwayland's buffer, the fds with the first */
	bool fds_sent = false;
	while (pos < size && !fc.gone) {
		size_t len = size - pos < 4096 ? size - pos : 4096;
		union {
			struct cmsghdr align;
			char buf[CMSG_SPACE(sizeof(int) * FUZZ_MAX_FDS)];
		} control;
		struct iovec iov = {.iov_base = (void *)(data + pos), .iov_len = len};
		struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
		if (!fds_sent && n_fds > 0) {
			memset(&control, 0, sizeof(control));
			msg.msg_control = control.buf;
			msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n_fds);
			struct cmsghdr *c = &control.align; // the first header, aligned
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n_fds);
			memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)n_fds);
		}
		ssize_t n = sendmsg(sv[1], &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			break;
		}
		if (n > 0) {
			pos += (size_t)n;
			fds_sent = true;
		}
		turn(server, sv[1], 0);
	}
	for (int i = 0; i < n_fds; i++) {
		close(fds[i]); // ours; the server got its own copies
	}
	turn(server, sv[1], 0);
	/* One vblank (1 ms), so frames are latched and presented. */
	turn(server, sv[1], 2);
	turn(server, sv[1], 0);
	if (!fc.gone) {
		wl_list_remove(&fc.destroy.link);
		wl_client_destroy(client);
	}
	/* Without its master for 1 ms the server puts up the restarting frame (the loop
	 * returns after any event, a vblank say, so turn it a few times). */
	for (int i = 0; i < 3; i++) {
		turn(server, sv[1], 2);
	}
	if (fo.gone) {
		abort(); // the fuzzed client's requests disconnected another client
	}
	wl_list_remove(&fo.destroy.link);
	ds_server_destroy(server);
	close(sv[1]);
	close(bystander[1]);
	return 0;
}
