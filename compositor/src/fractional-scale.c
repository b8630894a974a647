/*
 * wp-fractional-scale-v1: each surface that asks is told the scale (in 120ths) of the
 * output it is on, or the highest of them when it spans several; before it is shown
 * anywhere, that of the focused output, where it will appear. A client that renders at
 * that scale and sizes its surface with wp_viewporter gets pixels 1:1 on a fractional
 * output (1.25, 1.5, 1.75); others are scaled by the scene.
 */
#include <math.h>
#include <stdlib.h>
#include <wlr/types/wlr_surface.h>
#include "common/log.h"
#include "fractional-scale-v1-protocol.h"
#include "protocols-ext.h"
#include "server.h"

#define FRACTIONAL_SCALE_VERSION 1

struct comp_fractional_scale {
	struct comp_server *server;
	struct wl_global *global;
	struct wl_list objects; // comp_fractional_object.link
	struct wl_event_source *recheck; // pending idle recheck, may be NULL
	struct wl_listener new_output;
	struct wl_list outputs; // comp_fs_output.link
};

struct comp_fs_output {
	struct wl_list link;
	struct comp_fractional_scale *fs;
	struct wl_listener commit, destroy;
};

struct comp_fractional_object {
	struct wl_list link; // comp_fractional_scale.objects
	struct comp_fractional_scale *fs; // NULL once inert
	struct wl_resource *resource;
	struct wlr_surface *surface;
	uint32_t sent; // 0: nothing sent yet
	struct wl_listener surface_commit, surface_destroy;
};

static uint32_t scale_120(float scale) {
	return (uint32_t)lroundf(scale * 120.0f);
}

static void object_update(struct comp_fractional_object *obj) {
	struct comp_server *server = obj->fs->server;
	float scale = 0;
	struct wlr_surface_output *so;
	wl_list_for_each(so, &obj->surface->current_outputs, link) {
		if (so->output->scale > scale) {
			scale = so->output->scale;
		}
	}
	if (scale <= 0) {
		struct comp_output *output = comp_output_focused(server);
		scale = output ? output->wlr_output->scale : 1.0f;
	}
	uint32_t value = scale_120(scale);
	if (value != obj->sent) {
		obj->sent = value;
		wp_fractional_scale_v1_send_preferred_scale(obj->resource, value);
	}
}

static void recheck_all(void *data) {
	struct comp_fractional_scale *fs = data;
	fs->recheck = NULL;
	struct comp_fractional_object *obj;
	wl_list_for_each(obj, &fs->objects, link) {
		object_update(obj);
	}
}

/* The scene tells surfaces their outputs after our listeners have run: look again soon. */
static void recheck_soon(struct comp_fractional_scale *fs) {
	if (!fs->recheck) {
		fs->recheck = wl_event_loop_add_idle(fs->server->loop, recheck_all, fs);
	}
}

static void object_finish(struct comp_fractional_object *obj) {
	if (!obj->fs) {
		return;
	}
	wl_list_remove(&obj->link);
	wl_list_remove(&obj->surface_commit.link);
	wl_list_remove(&obj->surface_destroy.link);
	obj->fs = NULL;
	obj->surface = NULL;
}

static void handle_surface_commit(struct wl_listener *listener, void *data) {
	struct comp_fractional_object *obj = wl_container_of(listener, obj, surface_commit);
	recheck_soon(obj->fs);
}

static void handle_surface_destroy(struct wl_listener *listener, void *data) {
	struct comp_fractional_object *obj = wl_container_of(listener, obj, surface_destroy);
	object_finish(obj);
}

static void object_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static const struct wp_fractional_scale_v1_interface object_impl = {
	.destroy = object_handle_destroy,
};

static void object_resource_destroy(struct wl_resource *resource) {
	struct comp_fractional_object *obj = wl_resource_get_user_data(resource);
	object_finish(obj);
	free(obj);
}

