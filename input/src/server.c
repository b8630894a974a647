/*
 * The server: the socket (the session user's alone), the lumen_input_v1 global, the
 * master role, and the sending of every device's queued frames to the master as its
 * socket has room (core.h says why).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "common/listener.h"
#include "common/log.h"
#include "core.h"
#include "lumen-input-v1-protocol.h"

#define INPUT_DEFAULT_SOCKET "lumen-input-0"
/* Events sent to the master per turn of the loop, and so at most this many (16 bytes
 * each) written into its socket while it had room. */
#define INPUT_DRAIN_BUDGET 512

uint64_t input_now_usec(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

bool input_server_is_master(struct input_server *server, struct wl_client *client) {
	return server->master && server->master == client;
}

/* Sending to the master */

static void set_writable_watch(struct input_server *server, bool on) {
	if (server->master_writable) {
		wl_event_source_fd_update(server->master_writable, on ? WL_EVENT_WRITABLE : 0);
	}
}

/* Whether the master's socket has room: libwayland's buffer flushed and the kernel's
 * send buffer at least three quarters free (what POLLOUT means for a Unix socket). */
static bool master_has_room(struct input_server *server) {
	wl_client_flush(server->master);
	struct pollfd pfd = {.fd = server->master_fd, .events = POLLOUT};
	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLOUT) &&
		!(pfd.revents & (POLLERR | POLLHUP));
}

static void drain(struct input_server *server) {
	if (server->master && !master_has_room(server)) {
		set_writable_watch(server, true);
		return;
	}
	bool left = input_devices_drain(server, INPUT_DRAIN_BUDGET);
	if (server->master) {
		wl_client_flush(server->master);
	}
	set_writable_watch(server, left);
}

static void handle_drain_idle(void *data) {
	struct input_server *server = data;
	server->drain_idle = NULL;
	drain(server);
}

void input_server_schedule_drain(struct input_server *server) {
	if (!server->drain_idle) {
		server->drain_idle = wl_event_loop_add_idle(server->loop, handle_drain_idle, server);
		if (!server->drain_idle) {
			lumen_log(LUMEN_ERROR, "cannot schedule sending events");
		}
	}
}

static int handle_master_writable(int fd, uint32_t mask, void *data) {
	struct input_server *server = data;
	if (mask & (WL_EVENT_HANGUP | WL_EVENT_ERROR)) {
		/* libwayland sees the hangup too and destroys the client. */
		set_writable_watch(server, false);
		return 0;
	}
	drain(server);
	return 0;
}

static void handle_master_destroy(struct wl_listener *listener, void *data) {
	struct input_server *server = wl_container_of(listener, server, master_destroy);
	lumen_log(LUMEN_INFO, "the master left");
	wl_list_remove(&server->master_destroy.link);
	wl_list_init(&server->master_destroy.link);
	server->master = NULL;
	if (server->master_writable) {
		wl_event_source_remove(server->master_writable);
		server->master_writable = NULL;
	}
	if (server->master_fd >= 0) {
		close(server->master_fd);
		server->master_fd = -1;
	}
	input_devices_master_gone(server);
}

/* lumen_input_v1 */

static void input_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void input_handle_become_master(struct wl_client *client, struct wl_resource *resource) {
	struct input_server *server = wl_resource_get_user_data(resource);
	if (server->master == client) {
		wl_resource_post_error(resource, LUMEN_INPUT_V1_ERROR_ALREADY_MASTER,
			"this client is the master already");
		return;
	}
	if (server->master) {
		wl_resource_post_error(resource, LUMEN_INPUT_V1_ERROR_MASTER_TAKEN,
			"another client is the master");
		return;
	}
	/* A second handle on its socket, watched for room while frames wait (libwayland
	 * watches its own fd, and epoll takes an fd only once). */
	int fd = fcntl(wl_client_get_fd(client), F_DUPFD_CLOEXEC, 0);
	if (fd < 0) {
		lumen_log_errno(LUMEN_ERROR, "dup");
		wl_client_post_no_memory(client);
		return;
	}
	struct wl_event_source *source =
		wl_event_loop_add_fd(server->loop, fd, 0, handle_master_writable, server);
	if (!source) {
		close(fd);
		wl_client_post_no_memory(client);
		return;
	}
	pid_t pid;
	wl_client_get_credentials(client, &pid, NULL, NULL);
	lumen_log(LUMEN_INFO, "client (pid %d) is the master", (int)pid);
	server->master = client;
	server->master_fd = fd;
	server->master_writable = source;
	wl_client_add_destroy_listener(client, &server->master_destroy);
}

