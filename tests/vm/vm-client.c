/*
 * vm-client: the VM test's master for lumen-displayd's kms backend, run in the guest.
 *
 * Becomes the master of the first output and walks through what a compositor does:
 * full-screen and 1%-damage shm frames (waiting for each presented event), a capture,
 * the cursor plane, a mode change, a dmabuf scanned out with no copy, power off and on.
 * It prints "VM: key value..." result lines for the host to check, and asks the host
 * for a screendump with "@@screendump NAME", waiting for its answer line on stdin.
 *
 *   vm-client [--socket NAME] [--tag TAG] [--no-dmabuf] [--no-sync]
 *   vm-client [--socket NAME] [--tag TAG] --watch-hotplug
 *   vm-client [--socket NAME] [--tag TAG] --wait-color RRGGBB
 *
 * --watch-hotplug only watches (no master): it prints "ready" after the first burst,
 * then each output that appears ("hotplugged NAME modes=N") or goes ("removed NAME"),
 * and exits after one of each (or 30 s without news).
 *
 * --wait-color (no master either) captures the first output until its centre has that
 * colour (a compositor's window drawn), for at most 30 s, and prints what it saw.
 *
 * With a tag, result lines read "VM TAG: ..." and screendumps are named TAG-NAME, so
 * that one guest can run several passes (atomic, legacy).
 *
 * Exit status 0 when every step ran (the host judges the results), 1 otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <wayland-client.h>
#include <drm_fourcc.h>
#include <xf86drm.h>
#include "common/fd.h"
#include "lumen-display-v1-client-protocol.h"

#define RED 0xffff0000u
#define GREEN 0xff00ff00u
#define BLUE 0xff0000ffu
#define YELLOW 0xffffff00u
#define WHITE 0xffffffffu
#define CYAN 0xff00ffffu
#define MAGENTA 0xffff00ffu

struct vm_mode {
	int32_t width, height, refresh;
	uint32_t flags;
};

struct vm_output {
	struct lumen_display_output_v1 *proxy;
	char name[128];
	struct vm_mode modes[128];
	size_t n_modes;
	bool modes_reset;
	size_t n_formats;
	uint32_t enabled, power_on, gamma_size;
	int32_t cursor_w, cursor_h;
	bool removed, announced;
	struct vm_output *next;
};

struct vm {
	struct wl_display *display;
	struct lumen_display_v1 *global;
	struct vm_output *outputs; // newest first
	bool done, render_node, sync;
};

struct vm_shm {
	struct lumen_display_buffer_v1 *proxy;
	uint32_t *data;
	size_t size;
	int32_t width, height, stride;
};

static struct vm vm;
static const char *tag = "main";

/* A result line for the host: "VM TAG: ..." */
__attribute__((format(printf, 1, 2))) static void report(const char *fmt, ...) {
	va_list args;
	va_start(args, fmt);
	printf("VM %s: ", tag);
	vprintf(fmt, args);
	printf("\n");
	va_end(args);
	fflush(stdout);
}

static void fail(const char *what) {
	int err = wl_display_get_error(vm.display);
	if (err == EPROTO) {
		const struct wl_interface *interface = NULL;
		uint32_t id = 0;
		uint32_t code = wl_display_get_protocol_error(vm.display, &interface, &id);
		report("FAIL %s: protocol error %s %u", what, interface ? interface->name : "?",
			code);
	} else {
		report("FAIL %s: %s", what, err ? strerror(err) : "");
	}
	fflush(stdout);
	exit(1);
}

static void dispatch(const char *what) {
	if (wl_display_dispatch(vm.display) < 0) {
		fail(what);
	}
}

static void roundtrip(const char *what) {
	if (wl_display_roundtrip(vm.display) < 0) {
		fail(what);
	}
}

/* The host takes a screendump; it answers a line once the file is written. */
static void screendump(const char *name) {
	if (!vm.sync) {
		return;
	}
	printf("@@screendump %s-%s\n", tag, name);
	fflush(stdout);
	char line[256];
	if (!fgets(line, sizeof(line), stdin)) {
		report("FAIL no answer from the host");
		exit(1);
	}
	if (strncmp(line, "ok", 2) != 0) {
		report("screendump %s failed: %.100s", name, line);
	}
}

