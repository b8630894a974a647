/*
 * The session library in-process, with a stand-in compositor (a shell script): it is
 * handed the listening sockets, started again at once after a crash with
 * --no-autostart, autostart clients get the socket's name and a connection of their
 * own, a compositor that quits ends the session with status 0, and the sockets go
 * with the session. TAP output.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common/log.h"
#include "session/session.h"

static int test_no;
static int failures;

static void ok(int cond, const char *what) {
	test_no++;
	printf("%sok %d - %s\n", cond ? "" : "not ", test_no, what);
	if (!cond) {
		failures++;
	}
}

static char *slurp(const char *path) {
	FILE *f = fopen(path, "r");
	if (!f) {
		return NULL;
	}
	char *buf = calloc(1, 4096);
	if (buf) {
		size_t n = fread(buf, 1, 4095, f);
		buf[n] = '\0';
	}
	fclose(f);
	return buf;
}

static bool exists(const char *dir, const char *name) {
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	struct stat st;
	return lstat(path, &st) == 0;
}

/*
 * The stand-in compositor: notes its arguments and whether the descriptors it was
 * given are sockets, crashes (status 3) on its first start and quits (status 0) on
 * its second.
 */
static const char compositor_script[] =
	"#!/bin/sh\n"
	"dir=$(dirname \"$0\")\n"
	"echo \"$*\" >>\"$dir/args\"\n"
	"if [ -S /proc/self/fd/$4 ] && [ -S /proc/self/fd/$6 ]; then echo yes; else echo no; fi"
	" >>\"$dir/fds\"\n"
	"echo \"${WAYLAND_DISPLAY:-unset}\" >>\"$dir/compositor-env\"\n"
	"if [ -e \"$dir/crashed\" ]; then exit 0; fi\n"
	": >\"$dir/crashed\"\n"
	"sleep 0.2\n"
	"exit 3\n";

int main(void) {
	lumen_log_init(LUMEN_WARN);
	char dir[] = "/tmp/lumen-session-test.XXXXXX";
	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	setenv("XDG_RUNTIME_DIR", dir, 1);
	unsetenv("WAYLAND_DISPLAY");
	char script[512], args_path[512], fds_path[512], auto_path[512], env_path[512];
	snprintf(script, sizeof(script), "%s/compositor", dir);
	snprintf(args_path, sizeof(args_path), "%s/args", dir);
	snprintf(fds_path, sizeof(fds_path), "%s/fds", dir);
	snprintf(auto_path, sizeof(auto_path), "%s/autostart", dir);
	snprintf(env_path, sizeof(env_path), "%s/compositor-env", dir);
	FILE *f = fopen(script, "w");
	if (!f) {
		printf("Bail out! cannot write %s\n", script);
		return 1;
	}
	fputs(compositor_script, f);
	fclose(f);
	chmod(script, 0755);

	char autostart_cmd[1024];
	snprintf(autostart_cmd, sizeof(autostart_cmd),
		"echo \"$WAYLAND_DISPLAY ${WAYLAND_SOCKET:+socket}\" >>%s", auto_path);
	const char *autostart[] = {autostart_cmd};
	const char *extra[] = {"--extra"};
	struct session_options options = {
		.socket_name = "wayland-test",
		.compositor_path = script,
		.compositor_args = extra,
		.n_compositor_args = 1,
		.autostart = autostart,
		.n_autostart = 1,
	};
	struct session *session = session_create(&options);
	ok(session != NULL, "the session is created");
	if (!session) {
		printf("1..%d\n", test_no);
		return 1;
	}
	ok(strcmp(session_socket_name(session), "wayland-test") == 0, "on the socket asked for");
	ok(exists(dir, "wayland-test") && exists(dir, "wayland-test-trusted") &&
			exists(dir, "wayland-test.lock"),
		"its socket, trusted socket and lock file exist before any child runs");

	struct session_options taken = options;
	struct session *second = session_create(&taken);
	ok(second == NULL, "a second session cannot take the same name");
	session_destroy(second);

	int status = session_run(session);
	ok(status == 0, "a compositor that quits ends the session with status 0");

	char *args = slurp(args_path);
	char first[512] = "", again[512] = "";
	if (args) {
		sscanf(args, "%511[^\n]\n%511[^\n]", first, again);
	}
	ok(strncmp(first, "--socket wayland-test --wayland-fd ", 35) == 0 &&
			strstr(first, " --trusted-fd ") && strstr(first, " --extra") &&
			!strstr(first, "--no-autostart"),
		"the compositor gets the socket's name, both descriptors and the extra arguments");
	ok(strstr(again, "--no-autostart") != NULL,
		"after its crash it is started again, without its own [autostart]");
	char *fds = slurp(fds_path);
	ok(fds && strcmp(fds, "yes\nyes\n") == 0, "both times the descriptors are sockets");
	char *env = slurp(env_path);
	ok(env && strcmp(env, "unset\nunset\n") == 0,
		"the compositor does not get our socket as WAYLAND_DISPLAY (it would nest)");
	char *autolog = slurp(auto_path);
	ok(autolog && strcmp(autolog, "wayland-test socket\n") == 0,
		"the autostart client ran once, with WAYLAND_DISPLAY and a connection of its own");

	session_destroy(session);
	ok(!exists(dir, "wayland-test") && !exists(dir, "wayland-test-trusted") &&
			!exists(dir, "wayland-test.lock"),
		"the sockets and the lock file are gone with the session");

	free(args);
	free(fds);
	free(env);
	free(autolog);
	const char *files[] = {"compositor", "args", "fds", "autostart", "compositor-env",
		"crashed"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
	printf("1..%d\n", test_no);
	return failures ? 1 : 0;
}
