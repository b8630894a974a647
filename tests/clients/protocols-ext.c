/*
 * lumen-test-protocols-ext: puts one of the protocols of issue 5 (those wlroots 0.15
 * lacks) to work per run and prints what the compositor answered, one line at a time.
 *
 *   lumen-test-protocols-ext COMMAND [options]
 *
 * Commands:
 *   lock                 ext-session-lock: locks, puts a --color lock surface on every
 *                        output: "configure OUTPUT W H", "locked" or "finished"; keys
 *                        and pointer as tc_seat prints them. stdin "unlock" unlocks
 *                        ("unlocked"); "destroy" destroys the lock without unlocking.
 *   lock-error KIND      a misbehaving locker; the protocol error ends it (exit 1):
 *                        unlock-early, destroy-locked, duplicate-output,
 *                        commit-before-ack, bad-size, null-buffer; or one-output
 *                        (a lock surface on the first output only: never "locked")
 *   idle MS              ext-idle-notify, timeout MS: "idled", "resumed"; --inhibit
 *                        maps a window with an idle inhibitor too
 *   single-pixel RRGGBBAA  a window whose content is one single-pixel buffer, shown
 *                        at --size through wp_viewporter
 *   checker              a 1-px black/white checkerboard window of --size (logical);
 *                        with --fractional it follows wp_fractional_scale_v1:
 *                        "preferred_scale N" and "buffer W H" (drawn at that scale,
 *                        shown at --size by wp_viewporter); without, at scale 1
 *   fractional-twice     asks for two fractional scale objects on one surface (error)
 *   cursor-shape SHAPE   at each pointer enter, sets the cursor shape: "shape set N"
 *   security-context PATH  makes a listening socket at PATH and a security context for
 *                        it (engine org.lumen.test, app id --app-id): "listening"
 *   content-type TYPE    none|photo|video|game on our window: "content type set"
 *   tearing HINT         vsync|async on our window; --fullscreen asks for fullscreen
 *   toplevels            ext-foreign-toplevel-list: "toplevel N ID", "title N T",
 *                        "app_id N A", "done N", "closed N"; stdin "stop" ("finished")
 *   workspaces           ext-workspace: "group G", "group G output", "workspace NAME
 *                        id ID", "state NAME S", "enter NAME G", "leave NAME G", "done";
 *                        stdin "activate NAME" (then commit), "stop" ("finished")
 *
 * Options: --title T, --app-id ID, --color RRGGBB, --size WxH, --fullscreen,
 * --fractional, --inhibit, --content-type TYPE and --tearing HINT (on any window), --stdin (read the commands above; "sync" prints "synced N").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <wayland-client.h>
#include "content-type-v1-client-protocol.h"
#include "cursor-shape-v1-client-protocol.h"
#include "ext-foreign-toplevel-list-v1-client-protocol.h"
#include "ext-idle-notify-v1-client-protocol.h"
#include "ext-session-lock-v1-client-protocol.h"
#include "ext-workspace-v1-client-protocol.h"
#include "fractional-scale-v1-client-protocol.h"
#include "idle-inhibit-unstable-v1-client-protocol.h"
#include "security-context-v1-client-protocol.h"
#include "single-pixel-buffer-v1-client-protocol.h"
#include "tc-common.h"
#include "tearing-control-v1-client-protocol.h"
#include "viewporter-client-protocol.h"
#include "xdg-shell-client-protocol.h"

#define MAX_OUTPUTS 8
#define MAX_ITEMS 64

struct pe_output {
	struct wl_output *wl_output;
	char name[64];
	struct wl_surface *surface;
	struct ext_session_lock_surface_v1 *lock_surface;
	int width, height;
	struct pe *pe;
};

struct pe_item { // a toplevel handle, workspace group or workspace
	void *proxy;
	int num;
	char name[128];
};

struct pe {
	const char *command, *arg;
	struct wl_display *display;
	struct wl_registry *registry;
	struct wl_compositor *compositor;
	struct wl_shm *shm;
	struct xdg_wm_base *wm_base;
	struct tc_seat seat;
	struct wl_seat *wl_seat;
	struct wl_pointer *pointer; // our own, for cursor-shape's enter serial
	struct wp_cursor_shape_device_v1 *shape_device;
	struct pe_output outputs[MAX_OUTPUTS];
	int noutputs;

	struct ext_session_lock_manager_v1 *lock_manager;
	struct ext_session_lock_v1 *lock;
	struct ext_idle_notifier_v1 *idle_notifier;
	struct zwp_idle_inhibit_manager_v1 *idle_inhibit;
	struct wp_single_pixel_buffer_manager_v1 *single_pixel;
	struct wp_viewporter *viewporter;
	struct wp_fractional_scale_manager_v1 *fractional;
	struct wp_cursor_shape_manager_v1 *cursor_shape;
	struct wp_security_context_manager_v1 *security;
	struct wp_content_type_manager_v1 *content_type;
	struct wp_tearing_control_manager_v1 *tearing;
	struct ext_foreign_toplevel_list_v1 *toplevel_list;
	struct ext_workspace_manager_v1 *workspace_manager;

	/* The window most commands show. */
	struct tc_pool pool;
	struct wl_surface *surface;
	struct xdg_surface *xdg_surface;
	struct xdg_toplevel *toplevel;
	struct wp_viewport *viewport;
	struct wp_fractional_scale_v1 *fractional_scale;
	const char *title, *app_id;
	const char *opt_content_type, *opt_tearing; // --content-type, --tearing; may be NULL
	uint32_t color;
	int width, height; // logical
	uint32_t scale120; // from preferred_scale; 0: none yet
	bool no_viewport;
	bool fullscreen, use_fractional, inhibit, use_stdin, configured, quit;

	struct pe_item items[MAX_ITEMS];
	int nitems;
	int next_num;
	int security_close_fd;
	unsigned sync_count;
	char line[512];
	size_t line_len;
};

