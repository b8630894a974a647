#!/bin/sh
# /test.sh in the guest of kms-vm.sh (busybox sh; the modules are loaded). Runs
# lumen-displayd on virtio-gpu and vm-client against it, once with atomic modesetting
# and once with legacy; the host reads the console and takes the screendumps.
export XDG_RUNTIME_DIR=/run/user/0
mkdir -p "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"

i=0
while [ ! -e /dev/dri/card0 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
find /dev/dri -mindepth 1 -maxdepth 1 -exec basename {} \; | sort | sed 's/^/VM guest: dri /'

# Text on the console's framebuffer: what displayd must leave alone until its first frame.
i=0
while [ $i -lt 30 ]; do
	echo "################ lumen-displayd VM test: the console before displayd ################"
	i=$((i + 1))
done >/dev/tty1

# After the client (the master) has gone: with restart 0 the screen keeps its last frame
# (screendump TAG-after); else displayd shows its "restarting" frame after that many
# seconds (seen through a capture, then screendump TAG-restart).
pass() { # tag legacy(0|1) card(path or "") restart(s) [vm-client args...]
	tag=$1
	legacy=$2
	card=$3
	restart=$4
	shift 4
	# shellcheck disable=SC2086
	LUMEN_KMS_LEGACY=$legacy lumen-displayd --kms $card --restart-frame-after "$restart" \
		>"/tmp/displayd-$tag.log" 2>&1 &
	pid=$!
	i=0
	while [ ! -S "$XDG_RUNTIME_DIR/lumen-display-0" ] && [ $i -lt 100 ]; do
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	vm-client --tag "$tag" "$@"
	echo "VM $tag: client exit $?"
	if [ "$restart" = 0 ]; then
		echo "@@screendump $tag-after"
		read -r reply && [ "$reply" = ok ] || echo "VM $tag: FAIL screendump: $reply"
	else
		vm-client --tag "$tag-restart" --wait-color 303846
		echo "@@screendump $tag-restart"
		read -r reply && [ "$reply" = ok ] || echo "VM $tag: FAIL screendump: $reply"
	fi
	kill -TERM $pid
	wait $pid
	echo "VM $tag: displayd exit $?"
	sed "s/^/DISPLAYD $tag: /" "/tmp/displayd-$tag.log"
}

wait_for() { # file text: up to 10 s
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

wait_count() { # file text n: up to 10 s for n lines with text
	i=0
	while [ "$(grep -c "$2" "$1" 2>/dev/null)" -lt "$3" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# Hotplug: the second virtio-gpu output forced on and off through sysfs, each time
# followed by a change event on the card (a synthetic uevent, as the sysfs write itself
# sends none); a watching client sees the output appear and go.
hotplug() {
	uuid=00000000-0000-0000-0000-000000000000
	lumen-displayd --kms >/tmp/displayd-hotplug.log 2>&1 &
	pid=$!
	wait_for /tmp/displayd-hotplug.log listening
	vm-client --tag hotplug --watch-hotplug >/tmp/hotplug.out 2>&1 &
	cpid=$!
	wait_for /tmp/hotplug.out ready
	echo on >/sys/class/drm/card0-Virtual-2/status
	echo "change $uuid HOTPLUG=1" >/sys/class/drm/card0/uevent
	wait_for /tmp/hotplug.out hotplugged
	echo off >/sys/class/drm/card0-Virtual-2/status
	echo "change $uuid HOTPLUG=1" >/sys/class/drm/card0/uevent
	wait $cpid
	status=$?
	cat /tmp/hotplug.out
	echo "VM hotplug: client exit $status"
	kill -TERM $pid
	wait $pid
	echo "VM hotplug: displayd exit $?"
	sed "s/^/DISPLAYD hotplug: /" /tmp/displayd-hotplug.log
}

# Through libseat (its embedded seatd, since the guest runs no seat daemon): a VT switch
# away gives the card back to the console, and the way back restores our picture.
seat() {
	LIBSEAT_BACKEND=builtin LUMEN_KMS_LEGACY=0 lumen-displayd --kms >/tmp/displayd-seat.log 2>&1 &
	pid=$!
	wait_for /tmp/displayd-seat.log listening
	vm-client --tag seat --no-dmabuf
	echo "VM seat: client exit $?"
	# The kernel's view of the primary plane says whose framebuffer is on screen.
	state=/sys/kernel/debug/dri/0/state
	chvt 2
	wait_for /tmp/displayd-seat.log 'disabled (VT switch)'
	wait_for $state 'allocated by = \[fbcon\]'
	grep -m 1 'allocated by' $state | sed 's/^[[:space:]]*/VM seat: away, primary plane /'
	echo "@@screendump seat-away"
	read -r reply && [ "$reply" = ok ] || echo "VM seat: FAIL screendump: $reply"
	chvt 1
	wait_count /tmp/displayd-seat.log 'seat seat0 enabled' 2
	wait_for $state 'allocated by = lumen-displayd'
	grep -m 1 'allocated by' $state | sed 's/^[[:space:]]*/VM seat: back, primary plane /'
	echo "@@screendump seat-back"
	read -r reply && [ "$reply" = ok ] || echo "VM seat: FAIL screendump: $reply"
	kill -TERM $pid
	wait $pid
	echo "VM seat: displayd exit $?"
	sed "s/^/DISPLAYD seat: /" /tmp/displayd-seat.log
}

# The whole stack: lumen (its lumen-display backend, pixman rendering) on displayd on
# virtio-gpu, and a client's window in the middle of the screen.
compositor() {
	export HOME=/root
	mkdir -p "$HOME"
	lumen-displayd --kms >/tmp/displayd-compositor.log 2>&1 &
	pid=$!
	wait_for /tmp/displayd-compositor.log listening
	LUMEN_DISPLAY=lumen-display-0 WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1 \
		lumen --no-xwayland --no-autostart -S wayland-1 -c /dev/null >/tmp/lumen.log 2>&1 &
	lpid=$!
	wait_for /tmp/lumen.log 'running on WAYLAND_DISPLAY'
	WAYLAND_DISPLAY=wayland-1 lumen-test-keylog --title vm --color 00c0ff --size 600x400 \
		>/tmp/keylog.out 2>&1 &
	kpid=$!
	vm-client --tag compositor --wait-color 00c0ff
	echo "@@screendump compositor-window"
	read -r reply && [ "$reply" = ok ] || echo "VM compositor: FAIL screendump: $reply"
	kill $kpid
	wait $kpid
	kill -TERM $lpid
	wait $lpid
	echo "VM compositor: lumen exit $?"
	kill -TERM $pid
	wait $pid
	echo "VM compositor: displayd exit $?"
	sed "s/^/LUMEN compositor: /" /tmp/lumen.log
	sed "s/^/DISPLAYD compositor: /" /tmp/displayd-compositor.log
}

pass atomic 0 "" 0
pass legacy 1 /dev/dri/card0 1 --no-dmabuf
hotplug
seat
compositor
dmesg | grep -iE 'drm|virtio|error|warn' | tail -n 20 | sed 's/^/KERNEL: /'
