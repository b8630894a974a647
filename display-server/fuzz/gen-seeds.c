/*
 * Records the seed corpus of fuzz-requests: real libwayland clients run scenarios
 * against an in-process server (set up as the fuzzer sets it up) through a proxy that
 * writes down every byte and fd the client sends, in the fuzzer's input format
 * (fuzz-server.h). Run by hand when the protocol changes:
 *
 *   build/display-server/ds-gen-seeds display-server/fuzz/corpus/requests
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wayland-client.h>
#include "common/fd.h"
#include "common/log.h"
#include "fuzz-server.h"
#include "lumen-display-v1-client-protocol.h"

#define XRGB 0x34325258u
#define ARGB 0x34325241u

static struct ds_server *server;
static int proxy_client_end = -1, proxy_server_end = -1;
static struct wl_display *display;

static uint8_t record[1 << 16];
static size_t record_len;
static uint8_t fd_specs[FUZZ_MAX_FDS][3];
static int n_fd_specs;

static void note_fd(int fd) {
	struct stat st;
	if (n_fd_specs >= FUZZ_MAX_FDS || fstat(fd, &st) != 0) {
		fprintf(stderr, "gen-seeds: more than %d fds in a scenario\n", FUZZ_MAX_FDS);
		exit(1);
	}
	uint8_t kind = S_ISFIFO(st.st_mode) ? FUZZ_FD_PIPE
		: S_ISCHR(st.st_mode) ? FUZZ_FD_DEVNULL : FUZZ_FD_MEMFD;
	uint32_t units = (uint32_t)(st.st_size / 4);
	fd_specs[n_fd_specs][0] = kind;
	fd_specs[n_fd_specs][1] = (uint8_t)units;
	fd_specs[n_fd_specs][2] = (uint8_t)(units >> 8);
	n_fd_specs++;
}

/* Moves what arrived on one end to the other, fds included; records the client's. */
static void forward(int from, int to, bool rec) {
	while (true) {
		uint8_t buf[4096];
		char control[CMSG_SPACE(sizeof(int) * 28)];
		struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
		struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
			.msg_controllen = sizeof(control)};
		ssize_t n = recvmsg(from, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n <= 0) {
			return;
		}
		int fds[28];
		size_t n_fds = 0;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
				size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
				memcpy(fds + n_fds, CMSG_DATA(c), k * sizeof(int));
				n_fds += k;
			}
		}
		if (rec) {
			if (record_len + (size_t)n > sizeof(record)) {
				fprintf(stderr, "gen-seeds: scenario too long\n");
				exit(1);
			}
			memcpy(record + record_len, buf, (size_t)n);
			record_len += (size_t)n;
			for (size_t i = 0; i < n_fds; i++) {
				note_fd(fds[i]);
			}
		}
		union {
			struct cmsghdr align;
			char buf[CMSG_SPACE(sizeof(int) * 28)];
		} out_control;
		struct iovec out_iov = {.iov_base = buf, .iov_len = (size_t)n};
		struct msghdr out = {.msg_iov = &out_iov, .msg_iovlen = 1};
		if (n_fds > 0) {
			memset(&out_control, 0, sizeof(out_control));
			out.msg_control = out_control.buf;
			out.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
			struct cmsghdr *c = &out_control.align; // the first header, aligned
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
			memcpy(CMSG_DATA(c), fds, sizeof(int) * n_fds);
		}
		sendmsg(to, &out, MSG_NOSIGNAL);
		for (size_t i = 0; i < n_fds; i++) {
			close(fds[i]);
		}
	}
}

static bool pump_once(void) {
	wl_display_flush(display);
	forward(proxy_client_end, proxy_server_end, true);
	wl_event_loop_dispatch(ds_server_get_event_loop(server), 1);
	wl_display_flush_clients(ds_server_get_display(server));
	forward(proxy_server_end, proxy_client_end, false);
	if (wl_display_get_error(display)) {
		return false;
	}
	while (wl_display_prepare_read(display) != 0) {
		wl_display_dispatch_pending(display);
	}
	struct pollfd pfd = {.fd = wl_display_get_fd(display), .events = POLLIN};
	if (poll(&pfd, 1, 0) > 0) {
		wl_display_read_events(display);
	} else {
		wl_display_cancel_read(display);
	}
	return wl_display_dispatch_pending(display) >= 0;
}

