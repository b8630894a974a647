#!/bin/bash
# The compositor rendering with GLES2 in a VM and importing a client's dmabuf: Debian's
# kernel under QEMU (software emulation) with a virtio-gpu, Debian's Mesa in the guest
# (stage-mesa.sh), and in it lumen-displayd --kms, lumen on displayd (wlroots picks the
# renderer itself: WLR_RENDERER is unset) and lumen-vm-dmabuf-client, which draws with
# GLES into a GBM buffer and attaches it through zwp_linux_dmabuf_v1 (guest-gles.sh).
#
#   gles-vm.sh virgl   virtio-gpu-gl-pci under Xvfb with -display sdl,gl=on
#                      (virgl-host.sh): displayd offers the render node, lumen renders
#                      with GLES2 on virgl, offers zwp_linux_dmabuf_v1 and imports the
#                      client's buffer; its own frames (GBM buffers) reach the screen as
#                      dmabufs that displayd scans out without a copy. The client's
#                      picture is checked in a grab of QEMU's window, and displayd's
#                      capture (the dmabuf read back through GBM) against it.
#   gles-vm.sh 2d      virtio-gpu-pci: Mesa's kms_swrast cannot allocate on a render
#                      node, so displayd offers none and lumen stays on pixman, without
#                      zwp_linux_dmabuf_v1; the test checks that fallback.
# Both: lumen's choice of renderer through gpu/ (logged with its reason), displayd's
# GBM on the card (scanout buffers with a negotiated modifier, dmabuf imports) and which
# way each output's frames go, and displayd's capture equal to QEMU's screendump.
#
# From meson (tests/vm/meson.build): DISPLAYD, DISPLAYCTL, LUMEN, LUMENCTL, DMABUF_CLIENT,
# PNG_TOOL, VM_DIR, VM_CACHE, TESTS_DIR.
. "$TESTS_DIR/lib.sh"
mode=${1:-virgl}

if ! command -v qemu-system-x86_64 >/dev/null; then
	echo "1..0 # SKIP qemu-system-x86_64 is not installed (qemu-system-x86)"
	exit 0
fi
if ! command -v busybox >/dev/null; then
	echo "1..0 # SKIP busybox is not installed (busybox-static)"
	exit 0
fi
gpu_device=virtio-gpu-pci
qemu=qemu-system-x86_64
vm_run="$VM_DIR/vm-run.py"
if [ "$mode" = virgl ]; then
	gpu_device=virtio-gpu-gl-pci
	. "$VM_DIR/virgl-host.sh"
	why=$(virgl_why)
	if [ -n "$why" ]; then
		echo "1..0 # SKIP $why"
		exit 0
	fi
	virgl_start || bail "Xvfb did not start: $(tail -n 3 "$T_DIR/xvfb.log")"
	qemu=$VIRGL_QEMU
	vm_run=$VIRGL_RUN
	diag "virgl: QEMU in an SDL window with GL on Xvfb $DISPLAY"
fi

sh "$VM_DIR/prepare-kernel.sh" "$VM_CACHE/kernel" virtio_pci virtio-gpu 2>"$T_DIR/kernel.log"
status=$?
if [ $status -eq 77 ]; then
	echo "1..0 # SKIP no kernel: $(tail -n 1 "$T_DIR/kernel.log")"
	exit 0
fi
[ $status -eq 0 ] || bail "preparing the kernel failed: $(tail -n 3 "$T_DIR/kernel.log")"
diag "kernel $(cat "$VM_CACHE/kernel/version")"
stage="$VM_CACHE/gpu-mesa"
sh "$VM_DIR/stage-mesa.sh" "$stage" 2>"$T_DIR/stage.log"
status=$?
if [ $status -eq 77 ]; then
	echo "1..0 # SKIP $(tail -n 1 "$T_DIR/stage.log")"
	exit 0
fi
[ $status -eq 0 ] || bail "staging Mesa failed: $(tail -n 3 "$T_DIR/stage.log")"

GUEST_FILES="$DISPLAYD=lumen-displayd $DISPLAYCTL=lumen-displayctl $LUMEN=lumen $LUMENCTL=lumenctl \
	$DMABUF_CLIENT=lumen-vm-dmabuf-client +/usr/share/X11/xkb +$stage"
