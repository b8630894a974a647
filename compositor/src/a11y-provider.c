/*
 * The compositor on lumen-a11yd's bus (a11y/client.h), through the trusted socket: as the
 * window manager it says which window is whose (pid from the kernel, app id, title,
 * position), which is active, and when windows open and close; as a provider it
 * publishes its own UI: the desktop, its workspaces, and the Alt+Tab switcher, whose
 * selected window has focus while Alt is held, so a screen reader speaks each window as
 * it is selected. Workspace switches are announced. Fed by comp_ipc_event, which every
 * window and workspace change already passes through. Without a bus, it tries again
 * every second.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wayland-server-core.h>
#include "a11y/client.h"
#include "common/log.h"
#include "lumen-a11y-v1-client-protocol.h"
#include "server.h"

#define RETRY_MS 1000
#define ROOT_ID 1
#define SWITCHER_ID 2
#define WORKSPACES_ID 3
#define WORKSPACE_ID(n) (10u + (uint32_t)(n))
#define ITEM_ID(view) (1000u + (uint32_t)(view)->id)
#define MAX_ITEMS 256

struct comp_a11y {
	struct comp_server *server;
	struct a11y_client *client;
	struct a11y_provider *ui;
	struct wl_event_source *fd_source; // while connected
	struct wl_event_source *retry; // timer
	int said_workspace; // the workspace last announced
	bool switcher_shown;
};

static uint32_t window_id(struct comp_view *view) {
	return (uint32_t)view->id; // ids count up from 1; 2^32 windows is out of reach
}

static void send_window(struct comp_a11y *a, struct comp_view *view) {
	struct wlr_surface *surface = comp_view_surface(view);
	pid_t pid = 0;
	if (surface && surface->resource) {
		wl_client_get_credentials(wl_resource_get_client(surface->resource), &pid, NULL, NULL);
	}
	/* The content's origin in layout coordinates: inside the frame's border and title. */
	struct wlr_box frame = comp_view_frame_box(view);
	int border = (frame.width - view->width) / 2;
	int top = frame.height - view->height - border;
	a11y_client_wm_window(a->client, window_id(view), pid, comp_view_app_id(view),
		comp_view_title(view), frame.x + border, frame.y + top, view->width, view->height);
}

/* The compositor's own tree: the desktop, its workspaces, and the switcher while it is up. */
static void publish_ui(struct comp_a11y *a) {
	struct comp_server *server = a->server;
	struct a11y_node_desc nodes[3 + COMP_WORKSPACES + MAX_ITEMS];
	uint32_t root_kids[2] = {WORKSPACES_ID}, ws_kids[COMP_WORKSPACES], items[MAX_ITEMS];
	size_t n = 0, n_root_kids = 1, n_items = 0;
	uint32_t focus = 0;
	struct comp_workspace *current = comp_workspace_focused(server);

	nodes[n++] = (struct a11y_node_desc){.id = WORKSPACES_ID,
		.role = LUMEN_A11Y_PROVIDER_V1_ROLE_PAGE_TAB_LIST, .name = "Workspaces",
		.children = ws_kids, .n_children = COMP_WORKSPACES};
	static char names[COMP_WORKSPACES][32];
	for (int i = 0; i < COMP_WORKSPACES; i++) {
		snprintf(names[i], sizeof(names[i]), "Workspace %d", i + 1);
		ws_kids[i] = WORKSPACE_ID(i + 1);
		nodes[n++] = (struct a11y_node_desc){.id = WORKSPACE_ID(i + 1),
			.role = LUMEN_A11Y_PROVIDER_V1_ROLE_PAGE_TAB, .name = names[i],
			.states = current && current->num == i + 1
				? LUMEN_A11Y_PROVIDER_V1_STATE_SELECTED : 0};
	}
	if (server->switching && server->switch_target && current) {
		struct comp_view *view;
		wl_list_for_each(view, &current->views, ws_link) {
			if (!view->mapped || n_items >= MAX_ITEMS) {
				continue;
			}
			bool selected = view == server->switch_target;
			items[n_items++] = ITEM_ID(view);
			nodes[n++] = (struct a11y_node_desc){.id = ITEM_ID(view),
				.role = LUMEN_A11Y_PROVIDER_V1_ROLE_LIST_ITEM, .name = comp_view_title(view),
				.description = comp_view_app_id(view),
				.states = LUMEN_A11Y_PROVIDER_V1_STATE_SELECTABLE |
					(selected ? LUMEN_A11Y_PROVIDER_V1_STATE_SELECTED |
						LUMEN_A11Y_PROVIDER_V1_STATE_FOCUSED : 0)};
			if (selected) {
				focus = ITEM_ID(view);
			}
		}
		nodes[n++] = (struct a11y_node_desc){.id = SWITCHER_ID,
			.role = LUMEN_A11Y_PROVIDER_V1_ROLE_LIST, .name = "Switch windows",
			.children = items, .n_children = n_items};
		root_kids[n_root_kids++] = SWITCHER_ID;
	}
	a->switcher_shown = focus != 0;
	nodes[n++] = (struct a11y_node_desc){.id = ROOT_ID,
		.role = LUMEN_A11Y_PROVIDER_V1_ROLE_APPLICATION, .name = "Lumen",
		.children = root_kids, .n_children = n_root_kids};
	a11y_provider_publish(a->ui, nodes, n, ROOT_ID, focus);
}

