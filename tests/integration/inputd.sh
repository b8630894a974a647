#!/bin/bash
# lumen on lumen-inputd (compositor/src/input-backend.c): the devices of a driver
# (lumen-inputctl) reach clients as keys, text, pointer motion, buttons and touch; a keyboard
# named in a [keyboard NAME] section has its own layout; Num Lock is on at start when
# configured; when inputd dies, keys held are released (the client sees it), and once
# inputd is back lumen is its master again and typing goes on.
. "$TESTS_DIR/lib.sh"

cat >"$T_DIR/lumen.ini" <<'EOF'
[keyboard]
layout = us
numlock = yes

[keyboard "second keyboard"]
layout = de
EOF

start_inputd
start_lumen
wait_input_master 1
ok $? "lumen becomes inputd's seat master"

spawn kl "$TC_KEYLOG" --title kl --motion
wait_for 10 out_has kl "focus in" || bail "the keylog client got no keyboard focus"

text_is() { # NAME TEXT: the client's text is now exactly TEXT
	[ "$(grep '^text: ' "$T_DIR/$1.out" | tail -n 1)" = "text: $2" ]
}

inputctl_until 'text_is kl "Hello, inputd!"' type "Hello, inputd!"
ok $? "the text typed through inputd arrives in the client"

# The same key (Z) on the keyboard named in [keyboard "second keyboard"] is German: y.
# (inputctl names its keyboard "NAME keyboard".)
inputctl_until 'text_is kl "Hello, inputd!y"' --name second key z
ok $? "a keyboard with its own section has its own layout (de: Z types y)"
inputctl_until 'text_is kl "Hello, inputd!yz"' key z
ok $? "other keyboards keep the default layout (us: Z types z)"

# numlock = yes: the keypad types digits, not cursor keys.
inputctl_until 'text_is kl "Hello, inputd!yz12"' key kp1 key kp2
ok $? "Num Lock is on at start as configured (keypad 1 2 type 12)"

# The pointer: an absolute move into the window, then a click.
x=$(window_field kl x) y=$(window_field kl y) w=$(window_field kl width) h=$(window_field kl height)
cx=$((x + w / 2)) cy=$((y + h / 2))
# inputctl's absolute range is 1280x720 here, the size of the output: one unit a pixel.
inputctl_until 'out_has kl "button 272 pressed"' --size 1280x720 move-abs "$cx" "$cy" click
ok $? "a click through inputd reaches the window under the pointer"
wait_for 5 out_has kl "button 272 released"
ok $? "and its release"

# Touch: a tap lands in a GTK4 window where it was aimed (surface coordinates: the
# content sits 2 px right of the frame and 30 px below it, under the title bar).
# The seat offers touch only while a touch device exists, and a client that learns of
# it binds wl_touch a moment later: a touch screen is kept plugged in (a tap on the empty
# corner) before the client starts, as a real one would be.
has_touch_device() {
	"$LUMEN_INPUTCTL" list | grep -q "touch-screen touch"
}
if /usr/bin/python3 -c 'import gi; gi.require_version("Gtk", "4.0")' 2>/dev/null; then
	"$LUMEN_INPUTCTL" --name touch-screen --size 1280x720 touch 0 0 sleep 60000 \
		>>"$T_DIR/inputctl.out" 2>&1 &
	T_PIDS="$T_PIDS $!"
	wait_for 10 has_touch_device || bail "no touch screen"
	spawn gtk "$TESTS_DIR/clients/gtk4-entry.py" gtk-touch
	wait_for 20 field_is gtk-touch focused 1 || bail "the GTK4 window got no focus"
	gx=$(window_field gtk-touch x) gy=$(window_field gtk-touch y)
	inputctl_until 'out_has gtk "pressed 1 "' --size 1280x720 touch $((gx + 2 + 120)) $((gy + 30 + 40))
	ok $? "a touch through inputd reaches a GTK4 window"
	grep -qx "pressed 1 120 40" "$T_DIR/gtk.out"
	ok $? "where it was aimed ($(grep "pressed" "$T_DIR/gtk.out" | head -n 1))"
	kill "$PID_gtk" 2>/dev/null
	wait "$PID_gtk" 2>/dev/null
	"$LUMENCTL" focus "$(window_field kl id)" >/dev/null
	wait_for 10 field_is kl focused 1 || bail "the key logger did not get the focus back"
fi

# inputd dies with a key held: the client must see the release, not a stuck key.
"$LUMEN_INPUTCTL" press shift press x sleep 30000 >>"$T_DIR/inputctl.out" 2>&1 &
HOLDER=$!
T_PIDS="$T_PIDS $HOLDER"
wait_for 5 out_has kl "keysym: X"
ok $? "a key held through inputd (Shift+X) reaches the client"
kill -KILL "$INPUTD_PID"
wait "$INPUTD_PID" 2>/dev/null
INPUTD_PID=""
wait_for 5 out_has kl "key released: X"
ok $? "inputd killed: the client sees the held key released"
last_modifiers_num() {
	[ "$(grep '^modifiers: ' "$T_DIR/kl.out" | tail -n 1)" = "modifiers: num" ]
}
wait_for 5 last_modifiers_num
ok $? "and Shift released too (modifiers: num, as before)"
kill "$HOLDER" 2>/dev/null
wait "$HOLDER" 2>/dev/null

start_inputd
wait_input_master 2
ok $? "inputd restarted: lumen is its master again"
inputctl_until 'text_is kl "Hello, inputd!yz12X again"' type " again"
ok $? "typing goes on after the restart"

# Killed twice in a row, quickly: the back-off still brings lumen back.
kill -KILL "$INPUTD_PID"
wait "$INPUTD_PID" 2>/dev/null
INPUTD_PID=""
sleep 1
start_inputd
wait_input_master 3
ok $? "and again after a second crash"
inputctl_until 'text_is kl "Hello, inputd!yz12X again!"' type "!"
ok $? "typing goes on after the second restart"

stop_lumen
stop_inputd
done_testing
