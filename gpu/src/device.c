/*
 * Device discovery: libdrm's device list, drmGetVersion for the kernel driver, and the
 * virtio-gpu 3D capability, which decides between virgl and kms_swrast in Mesa.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <xf86drm.h>
#include "common/log.h"
#include "gpu/device.h"

#if __has_include(<virtgpu_drm.h>)
#include <virtgpu_drm.h>
#define GPU_HAVE_VIRTGPU_H 1
#endif

static void set_why(char *why, size_t size, const char *msg) {
	if (why && size > 0) {
		snprintf(why, size, "%s", msg);
	}
}

const char *gpu_mesa_driver_for(const char *kernel_driver, enum gpu_3d has_3d) {
	if (!kernel_driver || !kernel_driver[0]) {
		return "llvmpipe";
	}
	if (strcmp(kernel_driver, "virtio_gpu") == 0) {
		/* Without 3D (virtio-gpu-pci, no virgl on the host) Mesa renders with llvmpipe
		 * into dumb buffers through kms_swrast. */
		return has_3d == GPU_3D_YES ? "virgl" : "kms_swrast";
	}
	if (strcmp(kernel_driver, "i915") == 0 || strcmp(kernel_driver, "xe") == 0) {
		return "iris";
	}
	if (strcmp(kernel_driver, "amdgpu") == 0) {
		return "radeonsi";
	}
	if (strcmp(kernel_driver, "radeon") == 0) {
		return "r600";
	}
	if (strcmp(kernel_driver, "nouveau") == 0) {
		return "nouveau";
	}
	if (strcmp(kernel_driver, "vmwgfx") == 0) {
		return "vmwgfx";
	}
	if (strcmp(kernel_driver, "msm") == 0) {
		return "freedreno";
	}
	if (strcmp(kernel_driver, "v3d") == 0 || strcmp(kernel_driver, "vc4") == 0) {
		return kernel_driver;
	}
	if (strcmp(kernel_driver, "panfrost") == 0 || strcmp(kernel_driver, "lima") == 0 ||
			strcmp(kernel_driver, "etnaviv") == 0) {
		return kernel_driver;
	}
	/* Display-only drivers (simpledrm, bochs, vkms, ...): Mesa falls back to kms_swrast. */
	return "kms_swrast";
}

static enum gpu_3d probe_3d(int fd, const char *driver) {
	if (strcmp(driver, "virtio_gpu") != 0) {
		return GPU_3D_UNKNOWN;
	}
#ifdef GPU_HAVE_VIRTGPU_H
	int value = 0;
	struct drm_virtgpu_getparam param = {
		.param = VIRTGPU_PARAM_3D_FEATURES,
		.value = (uint64_t)(uintptr_t)&value,
	};
	if (drmIoctl(fd, DRM_IOCTL_VIRTGPU_GETPARAM, &param) != 0) {
		lumen_log_errno(LUMEN_DEBUG, "VIRTGPU_GETPARAM(3D_FEATURES)");
		return GPU_3D_UNKNOWN;
	}
	return value ? GPU_3D_YES : GPU_3D_NO;
#else
	return GPU_3D_UNKNOWN;
#endif
}

void gpu_device_probe_fd(int fd, struct gpu_device_info *info) {
	drmVersionPtr version = drmGetVersion(fd);
	if (version) {
		snprintf(info->kernel_driver, sizeof(info->kernel_driver), "%.*s",
			version->name_len, version->name ? version->name : "");
		snprintf(info->kernel_desc, sizeof(info->kernel_desc), "%.*s", version->desc_len,
			version->desc ? version->desc : "");
		info->kernel_major = version->version_major;
		info->kernel_minor = version->version_minor;
		info->kernel_patch = version->version_patchlevel;
		drmFreeVersion(version);
	}
	info->has_3d = probe_3d(fd, info->kernel_driver);
	snprintf(info->mesa_driver, sizeof(info->mesa_driver), "%s",
		gpu_mesa_driver_for(info->kernel_driver, info->has_3d));
}

