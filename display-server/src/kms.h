#ifndef DS_KMS_H
#define DS_KMS_H

/*
 * The kms backend's shared state (private to kms-backend.c, kms-probe.c and
 * kms-buffer.c): the card, its planes and CRTCs, and one kms_connector per output.
 *
 * kms-backend.c: frames, page flips, modesets, cursor, gamma, power, capture.
 * kms-probe.c: opening the card, reading its planes, CRTCs, connectors and EDID,
 *   hotplug rescans.
 * kms-buffer.c: scanout buffers (GBM through gpu/ where it has the device, else dumb
 *   buffers) and framebuffers for clients' dmabufs.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <pixman.h>
#include <xf86drmMode.h>
#include "backend.h"

struct ds_seat;
struct ds_hotplug;
struct gpu_allocator;
struct gpu_buffer;

#define KMS_MAX_CARDS 16

/* The card's fd outlives the backend while dmabuf framebuffers created on it do
 * (buffers are freed whenever their last lock goes). */
struct kms_device {
	int fd;
	int refs;
};

struct kms_plane {
	uint32_t id;
	uint32_t type; // DRM_PLANE_TYPE_*
	uint32_t possible_crtcs;
	bool taken;
	struct {
		uint32_t fb_id, crtc_id, src_x, src_y, src_w, src_h, crtc_x, crtc_y, crtc_w,
			crtc_h, fb_damage_clips;
	} props;
	uint32_t *formats; // scanout (format, modifier) pairs
	uint64_t *modifiers;
	size_t n_formats;
};

struct kms_crtc {
	uint32_t id;
	int index;
	bool taken;
	struct kms_plane *primary, *cursor; // may be NULL (legacy without universal planes)
	struct {
		uint32_t mode_id, active, gamma_lut, gamma_lut_size;
	} props;
	uint32_t gamma_size;
	/* as found at start: the console's mode and framebuffer */
	bool initial_active;
	drmModeModeInfo initial_mode;
};

/* A buffer with a framebuffer: a dumb buffer (mapped for good), or a GBM buffer
 * (bo; mapped only while it is written or read). */
struct kms_dumb {
	uint32_t handle, fb_id, pitch;
	uint64_t size;
	void *map; // dumb only
	struct gpu_buffer *bo; // GBM only
	int32_t width, height;
	pixman_region32_t stale; // where it differs from the latest picture
};

struct kms_connector {
	struct ds_output output; // first: the core's view
	struct kms_backend *kms;
	struct wl_list link; // kms_backend.connectors
	uint32_t id;
	char name[32]; // "Virtual-1"
	struct kms_crtc *crtc;
	struct {
		uint32_t crtc_id, dpms;
	} props;

	drmModeModeInfo *drm_modes; // parallel to output.modes
	struct ds_mode *modes;
	size_t n_modes;
	drmModeModeInfo mode; // current when enabled
	uint32_t mode_blob;
	bool needs_modeset; // the next commit takes over the CRTC (ALLOW_MODESET)
	bool holding; // waiting for a flip inside configure/power: frames are refused

	struct kms_dumb dumb[2]; // what shm frames are copied into: GBM or dumb buffers
	int front; // dumb[] buffer on screen; -1: a dmabuf or what we found at start
	char buffers_path[256]; // which kind dumb[] are, for the log: GBM and its modifier, or dumb
	int frames_path; // what the last frame went through (logged when it changes): 0, 1 shm, 2 dmabuf
	struct ds_buffer *front_buffer; // dmabuf on screen, locked
	bool shown_ours; // we have put a frame of ours on screen
	struct timespec latched;

	/* the flip in flight */
	bool flip_pending;
	bool flip_has_frame; // it carries a frame of the core's (else: cursor or gamma only)
	int flip_dumb; // -1: a dmabuf
	struct ds_buffer *flip_buffer; // locked
	uint32_t flip_flags;
	/* a frame accepted while a cursor-only flip was in flight: submitted after it */
	bool deferred;
	uint32_t deferred_fb;
	int deferred_dumb;
	struct ds_buffer *deferred_buffer;
	pixman_region32_t deferred_clips;
	uint32_t last_seq32;
	uint64_t seq;

	/* cursor: two buffers so that a new image is a new framebuffer (virtio-gpu only
	 * uploads a cursor image when the framebuffer changes) */
	struct kms_dumb cursor[2];
	int cursor_cur;
	bool cursor_visible;
	int32_t cursor_x, cursor_y, hot_x, hot_y;
	pixman_image_t *cursor_image; // a copy for capture, may be NULL
	uint16_t *gamma; // 3 * gamma_size, NULL: identity
	uint32_t gamma_blob;
	bool state_dirty; // cursor or gamma changed since the last atomic commit
};

