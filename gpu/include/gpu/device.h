#ifndef GPU_DEVICE_H
#define GPU_DEVICE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * DRM devices as the kernel lists them (drmGetDevices2), with the kernel driver behind
 * each and the Mesa driver that renders on it. Without any device the renderer is
 * llvmpipe (EGL surfaceless).
 */

enum gpu_3d {
	GPU_3D_UNKNOWN = 0, // not asked (or the ioctl is not known for this driver)
	GPU_3D_YES,
	GPU_3D_NO,
};

struct gpu_device_info {
	char primary[64]; // "/dev/dri/card0", or "" when the device has none
	char render[64]; // "/dev/dri/renderD128", or ""
	char kernel_driver[32]; // drmGetVersion's name: "virtio_gpu", "i915", ...
	char kernel_desc[64];
	int kernel_major, kernel_minor, kernel_patch;
	enum gpu_3d has_3d; // virtio-gpu: VIRTGPU_PARAM_3D_FEATURES
	char mesa_driver[32]; // "virgl", "kms_swrast", "iris", "radeonsi", ...
	char bus[16]; // "pci", "platform", "usb", "host1x", "?"
	unsigned vendor_id, device_id; // PCI ids, 0 elsewhere
};

/**
 * Lists the DRM devices. *out is a calloc'd array the caller frees (NULL when there is
 * none); returns the number, or -1 with a reason in why (which may be NULL).
 */
int gpu_devices_list(struct gpu_device_info **out, char *why, size_t why_size);

/** Fills info for one DRM node (card or render), opening it read-write. */
bool gpu_device_probe_path(const char *path, struct gpu_device_info *info, char *why,
	size_t why_size);

/** Fills info for an open DRM fd (kernel driver, 3D, Mesa driver); paths stay as they are. */
void gpu_device_probe_fd(int fd, struct gpu_device_info *info);

/**
 * The Mesa driver for a kernel driver: virtio_gpu → virgl (3D) or kms_swrast, i915/xe →
 * iris, amdgpu → radeonsi, NULL/"" → llvmpipe; unknown ones are returned by name.
 */
const char *gpu_mesa_driver_for(const char *kernel_driver, enum gpu_3d has_3d);

/**
 * The node to allocate (GBM) and render on: the render node, except for kms_swrast,
 * which renders into dumb buffers, and those exist only on the primary node.
 */
const char *gpu_device_render_path(const struct gpu_device_info *info);

/** The render node belonging to an open primary (or render) fd; "" when none. */
bool gpu_render_node_for_fd(int fd, char *path, size_t size);

#endif
