#!/bin/bash
# lumen-atspi-bridge's import half end to end: GTK apps that speak only AT-SPI2
# (gtk4-widget-factory, gtk3-widget-factory) read by lumen-reader through lumen-a11yd.
# A private session bus with the AT-SPI2 bus (at-spi-bus-launcher) on it; lumen,
# lumen-a11yd, lumen-reader --speech-log and lumen-atspi-bridge. Tab keys are injected;
# an oracle listening on AT-SPI2 directly (atspi-focus.py, pyatspi) says which widget
# took focus, and the reader must have spoken that widget's name and role. Text typed
# into an entry is echoed. The bridge's tree belongs to the app's window (the bus was
# told the app's pid: create_provider_for), or the reader would hear nothing.
. "$TESTS_DIR/lib.sh"

SPEECH="$T_DIR/speech.log"
ROLES_C="$TESTS_DIR/../a11y/client/roles.c"
export LUMEN_A11Y_SOCKET=lumen-a11y-0
# AT-SPI2 on (lib.sh turns it off for the other tests), nothing else from the desktop.
unset NO_AT_BRIDGE GTK_A11Y AT_SPI_BUS_ADDRESS
export GTK_USE_PORTAL=0 GSETTINGS_BACKEND=memory GIO_USE_VFS=local NO_AT_BRIDGE=0

for need in dbus-daemon /usr/libexec/at-spi-bus-launcher gtk4-widget-factory \
	gtk3-widget-factory; do
	command -v "$need" >/dev/null 2>&1 || { echo "1..0 # SKIP $need is not installed"; exit 0; }
done
/usr/bin/python3 -c "import pyatspi" 2>/dev/null || { echo "1..0 # SKIP no python3-pyatspi"; exit 0; }
LUMEN_ATSPI_BRIDGE=${1:-${LUMEN_ATSPI_BRIDGE:-}} # tests/meson.build passes it
[ -n "$LUMEN_ATSPI_BRIDGE" ] || { echo "1..0 # SKIP built without libatspi"; exit 0; }

# ---- the private session bus and the AT-SPI2 bus on it (ours alone, ended by pid)
BUS_PID=""
LAUNCHER_PID=""
descendants() { # pid: its children, grandchildren...
	for c in $(pgrep -P "$1" 2>/dev/null); do
		echo "$c"
		descendants "$c"
	done
}
stop_buses() {
	pids=""
	[ -n "$LAUNCHER_PID" ] && pids="$(descendants "$LAUNCHER_PID") $LAUNCHER_PID"
	[ -n "$BUS_PID" ] && pids="$pids $(descendants "$BUS_PID")"
	for pid in $pids $BUS_PID; do
		kill "$pid" 2>/dev/null
	done
	for pid in $pids $BUS_PID; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null
	done
	BUS_PID=""
	LAUNCHER_PID=""
}
trap 'stop_buses; t_cleanup' EXIT

out=$(dbus-daemon --session --fork --print-address=1 --print-pid=1) ||
	bail "dbus-daemon --session did not start"
export DBUS_SESSION_BUS_ADDRESS=$(echo "$out" | head -n 1)
BUS_PID=$(echo "$out" | tail -n 1)
/usr/libexec/at-spi-bus-launcher >"$T_DIR/launcher.out" 2>&1 &
LAUNCHER_PID=$!
a11y_bus_up() {
	dbus-send --session --print-reply --dest=org.a11y.Bus /org/a11y/bus \
		org.a11y.Bus.GetAddress | grep -q unix:
}
wait_for 20 a11y_bus_up || bail "at-spi-bus-launcher did not start"
ok 0 "a private session bus with the AT-SPI2 bus on it"

said() { grep -qF -- "$1" "$SPEECH"; }
said_after() { tail -n +"$(($1 + 1))" "$SPEECH" | grep -qF -- "$2"; }
said_line_after() { tail -n +"$(($1 + 1))" "$SPEECH" | cut -d' ' -f2- | grep -qxF -- "$2"; }
lines() { wc -l <"$SPEECH"; }
oracle_grew() { [ "$(grep -c . "$T_DIR/oracle.out")" -gt "$1" ]; }

spawn a11yd "$LUMEN_A11YD" --config /dev/null
wait_for 10 test -S "$XDG_RUNTIME_DIR/lumen-a11y-0-trusted" || bail "lumen-a11yd did not start"
start_lumen
spawn reader "$LUMEN_READER" --no-audio --speech-log "$SPEECH"
wait_for 10 grep -q "reading" "$T_DIR/reader.out" || bail "lumen-reader did not reach the bus"
spawn bridge "$LUMEN_ATSPI_BRIDGE" -d
wait_for 20 grep -q "bridging" "$T_DIR/bridge.out"
ok $? "lumen-atspi-bridge runs (AT-SPI2 at $(grep -o 'unix:path=[^,]*' "$T_DIR/bridge.out" | head -n 1))"
spawn oracle /usr/bin/python3 "$TESTS_DIR/integration/atspi-focus.py" "$ROLES_C" widget-factory
wait_for 20 grep -q listening "$T_DIR/oracle.out" || bail "the AT-SPI2 oracle did not start"

