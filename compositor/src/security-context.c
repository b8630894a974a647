/*
 * wp-security-context-v1: a sandbox engine (Flatpak, ...) hands us a listening socket
 * with metadata; clients that connect through it are sandboxed: they see only the
 * ordinary globals (trust.c's filter asks comp_security_context_is_sandboxed), are never
 * trusted, and may not make security contexts of their own (error "nested"). We stop
 * listening when the engine closes its end of close_fd.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "common/log.h"
#include "protocols-ext.h"
#include "security-context-v1-protocol.h"
#include "server.h"

#define SECURITY_CONTEXT_VERSION 1

struct comp_security_context {
	struct comp_server *server;
	struct wl_global *global;
	struct wl_list listeners; // comp_sc_listener.link, committed ones
	struct wl_list clients; // comp_sc_client.link
};

/* One wp_security_context_v1: pending until commit, then a listener on its socket. */
struct comp_sc_listener {
	struct wl_list link; // comp_security_context.listeners once committed
	struct comp_security_context *sc;
	struct wl_resource *resource; // NULL once the object is gone (the listener goes on)
	int listen_fd, close_fd;
	char *engine, *app_id, *instance_id; // may be NULL
	bool committed;
	struct wl_event_source *listen_source, *close_source;
};

struct comp_sc_client {
	struct wl_list link; // comp_security_context.clients
	struct wl_client *client;
	struct comp_sc_listener *listener; // NULL once that listener closed
	char *engine, *app_id, *instance_id; // copies: the listener may go first
	struct wl_listener destroy;
};

static struct comp_security_context *get_sc(struct comp_server *server) {
	return server->ext ? server->ext->security_context : NULL;
}

static struct comp_sc_client *find_client(struct comp_security_context *sc,
		const struct wl_client *client) {
	struct comp_sc_client *c;
	wl_list_for_each(c, &sc->clients, link) {
		if (c->client == client) {
			return c;
		}
	}
	return NULL;
}

bool comp_security_context_is_sandboxed(struct comp_server *server,
		const struct wl_client *client) {
	struct comp_security_context *sc = get_sc(server);
	return sc && find_client(sc, client);
}

static void sc_client_free(struct comp_sc_client *c) {
	wl_list_remove(&c->link);
	wl_list_remove(&c->destroy.link);
	free(c->engine);
	free(c->app_id);
	free(c->instance_id);
	free(c);
}

static void handle_client_destroy(struct wl_listener *listener, void *data) {
	struct comp_sc_client *c = wl_container_of(listener, c, destroy);
	sc_client_free(c);
}

static char *dup_or_null(const char *s) {
	return s ? strdup(s) : NULL;
}

static int handle_listen(int fd, uint32_t mask, void *data) {
	struct comp_sc_listener *l = data;
	struct comp_security_context *sc = l->sc;
	int client_fd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	if (client_fd < 0) {
		lumen_log_errno(LUMEN_WARN, "security context socket: accept");
		return 0;
	}
	struct comp_sc_client *c = calloc(1, sizeof(*c));
	if (!c) {
		close(client_fd);
		return 0;
	}
	c->engine = dup_or_null(l->engine);
	c->app_id = dup_or_null(l->app_id);
	c->instance_id = dup_or_null(l->instance_id);
	/* Recorded before the event loop runs again: the filter knows it from its first bind. */
	c->client = wl_client_create(sc->server->display, client_fd);
	if (!c->client) {
		free(c->engine);
		free(c->app_id);
		free(c->instance_id);
		free(c);
		close(client_fd);
		return 0;
	}
	c->listener = l;
	c->destroy.notify = handle_client_destroy;
	wl_client_add_destroy_listener(c->client, &c->destroy);
	wl_list_insert(&sc->clients, &c->link);
	lumen_log(LUMEN_INFO, "sandboxed client connected (engine %s, app %s, instance %s)",
		c->engine ? c->engine : "-", c->app_id ? c->app_id : "-",
		c->instance_id ? c->instance_id : "-");
	return 0;
}

