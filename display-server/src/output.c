/*
 * Outputs: each client's lumen_display_output_v1 objects, the master's pending state
 * (attach, damage), and the frame queue: at most one frame in the backend and at most
 * one waiting behind it; a newer commit replaces (discards) the waiting one. Every
 * commit ends with exactly one presented or discarded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common/log.h"
#include "core.h"
#include "lumen-display-v1-protocol.h"

static struct ds_output_state *state_of(struct ds_output *output) {
	return output->core;
}

/* The live output behind a resource, or NULL once it is gone. */
static struct ds_output *output_from_resource(struct wl_resource *resource) {
	struct ds_output *output = wl_resource_get_user_data(resource);
	if (!output || !output->core || state_of(output)->removed) {
		return NULL;
	}
	return output;
}

/* Frames */

static void frame_resource_destroy(struct wl_resource *resource) {
	struct ds_frame *frame = wl_resource_get_user_data(resource);
	if (frame) {
		frame->resource = NULL;
	}
}

static void frame_free(struct ds_frame *frame) {
	if (frame->resource) {
		wl_resource_set_user_data(frame->resource, NULL);
		wl_resource_destroy(frame->resource);
	}
	ds_buffer_unlock(frame->buffer);
	pixman_region32_fini(&frame->damage);
	free(frame);
}

/* The frame never reached the screen: the next one copies its damage too. */
static void frame_discard(struct ds_output *output, struct ds_frame *frame) {
	struct ds_output_state *st = state_of(output);
	st->discarded++;
	pixman_region32_union(&st->lost_damage, &st->lost_damage, &frame->damage);
	if (frame->resource) {
		lumen_display_frame_v1_send_discarded(frame->resource);
	}
	ds_buffer_send_release(frame->buffer);
	frame_free(frame);
}

static bool output_can_show(struct ds_output *output, struct ds_buffer *buffer) {
	return output->enabled && output->power_on && buffer->width == output->current.width &&
		buffer->height == output->current.height;
}

/* Hands a frame to the backend (nothing in flight). */
static void frame_submit(struct ds_output *output, struct ds_frame *frame) {
	struct ds_output_state *st = state_of(output);
	if (!output_can_show(output, frame->buffer)) {
		frame_discard(output, frame);
		return;
	}
	pixman_region32_union(&frame->damage, &frame->damage, &st->lost_damage);
	pixman_region32_intersect_rect(&frame->damage, &frame->damage, 0, 0,
		(unsigned)output->current.width, (unsigned)output->current.height);
	pixman_region32_clear(&st->lost_damage);
	st->in_flight = frame;
	if (!output->impl->commit(output, frame->buffer, &frame->damage)) {
		st->in_flight = NULL;
		frame_discard(output, frame);
	}
}

/* A new frame: straight to the backend, or waiting behind the one in flight. */
static void frame_queue(struct ds_output *output, struct ds_frame *frame) {
	struct ds_output_state *st = state_of(output);
	if (!output_can_show(output, frame->buffer)) {
		frame_discard(output, frame);
		return;
	}
	if (!st->in_flight) {
		frame_submit(output, frame);
		return;
	}
	if (st->queued) {
		/* The newer buffer holds the whole picture; the screen still lacks the older
		 * frame's changes, which frame_discard keeps in lost_damage for the newer one. */
		struct ds_frame *old = st->queued;
		st->queued = NULL;
		frame_discard(output, old);
	}
	st->queued = frame;
}

static void discard_queued(struct ds_output *output) {
	struct ds_output_state *st = state_of(output);
	if (st->queued) {
		struct ds_frame *frame = st->queued;
		st->queued = NULL;
		frame_discard(output, frame);
	}
}

