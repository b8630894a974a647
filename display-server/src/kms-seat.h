#ifndef DS_KMS_SEAT_H
#define DS_KMS_SEAT_H

/*
 * Who may open the DRM card and be its master: a seat daemon (seatd or logind, through
 * libseat) where one runs, else this process itself as root. The kms backend sees only
 * this interface, so a port to another system replaces kms-seat.c and nothing else.
 *
 * With a seat daemon, a VT switch disables the seat (the backend stops touching the
 * card, then calls ds_seat_ack_disable) and switching back enables it (the backend
 * restores its state). Without one there is no VT switch handling: the process stays
 * DRM master for its whole life.
 */

#include <stdbool.h>
#include <wayland-server-core.h>

struct ds_seat;

struct ds_seat_listener {
	/* The session is ours again: devices work, restore the screens. */
	void (*enable)(void *data);
	/* The session is going away: stop using devices, then ds_seat_ack_disable. */
	void (*disable)(void *data);
};

/** Opens the seat: libseat where a seat daemon runs (or LIBSEAT_BACKEND is set), else
 * direct access. NULL with a log if neither works. Callbacks come from the loop. */
struct ds_seat *ds_seat_create(struct wl_event_loop *loop, const struct ds_seat_listener *listener,
	void *data);
void ds_seat_destroy(struct ds_seat *seat);
/** Whether a seat daemon manages the devices (else this process does, as root). */
bool ds_seat_is_managed(struct ds_seat *seat);
/** Whether the session is active (devices may be used). */
bool ds_seat_is_active(struct ds_seat *seat);
/** Opens a device (O_RDWR|O_CLOEXEC|O_NONBLOCK); -1 with errno on failure. *device_id is
 * what ds_seat_close_device takes back. For a DRM card the caller is then its master. */
int ds_seat_open_device(struct ds_seat *seat, const char *path, int *device_id);
void ds_seat_close_device(struct ds_seat *seat, int device_id, int fd);
void ds_seat_ack_disable(struct ds_seat *seat);

#endif
