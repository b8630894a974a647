/*
 * lumen-test-xdg: puts xdg_wm_base version 3 to 6 to work and prints what it is told.
 *
 *   lumen-test-xdg window [--title T] [--color RRGGBB]
 *       Maps a 300x200 toplevel; prints "wm_base N", "wm_capabilities ...",
 *       "configure_bounds W H", "configure W H [states]", "mapped", and
 *       "suspended" / "resumed" as that state comes and goes. Commands on stdin:
 *         popup               a reactive popup (parent size and configure set) below a
 *                             button at 10,10 20x20: "popup configure X Y W H", "popup mapped"
 *         reposition TOKEN    moves it right of that button: "repositioned TOKEN" and a
 *                             new "popup configure ..."
 *         edge-popup          a 200x100 popup anchored at the window's right edge, with
 *                             flip and slide allowed: "popup configure ..." (kept on the output)
 *         slide-popup         the same with only slide_x allowed
 *         resize-popup        the same with only resize_x allowed
 *         pong off | pong wrong | pong on
 *                             how pings are answered from now on: not at all, with a
 *                             wrong serial, or rightly (the default); "pong wrong"
 *                             and "pong on" also answer the last ping so at once. Each ping prints "ping answered",
 *                             "ping ignored" or "ping answered with a wrong serial".
 *         quit
 *   lumen-test-xdg layer-popup
 *       A 400x40 top panel (layer shell) that opens a 100x60 popup below its left end
 *       through zwlr_layer_surface_v1.get_popup: "panel mapped", "popup configure ...",
 *       "popup mapped".
 *   lumen-test-xdg error CASE
 *       Runs one misuse in its own connection and prints "error INTERFACE CODE" (the
 *       protocol error the compositor sent) or "no error". CASE is one of the names in
 *       error_cases[] below.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wayland-client.h>
#include "tc-common.h"
#include "wlr-layer-shell-unstable-v1-client-protocol.h"
#include "xdg-shell-client-protocol.h"

#define WM_BASE_WANTED 6
#define STATE_SUSPENDED 9 // xdg_toplevel.state.suspended, v6 (not in 1.31's header)

struct popup {
	struct wl_surface *surface;
	struct xdg_surface *xdg_surface;
	struct xdg_popup *xdg_popup;
	struct tc_buffer *buffer;
	int width, height;
	bool mapped;
	uint32_t color;
};

static struct {
	struct wl_display *display;
	struct wl_compositor *compositor;
	struct wl_subcompositor *subcompositor;
	struct wl_shm *shm;
	struct wl_seat *seat;
	struct xdg_wm_base *wm_base;
	struct zwlr_layer_shell_v1 *layer_shell;
	uint32_t wm_base_version;
	struct wl_surface *surface;
	struct xdg_surface *xdg_surface;
	struct xdg_toplevel *toplevel;
	struct tc_buffer *buffer;
	uint32_t color;
	uint32_t last_serial; // of the toplevel's last configure
	bool configured, mapped, suspended;
	int width, height;
	struct popup popup;
	enum { PONG_ON, PONG_OFF, PONG_WRONG } pong; // how pings are answered
	uint32_t ping_serial; // the last ping
} c;

static void wm_base_ping(void *data, struct xdg_wm_base *wm_base, uint32_t serial) {
	c.ping_serial = serial;
	switch (c.pong) {
	case PONG_ON:
		xdg_wm_base_pong(wm_base, serial);
		printf("ping answered\n");
		break;
	case PONG_OFF:
		printf("ping ignored\n");
		break;
	case PONG_WRONG:
		xdg_wm_base_pong(wm_base, serial + 1000);
		printf("ping answered with a wrong serial\n");
		break;
	}
	fflush(stdout);
}

static const struct xdg_wm_base_listener wm_base_listener = {
	.ping = wm_base_ping,
};

static void registry_global(void *data, struct wl_registry *registry, uint32_t name,
		const char *iface, uint32_t version) {
	if (strcmp(iface, wl_compositor_interface.name) == 0) {
		c.compositor = wl_registry_bind(registry, name, &wl_compositor_interface, 4);
	} else if (strcmp(iface, wl_subcompositor_interface.name) == 0) {
		c.subcompositor = wl_registry_bind(registry, name, &wl_subcompositor_interface, 1);
	} else if (strcmp(iface, wl_shm_interface.name) == 0) {
		c.shm = wl_registry_bind(registry, name, &wl_shm_interface, 1);
	} else if (strcmp(iface, wl_seat_interface.name) == 0 && !c.seat) {
		c.seat = wl_registry_bind(registry, name, &wl_seat_interface, 1);
	} else if (strcmp(iface, zwlr_layer_shell_v1_interface.name) == 0) {
		c.layer_shell = wl_registry_bind(registry, name, &zwlr_layer_shell_v1_interface, 1);
	} else if (strcmp(iface, xdg_wm_base_interface.name) == 0) {
		/* Bound at up to 6 although 1.31's interface says 5: the wire is the same. */
		c.wm_base_version = version < WM_BASE_WANTED ? version : WM_BASE_WANTED;
		c.wm_base = wl_registry_bind(registry, name, &xdg_wm_base_interface,
			c.wm_base_version);
		xdg_wm_base_add_listener(c.wm_base, &wm_base_listener, NULL);
	}
}