static void pump_until(const bool *flag) {
	for (int i = 0; i < 2000 && !(flag && *flag); i++) {
		if (!pump_once()) {
			return;
		}
	}
}

static void sync_done(void *data, struct wl_callback *cb, uint32_t serial) {
	*(bool *)data = true;
	wl_callback_destroy(cb);
}
static const struct wl_callback_listener sync_listener = {.done = sync_done};

static void roundtrip(void) {
	bool done = false;
	struct wl_callback *cb = wl_display_sync(display);
	wl_callback_add_listener(cb, &sync_listener, &done);
	pump_until(&done);
}

/* the client's view */

static struct lumen_display_v1 *global;
static struct lumen_display_output_v1 *outputs[8];
static int n_outputs;
static bool bound;

static void o_name(void *d, struct lumen_display_output_v1 *p, const char *n) {
}
static void o_description(void *d, struct lumen_display_output_v1 *p, const char *a,
		const char *b, const char *c) {
}
static void o_physical_size(void *d, struct lumen_display_output_v1 *p, int32_t w, int32_t h) {
}
static void o_mode(void *d, struct lumen_display_output_v1 *p, int32_t w, int32_t h, int32_t r,
		uint32_t f) {
}
static void o_format(void *d, struct lumen_display_output_v1 *p, uint32_t f, uint32_t h,
		uint32_t l) {
}
static void o_state(void *d, struct lumen_display_output_v1 *p, uint32_t e, uint32_t on,
		uint32_t g, int32_t cw, int32_t ch) {
}
static void o_done(void *d, struct lumen_display_output_v1 *p) {
}
static void o_removed(void *d, struct lumen_display_output_v1 *p) {
}
static const struct lumen_display_output_v1_listener output_listener = {
	o_name, o_description, o_physical_size, o_mode, o_format, o_state, o_done, o_removed,
};
static void d_output(void *d, struct lumen_display_v1 *g, struct lumen_display_output_v1 *p) {
	if (n_outputs < 8) {
		outputs[n_outputs++] = p;
	}
	lumen_display_output_v1_add_listener(p, &output_listener, NULL);
}
static void d_render_node(void *d, struct lumen_display_v1 *g, int fd) {
	close(fd);
}
static void d_done(void *d, struct lumen_display_v1 *g) {
	bound = true;
}
static const struct lumen_display_v1_listener display_listener = {d_output, d_render_node, d_done};
static void r_global(void *d, struct wl_registry *r, uint32_t name, const char *iface,
		uint32_t v) {
	if (strcmp(iface, lumen_display_v1_interface.name) == 0) {
		global = wl_registry_bind(r, name, &lumen_display_v1_interface, 1);
		lumen_display_v1_add_listener(global, &display_listener, NULL);
	}
}
static void r_remove(void *d, struct wl_registry *r, uint32_t name) {
}
static const struct wl_registry_listener registry_listener = {r_global, r_remove};

static bool frame_done;
static void f_presented(void *d, struct lumen_display_frame_v1 *f, uint32_t a, uint32_t b,
		uint32_t c, uint32_t r, uint32_t sh, uint32_t sl, uint32_t fl) {
	frame_done = true;
}
static void f_discarded(void *d, struct lumen_display_frame_v1 *f) {
	frame_done = true;
}
static const struct lumen_display_frame_v1_listener frame_listener = {f_presented, f_discarded};

static struct lumen_display_buffer_v1 *shm_buffer(int32_t w, int32_t h, uint32_t format,
		uint32_t colour) {
	size_t size = (size_t)w * (size_t)h * 4;
	int fd = lumen_shm_create(size);
	uint32_t *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	for (size_t i = 0; p != MAP_FAILED && i < (size_t)w * (size_t)h; i++) {
		p[i] = colour;
	}
	if (p != MAP_FAILED) {
		munmap(p, size);
	}
	struct lumen_display_buffer_v1 *b =
		lumen_display_v1_create_shm_buffer(global, fd, 0, w, h, w * 4, format);
	close(fd);
	return b;
}

static void commit_and_wait(struct lumen_display_output_v1 *out) {
	frame_done = false;
	struct lumen_display_frame_v1 *f = lumen_display_output_v1_commit(out);
	lumen_display_frame_v1_add_listener(f, &frame_listener, NULL);
	pump_until(&frame_done);
}

