/*
 * ext-idle-notify-v1: "idled" after a client's timeout without input, "resumed" at the
 * next input. It follows the same two signals as org_kde_kwin_idle (protocols.c): the
 * seat's activity, and the idle-inhibit rule (a visible surface's inhibitor holds every
 * timer). The lock screen's own idle timers run while locked, as the protocol allows.
 */
#include <stdlib.h>
#include <wlr/types/wlr_seat.h>
#include "common/log.h"
#include "ext-idle-notify-v1-protocol.h"
#include "protocols-ext.h"
#include "server.h"

#define IDLE_NOTIFIER_VERSION 1

struct comp_idle_notification {
	struct wl_list link; // comp_idle_notify.notifications
	struct comp_idle_notify *idle; // NULL once inert
	struct wl_resource *resource;
	uint32_t timeout_ms;
	struct wl_event_source *timer;
	bool idled;
};

struct comp_idle_notify {
	struct comp_server *server;
	struct wl_global *global;
	struct wl_list notifications; // comp_idle_notification.link
	bool inhibited;
};

static void arm(struct comp_idle_notification *n) {
	/* A timeout of 0 would disarm the timer: the shortest wait is 1 ms. */
	wl_event_source_timer_update(n->timer, n->idle->inhibited ? 0
		: (int)(n->timeout_ms > 0 ? n->timeout_ms : 1));
}

static int handle_timer(void *data) {
	struct comp_idle_notification *n = data;
	if (n->idle && !n->idled && !n->idle->inhibited) {
		n->idled = true;
		ext_idle_notification_v1_send_idled(n->resource);
	}
	return 0;
}

static void notification_finish(struct comp_idle_notification *n) {
	if (!n->idle) {
		return;
	}
	wl_list_remove(&n->link);
	wl_event_source_remove(n->timer);
	n->timer = NULL;
	n->idle = NULL;
}

static void notification_handle_destroy(struct wl_client *client,
		struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static const struct ext_idle_notification_v1_interface notification_impl = {
	.destroy = notification_handle_destroy,
};

static void notification_resource_destroy(struct wl_resource *resource) {
	struct comp_idle_notification *n = wl_resource_get_user_data(resource);
	notification_finish(n);
	free(n);
}

static void notifier_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void notifier_handle_get_notification(struct wl_client *client,
		struct wl_resource *resource, uint32_t id, uint32_t timeout,
		struct wl_resource *seat_resource) {
	struct comp_idle_notify *idle = wl_resource_get_user_data(resource);
	struct comp_idle_notification *n = calloc(1, sizeof(*n));
	if (!n) {
		wl_client_post_no_memory(client);
		return;
	}
	n->resource = wl_resource_create(client, &ext_idle_notification_v1_interface,
		wl_resource_get_version(resource), id);
	if (!n->resource) {
		free(n);
		wl_client_post_no_memory(client);
		return;
	}
	wl_list_init(&n->link);
	wl_resource_set_implementation(n->resource, &notification_impl, n,
		notification_resource_destroy);
	/* An inert seat (its global gone) gives an inert notification. */
	if (!idle || !wlr_seat_client_from_resource(seat_resource)) {
		return;
	}
	n->timer = wl_event_loop_add_timer(idle->server->loop, handle_timer, n);
	if (!n->timer) {
		wl_client_post_no_memory(client);
		return;
	}
	n->idle = idle;
	n->timeout_ms = timeout;
	wl_list_insert(&idle->notifications, &n->link);
	arm(n);
}

static const struct ext_idle_notifier_v1_interface notifier_impl = {
	.destroy = notifier_handle_destroy,
	.get_idle_notification = notifier_handle_get_notification,
};

static void notifier_bind(struct wl_client *client, void *data, uint32_t version,
		uint32_t id) {
	struct wl_resource *resource = wl_resource_create(client, &ext_idle_notifier_v1_interface,
		(int)version, id);
	if (!resource) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(resource, &notifier_impl, data, NULL);
}

void comp_idle_notify_activity(struct comp_server *server) {
	struct comp_idle_notify *idle = server->ext ? server->ext->idle_notify : NULL;
	if (!idle) {
		return;
	}
	struct comp_idle_notification *n;
	wl_list_for_each(n, &idle->notifications, link) {
		if (n->idled) {
			n->idled = false;
			ext_idle_notification_v1_send_resumed(n->resource);
		}
		arm(n);
	}
}

void comp_idle_notify_set_inhibited(struct comp_server *server, bool inhibited) {
	struct comp_idle_notify *idle = server->ext ? server->ext->idle_notify : NULL;
	if (!idle || idle->inhibited == inhibited) {
		return;
	}
	idle->inhibited = inhibited;
	/* Inhibited: timers stop; released: they start over, as after input. */
	struct comp_idle_notification *n;
	wl_list_for_each(n, &idle->notifications, link) {
		arm(n);
	}
}

struct comp_idle_notify *comp_idle_notify_create(struct comp_server *server) {
	struct comp_idle_notify *idle = calloc(1, sizeof(*idle));
	if (!idle) {
		return NULL;
	}
	idle->server = server;
	wl_list_init(&idle->notifications);
	idle->global = wl_global_create(server->display, &ext_idle_notifier_v1_interface,
		IDLE_NOTIFIER_VERSION, idle, notifier_bind);
	if (!idle->global) {
		free(idle);
		return NULL;
	}
	return idle;
}

void comp_idle_notify_destroy(struct comp_idle_notify *idle) {
	if (!idle) {
		return;
	}
	struct comp_idle_notification *n, *tmp;
	wl_list_for_each_safe(n, tmp, &idle->notifications, link) {
		notification_finish(n);
	}
	wl_global_destroy(idle->global);
	free(idle);
}
