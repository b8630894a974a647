#!/bin/bash
# A drawing tablet's pen through lumen-inputd: lumen-inputctl's virtual tablet tool
# (pen-in, pen-move with pressure, pen-down, pen-up, pen-out) goes through inputd and
# lumen's input backend (compositor/src/input-backend.c, a wlr_tablet) to tablet.c:
# a client bound to zwp_tablet_manager_v2 gets proximity, motion in its surface's
# coordinates, pressure, down and up; a client without tablet-v2 gets the pointer; a
# pen unplugged with its tip down leaves nothing pressed. A virtual pad's button, ring
# and strip reach the client with the keyboard focus.
. "$TESTS_DIR/lib.sh"
printf '[decorations]\nmode = client\n' >"$T_DIR/lumen.ini"

start_inputd
start_lumen
wait_input_master 1 || bail "lumen did not become inputd's master"

tool_lines() { # NAME FROM: the tablet events the client got from line FROM on
	tail -n +"$2" "$T_DIR/$1.out" |
		grep -E '^tool (proximity|motion|pressure|distance|tilt|down|up|button|frame)'
}
lines() {
	wc -l <"$T_DIR/$1.out"
}
place() { # title x y
	"$LUMENCTL" move "$(window_field "$1" id)" to "$2" "$3" >/dev/null &&
		wait_for 5 field_is "$1" x "$2" && wait_for 5 field_is "$1" y "$3"
}
# The pen's range is 1281x721 on the 1280x720 output: a pen unit is a layout pixel
# (inputd's 0..1280 maps to 0..1 of the layout's width).
PEN="--name pen --size 1281x721"

spawn pen "$TC_TABLET" --title pen
wait_for 20 has_window pen && wait_for 5 out_has pen mapped || bail "the tablet client did not map"
place pen 100 100 || bail "cannot place the tablet client"
spawn plain "$TC_KEYLOG" --title plain --motion
wait_for 20 has_window plain || bail "keylog did not map"
place plain 700 100 || bail "cannot place keylog"

# --- the tablet-v2 client ---
from=$(($(lines pen) + 1))
# shellcheck disable=SC2086
inputctl_until 'out_has pen "tool proximity_out"' $PEN pen-in 150 130 pen-move 160 140 \
	pen-down 0.5 pen-move 170 150 0.75 pen-up pen-out
ok $? "a pen from inputctl comes and goes (proximity_in ... proximity_out)"
grep -qx 'tablet name pen pen' "$T_DIR/pen.out"
ok $? "inputd's tablet tool is a tablet of the client's tablet seat ('pen pen')"
grep -qx "tool type pen" "$T_DIR/pen.out" && grep -qx "tool capability pressure" "$T_DIR/pen.out"
ok $? "its tool is a pen with pressure"
got=$(tool_lines pen "$from" | grep -v '^tool frame$')
expected="tool proximity_in main
tool motion 50.00 30.00
tool distance 1000
tool motion 60.00 40.00
tool pressure 32767
tool distance 0
tool down
tool motion 70.00 50.00
tool pressure 49151
tool pressure 0
tool up
tool proximity_out"
[ "$got" = "$expected" ]
ok $? "in, move, down with pressure 0.5, draw with 0.75, up, out: in order, at surface coordinates"
[ "$got" = "$expected" ] || diag "got: $(echo "$got" | tr '\n' '|')"
! grep -qE '^button ' "$T_DIR/pen.out"
ok $? "and no emulated pointer button reached the tablet client"

# --- a client without tablet-v2: pointer emulation ---
# shellcheck disable=SC2086
inputctl_until 'out_has plain "button 272 released"' $PEN pen-in 750 150 sleep 100 \
	pen-down pen-move 760 170 pen-up pen-out
out_has plain "pointer enter 50 50"
ok $? "a client without tablet-v2: the pen entering is the pointer entering (50,50)"
out_has plain "button 272 pressed" && out_has plain "pointer motion 60 70"
ok $? "the tip is the left button, the pen moving is pointer motion (60,70)"

# --- unplugged with the tip down: nothing stays pressed ---
from=$(($(lines pen) + 1))
# shellcheck disable=SC2086
inputctl $PEN pen-in 200 200 pen-down 0.3 sleep 300
wait_for 10 sh -c "tail -n +$from '$T_DIR/pen.out' | grep -q '^tool proximity_out'"
ok $? "a pen unplugged with its tip down leaves proximity"
got=$(tool_lines pen "$from" | grep -E '^tool (down|up|proximity)')
[ "$got" = "tool proximity_in main
tool down
tool up
tool proximity_out" ]
ok $? "its tip was lifted first (down, up, proximity_out: $(echo "$got" | tr '\n' ' '))"
# And the pen works again afterwards.
from=$(($(lines pen) + 1))
# shellcheck disable=SC2086
inputctl_until "tail -n +$from '$T_DIR/pen.out' | grep -q '^tool up'" $PEN pen-in 210 210 \
	pen-down pen-up pen-out
ok $? "a new pen works after it (down and up)"

# --- a pad: it follows the keyboard focus to the tablet-v2 client ---
"$LUMENCTL" focus "$(window_field pen id)" >/dev/null
wait_for 5 field_is pen focused 1 || bail "cannot focus the tablet client"
pad_lines() {
	grep -E '^(pad (enter|leave|button|mode_switch)|ring|strip) ' "$T_DIR/pen.out"
}
# shellcheck disable=SC2086
inputctl_until 'out_has pen "strip stop"' $PEN pen-in 150 130 pen-out pad-button 1 \
	pad-ring 90 pad-strip 0.5
ok $? "a pad from inputctl reaches the client (buttons, ring, strip)"
grep -qx 'pad buttons 10' "$T_DIR/pen.out" && grep -qx 'pad group ring' "$T_DIR/pen.out" &&
	grep -qx 'pad group strip' "$T_DIR/pen.out"
ok $? "announced with 10 buttons, a ring and a strip in its group"
got=$(pad_lines | grep -v 'frame$')
expected="pad enter main
pad mode_switch 0
pad button 1 pressed
pad button 1 released
ring source finger
ring angle 90.00
ring source finger
ring stop
strip source finger
strip position 32767
strip source finger
strip stop"
[ "$got" = "$expected" ]
ok $? "the focused client gets enter, the button, the ring at 90 degrees, the strip at half"
[ "$got" = "$expected" ] || diag "got: $(echo "$got" | tr '\n' '|')"

stop_lumen
ok $? "lumen exits cleanly"
stop_inputd
ok $? "lumen-inputd exits cleanly"
done_testing
