/*
 * Drivers' virtual devices: every request checked against what the device's type
 * takes (the protocol's lumen_input_virtual_device_v1 description), events grouped in
 * frames and handed to the device model; the queue bound turns a flood into an error
 * to that driver alone.
 */
#include <linux/input-event-codes.h>
#include <linux/input.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/log.h"
#include "core.h"
#include "lumen-input-v1-protocol.h"

#define MAX_NAME 127
#define MAX_RANGE 65536
#define MAX_MOTION 4096
#define MAX_SCROLL (120 * 64)
#define MAX_PRESSURE 65535
#define MAX_TILT 90

struct input_vdev {
	struct wl_resource *resource;
	struct wl_list link; // input_server.virtual_devices
	struct input_device *device; // NULL once gone
	uint32_t type;
	uint32_t width, height;
	/* the driver's view, for checking its requests */
	uint8_t keys[INPUT_KEY_CODES / 8];
	int32_t slot;
	bool touching[INPUT_TOUCH_SLOTS];
	uint32_t tool; // a tablet's tool in proximity (BTN_TOOL_PEN, _RUBBER), 0 if none
};

static const struct lumen_input_virtual_device_v1_interface vdev_impl;

static struct input_vdev *vdev_from_resource(struct wl_resource *resource) {
	return wl_resource_get_user_data(resource);
}

static void post(struct wl_resource *resource, uint32_t code, const char *fmt, uint32_t a,
		int32_t b) {
	wl_resource_post_error(resource, code, fmt, a, b);
}

/* Room for one more event in this frame, else the error too_many_events. */
static bool check_room(struct input_vdev *vdev) {
	if (vdev->device->n_pending >= INPUT_MAX_FRAME_EVENTS) {
		wl_resource_post_error(vdev->resource,
			LUMEN_INPUT_VIRTUAL_DEVICE_V1_ERROR_TOO_MANY_EVENTS,
			"more than %d events in one frame", INPUT_MAX_FRAME_EVENTS);
		return false;
	}
	return true;
}

static bool is_keyboard_key(uint32_t code) {
	return (code >= KEY_ESC && code <= 255) || (code >= KEY_OK && code < BTN_TRIGGER_HAPPY);
}

static void vdev_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

/* A tablet tool's key: a tool entering (or leaving) proximity, one at a time; the tip
 * and the stylus buttons only while a tool is there. */
static bool tablet_key_ok(struct input_vdev *vdev, uint32_t code, uint32_t state) {
	if (code == BTN_TOOL_PEN || code == BTN_TOOL_RUBBER) {
		return state ? vdev->tool == 0 || vdev->tool == code : true;
	}
	return code == BTN_TOUCH || code == BTN_STYLUS || code == BTN_STYLUS2;
}

static void vdev_handle_key(struct wl_client *client, struct wl_resource *resource,
		uint32_t code, uint32_t state) {
	struct input_vdev *vdev = vdev_from_resource(resource);
	if (!vdev || !vdev->device) {
		return;
	}
	bool valid = false;
	switch (vdev->type) {
	case LUMEN_INPUT_V1_DEVICE_TYPE_KEYBOARD:
		valid = is_keyboard_key(code);
		break;
	case LUMEN_INPUT_V1_DEVICE_TYPE_POINTER:
		valid = code >= BTN_LEFT && code <= BTN_TASK;
		break;
	case LUMEN_INPUT_V1_DEVICE_TYPE_TABLET_PAD:
		valid = code >= BTN_0 && code <= BTN_9;
		break;
	case LUMEN_INPUT_V1_DEVICE_TYPE_TABLET_TOOL:
		valid = code == BTN_TOOL_PEN || code == BTN_TOOL_RUBBER || code == BTN_TOUCH ||
			code == BTN_STYLUS || code == BTN_STYLUS2;
		break;
	}
	if (!valid) {
		post(resource, LUMEN_INPUT_VIRTUAL_DEVICE_V1_ERROR_INVALID_CODE,
			"key code %u is not for this device (type %d)", code, (int32_t)vdev->type);
		return;
	}
	if (state > 1) {
		post(resource, LUMEN_INPUT_VIRTUAL_DEVICE_V1_ERROR_INVALID_VALUE,
			"key %u: state %d is not 0 or 1", code, (int32_t)state);
		return;
	}
	bool down = vdev->keys[code / 8] & (1u << (code % 8));
	if (down == (state == 1)) {
		return; // a repeat of the key's state, dropped as evdev does
	}
	if (vdev->type == LUMEN_INPUT_V1_DEVICE_TYPE_TABLET_TOOL) {
		if (!tablet_key_ok(vdev, code, state)) {
			post(resource, LUMEN_INPUT_VIRTUAL_DEVICE_V1_ERROR_INVALID_VALUE,
				"tablet key %u: state %d with another tool in proximity", code,
				(int32_t)state);
			return;
		}
		if (state && code != BTN_TOOL_PEN && code != BTN_TOOL_RUBBER && !vdev->tool) {
			post(resource, LUMEN_INPUT_VIRTUAL_DEVICE_V1_ERROR_INVALID_VALUE,
				"tablet key %u pressed with no tool in proximity (state %d)", code,
				(int32_t)state);
			return;
		}
	}
	if (!check_room(vdev)) {
		return;
	}
	vdev->keys[code / 8] ^= (uint8_t)(1u << (code % 8));
	if (code == BTN_TOOL_PEN || code == BTN_TOOL_RUBBER) {
		vdev->tool = state ? code : 0;
	}
	input_device_push(vdev->device, INPUT_EV_KEY, (uint16_t)code, (int32_t)state);
}

