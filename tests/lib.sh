# Shared by the integration tests (bash). Each test sources this, starts lumen
# headless in a private XDG_RUNTIME_DIR, runs real clients, and prints TAP.
# Only processes started here are ended, by pid.
#
# Paths come from meson (tests/meson.build): LUMEN, LUMENCTL, PNG_TOOL,
# TC_KEYLOG, TC_PANEL, TC_INPUT, TC_GLOBALS, TC_CAPTURE, TC_ANIM.
set -u

T_DIR=$(mktemp -d /tmp/lumen-test.XXXXXX)
export XDG_RUNTIME_DIR="$T_DIR/run"
mkdir -m 700 "$XDG_RUNTIME_DIR"
export HOME="$T_DIR/home"
mkdir -p "$HOME"
unset DISPLAY WAYLAND_DISPLAY WAYLAND_SOCKET LUMEN_IPC_SOCKET
export XDG_CONFIG_HOME="$HOME/.config"
export GDK_BACKEND=wayland QT_QPA_PLATFORM=wayland NO_AT_BRIDGE=1
T_PIDS=""
T_NUM=0
T_FAILED=0
T_SOCKET=lumen-test
LUMEN_PID=""
DISPLAYD_PID=""
unset LUMEN_DISPLAY
INPUTD_PID=""
unset LUMEN_INPUT
SESSION_BUS_PID=""
unset DBUS_SESSION_BUS_ADDRESS AT_SPI_BUS_ADDRESS

t_cleanup() {
	for pid in $T_PIDS $LUMEN_PID $DISPLAYD_PID $INPUTD_PID; do
		kill "$pid" 2>/dev/null
	done
	for pid in $T_PIDS $LUMEN_PID $DISPLAYD_PID $INPUTD_PID; do
		# Give each a moment, then insist.
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	stop_session_bus
	if [ "${KEEP_TEST_DIR:-}" = "" ]; then
		rm -rf "$T_DIR"
	else
		echo "# kept $T_DIR"
	fi
}
trap t_cleanup EXIT

