/*
 * lib_a11y_client (a11y/client.h): a connection to lumen-a11yd that survives the bus
 * restarting, and trees published whole through it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <wayland-client.h>
#include "a11y/client.h"
#include "common/log.h"
#include "lumen-a11y-v1-client-protocol.h"

#define FLUSH_TIMEOUT_MS 500 // a bus that reads nothing for this long is given up
#define CHILDREN_PER_MESSAGE 512 // node_children ids per message (4096 bytes at most)

struct a11y_provider {
	struct a11y_client *client;
	struct wl_list link; // a11y_client.providers
	char *app_id;
	pid_t pid; // > 0: published for that process (create_provider_for)
	void *user;
	struct lumen_a11y_provider_v1 *proxy; // NULL while disconnected
};

struct a11y_client {
	char path[108];
	bool want_wm;
	const struct a11y_client_listener *listener;
	void *data;
	struct wl_display *display; // NULL while disconnected
	struct wl_registry *registry;
	struct lumen_a11y_v1 *bus;
	uint32_t bus_version;
	struct lumen_a11y_wm_v1 *wm;
	bool broken; // a write failed: torn down at the next dispatch
	bool ready; // the bus is bound: the connection is usable
	struct wl_callback *sync; // while connecting
	struct wl_list providers; // a11y_provider.link
};

static void provider_handle_action(void *data, struct lumen_a11y_provider_v1 *proxy,
		uint32_t serial, uint32_t node, uint32_t kind, const char *name,
		struct wl_array *value, int32_t start, int32_t end) {
	struct a11y_provider *provider = data;
	struct a11y_client *client = provider->client;
	struct a11y_action_request req = {
		.node = node,
		.kind = kind,
		.name = name,
		.start = start,
		.end = end,
	};
	if (value->size == sizeof(double)) {
		req.has_value = true;
		memcpy(&req.value, value->data, sizeof(double));
	}
	uint32_t result = LUMEN_A11Y_PROVIDER_V1_ACTION_RESULT_UNSUPPORTED;
	if (client->listener && client->listener->action) {
		result = client->listener->action(provider, &req, client->data);
	}
	/* The callback may have destroyed the provider. */
	struct a11y_provider *p;
	wl_list_for_each (p, &client->providers, link) {
		if (p == provider && p->proxy) {
			lumen_a11y_provider_v1_action_done(p->proxy, serial, result);
			break;
		}
	}
}

static const struct lumen_a11y_provider_v1_listener provider_listener = {
	.action = provider_handle_action,
};

static void registry_global(void *data, struct wl_registry *registry, uint32_t name,
		const char *interface, uint32_t version) {
	struct a11y_client *client = data;
	if (strcmp(interface, lumen_a11y_v1_interface.name) == 0 && !client->bus) {
		client->bus_version = version < 2 ? version : 2;
		client->bus = wl_registry_bind(registry, name, &lumen_a11y_v1_interface,
			client->bus_version);
	}
}

static void registry_global_remove(void *data, struct wl_registry *registry, uint32_t name) {
}

static const struct wl_registry_listener registry_listener = {
	.global = registry_global,
	.global_remove = registry_global_remove,
};

static void teardown(struct a11y_client *client) {
	if (client->sync) {
		wl_callback_destroy(client->sync);
		client->sync = NULL;
	}
	client->ready = false;
	struct a11y_provider *provider;
	wl_list_for_each (provider, &client->providers, link) {
		if (provider->proxy) {
			lumen_a11y_provider_v1_destroy(provider->proxy);
			provider->proxy = NULL;
		}
	}
	if (client->wm) {
		lumen_a11y_wm_v1_destroy(client->wm);
		client->wm = NULL;
	}
	if (client->bus) {
		lumen_a11y_v1_destroy(client->bus);
		client->bus = NULL;
	}
	if (client->registry) {
		wl_registry_destroy(client->registry);
		client->registry = NULL;
	}
	if (client->display) {
		wl_display_disconnect(client->display);
		client->display = NULL;
	}
	client->broken = false;
}

