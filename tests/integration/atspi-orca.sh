#!/bin/bash
# Orca 43 reads lumen's apps through lumen-atspi-bridge's export half: lumen-widgets
# under lumen, lumen-a11yd, the export on a private AT-SPI2 bus, and Orca with a debug
# log (its "SPEECH OUTPUT" lines are what it says, with or without a synthesizer). Tab
# keys injected as a person's move the gallery's focus; Orca speaks each widget's name
# and role, a value changed through AT-SPI2, an entry's text; never the password's.
. "$TESTS_DIR/lib.sh"
# A loaded machine (CI: 2 cores, ASan) may need more than the default 150 ms to answer.
export LUMEN_ATSPI_KEY_TIMEOUT_MS=500
. "$TESTS_DIR/integration/widgets-lib.sh"
. "$TESTS_DIR/integration/atspi-lib.sh"
ORCA_LOG="$T_DIR/orca.out"

command -v orca >/dev/null || { echo "1..0 # SKIP orca is not installed"; exit 0; }
start_dbus
start_a11yd
# Orca 43 keeps and restores the X keymap (xkbcomp $DISPLAY) at start: Xwayland gives it one.
LUMEN_XWAYLAND=1 start_lumen
wait_for 10 grep -q 'DISPLAY=:' "$T_DIR/lumen.log" || bail "no Xwayland"
export DISPLAY=$(grep -o 'DISPLAY=:[0-9]*' "$T_DIR/lumen.log" | head -n 1 | cut -d= -f2)
start_gallery || bail "lumen-widgets did not start"
start_export
APP=lumen-widgets
wait_for 10 eval 'probe apps | grep -qx "$APP"' || bail "lumen-widgets is not on AT-SPI2"

# Text in the entries first, typed while no screen reader takes the keys; focus back on
# the first widget.
[ "$(probe focus "$APP" entry Name)" = 1 ] && wait_for 5 a11y_is Name "focused(j)['name']"
inject type "hi there"
wait_for 5 a11y_is "hi there" "f('entry', 'Name')['text']" || bail "typing into the entry failed"
[ "$(probe focus "$APP" "password text" Password)" = 1 ] &&
	wait_for 5 a11y_is Password "focused(j)['name']"
inject type "sekrit"
wait_for 5 a11y_is 6 "f('password-text')['text'].count('\\u2022')" || bail "typing into the password failed"
[ "$(probe focus "$APP" "push button" "Press me")" = 1 ] &&
	wait_for 5 a11y_is "Press me" "focused(j)['name']" || bail "focus did not go back"

mkdir -p "$HOME/.local/share" "$XDG_CONFIG_HOME"
export XDG_DATA_HOME="$HOME/.local/share"
# Orca's own windows on Xwayland too, where it keeps its keymap (it is an X11 program).
# Its debug log is line-buffered only on a terminal: script(1) gives it one, and the
# log, flushed as written, is the session's output ($ORCA_LOG).
spawn orca script -qfec "GDK_BACKEND=x11 exec orca --replace --debug-file /dev/stdout" /dev/null
spoke() { # fixed string of a SPEECH OUTPUT line
	grep -qF "SPEECH OUTPUT: '$1" "$ORCA_LOG"
}
wait_for 40 spoke "Screen reader on"
ok $? "Orca starts: 'Screen reader on'"
wait_for 15 spoke "Lumen widgets frame"
ok $? "and finds the active window on AT-SPI2: 'Lumen widgets frame'"
tab_to() { # gallery focus name, Orca's words
	inject key Tab tap
	# With a screen reader, lumen hands each key to the AT-SPI2 registry (and Orca)
	# first: every Tab must still reach the gallery, once.
	wait_for 10 a11y_is "$1" "focused(j)['name']" ||
		bail "Tab did not move the gallery's focus to $1 (keys through AT-SPI2 first)"
	wait_for 15 spoke "$2"
	ok $? "Tab to $1: Orca says '$2'"
}
tab_to Wi-Fi "Wi-Fi toggle button not pressed"
tab_to "Remember me" "Remember me check box not checked"
tab_to Volume "Volume slider 50"

# A value changed (through AT-SPI2, as another AT would): Orca speaks the new one.
probe set-value "$APP" slider Volume 60 >/dev/null
wait_for 10 a11y_is 60 "f('slider')['value']" || diag "the slider did not move to 60"
wait_for 15 spoke "60"
ok $? "the slider's value set to 60: Orca says '60'"

# The entries, typed into before Orca started: Orca reads the entry's text from AT-SPI2,
# and the password entry's nowhere.
tab_to Name "Name entry hi there"
tab_to Password "Password password text"
! grep -qi "sekrit" "$ORCA_LOG"
ok $? "the password's text is nowhere in Orca's log"
diag "$(grep -o "SPEECH OUTPUT: '[^']*'" "$ORCA_LOG" | head -40)"

# Orca's own shutdown is slow (it deregisters each listener): end it at once, by pid.
for pid in $(ps -o pid= --ppid "$PID_orca"); do
	kill -9 "$pid" 2>/dev/null
done
stop_export
done_testing
