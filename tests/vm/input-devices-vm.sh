#!/bin/bash
# Real input devices coming and going, a seat daemon, and a real touchpad's settings,
# in one boot of kms-vm.sh's kind of guest (Debian's kernel under QEMU TCG; the guest
# half is guest-input-devices.sh):
#   - systemd-udevd runs in the guest: libinput gets udev's hotplug events
#   - seatd runs, and lumen-inputd opens its devices through it (libseat's seatd
#     backend): inputd's log names the backend, seatd's debug log shows the opens
#   - QMP device_add of a second virtio keyboard: it reaches inputd and lumen, and the
#     keys the host types on it arrive in the client; device_del with a key held on it:
#     the key is released, the device leaves inputd and lumen, the first keyboard types
#   - a uinput multitouch touchpad (lumen-vm-touchpad): tap-to-click, natural scroll,
#     left-handed and the acceleration speed set with lumen-inputctl set (lumen-input-v1)
#     change what the client receives
#   - a uinput drawing tablet's pen (lumen-vm-touchpad --tablet): libinput's tablet
#     events through inputd and lumen's wlr_tablet reach a tablet-v2 client
#
# From meson (tests/vm/meson.build): DISPLAYD, INPUTD, INPUTCTL, LUMEN, TC_KEYLOG,
# TOUCHPAD, TC_TABLET, VM_DIR, VM_CACHE, TESTS_DIR. Skips only when QEMU, the kernel, udevd or
# seatd cannot be had.
. "$TESTS_DIR/lib.sh"

if ! command -v qemu-system-x86_64 >/dev/null; then
	echo "1..0 # SKIP qemu-system-x86_64 is not installed (qemu-system-x86)"
	exit 0
fi
if ! command -v busybox >/dev/null; then
	echo "1..0 # SKIP busybox is not installed (busybox-static)"
	exit 0
fi
udevadm=$(command -v udevadm || echo /bin/udevadm)
if [ ! -x "$udevadm" ] || [ ! -f /lib/udev/rules.d/60-input-id.rules ]; then
	echo "1..0 # SKIP no udevd here (package udev)"
	exit 0
fi
seatd=$(command -v seatd || echo /usr/sbin/seatd)
if [ ! -x "$seatd" ]; then
	echo "1..0 # SKIP no seatd here (package seatd)"
	exit 0
fi
# input-vm.sh's kernel cache, with the same module list (uinput for the touchpad).
kernel="$VM_CACHE/kernel-input"
sh "$VM_DIR/prepare-kernel.sh" "$kernel" virtio_pci virtio-gpu virtio_input evdev uinput \
	2>"$T_DIR/kernel.log"
status=$?
if [ $status -eq 77 ]; then
	echo "1..0 # SKIP no kernel: $(tail -n 1 "$T_DIR/kernel.log")"
	exit 0
fi
[ $status -eq 0 ] || bail "preparing the kernel failed: $(tail -n 3 "$T_DIR/kernel.log")"
diag "kernel $(cat "$kernel/version")"

GUEST_BINARIES="$DISPLAYD=lumen-displayd $INPUTD=lumen-inputd $INPUTCTL=lumen-inputctl \
	$LUMEN=lumen $TC_KEYLOG=lumen-test-keylog $TC_TABLET=lumen-test-tablet \
	$TOUCHPAD=lumen-vm-touchpad $seatd=seatd \
	$udevadm=udevadm $udevadm=systemd-udevd +/usr/share/X11/xkb \
	+/lib/udev/rules.d/50-udev-default.rules +/lib/udev/rules.d/60-input-id.rules"
[ -d /usr/share/libinput ] && GUEST_BINARIES="$GUEST_BINARIES +/usr/share/libinput"
lsan_supp=$(echo "${LSAN_OPTIONS:-}" | tr ':' '\n' | sed -n 's/^suppressions=//p')
[ -n "$lsan_supp" ] && [ -f "$lsan_supp" ] && GUEST_BINARIES="$GUEST_BINARIES +$lsan_supp"
# shellcheck disable=SC2086
sh "$VM_DIR/mkinitramfs.sh" "$T_DIR/initrd.cpio" "$kernel" "$VM_DIR/guest-input-devices.sh" \
	$GUEST_BINARIES 2>"$T_DIR/initramfs.log" ||
	bail "building the initramfs failed: $(tail -n 3 "$T_DIR/initramfs.log")"

guest_env=""
for var in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
	[ -n "${!var:-}" ] && guest_env="$guest_env $var=${!var}"
