#ifndef DS_BACKEND_H
#define DS_BACKEND_H

/*
 * The seam between displayd's core (protocol, clients, master, frame bookkeeping:
 * server.c, output.c, buffer.c) and a backend (virtual-backend.c, kms-backend.c).
 *
 * The core owns every struct here. A backend embeds struct ds_backend / struct
 * ds_output at the start of its own structs and fills in the impl pointers.
 *
 * Frames: the core hands a backend at most one frame at a time per output
 * (ds_output_impl.commit). The backend shows it at the next vblank and then calls
 * ds_output_frame_done() exactly once, from the event loop, never from inside
 * commit (present after commit, DESIGN.md). Commits that the master sends while a
 * frame is in flight wait in the core; a newer one replaces (discards) an older one.
 */

#include <pixman.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <wayland-server-core.h>

struct ds_server;
struct ds_backend;
struct ds_output;

struct ds_mode {
	int32_t width, height;
	int32_t refresh; // mHz
	bool preferred;
};

enum ds_buffer_type {
	DS_BUFFER_SHM,
	DS_BUFFER_DMABUF,
};

#define DS_DMABUF_MAX_PLANES 4

/* An imported buffer. The core maps shm once; a backend may keep a lock on it for as
 * long as it reads from it (a scanned-out dmabuf) with ds_buffer_lock/unlock. */
struct ds_buffer {
	enum ds_buffer_type type;
	int32_t width, height;
	uint32_t format; // DRM fourcc
	/* shm: the mapping (offset applied) */
	void *data;
	int32_t stride;
	/* dmabuf */
	int n_planes;
	int fds[DS_DMABUF_MAX_PLANES];
	uint32_t offsets[DS_DMABUF_MAX_PLANES];
	uint32_t strides[DS_DMABUF_MAX_PLANES];
	uint64_t modifier;

	void *backend_data; // a backend's import (e.g. a KMS framebuffer id), may be NULL
	void (*backend_data_destroy)(struct ds_buffer *buffer);
	/* private to the core */
	int locks;
	struct wl_resource *resource; // NULL once the client destroyed it
	size_t map_size;
	void *map;
	bool core_owned; // data is the core's own memory (the "restarting" frame), freed with it
	bool invalid; // a dmabuf the backend could not import: using it is invalid_buffer
};

void ds_buffer_lock(struct ds_buffer *buffer);
/* A backend brackets its reads of an shm buffer's data with these. A client that
 * shrinks its file after the import would make the reads fault (SIGBUS); between them
 * the pages past the end read as zeros instead. end returns false when that happened:
 * the client has then got the error shrunk, and the buffer is invalid. */
void ds_buffer_begin_access(struct ds_buffer *buffer);
bool ds_buffer_end_access(struct ds_buffer *buffer);
/** Drops a lock; the last one (with the client's object gone) frees the buffer. */
void ds_buffer_unlock(struct ds_buffer *buffer);

struct ds_backend_impl {
	/* Calls ds_output_remove for each of its outputs, then frees them and itself. */
	void (*destroy)(struct ds_backend *backend);
	/* Virtual backend only (NULL elsewhere): hotplug an output. */
	struct ds_output *(*add_output)(struct ds_backend *backend, int32_t width, int32_t height,
		int32_t refresh);
	/* Formats/modifiers an output scans out are on the output; the backend offers a
	 * render node fd (dup'd for each client by the core) or -1. */
	int render_node_fd;
	/* Import a dmabuf whose planes the core checked (buffer->fds etc., owned by the
	 * buffer); may set backend_data. false: the client gets release and the buffer is
	 * invalid. NULL: the backend has no GPU and the client gets the error unsupported. */
	bool (*import_dmabuf)(struct ds_backend *backend, struct ds_buffer *buffer);
};

