/*
 * lumen-reader: the screen reader. A consumer on lumen-a11yd's bus (through the trusted
 * socket) that speaks focus changes (name, role, states, value), window switches,
 * announcements, value and state changes of the focused node, typed characters (echo)
 * and the text under a moving caret (a character, a word, a line: keys.c tells how it
 * moved). A new focus interrupts stale speech. Commands are chords of the reader's
 * modifier (Insert or Caps Lock), grabbed from the compositor (keys.c, commands.c).
 *
 *   lumen-reader [--socket NAME] [--speech-log FILE] [--no-audio] [--muted]
 *                [--modifier insert|capslock] [--wayland NAME] [--no-keys]
 *   lumen-reader --toggle [options]
 *
 * SIGUSR1 toggles speech off and on (saying so), as does the compositor's reader-toggle
 * (Super+Alt+S). --toggle signals the running reader (found through
 * $XDG_RUNTIME_DIR/lumen-reader.pid) or, if none runs, becomes the reader.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <wayland-client.h>
#include "a11y/roles.h"
#include "common/log.h"
#include "lumen-a11y-v1-client-protocol.h"
#include "reader.h"

#define S(x) LUMEN_A11Y_PROVIDER_V1_STATE_##x
#define TEXT_MAX READER_TEXT_MAX
#define MAX_NODES 16384

int64_t reader_now_ms(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void reader_say(struct reader *r, const char *text, bool interrupt) {
	if (!r->muted) {
		reader_speech_say(r->speech, text, interrupt);
	}
}

static void say(struct reader *r, const char *text, bool interrupt) {
	reader_say(r, text, interrupt);
}

static void append(char *buf, size_t len, const char *part) {
	if (!part || !part[0]) {
		return;
	}
	size_t used = strlen(buf);
	snprintf(buf + used, len - used, "%s%s", used ? ", " : "", part);
}

bool reader_is_text_role(uint32_t role) {
	return role == LUMEN_A11Y_PROVIDER_V1_ROLE_ENTRY || role == LUMEN_A11Y_PROVIDER_V1_ROLE_TEXT ||
		role == LUMEN_A11Y_PROVIDER_V1_ROLE_PASSWORD_TEXT ||
		role == LUMEN_A11Y_PROVIDER_V1_ROLE_TERMINAL;
}

/* "Remember me, check box, not checked" */
void reader_describe(char *buf, size_t len, uint32_t role, uint32_t states, const char *name,
		const char *value) {
	buf[0] = '\0';
	append(buf, len, name);
	append(buf, len, a11y_role_speech(role));
	if (states & S(CHECKABLE) || role == LUMEN_A11Y_PROVIDER_V1_ROLE_CHECK_BOX ||
			role == LUMEN_A11Y_PROVIDER_V1_ROLE_TOGGLE_BUTTON ||
			role == LUMEN_A11Y_PROVIDER_V1_ROLE_CHECK_MENU_ITEM ||
			role == LUMEN_A11Y_PROVIDER_V1_ROLE_RADIO_BUTTON) {
		append(buf, len, states & S(CHECKED) ? "checked" : "not checked");
	}
	if (states & S(EXPANDABLE)) {
		append(buf, len, states & S(EXPANDED) ? "expanded" : "collapsed");
	}
	if (states & S(DISABLED)) {
		append(buf, len, "disabled");
	}
	if (states & S(SELECTED) && role == LUMEN_A11Y_PROVIDER_V1_ROLE_LIST_ITEM) {
		append(buf, len, "selected");
	}
	/* A password's value never reaches us; and never say one. */
	if (!(states & S(PASSWORD)) && role != LUMEN_A11Y_PROVIDER_V1_ROLE_PASSWORD_TEXT) {
		append(buf, len, value);
	}
}

/* ---- consumer events ---- */

static void c_tree(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t serial, uint32_t tree,
		int32_t pid, const char *app_id, uint32_t window) {
}
static void c_trees_done(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t serial) {
}
static void c_tree_removed(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t tree) {
	struct reader *r = data;
	if (tree == r->focus_tree) {
		r->focus_tree = r->focus_node = 0;
	}
	if (tree == r->cursor_tree) {
		r->cursor_tree = r->cursor_node = 0;
	}
	if (tree == r->window_tree) {
		r->window_tree = 0;
	}
}