void ds_output_frame_done(struct ds_output *output, bool presented, const struct timespec *when,
		uint64_t seq, uint32_t flags) {
	struct ds_output_state *st = state_of(output);
	if (!lumen_assert(st && st->in_flight, "frame_done on %s with no frame in flight",
			output->name)) {
		return;
	}
	struct ds_frame *frame = st->in_flight;
	st->in_flight = NULL;
	if (presented) {
		st->presented++;
		if (frame->resource) {
			uint64_t sec = (uint64_t)when->tv_sec;
			uint32_t refresh_ns = output->current.refresh > 0
				? (uint32_t)(1000000000000ull / (uint64_t)output->current.refresh) : 0;
			lumen_display_frame_v1_send_presented(frame->resource, (uint32_t)(sec >> 32),
				(uint32_t)sec, (uint32_t)when->tv_nsec, refresh_ns, (uint32_t)(seq >> 32),
				(uint32_t)seq, flags);
		}
		/* shm was copied: the client may reuse it now. A scanned-out dmabuf is read
		 * until the next flip replaces it. */
		if (st->scanned_out) {
			ds_buffer_send_release(st->scanned_out);
			ds_buffer_unlock(st->scanned_out);
			st->scanned_out = NULL;
		}
		if (frame->buffer->type == DS_BUFFER_DMABUF) {
			st->scanned_out = frame->buffer;
			ds_buffer_lock(st->scanned_out);
		} else {
			ds_buffer_send_release(frame->buffer);
		}
		frame_free(frame);
	} else {
		frame_discard(output, frame);
	}
	if (st->queued) {
		struct ds_frame *next = st->queued;
		st->queued = NULL;
		frame_submit(output, next);
	}
}

/* Events */

static void send_modes_and_state(struct ds_output *output, struct wl_resource *resource) {
	for (size_t i = 0; i < output->n_modes; i++) {
		const struct ds_mode *mode = &output->modes[i];
		uint32_t flags = 0;
		if (output->enabled && mode->width == output->current.width &&
				mode->height == output->current.height &&
				mode->refresh == output->current.refresh) {
			flags |= LUMEN_DISPLAY_OUTPUT_V1_MODE_FLAGS_CURRENT;
		}
		if (mode->preferred) {
			flags |= LUMEN_DISPLAY_OUTPUT_V1_MODE_FLAGS_PREFERRED;
		}
		lumen_display_output_v1_send_mode(resource, mode->width, mode->height, mode->refresh,
			flags);
	}
	lumen_display_output_v1_send_state(resource, output->enabled, output->power_on,
		output->gamma_size, output->cursor_width, output->cursor_height);
}

void ds_output_state_changed(struct ds_output *output) {
	if (!output->core) {
		return;
	}
	struct wl_resource *resource;
	wl_resource_for_each (resource, &output->resources) {
		send_modes_and_state(output, resource);
		lumen_display_output_v1_send_done(resource);
	}
}

/* Requests */

static void output_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static struct wl_resource *result_create(struct wl_client *client,
		const struct wl_interface *interface, struct wl_resource *parent, uint32_t id) {
	struct wl_resource *result =
		wl_resource_create(client, interface, wl_resource_get_version(parent), id);
	if (!result) {
		wl_client_post_no_memory(client);
		return NULL;
	}
	wl_resource_set_implementation(result, NULL, NULL, NULL);
	return result;
}

static void configure_fail(struct wl_resource *result, const char *reason) {
	lumen_display_configure_v1_send_failed(result, reason);
	wl_resource_destroy(result);
}

