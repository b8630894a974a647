/*
 * Tests spoken through lumen-display to a running displayd: on its virtual backend in
 * every CI run, on the device's KMS in the VM. Pixels are checked through displayd's
 * capture, which returns what a viewer of the screen would see.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <drm_fourcc.h>
#include <wayland-client.h>
#include "common/fd.h"
#include "display.h"
#include "gpu/allocator.h"
#include "gpu/formats.h"
#include "lumen-display-v1-client-protocol.h"

/* A master connection of its own, so that a protocol error ends only this test's client. */
static struct gt_display *open_master(struct gt_ctx *ctx) {
	if (!gt_get_display(ctx)) {
		return NULL;
	}
	char why[256];
	struct gt_display *d = gt_display_connect(ctx->displayd_socket, why, sizeof(why));
	if (!d) {
		snprintf(ctx->msg, sizeof(ctx->msg), "%s", why);
		return NULL;
	}
	if (!gt_display_become_master(d)) {
		snprintf(ctx->msg, sizeof(ctx->msg), "become_master failed");
		gt_display_disconnect(d);
		return NULL;
	}
	/* A KMS output has no mode until a master sets one: the preferred one. */
	for (int i = 0; i < d->n_outputs; i++) {
		struct gt_output *o = &d->outputs[i];
		if (o->width > 0 || o->n_modes == 0) {
			continue;
		}
		struct gt_mode *m = &o->modes[0];
		for (int j = 0; j < o->n_modes; j++) {
			if (o->modes[j].flags & LUMEN_DISPLAY_OUTPUT_V1_MODE_FLAGS_PREFERRED) {
				m = &o->modes[j];
				break;
			}
		}
		bool ok = false;
		char reason[128];
		if (!gt_display_configure(d, o, m->width, m->height, m->refresh, true, false, &ok,
				reason, sizeof(reason)) || !ok) {
			gt_diag("%s: enabling %dx%d failed: %s", o->name, m->width, m->height, reason);
		}
	}
	return d;
}

static struct gt_output *first_enabled(struct gt_display *d) {
	for (int i = 0; i < d->n_outputs; i++) {
		if (!d->outputs[i].removed && d->outputs[i].width > 0) {
			return &d->outputs[i];
		}
	}
	return NULL;
}

/* The server is still there and answers a new client. */
static bool displayd_alive(struct gt_ctx *ctx, char *why, size_t size) {
	struct gt_display *d = gt_display_connect(ctx->displayd_socket, why, size);
	if (!d) {
		return false;
	}
	bool ok = d->n_outputs > 0 && gt_display_sync(d, NULL);
	if (!ok) {
		snprintf(why, size, "a new client sees no output");
	}
	gt_display_disconnect(d);
	return ok;
}

static enum gt_result test_outputs(struct gt_ctx *ctx) {
	struct gt_display *d = gt_get_display(ctx);
	if (!d) {
		return gt_fail(ctx, "%s", ctx->display_why);
	}
	if (d->n_outputs == 0) {
		return gt_fail(ctx, "displayd announces no output");
	}
	for (int i = 0; i < d->n_outputs; i++) {
		struct gt_output *o = &d->outputs[i];
		char fmts[256] = "";
		size_t len = 0;
		for (int j = 0; j < o->n_formats && len + 24 < sizeof(fmts); j++) {
			char fc[8], mod[24];
			len += (size_t)snprintf(fmts + len, sizeof(fmts) - len, " %s/%s",
				gpu_fourcc_str(o->formats[j], fc, sizeof(fc)),
				gpu_modifier_str(o->modifiers[j], mod, sizeof(mod)));
		}
		gt_diag("%s: %dx%d@%.3f, %d modes, gamma %u, cursor %dx%d, formats%s", o->name,
			o->width, o->height, o->refresh / 1000.0, o->n_modes, o->gamma_size,
			o->cursor_width, o->cursor_height, fmts);
		if (!o->name[0] || strncmp(o->name, "display:", 8) != 0) {
			return gt_fail(ctx, "output %d has no display: name ('%s')", i, o->name);
		}
		if (o->n_modes == 0) {
			return gt_fail(ctx, "%s has no mode", o->name);
		}
		if (o->width <= 0) {
			gt_diag("%s: no current mode until a master configures it", o->name);
		}
		bool xrgb = false;
		for (int j = 0; j < o->n_formats; j++) {
			xrgb |= o->formats[j] == DRM_FORMAT_XRGB8888;
		}
		if (!xrgb) {
			return gt_fail(ctx, "%s does not list XRGB8888", o->name);
		}
	}
	return gt_pass(ctx, "%d outputs, render node %s", d->n_outputs,
		d->render_node_fd >= 0 ? "offered" : "none");
}

