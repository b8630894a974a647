#ifndef COMMON_LOG_H
#define COMMON_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum lumen_log_level {
	LUMEN_SILENT = 0,
	LUMEN_ERROR = 1,
	LUMEN_WARN = 2,
	LUMEN_INFO = 3,
	LUMEN_DEBUG = 4,
};

#ifndef LUMEN_LOG_COMPONENT
#define LUMEN_LOG_COMPONENT "lumen"
#endif

/** Sets the most verbose level that is printed; LUMEN_LOG (error..debug) overrides it. */
void lumen_log_init(enum lumen_log_level level);
enum lumen_log_level lumen_log_get_level(void);

void lumen_log_printf(enum lumen_log_level level, const char *component, const char *file,
	int line, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void lumen_log_vprintf(enum lumen_log_level level, const char *component, const char *file,
	int line, const char *fmt, va_list args) __attribute__((format(printf, 5, 0)));

/** Routes libwayland's server-side log (protocol errors, etc.) into ours. */
void lumen_log_route_wayland_server(void);

#define lumen_log(level, fmt, ...) \
	lumen_log_printf(level, LUMEN_LOG_COMPONENT, __FILE_NAME__, __LINE__, fmt, ##__VA_ARGS__)
#define lumen_log_errno(level, fmt, ...) \
	lumen_log(level, fmt ": %s", ##__VA_ARGS__, strerror(errno))

bool lumen_assert_fail(const char *component, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * An invariant that logs and returns false when broken: callers write
 * `if (!lumen_assert(x, "...")) return;`. Debug builds abort so the bug is seen.
 */
#define lumen_assert(cond, fmt, ...) \
	((cond) ? true \
		: lumen_assert_fail(LUMEN_LOG_COMPONENT, __FILE_NAME__, __LINE__, fmt, ##__VA_ARGS__))

#endif