GUEST_FILES="$GUEST_FILES +$TESTS_DIR/lsan.supp" # LSAN_OPTIONS names it by its host path
# shellcheck disable=SC2086
sh "$VM_DIR/mkinitramfs.sh" "$T_DIR/initrd.cpio" "$VM_CACHE/kernel" "$VM_DIR/guest-gles.sh" \
	$GUEST_FILES 2>"$T_DIR/initramfs.log" ||
	bail "building the initramfs failed: $(tail -n 3 "$T_DIR/initramfs.log")"
diag "initramfs $(($(stat -c %s "$T_DIR/initrd.cpio") / 1024 / 1024)) MiB"

guest_env="MESA_DIR=$stage"
for var in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
	[ -n "${!var:-}" ] && guest_env="$guest_env $var=${!var}"
done
python3 "$vm_run" --qemu "$qemu" --kernel "$VM_CACHE/kernel/vmlinuz" \
	--initrd "$T_DIR/initrd.cpio" --memory 2048 \
	--log "$T_DIR/serial.log" --outdir "$T_DIR" --timeout 240 --append "$guest_env" \
	--gpu "$gpu_device" 2>"$T_DIR/vm-run.log"
ok $? "the guest ran to its end ($(tail -n 1 "$T_DIR/vm-run.log"))"
tr -d '\r' <"$T_DIR/serial.log" >"$T_DIR/console.log"
LOG="$T_DIR/console.log"

! grep -q '@@insmod .* failed' "$LOG" && grep -q '^VM guest: dri card0' "$LOG" &&
	grep -q '^VM guest: dri renderD128' "$LOG"
ok $? "virtio-gpu's modules load; card0 and renderD128 appear"

val() { # key: the rest of the line "VM dmabuf: key ..."
	sed -n "s/^VM dmabuf: $1 //p" "$LOG" | head -n 1
}
lumen_line() { # pattern: the first LUMEN line that matches, without its prefix
	grep "^LUMEN .*$1" "$LOG" | head -n 1 | sed 's/^LUMEN //'
}
ipc_renderer() { # lumenctl's "outputs" reply in the guest: "NAME: WHY" of its renderer
	sed -n 's/^LUMENCTL //p' "$LOG" | head -n 1 | python3 -c \
		"import json,sys; r=json.load(sys.stdin)['renderer']; print(r['name'] + ': ' + r['why'])" \
		2>/dev/null
}

png="$T_DIR/gles-window.png"
# displayd's capture of the screen (guest-gles.sh sends it as base64).
capture="$T_DIR/capture.png"
sed -n 's/^VM b64 //p' "$LOG" | base64 -d >"$capture" 2>/dev/null
# Through gpu/: GBM on the card for displayd's scanout buffers and dmabuf imports.
line=$(grep '^DISPLAYD .*card0: GBM (' "$LOG" | head -n 1)
[ -n "$line" ] && ! grep -q '^DISPLAYD .*cannot be scanned out' "$LOG"
ok $? "displayd opens GBM on the card (gpu/) for its buffers and dmabuf imports (${line#*] })"
# Which way each output's frames go (logged when it changes).
line=$(grep '^DISPLAYD .*Virtual-1: \(shm\|dmabuf\) frames' "$LOG" | head -n 1)
if [ "$mode" = virgl ]; then
	echo "$line" | grep -q 'dmabuf frames (XR24 modifier .*), scanned out as they are (framebuffers through a GBM import)'
	ok $? "displayd scans lumen's dmabufs out through GBM imports, and says so (${line#*] })"
else
	echo "$line" | grep -q 'shm frames, copied into its scanout buffers: GBM (.*) XR24 modifier [A-Z0-9x]*.*, negotiated'
	ok $? "displayd copies shm frames into GBM scanout buffers with the modifier the plane and its copy agree on (${line#*] })"
fi

