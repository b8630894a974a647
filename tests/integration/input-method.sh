#!/bin/bash
# The input-method relay (compositor/src/input-method.c), both ways: a text field
# (keylog --text-input, text-input-v3) and an input method (lumen-test-im,
# input-method-v2, privileged). Focus, surrounding text and content type reach the
# input method; its preedit, commits and deletions reach the field; its popup is drawn
# under the text cursor and kept on the output; typing goes through its keyboard grab.
# Focus races are forced by stopping a client (SIGSTOP) while focus moves on, so that
# its requests arrive late, as they may from a busy client.
. "$TESTS_DIR/lib.sh"
start_lumen

# Where keylog --text-input puts its text cursor (keylog.c: CURSOR_*), the content
# hint and purpose it announces, and the size of the popups started below.
CUR_X=100 CUR_Y=120 CUR_W=2 CUR_H=20
HINT=3 PURPOSE=7
POP_W=200 POP_H=80
OUT_W=1280 OUT_H=720
# The server-side frame: content sits inside a 2 px border under a 28 px title bar
# (decoration.c: BORDER, the default title_height; view.c: content_offset).
FRAME_X=2 FRAME_Y=30

has_line() { # NAME exact-line
	grep -qxF -- "$2" "$T_DIR/$1.out"
}

count_lines() { # NAME exact-line
	grep -cxF -- "$2" "$T_DIR/$1.out"
}

lines_are() { # NAME exact-line N: the line was printed exactly N times so far
	[ "$(count_lines "$1" "$2")" -eq "$3" ]
}

no_window() { # app_id-or-title
	! has_window "$1"
}


# The input method's state as last told: activate or deactivate.
im_state() { # NAME
	grep -xE 'activate|deactivate' "$T_DIR/$1.out" | tail -n 1
}

last_line_like() { # NAME prefix
	grep -F -- "$2" "$T_DIR/$1.out" | tail -n 1
}

