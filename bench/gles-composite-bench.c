/*
 * Compositing cost per frame, GLES2 on Mesa's llvmpipe (EGL surfaceless, through gpu/)
 * against pixman, the same scene in one process, on a host with no DRM device (where
 * wlroots 0.15's GLES2 renderer cannot start: it needs a DRM fd).
 *
 * The scene, as a compositor draws it: N windows of 640x480 ARGB8888 (premultiplied,
 * with a translucent title bar and border and a transparent corner), overlapping on a
 * 1920x1080 output; half of them are updated every frame by their client (two buffers,
 * alternating). Per frame:
 *   gles2   glTexSubImage2D (GL_BGRA_EXT) of each updated window into its texture, then
 *           into an FBO: clear, each window drawn with premultiplied OVER blending
 *           (gpu_render_texture), glFinish. glReadPixels of the frame is timed apart.
 *   pixman  memcpy of each updated window into its image, then a fill of the
 *           x8r8g8b8 output and pixman_image_composite32(OVER) of each window.
 *   pixman-wlr  as wlroots 0.15's pixman renderer draws: the client's buffer wrapped
 *           (no copy), each window composited OVER through a translation transform with
 *           a solid mask, over the whole output.
 * Wall time (CLOCK_MONOTONIC) and CPU time of the process (CLOCK_PROCESS_CPUTIME_ID:
 * llvmpipe's worker threads included) per frame, medians, and the ratios to pixman.
 * Before timing, the three outputs are compared pixel by pixel (RGB channels; the
 * tolerance is stated): a mismatch ends the program with status 1.
 * Not a test by itself: no thresholds (the 'gles-composite-bench' test runs it for a
 * few frames to check the pixels).
 *
 *   ninja -C build bench-gles-host
 *   build/bench/gles-composite-bench [--windows 4,16] [--frames 200] [--warmup 20]
 */
#include <dirent.h>
#include <drm_fourcc.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pixman.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "gpu/allocator.h"
#include "gpu/egl.h"
#include "gpu/render.h"

#define OUT_W 1920
#define OUT_H 1080
#define WIN_W 640
#define WIN_H 480
#define MAX_WINDOWS 64
#define MAX_CONFIGS 8
/* Largest difference allowed in any of R, G, B between two renderers: both round
 * premultiplied OVER to 8 bits, each blend at most 1 apart; overlapping translucent
 * parts may add one more. */
#define TOLERANCE 2
#define BACKGROUND 0xff203040u

enum { R_GLES, R_PIXMAN, R_PIXMAN_WLR, R_COUNT };
static const char *const renderer_names[R_COUNT] = {"gles2", "pixman", "pixman-wlr"};

struct window {
	int32_t x, y;
	bool updated; // redrawn by its client every frame
	uint32_t *client[2]; // the client's two buffers (premultiplied ARGB8888)
	GLuint tex;
	pixman_image_t *copy; // pixman's image: the client's pixels copied
	pixman_image_t *wrap[2]; // the client's buffers wrapped, as wlroots' pixman renderer does
};

struct stats {
	double *upload, *draw, *total, *cpu, *readback; // ms per frame
};

struct bench {
	int nwin, frames, warmup;
	struct window win[MAX_WINDOWS];
	int drm_fd; // --device: GBM on it, the output a GBM buffer (a dumb buffer on kms_swrast)
	struct gpu_allocator *alloc;
	struct gpu_buffer *out_bo;
	struct gpu_dmabuf out_dmabuf;
	struct gpu_egl *egl;
	struct gpu_renderer *r;
	struct gpu_target target;
	pixman_image_t *out_pixman, *out_wlr;
	uint8_t *readback; // OUT_W * OUT_H * 4
};

