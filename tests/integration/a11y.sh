#!/bin/bash
# The accessibility bus end to end: lumen-a11yd, lumen (a provider and the window
# manager), lumen-reader with --speech-log, and lumen-widgets publishing its widgets.
# Tab through the widgets with injected keys and check the words the reader spoke (role
# and name of each focused widget); a password entry says "password", never its text;
# Alt+Tab speaks window titles; a workspace switch is spoken; an untrusted client cannot
# read other clients; when the bus restarts, apps publish again and the reader speaks.
. "$TESTS_DIR/lib.sh"

SPEECH="$T_DIR/speech.log"
export LUMEN_A11Y_SOCKET=lumen-a11y-0

start_a11yd() {
	spawn a11yd "$LUMEN_A11YD" --config /dev/null
	wait_for 10 test -S "$XDG_RUNTIME_DIR/lumen-a11y-0-trusted" || bail "lumen-a11yd did not start"
}

said() { # fixed-string: the reader said it (a whole utterance contains it)
	grep -qF -- "$1" "$SPEECH"
}

said_after() { # LINE fixed-string: said on a line after LINE
	tail -n +"$(($1 + 1))" "$SPEECH" | grep -qF -- "$2"
}

lines() {
	wc -l <"$SPEECH"
}

# Super+Alt+S toggles the reader: `lumen-reader --toggle` signals the running one (its
# pid in $XDG_RUNTIME_DIR/lumen-reader.pid) or starts one.
cat >"$T_DIR/lumen.ini" <<EOF
[bindings]
Super+Alt+s = exec $LUMEN_READER --toggle --no-audio
EOF
start_a11yd
start_lumen
spawn reader "$LUMEN_READER" --no-audio --speech-log "$SPEECH"
wait_for 10 said "Screen reader on" || bail "lumen-reader did not start"
wait_for 10 grep -q "reading" "$T_DIR/reader.out" || bail "lumen-reader did not reach the bus"
ok 0 "lumen-reader runs on the trusted socket"

spawn widgets "$TK_WIDGETS"
wait_for 10 has_window lumen-widgets || bail "lumen-widgets did not start"
wait_for 10 said "Press me, button"
ok $? "the focused widget of the new window is spoken: 'Press me, button'"
said "Lumen widgets, window"
ok $? "the window's activation is spoken with its title"

# Tab through the widgets: each focus is spoken as name and role.
tab_says() { # expected words
	n=$(lines)
	inject key Tab tap
	wait_for 5 said_after "$n" "$1"
	ok $? "Tab: '$1'"
}
tab_says "Wi-Fi, toggle button, not checked"
tab_says "Remember me, check box, not checked"
tab_says "Volume, slider, 50"
tab_says "Name, entry"

# Typing into the entry is echoed, character by character.
n=$(lines)
inject type "ab"
wait_for 5 said_after "$n" "b"
ok $? "typed characters are echoed"
n=$(lines)
inject type "cd. x"
wait_for 5 said_after "$n" "x"
said_after "$n" ", abcd" && [ "$(tail -n +"$((n + 1))" "$SPEECH" | grep -c "abcd")" -eq 1 ]
ok $? "a word is echoed once, when it ends ($(tail -n +"$((n + 1))" "$SPEECH" | cut -d' ' -f2- | tr '\n' '|'))"

# The password entry: its role is spoken, never what is typed into it.
tab_says "Password, password"
n=$(lines)
inject type "sekrit"
sleep 1
inject key Tab tap
wait_for 5 said_after "$n" "Menu, menu button"
ok $? "focus moves on from the password entry"
! grep -qiE "sekrit|s$|\bk\b" <(tail -n +"$((n + 1))" "$SPEECH" | grep -v "Menu")
ok $? "nothing typed into the password entry was spoken"
! grep -q sekrit "$SPEECH"
ok $? "the password's text is never in the speech log"

# Value changes of the focused widget are spoken: back to the slider, arrow right.
for _ in 1 2 3; do inject mod shift press key Tab tap mod shift release; done
wait_for 5 said_after "$n" "Volume, slider"
n=$(lines)
inject key Right tap
wait_for 5 said_after "$n" "51"
ok $? "a slider's new value is spoken"

# A check box toggled with Space says its new state.
inject mod shift press key Tab tap mod shift release
wait_for 5 said_after "$n" "Remember me, check box"
n=$(lines)
inject key space tap
wait_for 5 said_after "$n" "checked"
ok $? "toggling a check box speaks its state"

# ---- windows: Alt+Tab speaks each window as it is selected
spawn foot foot --title "Second window" sh -c "sleep 600"
wait_for 10 has_window "Second window"
wait_for 5 said "Second window, window"
ok $? "a second window's activation is spoken"
n=$(lines)
inject mod alt press key Tab tap mod alt release
wait_for 5 said_after "$n" "Lumen widgets, list item, selected"
ok $? "Alt+Tab speaks the window it selects: 'Lumen widgets, list item, selected'"
wait_for 5 said_after "$n" "Lumen widgets, window"
ok $? "and, Alt let go, the window activated"
wait_for 5 said_after "$n" "Remember me, check box, checked"
ok $? "and then its focused widget, as it was left"
n=$(lines)
inject mod alt press key Tab tap mod alt release
wait_for 5 said_after "$n" "Second window, list item"
ok $? "switching back speaks the other title"
wait_for 5 said_after "$n" "Second window, window"
ok $? "and its activation"

