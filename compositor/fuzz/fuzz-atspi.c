/*
 * libFuzzer target for what atspi-keys.c reads from other processes' D-Bus messages
 * (src/atspi-read.c). The input is what a peer writes on a D-Bus connection after
 * authenticating: sd-bus (libsystemd) splits and checks the messages, as it does for
 * the compositor, and every message that comes through is given to each reader in
 * turn. Beyond "does not crash", it checks what atspi-keys.c relies on: key grabs
 * within their bound, with their arrays there when counted, and a device event's text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "atspi-read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_all(sd_bus_message *m) {
	struct atspi_device_event event;
	sd_bus_message_rewind(m, true);
	if (atspi_read_device_event(m, &event) == 0 && !event.text) {
		abort();
	}
	uint32_t *syms;
	struct atspi_key_grab *grabs;
	size_t n_syms, n_grabs;
	sd_bus_message_rewind(m, true);
	if (atspi_read_key_grabs(m, &syms, &n_syms, &grabs, &n_grabs) == 0) {
		if (n_syms > 4096 || n_grabs > 4096 || (n_syms && !syms) || (n_grabs && !grabs)) {
			abort();
		}
		for (size_t i = 0; i < n_syms; i++) {
			(void)syms[i];
		}
		for (size_t i = 0; i < n_grabs; i++) {
			(void)grabs[i].keysym;
		}
		free(syms);
		free(grabs);
	}
	bool others, seen, enabled;
	sd_bus_message_rewind(m, true);
	atspi_read_listeners(m, ":1.1", &others);
	sd_bus_message_rewind(m, true);
	atspi_read_listeners(m, NULL, &others);
	sd_bus_message_rewind(m, true);
	if (atspi_read_status(m, &seen, &enabled) == 0 && enabled && !seen) {
		abort();
	}
	/* PropertiesChanged: the interface's name, then the properties. */
	const char *iface;
	sd_bus_message_rewind(m, true);
	if (sd_bus_message_read(m, "s", &iface) >= 0) {
		atspi_read_status(m, &seen, &enabled);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	int sv[2];
	if (size > 60000 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		return 0;
	}
	/* The peer's side of the handshake, then its messages, then the end. */
	static const char auth[] = "\0AUTH ANONYMOUS\r\nBEGIN\r\n";
	if (write(sv[1], auth, sizeof(auth) - 1) != (ssize_t)(sizeof(auth) - 1) ||
			(size > 0 && write(sv[1], data, size) != (ssize_t)size)) {
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	shutdown(sv[1], SHUT_WR);
	sd_bus *bus = NULL;
	sd_id128_t id = {{ 1 }};
	if (sd_bus_new(&bus) < 0 || sd_bus_set_fd(bus, sv[0], sv[0]) < 0 ||
			sd_bus_set_server(bus, 1, id) < 0 || sd_bus_set_anonymous(bus, 1) < 0 ||
			sd_bus_start(bus) < 0) {
		sd_bus_unref(bus);
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	for (int i = 0; i < 1000; i++) {
		sd_bus_message *m = NULL;
		int r = sd_bus_process(bus, &m);
		if (m) {
			read_all(m);
			sd_bus_message_unref(m);
		}
		if (r < 0 || (r == 0 && sd_bus_wait(bus, 100000) <= 0)) {
			break;
		}
	}
	sd_bus_flush_close_unref(bus); // closes sv[0]
	close(sv[1]);
	return 0;
}
