/*
 * ds-paint: a minimal master for the integration tests. Becomes the master, fills one
 * output with a colour, commits, prints "presented SEQ" (or "discarded") and then
 * either exits or, with --stay, stays the master until killed.
 *
 *   ds-paint NAME RRGGBB [--stay]      (socket: $LUMEN_DISPLAY_SOCKET or lumen-display-0)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wayland-client.h>
#include "common/fd.h"
#include "lumen-display-v1-client-protocol.h"

struct paint {
	struct lumen_display_v1 *global;
	struct lumen_display_output_v1 *outputs[16];
	char names[16][128];
	int32_t widths[16], heights[16];
	int n;
	bool done, frame_done, presented;
	uint64_t seq;
};

static void o_name(void *data, struct lumen_display_output_v1 *p, const char *name) {
	struct paint *pt = data;
	for (int i = 0; i < pt->n; i++) {
		if (pt->outputs[i] == p) {
			snprintf(pt->names[i], sizeof(pt->names[i]), "%s", name);
		}
	}
}
static void o_description(void *d, struct lumen_display_output_v1 *p, const char *a,
		const char *b, const char *c) {
}
static void o_physical_size(void *d, struct lumen_display_output_v1 *p, int32_t w, int32_t h) {
}
static void o_mode(void *data, struct lumen_display_output_v1 *p, int32_t w, int32_t h,
		int32_t refresh, uint32_t flags) {
	struct paint *pt = data;
	for (int i = 0; i < pt->n; i++) {
		if (pt->outputs[i] == p && (flags & LUMEN_DISPLAY_OUTPUT_V1_MODE_FLAGS_CURRENT)) {
			pt->widths[i] = w;
			pt->heights[i] = h;
		}
	}
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

static void d_output(void *data, struct lumen_display_v1 *g, struct lumen_display_output_v1 *p) {
	struct paint *pt = data;
	if (pt->n < 16) {
		pt->outputs[pt->n++] = p;
		lumen_display_output_v1_add_listener(p, &output_listener, pt);
	}
}
static void d_render_node(void *d, struct lumen_display_v1 *g, int fd) {
	close(fd);
}
static void d_done(void *data, struct lumen_display_v1 *g) {
	((struct paint *)data)->done = true;
}
static const struct lumen_display_v1_listener display_listener = {d_output, d_render_node, d_done};

static void r_global(void *data, struct wl_registry *r, uint32_t name, const char *iface,
		uint32_t version) {
	struct paint *pt = data;
	if (strcmp(iface, lumen_display_v1_interface.name) == 0) {
		pt->global = wl_registry_bind(r, name, &lumen_display_v1_interface, 1);
		lumen_display_v1_add_listener(pt->global, &display_listener, pt);
	}
}
static void r_remove(void *d, struct wl_registry *r, uint32_t name) {
}
static const struct wl_registry_listener registry_listener = {r_global, r_remove};

static void f_presented(void *data, struct lumen_display_frame_v1 *f, uint32_t a, uint32_t b,
		uint32_t c, uint32_t refresh, uint32_t seq_hi, uint32_t seq_lo, uint32_t flags) {
	struct paint *pt = data;
	pt->frame_done = pt->presented = true;
	pt->seq = ((uint64_t)seq_hi << 32) | seq_lo;
	lumen_display_frame_v1_destroy(f);
}
static void f_discarded(void *data, struct lumen_display_frame_v1 *f) {
	((struct paint *)data)->frame_done = true;
	lumen_display_frame_v1_destroy(f);
}
static const struct lumen_display_frame_v1_listener frame_listener = {f_presented, f_discarded};

int main(int argc, char *argv[]) {
	if (argc < 3) {
		fprintf(stderr, "usage: ds-paint NAME RRGGBB [--stay]\n");
		return 2;
	}
	uint32_t colour = (uint32_t)strtoul(argv[2], NULL, 16);
	bool stay = argc > 3 && strcmp(argv[3], "--stay") == 0;
	const char *socket = getenv("LUMEN_DISPLAY_SOCKET");
	struct wl_display *display = wl_display_connect(socket && socket[0] ? socket : "lumen-display-0");
	if (!display) {
		fprintf(stderr, "ds-paint: cannot connect\n");
		return 1;
	}
	struct paint pt = {0};
	struct wl_registry *registry = wl_display_get_registry(display);
	wl_registry_add_listener(registry, &registry_listener, &pt);
	wl_display_roundtrip(display);
	while (pt.global && !pt.done && wl_display_dispatch(display) >= 0) {
	}
	int index = -1;
	for (int i = 0; i < pt.n; i++) {
		if (strcmp(pt.names[i], argv[1]) == 0) {
			index = i;
		}
	}
	if (index < 0) {
		fprintf(stderr, "ds-paint: no output %s\n", argv[1]);
		return 1;
	}
	int32_t w = pt.widths[index], h = pt.heights[index];
	size_t size = (size_t)w * (size_t)h * 4;
	int fd = lumen_shm_create(size);
	uint32_t *pixels = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (fd < 0 || pixels == MAP_FAILED) {
		fprintf(stderr, "ds-paint: no shm\n");
		return 1;
	}
	for (size_t i = 0; i < (size_t)w * (size_t)h; i++) {
		pixels[i] = colour;
	}
	lumen_display_v1_become_master(pt.global);
	struct lumen_display_buffer_v1 *buffer =
		lumen_display_v1_create_shm_buffer(pt.global, fd, 0, w, h, w * 4, 0x34325258);
	close(fd);
	struct lumen_display_output_v1 *output = pt.outputs[index];
	lumen_display_output_v1_attach(output, buffer);
	struct lumen_display_frame_v1 *frame = lumen_display_output_v1_commit(output);
	lumen_display_frame_v1_add_listener(frame, &frame_listener, &pt);
	while (!pt.frame_done) {
		if (wl_display_dispatch(display) < 0) {
			fprintf(stderr, "ds-paint: connection failed\n");
			return 1;
		}
	}
	if (pt.presented) {
		printf("presented %llu\n", (unsigned long long)pt.seq);
	} else {
		printf("discarded\n");
	}
	fflush(stdout);
	while (stay && wl_display_dispatch(display) >= 0) {
	}
	munmap(pixels, size);
	lumen_display_buffer_v1_destroy(buffer);
	for (int i = 0; i < pt.n; i++) {
		lumen_display_output_v1_destroy(pt.outputs[i]);
	}
	lumen_display_v1_destroy(pt.global);
	wl_registry_destroy(registry);
	wl_display_disconnect(display);
	return pt.presented ? 0 : 1;
}
