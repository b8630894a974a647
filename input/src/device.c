/*
 * The device model (core.h): announcing devices to consumers, the master's requests on
 * them (LEDs, settings), the frames on their way to the master, and removal that
 * releases whatever the master was sent pressed.
 */
#include <linux/input-event-codes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/log.h"
#include "core.h"
#include "lumen-input-v1-protocol.h"

#define DROP_WARNING_INTERVAL_USEC 5000000u

static const struct lumen_input_device_v1_interface device_impl;

static struct input_device *device_from_resource(struct wl_resource *resource) {
	if (!wl_resource_instance_of(resource, &lumen_input_device_v1_interface, &device_impl)) {
		return NULL;
	}
	return wl_resource_get_user_data(resource); // NULL once removed
}

/* The device's resource that belongs to the master, or NULL. */
static struct wl_resource *master_resource(struct input_device *device) {
	struct input_server *server = device->server;
	if (!server->master) {
		return NULL;
	}
	struct wl_resource *resource;
	wl_resource_for_each (resource, &device->resources) {
		if (wl_resource_get_client(resource) == server->master) {
			return resource;
		}
	}
	return NULL;
}

/* Makes a resource inert: it hears nothing more and its requests are ignored. */
static void resource_detach(struct wl_resource *resource) {
	wl_list_remove(wl_resource_get_link(resource));
	wl_list_init(wl_resource_get_link(resource));
	wl_resource_set_user_data(resource, NULL);
}

static void send_removed(struct wl_resource *resource) {
	lumen_input_device_v1_send_removed(resource);
	resource_detach(resource);
}

static void send_settings(struct input_device *device, struct wl_resource *resource) {
	const struct input_settings *s = &device->settings;
	lumen_input_device_v1_send_settings(resource, s->supported, s->tap, s->natural_scroll,
		s->left_handed, s->accel_profile, wl_fixed_from_double(s->accel_speed),
		s->scroll_method, s->accel_profiles, s->scroll_methods);
}

static void broadcast_settings(struct input_device *device) {
	struct wl_resource *resource;
	wl_resource_for_each (resource, &device->resources) {
		send_settings(device, resource);
		lumen_input_device_v1_send_done(resource);
	}
}

void input_device_send_leds(struct input_device *device) {
	struct wl_resource *resource;
	wl_resource_for_each (resource, &device->resources) {
		lumen_input_device_v1_send_leds(resource, device->leds);
		lumen_input_device_v1_send_done(resource);
	}
}

/* lumen_input_device_v1 requests */

static void device_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

/* The device if the request may go on: from the master, on a live device. */
static struct input_device *master_device(struct wl_resource *resource) {
	struct input_device *device = device_from_resource(resource);
	if (!device || device->removing) {
		return NULL; // removed: ignored
	}
	if (!input_server_is_master(device->server, wl_resource_get_client(resource))) {
		wl_resource_post_error(resource, LUMEN_INPUT_DEVICE_V1_ERROR_NOT_MASTER,
			"only the master may change devices");
		return NULL;
	}
	return device;
}

/* The device if a settings request may go on: any consumer's, on a live device (the
 * protocol lets a settings tool change them; every consumer is told). */
static struct input_device *settings_device(struct wl_resource *resource) {
	struct input_device *device = device_from_resource(resource);
	if (!device || device->removing) {
		return NULL; // removed: ignored
	}
	return device;
}

static bool check_bool(struct wl_resource *resource, uint32_t value) {
	if (value > 1) {
		wl_resource_post_error(resource, LUMEN_INPUT_DEVICE_V1_ERROR_INVALID_VALUE,
			"%u is not 0 or 1", value);
		return false;
	}
	return true;
}

static bool check_supported(struct wl_resource *resource, struct input_device *device,
		uint32_t setting, const char *what) {
	if (!(device->settings.supported & setting)) {
		wl_resource_post_error(resource, LUMEN_INPUT_DEVICE_V1_ERROR_UNSUPPORTED,
			"%s has no %s setting", device->path, what);
		return false;
	}
	return true;
}

static void apply(struct input_device *device, const struct input_settings *want) {
	if (device->impl && device->impl->apply_settings) {
		device->impl->apply_settings(device, want);
	} else {
		device->settings = *want;
	}
	broadcast_settings(device);
}

