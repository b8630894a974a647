/*
 * The lumen-display backend: a wlroots 0.15 backend whose outputs are lumen-displayd's
 * (protocols/lumen-display-v1.xml). We are displayd's master: every frame wlroots
 * renders goes to displayd as a buffer imported once per wlr_buffer, with its damage;
 * present and frame events come from displayd's presented/discarded, i.e. from the
 * event loop after the commit returned, never inside it (DESIGN.md).
 */
#define _GNU_SOURCE
#include <drm_fourcc.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wayland-client.h>
#include <wlr/backend/interface.h>
#include <wlr/interfaces/wlr_output.h>
#include <wlr/render/drm_format_set.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/util/addon.h>
#include "common/fd.h"
#include "common/log.h"
#include "display-backend.h"
#include "lumen-display-v1-client-protocol.h"

struct display_backend {
	struct wlr_backend backend;
	struct wl_display *display; // the compositor's
	struct wl_event_loop *loop;
	struct wl_display *remote; // our connection to displayd
	struct wl_registry *registry;
	struct lumen_display_v1 *ld;
	struct wl_event_source *remote_source;
	struct wl_event_source *idle_dispatch; // may be NULL
	struct wl_list outputs; // display_output.link
	struct wl_list buffers; // display_buffer.link
	int render_fd; // -1 without a GPU
	bool started, initial_done, lost, want_writable;
	comp_display_lost_fn lost_fn;
	void *lost_data;
	struct wl_listener display_destroy;
};

struct display_mode_info {
	int32_t width, height, refresh;
	uint32_t flags;
};

struct display_output {
	struct wlr_output wlr_output; // valid once announced
	struct display_backend *backend;
	struct lumen_display_output_v1 *proxy;
	struct wl_list link; // display_backend.outputs
	struct wl_list frames; // display_frame.link
	char url[128];
	char make[64], model[64], serial[64];
	int32_t phys_w, phys_h;
	struct display_mode_info *modes; // as displayd last listed them
	size_t n_modes, cap_modes;
	bool modes_complete; // a done closed the last list; the next mode event starts anew
	bool power_on;
	uint32_t gamma_size;
	int32_t cursor_w, cursor_h; // displayd's cursor plane, 0 if none
	bool announced; // wlr_output_init done
	bool emitted; // new_output sent
};

struct display_buffer {
	struct wlr_addon addon; // on wlr_buffer.addons, owner: the backend
	struct wlr_buffer *wlr_buffer;
	struct display_backend *backend;
	struct lumen_display_buffer_v1 *proxy;
	struct wl_list link; // display_backend.buffers
	int commits_unreleased; // each holds a wlr_buffer lock
};

struct display_frame {
	struct display_output *output;
	struct lumen_display_frame_v1 *proxy;
	uint32_t commit_seq;
	struct wl_list link; // display_output.frames
};

static const struct wlr_backend_impl backend_impl;
static const struct wlr_output_impl output_impl;

static struct display_backend *display_backend_from(struct wlr_backend *wlr_backend) {
	return wl_container_of(wlr_backend, (struct display_backend *)NULL, backend);
}

bool comp_backend_is_display(struct wlr_backend *backend) {
	return backend->impl == &backend_impl;
}

bool comp_output_is_display(struct wlr_output *output) {
	return output->impl == &output_impl;
}

/* --- talking to displayd --- */

static void backend_lost(struct display_backend *backend, const char *why) {
	if (backend->lost) {
		return;
	}
	backend->lost = true;
	int err = backend->remote ? wl_display_get_error(backend->remote) : 0;
	lumen_log(LUMEN_ERROR, "lost the display server (%s%s%s)", why, err ? ": " : "",
		err ? strerror(err) : "");
	if (backend->remote_source) {
		wl_event_source_remove(backend->remote_source);
		backend->remote_source = NULL;
	}
	if (backend->lost_fn) {
		backend->lost_fn(backend->lost_data);
	}
}

static void flush_remote(struct display_backend *backend) {
	if (backend->lost) {
		return;
	}
	if (wl_display_flush(backend->remote) < 0) {
		if (errno != EAGAIN) {
			backend_lost(backend, "cannot write");
			return;
		}
		/* The socket is full: finish when displayd has read some. */
		if (!backend->want_writable) {
			backend->want_writable = true;
			wl_event_source_fd_update(backend->remote_source,
				WL_EVENT_READABLE | WL_EVENT_WRITABLE);
		}
	} else if (backend->want_writable) {
		backend->want_writable = false;
		wl_event_source_fd_update(backend->remote_source, WL_EVENT_READABLE);
	}
}

