#!/bin/bash
# xdg_wm_base.ping (issue 5): lumen pings a client when its window is activated, every
# LUMEN_XDG_PING_INTERVAL_MS while it is, and after a close request. lumen-test-xdg
# windows answer rightly, not at all, or with a wrong serial: a client that leaves a ping
# unanswered past LUMEN_XDG_PING_TIMEOUT_MS is shown "responding": false by IPC, a
# wrong serial does not count as an answer, and the right pong makes it responding
# again; meanwhile its title bar begins "Not responding:". A window that keeps answering
# is never marked.
# shellcheck source=tests/lib.sh
. "$TESTS_DIR/lib.sh"
export LUMEN_XDG_PING_INTERVAL_MS=300 LUMEN_XDG_PING_TIMEOUT_MS=2000
start_lumen

# spawn_fed NAME command...: spawn, with stdin from a pipe that `feed NAME LINE` writes to
spawn_fed() {
	name=$1
	shift
	mkfifo "$T_DIR/$name.in"
	"$@" <"$T_DIR/$name.in" >"$T_DIR/$name.out" 2>&1 &
	T_PIDS="$T_PIDS $!"
	exec {fd}>"$T_DIR/$name.in"
	eval "FD_$name=$fd"
}

feed() { # NAME LINE
	fd=""
	eval "fd=\${FD_$1:-}"
	(printf '%s\n' "$2" >&"$fd") 2>/dev/null
}

lines() { # NAME TEXT: how many lines of NAME's output are TEXT
	grep -cxF -- "$2" "$T_DIR/$1.out"
}

more_lines() { # NAME TEXT N: more than N such lines
	[ "$(lines "$1" "$2")" -gt "$3" ]
}

responding() { # title 0|1
	field_is "$1" responding "$2"
}

spawn_fed good "$TC_XDG" window --title ping-good
wait_for 10 has_window ping-good || bail "the answering window did not map"
wait_for 5 more_lines good "ping answered" 0
ok $? "the activated window is pinged and answers"
wait_for 5 more_lines good "ping answered" 3
ok $? "and is pinged again while it stays activated ($(lines good "ping answered") pings)"
responding ping-good 1
ok $? "IPC says it is responding"

spawn_fed mute "$TC_XDG" window --title ping-mute
wait_for 10 has_window ping-mute || bail "the second window did not map"
wait_for 5 field_is ping-mute focused 1
# The left half of its title bar, as a person sees it.
bar() { # OUT.png
	capture "$T_DIR/shot.png" &&
		"$PNG_TOOL" crop "$T_DIR/shot.png" $(($(window_field ping-mute x) + 2)) \
			$(($(window_field ping-mute y) + 2)) $(($(window_field ping-mute width) / 2)) 28 "$1"
}
sleep 0.3
bar "$T_DIR/bar-before.png" || bail "no capture of the title bar"
feed mute "pong off"
wait_for 5 more_lines mute "ping ignored" 0
ok $? "a window that stops answering is still pinged"
responding ping-mute 1
ok $? "and counts as responding until the deadline"
wait_for 5 responding ping-mute 0
ok $? "then IPC says it is not responding"
sleep 0.3
bar "$T_DIR/bar-mute.png"
! "$PNG_TOOL" compare "$T_DIR/bar-before.png" "$T_DIR/bar-mute.png" >/dev/null
ok $? "its title bar changes: it now says it is not responding"
grep -q "is not responding: no pong in 2000 ms" "$T_DIR/lumen.log"
ok $? "and lumen logs it"
responding ping-good 1
ok $? "the other client stays responding"

# A pong with a wrong serial is no answer: the outstanding ping stays unanswered.
feed mute "pong wrong"
wait_for 5 out_has mute "wrong pong sent"
sleep 2.5
responding ping-mute 0
ok $? "a pong with a wrong serial is ignored: still not responding"

feed mute "pong on"
wait_for 5 out_has mute "late pong sent" && wait_for 5 responding ping-mute 1
ok $? "the right pong makes it responding again"
sleep 0.3
bar "$T_DIR/bar-again.png"
"$PNG_TOOL" compare "$T_DIR/bar-before.png" "$T_DIR/bar-again.png" >/dev/null
ok $? "and its title bar is as it was"
grep -q "responds again" "$T_DIR/lumen.log"
ok $? "and lumen logs that"
n=$(lines mute "ping answered")
wait_for 5 more_lines mute "ping answered" "$n"
ok $? "and it keeps being pinged and answering"

# Focus moves back: the first window is pinged on activation, the second no more.
"$LUMENCTL" focus "$(window_field ping-good id)" >/dev/null
wait_for 5 field_is ping-good focused 1
sleep 1
n=$(lines mute "ping answered")
sleep 1.5
[ "$(lines mute "ping answered")" = "$n" ]
ok $? "a client without the activated window is not pinged on the interval"

# The close request pings too: a client that ignores both is marked.
feed mute "pong off"
sleep 0.2
"$LUMENCTL" close "$(window_field ping-mute id)" >/dev/null
wait_for 5 out_has mute close && wait_for 5 out_has mute "ping ignored"
ok $? "a close request comes with a ping"
wait_for 5 responding ping-mute 0
ok $? "which, unanswered, marks the window not responding"
responding ping-good 1
ok $? "while the answering window stays responding"

stop_lumen
done_testing
