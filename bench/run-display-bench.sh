#!/usr/bin/env bash
#
# lumen through lumen-displayd against lumen on wlroots' own headless backend, in the same
# run, under the same loads:
#   A  lumen on wlroots' headless backend, in-process (pixman), one 1920x1080@60 output
#   B  lumen on lumen-displayd's virtual backend (pixman into shm), one 1920x1080@60 output
# and prints for each the compositor's CPU time per presented frame (for B also
# displayd's, and the sum), commit-to-present latency (median and p90), presented frames
# per second, and for B the bytes displayd copied per frame; then the B/A ratios. What
# each number means: bench/README.md, "bench-display".
#
# Only processes this script started are ended, by pid; each setup gets its own private
# XDG_RUNTIME_DIR under a temporary directory that goes with them (unless -k).

set -uo pipefail
export LC_ALL=C # EPOCHREALTIME and printf want '.' as the decimal point

readonly OUTPUT_W=1920 OUTPUT_H=1080 OUTPUT_HZ=60
readonly FRAME_BYTES=$((OUTPUT_W * OUTPUT_H * 4))
readonly SETTLE_S=1      # after the client's first frame, before the window opens
readonly START_TIMEOUT_S=20
readonly MAP_TIMEOUT_S=10
readonly STOP_GRACE_S=5
readonly LUMEN_SOCKET=bench-lumen
readonly DISPLAY_SOCKET=lumen-display-0
readonly PROG=run-display-bench

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(dirname -- "$script_dir")
builddir="$repo_root/build"
duration=6
square=144
partial_size=800x600
static_size=64x64
keep=0

usage() {
	cat <<EOF
usage: $PROG [options]

Runs lumen on wlroots' headless backend (A) and on lumen-displayd's virtual backend (B),
both pixman and ${OUTPUT_W}x${OUTPUT_H}@${OUTPUT_HZ}, under the same loads, one after the other:
  partial   one lumen-test-anim window (${partial_size}) whose only change each frame is a
            moving SxS square (-q): about 1% of the output damaged per frame
  full      one lumen-test-anim window covering the whole output, all of it redrawn and
            damaged every frame (alone on the output, so lumen may hand the client's
            buffer to the backend as it is, without compositing: "direct scan-out")
  full+1    the same, with a static ${static_size} window over it: both composite every frame

  -b BUILDDIR   meson build directory (default: <repo>/build)
  -d SECONDS    measured time per load and setup (default $duration)
  -q S          the partial load's square side (default $square: 144x144 is 1% of the output)
  -k            keep the temporary directory (logs, client output)
  -h            this text

Exits non-zero if a process fails to start or dies, or a client does not draw.
EOF
}

die() {
	echo "$PROG: $*" >&2
	exit 1
}

is_uint() {
	[[ $1 =~ ^[0-9]+$ ]]
}

while getopts ":b:d:q:kh" opt; do
	case $opt in
	b) builddir=$OPTARG ;;
	d) duration=$OPTARG ;;
	q) square=$OPTARG ;;
	k) keep=1 ;;
	h) usage; exit 0 ;;
	:) usage >&2; die "-$OPTARG needs a value" ;;
	*) usage >&2; die "unknown option -$OPTARG" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { usage >&2; die "unexpected argument '$1'"; }

is_uint "$duration" && [ "$duration" -ge 1 ] && [ "$duration" -le 3600 ] ||
	die "-d wants whole seconds from 1 to 3600, not '$duration'"
is_uint "$square" && [ "$square" -ge 8 ] && [ "$square" -le 512 ] ||
	die "-q wants a side from 8 to 512, not '$square'"

abs=$(cd -- "$builddir" 2>/dev/null && pwd) || die "no build directory '$builddir'"
builddir=$abs
lumen="$builddir/compositor/lumen"
lumenctl="$builddir/compositor/lumenctl"
displayd="$builddir/display-server/lumen-displayd"
displayctl="$builddir/display-server/lumen-displayctl"
anim="$builddir/tests/clients/lumen-test-anim"
keylog="$builddir/tests/clients/lumen-test-keylog"
for exe in "$lumen" "$lumenctl" "$displayd" "$displayctl" "$anim" "$keylog"; do
	[ -x "$exe" ] || die "$exe is missing: build it first (ninja -C '$builddir')"