static int handle_remote(int fd, uint32_t mask, void *data) {
	struct display_backend *backend = data;
	if (mask & (WL_EVENT_HANGUP | WL_EVENT_ERROR)) {
		backend_lost(backend, "hung up");
		return 0;
	}
	if (mask & WL_EVENT_READABLE) {
		if (wl_display_dispatch(backend->remote) < 0) {
			backend_lost(backend, "protocol or read error");
			return 0;
		}
	}
	if (mask & WL_EVENT_WRITABLE) {
		flush_remote(backend);
	}
	flush_remote(backend);
	return 0;
}

static void handle_idle_dispatch(void *data) {
	struct display_backend *backend = data;
	backend->idle_dispatch = NULL;
	if (!backend->lost && wl_display_dispatch_pending(backend->remote) < 0) {
		backend_lost(backend, "dispatch error");
	}
	flush_remote(backend);
}

/* After a blocking round trip, events for the default queue may sit read but not
 * dispatched, and the fd will not wake us for them. */
static void schedule_dispatch(struct display_backend *backend) {
	if (!backend->idle_dispatch && !backend->lost) {
		backend->idle_dispatch = wl_event_loop_add_idle(backend->loop, handle_idle_dispatch,
			backend);
	}
}

/* --- frames: the only source of present and frame events --- */

static void frame_finish(struct display_frame *frame, bool presented, struct timespec *when,
		unsigned seq, int refresh, uint32_t flags) {
	struct display_output *output = frame->output;
	wl_list_remove(&frame->link);
	lumen_display_frame_v1_destroy(frame->proxy);
	uint32_t commit_seq = frame->commit_seq;
	free(frame);

	struct wlr_output_event_present event = {
		.output = &output->wlr_output,
		.commit_seq = commit_seq,
		.presented = presented,
		.when = when,
		.seq = seq,
		.refresh = refresh,
		.flags = flags, // displayd's bits are wlroots' (and wp_presentation's)
	};
	wlr_output_send_present(&output->wlr_output, &event);
	/* Only the newest commit's fate makes room for the next frame. */
	if (wl_list_empty(&output->frames)) {
		wlr_output_send_frame(&output->wlr_output);
	}
}

static void handle_frame_presented(void *data, struct lumen_display_frame_v1 *proxy,
		uint32_t sec_hi, uint32_t sec_lo, uint32_t nsec, uint32_t refresh, uint32_t seq_hi,
		uint32_t seq_lo, uint32_t flags) {
	struct timespec when = {
		.tv_sec = (time_t)(((uint64_t)sec_hi << 32) | sec_lo),
		.tv_nsec = nsec,
	};
	frame_finish(data, true, &when, seq_lo, refresh > INT32_MAX ? 0 : (int)refresh, flags);
	(void)seq_hi;
}

static void handle_frame_discarded(void *data, struct lumen_display_frame_v1 *proxy) {
	frame_finish(data, false, NULL, 0, 0, 0);
}

static const struct lumen_display_frame_v1_listener frame_listener = {
	.presented = handle_frame_presented,
	.discarded = handle_frame_discarded,
};

/* --- buffers, imported once per wlr_buffer --- */

static void display_buffer_destroy(struct display_buffer *buffer) {
	wl_list_remove(&buffer->link);
	if (buffer->proxy) {
		lumen_display_buffer_v1_destroy(buffer->proxy);
	}
	free(buffer);
}

static void handle_buffer_addon_destroy(struct wlr_addon *addon) {
	/* The wlr_buffer is going: displayd may forget it too. */
	struct display_buffer *buffer = wl_container_of(addon, buffer, addon);
	wlr_addon_finish(&buffer->addon);
	struct display_backend *backend = buffer->backend;
	display_buffer_destroy(buffer);
	flush_remote(backend);
}

static const struct wlr_addon_interface buffer_addon_impl = {
	.name = "lumen-display-buffer",
	.destroy = handle_buffer_addon_destroy,
};

static void handle_buffer_release(void *data, struct lumen_display_buffer_v1 *proxy) {
	struct display_buffer *buffer = data;
	if (!lumen_assert(buffer->commits_unreleased > 0, "displayd released a buffer twice")) {
		return;
	}
	buffer->commits_unreleased--;
	/* Last: this may destroy the wlr_buffer, and with it our addon. */
	wlr_buffer_unlock(buffer->wlr_buffer);
}

static const struct lumen_display_buffer_v1_listener buffer_listener = {
	.release = handle_buffer_release,
};

