#ifndef A11Y_SERVER_H
#define A11Y_SERVER_H

/*
 * lumen-a11yd as a library: main.c, the tests and the fuzzer create a server, drive its
 * event loop, and destroy it. The protocol is protocols/lumen-a11y-v1.xml.
 */

#include <stdbool.h>
#include <stddef.h>
#include <wayland-server-core.h>

struct a11y_server;

struct a11y_server_options {
	/* Socket name in $XDG_RUNTIME_DIR, or an absolute path. NULL: "lumen-a11y-0". The
	 * trusted socket is the same name with "-trusted" appended. */
	const char *socket;
	/* No listening sockets: clients come only through a11y_server_add_client (tests). */
	bool no_socket;
	/* Programs (absolute paths, as /proc/PID/exe reads) trusted on the plain socket. */
	const char *const *trusted_exes;
	size_t n_trusted_exes;
};

/** Creates the server and (unless no_socket) its sockets; NULL with a log on failure.
 * The caller owns it: a11y_server_destroy. */
struct a11y_server *a11y_server_create(const struct a11y_server_options *options);
/** Frees everything: clients, trees, sockets. NULL is fine. */
void a11y_server_destroy(struct a11y_server *server);
void a11y_server_run(struct a11y_server *server);
void a11y_server_terminate(struct a11y_server *server);

struct wl_display *a11y_server_get_display(struct a11y_server *server);
struct wl_event_loop *a11y_server_get_event_loop(struct a11y_server *server);
/** The plain listening socket's path, or NULL without one. */
const char *a11y_server_get_socket_path(struct a11y_server *server);

/** Serves a client on a connected socket (one end of a socketpair, say); takes fd.
 * trusted: as if it came through the trusted socket. */
struct wl_client *a11y_server_add_client(struct a11y_server *server, int fd, bool trusted);

/**
 * Reads a config file: lines "trusted = /usr/bin/orca" (absolute program paths) and
 * comments (#). Appends to *exes (heap strings; free each and the array). Returns false
 * if the file exists but cannot be read; a bad line is logged and skipped.
 */
bool a11y_config_load(const char *path, char ***exes, size_t *n_exes);

#endif
