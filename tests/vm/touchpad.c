/*
 * lumen-vm-touchpad: a multitouch touchpad made through the kernel's uinput (libevdev's
 * uinput helper), for input-devices-vm.sh's guest. libinput takes it as a real touchpad
 * (INPUT_PROP_POINTER, BTN_TOOL_FINGER/DOUBLETAP, ABS_MT_* with resolutions), so its
 * settings (tap, natural scroll, left-handed, acceleration) are libinput's own.
 * With --tablet it is a drawing tablet's pen instead (BTN_TOOL_PEN, BTN_TOUCH,
 * BTN_STYLUS, ABS_X/Y, ABS_PRESSURE, ABS_DISTANCE; a 200 x 125 mm area).
 *
 * Reads commands from stdin, one a line, and answers "done COMMAND" on stdout after each:
 *   tap                one finger down and up in the middle (30 ms)
 *   move DX DY         one finger moves DX, DY pad units (40 a millimetre) in 10 steps
 *   scroll DY          two fingers move DY units together (vertical two-finger scroll)
 *   click              the pad's left button, pressed and released
 * and with --tablet (X, Y in 0..20000, 0..12500; pressure P in 0..2047):
 *   pen-in X Y         the pen comes into proximity, hovering
 *   pen-move X Y       it moves (in 5 steps)
 *   pen-down P         the tip touches with pressure P
 *   pen-up, pen-out    it lifts, it leaves
 * Prints "touchpad /dev/input/eventN" (or "tablet ...") once the device exists. Exits at
 * end of input; the device goes with it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <libevdev/libevdev-uinput.h>
#include <libevdev/libevdev.h>
#include <linux/input.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAD_W 4000
#define PAD_H 2500
#define PAD_RES 40 // units per millimetre: a 100 x 62.5 mm pad
#define STEPS 10
#define TAB_W 20000
#define TAB_H 12500
#define TAB_RES 100
#define TAB_PRESSURE 2047

static struct libevdev_uinput *uidev;
static int tracking_id;

static void sleep_ms(long ms) {
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
	}
}

static void emit(unsigned type, unsigned code, int value) {
	int err = libevdev_uinput_write_event(uidev, type, code, value);
	if (err < 0) {
		fprintf(stderr, "lumen-vm-touchpad: write: %s\n", strerror(-err));
		exit(1);
	}
}

static void syn(void) {
	emit(EV_SYN, SYN_REPORT, 0);
}

/* Fingers 0..n-1 at (x[i], y); BTN_TOOL_* says how many. */
static void fingers_down(int n, const int *x, int y) {
	for (int i = 0; i < n; i++) {
		emit(EV_ABS, ABS_MT_SLOT, i);
		emit(EV_ABS, ABS_MT_TRACKING_ID, tracking_id++ & 0xffff);
		emit(EV_ABS, ABS_MT_POSITION_X, x[i]);
		emit(EV_ABS, ABS_MT_POSITION_Y, y);
	}
	emit(EV_KEY, BTN_TOUCH, 1);
	emit(EV_KEY, n == 1 ? BTN_TOOL_FINGER : BTN_TOOL_DOUBLETAP, 1);
	emit(EV_ABS, ABS_X, x[0]);
	emit(EV_ABS, ABS_Y, y);
	syn();
}

static void fingers_move(int n, const int *x, int y) {
	for (int i = 0; i < n; i++) {
		emit(EV_ABS, ABS_MT_SLOT, i);
		emit(EV_ABS, ABS_MT_POSITION_X, x[i]);
		emit(EV_ABS, ABS_MT_POSITION_Y, y);
	}
	emit(EV_ABS, ABS_X, x[0]);
	emit(EV_ABS, ABS_Y, y);
	syn();
}

static void fingers_up(int n) {
	for (int i = 0; i < n; i++) {
		emit(EV_ABS, ABS_MT_SLOT, i);
		emit(EV_ABS, ABS_MT_TRACKING_ID, -1);
	}
	emit(EV_KEY, BTN_TOUCH, 0);
	emit(EV_KEY, n == 1 ? BTN_TOOL_FINGER : BTN_TOOL_DOUBLETAP, 0);
	syn();
}

