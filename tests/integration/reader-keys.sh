#!/bin/bash
# The screen reader's commands (issue 8): lumen, lumen-a11yd, lumen-reader --modifier
# insert (trusted: it binds lumen-reader-keys-v1, compositor/src/reader-keys.c) and the
# lumen-widgets gallery, with keys injected through a virtual keyboard. Checks the words
# the reader speaks for Insert+T (title), Insert+Tab (where am I), Insert+B and
# Insert+Shift+B (browse to buttons, which also moves the focus), Insert+F (form fields),
# Insert+L/Comma/Period (line, word, character; twice: spelled) in a text entry, and the
# caret's granularity from the key that moved it; that chords never reach the focused
# app (the keylog client) while a double Insert does; that Super+Alt+S toggles the
# reader while the session is locked; that untrusted clients do not see the global, a
# bad modifier is a protocol error, one grab at a time, and the grab ends with its reader.
# While locked the chords rest: nothing behind the lock may be read out.
. "$TESTS_DIR/lib.sh"

SPEECH="$T_DIR/speech.log"
export LUMEN_A11Y_SOCKET=lumen-a11y-0
: >"$SPEECH"

said_after() { # LINE fixed-string: an utterance after LINE contains it
	tail -n +"$(($1 + 1))" "$SPEECH" | grep -qF -- "$2"
}
said_exactly_after() { # LINE text: an utterance after LINE is exactly it
	tail -n +"$(($1 + 1))" "$SPEECH" | cut -d' ' -f2- | grep -qxF -- "$2"
}
lines() {
	wc -l <"$SPEECH"
}
last_said() {
	tail -n 1 "$SPEECH" | cut -d' ' -f2-
}
chord() { # KEY [shift|ctrl]: Insert+KEY, in one virtual keyboard's life
	if [ $# -gt 1 ]; then
		inject key Insert press mod "$2" press key "$1" tap mod "$2" release key Insert release
	else
		inject key Insert press key "$1" tap key Insert release
	fi
}
says() { # description chord-args... -- expected
	desc=$1
	shift
	args=()
	while [ "$1" != "--" ]; do args+=("$1"); shift; done
	shift
	n=$(lines)
	chord "${args[@]}"
	wait_for 5 said_after "$n" "$1"
	ok $? "$desc: '$1' (said: '$(tail -n +"$((n + 1))" "$SPEECH" | cut -d' ' -f2- | tr '\n' '|')')"
}

spawn a11yd "$LUMEN_A11YD" --config /dev/null
wait_for 10 test -S "$XDG_RUNTIME_DIR/lumen-a11y-0-trusted" || bail "lumen-a11yd did not start"
start_inputd # a keyboard that updates lumen's own xkb state, for Caps Lock below
start_lumen
wait_input_master 1 || bail "lumen is not lumen-inputd's seat master"

# ---- the global: trusted clients only; a bad modifier is a protocol error
"$TC_GLOBALS" >"$T_DIR/plain.txt" 2>&1
WAYLAND_DISPLAY=$T_SOCKET-trusted "$TC_GLOBALS" >"$T_DIR/trusted.txt" 2>&1
! grep -q "^lumen_reader_keys_v1 " "$T_DIR/plain.txt" &&
	grep -q "^lumen_reader_keys_v1 1$" "$T_DIR/trusted.txt"
ok $? "lumen_reader_keys_v1 is offered to trusted clients only"
"$TC_READER_KEYS" >"$T_DIR/untrusted.out" 2>&1
[ $? -eq 3 ] && grep -q "no lumen_reader_keys_v1" "$T_DIR/untrusted.out"
ok $? "an untrusted client cannot bind it"
WAYLAND_DISPLAY=$T_SOCKET-trusted "$TC_READER_KEYS" --modifier 7 >"$T_DIR/bad.out" 2>&1
[ $? -ne 0 ] && grep -q "protocol error 0 on lumen_reader_keys_v1" "$T_DIR/bad.out"
ok $? "grab with an unknown modifier is the error invalid_modifier ($(tail -n 1 "$T_DIR/bad.out"))"

# ---- the reader, with lumen-widgets
spawn_trusted reader "$LUMEN_READER" --no-audio --speech-log "$SPEECH" --modifier insert
wait_for 10 grep -q "reading" "$T_DIR/reader.out" || bail "lumen-reader did not reach the bus"
wait_for 10 grep -qF "the screen reader grabs Insert chords" "$T_DIR/lumen.log"
ok $? "lumen-reader grabs Insert from the compositor"
WAYLAND_DISPLAY=$T_SOCKET-trusted "$TC_READER_KEYS" >"$T_DIR/second.out" 2>&1
grep -qx "refused" "$T_DIR/second.out"
ok $? "one grab at a time: a second grabber is refused"

spawn widgets "$TK_WIDGETS"
wait_for 10 has_window lumen-widgets || bail "lumen-widgets did not start"
wait_for 10 said_after 0 "Press me, button" || bail "the reader did not speak the focus"

n=$(lines)
chord t
wait_for 5 said_exactly_after "$n" "Lumen widgets"
ok $? "Insert+T speaks the window's title"
says "Insert+Tab: where am I" Tab -- "Lumen widgets, window, Press me, button"
last_said | grep -qE ", [0-9]+ of [0-9]+, Counts the presses$"
ok $? "where am I tells the position and the description ('$(last_said)')"

says "Insert+B: the next button" b -- "Wi-Fi, toggle button, not checked"
n=$(lines)
chord Tab
wait_for 5 said_after "$n" "Lumen widgets, window, Wi-Fi, toggle button"
ok $? "and the focus moved there (where am I: '$(last_said)')"
! tail -n +"$((n - 1))" "$SPEECH" | head -n 2 | cut -d' ' -f2- | uniq -d | grep -q .
ok $? "the focus it asked for is not spoken twice"
says "Insert+B again" b -- "Menu, menu button"
says "Insert+Shift+B: the previous button" b shift -- "Wi-Fi, toggle button"
says "Insert+H: no heading after the buttons" h -- "no next heading"

# Insert+F walks the form fields to the Name entry.
says "Insert+F: the next form field" f -- "Remember me, check box, not checked"
says "Insert+F" f -- "Volume, slider, 50"
says "Insert+F" f -- "Name, entry"
wait_for 5 sh -c "tail -n 3 '$SPEECH' | grep -q 'Name, entry'"
n=$(lines)
inject type "hello world"
wait_for 5 said_after "$n" "d"
ok $? "typing into the entry is echoed"
says "Insert+L: the current line" l -- "hello world"
n=$(lines)
inject key Insert press key l tap key l tap key Insert release
wait_for 5 said_after "$n" "h e l l o space w o r l d"
ok $? "Insert+L twice: the line spelled"
says "Insert+Comma: the current word" comma -- "world"
says "Insert+Period: the current character (at the end)" period -- "blank"

# The caret's moves: a character for Home and arrows, a word with Ctrl+arrows.
n=$(lines)
inject key Home tap
wait_for 5 said_exactly_after "$n" "h"
ok $? "Home: the character under the caret ('$(last_said)')"
n=$(lines)
inject key Right tap
wait_for 5 said_exactly_after "$n" "e"
ok $? "Right: the next character ('$(last_said)')"
n=$(lines)
inject mod ctrl press key Right tap mod ctrl release
wait_for 5 said_exactly_after "$n" "hello"
ok $? "Ctrl+Right: the word at the caret ('$(last_said)')"
says "Insert+A: say all from the caret" a -- "llo world"

n=$(lines)
chord w
wait_for 5 said_after "$n" "Items, list"
ok $? "Insert+W reads the whole window"
said_after "$n" "Press me, button" && said_after "$n" "Remember me, check box"
ok $? "in order, every widget"
says "Insert+Shift+H: the previous heading, the gallery's title label" h shift -- \
	"Lumen widgets, heading"

# ---- chords never reach the focused app; a double press of Insert does
spawn keylog "$TC_KEYLOG" --title "Key log"
wait_for 10 out_has keylog "focus in" || bail "the keylog client got no focus"
wait_for 5 said_after 0 "Key log, window"
says "Insert+T over another app" t -- "Key log"
inject key Insert press key b tap key Insert release key x tap
wait_for 5 out_has keylog "keysym: x"
! out_has keylog "keysym: Insert" && ! out_has keylog "keysym: t" && ! out_has keylog "keysym: b" &&
	! out_has keylog "key released: t"
ok $? "the app got none of the chords' keys, nor Insert alone (but x, after)"
sleep 0.6
inject key Insert tap
inject key y tap
wait_for 5 out_has keylog "keysym: y"
! out_has keylog "keysym: Insert"
ok $? "a single Insert does not reach the app"
sleep 0.6
inject key Insert tap key Insert tap key z tap
wait_for 5 out_has keylog "keysym: z"
[ "$(grep -c "keysym: Insert" "$T_DIR/keylog.out")" -eq 1 ]
ok $? "a double press of Insert passes one Insert to the app"

# ---- Super+Alt+S toggles the reader while the session is locked
mkfifo "$T_DIR/lock.in"
WAYLAND_DISPLAY=$T_SOCKET-trusted "$TC_PROTOCOLS_EXT" lock --color 0000ff --stdin \
	<"$T_DIR/lock.in" >"$T_DIR/lock.out" 2>&1 &
T_PIDS="$T_PIDS $!"
exec {lockfd}>"$T_DIR/lock.in"
wait_for 10 out_has lock locked
ok $? "the session is locked"
n=$(lines)
inject mod super press mod alt press key s tap mod alt release mod super release
wait_for 5 said_after "$n" "Screen reader off"
ok $? "Super+Alt+S on the lock screen turns the reader off"
n=$(lines)
inject mod super press key 2 tap mod super release
sleep 0.5
[ "$(ipc_json "[o['workspace'] for o in j['outputs']][0]" outputs)" = 1 ]
ok $? "other bindings still do nothing while locked"
inject mod super press mod alt press key s tap mod alt release mod super release
wait_for 5 said_after "$n" "Screen reader on"
ok $? "and on again"
wait_for 5 grep -qF "the screen reader grabs Insert chords" <(tail -n 3 "$T_DIR/lumen.log")
n=$(lines)
inject key Insert press key w tap key Insert release
wait_for 5 out_has lock "keysym: w"
ok $? "while locked, the reader's chords rest: Insert+W goes to the locker"
sleep 0.5
! said_after "$n" "Key log" && ! said_after "$n" "window"
ok $? "and nothing behind the lock is read out"
! out_has lock "keysym: s"
ok $? "the toggle's own key did not reach the locker"
echo unlock >&"$lockfd"
wait_for 5 out_has lock unlocked
exec {lockfd}>&-

# ---- the grab ends with its reader: Insert reaches the app again
wait_for 10 grep -qF "the screen reader grabs Insert chords" "$T_DIR/lumen.log"
kill -TERM "$PID_reader"
wait "$PID_reader"
st=$?
T_PIDS=$(echo " $T_PIDS " | sed "s/ $PID_reader / /")
[ "$st" -eq 0 ]
ok $? "lumen-reader exits cleanly on SIGTERM (status $st)"
wait_for 5 grep -qF "the screen reader's grab ended" "$T_DIR/lumen.log"
before=$(grep -c "keysym: Insert" "$T_DIR/keylog.out")
inject key Insert tap
wait_for 5 sh -c "[ \$(grep -c 'keysym: Insert' '$T_DIR/keylog.out') -gt $before ]"
ok $? "once the reader is gone, Insert goes to the app"

# ---- Caps Lock as the modifier, from a keyboard of lumen-inputd (whose key events
# change lumen's xkb state, unlike a virtual keyboard's): it must not lock.
n=$(lines)
spawn_trusted reader2 "$LUMEN_READER" --no-audio --speech-log "$SPEECH" --modifier capslock -d
wait_for 10 grep -qF "the screen reader grabs Caps Lock chords" "$T_DIR/lumen.log"
ok $? "a reader with --modifier capslock grabs Caps Lock"
# A reader started late is told the windows and the active one when it subscribes.
wait_for 5 said_after "$n" "Key log, window"
ok $? "a reader started late says the active window"
n=$(lines)
inputctl_until "said_exactly_after $n 'Key log'" key capslock+t
ok $? "and Caps Lock+T reads its title"
inputctl_until "grep -q 'speech stopped' '$T_DIR/reader2.out'" key capslock+s
ok $? "Caps Lock+S reaches the reader"
sleep 0.6
inputctl_until "out_has keylog 'keysym: u'" key capslock key u
! out_has keylog "keysym: Caps_Lock" && ! out_has keylog "keysym: s" &&
	! grep -q "^modifiers:.*caps" "$T_DIR/keylog.out"
ok $? "the app got neither Caps Lock nor S, and Caps Lock did not lock"
sleep 0.6
inputctl_until "out_has keylog 'keysym: Caps_Lock'" key capslock key capslock
wait_for 5 grep -q "^modifiers:.*caps" "$T_DIR/keylog.out" &&
	[ "$(grep -c "keysym: Caps_Lock" "$T_DIR/keylog.out")" -eq 1 ]
ok $? "a double Caps Lock goes to the app, and locks"
inputctl_until "grep -q 'speech stopped (Ctrl)' '$T_DIR/reader2.out'" key leftctrl
ok $? "Ctrl alone, reported to the reader, stops its speech"
kill -TERM "$PID_reader2"
wait "$PID_reader2"
st=$?
T_PIDS=$(echo " $T_PIDS " | sed "s/ $PID_reader2 / /")
[ "$st" -eq 0 ]
ok $? "the second lumen-reader exits cleanly too (status $st)"

! grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T_DIR"/a11yd.out "$T_DIR"/reader.out \
	"$T_DIR"/reader2.out >/dev/null 2>&1
ok $? "no sanitizer reports from lumen-a11yd or the reader"
diag "$(sed 's/^/speech: /' "$SPEECH" | tail -n 60)"
stop_lumen
stop_inputd
done_testing
