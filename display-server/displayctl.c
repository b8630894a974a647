/*
 * lumen-displayctl: lists, adds, removes, configures and captures lumen-displayd's
 * outputs over lumen-display-v1.
 *
 *   list                      outputs: name, modes, state, formats, bytes copied
 *   add WxH[@Hz]              hotplug a virtual output (prints its name)
 *   remove NAME               unplug a virtual output
 *   mode NAME WxH[@Hz]        set a mode: only while no master (compositor) is
 *                             connected, since modes are the master's to set; with a
 *                             master it says so and exits 1 (ask the compositor)
 *   capture NAME FILE.png     what the output shows, as a PNG
 *
 * The socket: --socket NAME, else $LUMEN_DISPLAY_SOCKET, else lumen-display-0.
 * Exit status 0 on success, 1 on an error the server reported, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wayland-client.h>
#include "common/fd.h"
#include "lumen-display-v1-client-protocol.h"

#define FORMAT_XRGB8888 0x34325258u

struct ctl_mode {
	int32_t width, height, refresh;
	uint32_t flags;
};

struct ctl_output {
	struct ctl *ctl;
	struct lumen_display_output_v1 *proxy;
	char name[128];
	char make[64], model[64], serial[64];
	int32_t phys_w, phys_h;
	struct ctl_mode modes[64];
	size_t n_modes;
	bool modes_reset; // the next mode event starts a new list
	size_t n_formats;
	uint32_t enabled, power_on, gamma_size;
	int32_t cursor_w, cursor_h;
	bool removed;
	uint64_t bytes_copied;
	uint32_t presented, discarded;
	struct ctl_output *next;
};

struct ctl {
	struct wl_display *display;
	struct lumen_display_v1 *global;
	struct ctl_output *outputs; // newest first
	bool done;
};

static void output_name(void *data, struct lumen_display_output_v1 *proxy, const char *name) {
	struct ctl_output *out = data;
	snprintf(out->name, sizeof(out->name), "%s", name);
}

static void output_description(void *data, struct lumen_display_output_v1 *proxy,
		const char *make, const char *model, const char *serial) {
	struct ctl_output *out = data;
	snprintf(out->make, sizeof(out->make), "%s", make);
	snprintf(out->model, sizeof(out->model), "%s", model);
	snprintf(out->serial, sizeof(out->serial), "%s", serial);
}

static void output_physical_size(void *data, struct lumen_display_output_v1 *proxy,
		int32_t w, int32_t h) {
	struct ctl_output *out = data;
	out->phys_w = w;
	out->phys_h = h;
}

static void output_mode(void *data, struct lumen_display_output_v1 *proxy, int32_t width,
		int32_t height, int32_t refresh, uint32_t flags) {
	struct ctl_output *out = data;
	if (out->modes_reset) {
		out->n_modes = 0;
		out->modes_reset = false;
	}
	if (out->n_modes < sizeof(out->modes) / sizeof(out->modes[0])) {
		out->modes[out->n_modes++] = (struct ctl_mode){width, height, refresh, flags};
	}
}

static void output_format(void *data, struct lumen_display_output_v1 *proxy, uint32_t format,
		uint32_t mod_hi, uint32_t mod_lo) {
	struct ctl_output *out = data;
	out->n_formats++;
}

static void output_state(void *data, struct lumen_display_output_v1 *proxy, uint32_t enabled,
		uint32_t power_on, uint32_t gamma_size, int32_t cursor_w, int32_t cursor_h) {
	struct ctl_output *out = data;
	out->enabled = enabled;
	out->power_on = power_on;
	out->gamma_size = gamma_size;
	out->cursor_w = cursor_w;
	out->cursor_h = cursor_h;
}

static void output_done(void *data, struct lumen_display_output_v1 *proxy) {
	struct ctl_output *out = data;
	out->modes_reset = true;
}

static void output_removed(void *data, struct lumen_display_output_v1 *proxy) {
	struct ctl_output *out = data;
	out->removed = true;
}

static const struct lumen_display_output_v1_listener output_listener = {
	.name = output_name,
	.description = output_description,
	.physical_size = output_physical_size,
	.mode = output_mode,
	.format = output_format,
	.state = output_state,
	.done = output_done,
	.removed = output_removed,
};

static void display_output(void *data, struct lumen_display_v1 *global,
		struct lumen_display_output_v1 *proxy) {
	struct ctl *ctl = data;
	struct ctl_output *out = calloc(1, sizeof(*out));
	if (!out) {
		fprintf(stderr, "lumen-displayctl: out of memory\n");
		exit(1);
	}
	out->ctl = ctl;
	out->proxy = proxy;
	lumen_display_output_v1_add_listener(proxy, &output_listener, out);
	out->next = ctl->outputs;
	ctl->outputs = out;
}

static void display_render_node(void *data, struct lumen_display_v1 *global, int fd) {
	close(fd);
}

static void display_done(void *data, struct lumen_display_v1 *global) {
	struct ctl *ctl = data;
	ctl->done = true;
}

static const struct lumen_display_v1_listener display_listener = {
	.output = display_output,
	.render_node = display_render_node,
	.done = display_done,
};

static void registry_global(void *data, struct wl_registry *registry, uint32_t name,
		const char *interface, uint32_t version) {
	struct ctl *ctl = data;
	if (strcmp(interface, lumen_display_v1_interface.name) == 0 && !ctl->global) {
		ctl->global = wl_registry_bind(registry, name, &lumen_display_v1_interface, 1);
		lumen_display_v1_add_listener(ctl->global, &display_listener, ctl);
	}
}

static void registry_global_remove(void *data, struct wl_registry *registry, uint32_t name) {
}

static const struct wl_registry_listener registry_listener = {
	.global = registry_global,
	.global_remove = registry_global_remove,
};

/* Says what went wrong on the connection; libwayland has logged the message itself. */
static int connection_failed(struct ctl *ctl) {
	int err = wl_display_get_error(ctl->display);
	if (err == EPROTO) {
		const struct wl_interface *interface = NULL;
		uint32_t id = 0;
		uint32_t code = wl_display_get_protocol_error(ctl->display, &interface, &id);
		if (interface == &lumen_display_v1_interface &&
				code == LUMEN_DISPLAY_V1_ERROR_MASTER_TAKEN) {
			fprintf(stderr, "lumen-displayctl: a master (the compositor) is connected; "
				"modes are its to set\n");
		} else {
			fprintf(stderr, "lumen-displayctl: the server refused: %s error %u\n",
				interface ? interface->name : "?", code);
		}
	} else {
		fprintf(stderr, "lumen-displayctl: connection lost: %s\n", strerror(err));
	}
	return 1;
}