void reader_nodes_clear(struct reader *r) {
	for (size_t i = 0; i < r->n_nodes; i++) {
		free(r->nodes[i].name);
		free(r->nodes[i].description);
		free(r->nodes[i].text);
	}
	r->n_nodes = 0;
	r->read_overflow = false;
}

/* The node of the tree being read (the last one told, as attributes follow their node). */
static struct reader_node *read_node(struct reader *r, uint32_t serial, uint32_t id) {
	if (serial == 0 || serial != r->read_serial || r->n_nodes == 0) {
		return NULL;
	}
	struct reader_node *node = &r->nodes[r->n_nodes - 1];
	return node->id == id ? node : NULL;
}

static void c_node(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t serial, uint32_t id,
		uint32_t parent, uint32_t role, uint32_t states, const char *name, const char *desc) {
	struct reader *r = data;
	if (serial == 0 || serial != r->read_serial || r->read_overflow) {
		return;
	}
	if (r->n_nodes == r->cap_nodes) {
		size_t cap = r->cap_nodes ? r->cap_nodes * 2 : 64;
		struct reader_node *nodes = cap <= MAX_NODES ?
			realloc(r->nodes, cap * sizeof(*nodes)) : NULL;
		if (!nodes) {
			r->read_overflow = true; // speak what fits
			return;
		}
		r->nodes = nodes;
		r->cap_nodes = cap;
	}
	struct reader_node node = {.id = id, .parent = parent, .role = role, .states = states,
		.name = strdup(name), .description = strdup(desc)};
	if (!node.name || !node.description) {
		free(node.name);
		free(node.description);
		r->read_overflow = true;
		return;
	}
	r->nodes[r->n_nodes++] = node;
}
static void c_bounds(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t serial, uint32_t id,
		int32_t x, int32_t y, int32_t w, int32_t h) {
}
static void c_value(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t serial, uint32_t id,
		struct wl_array *value) {
	struct reader_node *node = read_node(data, serial, id);
	if (node && value->size >= sizeof(double)) {
		memcpy(&node->value, value->data, sizeof(double));
		node->has_value = true;
	}
}
static void c_text(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t serial, uint32_t id,
		const char *text, uint32_t caret, uint32_t s, uint32_t e) {
	struct reader_node *node = read_node(data, serial, id);
	if (node && !node->text) {
		node->text = strdup(text); // NULL when out of memory: as if it had none
		node->caret = caret <= strlen(text) ? caret : 0;
	}
}
static void c_node_action(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t serial,
		uint32_t id, const char *name) {
}
static void c_done(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t serial, uint32_t tree,
		uint32_t root, uint32_t focus) {
	struct reader *r = data;
	if (serial != 0 && serial == r->read_serial) {
		r->read_serial = 0;
		reader_command_tree_done(r, tree, root, focus);
		reader_nodes_clear(r);
	}
}
static void c_failed(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t serial,
		uint32_t error) {
	struct reader *r = data;
	if (serial != 0 && serial == r->read_serial) {
		r->read_serial = 0;
		reader_nodes_clear(r);
		reader_command_read_failed(r);
	}
}

static void c_focus(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t tree, uint32_t node,
		uint32_t role, uint32_t states, const char *name, const char *desc, const char *value) {
	struct reader *r = data;
	r->focus_tree = tree;
	r->focus_node = node;
	r->focus_role = role;
	r->focus_states = states;
	r->focus_caret = -1;
	r->focus_after_window = true;
	snprintf(r->focus_value, sizeof(r->focus_value), "%s", value);
	/* Browse mode's cursor follows the focus. */
	r->cursor_tree = tree;
	r->cursor_node = node;
	if (tree == r->expect_tree && node == r->expect_node) {
		r->expect_tree = r->expect_node = 0; // we asked for it, and said it already
		return;
	}
	r->expect_tree = r->expect_node = 0;
	char text[TEXT_MAX];
	reader_describe(text, sizeof(text), role, states, name, value);
	say(r, text, true);
}

/*
 * What was inserted into old, in one place, to make new, if that is what happened: a
 * character typed, or a few when the bus coalesced fast typing into one change.
 */
