#!/bin/bash
# lumen-widgets (toolkit/gallery) under lumen: clicks and keys injected as a person
# would give them change the widgets as expected, checked on screen (pixels) and in
# the accessible tree that the gallery dumps after each change (--a11y-dump). An input
# method's preedit and commit reach a text entry; the high-contrast theme changes the
# pixels; at output scale 2 the text is drawn at scale 2, not upscaled.
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/integration/widgets-lib.sh"

# ---------------------------------------------------------------- light theme, scale 1
start_lumen
start_gallery || { dump_clients; bail "lumen-widgets did not start"; }
ok 0 "lumen-widgets maps a window and dumps its accessible tree"
a11y_is "Lumen widgets" "j['name']"
ok $? "the tree's root is the window, named by its title"
want="check-box entry heading image label list list-item menu-button panel password-text push-button scroll-pane slider toggle-button window"
got=$(a11y "' '.join(sorted(roles(j, set())))")
[ "$got" = "$want" ]
ok $? "every kind of widget is an accessible node ($got)"
wait_for 5 a11y_is "Press me" "focused(j)['name']"
ok $? "with keyboard focus the first widget is focused (visible focus: $(a11y "focused(j)['name']"))"

# --- The check box, clicked.
shoot "$T_DIR/before.png"
before=$(count_in "$T_DIR/before.png" check-box "Remember me" 3584e4)
click check-box "Remember me"
wait_for 5 a11y_is 1 "'checked' in f('check-box')['states']"
ok $? "a click on the check box checks it (accessible state: checked)"
drawn_checked() {
	shoot "$T_DIR/after.png" && after=$(count_in "$T_DIR/after.png" check-box "Remember me" 3584e4) &&
		[ "$after" -gt 150 ]
}
after=0
wait_for 5 drawn_checked
[ "$before" -eq 0 ] && [ "$after" -gt 150 ]
ok $? "and it is drawn checked: accent pixels $before -> $after"
a11y_is 1 "'focused' in f('check-box')['states']"
ok $? "the click moved focus to it"

# --- The button.
click push-button "Press me"
wait_for 5 a11y_is "Pressed 1 time" "f('label', 'Status')['text']"
ok $? "clicking the button runs its handler (status: $(a11y "f('label', 'Status')['text']"))"
inject key space tap
wait_for 5 a11y_is "Pressed 2 times" "f('label', 'Status')['text']"
ok $? "Space on the focused button presses it again"

# --- Tab to the toggle, the slider; arrows move the slider.
inject key Tab tap
wait_for 5 a11y_is "Wi-Fi" "focused(j)['name']"
ok $? "Tab moves focus to the toggle ($(a11y "focused(j)['name']"))"
inject key Return tap
wait_for 5 a11y_is 1 "'checked' in f('toggle-button')['states']"
ok $? "Enter switches it on"
inject key Tab tap key Tab tap
wait_for 5 a11y_is "Volume" "focused(j)['name']"
ok $? "Tab twice reaches the slider"
shoot "$T_DIR/slider-before.png"
inject key Right tap key Right tap key Right tap
wait_for 5 a11y_is 53 "f('slider')['value']"
ok $? "Right three times moves it from 50 to 53 ($(a11y "f('slider')['value']"))"
r=$(rect_of slider Volume)
shoot "$T_DIR/slider-after.png"
"$PNG_TOOL" crop "$T_DIR/slider-before.png" $r "$T_DIR/s1.png" && "$PNG_TOOL" crop "$T_DIR/slider-after.png" $r "$T_DIR/s2.png"
! "$PNG_TOOL" compare "$T_DIR/s1.png" "$T_DIR/s2.png" >/dev/null
ok $? "and its knob moved on screen"
ring=$("$PNG_TOOL" count "$T_DIR/slider-after.png" $(set -- $r; echo $(($1 - 2)) $(($2 - 2)) $(($3 + 4)) 2) 1c71d8)
[ "$ring" -gt 100 ]
ok $? "a focus ring is drawn around it ($ring px)"