static void registry_global_remove(void *data, struct wl_registry *registry, uint32_t name) {
}

static const struct wl_registry_listener registry_listener = {
	.global = registry_global,
	.global_remove = registry_global_remove,
};

static void connect_all(void) {
	c.display = tc_connect();
	struct wl_registry *registry = wl_display_get_registry(c.display);
	wl_registry_add_listener(registry, &registry_listener, NULL);
	wl_display_roundtrip(c.display);
	if (!c.compositor || !c.shm || !c.wm_base) {
		tc_die("wl_compositor, wl_shm or xdg_wm_base missing");
	}
}

static void draw(struct wl_surface *surface, struct tc_buffer **buf, int w, int h,
		uint32_t color) {
	if (*buf && ((*buf)->width != w || (*buf)->height != h)) {
		tc_buffer_destroy(*buf);
		*buf = NULL;
	}
	if (!*buf) {
		*buf = tc_buffer_create(c.shm, w, h);
		if (!*buf) {
			tc_die("no shm buffer");
		}
	}
	tc_buffer_fill_rect(*buf, 0, 0, w, h, color);
	wl_surface_attach(surface, (*buf)->wl_buffer, 0, 0);
	wl_surface_damage(surface, 0, 0, w, h);
}

/* ---- the window ---- */

static void toplevel_configure(void *data, struct xdg_toplevel *toplevel, int32_t width,
		int32_t height, struct wl_array *states) {
	printf("configure %d %d", width, height);
	bool suspended = false;
	uint32_t *state;
	wl_array_for_each(state, states) {
		static const char *const names[] = {"", "maximized", "fullscreen", "resizing",
			"activated", "tiled_left", "tiled_right", "tiled_top", "tiled_bottom",
			"suspended"};
		printf(" %s", *state < 10 ? names[*state] : "?");
		if (*state == STATE_SUSPENDED) {
			suspended = true;
		}
	}
	printf("\n");
	if (suspended != c.suspended) {
		c.suspended = suspended;
		printf("%s\n", suspended ? "suspended" : "resumed");
	}
	if (width > 0 && height > 0) {
		c.width = width;
		c.height = height;
	}
}

static void toplevel_close(void *data, struct xdg_toplevel *toplevel) {
	printf("close\n");
}

static void toplevel_configure_bounds(void *data, struct xdg_toplevel *toplevel, int32_t width,
		int32_t height) {
	printf("configure_bounds %d %d\n", width, height);
}

static void toplevel_wm_capabilities(void *data, struct xdg_toplevel *toplevel,
		struct wl_array *caps) {
	printf("wm_capabilities");
	uint32_t *cap;
	wl_array_for_each(cap, caps) {
		static const char *const names[] = {"", "window_menu", "maximize", "fullscreen",
			"minimize"};
		printf(" %s", *cap < 5 ? names[*cap] : "?");
	}
	printf("\n");
}

static const struct xdg_toplevel_listener toplevel_listener = {
	.configure = toplevel_configure,
	.close = toplevel_close,
	.configure_bounds = toplevel_configure_bounds,
	.wm_capabilities = toplevel_wm_capabilities,
};