#define ECHO_MAX 64
static bool inserted_char(const char *old, const char *new, char *out, size_t len,
		size_t *at) {
	size_t lo = strlen(old), ln = strlen(new);
	if (ln <= lo || ln - lo > ECHO_MAX) {
		return false;
	}
	size_t pre = 0;
	while (pre < lo && old[pre] == new[pre]) {
		pre++;
	}
	/* back to a character boundary */
	while (pre > 0 && ((unsigned char)new[pre] & 0xc0) == 0x80) {
		pre--;
	}
	size_t n = ln - lo;
	if (strcmp(old + pre, new + pre + n) != 0 || n + 1 > len) {
		return false;
	}
	memcpy(out, new + pre, n);
	out[n] = '\0';
	*at = pre;
	return true;
}

/*
 * Word echo: when what was typed ends a word (a space or punctuation after letters),
 * the word before it, as Orca and NVDA say it. at: where the typed text begins in value.
 */
static bool typed_word(const char *value, size_t at, const char *typed, char *out,
		size_t len) {
	static const char seps[] = " .,;:!?\n";
	/* The last separator typed that ends letters: fast typing comes coalesced ("d. x"). */
	size_t end = 0;
	for (size_t i = strlen(typed); i > 0; i--) {
		size_t pos = at + i - 1;
		if (strchr(seps, value[pos]) && pos > 0 && !strchr(seps, value[pos - 1])) {
			end = pos;
			break;
		}
	}
	size_t start = end;
	while (start > 0 && !strchr(seps, value[start - 1])) {
		start--;
	}
	if (start == end || end - start >= len) {
		return false;
	}
	memcpy(out, value + start, end - start);
	out[end - start] = '\0';
	return true;
}

const char *reader_char_name(const char *ch) {
	if (strcmp(ch, " ") == 0) {
		return "space";
	}
	return ch;
}

static void c_changed(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t tree, uint32_t node,
		uint32_t what, uint32_t role, uint32_t states, const char *name, const char *value,
		int32_t caret, int32_t sel_start, int32_t sel_end) {
	struct reader *r = data;
	if (tree != r->focus_tree || node != r->focus_node) {
		if (states & S(LIVE)) {
			say(r, value[0] ? value : name, false); // a live region speaks its changes
		}
		return;
	}
	bool password = (states & S(PASSWORD)) || role == LUMEN_A11Y_PROVIDER_V1_ROLE_PASSWORD_TEXT;
	char text[TEXT_MAX] = "";
	if (what & LUMEN_A11Y_CONSUMER_V1_CHANGE_NAME) {
		append(text, sizeof(text), name);
	}
	if (what & LUMEN_A11Y_CONSUMER_V1_CHANGE_STATES) {
		uint32_t changed = states ^ r->focus_states;
		if (changed & S(CHECKED)) {
			append(text, sizeof(text), states & S(CHECKED) ? "checked" : "not checked");
		}
		if (changed & S(EXPANDED)) {
			append(text, sizeof(text), states & S(EXPANDED) ? "expanded" : "collapsed");
		}
		if (changed & S(DISABLED)) {
			append(text, sizeof(text), states & S(DISABLED) ? "disabled" : "enabled");
		}
	}
	if (!password && reader_is_text_role(role) &&
			(what & LUMEN_A11Y_CONSUMER_V1_CHANGE_TEXT)) {
		char ch[ECHO_MAX + 1], word[ECHO_MAX + 1];
		size_t at;
		if (inserted_char(r->focus_value, value, ch, sizeof(ch), &at)) {
			append(text, sizeof(text), reader_char_name(ch)); // echo
			if (typed_word(value, at, ch, word, sizeof(word))) {
				append(text, sizeof(text), word); // and the word it ends
			}
		}
	} else if (!password && reader_is_text_role(role) &&
			(what & LUMEN_A11Y_CONSUMER_V1_CHANGE_CARET) && caret >= 0 &&
			(size_t)caret <= strlen(value)) {
		/* What the caret moved onto: a character, a word or a line (commands.c). */
		reader_caret_moved(r, value, r->focus_caret, caret);
	} else if (!password && (what & LUMEN_A11Y_CONSUMER_V1_CHANGE_VALUE)) {
		append(text, sizeof(text), value);
	}
	r->focus_states = states;
	r->focus_role = role;
	if (caret >= 0) {
		r->focus_caret = caret;
	}
	snprintf(r->focus_value, sizeof(r->focus_value), "%s", password ? "" : value);
	say(r, text, false);
}

