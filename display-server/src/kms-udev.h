#ifndef DS_KMS_UDEV_H
#define DS_KMS_UDEV_H

/*
 * Hotplug of one DRM card's connectors, from udev (libudev's netlink monitor on the
 * event loop). Without udevd (a bare initramfs) the kernel's own uevents are read.
 * The kms backend sees only this interface.
 */

#include <sys/types.h>
#include <wayland-server-core.h>

struct ds_hotplug;

/** Calls changed(data) from the loop whenever the kernel reports a hotplug on the card
 * with device number devnum. NULL with a log on failure (the backend then runs without
 * hotplug). */
struct ds_hotplug *ds_hotplug_create(struct wl_event_loop *loop, dev_t devnum,
	void (*changed)(void *data), void *data);
void ds_hotplug_destroy(struct ds_hotplug *hotplug);

#endif
