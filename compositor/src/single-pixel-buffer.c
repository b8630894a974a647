/*
 * wp-single-pixel-buffer-v1: a wl_buffer that is one pixel of one colour, for clients
 * that fill areas through wp_viewporter. wlroots 0.15 turns a wl_buffer into a texture
 * through a wlr_buffer: ours is a 1x1 ARGB8888 one with data-pointer access, registered
 * as a resource interface so that wlr_buffer_from_resource knows it.
 */
#include <drm_fourcc.h>
#include <stdlib.h>
#include <wlr/types/wlr_buffer.h>
#include "common/log.h"
#include "protocols-ext.h"
#include "server.h"
#include "single-pixel-buffer-v1-protocol.h"

#define SINGLE_PIXEL_VERSION 1

struct comp_single_pixel_buffer {
	struct wlr_buffer base;
	struct wl_resource *resource; // NULL once the client destroyed it
	uint32_t argb; // premultiplied, 8 bits a channel
	struct wl_listener release;
};

static void buffer_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static const struct wl_buffer_interface wl_buffer_impl = {
	.destroy = buffer_handle_destroy,
};

static bool is_instance(struct wl_resource *resource) {
	return wl_resource_instance_of(resource, &wl_buffer_interface, &wl_buffer_impl);
}

static struct wlr_buffer *from_resource(struct wl_resource *resource) {
	struct comp_single_pixel_buffer *buffer = wl_resource_get_user_data(resource);
	return &buffer->base;
}

static const struct wlr_buffer_resource_interface resource_iface = {
	.name = "wp_single_pixel_buffer_v1",
	.is_instance = is_instance,
	.from_resource = from_resource,
};

static void buffer_destroy(struct wlr_buffer *wlr_buffer) {
	struct comp_single_pixel_buffer *buffer = wl_container_of(wlr_buffer, buffer, base);
	wl_list_remove(&buffer->release.link);
	free(buffer);
}

static bool buffer_begin_data_ptr_access(struct wlr_buffer *wlr_buffer, uint32_t flags,
		void **data, uint32_t *format, size_t *stride) {
	struct comp_single_pixel_buffer *buffer = wl_container_of(wlr_buffer, buffer, base);
	if (flags & WLR_BUFFER_DATA_PTR_ACCESS_WRITE) {
		return false; // the client's colour is read-only
	}
	*data = &buffer->argb;
	*format = DRM_FORMAT_ARGB8888;
	*stride = sizeof(buffer->argb);
	return true;
}

static void buffer_end_data_ptr_access(struct wlr_buffer *wlr_buffer) {
}

static const struct wlr_buffer_impl buffer_impl = {
	.destroy = buffer_destroy,
	.begin_data_ptr_access = buffer_begin_data_ptr_access,
	.end_data_ptr_access = buffer_end_data_ptr_access,
};

static void buffer_handle_release(struct wl_listener *listener, void *data) {
	struct comp_single_pixel_buffer *buffer = wl_container_of(listener, buffer, release);
	if (buffer->resource) {
		wl_buffer_send_release(buffer->resource);
	}
}

static void buffer_resource_destroy(struct wl_resource *resource) {
	struct comp_single_pixel_buffer *buffer = wl_resource_get_user_data(resource);
	buffer->resource = NULL;
	/* Freed in buffer_destroy, once the renderer holds no lock on it either. */
	wlr_buffer_drop(&buffer->base);
}

/* 32-bit channel values, premultiplied by alpha, scaled down to 8 bits. */
static uint32_t channel8(uint32_t v) {
	return (uint32_t)(((uint64_t)v * 255 + 0x7fffffffu) / 0xffffffffu);
}

static void manager_handle_create(struct wl_client *client, struct wl_resource *resource,
		uint32_t id, uint32_t r, uint32_t g, uint32_t b, uint32_t a) {
	struct comp_single_pixel_buffer *buffer = calloc(1, sizeof(*buffer));
	if (!buffer) {
		wl_client_post_no_memory(client);
		return;
	}
	buffer->resource = wl_resource_create(client, &wl_buffer_interface, 1, id);
	if (!buffer->resource) {
		free(buffer);
		wl_client_post_no_memory(client);
		return;
	}
	buffer->argb = channel8(a) << 24 | channel8(r) << 16 | channel8(g) << 8 | channel8(b);
	wlr_buffer_init(&buffer->base, &buffer_impl, 1, 1);
	buffer->release.notify = buffer_handle_release;
	wl_signal_add(&buffer->base.events.release, &buffer->release);
	wl_resource_set_implementation(buffer->resource, &wl_buffer_impl, buffer,
		buffer_resource_destroy);
}

static void manager_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static const struct wp_single_pixel_buffer_manager_v1_interface manager_impl = {
	.destroy = manager_handle_destroy,
	.create_u32_rgba_buffer = manager_handle_create,
};

static void manager_bind(struct wl_client *client, void *data, uint32_t version,
		uint32_t id) {
	struct wl_resource *resource = wl_resource_create(client,
		&wp_single_pixel_buffer_manager_v1_interface, (int)version, id);
	if (!resource) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(resource, &manager_impl, NULL, NULL);
}

void comp_single_pixel_buffer_init(struct comp_server *server) {
	/* wlroots keeps the interface in a process-wide list; registering twice is a no-op. */
	wlr_buffer_register_resource_interface(&resource_iface);
	if (!wl_global_create(server->display, &wp_single_pixel_buffer_manager_v1_interface,
			SINGLE_PIXEL_VERSION, NULL, manager_bind)) {
		lumen_log(LUMEN_ERROR, "cannot create the single-pixel buffer global");
	}
}
