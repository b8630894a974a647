/*
 * Outputs: configuration from lumen.ini and wlr-output-management, frames through
 * the scene graph, power, and the screenshot used by IPC and tests.
 */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <drm_fourcc.h>
#include <wlr/types/wlr_output_management_v1.h>
#include <wlr/types/wlr_output_power_management_v1.h>
#include <wlr/render/drm_format_set.h>
#include <wlr/render/wlr_renderer.h>
#include <wlr/render/wlr_texture.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/backend/headless.h>
#include <wlr/interfaces/wlr_output.h>
#include "common/log.h"
#include "protocols-ext.h"
#include "server.h"

struct wlr_box comp_layout_box(struct wlr_output_layout *layout, struct wlr_output *output) {
	struct wlr_box *box = wlr_output_layout_get_box(layout, output);
	return box ? *box : (struct wlr_box){0};
}

static void handle_frame(struct wl_listener *listener, void *data) {
	struct comp_output *output = wl_container_of(listener, output, frame);
	struct wlr_scene_output *scene_output =
		wlr_scene_get_scene_output(output->server->scene, output->wlr_output);
	if (!scene_output) {
		return;
	}
	/* No backend here flips asynchronously; the policy is decided (and logged) all the same. */
	comp_tearing_policy(output);
	uint32_t seq_before = output->wlr_output->commit_seq;
	wlr_scene_output_commit(scene_output);
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (wlr_output_is_headless(output->wlr_output) &&
			output->wlr_output->commit_seq != seq_before) {
		/*
		 * wlroots 0.15's headless backend reports "presented" from inside commit,
		 * before the commit event that presentation feedback waits for, so clients
		 * never hear of it. Report it again now that the commit is complete.
		 */
		struct wlr_output_event_present present = {
			.output = output->wlr_output,
			.commit_seq = output->wlr_output->commit_seq,
			.presented = true,
			.when = &now,
			.seq = ++output->present_seq,
			.refresh = output->wlr_output->refresh > 0
				? (int)(1000000000000LL / output->wlr_output->refresh) : 0,
			.flags = 0,
		};
		wlr_output_send_present(output->wlr_output, &present);
	}
	wlr_scene_output_send_frame_done(scene_output, &now);
}

static void handle_mode(struct wl_listener *listener, void *data) {
	struct comp_output *output = wl_container_of(listener, output, mode);
	comp_output_arrange_layers(output);
}

static void handle_destroy(struct wl_listener *listener, void *data) {
	struct comp_output *output = wl_container_of(listener, output, destroy);
	struct comp_server *server = output->server;
	wl_list_remove(&output->frame.link);
	wl_list_remove(&output->destroy.link);
	wl_list_remove(&output->mode.link);
	wl_list_remove(&output->link);

	/* Layer surfaces on a vanished output are closed, as the protocol asks. */
	struct comp_layer_surface *layer, *tmp;
	wl_list_for_each_safe(layer, tmp, &output->layer_surfaces, link) {
		layer->output = NULL;
		wl_list_remove(&layer->link);
		wl_list_init(&layer->link);
		wlr_layer_surface_v1_destroy(layer->layer_surface);
	}

	/* Workspaces shown here move to another output, windows and all. */
	struct comp_output *other = wl_list_empty(&server->outputs) ? NULL
		: wl_container_of(server->outputs.next, other, link);
	for (int i = 0; i < COMP_WORKSPACES; i++) {
		struct comp_workspace *ws = &server->workspaces[i];
		if (ws->output == output) {
			ws->output = NULL;
			wlr_scene_node_set_enabled(&ws->tree->node, false);
			if (other && !other->workspace) {
				comp_workspace_show(ws, other);
			}
		}
	}
	free(output);
	comp_output_update_manager(server);
	comp_ipc_event(server, "output", "removed", NULL);
}