/* ---- output events ---- */

static void output_name(void *data, struct lumen_display_output_v1 *proxy, const char *name) {
	struct vm_output *out = data;
	snprintf(out->name, sizeof(out->name), "%s", name);
}

static void output_description(void *data, struct lumen_display_output_v1 *proxy,
		const char *make, const char *model, const char *serial) {
	report("description make=%s model=%s serial=%s", make, model, serial);
}

static void output_physical_size(void *data, struct lumen_display_output_v1 *proxy, int32_t w,
		int32_t h) {
}

static void output_mode(void *data, struct lumen_display_output_v1 *proxy, int32_t width,
		int32_t height, int32_t refresh, uint32_t flags) {
	struct vm_output *out = data;
	if (out->modes_reset) {
		out->n_modes = 0;
		out->modes_reset = false;
	}
	if (out->n_modes < sizeof(out->modes) / sizeof(out->modes[0])) {
		out->modes[out->n_modes++] = (struct vm_mode){width, height, refresh, flags};
	}
}

static void output_format(void *data, struct lumen_display_output_v1 *proxy, uint32_t format,
		uint32_t hi, uint32_t lo) {
	struct vm_output *out = data;
	out->n_formats++;
}

static void output_state(void *data, struct lumen_display_output_v1 *proxy, uint32_t enabled,
		uint32_t power_on, uint32_t gamma_size, int32_t cursor_w, int32_t cursor_h) {
	struct vm_output *out = data;
	out->enabled = enabled;
	out->power_on = power_on;
	out->gamma_size = gamma_size;
	out->cursor_w = cursor_w;
	out->cursor_h = cursor_h;
}

static int hotplugged, unplugged;

static void output_done(void *data, struct lumen_display_output_v1 *proxy) {
	struct vm_output *out = data;
	if (!out->announced && vm.done) {
		report("hotplugged %s modes=%zu", out->name, out->n_modes);
		hotplugged++;
	}
	out->announced = true;
	out->modes_reset = true;
}