# The input method's last surrounding text is what the field last printed as text.
im_has_text_of() { # IM FIELD
	text=$(last_line_like "$2" "text: ")
	text=${text#text: }
	bytes=$(printf %s "$text" | wc -c)
	[ "$(last_line_like "$1" "surrounding ")" = "surrounding \"$text\" $bytes $bytes" ]
}

# Screenshots go through wlr-screencopy, which copies a frame the output really
# showed. (lumenctl screenshot renders the scene itself, and right after a focus
# change that aborts lumen in wlroots 0.15: a new title bar's texture gets made in
# mid-render. Reported; not this test's subject.)
shoot() {
	WAYLAND_DISPLAY="$T_SOCKET-trusted" "$TC_CAPTURE" "$T_DIR/shot.png" >/dev/null 2>&1
}

# Magenta shows only in the rectangle given (filling it): the popup is there, and
# nowhere else.
popup_at() { # X Y
	shoot || return 1
	total=$("$PNG_TOOL" count "$T_DIR/shot.png" 0 0 $OUT_W $OUT_H ff00ff) || return 1
	inside=$("$PNG_TOOL" count "$T_DIR/shot.png" "$1" "$2" $POP_W $POP_H ff00ff) || return 1
	[ "$inside" -eq $((POP_W * POP_H)) ] && [ "$total" -eq "$inside" ]
}

no_popup() {
	shoot || return 1
	[ "$("$PNG_TOOL" count "$T_DIR/shot.png" 0 0 $OUT_W $OUT_H ff00ff)" -eq 0 ]
}

# Where the popup belongs: under the text cursor of the window whose frame is at X Y.
content_x() { echo $(($1 + FRAME_X)); }
content_y() { echo $(($1 + FRAME_Y)); }

dump_clients() {
	for name in im im_b im2 field field2 other inject; do
		[ -s "$T_DIR/$name.out" ] || continue
		diag "---- $name (tail) ----"
		diag "$(tail -n 30 "$T_DIR/$name.out")"
	done
}

bail_dump() {
	# A stopped client would only die by SIGKILL in the cleanup: let it finish.
	kill -CONT ${PID_field:-} ${PID_field2:-} 2>/dev/null
	dump_clients
	bail "$@"
}

# --- The manager is privileged.
"$TC_IM" >"$T_DIR/untrusted.out" 2>&1
status=$?
[ "$status" -ne 0 ] && grep -q "offers no zwp_input_method_manager_v2" "$T_DIR/untrusted.out"
ok $? "on the ordinary socket an input method cannot bind the manager (status $status)"

spawn_trusted im "$TC_IM" --preedit ni --popup ${POP_W}x$POP_H --color ff00ff
wait_for 10 out_has im ready
ok $? "on the trusted socket it gets an input method"

spawn other "$TC_KEYLOG" --title Other --color 00ff00
wait_for 10 out_has other "focus in" || bail_dump "the plain window got no focus"
wait_for 5 no_popup
no_popup_st=$?
! has_line im activate
ok $? "a focused window with no text field leaves it inactive"
ok $no_popup_st "and its popup, mapped in advance, is not shown"

# --- Into the field: activation, state to the input method, preedit back.
spawn field "$TC_KEYLOG" --title Field --text-input --color 3366cc
wait_for 10 has_line im activate
ok $? "the input method is activated when the text field gets focus"
wait_for 5 has_line im "content_type $HINT $PURPOSE"
ok $? "the field's content type reaches it (content_type $HINT $PURPOSE)"
wait_for 5 has_line field "preedit \"ni\" 2 2"
ok $? "its preedit reaches the field (preedit \"ni\", cursor at the end)"
inject type hi
wait_for 5 has_line im 'surrounding "hi" 2 2'
ok $? "what is typed in the field reaches it as surrounding text (\"hi\", cursor 2)"

# --- The popup under the text cursor.
fx=$(window_field Field x) && fy=$(window_field Field y) || bail_dump "no Field window"
px=$(($(content_x "$fx") + CUR_X))
py=$(($(content_y "$fy") + CUR_Y + CUR_H))
wait_for 5 popup_at $px $py
ok $? "the popup is drawn just under the text cursor (at $px,$py, window at $fx,$fy)"
wait_for 5 has_line im "text_input_rectangle 0 -$CUR_H $CUR_W $CUR_H"
ok $? "and told where the cursor is relative to it (0 -$CUR_H $CUR_W $CUR_H)"

# --- Focus leaves: deactivated, popup hidden.
other_id=$(window_field Other id) && field_id=$(window_field Field id) || bail_dump "no ids"
"$LUMENCTL" focus "$other_id" >/dev/null
wait_for 5 has_line im deactivate
ok $? "focusing another window deactivates the input method"
wait_for 5 no_popup
ok $? "and hides its popup"
wait_for 5 out_has field "text-input leave" || bail_dump "the field was not told it lost focus"
sleep 0.3
[ "$(count_lines im deactivate)" -eq 1 ]
ok $? "it is told once, not again when the field disables (deactivate x$(count_lines im deactivate))"

# --- A second input method on the same seat.
spawn_trusted im_b "$TC_IM"
wait_for 5 has_line im_b unavailable
ok $? "a second input method is told it is unavailable"

# --- Near the bottom-right corner: flipped above the cursor, kept on the output.
"$LUMENCTL" move "$field_id" to 1000 520 >/dev/null
"$LUMENCTL" focus "$field_id" >/dev/null
wait_for 5 lines_are im activate 2
ok $? "focus back on the field activates the first input method again"
cx=$(content_x 1000) cy=$(content_y 520)
# Below the cursor would run past the bottom; to its right, past the right edge.
px=$((OUT_W - POP_W)) py=$((cy + CUR_Y - POP_H))
wait_for 5 popup_at $px $py
ok $? "near the corner the popup goes above the cursor and stays on the output ($px,$py)"
rx=$((cx + CUR_X - px)) ry=$((cy + CUR_Y - py))
wait_for 5 has_line im "text_input_rectangle $rx $ry $CUR_W $CUR_H"
ok $? "and is told the cursor is at $rx,$ry in it"

# A popup follows its text field when the window moves.
"$LUMENCTL" move "$field_id" to 100 100 >/dev/null
px=$(($(content_x 100) + CUR_X)) py=$(($(content_y 100) + CUR_Y + CUR_H))
wait_for 2 popup_at $px $py
ok $? "the popup follows the window when it moves ($px,$py)"

# --- The input method goes away: no preedit left behind.
kill "$PID_im"
wait_for 5 has_line field 'preedit "" 0 0'
ok $? "when the input method exits the field's preedit is cleared"
wait_for 5 no_popup
ok $? "and its popup is gone"

# --- Typing through a keyboard grab; an input method that starts after the focus.
spawn_trusted im2 "$TC_IM" --delete 2,0 --commit 你好 --grab
wait_for 5 has_line im2 activate
ok $? "an input method that starts while a field has focus is activated at once"
wait_for 5 has_line im2 'surrounding "hi" 2 2'
ok $? "and gets the field's text (\"hi\")"
wait_for 5 has_line field "delete_surrounding 2 0"
ok $? "its deletion reaches the field (delete_surrounding 2 0)"
wait_for 5 has_line field 'commit_string "你好"'
ok $? "its commit reaches the field (commit_string \"你好\")"
wait_for 5 has_line field "text: 你好"
ok $? "which now holds exactly what it committed (text: 你好)"
wait_for 5 has_line im2 'surrounding "你好" 6 6'
ok $? "and reports that back as surrounding text (\"你好\", 6 bytes)"

# Key codes are evdev's: a is 30, x 45.
inject key a tap
wait_for 5 has_line im2 "grab key 30 released"
ok $? "a key typed on the seat goes to the input method's grab (key 30: a)"
wait_for 5 has_line field "text: 你好a"
ok $? "and comes back to the field as committed text (text: 你好a)"
! out_has field "keysym: a"
ok $? "the field never saw the key itself"

# --- Focus races. A field that handles its leave late must not deactivate the input
# method for the field that has focus by then.
spawn field2 "$TC_KEYLOG" --title Field2 --text-input --color 336633
wait_for 10 has_line field2 'commit_string "你好"' || bail_dump "Field2 got no text from the input method"
field2_id=$(window_field Field2 id) || bail_dump "no Field2 id"
"$LUMENCTL" focus "$field_id" >/dev/null
wait_for 5 lines_are field 'commit_string "你好"' 2 || bail_dump "no second activation of Field"
kill -STOP "$PID_field"
"$LUMENCTL" focus "$field2_id" >/dev/null
wait_for 5 lines_are field2 'commit_string "你好"' 2 || bail_dump "Field2 was not activated again"
kill -CONT "$PID_field"
wait_for 5 lines_are field 'text-input leave' 3 || bail_dump "Field did not handle its leave"
# Nothing to wait for when all goes well: give its disable time to arrive.
sleep 0.3
[ "$(im_state im2)" = activate ]
ok $? "a late disable from the field that lost focus leaves the input method active"
inject key z tap
wait_for 5 has_line field2 'commit_string "z"'
ok $? "so keys still go through it, to the field that has focus"

# The other way round: a field told to enable and then to leave, handling both late,
# must not hand its text to the input method that serves another field.
kill -STOP "$PID_field"
"$LUMENCTL" focus "$field_id" >/dev/null
"$LUMENCTL" focus "$field2_id" >/dev/null
wait_for 5 lines_are field2 'commit_string "你好"' 3 || bail_dump "Field2 was not activated again"
wait_for 5 im_has_text_of im2 field2 || bail_dump "the input method did not get Field2's text"
kill -CONT "$PID_field"
wait_for 5 lines_are field 'text-input leave' 4 || bail_dump "Field did not handle its leave"
sleep 0.3
im_has_text_of im2 field2
ok $? "a late enable from an unfocused field does not reach it ($(last_line_like im2 "surrounding "))"
[ "$(im_state im2)" = activate ]
ok $? "nor deactivate it"

# A field that answers a commit late, after focus moved on, must not hand the input
# method its new text either: x is committed to Field2 while it is stopped.
kill -STOP "$PID_field2"
inject key x tap
wait_for 5 has_line im2 "grab key 45 released" || bail_dump "the input method did not get x"
sleep 0.3
"$LUMENCTL" focus "$field_id" >/dev/null
wait_for 5 lines_are field 'commit_string "你好"' 3 || bail_dump "no third activation of Field"
wait_for 5 im_has_text_of im2 field || bail_dump "the input method did not get Field's text"
kill -CONT "$PID_field2"
wait_for 5 lines_are field2 'text-input leave' 3 || bail_dump "Field2 did not handle its leave"
sleep 0.3
im_has_text_of im2 field
ok $? "a late state commit from an unfocused field does not reach it ($(last_line_like im2 "surrounding "))"

# A field that exits while still enabled, after focus moved on, must not deactivate it.
"$LUMENCTL" focus "$field2_id" >/dev/null
wait_for 5 lines_are field2 'commit_string "你好"' 4 || bail_dump "no fourth activation of Field2"
kill -STOP "$PID_field2"
"$LUMENCTL" focus "$field_id" >/dev/null
wait_for 5 lines_are field 'commit_string "你好"' 4 || bail_dump "no fourth activation of Field"
kill -KILL "$PID_field2"
wait_for 5 no_window Field2 || bail_dump "Field2 did not go away"
sleep 0.3
[ "$(im_state im2)" = activate ]
ok $? "a field that exits after losing focus leaves it active for the focused one"

# --- Without an input method, keys go straight to the field again.
kill "$PID_im2"
wait_for 5 lines_are field 'preedit "" 0 0' 2
inject key b tap
wait_for 5 out_has field "keysym: b"
ok $? "once the input method exits, keys go straight to the field"

[ "$T_FAILED" -eq 0 ] || dump_clients
done_testing
