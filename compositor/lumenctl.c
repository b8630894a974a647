/*
 * lumenctl: the command line to the compositor's IPC socket (see src/ipc.c for the
 * protocol). One request, one reply, printed as JSON; "subscribe" instead prints
 * event lines until the compositor goes away or lumenctl is killed.
 *
 * Exit status: 0 when the compositor says success, 1 when it says no (the error on
 * stderr), 2 when it could not be asked (usage, connection, bad reply).
 */
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "common/alloc.h"

#define EXIT_NO 1
#define EXIT_USAGE 2

struct options {
	const char *socket; // NULL: from the environment
	double wait; // seconds to keep retrying the connection; 0: try once
	bool compact, pretty; // both false: the command's default
};

static const char usage_text[] =
		"Usage: lumenctl [OPTIONS] COMMAND [ARGS]\n"
		"\n"
		"Options:\n"
		"  -s, --socket PATH    the compositor's IPC socket (default: $LUMEN_IPC_SOCKET,\n"
		"                       else $XDG_RUNTIME_DIR/lumen-ipc.$WAYLAND_DISPLAY.sock)\n"
		"  -w, --wait SECONDS   retry connecting until the socket answers, up to SECONDS\n"
		"  -c, --compact        print replies on one line\n"
		"  -p, --pretty         print replies (and events) indented\n"
		"  -h, --help           show this help\n"
		"\n"
		"Commands:\n"
		"  outputs | windows | workspaces | get-layout | reload\n"
		"  focus ID | close ID\n"
		"  fullscreen ID [on|off|toggle] | maximize ID [..] | minimize ID [..]\n"
		"  move ID workspace N | move ID to X Y\n"
		"  workspace N\n"
		"  exec COMMAND...      run a command line (words are joined by spaces)\n"
		"  action WORDS...      run an action as written in lumen.ini [bindings]\n"
		"  layout N|next        switch keyboard layout\n"
		"  screenshot FILE [OUTPUT]\n"
		"  subscribe EVENT[,EVENT...]   print window, workspace, layout, output events\n"
		"  raw JSON             send a request as written\n";

static _Noreturn void die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static _Noreturn void die_usage(const char *fmt, ...) {
	va_list args;
	va_start(args, fmt);
	fprintf(stderr, "lumenctl: ");
	vfprintf(stderr, fmt, args);
	fprintf(stderr, "\nTry 'lumenctl --help'.\n");
	va_end(args);
	exit(EXIT_USAGE);
}

static _Noreturn void die_oom(void) {
	fprintf(stderr, "lumenctl: out of memory\n");
	exit(EXIT_USAGE);
}

static struct json_object *check_alloc(struct json_object *obj) {
	if (!obj) {
		die_oom();
	}
	return obj;
}

static void set(struct json_object *req, const char *key, struct json_object *val) {
	if (json_object_object_add(req, key, check_alloc(val)) != 0) {
		die_oom();
	}
}

static bool parse_ll(const char *s, long long min, long long max, long long *out) {
	if (!s[0]) {
		return false;
	}
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max) {
		return false;
	}
	*out = v;
	return true;
}

static struct json_object *parse_id(const char *s) {
	/* strtoull takes "-1" (as ULLONG_MAX) and " 1"; a window id is digits only. */
	if (!(s[0] >= '0' && s[0] <= '9')) {
		die_usage("'%s' is not a window id", s);
	}
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0') {
		die_usage("'%s' is not a window id", s);
	}
	return json_object_new_uint64(v);
}

static struct json_object *parse_int(
		const char *s, long long min, long long max, const char *what) {
	long long v;
	if (!parse_ll(s, min, max, &v)) {
		die_usage("'%s' is not a valid %s", s, what);
	}
	return json_object_new_int64(v);
}

static char *join(int argc, char **argv) {
	size_t len = 1;
	for (int i = 0; i < argc; i++) {
		len += strlen(argv[i]) + 1;
	}
	char *s = malloc(len);
	if (!s) {
		die_oom();
	}
	size_t pos = 0;
	for (int i = 0; i < argc; i++) {
		pos += (size_t)snprintf(s + pos, len - pos, "%s%s", i ? " " : "", argv[i]);
	}
	return s;
}

