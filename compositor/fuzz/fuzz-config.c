/*
 * libFuzzer target for lumen.ini parsing. Each input is parsed twice over one config,
 * so the merge paths (binding override and removal, [output] merging, de-duplicated
 * lists) run too, then the config's invariants are checked and it is freed: a leak
 * shows up under LeakSanitizer, a broken invariant as an abort.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "common/log.h"
#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_invariants(const struct comp_config *config) {
	for (size_t i = 0; i < config->bindings.len; i++) {
		const struct comp_binding *a = config->bindings.items[i];
		if (!a->action || a->action[0] == '\0' || a->sym != xkb_keysym_to_lower(a->sym)) {
			abort();
		}
		for (size_t j = i + 1; j < config->bindings.len; j++) {
			const struct comp_binding *b = config->bindings.items[j];
			if (a->modifiers == b->modifiers && a->sym == b->sym) {
				abort(); // one chord, two bindings
			}
		}
	}
	for (size_t i = 0; i < config->outputs.len; i++) {
		const struct comp_output_config *oc = config->outputs.items[i];
		if (comp_config_find_output(config, oc->name) != oc) {
			abort(); // two sections for one name were not merged
		}
		if ((oc->has_mode && (oc->width <= 0 || oc->height <= 0 || oc->refresh_mhz < 0)) ||
				oc->scale < 0 || oc->scale > 10 || oc->enabled < -1 || oc->enabled > 1) {
			abort();
		}
	}
	if (config->repeat_rate < 0 || config->repeat_rate > 1000 || config->repeat_delay < 0 ||
			config->repeat_delay > 10000 || config->title_height < 12 ||
			config->title_height > 100 || config->color_focused > 0xffffff ||
			config->color_unfocused > 0xffffff || config->color_text > 0xffffff) {
		abort();
	}
	for (size_t i = 0; i < config->errors.len; i++) {
		const char *msg = config->errors.items[i];
		if (strncmp(msg, "fuzz.ini:", 9) != 0) {
			abort();
		}
		/* config.c's reader checks each line as inih would; "syntax error" is its
		 * fallback for a line inih rejected and the reader let through. */
		const char *rest = msg + 9;
		while (*rest >= '0' && *rest <= '9') {
			rest++;
		}
		if (strcmp(rest, ": syntax error") == 0) {
			abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	static bool initialized;
	if (!initialized) {
		/* Thousands of bad lines a second would drown the fuzzer's own output. */
		lumen_log_init(LUMEN_SILENT);
		initialized = true;
	}
	char *text = malloc(size + 1);
	if (!text) {
		return 0;
	}
	memcpy(text, data, size);
	text[size] = '\0';

	struct comp_config config;
	comp_config_init(&config);
	comp_config_parse_string(&config, "fuzz.ini", text);
	comp_config_parse_string(&config, "fuzz.ini", text);
	check_invariants(&config);

	/* The first line as a chord, so odd key names reach xkbcommon directly too. */
	char *newline = strchr(text, '\n');
	if (newline) {
		*newline = '\0';
	}
	uint32_t modifiers;
	xkb_keysym_t sym;
	if (comp_config_parse_chord(text, &modifiers, &sym) && sym != xkb_keysym_to_lower(sym)) {
		abort();
	}

	comp_config_finish(&config);
	free(text);
	return 0;
}
