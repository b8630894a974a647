/*
 * png-tool: answers the questions integration tests ask of screenshots, so the tests
 * themselves stay shell scripts. Colours are written and read as RRGGBB hex (output in
 * lower case); alpha is ignored throughout.
 *
 *   size FILE                          -> "W H"
 *   pixel FILE X Y                     -> "rrggbb"
 *   compare A B [--tolerance N]        -> "differing P"; exit 0 if P is 0, 1 if not,
 *                                         2 if the sizes differ
 *   count FILE X Y W H RRGGBB [--tolerance N]  -> pixels in the rectangle of that colour
 *   distinct FILE X Y W H              -> number of distinct colours in the rectangle
 *   crop IN X Y W H OUT
 * and, for building fixtures:
 *   make FILE W H RRGGBB [--format rgb|rgba|gray|palette]
 *   fill FILE X Y W H RRGGBB           (rewrites FILE as RGB)
 *
 * A channel matches within the tolerance when it differs by at most N. Any error (a
 * missing file, a rectangle outside the image, bad arguments) exits 3.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "png-io.h"

#define EXIT_ERROR 3

static void usage(FILE *f) {
	fprintf(f,
		"usage: png-tool COMMAND ARGS\n"
		"  size FILE\n"
		"  pixel FILE X Y\n"
		"  compare A B [--tolerance N]     exit 0 same, 1 different, 2 sizes differ\n"
		"  count FILE X Y W H RRGGBB [--tolerance N]\n"
		"  distinct FILE X Y W H\n"
		"  crop IN X Y W H OUT\n"
		"  make FILE W H RRGGBB [--format rgb|rgba|gray|palette]\n"
		"  fill FILE X Y W H RRGGBB\n"
		"Errors exit 3.\n");
}

static bool parse_long(const char *s, long min, long max, long *out) {
	if (!s || !*s) {
		return false;
	}
	char *end = NULL;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max) {
		return false;
	}
	*out = v;
	return true;
}

static bool parse_int_arg(const char *s, const char *what, long min, long max, int *out) {
	long v;
	if (!parse_long(s, min, max, &v)) {
		fprintf(stderr, "png-tool: %s wants a number from %ld to %ld, not '%s'\n", what, min,
			max, s ? s : "");
		return false;
	}
	*out = (int)v;
	return true;
}

static bool parse_color(const char *s, uint8_t rgb[3]) {
	if (s && s[0] == '#') {
		s++;
	}
	if (!s || strlen(s) != 6) {
		fprintf(stderr, "png-tool: colour wants RRGGBB, not '%s'\n", s ? s : "");
		return false;
	}
	for (int i = 0; i < 3; i++) {
		unsigned v = 0;
		for (int j = 0; j < 2; j++) {
			char c = s[i * 2 + j];
			unsigned d;
			if (c >= '0' && c <= '9') {
				d = (unsigned)(c - '0');
			} else if (c >= 'a' && c <= 'f') {
				d = (unsigned)(c - 'a' + 10);
			} else if (c >= 'A' && c <= 'F') {
				d = (unsigned)(c - 'A' + 10);
			} else {
				fprintf(stderr, "png-tool: colour wants RRGGBB, not '%s'\n", s);
				return false;
			}
			v = v << 4 | d;
		}
		rgb[i] = (uint8_t)v;
	}
	return true;
}

struct rect {
	int x, y, width, height;
};

static bool parse_rect(char **args, struct rect *r) {
	return parse_int_arg(args[0], "X", 0, 1 << 20, &r->x) &&
		parse_int_arg(args[1], "Y", 0, 1 << 20, &r->y) &&
		parse_int_arg(args[2], "W", 1, 1 << 20, &r->width) &&
		parse_int_arg(args[3], "H", 1, 1 << 20, &r->height);
}

/* A rectangle partly outside the image is a mistake in the test, not an empty answer. */
static bool check_rect(const struct pngio_image *img, const struct rect *r, const char *path) {
	if ((long)r->x + r->width > img->width || (long)r->y + r->height > img->height) {
		fprintf(stderr, "png-tool: rectangle %d,%d %dx%d is outside %s (%dx%d)\n", r->x, r->y,
			r->width, r->height, path, img->width, img->height);
		return false;
	}
	return true;
}

static bool channel_close(uint8_t a, uint8_t b, int tolerance) {
	int d = (int)a - (int)b;
	return (d < 0 ? -d : d) <= tolerance;
}

static bool pixel_matches(const uint8_t *a, const uint8_t *b, int tolerance) {
	return channel_close(a[0], b[0], tolerance) && channel_close(a[1], b[1], tolerance) &&
		channel_close(a[2], b[2], tolerance);
}

/*
 * Removes "--NAME VALUE" from args (wherever it is) and returns VALUE, or NULL if
 * absent. *argc shrinks accordingly.
 */