static double now_ms(clockid_t clock) {
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static uint8_t premul(uint32_t c, uint32_t a) {
	return (uint8_t)((c * a + 127) / 255);
}

/* A window's content: a pattern that differs per window and per buffer, opaque except
 * a translucent title bar and left border and a transparent top-right corner. */
static void draw_client(uint32_t *px, int index, int variant) {
	for (int32_t y = 0; y < WIN_H; y++) {
		for (int32_t x = 0; x < WIN_W; x++) {
			uint32_t a = 255;
			if (x >= WIN_W - 40 && y < 40) {
				a = 0;
			} else if (y < 28) {
				a = 0xc0;
			} else if (x < 12) {
				a = 0x50;
			}
			uint32_t r = ((uint32_t)x + 37u * (uint32_t)index + 91u * (uint32_t)variant) & 0xff;
			uint32_t g = ((uint32_t)y * 2u + 53u * (uint32_t)index) & 0xff;
			uint32_t b = ((uint32_t)(x ^ y) + 29u * (uint32_t)variant) & 0xff;
			px[(size_t)y * WIN_W + (size_t)x] = a << 24 | (uint32_t)premul(r, a) << 16 |
				(uint32_t)premul(g, a) << 8 | premul(b, a);
		}
	}
}

static double median(double *v, int n) {
	/* insertion sort: n is a few hundred */
	for (int i = 1; i < n; i++) {
		double x = v[i];
		int j = i - 1;
		while (j >= 0 && v[j] > x) {
			v[j + 1] = v[j];
			j--;
		}
		v[j + 1] = x;
	}
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static bool stats_init(struct stats *s, int frames) {
	size_t n = (size_t)frames;
	s->upload = calloc(n, sizeof(double));
	s->draw = calloc(n, sizeof(double));
	s->total = calloc(n, sizeof(double));
	s->cpu = calloc(n, sizeof(double));
	s->readback = calloc(n, sizeof(double));
	return s->upload && s->draw && s->total && s->cpu && s->readback;
}

static void stats_finish(struct stats *s) {
	free(s->upload);
	free(s->draw);
	free(s->total);
	free(s->cpu);
	free(s->readback);
}

static bool scene_init(struct bench *b, int nwin) {
	b->nwin = nwin;
	for (int i = 0; i < nwin; i++) {
		struct window *w = &b->win[i];
		/* spread over the output, overlapping, every window wholly inside */
		w->x = (int32_t)((i * 173) % (OUT_W - WIN_W + 1));
		w->y = (int32_t)((i * 89) % (OUT_H - WIN_H + 1));
		w->updated = i % 2 == 1;
		for (int v = 0; v < 2; v++) {
			w->client[v] = malloc((size_t)WIN_W * WIN_H * 4);
			if (!w->client[v]) {
				return false;
			}
			draw_client(w->client[v], i, v);
			w->wrap[v] = pixman_image_create_bits_no_clear(PIXMAN_a8r8g8b8, WIN_W, WIN_H,
				w->client[v], WIN_W * 4);
			if (!w->wrap[v]) {
				return false;
			}
		}
		w->copy = pixman_image_create_bits_no_clear(PIXMAN_a8r8g8b8, WIN_W, WIN_H, NULL,
			WIN_W * 4);
		if (!w->copy) {
			return false;
		}
		memcpy(pixman_image_get_data(w->copy), w->client[0], (size_t)WIN_W * WIN_H * 4);
		w->tex = gpu_texture_from_argb(b->r, w->client[0], WIN_W, WIN_H, WIN_W * 4);
		if (!w->tex) {
			return false;
		}
	}
	return true;
}

static void scene_finish(struct bench *b) {
	for (int i = 0; i < b->nwin; i++) {
		struct window *w = &b->win[i];
		for (int v = 0; v < 2; v++) {
			if (w->wrap[v]) {
				pixman_image_unref(w->wrap[v]);
			}
			free(w->client[v]);
		}
		if (w->copy) {
			pixman_image_unref(w->copy);
		}
		if (w->tex) {
			glDeleteTextures(1, &w->tex);
		}
		memset(w, 0, sizeof(*w));
	}
	b->nwin = 0;
}

/* Which buffer a window shows at frame f: updated windows alternate from frame 1 on. */
static int variant_at(const struct window *w, int f) {
	return w->updated ? f % 2 : 0;
}

static bool frame_gles(struct bench *b, int f, double *upload, double *draw) {
	double t0 = now_ms(CLOCK_MONOTONIC);
	glActiveTexture(GL_TEXTURE0);
	glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
	for (int i = 0; i < b->nwin; i++) {
		struct window *w = &b->win[i];
		if (f > 0 && w->updated) {
			glBindTexture(GL_TEXTURE_2D, w->tex);
			glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, WIN_W, WIN_H, GL_BGRA_EXT,
				GL_UNSIGNED_BYTE, w->client[variant_at(w, f)]);
		}
	}
	glBindTexture(GL_TEXTURE_2D, 0);
	double t1 = now_ms(CLOCK_MONOTONIC);
	gpu_render_begin(b->r, &b->target);
	gpu_render_clear(b->r, BACKGROUND);
	for (int i = 0; i < b->nwin; i++) {
		struct window *w = &b->win[i];
		gpu_render_texture(b->r, &b->target, w->tex, false, w->x, w->y, WIN_W, WIN_H, 1.0f);
	}
	glFinish();
	double t2 = now_ms(CLOCK_MONOTONIC);
	*upload = t1 - t0;
	*draw = t2 - t1;
	const char *err = gpu_gl_error();
	if (err[0]) {
		fprintf(stderr, "gles-composite-bench: GL error: %s\n", err);
		return false;
	}
	return true;
}

static void frame_pixman(struct bench *b, int f, double *upload, double *draw) {
	double t0 = now_ms(CLOCK_MONOTONIC);
	for (int i = 0; i < b->nwin; i++) {
		struct window *w = &b->win[i];
		if (f > 0 && w->updated) {
			memcpy(pixman_image_get_data(w->copy), w->client[variant_at(w, f)],
				(size_t)WIN_W * WIN_H * 4);
		}
	}
	double t1 = now_ms(CLOCK_MONOTONIC);
	pixman_color_t bg = {
		.red = ((BACKGROUND >> 16) & 0xff) * 0x101,
		.green = ((BACKGROUND >> 8) & 0xff) * 0x101,
		.blue = (BACKGROUND & 0xff) * 0x101,
		.alpha = 0xffff,
	};
	pixman_box32_t box = {0, 0, OUT_W, OUT_H};
	pixman_image_fill_boxes(PIXMAN_OP_SRC, b->out_pixman, &bg, 1, &box);
	for (int i = 0; i < b->nwin; i++) {
		struct window *w = &b->win[i];
		pixman_image_composite32(PIXMAN_OP_OVER, w->copy, NULL, b->out_pixman, 0, 0, 0, 0,
			w->x, w->y, WIN_W, WIN_H);
	}
	double t2 = now_ms(CLOCK_MONOTONIC);
	*upload = t1 - t0;
	*draw = t2 - t1;
}

/* wlroots 0.15's render/pixman/renderer.c, in substance: a clear through a solid fill,
 * and each texture (the client's buffer itself) composited OVER with a solid alpha mask
 * and the inverse of its placement as a transform, over the whole output. */
static void frame_pixman_wlr(struct bench *b, int f, double *upload, double *draw) {
	double t0 = now_ms(CLOCK_MONOTONIC);
	pixman_color_t bg = {
		.red = ((BACKGROUND >> 16) & 0xff) * 0x101,
		.green = ((BACKGROUND >> 8) & 0xff) * 0x101,
		.blue = (BACKGROUND & 0xff) * 0x101,
		.alpha = 0xffff,
	};
	pixman_image_t *fill = pixman_image_create_solid_fill(&bg);
	if (fill) {
		pixman_image_composite32(PIXMAN_OP_SRC, fill, NULL, b->out_wlr, 0, 0, 0, 0, 0, 0,
			OUT_W, OUT_H);
		pixman_image_unref(fill);
	}
	for (int i = 0; i < b->nwin; i++) {
		struct window *w = &b->win[i];
		pixman_image_t *src = w->wrap[variant_at(w, f)];
		pixman_color_t opaque = {.alpha = 0xffff};
		pixman_image_t *mask = pixman_image_create_solid_fill(&opaque);
		if (!mask) {
			continue;
		}
		struct pixman_transform t;
		pixman_transform_init_translate(&t, pixman_int_to_fixed(-w->x),
			pixman_int_to_fixed(-w->y));
		pixman_image_set_transform(src, &t);
		pixman_image_composite32(PIXMAN_OP_OVER, src, mask, b->out_wlr, 0, 0, 0, 0, 0, 0,
			OUT_W, OUT_H);
		pixman_image_set_transform(src, NULL);
		pixman_image_unref(mask);
	}
	double t1 = now_ms(CLOCK_MONOTONIC);
	*upload = 0;
	*draw = t1 - t0;
}

static bool frame(struct bench *b, int renderer, int f, double *upload, double *draw) {
	switch (renderer) {
	case R_GLES:
		return frame_gles(b, f, upload, draw);
	case R_PIXMAN:
		frame_pixman(b, f, upload, draw);
		return true;
	default:
		frame_pixman_wlr(b, f, upload, draw);
		return true;
	}
}

static double readback_gles(struct bench *b) {
	double t0 = now_ms(CLOCK_MONOTONIC);
	glBindFramebuffer(GL_FRAMEBUFFER, b->target.fbo);
	glPixelStorei(GL_PACK_ALIGNMENT, 4);
	glReadPixels(0, 0, OUT_W, OUT_H, GL_RGBA, GL_UNSIGNED_BYTE, b->readback);
	return now_ms(CLOCK_MONOTONIC) - t0;
}

/* Largest R, G or B difference between a and b (ARGB words, alpha ignored: pixman's
 * output is x8r8g8b8), and how many pixels differ at all. */
static int compare(const uint32_t *a, const uint32_t *b, size_t n, size_t *differing) {
	int worst = 0;
	*differing = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t p = a[i], q = b[i];
		if ((p & 0xffffff) == (q & 0xffffff)) {
			continue;
		}
		(*differing)++;
		for (int s = 0; s < 24; s += 8) {
			int d = (int)((p >> s) & 0xff) - (int)((q >> s) & 0xff);
			if (d < 0) {
				d = -d;
			}
			if (d > worst) {
				worst = d;
			}
		}
	}
	return worst;
}