static void device_handle_set_leds(struct wl_client *client, struct wl_resource *resource,
		uint32_t leds) {
	struct input_device *device = master_device(resource);
	if (!device) {
		return;
	}
	if (leds & ~7u) {
		wl_resource_post_error(resource, LUMEN_INPUT_DEVICE_V1_ERROR_INVALID_VALUE,
			"unknown LED bits 0x%x", leds & ~7u);
		return;
	}
	if (!(device->caps & LUMEN_INPUT_DEVICE_V1_CAPABILITY_KEYBOARD)) {
		wl_resource_post_error(resource, LUMEN_INPUT_DEVICE_V1_ERROR_UNSUPPORTED,
			"%s is not a keyboard", device->path);
		return;
	}
	if (leds == device->leds) {
		return;
	}
	device->leds = leds;
	if (device->impl && device->impl->set_leds) {
		device->impl->set_leds(device, leds);
	}
	input_device_send_leds(device);
}

static void device_handle_set_tap(struct wl_client *client, struct wl_resource *resource,
		uint32_t enabled) {
	struct input_device *device = settings_device(resource);
	if (!device || !check_bool(resource, enabled) ||
			!check_supported(resource, device, LUMEN_INPUT_DEVICE_V1_SETTING_TAP, "tap")) {
		return;
	}
	struct input_settings want = device->settings;
	want.tap = enabled;
	apply(device, &want);
}

static void device_handle_set_natural_scroll(struct wl_client *client,
		struct wl_resource *resource, uint32_t enabled) {
	struct input_device *device = settings_device(resource);
	if (!device || !check_bool(resource, enabled) ||
			!check_supported(resource, device, LUMEN_INPUT_DEVICE_V1_SETTING_NATURAL_SCROLL,
				"natural scroll")) {
		return;
	}
	struct input_settings want = device->settings;
	want.natural_scroll = enabled;
	apply(device, &want);
}

static void device_handle_set_left_handed(struct wl_client *client,
		struct wl_resource *resource, uint32_t enabled) {
	struct input_device *device = settings_device(resource);
	if (!device || !check_bool(resource, enabled) ||
			!check_supported(resource, device, LUMEN_INPUT_DEVICE_V1_SETTING_LEFT_HANDED,
				"left-handed")) {
		return;
	}
	struct input_settings want = device->settings;
	want.left_handed = enabled;
	apply(device, &want);
}

static void device_handle_set_accel(struct wl_client *client, struct wl_resource *resource,
		uint32_t profile, wl_fixed_t speed) {
	struct input_device *device = settings_device(resource);
	if (!device ||
			!check_supported(resource, device, LUMEN_INPUT_DEVICE_V1_SETTING_ACCEL,
				"acceleration")) {
		return;
	}
	if (profile > LUMEN_INPUT_DEVICE_V1_ACCEL_PROFILE_ADAPTIVE ||
			!(device->settings.accel_profiles & (1u << profile))) {
		wl_resource_post_error(resource, LUMEN_INPUT_DEVICE_V1_ERROR_INVALID_VALUE,
			"%s cannot take acceleration profile %u", device->path, profile);
		return;
	}
	if (speed < wl_fixed_from_int(-1) || speed > wl_fixed_from_int(1)) {
		wl_resource_post_error(resource, LUMEN_INPUT_DEVICE_V1_ERROR_INVALID_VALUE,
			"acceleration speed %f is not in -1..1", wl_fixed_to_double(speed));
		return;
	}
	struct input_settings want = device->settings;
	want.accel_profile = profile;
	want.accel_speed = wl_fixed_to_double(speed);
	apply(device, &want);
}

static void device_handle_set_scroll_method(struct wl_client *client,
		struct wl_resource *resource, uint32_t method) {
	struct input_device *device = settings_device(resource);
	if (!device ||
			!check_supported(resource, device, LUMEN_INPUT_DEVICE_V1_SETTING_SCROLL_METHOD,
				"scroll method")) {
		return;
	}
	if (method > LUMEN_INPUT_DEVICE_V1_SCROLL_METHOD_ON_BUTTON_DOWN ||
			!(device->settings.scroll_methods & (1u << method))) {
		wl_resource_post_error(resource, LUMEN_INPUT_DEVICE_V1_ERROR_INVALID_VALUE,
			"%s cannot take scroll method %u", device->path, method);
		return;
	}
	struct input_settings want = device->settings;
	want.scroll_method = method;
	apply(device, &want);
}

