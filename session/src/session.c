/*
 * The supervisor. One event loop (libwayland's, for its signalfd and timerfd
 * sources) watches the children: the display server, the compositor, and the
 * autostart clients, and the input server when there is one. Each death is logged and
 * answered by a start after the back-off delay (backoff.c). The input server starts
 * once the display server answers, the compositor once both answer on their sockets;
 * when the display server is started again, so is the compositor, which had lost its
 * outputs. When the input server is started again the compositor is not: its input
 * backend reconnects by itself and releases what the lost devices held.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <wayland-server-core.h>
#include "common/log.h"
#include "session/session.h"
#include "backoff.h"
#include "sockets.h"

#define DEFAULT_DISPLAY_SOCKET "lumen-display-0"
#define DEFAULT_INPUT_SOCKET "lumen-input-0"
/* How often to look for the display server's socket, and for how long. */
#define READY_POLL_MS 20
#define READY_TIMEOUT_MS 10000
/* How long a child asked to end (SIGTERM) has before it is killed (SIGKILL). */
#define TERM_GRACE_MS 3000
/* Quick deaths in a row before giving up (backoff.h). */
#define MAX_FAILURES_ESSENTIAL 10
#define MAX_FAILURES_AUTOSTART 5

enum session_role {
	SESSION_DISPLAYD,
	SESSION_INPUTD,
	SESSION_COMPOSITOR,
	SESSION_AUTOSTART,
};

struct session_child {
	struct session *session;
	enum session_role role;
	const char *name; // in the log: "displayd", "inputd", "compositor", "autostart"
	const char *command; // autostart: the shell command
	pid_t pid; // 0: not running
	struct timespec started;
	unsigned starts;
	struct session_backoff backoff;
	struct wl_event_source *restart_timer;
	bool restart_pending; // restart_timer is armed
	struct wl_event_source *kill_timer;
	bool terminating; // we sent SIGTERM
	bool restart_now; // ended by us to be started again: not a failure
	bool done; // stays down
};

struct session {
	struct session_options options;
	const char *runtime_dir;
	char *parent_wayland_display; // the session's own WAYLAND_DISPLAY, may be NULL
	struct wl_event_loop *loop;
	struct wl_event_source *sigchld, *sigterm, *sigint, *sighup;
	struct session_sockets sockets;
	char display_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char input_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char ipc_path[256];

	struct session_child displayd, inputd, compositor;
	struct session_child *autostart; // n_autostart of them
	size_t n_autostart;
	bool displayd_ready;
	struct wl_event_source *ready_timer;
	long ready_waited_ms;
	bool inputd_ready;
	struct wl_event_source *input_ready_timer;
	long input_ready_waited_ms;

	bool stopping;
	int stop_stage; // 0: autostart, 1: compositor, 2: inputd, 3: displayd, 4: all gone
	bool finished;
	int exit_status;
};

static void maybe_start_compositor(struct session *session);
static void stop_advance(struct session *session);
static void maybe_start_inputd(struct session *session);

static long ms_since(const struct timespec *then) {
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - then->tv_sec) * 1000 + (now.tv_nsec - then->tv_nsec) / 1000000;
}

static bool has_displayd(const struct session *session) {
	return session->options.displayd_path != NULL;
}

static bool has_inputd(const struct session *session) {
	return session->options.inputd_path != NULL;
}

static void send_term(struct session_child *child) {
	if (child->pid <= 0 || child->terminating) {
		return;
	}
	child->terminating = true;
	lumen_log(LUMEN_INFO, "ending %s (pid %d)", child->name, (int)child->pid);
	/*
	 * Its process group, which it leads (child_setup): "sh -c" does not always exec,
	 * and the command must end with its shell. The group's id cannot be reused while
	 * the leader is not yet reaped.
	 */
	kill(-child->pid, SIGTERM);
	wl_event_source_timer_update(child->kill_timer, TERM_GRACE_MS);
}

