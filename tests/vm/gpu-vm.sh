#!/bin/bash
# lumen-gpu-test in a VM: Debian's kernel under QEMU (software emulation) with a
# virtio-gpu, an initramfs of busybox, our binaries and Debian's Mesa (stage-mesa.sh,
# staged once under VM_CACHE). The guest runs the whole suite on
# /dev/dri/card0 (raw KMS, then displayd's kms backend, then EGL/GBM on the render node)
# with gpu/expected/virtio_gpu.txt; its TAP comes back over the serial console and is
# repeated here, after the host's own checks.
#
#   gpu-vm.sh 2d      virtio-gpu-pci: Mesa must say kms_swrast (no 3D)
#   gpu-vm.sh virgl   virtio-gpu-gl-pci under Xvfb with -display sdl,gl=on
#                     (virgl-host.sh): Mesa must say virgl, with
#                     gpu/expected/virtio_gpu-virgl.txt (skipped, with the reason, where
#                     that cannot run)
#
# From meson (gpu/meson.build): GPU_TEST, DISPLAYD, VM_DIR, VM_CACHE, TESTS_DIR,
# GPU_EXPECTED_DIR. Reuses the VM kit: prepare-kernel.sh, mkinitramfs.sh, vm-run.py
# (vm-run-x11.py with virgl).
. "$TESTS_DIR/lib.sh"
mode=${1:-2d}

if ! command -v qemu-system-x86_64 >/dev/null; then
	echo "1..0 # SKIP qemu-system-x86_64 is not installed (qemu-system-x86)"
	exit 0
fi
if ! command -v busybox >/dev/null; then
	echo "1..0 # SKIP busybox is not installed (busybox-static)"
	exit 0
fi
gpu_device=virtio-gpu-pci
expected="$GPU_EXPECTED_DIR/virtio_gpu.txt"
qemu=qemu-system-x86_64
vm_run="$VM_DIR/vm-run.py"
if [ "$mode" = virgl ]; then
	gpu_device=virtio-gpu-gl-pci
	expected="$GPU_EXPECTED_DIR/virtio_gpu-virgl.txt"
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

# Debian's Mesa for the guest, staged once (stage-mesa.sh).
stage="$VM_CACHE/gpu-mesa"
sh "$VM_DIR/stage-mesa.sh" "$stage" 2>"$T_DIR/stage.log"
status=$?
if [ $status -eq 77 ]; then
	echo "1..0 # SKIP $(tail -n 1 "$T_DIR/stage.log")"
	exit 0
fi
[ $status -eq 0 ] || bail "staging Mesa failed: $(tail -n 3 "$T_DIR/stage.log")"
diag "Mesa for the guest: $(du -sm "$stage" | cut -f1) MiB in $stage"

GUEST_FILES="$DISPLAYD=lumen-displayd $GPU_TEST=lumen-gpu-test +$stage +$GPU_EXPECTED_DIR"
GUEST_FILES="$GUEST_FILES +$TESTS_DIR/lsan.supp" # LSAN_OPTIONS names it by its host path
# shellcheck disable=SC2086
sh "$VM_DIR/mkinitramfs.sh" "$T_DIR/initrd.cpio" "$VM_CACHE/kernel" "$VM_DIR/gpu-guest.sh" \
	$GUEST_FILES 2>"$T_DIR/initramfs.log" ||
	bail "building the initramfs failed: $(tail -n 3 "$T_DIR/initramfs.log")"
diag "initramfs $(($(stat -c %s "$T_DIR/initrd.cpio") / 1024 / 1024)) MiB"

guest_env="GPU_EXPECTED=$expected MESA_DIR=$stage"
[ -n "${GPU_TEST_ARGS:-}" ] && guest_env="$guest_env GPU_TEST_ARGS=$GPU_TEST_ARGS"
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

caps() { # key: the value of "  key: value" in the guest's capability report
	sed -n "s/^CAPS  *$1: //p" "$LOG" | head -n 1
}
driver=$(caps "kernel driver" | cut -d' ' -f1)
[ "$driver" = virtio_gpu ]
ok $? "the kernel driver is virtio_gpu ($driver)"
mesa=$(caps "mesa driver")
renderer=$(caps GL_RENDERER)
if [ "$mode" = virgl ]; then
	[ "$mesa" = virgl ] && [ "$(caps 3d)" = yes ]
	ok $? "virtio-gpu has 3D, so the Mesa driver is virgl ($mesa, 3d $(caps 3d))"
	echo "$renderer" | grep -q '^virgl'
	ok $? "GL_RENDERER is virgl's ($renderer)"
else
	[ "$mesa" = kms_swrast ] && [ "$(caps 3d)" = no ]
	ok $? "virtio-gpu without 3D: the Mesa driver is kms_swrast ($mesa, 3d $(caps 3d))"
	echo "$renderer" | grep -q '^llvmpipe'
	ok $? "GL_RENDERER is llvmpipe's ($renderer)"
fi
[ "$(caps platform)" = gbm ]
ok $? "EGL runs on GBM on the device ($(caps platform))"

line=$(sed -n 's/^VM gpu: //p' "$LOG")
diag "guest suite: $line"
[ -n "$line" ]
ok $? "lumen-gpu-test ran in the guest"
grep -q '^JSON ' "$LOG"
ok $? "its JSON summary came back"

# The guest's own results, renumbered into this plan.
guest_plan=$(sed -n 's/^GPU 1\.\.\([0-9]*\)$/\1/p' "$LOG")
n_guest=$(grep -cE '^GPU (not )?ok ' "$LOG")
[ -n "$guest_plan" ] && [ "$guest_plan" -eq "$n_guest" ]
ok $? "the guest ran all its tests (plan ${guest_plan:-none}, $n_guest results)"
while IFS= read -r line; do
	case "$line" in
	"GPU # "*) echo "${line#GPU }" ;;
	"GPU ok "* | "GPU not ok "*)
		rest=${line#GPU }
		T_NUM=$((T_NUM + 1))
		prefix=ok
		case "$rest" in "not ok "*) prefix="not ok" ;; esac
		body=$(echo "$rest" | sed -E 's/^(not )?ok [0-9]+ //')
		echo "$prefix $T_NUM - guest ${body#- }"
		if [ "$prefix" = "not ok" ] && ! echo "$body" | grep -q '# TODO'; then
			T_FAILED=$((T_FAILED + 1))
		fi
		;;
	esac
done <"$LOG"

report=$(grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$LOG" | head -n 3)
[ -z "$report" ]
ok $? "no sanitizer report in the guest${report:+ ($report)}"

if [ "$T_FAILED" -gt 0 ]; then
	diag "---- guest console (tail) ----"
	grep -vE '^(JSON|GPU) ' "$LOG" | tail -n 80 | sed 's/^/# /'
	cp "$LOG" "$VM_CACHE/gpu-$mode-last-console.log" 2>/dev/null
fi
done_testing
