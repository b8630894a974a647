/* A lumen-display client for the tests: outputs, buffers, commits, capture. */
#ifndef GPU_TESTS_DISPLAY_H
#define GPU_TESTS_DISPLAY_H

#include <stdbool.h>
#include <stdint.h>
#include "harness.h"

struct wl_display;
struct wl_registry;
struct lumen_display_v1;
struct lumen_display_output_v1;
struct lumen_display_buffer_v1;

#define GT_MAX_OUTPUTS 16
#define GT_MAX_MODES 64
#define GT_MAX_FORMATS 64

struct gt_mode {
	int32_t width, height, refresh;
	uint32_t flags;
};

struct gt_output {
	struct lumen_display_output_v1 *proxy;
	char name[128];
	struct gt_mode modes[GT_MAX_MODES];
	int n_modes;
	int32_t width, height, refresh; // current
	uint32_t formats[GT_MAX_FORMATS];
	uint64_t modifiers[GT_MAX_FORMATS];
	int n_formats;
	bool enabled, power_on;
	uint32_t gamma_size;
	int32_t cursor_width, cursor_height;
	bool removed;
	int done_count;
};

struct gt_display {
	struct wl_display *wl;
	struct wl_registry *registry;
	struct lumen_display_v1 *global;
	struct gt_output outputs[GT_MAX_OUTPUTS];
	int n_outputs;
	int render_node_fd; // -1 if none
	bool done;
	bool master;
};

/** Connects and reads the first burst; NULL with why. */
struct gt_display *gt_display_connect(const char *socket, char *why, size_t why_size);
void gt_display_disconnect(struct gt_display *d);
bool gt_display_become_master(struct gt_display *d);
/** Round trip; false when the connection failed (a protocol error: code in *error). */
bool gt_display_sync(struct gt_display *d, uint32_t *error);

struct gt_shm {
	int fd;
	uint32_t *pixels;
	size_t size;
	int32_t width, height, stride;
};
bool gt_shm_create(struct gt_shm *shm, int32_t width, int32_t height);
void gt_shm_finish(struct gt_shm *shm);

struct lumen_display_buffer_v1 *gt_display_shm_buffer(struct gt_display *d, struct gt_shm *shm,
	uint32_t format);

struct gt_frame {
	bool done, presented;
	uint64_t sec;
	uint32_t nsec, refresh_ns, flags;
	uint64_t seq;
};
/** Attaches, commits and waits for presented/discarded. */
bool gt_display_commit(struct gt_display *d, struct gt_output *o,
	struct lumen_display_buffer_v1 *buffer, struct gt_frame *frame);
/** Configures (mode, enable), waiting for the answer; *reason gets failed's text. */
bool gt_display_configure(struct gt_display *d, struct gt_output *o, int32_t w, int32_t h,
	int32_t refresh, bool enabled, bool test_only, bool *succeeded, char *reason, size_t size);
/** Captures the output into shm (XRGB8888); false with why. */
bool gt_display_capture(struct gt_display *d, struct gt_output *o, struct gt_shm *shm,
	char *why, size_t why_size);

#endif
