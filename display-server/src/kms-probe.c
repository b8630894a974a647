/*
 * The kms backend's view of the card (kms.h): opening it, its CRTCs and planes (with
 * the primary planes' scanout formats and modifiers, IN_FORMATS), its connectors with
 * their modes and EDID, one output per connected connector, and the rescans that
 * hotplug events bring.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>
#include "common/log.h"
#include "kms-seat.h"
#include "kms.h"

uint32_t kms_find_prop(int fd, uint32_t obj, uint32_t type, const char *name, uint64_t *value) {
	drmModeObjectProperties *props = drmModeObjectGetProperties(fd, obj, type);
	if (!props) {
		return 0;
	}
	uint32_t id = 0;
	for (uint32_t i = 0; i < props->count_props && !id; i++) {
		drmModePropertyRes *prop = drmModeGetProperty(fd, props->props[i]);
		if (!prop) {
			continue;
		}
		if (strcmp(prop->name, name) == 0) {
			id = prop->prop_id;
			if (value) {
				*value = props->prop_values[i];
			}
		}
		drmModeFreeProperty(prop);
	}
	drmModeFreeObjectProperties(props);
	return id;
}

int32_t kms_mode_refresh_mhz(const drmModeModeInfo *m) {
	int64_t num = (int64_t)m->clock * 1000000;
	int64_t den = (int64_t)m->htotal * m->vtotal;
	if (m->flags & DRM_MODE_FLAG_INTERLACE) {
		num *= 2;
	}
	if (m->flags & DRM_MODE_FLAG_DBLSCAN) {
		den *= 2;
	}
	if (m->vscan > 1) {
		den *= m->vscan;
	}
	if (den <= 0) {
		return (int32_t)m->vrefresh * 1000;
	}
	return (int32_t)((num + den / 2) / den);
}

static const char *connector_type_name(uint32_t type) {
	const char *name = drmModeGetConnectorTypeName(type);
	return name ? name : "Unknown";
}

/* Make, model and serial from the EDID's vendor id and descriptors. */
static void parse_edid(struct ds_output *output, const uint8_t *edid, size_t size) {
	if (size < 128 || edid[0] != 0x00 || edid[1] != 0xff) {
		return;
	}
	uint16_t id = (uint16_t)(edid[8] << 8 | edid[9]);
	char pnp[4] = {
		(char)('A' - 1 + ((id >> 10) & 0x1f)),
		(char)('A' - 1 + ((id >> 5) & 0x1f)),
		(char)('A' - 1 + (id & 0x1f)),
		'\0',
	};
	if (pnp[0] >= 'A' && pnp[0] <= 'Z') {
		snprintf(output->make, sizeof(output->make), "%s", pnp);
	}
	for (int i = 0; i < 4; i++) {
		const uint8_t *d = edid + 54 + i * 18;
		if (d[0] != 0 || d[1] != 0 || d[2] != 0) {
			continue;
		}
		char text[14] = {0};
		for (int j = 0; j < 13 && d[5 + j] != '\n' && d[5 + j] != '\0'; j++) {
			text[j] = (d[5 + j] >= 0x20 && d[5 + j] < 0x7f) ? (char)d[5 + j] : '?';
		}
		size_t len = strlen(text);
		while (len > 0 && text[len - 1] == ' ') {
			text[--len] = '\0';
		}
		if (len == 0) {
			continue;
		}
		if (d[3] == 0xfc) {
			snprintf(output->model, sizeof(output->model), "%s", text);
		} else if (d[3] == 0xff) {
			snprintf(output->serial, sizeof(output->serial), "%s", text);
		}
	}
}

static void read_edid(struct kms_backend *kms, struct kms_connector *conn) {
	uint64_t blob_id = 0;
	if (!kms_find_prop(kms->fd, conn->id, DRM_MODE_OBJECT_CONNECTOR, "EDID", &blob_id) || !blob_id) {
		return;
	}
	drmModePropertyBlobRes *blob = drmModeGetPropertyBlob(kms->fd, (uint32_t)blob_id);
	if (blob) {
		parse_edid(&conn->output, blob->data, blob->length);
		drmModeFreePropertyBlob(blob);
	}
}

static struct kms_connector *connector_by_id(struct kms_backend *kms, uint32_t id) {
	struct kms_connector *conn;
	wl_list_for_each (conn, &kms->connectors, link) {
		if (conn->id == id) {
			return conn;
		}
	}
	return NULL;
}

