/* The settings file and the themes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tk-test.h"

static int parse(struct tk_settings *s, const char *text) {
	return tk_settings_parse(s, "test.ini", text, strlen(text));
}

int main(void) {
	struct tk_settings s;
	tk_settings_init_default(&s);
	tk_test_ok(s.theme == TK_THEME_LIGHT && s.text_scale == 1, "defaults: light, text scale 1");

	int bad = parse(&s, "# comment\n[appearance]\ntheme = dark\ntext_scale = 1.5\nfont = DejaVu Sans\n");
	tk_test_ok(bad == 0 && s.theme == TK_THEME_DARK && s.text_scale == 1.5 &&
		strcmp(s.font, "DejaVu Sans") == 0, "a good file applies (%d bad lines)", bad);

	tk_settings_init_default(&s);
	bad = parse(&s, "[appearance]\ntheme = purple\nthis is not a pair\ntext_scale = 9\n"
		"text_scale = 2\n[other]\nx = 1\nfont_size = 16\n[appearance]\nfont_size = 18\n");
	tk_test_ok(bad == 5, "each bad line is counted: unknown theme, no '=', out of range, "
		"two in an unknown section (%d)", bad);
	tk_test_ok(s.theme == TK_THEME_LIGHT && s.text_scale == 2 && s.font_size == 18,
		"and the good lines around them still apply (scale %g, size %g)", s.text_scale, s.font_size);

	tk_settings_init_default(&s);
	bad = parse(&s, "[appearance]\n[broken\ntheme = high-contrast\n");
	tk_test_ok(bad == 1 && s.theme == TK_THEME_HIGH_CONTRAST,
		"a broken section header is reported (%d)", bad);

	/* The file itself, from $XDG_CONFIG_HOME/lumen/toolkit.ini. */
	char dir[] = "/tmp/tk-settings-XXXXXX", sub[64], path[96];
	if (mkdtemp(dir)) {
		snprintf(sub, sizeof(sub), "%s/lumen", dir);
		snprintf(path, sizeof(path), "%s/toolkit.ini", sub);
		mkdir(sub, 0700);
		FILE *f = fopen(path, "w");
		if (f) {
			fputs("[appearance]\ntheme = dark\nbogus\ntext_scale = 1.25\n", f);
			fclose(f);
		}
		setenv("XDG_CONFIG_HOME", dir, 1);
		tk_settings_init_default(&s);
		bad = tk_settings_load(&s);
		tk_test_ok(bad == 1 && s.theme == TK_THEME_DARK && s.text_scale == 1.25,
			"toolkit.ini is read from $XDG_CONFIG_HOME/lumen (%d bad line)", bad);
		unlink(path);
		rmdir(sub);
		rmdir(dir);
		tk_settings_init_default(&s);
		tk_test_ok(tk_settings_load(&s) == 0 && s.theme == TK_THEME_LIGHT,
			"a missing file leaves the defaults");
	}

	enum tk_theme_kind k;
	tk_test_ok(tk_theme_kind_from_string("high-contrast", &k) && k == TK_THEME_HIGH_CONTRAST &&
		!tk_theme_kind_from_string("neon", &k), "theme names parse");

	/* The same widgets under each theme: the pixels differ. */
	uint32_t firsts[3];
	int distinct_light = 0;
	pixman_image_t *imgs[3];
	for (int i = 0; i < 3; i++) {
		struct tk_settings ts;
		tk_settings_init_default(&ts);
		ts.theme = (enum tk_theme_kind)i;
		struct tk_window *win = tk_window_create_offscreen(&ts, 200, 100);
		struct tk_widget *box = tk_box_create(TK_VERTICAL, 4);
		tk_box_append(box, tk_button_create("Button"));
		tk_box_append(box, tk_check_create("Check", true));
		tk_window_set_root(win, box);
		imgs[i] = tk_window_render_offscreen(win);
		firsts[i] = pixman_image_get_data(imgs[i])[99 * 200 + 199] & 0xffffff;
		struct tk_theme t;
		tk_theme_init(&t, (enum tk_theme_kind)i);
		tk_test_ok(firsts[i] == (t.window_bg & 0xffffff),
			"%s: the background is the theme's (%06x)", tk_theme_kind_to_string(t.kind), firsts[i]);
		tk_window_destroy(win);
	}
	tk_test_ok(firsts[0] != firsts[1], "light and dark differ");
	int border = tk_test_count(imgs[2], 0, 0, 200, 100, 0x000000);
	distinct_light = tk_test_count(imgs[0], 0, 0, 200, 100, 0x000000);
	tk_test_ok(border > distinct_light + 100,
		"high contrast draws black borders and text where light does not (%d vs %d px)", border,
		distinct_light);
	for (int i = 0; i < 3; i++) {
		pixman_image_unref(imgs[i]);
	}

	/* Text scale: a label grows. */
	struct tk_settings big;
	tk_settings_init_default(&big);
	big.text_scale = 2;
	struct tk_window *w1 = tk_window_create_offscreen(NULL, 100, 50);
	struct tk_window *w2 = tk_window_create_offscreen(&big, 100, 50);
	struct tk_widget *l1 = tk_label_create("Scale"), *l2 = tk_label_create("Scale");
	tk_window_set_root(w1, l1);
	tk_window_set_root(w2, l2);
	int a, b, c, d;
	tk_widget_measure(l1, &a, &b);
	tk_widget_measure(l2, &c, &d);
	tk_test_ok(c > a * 3 / 2 && d > b * 3 / 2, "text scale 2 makes text about twice as large "
		"(%dx%d -> %dx%d)", a, b, c, d);
	tk_window_destroy(w1);
	tk_window_destroy(w2);
	return tk_test_done();
}
