#ifndef COMP_ATSPI_READ_H
#define COMP_ATSPI_READ_H

/*
 * What atspi-keys.c reads from D-Bus messages that other processes send (the AT-SPI2
 * registry, screen readers), apart from the compositor so that a fuzzer can reach it
 * (fuzz/fuzz-atspi.c). Each returns a negative errno when the message does not hold
 * what it should, and leaves the message's read position wherever it stopped.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

/* AT-SPI2's DeviceEvent as the registry sends it to listeners: (uiuuisb). */
struct atspi_device_event {
	uint32_t type; // 0 pressed, 1 released
	int32_t id; // keysym
	uint32_t hw_code, modifiers;
	int32_t timestamp;
	const char *text; // the message's; valid while it is
	bool is_text;
};

int atspi_read_device_event(sd_bus_message *m, struct atspi_device_event *event);

struct atspi_key_grab {
	uint32_t keysym, modifiers;
};

/** SetKeyGrabs(au modifiers, a(uu) keystrokes). On success the caller frees *syms and
 * *grabs (NULL when empty). */
int atspi_read_key_grabs(sd_bus_message *m, uint32_t **syms, size_t *n_syms,
	struct atspi_key_grab **grabs, size_t *n_grabs);

/** GetKeystrokeListeners' answer, a(souua(iisi)u(bbb)): *others says whether one is
 * registered by a bus name other than self (which may be NULL). */
int atspi_read_listeners(sd_bus_message *m, const char *self, bool *others);

/** org.a11y.Status properties, a{sv} (GetAll, or PropertiesChanged after its interface
 * name): *seen when IsEnabled or ScreenReaderEnabled is there, *enabled when one of
 * those is true. */
int atspi_read_status(sd_bus_message *m, bool *seen, bool *enabled);

#endif
