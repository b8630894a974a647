#ifndef DS_CORE_H
#define DS_CORE_H

/*
 * Private to the core (server.c, output.c, buffer.c): the server struct and the
 * per-output frame bookkeeping. Backends see only backend.h.
 */

#include <stdbool.h>
#include <stdint.h>
#include <wayland-server-core.h>
#include "common/listener.h"
#include "backend.h"
#include "display-server/server.h"

struct ds_server {
	struct wl_display *display;
	struct wl_event_loop *loop;
	struct wl_global *global;
	struct ds_backend *backend;
	bool virtual; // the backend is the virtual one (hotplug on request)
	int32_t virtual_max_size;
	struct wl_list outputs; // ds_output.link
	struct wl_list display_resources; // wl_resource_get_link of lumen_display_v1 objects

	struct wl_client *master; // may be NULL
	/* The master committed a frame: when it leaves, the restarting frame follows in
	 * time. A tool that only set a mode (lumen-displayctl) leaves the screen alone. */
	bool master_committed;
	struct wl_listener master_destroy;

	int restart_frame_after_ms; // < 0: never
	struct wl_event_source *restart_timer;

	struct lumen_listener listener;
};

/* A commit on its way to the screen. resource is NULL for the core's own frames (the
 * "restarting" frame) and once the client is gone. */
struct ds_frame {
	struct wl_resource *resource;
	struct ds_buffer *buffer; // locked by the frame
	pixman_region32_t damage;
};

/* ds_output.core */
struct ds_output_state {
	struct ds_output *output;
	/* the master's pending state */
	struct ds_buffer *pending_buffer; // locked; stays attached after a commit
	bool pending_new_buffer; // attached since the last commit
	pixman_region32_t pending_damage;
	/* frames */
	struct ds_frame *in_flight; // handed to the backend, may be NULL
	struct ds_frame *queued; // waiting for in_flight to finish, may be NULL
	/* Damage of frames that never reached the screen: the next frame copies it too,
	 * since its buffer holds the whole picture but the screen missed those changes. */
	pixman_region32_t lost_damage;
	struct ds_buffer *scanned_out; // a dmabuf on screen, released at the next flip
	uint32_t presented, discarded;
	bool removed;
};

/* server.c */
bool ds_server_is_master(struct ds_server *server, struct wl_client *client);
/** Posts not_master on resource unless its client is the master. */
bool ds_server_check_master(struct ds_server *server, struct wl_resource *resource);
void ds_server_send_output_to_all(struct ds_server *server, struct ds_output *output);

/* output.c */
/** Creates the client's resource for output and sends its description; false on no memory. */
bool ds_output_send_to_client(struct ds_output *output, struct wl_resource *display_resource);
/** The master left: drop pending state and frames (outputs keep their last frame). */
void ds_output_master_gone(struct ds_output *output);
/** Commits the "restarting" frame (no master for a while). */
void ds_output_show_restart_frame(struct ds_output *output);
void ds_output_state_destroy(struct ds_output *output);

/* buffer.c */
void ds_buffer_create_shm(struct wl_client *client, struct wl_resource *display_resource,
	uint32_t id, int fd, uint32_t offset, int32_t width, int32_t height, int32_t stride,
	uint32_t format);
void ds_dmabuf_params_create(struct ds_server *server, struct wl_resource *display_resource,
	uint32_t id);
/** The buffer behind a lumen_display_buffer_v1 resource (never NULL for a live one). */
struct ds_buffer *ds_buffer_from_resource(struct wl_resource *resource);
/** A buffer of the core's own memory (XRGB8888, stride width*4), locked once. */
struct ds_buffer *ds_buffer_create_internal(int32_t width, int32_t height);
void ds_buffer_send_release(struct ds_buffer *buffer);
/** Brackets access to a client's mapped memory: a SIGBUS inside (the client shrank the
 * file) maps zero pages there; end returns false if that happened. */
void ds_client_memory_begin(void *map, size_t size);
bool ds_client_memory_end(void);
bool ds_format_is_shm(uint32_t format);
/** Bytes per pixel and size checks shared with capture. */
bool ds_shm_layout_ok(int32_t width, int32_t height, int32_t stride, uint32_t format);

#define DS_FORMAT_XRGB8888 0x34325258u // 'XR24'
#define DS_FORMAT_ARGB8888 0x34325241u // 'AR24'
#define DS_MAX_BUFFER_SIZE 16384

#endif
