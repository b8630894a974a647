/* lumen-session: options and program lookup here; everything else is in the library. */
#include <getopt.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "common/log.h"
#include "session/session.h"

#define MAX_ARGS 32

static const char usage[] =
	"Usage: lumen-session [options] [-- compositor options]\n"
	"\n"
	"Owns the Wayland socket, starts lumen-displayd, lumen-inputd (when named), the\n"
	"compositor (lumen) and the autostart clients, and starts again whichever of them\n"
	"dies.\n"
	"\n"
	"  -S, --socket NAME          Wayland socket name (default: first free wayland-N)\n"
	"  -a, --autostart CMD        run CMD (trusted) once the compositor is started; started\n"
	"                             again when it fails, not when it exits with status 0\n"
	"                             (repeatable)\n"
	"      --virtual WxH@Hz       a virtual output of the display server (repeatable)\n"
	"      --displayd-arg ARG     another argument for the display server (repeatable)\n"
	"      --display-socket NAME  the display server's socket (default lumen-display-0)\n"
	"      --displayd PATH        the display server (default: lumen-displayd beside\n"
	"                             this program, else in PATH)\n"
	"      --no-displayd          no display server: the compositor picks its own backend\n"
	"      --inputd PATH          the input server (lumen-inputd), started after the\n"
	"                             display server and before the compositor (default:\n"
	"                             none; the compositor finds its input itself)\n"
	"      --inputd-arg ARG       another argument for the input server (repeatable)\n"
	"      --input-socket NAME    the input server's socket (default lumen-input-0)\n"
	"      --compositor PATH      the compositor (default: lumen beside this program,\n"
	"                             else in PATH)\n"
	"      --a11y                 AT-SPI2 on (org.a11y.Status IsEnabled on the session\n"
	"                             bus, which starts the AT-SPI2 bus), for Orca and the\n"
	"                             apps it reads\n"
	"      --screen-reader        the same, and ScreenReaderEnabled; implied by an\n"
	"                             autostart command that runs lumen-reader or orca\n"
	"      --atspi-launcher PATH  the AT-SPI2 bus launcher, started here when D-Bus\n"
	"                             cannot activate it (default\n"
	"                             /usr/libexec/at-spi-bus-launcher)\n"
	"  -d, --debug                verbose logging\n"
	"  -h, --help                 this text\n"
	"\n"
	"The compositor runs its configuration's [autostart] on its first start only; the\n"
	"compositor options after -- are given at every start (its -s commands too, so\n"
	"clients that must not be doubled after a crash belong in --autostart).\n";