/* Shows a pattern on o and compares displayd's capture with it, pixel by pixel. */
static enum gt_result show_and_check(struct gt_ctx *ctx, struct gt_display *d,
		struct gt_output *o, uint32_t format, uint32_t seed, const char *what) {
	struct gt_shm shm, cap;
	if (!gt_shm_create(&shm, o->width, o->height)) {
		return gt_fail(ctx, "no shm for %dx%d", o->width, o->height);
	}
	gt_pattern(shm.pixels, shm.width, shm.height, shm.stride, seed);
	struct lumen_display_buffer_v1 *buffer = gt_display_shm_buffer(d, &shm, format);
	struct gt_frame frame;
	enum gt_result result = GT_PASS;
	if (!gt_display_commit(d, o, buffer, &frame)) {
		uint32_t error = 0;
		gt_display_sync(d, &error);
		result = gt_fail(ctx, "%s: the connection failed (protocol error %u)", what, error);
		goto out;
	}
	if (!frame.presented) {
		result = gt_fail(ctx, "%s: the frame was discarded", what);
		goto out;
	}
	if (!gt_shm_create(&cap, o->width, o->height)) {
		result = gt_fail(ctx, "no shm for the capture");
		goto out;
	}
	char why[256];
	if (!gt_display_capture(d, o, &cap, why, sizeof(why))) {
		result = gt_fail(ctx, "%s: %s", what, why);
	} else {
		struct gt_diff diff;
		gt_compare(cap.pixels, cap.stride, shm.pixels, shm.stride, o->width, o->height, false,
			0, &diff);
		if (diff.over > 0) {
			result = gt_fail(ctx, "%s: %zu pixels differ, first at %d,%d: %06x, not %06x", what,
				diff.over, diff.first_x, diff.first_y, diff.got & 0xffffff,
				diff.want & 0xffffff);
		}
	}
	gt_shm_finish(&cap);
out:
	lumen_display_buffer_v1_destroy(buffer);
	gt_shm_finish(&shm);
	return result;
}

static enum gt_result test_shm_formats(struct gt_ctx *ctx) {
	struct gt_display *d = open_master(ctx);
	if (!d) {
		return gt_fail(ctx, "%s", ctx->msg[0] ? ctx->msg : ctx->display_why);
	}
	struct gt_output *o = first_enabled(d);
	if (!o) {
		gt_display_disconnect(d);
		return gt_fail(ctx, "no enabled output");
	}
	/* Every listed format that is shm-able (the protocol promises XRGB8888 and ARGB8888);
	 * the others need a dmabuf and are the dmabuf tests' business. */
	int tested = 0;
	enum gt_result result = GT_PASS;
	for (int i = 0; i < o->n_formats && result == GT_PASS; i++) {
		uint32_t f = o->formats[i];
		bool seen = false;
		for (int j = 0; j < i; j++) {
			seen |= o->formats[j] == f;
		}
		if (seen || (f != DRM_FORMAT_XRGB8888 && f != DRM_FORMAT_ARGB8888)) {
			continue;
		}
		char fc[8], what[160];
		snprintf(what, sizeof(what), "%s %s", o->name, gpu_fourcc_str(f, fc, sizeof(fc)));
		result = show_and_check(ctx, d, o, f, 7 + (uint32_t)i, what);
		tested++;
		gt_diag("%s: shown and read back %s", what, result == GT_PASS ? "equal" : "DIFFERENT");
	}
	gt_display_disconnect(d);
	if (result != GT_PASS) {
		return result;
	}
	return tested ? gt_pass(ctx, "%d formats", tested) : gt_fail(ctx, "no shm format listed");
}

/* A bad buffer is answered with invalid_buffer, and the server lives on. */
static enum gt_result bad_buffer(struct gt_ctx *ctx, int32_t w, int32_t h, int32_t stride,
		uint32_t format, uint32_t offset, size_t file_size, bool pipe_fd) {
	struct gt_display *d = open_master(ctx);
	if (!d) {
		return gt_fail(ctx, "%s", ctx->msg);
	}
	int fd = -1, other = -1;
	if (pipe_fd) {
		int p[2];
		if (pipe(p) != 0) {
			gt_display_disconnect(d);
			return gt_fail(ctx, "pipe: %s", strerror(errno));
		}
		fd = p[0];
		other = p[1];
	} else {
		fd = lumen_shm_create(file_size);
	}
	struct lumen_display_buffer_v1 *buffer =
		lumen_display_v1_create_shm_buffer(d->global, fd, offset, w, h, stride, format);
	close(fd);
	if (other >= 0) {
		close(other);
	}
	uint32_t error = 0;
	bool alive_conn = gt_display_sync(d, &error);
	lumen_display_buffer_v1_destroy(buffer);
	gt_display_disconnect(d);
	char why[256] = "";
	if (!displayd_alive(ctx, why, sizeof(why))) {
		return gt_fail(ctx, "displayd did not survive: %s", why);
	}
	if (alive_conn) {
		return gt_fail(ctx, "accepted without an error");
	}
	if (error != LUMEN_DISPLAY_V1_ERROR_INVALID_BUFFER) {
		return gt_fail(ctx, "error %u, not invalid_buffer", error);
	}
	return gt_pass(ctx, "invalid_buffer, displayd still answers");
}

