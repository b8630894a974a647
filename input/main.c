/*
 * lumen-inputd: the input scheme server. Everything is in lib_input; this parses
 * options, installs the signal handlers and runs the loop.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <wayland-server-core.h>
#include "common/log.h"
#include "input/server.h"

static void usage(FILE *f) {
	fprintf(f,
		"usage: lumen-inputd [options]\n"
		"  --socket NAME   socket in $XDG_RUNTIME_DIR (or a path); default lumen-input-0\n"
		"  --no-libinput   no real devices: only the virtual devices of drivers\n"
		"  --seat NAME     libinput's seat (default seat0)\n"
		"  -d, --debug     debug logging\n"
		"  -h, --help      this help\n");
}

static int handle_signal(int signal, void *data) {
	input_server_terminate(data);
	return 0;
}

int main(int argc, char *argv[]) {
	struct input_server_options options = {0};
	bool debug = false;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(arg, "-d") == 0 || strcmp(arg, "--debug") == 0) {
			debug = true;
		} else if (strcmp(arg, "--socket") == 0 && next) {
			options.socket = next;
			i++;
		} else if (strcmp(arg, "--seat") == 0 && next) {
			options.seat = next;
			i++;
		} else if (strcmp(arg, "--no-libinput") == 0) {
			options.no_libinput = true;
		} else {
			fprintf(stderr, "lumen-inputd: unknown or incomplete option '%s'\n", arg);
			usage(stderr);
			return 2;
		}
	}

	lumen_log_init(debug ? LUMEN_DEBUG : LUMEN_INFO);
	lumen_log_route_wayland_server();
	/* A client that disconnects while we write must not kill us. */
	signal(SIGPIPE, SIG_IGN);

	struct input_server *server = input_server_create(&options);
	if (!server) {
		return 1;
	}
	struct wl_event_loop *loop = input_server_get_event_loop(server);
	struct wl_event_source *sigterm =
		wl_event_loop_add_signal(loop, SIGTERM, handle_signal, server);
	struct wl_event_source *sigint = wl_event_loop_add_signal(loop, SIGINT, handle_signal, server);
	if (!sigterm || !sigint) {
		lumen_log(LUMEN_ERROR, "cannot watch signals");
	} else {
		input_server_run(server);
		lumen_log(LUMEN_INFO, "exiting");
	}
	if (sigterm) {
		wl_event_source_remove(sigterm);
	}
	if (sigint) {
		wl_event_source_remove(sigint);
	}
	input_server_destroy(server);
	return sigterm && sigint ? 0 : 1;
}