static struct display_buffer *import_buffer(struct display_backend *backend,
		struct wlr_buffer *wlr_buffer) {
	struct wlr_addon *addon = wlr_addon_find(&wlr_buffer->addons, backend, &buffer_addon_impl);
	if (addon) {
		struct display_buffer *found = wl_container_of(addon, found, addon);
		return found;
	}

	struct lumen_display_buffer_v1 *proxy = NULL;
	struct wlr_shm_attributes shm;
	struct wlr_dmabuf_attributes dmabuf;
	if (wlr_buffer_get_shm(wlr_buffer, &shm)) {
		/* libwayland sends a duplicate of the fd; ours stays the allocator's. */
		proxy = lumen_display_v1_create_shm_buffer(backend->ld, shm.fd, (uint32_t)shm.offset,
			shm.width, shm.height, shm.stride, shm.format);
	} else if (wlr_buffer_get_dmabuf(wlr_buffer, &dmabuf)) {
		struct lumen_display_dmabuf_params_v1 *params =
			lumen_display_v1_create_dmabuf_params(backend->ld);
		for (int i = 0; i < dmabuf.n_planes; i++) {
			lumen_display_dmabuf_params_v1_add(params, dmabuf.fd[i], (uint32_t)i,
				dmabuf.offset[i], dmabuf.stride[i]);
		}
		proxy = lumen_display_dmabuf_params_v1_create(params, dmabuf.width, dmabuf.height,
			dmabuf.format, (uint32_t)(dmabuf.modifier >> 32),
			(uint32_t)(dmabuf.modifier & 0xffffffff));
		lumen_display_dmabuf_params_v1_destroy(params);
	} else {
		lumen_log(LUMEN_ERROR, "a buffer that is neither shm nor dmabuf cannot be shown");
		return NULL;
	}
	if (!proxy) {
		return NULL;
	}

	struct display_buffer *buffer = calloc(1, sizeof(*buffer));
	if (!buffer) {
		lumen_display_buffer_v1_destroy(proxy);
		return NULL;
	}
	buffer->wlr_buffer = wlr_buffer;
	buffer->backend = backend;
	buffer->proxy = proxy;
	lumen_display_buffer_v1_add_listener(proxy, &buffer_listener, buffer);
	wlr_addon_init(&buffer->addon, &wlr_buffer->addons, backend, &buffer_addon_impl);
	wl_list_insert(&backend->buffers, &buffer->link);
	return buffer;
}

/* --- configure: the one synchronous exchange (wlroots' test and commit are) --- */

struct configure_answer {
	bool done, ok;
	char reason[128];
};

static void handle_configure_succeeded(void *data, struct lumen_display_configure_v1 *proxy) {
	struct configure_answer *answer = data;
	answer->done = answer->ok = true;
	lumen_display_configure_v1_destroy(proxy);
}

static void handle_configure_failed(void *data, struct lumen_display_configure_v1 *proxy,
		const char *reason) {
	struct configure_answer *answer = data;
	answer->done = true;
	snprintf(answer->reason, sizeof(answer->reason), "%s", reason);
	lumen_display_configure_v1_destroy(proxy);
}

static const struct lumen_display_configure_v1_listener configure_listener = {
	.succeeded = handle_configure_succeeded,
	.failed = handle_configure_failed,
};

static bool configure_sync(struct display_output *output, int32_t width, int32_t height,
		int32_t refresh, bool test_only) {
	struct display_backend *backend = output->backend;
	if (backend->lost) {
		return false;
	}
	struct wl_event_queue *queue = wl_display_create_queue(backend->remote);
	struct lumen_display_output_v1 *wrapper = wl_proxy_create_wrapper(output->proxy);
	if (!queue || !wrapper) {
		if (queue) {
			wl_event_queue_destroy(queue);
		}
		return false;
	}
	wl_proxy_set_queue((struct wl_proxy *)wrapper, queue);
	struct configure_answer answer = {0};
	struct lumen_display_configure_v1 *result = lumen_display_output_v1_configure(wrapper,
		width, height, refresh, 1, test_only ? 1 : 0);
	wl_proxy_wrapper_destroy(wrapper);
	lumen_display_configure_v1_add_listener(result, &configure_listener, &answer);
	while (!answer.done) {
		if (wl_display_dispatch_queue(backend->remote, queue) < 0) {
			backend_lost(backend, "configure");
			break;
		}
	}
	if (!answer.done) {
		lumen_display_configure_v1_destroy(result);
	}
	wl_event_queue_destroy(queue);
	schedule_dispatch(backend);
	if (answer.done && !answer.ok) {
		lumen_log(LUMEN_INFO, "%s: displayd refused %dx%d@%d: %s", output->url, width, height,
			refresh, answer.reason);
	}
	return answer.ok;
}

/* --- wlr_output_impl --- */

static struct display_output *display_output_from(struct wlr_output *wlr_output) {
	return wl_container_of(wlr_output, (struct display_output *)NULL, wlr_output);
}