/* Writes everything queued, waiting while the socket is full. */
static bool flush_all(struct a11y_client *client) {
	if (!client->display || client->broken) {
		return false;
	}
	while (wl_display_flush(client->display) < 0) {
		/* A fatal error leaves errno as it was (EAGAIN, say): do not wait on it. */
		if (errno != EAGAIN || wl_display_get_error(client->display) != 0) {
			client->broken = true;
			return false;
		}
		struct pollfd pfd = {.fd = wl_display_get_fd(client->display), .events = POLLOUT};
		if (poll(&pfd, 1, FLUSH_TIMEOUT_MS) <= 0) {
			lumen_log(LUMEN_WARN, "the accessibility bus does not read: giving up on it");
			client->broken = true;
			return false;
		}
	}
	return true;
}

static void create_proxy(struct a11y_provider *provider) {
	struct a11y_client *client = provider->client;
	if (provider->pid > 0 && client->bus_version >= 2) {
		provider->proxy = lumen_a11y_v1_create_provider_for(client->bus, provider->app_id,
			(int32_t)provider->pid);
	} else {
		provider->proxy = lumen_a11y_v1_create_provider(client->bus, provider->app_id);
	}
	if (provider->proxy) {
		lumen_a11y_provider_v1_add_listener(provider->proxy, &provider_listener, provider);
	}
}

/* The first roundtrip is answered: the bus is bound (or this is no bus). */
static void handle_sync_done(void *data, struct wl_callback *callback, uint32_t serial) {
	struct a11y_client *client = data;
	wl_callback_destroy(client->sync);
	client->sync = NULL;
	if (!client->bus) {
		lumen_log(LUMEN_WARN, "%s is no accessibility bus", client->path);
		client->broken = true; // torn down by the dispatch that called us
		return;
	}
	if (client->want_wm) {
		client->wm = lumen_a11y_v1_create_window_manager(client->bus);
	}
	struct a11y_provider *provider;
	wl_list_for_each (provider, &client->providers, link) {
		create_proxy(provider);
	}
	client->ready = true;
	lumen_log(LUMEN_INFO, "connected to the accessibility bus %s", client->path);
	if (client->listener && client->listener->connected) {
		client->listener->connected(client, client->data);
	}
}

static const struct wl_callback_listener sync_listener = {
	.done = handle_sync_done,
};

/*
 * Connecting never blocks (the compositor calls this): the registry and a sync are sent,
 * and the connection is usable once a11y_client_dispatch has seen the answer. A bus that
 * accepts but never answers costs nothing but the fd.
 */
bool a11y_client_reconnect(struct a11y_client *client) {
	if (client->display) {
		return client->ready;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return false;
	}
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", client->path);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		close(fd);
		return false;
	}
	/* Not wl_display_connect: it would take $WAYLAND_SOCKET, the app's compositor. */
	client->display = wl_display_connect_to_fd(fd);
	if (!client->display) {
		close(fd);
		return false;
	}
	client->registry = wl_display_get_registry(client->display);
	client->sync = wl_display_sync(client->display);
	if (!client->registry || !client->sync) {
		teardown(client);
		return false;
	}
	wl_registry_add_listener(client->registry, &registry_listener, client);
	wl_callback_add_listener(client->sync, &sync_listener, client);
	if (!flush_all(client)) {
		teardown(client);
		return false;
	}
	return false;
}

struct a11y_client *a11y_client_create(const char *socket, bool wm,
		const struct a11y_client_listener *listener, void *data) {
	struct a11y_client *client = calloc(1, sizeof(*client));
	if (!client) {
		return NULL;
	}
	wl_list_init(&client->providers);
	client->want_wm = wm;
	client->listener = listener;
	client->data = data;
	if (!socket) {
		socket = getenv("LUMEN_A11Y_SOCKET");
	}
	if (!socket || !socket[0]) {
		socket = "lumen-a11y-0";
	}
	const char *dir = getenv("XDG_RUNTIME_DIR");
	if (socket[0] == '/') {
		snprintf(client->path, sizeof(client->path), "%s", socket);
	} else {
		snprintf(client->path, sizeof(client->path), "%s/%s", dir ? dir : "/tmp", socket);
	}
	a11y_client_reconnect(client);
	return client;
}

