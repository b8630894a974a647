/*
 * The server: the two sockets (plain and trusted, both the session user's alone), the
 * clients and whether each is trusted, the lumen_a11y_v1 global, and the idle flush that
 * sends consumers what providers changed, coalesced.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "common/log.h"
#include "core.h"
#include "lumen-a11y-v1-protocol.h"

#define A11Y_DEFAULT_SOCKET "lumen-a11y-0"
/* Consumers read whole trees in one request: room for a large one in the kernel's
 * buffer, since libwayland 1.21 drops a client whose buffer fills. */
#define A11Y_SNDBUF (8 * 1024 * 1024)

static void handle_client_destroy(struct wl_listener *listener, void *data) {
	struct a11y_client_info *info = wl_container_of(listener, info, destroy);
	/* libwayland tells this before it destroys the client's resources. */
	struct a11y_tree *tree;
	wl_list_for_each (tree, &info->server->trees, link) {
		if (tree->owner == info) {
			tree->owner = NULL;
		}
	}
	wl_list_remove(&info->link);
	wl_list_remove(&info->destroy.link);
	free(info);
}

struct a11y_client_info *a11y_client_info_get(struct a11y_server *server,
		struct wl_client *client) {
	struct a11y_client_info *info;
	wl_list_for_each (info, &server->clients, link) {
		if (info->client == client) {
			return info;
		}
	}
	return NULL;
}

static struct wl_client *add_client(struct a11y_server *server, int fd, bool trusted) {
	struct a11y_client_info *info = calloc(1, sizeof(*info));
	if (!info) {
		lumen_log(LUMEN_ERROR, "out of memory");
		close(fd);
		return NULL;
	}
	int size = A11Y_SNDBUF;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) != 0) {
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	}
	struct wl_client *client = wl_client_create(server->display, fd);
	if (!client) {
		lumen_log_errno(LUMEN_ERROR, "cannot create a client");
		close(fd);
		free(info);
		return NULL;
	}
	info->client = client;
	info->server = server;
	info->trusted = trusted;
	info->destroy.notify = handle_client_destroy;
	wl_client_add_destroy_listener(client, &info->destroy);
	wl_list_insert(&server->clients, &info->link);
	return client;
}

struct wl_client *a11y_server_add_client(struct a11y_server *server, int fd, bool trusted) {
	return add_client(server, fd, trusted);
}

