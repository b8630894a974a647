/*
 * tk-png-check blocks FILE X Y W H: of the 2x2 pixel blocks (aligned at X, Y) in the
 * rectangle that are not one flat colour, how many are not uniform inside. A picture
 * drawn at scale 1 and upscaled 2x by nearest neighbour has every block uniform, so
 * "mixed" counts the detail only a scale-2 rendering has. Prints "blocks N mixed M".
 *
 * tk-png-check triples FILE X Y W H: the same question at scale 1.5. A nearest-neighbour
 * upscale by 3/2 turns every 2 pixels of a row into 3, so in each run of 3 pixels aligned
 * at the right phase two neighbours are equal. Of the runs of 3 that are not one flat
 * colour, "mixed" counts those with no two equal neighbours; it is printed for the phase
 * (0, 1, 2 pixels from X) where it is smallest: "triples N mixed M phase P".
 *
 * tk-png-check upscale FILE X Y W H OUT: crops the rectangle and writes it upscaled by 3/2
 * with nearest neighbour (what a compositor does to a scale-1 buffer on a 1.5 output):
 * the control that shows "triples" can fail.
 *
 * tk-png-check hrun FILE X Y W H RRGGBB TOLERANCE: the longest horizontal run of pixels
 * of that colour (each channel within the tolerance) in the rectangle, e.g. an
 * underline. Prints "run N".
 *
 * tk-png-check bbox FILE X Y W H RRGGBB TOLERANCE: the bounding box of the pixels of that
 * colour in the rectangle, in the image's coordinates: "bbox X Y W H N" (N: how many
 * matched), or "bbox none".
 */
#include <png.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct picture {
	png_image img;
	unsigned char *px;
};

static const unsigned char *pixel(const struct picture *p, long x, long y) {
	return p->px + ((size_t)y * p->img.width + (size_t)x) * 3;
}

static bool same(const unsigned char *a, const unsigned char *b) {
	return memcmp(a, b, 3) == 0;
}

static bool matches(const unsigned char *p, const int want[3], long tol) {
	for (int c = 0; c < 3; c++) {
		if (abs(p[c] - want[c]) > tol) {
			return false;
		}
	}
	return true;
}

static void parse_rgb(const char *s, int want[3]) {
	unsigned long rgb = strtoul(s, NULL, 16);
	want[0] = (int)(rgb >> 16) & 0xff;
	want[1] = (int)(rgb >> 8) & 0xff;
	want[2] = (int)rgb & 0xff;
}

static int usage(void) {
	fprintf(stderr, "usage: tk-png-check blocks FILE X Y W H\n"
		"       tk-png-check triples FILE X Y W H\n"
		"       tk-png-check upscale FILE X Y W H OUT\n"
		"       tk-png-check hrun FILE X Y W H RRGGBB TOLERANCE\n"
		"       tk-png-check bbox FILE X Y W H RRGGBB TOLERANCE\n");
	return 3;
}

static void blocks(const struct picture *p, long x0, long y0, long w, long h) {
	long n = 0, mixed = 0;
	for (long y = y0; y + 1 < y0 + h; y += 2) {
		for (long x = x0; x + 1 < x0 + w; x += 2) {
			const unsigned char *q[4] = {
				pixel(p, x, y), pixel(p, x + 1, y), pixel(p, x, y + 1), pixel(p, x + 1, y + 1),
			};
			bool uniform = true;
			for (int i = 1; i < 4; i++) {
				uniform = uniform && same(q[0], q[i]);
			}
			/* Count only blocks with something drawn in their neighbourhood. */
			const unsigned char *below = pixel(p, x, y + 2 < y0 + h ? y + 2 : y);
			if (!(uniform && same(q[0], below))) {
				n++;
				mixed += !uniform;
			}
		}
	}
	printf("blocks %ld mixed %ld\n", n, mixed);
}

static void triples(const struct picture *p, long x0, long y0, long w, long h) {
	long best_n = 0, best_mixed = -1;
	int best_phase = 0;
	for (int phase = 0; phase < 3; phase++) {
		long n = 0, mixed = 0;
		for (long y = y0; y < y0 + h; y++) {
			for (long x = x0 + phase; x + 2 < x0 + w; x += 3) {
				const unsigned char *a = pixel(p, x, y), *b = pixel(p, x + 1, y),
					*c = pixel(p, x + 2, y);
				if (same(a, b) && same(b, c)) {
					continue;
				}
				n++;
				mixed += !same(a, b) && !same(b, c);
			}
		}
		if (best_mixed < 0 || mixed < best_mixed) {
			best_mixed = mixed;
			best_n = n;
			best_phase = phase;
		}
	}
	printf("triples %ld mixed %ld phase %d\n", best_n, best_mixed, best_phase);
}

