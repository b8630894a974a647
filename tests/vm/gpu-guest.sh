#!/bin/sh
# /test.sh in the guest of gpu-vm.sh (busybox sh; virtio-gpu's modules are loaded).
# Runs the whole lumen-gpu-test suite on /dev/dri/card0 and prints its TAP, its
# capability report and its JSON summary on the console, each line tagged for the host.
# From the kernel command line: GPU_EXPECTED (the expected-failure file), MESA_DIR
# (Debian's Mesa, staged by gpu-vm.sh), GPU_TEST_ARGS (more options, e.g. --run).
export XDG_RUNTIME_DIR=/run/user/0
mkdir -p "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
export LD_LIBRARY_PATH="$MESA_DIR/lib"
export LIBGL_DRIVERS_PATH="$MESA_DIR/dri" GBM_DRIVERS_PATH="$MESA_DIR/dri"
export __EGL_VENDOR_LIBRARY_DIRS="$MESA_DIR/egl"

i=0
while [ ! -e /dev/dri/card0 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
find /dev/dri -mindepth 1 -maxdepth 1 -exec basename {} \; | sort | sed 's/^/VM guest: dri /'

# Under the sanitizers: Mesa's driver stays loaded (preloaded) in lumen-gpu-test and in
# the lumen-displayd it starts (which opens GBM too), so that a leak of Mesa's keeps its
# module's name for lsan.supp's virtio_gpu_dri.so line; eglTerminate and gbm_device_destroy
# unload it, and a leak in an unloaded module has no name to match. As guest-gles.sh does.
if [ -n "${ASAN_OPTIONS:-}" ]; then
	export ASAN_OPTIONS="$ASAN_OPTIONS:verify_asan_link_order=0"
	export LD_PRELOAD="$MESA_DIR/dri/virtio_gpu_dri.so"
fi

lumen-gpu-test --device /dev/dri/card0 --caps >/tmp/caps.txt 2>&1
sed 's/^/CAPS /' /tmp/caps.txt

start=$(cut -d' ' -f1 /proc/uptime)
# shellcheck disable=SC2086
lumen-gpu-test --device /dev/dri/card0 --displayd /usr/bin/lumen-displayd \
	--expected-failures "$GPU_EXPECTED" --json /tmp/gpu.json $GPU_TEST_ARGS \
	>/tmp/tap.txt 2>/tmp/stderr.txt
status=$?
end=$(cut -d' ' -f1 /proc/uptime)
echo "VM gpu: exit $status after $start..$end s of uptime"
sed 's/^/GPU /' /tmp/tap.txt
tail -n 60 /tmp/stderr.txt | sed 's/^/GPU-STDERR /'
for log in /tmp/lumen-gpu-test.*/displayd.log; do
	[ -f "$log" ] && tail -n 40 "$log" | sed 's/^/DISPLAYD /'
done
[ -f /tmp/gpu.json ] && sed 's/^/JSON /' /tmp/gpu.json
exit 0
