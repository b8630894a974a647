#!/bin/bash
# lumen-inputd and lumen-inputctl as a user runs them: a private XDG_RUNTIME_DIR, the
# real socket, lumen-inputctl as a driver typing text through xkb layouts, and
# lumen-inputctl monitor as the seat master logging the keycodes it receives, which
# must be those of each layout. Only processes started here are ended, by pid. TAP.
#
# From meson (tests/meson.build): INPUTD, INPUTCTL.
set -u

T_DIR=$(mktemp -d /tmp/lumen-inputctl.XXXXXX)
export XDG_RUNTIME_DIR="$T_DIR/run"
mkdir -m 700 "$XDG_RUNTIME_DIR"
unset LUMEN_INPUT_SOCKET WAYLAND_DISPLAY WAYLAND_SOCKET
INPUTD_PID=""
MONITOR_PID=""
FOLLOW_PID=""
HOLD_PID=""
MOUSE_PID=""
T_NUM=0
T_FAILED=0
SOCK="$XDG_RUNTIME_DIR/lumen-input-0"
LOG="$T_DIR/monitor.log"

cleanup() {
	for pid in $MOUSE_PID $HOLD_PID $FOLLOW_PID $MONITOR_PID $INPUTD_PID; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	if [ -z "${KEEP_TEST_DIR:-}" ]; then
		rm -rf "$T_DIR"
	else
		echo "# kept $T_DIR"
	fi
}
trap cleanup EXIT