static void manager_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void manager_handle_get(struct wl_client *client, struct wl_resource *resource,
		uint32_t id, struct wl_resource *surface_resource) {
	struct comp_fractional_scale *fs = wl_resource_get_user_data(resource);
	struct wlr_surface *surface = wlr_surface_from_resource(surface_resource);
	struct comp_fractional_object *obj;
	wl_list_for_each(obj, &fs->objects, link) {
		if (obj->surface == surface) {
			wl_resource_post_error(resource,
				WP_FRACTIONAL_SCALE_MANAGER_V1_ERROR_FRACTIONAL_SCALE_EXISTS,
				"the surface already has a fractional scale object");
			return;
		}
	}
	obj = calloc(1, sizeof(*obj));
	if (!obj) {
		wl_client_post_no_memory(client);
		return;
	}
	obj->resource = wl_resource_create(client, &wp_fractional_scale_v1_interface,
		wl_resource_get_version(resource), id);
	if (!obj->resource) {
		free(obj);
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(obj->resource, &object_impl, obj, object_resource_destroy);
	obj->fs = fs;
	obj->surface = surface;
	wl_list_insert(&fs->objects, &obj->link);
	obj->surface_commit.notify = handle_surface_commit;
	wl_signal_add(&surface->events.commit, &obj->surface_commit);
	obj->surface_destroy.notify = handle_surface_destroy;
	wl_signal_add(&surface->events.destroy, &obj->surface_destroy);
	object_update(obj); // before the first configure's buffer, so it can be sharp at once
}

static const struct wp_fractional_scale_manager_v1_interface manager_impl = {
	.destroy = manager_handle_destroy,
	.get_fractional_scale = manager_handle_get,
};

static void manager_bind(struct wl_client *client, void *data, uint32_t version,
		uint32_t id) {
	struct wl_resource *resource = wl_resource_create(client,
		&wp_fractional_scale_manager_v1_interface, (int)version, id);
	if (!resource) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(resource, &manager_impl, data, NULL);
}

static void output_handle_commit(struct wl_listener *listener, void *data) {
	struct comp_fs_output *fo = wl_container_of(listener, fo, commit);
	struct wlr_output_event_commit *event = data;
	if (event->committed & (WLR_OUTPUT_STATE_SCALE | WLR_OUTPUT_STATE_ENABLED |
			WLR_OUTPUT_STATE_MODE)) {
		recheck_soon(fo->fs);
	}
}

static void fs_output_destroy(struct comp_fs_output *fo) {
	wl_list_remove(&fo->commit.link);
	wl_list_remove(&fo->destroy.link);
	wl_list_remove(&fo->link);
	free(fo);
}

static void output_handle_destroy(struct wl_listener *listener, void *data) {
	struct comp_fs_output *fo = wl_container_of(listener, fo, destroy);
	recheck_soon(fo->fs);
	fs_output_destroy(fo);
}

static void handle_new_output(struct wl_listener *listener, void *data) {
	struct comp_fractional_scale *fs = wl_container_of(listener, fs, new_output);
	struct wlr_output *wlr_output = data;
	struct comp_fs_output *fo = calloc(1, sizeof(*fo));
	if (!fo) {
		return;
	}
	fo->fs = fs;
	fo->commit.notify = output_handle_commit;
	wl_signal_add(&wlr_output->events.commit, &fo->commit);
	fo->destroy.notify = output_handle_destroy;
	wl_signal_add(&wlr_output->events.destroy, &fo->destroy);
	wl_list_insert(&fs->outputs, &fo->link);
}

struct comp_fractional_scale *comp_fractional_scale_create(struct comp_server *server) {
	struct comp_fractional_scale *fs = calloc(1, sizeof(*fs));
	if (!fs) {
		return NULL;
	}
	fs->server = server;
	wl_list_init(&fs->objects);
	wl_list_init(&fs->outputs);
	fs->global = wl_global_create(server->display, &wp_fractional_scale_manager_v1_interface,
		FRACTIONAL_SCALE_VERSION, fs, manager_bind);
	if (!fs->global) {
		free(fs);
		return NULL;
	}
	fs->new_output.notify = handle_new_output;
	wl_signal_add(&server->backend->events.new_output, &fs->new_output);
	return fs;
}

void comp_fractional_scale_destroy(struct comp_fractional_scale *fs) {
	if (!fs) {
		return;
	}
	struct comp_fractional_object *obj, *tmp;
	wl_list_for_each_safe(obj, tmp, &fs->objects, link) {
		object_finish(obj);
	}
	struct comp_fs_output *fo, *fotmp;
	wl_list_for_each_safe(fo, fotmp, &fs->outputs, link) {
		fs_output_destroy(fo);
	}
	if (fs->recheck) {
		wl_event_source_remove(fs->recheck);
	}
	wl_list_remove(&fs->new_output.link);
	wl_global_destroy(fs->global);
	free(fs);
}
