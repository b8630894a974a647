#!/bin/bash
# weston-simple-shm's pixels reach the capture; gtk4-widget-factory maps, takes focus,
# and its menu (an xdg_popup) opens inside the output, even from a window that
# hangs over the output's edge.
. "$TESTS_DIR/lib.sh"
start_lumen

capture "$T_DIR/empty.png"
spawn shm weston-simple-shm
wait_for 20 has_window simple-shm
ok $? "weston-simple-shm maps"
sleep 0.5
capture "$T_DIR/shm.png"
x=$(window_field simple-shm x); y=$(window_field simple-shm y)
w=$(window_field simple-shm width); h=$(window_field simple-shm height)
# Its content is a moving pattern of many colours; the empty desktop has one.
colours=$("$PNG_TOOL" distinct "$T_DIR/shm.png" $((x + 10)) $((y + 40)) $((w - 20)) $((h - 50)))
[ "${colours:-0}" -gt 20 ]
ok $? "its pattern is in the capture ($colours colours in its window)"
empty=$("$PNG_TOOL" distinct "$T_DIR/empty.png" $((x + 10)) $((y + 40)) $((w - 20)) $((h - 50)))
[ "${empty:-0}" -le 2 ]
ok $? "the same area was plain before it mapped ($empty colours)"
kill $PID_shm

if ! command -v gtk4-widget-factory >/dev/null; then
	echo "ok 4 # SKIP gtk4-widget-factory not installed"
	T_NUM=4
	done_testing
fi
spawn gtk gtk4-widget-factory
wait_for 30 has_window org.gtk.WidgetFactory4
ok $? "gtk4-widget-factory maps"
wait_for 10 sh -c "[ \"\$($LUMENCTL -c windows | python3 -c 'import json,sys; print([w[\"focused\"] for w in json.load(sys.stdin)[\"windows\"] if w[\"app_id\"]==\"org.gtk.WidgetFactory4\"][0])')\" = True ]"
ok $? "it takes the keyboard focus"

# Push the window so that its right part hangs off the output, then open the
# header bar's menu (F10) near that edge: the popup must land inside the output.
id=$(window_field org.gtk.WidgetFactory4 id)
"$LUMENCTL" move "$id" to 700 100 >/dev/null
sleep 0.5
before=$("$LUMENCTL" -c windows | python3 -c 'import json,sys; print(sum(len(w.get("popups",[])) for w in json.load(sys.stdin)["windows"]))')
inject key F10 tap
wait_for 10 sh -c "$LUMENCTL -c windows | python3 -c 'import json,sys; sys.exit(0 if any(w.get(\"popups\") for w in json.load(sys.stdin)[\"windows\"]) else 1)'"
ok $? "F10 opens a popup menu (popups before: $before)"
popups=$("$LUMENCTL" -c windows | python3 -c '
import json,sys
for w in json.load(sys.stdin)["windows"]:
    for p in w.get("popups", []):
        print(p["x"], p["y"], p["width"], p["height"])')
diag "popups: $popups"
inside=0
while read -r px py pw ph; do
	[ -z "$px" ] && continue
	if [ "$px" -lt 0 ] || [ "$py" -lt 0 ] || [ $((px + pw)) -gt 1280 ] || [ $((py + ph)) -gt 720 ]; then
		inside=1
	fi
done <<<"$popups"
[ -n "$popups" ] && [ $inside -eq 0 ]
ok $? "every popup lies inside the 1280x720 output"
done_testing
