/*
 * lumen-gpu-test: the bring-up suite. Named tests in groups (framebuffer, modeset,
 * atomic, flip, cursor, gamma, hotplug, dmabuf, kms, egl, gbm), run against a displayd
 * (its virtual backend, or its kms backend on --device) and, with --device, straight
 * against the card's KMS; EGL/GLES and GBM on the device's render node or on llvmpipe.
 * Speaks TAP on stdout; --json writes a summary; --expected-failures marks the tests a
 * driver is known to fail, each with its reason.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>
#include <xf86drm.h>
#include "common/log.h"
#include "gpu/allocator.h"
#include "gpu/caps.h"
#include "gpu/device.h"
#include "gpu/egl.h"
#include "gpu/render.h"
#include "tests/display.h"
#include "tests/harness.h"

struct expected {
	char pattern[128];
	char reason[256];
};

struct run_entry {
	const struct gt_test *test;
	enum gt_result result;
	bool expected_fail;
	const char *reason; // expected failure's reason
	char msg[512];
	double seconds;
};

static void usage(FILE *f) {
	fprintf(f,
		"usage: lumen-gpu-test [options]\n"
		"  --list                    list the tests and exit\n"
		"  --run PATTERN[,PATTERN]   run only tests matching these globs (e.g. 'egl/*')\n"
		"  --device PATH|virtual     a DRM card (/dev/dri/card0): KMS tests on it and a\n"
		"                            displayd on its kms backend; virtual (default): a\n"
		"                            displayd with virtual outputs, EGL on llvmpipe or the\n"
		"                            first render node\n"
		"  --displayd PATH           the lumen-displayd to start ($LUMEN_DISPLAYD, else\n"
		"                            lumen-displayd from PATH)\n"
		"  --socket NAME             use a running displayd instead of starting one\n"
		"  --expected-failures FILE  tests this driver is known to fail: 'NAME REASON' lines\n"
		"  --json FILE               write a JSON summary (results and capabilities)\n"
		"  --caps                    print the capability report and exit\n"
		"  --caps-json               print it as JSON and exit\n"
		"  -d, --debug               debug logging\n"
		"  -h, --help                this help\n");
}

/* Resources */

