/*
 * Raw KMS tests: the --device card opened directly (we are its DRM master), before any
 * displayd starts. Framebuffers of each plane format and their error paths, atomic
 * test-only commits, page flips, cursor, gamma, and a GBM dmabuf scanned out.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>
#include "gpu/allocator.h"
#include "gpu/formats.h"
#include "harness.h"

struct dumb {
	uint32_t handle, pitch, fb;
	uint64_t size;
	int32_t width, height;
};

static bool dumb_create(int fd, struct dumb *d, int32_t w, int32_t h, uint32_t bpp) {
	memset(d, 0, sizeof(*d));
	struct drm_mode_create_dumb create = {.width = (uint32_t)w, .height = (uint32_t)h, .bpp = bpp};
	if (drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &create) != 0) {
		return false;
	}
	d->handle = create.handle;
	d->pitch = create.pitch;
	d->size = create.size;
	d->width = w;
	d->height = h;
	return true;
}

static void dumb_destroy(int fd, struct dumb *d) {
	if (d->fb) {
		drmModeRmFB(fd, d->fb);
	}
	if (d->handle) {
		struct drm_mode_destroy_dumb destroy = {.handle = d->handle};
		drmIoctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB, &destroy);
	}
	memset(d, 0, sizeof(*d));
}

static bool dumb_fill(int fd, struct dumb *d, uint32_t seed) {
	struct drm_mode_map_dumb map = {.handle = d->handle};
	if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &map) != 0) {
		return false;
	}
	uint32_t *p = mmap(NULL, d->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)map.offset);
	if (p == MAP_FAILED) {
		return false;
	}
	gt_pattern(p, d->width, d->height, (int32_t)d->pitch, seed);
	munmap(p, d->size);
	return true;
}

/* The first connected connector with a CRTC it can use, its preferred mode. */
struct pipe {
	uint32_t connector, crtc, plane, cursor_plane;
	int crtc_index;
	drmModeModeInfo mode;
	char name[32];
};

static bool find_pipe(int fd, struct pipe *p, char *why, size_t size) {
	memset(p, 0, sizeof(*p));
	drmModeResPtr res = drmModeGetResources(fd);
	if (!res) {
		snprintf(why, size, "no KMS resources: %s", strerror(errno));
		return false;
	}
	bool found = false;
	for (int i = 0; i < res->count_connectors && !found; i++) {
		drmModeConnectorPtr conn = drmModeGetConnector(fd, res->connectors[i]);
		if (!conn) {
			continue;
		}
		if (conn->connection == DRM_MODE_CONNECTED && conn->count_modes > 0) {
			for (int e = 0; e < conn->count_encoders && !found; e++) {
				drmModeEncoderPtr enc = drmModeGetEncoder(fd, conn->encoders[e]);
				if (!enc) {
					continue;
				}
				for (int c = 0; c < res->count_crtcs; c++) {
					if (enc->possible_crtcs & (1u << c)) {
						p->connector = conn->connector_id;
						p->crtc = res->crtcs[c];
						p->crtc_index = c;
						p->mode = conn->modes[0];
						for (int m = 0; m < conn->count_modes; m++) {
							if (conn->modes[m].type & DRM_MODE_TYPE_PREFERRED) {
								p->mode = conn->modes[m];
								break;
							}
						}
						snprintf(p->name, sizeof(p->name), "%s-%u",
							drmModeGetConnectorTypeName(conn->connector_type)
								? drmModeGetConnectorTypeName(conn->connector_type) : "?",
							conn->connector_type_id);
						found = true;
						break;
					}
				}
				drmModeFreeEncoder(enc);
			}
		}
		drmModeFreeConnector(conn);
	}
	drmModeFreeResources(res);
	if (!found) {
		snprintf(why, size, "no connected connector with a CRTC");
		return false;
	}
	/* Planes of that CRTC by type. */
	drmModePlaneResPtr planes = drmModeGetPlaneResources(fd);
	for (uint32_t i = 0; planes && i < planes->count_planes; i++) {
		drmModePlanePtr plane = drmModeGetPlane(fd, planes->planes[i]);
		if (!plane) {
			continue;
		}
		if (plane->possible_crtcs & (1u << p->crtc_index)) {
			drmModeObjectPropertiesPtr props =
				drmModeObjectGetProperties(fd, plane->plane_id, DRM_MODE_OBJECT_PLANE);
			for (uint32_t j = 0; props && j < props->count_props; j++) {
				drmModePropertyPtr prop = drmModeGetProperty(fd, props->props[j]);
				if (prop && strcmp(prop->name, "type") == 0) {
					if (props->prop_values[j] == DRM_PLANE_TYPE_PRIMARY && !p->plane) {
						p->plane = plane->plane_id;
					} else if (props->prop_values[j] == DRM_PLANE_TYPE_CURSOR && !p->cursor_plane) {
						p->cursor_plane = plane->plane_id;
					}
				}
				drmModeFreeProperty(prop);
			}
			drmModeFreeObjectProperties(props);
		}
		drmModeFreePlane(plane);
	}
	drmModeFreePlaneResources(planes);
	return true;
}

