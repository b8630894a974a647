/*
 * lumen-gpu-test's harness: named tests in groups, each a function that returns pass,
 * fail or skip with a message. Private to gpu/ (gpu-test.c and the files beside this one).
 */
#ifndef GPU_TESTS_HARNESS_H
#define GPU_TESTS_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum gt_result {
	GT_PASS,
	GT_FAIL,
	GT_SKIP,
};

/* What a test needs; the runner orders tests by it so that the raw KMS tests run while
 * no displayd holds the device. */
enum gt_need {
	GT_NEED_KMS = 0, // the --device card, opened directly as DRM master
	GT_NEED_DISPLAY, // a displayd (virtual or on the --device card)
	GT_NEED_RENDER, // EGL/GLES and GBM: on the device's render node, or llvmpipe
};

struct gt_display; // display.c
struct gpu_egl;
struct gpu_renderer;
struct gpu_allocator;
struct gpu_device_info;

struct gt_ctx {
	/* options */
	const char *device; // "virtual" or a DRM node path
	bool is_virtual;
	const char *displayd_path; // to start one
	const char *socket; // a running displayd's socket, or NULL: start one
	char run_dir[256]; // private runtime dir for a displayd we start

	/* displayd, started or connected on demand */
	pid_t displayd_pid;
	char displayd_socket[300];
	int displayd_status; // exit status once stopped, -1 while running or never started
	struct gt_display *display;
	char display_why[512];

	/* raw KMS */
	int kms_fd; // -1 until opened
	char kms_why[256];

	/* rendering */
	bool render_tried;
	int render_fd; // render node (or card) for GBM, -1 when none
	struct gpu_allocator *alloc; // NULL without a device
	struct gpu_egl *egl;
	struct gpu_renderer *renderer;
	char alloc_why[256], egl_why[256];

	/* the current test's message */
	char msg[512];
};

struct gt_test {
	const char *name; // "group/name"
	enum gt_need need;
	const char *summary;
	enum gt_result (*run)(struct gt_ctx *ctx);
};

/* Message helpers: set ctx->msg and return the result. */
enum gt_result gt_fail(struct gt_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
enum gt_result gt_skip(struct gt_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
enum gt_result gt_pass(struct gt_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** A "# " line of TAP diagnostics. */
void gt_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Resources, created on first use (the runner frees them). */
struct gt_display *gt_get_display(struct gt_ctx *ctx); // NULL: ctx->display_why
int gt_get_kms(struct gt_ctx *ctx); // -1: ctx->kms_why
bool gt_get_render(struct gt_ctx *ctx); // false: ctx->egl_why (allocator may still be NULL)
void gt_release_kms(struct gt_ctx *ctx);
void gt_stop_displayd(struct gt_ctx *ctx);

/* Test tables, one per file. */
extern const struct gt_test gt_display_tests[];
extern const size_t gt_display_tests_n;
extern const struct gt_test gt_kms_tests[];
extern const size_t gt_kms_tests_n;
extern const struct gt_test gt_render_tests[];
extern const size_t gt_render_tests_n;

/* Pixel comparison: the largest per-channel difference and how many pixels exceed tol. */
struct gt_diff {
	int max_diff;
	size_t over; // pixels with a channel difference above the tolerance
	int first_x, first_y; // first such pixel, -1 if none
	uint32_t got, want;
};
void gt_compare(const uint32_t *got, int32_t got_stride, const uint32_t *want,
	int32_t want_stride, int32_t width, int32_t height, bool alpha, int tol, struct gt_diff *d);
/** A test pattern: quadrants, bars, a gradient and a 1-pixel border, seeded by seed. */
void gt_pattern(uint32_t *pixels, int32_t width, int32_t height, int32_t stride, uint32_t seed);

#endif
