/*
 * ext-session-lock-v1: a locker client asks to lock the session; from then on nothing
 * but its lock surfaces is drawn and nothing but them gets input, until it unlocks.
 * "locked" is sent only once every output has shown a frame with the locker's lock
 * surface on it. A locker that dies (or destroys the lock without unlocking) leaves the
 * session locked, as the protocol demands; another locker may then take over.
 *
 * While locked the scene's normal layers are disabled and our own tree, on top, shows
 * each output's lock surface over an opaque background.
 */
#include <stdlib.h>
#include <wlr/types/wlr_compositor.h>
#include <wlr/types/wlr_output_layout.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/types/wlr_seat.h>
#include <wlr/types/wlr_surface.h>
#include "common/log.h"
#include "ext-session-lock-v1-protocol.h"
#include "protocols-ext.h"
#include "server.h"

#define LOCK_MANAGER_VERSION 1
#define MAX_PENDING_CONFIGURES 16

struct comp_lock;

/* One output as the lock sees it: a background and at most one lock surface. */
struct comp_lock_output {
	struct wl_list link; // comp_session_lock.outputs
	struct comp_session_lock *mgr;
	struct wlr_output *wlr_output;
	struct wlr_scene_tree *tree; // under comp_session_lock.tree, at the output's position
	struct wlr_scene_rect *background;
	bool rendered; // a frame with the lock surface went out since the lock began
	struct wl_listener commit, destroy;
};

struct comp_lock_surface {
	struct wl_list link; // comp_lock.surfaces
	struct wl_resource *resource;
	struct comp_lock *lock; // NULL once inert
	struct wlr_surface *surface; // NULL once inert
	struct comp_lock_output *output; // NULL once inert
	struct wlr_scene_tree *tree; // under output->tree
	struct {
		uint32_t serial, width, height;
	} pending[MAX_PENDING_CONFIGURES];
	size_t npending;
	bool acked;
	uint32_t width, height; // last acked size
	struct wl_listener surface_destroy;
};

/* One ext_session_lock_v1. */
struct comp_lock {
	struct comp_session_lock *mgr;
	struct wl_resource *resource; // NULL once the object is gone
	struct wl_client *client;
	bool refused; // got "finished": inert from the start
	bool locked_sent;
	struct wl_list surfaces; // comp_lock_surface.link
};

struct comp_session_lock {
	struct comp_server *server;
	struct wl_global *global;
	struct wlr_scene_tree *tree; // on top of the scene; enabled while locked
	struct wl_list outputs; // comp_lock_output.link
	bool active; // the session is locked (maybe abandoned)
	struct comp_lock *current; // the locker holding the lock; NULL when abandoned
	struct wl_listener new_output, layout_change;
};

static const float lock_background[4] = {0.0f, 0.0f, 0.0f, 1.0f};

static struct comp_session_lock *get_mgr(struct comp_server *server) {
	return server->ext ? server->ext->session_lock : NULL;
}

bool comp_session_lock_active(struct comp_server *server) {
	struct comp_session_lock *mgr = get_mgr(server);
	return mgr && mgr->active;
}

bool comp_session_lock_client_allowed(struct comp_server *server, struct wl_client *client) {
	struct comp_session_lock *mgr = get_mgr(server);
	if (!mgr || !mgr->active) {
		return true;
	}
	return mgr->current && mgr->current->client == client;
}

bool comp_session_lock_owns_surface(struct comp_server *server, struct wlr_surface *surface) {
	struct comp_session_lock *mgr = get_mgr(server);
	if (!mgr || !mgr->active || !mgr->current || !surface) {
		return false;
	}
	struct wlr_surface *root = wlr_surface_get_root_surface(surface);
	struct comp_lock_surface *ls;
	wl_list_for_each(ls, &mgr->current->surfaces, link) {
		if (ls->surface == root) {
			return true;
		}
	}
	return false;
}