/* Draws frame f with each renderer and compares the outputs; false on a mismatch. */
static bool check(struct bench *b, int f) {
	double u, d;
	for (int r = 0; r < R_COUNT; r++) {
		if (!frame(b, r, f, &u, &d)) {
			return false;
		}
	}
	size_t n = (size_t)OUT_W * OUT_H;
	uint32_t *gl = malloc(n * 4);
	if (!gl) {
		return false;
	}
	if (!gpu_target_read(b->r, &b->target, gl, OUT_W * 4)) {
		free(gl);
		fprintf(stderr, "gles-composite-bench: reading the GLES2 frame back failed\n");
		return false;
	}
	const uint32_t *px = pixman_image_get_data(b->out_pixman);
	const uint32_t *wlr = pixman_image_get_data(b->out_wlr);
	size_t diff_gl, diff_wlr;
	int worst_gl = compare(gl, px, n, &diff_gl);
	int worst_wlr = compare(wlr, px, n, &diff_wlr);
	/* the scene must be on screen: the first window's corner pixel, not background */
	const struct window *w0 = &b->win[0];
	uint32_t probe = px[(size_t)(w0->y + 100) * OUT_W + (size_t)(w0->x + 100)];
	bool drawn = (probe & 0xffffff) != (BACKGROUND & 0xffffff);
	bool ok = worst_gl <= TOLERANCE && worst_wlr <= TOLERANCE && drawn;
	printf("check %d windows, frame %d: gles2 vs pixman: largest RGB difference %d, %zu of %zu"
		" pixels differ; pixman-wlr vs pixman: %d, %zu pixels; tolerance %d: %s\n",
		b->nwin, f, worst_gl, diff_gl, n, worst_wlr, diff_wlr, TOLERANCE,
		ok ? "ok" : drawn ? "MISMATCH" : "NOTHING DRAWN");
	free(gl);
	return ok;
}