void comp_output_apply_config(struct comp_output *output) {
	struct comp_server *server = output->server;
	struct wlr_output *wlr_output = output->wlr_output;
	const struct comp_output_config *oc =
		comp_config_find_output(&server->config, wlr_output->name);

	wlr_output_enable(wlr_output, !oc || oc->enabled != 0);
	struct wlr_output_mode *mode = NULL;
	if (oc && oc->has_mode) {
		struct wlr_output_mode *m;
		wl_list_for_each(m, &wlr_output->modes, link) {
			if (m->width == oc->width && m->height == oc->height &&
					(oc->refresh_mhz == 0 || abs(m->refresh - oc->refresh_mhz) < 50)) {
				if (!mode || m->refresh > mode->refresh) {
					mode = m;
				}
			}
		}
		if (mode) {
			wlr_output_set_mode(wlr_output, mode);
		} else {
			/* Headless and nested outputs take any size. */
			wlr_output_set_custom_mode(wlr_output, oc->width, oc->height, oc->refresh_mhz);
		}
	} else if (wl_list_empty(&wlr_output->modes) == false && !wlr_output->current_mode) {
		mode = wlr_output_preferred_mode(wlr_output);
		if (mode) {
			wlr_output_set_mode(wlr_output, mode);
		}
	}
	if (oc && oc->scale > 0) {
		wlr_output_set_scale(wlr_output, (float)oc->scale);
	}
	if (!wlr_output_commit(wlr_output)) {
		lumen_log(LUMEN_ERROR, "output %s: the configured mode was refused", wlr_output->name);
		/* Fall back to the preferred mode rather than leave the output dark. */
		mode = wlr_output_preferred_mode(wlr_output);
		if (mode) {
			wlr_output_set_mode(wlr_output, mode);
		}
		wlr_output_enable(wlr_output, true);
		wlr_output_commit(wlr_output);
	}

	if (!wlr_output->enabled) {
		wlr_output_layout_remove(server->output_layout, wlr_output);
	} else if (oc && oc->has_position) {
		wlr_output_layout_add(server->output_layout, wlr_output, oc->x, oc->y);
	} else if (!wlr_output_layout_get(server->output_layout, wlr_output)) {
		wlr_output_layout_add_auto(server->output_layout, wlr_output);
	}
	comp_output_arrange_layers(output);
}

static void handle_new_output(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, new_output);
	struct wlr_output *wlr_output = data;

	if (!wlr_output_init_render(wlr_output, server->allocator, server->renderer)) {
		lumen_log(LUMEN_ERROR, "output %s: cannot render to it", wlr_output->name);
		return;
	}
	struct comp_output *output = calloc(1, sizeof(*output));
	if (!output) {
		return;
	}
	output->server = server;
	output->wlr_output = wlr_output;
	wlr_output->data = output;
	wl_list_init(&output->layer_surfaces);
	wl_list_insert(server->outputs.prev, &output->link);

	output->frame.notify = handle_frame;
	wl_signal_add(&wlr_output->events.frame, &output->frame);
	output->destroy.notify = handle_destroy;
	wl_signal_add(&wlr_output->events.destroy, &output->destroy);
	output->mode.notify = handle_mode;
	wl_signal_add(&wlr_output->events.mode, &output->mode);

	comp_output_apply_config(output);

	/* Each output shows the lowest-numbered workspace that is not shown elsewhere. */
	for (int i = 0; i < COMP_WORKSPACES; i++) {
		struct comp_workspace *ws = &server->workspaces[i];
		if (!ws->output || ws->output->workspace != ws) {
			comp_workspace_show(ws, output);
			break;
		}
	}
	comp_output_update_manager(server);
	comp_ipc_event(server, "output", "added", NULL);
}

struct comp_output *comp_output_at(struct comp_server *server, double lx, double ly) {
	struct wlr_output *wlr_output = wlr_output_layout_output_at(server->output_layout, lx, ly);
	return wlr_output ? wlr_output->data : NULL;
}

struct comp_output *comp_output_focused(struct comp_server *server) {
	if (server->focused_view && server->focused_view->workspace &&
			server->focused_view->workspace->output) {
		return server->focused_view->workspace->output;
	}
	struct comp_output *output = comp_output_at(server, server->cursor->x, server->cursor->y);
	if (output) {
		return output;
	}
	if (wl_list_empty(&server->outputs)) {
		return NULL;
	}
	return wl_container_of(server->outputs.next, output, link);
}

struct comp_output *comp_output_by_name(struct comp_server *server, const char *name) {
	struct comp_output *output;
	wl_list_for_each(output, &server->outputs, link) {
		if (strcmp(output->wlr_output->name, name) == 0) {
			return output;
		}
	}
	return NULL;
}

