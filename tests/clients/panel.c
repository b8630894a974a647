/*
 * lumen-test-panel: a wlr-layer-shell surface of one solid colour, placed as the options
 * say. Tests use it to check layering, anchoring, exclusive zones and keyboard
 * interactivity, by the configure it receives and by the pixels a capture shows.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wayland-client.h>
#include "tc-common.h"
#include "wlr-layer-shell-unstable-v1-client-protocol.h"

struct panel {
	struct wl_display *display;
	struct wl_registry *registry;
	struct wl_compositor *compositor;
	struct wl_shm *shm;
	struct zwlr_layer_shell_v1 *layer_shell;
	struct wl_seat *wl_seat; // may be NULL: a panel needs no seat
	struct tc_seat seat;
	struct tc_pool pool;

	struct wl_surface *surface;
	struct zwlr_layer_surface_v1 *layer_surface;

	uint32_t layer;
	uint32_t anchor;
	int width, height; // requested; 0 stretches between opposite anchors
	int exclusive;
	int margin;
	uint32_t keyboard;
	uint32_t color;
	const char *namespace;
	bool committed;
	bool closed;
};

static void usage(FILE *f) {
	fprintf(f,
		"usage: lumen-test-panel [options]\n"
		"  --layer background|bottom|top|overlay   (default top)\n"
		"  --anchor EDGES    comma-separated top,bottom,left,right or none\n"
		"                    (default top,left,right)\n"
		"  --size WxH        0 stretches between opposite anchors (default 0x32)\n"
		"  --exclusive N     exclusive zone; -1 asks not to be moved (default 0)\n"
		"  --keyboard none|exclusive|on_demand     (default none)\n"
		"  --color RRGGBB    fill colour (default cc3333)\n"
		"  --margin N        margin on all four edges (default 0)\n"
		"  --namespace NAME  layer namespace (default lumen-test-panel)\n"
		"  --timeout S       exit 0 after S seconds\n"
		"Prints: configure W H, mapped, closed, plus the keyboard and pointer lines of\n"
		"lumen-test-keylog when it has focus.\n");
}

static bool parse_layer(const char *s, uint32_t *layer) {
	static const char *const names[] = {"background", "bottom", "top", "overlay"};
	for (uint32_t i = 0; i < 4; i++) {
		if (strcmp(s, names[i]) == 0) {
			/* The enum values are 0..3 in this order. */
			*layer = ZWLR_LAYER_SHELL_V1_LAYER_BACKGROUND + i;
			return true;
		}
	}
	return false;
}

static bool parse_anchor(const char *s, uint32_t *anchor) {
	*anchor = 0;
	if (strcmp(s, "none") == 0 || strcmp(s, "") == 0) {
		return true;
	}
	char copy[128];
	snprintf(copy, sizeof(copy), "%s", s);
	char *save = NULL;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "top") == 0) {
			*anchor |= ZWLR_LAYER_SURFACE_V1_ANCHOR_TOP;
		} else if (strcmp(tok, "bottom") == 0) {
			*anchor |= ZWLR_LAYER_SURFACE_V1_ANCHOR_BOTTOM;
		} else if (strcmp(tok, "left") == 0) {
			*anchor |= ZWLR_LAYER_SURFACE_V1_ANCHOR_LEFT;
		} else if (strcmp(tok, "right") == 0) {
			*anchor |= ZWLR_LAYER_SURFACE_V1_ANCHOR_RIGHT;
		} else {
			return false;
		}
	}
	return true;
}

static bool parse_keyboard(const char *s, uint32_t *keyboard) {
	if (strcmp(s, "none") == 0) {
		*keyboard = ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_NONE;
	} else if (strcmp(s, "exclusive") == 0) {
		*keyboard = ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_EXCLUSIVE;
	} else if (strcmp(s, "on_demand") == 0 || strcmp(s, "on-demand") == 0) {
		*keyboard = ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_ON_DEMAND;
	} else {
		return false;
	}
	return true;
}

static void mapped_handle_done(void *data, struct wl_callback *callback, uint32_t time) {
	wl_callback_destroy(callback);
	printf("mapped\n");
}

static const struct wl_callback_listener mapped_listener = {
	.done = mapped_handle_done,
};

