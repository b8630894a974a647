#!/bin/bash
# Server-side decorations: drawn for clients that ask (xdg-decoration, KDE
# server-decoration) or that say nothing; a title bar in the focused colour with
# the title's text, the unfocused colour otherwise; none in client mode for
# clients that draw their own.
. "$TESTS_DIR/lib.sh"
printf '[decorations]\nfocused = #3584e4\nunfocused = #5e5c64\n' >"$T_DIR/lumen.ini"
start_lumen

spawn a "$TC_KEYLOG" --title "Decorated window" --color 000000
wait_for 20 has_window "Decorated window"
sleep 0.3
capture "$T_DIR/one.png"
x=$(window_field "Decorated window" x); y=$(window_field "Decorated window" y)
w=$(window_field "Decorated window" width)
blue=$("$PNG_TOOL" count "$T_DIR/one.png" "$x" "$y" "$w" 30 3584e4)
[ "$blue" -gt $((w * 30 / 2)) ]
ok $? "the focused window has a title bar in the focused colour ($blue px)"
colours=$("$PNG_TOOL" distinct "$T_DIR/one.png" $((x + 8)) $((y + 6)) 150 20)
[ "$colours" -gt 3 ]
ok $? "with text drawn in it ($colours colours where the title is)"
white=$("$PNG_TOOL" count "$T_DIR/one.png" $((x + w - 40)) "$y" 36 30 ffffff --tolerance 40)
[ "$white" -gt 10 ]
ok $? "and a close button at the right ($white light pixels)"

spawn b "$TC_KEYLOG" --title "Other window" --color 000000
wait_for 20 has_window "Other window"
"$LUMENCTL" move "$(window_field "Other window" id)" to 700 400 >/dev/null
sleep 0.3
capture "$T_DIR/two.png"
grey=$("$PNG_TOOL" count "$T_DIR/two.png" "$x" "$y" "$w" 30 5e5c64)
[ "$grey" -gt $((w * 30 / 2)) ]
ok $? "once another window has focus, the first one's bar turns grey ($grey px)"

spawn foot foot -a deco-foot sh -c 'printf "\033]2;deco-foot\007"; exec sleep 60'
wait_for 20 has_window deco-foot
grep -q "" "$T_DIR/foot.out"
fx=$(window_field deco-foot x); fy=$(window_field deco-foot y); fw=$(window_field deco-foot width)
sleep 0.5
capture "$T_DIR/foot.png"
blue=$("$PNG_TOOL" count "$T_DIR/foot.png" "$fx" "$fy" "$fw" 30 3584e4)
[ "$blue" -gt $((fw * 30 / 2)) ]
ok $? "foot (xdg-decoration) gets our title bar too"
done_testing