static void vdev_handle_relative(struct wl_client *client, struct wl_resource *resource,
		uint32_t code, wl_fixed_t value) {
	struct input_vdev *vdev = vdev_from_resource(resource);
	if (!vdev || !vdev->device) {
		return;
	}
	int32_t limit;
	if (vdev->type == LUMEN_INPUT_V1_DEVICE_TYPE_POINTER && (code == REL_X || code == REL_Y)) {
		limit = MAX_MOTION;
	} else if (vdev->type == LUMEN_INPUT_V1_DEVICE_TYPE_POINTER &&
			(code == REL_WHEEL_HI_RES || code == REL_HWHEEL_HI_RES)) {
		limit = MAX_SCROLL;
	} else {
		post(resource, LUMEN_INPUT_VIRTUAL_DEVICE_V1_ERROR_INVALID_CODE,
			"relative code %u is not for this device (type %d)", code, (int32_t)vdev->type);
		return;
	}
	if (value < wl_fixed_from_int(-limit) || value > wl_fixed_from_int(limit)) {
		post(resource, LUMEN_INPUT_VIRTUAL_DEVICE_V1_ERROR_INVALID_VALUE,
			"relative %u: %d (in 1/256) out of range", code, value);
		return;
	}
	if (!check_room(vdev)) {
		return;
	}
	input_device_push(vdev->device, INPUT_EV_REL, (uint16_t)code, value);
}

static bool in_range(int32_t value, uint32_t size) {
	return value >= 0 && (uint32_t)value < size;
}

