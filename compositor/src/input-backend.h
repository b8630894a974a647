#ifndef COMP_INPUT_BACKEND_H
#define COMP_INPUT_BACKEND_H

#include <stdbool.h>
#include <wayland-server-core.h>
#include <wlr/backend.h>

/**
 * A wlroots backend whose input devices are lumen-inputd's (protocols/lumen-input-v1.xml):
 * it connects to socket_name (a name in $XDG_RUNTIME_DIR or a path) as inputd's seat
 * master and turns each device into wlroots keyboards, pointers, touch devices and
 * switches. When inputd goes away its devices go too (keys, buttons and touches still
 * held are released first), and the backend connects again, with back-off, until inputd
 * is back. NULL only when out of memory. Destroyed with the display or by
 * wlr_backend_destroy.
 */
struct wlr_backend *comp_input_backend_create(struct wl_display *display,
	const char *socket_name);
bool comp_backend_is_input(struct wlr_backend *backend);
/** Whether the backend is inputd's master right now (connected and accepted). */
bool comp_input_backend_connected(struct wlr_backend *backend);

#endif
