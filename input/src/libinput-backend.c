/*
 * Real devices through libinput's udev backend: hotplug, and every libinput event
 * turned into evdev-coded events of the device model (absolute values scaled into the
 * ranges announced). Devices are opened through the seat (seat.h). A machine without
 * input devices (or without udev) is fine: logged, and inputd serves drivers only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libinput.h>
#include <libudev.h>
#include <linux/input-event-codes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/log.h"
#include "core.h"
#include "lumen-input-v1-protocol.h"
#include "seat.h"

#define ABS_RANGE 65535

struct input_libinput {
	struct input_server *server;
	struct input_seat *seat;
	struct udev *udev;
	struct libinput *li;
	struct wl_event_source *source;
	uint32_t next_tracking_id;
};

/* What libinput's device carries as user data. */
struct li_device {
	struct input_device *device;
	struct libinput_device *li_device;
};

static int open_restricted(const char *path, int flags, void *data) {
	struct input_libinput *backend = data;
	int fd = input_seat_open_device(backend->seat, path, flags);
	if (fd < 0) {
		int err = errno;
		lumen_log(LUMEN_WARN, "cannot open %s: %s", path, strerror(err));
		return -err;
	}
	return fd;
}

static void close_restricted(int fd, void *data) {
	struct input_libinput *backend = data;
	input_seat_close_device(backend->seat, fd);
}

static const struct libinput_interface li_interface = {
	.open_restricted = open_restricted,
	.close_restricted = close_restricted,
};

static void handle_li_log(struct libinput *li, enum libinput_log_priority priority,
		const char *fmt, va_list args) {
	enum lumen_log_level level = priority == LIBINPUT_LOG_PRIORITY_ERROR ? LUMEN_ERROR
		: priority == LIBINPUT_LOG_PRIORITY_INFO                          ? LUMEN_INFO
																		  : LUMEN_DEBUG;
	/* libinput's lines end with a newline; ours add one. */
	char line[512];
	vsnprintf(line, sizeof(line), fmt, args);
	size_t len = strlen(line);
	if (len > 0 && line[len - 1] == '\n') {
		line[len - 1] = '\0';
	}
	lumen_log_printf(level, LUMEN_LOG_COMPONENT, "libinput", 0, "%s", line);
}

/* The master's requests, applied to the real device */

static void impl_set_leds(struct input_device *device, uint32_t leds) {
	struct li_device *ld = device->impl_data;
	/* Our LED bits are libinput's (num, caps, scroll lock). */
	libinput_device_led_update(ld->li_device, (enum libinput_led)leds);
}

static const uint32_t scroll_method_li[] = {
	[LUMEN_INPUT_DEVICE_V1_SCROLL_METHOD_NONE] = LIBINPUT_CONFIG_SCROLL_NO_SCROLL,
	[LUMEN_INPUT_DEVICE_V1_SCROLL_METHOD_TWO_FINGER] = LIBINPUT_CONFIG_SCROLL_2FG,
	[LUMEN_INPUT_DEVICE_V1_SCROLL_METHOD_EDGE] = LIBINPUT_CONFIG_SCROLL_EDGE,
	[LUMEN_INPUT_DEVICE_V1_SCROLL_METHOD_ON_BUTTON_DOWN] = LIBINPUT_CONFIG_SCROLL_ON_BUTTON_DOWN,
};

static const uint32_t accel_profile_li[] = {
	[LUMEN_INPUT_DEVICE_V1_ACCEL_PROFILE_NONE] = LIBINPUT_CONFIG_ACCEL_PROFILE_NONE,
	[LUMEN_INPUT_DEVICE_V1_ACCEL_PROFILE_FLAT] = LIBINPUT_CONFIG_ACCEL_PROFILE_FLAT,
	[LUMEN_INPUT_DEVICE_V1_ACCEL_PROFILE_ADAPTIVE] = LIBINPUT_CONFIG_ACCEL_PROFILE_ADAPTIVE,
};