static enum gt_result need_kms(struct gt_ctx *ctx, int *fd) {
	*fd = gt_get_kms(ctx);
	if (*fd < 0) {
		return gt_skip(ctx, "%s", ctx->kms_why);
	}
	return GT_PASS;
}

static enum gt_result test_fb_formats(struct gt_ctx *ctx) {
	int fd;
	if (need_kms(ctx, &fd) != GT_PASS) {
		return GT_SKIP;
	}
	drmModePlaneResPtr planes = drmModeGetPlaneResources(fd);
	if (!planes) {
		return gt_fail(ctx, "no planes: %s", strerror(errno));
	}
	int added = 0, unsized = 0;
	enum gt_result r = GT_PASS;
	uint32_t done[64];
	int n_done = 0;
	for (uint32_t i = 0; i < planes->count_planes && r == GT_PASS; i++) {
		drmModePlanePtr plane = drmModeGetPlane(fd, planes->planes[i]);
		for (uint32_t j = 0; plane && j < plane->count_formats && r == GT_PASS; j++) {
			uint32_t f = plane->formats[j];
			bool seen = false;
			for (int k = 0; k < n_done; k++) {
				seen |= done[k] == f;
			}
			if (seen) {
				continue;
			}
			if (n_done < 64) {
				done[n_done++] = f;
			}
			char fc[8];
			gpu_fourcc_str(f, fc, sizeof(fc));
			int bpp = gpu_format_bpp(f);
			if (bpp == 0) {
				gt_diag("%s: multi-planar or unusual, not tested", fc);
				unsized++;
				continue;
			}
			struct dumb d;
			if (!dumb_create(fd, &d, 64, 64, (uint32_t)bpp * 8)) {
				r = gt_fail(ctx, "%s: dumb buffer: %s", fc, strerror(errno));
				break;
			}
			uint32_t handles[4] = {d.handle}, pitches[4] = {d.pitch}, offsets[4] = {0};
			int ret = drmModeAddFB2(fd, 64, 64, f, handles, pitches, offsets, &d.fb, 0);
			if (ret != 0) {
				r = gt_fail(ctx, "%s: AddFB2 failed: %s", fc, strerror(-ret));
			} else if (drmModeRmFB(fd, d.fb) != 0) {
				r = gt_fail(ctx, "%s: RmFB failed: %s", fc, strerror(errno));
			} else {
				added++;
			}
			d.fb = 0;
			dumb_destroy(fd, &d);
		}
		drmModeFreePlane(plane);
	}
	drmModeFreePlaneResources(planes);
	if (r != GT_PASS) {
		return r;
	}
	return gt_pass(ctx, "%d formats added and removed (%d not single-plane RGB)", added, unsized);
}