static void stroke(int n, int dx, int dy) {
	int x[2] = {PAD_W / 2 - (n - 1) * 400, PAD_W / 2 + 400};
	int y = PAD_H / 2 - dy / 2;
	int x0[2] = {x[0] - dx / 2, x[1] - dx / 2};
	fingers_down(n, x0, y);
	sleep_ms(20);
	for (int s = 1; s <= STEPS; s++) {
		int xs[2] = {x0[0] + dx * s / STEPS, x0[1] + dx * s / STEPS};
		fingers_move(n, xs, y + dy * s / STEPS);
		sleep_ms(12);
	}
	sleep_ms(20);
	fingers_up(n);
}

static struct libevdev *make_tablet(void) {
	struct libevdev *dev = libevdev_new();
	if (!dev) {
		return NULL;
	}
	libevdev_set_name(dev, "Lumen Test Tablet Pen");
	libevdev_set_id_bustype(dev, BUS_USB);
	libevdev_set_id_vendor(dev, 0x1234);
	libevdev_set_id_product(dev, 0x5678);
	libevdev_enable_property(dev, INPUT_PROP_POINTER);
	libevdev_enable_event_type(dev, EV_KEY);
	static const unsigned keys[] = {BTN_TOOL_PEN, BTN_TOUCH, BTN_STYLUS, BTN_STYLUS2};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		libevdev_enable_event_code(dev, EV_KEY, keys[i], NULL);
	}
	libevdev_enable_event_type(dev, EV_ABS);
	struct input_absinfo x = {.minimum = 0, .maximum = TAB_W, .resolution = TAB_RES};
	struct input_absinfo y = {.minimum = 0, .maximum = TAB_H, .resolution = TAB_RES};
	struct input_absinfo pressure = {.minimum = 0, .maximum = TAB_PRESSURE};
	struct input_absinfo distance = {.minimum = 0, .maximum = 63};
	libevdev_enable_event_code(dev, EV_ABS, ABS_X, &x);
	libevdev_enable_event_code(dev, EV_ABS, ABS_Y, &y);
	libevdev_enable_event_code(dev, EV_ABS, ABS_PRESSURE, &pressure);
	libevdev_enable_event_code(dev, EV_ABS, ABS_DISTANCE, &distance);
	libevdev_enable_event_type(dev, EV_MSC);
	libevdev_enable_event_code(dev, EV_MSC, MSC_SERIAL, NULL);
	return dev;
}

static int pen_x, pen_y;

/* A tablet command; false if it is none. */
static bool tablet_command(const char *line) {
	int a = 0, b = 0;
	char extra;
	if (sscanf(line, "pen-in %d %d %c", &a, &b, &extra) == 2) {
		pen_x = a;
		pen_y = b;
		emit(EV_KEY, BTN_TOOL_PEN, 1);
		emit(EV_ABS, ABS_X, a);
		emit(EV_ABS, ABS_Y, b);
		emit(EV_ABS, ABS_DISTANCE, 20);
		syn();
	} else if (sscanf(line, "pen-move %d %d %c", &a, &b, &extra) == 2) {
		for (int s = 1; s <= 5; s++) {
			emit(EV_ABS, ABS_X, pen_x + (a - pen_x) * s / 5);
			emit(EV_ABS, ABS_Y, pen_y + (b - pen_y) * s / 5);
			syn();
			sleep_ms(12);
		}
		pen_x = a;
		pen_y = b;
	} else if (sscanf(line, "pen-down %d %c", &a, &extra) == 1) {
		emit(EV_ABS, ABS_DISTANCE, 0);
		emit(EV_ABS, ABS_PRESSURE, a);
		emit(EV_KEY, BTN_TOUCH, 1);
		syn();
	} else if (strcmp(line, "pen-up") == 0) {
		emit(EV_ABS, ABS_PRESSURE, 0);
		emit(EV_ABS, ABS_DISTANCE, 10);
		emit(EV_KEY, BTN_TOUCH, 0);
		syn();
	} else if (strcmp(line, "pen-out") == 0) {
		emit(EV_ABS, ABS_DISTANCE, 0);
		emit(EV_KEY, BTN_TOOL_PEN, 0);
		syn();
	} else {
		return false;
	}
	return true;
}

