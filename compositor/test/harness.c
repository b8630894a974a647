/*
 * lumen-harness: the compositor with its test hooks (comp/testing.h) driven from a
 * file of commands, for integration tests that need input no Wayland protocol can
 * inject (drawing tablets). Everything else is lumen as main.c runs it, headless.
 *
 * Commands, one a line, read from --commands FILE (a FIFO: the harness holds it open
 * for writing too, so writers come and go without an end of file):
 *   tablet add | tablet remove
 *   tablet in X Y | tablet out              proximity, layout coordinates
 *   tablet move X Y
 *   tablet pressure P | tablet distance D   0..1
 *   tablet tilt X Y                         degrees
 *   tablet rotation DEG | tablet slider S | tablet wheel DEG
 *   tablet down | tablet up                 the tip
 *   tablet button stylus|stylus2|CODE press|release
 *   pad add | pad remove
 *   pad button N press|release | pad ring N DEG | pad strip N POS
 * Each is answered on stdout with "ok: LINE" or "error: LINE", once it was handled
 * and the idle callbacks it queued (wlroots' tablet frames) ran, so a test can wait
 * for the answer and knows each command's events are flushed apart.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/input-event-codes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wayland-server-core.h>
#include "common/log.h"
#include "comp/server.h"
#include "comp/testing.h"

#define HARNESS_LINE_MAX 256

struct harness {
	struct comp_server *server;
	struct wl_event_loop *loop;
	int fd;
	char buf[HARNESS_LINE_MAX];
	size_t len;
	struct comp_testing_device *tablet; // may be NULL
	struct comp_testing_device *pad; // may be NULL
};

static bool parse_double(const char *s, double *out) {
	if (!s) {
		return false;
	}
	char *end;
	errno = 0;
	*out = strtod(s, &end);
	return errno == 0 && end != s && *end == '\0';
}

static bool parse_uint(const char *s, uint32_t *out) {
	if (!s || *s < '0' || *s > '9') {
		return false;
	}
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 0);
	if (errno != 0 || *end != '\0' || v > UINT32_MAX) {
		return false;
	}
	*out = (uint32_t)v;
	return true;
}

static bool parse_pressed(const char *s, bool *pressed) {
	if (s && strcmp(s, "press") == 0) {
		*pressed = true;
		return true;
	}
	if (s && strcmp(s, "release") == 0) {
		*pressed = false;
		return true;
	}
	return false;
}

static bool run_tablet(struct harness *h, char **arg, int n) {
	const char *what = n > 0 ? arg[0] : "";
	if (strcmp(what, "add") == 0) {
		if (h->tablet) {
			return false;
		}
		h->tablet = comp_testing_add_tablet(h->server);
		return h->tablet != NULL;
	}
	if (!h->tablet) {
		return false;
	}
	struct comp_testing_tablet_axes axes = {0};
	double a = 0, b = 0;
	bool ok1 = n > 1 && parse_double(arg[1], &a);
	bool ok2 = n > 2 && parse_double(arg[2], &b);
	if (strcmp(what, "remove") == 0) {
		comp_testing_device_destroy(h->tablet);
		h->tablet = NULL;
		return true;
	} else if (strcmp(what, "in") == 0) {
		return ok1 && ok2 && comp_testing_tablet_proximity(h->tablet, true, a, b);
	} else if (strcmp(what, "out") == 0) {
		return comp_testing_tablet_proximity(h->tablet, false, 0, 0);
	} else if (strcmp(what, "down") == 0 || strcmp(what, "up") == 0) {
		return comp_testing_tablet_tip(h->tablet, what[0] == 'd');
	} else if (strcmp(what, "button") == 0) {
		uint32_t code;
		bool pressed;
		if (n > 1 && strcmp(arg[1], "stylus") == 0) {
			code = BTN_STYLUS;
		} else if (n > 1 && strcmp(arg[1], "stylus2") == 0) {
			code = BTN_STYLUS2;
		} else if (n < 2 || !parse_uint(arg[1], &code)) {
			return false;
		}
		return n > 2 && parse_pressed(arg[2], &pressed) &&
			comp_testing_tablet_button(h->tablet, code, pressed);
	} else if (strcmp(what, "move") == 0 && ok1 && ok2) {
		axes.axes = COMP_TESTING_TABLET_X | COMP_TESTING_TABLET_Y;
		axes.x = a;
		axes.y = b;
	} else if (strcmp(what, "tilt") == 0 && ok1 && ok2) {
		axes.axes = COMP_TESTING_TABLET_TILT_X | COMP_TESTING_TABLET_TILT_Y;
		axes.tilt_x = a;
		axes.tilt_y = b;
	} else if (strcmp(what, "pressure") == 0 && ok1) {
		axes.axes = COMP_TESTING_TABLET_PRESSURE;
		axes.pressure = a;
	} else if (strcmp(what, "distance") == 0 && ok1) {
		axes.axes = COMP_TESTING_TABLET_DISTANCE;
		axes.distance = a;
	} else if (strcmp(what, "rotation") == 0 && ok1) {
		axes.axes = COMP_TESTING_TABLET_ROTATION;
		axes.rotation = a;
	} else if (strcmp(what, "slider") == 0 && ok1) {
		axes.axes = COMP_TESTING_TABLET_SLIDER;
		axes.slider = a;
	} else if (strcmp(what, "wheel") == 0 && ok1) {
		axes.axes = COMP_TESTING_TABLET_WHEEL;
		axes.wheel = a;
	} else {
		return false;
	}
	return comp_testing_tablet_axis(h->tablet, &axes);
}

static bool run_pad(struct harness *h, char **arg, int n) {
	const char *what = n > 0 ? arg[0] : "";
	if (strcmp(what, "add") == 0) {
		if (h->pad) {
			return false;
		}
		h->pad = comp_testing_add_tablet_pad(h->server);
		return h->pad != NULL;
	}
	if (!h->pad) {
		return false;
	}
	uint32_t index;
	double value;
	bool pressed;
	if (strcmp(what, "remove") == 0) {
		comp_testing_device_destroy(h->pad);
		h->pad = NULL;
		return true;
	} else if (strcmp(what, "button") == 0) {
		return n > 2 && parse_uint(arg[1], &index) && parse_pressed(arg[2], &pressed) &&
			comp_testing_pad_button(h->pad, index, pressed);
	} else if (strcmp(what, "ring") == 0) {
		return n > 2 && parse_uint(arg[1], &index) && parse_double(arg[2], &value) &&
			comp_testing_pad_ring(h->pad, index, value);
	} else if (strcmp(what, "strip") == 0) {
		return n > 2 && parse_uint(arg[1], &index) && parse_double(arg[2], &value) &&
			comp_testing_pad_strip(h->pad, index, value);
	}
	return false;
}

static void run_line(struct harness *h, char *line) {
	char copy[HARNESS_LINE_MAX];
	snprintf(copy, sizeof(copy), "%s", line);
	char *arg[8];
	int n = 0;
	char *save = NULL;
	for (char *tok = strtok_r(line, " \t", &save); tok && n < 8;
			tok = strtok_r(NULL, " \t", &save)) {
		arg[n++] = tok;
	}
	if (n == 0) {
		return;
	}
	bool ok = false;
	if (strcmp(arg[0], "tablet") == 0) {
		ok = run_tablet(h, arg + 1, n - 1);
	} else if (strcmp(arg[0], "pad") == 0) {
		ok = run_pad(h, arg + 1, n - 1);
	}
	/* The frames wlroots queued for this event go out before the next command's. */
	wl_event_loop_dispatch_idle(h->loop);
	printf("%s: %s\n", ok ? "ok" : "error", copy);
	fflush(stdout);
}