static const char *take_option(int *argc, char **argv, const char *name, bool *bad) {
	for (int i = 0; i < *argc; i++) {
		if (strcmp(argv[i], name) != 0) {
			continue;
		}
		if (i + 1 >= *argc) {
			fprintf(stderr, "png-tool: %s wants a value\n", name);
			*bad = true;
			return NULL;
		}
		const char *value = argv[i + 1];
		memmove(&argv[i], &argv[i + 2], (size_t)(*argc - i - 2) * sizeof(*argv));
		*argc -= 2;
		return value;
	}
	return NULL;
}

static bool want_args(int argc, int n, const char *cmd) {
	if (argc != n) {
		fprintf(stderr, "png-tool: %s wants %d argument%s, got %d\n", cmd, n,
			n == 1 ? "" : "s", argc);
		usage(stderr);
		return false;
	}
	return true;
}

static int cmd_size(int argc, char **argv) {
	if (!want_args(argc, 1, "size")) {
		return EXIT_ERROR;
	}
	struct pngio_image img;
	if (!pngio_read(&img, argv[0])) {
		return EXIT_ERROR;
	}
	printf("%d %d\n", img.width, img.height);
	pngio_image_finish(&img);
	return 0;
}

static int cmd_pixel(int argc, char **argv) {
	int x, y;
	if (!want_args(argc, 3, "pixel") || !parse_int_arg(argv[1], "X", 0, 1 << 20, &x) ||
			!parse_int_arg(argv[2], "Y", 0, 1 << 20, &y)) {
		return EXIT_ERROR;
	}
	struct pngio_image img;
	if (!pngio_read(&img, argv[0])) {
		return EXIT_ERROR;
	}
	int ret = 0;
	if (x >= img.width || y >= img.height) {
		fprintf(stderr, "png-tool: %d,%d is outside %s (%dx%d)\n", x, y, argv[0], img.width,
			img.height);
		ret = EXIT_ERROR;
	} else {
		const uint8_t *p = pngio_pixel(&img, x, y);
		printf("%02x%02x%02x\n", p[0], p[1], p[2]);
	}
	pngio_image_finish(&img);
	return ret;
}

static int cmd_compare(int argc, char **argv) {
	bool bad = false;
	const char *tol_str = take_option(&argc, argv, "--tolerance", &bad);
	int tolerance = 0;
	if (bad || (tol_str && !parse_int_arg(tol_str, "--tolerance", 0, 255, &tolerance)) ||
			!want_args(argc, 2, "compare")) {
		return EXIT_ERROR;
	}
	struct pngio_image a, b;
	if (!pngio_read(&a, argv[0])) {
		return EXIT_ERROR;
	}
	if (!pngio_read(&b, argv[1])) {
		pngio_image_finish(&a);
		return EXIT_ERROR;
	}
	int ret;
	if (a.width != b.width || a.height != b.height) {
		printf("sizes differ: %dx%d %dx%d\n", a.width, a.height, b.width, b.height);
		ret = 2;
	} else {
		long differing = 0;
		size_t n = (size_t)a.width * (size_t)a.height;
		for (size_t i = 0; i < n; i++) {
			if (!pixel_matches(a.pixels + i * 3, b.pixels + i * 3, tolerance)) {
				differing++;
			}
		}
		printf("differing %ld\n", differing);
		ret = differing == 0 ? 0 : 1;
	}
	pngio_image_finish(&a);
	pngio_image_finish(&b);
	return ret;
}

static int cmd_count(int argc, char **argv) {
	bool bad = false;
	const char *tol_str = take_option(&argc, argv, "--tolerance", &bad);
	int tolerance = 0;
	struct rect r;
	uint8_t color[3];
	if (bad || (tol_str && !parse_int_arg(tol_str, "--tolerance", 0, 255, &tolerance)) ||
			!want_args(argc, 6, "count") || !parse_rect(&argv[1], &r) ||
			!parse_color(argv[5], color)) {
		return EXIT_ERROR;
	}
	struct pngio_image img;
	if (!pngio_read(&img, argv[0])) {
		return EXIT_ERROR;
	}
	if (!check_rect(&img, &r, argv[0])) {
		pngio_image_finish(&img);
		return EXIT_ERROR;
	}
	long count = 0;
	for (int y = r.y; y < r.y + r.height; y++) {
		for (int x = r.x; x < r.x + r.width; x++) {
			if (pixel_matches(pngio_pixel(&img, x, y), color, tolerance)) {
				count++;
			}
		}
	}
	printf("%ld\n", count);
	pngio_image_finish(&img);
	return 0;
}

