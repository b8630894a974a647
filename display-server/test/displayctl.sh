#!/bin/bash
# lumen-displayd and lumen-displayctl as a user runs them: a private XDG_RUNTIME_DIR,
# the real socket, outputs listed, hotplugged, removed and re-moded, and pixels read
# back through capture into PNG. ds-paint stands in for the compositor (the master).
# Only processes started here are ended, by pid. TAP.
#
# From meson (tests/meson.build): DISPLAYD, DISPLAYCTL, DS_PAINT, PNG_TOOL.
set -u

T_DIR=$(mktemp -d /tmp/lumen-displayctl.XXXXXX)
export XDG_RUNTIME_DIR="$T_DIR/run"
mkdir -m 700 "$XDG_RUNTIME_DIR"
unset LUMEN_DISPLAY_SOCKET WAYLAND_DISPLAY WAYLAND_SOCKET
DS_PID=""
PAINT_PID=""
T_NUM=0
T_FAILED=0

cleanup() {
	for pid in $PAINT_PID $DS_PID; do
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

ctl() {
	"$DISPLAYCTL" "$@"
}

# Waits (a hang guard, not a time limit) until a command succeeds.
wait_for() {
	for _ in $(seq 1 600); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	return 1
}

pixel() { # file x y
	"$PNG_TOOL" pixel "$1" "$2" "$3"
}

"$DISPLAYD" --virtual 800x600@60 --virtual 200x100@30 --restart-frame-after 3 \
	>"$T_DIR/displayd.log" 2>&1 &
DS_PID=$!
wait_for test -S "$XDG_RUNTIME_DIR/lumen-display-0"
ok $? "lumen-displayd creates \$XDG_RUNTIME_DIR/lumen-display-0"
if [ ! -S "$XDG_RUNTIME_DIR/lumen-display-0" ]; then
	diag "$(cat "$T_DIR/displayd.log")"
	echo "Bail out! lumen-displayd did not start"
	exit 1
fi
[ "$(stat -c %a "$XDG_RUNTIME_DIR/lumen-display-0")" = 600 ]
ok $? "the socket is the user's alone (mode 600)"

ctl list >"$T_DIR/list1" 2>&1
ok $? "list succeeds"
grep -q '^display:virtual/0$' "$T_DIR/list1" && grep -q '^display:virtual/1$' "$T_DIR/list1" &&
	grep -q '800x600@60.000 Hz (current, preferred)' "$T_DIR/list1" &&
	grep -q '200x100@30.000 Hz (current, preferred)' "$T_DIR/list1"
ok $? "list shows both outputs with their current modes"
grep -q 'enabled: yes  power: on  gamma size: 256' "$T_DIR/list1" &&
	grep -q 'formats: 2' "$T_DIR/list1" && grep -q 'bytes copied: 0' "$T_DIR/list1"
ok $? "list shows state, formats and bytes copied"
diag "$(cat "$T_DIR/list1")"

name=$(ctl add 320x240@75)
ok $? "add 320x240@75 succeeds"
[ "$name" = "display:virtual/2" ]
ok $? "add prints the new output's name ($name)"
ctl list | grep -q '320x240@75.000 Hz (current, preferred)'
ok $? "list shows the hotplugged output"

ctl remove display:virtual/1
ok $? "remove display:virtual/1 succeeds"
! ctl list | grep -q '^display:virtual/1$'
ok $? "list no longer shows it"
ctl remove display:virtual/9 2>"$T_DIR/err"
[ $? -ne 0 ] && grep -q "no output named 'display:virtual/9'" "$T_DIR/err"
ok $? "remove of an unknown output fails with a message"
ctl add 0x0 2>/dev/null
[ $? -ne 0 ]
ok $? "add of a bad mode fails"

# A master paints the screen
"$DS_PAINT" display:virtual/0 3366cc --stay >"$T_DIR/paint.out" 2>"$T_DIR/paint.err" &
PAINT_PID=$!
wait_for grep -q '^presented' "$T_DIR/paint.out"
ok $? "a master's commit is presented ($(cat "$T_DIR/paint.out"))"
ctl capture display:virtual/0 "$T_DIR/a.png"
ok $? "capture writes a PNG"
[ "$("$PNG_TOOL" size "$T_DIR/a.png")" = "800 600" ] &&
	[ "$(pixel "$T_DIR/a.png" 0 0)" = 3366cc ] && [ "$(pixel "$T_DIR/a.png" 799 599)" = 3366cc ]
ok $? "the PNG is 800x600 and shows the master's colour"
[ "$("$PNG_TOOL" count "$T_DIR/a.png" 0 0 800 600 3366cc)" = 480000 ]
ok $? "every pixel is the master's colour"
ctl list | grep -A5 '^display:virtual/0$' | grep -q 'bytes copied: 1920000'
ok $? "list counts the bytes copied for the frame (800*600*4)"

ctl mode display:virtual/0 640x480 2>"$T_DIR/err"
[ $? -ne 0 ] && grep -q 'a master (the compositor) is connected' "$T_DIR/err"
ok $? "mode while a master is connected is refused with a message"

kill "$PAINT_PID"
wait "$PAINT_PID" 2>/dev/null
PAINT_PID=""
ctl capture display:virtual/0 "$T_DIR/b.png"
[ "$(pixel "$T_DIR/b.png" 400 300)" = 3366cc ]
ok $? "the master gone, the output keeps its last frame"

wait_for sh -c "'$DISPLAYCTL' capture display:virtual/0 '$T_DIR/c.png' &&
	[ \"\$('$PNG_TOOL' pixel '$T_DIR/c.png' 0 0)\" = 303846 ]"
ok $? "after --restart-frame-after 3 without a master, the restarting frame shows"
[ "$(pixel "$T_DIR/c.png" 400 300)" = 303846 ] &&
	[ "$(pixel "$T_DIR/c.png" $((400 - 600 / 8 + 2)) 300)" = d8dee9 ]
ok $? "the restarting frame: plain background, the ring mark around the centre"

ctl mode display:virtual/0 640x480
ok $? "mode 640x480 without a master succeeds"
ctl list | grep -q '640x480@60.000 Hz (current)'
ok $? "list shows the new current mode"
ctl capture display:virtual/0 "$T_DIR/d.png" && [ "$("$PNG_TOOL" size "$T_DIR/d.png")" = "640 480" ]
ok $? "capture follows the new mode's size"
ctl mode display:virtual/0 123x45 2>"$T_DIR/err"
[ $? -ne 0 ] && grep -q 'no such mode' "$T_DIR/err"
ok $? "an unknown mode fails with a message"
ctl capture display:virtual/7 "$T_DIR/e.png" 2>/dev/null
[ $? -ne 0 ] && [ ! -e "$T_DIR/e.png" ]
ok $? "capture of an unknown output fails and writes nothing"

# A second displayd on the same socket is refused; the first keeps serving.
"$DISPLAYD" >"$T_DIR/second.log" 2>&1
[ $? -ne 0 ] && grep -q 'in use' "$T_DIR/second.log" && ctl list >/dev/null
ok $? "a second displayd on the same socket exits with a message"

# Another user is refused by its credentials, even were the socket's mode opened up.
if command -v setpriv >/dev/null; then
	chmod 711 "$T_DIR" "$XDG_RUNTIME_DIR"
	chmod 666 "$XDG_RUNTIME_DIR/lumen-display-0"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$DISPLAYCTL" \
		--socket "$XDG_RUNTIME_DIR/lumen-display-0" list >"$T_DIR/other.out" 2>&1
	status=$?
	chmod 600 "$XDG_RUNTIME_DIR/lumen-display-0"
	chmod 700 "$T_DIR" "$XDG_RUNTIME_DIR"
	[ $status -ne 0 ] && ! grep -q '^display:virtual' "$T_DIR/other.out" &&
		grep -q 'refused a client of uid 65534' "$T_DIR/displayd.log"
	ok $? "a client of another uid is refused (SO_PEERCRED)"
	ctl list >/dev/null
	ok $? "the server goes on serving its user"
else
	echo "ok $((T_NUM += 1)) # SKIP setpriv is missing"
	echo "ok $((T_NUM += 1)) # SKIP setpriv is missing"
fi

kill -TERM "$DS_PID"
wait "$DS_PID"
status=$?
DS_PID=""
report=$(grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T_DIR/displayd.log" | head -n 3)
[ $status -eq 0 ] && [ -z "$report" ]
ok $? "SIGTERM: displayd exits with status 0 and no sanitizer report (status $status)"
[ -n "$report" ] && diag "$report"
[ ! -e "$XDG_RUNTIME_DIR/lumen-display-0" ]
ok $? "the socket is removed on exit"

echo "1..$T_NUM"
[ $T_FAILED -eq 0 ]