static const uint32_t supported_state = WLR_OUTPUT_STATE_BACKEND_OPTIONAL |
	WLR_OUTPUT_STATE_BUFFER | WLR_OUTPUT_STATE_MODE | WLR_OUTPUT_STATE_ENABLED |
	WLR_OUTPUT_STATE_GAMMA_LUT;

static void pending_mode(struct wlr_output *wlr_output, int32_t *width, int32_t *height,
		int32_t *refresh) {
	if (wlr_output->pending.mode_type == WLR_OUTPUT_STATE_MODE_FIXED) {
		*width = wlr_output->pending.mode->width;
		*height = wlr_output->pending.mode->height;
		*refresh = wlr_output->pending.mode->refresh;
	} else {
		*width = wlr_output->pending.custom_mode.width;
		*height = wlr_output->pending.custom_mode.height;
		*refresh = wlr_output->pending.custom_mode.refresh;
	}
}

static bool output_test(struct wlr_output *wlr_output) {
	struct display_output *output = display_output_from(wlr_output);
	uint32_t committed = wlr_output->pending.committed;
	if (committed & ~supported_state) {
		lumen_log(LUMEN_DEBUG, "%s: unsupported state 0x%x", output->url,
			committed & ~supported_state);
		return false;
	}
	if ((committed & WLR_OUTPUT_STATE_GAMMA_LUT) && wlr_output->pending.gamma_lut_size != 0 &&
			wlr_output->pending.gamma_lut_size != output->gamma_size) {
		return false;
	}
	if (committed & WLR_OUTPUT_STATE_BUFFER) {
		/* A client's wl_shm buffer offered for direct scan-out has no fd we could pass
		 * on: refusing it here makes wlroots composite instead, without an error. */
		struct wlr_buffer *buffer = wlr_output->pending.buffer;
		struct wlr_shm_attributes shm;
		struct wlr_dmabuf_attributes dmabuf;
		if (!wlr_addon_find(&buffer->addons, output->backend, &buffer_addon_impl) &&
				!wlr_buffer_get_shm(buffer, &shm) && !wlr_buffer_get_dmabuf(buffer, &dmabuf)) {
			return false;
		}
	}
	if (committed & WLR_OUTPUT_STATE_MODE) {
		int32_t w, h, r;
		pending_mode(wlr_output, &w, &h, &r);
		if (w != wlr_output->width || h != wlr_output->height || r != wlr_output->refresh) {
			return configure_sync(output, w, h, r, true);
		}
	}
	return !output->backend->lost;
}

static bool set_gamma(struct display_output *output, const uint16_t *lut, size_t size) {
	size_t bytes = 3 * size * sizeof(uint16_t);
	int fd = lumen_shm_create(bytes ? bytes : 1);
	if (fd < 0) {
		return false;
	}
	bool ok = bytes == 0 || pwrite(fd, lut, bytes, 0) == (ssize_t)bytes;
	if (ok) {
		lumen_display_output_v1_set_gamma(output->proxy, fd, (uint32_t)size);
	}
	close(fd);
	return ok;
}

static bool output_commit(struct wlr_output *wlr_output) {
	struct display_output *output = display_output_from(wlr_output);
	struct display_backend *backend = output->backend;
	if (!output_test(wlr_output)) {
		return false;
	}
	uint32_t committed = wlr_output->pending.committed;

	if (committed & WLR_OUTPUT_STATE_MODE) {
		int32_t w, h, r;
		pending_mode(wlr_output, &w, &h, &r);
		if (w != wlr_output->width || h != wlr_output->height || r != wlr_output->refresh) {
			if (!configure_sync(output, w, h, r, false)) {
				return false;
			}
		}
		if (wlr_output->pending.mode_type == WLR_OUTPUT_STATE_MODE_FIXED) {
			wlr_output_update_mode(wlr_output, wlr_output->pending.mode);
		} else {
			wlr_output_update_custom_mode(wlr_output, w, h, r);
		}
	}
	if (committed & WLR_OUTPUT_STATE_ENABLED) {
		/* wlroots' enabled is what output-power and output-management switch: power. */
		bool on = wlr_output->pending.enabled;
		if (on != output->power_on) {
			lumen_display_output_v1_set_power(output->proxy, on ? 1 : 0);
			output->power_on = on;
		}
		wlr_output_update_enabled(wlr_output, on);
	}
	if (committed & WLR_OUTPUT_STATE_GAMMA_LUT) {
		if (!set_gamma(output, wlr_output->pending.gamma_lut,
				wlr_output->pending.gamma_lut_size)) {
			return false;
		}
	}
	if (committed & WLR_OUTPUT_STATE_BUFFER) {
		struct display_buffer *buffer = import_buffer(backend, wlr_output->pending.buffer);
		struct display_frame *frame = buffer ? calloc(1, sizeof(*frame)) : NULL;
		if (!frame) {
			flush_remote(backend);
			return false;
		}
		lumen_display_output_v1_attach(output->proxy, buffer->proxy);
		if (committed & WLR_OUTPUT_STATE_DAMAGE) {
			int n = 0;
			const pixman_box32_t *rects =
				pixman_region32_rectangles(&wlr_output->pending.damage, &n);
			for (int i = 0; i < n; i++) {
				lumen_display_output_v1_damage(output->proxy, rects[i].x1, rects[i].y1,
					rects[i].x2 - rects[i].x1, rects[i].y2 - rects[i].y1);
			}
		}
		frame->output = output;
		frame->commit_seq = wlr_output->commit_seq + 1;
		frame->proxy = lumen_display_output_v1_commit(output->proxy);
		lumen_display_frame_v1_add_listener(frame->proxy, &frame_listener, frame);
		wl_list_insert(output->frames.prev, &frame->link);
		/* displayd reads the buffer until its release. */
		wlr_buffer_lock(buffer->wlr_buffer);
		buffer->commits_unreleased++;
	}
	flush_remote(backend);
	return !backend->lost;
}

