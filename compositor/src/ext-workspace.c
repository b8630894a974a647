/*
 * ext-workspace-v1: workspaces for panels, alongside IPC's. Each output is a workspace
 * group; each of the nine workspaces belongs to the group of the output it is shown on
 * (or was last shown on; the first output's before that) and is "active" while shown.
 * A client may activate a workspace (at commit): it is shown on its output. Creating,
 * removing and moving workspaces are not offered (Lumen has nine, fixed).
 *
 * The window manager has no signal for workspace changes, so the state is compared
 * with what clients were told after each output frame: whatever changed what is shown
 * also brought a frame. Privileged, like the wlr foreign-toplevel manager: trust.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <wlr/types/wlr_output.h>
#include "common/log.h"
#include "ext-workspace-v1-protocol.h"
#include "protocols-ext.h"
#include "server.h"

#define WORKSPACE_VERSION 1

struct ews_group {
	struct wl_list link; // comp_ext_workspaces.groups
	struct comp_ext_workspaces *ews;
	struct wlr_output *wlr_output;
	struct wl_list resources; // ews_group_res.link
	struct wl_listener frame, bind, destroy;
};

struct ews_manager {
	struct wl_list link; // comp_ext_workspaces.managers
	struct comp_ext_workspaces *ews;
	struct wl_resource *resource;
	bool pending_activate[COMP_WORKSPACES];
	struct wl_list ws_resources; // ews_ws_res.link
};

struct ews_group_res {
	struct wl_list link; // ews_group.resources
	struct wl_resource *resource;
	struct ews_manager *mgr; // NULL once inert
	struct ews_group *group; // NULL once inert
};

struct ews_ws_res {
	struct wl_list link; // ews_manager.ws_resources
	struct wl_resource *resource;
	struct ews_manager *mgr; // NULL once inert
	int index; // 0..COMP_WORKSPACES-1
};

struct comp_ext_workspaces {
	struct comp_server *server;
	struct wl_global *global;
	struct wl_list managers; // ews_manager.link
	struct wl_list groups; // ews_group.link
	struct {
		struct ews_group *group; // as last told; NULL before any output
		uint32_t state;
	} told[COMP_WORKSPACES];
	struct wl_listener new_output;
};

static struct ews_group_res *group_res_for(struct ews_group *group, struct ews_manager *mgr) {
	struct ews_group_res *gr;
	wl_list_for_each(gr, &group->resources, link) {
		if (gr->mgr == mgr) {
			return gr;
		}
	}
	return NULL;
}

static struct ews_ws_res *ws_res_for(struct ews_manager *mgr, int index) {
	struct ews_ws_res *wr;
	wl_list_for_each(wr, &mgr->ws_resources, link) {
		if (wr->index == index) {
			return wr;
		}
	}
	return NULL;
}

/* What the window manager says now. */
static struct ews_group *current_group(struct comp_ext_workspaces *ews, int index) {
	struct comp_workspace *ws = &ews->server->workspaces[index];
	struct ews_group *group;
	if (ws->output) {
		wl_list_for_each(group, &ews->groups, link) {
			if (group->wlr_output == ws->output->wlr_output) {
				return group;
			}
		}
	}
	/* Never shown, or its output is gone: with whichever group it was in, or the first. */
	if (ews->told[index].group) {
		return ews->told[index].group;
	}
	return wl_list_empty(&ews->groups) ? NULL
		: wl_container_of(ews->groups.next, group, link);
}

static uint32_t current_state(struct comp_ext_workspaces *ews, int index) {
	struct comp_workspace *ws = &ews->server->workspaces[index];
	return ws->output && ws->output->workspace == ws ? EXT_WORKSPACE_HANDLE_V1_STATE_ACTIVE : 0;
}

static void send_output_enters(struct ews_group_res *gr) {
	struct wl_client *client = wl_resource_get_client(gr->resource);
	struct wl_resource *output;
	wl_resource_for_each(output, &gr->group->wlr_output->resources) {
		if (wl_resource_get_client(output) == client) {
			ext_workspace_group_handle_v1_send_output_enter(gr->resource, output);
		}
	}
}

static void group_handle_create_workspace(struct wl_client *client,
		struct wl_resource *resource, const char *name) {
	/* Not offered in capabilities: ignored, as the protocol says. */
}

static void group_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static const struct ext_workspace_group_handle_v1_interface group_impl = {
	.create_workspace = group_handle_create_workspace,
	.destroy = group_handle_destroy,
};

static void group_res_destroy(struct wl_resource *resource) {
	struct ews_group_res *gr = wl_resource_get_user_data(resource);
	wl_list_remove(&gr->link);
	free(gr);
}