static void fill_from_device(drmDevicePtr dev, struct gpu_device_info *info) {
	if (dev->available_nodes & (1 << DRM_NODE_PRIMARY)) {
		snprintf(info->primary, sizeof(info->primary), "%s", dev->nodes[DRM_NODE_PRIMARY]);
	}
	if (dev->available_nodes & (1 << DRM_NODE_RENDER)) {
		snprintf(info->render, sizeof(info->render), "%s", dev->nodes[DRM_NODE_RENDER]);
	}
	const char *bus = "?";
	switch (dev->bustype) {
	case DRM_BUS_PCI:
		bus = "pci";
		if (dev->deviceinfo.pci) {
			info->vendor_id = dev->deviceinfo.pci->vendor_id;
			info->device_id = dev->deviceinfo.pci->device_id;
		}
		break;
	case DRM_BUS_USB:
		bus = "usb";
		break;
	case DRM_BUS_PLATFORM:
		bus = "platform";
		break;
	case DRM_BUS_HOST1X:
		bus = "host1x";
		break;
	}
	snprintf(info->bus, sizeof(info->bus), "%s", bus);
}

int gpu_devices_list(struct gpu_device_info **out, char *why, size_t why_size) {
	*out = NULL;
	int n = drmGetDevices2(0, NULL, 0);
	if (n == -ENOENT) {
		set_why(why, why_size, "no DRM device (no /dev/dri)");
		return 0;
	}
	if (n < 0) {
		char msg[128];
		snprintf(msg, sizeof(msg), "drmGetDevices2: %s", strerror(-n));
		set_why(why, why_size, msg);
		return -1;
	}
	if (n == 0) {
		set_why(why, why_size, "no DRM device (/dev/dri is empty or absent)");
		return 0;
	}
	drmDevicePtr *devices = calloc((size_t)n, sizeof(*devices));
	struct gpu_device_info *infos = calloc((size_t)n, sizeof(*infos));
	if (!devices || !infos) {
		free(devices);
		free(infos);
		set_why(why, why_size, "out of memory");
		return -1;
	}
	n = drmGetDevices2(0, devices, n);
	if (n < 0) {
		free(devices);
		free(infos);
		set_why(why, why_size, "drmGetDevices2 failed the second time");
		return -1;
	}
	int count = 0;
	for (int i = 0; i < n; i++) {
		struct gpu_device_info *info = &infos[count];
		fill_from_device(devices[i], info);
		const char *node = info->render[0] ? info->render : info->primary;
		if (!node[0]) {
			continue;
		}
		/* Render nodes are open to anyone in the render group; the primary may be held
		 * by a display server, which does not stop us from reading its version. */
		int fd = open(node, O_RDWR | O_CLOEXEC);
		if (fd < 0 && info->primary[0] && node != info->primary) {
			fd = open(info->primary, O_RDWR | O_CLOEXEC);
		}
		if (fd >= 0) {
			gpu_device_probe_fd(fd, info);
			close(fd);
		} else {
			lumen_log_errno(LUMEN_WARN, "cannot open %s", node);
			snprintf(info->mesa_driver, sizeof(info->mesa_driver), "?");
		}
		count++;
	}
	drmFreeDevices(devices, n);
	free(devices);
	if (count == 0) {
		free(infos);
		set_why(why, why_size, "DRM devices without nodes");
		return 0;
	}
	*out = infos;
	return count;
}

bool gpu_device_probe_path(const char *path, struct gpu_device_info *info, char *why,
		size_t why_size) {
	memset(info, 0, sizeof(*info));
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		char msg[256];
		snprintf(msg, sizeof(msg), "cannot open %s: %s", path, strerror(errno));
		set_why(why, why_size, msg);
		return false;
	}
	drmDevicePtr dev = NULL;
	if (drmGetDevice2(fd, 0, &dev) == 0 && dev) {
		fill_from_device(dev, info);
		drmFreeDevice(&dev);
	} else {
		snprintf(info->bus, sizeof(info->bus), "?");
		if (drmGetNodeTypeFromFd(fd) == DRM_NODE_RENDER) {
			snprintf(info->render, sizeof(info->render), "%s", path);
		} else {
			snprintf(info->primary, sizeof(info->primary), "%s", path);
		}
	}
	gpu_device_probe_fd(fd, info);
	close(fd);
	return true;
}

bool gpu_render_node_for_fd(int fd, char *path, size_t size) {
	path[0] = '\0';
	char *name = drmGetRenderDeviceNameFromFd(fd);
	if (!name) {
		return false;
	}
	snprintf(path, size, "%s", name);
	free(name);
	return true;
}

const char *gpu_device_render_path(const struct gpu_device_info *info) {
	if (strcmp(info->mesa_driver, "kms_swrast") == 0 && info->primary[0]) {
		return info->primary;
	}
	return info->render[0] ? info->render : info->primary;
}
