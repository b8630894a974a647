#!/bin/bash
# wlr-randr lists the outputs and changes a mode, and clients see the new size.
. "$TESTS_DIR/lib.sh"
start_lumen -o 1280x720,1024x768

list=$(WAYLAND_DISPLAY=$T_SOCKET-trusted wlr-randr 2>&1)
diag "$list"
echo "$list" | grep -q '^HEADLESS-1' && echo "$list" | grep -q '^HEADLESS-2'
ok $? "wlr-randr lists both outputs"
n=$(ipc_json "len(j['outputs'])" outputs)
[ "$n" = 2 ]
ok $? "lumenctl agrees: $n outputs"

spawn max "$TC_KEYLOG" --title randr-max
wait_for 20 has_window randr-max
id=$(window_field randr-max id)
"$LUMENCTL" fullscreen "$id" on >/dev/null
wait_for 10 out_has max "configure 1280 720"
ok $? "a fullscreen client is configured to 1280x720"

WAYLAND_DISPLAY=$T_SOCKET-trusted wlr-randr --output HEADLESS-1 --custom-mode 800x600 2>"$T_DIR/randr.err"
ok $? "wlr-randr sets a new mode"
wait_for 10 sh -c "$LUMENCTL -c outputs | grep -q '\"width\": *800'"
ok $? "the output is now 800 wide"
wait_for 10 out_has max "configure 800 600"
ok $? "the fullscreen client is told the new size"
w=$(ipc_json "[o for o in j['outputs'] if o['name']=='HEADLESS-1'][0]['width']" outputs)
h=$(ipc_json "[o for o in j['outputs'] if o['name']=='HEADLESS-1'][0]['height']" outputs)
capture "$T_DIR/after.png" HEADLESS-1
[ "$("$PNG_TOOL" size "$T_DIR/after.png")" = "$w $h" ]
ok $? "a capture of it is ${w}x${h}"
done_testing
