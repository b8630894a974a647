/*
 * Actions, as written in [bindings] and sent over IPC: one verb and its argument.
 * Unknown actions are an error for whoever wrote them, never a crash.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "common/log.h"
#include "server.h"

bool comp_bindings_handle(struct comp_server *server, uint32_t modifiers, xkb_keysym_t sym) {
	/* Caps and Num Lock are not part of a chord. */
	modifiers &= ~(uint32_t)(WLR_MODIFIER_CAPS | WLR_MODIFIER_MOD2);
	for (size_t i = 0; i < server->config.bindings.len; i++) {
		struct comp_binding *binding = server->config.bindings.items[i];
		if (binding->sym == sym && binding->modifiers == modifiers) {
			char err[256];
			if (!comp_action_run(server, binding->action, err, sizeof(err))) {
				lumen_log(LUMEN_ERROR, "binding '%s': %s", binding->action, err);
			}
			return true;
		}
	}
	return false;
}

/*
 * Starts a command through sh. The child gets its own Wayland connection made here
 * (WAYLAND_SOCKET), so we know it is ours: it is trusted with the privileged globals.
 */
void comp_spawn(struct comp_server *server, const char *command) {
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		lumen_log_errno(LUMEN_ERROR, "exec '%s': socketpair", command);
		return;
	}
	pid_t pid = fork();
	if (pid < 0) {
		lumen_log_errno(LUMEN_ERROR, "exec '%s': fork", command);
		close(sv[0]);
		close(sv[1]);
		return;
	}
	if (pid == 0) {
		/* Double fork so the child is reparented and never becomes our zombie. */
		sigset_t set;
		sigemptyset(&set);
		sigprocmask(SIG_SETMASK, &set, NULL);
		setsid();
		pid_t grandchild = fork();
		if (grandchild == 0) {
			close(sv[0]);
			int fd = dup(sv[1]); // without CLOEXEC
			char fdstr[16];
			snprintf(fdstr, sizeof(fdstr), "%d", fd);
			setenv("WAYLAND_SOCKET", fdstr, 1);
			execl("/bin/sh", "sh", "-c", command, (char *)NULL);
			_exit(127);
		}
		_exit(grandchild < 0 ? 1 : 0);
	}
	close(sv[1]);
	waitpid(pid, NULL, 0);
	struct wl_client *client = wl_client_create(server->display, sv[0]);
	if (!client) {
		lumen_log(LUMEN_ERROR, "exec '%s': cannot create the client", command);
		close(sv[0]);
		return;
	}
	comp_trust_client(server->trust, client);
	lumen_log(LUMEN_INFO, "started '%s'", command);
}

static bool parse_int(const char *s, int *out) {
	if (!s || !*s) {
		return false;
	}
	char *end = NULL;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end != '\0' || v < -1000000 || v > 1000000) {
		return false;
	}
	*out = (int)v;
	return true;
}

bool comp_action_run(struct comp_server *server, const char *action, char *err,
		size_t errlen) {
	while (*action == ' ' || *action == '\t') {
		action++;
	}
	const char *space = strchr(action, ' ');
	size_t verb_len = space ? (size_t)(space - action) : strlen(action);
	const char *arg = space ? space + 1 : "";
	while (*arg == ' ') {
		arg++;
	}
	char verb[64];
	if (verb_len == 0 || verb_len >= sizeof(verb)) {
		snprintf(err, errlen, "empty or overlong action");
		return false;
	}
	memcpy(verb, action, verb_len);
	verb[verb_len] = '\0';
	struct comp_view *view = server->focused_view;
	int n;

	if (strcmp(verb, "exec") == 0) {
		if (!*arg) {
			snprintf(err, errlen, "exec needs a command");
			return false;
		}
		comp_spawn(server, arg);
	} else if (strcmp(verb, "close") == 0) {
		if (view) {
			comp_view_close(view);
		}
	} else if (strcmp(verb, "fullscreen") == 0) {
		if (view) {
			comp_view_set_fullscreen(view, !view->fullscreen);
		}
	} else if (strcmp(verb, "maximize") == 0) {
		if (view) {
			comp_view_set_maximized(view, !view->maximized);
		}
	} else if (strcmp(verb, "minimize") == 0) {
		if (view) {
			comp_view_set_minimized(view, true);
		}
	} else if (strcmp(verb, "tiling") == 0) {
		struct comp_workspace *ws = comp_workspace_focused(server);
		bool on = strcmp(arg, "on") == 0 || (strcmp(arg, "off") != 0 && !ws->tiling);
		comp_workspace_set_tiling(ws, on);
	} else if (strcmp(verb, "workspace") == 0) {
		if (!parse_int(arg, &n) || !comp_workspace_get(server, n)) {
			snprintf(err, errlen, "workspace wants a number from 1 to %d", COMP_WORKSPACES);
			return false;
		}
		comp_workspace_show(comp_workspace_get(server, n), comp_output_focused(server));
	} else if (strcmp(verb, "move-to-workspace") == 0) {
		if (!parse_int(arg, &n) || !comp_workspace_get(server, n)) {
			snprintf(err, errlen, "move-to-workspace wants a number from 1 to %d",
				COMP_WORKSPACES);
			return false;
		}
		if (view) {
			comp_view_move_to_workspace(view, comp_workspace_get(server, n));
		}
	} else if (strcmp(verb, "cycle-next") == 0) {
		comp_workspace_cycle(server, +1);
	} else if (strcmp(verb, "cycle-prev") == 0) {
		comp_workspace_cycle(server, -1);
	} else if (strcmp(verb, "layout-next") == 0) {
		int count = 0;
		while (comp_seat_layout_name(server, count)) {
			count++;
		}
		if (count > 0) {
			comp_seat_set_layout(server, (comp_seat_layout_index(server) + 1) % count);
		}
	} else if (strcmp(verb, "layout") == 0) {
		if (!parse_int(arg, &n) || !comp_seat_set_layout(server, n)) {
			snprintf(err, errlen, "no keyboard layout %s", arg);
			return false;
		}
	} else if (strcmp(verb, "reload") == 0) {
		return comp_server_reload_config(server, err, errlen);
	} else if (strcmp(verb, "exit") == 0) {
		comp_server_terminate(server);
	} else if (strcmp(verb, "reader-toggle") == 0) {
		comp_reader_keys_toggle(server); // reader-keys.c; bound even while locked
	} else if (strcmp(verb, "none") == 0) {
		// an explicitly empty binding
	} else {
		snprintf(err, errlen, "unknown action '%s'", verb);
		return false;
	}
	return true;
}
