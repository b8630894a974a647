#!/usr/bin/env bash
#
# Runs the same synthetic load on lumen and on sway 1.7, both on wlroots' headless
# backend with the pixman renderer and one 1920x1080@60Hz output, and prints for each
# the compositor's CPU time per frame, the frames per second its clients got, and its
# RSS after idling; then lumen/sway ratios. What each number means: bench/README.md.
#
# Only processes this script started are ended, by pid; its temporary directory goes
# with them (unless -k).

set -uo pipefail
export LC_ALL=C # EPOCHREALTIME and printf want '.' as the decimal point

readonly OUTPUT_W=1920 OUTPUT_H=1080 OUTPUT_HZ=60
readonly IDLE_S=5
readonly CASCADE=32 # lumen's step between new floating windows (view.c, place_new)
readonly START_TIMEOUT_S=20
readonly MAP_TIMEOUT_S=10
readonly STOP_GRACE_S=5
readonly BENCH_USER=lumenbench
readonly LUMEN_SOCKET=bench-lumen
readonly PROG=run-compositor-bench

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(dirname -- "$script_dir")
builddir="$repo_root/build"
nclients=4
duration=10
client_size=800x600
anim=""
keep=0

usage() {
	cat <<EOF
usage: $PROG [options]

Runs lumen and sway 1.7 headless (pixman, ${OUTPUT_W}x${OUTPUT_H}@${OUTPUT_HZ}Hz) under
the same loads and compares them:
  idle      no clients for ${IDLE_S} s: CPU, and RSS at the end
  full      N lumen-test-anim clients redrawing their whole surface every frame
  partial   the same clients, damaging only a moving 64x64 square

  -b BUILDDIR   meson build directory holding lumen (default: <repo>/build)
  -n N          clients per load (default $nclients)
  -d SECONDS    measured time per load (default $duration)
  -s WxH        client window size (default $client_size)
  -a PATH       lumen-test-anim (default: BUILDDIR/tests/clients/lumen-test-anim)
  -k            keep the temporary directory (logs, client output, configs)
  -h            this text

As root, sway (which refuses root) and its clients run as the user '$BENCH_USER',
created if missing; lumen and its clients run as root. Otherwise everything runs as
the calling user. Exits non-zero if either compositor fails to start or dies, or a
client fails to draw.
EOF
}

die() {
	echo "$PROG: $*" >&2
	exit 1
}

is_uint() {
	[[ $1 =~ ^[0-9]+$ ]]
}

while getopts ":b:n:d:s:a:kh" opt; do
	case $opt in
	b) builddir=$OPTARG ;;
	n) nclients=$OPTARG ;;
	d) duration=$OPTARG ;;
	s) client_size=$OPTARG ;;
	a) anim=$OPTARG ;;
	k) keep=1 ;;
	h) usage; exit 0 ;;
	:) usage >&2; die "-$OPTARG needs a value" ;;
	*) usage >&2; die "unknown option -$OPTARG" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { usage >&2; die "unexpected argument '$1'"; }

is_uint "$nclients" && [ "$nclients" -ge 1 ] && [ "$nclients" -le 32 ] ||
	die "-n wants a client count from 1 to 32, not '$nclients'"
is_uint "$duration" && [ "$duration" -ge 1 ] && [ "$duration" -le 3600 ] ||
	die "-d wants whole seconds from 1 to 3600, not '$duration'"
