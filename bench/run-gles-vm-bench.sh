#!/usr/bin/env bash
#
# Compositing cost per frame, GLES2 against pixman, on the same scene in the same VM:
# Debian's kernel under QEMU (software emulation) with virtio-gpu-gl (virgl; QEMU's
# window with GL on Xvfb, as in tests/vm/gles-vm.sh), lumen-displayd --kms, and lumen on
# it twice, with WLR_RENDERER=gles2 (on the render node displayd offers) and then
# WLR_RENDERER=pixman. The scene: N lumen-test-anim windows of 640x480 on the
# 1280x800 output, each redrawn and damaged whole every frame, so that lumen composites
# every frame. For each renderer, over the measured seconds:
#   fps              frames displayd presented per second (host clock)
#   lumen ms/frame   lumen's CPU time in the guest per presented frame
#   displayd ms/f    displayd's, and the bytes it copied per frame (0: dmabufs scanned out)
#   QEMU ms/frame    QEMU's CPU time on the host per frame: the guest's emulated CPUs
#                    and, for GLES2, virglrenderer drawing on the host's llvmpipe
# then the ratios gles2/pixman. llvmpipe on the host itself is not measured: wlroots'
# GLES2 renderer needs a DRM fd, and these hosts have no /dev/dri.
# Numbers from a TCG guest are emulated: compare the two renderers with each other, not
# with a real machine. Not a test: no thresholds.
#
# -m 2d: the same on virtio-gpu-pci without 3D, where Mesa's GBM/EGL on the card is
# kms_swrast (llvmpipe drawing into dumb buffers). displayd offers lumen no render node
# there, and wlroots 0.15's GLES2 renderer takes only a render node, on which kms_swrast
# cannot allocate; the guest tries it anyway (WLR_RENDER_DRM_DEVICE, on displayd and on
# wlroots' headless backend) and the reason it fails is printed. lumen's pixman run is
# measured as above; then gles-composite-bench (bench/gles-composite-bench.c) draws its
# compositor scene in the guest with GLES2 on GBM on card0 (kms_swrast, into a scanout
# buffer) and with pixman, and its table is printed (-f frames per renderer).
#
# Only processes this script started are ended, by pid (lib.sh's cleanup).

set -uo pipefail
export LC_ALL=C
PROG=run-gles-vm-bench

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(dirname -- "$script_dir")
builddir="$repo_root/build"
seconds=10
clients=2
mode=virgl
frames=10

usage() {
	cat <<EOF
usage: $PROG [-b BUILDDIR] [-d SECONDS] [-n CLIENTS] [-m virgl|2d] [-f FRAMES]
  -b BUILDDIR   meson build directory (default: <repo>/build)
  -d SECONDS    measured time per renderer (default $seconds)
  -n CLIENTS    lumen-test-anim windows (default $clients)
  -m MODE       virgl (virtio-gpu-gl-pci, default) or 2d (virtio-gpu-pci, kms_swrast)
  -f FRAMES     2d: gles-composite-bench's timed frames per renderer (default $frames)
EOF
}
die() {
	echo "$PROG: $*" >&2
	exit 1
}
while getopts ":b:d:n:m:f:h" opt; do
	case $opt in
	b) builddir=$OPTARG ;;
	d) seconds=$OPTARG ;;
	n) clients=$OPTARG ;;
	m) mode=$OPTARG ;;
	f) frames=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
[[ $seconds =~ ^[0-9]+$ ]] && [ "$seconds" -ge 1 ] && [ "$seconds" -le 120 ] ||
	die "-d wants whole seconds from 1 to 120"
[[ $clients =~ ^[0-9]+$ ]] && [ "$clients" -ge 1 ] && [ "$clients" -le 8 ] ||
	die "-n wants 1 to 8 clients"
[ "$mode" = virgl ] || [ "$mode" = 2d ] || die "-m wants virgl or 2d"
[[ $frames =~ ^[0-9]+$ ]] && [ "$frames" -ge 1 ] && [ "$frames" -le 1000 ] ||
	die "-f wants 1 to 1000 frames"
builddir=$(cd -- "$builddir" 2>/dev/null && pwd) || die "no build directory"
DISPLAYD="$builddir/display-server/lumen-displayd"
DISPLAYCTL="$builddir/display-server/lumen-displayctl"
LUMEN="$builddir/compositor/lumen"
ANIM="$builddir/tests/clients/lumen-test-anim"
COMPOSITE="$builddir/bench/gles-composite-bench"
exes=("$DISPLAYD" "$DISPLAYCTL" "$LUMEN" "$ANIM")
[ "$mode" = 2d ] && exes+=("$COMPOSITE")
for exe in "${exes[@]}"; do
	[ -x "$exe" ] || die "$exe is missing: build it first (ninja -C '$builddir')"
done
VM_DIR="$repo_root/tests/vm"
VM_CACHE="$builddir/tests/vm/vm-cache"
TESTS_DIR="$repo_root/tests"

. "$TESTS_DIR/lib.sh" # T_DIR, T_PIDS and the cleanup that ends them by pid
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 is not installed"
command -v busybox >/dev/null || die "busybox is not installed (busybox-static)"
extra_files=()
extra_env=
if [ "$mode" = virgl ]; then
	. "$VM_DIR/virgl-host.sh"
	why=$(virgl_why)
	[ -z "$why" ] || die "virgl cannot run here: $why"
	virgl_start || die "Xvfb did not start: $(tail -n 3 "$T_DIR/xvfb.log")"
	qemu=$VIRGL_QEMU
	vm_run=$VIRGL_RUN
	gpu_device=virtio-gpu-gl-pci
