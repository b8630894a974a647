#!/bin/bash
# lumen.ini's [input] and [input NAME] sections: the compositor gives lumen-inputd's
# pointers and touchpads their settings (tap, natural scroll, left-handed, acceleration,
# scroll method) when they appear and again on reload; a named section wins over
# [input]; a bad value is reported with its line and changes nothing. What inputd holds
# is read back with `lumen-inputctl list`, as a settings tool would (inputd applies them
# through libinput on real devices: tests/vm/input-devices-vm.sh shows that on a
# touchpad).
. "$TESTS_DIR/lib.sh"

cat >"$T_DIR/lumen.ini" <<'INI'
[input]
tap = yes
natural_scroll = yes

[input "cfg pointer"]
left_handed = yes
accel_profile = flat
accel_speed = -0.5
scroll_method = edge
INI

start_inputd
start_lumen
wait_input_master 1 || bail "lumen did not become inputd's seat master"

# The block `lumen-inputctl list` prints for the device named $1.
settings_of() { # NAME
	"$LUMEN_INPUTCTL" list 2>/dev/null | awk -v n="  name: $1" '
		/^[^ ]/ { inside = 0 } $0 == n { inside = 1 } inside && /settings:/ { print; exit }'
}
settings_are() { # NAME EXPECTED-SETTINGS-LINE
	[ "$(settings_of "$1")" = "  settings: $2" ]
}

inputctl_until 'settings_are "cfg pointer" "tap on natural-scroll on left-handed on accel-profile flat accel-speed -0.50 scroll-method edge"' \
	--name cfg move 1 1
ok $? "[input] and [input \"cfg pointer\"] reach the pointer named so"

inputctl_until 'settings_are "plain pointer" "tap on natural-scroll on left-handed off accel-profile adaptive accel-speed 0.00 scroll-method none"' \
	--name plain move 1 1
ok $? "another pointer gets [input] alone"
grep -qF "input: 'cfg pointer' configured" "$T_DIR/lumen.log"
ok $? "lumen logs each device it configures"

# Reload: natural scroll off for all, and a bad line that changes nothing.
cat >"$T_DIR/lumen.ini" <<'INI'
[input]
natural_scroll = no
accel_speed = 3

[input "cfg pointer"]
accel_profile = sideways
left_handed = yes
INI
"$LUMEN_INPUTCTL" --name cfg move 1 1 sleep 60000 >>"$T_DIR/inputctl.out" 2>&1 &
sender=$!
old="tap on natural-scroll on left-handed on accel-profile flat accel-speed -0.50 scroll-method edge"
wait_for 10 settings_are "cfg pointer" "$old" || bail "the new cfg pointer was not configured"
"$LUMENCTL" -c reload >"$T_DIR/reload.json" 2>&1
grep -qF "lumen.ini:3: invalid accel_speed '3' (expected a number from -1 to 1)" "$T_DIR/reload.json"
ok $? "a bad accel_speed is reported with its line ($(head -c 300 "$T_DIR/reload.json"))"
grep -qF "lumen.ini:6: invalid accel_profile 'sideways' (expected flat or adaptive)" \
	"$T_DIR/reload.json"
ok $? "so is a bad accel_profile"
wait_for 5 settings_are "cfg pointer" "${old/natural-scroll on/natural-scroll off}"
ok $? "reload turns natural scroll off on a device already there, and leaves what the file no longer sets ($(settings_of "cfg pointer"))"
kill "$sender" 2>/dev/null
wait "$sender" 2>/dev/null

stop_lumen
stop_inputd
done_testing
