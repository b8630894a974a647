#!/bin/sh
# /test.sh in the guest of gles-vm.sh (busybox sh; virtio-gpu's modules are loaded).
# The whole stack on virtio-gpu: lumen-displayd --kms, lumen on it (its lumen-display
# backend; wlroots picks the renderer: GLES2 on the render node displayd offers, else
# pixman) and lumen-vm-dmabuf-client, which draws with GLES into a GBM buffer and
# attaches it through zwp_linux_dmabuf_v1. Lines for the host: "VM gles: ...", the
# client's "VM dmabuf: ...", "DISPLAYCTL ...", "LUMEN ...", "DISPLAYD ...".
# From the kernel command line: MESA_DIR (Debian's Mesa, staged by stage-mesa.sh).
export XDG_RUNTIME_DIR=/run/user/0
mkdir -p "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
export HOME=/root
mkdir -p "$HOME"
export LD_LIBRARY_PATH="$MESA_DIR/lib"
export LIBGL_DRIVERS_PATH="$MESA_DIR/dri" GBM_DRIVERS_PATH="$MESA_DIR/dri"
export __EGL_VENDOR_LIBRARY_DIRS="$MESA_DIR/egl"

i=0
while [ ! -e /dev/dri/card0 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
find /dev/dri -mindepth 1 -maxdepth 1 -exec basename {} \; | sort | sed 's/^/VM guest: dri /'

wait_for() { # file text seconds
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null && [ $i -lt $(($3 * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# LUMEN_LOG=debug lets wlroots' own lines through: which EGL device, which GL renderer.
# Under the sanitizers, for lumen and displayd (both load Mesa): Mesa's driver stays loaded (preloaded), so that
# its leaks keep its name and lsan.supp's virtio_gpu_dri.so line applies (eglTerminate
# unloads it, and a leak in an unloaded module has no name to match); and one more
# suppression: wlroots 0.15.1's get_egl_device_from_drm_fd (render/egl.c) never frees
# the drmDevice it gets from drmGetDevice (wlroots' bug; lumen's own code calls no libdrm).
lumen_asan=${ASAN_OPTIONS:-}
lumen_lsan=${LSAN_OPTIONS:-}
lumen_preload=
if [ -n "$lumen_asan" ]; then
	lumen_asan="$lumen_asan:verify_asan_link_order=0"
	lumen_preload="$MESA_DIR/dri/virtio_gpu_dri.so"
	supp=$(echo "$lumen_lsan" | tr ':' '\n' | sed -n 's/^suppressions=//p')
	{
		[ -f "$supp" ] && cat "$supp"
		echo "leak:libdrm.so.2"
	} >/tmp/lumen-lsan.supp
	lumen_lsan="$(echo "$lumen_lsan" | tr ':' '\n' | grep -v '^suppressions=' | tr '\n' ':')"
	lumen_lsan="${lumen_lsan}suppressions=/tmp/lumen-lsan.supp"
fi
# displayd loads Mesa too (GBM for its scanout buffers and imports): the same settings.
ASAN_OPTIONS=$lumen_asan LSAN_OPTIONS=$lumen_lsan LD_PRELOAD=$lumen_preload \
	lumen-displayd --kms >/tmp/displayd.log 2>&1 &
dpid=$!
wait_for /tmp/displayd.log listening 60

ASAN_OPTIONS=$lumen_asan LSAN_OPTIONS=$lumen_lsan LD_PRELOAD=$lumen_preload \
	LUMEN_LOG=debug LUMEN_DISPLAY=lumen-display-0 WLR_LIBINPUT_NO_DEVICES=1 \
	lumen --no-xwayland --no-autostart -S wayland-1 -c /dev/null >/tmp/lumen.log 2>&1 &
lpid=$!
wait_for /tmp/lumen.log 'running on WAYLAND_DISPLAY' 120
# The renderer lumen chose, as its IPC reports it (the host reads the JSON).
WAYLAND_DISPLAY=wayland-1 lumenctl -c outputs 2>&1 | head -n 1 | sed 's/^/LUMENCTL /'

WAYLAND_DISPLAY=wayland-1 lumen-vm-dmabuf-client >/tmp/client.out 2>&1 &
cpid=$!
wait_for /tmp/client.out 'presented\|FAIL' 120
sed -n 's/^\(VM dmabuf: .*\)/\1/p' /tmp/client.out
lumen-displayctl list 2>&1 | sed 's/^/DISPLAYCTL /'
echo "@@screendump gles-window"
read -r reply && [ "$reply" = ok ] || echo "VM gles: FAIL screendump: $reply"
# displayd's own capture of the same picture (a dmabuf read back through GBM, or its
# GBM scanout buffer), sent to the host as base64 to compare with the screendump.
output=$(lumen-displayctl list 2>/dev/null | head -n 1)
if lumen-displayctl capture "$output" /tmp/capture.png >/tmp/capture.err 2>&1; then
	echo "VM gles: capture of $output"
	base64 /tmp/capture.png | sed 's/^/VM b64 /'
else
	echo "VM gles: FAIL capture: $(cat /tmp/capture.err)"
fi

kill -TERM $cpid
wait $cpid
echo "VM gles: client exit $?"
kill -TERM $lpid
wait $lpid
echo "VM gles: lumen exit $?"
kill -TERM $dpid
wait $dpid
echo "VM gles: displayd exit $?"
grep -v '^VM dmabuf: ' /tmp/client.out | sed 's/^/CLIENT /'
# The renderer and allocator choice, warnings and errors: not every debug line.
grep -E 'EGL|GL |GLES|renderer|allocator|[Dd]ma-?buf|DRM|render node|ERROR|WARN|running on|display server|Sanitizer|runtime error' \
	/tmp/lumen.log | head -n 150 | sed 's/^/LUMEN /'
tail -n 15 /tmp/lumen.log | sed 's/^/LUMEN-TAIL /'
# A sanitizer's report whole, from its first line.
sed -n '/==ERROR: \|runtime error:/,$p' /tmp/lumen.log | head -n 200 | sed 's/^/LUMEN-SAN /'
grep -E 'GBM|scanout buffers|scanned out|read a dmabuf' /tmp/displayd.log | head -n 20 |
	sed 's/^/DISPLAYD /'
sed 's/^/DISPLAYD /' /tmp/displayd.log | tail -n 60
exit 0
