/*
 * Lumen under the Wayland Conformance Suite (WLCS 1.5): the module its runner loads,
 * `wlcs lumen-wlcs.so [gtest options]`.
 *
 * WLCS makes one server per test, in its own process, and drives it from the test's
 * thread. Lumen is single-threaded, like wlroots, so the compositor's event loop runs
 * in a thread of ours and every call that touches the compositor (clients, window
 * placement, input) is queued to that thread, the caller waiting until it has run.
 *
 * The compositor runs headless with pixman and no libinput, on one output, with
 * client-side decorations so that a window's content lands exactly where the test put
 * it. Its clients are trusted, so the privileged globals (foreign toplevels, virtual
 * pointers, input methods) are tested too. What the suite is told we support is read
 * from the globals the compositor actually advertises.
 *
 * One concession to WLCS 1.5 itself, see comp_testing_assume_initial_ack.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wayland-client-core.h>
#include <wayland-client-protocol.h>
#include <wayland-server-core.h>
#include <wlcs/display_server.h>
#include <wlcs/pointer.h>
#include <wlcs/touch.h>
#include "comp/server.h"
#include "comp/testing.h"
#include "common/log.h"

#define LW_EXPORT __attribute__((visibility("default")))

/*
 * What WLCS's coordinates are measured on. Its popup tests put a 400x500 window at
 * (500, 500) and a popup below it, so it must be at least 1040 high.
 */
static const char *const output_spec = "1920x1080";
static const char *const config_text = "# written by lumen-wlcs\n"
	"[decorations]\n"
	"mode = client\n";

struct lw_server {
	WlcsDisplayServer base; // first: WLCS hands it back to us
	struct comp_server *comp;
	struct wl_event_loop *loop;

	char dir[256]; // ours: the config file, and XDG_RUNTIME_DIR when there was none
	char config_path[272];
	bool own_runtime_dir;

	pthread_t thread;
	bool thread_started;

	/* Calls queued from WLCS's thread to the compositor's. */
	pthread_mutex_t lock;
	pthread_cond_t done;
	struct wl_list tasks; // lw_task.link, under lock
	bool loop_running; // under lock: tasks are run by the loop, not by the caller
	int wake_fd; // eventfd, readable when tasks are queued
	struct wl_event_source *wake_source;

	struct wl_list clients; // lw_client.link, compositor thread only
	/*
	 * Plugged in before any client connects: wlroots sends touch events only to the
	 * wl_touch objects that exist, and a client that hears of a new capability makes
	 * its wl_touch (and, WLCS's, a second wl_pointer and wl_keyboard) too late.
	 */
	struct comp_testing_device *touchscreen; // may be NULL
	int32_t next_touch_id;

	WlcsIntegrationDescriptor descriptor;
	WlcsExtensionDescriptor *extensions; // names are heap strings
	size_t num_extensions;
};

struct lw_task {
	struct wl_list link; // lw_server.tasks
	void (*run)(struct lw_server *srv, void *data);
	void *data;
	bool done; // under lw_server.lock
};

/* A client we made, found again by the fd WLCS's wl_display reads from. */
struct lw_client {
	struct wl_list link; // lw_server.clients
	int fd; // WLCS's end of the socket; -1 once WLCS may have reused the number
	struct wl_client *client;
	struct wl_listener destroy;
};

struct lw_pointer {
	WlcsPointer base;
	struct lw_server *srv;
	struct comp_testing_device *dev; // NULL: no headless backend, every call fails
};

/* A finger on lw_server.touchscreen. */
struct lw_touch {
	WlcsTouch base;
	struct lw_server *srv;
	int32_t id;
};

/* Marshalling onto the compositor's thread. */

static int handle_wake(int fd, uint32_t mask, void *data) {
	struct lw_server *srv = data;
	uint64_t count;
	if (read(fd, &count, sizeof(count)) < 0 && errno != EAGAIN) {
		lumen_log_errno(LUMEN_ERROR, "wlcs: reading the wake-up eventfd");
	}
	pthread_mutex_lock(&srv->lock);
	while (!wl_list_empty(&srv->tasks)) {
		struct lw_task *task = wl_container_of(srv->tasks.next, task, link);
		wl_list_remove(&task->link);
		pthread_mutex_unlock(&srv->lock);
		task->run(srv, task->data);
		pthread_mutex_lock(&srv->lock);
		task->done = true; // the caller may free it from here on
		pthread_cond_broadcast(&srv->done);
	}
	pthread_mutex_unlock(&srv->lock);
	return 0;
}