static int handle_commands(int fd, uint32_t mask, void *data) {
	struct harness *h = data;
	ssize_t got = read(fd, h->buf + h->len, sizeof(h->buf) - 1 - h->len);
	if (got < 0) {
		if (errno != EAGAIN && errno != EINTR) {
			lumen_log_errno(LUMEN_ERROR, "harness: reading commands");
		}
		return 0;
	}
	h->len += (size_t)got;
	char *start = h->buf;
	char *nl;
	while ((nl = memchr(start, '\n', h->len - (size_t)(start - h->buf)))) {
		*nl = '\0';
		run_line(h, start);
		start = nl + 1;
	}
	h->len -= (size_t)(start - h->buf);
	memmove(h->buf, start, h->len);
	if (h->len == sizeof(h->buf) - 1) {
		lumen_log(LUMEN_ERROR, "harness: command line too long, dropped");
		h->len = 0;
	}
	return 0;
}

static int handle_signal(int sig, void *data) {
	comp_server_terminate(data);
	return 0;
}

int main(int argc, char *argv[]) {
	struct comp_server_options options = {0};
	enum lumen_log_level level = LUMEN_INFO;
	const char *commands = NULL;
	static const struct option long_options[] = {
		{"config", required_argument, NULL, 'c'},
		{"socket", required_argument, NULL, 'S'},
		{"outputs", required_argument, NULL, 'o'},
		{"commands", required_argument, NULL, 'C'},
		{"no-autostart", no_argument, NULL, 'A'},
		{"no-xwayland", no_argument, NULL, 'X'},
		{"debug", no_argument, NULL, 'd'},
		{0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "c:S:o:d", long_options, NULL)) != -1) {
		switch (c) {
		case 'c':
			options.config_path = optarg;
			break;
		case 'S':
			options.socket_name = optarg;
			break;
		case 'o':
			options.headless_outputs = optarg;
			break;
		case 'C':
			commands = optarg;
			break;
		case 'A':
			options.no_autostart = true;
			break;
		case 'X':
			options.no_xwayland = true;
			break;
		case 'd':
			level = LUMEN_DEBUG;
			break;
		default:
			fprintf(stderr, "usage: lumen-harness --commands FIFO [lumen options]\n");
			return 2;
		}
	}
	lumen_log_init(level);
	if (!commands || !getenv("XDG_RUNTIME_DIR")) {
		fprintf(stderr, "lumen-harness: needs --commands FIFO and XDG_RUNTIME_DIR\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	setenv("WLR_BACKENDS", "headless", 1);

	struct harness h = {.fd = -1};
	/* Read and write: the FIFO never reports an end while writers come and go. */
	h.fd = open(commands, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (h.fd < 0) {
		lumen_log_errno(LUMEN_ERROR, "harness: cannot open %s", commands);
		return 1;
	}
	h.server = comp_server_create(&options);
	if (!h.server) {
		close(h.fd);
		return 1;
	}
	h.loop = wl_display_get_event_loop(comp_server_get_display(h.server));
	struct wl_event_source *sigint = wl_event_loop_add_signal(h.loop, SIGINT, handle_signal,
		h.server);
	struct wl_event_source *sigterm = wl_event_loop_add_signal(h.loop, SIGTERM,
		handle_signal, h.server);
	struct wl_event_source *input = wl_event_loop_add_fd(h.loop, h.fd, WL_EVENT_READABLE,
		handle_commands, &h);
	int ret = 1;
	if (sigint && sigterm && input && comp_server_start(h.server)) {
		comp_server_run(h.server);
		ret = 0;
	}
	/* Devices first: a pad is not the backend's, so only we can unplug it. */
	comp_testing_device_destroy(h.pad);
	comp_testing_device_destroy(h.tablet);
	if (input) {
		wl_event_source_remove(input);
	}
	if (sigint) {
		wl_event_source_remove(sigint);
	}
	if (sigterm) {
		wl_event_source_remove(sigterm);
	}
	comp_server_destroy(h.server);
	close(h.fd);
	return ret;
}
