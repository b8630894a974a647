#!/bin/bash
# wtype (virtual keyboard) types a UTF-8 string that a client receives exactly.
. "$TESTS_DIR/lib.sh"
start_lumen

spawn keylog "$TC_KEYLOG" --title keylog
wait_for 20 out_has keylog "focus in"
ok $? "the key logger has keyboard focus"
text='Grüße, мир! ½ — ✓'
WAYLAND_DISPLAY=$T_SOCKET-trusted wtype "$text" 2>"$T_DIR/wtype.err"
ok $? "wtype runs on the trusted socket"
wait_for 10 out_has keylog "text: $text"
ok $? "the client received exactly '$text'"
! WAYLAND_DISPLAY=$T_SOCKET wtype "nope" 2>/dev/null
ok $? "wtype on the ordinary socket is refused (no virtual keyboard there)"
sleep 0.3
! out_has keylog "nope"
ok $? "and nothing it tried reached the client"
done_testing
