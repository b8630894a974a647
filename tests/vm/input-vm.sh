#!/bin/bash
# Input on a real kernel: QEMU's virtio keyboard and tablet in the guest of kms-vm.sh's
# kind (Debian's kernel, software emulation), their evdev nodes read by lumen-inputd
# through libinput, lumen on lumen-inputd and lumen-displayd --kms, and
# lumen-test-keylog's window. The host clicks and types "lumen" with QMP
# input-send-event; the client must log the click and the exact text, and the window
# must be on the screendump.
#
# From meson (tests/vm/meson.build): DISPLAYD, INPUTD, LUMEN, TC_KEYLOG, PNG_TOOL,
# VM_DIR, VM_CACHE, TESTS_DIR. Skips only when QEMU or the kernel cannot be had.
. "$TESTS_DIR/lib.sh"

if ! command -v qemu-system-x86_64 >/dev/null; then
	echo "1..0 # SKIP qemu-system-x86_64 is not installed (qemu-system-x86)"
	exit 0
fi
if ! command -v busybox >/dev/null; then
	echo "1..0 # SKIP busybox is not installed (busybox-static)"
	exit 0
fi
# A cache of its own: prepare-kernel.sh keeps one module list per directory. The list is
# input-devices-vm.sh's too (its uinput is unused here), so both share one kernel.
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

GUEST_BINARIES="$DISPLAYD=lumen-displayd $INPUTD=lumen-inputd $LUMEN=lumen \
	$TC_KEYLOG=lumen-test-keylog +/usr/share/X11/xkb"
[ -d /usr/share/libinput ] && GUEST_BINARIES="$GUEST_BINARIES +/usr/share/libinput"
lsan_supp=$(echo "${LSAN_OPTIONS:-}" | tr ':' '\n' | sed -n 's/^suppressions=//p')
[ -n "$lsan_supp" ] && [ -f "$lsan_supp" ] && GUEST_BINARIES="$GUEST_BINARIES +$lsan_supp"
# shellcheck disable=SC2086
sh "$VM_DIR/mkinitramfs.sh" "$T_DIR/initrd.cpio" "$kernel" "$VM_DIR/guest-input.sh" \
	$GUEST_BINARIES 2>"$T_DIR/initramfs.log" ||
	bail "building the initramfs failed: $(tail -n 3 "$T_DIR/initramfs.log")"

guest_env=""
for var in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
	[ -n "${!var:-}" ] && guest_env="$guest_env $var=${!var}"
done
python3 "$VM_DIR/vm-run.py" --kernel "$kernel/vmlinuz" --initrd "$T_DIR/initrd.cpio" \
	--log "$T_DIR/serial.log" --outdir "$T_DIR" --timeout 150 --append "$guest_env" \
	--device virtio-keyboard-pci --device virtio-tablet-pci \
	2>"$T_DIR/vm-run.log"
ok $? "the guest ran to its end ($(tail -n 1 "$T_DIR/vm-run.log"))"
LOG="$T_DIR/console.log"
tr -d '\r' <"$T_DIR/serial.log" >"$LOG"

! grep -q '@@insmod .* failed' "$LOG" && grep -q '^VM guest: dri card0' "$LOG" &&
	grep -q '^VM input: device event[0-9]* .*Keyboard' "$LOG" &&
	grep -q '^VM input: device event[0-9]* .*Tablet' "$LOG"
ok $? "virtio-gpu and virtio-input load: card0 and the keyboard's and tablet's event nodes"
! grep -q '^VM input: FAIL' "$LOG"
ok $? "QMP took the click, the keys and the screendump ($(grep '^VM input: FAIL' "$LOG" | head -n 1))"

grep -q '^KEYLOG: focus in$' "$LOG"
ok $? "keylog's window has the keyboard focus"
grep -q '^KEYLOG: button [0-9]* pressed$' "$LOG" && grep -q '^KEYLOG: button [0-9]* released$' "$LOG"
ok $? "the tablet's click reaches the window ($(grep '^KEYLOG: button' "$LOG" | head -n 1))"
text=$(sed -n 's/^KEYLOG: text: //p' "$LOG" | tail -n 1)
[ "$text" = lumen ]
ok $? "the keys typed on the host arrive as the text 'lumen' ('$text')"
keys=$(sed -n 's/^KEYLOG: keysym: //p' "$LOG" | tr '\n' ' ')
[ "$keys" = "l u m e n " ]
ok $? "each key once, in order ($keys)"

png="$T_DIR/input-window.png"
n=$("$PNG_TOOL" count "$png" 0 0 1280 800 00c0ff 2>/dev/null || echo 0)
[ "$("$PNG_TOOL" pixel "$png" 640 400 2>/dev/null)" = 00c0ff ] && [ "$n" -ge 200000 ]
ok $? "the screendump shows the client's 600x400 window ($n pixels of its colour)"

[ "$(sed -n 's/^VM input: lumen //p' "$LOG")" = "exit 0" ] &&
	[ "$(sed -n 's/^VM input: inputd //p' "$LOG")" = "exit 0" ] &&
	[ "$(sed -n 's/^VM input: displayd //p' "$LOG")" = "exit 0" ]
ok $? "lumen, lumen-inputd and lumen-displayd exit cleanly"
report=$(grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$LOG" | head -n 3)
[ -z "$report" ]
ok $? "no sanitizer report in the guest${report:+ ($report)}"

if [ "$T_FAILED" -gt 0 ]; then
	diag "---- guest console (tail) ----"
	tail -n 80 "$LOG" | sed 's/^/# /'
fi
done_testing
