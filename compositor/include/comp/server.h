#ifndef COMP_PUBLIC_SERVER_H
#define COMP_PUBLIC_SERVER_H

#include <stdbool.h>
#include <wayland-server-core.h>

struct comp_server;

struct comp_server_options {
	const char *config_path; // NULL: $XDG_CONFIG_HOME/lumen/lumen.ini
	const char *socket_name; // NULL: the first free wayland-N
	/*
	 * Listening sockets made and kept by lumen-session, inherited, used when > 0
	 * (socket_name names the first): clients wait in their backlog while we restart.
	 */
	int wayland_fd;
	int trusted_fd;
	/* Headless outputs to create when the headless backend is in use: "WxH[@Hz]" list. */
	const char *headless_outputs;
	bool no_autostart; // ignore [autostart] (tests)
	bool no_xwayland;
	bool nested_in_caller_loop; // wlcs: the caller runs the display's event loop
	const char *startup_commands[8]; // run once started, trusted; NULL-terminated
};

/** Creates the compositor: backends, renderer, globals. NULL on failure. Caller owns it. */
struct comp_server *comp_server_create(const struct comp_server_options *options);
/** Starts backends and opens the listening sockets. */
bool comp_server_start(struct comp_server *server);
/** Runs until comp_server_terminate. */
void comp_server_run(struct comp_server *server);
void comp_server_terminate(struct comp_server *server);
void comp_server_destroy(struct comp_server *server);
struct wl_display *comp_server_get_display(struct comp_server *server);
const char *comp_server_socket_name(struct comp_server *server);
/** 0, or non-zero when the compositor stopped because it lost its display server. */
int comp_server_exit_status(struct comp_server *server);

#endif