static void xdg_surface_configure(void *data, struct xdg_surface *xdg_surface, uint32_t serial) {
	xdg_surface_ack_configure(xdg_surface, serial);
	c.last_serial = serial;
	c.configured = true;
	draw(c.surface, &c.buffer, c.width, c.height, c.color);
	wl_surface_commit(c.surface);
	if (!c.mapped) {
		c.mapped = true;
		printf("mapped\n");
	}
}

static const struct xdg_surface_listener xdg_surface_listener = {
	.configure = xdg_surface_configure,
};

/* ---- the popup ---- */

static void popup_configure(void *data, struct xdg_popup *xdg_popup, int32_t x, int32_t y,
		int32_t width, int32_t height) {
	printf("popup configure %d %d %d %d\n", x, y, width, height);
	c.popup.width = width;
	c.popup.height = height;
}

static void popup_done(void *data, struct xdg_popup *xdg_popup) {
	printf("popup done\n");
}

static void popup_repositioned(void *data, struct xdg_popup *xdg_popup, uint32_t token) {
	printf("repositioned %u\n", token);
}

static const struct xdg_popup_listener popup_listener = {
	.configure = popup_configure,
	.popup_done = popup_done,
	.repositioned = popup_repositioned,
};

static void popup_surface_configure(void *data, struct xdg_surface *xdg_surface,
		uint32_t serial) {
	xdg_surface_ack_configure(xdg_surface, serial);
	draw(c.popup.surface, &c.popup.buffer, c.popup.width, c.popup.height, c.popup.color);
	wl_surface_commit(c.popup.surface);
	if (!c.popup.mapped) {
		c.popup.mapped = true;
		printf("popup mapped\n");
	}
}

static const struct xdg_surface_listener popup_surface_listener = {
	.configure = popup_surface_configure,
};

static void popup_destroy(void) {
	if (!c.popup.surface) {
		return;
	}
	xdg_popup_destroy(c.popup.xdg_popup);
	xdg_surface_destroy(c.popup.xdg_surface);
	wl_surface_destroy(c.popup.surface);
	tc_buffer_destroy(c.popup.buffer);
	memset(&c.popup, 0, sizeof(c.popup));
}

static void popup_open(struct xdg_positioner *positioner, uint32_t color) {
	popup_destroy();
	c.popup.color = color;
	c.popup.surface = wl_compositor_create_surface(c.compositor);
	c.popup.xdg_surface = xdg_wm_base_get_xdg_surface(c.wm_base, c.popup.surface);
	xdg_surface_add_listener(c.popup.xdg_surface, &popup_surface_listener, NULL);
	c.popup.xdg_popup = xdg_surface_get_popup(c.popup.xdg_surface, c.xdg_surface, positioner);
	xdg_popup_add_listener(c.popup.xdg_popup, &popup_listener, NULL);
	wl_surface_commit(c.popup.surface);
}

static struct xdg_positioner *menu_positioner(uint32_t anchor, uint32_t gravity) {
	struct xdg_positioner *p = xdg_wm_base_create_positioner(c.wm_base);
	xdg_positioner_set_size(p, 120, 80);
	xdg_positioner_set_anchor_rect(p, 10, 10, 20, 20);
	xdg_positioner_set_anchor(p, anchor);
	xdg_positioner_set_gravity(p, gravity);
	if (c.wm_base_version >= 3) {
		xdg_positioner_set_reactive(p);
		xdg_positioner_set_parent_size(p, c.width, c.height);
		xdg_positioner_set_parent_configure(p, c.last_serial);
	}
	return p;
}

