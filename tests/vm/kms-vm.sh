#!/bin/bash
# lumen-displayd's kms backend on a real kernel driver: Debian's kernel boots under
# QEMU (software emulation) with a virtio-gpu, from an initramfs of busybox, the
# driver's modules and our binaries. In the guest displayd drives virtio-gpu's KMS and
# vm-client, its master, draws; the host checks the guest's reports and the pixels of
# QMP screendumps. Passes: atomic modesetting, legacy (LUMEN_KMS_LEGACY=1), hotplug of
# virtio-gpu's second output, libseat (its embedded seatd) with a VT switch, and the
# compositor on displayd with a client's window.
#
# From meson (tests/vm/meson.build): DISPLAYD, VM_CLIENT, LUMEN, TC_KEYLOG, PNG_TOOL,
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
sh "$VM_DIR/prepare-kernel.sh" "$VM_CACHE/kernel" virtio_pci virtio-gpu 2>"$T_DIR/kernel.log"
status=$?
if [ $status -eq 77 ]; then
	echo "1..0 # SKIP no kernel: $(tail -n 1 "$T_DIR/kernel.log")"
	exit 0
fi
[ $status -eq 0 ] || bail "preparing the kernel failed: $(tail -n 3 "$T_DIR/kernel.log")"
diag "kernel $(cat "$VM_CACHE/kernel/version")"

# The guest's programs and data: one word each (SRC=NAME installs SRC as /usr/bin/NAME
# with the libraries it links; +PATH copies a host file or directory).
GUEST_BINARIES="$DISPLAYD=lumen-displayd $VM_CLIENT=vm-client $LUMEN=lumen \
	$TC_KEYLOG=lumen-test-keylog +/usr/share/X11/xkb"
# LSAN_OPTIONS names the suppressions file by its path here: the guest has it there too.
lsan_supp=$(echo "${LSAN_OPTIONS:-}" | tr ':' '\n' | sed -n 's/^suppressions=//p')
[ -n "$lsan_supp" ] && [ -f "$lsan_supp" ] && GUEST_BINARIES="$GUEST_BINARIES +$lsan_supp"
# shellcheck disable=SC2086
sh "$VM_DIR/mkinitramfs.sh" "$T_DIR/initrd.cpio" "$VM_CACHE/kernel" "$VM_DIR/guest-kms.sh" \
	$GUEST_BINARIES 2>"$T_DIR/initramfs.log" ||
	bail "building the initramfs failed: $(tail -n 3 "$T_DIR/initramfs.log")"
diag "initramfs $(($(stat -c %s "$T_DIR/initrd.cpio") / 1024)) KiB"

# The kernel hands NAME=VALUE words of its command line to init as its environment:
# that is how the sanitizer settings of `meson test --setup sanitize` reach the guest.
guest_env=""
for var in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
	[ -n "${!var:-}" ] && guest_env="$guest_env $var=${!var}"
done
python3 "$VM_DIR/vm-run.py" --kernel "$VM_CACHE/kernel/vmlinuz" --initrd "$T_DIR/initrd.cpio" \
	--log "$T_DIR/serial.log" --outdir "$T_DIR" --timeout 240 --append "$guest_env" \
	--gpu virtio-gpu-pci,max_outputs=2 \
	2>"$T_DIR/vm-run.log"
ok $? "the guest ran to its end ($(tail -n 1 "$T_DIR/vm-run.log"))"
LOG="$T_DIR/serial.log"
tr -d '\r' <"$LOG" >"$T_DIR/console.log"
LOG="$T_DIR/console.log"

! grep -q '@@insmod .* failed' "$LOG" && grep -q '^VM guest: dri card0' "$LOG"
ok $? "virtio-gpu's modules load and /dev/dri/card0 appears"