static void c_window(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t window,
		uint32_t change, uint32_t tree, const char *title, const char *app_id) {
	struct reader *r = data;
	if (change == LUMEN_A11Y_CONSUMER_V1_WINDOW_CHANGE_CLOSED && window == r->window_id) {
		r->window_id = r->window_tree = 0;
		r->window_title[0] = '\0';
	} else if (change != LUMEN_A11Y_CONSUMER_V1_WINDOW_CHANGE_CLOSED &&
			(window == r->window_id ||
				change == LUMEN_A11Y_CONSUMER_V1_WINDOW_CHANGE_ACTIVATED)) {
		if (change == LUMEN_A11Y_CONSUMER_V1_WINDOW_CHANGE_ACTIVATED) {
			r->focus_after_window = false;
		}
		r->window_id = window;
		r->window_tree = tree;
		snprintf(r->window_title, sizeof(r->window_title), "%s", title[0] ? title : app_id);
	}
	if (change == LUMEN_A11Y_CONSUMER_V1_WINDOW_CHANGE_ACTIVATED) {
		char text[TEXT_MAX] = "";
		append(text, sizeof(text), title[0] ? title : app_id);
		append(text, sizeof(text), "window");
		say(r, text, true);
	}
}

static void c_announcement(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t tree,
		const char *text, uint32_t politeness) {
	struct reader *r = data;
	say(r, text, politeness == LUMEN_A11Y_PROVIDER_V1_POLITENESS_ASSERTIVE);
}

static void c_result(void *data, struct lumen_a11y_consumer_v1 *c, uint32_t serial,
		uint32_t result) {
}

static const struct lumen_a11y_consumer_v1_listener consumer_listener = {
	.tree = c_tree,
	.trees_done = c_trees_done,
	.tree_removed = c_tree_removed,
	.tree_node = c_node,
	.tree_node_bounds = c_bounds,
	.tree_node_value = c_value,
	.tree_node_text = c_text,
	.tree_node_action = c_node_action,
	.tree_done = c_done,
	.read_failed = c_failed,
	.focus = c_focus,
	.changed = c_changed,
	.window = c_window,
	.announcement = c_announcement,
	.action_result = c_result,
};

/* ---- the connection ---- */

static void registry_global(void *data, struct wl_registry *registry, uint32_t name,
		const char *interface, uint32_t version) {
	struct reader *r = data;
	if (strcmp(interface, lumen_a11y_v1_interface.name) == 0 && !r->bus) {
		r->bus = wl_registry_bind(registry, name, &lumen_a11y_v1_interface, 1);
	}
}
static void registry_remove(void *data, struct wl_registry *registry, uint32_t name) {
}
static const struct wl_registry_listener registry_listener = {registry_global,
	registry_remove};

static void disconnect(struct reader *r) {
	if (r->consumer) {
		lumen_a11y_consumer_v1_destroy(r->consumer);
		r->consumer = NULL;
	}
	if (r->bus) {
		lumen_a11y_v1_destroy(r->bus);
		r->bus = NULL;
	}
	if (r->registry) {
		wl_registry_destroy(r->registry);
		r->registry = NULL;
	}
	if (r->display) {
		wl_display_disconnect(r->display);
		r->display = NULL;
	}
	r->focus_tree = r->focus_node = 0;
	r->cursor_tree = r->cursor_node = 0;
	r->expect_tree = r->expect_node = 0;
	r->window_id = r->window_tree = 0;
	r->window_title[0] = '\0';
	r->read_serial = 0;
	r->pending = READER_CMD_NONE;
	reader_nodes_clear(r);
}