static void vdev_handle_absolute(struct wl_client *client, struct wl_resource *resource,
		uint32_t code, int32_t value) {
	struct input_vdev *vdev = vdev_from_resource(resource);
	if (!vdev || !vdev->device) {
		return;
	}
	bool code_ok = false, value_ok = false;
	if (vdev->type == LUMEN_INPUT_V1_DEVICE_TYPE_POINTER && vdev->width > 0) {
		code_ok = code == ABS_X || code == ABS_Y;
		value_ok = in_range(value, code == ABS_X ? vdev->width : vdev->height);
	} else if (vdev->type == LUMEN_INPUT_V1_DEVICE_TYPE_TABLET_TOOL) {
		switch (code) {
		case ABS_X:
		case ABS_Y:
			code_ok = true;
			value_ok = in_range(value, code == ABS_X ? vdev->width : vdev->height);
			break;
		case ABS_PRESSURE:
		case ABS_DISTANCE:
			code_ok = true;
			value_ok = value >= 0 && value <= MAX_PRESSURE;
			break;
		case ABS_TILT_X:
		case ABS_TILT_Y:
			code_ok = true;
			value_ok = value >= -MAX_TILT && value <= MAX_TILT;
			break;
		}
	} else if (vdev->type == LUMEN_INPUT_V1_DEVICE_TYPE_TABLET_PAD) {
		code_ok = code == ABS_WHEEL || code == ABS_RX;
		value_ok = value >= -1 && value <= (code == ABS_WHEEL ? 359 : MAX_PRESSURE);
	} else if (vdev->type == LUMEN_INPUT_V1_DEVICE_TYPE_TOUCH) {
		bool active = vdev->touching[vdev->slot];
		switch (code) {
		case ABS_MT_SLOT:
			code_ok = true;
			value_ok = in_range(value, INPUT_TOUCH_SLOTS);
			break;
		case ABS_MT_TRACKING_ID:
			code_ok = true;
			/* A new contact on a free slot, or the end of the slot's contact. */
			value_ok = active ? value == -1 : in_range(value, MAX_RANGE);
			break;
		case ABS_MT_POSITION_X:
		case ABS_MT_POSITION_Y:
			code_ok = true;
			value_ok = active &&
				in_range(value, code == ABS_MT_POSITION_X ? vdev->width : vdev->height);
			break;
		}
	}
	if (!code_ok) {
		post(resource, LUMEN_INPUT_VIRTUAL_DEVICE_V1_ERROR_INVALID_CODE,
			"absolute code %u is not for this device (type %d)", code, (int32_t)vdev->type);
		return;
	}
	if (!value_ok) {
		post(resource, LUMEN_INPUT_VIRTUAL_DEVICE_V1_ERROR_INVALID_VALUE,
			"absolute %u: value %d out of range (or no contact in the slot)", code, value);
		return;
	}
	if (!check_room(vdev)) {
		return;
	}
	if (code == ABS_MT_SLOT) {
		vdev->slot = value;
	} else if (code == ABS_MT_TRACKING_ID) {
		vdev->touching[vdev->slot] = value >= 0;
	}
	input_device_push(vdev->device, INPUT_EV_ABS, (uint16_t)code, value);
}

static void vdev_handle_switch_state(struct wl_client *client, struct wl_resource *resource,
		uint32_t code, uint32_t state) {
	struct input_vdev *vdev = vdev_from_resource(resource);
	if (!vdev || !vdev->device) {
		return;
	}
	if (vdev->type != LUMEN_INPUT_V1_DEVICE_TYPE_SWITCH ||
			(code != SW_LID && code != SW_TABLET_MODE)) {
		post(resource, LUMEN_INPUT_VIRTUAL_DEVICE_V1_ERROR_INVALID_CODE,
			"switch code %u is not for this device (type %d)", code, (int32_t)vdev->type);
		return;
	}
	if (state > 1) {
		post(resource, LUMEN_INPUT_VIRTUAL_DEVICE_V1_ERROR_INVALID_VALUE,
			"switch %u: state %d is not 0 or 1", code, (int32_t)state);
		return;
	}
	if (!check_room(vdev)) {
		return;
	}
	input_device_push(vdev->device, INPUT_EV_SWITCH, (uint16_t)code, (int32_t)state);
}

static void vdev_handle_frame(struct wl_client *client, struct wl_resource *resource) {
	struct input_vdev *vdev = vdev_from_resource(resource);
	if (!vdev || !vdev->device) {
		return;
	}
	if (!input_device_frame(vdev->device, input_now_usec(), false)) {
		lumen_log(LUMEN_WARN, "%s: a driver flooded its device (%d events queued)",
			vdev->device->path, INPUT_QUEUE_MAX);
		wl_resource_post_error(resource, LUMEN_INPUT_VIRTUAL_DEVICE_V1_ERROR_FLOOD,
			"the device's queue is full (%d events): the driver writes faster than the "
			"master reads",
			INPUT_QUEUE_MAX);
	}
}

static const struct lumen_input_virtual_device_v1_interface vdev_impl = {
	.destroy = vdev_handle_destroy,
	.key = vdev_handle_key,
	.relative = vdev_handle_relative,
	.absolute = vdev_handle_absolute,
	.switch_state = vdev_handle_switch_state,
	.frame = vdev_handle_frame,
};

static void vdev_resource_destroy(struct wl_resource *resource) {
	struct input_vdev *vdev = vdev_from_resource(resource);
	if (!vdev) {
		return;
	}
	input_device_remove(vdev->device);
	wl_list_remove(&vdev->link);
	free(vdev);
}

/* The master's requests on the device */

static void impl_set_leds(struct input_device *device, uint32_t leds) {
	struct input_vdev *vdev = device->impl_data;
	lumen_input_virtual_device_v1_send_leds(vdev->resource, leds);
}

