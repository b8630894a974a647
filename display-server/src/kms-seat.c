/*
 * The seat (kms-seat.h): libseat where a seat daemon runs, else direct device access
 * as root.
 *
 * libseat would also start its embedded seatd when run as root with no daemon; that
 * takes VT ownership behind our back, so it is used only when asked for by name
 * (LIBSEAT_BACKEND=builtin).
 */
#include "kms-seat.h"

#include <errno.h>
#include <fcntl.h>
#include <libseat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common/log.h"

struct ds_seat {
	const struct ds_seat_listener *listener;
	void *data;
	struct libseat *libseat; // NULL: direct access
	struct wl_event_source *source;
	bool active;
};

static void handle_libseat_log(enum libseat_log_level level, const char *fmt, va_list args) {
	enum lumen_log_level ours = level == LIBSEAT_LOG_LEVEL_ERROR ? LUMEN_WARN
		: level == LIBSEAT_LOG_LEVEL_INFO                     ? LUMEN_INFO
															  : LUMEN_DEBUG;
	lumen_log_vprintf(ours, LUMEN_LOG_COMPONENT, "libseat", 0, fmt, args);
}

static void handle_enable_seat(struct libseat *libseat, void *data) {
	struct ds_seat *seat = data;
	lumen_log(LUMEN_INFO, "seat %s enabled", libseat_seat_name(libseat));
	seat->active = true;
	if (seat->listener->enable) {
		seat->listener->enable(seat->data);
	}
}

static void handle_disable_seat(struct libseat *libseat, void *data) {
	struct ds_seat *seat = data;
	lumen_log(LUMEN_INFO, "seat %s disabled (VT switch)", libseat_seat_name(libseat));
	seat->active = false;
	if (seat->listener->disable) {
		seat->listener->disable(seat->data);
	} else {
		ds_seat_ack_disable(seat);
	}
}

static const struct libseat_seat_listener libseat_listener = {
	.enable_seat = handle_enable_seat,
	.disable_seat = handle_disable_seat,
};

static int handle_seat_readable(int fd, uint32_t mask, void *data) {
	struct ds_seat *seat = data;
	if (libseat_dispatch(seat->libseat, 0) < 0) {
		lumen_log_errno(LUMEN_ERROR, "libseat_dispatch");
	}
	return 0;
}

/* A seat daemon is there when its socket or logind's state directory is. */
static bool seat_daemon_running(void) {
	if (getenv("LIBSEAT_BACKEND")) {
		return true;
	}
	struct stat st;
	const char *sock = getenv("SEATD_SOCK");
	if (stat(sock ? sock : "/run/seatd.sock", &st) == 0 && S_ISSOCK(st.st_mode)) {
		return true;
	}
	return stat("/run/systemd/seats", &st) == 0 && S_ISDIR(st.st_mode);
}

struct ds_seat *ds_seat_create(struct wl_event_loop *loop, const struct ds_seat_listener *listener,
		void *data) {
	struct ds_seat *seat = calloc(1, sizeof(*seat));
	if (!seat) {
		lumen_log(LUMEN_ERROR, "out of memory");
		return NULL;
	}
	seat->listener = listener;
	seat->data = data;
	if (!seat_daemon_running()) {
		if (geteuid() != 0) {
			lumen_log(LUMEN_ERROR, "no seat daemon (seatd, logind) and not root: "
								   "cannot open DRM devices");
			free(seat);
			return NULL;
		}
		lumen_log(LUMEN_INFO, "no seat daemon: opening devices directly as root "
							  "(no VT switch handling)");
		seat->active = true;
		return seat;
	}

	libseat_set_log_handler(handle_libseat_log);
	libseat_set_log_level(LIBSEAT_LOG_LEVEL_INFO);
	seat->libseat = libseat_open_seat(&libseat_listener, seat);
	if (!seat->libseat) {
		lumen_log_errno(LUMEN_ERROR, "libseat could not open a seat");
		free(seat);
		return NULL;
	}
	seat->source = wl_event_loop_add_fd(loop, libseat_get_fd(seat->libseat), WL_EVENT_READABLE,
		handle_seat_readable, seat);
	if (!seat->source) {
		lumen_log(LUMEN_ERROR, "cannot watch the seat");
		libseat_close_seat(seat->libseat);
		free(seat);
		return NULL;
	}
	/* The seat is usable once enabled; the daemon says so in its first messages. */
	for (int i = 0; i < 50 && !seat->active; i++) {
		if (libseat_dispatch(seat->libseat, 100) < 0) {
			lumen_log_errno(LUMEN_ERROR, "libseat_dispatch");
			break;
		}
	}
	if (!seat->active) {
		lumen_log(LUMEN_WARN, "seat %s is not active yet (another session has it)",
			libseat_seat_name(seat->libseat));
	}
	return seat;
}

void ds_seat_destroy(struct ds_seat *seat) {
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

bool ds_seat_is_managed(struct ds_seat *seat) {
	return seat->libseat != NULL;
}

bool ds_seat_is_active(struct ds_seat *seat) {
	return seat->active;
}

int ds_seat_open_device(struct ds_seat *seat, const char *path, int *device_id) {
	if (!seat->libseat) {
		*device_id = -1;
		return open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	}
	int fd = -1;
	int id = libseat_open_device(seat->libseat, path, &fd);
	if (id < 0) {
		return -1;
	}
	/* libseat hands out blocking fds; the event loop wants them non-blocking. */
	int flags = fcntl(fd, F_GETFL);
	if (flags >= 0) {
		fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	}
	*device_id = id;
	return fd;
}

void ds_seat_close_device(struct ds_seat *seat, int device_id, int fd) {
	if (seat->libseat && device_id >= 0) {
		if (libseat_close_device(seat->libseat, device_id) < 0) {
			lumen_log_errno(LUMEN_WARN, "libseat_close_device");
		}
	}
	if (fd >= 0) {
		close(fd);
	}
}

void ds_seat_ack_disable(struct ds_seat *seat) {
	if (seat->libseat && libseat_disable_seat(seat->libseat) < 0) {
		lumen_log_errno(LUMEN_ERROR, "libseat_disable_seat");
	}
}
