/*
 * The global filter. Privileged globals (screen capture, clipboard control,
 * virtual input, window and output management, gamma, input methods) are shown
 * only to trusted clients:
 *  - clients we start ourselves (autostart, exec bindings, `lumenctl exec`), which
 *    get a connection made by us through WAYLAND_SOCKET;
 *  - clients that connect to the trusted socket, "$WAYLAND_DISPLAY-trusted" in
 *    $XDG_RUNTIME_DIR (mode 0600). A sandbox hands its apps only the plain socket.
 * Everything else sees the ordinary globals only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "common/fd.h"
#include "common/log.h"
#include "protocols-ext.h"
#include "server.h"

struct comp_trusted_client {
	struct wl_list link; // comp_trust.clients
	struct wl_client *client;
	struct wl_listener destroy;
};

struct comp_trust {
	struct comp_server *server;
	struct wl_list clients; // comp_trusted_client.link
	int listen_fd;
	char path[108];
	struct wl_event_source *source;
};

static const char *const privileged[] = {
	"zwlr_screencopy_manager_v1",
	"zwlr_export_dmabuf_manager_v1",
	"zwlr_data_control_manager_v1",
	"zwp_virtual_keyboard_manager_v1",
	"zwlr_virtual_pointer_manager_v1",
	"zwlr_foreign_toplevel_manager_v1",
	"zwlr_output_manager_v1",
	"zwlr_output_power_manager_v1",
	"zwlr_gamma_control_manager_v1",
	"zwp_input_method_manager_v2",
	"zwlr_input_inhibit_manager_v1",
	/* Issue 5's (protocols-ext.h): a locker takes all input; window and workspace lists. */
	"ext_session_lock_manager_v1",
	"ext_foreign_toplevel_list_v1",
	"ext_workspace_manager_v1",
	/* Issue 8: the screen reader's key chords (reader-keys.c). */
	"lumen_reader_keys_v1",
};

static bool is_privileged(const struct wl_interface *iface) {
	for (size_t i = 0; i < sizeof(privileged) / sizeof(privileged[0]); i++) {
		if (strcmp(iface->name, privileged[i]) == 0) {
			return true;
		}
	}
	return false;
}

bool comp_trust_is_trusted(struct comp_trust *trust, const struct wl_client *client) {
	struct comp_trusted_client *tc;
	wl_list_for_each(tc, &trust->clients, link) {
		if (tc->client == client) {
			return true;
		}
	}
	return false;
}

static bool filter_global(const struct wl_client *client, const struct wl_global *global,
		void *data) {
	struct comp_trust *trust = data;
	if (!is_privileged(wl_global_get_interface(global))) {
		return true;
	}
	/* A sandboxed client (wp-security-context) is never trusted, whatever its socket. */
	if (comp_security_context_is_sandboxed(trust->server, client)) {
		return false;
	}
	return comp_trust_is_trusted(trust, client);
}

static void handle_client_destroy(struct wl_listener *listener, void *data) {
	struct comp_trusted_client *tc = wl_container_of(listener, tc, destroy);
	wl_list_remove(&tc->destroy.link);
	wl_list_remove(&tc->link);
	free(tc);
}

void comp_trust_client(struct comp_trust *trust, struct wl_client *client) {
	if (comp_trust_is_trusted(trust, client)) {
		return;
	}
	struct comp_trusted_client *tc = calloc(1, sizeof(*tc));
	if (!tc) {
		wl_client_post_no_memory(client);
		return;
	}
	tc->client = client;
	tc->destroy.notify = handle_client_destroy;
	wl_client_add_destroy_listener(client, &tc->destroy);
	wl_list_insert(&trust->clients, &tc->link);
}

static int handle_connection(int fd, uint32_t mask, void *data) {
	struct comp_trust *trust = data;
	int client_fd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	if (client_fd < 0) {
		lumen_log_errno(LUMEN_WARN, "trusted socket: accept");
		return 0;
	}
	struct wl_client *client = wl_client_create(trust->server->display, client_fd);
	if (!client) {
		close(client_fd);
		return 0;
	}
	comp_trust_client(trust, client);
	return 0;
}

struct comp_trust *comp_trust_create(struct comp_server *server) {
	struct comp_trust *trust = calloc(1, sizeof(*trust));
	if (!trust) {
		return NULL;
	}
	trust->server = server;
	trust->listen_fd = -1;
	wl_list_init(&trust->clients);
	wl_display_set_global_filter(server->display, filter_global, trust);
	return trust;
}

bool comp_trust_add_socket(struct comp_trust *trust, const char *name) {
	const char *runtime = getenv("XDG_RUNTIME_DIR");
	if (!runtime) {
		lumen_log(LUMEN_ERROR, "XDG_RUNTIME_DIR is not set");
		return false;
	}
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int len = snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/%s", runtime, name);
	if (len < 0 || (size_t)len >= sizeof(addr.sun_path)) {
		lumen_log(LUMEN_ERROR, "trusted socket path too long");
		return false;
	}
	snprintf(trust->path, sizeof(trust->path), "%s", addr.sun_path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		lumen_log_errno(LUMEN_ERROR, "trusted socket");
		return false;
	}
	unlink(addr.sun_path);
	/* Owner only, from the moment it exists. */
	mode_t old = umask(0077);
	int ret = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
	umask(old);
	if (ret != 0 || listen(fd, 16) != 0) {
		lumen_log_errno(LUMEN_ERROR, "cannot listen on %s", addr.sun_path);
		close(fd);
		return false;
	}
	trust->listen_fd = fd;
	trust->source = wl_event_loop_add_fd(trust->server->loop, fd, WL_EVENT_READABLE,
		handle_connection, trust);
	return true;
}

bool comp_trust_add_fd(struct comp_trust *trust, int fd) {
	/* Not for the clients we start; the path stays empty: the file is not ours to remove. */
	if (!lumen_fd_set_cloexec(fd, true) || !lumen_fd_set_nonblock(fd, true)) {
		lumen_log_errno(LUMEN_ERROR, "inherited trusted socket fd %d", fd);
		return false;
	}
	trust->listen_fd = fd;
	trust->source = wl_event_loop_add_fd(trust->server->loop, fd, WL_EVENT_READABLE,
		handle_connection, trust);
	return trust->source != NULL;
}

void comp_trust_destroy(struct comp_trust *trust) {
	if (!trust) {
		return;
	}
	struct comp_trusted_client *tc, *tmp;
	wl_list_for_each_safe(tc, tmp, &trust->clients, link) {
		wl_list_remove(&tc->destroy.link);
		wl_list_remove(&tc->link);
		free(tc);
	}
	if (trust->source) {
		wl_event_source_remove(trust->source);
	}
	if (trust->listen_fd >= 0) {
		close(trust->listen_fd);
		if (trust->path[0]) {
			unlink(trust->path);
		}
	}
	free(trust);
}