static void impl_apply_settings(struct input_device *device, const struct input_settings *want) {
	device->settings = *want; // recorded: a driver's device has no hardware to tune
}

static const struct input_device_impl vdev_device_impl = {
	.set_leds = impl_set_leds,
	.apply_settings = impl_apply_settings,
};

static size_t client_vdev_count(struct input_server *server, struct wl_client *client) {
	size_t n = 0;
	struct input_vdev *vdev;
	wl_list_for_each (vdev, &server->virtual_devices, link) {
		if (wl_resource_get_client(vdev->resource) == client) {
			n++;
		}
	}
	return n;
}

void input_vdev_create(struct wl_client *client, struct wl_resource *input_resource, uint32_t id,
		uint32_t type, const char *name, uint32_t vendor, uint32_t product, uint32_t width,
		uint32_t height) {
	struct input_server *server = wl_resource_get_user_data(input_resource);
	size_t name_len = strlen(name);
	const char *bad = NULL;
	if (type > LUMEN_INPUT_V1_DEVICE_TYPE_TABLET_PAD) {
		bad = "unknown device type";
	} else if (name_len == 0 || name_len > MAX_NAME) {
		bad = "name must be 1 to 127 bytes";
	} else if (vendor > 0xffff || product > 0xffff) {
		bad = "vendor and product ids are 16 bits";
	} else if (width > MAX_RANGE || height > MAX_RANGE || (width == 0) != (height == 0)) {
		bad = "width and height must both be 0, or both 1..65536";
	} else if ((type == LUMEN_INPUT_V1_DEVICE_TYPE_TOUCH ||
					   type == LUMEN_INPUT_V1_DEVICE_TYPE_TABLET_TOOL) &&
			width == 0) {
		bad = "a touch device or tablet tool needs a width and height";
	} else if ((type == LUMEN_INPUT_V1_DEVICE_TYPE_KEYBOARD ||
					   type == LUMEN_INPUT_V1_DEVICE_TYPE_SWITCH ||
					   type == LUMEN_INPUT_V1_DEVICE_TYPE_TABLET_PAD) &&
			width != 0) {
		bad = "only pointers, touch devices and tablet tools have a width and height";
	}
	if (bad) {
		wl_resource_post_error(input_resource, LUMEN_INPUT_V1_ERROR_INVALID_DEVICE, "%s", bad);
		return;
	}
	if (client_vdev_count(server, client) >= INPUT_MAX_VIRTUAL_PER_CLIENT) {
		wl_resource_post_error(input_resource, LUMEN_INPUT_V1_ERROR_TOO_MANY_DEVICES,
			"at most %d virtual devices per driver", INPUT_MAX_VIRTUAL_PER_CLIENT);
		return;
	}
	struct input_vdev *vdev = calloc(1, sizeof(*vdev));
	if (!vdev) {
		wl_client_post_no_memory(client);
		return;
	}
	vdev->resource = wl_resource_create(client, &lumen_input_virtual_device_v1_interface,
		wl_resource_get_version(input_resource), id);
	if (!vdev->resource) {
		free(vdev);
		wl_client_post_no_memory(client);
		return;
	}
	vdev->type = type;
	vdev->width = width;
	vdev->height = height;
	wl_list_insert(server->virtual_devices.prev, &vdev->link);
	wl_resource_set_implementation(vdev->resource, &vdev_impl, vdev, vdev_resource_destroy);

	static const uint32_t caps[] = {
		[LUMEN_INPUT_V1_DEVICE_TYPE_KEYBOARD] = LUMEN_INPUT_DEVICE_V1_CAPABILITY_KEYBOARD,
		[LUMEN_INPUT_V1_DEVICE_TYPE_POINTER] = LUMEN_INPUT_DEVICE_V1_CAPABILITY_POINTER,
		[LUMEN_INPUT_V1_DEVICE_TYPE_TOUCH] = LUMEN_INPUT_DEVICE_V1_CAPABILITY_TOUCH,
		[LUMEN_INPUT_V1_DEVICE_TYPE_SWITCH] = LUMEN_INPUT_DEVICE_V1_CAPABILITY_SWITCH,
		[LUMEN_INPUT_V1_DEVICE_TYPE_TABLET_TOOL] = LUMEN_INPUT_DEVICE_V1_CAPABILITY_TABLET_TOOL,
		[LUMEN_INPUT_V1_DEVICE_TYPE_TABLET_PAD] = LUMEN_INPUT_DEVICE_V1_CAPABILITY_TABLET_PAD,
	};
	char path[64];
	snprintf(path, sizeof(path), "input:virtual/%u", server->next_virtual++);
	struct input_abs_axis axes[6];
	size_t n_axes = 0;
	if (type == LUMEN_INPUT_V1_DEVICE_TYPE_TABLET_TOOL) {
		axes[0] = (struct input_abs_axis){ABS_X, 0, (int32_t)width - 1, 0};
		axes[1] = (struct input_abs_axis){ABS_Y, 0, (int32_t)height - 1, 0};
		axes[2] = (struct input_abs_axis){ABS_PRESSURE, 0, MAX_PRESSURE, 0};
		axes[3] = (struct input_abs_axis){ABS_DISTANCE, 0, MAX_PRESSURE, 0};
		axes[4] = (struct input_abs_axis){ABS_TILT_X, -MAX_TILT, MAX_TILT, 0};
		axes[5] = (struct input_abs_axis){ABS_TILT_Y, -MAX_TILT, MAX_TILT, 0};
		n_axes = 6;
	} else if (type == LUMEN_INPUT_V1_DEVICE_TYPE_TABLET_PAD) {
		axes[0] = (struct input_abs_axis){ABS_WHEEL, -1, 359, 0};
		axes[1] = (struct input_abs_axis){ABS_RX, -1, MAX_PRESSURE, 0};
		n_axes = 2;
	} else if (width > 0) {
		bool touch = type == LUMEN_INPUT_V1_DEVICE_TYPE_TOUCH;
		axes[0] = (struct input_abs_axis){touch ? ABS_MT_POSITION_X : ABS_X, 0,
			(int32_t)width - 1, 0};
		axes[1] = (struct input_abs_axis){touch ? ABS_MT_POSITION_Y : ABS_Y, 0,
			(int32_t)height - 1, 0};
		n_axes = 2;
	}
	struct input_device_info info = {
		.path = path,
		.name = name,
		.bustype = BUS_VIRTUAL,
		.vendor = vendor,
		.product = product,
		.caps = caps[type],
		.is_virtual = true,
		.axes = axes,
		.n_axes = n_axes,
		.touch_slots = type == LUMEN_INPUT_V1_DEVICE_TYPE_TOUCH ? INPUT_TOUCH_SLOTS : 0,
	};
	if (type == LUMEN_INPUT_V1_DEVICE_TYPE_POINTER) {
		/* Recorded, not applied: the compositor may read them back and act on them. */
		info.settings = (struct input_settings){
			.supported = LUMEN_INPUT_DEVICE_V1_SETTING_TAP |
				LUMEN_INPUT_DEVICE_V1_SETTING_NATURAL_SCROLL |
				LUMEN_INPUT_DEVICE_V1_SETTING_LEFT_HANDED | LUMEN_INPUT_DEVICE_V1_SETTING_ACCEL |
				LUMEN_INPUT_DEVICE_V1_SETTING_SCROLL_METHOD,
			.accel_profiles = 1u << LUMEN_INPUT_DEVICE_V1_ACCEL_PROFILE_FLAT |
				1u << LUMEN_INPUT_DEVICE_V1_ACCEL_PROFILE_ADAPTIVE,
			.scroll_methods = 1u << LUMEN_INPUT_DEVICE_V1_SCROLL_METHOD_NONE |
				1u << LUMEN_INPUT_DEVICE_V1_SCROLL_METHOD_TWO_FINGER |
				1u << LUMEN_INPUT_DEVICE_V1_SCROLL_METHOD_EDGE |
				1u << LUMEN_INPUT_DEVICE_V1_SCROLL_METHOD_ON_BUTTON_DOWN,
			.accel_profile = LUMEN_INPUT_DEVICE_V1_ACCEL_PROFILE_ADAPTIVE,
		};
	}
	lumen_input_virtual_device_v1_send_path(vdev->resource, path);
	vdev->device = input_device_create(server, &info, &vdev_device_impl, vdev);
	if (!vdev->device) {
		wl_client_post_no_memory(client);
	}
}
