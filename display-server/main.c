/*
 * lumen-displayd: the display scheme server. Everything is in lib_display_server; this
 * parses options, installs the signal handlers and runs the loop.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wayland-server-core.h>
#include "common/log.h"
#include "display-server/server.h"

#define MAX_VIRTUAL 16

static void usage(FILE *f) {
	fprintf(f,
		"usage: lumen-displayd [options]\n"
		"  --socket NAME             socket in $XDG_RUNTIME_DIR (or a path); default\n"
		"                            lumen-display-0\n"
		"  --virtual WxH[@Hz]        a virtual output (repeatable); default one 1280x720@60\n"
		"  --kms [PATH]              drive a DRM card instead (default: the first with\n"
		"                            connectors)\n"
		"  --restart-frame-after S   without a master for S seconds, show the restarting\n"
		"                            frame (default 10; 0: never)\n"
		"  -d, --debug               debug logging\n"
		"  -h, --help                this help\n");
}

/* "1920x1080", "1920x1080@60", "1920x1080@59.94" */
static bool parse_mode(const char *s, struct ds_virtual_mode *mode) {
	char *end;
	long w = strtol(s, &end, 10);
	if (end == s || *end != 'x') {
		return false;
	}
	const char *h_str = end + 1;
	long h = strtol(h_str, &end, 10);
	if (end == h_str) {
		return false;
	}
	double hz = 60.0;
	if (*end == '@') {
		const char *hz_str = end + 1;
		hz = strtod(hz_str, &end);
		if (end == hz_str) {
			return false;
		}
	}
	if (*end != '\0' || w <= 0 || h <= 0 || w > 16384 || h > 16384 || !(hz >= 1.0) ||
			hz > 1000.0) {
		return false;
	}
	mode->width = (int32_t)w;
	mode->height = (int32_t)h;
	mode->refresh = (int32_t)(hz * 1000.0 + 0.5);
	return true;
}

static int handle_signal(int signal, void *data) {
	ds_server_terminate(data);
	return 0;
}

int main(int argc, char *argv[]) {
	struct ds_server_options options = {0};
	struct ds_virtual_mode modes[MAX_VIRTUAL];
	size_t n_modes = 0;
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
		} else if (strcmp(arg, "--virtual") == 0 && next) {
			if (n_modes >= MAX_VIRTUAL) {
				fprintf(stderr, "lumen-displayd: at most %d virtual outputs\n", MAX_VIRTUAL);
				return 2;
			}
			if (!parse_mode(next, &modes[n_modes])) {
				fprintf(stderr, "lumen-displayd: bad mode '%s' (WxH or WxH@Hz)\n", next);
				return 2;
			}
			n_modes++;
			i++;
		} else if (strcmp(arg, "--kms") == 0) {
			options.kms = true;
			if (next && next[0] == '/') {
				options.kms_path = next;
				i++;
			}
		} else if (strcmp(arg, "--restart-frame-after") == 0 && next) {
			char *end;
			double s = strtod(next, &end);
			if (end == next || *end != '\0' || !(s >= 0) || s > 86400) {
				fprintf(stderr, "lumen-displayd: bad number of seconds '%s'\n", next);
				return 2;
			}
			options.restart_frame_after_ms = s == 0 ? -1 : (int)(s * 1000.0 + 0.5);
			if (options.restart_frame_after_ms == 0) {
				options.restart_frame_after_ms = 1;
			}
			i++;
		} else {
			fprintf(stderr, "lumen-displayd: unknown or incomplete option '%s'\n", arg);
			usage(stderr);
			return 2;
		}
	}
	if (options.kms && n_modes > 0) {
		fprintf(stderr, "lumen-displayd: --kms and --virtual exclude each other\n");
		return 2;
	}
	options.virtual_modes = modes;
	options.n_virtual_modes = n_modes;

	lumen_log_init(debug ? LUMEN_DEBUG : LUMEN_INFO);
	lumen_log_route_wayland_server();
	/* A client that disconnects while we write must not kill us. */
	signal(SIGPIPE, SIG_IGN);

	struct ds_server *server = ds_server_create(&options);
	if (!server) {
		return 1;
	}
	struct wl_event_loop *loop = ds_server_get_event_loop(server);
	struct wl_event_source *sigterm = wl_event_loop_add_signal(loop, SIGTERM, handle_signal, server);
	struct wl_event_source *sigint = wl_event_loop_add_signal(loop, SIGINT, handle_signal, server);
	if (!sigterm || !sigint) {
		lumen_log(LUMEN_ERROR, "cannot watch signals");
	} else {
		ds_server_run(server);
		lumen_log(LUMEN_INFO, "exiting");
	}
	if (sigterm) {
		wl_event_source_remove(sigterm);
	}
	if (sigint) {
		wl_event_source_remove(sigint);
	}
	ds_server_destroy(server);
	return sigterm && sigint ? 0 : 1;
}
