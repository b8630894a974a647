#!/bin/bash
# Workspaces: Super+N shows workspace N, Super+Shift+N moves the focused window
# there; Super+T tiles a workspace; two outputs form one layout.
. "$TESTS_DIR/lib.sh"
start_lumen -o 1280x720,800x600

focused_ws() { ipc_json "[w['num'] for w in j['workspaces'] if w['focused']][0]" workspaces; }
ws_on() { ipc_json "[o['workspace'] for o in j['outputs'] if o['name']=='$1'][0]" outputs; }
[ "$(ws_on HEADLESS-1)" = 1 ] && [ "$(ws_on HEADLESS-2)" = 2 ]
ok $? "each output shows its own workspace (1 and 2)"
x2=$(ipc_json "[o['x'] for o in j['outputs'] if o['name']=='HEADLESS-2'][0]" outputs)
[ "$x2" = 1280 ]
ok $? "the second output sits right of the first in the layout (x=$x2)"

spawn a "$TC_KEYLOG" --title ws-a --color ff0000
wait_for 20 has_window ws-a
[ "$(window_field ws-a workspace)" = 1 ]
ok $? "a new window opens on the focused workspace (1)"

inject mod super press key 3 tap mod super release
wait_for 5 json_is 3 "[w['num'] for w in j['workspaces'] if w['focused']][0]" workspaces
ok $? "Super+3 shows workspace 3"
[ "$(ws_on HEADLESS-1)" = 3 ]
ok $? "on the focused output"
sleep 0.3
capture "$T_DIR/ws3.png" HEADLESS-1
red=$("$PNG_TOOL" count "$T_DIR/ws3.png" 0 0 1280 720 ff0000)
[ "$red" -eq 0 ]
ok $? "workspace 1's window is no longer shown ($red red pixels)"
wait_for 5 out_has a "focus out"
ok $? "and it lost the keyboard focus"

inject mod super press key 1 tap mod super release
wait_for 5 json_is 1 "[w['num'] for w in j['workspaces'] if w['focused']][0]" workspaces
ok $? "Super+1 goes back"
inject mod super press mod shift press key 5 tap mod shift release mod super release
wait_for 5 field_is ws-a workspace 5
ok $? "Super+Shift+5 moves the window to workspace 5"
[ "$(focused_ws)" = 1 ]
ok $? "while the user stays on workspace 1"

inject mod super press key 5 tap mod super release
spawn b "$TC_KEYLOG" --title ws-b --color 00ff00
spawn c "$TC_KEYLOG" --title ws-c --color 0000ff
wait_for 20 has_windows 3
inject mod super press key t tap mod super release
wait_for 5 json_is 1 "[w['tiling'] for w in j['workspaces'] if w['num']==5][0]" workspaces
ok $? "Super+T turns tiling on for workspace 5"
boxes=$("$LUMENCTL" -c windows | python3 -c '
import json,sys
ws=[w for w in json.load(sys.stdin)["windows"] if w["workspace"]==5]
print(" ".join("%d,%d,%d,%d" % (w["x"],w["y"],w["width"],w["height"]) for w in ws))')
diag "tiled: $boxes"
python3 - "$boxes" <<'PY'
import sys
boxes=[tuple(map(int,b.split(","))) for b in sys.argv[1].split()]
area=sum(w*h for x,y,w,h in boxes)
ok=len(boxes)==3 and area==1280*720
for i,a in enumerate(boxes):
    for b in boxes[i+1:]:
        if a[0]<b[0]+b[2] and b[0]<a[0]+a[2] and a[1]<b[1]+b[3] and b[1]<a[1]+a[3]:
            ok=False
sys.exit(0 if ok else 1)
PY
ok $? "three tiled windows cover the output without overlapping"
inject mod super press key t tap mod super release
wait_for 5 json_is 0 "[w['tiling'] for w in j['workspaces'] if w['num']==5][0]" workspaces
ok $? "Super+T again turns it off"

"$LUMENCTL" workspace 2 >/dev/null
[ "$(ws_on HEADLESS-2)" = 2 ] && [ "$(focused_ws)" = 2 ]
ok $? "asking for workspace 2 focuses the output that shows it"
spawn d "$TC_KEYLOG" --title ws-d
wait_for 20 has_window ws-d
dx=$(window_field ws-d x)
[ "$dx" -ge 1280 ]
ok $? "a window opened there is placed on the second output (x=$dx)"
done_testing
