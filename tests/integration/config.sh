#!/bin/bash
# A config file with broken lines starts with the good ones applied and the errors
# reported with file and line numbers; a reload applies a changed file.
. "$TESTS_DIR/lib.sh"
cat >"$T_DIR/lumen.ini" <<'INI'
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
INI
start_lumen
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

spawn win "$TC_KEYLOG" --title cfg-win
wait_for 20 has_window cfg-win
sleep 0.3
capture "$T_DIR/deco.png"
x=$(window_field cfg-win x); y=$(window_field cfg-win y)
red=$("$PNG_TOOL" count "$T_DIR/deco.png" "$((x + 2))" "$((y + 2))" 60 38 ff0000)
[ "$red" -gt 1000 ]
ok $? "the title bar is 40 high and red as configured ($red red pixels)"

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
