/*
 * Lumen's IPC: how lumenctl, panels and test scripts query and drive the compositor.
 *
 * Transport. A Unix stream socket at the path given to comp_ipc_create (the server
 * passes $XDG_RUNTIME_DIR/lumen-ipc.<wayland socket>.sock and exports it to children
 * as LUMEN_IPC_SOCKET). It is made mode 0600 before listen(), so no other user can
 * connect even for an instant. A stale socket left by a crashed compositor is
 * replaced; a live one (something answers connect) is not.
 *
 * Wire format. Newline-delimited JSON, one request per line, one reply line per
 * request, in order:
 *   -> {"command": "NAME", ...arguments}
 *   <- {"success": true, ...results}  or  {"success": false, "error": "message"}
 * Blank lines are ignored; a last line without its newline is still served at EOF.
 * Requests are parsed by ipc-json.c, which the unit test and the fuzzer drive alone.
 * Members a command does not know are ignored; null counts as absent.
 *
 * Commands (ids are comp_view.id; "state" is "on", "off" or "toggle", the default):
 *   outputs     -> "outputs": [{name, make, model, enabled, width, height, refresh
 *                  (mHz), x, y, scale, workspace, focused, modes: [{width, height,
 *                  refresh, preferred}]}], "renderer": {name ("gles2", "pixman"), why}
 *   windows     -> "windows": [{id, title, app_id, workspace, output, x, y, width,
 *                  height (the frame), focused, maximized, fullscreen, minimized,
 *                  xwayland, responding (false while its client leaves an xdg_wm_base
 *                  ping unanswered), popups: [{x, y, width, height}]}], mapped windows only
 *   workspaces  -> "workspaces": [{num, output, visible, focused, tiling, windows}]
 *   focus {id}, close {id}, fullscreen|maximize|minimize {id, state}
 *   move {id, workspace: N} | {id, x, y}   the frame's top-left, layout coordinates
 *   workspace {num}       shows it on the focused output
 *   exec {cmd}, action {action}            as in lumen.ini [autostart], [bindings]
 *   layout {index} | {next: true} -> index, name
 *   get-layout  -> index, name, layouts: [names], keyboards: [{name, virtual, index,
 *                  layout, layouts: [names]}] (each keyboard's own keymap and layout)
 *   reload      -> errors: ["FILE:LINE: message"], also when it fails
 *   screenshot {path (absolute), output (default: focused)} -> path, output
 *   subscribe {events: [...]}
 * An unknown window id is "no window with id N"; bad JSON, a wrong type or a missing
 * argument each get an error that names the member at fault.
 *
 * Events. After {"command": "subscribe", "events": ["window", "workspace", "layout",
 * "output"]} the client also receives, interleaved with replies, lines
 *   {"event": "window", "change": "focus", "window": {...as in "windows"...}}
 *   {"event": "workspace", "change": "...", "workspace": N, "output": "NAME"}
 *   {"event": "layout", "change": "...", "layout": {"index": N, "name": "..."}}
 *   {"event": "output", "change": "...", "outputs": [...as in "outputs"...]}
 * emitted by the compositor through comp_ipc_event. Events that a request causes
 * reach its (subscribed) sender before the reply. A subscriber may shut down its
 * writing side and keep reading events.
 *
 * The compositor never blocks on a client. Sockets are nonblocking and driven by
 * the wl_event_loop. Each client has a read buffer holding at most one line of
 * COMP_IPC_MAX_LINE bytes: a longer line gets an error reply and the client is
 * disconnected, because there is no way to find where the next request starts (the
 * socket is shut down for writing and the rest of its input dropped until it closes:
 * closing with unread input would reset the connection and lose the reply).
 * Each client has a write queue; one that stops reading and lets more than
 * IPC_MAX_QUEUED bytes pile up is dropped. A client that goes away mid-request only
 * makes its own send fail. Clients are never freed inside a handler that may still
 * be using them (a broadcast can drop the client whose request is being served):
 * they are marked dead, their fd closed at once, and freed from an idle callback.
 */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <wlr/types/wlr_virtual_keyboard_v1.h>
#include "common/fd.h"
#include "common/log.h"
#include "ipc-json.h"
#include "renderer.h"
#include "server.h"
#include "xdg-wm-base.h"

#define IPC_MAX_QUEUED (1024 * 1024)
/* What a client may still send after a fatal error before it is cut off hard. */
#define IPC_MAX_DISCARD (1024 * 1024)
#define IPC_MAX_CLIENTS 128
#define IPC_READ_INITIAL 4096
/* xkbcommon allows 4 layouts per keymap; more than enough headroom. */
#define IPC_MAX_LAYOUTS 32
/* Menus nest a few deep; a client stacking more gets its first ones listed. */
#define IPC_MAX_POPUPS 32

struct comp_ipc {
	struct comp_server *server;
	int fd;
	char *path;
	struct wl_event_source *source;
	struct wl_event_source *accept_retry; // timer resuming accept() after running out of fds
	struct wl_event_source *reap; // idle source freeing dead clients; NULL if none pending
	struct wl_list clients; // comp_ipc_client.link
	int client_count;
	bool full_logged; // warned once that the client limit was hit
};

struct comp_ipc_client {
	struct wl_list link; // comp_ipc.clients
	struct comp_ipc *ipc;
	int fd; // -1 once dead
	struct wl_event_source *source; // NULL once dead
	char *in; // partial request line
	size_t in_len, in_cap;
	char *out; // queued reply bytes are out[out_start, out_len)
	size_t out_start, out_len, out_cap;
	uint32_t events; // enum comp_ipc_event_type mask subscribed to
	bool read_done; // EOF seen: read no more
	bool close_when_drained;
	/*
	 * After a fatal error (a line too long): input is read and dropped until EOF.
	 * Closing with unread input would reset the connection, and the client could
	 * lose the error reply that says why.
	 */
	bool discarding;
	size_t discarded;
	bool dead;
};