/* The device's settings as libinput has them now. */
static void read_settings(struct libinput_device *d, struct input_settings *s) {
	memset(s, 0, sizeof(*s));
	if (libinput_device_config_tap_get_finger_count(d) > 0) {
		s->supported |= LUMEN_INPUT_DEVICE_V1_SETTING_TAP;
		s->tap = libinput_device_config_tap_get_enabled(d) == LIBINPUT_CONFIG_TAP_ENABLED;
	}
	if (libinput_device_config_scroll_has_natural_scroll(d)) {
		s->supported |= LUMEN_INPUT_DEVICE_V1_SETTING_NATURAL_SCROLL;
		s->natural_scroll = libinput_device_config_scroll_get_natural_scroll_enabled(d);
	}
	if (libinput_device_config_left_handed_is_available(d)) {
		s->supported |= LUMEN_INPUT_DEVICE_V1_SETTING_LEFT_HANDED;
		s->left_handed = libinput_device_config_left_handed_get(d);
	}
	if (libinput_device_config_accel_is_available(d)) {
		s->supported |= LUMEN_INPUT_DEVICE_V1_SETTING_ACCEL;
		uint32_t profiles = libinput_device_config_accel_get_profiles(d);
		enum libinput_config_accel_profile current = libinput_device_config_accel_get_profile(d);
		for (uint32_t i = 0; i < sizeof(accel_profile_li) / sizeof(accel_profile_li[0]); i++) {
			if (profiles & accel_profile_li[i]) {
				s->accel_profiles |= 1u << i;
			}
			if (current == accel_profile_li[i]) {
				s->accel_profile = i;
			}
		}
		s->accel_speed = libinput_device_config_accel_get_speed(d);
	}
	uint32_t methods = libinput_device_config_scroll_get_methods(d);
	if (methods != LIBINPUT_CONFIG_SCROLL_NO_SCROLL) {
		s->supported |= LUMEN_INPUT_DEVICE_V1_SETTING_SCROLL_METHOD;
		s->scroll_methods = 1u << LUMEN_INPUT_DEVICE_V1_SCROLL_METHOD_NONE;
		enum libinput_config_scroll_method current = libinput_device_config_scroll_get_method(d);
		for (uint32_t i = 1; i < sizeof(scroll_method_li) / sizeof(scroll_method_li[0]); i++) {
			if (methods & scroll_method_li[i]) {
				s->scroll_methods |= 1u << i;
			}
			if (current == scroll_method_li[i]) {
				s->scroll_method = i;
			}
		}
	}
}

static void warn_status(struct input_device *device, const char *what,
		enum libinput_config_status status) {
	if (status != LIBINPUT_CONFIG_STATUS_SUCCESS) {
		lumen_log(LUMEN_WARN, "%s: libinput refused the %s setting: %s", device->path, what,
			libinput_config_status_to_str(status));
	}
}

static void impl_apply_settings(struct input_device *device, const struct input_settings *want) {
	struct li_device *ld = device->impl_data;
	struct libinput_device *d = ld->li_device;
	const struct input_settings *have = &device->settings;
	if (want->tap != have->tap) {
		warn_status(device, "tap",
			libinput_device_config_tap_set_enabled(d,
				want->tap ? LIBINPUT_CONFIG_TAP_ENABLED : LIBINPUT_CONFIG_TAP_DISABLED));
	}
	if (want->natural_scroll != have->natural_scroll) {
		warn_status(device, "natural scroll",
			libinput_device_config_scroll_set_natural_scroll_enabled(d, want->natural_scroll));
	}
	if (want->left_handed != have->left_handed) {
		warn_status(device, "left-handed",
			libinput_device_config_left_handed_set(d, want->left_handed));
	}
	if (want->accel_profile != have->accel_profile) {
		warn_status(device, "acceleration profile",
			libinput_device_config_accel_set_profile(d, accel_profile_li[want->accel_profile]));
	}
	if (want->accel_speed != have->accel_speed) {
		warn_status(device, "acceleration speed",
			libinput_device_config_accel_set_speed(d, want->accel_speed));
	}
	if (want->scroll_method != have->scroll_method) {
		warn_status(device, "scroll method",
			libinput_device_config_scroll_set_method(d, scroll_method_li[want->scroll_method]));
	}
	read_settings(d, &device->settings);
}

