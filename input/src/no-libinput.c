/*
 * Builds without libinput (or for the fuzzer, which serves drivers only): no real
 * devices.
 */
#include "common/log.h"
#include "core.h"

struct input_libinput *input_libinput_create(struct input_server *server, const char *seat) {
	lumen_log(LUMEN_WARN, "built without libinput: no real devices");
	return NULL;
}

void input_libinput_destroy(struct input_libinput *li) {
}