/* Runs fn(srv, data) on the compositor's thread and returns once it has. */
static void run_on_compositor(struct lw_server *srv,
		void (*fn)(struct lw_server *srv, void *data), void *data) {
	struct lw_task task = {.run = fn, .data = data};
	pthread_mutex_lock(&srv->lock);
	if (!srv->loop_running) {
		/* No loop thread: the caller is the only one touching the compositor. */
		pthread_mutex_unlock(&srv->lock);
		fn(srv, data);
		return;
	}
	wl_list_insert(srv->tasks.prev, &task.link);
	uint64_t one = 1;
	if (write(srv->wake_fd, &one, sizeof(one)) < 0) {
		lumen_log_errno(LUMEN_ERROR, "wlcs: waking the compositor");
	}
	while (!task.done) {
		pthread_cond_wait(&srv->done, &srv->lock);
	}
	pthread_mutex_unlock(&srv->lock);
}

static void *compositor_thread(void *data) {
	struct lw_server *srv = data;
	comp_server_run(srv->comp);
	/* Anything queued after the loop stopped still runs, here, before stop returns. */
	pthread_mutex_lock(&srv->lock);
	srv->loop_running = false;
	pthread_mutex_unlock(&srv->lock);
	handle_wake(srv->wake_fd, WL_EVENT_READABLE, srv);
	return NULL;
}

/* Clients. */

static void handle_client_destroy(struct wl_listener *listener, void *data) {
	struct lw_client *lc = wl_container_of(listener, lc, destroy);
	wl_list_remove(&lc->destroy.link);
	wl_list_remove(&lc->link);
	free(lc);
}

static struct wl_client *client_by_fd(struct lw_server *srv, int fd) {
	struct lw_client *lc;
	wl_list_for_each(lc, &srv->clients, link) {
		if (lc->fd == fd) {
			return lc->client;
		}
	}
	return NULL;
}

struct create_client_call {
	int server_fd, client_fd;
	bool ok;
};

static void do_create_client(struct lw_server *srv, void *data) {
	struct create_client_call *call = data;
	/*
	 * WLCS closes a client's fd when it is done with it, and the number can come back
	 * before we have seen that client hang up: the new client is the one it means.
	 */
	struct lw_client *lc;
	wl_list_for_each(lc, &srv->clients, link) {
		if (lc->fd == call->client_fd) {
			lc->fd = -1;
		}
	}
	lc = calloc(1, sizeof(*lc));
	if (!lc) {
		return;
	}
	lc->client = comp_testing_create_client(srv->comp, call->server_fd, true);
	if (!lc->client) {
		free(lc);
		return;
	}
	lc->fd = call->client_fd;
	lc->destroy.notify = handle_client_destroy;
	wl_client_add_destroy_listener(lc->client, &lc->destroy);
	wl_list_insert(&srv->clients, &lc->link);
	call->ok = true;
}

static int lw_create_client_socket(WlcsDisplayServer *base) {
	struct lw_server *srv = (struct lw_server *)base;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		lumen_log_errno(LUMEN_ERROR, "wlcs: socketpair");
		return -1;
	}
	struct create_client_call call = {.server_fd = sv[0], .client_fd = sv[1]};
	run_on_compositor(srv, do_create_client, &call);
	if (!call.ok) {
		close(sv[0]);
		close(sv[1]);
		errno = ENOMEM;
		return -1;
	}
	return sv[1];
}

/* Window placement. */

struct position_call {
	int fd;
	uint32_t surface_id;
	int x, y;
};

static void do_position(struct lw_server *srv, void *data) {
	struct position_call *call = data;
	struct wl_client *client = client_by_fd(srv, call->fd);
	if (!client) {
		lumen_log(LUMEN_ERROR, "wlcs: position_window_absolute for a client we did not make");
		return;
	}
	comp_testing_position_window(srv->comp, client, call->surface_id, call->x, call->y);
}

static void lw_position_window_absolute(WlcsDisplayServer *base, struct wl_display *client,
		struct wl_surface *surface, int x, int y) {
	struct lw_server *srv = (struct lw_server *)base;
	/* Both ids are the client's; WLCS has made a round trip, so we know them too. */
	struct position_call call = {
		.fd = wl_display_get_fd(client),
		.surface_id = wl_proxy_get_id((struct wl_proxy *)surface),
		.x = x,
		.y = y,
	};
	run_on_compositor(srv, do_position, &call);
}

/* Pointer. */

