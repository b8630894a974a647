#!/bin/bash
# lumen runs nested, as a window of another Wayland compositor (here: lumen itself,
# headless), through wlroots' Wayland backend, chosen by autocreate from
# WAYLAND_DISPLAY; what its clients draw shows in the outer capture.
. "$TESTS_DIR/lib.sh"
start_lumen

WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1 \
	"$LUMEN" --no-xwayland --no-autostart -S lumen-inner -c "$T_DIR/lumen.ini" \
	>"$T_DIR/inner.log" 2>&1 &
T_PIDS="$T_PIDS $!"
inner_ipc="$XDG_RUNTIME_DIR/lumen-ipc.lumen-inner.sock"
wait_for 20 test -S "$inner_ipc"
ok $? "a second lumen starts inside the first"
wait_for 10 has_windows 1
ok $? "it shows as a window of the outer one"
outputs=$("$LUMENCTL" --socket "$inner_ipc" -c outputs)
echo "$outputs" | grep -q '"name": *"WL-1"'
ok $? "its output is a Wayland backend output (WL-1)"

WAYLAND_DISPLAY=lumen-inner spawn inner_client "$TC_KEYLOG" --title inside --color 00c0ff
wait_for 20 sh -c "$LUMENCTL --socket '$inner_ipc' -c windows | grep -q inside"
ok $? "a client maps inside the nested lumen"
sleep 1
capture "$T_DIR/outer.png"
blue=$("$PNG_TOOL" count "$T_DIR/outer.png" 0 0 1280 720 00c0ff)
[ "$blue" -gt 50000 ]
ok $? "and its pixels reach the outer output ($blue)"
done_testing
