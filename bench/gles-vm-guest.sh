#!/bin/sh
# /test.sh in the guest of run-gles-vm-bench.sh (busybox sh; virtio-gpu's modules are
# loaded). lumen-displayd --kms on virtio-gpu-gl (virgl), then for each renderer in
# BENCH_RENDERERS: lumen on displayd with WLR_RENDERER set to it, BENCH_CLIENTS
# lumen-test-anim windows redrawn whole every frame, a settling pause, then
# BENCH_SECONDS measured between two marks that the host answers (it notes QEMU's CPU
# time and its clock at each). Prints for each renderer:
#   BENCH RENDERER frames=N lumen_ns=NS displayd_ns=NS copied=BYTES
# (presented frames, CPU time of lumen and of displayd in the guest, bytes displayd
# copied) and "BENCH RENDERER FAIL why" when a step does not work.
export XDG_RUNTIME_DIR=/run/user/0
mkdir -p "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
export HOME=/root
mkdir -p "$HOME"
export LD_LIBRARY_PATH="$MESA_DIR/lib"
export LIBGL_DRIVERS_PATH="$MESA_DIR/dri" GBM_DRIVERS_PATH="$MESA_DIR/dri"
export __EGL_VENDOR_LIBRARY_DIRS="$MESA_DIR/egl"
seconds=${BENCH_SECONDS:-10}
clients=${BENCH_CLIENTS:-2}

i=0
while [ ! -e /dev/dri/card0 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done

wait_for() { # file text seconds
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null && [ $i -lt $(($3 * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	grep -q "$2" "$1" 2>/dev/null
}

cpu_ns() { # pid: nanoseconds on a CPU, all live threads (schedstat's first field)
	sum=0
	for t in /proc/"$1"/task/*/schedstat; do
		read -r v _ <"$t" 2>/dev/null && sum=$((sum + v))
	done
	echo $sum
}

stats() { # "BYTES PRESENTED" of the first output, from lumen-displayctl list
	lumen-displayctl list 2>/dev/null |
		sed -n 's/^ *bytes copied: \([0-9]*\) *presented: \([0-9]*\).*/\1 \2/p' | head -n 1
}

mark() { # name: the host notes its clock and QEMU's CPU time, then answers
	echo "@@screendump mark-$1"
	read -r reply
	[ "$reply" = ok ] || echo "BENCH mark $1 failed: $reply"
}

printf '[decorations]\nmode = client\n' >/tmp/bench.ini
lumen-displayd --kms >/tmp/displayd.log 2>&1 &
dpid=$!
wait_for /tmp/displayd.log listening 60 || echo "BENCH displayd FAIL it did not start"

for renderer in ${BENCH_RENDERERS:-gles2 pixman}; do
	LUMEN_DISPLAY=lumen-display-0 WLR_RENDERER=$renderer WLR_LIBINPUT_NO_DEVICES=1 \
		lumen --no-xwayland --no-autostart -S wayland-1 -c /tmp/bench.ini \
		>"/tmp/lumen-$renderer.log" 2>&1 &
	lpid=$!
	if ! wait_for "/tmp/lumen-$renderer.log" 'running on WAYLAND_DISPLAY' 120; then
		echo "BENCH $renderer FAIL lumen did not start: $(tail -n 2 "/tmp/lumen-$renderer.log")"
		kill -TERM $lpid 2>/dev/null
		wait $lpid
		continue
	fi
	pids=""
	n=1
	while [ $n -le "$clients" ]; do
		WAYLAND_DISPLAY=wayland-1 lumen-test-anim --damage full --size 640x480 \
			--title "anim$n" >"/tmp/anim-$renderer-$n.out" 2>&1 &
		pids="$pids $!"
		n=$((n + 1))
	done
	for n in $(seq 1 "$clients"); do
		wait_for "/tmp/anim-$renderer-$n.out" '^size ' 60 ||
			echo "BENCH $renderer FAIL client $n did not draw"
	done
	sleep 3 # past the first frames' allocations and shader compiles

	# shellcheck disable=SC2046 # two words
	set -- $(stats)
	copied0=${1:-0} presented0=${2:-0}
	lumen0=$(cpu_ns $lpid)
	displayd0=$(cpu_ns $dpid)
	mark "$renderer-start"
	sleep "$seconds"
	mark "$renderer-end"
	lumen1=$(cpu_ns $lpid)
	displayd1=$(cpu_ns $dpid)
	# shellcheck disable=SC2046 # two words
	set -- $(stats)
	echo "BENCH $renderer frames=$((${2:-0} - presented0)) lumen_ns=$((lumen1 - lumen0))" \
		"displayd_ns=$((displayd1 - displayd0)) copied=$((${1:-0} - copied0))"

	for pid in $pids; do
		kill -TERM "$pid"
	done
	for pid in $pids; do
		wait "$pid"
	done
	kill -TERM $lpid
	wait $lpid
	grep -E 'renderer|Creating|ERROR|WARN' "/tmp/lumen-$renderer.log" | head -n 5 |
		sed "s/^/LUMEN $renderer: /"
done
kill -TERM $dpid
wait $dpid
exit 0