static struct pe_item *item_add(struct pe *pe, void *proxy) {
	if (pe->nitems == MAX_ITEMS) {
		tc_die("too many objects");
	}
	struct pe_item *item = &pe->items[pe->nitems++];
	item->proxy = proxy;
	item->num = ++pe->next_num;
	item->name[0] = '\0';
	return item;
}

static struct pe_item *item_find(struct pe *pe, void *proxy) {
	for (int i = 0; i < pe->nitems; i++) {
		if (pe->items[i].proxy == proxy) {
			return &pe->items[i];
		}
	}
	return NULL;
}

static struct pe_item *item_by_name(struct pe *pe, const char *name) {
	for (int i = 0; i < pe->nitems; i++) {
		if (strcmp(pe->items[i].name, name) == 0) {
			return &pe->items[i];
		}
	}
	return NULL;
}

/* Outputs: names, for configure lines and workspace groups. */

static void output_geometry(void *data, struct wl_output *o, int32_t x, int32_t y,
		int32_t pw, int32_t ph, int32_t subpixel, const char *make, const char *model,
		int32_t transform) {
}

static void output_mode(void *data, struct wl_output *o, uint32_t flags, int32_t w,
		int32_t h, int32_t refresh) {
}

static void output_done(void *data, struct wl_output *o) {
}

static void output_scale(void *data, struct wl_output *o, int32_t factor) {
}

static void output_name(void *data, struct wl_output *o, const char *name) {
	struct pe_output *out = data;
	snprintf(out->name, sizeof(out->name), "%s", name);
}

static void output_description(void *data, struct wl_output *o, const char *description) {
}

static const struct wl_output_listener output_listener = {
	.geometry = output_geometry,
	.mode = output_mode,
	.done = output_done,
	.scale = output_scale,
	.name = output_name,
	.description = output_description,
};

static const char *output_name_of(struct pe *pe, struct wl_output *o) {
	for (int i = 0; i < pe->noutputs; i++) {
		if (pe->outputs[i].wl_output == o) {
			return pe->outputs[i].name;
		}
	}
	return "?";
}

static const struct ext_foreign_toplevel_list_v1_listener list_listener;
static const struct ext_workspace_manager_v1_listener manager_listener;

static void registry_global(void *data, struct wl_registry *registry, uint32_t name,
		const char *iface, uint32_t version) {
	struct pe *pe = data;
	if (strcmp(iface, wl_compositor_interface.name) == 0) {
		pe->compositor = tc_bind(registry, name, &wl_compositor_interface, version, 4);
	} else if (strcmp(iface, wl_shm_interface.name) == 0) {
		pe->shm = tc_bind(registry, name, &wl_shm_interface, version, 1);
	} else if (strcmp(iface, xdg_wm_base_interface.name) == 0) {
		pe->wm_base = tc_bind(registry, name, &xdg_wm_base_interface, version, 1);
	} else if (strcmp(iface, wl_seat_interface.name) == 0 && !pe->wl_seat) {
		pe->wl_seat = tc_bind(registry, name, &wl_seat_interface, version, 5);
		/* Listening from the start: the seat's capabilities come with the next roundtrip. */
		if (strcmp(pe->command, "cursor-shape") != 0) {
			tc_seat_init(&pe->seat, pe->wl_seat);
		}
	} else if (strcmp(iface, wl_output_interface.name) == 0 && pe->noutputs < MAX_OUTPUTS) {
		struct pe_output *out = &pe->outputs[pe->noutputs++];
		out->pe = pe;
		out->wl_output = tc_bind(registry, name, &wl_output_interface, version, 4);
		snprintf(out->name, sizeof(out->name), "output%d", pe->noutputs);
		wl_output_add_listener(out->wl_output, &output_listener, out);
	} else if (strcmp(iface, ext_session_lock_manager_v1_interface.name) == 0) {
		pe->lock_manager = tc_bind(registry, name, &ext_session_lock_manager_v1_interface,
			version, 1);
	} else if (strcmp(iface, ext_idle_notifier_v1_interface.name) == 0) {
		pe->idle_notifier = tc_bind(registry, name, &ext_idle_notifier_v1_interface,
			version, 1);
	} else if (strcmp(iface, zwp_idle_inhibit_manager_v1_interface.name) == 0) {
		pe->idle_inhibit = tc_bind(registry, name, &zwp_idle_inhibit_manager_v1_interface,
			version, 1);
	} else if (strcmp(iface, wp_single_pixel_buffer_manager_v1_interface.name) == 0) {
		pe->single_pixel = tc_bind(registry, name,
			&wp_single_pixel_buffer_manager_v1_interface, version, 1);
	} else if (strcmp(iface, wp_viewporter_interface.name) == 0) {
		pe->viewporter = tc_bind(registry, name, &wp_viewporter_interface, version, 1);
	} else if (strcmp(iface, wp_fractional_scale_manager_v1_interface.name) == 0) {
		pe->fractional = tc_bind(registry, name, &wp_fractional_scale_manager_v1_interface,
			version, 1);
	} else if (strcmp(iface, wp_cursor_shape_manager_v1_interface.name) == 0) {
		pe->cursor_shape = tc_bind(registry, name, &wp_cursor_shape_manager_v1_interface,
			version, 1);
	} else if (strcmp(iface, wp_security_context_manager_v1_interface.name) == 0) {
		pe->security = tc_bind(registry, name, &wp_security_context_manager_v1_interface,
			version, 1);
	} else if (strcmp(iface, wp_content_type_manager_v1_interface.name) == 0) {
		pe->content_type = tc_bind(registry, name, &wp_content_type_manager_v1_interface,
			version, 1);
	} else if (strcmp(iface, wp_tearing_control_manager_v1_interface.name) == 0) {
		pe->tearing = tc_bind(registry, name, &wp_tearing_control_manager_v1_interface,
			version, 1);
	} else if (strcmp(iface, ext_foreign_toplevel_list_v1_interface.name) == 0 &&
			strcmp(pe->command, "toplevels") == 0) {
		pe->toplevel_list = tc_bind(registry, name, &ext_foreign_toplevel_list_v1_interface,
			version, 1);
		/* Listening from the bind on: the current windows come with the next roundtrip. */
		ext_foreign_toplevel_list_v1_add_listener(pe->toplevel_list, &list_listener, pe);
	} else if (strcmp(iface, ext_workspace_manager_v1_interface.name) == 0 &&
			strcmp(pe->command, "workspaces") == 0) {
		pe->workspace_manager = tc_bind(registry, name, &ext_workspace_manager_v1_interface,
			version, 1);
		ext_workspace_manager_v1_add_listener(pe->workspace_manager, &manager_listener, pe);
	}
}

