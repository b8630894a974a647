#ifndef COMP_DISPLAY_BACKEND_H
#define COMP_DISPLAY_BACKEND_H

#include <stdbool.h>
#include <wayland-server-core.h>
#include <wlr/backend.h>
#include <wlr/types/wlr_output.h>

/* Called once when displayd goes away or breaks the protocol; the outputs stay until the
 * compositor exits (the session restarts it). */
typedef void (*comp_display_lost_fn)(void *data);

/**
 * Connects to lumen-displayd at socket_name (a name in $XDG_RUNTIME_DIR or a path) and
 * becomes its master. NULL, with the reason logged, if it is not there or refuses us.
 * The backend is destroyed with the display, or by wlr_backend_destroy.
 */
struct wlr_backend *comp_display_backend_create(struct wl_display *display,
	const char *socket_name, comp_display_lost_fn lost_fn, void *lost_data);
bool comp_backend_is_display(struct wlr_backend *backend);
bool comp_output_is_display(struct wlr_output *output);

#endif
