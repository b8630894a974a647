/*
 * The Wayland listening socket and the trusted socket, made by the session so that
 * they outlive the compositor. The lock file protocol is libwayland's: whoever holds
 * an exclusive flock on "NAME.lock" owns NAME, and a socket file left without a lock
 * holder is stale and may be removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common/log.h"
#include "sockets.h"

/* libwayland tries the same range in wl_display_add_socket_auto. */
#define AUTO_SOCKETS 32
#define BACKLOG 128

void session_sockets_init(struct session_sockets *sockets) {
	memset(sockets, 0, sizeof(*sockets));
	sockets->fd = -1;
	sockets->lock_fd = -1;
	sockets->trusted_fd = -1;
}

static bool fill_path(char *dst, size_t size, const char *runtime_dir, const char *name,
		const char *suffix) {
	int len = snprintf(dst, size, "%s/%s%s", runtime_dir, name, suffix);
	return len >= 0 && (size_t)len < size;
}

/* Binds and listens on path; mode_mask is the umask in force while binding. */
static int listen_on(const char *path, mode_t mode_mask) {
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		lumen_log_errno(LUMEN_ERROR, "socket");
		return -1;
	}
	/* The mode is set from the moment the file exists: no window where others connect. */
	mode_t old = umask(mode_mask);
	int ret = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
	umask(old);
	if (ret != 0) {
		lumen_log_errno(LUMEN_ERROR, "cannot bind %s", path);
		close(fd);
		return -1;
	}
	if (listen(fd, BACKLOG) != 0) {
		lumen_log_errno(LUMEN_ERROR, "cannot listen on %s", path);
		close(fd);
		unlink(path);
		return -1;
	}
	return fd;
}

/* Takes NAME if nobody holds its lock. false with errno EADDRINUSE when taken. */
static bool try_name(struct session_sockets *sockets, const char *runtime_dir,
		const char *name) {
	if (strlen(name) >= sizeof(sockets->name) ||
			!fill_path(sockets->path, sizeof(sockets->path), runtime_dir, name, "") ||
			!fill_path(sockets->lock_path, sizeof(sockets->lock_path), runtime_dir, name,
				".lock") ||
			!fill_path(sockets->trusted_path, sizeof(sockets->trusted_path), runtime_dir,
				name, "-trusted")) {
		lumen_log(LUMEN_ERROR, "socket path %s/%s is too long", runtime_dir, name);
		errno = ENAMETOOLONG;
		return false;
	}
	int lock_fd = open(sockets->lock_path, O_CREAT | O_CLOEXEC | O_RDWR,
		S_IRUSR | S_IWUSR | S_IRGRP | S_IWGRP);
	if (lock_fd < 0) {
		lumen_log_errno(LUMEN_ERROR, "cannot open lock file %s", sockets->lock_path);
		return false;
	}
	if (flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
		close(lock_fd);
		errno = EADDRINUSE;
		return false;
	}
	/* We hold the lock: a socket file still there was left by a process that died. */
	struct stat st;
	if (lstat(sockets->path, &st) == 0 && S_ISSOCK(st.st_mode)) {
		unlink(sockets->path);
	}
	if (lstat(sockets->trusted_path, &st) == 0 && S_ISSOCK(st.st_mode)) {
		unlink(sockets->trusted_path);
	}
	int fd = listen_on(sockets->path, 0);
	if (fd < 0) {
		goto fail_lock;
	}
	/* Owner only, as the compositor's own trusted socket (trust.c). */
	int trusted_fd = listen_on(sockets->trusted_path, 0077);
	if (trusted_fd < 0) {
		close(fd);
		unlink(sockets->path);
		goto fail_lock;
	}
	snprintf(sockets->name, sizeof(sockets->name), "%s", name);
	sockets->fd = fd;
	sockets->trusted_fd = trusted_fd;
	sockets->lock_fd = lock_fd;
	return true;

fail_lock:
	close(lock_fd);
	unlink(sockets->lock_path);
	errno = EIO;
	return false;
}

bool session_sockets_open(struct session_sockets *sockets, const char *runtime_dir,
		const char *name) {
	if (name) {
		if (try_name(sockets, runtime_dir, name)) {
			return true;
		}
		if (errno == EADDRINUSE) {
			lumen_log(LUMEN_ERROR, "the Wayland socket %s is in use by another process",
				name);
		}
		return false;
	}
	for (int i = 0; i < AUTO_SOCKETS; i++) {
		char auto_name[32];
		snprintf(auto_name, sizeof(auto_name), "wayland-%d", i);
		if (try_name(sockets, runtime_dir, auto_name)) {
			return true;
		}
		if (errno != EADDRINUSE) {
			return false;
		}
	}
	lumen_log(LUMEN_ERROR, "no free Wayland socket name (wayland-0 to wayland-%d are taken)",
		AUTO_SOCKETS - 1);
	return false;
}

void session_sockets_close(struct session_sockets *sockets) {
	if (sockets->fd >= 0) {
		close(sockets->fd);
		unlink(sockets->path);
		sockets->fd = -1;
	}
	if (sockets->trusted_fd >= 0) {
		close(sockets->trusted_fd);
		unlink(sockets->trusted_path);
		sockets->trusted_fd = -1;
	}
	/* The lock goes last, so nobody takes the name while its files are still there. */
	if (sockets->lock_fd >= 0) {
		unlink(sockets->lock_path);
		close(sockets->lock_fd);
		sockets->lock_fd = -1;
	}
}
