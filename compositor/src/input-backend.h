#ifndef COMP_INPUT_BACKEND_H
#define COMP_INPUT_BACKEND_H

#include <stdbool.h>
#include <wayland-server-core.h>
#include <wlr/backend.h>
#include <wlr/types/wlr_input_device.h>

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

/* Settings for an inputd device: -1 (NaN for accel_speed) leaves one as it is. */
struct comp_input_settings {
	int tap, natural_scroll, left_handed;
	int accel_profile; // lumen_input_device_v1.accel_profile
	double accel_speed; // -1..1
	int scroll_method; // lumen_input_device_v1.scroll_method
};

/**
 * Asks inputd to apply what is set in s and the device has; a device not of this
 * backend is left alone. Returns the setting bits sent.
 */
uint32_t comp_input_device_configure(struct wlr_input_device *device,
	const struct comp_input_settings *s);
/** Calls fn for each wlroots device of this backend (nothing for another backend). */
void comp_input_backend_for_each_device(struct wlr_backend *backend,
	void (*fn)(struct wlr_input_device *device, void *data), void *data);

#endif
