#!/bin/bash
# An X11 client (xeyes) maps as a window through Xwayland.
#
# Xwayland's sockets live in /tmp/.X11-unix, shared by the whole machine (and
# refused by wlroots when another user made it). As root, the test gets a private
# one in its own mount namespace, so it neither disturbs nor depends on others.
if [ -z "${LUMEN_XW_NS:-}" ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null &&
		unshare --mount --propagation private true 2>/dev/null; then
	export LUMEN_XW_NS=1
	exec unshare --mount --propagation private sh -c \
		'mkdir -p /tmp/.X11-unix && mount -t tmpfs -o mode=1777 tmpfs /tmp/.X11-unix && exec "$0"' "$0"
fi
. "$TESTS_DIR/lib.sh"
if ! command -v Xwayland >/dev/null || ! command -v xeyes >/dev/null; then
	echo "1..0 # SKIP Xwayland or xeyes is not installed"
	exit 0
fi
LUMEN_XWAYLAND=1 start_lumen
display=$(grep -o 'DISPLAY=:[0-9]*' "$T_DIR/lumen.log" | head -n 1 | cut -d= -f2)
[ -n "$display" ]
ok $? "lumen offers an X display ($display)"
DISPLAY=$display spawn xeyes xeyes -geometry 300x200
wait_for 30 has_window xeyes
ok $? "xeyes maps as a window"
[ "$(ipc_json "[w['xwayland'] for w in j['windows'] if w['app_id']=='XEyes'][0]" windows 2>/dev/null)" = 1 ]
ok $? "it is listed as an Xwayland window"
w=$(window_field xeyes width 2>/dev/null || window_field XEyes width)
[ "$w" -ge 300 ]
ok $? "with its size (frame $w wide)"
sleep 0.5
capture "$T_DIR/x.png"
x=$(window_field XEyes x); y=$(window_field XEyes y)
colours=$("$PNG_TOOL" distinct "$T_DIR/x.png" $((x + 4)) $((y + 32)) 290 190)
[ "$colours" -gt 2 ]
ok $? "its eyes are drawn ($colours colours)"
done_testing
