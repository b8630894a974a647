/* Unit tests for common/: the vector, fd passing and shm. TAP output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "common/alloc.h"
#include "common/fd.h"
#include "common/list.h"

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
	struct lumen_vec vec;
	lumen_vec_init(&vec);
	int vals[20];
	for (int i = 0; i < 20; i++) {
		lumen_vec_push(&vec, &vals[i]);
	}
	ok(vec.len == 20, "vec holds 20 items after growing");
	ok(lumen_vec_remove_at(&vec, 3) == &vals[3] && vec.items[3] == &vals[4],
		"remove_at shifts the tail down");
	ok(lumen_vec_find(&vec, &vals[3]) == -1 && lumen_vec_find(&vec, &vals[19]) == 18,
		"find reports removed and present items");
	ok(lumen_vec_remove_at(&vec, 100) == NULL, "remove_at past the end is NULL");
	lumen_vec_finish(&vec);

	char *s = lumen_strdup_printf("%s-%d", "out", 7);
	ok(s && strcmp(s, "out-7") == 0, "strdup_printf formats");
	free(s);

	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	int shm = lumen_shm_create(4096);
	ok(shm >= 0, "shm_create returns an fd");
	ok(write(shm, "lumen", 5) == 5, "shm is writable");
	ok(lumen_fd_send(sv[0], "x", 1, shm), "fd_send with an fd");
	char buf[4];
	int got = -1;
	long n = lumen_fd_recv(sv[1], buf, sizeof(buf), &got);
	ok(n == 1 && got >= 0, "fd_recv receives the byte and an fd");
	char back[6] = {0};
	ok(got >= 0 && pread(got, back, 5, 0) == 5 && strcmp(back, "lumen") == 0,
		"received fd is the same file");
	ok(lumen_fd_send(sv[0], "y", 1, -1), "fd_send without an fd");
	int none = 123;
	n = lumen_fd_recv(sv[1], buf, sizeof(buf), &none);
	ok(n == 1 && none == -1, "fd_recv reports no fd as -1");
	close(got);
	close(shm);
	close(sv[0]);
	close(sv[1]);
	printf("1..%d\n", test_no);
	return failures ? 1 : 0;
}