# ---- workspaces
n=$(lines)
inject mod super press key 2 tap mod super release
wait_for 5 said_after "$n" "Workspace 2"
ok $? "a workspace switch is spoken"
inject mod super press key 1 tap mod super release

# ---- Super+Alt+S: speech off, then on again
n=$(lines)
inject mod super press mod alt press key s tap mod alt release mod super release
wait_for 5 said_after "$n" "Screen reader off"
ok $? "Super+Alt+S turns the reader off (it says so)"
n=$(lines)
inject key Tab tap
sleep 1
[ "$(lines)" -eq "$n" ]
ok $? "while off, focus changes are not spoken"
inject mod super press mod alt press key s tap mod alt release mod super release
wait_for 5 said_after "$n" "Screen reader on"
ok $? "Super+Alt+S again turns it on"

# ---- trust: a client on the plain socket cannot read others' trees
"$LUMEN_READER" --no-audio --socket lumen-a11y-0 >"$T_DIR/untrusted.out" 2>&1 &
upid=$!
T_PIDS="$T_PIDS $upid"
wait_for 5 grep -q "refused" "$T_DIR/untrusted.out"
ok $? "an untrusted consumer is refused ($(grep -o 'refused[^:]*' "$T_DIR/untrusted.out" | head -n 1))"
kill "$upid" 2>/dev/null

# ---- the bus restarts: apps publish again, the reader reconnects
kill "$PID_a11yd"
wait "$PID_a11yd" 2>/dev/null
start_a11yd
sleep 2
n=$(lines)
inject mod alt press key Tab tap mod alt release
wait_for 10 said_after "$n" "window"
ok $? "after lumen-a11yd restarts, window switches are spoken again"
n=$(lines)
inject key Tab tap
wait_for 10 said_after "$n" ","
ok $? "and focus changes in the apps too (republished): '$(tail -n 1 "$SPEECH" | cut -d' ' -f2-)'"

# ---- lumen-session starts lumen-a11yd (an --autostart client) and restarts it when it
# crashes (its stale socket and lock are taken over); the compositor publishes again, and a reader on that bus hears it.
S_SOCKET=lumen-sess
S_LOG="$T_DIR/session.log"
SPEECH2="$T_DIR/speech2.log"
LUMEN_A11Y_TRUSTED_SOCKET=lumen-a11y-s-trusted WAYLAND_DISPLAY= \
	WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1 \
	"$LUMEN_SESSION" -S "$S_SOCKET" --no-displayd --compositor "$LUMEN" \
	--autostart "exec $LUMEN_A11YD --socket lumen-a11y-s --config /dev/null" \
	-- --no-xwayland -c "$T_DIR/lumen.ini" -o 1280x720 >"$S_LOG" 2>&1 &
SESSION_PID=$!
T_PIDS="$T_PIDS $SESSION_PID"
a11yd_pid() {
	grep -o "started autostart (pid [0-9]*" "$S_LOG" | tail -n 1 | grep -o '[0-9]*$'
}
wait_for 20 test -S "$XDG_RUNTIME_DIR/lumen-a11y-s-trusted"
ok $? "lumen-session starts lumen-a11yd"
spawn reader2 "$LUMEN_READER" --no-audio --socket lumen-a11y-s-trusted --speech-log "$SPEECH2"
wait_for 10 grep -q "reading" "$T_DIR/reader2.out"
s_inject() {
	WAYLAND_DISPLAY="$S_SOCKET-trusted" "$TC_INPUT" "$@" >>"$T_DIR/inject.out" 2>&1
}
first=$(a11yd_pid)
kill -KILL "$first" 2>/dev/null # a crash: a clean exit is not restarted
restarted() {
	p=$(a11yd_pid)
	[ -n "$p" ] && [ "$p" != "$first" ] && kill -0 "$p" 2>/dev/null &&
		test -S "$XDG_RUNTIME_DIR/lumen-a11y-s-trusted"
}
wait_for 20 restarted
ok $? "lumen-session starts lumen-a11yd again when it dies (pid $first -> $(a11yd_pid))"
spoken_ws() {
	s_inject mod super press key 3 tap mod super release
	sleep 0.5
	grep -qF "Workspace 3" "$SPEECH2" && return 0
	s_inject mod super press key 1 tap mod super release
	return 1
}
wait_for 20 spoken_ws
ok $? "the compositor and the reader come back to it: a workspace switch is spoken"
kill -TERM "$SESSION_PID"
wait "$SESSION_PID" 2>/dev/null
T_PIDS=$(echo " $T_PIDS " | sed "s/ $SESSION_PID / /")

# The bus and the readers end cleanly on SIGTERM (status 0; LeakSanitizer's report, if
# any, is in their output).
end_clean() { # NAME pid
	kill -TERM "$2" 2>/dev/null
	wait "$2"
	st=$?
	T_PIDS=$(echo " $T_PIDS " | sed "s/ $2 / /")
	[ "$st" -eq 0 ]
	ok $? "$1 exits cleanly on SIGTERM (status $st)"
}
end_clean lumen-reader "$PID_reader"
end_clean lumen-a11yd "$PID_a11yd"

! grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T_DIR"/a11yd.out "$T_DIR"/reader.out "$T_DIR"/reader2.out \
	>/dev/null 2>&1
ok $? "no sanitizer reports from lumen-a11yd or the readers"
diag "$(sed 's/^/speech: /' "$SPEECH" | tail -n 60)"
done_testing
