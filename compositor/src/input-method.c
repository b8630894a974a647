/*
 * The input-method relay: text-input-v3 (in apps) and input-method-v2 (in the
 * input method, e.g. fcitx5) talk through us. Focus, surrounding text and content
 * type flow to the input method; preedit, commits and deletions flow back. The
 * input method's popup (the candidate list) is placed under the text cursor and
 * kept on the output.
 */
#include <stdlib.h>
#include <string.h>
#include <wlr/types/wlr_input_method_v2.h>
#include <wlr/types/wlr_text_input_v3.h>
#include <wlr/types/wlr_virtual_keyboard_v1.h>
#include "common/log.h"
#include "server.h"

struct comp_text_input {
	struct wl_list link; // comp_input_method_relay.text_inputs
	struct comp_input_method_relay *relay;
	struct wlr_text_input_v3 *input;
	struct wl_listener enable, commit, disable, destroy;
};

struct comp_im_popup {
	struct wl_list link; // comp_input_method_relay.popups
	struct comp_input_method_relay *relay;
	struct wlr_input_popup_surface_v2 *popup;
	struct wlr_scene_node *node;
	struct wl_listener map, unmap, destroy, commit;
};

struct comp_input_method_relay {
	struct comp_server *server;
	struct wl_list text_inputs; // comp_text_input.link
	struct wl_list popups; // comp_im_popup.link
	struct wlr_input_method_v2 *input_method; // may be NULL
	struct wlr_surface *focus;
	struct wl_listener new_text_input, new_input_method;
	struct wl_listener im_commit, im_destroy, im_new_popup, im_grab_keyboard, grab_destroy;
};

static struct comp_text_input *active_text_input(struct comp_input_method_relay *relay) {
	struct comp_text_input *ti;
	wl_list_for_each(ti, &relay->text_inputs, link) {
		if (ti->input->focused_surface && ti->input->current_enabled) {
			return ti;
		}
	}
	return NULL;
}

static void place_popup(struct comp_im_popup *popup) {
	struct comp_input_method_relay *relay = popup->relay;
	struct comp_text_input *ti = active_text_input(relay);
	if (!ti || !popup->node) {
		return;
	}
	struct comp_view *view = comp_view_from_surface(relay->server, ti->input->focused_surface);
	int ox = 0, oy = 0;
	if (view && view->content) {
		wlr_scene_node_coords(view->content, &ox, &oy);
		struct wlr_box geo = comp_view_geometry(view);
		ox -= geo.x;
		oy -= geo.y;
	}
	struct wlr_box cursor = ti->input->current.cursor_rectangle;
	int x = ox + cursor.x, y = oy + cursor.y + cursor.height;
	int w = popup->popup->surface->current.width, h = popup->popup->surface->current.height;
	struct comp_output *output = comp_output_at(relay->server, ox + cursor.x, oy + cursor.y);
	if (output) {
		struct wlr_box box;
		box = comp_layout_box(relay->server->output_layout, output->wlr_output);
		/* Below the cursor if it fits, else above; never off the output's sides. */
		if (y + h > box.y + box.height) {
			y = oy + cursor.y - h;
		}
		if (x + w > box.x + box.width) {
			x = box.x + box.width - w;
		}
		if (x < box.x) {
			x = box.x;
		}
		if (y < box.y) {
			y = box.y;
		}
	}
	wlr_scene_node_set_position(popup->node, x, y);
	struct wlr_box rect = {cursor.x - (x - ox), cursor.y - (y - oy), cursor.width, cursor.height};
	wlr_input_popup_surface_v2_send_text_input_rectangle(popup->popup, &rect);
}

static void send_state_to_im(struct comp_input_method_relay *relay,
		struct wlr_text_input_v3 *input) {
	struct wlr_input_method_v2 *im = relay->input_method;
	if (input->active_features & WLR_TEXT_INPUT_V3_FEATURE_SURROUNDING_TEXT) {
		wlr_input_method_v2_send_surrounding_text(im,
			input->current.surrounding.text ? input->current.surrounding.text : "",
			input->current.surrounding.cursor, input->current.surrounding.anchor);
	}
	wlr_input_method_v2_send_text_change_cause(im, input->current.text_change_cause);
	if (input->active_features & WLR_TEXT_INPUT_V3_FEATURE_CONTENT_TYPE) {
		wlr_input_method_v2_send_content_type(im, input->current.content_type.hint,
			input->current.content_type.purpose);
	}
	wlr_input_method_v2_send_done(im);
	struct comp_im_popup *popup;
	wl_list_for_each(popup, &relay->popups, link) {
		place_popup(popup);
	}
}

