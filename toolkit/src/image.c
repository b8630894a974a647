/*
 * Images: PNG files through libpng, and icons from the freedesktop icon theme drawn
 * from SVG with librsvg at the window's scale (so an icon is as crisp at scale 2 as
 * text is).
 */
#include <cairo.h>
#include <dirent.h>
#include <librsvg/rsvg.h>
#include <png.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "common/alloc.h"
#include "common/log.h"
#include "tk-private.h"

struct tk_image {
	struct tk_widget base;
	char *path;
	bool svg;
	bool symbolic; // drawn in the text colour, as symbolic icons are meant to be
	int size_w, size_h; // logical
	pixman_image_t *pixels; // for the current scale
	uint32_t *data;
	double pixels_scale;
};

static void free_pixels(struct tk_image *img) {
	if (img->pixels) {
		pixman_image_unref(img->pixels);
		img->pixels = NULL;
	}
	free(img->data);
	img->data = NULL;
}

static bool load_png(struct tk_image *img) {
	png_image png = {.version = PNG_IMAGE_VERSION};
	if (!png_image_begin_read_from_file(&png, img->path)) {
		lumen_log(LUMEN_WARN, "cannot read %s: %s", img->path, png.message);
		return false;
	}
	png.format = PNG_FORMAT_BGRA;
	if (png.width == 0 || png.height == 0 || png.width > 8192 || png.height > 8192) {
		png_image_free(&png);
		return false;
	}
	uint32_t *data = calloc((size_t)png.width * png.height, 4);
	if (!data) {
		png_image_free(&png);
		return false;
	}
	if (!png_image_finish_read(&png, NULL, data, 0, NULL)) {
		lumen_log(LUMEN_WARN, "cannot decode %s: %s", img->path, png.message);
		free(data);
		return false;
	}
	/* pixman wants premultiplied alpha. */
	for (size_t i = 0; i < (size_t)png.width * png.height; i++) {
		uint32_t p = data[i], a = p >> 24;
		uint32_t r = ((p >> 16) & 0xff) * a / 255, g = ((p >> 8) & 0xff) * a / 255, b = (p & 0xff) * a / 255;
		data[i] = a << 24 | r << 16 | g << 8 | b;
	}
	img->data = data;
	img->pixels = pixman_image_create_bits(PIXMAN_a8r8g8b8, (int)png.width, (int)png.height,
		data, (int)png.width * 4);
	if (img->size_w == 0) {
		img->size_w = (int)png.width;
		img->size_h = (int)png.height;
	}
	return img->pixels != NULL;
}

static bool render_svg(struct tk_image *img, double scale) {
	GError *err = NULL;
	RsvgHandle *handle = rsvg_handle_new_from_file(img->path, &err);
	if (!handle) {
		lumen_log(LUMEN_WARN, "cannot read %s: %s", img->path, err ? err->message : "?");
		if (err) {
			g_error_free(err);
		}
		return false;
	}
	int w = (int)(img->size_w * scale + 0.5), h = (int)(img->size_h * scale + 0.5);
	uint32_t *data = calloc((size_t)w * h, 4);
	if (!data) {
		g_object_unref(handle);
		return false;
	}
	cairo_surface_t *surface = cairo_image_surface_create_for_data((unsigned char *)data,
		CAIRO_FORMAT_ARGB32, w, h, w * 4);
	cairo_t *cr = cairo_create(surface);
	RsvgRectangle viewport = {0, 0, w, h};
	bool ok = rsvg_handle_render_document(handle, cr, &viewport, &err);
	if (!ok) {
		lumen_log(LUMEN_WARN, "cannot render %s: %s", img->path, err ? err->message : "?");
		if (err) {
			g_error_free(err);
		}
	}
	cairo_destroy(cr);
	cairo_surface_destroy(surface);
	g_object_unref(handle);
	if (!ok) {
		free(data);
		return false;
	}
	free_pixels(img);
	img->data = data;
	img->pixels = pixman_image_create_bits(PIXMAN_a8r8g8b8, w, h, data, w * 4);
	img->pixels_scale = scale;
	return img->pixels != NULL;
}

static void image_measure(struct tk_widget *w, int *width, int *height) {
	struct tk_image *img = (struct tk_image *)w;
	*width = img->size_w;
	*height = img->size_h;
}

static void image_draw(struct tk_widget *w, struct tk_draw *d) {
	struct tk_image *img = (struct tk_image *)w;
	if (img->svg && img->pixels_scale != d->scale) {
		render_svg(img, d->scale);
	}
	if (img->pixels) {
		int x = w->x + (w->width - img->size_w) / 2, y = w->y + (w->height - img->size_h) / 2;
		if (img->symbolic) {
			tk_draw_mask(d, w->disabled ? d->theme->fg_disabled : d->theme->fg, img->pixels, x, y,
				img->size_w, img->size_h);
		} else {
			tk_draw_image(d, img->pixels, x, y, img->size_w, img->size_h);
		}
	}
}

static void image_destroy(struct tk_widget *w) {
	struct tk_image *img = (struct tk_image *)w;
	free_pixels(img);
	free(img->path);
	free(img);
}

static const struct tk_widget_impl image_impl = {
	.type = "image",
	.role = TK_A11Y_ROLE_IMAGE,
	.measure = image_measure,
	.draw = image_draw,
	.destroy = image_destroy,
};

static struct tk_image *image_new(const char *path, int size) {
	struct tk_image *img = lumen_xcalloc(1, sizeof(*img));
	tk_widget_init(&img->base, &image_impl);
	img->path = lumen_xstrdup(path);
	img->size_w = img->size_h = size > 0 ? size : 0;
	const char *base = strrchr(img->path, '/');
	img->base.default_name = base ? base + 1 : img->path;
	return img;
}

struct tk_widget *tk_image_create_png(const char *path, int size) {
	struct tk_image *img = image_new(path, size);
	if (!load_png(img)) {
		image_destroy(&img->base);
		return NULL;
	}
	return &img->base;
}

/* Looks for DIR/<any context>/NAME.svg. */
static bool find_in(const char *dir, const char *name, char *out, size_t out_len) {
	DIR *d = opendir(dir);
	if (!d) {
		return false;
	}
	bool found = false;
	struct dirent *ent;
	while (!found && (ent = readdir(d))) {
		if (ent->d_name[0] == '.') {
			continue;
		}
		snprintf(out, out_len, "%s/%s/%s.svg", dir, ent->d_name, name);
		struct stat st;
		found = stat(out, &st) == 0 && S_ISREG(st.st_mode);
	}
	closedir(d);
	return found;
}

struct tk_widget *tk_image_create_icon(const char *name, int size) {
	if (!name || strchr(name, '/') || size <= 0) {
		return NULL;
	}
	static const char *const themes[] = {
		"/usr/share/icons/Adwaita/scalable",
		"/usr/share/icons/Adwaita/symbolic",
		"/usr/share/icons/hicolor/scalable",
	};
	char path[1024];
	for (size_t i = 0; i < sizeof(themes) / sizeof(themes[0]); i++) {
		if (find_in(themes[i], name, path, sizeof(path))) {
			struct tk_image *img = image_new(path, size);
			img->svg = true;
			size_t len = strlen(name);
			img->symbolic = len > 9 && strcmp(name + len - 9, "-symbolic") == 0;
			if (!render_svg(img, 1)) {
				image_destroy(&img->base);
				return NULL;
			}
			img->base.name = lumen_xstrdup(name);
			return &img->base;
		}
	}
	lumen_log(LUMEN_WARN, "no icon named %s in the icon theme", name);
	return NULL;
}
