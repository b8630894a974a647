#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "png-io.h"

/* Big enough for any screen we test on, small enough that W*H*3 cannot overflow. */
#define PNGIO_MAX_SIDE 32768
#define PNGIO_MAX_PIXELS (1L << 28)

bool pngio_image_init(struct pngio_image *img, int width, int height) {
	memset(img, 0, sizeof(*img));
	if (width <= 0 || height <= 0 || width > PNGIO_MAX_SIDE || height > PNGIO_MAX_SIDE ||
			(long)width * height > PNGIO_MAX_PIXELS) {
		fprintf(stderr, "image size %dx%d is out of range\n", width, height);
		return false;
	}
	img->pixels = calloc((size_t)width * (size_t)height, 3);
	if (!img->pixels) {
		fprintf(stderr, "out of memory for a %dx%d image\n", width, height);
		return false;
	}
	img->width = width;
	img->height = height;
	return true;
}

void pngio_image_finish(struct pngio_image *img) {
	free(img->pixels);
	memset(img, 0, sizeof(*img));
}

/*
 * libpng reports errors by longjmp. Everything that must survive one lives in this
 * struct, reached through a pointer, so no local variable is left indeterminate.
 */
struct pngio_state {
	const char *path;
	FILE *file;
	png_structp png;
	png_infop info;
	png_bytep *rows;
	uint8_t *scratch; // one converted row when writing
	uint8_t *indices; // palette indices when writing a palette image
};

static void handle_error(png_structp png, png_const_charp msg) {
	const struct pngio_state *st = png_get_error_ptr(png);
	fprintf(stderr, "%s: %s\n", st->path, msg);
	png_longjmp(png, 1);
}

static void handle_warning(png_structp png, png_const_charp msg) {
	/* Warnings (a bad gamma chunk, an unknown profile) do not change the pixels we read. */
}

static bool read_body(struct pngio_state *st, struct pngio_image *img) {
	if (setjmp(png_jmpbuf(st->png))) {
		return false;
	}
	png_init_io(st->png, st->file);
	png_set_sig_bytes(st->png, 8);
	png_read_info(st->png, st->info);

	png_uint_32 width = png_get_image_width(st->png, st->info);
	png_uint_32 height = png_get_image_height(st->png, st->info);
	int color_type = png_get_color_type(st->png, st->info);
	int bit_depth = png_get_bit_depth(st->png, st->info);

	/* Normalise everything to 8-bit RGB: the only form the tools look at. */
	if (color_type == PNG_COLOR_TYPE_PALETTE) {
		png_set_palette_to_rgb(st->png);
	}
	if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) {
		png_set_expand_gray_1_2_4_to_8(st->png);
	}
	if (bit_depth == 16) {
		png_set_strip_16(st->png);
	}
	if (color_type & PNG_COLOR_MASK_ALPHA) {
		png_set_strip_alpha(st->png);
	}
	if (color_type == PNG_COLOR_TYPE_GRAY || color_type == PNG_COLOR_TYPE_GRAY_ALPHA) {
		png_set_gray_to_rgb(st->png);
	}
	png_set_interlace_handling(st->png);
	png_read_update_info(st->png, st->info);

	if (png_get_rowbytes(st->png, st->info) != (size_t)width * 3) {
		fprintf(stderr, "%s: unexpected row size after conversion\n", st->path);
		return false;
	}
	if (!pngio_image_init(img, (int)width, (int)height)) {
		return false;
	}
	st->rows = calloc(height, sizeof(*st->rows));
	if (!st->rows) {
		fprintf(stderr, "%s: out of memory\n", st->path);
		return false;
	}
	for (png_uint_32 y = 0; y < height; y++) {
		st->rows[y] = pngio_pixel(img, 0, (int)y);
	}
	png_read_image(st->png, st->rows);
	png_read_end(st->png, NULL);
	return true;
}

bool pngio_read(struct pngio_image *img, const char *path) {
	memset(img, 0, sizeof(*img));
	struct pngio_state st = {.path = path};
	st.file = fopen(path, "rb");
	if (!st.file) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return false;
	}
	uint8_t sig[8];
	if (fread(sig, 1, sizeof(sig), st.file) != sizeof(sig) || png_sig_cmp(sig, 0, 8) != 0) {
		fprintf(stderr, "%s: not a PNG file\n", path);
		fclose(st.file);
		return false;
	}
	st.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &st, handle_error, handle_warning);
	st.info = st.png ? png_create_info_struct(st.png) : NULL;
	bool ok = st.info && read_body(&st, img);
	if (!st.info) {
		fprintf(stderr, "%s: cannot set up libpng\n", path);
	}
	png_destroy_read_struct(st.png ? &st.png : NULL, st.info ? &st.info : NULL, NULL);
	free(st.rows);
	fclose(st.file);
	if (!ok) {
		pngio_image_finish(img);
	}
	return ok;
}