done
python3 "$VM_DIR/vm-run.py" --kernel "$kernel/vmlinuz" --initrd "$T_DIR/initrd.cpio" \
	--log "$T_DIR/serial.log" --outdir "$T_DIR" --timeout 280 --append "$guest_env" \
	--device virtio-keyboard-pci --device virtio-tablet-pci \
	2>"$T_DIR/vm-run.log"
ok $? "the guest ran to its end ($(tail -n 1 "$T_DIR/vm-run.log"))"
LOG="$T_DIR/console.log"
tr -d '\r' <"$T_DIR/serial.log" >"$LOG"
K="$T_DIR/keylog.out"
sed -n 's/^KEYLOG: //p' "$LOG" >"$K"
vm() { # the value of a "VM dev: KEY ..." line
	sed -n "s/^VM dev: $1 //p" "$LOG" | head -n 1
}

! grep -q '@@insmod .* failed' "$LOG" && ! grep -q '^VM dev: FAIL' "$LOG"
ok $? "modules load and QMP took every request ($(grep -E '^VM dev: FAIL|@@insmod' "$LOG" | head -n 1))"
grep -q '^VM dev: udev event[0-9]* QEMU Virtio Keyboard: .*ID_INPUT_KEYBOARD=1' "$LOG" &&
	grep -q '^VM dev: udev event[0-9]* QEMU Virtio Tablet: .*ID_INPUT_MOUSE=1' "$LOG"
ok $? "udevd's input_id classified the virtio keyboard and tablet"

# --- seat ---
grep -q "opening input devices through libseat's seatd backend" "$LOG"
ok $? "inputd says it opens devices through libseat's seatd backend"
opens=$(grep -c '^SEATD: .*Opening device /dev/input/event' "$LOG")
[ "$opens" -ge 2 ]
ok $? "seatd's own log shows it opening the input devices ($opens opens)"
grep -q '^KEYLOG: text: abc$' "$LOG"
ok $? "keys from the keyboard opened through seatd arrive ('abc')"

# --- hotplug ---
new=$(vm plugged | cut -d' ' -f1)
[ -n "$new" ] && [ "$new" != nothing ] && vm plugged | grep -q 'Keyboard'
ok $? "device_add: the guest's kernel made a node for the second keyboard ($(vm plugged))"
grep -q "^INPUTD: .*device input:libinput/$new: QEMU Virtio Keyboard" "$LOG"
ok $? "it reaches inputd through udev's hotplug event (input:libinput/$new)"
grep -q "^SEATD: .*Opening device /dev/input/$new for client" "$LOG"
ok $? "inputd opened it through seatd too"
grep -q "^LUMEN: .*input: input:libinput/$new 'QEMU Virtio Keyboard'" "$LOG"
ok $? "and lumen (a new keyboard from inputd)"
bytes=$(vm "kb2 node bytes")
grep -q '^KEYLOG: text: abcxyz$' "$LOG" && [ "${bytes:-0}" -gt 0 ]
ok $? "keys typed on the new keyboard arrive ('xyz'; $bytes bytes of events on its node)"
[ "$(vm unplugged)" = "$new gone" ]
ok $? "device_del: its node is gone ($(vm unplugged))"
grep -q "^INPUTD: .*device input:libinput/$new removed" "$LOG" &&
	grep -q "^LUMEN: .*input: input:libinput/$new .* went away" "$LOG"
ok $? "it leaves inputd and lumen"
grep -q '^KEYLOG: key released: q$' "$LOG"
ok $? "the key held on it when it went is released in the client (no stuck key)"
[ "$(grep -c '^keysym: q$' "$K")" -eq 1 ]
ok $? "and was pressed once (no repeat)"
grep -q '^KEYLOG: text: abcxyzqok$' "$LOG"
ok $? "the first keyboard still types ('ok')"

# --- a mouse ---
mouse=$(vm "mouse plugged" | cut -d' ' -f1)
vm "mouse plugged" | grep -q 'QEMU Virtio Mouse' &&
	grep -q "^INPUTD: .*device input:libinput/$mouse: QEMU Virtio Mouse (caps 0x2)" "$LOG" &&
	grep -q "^LUMEN: .*input: input:libinput/$mouse 'QEMU Virtio Mouse'" "$LOG"
ok $? "a virtio mouse plugged in reaches inputd and lumen ($(vm "mouse plugged"))"
motions=$(vm "mouse motions")
[ "${motions:-0}" -gt 0 ]
ok $? "moving it moves the pointer over the client ($motions motion events)"
[ "$(vm "mouse unplugged")" = "$mouse gone" ] &&
	grep -q "^INPUTD: .*device input:libinput/$mouse removed" "$LOG" &&
	grep -q "^LUMEN: .*input: input:libinput/$mouse .* went away" "$LOG"
