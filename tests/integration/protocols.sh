#!/bin/bash
# Protocols that lumen announces must also work: relative pointer, pointer lock and
# confinement, gestures, keyboard shortcuts inhibition, idle and idle inhibition,
# xdg activation, xdg-foreign, viewporter and presentation time. Each is put to work by
# lumen-test-protocols, which prints what it was answered, and checked where a person
# would notice: the workspace shown, the window focused, the pixels on screen.
. "$TESTS_DIR/lib.sh"
start_lumen

# out_line NAME LINE: NAME printed exactly LINE
out_line() {
	grep -qxF -- "$2" "$T_DIR/$1.out"
}

count_at_least() { # NAME fixed-string N: re-read on every try of wait_for
	[ "$(out_count "$1" "$2")" -ge "$3" ]
}

out_count() { # NAME fixed-string
	grep -cF -- "$2" "$T_DIR/$1.out"
}

# spawn_fed NAME command...: spawn, with stdin from a pipe that `feed NAME LINE` writes to
spawn_fed() {
	name=$1
	shift
	mkfifo "$T_DIR/$name.in"
	"$@" <"$T_DIR/$name.in" >"$T_DIR/$name.out" 2>&1 &
	T_PIDS="$T_PIDS $!"
	eval "PID_$name=$!"
	# Opening the write end waits for the client to open its end.
	exec {fd}>"$T_DIR/$name.in"
	eval "FD_$name=$fd"
}

feed() { # NAME LINE
	fd=""
	eval "fd=\${FD_$1:-}"
	# A client that died must fail the test that fed it, not kill the script (SIGPIPE).
	(printf '%s\n' "$2" >&"$fd") 2>/dev/null
}

# Ends one client started by spawn or spawn_fed.
end_client() { # NAME
	pid=""
	eval "pid=\${PID_$1:-}"
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	eval "fd=\${FD_$1:-}"
	if [ -n "$fd" ]; then
		exec {fd}>&-
		eval "FD_$1="
	fi
}

alive() { # NAME
	pid=""
	eval "pid=\${PID_$1:-}"
	kill -0 "$pid" 2>/dev/null
}

# Sends "sync" and waits for its answer: everything the compositor sent the client
# before then has been printed.
synced() { # NAME
	want=$(( $(out_count "$1" "synced ") + 1 ))
	feed "$1" sync
	wait_for 5 count_at_least "$1" "synced " "$want"
}

# Waits for a window to be mapped and known to lumen; bails if it never comes.
wait_window() { # NAME TITLE
	wait_for 10 out_line "$1" mapped && wait_for 5 has_window "$2" ||
		bail "$2 did not map: $(tail -n 3 "$T_DIR/$1.out" 2>/dev/null)"
}