done
"$anim" --help | grep -q -- --latency ||
	die "$anim has no --latency option: rebuild it (ninja -C '$builddir')"
command -v python3 >/dev/null || die "python3 is needed to read lumenctl's JSON"
[ -n "${EPOCHREALTIME:-}" ] || die "needs bash 5 (EPOCHREALTIME)"
clk_tck=$(getconf CLK_TCK) || die "getconf CLK_TCK failed"

# ---------------------------------------------------------------------------------------
# Processes we started: each is ended by its pid and reaped, nothing else is touched.

started=() # pids not yet reaped, in start order

forget() {
	local keep_pids=() p
	for p in "${started[@]}"; do
		[ "$p" = "$1" ] || keep_pids+=("$p")
	done
	started=("${keep_pids[@]}")
}

# A child that exited stays a zombie until reaped, and kill -0 still succeeds on it.
alive() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	[ "${s%% *}" != Z ]
}

# stop PID [GRACE_S]: SIGTERM, SIGKILL after the grace, then reap. Returns 0 if it ended
# without needing SIGKILL.
stop() {
	local pid=$1 grace=${2:-$STOP_GRACE_S} i ok=0
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < grace * 20; i++)); do
		alive "$pid" || break
		sleep 0.05
	done
	if alive "$pid"; then
		kill -KILL "$pid" 2>/dev/null
		ok=1
	fi
	wait "$pid" 2>/dev/null
	forget "$pid"
	return $ok
}

# Sleeps in the background and waits for it: bash runs a trap only once the foreground
# command ends, and wait, unlike sleep, is cut short by the signal.
nap_pid=""
nap() {
	sleep "$1" &
	nap_pid=$!
	wait "$nap_pid"
	nap_pid=""
}

work=""
cleanup() {
	local i
	if [ -n "$nap_pid" ]; then
		kill "$nap_pid" 2>/dev/null
		wait "$nap_pid" 2>/dev/null
	fi
	# Newest first: clients before their compositor, the compositor before displayd.
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

work=$(mktemp -d /tmp/lumen-display-bench.XXXXXX) || die "mktemp failed"
mkdir -m 700 "$work/run-a" "$work/run-b" "$work/home-a" "$work/home-b" ||
	die "cannot create the runtime directories"
# No decorations: the partial load's only change is then the client's square.
printf '[decorations]\nmode = client\n' >"$work/lumen.ini"

# ---------------------------------------------------------------------------------------
# Measuring.

cpu_ticks() { # PID: utime + stime, all threads, in clock ticks
	local s f
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) } # the name may hold spaces and parentheses; what follows it does not
	read -r -a f <<<"$s"
	echo $((f[11] + f[12])) # fields 14 and 15; f[0] is field 3
}

