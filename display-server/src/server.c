/*
 * The server: the socket (the session user's alone), the lumen_display_v1 global, the
 * master role, and the timer that puts up the "restarting" frame when no master has
 * come back for a while.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "common/listener.h"
#include "common/log.h"
#include "core.h"
#include "lumen-display-v1-protocol.h"

#define DS_DEFAULT_SOCKET "lumen-display-0"
#define DS_DEFAULT_RESTART_MS 10000
#define DS_MAX_VIRTUAL_OUTPUTS 16

bool ds_server_is_master(struct ds_server *server, struct wl_client *client) {
	return server->master && server->master == client;
}

bool ds_server_check_master(struct ds_server *server, struct wl_resource *resource) {
	if (ds_server_is_master(server, wl_resource_get_client(resource))) {
		return true;
	}
	wl_resource_post_error(resource, LUMEN_DISPLAY_V1_ERROR_NOT_MASTER,
		"only the master may do this");
	return false;
}

static void restart_timer_arm(struct ds_server *server) {
	if (server->restart_timer && server->restart_frame_after_ms >= 0) {
		wl_event_source_timer_update(server->restart_timer,
			server->restart_frame_after_ms > 0 ? server->restart_frame_after_ms : 1);
	}
}

static int handle_restart_timer(void *data) {
	struct ds_server *server = data;
	if (server->master) {
		return 0;
	}
	lumen_log(LUMEN_INFO, "no master for %d ms: showing the restarting frame",
		server->restart_frame_after_ms);
	struct ds_output *output;
	wl_list_for_each (output, &server->outputs, link) {
		ds_output_show_restart_frame(output);
	}
	return 0;
}

static void handle_master_destroy(struct wl_listener *listener, void *data) {
	struct ds_server *server = wl_container_of(listener, server, master_destroy);
	lumen_log(LUMEN_INFO, "the master left; outputs keep their last frame");
	wl_list_remove(&server->master_destroy.link);
	wl_list_init(&server->master_destroy.link);
	server->master = NULL;
	struct ds_output *output;
	wl_list_for_each (output, &server->outputs, link) {
		ds_output_master_gone(output);
	}
	if (server->master_committed) {
		restart_timer_arm(server);
	}
	server->master_committed = false;
}

/* lumen_display_v1 */

static void display_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void display_handle_become_master(struct wl_client *client,
		struct wl_resource *resource) {
	struct ds_server *server = wl_resource_get_user_data(resource);
	if (server->master == client) {
		wl_resource_post_error(resource, LUMEN_DISPLAY_V1_ERROR_ALREADY_MASTER,
			"this client is the master already");
		return;
	}
	if (server->master) {
		wl_resource_post_error(resource, LUMEN_DISPLAY_V1_ERROR_MASTER_TAKEN,
			"another client is the master");
		return;
	}
	pid_t pid;
	wl_client_get_credentials(client, &pid, NULL, NULL);
	lumen_log(LUMEN_INFO, "client (pid %d) is the master", (int)pid);
	server->master = client;
	wl_client_add_destroy_listener(client, &server->master_destroy);
	if (server->restart_timer) {
		wl_event_source_timer_update(server->restart_timer, 0);
	}
}

static void display_handle_create_shm_buffer(struct wl_client *client,
		struct wl_resource *resource, uint32_t id, int fd, uint32_t offset, int32_t width,
		int32_t height, int32_t stride, uint32_t format) {
	struct ds_server *server = wl_resource_get_user_data(resource);
	if (!ds_server_check_master(server, resource)) {
		close(fd);
		return;
	}
	ds_buffer_create_shm(client, resource, id, fd, offset, width, height, stride, format);
}

static void display_handle_create_dmabuf_params(struct wl_client *client,
		struct wl_resource *resource, uint32_t id) {
	struct ds_server *server = wl_resource_get_user_data(resource);
	if (!ds_server_check_master(server, resource)) {
		return;
	}
	ds_dmabuf_params_create(server, resource, id);
}

static void display_handle_create_virtual_output(struct wl_client *client,
		struct wl_resource *resource, int32_t width, int32_t height, int32_t refresh) {
	struct ds_server *server = wl_resource_get_user_data(resource);
	if (!server->virtual || !server->backend->impl->add_output) {
		wl_resource_post_error(resource, LUMEN_DISPLAY_V1_ERROR_UNSUPPORTED,
			"virtual outputs need the virtual backend");
		return;
	}
	if (width <= 0 || height <= 0 || width > server->virtual_max_size ||
			height > server->virtual_max_size || refresh < 1000 || refresh > 1000000) {
		wl_resource_post_error(resource, LUMEN_DISPLAY_V1_ERROR_INVALID_MODE,
			"bad virtual mode %dx%d@%d mHz (1..%d pixels, 1..1000 Hz)", width, height,
			refresh, server->virtual_max_size);
		return;
	}
	if (wl_list_length(&server->outputs) >= DS_MAX_VIRTUAL_OUTPUTS) {
		wl_resource_post_error(resource, LUMEN_DISPLAY_V1_ERROR_UNSUPPORTED,
			"at most %d virtual outputs", DS_MAX_VIRTUAL_OUTPUTS);
		return;
	}
	if (!server->backend->impl->add_output(server->backend, width, height, refresh)) {
		wl_client_post_no_memory(client);
	}
}

