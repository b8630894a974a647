/*
 * lumen-atspi-export-driver: the export half alone, in a loop of its own, for the tests
 * (lumen-atspi-bridge runs it with the import half).
 *
 *   lumen-atspi-export-driver [--socket NAME] [--a11y-bus ADDRESS] [-d]
 *
 * Exits 0 on SIGTERM or SIGINT, 1 when lumen-a11yd or the AT-SPI2 bus goes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include "common/log.h"
#include "export.h"

int main(int argc, char *argv[]) {
	const char *socket_name = NULL, *address = NULL;
	bool debug = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc) {
			socket_name = argv[++i];
		} else if (strcmp(argv[i], "--a11y-bus") == 0 && i + 1 < argc) {
			address = argv[++i];
		} else if (strcmp(argv[i], "-d") == 0) {
			debug = true;
		} else {
			fprintf(stderr, "usage: %s [--socket NAME] [--a11y-bus ADDRESS] [-d]\n", argv[0]);
			return 1;
		}
	}
	lumen_log_init(debug ? LUMEN_DEBUG : LUMEN_INFO);
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		lumen_log_errno(LUMEN_ERROR, "signalfd");
		return 1;
	}
	struct atspi_export *exp = atspi_export_create(socket_name, address);
	if (!exp) {
		close(sfd);
		return 1;
	}
	int status = 0;
	for (;;) {
		struct pollfd fds[ATSPI_EXPORT_MAX_FDS + 1];
		int timeout;
		int n = atspi_export_prepare(exp, fds, &timeout);
		fds[n] = (struct pollfd){.fd = sfd, .events = POLLIN};
		if (poll(fds, (nfds_t)n + 1, timeout) < 0 && errno != EINTR) {
			lumen_log_errno(LUMEN_ERROR, "poll");
			status = 1;
			break;
		}
		if (fds[n].revents & POLLIN) {
			break;
		}
		if (!atspi_export_dispatch(exp, fds, n)) {
			status = 1;
			break;
		}
	}
	atspi_export_destroy(exp);
	close(sfd);
	return status;
}
