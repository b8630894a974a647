/* The capability report: device, KMS, GBM, EGL/GLES, dmabuf formats, explicit sync. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <drm_fourcc.h>
#include <json-c/json.h>
#include <xf86drm.h>
#include <xf86drmMode.h>
#include "common/log.h"
#include "gpu/allocator.h"
#include "gpu/caps.h"
#include "gpu/egl.h"

static bool plane_is_primary(int fd, uint32_t plane_id) {
	drmModeObjectPropertiesPtr props =
		drmModeObjectGetProperties(fd, plane_id, DRM_MODE_OBJECT_PLANE);
	if (!props) {
		return false;
	}
	bool primary = false;
	for (uint32_t i = 0; i < props->count_props; i++) {
		drmModePropertyPtr prop = drmModeGetProperty(fd, props->props[i]);
		if (prop) {
			if (strcmp(prop->name, "type") == 0 && props->prop_values[i] == DRM_PLANE_TYPE_PRIMARY) {
				primary = true;
			}
			drmModeFreeProperty(prop);
		}
	}
	drmModeFreeObjectProperties(props);
	return primary;
}

static bool add_in_formats(int fd, uint32_t plane_id, struct gpu_format_set *out, bool *found) {
	*found = false;
	drmModeObjectPropertiesPtr props =
		drmModeObjectGetProperties(fd, plane_id, DRM_MODE_OBJECT_PLANE);
	if (!props) {
		return true;
	}
	bool ok = true;
	for (uint32_t i = 0; i < props->count_props && !*found; i++) {
		drmModePropertyPtr prop = drmModeGetProperty(fd, props->props[i]);
		if (!prop) {
			continue;
		}
		if (strcmp(prop->name, "IN_FORMATS") == 0) {
			drmModePropertyBlobPtr blob = drmModeGetPropertyBlob(fd, (uint32_t)props->prop_values[i]);
			if (blob) {
				drmModeFormatModifierIterator iter = {0};
				while (ok && drmModeFormatModifierBlobIterNext(blob, &iter)) {
					ok = gpu_format_set_add(out, iter.fmt, iter.mod, false);
				}
				*found = true;
				drmModeFreePropertyBlob(blob);
			}
		}
		drmModeFreeProperty(prop);
	}
	drmModeFreeObjectProperties(props);
	return ok;
}

bool gpu_kms_scanout_formats(int fd, struct gpu_format_set *out) {
	drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1);
	drmModePlaneResPtr res = drmModeGetPlaneResources(fd);
	if (!res) {
		return false;
	}
	bool ok = true;
	for (uint32_t i = 0; ok && i < res->count_planes; i++) {
		if (!plane_is_primary(fd, res->planes[i])) {
			continue;
		}
		bool found = false;
		ok = add_in_formats(fd, res->planes[i], out, &found);
		if (found) {
			continue;
		}
		drmModePlanePtr plane = drmModeGetPlane(fd, res->planes[i]);
		if (plane) {
			for (uint32_t j = 0; ok && j < plane->count_formats; j++) {
				ok = gpu_format_set_add(out, plane->formats[j], DRM_FORMAT_MOD_LINEAR, false);
			}
			drmModeFreePlane(plane);
		}
	}
	drmModeFreePlaneResources(res);
	return ok;
}

static void collect_kms(struct gpu_caps *caps, int fd) {
	drmModeResPtr res = drmModeGetResources(fd);
	if (!res) {
		snprintf(caps->kms_why, sizeof(caps->kms_why), "no KMS resources (%s)",
			errno ? strerror(errno) : "a render-only node");
		return;
	}
	caps->have_kms = true;
	caps->kms_connectors = res->count_connectors;
	caps->kms_crtcs = res->count_crtcs;
	drmModeFreeResources(res);
	caps->kms_universal_planes = drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1) == 0;
	caps->kms_atomic = drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1) == 0;
	uint64_t value = 0;
	caps->kms_addfb2_modifiers = drmGetCap(fd, DRM_CAP_ADDFB2_MODIFIERS, &value) == 0 && value;
	value = 0;
	if (drmGetCap(fd, DRM_CAP_PRIME, &value) == 0) {
		caps->kms_prime_import = value & DRM_PRIME_CAP_IMPORT;
		caps->kms_prime_export = value & DRM_PRIME_CAP_EXPORT;
	}
	value = 0;
	caps->kms_async_flip = drmGetCap(fd, DRM_CAP_ASYNC_PAGE_FLIP, &value) == 0 && value;
	if (drmGetCap(fd, DRM_CAP_CURSOR_WIDTH, &caps->cursor_width) == 0 &&
			drmGetCap(fd, DRM_CAP_CURSOR_HEIGHT, &caps->cursor_height) == 0) {
		caps->kms_cursor = caps->cursor_width > 0;
	}
	drmModePlaneResPtr planes = drmModeGetPlaneResources(fd);
	if (planes) {
		caps->kms_planes = (int)planes->count_planes;
		drmModeFreePlaneResources(planes);
	}
	gpu_kms_scanout_formats(fd, &caps->scanout);
}

static void collect_egl(struct gpu_caps *caps, struct gbm_device *gbm) {
	struct gpu_egl *egl = gpu_egl_create(gbm, caps->egl_why, sizeof(caps->egl_why));
	if (!egl) {
		return;
	}
	caps->have_egl = true;
	caps->egl_surfaceless = egl->surfaceless;
	snprintf(caps->egl_vendor, sizeof(caps->egl_vendor), "%s", egl->egl_vendor);
	snprintf(caps->egl_version, sizeof(caps->egl_version), "%s", egl->egl_version);
	snprintf(caps->gl_vendor, sizeof(caps->gl_vendor), "%s", egl->gl_vendor);
	snprintf(caps->gl_renderer, sizeof(caps->gl_renderer), "%s", egl->gl_renderer);
	snprintf(caps->gl_version, sizeof(caps->gl_version), "%s", egl->gl_version);
	snprintf(caps->egl_drm_device, sizeof(caps->egl_drm_device), "%s", egl->drm_device);
	caps->gles_major = egl->gles_major;
	caps->gles_minor = egl->gles_minor;
	caps->dmabuf_import = egl->has_dmabuf_import;
	caps->dmabuf_modifiers = egl->has_dmabuf_modifiers;
	caps->dmabuf_export = egl->has_dmabuf_export;
	caps->image_external = egl->has_image_external;
	gpu_egl_dmabuf_formats(egl, &caps->renderable);
	if (egl->has_native_fence && egl->has_wait_sync) {
		/* Offered is not working: make one and see that it is a real fd. */
		int fd = gpu_egl_fence_export(egl);
		if (fd >= 0) {
			caps->explicit_sync = true;
			close(fd);
		} else {
			snprintf(caps->sync_why, sizeof(caps->sync_why),
				"EGL_ANDROID_native_fence_sync is listed but gave no fence fd");
		}
	} else {
		snprintf(caps->sync_why, sizeof(caps->sync_why), "EGL lacks %s",
			!egl->has_native_fence ? "EGL_ANDROID_native_fence_sync" : "EGL_KHR_wait_sync");
	}
	gpu_egl_destroy(egl);
}

