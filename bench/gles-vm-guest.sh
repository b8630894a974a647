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
# BENCH_MODE=2d (virtio-gpu-pci, Mesa's kms_swrast): displayd offers lumen no render
# node there, so lumen's gles2 run names /dev/dri/renderD128 itself
# (WLR_RENDER_DRM_DEVICE) and "BENCH gles2 UNAVAILABLE why" reports what wlroots said.
# Before that, lumen on wlroots' headless backend with GLES2 on renderD128: EGL starts
# (kms_swrast) but every buffer allocation fails, which "BENCH headless-gles2
# UNAVAILABLE why" says (or STARTED, were it to draw). Then, with
# displayd gone, gles-composite-bench draws its scene with GLES2 on GBM on card0
# (kms_swrast: llvmpipe into a dumb buffer) and with pixman, its lines prefixed
# "COMPOSITE ". Each run also prints wall_cs= (the guest's /proc/uptime, centiseconds).
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
mode=${BENCH_MODE:-virgl}

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

uptime_cs() { # the guest's clock in centiseconds
	read -r up _ </proc/uptime
	echo "${up%.*}${up#*.}"
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

if [ "$mode" = 2d ]; then
	# wlroots 0.15's GLES2 renderer takes a render node only. On displayd (below) lumen
	# gets none; on wlroots' own headless backend, which takes dmabufs, it can be given
	# the 2D card's, and EGL starts there (kms_swrast): does it draw? One client, a few
	# seconds; each frame's buffer allocation is counted from lumen's log.
	mkdir -p /run/user/headless
	chmod 700 /run/user/headless
	XDG_RUNTIME_DIR=/run/user/headless WLR_BACKENDS=headless WLR_RENDERER=gles2 \
		WLR_RENDER_DRM_DEVICE=/dev/dri/renderD128 WLR_LIBINPUT_NO_DEVICES=1 \
		lumen --no-xwayland --no-autostart -S wayland-9 -c /tmp/bench.ini \
		>/tmp/lumen-headless.log 2>&1 &
	hpid=$!
	if wait_for /tmp/lumen-headless.log 'running on WAYLAND_DISPLAY' 90; then
		XDG_RUNTIME_DIR=/run/user/headless WAYLAND_DISPLAY=wayland-9 lumen-test-anim \
			--damage full --size 640x480 --title anim >/tmp/hanim.out 2>&1 &
		apid=$!
		wait_for /tmp/hanim.out '^size ' 60
		sleep 5
		kill -TERM $apid
		wait $apid
		failed=$(grep -c 'Failed to allocate buffer' /tmp/lumen-headless.log)
		if [ "$failed" -gt 0 ]; then
			echo "BENCH headless-gles2 UNAVAILABLE EGL started ($(sed -n \
				's/.*GL renderer: //p' /tmp/lumen-headless.log | head -n 1)) but" \
				"$failed buffer allocations failed: $(grep ERROR /tmp/lumen-headless.log | tail -n 2 |
				sed 's/.*\] //' | tr '\n' '|')"
		else
			echo "BENCH headless-gles2 STARTED and drew $(sed -n 's/^frames //p' /tmp/hanim.out)" \
				"frames"
		fi
	else
		echo "BENCH headless-gles2 UNAVAILABLE $(grep -E 'ERROR|WARN' \
			/tmp/lumen-headless.log | tail -n 4 | tr '\n' '|')"
	fi
	kill -TERM $hpid 2>/dev/null
	wait $hpid
fi

for renderer in ${BENCH_RENDERERS:-gles2 pixman}; do
	node=
	[ "$mode" = 2d ] && [ "$renderer" = gles2 ] && node=/dev/dri/renderD128
	LUMEN_DISPLAY=lumen-display-0 WLR_RENDERER=$renderer WLR_LIBINPUT_NO_DEVICES=1 \
		env ${node:+WLR_RENDER_DRM_DEVICE=$node} ${node:+LUMEN_LOG=debug} \
		lumen --no-xwayland --no-autostart -S wayland-1 -c /tmp/bench.ini \
		>"/tmp/lumen-$renderer.log" 2>&1 &
	lpid=$!
	if ! wait_for "/tmp/lumen-$renderer.log" 'running on WAYLAND_DISPLAY' 120; then
		if [ -n "$node" ]; then
			echo "BENCH $renderer UNAVAILABLE $(grep -E 'ERROR|WARN' \
				"/tmp/lumen-$renderer.log" | tail -n 4 | tr '\n' '|')"
		else
			echo "BENCH $renderer FAIL lumen did not start: $(tail -n 2 "/tmp/lumen-$renderer.log")"
		fi
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
	up0=$(uptime_cs)
	sleep "$seconds"
	up1=$(uptime_cs)
	mark "$renderer-end"
	lumen1=$(cpu_ns $lpid)
	displayd1=$(cpu_ns $dpid)
	# shellcheck disable=SC2046 # two words
	set -- $(stats)
	echo "BENCH $renderer frames=$((${2:-0} - presented0)) lumen_ns=$((lumen1 - lumen0))" \
		"displayd_ns=$((displayd1 - displayd0)) copied=$((${1:-0} - copied0))" \
		"wall_cs=$((up1 - up0))"

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

if [ "$mode" = 2d ]; then
	# displayd is gone: the benchmark opens card0 alone (DRM master, as a compositor)
	gles-composite-bench --device /dev/dri/card0 --windows "${BENCH_WINDOWS:-4,16}" \
		--frames "${BENCH_FRAMES:-10}" --warmup 2 >/tmp/composite.out 2>/tmp/composite.err
	status=$?
	sed 's/^/COMPOSITE /' /tmp/composite.out
	[ $status -eq 0 ] ||
		echo "BENCH composite FAIL status $status: $(tail -n 3 /tmp/composite.err | tr '\n' '|')"
fi
exit 0
