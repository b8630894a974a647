#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <wayland-client.h>
#include <xkbcommon/xkbcommon.h>
#include "common/alloc.h"
#include "common/fd.h"
#include "tc-common.h"

static const char *program_name = "lumen-test-client";

void tc_set_program_name(const char *name) {
	const char *slash = strrchr(name, '/');
	program_name = slash ? slash + 1 : name;
}

const char *tc_program_name(void) {
	return program_name;
}

void tc_die(const char *fmt, ...) {
	/* stdout may be a pipe a test reads; make what was printed so far reach it first. */
	fflush(stdout);
	va_list args;
	va_start(args, fmt);
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, args);
	va_end(args);
	fprintf(stderr, "%s: %s\n", program_name, msg);
	exit(1);
}

bool tc_parse_long(const char *s, long min, long max, long *out) {
	if (!s || !*s) {
		return false;
	}
	char *end = NULL;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max) {
		return false;
	}
	*out = v;
	return true;
}

bool tc_parse_color(const char *s, uint32_t *argb) {
	if (!s) {
		return false;
	}
	if (s[0] == '#') {
		s++;
	}
	if (strlen(s) != 6) {
		return false;
	}
	uint32_t v = 0;
	for (int i = 0; i < 6; i++) {
		char c = s[i];
		uint32_t d;
		if (c >= '0' && c <= '9') {
			d = (uint32_t)(c - '0');
		} else if (c >= 'a' && c <= 'f') {
			d = (uint32_t)(c - 'a' + 10);
		} else if (c >= 'A' && c <= 'F') {
			d = (uint32_t)(c - 'A' + 10);
		} else {
			return false;
		}
		v = (v << 4) | d;
	}
	*argb = 0xff000000u | v;
	return true;
}

bool tc_parse_size(const char *s, int *width, int *height) {
	if (!s) {
		return false;
	}
	const char *x = strchr(s, 'x');
	if (!x || x == s || (size_t)(x - s) >= 16) {
		return false;
	}
	char w_str[16];
	snprintf(w_str, sizeof(w_str), "%.*s", (int)(x - s), s);
	long w, h;
	if (!tc_parse_long(w_str, 0, 16384, &w) || !tc_parse_long(x + 1, 0, 16384, &h)) {
		return false;
	}
	*width = (int)w;
	*height = (int)h;
	return true;
}

int64_t tc_now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

uint32_t tc_now_ms(void) {
	return (uint32_t)(tc_now_ns() / 1000000);
}

void *tc_bind(struct wl_registry *registry, uint32_t name, const struct wl_interface *iface,
		uint32_t offered, uint32_t wanted) {
	uint32_t version = offered < wanted ? offered : wanted;
	return wl_registry_bind(registry, name, iface, version);
}

static volatile sig_atomic_t got_signal;
static sigset_t wait_mask; // what ppoll unblocks while it waits

static void handle_signal(int sig) {
	got_signal = 1;
}

void tc_signals_init(void) {
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &wait_mask);
	sigdelset(&wait_mask, SIGINT);
	sigdelset(&wait_mask, SIGTERM);
	struct sigaction sa = {.sa_handler = handle_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* A test that stops reading our stdout must not kill us before we clean up. */
	signal(SIGPIPE, SIG_IGN);
}

bool tc_signalled(void) {
	return got_signal != 0;
}