/* The compositor runs in another directory: screenshots need an absolute path. */
static char *absolute_path(const char *path) {
	if (path[0] == '/') {
		return lumen_xstrdup(path);
	}
	size_t size = 256;
	char *cwd = NULL;
	while (true) {
		char *bigger = realloc(cwd, size);
		if (!bigger) {
			die_oom();
		}
		cwd = bigger;
		if (getcwd(cwd, size)) {
			break;
		}
		if (errno != ERANGE || size > 1024 * 1024) {
			fprintf(stderr, "lumenctl: cannot get the current directory: %s\n", strerror(errno));
			exit(EXIT_USAGE);
		}
		size *= 2;
	}
	char *abs = lumen_strdup_printf("%s%s%s", cwd, cwd[strlen(cwd) - 1] == '/' ? "" : "/", path);
	free(cwd);
	if (!abs) {
		die_oom();
	}
	return abs;
}

static void need_args(int argc, int min, int max, const char *cmd) {
	if (argc < min) {
		die_usage("'%s' needs more arguments", cmd);
	}
	if (max >= 0 && argc > max) {
		die_usage("too many arguments for '%s'", cmd);
	}
}

static void add_state(struct json_object *req, int argc, char **argv) {
	if (argc < 2) {
		return;
	}
	if (strcmp(argv[1], "on") != 0 && strcmp(argv[1], "off") != 0 &&
			strcmp(argv[1], "toggle") != 0) {
		die_usage("state must be on, off or toggle, not '%s'", argv[1]);
	}
	set(req, "state", json_object_new_string(argv[1]));
}

static void add_events(struct json_object *req, int argc, char **argv) {
	struct json_object *events = check_alloc(json_object_new_array());
	for (int i = 0; i < argc; i++) {
		char *copy = lumen_xstrdup(argv[i]);
		char *save = NULL;
		char *tok = strtok_r(copy, ", ", &save);
		for (; tok; tok = strtok_r(NULL, ", ", &save)) {
			struct json_object *name = check_alloc(json_object_new_string(tok));
			if (json_object_array_add(events, name) != 0) {
				die_oom();
			}
		}
		free(copy);
	}
	if (json_object_array_length(events) == 0) {
		die_usage("subscribe needs at least one event type");
	}
	set(req, "events", events);
}

/*
 * Builds the request for argv (the command and its arguments). Returns the line to
 * send, without its newline; *subscribe says whether events follow the reply.
 */
