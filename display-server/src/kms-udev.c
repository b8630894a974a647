/* Connector hotplug from udev (kms-udev.h). */
#include "kms-udev.h"

#include <libudev.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "common/log.h"

struct ds_hotplug {
	struct udev *udev;
	struct udev_monitor *monitor;
	struct wl_event_source *source;
	dev_t devnum;
	void (*changed)(void *data);
	void *data;
};

static int handle_udev_readable(int fd, uint32_t mask, void *data) {
	struct ds_hotplug *hotplug = data;
	struct udev_device *dev;
	while ((dev = udev_monitor_receive_device(hotplug->monitor))) {
		const char *action = udev_device_get_action(dev);
		bool ours = udev_device_get_devnum(dev) == hotplug->devnum;
		/* HOTPLUG=1 from the kernel; other changes of the card (a lease, a content
		 * protection property) or a synthetic event (SYNTH_ARG_HOTPLUG=1, written to
		 * the card's uevent file) rescan too, which is cheap and harmless. */
		bool is_change = action && strcmp(action, "change") == 0;
		if (ours && is_change) {
			const char *hp = udev_device_get_property_value(dev, "HOTPLUG");
			lumen_log(LUMEN_DEBUG, "change event on the card (HOTPLUG=%s)", hp ? hp : "-");
		}
		udev_device_unref(dev);
		if (ours && is_change) {
			hotplug->changed(hotplug->data);
		}
	}
	return 0;
}

struct ds_hotplug *ds_hotplug_create(struct wl_event_loop *loop, dev_t devnum,
		void (*changed)(void *data), void *data) {
	struct ds_hotplug *hotplug = calloc(1, sizeof(*hotplug));
	if (!hotplug) {
		lumen_log(LUMEN_ERROR, "out of memory");
		return NULL;
	}
	hotplug->devnum = devnum;
	hotplug->changed = changed;
	hotplug->data = data;
	hotplug->udev = udev_new();
	if (!hotplug->udev) {
		lumen_log(LUMEN_WARN, "udev_new failed: no hotplug");
		goto fail;
	}
	/* udevd re-broadcasts the kernel's events once its rules ran; without udevd (an
	 * initramfs) only the kernel's own are there. */
	struct stat st;
	const char *source = stat("/run/udev/control", &st) == 0 ? "udev" : "kernel";
	hotplug->monitor = udev_monitor_new_from_netlink(hotplug->udev, source);
	if (!hotplug->monitor) {
		lumen_log(LUMEN_WARN, "no udev monitor (%s): no hotplug", source);
		goto fail;
	}
	if (udev_monitor_filter_add_match_subsystem_devtype(hotplug->monitor, "drm", NULL) < 0 ||
			udev_monitor_enable_receiving(hotplug->monitor) < 0) {
		lumen_log(LUMEN_WARN, "cannot receive udev events: no hotplug");
		goto fail;
	}
	hotplug->source = wl_event_loop_add_fd(loop, udev_monitor_get_fd(hotplug->monitor),
		WL_EVENT_READABLE, handle_udev_readable, hotplug);
	if (!hotplug->source) {
		lumen_log(LUMEN_WARN, "cannot watch udev events: no hotplug");
		goto fail;
	}
	lumen_log(LUMEN_DEBUG, "watching %s uevents for hotplug", source);
	return hotplug;
fail:
	ds_hotplug_destroy(hotplug);
	return NULL;
}

void ds_hotplug_destroy(struct ds_hotplug *hotplug) {
	if (!hotplug) {
		return;
	}
	if (hotplug->source) {
		wl_event_source_remove(hotplug->source);
	}
	if (hotplug->monitor) {
		udev_monitor_unref(hotplug->monitor);
	}
	if (hotplug->udev) {
		udev_unref(hotplug->udev);
	}
	free(hotplug);
}
