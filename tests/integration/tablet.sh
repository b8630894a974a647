#!/bin/bash
# Drawing tablets (tablet-unstable-v2): a client that binds the tablet manager gets
# the pen's own events, in order, in its surface's coordinates; one that does not
# gets a pointer from it (motion, the tip as the left button, the stylus button as
# the right). Pads follow the keyboard focus. The pen and pad are injected through
# the compositor's test hooks by lumen-harness, which runs lumen from a FIFO of
# commands.
. "$TESTS_DIR/lib.sh"
printf '[decorations]\nmode = client\n' >"$T_DIR/lumen.ini"
mkfifo "$T_DIR/harness.fifo"
LUMEN="$LUMEN_HARNESS" start_lumen --commands "$T_DIR/harness.fifo"

H_SENT=0
harness_answered() { # N: true once N commands have been answered
	[ "$(grep -cE '^(ok|error): ' "$T_DIR/lumen.log")" -ge "$1" ]
}
# harness COMMAND...: each is handled, its events flushed, before the next is sent.
harness() {
	for c in "$@"; do
		timeout 5 bash -c 'echo "$1" >"$2"' _ "$c" "$T_DIR/harness.fifo" ||
			bail "lumen-harness takes no commands"
		H_SENT=$((H_SENT + 1))
		wait_for 20 harness_answered "$H_SENT" || bail "no answer to '$c'"
		grep -qxF "ok: $c" "$T_DIR/lumen.log" || bail "lumen-harness refused '$c'"
	done
}

# The tablet events a client received, without the tablet's, tool's and pad's
# descriptions, from line FROM on.
tool_lines() { # NAME [FROM]
	tail -n +"${2:-1}" "$T_DIR/$1.out" | grep -E '^tool (proximity|motion|pressure|distance|tilt|rotation|slider|wheel|down|up|button|frame)'
}
lines() { # NAME
	wc -l <"$T_DIR/$1.out"
}
# Waits until the client's tablet events from line FROM are exactly EXPECTED.
tool_lines_are() { # NAME FROM EXPECTED
	[ "$(tool_lines "$1" "$2")" = "$3" ]
}
check_tool_lines() { # description NAME FROM EXPECTED
	wait_for 5 tool_lines_are "$2" "$3" "$4"
	status=$?
	ok $status "$1"
	if [ $status -ne 0 ]; then
		diag "expected:"
		diag "$4"
		diag "received:"
		diag "$(tool_lines "$2" "$3")"
	fi
}

place() { # title x y: the window's content (no decorations here) at x, y
	"$LUMENCTL" move "$(window_field "$1" id)" to "$2" "$3" >/dev/null &&
		wait_for 5 field_is "$1" x "$2" && wait_for 5 field_is "$1" y "$3"
}

# --- A client that speaks tablet-v2 ---
spawn pen "$TC_TABLET" --title pen
wait_for 20 has_window pen && wait_for 5 out_has pen mapped || bail "the tablet client did not map"
place pen 100 100 || bail "cannot place the tablet client"
# A client without tablet-v2, next to it; it has the keyboard focus to begin with.
spawn plain "$TC_KEYLOG" --title plain --motion
wait_for 20 has_window plain || bail "keylog did not map"
place plain 700 100 || bail "cannot place keylog"
"$LUMENCTL" focus "$(window_field plain id)" >/dev/null
wait_for 5 field_is plain focused 1 || bail "cannot focus keylog"

harness "tablet add"
wait_for 5 out_has pen "tablet done"
ok $? "a tablet plugged in is announced to the client (tablet added, done)"

from=$(($(lines pen) + 1))
harness "tablet in 150 130"
wait_for 5 out_has pen "tool done"
ok $? "the pen, on first sight, is announced to the client (tool added ... done)"
grep -qx "tool type pen" "$T_DIR/pen.out" && grep -qx "tool capability pressure" "$T_DIR/pen.out" &&
	grep -qx "tool capability tilt" "$T_DIR/pen.out"
ok $? "as a pen with pressure and tilt"

harness "tablet move 160 140" "tablet pressure 0.5" "tablet down" "tablet move 170 150" \
	"tablet tilt 10 -5" "tablet button stylus press" "tablet button stylus release" \
	"tablet up" "tablet out"
expected="tool proximity_in main
tool motion 50.00 30.00
tool frame
tool motion 60.00 40.00
tool frame
tool pressure 32767
tool frame
tool down
tool frame
tool motion 70.00 50.00
tool frame
tool tilt 10.00 -5.00
tool frame
tool button 331 pressed
tool frame
tool button 331 released
tool frame
tool up
tool frame
tool proximity_out
tool frame"
check_tool_lines "in, move, press with pressure, draw, tilt, stylus button, lift, out: exactly those events, in order, in surface coordinates" pen "$from" "$expected"
! grep -qE '^button ' "$T_DIR/pen.out"
ok $? "and no emulated pointer button reached the tablet client"
wait_for 5 field_is pen focused 1
ok $? "pressing the pen on the window focused it, as a click would"

# The other axes, while the pen hovers.
from=$(($(lines pen) + 1))
harness "tablet in 150 130" "tablet distance 0.25" "tablet rotation 45" "tablet slider -0.5" \
	"tablet wheel 30" "tablet out"