static struct libevdev *make_device(void) {
	struct libevdev *dev = libevdev_new();
	if (!dev) {
		return NULL;
	}
	libevdev_set_name(dev, "Lumen Test Touchpad");
	libevdev_set_id_bustype(dev, BUS_I8042);
	libevdev_set_id_vendor(dev, 0x2);
	libevdev_set_id_product(dev, 0x7);
	libevdev_enable_property(dev, INPUT_PROP_POINTER);
	libevdev_enable_event_type(dev, EV_KEY);
	static const unsigned keys[] = {BTN_LEFT, BTN_RIGHT, BTN_TOUCH, BTN_TOOL_FINGER,
		BTN_TOOL_DOUBLETAP};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		libevdev_enable_event_code(dev, EV_KEY, keys[i], NULL);
	}
	libevdev_enable_event_type(dev, EV_ABS);
	struct input_absinfo x = {.minimum = 0, .maximum = PAD_W - 1, .resolution = PAD_RES};
	struct input_absinfo y = {.minimum = 0, .maximum = PAD_H - 1, .resolution = PAD_RES};
	struct input_absinfo slot = {.minimum = 0, .maximum = 1};
	struct input_absinfo id = {.minimum = 0, .maximum = 0xffff};
	libevdev_enable_event_code(dev, EV_ABS, ABS_X, &x);
	libevdev_enable_event_code(dev, EV_ABS, ABS_Y, &y);
	libevdev_enable_event_code(dev, EV_ABS, ABS_MT_SLOT, &slot);
	libevdev_enable_event_code(dev, EV_ABS, ABS_MT_TRACKING_ID, &id);
	libevdev_enable_event_code(dev, EV_ABS, ABS_MT_POSITION_X, &x);
	libevdev_enable_event_code(dev, EV_ABS, ABS_MT_POSITION_Y, &y);
	return dev;
}

int main(int argc, char *argv[]) {
	bool tablet = argc > 1 && strcmp(argv[1], "--tablet") == 0;
	struct libevdev *dev = tablet ? make_tablet() : make_device();
	if (!dev) {
		fprintf(stderr, "lumen-vm-touchpad: out of memory\n");
		return 1;
	}
	int err = libevdev_uinput_create_from_device(dev, LIBEVDEV_UINPUT_OPEN_MANAGED, &uidev);
	if (err < 0) {
		fprintf(stderr, "lumen-vm-touchpad: uinput: %s\n", strerror(-err));
		libevdev_free(dev);
		return 1;
	}
	const char *node = libevdev_uinput_get_devnode(uidev);
	printf("%s %s\n", tablet ? "tablet" : "touchpad", node ? node : "?");
	fflush(stdout);
	char line[128];
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		int a = 0, b = 0;
		char extra;
		if (tablet && tablet_command(line)) {
			// done below
		} else if (strcmp(line, "tap") == 0) {
			int x = PAD_W / 2;
			fingers_down(1, &x, PAD_H / 2);
			sleep_ms(30);
			fingers_up(1);
		} else if (sscanf(line, "move %d %d %c", &a, &b, &extra) == 2) {
			stroke(1, a, b);
		} else if (sscanf(line, "scroll %d %c", &a, &extra) == 1) {
			stroke(2, 0, a);
		} else if (strcmp(line, "click") == 0) {
			emit(EV_KEY, BTN_LEFT, 1);
			syn();
			sleep_ms(50);
			emit(EV_KEY, BTN_LEFT, 0);
			syn();
		} else if (line[0] != '\0') {
			printf("unknown %s\n", line);
			fflush(stdout);
			continue;
		}
		printf("done %s\n", line);
		fflush(stdout);
	}
	libevdev_uinput_destroy(uidev);
	libevdev_free(dev);
	return 0;
}