static const struct input_device_impl li_device_impl = {
	.set_leds = impl_set_leds,
	.apply_settings = impl_apply_settings,
};

/* Hotplug */

static uint32_t read_bustype(struct libinput_device *d) {
	struct udev_device *ud = libinput_device_get_udev_device(d);
	if (!ud) {
		return 0;
	}
	uint32_t bustype = 0;
	struct udev_device *parent = udev_device_get_parent(ud); // owned by ud
	const char *value = parent ? udev_device_get_sysattr_value(parent, "id/bustype") : NULL;
	if (value) {
		bustype = (uint32_t)strtoul(value, NULL, 16);
	}
	udev_device_unref(ud);
	return bustype;
}

static void device_added(struct input_libinput *backend, struct libinput_device *d) {
	struct li_device *ld = calloc(1, sizeof(*ld));
	if (!ld) {
		lumen_log(LUMEN_ERROR, "out of memory");
		return;
	}
	static const struct {
		enum libinput_device_capability li;
		uint32_t ours;
	} cap_map[] = {
		{LIBINPUT_DEVICE_CAP_KEYBOARD, LUMEN_INPUT_DEVICE_V1_CAPABILITY_KEYBOARD},
		{LIBINPUT_DEVICE_CAP_POINTER, LUMEN_INPUT_DEVICE_V1_CAPABILITY_POINTER},
		{LIBINPUT_DEVICE_CAP_TOUCH, LUMEN_INPUT_DEVICE_V1_CAPABILITY_TOUCH},
		{LIBINPUT_DEVICE_CAP_TABLET_TOOL, LUMEN_INPUT_DEVICE_V1_CAPABILITY_TABLET_TOOL},
		{LIBINPUT_DEVICE_CAP_TABLET_PAD, LUMEN_INPUT_DEVICE_V1_CAPABILITY_TABLET_PAD},
		{LIBINPUT_DEVICE_CAP_SWITCH, LUMEN_INPUT_DEVICE_V1_CAPABILITY_SWITCH},
	};
	uint32_t caps = 0;
	for (size_t i = 0; i < sizeof(cap_map) / sizeof(cap_map[0]); i++) {
		if (libinput_device_has_capability(d, cap_map[i].li)) {
			caps |= cap_map[i].ours;
		}
	}
	struct input_abs_axis axes[INPUT_MAX_AXES];
	size_t n = 0;
	if (caps & (LUMEN_INPUT_DEVICE_V1_CAPABILITY_POINTER |
				   LUMEN_INPUT_DEVICE_V1_CAPABILITY_TABLET_TOOL)) {
		axes[n++] = (struct input_abs_axis){ABS_X, 0, ABS_RANGE, 0};
		axes[n++] = (struct input_abs_axis){ABS_Y, 0, ABS_RANGE, 0};
	}
	if (caps & LUMEN_INPUT_DEVICE_V1_CAPABILITY_TABLET_TOOL) {
		axes[n++] = (struct input_abs_axis){ABS_PRESSURE, 0, ABS_RANGE, 0};
		axes[n++] = (struct input_abs_axis){ABS_DISTANCE, 0, ABS_RANGE, 0};
		axes[n++] = (struct input_abs_axis){ABS_TILT_X, -90, 90, 0};
		axes[n++] = (struct input_abs_axis){ABS_TILT_Y, -90, 90, 0};
		axes[n++] = (struct input_abs_axis){ABS_Z, 0, 359, 0};
		axes[n++] = (struct input_abs_axis){ABS_WHEEL, -ABS_RANGE, ABS_RANGE, 0};
	} else if (caps & LUMEN_INPUT_DEVICE_V1_CAPABILITY_TABLET_PAD) {
		axes[n++] = (struct input_abs_axis){ABS_WHEEL, -1, 359, 0};
		axes[n++] = (struct input_abs_axis){ABS_RX, -1, ABS_RANGE, 0};
	}
	if (caps & LUMEN_INPUT_DEVICE_V1_CAPABILITY_TOUCH && n + 2 <= INPUT_MAX_AXES) {
		axes[n++] = (struct input_abs_axis){ABS_MT_POSITION_X, 0, ABS_RANGE, 0};
		axes[n++] = (struct input_abs_axis){ABS_MT_POSITION_Y, 0, ABS_RANGE, 0};
	}
	int slots = libinput_device_touch_get_touch_count(d);
	char path[64];
	snprintf(path, sizeof(path), "input:libinput/%s", libinput_device_get_sysname(d));
	struct input_device_info info = {
		.path = path,
		.name = libinput_device_get_name(d),
		.bustype = read_bustype(d),
		.vendor = libinput_device_get_id_vendor(d),
		.product = libinput_device_get_id_product(d),
		.caps = caps,
		.axes = axes,
		.n_axes = n,
		.touch_slots = slots <= 0 || slots > INPUT_TOUCH_SLOTS ? INPUT_TOUCH_SLOTS
															   : (uint32_t)slots,
	};
	read_settings(d, &info.settings);
	ld->li_device = libinput_device_ref(d);
	ld->device = input_device_create(backend->server, &info, &li_device_impl, ld);
	if (!ld->device) {
		lumen_log(LUMEN_ERROR, "out of memory for %s", path);
		libinput_device_unref(d);
		free(ld);
		return;
	}
	libinput_device_set_user_data(d, ld);
}

