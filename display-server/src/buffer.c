/*
 * Buffers: shm imported once (mapped once, offset/stride/size checked against the
 * file), dmabuf planes gathered by a params object and handed to the backend.
 *
 * A ds_buffer lives while its client's object does or anything holds a lock on it
 * (a pending attach, a frame on its way, a backend scanning it out). The client's
 * object holds one lock itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common/log.h"
#include "core.h"
#include "lumen-display-v1-protocol.h"

bool ds_format_is_shm(uint32_t format) {
	return format == DS_FORMAT_XRGB8888 || format == DS_FORMAT_ARGB8888;
}

bool ds_shm_layout_ok(int32_t width, int32_t height, int32_t stride, uint32_t format) {
	if (!ds_format_is_shm(format)) {
		return false;
	}
	if (width <= 0 || height <= 0 || width > DS_MAX_BUFFER_SIZE || height > DS_MAX_BUFFER_SIZE) {
		return false;
	}
	return stride > 0 && stride % 4 == 0 && (int64_t)stride >= (int64_t)width * 4;
}

static void buffer_free(struct ds_buffer *buffer) {
	if (buffer->backend_data_destroy) {
		buffer->backend_data_destroy(buffer);
	}
	if (buffer->map) {
		munmap(buffer->map, buffer->map_size);
	}
	if (buffer->core_owned) {
		free(buffer->data);
	}
	for (int i = 0; i < buffer->n_planes; i++) {
		if (buffer->fds[i] >= 0) {
			close(buffer->fds[i]);
		}
	}
	free(buffer);
}

/* SIGBUS guard: the mapping being read, and whether a read went past the file's end. */
static void *access_map;
static size_t access_size;
static volatile sig_atomic_t access_faulted;
static struct sigaction old_sigbus;
static bool sigbus_installed;

static void handle_sigbus(int sig, siginfo_t *info, void *context) {
	uint8_t *addr = info->si_addr;
	if (access_map && addr >= (uint8_t *)access_map && addr < (uint8_t *)access_map + access_size) {
		/* Zero pages over the client's mapping; the faulting read then succeeds. */
		if (mmap(access_map, access_size, PROT_READ | PROT_WRITE,
				MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED) {
			access_faulted = 1;
			return;
		}
	}
	/* Not ours: the default action. */
	sigaction(SIGBUS, &old_sigbus, NULL);
	raise(SIGBUS);
}

void ds_client_memory_begin(void *map, size_t size) {
	if (!sigbus_installed) {
		struct sigaction sa = {.sa_sigaction = handle_sigbus, .sa_flags = SA_SIGINFO | SA_NODEFER};
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGBUS, &sa, &old_sigbus) == 0) {
			sigbus_installed = true;
		}
	}
	access_faulted = 0;
	access_size = size;
	access_map = map;
}

bool ds_client_memory_end(void) {
	access_map = NULL;
	access_size = 0;
	bool faulted = access_faulted;
	access_faulted = 0;
	return !faulted;
}

void ds_buffer_begin_access(struct ds_buffer *buffer) {
	if (buffer->map) { // not core memory, nor a dmabuf
		ds_client_memory_begin(buffer->map, buffer->map_size);
	}
}

bool ds_buffer_end_access(struct ds_buffer *buffer) {
	if (!buffer->map || ds_client_memory_end()) {
		return true;
	}
	lumen_log(LUMEN_WARN, "client bug: an shm file shrank after its import");
	buffer->invalid = true;
	if (buffer->resource) {
		wl_resource_post_error(buffer->resource, LUMEN_DISPLAY_BUFFER_V1_ERROR_SHRUNK,
			"the shm file shrank after import");
	}
	return false;
}

void ds_buffer_lock(struct ds_buffer *buffer) {
	buffer->locks++;
}

void ds_buffer_unlock(struct ds_buffer *buffer) {
	if (!buffer) {
		return;
	}
	if (!lumen_assert(buffer->locks > 0, "buffer unlocked more than locked")) {
		return;
	}
	buffer->locks--;
	if (buffer->locks == 0) {
		buffer_free(buffer);
	}
}

void ds_buffer_send_release(struct ds_buffer *buffer) {
	if (buffer->resource) {
		lumen_display_buffer_v1_send_release(buffer->resource);
	}
}

static void buffer_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static const struct lumen_display_buffer_v1_interface buffer_impl = {
	.destroy = buffer_handle_destroy,
};

struct ds_buffer *ds_buffer_from_resource(struct wl_resource *resource) {
	if (!wl_resource_instance_of(resource, &lumen_display_buffer_v1_interface, &buffer_impl)) {
		return NULL;
	}
	return wl_resource_get_user_data(resource);
}

static void buffer_resource_destroy(struct wl_resource *resource) {
	struct ds_buffer *buffer = wl_resource_get_user_data(resource);
	if (!buffer) {
		return;
	}
	buffer->resource = NULL;
	ds_buffer_unlock(buffer);
}