expected="tool proximity_in main
tool motion 50.00 30.00
tool frame
tool distance 16383
tool frame
tool rotation 45.00
tool frame
tool slider -32767
tool frame
tool wheel 30.00 2
tool frame
tool proximity_out
tool frame"
check_tool_lines "hovering: distance, rotation, slider and wheel (degrees and clicks)" pen "$from" "$expected"

# A stroke dragged out of the window stays with it until the pen lifts.
from=$(($(lines pen) + 1))
harness "tablet in 450 350" "tablet down" "tablet move 600 500" "tablet up" "tablet out"
expected="tool proximity_in main
tool motion 350.00 250.00
tool frame
tool down
tool frame
tool motion 500.00 400.00
tool frame
tool up
tool frame
tool proximity_out
tool frame"
check_tool_lines "a stroke leaving the window stays with it until the tip lifts, then leaves" pen "$from" "$expected"

# --- A client without tablet-v2 gets a pointer ---
from_pen=$(($(lines pen) + 1))
harness "tablet in 750 150"
wait_for 5 out_has plain "pointer enter 50 50"
ok $? "a client without tablet-v2: the pen entering is the pointer entering (50,50)"
harness "tablet down"
wait_for 5 out_has plain "button 272 pressed"
ok $? "the tip going down is a left button press"
harness "tablet move 760 170"
wait_for 5 out_has plain "pointer motion 60 70"
ok $? "the pen moving is pointer motion (60,70)"
harness "tablet up"
wait_for 5 out_has plain "button 272 released"
ok $? "the tip lifting releases the left button"
harness "tablet button stylus press" "tablet button stylus release"
wait_for 5 out_has plain "button 273 released"
ok $? "the stylus button is the right button (pressed and released)"

# Straight from one kind of client to the other and back.
harness "tablet move 200 200"
check_tool_lines "from the pointer-only window onto the tablet client: proximity_in there" \
	pen "$from_pen" "tool proximity_in main
tool motion 100.00 100.00
tool frame"
wait_for 5 out_has plain "pointer leave"
ok $? "and the pointer-only window sees the pointer leave"
from_pen=$(($(lines pen) + 1))
harness "tablet move 800 200"
check_tool_lines "back onto the pointer-only window: proximity_out from the tablet client" \
	pen "$from_pen" "tool proximity_out
tool frame"
harness "tablet out"

# --- Pads follow the keyboard focus ---
"$LUMENCTL" focus "$(window_field pen id)" >/dev/null
wait_for 5 field_is pen focused 1 || bail "cannot focus the tablet client"
harness "pad add"
wait_for 5 out_has pen "pad done"
ok $? "a pad plugged in is announced with its group, ring and strip"
harness "pad button 1 press" "pad button 1 release" "pad ring 0 90" "pad strip 0 0.5"
expected="pad enter main
pad mode_switch 0
pad button 1 pressed
pad button 1 released
ring source finger
ring angle 90.00
ring frame
strip source finger
strip position 32767
strip frame"
pad_lines() {
	grep -E '^(pad (enter|leave|button|mode_switch)|ring|strip) ' "$T_DIR/pen.out"
}
pad_lines_are() {
	[ "$(pad_lines)" = "$1" ]
}
wait_for 5 pad_lines_are "$expected"
status=$?
ok $status "the focused tablet client gets the pad: enter, buttons, ring, strip"
[ $status -eq 0 ] || diag "received: $(pad_lines)"
"$LUMENCTL" focus "$(window_field plain id)" >/dev/null
wait_for 5 out_has pen "pad leave"
ok $? "the pad leaves when the keyboard focus goes to another window"
before=$(pad_lines | wc -l)
harness "pad button 2 press" "pad button 2 release"
sleep 0.2
[ "$(pad_lines | wc -l)" -eq "$before" ]
ok $? "and its buttons no longer reach the client it left"

# --- Surfaces and devices going away ---
spawn pen2 "$TC_TABLET" --title pen2
wait_for 20 has_window pen2 && wait_for 5 out_has pen2 mapped || bail "second tablet client"
place pen2 100 450 || bail "cannot place the second tablet client"
harness "tablet in 150 500"
wait_for 5 out_has pen2 "tool proximity_in main"
ok $? "a second tablet client gets the pen"
kill "$PID_pen2"
wait "$PID_pen2" 2>/dev/null
wait_for 5 sh -c '! "$LUMENCTL" windows | grep -q pen2'
from_pen=$(($(lines pen) + 1))
harness "tablet move 150 150" "tablet out"
check_tool_lines "after the window under the pen is gone, the pen goes on to the next" pen \
	"$from_pen" "tool proximity_in main
tool motion 50.00 50.00
tool frame
tool proximity_out
tool frame"
harness "tablet remove" "pad remove"
wait_for 5 out_has pen "tool removed" && wait_for 5 out_has pen "tablet removed" &&
	wait_for 5 out_has pen "pad removed"
ok $? "unplugged, the tablet, its pen and the pad are removed from the client"
"$LUMENCTL" outputs >/dev/null
ok $? "lumen still answers"

done_testing
