/*
 * tk-png-check blocks FILE X Y W H: of the 2x2 pixel blocks (aligned at X, Y) in the
 * rectangle that are not one flat colour, how many are not uniform inside. A picture
 * drawn at scale 1 and upscaled 2x by nearest neighbour has every block uniform, so
 * "mixed" counts the detail only a scale-2 rendering has. Prints "blocks N mixed M".
 *
 * tk-png-check hrun FILE X Y W H RRGGBB TOLERANCE: the longest horizontal run of pixels
 * of that colour (each channel within the tolerance) in the rectangle, e.g. an
 * underline. Prints "run N".
 */
#include <png.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char *argv[]) {
	bool hrun = argc == 9 && strcmp(argv[1], "hrun") == 0;
	if (!hrun && (argc != 7 || strcmp(argv[1], "blocks") != 0)) {
		fprintf(stderr, "usage: tk-png-check blocks FILE X Y W H\n"
			"       tk-png-check hrun FILE X Y W H RRGGBB TOLERANCE\n");
		return 3;
	}
	png_image img = {.version = PNG_IMAGE_VERSION};
	if (!png_image_begin_read_from_file(&img, argv[2])) {
		fprintf(stderr, "tk-png-check: %s: %s\n", argv[2], img.message);
		return 3;
	}
	img.format = PNG_FORMAT_RGB;
	unsigned char *px = malloc(PNG_IMAGE_SIZE(img));
	if (!px || !png_image_finish_read(&img, NULL, px, 0, NULL)) {
		fprintf(stderr, "tk-png-check: cannot decode %s\n", argv[2]);
		free(px);
		return 3;
	}
	long x0 = strtol(argv[3], NULL, 10), y0 = strtol(argv[4], NULL, 10);
	long w = strtol(argv[5], NULL, 10), h = strtol(argv[6], NULL, 10);
	if (x0 < 0 || y0 < 0 || w < 2 || h < 2 || x0 + w > (long)img.width || y0 + h > (long)img.height) {
		fprintf(stderr, "tk-png-check: rectangle outside the image\n");
		free(px);
		return 3;
	}
	if (hrun) {
		unsigned long rgb = strtoul(argv[7], NULL, 16);
		long tol = strtol(argv[8], NULL, 10);
		int want[3] = {(int)(rgb >> 16) & 0xff, (int)(rgb >> 8) & 0xff, (int)rgb & 0xff};
		long best = 0;
		for (long y = y0; y < y0 + h; y++) {
			long run = 0;
			for (long x = x0; x < x0 + w; x++) {
				const unsigned char *p = px + (y * img.width + x) * 3;
				bool match = true;
				for (int c = 0; c < 3; c++) {
					match = match && abs(p[c] - want[c]) <= tol;
				}
				run = match ? run + 1 : 0;
				best = run > best ? run : best;
			}
		}
		printf("run %ld\n", best);
		free(px);
		return 0;
	}
	long blocks = 0, mixed = 0;
	for (long y = y0; y + 1 < y0 + h; y += 2) {
		for (long x = x0; x + 1 < x0 + w; x += 2) {
			const unsigned char *p[4] = {
				px + (y * img.width + x) * 3, px + (y * img.width + x + 1) * 3,
				px + ((y + 1) * img.width + x) * 3, px + ((y + 1) * img.width + x + 1) * 3,
			};
			bool same = true;
			for (int i = 1; i < 4; i++) {
				same = same && memcmp(p[0], p[i], 3) == 0;
			}
			/* Count only blocks with something drawn in their neighbourhood. */
			const unsigned char *q = px + ((y + 2 < y0 + h ? y + 2 : y) * img.width + x) * 3;
			bool flat = same && memcmp(p[0], q, 3) == 0;
			if (!flat) {
				blocks++;
				if (!same) {
					mixed++;
				}
			}
		}
	}
	printf("blocks %ld mixed %ld\n", blocks, mixed);
	free(px);
	return 0;
}