bool tc_dispatch(struct wl_display *display, int timeout_ms, int watch_fd, bool *watch_ready) {
	while (wl_display_prepare_read(display) != 0) {
		if (wl_display_dispatch_pending(display) < 0) {
			return false;
		}
	}
	if (wl_display_flush(display) < 0 && errno != EAGAIN) {
		wl_display_cancel_read(display);
		return false;
	}
	if (got_signal) {
		wl_display_cancel_read(display);
		return true;
	}
	struct pollfd fds[2] = {
		{.fd = wl_display_get_fd(display), .events = POLLIN},
		{.fd = watch_fd, .events = POLLIN},
	};
	nfds_t nfds = watch_fd >= 0 ? 2 : 1;
	struct timespec ts = {
		.tv_sec = timeout_ms / 1000,
		.tv_nsec = (long)(timeout_ms % 1000) * 1000000,
	};
	int ret = ppoll(fds, nfds, timeout_ms >= 0 ? &ts : NULL, &wait_mask);
	if (ret < 0) {
		wl_display_cancel_read(display);
		return errno == EINTR;
	}
	if (fds[0].revents & POLLIN) {
		if (wl_display_read_events(display) < 0) {
			return false;
		}
	} else {
		wl_display_cancel_read(display);
		if (fds[0].revents & (POLLERR | POLLHUP)) {
			return false;
		}
	}
	if (nfds == 2 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) && watch_ready) {
		*watch_ready = true;
	}
	return wl_display_dispatch_pending(display) >= 0;
}

void tc_die_disconnected(struct wl_display *display) {
	int err = wl_display_get_error(display);
	if (err == EPROTO) {
		const struct wl_interface *iface = NULL;
		uint32_t id = 0;
		uint32_t code = wl_display_get_protocol_error(display, &iface, &id);
		tc_die("protocol error %u on %s@%u", code, iface ? iface->name : "?", id);
	}
	tc_die("connection to the compositor lost: %s", err ? strerror(err) : "hung up");
}

struct wl_display *tc_connect(void) {
	struct wl_display *display = wl_display_connect(NULL);
	if (!display) {
		const char *name = getenv("WAYLAND_DISPLAY");
		tc_die("cannot connect to Wayland display %s (XDG_RUNTIME_DIR=%s): %s",
			name ? name : "wayland-0 (WAYLAND_DISPLAY unset)",
			getenv("XDG_RUNTIME_DIR") ? getenv("XDG_RUNTIME_DIR") : "unset",
			strerror(errno));
	}
	return display;
}

static void buffer_handle_release(void *data, struct wl_buffer *wl_buffer) {
	struct tc_buffer *buf = data;
	buf->busy = false;
}

static const struct wl_buffer_listener buffer_listener = {
	.release = buffer_handle_release,
};

struct tc_buffer *tc_buffer_create(struct wl_shm *shm, int width, int height) {
	if (width <= 0 || height <= 0 || width > 16384 || height > 16384) {
		fprintf(stderr, "%s: refusing a %dx%d buffer\n", program_name, width, height);
		return NULL;
	}
	int stride = width * 4;
	size_t size = (size_t)stride * (size_t)height;
	int fd = lumen_shm_create(size);
	if (fd < 0) {
		fprintf(stderr, "%s: cannot create shm file of %zu bytes: %s\n", program_name,
			size, strerror(errno));
		return NULL;
	}
	void *data = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (data == MAP_FAILED) {
		fprintf(stderr, "%s: mmap: %s\n", program_name, strerror(errno));
		close(fd);
		return NULL;
	}
	struct wl_shm_pool *pool = wl_shm_create_pool(shm, fd, (int32_t)size);
	struct wl_buffer *wl_buffer = wl_shm_pool_create_buffer(pool, 0, width, height, stride,
		WL_SHM_FORMAT_XRGB8888);
	/* The buffer keeps the pool's memory alive; neither the pool nor the fd is needed. */
	wl_shm_pool_destroy(pool);
	close(fd);

	struct tc_buffer *buf = lumen_xcalloc(1, sizeof(*buf));
	buf->wl_buffer = wl_buffer;
	buf->data = data;
	buf->width = width;
	buf->height = height;
	buf->stride = stride;
	buf->size = size;
	wl_buffer_add_listener(wl_buffer, &buffer_listener, buf);
	return buf;
}

