#!/bin/bash
# The README's first command, scripts/desktop.sh, on a machine with no display: it
# says it runs on virtual outputs, offers VNC on 127.0.0.1 and a screenshot command
# that works, and a terminal shows up.
. "$TESTS_DIR/lib.sh"
if ! command -v wayvnc >/dev/null; then
	echo "1..0 # SKIP wayvnc is not installed"
	exit 0
fi
root=$(cd "$TESTS_DIR/.." && pwd)
build=$(cd "$(dirname "$LUMEN")/.." && pwd)
port=$((20000 + $$ % 20000))
LUMEN_BUILD_DIR="$build" LUMEN_VNC_PORT=$port LUMEN_SOCKET=lumen-desktop \
	LUMEN_OUTPUTS=1280x720 "$root/scripts/desktop.sh" >"$T_DIR/desktop.out" 2>&1 &
T_PIDS="$T_PIDS $!"
wait_for 60 out_has desktop "lumen: WAYLAND_DISPLAY=lumen-desktop"
ok $? "desktop.sh starts lumen"
out_has desktop "no display here: running on virtual outputs"
ok $? "it says it runs on virtual outputs"
out_has desktop "connect a VNC viewer to 127.0.0.1:$port"
ok $? "it names the VNC address"

rfb() {
	python3 - "$port" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2)
banner = s.recv(12)
s.close()
sys.exit(0 if banner.startswith(b"RFB ") else 1)
PY
}
wait_for 20 rfb
ok $? "a VNC server answers there with the RFB handshake"
! ss -ltn 2>/dev/null | grep -q "0.0.0.0:$port\|\*:$port\|\[::\]:$port"
ok $? "and listens on loopback only"

shot=$(grep -o "lumenctl --socket [^ ]* screenshot" "$T_DIR/desktop.out" | awk '{print $3}')
wait_for 20 sh -c "\"$LUMENCTL\" --socket '$shot' -c windows | grep -q '\"foot\"'"
ok $? "a foot terminal is open"
"$LUMENCTL" --socket "$shot" screenshot "$T_DIR/shot.png" >/dev/null
ok $? "the screenshot command it prints works"
size=$("$PNG_TOOL" size "$T_DIR/shot.png")
[ "$size" = "1280 720" ]
ok $? "and gives the whole output ($size)"
colours=$("$PNG_TOOL" distinct "$T_DIR/shot.png" 0 0 1280 720)
[ "$colours" -gt 10 ]
ok $? "with the terminal drawn in it ($colours colours)"
done_testing