/* The client's object for buffer, which takes the buffer's first lock. */
static struct wl_resource *buffer_resource_create(struct wl_client *client, uint32_t version,
		uint32_t id, struct ds_buffer *buffer) {
	struct wl_resource *resource =
		wl_resource_create(client, &lumen_display_buffer_v1_interface, version, id);
	if (!resource) {
		return NULL;
	}
	buffer->resource = resource;
	buffer->locks = 1;
	wl_resource_set_implementation(resource, &buffer_impl, buffer, buffer_resource_destroy);
	return resource;
}

void ds_buffer_create_shm(struct wl_client *client, struct wl_resource *display_resource,
		uint32_t id, int fd, uint32_t offset, int32_t width, int32_t height, int32_t stride,
		uint32_t format) {
	uint32_t version = wl_resource_get_version(display_resource);
	struct ds_buffer *buffer = NULL;
	if (!ds_shm_layout_ok(width, height, stride, format)) {
		wl_resource_post_error(display_resource, LUMEN_DISPLAY_V1_ERROR_INVALID_BUFFER,
			"bad shm buffer: %dx%d stride %d format 0x%08x", width, height, stride, format);
		goto out;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || st.st_size < 0) {
		wl_resource_post_error(display_resource, LUMEN_DISPLAY_V1_ERROR_INVALID_BUFFER,
			"cannot stat the shm fd");
		goto out;
	}
	uint64_t end = (uint64_t)offset + (uint64_t)stride * (uint64_t)height;
	if (end > (uint64_t)st.st_size) {
		wl_resource_post_error(display_resource, LUMEN_DISPLAY_V1_ERROR_INVALID_BUFFER,
			"offset %u + stride %d * height %d is past the end of the file (%lld bytes)",
			offset, stride, height, (long long)st.st_size);
		goto out;
	}
	/* Mapped once, read-only: commits copy their damaged rectangles out of it. */
	void *map = mmap(NULL, (size_t)end, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		wl_resource_post_error(display_resource, LUMEN_DISPLAY_V1_ERROR_INVALID_BUFFER,
			"cannot map the shm fd: %s", strerror(errno));
		goto out;
	}
	buffer = calloc(1, sizeof(*buffer));
	if (!buffer) {
		munmap(map, (size_t)end);
		wl_client_post_no_memory(client);
		goto out;
	}
	buffer->type = DS_BUFFER_SHM;
	buffer->width = width;
	buffer->height = height;
	buffer->format = format;
	buffer->stride = stride;
	buffer->map = map;
	buffer->map_size = (size_t)end;
	buffer->data = (uint8_t *)map + offset;
	if (!buffer_resource_create(client, version, id, buffer)) {
		buffer_free(buffer);
		wl_client_post_no_memory(client);
	}
out:
	close(fd);
}

struct ds_buffer *ds_buffer_create_internal(int32_t width, int32_t height) {
	struct ds_buffer *buffer = calloc(1, sizeof(*buffer));
	if (!buffer) {
		return NULL;
	}
	buffer->data = calloc((size_t)width * (size_t)height, 4);
	if (!buffer->data) {
		free(buffer);
		return NULL;
	}
	buffer->type = DS_BUFFER_SHM;
	buffer->width = width;
	buffer->height = height;
	buffer->stride = width * 4;
	buffer->format = DS_FORMAT_XRGB8888;
	buffer->core_owned = true;
	buffer->locks = 1;
	return buffer;
}

/* dmabuf params */

struct ds_dmabuf_params {
	struct ds_server *server;
	struct wl_resource *resource;
	struct wl_resource *display_resource; // NULL once destroyed
	struct wl_listener display_destroy;
	int fds[DS_DMABUF_MAX_PLANES];
	uint32_t offsets[DS_DMABUF_MAX_PLANES], strides[DS_DMABUF_MAX_PLANES];
	bool used;
};

static void params_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void params_handle_add(struct wl_client *client, struct wl_resource *resource, int fd,
		uint32_t plane_idx, uint32_t offset, uint32_t stride) {
	struct ds_dmabuf_params *params = wl_resource_get_user_data(resource);
	if (params->used) {
		wl_resource_post_error(resource, LUMEN_DISPLAY_DMABUF_PARAMS_V1_ERROR_ALREADY_USED,
			"params already used");
		close(fd);
		return;
	}
	if (plane_idx >= DS_DMABUF_MAX_PLANES) {
		wl_resource_post_error(resource, LUMEN_DISPLAY_DMABUF_PARAMS_V1_ERROR_PLANE_IDX,
			"plane %u out of range", plane_idx);
		close(fd);
		return;
	}
	if (params->fds[plane_idx] >= 0) {
		wl_resource_post_error(resource, LUMEN_DISPLAY_DMABUF_PARAMS_V1_ERROR_PLANE_SET,
			"plane %u set twice", plane_idx);
		close(fd);
		return;
	}
	params->fds[plane_idx] = fd;
	params->offsets[plane_idx] = offset;
	params->strides[plane_idx] = stride;
}

