#!/bin/bash
# Stacking and focus by click, Super+drag to move and resize, the title bar's
# buttons, Alt+Tab, and maximize/fullscreen/minimize from clients and lumenctl.
. "$TESTS_DIR/lib.sh"
start_lumen

spawn a "$TC_KEYLOG" --title wm-a --color ff0000
wait_for 20 has_window wm-a
spawn b "$TC_KEYLOG" --title wm-b --color 0000ff
wait_for 20 has_window wm-b
focused() { ipc_json "[w['title'] for w in j['windows'] if w['focused']][0]" windows; }
is_focused() { [ "$(focused 2>/dev/null)" = "$1" ]; }
wait_for 5 is_focused wm-b
ok $? "the newest window has focus"

ax=$(window_field wm-a x); ay=$(window_field wm-a y)
bx=$(window_field wm-b x); by=$(window_field wm-b y)
diag "wm-a at $ax,$ay; wm-b at $bx,$by"
[ "$ax,$ay" != "$bx,$by" ]
ok $? "a new window of the same size is not placed exactly over the first"

# Click on the part of wm-a that wm-b does not cover (its top-left corner area).
inject move-abs $((ax + 10)) $((ay + 45)) 1280 720 button left click
wait_for 5 is_focused wm-a
ok $? "clicking a window focuses it"
wait_for 5 out_has a "focus in"
ok $? "and the client is told (keyboard enter)"
sleep 0.3
capture "$T_DIR/raised.png"
red=$("$PNG_TOOL" count "$T_DIR/raised.png" "$bx" $((by + 30)) 50 50 ff0000)
[ "$red" -eq 2500 ]
ok $? "and raises it above the other ($red red pixels where they overlap)"

# Super+drag with the left button moves the window.
inject move-abs $((ax + 100)) $((ay + 100)) 1280 720 mod super press button left press \
	move 120 60 button left release mod super release
nx=$(window_field wm-a x); ny=$(window_field wm-a y)
[ "$nx" -eq $((ax + 120)) ] && [ "$ny" -eq $((ay + 60)) ]
ok $? "Super+drag moves it by the pointer's motion ($ax,$ay -> $nx,$ny)"

# Dragging the title bar moves it too.
inject move-abs $((nx + 40)) $((ny + 12)) 1280 720 button left press move -100 -20 button left release
mx=$(window_field wm-a x); my=$(window_field wm-a y)
[ "$mx" -eq $((nx - 100)) ] && [ "$my" -eq $((ny - 20)) ]
ok $? "dragging the title bar moves it ($nx,$ny -> $mx,$my)"

# Super+right-drag from the bottom-right quarter resizes.
w0=$(window_field wm-a width); h0=$(window_field wm-a height)
inject move-abs $((mx + w0 - 20)) $((my + h0 - 20)) 1280 720 mod super press button right press \
	move 50 40 button right release mod super release
wait_for 5 out_has a "configure $((w0 - 4 + 50)) $((h0 - 32 + 40))"
ok $? "Super+right-drag resizes it (client configured to $((w0 - 4 + 50))x$((h0 - 32 + 40)))"

# Alt+Tab goes to the other window, and back.
inject mod alt press key Tab tap mod alt release
wait_for 5 is_focused wm-b
ok $? "Alt+Tab switches to the other window"
inject mod alt press key Tab tap mod alt release
wait_for 5 is_focused wm-a
ok $? "Alt+Tab again switches back"

# Title bar buttons: maximize, then minimize, then close.
wa=$(window_field wm-a width); xa=$(window_field wm-a x); ya=$(window_field wm-a y)
inject move-abs $((xa + wa - 2 - 34 - 17)) $((ya + 16)) 1280 720 button left click
wait_for 5 field_is wm-a maximized 1
ok $? "the maximize button maximizes"
wait_for 5 out_has a "maximized"
ok $? "and the client is told it is maximized"
inject move-abs $((1280 - 2 - 34 - 17)) 16 1280 720 button left click
wait_for 5 field_is wm-a maximized 0
ok $? "pressing it again restores"
wa=$(window_field wm-a width); xa=$(window_field wm-a x); ya=$(window_field wm-a y)
inject move-abs $((xa + wa - 2 - 68 - 17)) $((ya + 16)) 1280 720 button left click
wait_for 5 field_is wm-a minimized 1
ok $? "the minimize button minimizes"
wait_for 5 is_focused wm-b
ok $? "and focus moves to the remaining window"
inject mod alt press key Tab tap mod alt release
wait_for 5 field_is wm-a minimized 0
ok $? "Alt+Tab brings the minimized window back"

id=$(window_field wm-a id)
"$LUMENCTL" fullscreen "$id" on >/dev/null
wait_for 5 out_has a "configure 1280 720 fullscreen"
ok $? "lumenctl fullscreen makes the client fullscreen at 1280x720"
sleep 0.3
capture "$T_DIR/fs.png"
red=$("$PNG_TOOL" count "$T_DIR/fs.png" 0 0 1280 720 ff0000)
[ "$red" -eq $((1280 * 720)) ]
ok $? "it covers the whole output with no decoration ($red)"
"$LUMENCTL" fullscreen "$id" off >/dev/null

wb=$(window_field wm-b width); xb=$(window_field wm-b x); yb=$(window_field wm-b y)
"$LUMENCTL" focus "$(window_field wm-b id)" >/dev/null
inject move-abs $((xb + wb - 2 - 17)) $((yb + 16)) 1280 720 button left click
wait_for 10 sh -c "! kill -0 $PID_b 2>/dev/null"
ok $? "the close button closes the window (the client exits)"
wait_for 5 json_is 1 "len(j['windows'])" windows
ok $? "one window is left"
done_testing