static void handle_ti_enable(struct wl_listener *listener, void *data) {
	struct comp_text_input *ti = wl_container_of(listener, ti, enable);
	struct wlr_input_method_v2 *im = ti->relay->input_method;
	/* After leave, a text input's requests are ignored until the next enter. */
	if (!im || !ti->input->focused_surface) {
		return;
	}
	wlr_input_method_v2_send_activate(im);
	send_state_to_im(ti->relay, ti->input);
}

static void handle_ti_commit(struct wl_listener *listener, void *data) {
	struct comp_text_input *ti = wl_container_of(listener, ti, commit);
	if (!ti->relay->input_method || !ti->input->current_enabled || !ti->input->focused_surface) {
		return;
	}
	send_state_to_im(ti->relay, ti->input);
}

static void handle_ti_disable(struct wl_listener *listener, void *data) {
	struct comp_text_input *ti = wl_container_of(listener, ti, disable);
	struct wlr_input_method_v2 *im = ti->relay->input_method;
	/* Losing focus already deactivated the input method; it may serve another by now. */
	if (!im || !ti->input->focused_surface) {
		return;
	}
	wlr_input_method_v2_send_deactivate(im);
	wlr_input_method_v2_send_done(im);
}

static void handle_ti_destroy(struct wl_listener *listener, void *data) {
	struct comp_text_input *ti = wl_container_of(listener, ti, destroy);
	if (ti->input->current_enabled && ti->input->focused_surface && ti->relay->input_method) {
		wlr_input_method_v2_send_deactivate(ti->relay->input_method);
		wlr_input_method_v2_send_done(ti->relay->input_method);
	}
	wl_list_remove(&ti->enable.link);
	wl_list_remove(&ti->commit.link);
	wl_list_remove(&ti->disable.link);
	wl_list_remove(&ti->destroy.link);
	wl_list_remove(&ti->link);
	free(ti);
}

static void handle_new_text_input(struct wl_listener *listener, void *data) {
	struct comp_input_method_relay *relay = wl_container_of(listener, relay, new_text_input);
	struct wlr_text_input_v3 *input = data;
	struct comp_text_input *ti = calloc(1, sizeof(*ti));
	if (!ti) {
		wl_resource_post_no_memory(input->resource);
		return;
	}
	ti->relay = relay;
	ti->input = input;
	ti->enable.notify = handle_ti_enable;
	wl_signal_add(&input->events.enable, &ti->enable);
	ti->commit.notify = handle_ti_commit;
	wl_signal_add(&input->events.commit, &ti->commit);
	ti->disable.notify = handle_ti_disable;
	wl_signal_add(&input->events.disable, &ti->disable);
	ti->destroy.notify = handle_ti_destroy;
	wl_signal_add(&input->events.destroy, &ti->destroy);
	wl_list_insert(&relay->text_inputs, &ti->link);
	if (relay->focus &&
			wl_resource_get_client(relay->focus->resource) ==
				wl_resource_get_client(input->resource)) {
		wlr_text_input_v3_send_enter(input, relay->focus);
	}
}

/*
 * wlroots 0.15.1 overwrites the current strings with the next commit's without
 * freeing them; once relayed they are ours to free (wlroots frees NULL safely).
 */
static void drop_im_strings(struct wlr_input_method_v2 *im) {
	free(im->current.preedit.text);
	im->current.preedit.text = NULL;
	free(im->current.commit_text);
	im->current.commit_text = NULL;
}

static void relay_im_commit(struct comp_input_method_relay *relay,
		struct wlr_input_method_v2 *im) {
	struct comp_text_input *ti = active_text_input(relay);
	if (!ti) {
		return;
	}
	if (im->current.preedit.text) {
		wlr_text_input_v3_send_preedit_string(ti->input, im->current.preedit.text,
			im->current.preedit.cursor_begin, im->current.preedit.cursor_end);
	}
	if (im->current.commit_text) {
		wlr_text_input_v3_send_commit_string(ti->input, im->current.commit_text);
	}
	if (im->current.delete.before_length || im->current.delete.after_length) {
		wlr_text_input_v3_send_delete_surrounding_text(ti->input,
			im->current.delete.before_length, im->current.delete.after_length);
	}
	wlr_text_input_v3_send_done(ti->input);
}

static void handle_im_commit(struct wl_listener *listener, void *data) {
	struct comp_input_method_relay *relay = wl_container_of(listener, relay, im_commit);
	struct wlr_input_method_v2 *im = relay->input_method;
	relay_im_commit(relay, im);
	drop_im_strings(im);
}


static void handle_grab_destroy(struct wl_listener *listener, void *data) {
	struct comp_input_method_relay *relay = wl_container_of(listener, relay, grab_destroy);
	wl_list_remove(&relay->grab_destroy.link);
	wl_list_init(&relay->grab_destroy.link);
}

