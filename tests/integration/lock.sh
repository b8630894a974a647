#!/bin/bash
# swaylock 1.7 locks through ext-session-lock (compositor/src/ext-session-lock.c): while
# it runs it covers every output and takes all input; nothing else gets a key, a click
# or a binding. Killed, it leaves the session locked, as the protocol demands; a new
# locker takes over and unlocks, and input returns to the window that had it.
# (protocols-ext.sh unlocks swaylock itself, with a password.)
. "$TESTS_DIR/lib.sh"
if ! command -v swaylock >/dev/null; then
	echo "1..0 # SKIP swaylock is not installed"
	exit 0
fi
start_lumen -o 1280x720,800x600
spawn keylog "$TC_KEYLOG" --title behind-lock
wait_for 20 out_has keylog "focus in"
ok $? "a window has the keyboard"

spawn_trusted lock swaylock -c 00ff00
wait_for 10 out_has keylog "focus out"
ok $? "when swaylock starts, the window loses the keyboard"
sleep 0.5
capture "$T_DIR/locked1.png" HEADLESS-1
capture "$T_DIR/locked2.png" HEADLESS-2
[ "$("$PNG_TOOL" count "$T_DIR/locked1.png" 0 0 1280 720 00ff00)" -eq $((1280 * 720)) ]
ok $? "the first output is covered by the lock colour"
[ "$("$PNG_TOOL" count "$T_DIR/locked2.png" 0 0 800 600 00ff00)" -eq $((800 * 600)) ]
ok $? "so is the second"

WAYLAND_DISPLAY=$T_SOCKET-trusted wtype "secret" 2>/dev/null
sleep 0.3
! out_has keylog "text: s"
ok $? "typed keys do not reach the window behind the lock"
x=$(window_field behind-lock x); y=$(window_field behind-lock y)
inject move-abs $((x + 60)) $((y + 60)) 1280 720 button left click
sleep 0.3
! out_has keylog "button 272 pressed"
ok $? "nor do clicks"
inject mod super press key 3 tap mod super release
[ "$(ipc_json "[o['workspace'] for o in j['outputs'] if o['name']=='HEADLESS-1'][0]" outputs)" = 1 ]
ok $? "and key bindings do nothing (still on workspace 1)"

kill "$PID_lock"
wait_for 10 grep -qF "the locker went away without unlocking" "$T_DIR/lumen.log"
WAYLAND_DISPLAY=$T_SOCKET-trusted wtype "gone" 2>/dev/null
sleep 0.3
! out_has keylog "text: gone" && [ "$(grep -c 'focus in' "$T_DIR/keylog.out")" -eq 1 ]
ok $? "once the locker is killed, the session stays locked: no keys for the window"
mkfifo "$T_DIR/relock.in"
WAYLAND_DISPLAY=$T_SOCKET-trusted "$TC_PROTOCOLS_EXT" lock --color 0000ff --stdin \
	<"$T_DIR/relock.in" >"$T_DIR/relock.out" 2>&1 &
T_PIDS="$T_PIDS $!"
exec {relock}>"$T_DIR/relock.in"
wait_for 10 out_has relock locked
echo unlock >&"$relock"
wait_for 10 sh -c "grep -c 'focus in' '$T_DIR/keylog.out' | grep -q 2"
ok $? "a new locker takes over and unlocks: the window gets the keyboard back"
WAYLAND_DISPLAY=$T_SOCKET-trusted wtype "back" 2>/dev/null
wait_for 5 out_has keylog "text: back"
ok $? "and receives keys again"
done_testing