static void announce_group(struct ews_manager *mgr, struct ews_group *group) {
	struct wl_client *client = wl_resource_get_client(mgr->resource);
	struct ews_group_res *gr = calloc(1, sizeof(*gr));
	if (!gr) {
		wl_client_post_no_memory(client);
		return;
	}
	gr->resource = wl_resource_create(client, &ext_workspace_group_handle_v1_interface,
		wl_resource_get_version(mgr->resource), 0);
	if (!gr->resource) {
		free(gr);
		wl_client_post_no_memory(client);
		return;
	}
	gr->mgr = mgr;
	gr->group = group;
	wl_list_insert(group->resources.prev, &gr->link);
	wl_resource_set_implementation(gr->resource, &group_impl, gr, group_res_destroy);
	ext_workspace_manager_v1_send_workspace_group(mgr->resource, gr->resource);
	ext_workspace_group_handle_v1_send_capabilities(gr->resource, 0);
	send_output_enters(gr);
}

static void ws_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void ws_handle_activate(struct wl_client *client, struct wl_resource *resource) {
	struct ews_ws_res *wr = wl_resource_get_user_data(resource);
	if (wr->mgr) {
		wr->mgr->pending_activate[wr->index] = true;
	}
}

static void ws_handle_ignored(struct wl_client *client, struct wl_resource *resource) {
	/* deactivate and remove are not offered in capabilities: ignored. */
}

static void ws_handle_assign(struct wl_client *client, struct wl_resource *resource,
		struct wl_resource *group) {
	/* Not offered in capabilities: ignored. */
}

static const struct ext_workspace_handle_v1_interface ws_impl = {
	.destroy = ws_handle_destroy,
	.activate = ws_handle_activate,
	.deactivate = ws_handle_ignored,
	.assign = ws_handle_assign,
	.remove = ws_handle_ignored,
};

static void ws_res_destroy(struct wl_resource *resource) {
	struct ews_ws_res *wr = wl_resource_get_user_data(resource);
	wl_list_remove(&wr->link);
	free(wr);
}

static void announce_workspace(struct ews_manager *mgr, int index) {
	struct comp_ext_workspaces *ews = mgr->ews;
	struct wl_client *client = wl_resource_get_client(mgr->resource);
	struct ews_ws_res *wr = calloc(1, sizeof(*wr));
	if (!wr) {
		wl_client_post_no_memory(client);
		return;
	}
	wr->resource = wl_resource_create(client, &ext_workspace_handle_v1_interface,
		wl_resource_get_version(mgr->resource), 0);
	if (!wr->resource) {
		free(wr);
		wl_client_post_no_memory(client);
		return;
	}
	wr->mgr = mgr;
	wr->index = index;
	wl_list_insert(mgr->ws_resources.prev, &wr->link);
	wl_resource_set_implementation(wr->resource, &ws_impl, wr, ws_res_destroy);
	ext_workspace_manager_v1_send_workspace(mgr->resource, wr->resource);
	char text[32];
	snprintf(text, sizeof(text), "lumen-workspace-%d", index + 1);
	ext_workspace_handle_v1_send_id(wr->resource, text);
	snprintf(text, sizeof(text), "%d", index + 1);
	ext_workspace_handle_v1_send_name(wr->resource, text);
	struct wl_array coords;
	wl_array_init(&coords);
	uint32_t *c = wl_array_add(&coords, sizeof(*c));
	if (c) {
		*c = (uint32_t)index;
		ext_workspace_handle_v1_send_coordinates(wr->resource, &coords);
	}
	wl_array_release(&coords);
	ext_workspace_handle_v1_send_state(wr->resource, ews->told[index].state);
	ext_workspace_handle_v1_send_capabilities(wr->resource,
		EXT_WORKSPACE_HANDLE_V1_WORKSPACE_CAPABILITIES_ACTIVATE);
	struct ews_group *group = ews->told[index].group;
	struct ews_group_res *gr = group ? group_res_for(group, mgr) : NULL;
	if (gr) {
		ext_workspace_group_handle_v1_send_workspace_enter(gr->resource, wr->resource);
	}
}

static void send_done(struct comp_ext_workspaces *ews) {
	struct ews_manager *mgr;
	wl_list_for_each(mgr, &ews->managers, link) {
		ext_workspace_manager_v1_send_done(mgr->resource);
	}
}

