/*
 * lumen-displayd in-process: the server runs on its event loop in this thread, and
 * libwayland clients talk to it over socketpairs; pump() turns both sides by turns.
 * Every check is on what a viewer or a client would see: events received, pixels
 * captured, counters reported. TAP output.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <wayland-client.h>
#include "common/fd.h"
#include "common/log.h"
#include "display-server/server.h"
#include "lumen-display-v1-client-protocol.h"

#define XRGB 0x34325258u
#define ARGB 0x34325241u
#define W 64
#define H 48
#define MAX_OUTPUTS 8

static int test_no, failures;

static bool ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool ok(bool cond, const char *fmt, ...) {
	va_list args;
	va_start(args, fmt);
	test_no++;
	printf("%sok %d - ", cond ? "" : "not ", test_no);
	vprintf(fmt, args);
	printf("\n");
	fflush(stdout);
	va_end(args);
	if (!cond) {
		failures++;
	}
	return cond;
}

/* The server under test */

static struct ds_server *server;
static struct wl_event_loop *server_loop;

/* Clients */

struct t_output {
	struct lumen_display_output_v1 *proxy;
	char name[128];
	int32_t width, height, refresh; // the current mode
	uint32_t n_formats, gamma_size, power_on;
	bool done, removed;
};

struct t_client {
	struct wl_display *display;
	struct wl_registry *registry;
	struct lumen_display_v1 *global;
	struct t_output outputs[MAX_OUTPUTS];
	int n_outputs;
	bool done;
};

static void output_name(void *data, struct lumen_display_output_v1 *p, const char *name) {
	struct t_output *out = data;
	snprintf(out->name, sizeof(out->name), "%s", name);
}
static void output_description(void *data, struct lumen_display_output_v1 *p, const char *a,
		const char *b, const char *c) {
}
static void output_physical_size(void *data, struct lumen_display_output_v1 *p, int32_t w,
		int32_t h) {
}
static void output_mode(void *data, struct lumen_display_output_v1 *p, int32_t w, int32_t h,
		int32_t refresh, uint32_t flags) {
	struct t_output *out = data;
	if (flags & LUMEN_DISPLAY_OUTPUT_V1_MODE_FLAGS_CURRENT) {
		out->width = w;
		out->height = h;
		out->refresh = refresh;
	}
}
static void output_format(void *data, struct lumen_display_output_v1 *p, uint32_t format,
		uint32_t hi, uint32_t lo) {
	struct t_output *out = data;
	out->n_formats++;
}
static void output_state(void *data, struct lumen_display_output_v1 *p, uint32_t enabled,
		uint32_t power_on, uint32_t gamma_size, int32_t cw, int32_t ch) {
	struct t_output *out = data;
	out->power_on = power_on;
	out->gamma_size = gamma_size;
}
static void output_done(void *data, struct lumen_display_output_v1 *p) {
	struct t_output *out = data;
	out->done = true;
}
static void output_removed(void *data, struct lumen_display_output_v1 *p) {
	struct t_output *out = data;
	out->removed = true;
}
static const struct lumen_display_output_v1_listener output_listener = {
	.name = output_name,
	.description = output_description,
	.physical_size = output_physical_size,
	.mode = output_mode,
	.format = output_format,
	.state = output_state,
	.done = output_done,
	.removed = output_removed,
};

static void display_output(void *data, struct lumen_display_v1 *g,
		struct lumen_display_output_v1 *proxy) {
	struct t_client *c = data;
	if (c->n_outputs >= MAX_OUTPUTS) {
		lumen_display_output_v1_destroy(proxy);
		return;
	}
	struct t_output *out = &c->outputs[c->n_outputs++];
	out->proxy = proxy;
	lumen_display_output_v1_add_listener(proxy, &output_listener, out);
}
static void display_render_node(void *data, struct lumen_display_v1 *g, int fd) {
	close(fd);
}
static void display_done(void *data, struct lumen_display_v1 *g) {
	struct t_client *c = data;
	c->done = true;
}
static const struct lumen_display_v1_listener display_listener = {
	.output = display_output,
	.render_node = display_render_node,
	.done = display_done,
};

static void registry_global(void *data, struct wl_registry *r, uint32_t name,
		const char *interface, uint32_t version) {
	struct t_client *c = data;
	if (strcmp(interface, lumen_display_v1_interface.name) == 0) {
		c->global = wl_registry_bind(r, name, &lumen_display_v1_interface, 1);
		lumen_display_v1_add_listener(c->global, &display_listener, c);
	}
}
static void registry_global_remove(void *data, struct wl_registry *r, uint32_t name) {
}
static const struct wl_registry_listener registry_listener = {
	.global = registry_global,
	.global_remove = registry_global_remove,
};

