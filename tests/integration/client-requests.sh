#!/bin/bash
# What a client with its own title bar asks for: interactive move and resize from
# a button press, maximize, fullscreen and minimize, and starting maximized or
# fullscreen. Requests without a button held are ignored, as they must be.
. "$TESTS_DIR/lib.sh"
printf '[decorations]\nmode = client\n' >"$T_DIR/lumen.ini"
start_lumen

spawn mover "$TC_KEYLOG" --title mover --on-press move
wait_for 20 has_window mover
x=$(window_field mover x); y=$(window_field mover y)
inject move-abs $((x + 50)) $((y + 50)) 1280 720 button left press move 80 40 button left release
wait_for 5 out_has mover "requested move"
ok $? "the client asks to be moved on a button press"
nx=$(window_field mover x); ny=$(window_field mover y)
[ "$nx" -eq $((x + 80)) ] && [ "$ny" -eq $((y + 40)) ]
ok $? "and follows the pointer while the button is held ($x,$y -> $nx,$ny)"
inject move 30 30
[ "$(window_field mover x)" -eq "$nx" ]
ok $? "after the release it stays put"
kill $PID_mover

spawn resizer "$TC_KEYLOG" --title resizer --on-press resize
wait_for 20 has_window resizer
x=$(window_field resizer x); y=$(window_field resizer y)
inject move-abs $((x + 380)) $((y + 280)) 1280 720 button left press move 60 30 button left release
wait_for 5 out_has resizer "configure 460 330"
ok $? "a resize request grows the window with the pointer (460x330)"
grep -q "resizing" "$T_DIR/resizer.out"
ok $? "the client is told it is being resized"
kill $PID_resizer

spawn maxer "$TC_KEYLOG" --title maxer --on-press maximize
wait_for 20 has_window maxer
x=$(window_field maxer x); y=$(window_field maxer y)
inject move-abs $((x + 50)) $((y + 50)) 1280 720 button left click
wait_for 5 out_has maxer "configure 1280 720 maximized"
ok $? "a maximize request fills the output (no panel: 1280x720)"
wait_for 5 field_is maxer maximized 1
ok $? "lumenctl reports it maximized"
kill $PID_maxer

spawn mini "$TC_KEYLOG" --title mini --on-press minimize
wait_for 20 has_window mini
x=$(window_field mini x); y=$(window_field mini y)
inject move-abs $((x + 50)) $((y + 50)) 1280 720 button left click
wait_for 5 field_is mini minimized 1
ok $? "a minimize request minimizes"
sleep 0.3
capture "$T_DIR/mini.png"
blue=$("$PNG_TOOL" count "$T_DIR/mini.png" 0 0 1280 720 3366cc)
[ "$blue" -eq 0 ]
ok $? "and the window is no longer drawn ($blue pixels of it)"
kill $PID_mini

spawn startmax "$TC_KEYLOG" --title startmax --start maximized
wait_for 20 out_has startmax "configure 1280 720 maximized"
ok $? "a window that asks before mapping starts maximized"
kill $PID_startmax
spawn startfs "$TC_KEYLOG" --title startfs --start fullscreen
wait_for 20 out_has startfs "configure 1280 720 fullscreen"
ok $? "and one that asks for fullscreen starts fullscreen"
kill $PID_startfs

# A move request with no button held (a client trying to grab the pointer) is ignored.
spawn sneaky "$TC_KEYLOG" --title sneaky --on-press move
wait_for 20 has_window sneaky
x=$(window_field sneaky x)
inject move 200 0
[ "$(window_field sneaky x)" -eq "$x" ]
ok $? "nothing moves without a press"
done_testing
