/*
 * lumen-a11yd: the accessibility bus. Everything is in lib_a11y; this parses options,
 * reads the config, installs the signal handlers and runs the loop.
 */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wayland-server-core.h>
#include "a11y/server.h"
#include "common/log.h"

static void usage(FILE *f) {
	fprintf(f,
		"usage: lumen-a11yd [options]\n"
		"  --socket NAME       socket in $XDG_RUNTIME_DIR (or a path); default lumen-a11y-0,\n"
		"                      and NAME-trusted for the session's trusted clients\n"
		"  --config FILE       default $XDG_CONFIG_HOME/lumen/a11y.conf (lines\n"
		"                      \"trusted = /usr/bin/orca\": programs trusted on the plain\n"
		"                      socket)\n"
		"  --trust-exe PATH    trust this program as well (repeatable)\n"
		"  -d, --debug         debug logging\n"
		"  -h, --help          this help\n");
}

static int handle_signal(int signal, void *data) {
	a11y_server_terminate(data);
	return 0;
}

int main(int argc, char *argv[]) {
	struct a11y_server_options options = {0};
	const char *config = NULL;
	char **exes = NULL;
	size_t n_exes = 0;
	bool debug = false;
	int status = 1;
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
		} else if (strcmp(arg, "--config") == 0 && next) {
			config = next;
			i++;
		} else if (strcmp(arg, "--trust-exe") == 0 && next && next[0] == '/') {
			char **bigger = realloc(exes, (n_exes + 1) * sizeof(char *));
			if (!bigger || !(bigger[n_exes] = strdup(next))) {
				free(bigger ? bigger : exes);
				return 1;
			}
			exes = bigger;
			n_exes++;
			i++;
		} else {
			usage(stderr);
			goto out;
		}
	}
	lumen_log_init(debug ? LUMEN_DEBUG : LUMEN_INFO);
	lumen_log_route_wayland_server();

	char default_config[PATH_MAX];
	if (!config) {
		const char *xdg = getenv("XDG_CONFIG_HOME");
		const char *home = getenv("HOME");
		if (xdg && xdg[0]) {
			snprintf(default_config, sizeof(default_config), "%s/lumen/a11y.conf", xdg);
			config = default_config;
		} else if (home && home[0]) {
			snprintf(default_config, sizeof(default_config), "%s/.config/lumen/a11y.conf",
				home);
			config = default_config;
		}
	}
	if (config && !a11y_config_load(config, &exes, &n_exes)) {
		lumen_log(LUMEN_ERROR, "cannot read %s", config);
		goto out;
	}
	options.trusted_exes = (const char *const *)exes;
	options.n_trusted_exes = n_exes;

	struct a11y_server *server = a11y_server_create(&options);
	if (!server) {
		goto out;
	}
	struct wl_event_loop *loop = a11y_server_get_event_loop(server);
	struct wl_event_source *sigint = wl_event_loop_add_signal(loop, SIGINT, handle_signal,
		server);
	struct wl_event_source *sigterm = wl_event_loop_add_signal(loop, SIGTERM, handle_signal,
		server);
	signal(SIGPIPE, SIG_IGN);
	a11y_server_run(server);
	if (sigint) {
		wl_event_source_remove(sigint);
	}
	if (sigterm) {
		wl_event_source_remove(sigterm);
	}
	a11y_server_destroy(server);
	status = 0;
out:
	for (size_t i = 0; i < n_exes; i++) {
		free(exes[i]);
	}
	free(exes);
	return status;
}
