#ifndef INPUT_CORE_H
#define INPUT_CORE_H

/*
 * Private to inputd: the server, the device model shared by the producers of events
 * (virtual-device.c for drivers, libinput-backend.c for real devices), and the queues
 * through which every device's frames reach the master.
 *
 * A device's frames wait in its queue until the master's socket has room; the queues
 * are sent in turn (a frame from each device per pass), so one flooding device cannot
 * starve the others nor overflow libwayland's buffer, which would disconnect the
 * master. What the master was sent pressed (keys, buttons, touches) is remembered per
 * device, so that a device going away releases exactly that.
 */

#include <stdbool.h>
#include <stdint.h>
#include <wayland-server-core.h>
#include "common/listener.h"
#include "input/server.h"

#define INPUT_KEY_CODES 0x300 // KEY_MAX + 1
#define INPUT_MAX_AXES 10

struct input_libinput;

struct input_server {
	struct wl_display *display;
	struct wl_event_loop *loop;
	struct wl_global *global;
	struct wl_list devices; // input_device.link
	struct wl_list input_resources; // wl_resource_get_link of lumen_input_v1 objects
	struct wl_list virtual_devices; // input_vdev.link
	uint32_t next_virtual; // index of the next input:virtual/N

	struct wl_client *master; // may be NULL
	struct wl_listener master_destroy;
	int master_fd; // our dup of the master's socket, watched for room
	struct wl_event_source *master_writable;
	struct wl_event_source *drain_idle; // may be NULL

	struct input_libinput *libinput; // may be NULL

	struct lumen_listener listener;
};

enum input_event_kind {
	INPUT_EV_KEY,
	INPUT_EV_REL, // value: wl_fixed_t
	INPUT_EV_ABS,
	INPUT_EV_SWITCH,
	INPUT_EV_AXIS_SOURCE,
	INPUT_EV_FRAME, // usec
};

struct input_queued {
	uint64_t usec; // INPUT_EV_FRAME only
	int32_t value;
	uint16_t kind, code;
};

struct input_abs_axis {
	uint32_t code;
	int32_t min, max, resolution;
};

/* Values of the enums of lumen_input_device_v1. */
struct input_settings {
	uint32_t supported; // setting bits
	uint32_t accel_profiles, scroll_methods; // 1 << value
	bool tap, natural_scroll, left_handed;
	uint32_t accel_profile, scroll_method;
	double accel_speed; // -1..1
};

struct input_device;

/* What a producer does for the master's requests. */
struct input_device_impl {
	void (*set_leds)(struct input_device *device, uint32_t leds);
	/* Applies want (already validated against device->settings.supported) and stores
	 * what the device really took in device->settings. */
	void (*apply_settings)(struct input_device *device, const struct input_settings *want);
};

struct input_device_info {
	const char *path; // "input:virtual/3"
	const char *name;
	uint32_t bustype, vendor, product;
	uint32_t caps; // LUMEN_INPUT_DEVICE_V1_CAPABILITY_*
	bool is_virtual;
	const struct input_abs_axis *axes;
	size_t n_axes;
	uint32_t touch_slots;
	struct input_settings settings;
};

struct input_device {
	struct input_server *server;
	struct wl_list link; // input_server.devices
	char path[64];
	char name[128];
	uint32_t bustype, vendor, product, caps;
	bool is_virtual;
	struct input_abs_axis axes[INPUT_MAX_AXES];
	size_t n_axes;
	uint32_t touch_slots;
	struct input_settings settings;
	uint32_t leds;
	const struct input_device_impl *impl; // NULL once the producer let go
	void *impl_data;
	struct wl_list resources; // wl_resource_get_link of lumen_input_device_v1 objects

	/* the frame being written by the producer */
	struct input_queued pending[INPUT_MAX_FRAME_EVENTS];
	size_t n_pending;
	/* frames waiting for room in the master's socket: a ring */
	struct input_queued *queue;
	size_t q_head, q_len;
	uint64_t dropped; // frames a real device lost to a full queue
	uint64_t last_drop_warning_usec;

	/* the producer's state as of its last frame, to resync the master after frames
	 * were dropped */
	uint8_t tail_keys[INPUT_KEY_CODES / 8];
	int32_t tail_slot;
	bool tail_touch[INPUT_TOUCH_SLOTS];

	/* what the master was sent */
	uint8_t sent_keys[INPUT_KEY_CODES / 8];
	int32_t sent_slot;
	bool sent_touch[INPUT_TOUCH_SLOTS];

	bool removing; // the producer let go; freed once the master has its last frame
};

/* server.c */
bool input_server_is_master(struct input_server *server, struct wl_client *client);
/** Sends the queues to the master at the end of this loop iteration. */
void input_server_schedule_drain(struct input_server *server);
uint64_t input_now_usec(void);

/* device.c */
/** A new device, announced to every consumer. NULL on no memory. */
struct input_device *input_device_create(struct input_server *server,
	const struct input_device_info *info, const struct input_device_impl *impl,
	void *impl_data);
/** The producer lets go: an unclosed frame is dropped, the frames already queued still
 * reach the master, then the releases of what it holds pressed after them, then every
 * consumer gets removed. The core frees it. */
void input_device_remove(struct input_device *device);
/** Appends to the frame being written; false if it has INPUT_MAX_FRAME_EVENTS. */
bool input_device_push(struct input_device *device, enum input_event_kind kind, uint16_t code,
	int32_t value);
/** Closes the frame. Without a master it is dropped. If the queue has no room: false, or
 * with drop_oldest, the queued frames are dropped and replaced by one that brings the
 * master's keys and touches to the producer's state (with a rate-limited warning). */
bool input_device_frame(struct input_device *device, uint64_t usec, bool drop_oldest);
/** Sends the device to one lumen_input_v1 resource; false on no memory. */
bool input_device_send_to_client(struct input_device *device, struct wl_resource *input_resource);
/** Sends frames from every queue while the master has room; true if some are left. */
bool input_devices_drain(struct input_server *server, size_t budget);
/** The master left: queues emptied, the "sent" state forgotten. */
void input_devices_master_gone(struct input_server *server);
void input_device_send_leds(struct input_device *device);

/* virtual-device.c */
void input_vdev_create(struct wl_client *client, struct wl_resource *input_resource, uint32_t id,
	uint32_t type, const char *name, uint32_t vendor, uint32_t product, uint32_t width,
	uint32_t height);

/* libinput-backend.c */
struct input_libinput *input_libinput_create(struct input_server *server, const char *seat);
void input_libinput_destroy(struct input_libinput *li);

#endif