static enum gt_result test_bad_size(struct gt_ctx *ctx) {
	enum gt_result r = bad_buffer(ctx, 0, 16, 64, DRM_FORMAT_XRGB8888, 0, 4096, false);
	if (r != GT_PASS) {
		return r;
	}
	return bad_buffer(ctx, -5, 16, 64, DRM_FORMAT_XRGB8888, 0, 4096, false);
}
static enum gt_result test_bad_stride(struct gt_ctx *ctx) {
	enum gt_result r = bad_buffer(ctx, 64, 16, 64 * 4 - 4, DRM_FORMAT_XRGB8888, 0, 65536, false);
	if (r != GT_PASS) {
		return r;
	}
	return bad_buffer(ctx, 64, 16, -256, DRM_FORMAT_XRGB8888, 0, 65536, false);
}
static enum gt_result test_short_file(struct gt_ctx *ctx) {
	return bad_buffer(ctx, 64, 64, 256, DRM_FORMAT_XRGB8888, 0, 4096, false);
}
static enum gt_result test_huge_offset(struct gt_ctx *ctx) {
	return bad_buffer(ctx, 64, 64, 256, DRM_FORMAT_XRGB8888, 0xfffff000u, 65536, false);
}
static enum gt_result test_bad_format(struct gt_ctx *ctx) {
	return bad_buffer(ctx, 64, 16, 256, fourcc_code('Z', 'Z', 'Z', 'Z'), 0, 65536, false);
}
static enum gt_result test_bad_fd(struct gt_ctx *ctx) {
	return bad_buffer(ctx, 64, 16, 256, DRM_FORMAT_XRGB8888, 0, 0, true);
}

/* dmabuf planes that are not a dmabuf (a memfd): an error or a release, never a crash. */
static enum gt_result test_bad_dmabuf(struct gt_ctx *ctx) {
	struct gt_display *d = open_master(ctx);
	if (!d) {
		return gt_fail(ctx, "%s", ctx->msg);
	}
	int fd = lumen_shm_create(65536);
	struct lumen_display_dmabuf_params_v1 *params = lumen_display_v1_create_dmabuf_params(d->global);
	lumen_display_dmabuf_params_v1_add(params, fd, 0, 0, 256);
	close(fd);
	struct lumen_display_buffer_v1 *buffer = lumen_display_dmabuf_params_v1_create(params, 64,
		64, DRM_FORMAT_XRGB8888, 0, 0);
	uint32_t error = 0;
	bool conn = gt_display_sync(d, &error);
	lumen_display_buffer_v1_destroy(buffer);
	lumen_display_dmabuf_params_v1_destroy(params);
	gt_display_disconnect(d);
	char why[256] = "";
	if (!displayd_alive(ctx, why, sizeof(why))) {
		return gt_fail(ctx, "displayd did not survive: %s", why);
	}
	return gt_pass(ctx, "%s; displayd still answers",
		conn ? "import failed quietly (release)" : error == LUMEN_DISPLAY_V1_ERROR_UNSUPPORTED
			? "error unsupported (no GPU)" : "a protocol error");
}

static enum gt_result test_all_modes(struct gt_ctx *ctx) {
	struct gt_display *d = open_master(ctx);
	if (!d) {
		return gt_fail(ctx, "%s", ctx->msg);
	}
	enum gt_result result = GT_PASS;
	int shown = 0;
	for (int i = 0; i < d->n_outputs && result == GT_PASS; i++) {
		struct gt_output *o = &d->outputs[i];
		struct gt_mode original = {o->width, o->height, o->refresh, 0};
		struct gt_mode modes[GT_MAX_MODES];
		int n = o->n_modes;
		memcpy(modes, o->modes, sizeof(modes));
		for (int m = 0; m < n && result == GT_PASS; m++) {
			bool ok = false;
			char reason[128];
			if (!gt_display_configure(d, o, modes[m].width, modes[m].height, modes[m].refresh,
					true, false, &ok, reason, sizeof(reason))) {
				result = gt_fail(ctx, "connection failed configuring %s", o->name);
				break;
			}
			char what[192];
			snprintf(what, sizeof(what), "%s %dx%d@%.3f", o->name, modes[m].width,
				modes[m].height, modes[m].refresh / 1000.0);
			if (!ok) {
				result = gt_fail(ctx, "%s: configure failed: %s", what, reason);
				break;
			}
			if (o->width != modes[m].width || o->height != modes[m].height) {
				result = gt_fail(ctx, "%s: the current mode is %dx%d after configure", what,
					o->width, o->height);
				break;
			}
			result = show_and_check(ctx, d, o, DRM_FORMAT_XRGB8888, (uint32_t)(m * 31 + i), what);
			gt_diag("%s: %s", what, result == GT_PASS ? "pattern read back equal" : ctx->msg);
			shown++;
		}
		bool ok = false;
		if (original.width > 0) {
			gt_display_configure(d, o, original.width, original.height, original.refresh, true,
				false, &ok, NULL, 0);
		}
	}
	gt_display_disconnect(d);
	if (result != GT_PASS) {
		return result;
	}
	return gt_pass(ctx, "%d modes shown and read back", shown);
}

