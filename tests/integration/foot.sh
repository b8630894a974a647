#!/bin/bash
# foot maps a window and shows the text of a command that runs in it: pixels differ
# exactly where the text is; the title it sets arrives through lumenctl.
. "$TESTS_DIR/lib.sh"
start_lumen

# Same place, same size, twice: once silent, once printing a line.
cat >"$T_DIR/foot.ini" <<INI
[main]
font=DejaVu Sans Mono:size=14
pad=0x0
[colors]
background=000000
foreground=ffffff
INI
spawn foot1 foot -c "$T_DIR/foot.ini" -a foot-test sh -c 'printf "\033]2;lumen-quiet\007"; exec sleep 60'
wait_for 20 has_window lumen-quiet
ok $? "foot maps a window, titled by the command in it"
sleep 0.5
capture "$T_DIR/quiet.png"
x=$(window_field lumen-quiet x); y=$(window_field lumen-quiet y)
kill $PID_foot1
wait_for 10 sh -c "! $LUMENCTL -c windows | grep -q lumen-quiet"

spawn foot2 foot -c "$T_DIR/foot.ini" -a foot-test sh -c 'printf "\033]2;lumen-echo\007"; echo "HELLO FROM LUMEN"; exec sleep 60'
wait_for 20 has_window lumen-echo
ok $? "a second foot maps"
title=$(window_field lumen-echo title)
[ "$title" = "lumen-echo" ]
ok $? "its title is what the command set ('$title')"
x2=$(window_field lumen-echo x); y2=$(window_field lumen-echo y)
[ "$x" = "$x2" ] && [ "$y" = "$y2" ]
ok $? "both windows were placed at the same spot ($x,$y)"
sleep 0.5
capture "$T_DIR/echo.png"

# The frame includes our title bar (2 + 28 px); the first text row is below it.
w=$(window_field lumen-echo width)
top=$((y2 + 30))
"$PNG_TOOL" crop "$T_DIR/quiet.png" "$((x2 + 2))" "$top" "$((w - 4))" 24 "$T_DIR/q-row.png"
"$PNG_TOOL" crop "$T_DIR/echo.png" "$((x2 + 2))" "$top" "$((w - 4))" 24 "$T_DIR/e-row.png"
diff=$("$PNG_TOOL" compare "$T_DIR/q-row.png" "$T_DIR/e-row.png" | awk '{print $2}')
[ "${diff:-0}" -gt 50 ]
ok $? "the first text row differs where the text is ($diff pixels)"
"$PNG_TOOL" crop "$T_DIR/quiet.png" "$((x2 + 2))" "$((top + 200))" "$((w - 4))" 40 "$T_DIR/q-low.png"
"$PNG_TOOL" crop "$T_DIR/echo.png" "$((x2 + 2))" "$((top + 200))" "$((w - 4))" 40 "$T_DIR/e-low.png"
"$PNG_TOOL" compare "$T_DIR/q-low.png" "$T_DIR/e-low.png" >/dev/null
ok $? "rows below the text are the same in both"
white=$("$PNG_TOOL" count "$T_DIR/echo.png" "$((x2 + 2))" "$top" 200 24 ffffff --tolerance 60)
[ "${white:-0}" -gt 30 ]
ok $? "white text pixels are drawn in that row ($white)"
done_testing