centre_of() { # TITLE -> "X Y" in layout coordinates
	"$LUMENCTL" -c windows | python3 -c "
import json,sys
for w in json.load(sys.stdin)['windows']:
    if w['title']=='$1':
        print(w['x']+w['width']//2, w['y']+w['height']//2); break
else:
    sys.exit(1)"
}

# Puts the pointer in the middle of a window and waits until its client knows.
point_at() { # NAME TITLE
	read -r px py < <(centre_of "$2")
	inject move-abs "$px" "$py" 1280 720
	wait_for 5 out_has "$1" "pointer enter"
}

focused_ws() {
	ipc_json "[w['num'] for w in j['workspaces'] if w['focused']][0]" workspaces
}

# ---- zwp_relative_pointer_manager_v1
spawn rel "$TC_PROTOCOLS" relative --title p-rel
wait_window rel p-rel
point_at rel p-rel
inject move 7 3
wait_for 5 out_line rel "relative 7.00 3.00 unaccel 7.00 3.00"
ok $? "relative pointer: motion by (7,3) arrives as relative motion"
inject move -4 9
wait_for 5 out_line rel "relative -4.00 9.00 unaccel -4.00 9.00"
ok $? "relative pointer: and (-4,9) too"
end_client rel

# ---- zwp_pointer_constraints_v1: lock
spawn_fed lock "$TC_PROTOCOLS" lock --stdin --title p-lock
wait_window lock p-lock
point_at lock p-lock
read -r ex ey < <(sed -n 's/^pointer enter //p' "$T_DIR/lock.out" | tail -n 1)
wait_for 3 out_line lock locked
ok $? "pointer lock: the client is told 'locked' once the pointer is on its surface"
motions=$(out_count lock "pointer motion")
inject move 40 25
wait_for 5 out_line lock "relative 40.00 25.00 unaccel 40.00 25.00"
ok $? "pointer lock: relative motion still arrives while locked"
synced lock
[ "$(out_count lock "pointer motion")" -eq "$motions" ]
ok $? "pointer lock: no pointer motion reaches the client while locked"
feed lock release
wait_for 5 out_line lock released
inject move 1 0
wait_for 5 out_has lock "pointer motion"
read -r mx my < <(sed -n 's/^pointer motion //p' "$T_DIR/lock.out" | tail -n 1)
[ "$mx" = $((ex + 1)) ] && [ "$my" = "$ey" ]
ok $? "pointer lock: the cursor stayed put (locked at $ex,$ey; unlocked, 1 px right: $mx,$my)"
end_client lock

# ---- zwp_pointer_constraints_v1: confine
spawn confine "$TC_PROTOCOLS" confine --title p-confine
wait_window confine p-confine
point_at confine p-confine
wait_for 3 out_line confine confined
ok $? "pointer confinement: the client is told 'confined' once the pointer is on its surface"
end_client confine

# ---- zwp_pointer_gestures_v1
spawn_fed gest "$TC_PROTOCOLS" gestures --stdin --title p-gest
wait_for 10 out_has gest "gestures created: swipe pinch hold (version 3)"
ok $? "gestures: swipe, pinch and hold objects are created at version 3"
feed gest release
wait_for 5 out_line gest released && alive gest
ok $? "gestures: and destroyed again without a protocol error"
diag "gesture events themselves need a touchpad: neither the headless backend nor the"
diag "virtual pointer protocol can make one, so none is sent here"
end_client gest

# ---- zwp_keyboard_shortcuts_inhibit_manager_v1
spawn_fed si "$TC_PROTOCOLS" shortcuts-inhibit --stdin --title p-si
wait_window si p-si
wait_for 5 field_is p-si focused 1 || bail "p-si never got the focus"
wait_for 3 out_line si "inhibitor active"
ok $? "shortcuts inhibitor: active while its window has the keyboard"
inject mod super press key 3 tap mod super release
synced si
out_line si "keysym: 3"
ok $? "shortcuts inhibitor: Super+3 reaches the client as keys"
[ "$(focused_ws)" = 1 ]
ok $? "shortcuts inhibitor: and does not switch workspace (focused: $(focused_ws))"
# From here on, as if the part above had worked.
"$LUMENCTL" workspace 1 >/dev/null
wait_for 5 field_is p-si focused 1
feed si release
wait_for 5 out_line si released
presses=$(out_count si "keysym: 3")
inject mod super press key 3 tap mod super release
wait_for 5 json_is 3 "[w['num'] for w in j['workspaces'] if w['focused']][0]" workspaces
ok $? "shortcuts inhibitor: once destroyed, Super+3 switches to workspace 3"
synced si
[ "$(out_count si "keysym: 3")" -eq "$presses" ]
ok $? "shortcuts inhibitor: and the 3 no longer reaches the client"
"$LUMENCTL" workspace 1 >/dev/null
end_client si

# ---- xdg_activation_v1
spawn_fed actb "$TC_PROTOCOLS" activate --stdin --title p-act-b
wait_window actb p-act-b
spawn acta "$TC_PROTOCOLS" activation-token --title p-act-a
wait_window acta p-act-a
wait_for 5 out_has acta "token: "
token=$(sed -n 's/^token: //p' "$T_DIR/acta.out" | head -n 1)
wait_for 5 field_is p-act-a focused 1
ok $? "activation: the focused window got a token (${token:-none})"
feed actb "activate not-a-token-$$"
wait_for 5 out_line actb "activate sent"
field_is p-act-a focused 1 && field_is p-act-b focused 0
ok $? "activation: an unknown token activates nothing"
# A window that is not focused mints its own token and tries to take the focus.
feed actb token
wait_for 5 out_has actb "token: "
own=$(sed -n 's/^token: //p' "$T_DIR/actb.out" | head -n 1)
feed actb "activate $own"
wait_for 5 count_at_least actb "activate sent" 2
sleep 0.3
field_is p-act-a focused 1 && field_is p-act-b focused 0
ok $? "activation: an unfocused window cannot steal the focus with a token of its own"
feed actb "activate $token"
wait_for 5 field_is p-act-b focused 1
ok $? "activation: the token lets the other window activate itself (focused in lumenctl)"
wait_for 5 count_at_least actb "focus in" 2
ok $? "activation: and that window gets the keyboard"
end_client acta
end_client actb

# ---- zxdg_exporter_v2 / zxdg_importer_v2
spawn exp "$TC_PROTOCOLS" export --title p-parent
wait_window exp p-parent
wait_for 5 out_has exp "handle: "
handle=$(sed -n 's/^handle: //p' "$T_DIR/exp.out" | head -n 1)
[ -n "$handle" ]
ok $? "xdg-foreign: exporting a toplevel gives a handle (${handle:-none})"
spawn_fed imp "$TC_PROTOCOLS" import "$handle" --stdin --title p-child
wait_window imp p-child
wait_for 5 out_line imp "parent set"
synced imp
out_line imp imported && ! out_line imp destroyed && alive imp
ok $? "xdg-foreign: another client imports it and sets it as its parent (no destroyed, no error)"
parent_id=$(window_field p-parent id)
wait_for 5 field_is p-child parent "$parent_id"
ok $? "xdg-foreign: lumenctl shows the importer's window as a child of the exported one"
spawn bogus "$TC_PROTOCOLS" import "no-such-handle-$$" --title p-orphan
wait_window bogus p-orphan
wait_for 5 out_line bogus destroyed
ok $? "xdg-foreign: an unknown handle is answered with destroyed"
end_client exp
wait_for 5 out_line imp destroyed && alive imp
ok $? "xdg-foreign: when the exported window goes, the importer is told (destroyed)"
end_client bogus
end_client imp

# ---- wp_viewporter
spawn vp "$TC_PROTOCOLS" viewport --buffer 100x100 --dest 300x200 --color c83cb4 --title p-vp
wait_window vp p-vp
inject move-abs 1279 719 1280 720
read -r vx vy < <(centre_of p-vp)
vp_count() { # X Y W H
	"$PNG_TOOL" count "$T_DIR/vp.png" "$@" c83cb4
}
vp_shown() {
	capture "$T_DIR/vp.png" && [ "$(vp_count 0 0 1280 720)" -ge 50000 ]
}
wait_for 5 vp_shown
total=$(vp_count 0 0 1280 720)
row=$(vp_count 0 "$vy" 1280 1)
col=$(vp_count "$vx" 0 1 720)
[ "$total" -eq 60000 ]
ok $? "viewporter: a 100x100 buffer with destination 300x200 covers 60000 pixels ($total)"
[ "$row" -eq 300 ] && [ "$col" -eq 200 ]
ok $? "viewporter: 300 wide ($row) and 200 high ($col)"
end_client vp

# ---- wp_presentation
spawn pres "$TC_PROTOCOLS" presentation --frames 30 --timeout 20 --title p-pres
wait_for 15 out_has pres "summary "
summary=$(grep '^summary ' "$T_DIR/pres.out")
diag "$summary"
out_has pres "presentation clock 1 (monotonic)"
ok $? "presentation: the clock is CLOCK_MONOTONIC"
case "$summary" in *"presented 30 discarded 0 "*) true ;; *) false ;; esac
ok $? "presentation: all 30 frames are reported presented"
case "$summary" in *"seq-increasing yes time-increasing yes "*) true ;; *) false ;; esac
ok $? "presentation: with increasing sequence numbers and timestamps"
case "$summary" in *"plausible yes"*) true ;; *) false ;; esac
ok $? "presentation: each timestamp lies between the commit and the event"
end_client pres