static enum gt_result test_test_only(struct gt_ctx *ctx) {
	struct gt_display *d = open_master(ctx);
	if (!d) {
		return gt_fail(ctx, "%s", ctx->msg);
	}
	struct gt_output *o = first_enabled(d);
	enum gt_result result = GT_PASS;
	if (!o) {
		result = gt_fail(ctx, "no enabled output");
		goto out;
	}
	int32_t w = o->width, h = o->height, refresh = o->refresh;
	/* Another mode, if there is one, tested but not applied. */
	struct gt_mode other = {w, h, refresh, 0};
	for (int i = 0; i < o->n_modes; i++) {
		if (o->modes[i].width != w || o->modes[i].height != h) {
			other = o->modes[i];
			break;
		}
	}
	bool ok = false;
	char reason[128];
	if (!gt_display_configure(d, o, other.width, other.height, other.refresh, true, true, &ok,
			reason, sizeof(reason))) {
		result = gt_fail(ctx, "connection failed");
		goto out;
	}
	if (!ok) {
		result = gt_fail(ctx, "test of a listed mode %dx%d failed: %s", other.width,
			other.height, reason);
		goto out;
	}
	if (o->width != w || o->height != h) {
		result = gt_fail(ctx, "a test-only configure changed the mode to %dx%d", o->width,
			o->height);
		goto out;
	}
	if (!gt_display_configure(d, o, 123, 45, 0, true, true, &ok, reason, sizeof(reason))) {
		result = gt_fail(ctx, "connection failed");
		goto out;
	}
	if (ok) {
		result = gt_fail(ctx, "a test of the unlisted mode 123x45 succeeded");
		goto out;
	}
	gt_diag("123x45 refused: %s", reason);
	if (!gt_display_configure(d, o, w, h, refresh, false, true, &ok, reason, sizeof(reason)) ||
			!ok) {
		result = gt_fail(ctx, "a test of disabling failed: %s", reason);
		goto out;
	}
	if (!o->enabled) {
		result = gt_fail(ctx, "a test-only disable disabled the output");
		goto out;
	}
	/* A real configure of an unknown mode fails (not a protocol error). */
	if (!gt_display_configure(d, o, 123, 45, 0, true, false, &ok, reason, sizeof(reason))) {
		result = gt_fail(ctx, "an unknown mode was a protocol error, not failed");
		goto out;
	}
	if (ok) {
		result = gt_fail(ctx, "configure to 123x45 succeeded");
		goto out;
	}
	result = gt_pass(ctx, "listed mode accepted, unlisted refused, nothing changed");
out:
	gt_display_disconnect(d);
	return result;
}

#define FLIP_FRAMES 30

static enum gt_result test_flips(struct gt_ctx *ctx) {
	struct gt_display *d = open_master(ctx);
	if (!d) {
		return gt_fail(ctx, "%s", ctx->msg);
	}
	struct gt_output *o = first_enabled(d);
	if (!o) {
		gt_display_disconnect(d);
		return gt_fail(ctx, "no enabled output");
	}
	struct gt_shm shm[2];
	struct lumen_display_buffer_v1 *buffers[2];
	for (int i = 0; i < 2; i++) {
		if (!gt_shm_create(&shm[i], o->width, o->height)) {
			gt_display_disconnect(d);
			return gt_fail(ctx, "no shm");
		}
		gt_pattern(shm[i].pixels, shm[i].width, shm[i].height, shm[i].stride, 100 + (uint32_t)i);
		buffers[i] = gt_display_shm_buffer(d, &shm[i], DRM_FORMAT_XRGB8888);
	}
	struct gt_frame frames[FLIP_FRAMES];
	enum gt_result result = GT_PASS;
	int presented = 0;
	for (int i = 0; i < FLIP_FRAMES; i++) {
		if (!gt_display_commit(d, o, buffers[i % 2], &frames[i])) {
			result = gt_fail(ctx, "connection failed at frame %d", i);
			break;
		}
		if (frames[i].presented) {
			presented++;
		}
	}
	int32_t refresh = o->refresh; // o is gone with d below
	double period_ns = refresh > 0 ? 1e12 / refresh : 0;
	double worst = 0, sum = 0;
	int intervals = 0, skipped = 0;
	uint64_t prev_seq = 0, prev_t = 0;
	bool have_prev = false;
	for (int i = 0; i < FLIP_FRAMES && result == GT_PASS; i++) {
		if (!frames[i].presented) {
			continue;
		}
		uint64_t t = frames[i].sec * 1000000000ull + frames[i].nsec;
		if (have_prev) {
			if (frames[i].seq <= prev_seq) {
				result = gt_fail(ctx, "frame %d: seq %llu after %llu", i,
					(unsigned long long)frames[i].seq, (unsigned long long)prev_seq);
				break;
			}
			if (t <= prev_t) {
				result = gt_fail(ctx, "frame %d: time %llu ns after %llu", i,
					(unsigned long long)t, (unsigned long long)prev_t);
				break;
			}
			if (period_ns > 0) {
				/* An interval is a whole number of refresh periods (a missed vblank is
				 * not an error); how far it is from that number is the error. */
				double n = (double)(t - prev_t) / period_ns;
				double whole = floor(n + 0.5);
				if (whole < 1) {
					whole = 1;
				}
				double off = fabs(n - whole) / whole;
				worst = off > worst ? off : worst;
				sum += off;
				intervals++;
				uint64_t dseq = frames[i].seq - prev_seq;
				if (dseq != (uint64_t)whole) {
					skipped++;
				}
			}
		}
		prev_seq = frames[i].seq;
		prev_t = t;
		have_prev = true;
	}
	for (int i = 0; i < 2; i++) {
		lumen_display_buffer_v1_destroy(buffers[i]);
		gt_shm_finish(&shm[i]);
	}
	gt_display_disconnect(d);
	if (result != GT_PASS) {
		return result;
	}
	if (presented < FLIP_FRAMES) {
		return gt_fail(ctx, "%d of %d frames presented", presented, FLIP_FRAMES);
	}
	gt_diag("refresh %.3f Hz (%.0f us): intervals off by %.3f%% on average, %.3f%% at most; "
		"%d intervals whose seq step disagrees with their length",
		refresh / 1000.0, period_ns / 1000, intervals ? 100 * sum / intervals : 0,
		100 * worst, skipped);
	/* 10% of a period: timestamps that are vblank times are far closer; ones taken at
	 * completion on a busy machine are not, and that is what this test shows. */
	if (worst > 0.10) {
		return gt_fail(ctx, "an interval is %.1f%% off a whole number of refresh periods",
			100 * worst);
	}
	if (skipped > 0) {
		return gt_fail(ctx, "%d sequence steps disagree with the time between frames", skipped);
	}
	return gt_pass(ctx, "%d frames, seq and time increase, intervals within %.3f%% of the refresh",
		presented, 100 * worst);
}