static void device_removed(struct libinput_device *d) {
	struct li_device *ld = libinput_device_get_user_data(d);
	if (!ld) {
		return;
	}
	libinput_device_set_user_data(d, NULL);
	input_device_remove(ld->device);
	libinput_device_unref(ld->li_device);
	free(ld);
}

/* Events */

static struct input_device *event_device(struct libinput_event *event) {
	struct li_device *ld = libinput_device_get_user_data(libinput_event_get_device(event));
	return ld ? ld->device : NULL;
}

static int32_t scale(double fraction, int32_t range) {
	if (!(fraction > 0)) {
		return 0;
	}
	return fraction >= 1 ? range : (int32_t)(fraction * range + 0.5);
}

static void handle_scroll(struct input_device *dev, struct libinput_event_pointer *p,
		enum libinput_event_type type) {
	bool wheel = type == LIBINPUT_EVENT_POINTER_SCROLL_WHEEL;
	if (!wheel) {
		input_device_push(dev, INPUT_EV_AXIS_SOURCE, 0,
			type == LIBINPUT_EVENT_POINTER_SCROLL_FINGER
				? LUMEN_INPUT_DEVICE_V1_AXIS_SOURCE_FINGER
				: LUMEN_INPUT_DEVICE_V1_AXIS_SOURCE_CONTINUOUS);
	}
	static const struct {
		enum libinput_pointer_axis axis;
		uint16_t code;
		double sign; // libinput: positive is down/right; evdev's wheel: positive is up
	} axes[] = {
		{LIBINPUT_POINTER_AXIS_SCROLL_VERTICAL, REL_WHEEL_HI_RES, -1},
		{LIBINPUT_POINTER_AXIS_SCROLL_HORIZONTAL, REL_HWHEEL_HI_RES, 1},
	};
	for (size_t i = 0; i < 2; i++) {
		if (!libinput_event_pointer_has_axis(p, axes[i].axis)) {
			continue;
		}
		double v = wheel ? libinput_event_pointer_get_scroll_value_v120(p, axes[i].axis)
						 : libinput_event_pointer_get_scroll_value(p, axes[i].axis) * 8;
		input_device_push(dev, INPUT_EV_REL, axes[i].code, wl_fixed_from_double(axes[i].sign * v));
	}
}