static bool wait_for_socket(struct gt_ctx *ctx) {
	for (int i = 0; i < 600; i++) { // 30 s: a sanitizer build in a VM starts slowly
		int status;
		if (waitpid(ctx->displayd_pid, &status, WNOHANG) == ctx->displayd_pid) {
			snprintf(ctx->display_why, sizeof(ctx->display_why),
				"lumen-displayd exited at start (status %d)",
				WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
			ctx->displayd_pid = 0;
			return false;
		}
		struct stat st;
		if (stat(ctx->displayd_socket, &st) == 0) {
			char why[256];
			struct gt_display *d = gt_display_connect(ctx->displayd_socket, why, sizeof(why));
			if (d) {
				ctx->display = d;
				return true;
			}
		}
		struct timespec ts = {0, 50 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	snprintf(ctx->display_why, sizeof(ctx->display_why), "lumen-displayd did not open %s in 30 s",
		ctx->displayd_socket);
	return false;
}

static bool start_displayd(struct gt_ctx *ctx) {
	if (!ctx->run_dir[0]) {
		snprintf(ctx->run_dir, sizeof(ctx->run_dir), "/tmp/lumen-gpu-test.XXXXXX");
		if (!mkdtemp(ctx->run_dir)) {
			snprintf(ctx->display_why, sizeof(ctx->display_why), "mkdtemp: %s", strerror(errno));
			ctx->run_dir[0] = '\0';
			return false;
		}
	}
	snprintf(ctx->displayd_socket, sizeof(ctx->displayd_socket), "%s/display-0", ctx->run_dir);
	unlink(ctx->displayd_socket);
	char log_path[300];
	snprintf(log_path, sizeof(log_path), "%s/displayd.log", ctx->run_dir);
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(ctx->display_why, sizeof(ctx->display_why), "fork: %s", strerror(errno));
		return false;
	}
	if (pid == 0) {
		/* displayd's log goes to stderr, never into our TAP. */
		int log = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (log >= 0) {
			dup2(log, STDOUT_FILENO);
			dup2(log, STDERR_FILENO);
		}
		setenv("XDG_RUNTIME_DIR", ctx->run_dir, 1);
		if (ctx->is_virtual) {
			execlp(ctx->displayd_path, ctx->displayd_path, "--socket", ctx->displayd_socket,
				"--virtual", "1024x768@60", "--virtual", "800x600@75", "--restart-frame-after",
				"0", (char *)NULL);
		} else {
			execlp(ctx->displayd_path, ctx->displayd_path, "--socket", ctx->displayd_socket,
				"--kms", ctx->device, "--restart-frame-after", "0", (char *)NULL);
		}
		fprintf(stderr, "lumen-gpu-test: cannot run %s: %s\n", ctx->displayd_path, strerror(errno));
		_exit(127);
	}
	ctx->displayd_pid = pid;
	ctx->displayd_status = -1;
	return wait_for_socket(ctx);
}

struct gt_display *gt_get_display(struct gt_ctx *ctx) {
	if (ctx->display) {
		return ctx->display;
	}
	if (ctx->display_why[0]) {
		return NULL; // tried and failed: every test says the same
	}
	if (ctx->socket) {
		snprintf(ctx->displayd_socket, sizeof(ctx->displayd_socket), "%s", ctx->socket);
		ctx->display = gt_display_connect(ctx->socket, ctx->display_why, sizeof(ctx->display_why));
		return ctx->display;
	}
	gt_release_kms(ctx);
	if (!start_displayd(ctx)) {
		return NULL;
	}
	gt_diag("started lumen-displayd (pid %d) on %s", (int)ctx->displayd_pid,
		ctx->is_virtual ? "virtual outputs" : ctx->device);
	return ctx->display;
}

void gt_stop_displayd(struct gt_ctx *ctx) {
	gt_display_disconnect(ctx->display);
	ctx->display = NULL;
	if (ctx->displayd_pid > 0) {
		kill(ctx->displayd_pid, SIGTERM);
		int status = 0;
		if (waitpid(ctx->displayd_pid, &status, 0) == ctx->displayd_pid) {
			ctx->displayd_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
		ctx->displayd_pid = 0;
	}
}

int gt_get_kms(struct gt_ctx *ctx) {
	if (ctx->kms_fd >= 0) {
		return ctx->kms_fd;
	}
	if (ctx->is_virtual) {
		snprintf(ctx->kms_why, sizeof(ctx->kms_why),
			"--device virtual: no KMS card (the display tests cover displayd's virtual outputs)");
		return -1;
	}
	if (ctx->displayd_pid > 0 || ctx->socket) {
		snprintf(ctx->kms_why, sizeof(ctx->kms_why), "a displayd holds %s", ctx->device);
		return -1;
	}
	int fd = open(ctx->device, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(ctx->kms_why, sizeof(ctx->kms_why), "cannot open %s: %s", ctx->device,
			strerror(errno));
		return -1;
	}
	if (drmSetMaster(fd) != 0 && !drmIsMaster(fd)) {
		snprintf(ctx->kms_why, sizeof(ctx->kms_why), "%s: not DRM master (%s)", ctx->device,
			strerror(errno));
		close(fd);
		return -1;
	}
	drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1);
	ctx->kms_fd = fd;
	return fd;
}

void gt_release_kms(struct gt_ctx *ctx) {
	if (ctx->kms_fd >= 0) {
		drmDropMaster(ctx->kms_fd);
		close(ctx->kms_fd);
		ctx->kms_fd = -1;
	}
}

bool gt_get_render(struct gt_ctx *ctx) {
	if (ctx->render_tried) {
		return ctx->egl != NULL;
	}
	ctx->render_tried = true;
	char node[64] = "";
	if (!ctx->is_virtual) {
		struct gpu_device_info info;
		char why[256];
		if (gpu_device_probe_path(ctx->device, &info, why, sizeof(why))) {
			snprintf(node, sizeof(node), "%s", gpu_device_render_path(&info));
		} else {
			snprintf(ctx->alloc_why, sizeof(ctx->alloc_why), "%s", why);
		}
	} else {
		struct gpu_device_info *infos = NULL;
		char why[256] = "";
		int n = gpu_devices_list(&infos, why, sizeof(why));
		for (int i = 0; i < n && !node[0]; i++) {
			if (infos[i].render[0] || infos[i].primary[0]) {
				snprintf(node, sizeof(node), "%s", gpu_device_render_path(&infos[i]));
			}
		}
		free(infos);
		if (!node[0]) {
			snprintf(ctx->alloc_why, sizeof(ctx->alloc_why),
				"no DRM render node (%s); EGL runs surfaceless on llvmpipe", why[0] ? why : "none listed");
		}
	}
	if (node[0]) {
		ctx->render_fd = open(node, O_RDWR | O_CLOEXEC);
		if (ctx->render_fd < 0) {
			snprintf(ctx->alloc_why, sizeof(ctx->alloc_why), "cannot open %s: %s", node,
				strerror(errno));
		} else {
			ctx->alloc = gpu_allocator_create(ctx->render_fd, ctx->alloc_why, sizeof(ctx->alloc_why));
		}
	}
	ctx->egl = gpu_egl_create(ctx->alloc ? ctx->alloc->gbm : NULL, ctx->egl_why, sizeof(ctx->egl_why));
	if (!ctx->egl && ctx->alloc) {
		gt_diag("EGL on GBM failed (%s); trying surfaceless", ctx->egl_why);
		ctx->egl = gpu_egl_create(NULL, ctx->egl_why, sizeof(ctx->egl_why));
	}
	if (ctx->egl) {
		ctx->renderer = gpu_renderer_create(ctx->egl, ctx->egl_why, sizeof(ctx->egl_why));
		if (!ctx->renderer) {
			gpu_egl_destroy(ctx->egl);
			ctx->egl = NULL;
		}
	}
	return ctx->egl != NULL;
}

static void release_render(struct gt_ctx *ctx) {
	gpu_renderer_destroy(ctx->renderer);
	gpu_egl_destroy(ctx->egl);
	gpu_allocator_destroy(ctx->alloc);
	if (ctx->render_fd >= 0) {
		close(ctx->render_fd);
	}
	ctx->renderer = NULL;
	ctx->egl = NULL;
	ctx->alloc = NULL;
	ctx->render_fd = -1;
}

/* The last test: a displayd we started exits cleanly (status 0, no sanitizer report). */
static enum gt_result test_clean_exit(struct gt_ctx *ctx) {
	if (ctx->socket) {
		return gt_skip(ctx, "displayd was started by someone else (--socket)");
	}
	if (!ctx->display && !gt_get_display(ctx)) {
		return gt_fail(ctx, "%s", ctx->display_why);
	}
	gt_stop_displayd(ctx);
	if (ctx->displayd_status != 0) {
		return gt_fail(ctx, "lumen-displayd exited with %d (see %s/displayd.log)",
			ctx->displayd_status, ctx->run_dir);
	}
	return gt_pass(ctx, "lumen-displayd exited with 0 after the tests");
}

static const struct gt_test clean_exit_test = {"display/clean-exit", GT_NEED_DISPLAY,
	"the displayd under test exits cleanly", test_clean_exit};

/* Expected failures */

static int load_expected(const char *path, struct expected **out, size_t *n_out) {
	*out = NULL;
	*n_out = 0;
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "lumen-gpu-test: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	char line[512];
	int lineno = 0;
	struct expected *list = NULL;
	size_t n = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		char *p = line + strspn(line, " \t");
		if (*p == '#' || *p == '\0') {
			continue;
		}
		size_t name_len = strcspn(p, " \t");
		char *reason = p + name_len;
		reason += strspn(reason, " \t");
		if (*reason == '\0') {
			fprintf(stderr, "lumen-gpu-test: %s:%d: '%.*s' says no reason: every expected "
				"failure must say why\n", path, lineno, (int)name_len, p);
			free(list);
			fclose(f);
			return -1;
		}
		struct expected *grown = realloc(list, (n + 1) * sizeof(*list));
		if (!grown) {
			free(list);
			fclose(f);
			return -1;
		}
		list = grown;
		snprintf(list[n].pattern, sizeof(list[n].pattern), "%.*s", (int)name_len, p);
		snprintf(list[n].reason, sizeof(list[n].reason), "%s", reason);
		n++;
	}
	fclose(f);
	*out = list;
	*n_out = n;
	return 0;
}

static bool matches_any(const char *name, const char *patterns) {
	if (!patterns) {
		return true;
	}
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", patterns);
	char *save = NULL;
	for (char *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		if (fnmatch(p, name, 0) == 0) {
			return true;
		}
		/* "egl" alone matches the group */
		size_t len = strlen(p);
		if (!strchr(p, '/') && strncmp(name, p, len) == 0 && name[len] == '/') {
			return true;
		}
	}
	return false;
}

static const char *result_str(const struct run_entry *e) {
	switch (e->result) {
	case GT_PASS:
		return e->expected_fail ? "xpass" : "pass";
	case GT_FAIL:
		return e->expected_fail ? "xfail" : "fail";
	case GT_SKIP:
		return "skip";
	}
	return "?";
}

static bool write_json(const char *path, struct gt_ctx *ctx, struct run_entry *entries,
		size_t n, const struct gpu_caps *caps) {
	struct json_object *root = json_object_new_object();
	if (!root) {
		return false;
	}
	json_object_object_add(root, "device", json_object_new_string(ctx->device));
	int counts[5] = {0}; // pass fail skip xfail xpass
	struct json_object *tests = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		struct json_object *t = json_object_new_object();
		json_object_object_add(t, "name", json_object_new_string(entries[i].test->name));
		json_object_object_add(t, "summary", json_object_new_string(entries[i].test->summary));
		const char *r = result_str(&entries[i]);
		json_object_object_add(t, "result", json_object_new_string(r));
		json_object_object_add(t, "message", json_object_new_string(entries[i].msg));
		if (entries[i].expected_fail) {
			json_object_object_add(t, "expected_failure", json_object_new_string(entries[i].reason));
		}
		json_object_object_add(t, "seconds", json_object_new_double(entries[i].seconds));
		json_object_array_add(tests, t);
		counts[strcmp(r, "pass") == 0 ? 0 : strcmp(r, "fail") == 0 ? 1 : strcmp(r, "skip") == 0 ? 2
			: strcmp(r, "xfail") == 0 ? 3 : 4]++;
	}
	json_object_object_add(root, "tests", tests);
	struct json_object *c = json_object_new_object();
	const char *names[5] = {"pass", "fail", "skip", "xfail", "xpass"};
	for (int i = 0; i < 5; i++) {
		json_object_object_add(c, names[i], json_object_new_int(counts[i]));
	}
	json_object_object_add(root, "counts", c);
	if (caps) {
		json_object_object_add(root, "capabilities", gpu_caps_to_json(caps));
	}
	int ret = json_object_to_file_ext(path, root, JSON_C_TO_STRING_PRETTY);
	json_object_put(root);
	return ret == 0;
}