static bool roundtrip(struct ctl *ctl) {
	return wl_display_roundtrip(ctl->display) >= 0;
}

static struct ctl_output *find_output(struct ctl *ctl, const char *name) {
	for (struct ctl_output *out = ctl->outputs; out; out = out->next) {
		if (!out->removed && strcmp(out->name, name) == 0) {
			return out;
		}
	}
	fprintf(stderr, "lumen-displayctl: no output named '%s'\n", name);
	return NULL;
}

static bool parse_mode(const char *s, int32_t *w, int32_t *h, int32_t *refresh) {
	char *end;
	long lw = strtol(s, &end, 10);
	if (end == s || *end != 'x') {
		return false;
	}
	const char *hs = end + 1;
	long lh = strtol(hs, &end, 10);
	if (end == hs) {
		return false;
	}
	double hz = 0;
	if (*end == '@') {
		const char *rs = end + 1;
		hz = strtod(rs, &end);
		if (end == rs || !(hz > 0) || hz > 1000) {
			return false;
		}
	}
	if (*end != '\0' || lw <= 0 || lh <= 0 || lw > 16384 || lh > 16384) {
		return false;
	}
	*w = (int32_t)lw;
	*h = (int32_t)lh;
	*refresh = (int32_t)(hz * 1000.0 + 0.5);
	return true;
}

/* stats */

static void stats_stats(void *data, struct lumen_display_stats_v1 *stats, uint32_t bytes_hi,
		uint32_t bytes_lo, uint32_t presented, uint32_t discarded) {
	struct ctl_output *out = data;
	out->bytes_copied = ((uint64_t)bytes_hi << 32) | bytes_lo;
	out->presented = presented;
	out->discarded = discarded;
	lumen_display_stats_v1_destroy(stats);
}

static const struct lumen_display_stats_v1_listener stats_listener = {
	.stats = stats_stats,
};