enum device_op {
	OP_ADD_POINTER,
	OP_DESTROY,
	OP_MOVE_ABSOLUTE,
	OP_MOVE_RELATIVE,
	OP_BUTTON_DOWN,
	OP_BUTTON_UP,
	OP_TOUCH_DOWN,
	OP_TOUCH_MOVE,
	OP_TOUCH_UP,
};

struct device_call {
	enum device_op op;
	struct comp_testing_device *dev;
	double x, y;
	int32_t arg; // button or touch id
	bool ok;
};

static void do_device(struct lw_server *srv, void *data) {
	struct device_call *call = data;
	switch (call->op) {
	case OP_ADD_POINTER:
		call->dev = comp_testing_add_pointer(srv->comp);
		call->ok = call->dev != NULL;
		break;
	case OP_DESTROY:
		comp_testing_device_destroy(call->dev);
		call->ok = true;
		break;
	case OP_MOVE_ABSOLUTE:
		call->ok = comp_testing_pointer_move_absolute(call->dev, call->x, call->y);
		break;
	case OP_MOVE_RELATIVE:
		call->ok = comp_testing_pointer_move_relative(call->dev, call->x, call->y);
		break;
	case OP_BUTTON_DOWN:
	case OP_BUTTON_UP:
		call->ok = comp_testing_pointer_button(call->dev, (uint32_t)call->arg,
			call->op == OP_BUTTON_DOWN);
		break;
	case OP_TOUCH_DOWN:
		call->ok = comp_testing_touch_down(call->dev, call->arg, call->x, call->y);
		break;
	case OP_TOUCH_MOVE:
		call->ok = comp_testing_touch_move(call->dev, call->arg, call->x, call->y);
		break;
	case OP_TOUCH_UP:
		call->ok = comp_testing_touch_up(call->dev, call->arg);
		break;
	}
}

static void device_call(struct lw_server *srv, struct comp_testing_device *dev,
		enum device_op op, double x, double y, int32_t arg) {
	if (!dev) {
		lumen_log(LUMEN_ERROR, "wlcs: input on a device that could not be made");
		return;
	}
	struct device_call call = {.op = op, .dev = dev, .x = x, .y = y, .arg = arg};
	run_on_compositor(srv, do_device, &call);
	if (!call.ok) {
		lumen_log(LUMEN_ERROR, "wlcs: the compositor refused input event %d", op);
	}
}

static void pointer_move_absolute(WlcsPointer *base, wl_fixed_t x, wl_fixed_t y) {
	struct lw_pointer *p = (struct lw_pointer *)base;
	device_call(p->srv, p->dev, OP_MOVE_ABSOLUTE, wl_fixed_to_double(x),
		wl_fixed_to_double(y), 0);
}

static void pointer_move_relative(WlcsPointer *base, wl_fixed_t dx, wl_fixed_t dy) {
	struct lw_pointer *p = (struct lw_pointer *)base;
	device_call(p->srv, p->dev, OP_MOVE_RELATIVE, wl_fixed_to_double(dx),
		wl_fixed_to_double(dy), 0);
}

static void pointer_button_up(WlcsPointer *base, int button) {
	struct lw_pointer *p = (struct lw_pointer *)base;
	device_call(p->srv, p->dev, OP_BUTTON_UP, 0, 0, button);
}

static void pointer_button_down(WlcsPointer *base, int button) {
	struct lw_pointer *p = (struct lw_pointer *)base;
	device_call(p->srv, p->dev, OP_BUTTON_DOWN, 0, 0, button);
}

static void pointer_destroy(WlcsPointer *base) {
	struct lw_pointer *p = (struct lw_pointer *)base;
	if (p->dev) {
		device_call(p->srv, p->dev, OP_DESTROY, 0, 0, 0);
	}
	free(p);
}

static WlcsPointer *lw_create_pointer(WlcsDisplayServer *base) {
	struct lw_server *srv = (struct lw_server *)base;
	struct lw_pointer *p = calloc(1, sizeof(*p));
	if (!p) {
		return NULL;
	}
	p->base = (WlcsPointer){
		.version = WLCS_POINTER_VERSION,
		.move_absolute = pointer_move_absolute,
		.move_relative = pointer_move_relative,
		.button_up = pointer_button_up,
		.button_down = pointer_button_down,
		.destroy = pointer_destroy,
	};
	p->srv = srv;
	struct device_call call = {.op = OP_ADD_POINTER};
	run_on_compositor(srv, do_device, &call);
	/* Without it every event is refused and logged: the tests fail, they do not crash. */
	p->dev = call.dev;
	return &p->base;
}