void gpu_caps_collect(struct gpu_caps *caps, const char *path) {
	memset(caps, 0, sizeof(*caps));
	gpu_format_set_init(&caps->scanout);
	gpu_format_set_init(&caps->renderable);
	gpu_format_set_init(&caps->negotiated);
	char node[64] = "";
	if (path && path[0]) {
		snprintf(node, sizeof(node), "%s", path);
	} else if (!path) {
		struct gpu_device_info *infos = NULL;
		int n = gpu_devices_list(&infos, caps->device_why, sizeof(caps->device_why));
		if (n > 0) {
			snprintf(node, sizeof(node), "%s", infos[0].primary[0] ? infos[0].primary : infos[0].render);
		}
		free(infos);
	} else {
		snprintf(caps->device_why, sizeof(caps->device_why), "no device asked for");
	}

	int fd = -1;
	if (node[0]) {
		caps->have_device =
			gpu_device_probe_path(node, &caps->device, caps->device_why, sizeof(caps->device_why));
		if (caps->have_device) {
			fd = open(node, O_RDWR | O_CLOEXEC);
		}
	}
	if (!caps->have_device) {
		snprintf(caps->device.mesa_driver, sizeof(caps->device.mesa_driver), "llvmpipe");
	}
	if (fd >= 0 && drmGetNodeTypeFromFd(fd) == DRM_NODE_PRIMARY) {
		collect_kms(caps, fd);
	} else if (!caps->kms_why[0]) {
		snprintf(caps->kms_why, sizeof(caps->kms_why), "%s",
			fd >= 0 ? "a render node has no KMS" : "no DRM device");
	}
	struct gpu_allocator *alloc = NULL;
	if (fd >= 0) {
		/* Render where a compositor would: the render node, or the card for kms_swrast. */
		const char *render_path = gpu_device_render_path(&caps->device);
		int render_fd = strcmp(render_path, node) == 0 ? -1 : open(render_path, O_RDWR | O_CLOEXEC);
		alloc = gpu_allocator_create(render_fd >= 0 ? render_fd : fd, caps->gbm_why,
			sizeof(caps->gbm_why));
		if (render_fd >= 0) {
			close(render_fd);
		}
		if (alloc) {
			caps->have_gbm = true;
			snprintf(caps->gbm_backend, sizeof(caps->gbm_backend), "%s", alloc->backend);
		}
	} else {
		snprintf(caps->gbm_why, sizeof(caps->gbm_why), "no DRM device for GBM");
	}
	collect_egl(caps, alloc ? alloc->gbm : NULL);
	gpu_allocator_destroy(alloc);
	if (fd >= 0) {
		close(fd);
	}

	if (caps->have_kms) {
		gpu_format_set_intersect(&caps->scanout, &caps->renderable, &caps->negotiated);
	}
	if (!gpu_mesa_driver_is_hardware(caps->device.mesa_driver)) {
		snprintf(caps->renderer, sizeof(caps->renderer), "pixman");
		snprintf(caps->renderer_why, sizeof(caps->renderer_why),
			"Mesa's %s renders in software", caps->device.mesa_driver);
	} else if (caps->have_egl && caps->have_gbm && caps->dmabuf_import) {
		snprintf(caps->renderer, sizeof(caps->renderer), "gles2");
		snprintf(caps->renderer_why, sizeof(caps->renderer_why), "EGL on GBM (%s) with dmabuf import",
			caps->device.mesa_driver);
	} else {
		snprintf(caps->renderer, sizeof(caps->renderer), "pixman");
		snprintf(caps->renderer_why, sizeof(caps->renderer_why), "%s",
			!caps->have_gbm ? "no GBM device: GLES2 in wlroots needs a DRM fd"
			: !caps->have_egl ? "EGL did not start"
			: "EGL cannot import dmabufs");
	}
}

