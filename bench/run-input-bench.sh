#!/usr/bin/env bash
#
# Key latency, lumen against sway 1.7: from the moment a driver writes a key event (its
# CLOCK_MONOTONIC right before the write) to the moment a client's wl_keyboard.key
# handler runs (CLOCK_MONOTONIC first thing in it), over many taps.
#   lumen: driver -> lumen-inputd (lumen-input-0) -> lumen -> client
#   sway:  driver -> zwp_virtual_keyboard_v1 (wtype's path) -> sway -> client
# Both compositors run on wlroots' headless backend with the pixman renderer. The ends
# are bench/input-latency.c. What the numbers mean: bench/README.md.
#
# Only processes this script started are ended, by pid; its temporary directory goes
# with them (unless -k).

set -uo pipefail
export LC_ALL=C

readonly BENCH_USER=lumenbench
readonly LUMEN_SOCKET=bench-input
readonly START_TIMEOUT_S=20
readonly STOP_GRACE_S=5
readonly PROG=run-input-bench

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(dirname -- "$script_dir")
builddir="$repo_root/build"
latency=""
count=500
gap_ms=5
keep=0

usage() {
	cat <<EOF
usage: $PROG [options]

Taps N keys (N presses and N releases, one event every GAP ms) into a client under
lumen (through lumen-inputd) and under sway 1.7 (through its virtual keyboard), and
prints the latency of each path, p50, p99, mean and max, with lumen/sway ratios.

  -b BUILDDIR   meson build directory (default: <repo>/build)
  -l PATH       the input-latency program (default: BUILDDIR/bench/input-latency)
  -n N          keys to tap (default $count)
  -g GAP        milliseconds between events (default $gap_ms)
  -k            keep the temporary directory (logs, raw timestamps)
  -h            this text

As root, sway (which refuses root) and its clients run as the user '$BENCH_USER',
created if missing. Exits non-zero if a compositor fails to start or a key is lost.
EOF
}

die() {
	echo "$PROG: $*" >&2
	exit 1
}

while getopts ":b:l:n:g:kh" opt; do
	case $opt in
	b) builddir=$OPTARG ;;
	l) latency=$OPTARG ;;
	n) count=$OPTARG ;;
	g) gap_ms=$OPTARG ;;
	k) keep=1 ;;
	h) usage; exit 0 ;;
	:) usage >&2; die "-$OPTARG needs a value" ;;
	*) usage >&2; die "unknown option -$OPTARG" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { usage >&2; die "unexpected argument '$1'"; }
[[ $count =~ ^[0-9]+$ ]] && [ "$count" -ge 10 ] && [ "$count" -le 100000 ] ||
	die "-n wants a key count from 10 to 100000, not '$count'"
[[ $gap_ms =~ ^[0-9]+$ ]] && [ "$gap_ms" -le 1000 ] ||
	die "-g wants milliseconds from 0 to 1000, not '$gap_ms'"

builddir=$(cd -- "$builddir" 2>/dev/null && pwd) || die "no build directory"
lumen="$builddir/compositor/lumen"
inputd="$builddir/input/lumen-inputd"
[ -n "$latency" ] || latency="$builddir/bench/input-latency"
for f in "$lumen" "$inputd" "$latency"; do
	[ -x "$f" ] || die "$f is missing: build it first (ninja -C '$builddir' bench-input)"
done
command -v sway >/dev/null || die "sway is not installed"
sway_version=$(sway --version 2>/dev/null | head -n 1)

sway_prefix=()
if [ "$(id -u)" -eq 0 ]; then
	command -v setpriv >/dev/null || die "setpriv (util-linux) is needed to run sway as root"
	if ! id -u "$BENCH_USER" >/dev/null 2>&1; then
		useradd -m "$BENCH_USER" || die "cannot create the user $BENCH_USER"
	fi
	bench_uid=$(id -u "$BENCH_USER")
	bench_gid=$(id -g "$BENCH_USER")
	sway_prefix=(setpriv --reuid="$bench_uid" --regid="$bench_gid" --init-groups --)
fi

# ---------------------------------------------------------------------------------------
# Processes we started: each is ended by its pid and reaped, nothing else is touched.

started=()

forget() {
	local keep_pids=() p
	for p in "${started[@]}"; do
		[ "$p" = "$1" ] || keep_pids+=("$p")
	done
	started=("${keep_pids[@]}")
}

