/* Unit test for the restart schedule (backoff.c). TAP output. */
#include <stdio.h>
#include "backoff.h"

static int test_no;
static int failures;

static void ok(int cond, const char *what) {
	test_no++;
	printf("%sok %d - %s\n", cond ? "" : "not ", test_no, what);
	if (!cond) {
		failures++;
	}
}

int main(void) {
	struct session_backoff b = {.max_failures = 0};
	ok(session_backoff_next(&b, 10) == 0, "the first quick death is retried at once");
	ok(session_backoff_next(&b, 10) == SESSION_BACKOFF_FIRST_MS,
		"the second waits the first delay");
	ok(session_backoff_next(&b, 10) == 2 * SESSION_BACKOFF_FIRST_MS, "the third twice that");
	long last = 0;
	for (int i = 0; i < 40; i++) {
		last = session_backoff_next(&b, 0);
	}
	ok(last == SESSION_BACKOFF_CAP_MS, "a crash loop waits the cap and no more");
	ok(session_backoff_next(&b, SESSION_BACKOFF_STABLE_MS) == 0,
		"a death after a stable run is retried at once");
	ok(b.failures == 1, "and starts the count over");
	ok(session_backoff_next(&b, SESSION_BACKOFF_STABLE_MS - 1) == SESSION_BACKOFF_FIRST_MS,
		"a quick death right after that waits again");

	/* Monotonic up to the cap, whatever the count. */
	struct session_backoff m = {0};
	long prev = -1;
	int monotonic = 1;
	for (int i = 0; i < 100; i++) {
		long d = session_backoff_next(&m, 1);
		if (d < prev || d > SESSION_BACKOFF_CAP_MS) {
			monotonic = 0;
		}
		prev = d;
	}
	ok(monotonic, "delays never shrink during a crash loop and never pass the cap");

	/* Twenty kills in a row, each after a stable run: every restart is immediate. */
	struct session_backoff k = {.max_failures = 10};
	int immediate = 1;
	for (int i = 0; i < 20; i++) {
		if (session_backoff_next(&k, SESSION_BACKOFF_STABLE_MS + 5) != 0) {
			immediate = 0;
		}
	}
	ok(immediate, "twenty deaths after stable runs: twenty immediate restarts");

	struct session_backoff g = {.max_failures = 3};
	int kept = session_backoff_next(&g, 0) >= 0 && session_backoff_next(&g, 0) >= 0 &&
		session_backoff_next(&g, 0) >= 0;
	ok(kept, "up to max_failures quick deaths are retried");
	ok(session_backoff_next(&g, 0) == -1, "one more and it stays down");

	printf("1..%d\n", test_no);
	return failures ? 1 : 0;
}