bool gpu_mesa_driver_is_hardware(const char *mesa_driver) {
	static const char *const software[] = {"", "kms_swrast", "llvmpipe", "swrast", "softpipe"};
	if (!mesa_driver) {
		return false;
	}
	for (size_t i = 0; i < sizeof(software) / sizeof(software[0]); i++) {
		if (strcmp(mesa_driver, software[i]) == 0) {
			return false;
		}
	}
	return true;
}

void gpu_caps_choose_renderer(int drm_fd, char *renderer, size_t renderer_size, char *why,
		size_t why_size) {
	snprintf(renderer, renderer_size, "pixman");
	if (drm_fd < 0) {
		snprintf(why, why_size, "no DRM device (no render node was offered or found)");
		return;
	}
	struct gpu_device_info info = {0};
	gpu_device_probe_fd(drm_fd, &info);
	char *name = drmGetDeviceNameFromFd2(drm_fd);
	char node[64];
	snprintf(node, sizeof(node), "%s", name ? name : "?");
	free(name);
	if (!gpu_mesa_driver_is_hardware(info.mesa_driver)) {
		snprintf(why, why_size, "%s (%s): Mesa's %s renders in software", node,
			info.kernel_driver[0] ? info.kernel_driver : "?", info.mesa_driver);
		return;
	}
	char gbm_why[128] = "";
	struct gpu_allocator *alloc = gpu_allocator_create(drm_fd, gbm_why, sizeof(gbm_why));
	if (!alloc) {
		snprintf(why, why_size, "%s (%s, Mesa %s): no GBM: %s", node, info.kernel_driver,
			info.mesa_driver, gbm_why);
		return;
	}
	snprintf(renderer, renderer_size, "gles2");
	snprintf(why, why_size, "%s (%s): Mesa's %s renders in hardware, GBM %s", node,
		info.kernel_driver, info.mesa_driver, alloc->backend);
	gpu_allocator_destroy(alloc);
}