static bool upscale(const struct picture *p, long x0, long y0, long w, long h, const char *out) {
	long ow = w * 3 / 2, oh = h * 3 / 2;
	unsigned char *dst = malloc((size_t)ow * (size_t)oh * 3);
	if (!dst) {
		return false;
	}
	for (long y = 0; y < oh; y++) {
		for (long x = 0; x < ow; x++) {
			/* The source pixel whose centre is nearest, as a nearest filter samples. */
			long sx = (2 * x + 1) / 3, sy = (2 * y + 1) / 3;
			memcpy(dst + ((size_t)y * (size_t)ow + (size_t)x) * 3, pixel(p, x0 + sx, y0 + sy), 3);
		}
	}
	png_image o = {.version = PNG_IMAGE_VERSION, .width = (png_uint_32)ow,
		.height = (png_uint_32)oh, .format = PNG_FORMAT_RGB};
	bool ok = png_image_write_to_file(&o, out, 0, dst, 0, NULL);
	if (!ok) {
		fprintf(stderr, "tk-png-check: %s: %s\n", out, o.message);
	}
	free(dst);
	return ok;
}

static void bbox(const struct picture *p, long x0, long y0, long w, long h, const int want[3],
	long tol) {
	long minx = -1, miny = -1, maxx = -1, maxy = -1, n = 0;
	for (long y = y0; y < y0 + h; y++) {
		for (long x = x0; x < x0 + w; x++) {
			if (!matches(pixel(p, x, y), want, tol)) {
				continue;
			}
			n++;
			minx = minx < 0 || x < minx ? x : minx;
			maxx = x > maxx ? x : maxx;
			miny = miny < 0 || y < miny ? y : miny;
			maxy = y > maxy ? y : maxy;
		}
	}
	if (n == 0) {
		printf("bbox none\n");
	} else {
		printf("bbox %ld %ld %ld %ld %ld\n", minx, miny, maxx - minx + 1, maxy - miny + 1, n);
	}
}

static long hrun(const struct picture *p, long x0, long y0, long w, long h, const int want[3],
	long tol) {
	long best = 0;
	for (long y = y0; y < y0 + h; y++) {
		long run = 0;
		for (long x = x0; x < x0 + w; x++) {
			run = matches(pixel(p, x, y), want, tol) ? run + 1 : 0;
			best = run > best ? run : best;
		}
	}
	return best;
}

int main(int argc, char *argv[]) {
	if (argc < 7) {
		return usage();
	}
	const char *cmd = argv[1];
	bool colour = strcmp(cmd, "hrun") == 0 || strcmp(cmd, "bbox") == 0;
	if ((colour && argc != 9) || (strcmp(cmd, "upscale") == 0 && argc != 8) ||
		((strcmp(cmd, "blocks") == 0 || strcmp(cmd, "triples") == 0) && argc != 7)) {
		return usage();
	}
	if (!colour && strcmp(cmd, "blocks") != 0 && strcmp(cmd, "triples") != 0 &&
		strcmp(cmd, "upscale") != 0) {
		return usage();
	}
	struct picture pic = {.img = {.version = PNG_IMAGE_VERSION}};
	if (!png_image_begin_read_from_file(&pic.img, argv[2])) {
		fprintf(stderr, "tk-png-check: %s: %s\n", argv[2], pic.img.message);
		return 3;
	}
	pic.img.format = PNG_FORMAT_RGB;
	pic.px = malloc(PNG_IMAGE_SIZE(pic.img));
	if (!pic.px || !png_image_finish_read(&pic.img, NULL, pic.px, 0, NULL)) {
		fprintf(stderr, "tk-png-check: cannot decode %s\n", argv[2]);
		free(pic.px);
		return 3;
	}
	long x0 = strtol(argv[3], NULL, 10), y0 = strtol(argv[4], NULL, 10);
	long w = strtol(argv[5], NULL, 10), h = strtol(argv[6], NULL, 10);
	if (x0 < 0 || y0 < 0 || w < 2 || h < 2 || x0 + w > (long)pic.img.width ||
		y0 + h > (long)pic.img.height) {
		fprintf(stderr, "tk-png-check: rectangle outside the image\n");
		free(pic.px);
		return 3;
	}
	int status = 0;
	if (strcmp(cmd, "blocks") == 0) {
		blocks(&pic, x0, y0, w, h);
	} else if (strcmp(cmd, "triples") == 0) {
		triples(&pic, x0, y0, w, h);
	} else if (strcmp(cmd, "upscale") == 0) {
		status = upscale(&pic, x0, y0, w, h, argv[7]) ? 0 : 3;
	} else {
		int want[3];
		parse_rgb(argv[7], want);
		long tol = strtol(argv[8], NULL, 10);
		if (strcmp(cmd, "hrun") == 0) {
			printf("run %ld\n", hrun(&pic, x0, y0, w, h, want, tol));
		} else {
			bbox(&pic, x0, y0, w, h, want, tol);
		}
	}
	free(pic.px);
	return status;
}