void a11y_client_destroy(struct a11y_client *client) {
	if (!client) {
		return;
	}
	struct a11y_provider *provider, *tmp;
	wl_list_for_each_safe (provider, tmp, &client->providers, link) {
		a11y_provider_destroy(provider);
	}
	if (client->display) {
		wl_display_flush(client->display);
	}
	teardown(client);
	free(client);
}

int a11y_client_get_fd(struct a11y_client *client) {
	return client->display ? wl_display_get_fd(client->display) : -1;
}

bool a11y_client_is_connected(struct a11y_client *client) {
	return client->display && client->ready && !client->broken;
}

bool a11y_client_dispatch(struct a11y_client *client) {
	if (!client->display) {
		return false;
	}
	if (client->broken || wl_display_dispatch(client->display) < 0 || client->broken ||
			!flush_all(client)) {
		lumen_log(LUMEN_INFO, "lost the accessibility bus");
		teardown(client);
		return false;
	}
	return true;
}

struct a11y_provider *a11y_provider_create(struct a11y_client *client, const char *app_id,
		void *user) {
	return a11y_provider_create_for_pid(client, app_id, 0, user);
}

struct a11y_provider *a11y_provider_create_for_pid(struct a11y_client *client,
		const char *app_id, pid_t pid, void *user) {
	struct a11y_provider *provider = calloc(1, sizeof(*provider));
	if (!provider) {
		return NULL;
	}
	provider->pid = pid > 0 ? pid : 0;
	provider->app_id = strdup(app_id ? app_id : "");
	if (!provider->app_id) {
		free(provider);
		return NULL;
	}
	provider->client = client;
	provider->user = user;
	wl_list_insert(client->providers.prev, &provider->link);
	if (client->bus) {
		create_proxy(provider);
	}
	return provider;
}

void a11y_provider_destroy(struct a11y_provider *provider) {
	if (!provider) {
		return;
	}
	if (provider->proxy) {
		lumen_a11y_provider_v1_destroy(provider->proxy);
		flush_all(provider->client);
	}
	wl_list_remove(&provider->link);
	free(provider->app_id);
	free(provider);
}

void *a11y_provider_get_user(struct a11y_provider *provider) {
	return provider->user;
}