# Nanoseconds on a CPU, summed over the live threads (schedstat's first field): the
# per-frame numbers come from this, since a 10 ms tick is coarse for displayd's share.
cpu_ns() {
	local t sum=0 v
	for t in /proc/"$1"/task/*/schedstat; do
		read -r v _ <"$t" 2>/dev/null && sum=$((sum + v))
	done
	echo "$sum"
}

wait_until() { # TIMEOUT_S WATCH_PID COMMAND...: 0 once COMMAND succeeds, 1 on timeout or death
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
	[ -f "$1" ] && tail -n "${2:-20}" -- "$1" | sed 's/^/    /' >&2
}

# Per setup (a | b): its runtime dir, lumen's pid and log, displayd's pid (b only).
declare -A RT=() LUMEN_PID=() LUMEN_LOG=() DS_PID=()
DS_LOG="$work/displayd.log"

check_alive() { # SETUP
	if ! alive "${LUMEN_PID[$1]}"; then
		echo "$PROG: lumen ($1) died; its log ends:" >&2
		log_tail "${LUMEN_LOG[$1]}"
		exit 1
	fi
	if [ "$1" = b ] && ! alive "${DS_PID[b]}"; then
		echo "$PROG: lumen-displayd died; its log ends:" >&2
		log_tail "$DS_LOG"
		exit 1
	fi
}

# The one output lumen reports, as "WIDTH HEIGHT REFRESH_mHz".
lumen_output() { # SETUP
	env -i PATH="$PATH" XDG_RUNTIME_DIR="${RT[$1]}" \
		LUMEN_IPC_SOCKET="${RT[$1]}/lumen-ipc.$LUMEN_SOCKET.sock" \
		"$lumenctl" -c outputs 2>/dev/null | python3 2>/dev/null -c '
import json, sys
o = json.load(sys.stdin)["outputs"]
if not o:
    sys.exit(1)
print(len(o), o[0]["width"], o[0]["height"], o[0]["refresh"])'
}

start_lumen() { # SETUP: a (headless) or b (on displayd, which must be running)
	local s=$1 backend_env=() lumen_args=()
	RT[$s]="$work/run-$s"
	LUMEN_LOG[$s]="$work/lumen-$s.log"
	if [ "$s" = a ]; then
		backend_env=(WLR_BACKENDS=headless)
		lumen_args=(-o "${OUTPUT_W}x${OUTPUT_H}")
	else
		backend_env=(LUMEN_DISPLAY="$DISPLAY_SOCKET")
		lumen_args=()
	fi
	env -i PATH="$PATH" HOME="$work/home-$s" XDG_RUNTIME_DIR="${RT[$s]}" \
		"${backend_env[@]}" WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1 \
		"$lumen" --no-xwayland --no-autostart -S "$LUMEN_SOCKET" -c "$work/lumen.ini" \
		"${lumen_args[@]}" >"${LUMEN_LOG[$s]}" 2>&1 &
	LUMEN_PID[$s]=$!
	started+=("${LUMEN_PID[$s]}")
	if ! wait_until "$START_TIMEOUT_S" "${LUMEN_PID[$s]}" \
			test -S "${RT[$s]}/lumen-ipc.$LUMEN_SOCKET.sock"; then
		echo "$PROG: lumen ($s) did not start; its log ends:" >&2
		log_tail "${LUMEN_LOG[$s]}"
		exit 1
	fi
	# Both must drive exactly one output at the same mode, or the comparison is void.
	local out
	wait_until "$START_TIMEOUT_S" "${LUMEN_PID[$s]}" lumen_output "$s" >/dev/null
	out=$(lumen_output "$s") || out="no output"
	if [ "$out" != "1 $OUTPUT_W $OUTPUT_H $((OUTPUT_HZ * 1000))" ]; then
		die "lumen ($s) has not one ${OUTPUT_W}x${OUTPUT_H}@${OUTPUT_HZ} output: '$out'" \
			"(count width height mHz)"
	fi
}

start_displayd() {
	RT[b]="$work/run-b"
	env -i PATH="$PATH" XDG_RUNTIME_DIR="$work/run-b" \
		"$displayd" --virtual "${OUTPUT_W}x${OUTPUT_H}@${OUTPUT_HZ}" >"$DS_LOG" 2>&1 &
	DS_PID[b]=$!
	started+=("${DS_PID[b]}")
	if ! wait_until "$START_TIMEOUT_S" "${DS_PID[b]}" test -S "$work/run-b/$DISPLAY_SOCKET"; then
		echo "$PROG: lumen-displayd did not start; its log ends:" >&2
		log_tail "$DS_LOG"
		exit 1
	fi
}

# displayd's counters for its one output: "BYTES_COPIED PRESENTED DISCARDED".
ds_stats() {
	env -i PATH="$PATH" XDG_RUNTIME_DIR="${RT[b]}" \
		"$displayctl" --socket "$DISPLAY_SOCKET" list 2>/dev/null |
		awk '$1 == "bytes" && $2 == "copied:" { print $3, $5, $7; n++ } END { exit n != 1 }'
}

lines_in() { # FILE: its line count
	local n
	n=$(wc -l <"$1" 2>/dev/null) || n=0
	echo "$n"
}

# Results, keyed "<setup>.<load>.<metric>".
declare -A R=()

measure() { # SETUP LOAD
	local s=$1 load=$2 out="$work/$1-$2" pid static_pid=""
	local size args=()
	local cenv=(env -i PATH="$PATH" HOME="$work/home-$s" XDG_RUNTIME_DIR="${RT[$s]}"
		WAYLAND_DISPLAY="$LUMEN_SOCKET")
	if [ "$load" = partial ]; then
		size=$partial_size
		args=(--damage partial --square "$square")
	else
		size="${OUTPUT_W}x${OUTPUT_H}"
		args=(--damage full)
	fi
	"${cenv[@]}" "$anim" --size "$size" "${args[@]}" --latency --frames 0 \
		--title "bench-display-$load" >"$out.out" 2>"$out.err" &
	pid=$!
	started+=("$pid")
	if ! wait_until "$MAP_TIMEOUT_S" "$pid" grep -qs '^size ' "$out.out"; then
		check_alive "$s"
		echo "$PROG: the $load client did not draw under lumen ($s); it said:" >&2
		log_tail "$out.err"
		exit 1
	fi
	if [ "$load" = full+1 ]; then
		# A second node on the output: no direct scan-out, the scene is composited.
		"${cenv[@]}" "$keylog" --size "$static_size" --title bench-display-static \
			>"$out.static.out" 2>"$out.static.err" &
		static_pid=$!
		started+=("$static_pid")
		if ! wait_until "$MAP_TIMEOUT_S" "$static_pid" grep -qs '^mapped' "$out.static.out"; then
			check_alive "$s"
			echo "$PROG: the static window did not map under lumen ($s); it said:" >&2
			log_tail "$out.static.err"
			exit 1
		fi
	fi
	nap "$SETTLE_S"
	check_alive "$s"

	# The window: CPU of each process, the client's output lines (one latency_ns line
	# per presented frame, so the lines between the marks are this window's frames),
	# and displayd's counters.
	local t0 t1 l0 l1 n0 n1 d0 d1 ds0="" ds1=""
	[ "$s" = b ] && { ds0=$(ds_stats) || die "lumen-displayctl list failed"; }
	l0=$(lines_in "$out.out")
	t0=$EPOCHREALTIME
	n0=$(cpu_ns "${LUMEN_PID[$s]}")
	[ "$s" = b ] && d0=$(cpu_ns "${DS_PID[b]}")
	local k0 k1 kd0 kd1
	k0=$(cpu_ticks "${LUMEN_PID[$s]}")
	[ "$s" = b ] && kd0=$(cpu_ticks "${DS_PID[b]}")
	nap "$duration"
	n1=$(cpu_ns "${LUMEN_PID[$s]}")
	[ "$s" = b ] && d1=$(cpu_ns "${DS_PID[b]}")
	k1=$(cpu_ticks "${LUMEN_PID[$s]}")
	[ "$s" = b ] && kd1=$(cpu_ticks "${DS_PID[b]}")
	t1=$EPOCHREALTIME
	l1=$(lines_in "$out.out")
	[ "$s" = b ] && { ds1=$(ds_stats) || die "lumen-displayctl list failed"; }
	check_alive "$s"

	if [ -n "$static_pid" ] && ! stop "$static_pid"; then
		die "the static window under lumen ($s) ignored SIGTERM for ${STOP_GRACE_S} s"
	fi
	if ! stop "$pid"; then
		die "the $load client under lumen ($s) ignored SIGTERM for ${STOP_GRACE_S} s"
	fi
	grep -q '^frames ' "$out.out" || {
		echo "$PROG: the $load client under lumen ($s) printed no counts; it said:" >&2
		log_tail "$out.err"
		exit 1
	}

	local key="$s.$load"
	R[$key.window_s]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
	R[$key.lumen_ms]=$(awk -v d=$((n1 - n0)) 'BEGIN { print d / 1e6 }')
	R[$key.lumen_tick_ms]=$(awk -v d=$((k1 - k0)) -v hz="$clk_tck" 'BEGIN { print d * 1000 / hz }')
	# The window's latency samples: presented frames, in order; their count is the
	# presented frames of the window.
	sed -n "$((l0 + 1)),${l1}p" "$out.out" | awk '$1 == "latency_ns" { print $2 }' \
		>"$out.latency"
	R[$key.presented]=$(lines_in "$out.latency")
	R[$key.lat]=$(sort -n "$out.latency" | awk '
		{ v[NR] = $1 }
		END {
			if (NR == 0) { print "|"; exit }
			# nearest rank: the smallest value with at least p% of the samples at or below it
			m = int((NR * 50 + 99) / 100); p = int((NR * 90 + 99) / 100)
			printf "%.2f|%.2f\n", v[m] / 1e6, v[p] / 1e6
		}')
	R[$key.client_frames]=$(awk '$1 == "frames" { print $2 }' "$out.out")
	R[$key.client_presented]=$(awk '$1 == "presented" { print $2 }' "$out.out")
	R[$key.client_discarded]=$(awk '$1 == "discarded" { print $2 }' "$out.out")
	if [ "$s" = b ]; then
		R[$key.ds_ms]=$(awk -v d=$((d1 - d0)) 'BEGIN { print d / 1e6 }')
		R[$key.ds_tick_ms]=$(awk -v d=$((kd1 - kd0)) -v hz="$clk_tck" 'BEGIN { print d * 1000 / hz }')
		local b0 p0 x0 b1 p1 x1
		read -r b0 p0 x0 <<<"$ds0"
		read -r b1 p1 x1 <<<"$ds1"
		R[$key.ds_bytes]=$((b1 - b0))
		R[$key.ds_presented]=$((p1 - p0))
		R[$key.ds_discarded]=$((x1 - x0))
	fi
	# The client's teardown must not land in the next window.
	nap 1
	check_alive "$s"
}

# Both setups run for the whole bench, idle while the other is measured, and the loads
# alternate between them, so that a change in the machine's other load between the
# start and the end of the run falls on both alike.
echo "== starting lumen on wlroots' headless backend (A)" >&2
start_lumen a
echo "== starting lumen-displayd and lumen on it (B)" >&2
start_displayd
start_lumen b
loads=(partial full full+1)
for load in "${loads[@]}"; do
	for s in a b; do
		echo "== $load damage on $(tr ab AB <<<"$s"), ${duration} s" >&2
		measure "$s" "$load"
	done
done
for ((i = ${#started[@]} - 1; i >= 0; i--)); do
	stop "${started[i]}" || echo "$PROG: warning: pid ${started[i]} needed SIGKILL" >&2
done

# ---------------------------------------------------------------------------------------
# Report.

num() { # VALUE: '-' for an empty one
	if [ -z "$1" ]; then printf '%s' -; else printf '%s' "$1"; fi
}

div() { # A B FORMAT: A/B, '' when either is missing or B is 0
	awk -v a="$1" -v b="$2" -v f="$3" 'BEGIN { if (a != "" && b != "" && b + 0 != 0) printf f, a / b }'
}

row() {
	printf '%-8s %-2s %11s %9s %9s %7s %8s %8s %17s\n' "$@"
}

declare -A M=()
for load in "${loads[@]}"; do
	for s in a b; do
		k="$s.$load"
		M[$k.pps]=$(div "${R[$k.presented]}" "${R[$k.window_s]}" %.1f)
		M[$k.lumen]=$(div "${R[$k.lumen_ms]}" "${R[$k.presented]}" %.3f)
		IFS='|' read -r p50 p90 <<<"${R[$k.lat]}"
		M[$k.p50]=$p50 M[$k.p90]=$p90
		if [ "$s" = b ]; then
			M[$k.ds]=$(div "${R[$k.ds_ms]}" "${R[$k.presented]}" %.3f)
			M[$k.sum]=$(awk -v a="${M[$k.lumen]}" -v b="${M[$k.ds]}" \
				'BEGIN { if (a != "" && b != "") printf "%.3f", a + b }')
			M[$k.bpf]=$(div "${R[$k.ds_bytes]}" "${R[$k.ds_presented]}" %.0f)
			M[$k.bpct]=$(div "${M[$k.bpf]}" $((FRAME_BYTES / 100)) %.2f)
		else
			M[$k.sum]=${M[$k.lumen]}
		fi
	done
done

echo
echo "lumen on wlroots' headless backend (A) vs on lumen-displayd's virtual backend (B):"
echo "  both pixman, one ${OUTPUT_W}x${OUTPUT_H}@${OUTPUT_HZ} output; ${duration} s per load and setup"
echo "  partial: one ${partial_size} lumen-test-anim, a ${square}x${square} square moving (5,3) px a frame"
echo "  full:    one ${OUTPUT_W}x${OUTPUT_H} lumen-test-anim covering the output, all of it redrawn"
echo "  full+1:  the same with a static ${static_size} window over it (no direct scan-out)"
echo "  lumen: $lumen"
echo
echo "CPU ms per presented frame; latency: client commit to 'presented' timestamp, ms"
row load "" presented/s lumen_cpu displayd sum lat_p50 lat_p90 bytes/frame
for load in "${loads[@]}"; do
	for s in a b; do
		k="$s.$load"
		bytes="-"
		[ "$s" = b ] && [ -n "${M[$k.bpf]}" ] && bytes="${M[$k.bpf]} (${M[$k.bpct]}%)"
		row "$load" "$(tr ab AB <<<"$s")" "$(num "${M[$k.pps]}")" "$(num "${M[$k.lumen]}")" \
			"$(num "${M[$k.ds]:-}")" "$(num "${M[$k.sum]}")" "$(num "${M[$k.p50]}")" \
			"$(num "${M[$k.p90]}")" "$bytes"
	done
done
echo
echo "ratio B/A (CPU: below 1, B is cheaper; 'sum' is lumen + displayd in B over lumen in A)"
row load "" presented/s lumen_cpu "" sum lat_p50 lat_p90 ""
for load in "${loads[@]}"; do
	row "$load" "" \
		"$(num "$(div "${M[b.$load.pps]}" "${M[a.$load.pps]}" %.3f)")" \
		"$(num "$(div "${M[b.$load.lumen]}" "${M[a.$load.lumen]}" %.3f)")" "" \
		"$(num "$(div "${M[b.$load.sum]}" "${M[a.$load.sum]}" %.3f)")" \
		"$(num "$(div "${M[b.$load.p50]}" "${M[a.$load.p50]}" %.3f)")" \
		"$(num "$(div "${M[b.$load.p90]}" "${M[a.$load.p90]}" %.3f)")" ""
done
echo
echo "bytes/frame: what displayd copied from lumen's buffers into the output, per frame it"
echo "  presented (lumen-displayctl list, over the window), and as % of a full"
echo "  ${OUTPUT_W}x${OUTPUT_H}x4 frame ($FRAME_BYTES bytes)."
echo
echo "details (CPU from schedstat, ns; in brackets /proc/PID/stat, 1/$clk_tck s ticks, a cross-check):"
for load in "${loads[@]}"; do
	for s in a b; do
		k="$s.$load"
		printf '%s %-8s window %5.2f s, %4d presented, lumen CPU %8.2f ms [%4.0f ms]' \
			"$(tr ab AB <<<"$s")" "$load:" "${R[$k.window_s]}" "${R[$k.presented]}" \
			"${R[$k.lumen_ms]}" "${R[$k.lumen_tick_ms]}"
		if [ "$s" = b ]; then
			printf ', displayd CPU %7.2f ms [%4.0f ms], displayd: %d presented %d discarded, %d bytes copied' \
				"${R[$k.ds_ms]}" "${R[$k.ds_tick_ms]}" "${R[$k.ds_presented]}" \
				"${R[$k.ds_discarded]}" "${R[$k.ds_bytes]}"
		fi
		printf '; client lifetime: %s frames, %s presented, %s discarded\n' \
			"$(num "${R[$k.client_frames]}")" "$(num "${R[$k.client_presented]}")" \
			"$(num "${R[$k.client_discarded]}")"
	done
done