static const uint32_t fallback_formats[] = {DRM_FORMAT_XRGB8888, DRM_FORMAT_ARGB8888};

static const uint64_t fallback_modifiers[] = {DRM_FORMAT_MOD_LINEAR, DRM_FORMAT_MOD_LINEAR};

/* The CRTC that drives the connector now, else a free one it can use. */
static struct kms_crtc *pick_crtc(struct kms_backend *kms, drmModeConnector *c, bool *lit) {
	*lit = false;
	if (c->encoder_id) {
		drmModeEncoder *enc = drmModeGetEncoder(kms->fd, c->encoder_id);
		if (enc) {
			for (int i = 0; i < kms->n_crtcs; i++) {
				if (kms->crtcs[i].id == enc->crtc_id && !kms->crtcs[i].taken) {
					drmModeFreeEncoder(enc);
					*lit = kms->crtcs[i].initial_active;
					return &kms->crtcs[i];
				}
			}
			drmModeFreeEncoder(enc);
		}
	}
	for (int e = 0; e < c->count_encoders; e++) {
		drmModeEncoder *enc = drmModeGetEncoder(kms->fd, c->encoders[e]);
		if (!enc) {
			continue;
		}
		uint32_t possible = enc->possible_crtcs;
		drmModeFreeEncoder(enc);
		for (int i = 0; i < kms->n_crtcs; i++) {
			if ((possible & (1u << i)) && !kms->crtcs[i].taken) {
				return &kms->crtcs[i];
			}
		}
	}
	return NULL;
}

static bool fill_modes(struct kms_connector *conn, drmModeConnector *c, const drmModeModeInfo *extra) {
	size_t n = (size_t)c->count_modes + (extra ? 1 : 0);
	drmModeModeInfo *drm_modes = calloc(n, sizeof(*drm_modes));
	struct ds_mode *modes = calloc(n, sizeof(*modes));
	if (!drm_modes || !modes) {
		free(drm_modes);
		free(modes);
		return false;
	}
	size_t k = 0;
	for (int i = 0; i < c->count_modes; i++) {
		drm_modes[k++] = c->modes[i];
	}
	if (extra) {
		bool have = false;
		for (size_t i = 0; i < k && !have; i++) {
			have = memcmp(&drm_modes[i], extra, sizeof(*extra)) == 0;
		}
		if (!have) {
			drm_modes[k++] = *extra;
		}
	}
	for (size_t i = 0; i < k; i++) {
		modes[i] = (struct ds_mode){
			.width = drm_modes[i].hdisplay,
			.height = drm_modes[i].vdisplay,
			.refresh = kms_mode_refresh_mhz(&drm_modes[i]),
			.preferred = (drm_modes[i].type & DRM_MODE_TYPE_PREFERRED) != 0,
		};
	}
	free(conn->drm_modes);
	free(conn->modes);
	conn->drm_modes = drm_modes;
	conn->modes = modes;
	conn->n_modes = k;
	conn->output.modes = modes;
	conn->output.n_modes = k;
	return true;
}

static void set_current(struct kms_connector *conn) {
	conn->output.current = (struct ds_mode){
		.width = conn->mode.hdisplay,
		.height = conn->mode.vdisplay,
		.refresh = kms_mode_refresh_mhz(&conn->mode),
	};
}