ok $? "unplugged, it leaves the kernel, inputd and lumen"

# --- touchpad ---
[ -n "$(vm touchpad | grep 'udev ID_INPUT_TOUCHPAD=1')" ]
ok $? "the uinput touchpad is a touchpad to udev ($(vm touchpad))"
grep -q '^VM dev: list .*settings: tap off' "$LOG"
ok $? "lumen-inputctl list shows its libinput settings (tap off)"
[ "$(vm "tap off:")" = "presses 1" ]
ok $? "tap off: a tap and a click make one press (the click's) ($(vm "tap off:"))"
vm "set tap on ->" | grep -q '^0 .*tap on'
ok $? "lumen-inputctl set tap on ($(vm "set tap on ->"))"
[ "$(vm "tap on:")" = "presses 1" ]
ok $? "tap on: a tap is a click ($(vm "tap on:"))"
off=$(vm "scroll natural off:")
on=$(vm "scroll natural on:")
[ -n "$off" ] && [ -n "$on" ] && [ $((off * on)) -lt 0 ]
ok $? "natural scroll inverts the two-finger scroll the client gets ($off, then $on)"
[ "$(vm "left-handed click:")" = "right presses 1" ]
ok $? "left-handed: the pad's left button is the right one ($(vm "left-handed click:"))"
slow=$(vm accel | sed -n 's/^slow \(-*[0-9]*\) fast.*/\1/p')
fast=$(vm accel | sed -n 's/.* fast \(-*[0-9]*\)$/\1/p')
[ -n "$slow" ] && [ -n "$fast" ] && [ "$slow" -gt 0 ] && [ "$fast" -gt "$slow" ]
ok $? "acceleration speed 0.5 moves the pointer further than -0.5 for the same stroke ($(vm accel))"

# --- tablet ---
[ -n "$(vm tablet | grep 'udev ID_INPUT_TABLET=1')" ]
ok $? "the uinput pen is a tablet to udev ($(vm tablet))"
tab=$(vm tablet | cut -d' ' -f1)
grep -q "^INPUTD: .*device input:libinput/$tab: Lumen Test Tablet Pen (caps 0x8)" "$LOG" &&
	grep -q "^LUMEN: .*tablet: 'Lumen Test Tablet Pen' added" "$LOG"
ok $? "inputd has it as a tablet tool, lumen as a tablet"
T="$T_DIR/tablet.out"
sed -n 's/^TABLET: //p' "$LOG" >"$T"
grep -qx 'tool type pen' "$T" && grep -qx 'tool capability pressure' "$T"
ok $? "the tablet-v2 client gets a pen with pressure"
# libinput forces a proximity out when a non-Wacom pen hovers 50 ms without events (and
# in again at the next), so the hovering pen may leave and come back between commands.
order=$(grep -E '^tool (proximity_in|down|up|proximity_out)' "$T" | sed 's/^tool //' |
	tr '\n' ' ' | sed 's/proximity_out proximity_in main //g')
[ "$order" = "proximity_in main down up proximity_out " ]
ok $? "proximity in, down, up, out, in that order ($order)"
pressure=$(sed -n 's/^tool pressure //p' "$T" | sort -n | tail -n 1)
[ "${pressure:-0}" -gt 20000 ] && [ "${pressure:-0}" -lt 45000 ]
ok $? "the tip's pressure (1024 of 2047) arrives as about half of 65535 ($pressure)"
xs=$(sed -n 's/^tool motion \([0-9]*\)\..*/\1/p' "$T" | tr '\n' ' ')
first=$(echo "$xs" | cut -d' ' -f1)
last=$(echo "$xs" | awk '{ print $NF }')
[ -n "$first" ] && [ -n "$last" ] && [ "$last" -gt "$first" ] &&
	[ "$first" -ge 0 ] && [ "$last" -lt 600 ]
ok $? "motion in the surface follows the pen to the right ($xs)"
! grep -q '^TABLET: button ' "$LOG"
ok $? "and no emulated pointer button reached the tablet client"

[ "$(vm "lumen exit")" = 0 ] && [ "$(vm "inputd exit")" = 0 ] && [ "$(vm "displayd exit")" = 0 ]
ok $? "lumen, lumen-inputd and lumen-displayd exit cleanly"
report=$(grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$LOG" | head -n 3)
[ -z "$report" ]
ok $? "no sanitizer report in the guest${report:+ ($report)}"

if [ "$T_FAILED" -gt 0 ]; then
	diag "---- guest console (VM dev lines and tail) ----"
	grep '^VM dev:' "$LOG" | sed 's/^/# /'
	tail -n 120 "$LOG" | sed 's/^/# /'
fi
done_testing