/* The directory of this program, for finding its siblings; "" when unknown. */
static void self_dir(char *dir, size_t size, const char *argv0) {
	char path[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (len > 0) {
		path[len] = '\0';
	} else if (strchr(argv0, '/')) {
		snprintf(path, sizeof(path), "%s", argv0);
	} else {
		dir[0] = '\0';
		return;
	}
	char *slash = strrchr(path, '/');
	if (slash) {
		*slash = '\0';
	}
	snprintf(dir, size, "%s", path);
}

static bool executable(const char *path) {
	return access(path, X_OK) == 0;
}

/*
 * NAME beside this program (installed), in ../SUBDIR beside it (the build tree), or in
 * PATH. Writes the path into out; false if none.
 */
static bool find_program(const char *dir, const char *name, const char *subdir, char *out,
		size_t size) {
	if (dir[0]) {
		snprintf(out, size, "%s/%s", dir, name);
		if (executable(out)) {
			return true;
		}
		snprintf(out, size, "%s/../%s/%s", dir, subdir, name);
		if (executable(out)) {
			return true;
		}
	}
	const char *path = getenv("PATH");
	while (path && *path) {
		const char *end = strchr(path, ':');
		size_t len = end ? (size_t)(end - path) : strlen(path);
		if (len > 0 && snprintf(out, size, "%.*s/%s", (int)len, path, name) > 0 &&
				executable(out)) {
			return true;
		}
		path = end ? end + 1 : NULL;
	}
	return false;
}

static bool push(const char **list, size_t *n, const char *value, const char *what) {
	if (*n == MAX_ARGS) {
		fprintf(stderr, "lumen-session: at most %d %s\n", MAX_ARGS, what);
		return false;
	}
	list[(*n)++] = value;
	return true;
}

/* An autostart command that runs a screen reader: its program's base name. */
static bool runs_screen_reader(const char *command) {
	static const char *const readers[] = { "lumen-reader", "orca" };
	const char *end = command + strcspn(command, " \t");
	const char *start = end;
	while (start > command && start[-1] != '/') {
		start--;
	}
	for (size_t i = 0; i < sizeof(readers) / sizeof(readers[0]); i++) {
		if ((size_t)(end - start) == strlen(readers[i]) &&
				strncmp(start, readers[i], (size_t)(end - start)) == 0) {
			return true;
		}
	}
	return false;
}

int main(int argc, char *argv[]) {
	struct session_options options = {0};
	enum lumen_log_level level = LUMEN_INFO;
	const char *displayd_args[MAX_ARGS], *compositor_args[MAX_ARGS], *autostart[MAX_ARGS];
	const char *inputd_args[MAX_ARGS];
	size_t n_displayd = 0, n_compositor = 0, n_autostart = 0, n_inputd = 0;
	const char *displayd_path = NULL, *compositor_path = NULL;
	bool no_displayd = false, a11y = false, screen_reader = false;
	const char *atspi_launcher = "/usr/libexec/at-spi-bus-launcher";
	enum { OPT_VIRTUAL = 256, OPT_DISPLAYD_ARG, OPT_DISPLAY_SOCKET, OPT_DISPLAYD,
		OPT_NO_DISPLAYD, OPT_COMPOSITOR, OPT_INPUTD, OPT_INPUTD_ARG, OPT_INPUT_SOCKET, OPT_A11Y, OPT_SCREEN_READER,
		OPT_ATSPI_LAUNCHER };
	static const struct option long_options[] = {
		{"socket", required_argument, NULL, 'S'},
		{"autostart", required_argument, NULL, 'a'},
		{"virtual", required_argument, NULL, OPT_VIRTUAL},
		{"displayd-arg", required_argument, NULL, OPT_DISPLAYD_ARG},
		{"display-socket", required_argument, NULL, OPT_DISPLAY_SOCKET},
		{"displayd", required_argument, NULL, OPT_DISPLAYD},
		{"no-displayd", no_argument, NULL, OPT_NO_DISPLAYD},
		{"compositor", required_argument, NULL, OPT_COMPOSITOR},
		{"inputd", required_argument, NULL, OPT_INPUTD},
		{"inputd-arg", required_argument, NULL, OPT_INPUTD_ARG},
		{"input-socket", required_argument, NULL, OPT_INPUT_SOCKET},
		{"a11y", no_argument, NULL, OPT_A11Y},
		{"screen-reader", no_argument, NULL, OPT_SCREEN_READER},
		{"atspi-launcher", required_argument, NULL, OPT_ATSPI_LAUNCHER},
		{"debug", no_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "S:a:dh", long_options, NULL)) != -1) {
		bool pushed = true;
		switch (c) {
		case 'S':
			options.socket_name = optarg;
			break;
		case 'a':
			pushed = push(autostart, &n_autostart, optarg, "--autostart commands");
			break;
		case OPT_VIRTUAL:
			pushed = push(displayd_args, &n_displayd, "--virtual", "displayd arguments") &&
				push(displayd_args, &n_displayd, optarg, "displayd arguments");
			break;
		case OPT_DISPLAYD_ARG:
			pushed = push(displayd_args, &n_displayd, optarg, "displayd arguments");
			break;
		case OPT_DISPLAY_SOCKET:
			options.display_socket = optarg;
			break;
		case OPT_DISPLAYD:
			displayd_path = optarg;
			break;
		case OPT_NO_DISPLAYD:
			no_displayd = true;
			break;
		case OPT_COMPOSITOR:
			compositor_path = optarg;
			break;
		case OPT_INPUTD:
			options.inputd_path = optarg;
			break;
		case OPT_INPUTD_ARG:
			pushed = push(inputd_args, &n_inputd, optarg, "inputd arguments");
			break;
		case OPT_INPUT_SOCKET:
			options.input_socket = optarg;
			break;
		case OPT_A11Y:
			a11y = true;
			break;
		case OPT_SCREEN_READER:
			screen_reader = true;
			break;
		case OPT_ATSPI_LAUNCHER:
			atspi_launcher = optarg;
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
		if (!pushed) {
			return 2;
		}
	}
	for (int i = optind; i < argc; i++) {
		if (!push(compositor_args, &n_compositor, argv[i], "compositor arguments")) {
			return 2;
		}
	}
	lumen_log_init(level);

	char dir[PATH_MAX], found_displayd[PATH_MAX], found_compositor[PATH_MAX];
	self_dir(dir, sizeof(dir), argv[0]);
	if (!compositor_path) {
		if (!find_program(dir, "lumen", "compositor", found_compositor,
				sizeof(found_compositor))) {
			fprintf(stderr, "lumen-session: cannot find lumen; name it with --compositor\n");
			return 1;
		}
		compositor_path = found_compositor;
	}
	if (!no_displayd && !displayd_path) {
		if (!find_program(dir, "lumen-displayd", "display-server", found_displayd,
				sizeof(found_displayd))) {
			fprintf(stderr, "lumen-session: cannot find lumen-displayd; name it with "
				"--displayd, or run without one with --no-displayd\n");
			return 1;
		}
		displayd_path = found_displayd;
	}
	options.compositor_path = compositor_path;
	options.displayd_path = no_displayd ? NULL : displayd_path;
	options.displayd_args = displayd_args;
	options.n_displayd_args = n_displayd;
	options.inputd_args = inputd_args;
	options.n_inputd_args = n_inputd;
	options.compositor_args = compositor_args;
	options.n_compositor_args = n_compositor;
	options.autostart = autostart;
	options.n_autostart = n_autostart;

	for (size_t i = 0; i < n_autostart; i++) {
		screen_reader = screen_reader || runs_screen_reader(autostart[i]);
	}

	struct session *session = session_create(&options);
	if (!session) {
		return 1;
	}
	/* Before the compositor and the apps: they read org.a11y.Status when they start. */
	pid_t launcher = 0;
	if (a11y || screen_reader) {
		launcher = session_atspi_enable(screen_reader, atspi_launcher);
	}
	int status = session_run(session);
	if (launcher > 0) {
		kill(launcher, SIGTERM);
	}
	session_destroy(session);
	return status;
}
