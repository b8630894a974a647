#ifndef SESSION_BACKOFF_H
#define SESSION_BACKOFF_H

#include <stdbool.h>

/*
 * When to start a process again after it died. A process that ran for at least
 * SESSION_BACKOFF_STABLE_MS had been working: it is started again at once and its
 * count of failures starts over. One that died sooner is crash-looping (a bad
 * configuration, a missing device): each further quick death doubles the wait, up to
 * SESSION_BACKOFF_CAP_MS, and after max_failures quick deaths in a row it stays down.
 */
#define SESSION_BACKOFF_STABLE_MS 1000
#define SESSION_BACKOFF_FIRST_MS 250
#define SESSION_BACKOFF_CAP_MS 8000

struct session_backoff {
	unsigned failures; // quick deaths in a row
	unsigned max_failures; // 0: never give up
};

/** Records a death after uptime_ms; returns the delay before the next start, or -1: give up. */
long session_backoff_next(struct session_backoff *backoff, long uptime_ms);

#endif