val() { # tag key: the rest of the line "VM tag: key ..."
	sed -n "s/^VM $1: $2 //p" "$LOG" | head -n 1
}
field() { # tag key name: NAME=VALUE or "NAME VALUE" in that line
	val "$1" "$2" | tr ' ' '\n' | sed -n "s/^$3=//p" | head -n 1
}
color_at() { # png x y
	"$PNG_TOOL" pixel "$1" "$2" "$3" 2>/dev/null
}
is_color() { # png x y rrggbb
	[ "$(color_at "$1" "$2" "$3")" = "$4" ]
}
rect_center() { # tag rect_x -> "cx cy"
	val "$1" "$2" | awk '{print $1 + int($3 / 2), $2 + int($4 / 2)}'
}

check_pass() { # tag atomic|legacy
	tag=$1
	kind=$2
	local out
	out=$(val "$tag" output)
	echo "$out" | grep -q '^display:kms\.card0/Virtual-1 '
	ok $? "$tag: displayd names the output display:kms.card0/Virtual-1 ($out)"
	grep -q "^DISPLAYD $tag: .*$kind modesetting" "$LOG"
	ok $? "$tag: displayd uses $kind modesetting"
	# Which scanout buffers (kms-buffer.c): this guest has no Mesa, so GBM has no
	# driver and displayd falls back to dumb buffers, saying why.
	line=$(grep "^DISPLAYD $tag: .*scanout buffers [0-9]*x[0-9]*: " "$LOG" | head -n 1)
	echo "$line" | grep -q 'scanout buffers [0-9]*x[0-9]*: dumb (no GBM: .*)'
	ok $? "$tag: displayd says its scanout buffers are dumb buffers, and why (${line#*displayd: })"

	w=$(echo "$out" | awk '{split($2, s, "@"); split(s[1], d, "x"); print d[1]}')
	h=$(echo "$out" | awk '{split($2, s, "@"); split(s[1], d, "x"); print d[2]}')
	before="$T_DIR/$tag-before.png"
	if [ "$tag" = atomic ]; then
		# The console's text is still there when displayd has started (nothing blanked).
		black=$("$PNG_TOOL" count "$before" 0 0 "$w" "$h" 000000 2>/dev/null || echo x)
		[ "$black" != x ] && [ "$black" -lt $((w * h)) ]
		ok $? "$tag: before the first frame the screen still shows the console ($black of $((w * h)) pixels black)"
		# virtio-gpu without 3D renders only in software (kms_swrast): displayd keeps its
		# render node to itself, and the compositor renders with pixman into shm.
		[ "$(val "$tag" render_node)" = no ] &&
			grep -q "renders in software (kms_swrast): no render node offered" "$LOG"
		ok $? "$tag: displayd offers no render node for a card without 3D"
	fi

	line=$(val "$tag" presented)
	# shellcheck disable=SC2086 # its words, one each
	set -- $line
	[ "${1:-0}" -eq 13 ] && [ "${3:-1}" -eq 0 ]
	ok $? "$tag: 13 shm frames presented, none discarded ($line)"
	[ "${5:-0}" = 1 ]
	ok $? "$tag: presentation times and sequences increase"
	[ $((${7:-0} & 7)) -eq 7 ]
	ok $? "$tag: every frame is flagged vsync, hw clock, hw completion (${7:-})"

	line=$(val "$tag" ticker_bytes_per_frame)
	# shellcheck disable=SC2086 # its words, one each
	set -- $line
	[ -n "${1:-}" ] && [ "$1" -gt 0 ] && [ "$1" -lt $((${3:-0} / 10)) ]
	ok $? "$tag: a 1% change copies a few % of a frame, not a frame ($1 of ${3:-?} bytes)"

	pattern="$T_DIR/$tag-pattern.png"
	read -r ax ay <<<"$(rect_center "$tag" rect_a)"
	read -r bx by <<<"$(rect_center "$tag" rect_b)"
	read -r cx cy <<<"$(rect_center "$tag" rect_c)"
	[ "$("$PNG_TOOL" size "$pattern" 2>/dev/null)" = "$w $h" ]
	ok $? "$tag: the screendump is ${w}x${h}"
	is_color "$pattern" "$ax" "$ay" 00ff00
	ok $? "$tag: the rectangle of frame 2 is on screen after 11 more frames ($(color_at "$pattern" "$ax" "$ay"))"
	is_color "$pattern" "$bx" "$by" 0000ff
	ok $? "$tag: the rectangle of frame 3 is on screen ($(color_at "$pattern" "$bx" "$by"))"
	is_color "$pattern" "$cx" "$cy" ffff00 && is_color "$pattern" $((cx - cx / 2)) "$cy" ff0000
	ok $? "$tag: the ticker is at its last place only ($(color_at "$pattern" "$cx" "$cy"))"
	is_color "$pattern" $((w - 5)) 5 ff0000
	ok $? "$tag: the background is red ($(color_at "$pattern" $((w - 5)) 5))"
	[ "$(val "$tag" capture)" = "a=00ff00 b=0000ff c=ffff00 bg=ff0000" ]
	ok $? "$tag: displayd's capture reads the same ($(val "$tag" capture))"

	line=$(val "$tag" cursor)
	if [ -n "$line" ]; then
		# shellcheck disable=SC2086 # its words, one each
		set -- $line
		px=$(($2 - 2))
		py=$(($3 - 3))
		size=$8
		grep "^VM-STATE $tag: " "$LOG" | grep -q "crtc-pos=$size+$px+$py"
		ok $? "$tag: the kernel's cursor plane is at $px,$py ($size)"
		cap=$(sed -n "s/^VM $tag: capture cursor=//p" "$LOG" | head -n 1)
		[ "$cap" = "ff00ff beside=ff0000" ]
		ok $? "$tag: displayd's capture shows the cursor ($cap)"
	else
		ok 1 "$tag: the output has a cursor plane"
	fi

	line=$(val "$tag" mode)
	# shellcheck disable=SC2086 # its words, one each
	set -- $line
	mode=${1:-none}
	mw=${mode%x*}
	mh=${mode#*x}
	[ "${3:-}" = presented ]
	ok $? "$tag: a frame in the new mode $mode is presented"
	png="$T_DIR/$tag-mode.png"
	[ "$("$PNG_TOOL" size "$png" 2>/dev/null)" = "$mw $mh" ]
	ok $? "$tag: the screen is ${mw}x${mh} now ($("$PNG_TOOL" size "$png" 2>/dev/null))"
	is_color "$png" $((mw / 4)) $((mh / 4)) ff0000 &&
		is_color "$png" $((mw * 3 / 4)) $((mh / 4)) 00ff00 &&
		is_color "$png" $((mw / 4)) $((mh * 3 / 4)) 0000ff &&
		is_color "$png" $((mw * 3 / 4)) $((mh * 3 / 4)) ffffff
	ok $? "$tag: its four quadrants are red, green, blue, white"

	if [ "$tag" = atomic ]; then
		line=$(val "$tag" dmabuf)
		# shellcheck disable=SC2086 # its words, one each
		set -- $line
		[ "${2:-}" = presented ] && [ $((${3#flags=} & 8)) -eq 8 ]
		ok $? "$tag: a dmabuf frame is presented, zero-copy ($line)"
		is_color "$T_DIR/$tag-dmabuf.png" $((mw / 2)) $((mh / 2)) 00ffff
		ok $? "$tag: the dmabuf is on screen ($(color_at "$T_DIR/$tag-dmabuf.png" $((mw / 2)) $((mh / 2))))"
	fi

	if [ "$tag" = atomic ]; then
		is_color "$T_DIR/$tag-after.png" $((mw / 2)) $((mh / 2)) 00ff00
		ok $? "$tag: with no master left the screen keeps the last frame"
	elif [ "$tag" = legacy ]; then
		png="$T_DIR/$tag-restart.png"
		is_color "$png" $((mw / 2)) $((mh / 2)) 303846 &&
			is_color "$png" $((mw / 2 - (mh / 8) + (mh / 32) - 4)) $((mh / 2)) d8dee9
		ok $? "$tag: a second without a master, the screen shows the restarting frame"
	fi

	line=$(val "$tag" power)
	[ "$line" = "off frame discarded, on frame presented" ]
	ok $? "$tag: powered off a frame is discarded, on again one is presented ($line)"
	is_color "$T_DIR/$tag-power.png" $((mw / 2)) $((mh / 2)) 00ff00
	ok $? "$tag: after power on the screen shows the frame"

	grep -q "^VM $tag: client exit 0$" "$LOG" && ! grep -q "^VM $tag: FAIL" "$LOG"
	ok $? "$tag: vm-client ran every step ($(grep "^VM $tag: FAIL" "$LOG" | head -n 1))"
	[ "$(val "$tag" displayd)" = "exit 0" ]
	ok $? "$tag: lumen-displayd exits cleanly ($(val "$tag" displayd))"
	report=$(grep "^DISPLAYD $tag: " "$LOG" | grep -E 'ERROR|Sanitizer|runtime error' | head -n 3)
	[ -z "$report" ]
	ok $? "$tag: lumen-displayd logged no error${report:+ ($report)}"
}

check_pass atomic atomic
check_pass legacy legacy

line=$(val hotplug hotplugged)
echo "$line" | grep -q '^display:kms\.card0/Virtual-2 modes=[1-9]'
ok $? "hotplug: a connector switched on appears to clients with its modes ($line)"
[ "$(val hotplug removed)" = display:kms.card0/Virtual-2 ]
ok $? "hotplug: switched off it is removed ($(val hotplug removed))"
grep -q "^VM hotplug: client exit 0$" "$LOG" && [ "$(val hotplug displayd)" = "exit 0" ]
ok $? "hotplug: the client and lumen-displayd exit cleanly"

check_pass seat atomic
grep -q "^DISPLAYD seat: .*Seat opened with backend 'builtin'" "$LOG"
ok $? "seat: displayd opens the card through libseat"
grep -q "^DISPLAYD seat: .*seat seat0 disabled (VT switch)" "$LOG"
ok $? "seat: a VT switch away disables the seat"
away=$(color_at "$T_DIR/seat-away.png" 512 384)
[ -n "$away" ] && [ "$away" != 00ff00 ]
ok $? "seat: away, the screen is the console's, not ours ($away)"
back=$(color_at "$T_DIR/seat-back.png" 512 384)
[ "$back" = 00ff00 ]
ok $? "seat: back again, displayd restores its last frame ($back)"

grep -q '^LUMEN compositor: .*display server lumen-display-0: 1 output' "$LOG"
ok $? "compositor: lumen runs on displayd's kms output"
[ "$(val compositor centre)" = 00c0ff ]
ok $? "compositor: displayd's capture shows the client's window ($(val compositor centre))"
png="$T_DIR/compositor-window.png"
is_color "$png" 640 400 00c0ff && [ "$("$PNG_TOOL" count "$png" 0 0 1280 800 00c0ff)" -ge 200000 ]
ok $? "compositor: the screen shows the 600x400 window ($("$PNG_TOOL" count "$png" 0 0 1280 800 00c0ff 2>&1) pixels of its colour)"
[ "$(val compositor lumen)" = "exit 0" ] && [ "$(val compositor displayd)" = "exit 0" ]
ok $? "compositor: lumen and lumen-displayd exit cleanly ($(val compositor lumen), $(val compositor displayd))"

report=$(grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$LOG" | head -n 3)
[ -z "$report" ]
ok $? "no sanitizer report in the guest${report:+ ($report)}"

if [ "$T_FAILED" -gt 0 ]; then
	diag "---- guest console (tail) ----"
	tail -n 80 "$LOG" | sed 's/^/# /'
	cp "$LOG" "${VM_CACHE}/last-console.log" 2>/dev/null
fi
done_testing