void comp_output_update_manager(struct comp_server *server) {
	struct wlr_output_configuration_v1 *config = wlr_output_configuration_v1_create();
	if (!config) {
		return;
	}
	struct comp_output *output;
	wl_list_for_each(output, &server->outputs, link) {
		struct wlr_output_configuration_head_v1 *head =
			wlr_output_configuration_head_v1_create(config, output->wlr_output);
		if (!head) {
			continue;
		}
		struct wlr_box box;
		box = comp_layout_box(server->output_layout, output->wlr_output);
		head->state.enabled = output->wlr_output->enabled;
		head->state.mode = output->wlr_output->current_mode;
		if (!wlr_box_empty(&box)) {
			head->state.x = box.x;
			head->state.y = box.y;
		}
	}
	wlr_output_manager_v1_set_configuration(server->output_manager, config);
}

static bool apply_output_config(struct comp_server *server,
		struct wlr_output_configuration_v1 *config, bool test_only) {
	bool ok = true;
	struct wlr_output_configuration_head_v1 *head;
	wl_list_for_each(head, &config->heads, link) {
		struct wlr_output *wlr_output = head->state.output;
		wlr_output_enable(wlr_output, head->state.enabled);
		if (head->state.enabled) {
			if (head->state.mode) {
				wlr_output_set_mode(wlr_output, head->state.mode);
			} else {
				wlr_output_set_custom_mode(wlr_output, head->state.custom_mode.width,
					head->state.custom_mode.height, head->state.custom_mode.refresh);
			}
			wlr_output_set_scale(wlr_output, head->state.scale);
			wlr_output_set_transform(wlr_output, head->state.transform);
		}
		if (test_only) {
			ok = ok && wlr_output_test(wlr_output);
			wlr_output_rollback(wlr_output);
			continue;
		}
		if (!wlr_output_commit(wlr_output)) {
			ok = false;
			continue;
		}
		if (head->state.enabled) {
			wlr_output_layout_add(server->output_layout, wlr_output, head->state.x,
				head->state.y);
		} else {
			wlr_output_layout_remove(server->output_layout, wlr_output);
		}
		struct comp_output *output = wlr_output->data;
		if (output) {
					comp_output_arrange_layers(output);
		}
	}
	return ok;
}

static void handle_manager_apply(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, output_manager_apply);
	struct wlr_output_configuration_v1 *config = data;
	if (apply_output_config(server, config, false)) {
		wlr_output_configuration_v1_send_succeeded(config);
	} else {
		wlr_output_configuration_v1_send_failed(config);
	}
	wlr_output_configuration_v1_destroy(config);
	comp_output_update_manager(server);
	comp_ipc_event(server, "output", "changed", NULL);
}

static void handle_manager_test(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, output_manager_test);
	struct wlr_output_configuration_v1 *config = data;
	if (apply_output_config(server, config, true)) {
		wlr_output_configuration_v1_send_succeeded(config);
	} else {
		wlr_output_configuration_v1_send_failed(config);
	}
	wlr_output_configuration_v1_destroy(config);
}

static void handle_power_set_mode(struct wl_listener *listener, void *data) {
	struct wlr_output_power_v1_set_mode_event *event = data;
	wlr_output_enable(event->output, event->mode == ZWLR_OUTPUT_POWER_V1_MODE_ON);
	if (!wlr_output_commit(event->output)) {
		lumen_log(LUMEN_ERROR, "output %s: power mode change refused", event->output->name);
	}
}

static void handle_layout_change(struct wl_listener *listener, void *data) {
	struct comp_server *server = wl_container_of(listener, server, output_layout_change);
	struct comp_output *output;
	wl_list_for_each(output, &server->outputs, link) {
			comp_output_arrange_layers(output);
	}
	comp_output_update_manager(server);
}

void comp_output_init(struct comp_server *server) {
	server->new_output.notify = handle_new_output;
	wl_signal_add(&server->backend->events.new_output, &server->new_output);
	server->output_layout_change.notify = handle_layout_change;
	wl_signal_add(&server->output_layout->events.change, &server->output_layout_change);

	server->output_manager = wlr_output_manager_v1_create(server->display);
	server->output_manager_apply.notify = handle_manager_apply;
	wl_signal_add(&server->output_manager->events.apply, &server->output_manager_apply);
	server->output_manager_test.notify = handle_manager_test;
	wl_signal_add(&server->output_manager->events.test, &server->output_manager_test);

	server->output_power = wlr_output_power_manager_v1_create(server->display);
	server->output_power_set_mode.notify = handle_power_set_mode;
	wl_signal_add(&server->output_power->events.set_mode, &server->output_power_set_mode);
}

