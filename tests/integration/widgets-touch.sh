#!/bin/bash
# lumen-widgets touched: taps from a touch screen driven through lumen-inputd
# (lumen-inputctl touch) reach the gallery as wl_touch, and a tap does what a click does:
# the button runs its handler, the check box checks, the slider jumps to the tapped
# point, the entry takes focus. Checked in the accessible tree (--a11y-dump) and by
# pixels. No pointer is ever used.
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/integration/widgets-lib.sh"

start_inputd
start_lumen
wait_input_master 1 || bail "lumen did not become inputd's seat master"

# The seat offers touch only while a touch device exists: a touch screen is plugged in
# (one tap on the empty corner) before the gallery starts, as a real one would be.
has_touch_device() {
	"$LUMEN_INPUTCTL" list | grep -q "touch-screen touch"
}
"$LUMEN_INPUTCTL" --name touch-screen --size ${OUT_W}x$OUT_H touch 0 0 sleep 60000 \
	>>"$T_DIR/inputctl.out" 2>&1 &
T_PIDS="$T_PIDS $!"
wait_for 10 has_touch_device || bail "no touch screen"
start_gallery || { dump_clients; bail "lumen-widgets did not start"; }

# tap CONDITION X Y: a tap at output pixel X Y, until CONDITION (a command line) holds
tap() {
	inputctl_until "$1" --size ${OUT_W}x$OUT_H touch "$2" "$3"
}

centre() { # role name -> "X Y" on screen
	r=$(rect_of "$1" "$2") || return 1
	set -- $r
	echo "$(($1 + $3 / 2)) $(($2 + $4 / 2))"
}

# --- The button: its handler runs, and the status label shows it.
r=$(rect_of label Status)
shoot "$T_DIR/before.png"
tap 'a11y_is "Pressed 1 time" "f(\"label\", \"Status\")[\"text\"]"' $(centre push-button "Press me")
ok $? "a tap on the button presses it (status: $(a11y "f('label', 'Status')['text']"))"
status_redrawn() {
	shoot "$T_DIR/after.png" &&
		"$PNG_TOOL" crop "$T_DIR/before.png" $r "$T_DIR/l1.png" &&
		"$PNG_TOOL" crop "$T_DIR/after.png" $r "$T_DIR/l2.png" &&
		! "$PNG_TOOL" compare "$T_DIR/l1.png" "$T_DIR/l2.png" >/dev/null
}
wait_for 5 status_redrawn
ok $? "and the status label is redrawn on screen"
tap 'a11y_is "Pressed 2 times" "f(\"label\", \"Status\")[\"text\"]"' $(centre push-button "Press me")
ok $? "a second tap presses it again ($(a11y "f('label', 'Status')['text']"))"

# --- The check box: checked, focused, and drawn checked.
before=$(count_in "$T_DIR/before.png" check-box "Remember me" 3584e4)
tap "a11y_is 1 \"'checked' in f('check-box')['states']\"" $(centre check-box "Remember me")
ok $? "a tap on the check box checks it (accessible state: checked)"
drawn_checked() {
	shoot "$T_DIR/after.png" && after=$(count_in "$T_DIR/after.png" check-box "Remember me" 3584e4) &&
		[ "$after" -gt 150 ]
}
after=0
wait_for 5 drawn_checked
[ "$before" -eq 0 ] && [ "$after" -gt 150 ]
ok $? "and it is drawn checked: accent pixels $before -> $after"
a11y_is 1 "'focused' in f('check-box')['states']"
ok $? "the tap moved focus to it, as a click does"
tap "a11y_is 0 \"'checked' in f('check-box')['states']\"" $(centre check-box "Remember me")
ok $? "another tap unchecks it"

# --- The slider: a tap three quarters along sets the value there (the knob's centre
# runs from 11 px in from the left to 11 px in from the right).
r=$(rect_of slider Volume)
set -- $r
SX=$1 SY=$2 SW=$3 SH=$4
TX=$((SX + 11 + (SW - 22) * 3 / 4))
want=$(python3 -c "print(round(($TX - ($SX + 11)) / ($SW - 22) * 100))")
shoot "$T_DIR/slider-before.png"
tap "a11y_is $want \"f('slider')['value']\"" $TX $((SY + SH / 2))
ok $? "a tap three quarters along the slider sets it to $want ($(a11y "f('slider')['value']"))"
knob_moved() {
	shoot "$T_DIR/slider-after.png" &&
		"$PNG_TOOL" crop "$T_DIR/slider-before.png" $r "$T_DIR/s1.png" &&
		"$PNG_TOOL" crop "$T_DIR/slider-after.png" $r "$T_DIR/s2.png" &&
		! "$PNG_TOOL" compare "$T_DIR/s1.png" "$T_DIR/s2.png" >/dev/null
}
wait_for 5 knob_moved
ok $? "and its knob moved on screen"
a11y_is "Volume $want" "f('label', 'Status')['text']"
ok $? "its handler ran (status: $(a11y "f('label', 'Status')['text']"))"

# --- The entry takes focus from a tap.
tap 'a11y_is Name "focused(j)[\"name\"]"' $(centre entry Name)
ok $? "a tap on the text entry focuses it ($(a11y "focused(j)['name']"))"

stop_gallery "(touch)"
stop_inputd
[ "$T_FAILED" -eq 0 ] || dump_clients
done_testing
