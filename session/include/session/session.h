#ifndef SESSION_SESSION_H
#define SESSION_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * lumen-session: owns the Wayland listening sockets, starts the display server, the
 * input server, the compositor and the autostart clients in that order, and starts again whichever of
 * them dies.
 */
struct session;

struct session_options {
	const char *socket_name; // NULL: the first free wayland-N
	/* The display server; NULL: none, the compositor uses its own backends. */
	const char *displayd_path;
	const char *display_socket; // displayd's socket name; NULL: "lumen-display-0"
	const char *const *displayd_args; // more arguments for displayd
	size_t n_displayd_args;
	/* The input server; NULL: none of ours, the compositor finds its input itself. */
	const char *inputd_path;
	const char *input_socket; // inputd's socket name or path; NULL: "lumen-input-0"
	const char *const *inputd_args; // more arguments for inputd
	size_t n_inputd_args;
	const char *compositor_path;
	const char *const *compositor_args; // more arguments for the compositor
	size_t n_compositor_args;
	const char *const *autostart; // shell commands, started once the compositor is
	size_t n_autostart;
};

/** Opens the sockets; starts nothing yet. NULL on failure. The caller owns it; the
 * options' strings must outlive it. */
struct session *session_create(const struct session_options *options);
/** Starts the processes, then supervises them until the session ends; returns the
 * exit status: 0 after session_terminate or when the compositor quit on its own. */
int session_run(struct session *session);
/** Begins an orderly end: children are ended by pid, newest first. */
void session_terminate(struct session *session);
/** Ends any children still running (SIGKILL), closes and removes the sockets. */
void session_destroy(struct session *session);
const char *session_socket_name(const struct session *session);

/*
 * AT-SPI2 for the session's screen reader: on the session bus, org.a11y.Status
 * IsEnabled (and ScreenReaderEnabled when a screen reader runs), which starts the
 * AT-SPI2 bus through D-Bus activation of org.a11y.Bus, or, where the bus cannot
 * activate it, at-spi-bus-launcher started here. Blocks for at most a few seconds.
 * Returns the pid of a launcher started here (for the caller to end), else 0; with no
 * session bus it says so and returns 0.
 */
pid_t session_atspi_enable(bool screen_reader, const char *launcher);

#endif