static uint32_t pixel_at(struct gt_shm *shm, int32_t x, int32_t y) {
	return shm->pixels[(size_t)y * (size_t)(shm->stride / 4) + (size_t)x] & 0xffffff;
}

static enum gt_result test_cursor(struct gt_ctx *ctx) {
	struct gt_display *d = open_master(ctx);
	if (!d) {
		return gt_fail(ctx, "%s", ctx->msg);
	}
	struct gt_output *o = first_enabled(d);
	if (!o) {
		gt_display_disconnect(d);
		return gt_fail(ctx, "no enabled output");
	}
	if (o->cursor_width <= 0) {
		gt_skip(ctx, "%s has no cursor plane", o->name); // before o goes with d
		gt_display_disconnect(d);
		return GT_SKIP;
	}
	enum gt_result result = GT_PASS;
	struct gt_shm bg = {.fd = -1}, cur = {.fd = -1}, cap = {.fd = -1};
	struct lumen_display_buffer_v1 *bg_buf = NULL, *cur_buf = NULL;
	int32_t size = o->cursor_width < 64 ? o->cursor_width : 64;
	if (!gt_shm_create(&bg, o->width, o->height) || !gt_shm_create(&cur, size, size) ||
			!gt_shm_create(&cap, o->width, o->height)) {
		result = gt_fail(ctx, "no shm");
		goto out;
	}
	for (size_t i = 0; i < (size_t)o->width * (size_t)o->height; i++) {
		bg.pixels[i] = 0xff203040;
	}
	for (size_t i = 0; i < (size_t)size * (size_t)size; i++) {
		cur.pixels[i] = 0xffff00ff;
	}
	bg_buf = gt_display_shm_buffer(d, &bg, DRM_FORMAT_XRGB8888);
	cur_buf = gt_display_shm_buffer(d, &cur, DRM_FORMAT_ARGB8888);
	struct gt_frame frame;
	if (!gt_display_commit(d, o, bg_buf, &frame) || !frame.presented) {
		result = gt_fail(ctx, "the background frame was not presented");
		goto out;
	}
	char why[256];
	const int32_t hx = 2, hy = 3;
	int32_t xs[2] = {o->width / 4, o->width / 2}, ys[2] = {o->height / 4, o->height / 2};
	lumen_display_output_v1_set_cursor(o->proxy, cur_buf, hx, hy);
	for (int step = 0; step < 2; step++) {
		lumen_display_output_v1_move_cursor(o->proxy, xs[step], ys[step]);
		if (!gt_display_capture(d, o, &cap, why, sizeof(why))) {
			result = gt_fail(ctx, "%s", why);
			goto out;
		}
		int32_t cx = xs[step] - hx + size / 2, cy = ys[step] - hy + size / 2;
		uint32_t in = pixel_at(&cap, cx, cy);
		uint32_t left = pixel_at(&cap, xs[step] - hx - 1, cy);
		uint32_t inside_edge = pixel_at(&cap, xs[step] - hx, ys[step] - hy);
		gt_diag("cursor at %d,%d: centre %06x, its corner %06x, beside %06x", xs[step],
			ys[step], in, inside_edge, left);
		if (in != 0xff00ff || inside_edge != 0xff00ff || left != 0x203040) {
			result = gt_fail(ctx, "after move %d the capture shows %06x at the cursor, %06x "
				"beside it", step + 1, in, left);
			goto out;
		}
		if (step == 1 && pixel_at(&cap, xs[0] - hx + size / 2, ys[0] - hy + size / 2) != 0x203040) {
			result = gt_fail(ctx, "the cursor is still at its old place too");
			goto out;
		}
	}
	lumen_display_output_v1_set_cursor(o->proxy, NULL, 0, 0);
	if (!gt_display_capture(d, o, &cap, why, sizeof(why))) {
		result = gt_fail(ctx, "%s", why);
		goto out;
	}
	uint32_t hidden = pixel_at(&cap, xs[1] - hx + size / 2, ys[1] - hy + size / 2);
	if (hidden != 0x203040) {
		result = gt_fail(ctx, "hidden, the cursor's place shows %06x", hidden);
		goto out;
	}
	result = gt_pass(ctx, "%dx%d cursor set, moved twice, hidden: seen in the capture", size, size);
out:
	if (bg_buf) {
		lumen_display_buffer_v1_destroy(bg_buf);
	}
	if (cur_buf) {
		lumen_display_buffer_v1_destroy(cur_buf);
	}
	gt_shm_finish(&bg);
	gt_shm_finish(&cur);
	gt_shm_finish(&cap);
	gt_display_disconnect(d);
	return result;
}