static void handle_connected(struct a11y_client *client, void *data) {
	struct comp_a11y *a = data;
	struct comp_server *server = a->server;
	if (!a->ui) {
		return; // still in comp_a11y_create, which calls this again when ready
	}
	for (int i = 0; i < COMP_WORKSPACES; i++) {
		struct comp_view *view;
		wl_list_for_each_reverse(view, &server->workspaces[i].views, ws_link) {
			if (view->mapped) {
				send_window(a, view);
			}
		}
	}
	if (server->focused_view) {
		a11y_client_wm_activate(a->client, window_id(server->focused_view));
	}
	publish_ui(a);
}

static uint32_t handle_action(struct a11y_provider *provider,
		const struct a11y_action_request *req, void *data) {
	struct comp_a11y *a = data;
	/* Activating a workspace shows it. */
	for (int i = 0; i < COMP_WORKSPACES; i++) {
		if (req->node == WORKSPACE_ID(i + 1) &&
				(req->kind == LUMEN_A11Y_PROVIDER_V1_ACTION_KIND_ACTIVATE ||
					req->kind == LUMEN_A11Y_PROVIDER_V1_ACTION_KIND_FOCUS)) {
			comp_workspace_show(&a->server->workspaces[i], comp_output_focused(a->server));
			return LUMEN_A11Y_PROVIDER_V1_ACTION_RESULT_DONE;
		}
	}
	return LUMEN_A11Y_PROVIDER_V1_ACTION_RESULT_UNSUPPORTED;
}

static const struct a11y_client_listener client_listener = {
	.connected = handle_connected,
	.action = handle_action,
};

static void watch(struct comp_a11y *a);

static int handle_readable(int fd, uint32_t mask, void *data) {
	struct comp_a11y *a = data;
	if (!a11y_client_dispatch(a->client)) {
		wl_event_source_remove(a->fd_source);
		a->fd_source = NULL;
		watch(a);
	}
	return 0;
}

static int handle_retry(void *data) {
	struct comp_a11y *a = data;
	a11y_client_reconnect(a->client);
	watch(a);
	return 0;
}

static void watch(struct comp_a11y *a) {
	int fd = a11y_client_get_fd(a->client);
	if (fd >= 0 && !a->fd_source) {
		a->fd_source = wl_event_loop_add_fd(a->server->loop, fd, WL_EVENT_READABLE,
			handle_readable, a);
	} else if (fd < 0 && a->retry) {
		wl_event_source_timer_update(a->retry, RETRY_MS);
	}
}

struct comp_a11y *comp_a11y_create(struct comp_server *server) {
	const char *off = getenv("LUMEN_A11Y");
	if ((off && strcmp(off, "0") == 0) || !getenv("XDG_RUNTIME_DIR")) {
		return NULL;
	}
	struct comp_a11y *a = calloc(1, sizeof(*a));
	if (!a) {
		return NULL;
	}
	a->server = server;
	a->retry = wl_event_loop_add_timer(server->loop, handle_retry, a);
	const char *socket = getenv("LUMEN_A11Y_TRUSTED_SOCKET");
	a->client = a11y_client_create(socket && socket[0] ? socket : "lumen-a11y-0-trusted", true,
		&client_listener, a);
	if (!a->client || !a->retry) {
		comp_a11y_destroy(a);
		return NULL;
	}
	a->ui = a11y_provider_create(a->client, "lumen", a);
	if (!a->ui) {
		comp_a11y_destroy(a);
		return NULL;
	}
	struct comp_workspace *ws = comp_workspace_focused(server);
	a->said_workspace = ws ? ws->num : 0;
	if (a11y_client_is_connected(a->client)) {
		handle_connected(a->client, a);
	}
	watch(a);
	return a;
}

void comp_a11y_destroy(struct comp_a11y *a) {
	if (!a) {
		return;
	}
	if (a->fd_source) {
		wl_event_source_remove(a->fd_source);
	}
	if (a->retry) {
		wl_event_source_remove(a->retry);
	}
	a11y_client_destroy(a->client); // and the provider
	free(a);
}

void comp_a11y_event(struct comp_server *server, const char *type, const char *change,
		struct comp_view *view) {
	struct comp_a11y *a = server->a11y;
	if (!a || !a11y_client_is_connected(a->client)) {
		return;
	}
	/* Alt let go: the switcher goes first, so focus returns to the window it chose. */
	if (a->switcher_shown && !server->switching) {
		publish_ui(a);
	}
	if (strcmp(type, "window") == 0 && view) {
		if (strcmp(change, "close") == 0) {
			a11y_client_wm_window_closed(a->client, window_id(view));
		} else if (strcmp(change, "switch") == 0) {
			publish_ui(a); // the switcher, its selection focused
			return;
		} else {
			send_window(a, view);
		}
		if (strcmp(change, "focus") == 0) {
			a11y_client_wm_activate(a->client, window_id(view));
		}
	}
	if (strcmp(type, "workspace") == 0) {
		struct comp_workspace *ws = comp_workspace_focused(server);
		if (ws && ws->num != a->said_workspace) {
			char text[32];
			snprintf(text, sizeof(text), "Workspace %d", ws->num);
			a->said_workspace = ws->num;
			a11y_provider_announce(a->ui, text, true);
		}
		publish_ui(a);
	}
}