static double now_s(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char *argv[]) {
	const char *run = NULL, *expected_path = NULL, *json_path = NULL;
	bool list = false, caps_text = false, caps_json = false, debug = false;
	struct gt_ctx ctx = {
		.device = "virtual",
		.kms_fd = -1,
		.render_fd = -1,
		.displayd_status = -1,
	};
	ctx.displayd_path = getenv("LUMEN_DISPLAYD");
	if (!ctx.displayd_path || !ctx.displayd_path[0]) {
		ctx.displayd_path = "lumen-displayd";
	}
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(arg, "--list") == 0) {
			list = true;
		} else if (strcmp(arg, "--caps") == 0) {
			caps_text = true;
		} else if (strcmp(arg, "--caps-json") == 0) {
			caps_json = true;
		} else if (strcmp(arg, "-d") == 0 || strcmp(arg, "--debug") == 0) {
			debug = true;
		} else if (next && strcmp(arg, "--run") == 0) {
			run = next;
			i++;
		} else if (next && strcmp(arg, "--device") == 0) {
			ctx.device = next;
			i++;
		} else if (next && strcmp(arg, "--displayd") == 0) {
			ctx.displayd_path = next;
			i++;
		} else if (next && strcmp(arg, "--socket") == 0) {
			ctx.socket = next;
			i++;
		} else if (next && strcmp(arg, "--expected-failures") == 0) {
			expected_path = next;
			i++;
		} else if (next && strcmp(arg, "--json") == 0) {
			json_path = next;
			i++;
		} else {
			fprintf(stderr, "lumen-gpu-test: unknown or incomplete option '%s'\n", arg);
			usage(stderr);
			return 2;
		}
	}
	ctx.is_virtual = strcmp(ctx.device, "virtual") == 0;
	if (!ctx.is_virtual && ctx.device[0] != '/') {
		fprintf(stderr, "lumen-gpu-test: --device takes a path (/dev/dri/card0) or 'virtual'\n");
		return 2;
	}
	lumen_log_init(debug ? LUMEN_DEBUG : LUMEN_WARN);
	signal(SIGPIPE, SIG_IGN);

	if (caps_text || caps_json) {
		struct gpu_caps caps;
		gpu_caps_collect(&caps, ctx.is_virtual ? NULL : ctx.device);
		if (caps_text) {
			gpu_caps_print(&caps, stdout);
		} else {
			struct json_object *o = gpu_caps_to_json(&caps);
			printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
			json_object_put(o);
		}
		gpu_caps_finish(&caps);
		return 0;
	}

	/* All tests, ordered by what they need: raw KMS before displayd takes the card. */
	const struct gt_test *all[128];
	size_t n_all = 0;
	const struct {
		const struct gt_test *tests;
		size_t n;
	} tables[] = {
		{gt_kms_tests, gt_kms_tests_n},
		{gt_display_tests, gt_display_tests_n},
		{gt_render_tests, gt_render_tests_n},
	};
	for (int need = GT_NEED_KMS; need <= GT_NEED_RENDER; need++) {
		for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
			for (size_t i = 0; i < tables[t].n && n_all < 127; i++) {
				if ((int)tables[t].tests[i].need == need) {
					all[n_all++] = &tables[t].tests[i];
				}
			}
		}
		if (need == GT_NEED_DISPLAY) {
			all[n_all++] = &clean_exit_test;
		}
	}
	if (list) {
		for (size_t i = 0; i < n_all; i++) {
			printf("%-28s %s\n", all[i]->name, all[i]->summary);
		}
		return 0;
	}

	struct expected *expected = NULL;
	size_t n_expected = 0;
	if (expected_path && load_expected(expected_path, &expected, &n_expected) != 0) {
		return 2;
	}
	struct run_entry *entries = calloc(n_all, sizeof(*entries));
	if (!entries) {
		free(expected);
		return 1;
	}
	size_t n = 0;
	for (size_t i = 0; i < n_all; i++) {
		if (matches_any(all[i]->name, run)) {
			entries[n++].test = all[i];
		}
	}
	if (n == 0) {
		fprintf(stderr, "lumen-gpu-test: no test matches '%s'\n", run ? run : "");
		free(entries);
		free(expected);
		return 2;
	}

	/* The capability report first: it says what the results below are about. The card
	 * is closed again before the KMS tests open it as master. */
	struct gpu_caps caps;
	gpu_caps_collect(&caps, ctx.is_virtual ? NULL : ctx.device);
	printf("1..%zu\n", n);
	gt_diag("device %s: kernel driver %s, mesa driver %s; EGL %s; renderer %s",
		ctx.device, caps.have_device ? caps.device.kernel_driver : "none",
		caps.device.mesa_driver, caps.have_egl ? caps.gl_renderer : caps.egl_why, caps.renderer);
	if (expected_path) {
		gt_diag("%zu expected failures from %s", n_expected, expected_path);
	}

	int failed = 0;
	for (size_t i = 0; i < n; i++) {
		struct run_entry *e = &entries[i];
		if (e->test->need != GT_NEED_KMS) {
			gt_release_kms(&ctx);
		}
		ctx.msg[0] = '\0';
		double start = now_s();
		e->result = e->test->run(&ctx);
		e->seconds = now_s() - start;
		snprintf(e->msg, sizeof(e->msg), "%s", ctx.msg);
		for (size_t k = 0; k < n_expected; k++) {
			if (fnmatch(expected[k].pattern, e->test->name, 0) == 0) {
				e->expected_fail = true;
				e->reason = expected[k].reason;
				break;
			}
		}
		/* Newlines would break TAP. */
		for (char *p = e->msg; *p; p++) {
			if (*p == '\n' || *p == '#') {
				*p = *p == '#' ? 'N' : ' ';
			}
		}
		switch (e->result) {
		case GT_PASS:
			if (e->expected_fail) {
				printf("ok %zu - %s # TODO passes, but is listed as failing: %s\n", i + 1,
					e->test->name, e->reason);
				failed++;
			} else {
				printf("ok %zu - %s: %s\n", i + 1, e->test->name, e->msg);
			}
			break;
		case GT_SKIP:
			printf("ok %zu - %s # SKIP %s\n", i + 1, e->test->name, e->msg);
			break;
		case GT_FAIL:
			if (e->expected_fail) {
				printf("not ok %zu - %s: %s # TODO expected: %s\n", i + 1, e->test->name, e->msg,
					e->reason);
			} else {
				printf("not ok %zu - %s: %s\n", i + 1, e->test->name, e->msg);
				failed++;
			}
			break;
		}
		fflush(stdout);
	}
	gt_release_kms(&ctx);
	gt_stop_displayd(&ctx);
	release_render(&ctx);
	if (ctx.run_dir[0]) {
		char path[300];
		snprintf(path, sizeof(path), "%s/displayd.log", ctx.run_dir);
		if (failed == 0) {
			unlink(path);
			snprintf(path, sizeof(path), "%s/display-0.lock", ctx.run_dir);
			unlink(path);
			rmdir(ctx.run_dir);
		} else {
			gt_diag("displayd's log kept in %s/displayd.log", ctx.run_dir);
		}
	}
	if (json_path && !write_json(json_path, &ctx, entries, n, &caps)) {
		fprintf(stderr, "lumen-gpu-test: cannot write %s\n", json_path);
		failed++;
	}
	gpu_caps_finish(&caps);
	free(entries);
	free(expected);
	return failed ? 1 : 0;
}
