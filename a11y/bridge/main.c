/*
 * lumen-atspi-bridge: lumen-a11yd and AT-SPI2 both ways.
 *
 *   import (import.c): AT-SPI2's applications (GTK, Qt...) mirrored on lumen-a11yd, one
 *     provider each, so lumen-reader reads them;
 *   export (export/, when built: HAVE_ATSPI_EXPORT): lumen-a11yd's trees shown on AT-SPI2,
 *     so Orca reads our apps.
 *
 *   lumen-atspi-bridge [--socket NAME] [--trusted-socket NAME] [--no-import] [--no-export]
 *                      [--max-nodes N] [-d]
 *
 * One GLib main loop (libatspi's): the export module's descriptors join it through a
 * GSource whose poll records are re-armed from atspi_export_prepare() every turn.
 */
#define _GNU_SOURCE
#include <atspi/atspi.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/log.h"
#include "import.h"
#if HAVE_ATSPI_EXPORT
#include "export/export.h"
#endif

struct bridge {
	GMainLoop *loop;
	struct atspi_import *import;
#if HAVE_ATSPI_EXPORT
	struct atspi_export *export;
	struct export_source *export_source;
#endif
	int status;
};

#if HAVE_ATSPI_EXPORT
struct export_source {
	GSource base;
	GPollFD pfds[ATSPI_EXPORT_MAX_FDS];
	int nfds;
	gint64 deadline; // monotonic µs, -1: none
	struct bridge *bridge;
};

static gboolean export_prepare(GSource *base, gint *timeout) {
	struct export_source *es = (struct export_source *)base;
	struct pollfd fds[ATSPI_EXPORT_MAX_FDS];
	int ms = -1;
	es->nfds = atspi_export_prepare(es->bridge->export, fds, &ms);
	if (es->nfds < 0 || es->nfds > ATSPI_EXPORT_MAX_FDS) {
		es->nfds = 0;
	}
	/* The records follow what prepare says now (G_IO_* are poll's bits on Unix). GLib
	 * keeps records sorted by fd, so a changed fd is a new record, and -1 none. */
	for (int i = 0; i < ATSPI_EXPORT_MAX_FDS; i++) {
		int fd = i < es->nfds ? fds[i].fd : -1;
		if (fd != es->pfds[i].fd) {
			if (es->pfds[i].fd >= 0) {
				g_source_remove_poll(base, &es->pfds[i]);
			}
			es->pfds[i].fd = fd;
			if (fd >= 0) {
				g_source_add_poll(base, &es->pfds[i]);
			}
		}
		es->pfds[i].events = fd >= 0 ? (gushort)fds[i].events : 0;
		es->pfds[i].revents = 0;
	}
	es->deadline = ms >= 0 ? g_source_get_time(base) + (gint64)ms * 1000 : -1;
	*timeout = ms;
	return ms == 0;
}

static gboolean export_check(GSource *base) {
	struct export_source *es = (struct export_source *)base;
	for (int i = 0; i < es->nfds; i++) {
		if (es->pfds[i].fd >= 0 && es->pfds[i].revents) {
			return TRUE;
		}
	}
	return es->deadline >= 0 && g_source_get_time(base) >= es->deadline;
}

