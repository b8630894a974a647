/*
 * The lumen-input backend: a wlroots 0.15 backend whose input devices are lumen-inputd's
 * (protocols/lumen-input-v1.xml). We are inputd's seat master; each device it announces
 * becomes one wlr_input_device per capability (keyboard, pointer, touch, switch, tablet
 * tool, tablet pad), and its raw evdev events, grouped in frames, become wlroots events
 * stamped with the frame's time. Keys go through wlr_keyboard_notify_key, so that
 * wlroots keeps the xkb state; keymaps are the seat's business (seat.c).
 *
 * A tablet tool's frame is read as libinput would report it: the tool entering
 * proximity (BTN_TOOL_*), its axes (ABS_X/Y, pressure, distance, tilt), the tip
 * (BTN_TOUCH), its buttons, and leaving proximity last, the tip and buttons let go
 * first. Each kind of tool (pen, eraser, ...) is one wlr_tablet_tool, made when first
 * seen and destroyed with its tablet; tablet.c serves them over tablet-v2.
 *
 * inputd may die or restart (lumen-session restarts it). Nothing may stay stuck then:
 * before a device goes, whatever it still holds (keys, buttons, touches) is released
 * here, whether inputd said so or not. Then a timer tries to connect again, waiting a
 * little longer after each failure, up to RETRY_MAX_MS.
 *
 * The connection is asynchronous from the first attempt on: the compositor never
 * blocks on inputd.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/input-event-codes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wayland-client.h>
#include <wlr/backend/interface.h>
#include <wlr/interfaces/wlr_input_device.h>
#include <wlr/interfaces/wlr_keyboard.h>
#include <wlr/interfaces/wlr_pointer.h>
#include <wlr/interfaces/wlr_switch.h>
#include <wlr/interfaces/wlr_tablet_pad.h>
#include <wlr/interfaces/wlr_tablet_tool.h>
#include <wlr/interfaces/wlr_touch.h>
#include <wlr/types/wlr_keyboard.h>
#include <wlr/types/wlr_pointer.h>
#include <wlr/types/wlr_switch.h>
#include <wlr/types/wlr_tablet_pad.h>
#include <wlr/types/wlr_tablet_tool.h>
#include <wlr/types/wlr_touch.h>
#include "common/log.h"
#include "input-backend.h"
#include "lumen-input-v1-client-protocol.h"

#define RETRY_MIN_MS 50
#define RETRY_MAX_MS 2000
/* inputd closes a frame after at most 64 events (too_many_events); some slack. */
#define FRAME_MAX_EVENTS 128
#define TOUCH_SLOTS 16
#define MAX_BUTTONS 16
/* A wheel detent: 120 hi-res units, 15 of wlroots' (libinput's degrees). */
#define WHEEL_DETENT 120.0
#define WHEEL_DEGREES 15.0
/* Tablet tools by their evdev code, BTN_TOOL_PEN..BTN_TOOL_LENS (the finger excluded). */
#define TABLET_TOOL_KINDS (BTN_TOOL_LENS - BTN_TOOL_PEN + 1)
/* A pad's buttons: BTN_0.. (inputd's numbering of libinput's pad buttons). */
#define PAD_BUTTONS 10

enum wrap_kind {
	WRAP_KEYBOARD,
	WRAP_POINTER,
	WRAP_TOUCH,
	WRAP_SWITCH,
	WRAP_TABLET,
	WRAP_PAD,
	WRAP_COUNT,
};

struct input_backend {
	struct wlr_backend backend;
	struct wl_display *display; // the compositor's
	struct wl_event_loop *loop;
	char *socket_name;
	struct wl_display *remote; // our connection to inputd, NULL between attempts
	struct wl_registry *registry;
	struct lumen_input_v1 *li;
	struct wl_callback *master_sync; // answers become_master; NULL once answered
	struct wl_event_source *remote_source;
	struct wl_event_source *retry_timer;
	struct wl_event_source *flush_idle; // may be NULL
	int retry_ms;
	bool started, master, want_writable, lost;
	unsigned attempts; // failed attempts in a row, for quieter logs
	struct wl_list devices; // input_device.link
	struct wl_listener display_destroy;
};

struct input_device;

/* One wlr_input_device: the wlroots face of one capability of an inputd device. */
struct input_wrap {
	struct wlr_input_device base;
	struct input_device *device;
	union {
		struct wlr_keyboard keyboard;
		struct wlr_pointer pointer;
		struct wlr_touch touch;
		struct wlr_switch switch_device;
		struct wlr_tablet tablet;
		struct wlr_tablet_pad pad;
	};
	/* A tablet's tools, made when first in proximity, by their BTN_TOOL_* code. */
	struct wlr_tablet_tool *tools[TABLET_TOOL_KINDS];
	/* A pad's one mode group: all its buttons, its ring and strip (inputd says no more). */
	struct wlr_tablet_pad_group pad_group;
	unsigned int pad_buttons[PAD_BUTTONS], pad_ring, pad_strip;
};

struct pending_event {
	enum { PENDING_KEY, PENDING_REL, PENDING_ABS, PENDING_SWITCH } kind;
	uint32_t code;
	int32_t value; // key and switch state, absolute value
	double rel; // relative value
};

struct abs_range {
	int32_t min, max;
	bool set;
};

struct touch_slot {
	bool down; // wlroots has been told of this contact
	bool begin, end, moved; // in the frame being read
	int32_t x, y;
};

struct input_device {
	struct input_backend *backend;
	struct lumen_input_device_v1 *proxy;
	struct wl_list link; // input_backend.devices
	char name[128];
	char path[128];
	uint32_t vendor, product;
	uint32_t caps;
	uint32_t settings; // the settings it has (lumen_input_device_v1.setting bits)
	uint32_t accel_profile; // as inputd last said
	wl_fixed_t accel_speed;
	bool described; // the first done arrived
	bool emitted; // new_input sent for its wraps
	struct input_wrap *wraps[WRAP_COUNT]; // NULL for capabilities it lacks

	struct abs_range abs_x, abs_y, mt_x, mt_y;
	struct abs_range pressure, distance, tilt_x, tilt_y, wheel, strip;

	/* The frame being read: events wait for its time. */
	struct pending_event pending[FRAME_MAX_EVENTS];
	size_t n_pending;
	bool overflowed;
	enum wlr_axis_source axis_source;

	/* Pointer state, so that what is held can be released. */
	uint32_t buttons[MAX_BUTTONS];
	size_t n_buttons;
	int32_t px, py; // last absolute position
	double wheel_acc[2]; // hi-res units not yet a whole detent: vertical, horizontal

	struct touch_slot slots[TOUCH_SLOTS];
	int32_t cur_slot;

	/* A tablet tool's state (wraps[WRAP_TABLET]). */
	uint32_t tool_code; // the BTN_TOOL_* in proximity, 0 if none
	bool tip; // wlroots was told the tip is down
	int32_t tx, ty, t_pressure, t_distance, t_tilt_x, t_tilt_y;
	uint32_t tool_buttons[MAX_BUTTONS]; // held, as wlroots was told
	size_t n_tool_buttons;
	uint32_t pad_held; // a pad's buttons held, bit N for button N
};

static const struct wlr_backend_impl backend_impl;

