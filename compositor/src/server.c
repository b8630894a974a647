/*
 * The server: one struct that owns everything (tinywl's shape). Creation order
 * matters: backend, renderer and allocator first, then the globals that need them,
 * then the scene and window management, then the sockets.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wlr/backend/headless.h>
#include <wlr/backend/multi.h>
#include <wlr/types/wlr_compositor.h>
#include <wlr/types/wlr_data_device.h>
#include <wlr/util/log.h>
#include "common/fd.h"
#include "common/log.h"
#include "display-backend.h"
#include "protocols-ext.h"
#include "renderer.h"
#include "input-backend.h"
#include "server.h"

static void handle_wlr_log(enum wlr_log_importance importance, const char *fmt, va_list args) {
	static const enum lumen_log_level levels[] = {
		[WLR_SILENT] = LUMEN_SILENT,
		[WLR_ERROR] = LUMEN_ERROR,
		[WLR_INFO] = LUMEN_INFO,
		[WLR_DEBUG] = LUMEN_DEBUG,
	};
	enum lumen_log_level level = importance < WLR_LOG_IMPORTANCE_LAST ? levels[importance]
		: LUMEN_DEBUG;
	lumen_log_vprintf(level, "wlroots", "wlr", 0, fmt, args);
}

static int other_backends;

static void find_headless(struct wlr_backend *backend, void *data) {
	struct comp_server *server = data;
	if (wlr_backend_is_headless(backend)) {
		server->headless = backend;
	} else if (!comp_backend_is_input(backend)) {
		other_backends++;
	}
}

/* Parses "1920x1080,1280x720@60" and adds those outputs to the headless backend. */
static void add_headless_outputs(struct comp_server *server, const char *spec) {
	char *copy = strdup(spec);
	if (!copy) {
		return;
	}
	char *save = NULL;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end = NULL;
		long w = strtol(tok, &end, 10);
		if (!end || *end != 'x') {
			lumen_log(LUMEN_ERROR, "bad headless output '%s': want WxH", tok);
			continue;
		}
		long h = strtol(end + 1, &end, 10);
		if (w <= 0 || h <= 0 || w > 16384 || h > 16384) {
			lumen_log(LUMEN_ERROR, "bad headless output size '%s'", tok);
			continue;
		}
		wlr_headless_add_output(server->headless, (unsigned)w, (unsigned)h);
	}
	free(copy);
}

static void handle_display_lost(void *data) {
	struct comp_server *server = data;
	/* Without displayd there is no screen: exit, and let the session start us again. */
	server->exit_status = 1;
	wl_display_terminate(server->display);
}

/*
 * The lumen-display socket to use: $LUMEN_DISPLAY if set (a failure to use it is then
 * an error), else lumen-display-0 when it exists in $XDG_RUNTIME_DIR. *explicit says
 * which.
 */
static const char *display_socket(bool *explicit) {
	const char *name = getenv("LUMEN_DISPLAY");
	*explicit = name && *name;
	if (*explicit) {
		return name;
	}
	const char *runtime = getenv("XDG_RUNTIME_DIR");
	if (!runtime) {
		return NULL;
	}
	char path[512];
	snprintf(path, sizeof(path), "%s/lumen-display-0", runtime);
	return access(path, F_OK) == 0 ? "lumen-display-0" : NULL;
}

/*
 * The lumen-input socket: $LUMEN_INPUT if set, else lumen-input-0 when it exists in
 * $XDG_RUNTIME_DIR. The backend connects again by itself if inputd restarts.
 */
static const char *input_socket(void) {
	const char *name = getenv("LUMEN_INPUT");
	if (name && *name) {
		return name;
	}
	const char *runtime = getenv("XDG_RUNTIME_DIR");
	if (!runtime) {
		return NULL;
	}
	char path[512];
	snprintf(path, sizeof(path), "%s/lumen-input-0", runtime);
	return access(path, F_OK) == 0 ? "lumen-input-0" : NULL;
}

static void add_input_backend(struct comp_server *server) {
	const char *name = input_socket();
	if (!name || !wlr_backend_is_multi(server->backend)) {
		return;
	}
	struct wlr_backend *input = comp_input_backend_create(server->display, name);
	if (input) {
		wlr_multi_backend_add(server->backend, input);
	}
}

/* displayd for outputs, plus a headless backend for the seat's virtual input devices. */
static bool create_display_backends(struct comp_server *server, const char *socket) {
	struct wlr_backend *display = comp_display_backend_create(server->display, socket,
		handle_display_lost, server);
	if (!display) {
		return false;
	}
	server->backend = wlr_multi_backend_create(server->display);
	server->headless = wlr_headless_backend_create(server->display);
	if (!server->backend || !server->headless) {
		wlr_backend_destroy(display);
		return false;
	}
	wlr_multi_backend_add(server->backend, display);
	wlr_multi_backend_add(server->backend, server->headless);
	server->display_backend = display;
	return true;
}