static void command(const char *line) {
	unsigned token;
	if (strcmp(line, "popup") == 0) {
		struct xdg_positioner *p = menu_positioner(XDG_POSITIONER_ANCHOR_BOTTOM_LEFT,
			XDG_POSITIONER_GRAVITY_BOTTOM_RIGHT);
		popup_open(p, 0xff20c020);
		xdg_positioner_destroy(p);
	} else if (sscanf(line, "reposition %u", &token) == 1 && c.popup.xdg_popup) {
		struct xdg_positioner *p = menu_positioner(XDG_POSITIONER_ANCHOR_TOP_RIGHT,
			XDG_POSITIONER_GRAVITY_BOTTOM_RIGHT);
		xdg_popup_reposition(c.popup.xdg_popup, p, token);
		xdg_positioner_destroy(p);
	} else if (strcmp(line, "edge-popup") == 0) {
		struct xdg_positioner *p = xdg_wm_base_create_positioner(c.wm_base);
		xdg_positioner_set_size(p, 200, 100);
		xdg_positioner_set_anchor_rect(p, c.width - 1, 0, 1, 20);
		xdg_positioner_set_anchor(p, XDG_POSITIONER_ANCHOR_TOP_RIGHT);
		xdg_positioner_set_gravity(p, XDG_POSITIONER_GRAVITY_BOTTOM_RIGHT);
		xdg_positioner_set_constraint_adjustment(p,
			XDG_POSITIONER_CONSTRAINT_ADJUSTMENT_FLIP_X |
			XDG_POSITIONER_CONSTRAINT_ADJUSTMENT_SLIDE_X |
			XDG_POSITIONER_CONSTRAINT_ADJUSTMENT_SLIDE_Y);
		popup_open(p, 0xffc02020);
		xdg_positioner_destroy(p);
	} else if (strcmp(line, "slide-popup") == 0 || strcmp(line, "resize-popup") == 0) {
		/* Right of the window's edge, allowed only to slide (or only to shrink). */
		struct xdg_positioner *p = xdg_wm_base_create_positioner(c.wm_base);
		xdg_positioner_set_size(p, 200, 100);
		xdg_positioner_set_anchor_rect(p, c.width - 1, 0, 1, 20);
		xdg_positioner_set_anchor(p, XDG_POSITIONER_ANCHOR_TOP_RIGHT);
		xdg_positioner_set_gravity(p, XDG_POSITIONER_GRAVITY_BOTTOM_RIGHT);
		xdg_positioner_set_constraint_adjustment(p, line[0] == 's' ?
			XDG_POSITIONER_CONSTRAINT_ADJUSTMENT_SLIDE_X :
			XDG_POSITIONER_CONSTRAINT_ADJUSTMENT_RESIZE_X);
		popup_open(p, 0xffc020c0);
		xdg_positioner_destroy(p);
	} else if (strcmp(line, "pong off") == 0) {
		c.pong = PONG_OFF;
	} else if (strcmp(line, "pong wrong") == 0) {
		c.pong = PONG_WRONG;
		if (c.ping_serial != 0) {
			xdg_wm_base_pong(c.wm_base, c.ping_serial + 1000);
			printf("wrong pong sent\n");
		}
	} else if (strcmp(line, "pong on") == 0) {
		c.pong = PONG_ON;
		if (c.ping_serial != 0) {
			xdg_wm_base_pong(c.wm_base, c.ping_serial);
			printf("late pong sent\n");
		}
	} else if (strcmp(line, "quit") == 0) {
		exit(0);
	} else {
		printf("unknown command: %s\n", line);
	}
}

static int run_window(int argc, char **argv) {
	const char *title = "xdg-v6";
	c.color = 0xff2040c0;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--title") == 0 && i + 1 < argc) {
			title = argv[++i];
		} else if (strcmp(argv[i], "--color") == 0 && i + 1 < argc) {
			tc_option_color("--color", argv[++i], &c.color);
		} else {
			tc_die("unknown argument %s", argv[i]);
		}
	}
	connect_all();
	printf("wm_base %u\n", c.wm_base_version);
	c.width = 300;
	c.height = 200;
	c.surface = wl_compositor_create_surface(c.compositor);
	c.xdg_surface = xdg_wm_base_get_xdg_surface(c.wm_base, c.surface);
	xdg_surface_add_listener(c.xdg_surface, &xdg_surface_listener, NULL);
	c.toplevel = xdg_surface_get_toplevel(c.xdg_surface);
	xdg_toplevel_add_listener(c.toplevel, &toplevel_listener, NULL);
	xdg_toplevel_set_title(c.toplevel, title);
	xdg_toplevel_set_app_id(c.toplevel, title);
	wl_surface_commit(c.surface);
	fflush(stdout);

	char line[256];
	size_t len = 0;
	for (;;) {
		bool ready = false;
		if (!tc_dispatch(c.display, -1, STDIN_FILENO, &ready)) {
			tc_die_disconnected(c.display);
		}
		if (ready) {
			ssize_t n = read(STDIN_FILENO, line + len, sizeof(line) - 1 - len);
			if (n <= 0) {
				return 0;
			}
			len += (size_t)n;
			line[len] = '\0';
			char *nl;
			while ((nl = strchr(line, '\n'))) {
				*nl = '\0';
				command(line);
				memmove(line, nl + 1, strlen(nl + 1) + 1);
				len = strlen(line);
			}
			if (len >= sizeof(line) - 1) {
				len = 0;
			}
		}
		fflush(stdout);
	}
}