static void params_handle_create(struct wl_client *client, struct wl_resource *resource,
		uint32_t id, int32_t width, int32_t height, uint32_t format, uint32_t modifier_hi,
		uint32_t modifier_lo) {
	struct ds_dmabuf_params *params = wl_resource_get_user_data(resource);
	if (params->used) {
		wl_resource_post_error(resource, LUMEN_DISPLAY_DMABUF_PARAMS_V1_ERROR_ALREADY_USED,
			"params already used");
		return;
	}
	params->used = true;
	int n_planes = 0;
	while (n_planes < DS_DMABUF_MAX_PLANES && params->fds[n_planes] >= 0) {
		n_planes++;
	}
	for (int i = n_planes; i < DS_DMABUF_MAX_PLANES; i++) {
		if (params->fds[i] >= 0) {
			n_planes = 0; // a gap
		}
	}
	if (n_planes == 0) {
		wl_resource_post_error(resource, LUMEN_DISPLAY_DMABUF_PARAMS_V1_ERROR_INCOMPLETE,
			"planes missing");
		return;
	}
	if (width <= 0 || height <= 0 || width > DS_MAX_BUFFER_SIZE || height > DS_MAX_BUFFER_SIZE) {
		wl_resource_post_error(params->display_resource ? params->display_resource : resource,
			LUMEN_DISPLAY_V1_ERROR_INVALID_BUFFER, "bad dmabuf size %dx%d", width, height);
		return;
	}
	struct ds_backend *backend = params->server->backend;
	if (!backend->impl->import_dmabuf) {
		/* The error belongs to lumen_display_v1; post it there while it exists. */
		wl_resource_post_error(params->display_resource ? params->display_resource : resource,
			LUMEN_DISPLAY_V1_ERROR_UNSUPPORTED, "this backend cannot import dmabufs");
		return;
	}
	struct ds_buffer *buffer = calloc(1, sizeof(*buffer));
	if (!buffer) {
		wl_client_post_no_memory(client);
		return;
	}
	buffer->type = DS_BUFFER_DMABUF;
	buffer->width = width;
	buffer->height = height;
	buffer->format = format;
	buffer->modifier = ((uint64_t)modifier_hi << 32) | modifier_lo;
	buffer->n_planes = n_planes;
	for (int i = 0; i < DS_DMABUF_MAX_PLANES; i++) {
		buffer->fds[i] = -1;
	}
	for (int i = 0; i < n_planes; i++) {
		buffer->fds[i] = params->fds[i];
		buffer->offsets[i] = params->offsets[i];
		buffer->strides[i] = params->strides[i];
		params->fds[i] = -1;
	}
	if (!buffer_resource_create(client, wl_resource_get_version(resource), id, buffer)) {
		buffer_free(buffer);
		wl_client_post_no_memory(client);
		return;
	}
	if (!backend->impl->import_dmabuf(backend, buffer)) {
		buffer->invalid = true;
		lumen_display_buffer_v1_send_release(buffer->resource);
	}
}

static const struct lumen_display_dmabuf_params_v1_interface params_impl = {
	.destroy = params_handle_destroy,
	.add = params_handle_add,
	.create = params_handle_create,
};

static void params_resource_destroy(struct wl_resource *resource) {
	struct ds_dmabuf_params *params = wl_resource_get_user_data(resource);
	for (int i = 0; i < DS_DMABUF_MAX_PLANES; i++) {
		if (params->fds[i] >= 0) {
			close(params->fds[i]);
		}
	}
	if (params->display_resource) {
		wl_list_remove(&params->display_destroy.link);
	}
	free(params);
}

static void params_handle_display_destroy(struct wl_listener *listener, void *data) {
	struct ds_dmabuf_params *params = wl_container_of(listener, params, display_destroy);
	params->display_resource = NULL;
	wl_list_remove(&params->display_destroy.link);
}

void ds_dmabuf_params_create(struct ds_server *server, struct wl_resource *display_resource,
		uint32_t id) {
	struct wl_client *client = wl_resource_get_client(display_resource);
	struct ds_dmabuf_params *params = calloc(1, sizeof(*params));
	if (!params) {
		wl_client_post_no_memory(client);
		return;
	}
	params->server = server;
	for (int i = 0; i < DS_DMABUF_MAX_PLANES; i++) {
		params->fds[i] = -1;
	}
	params->resource = wl_resource_create(client, &lumen_display_dmabuf_params_v1_interface,
		wl_resource_get_version(display_resource), id);
	if (!params->resource) {
		free(params);
		wl_client_post_no_memory(client);
		return;
	}
	params->display_resource = display_resource;
	params->display_destroy.notify = params_handle_display_destroy;
	wl_resource_add_destroy_listener(display_resource, &params->display_destroy);
	wl_resource_set_implementation(params->resource, &params_impl, params,
		params_resource_destroy);
}