struct comp_server *comp_server_create(const struct comp_server_options *options) {
	lumen_log_route_wayland_server();
	wlr_log_init(lumen_log_get_level() >= LUMEN_DEBUG ? WLR_DEBUG : WLR_ERROR, handle_wlr_log);

	struct comp_server *server = calloc(1, sizeof(*server));
	if (!server) {
		return NULL;
	}
	server->options = *options;
	wl_list_init(&server->outputs);
	wl_list_init(&server->keyboards);
	server->next_view_id = 1;

	comp_config_init(&server->config);
	server->config_path = options->config_path ? strdup(options->config_path)
		: comp_config_default_path();
	if (server->config_path) {
		comp_config_load(&server->config, server->config_path);
	}

	server->display = wl_display_create();
	if (!server->display) {
		goto error;
	}
	server->loop = wl_display_get_event_loop(server->display);

	/*
	 * The headless backend makes one 1280x720 output unless told otherwise; when the
	 * caller names its outputs we want exactly those.
	 */
	if (options->headless_outputs) {
		setenv("WLR_HEADLESS_OUTPUTS", "0", 1);
	}
	bool explicit_display = false;
	const char *display_name = display_socket(&explicit_display);
	if (display_name && !create_display_backends(server, display_name)) {
		if (explicit_display) {
			lumen_log(LUMEN_ERROR, "LUMEN_DISPLAY=%s cannot be used", display_name);
			goto error;
		}
		lumen_log(LUMEN_INFO, "not using %s; trying the other backends", display_name);
	}
	if (!server->backend) {
		server->backend = wlr_backend_autocreate(server->display);
	}
	if (!server->backend) {
		lumen_log(LUMEN_ERROR, "no backend could be started");
		goto error;
	}
	add_input_backend(server);
	other_backends = 0;
	if (wlr_backend_is_multi(server->backend)) {
		wlr_multi_for_each_backend(server->backend, find_headless, server);
	} else {
		find_headless(server->backend, server);
	}

	/* GLES2 or pixman, chosen through gpu/ (renderer.c), logged with the reason. */
	server->renderer = comp_renderer_create(server->backend);
	if (!server->renderer) {
		lumen_log(LUMEN_ERROR, "no renderer could be created");
		goto error;
	}
	wlr_renderer_init_wl_display(server->renderer, server->display);
	server->allocator = wlr_allocator_autocreate(server->backend, server->renderer);
	if (!server->allocator) {
		lumen_log(LUMEN_ERROR, "no allocator could be created");
		goto error;
	}

	server->compositor = wlr_compositor_create(server->display, server->renderer);
	wlr_data_device_manager_create(server->display);

	server->trust = comp_trust_create(server);
	if (!server->trust) {
		goto error;
	}

	server->scene = wlr_scene_create();
	for (int i = 0; i < COMP_LAYER_COUNT; i++) {
		server->layers[i] = wlr_scene_tree_create(&server->scene->node);
	}
	server->output_layout = wlr_output_layout_create();
	wlr_scene_attach_output_layout(server->scene, server->output_layout);

	comp_workspaces_init(server);
	comp_output_init(server);
	comp_decoration_init(server);
	comp_xdg_shell_init(server);
	comp_layer_shell_init(server);
	comp_seat_init(server);
	comp_protocols_init(server);
	comp_protocols_ext_init(server);
	server->im_relay = comp_im_relay_create(server);
	server->atspi_keys = comp_atspi_keys_create(server);
	if (!options->no_xwayland) {
		comp_xwayland_init(server);
	}

	if (server->headless && (other_backends == 0 || server->display_backend)) {
		/*
		 * Headless alone: give the seat a keyboard and a pointer anyway, so that it
		 * looks like any desktop to clients (keyboard focus, selections) and so
		 * that remote input (VNC) has a keymap to speak of.
		 */
		wlr_headless_add_input_device(server->headless, WLR_INPUT_DEVICE_KEYBOARD);
		wlr_headless_add_input_device(server->headless, WLR_INPUT_DEVICE_POINTER);
	}
	return server;

error:
	comp_server_destroy(server);
	return NULL;
}

static void spawn_autostart(struct comp_server *server) {
	for (size_t i = 0; i < server->config.autostart.len; i++) {
		comp_spawn(server, server->config.autostart.items[i]);
	}
}