static uint16_t tool_code(struct libinput_tablet_tool *tool) {
	switch (libinput_tablet_tool_get_type(tool)) {
	case LIBINPUT_TABLET_TOOL_TYPE_ERASER:
		return BTN_TOOL_RUBBER;
	case LIBINPUT_TABLET_TOOL_TYPE_BRUSH:
		return BTN_TOOL_BRUSH;
	case LIBINPUT_TABLET_TOOL_TYPE_PENCIL:
		return BTN_TOOL_PENCIL;
	case LIBINPUT_TABLET_TOOL_TYPE_AIRBRUSH:
		return BTN_TOOL_AIRBRUSH;
	case LIBINPUT_TABLET_TOOL_TYPE_MOUSE:
		return BTN_TOOL_MOUSE;
	case LIBINPUT_TABLET_TOOL_TYPE_LENS:
		return BTN_TOOL_LENS;
	default:
		return BTN_TOOL_PEN;
	}
}

static void tablet_axes(struct input_device *dev, struct libinput_event_tablet_tool *t,
		bool all) {
	if (all || libinput_event_tablet_tool_x_has_changed(t)) {
		input_device_push(dev, INPUT_EV_ABS, ABS_X,
			(int32_t)libinput_event_tablet_tool_get_x_transformed(t, ABS_RANGE + 1));
	}
	if (all || libinput_event_tablet_tool_y_has_changed(t)) {
		input_device_push(dev, INPUT_EV_ABS, ABS_Y,
			(int32_t)libinput_event_tablet_tool_get_y_transformed(t, ABS_RANGE + 1));
	}
	if (libinput_event_tablet_tool_pressure_has_changed(t)) {
		input_device_push(dev, INPUT_EV_ABS, ABS_PRESSURE,
			scale(libinput_event_tablet_tool_get_pressure(t), ABS_RANGE));
	}
	if (libinput_event_tablet_tool_distance_has_changed(t)) {
		input_device_push(dev, INPUT_EV_ABS, ABS_DISTANCE,
			scale(libinput_event_tablet_tool_get_distance(t), ABS_RANGE));
	}
	if (libinput_event_tablet_tool_tilt_x_has_changed(t)) {
		input_device_push(dev, INPUT_EV_ABS, ABS_TILT_X,
			(int32_t)libinput_event_tablet_tool_get_tilt_x(t));
	}
	if (libinput_event_tablet_tool_tilt_y_has_changed(t)) {
		input_device_push(dev, INPUT_EV_ABS, ABS_TILT_Y,
			(int32_t)libinput_event_tablet_tool_get_tilt_y(t));
	}
	if (libinput_event_tablet_tool_rotation_has_changed(t)) {
		input_device_push(dev, INPUT_EV_ABS, ABS_Z,
			(int32_t)libinput_event_tablet_tool_get_rotation(t) % 360);
	}
	if (libinput_event_tablet_tool_slider_has_changed(t)) {
		input_device_push(dev, INPUT_EV_ABS, ABS_WHEEL,
			(int32_t)(libinput_event_tablet_tool_get_slider_position(t) * ABS_RANGE));
	}
}

static void handle_touch(struct input_libinput *backend, struct input_device *dev,
		struct libinput_event_touch *t, enum libinput_event_type type) {
	int32_t slot = libinput_event_touch_get_slot(t);
	if (slot < 0) {
		slot = 0; // a single-touch device
	}
	if (slot >= INPUT_TOUCH_SLOTS) {
		return;
	}
	input_device_push(dev, INPUT_EV_ABS, ABS_MT_SLOT, slot);
	if (type == LIBINPUT_EVENT_TOUCH_DOWN) {
		input_device_push(dev, INPUT_EV_ABS, ABS_MT_TRACKING_ID,
			(int32_t)(backend->next_tracking_id++ & 0xffff));
	}
	if (type == LIBINPUT_EVENT_TOUCH_UP) {
		input_device_push(dev, INPUT_EV_ABS, ABS_MT_TRACKING_ID, -1);
		return;
	}
	input_device_push(dev, INPUT_EV_ABS, ABS_MT_POSITION_X,
		(int32_t)libinput_event_touch_get_x_transformed(t, ABS_RANGE + 1));
	input_device_push(dev, INPUT_EV_ABS, ABS_MT_POSITION_Y,
		(int32_t)libinput_event_touch_get_y_transformed(t, ABS_RANGE + 1));
}

