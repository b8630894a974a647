#ifndef INPUT_SEAT_H
#define INPUT_SEAT_H

/*
 * Who may open input devices: a seat daemon (seatd or logind, through libseat) where
 * one runs, else this process itself as root. libinput-backend.c sees only this
 * interface, so a port to a system with schemes replaces seat.c and nothing else.
 *
 * With a seat daemon, a VT switch disables the seat (devices stop delivering; the
 * backend suspends, then calls input_seat_ack_disable) and switching back enables it.
 */

#include <stdbool.h>
#include <wayland-server-core.h>

struct input_seat;

struct input_seat_listener {
	void (*enable)(void *data);
	void (*disable)(void *data);
};

/** NULL with a log if neither a seat daemon nor root access is there. */
struct input_seat *input_seat_create(struct wl_event_loop *loop,
	const struct input_seat_listener *listener, void *data);
void input_seat_destroy(struct input_seat *seat);
bool input_seat_is_managed(struct input_seat *seat);
/** Opens a device with flags (O_CLOEXEC and O_NONBLOCK are added); -1 with errno. */
int input_seat_open_device(struct input_seat *seat, const char *path, int flags);
void input_seat_close_device(struct input_seat *seat, int fd);
void input_seat_ack_disable(struct input_seat *seat);

#endif