static const struct lumen_input_device_v1_interface device_impl = {
	.destroy = device_handle_destroy,
	.set_leds = device_handle_set_leds,
	.set_tap = device_handle_set_tap,
	.set_natural_scroll = device_handle_set_natural_scroll,
	.set_left_handed = device_handle_set_left_handed,
	.set_accel = device_handle_set_accel,
	.set_scroll_method = device_handle_set_scroll_method,
};

static void device_resource_destroy(struct wl_resource *resource) {
	wl_list_remove(wl_resource_get_link(resource));
}

bool input_device_send_to_client(struct input_device *device, struct wl_resource *input_resource) {
	struct wl_client *client = wl_resource_get_client(input_resource);
	struct wl_resource *resource = wl_resource_create(client, &lumen_input_device_v1_interface,
		wl_resource_get_version(input_resource), 0);
	if (!resource) {
		return false;
	}
	wl_resource_set_implementation(resource, &device_impl, device, device_resource_destroy);
	wl_list_insert(device->resources.prev, wl_resource_get_link(resource));
	lumen_input_v1_send_device(input_resource, resource);
	lumen_input_device_v1_send_path(resource, device->path);
	lumen_input_device_v1_send_name(resource, device->name);
	lumen_input_device_v1_send_ids(resource, device->bustype, device->vendor, device->product);
	lumen_input_device_v1_send_capabilities(resource, device->caps, device->is_virtual);
	for (size_t i = 0; i < device->n_axes; i++) {
		const struct input_abs_axis *axis = &device->axes[i];
		lumen_input_device_v1_send_abs_axis(resource, axis->code, axis->min, axis->max,
			axis->resolution);
	}
	if (device->caps & LUMEN_INPUT_DEVICE_V1_CAPABILITY_TOUCH) {
		lumen_input_device_v1_send_touch_slots(resource, device->touch_slots);
	}
	send_settings(device, resource);
	lumen_input_device_v1_send_leds(resource, device->leds);
	lumen_input_device_v1_send_done(resource);
	return true;
}

struct input_device *input_device_create(struct input_server *server,
		const struct input_device_info *info, const struct input_device_impl *impl,
		void *impl_data) {
	struct input_device *device = calloc(1, sizeof(*device));
	if (!device) {
		return NULL;
	}
	device->queue = calloc(INPUT_QUEUE_MAX, sizeof(*device->queue));
	if (!device->queue) {
		free(device);
		return NULL;
	}
	device->server = server;
	snprintf(device->path, sizeof(device->path), "%s", info->path);
	snprintf(device->name, sizeof(device->name), "%s", info->name);
	device->bustype = info->bustype;
	device->vendor = info->vendor;
	device->product = info->product;
	device->caps = info->caps;
	device->is_virtual = info->is_virtual;
	device->n_axes = info->n_axes < INPUT_MAX_AXES ? info->n_axes : INPUT_MAX_AXES;
	if (device->n_axes > 0) {
		memcpy(device->axes, info->axes, device->n_axes * sizeof(device->axes[0]));
	}
	device->touch_slots =
		info->touch_slots < INPUT_TOUCH_SLOTS ? info->touch_slots : INPUT_TOUCH_SLOTS;
	device->settings = info->settings;
	device->impl = impl;
	device->impl_data = impl_data;
	wl_list_init(&device->resources);
	wl_list_insert(server->devices.prev, &device->link);

	lumen_log(LUMEN_INFO, "device %s: %s (caps 0x%x)", device->path, device->name, device->caps);
	struct wl_resource *resource, *tmp;
	wl_resource_for_each_safe (resource, tmp, &server->input_resources) {
		if (!input_device_send_to_client(device, resource)) {
			wl_client_post_no_memory(wl_resource_get_client(resource));
		}
	}
	return device;
}