static bool send_gamma(struct gt_display *d, struct gt_output *o, bool identity) {
	size_t n = o->gamma_size;
	size_t bytes = 3 * n * sizeof(uint16_t);
	int fd = lumen_shm_create(bytes ? bytes : 1);
	if (fd < 0) {
		return false;
	}
	if (!identity) {
		uint16_t *ramp = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (ramp == MAP_FAILED) {
			close(fd);
			return false;
		}
		/* Red inverted, green halved, blue identity. */
		for (size_t i = 0; i < n; i++) {
			uint32_t v = (uint32_t)(i * 65535 / (n - 1));
			ramp[i] = (uint16_t)(65535 - v);
			ramp[n + i] = (uint16_t)(v / 2);
			ramp[2 * n + i] = (uint16_t)v;
		}
		munmap(ramp, bytes);
	}
	lumen_display_output_v1_set_gamma(o->proxy, fd, identity ? 0 : (uint32_t)n);
	close(fd);
	return gt_display_sync(d, NULL);
}

static enum gt_result test_gamma(struct gt_ctx *ctx) {
	struct gt_display *d = open_master(ctx);
	if (!d) {
		return gt_fail(ctx, "%s", ctx->msg);
	}
	struct gt_output *o = first_enabled(d);
	if (!o || o->gamma_size < 2) {
		enum gt_result r = o ? gt_skip(ctx, "%s has no gamma ramp", o->name) // before o goes
			: gt_fail(ctx, "no output");
		gt_display_disconnect(d);
		return r;
	}
	enum gt_result result = GT_PASS;
	struct gt_shm bg = {.fd = -1}, cap = {.fd = -1};
	if (!gt_shm_create(&bg, o->width, o->height) || !gt_shm_create(&cap, o->width, o->height)) {
		result = gt_fail(ctx, "no shm");
		goto out;
	}
	/* Every value of each channel appears: column x has r = g = b = x mod 256. */
	for (int32_t y = 0; y < o->height; y++) {
		for (int32_t x = 0; x < o->width; x++) {
			uint32_t v = (uint32_t)x & 0xff;
			bg.pixels[(size_t)y * (size_t)o->width + (size_t)x] = 0xff000000 | v << 16 | v << 8 | v;
		}
	}
	struct lumen_display_buffer_v1 *buf = gt_display_shm_buffer(d, &bg, DRM_FORMAT_XRGB8888);
	struct gt_frame frame;
	bool shown = gt_display_commit(d, o, buf, &frame) && frame.presented;
	lumen_display_buffer_v1_destroy(buf);
	if (!shown) {
		result = gt_fail(ctx, "the ramp frame was not presented");
		goto out;
	}
	if (!send_gamma(d, o, false)) {
		result = gt_fail(ctx, "set_gamma with size %u failed", o->gamma_size);
		goto out;
	}
	char why[256];
	if (!gt_display_capture(d, o, &cap, why, sizeof(why))) {
		result = gt_fail(ctx, "%s", why);
		goto out;
	}
	/* A LUT of gamma_size entries maps v to entry v * (size - 1) / 255: the expected
	 * value, within 1 for the rounding of ramps not 256 long. */
	int worst = 0, worst_x = 0;
	uint32_t worst_got = 0, worst_want = 0;
	int32_t y = o->height / 2;
	for (int32_t x = 0; x < 256 && x < o->width; x++) {
		uint32_t got = pixel_at(&cap, x, y);
		int want_r = 255 - x, want_g = x / 2, want_b = x;
		int dr = abs((int)(got >> 16 & 0xff) - want_r);
		int dg = abs((int)(got >> 8 & 0xff) - want_g);
		int db = abs((int)(got & 0xff) - want_b);
		int m = dr > dg ? dr : dg;
		m = m > db ? m : db;
		if (m > worst) {
			worst = m;
			worst_x = x;
			worst_got = got;
			worst_want = (uint32_t)want_r << 16 | (uint32_t)want_g << 8 | (uint32_t)want_b;
		}
	}
	gt_diag("gamma %u entries: red inverted, green halved; worst difference %d at value %d "
		"(%06x, not %06x)", o->gamma_size, worst, worst_x, worst_got, worst_want);
	int tol = o->gamma_size == 256 ? 1 : 2;
	if (worst > tol) {
		result = gt_fail(ctx, "the capture differs from the ramp by %d at value %d (%06x, not %06x)",
			worst, worst_x, worst_got, worst_want);
		goto out;
	}
	if (!send_gamma(d, o, true) || !gt_display_capture(d, o, &cap, why, sizeof(why))) {
		result = gt_fail(ctx, "resetting the ramp failed");
		goto out;
	}
	if (pixel_at(&cap, 10, y) != 0x0a0a0a || pixel_at(&cap, 200, y) != 0xc8c8c8) {
		result = gt_fail(ctx, "after the reset the capture shows %06x, not 0a0a0a",
			pixel_at(&cap, 10, y));
		goto out;
	}
	result = gt_pass(ctx, "ramp set and seen within %d, reset to identity", tol);
out:
	gt_shm_finish(&bg);
	gt_shm_finish(&cap);
	gt_display_disconnect(d);
	return result;
}

