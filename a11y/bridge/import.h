/*
 * The import half of lumen-atspi-bridge: every AT-SPI2 application (GTK3, GTK4, Qt...)
 * on the registry mirrored on lumen-a11yd as one provider, app id ATSPI_IMPORT_PREFIX +
 * the application's name, published for the application's process (the bus matches it
 * to that process's windows). Kept current by AT-SPI2 events; actions asked on our bus
 * are carried out through AT-SPI2.
 *
 * Runs on the thread-default GLib main context, which must be libatspi's (atspi_init()
 * called first).
 */
#ifndef LUMEN_ATSPI_IMPORT_H
#define LUMEN_ATSPI_IMPORT_H

#include <stdbool.h>

/* Nodes mirrored per application at most: lumen-a11yd's limit per tree. */
#define ATSPI_IMPORT_MAX_NODES 16384

struct atspi_import;

/**
 * trusted_socket: lumen-a11yd's trusted socket (NULL: $LUMEN_A11Y_TRUSTED_SOCKET, else
 * "lumen-a11y-0-trusted"); only a trusted client may publish for another process.
 * max_nodes: per application (0: ATSPI_IMPORT_MAX_NODES). NULL on failure, logged.
 */
struct atspi_import *atspi_import_create(const char *trusted_socket, int max_nodes);
void atspi_import_destroy(struct atspi_import *imp);

/**
 * Applications on the AT-SPI2 bus names for which owns(data, name) is true are never
 * imported (the export half's own); asked each time a name is new. The bridge's own
 * process is skipped in any case (by the pid the bus daemon gives).
 */
void atspi_import_set_skip(struct atspi_import *imp,
	bool (*owns)(void *data, const char *bus_name), void *data);

#endif
