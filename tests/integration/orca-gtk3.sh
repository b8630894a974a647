#!/bin/bash
# Orca 43 (Debian's) reads a GTK 3 app under lumen, through AT-SPI2 on a private D-Bus
# session bus, with the keys lumen forwards to the AT-SPI2 registry
# (compositor/src/atspi-keys.c):
# - Tab through gtk3-widget-factory with injected keys: Orca says the focused widget
#   (its debug log records every utterance as SPEECH OUTPUT, with or without a speech
#   synthesizer);
# - Orca's "where am I" (KP_Enter in its desktop layout) reaches Orca through lumen's
#   forwarding, Orca answers it, and the key is swallowed: GTK, which reports every key
#   it gets to the registry too (Orca logs that second report as a DUPLICATE EVENT), never
#   saw it, while it did see the Tabs.
. "$TESTS_DIR/lib.sh"
# A loaded machine (CI: 2 cores, ASan) may need more than the default 150 ms to answer.
export LUMEN_ATSPI_KEY_TIMEOUT_MS=500

command -v orca >/dev/null && command -v gtk3-widget-factory >/dev/null &&
	command -v dbus-daemon >/dev/null && [ -x /usr/libexec/at-spi-bus-launcher ] &&
	command -v Xwayland >/dev/null || {
	echo "1..0 # SKIP needs orca, gtk-3-examples, dbus-daemon, at-spi2-core and Xwayland"
	exit 0
}

ORCA_LOG="$T_DIR/orca-debug.out"
# Orca 43 keeps its own settings and reads the keyboard layout through X (xkbcomp on
# $DISPLAY): Xwayland gives it one. GSettings in memory: nothing of the user's is read.
unset NO_AT_BRIDGE
export GSETTINGS_BACKEND=memory GTK_A11Y=atspi
export XDG_DATA_HOME="$HOME/.local/share" XDG_CACHE_HOME="$HOME/.cache"

start_session_bus
busctl --user set-property org.a11y.Bus /org/a11y/bus org.a11y.Status IsEnabled b true ||
	bail "cannot turn on AT-SPI2 on the private session bus"
busctl --user set-property org.a11y.Bus /org/a11y/bus org.a11y.Status ScreenReaderEnabled \
	b true

LUMEN_XWAYLAND=1 start_lumen
wait_for 20 grep -q 'DISPLAY=:[0-9]*' "$T_DIR/lumen.log" || bail "Xwayland did not start"
export DISPLAY=$(grep -o 'DISPLAY=:[0-9]*' "$T_DIR/lumen.log" | head -n 1 | cut -d= -f2)
wait_for 10 grep -q "on the AT-SPI2 bus" "$T_DIR/lumen.log"
ok $? "lumen is on the AT-SPI2 bus"

spawn factory gtk3-widget-factory
wait_for 20 has_window "gtk3-widget-factory" || wait_for 10 has_windows 1 ||
	bail "gtk3-widget-factory did not show a window"

spawn orca /usr/bin/python3 "$TESTS_DIR/clients/orca-run.py" "$ORCA_LOG"
wait_for 30 grep -q "keystroke listeners: yes" "$T_DIR/lumen.log"
ok $? "Orca registered its keystroke listener with the registry, and lumen knows"
said() { # fixed string in an utterance
	grep "SPEECH OUTPUT:" "$ORCA_LOG" | grep -qF -- "$1"
}
wait_for 30 said "comboboxentry"
ok $? "Orca read the focused widget of gtk3-widget-factory ('comboboxentry')"

utterances() {
	grep -c "SPEECH OUTPUT:" "$ORCA_LOG"
}
said_after() { # COUNT fixed-string: said in an utterance after the first COUNT
	grep "SPEECH OUTPUT:" "$ORCA_LOG" | tail -n +"$(($1 + 1))" | grep -qF -- "$2"
}
# Each press Orca hears: "TIMESTAMP KEYNAME" (its log gives one field a line).
presses() {
	awk '/^KEYBOARD_EVENT:/ { press = ($2 == "type=ATSPI_KEY_PRESSED_EVENT") }
		press && $1 ~ /^keyval_name=/ { name = $1 }
		press && $1 ~ /^timestamp=/ { print substr($1, 11), name; press = 0 }' "$ORCA_LOG"
}

n=$(utterances)
inject key Tab tap sleep 500
wait_for 10 said_after "$n" "comboboxentry"
ok $? "Tab moved the focus, and Orca read it"
grep "SPEECH OUTPUT:" "$ORCA_LOG" | tail -n +"$((n + 1))" | head -n 6 | sed 's/^/# /'
heard() { # TIMESTAMP KEYNAME: how many times Orca heard that press
	presses | grep -c "^$1 keyval_name=($2)\$"
}
tab=$(presses | grep "(Tab)" | tail -n 1 | cut -d" " -f1)
[ -n "$tab" ] && [ "$(heard "$tab" Tab)" -eq 2 ]
ok $? "Orca heard the Tab press twice: from lumen, then as GTK reported it"
wait_for 10 grep -q "reports its keys to the AT-SPI2 registry" "$T_DIR/lumen.log"
ok $? "lumen heard GTK's report, and waits for it from then on"

# From now on GTK's report of each key reaches Orca right after lumen's: Orca takes it
# for a duplicate, and echoes the key once.
n=$(utterances)
inject key Tab tap sleep 500
wait_for 10 grep -q "DUPLICATE EVENT" "$ORCA_LOG"
ok $? "Orca took GTK's report of the next Tab for a duplicate of lumen's"
sleep 0.5
test "$(grep "SPEECH OUTPUT:" "$ORCA_LOG" | tail -n +"$((n + 1))" | grep -c "'tab '")" -eq 1
ok $? "Orca echoed that Tab once"

n=$(utterances)
inject key KP_Enter tap sleep 1000
wait_for 10 grep -q "Handler is Perform the basic Where Am I operation" "$ORCA_LOG"
ok $? "KP_Enter reached Orca and ran its where-am-I command"
sleep 1
enter=$(presses | grep "(KP_Enter)" | tail -n 1 | cut -d" " -f1)
[ -n "$enter" ] && [ "$(heard "$enter" KP_Enter)" -eq 1 ]
ok $? "Orca heard KP_Enter once: lumen swallowed it, GTK never got it to report"
grep -q "CONSUME ATSPI_KEY_PRESSED_EVENT: 'KP_Enter'" "$ORCA_LOG"
ok $? "Orca consumed KP_Enter"
test "$(utterances)" -gt "$n"
ok $? "where am I was spoken"
grep "SPEECH OUTPUT:" "$ORCA_LOG" | tail -n +"$((n + 1))" | head -n 6 | sed 's/^/# /'

done_testing