static int handle_kill_timer(void *data) {
	struct session_child *child = data;
	if (child->pid > 0) {
		lumen_log(LUMEN_WARN, "%s (pid %d) did not end in %d ms: killing it", child->name,
			(int)child->pid, TERM_GRACE_MS);
		kill(-child->pid, SIGKILL);
	}
	return 0;
}

/*
 * A connection to the trusted socket, made now, for an autostart client: it waits in
 * the backlog if the compositor is down, and it makes the client trusted without
 * handing the trusted socket's name to everything the client starts.
 */
static int connect_trusted(struct session *session) {
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", session->sockets.trusted_path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		return -1;
	}
	/* Non-blocking: a full backlog must not stall the supervisor. */
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		lumen_log_errno(LUMEN_WARN, "cannot connect to %s", addr.sun_path);
		close(fd);
		return -1;
	}
	int flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* In the child, between fork and exec: only what a forked copy of us may do. */
static void child_setup(struct session *session, struct session_child *child, int wl_fd) {
	sigset_t set;
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
	/* Its own process group: a Ctrl+C at our terminal reaches us, and we end it. */
	setpgid(0, 0);
	unsetenv("WAYLAND_SOCKET");
	switch (child->role) {
	case SESSION_DISPLAYD:
	case SESSION_INPUTD:
		break;
	case SESSION_COMPOSITOR:
		/* The listening sockets stay open across exec, for this child only. */
		fcntl(session->sockets.fd, F_SETFD, 0);
		fcntl(session->sockets.trusted_fd, F_SETFD, 0);
		if (has_displayd(session)) {
			setenv("LUMEN_DISPLAY", session->options.display_socket, 1);
		} else {
			unsetenv("LUMEN_DISPLAY");
		}
		/* Without an input server of ours, the compositor's own choice, as before. */
		if (has_inputd(session)) {
			setenv("LUMEN_INPUT", session->options.input_socket, 1);
		}
		/* Ours is set by the compositor for its clients; a parent's means "nested". */
		if (session->parent_wayland_display) {
			setenv("WAYLAND_DISPLAY", session->parent_wayland_display, 1);
		} else {
			unsetenv("WAYLAND_DISPLAY");
		}
		break;
	case SESSION_AUTOSTART:
		unsetenv("LUMEN_DISPLAY");
		setenv("WAYLAND_DISPLAY", session->sockets.name, 1);
		setenv("LUMEN_IPC_SOCKET", session->ipc_path, 1);
		if (wl_fd >= 0) {
			int fd = dup(wl_fd); // without FD_CLOEXEC
			if (fd >= 0) {
				char fdstr[16];
				snprintf(fdstr, sizeof(fdstr), "%d", fd);
				setenv("WAYLAND_SOCKET", fdstr, 1);
			}
		}
		break;
	}
}

/* NULL-terminated argv for the child; NULL when out of memory. Free with free(). */
static char **build_argv(struct session *session, struct session_child *child,
		char numbers[2][16]) {
	const struct session_options *o = &session->options;
	size_t n = 0;
	size_t max = 16 + o->n_displayd_args + o->n_inputd_args + o->n_compositor_args;
	char **argv = calloc(max, sizeof(*argv));
	if (!argv) {
		return NULL;
	}
	switch (child->role) {
	case SESSION_DISPLAYD:
		argv[n++] = (char *)o->displayd_path;
		argv[n++] = "--socket";
		argv[n++] = (char *)o->display_socket;
		for (size_t i = 0; i < o->n_displayd_args; i++) {
			argv[n++] = (char *)o->displayd_args[i];
		}
		break;
	case SESSION_INPUTD:
		argv[n++] = (char *)o->inputd_path;
		argv[n++] = "--socket";
		argv[n++] = (char *)o->input_socket;
		for (size_t i = 0; i < o->n_inputd_args; i++) {
			argv[n++] = (char *)o->inputd_args[i];
		}
		break;
	case SESSION_COMPOSITOR:
		snprintf(numbers[0], 16, "%d", session->sockets.fd);
		snprintf(numbers[1], 16, "%d", session->sockets.trusted_fd);
		argv[n++] = (char *)o->compositor_path;
		argv[n++] = "--socket";
		argv[n++] = session->sockets.name;
		argv[n++] = "--wayland-fd";
		argv[n++] = numbers[0];
		argv[n++] = "--trusted-fd";
		argv[n++] = numbers[1];
		/*
		 * Its [autostart] runs on its first start only: the clients it started may
		 * well have survived it, and nobody wants two of each after a crash.
		 */
		if (child->starts > 0) {
			argv[n++] = "--no-autostart";
		}
		for (size_t i = 0; i < o->n_compositor_args; i++) {
			argv[n++] = (char *)o->compositor_args[i];
		}
		break;
	case SESSION_AUTOSTART:
		argv[n++] = "/bin/sh";
		argv[n++] = "-c";
		argv[n++] = (char *)child->command;
		break;
	}
	argv[n] = NULL;
	return argv;
}

