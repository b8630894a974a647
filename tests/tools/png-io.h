#ifndef TESTS_TOOLS_PNG_IO_H
#define TESTS_TOOLS_PNG_IO_H

/*
 * Reading and writing PNG as plain 8-bit RGB, for the test tools and the capture
 * client. Alpha is dropped on reading, not composited: tests compare what an opaque
 * screen shows, and a capture's alpha byte is whatever the renderer left there.
 */

#include <stdbool.h>
#include <stdint.h>

struct pngio_image {
	int width, height;
	uint8_t *pixels; // width * height * 3 bytes, rows top to bottom, R G B
};

/** Allocates a width x height image of black pixels; false if the size is unreasonable. */
bool pngio_image_init(struct pngio_image *img, int width, int height);
/** Frees the pixels; the struct itself is the caller's. */
void pngio_image_finish(struct pngio_image *img);

/**
 * Reads an 8- or 16-bit PNG of any colour type (RGB, RGBA, palette, grey, grey with
 * alpha, interlaced or not) into img, to be freed with pngio_image_finish. On failure
 * writes a message to stderr and returns false.
 */
bool pngio_read(struct pngio_image *img, const char *path);

enum pngio_format {
	PNGIO_RGB,
	PNGIO_RGBA, // alpha 255
	PNGIO_GRAY, // the red channel
	PNGIO_PALETTE, // fails if the image has more than 256 colours
};

/** Writes img as an 8-bit PNG in the given format; false with a message on failure. */
bool pngio_write(const struct pngio_image *img, const char *path, enum pngio_format format);

static inline uint8_t *pngio_pixel(const struct pngio_image *img, int x, int y) {
	return img->pixels + ((size_t)y * (size_t)img->width + (size_t)x) * 3;
}

#endif