static struct input_backend *input_backend_from(struct wlr_backend *wlr_backend) {
	return wl_container_of(wlr_backend, (struct input_backend *)NULL, backend);
}

bool comp_backend_is_input(struct wlr_backend *backend) {
	return backend && backend->impl == &backend_impl;
}

bool comp_input_backend_connected(struct wlr_backend *backend) {
	return comp_backend_is_input(backend) && input_backend_from(backend)->master;
}

static uint32_t now_msec(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

/* --- wlroots devices --- */

static void wrap_destroy_impl(struct wlr_input_device *base) {
	struct input_wrap *wrap = wl_container_of(base, wrap, base);
	free(wrap);
}

static const struct wlr_input_device_impl input_device_impl = {
	.destroy = wrap_destroy_impl,
};

/* The wrap is freed by input_device_impl's destroy, after wlroots is done with it. */
static void keyboard_destroy_impl(struct wlr_keyboard *keyboard) {
}

static void flush_remote(struct input_backend *backend);

static void handle_flush_idle(void *data) {
	struct input_backend *backend = data;
	backend->flush_idle = NULL;
	flush_remote(backend);
}

/* Requests made outside our own dispatch go out from an idle callback. */
static void schedule_flush(struct input_backend *backend) {
	if (!backend->flush_idle) {
		backend->flush_idle = wl_event_loop_add_idle(backend->loop, handle_flush_idle,
			backend);
	}
}

static void keyboard_led_update(struct wlr_keyboard *keyboard, uint32_t leds) {
	struct input_wrap *wrap = wl_container_of(keyboard, wrap, keyboard);
	struct input_device *device = wrap->device;
	if (!device || !device->proxy || device->backend->lost) {
		return;
	}
	/* wlroots' LED bits (num, caps, scroll) are the protocol's. */
	uint32_t mask = LUMEN_INPUT_DEVICE_V1_LED_NUM_LOCK | LUMEN_INPUT_DEVICE_V1_LED_CAPS_LOCK |
		LUMEN_INPUT_DEVICE_V1_LED_SCROLL_LOCK;
	lumen_input_device_v1_set_leds(device->proxy, leds & mask);
	/*
	 * Not flushed here: this runs inside a key event, i.e. inside our dispatch, where a
	 * failed write must not tear the connection down.
	 */
	schedule_flush(device->backend);
}

static const struct wlr_keyboard_impl keyboard_impl = {
	.destroy = keyboard_destroy_impl,
	.led_update = keyboard_led_update,
};

static void pointer_destroy_impl(struct wlr_pointer *pointer) {
}

static const struct wlr_pointer_impl pointer_impl = {
	.destroy = pointer_destroy_impl,
};

static void touch_destroy_impl(struct wlr_touch *touch) {
}

static const struct wlr_touch_impl touch_impl = {
	.destroy = touch_destroy_impl,
};

static void switch_destroy_impl(struct wlr_switch *switch_device) {
}

/* wlr_switch_init takes it non-const in 0.15. */
static struct wlr_switch_impl switch_impl = {
	.destroy = switch_destroy_impl,
};

/* The tools go with their tablet: tablet.c and tablet-v2 let go of them on destroy. */
static void tablet_destroy_impl(struct wlr_tablet *tablet) {
	struct input_wrap *wrap = wl_container_of(tablet, wrap, tablet);
	for (int i = 0; i < TABLET_TOOL_KINDS; i++) {
		struct wlr_tablet_tool *tool = wrap->tools[i];
		if (tool) {
			wl_signal_emit(&tool->events.destroy, tool);
			free(tool);
			wrap->tools[i] = NULL;
		}
	}
}

static const struct wlr_tablet_impl tablet_impl = {
	.destroy = tablet_destroy_impl,
};

static void pad_destroy_impl(struct wlr_tablet_pad *pad) {
}

/* wlr_tablet_pad_init takes it non-const in 0.15. */
static struct wlr_tablet_pad_impl pad_impl = {
	.destroy = pad_destroy_impl,
};

static struct input_wrap *wrap_create(struct input_device *device, enum wrap_kind kind) {
	struct input_wrap *wrap = calloc(1, sizeof(*wrap));
	if (!wrap) {
		return NULL;
	}
	wrap->device = device;
	static const enum wlr_input_device_type types[WRAP_COUNT] = {
		[WRAP_KEYBOARD] = WLR_INPUT_DEVICE_KEYBOARD,
		[WRAP_POINTER] = WLR_INPUT_DEVICE_POINTER,
		[WRAP_TOUCH] = WLR_INPUT_DEVICE_TOUCH,
		[WRAP_SWITCH] = WLR_INPUT_DEVICE_SWITCH,
		[WRAP_TABLET] = WLR_INPUT_DEVICE_TABLET_TOOL,
		[WRAP_PAD] = WLR_INPUT_DEVICE_TABLET_PAD,
	};
	wlr_input_device_init(&wrap->base, types[kind], &input_device_impl, device->name,
		(int)device->vendor, (int)device->product);
	if (!wrap->base.name) {
		free(wrap);
		return NULL;
	}
	switch (kind) {
	case WRAP_KEYBOARD:
		wlr_keyboard_init(&wrap->keyboard, &keyboard_impl);
		wrap->base.keyboard = &wrap->keyboard;
		break;
	case WRAP_POINTER:
		wlr_pointer_init(&wrap->pointer, &pointer_impl);
		wrap->base.pointer = &wrap->pointer;
		break;
	case WRAP_TOUCH:
		wlr_touch_init(&wrap->touch, &touch_impl);
		wrap->base.touch = &wrap->touch;
		break;
	case WRAP_SWITCH:
		wlr_switch_init(&wrap->switch_device, &switch_impl);
		wrap->base.switch_device = &wrap->switch_device;
		break;
	case WRAP_TABLET:
		wlr_tablet_init(&wrap->tablet, &tablet_impl);
		wrap->tablet.name = wrap->base.name; // tablet-v2 reads it; owned by base
		wrap->base.tablet = &wrap->tablet;
		break;
	case WRAP_PAD:
		wlr_tablet_pad_init(&wrap->pad, &pad_impl);
		wrap->pad.button_count = PAD_BUTTONS;
		wrap->pad.ring_count = device->wheel.set ? 1 : 0;
		wrap->pad.strip_count = device->strip.set ? 1 : 0;
		for (unsigned int i = 0; i < PAD_BUTTONS; i++) {
			wrap->pad_buttons[i] = i;
		}
		wrap->pad_group = (struct wlr_tablet_pad_group){
			.button_count = PAD_BUTTONS,
			.buttons = wrap->pad_buttons,
			.ring_count = wrap->pad.ring_count,
			.rings = &wrap->pad_ring,
			.strip_count = wrap->pad.strip_count,
			.strips = &wrap->pad_strip,
			.mode_count = 1,
		};
		wl_list_insert(&wrap->pad.groups, &wrap->pad_group.link);
		wrap->base.tablet_pad = &wrap->pad;
		break;
	case WRAP_COUNT:
		break;
	}
	return wrap;
}

/* --- tablet tools --- */

static double scale_abs(const struct abs_range *range, int32_t value) {
	if (!range->set || range->max <= range->min) {
		return 0.0;
	}
	double v = ((double)value - range->min) / ((double)range->max - range->min);
	return v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v;
}

static bool is_button(uint32_t code) {
	return code >= BTN_MISC && code <= BTN_GEAR_UP;
}

static bool is_tool_code(uint32_t code) {
	return code >= BTN_TOOL_PEN && code <= BTN_TOOL_LENS && code != BTN_TOOL_FINGER;
}

/* The tool of this kind, made on first sight; NULL when out of memory. */
static struct wlr_tablet_tool *tablet_tool(struct input_device *device, uint32_t code) {
	struct input_wrap *wrap = device->wraps[WRAP_TABLET];
	struct wlr_tablet_tool **slot = &wrap->tools[code - BTN_TOOL_PEN];
	if (*slot) {
		return *slot;
	}
	struct wlr_tablet_tool *tool = calloc(1, sizeof(*tool));
	if (!tool) {
		lumen_log(LUMEN_ERROR, "input: out of memory for a tool of %s", device->name);
		return NULL;
	}
	static const enum wlr_tablet_tool_type types[TABLET_TOOL_KINDS] = {
		[BTN_TOOL_PEN - BTN_TOOL_PEN] = WLR_TABLET_TOOL_TYPE_PEN,
		[BTN_TOOL_RUBBER - BTN_TOOL_PEN] = WLR_TABLET_TOOL_TYPE_ERASER,
		[BTN_TOOL_BRUSH - BTN_TOOL_PEN] = WLR_TABLET_TOOL_TYPE_BRUSH,
		[BTN_TOOL_PENCIL - BTN_TOOL_PEN] = WLR_TABLET_TOOL_TYPE_PENCIL,
		[BTN_TOOL_AIRBRUSH - BTN_TOOL_PEN] = WLR_TABLET_TOOL_TYPE_AIRBRUSH,
		[BTN_TOOL_FINGER - BTN_TOOL_PEN] = WLR_TABLET_TOOL_TYPE_PEN,
		[BTN_TOOL_MOUSE - BTN_TOOL_PEN] = WLR_TABLET_TOOL_TYPE_MOUSE,
		[BTN_TOOL_LENS - BTN_TOOL_PEN] = WLR_TABLET_TOOL_TYPE_LENS,
	};
	tool->type = types[code - BTN_TOOL_PEN];
	tool->pressure = device->pressure.set;
	tool->distance = device->distance.set;
	tool->tilt = device->tilt_x.set && device->tilt_y.set;
	wl_signal_init(&tool->events.destroy);
	*slot = tool;
	return tool;
}

static void tool_button(struct input_device *device, struct wlr_tablet_tool *tool,
		uint32_t time, uint32_t code, bool pressed) {
	size_t i = 0;
	while (i < device->n_tool_buttons && device->tool_buttons[i] != code) {
		i++;
	}
	bool held = i < device->n_tool_buttons;
	if (held == pressed || (pressed && device->n_tool_buttons >= MAX_BUTTONS)) {
		return;
	}
	if (pressed) {
		device->tool_buttons[device->n_tool_buttons++] = code;
	} else {
		device->tool_buttons[i] = device->tool_buttons[--device->n_tool_buttons];
	}
	struct input_wrap *wrap = device->wraps[WRAP_TABLET];
	struct wlr_event_tablet_tool_button event = {
		.device = &wrap->base,
		.tool = tool,
		.time_msec = time,
		.button = code,
		.state = pressed ? WLR_BUTTON_PRESSED : WLR_BUTTON_RELEASED,
	};
	wl_signal_emit(&wrap->tablet.events.button, &event);
}

static void tool_tip(struct input_device *device, struct wlr_tablet_tool *tool, uint32_t time,
		bool down) {
	if (device->tip == down) {
		return;
	}
	device->tip = down;
	struct input_wrap *wrap = device->wraps[WRAP_TABLET];
	struct wlr_event_tablet_tool_tip event = {
		.device = &wrap->base,
		.tool = tool,
		.time_msec = time,
		.x = scale_abs(&device->abs_x, device->tx),
		.y = scale_abs(&device->abs_y, device->ty),
		.state = down ? WLR_TABLET_TOOL_TIP_DOWN : WLR_TABLET_TOOL_TIP_UP,
	};
	wl_signal_emit(&wrap->tablet.events.tip, &event);
}

/* The tool in proximity leaves it: tip up and buttons released first. */
static void tablet_leave(struct input_device *device, uint32_t time) {
	struct input_wrap *wrap = device->wraps[WRAP_TABLET];
	if (!wrap || !device->tool_code) {
		return;
	}
	struct wlr_tablet_tool *tool = wrap->tools[device->tool_code - BTN_TOOL_PEN];
	device->tool_code = 0;
	if (!tool) {
		return;
	}
	tool_tip(device, tool, time, false);
	while (device->n_tool_buttons > 0) {
		tool_button(device, tool, time, device->tool_buttons[device->n_tool_buttons - 1], false);
	}
	struct wlr_event_tablet_tool_proximity event = {
		.device = &wrap->base,
		.tool = tool,
		.time_msec = time,
		.x = scale_abs(&device->abs_x, device->tx),
		.y = scale_abs(&device->abs_y, device->ty),
		.state = WLR_TABLET_TOOL_PROXIMITY_OUT,
	};
	wl_signal_emit(&wrap->tablet.events.proximity, &event);
}

static void run_tablet_frame(struct input_device *device, uint32_t time) {
	struct input_wrap *wrap = device->wraps[WRAP_TABLET];
	uint32_t enter = 0, updated = 0;
	bool leave = false, tip_seen = false, tip = device->tip;
	for (size_t i = 0; i < device->n_pending; i++) {
		const struct pending_event *ev = &device->pending[i];
		if (ev->kind == PENDING_KEY && is_tool_code(ev->code)) {
			if (ev->value) {
				enter = ev->code;
				leave = false;
			} else if (ev->code == device->tool_code || ev->code == enter) {
				leave = true;
			}
		} else if (ev->kind == PENDING_KEY && ev->code == BTN_TOUCH) {
			tip_seen = true;
			tip = ev->value != 0;
		} else if (ev->kind == PENDING_ABS) {
			switch (ev->code) {
			case ABS_X:
				device->tx = ev->value;
				updated |= WLR_TABLET_TOOL_AXIS_X;
				break;
			case ABS_Y:
				device->ty = ev->value;
				updated |= WLR_TABLET_TOOL_AXIS_Y;
				break;
			case ABS_PRESSURE:
				device->t_pressure = ev->value;
				updated |= WLR_TABLET_TOOL_AXIS_PRESSURE;
				break;
			case ABS_DISTANCE:
				device->t_distance = ev->value;
				updated |= WLR_TABLET_TOOL_AXIS_DISTANCE;
				break;
			case ABS_TILT_X:
				device->t_tilt_x = ev->value;
				updated |= WLR_TABLET_TOOL_AXIS_TILT_X;
				break;
			case ABS_TILT_Y:
				device->t_tilt_y = ev->value;
				updated |= WLR_TABLET_TOOL_AXIS_TILT_Y;
				break;
			default:
				break;
			}
		}
	}
	/* Another tool in place of the one there: the old one leaves first. */
	if (enter && device->tool_code && enter != device->tool_code) {
		tablet_leave(device, time);
	}
	struct wlr_tablet_tool *tool = NULL;
	if (enter && !device->tool_code) {
		tool = tablet_tool(device, enter);
		if (!tool) {
			return;
		}
		device->tool_code = enter;
		struct wlr_event_tablet_tool_proximity event = {
			.device = &wrap->base,
			.tool = tool,
			.time_msec = time,
			.x = scale_abs(&device->abs_x, device->tx),
			.y = scale_abs(&device->abs_y, device->ty),
			.state = WLR_TABLET_TOOL_PROXIMITY_IN,
		};
		wl_signal_emit(&wrap->tablet.events.proximity, &event);
		/* Where it came in was said: the rest of the axes follow. */
		updated &= ~(uint32_t)(WLR_TABLET_TOOL_AXIS_X | WLR_TABLET_TOOL_AXIS_Y);
	}
	if (!device->tool_code) {
		return; // events of no tool in proximity: nothing to say
	}
	tool = wrap->tools[device->tool_code - BTN_TOOL_PEN];
	if (!tool) {
		return;
	}
	if (updated) {
		struct wlr_event_tablet_tool_axis event = {
			.device = &wrap->base,
			.tool = tool,
			.time_msec = time,
			.updated_axes = updated,
			.x = scale_abs(&device->abs_x, device->tx),
			.y = scale_abs(&device->abs_y, device->ty),
			.pressure = scale_abs(&device->pressure, device->t_pressure),
			.distance = scale_abs(&device->distance, device->t_distance),
			.tilt_x = device->t_tilt_x,
			.tilt_y = device->t_tilt_y,
		};
		wl_signal_emit(&wrap->tablet.events.axis, &event);
	}
	if (tip_seen) {
		tool_tip(device, tool, time, tip);
	}
	for (size_t i = 0; i < device->n_pending; i++) {
		const struct pending_event *ev = &device->pending[i];
		if (ev->kind == PENDING_KEY && is_button(ev->code) && ev->code != BTN_TOUCH &&
				!(ev->code >= BTN_TOOL_PEN && ev->code <= BTN_TOOL_QUINTTAP)) {
			tool_button(device, tool, time, ev->code, ev->value != 0);
		}
	}
	if (leave) {
		tablet_leave(device, time);
	}
}

static void run_pad_frame(struct input_device *device, uint32_t time) {
	struct input_wrap *wrap = device->wraps[WRAP_PAD];
	for (size_t i = 0; i < device->n_pending; i++) {
		const struct pending_event *ev = &device->pending[i];
		if (ev->kind == PENDING_KEY && ev->code >= BTN_0 && ev->code < BTN_0 + PAD_BUTTONS) {
			uint32_t bit = 1u << (ev->code - BTN_0);
			if (!!(device->pad_held & bit) == (ev->value != 0)) {
				continue;
			}
			device->pad_held ^= bit;
			struct wlr_event_tablet_pad_button event = {
				.time_msec = time,
				.button = ev->code - BTN_0,
				.state = ev->value ? WLR_BUTTON_PRESSED : WLR_BUTTON_RELEASED,
			};
			wl_signal_emit(&wrap->pad.events.button, &event);
		} else if (ev->kind == PENDING_ABS && ev->code == ABS_WHEEL && device->wheel.set) {
			/* inputd: the ring's angle in degrees, -1 when the finger leaves. */
			struct wlr_event_tablet_pad_ring event = {
				.time_msec = time,
				.source = WLR_TABLET_PAD_RING_SOURCE_FINGER,
				.position = ev->value < 0 ? -1.0 : ev->value,
			};
			wl_signal_emit(&wrap->pad.events.ring, &event);
		} else if (ev->kind == PENDING_ABS && ev->code == ABS_RX && device->strip.set) {
			/* inputd: the strip's position in 0..max, -1 when the finger leaves. */
			struct wlr_event_tablet_pad_strip event = {
				.time_msec = time,
				.source = WLR_TABLET_PAD_STRIP_SOURCE_FINGER,
				.position = ev->value < 0 || device->strip.max <= 0 ? -1.0
					: ev->value > device->strip.max ? 1.0
													: (double)ev->value / device->strip.max,
			};
			wl_signal_emit(&wrap->pad.events.strip, &event);
		}
	}
}

/* Whatever the device still holds is let go, so nothing stays stuck in the seat. */
static void release_held(struct input_device *device) {
	uint32_t time = now_msec();
	struct input_wrap *kbd = device->wraps[WRAP_KEYBOARD];
	if (kbd && kbd->keyboard.num_keycodes > 0) {
		/* notify_key edits the array we walk: work on a copy. */
		uint32_t keys[WLR_KEYBOARD_KEYS_CAP];
		size_t n = kbd->keyboard.num_keycodes;
		memcpy(keys, kbd->keyboard.keycodes, n * sizeof(keys[0]));
		/* Last pressed first, as fingers would let go of Shift+X. */
		for (size_t i = n; i-- > 0;) {
			struct wlr_event_keyboard_key event = {
				.time_msec = time,
				.keycode = keys[i],
				.update_state = true,
				.state = WL_KEYBOARD_KEY_STATE_RELEASED,
			};
			wlr_keyboard_notify_key(&kbd->keyboard, &event);
		}
	}
	struct input_wrap *ptr = device->wraps[WRAP_POINTER];
	if (ptr && device->n_buttons > 0) {
		for (size_t i = 0; i < device->n_buttons; i++) {
			struct wlr_event_pointer_button event = {
				.device = &ptr->base,
				.time_msec = time,
				.button = device->buttons[i],
				.state = WLR_BUTTON_RELEASED,
			};
			wl_signal_emit(&ptr->pointer.events.button, &event);
		}
		device->n_buttons = 0;
		wl_signal_emit(&ptr->pointer.events.frame, &ptr->pointer);
	}
	tablet_leave(device, time);
	struct input_wrap *pad = device->wraps[WRAP_PAD];
	for (uint32_t i = 0; pad && i < PAD_BUTTONS; i++) {
		if (device->pad_held & (1u << i)) {
			struct wlr_event_tablet_pad_button event = {
				.time_msec = time,
				.button = i,
				.state = WLR_BUTTON_RELEASED,
			};
			wl_signal_emit(&pad->pad.events.button, &event);
		}
	}
	device->pad_held = 0;
	struct input_wrap *touch = device->wraps[WRAP_TOUCH];
	if (touch) {
		bool any = false;
		for (int i = 0; i < TOUCH_SLOTS; i++) {
			if (device->slots[i].down) {
				struct wlr_event_touch_up event = {
					.device = &touch->base,
					.time_msec = time,
					.touch_id = i,
				};
				wl_signal_emit(&touch->touch.events.up, &event);
				device->slots[i].down = false;
				any = true;
			}
		}
		if (any) {
			wl_signal_emit(&touch->touch.events.frame, NULL);
		}
	}
}

static void emit_device(struct input_device *device) {
	struct input_backend *backend = device->backend;
	if (device->emitted || !device->described || !backend->started) {
		return;
	}
	device->emitted = true;
	for (int i = 0; i < WRAP_COUNT; i++) {
		if (device->wraps[i]) {
			wl_signal_emit(&backend->backend.events.new_input, &device->wraps[i]->base);
		}
	}
}

static void device_destroy(struct input_device *device, bool release) {
	if (device->emitted && release) {
		release_held(device);
	}
	for (int i = 0; i < WRAP_COUNT; i++) {
		struct input_wrap *wrap = device->wraps[i];
		if (!wrap) {
			continue;
		}
		wrap->device = NULL;
		device->wraps[i] = NULL;
		if (device->emitted) {
			wlr_input_device_destroy(&wrap->base);
		} else {
			/* Never shown to anyone: only what init allocated. */
			free(wrap->base.name);
			free(wrap);
		}
	}
	if (device->proxy) {
		lumen_input_device_v1_destroy(device->proxy);
	}
	wl_list_remove(&device->link);
	free(device);
}

/* --- frames --- */

static void press_button(struct input_device *device, uint32_t code, bool pressed) {
	for (size_t i = 0; i < device->n_buttons; i++) {
		if (device->buttons[i] == code) {
			if (!pressed) {
				device->buttons[i] = device->buttons[--device->n_buttons];
			}
			return;
		}
	}
	if (pressed && device->n_buttons < MAX_BUTTONS) {
		device->buttons[device->n_buttons++] = code;
	}
}

static void emit_axis(struct input_device *device, struct input_wrap *ptr, uint32_t time,
		enum wlr_axis_orientation orientation, double value) {
	/* evdev's wheel is positive away from the user; Wayland's is positive down. */
	double sign = orientation == WLR_AXIS_ORIENTATION_VERTICAL ? -1.0 : 1.0;
	int32_t discrete = 0;
	if (device->axis_source == WLR_AXIS_SOURCE_WHEEL ||
			device->axis_source == WLR_AXIS_SOURCE_WHEEL_TILT) {
		double *acc = &device->wheel_acc[orientation];
		*acc += value;
		discrete = (int32_t)(*acc / WHEEL_DETENT);
		*acc -= discrete * WHEEL_DETENT;
	}
	struct wlr_event_pointer_axis event = {
		.device = &ptr->base,
		.time_msec = time,
		.source = device->axis_source,
		.orientation = orientation,
		.delta = sign * value * WHEEL_DEGREES / WHEEL_DETENT,
		.delta_discrete = (int32_t)sign * discrete,
	};
	wl_signal_emit(&ptr->pointer.events.axis, &event);
}

static void run_frame(struct input_device *device, uint32_t time) {
	struct input_wrap *kbd = device->wraps[WRAP_KEYBOARD];
	struct input_wrap *ptr = device->wraps[WRAP_POINTER];
	struct input_wrap *touch = device->wraps[WRAP_TOUCH];
	struct input_wrap *sw = device->wraps[WRAP_SWITCH];
	bool pointer_frame = false, touch_frame = false;

	/* Motion first, summed over the frame: the buttons of this frame happen where the
	 * pointer ends up. */
	double dx = 0, dy = 0;
	bool rel = false, abs = false;
	for (size_t i = 0; i < device->n_pending; i++) {
		const struct pending_event *ev = &device->pending[i];
		if (ev->kind == PENDING_REL && (ev->code == REL_X || ev->code == REL_Y)) {
			*(ev->code == REL_X ? &dx : &dy) += ev->rel;
			rel = true;
		} else if (ev->kind == PENDING_ABS && (ev->code == ABS_X || ev->code == ABS_Y)) {
			*(ev->code == ABS_X ? &device->px : &device->py) = ev->value;
			abs = true;
		}
	}
	if (ptr && rel) {
		struct wlr_event_pointer_motion event = {
			.device = &ptr->base,
			.time_msec = time,
			.delta_x = dx,
			.delta_y = dy,
			.unaccel_dx = dx,
			.unaccel_dy = dy,
		};
		wl_signal_emit(&ptr->pointer.events.motion, &event);
		pointer_frame = true;
	}
	if (ptr && abs) {
		struct wlr_event_pointer_motion_absolute event = {
			.device = &ptr->base,
			.time_msec = time,
			.x = scale_abs(&device->abs_x, device->px),
			.y = scale_abs(&device->abs_y, device->py),
		};
		wl_signal_emit(&ptr->pointer.events.motion_absolute, &event);
		pointer_frame = true;
	}

	for (size_t i = 0; i < device->n_pending; i++) {
		const struct pending_event *ev = &device->pending[i];
		switch (ev->kind) {
		case PENDING_KEY:
			if (is_button(ev->code)) {
				if (!ptr || (ev->code >= BTN_DIGI && ev->code < BTN_WHEEL)) {
					break; // tablet and touch tool bits: not ours to report
				}
				press_button(device, ev->code, ev->value != 0);
				struct wlr_event_pointer_button event = {
					.device = &ptr->base,
					.time_msec = time,
					.button = ev->code,
					.state = ev->value ? WLR_BUTTON_PRESSED : WLR_BUTTON_RELEASED,
				};
				wl_signal_emit(&ptr->pointer.events.button, &event);
				pointer_frame = true;
			} else if (kbd) {
				/* inputd drops repeated presses; a stray one would only be ignored by
				 * wlroots' key set anyway. */
				struct wlr_event_keyboard_key event = {
					.time_msec = time,
					.keycode = ev->code,
					.update_state = true,
					.state = ev->value ? WL_KEYBOARD_KEY_STATE_PRESSED
						: WL_KEYBOARD_KEY_STATE_RELEASED,
				};
				wlr_keyboard_notify_key(&kbd->keyboard, &event);
			}
			break;
		case PENDING_REL:
			if (ptr && (ev->code == REL_WHEEL_HI_RES || ev->code == REL_HWHEEL_HI_RES)) {
				emit_axis(device, ptr, time, ev->code == REL_WHEEL_HI_RES ?
					WLR_AXIS_ORIENTATION_VERTICAL : WLR_AXIS_ORIENTATION_HORIZONTAL, ev->rel);
				pointer_frame = true;
			}
			break;
		case PENDING_ABS: {
			if (!touch) {
				break;
			}
			if (ev->code == ABS_MT_SLOT) {
				device->cur_slot = ev->value;
				break;
			}
			if (device->cur_slot < 0 || device->cur_slot >= TOUCH_SLOTS) {
				break;
			}
			struct touch_slot *slot = &device->slots[device->cur_slot];
			if (ev->code == ABS_MT_TRACKING_ID) {
				if (ev->value < 0) {
					slot->end = true;
				} else {
					slot->begin = true;
				}
			} else if (ev->code == ABS_MT_POSITION_X) {
				slot->x = ev->value;
				slot->moved = true;
			} else if (ev->code == ABS_MT_POSITION_Y) {
				slot->y = ev->value;
				slot->moved = true;
			}
			break;
		}
		case PENDING_SWITCH:
			if (sw && (ev->code == SW_LID || ev->code == SW_TABLET_MODE)) {
				struct wlr_event_switch_toggle event = {
					.device = &sw->base,
					.time_msec = time,
					.switch_type = ev->code == SW_LID ? WLR_SWITCH_TYPE_LID
						: WLR_SWITCH_TYPE_TABLET_MODE,
					.switch_state = ev->value ? WLR_SWITCH_STATE_ON : WLR_SWITCH_STATE_OFF,
				};
				wl_signal_emit(&sw->switch_device.events.toggle, &event);
			}
			break;
		}
	}

	if (touch) {
		for (int i = 0; i < TOUCH_SLOTS; i++) {
			struct touch_slot *slot = &device->slots[i];
			if (slot->end && slot->down) {
				struct wlr_event_touch_up event = {
					.device = &touch->base, .time_msec = time, .touch_id = i,
				};
				wl_signal_emit(&touch->touch.events.up, &event);
				slot->down = false;
				touch_frame = true;
			}
			if (slot->begin && !slot->down && !(slot->end && !slot->moved)) {
				struct wlr_event_touch_down event = {
					.device = &touch->base, .time_msec = time, .touch_id = i,
					.x = scale_abs(&device->mt_x, slot->x),
					.y = scale_abs(&device->mt_y, slot->y),
				};
				wl_signal_emit(&touch->touch.events.down, &event);
				slot->down = true;
				touch_frame = true;
			} else if (slot->moved && slot->down) {
				struct wlr_event_touch_motion event = {
					.device = &touch->base, .time_msec = time, .touch_id = i,
					.x = scale_abs(&device->mt_x, slot->x),
					.y = scale_abs(&device->mt_y, slot->y),
				};
				wl_signal_emit(&touch->touch.events.motion, &event);
				touch_frame = true;
			}
			slot->begin = slot->end = slot->moved = false;
		}
	}
	if (ptr && pointer_frame) {
		wl_signal_emit(&ptr->pointer.events.frame, &ptr->pointer);
	}
	if (device->wraps[WRAP_TABLET]) {
		run_tablet_frame(device, time);
	}
	if (device->wraps[WRAP_PAD]) {
		run_pad_frame(device, time);
	}
	if (touch && touch_frame) {
		wl_signal_emit(&touch->touch.events.frame, NULL);
	}
}

static void queue_event(struct input_device *device, struct pending_event ev) {
	if (device->n_pending >= FRAME_MAX_EVENTS) {
		if (!device->overflowed) {
			lumen_log(LUMEN_ERROR, "input: %s sent more than %d events in a frame (inputd's "
				"bug); the rest of the frame is dropped", device->name, FRAME_MAX_EVENTS);
		}
		device->overflowed = true;
		return;
	}
	device->pending[device->n_pending++] = ev;
}

/* --- the device's events --- */

static void handle_dev_path(void *data, struct lumen_input_device_v1 *proxy, const char *path) {
	struct input_device *device = data;
	snprintf(device->path, sizeof(device->path), "%s", path);
}

static void handle_dev_name(void *data, struct lumen_input_device_v1 *proxy, const char *name) {
	struct input_device *device = data;
	if (!device->described) {
		snprintf(device->name, sizeof(device->name), "%s", name);
	}
}

static void handle_dev_ids(void *data, struct lumen_input_device_v1 *proxy, uint32_t bustype,
		uint32_t vendor, uint32_t product) {
	struct input_device *device = data;
	device->vendor = vendor & 0xffff;
	device->product = product & 0xffff;
}

static void handle_dev_capabilities(void *data, struct lumen_input_device_v1 *proxy,
		uint32_t capabilities, uint32_t is_virtual) {
	struct input_device *device = data;
	if (!device->described) {
		device->caps = capabilities;
	}
}

static void handle_dev_abs_axis(void *data, struct lumen_input_device_v1 *proxy, uint32_t code,
		int32_t min, int32_t max, int32_t resolution) {
	struct input_device *device = data;
	struct abs_range range = { .min = min, .max = max, .set = true };
	switch (code) {
	case ABS_X:
		device->abs_x = range;
		break;
	case ABS_Y:
		device->abs_y = range;
		break;
	case ABS_MT_POSITION_X:
		device->mt_x = range;
		break;
	case ABS_MT_POSITION_Y:
		device->mt_y = range;
		break;
	case ABS_PRESSURE:
		device->pressure = range;
		break;
	case ABS_DISTANCE:
		device->distance = range;
		break;
	case ABS_TILT_X:
		device->tilt_x = range;
		break;
	case ABS_TILT_Y:
		device->tilt_y = range;
		break;
	case ABS_WHEEL:
		device->wheel = range;
		break;
	case ABS_RX:
		device->strip = range;
		break;
	default:
		break;
	}
}

static void handle_dev_touch_slots(void *data, struct lumen_input_device_v1 *proxy,
		uint32_t slots) {
}

static void handle_dev_settings(void *data, struct lumen_input_device_v1 *proxy,
		uint32_t supported, uint32_t tap, uint32_t natural_scroll, uint32_t left_handed,
		uint32_t accel_profile, wl_fixed_t accel_speed, uint32_t scroll_method,
		uint32_t accel_profiles, uint32_t scroll_methods) {
	struct input_device *device = data;
	device->settings = supported;
	device->accel_profile = accel_profile;
	device->accel_speed = accel_speed;
}

static void handle_dev_leds(void *data, struct lumen_input_device_v1 *proxy, uint32_t leds) {
}

static void handle_dev_done(void *data, struct lumen_input_device_v1 *proxy) {
	struct input_device *device = data;
	if (device->described) {
		return; // settings or LEDs again: nothing of ours changes
	}
	device->described = true;
	static const uint32_t caps[WRAP_COUNT] = {
		[WRAP_KEYBOARD] = LUMEN_INPUT_DEVICE_V1_CAPABILITY_KEYBOARD,
		[WRAP_POINTER] = LUMEN_INPUT_DEVICE_V1_CAPABILITY_POINTER,
		[WRAP_TOUCH] = LUMEN_INPUT_DEVICE_V1_CAPABILITY_TOUCH,
		[WRAP_SWITCH] = LUMEN_INPUT_DEVICE_V1_CAPABILITY_SWITCH,
		[WRAP_TABLET] = LUMEN_INPUT_DEVICE_V1_CAPABILITY_TABLET_TOOL,
		[WRAP_PAD] = LUMEN_INPUT_DEVICE_V1_CAPABILITY_TABLET_PAD,
	};
	for (int i = 0; i < WRAP_COUNT; i++) {
		if ((device->caps & caps[i]) && !(device->wraps[i] = wrap_create(device, i))) {
			lumen_log(LUMEN_ERROR, "input: out of memory for %s", device->name);
		}
	}
	lumen_log(LUMEN_INFO, "input: %s '%s' (capabilities 0x%x)", device->path, device->name,
		device->caps);
	emit_device(device);
}

static void handle_dev_removed(void *data, struct lumen_input_device_v1 *proxy) {
	struct input_device *device = data;
	lumen_log(LUMEN_INFO, "input: %s '%s' went away", device->path, device->name);
	device_destroy(device, true);
}

static void handle_dev_key(void *data, struct lumen_input_device_v1 *proxy, uint32_t code,
		uint32_t state) {
	queue_event(data, (struct pending_event){ .kind = PENDING_KEY, .code = code,
		.value = state != 0 });
}

static void handle_dev_relative(void *data, struct lumen_input_device_v1 *proxy, uint32_t code,
		wl_fixed_t value) {
	queue_event(data, (struct pending_event){ .kind = PENDING_REL, .code = code,
		.rel = wl_fixed_to_double(value) });
}

static void handle_dev_axis_source(void *data, struct lumen_input_device_v1 *proxy,
		uint32_t source) {
	struct input_device *device = data;
	switch (source) {
	case LUMEN_INPUT_DEVICE_V1_AXIS_SOURCE_FINGER:
		device->axis_source = WLR_AXIS_SOURCE_FINGER;
		break;
	case LUMEN_INPUT_DEVICE_V1_AXIS_SOURCE_CONTINUOUS:
		device->axis_source = WLR_AXIS_SOURCE_CONTINUOUS;
		break;
	case LUMEN_INPUT_DEVICE_V1_AXIS_SOURCE_WHEEL_TILT:
		device->axis_source = WLR_AXIS_SOURCE_WHEEL_TILT;
		break;
	default:
		device->axis_source = WLR_AXIS_SOURCE_WHEEL;
		break;
	}
}

static void handle_dev_absolute(void *data, struct lumen_input_device_v1 *proxy, uint32_t code,
		int32_t value) {
	queue_event(data, (struct pending_event){ .kind = PENDING_ABS, .code = code,
		.value = value });
}

static void handle_dev_switch_state(void *data, struct lumen_input_device_v1 *proxy,
		uint32_t code, uint32_t state) {
	queue_event(data, (struct pending_event){ .kind = PENDING_SWITCH, .code = code,
		.value = state != 0 });
}

static void handle_dev_frame(void *data, struct lumen_input_device_v1 *proxy, uint32_t usec_hi,
		uint32_t usec_lo) {
	struct input_device *device = data;
	uint64_t usec = ((uint64_t)usec_hi << 32) | usec_lo;
	if (device->emitted) {
		run_frame(device, (uint32_t)(usec / 1000));
	}
	device->n_pending = 0;
	device->overflowed = false;
	device->axis_source = WLR_AXIS_SOURCE_WHEEL;
}

static const struct lumen_input_device_v1_listener device_listener = {
	.path = handle_dev_path,
	.name = handle_dev_name,
	.ids = handle_dev_ids,
	.capabilities = handle_dev_capabilities,
	.abs_axis = handle_dev_abs_axis,
	.touch_slots = handle_dev_touch_slots,
	.settings = handle_dev_settings,
	.leds = handle_dev_leds,
	.done = handle_dev_done,
	.removed = handle_dev_removed,
	.key = handle_dev_key,
	.relative = handle_dev_relative,
	.axis_source = handle_dev_axis_source,
	.absolute = handle_dev_absolute,
	.switch_state = handle_dev_switch_state,
	.frame = handle_dev_frame,
};

static void handle_li_device(void *data, struct lumen_input_v1 *li,
		struct lumen_input_device_v1 *proxy) {
	struct input_backend *backend = data;
	struct input_device *device = calloc(1, sizeof(*device));
	if (!device) {
		lumen_log(LUMEN_ERROR, "input: out of memory for a new device");
		lumen_input_device_v1_destroy(proxy);
		return;
	}
	device->backend = backend;
	device->proxy = proxy;
	device->cur_slot = 0;
	snprintf(device->name, sizeof(device->name), "unnamed input device");
	wl_list_insert(backend->devices.prev, &device->link);
	lumen_input_device_v1_add_listener(proxy, &device_listener, device);
}

static void handle_li_done(void *data, struct lumen_input_v1 *li) {
}

static const struct lumen_input_v1_listener li_listener = {
	.device = handle_li_device,
	.done = handle_li_done,
};

/* --- the connection --- */

static void schedule_retry(struct input_backend *backend) {
	if (!backend->retry_timer) {
		return;
	}
	wl_event_source_timer_update(backend->retry_timer, backend->retry_ms);
	backend->retry_ms = backend->retry_ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS
		: backend->retry_ms * 2;
}

static void disconnect(struct input_backend *backend, bool release) {
	struct input_device *device, *tmp;
	wl_list_for_each_safe(device, tmp, &backend->devices, link) {
		device_destroy(device, release);
	}
	if (backend->remote_source) {
		wl_event_source_remove(backend->remote_source);
		backend->remote_source = NULL;
	}
	if (backend->master_sync) {
		wl_callback_destroy(backend->master_sync);
		backend->master_sync = NULL;
	}
	if (backend->li) {
		lumen_input_v1_destroy(backend->li);
		backend->li = NULL;
	}
	if (backend->registry) {
		wl_registry_destroy(backend->registry);
		backend->registry = NULL;
	}
	if (backend->remote) {
		wl_display_flush(backend->remote);
		wl_display_disconnect(backend->remote);
		backend->remote = NULL;
	}
	backend->master = false;
	backend->want_writable = false;
}

/* inputd went away or broke the protocol: its devices go (releasing what they held), and
 * we try again later. */
static void backend_lost(struct input_backend *backend, const char *why) {
	if (backend->lost) {
		return;
	}
	backend->lost = true;
	if (backend->master) {
		int err = backend->remote ? wl_display_get_error(backend->remote) : 0;
		lumen_log(LUMEN_ERROR, "input: lost the input server (%s%s%s); reconnecting", why,
			err ? ": " : "", err ? strerror(err) : "");
		backend->retry_ms = RETRY_MIN_MS;
	} else if (backend->attempts++ == 0) {
		lumen_log(LUMEN_INFO, "input: the input server at %s %s; trying again",
			backend->socket_name, why);
	}
	disconnect(backend, true);
	schedule_retry(backend);
}

static void flush_remote(struct input_backend *backend) {
	if (backend->lost || !backend->remote) {
		return;
	}
	if (wl_display_flush(backend->remote) < 0) {
		if (errno != EAGAIN) {
			backend_lost(backend, "cannot write");
			return;
		}
		if (!backend->want_writable) {
			backend->want_writable = true;
			wl_event_source_fd_update(backend->remote_source,
				WL_EVENT_READABLE | WL_EVENT_WRITABLE);
		}
	} else if (backend->want_writable) {
		backend->want_writable = false;
		wl_event_source_fd_update(backend->remote_source, WL_EVENT_READABLE);
	}
}

static int handle_remote(int fd, uint32_t mask, void *data) {
	struct input_backend *backend = data;
	if (mask & WL_EVENT_READABLE) {
		if (wl_display_dispatch(backend->remote) < 0) {
			backend_lost(backend, "hung up or broke the protocol");
			return 0;
		}
	} else if (mask & (WL_EVENT_HANGUP | WL_EVENT_ERROR)) {
		backend_lost(backend, "hung up");
		return 0;
	}
	flush_remote(backend);
	return 0;
}

static void handle_master_sync(void *data, struct wl_callback *callback, uint32_t serial) {
	struct input_backend *backend = data;
	wl_callback_destroy(callback);
	backend->master_sync = NULL;
	backend->master = true;
	backend->attempts = 0;
	backend->retry_ms = RETRY_MIN_MS;
	size_t n = 0;
	struct input_device *device;
	wl_list_for_each(device, &backend->devices, link) {
		n++;
	}
	lumen_log(LUMEN_INFO, "input: seat master of the input server at %s, %zu device(s)",
		backend->socket_name, n);
}

static const struct wl_callback_listener master_sync_listener = {
	.done = handle_master_sync,
};

static void handle_global(void *data, struct wl_registry *registry, uint32_t name,
		const char *interface, uint32_t version) {
	struct input_backend *backend = data;
	if (strcmp(interface, lumen_input_v1_interface.name) != 0 || backend->li) {
		return;
	}
	backend->li = wl_registry_bind(registry, name, &lumen_input_v1_interface, 1);
	if (!backend->li) {
		return;
	}
	lumen_input_v1_add_listener(backend->li, &li_listener, backend);
	/* Refused (another master), the connection ends with an error: we try again later. */
	lumen_input_v1_become_master(backend->li);
	backend->master_sync = wl_display_sync(backend->remote);
	if (backend->master_sync) {
		wl_callback_add_listener(backend->master_sync, &master_sync_listener, backend);
	}
}

static void handle_global_remove(void *data, struct wl_registry *registry, uint32_t name) {
}

static const struct wl_registry_listener registry_listener = {
	.global = handle_global,
	.global_remove = handle_global_remove,
};

static void try_connect(struct input_backend *backend) {
	backend->lost = false;
	backend->remote = wl_display_connect(backend->socket_name);
	if (!backend->remote) {
		backend_lost(backend, "is not there");
		return;
	}
	backend->registry = wl_display_get_registry(backend->remote);
	backend->remote_source = wl_event_loop_add_fd(backend->loop,
		wl_display_get_fd(backend->remote), WL_EVENT_READABLE, handle_remote, backend);
	if (!backend->registry || !backend->remote_source) {
		backend_lost(backend, "could not be watched");
		return;
	}
	wl_registry_add_listener(backend->registry, &registry_listener, backend);
	flush_remote(backend);
}

static int handle_retry(void *data) {
	struct input_backend *backend = data;
	if (!backend->remote) {
		try_connect(backend);
	}
	return 0;
}

/* --- wlr_backend_impl --- */

static bool backend_start(struct wlr_backend *wlr_backend) {
	struct input_backend *backend = input_backend_from(wlr_backend);
	backend->started = true;
	struct input_device *device, *tmp;
	wl_list_for_each_safe(device, tmp, &backend->devices, link) {
		emit_device(device);
	}
	return true;
}

static void backend_destroy(struct wlr_backend *wlr_backend) {
	struct input_backend *backend = input_backend_from(wlr_backend);
	/* The compositor is going: nothing to release to. */
	backend->lost = true;
	disconnect(backend, false);
	wlr_backend_finish(wlr_backend);
	if (backend->retry_timer) {
		wl_event_source_remove(backend->retry_timer);
	}
	if (backend->flush_idle) {
		wl_event_source_remove(backend->flush_idle);
	}
	wl_list_remove(&backend->display_destroy.link);
	free(backend->socket_name);
	free(backend);
}

static const struct wlr_backend_impl backend_impl = {
	.start = backend_start,
	.destroy = backend_destroy,
};

static void handle_display_destroy(struct wl_listener *listener, void *data) {
	struct input_backend *backend = wl_container_of(listener, backend, display_destroy);
	wlr_backend_destroy(&backend->backend);
}

struct wlr_backend *comp_input_backend_create(struct wl_display *display,
		const char *socket_name) {
	struct input_backend *backend = calloc(1, sizeof(*backend));
	if (!backend) {
		return NULL;
	}
	backend->socket_name = strdup(socket_name);
	if (!backend->socket_name) {
		free(backend);
		return NULL;
	}
	wlr_backend_init(&backend->backend, &backend_impl);
	backend->display = display;
	backend->loop = wl_display_get_event_loop(display);
	backend->retry_ms = RETRY_MIN_MS;
	wl_list_init(&backend->devices);
	backend->display_destroy.notify = handle_display_destroy;
	wl_display_add_destroy_listener(display, &backend->display_destroy);
	backend->retry_timer = wl_event_loop_add_timer(backend->loop, handle_retry, backend);
	if (!backend->retry_timer) {
		backend_destroy(&backend->backend);
		return NULL;
	}
	try_connect(backend);
	return &backend->backend;
}

uint32_t comp_input_device_configure(struct wlr_input_device *wlr_device,
		const struct comp_input_settings *s) {
	if (wlr_device->impl != &input_device_impl) {
		return 0;
	}
	struct input_wrap *wrap = wl_container_of(wlr_device, wrap, base);
	struct input_device *device = wrap->device;
	if (!device || !device->proxy || device->backend->lost) {
		return 0;
	}
	uint32_t has = device->settings, sent = 0;
	if (s->tap >= 0 && (has & LUMEN_INPUT_DEVICE_V1_SETTING_TAP)) {
		lumen_input_device_v1_set_tap(device->proxy, s->tap != 0);
		sent |= LUMEN_INPUT_DEVICE_V1_SETTING_TAP;
	}
	if (s->natural_scroll >= 0 && (has & LUMEN_INPUT_DEVICE_V1_SETTING_NATURAL_SCROLL)) {
		lumen_input_device_v1_set_natural_scroll(device->proxy, s->natural_scroll != 0);
		sent |= LUMEN_INPUT_DEVICE_V1_SETTING_NATURAL_SCROLL;
	}
	if (s->left_handed >= 0 && (has & LUMEN_INPUT_DEVICE_V1_SETTING_LEFT_HANDED)) {
		lumen_input_device_v1_set_left_handed(device->proxy, s->left_handed != 0);
		sent |= LUMEN_INPUT_DEVICE_V1_SETTING_LEFT_HANDED;
	}
	if ((s->accel_profile > 0 || !isnan(s->accel_speed)) &&
			(has & LUMEN_INPUT_DEVICE_V1_SETTING_ACCEL)) {
		/* One request carries both: what the config leaves out stays as inputd has it. */
		uint32_t profile = s->accel_profile > 0 ? (uint32_t)s->accel_profile
			: device->accel_profile;
		double speed = !isnan(s->accel_speed) ? s->accel_speed
			: wl_fixed_to_double(device->accel_speed);
		lumen_input_device_v1_set_accel(device->proxy, profile, wl_fixed_from_double(speed));
		sent |= LUMEN_INPUT_DEVICE_V1_SETTING_ACCEL;
	}
	if (s->scroll_method >= 0 && (has & LUMEN_INPUT_DEVICE_V1_SETTING_SCROLL_METHOD)) {
		lumen_input_device_v1_set_scroll_method(device->proxy, (uint32_t)s->scroll_method);
		sent |= LUMEN_INPUT_DEVICE_V1_SETTING_SCROLL_METHOD;
	}
	if (sent) {
		lumen_log(LUMEN_INFO, "input: '%s' configured (settings 0x%x)", device->name, sent);
		schedule_flush(device->backend);
	}
	return sent;
}

void comp_input_backend_for_each_device(struct wlr_backend *wlr_backend,
		void (*fn)(struct wlr_input_device *device, void *data), void *data) {
	if (!comp_backend_is_input(wlr_backend)) {
		return;
	}
	struct input_backend *backend = input_backend_from(wlr_backend);
	struct input_device *device;
	wl_list_for_each(device, &backend->devices, link) {
		for (int i = 0; i < WRAP_COUNT; i++) {
			if (device->wraps[i] && device->emitted) {
				fn(&device->wraps[i]->base, data);
			}
		}
	}
}