# ---- org_kde_kwin_idle and zwp_idle_inhibit_manager_v1 (last: input resets idle timers)
spawn idle "$TC_PROTOCOLS" idle --timeout-ms 1000 --title p-idle
wait_for 5 out_has idle "idle after"
idle_ms=$(sed -n 's/^idle after \([0-9]*\) ms$/\1/p' "$T_DIR/idle.out" | head -n 1)
[ "${idle_ms:-0}" -ge 950 ] && [ "$idle_ms" -le 3000 ]
ok $? "idle: with nothing happening, a 1 s timer reports idle (after ${idle_ms:-no} ms)"
inject move 1 1
wait_for 5 out_line idle resumed
ok $? "idle: input makes resumed come"
end_client idle

spawn_fed idleinh "$TC_PROTOCOLS" idle --timeout-ms 1000 --inhibit --stdin --title p-idle-inh
wait_window idleinh p-idle-inh
# Absence can only be shown by waiting.
sleep 3
! out_has idleinh "idle after" && field_is p-idle-inh minimized 0
ok $? "idle inhibitor: on a visible window, no idle within 3 s"
# Hidden behind another workspace, the inhibitor no longer counts.
"$LUMENCTL" workspace 2 >/dev/null
wait_for 3 out_has idleinh "idle after"
ok $? "idle inhibitor: on a window that is not shown, idle comes again"
"$LUMENCTL" workspace 1 >/dev/null
feed idleinh release
wait_for 5 out_line idleinh released
inject move 1 0
wait_for 3 count_at_least idleinh "idle after" 2
ok $? "idle inhibitor: once destroyed, the timer reports idle again"
end_client idleinh

done_testing