void gpu_caps_finish(struct gpu_caps *caps) {
	gpu_format_set_finish(&caps->scanout);
	gpu_format_set_finish(&caps->renderable);
	gpu_format_set_finish(&caps->negotiated);
}

static void print_set(FILE *f, const char *label, const struct gpu_format_set *set) {
	fprintf(f, "  %s (%zu):", label, set->n);
	uint32_t last = 0;
	for (size_t i = 0; i < set->n; i++) {
		char fc[8], mod[24];
		if (i == 0 || set->pairs[i].format != last) {
			fprintf(f, "\n    %s:", gpu_fourcc_str(set->pairs[i].format, fc, sizeof(fc)));
			last = set->pairs[i].format;
		}
		fprintf(f, " %s%s", gpu_modifier_str(set->pairs[i].modifier, mod, sizeof(mod)),
			set->pairs[i].external_only ? "(external)" : "");
	}
	fprintf(f, "\n");
}

static const char *yn(bool b) {
	return b ? "yes" : "no";
}

static const char *three_d_str(enum gpu_3d d) {
	return d == GPU_3D_YES ? "yes" : d == GPU_3D_NO ? "no" : "unknown";
}

void gpu_caps_print(const struct gpu_caps *caps, FILE *f) {
	const struct gpu_device_info *d = &caps->device;
	fprintf(f, "device:\n");
	if (caps->have_device) {
		fprintf(f, "  primary: %s\n  render: %s\n  bus: %s %04x:%04x\n",
			d->primary[0] ? d->primary : "-", d->render[0] ? d->render : "-", d->bus,
			d->vendor_id, d->device_id);
		fprintf(f, "  kernel driver: %s %d.%d.%d (%s)\n  3d: %s\n", d->kernel_driver,
			d->kernel_major, d->kernel_minor, d->kernel_patch, d->kernel_desc,
			three_d_str(d->has_3d));
	} else {
		fprintf(f, "  none: %s\n", caps->device_why);
	}
	fprintf(f, "  mesa driver: %s\n", d->mesa_driver);
	fprintf(f, "kms:\n");
	if (caps->have_kms) {
		fprintf(f, "  connectors %d, crtcs %d, planes %d\n", caps->kms_connectors,
			caps->kms_crtcs, caps->kms_planes);
		fprintf(f, "  atomic: %s\n  universal planes: %s\n  addfb2 modifiers: %s\n",
			yn(caps->kms_atomic), yn(caps->kms_universal_planes), yn(caps->kms_addfb2_modifiers));
		fprintf(f, "  prime import: %s\n  prime export: %s\n  async flip: %s\n",
			yn(caps->kms_prime_import), yn(caps->kms_prime_export), yn(caps->kms_async_flip));
		fprintf(f, "  cursor: %llux%llu\n", (unsigned long long)caps->cursor_width,
			(unsigned long long)caps->cursor_height);
		print_set(f, "scanout formats", &caps->scanout);
	} else {
		fprintf(f, "  none: %s\n", caps->kms_why);
	}
	fprintf(f, "gbm:\n");
	if (caps->have_gbm) {
		fprintf(f, "  backend: %s\n", caps->gbm_backend);
	} else {
		fprintf(f, "  none: %s\n", caps->gbm_why);
	}
	fprintf(f, "egl:\n");
	if (caps->have_egl) {
		fprintf(f, "  platform: %s\n  vendor: %s\n  version: %s\n",
			caps->egl_surfaceless ? "surfaceless" : "gbm", caps->egl_vendor, caps->egl_version);
		fprintf(f, "  drm device: %s\n", caps->egl_drm_device[0] ? caps->egl_drm_device : "-");
		fprintf(f, "  GL_VENDOR: %s\n  GL_RENDERER: %s\n  GL_VERSION: %s\n  gles: %d.%d\n",
			caps->gl_vendor, caps->gl_renderer, caps->gl_version, caps->gles_major,
			caps->gles_minor);
		fprintf(f, "  dmabuf import: %s\n  dmabuf modifiers: %s\n  dmabuf export: %s\n",
			yn(caps->dmabuf_import), yn(caps->dmabuf_modifiers), yn(caps->dmabuf_export));
		fprintf(f, "  image external: %s\n", yn(caps->image_external));
		print_set(f, "renderable dmabuf formats", &caps->renderable);
	} else {
		fprintf(f, "  none: %s\n", caps->egl_why);
	}
	fprintf(f, "explicit sync: %s%s%s\n", yn(caps->explicit_sync),
		caps->explicit_sync ? "" : " - ", caps->explicit_sync ? "" : caps->sync_why);
	if (caps->have_kms) {
		print_set(f, "negotiated (scanout and renderable)", &caps->negotiated);
	}
	fprintf(f, "renderer: %s (%s)\n", caps->renderer, caps->renderer_why);
}

