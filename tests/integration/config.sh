#!/bin/bash
# A config file with broken lines starts with the good ones applied and the errors
# reported with file and line numbers; a reload applies a changed file.
. "$TESTS_DIR/lib.sh"
cat >"$T_DIR/lumen.ini" <<INI
[keyboard]
layout = us,de
repeat_rate = 40
this line has no equals sign
[decorations]
title_height = 40
focused = #ff0000
unfocused = not-a-colour
[nonsense]
key = value
[bindings]
Super+Frobnicate = exec true
Ctrl+Alt+y = workspace 4
[output HEADLESS-1]
mode = 1024x768
position = 0,0
[output HEADLESS-2]
position = 2000,100
scale = 2
[autostart]
logger = $TC_KEYLOG --title autostarted
globals = $TC_GLOBALS > $T_DIR/autostart-globals.txt
INI
LUMEN_AUTOSTART=1 start_lumen -o 1280x720,1280x720
log="$T_DIR/lumen.log"
grep -q "lumen.ini:4:" "$log"
ok $? "line 4 (no '=') is reported with its line number"
grep -q "lumen.ini:8:" "$log"
ok $? "line 8 (bad colour) is reported"
grep -q "lumen.ini:9:" "$log" || grep -q "lumen.ini:10:" "$log"
ok $? "the unknown section is reported"
grep -q "lumen.ini:12:" "$log"
ok $? "the unknown key name in a binding is reported"

w=$(ipc_json "j['outputs'][0]['width']" outputs)
[ "$w" = 1024 ]
ok $? "the good [output] mode applied ($w wide)"
layouts=$(ipc_json "','.join(j['layouts'])" get-layout)
diag "layouts: $layouts"
echo "$layouts" | grep -q "German"
ok $? "the good keyboard layouts applied ($layouts)"

x2=$(ipc_json "[o['x'] for o in j['outputs'] if o['name']=='HEADLESS-2'][0]" outputs)
s2=$(ipc_json "[o['scale'] for o in j['outputs'] if o['name']=='HEADLESS-2'][0]" outputs)
[ "$x2" = 2000 ] && [ "$s2" = 2.0 ]
ok $? "the second output is where [output] put it, at scale 2 (x=$x2, scale $s2)"
wait_for 20 has_window autostarted
ok $? "[autostart] started a program"
wait_for 10 grep -q '^zwlr_screencopy_manager_v1 ' "$T_DIR/autostart-globals.txt"
ok $? "which is trusted with the privileged globals"

spawn win "$TC_KEYLOG" --title cfg-win
wait_for 20 has_window cfg-win
sleep 0.3
capture "$T_DIR/deco.png" HEADLESS-1
x=$(window_field cfg-win x); y=$(window_field cfg-win y)
red=$("$PNG_TOOL" count "$T_DIR/deco.png" "$((x + 2))" "$((y + 2))" 60 38 ff0000)
[ "$red" -gt 1000 ]
ok $? "the title bar is 40 high and red as configured ($red red pixels)"

grep -q "repeat: 40 600" "$T_DIR/win.out"
ok $? "clients get the configured key repeat (40 per second after 600 ms)"

# Switching layouts over IPC: the client is told, and subscribers hear of it.
"$LUMENCTL" subscribe layout >"$T_DIR/layout-events.out" 2>&1 &
T_PIDS="$T_PIDS $!"
sleep 0.3
"$LUMENCTL" layout 1 >/dev/null
ok $? "lumenctl layout 1 is accepted"
wait_for 5 out_has win "layout: German"
ok $? "the focused client is switched to the German layout"
[ "$(ipc_json "j['index']" get-layout)" = 1 ]
ok $? "get-layout reports index 1"
wait_for 5 grep -q '"German' "$T_DIR/layout-events.out"
ok $? "a subscriber hears the layout change"
! "$LUMENCTL" layout 7 >/dev/null 2>&1
ok $? "a layout that is not configured is refused"

inject mod ctrl press mod alt press key y tap mod alt release mod ctrl release
wait_for 5 sh -c "$LUMENCTL -c workspaces | python3 -c 'import json,sys; sys.exit(0 if [w for w in json.load(sys.stdin)[\"workspaces\"] if w[\"focused\"]][0][\"num\"]==4 else 1)'"
ok $? "the good binding (Ctrl+Alt+y) works"

# Reload with a changed file: the error list goes away, new values apply.
cat >"$T_DIR/lumen.ini" <<'INI'
[decorations]
title_height = 20
[output HEADLESS-1]
mode = 800x600
INI
reply=$("$LUMENCTL" -c reload)
echo "$reply" | grep -q '"errors": *\[ *\]'
ok $? "reload reports no errors for a clean file ($reply)"
w=$(ipc_json "j['outputs'][0]['width']" outputs)
[ "$w" = 800 ]
ok $? "reload applied the new mode ($w wide)"
printf '[keyboard]\nrepeat_rate = fast\n' >"$T_DIR/lumen.ini"
reply=$("$LUMENCTL" -c reload)
echo "$reply" | grep -q 'lumen.ini:2'
ok $? "a reload with a bad line reports it with its line ($reply)"
done_testing