if [ "$mode" = virgl ]; then
	line=$(lumen_line '] renderer: ')
	echo "$line" | grep -q 'renderer: gles2 (/dev/dri/renderD128 (virtio_gpu): Mesa.s virgl renders in hardware'
	ok $? "lumen chooses GLES2 through gpu/, saying why (${line#*] })"
	line=$(ipc_renderer)
	echo "$line" | grep -q '^gles2: /dev/dri/renderD128 (virtio_gpu): Mesa.s virgl renders in hardware'
	ok $? "and lumenctl outputs reports it (${line:-no reply})"
	line=$(grep '^DISPLAYD .*render node /dev/dri/renderD128' "$LOG" | head -n 1)
	[ -n "$line" ]
	ok $? "displayd offers virgl's render node (${line#*] })"
	line=$(lumen_line 'display server lumen-display-0:')
	echo "$line" | grep -q 'render node offered'
	ok $? "lumen takes displayd's render node as its DRM fd (${line#*] })"
	# wlroots' own lines (LUMEN_LOG=debug): the EGL device (named by its primary node;
	# Mesa's device platform renders through its render node), the GL renderer, and the
	# GBM allocator on the render node displayd handed over.
	egl=$(lumen_line 'Using EGL device')
	renderer=$(lumen_line 'GL renderer: ')
	alloc=$(lumen_line 'Using DRM node')
	echo "$egl" | grep -q '/dev/dri/card0' && echo "$renderer" | grep -q 'GL renderer: virgl'
	ok $? "lumen renders with GLES2 on virgl (${egl#*] }; ${renderer#*] })"
	echo "$alloc" | grep -q '/dev/dri/renderD128$' &&
		lumen_line 'Created GBM allocator' | grep -q .
	ok $? "lumen allocates its frames with GBM on the render node (${alloc#*] })"

	line=$(val formats)
	n=$(echo "$line" | cut -d' ' -f1)
	[ -n "$n" ] && [ "$n" -gt 0 ] && ! echo "$line" | grep -q 'modifiers 0)'
	ok $? "lumen offers zwp_linux_dmabuf_v1 with XRGB8888 among its formats (${line:-none})"
	diag "client: buffer $(val buffer); $(val gl | sed 's/^/GLES /')"
	diag "client: through gbm_bo_map its first pixel reads $(val map) (GLES drew 00ff00 there)"
	grep -q '^VM dmabuf: created$' "$LOG"
	ok $? "lumen accepts the client's GBM buffer as a wl_buffer (zwp_linux_buffer_params_v1.create)"
	line=$(val presented)
	# shellcheck disable=SC2086 # its words, one each
	set -- $line
	[ "${1:-0}" -ge 3 ]
	ok $? "the client's 3 frames are presented (${line:-none})"

	stats=$(sed -n 's/^DISPLAYCTL  *bytes copied: //p' "$LOG" | head -n 1)
	copied=$(echo "$stats" | cut -d' ' -f1)
	presented=$(echo "$stats" | sed -n 's/.*presented: \([0-9]*\).*/\1/p')
	[ "${copied:-x}" = 0 ] && [ "${presented:-0}" -gt 0 ]
	ok $? "displayd scans lumen's GBM frames out as dmabufs, no byte copied (${stats:-no stats})"

	size=$("$PNG_TOOL" size "$png" 2>/dev/null)
	[ "$size" = "1280 800" ]
	ok $? "the grab of QEMU's window is the 1280x800 scanout (${size:-no grab})"
	# The 600x400 window wherever lumen placed it: a green 100x100 square at its
	# top-left corner, an orange band over the rest of its top 100 rows, purple below.
	box() { python3 "$VM_DIR/vm-run-x11.py" --bbox "$png" "$1" 2>/dev/null || echo none; }
	green=$(box 00ff00)
	orange=$(box ff8000)
	purple=$(box 8000ff)
	diag "on screen: green $green, orange $orange, purple $purple (x y w h)"
	read -r gx gy gw gh <<<"$green"
	[ "$gw" = 100 ] && [ "$gh" = 100 ] && [ "$purple" = "$gx $((gy + 100)) 600 300" ]
	ok $? "the client's picture is on screen whole: a 100x100 square and 600x300 below it"
	[ "$orange" = "$((gx + 100)) $gy 500 100" ]
	ok $? "the right way up and not mirrored: green top-left, the orange band to its right"
	n=$("$PNG_TOOL" count "$png" "$gx" "$((gy + 100))" 600 300 8000ff 2>/dev/null || echo 0)
	[ "$n" = 180000 ]
	ok $? "every pixel of the purple part is the client's colour ($n of 180000)"
	# displayd reads the dmabuf on screen back through GBM (virgl fetches it from the
	# host), not from the guest's stale pages of it: the window's pixels are the same.
	"$PNG_TOOL" crop "$png" "${gx:-0}" "${gy:-0}" 600 400 "$T_DIR/dump-window.png" 2>/dev/null
	"$PNG_TOOL" crop "$capture" "${gx:-0}" "${gy:-0}" 600 400 "$T_DIR/capture-window.png" 2>/dev/null
	diff=$("$PNG_TOOL" compare "$T_DIR/dump-window.png" "$T_DIR/capture-window.png" 2>&1)
	ok $? "displayd's capture of the window equals the screendump's ($diff)"
	diag "whole screen, capture against screendump: $("$PNG_TOOL" compare "$png" "$capture" 2>&1)"