void tc_buffer_destroy(struct tc_buffer *buf) {
	if (!buf) {
		return;
	}
	wl_buffer_destroy(buf->wl_buffer);
	munmap(buf->data, buf->size);
	free(buf);
}

void tc_buffer_fill_rect(struct tc_buffer *buf, int x, int y, int width, int height,
		uint32_t argb) {
	int x0 = x < 0 ? 0 : x;
	int y0 = y < 0 ? 0 : y;
	int x1 = x + width > buf->width ? buf->width : x + width;
	int y1 = y + height > buf->height ? buf->height : y + height;
	for (int row = y0; row < y1; row++) {
		uint32_t *p = (uint32_t *)((uint8_t *)buf->data + (size_t)row * (size_t)buf->stride);
		for (int col = x0; col < x1; col++) {
			p[col] = argb;
		}
	}
}

struct tc_buffer *tc_pool_next(struct tc_pool *pool, int width, int height) {
	/* Buffers of a stale size are dropped once released; a busy one stays till then. */
	for (int i = 0; i < TC_POOL_MAX; i++) {
		struct tc_buffer *buf = pool->buffers[i];
		if (buf && !buf->busy && (buf->width != width || buf->height != height)) {
			tc_buffer_destroy(buf);
			pool->buffers[i] = NULL;
		}
	}
	for (int i = 0; i < TC_POOL_MAX; i++) {
		struct tc_buffer *buf = pool->buffers[i];
		if (buf && !buf->busy) {
			return buf;
		}
	}
	for (int i = 0; i < TC_POOL_MAX; i++) {
		if (!pool->buffers[i]) {
			pool->buffers[i] = tc_buffer_create(pool->shm, width, height);
			return pool->buffers[i];
		}
	}
	return NULL;
}

void tc_pool_finish(struct tc_pool *pool) {
	for (int i = 0; i < TC_POOL_MAX; i++) {
		tc_buffer_destroy(pool->buffers[i]);
		pool->buffers[i] = NULL;
	}
}

/* Seat */

static void text_append(struct tc_seat *seat, const char *s, size_t len) {
	if (seat->text_len + len + 1 > seat->text_cap) {
		size_t cap = seat->text_cap ? seat->text_cap * 2 : 64;
		while (cap < seat->text_len + len + 1) {
			cap *= 2;
		}
		char *text = realloc(seat->text, cap);
		if (!text) {
			tc_die("out of memory");
		}
		seat->text = text;
		seat->text_cap = cap;
	}
	memcpy(seat->text + seat->text_len, s, len);
	seat->text_len += len;
	seat->text[seat->text_len] = '\0';
}

static void text_backspace(struct tc_seat *seat) {
	/* Remove one code point: continuation bytes look like 10xxxxxx. */
	while (seat->text_len > 0) {
		seat->text_len--;
		if (((unsigned char)seat->text[seat->text_len] & 0xc0) != 0x80) {
			break;
		}
	}
	if (seat->text) {
		seat->text[seat->text_len] = '\0';
	}
}

void tc_seat_insert_text(struct tc_seat *seat, const char *utf8) {
	text_append(seat, utf8, strlen(utf8));
}

void tc_seat_delete_text(struct tc_seat *seat, size_t bytes) {
	size_t keep = bytes < seat->text_len ? seat->text_len - bytes : 0;
	/* A count that ends inside a code point takes the whole code point. */
	while (keep > 0 && ((unsigned char)seat->text[keep] & 0xc0) == 0x80) {
		keep--;
	}
	seat->text_len = keep;
	if (seat->text) {
		seat->text[keep] = '\0';
	}
}