static struct json_object *set_to_json(const struct gpu_format_set *set) {
	struct json_object *arr = json_object_new_array();
	for (size_t i = 0; arr && i < set->n; i++) {
		char fc[8], mod[24];
		struct json_object *o = json_object_new_object();
		if (!o) {
			break;
		}
		json_object_object_add(o, "format",
			json_object_new_string(gpu_fourcc_str(set->pairs[i].format, fc, sizeof(fc))));
		json_object_object_add(o, "modifier",
			json_object_new_string(gpu_modifier_str(set->pairs[i].modifier, mod, sizeof(mod))));
		if (set->pairs[i].external_only) {
			json_object_object_add(o, "external_only", json_object_new_boolean(1));
		}
		json_object_array_add(arr, o);
	}
	return arr;
}

static void add_str(struct json_object *o, const char *key, const char *value) {
	json_object_object_add(o, key, json_object_new_string(value));
}

static void add_bool(struct json_object *o, const char *key, bool value) {
	json_object_object_add(o, key, json_object_new_boolean(value));
}

struct json_object *gpu_caps_to_json(const struct gpu_caps *caps) {
	struct json_object *root = json_object_new_object();
	struct json_object *dev = json_object_new_object();
	struct json_object *kms = json_object_new_object();
	struct json_object *gbm = json_object_new_object();
	struct json_object *egl = json_object_new_object();
	if (!root || !dev || !kms || !gbm || !egl) {
		json_object_put(root);
		json_object_put(dev);
		json_object_put(kms);
		json_object_put(gbm);
		json_object_put(egl);
		return NULL;
	}
	const struct gpu_device_info *d = &caps->device;
	add_bool(dev, "present", caps->have_device);
	if (caps->have_device) {
		add_str(dev, "primary", d->primary);
		add_str(dev, "render", d->render);
		add_str(dev, "bus", d->bus);
		json_object_object_add(dev, "vendor_id", json_object_new_int((int)d->vendor_id));
		json_object_object_add(dev, "device_id", json_object_new_int((int)d->device_id));
		add_str(dev, "kernel_driver", d->kernel_driver);
		add_str(dev, "3d", three_d_str(d->has_3d));
	} else {
		add_str(dev, "why", caps->device_why);
	}
	add_str(dev, "mesa_driver", d->mesa_driver);
	json_object_object_add(root, "device", dev);