static void output_handle_configure(struct wl_client *client, struct wl_resource *resource,
		uint32_t id, int32_t width, int32_t height, int32_t refresh, uint32_t enabled,
		uint32_t test_only) {
	struct ds_output *output = output_from_resource(resource);
	struct ds_server *server = output ? output->server : NULL;
	if (server && !ds_server_check_master(server, resource)) {
		return;
	}
	struct wl_resource *result =
		result_create(client, &lumen_display_configure_v1_interface, resource, id);
	if (!result) {
		return;
	}
	if (!output) {
		configure_fail(result, "the output is gone");
		return;
	}
	struct ds_mode mode = output->current;
	if (enabled) {
		const struct ds_mode *found = NULL;
		for (size_t i = 0; i < output->n_modes && !found; i++) {
			const struct ds_mode *m = &output->modes[i];
			if (m->width == width && m->height == height &&
					(refresh == 0 || m->refresh == refresh)) {
				found = m;
			}
		}
		if (!found) {
			configure_fail(result, "no such mode");
			return;
		}
		mode = *found;
	}
	const char *reason = NULL;
	if (!output->impl->configure(output, &mode, enabled != 0, test_only != 0, &reason)) {
		configure_fail(result, reason ? reason : "the backend refused");
		return;
	}
	lumen_display_configure_v1_send_succeeded(result);
	wl_resource_destroy(result);
	if (test_only) {
		return;
	}
	struct ds_output_state *st = state_of(output);
	bool resized = mode.width != output->current.width || mode.height != output->current.height;
	output->current = mode;
	output->current.preferred = false;
	output->enabled = enabled != 0;
	if (resized || !output->enabled) {
		discard_queued(output);
	}
	/* What the screen shows now is the backend's business; the next frame copies all. */
	pixman_region32_fini(&st->lost_damage);
	pixman_region32_init_rect(&st->lost_damage, 0, 0, (unsigned)output->current.width,
		(unsigned)output->current.height);
	ds_output_state_changed(output);
}

static void output_handle_attach(struct wl_client *client, struct wl_resource *resource,
		struct wl_resource *buffer_resource) {
	struct ds_output *output = output_from_resource(resource);
	if (!output || !ds_server_check_master(output->server, resource)) {
		return;
	}
	struct ds_buffer *buffer = ds_buffer_from_resource(buffer_resource);
	if (!buffer || buffer->invalid) {
		wl_resource_post_error(resource, LUMEN_DISPLAY_V1_ERROR_INVALID_BUFFER,
			"the buffer could not be imported");
		return;
	}
	if (buffer->width != output->current.width || buffer->height != output->current.height) {
		wl_resource_post_error(resource, LUMEN_DISPLAY_V1_ERROR_INVALID_BUFFER,
			"buffer %dx%d does not match the mode %dx%d", buffer->width, buffer->height,
			output->current.width, output->current.height);
		return;
	}
	struct ds_output_state *st = state_of(output);
	ds_buffer_lock(buffer);
	ds_buffer_unlock(st->pending_buffer);
	st->pending_buffer = buffer;
	st->pending_new_buffer = true;
}

static int32_t clamp_i64(int64_t v, int64_t lo, int64_t hi) {
	return (int32_t)(v < lo ? lo : v > hi ? hi : v);
}

static void output_handle_damage(struct wl_client *client, struct wl_resource *resource,
		int32_t x, int32_t y, int32_t width, int32_t height) {
	struct ds_output *output = output_from_resource(resource);
	if (!output || !ds_server_check_master(output->server, resource)) {
		return;
	}
	if (width <= 0 || height <= 0) {
		return;
	}
	/* 64-bit, so x + width cannot overflow; then clipped to the output. */
	int32_t x1 = clamp_i64(x, 0, output->current.width);
	int32_t y1 = clamp_i64(y, 0, output->current.height);
	int32_t x2 = clamp_i64((int64_t)x + width, 0, output->current.width);
	int32_t y2 = clamp_i64((int64_t)y + height, 0, output->current.height);
	if (x2 <= x1 || y2 <= y1) {
		return;
	}
	struct ds_output_state *st = state_of(output);
	pixman_region32_union_rect(&st->pending_damage, &st->pending_damage, x1, y1,
		(unsigned)(x2 - x1), (unsigned)(y2 - y1));
}

