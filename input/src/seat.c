/*
 * The seat (seat.h): libseat where a seat daemon runs, else direct access as root.
 * libseat would start its embedded seatd when run as root with no daemon, which takes
 * the VT behind our back, so that happens only when asked for (LIBSEAT_BACKEND).
 */
#include "seat.h"

#include <errno.h>
#include <fcntl.h>
#include <libseat.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common/log.h"

#define MAX_OPEN 256

struct input_seat_device {
	int fd, id;
};

struct input_seat {
	const struct input_seat_listener *listener;
	void *data;
	struct libseat *libseat; // NULL: direct access
	struct wl_event_source *source;
	bool active;
	struct input_seat_device open[MAX_OPEN]; // libseat's ids by fd
	size_t n_open;
};

static void handle_libseat_log(enum libseat_log_level level, const char *fmt, va_list args) {
	enum lumen_log_level ours = level == LIBSEAT_LOG_LEVEL_ERROR ? LUMEN_WARN
		: level == LIBSEAT_LOG_LEVEL_INFO                     ? LUMEN_INFO
															  : LUMEN_DEBUG;
	lumen_log_vprintf(ours, LUMEN_LOG_COMPONENT, "libseat", 0, fmt, args);
}

static void handle_enable_seat(struct libseat *libseat, void *data) {
	struct input_seat *seat = data;
	lumen_log(LUMEN_INFO, "seat %s enabled", libseat_seat_name(libseat));
	seat->active = true;
	if (seat->listener->enable) {
		seat->listener->enable(seat->data);
	}
}

static void handle_disable_seat(struct libseat *libseat, void *data) {
	struct input_seat *seat = data;
	lumen_log(LUMEN_INFO, "seat %s disabled", libseat_seat_name(libseat));
	seat->active = false;
	if (seat->listener->disable) {
		seat->listener->disable(seat->data);
	} else {
		input_seat_ack_disable(seat);
	}
}

static const struct libseat_seat_listener libseat_listener = {
	.enable_seat = handle_enable_seat,
	.disable_seat = handle_disable_seat,
};

static int handle_seat_readable(int fd, uint32_t mask, void *data) {
	struct input_seat *seat = data;
	if (libseat_dispatch(seat->libseat, 0) < 0) {
		lumen_log_errno(LUMEN_ERROR, "libseat_dispatch");
	}
	return 0;
}

/* The libseat backend of the seat daemon that runs, or NULL when none does. An explicit
 * LIBSEAT_BACKEND wins. */
static const char *seat_daemon_backend(void) {
	const char *forced = getenv("LIBSEAT_BACKEND");
	if (forced && forced[0]) {
		return forced;
	}
	struct stat st;
	const char *sock = getenv("SEATD_SOCK");
	if (stat(sock ? sock : "/run/seatd.sock", &st) == 0 && S_ISSOCK(st.st_mode)) {
		return "seatd";
	}
	if (stat("/run/systemd/seats", &st) == 0 && S_ISDIR(st.st_mode)) {
		return "logind";
	}
	return NULL;
}

/* Opens the seat through that backend alone: libseat's own fallback would end in its
 * embedded seatd, which takes the VT. */
static struct libseat *open_libseat(const char *backend, struct input_seat *seat) {
	bool set = !getenv("LIBSEAT_BACKEND");
	if (set && setenv("LIBSEAT_BACKEND", backend, 1) != 0) {
		return NULL;
	}
	struct libseat *libseat = libseat_open_seat(&libseat_listener, seat);
	if (set) {
		unsetenv("LIBSEAT_BACKEND");
	}
	return libseat;
}

struct input_seat *input_seat_create(struct wl_event_loop *loop,
		const struct input_seat_listener *listener, void *data) {
	struct input_seat *seat = calloc(1, sizeof(*seat));
	if (!seat) {
		lumen_log(LUMEN_ERROR, "out of memory");
		return NULL;
	}
	seat->listener = listener;
	seat->data = data;
	const char *backend = seat_daemon_backend();
	if (backend) {
		libseat_set_log_handler(handle_libseat_log);
		libseat_set_log_level(LIBSEAT_LOG_LEVEL_INFO);
		seat->libseat = open_libseat(backend, seat);
		if (!seat->libseat) {
			lumen_log(LUMEN_WARN, "no seat through libseat's %s backend", backend);
		} else {
			lumen_log(LUMEN_INFO, "opening input devices through libseat's %s backend (seat %s)",
				backend, libseat_seat_name(seat->libseat));
		}
	}
	if (!seat->libseat) {
		if (geteuid() != 0) {
			lumen_log(LUMEN_ERROR, "no seat daemon (seatd, logind) and not root: "
								   "cannot open input devices");
			free(seat);
			return NULL;
		}
		lumen_log(LUMEN_INFO, "no seat daemon: opening input devices directly as root");
		seat->active = true;
		return seat;
	}
	seat->source = wl_event_loop_add_fd(loop, libseat_get_fd(seat->libseat), WL_EVENT_READABLE,
		handle_seat_readable, seat);
	if (!seat->source) {
		lumen_log(LUMEN_ERROR, "cannot watch the seat");
		libseat_close_seat(seat->libseat);
		free(seat);
		return NULL;
	}
	for (int i = 0; i < 50 && !seat->active; i++) {
		if (libseat_dispatch(seat->libseat, 100) < 0) {
			lumen_log_errno(LUMEN_ERROR, "libseat_dispatch");
			break;
		}
	}
	if (!seat->active) {
		lumen_log(LUMEN_WARN, "seat %s is not active yet", libseat_seat_name(seat->libseat));
	}
	return seat;
}

void input_seat_destroy(struct input_seat *seat) {
	if (!seat) {
		return;
	}
	if (seat->source) {
		wl_event_source_remove(seat->source);
	}
	if (seat->libseat) {
		libseat_close_seat(seat->libseat);
	}
	free(seat);
}

bool input_seat_is_managed(struct input_seat *seat) {
	return seat->libseat != NULL;
}

int input_seat_open_device(struct input_seat *seat, const char *path, int flags) {
	if (!seat->libseat) {
		return open(path, flags | O_CLOEXEC | O_NONBLOCK);
	}
	if (seat->n_open >= MAX_OPEN) {
		errno = EMFILE;
		return -1;
	}
	int fd = -1;
	int id = libseat_open_device(seat->libseat, path, &fd);
	if (id < 0) {
		return -1;
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0) {
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	}
	seat->open[seat->n_open++] = (struct input_seat_device){fd, id};
	return fd;
}

void input_seat_close_device(struct input_seat *seat, int fd) {
	if (seat->libseat) {
		for (size_t i = 0; i < seat->n_open; i++) {
			if (seat->open[i].fd == fd) {
				if (libseat_close_device(seat->libseat, seat->open[i].id) < 0) {
					lumen_log_errno(LUMEN_WARN, "libseat_close_device");
				}
				seat->open[i] = seat->open[--seat->n_open];
				break;
			}
		}
	}
	close(fd);
}

void input_seat_ack_disable(struct input_seat *seat) {
	if (seat->libseat && libseat_disable_seat(seat->libseat) < 0) {
		lumen_log_errno(LUMEN_ERROR, "libseat_disable_seat");
	}
}