static int cmd_list(struct ctl *ctl) {
	for (struct ctl_output *out = ctl->outputs; out; out = out->next) {
		struct lumen_display_stats_v1 *stats = lumen_display_output_v1_get_stats(out->proxy);
		lumen_display_stats_v1_add_listener(stats, &stats_listener, out);
	}
	if (!roundtrip(ctl)) {
		return connection_failed(ctl);
	}
	/* Oldest first: the order the server announced them. */
	size_t n = 0;
	for (struct ctl_output *out = ctl->outputs; out; out = out->next) {
		n++;
	}
	for (size_t i = n; i > 0; i--) {
		struct ctl_output *out = ctl->outputs;
		for (size_t j = 1; j < i; j++) {
			out = out->next;
		}
		if (out->removed) {
			continue;
		}
		printf("%s\n", out->name);
		printf("  make: %s  model: %s  serial: %s\n", out->make, out->model, out->serial);
		printf("  physical size: %dx%d mm\n", out->phys_w, out->phys_h);
		printf("  enabled: %s  power: %s  gamma size: %u  cursor: %dx%d\n",
			out->enabled ? "yes" : "no", out->power_on ? "on" : "off", out->gamma_size,
			out->cursor_w, out->cursor_h);
		printf("  formats: %zu\n", out->n_formats);
		printf("  bytes copied: %llu  presented: %u  discarded: %u\n",
			(unsigned long long)out->bytes_copied, out->presented, out->discarded);
		printf("  modes:\n");
		for (size_t m = 0; m < out->n_modes; m++) {
			const struct ctl_mode *mode = &out->modes[m];
			bool current = mode->flags & LUMEN_DISPLAY_OUTPUT_V1_MODE_FLAGS_CURRENT;
			bool preferred = mode->flags & LUMEN_DISPLAY_OUTPUT_V1_MODE_FLAGS_PREFERRED;
			printf("    %dx%d@%d.%03d Hz%s%s%s%s\n", mode->width, mode->height,
				mode->refresh / 1000, mode->refresh % 1000,
				current || preferred ? " (" : "", current ? "current" : "",
				current && preferred ? ", " : "", preferred ? "preferred)" : current ? ")" : "");
		}
	}
	return 0;
}

static int cmd_add(struct ctl *ctl, const char *mode_str) {
	int32_t w, h, refresh;
	if (!parse_mode(mode_str, &w, &h, &refresh)) {
		fprintf(stderr, "lumen-displayctl: bad mode '%s' (WxH or WxH@Hz)\n", mode_str);
		return 2;
	}
	struct ctl_output *before = ctl->outputs;
	lumen_display_v1_create_virtual_output(ctl->global, w, h, refresh ? refresh : 60000);
	if (!roundtrip(ctl)) {
		return connection_failed(ctl);
	}
	if (ctl->outputs == before) {
		fprintf(stderr, "lumen-displayctl: no output appeared\n");
		return 1;
	}
	printf("%s\n", ctl->outputs->name);
	return 0;
}

static int cmd_remove(struct ctl *ctl, const char *name) {
	struct ctl_output *out = find_output(ctl, name);
	if (!out) {
		return 1;
	}
	lumen_display_output_v1_remove(out->proxy);
	if (!roundtrip(ctl)) {
		return connection_failed(ctl);
	}
	if (!out->removed) {
		fprintf(stderr, "lumen-displayctl: %s was not removed\n", name);
		return 1;
	}
	return 0;
}

/* configure */

struct configure_result {
	bool done, ok;
	char reason[256];
};

static void configure_succeeded(void *data, struct lumen_display_configure_v1 *proxy) {
	struct configure_result *result = data;
	result->done = result->ok = true;
	lumen_display_configure_v1_destroy(proxy);
}

static void configure_failed(void *data, struct lumen_display_configure_v1 *proxy,
		const char *reason) {
	struct configure_result *result = data;
	result->done = true;
	snprintf(result->reason, sizeof(result->reason), "%s", reason);
	lumen_display_configure_v1_destroy(proxy);
}

static const struct lumen_display_configure_v1_listener configure_listener = {
	.succeeded = configure_succeeded,
	.failed = configure_failed,
};