static void handle_event(struct input_libinput *backend, struct libinput_event *event) {
	enum libinput_event_type type = libinput_event_get_type(event);
	if (type == LIBINPUT_EVENT_DEVICE_ADDED) {
		device_added(backend, libinput_event_get_device(event));
		return;
	}
	if (type == LIBINPUT_EVENT_DEVICE_REMOVED) {
		device_removed(libinput_event_get_device(event));
		return;
	}
	struct input_device *dev = event_device(event);
	if (!dev) {
		return;
	}
	uint64_t usec = 0;
	bool frame = true;
	switch (type) {
	case LIBINPUT_EVENT_KEYBOARD_KEY: {
		struct libinput_event_keyboard *k = libinput_event_get_keyboard_event(event);
		usec = libinput_event_keyboard_get_time_usec(k);
		input_device_push(dev, INPUT_EV_KEY, (uint16_t)libinput_event_keyboard_get_key(k),
			libinput_event_keyboard_get_key_state(k) == LIBINPUT_KEY_STATE_PRESSED);
		break;
	}
	case LIBINPUT_EVENT_POINTER_MOTION: {
		struct libinput_event_pointer *p = libinput_event_get_pointer_event(event);
		usec = libinput_event_pointer_get_time_usec(p);
		input_device_push(dev, INPUT_EV_REL, REL_X,
			wl_fixed_from_double(libinput_event_pointer_get_dx(p)));
		input_device_push(dev, INPUT_EV_REL, REL_Y,
			wl_fixed_from_double(libinput_event_pointer_get_dy(p)));
		break;
	}
	case LIBINPUT_EVENT_POINTER_MOTION_ABSOLUTE: {
		struct libinput_event_pointer *p = libinput_event_get_pointer_event(event);
		usec = libinput_event_pointer_get_time_usec(p);
		input_device_push(dev, INPUT_EV_ABS, ABS_X,
			(int32_t)libinput_event_pointer_get_absolute_x_transformed(p, ABS_RANGE + 1));
		input_device_push(dev, INPUT_EV_ABS, ABS_Y,
			(int32_t)libinput_event_pointer_get_absolute_y_transformed(p, ABS_RANGE + 1));
		break;
	}
	case LIBINPUT_EVENT_POINTER_BUTTON: {
		struct libinput_event_pointer *p = libinput_event_get_pointer_event(event);
		usec = libinput_event_pointer_get_time_usec(p);
		uint32_t button = libinput_event_pointer_get_button(p);
		if (button < INPUT_KEY_CODES) {
			input_device_push(dev, INPUT_EV_KEY, (uint16_t)button,
				libinput_event_pointer_get_button_state(p) == LIBINPUT_BUTTON_STATE_PRESSED);
		}
		break;
	}
	case LIBINPUT_EVENT_POINTER_SCROLL_WHEEL:
	case LIBINPUT_EVENT_POINTER_SCROLL_FINGER:
	case LIBINPUT_EVENT_POINTER_SCROLL_CONTINUOUS: {
		struct libinput_event_pointer *p = libinput_event_get_pointer_event(event);
		usec = libinput_event_pointer_get_time_usec(p);
		handle_scroll(dev, p, type);
		break;
	}
	case LIBINPUT_EVENT_TOUCH_DOWN:
	case LIBINPUT_EVENT_TOUCH_MOTION:
	case LIBINPUT_EVENT_TOUCH_UP:
	case LIBINPUT_EVENT_TOUCH_CANCEL: {
		struct libinput_event_touch *t = libinput_event_get_touch_event(event);
		handle_touch(backend, dev, t,
			type == LIBINPUT_EVENT_TOUCH_CANCEL ? LIBINPUT_EVENT_TOUCH_UP : type);
		frame = false; // touch frames end with LIBINPUT_EVENT_TOUCH_FRAME
		break;
	}
	case LIBINPUT_EVENT_TOUCH_FRAME:
		usec = libinput_event_touch_get_time_usec(libinput_event_get_touch_event(event));
		break;
	case LIBINPUT_EVENT_TABLET_TOOL_PROXIMITY:
	case LIBINPUT_EVENT_TABLET_TOOL_AXIS:
	case LIBINPUT_EVENT_TABLET_TOOL_TIP:
	case LIBINPUT_EVENT_TABLET_TOOL_BUTTON: {
		struct libinput_event_tablet_tool *t = libinput_event_get_tablet_tool_event(event);
		usec = libinput_event_tablet_tool_get_time_usec(t);
		uint16_t tool = tool_code(libinput_event_tablet_tool_get_tool(t));
		if (type == LIBINPUT_EVENT_TABLET_TOOL_PROXIMITY) {
			bool in = libinput_event_tablet_tool_get_proximity_state(t) ==
				LIBINPUT_TABLET_TOOL_PROXIMITY_STATE_IN;
			if (in) {
				input_device_push(dev, INPUT_EV_KEY, tool, 1);
				tablet_axes(dev, t, true);
			} else {
				input_device_push(dev, INPUT_EV_KEY, tool, 0);
			}
		} else if (type == LIBINPUT_EVENT_TABLET_TOOL_TIP) {
			tablet_axes(dev, t, false);
			input_device_push(dev, INPUT_EV_KEY, BTN_TOUCH,
				libinput_event_tablet_tool_get_tip_state(t) == LIBINPUT_TABLET_TOOL_TIP_DOWN);
		} else if (type == LIBINPUT_EVENT_TABLET_TOOL_BUTTON) {
			uint32_t button = libinput_event_tablet_tool_get_button(t);
			if (button < INPUT_KEY_CODES) {
				input_device_push(dev, INPUT_EV_KEY, (uint16_t)button,
					libinput_event_tablet_tool_get_button_state(t) ==
						LIBINPUT_BUTTON_STATE_PRESSED);
			}
		} else {
			tablet_axes(dev, t, false);
		}
		break;
	}
	case LIBINPUT_EVENT_TABLET_PAD_BUTTON: {
		struct libinput_event_tablet_pad *p = libinput_event_get_tablet_pad_event(event);
		usec = libinput_event_tablet_pad_get_time_usec(p);
		uint32_t button = libinput_event_tablet_pad_get_button_number(p);
		if (button <= BTN_9 - BTN_0) {
			input_device_push(dev, INPUT_EV_KEY, (uint16_t)(BTN_0 + button),
				libinput_event_tablet_pad_get_button_state(p) == LIBINPUT_BUTTON_STATE_PRESSED);
		}
		break;
	}
	case LIBINPUT_EVENT_TABLET_PAD_RING: {
		struct libinput_event_tablet_pad *p = libinput_event_get_tablet_pad_event(event);
		usec = libinput_event_tablet_pad_get_time_usec(p);
		double pos = libinput_event_tablet_pad_get_ring_position(p);
		input_device_push(dev, INPUT_EV_ABS, ABS_WHEEL, pos < 0 ? -1 : (int32_t)pos % 360);
		break;
	}
	case LIBINPUT_EVENT_TABLET_PAD_STRIP: {
		struct libinput_event_tablet_pad *p = libinput_event_get_tablet_pad_event(event);
		usec = libinput_event_tablet_pad_get_time_usec(p);
		double pos = libinput_event_tablet_pad_get_strip_position(p);
		input_device_push(dev, INPUT_EV_ABS, ABS_RX, pos < 0 ? -1 : scale(pos, ABS_RANGE));
		break;
	}
	case LIBINPUT_EVENT_SWITCH_TOGGLE: {
		struct libinput_event_switch *s = libinput_event_get_switch_event(event);
		usec = libinput_event_switch_get_time_usec(s);
		enum libinput_switch sw = libinput_event_switch_get_switch(s);
		input_device_push(dev, INPUT_EV_SWITCH,
			sw == LIBINPUT_SWITCH_LID ? SW_LID : SW_TABLET_MODE,
			libinput_event_switch_get_switch_state(s) == LIBINPUT_SWITCH_STATE_ON);
		break;
	}
	default:
		frame = false; // gestures, the deprecated axis event: not ours to pass on
		break;
	}
	if (frame) {
		/* A real device cannot be told to slow down: its oldest frames give way. */
		input_device_frame(dev, usec, true);
	}
}