static void handle_im_grab_keyboard(struct wl_listener *listener, void *data) {
	struct comp_input_method_relay *relay = wl_container_of(listener, relay, im_grab_keyboard);
	struct wlr_input_method_keyboard_grab_v2 *grab = data;
	struct wlr_keyboard *kbd = wlr_seat_get_keyboard(relay->server->seat);
	wlr_input_method_keyboard_grab_v2_set_keyboard(grab, kbd);
	wl_list_remove(&relay->grab_destroy.link);
	relay->grab_destroy.notify = handle_grab_destroy;
	wl_signal_add(&grab->events.destroy, &relay->grab_destroy);
}

static void handle_popup_map(struct wl_listener *listener, void *data) {
	struct comp_im_popup *popup = wl_container_of(listener, popup, map);
	wlr_scene_node_set_enabled(popup->node, true);
	place_popup(popup);
}

static void handle_popup_unmap(struct wl_listener *listener, void *data) {
	struct comp_im_popup *popup = wl_container_of(listener, popup, unmap);
	wlr_scene_node_set_enabled(popup->node, false);
}

static void handle_popup_commit(struct wl_listener *listener, void *data) {
	struct comp_im_popup *popup = wl_container_of(listener, popup, commit);
	place_popup(popup);
}

static void handle_popup_destroy(struct wl_listener *listener, void *data) {
	struct comp_im_popup *popup = wl_container_of(listener, popup, destroy);
	wl_list_remove(&popup->map.link);
	wl_list_remove(&popup->unmap.link);
	wl_list_remove(&popup->destroy.link);
	wl_list_remove(&popup->commit.link);
	wl_list_remove(&popup->link);
	wlr_scene_node_destroy(popup->node);
	free(popup);
}

static void handle_im_new_popup(struct wl_listener *listener, void *data) {
	struct comp_input_method_relay *relay = wl_container_of(listener, relay, im_new_popup);
	struct wlr_input_popup_surface_v2 *wlr_popup = data;
	struct comp_im_popup *popup = calloc(1, sizeof(*popup));
	if (!popup) {
		wl_resource_post_no_memory(wlr_popup->resource);
		return;
	}
	popup->relay = relay;
	popup->popup = wlr_popup;
	popup->node = wlr_scene_subsurface_tree_create(
		&relay->server->layers[COMP_LAYER_POPUPS]->node, wlr_popup->surface);
	if (!popup->node) {
		free(popup);
		wl_resource_post_no_memory(wlr_popup->resource);
		return;
	}
	wlr_scene_node_set_enabled(popup->node, wlr_popup->mapped);
	popup->map.notify = handle_popup_map;
	wl_signal_add(&wlr_popup->events.map, &popup->map);
	popup->unmap.notify = handle_popup_unmap;
	wl_signal_add(&wlr_popup->events.unmap, &popup->unmap);
	popup->destroy.notify = handle_popup_destroy;
	wl_signal_add(&wlr_popup->events.destroy, &popup->destroy);
	popup->commit.notify = handle_popup_commit;
	wl_signal_add(&wlr_popup->surface->events.commit, &popup->commit);
	wl_list_insert(&relay->popups, &popup->link);
	place_popup(popup);
}

static void handle_im_destroy(struct wl_listener *listener, void *data) {
	struct comp_input_method_relay *relay = wl_container_of(listener, relay, im_destroy);
	wl_list_remove(&relay->im_commit.link);
	wl_list_remove(&relay->im_destroy.link);
	wl_list_remove(&relay->im_new_popup.link);
	wl_list_remove(&relay->im_grab_keyboard.link);
	wl_list_remove(&relay->grab_destroy.link);
	wl_list_init(&relay->grab_destroy.link);
	relay->input_method = NULL;
	/* Apps lose their preedit when the input method goes away. */
	struct comp_text_input *ti = active_text_input(relay);
	if (ti) {
		wlr_text_input_v3_send_preedit_string(ti->input, NULL, 0, 0);
		wlr_text_input_v3_send_done(ti->input);
	}
}