static int cmd_mode(struct ctl *ctl, const char *name, const char *mode_str) {
	int32_t w, h, refresh;
	if (!parse_mode(mode_str, &w, &h, &refresh)) {
		fprintf(stderr, "lumen-displayctl: bad mode '%s' (WxH or WxH@Hz)\n", mode_str);
		return 2;
	}
	struct ctl_output *out = find_output(ctl, name);
	if (!out) {
		return 1;
	}
	/* Modes are the master's: take the role for this one request, which fails with
	 * master_taken when the compositor holds it. Leaving gives it back. */
	lumen_display_v1_become_master(ctl->global);
	struct configure_result result = {0};
	struct lumen_display_configure_v1 *configure =
		lumen_display_output_v1_configure(out->proxy, w, h, refresh, 1, 0);
	lumen_display_configure_v1_add_listener(configure, &configure_listener, &result);
	while (!result.done) {
		if (wl_display_dispatch(ctl->display) < 0) {
			return connection_failed(ctl);
		}
	}
	if (!result.ok) {
		fprintf(stderr, "lumen-displayctl: %s cannot take %s: %s\n", name, mode_str,
			result.reason);
		return 1;
	}
	return 0;
}

/* capture */

struct capture_result {
	bool done, ok;
	char reason[256];
};

static void capture_done(void *data, struct lumen_display_capture_v1 *proxy, uint32_t sec_hi,
		uint32_t sec_lo, uint32_t nsec) {
	struct capture_result *result = data;
	result->done = result->ok = true;
	lumen_display_capture_v1_destroy(proxy);
}

static void capture_failed(void *data, struct lumen_display_capture_v1 *proxy,
		const char *reason) {
	struct capture_result *result = data;
	result->done = true;
	snprintf(result->reason, sizeof(result->reason), "%s", reason);
	lumen_display_capture_v1_destroy(proxy);
}

static const struct lumen_display_capture_v1_listener capture_listener = {
	.done = capture_done,
	.failed = capture_failed,
};

static bool write_png(const char *path, const uint8_t *pixels, int32_t w, int32_t h,
		int32_t stride) {
	FILE *f = fopen(path, "wb");
	if (!f) {
		fprintf(stderr, "lumen-displayctl: cannot write %s: %s\n", path, strerror(errno));
		return false;
	}
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	uint8_t *row = malloc((size_t)w * 3);
	if (!png || !info || !row) {
		png_destroy_write_struct(&png, info ? &info : NULL);
		free(row);
		fclose(f);
		fprintf(stderr, "lumen-displayctl: out of memory\n");
		return false;
	}
	if (setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, &info);
		free(row);
		fclose(f);
		fprintf(stderr, "lumen-displayctl: cannot write %s\n", path);
		return false;
	}
	png_init_io(png, f);
	png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB,
		PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (int32_t y = 0; y < h; y++) {
		const uint32_t *src = (const uint32_t *)(pixels + (size_t)y * (size_t)stride);
		for (int32_t x = 0; x < w; x++) {
			row[x * 3 + 0] = (uint8_t)(src[x] >> 16);
			row[x * 3 + 1] = (uint8_t)(src[x] >> 8);
			row[x * 3 + 2] = (uint8_t)src[x];
		}
		png_write_row(png, row);
	}
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	free(row);
	if (fclose(f) != 0) {
		fprintf(stderr, "lumen-displayctl: cannot write %s: %s\n", path, strerror(errno));
		return false;
	}
	return true;
}

static int cmd_capture(struct ctl *ctl, const char *name, const char *path) {
	struct ctl_output *out = find_output(ctl, name);
	if (!out) {
		return 1;
	}
	int32_t w = 0, h = 0;
	for (size_t i = 0; i < out->n_modes; i++) {
		if (out->modes[i].flags & LUMEN_DISPLAY_OUTPUT_V1_MODE_FLAGS_CURRENT) {
			w = out->modes[i].width;
			h = out->modes[i].height;
		}
	}
	if (!out->enabled || w <= 0 || h <= 0) {
		fprintf(stderr, "lumen-displayctl: %s is disabled\n", name);
		return 1;
	}
	int32_t stride = w * 4;
	size_t size = (size_t)stride * (size_t)h;
	int fd = lumen_shm_create(size);
	if (fd < 0) {
		fprintf(stderr, "lumen-displayctl: cannot create shm: %s\n", strerror(errno));
		return 1;
	}
	struct capture_result result = {0};
	struct lumen_display_capture_v1 *capture =
		lumen_display_output_v1_capture(out->proxy, fd, w, h, stride, FORMAT_XRGB8888);
	lumen_display_capture_v1_add_listener(capture, &capture_listener, &result);
	while (!result.done) {
		if (wl_display_dispatch(ctl->display) < 0) {
			close(fd);
			return connection_failed(ctl);
		}
	}
	if (!result.ok) {
		close(fd);
		fprintf(stderr, "lumen-displayctl: cannot capture %s: %s\n", name, result.reason);
		return 1;
	}
	void *pixels = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (pixels == MAP_FAILED) {
		fprintf(stderr, "lumen-displayctl: cannot map the capture: %s\n", strerror(errno));
		return 1;
	}
	bool ok = write_png(path, pixels, w, h, stride);
	munmap(pixels, size);
	return ok ? 0 : 1;
}