/* ---- a layer surface's popup ---- */

static struct zwlr_layer_surface_v1 *panel;

static void panel_configure(void *data, struct zwlr_layer_surface_v1 *surface, uint32_t serial,
		uint32_t width, uint32_t height) {
	zwlr_layer_surface_v1_ack_configure(surface, serial);
	draw(c.surface, &c.buffer, 400, 40, 0xff2040c0);
	wl_surface_commit(c.surface);
	if (!c.mapped) {
		c.mapped = true;
		printf("panel mapped\n");
		struct xdg_positioner *p = xdg_wm_base_create_positioner(c.wm_base);
		xdg_positioner_set_size(p, 100, 60);
		xdg_positioner_set_anchor_rect(p, 0, 0, 40, 40);
		xdg_positioner_set_anchor(p, XDG_POSITIONER_ANCHOR_BOTTOM_LEFT);
		xdg_positioner_set_gravity(p, XDG_POSITIONER_GRAVITY_BOTTOM_RIGHT);
		c.popup.color = 0xff20c020;
		c.popup.surface = wl_compositor_create_surface(c.compositor);
		c.popup.xdg_surface = xdg_wm_base_get_xdg_surface(c.wm_base, c.popup.surface);
		xdg_surface_add_listener(c.popup.xdg_surface, &popup_surface_listener, NULL);
		c.popup.xdg_popup = xdg_surface_get_popup(c.popup.xdg_surface, NULL, p);
		xdg_popup_add_listener(c.popup.xdg_popup, &popup_listener, NULL);
		zwlr_layer_surface_v1_get_popup(surface, c.popup.xdg_popup);
		wl_surface_commit(c.popup.surface);
		xdg_positioner_destroy(p);
	}
}

static void panel_closed(void *data, struct zwlr_layer_surface_v1 *surface) {
	printf("panel closed\n");
	exit(0);
}

static const struct zwlr_layer_surface_v1_listener panel_listener = {
	.configure = panel_configure,
	.closed = panel_closed,
};

static int run_layer_popup(void) {
	connect_all();
	if (!c.layer_shell) {
		tc_die("no zwlr_layer_shell_v1");
	}
	c.surface = wl_compositor_create_surface(c.compositor);
	panel = zwlr_layer_shell_v1_get_layer_surface(c.layer_shell, c.surface, NULL,
		ZWLR_LAYER_SHELL_V1_LAYER_TOP, "xdg-panel");
	zwlr_layer_surface_v1_set_size(panel, 400, 40);
	zwlr_layer_surface_v1_set_anchor(panel, ZWLR_LAYER_SURFACE_V1_ANCHOR_TOP |
		ZWLR_LAYER_SURFACE_V1_ANCHOR_LEFT);
	zwlr_layer_surface_v1_add_listener(panel, &panel_listener, NULL);
	wl_surface_commit(c.surface);
	while (wl_display_dispatch(c.display) >= 0) {
		fflush(stdout);
	}
	tc_die_disconnected(c.display);
}

/* ---- misuse, one case a connection ---- */

static struct xdg_toplevel *new_toplevel(struct wl_surface **surface,
		struct xdg_surface **xdg_surface) {
	*surface = wl_compositor_create_surface(c.compositor);
	*xdg_surface = xdg_wm_base_get_xdg_surface(c.wm_base, *surface);
	return xdg_surface_get_toplevel(*xdg_surface);
}

static struct xdg_positioner *complete_positioner(void) {
	struct xdg_positioner *p = xdg_wm_base_create_positioner(c.wm_base);
	xdg_positioner_set_size(p, 50, 50);
	xdg_positioner_set_anchor_rect(p, 0, 0, 10, 10);
	return p;
}