static void output_handle_commit(struct wl_client *client, struct wl_resource *resource,
		uint32_t id) {
	struct ds_output *output = output_from_resource(resource);
	if (output && !ds_server_check_master(output->server, resource)) {
		return;
	}
	struct wl_resource *frame_resource =
		result_create(client, &lumen_display_frame_v1_interface, resource, id);
	if (!frame_resource) {
		return;
	}
	if (!output) {
		lumen_display_frame_v1_send_discarded(frame_resource);
		wl_resource_destroy(frame_resource);
		return;
	}
	struct ds_output_state *st = state_of(output);
	struct ds_buffer *buffer = st->pending_buffer;
	if (!buffer) {
		wl_resource_post_error(resource, LUMEN_DISPLAY_V1_ERROR_INVALID_BUFFER,
			"commit with no buffer attached");
		return;
	}
	if (output->enabled && (buffer->width != output->current.width ||
			buffer->height != output->current.height)) {
		wl_resource_post_error(resource, LUMEN_DISPLAY_V1_ERROR_INVALID_BUFFER,
			"the attached buffer %dx%d does not match the mode %dx%d", buffer->width,
			buffer->height, output->current.width, output->current.height);
		return;
	}
	output->server->master_committed = true;
	struct ds_frame *frame = calloc(1, sizeof(*frame));
	if (!frame) {
		wl_resource_destroy(frame_resource);
		wl_client_post_no_memory(client);
		return;
	}
	frame->resource = frame_resource;
	wl_resource_set_user_data(frame_resource, frame);
	wl_resource_set_destructor(frame_resource, frame_resource_destroy);
	frame->buffer = buffer;
	ds_buffer_lock(buffer);
	pixman_region32_init(&frame->damage);
	if (st->pending_new_buffer && !pixman_region32_not_empty(&st->pending_damage)) {
		pixman_region32_union_rect(&frame->damage, &frame->damage, 0, 0,
			(unsigned)buffer->width, (unsigned)buffer->height);
	} else {
		pixman_region32_copy(&frame->damage, &st->pending_damage);
	}
	pixman_region32_clear(&st->pending_damage);
	st->pending_new_buffer = false;
	frame_queue(output, frame);
}

static void output_handle_set_cursor(struct wl_client *client, struct wl_resource *resource,
		struct wl_resource *buffer_resource, int32_t hot_x, int32_t hot_y) {
	struct ds_output *output = output_from_resource(resource);
	if (!output || !ds_server_check_master(output->server, resource)) {
		return;
	}
	if (output->cursor_width <= 0 || output->cursor_height <= 0) {
		wl_resource_post_error(resource, LUMEN_DISPLAY_V1_ERROR_INVALID_OUTPUT,
			"%s has no cursor", output->name);
		return;
	}
	struct ds_buffer *buffer = NULL;
	if (buffer_resource) {
		buffer = ds_buffer_from_resource(buffer_resource);
		if (!buffer || buffer->invalid || buffer->type != DS_BUFFER_SHM ||
				buffer->width > output->cursor_width ||
				buffer->height > output->cursor_height) {
			wl_resource_post_error(resource, LUMEN_DISPLAY_V1_ERROR_INVALID_BUFFER,
				"a cursor is an shm buffer of at most %dx%d", output->cursor_width,
				output->cursor_height);
			return;
		}
	}
	if (!output->impl->set_cursor || !output->impl->set_cursor(output, buffer, hot_x, hot_y)) {
		wl_resource_post_error(resource, LUMEN_DISPLAY_V1_ERROR_UNSUPPORTED,
			"%s cannot show this cursor", output->name);
	}
}

static void output_handle_move_cursor(struct wl_client *client, struct wl_resource *resource,
		int32_t x, int32_t y) {
	struct ds_output *output = output_from_resource(resource);
	if (!output || !ds_server_check_master(output->server, resource)) {
		return;
	}
	if (output->impl->move_cursor) {
		output->impl->move_cursor(output, x, y);
	}
}