static size_t output_get_gamma_size(struct wlr_output *wlr_output) {
	return display_output_from(wlr_output)->gamma_size;
}

static void free_modes(struct wlr_output *wlr_output) {
	struct wlr_output_mode *mode, *tmp;
	wl_list_for_each_safe(mode, tmp, &wlr_output->modes, link) {
		wl_list_remove(&mode->link);
		free(mode);
	}
}

static void display_output_free(struct display_output *output) {
	struct display_frame *frame, *tmp;
	wl_list_for_each_safe(frame, tmp, &output->frames, link) {
		wl_list_remove(&frame->link);
		lumen_display_frame_v1_destroy(frame->proxy);
		free(frame);
	}
	if (output->proxy) {
		lumen_display_output_v1_destroy(output->proxy);
	}
	wl_list_remove(&output->link);
	free(output->modes);
	free(output);
}

static void output_destroy(struct wlr_output *wlr_output) {
	struct display_output *output = display_output_from(wlr_output);
	free_modes(wlr_output);
	display_output_free(output);
}

/*
 * The cursor on displayd's cursor plane: wlroots renders it into a buffer of the plane's
 * size, which displayd copies at once (no release). false makes wlroots draw it into
 * the frame instead.
 */
static bool output_set_cursor(struct wlr_output *wlr_output, struct wlr_buffer *wlr_buffer,
		int hotspot_x, int hotspot_y) {
	struct display_output *output = display_output_from(wlr_output);
	struct display_backend *backend = output->backend;
	if (output->cursor_w == 0 || backend->lost) {
		return false;
	}
	struct lumen_display_buffer_v1 *proxy = NULL;
	if (wlr_buffer) {
		struct wlr_shm_attributes shm;
		if (wlr_buffer->width > output->cursor_w || wlr_buffer->height > output->cursor_h ||
				!wlr_buffer_get_shm(wlr_buffer, &shm)) {
			return false;
		}
		struct display_buffer *buffer = import_buffer(backend, wlr_buffer);
		if (!buffer) {
			return false;
		}
		proxy = buffer->proxy;
	}
	lumen_display_output_v1_set_cursor(output->proxy, proxy, hotspot_x, hotspot_y);
	flush_remote(backend);
	return true;
}

static bool output_move_cursor(struct wlr_output *wlr_output, int x, int y) {
	struct display_output *output = display_output_from(wlr_output);
	if (output->backend->lost) {
		return false;
	}
	lumen_display_output_v1_move_cursor(output->proxy, x, y);
	flush_remote(output->backend);
	return true;
}

static void output_get_cursor_size(struct wlr_output *wlr_output, int *width, int *height) {
	struct display_output *output = display_output_from(wlr_output);
	*width = output->cursor_w;
	*height = output->cursor_h;
}

static const struct wlr_output_impl output_impl = {
	.set_cursor = output_set_cursor,
	.move_cursor = output_move_cursor,
	.get_cursor_size = output_get_cursor_size,
	.destroy = output_destroy,
	.test = output_test,
	.commit = output_commit,
	.get_gamma_size = output_get_gamma_size,
};

/* --- outputs as displayd describes them --- */

