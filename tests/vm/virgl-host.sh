# shellcheck shell=bash
# Sourced by the VM tests that boot a virtio-gpu-gl-pci (virgl) guest: gpu-vm.sh virgl,
# gles-vm.sh virgl. Needs tests/lib.sh (T_DIR, T_PIDS) sourced first.
#
#   virgl_why          prints why virgl cannot run here ("" when it can)
#   virgl_start        starts Xvfb (its pid joins T_PIDS, so lib.sh ends it), exports
#                      DISPLAY, and sets VIRGL_QEMU (a QEMU that shows the guest in an SDL
#                      window with GL on that display) and VIRGL_RUN (vm-run-x11.py: the
#                      guest's screendumps become grabs of that window)
#
# QEMU's 3D (virglrenderer) needs a GL context on the host; on a host with only Mesa's
# llvmpipe, SDL with gl=on on an Xvfb display provides one. -display egl-headless would
# need a host render node, which these machines do not have.

virgl_why() {
	if ! qemu-system-x86_64 -device help 2>/dev/null | grep -q '"virtio-gpu-gl-pci"'; then
		echo "QEMU has no virtio-gpu-gl-pci: install qemu-system-gui (its SDL and OpenGL modules)"
	elif ! qemu-system-x86_64 -display help 2>/dev/null | grep -qx 'sdl'; then
		echo "QEMU has no SDL display: install qemu-system-gui"
	elif ! command -v Xvfb >/dev/null; then
		echo "Xvfb is not installed (xvfb): virgl needs an X display for SDL's GL context"
	elif ! command -v xwd >/dev/null; then
		echo "xwd is not installed (x11-apps): the guest's screen is grabbed from the X display"
	fi
}

virgl_start() {
	# -displayfd: Xvfb picks a free display and writes its number once it is ready.
	Xvfb -displayfd 3 -screen 0 2560x1600x24 -nolisten tcp 3>"$T_DIR/xvfb.display" \
		>"$T_DIR/xvfb.log" 2>&1 &
	T_PIDS="$T_PIDS $!"
	local i=0
	while [ ! -s "$T_DIR/xvfb.display" ] && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -s "$T_DIR/xvfb.display" ] || return 1
	DISPLAY=":$(head -n 1 "$T_DIR/xvfb.display")"
	export DISPLAY
	# vm-run.py runs "qemu ... -display none ..."; this one swaps in SDL with GL and names
	# the window (its title becomes "QEMU (lumen-vm-0)", which vm-run-x11.py grabs).
	cat >"$T_DIR/qemu-sdl-gl" <<'WRAP'
#!/bin/sh
prev=
for a in "$@"; do
	shift
	if [ "$a" = none ] && [ "$prev" = -display ]; then
		a=sdl,gl=on
	fi
	set -- "$@" "$a"
	prev=$a
done
exec qemu-system-x86_64 -name lumen-vm "$@"
WRAP
	chmod 755 "$T_DIR/qemu-sdl-gl"
	VIRGL_QEMU="$T_DIR/qemu-sdl-gl"
	VIRGL_RUN="$VM_DIR/vm-run-x11.py"
	export LUMEN_VM_WINDOW="QEMU (lumen-vm-0)" # QEMU names its first console's window so
}