static void usage(FILE *f) {
	fprintf(f,
		"usage: lumen-displayctl [--socket NAME] COMMAND\n"
		"  list                     outputs, modes, state, bytes copied\n"
		"  add WxH[@Hz]             hotplug a virtual output\n"
		"  remove NAME              unplug a virtual output\n"
		"  mode NAME WxH[@Hz]       set a mode (only while no compositor is the master)\n"
		"  capture NAME FILE.png    write what the output shows to a PNG\n"
		"The socket: --socket, else $LUMEN_DISPLAY_SOCKET, else lumen-display-0.\n");
}

static void ctl_finish(struct ctl *ctl) {
	struct ctl_output *out = ctl->outputs;
	while (out) {
		struct ctl_output *next = out->next;
		lumen_display_output_v1_destroy(out->proxy);
		free(out);
		out = next;
	}
	if (ctl->global) {
		lumen_display_v1_destroy(ctl->global);
	}
	wl_display_disconnect(ctl->display);
}

int main(int argc, char *argv[]) {
	const char *socket = getenv("LUMEN_DISPLAY_SOCKET");
	int i = 1;
	if (i < argc && (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)) {
		usage(stdout);
		return 0;
	}
	if (i + 1 < argc && strcmp(argv[i], "--socket") == 0) {
		socket = argv[i + 1];
		i += 2;
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[i];
	int nargs = argc - i - 1;
	char **args = argv + i + 1;
	bool known = (strcmp(cmd, "list") == 0 && nargs == 0) ||
		(strcmp(cmd, "add") == 0 && nargs == 1) || (strcmp(cmd, "remove") == 0 && nargs == 1) ||
		(strcmp(cmd, "mode") == 0 && nargs == 2) || (strcmp(cmd, "capture") == 0 && nargs == 2);
	if (!known) {
		fprintf(stderr, "lumen-displayctl: unknown command or wrong arguments: %s\n", cmd);
		usage(stderr);
		return 2;
	}
	if (!socket || !socket[0]) {
		socket = "lumen-display-0";
	}
	struct ctl ctl = {0};
	ctl.display = wl_display_connect(socket);
	if (!ctl.display) {
		fprintf(stderr, "lumen-displayctl: cannot connect to %s: %s (is lumen-displayd "
			"running?)\n", socket, strerror(errno));
		return 1;
	}
	struct wl_registry *registry = wl_display_get_registry(ctl.display);
	wl_registry_add_listener(registry, &registry_listener, &ctl);
	int ret = 1;
	if (!roundtrip(&ctl)) {
		ret = connection_failed(&ctl);
		goto out;
	}
	if (!ctl.global) {
		fprintf(stderr, "lumen-displayctl: %s does not offer lumen_display_v1\n", socket);
		goto out;
	}
	while (!ctl.done) {
		if (wl_display_dispatch(ctl.display) < 0) {
			ret = connection_failed(&ctl);
			goto out;
		}
	}
	if (strcmp(cmd, "list") == 0) {
		ret = cmd_list(&ctl);
	} else if (strcmp(cmd, "add") == 0) {
		ret = cmd_add(&ctl, args[0]);
	} else if (strcmp(cmd, "remove") == 0) {
		ret = cmd_remove(&ctl, args[0]);
	} else if (strcmp(cmd, "mode") == 0) {
		ret = cmd_mode(&ctl, args[0], args[1]);
	} else {
		ret = cmd_capture(&ctl, args[0], args[1]);
	}
out:
	wl_registry_destroy(registry);
	ctl_finish(&ctl);
	return ret;
}
