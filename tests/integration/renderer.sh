#!/bin/bash
# The compositor chooses its renderer through gpu/ (compositor/src/renderer.c) when
# WLR_RENDERER does not decide: GLES2 on the backend's DRM node where its Mesa driver
# renders in hardware, else pixman; the choice and its reason are logged and reported
# by IPC ("outputs" → "renderer": {name, why}). Here wlroots' headless backend: on a
# machine without /dev/dri it has no DRM node, so pixman, because there is no device.
# WLR_RENDERER, where set, still decides. (The GLES2 side is shown in the virgl VM:
# tests/vm/gles-vm.sh.)
. "$TESTS_DIR/lib.sh"

[ -f "$T_DIR/lumen.ini" ] || : >"$T_DIR/lumen.ini"
# As start_lumen, without WLR_RENDERER.
env -u WLR_RENDERER WLR_BACKENDS=headless WLR_LIBINPUT_NO_DEVICES=1 \
	"$LUMEN" --no-xwayland --no-autostart -S "$T_SOCKET" -c "$T_DIR/lumen.ini" \
	-o 1280x720 >"$T_DIR/lumen.log" 2>&1 &
LUMEN_PID=$!
export WAYLAND_DISPLAY="$T_SOCKET"
export LUMEN_IPC_SOCKET="$XDG_RUNTIME_DIR/lumen-ipc.$T_SOCKET.sock"
wait_for 20 test -S "$LUMEN_IPC_SOCKET" || bail "lumen did not start"
wait_for 10 "$LUMENCTL" outputs || bail "lumen does not answer IPC"

rname=$(ipc_json "j['renderer']['name']" outputs)
why=$(ipc_json "j['renderer']['why']" outputs)
diag "renderer: $rname ($why)"
if ls /dev/dri/renderD* >/dev/null 2>&1; then
	# A machine with a GPU: whichever gpu/ chose, it names the node it looked at.
	case "$rname" in gles2 | pixman) r=0 ;; *) r=1 ;; esac
	[ $r -eq 0 ] && echo "$why" | grep -q '/dev/dri/'
	ok $? "IPC names the renderer and the device it was chosen for ($rname: $why)"
else
	[ "$rname" = pixman ] && echo "$why" | grep -q 'no DRM device'
	ok $? "without /dev/dri: pixman, because there is no DRM device ($rname: $why)"
fi
grep -q "renderer: $rname (" "$T_DIR/lumen.log"
ok $? "the log says the same ($(grep -o 'renderer: .*' "$T_DIR/lumen.log" | head -n 1))"

# And it renders: a client's colour reaches the output.
spawn client "$TC_KEYLOG" --title painted --color 20c060
wait_for 20 has_window painted
ok $? "a client maps"
sleep 0.5
capture "$T_DIR/out.png"
n=$("$PNG_TOOL" count "$T_DIR/out.png" 0 0 1280 720 20c060)
[ "${n:-0}" -gt 50000 ]
ok $? "the $rname renderer draws its pixels ($n of colour 20c060)"
stop_lumen

# WLR_RENDERER still decides where it is set (as every other test sets it).
start_lumen
why=$(ipc_json "j['renderer']['why']" outputs)
[ "$(ipc_json "j['renderer']['name']" outputs)" = pixman ] &&
	[ "$why" = "WLR_RENDERER=pixman asks for it" ]
ok $? "WLR_RENDERER=pixman is obeyed, and IPC says so ($why)"
done_testing