static bool connect_bus(struct reader *r) {
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return false;
	}
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", r->socket_path);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		close(fd);
		return false;
	}
	r->display = wl_display_connect_to_fd(fd);
	if (!r->display) {
		close(fd);
		return false;
	}
	r->registry = wl_display_get_registry(r->display);
	wl_registry_add_listener(r->registry, &registry_listener, r);
	if (wl_display_roundtrip(r->display) < 0 || !r->bus) {
		disconnect(r);
		return false;
	}
	r->consumer = lumen_a11y_v1_create_consumer(r->bus);
	lumen_a11y_consumer_v1_add_listener(r->consumer, &consumer_listener, r);
	lumen_a11y_consumer_v1_subscribe(r->consumer, LUMEN_A11Y_CONSUMER_V1_EVENT_MASK_FOCUS |
		LUMEN_A11Y_CONSUMER_V1_EVENT_MASK_CHANGES | LUMEN_A11Y_CONSUMER_V1_EVENT_MASK_WINDOWS |
		LUMEN_A11Y_CONSUMER_V1_EVENT_MASK_ANNOUNCEMENTS);
	if (wl_display_roundtrip(r->display) < 0) {
		int err = wl_display_get_error(r->display);
		lumen_log(LUMEN_ERROR, "the bus refused us (%s): is %s the trusted socket?",
			strerror(err), r->socket_path);
		disconnect(r);
		return false;
	}
	lumen_log(LUMEN_INFO, "reading %s", r->socket_path);
	return true;
}

void reader_toggle(struct reader *r) {
	if (r->muted) {
		r->muted = false;
		say(r, "Screen reader on", true);
	} else {
		say(r, "Screen reader off", true);
		r->muted = true;
	}
	reader_keys_update_grab(r); // off: the modifier is the apps' again
}

/* --toggle: signal the running reader; true if there was one. */
static bool signal_running(const char *pid_path) {
	FILE *f = fopen(pid_path, "re");
	if (!f) {
		return false;
	}
	long pid = 0;
	bool read_ok = fscanf(f, "%ld", &pid) == 1;
	fclose(f);
	if (!read_ok || pid <= 0) {
		return false;
	}
	char comm_path[64], comm[64] = "";
	snprintf(comm_path, sizeof(comm_path), "/proc/%ld/comm", pid);
	f = fopen(comm_path, "re");
	if (!f) {
		return false;
	}
	bool got = fgets(comm, sizeof(comm), f) != NULL;
	fclose(f);
	if (!got || strncmp(comm, "lumen-reader", 12) != 0) {
		return false; // a stale file: that pid is someone else now
	}
	return kill((pid_t)pid, SIGUSR1) == 0;
}

static void usage(FILE *f) {
	fprintf(f,
		"usage: lumen-reader [options]\n"
		"  --socket NAME       the bus's trusted socket (default $LUMEN_A11Y_TRUSTED_SOCKET,\n"
		"                      else lumen-a11y-0-trusted in $XDG_RUNTIME_DIR)\n"
		"  --speech-log FILE   append each utterance to FILE: \"SECONDS.MS TEXT\"\n"
		"  --no-audio          no synthesizer (with --speech-log: for tests)\n"
		"  --muted             start silent (SIGUSR1 or --toggle unmutes)\n"
		"  --toggle            toggle the running reader, or start one\n"
		"  --modifier KEY      the reader's modifier: insert (default) or capslock\n"
		"  --wayland NAME      the compositor's socket for the reader's keys (default:\n"
		"                      WAYLAND_SOCKET, else $WAYLAND_DISPLAY-trusted, else\n"
		"                      $WAYLAND_DISPLAY)\n"
		"  --no-keys           no commands: do not grab keys from the compositor\n"
		"  -d, --debug         debug logging\n");
}