static void registry_global_remove(void *data, struct wl_registry *registry, uint32_t name) {
}

static const struct wl_registry_listener registry_listener = {
	.global = registry_global,
	.global_remove = registry_global_remove,
};

static void roundtrip(struct pe *pe) {
	if (wl_display_roundtrip(pe->display) < 0) {
		tc_die_disconnected(pe->display);
	}
}

static void *need(void *global, const char *name) {
	if (!global) {
		printf("missing %s\n", name);
		fflush(stdout);
		exit(2);
	}
	return global;
}

/* The window. */

static void draw(struct pe *pe);

static void xdg_wm_base_ping(void *data, struct xdg_wm_base *wm_base, uint32_t serial) {
	xdg_wm_base_pong(wm_base, serial);
}

static const struct xdg_wm_base_listener wm_base_listener = {
	.ping = xdg_wm_base_ping,
};

static void xdg_surface_configure(void *data, struct xdg_surface *xdg_surface,
		uint32_t serial) {
	struct pe *pe = data;
	xdg_surface_ack_configure(xdg_surface, serial);
	bool first = !pe->configured;
	pe->configured = true;
	draw(pe);
	if (first) {
		printf("mapped\n");
	}
}

static const struct xdg_surface_listener xdg_surface_listener = {
	.configure = xdg_surface_configure,
};

static void toplevel_configure(void *data, struct xdg_toplevel *toplevel, int32_t w, int32_t h,
		struct wl_array *states) {
	struct pe *pe = data;
	if (w > 0 && h > 0) {
		pe->width = w;
		pe->height = h;
	}
}

static void toplevel_close(void *data, struct xdg_toplevel *toplevel) {
	struct pe *pe = data;
	pe->quit = true;
}

static const struct xdg_toplevel_listener toplevel_listener = {
	.configure = toplevel_configure,
	.close = toplevel_close,
};

static void fractional_preferred_scale(void *data, struct wp_fractional_scale_v1 *fs,
		uint32_t scale) {
	struct pe *pe = data;
	pe->scale120 = scale;
	printf("preferred_scale %u\n", scale);
	if (pe->configured) {
		draw(pe);
	}
}

static const struct wp_fractional_scale_v1_listener fractional_listener = {
	.preferred_scale = fractional_preferred_scale,
};

static void window_create(struct pe *pe) {
	need(pe->compositor, "wl_compositor");
	need(pe->wm_base, "xdg_wm_base");
	xdg_wm_base_add_listener(pe->wm_base, &wm_base_listener, pe);
	pe->surface = wl_compositor_create_surface(pe->compositor);
	if (pe->viewporter && !pe->no_viewport) {
		pe->viewport = wp_viewporter_get_viewport(pe->viewporter, pe->surface);
	}
	if (pe->use_fractional) {
		pe->fractional_scale = wp_fractional_scale_manager_v1_get_fractional_scale(
			need(pe->fractional, "wp_fractional_scale_manager_v1"), pe->surface);
		wp_fractional_scale_v1_add_listener(pe->fractional_scale, &fractional_listener, pe);
	}
	pe->xdg_surface = xdg_wm_base_get_xdg_surface(pe->wm_base, pe->surface);
	xdg_surface_add_listener(pe->xdg_surface, &xdg_surface_listener, pe);
	pe->toplevel = xdg_surface_get_toplevel(pe->xdg_surface);
	xdg_toplevel_add_listener(pe->toplevel, &toplevel_listener, pe);
	xdg_toplevel_set_title(pe->toplevel, pe->title);
	xdg_toplevel_set_app_id(pe->toplevel, pe->app_id);
	if (pe->fullscreen) {
		xdg_toplevel_set_fullscreen(pe->toplevel, NULL);
	}
	wl_surface_commit(pe->surface);
}