struct kms_backend {
	struct ds_backend base;
	struct ds_backend_impl impl; // render_node_fd is per backend
	struct kms_device *dev;
	int fd; // dev->fd
	int seat_device;
	dev_t devnum;
	char card[16]; // "card0"
	bool atomic, monotonic, addfb2_modifiers;
	/* GBM on the card (gpu/): scanout buffers and dmabuf imports; NULL where GBM has no
	 * device (then dumb buffers and PRIME), with the reason */
	struct gpu_allocator *alloc;
	char alloc_why[160];
	uint64_t cursor_w, cursor_h;
	struct ds_seat *seat;
	struct ds_hotplug *hotplug;
	struct wl_event_source *drm_source;
	struct kms_crtc *crtcs;
	int n_crtcs;
	struct kms_plane *planes;
	int n_planes;
	struct wl_list connectors; // kms_connector.link
};

struct kms_fb {
	uint32_t fb_id; // first: current_fb reads it
	struct kms_device *dev;
};

extern const struct ds_output_impl kms_output_impl;

/* kms-backend.c */
void kms_destroy_connector(struct kms_connector *conn);
/* Waits (at most a second) for the flip in flight to end. */
void kms_wait_flip(struct kms_connector *conn);

/* kms-probe.c */
uint32_t kms_find_prop(int fd, uint32_t obj, uint32_t type, const char *name, uint64_t *value);
int32_t kms_mode_refresh_mhz(const drmModeModeInfo *m);
/* The card at path, else the first with connectors; its fd, or -1. */
int kms_open_card(struct kms_backend *kms, const char *path);
/* CRTCs and planes (each CRTC its primary and cursor plane). */
bool kms_read_card(struct kms_backend *kms);
/* Outputs for connected connectors, gone ones removed, changed modes updated. */
void kms_scan_connectors(struct kms_backend *kms);
void kms_handle_hotplug(void *data);

/* kms-buffer.c */
void kms_device_unref(struct kms_device *dev);
/* GBM on the card where gpu/ can open it (kms->alloc), logged either way. */
void kms_buffers_init(struct kms_backend *kms);
void kms_buffers_finish(struct kms_backend *kms);
void kms_dumb_init(struct kms_dumb *d);
void kms_dumb_finish(struct kms_backend *kms, struct kms_dumb *d);
/* A zero-filled (black) dumb buffer, mapped, with a framebuffer (cursors). */
bool kms_dumb_create(struct kms_backend *kms, struct kms_dumb *d, int32_t width,
	int32_t height, uint32_t format);
/* Two black XRGB8888 buffers for frames of width x height: GBM with the modifier the
 * primary plane and displayd's copy agree on, else dumb; conn->buffers_path says which. */
bool kms_scanout_create(struct kms_connector *conn, struct kms_dumb fresh[2], int32_t width,
	int32_t height);
/* The frame buffers of the current mode, made on the first frame. */
bool kms_alloc_scanout(struct kms_connector *conn);
/*
 * A pixman image of the rectangle x, y, w, h of d (pixel 0,0 of the image is x, y of
 * the buffer), for writing or reading; kms_dumb_unmap ends it (a GBM buffer's writes
 * land there).
 */
pixman_image_t *kms_dumb_map(struct kms_dumb *d, int32_t x, int32_t y, int32_t w, int32_t h,
	bool write, pixman_format_code_t format, void **map_data);
void kms_dumb_unmap(struct kms_dumb *d, pixman_image_t *image, void *map_data);
/* Logs which way the output's frames go when it changes (shm copies, or dmabufs). */
void kms_log_frames_path(struct kms_connector *conn, const struct ds_buffer *buffer);
bool kms_import_dmabuf(struct ds_backend *backend, struct ds_buffer *buffer);
/* The pixman format of a DRM one that displayd shows from memory; false for others. */
bool kms_pixman_format(uint32_t drm_format, pixman_format_code_t *format);
/*
 * The picture of a dmabuf on screen, read back (GBM import and map, which a driver
 * that renders elsewhere, virgl, fetches from the GPU; else an mmap of a linear one):
 * an image that kms_dmabuf_read_end ends, NULL when it cannot.
 */
pixman_image_t *kms_dmabuf_read(struct kms_backend *kms, struct ds_buffer *buffer,
	void **read_data);
void kms_dmabuf_read_end(pixman_image_t *image, void *read_data);

#endif