struct ds_output_impl {
	/* Set mode and enabled, or only check them when test_only. On failure sets *reason
	 * (a static string) and returns false. */
	bool (*configure)(struct ds_output *output, const struct ds_mode *mode, bool enabled,
		bool test_only, const char **reason);
	/* Show buffer at the next vblank. damage is in buffer pixels, already clipped; it is
	 * this frame's damage only (a double-buffered backend adds the previous frame's).
	 * Returns false if the frame cannot be shown (it is then discarded). The backend
	 * calls ds_output_frame_done later, exactly once, for a frame it accepted. */
	bool (*commit)(struct ds_output *output, struct ds_buffer *buffer,
		const pixman_region32_t *damage);
	/* buffer NULL hides the cursor. Returns false if the backend cannot take it. */
	bool (*set_cursor)(struct ds_output *output, struct ds_buffer *buffer, int32_t hot_x,
		int32_t hot_y);
	void (*move_cursor)(struct ds_output *output, int32_t x, int32_t y);
	/* ramps: 3 * gamma_size values, or NULL for identity */
	bool (*set_gamma)(struct ds_output *output, const uint16_t *ramps);
	bool (*set_power)(struct ds_output *output, bool on);
	/* What a viewer sees (last latched frame, gamma, cursor) into dst, XRGB8888 or
	 * ARGB8888 at the output's current size. *latched gets the frame's time. */
	bool (*capture)(struct ds_output *output, void *dst, int32_t stride, uint32_t format,
		struct timespec *latched);
	/* Only outputs that can be unplugged on request (virtual) */
	bool (*remove)(struct ds_output *output);
	void (*destroy)(struct ds_output *output);
};

/* Filled in by the backend before ds_output_add(); the core keeps it current. */
struct ds_output {
	const struct ds_output_impl *impl;
	struct ds_backend *backend;
	char name[128]; // "display:virtual/0"
	char make[64], model[64], serial[64];
	int32_t phys_width_mm, phys_height_mm;
	struct ds_mode *modes; // backend-owned array
	size_t n_modes;
	struct ds_mode current; // valid when enabled
	bool enabled, power_on;
	uint32_t gamma_size; // 0: no gamma
	int32_t cursor_width, cursor_height; // 0: no cursor plane (the core refuses cursors)
	const uint32_t *formats; // scanout formats, with modifiers below; backend-owned
	const uint64_t *modifiers;
	size_t n_formats;
	/* Bytes the backend copied out of shm buffers (damaged rectangles only); the core
	 * reports it to clients (lumen_display_output_v1.get_stats). */
	uint64_t bytes_copied;

	/* private to the core */
	struct ds_server *server;
	struct wl_list link; // ds_server.outputs
	struct wl_list resources;
	void *core; // pending state, frames in flight
};

struct ds_backend {
	const struct ds_backend_impl *impl;
	struct ds_server *server;
	struct wl_event_loop *loop;
};

/** Announces a backend's new output to every client (hotplug included). */
void ds_output_add(struct ds_server *server, struct ds_output *output);
/** Tells clients the output is gone and discards its frames, the one in flight in the
 * backend included (the backend must not call ds_output_frame_done for it afterwards);
 * the backend then frees it. */
void ds_output_remove(struct ds_output *output);
/** Tells clients about a changed mode/state (e.g. after a VT switch or a hotplugged mode). */
void ds_output_state_changed(struct ds_output *output);

enum ds_present_flags {
	DS_PRESENT_VSYNC = 1,
	DS_PRESENT_HW_CLOCK = 2,
	DS_PRESENT_HW_COMPLETION = 4,
	DS_PRESENT_ZERO_COPY = 8,
};

/** The frame accepted by the last commit is on screen since when (CLOCK_MONOTONIC).
 * presented false: it never made it (e.g. the output was switched off). */
void ds_output_frame_done(struct ds_output *output, bool presented, const struct timespec *when,
	uint64_t seq, uint32_t flags);

/* Backends (each in its own file; the kms one only where libdrm is found). */
struct ds_backend *ds_virtual_backend_create(struct ds_server *server, struct wl_event_loop *loop);
/** Opens a DRM card (path NULL: the first with connectors); NULL with a log if none. */
struct ds_backend *ds_kms_backend_create(struct ds_server *server, struct wl_event_loop *loop,
	const char *path);

#endif