static bool build_palette(const struct pngio_image *img, png_color palette[256], int *count,
		uint8_t *indices) {
	*count = 0;
	size_t n = (size_t)img->width * (size_t)img->height;
	int last = -1;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = img->pixels + i * 3;
		/* Runs of one colour are the common case; check the last one found first. */
		int found = -1;
		if (last >= 0 && palette[last].red == p[0] && palette[last].green == p[1] &&
				palette[last].blue == p[2]) {
			found = last;
		}
		for (int c = 0; found < 0 && c < *count; c++) {
			if (palette[c].red == p[0] && palette[c].green == p[1] &&
					palette[c].blue == p[2]) {
				found = c;
			}
		}
		if (found < 0) {
			if (*count == 256) {
				return false;
			}
			found = (*count)++;
			palette[found] = (png_color){.red = p[0], .green = p[1], .blue = p[2]};
		}
		indices[i] = (uint8_t)found;
		last = found;
	}
	return true;
}

static bool write_body(struct pngio_state *st, const struct pngio_image *img,
		enum pngio_format format) {
	if (setjmp(png_jmpbuf(st->png))) {
		return false;
	}
	png_init_io(st->png, st->file);
	/* Captures are large and short-lived: favour speed over size. */
	png_set_compression_level(st->png, 1);
	int color_type = PNG_COLOR_TYPE_RGB;
	int channels = 3;
	switch (format) {
	case PNGIO_RGB:
		break;
	case PNGIO_RGBA:
		color_type = PNG_COLOR_TYPE_RGBA;
		channels = 4;
		break;
	case PNGIO_GRAY:
		color_type = PNG_COLOR_TYPE_GRAY;
		channels = 1;
		break;
	case PNGIO_PALETTE:
		color_type = PNG_COLOR_TYPE_PALETTE;
		channels = 1;
		break;
	}
	png_set_IHDR(st->png, st->info, (png_uint_32)img->width, (png_uint_32)img->height, 8,
		color_type, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	if (format == PNGIO_PALETTE) {
		png_color palette[256];
		int count;
		if (!build_palette(img, palette, &count, st->indices)) {
			fprintf(stderr, "%s: more than 256 colours for a palette image\n", st->path);
			return false;
		}
		png_set_PLTE(st->png, st->info, palette, count);
	}
	png_write_info(st->png, st->info);
	for (int y = 0; y < img->height; y++) {
		const uint8_t *src = pngio_pixel(img, 0, y);
		if (format == PNGIO_RGB) {
			png_write_row(st->png, src);
			continue;
		}
		if (format == PNGIO_PALETTE) {
			png_write_row(st->png, st->indices + (size_t)y * (size_t)img->width);
			continue;
		}
		for (int x = 0; x < img->width; x++) {
			uint8_t *dst = st->scratch + (size_t)x * (size_t)channels;
			if (format == PNGIO_GRAY) {
				dst[0] = src[x * 3];
			} else {
				memcpy(dst, src + x * 3, 3);
				dst[3] = 0xff;
			}
		}
		png_write_row(st->png, st->scratch);
	}
	png_write_end(st->png, NULL);
	return true;
}

bool pngio_write(const struct pngio_image *img, const char *path, enum pngio_format format) {
	struct pngio_state st = {.path = path};
	st.scratch = malloc((size_t)img->width * 4);
	if (format == PNGIO_PALETTE) {
		st.indices = malloc((size_t)img->width * (size_t)img->height);
	}
	if (!st.scratch || (format == PNGIO_PALETTE && !st.indices)) {
		fprintf(stderr, "%s: out of memory\n", path);
		free(st.scratch);
		free(st.indices);
		return false;
	}
	st.file = fopen(path, "wb");
	if (!st.file) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		free(st.scratch);
		free(st.indices);
		return false;
	}
	st.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &st, handle_error,
		handle_warning);
	st.info = st.png ? png_create_info_struct(st.png) : NULL;
	bool ok = st.info && write_body(&st, img, format);
	if (!st.info) {
		fprintf(stderr, "%s: cannot set up libpng\n", path);
	}
	png_destroy_write_struct(st.png ? &st.png : NULL, st.info ? &st.info : NULL);
	if (fclose(st.file) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		ok = false;
	}
	free(st.scratch);
	free(st.indices);
	if (!ok) {
		remove(path);
	}
	return ok;
}