# Tab: the oracle names the widget that took focus (on AT-SPI2 itself); the reader must
# have said that, as "name, role".
tab_speaks() { # label
	n=$(lines)
	f=$(grep -c . "$T_DIR/oracle.out")
	inject key Tab tap
	wait_for 10 oracle_grew "$f"
	sleep 0.3 # one Tab can move focus through more than one object
	want=$(tail -n 1 "$T_DIR/oracle.out" | cut -f3)
	role=$(tail -n 1 "$T_DIR/oracle.out" | cut -f2)
	[ -n "$want" ] && wait_for 10 said_after "$n" "$want"
	ok $? "$1: Tab speaks '$want' (AT-SPI2 says that took focus)"
}

# Tabs until focus is in a text entry (role entry or text), then types: echoed.
type_echoes() { # label
	for _ in $(seq 1 20); do
		case "${role:-}" in 79 | 61) break ;; esac
		f=$(grep -c . "$T_DIR/oracle.out")
		inject key Tab tap
		wait_for 10 oracle_grew "$f"
		sleep 0.3
		role=$(tail -n 1 "$T_DIR/oracle.out" | cut -f2)
	done
	want=$(tail -n 1 "$T_DIR/oracle.out" | cut -f3)
	wait_for 10 said "$want"
	sleep 1
	# The first key may replace a selection (GTK selects an entry's text on focus).
	inject type "q"
	sleep 1
	n=$(lines)
	inject type "z"
	wait_for 10 said_line_after "$n" "z"
	z=$?
	n=$(lines)
	inject type "x"
	wait_for 10 said_line_after "$n" "x"
	[ $? -eq 0 ] && [ "$z" -eq 0 ]
	ok $? "$1: typing into '$want' is echoed ('z', 'x')"
}

# ---- GTK 4
spawn gtk4 gtk4-widget-factory
wait_for 30 grep -q "importing atspi:gtk4-widget-factory" "$T_DIR/bridge.out"
ok $? "gtk4-widget-factory is imported as atspi:gtk4-widget-factory ($(grep -o 'importing atspi:gtk4[^)]*)' "$T_DIR/bridge.out"))"
wait_for 30 said "GTK Widget Factory, window"
ok $? "its window's activation is spoken (the tree belongs to the window)"
wait_for 30 grep -q "gtk4-widget-factory: published [0-9]*[1-9][0-9][0-9] nodes" "$T_DIR/bridge.out"
sleep 2
for i in 1 2 3; do
	tab_speaks "GTK 4 ($i)"
done
type_echoes "GTK 4"

# ---- GTK 3 (atk-bridge)
role=""
spawn gtk3 gtk3-widget-factory
wait_for 30 grep -q "importing atspi:gtk3-widget-factory" "$T_DIR/bridge.out"
ok $? "gtk3-widget-factory is imported ($(grep -o 'importing atspi:gtk3[^)]*)' "$T_DIR/bridge.out"))"
wait_for 30 grep -q "gtk3-widget-factory: published [0-9]*[1-9][0-9] nodes" "$T_DIR/bridge.out"
sleep 2
for i in 1 2 3; do
	tab_speaks "GTK 3 ($i)"
done
type_echoes "GTK 3"

# ---- the bridge ends cleanly; the apps leaving are noticed
kill "$PID_gtk3" 2>/dev/null
wait_for 20 grep -q "atspi:gtk3-widget-factory (pid [0-9]*) left" "$T_DIR/bridge.out"
ok $? "an app that quits is dropped"
kill -TERM "$PID_bridge"
wait "$PID_bridge"
st=$?
T_PIDS=$(echo " $T_PIDS " | sed "s/ $PID_bridge / /")
report=$(grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T_DIR/bridge.out" | head -n 3)
[ "$st" -eq 0 ] && [ -z "$report" ]
ok $? "lumen-atspi-bridge exits cleanly on SIGTERM (status $st${report:+; $report})"
[ -n "$report" ] && grep -A 30 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
	"$T_DIR/bridge.out" | head -n 60 | sed 's/^/# /'
diag "$(sed 's/^/speech: /' "$SPEECH" | tail -n 40)"
diag "$(sed 's/^/atspi: /' "$T_DIR/oracle.out" | tail -n 20)"
done_testing