static void send_update(struct a11y_provider *provider, bool whole,
		const struct a11y_node_desc *nodes, size_t n_nodes, uint32_t root, uint32_t focus) {
	if (!provider) {
		return;
	}
	struct a11y_client *client = provider->client;
	struct lumen_a11y_provider_v1 *p = provider->proxy;
	if (!p || client->broken) {
		return;
	}
	/* libwayland's buffer holds 4096 bytes and a write that does not fit one the
	 * kernel will take is fatal: the queue is flushed (waiting for the bus) before it
	 * could overflow, counting each message's size on the wire. */
	size_t queued = 0;
#define ROOM(bytes) \
	do { \
		size_t need_ = (bytes); \
		if (queued + need_ > 3072) { \
			if (!flush_all(client)) { \
				return; \
			} \
			queued = 0; \
		} \
		queued += need_; \
	} while (0)
#define WIRE_STR(str) (4 + ((strlen(str) + 1 + 3) & ~(size_t)3))
	if (whole) {
		lumen_a11y_provider_v1_reset(p);
		queued += 8;
	}
	for (size_t i = 0; i < n_nodes; i++) {
		const struct a11y_node_desc *n = &nodes[i];
		uint32_t states = n->states;
		const char *name = n->name ? n->name : "";
		const char *description = n->description ? n->description : "";
		ROOM(20 + WIRE_STR(name) + WIRE_STR(description));
		lumen_a11y_provider_v1_node(p, n->id, n->role, states, name, description);
		ROOM(28);
		lumen_a11y_provider_v1_node_bounds(p, n->id, n->x, n->y, n->width < 0 ? 0 : n->width,
			n->height < 0 ? 0 : n->height);
		if (n->has_value) {
			double v[3] = {n->value, n->min, n->max};
			struct wl_array value = {.size = sizeof(v), .alloc = sizeof(v), .data = v};
			ROOM(16 + sizeof(v));
			lumen_a11y_provider_v1_node_value(p, n->id, &value);
		}
		/* In parts: a message holds at most 4096 bytes (the bus joins them). */
		for (size_t done = 0; done < n->n_children; done += CHILDREN_PER_MESSAGE) {
			size_t part = n->n_children - done < CHILDREN_PER_MESSAGE
				? n->n_children - done : CHILDREN_PER_MESSAGE;
			struct wl_array children = {.size = part * sizeof(uint32_t),
				.alloc = part * sizeof(uint32_t), .data = (void *)(n->children + done)};
			ROOM(16 + part * sizeof(uint32_t));
			lumen_a11y_provider_v1_node_children(p, n->id, &children);
		}
		for (size_t a = 0; a < n->n_actions; a++) {
			ROOM(12 + WIRE_STR(n->actions[a]));
			lumen_a11y_provider_v1_node_action(p, n->id, n->actions[a]);
		}
		if (n->text && !(states & LUMEN_A11Y_PROVIDER_V1_STATE_PASSWORD)) {
			size_t len = strlen(n->text);
			uint32_t caret = n->caret > len ? (uint32_t)len : n->caret;
			uint32_t end = n->sel_end > len ? (uint32_t)len : n->sel_end;
			uint32_t start = n->sel_start > end ? end : n->sel_start;
			ROOM(24 + WIRE_STR(n->text));
			lumen_a11y_provider_v1_node_text(p, n->id, n->text, caret, start, end);
		}
	}
#undef ROOM
#undef WIRE_STR
	if (queued + 16 > 3072 && !flush_all(client)) {
		return;
	}
	lumen_a11y_provider_v1_commit(p, root, focus);
	flush_all(client);
}

void a11y_provider_publish(struct a11y_provider *provider, const struct a11y_node_desc *nodes,
		size_t n_nodes, uint32_t root, uint32_t focus) {
	send_update(provider, true, nodes, n_nodes, root, focus);
}

void a11y_provider_update(struct a11y_provider *provider, const struct a11y_node_desc *nodes,
		size_t n_nodes, uint32_t root, uint32_t focus) {
	send_update(provider, false, nodes, n_nodes, root, focus);
}

void a11y_provider_announce(struct a11y_provider *provider, const char *text, bool assertive) {
	if (!provider || !provider->proxy || provider->client->broken) {
		return;
	}
	lumen_a11y_provider_v1_announce(provider->proxy, text,
		assertive ? LUMEN_A11Y_PROVIDER_V1_POLITENESS_ASSERTIVE
			: LUMEN_A11Y_PROVIDER_V1_POLITENESS_POLITE);
	flush_all(provider->client);
}

void a11y_client_wm_window(struct a11y_client *client, uint32_t id, pid_t pid,
		const char *app_id, const char *title, int32_t x, int32_t y, int32_t width,
		int32_t height) {
	if (client->wm && !client->broken) {
		lumen_a11y_wm_v1_window(client->wm, id, (int32_t)pid, app_id ? app_id : "",
			title ? title : "", x, y, width, height);
		flush_all(client);
	}
}

void a11y_client_wm_window_closed(struct a11y_client *client, uint32_t id) {
	if (client->wm && !client->broken) {
		lumen_a11y_wm_v1_window_closed(client->wm, id);
		flush_all(client);
	}
}

void a11y_client_wm_activate(struct a11y_client *client, uint32_t id) {
	if (client->wm && !client->broken) {
		lumen_a11y_wm_v1_activate(client->wm, id);
		flush_all(client);
	}
}