static void listener_close(struct comp_sc_listener *l) {
	if (l->listen_source) {
		wl_event_source_remove(l->listen_source);
		l->listen_source = NULL;
	}
	if (l->close_source) {
		wl_event_source_remove(l->close_source);
		l->close_source = NULL;
	}
	if (l->listen_fd >= 0) {
		close(l->listen_fd);
		l->listen_fd = -1;
	}
	if (l->close_fd >= 0) {
		close(l->close_fd);
		l->close_fd = -1;
	}
	if (l->sc) {
		struct comp_sc_client *c;
		wl_list_for_each(c, &l->sc->clients, link) {
			if (c->listener == l) {
				c->listener = NULL;
			}
		}
	}
}

static void listener_free(struct comp_sc_listener *l) {
	listener_close(l);
	if (l->committed) {
		wl_list_remove(&l->link);
	}
	free(l->engine);
	free(l->app_id);
	free(l->instance_id);
	free(l);
}

static int handle_close(int fd, uint32_t mask, void *data) {
	struct comp_sc_listener *l = data;
	/* The engine closed its end: no new clients; those connected stay sandboxed. */
	lumen_log(LUMEN_INFO, "security context of %s closed by its engine",
		l->engine ? l->engine : "an unnamed engine");
	if (l->resource) {
		listener_close(l);
	} else {
		listener_free(l);
	}
	return 0;
}

static const struct wp_security_context_v1_interface context_impl;

static struct comp_sc_listener *listener_from_resource(struct wl_resource *resource) {
	wl_resource_instance_of(resource, &wp_security_context_v1_interface, &context_impl);
	return wl_resource_get_user_data(resource);
}

static bool check_settable(struct wl_resource *resource, struct comp_sc_listener *l,
		char *field) {
	if (l->committed) {
		wl_resource_post_error(resource, WP_SECURITY_CONTEXT_V1_ERROR_ALREADY_USED,
			"the security context was already committed");
		return false;
	}
	if (field) {
		wl_resource_post_error(resource, WP_SECURITY_CONTEXT_V1_ERROR_ALREADY_SET,
			"this metadata was already set");
		return false;
	}
	return true;
}

static void context_set(struct wl_resource *resource, char **field, const char *value) {
	struct comp_sc_listener *l = listener_from_resource(resource);
	if (!check_settable(resource, l, *field)) {
		return;
	}
	if (value[0] == '\0') {
		wl_resource_post_error(resource, WP_SECURITY_CONTEXT_V1_ERROR_INVALID_METADATA,
			"empty metadata");
		return;
	}
	*field = strdup(value);
	if (!*field) {
		wl_resource_post_no_memory(resource);
	}
}

static void context_handle_set_engine(struct wl_client *client, struct wl_resource *resource,
		const char *name) {
	struct comp_sc_listener *l = listener_from_resource(resource);
	context_set(resource, &l->engine, name);
}

static void context_handle_set_app_id(struct wl_client *client, struct wl_resource *resource,
		const char *app_id) {
	struct comp_sc_listener *l = listener_from_resource(resource);
	context_set(resource, &l->app_id, app_id);
}

static void context_handle_set_instance_id(struct wl_client *client,
		struct wl_resource *resource, const char *instance_id) {
	struct comp_sc_listener *l = listener_from_resource(resource);
	context_set(resource, &l->instance_id, instance_id);
}

static void context_handle_commit(struct wl_client *client, struct wl_resource *resource) {
	struct comp_sc_listener *l = listener_from_resource(resource);
	if (l->committed) {
		wl_resource_post_error(resource, WP_SECURITY_CONTEXT_V1_ERROR_ALREADY_USED,
			"the security context was already committed");
		return;
	}
	l->committed = true;
	wl_list_insert(&l->sc->listeners, &l->link);
	struct wl_event_loop *loop = l->sc->server->loop;
	l->listen_source = wl_event_loop_add_fd(loop, l->listen_fd, WL_EVENT_READABLE,
		handle_listen, l);
	/* close_fd polls readable or hung up once the engine's end is closed. */
	l->close_source = wl_event_loop_add_fd(loop, l->close_fd, 0, handle_close, l);
	if (!l->listen_source || !l->close_source) {
		listener_close(l);
		wl_client_post_no_memory(client);
		return;
	}
	lumen_log(LUMEN_INFO, "security context committed (engine %s, app %s)",
		l->engine ? l->engine : "-", l->app_id ? l->app_id : "-");
}