# --- The entry: typing.
inject key Tab tap
wait_for 5 a11y_is "Name" "focused(j)['name']"
ok $? "Tab reaches the text entry"
shoot "$T_DIR/entry-before.png"
inject type "hello world"
wait_for 5 a11y_is "hello world" "f('entry', 'Name')['text']"
ok $? "typed text appears in its accessible text ($(a11y "f('entry', 'Name')['text']"))"
a11y_is 11 "f('entry', 'Name')['caret']"
ok $? "with the caret after it"
r=$(rect_of entry Name)
shoot "$T_DIR/entry-after.png"
dark_before=$("$PNG_TOOL" count "$T_DIR/entry-before.png" $r 1e1e1e --tolerance 60)
dark_after=$("$PNG_TOOL" count "$T_DIR/entry-after.png" $r 1e1e1e --tolerance 60)
[ "$dark_after" -gt $((dark_before + 40)) ]
ok $? "and on screen: dark text pixels in the entry $dark_before -> $dark_after"
inject key BackSpace tap key BackSpace tap key BackSpace tap key BackSpace tap key BackSpace tap key BackSpace tap
wait_for 5 a11y_is "hello" "f('entry', 'Name')['text']"
ok $? "BackSpace deletes ($(a11y "f('entry', 'Name')['text']"))"
inject key Return tap
wait_for 5 a11y_is "Entered hello" "f('label', 'Status')['text']"
ok $? "Enter activates the entry"

# --- The password entry.
inject key Tab tap
wait_for 5 a11y_is "Password" "focused(j)['name']"
inject type "s3cret"
wait_for 5 a11y_is 6 "f('password-text')['text'].count('\u2022')"
ok $? "a password entry shows six bullets to accessibility"
! grep -q "s3cret" "$DUMP"
ok $? "and its text is nowhere in the tree"

