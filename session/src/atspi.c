/* Turns AT-SPI2 on for the session (atspi.h). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <systemd/sd-bus.h>
#include "session/session.h"
#include "common/log.h"

#define CALL_TIMEOUT_USEC (3 * 1000 * 1000)

static bool set_status(sd_bus *bus, const char *property, bool activate) {
	sd_bus_message *m = NULL, *reply = NULL;
	sd_bus_error error = SD_BUS_ERROR_NULL;
	int r = sd_bus_message_new_method_call(bus, &m, "org.a11y.Bus", "/org/a11y/bus",
		"org.freedesktop.DBus.Properties", "Set");
	r = r >= 0 ? sd_bus_message_set_auto_start(m, activate) : r;
	r = r >= 0 ? sd_bus_message_append(m, "ssv", "org.a11y.Status", property, "b", 1) : r;
	r = r >= 0 ? sd_bus_call(bus, m, CALL_TIMEOUT_USEC, &error, &reply) : r;
	if (r < 0) {
		lumen_log(activate ? LUMEN_DEBUG : LUMEN_WARN, "org.a11y.Status %s: %s", property,
			error.message ? error.message : strerror(-r));
	}
	sd_bus_error_free(&error);
	sd_bus_message_unref(reply);
	sd_bus_message_unref(m);
	return r >= 0;
}

static pid_t spawn_launcher(const char *path) {
	pid_t pid = fork();
	if (pid == 0) {
		/* The session blocks the signals it reads through a signalfd. */
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execl(path, path, "--launch-immediately", (char *)NULL);
		_exit(127);
	}
	if (pid < 0) {
		lumen_log_errno(LUMEN_WARN, "cannot start %s", path);
		return 0;
	}
	return pid;
}

static bool has_owner(sd_bus *bus, const char *name) {
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	int r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
		"org.freedesktop.DBus", "NameHasOwner", &error, &reply, "s", name);
	int has = 0;
	if (r >= 0 && sd_bus_message_read(reply, "b", &has) < 0) {
		has = 0;
	}
	sd_bus_error_free(&error);
	sd_bus_message_unref(reply);
	return has;
}

pid_t session_atspi_enable(bool screen_reader, const char *launcher) {
	sd_bus *bus = NULL;
	int r = sd_bus_open_user(&bus);
	if (r < 0) {
		lumen_log(LUMEN_WARN, "no session bus (%s): AT-SPI2 stays off; GTK and Qt apps will "
			"not be readable by Orca", strerror(-r));
		return 0;
	}
	sd_bus_set_method_call_timeout(bus, CALL_TIMEOUT_USEC);
	pid_t pid = 0;
	/* D-Bus activation first: the bus starts the launcher as it would for any app. */
	bool on = set_status(bus, "IsEnabled", true);
	if (!on && launcher && access(launcher, X_OK) == 0) {
		pid = spawn_launcher(launcher);
		for (int i = 0; pid > 0 && i < 50 && !has_owner(bus, "org.a11y.Bus"); i++) {
			nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
		}
		on = set_status(bus, "IsEnabled", false);
	}
	if (on && screen_reader) {
		on = set_status(bus, "ScreenReaderEnabled", false);
	}
	if (on) {
		lumen_log(LUMEN_INFO, "AT-SPI2 is on%s", screen_reader ? ", for a screen reader" : "");
	} else {
		lumen_log(LUMEN_WARN, "AT-SPI2 could not be turned on (is at-spi2-core installed?)");
	}
	sd_bus_flush_close_unref(bus);
	return pid;
}
