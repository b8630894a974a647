#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <wayland-server-core.h>
#include "common/log.h"

static enum lumen_log_level log_level = LUMEN_INFO;
static bool log_colour;

static const char *const level_names[] = {
	[LUMEN_SILENT] = "",
	[LUMEN_ERROR] = "ERROR",
	[LUMEN_WARN] = "WARN",
	[LUMEN_INFO] = "INFO",
	[LUMEN_DEBUG] = "DEBUG",
};

static const char *const level_colours[] = {
	[LUMEN_SILENT] = "",
	[LUMEN_ERROR] = "\x1b[1;31m",
	[LUMEN_WARN] = "\x1b[1;33m",
	[LUMEN_INFO] = "\x1b[1;34m",
	[LUMEN_DEBUG] = "\x1b[1;90m",
};

void lumen_log_init(enum lumen_log_level level) {
	log_level = level;
	const char *env = getenv("LUMEN_LOG");
	if (env) {
		for (int i = LUMEN_SILENT; i <= LUMEN_DEBUG; i++) {
			if (i > 0 && strcasecmp(env, level_names[i]) == 0) {
				log_level = i;
			}
		}
		if (strcasecmp(env, "silent") == 0) {
			log_level = LUMEN_SILENT;
		}
	}
	log_colour = isatty(STDERR_FILENO);
}

enum lumen_log_level lumen_log_get_level(void) {
	return log_level;
}

void lumen_log_vprintf(enum lumen_log_level level, const char *component, const char *file,
		int line, const char *fmt, va_list args) {
	if (level > log_level || level <= LUMEN_SILENT) {
		return;
	}
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	/* One fprintf per part would interleave with other threads' output; build the line first. */
	char msg[1024];
	vsnprintf(msg, sizeof(msg), fmt, args);
	fprintf(stderr, "%s%02ld:%02ld:%02ld.%03ld %s [%s/%s:%d] %s%s\n",
		log_colour ? level_colours[level] : "",
		(long)(ts.tv_sec / 3600 % 100), (long)(ts.tv_sec / 60 % 60), (long)(ts.tv_sec % 60),
		ts.tv_nsec / 1000000, level_names[level], component, file, line, msg,
		log_colour ? "\x1b[0m" : "");
}

void lumen_log_printf(enum lumen_log_level level, const char *component, const char *file,
		int line, const char *fmt, ...) {
	va_list args;
	va_start(args, fmt);
	lumen_log_vprintf(level, component, file, line, fmt, args);
	va_end(args);
}

bool lumen_assert_fail(const char *component, const char *file, int line, const char *fmt, ...) {
	va_list args;
	va_start(args, fmt);
	lumen_log_vprintf(LUMEN_ERROR, component, file, line, fmt, args);
	va_end(args);
#ifdef LUMEN_DEBUG_ABORT
	abort();
#endif
	return false;
}

static void handle_wayland_log(const char *fmt, va_list args) {
	char msg[1024];
	vsnprintf(msg, sizeof(msg), fmt, args);
	size_t len = strlen(msg);
	if (len > 0 && msg[len - 1] == '\n') {
		msg[len - 1] = '\0';
	}
	/* libwayland logs when a client is sent a protocol error or misbehaves: the client's bug. */
	lumen_log_printf(LUMEN_WARN, "libwayland", "client", 0, "%s", msg);
}

void lumen_log_route_wayland_server(void) {
	wl_log_set_handler_server(handle_wayland_log);
}
