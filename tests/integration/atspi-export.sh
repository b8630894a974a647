#!/bin/bash
# lumen-atspi-bridge's export half, read through libatspi as Orca reads it: lumen-widgets
# under lumen publishes its widgets on lumen-a11yd; the export shows them on a private
# AT-SPI2 bus (at-spi-bus-launcher on a private session bus). Checks: the application is
# on the desktop; roles, names, states, actions and values of a button, a toggle, a check
# box, a slider and an entry; actions through AT-SPI2 (DoAction, SetCurrentValue,
# GrabFocus) reach the widgets (the gallery's own dump and its pixels);
# a menu's new nodes appear and go; apps come and go with their windows; AT-SPI2 events
# follow; the password entry's text is nowhere on AT-SPI2.
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/integration/widgets-lib.sh"
. "$TESTS_DIR/integration/atspi-lib.sh"

start_dbus
start_a11yd
start_lumen
start_gallery || bail "lumen-widgets did not start"
start_export
APP=lumen-widgets

wait_for 10 eval 'probe apps | grep -qx "$APP"'
ok $? "lumen-widgets is an application on the AT-SPI2 desktop ($(probe apps | tr '\n' ' '))"
probe dump "$APP" >"$T_DIR/dump.json"
in_dump() { # python expression over the dump (d) and its nodes (nodes)
	"$PY" -c "
import json, sys
d = json.load(open('$T_DIR/dump.json'))
def all_nodes(n):
    yield n
    for c in n['children']:
        yield from all_nodes(c)
nodes = list(all_nodes(d))
sys.exit(0 if ($1) else 1)"
}
in_dump "d['role'] == 'application' and d['children'][0]['role'] == 'frame' and d['children'][0]['name'] == 'Lumen widgets'"
ok $? "its root is the application, its child the window's frame 'Lumen widgets'"
in_dump "'active' in d['children'][0]['states']"
ok $? "the frame is active (the gallery has keyboard focus)"

# Roles, names, states, actions, values: as lumen-a11yd has them.
node_is "$APP" "push button" "Press me" "'focused' in n['states'] and 'focusable' in n['states'] and 'press' in n['actions'] and 'enabled' in n['states']"
ok $? "push button 'Press me': focused, focusable, enabled, action press"
node_is "$APP" "toggle button" "Wi-Fi" "'checked' not in n['states'] and 'toggle' in n['actions']"
ok $? "toggle button 'Wi-Fi': not checked, action toggle"
node_is "$APP" "check box" "Remember me" "'checked' not in n['states'] and 'checkable' in n['states'] and 'toggle' in n['actions']"
ok $? "check box 'Remember me': checkable, not checked, action toggle"
node_is "$APP" slider Volume "n['value'] == 50 and n['range'] == [0, 100] and 'Value' in n['interfaces']"
ok $? "slider 'Volume': Value 50 in [0, 100]"
node_is "$APP" entry Name "'editable' in n['states'] and 'single-line' in n['states'] and 'Text' in n['interfaces'] and n['text'] == ''"
ok $? "entry 'Name': editable, single line, an empty Text"
node_is "$APP" "password text" Password "'Text' in n['interfaces'] and n['text'] == ''"
ok $? "the password entry is a 'password text' with an empty Text"
b=$(probe find "$APP" "push button" "Press me" | "$PY" -c "import json,sys; print(' '.join(map(str, json.load(sys.stdin)['extents'])))")
r=$(rect_of push-button "Press me")
[ -n "$b" ] && [ "$b" = "$r" ]
ok $? "the button's screen extents are where it is drawn ($b; on screen $r)"

# Events, recorded while the actions below run.
spawn events "$PY" "$PROBE" events "$APP" 300
wait_for 10 grep -q listening "$T_DIR/events.out"

# DoAction: the check box is toggled, in the gallery (its dump, its pixels) and on AT-SPI2.
shoot "$T_DIR/before.png"
before=$(count_in "$T_DIR/before.png" check-box "Remember me" 3584e4)
[ "$(probe do "$APP" "check box" "Remember me" toggle)" = 1 ]
ok $? "DoAction(toggle) on the check box answers true (the provider did it)"
wait_for 5 a11y_is 1 "'checked' in f('check-box')['states']"
ok $? "and the gallery's check box is checked"
drawn_checked() {
	shoot "$T_DIR/after.png" && after=$(count_in "$T_DIR/after.png" check-box "Remember me" 3584e4) &&
		[ "$after" -gt 150 ]
}
after=0
wait_for 5 drawn_checked
[ "$before" -eq 0 ] && [ "$after" -gt 150 ]
ok $? "and drawn checked: accent pixels $before -> $after"
wait_for 5 node_is "$APP" "check box" "Remember me" "'checked' in n['states']"
ok $? "and AT-SPI2 says it is checked"

# SetCurrentValue on the slider.
probe set-value "$APP" slider Volume 70 >/dev/null
wait_for 5 a11y_is 70 "f('slider')['value']"
ok $? "setting the slider's value to 70 through AT-SPI2 moves it ($(a11y "f('slider')['value']"))"
wait_for 5 node_is "$APP" slider Volume "n['value'] == 70"
ok $? "and AT-SPI2 reads 70 back"