/* AddFB2 with bad arguments must fail with an errno, and the device keep working. */
static enum gt_result bad_fb(struct gt_ctx *ctx, const char *what, int32_t w, int32_t h,
		uint32_t format, int pitch_delta, uint32_t handle_override) {
	int fd;
	if (need_kms(ctx, &fd) != GT_PASS) {
		return GT_SKIP;
	}
	struct dumb d;
	if (!dumb_create(fd, &d, 64, 64, 32)) {
		return gt_fail(ctx, "dumb buffer: %s", strerror(errno));
	}
	uint32_t handles[4] = {handle_override ? handle_override : d.handle};
	uint32_t pitches[4] = {(uint32_t)((int)d.pitch + pitch_delta)}, offsets[4] = {0};
	uint32_t fb = 0;
	int ret = drmModeAddFB2(fd, (uint32_t)w, (uint32_t)h, format, handles, pitches, offsets, &fb, 0);
	if (ret == 0) {
		drmModeRmFB(fd, fb);
		dumb_destroy(fd, &d);
		return gt_fail(ctx, "%s was accepted", what);
	}
	/* The device still takes a good one. */
	handles[0] = d.handle;
	pitches[0] = d.pitch;
	int good = drmModeAddFB2(fd, 64, 64, DRM_FORMAT_XRGB8888, handles, pitches, offsets, &fb, 0);
	if (good == 0) {
		drmModeRmFB(fd, fb);
	}
	dumb_destroy(fd, &d);
	if (good != 0) {
		return gt_fail(ctx, "after %s a good framebuffer fails: %s", what, strerror(-good));
	}
	return gt_pass(ctx, "%s: %s", what, strerror(-ret));
}

static enum gt_result test_fb_bad_size(struct gt_ctx *ctx) {
	enum gt_result r = bad_fb(ctx, "0x0", 0, 0, DRM_FORMAT_XRGB8888, 0, 0);
	if (r != GT_PASS) {
		return r;
	}
	return bad_fb(ctx, "larger than its buffer (4096x4096 on 64x64)", 4096, 4096,
		DRM_FORMAT_XRGB8888, 0, 0);
}
static enum gt_result test_fb_bad_pitch(struct gt_ctx *ctx) {
	return bad_fb(ctx, "pitch 4 bytes short of a row", 64, 64, DRM_FORMAT_XRGB8888, -4, 0);
}
static enum gt_result test_fb_bad_handle(struct gt_ctx *ctx) {
	return bad_fb(ctx, "GEM handle 0x7fff1234", 64, 64, DRM_FORMAT_XRGB8888, 0, 0x7fff1234);
}
static enum gt_result test_fb_bad_format(struct gt_ctx *ctx) {
	return bad_fb(ctx, "fourcc ZZZZ", 64, 64, fourcc_code('Z', 'Z', 'Z', 'Z'), 0, 0);
}

static uint32_t prop_id(int fd, uint32_t obj, uint32_t type, const char *name) {
	drmModeObjectPropertiesPtr props = drmModeObjectGetProperties(fd, obj, type);
	uint32_t id = 0;
	for (uint32_t i = 0; props && i < props->count_props && !id; i++) {
		drmModePropertyPtr prop = drmModeGetProperty(fd, props->props[i]);
		if (prop && strcmp(prop->name, name) == 0) {
			id = prop->prop_id;
		}
		drmModeFreeProperty(prop);
	}
	drmModeFreeObjectProperties(props);
	return id;
}