	add_bool(kms, "present", caps->have_kms);
	if (caps->have_kms) {
		add_bool(kms, "atomic", caps->kms_atomic);
		add_bool(kms, "addfb2_modifiers", caps->kms_addfb2_modifiers);
		add_bool(kms, "prime_import", caps->kms_prime_import);
		add_bool(kms, "prime_export", caps->kms_prime_export);
		add_bool(kms, "async_flip", caps->kms_async_flip);
		json_object_object_add(kms, "connectors", json_object_new_int(caps->kms_connectors));
		json_object_object_add(kms, "crtcs", json_object_new_int(caps->kms_crtcs));
		json_object_object_add(kms, "planes", json_object_new_int(caps->kms_planes));
		json_object_object_add(kms, "cursor_width", json_object_new_int64((int64_t)caps->cursor_width));
		json_object_object_add(kms, "cursor_height", json_object_new_int64((int64_t)caps->cursor_height));
		json_object_object_add(kms, "scanout_formats", set_to_json(&caps->scanout));
		json_object_object_add(kms, "negotiated_formats", set_to_json(&caps->negotiated));
	} else {
		add_str(kms, "why", caps->kms_why);
	}
	json_object_object_add(root, "kms", kms);

	add_bool(gbm, "present", caps->have_gbm);
	add_str(gbm, caps->have_gbm ? "backend" : "why", caps->have_gbm ? caps->gbm_backend : caps->gbm_why);
	json_object_object_add(root, "gbm", gbm);

	add_bool(egl, "present", caps->have_egl);
	if (caps->have_egl) {
		add_str(egl, "platform", caps->egl_surfaceless ? "surfaceless" : "gbm");
		add_str(egl, "vendor", caps->egl_vendor);
		add_str(egl, "version", caps->egl_version);
		add_str(egl, "drm_device", caps->egl_drm_device);
		add_str(egl, "gl_vendor", caps->gl_vendor);
		add_str(egl, "gl_renderer", caps->gl_renderer);
		add_str(egl, "gl_version", caps->gl_version);
		json_object_object_add(egl, "gles_major", json_object_new_int(caps->gles_major));
		json_object_object_add(egl, "gles_minor", json_object_new_int(caps->gles_minor));
		add_bool(egl, "dmabuf_import", caps->dmabuf_import);
		add_bool(egl, "dmabuf_modifiers", caps->dmabuf_modifiers);
		add_bool(egl, "dmabuf_export", caps->dmabuf_export);
		add_bool(egl, "image_external", caps->image_external);
		json_object_object_add(egl, "renderable_formats", set_to_json(&caps->renderable));
	} else {
		add_str(egl, "why", caps->egl_why);
	}
	json_object_object_add(root, "egl", egl);

	struct json_object *sync = json_object_new_object();
	if (sync) {
		add_bool(sync, "native_fence", caps->explicit_sync);
		if (!caps->explicit_sync) {
			add_str(sync, "why", caps->sync_why);
		}
		json_object_object_add(root, "explicit_sync", sync);
	}
	struct json_object *renderer = json_object_new_object();
	if (renderer) {
		add_str(renderer, "choice", caps->renderer);
		add_str(renderer, "why", caps->renderer_why);
		json_object_object_add(root, "renderer", renderer);
	}
	return root;
}