/* POSIX lets EAGAIN and EWOULDBLOCK differ; where they are equal, -Wlogical-op objects. */
static bool would_block(int err) {
#if EAGAIN == EWOULDBLOCK
	return err == EAGAIN;
#else
	return err == EAGAIN || err == EWOULDBLOCK;
#endif
}

static void client_free(struct comp_ipc_client *client) {
	if (client->source) {
		wl_event_source_remove(client->source);
	}
	if (client->fd >= 0) {
		close(client->fd);
	}
	wl_list_remove(&client->link);
	client->ipc->client_count--;
	free(client->in);
	free(client->out);
	free(client);
}

static void handle_reap(void *data) {
	struct comp_ipc *ipc = data;
	ipc->reap = NULL;
	struct comp_ipc_client *client, *tmp;
	wl_list_for_each_safe(client, tmp, &ipc->clients, link) {
		if (client->dead) {
			client_free(client);
		}
	}
}

/*
 * Disconnects now and frees later: the caller may be in the middle of this client's
 * request or walking the client list.
 */
static void client_kill(struct comp_ipc_client *client, const char *why) {
	if (client->dead) {
		return;
	}
	lumen_log(LUMEN_DEBUG, "IPC client fd %d disconnected: %s", client->fd, why);
	client->dead = true;
	wl_event_source_remove(client->source);
	client->source = NULL;
	close(client->fd);
	client->fd = -1;
	struct comp_ipc *ipc = client->ipc;
	if (!ipc->reap) {
		ipc->reap = wl_event_loop_add_idle(ipc->server->loop, handle_reap, ipc);
		/* Without the idle source the client is freed with the next one, or on destroy. */
		if (!ipc->reap) {
			lumen_log(LUMEN_ERROR, "out of memory scheduling IPC client cleanup");
		}
	}
}

static void client_update_mask(struct comp_ipc_client *client) {
	uint32_t mask = 0;
	if (!client->read_done) {
		mask |= WL_EVENT_READABLE;
	}
	if (client->out_len > client->out_start) {
		mask |= WL_EVENT_WRITABLE;
	}
	wl_event_source_fd_update(client->source, mask);
}

static void client_flush(struct comp_ipc_client *client) {
	while (!client->dead && client->out_start < client->out_len) {
		ssize_t n = send(client->fd, client->out + client->out_start,
				client->out_len - client->out_start, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			if (would_block(errno)) {
				break;
			}
			client_kill(client, strerror(errno));
			return;
		}
		client->out_start += (size_t)n;
	}
	if (client->dead) {
		return;
	}
	if (client->out_start == client->out_len) {
		client->out_start = client->out_len = 0;
		if (client->close_when_drained) {
			client_kill(client, "done");
			return;
		}
		/* The error reply is out: EOF tells the client there is nothing more. */
		if (client->discarding) {
			shutdown(client->fd, SHUT_WR);
		}
	}
	client_update_mask(client);
}

/* Queues data + "\n" and tries to send it; drops a client that is not reading. */
static void client_send_line(struct comp_ipc_client *client, const char *data, size_t len) {
	if (client->dead) {
		return;
	}
	if (client->out_start > 0) {
		memmove(client->out, client->out + client->out_start, client->out_len - client->out_start);
		client->out_len -= client->out_start;
		client->out_start = 0;
	}
	size_t backlog = client->out_len;
	size_t need = client->out_len + len + 1;
	if (need > client->out_cap) {
		size_t cap = client->out_cap ? client->out_cap : 4096;
		while (cap < need) {
			cap *= 2;
		}
		char *out = realloc(client->out, cap);
		if (!out) {
			client_kill(client, "out of memory queueing a reply");
			return;
		}
		client->out = out;
		client->out_cap = cap;
	}
	memcpy(client->out + client->out_len, data, len);
	client->out[client->out_len + len] = '\n';
	client->out_len = need;
	client_flush(client);
	/*
	 * Only a client that had not taken what was queued before is dropped: one big
	 * reply (a long window list) to a client that reads is not its fault.
	 */
	if (!client->dead && backlog > 0 && client->out_len - client->out_start > IPC_MAX_QUEUED) {
		lumen_log(LUMEN_WARN,
				"IPC client fd %d is not reading (%zu bytes queued); "
				"dropping it",
				client->fd, client->out_len - client->out_start);
		client_kill(client, "write queue full");
		return;
	}
	/* Keep a big buffer only while it is needed. */
	if (client->out_len == 0 && client->out_cap > 64 * 1024) {
		free(client->out);
		client->out = NULL;
		client->out_cap = 0;
	}
}

static const char oom_line[] = "{\"success\":false,\"error\":\"out of memory\"}";

static void client_send_error(struct comp_ipc_client *client, const char *message) {
	char *line = comp_ipc_error_line(message);
	if (!line) {
		client_send_line(client, oom_line, sizeof(oom_line) - 1);
		return;
	}
	/* comp_ipc_error_line ends in a newline that client_send_line adds again. */
	client_send_line(client, line, strlen(line) - 1);
	free(line);
}