/* "display:virtual/0" -> "virtual-0"; "display:kms.card0/Virtual-1" -> "Virtual-1". */
static void output_short_name(const char *url, char *out, size_t len) {
	const char *path = strncmp(url, "display:", 8) == 0 ? url + 8 : url;
	const char *slash = strrchr(path, '/');
	const char *last = slash ? slash + 1 : path;
	bool digits = *last != '\0' && strspn(last, "0123456789") == strlen(last);
	if (digits && slash) {
		int kind = (int)(slash - path);
		snprintf(out, len, "%.*s-%s", kind, path, last);
	} else {
		snprintf(out, len, "%s", last);
	}
}

static void copy_truncated(char *dst, size_t size, const char *src) {
	size_t len = strnlen(src, size - 1);
	memcpy(dst, src, len);
	dst[len] = '\0';
}

static void announce_output(struct display_output *output) {
	struct display_backend *backend = output->backend;
	struct wlr_output *wlr_output = &output->wlr_output;
	wlr_output_init(wlr_output, &backend->backend, &output_impl, backend->display);

	struct wlr_output_mode *current = NULL;
	for (size_t i = 0; i < output->n_modes; i++) {
		struct wlr_output_mode *mode = calloc(1, sizeof(*mode));
		if (!mode) {
			break;
		}
		mode->width = output->modes[i].width;
		mode->height = output->modes[i].height;
		mode->refresh = output->modes[i].refresh;
		mode->preferred = output->modes[i].flags & LUMEN_DISPLAY_OUTPUT_V1_MODE_FLAGS_PREFERRED;
		wl_list_insert(wlr_output->modes.prev, &mode->link);
		if (output->modes[i].flags & LUMEN_DISPLAY_OUTPUT_V1_MODE_FLAGS_CURRENT) {
			current = mode;
		}
	}
	if (current) {
		wlr_output_update_mode(wlr_output, current);
	}
	char name[64];
	output_short_name(output->url, name, sizeof(name));
	wlr_output_set_name(wlr_output, name);
	char description[512];
	snprintf(description, sizeof(description), "%s %s (%s)", output->make, output->model,
		output->url);
	wlr_output_set_description(wlr_output, description);
	copy_truncated(wlr_output->make, sizeof(wlr_output->make), output->make);
	copy_truncated(wlr_output->model, sizeof(wlr_output->model), output->model);
	copy_truncated(wlr_output->serial, sizeof(wlr_output->serial), output->serial);
	wlr_output->phys_width = output->phys_w;
	wlr_output->phys_height = output->phys_h;
	output->announced = true;
}

static void emit_output(struct display_output *output) {
	if (output->emitted || !output->announced || !output->backend->started) {
		return;
	}
	output->emitted = true;
	wlr_output_update_enabled(&output->wlr_output, output->power_on);
	wl_signal_emit(&output->backend->backend.events.new_output, &output->wlr_output);
}

static void handle_output_name(void *data, struct lumen_display_output_v1 *proxy,
		const char *name) {
	struct display_output *output = data;
	snprintf(output->url, sizeof(output->url), "%s", name);
}

static void handle_output_description(void *data, struct lumen_display_output_v1 *proxy,
		const char *make, const char *model, const char *serial) {
	struct display_output *output = data;
	snprintf(output->make, sizeof(output->make), "%s", make);
	snprintf(output->model, sizeof(output->model), "%s", model);
	snprintf(output->serial, sizeof(output->serial), "%s", serial);
}

static void handle_output_physical_size(void *data, struct lumen_display_output_v1 *proxy,
		int32_t width, int32_t height) {
	struct display_output *output = data;
	output->phys_w = width;
	output->phys_h = height;
}

static void handle_output_mode(void *data, struct lumen_display_output_v1 *proxy,
		int32_t width, int32_t height, int32_t refresh, uint32_t flags) {
	struct display_output *output = data;
	if (output->modes_complete) {
		output->n_modes = 0;
		output->modes_complete = false;
	}
	if (output->n_modes == output->cap_modes) {
		size_t cap = output->cap_modes ? output->cap_modes * 2 : 8;
		struct display_mode_info *modes = realloc(output->modes, cap * sizeof(*modes));
		if (!modes) {
			return;
		}
		output->modes = modes;
		output->cap_modes = cap;
	}
	output->modes[output->n_modes++] = (struct display_mode_info){
		.width = width, .height = height, .refresh = refresh, .flags = flags,
	};
}

static void handle_output_format(void *data, struct lumen_display_output_v1 *proxy,
		uint32_t format, uint32_t mod_hi, uint32_t mod_lo) {
	/* The pixman renderer draws XRGB8888, which every output takes. */
}

