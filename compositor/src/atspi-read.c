/* Readers of the D-Bus messages atspi-keys.c gets from others (atspi-read.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "atspi-read.h"

/* More than any screen reader grabs; bounds what one SetKeyGrabs call makes us hold. */
#define MAX_GRABS 4096

int atspi_read_device_event(sd_bus_message *m, struct atspi_device_event *event) {
	int is_text = 0;
	int r = sd_bus_message_read(m, "(uiuuisb)", &event->type, &event->id, &event->hw_code,
		&event->modifiers, &event->timestamp, &event->text, &is_text);
	event->is_text = is_text;
	return r < 0 ? r : 0;
}

int atspi_read_key_grabs(sd_bus_message *m, uint32_t **syms_out, size_t *n_syms_out,
		struct atspi_key_grab **grabs_out, size_t *n_grabs_out) {
	const void *array;
	size_t size;
	int r = sd_bus_message_read_array(m, 'u', &array, &size);
	if (r < 0) {
		return r;
	}
	size_t n_syms = size / sizeof(uint32_t);
	if (n_syms > MAX_GRABS) {
		return -E2BIG;
	}
	uint32_t *syms = NULL;
	if (n_syms > 0) {
		syms = calloc(n_syms, sizeof(*syms));
		if (!syms) {
			return -ENOMEM;
		}
		memcpy(syms, array, n_syms * sizeof(*syms));
	}
	struct atspi_key_grab *grabs = NULL;
	size_t n_grabs = 0, cap = 0;
	r = sd_bus_message_enter_container(m, 'a', "(uu)");
	while (r >= 0) {
		uint32_t sym, mods;
		r = sd_bus_message_read(m, "(uu)", &sym, &mods);
		if (r <= 0) {
			break;
		}
		if (n_grabs == MAX_GRABS) {
			r = -E2BIG;
			break;
		}
		if (n_grabs == cap) {
			cap = cap ? cap * 2 : 16;
			struct atspi_key_grab *more = realloc(grabs, cap * sizeof(*grabs));
			if (!more) {
				r = -ENOMEM;
				break;
			}
			grabs = more;
		}
		grabs[n_grabs++] = (struct atspi_key_grab){ .keysym = sym, .modifiers = mods };
	}
	if (r >= 0) {
		r = sd_bus_message_exit_container(m);
	}
	if (r < 0) {
		free(syms);
		free(grabs);
		return r;
	}
	*syms_out = syms;
	*n_syms_out = n_syms;
	*grabs_out = grabs;
	*n_grabs_out = n_grabs;
	return 0;
}

int atspi_read_listeners(sd_bus_message *m, const char *self, bool *others) {
	*others = false;
	int r = sd_bus_message_enter_container(m, 'a', "(souua(iisi)u(bbb))");
	while (r >= 0 && !*others) {
		r = sd_bus_message_enter_container(m, 'r', "souua(iisi)u(bbb)");
		if (r <= 0) {
			break;
		}
		const char *name = NULL;
		r = sd_bus_message_read(m, "s", &name);
		*others = r >= 0 && name && (!self || strcmp(name, self) != 0);
		r = r >= 0 ? sd_bus_message_skip(m, "ouua(iisi)u(bbb)") : r;
		r = r >= 0 ? sd_bus_message_exit_container(m) : r;
	}
	return r < 0 ? r : 0;
}

int atspi_read_status(sd_bus_message *m, bool *seen, bool *enabled) {
	*seen = *enabled = false;
	int r = sd_bus_message_enter_container(m, 'a', "{sv}");
	while (r >= 0) {
		r = sd_bus_message_enter_container(m, 'e', "sv");
		if (r <= 0) {
			break;
		}
		const char *name = NULL;
		r = sd_bus_message_read(m, "s", &name);
		if (r < 0) {
			break;
		}
		const char *contents = NULL;
		bool ours = !strcmp(name, "IsEnabled") || !strcmp(name, "ScreenReaderEnabled");
		if (ours && sd_bus_message_peek_type(m, NULL, &contents) > 0 && contents &&
				!strcmp(contents, "b")) {
			int value = 0;
			r = sd_bus_message_read(m, "v", "b", &value);
			*seen = *seen || r >= 0;
			*enabled = *enabled || (r >= 0 && value);
		} else {
			r = sd_bus_message_skip(m, "v");
		}
		r = r >= 0 ? sd_bus_message_exit_container(m) : r;
	}
	return r < 0 ? r : 0;
}
