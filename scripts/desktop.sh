#!/bin/sh
# Starts the Lumen desktop: installs what it needs, builds, and runs it under
# lumen-session (display server, compositor, autostart clients; restarted on a crash).
#  - inside another Wayland or X11 session: in a window there;
#  - on a machine with a GPU and a free VT: on the screens (DRM, via libseat);
#  - on a machine with no display: on virtual (headless) outputs, with a VNC server
#    on 127.0.0.1 and screenshots on request.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build="${LUMEN_BUILD_DIR:-$root/build}"

"$root/scripts/install-deps.sh"
echo "lumen: building in $build (the first time takes a few minutes)"
mkdir -p "$build"
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$root" >"$build/setup.log" 2>&1 || {
		cat "$build/setup.log"
		exit 1
	}
fi
ninja -C "$build" >"$build/ninja.log" 2>&1 || {
	tail -n 40 "$build/ninja.log"
	exit 1
}

if [ -z "${XDG_RUNTIME_DIR:-}" ]; then
	XDG_RUNTIME_DIR=$(mktemp -d /tmp/lumen-runtime.XXXXXX)
	export XDG_RUNTIME_DIR
fi
chmod 700 "$XDG_RUNTIME_DIR"

outputs="${LUMEN_OUTPUTS:-1920x1080}"
# lumen-session owns the Wayland socket and starts lumen-displayd, then lumen-inputd, then
# lumen, then the autostart clients, and starts again whichever crashes (lumen survives
# an inputd crash: it reconnects, and keys held then are released).
set -- --compositor "$build/compositor/lumen" -- "$@"
set -- --inputd "$build/input/lumen-inputd" "$@"
# The accessibility bus and the screen reader (muted until Super+Alt+S) are the
# session's too, so that a crash of either is survived; lumen-reader --toggle is found
# on PATH by the binding.
export PATH="$build/a11y:$PATH"
set -- --autostart "$build/a11y/lumen-a11yd" --autostart "lumen-reader --muted" "$@"
if [ -n "${WAYLAND_DISPLAY:-}" ] || [ -n "${DISPLAY:-}" ]; then
	echo "lumen: running in a window of the current session"
	# The input comes from that session; inputd serves drivers (lumen-inputctl) only.
	set -- --no-displayd --inputd-arg --no-libinput "$@"
elif ls /dev/dri/card* >/dev/null 2>&1 && [ -z "${LUMEN_HEADLESS:-}" ]; then
	echo "lumen: running on this machine's screens"
	set -- --displayd "$build/display-server/lumen-displayd" --displayd-arg --kms "$@"
else
	port="${LUMEN_VNC_PORT:-5900}"
	echo "lumen: no display here: running on virtual outputs ($outputs)."
	echo "lumen: to see it, connect a VNC viewer to 127.0.0.1:$port"
	echo "lumen: for a screenshot: $build/compositor/lumenctl" \
		"--socket $XDG_RUNTIME_DIR/lumen-ipc.${LUMEN_SOCKET:-lumen-0}.sock screenshot FILE.png"
	# wayvnc is the session's: trusted, and started again if it fails.
	set -- --displayd "$build/display-server/lumen-displayd" \
		--autostart "wayvnc 127.0.0.1 $port" "$@"
	# No input devices here: inputd serves drivers (lumen-inputctl) only.
	[ -d /dev/input ] || set -- --inputd-arg --no-libinput "$@"
	# Prepended one by one, so taken last to first: the first stays leftmost.
	for mode in $(echo "$outputs" | tr ',' '\n' | tac); do
		case "$mode" in
		*@*) ;;
		*) mode="$mode@60" ;;
		esac
		set -- --virtual "$mode" "$@"
	done
	# The compositor's own headless backend gives the seat its virtual input devices.
	export WLR_LIBINPUT_NO_DEVICES=1
	[ -e /dev/dri ] || export WLR_RENDERER=pixman
fi

config="${XDG_CONFIG_HOME:-$HOME/.config}/lumen/lumen.ini"
[ -f "$config" ] || config="$root/data/lumen.ini"

socket="${LUMEN_SOCKET:-lumen-0}"
echo "lumen: WAYLAND_DISPLAY=$socket XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR; Ctrl+C to stop"
# "--" closed the session's options above: what follows goes to lumen.
exec "$build/session/lumen-session" -S "$socket" "$@" -c "$config" -o "$outputs"