[[ $client_size =~ ^([0-9]+)x([0-9]+)$ ]] || die "-s wants WxH, not '$client_size'"
client_w=$((10#${BASH_REMATCH[1]}))
client_h=$((10#${BASH_REMATCH[2]}))
[ "$client_w" -ge 64 ] && [ "$client_h" -ge 64 ] &&
	[ "$client_w" -le "$OUTPUT_W" ] && [ "$client_h" -le "$OUTPUT_H" ] ||
	die "-s: $client_size does not fit between 64x64 and ${OUTPUT_W}x${OUTPUT_H}"

abs=$(cd -- "$builddir" 2>/dev/null && pwd) || die "no build directory '$builddir'"
builddir=$abs
lumen="$builddir/compositor/lumen"
[ -n "$anim" ] || anim="$builddir/tests/clients/lumen-test-anim"
[ -x "$lumen" ] || die "$lumen is missing: build it first (ninja -C '$builddir')"
[ -x "$anim" ] || die "$anim is missing: build it first (ninja -C '$builddir')"
command -v sway >/dev/null || die "sway is not installed"
command -v swaymsg >/dev/null || die "swaymsg is not installed"
[ -n "${EPOCHREALTIME:-}" ] || die "needs bash 5 (EPOCHREALTIME)"
sway_version=$(sway --version 2>/dev/null | head -n 1)
case $sway_version in
*" 1.7"*) ;;
*) echo "$PROG: warning: expected sway 1.7, found '$sway_version'" >&2 ;;
esac
clk_tck=$(getconf CLK_TCK) || die "getconf CLK_TCK failed"

# sway refuses to run as root: as root, run it (and its clients) as an unprivileged user.
# setpriv execs, so the pid we get is sway's own (runuser would fork and wait).
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
	# Newest first: clients before their compositor.
	for ((i = ${#started[@]} - 1; i >= 0; i--)); do
		kill -TERM "${started[i]}" 2>/dev/null
	done
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

work=$(mktemp -d /tmp/lumen-bench.XXXXXX) || die "mktemp failed"
chmod 755 "$work"
# A copy the bench user can surely execute, whatever the build directory's permissions.
cp -- "$anim" "$work/lumen-test-anim" && chmod 755 "$work/lumen-test-anim" ||
	die "cannot copy $anim"

# ---------------------------------------------------------------------------------------
# Measuring.

cpu_ticks() { # PID: utime + stime, all threads, in clock ticks
	local s f
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) } # the name may hold spaces and parentheses; what follows it does not
	read -r -a f <<<"$s"
	echo $((f[11] + f[12])) # fields 14 and 15; f[0] is field 3
}

# Nanosecond run time summed over the live threads (schedstat's first field): a finer
# cross-check of cpu_ticks, whose 10 ms ticks are coarse for an idle or cheap compositor.
cpu_ns() {
	local t sum=0 v
	for t in /proc/"$1"/task/*/schedstat; do
		read -r v _ <"$t" 2>/dev/null && sum=$((sum + v))
	done
	echo "$sum"
}

rss_kib() {
	awk '/^VmRSS:/ { print $2; found = 1 } END { exit !found }' "/proc/$1/status" 2>/dev/null
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

# What start_<compositor> sets for the rest.
comp=""          # lumen | sway
comp_pid=""
comp_rt=""       # its XDG_RUNTIME_DIR
comp_display=""  # WAYLAND_DISPLAY
comp_home=""
comp_log=""
client_prefix=() # runs a command as the compositor's user

wayland_socket_in() { # DIR: prints the first wayland-N socket there
	local s
	for s in "$1"/wayland-*; do
		[ -S "$s" ] && { basename -- "$s"; return 0; }
	done
	return 1
}

start_lumen() {
	comp=lumen
	comp_rt="$work/lumen-run"
	comp_home="$work/lumen-home"
	comp_log="$work/lumen.log"
	client_prefix=()
	mkdir -m 700 "$comp_rt" "$comp_home"
	# No decorations, to match sway's 'default_floating_border none': both compositors
	# then composite exactly the clients' buffers.
	printf '[decorations]\nmode = client\n' >"$work/lumen.ini"
	env -i PATH="$PATH" HOME="$comp_home" XDG_RUNTIME_DIR="$comp_rt" \
		WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1 \
		"$lumen" --no-xwayland --no-autostart -S "$LUMEN_SOCKET" \
		-o "${OUTPUT_W}x${OUTPUT_H}" -c "$work/lumen.ini" >"$comp_log" 2>&1 &
	comp_pid=$!
	started+=("$comp_pid")
	if ! wait_until "$START_TIMEOUT_S" "$comp_pid" test -S "$comp_rt/$LUMEN_SOCKET"; then
		echo "$PROG: lumen did not start; its log ends:" >&2
		log_tail "$comp_log"
		exit 1
	fi
	comp_display=$LUMEN_SOCKET
}

write_sway_config() {
	local i x0 y0
	x0=$(((OUTPUT_W - client_w) / 2))
	y0=$(((OUTPUT_H - client_h) / 2))
	{
		echo "# Written by $PROG: one output, no bar, no Xwayland, no swaynag."
		echo "xwayland disable"
		echo "swaynag_command -"
		echo "output HEADLESS-1 mode ${OUTPUT_W}x${OUTPUT_H}@${OUTPUT_HZ}Hz position 0 0"
		echo "default_border none"
		echo "default_floating_border none"
		echo "focus_follows_mouse no"
		# Float the clients where lumen places them: centred, each new one 32 px
		# right and down of the last, the newest on top.
		echo "for_window [app_id=\"^lumen-test-anim\$\"] floating enable"
		for ((i = 0; i < nclients; i++)); do
			echo "for_window [title=\"^bench-anim-$i\$\"] move absolute position" \
				"$((x0 + CASCADE * i)) $((y0 + CASCADE * i))"
		done
	} >"$work/sway.conf"
}

start_sway() {
	comp=sway
	comp_rt="$work/sway-run"
	comp_home="$work/sway-home"
	comp_log="$work/sway.log"
	client_prefix=("${sway_prefix[@]}")
	mkdir -m 700 "$comp_rt" "$comp_home"
	if [ ${#sway_prefix[@]} -gt 0 ]; then
		chown "$bench_uid:$bench_gid" "$comp_rt" "$comp_home"
	fi
	write_sway_config
	"${sway_prefix[@]}" env -i PATH="$PATH" HOME="$comp_home" XDG_RUNTIME_DIR="$comp_rt" \
		WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1 \
		WLR_HEADLESS_OUTPUTS=1 \
		sway -c "$work/sway.conf" >"$comp_log" 2>&1 &
	comp_pid=$!
	started+=("$comp_pid")
	local ipc=""
	if wait_until "$START_TIMEOUT_S" "$comp_pid" wayland_socket_in "$comp_rt" >/dev/null; then
		comp_display=$(wayland_socket_in "$comp_rt")
		# The IPC socket is named after sway's pid: finding it confirms the pid too.
		local uid
		uid=$(id -u)
		[ ${#sway_prefix[@]} -eq 0 ] || uid=$bench_uid
		ipc="$comp_rt/sway-ipc.$uid.$comp_pid.sock"
		wait_until "$START_TIMEOUT_S" "$comp_pid" test -S "$ipc" || ipc=""
	fi
	if [ -z "$ipc" ]; then
		echo "$PROG: sway did not start; its log ends:" >&2
		log_tail "$comp_log"
		exit 1
	fi
	# Check the output took the mode we asked for, so the two runs draw the same area.
	local outputs
	outputs=$("${sway_prefix[@]}" env -i PATH="$PATH" swaymsg -s "$ipc" -t get_outputs -r 2>&1)
	if ! grep -q "\"width\": $OUTPUT_W," <<<"$outputs" ||
			! grep -q "\"height\": $OUTPUT_H," <<<"$outputs"; then
		echo "$PROG: sway's output is not ${OUTPUT_W}x${OUTPUT_H}:" >&2
		echo "$outputs" | head -n 40 | sed 's/^/    /' >&2
		exit 1
	fi
}

check_compositor() {
	if ! alive "$comp_pid"; then
		echo "$PROG: $comp died during the run; its log ends:" >&2
		log_tail "$comp_log"
		exit 1
	fi
}

stop_compositor() {
	if ! stop "$comp_pid"; then
		echo "$PROG: warning: $comp needed SIGKILL to exit" >&2
	fi
}

# Results, keyed "<compositor>.<metric>" (and "<compositor>.<load>.<metric>").
declare -A R=()

measure_idle() {
	# Let start-up work (first frame, config) finish before the window opens.
	nap 1
	check_compositor
	local c0 c1 n0 n1 t0 t1
	t0=$EPOCHREALTIME
	c0=$(cpu_ticks "$comp_pid")
	n0=$(cpu_ns "$comp_pid")
	nap "$IDLE_S"
	c1=$(cpu_ticks "$comp_pid")
	n1=$(cpu_ns "$comp_pid")
	t1=$EPOCHREALTIME
	check_compositor
	R[$comp.idle.cpu_ms]=$(awk -v d=$((c1 - c0)) -v hz="$clk_tck" 'BEGIN { print d * 1000 / hz }')
	R[$comp.idle.sched_ms]=$(awk -v d=$((n1 - n0)) 'BEGIN { print d / 1e6 }')
	R[$comp.idle.window_s]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
	R[$comp.idle.rss_kib]=$(rss_kib "$comp_pid")
}

client_field() { # FILE KEY: the value of a "KEY value" line the client printed, or nothing
	awk -v k="$2" '$1 == k { v = $2 } END { if (v != "") print v }' "$1"
}

measure_load() { # LOAD (full|partial)
	local load=$1 i pid out
	local pids=()
	# One at a time, each waiting until it draws, so the stacking order is the same.
	for ((i = 0; i < nclients; i++)); do
		out="$work/$comp-$load-$i"
		"${client_prefix[@]}" env -i PATH="$PATH" HOME="$comp_home" \
			XDG_RUNTIME_DIR="$comp_rt" WAYLAND_DISPLAY="$comp_display" \
			"$work/lumen-test-anim" --size "$client_size" --damage "$load" --frames 0 \
			--title "bench-anim-$i" >"$out.out" 2>"$out.err" &
		pid=$!
		started+=("$pid")
		pids+=("$pid")
		if ! wait_until "$MAP_TIMEOUT_S" "$pid" grep -qs '^size ' "$out.out"; then
			check_compositor
			echo "$PROG: client $i ($load) did not draw under $comp; it said:" >&2
			log_tail "$out.err"
			exit 1
		fi
	done
	check_compositor

	local c0 c1 n0 n1 t0 t1 rss
	t0=$EPOCHREALTIME
	c0=$(cpu_ticks "$comp_pid")
	n0=$(cpu_ns "$comp_pid")
	nap "$duration"
	c1=$(cpu_ticks "$comp_pid")
	n1=$(cpu_ns "$comp_pid")
	t1=$EPOCHREALTIME
	rss=$(rss_kib "$comp_pid")
	check_compositor

	# lumen-test-anim prints its counts when SIGTERM ends it.
	for pid in "${pids[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	local frames=0 presented=0 fps=0 pps=0 have_pres=1 f p e
	for ((i = 0; i < nclients; i++)); do
		out="$work/$comp-$load-$i"
		if ! stop "${pids[i]}"; then
			die "client $i ($load, $comp) ignored SIGTERM for ${STOP_GRACE_S} s"
		fi
		f=$(client_field "$out.out" frames)
		e=$(client_field "$out.out" elapsed_ms)
		p=$(client_field "$out.out" presented)
		if [ -z "$f" ] || [ -z "$e" ]; then
			echo "$PROG: client $i ($load, $comp) printed no counts; it said:" >&2
			log_tail "$out.out"
			log_tail "$out.err"
			exit 1
		fi
		[ -n "$p" ] || { have_pres=0; p=0; }
		frames=$((frames + f))
		presented=$((presented + p))
		# Each client's own rate (frames over its first commit .. last frame callback),
		# summed: unbiased by the start-up of the others and by our window's edges.
		fps=$(awk -v s="$fps" -v f="$f" -v e="$e" 'BEGIN { print s + (e > 0 ? f * 1000 / e : 0) }')
		pps=$(awk -v s="$pps" -v p="$p" -v e="$e" 'BEGIN { print s + (e > 0 ? p * 1000 / e : 0) }')
	done
	R[$comp.$load.cpu_ms]=$(awk -v d=$((c1 - c0)) -v hz="$clk_tck" 'BEGIN { print d * 1000 / hz }')
	R[$comp.$load.sched_ms]=$(awk -v d=$((n1 - n0)) 'BEGIN { print d / 1e6 }')
	R[$comp.$load.window_s]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
	R[$comp.$load.rss_kib]=$rss
	R[$comp.$load.frames]=$frames
	R[$comp.$load.fps]=$fps
	R[$comp.$load.presented]=$presented
	R[$comp.$load.pps]=$([ "$have_pres" -eq 1 ] && echo "$pps" || echo "")
	# Teardown of the windows must not land in the next window.
	nap 1
	check_compositor
}

run_compositor() { # lumen | sway
	echo "== $1: starting" >&2
	"start_$1"
	echo "== $1: idle ${IDLE_S} s" >&2
	measure_idle
	for load in full partial; do
		echo "== $1: $load damage, $nclients clients, ${duration} s" >&2
		measure_load "$load"
	done
	stop_compositor
}

run_compositor lumen
run_compositor sway

# ---------------------------------------------------------------------------------------
# Report.

num() { # VALUE: '-' for an empty one
	if [ -z "$1" ]; then printf '%s' -; else printf '%s' "$1"; fi
}

row() {
	printf '%-8s %-6s %13s %9s %12s %7s %8s\n' "$@"
}

metrics() { # COMPOSITOR LOAD: prints cpu_ms/frame fps pps cpu% rss_MiB, '' for none
	local c=$1 l=$2
	awk -v cpu="${R[$c.$l.cpu_ms]}" -v win="${R[$c.$l.window_s]}" \
		-v fps="${R[$c.$l.fps]:-}" -v pps="${R[$c.$l.pps]:-}" -v rss="${R[$c.$l.rss_kib]:-}" \
		-v idle="$([ "$l" = idle ] && echo 1 || echo 0)" 'BEGIN {
		# CPU per frame: CPU in the window over the frames the clients got in it.
		per_frame = ""
		if (!idle && fps > 0 && win > 0) per_frame = sprintf("%.4f", cpu / (fps * win))
		# Parenthesised: a bare ">" in printf arguments would be a redirection.
		printf "%s|%s|%s|%.2f|%s\n", per_frame,
			(idle ? "" : sprintf("%.1f", fps)),
			((idle || pps == "") ? "" : sprintf("%.1f", pps)),
			((win > 0) ? cpu / win / 10 : 0),
			((rss == "") ? "" : sprintf("%.1f", rss / 1024))
	}'
}

ratio() { # A B: A/B, '' when either is missing or B is 0
	awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b != "" && b + 0 != 0) printf "%.3f", a / b }'
}

x0=$(((OUTPUT_W - client_w) / 2))
y0=$(((OUTPUT_H - client_h) / 2))
echo
echo "lumen vs $sway_version: wlroots headless backend, WLR_RENDERER=pixman, one ${OUTPUT_W}x${OUTPUT_H}@${OUTPUT_HZ}Hz output"
echo "clients: $nclients x lumen-test-anim ${client_w}x${client_h}, floating and undecorated in both,"
echo "  placed like lumen places them (centred at $x0,$y0, then +$CASCADE,+$CASCADE each, newest on top)"
echo "idle: ${IDLE_S} s, no clients; loads: ${duration} s each; lumen: $lumen"
echo
row load comp cpu_ms/frame frames/s presented/s cpu_% rss_MiB
declare -A M=()
for load in idle full partial; do
	for c in lumen sway; do
		IFS='|' read -r pf fps pps pct rss <<<"$(metrics "$c" "$load")"
		M[$c.$load.pf]=$pf M[$c.$load.fps]=$fps M[$c.$load.pps]=$pps
		M[$c.$load.pct]=$pct M[$c.$load.rss]=$rss
		row "$load" "$c" "$(num "$pf")" "$(num "$fps")" "$(num "$pps")" "$pct" "$(num "$rss")"
	done
done
echo
echo "ratio lumen/sway (below 1: lumen uses less CPU or memory; frames/s above 1: lumen delivers more)"
row load "" cpu_ms/frame frames/s presented/s cpu_% rss_MiB
for load in idle full partial; do
	row "$load" "" \
		"$(num "$(ratio "${M[lumen.$load.pf]}" "${M[sway.$load.pf]}")")" \
		"$(num "$(ratio "${M[lumen.$load.fps]}" "${M[sway.$load.fps]}")")" \
		"$(num "$(ratio "${M[lumen.$load.pps]}" "${M[sway.$load.pps]}")")" \
		"$(num "$(ratio "${M[lumen.$load.pct]}" "${M[sway.$load.pct]}")")" \
		"$(num "$(ratio "${M[lumen.$load.rss]}" "${M[sway.$load.rss]}")")"
done
echo
echo "frames/s: frame callbacks (done events) the clients received per second, summed over clients."
echo "presented/s: wp_presentation 'presented' feedbacks per second, summed; sway 1.7 on the"
echo "  headless backend sends none (wlroots 0.15 reports present inside commit), so no ratio."
echo "cpu_ms/frame: compositor utime+stime over the window / frames/s x window. rss_MiB: VmRSS"
echo "  at the end of the window (idle row: after ${IDLE_S} s with no clients)."
echo
echo "details (CPU: /proc/PID/stat, 1/$clk_tck s ticks; in brackets schedstat, ns, a cross-check):"
for c in lumen sway; do
	printf '%-5s idle:    window %5.2f s, CPU %5.0f ms [%8.2f ms]\n' "$c" \
		"${R[$c.idle.window_s]}" "${R[$c.idle.cpu_ms]}" "${R[$c.idle.sched_ms]}"
	for load in full partial; do
		printf '%-5s %-8s window %5.2f s, CPU %5.0f ms [%8.2f ms], %d frames and %d presented counted over the clients%s lives\n' \
			"$c" "$load:" "${R[$c.$load.window_s]}" "${R[$c.$load.cpu_ms]}" \
			"${R[$c.$load.sched_ms]}" "${R[$c.$load.frames]}" "${R[$c.$load.presented]}" "'"
	done
done