int main(int argc, char *argv[]) {
	struct reader r = {.running = true, .focus_caret = -1, .modifier = READER_MOD_INSERT,
		.keys_enabled = true};
	const char *socket_name = getenv("LUMEN_A11Y_TRUSTED_SOCKET");
	const char *log_path = NULL;
	bool audio = true, toggle_mode = false, debug = false;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(arg, "--socket") == 0 && next) {
			socket_name = next;
			i++;
		} else if (strcmp(arg, "--speech-log") == 0 && next) {
			log_path = next;
			i++;
		} else if (strcmp(arg, "--no-audio") == 0) {
			audio = false;
		} else if (strcmp(arg, "--muted") == 0) {
			r.muted = true;
		} else if (strcmp(arg, "--toggle") == 0) {
			toggle_mode = true;
		} else if (strcmp(arg, "--modifier") == 0 && next) {
			if (strcmp(next, "insert") == 0) {
				r.modifier = READER_MOD_INSERT;
			} else if (strcmp(next, "capslock") == 0 || strcmp(next, "caps-lock") == 0) {
				r.modifier = READER_MOD_CAPS_LOCK;
			} else {
				fprintf(stderr, "lumen-reader: --modifier wants insert or capslock\n");
				return 1;
			}
			i++;
		} else if (strcmp(arg, "--wayland") == 0 && next) {
			r.wayland_name = next;
			i++;
		} else if (strcmp(arg, "--no-keys") == 0) {
			r.keys_enabled = false;
		} else if (strcmp(arg, "-d") == 0 || strcmp(arg, "--debug") == 0) {
			debug = true;
		} else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 1;
		}
	}
	lumen_log_init(debug ? LUMEN_DEBUG : LUMEN_INFO);
	const char *dir = getenv("XDG_RUNTIME_DIR");
	if (!dir || !dir[0]) {
		lumen_log(LUMEN_ERROR, "XDG_RUNTIME_DIR is not set");
		return 1;
	}
	snprintf(r.pid_path, sizeof(r.pid_path), "%s/lumen-reader.pid", dir);
	if (toggle_mode && signal_running(r.pid_path)) {
		return 0;
	}
	if (!socket_name || !socket_name[0]) {
		socket_name = "lumen-a11y-0-trusted";
	}
	if (socket_name[0] == '/') {
		snprintf(r.socket_path, sizeof(r.socket_path), "%s", socket_name);
	} else {
		snprintf(r.socket_path, sizeof(r.socket_path), "%s/%s", dir, socket_name);
	}
	r.speech = reader_speech_create(audio, log_path);
	if (!r.speech) {
		return 1;
	}
	lumen_log(LUMEN_INFO, "speaking through %s", reader_speech_backend(r.speech));

	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	signal(SIGPIPE, SIG_IGN);
	FILE *pf = fopen(r.pid_path, "we");
	if (pf) {
		fprintf(pf, "%d\n", (int)getpid());
		fclose(pf);
	}
	say(&r, "Screen reader on", false);
	bool warned = false;
	while (r.running) {
		if (!r.display && !connect_bus(&r)) {
			if (!warned) {
				lumen_log(LUMEN_INFO, "waiting for the bus at %s", r.socket_path);
				warned = true;
			}
		} else {
			warned = false;
		}
		if (r.keys_enabled && !r.wl) {
			reader_keys_connect(&r);
		}
		bool keys_wanted = r.keys_enabled && !r.wl;
		if (r.display) {
			wl_display_flush(r.display);
		}
		if (r.wl) {
			wl_display_flush(r.wl);
		}
		struct pollfd fds[3] = {
			{.fd = sfd, .events = POLLIN},
			{.fd = r.display ? wl_display_get_fd(r.display) : -1, .events = POLLIN},
			{.fd = r.wl ? wl_display_get_fd(r.wl) : -1, .events = POLLIN},
		};
		/*
		 * Without a bus (or a compositor, while we want one), try again every half
		 * second: it may be restarting.
		 */
		int ret = poll(fds, 3, r.display && !keys_wanted ? -1 : 500);
		if (ret < 0 && errno != EINTR) {
			break;
		}
		if (fds[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				if (si.ssi_signo == SIGUSR1) {
					reader_toggle(&r);
				} else {
					r.running = false;
				}
			}
		}
		/* Keys first: a caret moves after the key that moved it, on the other socket. */
		if (r.wl && (fds[2].revents & (POLLIN | POLLHUP | POLLERR))) {
			if (wl_display_dispatch(r.wl) < 0) {
				lumen_log(LUMEN_INFO, "lost the compositor; the reader's keys wait for it");
				reader_keys_disconnect(&r);
			}
		}
		if (r.display && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			if (wl_display_dispatch(r.display) < 0) {
				lumen_log(LUMEN_INFO, "lost the bus; waiting for it to come back");
				disconnect(&r);
			}
		}
	}
	reader_keys_disconnect(&r);
	disconnect(&r);
	free(r.nodes);
	reader_speech_destroy(r.speech);
	unlink(r.pid_path);
	if (sfd >= 0) {
		close(sfd);
	}
	return 0;
}