static void output_handle_set_gamma(struct wl_client *client, struct wl_resource *resource,
		int fd, uint32_t size) {
	struct ds_output *output = output_from_resource(resource);
	uint16_t *ramps = NULL;
	if (!output || !ds_server_check_master(output->server, resource)) {
		goto out;
	}
	if (size == 0) {
		if (output->gamma_size > 0 && output->impl->set_gamma) {
			output->impl->set_gamma(output, NULL);
		}
		goto out;
	}
	if (output->gamma_size == 0 || size != output->gamma_size || !output->impl->set_gamma) {
		wl_resource_post_error(resource, LUMEN_DISPLAY_V1_ERROR_INVALID_GAMMA,
			"gamma size %u, the output takes %u", size, output->gamma_size);
		goto out;
	}
	size_t len = (size_t)size * 3 * sizeof(uint16_t);
	ramps = calloc(1, len);
	if (!ramps) {
		wl_client_post_no_memory(client);
		goto out;
	}
	size_t done = 0;
	while (done < len) {
		ssize_t n = pread(fd, (uint8_t *)ramps + done, len - done, (off_t)done);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			break;
		}
		done += (size_t)n;
	}
	if (done < len) {
		wl_resource_post_error(resource, LUMEN_DISPLAY_V1_ERROR_INVALID_GAMMA,
			"cannot read %zu bytes of gamma ramps from the fd", len);
		goto out;
	}
	if (!output->impl->set_gamma(output, ramps)) {
		wl_resource_post_error(resource, LUMEN_DISPLAY_V1_ERROR_INVALID_GAMMA,
			"%s refused the gamma ramps", output->name);
	}
out:
	free(ramps);
	close(fd);
}

static void output_handle_set_power(struct wl_client *client, struct wl_resource *resource,
		uint32_t on) {
	struct ds_output *output = output_from_resource(resource);
	if (!output || !ds_server_check_master(output->server, resource)) {
		return;
	}
	bool power = on != 0;
	if (power == output->power_on) {
		return;
	}
	if (!output->impl->set_power || !output->impl->set_power(output, power)) {
		wl_resource_post_error(resource, LUMEN_DISPLAY_V1_ERROR_UNSUPPORTED,
			"%s cannot switch power", output->name);
		return;
	}
	output->power_on = power;
	if (!power) {
		discard_queued(output);
	}
	ds_output_state_changed(output);
}

static void capture_fail(struct wl_resource *result, const char *reason) {
	lumen_display_capture_v1_send_failed(result, reason);
	wl_resource_destroy(result);
}

static void output_handle_capture(struct wl_client *client, struct wl_resource *resource,
		uint32_t id, int fd, int32_t width, int32_t height, int32_t stride, uint32_t format) {
	struct ds_output *output = output_from_resource(resource);
	struct wl_resource *result =
		result_create(client, &lumen_display_capture_v1_interface, resource, id);
	if (!result) {
		goto out;
	}
	if (!ds_shm_layout_ok(width, height, stride, format)) {
		wl_resource_post_error(resource, LUMEN_DISPLAY_V1_ERROR_INVALID_BUFFER,
			"bad capture buffer: %dx%d stride %d format 0x%08x", width, height, stride,
			format);
		goto out;
	}
	struct stat st;
	size_t len = (size_t)stride * (size_t)height;
	if (fstat(fd, &st) != 0 || st.st_size < 0 || (uint64_t)st.st_size < len) {
		wl_resource_post_error(resource, LUMEN_DISPLAY_V1_ERROR_INVALID_BUFFER,
			"the capture fd holds less than stride * height = %zu bytes", len);
		goto out;
	}
	if (!output) {
		capture_fail(result, "the output is gone");
		goto out;
	}
	if (!output->enabled) {
		capture_fail(result, "the output is disabled");
		goto out;
	}
	if (width != output->current.width || height != output->current.height) {
		capture_fail(result, "the size does not match the output's mode");
		goto out;
	}
	if (!output->impl->capture) {
		capture_fail(result, "this output cannot be captured");
		goto out;
	}
	void *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		wl_resource_post_error(resource, LUMEN_DISPLAY_V1_ERROR_INVALID_BUFFER,
			"cannot map the capture fd: %s", strerror(errno));
		goto out;
	}
	struct timespec latched = {0};
	ds_client_memory_begin(map, len);
	bool ok = output->impl->capture(output, map, stride, format, &latched);
	bool intact = ds_client_memory_end();
	munmap(map, len);
	if (!intact) {
		wl_resource_post_error(resource, LUMEN_DISPLAY_V1_ERROR_INVALID_BUFFER,
			"the capture fd shrank while the server wrote to it");
		goto out;
	}
	if (!ok) {
		capture_fail(result, "the backend could not read the output back");
		goto out;
	}
	uint64_t sec = (uint64_t)latched.tv_sec;
	lumen_display_capture_v1_send_done(result, (uint32_t)(sec >> 32), (uint32_t)sec,
		(uint32_t)latched.tv_nsec);
	wl_resource_destroy(result);
