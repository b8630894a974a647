#!/bin/bash
# A real input method from Debian, fcitx5 5.0.21, speaks input-method-v2 to lumen
# (compositor/src/input-method.c) on the trusted socket: it grabs the keyboard, shows
# its preedit in a text field and commits what it composes, here with its Unicode
# entry (Ctrl+Shift+U, hex digits, Space), typed through lumen-inputd. Into our key
# logger (text-input-v3) and into a GTK4 entry. Keys it does not want it sends back
# through a virtual keyboard, so plain typing still arrives.
# (ibus 1.5.27's ibus-wayland speaks only input-method-unstable-v1, which wlroots 0.15
# does not offer: it exits with "No input_method global".)
. "$TESTS_DIR/lib.sh"

if ! command -v fcitx5 >/dev/null 2>&1; then
	echo "1..0 # SKIP fcitx5 is not installed"
	exit 0
fi

text_is() { # NAME TEXT: the client's last text line is exactly TEXT
	[ "$(grep '^text: ' "$T_DIR/$1.out" | tail -n 1)" = "text: $2" ]
}

focused() { # app_id-or-title
	field_is "$1" focused 1
}

# How many keys fcitx5 has seen through its keyboard grab (its key trace logs each).
fcitx_keys() {
	grep -c "KeyEvent: Key(" "$T_DIR/fcitx5.out"
}

fcitx_keys_above() { # N
	[ "$(fcitx_keys)" -gt "$1" ]
}

# fcitx5 grabs the keyboard once a focused text field activates it: until a Shift press
# shows up in its key trace, keys would reach the field directly.
wait_grab() {
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		n=$(fcitx_keys)
		inputctl key shift
		wait_for 1 fcitx_keys_above "$n" && return 0
	done
	return 1
}

# unicode_entry NAME HEX TEXT: Ctrl+Shift+U HEX Space, until the client's text is TEXT.
unicode_entry() {
	inputctl_until "text_is $1 '$3'" key ctrl+shift+u type "$2" key space
}

start_inputd
start_lumen
wait_input_master 1 || bail "lumen did not become inputd's master"

# No D-Bus, no X: fcitx5 runs on Wayland alone, its configuration in the private $HOME.
WAYLAND_DISPLAY="$T_SOCKET-trusted" spawn fcitx5 fcitx5 --disable=dbus,xcb,xim --verbose=key_trace=5
wait_for 20 out_has fcitx5 "Loaded addon waylandim"
ok $? "fcitx5 starts on lumen's trusted socket and loads its Wayland input method"

spawn kl "$TC_KEYLOG" --text-input --title kl
wait_for 10 focused kl || bail "the key logger got no focus"
wait_for 10 out_has kl "text-input enter"
ok $? "the key logger's text field is entered"
wait_grab
ok $? "fcitx5 grabs the keyboard for it"

unicode_entry kl e9 "é"
ok $? "fcitx5 commits é (U+E9) into the key logger"
grep -qxF 'commit_string "é"' "$T_DIR/kl.out"
ok $? "as an input method's commit_string, not as keys"
grep -qxF 'preedit "U+e9" 4 4' "$T_DIR/kl.out"
ok $? "after showing its preedit U+e9 in the field"
inputctl_until "text_is kl 'é abc'" type " abc"
ok $? "keys fcitx5 does not take reach the field through its virtual keyboard"
unicode_entry kl 5149 "é abc光"
ok $? "fcitx5 commits 光 (U+5149)"
kill "$PID_kl" 2>/dev/null
wait "$PID_kl" 2>/dev/null

if /usr/bin/python3 -c 'import gi; gi.require_version("Gtk", "4.0")' 2>/dev/null; then
	spawn gtk "$TESTS_DIR/clients/gtk4-entry.py" gtk-im
	wait_for 20 focused gtk-im || bail "the GTK4 entry got no focus"
	wait_grab
	ok $? "fcitx5 grabs the keyboard for the GTK4 entry"
	unicode_entry gtk 263a "☺"
	ok $? "fcitx5 commits ☺ (U+263A) into a GTK4 entry through text-input-v3"
else
	diag "GTK4 for python is missing: the GTK check is skipped"
fi

stop_lumen
stop_inputd
done_testing
