# Helpers for the AT-SPI2 tests (atspi-export.sh, atspi-orca.sh): sourced after lib.sh.
# A private D-Bus session bus on which at-spi-bus-launcher is activated (it starts the
# AT-SPI2 bus and its registry), lumen-a11yd, and the export half of lumen-atspi-bridge.
# Everything started here is ended by pid at exit.
PY=/usr/bin/python3 # Debian's, with gi and Atspi (not a pyenv one)
PROBE="$TESTS_DIR/tools/atspi-probe.py"
export LUMEN_A11Y_SOCKET=lumen-a11y-0
DBUS_PID=""
LAUNCHER_PID=""
A11Y_BUS=""

atspi_cleanup() {
	for pid in $T_PIDS; do
		kill "$pid" 2>/dev/null
	done
	# The launcher ends the AT-SPI2 bus, and the registry leaves with its bus; end the
	# registry by its pid too, in case.
	REGISTRY_PID=""
	if [ -n "${A11Y_BUS:-}" ]; then
		REGISTRY_PID=$(dbus-send --bus="$A11Y_BUS" --print-reply=literal \
			--dest=org.freedesktop.DBus / org.freedesktop.DBus.GetConnectionUnixProcessID \
			string:org.a11y.atspi.Registry 2>/dev/null | awk '{print $2}')
	fi
	for pid in $REGISTRY_PID $LAUNCHER_PID $DBUS_PID; do
		kill "$pid" 2>/dev/null
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null
	done
	t_cleanup
}
trap atspi_cleanup EXIT

# start_dbus: the private session bus and the AT-SPI2 bus (at-spi-bus-launcher).
start_dbus() {
	command -v dbus-daemon >/dev/null || { echo "1..0 # SKIP no dbus-daemon"; exit 0; }
	[ -x /usr/libexec/at-spi-bus-launcher ] ||
		{ echo "1..0 # SKIP no at-spi-bus-launcher"; exit 0; }
	out=$(dbus-daemon --session --fork --print-address=1 --print-pid=1) ||
		bail "dbus-daemon did not start"
	DBUS_SESSION_BUS_ADDRESS=$(echo "$out" | sed -n 1p)
	DBUS_PID=$(echo "$out" | sed -n 2p)
	export DBUS_SESSION_BUS_ADDRESS
	unset AT_SPI_BUS_ADDRESS
	A11Y_BUS=$(dbus-send --session --print-reply=literal --dest=org.a11y.Bus /org/a11y/bus \
		org.a11y.Bus.GetAddress 2>/dev/null | tr -d ' ')
	[ -n "$A11Y_BUS" ] || bail "org.a11y.Bus did not answer"
	LAUNCHER_PID=$(dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus / \
		org.freedesktop.DBus.GetConnectionUnixProcessID string:org.a11y.Bus 2>/dev/null |
		awk '{print $2}')
	diag "AT-SPI2 bus $A11Y_BUS (launcher pid $LAUNCHER_PID, session bus pid $DBUS_PID)"
}

start_a11yd() {
	spawn a11yd "$LUMEN_A11YD" --config /dev/null
	wait_for 10 test -S "$XDG_RUNTIME_DIR/lumen-a11y-0-trusted" || bail "lumen-a11yd did not start"
}

# start_export: the export half, asking org.a11y.Bus for the AT-SPI2 bus as a bridge would.
start_export() {
	spawn export "$ATSPI_EXPORT_DRIVER" -d
	wait_for 10 grep -q "exporting" "$T_DIR/export.out" || {
		sed 's/^/# /' "$T_DIR/export.out"
		bail "the export did not start"
	}
}

probe() { # probe args... (output on stdout)
	"$PY" "$PROBE" "$@" 2>>"$T_DIR/probe.err"
}

# True when a python expression over `probe find APP ROLE NAME`'s JSON (n) is true.
node_is() { # app role name expression
	probe find "$1" "$2" "$3" | "$PY" -c "import json,sys; n=json.load(sys.stdin); sys.exit(0 if ($4) else 1)"
}

# Ends the export and checks it exits cleanly, as stop_lumen does for lumen.
stop_export() {
	kill -TERM "$PID_export" 2>/dev/null
	wait "$PID_export"
	status=$?
	T_PIDS=$(echo "$T_PIDS" | sed "s/ $PID_export\b//")
	report=$(grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T_DIR/export.out" | head -n 3)
	[ "$status" -eq 0 ] && [ -z "$report" ]
	ok $? "the export exits cleanly (status $status${report:+; $report})"
	if [ -n "$report" ]; then
		grep -A 30 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T_DIR/export.out" |
			head -n 60 | sed 's/^/# /'
	fi
}
