#!/bin/bash
# A layer-shell panel reserves its exclusive zone: a maximized window ends at it, and
# the panel shows on top; other layers stack in order.
. "$TESTS_DIR/lib.sh"
start_lumen

spawn panel "$TC_PANEL" --layer top --anchor top,left,right --size 0x40 --exclusive 40 --color 00ff00
wait_for 20 out_has panel "mapped"
ok $? "the panel maps"
grep -q "configure 1280 40" "$T_DIR/panel.out"
ok $? "it is stretched across the output (configure 1280 40)"

spawn win "$TC_KEYLOG" --title layer-win --color ff00ff
wait_for 20 has_window layer-win
id=$(window_field layer-win id)
"$LUMENCTL" maximize "$id" on >/dev/null
wait_for 10 sh -c "[ \"\$($LUMENCTL -c windows | python3 -c 'import json,sys; w=json.load(sys.stdin)[\"windows\"][0]; print(w[\"y\"], w[\"height\"])')\" = '40 680' ]"
ok $? "the maximized window's frame starts at y=40 and is 680 high"
sleep 0.5
capture "$T_DIR/max.png"
green=$("$PNG_TOOL" count "$T_DIR/max.png" 0 0 1280 40 00ff00)
[ "$green" -eq $((1280 * 40)) ]
ok $? "the panel's 1280x40 pixels are all visible ($green)"
magenta=$("$PNG_TOOL" count "$T_DIR/max.png" 0 40 1280 680 ff00ff)
[ "$magenta" -gt $((1200 * 600)) ]
ok $? "the window fills the rest ($magenta magenta pixels)"

spawn bottom "$TC_PANEL" --layer bottom --anchor bottom,left,right --size 0x30 --exclusive 30 --color ffff00
wait_for 10 out_has bottom "mapped"
wait_for 10 sh -c "[ \"\$($LUMENCTL -c windows | python3 -c 'import json,sys; w=json.load(sys.stdin)[\"windows\"][0]; print(w[\"y\"], w[\"height\"])')\" = '40 650' ]"
ok $? "a second panel at the bottom shrinks the maximized window to 650"
kill $PID_panel
wait_for 10 sh -c "[ \"\$($LUMENCTL -c windows | python3 -c 'import json,sys; w=json.load(sys.stdin)[\"windows\"][0]; print(w[\"y\"], w[\"height\"])')\" = '0 690' ]"
ok $? "when the top panel goes, the window grows back to the top"

spawn overlay "$TC_PANEL" --layer overlay --anchor top,left --size 100x100 --color 00ffff
wait_for 10 out_has overlay "mapped"
sleep 0.3
capture "$T_DIR/overlay.png"
cyan=$("$PNG_TOOL" count "$T_DIR/overlay.png" 0 0 100 100 00ffff)
[ "$cyan" -eq 10000 ]
ok $? "an overlay surface is drawn above the window ($cyan)"
spawn bg "$TC_PANEL" --layer background --anchor top,bottom,left,right --size 0x0 --color 202080
wait_for 10 out_has bg "mapped"
sleep 0.3
capture "$T_DIR/bg.png"
magenta=$("$PNG_TOOL" count "$T_DIR/bg.png" 200 200 100 100 ff00ff)
[ "$magenta" -eq 10000 ]
ok $? "a background surface stays below the window"

# Tiled windows respect the zones too (the bottom panel still reserves 30 px).
"$LUMENCTL" maximize "$id" off >/dev/null
spawn win2 "$TC_KEYLOG" --title layer-win2
wait_for 20 has_window layer-win2
"$LUMENCTL" action tiling on >/dev/null
sleep 0.3
bottoms=$("$LUMENCTL" -c windows | python3 -c '
import json,sys
print(" ".join(str(w["y"]+w["height"]) for w in json.load(sys.stdin)["windows"]))')
[ "$bottoms" = "690 690" ]
ok $? "tiled windows end where the bottom panel begins (bottom edges: $bottoms)"
done_testing