/* A program named trusted in the config, judged by what the kernel says it runs. */
static bool exe_trusted(struct a11y_server *server, pid_t pid) {
	if (server->n_trusted_exes == 0) {
		return false;
	}
	char link[64], exe[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	ssize_t n = readlink(link, exe, sizeof(exe) - 1);
	if (n <= 0) {
		return false;
	}
	exe[n] = '\0';
	for (size_t i = 0; i < server->n_trusted_exes; i++) {
		if (strcmp(server->trusted_exes[i], exe) == 0) {
			return true;
		}
	}
	return false;
}

static void handle_accept(struct lumen_listener *listener, int client_fd,
		const struct ucred *cred, void *data) {
	struct a11y_server *server = data;
	bool trusted = listener == &server->sockets[1];
	if (!trusted && exe_trusted(server, cred->pid)) {
		trusted = true;
	}
	lumen_log(LUMEN_DEBUG, "client pid %d (%s)", (int)cred->pid,
		trusted ? "trusted" : "untrusted");
	add_client(server, client_fd, trusted);
}

/* Each socket is the session user's alone (common/listener.c); name-trusted is the
 * trusted one's. */
static bool open_socket(struct a11y_server *server, int which, const char *name,
		const char *suffix) {
	char full[sizeof(server->sockets[0].path)];
	int n = snprintf(full, sizeof(full), "%s%s", name, suffix);
	if (n < 0 || n >= (int)sizeof(full)) {
		lumen_log(LUMEN_ERROR, "socket path too long: %s%s", name, suffix);
		return false;
	}
	lumen_listener_set_accept(&server->sockets[which], handle_accept, server);
	return lumen_listener_open(&server->sockets[which], server->display, full,
		"lumen-a11yd");
}

/* lumen_a11y_v1 */

static void bus_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void bus_handle_create_provider(struct wl_client *client, struct wl_resource *resource,
		uint32_t id, const char *app_id) {
	struct a11y_server *server = wl_resource_get_user_data(resource);
	struct a11y_client_info *info = a11y_client_info_get(server, client);
	if (!info) {
		wl_client_post_no_memory(client);
		return;
	}
	if (!a11y_utf8_valid(app_id)) {
		wl_resource_post_error(resource, LUMEN_A11Y_V1_ERROR_INVALID_STRING,
			"app_id is not UTF-8");
		return;
	}
	if (info->n_providers >= A11Y_MAX_PROVIDERS_PER_CLIENT) {
		wl_resource_post_error(resource, LUMEN_A11Y_V1_ERROR_TOO_MANY,
			"more than %d providers", A11Y_MAX_PROVIDERS_PER_CLIENT);
		return;
	}
	a11y_tree_create(info, resource, id, app_id, 0);
}

/* Version 2: a trusted bridge publishes the tree of another process (AT-SPI2's apps). */
static void bus_handle_create_provider_for(struct wl_client *client,
		struct wl_resource *resource, uint32_t id, const char *app_id, int32_t pid) {
	struct a11y_server *server = wl_resource_get_user_data(resource);
	struct a11y_client_info *info = a11y_client_info_get(server, client);
	if (!info) {
		wl_client_post_no_memory(client);
		return;
	}
	if (!info->trusted) {
		wl_resource_post_error(resource, LUMEN_A11Y_V1_ERROR_NOT_TRUSTED,
			"only a trusted bridge may publish for another process");
		return;
	}
	if (pid <= 0) {
		wl_resource_post_error(resource, LUMEN_A11Y_V1_ERROR_INVALID_PID, "pid %d", pid);
		return;
	}
	if (!a11y_utf8_valid(app_id)) {
		wl_resource_post_error(resource, LUMEN_A11Y_V1_ERROR_INVALID_STRING,
			"app_id is not UTF-8");
		return;
	}
	if (info->n_providers >= A11Y_MAX_PROVIDERS_PER_CLIENT) {
		wl_resource_post_error(resource, LUMEN_A11Y_V1_ERROR_TOO_MANY,
			"more than %d providers", A11Y_MAX_PROVIDERS_PER_CLIENT);
		return;
	}
	a11y_tree_create(info, resource, id, app_id, (pid_t)pid);
}

static void bus_handle_create_consumer(struct wl_client *client, struct wl_resource *resource,
		uint32_t id) {
	struct a11y_server *server = wl_resource_get_user_data(resource);
	struct a11y_client_info *info = a11y_client_info_get(server, client);
	if (!info) {
		wl_client_post_no_memory(client);
		return;
	}
	if (!info->trusted) {
		pid_t pid;
		wl_client_get_credentials(client, &pid, NULL, NULL);
		lumen_log(LUMEN_INFO, "refused a consumer from untrusted pid %d", (int)pid);
		wl_resource_post_error(resource, LUMEN_A11Y_V1_ERROR_NOT_TRUSTED,
			"only assistive technologies the session trusts may read other clients");
		return;
	}
	if (info->n_consumers >= A11Y_MAX_CONSUMERS_PER_CLIENT) {
		wl_resource_post_error(resource, LUMEN_A11Y_V1_ERROR_TOO_MANY,
			"more than %d consumers", A11Y_MAX_CONSUMERS_PER_CLIENT);
		return;
	}
	a11y_consumer_create(server, resource, id);
}

static void bus_handle_create_window_manager(struct wl_client *client,
		struct wl_resource *resource, uint32_t id) {
	struct a11y_server *server = wl_resource_get_user_data(resource);
	struct a11y_client_info *info = a11y_client_info_get(server, client);
	if (!info) {
		wl_client_post_no_memory(client);
		return;
	}
	if (!info->trusted) {
		wl_resource_post_error(resource, LUMEN_A11Y_V1_ERROR_NOT_TRUSTED,
			"only the session's compositor may say which window is whose");
		return;
	}
	if (server->wm) {
		wl_resource_post_error(resource, LUMEN_A11Y_V1_ERROR_WM_TAKEN,
			"another client is the window manager");
		return;
	}
	a11y_wm_create(server, resource, id);
}

static const struct lumen_a11y_v1_interface bus_impl = {
	.destroy = bus_handle_destroy,
	.create_provider = bus_handle_create_provider,
	.create_consumer = bus_handle_create_consumer,
	.create_window_manager = bus_handle_create_window_manager,
	.create_provider_for = bus_handle_create_provider_for,
};

static void bus_bind(struct wl_client *client, void *data, uint32_t version, uint32_t id) {
	struct wl_resource *resource = wl_resource_create(client, &lumen_a11y_v1_interface,
		(int)version, id);
	if (!resource) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(resource, &bus_impl, data, NULL);
}

/* The flush: consumers hear each tree's changes once per turn of the loop, however many
 * commits a provider sent in it. */
static void handle_flush(void *data) {
	struct a11y_server *server = data;
	server->flush_idle = NULL;
	struct a11y_tree *tree;
	wl_list_for_each (tree, &server->trees, link) {
		a11y_tree_flush(tree);
	}
	a11y_server_update_focus(server);
}

void a11y_server_schedule_flush(struct a11y_server *server) {
	if (!server->flush_idle) {
		server->flush_idle = wl_event_loop_add_idle(server->loop, handle_flush, server);
		if (!server->flush_idle) {
			lumen_log(LUMEN_ERROR, "out of memory: changes wait for the next");
		}
	}
}

struct a11y_server *a11y_server_create(const struct a11y_server_options *options) {
	struct a11y_server *server = calloc(1, sizeof(*server));
	if (!server) {
		lumen_log(LUMEN_ERROR, "out of memory");
		return NULL;
	}
	for (int i = 0; i < 2; i++) {
		lumen_listener_init(&server->sockets[i]);
	}
	wl_list_init(&server->clients);
	wl_list_init(&server->trees);
	wl_list_init(&server->consumers);
	wl_list_init(&server->windows);
	wl_list_init(&server->actions);
	server->next_tree_id = 1;
	if (options->n_trusted_exes > 0) {
		server->trusted_exes = calloc(options->n_trusted_exes, sizeof(char *));
		if (!server->trusted_exes) {
			goto fail_early;
		}
		for (size_t i = 0; i < options->n_trusted_exes; i++) {
			server->trusted_exes[i] = strdup(options->trusted_exes[i]);
			if (!server->trusted_exes[i]) {
				goto fail_early;
			}
			server->n_trusted_exes++;
		}
	}
	server->display = wl_display_create();
	if (!server->display) {
		lumen_log(LUMEN_ERROR, "cannot create the display");
		goto fail_early;
	}
	server->loop = wl_display_get_event_loop(server->display);
	server->global = wl_global_create(server->display, &lumen_a11y_v1_interface, 2, server,
		bus_bind);
	if (!server->global) {
		goto fail;
	}
	if (!options->no_socket) {
		const char *name = options->socket ? options->socket : A11Y_DEFAULT_SOCKET;
		if (!open_socket(server, 0, name, "") || !open_socket(server, 1, name, "-trusted")) {
			goto fail;
		}
	}
	return server;
fail_early:
	lumen_log(LUMEN_ERROR, "out of memory");
fail:
	a11y_server_destroy(server);
	return NULL;
}

void a11y_server_destroy(struct a11y_server *server) {
	if (!server) {
		return;
	}
	for (int i = 0; i < 2; i++) {
		lumen_listener_finish(&server->sockets[i]);
	}
	if (server->display) {
		wl_display_destroy_clients(server->display);
	}
	if (server->flush_idle) {
		wl_event_source_remove(server->flush_idle);
	}
	if (server->global) {
		wl_global_destroy(server->global);
	}
	if (server->display) {
		wl_display_destroy(server->display);
	}
	for (size_t i = 0; i < server->n_trusted_exes; i++) {
		free(server->trusted_exes[i]);
	}
	free(server->trusted_exes);
	free(server);
}

void a11y_server_run(struct a11y_server *server) {
	wl_display_run(server->display);
}

void a11y_server_terminate(struct a11y_server *server) {
	wl_display_terminate(server->display);
}

struct wl_display *a11y_server_get_display(struct a11y_server *server) {
	return server->display;
}

struct wl_event_loop *a11y_server_get_event_loop(struct a11y_server *server) {
	return server->loop;
}

const char *a11y_server_get_socket_path(struct a11y_server *server) {
	return server->sockets[0].path[0] ? server->sockets[0].path : NULL;
}

bool a11y_config_load(const char *path, char ***exes, size_t *n_exes) {
	FILE *f = fopen(path, "re");
	if (!f) {
		return errno == ENOENT;
	}
	char line[1024];
	int line_no = 0;
	bool ok = true;
	while (fgets(line, sizeof(line), f)) {
		line_no++;
		char *s = line;
		while (*s == ' ' || *s == '\t') {
			s++;
		}
		s[strcspn(s, "\r\n")] = '\0';
		if (*s == '\0' || *s == '#' || *s == ';' || *s == '[') {
			continue;
		}
		char *eq = strchr(s, '=');
		if (!eq) {
			lumen_log(LUMEN_WARN, "%s:%d: expected key = value", path, line_no);
			continue;
		}
		char *key_end = eq;
		while (key_end > s && (key_end[-1] == ' ' || key_end[-1] == '\t')) {
			key_end--;
		}
		*key_end = '\0';
		char *value = eq + 1;
		while (*value == ' ' || *value == '\t') {
			value++;
		}
		size_t vlen = strlen(value);
		while (vlen > 0 && (value[vlen - 1] == ' ' || value[vlen - 1] == '\t')) {
			value[--vlen] = '\0';
		}
		if (strcmp(s, "trusted") != 0) {
			lumen_log(LUMEN_WARN, "%s:%d: unknown key '%s'", path, line_no, s);
			continue;
		}
		if (value[0] != '/') {
			lumen_log(LUMEN_WARN, "%s:%d: trusted needs an absolute path", path, line_no);
			continue;
		}
		char **bigger = realloc(*exes, (*n_exes + 1) * sizeof(char *));
		if (!bigger) {
			ok = false;
			break;
		}
		*exes = bigger;
		(*exes)[*n_exes] = strdup(value);
		if (!(*exes)[*n_exes]) {
			ok = false;
			break;
		}
		(*n_exes)++;
	}
	fclose(f);
	return ok;
}