static void draw_checker(struct tc_buffer *buf) {
	for (int y = 0; y < buf->height; y++) {
		uint32_t *row = (uint32_t *)((uint8_t *)buf->data + (size_t)y * (size_t)buf->stride);
		for (int x = 0; x < buf->width; x++) {
			row[x] = ((x + y) & 1) ? 0xffffffff : 0xff000000;
		}
	}
}

static void draw(struct pe *pe) {
	if (strcmp(pe->command, "single-pixel") == 0) {
		uint32_t rgba = 0;
		if (!pe->arg || strlen(pe->arg) != 8 || sscanf(pe->arg, "%8x", &rgba) != 1) {
			tc_die("single-pixel wants RRGGBBAA");
		}
		/* Channels are 32-bit, premultiplied: a full 0xff is 0xffffffff. */
		uint32_t r = (rgba >> 24) * 0x01010101u, g = ((rgba >> 16) & 0xff) * 0x01010101u;
		uint32_t b = ((rgba >> 8) & 0xff) * 0x01010101u, a = (rgba & 0xff) * 0x01010101u;
		struct wl_buffer *buffer = wp_single_pixel_buffer_manager_v1_create_u32_rgba_buffer(
			need(pe->single_pixel, "wp_single_pixel_buffer_manager_v1"), r, g, b, a);
		wp_viewport_set_destination(need(pe->viewport, "wp_viewporter"), pe->width,
			pe->height);
		wl_surface_attach(pe->surface, buffer, 0, 0);
		wl_surface_damage_buffer(pe->surface, 0, 0, INT32_MAX, INT32_MAX);
		wl_surface_commit(pe->surface);
		wl_buffer_destroy(buffer); // the surface keeps its contents
		return;
	}
	int bw = pe->width, bh = pe->height;
	if (pe->use_fractional && pe->scale120 > 0) {
		bw = (int)((pe->width * pe->scale120 + 60) / 120);
		bh = (int)((pe->height * pe->scale120 + 60) / 120);
	}
	struct tc_buffer *buf = tc_pool_next(&pe->pool, bw, bh);
	if (!buf) {
		return;
	}
	if (strcmp(pe->command, "checker") == 0) {
		draw_checker(buf);
	} else {
		tc_buffer_fill_rect(buf, 0, 0, bw, bh, pe->color);
	}
	if (pe->viewport) {
		wp_viewport_set_destination(pe->viewport, pe->width, pe->height);
	}
	wl_surface_attach(pe->surface, buf->wl_buffer, 0, 0);
	buf->busy = true;
	wl_surface_damage_buffer(pe->surface, 0, 0, bw, bh);
	wl_surface_commit(pe->surface);
	if (strcmp(pe->command, "checker") == 0) {
		printf("buffer %d %d\n", bw, bh);
	}
}

/* ext-session-lock */

static void lock_surface_configure(void *data, struct ext_session_lock_surface_v1 *ls,
		uint32_t serial, uint32_t width, uint32_t height) {
	struct pe_output *out = data;
	struct pe *pe = out->pe;
	printf("configure %s %u %u\n", out->name, width, height);
	const char *kind = strcmp(pe->command, "lock-error") == 0 ? pe->arg : "";
	if (strcmp(kind, "commit-before-ack") == 0) {
		wl_surface_commit(out->surface);
		return;
	}
	ext_session_lock_surface_v1_ack_configure(ls, serial);
	out->width = (int)width;
	out->height = (int)height;
	if (strcmp(kind, "bad-size") == 0) {
		width += 10;
	}
	struct tc_buffer *buf = tc_buffer_create(pe->shm, (int)width, (int)height);
	if (!buf) {
		tc_die("no buffer");
	}
	tc_buffer_fill_rect(buf, 0, 0, (int)width, (int)height, pe->color);
	wl_surface_attach(out->surface, buf->wl_buffer, 0, 0);
	wl_surface_damage_buffer(out->surface, 0, 0, INT32_MAX, INT32_MAX);
	wl_surface_commit(out->surface);
	if (strcmp(kind, "null-buffer") == 0) {
		wl_surface_attach(out->surface, NULL, 0, 0);
		wl_surface_commit(out->surface);
	}
	/* Leaked until exit on purpose: the compositor may still read it. */
}

static const struct ext_session_lock_surface_v1_listener lock_surface_listener = {
	.configure = lock_surface_configure,
};

static void lock_locked(void *data, struct ext_session_lock_v1 *lock) {
	struct pe *pe = data;
	printf("locked\n");
	const char *kind = strcmp(pe->command, "lock-error") == 0 ? pe->arg : "";
	if (strcmp(kind, "destroy-locked") == 0) {
		ext_session_lock_v1_destroy(lock);
		pe->lock = NULL;
	}
}

static void lock_finished(void *data, struct ext_session_lock_v1 *lock) {
	struct pe *pe = data;
	printf("finished\n");
	ext_session_lock_v1_destroy(lock);
	pe->lock = NULL;
}

static const struct ext_session_lock_v1_listener lock_listener = {
	.locked = lock_locked,
	.finished = lock_finished,
};