static enum gt_result test_hotplug(struct gt_ctx *ctx) {
	if (!ctx->is_virtual) {
		return gt_skip(ctx, "hotplug of a KMS connector needs the host to switch it (kms-vm "
			"tests it with QEMU's monitor)");
	}
	struct gt_display *d = gt_get_display(ctx);
	if (!d) {
		return gt_fail(ctx, "%s", ctx->display_why);
	}
	int before = d->n_outputs;
	lumen_display_v1_create_virtual_output(d->global, 640, 480, 50000);
	if (!gt_display_sync(d, NULL) || !gt_display_sync(d, NULL)) {
		return gt_fail(ctx, "connection failed");
	}
	if (d->n_outputs != before + 1) {
		return gt_fail(ctx, "no new output announced (%d outputs)", d->n_outputs);
	}
	struct gt_output *o = &d->outputs[d->n_outputs - 1];
	gt_diag("plugged %s %dx%d@%.3f", o->name, o->width, o->height, o->refresh / 1000.0);
	if (o->width != 640 || o->height != 480 || o->refresh != 50000) {
		return gt_fail(ctx, "the new output is %dx%d@%d", o->width, o->height, o->refresh);
	}
	lumen_display_output_v1_remove(o->proxy);
	if (!gt_display_sync(d, NULL) || !gt_display_sync(d, NULL)) {
		return gt_fail(ctx, "connection failed");
	}
	if (!o->removed) {
		return gt_fail(ctx, "no removed event");
	}
	/* Drop it from the list so later tests do not use it. */
	lumen_display_output_v1_destroy(o->proxy);
	d->n_outputs--;
	return gt_pass(ctx, "a virtual output plugged and unplugged, both announced");
}