# --- An input method: preedit, then commit, into the Name entry.
click entry Name
wait_for 5 a11y_is "Name" "focused(j)['name']"
inject key End tap
shoot "$T_DIR/ime-before.png"
spawn_trusted im "$TC_IM" --preedit ni --popup 30x20 --color ff00ff
wait_for 10 grep -qx activate "$T_DIR/im.out"
ok $? "focus in the entry activates the input method"
wait_for 5 grep -qx 'surrounding "hello" 5 5' "$T_DIR/im.out"
ok $? "which is told the text around the cursor (\"hello\", 5)"
r=$(rect_of entry Name)
preedit_shown() {
	shoot "$T_DIR/ime-after.png" || return 1
	"$PNG_TOOL" crop "$T_DIR/ime-before.png" $r "$T_DIR/i1.png" &&
		"$PNG_TOOL" crop "$T_DIR/ime-after.png" $r "$T_DIR/i2.png" || return 1
	n=$("$PNG_TOOL" compare "$T_DIR/i1.png" "$T_DIR/i2.png" | awk '{print $2}')
	[ "${n:-0}" -gt 40 ]
}
wait_for 5 preedit_shown
ok $? "its preedit is drawn in the entry"
before_run=$("$TK_PNG_CHECK" hrun "$T_DIR/i1.png" 0 0 $(set -- $r; echo $3 $4) 1e1e1e 60)
after_run=$("$TK_PNG_CHECK" hrun "$T_DIR/i2.png" 0 0 $(set -- $r; echo $3 $4) 1e1e1e 60)
[ "${after_run#run }" -ge 10 ] && [ "${after_run#run }" -gt $((${before_run#run } + 4)) ]
ok $? "underlined: the longest dark horizontal line grows from ${before_run#run } to ${after_run#run } px"
a11y_is "hello" "f('entry', 'Name')['text']"
ok $? "but is not yet the entry's text"
# The cursor rectangle we report places the input method's popup under the caret:
# below the text line (entry top + 6 px padding + line height), inside the entry's span.
set -- $r
EX=$1 EY=$2 EW=$3 line_h=$(($4 - 12))
popup_under_caret() {
	shoot "$T_DIR/popup.png" || return 1
	[ "$("$PNG_TOOL" count "$T_DIR/popup.png" 0 0 $OUT_W $OUT_H ff00ff)" -eq 600 ] &&
		[ "$("$PNG_TOOL" count "$T_DIR/popup.png" $((EX + 6)) $((EY + 6 + line_h)) $((EW - 6)) 20 ff00ff)" -eq 600 ]
}
wait_for 5 popup_under_caret
ok $? "the reported cursor rectangle puts the input method's popup under the caret"
wait_for 5 grep -qx "text_input_rectangle 0 -$line_h 1 $line_h" "$T_DIR/im.out"
ok $? "and the input method is told the caret is 1x$line_h ($(grep text_input_rectangle "$T_DIR/im.out" | tail -n 1))"
kill "$PID_im"
wait_for 5 test -n "" # nothing to wait for; the preedit is cleared when it goes
spawn_trusted im2 "$TC_IM" --commit "你好"
wait_for 10 a11y_is "hello你好" "f('entry', 'Name')['text']"
ok $? "its commit is applied to the entry ($(a11y "f('entry', 'Name')['text']"))"
wait_for 5 grep -qx 'surrounding "hello你好" 11 11' "$T_DIR/im2.out"
ok $? "and the input method hears the new text back"
kill "$PID_im2"

# --- The clipboard, both ways, with wl-clipboard on the other end.
inject mod ctrl press key a tap key c tap mod ctrl release
# wl-clipboard on the trusted socket uses data-control, which needs no keyboard focus.
paste_out() {
	WAYLAND_DISPLAY="$T_SOCKET-trusted" timeout 5 wl-paste --no-newline 2>/dev/null
}
pasted() {
	[ "$(paste_out)" = "$1" ]
}
wait_for 5 pasted "hello你好"
ok $? "Ctrl+A then Ctrl+C copies the entry's text to the clipboard (wl-paste: $(paste_out))"
spawn_trusted copy wl-copy --foreground " from outside"
wait_for 5 pasted " from outside"
inject key End tap mod ctrl press key v tap mod ctrl release
wait_for 5 a11y_is "hello你好 from outside" "f('entry', 'Name')['text']"
ok $? "Ctrl+V pastes what another client copied ($(a11y "f('entry', 'Name')['text']"))"
kill "$PID_copy" 2>/dev/null

# --- Key repeat, at the rate and delay the compositor announces (600 ms, 25/s): a key
# held for two seconds types itself more than once.
inject key x press sleep 2000 key x release
wait_for 5 a11y_is 1 "f('entry', 'Name')['text'].endswith('xxx')"
ok $? "a held key repeats ($(a11y "f('entry', 'Name')['text'].count('x')") x typed)"

# --- The list: a click selects, arrows move.
click list-item "Item 2"
wait_for 5 a11y_is 1 "'selected' in f('list-item', 'Item 2')['states']"
ok $? "a click on a list row selects it"
inject key Down tap key Down tap
wait_for 5 a11y_is 1 "'selected' in f('list-item', 'Item 4')['states']"
ok $? "Down twice selects Item 4"
inject key Return tap
wait_for 5 a11y_is "Opened item 4" "f('label', 'Status')['text']"
ok $? "Enter opens it"

# --- The menu: a popup with keyboard navigation.
click menu-button Menu
wait_for 5 a11y_is 1 "'expanded' in f('menu-button')['states'] and f('menu') is not None"
ok $? "clicking the menu button opens its menu (expanded, with a menu node)"
wait_for 5 a11y_is Copy "focused(j)['name']"
ok $? "its first item has focus"
inject key Down tap
wait_for 5 a11y_is Paste "focused(j)['name']"
ok $? "Down moves to the next item"
inject key Return tap
wait_for 5 a11y_is "Menu: Paste" "f('label', 'Status')['text']"
ok $? "Enter activates it"
wait_for 5 a11y_is 0 "'expanded' in f('menu-button')['states']"
ok $? "and the menu closes"
click menu-button Menu
wait_for 5 a11y_is 1 "'expanded' in f('menu-button')['states']"
inject key Escape tap
wait_for 5 a11y_is 0 "'expanded' in f('menu-button')['states']"
ok $? "Escape closes a menu"

shoot "$T_DIR/light.png"
content_origin
light_bg=$("$PNG_TOOL" count "$T_DIR/light.png" $CX $CY 200 100 f6f5f4)
light_black=$("$PNG_TOOL" count "$T_DIR/light.png" $CX $CY 200 300 000000)
stop_gallery "(light)"

# ---------------------------------------------------------------- a layer surface
rm -f "$DUMP"
spawn widgets "$TK_WIDGETS" --layer --a11y-dump "$DUMP"
wait_for 10 test -s "$DUMP" || { dump_clients; bail "lumen-widgets --layer did not start"; }
panel_drawn() {
	shoot "$T_DIR/layer.png" &&
		[ "$("$PNG_TOOL" count "$T_DIR/layer.png" 0 0 $OUT_W 48 f6f5f4)" -gt $((OUT_W * 48 / 2)) ]
}
wait_for 5 panel_drawn
ok $? "on a layer surface it is a panel along the top of the output, full width"
b=$(a11y "' '.join(map(str, f('push-button')['bounds']))")
set -- $b
inject move-abs $(($1 + $3 / 2)) $(($2 + $4 / 2)) $OUT_W $OUT_H button left click
wait_for 5 a11y_is "Pressed 1 time" "f('label', 'Status')['text']"
ok $? "and its button answers a click"
stop_gallery "(layer)"
stop_lumen

# ---------------------------------------------------------------- high contrast
start_lumen
start_gallery --theme high-contrast || { dump_clients; bail "lumen-widgets did not start"; }
wait_for 5 a11y_is "Press me" "focused(j)['name']"
sleep 0.2
shoot "$T_DIR/hc.png"
content_origin
hc_bg=$("$PNG_TOOL" count "$T_DIR/hc.png" $CX $CY 200 100 ffffff)
hc_black=$("$PNG_TOOL" count "$T_DIR/hc.png" $CX $CY 200 300 000000)
[ "$light_bg" -gt 5000 ] && [ "$hc_bg" -gt 5000 ]
ok $? "the light theme's background ($light_bg px) is white in high contrast ($hc_bg px)"
[ "$hc_black" -gt $((light_black + 1000)) ]
ok $? "high contrast draws in black: $light_black -> $hc_black px"
stop_gallery "(high contrast)"
stop_lumen

# ---------------------------------------------------------------- output scale 2
printf '[output HEADLESS-1]\nscale = 2\n' >"$T_DIR/lumen.ini"
start_lumen
start_gallery || { dump_clients; bail "lumen-widgets did not start at scale 2"; }
sleep 0.3
shoot "$T_DIR/scale2.png"
content_origin
b=$(a11y "' '.join(map(str, f('heading', 'Lumen widgets')['bounds']))")
set -- $b
# Logical to physical: everything doubles; the window sits at an even position.
X=$(((CX + $1) * 2)) Y=$(((CY + $2) * 2)) W=$(($3 * 2)) H=$(($4 * 2))
[ $((X + W)) -le $OUT_W ] && [ $((Y + H)) -le $OUT_H ]
ok $? "the heading is on the output at scale 2 ($X,$Y ${W}x$H)"
res=$("$TK_PNG_CHECK" blocks "$T_DIR/scale2.png" $X $Y $W $H)
diag "2x2 blocks in the heading: $res"
set -- $res
[ "$2" -gt 50 ] && [ "$4" -gt $(($2 / 4)) ]
ok $? "its glyph edges have detail inside 2x2 pixel blocks, as no 2x upscale has ($res)"
distinct=$("$PNG_TOOL" distinct "$T_DIR/scale2.png" $X $Y $W $H)
[ "$distinct" -gt 8 ]
ok $? "and are antialiased ($distinct colours)"
stop_gallery "(scale 2)"

[ "$T_FAILED" -eq 0 ] || dump_clients
done_testing