static void context_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static const struct wp_security_context_v1_interface context_impl = {
	.destroy = context_handle_destroy,
	.set_sandbox_engine = context_handle_set_engine,
	.set_app_id = context_handle_set_app_id,
	.set_instance_id = context_handle_set_instance_id,
	.commit = context_handle_commit,
};

static void context_resource_destroy(struct wl_resource *resource) {
	struct comp_sc_listener *l = listener_from_resource(resource);
	if (!l) {
		return;
	}
	l->resource = NULL;
	/* Committed and still listening: it lives on until close_fd says otherwise. */
	if (!l->committed || l->listen_fd < 0) {
		listener_free(l);
	}
}

static void manager_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static bool is_listening_socket(int fd) {
	int listening = 0;
	socklen_t len = sizeof(listening);
	return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) == 0 && listening;
}

static void manager_handle_create_listener(struct wl_client *client,
		struct wl_resource *resource, uint32_t id, int32_t listen_fd, int32_t close_fd) {
	struct comp_security_context *sc = wl_resource_get_user_data(resource);
	if (find_client(sc, client)) {
		close(listen_fd);
		close(close_fd);
		wl_resource_post_error(resource, WP_SECURITY_CONTEXT_MANAGER_V1_ERROR_NESTED,
			"a sandboxed client may not create security contexts");
		return;
	}
	if (!is_listening_socket(listen_fd)) {
		close(listen_fd);
		close(close_fd);
		wl_resource_post_error(resource, WP_SECURITY_CONTEXT_MANAGER_V1_ERROR_INVALID_LISTEN_FD,
			"listen_fd is not a listening socket");
		return;
	}
	struct comp_sc_listener *l = calloc(1, sizeof(*l));
	if (!l) {
		close(listen_fd);
		close(close_fd);
		wl_client_post_no_memory(client);
		return;
	}
	wl_list_init(&l->link);
	l->sc = sc;
	l->listen_fd = listen_fd;
	l->close_fd = close_fd;
	l->resource = wl_resource_create(client, &wp_security_context_v1_interface,
		wl_resource_get_version(resource), id);
	if (!l->resource) {
		listener_free(l);
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(l->resource, &context_impl, l, context_resource_destroy);
}

static const struct wp_security_context_manager_v1_interface manager_impl = {
	.destroy = manager_handle_destroy,
	.create_listener = manager_handle_create_listener,
};

static void manager_bind(struct wl_client *client, void *data, uint32_t version,
		uint32_t id) {
	struct wl_resource *resource = wl_resource_create(client,
		&wp_security_context_manager_v1_interface, (int)version, id);
	if (!resource) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(resource, &manager_impl, data, NULL);
}

struct comp_security_context *comp_security_context_create(struct comp_server *server) {
	struct comp_security_context *sc = calloc(1, sizeof(*sc));
	if (!sc) {
		return NULL;
	}
	sc->server = server;
	wl_list_init(&sc->listeners);
	wl_list_init(&sc->clients);
	sc->global = wl_global_create(server->display, &wp_security_context_manager_v1_interface,
		SECURITY_CONTEXT_VERSION, sc, manager_bind);
	if (!sc->global) {
		free(sc);
		return NULL;
	}
	return sc;
}

void comp_security_context_destroy(struct comp_security_context *sc) {
	if (!sc) {
		return;
	}
	/* The clients are gone; committed listeners whose object went are still here. */
	struct comp_sc_listener *l, *tmp;
	wl_list_for_each_safe(l, tmp, &sc->listeners, link) {
		if (l->resource) {
			wl_resource_set_user_data(l->resource, NULL);
		}
		listener_free(l);
	}
	struct comp_sc_client *c, *ctmp;
	wl_list_for_each_safe(c, ctmp, &sc->clients, link) {
		sc_client_free(c);
	}
	wl_global_destroy(sc->global);
	free(sc);
}