else
	grep -q '^DISPLAYD .*renders in software (kms_swrast): no render node offered' "$LOG"
	ok $? "displayd offers no render node to a kms_swrast device ($(grep -o 'renders in software.*' "$LOG" | head -n 1))"
	line=$(lumen_line 'display server lumen-display-0:')
	echo "$line" | grep -q 'no GPU'
	ok $? "lumen gets no DRM fd from displayd (${line#*] })"
	line=$(lumen_line '] renderer: ')
	echo "$line" | grep -q 'renderer: pixman (no DRM device'
	ok $? "lumen chooses pixman through gpu/, saying why (${line#*] })"
	line=$(ipc_renderer)
	echo "$line" | grep -q '^pixman: no DRM device'
	ok $? "and lumenctl outputs reports it (${line:-no reply})"
	line=$(lumen_line 'pixman')
	[ -n "$line" ] && [ -z "$(lumen_line 'Using EGL device')" ]
	ok $? "so wlroots picks pixman, not GLES2 (${line#*] })"
	line=$(grep '^VM dmabuf: FAIL' "$LOG" | head -n 1)
	echo "$line" | grep -q 'no zwp_linux_dmabuf_v1'
	ok $? "pixman imports no dmabufs: zwp_linux_dmabuf_v1 is not offered (${line#VM dmabuf: })"
	stats=$(sed -n 's/^DISPLAYCTL  *bytes copied: //p' "$LOG" | head -n 1)
	presented=$(echo "$stats" | sed -n 's/.*presented: \([0-9]*\).*/\1/p')
	[ "${presented:-0}" -gt 0 ]
	ok $? "lumen's shm frames are presented through displayd (${stats:-no stats})"
	# lumen's shm frames were copied into displayd's GBM scanout buffers (through a
	# mapping); its capture reads them back the same way.
	diff=$("$PNG_TOOL" compare "$png" "$capture" 2>&1)
	ok $? "displayd's capture equals the screendump ($diff)"
fi

[ "$(sed -n 's/^VM gles: lumen exit //p' "$LOG")" = 0 ] &&
	[ "$(sed -n 's/^VM gles: displayd exit //p' "$LOG")" = 0 ]
ok $? "lumen and lumen-displayd exit cleanly ($(grep -E '^VM gles: (lumen|displayd) exit' "$LOG" | tr '\n' ' '))"
if [ "$mode" = virgl ]; then
	[ "$(sed -n 's/^VM gles: client exit //p' "$LOG")" = 0 ]
	ok $? "the dmabuf client exits cleanly ($(grep '^VM gles: client exit' "$LOG"))"
fi
report=$(grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$LOG" | head -n 3)
[ -z "$report" ]
ok $? "no sanitizer report in the guest${report:+ ($report)}"

if [ "$T_FAILED" -gt 0 ]; then
	diag "---- guest console (tail) ----"
	tail -n 120 "$LOG" | sed 's/^/# /'
	cp "$LOG" "$VM_CACHE/gles-$mode-last-console.log" 2>/dev/null
fi
done_testing