static int count_threads(void) {
	DIR *d = opendir("/proc/self/task");
	if (!d) {
		return -1;
	}
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] != '.') {
			n++;
		}
	}
	closedir(d);
	return n;
}

static bool run_config(struct bench *b, int nwin) {
	if (!scene_init(b, nwin)) {
		fprintf(stderr, "gles-composite-bench: setting up %d windows failed\n", nwin);
		scene_finish(b);
		return false;
	}
	struct stats s[R_COUNT] = {0};
	bool ok = true;
	for (int r = 0; r < R_COUNT && ok; r++) {
		ok = stats_init(&s[r], b->frames);
	}
	/* warm-up (shader compiles, first uploads), then the same frame from all three,
	 * compared; then each renderer's timed frames in turn */
	double u, d;
	for (int f = 0; ok && f < b->warmup; f++) {
		for (int r = 0; r < R_COUNT && ok; r++) {
			ok = frame(b, r, f, &u, &d);
		}
	}
	/* an odd frame: updated windows show their second buffer, not the first upload */
	int checked = b->warmup | 1;
	for (int f = b->warmup; ok && f < checked; f++) {
		for (int r = 0; r < R_COUNT && ok; r++) {
			ok = frame(b, r, f, &u, &d);
		}
	}
	ok = ok && check(b, checked);
	for (int r = 0; r < R_COUNT && ok; r++) {
		for (int i = 0; i < b->frames && ok; i++) {
			int f = checked + 1 + i;
			double c0 = now_ms(CLOCK_PROCESS_CPUTIME_ID);
			ok = frame(b, r, f, &s[r].upload[i], &s[r].draw[i]);
			s[r].cpu[i] = now_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
			s[r].total[i] = s[r].upload[i] + s[r].draw[i];
			s[r].readback[i] = r == R_GLES ? readback_gles(b) : 0;
		}
	}
	if (ok) {
		int n = b->frames;
		double total[R_COUNT], cpu[R_COUNT];
		int updated = 0;
		for (int i = 0; i < nwin; i++) {
			updated += b->win[i].updated;
		}
		printf("%7s %7s  %-10s %9s %12s %9s %9s %11s\n", "windows", "updated", "renderer",
			"upload", "composite", "total", "CPU", "readback");
		for (int r = 0; r < R_COUNT; r++) {
			total[r] = median(s[r].total, n);
			cpu[r] = median(s[r].cpu, n);
			printf("%7d %7d  %-10s %9.3f %12.3f %9.3f %9.3f", nwin, updated,
				renderer_names[r], median(s[r].upload, n), median(s[r].draw, n), total[r],
				cpu[r]);
			if (r == R_GLES) {
				printf(" %11.3f\n", median(s[r].readback, n));
			} else {
				printf(" %11s\n", "-");
			}
		}
		printf("%7d %7d  %-10s %9s %12s %9.2f %9.2f\n", nwin, updated, "gles2/px", "", "",
			total[R_GLES] / total[R_PIXMAN], cpu[R_GLES] / cpu[R_PIXMAN]);
		printf("%7d %7d  %-10s %9s %12s %9.2f %9.2f\n", nwin, updated, "gles2/wlr", "", "",
			total[R_GLES] / total[R_PIXMAN_WLR], cpu[R_GLES] / cpu[R_PIXMAN_WLR]);
		fflush(stdout);
	}
	for (int r = 0; r < R_COUNT; r++) {
		stats_finish(&s[r]);
	}
	scene_finish(b);
	return ok;
}