static void start_lock(struct pe *pe) {
	need(pe->lock_manager, "ext_session_lock_manager_v1");
	need(pe->shm, "wl_shm");
	pe->lock = ext_session_lock_manager_v1_lock(pe->lock_manager);
	ext_session_lock_v1_add_listener(pe->lock, &lock_listener, pe);
	const char *kind = strcmp(pe->command, "lock-error") == 0 ? pe->arg : "";
	if (strcmp(kind, "unlock-early") == 0) {
		ext_session_lock_v1_unlock_and_destroy(pe->lock);
		pe->lock = NULL;
		return;
	}
	for (int i = 0; i < pe->noutputs; i++) {
		if (i > 0 && strcmp(kind, "one-output") == 0) {
			break; // not an error: the lock just never completes
		}
		struct pe_output *out = &pe->outputs[i];
		out->surface = wl_compositor_create_surface(pe->compositor);
		out->lock_surface = ext_session_lock_v1_get_lock_surface(pe->lock, out->surface,
			out->wl_output);
		ext_session_lock_surface_v1_add_listener(out->lock_surface, &lock_surface_listener,
			out);
		if (i == 0 && strcmp(kind, "duplicate-output") == 0) {
			struct wl_surface *other = wl_compositor_create_surface(pe->compositor);
			ext_session_lock_v1_get_lock_surface(pe->lock, other, out->wl_output);
		}
	}
}

/* ext-idle-notify */

static void idle_idled(void *data, struct ext_idle_notification_v1 *n) {
	printf("idled\n");
}

static void idle_resumed(void *data, struct ext_idle_notification_v1 *n) {
	printf("resumed\n");
}

static const struct ext_idle_notification_v1_listener idle_listener = {
	.idled = idle_idled,
	.resumed = idle_resumed,
};

/* cursor-shape */

static void pointer_enter(void *data, struct wl_pointer *pointer, uint32_t serial,
		struct wl_surface *surface, wl_fixed_t x, wl_fixed_t y) {
	struct pe *pe = data;
	long shape = 0;
	if (!pe->arg || !tc_parse_long(pe->arg, 0, 1000, &shape)) {
		tc_die("cursor-shape wants a number");
	}
	/* One device for the pointer, kept: a protocol error then names its interface. */
	if (!pe->shape_device) {
		pe->shape_device = wp_cursor_shape_manager_v1_get_pointer(pe->cursor_shape, pointer);
	}
	wp_cursor_shape_device_v1_set_shape(pe->shape_device, serial, (uint32_t)shape);
	printf("shape set %ld\n", shape);
}

static void pointer_leave(void *data, struct wl_pointer *p, uint32_t serial,
		struct wl_surface *s) {
}

static void pointer_motion(void *data, struct wl_pointer *p, uint32_t t, wl_fixed_t x,
		wl_fixed_t y) {
}

static void pointer_button(void *data, struct wl_pointer *p, uint32_t serial, uint32_t t,
		uint32_t button, uint32_t state) {
}

static void pointer_axis(void *data, struct wl_pointer *p, uint32_t t, uint32_t axis,
		wl_fixed_t v) {
}

static void pointer_frame(void *data, struct wl_pointer *p) {
}

static void pointer_axis_source(void *data, struct wl_pointer *p, uint32_t source) {
}

static void pointer_axis_stop(void *data, struct wl_pointer *p, uint32_t t, uint32_t axis) {
}

static void pointer_axis_discrete(void *data, struct wl_pointer *p, uint32_t axis,
		int32_t discrete) {
}

static const struct wl_pointer_listener pointer_listener = {
	.enter = pointer_enter,
	.leave = pointer_leave,
	.motion = pointer_motion,
	.button = pointer_button,
	.axis = pointer_axis,
	.frame = pointer_frame,
	.axis_source = pointer_axis_source,
	.axis_stop = pointer_axis_stop,
	.axis_discrete = pointer_axis_discrete,
};

/* ext-foreign-toplevel-list */

static void handle_closed(void *data, struct ext_foreign_toplevel_handle_v1 *h) {
	struct pe *pe = data;
	struct pe_item *item = item_find(pe, h);
	printf("closed %d\n", item ? item->num : -1);
	ext_foreign_toplevel_handle_v1_destroy(h);
	if (item) {
		item->proxy = NULL;
	}
}

static void handle_done(void *data, struct ext_foreign_toplevel_handle_v1 *h) {
	struct pe_item *item = item_find(data, h);
	printf("done %d\n", item ? item->num : -1);
}

static void handle_title(void *data, struct ext_foreign_toplevel_handle_v1 *h,
		const char *title) {
	struct pe_item *item = item_find(data, h);
	printf("title %d %s\n", item ? item->num : -1, title);
}

static void handle_app_id(void *data, struct ext_foreign_toplevel_handle_v1 *h,
		const char *app_id) {
	struct pe_item *item = item_find(data, h);
	printf("app_id %d %s\n", item ? item->num : -1, app_id);
}

static void handle_identifier(void *data, struct ext_foreign_toplevel_handle_v1 *h,
		const char *id) {
	struct pe_item *item = item_find(data, h);
	printf("identifier %d %s\n", item ? item->num : -1, id);
}

static const struct ext_foreign_toplevel_handle_v1_listener handle_listener = {
	.closed = handle_closed,
	.done = handle_done,
	.title = handle_title,
	.app_id = handle_app_id,
	.identifier = handle_identifier,
};

static void list_toplevel(void *data, struct ext_foreign_toplevel_list_v1 *list,
		struct ext_foreign_toplevel_handle_v1 *handle) {
	struct pe *pe = data;
	struct pe_item *item = item_add(pe, handle);
	ext_foreign_toplevel_handle_v1_add_listener(handle, &handle_listener, pe);
	printf("toplevel %d\n", item->num);
}

