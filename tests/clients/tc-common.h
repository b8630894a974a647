#ifndef TESTS_CLIENTS_TC_COMMON_H
#define TESTS_CLIENTS_TC_COMMON_H

/*
 * Helpers shared by the test clients: argument parsing, wl_shm buffers and a seat that
 * prints what it receives. Clients may abort on out-of-memory (STYLE.md), so nothing here
 * reports allocation failure.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wayland-client.h>

/* Prints "NAME: message" to stderr and exits with status 1. */
void tc_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Records the program name used by tc_die and warnings. */
void tc_set_program_name(const char *name);
const char *tc_program_name(void);

/** Parses a decimal integer in [min, max]; false on junk or overflow. */
bool tc_parse_long(const char *s, long min, long max, long *out);
/** Parses RRGGBB (an optional leading '#' is allowed) into 0xffRRGGBB. */
bool tc_parse_color(const char *s, uint32_t *argb);
/** Parses WxH; each dimension in [0, 16384]. */
bool tc_parse_size(const char *s, int *width, int *height);
/* For option parsing: parse or exit with "OPTION wants ..., not 'VALUE'". */
void tc_option_color(const char *option, const char *value, uint32_t *argb);
void tc_option_size(const char *option, const char *value, int *width, int *height);

/* Returns CLOCK_MONOTONIC in milliseconds, the clock of input event timestamps. */
uint32_t tc_now_ms(void);
int64_t tc_now_ns(void);

/*
 * Binds a global at the lower of the version we were built for and the one offered, so
 * a newer compositor does not hand us events we have no handler for.
 */
void *tc_bind(struct wl_registry *registry, uint32_t name, const struct wl_interface *iface,
	uint32_t offered, uint32_t wanted);

/*
 * SIGINT and SIGTERM are blocked except while tc_dispatch waits, so a test that kills a
 * client gets its final report (anim's frame count) instead of a silent death.
 */
void tc_signals_init(void);
/** True once SIGINT or SIGTERM arrived. */
bool tc_signalled(void);

/**
 * Sends pending requests, waits up to timeout_ms (-1: no limit) for events or a signal
 * and dispatches them. When watch_fd >= 0 it is polled too and *watch_ready set if it is
 * readable or hung up. False when the connection is gone.
 */
bool tc_dispatch(struct wl_display *display, int timeout_ms, int watch_fd, bool *watch_ready);

/** Exits 1 with the reason the connection broke (the protocol error, if one was sent). */
void tc_die_disconnected(struct wl_display *display) __attribute__((noreturn));

/** Connects to $WAYLAND_DISPLAY or exits 1 saying why not. */
struct wl_display *tc_connect(void);

struct tc_buffer {
	struct wl_buffer *wl_buffer;
	void *data; // mmapped, stride * height bytes
	int width, height, stride;
	size_t size;
	bool busy; // attached and not yet released by the compositor
};

/** Creates an XRGB8888 buffer; NULL with a message on stderr if the shm fails. */
struct tc_buffer *tc_buffer_create(struct wl_shm *shm, int width, int height);
void tc_buffer_destroy(struct tc_buffer *buf);
void tc_buffer_fill_rect(struct tc_buffer *buf, int x, int y, int width, int height,
	uint32_t argb);

#define TC_POOL_MAX 4

/*
 * Up to TC_POOL_MAX buffers of one size: the compositor may hold one while we draw the
 * next, so a client that redraws never writes into a buffer that is on screen.
 */
struct tc_pool {
	struct wl_shm *shm;
	struct tc_buffer *buffers[TC_POOL_MAX];
};

/** Returns a buffer of the given size that the compositor is not using; NULL if none. */
struct tc_buffer *tc_pool_next(struct tc_pool *pool, int width, int height);
void tc_pool_finish(struct tc_pool *pool);

struct xkb_context;
struct xkb_keymap;
struct xkb_state;

/*
 * A wl_seat whose keyboard and pointer events are printed on stdout, one line each:
 *   focus in | focus out
 *   keysym: NAME          (each key press)
 *   text: TEXT            (each key press: everything typed so far)
 *   key released: NAME
 *   modifiers: NAMES|none (when they change)
 *   layout: NAME          (when the keyboard layout changes)
 *   repeat: RATE DELAY    (key repeat settings, as the compositor sends them)
 *   pointer enter X Y | pointer leave | pointer motion X Y
 *   button CODE pressed|released
 *   axis vertical|horizontal VALUE
 */
struct tc_seat {
	struct wl_seat *wl_seat;
	struct wl_keyboard *keyboard;
	struct wl_pointer *pointer;
	struct xkb_context *xkb_context;
	struct xkb_keymap *keymap;
	struct xkb_state *xkb_state;
	char *text; // typed so far, UTF-8
	size_t text_len, text_cap;
	char mods[128]; // last printed modifier names
	int32_t group; // last layout index seen, -1 before the first
	bool print_motion;
	/* Called on each button press, after it is printed; may be NULL. */
	void (*on_button)(void *data, uint32_t serial, uint32_t button);
	void *on_button_data;
	/* Called after each key press, once its "text:" line is printed; may be NULL. */
	void (*on_text)(void *data);
	void *on_text_data;
};

void tc_seat_init(struct tc_seat *seat, struct wl_seat *wl_seat);
void tc_seat_finish(struct tc_seat *seat);
/** Appends UTF-8 to the typed text, as if typed (a text-input commit); prints nothing. */
void tc_seat_insert_text(struct tc_seat *seat, const char *utf8);
/**
 * Removes up to `bytes` bytes before the end of the typed text (the cursor is always at
 * the end), never leaving half a code point; prints nothing.
 */
void tc_seat_delete_text(struct tc_seat *seat, size_t bytes);

#endif