const char *comp_session_lock_state(struct comp_server *server) {
	struct comp_session_lock *mgr = get_mgr(server);
	if (!mgr || !mgr->active) {
		return "unlocked";
	}
	if (!mgr->current) {
		return "abandoned";
	}
	return mgr->current->locked_sent ? "locked" : "locking";
}

static void set_normal_layers(struct comp_server *server, bool enabled) {
	for (int i = 0; i < COMP_LAYER_COUNT; i++) {
		wlr_scene_node_set_enabled(&server->layers[i]->node, enabled);
	}
}

static void position_outputs(struct comp_session_lock *mgr) {
	struct comp_lock_output *lo;
	wl_list_for_each(lo, &mgr->outputs, link) {
		struct wlr_box box = comp_layout_box(mgr->server->output_layout, lo->wlr_output);
		wlr_scene_node_set_position(&lo->tree->node, box.x, box.y);
		int w = 0, h = 0;
		wlr_output_effective_resolution(lo->wlr_output, &w, &h);
		wlr_scene_rect_set_size(lo->background, w, h);
	}
}

/* The lock surface that should have the keyboard: the one under the pointer, else any. */
static struct comp_lock_surface *focus_candidate(struct comp_session_lock *mgr) {
	if (!mgr->current) {
		return NULL;
	}
	struct comp_server *server = mgr->server;
	struct wlr_output *under = wlr_output_layout_output_at(server->output_layout,
		server->cursor->x, server->cursor->y);
	struct comp_lock_surface *ls, *any = NULL;
	wl_list_for_each(ls, &mgr->current->surfaces, link) {
		if (!ls->surface || !wlr_surface_has_buffer(ls->surface)) {
			continue;
		}
		if (ls->output && ls->output->wlr_output == under) {
			return ls;
		}
		if (!any) {
			any = ls;
		}
	}
	return any;
}

static void update_focus(struct comp_session_lock *mgr) {
	struct comp_server *server = mgr->server;
	struct wlr_surface *focused = server->seat->keyboard_state.focused_surface;
	if (focused && comp_session_lock_owns_surface(server, focused)) {
		return;
	}
	struct comp_lock_surface *ls = focus_candidate(mgr);
	comp_seat_focus_surface(server, ls ? ls->surface : NULL);
	comp_cursor_rebase_soon(server);
}

static void lock_session(struct comp_session_lock *mgr, struct comp_lock *lock) {
	struct comp_server *server = mgr->server;
	bool was_active = mgr->active;
	mgr->active = true;
	mgr->current = lock;
	struct comp_lock_output *lo;
	wl_list_for_each(lo, &mgr->outputs, link) {
		lo->rendered = false;
	}
	if (!was_active) {
		/* Hidden at once, before the locker has drawn anything: no frame may leak. */
		set_normal_layers(server, false);
		wlr_scene_node_set_enabled(&mgr->tree->node, true);
		wlr_scene_node_raise_to_top(&mgr->tree->node);
		position_outputs(mgr);
		wlr_seat_pointer_notify_clear_focus(server->seat);
		comp_seat_focus_surface(server, NULL);
		server->cursor_mode = COMP_CURSOR_PASSTHROUGH;
		server->grabbed_view = NULL;
	}
	lumen_log(LUMEN_INFO, "session %s by client %p", was_active ? "lock taken over" : "locked",
		(void *)lock->client);
}

static void unlock_session(struct comp_session_lock *mgr) {
	struct comp_server *server = mgr->server;
	mgr->active = false;
	mgr->current = NULL;
	wlr_scene_node_set_enabled(&mgr->tree->node, false);
	set_normal_layers(server, true);
	comp_seat_focus_surface(server, NULL);
	struct comp_view *view = server->focused_view;
	if (view && view->mapped) {
		comp_seat_focus_surface(server, comp_view_surface(view));
	}
	comp_cursor_rebase_soon(server);
	comp_protocols_idle_recheck(server);
	lumen_log(LUMEN_INFO, "session unlocked");
}