static void print_modifiers(struct tc_seat *seat) {
	static const char *const names[] = {
		XKB_MOD_NAME_SHIFT, XKB_MOD_NAME_CTRL, XKB_MOD_NAME_ALT, XKB_MOD_NAME_LOGO,
		XKB_MOD_NAME_CAPS, XKB_MOD_NAME_NUM,
	};
	static const char *const words[] = {"shift", "ctrl", "alt", "super", "caps", "num"};
	char line[128] = "";
	size_t len = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (xkb_state_mod_name_is_active(seat->xkb_state, names[i],
				XKB_STATE_MODS_EFFECTIVE) > 0) {
			int n = snprintf(line + len, sizeof(line) - len, "%s%s", len ? " " : "",
				words[i]);
			if (n > 0 && (size_t)n < sizeof(line) - len) {
				len += (size_t)n;
			}
		}
	}
	if (len == 0) {
		snprintf(line, sizeof(line), "none");
	}
	if (strcmp(line, seat->mods) != 0) {
		snprintf(seat->mods, sizeof(seat->mods), "%s", line);
		printf("modifiers: %s\n", line);
	}
}

static void keyboard_handle_keymap(void *data, struct wl_keyboard *keyboard, uint32_t format,
		int32_t fd, uint32_t size) {
	struct tc_seat *seat = data;
	if (format != WL_KEYBOARD_KEYMAP_FORMAT_XKB_V1 || size == 0) {
		close(fd);
		fprintf(stderr, "%s: compositor sent a keymap we cannot read (format %u)\n",
			program_name, format);
		return;
	}
	/* MAP_PRIVATE: since wl_seat v7 the compositor may hand out a read-only file. */
	char *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		tc_die("cannot mmap the keymap: %s", strerror(errno));
	}
	struct xkb_keymap *keymap = xkb_keymap_new_from_buffer(seat->xkb_context, map,
		strnlen(map, size), XKB_KEYMAP_FORMAT_TEXT_V1, XKB_KEYMAP_COMPILE_NO_FLAGS);
	munmap(map, size);
	if (!keymap) {
		tc_die("cannot compile the compositor's keymap");
	}
	struct xkb_state *state = xkb_state_new(keymap);
	if (!state) {
		tc_die("cannot create an xkb state");
	}
	xkb_state_unref(seat->xkb_state);
	xkb_keymap_unref(seat->keymap);
	seat->keymap = keymap;
	seat->xkb_state = state;
	seat->mods[0] = '\0';
}

static void keyboard_handle_enter(void *data, struct wl_keyboard *keyboard, uint32_t serial,
		struct wl_surface *surface, struct wl_array *keys) {
	printf("focus in\n");
}

static void keyboard_handle_leave(void *data, struct wl_keyboard *keyboard, uint32_t serial,
		struct wl_surface *surface) {
	printf("focus out\n");
}

static void keyboard_handle_key(void *data, struct wl_keyboard *keyboard, uint32_t serial,
		uint32_t time, uint32_t key, uint32_t state) {
	struct tc_seat *seat = data;
	if (!seat->xkb_state) {
		printf("key %u %s (no keymap)\n", key,
			state == WL_KEYBOARD_KEY_STATE_PRESSED ? "pressed" : "released");
		return;
	}
	/* evdev codes are offset by 8 from xkb keycodes, a legacy of X11. */
	xkb_keycode_t kc = key + 8;
	xkb_keysym_t sym = xkb_state_key_get_one_sym(seat->xkb_state, kc);
	char name[64];
	if (xkb_keysym_get_name(sym, name, sizeof(name)) < 0) {
		snprintf(name, sizeof(name), "0x%x", sym);
	}
	if (state != WL_KEYBOARD_KEY_STATE_PRESSED) {
		printf("key released: %s\n", name);
		return;
	}
	printf("keysym: %s\n", name);
	char utf8[64];
	int len = xkb_state_key_get_utf8(seat->xkb_state, kc, utf8, sizeof(utf8));
	if (sym == XKB_KEY_BackSpace) {
		text_backspace(seat);
	} else if (len > 0 && (size_t)len < sizeof(utf8)) {
		/* Control characters (Return, Tab, Ctrl+letter) would break the line format. */
		unsigned char c = (unsigned char)utf8[0];
		if (!(len == 1 && (c < 0x20 || c == 0x7f))) {
			text_append(seat, utf8, (size_t)len);
		}
	}
	printf("text: %s\n", seat->text ? seat->text : "");
	if (seat->on_text) {
		seat->on_text(seat->on_text_data);
	}
}

