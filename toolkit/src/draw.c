/* Drawing helpers: logical coordinates in, device pixels out, through pixman. */
#include <math.h>
#include "tk-private.h"

static pixman_color_t to_color(uint32_t argb) {
	uint16_t a = (argb >> 24) & 0xff;
	/* pixman wants premultiplied 16-bit channels. */
	pixman_color_t c = {
		.red = (uint16_t)(((argb >> 16) & 0xff) * a / 255 * 257),
		.green = (uint16_t)(((argb >> 8) & 0xff) * a / 255 * 257),
		.blue = (uint16_t)((argb & 0xff) * a / 255 * 257),
		.alpha = (uint16_t)(a * 257),
	};
	return c;
}

static void apply_clip(struct tk_draw *d) {
	double s = d->scale;
	int x0 = (int)round(d->clip_x * s), y0 = (int)round(d->clip_y * s);
	int x1 = (int)round((d->clip_x + d->clip_w) * s), y1 = (int)round((d->clip_y + d->clip_h) * s);
	pixman_region32_t region;
	pixman_region32_init_rect(&region, x0, y0, (unsigned)(x1 > x0 ? x1 - x0 : 0),
		(unsigned)(y1 > y0 ? y1 - y0 : 0));
	pixman_image_set_clip_region32(d->image, &region);
	pixman_region32_fini(&region);
}

void tk_draw_push_clip(struct tk_draw *d, int x, int y, int w, int h, int saved[4]) {
	saved[0] = d->clip_x;
	saved[1] = d->clip_y;
	saved[2] = d->clip_w;
	saved[3] = d->clip_h;
	int x0 = x > d->clip_x ? x : d->clip_x, y0 = y > d->clip_y ? y : d->clip_y;
	int x1 = x + w < d->clip_x + d->clip_w ? x + w : d->clip_x + d->clip_w;
	int y1 = y + h < d->clip_y + d->clip_h ? y + h : d->clip_y + d->clip_h;
	d->clip_x = x0;
	d->clip_y = y0;
	d->clip_w = x1 > x0 ? x1 - x0 : 0;
	d->clip_h = y1 > y0 ? y1 - y0 : 0;
	apply_clip(d);
}

void tk_draw_pop_clip(struct tk_draw *d, const int saved[4]) {
	d->clip_x = saved[0];
	d->clip_y = saved[1];
	d->clip_w = saved[2];
	d->clip_h = saved[3];
	apply_clip(d);
}

void tk_draw_rect(struct tk_draw *d, double x, double y, double w, double h, uint32_t color) {
	double s = d->scale;
	int x0 = (int)round(x * s), y0 = (int)round(y * s);
	int x1 = (int)round((x + w) * s), y1 = (int)round((y + h) * s);
	if (x1 <= x0 || y1 <= y0) {
		return;
	}
	pixman_color_t c = to_color(color);
	pixman_box32_t box = {x0, y0, x1, y1};
	pixman_image_fill_boxes((color >> 24) == 0xff ? PIXMAN_OP_SRC : PIXMAN_OP_OVER, d->image, &c,
		1, &box);
}

void tk_draw_frame(struct tk_draw *d, double x, double y, double w, double h, double bw,
	uint32_t color) {
	tk_draw_rect(d, x, y, w, bw, color);
	tk_draw_rect(d, x, y + h - bw, w, bw, color);
	tk_draw_rect(d, x, y + bw, bw, h - 2 * bw, color);
	tk_draw_rect(d, x + w - bw, y + bw, bw, h - 2 * bw, color);
}

void tk_draw_circle(struct tk_draw *d, double cx, double cy, double r, uint32_t color) {
	/* Scanlines in device pixels: crisp at any scale. */
	double s = d->scale;
	double dcx = cx * s, dcy = cy * s, dr = r * s;
	pixman_color_t c = to_color(color);
	for (int row = (int)floor(dcy - dr); row < (int)ceil(dcy + dr); row++) {
		double dy = row + 0.5 - dcy;
		if (fabs(dy) > dr) {
			continue;
		}
		double half = sqrt(dr * dr - dy * dy);
		pixman_box32_t box = {(int)round(dcx - half), row, (int)round(dcx + half), row + 1};
		if (box.x2 > box.x1) {
			pixman_image_fill_boxes(PIXMAN_OP_OVER, d->image, &c, 1, &box);
		}
	}
}

void tk_draw_text(struct tk_draw *d, struct tk_text *text, double x, double y, double h,
	uint32_t color) {
	if (!text) {
		return;
	}
	if (h > 0) {
		double tw, th;
		tk_text_get_size(text, &tw, &th);
		y += floor((h - th) / 2);
	}
	tk_text_render(text, d, x, y, color);
}

void tk_draw_focus_ring(struct tk_draw *d, int x, int y, int w, int h) {
	int fw = d->theme->focus_width;
	tk_draw_frame(d, x - fw, y - fw, w + 2 * fw, h + 2 * fw, fw, d->theme->focus_ring);
}

static void composite_scaled(struct tk_draw *d, pixman_image_t *src, pixman_image_t *mask, int x,
	int y, int w, int h);

void tk_draw_image(struct tk_draw *d, pixman_image_t *src, int x, int y, int w, int h) {
	composite_scaled(d, src, NULL, x, y, w, h);
}

void tk_draw_mask(struct tk_draw *d, uint32_t color, pixman_image_t *mask, int x, int y, int w,
	int h) {
	pixman_color_t c = to_color(color);
	pixman_image_t *solid = pixman_image_create_solid_fill(&c);
	if (solid) {
		composite_scaled(d, solid, mask, x, y, w, h);
		pixman_image_unref(solid);
	}
}

static void composite_scaled(struct tk_draw *d, pixman_image_t *src, pixman_image_t *mask, int x,
	int y, int w, int h) {
	pixman_image_t *img = mask ? mask : src;
	double s = d->scale;
	int dx = (int)round(x * s), dy = (int)round(y * s);
	int dw = (int)round((x + w) * s) - dx, dh = (int)round((y + h) * s) - dy;
	int sw = pixman_image_get_width(img), sh = pixman_image_get_height(img);
	if (dw <= 0 || dh <= 0 || sw <= 0 || sh <= 0) {
		return;
	}
	pixman_transform_t t;
	pixman_transform_init_scale(&t, pixman_double_to_fixed((double)sw / dw),
		pixman_double_to_fixed((double)sh / dh));
	pixman_image_set_transform(img, &t);
	pixman_image_set_filter(img, sw == dw && sh == dh ? PIXMAN_FILTER_NEAREST : PIXMAN_FILTER_BILINEAR,
		NULL, 0);
	pixman_image_composite32(PIXMAN_OP_OVER, src, mask, d->image, 0, 0, 0, 0, dx, dy, dw, dh);
	pixman_image_set_transform(img, NULL);
}