static void output_removed(void *data, struct lumen_display_output_v1 *proxy) {
	struct vm_output *out = data;
	out->removed = true;
	unplugged++;
	report("removed %s", out->name);
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

static void display_output(void *data, struct lumen_display_v1 *global,
		struct lumen_display_output_v1 *proxy) {
	struct vm_output *out = calloc(1, sizeof(*out));
	if (!out) {
		abort();
	}
	out->proxy = proxy;
	out->next = vm.outputs;
	vm.outputs = out;
	lumen_display_output_v1_add_listener(proxy, &output_listener, out);
}

static void display_render_node(void *data, struct lumen_display_v1 *global, int fd) {
	vm.render_node = true;
	close(fd);
}

static void display_done(void *data, struct lumen_display_v1 *global) {
	vm.done = true;
}

static const struct lumen_display_v1_listener display_listener = {
	.output = display_output,
	.render_node = display_render_node,
	.done = display_done,
};

static void registry_global(void *data, struct wl_registry *registry, uint32_t name,
		const char *interface, uint32_t version) {
	if (strcmp(interface, lumen_display_v1_interface.name) == 0 && !vm.global) {
		vm.global = wl_registry_bind(registry, name, &lumen_display_v1_interface, 1);
		lumen_display_v1_add_listener(vm.global, &display_listener, NULL);
	}
}

static void registry_global_remove(void *data, struct wl_registry *registry, uint32_t name) {
}

static const struct wl_registry_listener registry_listener = {
	.global = registry_global,
	.global_remove = registry_global_remove,
};

/* ---- results ---- */

struct frame_result {
	bool done, presented;
	struct timespec when;
	uint64_t seq;
	uint32_t flags;
};

static void frame_presented(void *data, struct lumen_display_frame_v1 *frame, uint32_t sec_hi,
		uint32_t sec_lo, uint32_t nsec, uint32_t refresh, uint32_t seq_hi, uint32_t seq_lo,
		uint32_t flags) {
	struct frame_result *r = data;
	r->done = r->presented = true;
	r->when.tv_sec = (time_t)((uint64_t)sec_hi << 32 | sec_lo);
	r->when.tv_nsec = nsec;
	r->seq = (uint64_t)seq_hi << 32 | seq_lo;
	r->flags = flags;
	lumen_display_frame_v1_destroy(frame);
}

static void frame_discarded(void *data, struct lumen_display_frame_v1 *frame) {
	struct frame_result *r = data;
	r->done = true;
	lumen_display_frame_v1_destroy(frame);
}

static const struct lumen_display_frame_v1_listener frame_listener = {
	.presented = frame_presented,
	.discarded = frame_discarded,
};

struct configure_result {
	bool done, ok;
	char reason[128];
};

static void configure_succeeded(void *data, struct lumen_display_configure_v1 *proxy) {
	struct configure_result *r = data;
	r->done = r->ok = true;
	lumen_display_configure_v1_destroy(proxy);
}

static void configure_failed(void *data, struct lumen_display_configure_v1 *proxy,
		const char *reason) {
	struct configure_result *r = data;
	r->done = true;
	snprintf(r->reason, sizeof(r->reason), "%s", reason);
	lumen_display_configure_v1_destroy(proxy);
}

static const struct lumen_display_configure_v1_listener configure_listener = {
	.succeeded = configure_succeeded,
	.failed = configure_failed,
};

struct capture_result {
	bool done, ok;
};

static void capture_done(void *data, struct lumen_display_capture_v1 *proxy, uint32_t sec_hi,
		uint32_t sec_lo, uint32_t nsec) {
	struct capture_result *r = data;
	r->done = r->ok = true;
	lumen_display_capture_v1_destroy(proxy);
}

static void capture_failed(void *data, struct lumen_display_capture_v1 *proxy,
		const char *reason) {
	struct capture_result *r = data;
	r->done = true;
	report("capture failed: %s", reason);
	lumen_display_capture_v1_destroy(proxy);
}

static const struct lumen_display_capture_v1_listener capture_listener = {
	.done = capture_done,
	.failed = capture_failed,
};

struct stats_result {
	bool done;
	uint64_t bytes;
};

static void stats_stats(void *data, struct lumen_display_stats_v1 *proxy, uint32_t hi,
		uint32_t lo, uint32_t presented, uint32_t discarded) {
	struct stats_result *r = data;
	r->done = true;
	r->bytes = (uint64_t)hi << 32 | lo;
	lumen_display_stats_v1_destroy(proxy);
}

static const struct lumen_display_stats_v1_listener stats_listener = {
	.stats = stats_stats,
};

/* ---- helpers ---- */

static bool shm_create_format(struct vm_shm *shm, int32_t width, int32_t height,
		uint32_t format) {
	shm->width = width;
	shm->height = height;
	shm->stride = width * 4;
	shm->size = (size_t)shm->stride * (size_t)height;
	int fd = lumen_shm_create(shm->size);
	if (fd < 0) {
		return false;
	}
	shm->data = mmap(NULL, shm->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (shm->data == MAP_FAILED) {
		close(fd);
		return false;
	}
	shm->proxy = lumen_display_v1_create_shm_buffer(vm.global, fd, 0, width, height,
		shm->stride, format);
	close(fd);
	return true;
}

static bool shm_create(struct vm_shm *shm, int32_t width, int32_t height) {
	return shm_create_format(shm, width, height, DRM_FORMAT_XRGB8888);
}

static void shm_destroy(struct vm_shm *shm) {
	if (shm->proxy) {
		lumen_display_buffer_v1_destroy(shm->proxy);
	}
	if (shm->data) {
		munmap(shm->data, shm->size);
	}
	memset(shm, 0, sizeof(*shm));
}

static void fill(uint32_t *data, int32_t stride, int32_t x, int32_t y, int32_t w, int32_t h,
		uint32_t color) {
	for (int32_t j = y; j < y + h; j++) {
		uint32_t *row = (uint32_t *)((uint8_t *)data + (size_t)j * (size_t)stride);
		for (int32_t i = x; i < x + w; i++) {
			row[i] = color;
		}
	}
}

static uint32_t pixel(const uint32_t *data, int32_t stride, int32_t x, int32_t y) {
	return ((const uint32_t *)((const uint8_t *)data + (size_t)y * (size_t)stride))[x] & 0xffffff;
}

/* Commits buffer with damage (NULL: none given, the whole buffer) and waits. */
static struct frame_result commit_wait(struct vm_output *out,
		struct lumen_display_buffer_v1 *buffer, const int32_t (*rects)[4], int n_rects) {
	struct frame_result r = {0};
	lumen_display_output_v1_attach(out->proxy, buffer);
	for (int i = 0; i < n_rects; i++) {
		lumen_display_output_v1_damage(out->proxy, rects[i][0], rects[i][1], rects[i][2],
			rects[i][3]);
	}
	struct lumen_display_frame_v1 *frame = lumen_display_output_v1_commit(out->proxy);
	lumen_display_frame_v1_add_listener(frame, &frame_listener, &r);
	while (!r.done) {
		dispatch("waiting for a frame");
	}
	return r;
}

static bool configure(struct vm_output *out, int32_t w, int32_t h, int32_t refresh,
		bool enabled) {
	struct configure_result r = {0};
	struct lumen_display_configure_v1 *c =
		lumen_display_output_v1_configure(out->proxy, w, h, refresh, enabled, 0);
	lumen_display_configure_v1_add_listener(c, &configure_listener, &r);
	while (!r.done) {
		dispatch("configure");
	}
	if (!r.ok) {
		report("configure %dx%d failed: %s", w, h, r.reason);
	}
	roundtrip("configure");
	return r.ok;
}

static uint64_t bytes_copied(struct vm_output *out) {
	struct stats_result r = {0};
	struct lumen_display_stats_v1 *s = lumen_display_output_v1_get_stats(out->proxy);
	lumen_display_stats_v1_add_listener(s, &stats_listener, &r);
	while (!r.done) {
		dispatch("stats");
	}
	return r.bytes;
}

static int64_t ts_ns(const struct timespec *t) {
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

/* Reads what the output shows through displayd's capture. */
static bool capture(struct vm_output *out, int32_t w, int32_t h, struct vm_shm *dst) {
	dst->width = w;
	dst->height = h;
	dst->stride = w * 4;
	dst->size = (size_t)dst->stride * (size_t)h;
	int fd = lumen_shm_create(dst->size);
	if (fd < 0) {
		return false;
	}
	dst->data = mmap(NULL, dst->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (dst->data == MAP_FAILED) {
		dst->data = NULL;
		close(fd);
		return false;
	}
	struct capture_result r = {0};
	struct lumen_display_capture_v1 *c = lumen_display_output_v1_capture(out->proxy, fd, w, h,
		dst->stride, DRM_FORMAT_XRGB8888);
	close(fd);
	lumen_display_capture_v1_add_listener(c, &capture_listener, &r);
	while (!r.done) {
		dispatch("capture");
	}
	return r.ok;
}

/* Prints the cursor plane's state from debugfs (kernel's view, not ours). */
static void print_plane_state(void) {
	FILE *f = fopen("/sys/kernel/debug/dri/0/state", "r");
	if (!f) {
		report("no debugfs state");
		return;
	}
	char line[256];
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "plane[") || strstr(line, "fb=") || strstr(line, "crtc-pos=")) {
			printf("VM-STATE %s: %s", tag, line);
		}
	}
	fclose(f);
}

/* A dumb buffer of our own on the card, handed over as a dmabuf. */
struct vm_dumb {
	int card_fd, dmabuf_fd;
	uint32_t handle, pitch;
	uint64_t size;
	uint32_t *map;
};

static bool dumb_dmabuf(struct vm_dumb *d, int32_t w, int32_t h, uint32_t color) {
	d->card_fd = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
	if (d->card_fd < 0) {
		report("dmabuf: cannot open the card: %s", strerror(errno));
		return false;
	}
	struct drm_mode_create_dumb create = {.width = (uint32_t)w, .height = (uint32_t)h, .bpp = 32};
	if (drmIoctl(d->card_fd, DRM_IOCTL_MODE_CREATE_DUMB, &create) < 0) {
		report("dmabuf: CREATE_DUMB: %s", strerror(errno));
		return false;
	}
	d->handle = create.handle;
	d->pitch = create.pitch;
	d->size = create.size;
	struct drm_mode_map_dumb map = {.handle = d->handle};
	if (drmIoctl(d->card_fd, DRM_IOCTL_MODE_MAP_DUMB, &map) < 0) {
		report("dmabuf: MAP_DUMB: %s", strerror(errno));
		return false;
	}
	d->map = mmap(NULL, d->size, PROT_READ | PROT_WRITE, MAP_SHARED, d->card_fd,
		(off_t)map.offset);
	if (d->map == MAP_FAILED) {
		d->map = NULL;
		return false;
	}
	fill(d->map, (int32_t)d->pitch, 0, 0, w, h, color);
	if (drmPrimeHandleToFD(d->card_fd, d->handle, DRM_CLOEXEC | DRM_RDWR, &d->dmabuf_fd) < 0) {
		report("dmabuf: PRIME export: %s", strerror(errno));
		return false;
	}
	return true;
}

static struct wl_registry *registry;

/* Everything let go, so that LeakSanitizer has nothing to say. */
static void disconnect(void) {
	while (vm.outputs) {
		struct vm_output *out = vm.outputs;
		vm.outputs = out->next;
		lumen_display_output_v1_destroy(out->proxy);
		free(out);
	}
	lumen_display_v1_destroy(vm.global);
	wl_registry_destroy(registry);
	wl_display_disconnect(vm.display);
}

/* Prints outputs coming and going until one of each was seen. */
static int watch_hotplug(void) {
	report("ready");
	while (hotplugged < 1 || unplugged < 1) {
		wl_display_flush(vm.display);
		struct pollfd pfd = {.fd = wl_display_get_fd(vm.display), .events = POLLIN};
		int n = poll(&pfd, 1, 30000);
		if (n == 0) {
			report("FAIL no hotplug for 30 s");
			return 1;
		}
		if (n < 0 || wl_display_dispatch(vm.display) < 0) {
			fail("watching");
		}
	}
	return 0;
}

/* Captures the first output until its centre shows rgb. */
static int wait_color(struct vm_output *out, uint32_t rgb) {
	int32_t w = 0, h = 0;
	for (size_t i = 0; i < out->n_modes; i++) {
		if (out->modes[i].flags & LUMEN_DISPLAY_OUTPUT_V1_MODE_FLAGS_CURRENT) {
			w = out->modes[i].width;
			h = out->modes[i].height;
		}
	}
	if (w <= 0) {
		report("FAIL %s has no current mode", out->name);
		return 1;
	}
	uint32_t seen = 0;
	for (int i = 0; i < 300; i++) {
		struct vm_shm cap = {0};
		bool ok = capture(out, w, h, &cap);
		if (ok) {
			seen = pixel(cap.data, cap.stride, w / 2, h / 2);
		}
		if (cap.data) {
			munmap(cap.data, cap.size);
		}
		if (ok && seen == rgb) {
			report("centre %06x", seen);
			return 0;
		}
		nanosleep(&(struct timespec){.tv_nsec = 100 * 1000 * 1000}, NULL);
	}
	report("FAIL the centre stayed %06x", seen);
	return 1;
}

int main(int argc, char *argv[]) {
	const char *socket = getenv("LUMEN_DISPLAY_SOCKET");
	bool try_dmabuf = true, watch = false;
	const char *wait_rgb = NULL;
	vm.sync = true;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc) {
			socket = argv[++i];
		} else if (strcmp(argv[i], "--tag") == 0 && i + 1 < argc) {
			tag = argv[++i];
		} else if (strcmp(argv[i], "--wait-color") == 0 && i + 1 < argc) {
			wait_rgb = argv[++i];
		} else if (strcmp(argv[i], "--watch-hotplug") == 0) {
			watch = true;
		} else if (strcmp(argv[i], "--no-dmabuf") == 0) {
			try_dmabuf = false;
		} else if (strcmp(argv[i], "--no-sync") == 0) {
			vm.sync = false;
		} else {
			fprintf(stderr, "usage: vm-client [--socket NAME] [--tag TAG] [--no-dmabuf] [--no-sync] "
							"[--watch-hotplug] [--wait-color RRGGBB]\n");
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	vm.display = wl_display_connect(socket ? socket : "lumen-display-0");
	if (!vm.display) {
		report("FAIL cannot connect: %s", strerror(errno));
		return 1;
	}
	registry = wl_display_get_registry(vm.display);
	wl_registry_add_listener(registry, &registry_listener, NULL);
	roundtrip("registry");
	if (!vm.global) {
		report("FAIL no lumen_display_v1");
		return 1;
	}
	while (!vm.done) {
		dispatch("the first burst");
	}
	int n = 0;
	for (struct vm_output *o = vm.outputs; o; o = o->next) {
		n++;
	}
	report("outputs %d", n);
	report("render_node %s", vm.render_node ? "yes" : "no");
	if (watch) {
		int ret = watch_hotplug();
		disconnect();
		return ret;
	}
	struct vm_output *out = vm.outputs;
	while (out && out->next) {
		out = out->next; // the first announced
	}
	if (!out) {
		report("FAIL no output");
		return 1;
	}
	if (wait_rgb) {
		int ret = wait_color(out, (uint32_t)strtoul(wait_rgb, NULL, 16) & 0xffffff);
		disconnect();
		return ret;
	}
	int32_t w = 0, h = 0, refresh = 0;
	for (size_t i = 0; i < out->n_modes; i++) {
		if (out->modes[i].flags & LUMEN_DISPLAY_OUTPUT_V1_MODE_FLAGS_CURRENT) {
			w = out->modes[i].width;
			h = out->modes[i].height;
			refresh = out->modes[i].refresh;
		}
	}
	report("output %s %dx%d@%d enabled=%u cursor=%dx%d gamma=%u modes=%zu formats=%zu",
		out->name, w, h, refresh, out->enabled, out->cursor_w, out->cursor_h, out->gamma_size,
		out->n_modes, out->n_formats);
	if (!out->enabled || w <= 0) {
		/* Nothing lit at start: take the preferred mode. */
		for (size_t i = 0; i < out->n_modes && w <= 0; i++) {
			if (out->modes[i].flags & LUMEN_DISPLAY_OUTPUT_V1_MODE_FLAGS_PREFERRED) {
				w = out->modes[i].width;
				h = out->modes[i].height;
				refresh = out->modes[i].refresh;
			}
		}
	}

	/* Still what was there before us: displayd blanks nothing by itself. */
	screendump("before");

	lumen_display_v1_become_master(vm.global);
	roundtrip("become_master");
	if (!configure(out, w, h, refresh, true)) {
		return 1;
	}
	report("configured %dx%d", w, h);

	/* Frame 1: all red, no damage given (all of it). Then 1% rectangles. */
	struct vm_shm shm = {0};
	if (!shm_create(&shm, w, h)) {
		report("FAIL shm");
		return 1;
	}
	fill(shm.data, shm.stride, 0, 0, w, h, RED);
	struct frame_result first = commit_wait(out, shm.proxy, NULL, 0);
	int presented = first.presented ? 1 : 0, discarded = first.presented ? 0 : 1;
	bool increasing = true;
	uint32_t flags_all = first.flags, flags_any = first.flags;
	struct frame_result last = first;
	report("first frame %s flags=0x%x", first.presented ? "presented" : "discarded",
		first.flags);

	int32_t rw = w / 10, rh = h / 10; // 1% of the output
	int32_t a[4] = {w / 10, h / 10, rw, rh};
	int32_t b[4] = {w / 2, h / 2, rw, rh};
	report("rect_a %d %d %d %d", a[0], a[1], a[2], a[3]);
	report("rect_b %d %d %d %d", b[0], b[1], b[2], b[3]);
	fill(shm.data, shm.stride, a[0], a[1], a[2], a[3], GREEN);
	struct frame_result r = commit_wait(out, shm.proxy, (const int32_t(*)[4])a, 1);
	fill(shm.data, shm.stride, b[0], b[1], b[2], b[3], BLUE);
	struct frame_result r2 = commit_wait(out, shm.proxy, (const int32_t(*)[4])b, 1);
	struct frame_result steps[2] = {r, r2};
	for (int i = 0; i < 2; i++) {
		presented += steps[i].presented;
		discarded += !steps[i].presented;
		increasing = increasing && ts_ns(&steps[i].when) > ts_ns(&last.when) &&
			steps[i].seq > last.seq;
		flags_all &= steps[i].flags;
		flags_any |= steps[i].flags;
		last = steps[i];
	}
	/* A ticker: a 1% rectangle walking right, the old place painted back. */
	uint64_t bytes_before = bytes_copied(out);
	int ticks = 10;
	int32_t ty = h * 3 / 4, tx = 0;
	int32_t step = rw / 2;
	for (int i = 0; i < ticks; i++) {
		int32_t rects[2][4] = {{tx, ty, rw, rh}, {tx + step, ty, rw, rh}};
		fill(shm.data, shm.stride, tx, ty, rw, rh, RED);
		tx += step;
		fill(shm.data, shm.stride, tx, ty, rw, rh, YELLOW);
		struct frame_result t = commit_wait(out, shm.proxy, (const int32_t(*)[4])rects, 2);
		presented += t.presented;
		discarded += !t.presented;
		increasing = increasing && ts_ns(&t.when) > ts_ns(&last.when) && t.seq > last.seq;
		flags_all &= t.flags;
		flags_any |= t.flags;
		last = t;
	}
	uint64_t bytes_after = bytes_copied(out);
	report("rect_c %d %d %d %d", tx, ty, rw, rh);
	report("presented %d discarded %d increasing %d flags_all 0x%x flags_any 0x%x",
		presented, discarded, increasing ? 1 : 0, flags_all, flags_any);
	report("ticker_bytes_per_frame %llu frame_bytes %llu",
		(unsigned long long)((bytes_after - bytes_before) / (uint64_t)ticks),
		(unsigned long long)((uint64_t)w * (uint64_t)h * 4));
	screendump("pattern");

	struct vm_shm cap = {0};
	if (capture(out, w, h, &cap)) {
		report("capture a=%06x b=%06x c=%06x bg=%06x",
			pixel(cap.data, cap.stride, a[0] + rw / 2, a[1] + rh / 2),
			pixel(cap.data, cap.stride, b[0] + rw / 2, b[1] + rh / 2),
			pixel(cap.data, cap.stride, tx + rw / 2, ty + rh / 2),
			pixel(cap.data, cap.stride, w - 5, 5));
	}
	munmap(cap.data, cap.size);
	cap.data = NULL;

	/* The cursor plane: a magenta square at a known place. */
	if (out->cursor_w > 0) {
		struct vm_shm cur = {0};
		if (!shm_create_format(&cur, out->cursor_w, out->cursor_h, DRM_FORMAT_ARGB8888)) {
			report("FAIL cursor shm");
			return 1;
		}
		memset(cur.data, 0, cur.size);
		fill(cur.data, cur.stride, 0, 0, out->cursor_w / 2, out->cursor_h / 2, MAGENTA);
		int32_t cx = w * 3 / 4, cy = h / 4;
		lumen_display_output_v1_set_cursor(out->proxy, cur.proxy, 2, 3);
		lumen_display_output_v1_move_cursor(out->proxy, cx, cy);
		roundtrip("cursor");
		/* One more frame, so that the cursor surely rode a flip. */
		struct frame_result t = commit_wait(out, shm.proxy, NULL, 0);
		report("cursor at %d %d hotspot 2 3 size %dx%d frame %s", cx, cy, out->cursor_w,
			out->cursor_h, t.presented ? "presented" : "discarded");
		print_plane_state();
		if (capture(out, w, h, &cap)) {
			report("capture cursor=%06x beside=%06x",
				pixel(cap.data, cap.stride, cx - 2 + 4, cy - 3 + 4),
				pixel(cap.data, cap.stride, cx - 2 + out->cursor_w / 2 + 4, cy - 3 + 4));
		}
		munmap(cap.data, cap.size);
		cap.data = NULL;
		screendump("cursor");
		lumen_display_output_v1_set_cursor(out->proxy, NULL, 0, 0);
		shm_destroy(&cur);
		roundtrip("cursor off");
	}

	/* A mode change: another size from the driver's list. */
	int32_t mw = 0, mh = 0, mr = 0;
	for (size_t i = 0; i < out->n_modes; i++) {
		struct vm_mode *m = &out->modes[i];
		if (m->width == 1024 && m->height == 768) {
			mw = m->width, mh = m->height, mr = m->refresh;
			break;
		}
		if (!mw && m->width != w && m->width <= 1920 && m->height <= 1200) {
			mw = m->width, mh = m->height, mr = m->refresh;
		}
	}
	if (mw) {
		if (configure(out, mw, mh, mr, true)) {
			struct vm_shm m = {0};
			shm_create(&m, mw, mh);
			fill(m.data, m.stride, 0, 0, mw / 2, mh / 2, RED);
			fill(m.data, m.stride, mw / 2, 0, mw - mw / 2, mh / 2, GREEN);
			fill(m.data, m.stride, 0, mh / 2, mw / 2, mh - mh / 2, BLUE);
			fill(m.data, m.stride, mw / 2, mh / 2, mw - mw / 2, mh - mh / 2, WHITE);
			struct frame_result t = commit_wait(out, m.proxy, NULL, 0);
			report("mode %dx%d frame %s", mw, mh, t.presented ? "presented" : "discarded");
			screendump("mode");
			shm_destroy(&m);
			w = mw;
			h = mh;
		}
	} else {
		report("no other mode to change to");
	}

	/* A dmabuf: scanned out as it is. */
	if (try_dmabuf) {
		struct vm_dumb d = {.card_fd = -1, .dmabuf_fd = -1};
		if (dumb_dmabuf(&d, w, h, CYAN)) {
			struct lumen_display_dmabuf_params_v1 *params =
				lumen_display_v1_create_dmabuf_params(vm.global);
			lumen_display_dmabuf_params_v1_add(params, d.dmabuf_fd, 0, 0, d.pitch);
			struct lumen_display_buffer_v1 *buf = lumen_display_dmabuf_params_v1_create(params,
				w, h, DRM_FORMAT_XRGB8888, (uint32_t)(DRM_FORMAT_MOD_LINEAR >> 32),
				(uint32_t)DRM_FORMAT_MOD_LINEAR);
			lumen_display_dmabuf_params_v1_destroy(params);
			struct frame_result t = commit_wait(out, buf, NULL, 0);
			report("dmabuf frame %s flags=0x%x", t.presented ? "presented" : "discarded",
				t.flags);
			screendump("dmabuf");
			lumen_display_buffer_v1_destroy(buf);
		}
		if (d.dmabuf_fd >= 0) {
			close(d.dmabuf_fd);
		}
		if (d.map) {
			munmap(d.map, d.size);
		}
		if (d.card_fd >= 0) {
			close(d.card_fd);
		}
	}

	/* Power: off discards frames, on shows them again. */
	struct vm_shm p = {0};
	shm_create(&p, w, h);
	fill(p.data, p.stride, 0, 0, w, h, GREEN);
	lumen_display_output_v1_set_power(out->proxy, 0);
	roundtrip("power off");
	struct frame_result off = commit_wait(out, p.proxy, NULL, 0);
	lumen_display_output_v1_set_power(out->proxy, 1);
	roundtrip("power on");
	struct frame_result on = commit_wait(out, p.proxy, NULL, 0);
	report("power off frame %s, on frame %s", off.presented ? "presented" : "discarded",
		on.presented ? "presented" : "discarded");
	screendump("power");
	shm_destroy(&p);

	shm_destroy(&shm);
	roundtrip("the end");
	report("client done");
	disconnect();
	return 0;
}