static bool write_png(const char *path, const uint8_t *argb, int width, int height,
		int stride, char *err, size_t errlen) {
	FILE *f = fopen(path, "wb");
	if (!f) {
		snprintf(err, errlen, "cannot write %s", path);
		return false;
	}
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	uint8_t *row = malloc((size_t)width * 3);
	if (!png || !info || !row || setjmp(png_jmpbuf(png))) {
		snprintf(err, errlen, "PNG encoding failed");
		png_destroy_write_struct(&png, &info);
		free(row);
		fclose(f);
		return false;
	}
	png_init_io(png, f);
	png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8, PNG_COLOR_TYPE_RGB,
		PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (int y = 0; y < height; y++) {
		const uint32_t *src = (const uint32_t *)(argb + (size_t)y * (size_t)stride);
		for (int x = 0; x < width; x++) {
			row[x * 3 + 0] = (src[x] >> 16) & 0xff;
			row[x * 3 + 1] = (src[x] >> 8) & 0xff;
			row[x * 3 + 2] = src[x] & 0xff;
		}
		png_write_row(png, row);
	}
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	free(row);
	return fclose(f) == 0;
}

bool comp_output_screenshot(struct comp_output *output, const char *path, char *err,
		size_t errlen) {
	struct comp_server *server = output->server;
	struct wlr_output *wlr_output = output->wlr_output;
	if (!wlr_output->enabled || wlr_output->width <= 0) {
		snprintf(err, errlen, "output %s is off", wlr_output->name);
		return false;
	}
	int width = wlr_output->width, height = wlr_output->height;
	/*
	 * Render the scene afresh into a buffer of our own, then read it back: this works
	 * the same with pixman and GLES, and captures what the output shows now.
	 */
	const struct wlr_drm_format_set *formats = wlr_output_get_primary_formats(wlr_output,
		server->allocator->buffer_caps);
	const struct wlr_drm_format *fmt = formats
		? wlr_drm_format_set_get(formats, DRM_FORMAT_XRGB8888) : NULL;
	struct wlr_drm_format linear = {.format = DRM_FORMAT_XRGB8888, .len = 0};
	struct wlr_buffer *buffer = wlr_allocator_create_buffer(server->allocator, width, height,
		fmt ? fmt : &linear);
	if (!buffer) {
		snprintf(err, errlen, "cannot allocate a %dx%d buffer", width, height);
		return false;
	}
	struct wlr_box box;
	box = comp_layout_box(server->output_layout, wlr_output);
	size_t stride = (size_t)width * 4;
	uint8_t *pixels = malloc(stride * (size_t)height);
	bool ok = false;
	if (!pixels) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	/*
	 * Buffers added since the last frame (a title bar redrawn on a focus change)
	 * get their textures as wlr_scene_output_commit would make them: not while
	 * rendering, which wlroots forbids.
	 */
	struct wlr_scene_buffer *pending, *tmp;
	wl_list_for_each_safe(pending, tmp, &server->scene->pending_buffers, pending_link) {
		if (!pending->texture && !wlr_client_buffer_get(pending->buffer)) {
			pending->texture = wlr_texture_from_buffer(server->renderer, pending->buffer);
		}
		wl_list_remove(&pending->pending_link);
		wl_list_init(&pending->pending_link);
	}
	if (!wlr_renderer_begin_with_buffer(server->renderer, buffer)) {
		snprintf(err, errlen, "cannot render into the capture buffer");
		goto out;
	}
	static const float black[4] = {0, 0, 0, 1};
	wlr_renderer_clear(server->renderer, black);
	wlr_scene_render_output(server->scene, wlr_output, box.x, box.y, NULL);
	ok = wlr_renderer_read_pixels(server->renderer, DRM_FORMAT_XRGB8888, NULL,
		(uint32_t)stride, (uint32_t)width, (uint32_t)height, 0, 0, 0, 0, pixels);
	wlr_renderer_end(server->renderer);
	if (!ok) {
		snprintf(err, errlen, "cannot read the pixels back");
		goto out;
	}
	ok = write_png(path, pixels, width, height, (int)stride, err, errlen);
out:
	free(pixels);
	wlr_buffer_drop(buffer);
	return ok;
}