static const struct lumen_display_v1_interface display_impl = {
	.destroy = display_handle_destroy,
	.become_master = display_handle_become_master,
	.create_shm_buffer = display_handle_create_shm_buffer,
	.create_dmabuf_params = display_handle_create_dmabuf_params,
	.create_virtual_output = display_handle_create_virtual_output,
};

static void display_resource_destroy(struct wl_resource *resource) {
	wl_list_remove(wl_resource_get_link(resource));
}

static void display_bind(struct wl_client *client, void *data, uint32_t version, uint32_t id) {
	struct ds_server *server = data;
	struct wl_resource *resource =
		wl_resource_create(client, &lumen_display_v1_interface, (int)version, id);
	if (!resource) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(resource, &display_impl, server, display_resource_destroy);
	wl_list_insert(server->display_resources.prev, wl_resource_get_link(resource));
	struct ds_output *output;
	wl_list_for_each (output, &server->outputs, link) {
		if (!ds_output_send_to_client(output, resource)) {
			wl_client_post_no_memory(client);
			return;
		}
	}
	if (server->backend->impl->render_node_fd >= 0) {
		/* libwayland dups the fd for the message. */
		lumen_display_v1_send_render_node(resource, server->backend->impl->render_node_fd);
	}
	lumen_display_v1_send_done(resource);
}

void ds_server_send_output_to_all(struct ds_server *server, struct ds_output *output) {
	struct wl_resource *resource, *tmp;
	wl_resource_for_each_safe (resource, tmp, &server->display_resources) {
		if (!ds_output_send_to_client(output, resource)) {
			wl_client_post_no_memory(wl_resource_get_client(resource));
		}
	}
}

struct wl_client *ds_server_add_client(struct ds_server *server, int fd) {
	struct wl_client *client = wl_client_create(server->display, fd);
	if (!client) {
		close(fd);
	}
	return client;
}

struct ds_server *ds_server_create(const struct ds_server_options *options) {
	struct ds_server *server = calloc(1, sizeof(*server));
	if (!server) {
		lumen_log(LUMEN_ERROR, "out of memory");
		return NULL;
	}
	lumen_listener_init(&server->listener);
	wl_list_init(&server->outputs);
	wl_list_init(&server->display_resources);
	server->master_destroy.notify = handle_master_destroy;
	wl_list_init(&server->master_destroy.link);
	server->restart_frame_after_ms = options->restart_frame_after_ms == 0
		? DS_DEFAULT_RESTART_MS : options->restart_frame_after_ms;
	server->virtual_max_size = options->virtual_max_size > 0 ? options->virtual_max_size : 8192;

	server->display = wl_display_create();
	if (!server->display) {
		lumen_log(LUMEN_ERROR, "cannot create the display");
		free(server);
		return NULL;
	}
	server->loop = wl_display_get_event_loop(server->display);
	server->restart_timer = wl_event_loop_add_timer(server->loop, handle_restart_timer, server);
	if (!server->restart_timer) {
		goto fail;
	}
	server->global = wl_global_create(server->display, &lumen_display_v1_interface, 1, server,
		display_bind);
	if (!server->global) {
		goto fail;
	}
	if (options->kms) {
#if HAVE_KMS
		server->backend = ds_kms_backend_create(server, server->loop, options->kms_path);
#else
		lumen_log(LUMEN_ERROR, "built without the kms backend (libdrm, libudev)");
#endif
		if (!server->backend) {
			goto fail;
		}
	} else {
		server->backend = ds_virtual_backend_create(server, server->loop);
		if (!server->backend) {
			goto fail;
		}
		server->virtual = true;
		struct ds_virtual_mode fallback = {1280, 720, 60000};
		const struct ds_virtual_mode *modes = options->virtual_modes;
		size_t n = options->n_virtual_modes;
		if (n == 0) {
			modes = &fallback;
			n = 1;
		}
		for (size_t i = 0; i < n; i++) {
			if (!server->backend->impl->add_output(server->backend, modes[i].width,
					modes[i].height, modes[i].refresh)) {
				lumen_log(LUMEN_ERROR, "cannot create virtual output %dx%d", modes[i].width,
					modes[i].height);
				goto fail;
			}
		}
	}
	if (!options->no_socket) {
		if (!lumen_listener_open(&server->listener, server->display,
				options->socket ? options->socket : DS_DEFAULT_SOCKET, "lumen-displayd")) {
			goto fail;
		}
	}
	return server;
fail:
	ds_server_destroy(server);
	return NULL;
}

void ds_server_destroy(struct ds_server *server) {
	if (!server) {
		return;
	}
	lumen_listener_finish(&server->listener);
	/* Clients first: their objects let go of buffers and frames while outputs exist. */
	wl_display_destroy_clients(server->display);
	if (server->backend) {
		server->backend->impl->destroy(server->backend);
	}
	if (server->global) {
		wl_global_destroy(server->global);
	}
	if (server->restart_timer) {
		wl_event_source_remove(server->restart_timer);
	}
	wl_display_destroy(server->display);
	free(server);
}

void ds_server_run(struct ds_server *server) {
	wl_display_run(server->display);
}

void ds_server_terminate(struct ds_server *server) {
	wl_display_terminate(server->display);
}

struct wl_display *ds_server_get_display(struct ds_server *server) {
	return server->display;
}

struct wl_event_loop *ds_server_get_event_loop(struct ds_server *server) {
	return server->loop;
}

const char *ds_server_get_socket_path(struct ds_server *server) {
	return server->listener.path[0] ? server->listener.path : NULL;
}

struct wl_client *ds_server_get_master(struct ds_server *server) {
	return server->master;
}