out:
	close(fd);
}

static void output_handle_remove(struct wl_client *client, struct wl_resource *resource) {
	struct ds_output *output = output_from_resource(resource);
	if (!output) {
		return;
	}
	if (!output->impl->remove || !output->impl->remove(output)) {
		wl_resource_post_error(resource, LUMEN_DISPLAY_V1_ERROR_UNSUPPORTED,
			"%s cannot be removed", output->name);
	}
}

static void output_handle_get_stats(struct wl_client *client, struct wl_resource *resource,
		uint32_t id) {
	struct ds_output *output = output_from_resource(resource);
	struct wl_resource *result =
		result_create(client, &lumen_display_stats_v1_interface, resource, id);
	if (!result) {
		return;
	}
	uint64_t bytes = output ? output->bytes_copied : 0;
	struct ds_output_state *st = output ? state_of(output) : NULL;
	lumen_display_stats_v1_send_stats(result, (uint32_t)(bytes >> 32), (uint32_t)bytes,
		st ? st->presented : 0, st ? st->discarded : 0);
	wl_resource_destroy(result);
}

static const struct lumen_display_output_v1_interface output_impl = {
	.destroy = output_handle_destroy,
	.configure = output_handle_configure,
	.attach = output_handle_attach,
	.damage = output_handle_damage,
	.commit = output_handle_commit,
	.set_cursor = output_handle_set_cursor,
	.move_cursor = output_handle_move_cursor,
	.set_gamma = output_handle_set_gamma,
	.set_power = output_handle_set_power,
	.capture = output_handle_capture,
	.remove = output_handle_remove,
	.get_stats = output_handle_get_stats,
};

static void output_resource_destroy(struct wl_resource *resource) {
	wl_list_remove(wl_resource_get_link(resource));
}

bool ds_output_send_to_client(struct ds_output *output, struct wl_resource *display_resource) {
	struct wl_client *client = wl_resource_get_client(display_resource);
	struct wl_resource *resource = wl_resource_create(client, &lumen_display_output_v1_interface,
		wl_resource_get_version(display_resource), 0);
	if (!resource) {
		return false;
	}
	wl_resource_set_implementation(resource, &output_impl, output, output_resource_destroy);
	wl_list_insert(output->resources.prev, wl_resource_get_link(resource));
	lumen_display_v1_send_output(display_resource, resource);
	lumen_display_output_v1_send_name(resource, output->name);
	lumen_display_output_v1_send_description(resource, output->make, output->model,
		output->serial);
	lumen_display_output_v1_send_physical_size(resource, output->phys_width_mm,
		output->phys_height_mm);
	for (size_t i = 0; i < output->n_formats; i++) {
		uint64_t modifier = output->modifiers ? output->modifiers[i] : 0;
		lumen_display_output_v1_send_format(resource, output->formats[i],
			(uint32_t)(modifier >> 32), (uint32_t)modifier);
	}
	send_modes_and_state(output, resource);
	lumen_display_output_v1_send_done(resource);
	return true;
}

/* Backend side */

void ds_output_add(struct ds_server *server, struct ds_output *output) {
	output->server = server;
	wl_list_init(&output->resources);
	wl_list_init(&output->link);
	struct ds_output_state *st = calloc(1, sizeof(*st));
	if (!st) {
		lumen_log(LUMEN_ERROR, "out of memory: %s is not announced", output->name);
		output->core = NULL;
		return;
	}
	st->output = output;
	pixman_region32_init(&st->pending_damage);
	pixman_region32_init(&st->lost_damage);
	output->core = st;
	wl_list_insert(server->outputs.prev, &output->link);
	lumen_log(LUMEN_INFO, "output %s: %dx%d@%d.%03d Hz", output->name, output->current.width,
		output->current.height, output->current.refresh / 1000, output->current.refresh % 1000);
	ds_server_send_output_to_all(server, output);
}