/* A full atomic modeset request for the pipe; src_w may be made wrong on purpose. */
static int atomic_commit(int fd, struct pipe *p, uint32_t fb, uint32_t blob, uint32_t src_w,
		uint32_t flags) {
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	if (!req) {
		return -ENOMEM;
	}
	uint32_t w = p->mode.hdisplay, h = p->mode.vdisplay;
	drmModeAtomicAddProperty(req, p->connector,
		prop_id(fd, p->connector, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID"), p->crtc);
	drmModeAtomicAddProperty(req, p->crtc, prop_id(fd, p->crtc, DRM_MODE_OBJECT_CRTC, "MODE_ID"),
		blob);
	drmModeAtomicAddProperty(req, p->crtc, prop_id(fd, p->crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE"), 1);
	struct {
		const char *name;
		uint64_t value;
	} plane_props[] = {
		{"FB_ID", fb}, {"CRTC_ID", p->crtc}, {"SRC_X", 0}, {"SRC_Y", 0},
		{"SRC_W", (uint64_t)src_w << 16}, {"SRC_H", (uint64_t)h << 16}, {"CRTC_X", 0},
		{"CRTC_Y", 0}, {"CRTC_W", w}, {"CRTC_H", h},
	};
	for (size_t i = 0; i < sizeof(plane_props) / sizeof(plane_props[0]); i++) {
		drmModeAtomicAddProperty(req, p->plane,
			prop_id(fd, p->plane, DRM_MODE_OBJECT_PLANE, plane_props[i].name), plane_props[i].value);
	}
	int ret = drmModeAtomicCommit(fd, req, flags, NULL);
	drmModeAtomicFree(req);
	return ret;
}

static enum gt_result test_atomic_test_only(struct gt_ctx *ctx) {
	int fd;
	if (need_kms(ctx, &fd) != GT_PASS) {
		return GT_SKIP;
	}
	if (drmSetClientCap(fd, DRM_CLIENT_CAP_ATOMIC, 1) != 0) {
		return gt_skip(ctx, "the driver has no atomic modesetting");
	}
	char why[256];
	struct pipe p;
	if (!find_pipe(fd, &p, why, sizeof(why))) {
		return gt_fail(ctx, "%s", why);
	}
	if (!p.plane) {
		return gt_fail(ctx, "the CRTC has no primary plane");
	}
	struct dumb d;
	if (!dumb_create(fd, &d, p.mode.hdisplay, p.mode.vdisplay, 32)) {
		return gt_fail(ctx, "dumb buffer: %s", strerror(errno));
	}
	uint32_t handles[4] = {d.handle}, pitches[4] = {d.pitch}, offsets[4] = {0};
	uint32_t blob = 0;
	enum gt_result r;
	if (drmModeAddFB2(fd, (uint32_t)d.width, (uint32_t)d.height, DRM_FORMAT_XRGB8888, handles,
			pitches, offsets, &d.fb, 0) != 0 ||
			drmModeCreatePropertyBlob(fd, &p.mode, sizeof(p.mode), &blob) != 0) {
		r = gt_fail(ctx, "framebuffer or mode blob: %s", strerror(errno));
		goto out;
	}
	uint32_t flags = DRM_MODE_ATOMIC_TEST_ONLY | DRM_MODE_ATOMIC_ALLOW_MODESET;
	int good = atomic_commit(fd, &p, d.fb, blob, p.mode.hdisplay, flags);
	/* A source rectangle wider than the framebuffer must be refused. */
	int bad = atomic_commit(fd, &p, d.fb, blob, p.mode.hdisplay + 64, flags);
	/* Without ALLOW_MODESET a modeset must be refused (unless the CRTC already has it). */
	int no_modeset = atomic_commit(fd, &p, d.fb, blob, p.mode.hdisplay, DRM_MODE_ATOMIC_TEST_ONLY);
	gt_diag("%s %dx%d: valid test %s, source past the fb %s, modeset without ALLOW_MODESET %s",
		p.name, p.mode.hdisplay, p.mode.vdisplay, good ? strerror(-good) : "accepted",
		bad ? strerror(-bad) : "accepted", no_modeset ? strerror(-no_modeset) : "accepted");
	if (good != 0) {
		r = gt_fail(ctx, "a valid test-only modeset was refused: %s", strerror(-good));
	} else if (bad == 0) {
		r = gt_fail(ctx, "a source rectangle past the framebuffer was accepted");
	} else {
		r = gt_pass(ctx, "valid accepted, invalid refused (%s)", strerror(-bad));
	}
out:
	if (blob) {
		drmModeDestroyPropertyBlob(fd, blob);
	}
	dumb_destroy(fd, &d);
	return r;
}

struct flip_state {
	int done;
	unsigned seq;
	uint64_t usec;
};

static void flip_handler(int fd, unsigned seq, unsigned sec, unsigned usec, unsigned crtc,
		void *data) {
	struct flip_state *s = data;
	s->done = 1;
	s->seq = seq;
	s->usec = (uint64_t)sec * 1000000 + usec;
}

#define KMS_FLIPS 20

static enum gt_result test_page_flip(struct gt_ctx *ctx) {
	int fd;
	if (need_kms(ctx, &fd) != GT_PASS) {
		return GT_SKIP;
	}
	char why[256];
	struct pipe p;
	if (!find_pipe(fd, &p, why, sizeof(why))) {
		return gt_fail(ctx, "%s", why);
	}
	struct dumb d[2] = {{0}};
	enum gt_result r = GT_PASS;
	for (int i = 0; i < 2; i++) {
		uint32_t handles[4], pitches[4], offsets[4] = {0};
		if (!dumb_create(fd, &d[i], p.mode.hdisplay, p.mode.vdisplay, 32) ||
				!dumb_fill(fd, &d[i], (uint32_t)i)) {
			r = gt_fail(ctx, "dumb buffer: %s", strerror(errno));
			goto out;
		}
		handles[0] = d[i].handle;
		pitches[0] = d[i].pitch;
		if (drmModeAddFB2(fd, (uint32_t)d[i].width, (uint32_t)d[i].height, DRM_FORMAT_XRGB8888,
				handles, pitches, offsets, &d[i].fb, 0) != 0) {
			r = gt_fail(ctx, "AddFB2: %s", strerror(errno));
			goto out;
		}
	}
	if (drmModeSetCrtc(fd, p.crtc, d[0].fb, 0, 0, &p.connector, 1, &p.mode) != 0) {
		r = gt_fail(ctx, "SetCrtc %dx%d: %s", p.mode.hdisplay, p.mode.vdisplay, strerror(errno));
		goto out;
	}
	drmEventContext ev = {.version = 3, .page_flip_handler2 = flip_handler};
	struct flip_state s[KMS_FLIPS];
	for (int i = 0; i < KMS_FLIPS; i++) {
		s[i] = (struct flip_state){0};
		if (drmModePageFlip(fd, p.crtc, d[(i + 1) % 2].fb, DRM_MODE_PAGE_FLIP_EVENT, &s[i]) != 0) {
			r = gt_fail(ctx, "page flip %d: %s", i, strerror(errno));
			goto out;
		}
		while (!s[i].done) {
			struct pollfd pfd = {.fd = fd, .events = POLLIN};
			if (poll(&pfd, 1, 5000) != 1) {
				r = gt_fail(ctx, "no flip event for flip %d within 5 s", i);
				goto out;
			}
			drmHandleEvent(fd, &ev);
		}
	}
	double refresh_hz = p.mode.vrefresh ? p.mode.vrefresh : 60;
	double period_us = p.mode.htotal && p.mode.vtotal
		? (double)p.mode.htotal * p.mode.vtotal / p.mode.clock * 1000.0 : 1e6 / refresh_hz;
	double worst = 0, sum = 0;
	int seq_mismatch = 0;
	for (int i = 1; i < KMS_FLIPS; i++) {
		if (s[i].seq <= s[i - 1].seq && !(s[i].seq == 0 && s[i - 1].seq == 0)) {
			r = gt_fail(ctx, "flip %d: seq %u after %u", i, s[i].seq, s[i - 1].seq);
			goto out;
		}
		if (s[i].usec <= s[i - 1].usec) {
			r = gt_fail(ctx, "flip %d: timestamp %llu us after %llu", i,
				(unsigned long long)s[i].usec, (unsigned long long)s[i - 1].usec);
			goto out;
		}
		double n = (double)(s[i].usec - s[i - 1].usec) / period_us;
		double whole = floor(n + 0.5) < 1 ? 1 : floor(n + 0.5);
		double off = fabs(n - whole) / whole;
		worst = off > worst ? off : worst;
		sum += off;
		if (s[i].seq - s[i - 1].seq != (unsigned)whole) {
			seq_mismatch++;
		}
	}
	gt_diag("%s %dx%d period %.0f us: seq %u..%u, intervals off a whole number of periods by "
		"%.2f%% on average, %.2f%% at most; %d seq steps disagree with the time",
		p.name, p.mode.hdisplay, p.mode.vdisplay, period_us, s[0].seq, s[KMS_FLIPS - 1].seq,
		100 * sum / (KMS_FLIPS - 1), 100 * worst, seq_mismatch);
	if (s[KMS_FLIPS - 1].seq == s[0].seq) {
		r = gt_fail(ctx, "the vblank sequence never moves (%u)", s[0].seq);
	} else if (worst > 0.10) {
		r = gt_fail(ctx, "an interval is %.1f%% off a whole number of refresh periods", 100 * worst);
	} else if (seq_mismatch) {
		r = gt_fail(ctx, "%d seq steps disagree with the time between flips", seq_mismatch);
	} else {
		r = gt_pass(ctx, "%d flips, seq and time increase, within %.2f%% of the refresh", KMS_FLIPS,
			100 * worst);
	}
out:
	dumb_destroy(fd, &d[0]);
	dumb_destroy(fd, &d[1]);
	return r;
}

static enum gt_result test_cursor(struct gt_ctx *ctx) {
	int fd;
	if (need_kms(ctx, &fd) != GT_PASS) {
		return GT_SKIP;
	}
	char why[256];
	struct pipe p;
	if (!find_pipe(fd, &p, why, sizeof(why))) {
		return gt_fail(ctx, "%s", why);
	}
	uint64_t cw = 64, ch = 64;
	drmGetCap(fd, DRM_CAP_CURSOR_WIDTH, &cw);
	drmGetCap(fd, DRM_CAP_CURSOR_HEIGHT, &ch);
	struct dumb fbd, cur;
	if (!dumb_create(fd, &fbd, p.mode.hdisplay, p.mode.vdisplay, 32) ||
			!dumb_create(fd, &cur, (int32_t)cw, (int32_t)ch, 32)) {
		return gt_fail(ctx, "dumb buffer: %s", strerror(errno));
	}
	enum gt_result r;
	uint32_t handles[4] = {fbd.handle}, pitches[4] = {fbd.pitch}, offsets[4] = {0};
	dumb_fill(fd, &fbd, 3);
	dumb_fill(fd, &cur, 4);
	if (drmModeAddFB2(fd, (uint32_t)fbd.width, (uint32_t)fbd.height, DRM_FORMAT_XRGB8888, handles,
			pitches, offsets, &fbd.fb, 0) != 0 ||
			drmModeSetCrtc(fd, p.crtc, fbd.fb, 0, 0, &p.connector, 1, &p.mode) != 0) {
		r = gt_fail(ctx, "modeset: %s", strerror(errno));
		goto out;
	}
	if (drmModeSetCursor2(fd, p.crtc, cur.handle, (uint32_t)cw, (uint32_t)ch, 2, 2) != 0 &&
			drmModeSetCursor(fd, p.crtc, cur.handle, (uint32_t)cw, (uint32_t)ch) != 0) {
		r = gt_fail(ctx, "set cursor %llux%llu: %s", (unsigned long long)cw,
			(unsigned long long)ch, strerror(errno));
		goto out;
	}
	if (drmModeMoveCursor(fd, p.crtc, 100, 80) != 0 || drmModeMoveCursor(fd, p.crtc, -10, -10) != 0) {
		r = gt_fail(ctx, "move cursor: %s", strerror(errno));
		goto out;
	}
	if (drmModeSetCursor(fd, p.crtc, 0, 0, 0) != 0) {
		r = gt_fail(ctx, "hide cursor: %s", strerror(errno));
		goto out;
	}
	/* A cursor larger than the plane is refused. */
	int big = drmModeSetCursor(fd, p.crtc, fbd.handle, (uint32_t)fbd.width, (uint32_t)fbd.height);
	drmModeSetCursor(fd, p.crtc, 0, 0, 0);
	if (big == 0 && (uint64_t)fbd.width > cw) {
		r = gt_fail(ctx, "a %dx%d cursor on a %llux%llu plane was accepted", fbd.width,
			fbd.height, (unsigned long long)cw, (unsigned long long)ch);
		goto out;
	}
	r = gt_pass(ctx, "%llux%llu cursor set, moved (also partly off screen), hidden%s",
		(unsigned long long)cw, (unsigned long long)ch,
		p.cursor_plane ? "" : " (legacy cursor: no cursor plane listed)");
out:
	dumb_destroy(fd, &fbd);
	dumb_destroy(fd, &cur);
	return r;
}

static enum gt_result test_gamma(struct gt_ctx *ctx) {
	int fd;
	if (need_kms(ctx, &fd) != GT_PASS) {
		return GT_SKIP;
	}
	char why[256];
	struct pipe p;
	if (!find_pipe(fd, &p, why, sizeof(why))) {
		return gt_fail(ctx, "%s", why);
	}
	drmModeCrtcPtr crtc = drmModeGetCrtc(fd, p.crtc);
	if (!crtc) {
		return gt_fail(ctx, "GetCrtc: %s", strerror(errno));
	}
	int size = crtc->gamma_size;
	drmModeFreeCrtc(crtc);
	if (size <= 1) {
		return gt_skip(ctx, "the CRTC has no gamma ramp (gamma_size %d)", size);
	}
	uint16_t *set = calloc((size_t)size * 3, sizeof(uint16_t));
	uint16_t *got = calloc((size_t)size * 3, sizeof(uint16_t));
	enum gt_result r;
	if (!set || !got) {
		r = gt_fail(ctx, "out of memory");
		goto out;
	}
	for (int i = 0; i < size; i++) {
		uint32_t v = (uint32_t)i * 65535 / (uint32_t)(size - 1);
		set[i] = (uint16_t)(65535 - v);
		set[size + i] = (uint16_t)(v / 2);
		set[2 * size + i] = (uint16_t)v;
	}
	if (drmModeCrtcSetGamma(fd, p.crtc, (uint32_t)size, set, set + size, set + 2 * size) != 0) {
		r = gt_fail(ctx, "SetGamma(%d): %s", size, strerror(errno));
		goto out;
	}
	if (drmModeCrtcGetGamma(fd, p.crtc, (uint32_t)size, got, got + size, got + 2 * size) != 0) {
		r = gt_fail(ctx, "GetGamma: %s", strerror(errno));
		goto out;
	}
	if (memcmp(set, got, (size_t)size * 3 * sizeof(uint16_t)) != 0) {
		r = gt_fail(ctx, "the ramp read back differs from the one set");
		goto out;
	}
	for (int i = 0; i < size; i++) {
		set[i] = set[size + i] = set[2 * size + i] = (uint16_t)((uint32_t)i * 65535 / (uint32_t)(size - 1));
	}
	drmModeCrtcSetGamma(fd, p.crtc, (uint32_t)size, set, set + size, set + 2 * size);
	r = gt_pass(ctx, "a %d-entry ramp set and read back by the kernel (pixels: gamma/ramp)", size);
out:
	free(set);
	free(got);
	return r;
}

static enum gt_result test_dmabuf_kms(struct gt_ctx *ctx) {
	int fd;
	if (need_kms(ctx, &fd) != GT_PASS) {
		return GT_SKIP;
	}
	gt_get_render(ctx);
	if (!ctx->alloc) {
		return gt_skip(ctx, "no GBM: %s", ctx->alloc_why);
	}
	char why[256] = "";
	struct pipe p;
	if (!find_pipe(fd, &p, why, sizeof(why))) {
		return gt_fail(ctx, "%s", why);
	}
	struct gpu_buffer *bo = gpu_buffer_create(ctx->alloc, p.mode.hdisplay, p.mode.vdisplay,
		DRM_FORMAT_XRGB8888, NULL, 0, GPU_BUFFER_SCANOUT | GPU_BUFFER_LINEAR, why, sizeof(why));
	if (!bo) {
		return gt_fail(ctx, "%s", why);
	}
	struct gpu_dmabuf dmabuf = {.n_planes = 0};
	uint32_t handle = 0, fb = 0;
	enum gt_result r;
	if (!gpu_buffer_export(bo, &dmabuf)) {
		r = gt_fail(ctx, "export failed");
		goto out;
	}
	/* Import into the card: a different device fd from GBM's (render node). */
	if (drmPrimeFDToHandle(fd, dmabuf.fds[0], &handle) != 0) {
		r = gt_fail(ctx, "PRIME import: %s", strerror(errno));
		goto out;
	}
	uint32_t handles[4] = {handle}, pitches[4] = {dmabuf.strides[0]}, offsets[4] = {dmabuf.offsets[0]};
	uint64_t mods[4] = {dmabuf.modifier};
	int ret = dmabuf.modifier != DRM_FORMAT_MOD_INVALID
		? drmModeAddFB2WithModifiers(fd, (uint32_t)dmabuf.width, (uint32_t)dmabuf.height,
			dmabuf.format, handles, pitches, offsets, mods, &fb, DRM_MODE_FB_MODIFIERS)
		: drmModeAddFB2(fd, (uint32_t)dmabuf.width, (uint32_t)dmabuf.height, dmabuf.format,
			handles, pitches, offsets, &fb, 0);
	if (ret != 0) {
		r = gt_fail(ctx, "AddFB2 of the imported dmabuf: %s", strerror(-ret));
		goto out;
	}
	if (drmModeSetCrtc(fd, p.crtc, fb, 0, 0, &p.connector, 1, &p.mode) != 0) {
		r = gt_fail(ctx, "scanout (SetCrtc) of the dmabuf: %s", strerror(errno));
		goto out;
	}
	r = gt_pass(ctx, "a GBM dmabuf imported by PRIME and scanned out (pixels: "
		"dmabuf/display-scanout)");
out:
	if (fb) {
		drmModeRmFB(fd, fb);
	}
	if (handle) {
		struct drm_gem_close close_req = {.handle = handle};
		drmIoctl(fd, DRM_IOCTL_GEM_CLOSE, &close_req);
	}
	gpu_dmabuf_finish(&dmabuf);
	gpu_buffer_destroy(bo);
	return r;
}

const struct gt_test gt_kms_tests[] = {
	{"kms/fb-formats", GT_NEED_KMS, "AddFB2/RmFB of every single-plane format of every plane",
		test_fb_formats},
	{"kms/fb-bad-size", GT_NEED_KMS, "0x0 and oversized framebuffers are refused", test_fb_bad_size},
	{"kms/fb-bad-pitch", GT_NEED_KMS, "a short pitch is refused", test_fb_bad_pitch},
	{"kms/fb-bad-handle", GT_NEED_KMS, "an unknown GEM handle is refused", test_fb_bad_handle},
	{"kms/fb-bad-format", GT_NEED_KMS, "an unknown fourcc is refused", test_fb_bad_format},
	{"kms/atomic-test-only", GT_NEED_KMS, "TEST_ONLY commits accepted and refused as they should",
		test_atomic_test_only},
	{"kms/page-flip", GT_NEED_KMS, "20 flips: seq and time increase, intervals fit the refresh",
		test_page_flip},
	{"kms/cursor", GT_NEED_KMS, "cursor set, moved, hidden; an oversized one refused", test_cursor},
	{"kms/gamma", GT_NEED_KMS, "a gamma ramp set and read back from the kernel", test_gamma},
	{"kms/dmabuf-scanout", GT_NEED_KMS, "a GBM dmabuf imported by PRIME and scanned out",
		test_dmabuf_kms},
};
const size_t gt_kms_tests_n = sizeof(gt_kms_tests) / sizeof(gt_kms_tests[0]);