static bool child_start(struct session_child *child) {
	struct session *session = child->session;
	char numbers[2][16];
	char **argv = build_argv(session, child, numbers);
	if (!argv) {
		lumen_log(LUMEN_ERROR, "out of memory starting %s", child->name);
		return false;
	}
	int wl_fd = child->role == SESSION_AUTOSTART ? connect_trusted(session) : -1;
	pid_t pid = fork();
	if (pid < 0) {
		lumen_log_errno(LUMEN_ERROR, "cannot start %s: fork", child->name);
		free(argv);
		if (wl_fd >= 0) {
			close(wl_fd);
		}
		return false;
	}
	if (pid == 0) {
		child_setup(session, child, wl_fd);
		execv(argv[0], argv);
		fprintf(stderr, "lumen-session: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	/* Also in the parent, so a signal sent at once finds the group. */
	setpgid(pid, pid);
	free(argv);
	if (wl_fd >= 0) {
		close(wl_fd);
	}
	child->pid = pid;
	child->terminating = false;
	child->restart_now = false;
	clock_gettime(CLOCK_MONOTONIC, &child->started);
	child->starts++;
	if (child->role == SESSION_AUTOSTART) {
		lumen_log(LUMEN_INFO, "started %s (pid %d, start %u): %s", child->name, (int)pid,
			child->starts, child->command);
	} else {
		lumen_log(LUMEN_INFO, "started %s (pid %d, start %u)", child->name, (int)pid,
			child->starts);
	}
	return true;
}

static bool socket_answers(const char *path) {
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		return false;
	}
	bool ok = connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0;
	close(fd);
	return ok;
}

static bool display_answers(struct session *session) {
	return socket_answers(session->display_path);
}

static void displayd_became_ready(struct session *session) {
	session->displayd_ready = true;
	lumen_log(LUMEN_INFO, "displayd (pid %d) answers on %s", (int)session->displayd.pid,
		session->options.display_socket);
	if (session->compositor.pid > 0) {
		/* It lost its outputs with the old display server: start it again. */
		session->compositor.restart_now = true;
		send_term(&session->compositor);
		return;
	}
	/* The input server's first start waits for the display server (it may need its
	 * seat); later ones do not, and it keeps running while displayd restarts. */
	maybe_start_inputd(session);
	maybe_start_compositor(session);
}

static void inputd_became_ready(struct session *session) {
	session->inputd_ready = true;
	lumen_log(LUMEN_INFO, "inputd (pid %d) answers on %s", (int)session->inputd.pid,
		session->options.input_socket);
	/* A running compositor reconnects by itself: nothing to do for it. */
	maybe_start_compositor(session);
}

static int handle_input_ready_timer(void *data) {
	struct session *session = data;
	if (session->stopping || session->inputd.pid <= 0 || session->inputd_ready) {
		return 0;
	}
	if (socket_answers(session->input_path)) {
		inputd_became_ready(session);
		return 0;
	}
	session->input_ready_waited_ms += READY_POLL_MS;
	if (session->input_ready_waited_ms >= READY_TIMEOUT_MS) {
		lumen_log(LUMEN_ERROR, "inputd (pid %d) did not open %s in %d ms: killing it",
			(int)session->inputd.pid, session->input_path, READY_TIMEOUT_MS);
		kill(session->inputd.pid, SIGKILL);
		return 0;
	}
	wl_event_source_timer_update(session->input_ready_timer, READY_POLL_MS);
	return 0;
}

static void start_inputd(struct session *session) {
	session->inputd_ready = false;
	if (!child_start(&session->inputd)) {
		session_terminate(session);
		session->exit_status = 1;
		return;
	}
	session->input_ready_waited_ms = 0;
	wl_event_source_timer_update(session->input_ready_timer, READY_POLL_MS);
}

static void maybe_start_inputd(struct session *session) {
	struct session_child *child = &session->inputd;
	if (!has_inputd(session) || session->stopping || child->pid > 0 || child->done ||
			child->restart_pending) {
		return;
	}
	start_inputd(session);
}

static int handle_ready_timer(void *data) {
	struct session *session = data;
	if (session->stopping || session->displayd.pid <= 0 || session->displayd_ready) {
		return 0;
	}
	if (display_answers(session)) {
		displayd_became_ready(session);
		return 0;
	}
	session->ready_waited_ms += READY_POLL_MS;
	if (session->ready_waited_ms >= READY_TIMEOUT_MS) {
		lumen_log(LUMEN_ERROR, "displayd (pid %d) did not open %s in %d ms: killing it",
			(int)session->displayd.pid, session->display_path, READY_TIMEOUT_MS);
		kill(session->displayd.pid, SIGKILL);
		return 0;
	}
	wl_event_source_timer_update(session->ready_timer, READY_POLL_MS);
	return 0;
}

static void start_displayd(struct session *session) {
	session->displayd_ready = false;
	if (!child_start(&session->displayd)) {
		session_terminate(session);
		session->exit_status = 1;
		return;
	}
	session->ready_waited_ms = 0;
	wl_event_source_timer_update(session->ready_timer, READY_POLL_MS);
}

static void start_autostart(struct session *session) {
	for (size_t i = 0; i < session->n_autostart; i++) {
		struct session_child *child = &session->autostart[i];
		if (child->pid == 0 && !child->done && !child->restart_pending) {
			child_start(child);
		}
	}
}

static void maybe_start_compositor(struct session *session) {
	struct session_child *child = &session->compositor;
	if (session->stopping || child->pid > 0 || child->done || child->restart_pending) {
		return;
	}
	if (has_displayd(session) && !session->displayd_ready) {
		return; // displayd_became_ready comes back here
	}
	if (has_inputd(session) && !session->inputd_ready) {
		return; // inputd_became_ready comes back here
	}
	bool first = child->starts == 0;
	if (!child_start(child)) {
		session_terminate(session);
		session->exit_status = 1;
		return;
	}
	if (first) {
		/* Their connections wait in the backlog until the compositor accepts them. */
		start_autostart(session);
	}
}

static void start_child(struct session_child *child) {
	switch (child->role) {
	case SESSION_DISPLAYD:
		start_displayd(child->session);
		break;
	case SESSION_INPUTD:
		start_inputd(child->session);
		break;
	case SESSION_COMPOSITOR:
		maybe_start_compositor(child->session);
		break;
	case SESSION_AUTOSTART:
		child_start(child);
		break;
	}
}

static int handle_restart_timer(void *data) {
	struct session_child *child = data;
	child->restart_pending = false;
	if (!child->session->stopping) {
		start_child(child);
	}
	return 0;
}

static void describe_status(int status, char *buf, size_t size) {
	if (WIFEXITED(status)) {
		snprintf(buf, size, "exited with status %d", WEXITSTATUS(status));
	} else if (WIFSIGNALED(status)) {
		snprintf(buf, size, "was killed by signal %d (%s)", WTERMSIG(status),
			strsignal(WTERMSIG(status)));
	} else {
		snprintf(buf, size, "ended (wait status %#x)", status);
	}
}

static void child_died(struct session_child *child, int status) {
	struct session *session = child->session;
	long uptime = ms_since(&child->started);
	pid_t pid = child->pid;
	child->pid = 0;
	wl_event_source_timer_update(child->kill_timer, 0);
	char how[128];
	describe_status(status, how, sizeof(how));
	if (child->role == SESSION_DISPLAYD) {
		session->displayd_ready = false;
		wl_event_source_timer_update(session->ready_timer, 0);
	}
	if (child->role == SESSION_INPUTD) {
		session->inputd_ready = false;
		wl_event_source_timer_update(session->input_ready_timer, 0);
	}
	if (session->stopping) {
		lumen_log(LUMEN_INFO, "%s (pid %d) %s", child->name, (int)pid, how);
		stop_advance(session);
		return;
	}
	bool clean_exit = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	if (child->restart_now) {
		lumen_log(LUMEN_INFO, "%s (pid %d) %s after %ld.%02ld s; starting it again now",
			child->name, (int)pid, how, uptime / 1000, uptime % 1000 / 10);
		start_child(child);
		return;
	}
	/*
	 * A compositor that quits on its own was asked to (lumenctl, a binding, SIGTERM):
	 * the desktop is over. Unless it quit because the display server went away.
	 */
	if (child->role == SESSION_COMPOSITOR && clean_exit &&
			(!has_displayd(session) || display_answers(session))) {
		lumen_log(LUMEN_INFO, "compositor (pid %d) %s: ending the session", (int)pid, how);
		session_terminate(session);
		return;
	}
	if (child->role == SESSION_AUTOSTART && clean_exit) {
		lumen_log(LUMEN_INFO, "%s (pid %d) %s; not started again: %s", child->name,
			(int)pid, how, child->command);
		child->done = true;
		return;
	}
	long delay = session_backoff_next(&child->backoff, uptime);
	if (delay < 0) {
		lumen_log(LUMEN_ERROR, "%s (pid %d) %s after %ld.%02ld s: %u times in a row "
			"within %d ms of its start, giving up", child->name, (int)pid, how,
			uptime / 1000, uptime % 1000 / 10, child->backoff.failures,
			SESSION_BACKOFF_STABLE_MS);
		child->done = true;
		if (child->role != SESSION_AUTOSTART) {
			session->exit_status = 1;
			session_terminate(session);
		}
		return;
	}
	lumen_log(child->role == SESSION_AUTOSTART ? LUMEN_WARN : LUMEN_ERROR,
		"%s (pid %d) %s after %ld.%02ld s; starting it again in %ld ms", child->name,
		(int)pid, how, uptime / 1000, uptime % 1000 / 10, delay);
	if (delay == 0) {
		start_child(child);
	} else {
		child->restart_pending = true;
		wl_event_source_timer_update(child->restart_timer, (int)delay);
	}
}

static struct session_child *find_child(struct session *session, pid_t pid) {
	if (session->displayd.pid == pid) {
		return &session->displayd;
	}
	if (session->inputd.pid == pid) {
		return &session->inputd;
	}
	if (session->compositor.pid == pid) {
		return &session->compositor;
	}
	for (size_t i = 0; i < session->n_autostart; i++) {
		if (session->autostart[i].pid == pid) {
			return &session->autostart[i];
		}
	}
	return NULL;
}

static int handle_sigchld(int sig, void *data) {
	struct session *session = data;
	int status;
	pid_t pid;
	/* Signals coalesce: reap every child that has ended. */
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		struct session_child *child = find_child(session, pid);
		if (child) {
			child_died(child, status);
		}
	}
	return 0;
}

