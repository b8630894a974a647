/*
 * lumen-widgets: a gallery of every toolkit widget, for people and for the tests.
 *
 *   lumen-widgets [--theme light|dark|high-contrast] [--scale N] [--a11y-dump FILE]
 *                 [--image PNG] [--layer]
 *
 * --layer shows a small panel on a layer-shell surface along the top of the output
 * instead of the window (the shell's use of the toolkit).
 * --scale is the text scale factor; the output scale comes from the compositor.
 * --a11y-dump rewrites FILE (atomically, as JSON) with the accessible tree after every
 * drawn change, so a test can read what a screen reader would.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include "common/log.h"
#include "toolkit/toolkit.h"

struct gallery {
	struct tk_app *app;
	struct tk_window *window;
	struct tk_widget *status;
	int clicks;
	const char *dump_path;
};

static void set_status(struct gallery *g, const char *fmt, const char *arg) {
	char buf[256];
	snprintf(buf, sizeof(buf), fmt, arg);
	tk_label_set_text(g->status, buf);
}

static void on_click(struct tk_widget *w, void *data) {
	struct gallery *g = data;
	g->clicks++;
	char buf[64];
	snprintf(buf, sizeof(buf), "Pressed %d time%s", g->clicks, g->clicks == 1 ? "" : "s");
	tk_label_set_text(g->status, buf);
}

static void on_toggle(struct tk_widget *w, void *data) {
	set_status(data, "%s", tk_toggle_get_active(w) ? "On" : "Off");
}

static void on_slider(struct tk_widget *w, void *data) {
	char buf[32];
	snprintf(buf, sizeof(buf), "%g", tk_slider_get_value(w));
	set_status(data, "Volume %s", buf);
}

static void on_entry_activate(struct tk_widget *w, void *data) {
	set_status(data, "Entered %s", tk_entry_get_text(w));
}

static void on_list_activate(struct tk_widget *w, void *data) {
	char buf[32];
	snprintf(buf, sizeof(buf), "%d", tk_list_get_selected(w) + 1);
	set_status(data, "Opened item %s", buf);
}

static void on_menu(struct tk_widget *w, void *data) {
	const char *last = tk_menu_button_get_last(w);
	set_status(data, "Menu: %s", last ? last : "");
}

static void write_dump(struct tk_a11y_node *root, void *data) {
	struct gallery *g = data;
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", g->dump_path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		lumen_log_errno(LUMEN_ERROR, "cannot write %s", tmp);
		return;
	}
	bool ok = tk_a11y_dump(root, fd, TK_A11Y_DUMP_JSON);
	close(fd);
	if (!ok || rename(tmp, g->dump_path) < 0) {
		lumen_log_errno(LUMEN_ERROR, "cannot write %s", g->dump_path);
	}
}

static struct tk_widget *build(struct gallery *g, const char *image_path) {
	struct tk_widget *root = tk_box_create(TK_VERTICAL, 8);
	tk_box_set_padding(root, 12);

	struct tk_widget *heading = tk_label_create("Lumen widgets");
	tk_label_set_heading(heading, true);
	tk_box_append(root, heading);

	struct tk_widget *row = tk_box_create(TK_HORIZONTAL, 12);
	struct tk_widget *button = tk_button_create("Press me");
	tk_widget_set_description(button, "Counts the presses");
	tk_button_set_handler(button, on_click, g);
	tk_box_append(row, button);
	g->status = tk_label_create("Ready");
	tk_widget_set_name(g->status, "Status");
	tk_widget_set_expand(g->status, true, false);
	tk_box_append(row, g->status);
	tk_box_append(root, row);

	struct tk_widget *toggle = tk_toggle_create("Wi-Fi", false);
	tk_toggle_set_handler(toggle, on_toggle, g);
	tk_box_append(root, toggle);

	struct tk_widget *check = tk_check_create("Remember me", false);
	tk_toggle_set_handler(check, on_toggle, g);
	tk_box_append(root, check);

	struct tk_widget *slider = tk_slider_create(0, 100, 1, 50);
	tk_widget_set_name(slider, "Volume");
	tk_slider_set_handler(slider, on_slider, g);
	tk_box_append(root, slider);

	struct tk_widget *entry = tk_entry_create("Type here");
	tk_widget_set_name(entry, "Name");
	tk_entry_set_handlers(entry, NULL, on_entry_activate, g);
	tk_box_append(root, entry);

	struct tk_widget *password = tk_entry_create("Password");
	tk_widget_set_name(password, "Password");
	tk_entry_set_password(password, true);
	tk_box_append(root, password);

	struct tk_widget *icons = tk_box_create(TK_HORIZONTAL, 8);
	struct tk_widget *menu = tk_menu_button_create("Menu");
	tk_menu_button_add_item(menu, "Copy", on_menu, g);
	tk_menu_button_add_item(menu, "Paste", on_menu, g);
	tk_menu_button_add_item(menu, "About", on_menu, g);
	tk_box_append(icons, menu);
	static const char *const icon_names[] = {"edit-copy-symbolic", "document-open-symbolic",
		"emblem-favorite-symbolic"};
	for (size_t i = 0; i < sizeof(icon_names) / sizeof(icon_names[0]); i++) {
		struct tk_widget *icon = tk_image_create_icon(icon_names[i], 24);
		if (icon) {
			tk_box_append(icons, icon);
		}
	}
	if (image_path) {
		struct tk_widget *img = tk_image_create_png(image_path, 0);
		if (img) {
			tk_box_append(icons, img);
		}
	}
	tk_box_append(root, icons);

	struct tk_widget *list = tk_list_create();
	tk_widget_set_name(list, "Items");
	for (int i = 1; i <= 12; i++) {
		char buf[32];
		snprintf(buf, sizeof(buf), "Item %d", i);
		tk_list_append(list, buf);
	}
	tk_list_set_handlers(list, NULL, on_list_activate, g);
	struct tk_widget *scroll = tk_scroll_create(list, 140);
	tk_widget_set_expand(scroll, true, true);
	tk_box_append(root, scroll);
	return root;
}

/* SIGTERM and SIGINT end the loop, so that everything is freed on the way out. */
static void on_signal(int fd, short revents, void *data) {
	struct gallery *g = data;
	struct signalfd_siginfo info;
	if (read(fd, &info, sizeof(info)) == (ssize_t)sizeof(info)) {
		tk_app_quit(g->app, 0);
	}
}