static void handle_output_state(void *data, struct lumen_display_output_v1 *proxy,
		uint32_t enabled, uint32_t power_on, uint32_t gamma_size, int32_t cursor_width,
		int32_t cursor_height) {
	struct display_output *output = data;
	output->power_on = enabled && power_on;
	output->gamma_size = gamma_size;
	output->cursor_w = cursor_width > 0 && cursor_height > 0 ? cursor_width : 0;
	output->cursor_h = output->cursor_w ? cursor_height : 0;
}

static void handle_output_done(void *data, struct lumen_display_output_v1 *proxy) {
	struct display_output *output = data;
	output->modes_complete = true;
	if (!output->announced) {
		announce_output(output);
		emit_output(output);
		return;
	}
	/* A mode changed behind our back (displayctl, a VT switch): follow it. */
	for (size_t i = 0; i < output->n_modes; i++) {
		const struct display_mode_info *m = &output->modes[i];
		struct wlr_output *wlr_output = &output->wlr_output;
		if ((m->flags & LUMEN_DISPLAY_OUTPUT_V1_MODE_FLAGS_CURRENT) &&
				(m->width != wlr_output->width || m->height != wlr_output->height ||
				m->refresh != wlr_output->refresh)) {
			wlr_output_update_custom_mode(wlr_output, m->width, m->height, m->refresh);
		}
	}
}

static void handle_output_removed(void *data, struct lumen_display_output_v1 *proxy) {
	struct display_output *output = data;
	lumen_log(LUMEN_INFO, "%s went away", output->url);
	if (output->announced) {
		wlr_output_destroy(&output->wlr_output);
	} else {
		display_output_free(output);
	}
}

static const struct lumen_display_output_v1_listener output_listener = {
	.name = handle_output_name,
	.description = handle_output_description,
	.physical_size = handle_output_physical_size,
	.mode = handle_output_mode,
	.format = handle_output_format,
	.state = handle_output_state,
	.done = handle_output_done,
	.removed = handle_output_removed,
};

static void handle_ld_output(void *data, struct lumen_display_v1 *ld,
		struct lumen_display_output_v1 *proxy) {
	struct display_backend *backend = data;
	struct display_output *output = calloc(1, sizeof(*output));
	if (!output) {
		lumen_display_output_v1_destroy(proxy);
		return;
	}
	output->backend = backend;
	output->proxy = proxy;
	output->power_on = true;
	wl_list_init(&output->frames);
	snprintf(output->url, sizeof(output->url), "display:unnamed");
	wl_list_insert(backend->outputs.prev, &output->link);
	lumen_display_output_v1_add_listener(proxy, &output_listener, output);
}

static void handle_ld_render_node(void *data, struct lumen_display_v1 *ld, int32_t fd) {
	struct display_backend *backend = data;
	if (backend->render_fd >= 0) {
		close(backend->render_fd);
	}
	backend->render_fd = fd;
}

static void handle_ld_done(void *data, struct lumen_display_v1 *ld) {
	struct display_backend *backend = data;
	backend->initial_done = true;
}

static const struct lumen_display_v1_listener ld_listener = {
	.output = handle_ld_output,
	.render_node = handle_ld_render_node,
	.done = handle_ld_done,
};

static void handle_global(void *data, struct wl_registry *registry, uint32_t name,
		const char *interface, uint32_t version) {
	struct display_backend *backend = data;
	if (strcmp(interface, lumen_display_v1_interface.name) == 0 && !backend->ld) {
		backend->ld = wl_registry_bind(registry, name, &lumen_display_v1_interface, 1);
		lumen_display_v1_add_listener(backend->ld, &ld_listener, backend);
	}
}

static void handle_global_remove(void *data, struct wl_registry *registry, uint32_t name) {
}

static const struct wl_registry_listener registry_listener = {
	.global = handle_global,
	.global_remove = handle_global_remove,
};

/* --- wlr_backend_impl --- */

static bool backend_start(struct wlr_backend *wlr_backend) {
	struct display_backend *backend = display_backend_from(wlr_backend);
	backend->started = true;
	struct display_output *output, *tmp;
	wl_list_for_each_safe(output, tmp, &backend->outputs, link) {
		emit_output(output);
	}
	return true;
}

