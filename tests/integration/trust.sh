#!/bin/bash
# Privileged globals: an untrusted client does not see them; a trusted one does
# (the trusted socket, or a client that lumen started itself).
. "$TESTS_DIR/lib.sh"
start_lumen

privileged="zwlr_screencopy_manager_v1 zwlr_data_control_manager_v1 \
zwp_virtual_keyboard_manager_v1 zwlr_virtual_pointer_manager_v1 \
zwlr_foreign_toplevel_manager_v1 zwlr_output_manager_v1 zwlr_output_power_manager_v1 \
zwlr_gamma_control_manager_v1 zwp_input_method_manager_v2 zwlr_export_dmabuf_manager_v1 \
zwlr_input_inhibit_manager_v1 ext_session_lock_manager_v1 ext_foreign_toplevel_list_v1 \
ext_workspace_manager_v1"
ordinary="wl_compositor wl_subcompositor wl_shm wl_seat wl_output wl_data_device_manager \
xdg_wm_base zxdg_output_manager_v1 zxdg_decoration_manager_v1 \
org_kde_kwin_server_decoration_manager zwlr_layer_shell_v1 \
zwp_primary_selection_device_manager_v1 wp_viewporter wp_presentation \
zwp_idle_inhibit_manager_v1 zwp_relative_pointer_manager_v1 zwp_pointer_constraints_v1 \
zwp_pointer_gestures_v1 xdg_activation_v1 zwp_keyboard_shortcuts_inhibit_manager_v1 \
zwp_text_input_manager_v3 zxdg_exporter_v2 zxdg_importer_v2 zwp_tablet_manager_v2 \
org_kde_kwin_idle ext_idle_notifier_v1 wp_fractional_scale_manager_v1 \
wp_single_pixel_buffer_manager_v1 wp_cursor_shape_manager_v1 wp_security_context_manager_v1 \
wp_content_type_manager_v1 wp_tearing_control_manager_v1"

"$TC_GLOBALS" >"$T_DIR/plain.txt"
WAYLAND_DISPLAY=$T_SOCKET-trusted "$TC_GLOBALS" >"$T_DIR/trusted.txt"
"$LUMENCTL" exec "$TC_GLOBALS > $T_DIR/spawned.txt" >/dev/null
wait_for 10 test -s "$T_DIR/spawned.txt"

missing=""
for g in $ordinary; do
	grep -q "^$g " "$T_DIR/plain.txt" || missing="$missing $g"
done
[ -z "$missing" ]
ok $? "an untrusted client sees every ordinary global (missing:${missing:- none})"
leaked=""
for g in $privileged; do
	grep -q "^$g " "$T_DIR/plain.txt" && leaked="$leaked $g"
done
[ -z "$leaked" ]
ok $? "an untrusted client sees no privileged global (seen:${leaked:- none})"
for who in trusted spawned; do
	missing=""
	for g in $privileged $ordinary; do
		grep -q "^$g " "$T_DIR/$who.txt" || missing="$missing $g"
	done
	[ -z "$missing" ]
	ok $? "a $who client sees all of them (missing:${missing:- none})"
done
# Binding by name is refused too, not merely hidden: grim cannot capture.
! grim "$T_DIR/no.png" 2>/dev/null
ok $? "grim on the ordinary socket cannot capture"
perm=$(stat -c %a "$XDG_RUNTIME_DIR/$T_SOCKET-trusted")
[ -S "$XDG_RUNTIME_DIR/$T_SOCKET-trusted" ]
ok $? "the trusted socket exists (mode $perm)"
[ $((8#$perm & 8#077)) -eq 0 ]
ok $? "and only its owner may connect to it"
done_testing