static void dispatch(struct input_libinput *backend) {
	if (libinput_dispatch(backend->li) != 0) {
		lumen_log_errno(LUMEN_ERROR, "libinput_dispatch");
		return;
	}
	struct libinput_event *event;
	while ((event = libinput_get_event(backend->li))) {
		handle_event(backend, event);
		libinput_event_destroy(event);
	}
}

static int handle_libinput_readable(int fd, uint32_t mask, void *data) {
	dispatch(data);
	return 0;
}

static void handle_seat_enable(void *data) {
	struct input_libinput *backend = data;
	if (backend->li && libinput_resume(backend->li) != 0) {
		lumen_log(LUMEN_ERROR, "libinput could not resume");
	}
}

static void handle_seat_disable(void *data) {
	struct input_libinput *backend = data;
	if (backend->li) {
		libinput_suspend(backend->li);
		dispatch(backend); // devices removed: the master gets their releases
	}
	input_seat_ack_disable(backend->seat);
}

static const struct input_seat_listener seat_listener = {
	.enable = handle_seat_enable,
	.disable = handle_seat_disable,
};

struct input_libinput *input_libinput_create(struct input_server *server, const char *seat_name) {
	struct input_libinput *backend = calloc(1, sizeof(*backend));
	if (!backend) {
		lumen_log(LUMEN_ERROR, "out of memory");
		return NULL;
	}
	backend->server = server;
	backend->seat = input_seat_create(server->loop, &seat_listener, backend);
	if (!backend->seat) {
		goto fail;
	}
	backend->udev = udev_new();
	if (!backend->udev) {
		lumen_log_errno(LUMEN_ERROR, "udev_new");
		goto fail;
	}
	backend->li = libinput_udev_create_context(&li_interface, backend, backend->udev);
	if (!backend->li) {
		lumen_log(LUMEN_ERROR, "cannot create a libinput context");
		goto fail;
	}
	libinput_log_set_handler(backend->li, handle_li_log);
	libinput_log_set_priority(backend->li, lumen_log_get_level() >= LUMEN_DEBUG
			? LIBINPUT_LOG_PRIORITY_DEBUG
			: LIBINPUT_LOG_PRIORITY_ERROR);
	if (libinput_udev_assign_seat(backend->li, seat_name) != 0) {
		lumen_log(LUMEN_ERROR, "libinput could not take seat %s (no udev?)", seat_name);
		goto fail;
	}
	backend->source = wl_event_loop_add_fd(server->loop, libinput_get_fd(backend->li),
		WL_EVENT_READABLE, handle_libinput_readable, backend);
	if (!backend->source) {
		lumen_log(LUMEN_ERROR, "cannot watch libinput");
		goto fail;
	}
	dispatch(backend);
	size_t n = input_server_device_count(server);
	if (n == 0) {
		lumen_log(LUMEN_INFO, "libinput found no input devices on %s (no /dev/input?); "
							  "waiting for hotplug and drivers",
			seat_name);
	} else {
		lumen_log(LUMEN_INFO, "libinput found %zu input devices on %s", n, seat_name);
	}
	return backend;
fail:
	input_libinput_destroy(backend);
	return NULL;
}

void input_libinput_destroy(struct input_libinput *backend) {
	if (!backend) {
		return;
	}
	if (backend->source) {
		wl_event_source_remove(backend->source);
	}
	if (backend->li) {
		/* Suspending removes every device (DEVICE_REMOVED events), so ours go too. */
		libinput_suspend(backend->li);
		struct libinput_event *event;
		libinput_dispatch(backend->li);
		while ((event = libinput_get_event(backend->li))) {
			if (libinput_event_get_type(event) == LIBINPUT_EVENT_DEVICE_REMOVED) {
				device_removed(libinput_event_get_device(event));
			}
			libinput_event_destroy(event);
		}
		libinput_unref(backend->li);
	}
	if (backend->udev) {
		udev_unref(backend->udev);
	}
	input_seat_destroy(backend->seat);
	free(backend);
}
