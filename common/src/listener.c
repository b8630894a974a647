/* The private listening socket of a lumen daemon: see common/listener.h. */
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

void lumen_listener_init(struct lumen_listener *listener) {
	*listener = (struct lumen_listener){.listen_fd = -1, .lock_fd = -1};
}


void lumen_listener_set_accept(struct lumen_listener *listener, lumen_listener_accept_fn accept,
		void *data) {
	listener->accept = accept;
	listener->accept_data = data;
}

static bool peer_allowed(int fd, struct ucred *cred) {
	socklen_t len = sizeof(*cred);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cred, &len) != 0) {
		lumen_log_errno(LUMEN_WARN, "SO_PEERCRED");
		return false;
	}
	if (cred->uid != getuid() && cred->uid != 0) {
		lumen_log(LUMEN_WARN, "refused a client of uid %u (pid %d): the socket is uid %u's",
			(unsigned)cred->uid, (int)cred->pid, (unsigned)getuid());
		return false;
	}
	return true;
}

static int handle_listen(int fd, uint32_t mask, void *data) {
	struct lumen_listener *listener = data;
	int client_fd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	if (client_fd < 0) {
		if (errno != EAGAIN && errno != EINTR) {
			lumen_log_errno(LUMEN_WARN, "accept");
		}
		return 0;
	}
	struct ucred cred;
	if (!peer_allowed(client_fd, &cred)) {
		close(client_fd);
		return 0;
	}
	if (listener->accept) {
		listener->accept(listener, client_fd, &cred, listener->accept_data);
		return 0;
	}
	if (!wl_client_create(listener->display, client_fd)) {
		lumen_log_errno(LUMEN_ERROR, "cannot create a client");
		close(client_fd);
	}
	return 0;
}

static bool set_path(struct lumen_listener *listener, const char *name) {
	int n;
	if (name[0] == '/') {
		n = snprintf(listener->path, sizeof(listener->path), "%s", name);
	} else {
		const char *dir = getenv("XDG_RUNTIME_DIR");
		if (!dir || !dir[0]) {
			lumen_log(LUMEN_ERROR, "XDG_RUNTIME_DIR is not set");
			return false;
		}
		n = snprintf(listener->path, sizeof(listener->path), "%s/%s", dir, name);
	}
	if (n < 0 || n >= (int)sizeof(listener->path)) {
		lumen_log(LUMEN_ERROR, "socket path too long: %s", name);
		listener->path[0] = '\0';
		return false;
	}
	snprintf(listener->lock_path, sizeof(listener->lock_path), "%s.lock", listener->path);
	return true;
}

bool lumen_listener_open(struct lumen_listener *listener, struct wl_display *display,
		const char *name, const char *what) {
	listener->display = display;
	if (!set_path(listener, name)) {
		return false;
	}
	listener->lock_fd = open(listener->lock_path, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	if (listener->lock_fd < 0) {
		lumen_log_errno(LUMEN_ERROR, "cannot open %s", listener->lock_path);
		listener->path[0] = '\0';
		return false;
	}
	if (flock(listener->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		lumen_log(LUMEN_ERROR, "%s is in use by another %s", listener->path, what);
		close(listener->lock_fd);
		listener->lock_fd = -1;
		listener->path[0] = '\0'; // neither file is ours to remove
		return false;
	}
	/* We hold the lock: a socket file left there is stale. */
	unlink(listener->path);
	listener->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (listener->listen_fd < 0) {
		lumen_log_errno(LUMEN_ERROR, "socket");
		return false;
	}
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", listener->path);
	/* Created 0600, so that no other user can connect before a chmod; peers are
	 * checked again on accept. */
	mode_t old_mask = umask(0177);
	int ret = bind(listener->listen_fd, (struct sockaddr *)&addr, sizeof(addr));
	umask(old_mask);
	if (ret != 0) {
		lumen_log_errno(LUMEN_ERROR, "cannot bind %s", listener->path);
		listener->path[0] = '\0';
		return false;
	}
	if (chmod(listener->path, 0600) != 0 || listen(listener->listen_fd, 128) != 0) {
		lumen_log_errno(LUMEN_ERROR, "cannot listen on %s", listener->path);
		return false;
	}
	listener->source = wl_event_loop_add_fd(wl_display_get_event_loop(display),
		listener->listen_fd, WL_EVENT_READABLE, handle_listen, listener);
	if (!listener->source) {
		lumen_log(LUMEN_ERROR, "cannot watch %s", listener->path);
		return false;
	}
	lumen_log(LUMEN_INFO, "listening on %s", listener->path);
	return true;
}

void lumen_listener_finish(struct lumen_listener *listener) {
	if (listener->source) {
		wl_event_source_remove(listener->source);
		listener->source = NULL;
	}
	if (listener->listen_fd >= 0) {
		close(listener->listen_fd);
		listener->listen_fd = -1;
	}
	if (listener->lock_fd >= 0) {
		if (listener->path[0]) {
			unlink(listener->path);
		}
		unlink(listener->lock_path);
		close(listener->lock_fd);
		listener->lock_fd = -1;
	}
	listener->path[0] = '\0';
}
