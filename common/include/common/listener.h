#ifndef COMMON_LISTENER_H
#define COMMON_LISTENER_H

#include <stdbool.h>
#include <wayland-server-core.h>

/*
 * The private listening socket of a lumen daemon (displayd, inputd, a11yd): a Unix
 * socket in $XDG_RUNTIME_DIR (or at an absolute path) that is the session user's
 * alone. It is created 0600 under a .lock file held with flock (so a second daemon is
 * refused, and a socket file left by a dead one is known to be stale); each peer's
 * uid is checked on accept (ours or root), then it becomes a wl_client of display.
 */
struct lumen_listener;
struct ucred;

/*
 * Called for each accepted peer whose uid passed (when set with
 * lumen_listener_set_accept): it owns fd from then on, and makes it a client or closes it.
 */
typedef void (*lumen_listener_accept_fn)(struct lumen_listener *listener, int fd,
	const struct ucred *cred, void *data);

struct lumen_listener {
	char path[108];
	char lock_path[128];
	int listen_fd, lock_fd;
	struct wl_event_source *source;
	struct wl_display *display;
	lumen_listener_accept_fn accept;
	void *accept_data;
};

/** Sets the fds to -1 so that finish is safe on a listener never opened. */
void lumen_listener_init(struct lumen_listener *listener);
/** Peers go to accept instead of straight to wl_client_create (call before open). */
void lumen_listener_set_accept(struct lumen_listener *listener, lumen_listener_accept_fn accept,
	void *data);
/**
 * Listens on name (a name in $XDG_RUNTIME_DIR, or an absolute path) and adds the
 * peers it accepts to display. what names the daemon in messages ("lumen-displayd").
 * False, with the reason logged, if the socket cannot be had.
 */
bool lumen_listener_open(struct lumen_listener *listener, struct wl_display *display,
	const char *name, const char *what);
/** Stops listening; removes the socket and lock files if they are ours. */
void lumen_listener_finish(struct lumen_listener *listener);

#endif