static int handle_stop_signal(int sig, void *data) {
	struct session *session = data;
	lumen_log(LUMEN_INFO, "%s: ending the session", strsignal(sig));
	session_terminate(session);
	return 0;
}

/*
 * Ends the children a group at a time, newest first: autostart, compositor, inputd,
 * displayd.
 */
static void stop_advance(struct session *session) {
	struct session_child *const stages[] = {NULL, &session->compositor, &session->inputd,
		&session->displayd};
	while (session->stop_stage < 4) {
		bool alive = false;
		if (session->stop_stage == 0) {
			for (size_t i = 0; i < session->n_autostart; i++) {
				if (session->autostart[i].pid > 0) {
					alive = true;
					send_term(&session->autostart[i]);
				}
			}
		} else {
			struct session_child *child = stages[session->stop_stage];
			if (child->pid > 0) {
				alive = true;
				send_term(child);
			}
		}
		if (alive) {
			return; // handle_sigchld comes back here
		}
		session->stop_stage++;
	}
	session->finished = true;
}

void session_terminate(struct session *session) {
	if (session->stopping) {
		return;
	}
	session->stopping = true;
	wl_event_source_timer_update(session->ready_timer, 0);
	wl_event_source_timer_update(session->input_ready_timer, 0);
	struct session_child *all[3] = {&session->displayd, &session->inputd,
		&session->compositor};
	for (size_t i = 0; i < 3; i++) {
		wl_event_source_timer_update(all[i]->restart_timer, 0);
		all[i]->restart_pending = false;
	}
	for (size_t i = 0; i < session->n_autostart; i++) {
		wl_event_source_timer_update(session->autostart[i].restart_timer, 0);
		session->autostart[i].restart_pending = false;
	}
	stop_advance(session);
}