bool comp_server_start(struct comp_server *server) {
	const char *socket = NULL;
	if (server->options.wayland_fd > 0) {
		/* lumen-session's sockets: it keeps them, and their files, across our restarts. */
		int fd = server->options.wayland_fd;
		if (!server->options.socket_name || !lumen_fd_set_cloexec(fd, true) ||
				wl_display_add_socket_fd(server->display, fd) != 0) {
			lumen_log(LUMEN_ERROR, "cannot use the inherited socket fd %d", fd);
			return false;
		}
		socket = server->options.socket_name;
	} else if (server->options.socket_name) {
		if (wl_display_add_socket(server->display, server->options.socket_name) != 0) {
			lumen_log_errno(LUMEN_ERROR, "cannot open socket %s", server->options.socket_name);
			return false;
		}
		socket = server->options.socket_name;
	} else {
		socket = wl_display_add_socket_auto(server->display);
		if (!socket) {
			lumen_log(LUMEN_ERROR, "cannot open a wayland socket");
			return false;
		}
	}
	server->socket_name = strdup(socket);
	char trusted[256];
	snprintf(trusted, sizeof(trusted), "%s-trusted", socket);
	if (server->options.trusted_fd > 0 ? !comp_trust_add_fd(server->trust,
				server->options.trusted_fd) : !comp_trust_add_socket(server->trust, trusted)) {
		return false;
	}
	server->trusted_socket_name = strdup(trusted);

	if (!wlr_backend_start(server->backend)) {
		lumen_log(LUMEN_ERROR, "cannot start the backend");
		return false;
	}
	/* Added once started, each output arrives in order: the first is leftmost. */
	if (server->headless && !server->display_backend && server->options.headless_outputs) {
		add_headless_outputs(server, server->options.headless_outputs);
	}

	setenv("WAYLAND_DISPLAY", socket, 1);
	const char *runtime = getenv("XDG_RUNTIME_DIR");
	if (runtime) {
		char ipc_path[512];
		snprintf(ipc_path, sizeof(ipc_path), "%s/lumen-ipc.%s.sock", runtime, socket);
		server->ipc = comp_ipc_create(server, ipc_path);
		if (server->ipc) {
			setenv("LUMEN_IPC_SOCKET", ipc_path, 1);
		}
	}
	server->a11y = comp_a11y_create(server);
	lumen_log(LUMEN_INFO, "running on WAYLAND_DISPLAY=%s (trusted clients: %s)", socket, trusted);

	if (!server->options.no_autostart) {
		spawn_autostart(server);
	}
	for (size_t i = 0; i < 8 && server->options.startup_commands[i]; i++) {
		comp_spawn(server, server->options.startup_commands[i]);
	}
	return true;
}

void comp_server_run(struct comp_server *server) {
	wl_display_run(server->display);
}

void comp_server_terminate(struct comp_server *server) {
	wl_display_terminate(server->display);
}

struct wl_display *comp_server_get_display(struct comp_server *server) {
	return server->display;
}

int comp_server_exit_status(struct comp_server *server) {
	return server->exit_status;
}

const char *comp_server_socket_name(struct comp_server *server) {
	return server->socket_name;
}

bool comp_server_reload_config(struct comp_server *server, char *err, size_t errlen) {
	struct comp_config fresh;
	comp_config_init(&fresh);
	if (server->config_path && !comp_config_load(&fresh, server->config_path)) {
		snprintf(err, errlen, "cannot read %s", server->config_path);
		comp_config_finish(&fresh);
		return false;
	}
	comp_config_finish(&server->config);
	server->config = fresh;
	struct comp_output *output;
	wl_list_for_each(output, &server->outputs, link) {
		comp_output_apply_config(output);
	}
	comp_seat_apply_keyboard_config(server);
	comp_seat_apply_input_config(server);
	for (int i = 0; i < COMP_WORKSPACES; i++) {
		struct comp_view *view;
		wl_list_for_each(view, &server->workspaces[i].views, ws_link) {
			comp_view_update_ssd(view);
		}
	}
	lumen_log(LUMEN_INFO, "configuration reloaded from %s (%zu errors)",
		server->config_path ? server->config_path : "(none)", server->config.errors.len);
	return true;
}

void comp_server_destroy(struct comp_server *server) {
	if (!server) {
		return;
	}
	/* Before the clients go: Xwayland is one of them, and its shutdown needs the loop. */
	comp_xwayland_finish(server);
	if (server->display) {
		wl_display_destroy_clients(server->display);
	}
	comp_protocols_ext_finish(server);
	comp_ipc_destroy(server->ipc);
	comp_a11y_destroy(server->a11y);
	server->a11y = NULL;
	comp_atspi_keys_destroy(server->atspi_keys);
	server->atspi_keys = NULL;
	comp_im_relay_destroy(server->im_relay);
	if (server->backend) {
		wlr_backend_destroy(server->backend);
	}
	comp_seat_finish(server);
	comp_trust_destroy(server->trust);
	/* The layout first: the scene listens to it, and must still be there to hear it go. */
	if (server->output_layout) {
		wlr_output_layout_destroy(server->output_layout);
		server->output_layout = NULL;
	}
	if (server->scene) {
		wlr_scene_node_destroy(&server->scene->node);
	}
	if (server->allocator) {
		wlr_allocator_destroy(server->allocator);
	}
	if (server->renderer) {
		wlr_renderer_destroy(server->renderer);
	}
	if (server->display) {
		wl_display_destroy(server->display);
	}
	comp_decoration_finish();
	comp_config_finish(&server->config);
	free(server->config_path);
	free(server->socket_name);
	free(server->trusted_socket_name);
	free(server);
}