/* A mapped toplevel, for cases that need a parent. */
static struct xdg_surface *mapped_parent(void) {
	c.width = 100;
	c.height = 100;
	c.color = 0xff808080;
	c.surface = wl_compositor_create_surface(c.compositor);
	c.xdg_surface = xdg_wm_base_get_xdg_surface(c.wm_base, c.surface);
	xdg_surface_add_listener(c.xdg_surface, &xdg_surface_listener, NULL);
	c.toplevel = xdg_surface_get_toplevel(c.xdg_surface);
	xdg_toplevel_add_listener(c.toplevel, &toplevel_listener, NULL);
	wl_surface_commit(c.surface);
	while (!c.mapped && wl_display_dispatch(c.display) >= 0) {
	}
	wl_display_roundtrip(c.display);
	return c.xdg_surface;
}

static void case_role(void) {
	struct wl_surface *parent = wl_compositor_create_surface(c.compositor);
	struct wl_surface *s = wl_compositor_create_surface(c.compositor);
	wl_subcompositor_get_subsurface(c.subcompositor, s, parent);
	xdg_wm_base_get_xdg_surface(c.wm_base, s);
}

static void case_defunct_surfaces(void) {
	xdg_wm_base_get_xdg_surface(c.wm_base, wl_compositor_create_surface(c.compositor));
	/* The request without destroying our proxy: the error then still names it. */
	wl_proxy_marshal_flags((struct wl_proxy *)c.wm_base, XDG_WM_BASE_DESTROY, NULL,
		wl_proxy_get_version((struct wl_proxy *)c.wm_base), 0);
}

static void case_not_the_topmost_popup(void) {
	struct xdg_surface *parent = mapped_parent();
	struct xdg_positioner *p = complete_positioner();
	struct xdg_surface *a = xdg_wm_base_get_xdg_surface(c.wm_base,
		wl_compositor_create_surface(c.compositor));
	struct xdg_popup *pa = xdg_surface_get_popup(a, parent, p);
	struct xdg_surface *b = xdg_wm_base_get_xdg_surface(c.wm_base,
		wl_compositor_create_surface(c.compositor));
	xdg_surface_get_popup(b, a, p);
	xdg_popup_destroy(pa);
}

static void case_invalid_popup_parent(void) {
	struct xdg_surface *roleless = xdg_wm_base_get_xdg_surface(c.wm_base,
		wl_compositor_create_surface(c.compositor));
	struct xdg_surface *s = xdg_wm_base_get_xdg_surface(c.wm_base,
		wl_compositor_create_surface(c.compositor));
	xdg_surface_get_popup(s, roleless, complete_positioner());
}

static void case_invalid_surface_state(void) {
	struct wl_surface *s = wl_compositor_create_surface(c.compositor);
	c.buffer = tc_buffer_create(c.shm, 10, 10);
	wl_surface_attach(s, c.buffer->wl_buffer, 0, 0);
	xdg_wm_base_get_xdg_surface(c.wm_base, s);
}

static void case_invalid_positioner(void) {
	struct xdg_surface *parent = mapped_parent();
	struct xdg_positioner *p = xdg_wm_base_create_positioner(c.wm_base);
	xdg_positioner_set_anchor_rect(p, 0, 0, 10, 10); // no size
	struct xdg_surface *s = xdg_wm_base_get_xdg_surface(c.wm_base,
		wl_compositor_create_surface(c.compositor));
	xdg_surface_get_popup(s, parent, p);
}

static void case_unconfigured_buffer(void) {
	struct wl_surface *s;
	struct xdg_surface *xs;
	new_toplevel(&s, &xs);
	c.buffer = tc_buffer_create(c.shm, 10, 10);
	wl_surface_attach(s, c.buffer->wl_buffer, 0, 0);
	wl_surface_commit(s);
}

static void case_invalid_serial(void) {
	struct wl_surface *s;
	struct xdg_surface *xs;
	new_toplevel(&s, &xs);
	wl_surface_commit(s);
	xdg_surface_ack_configure(xs, 0xdeadbeef);
}

static void case_invalid_size(void) {
	struct wl_surface *s;
	struct xdg_surface *xs;
	new_toplevel(&s, &xs);
	xdg_surface_set_window_geometry(xs, 0, 0, 0, 10);
}

static void case_already_constructed(void) {
	struct wl_surface *s;
	struct xdg_surface *xs;
	new_toplevel(&s, &xs);
	xdg_surface_get_toplevel(xs);
}

static void case_not_constructed(void) {
	struct xdg_surface *xs = xdg_wm_base_get_xdg_surface(c.wm_base,
		wl_compositor_create_surface(c.compositor));
	xdg_surface_set_window_geometry(xs, 0, 0, 10, 10);
}