ok() { # cond-exit-status description
	T_NUM=$((T_NUM + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $T_NUM - $2"
	else
		echo "not ok $T_NUM - $2"
		T_FAILED=$((T_FAILED + 1))
	fi
}

check() { # description command...
	desc=$1
	shift
	"$@" >/dev/null 2>&1
	ok $? "$desc"
}

diag() {
	echo "$*" | sed 's/^/# /'
}

# Ends the clients, then lumen, and checks that lumen shut down cleanly: exit
# status 0 and no sanitizer report (leaks, memory errors, undefined behaviour).
stop_lumen() {
	[ -n "$LUMEN_PID" ] || return 0
	for pid in $T_PIDS; do
		kill "$pid" 2>/dev/null
	done
	for pid in $T_PIDS; do
		wait "$pid" 2>/dev/null
	done
	T_PIDS=""
	kill -TERM "$LUMEN_PID" 2>/dev/null
	wait "$LUMEN_PID"
	status=$?
	LUMEN_PID=""
	report=$(grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T_DIR/lumen.log" | head -n 3)
	[ "$status" -eq 0 ] && [ -z "$report" ]
	ok $? "lumen exits cleanly (status $status${report:+; $report})"
	if [ -n "$report" ]; then
		grep -A 30 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T_DIR/lumen.log" |
			head -n 60 | sed 's/^/# /'
	fi
}

# start_displayd [args...]: lumen-displayd (virtual backend) in the private runtime dir;
# start_lumen then runs lumen on it (LUMEN_DISPLAY).
start_displayd() {
	"$LUMEN_DISPLAYD" "$@" >"$T_DIR/displayd.log" 2>&1 &
	DISPLAYD_PID=$!
	wait_for 10 test -S "$XDG_RUNTIME_DIR/lumen-display-0" || bail "lumen-displayd did not start"
	export LUMEN_DISPLAY=lumen-display-0
}

# Ends displayd and checks it exits cleanly, as stop_lumen does for lumen.
stop_displayd() {
	[ -n "$DISPLAYD_PID" ] || return 0
	kill -TERM "$DISPLAYD_PID" 2>/dev/null
	wait "$DISPLAYD_PID"
	status=$?
	DISPLAYD_PID=""
	report=$(grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T_DIR/displayd.log" | head -n 3)
	[ "$status" -eq 0 ] && [ -z "$report" ]
	ok $? "lumen-displayd exits cleanly (status $status${report:+; $report})"
}

done_testing() {
	stop_lumen
	stop_displayd
	echo "1..$T_NUM"
	if [ "$T_FAILED" -gt 0 ]; then
		diag "---- lumen log (tail) ----"
		[ -f "$T_DIR/lumen.log" ] && tail -n 40 "$T_DIR/lumen.log" | sed 's/^/# /'
		if [ -f "$T_DIR/displayd.log" ]; then
			diag "---- lumen-displayd log (tail) ----"
			tail -n 20 "$T_DIR/displayd.log" | sed 's/^/# /'
		fi
		exit 1
	fi
	exit 0
}

bail() {
	echo "Bail out! $*"
	[ -f "$T_DIR/lumen.log" ] && tail -n 40 "$T_DIR/lumen.log" | sed 's/^/# /'
	exit 1
}

wait_for() { # timeout-seconds command... : true once the command succeeds
	limit=$1
	shift
	end=$(( $(date +%s%N) / 1000000 + limit * 1000 ))
	while [ $(( $(date +%s%N) / 1000000 )) -lt $end ]; do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# start_lumen [lumen args...]: config from $T_DIR/lumen.ini (created empty if missing).
# Xwayland is off unless LUMEN_XWAYLAND=1, [autostart] unless LUMEN_AUTOSTART=1.
start_lumen() {
	[ -f "$T_DIR/lumen.ini" ] || : >"$T_DIR/lumen.ini"
	xw=--no-xwayland
	[ "${LUMEN_XWAYLAND:-}" = 1 ] && xw=
	auto=--no-autostart
	[ "${LUMEN_AUTOSTART:-}" = 1 ] && auto=
	WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1 \
		"$LUMEN" $xw $auto -S "$T_SOCKET" -c "$T_DIR/lumen.ini" \
		-o 1280x720 "$@" >"$T_DIR/lumen.log" 2>&1 &
	LUMEN_PID=$!
	export WAYLAND_DISPLAY="$T_SOCKET"
	export LUMEN_IPC_SOCKET="$XDG_RUNTIME_DIR/lumen-ipc.$T_SOCKET.sock"
	wait_for 20 test -S "$LUMEN_IPC_SOCKET" || bail "lumen did not start"
	wait_for 10 "$LUMENCTL" outputs || bail "lumen does not answer IPC"
}

# spawn NAME command...: runs in the background, output in $T_DIR/NAME.out
spawn() {
	name=$1
	shift
	"$@" >"$T_DIR/$name.out" 2>&1 &
	T_PIDS="$T_PIDS $!"
	eval "PID_$(echo "$name" | tr -c 'A-Za-z0-9_\n' _)=$!"
}

# spawn_trusted NAME command...: the same, on the trusted socket
spawn_trusted() {
	name=$1
	shift
	WAYLAND_DISPLAY="$T_SOCKET-trusted" spawn "$name" "$@"
}

out_has() { # NAME fixed-string
	grep -qF -- "$2" "$T_DIR/$1.out"
}

# Runs python over lumenctl's JSON: jq-like queries without jq.
ipc_json() { # python-expression-over-j lumenctl-args...
	expr=$1
	shift
	"$LUMENCTL" -c "$@" | python3 -c "import json,sys; j=json.load(sys.stdin); r=($expr); print(r if not isinstance(r,bool) else int(r))"
}

window_count() {
	ipc_json "len(j['windows'])" windows
}

has_windows() { # count
	[ "$(window_count 2>/dev/null)" -ge "$1" ]
}

window_field() { # app_id-or-title field
	"$LUMENCTL" -c windows | python3 -c "
import json,sys
j=json.load(sys.stdin)
for w in j['windows']:
    if w['app_id']=='$1' or w['title']=='$1':
        print(w['$2'] if not isinstance(w['$2'],bool) else int(w['$2'])); break
else:
    sys.exit(1)"
}

has_window() { # app_id-or-title
	window_field "$1" id >/dev/null
}

capture() { # FILE [OUTPUT]
	"$LUMENCTL" screenshot "$@" >/dev/null
}

# Injects input through the virtual keyboard/pointer on the trusted socket.
inject() {
	WAYLAND_DISPLAY="$T_SOCKET-trusted" "$TC_INPUT" "$@" >>"$T_DIR/inject.out" 2>&1
}

field_is() { # app_id-or-title field value
	[ "$(window_field "$1" "$2" 2>/dev/null)" = "$3" ]
}

# True when a python expression over lumenctl's JSON equals a value.
json_is() { # value python-expression lumenctl-args...
	want=$1
	shift
	[ "$(ipc_json "$@" 2>/dev/null)" = "$want" ]
}

# start_inputd [args...]: lumen-inputd with no real devices (--no-libinput) in the
# private runtime dir; lumen, started after it, becomes its seat master (lumen-input-0).
start_inputd() {
	"$LUMEN_INPUTD" --no-libinput "$@" >>"$T_DIR/inputd.log" 2>&1 &
	INPUTD_PID=$!
	wait_for 10 test -S "$XDG_RUNTIME_DIR/lumen-input-0" || bail "lumen-inputd did not start"
}

# Ends inputd and checks it exits cleanly, as stop_lumen does for lumen.
stop_inputd() {
	[ -n "$INPUTD_PID" ] || return 0
	kill -TERM "$INPUTD_PID" 2>/dev/null
	wait "$INPUTD_PID"
	status=$?
	INPUTD_PID=""
	report=$(grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T_DIR/inputd.log" | head -n 3)
	[ "$status" -eq 0 ] && [ -z "$report" ]
	ok $? "lumen-inputd exits cleanly (status $status${report:+; $report})"
}

# How many times lumen has become inputd's seat master (input-backend.c logs each).
input_masters() {
	grep -c "seat master of the input server" "$T_DIR/lumen.log"
}

input_masters_at_least() { # COUNT
	[ "$(input_masters)" -ge "$1" ]
}

wait_input_master() { # COUNT: lumen has been the master at least COUNT times
	wait_for 10 input_masters_at_least "$1"
}

# lumen-inputctl, a driver of inputd: its output goes to $T_DIR/inputctl.out.
inputctl() {
	"$LUMEN_INPUTCTL" "$@" >>"$T_DIR/inputctl.out" 2>&1
}

# inputctl_until CONDITION INPUTCTL-ARGS...: lumen-inputctl with these commands, keeping
# its devices until CONDITION (a command line) holds, up to 10 s; true if it did. inputd
# drops the frames it has not yet passed to lumen when a driver goes, so a driver that
# left at once could lose the end of what it typed.
inputctl_until() {
	cond=$1
	shift
	"$LUMEN_INPUTCTL" "$@" sleep 60000 >>"$T_DIR/inputctl.out" 2>&1 &
	sender=$!
	wait_for 10 eval "$cond"
	rc=$?
	kill "$sender" 2>/dev/null
	wait "$sender" 2>/dev/null
	return $rc
}

# start_session_bus: a private D-Bus session bus for this test (DBUS_SESSION_BUS_ADDRESS);
# what it activates (at-spi-bus-launcher, dconf-service) lives in the private runtime dir.
start_session_bus() {
	out=$(dbus-daemon --session --fork --print-address=1 --print-pid=1) ||
		bail "dbus-daemon --session did not start"
	export DBUS_SESSION_BUS_ADDRESS=$(echo "$out" | head -n 1)
	SESSION_BUS_PID=$(echo "$out" | tail -n 1)
}

# Ends the processes still on the private session bus (by the pids the bus reports: the
# ones it activated, since the test's own are gone by now), then the bus.
stop_session_bus() {
	[ -n "$SESSION_BUS_PID" ] || return 0
	pids=$(busctl --user list --no-legend 2>/dev/null | awk '$2 ~ /^[0-9]+$/ {print $2}' |
		sort -u | grep -vx "$SESSION_BUS_PID")
	for pid in $pids; do
		kill "$pid" 2>/dev/null
	done
	for pid in $pids; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null
	done
	kill "$SESSION_BUS_PID" 2>/dev/null
	SESSION_BUS_PID=""
}