static int compare_u32(const void *a, const void *b) {
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static int cmd_distinct(int argc, char **argv) {
	struct rect r;
	if (!want_args(argc, 5, "distinct") || !parse_rect(&argv[1], &r)) {
		return EXIT_ERROR;
	}
	struct pngio_image img;
	if (!pngio_read(&img, argv[0])) {
		return EXIT_ERROR;
	}
	if (!check_rect(&img, &r, argv[0])) {
		pngio_image_finish(&img);
		return EXIT_ERROR;
	}
	size_t n = (size_t)r.width * (size_t)r.height;
	uint32_t *colors = malloc(n * sizeof(*colors));
	if (!colors) {
		fprintf(stderr, "png-tool: out of memory\n");
		pngio_image_finish(&img);
		return EXIT_ERROR;
	}
	size_t i = 0;
	for (int y = r.y; y < r.y + r.height; y++) {
		for (int x = r.x; x < r.x + r.width; x++) {
			const uint8_t *p = pngio_pixel(&img, x, y);
			colors[i++] = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
		}
	}
	qsort(colors, n, sizeof(*colors), compare_u32);
	long distinct = n > 0 ? 1 : 0;
	for (i = 1; i < n; i++) {
		if (colors[i] != colors[i - 1]) {
			distinct++;
		}
	}
	printf("%ld\n", distinct);
	free(colors);
	pngio_image_finish(&img);
	return 0;
}

static int cmd_crop(int argc, char **argv) {
	struct rect r;
	if (!want_args(argc, 6, "crop") || !parse_rect(&argv[1], &r)) {
		return EXIT_ERROR;
	}
	struct pngio_image img, out;
	if (!pngio_read(&img, argv[0])) {
		return EXIT_ERROR;
	}
	if (!check_rect(&img, &r, argv[0]) || !pngio_image_init(&out, r.width, r.height)) {
		pngio_image_finish(&img);
		return EXIT_ERROR;
	}
	for (int y = 0; y < r.height; y++) {
		memcpy(pngio_pixel(&out, 0, y), pngio_pixel(&img, r.x, r.y + y),
			(size_t)r.width * 3);
	}
	bool ok = pngio_write(&out, argv[5], PNGIO_RGB);
	pngio_image_finish(&out);
	pngio_image_finish(&img);
	return ok ? 0 : EXIT_ERROR;
}

static void fill_rect(struct pngio_image *img, const struct rect *r, const uint8_t color[3]) {
	for (int y = r->y; y < r->y + r->height; y++) {
		for (int x = r->x; x < r->x + r->width; x++) {
			memcpy(pngio_pixel(img, x, y), color, 3);
		}
	}
}

static int cmd_make(int argc, char **argv) {
	bool bad = false;
	const char *format_str = take_option(&argc, argv, "--format", &bad);
	enum pngio_format format = PNGIO_RGB;
	if (bad) {
		return EXIT_ERROR;
	}
	if (format_str) {
		if (strcmp(format_str, "rgb") == 0) {
			format = PNGIO_RGB;
		} else if (strcmp(format_str, "rgba") == 0) {
			format = PNGIO_RGBA;
		} else if (strcmp(format_str, "gray") == 0) {
			format = PNGIO_GRAY;
		} else if (strcmp(format_str, "palette") == 0) {
			format = PNGIO_PALETTE;
		} else {
			fprintf(stderr, "png-tool: --format wants rgb, rgba, gray or palette\n");
			return EXIT_ERROR;
		}
	}
	struct rect r = {0};
	uint8_t color[3];
	if (!want_args(argc, 4, "make") || !parse_int_arg(argv[1], "W", 1, 1 << 15, &r.width) ||
			!parse_int_arg(argv[2], "H", 1, 1 << 15, &r.height) ||
			!parse_color(argv[3], color)) {
		return EXIT_ERROR;
	}
	struct pngio_image img;
	if (!pngio_image_init(&img, r.width, r.height)) {
		return EXIT_ERROR;
	}
	fill_rect(&img, &r, color);
	bool ok = pngio_write(&img, argv[0], format);
	pngio_image_finish(&img);
	return ok ? 0 : EXIT_ERROR;
}

static int cmd_fill(int argc, char **argv) {
	struct rect r;
	uint8_t color[3];
	if (!want_args(argc, 6, "fill") || !parse_rect(&argv[1], &r) ||
			!parse_color(argv[5], color)) {
		return EXIT_ERROR;
	}
	struct pngio_image img;
	if (!pngio_read(&img, argv[0])) {
		return EXIT_ERROR;
	}
	if (!check_rect(&img, &r, argv[0])) {
		pngio_image_finish(&img);
		return EXIT_ERROR;
	}
	fill_rect(&img, &r, color);
	bool ok = pngio_write(&img, argv[0], PNGIO_RGB);
	pngio_image_finish(&img);
	return ok ? 0 : EXIT_ERROR;
}

int main(int argc, char *argv[]) {
	static const struct {
		const char *name;
		int (*run)(int argc, char **argv);
	} commands[] = {
		{"size", cmd_size},
		{"pixel", cmd_pixel},
		{"compare", cmd_compare},
		{"count", cmd_count},
		{"distinct", cmd_distinct},
		{"crop", cmd_crop},
		{"make", cmd_make},
		{"fill", cmd_fill},
	};
	if (argc < 2) {
		usage(stderr);
		return EXIT_ERROR;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) == 0) {
			int ret = commands[i].run(argc - 2, argv + 2);
			if (fflush(stdout) != 0) {
				fprintf(stderr, "png-tool: cannot write to stdout\n");
				return EXIT_ERROR;
			}
			return ret;
		}
	}
	fprintf(stderr, "png-tool: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_ERROR;
}