static void client_send_json(struct comp_ipc_client *client, struct json_object *obj) {
	size_t len;
	const char *s = json_object_to_json_string_length(
			obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	if (!s) {
		client_send_line(client, oom_line, sizeof(oom_line) - 1);
		return;
	}
	client_send_line(client, s, len);
}

/*
 * JSON building. json-c returns NULL when out of memory; these take ownership of val
 * either way and report whether it was added, so builders can chain them with &&.
 */
static bool add(struct json_object *obj, const char *key, struct json_object *val) {
	if (!val) {
		return false;
	}
	if (json_object_object_add_ex(obj, key, val, JSON_C_OBJECT_ADD_CONSTANT_KEY) != 0) {
		json_object_put(val);
		return false;
	}
	return true;
}

/* For values that are legitimately JSON null (json-c represents null as NULL). */
static bool add_null(struct json_object *obj, const char *key) {
	return json_object_object_add_ex(obj, key, NULL, JSON_C_OBJECT_ADD_CONSTANT_KEY) == 0;
}

/*
 * Titles, app ids and the core's messages may be ill-formed UTF-8 (X11 titles in
 * Latin-1); a reply that is not UTF-8 breaks most clients' JSON parsers.
 */
static struct json_object *new_string(const char *s) {
	if (!s) {
		s = "";
	}
	if (comp_ipc_utf8_valid(s)) {
		return json_object_new_string(s);
	}
	char *clean = comp_ipc_utf8_dup(s);
	if (!clean) {
		return NULL;
	}
	struct json_object *val = json_object_new_string(clean);
	free(clean);
	return val;
}

static bool add_string(struct json_object *obj, const char *key, const char *s) {
	return add(obj, key, new_string(s));
}

static bool add_string_or_null(struct json_object *obj, const char *key, const char *s) {
	return s ? add(obj, key, new_string(s)) : add_null(obj, key);
}

static bool add_int(struct json_object *obj, const char *key, int64_t v) {
	return add(obj, key, json_object_new_int64(v));
}

static bool add_bool(struct json_object *obj, const char *key, bool v) {
	return add(obj, key, json_object_new_boolean(v));
}

static bool append(struct json_object *array, struct json_object *val) {
	if (!val) {
		return false;
	}
	if (json_object_array_add(array, val) != 0) {
		json_object_put(val);
		return false;
	}
	return true;
}

static const char *output_name(struct comp_output *output) {
	return output ? output->wlr_output->name : NULL;
}

static struct json_object *view_popups(struct comp_view *view) {
	struct json_object *array = json_object_new_array();
	if (!array) {
		return NULL;
	}
	struct wlr_box boxes[IPC_MAX_POPUPS];
	size_t n = comp_view_popups(view, boxes, IPC_MAX_POPUPS);
	for (size_t i = 0; i < n; i++) {
		struct json_object *obj = json_object_new_object();
		bool ok = obj && add_int(obj, "x", boxes[i].x) && add_int(obj, "y", boxes[i].y) &&
				add_int(obj, "width", boxes[i].width) && add_int(obj, "height", boxes[i].height);
		if (!ok) {
			json_object_put(obj);
			json_object_put(array);
			return NULL;
		}
		if (!append(array, obj)) {
			json_object_put(array);
			return NULL;
		}
	}
	return array;
}

static struct json_object *describe_view(struct comp_view *view) {
	struct json_object *obj = json_object_new_object();
	if (!obj) {
		return NULL;
	}
	struct wlr_box box = comp_view_frame_box(view);
	struct comp_workspace *ws = view->workspace;
	struct comp_view *parent = comp_view_parent(view);
	bool ok = add(obj, "id", json_object_new_uint64(view->id)) &&
			(parent ? add(obj, "parent", json_object_new_uint64(parent->id))
				: add_null(obj, "parent")) &&
			add_string(obj, "title", comp_view_title(view)) &&
			add_string(obj, "app_id", comp_view_app_id(view)) &&
			(ws ? add_int(obj, "workspace", ws->num) : add_null(obj, "workspace")) &&
			add_string_or_null(obj, "output", ws ? output_name(ws->output) : NULL) &&
			add_int(obj, "x", box.x) && add_int(obj, "y", box.y) &&
			add_int(obj, "width", box.width) && add_int(obj, "height", box.height) &&
			add_bool(obj, "focused", view->server->focused_view == view) &&
			add_bool(obj, "maximized", view->maximized) &&
			add_bool(obj, "fullscreen", view->fullscreen) &&
			add_bool(obj, "minimized", view->minimized) &&
			add_bool(obj, "xwayland", view->type == COMP_VIEW_XWAYLAND) &&
			add_bool(obj, "responding", view->type != COMP_VIEW_XDG_V6 ||
				!comp_xdg_toplevel_unresponsive(view->toplevel)) &&
			add(obj, "popups", view_popups(view));
	if (!ok) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

static struct json_object *describe_mode(const struct wlr_output_mode *mode) {
	struct json_object *obj = json_object_new_object();
	if (!obj) {
		return NULL;
	}
	if (!add_int(obj, "width", mode->width) || !add_int(obj, "height", mode->height) ||
			!add_int(obj, "refresh", mode->refresh) ||
			!add_bool(obj, "preferred", mode->preferred)) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

static struct json_object *describe_output(struct comp_output *output) {
	struct comp_server *server = output->server;
	struct wlr_output *wlr_output = output->wlr_output;
	struct json_object *obj = json_object_new_object();
	struct json_object *modes = json_object_new_array();
	if (!obj || !modes) {
		goto fail;
	}
	struct wlr_output_mode *mode;
	wl_list_for_each(mode, &wlr_output->modes, link) {
		if (!append(modes, describe_mode(mode))) {
			goto fail;
		}
	}
	/* Not in the layout (disabled): there is no position to report. */
	struct wlr_output_layout_output *lo = wlr_output_layout_get(server->output_layout, wlr_output);
	bool ok = add_string(obj, "name", wlr_output->name) &&
			add_string(obj, "make", wlr_output->make) &&
			add_string(obj, "model", wlr_output->model) &&
			add_bool(obj, "enabled", wlr_output->enabled) &&
			add_int(obj, "width", wlr_output->width) &&
			add_int(obj, "height", wlr_output->height) &&
			add_int(obj, "refresh", wlr_output->refresh) && add_int(obj, "x", lo ? lo->x : 0) &&
			add_int(obj, "y", lo ? lo->y : 0) &&
			add(obj, "scale", json_object_new_double(wlr_output->scale)) &&
			(output->workspace ? add_int(obj, "workspace", output->workspace->num)
							   : add_null(obj, "workspace")) &&
			add_bool(obj, "focused", comp_output_focused(server) == output);
	if (!ok) {
		goto fail;
	}
	if (!add(obj, "modes", modes)) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
fail:
	json_object_put(modes);
	json_object_put(obj);
	return NULL;
}

static struct json_object *describe_outputs(struct comp_server *server) {
	struct json_object *array = json_object_new_array();
	if (!array) {
		return NULL;
	}
	struct comp_output *output;
	wl_list_for_each(output, &server->outputs, link) {
		if (!append(array, describe_output(output))) {
			json_object_put(array);
			return NULL;
		}
	}
	return array;
}

static struct json_object *describe_layout(struct comp_server *server, int index) {
	struct json_object *obj = json_object_new_object();
	if (!obj) {
		return NULL;
	}
	if (!add_int(obj, "index", index) ||
			!add_string_or_null(obj, "name", comp_seat_layout_name(server, index))) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

/* comp_seat_layout_name returns NULL past the last configured layout. */
static int layout_count(struct comp_server *server) {
	int n = 0;
	while (n < IPC_MAX_LAYOUTS && comp_seat_layout_name(server, n)) {
		n++;
	}
	return n;
}

static struct comp_view *find_view(
		struct comp_server *server, uint64_t id, char *err, size_t errlen) {
	struct comp_view *view = comp_view_by_id(server, id);
	if (!view || !view->mapped) {
		snprintf(err, errlen, "no window with id %" PRIu64, id);
		return NULL;
	}
	return view;
}

static bool new_state(enum comp_ipc_state state, bool current) {
	switch (state) {
	case COMP_IPC_STATE_ON:
		return true;
	case COMP_IPC_STATE_OFF:
		return false;
	case COMP_IPC_STATE_TOGGLE:
		break;
	}
	return !current;
}

/* The renderer chosen at start (renderer.c), with the reason. */
static struct json_object *describe_renderer(void) {
	struct json_object *obj = json_object_new_object();
	if (obj && (!add_string_or_null(obj, "name", comp_renderer_name()) ||
			!add_string_or_null(obj, "why", comp_renderer_why()))) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

static bool cmd_outputs(struct comp_server *server, struct json_object *reply) {
	return add(reply, "outputs", describe_outputs(server)) &&
		add(reply, "renderer", describe_renderer());
}

static bool cmd_windows(struct comp_server *server, struct json_object *reply) {
	struct json_object *array = json_object_new_array();
	if (!array) {
		return false;
	}
	for (int i = 0; i < COMP_WORKSPACES; i++) {
		struct comp_view *view;
		wl_list_for_each(view, &server->workspaces[i].views, ws_link) {
			if (view->mapped && !append(array, describe_view(view))) {
				json_object_put(array);
				return false;
			}
		}
	}
	return add(reply, "windows", array);
}

static bool cmd_workspaces(struct comp_server *server, struct json_object *reply) {
	struct json_object *array = json_object_new_array();
	if (!array) {
		return false;
	}
	struct comp_workspace *focused = comp_workspace_focused(server);
	for (int i = 0; i < COMP_WORKSPACES; i++) {
		struct comp_workspace *ws = &server->workspaces[i];
		int count = 0;
		struct comp_view *view;
		wl_list_for_each(view, &ws->views, ws_link) {
			count += view->mapped;
		}
		struct json_object *obj = json_object_new_object();
		bool ok = obj && add_int(obj, "num", ws->num) &&
				add_string_or_null(obj, "output", output_name(ws->output)) &&
				add_bool(obj, "visible", ws->output && ws->output->workspace == ws) &&
				add_bool(obj, "focused", ws == focused) && add_bool(obj, "tiling", ws->tiling) &&
				add_int(obj, "windows", count);
		if (!ok) {
			json_object_put(obj);
			json_object_put(array);
			return false;
		}
		if (!append(array, obj)) {
			json_object_put(array);
			return false;
		}
	}
	return add(reply, "workspaces", array);
}

static bool cmd_layout(struct comp_server *server, const struct comp_ipc_request *req,
		struct json_object *reply, char *err, size_t errlen) {
	int index = req->layout_index;
	if (req->layout_next) {
		int count = layout_count(server);
		if (count == 0) {
			snprintf(err, errlen, "no keyboard layouts are available");
			return false;
		}
		int current = comp_seat_layout_index(server);
		index = current < 0 ? 0 : (current + 1) % count;
	}
	if (!comp_seat_set_layout(server, index)) {
		snprintf(err, errlen, "no keyboard layout with index %d", index);
		return false;
	}
	return add_int(reply, "index", index) &&
			add_string_or_null(reply, "name", comp_seat_layout_name(server, index));
}

static struct json_object *describe_keyboard(struct comp_keyboard *keyboard) {
	struct wlr_keyboard *kbd = keyboard->device->keyboard;
	struct json_object *obj = json_object_new_object();
	struct json_object *layouts = json_object_new_array();
	if (!obj || !layouts) {
		json_object_put(obj);
		json_object_put(layouts);
		return NULL;
	}
	xkb_layout_index_t n = kbd->keymap ? xkb_keymap_num_layouts(kbd->keymap) : 0;
	int index = kbd->xkb_state ? (int)xkb_state_serialize_layout(kbd->xkb_state,
		XKB_STATE_LAYOUT_EFFECTIVE) : 0;
	bool ok = true;
	for (xkb_layout_index_t i = 0; i < n && i < IPC_MAX_LAYOUTS && ok; i++) {
		ok = append(layouts, new_string(xkb_keymap_layout_get_name(kbd->keymap, i)));
	}
	if (!ok) {
		json_object_put(layouts);
		json_object_put(obj);
		return NULL;
	}
	if (!add(obj, "layouts", layouts)) { // add drops layouts when it fails
		json_object_put(obj);
		return NULL;
	}
	if (!add_string_or_null(obj, "name", keyboard->device->name) ||
			!add_bool(obj, "virtual",
				wlr_input_device_get_virtual_keyboard(keyboard->device) != NULL) ||
			!add_int(obj, "index", index) ||
			!add_string_or_null(obj, "layout", (xkb_layout_index_t)index < n ?
				xkb_keymap_layout_get_name(kbd->keymap, (xkb_layout_index_t)index) : NULL)) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

static bool cmd_get_layout(struct comp_server *server, struct json_object *reply) {
	struct json_object *keyboards = json_object_new_array();
	if (!keyboards) {
		return false;
	}
	struct comp_keyboard *keyboard;
	wl_list_for_each_reverse(keyboard, &server->keyboards, link) {
		if (!append(keyboards, describe_keyboard(keyboard))) {
			json_object_put(keyboards);
			return false;
		}
	}
	if (!add(reply, "keyboards", keyboards)) {
		return false;
	}

	int index = comp_seat_layout_index(server);
	struct json_object *layouts = json_object_new_array();
	if (!layouts) {
		return false;
	}
	int count = layout_count(server);
	for (int i = 0; i < count; i++) {
		if (!append(layouts, new_string(comp_seat_layout_name(server, i)))) {
			json_object_put(layouts);
			return false;
		}
	}
	if (!add_int(reply, "index", index) ||
			!add_string_or_null(reply, "name", comp_seat_layout_name(server, index))) {
		json_object_put(layouts);
		return false;
	}
	return add(reply, "layouts", layouts);
}

/*
 * Reload answers with the config's error list whether or not it succeeded, so it
 * builds a failure reply itself instead of returning false.
 */
static bool cmd_reload(struct comp_server *server, struct json_object *reply) {
	char err[512] = "";
	bool ok = comp_server_reload_config(server, err, sizeof(err));
	if (!ok && !add_bool(reply, "success", false)) {
		return false;
	}
	if (!ok && !add_string(reply, "error", err[0] ? err : "reloading the config failed")) {
		return false;
	}
	struct json_object *errors = json_object_new_array();
	if (!errors) {
		return false;
	}
	for (size_t i = 0; i < server->config.errors.len; i++) {
		if (!append(errors, new_string(server->config.errors.items[i]))) {
			json_object_put(errors);
			return false;
		}
	}
	return add(reply, "errors", errors);
}

static bool cmd_screenshot(struct comp_server *server, const struct comp_ipc_request *req,
		struct json_object *reply, char *err, size_t errlen) {
	struct comp_output *output = req->output ? comp_output_by_name(server, req->output)
											 : comp_output_focused(server);
	if (!output) {
		if (req->output) {
			snprintf(err, errlen, "no output named '%.*s'", comp_ipc_utf8_prefix(req->output, 64),
					req->output);
		} else {
			snprintf(err, errlen, "there is no output to take a screenshot of");
		}
		return false;
	}
	err[0] = '\0';
	if (!comp_output_screenshot(output, req->str, err, errlen)) {
		if (!err[0]) {
			snprintf(err, errlen, "taking the screenshot failed");
		}
		return false;
	}
	return add_string(reply, "path", req->str) &&
			add_string(reply, "output", output->wlr_output->name);
}

/*
 * Runs a parsed request, adding results to reply (which already says success).
 * Returns false with err set for a failure reply; an empty err means out of memory.
 */
static bool run_request(struct comp_ipc_client *client, const struct comp_ipc_request *req,
		struct json_object *reply, char *err, size_t errlen) {
	struct comp_server *server = client->ipc->server;
	struct comp_view *view = NULL;
	switch (req->command) {
	case COMP_IPC_FOCUS:
	case COMP_IPC_CLOSE:
	case COMP_IPC_FULLSCREEN:
	case COMP_IPC_MAXIMIZE:
	case COMP_IPC_MINIMIZE:
	case COMP_IPC_MOVE:
		view = find_view(server, req->id, err, errlen);
		if (!view) {
			return false;
		}
		break;
	default:
		break;
	}

	switch (req->command) {
	case COMP_IPC_OUTPUTS:
		return cmd_outputs(server, reply);
	case COMP_IPC_WINDOWS:
		return cmd_windows(server, reply);
	case COMP_IPC_WORKSPACES:
		return cmd_workspaces(server, reply);
	case COMP_IPC_FOCUS:
		/* comp_view_focus also unminimizes and shows the window's workspace. */
		comp_view_focus(view);
		return true;
	case COMP_IPC_CLOSE:
		comp_view_close(view);
		return true;
	case COMP_IPC_FULLSCREEN:
		comp_view_set_fullscreen(view, new_state(req->state, view->fullscreen));
		return true;
	case COMP_IPC_MAXIMIZE:
		comp_view_set_maximized(view, new_state(req->state, view->maximized));
		return true;
	case COMP_IPC_MINIMIZE:
		comp_view_set_minimized(view, new_state(req->state, view->minimized));
		return true;
	case COMP_IPC_MOVE:
		if (req->move_kind == COMP_IPC_MOVE_WORKSPACE) {
			struct comp_workspace *ws = comp_workspace_get(server, req->num);
			if (!ws) {
				snprintf(err, errlen, "no workspace %d (there are %d)", req->num, COMP_WORKSPACES);
				return false;
			}
			comp_view_move_to_workspace(view, ws);
		} else {
			comp_view_move_to(view, req->x, req->y);
		}
		return true;
	case COMP_IPC_WORKSPACE: {
		struct comp_workspace *ws = comp_workspace_get(server, req->num);
		if (!ws) {
			snprintf(err, errlen, "no workspace %d (there are %d)", req->num, COMP_WORKSPACES);
			return false;
		}
		struct comp_output *output = comp_output_focused(server);
		if (!output) {
			snprintf(err, errlen, "there is no output to show workspace %d on", req->num);
			return false;
		}
		comp_workspace_show(ws, output);
		return true;
	}
	case COMP_IPC_EXEC:
		comp_spawn(server, req->str);
		return true;
	case COMP_IPC_ACTION:
		err[0] = '\0';
		if (!comp_action_run(server, req->str, err, errlen)) {
			if (!err[0]) {
				snprintf(err, errlen, "action '%.*s' failed", comp_ipc_utf8_prefix(req->str, 64),
						req->str);
			}
			return false;
		}
		return true;
	case COMP_IPC_LAYOUT:
		return cmd_layout(server, req, reply, err, errlen);
	case COMP_IPC_GET_LAYOUT:
		return cmd_get_layout(server, reply);
	case COMP_IPC_RELOAD:
		return cmd_reload(server, reply);
	case COMP_IPC_SCREENSHOT:
		return cmd_screenshot(server, req, reply, err, errlen);
	case COMP_IPC_SUBSCRIBE:
		client->events |= req->events;
		return true;
	case COMP_IPC_COMMAND_COUNT:
		break;
	}
	snprintf(err, errlen, "internal error: command %d is not handled", (int)req->command);
	return false;
}

static void handle_request(struct comp_ipc_client *client, const char *line, size_t len) {
	char err[512];
	struct comp_ipc_request req;
	if (!comp_ipc_parse_request(line, len, &req, err, sizeof(err))) {
		client_send_error(client, err);
		return;
	}
	lumen_log(LUMEN_DEBUG, "IPC client fd %d: %s", client->fd, comp_ipc_command_name(req.command));
	struct json_object *reply = json_object_new_object();
	if (!reply || !add_bool(reply, "success", true)) {
		json_object_put(reply);
		comp_ipc_request_finish(&req);
		client_send_line(client, oom_line, sizeof(oom_line) - 1);
		return;
	}
	err[0] = '\0';
	bool ok = run_request(client, &req, reply, err, sizeof(err));
	comp_ipc_request_finish(&req);
	if (ok) {
		client_send_json(client, reply);
	} else {
		client_send_error(client, err[0] ? err : "out of memory");
	}
	json_object_put(reply);
}

static bool is_blank_line(const char *s, size_t len) {
	for (size_t i = 0; i < len; i++) {
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r') {
			return false;
		}
	}
	return true;
}

/* Handles every complete line in the read buffer and keeps the partial tail. */
static void client_process_lines(struct comp_ipc_client *client) {
	size_t start = 0;
	while (!client->dead && !client->read_done && start < client->in_len) {
		char *nl = memchr(client->in + start, '\n', client->in_len - start);
		if (!nl) {
			break;
		}
		size_t len = (size_t)(nl - (client->in + start));
		if (!is_blank_line(client->in + start, len)) {
			handle_request(client, client->in + start, len);
		}
		start += len + 1;
	}
	if (client->dead) {
		return;
	}
	memmove(client->in, client->in + start, client->in_len - start);
	client->in_len -= start;
}

static void client_stop_reading(struct comp_ipc_client *client, bool then_close) {
	client->read_done = true;
	client->close_when_drained = client->close_when_drained || then_close;
	free(client->in);
	client->in = NULL;
	client->in_len = client->in_cap = 0;
	if (client->close_when_drained && client->out_len == client->out_start) {
		client_kill(client, "done");
		return;
	}
	client_update_mask(client);
}

static void client_start_discarding(struct comp_ipc_client *client) {
	client->discarding = true;
	free(client->in);
	client->in = NULL;
	client->in_len = client->in_cap = 0;
	client_flush(client);
}

static bool client_discard(struct comp_ipc_client *client) {
	char scratch[4096];
	ssize_t n = recv(client->fd, scratch, sizeof(scratch), MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EINTR) {
			return true;
		}
		if (!would_block(errno)) {
			client_kill(client, strerror(errno));
		}
		return false;
	}
	if (n == 0) {
		client_kill(client, "closed after an error");
		return false;
	}
	client->discarded += (size_t)n;
	if (client->discarded > IPC_MAX_DISCARD) {
		client_kill(client, "kept sending after a fatal error");
		return false;
	}
	return true;
}

/* Reads once; returns true when more may follow at once. */
static bool client_read(struct comp_ipc_client *client) {
	if (client->discarding) {
		return client_discard(client);
	}
	/* Room for one maximal line and its newline; anything longer cannot be a request. */
	const size_t max = COMP_IPC_MAX_LINE + 1;
	if (client->in_len == client->in_cap) {
		size_t cap = client->in_cap ? client->in_cap * 2 : IPC_READ_INITIAL;
		if (cap > max) {
			cap = max;
		}
		char *in = realloc(client->in, cap);
		if (!in) {
			client_kill(client, "out of memory reading a request");
			return false;
		}
		client->in = in;
		client->in_cap = cap;
	}
	ssize_t n = recv(
			client->fd, client->in + client->in_len, client->in_cap - client->in_len, MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EINTR) {
			return true;
		}
		if (!would_block(errno)) {
			client_kill(client, strerror(errno));
		}
		return false;
	}
	if (n == 0) {
		/* A last request without its newline still counts. */
		if (client->in_len > 0 && !is_blank_line(client->in, client->in_len)) {
			handle_request(client, client->in, client->in_len);
		}
		if (!client->dead) {
			/* A subscriber may half-close and keep listening. */
			client_stop_reading(client, client->events == 0);
		}
		return false;
	}
	client->in_len += (size_t)n;
	client_process_lines(client);
	if (client->dead || client->read_done) {
		return false;
	}
	if (client->in_len == max) {
		char err[128];
		snprintf(err, sizeof(err), "request line too long (the limit is %d bytes)",
				COMP_IPC_MAX_LINE);
		client_send_error(client, err);
		if (!client->dead) {
			client_start_discarding(client);
		}
		return false;
	}
	return true;
}

static int handle_client(int fd, uint32_t mask, void *data) {
	struct comp_ipc_client *client = data;
	if (mask & WL_EVENT_READABLE) {
		/* One read per wakeup, so a chatty client cannot starve the compositor. */
		client_read(client);
	}
	if (!client->dead && (mask & WL_EVENT_WRITABLE)) {
		client_flush(client);
	}
	if (!client->dead && (mask & (WL_EVENT_HANGUP | WL_EVENT_ERROR))) {
		/* Gone for good: serve what it managed to send (exec and forget), then drop it. */
		while (!client->dead && !client->read_done && client_read(client)) {
		}
		client_kill(client, "hung up");
	}
	return 0;
}

static int handle_accept_retry(void *data) {
	struct comp_ipc *ipc = data;
	if (ipc->source) {
		wl_event_source_fd_update(ipc->source, WL_EVENT_READABLE);
	}
	return 0;
}

static const char too_many_line[] =
		"{\"success\":false,\"error\":\"too many IPC clients are connected\"}\n";

static int handle_accept(int fd, uint32_t mask, void *data) {
	struct comp_ipc *ipc = data;
	if (mask & (WL_EVENT_HANGUP | WL_EVENT_ERROR)) {
		lumen_log(LUMEN_ERROR, "IPC socket %s failed; IPC is off until restart", ipc->path);
		wl_event_source_remove(ipc->source);
		ipc->source = NULL;
		return 0;
	}
	/* A bounded batch per wakeup; the loop calls again while more are pending. */
	for (int i = 0; i < 16; i++) {
		int cfd = accept(ipc->fd, NULL, NULL);
		if (cfd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
				/*
				 * The connection stays pending and the socket readable: without a
				 * pause the loop would spin here, logging, until an fd frees up.
				 */
				lumen_log_errno(LUMEN_WARN, "IPC accept failed; retrying in a second");
				if (wl_event_source_timer_update(ipc->accept_retry, 1000) == 0) {
					wl_event_source_fd_update(ipc->source, 0);
				}
			} else if (!would_block(errno) && errno != EINTR) {
				lumen_log_errno(LUMEN_DEBUG, "IPC accept failed");
			}
			return 0;
		}
		if (ipc->client_count >= IPC_MAX_CLIENTS) {
			/* Once per episode: a runaway script would otherwise flood the log. */
			if (!ipc->full_logged) {
				lumen_log(LUMEN_WARN, "%d IPC clients connected; refusing more", ipc->client_count);
				ipc->full_logged = true;
			}
			/* Best effort: its request may already be there, and then this is lost. */
			send(cfd, too_many_line, sizeof(too_many_line) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
			close(cfd);
			continue;
		}
		ipc->full_logged = false;
		if (!lumen_fd_set_cloexec(cfd, true) || !lumen_fd_set_nonblock(cfd, true)) {
			lumen_log_errno(LUMEN_WARN, "IPC client socket setup failed");
			close(cfd);
			continue;
		}
		struct comp_ipc_client *client = calloc(1, sizeof(*client));
		if (!client) {
			lumen_log(LUMEN_ERROR, "out of memory accepting an IPC client");
			close(cfd);
			continue;
		}
		client->ipc = ipc;
		client->fd = cfd;
		client->source = wl_event_loop_add_fd(
				ipc->server->loop, cfd, WL_EVENT_READABLE, handle_client, client);
		if (!client->source) {
			lumen_log(LUMEN_ERROR, "cannot watch an IPC client socket");
			close(cfd);
			free(client);
			continue;
		}
		wl_list_insert(&ipc->clients, &client->link);
		ipc->client_count++;
		lumen_log(LUMEN_DEBUG, "IPC client connected on fd %d", cfd);
	}
	return 0;
}

/* A socket file at path that nobody answers on is left over from a crash. */
static bool remove_stale_socket(const struct sockaddr_un *addr) {
	struct stat st;
	if (lstat(addr->sun_path, &st) != 0) {
		return true;
	}
	if (!S_ISSOCK(st.st_mode)) {
		lumen_log(LUMEN_ERROR, "IPC path %s exists and is not a socket", addr->sun_path);
		return false;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0) {
		lumen_log_errno(LUMEN_ERROR, "socket");
		return false;
	}
	bool live = connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == 0;
	close(fd);
	if (live) {
		lumen_log(LUMEN_ERROR, "IPC socket %s is in use by another process", addr->sun_path);
		return false;
	}
	if (unlink(addr->sun_path) != 0) {
		lumen_log_errno(LUMEN_ERROR, "cannot remove stale IPC socket %s", addr->sun_path);
		return false;
	}
	return true;
}

struct comp_ipc *comp_ipc_create(struct comp_server *server, const char *path) {
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (!path || !path[0] ||
			(size_t)snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path) >=
					sizeof(addr.sun_path)) {
		lumen_log(LUMEN_ERROR, "IPC socket path '%s' is empty or too long", path ? path : "");
		return NULL;
	}
	struct comp_ipc *ipc = calloc(1, sizeof(*ipc));
	if (!ipc) {
		lumen_log(LUMEN_ERROR, "out of memory creating IPC");
		return NULL;
	}
	ipc->server = server;
	ipc->fd = -1;
	wl_list_init(&ipc->clients);
	bool bound = false;
	ipc->path = strdup(path);
	if (!ipc->path) {
		lumen_log(LUMEN_ERROR, "out of memory creating IPC");
		goto fail;
	}
	if (!remove_stale_socket(&addr)) {
		goto fail;
	}
	ipc->fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (ipc->fd < 0) {
		lumen_log_errno(LUMEN_ERROR, "cannot create IPC socket");
		goto fail;
	}
	if (!lumen_fd_set_cloexec(ipc->fd, true) || !lumen_fd_set_nonblock(ipc->fd, true)) {
		lumen_log_errno(LUMEN_ERROR, "cannot set up IPC socket");
		goto fail;
	}
	if (bind(ipc->fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		lumen_log_errno(LUMEN_ERROR, "cannot bind IPC socket %s", path);
		goto fail;
	}
	bound = true;
	/* Before listen(): until then nobody can connect, so there is no window at 0755. */
	if (chmod(path, 0600) != 0) {
		lumen_log_errno(LUMEN_ERROR, "cannot chmod IPC socket %s", path);
		goto fail;
	}
	if (listen(ipc->fd, 16) != 0) {
		lumen_log_errno(LUMEN_ERROR, "cannot listen on IPC socket %s", path);
		goto fail;
	}
	ipc->accept_retry = wl_event_loop_add_timer(server->loop, handle_accept_retry, ipc);
	ipc->source = wl_event_loop_add_fd(
			server->loop, ipc->fd, WL_EVENT_READABLE, handle_accept, ipc);
	if (!ipc->source || !ipc->accept_retry) {
		lumen_log(LUMEN_ERROR, "cannot watch the IPC socket");
		goto fail;
	}
	lumen_log(LUMEN_INFO, "IPC listening on %s", path);
	return ipc;
fail:
	if (ipc->source) {
		wl_event_source_remove(ipc->source);
	}
	if (ipc->accept_retry) {
		wl_event_source_remove(ipc->accept_retry);
	}
	if (ipc->fd >= 0) {
		close(ipc->fd);
	}
	if (bound) {
		unlink(path);
	}
	free(ipc->path);
	free(ipc);
	return NULL;
}

void comp_ipc_destroy(struct comp_ipc *ipc) {
	if (!ipc) {
		return;
	}
	struct comp_ipc_client *client, *tmp;
	wl_list_for_each_safe(client, tmp, &ipc->clients, link) {
		client_free(client);
	}
	if (ipc->reap) {
		wl_event_source_remove(ipc->reap);
	}
	if (ipc->source) {
		wl_event_source_remove(ipc->source);
	}
	wl_event_source_remove(ipc->accept_retry);
	close(ipc->fd);
	unlink(ipc->path);
	/* Events the compositor sends while shutting down must not reach freed memory. */
	if (ipc->server->ipc == ipc) {
		ipc->server->ipc = NULL;
	}
	free(ipc->path);
	free(ipc);
}

static bool build_event_payload(struct comp_server *server, uint32_t type, struct comp_view *view,
		struct json_object *event) {
	switch (type) {
	case COMP_IPC_EVENT_WINDOW:
		return view ? add(event, "window", describe_view(view)) : add_null(event, "window");
	case COMP_IPC_EVENT_WORKSPACE: {
		struct comp_workspace *ws = comp_workspace_focused(server);
		return (ws ? add_int(event, "workspace", ws->num) : add_null(event, "workspace")) &&
				add_string_or_null(event, "output", ws ? output_name(ws->output) : NULL);
	}
	case COMP_IPC_EVENT_LAYOUT:
		return add(event, "layout", describe_layout(server, comp_seat_layout_index(server)));
	case COMP_IPC_EVENT_OUTPUT:
		return add(event, "outputs", describe_outputs(server));
	}
	return false;
}

void comp_ipc_event(
		struct comp_server *server, const char *type, const char *change, struct comp_view *view) {
	comp_a11y_event(server, type, change, view);
	struct comp_ipc *ipc = server->ipc;
	if (!ipc) {
		return;
	}
	uint32_t bit = comp_ipc_event_from_name(type);
	if (!lumen_assert(bit, "unknown IPC event type '%s'", type)) {
		return;
	}
	/* Called on every focus and title change: do nothing when nobody listens. */
	bool wanted = false;
	struct comp_ipc_client *client, *tmp;
	wl_list_for_each(client, &ipc->clients, link) {
		if (!client->dead && !client->discarding && (client->events & bit)) {
			wanted = true;
			break;
		}
	}
	if (!wanted) {
		return;
	}
	struct json_object *event = json_object_new_object();
	if (!event || !add_string(event, "event", type) || !add_string(event, "change", change) ||
			!build_event_payload(server, bit, view, event)) {
		lumen_log(LUMEN_ERROR, "out of memory building an IPC %s event", type);
		json_object_put(event);
		return;
	}
	size_t len;
	const char *s = json_object_to_json_string_length(
			event, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	if (s) {
		wl_list_for_each_safe(client, tmp, &ipc->clients, link) {
			if (!client->dead && !client->discarding && (client->events & bit)) {
				client_send_line(client, s, len);
			}
		}
	} else {
		lumen_log(LUMEN_ERROR, "out of memory serialising an IPC %s event", type);
	}
	json_object_put(event);
}