static struct t_client *clients[8];

/* Reads what has arrived for one client without blocking; false on a dead connection. */
static bool client_read(struct t_client *c) {
	if (wl_display_get_error(c->display)) {
		return false;
	}
	wl_display_flush(c->display);
	while (wl_display_prepare_read(c->display) != 0) {
		if (wl_display_dispatch_pending(c->display) < 0) {
			return false;
		}
	}
	struct pollfd pfd = {.fd = wl_display_get_fd(c->display), .events = POLLIN};
	if (poll(&pfd, 1, 0) > 0) {
		if (wl_display_read_events(c->display) < 0) {
			return false;
		}
	} else {
		wl_display_cancel_read(c->display);
	}
	return wl_display_dispatch_pending(c->display) >= 0;
}

/* Turns the server and every client until *flag is set or c (if given) has failed. A
 * guard against hangs only: nothing checks how long it took. */
static bool pump(struct t_client *c, const bool *flag) {
	for (int i = 0; i < 20000; i++) {
		for (size_t j = 0; j < sizeof(clients) / sizeof(clients[0]); j++) {
			if (clients[j]) {
				wl_display_flush(clients[j]->display);
			}
		}
		wl_event_loop_dispatch(server_loop, 1);
		wl_display_flush_clients(ds_server_get_display(server));
		bool alive = true;
		for (size_t j = 0; j < sizeof(clients) / sizeof(clients[0]); j++) {
			if (clients[j] && !client_read(clients[j]) && clients[j] == c) {
				alive = false;
			}
		}
		if (flag && *flag) {
			return true;
		}
		if (!alive) {
			return false;
		}
	}
	return false;
}

static void sync_done(void *data, struct wl_callback *cb, uint32_t serial) {
	*(bool *)data = true;
	wl_callback_destroy(cb);
}
static const struct wl_callback_listener sync_listener = {.done = sync_done};

static bool roundtrip(struct t_client *c) {
	bool done = false;
	struct wl_callback *cb = wl_display_sync(c->display);
	wl_callback_add_listener(cb, &sync_listener, &done);
	bool ret = pump(c, &done);
	if (!done) {
		wl_callback_destroy(cb); // the connection died first
	}
	return ret;
}

static struct t_client *client_connect(void) {
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		return NULL;
	}
	struct t_client *c = calloc(1, sizeof(*c));
	if (!c || !ds_server_add_client(server, sv[0])) {
		free(c);
		close(sv[1]);
		return NULL;
	}
	c->display = wl_display_connect_to_fd(sv[1]);
	for (size_t j = 0; j < sizeof(clients) / sizeof(clients[0]); j++) {
		if (!clients[j]) {
			clients[j] = c;
			break;
		}
	}
	c->registry = wl_display_get_registry(c->display);
	wl_registry_add_listener(c->registry, &registry_listener, c);
	roundtrip(c);
	pump(c, &c->done);
	return c;
}

static void client_disconnect(struct t_client *c) {
	if (!c) {
		return;
	}
	for (int i = 0; i < c->n_outputs; i++) {
		lumen_display_output_v1_destroy(c->outputs[i].proxy);
	}
	if (c->global) {
		lumen_display_v1_destroy(c->global);
	}
	wl_registry_destroy(c->registry);
	wl_display_flush(c->display);
	wl_display_disconnect(c->display);
	for (size_t j = 0; j < sizeof(clients) / sizeof(clients[0]); j++) {
		if (clients[j] == c) {
			clients[j] = NULL;
		}
	}
	free(c);
	/* Let the server see the hangup. */
	for (int i = 0; i < 5; i++) {
		wl_event_loop_dispatch(server_loop, 0);
	}
}

/* The protocol error a client got: its code, or -1 if none. */
static int client_error(struct t_client *c, const struct wl_interface **interface) {
	if (wl_display_get_error(c->display) != EPROTO) {
		return -1;
	}
	uint32_t id;
	return (int)wl_display_get_protocol_error(c->display, interface, &id);
}

static struct t_output *find_output(struct t_client *c, const char *name) {
	for (int i = 0; i < c->n_outputs; i++) {
		if (strcmp(c->outputs[i].name, name) == 0) {
			return &c->outputs[i];
		}
	}
	return NULL;
}

/* shm buffers of the client */

struct t_buffer {
	struct lumen_display_buffer_v1 *proxy;
	uint32_t *pixels;
	int32_t width, height;
	size_t size;
};

