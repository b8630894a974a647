/*
 * lib_a11y_client against an in-process lumen-a11yd on a real socket: connecting never
 * blocks (not even on a socket whose owner never answers), the connected callback comes
 * from dispatch, a bus that goes away is noticed, and a new bus on the same socket is
 * connected to again, with the connected callback run again so the caller publishes
 * its trees again. TAP output.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "a11y/client.h"
#include "a11y/server.h"
#include "common/log.h"
#include "lumen-a11y-v1-client-protocol.h"

static int test_no, failures;

static void ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ok(bool cond, const char *fmt, ...) {
	va_list args;
	va_start(args, fmt);
	test_no++;
	printf("%sok %d - ", cond ? "" : "not ", test_no);
	vprintf(fmt, args);
	printf("\n");
	va_end(args);
	if (!cond) {
		failures++;
	}
}

struct state {
	int connected;
	struct a11y_provider *provider;
};

static void handle_connected(struct a11y_client *client, void *data) {
	struct state *st = data;
	st->connected++;
	const uint32_t kids[] = {2};
	struct a11y_node_desc nodes[] = {
		{.id = 1, .role = LUMEN_A11Y_PROVIDER_V1_ROLE_FRAME, .name = "Test",
			.children = kids, .n_children = 1},
		{.id = 2, .role = LUMEN_A11Y_PROVIDER_V1_ROLE_PUSH_BUTTON, .name = "OK",
			.states = LUMEN_A11Y_PROVIDER_V1_STATE_FOCUSABLE},
	};
	a11y_provider_publish(st->provider, nodes, 2, 1, 2);
}

static const struct a11y_client_listener listener = {.connected = handle_connected};

/* Turns the server and the client until cond or 200 turns. */
static void pump(struct a11y_server *server, struct a11y_client *client, bool *lost) {
	for (int i = 0; i < 50; i++) {
		if (server) {
			wl_event_loop_dispatch(a11y_server_get_event_loop(server), 0);
			wl_display_flush_clients(a11y_server_get_display(server));
		}
		int fd = a11y_client_get_fd(client);
		if (fd < 0) {
			return;
		}
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		if (poll(&pfd, 1, 5) > 0 && !a11y_client_dispatch(client)) {
			*lost = true;
			return;
		}
	}
}

int main(void) {
	lumen_log_init(LUMEN_SILENT);
	char dir[] = "/tmp/a11y-client-XXXXXX";
	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	char hung[64], bus[64], trusted[80];
	snprintf(hung, sizeof(hung), "%s/hung", dir);
	snprintf(bus, sizeof(bus), "%s/bus", dir);
	snprintf(trusted, sizeof(trusted), "%s-trusted", bus); // the window manager's

	/* A socket that is listened on and never answered. */
	int hung_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", hung);
	bool listening = bind(hung_fd, (struct sockaddr *)&addr, sizeof(addr)) == 0 &&
		listen(hung_fd, 4) == 0;
	struct state hst = {0};
	struct a11y_client *hc = a11y_client_create(hung, false, &listener, &hst);
	hst.provider = a11y_provider_create(hc, "hung", NULL);
	ok(listening && hc && !a11y_client_is_connected(hc) && hst.connected == 0,
		"connecting to a bus that never answers returns at once, not connected");
	a11y_client_destroy(hc);
	close(hung_fd);

	struct state st = {0};
	struct a11y_client *client = a11y_client_create(trusted, true, &listener, &st);
	st.provider = a11y_provider_create(client, "app", &st);
	ok(client && a11y_client_get_fd(client) < 0, "no bus yet: no fd, and no failure");

	struct a11y_server_options options = {.socket = bus};
	struct a11y_server *server = a11y_server_create(&options);
	bool lost = false;
	a11y_client_reconnect(client);
	pump(server, client, &lost);
	ok(server && st.connected == 1 && a11y_client_is_connected(client),
		"the connected callback comes once the bus answers");
	a11y_provider_announce(st.provider, "hello", false);
	a11y_client_wm_window(client, 1, getpid(), "app", "Test", 0, 0, 10, 10);
	a11y_client_wm_activate(client, 1);
	pump(server, client, &lost);
	ok(!lost && a11y_client_is_connected(client),
		"publishing, announcing and being the window manager keep the connection");

	a11y_server_destroy(server);
	pump(NULL, client, &lost);
	ok(lost && a11y_client_get_fd(client) < 0 && !a11y_client_is_connected(client),
		"the bus going away is noticed");

	server = a11y_server_create(&options);
	lost = false;
	a11y_client_reconnect(client);
	pump(server, client, &lost);
	ok(server && st.connected == 2 && a11y_client_is_connected(client),
		"a new bus on the same socket is connected to; the trees are published again");

	a11y_client_destroy(client);
	a11y_server_destroy(server);
	unlink(hung);
	rmdir(dir);
	printf("1..%d\n", test_no);
	return failures ? 1 : 0;
}