static char *build_request(int argc, char **argv, bool *subscribe) {
	const char *cmd = argv[0];
	int nargs = argc - 1;
	char **args = argv + 1;
	*subscribe = false;

	if (strcmp(cmd, "raw") == 0) {
		need_args(nargs, 1, 1, cmd);
		/* Verbatim, so one can see how the compositor takes malformed requests. */
		if (!strchr(args[0], '\n')) {
			return lumen_xstrdup(args[0]);
		}
		/* Several lines (pretty JSON from a file): must parse, and go as one line. */
		struct json_object *parsed = json_tokener_parse(args[0]);
		if (!parsed) {
			die_usage("raw: a request on several lines must be valid JSON");
		}
		char *line = lumen_xstrdup(json_object_to_json_string_ext(
				parsed, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(parsed);
		return line;
	}

	struct json_object *req = check_alloc(json_object_new_object());
	set(req, "command", json_object_new_string(cmd));
	if (strcmp(cmd, "outputs") == 0 || strcmp(cmd, "windows") == 0 ||
			strcmp(cmd, "workspaces") == 0 || strcmp(cmd, "get-layout") == 0 ||
			strcmp(cmd, "reload") == 0) {
		need_args(nargs, 0, 0, cmd);
	} else if (strcmp(cmd, "focus") == 0 || strcmp(cmd, "close") == 0) {
		need_args(nargs, 1, 1, cmd);
		set(req, "id", parse_id(args[0]));
	} else if (strcmp(cmd, "fullscreen") == 0 || strcmp(cmd, "maximize") == 0 ||
			strcmp(cmd, "minimize") == 0) {
		need_args(nargs, 1, 2, cmd);
		set(req, "id", parse_id(args[0]));
		add_state(req, nargs, args);
	} else if (strcmp(cmd, "move") == 0) {
		need_args(nargs, 3, 4, cmd);
		set(req, "id", parse_id(args[0]));
		if (strcmp(args[1], "workspace") == 0 && nargs == 3) {
			set(req, "workspace", parse_int(args[2], 1, INT_MAX, "workspace number"));
		} else if (strcmp(args[1], "to") == 0 && nargs == 4) {
			set(req, "x", parse_int(args[2], INT_MIN, INT_MAX, "coordinate"));
			set(req, "y", parse_int(args[3], INT_MIN, INT_MAX, "coordinate"));
		} else {
			die_usage("usage: move ID workspace N | move ID to X Y");
		}
	} else if (strcmp(cmd, "workspace") == 0) {
		need_args(nargs, 1, 1, cmd);
		set(req, "num", parse_int(args[0], 1, INT_MAX, "workspace number"));
	} else if (strcmp(cmd, "exec") == 0 || strcmp(cmd, "action") == 0) {
		need_args(nargs, 1, -1, cmd);
		char *text = join(nargs, args);
		set(req, strcmp(cmd, "exec") == 0 ? "cmd" : "action", json_object_new_string(text));
		free(text);
	} else if (strcmp(cmd, "layout") == 0) {
		need_args(nargs, 1, 1, cmd);
		if (strcmp(args[0], "next") == 0) {
			set(req, "next", json_object_new_boolean(true));
		} else {
			set(req, "index", parse_int(args[0], 0, INT_MAX, "layout index"));
		}
	} else if (strcmp(cmd, "screenshot") == 0) {
		need_args(nargs, 1, 2, cmd);
		char *path = absolute_path(args[0]);
		set(req, "path", json_object_new_string(path));
		free(path);
		if (nargs == 2) {
			set(req, "output", json_object_new_string(args[1]));
		}
	} else if (strcmp(cmd, "subscribe") == 0) {
		need_args(nargs, 1, -1, cmd);
		add_events(req, nargs, args);
		*subscribe = true;
	} else {
		json_object_put(req);
		die_usage("unknown command '%s'", cmd);
	}
	char *line = lumen_xstrdup(json_object_to_json_string_ext(
			req, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(req);
	return line;
}

static char *default_socket(void) {
	const char *env = getenv("LUMEN_IPC_SOCKET");
	if (env && env[0]) {
		return lumen_xstrdup(env);
	}
	const char *runtime = getenv("XDG_RUNTIME_DIR");
	const char *display = getenv("WAYLAND_DISPLAY");
	if (!runtime || !runtime[0] || !display || !display[0]) {
		fprintf(stderr,
				"lumenctl: no socket: set LUMEN_IPC_SOCKET, or XDG_RUNTIME_DIR and "
				"WAYLAND_DISPLAY, or use --socket\n");
		exit(EXIT_USAGE);
	}
	/* WAYLAND_DISPLAY may be a path; the compositor names its socket after the base. */
	const char *slash = strrchr(display, '/');
	char *path = lumen_strdup_printf("%s/lumen-ipc.%s.sock", runtime, slash ? slash + 1 : display);
	if (!path) {
		die_oom();
	}
	return path;
}

static double now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int connect_socket(const char *path, double wait) {
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if ((size_t)snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path) >=
			sizeof(addr.sun_path)) {
		fprintf(stderr, "lumenctl: socket path too long: %s\n", path);
		exit(EXIT_USAGE);
	}
	double deadline = now() + wait;
	while (true) {
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd < 0) {
			fprintf(stderr, "lumenctl: socket: %s\n", strerror(errno));
			exit(EXIT_USAGE);
		}
		if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0) {
			return fd;
		}
		int err = errno;
		close(fd);
		/* Not there yet, or there but not listening yet: worth another try. */
		bool retry = err == ENOENT || err == ECONNREFUSED || err == EAGAIN || err == EINTR;
		if (!retry || now() >= deadline) {
			fprintf(stderr, "lumenctl: cannot connect to %s: %s\n", path, strerror(err));
			exit(EXIT_USAGE);
		}
		struct timespec delay = {.tv_sec = 0, .tv_nsec = 50 * 1000 * 1000};
		nanosleep(&delay, NULL);
	}
}

static void send_all(int fd, const char *data, size_t len) {
	while (len > 0) {
		/* MSG_NOSIGNAL: a compositor that went away is an error message, not SIGPIPE. */
		ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			fprintf(stderr, "lumenctl: sending the request failed: %s\n", strerror(errno));
			exit(EXIT_USAGE);
		}
		data += n;
		len -= (size_t)n;
	}
}

static void print_json(struct json_object *obj, bool pretty) {
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE |
			(pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PLAIN);
	const char *s = json_object_to_json_string_ext(obj, flags);
	if (!s) {
		die_oom();
	}
	printf("%s\n", s);
}

/* Reports a failure reply on stderr: its error, then any per-line config errors. */
static void print_failure(struct json_object *reply) {
	struct json_object *error, *errors;
	const char *msg = json_object_object_get_ex(reply, "error", &error) &&
					json_object_is_type(error, json_type_string)
			? json_object_get_string(error)
			: "the compositor reported failure without a message";
	fprintf(stderr, "lumenctl: %s\n", msg);
	if (json_object_object_get_ex(reply, "errors", &errors) &&
			json_object_is_type(errors, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(errors); i++) {
			fprintf(stderr, "lumenctl: %s\n",
					json_object_get_string(json_object_array_get_idx(errors, i)));
		}
	}
}