static bool make_buffer(struct t_client *c, struct t_buffer *b, int32_t w, int32_t h,
		uint32_t fill) {
	b->width = w;
	b->height = h;
	b->size = (size_t)w * (size_t)h * 4;
	int fd = lumen_shm_create(b->size);
	if (fd < 0) {
		return false;
	}
	b->pixels = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (b->pixels == MAP_FAILED) {
		close(fd);
		return false;
	}
	for (int32_t i = 0; i < w * h; i++) {
		b->pixels[i] = fill;
	}
	b->proxy = lumen_display_v1_create_shm_buffer(c->global, fd, 0, w, h, w * 4, XRGB);
	close(fd);
	return true;
}

static void free_buffer(struct t_buffer *b) {
	if (b->proxy) {
		lumen_display_buffer_v1_destroy(b->proxy);
	}
	if (b->pixels && b->pixels != MAP_FAILED) {
		munmap(b->pixels, b->size);
	}
	memset(b, 0, sizeof(*b));
}

/* frames */

struct t_frame {
	bool done, presented;
	uint64_t sec, seq;
	uint32_t nsec, refresh, flags;
};

static void frame_presented(void *data, struct lumen_display_frame_v1 *f, uint32_t sec_hi,
		uint32_t sec_lo, uint32_t nsec, uint32_t refresh, uint32_t seq_hi, uint32_t seq_lo,
		uint32_t flags) {
	struct t_frame *t = data;
	t->done = t->presented = true;
	t->sec = ((uint64_t)sec_hi << 32) | sec_lo;
	t->nsec = nsec;
	t->refresh = refresh;
	t->seq = ((uint64_t)seq_hi << 32) | seq_lo;
	t->flags = flags;
	lumen_display_frame_v1_destroy(f);
}
static void frame_discarded(void *data, struct lumen_display_frame_v1 *f) {
	struct t_frame *t = data;
	t->done = true;
	t->presented = false;
	lumen_display_frame_v1_destroy(f);
}
static const struct lumen_display_frame_v1_listener frame_listener = {
	.presented = frame_presented,
	.discarded = frame_discarded,
};

static void commit(struct t_output *out, struct t_frame *t) {
	memset(t, 0, sizeof(*t));
	struct lumen_display_frame_v1 *f = lumen_display_output_v1_commit(out->proxy);
	lumen_display_frame_v1_add_listener(f, &frame_listener, t);
}

static int64_t frame_ns(const struct t_frame *t) {
	return (int64_t)t->sec * 1000000000 + t->nsec;
}

/* capture */

struct t_capture {
	bool done, ok;
};
static void capture_done(void *data, struct lumen_display_capture_v1 *p, uint32_t a, uint32_t b,
		uint32_t c) {
	struct t_capture *t = data;
	t->done = t->ok = true;
	lumen_display_capture_v1_destroy(p);
}
static void capture_failed(void *data, struct lumen_display_capture_v1 *p, const char *reason) {
	struct t_capture *t = data;
	t->done = true;
	lumen_display_capture_v1_destroy(p);
}
static const struct lumen_display_capture_v1_listener capture_listener = {
	.done = capture_done,
	.failed = capture_failed,
};

/* Captures out into a fresh array (free it), or NULL if the capture failed. */
static uint32_t *capture(struct t_client *c, struct t_output *out) {
	int32_t w = out->width, h = out->height;
	size_t size = (size_t)w * (size_t)h * 4;
	int fd = lumen_shm_create(size);
	if (fd < 0) {
		return NULL;
	}
	struct t_capture t = {0};
	struct lumen_display_capture_v1 *p =
		lumen_display_output_v1_capture(out->proxy, fd, w, h, w * 4, XRGB);
	lumen_display_capture_v1_add_listener(p, &capture_listener, &t);
	pump(c, &t.done);
	uint32_t *pixels = NULL;
	if (t.ok) {
		pixels = malloc(size);
		void *map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
		if (pixels && map != MAP_FAILED) {
			memcpy(pixels, map, size);
			munmap(map, size);
		}
	}
	close(fd);
	return pixels;
}

static uint32_t px(const uint32_t *pixels, int32_t width, int x, int y) {
	return pixels[y * width + x] & 0xffffff;
}

/* stats */

struct t_stats {
	bool done;
	uint64_t bytes;
	uint32_t presented, discarded;
};
static void stats_stats(void *data, struct lumen_display_stats_v1 *p, uint32_t hi, uint32_t lo,
		uint32_t presented, uint32_t discarded) {
	struct t_stats *t = data;
	t->done = true;
	t->bytes = ((uint64_t)hi << 32) | lo;
	t->presented = presented;
	t->discarded = discarded;
	lumen_display_stats_v1_destroy(p);
}
static const struct lumen_display_stats_v1_listener stats_listener = {.stats = stats_stats};