/* Scenarios: each is one seed. Proxies are left to the disconnect. */

static void sc_list(void) {
	struct lumen_display_stats_v1 *s = lumen_display_output_v1_get_stats(outputs[0]);
	(void)s;
	roundtrip();
}

static void sc_frames(void) {
	lumen_display_v1_become_master(global);
	struct lumen_display_buffer_v1 *a = shm_buffer(FUZZ_WIDTH, FUZZ_HEIGHT, XRGB, 0xff0000);
	struct lumen_display_buffer_v1 *b = shm_buffer(FUZZ_WIDTH, FUZZ_HEIGHT, ARGB, 0x800000ff);
	lumen_display_output_v1_attach(outputs[0], a);
	commit_and_wait(outputs[0]);
	lumen_display_output_v1_attach(outputs[0], b);
	lumen_display_output_v1_damage(outputs[0], 4, 4, 10, 10);
	lumen_display_output_v1_damage(outputs[0], -5, 40, 1000, 1000);
	commit_and_wait(outputs[0]);
	/* three at once: one in flight, one replaced */
	lumen_display_output_v1_commit(outputs[0]);
	lumen_display_output_v1_commit(outputs[0]);
	lumen_display_output_v1_damage(outputs[0], 0, 0, 1, 1);
	commit_and_wait(outputs[0]);
	lumen_display_buffer_v1_destroy(a);
	commit_and_wait(outputs[0]);
	roundtrip();
}

static void sc_capture(void) {
	int fd = lumen_shm_create(FUZZ_WIDTH * FUZZ_HEIGHT * 4);
	lumen_display_output_v1_capture(outputs[0], fd, FUZZ_WIDTH, FUZZ_HEIGHT, FUZZ_WIDTH * 4,
		XRGB);
	close(fd);
	roundtrip();
}

static void sc_gamma_power_cursor(void) {
	lumen_display_v1_become_master(global);
	int fd = lumen_shm_create(3 * 256 * 2);
	lumen_display_output_v1_set_gamma(outputs[0], fd, 256);
	close(fd);
	struct lumen_display_buffer_v1 *cursor = shm_buffer(16, 16, ARGB, 0x8000ff00);
	lumen_display_output_v1_set_cursor(outputs[0], cursor, 2, 3);
	lumen_display_output_v1_move_cursor(outputs[0], 40, -2);
	struct lumen_display_buffer_v1 *a = shm_buffer(FUZZ_WIDTH, FUZZ_HEIGHT, XRGB, 0x123456);
	lumen_display_output_v1_attach(outputs[0], a);
	lumen_display_output_v1_set_power(outputs[0], 0);
	commit_and_wait(outputs[0]);
	lumen_display_output_v1_set_power(outputs[0], 1);
	commit_and_wait(outputs[0]);
	fd = lumen_shm_create(FUZZ_WIDTH * FUZZ_HEIGHT * 4);
	lumen_display_output_v1_capture(outputs[0], fd, FUZZ_WIDTH, FUZZ_HEIGHT, FUZZ_WIDTH * 4,
		ARGB);
	close(fd);
	fd = lumen_shm_create(4);
	lumen_display_output_v1_set_gamma(outputs[0], fd, 0);
	close(fd);
	lumen_display_output_v1_set_cursor(outputs[0], NULL, 0, 0);
	roundtrip();
}

static void sc_configure(void) {
	lumen_display_v1_become_master(global);
	lumen_display_output_v1_configure(outputs[0], FUZZ_WIDTH, FUZZ_HEIGHT, 30000, 1, 1);
	lumen_display_output_v1_configure(outputs[0], FUZZ_WIDTH, FUZZ_HEIGHT, 30000, 1, 0);
	lumen_display_output_v1_configure(outputs[0], 1, 1, 0, 1, 0);
	lumen_display_output_v1_configure(outputs[0], 0, 0, 0, 0, 0);
	struct lumen_display_buffer_v1 *a = shm_buffer(FUZZ_WIDTH, FUZZ_HEIGHT, XRGB, 0x00ff00);
	lumen_display_output_v1_attach(outputs[0], a);
	commit_and_wait(outputs[0]);
	lumen_display_output_v1_configure(outputs[0], FUZZ_WIDTH, FUZZ_HEIGHT, 0, 1, 0);
	commit_and_wait(outputs[0]);
	roundtrip();
}

