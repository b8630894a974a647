/* The restart schedule, a pure function of the history so that it is unit-tested. */
#include "backoff.h"

long session_backoff_next(struct session_backoff *backoff, long uptime_ms) {
	if (uptime_ms >= SESSION_BACKOFF_STABLE_MS) {
		backoff->failures = 0;
	}
	backoff->failures++;
	if (backoff->max_failures > 0 && backoff->failures > backoff->max_failures) {
		return -1;
	}
	/* The first death is retried at once: most crashes are one-off. */
	if (backoff->failures == 1) {
		return 0;
	}
	long delay = SESSION_BACKOFF_FIRST_MS;
	for (unsigned i = 2; i < backoff->failures && delay < SESSION_BACKOFF_CAP_MS; i++) {
		delay *= 2;
	}
	return delay < SESSION_BACKOFF_CAP_MS ? delay : SESSION_BACKOFF_CAP_MS;
}