static void device_free(struct input_device *device) {
	lumen_log(LUMEN_INFO, "device %s removed", device->path);
	struct wl_resource *resource, *tmp;
	wl_resource_for_each_safe (resource, tmp, &device->resources) {
		send_removed(resource);
	}
	wl_list_remove(&device->link);
	free(device->queue);
	free(device);
}

static bool queue_push(struct input_device *device, const struct input_queued *event) {
	if (device->q_len >= INPUT_QUEUE_MAX) {
		return false;
	}
	device->queue[(device->q_head + device->q_len) % INPUT_QUEUE_MAX] = *event;
	device->q_len++;
	return true;
}

bool input_device_push(struct input_device *device, enum input_event_kind kind, uint16_t code,
		int32_t value) {
	if (device->n_pending >= INPUT_MAX_FRAME_EVENTS) {
		return false;
	}
	device->pending[device->n_pending++] =
		(struct input_queued){.kind = (uint16_t)kind, .code = code, .value = value};
	return true;
}

static void key_set(uint8_t *bits, uint16_t code, bool on) {
	if (code >= INPUT_KEY_CODES) {
		return;
	}
	if (on) {
		bits[code / 8] |= (uint8_t)(1u << (code % 8));
	} else {
		bits[code / 8] &= (uint8_t)~(1u << (code % 8));
	}
}

static bool key_get(const uint8_t *bits, uint16_t code) {
	return code < INPUT_KEY_CODES && (bits[code / 8] & (1u << (code % 8)));
}

/* Follows the producer's keys and touches through a frame it closed. */
static void tail_apply(struct input_device *device, const struct input_queued *events, size_t n) {
	for (size_t i = 0; i < n; i++) {
		const struct input_queued *ev = &events[i];
		if (ev->kind == INPUT_EV_KEY) {
			key_set(device->tail_keys, ev->code, ev->value != 0);
		} else if (ev->kind == INPUT_EV_ABS && ev->code == ABS_MT_SLOT) {
			device->tail_slot = ev->value;
		} else if (ev->kind == INPUT_EV_ABS && ev->code == ABS_MT_TRACKING_ID &&
				device->tail_slot >= 0 && device->tail_slot < INPUT_TOUCH_SLOTS) {
			device->tail_touch[device->tail_slot] = ev->value >= 0;
		}
	}
}

/* The master reads too slowly for a real device: the queued frames go, and one frame
 * takes the master from what it was sent to the device's state, so that no key stays
 * down (or up) because its change was dropped. Touches that began unseen stay unseen
 * until they move. */
static void resync(struct input_device *device, uint64_t usec) {
	for (size_t i = 0; i < device->q_len; i++) {
		if (device->queue[(device->q_head + i) % INPUT_QUEUE_MAX].kind == INPUT_EV_FRAME) {
			device->dropped++;
		}
	}
	device->q_head = device->q_len = 0;
	size_t n = 0;
	for (uint16_t code = 0; code < INPUT_KEY_CODES; code++) {
		bool tail = key_get(device->tail_keys, code);
		if (key_get(device->sent_keys, code) != tail) {
			queue_push(device,
				&(struct input_queued){.kind = INPUT_EV_KEY, .code = code, .value = tail});
			n++;
		}
	}
	for (int32_t slot = 0; slot < INPUT_TOUCH_SLOTS; slot++) {
		if (device->sent_touch[slot] && !device->tail_touch[slot]) {
			queue_push(device, &(struct input_queued){.kind = INPUT_EV_ABS,
				.code = ABS_MT_SLOT, .value = slot});
			queue_push(device, &(struct input_queued){.kind = INPUT_EV_ABS,
				.code = ABS_MT_TRACKING_ID, .value = -1});
			n += 2;
		}
	}
	if (n > 0) {
		queue_push(device, &(struct input_queued){.kind = INPUT_EV_FRAME, .usec = usec});
	}
	if (usec - device->last_drop_warning_usec > DROP_WARNING_INTERVAL_USEC ||
			device->last_drop_warning_usec == 0) {
		lumen_log(LUMEN_WARN, "%s: the master reads too slowly; %llu frames dropped so far",
			device->path, (unsigned long long)device->dropped);
		device->last_drop_warning_usec = usec ? usec : 1;
	}
}

