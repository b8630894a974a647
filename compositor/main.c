/* lumen: the compositor. Options here; everything else is in the library. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wayland-server-core.h>
#include "common/log.h"
#include "comp/server.h"

static const char usage[] =
	"Usage: lumen [options]\n"
	"\n"
	"  -c, --config PATH         configuration file (default $XDG_CONFIG_HOME/lumen/lumen.ini)\n"
	"  -S, --socket NAME         Wayland socket name (default: first free wayland-N)\n"
	"      --wayland-fd N        listen on inherited fd N, a socket bound to NAME\n"
	"                            (from lumen-session, which keeps it across restarts)\n"
	"      --trusted-fd N        the same for NAME-trusted\n"
	"  -o, --outputs LIST        headless outputs to create, e.g. 1920x1080,1280x720\n"
	"  -s, --startup CMD         run CMD once started, trusted (repeatable)\n"
	"      --no-autostart        ignore [autostart] in the configuration\n"
	"      --no-xwayland         do not offer X11 clients a server\n"
	"  -d, --debug               verbose logging\n"
	"  -h, --help                this text\n";

/* An inherited descriptor number: a whole number above 2 (0-2 are stdio). */
static bool parse_fd(const char *s, int *fd) {
	char *end = NULL;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v <= 2 || v > INT_MAX) {
		return false;
	}
	*fd = (int)v;
	return true;
}

static int handle_signal(int sig, void *data) {
	comp_server_terminate(data);
	return 0;
}

int main(int argc, char *argv[]) {
	struct comp_server_options options = {0};
	enum lumen_log_level level = LUMEN_INFO;
	static const struct option long_options[] = {
		{"config", required_argument, NULL, 'c'},
		{"socket", required_argument, NULL, 'S'},
		{"outputs", required_argument, NULL, 'o'},
		{"startup", required_argument, NULL, 's'},
		{"no-autostart", no_argument, NULL, 'A'},
		{"no-xwayland", no_argument, NULL, 'X'},
		{"wayland-fd", required_argument, NULL, 'W'},
		{"trusted-fd", required_argument, NULL, 'T'},
		{"debug", no_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	size_t n_startup = 0;
	int c;
	while ((c = getopt_long(argc, argv, "c:S:o:s:dh", long_options, NULL)) != -1) {
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
		case 's':
			if (n_startup == 7) {
				fprintf(stderr, "lumen: at most 7 --startup commands\n");
				return 2;
			}
			options.startup_commands[n_startup++] = optarg;
			break;
		case 'A':
			options.no_autostart = true;
			break;
		case 'X':
			options.no_xwayland = true;
			break;
		case 'W':
		case 'T':
			if (!parse_fd(optarg, c == 'W' ? &options.wayland_fd : &options.trusted_fd)) {
				fprintf(stderr, "lumen: --%s-fd wants a descriptor number, not '%s'\n",
					c == 'W' ? "wayland" : "trusted", optarg);
				return 2;
			}
			break;
		case 'd':
			level = LUMEN_DEBUG;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if ((options.wayland_fd > 0 || options.trusted_fd > 0) &&
			(!options.socket_name || options.wayland_fd <= 0 || options.trusted_fd <= 0)) {
		fprintf(stderr, "lumen: --wayland-fd and --trusted-fd go together, with --socket\n");
		return 2;
	}
	lumen_log_init(level);
	if (!getenv("XDG_RUNTIME_DIR")) {
		fprintf(stderr, "lumen: XDG_RUNTIME_DIR must be set\n");
		return 1;
	}
	/* A client dying while we write to it must not kill the desktop. */
	signal(SIGPIPE, SIG_IGN);

	struct comp_server *server = comp_server_create(&options);
	if (!server) {
		return 1;
	}
	struct wl_event_loop *loop = wl_display_get_event_loop(comp_server_get_display(server));
	struct wl_event_source *sigint = wl_event_loop_add_signal(loop, SIGINT, handle_signal,
		server);
	struct wl_event_source *sigterm = wl_event_loop_add_signal(loop, SIGTERM, handle_signal,
		server);
	int ret = 0;
	if (comp_server_start(server)) {
		comp_server_run(server);
		ret = comp_server_exit_status(server);
	} else {
		ret = 1;
	}
	wl_event_source_remove(sigint);
	wl_event_source_remove(sigterm);
	comp_server_destroy(server);
	return ret;
}