static void check_locked(struct comp_session_lock *mgr) {
	struct comp_lock *lock = mgr->current;
	if (!mgr->active || !lock || !lock->resource || lock->locked_sent) {
		return;
	}
	struct comp_lock_output *lo;
	wl_list_for_each(lo, &mgr->outputs, link) {
		if (lo->wlr_output->enabled &&
				wlr_output_layout_get(mgr->server->output_layout, lo->wlr_output) &&
				!lo->rendered) {
			return;
		}
	}
	lock->locked_sent = true;
	ext_session_lock_v1_send_locked(lock->resource);
	lumen_log(LUMEN_INFO, "session lock complete: every output shows a lock surface");
}

/* Lock surfaces. */

static const struct ext_session_lock_surface_v1_interface lock_surface_impl;

static struct comp_lock_surface *lock_surface_from_resource(struct wl_resource *resource) {
	wl_resource_instance_of(resource, &ext_session_lock_surface_v1_interface,
		&lock_surface_impl);
	return wl_resource_get_user_data(resource);
}

/* Makes the lock surface inert: it leaves the scene and its lists. */
static void lock_surface_finish(struct comp_lock_surface *ls) {
	if (!ls->lock) {
		return;
	}
	struct comp_session_lock *mgr = ls->lock->mgr;
	wl_list_remove(&ls->link);
	wl_list_init(&ls->link);
	wl_list_remove(&ls->surface_destroy.link);
	wl_list_init(&ls->surface_destroy.link);
	if (ls->surface && ls->surface->role_data == ls) {
		ls->surface->role_data = NULL;
	}
	if (ls->tree) {
		wlr_scene_node_destroy(&ls->tree->node);
		ls->tree = NULL;
	}
	ls->lock = NULL;
	ls->surface = NULL;
	ls->output = NULL;
	if (mgr->active) {
		update_focus(mgr);
	}
}

