#!/bin/bash
# lumenctl over the IPC socket: queries, commands, event subscriptions, and
# clear errors for bad requests — with the compositor undisturbed.
. "$TESTS_DIR/lib.sh"
start_lumen

"$LUMENCTL" subscribe window,workspace >"$T_DIR/events.out" 2>&1 &
T_PIDS="$T_PIDS $!"
sleep 0.3
spawn a "$TC_KEYLOG" --title ipc-a
wait_for 20 has_window ipc-a
ok $? "lumenctl windows lists a new window"
wait_for 5 grep -q '"change": *"new"' "$T_DIR/events.out"
ok $? "a subscriber hears of the new window"
wait_for 5 grep -q '"change": *"focus"' "$T_DIR/events.out"
ok $? "and of its focus"
"$LUMENCTL" workspace 4 >/dev/null
wait_for 5 grep -q '"event": *"workspace"' "$T_DIR/events.out"
ok $? "and of a workspace switch"
"$LUMENCTL" workspace 1 >/dev/null

id=$(window_field ipc-a id)
"$LUMENCTL" close "$id" >/dev/null
wait_for 10 sh -c "! kill -0 $PID_a 2>/dev/null"
ok $? "lumenctl close closes the window"
wait_for 5 grep -q '"change": *"close"' "$T_DIR/events.out"
ok $? "the subscriber hears it close"

out=$("$LUMENCTL" close 99999 2>&1)
[ $? -eq 1 ] && echo "$out" | grep -q "no window with id 99999"
ok $? "an unknown id is a clear error ($out)"
out=$("$LUMENCTL" raw '{"command": 42}' 2>&1)
[ $? -eq 1 ]
ok $? "a command of the wrong type is an error ($out)"
out=$("$LUMENCTL" raw 'this is not json' 2>&1)
[ $? -eq 1 ]
ok $? "malformed JSON is an error ($out)"
# A client that floods a huge line and vanishes must not disturb anything.
python3 - "$LUMEN_IPC_SOCKET" <<'PY'
import socket,sys
s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
try:
    s.sendall(b"x"*200000)
except OSError:
    pass
s.close()
PY
"$LUMENCTL" outputs >/dev/null
ok $? "after a flooding client, lumen still answers"
out=$("$LUMENCTL" action frobnicate 2>&1)
[ $? -eq 1 ] && echo "$out" | grep -q "unknown action"
ok $? "an unknown action is named in the error ($out)"
"$LUMENCTL" exec "$TC_KEYLOG --title ipc-exec" >/dev/null
wait_for 20 has_window ipc-exec
ok $? "lumenctl exec starts a program"
kill -0 "$LUMEN_PID"
ok $? "lumen is still running"
done_testing
