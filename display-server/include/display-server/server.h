#ifndef DISPLAY_SERVER_SERVER_H
#define DISPLAY_SERVER_SERVER_H

/*
 * lumen-displayd as a library: main.c, the tests and the fuzzer create a server, drive
 * its event loop, and destroy it. The protocol is protocols/lumen-display-v1.xml.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wayland-server-core.h>

struct ds_server;

/* The "restarting" frame: this background with a ring of the mark colour (a gap at its
 * upper right) around the centre, radius min(width, height) / 8. XRGB. */
#define DS_RESTART_BACKGROUND 0x303846u
#define DS_RESTART_MARK 0xd8dee9u

struct ds_virtual_mode {
	int32_t width, height;
	int32_t refresh; // mHz
};

struct ds_server_options {
	/* Socket name in $XDG_RUNTIME_DIR, or an absolute path. NULL: "lumen-display-0".
	 * Ignored with no_socket. */
	const char *socket;
	/* No listening socket: clients come only through ds_server_add_client (tests). */
	bool no_socket;
	/* Use the kms backend (when built with it) instead of the virtual one. */
	bool kms;
	const char *kms_path; // NULL: the first card with connectors
	/* Virtual outputs to start with; none: one 1280x720@60. */
	const struct ds_virtual_mode *virtual_modes;
	size_t n_virtual_modes;
	/* Without a master for this long the outputs show the "restarting" frame.
	 * 0: the default (10 s); negative: never. */
	int restart_frame_after_ms;
	/* Largest width or height of a virtual output (0: 8192). The fuzzer keeps it small. */
	int32_t virtual_max_size;
};

/** Creates the server with its backend and (unless no_socket) its socket. NULL with a
 * log on failure. The caller owns it: ds_server_destroy. */
struct ds_server *ds_server_create(const struct ds_server_options *options);
/** Frees everything: clients, outputs, backend, socket. NULL is fine. */
void ds_server_destroy(struct ds_server *server);
/** Runs the event loop until ds_server_terminate. */
void ds_server_run(struct ds_server *server);
void ds_server_terminate(struct ds_server *server);

struct wl_display *ds_server_get_display(struct ds_server *server);
struct wl_event_loop *ds_server_get_event_loop(struct ds_server *server);
/** The listening socket's path, or NULL without one. */
const char *ds_server_get_socket_path(struct ds_server *server);

/** Serves a client on a connected socket (e.g. one end of a socketpair); takes fd.
 * Skips the peer credential check (the caller made the socket). */
struct wl_client *ds_server_add_client(struct ds_server *server, int fd);

/** The client that is the master, or NULL. */
struct wl_client *ds_server_get_master(struct ds_server *server);

#endif