static void input_handle_create_virtual_device(struct wl_client *client,
		struct wl_resource *resource, uint32_t id, uint32_t type, const char *name,
		uint32_t vendor, uint32_t product, uint32_t width, uint32_t height) {
	input_vdev_create(client, resource, id, type, name, vendor, product, width, height);
}

static const struct lumen_input_v1_interface input_impl = {
	.destroy = input_handle_destroy,
	.become_master = input_handle_become_master,
	.create_virtual_device = input_handle_create_virtual_device,
};

static void input_resource_destroy(struct wl_resource *resource) {
	wl_list_remove(wl_resource_get_link(resource));
}

static void input_bind(struct wl_client *client, void *data, uint32_t version, uint32_t id) {
	struct input_server *server = data;
	struct wl_resource *resource =
		wl_resource_create(client, &lumen_input_v1_interface, (int)version, id);
	if (!resource) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(resource, &input_impl, server, input_resource_destroy);
	wl_list_insert(server->input_resources.prev, wl_resource_get_link(resource));
	struct input_device *device;
	wl_list_for_each (device, &server->devices, link) {
		if (device->removing) {
			continue;
		}
		if (!input_device_send_to_client(device, resource)) {
			wl_client_post_no_memory(client);
			return;
		}
	}
	lumen_input_v1_send_done(resource);
}

/* The socket */

struct wl_client *input_server_add_client(struct input_server *server, int fd) {
	struct wl_client *client = wl_client_create(server->display, fd);
	if (!client) {
		close(fd);
	}
	return client;
}

struct input_server *input_server_create(const struct input_server_options *options) {
	struct input_server *server = calloc(1, sizeof(*server));
	if (!server) {
		lumen_log(LUMEN_ERROR, "out of memory");
		return NULL;
	}
	lumen_listener_init(&server->listener);
	server->master_fd = -1;
	wl_list_init(&server->devices);
	wl_list_init(&server->input_resources);
	wl_list_init(&server->virtual_devices);
	server->master_destroy.notify = handle_master_destroy;
	wl_list_init(&server->master_destroy.link);

	server->display = wl_display_create();
	if (!server->display) {
		lumen_log(LUMEN_ERROR, "cannot create the display");
		free(server);
		return NULL;
	}
	server->loop = wl_display_get_event_loop(server->display);
	server->global =
		wl_global_create(server->display, &lumen_input_v1_interface, 1, server, input_bind);
	if (!server->global) {
		goto fail;
	}
	if (!options->no_socket) {
		if (!lumen_listener_open(&server->listener, server->display,
				options->socket ? options->socket : INPUT_DEFAULT_SOCKET, "lumen-inputd")) {
			goto fail;
		}
	}
	if (!options->no_libinput) {
		server->libinput =
			input_libinput_create(server, options->seat ? options->seat : "seat0");
		if (!server->libinput) {
			lumen_log(LUMEN_WARN, "going on without real devices: only drivers' virtual "
								  "devices");
		}
	}
	return server;
fail:
	input_server_destroy(server);
	return NULL;
}

void input_server_destroy(struct input_server *server) {
	if (!server) {
		return;
	}
	lumen_listener_finish(&server->listener);
	/* Clients first (the master among them), then the real devices. */
	wl_display_destroy_clients(server->display);
	input_libinput_destroy(server->libinput);
	if (server->drain_idle) {
		wl_event_source_remove(server->drain_idle);
	}
	/* No master is left, so removed devices were freed at once. */
	if (server->global) {
		wl_global_destroy(server->global);
	}
	wl_display_destroy(server->display);
	free(server);
}

void input_server_run(struct input_server *server) {
	wl_display_run(server->display);
}

void input_server_terminate(struct input_server *server) {
	wl_display_terminate(server->display);
}

struct wl_display *input_server_get_display(struct input_server *server) {
	return server->display;
}

struct wl_event_loop *input_server_get_event_loop(struct input_server *server) {
	return server->loop;
}

const char *input_server_get_socket_path(struct input_server *server) {
	return server->listener.path[0] ? server->listener.path : NULL;
}

struct wl_client *input_server_get_master(struct input_server *server) {
	return server->master;
}

size_t input_server_device_count(struct input_server *server) {
	size_t n = 0;
	struct input_device *device;
	wl_list_for_each (device, &server->devices, link) {
		if (!device->removing) {
			n++;
		}
	}
	return n;
}