static void list_finished(void *data, struct ext_foreign_toplevel_list_v1 *list) {
	struct pe *pe = data;
	printf("finished\n");
	ext_foreign_toplevel_list_v1_destroy(list);
	pe->toplevel_list = NULL;
}

static const struct ext_foreign_toplevel_list_v1_listener list_listener = {
	.toplevel = list_toplevel,
	.finished = list_finished,
};

/* ext-workspace */

static void group_capabilities(void *data, struct ext_workspace_group_handle_v1 *g,
		uint32_t caps) {
	struct pe_item *item = item_find(data, g);
	printf("group %d capabilities %u\n", item ? item->num : -1, caps);
}

static void group_output_enter(void *data, struct ext_workspace_group_handle_v1 *g,
		struct wl_output *output) {
	struct pe *pe = data;
	struct pe_item *item = item_find(pe, g);
	printf("group %d output %s\n", item ? item->num : -1, output_name_of(pe, output));
}

static void group_output_leave(void *data, struct ext_workspace_group_handle_v1 *g,
		struct wl_output *output) {
	struct pe *pe = data;
	struct pe_item *item = item_find(pe, g);
	printf("group %d output-leave %s\n", item ? item->num : -1, output_name_of(pe, output));
}

static void group_workspace_enter(void *data, struct ext_workspace_group_handle_v1 *g,
		struct ext_workspace_handle_v1 *ws) {
	struct pe *pe = data;
	struct pe_item *gi = item_find(pe, g), *wi = item_find(pe, ws);
	printf("enter %s %d\n", wi ? wi->name : "?", gi ? gi->num : -1);
}

static void group_workspace_leave(void *data, struct ext_workspace_group_handle_v1 *g,
		struct ext_workspace_handle_v1 *ws) {
	struct pe *pe = data;
	struct pe_item *gi = item_find(pe, g), *wi = item_find(pe, ws);
	printf("leave %s %d\n", wi ? wi->name : "?", gi ? gi->num : -1);
}

static void group_removed(void *data, struct ext_workspace_group_handle_v1 *g) {
	struct pe_item *item = item_find(data, g);
	printf("group %d removed\n", item ? item->num : -1);
	ext_workspace_group_handle_v1_destroy(g);
	if (item) {
		item->proxy = NULL;
	}
}

static const struct ext_workspace_group_handle_v1_listener group_listener = {
	.capabilities = group_capabilities,
	.output_enter = group_output_enter,
	.output_leave = group_output_leave,
	.workspace_enter = group_workspace_enter,
	.workspace_leave = group_workspace_leave,
	.removed = group_removed,
};

static void ws_id(void *data, struct ext_workspace_handle_v1 *ws, const char *id) {
	struct pe_item *item = item_find(data, ws);
	printf("workspace %d id %s\n", item ? item->num : -1, id);
}

static void ws_name(void *data, struct ext_workspace_handle_v1 *ws, const char *name) {
	struct pe_item *item = item_find(data, ws);
	if (item) {
		snprintf(item->name, sizeof(item->name), "%s", name);
	}
	printf("workspace %d name %s\n", item ? item->num : -1, name);
}

static void ws_coordinates(void *data, struct ext_workspace_handle_v1 *ws,
		struct wl_array *coords) {
}

static void ws_state(void *data, struct ext_workspace_handle_v1 *ws, uint32_t state) {
	struct pe_item *item = item_find(data, ws);
	printf("state %s %u\n", item ? item->name : "?", state);
}

static void ws_capabilities(void *data, struct ext_workspace_handle_v1 *ws, uint32_t caps) {
	struct pe_item *item = item_find(data, ws);
	printf("capabilities %s %u\n", item ? item->name : "?", caps);
}

static void ws_removed(void *data, struct ext_workspace_handle_v1 *ws) {
	struct pe_item *item = item_find(data, ws);
	printf("removed %s\n", item ? item->name : "?");
}

static const struct ext_workspace_handle_v1_listener ws_listener = {
	.id = ws_id,
	.name = ws_name,
	.coordinates = ws_coordinates,
	.state = ws_state,
	.capabilities = ws_capabilities,
	.removed = ws_removed,
};

static void manager_workspace_group(void *data, struct ext_workspace_manager_v1 *m,
		struct ext_workspace_group_handle_v1 *g) {
	struct pe *pe = data;
	struct pe_item *item = item_add(pe, g);
	ext_workspace_group_handle_v1_add_listener(g, &group_listener, pe);
	printf("group %d\n", item->num);
}

static void manager_workspace(void *data, struct ext_workspace_manager_v1 *m,
		struct ext_workspace_handle_v1 *ws) {
	struct pe *pe = data;
	item_add(pe, ws);
	ext_workspace_handle_v1_add_listener(ws, &ws_listener, pe);
}

static void manager_done(void *data, struct ext_workspace_manager_v1 *m) {
	printf("done\n");
}

static void manager_finished(void *data, struct ext_workspace_manager_v1 *m) {
	struct pe *pe = data;
	printf("finished\n");
	ext_workspace_manager_v1_destroy(m);
	pe->workspace_manager = NULL;
}

static const struct ext_workspace_manager_v1_listener manager_listener = {
	.workspace_group = manager_workspace_group,
	.workspace = manager_workspace,
	.done = manager_done,
	.finished = manager_finished,
};

/* security-context */