static void layer_surface_handle_configure(void *data, struct zwlr_layer_surface_v1 *surface,
		uint32_t serial, uint32_t width, uint32_t height) {
	struct panel *p = data;
	printf("configure %u %u\n", width, height);
	zwlr_layer_surface_v1_ack_configure(surface, serial);
	/* 0 means the compositor leaves that dimension to us: use what we asked for. */
	int w = width > 0 ? (int)width : p->width;
	int h = height > 0 ? (int)height : p->height;
	if (w <= 0 || h <= 0) {
		tc_die("compositor configured %ux%u for a surface that asked for %dx%d", width,
			height, p->width, p->height);
	}
	struct tc_buffer *buf = tc_pool_next(&p->pool, w, h);
	if (!buf) {
		tc_die("no free buffer to draw into");
	}
	tc_buffer_fill_rect(buf, 0, 0, w, h, p->color);
	wl_surface_attach(p->surface, buf->wl_buffer, 0, 0);
	wl_surface_damage_buffer(p->surface, 0, 0, w, h);
	buf->busy = true;
	wl_surface_commit(p->surface);
	if (!p->committed) {
		p->committed = true;
		struct wl_callback *cb = wl_display_sync(p->display);
		wl_callback_add_listener(cb, &mapped_listener, p);
	}
}

static void layer_surface_handle_closed(void *data, struct zwlr_layer_surface_v1 *surface) {
	struct panel *p = data;
	printf("closed\n");
	p->closed = true;
}

static const struct zwlr_layer_surface_v1_listener layer_surface_listener = {
	.configure = layer_surface_handle_configure,
	.closed = layer_surface_handle_closed,
};

static void registry_handle_global(void *data, struct wl_registry *registry, uint32_t name,
		const char *interface, uint32_t version) {
	struct panel *p = data;
	if (strcmp(interface, wl_compositor_interface.name) == 0) {
		p->compositor = tc_bind(registry, name, &wl_compositor_interface, version, 4);
	} else if (strcmp(interface, wl_shm_interface.name) == 0) {
		p->shm = tc_bind(registry, name, &wl_shm_interface, version, 1);
	} else if (strcmp(interface, zwlr_layer_shell_v1_interface.name) == 0) {
		p->layer_shell = tc_bind(registry, name, &zwlr_layer_shell_v1_interface, version, 4);
	} else if (strcmp(interface, wl_seat_interface.name) == 0 && !p->wl_seat) {
		p->wl_seat = tc_bind(registry, name, &wl_seat_interface, version, 7);
		tc_seat_init(&p->seat, p->wl_seat);
	}
}

static void registry_handle_global_remove(void *data, struct wl_registry *registry,
		uint32_t name) {
}

static const struct wl_registry_listener registry_listener = {
	.global = registry_handle_global,
	.global_remove = registry_handle_global_remove,
};