/* A GBM buffer imported by displayd as a dmabuf, scanned out, and read back. */
static enum gt_result test_dmabuf_scanout(struct gt_ctx *ctx) {
	struct gt_display *d = open_master(ctx);
	if (!d) {
		return gt_fail(ctx, "%s", ctx->msg);
	}
	enum gt_result result = GT_PASS;
	struct gpu_buffer *bo = NULL;
	struct gpu_dmabuf dmabuf = {.n_planes = 0};
	struct gt_shm want = {.fd = -1}, cap = {.fd = -1};
	struct lumen_display_buffer_v1 *buf = NULL;
	struct gt_output *o = first_enabled(d);
	if (!o) {
		result = gt_fail(ctx, "no enabled output");
		goto out;
	}
	if (d->render_node_fd < 0) {
		result = gt_skip(ctx, "displayd offers no render node (no GPU: the virtual backend)");
		goto out;
	}
	gt_get_render(ctx);
	if (!ctx->alloc) {
		result = gt_skip(ctx, "no GBM device: %s", ctx->alloc_why);
		goto out;
	}
	/* The modifiers displayd lists for XRGB8888. */
	uint64_t mods[GT_MAX_FORMATS];
	size_t n_mods = 0;
	for (int i = 0; i < o->n_formats; i++) {
		if (o->formats[i] == DRM_FORMAT_XRGB8888 && o->modifiers[i] != DRM_FORMAT_MOD_INVALID) {
			mods[n_mods++] = o->modifiers[i];
		}
	}
	char why[256] = "";
	bo = gpu_buffer_create(ctx->alloc, o->width, o->height, DRM_FORMAT_XRGB8888, mods, n_mods,
		GPU_BUFFER_SCANOUT, why, sizeof(why));
	if (!bo) {
		bo = gpu_buffer_create(ctx->alloc, o->width, o->height, DRM_FORMAT_XRGB8888, NULL, 0,
			GPU_BUFFER_SCANOUT | GPU_BUFFER_LINEAR, why, sizeof(why));
	}
	if (!bo) {
		result = gt_fail(ctx, "%s", why);
		goto out;
	}
	if (!gt_shm_create(&want, o->width, o->height) || !gt_shm_create(&cap, o->width, o->height)) {
		result = gt_fail(ctx, "no shm");
		goto out;
	}
	gt_pattern(want.pixels, want.width, want.height, want.stride, 4242);
	uint32_t stride = 0;
	void *map_data = NULL;
	uint8_t *map = gpu_buffer_map(bo, true, &stride, &map_data);
	if (!map) {
		result = gt_fail(ctx, "gbm_bo_map failed");
		goto out;
	}
	for (int32_t y = 0; y < o->height; y++) {
		memcpy(map + (size_t)y * stride, (uint8_t *)want.pixels + (size_t)y * (size_t)want.stride,
			(size_t)o->width * 4);
	}
	gpu_buffer_unmap(bo, map_data);
	errno = 0;
	if (!gpu_buffer_export(bo, &dmabuf)) {
		result = gt_fail(ctx, "export of a %s buffer failed: %s", ctx->alloc->backend,
			errno ? strerror(errno) : "?");
		goto out;
	}
	struct lumen_display_dmabuf_params_v1 *params = lumen_display_v1_create_dmabuf_params(d->global);
	for (int i = 0; i < dmabuf.n_planes; i++) {
		lumen_display_dmabuf_params_v1_add(params, dmabuf.fds[i], (uint32_t)i, dmabuf.offsets[i],
			dmabuf.strides[i]);
	}
	buf = lumen_display_dmabuf_params_v1_create(params, dmabuf.width, dmabuf.height,
		dmabuf.format, (uint32_t)(dmabuf.modifier >> 32), (uint32_t)dmabuf.modifier);
	lumen_display_dmabuf_params_v1_destroy(params);
	struct gt_frame frame;
	if (!gt_display_commit(d, o, buf, &frame)) {
		result = gt_fail(ctx, "the connection failed on commit");
		goto out;
	}
	if (!frame.presented) {
		result = gt_fail(ctx, "the dmabuf frame was discarded");
		goto out;
	}
	if (!gt_display_capture(d, o, &cap, why, sizeof(why))) {
		result = gt_fail(ctx, "%s", why);
		goto out;
	}
	struct gt_diff diff;
	gt_compare(cap.pixels, cap.stride, want.pixels, want.stride, o->width, o->height, false, 0,
		&diff);
	char mod[24];
	gt_diag("dmabuf %dx%d modifier %s, flags 0x%x", o->width, o->height,
		gpu_modifier_str(bo->modifier, mod, sizeof(mod)), frame.flags);
	if (diff.over) {
		result = gt_fail(ctx, "%zu pixels differ, first at %d,%d: %06x, not %06x", diff.over,
			diff.first_x, diff.first_y, diff.got & 0xffffff, diff.want & 0xffffff);
		goto out;
	}
	result = gt_pass(ctx, "a GBM buffer scanned out%s and read back equal",
		frame.flags & LUMEN_DISPLAY_OUTPUT_V1_PRESENTED_FLAGS_ZERO_COPY ? " zero-copy" : "");
out:
	if (buf) {
		lumen_display_buffer_v1_destroy(buf);
	}
	gpu_dmabuf_finish(&dmabuf);
	gpu_buffer_destroy(bo);
	gt_shm_finish(&want);
	gt_shm_finish(&cap);
	gt_display_disconnect(d);
	return result;
}

const struct gt_test gt_display_tests[] = {
	{"display/outputs", GT_NEED_DISPLAY, "outputs have names, modes, formats", test_outputs},
	{"framebuffer/shm-formats", GT_NEED_DISPLAY, "each listed shm format shown and read back",
		test_shm_formats},
	{"framebuffer/bad-size", GT_NEED_DISPLAY, "zero and negative sizes are errors", test_bad_size},
	{"framebuffer/bad-pitch", GT_NEED_DISPLAY, "short and negative pitches are errors",
		test_bad_stride},
	{"framebuffer/short-file", GT_NEED_DISPLAY, "a buffer past the end of its file is an error",
		test_short_file},
	{"framebuffer/huge-offset", GT_NEED_DISPLAY, "an offset near 4 GiB is an error",
		test_huge_offset},
	{"framebuffer/bad-format", GT_NEED_DISPLAY, "an unknown fourcc is an error", test_bad_format},
	{"framebuffer/bad-handle", GT_NEED_DISPLAY, "an fd that cannot be mapped is an error",
		test_bad_fd},
	{"framebuffer/bad-dmabuf", GT_NEED_DISPLAY, "a memfd posing as a dmabuf is refused",
		test_bad_dmabuf},
	{"modeset/all-modes", GT_NEED_DISPLAY, "every mode of every output shows a pattern, read back",
		test_all_modes},
	{"atomic/test-only", GT_NEED_DISPLAY, "test-only configures answer and change nothing",
		test_test_only},
	{"flip/sequence", GT_NEED_DISPLAY, "30 flips: seq and time increase, intervals fit the refresh",
		test_flips},
	{"cursor/set-move-hide", GT_NEED_DISPLAY, "the cursor plane is seen where it is moved",
		test_cursor},
	{"gamma/ramp", GT_NEED_DISPLAY, "a ramp set is seen in the capture, reset to identity",
		test_gamma},
	{"hotplug/virtual", GT_NEED_DISPLAY, "an output plugged and unplugged is announced",
		test_hotplug},
	{"dmabuf/display-scanout", GT_NEED_DISPLAY, "a GBM dmabuf scanned out by displayd",
		test_dmabuf_scanout},
};
const size_t gt_display_tests_n = sizeof(gt_display_tests) / sizeof(gt_display_tests[0]);