static void handle_new_input_method(struct wl_listener *listener, void *data) {
	struct comp_input_method_relay *relay = wl_container_of(listener, relay, new_input_method);
	struct wlr_input_method_v2 *im = data;
	if (relay->input_method) {
		/* One input method per seat; a second one is told it is not needed. */
		wlr_input_method_v2_send_unavailable(im);
		return;
	}
	relay->input_method = im;
	relay->im_commit.notify = handle_im_commit;
	wl_signal_add(&im->events.commit, &relay->im_commit);
	relay->im_destroy.notify = handle_im_destroy;
	wl_signal_add(&im->events.destroy, &relay->im_destroy);
	relay->im_new_popup.notify = handle_im_new_popup;
	wl_signal_add(&im->events.new_popup_surface, &relay->im_new_popup);
	relay->im_grab_keyboard.notify = handle_im_grab_keyboard;
	wl_signal_add(&im->events.grab_keyboard, &relay->im_grab_keyboard);
	struct comp_text_input *ti = active_text_input(relay);
	if (ti) {
		wlr_input_method_v2_send_activate(im);
		send_state_to_im(relay, ti->input);
	}
}

bool comp_im_relay_handle_key(struct comp_input_method_relay *relay,
		struct wlr_input_device *device, uint32_t time, uint32_t keycode, uint32_t state) {
	if (!relay || !relay->input_method || !relay->input_method->keyboard_grab) {
		return false;
	}
	struct wlr_input_method_keyboard_grab_v2 *grab = relay->input_method->keyboard_grab;
	/* Keys the input method itself types (through a virtual keyboard) go to the app. */
	struct wlr_virtual_keyboard_v1 *vkbd = wlr_input_device_get_virtual_keyboard(device);
	if (vkbd && wl_resource_get_client(vkbd->resource) ==
			wl_resource_get_client(grab->resource)) {
		return false;
	}
	wlr_input_method_keyboard_grab_v2_set_keyboard(grab, device->keyboard);
	wlr_input_method_keyboard_grab_v2_send_key(grab, time, keycode, state);
	return true;
}

bool comp_im_relay_handle_modifiers(struct comp_input_method_relay *relay,
		struct wlr_input_device *device) {
	if (!relay || !relay->input_method || !relay->input_method->keyboard_grab) {
		return false;
	}
	struct wlr_input_method_keyboard_grab_v2 *grab = relay->input_method->keyboard_grab;
	struct wlr_virtual_keyboard_v1 *vkbd = wlr_input_device_get_virtual_keyboard(device);
	if (vkbd && wl_resource_get_client(vkbd->resource) ==
			wl_resource_get_client(grab->resource)) {
		return false;
	}
	wlr_input_method_keyboard_grab_v2_set_keyboard(grab, device->keyboard);
	wlr_input_method_keyboard_grab_v2_send_modifiers(grab, &device->keyboard->modifiers);
	return true;
}

void comp_im_relay_views_moved(struct comp_input_method_relay *relay) {
	if (!relay) {
		return;
	}
	struct comp_im_popup *popup;
	wl_list_for_each(popup, &relay->popups, link) {
		place_popup(popup);
	}
}

void comp_im_relay_set_focus(struct comp_input_method_relay *relay,
		struct wlr_surface *surface) {
	if (!relay) {
		return;
	}
	/* text-input follows keyboard focus; with no keyboard there is nothing to enter. */
	if (surface && relay->server->seat->keyboard_state.focused_surface != surface) {
		surface = NULL;
	}
	if (relay->focus == surface) {
		return;
	}
	relay->focus = surface;
	struct comp_text_input *ti;
	wl_list_for_each(ti, &relay->text_inputs, link) {
		if (ti->input->focused_surface) {
			if (ti->input->current_enabled && relay->input_method) {
				wlr_input_method_v2_send_deactivate(relay->input_method);
				wlr_input_method_v2_send_done(relay->input_method);
			}
			wlr_text_input_v3_send_leave(ti->input);
		}
		if (surface && wl_resource_get_client(surface->resource) ==
				wl_resource_get_client(ti->input->resource)) {
			wlr_text_input_v3_send_enter(ti->input, surface);
		}
	}
}

struct comp_input_method_relay *comp_im_relay_create(struct comp_server *server) {
	struct comp_input_method_relay *relay = calloc(1, sizeof(*relay));
	if (!relay) {
		return NULL;
	}
	relay->server = server;
	wl_list_init(&relay->text_inputs);
	wl_list_init(&relay->popups);
	wl_list_init(&relay->grab_destroy.link);
	server->text_input = wlr_text_input_manager_v3_create(server->display);
	server->input_method = wlr_input_method_manager_v2_create(server->display);
	relay->new_text_input.notify = handle_new_text_input;
	wl_signal_add(&server->text_input->events.text_input, &relay->new_text_input);
	relay->new_input_method.notify = handle_new_input_method;
	wl_signal_add(&server->input_method->events.input_method, &relay->new_input_method);
	return relay;
}

void comp_im_relay_destroy(struct comp_input_method_relay *relay) {
	if (!relay) {
		return;
	}
	wl_list_remove(&relay->new_text_input.link);
	wl_list_remove(&relay->new_input_method.link);
	free(relay);
}