static struct t_stats stats(struct t_client *c, struct t_output *out) {
	struct t_stats t = {0};
	struct lumen_display_stats_v1 *p = lumen_display_output_v1_get_stats(out->proxy);
	lumen_display_stats_v1_add_listener(p, &stats_listener, &t);
	pump(c, &t.done);
	return t;
}

/* A client that becomes the master and tries one bad request: the error it gets. */
enum bad_request {
	BAD_OFFSET,
	BAD_STRIDE,
	BAD_SIZE,
	BAD_FD,
	BAD_FORMAT,
	BAD_WIDTH,
	BAD_COMMIT_NO_BUFFER,
	BAD_ATTACH_SIZE,
	BAD_GAMMA_SIZE,
	BAD_GAMMA_SHORT,
	BAD_DMABUF,
	BAD_CAPTURE_STRIDE,
	BAD_TWICE_MASTER,
	BAD_SHRUNK,
};

static int try_bad(enum bad_request what, const struct wl_interface **interface) {
	struct t_client *c = client_connect();
	if (!c || c->n_outputs < 1) {
		client_disconnect(c);
		return -2;
	}
	struct t_output *out = &c->outputs[0];
	if (what != BAD_CAPTURE_STRIDE) {
		lumen_display_v1_become_master(c->global);
	}
	int fd = lumen_shm_create(W * H * 4);
	/* Proxies this makes, destroyed at the end (libwayland-client frees none itself). */
	void *proxies[2] = {NULL, NULL};
	switch (what) {
	case BAD_OFFSET:
		proxies[0] = lumen_display_v1_create_shm_buffer(c->global, fd, 4, W, H, W * 4, XRGB);
		break;
	case BAD_STRIDE:
		proxies[0] = lumen_display_v1_create_shm_buffer(c->global, fd, 0, W, H, W * 4 - 4, XRGB);
		break;
	case BAD_SIZE:
		proxies[0] = lumen_display_v1_create_shm_buffer(c->global, fd, 0, W, H + 1, W * 4, XRGB);
		break;
	case BAD_FD: {
		int pipes[2];
		if (pipe(pipes) == 0) {
			proxies[0] = lumen_display_v1_create_shm_buffer(c->global, pipes[0], 0, W, H, W * 4, XRGB);
			close(pipes[0]);
			close(pipes[1]);
		}
		break;
	}
	case BAD_FORMAT:
		proxies[0] = lumen_display_v1_create_shm_buffer(c->global, fd, 0, W, H, W * 4, 0x36314752);
		break;
	case BAD_WIDTH:
		proxies[0] = lumen_display_v1_create_shm_buffer(c->global, fd, 0, 0, H, W * 4, XRGB);
		break;
	case BAD_COMMIT_NO_BUFFER:
		lumen_display_frame_v1_destroy(lumen_display_output_v1_commit(out->proxy));
		break;
	case BAD_ATTACH_SIZE: {
		struct lumen_display_buffer_v1 *b =
			lumen_display_v1_create_shm_buffer(c->global, fd, 0, W / 2, H, W * 4, XRGB);
		lumen_display_output_v1_attach(out->proxy, b);
		proxies[0] = b;
		break;
	}
	case BAD_GAMMA_SIZE:
		lumen_display_output_v1_set_gamma(out->proxy, fd, 255);
		break;
	case BAD_GAMMA_SHORT: {
		int small = lumen_shm_create(100);
		lumen_display_output_v1_set_gamma(out->proxy, small, 256);
		close(small);
		break;
	}
	case BAD_DMABUF: {
		struct lumen_display_dmabuf_params_v1 *params =
			lumen_display_v1_create_dmabuf_params(c->global);
		lumen_display_dmabuf_params_v1_add(params, fd, 0, 0, W * 4);
		proxies[0] = lumen_display_dmabuf_params_v1_create(params, W, H, XRGB, 0, 0);
		proxies[1] = params;
		break;
	}
	case BAD_CAPTURE_STRIDE:
		lumen_display_capture_v1_destroy(
			lumen_display_output_v1_capture(out->proxy, fd, W, H, 3, XRGB));
		break;
	case BAD_TWICE_MASTER:
		lumen_display_v1_become_master(c->global);
		break;
	case BAD_SHRUNK: {
		struct lumen_display_buffer_v1 *b =
			lumen_display_v1_create_shm_buffer(c->global, fd, 0, W, H, W * 4, XRGB);
		roundtrip(c);
		/* The file shrinks under the imported buffer: reading it would be SIGBUS. */
		if (ftruncate(fd, 0) != 0) {
			break;
		}
		lumen_display_output_v1_attach(out->proxy, b);
		proxies[1] = lumen_display_output_v1_commit(out->proxy);
		proxies[0] = b;
		roundtrip(c);
		pump(c, NULL); // until the frame is latched and the error comes
		break;
	}
	}
	close(fd);
	roundtrip(c);
	int code = client_error(c, interface);
	for (int i = 0; i < 2; i++) {
		if (proxies[i]) {
			wl_proxy_destroy(proxies[i]);
		}
	}
	client_disconnect(c);
	return code;
}