bool input_device_frame(struct input_device *device, uint64_t usec, bool drop_oldest) {
	size_t n = device->n_pending;
	device->n_pending = 0;
	if (n == 0) {
		return true; // an empty frame
	}
	if (master_resource(device)) {
		if (device->q_len + n + 1 > INPUT_QUEUE_MAX) {
			if (!drop_oldest) {
				return false;
			}
			resync(device, usec);
		}
		for (size_t i = 0; i < n; i++) {
			queue_push(device, &device->pending[i]);
		}
		queue_push(device, &(struct input_queued){.kind = INPUT_EV_FRAME, .usec = usec});
		input_server_schedule_drain(device->server);
	}
	tail_apply(device, device->pending, n);
	return true;
}

/* Sends one event to the master and remembers what it now holds pressed. */
static void send_event(struct input_device *device, struct wl_resource *resource,
		const struct input_queued *ev) {
	switch ((enum input_event_kind)ev->kind) {
	case INPUT_EV_KEY:
		key_set(device->sent_keys, ev->code, ev->value != 0);
		lumen_input_device_v1_send_key(resource, ev->code, (uint32_t)ev->value);
		break;
	case INPUT_EV_REL:
		lumen_input_device_v1_send_relative(resource, ev->code, ev->value);
		break;
	case INPUT_EV_ABS:
		if (ev->code == ABS_MT_SLOT) {
			device->sent_slot = ev->value;
		} else if (ev->code == ABS_MT_TRACKING_ID && device->sent_slot >= 0 &&
				device->sent_slot < INPUT_TOUCH_SLOTS) {
			device->sent_touch[device->sent_slot] = ev->value >= 0;
		}
		lumen_input_device_v1_send_absolute(resource, ev->code, ev->value);
		break;
	case INPUT_EV_SWITCH:
		lumen_input_device_v1_send_switch_state(resource, ev->code, (uint32_t)ev->value);
		break;
	case INPUT_EV_AXIS_SOURCE:
		lumen_input_device_v1_send_axis_source(resource, (uint32_t)ev->value);
		break;
	case INPUT_EV_FRAME:
		lumen_input_device_v1_send_frame(resource, (uint32_t)(ev->usec >> 32),
			(uint32_t)ev->usec);
		break;
	}
}

/* Sends the device's oldest frame; returns the number of events sent. */
static size_t send_frame(struct input_device *device, struct wl_resource *resource) {
	size_t n = 0;
	while (device->q_len > 0) {
		struct input_queued ev = device->queue[device->q_head];
		device->q_head = (device->q_head + 1) % INPUT_QUEUE_MAX;
		device->q_len--;
		n++;
		send_event(device, resource, &ev);
		if (ev.kind == INPUT_EV_FRAME) {
			break;
		}
	}
	return n;
}

bool input_devices_drain(struct input_server *server, size_t budget) {
	bool sent = true;
	while (budget > 0 && sent) {
		sent = false;
		struct input_device *device;
		wl_list_for_each (device, &server->devices, link) {
			if (device->q_len == 0) {
				continue;
			}
			struct wl_resource *resource = master_resource(device);
			if (!resource) {
				device->q_head = device->q_len = 0;
				continue;
			}
			size_t n = send_frame(device, resource);
			budget = n < budget ? budget - n : 0;
			sent = true;
			if (budget == 0) {
				/* Next time start after this device: the list's head moves behind it,
				 * so every device gets its turn whatever the others send. */
				wl_list_remove(&server->devices);
				wl_list_insert(&device->link, &server->devices);
				break;
			}
		}
	}
	bool left = false;
	struct input_device *device, *tmp;
	wl_list_for_each_safe (device, tmp, &server->devices, link) {
		if (device->q_len > 0) {
			left = true;
		} else if (device->removing) {
			device_free(device);
		}
	}
	return left;
}

void input_devices_master_gone(struct input_server *server) {
	struct input_device *device, *tmp;
	wl_list_for_each_safe (device, tmp, &server->devices, link) {
		device->q_head = device->q_len = 0;
		memset(device->sent_keys, 0, sizeof(device->sent_keys));
		memset(device->sent_touch, 0, sizeof(device->sent_touch));
		device->sent_slot = 0;
		if (device->removing) {
			device_free(device);
		}
	}
}

/* What the master will hold pressed once it has read the device's queue: what it was
 * sent, then the queued frames. */