/* Touch. */

/*
 * touch.h says wl_fixed_t, but WLCS (1.5 to 1.8 at least) passes whole pixels, as its
 * reference integration (Mir's) expects: take them as the ints they are.
 */
static void touch_down(WlcsTouch *base, wl_fixed_t x, wl_fixed_t y) {
	struct lw_touch *t = (struct lw_touch *)base;
	device_call(t->srv, t->srv->touchscreen, OP_TOUCH_DOWN, x, y, t->id);
}

static void touch_move(WlcsTouch *base, wl_fixed_t x, wl_fixed_t y) {
	struct lw_touch *t = (struct lw_touch *)base;
	device_call(t->srv, t->srv->touchscreen, OP_TOUCH_MOVE, x, y, t->id);
}

static void touch_up(WlcsTouch *base) {
	struct lw_touch *t = (struct lw_touch *)base;
	device_call(t->srv, t->srv->touchscreen, OP_TOUCH_UP, 0, 0, t->id);
}

static void touch_destroy(WlcsTouch *base) {
	free(base);
}

static WlcsTouch *lw_create_touch(WlcsDisplayServer *base) {
	struct lw_server *srv = (struct lw_server *)base;
	struct lw_touch *t = calloc(1, sizeof(*t));
	if (!t) {
		return NULL;
	}
	t->base = (WlcsTouch){
		.version = WLCS_TOUCH_VERSION,
		.touch_down = touch_down,
		.touch_move = touch_move,
		.touch_up = touch_up,
		.destroy = touch_destroy,
	};
	t->srv = srv;
	/* One WlcsTouch is one finger; each gets its own touch point id. */
	t->id = srv->next_touch_id++;
	return &t->base;
}

/* What we support: the globals a trusted client of a started server sees. */

struct probe {
	struct lw_server *srv;
	size_t cap;
	bool done, failed;
};

static void probe_global(void *data, struct wl_registry *registry, uint32_t name,
		const char *interface, uint32_t version) {
	struct probe *probe = data;
	struct lw_server *srv = probe->srv;
	for (size_t i = 0; i < srv->num_extensions; i++) {
		if (strcmp(srv->extensions[i].name, interface) == 0) {
			if (version > srv->extensions[i].version) {
				srv->extensions[i].version = version;
			}
			return;
		}
	}
	if (srv->num_extensions == probe->cap) {
		size_t cap = probe->cap ? 2 * probe->cap : 32;
		WlcsExtensionDescriptor *grown = realloc(srv->extensions, cap * sizeof(*grown));
		if (!grown) {
			probe->failed = true;
			return;
		}
		srv->extensions = grown;
		probe->cap = cap;
	}
	char *copy = strdup(interface);
	if (!copy) {
		probe->failed = true;
		return;
	}
	srv->extensions[srv->num_extensions++] = (WlcsExtensionDescriptor){copy, version};
}

static void probe_global_remove(void *data, struct wl_registry *registry, uint32_t name) {
}

static const struct wl_registry_listener probe_registry_listener = {
	.global = probe_global,
	.global_remove = probe_global_remove,
};

static void probe_done(void *data, struct wl_callback *callback, uint32_t serial) {
	struct probe *probe = data;
	probe->done = true;
}

static const struct wl_callback_listener probe_callback_listener = {
	.done = probe_done,
};

/*
 * Both ends of the connection are on this thread, before the loop thread exists, so
 * the round trip is done by hand: flush our requests, let the server dispatch, read.
 */
