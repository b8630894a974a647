/*
 * The export half of lumen-atspi-bridge: lumen-a11yd's trees (our shell, apps and the
 * compositor) shown on the AT-SPI2 bus as AT-SPI2 applications, so that Orca and other
 * AT-SPI2 clients read them.
 *
 * The contract between the bridge's main loop (a11y/bridge/main.c) and this module:
 * the module owns its two connections (a trusted consumer of lumen-a11yd, and its own
 * sd-bus connection to the AT-SPI2 bus); the caller polls what prepare() fills in and
 * calls dispatch() after each poll. Trees whose app id starts with ATSPI_IMPORT_PREFIX
 * were mirrored from AT-SPI2 by the import half and are never exported back.
 */
#ifndef LUMEN_ATSPI_EXPORT_H
#define LUMEN_ATSPI_EXPORT_H

#include <poll.h>
#include <stdbool.h>

#define ATSPI_IMPORT_PREFIX "atspi:"
#define ATSPI_EXPORT_MAX_FDS 2

struct atspi_export;

/*
 * trusted_socket: lumen-a11yd's trusted socket name (NULL: $LUMEN_A11Y_TRUSTED_SOCKET or
 * the default). a11y_bus_address: the AT-SPI2 bus's address (NULL: asked of org.a11y.Bus
 * on the session bus). NULL on failure, logged.
 */
struct atspi_export *atspi_export_create(const char *trusted_socket,
	const char *a11y_bus_address);
void atspi_export_destroy(struct atspi_export *exp);

/* Fills up to ATSPI_EXPORT_MAX_FDS pollfds; returns how many; *timeout_ms is the
 * earliest timeout the module needs (-1: none). Flushes pending output first. */
int atspi_export_prepare(struct atspi_export *exp, struct pollfd *fds, int *timeout_ms);

/* After poll (fds are those prepare() filled, with revents): false when lumen-a11yd or
 * the AT-SPI2 bus is gone for good (the caller decides whether to exit). */
bool atspi_export_dispatch(struct atspi_export *exp, const struct pollfd *fds, int nfds);

/* The AT-SPI2 bus unique name the exported applications live on (the importer skips it). */
const char *atspi_export_bus_name(struct atspi_export *exp);

/* Whether name is one of ours: the one above or an exported application's (each tree is
 * an AT-SPI2 application on a connection of its own, as each GTK or Qt app is). */
bool atspi_export_owns_bus_name(struct atspi_export *exp, const char *name);

#endif
