#ifndef COMMON_FD_H
#define COMMON_FD_H

#include <stdbool.h>
#include <stddef.h>

bool lumen_fd_set_cloexec(int fd, bool cloexec);
bool lumen_fd_set_nonblock(int fd, bool nonblock);
/** Creates an anonymous shared-memory file of size bytes; returns the fd or -1. */
int lumen_shm_create(size_t size);
/** Sends len bytes and one fd (or none when fd < 0) over a Unix socket. */
bool lumen_fd_send(int sock, const void *data, size_t len, int fd);
/** Receives up to len bytes and at most one fd (*fd = -1 if none); returns bytes or -1. */
long lumen_fd_recv(int sock, void *data, size_t len, int *fd);

#endif