static bool probe_globals(struct lw_server *srv) {
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		lumen_log_errno(LUMEN_ERROR, "wlcs: socketpair");
		return false;
	}
	struct wl_client *client = comp_testing_create_client(srv->comp, sv[0], true);
	if (!client) {
		close(sv[0]);
		close(sv[1]);
		return false;
	}
	struct wl_display *display = wl_display_connect_to_fd(sv[1]);
	if (!display) {
		wl_client_destroy(client);
		close(sv[1]);
		return false;
	}
	struct probe probe = {.srv = srv};
	struct wl_registry *registry = wl_display_get_registry(display);
	wl_registry_add_listener(registry, &probe_registry_listener, &probe);
	struct wl_callback *callback = wl_display_sync(display);
	wl_callback_add_listener(callback, &probe_callback_listener, &probe);

	struct wl_display *server_display = comp_server_get_display(srv->comp);
	for (int tries = 0; tries < 100 && !probe.done && !probe.failed; tries++) {
		if (wl_display_flush(display) < 0) {
			break;
		}
		wl_event_loop_dispatch(srv->loop, 0);
		wl_display_flush_clients(server_display);
		struct pollfd pfd = {.fd = sv[1], .events = POLLIN};
		if (poll(&pfd, 1, 100) > 0 && wl_display_dispatch(display) < 0) {
			break;
		}
	}
	bool ok = probe.done && !probe.failed;
	if (!ok) {
		lumen_log(LUMEN_ERROR, "wlcs: could not list the compositor's globals");
	}
	for (size_t i = 0; ok && i < srv->num_extensions; i++) {
		lumen_log(LUMEN_DEBUG, "wlcs: supported: %s v%u", srv->extensions[i].name,
			srv->extensions[i].version);
	}
	wl_callback_destroy(callback);
	wl_registry_destroy(registry);
	wl_display_disconnect(display);
	wl_client_destroy(client);
	return ok;
}

static const WlcsIntegrationDescriptor *lw_get_descriptor(const WlcsDisplayServer *base) {
	const struct lw_server *srv = (const struct lw_server *)base;
	return &srv->descriptor;
}

/* Lifetime. */

static void lw_start(WlcsDisplayServer *base) {
	struct lw_server *srv = (struct lw_server *)base;
	if (srv->thread_started) {
		return;
	}
	pthread_mutex_lock(&srv->lock);
	srv->loop_running = true;
	pthread_mutex_unlock(&srv->lock);
	int err = pthread_create(&srv->thread, NULL, compositor_thread, srv);
	if (err != 0) {
		lumen_log(LUMEN_ERROR, "wlcs: cannot start the compositor thread: %s",
			strerror(err));
		pthread_mutex_lock(&srv->lock);
		srv->loop_running = false;
		pthread_mutex_unlock(&srv->lock);
		return;
	}
	srv->thread_started = true;
}

static void do_terminate(struct lw_server *srv, void *data) {
	comp_server_terminate(srv->comp);
}

static void lw_stop(WlcsDisplayServer *base) {
	struct lw_server *srv = (struct lw_server *)base;
	if (!srv->thread_started) {
		return;
	}
	run_on_compositor(srv, do_terminate, NULL);
	pthread_join(srv->thread, NULL);
	srv->thread_started = false;
}

static void lw_destroy_server(WlcsDisplayServer *base) {
	struct lw_server *srv = (struct lw_server *)base;
	if (!srv) {
		return;
	}
	lw_stop(base);
	if (srv->wake_source) {
		wl_event_source_remove(srv->wake_source);
	}
	comp_testing_device_destroy(srv->touchscreen);
	/* Destroys the remaining clients, whose listeners free our records of them. */
	comp_server_destroy(srv->comp);
	if (srv->wake_fd >= 0) {
		close(srv->wake_fd);
	}
	for (size_t i = 0; i < srv->num_extensions; i++) {
		free((char *)srv->extensions[i].name);
	}
	free(srv->extensions);
	if (srv->config_path[0]) {
		unlink(srv->config_path);
	}
	if (srv->dir[0]) {
		if (rmdir(srv->dir) < 0) {
			lumen_log_errno(LUMEN_WARN, "wlcs: cannot remove %s", srv->dir);
		}
		if (srv->own_runtime_dir) {
			unsetenv("XDG_RUNTIME_DIR");
		}
	}
	pthread_cond_destroy(&srv->done);
	pthread_mutex_destroy(&srv->lock);
	free(srv);
}

/*
 * A private directory for the config file: inside XDG_RUNTIME_DIR when there is one
 * (a crashed run then leaves nothing behind in /tmp), else in TMPDIR, and then it is
 * the runtime directory too.
 */
static bool make_private_dir(struct lw_server *srv) {
	const char *parent = getenv("XDG_RUNTIME_DIR");
	if (!parent || !*parent) {
		srv->own_runtime_dir = true;
		parent = getenv("TMPDIR");
		if (!parent || !*parent) {
			parent = "/tmp";
		}
	}
	int n = snprintf(srv->dir, sizeof(srv->dir), "%s/lumen-wlcs-XXXXXX", parent);
	if (n < 0 || (size_t)n >= sizeof(srv->dir) || !mkdtemp(srv->dir)) {
		lumen_log_errno(LUMEN_ERROR, "wlcs: cannot make a private directory in %s", parent);
		srv->dir[0] = '\0';
		return false;
	}
	if (srv->own_runtime_dir) {
		setenv("XDG_RUNTIME_DIR", srv->dir, 1);
	}
	snprintf(srv->config_path, sizeof(srv->config_path), "%s/lumen.ini", srv->dir);
	FILE *f = fopen(srv->config_path, "w");
	if (!f) {
		lumen_log_errno(LUMEN_ERROR, "wlcs: cannot write %s", srv->config_path);
		srv->config_path[0] = '\0';
		return false;
	}
	bool ok = fputs(config_text, f) >= 0;
	ok = fclose(f) == 0 && ok;
	return ok;
}