static struct tk_widget *build_panel(struct gallery *g) {
	struct tk_widget *row = tk_box_create(TK_HORIZONTAL, 12);
	tk_box_set_padding(row, 6);
	struct tk_widget *button = tk_button_create("Press me");
	tk_button_set_handler(button, on_click, g);
	tk_box_append(row, button);
	g->status = tk_label_create("Panel");
	tk_widget_set_name(g->status, "Status");
	tk_box_append(row, g->status);
	return row;
}

static void usage(FILE *f) {
	fprintf(f, "usage: lumen-widgets [--theme light|dark|high-contrast] [--scale N]\n"
		"                     [--a11y-dump FILE] [--image PNG] [--layer]\n");
}

int main(int argc, char *argv[]) {
	lumen_log_init(LUMEN_WARN);
	struct tk_settings settings;
	tk_settings_init_default(&settings);
	tk_settings_load(&settings);
	struct gallery g = {0};
	const char *image = NULL;
	bool layer = false;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(arg, "--theme") == 0 && val) {
			if (!tk_theme_kind_from_string(val, &settings.theme)) {
				fprintf(stderr, "lumen-widgets: unknown theme '%s'\n", val);
				return 2;
			}
			i++;
		} else if (strcmp(arg, "--scale") == 0 && val) {
			char *end = NULL;
			errno = 0;
			double s = strtod(val, &end);
			if (errno || end == val || *end || !(s >= 0.5 && s <= 4)) {
				fprintf(stderr, "lumen-widgets: --scale wants a number from 0.5 to 4\n");
				return 2;
			}
			settings.text_scale = s;
			i++;
		} else if (strcmp(arg, "--a11y-dump") == 0 && val) {
			g.dump_path = val;
			i++;
		} else if (strcmp(arg, "--layer") == 0) {
			layer = true;
		} else if (strcmp(arg, "--image") == 0 && val) {
			image = val;
			i++;
		} else {
			usage(stderr);
			return 2;
		}
	}
	g.app = tk_app_create(&settings);
	if (!g.app) {
		return 1;
	}
	if (layer) {
		g.window = tk_window_create_layer(g.app, TK_LAYER_TOP,
			TK_ANCHOR_TOP | TK_ANCHOR_LEFT | TK_ANCHOR_RIGHT, 0, 48, 48, "lumen-widgets");
		if (!g.window) {
			fprintf(stderr, "lumen-widgets: the compositor has no layer shell\n");
			tk_app_destroy(g.app);
			return 1;
		}
		tk_window_set_root(g.window, build_panel(&g));
	} else {
		g.window = tk_window_create_toplevel(g.app, "Lumen widgets", "lumen-widgets");
		tk_window_set_root(g.window, build(&g, image));
	}
	if (g.dump_path) {
		tk_window_set_a11y_handler(g.window, write_dump, &g);
	}
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	struct tk_fd_watch *watch = sfd >= 0 ? tk_fd_watch_add(g.app, sfd, POLLIN, on_signal, &g) : NULL;
	printf("ready\n");
	fflush(stdout);
	int status = tk_app_run(g.app);
	tk_fd_watch_remove(watch);
	tk_app_destroy(g.app);
	if (sfd >= 0) {
		close(sfd);
	}
	return status;
}
