#!/bin/bash
# Qt 6 popups (issue 5): /usr/lib/qt6/bin/qml (QT_QPA_PLATFORM=wayland, qtwayland 6.4)
# shows data/qt6-popups.qml, whose button opens a Qt.Popup window: an xdg_popup with
# grab, anchored under the button at the window's right edge, 300x200, allowed to flip
# and slide. With the window near the output's right edge lumen flips it left of the
# anchor (configure and IPC), and near the bottom-right corner up as well; it is drawn
# where IPC says (pixels), and a click outside dismisses it. Qt 6.4's ComboBox and Menu
# draw inside the window (no xdg_popup before Qt 6.8's Popup.Window), so a Popup window
# is what a Qt 6 app on bookworm gets as a popup surface. GTK4's popovers are covered
# by widgets tests and gtk4-widget-factory elsewhere.
# shellcheck source=tests/lib.sh
. "$TESTS_DIR/lib.sh"
QML=/usr/lib/qt6/bin/qml
PNGC="$TESTS_DIR/integration/data/png-checker.py"
[ -x "$QML" ] || { echo "1..0 # SKIP $QML is not installed"; exit 0; }
start_lumen

popups() {
	ipc_json "' '.join(str(v) for w in j['windows'] for p in w['popups'] for v in (p['x'], p['y'], p['width'], p['height']))" windows
}
popup_count() {
	ipc_json "sum(len(w['popups']) for w in j['windows'])" windows
}
popups_are() {
	[ "$(popup_count 2>/dev/null)" = "$1" ]
}
configures() {
	grep -c 'xdg_popup@[0-9]*\.configure(' "$T_DIR/qml.out"
}
more_configures() {
	[ "$(configures)" -gt "$1" ]
}
last_configure() { # "X Y W H" of the popup's last configure
	grep -o 'xdg_popup@[0-9]*\.configure([-0-9, ]*)' "$T_DIR/qml.out" | tail -n 1 |
		sed 's/.*(\(.*\))/\1/; s/,//g'
}

WAYLAND_DEBUG=client spawn qml "$QML" "$TESTS_DIR/integration/data/qt6-popups.qml"
wait_for 30 has_window qt6-popups || bail "qml did not map its window: $(grep -v '^\[' "$T_DIR/qml.out" | tail -n 3)"
ok 0 "qml maps the Qt 6 window"
id=$(window_field qt6-popups id)

# open_at X Y: move the window's frame there, click its button, wait for the popup.
open_at() {
	"$LUMENCTL" move "$id" to "$1" "$2" >/dev/null
	wait_for 5 field_is qt6-popups x "$1"
	sleep 0.3
	n=$(configures)
	# The button: 300,20 90x40 in the content, under a title bar of some 30 pixels.
	inject move-abs $(($1 + 345)) $(($2 + 70)) 1280 720 sleep 100 button left click
	wait_for 10 popups_are 1 && wait_for 5 more_configures "$n"
}

open_at 800 200
ok $? "a click on the button near the output's right edge opens an xdg_popup (IPC)"
grep -q 'xdg_popup@[0-9]*\.grab(' "$T_DIR/qml.out"
ok $? "it takes an explicit grab"
grep -q 'set_constraint_adjustment(15)' "$T_DIR/qml.out"
ok $? "Qt allows slide and flip in both axes (constraint_adjustment 15)"
cfg=$(last_configure)
set -- ${cfg:-0 0 0 0}
# Anchor rect 300,60 1x1, anchor top-left, gravity bottom-right: unconstrained at
# 300,60, past the output (the window's content starts near 802); flipped: 301-300 = 1.
[ "$1" = 1 ] && [ "$2" = 60 ] && [ "$3" = 300 ] && [ "$4" = 200 ]
ok $? "lumen flips it left of the anchor: configure ($cfg), not 300 60 300 200"
pop=$(popups)
set -- ${pop:-0 0 0 0}
[ -n "$pop" ] && [ $(($1 + $3)) -le 1280 ] && [ "$1" -ge 800 ] && [ "$1" -le 810 ]
ok $? "IPC shows it on the output, left of the anchor ($pop)"
green=0
drawn() { # X Y W H
	capture "$T_DIR/popup.png" && green=$("$PNGC" count "$T_DIR/popup.png" "$@" 20c040 4) &&
		[ "$green" -ge $(($3 * $4 * 9 / 10)) ]
}
wait_for 10 drawn $pop
ok $? "its pixels are there ($green of $(($3 * $4)) green)"

# A click outside (on the output's far left) dismisses it.
inject move-abs 100 600 1280 720 sleep 100 button left click
wait_for 10 popups_are 0
ok $? "a click outside dismisses it"

# Near the bottom-right corner: flipped up too (200 px do not fit below 60 + 560).
open_at 800 560
ok $? "opened again with the window near the bottom-right corner"
cfg=$(last_configure)
set -- ${cfg:-0 0 0 0}
[ "$1" = 1 ] && [ "$2" -lt 0 ] && [ $(($2 + $4)) -le 61 ] && [ "$3" = 300 ] && [ "$4" = 200 ]
ok $? "flipped left and up, above the anchor: configure ($cfg)"
pop=$(popups)
set -- ${pop:-0 0 0 0}
[ $(($1 + $3)) -le 1280 ] && [ $(($2 + $4)) -le 720 ] && [ "$2" -ge 0 ]
ok $? "IPC shows it within the output ($pop)"
wait_for 10 drawn $pop
ok $? "and drawn there ($green green)"
inject key Escape tap
inject move-abs 100 100 1280 720 sleep 100 button left click
wait_for 10 popups_are 0
ok $? "and dismissed"

stop_lumen
done_testing