static void start_security_context(struct pe *pe) {
	need(pe->security, "wp_security_context_manager_v1");
	if (!pe->arg) {
		tc_die("security-context wants a socket path");
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (fd < 0 || snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", pe->arg) >=
			(int)sizeof(addr.sun_path)) {
		tc_die("socket: %s", strerror(errno));
	}
	unlink(pe->arg);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(fd, 8) != 0) {
		tc_die("cannot listen on %s: %s", pe->arg, strerror(errno));
	}
	int pipe_fds[2];
	if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
		tc_die("pipe: %s", strerror(errno));
	}
	/* The compositor watches the read end; it hangs up when we close the write end. */
	struct wp_security_context_v1 *ctx = wp_security_context_manager_v1_create_listener(
		pe->security, fd, pipe_fds[0]);
	close(fd);
	close(pipe_fds[0]);
	pe->security_close_fd = pipe_fds[1];
	wp_security_context_v1_set_sandbox_engine(ctx, "org.lumen.test");
	wp_security_context_v1_set_app_id(ctx, pe->app_id);
	wp_security_context_v1_set_instance_id(ctx, "1");
	wp_security_context_v1_commit(ctx);
	wp_security_context_v1_destroy(ctx);
	roundtrip(pe);
	printf("listening\n");
}

/* content-type and tearing-control */

static void set_content_type(struct pe *pe, const char *name) {
	static const char *const types[] = {"none", "photo", "video", "game"};
	uint32_t type = 4;
	for (uint32_t t = 0; t < 4; t++) {
		if (name && strcmp(name, types[t]) == 0) {
			type = t;
		}
	}
	if (type == 4) {
		tc_die("content type wants none, photo, video or game");
	}
	struct wp_content_type_v1 *ct = wp_content_type_manager_v1_get_surface_content_type(
		need(pe->content_type, "wp_content_type_manager_v1"), pe->surface);
	wp_content_type_v1_set_content_type(ct, type);
	wl_surface_commit(pe->surface);
	printf("content type set\n");
}

static void set_tearing(struct pe *pe, const char *hint) {
	if (!hint || (strcmp(hint, "async") != 0 && strcmp(hint, "vsync") != 0)) {
		tc_die("tearing wants vsync or async");
	}
	struct wp_tearing_control_v1 *tc = wp_tearing_control_manager_v1_get_tearing_control(
		need(pe->tearing, "wp_tearing_control_manager_v1"), pe->surface);
	wp_tearing_control_v1_set_presentation_hint(tc, strcmp(hint, "async") == 0
		? WP_TEARING_CONTROL_V1_PRESENTATION_HINT_ASYNC
		: WP_TEARING_CONTROL_V1_PRESENTATION_HINT_VSYNC);
	wl_surface_commit(pe->surface);
	printf("presentation hint set\n");
}

/* stdin commands */

static void run_line(struct pe *pe, const char *line) {
	if (strcmp(line, "quit") == 0) {
		pe->quit = true;
	} else if (strcmp(line, "sync") == 0) {
		roundtrip(pe);
		printf("synced %u\n", ++pe->sync_count);
	} else if (strcmp(line, "unlock") == 0 && pe->lock) {
		ext_session_lock_v1_unlock_and_destroy(pe->lock);
		pe->lock = NULL;
		roundtrip(pe);
		printf("unlocked\n");
	} else if (strcmp(line, "destroy") == 0 && pe->lock) {
		ext_session_lock_v1_destroy(pe->lock);
		pe->lock = NULL;
		roundtrip(pe);
		printf("destroyed\n");
	} else if (strcmp(line, "stop") == 0 && pe->toplevel_list) {
		ext_foreign_toplevel_list_v1_stop(pe->toplevel_list);
	} else if (strcmp(line, "stop") == 0 && pe->workspace_manager) {
		ext_workspace_manager_v1_stop(pe->workspace_manager);
	} else if (strncmp(line, "activate ", 9) == 0 && pe->workspace_manager) {
		struct pe_item *item = item_by_name(pe, line + 9);
		if (!item) {
			printf("no workspace %s\n", line + 9);
		} else {
			ext_workspace_handle_v1_activate(item->proxy);
			ext_workspace_manager_v1_commit(pe->workspace_manager);
		}
	} else if (strncmp(line, "title ", 6) == 0 && pe->toplevel) {
		xdg_toplevel_set_title(pe->toplevel, line + 6);
		wl_surface_commit(pe->surface);
	} else {
		printf("unknown command '%s'\n", line);
	}
}

static void read_stdin(struct pe *pe) {
	ssize_t n = read(STDIN_FILENO, pe->line + pe->line_len,
		sizeof(pe->line) - 1 - pe->line_len);
	if (n <= 0) {
		pe->quit = true;
		return;
	}
	pe->line_len += (size_t)n;
	char *nl;
	while ((nl = memchr(pe->line, '\n', pe->line_len))) {
		*nl = '\0';
		run_line(pe, pe->line);
		size_t used = (size_t)(nl - pe->line) + 1;
		memmove(pe->line, pe->line + used, pe->line_len - used);
		pe->line_len -= used;
	}
	if (pe->line_len == sizeof(pe->line) - 1) {
		pe->line_len = 0; // an overlong line is dropped
	}
}

static void usage(void) {
	fprintf(stderr, "usage: lumen-test-protocols-ext COMMAND [ARG] [options] (see the source)\n");
	exit(2);
}