else
	qemu="qemu-system-x86_64"
	vm_run="$VM_DIR/vm-run.py" # no marks: the guest's clock times the runs
	gpu_device=virtio-gpu-pci
	extra_files=("$COMPOSITE=gles-composite-bench")
	extra_env=" BENCH_MODE=2d BENCH_FRAMES=$frames"
fi

sh "$VM_DIR/prepare-kernel.sh" "$VM_CACHE/kernel" virtio_pci virtio-gpu 2>"$T_DIR/kernel.log" ||
	die "no kernel: $(tail -n 1 "$T_DIR/kernel.log")"
stage="$VM_CACHE/gpu-mesa"
sh "$VM_DIR/stage-mesa.sh" "$stage" 2>"$T_DIR/stage.log" ||
	die "staging Mesa failed: $(tail -n 1 "$T_DIR/stage.log")"
sh "$VM_DIR/mkinitramfs.sh" "$T_DIR/initrd.cpio" "$VM_CACHE/kernel" \
	"$script_dir/gles-vm-guest.sh" "$DISPLAYD=lumen-displayd" \
	"$DISPLAYCTL=lumen-displayctl" "$LUMEN=lumen" "$ANIM=lumen-test-anim" "${extra_files[@]}" \
	+/usr/share/X11/xkb "+$stage" 2>"$T_DIR/initramfs.log" ||
	die "building the initramfs failed: $(tail -n 3 "$T_DIR/initramfs.log")"

echo "$PROG: booting the $mode guest ($clients windows, ${seconds} s a renderer)..." >&2
timeout=$((180 + 2 * seconds))
[ "$mode" = 2d ] && timeout=$((timeout + 300 + 30 * frames))
python3 "$vm_run" --qemu "$qemu" --kernel "$VM_CACHE/kernel/vmlinuz" \
	--initrd "$T_DIR/initrd.cpio" --memory 2048 --log "$T_DIR/serial.log" \
	--outdir "$T_DIR" --timeout "$timeout" \
	--append "MESA_DIR=$stage BENCH_SECONDS=$seconds BENCH_CLIENTS=$clients$extra_env" \
	--gpu "$gpu_device" 2>"$T_DIR/vm-run.log" ||
	die "the guest did not finish: $(tail -n 1 "$T_DIR/vm-run.log")"
tr -d '\r' <"$T_DIR/serial.log" >"$T_DIR/console.log"

if grep -q '^BENCH .*FAIL' "$T_DIR/console.log"; then
	grep '^BENCH .*FAIL' "$T_DIR/console.log" >&2
	die "a step failed in the guest"
fi

python3 - "$T_DIR/console.log" "$T_DIR/marks.txt" <<'EOF'
import os
import re
import sys

bench = {}
for line in open(sys.argv[1]):
    m = re.match(r"BENCH ([\w-]+) frames=(\d+) lumen_ns=(\d+) displayd_ns=(\d+) copied=(\d+)"
                 r" wall_cs=(\d+)", line)
    if m:
        bench[m.group(1)] = [int(v) for v in m.groups()[1:]]
    m = re.match(r"BENCH ([\w-]+) (UNAVAILABLE|STARTED) ?(.*)", line)
    if m:
        print("%s: %s %s" % (m.group(1), "not measured:" if m.group(2) == "UNAVAILABLE"
                               else "started", m.group(3).strip()))
marks = {}
if os.path.exists(sys.argv[2]):
    for line in open(sys.argv[2]):
        name, cpu, wall = line.split()
        marks[name[len("mark-"):]] = (float(cpu), float(wall))

rows = {}
nan = float("nan")
for r, (frames, lumen_ns, displayd_ns, copied, wall_cs) in bench.items():
    if frames <= 0:
        sys.exit("%s: no frame presented" % r)
    if r + "-start" in marks:  # the host's clock and QEMU's CPU time (virgl)
        cpu0, wall0 = marks[r + "-start"]
        cpu1, wall1 = marks[r + "-end"]
        fps, qemu = frames / (wall1 - wall0), (cpu1 - cpu0) * 1e3 / frames
    else:  # the guest's clock; QEMU's CPU time unknown
        fps, qemu = (frames / (wall_cs / 100.0) if wall_cs else nan), nan
    rows[r] = {
        "fps": fps,
        "lumen": lumen_ns / 1e6 / frames,
        "displayd": displayd_ns / 1e6 / frames,
        "copied": copied / frames,
        "qemu": qemu,
        "frames": frames,
    }

print("%-8s %7s %9s %14s %12s %13s %14s" % ("renderer", "frames", "fps", "lumen ms/frame",
      "displayd ms/f", "copied B/f", "QEMU ms/frame"))
for r in ("gles2", "pixman"):
    if r in rows:
        v = rows[r]
        print("%-8s %7d %9.2f %14.2f %12.2f %13.0f %14.2f" % (r, v["frames"], v["fps"], v["lumen"],
              v["displayd"], v["copied"], v["qemu"]))
if "gles2" in rows and "pixman" in rows:
    g, p = rows["gles2"], rows["pixman"]
    ratio = lambda k: g[k] / p[k] if p[k] else float("nan")
    print("%-8s %7s %9.2f %14.2f %12.2f %13s %14.2f" % ("gles2/px", "", ratio("fps"),
          ratio("lumen"), ratio("displayd"), "", ratio("qemu")))
EOF
if [ "$mode" = 2d ]; then
	echo
	echo "gles-composite-bench in the guest (GLES2 on GBM on card0, kms_swrast, vs pixman):"
	sed -n 's/^COMPOSITE //p' "$T_DIR/console.log"
fi