alive() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	[ "${s%% *}" != Z ]
}

stop() { # PID [GRACE_S]: SIGTERM, SIGKILL after the grace, reaped
	local pid=$1 grace=${2:-$STOP_GRACE_S} i
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < grace * 20; i++)); do
		alive "$pid" || break
		sleep 0.05
	done
	alive "$pid" && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	forget "$pid"
}

work=""
cleanup() {
	local i
	for ((i = ${#started[@]} - 1; i >= 0; i--)); do
		stop "${started[i]}" 2
	done
	if [ -n "$work" ] && [ -d "$work" ]; then
		if [ "$keep" -eq 1 ]; then
			echo "$PROG: kept $work" >&2
		else
			rm -rf -- "$work"
		fi
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wait_until() { # TIMEOUT_S WATCH_PID COMMAND...
	local limit=$1 pid=$2 i
	shift 2
	for ((i = 0; i < limit * 20; i++)); do
		"$@" && return 0
		alive "$pid" || return 1
		sleep 0.05
	done
	return 1
}

log_tail() {
	[ -f "$1" ] && tail -n 20 -- "$1" | sed 's/^/    /' >&2
}

work=$(mktemp -d /tmp/lumen-input-bench.XXXXXX) || die "mktemp failed"
chmod 755 "$work"
cp -- "$latency" "$work/input-latency" && chmod 755 "$work/input-latency" ||
	die "cannot copy $latency"

received() { # FILE: the R lines so far
	grep -c '^R ' "$1" 2>/dev/null
}

# run_path NAME DRIVER RUNDIR DISPLAY PREFIX...: the client, then the driver, then waits
# until the client has every event.
run_path() {
	local name=$1 driver=$2 rt=$3 display=$4 pid
	shift 4
	"$@" env -i PATH="$PATH" HOME="$rt" XDG_RUNTIME_DIR="$rt" WAYLAND_DISPLAY="$display" \
		"$work/input-latency" client >"$work/$name.recv" 2>"$work/$name.client.err" &
	pid=$!
	started+=("$pid")
	# Under sway the seat has a keyboard (and the client focus) only once the driver's
	# virtual keyboard exists: the driver waits half a second before its first key.
	wait_until 10 "$pid" grep -qs '^mapped' "$work/$name.recv" || {
		echo "$PROG: the client under $name did not map:" >&2
		log_tail "$work/$name.client.err"
		exit 1
	}
	echo "== $name: $count keys, an event every $gap_ms ms" >&2
	"$@" env -i PATH="$PATH" HOME="$rt" XDG_RUNTIME_DIR="$rt" WAYLAND_DISPLAY="$display" \
		"$work/input-latency" "$driver" "$count" "$gap_ms" >"$work/$name.sent" \
		2>"$work/$name.driver.err" || {
		echo "$PROG: the driver under $name failed:" >&2
		log_tail "$work/$name.driver.err"
		exit 1
	}
	local want=$((2 * count)) i
	for ((i = 0; i < 100; i++)); do
		[ "$(received "$work/$name.recv")" -ge "$want" ] && break
		sleep 0.05
	done
	stop "$pid"
	grep -qs '^focus' "$work/$name.recv" || die "$name: the client never got keyboard focus"
	[ "$(received "$work/$name.recv")" -eq "$want" ] ||
		die "$name: the client got $(received "$work/$name.recv") of $want key events"
}

# Lumen: lumen-inputd first; lumen, started after it, becomes its seat master.
lumen_rt="$work/lumen-run"
mkdir -m 700 "$lumen_rt"
echo "== lumen: starting lumen-inputd and lumen" >&2
env -i PATH="$PATH" HOME="$lumen_rt" XDG_RUNTIME_DIR="$lumen_rt" \
	"$inputd" --no-libinput >"$work/inputd.log" 2>&1 &
inputd_pid=$!
started+=("$inputd_pid")
wait_until "$START_TIMEOUT_S" "$inputd_pid" test -S "$lumen_rt/lumen-input-0" ||
	{ log_tail "$work/inputd.log"; die "lumen-inputd did not start"; }
printf '[decorations]\nmode = client\n' >"$work/lumen.ini"
env -i PATH="$PATH" HOME="$lumen_rt" XDG_RUNTIME_DIR="$lumen_rt" \
	WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1 \
	"$lumen" --no-xwayland --no-autostart -S "$LUMEN_SOCKET" -o 1280x720 \
	-c "$work/lumen.ini" >"$work/lumen.log" 2>&1 &
lumen_pid=$!
started+=("$lumen_pid")
wait_until "$START_TIMEOUT_S" "$lumen_pid" grep -qs "seat master of the input server" \
	"$work/lumen.log" || { log_tail "$work/lumen.log"; die "lumen did not become inputd's master"; }
run_path lumen lumen-driver "$lumen_rt" "$LUMEN_SOCKET"
alive "$lumen_pid" && alive "$inputd_pid" || die "lumen or lumen-inputd died during the run"
stop "$lumen_pid"
stop "$inputd_pid"

# Sway, as the bench user when we are root.
sway_rt="$work/sway-run"
mkdir -m 700 "$sway_rt"
[ ${#sway_prefix[@]} -eq 0 ] || chown "$bench_uid:$bench_gid" "$sway_rt"
printf 'xwayland disable\nswaynag_command -\nfocus_follows_mouse no\n' >"$work/sway.conf"
echo "== sway: starting" >&2
"${sway_prefix[@]}" env -i PATH="$PATH" HOME="$sway_rt" XDG_RUNTIME_DIR="$sway_rt" \
	WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1 \
	WLR_HEADLESS_OUTPUTS=1 sway -c "$work/sway.conf" >"$work/sway.log" 2>&1 &
sway_pid=$!
started+=("$sway_pid")
sway_socket() {
	local s
	for s in "$sway_rt"/wayland-*; do
		[ -S "$s" ] && { basename -- "$s"; return 0; }
	done
	return 1
}
wait_until "$START_TIMEOUT_S" "$sway_pid" sway_socket >/dev/null ||
	{ log_tail "$work/sway.log"; die "sway did not start"; }
run_path sway vk-driver "$sway_rt" "$(sway_socket)" "${sway_prefix[@]}"
alive "$sway_pid" || die "sway died during the run"
stop "$sway_pid"

# ---------------------------------------------------------------------------------------
# Report: the i-th event sent against the i-th received, in microseconds.

latencies() { # NAME: one latency (us) a line, sorted; dies if the events do not pair up
	paste -d ' ' <(grep '^S ' "$work/$1.sent") <(grep '^R ' "$work/$1.recv") |
		awk -v name="$1" '$2 != $6 || $3 != $7 { bad++ } { print ($8 - $4) / 1000 }
			END { if (bad) { print name ": " bad " events out of order" > "/dev/stderr"; exit 1 } }' |
		sort -g
}

stats() { # FILE of sorted latencies: p50 p99 mean max
	awk '{ v[NR] = $1; s += $1 } END {
		i50 = int(NR * 0.50 + 0.5); i99 = int(NR * 0.99 + 0.5)
		if (i50 < 1) i50 = 1; if (i99 < 1) i99 = 1
		printf "%.1f %.1f %.1f %.1f\n", v[i50], v[i99], s / NR, v[NR] }' "$1"
}

latencies lumen >"$work/lumen.us" || die "lumen's events do not pair up"
latencies sway >"$work/sway.us" || die "sway's events do not pair up"
read -r l50 l99 lmean lmax < <(stats "$work/lumen.us")
read -r s50 s99 smean smax < <(stats "$work/sway.us")
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 != 0) printf "%.2f", a / b; else printf "-" }'
}

echo
echo "key latency, driver write -> client wl_keyboard.key (CLOCK_MONOTONIC, us)"
echo "$count taps (= $((2 * count)) events) an event every $gap_ms ms; wlroots headless, pixman"
echo "lumen: lumen-inputd --no-libinput + lumen; sway: $sway_version, zwp_virtual_keyboard_v1"
echo
printf '%-26s %9s %9s %9s %9s\n' path p50 p99 mean max
printf '%-26s %9s %9s %9s %9s\n' "lumen (inputd -> lumen)" "$l50" "$l99" "$lmean" "$lmax"
printf '%-26s %9s %9s %9s %9s\n' "sway (virtual keyboard)" "$s50" "$s99" "$smean" "$smax"
printf '%-26s %9s %9s %9s %9s\n' "ratio lumen/sway" "$(ratio "$l50" "$s50")" \
	"$(ratio "$l99" "$s99")" "$(ratio "$lmean" "$smean")" "$(ratio "$lmax" "$smax")"