static void create_connector(struct kms_backend *kms, drmModeConnector *c) {
	char name[32];
	snprintf(name, sizeof(name), "%s-%u", connector_type_name(c->connector_type),
		c->connector_type_id);
	bool lit = false;
	struct kms_crtc *crtc = pick_crtc(kms, c, &lit);
	if (!crtc) {
		lumen_log(LUMEN_WARN, "%s: no free CRTC for %s: not used", kms->card, name);
		return;
	}
	struct kms_connector *conn = calloc(1, sizeof(*conn));
	if (!conn) {
		lumen_log(LUMEN_ERROR, "out of memory");
		return;
	}
	conn->kms = kms;
	conn->id = c->connector_id;
	snprintf(conn->name, sizeof(conn->name), "%s", name);
	wl_list_init(&conn->link);
	for (int i = 0; i < 2; i++) {
		kms_dumb_init(&conn->dumb[i]);
		kms_dumb_init(&conn->cursor[i]);
	}
	pixman_region32_init(&conn->deferred_clips);
	conn->front = -1;
	conn->needs_modeset = true;
	if (!fill_modes(conn, c, lit ? &crtc->initial_mode : NULL)) {
		lumen_log(LUMEN_ERROR, "out of memory");
		free(conn);
		return;
	}
	conn->crtc = crtc;
	crtc->taken = true;
	conn->props.crtc_id = kms_find_prop(kms->fd, conn->id, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", NULL);
	conn->props.dpms = kms_find_prop(kms->fd, conn->id, DRM_MODE_OBJECT_CONNECTOR, "DPMS", NULL);

	struct ds_output *output = &conn->output;
	output->impl = &kms_output_impl;
	output->backend = &kms->base;
	snprintf(output->name, sizeof(output->name), "display:kms.%s/%s", kms->card, name);
	snprintf(output->make, sizeof(output->make), "Unknown");
	snprintf(output->model, sizeof(output->model), "%s", name);
	read_edid(kms, conn);
	output->phys_width_mm = (int32_t)c->mmWidth;
	output->phys_height_mm = (int32_t)c->mmHeight;
	if (lit) {
		/* Left as found until the first frame: the console, a splash. */
		conn->mode = crtc->initial_mode;
		output->enabled = true;
	} else {
		conn->mode = conn->drm_modes[0];
		for (size_t i = 0; i < conn->n_modes; i++) {
			if (conn->modes[i].preferred) {
				conn->mode = conn->drm_modes[i];
				break;
			}
		}
		output->enabled = false;
	}
	set_current(conn);
	output->power_on = true;
	output->gamma_size = crtc->gamma_size;
	if (!kms->atomic || crtc->cursor) {
		output->cursor_width = (int32_t)kms->cursor_w;
		output->cursor_height = (int32_t)kms->cursor_h;
	}
	if (crtc->primary && crtc->primary->n_formats > 0) {
		output->formats = crtc->primary->formats;
		output->modifiers = crtc->primary->modifiers;
		output->n_formats = crtc->primary->n_formats;
	} else {
		output->formats = fallback_formats;
		output->modifiers = fallback_modifiers;
		output->n_formats = sizeof(fallback_formats) / sizeof(fallback_formats[0]);
	}
	wl_list_insert(kms->connectors.prev, &conn->link);
	lumen_log(LUMEN_INFO, "%s: %s %s, CRTC %u, %zu modes%s", output->name, output->make,
		output->model, crtc->id, conn->n_modes, lit ? ", lit (left as it is)" : ", dark");
	ds_output_add(kms->base.server, output);
}

/* Modes of a connector that stayed connected may change (a new monitor on the port). */
static void update_connector(struct kms_connector *conn, drmModeConnector *c) {
	bool same = (size_t)c->count_modes == conn->n_modes;
	for (int i = 0; same && i < c->count_modes; i++) {
		same = memcmp(&c->modes[i], &conn->drm_modes[i], sizeof(c->modes[i])) == 0;
	}
	if (same) {
		return;
	}
	if (!fill_modes(conn, c, conn->output.enabled ? &conn->mode : NULL)) {
		return;
	}
	ds_output_state_changed(&conn->output);
}

void kms_scan_connectors(struct kms_backend *kms) {
	drmModeRes *res = drmModeGetResources(kms->fd);
	if (!res) {
		lumen_log_errno(LUMEN_ERROR, "%s: GetResources", kms->card);
		return;
	}
	struct kms_connector *conn, *tmp;
	/* Gone from the card (e.g. an MST port): removed. */
	wl_list_for_each_safe (conn, tmp, &kms->connectors, link) {
		bool found = false;
		for (int i = 0; i < res->count_connectors && !found; i++) {
			found = res->connectors[i] == conn->id;
		}
		if (!found) {
			kms_destroy_connector(conn);
		}
	}
	for (int i = 0; i < res->count_connectors; i++) {
		drmModeConnector *c = drmModeGetConnector(kms->fd, res->connectors[i]);
		if (!c) {
			continue;
		}
		conn = connector_by_id(kms, c->connector_id);
		bool connected = c->connection == DRM_MODE_CONNECTED && c->count_modes > 0;
		if (connected && !conn) {
			create_connector(kms, c);
		} else if (connected) {
			update_connector(conn, c);
		} else if (conn) {
			lumen_log(LUMEN_INFO, "%s: disconnected", conn->output.name);
			kms_wait_flip(conn);
			kms_destroy_connector(conn);
		}
		drmModeFreeConnector(c);
	}
	drmModeFreeResources(res);
}

void kms_handle_hotplug(void *data) {
	struct kms_backend *kms = data;
	if (ds_seat_is_active(kms->seat)) {
		kms_scan_connectors(kms);
	}
}

static void read_plane(struct kms_backend *kms, struct kms_plane *p, drmModePlane *plane) {
	int fd = kms->fd;
	p->id = plane->plane_id;
	p->possible_crtcs = plane->possible_crtcs;
	uint64_t type = DRM_PLANE_TYPE_OVERLAY;
	kms_find_prop(fd, p->id, DRM_MODE_OBJECT_PLANE, "type", &type);
	p->type = (uint32_t)type;
	static const struct {
		const char *name;
		size_t offset;
	} names[] = {
		{"FB_ID", offsetof(struct kms_plane, props.fb_id)},
		{"CRTC_ID", offsetof(struct kms_plane, props.crtc_id)},
		{"SRC_X", offsetof(struct kms_plane, props.src_x)},
		{"SRC_Y", offsetof(struct kms_plane, props.src_y)},
		{"SRC_W", offsetof(struct kms_plane, props.src_w)},
		{"SRC_H", offsetof(struct kms_plane, props.src_h)},
		{"CRTC_X", offsetof(struct kms_plane, props.crtc_x)},
		{"CRTC_Y", offsetof(struct kms_plane, props.crtc_y)},
		{"CRTC_W", offsetof(struct kms_plane, props.crtc_w)},
		{"CRTC_H", offsetof(struct kms_plane, props.crtc_h)},
		{"FB_DAMAGE_CLIPS", offsetof(struct kms_plane, props.fb_damage_clips)},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		*(uint32_t *)((char *)p + names[i].offset) =
			kms_find_prop(fd, p->id, DRM_MODE_OBJECT_PLANE, names[i].name, NULL);
	}
	if (p->type != DRM_PLANE_TYPE_PRIMARY) {
		return;
	}
	/* Scanout formats with their modifiers (IN_FORMATS), else linear. */
	uint64_t blob_id = 0;
	drmModePropertyBlobRes *blob = NULL;
	if (kms->addfb2_modifiers &&
			kms_find_prop(fd, p->id, DRM_MODE_OBJECT_PLANE, "IN_FORMATS", &blob_id) && blob_id) {
		blob = drmModeGetPropertyBlob(fd, (uint32_t)blob_id);
	}
	size_t cap = blob ? 0 : plane->count_formats;
	if (blob) {
		drmModeFormatModifierIterator iter = {0};
		while (drmModeFormatModifierBlobIterNext(blob, &iter)) {
			cap++;
		}
	}
	p->formats = calloc(cap ? cap : 1, sizeof(*p->formats));
	p->modifiers = calloc(cap ? cap : 1, sizeof(*p->modifiers));
	if (!p->formats || !p->modifiers) {
		free(p->formats);
		free(p->modifiers);
		p->formats = NULL;
		p->modifiers = NULL;
		if (blob) {
			drmModeFreePropertyBlob(blob);
		}
		return;
	}
	if (blob) {
		drmModeFormatModifierIterator iter = {0};
		while (drmModeFormatModifierBlobIterNext(blob, &iter) && p->n_formats < cap) {
			p->formats[p->n_formats] = iter.fmt;
			p->modifiers[p->n_formats++] = iter.mod;
		}
		drmModeFreePropertyBlob(blob);
	} else {
		for (uint32_t i = 0; i < plane->count_formats && p->n_formats < cap; i++) {
			p->formats[p->n_formats] = plane->formats[i];
			p->modifiers[p->n_formats++] = DRM_FORMAT_MOD_LINEAR;
		}
	}
}

bool kms_read_card(struct kms_backend *kms) {
	int fd = kms->fd;
	drmModeRes *res = drmModeGetResources(fd);
	if (!res) {
		lumen_log_errno(LUMEN_ERROR, "%s: GetResources (not a KMS device?)", kms->card);
		return false;
	}
	kms->n_crtcs = res->count_crtcs;
	kms->crtcs = calloc((size_t)(res->count_crtcs ? res->count_crtcs : 1), sizeof(*kms->crtcs));
	if (!kms->crtcs) {
		drmModeFreeResources(res);
		return false;
	}
	for (int i = 0; i < res->count_crtcs; i++) {
		struct kms_crtc *crtc = &kms->crtcs[i];
		crtc->id = res->crtcs[i];
		crtc->index = i;
		drmModeCrtc *c = drmModeGetCrtc(fd, crtc->id);
		if (c) {
			crtc->initial_active = c->mode_valid && c->buffer_id != 0;
			crtc->initial_mode = c->mode;
			crtc->gamma_size = kms->atomic ? 0 : (uint32_t)c->gamma_size;
			drmModeFreeCrtc(c);
		}
		if (kms->atomic) {
			crtc->props.mode_id = kms_find_prop(fd, crtc->id, DRM_MODE_OBJECT_CRTC, "MODE_ID", NULL);
			crtc->props.active = kms_find_prop(fd, crtc->id, DRM_MODE_OBJECT_CRTC, "ACTIVE", NULL);
			crtc->props.gamma_lut =
				kms_find_prop(fd, crtc->id, DRM_MODE_OBJECT_CRTC, "GAMMA_LUT", NULL);
			uint64_t size = 0;
			crtc->props.gamma_lut_size =
				kms_find_prop(fd, crtc->id, DRM_MODE_OBJECT_CRTC, "GAMMA_LUT_SIZE", &size);
			if (crtc->props.gamma_lut && crtc->props.gamma_lut_size) {
				crtc->gamma_size = (uint32_t)size;
			}
		}
	}
	drmModeFreeResources(res);

	drmModePlaneRes *pres = drmModeGetPlaneResources(fd);
	if (pres) {
		kms->planes = calloc(pres->count_planes ? pres->count_planes : 1, sizeof(*kms->planes));
		if (!kms->planes) {
			drmModeFreePlaneResources(pres);
			return false;
		}
		for (uint32_t i = 0; i < pres->count_planes; i++) {
			drmModePlane *plane = drmModeGetPlane(fd, pres->planes[i]);
			if (!plane) {
				continue;
			}
			read_plane(kms, &kms->planes[kms->n_planes++], plane);
			drmModeFreePlane(plane);
		}
		drmModeFreePlaneResources(pres);
	}
	/* Each CRTC its own primary and cursor plane. */
	for (int c = 0; c < kms->n_crtcs; c++) {
		struct kms_crtc *crtc = &kms->crtcs[c];
		for (int i = 0; i < kms->n_planes; i++) {
			struct kms_plane *p = &kms->planes[i];
			if (p->taken || !(p->possible_crtcs & (1u << c))) {
				continue;
			}
			if (p->type == DRM_PLANE_TYPE_PRIMARY && !crtc->primary) {
				crtc->primary = p;
				p->taken = true;
			} else if (p->type == DRM_PLANE_TYPE_CURSOR && !crtc->cursor) {
				crtc->cursor = p;
				p->taken = true;
			}
		}
		if (kms->atomic && (!crtc->primary || !crtc->props.mode_id || !crtc->props.active)) {
			lumen_log(LUMEN_WARN, "%s: CRTC %u lacks a primary plane or properties: "
								  "falling back to legacy modesetting",
				kms->card, crtc->id);
			kms->atomic = false;
		}
	}
	return true;
}

int kms_open_card(struct kms_backend *kms, const char *path) {
	if (path) {
		int fd = ds_seat_open_device(kms->seat, path, &kms->seat_device);
		if (fd < 0) {
			lumen_log_errno(LUMEN_ERROR, "cannot open %s", path);
		}
		return fd;
	}
	for (int i = 0; i < KMS_MAX_CARDS; i++) {
		char card[32];
		snprintf(card, sizeof(card), "%s/card%d", DRM_DIR_NAME, i);
		if (access(card, F_OK) != 0) {
			continue;
		}
		int id = -1;
		int fd = ds_seat_open_device(kms->seat, card, &id);
		if (fd < 0) {
			lumen_log_errno(LUMEN_WARN, "cannot open %s", card);
			continue;
		}
		drmModeRes *res = drmModeGetResources(fd);
		bool has_connectors = res && res->count_connectors > 0;
		drmModeFreeResources(res);
		if (has_connectors) {
			kms->seat_device = id;
			return fd;
		}
		ds_seat_close_device(kms->seat, id, fd);
	}
	lumen_log(LUMEN_ERROR, "no DRM card with connectors in %s", DRM_DIR_NAME);
	return -1;
}