void ds_output_remove(struct ds_output *output) {
	struct ds_output_state *st = state_of(output);
	if (!st) {
		return;
	}
	lumen_log(LUMEN_INFO, "output %s removed", output->name);
	st->removed = true;
	struct wl_resource *resource, *tmp;
	wl_resource_for_each_safe (resource, tmp, &output->resources) {
		lumen_display_output_v1_send_removed(resource);
		wl_resource_set_user_data(resource, NULL);
		wl_list_remove(wl_resource_get_link(resource));
		wl_list_init(wl_resource_get_link(resource));
	}
	discard_queued(output);
	if (st->in_flight) {
		struct ds_frame *frame = st->in_flight;
		st->in_flight = NULL;
		frame_discard(output, frame);
	}
	if (st->scanned_out) {
		ds_buffer_send_release(st->scanned_out);
		ds_buffer_unlock(st->scanned_out);
	}
	ds_buffer_unlock(st->pending_buffer);
	pixman_region32_fini(&st->pending_damage);
	pixman_region32_fini(&st->lost_damage);
	free(st);
	output->core = NULL;
	wl_list_remove(&output->link);
	wl_list_init(&output->link);
}

void ds_output_master_gone(struct ds_output *output) {
	struct ds_output_state *st = state_of(output);
	if (!st) {
		return;
	}
	/* The master's frames waiting behind the one in flight go; the one the backend has
	 * is shown (its buffer stays mapped), like a flip already queued to the hardware. */
	if (st->queued) {
		struct ds_frame *frame = st->queued;
		st->queued = NULL;
		frame_discard(output, frame);
	}
	ds_buffer_unlock(st->pending_buffer);
	st->pending_buffer = NULL;
	st->pending_new_buffer = false;
	pixman_region32_clear(&st->pending_damage);
	/* The next master brings its own cursor; a dead one's must not hang on screen, nor
	 * may its power-off leave the screen dark. Gamma stays (night light, say). */
	if (output->impl->set_cursor && output->cursor_width > 0) {
		output->impl->set_cursor(output, NULL, 0, 0);
	}
	if (!output->power_on && output->impl->set_power && output->impl->set_power(output, true)) {
		output->power_on = true;
		ds_output_state_changed(output);
	}
}

static void draw_restart_frame(struct ds_buffer *buffer) {
	int32_t w = buffer->width, h = buffer->height;
	int64_t r_out = (w < h ? w : h) / 8;
	int64_t r_in = r_out - (r_out / 4 > 1 ? r_out / 4 : 1);
	int64_t cx = w / 2, cy = h / 2;
	for (int32_t y = 0; y < h; y++) {
		uint32_t *row = (uint32_t *)((uint8_t *)buffer->data + (size_t)y * (size_t)buffer->stride);
		for (int32_t x = 0; x < w; x++) {
			int64_t dx = x - cx, dy = y - cy;
			int64_t d2 = dx * dx + dy * dy;
			/* a ring with a gap in its upper right octant: "going round again" */
			bool ring = d2 <= r_out * r_out && d2 >= r_in * r_in && !(dx > 0 && -dy > dx);
			row[x] = 0xff000000u | (ring ? DS_RESTART_MARK : DS_RESTART_BACKGROUND);
		}
	}
}

void ds_output_show_restart_frame(struct ds_output *output) {
	struct ds_output_state *st = state_of(output);
	if (!st || !output->enabled || output->current.width <= 0 || output->current.height <= 0) {
		return;
	}
	struct ds_buffer *buffer =
		ds_buffer_create_internal(output->current.width, output->current.height);
	struct ds_frame *frame = buffer ? calloc(1, sizeof(*frame)) : NULL;
	if (!frame) {
		lumen_log(LUMEN_ERROR, "out of memory for the restarting frame of %s", output->name);
		ds_buffer_unlock(buffer);
		return;
	}
	draw_restart_frame(buffer);
	frame->buffer = buffer; // the frame takes the buffer's first lock
	pixman_region32_init_rect(&frame->damage, 0, 0, (unsigned)buffer->width,
		(unsigned)buffer->height);
	frame_queue(output, frame);
}