static void queue_outcome(const struct input_device *device, uint8_t *keys, bool *touch) {
	memcpy(keys, device->sent_keys, INPUT_KEY_CODES / 8);
	memcpy(touch, device->sent_touch, sizeof(device->sent_touch));
	int32_t slot = device->sent_slot;
	for (size_t i = 0; i < device->q_len; i++) {
		const struct input_queued *ev = &device->queue[(device->q_head + i) % INPUT_QUEUE_MAX];
		if (ev->kind == INPUT_EV_KEY) {
			key_set(keys, ev->code, ev->value != 0);
		} else if (ev->kind == INPUT_EV_ABS && ev->code == ABS_MT_SLOT) {
			slot = ev->value;
		} else if (ev->kind == INPUT_EV_ABS && ev->code == ABS_MT_TRACKING_ID && slot >= 0 &&
				slot < INPUT_TOUCH_SLOTS) {
			touch[slot] = ev->value >= 0;
		}
	}
}

/* The events that release what is pressed in keys and touch (without the frame). */
static size_t release_count(const uint8_t *keys, const bool *touch) {
	size_t n = 0;
	for (uint16_t code = 0; code < INPUT_KEY_CODES; code++) {
		n += key_get(keys, code);
	}
	for (int32_t slot = 0; slot < INPUT_TOUCH_SLOTS; slot++) {
		n += touch[slot] ? 2 : 0;
	}
	return n;
}

/* Drops the oldest queued frame (the first FRAME and what precedes it). */
static void queue_drop_oldest_frame(struct input_device *device) {
	while (device->q_len > 0) {
		uint16_t kind = device->queue[device->q_head].kind;
		device->q_head = (device->q_head + 1) % INPUT_QUEUE_MAX;
		device->q_len--;
		if (kind == INPUT_EV_FRAME) {
			device->dropped++;
			return;
		}
	}
}

void input_device_remove(struct input_device *device) {
	if (!device) {
		return;
	}
	device->removing = true;
	device->impl = NULL;
	device->impl_data = NULL;
	device->n_pending = 0; // a frame the producer never closed is not sent
	struct wl_resource *master = master_resource(device);
	/* Everyone else hears at once; the master after its last frame. */
	struct wl_resource *resource, *tmp;
	wl_resource_for_each_safe (resource, tmp, &device->resources) {
		if (resource != master) {
			send_removed(resource);
		}
	}
	if (!master) {
		device_free(device);
		return;
	}
	/* The frames already queued still go to the master: a driver that writes and exits
	 * at once (lumen-inputctl type) loses nothing when the master reads late. After them,
	 * the releases of what the master will then hold pressed; if they do not fit behind
	 * the queue (a full queue, as after a flood), the oldest frames make room. */
	uint8_t keys[INPUT_KEY_CODES / 8];
	bool touch[INPUT_TOUCH_SLOTS];
	queue_outcome(device, keys, touch);
	size_t n = release_count(keys, touch);
	while (n > 0 && device->q_len > 0 && device->q_len + n + 1 > INPUT_QUEUE_MAX) {
		queue_drop_oldest_frame(device);
		queue_outcome(device, keys, touch);
		n = release_count(keys, touch);
	}
	for (uint16_t code = 0; code < INPUT_KEY_CODES; code++) {
		if (key_get(keys, code)) {
			queue_push(device, &(struct input_queued){.kind = INPUT_EV_KEY, .code = code});
		}
	}
	for (int32_t slot = 0; slot < INPUT_TOUCH_SLOTS; slot++) {
		if (touch[slot]) {
			queue_push(device, &(struct input_queued){.kind = INPUT_EV_ABS,
				.code = ABS_MT_SLOT, .value = slot});
			queue_push(device, &(struct input_queued){.kind = INPUT_EV_ABS,
				.code = ABS_MT_TRACKING_ID, .value = -1});
		}
	}
	if (n > 0) {
		lumen_log(LUMEN_DEBUG, "%s: releasing what was left pressed (%zu events)",
			device->path, n);
		queue_push(device,
			&(struct input_queued){.kind = INPUT_EV_FRAME, .usec = input_now_usec()});
	}
	input_server_schedule_drain(device->server);
}