static gboolean export_dispatch(GSource *base, GSourceFunc callback, gpointer data) {
	struct export_source *es = (struct export_source *)base;
	struct bridge *bridge = es->bridge;
	struct pollfd fds[ATSPI_EXPORT_MAX_FDS];
	for (int i = 0; i < es->nfds; i++) {
		fds[i].fd = es->pfds[i].fd;
		fds[i].events = (short)es->pfds[i].events;
		fds[i].revents = (short)es->pfds[i].revents;
	}
	if (!atspi_export_dispatch(bridge->export, fds, es->nfds)) {
		lumen_log(LUMEN_WARN, "the export half lost lumen-a11yd or AT-SPI2 for good");
		if (!bridge->import) {
			bridge->status = 1;
			g_main_loop_quit(bridge->loop);
		}
		es->nfds = 0;
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static GSourceFuncs export_funcs = {
	.prepare = export_prepare,
	.check = export_check,
	.dispatch = export_dispatch,
};

static bool export_owns(void *data, const char *bus_name) {
	struct bridge *bridge = data;
	return bridge->export && atspi_export_owns_bus_name(bridge->export, bus_name);
}
#endif

static gboolean handle_signal(void *data) {
	struct bridge *bridge = data;
	lumen_log(LUMEN_INFO, "signalled: ending");
	g_main_loop_quit(bridge->loop);
	return G_SOURCE_CONTINUE;
}

static void usage(FILE *f) {
	fprintf(f,
		"usage: lumen-atspi-bridge [options]\n"
		"  --socket NAME          lumen-a11yd's socket (the trusted one is NAME-trusted)\n"
		"  --trusted-socket NAME  lumen-a11yd's trusted socket (default\n"
		"                         $LUMEN_A11Y_TRUSTED_SOCKET, else lumen-a11y-0-trusted)\n"
		"  --no-import            do not mirror AT-SPI2's applications on lumen-a11yd\n"
		"  --no-export            do not show lumen-a11yd's trees on AT-SPI2\n"
		"  --max-nodes N          accessibles mirrored per application (default %d)\n"
		"  -d, --debug            debug logging\n",
		ATSPI_IMPORT_MAX_NODES);
}

int main(int argc, char *argv[]) {
	const char *socket_name = NULL, *trusted = NULL;
	bool import = true, export = true, debug = false;
	long max_nodes = 0;
	char trusted_buf[256];
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(arg, "--socket") == 0 && next) {
			socket_name = next;
			i++;
		} else if (strcmp(arg, "--trusted-socket") == 0 && next) {
			trusted = next;
			i++;
		} else if (strcmp(arg, "--no-import") == 0) {
			import = false;
		} else if (strcmp(arg, "--no-export") == 0) {
			export = false;
		} else if (strcmp(arg, "--max-nodes") == 0 && next) {
			char *end = NULL;
			max_nodes = strtol(next, &end, 10);
			if (!end || *end || max_nodes <= 0 || max_nodes > ATSPI_IMPORT_MAX_NODES) {
				fprintf(stderr, "--max-nodes: 1..%d\n", ATSPI_IMPORT_MAX_NODES);
				return 1;
			}
			i++;
		} else if (strcmp(arg, "-d") == 0 || strcmp(arg, "--debug") == 0) {
			debug = true;
		} else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 1;
		}
	}
	lumen_log_init(debug ? LUMEN_DEBUG : LUMEN_INFO);
	if (!trusted && socket_name) {
		int n = snprintf(trusted_buf, sizeof(trusted_buf), "%s-trusted", socket_name);
		if (n < 0 || n >= (int)sizeof(trusted_buf)) {
			fprintf(stderr, "--socket: name too long\n");
			return 1;
		}
		trusted = trusted_buf;
	}
#if !HAVE_ATSPI_EXPORT
	if (export) {
		lumen_log(LUMEN_INFO, "built without the export half: import only");
	}
	export = false;
#endif
	if (!import && !export) {
		lumen_log(LUMEN_ERROR, "nothing to do (--no-import and no export)");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);

	/* libatspi finds the AT-SPI2 bus (org.a11y.Bus on the session bus, started there on
	 * demand) and runs on the default main context. */
	if (import && atspi_init() > 1) {
		lumen_log(LUMEN_ERROR, "cannot reach the AT-SPI2 bus (is there a session bus?)");
		return 1;
	}
	struct bridge bridge = {.loop = g_main_loop_new(NULL, FALSE)};
#if HAVE_ATSPI_EXPORT
	if (export) {
		bridge.export = atspi_export_create(trusted, NULL);
		if (!bridge.export) {
			lumen_log(LUMEN_ERROR, "the export half did not start");
			bridge.status = 1;
			goto out;
		}
		bridge.export_source = (struct export_source *)g_source_new(&export_funcs,
			sizeof(struct export_source));
		bridge.export_source->bridge = &bridge;
		for (int i = 0; i < ATSPI_EXPORT_MAX_FDS; i++) {
			bridge.export_source->pfds[i].fd = -1; // added by prepare
		}
		g_source_attach(&bridge.export_source->base, NULL);
	}
#endif
	if (import) {
		bridge.import = atspi_import_create(trusted, (int)max_nodes);
		if (!bridge.import) {
			bridge.status = 1;
			goto out;
		}
#if HAVE_ATSPI_EXPORT
		atspi_import_set_skip(bridge.import, export_owns, &bridge);
#endif
	}
	guint sig_term = g_unix_signal_add(SIGTERM, handle_signal, &bridge);
	guint sig_int = g_unix_signal_add(SIGINT, handle_signal, &bridge);
	lumen_log(LUMEN_INFO, "bridging (import %s, export %s)", import ? "on" : "off",
		export ? "on" : "off");
	g_main_loop_run(bridge.loop);
	g_source_remove(sig_term);
	g_source_remove(sig_int);
out:
	atspi_import_destroy(bridge.import);
#if HAVE_ATSPI_EXPORT
	if (bridge.export_source) {
		g_source_destroy(&bridge.export_source->base);
		g_source_unref(&bridge.export_source->base);
	}
	atspi_export_destroy(bridge.export);
#endif
	g_main_loop_unref(bridge.loop);
	if (import) {
		atspi_exit();
	}
	return bridge.status;
}