static bool child_init(struct session *session, struct session_child *child,
		enum session_role role, const char *name, unsigned max_failures) {
	child->session = session;
	child->role = role;
	child->name = name;
	child->backoff.max_failures = max_failures;
	child->restart_timer = wl_event_loop_add_timer(session->loop, handle_restart_timer, child);
	child->kill_timer = wl_event_loop_add_timer(session->loop, handle_kill_timer, child);
	return child->restart_timer && child->kill_timer;
}

static void child_finish(struct session_child *child) {
	if (child->pid > 0) {
		kill(-child->pid, SIGKILL);
		waitpid(child->pid, NULL, 0);
		child->pid = 0;
	}
	if (child->restart_timer) {
		wl_event_source_remove(child->restart_timer);
	}
	if (child->kill_timer) {
		wl_event_source_remove(child->kill_timer);
	}
}

struct session *session_create(const struct session_options *options) {
	const char *runtime_dir = getenv("XDG_RUNTIME_DIR");
	if (!runtime_dir) {
		lumen_log(LUMEN_ERROR, "XDG_RUNTIME_DIR is not set");
		return NULL;
	}
	if (!options->compositor_path) {
		lumen_log(LUMEN_ERROR, "no compositor to run");
		return NULL;
	}
	struct session *session = calloc(1, sizeof(*session));
	if (!session) {
		lumen_log(LUMEN_ERROR, "out of memory");
		return NULL;
	}
	session->options = *options;
	if (!session->options.display_socket) {
		session->options.display_socket = DEFAULT_DISPLAY_SOCKET;
	}
	if (!session->options.input_socket) {
		session->options.input_socket = DEFAULT_INPUT_SOCKET;
	}
	session->runtime_dir = runtime_dir;
	session_sockets_init(&session->sockets);
	const char *parent = getenv("WAYLAND_DISPLAY");
	if (parent && !(session->parent_wayland_display = strdup(parent))) {
		goto fail_oom;
	}
	int len = snprintf(session->display_path, sizeof(session->display_path), "%s/%s",
		runtime_dir, session->options.display_socket);
	if (len < 0 || (size_t)len >= sizeof(session->display_path)) {
		lumen_log(LUMEN_ERROR, "display socket path is too long");
		goto fail;
	}
	/* inputd takes a name in the runtime directory, or a path. */
	const char *input = session->options.input_socket;
	len = strchr(input, '/') ? snprintf(session->input_path, sizeof(session->input_path),
			"%s", input) : snprintf(session->input_path, sizeof(session->input_path),
			"%s/%s", runtime_dir, input);
	if (len < 0 || (size_t)len >= sizeof(session->input_path)) {
		lumen_log(LUMEN_ERROR, "input socket path is too long");
		goto fail;
	}
	session->loop = wl_event_loop_create();
	if (!session->loop) {
		goto fail_oom;
	}
	session->sigchld = wl_event_loop_add_signal(session->loop, SIGCHLD, handle_sigchld,
		session);
	session->sigterm = wl_event_loop_add_signal(session->loop, SIGTERM, handle_stop_signal,
		session);
	session->sigint = wl_event_loop_add_signal(session->loop, SIGINT, handle_stop_signal,
		session);
	/* Its terminal closed: end in order rather than leave the children running. */
	session->sighup = wl_event_loop_add_signal(session->loop, SIGHUP, handle_stop_signal,
		session);
	session->ready_timer = wl_event_loop_add_timer(session->loop, handle_ready_timer, session);
	session->input_ready_timer = wl_event_loop_add_timer(session->loop,
		handle_input_ready_timer, session);
	if (!session->sigchld || !session->sigterm || !session->sigint || !session->sighup ||
			!session->ready_timer || !session->input_ready_timer) {
		goto fail_oom;
	}
	session->n_autostart = options->n_autostart;
	if (session->n_autostart > 0) {
		session->autostart = calloc(session->n_autostart, sizeof(*session->autostart));
		if (!session->autostart) {
			session->n_autostart = 0;
			goto fail_oom;
		}
	}
	if (!child_init(session, &session->displayd, SESSION_DISPLAYD, "displayd",
				MAX_FAILURES_ESSENTIAL) ||
			!child_init(session, &session->inputd, SESSION_INPUTD, "inputd",
				MAX_FAILURES_ESSENTIAL) ||
			!child_init(session, &session->compositor, SESSION_COMPOSITOR, "compositor",
				MAX_FAILURES_ESSENTIAL)) {
		goto fail_oom;
	}
	for (size_t i = 0; i < session->n_autostart; i++) {
		if (!child_init(session, &session->autostart[i], SESSION_AUTOSTART, "autostart",
				MAX_FAILURES_AUTOSTART)) {
			goto fail_oom;
		}
		session->autostart[i].command = options->autostart[i];
	}
	if (!session_sockets_open(&session->sockets, runtime_dir, options->socket_name)) {
		goto fail;
	}
	snprintf(session->ipc_path, sizeof(session->ipc_path), "%s/lumen-ipc.%s.sock",
		runtime_dir, session->sockets.name);
	lumen_log(LUMEN_INFO, "listening on %s and %s", session->sockets.path,
		session->sockets.trusted_path);
	return session;

fail_oom:
	lumen_log(LUMEN_ERROR, "out of memory");
fail:
	session_destroy(session);
	return NULL;
}

