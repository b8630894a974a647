#!/bin/bash
# bench-atspi: a GTK 4 app with a large accessible tree (bench/atspi-big-app.py: COUNT
# buttons) read two ways in the same run:
#   ours:    AT-SPI2 -> lumen-atspi-bridge -> lumen-a11yd -> lumen-reader (its speech log);
#   AT-SPI2: a libatspi listener (pyatspi, tests/integration/atspi-focus.py), Orca's path.
# 1. Focus latency: from GTK moving focus (the app's notify::focus-widget, wall clock) to
#    the reader's utterance, and to the listener's event; p50 and p99 over TABS Tab keys,
#    side by side with the ratio ours/AT-SPI2.
# 2. Reading the whole tree: one read_tree of lumen-a11yd against a libatspi walk
#    (bench/atspi-tree-bench.c).
#
#   bench/run-atspi-bench.sh [-b BUILDDIR] [-n TABS] [-c COUNT] [-k]
#
# Everything runs on a private session bus and AT-SPI2 bus with lumen headless; only
# the processes started here are ended, by pid. -k keeps the temporary directory.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(dirname "$HERE")
BUILD="$SRC/build"
TABS=100
COUNT=3000
KEEP=0
while getopts "b:n:c:k" opt; do
	case $opt in
	b) BUILD=$OPTARG ;;
	n) TABS=$OPTARG ;;
	c) COUNT=$OPTARG ;;
	k) KEEP=1 ;;
	*) echo "usage: $0 [-b BUILDDIR] [-n TABS] [-c COUNT] [-k]" >&2; exit 2 ;;
	esac
done
for f in "$BUILD/compositor/lumen" "$BUILD/a11y/lumen-a11yd" "$BUILD/a11y/lumen-reader" \
	"$BUILD/a11y/bridge/lumen-atspi-bridge" "$BUILD/bench/atspi-tree-bench" \
	"$BUILD/tests/clients/lumen-test-input"; do
	[ -x "$f" ] || { echo "missing $f (ninja -C $BUILD bench-atspi builds it)" >&2; exit 1; }
done

