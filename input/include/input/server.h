#ifndef INPUT_SERVER_H
#define INPUT_SERVER_H

/*
 * lumen-inputd as a library: main.c, the tests and the fuzzer create a server, drive
 * its event loop, and destroy it. The protocol is protocols/lumen-input-v1.xml.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wayland-server-core.h>

struct input_server;

/* Bounds of the protocol (see its description). */
#define INPUT_MAX_FRAME_EVENTS 64
#define INPUT_QUEUE_MAX 4096
#define INPUT_MAX_VIRTUAL_PER_CLIENT 16
#define INPUT_TOUCH_SLOTS 10

struct input_server_options {
	/* Socket name in $XDG_RUNTIME_DIR, or an absolute path. NULL: "lumen-input-0".
	 * Ignored with no_socket. */
	const char *socket;
	/* No listening socket: clients come only through input_server_add_client (tests). */
	bool no_socket;
	/* Only the virtual devices of drivers; no libinput. */
	bool no_libinput;
	/* libinput's seat; NULL: "seat0". */
	const char *seat;
};

/** Creates the server with (unless no_socket) its socket and (unless no_libinput) its
 * libinput context. NULL with a log on failure; libinput finding no devices, or failing
 * to start at all, is logged and not a failure. The caller owns it: input_server_destroy. */
struct input_server *input_server_create(const struct input_server_options *options);
/** Frees everything: clients, devices, libinput, socket. NULL is fine. */
void input_server_destroy(struct input_server *server);
/** Runs the event loop until input_server_terminate. */
void input_server_run(struct input_server *server);
void input_server_terminate(struct input_server *server);

struct wl_display *input_server_get_display(struct input_server *server);
struct wl_event_loop *input_server_get_event_loop(struct input_server *server);
/** The listening socket's path, or NULL without one. */
const char *input_server_get_socket_path(struct input_server *server);

/** Serves a client on a connected socket (e.g. one end of a socketpair); takes fd.
 * Skips the peer credential check (the caller made the socket). */
struct wl_client *input_server_add_client(struct input_server *server, int fd);

/** The client that is the seat master, or NULL. */
struct wl_client *input_server_get_master(struct input_server *server);

/** Number of devices (real and virtual), for tests. */
size_t input_server_device_count(struct input_server *server);

#endif
