#!/bin/sh
# /test.sh in the guest of input-devices-vm.sh (busybox sh; virtio-gpu, virtio-input,
# evdev and uinput are loaded). Real udevd (systemd-udevd with Debian's input_id rules)
# sets up the devices and sends libinput its hotplug events; seatd runs and lumen-inputd
# opens its devices through it (LIBSEAT_BACKEND=seatd); lumen-displayd --kms, lumen and
# lumen-test-keylog as in guest-input.sh. Then, with the host's QMP:
#   seat      keys typed on the virtio keyboard arrive (inputd's devices from seatd)
#   hotplug   a second virtio keyboard plugged in (device_add) reaches inputd and lumen,
#             typing on it arrives; a key held on it when it is unplugged (device_del)
#             is released; the first keyboard still types
#   touchpad  a uinput touchpad (lumen-vm-touchpad): tap only once tap is on, natural
#             scroll inverts two-finger scrolling, left-handed swaps the buttons, the
#             acceleration speed changes how far a stroke moves the pointer; settings set
#             with lumen-inputctl set through lumen-input-v1
#   tablet    a uinput drawing tablet's pen (lumen-vm-touchpad --tablet) through
#             libinput, inputd and lumen into a tablet-v2 client (lumen-test-tablet)
# Lines "VM dev: ..." are for the host; the logs follow at the end.
export XDG_RUNTIME_DIR=/run/user/0 HOME=/root
mkdir -p "$XDG_RUNTIME_DIR" "$HOME"
chmod 700 "$XDG_RUNTIME_DIR"