ok() { # exit-status description
	T_NUM=$((T_NUM + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $T_NUM - $2"
	else
		echo "not ok $T_NUM - $2"
		T_FAILED=$((T_FAILED + 1))
	fi
}

diag() {
	echo "$*" | sed 's/^/# /'
}

# Not for background runs: $! would be the subshell, not lumen-inputctl.
ctl() {
	"$INPUTCTL" "$@"
}

# Waits (a hang guard, not a time limit) until a command succeeds.
wait_for() {
	for _ in $(seq 1 600); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	return 1
}

# The keycodes pressed on device PATH, in order, once the device is gone.
pressed() { # path
	wait_for grep -qx "removed $1" "$LOG"
	grep "^$1 key [0-9]* [A-Z_0-9]* pressed$" "$LOG" | awk '{print $3}' | tr '\n' ' ' |
		sed 's/ $//'
}

released_before_removed() { # path
	awk -v p="$1" '$0 == "removed " p {exit} $1 == p && $2 == "key" {
		if ($5 == "pressed") held[$3] = 1; else delete held[$3] }
		END {n = 0; for (k in held) n++; exit n != 0}' "$LOG"
}

next_device=0
# Types TEXT with LAYOUT and checks the keycodes the master got.
check_type() { # layout text expected-codes
	local path="input:virtual/$next_device"
	next_device=$((next_device + 1))
	ctl --layout "$1" type "$2" 2>"$T_DIR/type.err"
	local status=$?
	local got
	got=$(pressed "$path")
	[ $status -eq 0 ] && [ "$got" = "$3" ]
	ok $? "type '$2' with layout $1: the master gets keycodes $3"
	[ "$got" != "$3" ] && diag "got: '$got' (exit $status) $(cat "$T_DIR/type.err")"
	released_before_removed "$path"
	ok $? "layout $1: every key pressed is released"
}

"$INPUTD" >"$T_DIR/inputd.log" 2>&1 &
INPUTD_PID=$!
wait_for test -S "$SOCK"
ok $? "lumen-inputd creates \$XDG_RUNTIME_DIR/lumen-input-0"
if [ ! -S "$SOCK" ]; then
	diag "$(cat "$T_DIR/inputd.log")"
	echo "Bail out! lumen-inputd did not start"
	exit 1
fi
[ "$(stat -c %a "$SOCK")" = 600 ]
ok $? "the socket is the user's alone (mode 600)"
# The socket listens before libinput has looked: wait for its line.
wait_for grep -Eq 'libinput found no input devices|without real devices|libinput found [0-9]+ input devices' \
	"$T_DIR/inputd.log"
ok $? "libinput without devices (no /dev/input here) is logged, not fatal"

ctl list >"$T_DIR/list0" 2>&1
ok $? "list succeeds"

"$INPUTCTL" monitor >"$LOG" 2>"$T_DIR/monitor.err" &
MONITOR_PID=$!
wait_for grep -qx monitoring "$LOG"
ok $? "monitor becomes the seat master"
ctl monitor >/dev/null 2>"$T_DIR/err"
[ $? -eq 1 ] && grep -q 'another client (the compositor?) is the seat master' "$T_DIR/err"
ok $? "a second master is refused with a message"

# Each type creates the next virtual device; the codes are those of evdev
# (linux/input-event-codes.h) for the keys that carry each character in that layout.
check_type us 'Hello, World!' '42 35 18 38 38 24 51 57 42 17 24 19 38 32 42 2'
# de: Z and Y swapped, umlauts on ; and ', @ is AltGr+Q, ß on -.
check_type de 'zyäö@ß' '21 44 40 39 100 16 12'
# fr (AZERTY): a on Q, z on W, q on A, é on 2, & on 1, digits with Shift.
check_type fr 'azqé&1' '16 17 30 3 2 42 2'
# ru (ЙЦУКЕН): п on G, р on H, и on B, в on D, е on T, т on N.
check_type ru 'привет' '34 35 48 32 20 49'
# ara: س on S, ل on G, ا on H, م on L.
check_type ara 'سلام' '31 34 35 38'
# jp (JIS): @ and [ on the keys right of P.
check_type jp 'a@[' '30 26 27'

ctl --layout us type 'жук' 2>"$T_DIR/err"
[ $? -eq 1 ] && grep -q "cannot type 'ж' (U+0436) with layout us" "$T_DIR/err"
ok $? "a character the layout lacks: exit 1 with a message"
ctl --layout xx-nonexistent type a 2>"$T_DIR/err"
[ $? -eq 1 ] && grep -q "xkb has no layout" "$T_DIR/err"
ok $? "an unknown layout: exit 1 with a message"

path="input:virtual/$next_device"
next_device=$((next_device + 1))
ctl key ctrl+alt+t
[ "$(pressed "$path")" = "29 56 20" ] &&
	[ "$(grep "^$path key .* released$" "$LOG" | awk '{print $3}' | tr '\n' ' ')" = "20 56 29 " ]
ok $? "key ctrl+alt+t presses 29 56 20 and releases them in reverse"

path="input:virtual/$next_device"
next_device=$((next_device + 1))
ctl press a press KEY_LEFTSHIFT
[ "$(pressed "$path")" = "30 42" ] && released_before_removed "$path"
ok $? "keys left pressed at exit are released by inputd before the device goes"

path="input:virtual/$next_device"
next_device=$((next_device + 1))
ctl --size 800x600 move 5 -3 click right scroll 1 move-abs 799 0
wait_for grep -qx "removed $path" "$LOG"
grep -qx "$path rel 0 REL_X 5.000" "$LOG" && grep -qx "$path rel 1 REL_Y -3.000" "$LOG" &&
	grep -qx "$path key 273 BTN_RIGHT pressed" "$LOG" &&
	grep -qx "$path key 273 BTN_RIGHT released" "$LOG" &&
	grep -qx "$path rel 11 REL_WHEEL_HI_RES -120.000" "$LOG" &&
	grep -qx "$path abs 0 ABS_X 799" "$LOG"
ok $? "move, click right, scroll down one detent, move-abs reach the master as evdev events"

path="input:virtual/$next_device"
next_device=$((next_device + 1))
ctl touch 10 20 switch lid on
wait_for grep -qx "removed input:virtual/$next_device" "$LOG"
next_device=$((next_device + 1))
grep -qx "$path abs 57 ABS_MT_TRACKING_ID 0" "$LOG" &&
	grep -qx "$path abs 53 ABS_MT_POSITION_X 10" "$LOG" &&
	grep -qx "$path abs 54 ABS_MT_POSITION_Y 20" "$LOG" &&
	grep -qx "$path abs 57 ABS_MT_TRACKING_ID -1" "$LOG" &&
	grep -q "switch 0 SW_LID on" "$LOG"
ok $? "a touch tap and the lid switch reach the master"
path="input:virtual/$next_device"
next_device=$((next_device + 1))
ctl --size 1001x801 pen-in 1000 0 pen-down 1 pen-move 10 800 0.5 pen-up pen-out
wait_for grep -qx "removed $path" "$LOG"
grep -qx "$path key 320 BTN_TOOL_PEN pressed" "$LOG" &&
	grep -qx "$path abs 0 ABS_X 1000" "$LOG" &&
	grep -qx "$path abs 24 ABS_PRESSURE 65535" "$LOG" &&
	grep -qx "$path key 330 BTN_TOUCH pressed" "$LOG" &&
	grep -qx "$path abs 1 ABS_Y 800" "$LOG" &&
	grep -qx "$path abs 24 ABS_PRESSURE 32767" "$LOG" &&
	grep -qx "$path key 330 BTN_TOUCH released" "$LOG" &&
	grep -qx "$path key 320 BTN_TOOL_PEN released" "$LOG"
ok $? "a virtual pen: in at 1000,0, down with pressure 1, moved with 0.5, up, out"

frames=$(grep -c "^input:virtual/.* frame [0-9]*$" "$LOG")
[ "$frames" -gt 0 ]
ok $? "events come in frames with timestamps ($frames frames)"

# Consumers see devices come and go.
"$INPUTCTL" list --follow >"$T_DIR/follow.log" 2>&1 &
FOLLOW_PID=$!
wait_for grep -qx 'following changes' "$T_DIR/follow.log"
"$INPUTCTL" --name "held keyboard" press b sleep 100000 >/dev/null 2>&1 &
HOLD_PID=$!
wait_for sh -c "'$INPUTCTL' list | grep -q 'name: held keyboard'"
ok $? "list shows a driver's device by name while it exists"
ctl list | grep -A2 'name: held keyboard' | grep -q 'capabilities: keyboard (virtual)'
ok $? "with its capabilities"
"$INPUTCTL" --name "held mouse" move 1 1 sleep 100000 >/dev/null 2>&1 &
MOUSE_PID=$!
wait_for sh -c "'$INPUTCTL' list | grep -q 'name: held mouse pointer'"
ctl set "held mouse pointer" tap on natural-scroll on accel-profile flat accel-speed 0.25 \
	>"$T_DIR/set.out" 2>&1 &&
	grep -q 'settings: tap on natural-scroll on left-handed off accel-profile flat accel-speed 0.25' \
		"$T_DIR/set.out" &&
	ctl list | grep -A6 'name: held mouse pointer' | grep -q 'settings: tap on natural-scroll on'
ok $? "set changes a device's settings, as a consumer that is not the master; list shows them"
ctl set "held mouse pointer" tap maybe 2>/dev/null
[ $? -eq 2 ]
ok $? "set with a bad value: exit 2"
ctl set "no such device" tap on 2>"$T_DIR/err"
[ $? -eq 1 ] && grep -q "no device 'no such device'" "$T_DIR/err"
ok $? "set on an unknown device: exit 1 with a message"
kill "$MOUSE_PID"
wait "$MOUSE_PID" 2>/dev/null
MOUSE_PID=""
kill "$HOLD_PID"
wait "$HOLD_PID" 2>/dev/null
HOLD_PID=""
wait_for grep -q '^removed input:virtual/' "$T_DIR/follow.log"
grep -q '^added input:virtual/[0-9]* "held keyboard keyboard" keyboard virtual$' \
	"$T_DIR/follow.log"
ok $? "list --follow reports the device added and, once its driver is killed, removed"
held=$(grep '"held keyboard keyboard"' "$LOG" | awk '{print $2}')
[ -n "$held" ] && wait_for grep -qx "removed $held" "$LOG" && released_before_removed "$held" &&
	grep -qx "$held key 48 KEY_B released" "$LOG"
ok $? "a driver killed while holding a key: the key is released"

# Usage and connection errors
ctl frobnicate 2>/dev/null
[ $? -eq 2 ]
ok $? "an unknown command: exit 2"
ctl key nosuchkey 2>"$T_DIR/err"
[ $? -eq 2 ] && grep -q "unknown key 'nosuchkey'" "$T_DIR/err"
ok $? "an unknown key: exit 2 with a message"
ctl --socket "$T_DIR/nothing-here" list 2>"$T_DIR/err"
[ $? -eq 1 ] && grep -q 'cannot connect to inputd' "$T_DIR/err"
ok $? "no inputd: exit 1 with a message"

# A second inputd on the same socket is refused; the first keeps serving.
"$INPUTD" --no-libinput >"$T_DIR/second.log" 2>&1
[ $? -ne 0 ] && grep -q 'in use' "$T_DIR/second.log" && ctl list >/dev/null
ok $? "a second inputd on the same socket exits with a message"

# Another user is refused by its credentials, even were the socket's mode opened up.
if command -v setpriv >/dev/null; then
	chmod 711 "$T_DIR" "$XDG_RUNTIME_DIR"
	chmod 666 "$SOCK"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$INPUTCTL" --socket "$SOCK" \
		key a >"$T_DIR/other.out" 2>&1
	status=$?
	chmod 600 "$SOCK"
	chmod 700 "$T_DIR" "$XDG_RUNTIME_DIR"
	[ $status -ne 0 ] && grep -q 'refused a client of uid 65534' "$T_DIR/inputd.log"
	ok $? "a client of another uid is refused (SO_PEERCRED)"
else
	echo "ok $((T_NUM += 1)) # SKIP setpriv is missing"
fi

kill "$FOLLOW_PID" "$MONITOR_PID"
wait "$FOLLOW_PID" "$MONITOR_PID" 2>/dev/null
FOLLOW_PID=""
MONITOR_PID=""
kill -TERM "$INPUTD_PID"
wait "$INPUTD_PID"
status=$?
INPUTD_PID=""
report=$(grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T_DIR/inputd.log" | head -n 3)
[ $status -eq 0 ] && [ -z "$report" ]
ok $? "SIGTERM: inputd exits with status 0 and no sanitizer report (status $status)"
[ -n "$report" ] && diag "$report"
[ ! -e "$SOCK" ]
ok $? "the socket is removed on exit"

echo "1..$T_NUM"
[ $T_FAILED -eq 0 ]