static bool parse_int(const char *s, int min, int max, int *out) {
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		return false;
	}
	*out = (int)v;
	return true;
}

static bool parse_list(const char *s, int *out, int *count) {
	char buf[128];
	if (strlen(s) >= sizeof(buf)) {
		return false;
	}
	memcpy(buf, s, strlen(s) + 1);
	*count = 0;
	char *save = NULL;
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (*count >= MAX_CONFIGS || !parse_int(tok, 1, MAX_WINDOWS, &out[*count])) {
			return false;
		}
		(*count)++;
	}
	return *count > 0;
}

static void usage(FILE *f) {
	fprintf(f, "usage: gles-composite-bench [--windows N[,N...]] [--frames N] [--warmup N]"
		" [--device PATH]\n"
		"  --windows   window counts to run, 1 to %d each (default 4,16)\n"
		"  --device    a DRM node: EGL on its GBM device, drawing into a GBM buffer\n"
		"              (default: EGL surfaceless, into a renderbuffer)\n"
		"  --frames    timed frames per renderer (default 200)\n"
		"  --warmup    frames before the check and the timing (default 20)\n",
		MAX_WINDOWS);
}

int main(int argc, char **argv) {
	int configs[MAX_CONFIGS] = {4, 16}, nconfigs = 2;
	static struct bench b;
	const char *device = NULL;
	b.drm_fd = -1;
	b.out_dmabuf.n_planes = 0;
	b.frames = 200;
	b.warmup = 20;
	for (int i = 1; i < argc; i += 2) { // each option takes a value
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool good;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--windows") && v) {
			good = parse_list(v, configs, &nconfigs);
		} else if (!strcmp(argv[i], "--frames") && v) {
			good = parse_int(v, 1, 100000, &b.frames);
		} else if (!strcmp(argv[i], "--warmup") && v) {
			good = parse_int(v, 0, 100000, &b.warmup);
		} else if (!strcmp(argv[i], "--device") && v) {
			device = v;
			good = true;
		} else {
			good = false;
		}
		if (!good) {
			usage(stderr);
			return 2;
		}
	}

	char why[256] = "";
	int status = 1;
	if (device) {
		b.drm_fd = open(device, O_RDWR | O_CLOEXEC);
		if (b.drm_fd < 0) {
			fprintf(stderr, "gles-composite-bench: %s: %s\n", device, strerror(errno));
			return 1;
		}
		b.alloc = gpu_allocator_create(b.drm_fd, why, sizeof(why));
		if (!b.alloc) {
			fprintf(stderr, "gles-composite-bench: no GBM on %s: %s\n", device, why);
			goto out_device;
		}
	}
	b.egl = gpu_egl_create(b.alloc ? b.alloc->gbm : NULL, why, sizeof(why));
	if (!b.egl) {
		fprintf(stderr, "gles-composite-bench: no EGL: %s\n", why);
		status = device ? 1 : 77;
		goto out_device;
	}
	if (!b.egl->has_bgra) {
		/* wlroots' GLES2 renderer needs it for ARGB8888 shm buffers too */
		fprintf(stderr, "gles-composite-bench: GL lacks GL_EXT_texture_format_BGRA8888\n");
		status = 77;
		goto out_egl;
	}
	b.r = gpu_renderer_create(b.egl, why, sizeof(why));
	if (!b.r) {
		fprintf(stderr, "gles-composite-bench: no renderer: %s\n", why);
		goto out_egl;
	}
	if (b.alloc) {
		/* what a compositor draws into on this card: a scanout buffer */
		b.out_bo = gpu_buffer_create(b.alloc, OUT_W, OUT_H, DRM_FORMAT_XRGB8888, NULL, 0,
			GPU_BUFFER_SCANOUT | GPU_BUFFER_RENDER, why, sizeof(why));
		if (!b.out_bo || !gpu_buffer_export(b.out_bo, &b.out_dmabuf)) {
			fprintf(stderr, "gles-composite-bench: no %dx%d GBM buffer: %s\n", OUT_W, OUT_H,
				b.out_bo ? "export failed" : why);
			goto out_renderer;
		}
		if (!gpu_target_init_dmabuf(&b.target, b.r, &b.out_dmabuf, why, sizeof(why))) {
			fprintf(stderr, "gles-composite-bench: rendering into the GBM buffer: %s\n", why);
			goto out_renderer;
		}
	} else if (!gpu_target_init(&b.target, b.r, OUT_W, OUT_H, why, sizeof(why))) {
		fprintf(stderr, "gles-composite-bench: no %dx%d target: %s\n", OUT_W, OUT_H, why);
		goto out_renderer;
	}
	b.out_pixman = pixman_image_create_bits(PIXMAN_x8r8g8b8, OUT_W, OUT_H, NULL, OUT_W * 4);
	b.out_wlr = pixman_image_create_bits(PIXMAN_x8r8g8b8, OUT_W, OUT_H, NULL, OUT_W * 4);
	b.readback = malloc((size_t)OUT_W * OUT_H * 4);
	if (!b.out_pixman || !b.out_wlr || !b.readback) {
		fprintf(stderr, "gles-composite-bench: out of memory\n");
		goto out_images;
	}

	char load[64] = "?";
	FILE *lf = fopen("/proc/loadavg", "r");
	if (lf) {
		if (!fgets(load, sizeof(load), lf)) {
			snprintf(load, sizeof(load), "?");
		}
		/* the three averages; the rest is runnable/total tasks and the last pid */
		char *sp = load;
		for (int i = 0; i < 3 && sp; i++) {
			sp = strchr(sp + 1, ' ');
		}
		if (sp) {
			*sp = '\0';
		}
		load[strcspn(load, "\n")] = '\0';
		fclose(lf);
	}
	const char *lp = getenv("LP_NUM_THREADS");
	if (b.alloc) {
		printf("GL: %s, %s (EGL on GBM on %s, into a %dx%d XRGB8888 GBM buffer)\n",
			b.egl->gl_renderer, b.egl->gl_version, device, OUT_W, OUT_H);
	} else {
		printf("GL: %s, %s (EGL surfaceless, into a renderbuffer)\n", b.egl->gl_renderer,
			b.egl->gl_version);
	}
	printf("output %dx%d, windows %dx%d ARGB8888, every other one updated each frame; "
		"%d frames after %d warm-up, medians in ms per frame\n", OUT_W, OUT_H, WIN_W, WIN_H,
		b.frames, b.warmup);
	printf("LP_NUM_THREADS=%s, CPUs online %ld, load average %s\n", lp ? lp : "(unset: llvmpipe "
		"starts one thread per CPU)", sysconf(_SC_NPROCESSORS_ONLN), load);

	bool ok = true;
	for (int c = 0; c < nconfigs && ok; c++) {
		ok = run_config(&b, configs[c]);
	}
	printf("threads in this process at the end: %d (llvmpipe's workers included)\n",
		count_threads());
	status = ok ? 0 : 1;

out_images:
	free(b.readback);
	if (b.out_wlr) {
		pixman_image_unref(b.out_wlr);
	}
	if (b.out_pixman) {
		pixman_image_unref(b.out_pixman);
	}
	gpu_target_finish(&b.target, b.r);
out_renderer:
	gpu_dmabuf_finish(&b.out_dmabuf);
	gpu_buffer_destroy(b.out_bo);
	gpu_renderer_destroy(b.r);
out_egl:
	gpu_egl_destroy(b.egl);
out_device:
	gpu_allocator_destroy(b.alloc);
	if (b.drm_fd >= 0) {
		close(b.drm_fd);
	}
	return status;
}
