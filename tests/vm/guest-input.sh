#!/bin/sh
# /test.sh in the guest of input-vm.sh (busybox sh; virtio-gpu, virtio-input and evdev
# are loaded). lumen-displayd --kms, lumen-inputd on the virtio keyboard and tablet
# through libinput, lumen on both, and lumen-test-keylog's window; the host types and
# clicks through QMP input-send-event and reads keylog's output from this console.
export XDG_RUNTIME_DIR=/run/user/0 HOME=/root
mkdir -p "$XDG_RUNTIME_DIR" "$HOME"
chmod 700 "$XDG_RUNTIME_DIR"

wait_for() { # file text: up to 20 s
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null && [ $i -lt 200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

events() { # how many evdev nodes the kernel has made
	set -- /sys/class/input/event*
	[ -e "$1" ] && echo $# || echo 0
}
i=0
while { [ ! -e /dev/dri/card0 ] || [ "$(events)" -lt 2 ]; } && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
find /dev/dri -mindepth 1 -maxdepth 1 -exec basename {} \; | sort | sed 's/^/VM guest: dri /'

# No udevd here: libinput's udev backend takes a device only once udev has initialized
# it (its database file exists) and only with the ID_INPUT* properties udev's input_id
# builtin would set. Write what input_id writes for these two devices.
for ev in /sys/class/input/event*; do
	name=$(cat "$ev/device/name")
	dev=$(cat "$ev/dev")
	minor=${dev#*:}
	[ -e "/dev/input/${ev##*/}" ] || { mkdir -p /dev/input; mknod "/dev/input/${ev##*/}" c 13 "$minor"; }
	case "$name" in
	*Keyboard*) props="E:ID_INPUT=1
E:ID_INPUT_KEY=1
E:ID_INPUT_KEYBOARD=1" ;;
	*Tablet*) props="E:ID_INPUT=1
E:ID_INPUT_MOUSE=1" ;;
	*) props="" ;;
	esac
	[ -n "$props" ] || continue
	mkdir -p /run/udev/data
	printf '%s\n' "$props" >"/run/udev/data/c13:$minor"
	echo "VM input: device ${ev##*/} $name"
done

lumen-displayd --kms >/tmp/displayd.log 2>&1 &
dpid=$!
wait_for /tmp/displayd.log listening
lumen-inputd >/tmp/inputd.log 2>&1 &
ipid=$!
i=0
while [ ! -S "$XDG_RUNTIME_DIR/lumen-input-0" ] && [ $i -lt 200 ]; do
	sleep 0.1
	i=$((i + 1))
done
LUMEN_DISPLAY=lumen-display-0 LUMEN_INPUT=lumen-input-0 WLR_RENDERER=pixman \
	lumen --no-xwayland --no-autostart -S wayland-1 -c /dev/null >/tmp/lumen.log 2>&1 &
lpid=$!
wait_for /tmp/lumen.log 'running on WAYLAND_DISPLAY'
WAYLAND_DISPLAY=wayland-1 lumen-test-keylog --title vm --color 00c0ff --size 600x400 \
	>/tmp/keylog.out 2>&1 &
kpid=$!
wait_for /tmp/keylog.out 'focus in'

# The window is centred on the 1280x800 output: click in it, then type.
echo "@@click 16384 16384"
read -r reply && [ "$reply" = ok ] || echo "VM input: FAIL click: $reply"
wait_for /tmp/keylog.out '^button .* released'
echo "@@keys lumen"
read -r reply && [ "$reply" = ok ] || echo "VM input: FAIL keys: $reply"
wait_for /tmp/keylog.out '^text: lumen$'
echo "@@screendump input-window"
read -r reply && [ "$reply" = ok ] || echo "VM input: FAIL screendump: $reply"

kill $kpid
wait $kpid
kill -TERM $lpid
wait $lpid
echo "VM input: lumen exit $?"
kill -TERM $ipid
wait $ipid
echo "VM input: inputd exit $?"
kill -TERM $dpid
wait $dpid
echo "VM input: displayd exit $?"
sed "s/^/KEYLOG: /" /tmp/keylog.out
sed "s/^/INPUTD: /" /tmp/inputd.log
sed "s/^/LUMEN: /" /tmp/lumen.log
sed "s/^/DISPLAYD: /" /tmp/displayd.log