static struct json_object *parse_reply(const char *line) {
	struct json_object *reply = json_tokener_parse(line);
	if (!reply || !json_object_is_type(reply, json_type_object)) {
		fprintf(stderr, "lumenctl: the compositor's reply is not a JSON object: %s\n", line);
		exit(EXIT_USAGE);
	}
	return reply;
}

static bool reply_success(struct json_object *reply) {
	struct json_object *success;
	return json_object_object_get_ex(reply, "success", &success) &&
			json_object_is_type(success, json_type_boolean) && json_object_get_boolean(success);
}

static int run_subscription(FILE *in, bool pretty) {
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, in)) > 0) {
		if (line[len - 1] == '\n') {
			line[len - 1] = '\0';
		}
		if (pretty) {
			struct json_object *event = parse_reply(line);
			print_json(event, true);
			json_object_put(event);
		} else {
			printf("%s\n", line);
		}
		/* Whoever reads this is waiting for each event as it happens. */
		if (fflush(stdout) != 0) {
			break;
		}
	}
	free(line);
	return EXIT_SUCCESS;
}

/*
 * Matches "--long VALUE", "--long=VALUE" and "-s VALUE"; returns the value (advancing
 * *i past it), NULL when arg is another option, and exits when the value is missing.
 */
static const char *option_value(
		const char *arg, char short_name, const char *long_name, int *i, int argc, char **argv) {
	size_t long_len = strlen(long_name);
	if (strncmp(arg, long_name, long_len) == 0 && arg[long_len] == '=') {
		return arg + long_len + 1;
	}
	bool match = strcmp(arg, long_name) == 0 ||
			(arg[0] == '-' && arg[1] == short_name && arg[2] == '\0');
	if (!match) {
		return NULL;
	}
	if (*i + 1 >= argc) {
		die_usage("%s needs a value", long_name);
	}
	return argv[++*i];
}

static void parse_options(int *argc, char ***argv, struct options *opts) {
	int i = 1;
	for (; i < *argc; i++) {
		const char *arg = (*argv)[i];
		const char *value;
		if (arg[0] != '-' || strcmp(arg, "-") == 0) {
			break;
		}
		if (strcmp(arg, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			fputs(usage_text, stdout);
			exit(EXIT_SUCCESS);
		} else if (strcmp(arg, "-c") == 0 || strcmp(arg, "--compact") == 0) {
			opts->compact = true;
			opts->pretty = false;
		} else if (strcmp(arg, "-p") == 0 || strcmp(arg, "--pretty") == 0) {
			opts->pretty = true;
			opts->compact = false;
		} else if ((value = option_value(arg, 's', "--socket", &i, *argc, *argv))) {
			if (!value[0]) {
				die_usage("--socket needs a path");
			}
			opts->socket = value;
		} else if ((value = option_value(arg, 'w', "--wait", &i, *argc, *argv))) {
			char *end;
			errno = 0;
			opts->wait = strtod(value, &end);
			if (errno != 0 || end == value || *end != '\0' || !isfinite(opts->wait) ||
					opts->wait < 0) {
				die_usage("'%s' is not a number of seconds", value);
			}
		} else {
			die_usage("unknown option '%s'", arg);
		}
	}
	*argc -= i;
	*argv += i;
}

int main(int argc, char *argv[]) {
	struct options opts = {0};
	parse_options(&argc, &argv, &opts);
	if (argc < 1) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	bool subscribe;
	char *request = build_request(argc, argv, &subscribe);
	char *path = opts.socket ? lumen_xstrdup(opts.socket) : default_socket();

	int fd = connect_socket(path, opts.wait);
	send_all(fd, request, strlen(request));
	send_all(fd, "\n", 1);
	free(request);

	FILE *in = fdopen(fd, "r");
	if (!in) {
		fprintf(stderr, "lumenctl: fdopen: %s\n", strerror(errno));
		return EXIT_USAGE;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t len = getline(&line, &cap, in);
	if (len <= 0) {
		fprintf(stderr, "lumenctl: %s closed the connection without replying\n", path);
		free(line);
		free(path);
		fclose(in);
		return EXIT_USAGE;
	}
	free(path);
	if (line[len - 1] == '\n') {
		line[len - 1] = '\0';
	}
	struct json_object *reply = parse_reply(line);
	free(line);
	int status;
	if (!reply_success(reply)) {
		print_failure(reply);
		status = EXIT_NO;
	} else if (subscribe) {
		/* The acknowledgement is not an event: print only events, one per line. */
		status = run_subscription(in, opts.pretty);
	} else {
		print_json(reply, !opts.compact);
		status = fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_USAGE;
	}
	json_object_put(reply);
	fclose(in);
	return status;
}