static void sc_hotplug(void) {
	lumen_display_v1_create_virtual_output(global, 32, 24, 60000);
	roundtrip();
	if (n_outputs > 1) {
		lumen_display_v1_become_master(global);
		struct lumen_display_buffer_v1 *a = shm_buffer(32, 24, XRGB, 0x0000ff);
		lumen_display_output_v1_attach(outputs[1], a);
		lumen_display_output_v1_commit(outputs[1]);
		lumen_display_output_v1_remove(outputs[1]);
		lumen_display_output_v1_commit(outputs[1]);
		lumen_display_output_v1_get_stats(outputs[1]);
		roundtrip();
	}
}

static void sc_dmabuf(void) {
	lumen_display_v1_become_master(global);
	struct lumen_display_dmabuf_params_v1 *params = lumen_display_v1_create_dmabuf_params(global);
	int fd = lumen_shm_create(FUZZ_WIDTH * FUZZ_HEIGHT * 4);
	lumen_display_dmabuf_params_v1_add(params, fd, 0, 0, FUZZ_WIDTH * 4);
	close(fd);
	lumen_display_dmabuf_params_v1_create(params, FUZZ_WIDTH, FUZZ_HEIGHT, XRGB, 0, 0);
	roundtrip();
}

static void sc_bad_shm(void) {
	lumen_display_v1_become_master(global);
	int fd = lumen_shm_create(100);
	lumen_display_v1_create_shm_buffer(global, fd, 8, FUZZ_WIDTH, FUZZ_HEIGHT, FUZZ_WIDTH * 4,
		XRGB);
	close(fd);
	roundtrip();
}

static void sc_bind_twice(void) {
	struct wl_registry *registry = wl_display_get_registry(display);
	wl_registry_add_listener(registry, &registry_listener, NULL);
	roundtrip();
	lumen_display_v1_become_master(global);
	lumen_display_v1_destroy(global);
	global = NULL;
	roundtrip();
}

static const struct {
	const char *name;
	void (*run)(void);
} scenarios[] = {
	{"list", sc_list},
	{"frames", sc_frames},
	{"capture", sc_capture},
	{"gamma-power-cursor", sc_gamma_power_cursor},
	{"configure", sc_configure},
	{"hotplug", sc_hotplug},
	{"dmabuf", sc_dmabuf},
	{"bad-shm", sc_bad_shm},
	{"bind-twice", sc_bind_twice},
};

int main(int argc, char *argv[]) {
	if (argc != 2) {
		fprintf(stderr, "usage: ds-gen-seeds CORPUS_DIR\n");
		return 2;
	}
	lumen_log_init(LUMEN_SILENT);
	for (size_t s = 0; s < sizeof(scenarios) / sizeof(scenarios[0]); s++) {
		server = fuzz_server_create();
		int a[2], b[2];
		if (!server || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, a) != 0 ||
				socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, b) != 0) {
			return 1;
		}
		/* client a[0] <-> a[1] proxy b[0] <-> b[1] server */
		display = wl_display_connect_to_fd(a[0]);
		proxy_client_end = a[1];
		proxy_server_end = b[0];
		ds_server_add_client(server, b[1]);
		record_len = 0;
		n_fd_specs = 0;
		n_outputs = 0;
		bound = false;
		global = NULL;
		struct wl_registry *registry = wl_display_get_registry(display);
		wl_registry_add_listener(registry, &registry_listener, NULL);
		roundtrip();
		pump_until(&bound);
		scenarios[s].run();
		pump_once();

		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", argv[1], scenarios[s].name);
		FILE *f = fopen(path, "wb");
		if (!f) {
			perror(path);
			return 1;
		}
		uint8_t n = (uint8_t)n_fd_specs;
		fwrite(&n, 1, 1, f);
		fwrite(fd_specs, 3, (size_t)n_fd_specs, f);
		fwrite(record, 1, record_len, f);
		fclose(f);
		printf("%s: %zu bytes, %d fds\n", path, record_len, n_fd_specs);

		wl_display_disconnect(display);
		close(proxy_client_end);
		close(proxy_server_end);
		ds_server_destroy(server);
	}
	return 0;
}