int main(int argc, char *argv[]) {
	tc_set_program_name("lumen-test-panel");
	struct panel p = {
		.layer = ZWLR_LAYER_SHELL_V1_LAYER_TOP,
		.anchor = ZWLR_LAYER_SURFACE_V1_ANCHOR_TOP | ZWLR_LAYER_SURFACE_V1_ANCHOR_LEFT |
			ZWLR_LAYER_SURFACE_V1_ANCHOR_RIGHT,
		.width = 0,
		.height = 32,
		.keyboard = ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_NONE,
		.color = 0xffcc3333,
		.namespace = "lumen-test-panel",
	};
	long timeout_s = -1;
	/* Every option but --help takes a value. */
	for (int i = 1; i < argc; i += 2) {
		const char *arg = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		long n;
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (!val) {
			usage(stderr);
			tc_die("unknown option or missing value: %s", arg);
		} else if (strcmp(arg, "--layer") == 0) {
			if (!parse_layer(val, &p.layer)) {
				tc_die("--layer wants background, bottom, top or overlay, not '%s'", val);
			}
		} else if (strcmp(arg, "--anchor") == 0) {
			if (!parse_anchor(val, &p.anchor)) {
				tc_die("--anchor wants top,bottom,left,right combined by commas, not '%s'",
					val);
			}
		} else if (strcmp(arg, "--size") == 0) {
			if (!tc_parse_size(val, &p.width, &p.height)) {
				tc_die("--size wants WxH, not '%s'", val);
			}
		} else if (strcmp(arg, "--exclusive") == 0) {
			if (!tc_parse_long(val, -1, 16384, &n)) {
				tc_die("--exclusive wants a number from -1, not '%s'", val);
			}
			p.exclusive = (int)n;
		} else if (strcmp(arg, "--margin") == 0) {
			if (!tc_parse_long(val, -16384, 16384, &n)) {
				tc_die("--margin wants a number, not '%s'", val);
			}
			p.margin = (int)n;
		} else if (strcmp(arg, "--keyboard") == 0) {
			if (!parse_keyboard(val, &p.keyboard)) {
				tc_die("--keyboard wants none, exclusive or on_demand, not '%s'", val);
			}
		} else if (strcmp(arg, "--color") == 0) {
			tc_option_color("--color", val, &p.color);
		} else if (strcmp(arg, "--namespace") == 0) {
			p.namespace = val;
		} else if (strcmp(arg, "--timeout") == 0) {
			if (!tc_parse_long(val, 0, 86400, &timeout_s)) {
				tc_die("--timeout wants whole seconds, not '%s'", val);
			}
		} else {
			usage(stderr);
			tc_die("unknown option: %s", arg);
		}
	}

	/*
	 * The protocol makes a 0 dimension without both opposite anchors an error; say so
	 * here rather than leave the test to decode a protocol error.
	 */
	bool both_h = (p.anchor & ZWLR_LAYER_SURFACE_V1_ANCHOR_LEFT) &&
		(p.anchor & ZWLR_LAYER_SURFACE_V1_ANCHOR_RIGHT);
	bool both_v = (p.anchor & ZWLR_LAYER_SURFACE_V1_ANCHOR_TOP) &&
		(p.anchor & ZWLR_LAYER_SURFACE_V1_ANCHOR_BOTTOM);
	if (p.width == 0 && !both_h) {
		tc_die("width 0 needs --anchor with both left and right");
	}
	if (p.height == 0 && !both_v) {
		tc_die("height 0 needs --anchor with both top and bottom");
	}

	setvbuf(stdout, NULL, _IOLBF, 0);
	tc_signals_init();

	p.display = tc_connect();
	p.registry = wl_display_get_registry(p.display);
	wl_registry_add_listener(p.registry, &registry_listener, &p);
	if (wl_display_roundtrip(p.display) < 0) {
		tc_die_disconnected(p.display);
	}
	if (!p.compositor) {
		tc_die("compositor offers no wl_compositor");
	}
	if (!p.shm) {
		tc_die("compositor offers no wl_shm");
	}
	if (!p.layer_shell) {
		tc_die("compositor offers no zwlr_layer_shell_v1");
	}
	if (p.keyboard == ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_ON_DEMAND &&
			zwlr_layer_shell_v1_get_version(p.layer_shell) < 4) {
		tc_die("--keyboard on_demand needs zwlr_layer_shell_v1 version 4; compositor has %u",
			zwlr_layer_shell_v1_get_version(p.layer_shell));
	}
	p.pool.shm = p.shm;

	p.surface = wl_compositor_create_surface(p.compositor);
	p.layer_surface = zwlr_layer_shell_v1_get_layer_surface(p.layer_shell, p.surface, NULL,
		p.layer, p.namespace);
	zwlr_layer_surface_v1_add_listener(p.layer_surface, &layer_surface_listener, &p);
	zwlr_layer_surface_v1_set_size(p.layer_surface, (uint32_t)p.width, (uint32_t)p.height);
	zwlr_layer_surface_v1_set_anchor(p.layer_surface, p.anchor);
	zwlr_layer_surface_v1_set_exclusive_zone(p.layer_surface, p.exclusive);
	zwlr_layer_surface_v1_set_margin(p.layer_surface, p.margin, p.margin, p.margin, p.margin);
	zwlr_layer_surface_v1_set_keyboard_interactivity(p.layer_surface, p.keyboard);
	wl_surface_commit(p.surface);

	int64_t deadline = timeout_s >= 0 ? tc_now_ns() + timeout_s * 1000000000LL : -1;
	while (!p.closed && !tc_signalled()) {
		int wait_ms = -1;
		if (deadline >= 0) {
			int64_t left = deadline - tc_now_ns();
			if (left <= 0) {
				printf("timeout\n");
				break;
			}
			wait_ms = (int)((left + 999999) / 1000000);
		}
		if (!tc_dispatch(p.display, wait_ms, -1, NULL)) {
			tc_die_disconnected(p.display);
		}
	}

	zwlr_layer_surface_v1_destroy(p.layer_surface);
	wl_surface_destroy(p.surface);
	tc_pool_finish(&p.pool);
	if (p.wl_seat) {
		tc_seat_finish(&p.seat);
	}
	if (zwlr_layer_shell_v1_get_version(p.layer_shell) >=
			ZWLR_LAYER_SHELL_V1_DESTROY_SINCE_VERSION) {
		zwlr_layer_shell_v1_destroy(p.layer_shell);
	} else {
		/* Before v3 the global had no destructor request; only our proxy goes. */
		wl_proxy_destroy((struct wl_proxy *)p.layer_shell);
	}
	wl_shm_destroy(p.shm);
	wl_compositor_destroy(p.compositor);
	wl_registry_destroy(p.registry);
	wl_display_flush(p.display);
	wl_display_disconnect(p.display);
	return 0;
}
