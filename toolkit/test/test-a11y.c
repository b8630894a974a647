/* The accessible tree: roles, names, values, states, actions, and the dump. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tk-test.h"

static char *dump(struct tk_window *win, enum tk_a11y_dump_format fmt) {
	char path[] = "/tmp/tk-a11y-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0) {
		return NULL;
	}
	unlink(path);
	tk_a11y_dump(tk_window_get_a11y(win), fd, fmt);
	off_t len = lseek(fd, 0, SEEK_END);
	char *buf = calloc(1, (size_t)len + 1);
	if (buf && pread(fd, buf, (size_t)len, 0) != len) {
		buf[0] = '\0';
	}
	close(fd);
	return buf;
}

int main(void) {
	struct tk_window *win = tk_window_create_offscreen(NULL, 300, 300);
	struct tk_widget *box = tk_box_create(TK_VERTICAL, 4);
	struct tk_widget *check = tk_check_create("Remember me", false);
	struct tk_widget *slider = tk_slider_create(0, 100, 5, 50);
	tk_widget_set_name(slider, "Volume");
	struct tk_widget *pw = tk_entry_create("Password");
	tk_entry_set_password(pw, true);
	tk_box_append(box, check);
	tk_box_append(box, slider);
	tk_box_append(box, pw);
	tk_window_set_root(win, box);
	tk_window_set_title(win, "Test window");
	tk_window_layout(win);

	struct tk_a11y_node *root = tk_window_get_a11y(win);
	tk_test_ok(tk_a11y_node_get_role(root) == TK_A11Y_ROLE_WINDOW &&
		strcmp(tk_a11y_node_get_name(root), "Test window") == 0, "the root is the window, named");
	struct tk_a11y_node *panel = tk_a11y_node_get_child(root, 0);
	tk_test_ok(panel && tk_a11y_node_get_child_count(panel) == 3, "the box has three children");
	struct tk_a11y_node *n = tk_widget_get_a11y(check);
	tk_test_ok(tk_a11y_node_get_parent(n) == panel, "parents link back");
	tk_test_ok(tk_a11y_node_get_role(n) == TK_A11Y_ROLE_CHECK_BOX &&
		strcmp(tk_a11y_node_get_name(n), "Remember me") == 0, "a check box is named by its label");
	tk_test_ok(tk_a11y_node_do_action(n, "toggle") && tk_toggle_get_active(check),
		"its toggle action checks it");
	tk_test_ok(!tk_a11y_node_do_action(n, "explode"), "an unknown action is refused");
	struct tk_a11y_rect r;
	tk_a11y_node_get_bounds(n, &r);
	tk_test_ok(r.x == check->x && r.width == check->width && r.height > 0, "bounds are the widget's");

	double v, lo, hi;
	struct tk_a11y_node *sn = tk_widget_get_a11y(slider);
	tk_test_ok(tk_a11y_node_get_value(sn, &v, &lo, &hi) && v == 50 && lo == 0 && hi == 100,
		"a slider has value, min and max");
	tk_a11y_node_do_action(sn, "increment");
	tk_test_ok(tk_slider_get_value(slider) == 55, "increment steps it (55)");

	tk_window_set_focus(win, pw);
	tk_test_type(win, "secret");
	struct tk_a11y_node *pn = tk_widget_get_a11y(pw);
	const char *text;
	tk_a11y_node_get_text(pn, &text, NULL, NULL, NULL);
	tk_test_ok(strcmp(tk_entry_get_text(pw), "secret") == 0 && strstr(text, "secret") == NULL &&
		strlen(text) == 6 * 3, "a password entry exposes bullets, never its text");
	tk_test_ok(tk_a11y_node_get_role(pn) == TK_A11Y_ROLE_PASSWORD_TEXT &&
		(tk_a11y_node_get_states(pn) & TK_A11Y_STATE_PASSWORD) &&
		(tk_a11y_node_get_states(pn) & TK_A11Y_STATE_FOCUSED), "its role and states say so");

	/* An assistive technology moves the caret and selects, in the offsets it reads. */
	size_t caret, ss, se;
	tk_test_ok(tk_a11y_node_set_selection(pn, 3, 3 * 4) &&
		tk_a11y_node_get_text(pn, NULL, &caret, &ss, &se) && caret == 12 && ss == 3 &&
		se == 12, "a password entry takes a selection in bullets (3..12)");
	tk_test_ok(!tk_a11y_node_set_selection(pn, 1, 3) && !tk_a11y_node_set_selection(pn, 0, 99),
		"inside a bullet or past the end is refused");
	struct tk_widget *plain = tk_entry_create("Name");
	tk_box_append(box, plain);
	tk_entry_set_text(plain, "h\xc3\xa9llo");
	struct tk_a11y_node *en = tk_widget_get_a11y(plain);
	tk_test_ok(tk_a11y_node_set_selection(en, 1, 1) &&
		tk_a11y_node_get_text(en, NULL, &caret, &ss, &se) && caret == 1 && ss == 1 && se == 1,
		"an entry's caret moves to offset 1");
	tk_test_ok(!tk_a11y_node_set_selection(en, 2, 2), "not inside a UTF-8 character");
	tk_window_set_focus(win, plain);
	tk_test_type(win, "X");
	tk_test_ok(strcmp(tk_entry_get_text(plain), "hX\xc3\xa9llo") == 0,
		"typing goes in where the caret was put (%s)", tk_entry_get_text(plain));
	tk_test_ok(tk_a11y_node_set_selection(en, 0, 2) && (tk_test_type(win, "Y"), 1) &&
		strcmp(tk_entry_get_text(plain), "Y\xc3\xa9llo") == 0,
		"a selection made so is replaced by what is typed");
	tk_test_ok(!tk_a11y_node_set_selection(n, 0, 0), "a check box has no caret");

	char *json = dump(win, TK_A11Y_DUMP_JSON);
	tk_test_ok(json && strstr(json, "\"role\":\"check-box\"") && strstr(json, "\"checked\"") &&
		strstr(json, "\"value\":55") && !strstr(json, "secret"),
		"the JSON dump names roles, states and values, and no password");
	free(json);
	char *txt = dump(win, TK_A11Y_DUMP_TEXT);
	tk_test_ok(txt && strstr(txt, "  panel") && strstr(txt, "    slider \"Volume\" value=55"),
		"the text dump indents by depth");
	free(txt);

	tk_widget_set_disabled(check, true);
	tk_test_ok((tk_a11y_node_get_states(n) & TK_A11Y_STATE_DISABLED) &&
		!tk_a11y_node_do_action(n, "toggle"), "a disabled widget says so and refuses actions");

	tk_window_destroy(win);
	return tk_test_done();
}