static void case_defunct_role_object(void) {
	struct wl_surface *s;
	struct xdg_surface *xs;
	new_toplevel(&s, &xs);
	wl_proxy_marshal_flags((struct wl_proxy *)xs, XDG_SURFACE_DESTROY, NULL,
		wl_proxy_get_version((struct wl_proxy *)xs), 0);
}

static void case_invalid_resize_edge(void) {
	struct wl_surface *s;
	struct xdg_surface *xs;
	struct xdg_toplevel *t = new_toplevel(&s, &xs);
	xdg_toplevel_resize(t, c.seat, 0, 3);
}

static void case_invalid_parent(void) {
	struct wl_surface *s;
	struct xdg_surface *xs;
	struct xdg_toplevel *t = new_toplevel(&s, &xs);
	xdg_toplevel_set_parent(t, t);
}

static void case_toplevel_invalid_size(void) {
	struct wl_surface *s;
	struct xdg_surface *xs;
	struct xdg_toplevel *t = new_toplevel(&s, &xs);
	xdg_toplevel_set_min_size(t, 200, 200);
	xdg_toplevel_set_max_size(t, 100, 100);
	wl_surface_commit(s);
}

static void case_invalid_input(void) {
	struct xdg_positioner *p = xdg_wm_base_create_positioner(c.wm_base);
	xdg_positioner_set_size(p, 0, 10);
}

static void case_invalid_grab(void) {
	struct xdg_surface *parent = mapped_parent();
	struct wl_surface *ps = wl_compositor_create_surface(c.compositor);
	struct xdg_surface *s = xdg_wm_base_get_xdg_surface(c.wm_base, ps);
	struct xdg_popup *popup = xdg_surface_get_popup(s, parent, complete_positioner());
	wl_surface_commit(ps);
	wl_display_roundtrip(c.display);
	/* The initial commit happened: a grab now is too late. */
	xdg_popup_grab(popup, c.seat, 0);
}

static const struct {
	const char *name;
	void (*run)(void);
} error_cases[] = {
	{"role", case_role},
	{"defunct_surfaces", case_defunct_surfaces},
	{"not_the_topmost_popup", case_not_the_topmost_popup},
	{"invalid_popup_parent", case_invalid_popup_parent},
	{"invalid_surface_state", case_invalid_surface_state},
	{"invalid_positioner", case_invalid_positioner},
	{"unconfigured_buffer", case_unconfigured_buffer},
	{"invalid_serial", case_invalid_serial},
	{"invalid_size", case_invalid_size},
	{"already_constructed", case_already_constructed},
	{"not_constructed", case_not_constructed},
	{"defunct_role_object", case_defunct_role_object},
	{"invalid_resize_edge", case_invalid_resize_edge},
	{"invalid_parent", case_invalid_parent},
	{"toplevel_invalid_size", case_toplevel_invalid_size},
	{"invalid_input", case_invalid_input},
	{"invalid_grab", case_invalid_grab},
};

static int run_error(const char *name) {
	connect_all();
	size_t i;
	for (i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
		if (strcmp(error_cases[i].name, name) == 0) {
			break;
		}
	}
	if (i == sizeof(error_cases) / sizeof(error_cases[0])) {
		tc_die("no error case %s", name);
	}
	error_cases[i].run();
	wl_display_roundtrip(c.display);
	wl_display_roundtrip(c.display);
	const struct wl_interface *iface = NULL;
	uint32_t code = wl_display_get_protocol_error(c.display, &iface, NULL);
	if (iface) {
		printf("error %s %u\n", iface->name, code);
	} else {
		printf("no error\n");
	}
	return 0;
}

int main(int argc, char **argv) {
	tc_set_program_name(argv[0]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && strcmp(argv[1], "window") == 0) {
		return run_window(argc, argv);
	}
	if (argc == 2 && strcmp(argv[1], "layer-popup") == 0) {
		return run_layer_popup();
	}
	if (argc == 3 && strcmp(argv[1], "error") == 0) {
		return run_error(argv[2]);
	}
	fprintf(stderr, "usage: %s window [--title T] [--color RRGGBB] | layer-popup | error CASE\n", argv[0]);
	return 2;
}