/* Tells every client what changed since it was last told; true if anything did. */
static bool sync_state(struct comp_ext_workspaces *ews) {
	bool changed = false;
	for (int i = 0; i < COMP_WORKSPACES; i++) {
		struct ews_group *group = current_group(ews, i);
		uint32_t state = current_state(ews, i);
		struct ews_group *old = ews->told[i].group;
		if (group != old) {
			struct ews_manager *mgr;
			wl_list_for_each(mgr, &ews->managers, link) {
				struct ews_ws_res *wr = ws_res_for(mgr, i);
				struct ews_group_res *gr_old = old ? group_res_for(old, mgr) : NULL;
				struct ews_group_res *gr_new = group ? group_res_for(group, mgr) : NULL;
				if (!wr) {
					continue;
				}
				if (gr_old) {
					ext_workspace_group_handle_v1_send_workspace_leave(gr_old->resource,
						wr->resource);
				}
				if (gr_new) {
					ext_workspace_group_handle_v1_send_workspace_enter(gr_new->resource,
						wr->resource);
				}
			}
			ews->told[i].group = group;
			changed = true;
		}
		if (state != ews->told[i].state) {
			struct ews_manager *mgr;
			wl_list_for_each(mgr, &ews->managers, link) {
				struct ews_ws_res *wr = ws_res_for(mgr, i);
				if (wr) {
					ext_workspace_handle_v1_send_state(wr->resource, state);
				}
			}
			ews->told[i].state = state;
			changed = true;
		}
	}
	return changed;
}

static void manager_handle_commit(struct wl_client *client, struct wl_resource *resource) {
	struct ews_manager *mgr = wl_resource_get_user_data(resource);
	if (!mgr) {
		return;
	}
	struct comp_server *server = mgr->ews->server;
	for (int i = 0; i < COMP_WORKSPACES; i++) {
		if (!mgr->pending_activate[i]) {
			continue;
		}
		mgr->pending_activate[i] = false;
		struct comp_workspace *ws = &server->workspaces[i];
		struct comp_output *output = ws->output ? ws->output : comp_output_focused(server);
		if (output) {
			lumen_log(LUMEN_INFO, "ext-workspace: activating workspace %d on %s", i + 1,
				output->wlr_output->name);
			comp_workspace_show(ws, output);
		}
	}
	if (sync_state(mgr->ews)) {
		send_done(mgr->ews);
	}
}

static void manager_free(struct ews_manager *mgr) {
	struct ews_ws_res *wr, *wtmp;
	wl_list_for_each_safe(wr, wtmp, &mgr->ws_resources, link) {
		wr->mgr = NULL;
		wl_list_remove(&wr->link);
		wl_list_init(&wr->link);
	}
	struct ews_group *group;
	wl_list_for_each(group, &mgr->ews->groups, link) {
		struct ews_group_res *gr = group_res_for(group, mgr);
		if (gr) {
			gr->mgr = NULL;
			gr->group = NULL;
			wl_list_remove(&gr->link);
			wl_list_init(&gr->link);
		}
	}
	wl_list_remove(&mgr->link);
	free(mgr);
}

static void manager_handle_stop(struct wl_client *client, struct wl_resource *resource) {
	struct ews_manager *mgr = wl_resource_get_user_data(resource);
	if (!mgr) {
		return;
	}
	ext_workspace_manager_v1_send_finished(resource);
	/* The protocol has the compositor destroy the object right after "finished". */
	wl_resource_destroy(resource);
}

static const struct ext_workspace_manager_v1_interface manager_impl = {
	.commit = manager_handle_commit,
	.stop = manager_handle_stop,
};

static void manager_resource_destroy(struct wl_resource *resource) {
	struct ews_manager *mgr = wl_resource_get_user_data(resource);
	if (mgr) {
		manager_free(mgr);
	}
}

static void manager_bind(struct wl_client *client, void *data, uint32_t version,
		uint32_t id) {
	struct comp_ext_workspaces *ews = data;
	struct ews_manager *mgr = calloc(1, sizeof(*mgr));
	if (!mgr) {
		wl_client_post_no_memory(client);
		return;
	}
	mgr->resource = wl_resource_create(client, &ext_workspace_manager_v1_interface,
		(int)version, id);
	if (!mgr->resource) {
		free(mgr);
		wl_client_post_no_memory(client);
		return;
	}
	mgr->ews = ews;
	wl_list_init(&mgr->ws_resources);
	wl_list_insert(&ews->managers, &mgr->link);
	wl_resource_set_implementation(mgr->resource, &manager_impl, mgr,
		manager_resource_destroy);
	/* What older clients were told is what this one is told: no event goes missing. */
	if (sync_state(ews)) {
		send_done(ews);
	}
	struct ews_group *group;
	wl_list_for_each(group, &ews->groups, link) {
		announce_group(mgr, group);
	}
	for (int i = 0; i < COMP_WORKSPACES; i++) {
		announce_workspace(mgr, i);
	}
	ext_workspace_manager_v1_send_done(mgr->resource);
}

/* Groups: one per output. */