int session_run(struct session *session) {
	if (has_displayd(session)) {
		start_displayd(session);
	} else if (has_inputd(session)) {
		start_inputd(session);
	} else {
		maybe_start_compositor(session);
	}
	while (!session->finished) {
		if (wl_event_loop_dispatch(session->loop, -1) < 0 && errno != EINTR) {
			lumen_log_errno(LUMEN_ERROR, "event loop");
			session->exit_status = 1;
			break;
		}
	}
	return session->exit_status;
}

const char *session_socket_name(const struct session *session) {
	return session->sockets.name;
}

void session_destroy(struct session *session) {
	if (!session) {
		return;
	}
	/* Newest first, as in an orderly end. */
	for (size_t i = session->n_autostart; i > 0; i--) {
		child_finish(&session->autostart[i - 1]);
	}
	child_finish(&session->compositor);
	child_finish(&session->inputd);
	child_finish(&session->displayd);
	free(session->autostart);
	if (session->ready_timer) {
		wl_event_source_remove(session->ready_timer);
	}
	if (session->input_ready_timer) {
		wl_event_source_remove(session->input_ready_timer);
	}
	if (session->sigchld) {
		wl_event_source_remove(session->sigchld);
	}
	if (session->sigterm) {
		wl_event_source_remove(session->sigterm);
	}
	if (session->sigint) {
		wl_event_source_remove(session->sigint);
	}
	if (session->sighup) {
		wl_event_source_remove(session->sighup);
	}
	if (session->loop) {
		wl_event_loop_destroy(session->loop);
	}
	session_sockets_close(&session->sockets);
	free(session->parent_wayland_display);
	free(session);
}