static void test_bad_requests(void) {
	static const struct {
		enum bad_request what;
		const char *desc;
		const struct wl_interface *interface;
		int code;
	} cases[] = {
		{BAD_OFFSET, "shm offset past the file", &lumen_display_v1_interface,
			LUMEN_DISPLAY_V1_ERROR_INVALID_BUFFER},
		{BAD_STRIDE, "shm stride smaller than a row", &lumen_display_v1_interface,
			LUMEN_DISPLAY_V1_ERROR_INVALID_BUFFER},
		{BAD_SIZE, "shm size larger than the file", &lumen_display_v1_interface,
			LUMEN_DISPLAY_V1_ERROR_INVALID_BUFFER},
		{BAD_FD, "shm fd that is a pipe", &lumen_display_v1_interface,
			LUMEN_DISPLAY_V1_ERROR_INVALID_BUFFER},
		{BAD_FORMAT, "shm format RGB565", &lumen_display_v1_interface,
			LUMEN_DISPLAY_V1_ERROR_INVALID_BUFFER},
		{BAD_WIDTH, "shm width 0", &lumen_display_v1_interface,
			LUMEN_DISPLAY_V1_ERROR_INVALID_BUFFER},
		{BAD_COMMIT_NO_BUFFER, "commit with no buffer", &lumen_display_output_v1_interface,
			LUMEN_DISPLAY_V1_ERROR_INVALID_BUFFER},
		{BAD_ATTACH_SIZE, "attach of a buffer of the wrong size",
			&lumen_display_output_v1_interface, LUMEN_DISPLAY_V1_ERROR_INVALID_BUFFER},
		{BAD_GAMMA_SIZE, "gamma of the wrong size", &lumen_display_output_v1_interface,
			LUMEN_DISPLAY_V1_ERROR_INVALID_GAMMA},
		{BAD_GAMMA_SHORT, "gamma fd shorter than its ramps",
			&lumen_display_output_v1_interface, LUMEN_DISPLAY_V1_ERROR_INVALID_GAMMA},
		{BAD_DMABUF, "dmabuf on the virtual backend", &lumen_display_v1_interface,
			LUMEN_DISPLAY_V1_ERROR_UNSUPPORTED},
		{BAD_CAPTURE_STRIDE, "capture with a stride of 3", &lumen_display_output_v1_interface,
			LUMEN_DISPLAY_V1_ERROR_INVALID_BUFFER},
		{BAD_TWICE_MASTER, "become_master twice", &lumen_display_v1_interface,
			LUMEN_DISPLAY_V1_ERROR_ALREADY_MASTER},
		{BAD_SHRUNK, "an shm file shrunk after import (displayd survives the SIGBUS)",
			&lumen_display_buffer_v1_interface, LUMEN_DISPLAY_BUFFER_V1_ERROR_SHRUNK},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct wl_interface *interface = NULL;
		int code = try_bad(cases[i].what, &interface);
		ok(code == cases[i].code && interface == cases[i].interface,
			"%s: error %d on %s (got %d on %s)", cases[i].desc, cases[i].code,
			cases[i].interface->name, code, interface ? interface->name : "none");
	}
	ok(ds_server_get_master(server) == NULL, "the master role ends with each of those clients");
}

static void test_not_master(void) {
	struct t_client *c = client_connect();
	const struct wl_interface *interface = NULL;
	int fd = lumen_shm_create(W * H * 4);
	struct lumen_display_buffer_v1 *buffer =
		lumen_display_v1_create_shm_buffer(c->global, fd, 0, W, H, W * 4, XRGB);
	close(fd);
	roundtrip(c);
	int code = client_error(c, &interface);
	lumen_display_buffer_v1_destroy(buffer);
	ok(code == LUMEN_DISPLAY_V1_ERROR_NOT_MASTER && interface == &lumen_display_v1_interface,
		"a buffer from a client that is not the master is the error not_master");
	client_disconnect(c);
}