static void lock_surface_handle_destroy_request(struct wl_client *client,
		struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void lock_surface_handle_ack_configure(struct wl_client *client,
		struct wl_resource *resource, uint32_t serial) {
	struct comp_lock_surface *ls = lock_surface_from_resource(resource);
	if (!ls || !ls->lock) {
		return;
	}
	for (size_t i = 0; i < ls->npending; i++) {
		if (ls->pending[i].serial != serial) {
			continue;
		}
		ls->acked = true;
		ls->width = ls->pending[i].width;
		ls->height = ls->pending[i].height;
		/* This one and every older configure are answered. */
		size_t rest = ls->npending - (i + 1);
		for (size_t j = 0; j < rest; j++) {
			ls->pending[j] = ls->pending[i + 1 + j];
		}
		ls->npending = rest;
		return;
	}
	wl_resource_post_error(resource, EXT_SESSION_LOCK_SURFACE_V1_ERROR_INVALID_SERIAL,
		"serial %u was never sent in a configure, or was already acked", serial);
}

static const struct ext_session_lock_surface_v1_interface lock_surface_impl = {
	.destroy = lock_surface_handle_destroy_request,
	.ack_configure = lock_surface_handle_ack_configure,
};

static void lock_surface_send_configure(struct comp_lock_surface *ls) {
	if (!ls->output) {
		return;
	}
	int w = 0, h = 0;
	wlr_output_effective_resolution(ls->output->wlr_output, &w, &h);
	uint32_t serial = wl_display_next_serial(ls->lock->mgr->server->display);
	if (ls->npending == MAX_PENDING_CONFIGURES) {
		/* A client that never acks loses its oldest serials, nothing else. */
		for (size_t j = 1; j < ls->npending; j++) {
			ls->pending[j - 1] = ls->pending[j];
		}
		ls->npending--;
	}
	ls->pending[ls->npending].serial = serial;
	ls->pending[ls->npending].width = (uint32_t)w;
	ls->pending[ls->npending].height = (uint32_t)h;
	ls->npending++;
	ext_session_lock_surface_v1_send_configure(ls->resource, serial, (uint32_t)w, (uint32_t)h);
}

static void lock_surface_role_precommit(struct wlr_surface *surface) {
	struct comp_lock_surface *ls = surface->role_data;
	if (!ls || !ls->lock) {
		return;
	}
	if (!ls->acked) {
		wl_resource_post_error(ls->resource,
			EXT_SESSION_LOCK_SURFACE_V1_ERROR_COMMIT_BEFORE_FIRST_ACK,
			"commit before the first ack_configure");
		return;
	}
	if ((surface->pending.committed & WLR_SURFACE_STATE_BUFFER) && !surface->pending.buffer) {
		wl_resource_post_error(ls->resource, EXT_SESSION_LOCK_SURFACE_V1_ERROR_NULL_BUFFER,
			"a lock surface may not be unmapped by a null buffer");
		return;
	}
	if (surface->pending.buffer_width > 0 &&
			((uint32_t)surface->pending.width != ls->width ||
				(uint32_t)surface->pending.height != ls->height)) {
		wl_resource_post_error(ls->resource,
			EXT_SESSION_LOCK_SURFACE_V1_ERROR_DIMENSIONS_MISMATCH,
			"surface size %dx%d does not match the configured %ux%u",
			surface->pending.width, surface->pending.height, ls->width, ls->height);
	}
}

static void lock_surface_role_commit(struct wlr_surface *surface) {
	struct comp_lock_surface *ls = surface->role_data;
	if (!ls || !ls->lock || ls->lock->mgr->current != ls->lock) {
		return;
	}
	if (wlr_surface_has_buffer(surface)) {
		update_focus(ls->lock->mgr);
	}
}

static const struct wlr_surface_role lock_surface_role = {
	.name = "ext_session_lock_surface_v1",
	.commit = lock_surface_role_commit,
	.precommit = lock_surface_role_precommit,
};

static void lock_surface_handle_surface_destroy(struct wl_listener *listener, void *data) {
	struct comp_lock_surface *ls = wl_container_of(listener, ls, surface_destroy);
	/* The scene's own nodes for the surface go with it; ours must go first. */
	lock_surface_finish(ls);
}

static void lock_surface_handle_resource_destroy(struct wl_resource *resource) {
	struct comp_lock_surface *ls = lock_surface_from_resource(resource);
	if (!ls) {
		return;
	}
	lock_surface_finish(ls);
	free(ls);
}

/* Locks. */

static const struct ext_session_lock_v1_interface lock_impl;

static struct comp_lock *lock_from_resource(struct wl_resource *resource) {
	wl_resource_instance_of(resource, &ext_session_lock_v1_interface, &lock_impl);
	return wl_resource_get_user_data(resource);
}

static struct comp_lock_output *lock_output_from_wlr(struct comp_session_lock *mgr,
		struct wlr_output *wlr_output) {
	struct comp_lock_output *lo;
	wl_list_for_each(lo, &mgr->outputs, link) {
		if (lo->wlr_output == wlr_output) {
			return lo;
		}
	}
	return NULL;
}

static void lock_handle_get_lock_surface(struct wl_client *client,
		struct wl_resource *resource, uint32_t id, struct wl_resource *surface_resource,
		struct wl_resource *output_resource) {
	struct comp_lock *lock = lock_from_resource(resource);
	struct comp_lock_surface *ls = calloc(1, sizeof(*ls));
	if (!ls) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_list_init(&ls->link);
	wl_list_init(&ls->surface_destroy.link);
	ls->resource = wl_resource_create(client, &ext_session_lock_surface_v1_interface,
		wl_resource_get_version(resource), id);
	if (!ls->resource) {
		free(ls);
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(ls->resource, &lock_surface_impl, ls,
		lock_surface_handle_resource_destroy);
	/* An inert lock makes inert surfaces: the client may still talk to them. */
	if (!lock || lock->refused || lock->mgr->current != lock) {
		return;
	}
	struct comp_session_lock *mgr = lock->mgr;
	struct wlr_surface *surface = wlr_surface_from_resource(surface_resource);
	struct wlr_output *wlr_output = wlr_output_from_resource(output_resource);
	struct comp_lock_output *lo = wlr_output ? lock_output_from_wlr(mgr, wlr_output) : NULL;
	if (!lo) {
		return; // the output is gone: an inert lock surface, as for an inert output
	}
	struct comp_lock_surface *other;
	wl_list_for_each(other, &lock->surfaces, link) {
		if (other->output == lo) {
			wl_resource_post_error(resource, EXT_SESSION_LOCK_V1_ERROR_DUPLICATE_OUTPUT,
				"output %s already has a lock surface", wlr_output->name);
			return;
		}
	}
	if (surface->buffer || surface->pending.buffer) {
		wl_resource_post_error(resource, EXT_SESSION_LOCK_V1_ERROR_ALREADY_CONSTRUCTED,
			"the surface already has a buffer");
		return;
	}
	if (!wlr_surface_set_role(surface, &lock_surface_role, ls, resource,
			EXT_SESSION_LOCK_V1_ERROR_ROLE)) {
		return;
	}
	ls->tree = wlr_scene_tree_create(&lo->tree->node);
	if (!ls->tree || !wlr_scene_subsurface_tree_create(&ls->tree->node, surface)) {
		if (ls->tree) {
			wlr_scene_node_destroy(&ls->tree->node);
			ls->tree = NULL;
		}
		surface->role_data = NULL;
		wl_client_post_no_memory(client);
		return;
	}
	ls->lock = lock;
	ls->surface = surface;
	ls->output = lo;
	wl_list_insert(&lock->surfaces, &ls->link);
	ls->surface_destroy.notify = lock_surface_handle_surface_destroy;
	wl_signal_add(&surface->events.destroy, &ls->surface_destroy);
	lock_surface_send_configure(ls);
}

/* The locker gave the lock up without unlocking: the session stays locked. */
static void lock_abandon(struct comp_lock *lock) {
	struct comp_session_lock *mgr = lock->mgr;
	struct comp_lock_surface *ls, *tmp;
	wl_list_for_each_safe(ls, tmp, &lock->surfaces, link) {
		lock_surface_finish(ls);
	}
	if (mgr->current == lock) {
		mgr->current = NULL;
		lumen_log(LUMEN_WARN, "the locker went away without unlocking: the session stays "
			"locked until another locker unlocks it");
		comp_seat_focus_surface(mgr->server, NULL);
	}
}

static void lock_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	struct comp_lock *lock = lock_from_resource(resource);
	if (lock && lock->locked_sent && lock->mgr->current == lock) {
		wl_resource_post_error(resource, EXT_SESSION_LOCK_V1_ERROR_INVALID_DESTROY,
			"the session is locked: use unlock_and_destroy");
		return;
	}
	wl_resource_destroy(resource);
}

static void lock_handle_unlock_and_destroy(struct wl_client *client,
		struct wl_resource *resource) {
	struct comp_lock *lock = lock_from_resource(resource);
	if (lock && !lock->refused && lock->mgr->current == lock) {
		if (!lock->locked_sent) {
			wl_resource_post_error(resource, EXT_SESSION_LOCK_V1_ERROR_INVALID_UNLOCK,
				"unlock before the locked event");
			return;
		}
		struct comp_session_lock *mgr = lock->mgr;
		struct comp_lock_surface *ls, *tmp;
		wl_list_for_each_safe(ls, tmp, &lock->surfaces, link) {
			lock_surface_finish(ls);
		}
		unlock_session(mgr);
	} else if (lock && lock->refused) {
		wl_resource_post_error(resource, EXT_SESSION_LOCK_V1_ERROR_INVALID_UNLOCK,
			"this lock was refused (finished): it cannot unlock");
		return;
	}
	wl_resource_destroy(resource);
}

static const struct ext_session_lock_v1_interface lock_impl = {
	.destroy = lock_handle_destroy,
	.get_lock_surface = lock_handle_get_lock_surface,
	.unlock_and_destroy = lock_handle_unlock_and_destroy,
};

static void lock_handle_resource_destroy(struct wl_resource *resource) {
	struct comp_lock *lock = lock_from_resource(resource);
	if (!lock) {
		return;
	}
	lock->resource = NULL;
	if (!lock->refused) {
		lock_abandon(lock);
	}
	free(lock);
}

/* The manager. */

static void manager_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void manager_handle_lock(struct wl_client *client, struct wl_resource *resource,
		uint32_t id) {
	struct comp_session_lock *mgr = wl_resource_get_user_data(resource);
	struct comp_lock *lock = calloc(1, sizeof(*lock));
	if (!lock) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_list_init(&lock->surfaces);
	lock->client = client;
	lock->resource = wl_resource_create(client, &ext_session_lock_v1_interface,
		wl_resource_get_version(resource), id);
	if (!lock->resource) {
		free(lock);
		wl_client_post_no_memory(client);
		return;
	}
	lock->mgr = mgr;
	wl_resource_set_implementation(lock->resource, &lock_impl, lock,
		lock_handle_resource_destroy);
	if (!mgr) {
		lock->refused = true;
		ext_session_lock_v1_send_finished(lock->resource);
		return;
	}
	if (mgr->active && mgr->current) {
		/* Someone alive holds the lock: a second locker is refused. */
		lumen_log(LUMEN_INFO, "lock refused: the session is already locked by a live locker");
		lock->refused = true;
		ext_session_lock_v1_send_finished(lock->resource);
		return;
	}
	lock_session(mgr, lock);
	check_locked(mgr); // with no output at all, locked at once
}

static const struct ext_session_lock_manager_v1_interface manager_impl = {
	.destroy = manager_handle_destroy,
	.lock = manager_handle_lock,
};

static void manager_bind(struct wl_client *client, void *data, uint32_t version, uint32_t id) {
	struct wl_resource *resource = wl_resource_create(client,
		&ext_session_lock_manager_v1_interface, (int)version, id);
	if (!resource) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(resource, &manager_impl, data, NULL);
}

/* Outputs. */

static void lock_output_handle_commit(struct wl_listener *listener, void *data) {
	struct comp_lock_output *lo = wl_container_of(listener, lo, commit);
	struct comp_session_lock *mgr = lo->mgr;
	struct wlr_output_event_commit *event = data;
	if (event->committed & (WLR_OUTPUT_STATE_MODE | WLR_OUTPUT_STATE_SCALE |
			WLR_OUTPUT_STATE_TRANSFORM | WLR_OUTPUT_STATE_ENABLED)) {
		position_outputs(mgr);
		if (mgr->current) {
			struct comp_lock_surface *ls;
			wl_list_for_each(ls, &mgr->current->surfaces, link) {
				if (ls->output == lo) {
					lock_surface_send_configure(ls);
				}
			}
		}
		check_locked(mgr); // an output switched off no longer counts
	}
	if (!mgr->active || !mgr->current || !(event->committed & WLR_OUTPUT_STATE_BUFFER)) {
		return;
	}
	struct comp_lock_surface *ls;
	wl_list_for_each(ls, &mgr->current->surfaces, link) {
		if (ls->output == lo && ls->surface && wlr_surface_has_buffer(ls->surface)) {
			lo->rendered = true;
			check_locked(mgr);
			return;
		}
	}
}

static void lock_output_destroy(struct comp_lock_output *lo) {
	struct comp_session_lock *mgr = lo->mgr;
	/* Lock surfaces on it become inert, as the protocol says of a vanished output. */
	if (mgr->current) {
		struct comp_lock_surface *ls, *tmp;
		wl_list_for_each_safe(ls, tmp, &mgr->current->surfaces, link) {
			if (ls->output == lo) {
				lock_surface_finish(ls);
			}
		}
	}
	wl_list_remove(&lo->commit.link);
	wl_list_remove(&lo->destroy.link);
	wl_list_remove(&lo->link);
	wlr_scene_node_destroy(&lo->tree->node);
	free(lo);
}

static void lock_output_handle_destroy(struct wl_listener *listener, void *data) {
	struct comp_lock_output *lo = wl_container_of(listener, lo, destroy);
	struct comp_session_lock *mgr = lo->mgr;
	lock_output_destroy(lo);
	check_locked(mgr);
}

static void handle_new_output(struct wl_listener *listener, void *data) {
	struct comp_session_lock *mgr = wl_container_of(listener, mgr, new_output);
	struct wlr_output *wlr_output = data;
	struct comp_lock_output *lo = calloc(1, sizeof(*lo));
	if (!lo) {
		lumen_log(LUMEN_ERROR, "out of memory: output %s cannot be locked", wlr_output->name);
		return;
	}
	lo->tree = wlr_scene_tree_create(&mgr->tree->node);
	lo->background = lo->tree ? wlr_scene_rect_create(&lo->tree->node, 0, 0,
		lock_background) : NULL;
	if (!lo->background) {
		if (lo->tree) {
			wlr_scene_node_destroy(&lo->tree->node);
		}
		free(lo);
		lumen_log(LUMEN_ERROR, "out of memory: output %s cannot be locked", wlr_output->name);
		return;
	}
	lo->mgr = mgr;
	lo->wlr_output = wlr_output;
	lo->commit.notify = lock_output_handle_commit;
	wl_signal_add(&wlr_output->events.commit, &lo->commit);
	lo->destroy.notify = lock_output_handle_destroy;
	wl_signal_add(&wlr_output->events.destroy, &lo->destroy);
	wl_list_insert(mgr->outputs.prev, &lo->link);
	position_outputs(mgr);
}

static void handle_layout_change(struct wl_listener *listener, void *data) {
	struct comp_session_lock *mgr = wl_container_of(listener, mgr, layout_change);
	position_outputs(mgr);
	check_locked(mgr);
}

struct comp_session_lock *comp_session_lock_create(struct comp_server *server) {
	struct comp_session_lock *mgr = calloc(1, sizeof(*mgr));
	if (!mgr) {
		return NULL;
	}
	mgr->server = server;
	wl_list_init(&mgr->outputs);
	mgr->tree = wlr_scene_tree_create(&server->scene->node);
	if (!mgr->tree) {
		free(mgr);
		return NULL;
	}
	wlr_scene_node_set_enabled(&mgr->tree->node, false);
	mgr->global = wl_global_create(server->display, &ext_session_lock_manager_v1_interface,
		LOCK_MANAGER_VERSION, mgr, manager_bind);
	if (!mgr->global) {
		wlr_scene_node_destroy(&mgr->tree->node);
		free(mgr);
		return NULL;
	}
	mgr->new_output.notify = handle_new_output;
	wl_signal_add(&server->backend->events.new_output, &mgr->new_output);
	mgr->layout_change.notify = handle_layout_change;
	wl_signal_add(&server->output_layout->events.change, &mgr->layout_change);
	return mgr;
}

void comp_session_lock_destroy(struct comp_session_lock *mgr) {
	if (!mgr) {
		return;
	}
	/* The clients are gone by now (server.c destroys them first): no lock is left. */
	struct comp_lock_output *lo, *tmp;
	wl_list_for_each_safe(lo, tmp, &mgr->outputs, link) {
		lock_output_destroy(lo);
	}
	wl_list_remove(&mgr->new_output.link);
	wl_list_remove(&mgr->layout_change.link);
	wl_global_destroy(mgr->global);
	free(mgr);
}