static void group_handle_frame(struct wl_listener *listener, void *data) {
	struct ews_group *group = wl_container_of(listener, group, frame);
	if (sync_state(group->ews)) {
		send_done(group->ews);
	}
}

static void group_handle_bind(struct wl_listener *listener, void *data) {
	struct ews_group *group = wl_container_of(listener, group, bind);
	struct wlr_output_event_bind *event = data;
	struct wl_client *client = wl_resource_get_client(event->resource);
	struct ews_group_res *gr;
	wl_list_for_each(gr, &group->resources, link) {
		if (wl_resource_get_client(gr->resource) == client) {
			ext_workspace_group_handle_v1_send_output_enter(gr->resource, event->resource);
			ext_workspace_manager_v1_send_done(gr->mgr->resource);
		}
	}
}

static void group_free(struct ews_group *group) {
	struct ews_group_res *gr, *tmp;
	wl_list_for_each_safe(gr, tmp, &group->resources, link) {
		ext_workspace_group_handle_v1_send_removed(gr->resource);
		gr->group = NULL;
		gr->mgr = NULL;
		wl_list_remove(&gr->link);
		wl_list_init(&gr->link);
	}
	wl_list_remove(&group->frame.link);
	wl_list_remove(&group->bind.link);
	wl_list_remove(&group->destroy.link);
	free(group);
}

static void group_handle_output_destroy(struct wl_listener *listener, void *data) {
	struct ews_group *group = wl_container_of(listener, group, destroy);
	struct comp_ext_workspaces *ews = group->ews;
	wl_list_remove(&group->link);
	/* Its workspaces move to the groups of the outputs they went to (or the first). */
	for (int i = 0; i < COMP_WORKSPACES; i++) {
		if (ews->told[i].group == group) {
			struct ews_manager *mgr;
			wl_list_for_each(mgr, &ews->managers, link) {
				struct ews_ws_res *wr = ws_res_for(mgr, i);
				struct ews_group_res *gr = group_res_for(group, mgr);
				if (wr && gr) {
					ext_workspace_group_handle_v1_send_workspace_leave(gr->resource,
						wr->resource);
				}
			}
			ews->told[i].group = NULL;
		}
	}
	sync_state(ews);
	group_free(group);
	send_done(ews);
}

static void handle_new_output(struct wl_listener *listener, void *data) {
	struct comp_ext_workspaces *ews = wl_container_of(listener, ews, new_output);
	struct wlr_output *wlr_output = data;
	struct ews_group *group = calloc(1, sizeof(*group));
	if (!group) {
		lumen_log(LUMEN_ERROR, "out of memory: output %s has no workspace group",
			wlr_output->name);
		return;
	}
	group->ews = ews;
	group->wlr_output = wlr_output;
	wl_list_init(&group->resources);
	group->frame.notify = group_handle_frame;
	wl_signal_add(&wlr_output->events.frame, &group->frame);
	group->bind.notify = group_handle_bind;
	wl_signal_add(&wlr_output->events.bind, &group->bind);
	group->destroy.notify = group_handle_output_destroy;
	wl_signal_add(&wlr_output->events.destroy, &group->destroy);
	wl_list_insert(ews->groups.prev, &group->link);
	struct ews_manager *mgr;
	wl_list_for_each(mgr, &ews->managers, link) {
		announce_group(mgr, group);
	}
	sync_state(ews);
	send_done(ews);
}

struct comp_ext_workspaces *comp_ext_workspaces_create(struct comp_server *server) {
	struct comp_ext_workspaces *ews = calloc(1, sizeof(*ews));
	if (!ews) {
		return NULL;
	}
	ews->server = server;
	wl_list_init(&ews->managers);
	wl_list_init(&ews->groups);
	ews->global = wl_global_create(server->display, &ext_workspace_manager_v1_interface,
		WORKSPACE_VERSION, ews, manager_bind);
	if (!ews->global) {
		free(ews);
		return NULL;
	}
	ews->new_output.notify = handle_new_output;
	wl_signal_add(&server->backend->events.new_output, &ews->new_output);
	return ews;
}

void comp_ext_workspaces_destroy(struct comp_ext_workspaces *ews) {
	if (!ews) {
		return;
	}
	struct ews_manager *mgr, *mtmp;
	wl_list_for_each_safe(mgr, mtmp, &ews->managers, link) {
		wl_resource_set_user_data(mgr->resource, NULL);
		manager_free(mgr);
	}
	struct ews_group *group, *gtmp;
	wl_list_for_each_safe(group, gtmp, &ews->groups, link) {
		wl_list_remove(&group->link);
		group_free(group);
	}
	wl_list_remove(&ews->new_output.link);
	wl_global_destroy(ews->global);
	free(ews);
}