static void keyboard_handle_modifiers(void *data, struct wl_keyboard *keyboard, uint32_t serial,
		uint32_t depressed, uint32_t latched, uint32_t locked, uint32_t group) {
	struct tc_seat *seat = data;
	if (!seat->xkb_state) {
		return;
	}
	xkb_state_update_mask(seat->xkb_state, depressed, latched, locked, 0, 0, group);
	print_modifiers(seat);
	if ((int32_t)group != seat->group) {
		const char *name = xkb_keymap_layout_get_name(seat->keymap, group);
		printf("layout: %s\n", name ? name : "?");
		seat->group = (int32_t)group;
	}
}

static void keyboard_handle_repeat_info(void *data, struct wl_keyboard *keyboard, int32_t rate,
		int32_t delay) {
	/*
	 * Repeats would make the printed text depend on timing; tests want one line a
	 * press. The settings are printed, so a test can see what the compositor sent.
	 */
	printf("repeat: %d %d\n", rate, delay);
}

static const struct wl_keyboard_listener keyboard_listener = {
	.keymap = keyboard_handle_keymap,
	.enter = keyboard_handle_enter,
	.leave = keyboard_handle_leave,
	.key = keyboard_handle_key,
	.modifiers = keyboard_handle_modifiers,
	.repeat_info = keyboard_handle_repeat_info,
};

static void pointer_handle_enter(void *data, struct wl_pointer *pointer, uint32_t serial,
		struct wl_surface *surface, wl_fixed_t x, wl_fixed_t y) {
	printf("pointer enter %d %d\n", wl_fixed_to_int(x), wl_fixed_to_int(y));
}

static void pointer_handle_leave(void *data, struct wl_pointer *pointer, uint32_t serial,
		struct wl_surface *surface) {
	printf("pointer leave\n");
}

static void pointer_handle_motion(void *data, struct wl_pointer *pointer, uint32_t time,
		wl_fixed_t x, wl_fixed_t y) {
	struct tc_seat *seat = data;
	if (seat->print_motion) {
		printf("pointer motion %d %d\n", wl_fixed_to_int(x), wl_fixed_to_int(y));
	}
}

static void pointer_handle_button(void *data, struct wl_pointer *pointer, uint32_t serial,
		uint32_t time, uint32_t button, uint32_t state) {
	struct tc_seat *seat = data;
	printf("button %u %s\n", button,
		state == WL_POINTER_BUTTON_STATE_PRESSED ? "pressed" : "released");
	if (state == WL_POINTER_BUTTON_STATE_PRESSED && seat->on_button) {
		seat->on_button(seat->on_button_data, serial, button);
	}
}

static void pointer_handle_axis(void *data, struct wl_pointer *pointer, uint32_t time,
		uint32_t axis, wl_fixed_t value) {
	printf("axis %s %.2f\n", axis == WL_POINTER_AXIS_VERTICAL_SCROLL ? "vertical" : "horizontal",
		wl_fixed_to_double(value));
}

static void pointer_handle_frame(void *data, struct wl_pointer *pointer) {
}

static void pointer_handle_axis_source(void *data, struct wl_pointer *pointer, uint32_t source) {
}

static void pointer_handle_axis_stop(void *data, struct wl_pointer *pointer, uint32_t time,
		uint32_t axis) {
}

static void pointer_handle_axis_discrete(void *data, struct wl_pointer *pointer, uint32_t axis,
		int32_t discrete) {
}

