/* Keyboard navigation and widget keys without a compositor, checked by state and pixels. */
#include <string.h>
#include "tk-test.h"

int main(void) {
	struct tk_window *win = tk_window_create_offscreen(NULL, 320, 420);
	struct tk_widget *root = tk_box_create(TK_VERTICAL, 8);
	tk_box_set_padding(root, 10);
	struct tk_widget *label = tk_label_create("Not focusable");
	struct tk_widget *button = tk_button_create("Button");
	struct tk_widget *check = tk_check_create("Check", false);
	struct tk_widget *disabled = tk_button_create("Disabled");
	tk_widget_set_disabled(disabled, true);
	struct tk_widget *slider = tk_slider_create(0, 10, 1, 5);
	struct tk_widget *entry = tk_entry_create("Type");
	struct tk_widget *list = tk_list_create();
	tk_list_append(list, "One");
	tk_list_append(list, "Two");
	tk_list_append(list, "Three");
	struct tk_widget *widgets[] = {label, button, check, disabled, slider, entry, list};
	for (size_t i = 0; i < sizeof(widgets) / sizeof(widgets[0]); i++) {
		tk_box_append(root, widgets[i]);
	}
	tk_window_set_root(win, root);
	tk_window_layout(win);

	tk_test_ok(tk_window_get_focus(win) == NULL, "nothing has focus at first");
	tk_test_key(win, XKB_KEY_Tab, "\t", false, false);
	tk_test_ok(tk_window_get_focus(win) == button, "Tab focuses the first focusable widget");
	tk_test_key(win, XKB_KEY_Tab, "\t", false, false);
	tk_test_ok(tk_window_get_focus(win) == check, "Tab moves on to the check box");
	tk_test_key(win, XKB_KEY_Tab, "\t", false, false);
	tk_test_ok(tk_window_get_focus(win) == slider, "Tab skips the disabled button");
	tk_test_key(win, XKB_KEY_ISO_Left_Tab, "", true, false);
	tk_test_ok(tk_window_get_focus(win) == check, "Shift+Tab goes back");

	pixman_image_t *img = tk_window_render_offscreen(win);
	const struct tk_theme *t = &win->own_theme;
	int ring = tk_test_count(img, check->x - 2, check->y - 2, check->width + 4, 2,
		t->focus_ring & 0xffffff);
	tk_test_ok(ring >= check->width, "the focused widget has a visible focus ring (%d px)", ring);
	pixman_image_unref(img);

	tk_test_key(win, XKB_KEY_space, " ", false, false);
	tk_test_ok(tk_toggle_get_active(check), "Space checks the check box");
	tk_test_ok(tk_a11y_node_get_states(tk_widget_get_a11y(check)) & TK_A11Y_STATE_CHECKED,
		"and its accessible state says checked");
	img = tk_window_render_offscreen(win);
	int accent = tk_test_count(img, check->x, check->y, 24, check->height, t->accent & 0xffffff);
	tk_test_ok(accent > 100, "a checked box is drawn filled with the accent colour (%d px)", accent);
	pixman_image_unref(img);
	tk_test_key(win, XKB_KEY_Return, "\r", false, false);
	tk_test_ok(!tk_toggle_get_active(check), "Enter unchecks it");

	tk_test_key(win, XKB_KEY_Tab, "\t", false, false);
	tk_test_key(win, XKB_KEY_Right, "", false, false);
	tk_test_key(win, XKB_KEY_Right, "", false, false);
	tk_test_ok(tk_slider_get_value(slider) == 7, "Right twice moves the slider 5 -> 7 (%g)",
		tk_slider_get_value(slider));
	tk_test_key(win, XKB_KEY_Home, "", false, false);
	tk_test_ok(tk_slider_get_value(slider) == 0, "Home takes it to its minimum");
	tk_test_key(win, XKB_KEY_Left, "", false, false);
	tk_test_ok(tk_slider_get_value(slider) == 0, "and it stays in range");

	tk_test_key(win, XKB_KEY_Tab, "\t", false, false);
	tk_test_ok(tk_window_get_focus(win) == entry, "Tab reaches the entry");
	tk_test_type(win, "hello");
	tk_test_ok(strcmp(tk_entry_get_text(entry), "hello") == 0, "typing fills it (%s)",
		tk_entry_get_text(entry));
	tk_test_key(win, XKB_KEY_Left, "", true, false);
	tk_test_key(win, XKB_KEY_Left, "", true, false);
	tk_test_key(win, XKB_KEY_BackSpace, "\b", false, false);
	tk_test_ok(strcmp(tk_entry_get_text(entry), "hel") == 0,
		"Shift+Left selects and BackSpace deletes the selection (%s)", tk_entry_get_text(entry));
	tk_test_key(win, XKB_KEY_Home, "", false, false);
	tk_test_type(win, ">");
	const char *text;
	size_t caret;
	tk_a11y_node_get_text(tk_widget_get_a11y(entry), &text, &caret, NULL, NULL);
	tk_test_ok(strcmp(text, ">hel") == 0 && caret == 1,
		"Home then typing inserts at the start; the accessible text and caret agree (%s, %zu)",
		text, caret);
	tk_test_key(win, XKB_KEY_Left, "", false, false);
	tk_test_ok(tk_window_get_focus(win) == entry, "arrows inside the entry do not move focus");

	tk_test_key(win, XKB_KEY_Tab, "\t", false, false);
	tk_test_key(win, XKB_KEY_Down, "", false, false);
	tk_test_key(win, XKB_KEY_Down, "", false, false);
	tk_test_ok(tk_list_get_selected(list) == 1, "Down selects rows in the list (%d)",
		tk_list_get_selected(list));
	struct tk_a11y_node *row = tk_a11y_node_get_child(tk_widget_get_a11y(list), 1);
	tk_test_ok(row && (tk_a11y_node_get_states(row) & TK_A11Y_STATE_SELECTED),
		"and the row's node is selected");
	tk_test_key(win, XKB_KEY_End, "", false, false);
	tk_test_ok(tk_list_get_selected(list) == 2, "End selects the last row");

	tk_test_key(win, XKB_KEY_Tab, "\t", false, false);
	tk_test_ok(tk_window_get_focus(win) == button, "Tab wraps around to the first widget");

	tk_test_click(win, check->x + 5, check->y + check->height / 2.0);
	tk_test_ok(tk_toggle_get_active(check) && tk_window_get_focus(win) == check,
		"a click checks the box and focuses it");
	tk_test_click(win, disabled->x + 5, disabled->y + 5);
	tk_test_ok(tk_window_get_focus(win) == check, "a click on a disabled button does nothing");

	tk_window_destroy(win);
	return tk_test_done();
}