int main(void) {
	lumen_log_init(LUMEN_ERROR);
	struct ds_virtual_mode mode = {W, H, 60000};
	struct ds_server_options options = {
		.no_socket = true,
		.virtual_modes = &mode,
		.n_virtual_modes = 1,
		.restart_frame_after_ms = -1,
	};
	server = ds_server_create(&options);
	if (!server) {
		printf("Bail out! cannot create the server\n");
		return 1;
	}
	server_loop = ds_server_get_event_loop(server);

	/* Outputs announced */
	struct t_client *a = client_connect();
	ok(a && a->done && a->n_outputs == 1, "a client is told of the one output, then done");
	struct t_output *out = &a->outputs[0];
	ok(strcmp(out->name, "display:virtual/0") == 0, "its name is display:virtual/0 (%s)",
		out->name);
	ok(out->width == W && out->height == H && out->refresh == 60000,
		"its current mode is %dx%d@60 Hz", W, H);
	ok(out->n_formats == 2 && out->gamma_size == 256 && out->power_on && out->done,
		"formats, gamma size 256 and power on are announced");

	test_not_master();
	test_bad_requests();

	/* The master */
	lumen_display_v1_become_master(a->global);
	ok(roundtrip(a) && ds_server_get_master(server) != NULL, "become_master makes a the master");

	struct t_client *b = client_connect();
	lumen_display_v1_become_master(b->global);
	roundtrip(b);
	const struct wl_interface *interface = NULL;
	int code = client_error(b, &interface);
	ok(code == LUMEN_DISPLAY_V1_ERROR_MASTER_TAKEN && interface == &lumen_display_v1_interface,
		"a second become_master is the error master_taken");
	client_disconnect(b);

	/* Frames: exactly one presented per commit, seq increasing, on the vblank clock */
	struct t_buffer red;
	make_buffer(a, &red, W, H, 0xff0000);
	lumen_display_output_v1_attach(out->proxy, red.proxy);
	struct t_frame frames[5];
	bool all_presented = true, seq_up = true, on_clock = true;
	for (int i = 0; i < 5; i++) {
		lumen_display_output_v1_damage(out->proxy, 0, 0, W, H);
		commit(out, &frames[i]);
		pump(a, &frames[i].done);
		all_presented = all_presented && frames[i].presented;
		if (i > 0) {
			uint64_t dseq = frames[i].seq - frames[i - 1].seq;
			int64_t dt = frame_ns(&frames[i]) - frame_ns(&frames[i - 1]);
			seq_up = seq_up && frames[i].seq > frames[i - 1].seq;
			/* vblank times are epoch + seq * period: the interval is seq steps of the
			 * refresh period (to a nanosecond of rounding per step) */
			int64_t expect = (int64_t)dseq * 16666666;
			on_clock = on_clock && dt >= expect && dt <= expect + (int64_t)dseq;
		}
	}
	ok(all_presented && !wl_display_get_error(a->display),
		"the master's commits are presented while a refused second master came and went");
	ok(seq_up, "each presented has a larger seq than the one before");
	ok(on_clock, "presented times are a whole number of 16.67 ms periods apart");
	ok(frames[4].refresh == 16666666, "refresh is 16666666 ns at 60 Hz (%u)", frames[4].refresh);
	ok(frames[4].flags == (LUMEN_DISPLAY_OUTPUT_V1_PRESENTED_FLAGS_VSYNC |
			LUMEN_DISPLAY_OUTPUT_V1_PRESENTED_FLAGS_HW_CLOCK |
			LUMEN_DISPLAY_OUTPUT_V1_PRESENTED_FLAGS_HW_COMPLETION),
		"flags are vsync, hw_clock, hw_completion");

	/* A newer commit replaces one still waiting: first in the backend, second queued
	 * and replaced by the third */
	struct t_frame f1, f2, f3;
	commit(out, &f1);
	commit(out, &f2);
	commit(out, &f3);
	pump(a, &f3.done);
	ok(f1.presented && f2.done && !f2.presented && f3.presented && f3.seq > f1.seq,
		"three commits before a vblank: the one in flight presented, the waiting one "
		"discarded, the newest presented a vblank later");

	/* Only damaged rectangles are copied */
	struct t_stats s0 = stats(a, out);
	struct t_buffer blue;
	make_buffer(a, &blue, W, H, 0x0000ff);
	lumen_display_output_v1_attach(out->proxy, blue.proxy);
	lumen_display_output_v1_damage(out->proxy, 10, 12, 8, 6);
	struct t_frame fd;
	commit(out, &fd);
	pump(a, &fd.done);
	struct t_stats s1 = stats(a, out);
	ok(fd.presented && s1.bytes - s0.bytes == 8 * 6 * 4,
		"a commit damaging 8x6 copies 8*6*4 bytes (%llu)",
		(unsigned long long)(s1.bytes - s0.bytes));
	uint32_t *shot = capture(a, out);
	bool inside = true, outside = true;
	for (int y = 0; shot && y < H; y++) {
		for (int x = 0; x < W; x++) {
			bool in = x >= 10 && x < 18 && y >= 12 && y < 18;
			uint32_t p = px(shot, W, x, y);
			if (in && p != 0x0000ff) {
				inside = false;
			}
			if (!in && p != 0xff0000) {
				outside = false;
			}
		}
	}
	ok(shot && inside && outside,
		"the capture is blue inside the damage and still red outside it");
	free(shot);
	ok(s1.presented == s0.presented + 1, "stats count presented frames");

	/* Capture equals what was committed */
	struct t_buffer pattern;
	make_buffer(a, &pattern, W, H, 0);
	for (int y = 0; y < H; y++) {
		for (int x = 0; x < W; x++) {
			pattern.pixels[y * W + x] = (uint32_t)((x * 4) << 16 | (y * 5) << 8 | ((x + y) & 0xff));
		}
	}
	lumen_display_output_v1_attach(out->proxy, pattern.proxy);
	struct t_frame fp;
	commit(out, &fp);
	pump(a, &fp.done);
	shot = capture(a, out);
	bool same = shot != NULL;
	for (int i = 0; same && i < W * H; i++) {
		same = (shot[i] & 0xffffff) == pattern.pixels[i];
	}
	ok(fp.presented && same, "a new buffer without damage is copied whole: the capture "
		"equals it pixel for pixel");
	free(shot);

	/* Gamma: a ramp that inverts red */
	int gfd = lumen_shm_create(3 * 256 * 2);
	uint16_t ramps[3 * 256];
	for (int i = 0; i < 256; i++) {
		ramps[i] = (uint16_t)((255 - i) * 257);
		ramps[256 + i] = ramps[512 + i] = (uint16_t)(i * 257);
	}
	ok(pwrite(gfd, ramps, sizeof(ramps), 0) == (ssize_t)sizeof(ramps), "gamma ramps written");
	lumen_display_output_v1_set_gamma(out->proxy, gfd, 256);
	close(gfd);
	shot = capture(a, out);
	ok(shot && px(shot, W, 10, 20) == ((uint32_t)(255 - 40) << 16 | (20 * 5) << 8 | 30),
		"with the inverting ramp red is inverted in the capture, green and blue kept "
		"(%06x)", shot ? px(shot, W, 10, 20) : 0);
	free(shot);
	gfd = lumen_shm_create(16);
	lumen_display_output_v1_set_gamma(out->proxy, gfd, 0);
	close(gfd);
	shot = capture(a, out);
	ok(shot && px(shot, W, 10, 20) == pattern.pixels[20 * W + 10],
		"gamma size 0 resets to identity");
	free(shot);

	/* Cursor */
	struct t_buffer cursor;
	make_buffer(a, &cursor, 4, 4, 0xff00ff00);
	lumen_display_output_v1_set_cursor(out->proxy, cursor.proxy, 1, 1);
	lumen_display_output_v1_move_cursor(out->proxy, 30, 30);
	shot = capture(a, out);
	ok(shot && px(shot, W, 29, 29) == 0x00ff00 && px(shot, W, 32, 32) == 0x00ff00 &&
			px(shot, W, 33, 33) == pattern.pixels[33 * W + 33] &&
			px(shot, W, 28, 28) == pattern.pixels[28 * W + 28],
		"the cursor is drawn at its position less its hotspot");
	free(shot);
	lumen_display_output_v1_set_cursor(out->proxy, NULL, 0, 0);
	free_buffer(&cursor);

	/* Power */
	lumen_display_output_v1_set_power(out->proxy, 0);
	struct t_frame foff;
	lumen_display_output_v1_attach(out->proxy, red.proxy);
	commit(out, &foff);
	pump(a, &foff.done);
	ok(foff.done && !foff.presented && out->power_on == 0,
		"with power off a commit is discarded and the state says off");
	shot = capture(a, out);
	bool black = shot != NULL;
	for (int i = 0; black && i < W * H; i++) {
		black = (shot[i] & 0xffffff) == 0;
	}
	ok(black, "with power off the capture is black");
	free(shot);
	lumen_display_output_v1_set_power(out->proxy, 1);
	lumen_display_output_v1_attach(out->proxy, pattern.proxy);
	lumen_display_output_v1_damage(out->proxy, 0, 0, 1, 1);
	struct t_frame fon;
	commit(out, &fon);
	pump(a, &fon.done);
	shot = capture(a, out);
	same = shot != NULL;
	for (int i = 0; same && i < W * H; i++) {
		same = (shot[i] & 0xffffff) == pattern.pixels[i];
	}
	ok(fon.presented && same, "power on again: the next frame shows the whole picture, the "
		"changes missed while off included");
	free(shot);

	/* Hotplug */
	struct t_client *c = client_connect();
	lumen_display_v1_create_virtual_output(c->global, 32, 24, 30000);
	roundtrip(c);
	roundtrip(a);
	struct t_output *a_new = find_output(a, "display:virtual/1");
	struct t_output *c_new = find_output(c, "display:virtual/1");
	ok(a_new && c_new && c_new->width == 32 && c_new->height == 24 && c_new->refresh == 30000,
		"create_virtual_output: every client is told of display:virtual/1, 32x24@30");
	if (c_new) {
		lumen_display_output_v1_remove(c_new->proxy);
		roundtrip(c);
		roundtrip(a);
	}
	ok(a_new && c_new && a_new->removed && c_new->removed,
		"remove: every client gets removed");
	if (a_new) {
		struct t_frame fgone;
		commit(a_new, &fgone);
		pump(a, &fgone.done);
		ok(fgone.done && !fgone.presented && !wl_display_get_error(a->display),
			"a commit on a removed output is discarded, no error");
		uint32_t *gone = capture(c, c_new);
		ok(gone == NULL, "a capture of a removed output fails");
		free(gone);
	}

	/* The master leaves: the last frame stays */
	free_buffer(&red);
	free_buffer(&blue);
	free_buffer(&pattern);
	client_disconnect(a);
	roundtrip(c);
	ok(ds_server_get_master(server) == NULL, "the master role ends when the master leaves");
	struct t_output *c_out = find_output(c, "display:virtual/0");
	shot = c_out ? capture(c, c_out) : NULL;
	same = shot != NULL;
	for (int y = 0; same && y < H; y++) {
		for (int x = 0; same && x < W; x++) {
			same = px(shot, W, x, y) == (uint32_t)((x * 4) << 16 | (y * 5) << 8 | ((x + y) & 0xff));
		}
	}
	ok(same, "after the master left the output keeps its last frame");
	free(shot);
	lumen_display_v1_become_master(c->global);
	ok(roundtrip(c) && ds_server_get_master(server) != NULL,
		"another client may become the master then");
	client_disconnect(c);
	ds_server_destroy(server);

	/* The restarting frame: a server that puts it up 50 ms after the master left */
	options.restart_frame_after_ms = 50;
	server = ds_server_create(&options);
	server_loop = ds_server_get_event_loop(server);
	a = client_connect();
	out = &a->outputs[0];
	lumen_display_v1_become_master(a->global);
	make_buffer(a, &red, W, H, 0xff0000);
	lumen_display_output_v1_attach(out->proxy, red.proxy);
	struct t_frame fr;
	commit(out, &fr);
	pump(a, &fr.done);
	free_buffer(&red);
	client_disconnect(a);
	c = client_connect();
	c_out = &c->outputs[0];
	/* Poll the screen until it changes (a hang guard, not a time limit on displayd). */
	shot = NULL;
	for (int i = 0; i < 500; i++) {
		free(shot);
		shot = capture(c, c_out);
		if (!shot || px(shot, W, 0, 0) != 0xff0000) {
			break;
		}
		usleep(10000);
	}
	int r = H / 8; // radius of the ring, min(W, H) / 8
	ok(fr.presented && shot && px(shot, W, 0, 0) == DS_RESTART_BACKGROUND &&
			px(shot, W, W / 2, H / 2) == DS_RESTART_BACKGROUND &&
			px(shot, W, W / 2 - r + 1, H / 2) == DS_RESTART_MARK &&
			px(shot, W, W / 2, H / 2 + r - 1) == DS_RESTART_MARK,
		"without a master the restarting frame follows: plain background with the ring mark");
	free(shot);
	client_disconnect(c);
	ds_server_destroy(server);

	printf("1..%d\n", test_no);
	return failures ? 1 : 0;
}