static WlcsDisplayServer *lw_create_server(int argc, const char **argv) {
	static bool log_ready;
	if (!log_ready) {
		lumen_log_init(LUMEN_ERROR); // LUMEN_LOG=debug for more
		log_ready = true;
	}
	for (int i = 1; i < argc; i++) {
		lumen_log(LUMEN_WARN, "wlcs: ignoring argument '%s'", argv[i]);
	}

	struct lw_server *srv = calloc(1, sizeof(*srv));
	if (!srv) {
		return NULL;
	}
	srv->base = (WlcsDisplayServer){
		.version = WLCS_DISPLAY_SERVER_VERSION,
		.start = lw_start,
		.stop = lw_stop,
		.create_client_socket = lw_create_client_socket,
		.position_window_absolute = lw_position_window_absolute,
		.create_pointer = lw_create_pointer,
		.create_touch = lw_create_touch,
		.get_descriptor = lw_get_descriptor,
		.start_on_this_thread = NULL, // start is preferred
	};
	srv->wake_fd = -1;
	pthread_mutex_init(&srv->lock, NULL);
	pthread_cond_init(&srv->done, NULL);
	wl_list_init(&srv->tasks);
	wl_list_init(&srv->clients);
	srv->next_touch_id = 1;

	/* Headless whatever the session: no screens, no input devices, no GPU needed. */
	setenv("WLR_BACKENDS", "headless", 1);
	setenv("WLR_RENDERER", "pixman", 1);
	setenv("WLR_LIBINPUT_NO_DEVICES", "1", 1);
	if (!make_private_dir(srv)) {
		goto error;
	}

	struct comp_server_options options = {
		.config_path = srv->config_path,
		.headless_outputs = output_spec,
		.no_autostart = true,
		.no_xwayland = true,
	};
	srv->comp = comp_server_create(&options);
	if (!srv->comp) {
		lumen_log(LUMEN_ERROR, "wlcs: the compositor could not be created");
		goto error;
	}
	srv->loop = wl_display_get_event_loop(comp_server_get_display(srv->comp));
	/*
	 * WLCS 1.5's surface helpers attach their first buffer without waiting for the
	 * first configure; without this, two thirds of the suite dies of that protocol
	 * error before testing anything. LUMEN_WLCS_STRICT=1 leaves it out.
	 */
	const char *strict = getenv("LUMEN_WLCS_STRICT");
	if ((!strict || strcmp(strict, "1") != 0) && !comp_testing_assume_initial_ack(srv->comp)) {
		goto error;
	}
	/*
	 * Started here rather than in start(): the outputs exist only once the backend
	 * runs, and the suite asks what we support before it calls start().
	 */
	if (!comp_server_start(srv->comp)) {
		lumen_log(LUMEN_ERROR, "wlcs: the compositor could not be started");
		goto error;
	}
	srv->touchscreen = comp_testing_add_touch(srv->comp);
	srv->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (srv->wake_fd < 0) {
		lumen_log_errno(LUMEN_ERROR, "wlcs: eventfd");
		goto error;
	}
	srv->wake_source = wl_event_loop_add_fd(srv->loop, srv->wake_fd, WL_EVENT_READABLE,
		handle_wake, srv);
	if (!srv->wake_source || !probe_globals(srv)) {
		goto error;
	}
	srv->descriptor = (WlcsIntegrationDescriptor){
		.version = WLCS_INTEGRATION_DESCRIPTOR_VERSION,
		.num_extensions = srv->num_extensions,
		.supported_extensions = srv->extensions,
	};
	return &srv->base;

error:
	lw_destroy_server(&srv->base);
	return NULL;
}

LW_EXPORT const WlcsServerIntegration wlcs_server_integration = {
	.version = WLCS_SERVER_INTEGRATION_VERSION,
	.create_server = lw_create_server,
	.destroy_server = lw_destroy_server,
};