# GrabFocus and typing into the entry; SetCaretOffset.
[ "$(probe focus "$APP" entry Name)" = 1 ]
ok $? "GrabFocus on the entry answers true"
wait_for 5 a11y_is Name "focused(j)['name']"
ok $? "and the gallery's focus is on it ($(a11y "focused(j)['name']"))"
wait_for 5 node_is "$APP" entry Name "'focused' in n['states']"
ok $? "and AT-SPI2 says it is focused"
inject type "hello world"
wait_for 5 node_is "$APP" entry Name "n['text'] == 'hello world' and n['caret'] == 11"
ok $? "typed text is the entry's AT-SPI2 Text, caret at 11"
[ "$(probe caret "$APP" entry Name 5)" = 1 ]
ok $? "SetCaretOffset 5 on the entry answers true"
wait_for 5 a11y_is 5 "focused(j)['caret']"
ok $? "and the gallery's caret moves there ($(a11y "focused(j)['caret']"))"
inject type ","
wait_for 5 a11y_is "hello, world" "focused(j)['text']"
ok $? "so that typing goes in there ($(a11y "focused(j)['text']"))"
# The password: typed, never on AT-SPI2 (every Text, at every offset, nor in events).
[ "$(probe focus "$APP" "password text" Password)" = 1 ]
wait_for 5 a11y_is Password "focused(j)['name']"
ok $? "GrabFocus moves focus to the password entry"
inject type "sekrit"
wait_for 5 a11y_is 6 "f('password-text')['text'].count('\\u2022')"
ok $? "the gallery took six characters into the password entry (six bullets)"
probe texts "$APP" >"$T_DIR/texts.out"
grep -q "hello, world" "$T_DIR/texts.out"
ok $? "walking every Text finds the entry's text (the walk sees text)"
! grep -qi "sekrit\|\bsek\|krit" "$T_DIR/texts.out"
ok $? "and nothing typed into the password entry, at any offset"
probe dump "$APP" >"$T_DIR/dump2.json"
grep -q "hello, world" "$T_DIR/dump2.json" && ! grep -qi "sekrit" "$T_DIR/dump2.json"
ok $? "nor anywhere in the tree's names, descriptions, values"

# New nodes: the menu button's menu opens (DoAction press), its items appear under it
# and focus moves into it; Escape closes it again.
[ "$(probe do "$APP" "push button menu" Menu press)" = 1 ]
ok $? "DoAction(press) on the menu button answers true"
wait_for 5 node_is "$APP" "menu item" Copy "'focused' in n['states']"
ok $? "its menu's items are on AT-SPI2, the first focused"
inject key Escape tap
wait_for 5 eval '! node_is "$APP" "menu item" Copy "True"'
ok $? "Escape closes the menu: its items are gone from AT-SPI2"

kill -TERM "$PID_events"
wait "$PID_events"
grep -q "object:state-changed:checked check box|Remember me 1" "$T_DIR/events.out"
ok $? "event: state-changed:checked on the check box"
grep -q "object:value-changed slider|Volume" "$T_DIR/events.out"
ok $? "event: value-changed on the slider"
grep -q "object:state-changed:focused entry|Name 1" "$T_DIR/events.out"
ok $? "event: state-changed:focused on the entry"
grep -q "object:text-changed:insert entry|Name .* d\?hello\|object:text-changed:insert entry|Name" "$T_DIR/events.out"
ok $? "event: text-changed:insert on the entry"
grep -q "object:text-caret-moved entry|Name 11" "$T_DIR/events.out"
ok $? "event: text-caret-moved to 11"
grep -q "object:children-changed:add push button menu|Menu" "$T_DIR/events.out"
ok $? "event: children-changed:add on the menu button"
grep -q "object:state-changed:focused menu item|Copy 1" "$T_DIR/events.out"
ok $? "event: state-changed:focused on the new menu item"
grep -q "object:children-changed:remove push button menu|Menu" "$T_DIR/events.out"
ok $? "event: children-changed:remove on the menu button"
! grep -qi "sekrit" "$T_DIR/events.out"
ok $? "no event carries the password's text"
[ "$T_FAILED" -eq 0 ] || sed 's/^/# /' "$T_DIR/events.out" | head -40

# A window that opens while the export runs becomes an application; it leaves with it.
apps_named() { # count name
	[ "$(probe apps | grep -cx "$2")" -eq "$1" ]
}
spawn widgets2 "$TK_WIDGETS"
wait_for 15 apps_named 2 "$APP"
ok $? "a second lumen-widgets, started now, is a second application on AT-SPI2"
kill "$PID_widgets2"
wait "$PID_widgets2" 2>/dev/null
wait_for 15 apps_named 1 "$APP"
ok $? "and when it exits, it leaves the desktop ($(probe apps | tr '\n' ' '))"

stop_export
done_testing