wait_for() { # file text [tenths]: up to 20 s by default
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null && [ $i -lt "${3:-200}" ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
wait_count() { # file text count
	i=0
	while [ "$(grep -c "$2" "$1" 2>/dev/null)" -lt "$3" ] && [ $i -lt 200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
req() { # a request to the host (vm-run.py), answered on our console
	echo "@@$*"
	read -r reply && [ "$reply" = ok ] || echo "VM dev: FAIL $*: $reply"
}
events() {
	ls /sys/class/input 2>/dev/null | grep '^event' | sort
}

i=0
while { [ ! -e /dev/dri/card0 ] || [ "$(events | wc -l)" -lt 2 ]; } && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done

# udevd: the input_id builtin writes the database libinput reads, and every uevent from
# here on reaches libinput through udevd's netlink group.
systemd-udevd --daemon >/tmp/udevd.log 2>&1
udevadm trigger --action=add --subsystem-match=input
udevadm settle --timeout=30
for ev in $(events); do
	dev=$(cat "/sys/class/input/$ev/dev")
	props=$(grep -o 'ID_INPUT_[A-Z]*=1' "/run/udev/data/c13:${dev#*:}" 2>/dev/null | tr '\n' ' ')
	echo "VM dev: udev $ev $(cat "/sys/class/input/$ev/device/name"): $props"
done

# displayd opens its card directly (started before seatd): seatd lets one session hold
# the seat, and that is inputd's here.
lumen-displayd --kms >/tmp/displayd.log 2>&1 &
dpid=$!
wait_for /tmp/displayd.log listening
seatd -l debug >/tmp/seatd.log 2>&1 &
spid=$!
i=0
while [ ! -S /run/seatd.sock ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
LIBSEAT_BACKEND=seatd lumen-inputd >/tmp/inputd.log 2>&1 &
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
	--motion >/tmp/keylog.out 2>&1 &
kpid=$!
wait_for /tmp/keylog.out 'focus in'
K=/tmp/keylog.out

# --- seat: the keyboard inputd opened through seatd ---
req click 16384 16384
wait_for $K '^button 272 released'
req keys abc
wait_for $K '^text: abc$'
echo "VM dev: seat done"

# --- hotplug: a second keyboard ---
before=$(events)
req device_add virtio-keyboard-pci kb2
new=""
i=0
while [ -z "$new" ] && [ $i -lt 200 ]; do
	for ev in $(events); do
		echo "$before" | grep -qx "$ev" || new=$ev
	done
	[ -n "$new" ] || sleep 0.1
	i=$((i + 1))
done
echo "VM dev: plugged ${new:-nothing} $(cat "/sys/class/input/$new/device/name" 2>/dev/null)"
wait_for /tmp/inputd.log "device input:libinput/$new:"
wait_for /tmp/lumen.log "input: input:libinput/$new "
# What the new keyboard's own node carries while the host types.
cat "/dev/input/$new" >/tmp/kb2.raw 2>/dev/null &
cpid=$!
sleep 0.2
req keys xyz
wait_for $K '^text: abcxyz$'
echo "VM dev: kb2 node bytes $(wc -c </tmp/kb2.raw)"
req keydown q
wait_for $K '^keysym: q$'
req device_del kb2
i=0
while [ -e "/sys/class/input/$new" ] && [ $i -lt 200 ]; do
	sleep 0.1
	i=$((i + 1))
done
echo "VM dev: unplugged $new $([ -e "/sys/class/input/$new" ] && echo still-there || echo gone)"
wait_for /tmp/inputd.log "device input:libinput/$new removed"
wait_for /tmp/lumen.log "input: input:libinput/$new .* went away"
wait_for $K '^key released: q$'
kill $cpid 2>/dev/null
wait $cpid 2>/dev/null
req keys ok
wait_for $K '^text: abcxyzqok$'
echo "VM dev: hotplug done"

# --- a second pointer: a virtio mouse plugged in, moved, unplugged ---
before=$(events)
req device_add virtio-mouse-pci mouse2
new=""
i=0
while [ -z "$new" ] && [ $i -lt 200 ]; do
	for ev in $(events); do
		echo "$before" | grep -qx "$ev" || new=$ev
	done
	[ -n "$new" ] || sleep 0.1
	i=$((i + 1))
done
echo "VM dev: mouse plugged ${new:-nothing} $(cat "/sys/class/input/$new/device/name" 2>/dev/null)"
wait_for /tmp/lumen.log "input: input:libinput/$new "
m0=$(grep -c '^pointer motion ' $K)
req move 40 0
req move 40 0
wait_count $K '^pointer motion ' $((m0 + 1))
echo "VM dev: mouse motions $(($(grep -c '^pointer motion ' $K) - m0))"
req device_del mouse2
i=0
while [ -e "/sys/class/input/$new" ] && [ $i -lt 200 ]; do
	sleep 0.1
	i=$((i + 1))
done
wait_for /tmp/lumen.log "input: input:libinput/$new .* went away"
echo "VM dev: mouse unplugged $new $([ -e "/sys/class/input/$new" ] && echo still-there || echo gone)"
req click 16384 16384

# --- touchpad: libinput's settings through lumen-input-v1 ---
mkfifo /tmp/tp.in
lumen-vm-touchpad </tmp/tp.in >/tmp/tp.out 2>&1 &
tpid=$!
exec 3>/tmp/tp.in
wait_for /tmp/tp.out '^touchpad '
tpnode=$(sed -n 's|^touchpad /dev/input/||p' /tmp/tp.out)
wait_for /tmp/inputd.log "Lumen Test Touchpad"
wait_for /tmp/lumen.log "input: input:libinput/$tpnode "
dev=$(cat "/sys/class/input/$tpnode/dev" 2>/dev/null)
echo "VM dev: touchpad $tpnode udev $(grep -o 'ID_INPUT_TOUCHPAD=1' "/run/udev/data/c13:${dev#*:}" 2>/dev/null)"
lumen-inputctl list | grep -A 8 "libinput/$tpnode" | sed 's/^/VM dev: list /'
TP=0
tp() { # a touchpad command, waited for
	TP=$((TP + 1))
	echo "$1" >&3
	wait_count /tmp/tp.out '^done ' $TP
}
presses() {
	grep -c "^button $1 pressed" $K
}
set_tp() {
	lumen-inputctl set "Lumen Test Touchpad" "$@" >/tmp/set.out 2>&1
	echo "VM dev: set $* -> $? $(grep settings: /tmp/set.out)"
}
last_motion() { # the pointer's last x in the window
	grep -E '^pointer (motion|enter) ' $K | tail -n 1 | cut -d' ' -f3
}
axis_sum() { # the sum of the vertical axis values from line $1 on
	tail -n +"$1" $K | sed -n 's/^axis vertical //p' |
		awk '{ s += $1 } END { printf "%d\n", s }'
}

# Tap is off by default on a touchpad: a tap then a button click make one press.
p0=$(presses 272)
tp tap
sleep 1
tp click
wait_count $K '^button 272 released' $((p0 + 1))
echo "VM dev: tap off: presses $(($(presses 272) - p0))"
set_tp tap on
p0=$(presses 272)
tp tap
wait_count $K '^button 272 released' $((p0 + 1))
echo "VM dev: tap on: presses $(($(presses 272) - p0))"

from=$(($(wc -l <$K) + 1))
tp "scroll 800"
sleep 1
echo "VM dev: scroll natural off: $(axis_sum $from)"
set_tp natural-scroll on
from=$(($(wc -l <$K) + 1))
tp "scroll 800"
sleep 1
echo "VM dev: scroll natural on: $(axis_sum $from)"

set_tp left-handed on
p0=$(presses 273)
tp click
wait_count $K '^button 273 released' $((p0 + 1))
echo "VM dev: left-handed click: right presses $(($(presses 273) - p0))"

set_tp accel-profile flat accel-speed -0.5
x0=$(last_motion)
tp "move 400 0"
sleep 0.5
x1=$(last_motion)
set_tp accel-speed 0.5
tp "move -400 0"
sleep 0.5
x2=$(last_motion)
echo "VM dev: accel slow $((x1 - x0)) fast $((x1 - x2))"
exec 3>&-
wait $tpid
echo "VM dev: touchpad tool exit $?"
echo "VM dev: touchpad done"
kill $kpid
wait $kpid

# --- tablet: a real pen, through libinput's tablet events ---
WAYLAND_DISPLAY=wayland-1 lumen-test-tablet --title pen --size 600x400 >/tmp/tablet.out 2>&1 &
tcpid=$!
wait_for /tmp/tablet.out mapped
mkfifo /tmp/tab.in
lumen-vm-touchpad --tablet </tmp/tab.in >/tmp/tab.out 2>&1 &
tabpid=$!
exec 4>/tmp/tab.in
wait_for /tmp/tab.out '^tablet '
tabnode=$(sed -n 's|^tablet /dev/input/||p' /tmp/tab.out)
dev=$(cat "/sys/class/input/$tabnode/dev" 2>/dev/null)
echo "VM dev: tablet $tabnode udev $(grep -o 'ID_INPUT_TABLET=1' "/run/udev/data/c13:${dev#*:}" 2>/dev/null)"
wait_for /tmp/lumen.log "input: input:libinput/$tabnode "
wait_for /tmp/tablet.out 'tablet done'
TAB=0
tab() {
	TAB=$((TAB + 1))
	echo "$1" >&4
	wait_count /tmp/tab.out '^done ' $TAB
	sleep 0.2
}
tab "pen-in 10000 6250"
tab "pen-move 11000 6250"
tab "pen-down 1024"
tab "pen-move 12000 6500"
tab "pen-up"
tab "pen-out"
wait_for /tmp/tablet.out 'tool proximity_out'
exec 4>&-
wait $tabpid
echo "VM dev: tablet tool exit $?"
kill $tcpid
wait $tcpid
echo "VM dev: tablet done"
kill -TERM $lpid
wait $lpid
echo "VM dev: lumen exit $?"
kill -TERM $ipid
wait $ipid
echo "VM dev: inputd exit $?"
kill -TERM $spid
wait $spid
kill -TERM $dpid
wait $dpid
echo "VM dev: displayd exit $?"
udevadm control --exit
sed "s/^/KEYLOG: /" $K
sed "s/^/TABLET: /" /tmp/tablet.out
sed "s/^/INPUTD: /" /tmp/inputd.log
sed "s/^/SEATD: /" /tmp/seatd.log
grep -E 'input|tablet|ERROR|WARN|Sanitizer|runtime error' /tmp/lumen.log | sed "s/^/LUMEN: /"
sed "s/^/DISPLAYD: /" /tmp/displayd.log | grep -E 'ERROR|WARN|Sanitizer|runtime error'
sed "s/^/UDEVD: /" /tmp/udevd.log | tail -n 20