static void backend_destroy(struct wlr_backend *wlr_backend) {
	struct display_backend *backend = display_backend_from(wlr_backend);
	struct display_output *output, *tmp;
	wl_list_for_each_safe(output, tmp, &backend->outputs, link) {
		if (output->announced) {
			wlr_output_destroy(&output->wlr_output);
		} else {
			display_output_free(output);
		}
	}
	wlr_backend_finish(wlr_backend);

	struct display_buffer *buffer, *btmp;
	wl_list_for_each_safe(buffer, btmp, &backend->buffers, link) {
		/* Off the wlr_buffer first, so that unlocking it cannot call us back. */
		wlr_addon_finish(&buffer->addon);
		struct wlr_buffer *wlr_buffer = buffer->wlr_buffer;
		int locks = buffer->commits_unreleased;
		display_buffer_destroy(buffer);
		while (locks-- > 0) {
			wlr_buffer_unlock(wlr_buffer);
		}
	}
	if (backend->idle_dispatch) {
		wl_event_source_remove(backend->idle_dispatch);
	}
	if (backend->remote_source) {
		wl_event_source_remove(backend->remote_source);
	}
	if (backend->ld) {
		lumen_display_v1_destroy(backend->ld);
	}
	if (backend->registry) {
		wl_registry_destroy(backend->registry);
	}
	if (backend->remote) {
		wl_display_flush(backend->remote);
		wl_display_disconnect(backend->remote);
	}
	if (backend->render_fd >= 0) {
		close(backend->render_fd);
	}
	wl_list_remove(&backend->display_destroy.link);
	free(backend);
}

static clockid_t backend_get_presentation_clock(struct wlr_backend *wlr_backend) {
	return CLOCK_MONOTONIC;
}

static int backend_get_drm_fd(struct wlr_backend *wlr_backend) {
	return display_backend_from(wlr_backend)->render_fd;
}

static uint32_t backend_get_buffer_caps(struct wlr_backend *wlr_backend) {
	struct display_backend *backend = display_backend_from(wlr_backend);
	uint32_t caps = WLR_BUFFER_CAP_DATA_PTR | WLR_BUFFER_CAP_SHM;
	if (backend->render_fd >= 0) {
		caps |= WLR_BUFFER_CAP_DMABUF;
	}
	return caps;
}

static const struct wlr_backend_impl backend_impl = {
	.start = backend_start,
	.destroy = backend_destroy,
	.get_presentation_clock = backend_get_presentation_clock,
	.get_drm_fd = backend_get_drm_fd,
	.get_buffer_caps = backend_get_buffer_caps,
};

static void handle_display_destroy(struct wl_listener *listener, void *data) {
	struct display_backend *backend = wl_container_of(listener, backend, display_destroy);
	wlr_backend_destroy(&backend->backend);
}

struct wlr_backend *comp_display_backend_create(struct wl_display *display,
		const char *socket_name, comp_display_lost_fn lost_fn, void *lost_data) {
	struct display_backend *backend = calloc(1, sizeof(*backend));
	if (!backend) {
		return NULL;
	}
	wlr_backend_init(&backend->backend, &backend_impl);
	backend->display = display;
	backend->loop = wl_display_get_event_loop(display);
	backend->render_fd = -1;
	backend->lost_fn = lost_fn;
	backend->lost_data = lost_data;
	wl_list_init(&backend->outputs);
	wl_list_init(&backend->buffers);
	backend->display_destroy.notify = handle_display_destroy;
	wl_display_add_destroy_listener(display, &backend->display_destroy);

	backend->remote = wl_display_connect(socket_name);
	if (!backend->remote) {
		lumen_log_errno(LUMEN_ERROR, "cannot connect to the display server at %s",
			socket_name);
		goto error;
	}
	backend->registry = wl_display_get_registry(backend->remote);
	wl_registry_add_listener(backend->registry, &registry_listener, backend);
	if (wl_display_roundtrip(backend->remote) < 0 || !backend->ld) {
		lumen_log(LUMEN_ERROR, "%s is not a lumen display server", socket_name);
		goto error;
	}
	/* Outputs, their modes and the render node arrive before done. */
	while (!backend->initial_done) {
		if (wl_display_dispatch(backend->remote) < 0) {
			lumen_log(LUMEN_ERROR, "the display server hung up while listing outputs");
			goto error;
		}
	}
	lumen_display_v1_become_master(backend->ld);
	if (wl_display_roundtrip(backend->remote) < 0) {
		lumen_log(LUMEN_ERROR, "the display server refused us as master: %s "
			"(is another compositor running on it?)", strerror(wl_display_get_error(
			backend->remote)));
		goto error;
	}
	backend->remote_source = wl_event_loop_add_fd(backend->loop,
		wl_display_get_fd(backend->remote), WL_EVENT_READABLE, handle_remote, backend);
	if (!backend->remote_source) {
		goto error;
	}
	size_t n = 0;
	struct display_output *output;
	wl_list_for_each(output, &backend->outputs, link) {
		n++;
	}
	lumen_log(LUMEN_INFO, "display server %s: %zu output(s), %s", socket_name, n,
		backend->render_fd >= 0 ? "render node offered" : "no GPU");
	return &backend->backend;

error:
	backend->lost = true;
	backend_destroy(&backend->backend);
	return NULL;
}