int main(int argc, char **argv) {
	tc_set_program_name("lumen-test-protocols-ext");
	tc_signals_init();
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct pe pe_storage = {
		.title = "protocols-ext",
		.app_id = "protocols-ext",
		.color = 0xff3366cc,
		.width = 200,
		.height = 150,
		.security_close_fd = -1,
	};
	struct pe *pe = &pe_storage;
	if (argc < 2) {
		usage();
	}
	pe->command = argv[1];
	int i = 2;
	if (i < argc && strncmp(argv[i], "--", 2) != 0) {
		pe->arg = argv[i++];
	}
	for (; i < argc; i++) {
		const char *opt = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(opt, "--title") == 0 && val) {
			pe->title = val;
			i++;
		} else if (strcmp(opt, "--app-id") == 0 && val) {
			pe->app_id = val;
			i++;
		} else if (strcmp(opt, "--color") == 0 && val) {
			tc_option_color(opt, val, &pe->color);
			i++;
		} else if (strcmp(opt, "--size") == 0 && val) {
			tc_option_size(opt, val, &pe->width, &pe->height);
			i++;
		} else if (strcmp(opt, "--content-type") == 0 && val) {
			pe->opt_content_type = val;
			i++;
		} else if (strcmp(opt, "--tearing") == 0 && val) {
			pe->opt_tearing = val;
			i++;
		} else if (strcmp(opt, "--fullscreen") == 0) {
			pe->fullscreen = true;
		} else if (strcmp(opt, "--fractional") == 0) {
			pe->use_fractional = true;
		} else if (strcmp(opt, "--inhibit") == 0) {
			pe->inhibit = true;
		} else if (strcmp(opt, "--stdin") == 0) {
			pe->use_stdin = true;
		} else {
			usage();
		}
	}

	pe->display = tc_connect();
	pe->registry = wl_display_get_registry(pe->display);
	wl_registry_add_listener(pe->registry, &registry_listener, pe);
	roundtrip(pe);
	roundtrip(pe); // output names
	pe->pool.shm = pe->shm;

	const char *cmd = pe->command;
	if (strcmp(cmd, "lock") == 0 || strcmp(cmd, "lock-error") == 0) {
		start_lock(pe);
	} else if (strcmp(cmd, "idle") == 0) {
		long ms = 0;
		if (!pe->arg || !tc_parse_long(pe->arg, 1, 3600000, &ms)) {
			tc_die("idle wants a timeout in ms");
		}
		struct ext_idle_notification_v1 *n = ext_idle_notifier_v1_get_idle_notification(
			need(pe->idle_notifier, "ext_idle_notifier_v1"), (uint32_t)ms, pe->wl_seat);
		ext_idle_notification_v1_add_listener(n, &idle_listener, pe);
		if (pe->inhibit) {
			window_create(pe);
			zwp_idle_inhibit_manager_v1_create_inhibitor(
				need(pe->idle_inhibit, "zwp_idle_inhibit_manager_v1"), pe->surface);
			printf("inhibitor created\n");
		}
	} else if (strcmp(cmd, "single-pixel") == 0 || strcmp(cmd, "checker") == 0 ||
			strcmp(cmd, "content-type") == 0 || strcmp(cmd, "tearing") == 0) {
		/* The plain checker knows no viewporter either: scale 1, scaled by the compositor. */
		pe->no_viewport = strcmp(cmd, "checker") == 0 && !pe->use_fractional;
		window_create(pe);
		if (strcmp(cmd, "content-type") == 0) {
			set_content_type(pe, pe->arg);
		} else if (strcmp(cmd, "tearing") == 0) {
			set_tearing(pe, pe->arg);
		}
		if (pe->opt_content_type) {
			set_content_type(pe, pe->opt_content_type);
		}
		if (pe->opt_tearing) {
			set_tearing(pe, pe->opt_tearing);
		}
	} else if (strcmp(cmd, "fractional-twice") == 0) {
		struct wl_surface *s = wl_compositor_create_surface(pe->compositor);
		struct wp_fractional_scale_manager_v1 *m = need(pe->fractional,
			"wp_fractional_scale_manager_v1");
		wp_fractional_scale_manager_v1_get_fractional_scale(m, s);
		wp_fractional_scale_manager_v1_get_fractional_scale(m, s);
		roundtrip(pe);
		printf("no error\n");
		return 0;
	} else if (strcmp(cmd, "cursor-shape") == 0) {
		need(pe->cursor_shape, "wp_cursor_shape_manager_v1");
		pe->pointer = wl_seat_get_pointer(need(pe->wl_seat, "wl_seat"));
		wl_pointer_add_listener(pe->pointer, &pointer_listener, pe);
		window_create(pe);
	} else if (strcmp(cmd, "security-context") == 0) {
		start_security_context(pe);
	} else if (strcmp(cmd, "toplevels") == 0) {
		need(pe->toplevel_list, "ext_foreign_toplevel_list_v1");
	} else if (strcmp(cmd, "workspaces") == 0) {
		need(pe->workspace_manager, "ext_workspace_manager_v1");
	} else {
		usage();
	}

	while (!pe->quit && !tc_signalled()) {
		bool ready = false;
		if (!tc_dispatch(pe->display, -1, pe->use_stdin ? STDIN_FILENO : -1, &ready)) {
			tc_die_disconnected(pe->display);
		}
		fflush(stdout);
		if (ready) {
			read_stdin(pe);
			wl_display_flush(pe->display);
		}
	}
	if (pe->security_close_fd >= 0) {
		close(pe->security_close_fd);
	}
	printf("closed\n");
	return 0;
}
