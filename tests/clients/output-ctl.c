/*
 * lumen-test-output-ctl: puts the output power and gamma protocols to work on one
 * output, named as wl_output v4 names it, and prints what the compositor answered.
 *
 *   lumen-test-output-ctl power on|off OUTPUT
 *       zwlr_output_power_v1: prints "mode on|off" for each mode event, and exits
 *       once the mode asked for is reported ("failed" and status 1 if refused).
 *   lumen-test-output-ctl gamma OUTPUT
 *       zwlr_gamma_control_v1: prints "gamma size N", sets ramps that turn red off
 *       (red ramp all zero, green and blue identity), prints "gamma set", then keeps
 *       the control (and so the ramps) until killed; "failed" and status 1 if refused.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "common/fd.h"
#include "tc-common.h"
#include "wlr-gamma-control-unstable-v1-client-protocol.h"
#include "wlr-output-power-management-unstable-v1-client-protocol.h"

struct out {
	struct wl_output *wl_output;
	char name[64];
	struct out *next;
};

static struct out *outputs;
static struct zwlr_output_power_manager_v1 *power_manager;
static struct zwlr_gamma_control_manager_v1 *gamma_manager;
static bool finished, failed;
static uint32_t wanted_mode;

static void handle_output_geometry(void *data, struct wl_output *o, int32_t x, int32_t y,
		int32_t pw, int32_t ph, int32_t subpixel, const char *make, const char *model,
		int32_t transform) {
}

static void handle_output_mode(void *data, struct wl_output *o, uint32_t flags, int32_t w,
		int32_t h, int32_t refresh) {
}

static void handle_output_done(void *data, struct wl_output *o) {
}

static void handle_output_scale(void *data, struct wl_output *o, int32_t factor) {
}

static void handle_output_name(void *data, struct wl_output *o, const char *name) {
	struct out *out = data;
	snprintf(out->name, sizeof(out->name), "%s", name);
}

static void handle_output_description(void *data, struct wl_output *o, const char *desc) {
}

static const struct wl_output_listener output_listener = {
	.geometry = handle_output_geometry,
	.mode = handle_output_mode,
	.done = handle_output_done,
	.scale = handle_output_scale,
	.name = handle_output_name,
	.description = handle_output_description,
};

static void handle_global(void *data, struct wl_registry *registry, uint32_t name,
		const char *interface, uint32_t version) {
	if (strcmp(interface, wl_output_interface.name) == 0) {
		if (version < 4) {
			tc_die("wl_output version %u has no names", version);
		}
		struct out *out = calloc(1, sizeof(*out));
		if (!out) {
			tc_die("out of memory");
		}
		out->wl_output = tc_bind(registry, name, &wl_output_interface, version, 4);
		wl_output_add_listener(out->wl_output, &output_listener, out);
		out->next = outputs;
		outputs = out;
	} else if (strcmp(interface, zwlr_output_power_manager_v1_interface.name) == 0) {
		power_manager = tc_bind(registry, name, &zwlr_output_power_manager_v1_interface,
			version, 1);
	} else if (strcmp(interface, zwlr_gamma_control_manager_v1_interface.name) == 0) {
		gamma_manager = tc_bind(registry, name, &zwlr_gamma_control_manager_v1_interface,
			version, 1);
	}
}

static void handle_global_remove(void *data, struct wl_registry *registry, uint32_t name) {
}

static const struct wl_registry_listener registry_listener = {
	.global = handle_global,
	.global_remove = handle_global_remove,
};

static void handle_power_mode(void *data, struct zwlr_output_power_v1 *power, uint32_t mode) {
	printf("mode %s\n", mode == ZWLR_OUTPUT_POWER_V1_MODE_ON ? "on" : "off");
	fflush(stdout);
	if (mode == wanted_mode) {
		finished = true;
	}
}

static void handle_power_failed(void *data, struct zwlr_output_power_v1 *power) {
	printf("failed\n");
	finished = failed = true;
}

static const struct zwlr_output_power_v1_listener power_listener = {
	.mode = handle_power_mode,
	.failed = handle_power_failed,
};

static void handle_gamma_size(void *data, struct zwlr_gamma_control_v1 *control,
		uint32_t size) {
	printf("gamma size %u\n", size);
	size_t bytes = 3 * (size_t)size * sizeof(uint16_t);
	int fd = lumen_shm_create(bytes);
	uint16_t *ramps = calloc(3 * (size_t)size, sizeof(uint16_t));
	if (fd < 0 || !ramps) {
		tc_die("cannot make a gamma table");
	}
	for (uint32_t i = 0; i < size; i++) {
		uint16_t v = size > 1 ? (uint16_t)((uint64_t)i * 0xffff / (size - 1)) : 0xffff;
		ramps[i] = 0; // red: off
		ramps[size + i] = v;
		ramps[2 * size + i] = v;
	}
	if (pwrite(fd, ramps, bytes, 0) != (ssize_t)bytes) {
		tc_die("cannot write the gamma table");
	}
	free(ramps);
	zwlr_gamma_control_v1_set_gamma(control, fd);
	close(fd);
	printf("gamma set\n");
	fflush(stdout);
}

static void handle_gamma_failed(void *data, struct zwlr_gamma_control_v1 *control) {
	printf("failed\n");
	finished = failed = true;
}

static const struct zwlr_gamma_control_v1_listener gamma_listener = {
	.gamma_size = handle_gamma_size,
	.failed = handle_gamma_failed,
};

int main(int argc, char *argv[]) {
	tc_set_program_name("lumen-test-output-ctl");
	bool power = argc == 4 && strcmp(argv[1], "power") == 0 &&
		(strcmp(argv[2], "on") == 0 || strcmp(argv[2], "off") == 0);
	bool gamma = argc == 3 && strcmp(argv[1], "gamma") == 0;
	if (!power && !gamma) {
		fprintf(stderr, "usage: lumen-test-output-ctl power on|off OUTPUT | gamma OUTPUT\n");
		return 2;
	}
	const char *name = argv[argc - 1];
	tc_signals_init();
	struct wl_display *display = tc_connect();
	struct wl_registry *registry = wl_display_get_registry(display);
	wl_registry_add_listener(registry, &registry_listener, NULL);
	wl_display_roundtrip(display);
	wl_display_roundtrip(display);

	struct zwlr_output_power_v1 *p = NULL;
	struct zwlr_gamma_control_v1 *g = NULL;
	struct out *out = outputs;
	while (out && strcmp(out->name, name) != 0) {
		out = out->next;
	}
	if (!out) {
		tc_die("no output named %s", name);
	}
	if (power) {
		if (!power_manager) {
			tc_die("no zwlr_output_power_manager_v1");
		}
		wanted_mode = strcmp(argv[2], "on") == 0 ? ZWLR_OUTPUT_POWER_V1_MODE_ON
			: ZWLR_OUTPUT_POWER_V1_MODE_OFF;
		p = zwlr_output_power_manager_v1_get_output_power(power_manager, out->wl_output);
		zwlr_output_power_v1_add_listener(p, &power_listener, NULL);
		zwlr_output_power_v1_set_mode(p, wanted_mode);
	} else {
		if (!gamma_manager) {
			tc_die("no zwlr_gamma_control_manager_v1");
		}
		g = zwlr_gamma_control_manager_v1_get_gamma_control(gamma_manager, out->wl_output);
		zwlr_gamma_control_v1_add_listener(g, &gamma_listener, NULL);
	}
	while (!finished && !tc_signalled()) {
		if (!tc_dispatch(display, -1, -1, NULL)) {
			tc_die_disconnected(display);
		}
	}
	if (p) {
		zwlr_output_power_v1_destroy(p);
	}
	if (g) {
		zwlr_gamma_control_v1_destroy(g);
	}
	if (power_manager) {
		zwlr_output_power_manager_v1_destroy(power_manager);
	}
	if (gamma_manager) {
		zwlr_gamma_control_manager_v1_destroy(gamma_manager);
	}
	wl_registry_destroy(registry);
	while (outputs) {
		struct out *next = outputs->next;
		wl_output_destroy(outputs->wl_output);
		free(outputs);
		outputs = next;
	}
	wl_display_disconnect(display);
	return failed ? 1 : 0;
}
