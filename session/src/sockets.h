#ifndef SESSION_SOCKETS_H
#define SESSION_SOCKETS_H

#include <stdbool.h>
#include <sys/un.h>

/*
 * The listening sockets the session owns for the compositor: the Wayland socket with
 * its lock file (the same protocol as libwayland's wl_display_add_socket, so other
 * compositors and ours see each other's sockets as taken) and "NAME-trusted", the
 * compositor's socket for trusted clients, owner-only. The compositor inherits both;
 * while it is down, connecting clients wait in the listen backlog.
 */
struct session_sockets {
	char name[64]; // "wayland-1"
	int fd; // -1: none
	int lock_fd;
	int trusted_fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char lock_path[sizeof(((struct sockaddr_un *)0)->sun_path) + 8];
	char trusted_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

void session_sockets_init(struct session_sockets *sockets);
/** Opens NAME, or the first free wayland-N when name is NULL, in runtime_dir. */
bool session_sockets_open(struct session_sockets *sockets, const char *runtime_dir,
	const char *name);
/** Closes the sockets and removes their files. */
void session_sockets_close(struct session_sockets *sockets);

#endif