D=$(mktemp -d /tmp/lumen-atspi-bench.XXXXXX)
export XDG_RUNTIME_DIR="$D/run" HOME="$D/home" XDG_CONFIG_HOME="$D/home/.config"
mkdir -m 700 "$XDG_RUNTIME_DIR"
mkdir -p "$HOME"
unset DISPLAY WAYLAND_DISPLAY WAYLAND_SOCKET NO_AT_BRIDGE GTK_A11Y AT_SPI_BUS_ADDRESS
unset LUMEN_A11Y_SOCKET LUMEN_A11Y_TRUSTED_SOCKET
export GDK_BACKEND=wayland GTK_USE_PORTAL=0 GSETTINGS_BACKEND=memory GIO_USE_VFS=local
PIDS=""
BUS_PID=""
LAUNCHER_PID=""
descendants() {
	for c in $(pgrep -P "$1" 2>/dev/null); do
		echo "$c"
		descendants "$c"
	done
}
cleanup() {
	all="$PIDS"
	[ -n "$LAUNCHER_PID" ] && all="$all $(descendants "$LAUNCHER_PID") $LAUNCHER_PID"
	[ -n "$BUS_PID" ] && all="$all $(descendants "$BUS_PID") $BUS_PID"
	for pid in $all; do kill "$pid" 2>/dev/null; done
	for pid in $all; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null
	done
	if [ "$KEEP" = 1 ]; then echo "kept $D"; else rm -rf "$D"; fi
}
trap cleanup EXIT
die() { echo "bench-atspi: $*" >&2; exit 1; }
wait_for() { # seconds command...
	end=$(($(date +%s) + $1))
	shift
	while [ "$(date +%s)" -le "$end" ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	return 1
}
start() { # name command...
	name=$1
	shift
	"$@" >"$D/$name.out" 2>&1 &
	PIDS="$PIDS $!"
	eval "PID_$name=$!"
}

out=$(dbus-daemon --session --fork --print-address=1 --print-pid=1) || die "no dbus-daemon"
export DBUS_SESSION_BUS_ADDRESS=$(echo "$out" | head -n 1)
BUS_PID=$(echo "$out" | tail -n 1)
/usr/libexec/at-spi-bus-launcher >"$D/launcher.out" 2>&1 &
LAUNCHER_PID=$!
wait_for 20 dbus-send --session --print-reply --dest=org.a11y.Bus /org/a11y/bus \
	org.a11y.Bus.GetAddress || die "at-spi-bus-launcher did not start"

start a11yd "$BUILD/a11y/lumen-a11yd" --config /dev/null
wait_for 10 test -S "$XDG_RUNTIME_DIR/lumen-a11y-0-trusted" || die "lumen-a11yd did not start"
WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1 \
	start lumen "$BUILD/compositor/lumen" --no-xwayland --no-autostart -S bench-atspi \
	-c /dev/null -o 1280x720
wait_for 20 test -S "$XDG_RUNTIME_DIR/bench-atspi-trusted" || die "lumen did not start"
export WAYLAND_DISPLAY=bench-atspi
SPEECH="$D/speech.log"
start reader "$BUILD/a11y/lumen-reader" --no-audio --speech-log "$SPEECH"
start bridge "$BUILD/a11y/bridge/lumen-atspi-bridge" -d
start listener /usr/bin/python3 "$SRC/tests/integration/atspi-focus.py" \
	"$SRC/a11y/client/roles.c" atspi-big-app
wait_for 20 grep -q listening "$D/listener.out" || die "the AT-SPI2 listener did not start"
start app /usr/bin/python3 "$HERE/atspi-big-app.py" "$COUNT"
wait_for 60 grep -q ready "$D/app.out" || die "the app did not start"
APP_ID=$(grep -o "importing atspi:[^ ]* (pid $PID_app" "$D/bridge.out" | head -n 1 |
	sed 's/importing \(atspi:[^ ]*\) .*/\1/')
wait_for 30 test -n "$(grep -o "importing atspi:[^ ]* (pid $PID_app" "$D/bridge.out")"
APP_ID=$(grep -o "importing atspi:[^ ]* (pid $PID_app" "$D/bridge.out" | head -n 1 |
	sed 's/importing \(atspi:[^ ]*\) .*/\1/')
[ -n "$APP_ID" ] || die "the bridge did not import the app"
published() {
	grep -o "$APP_ID: published [0-9]* nodes" "$D/bridge.out" | tail -n 1 |
		grep -o '[0-9]* nodes' | cut -d' ' -f1
}
walked() { # no more nodes for 3 s: the first walk is over
	a=$(published)
	[ -n "$a" ] && [ "$a" -ge 100 ] || return 1
	sleep 3
	[ "$(published)" = "$a" ]
}
wait_for 300 walked || die "the bridge did not mirror the whole tree"
NODES=$(grep -o "$APP_ID: published [0-9]* nodes" "$D/bridge.out" | tail -n 1 |
	grep -o '[0-9]* nodes')
sleep 1

inject() {
	WAYLAND_DISPLAY=bench-atspi-trusted "$BUILD/tests/clients/lumen-test-input" "$@" \
		>>"$D/inject.out" 2>&1
}
spoken() { grep -qF -- "$1, button" "$SPEECH"; }
heard() { grep -qF -- "$1, button" "$D/listener.out"; }
missed=0
for _ in $(seq 1 "$TABS"); do
	f=$(grep -c '^focus' "$D/app.out")
	inject key Tab tap
	wait_for 5 test "$(grep -c '^focus' "$D/app.out")" -gt "$f" || { missed=$((missed + 1)); continue; }
	label=$(grep '^focus' "$D/app.out" | tail -n 1 | cut -f2)
	[ -n "$label" ] || continue
	wait_for 5 spoken "$label" || missed=$((missed + 1))
	wait_for 5 heard "$label" || missed=$((missed + 1))
	sleep 0.05
done

# The first walk: from "importing" to the first publish of the whole tree (bridge log).
WALK=$(/usr/bin/python3 -c '
import sys
def secs(line):
    h, m, s = line.split()[0].split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)
start = end = None
for line in open(sys.argv[1], errors="replace"):
    if start is None and "importing " + sys.argv[2] + " " in line:
        start = secs(line)
    elif start is not None and sys.argv[2] + ": published " + sys.argv[3] + " nodes" in line:
        end = secs(line)
        break
print("%.1f" % (end - start) if start is not None and end is not None else "?")
' "$D/bridge.out" "$APP_ID" "${NODES% nodes}")
echo "bench-atspi: $APP_ID, $NODES mirrored in $WALK s (the bridge's first walk)," \
	"$TABS Tab keys ($missed waits timed out)"
/usr/bin/python3 - "$D/app.out" "$SPEECH" "$D/listener.out" <<'EOF'
import sys
app, speech, listener = sys.argv[1:4]
focus = [l.rstrip("\n").split("\t") for l in open(app) if l.startswith("focus ")]
focus = [(float(a.split()[1]), b) for a, b in focus if b]
said = []
for l in open(speech):
    t, _, text = l.rstrip("\n").partition(" ")
    said.append((float(t), text))
heard = []
for l in open(listener):
    parts = l.rstrip("\n").split("\t")
    if len(parts) == 3:
        heard.append((float(parts[0]), parts[2]))
def first_after(events, t, label):
    for et, text in events:
        if et >= t - 0.002 and text.startswith(label + ", button"):
            return et
    return None
ours, direct = [], []
for t, label in focus:
    s = first_after(said, t, label)
    h = first_after(heard, t, label)
    if s is not None and h is not None:
        ours.append((s - t) * 1000.0)
        direct.append((h - t) * 1000.0)
def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]
if not ours:
    print("no focus change was both spoken and heard")
    sys.exit(1)
print("focus -> speech/event latency over %d focus changes (ms; speech log has ms precision)" % len(ours))
print("%-8s %28s %24s %8s" % ("", "ours (bridge+bus+reader)", "AT-SPI2 (libatspi)", "ratio"))
for p in (50, 99):
    a, b = pct(ours, p), pct(direct, p)
    print("p%-7d %28.1f %24.1f %8.2f" % (p, a, b, a / b if b > 0 else float("inf")))
EOF
echo "reading the whole tree:"
"$BUILD/bench/atspi-tree-bench" ours "$XDG_RUNTIME_DIR/lumen-a11y-0-trusted" "$APP_ID" 20
APP_NAME=${APP_ID#atspi:}
"$BUILD/bench/atspi-tree-bench" atspi "$APP_NAME" 2