static const struct wl_pointer_listener pointer_listener = {
	.enter = pointer_handle_enter,
	.leave = pointer_handle_leave,
	.motion = pointer_handle_motion,
	.button = pointer_handle_button,
	.axis = pointer_handle_axis,
	.frame = pointer_handle_frame,
	.axis_source = pointer_handle_axis_source,
	.axis_stop = pointer_handle_axis_stop,
	.axis_discrete = pointer_handle_axis_discrete,
};

/* The release requests exist from wl_seat v3 (devices) and v5 (the seat itself). */
static void keyboard_drop(struct wl_keyboard *keyboard) {
	if (wl_keyboard_get_version(keyboard) >= WL_KEYBOARD_RELEASE_SINCE_VERSION) {
		wl_keyboard_release(keyboard);
	} else {
		wl_keyboard_destroy(keyboard);
	}
}

static void pointer_drop(struct wl_pointer *pointer) {
	if (wl_pointer_get_version(pointer) >= WL_POINTER_RELEASE_SINCE_VERSION) {
		wl_pointer_release(pointer);
	} else {
		wl_pointer_destroy(pointer);
	}
}

static void seat_handle_capabilities(void *data, struct wl_seat *wl_seat, uint32_t caps) {
	struct tc_seat *seat = data;
	bool has_keyboard = caps & WL_SEAT_CAPABILITY_KEYBOARD;
	bool has_pointer = caps & WL_SEAT_CAPABILITY_POINTER;
	if (has_keyboard && !seat->keyboard) {
		seat->keyboard = wl_seat_get_keyboard(wl_seat);
		wl_keyboard_add_listener(seat->keyboard, &keyboard_listener, seat);
	} else if (!has_keyboard && seat->keyboard) {
		keyboard_drop(seat->keyboard);
		seat->keyboard = NULL;
	}
	if (has_pointer && !seat->pointer) {
		seat->pointer = wl_seat_get_pointer(wl_seat);
		wl_pointer_add_listener(seat->pointer, &pointer_listener, seat);
	} else if (!has_pointer && seat->pointer) {
		pointer_drop(seat->pointer);
		seat->pointer = NULL;
	}
}

static void seat_handle_name(void *data, struct wl_seat *wl_seat, const char *name) {
}

static const struct wl_seat_listener seat_listener = {
	.capabilities = seat_handle_capabilities,
	.name = seat_handle_name,
};

void tc_seat_init(struct tc_seat *seat, struct wl_seat *wl_seat) {
	seat->wl_seat = wl_seat;
	seat->group = -1;
	seat->xkb_context = xkb_context_new(XKB_CONTEXT_NO_FLAGS);
	if (!seat->xkb_context) {
		tc_die("cannot create an xkb context");
	}
	wl_seat_add_listener(wl_seat, &seat_listener, seat);
}

void tc_seat_finish(struct tc_seat *seat) {
	if (seat->keyboard) {
		keyboard_drop(seat->keyboard);
	}
	if (seat->pointer) {
		pointer_drop(seat->pointer);
	}
	if (seat->wl_seat) {
		if (wl_seat_get_version(seat->wl_seat) >= WL_SEAT_RELEASE_SINCE_VERSION) {
			wl_seat_release(seat->wl_seat);
		} else {
			wl_seat_destroy(seat->wl_seat);
		}
	}
	xkb_state_unref(seat->xkb_state);
	xkb_keymap_unref(seat->keymap);
	xkb_context_unref(seat->xkb_context);
	free(seat->text);
	memset(seat, 0, sizeof(*seat));
}

void tc_option_color(const char *option, const char *value, uint32_t *argb) {
	if (!tc_parse_color(value, argb)) {
		tc_die("%s wants RRGGBB, not '%s'", option, value);
	}
}

void tc_option_size(const char *option, const char *value, int *width, int *height) {
	if (!tc_parse_size(value, width, height) || *width == 0 || *height == 0) {
		tc_die("%s wants WxH with both above 0, not '%s'", option, value);
	}
}
