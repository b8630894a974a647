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
wait_for 30 has_window gtk4-widget-factory
ok $? "gtk4-widget-factory maps"
wait_for 10 sh -c "[ \"\$($LUMENCTL -c windows | python3 -c 'import json,sys; print([w[\"focused\"] for w in json.load(sys.stdin)[\"windows\"] if w[\"app_id\"]==\"gtk4-widget-factory\"][0])')\" = True ]"
ok $? "it takes the keyboard focus"

# Put the window low on the output, then open the first combo box's drop-down (an
# xdg_popup below it): there is no room below, so it must be moved to stay inside.
id=$(window_field gtk4-widget-factory id)
"$LUMENCTL" move "$id" to 0 560 >/dev/null
sleep 0.5
y=$(window_field gtk4-widget-factory y)
[ "$y" = 560 ]
ok $? "lumenctl moves it near the bottom edge (y=$y)"
# The arrow of the first combo box, 407,103 from the frame's corner (GTK 4.8's layout).
# Under load GTK may still be settling after the move: try the click a few times.
has_popup() {
	"$LUMENCTL" -c windows | python3 -c 'import json,sys; sys.exit(0 if any(w.get("popups") for w in json.load(sys.stdin)["windows"]) else 1)'
}
for attempt in 1 2 3; do
	inject move-abs 407 663 1280 720 button left click
	wait_for 5 has_popup && break
	diag "no drop-down after click $attempt"
done
has_popup
ok $? "clicking the combo box opens its drop-down (an xdg_popup)"
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
