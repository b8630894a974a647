#!/bin/bash
# The protocols wlroots 0.15 lacks, served by lumen itself (issue 5): ext-session-lock
# (with our locker and with swaylock), ext-idle-notify, wp-fractional-scale,
# wp-single-pixel-buffer, wp-cursor-shape, wp-security-context, wp-content-type with
# wp-tearing-control, ext-foreign-toplevel-list and ext-workspace. Each is put to work by
# lumen-test-protocols-ext, which prints what it was answered, and checked where a person
# would notice: the pixels on screen, who gets the keys, what a panel lists.
# shellcheck source=tests/lib.sh
. "$TESTS_DIR/lib.sh"
cat >"$T_DIR/lumen.ini" <<'EOF'
[decorations]
mode = client
EOF
start_lumen -o 1280x720,800x600

out_line() { # NAME LINE: NAME printed exactly LINE
	grep -qxF -- "$2" "$T_DIR/$1.out"
}

out_count() { # NAME fixed-string
	grep -cF -- "$2" "$T_DIR/$1.out"
}

count_at_least() { # NAME fixed-string N
	[ "$(out_count "$1" "$2")" -ge "$3" ]
}

log_has() { # fixed-string: lumen's log
	grep -qF -- "$1" "$T_DIR/lumen.log"
}

# spawn_fed NAME command...: spawn, with stdin from a pipe that `feed NAME LINE` writes to
spawn_fed() {
	name=$1
	shift
	mkfifo "$T_DIR/$name.in"
	"$@" <"$T_DIR/$name.in" >"$T_DIR/$name.out" 2>&1 &
	T_PIDS="$T_PIDS $!"
	eval "PID_$name=$!"
	exec {fd}>"$T_DIR/$name.in"
	eval "FD_$name=$fd"
}

feed() { # NAME LINE
	fd=""
	eval "fd=\${FD_$1:-}"
	(printf '%s\n' "$2" >&"$fd") 2>/dev/null
}

end_client() { # NAME
	pid=""
	eval "pid=\${PID_$1:-}"
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	fd=""
	eval "fd=\${FD_$1:-}"
	if [ -n "$fd" ]; then
		exec {fd}>&-
		eval "FD_$1="
	fi
	rm -f "$T_DIR/$1.in"
}

alive() { # NAME
	pid=""
	eval "pid=\${PID_$1:-}"
	kill -0 "$pid" 2>/dev/null
}

exited() { # NAME: the client has ended
	! alive "$1"
}

wait_window() { # NAME TITLE
	wait_for 10 out_line "$1" mapped && wait_for 5 has_window "$2" ||
		bail "$2 did not map: $(tail -n 3 "$T_DIR/$1.out" 2>/dev/null)"
}

# count_colour FILE RRGGBB: pixels of that colour in the whole capture
count_colour() {
	"$PNG_TOOL" count "$1" 0 0 "$("$PNG_TOOL" size "$1" | cut -d' ' -f1)" \
		"$("$PNG_TOOL" size "$1" | cut -d' ' -f2)" "$2"
}

both_all() { # RRGGBB: both outputs show nothing but that colour
	capture "$T_DIR/a.png" HEADLESS-1 && capture "$T_DIR/b.png" HEADLESS-2 &&
		[ "$(count_colour "$T_DIR/a.png" "$1")" -eq $((1280 * 720)) ] &&
		[ "$(count_colour "$T_DIR/b.png" "$1")" -eq $((800 * 600)) ]
}

shows_colour() { # RRGGBB: some of it is on the first output
	capture "$T_DIR/s.png" HEADLESS-1 && [ "$(count_colour "$T_DIR/s.png" "$1")" -gt 0 ]
}

# Where a window's content is, in the layout: "X Y W H".
window_box() { # TITLE
	"$LUMENCTL" -c windows | python3 -c "
import json,sys
for w in json.load(sys.stdin)['windows']:
    if w['title']=='$1':
        print(w['x'], w['y'], w['width'], w['height']); break
else:
    sys.exit(1)"
}

PE=$TC_PROTOCOLS_EXT

# ---- who sees what
"$TC_GLOBALS" >"$T_DIR/plain.txt"
WAYLAND_DISPLAY=$T_SOCKET-trusted "$TC_GLOBALS" >"$T_DIR/trusted.txt"
missing=""
for g in ext_idle_notifier_v1 wp_fractional_scale_manager_v1 \
		wp_single_pixel_buffer_manager_v1 wp_cursor_shape_manager_v1 \
		wp_security_context_manager_v1 wp_content_type_manager_v1 \
		wp_tearing_control_manager_v1; do
	grep -q "^$g 1$" "$T_DIR/plain.txt" || missing="$missing $g"
done
[ -z "$missing" ]
ok $? "ordinary clients see the new unprivileged globals (missing:${missing:- none})"
leaked=""
for g in ext_session_lock_manager_v1 ext_foreign_toplevel_list_v1 ext_workspace_manager_v1; do
	grep -q "^$g " "$T_DIR/plain.txt" && leaked="$leaked $g"
	grep -q "^$g 1$" "$T_DIR/trusted.txt" || leaked="$leaked (trusted lacks $g)"
done
[ -z "$leaked" ]
ok $? "the privileged ones only trusted clients see (wrong:${leaked:- none})"

# ---- ext-session-lock, with our locker
spawn_fed win "$PE" content-type none --title behind-lock --color ff8000 --size 300x200 --stdin
wait_window win behind-lock
wait_for 5 out_has win "focus in"
ok $? "a window has the keyboard"

WAYLAND_DISPLAY=$T_SOCKET-trusted spawn_fed lock "$PE" lock --color 00ff00 --stdin
wait_for 10 out_line lock locked
ok $? "lock: the locker is told 'locked'"
out_has lock "configure HEADLESS-1 1280 720" && out_has lock "configure HEADLESS-2 800 600"
ok $? "lock: each output's lock surface is configured to the output's size"
both_all 00ff00
ok $? "lock: both outputs show only the lock surfaces' pixels"
wait_for 5 out_has win "focus out"
ok $? "lock: the window lost the keyboard"
inject type "abc"
wait_for 5 out_has lock "text: abc"
ok $? "lock: typed keys go to the lock surface"
! out_has win "keysym: a"
ok $? "lock: and not to the window behind it"
inject mod super press key 3 tap mod super release
[ "$(ipc_json "[o['workspace'] for o in j['outputs'] if o['name']=='HEADLESS-1'][0]" outputs)" = 1 ]
ok $? "lock: key bindings do nothing"
read -r wx wy _ _ < <(window_box behind-lock)
inject move-abs $((wx + 20)) $((wy + 20)) 2080 720 button left click
wait_for 5 out_has lock "button 272 pressed"
ok $? "lock: a click where the window was goes to the lock surface"
! out_has win "button 272"
ok $? "lock: and not to the window"

WAYLAND_DISPLAY=$T_SOCKET-trusted spawn second "$PE" lock --color ff0000
wait_for 10 out_line second finished
ok $? "lock: a second locker is refused ('finished') while the first lives"
end_client second
both_all 00ff00
ok $? "lock: and it shows nothing"

feed lock unlock
wait_for 5 out_line lock unlocked
wait_for 5 shows_colour ff8000
ok $? "unlock: the window is shown again"
wait_for 5 count_at_least win "focus in" 2
ok $? "unlock: the window gets the keyboard back"
inject type "xyz"
wait_for 5 out_has win "text: xyz"
ok $? "unlock: and the keys"
end_client lock

# The locker dies while locked: the session stays locked, a new locker takes over.
WAYLAND_DISPLAY=$T_SOCKET-trusted spawn_fed lock2 "$PE" lock --color 00ff00 --stdin
wait_for 10 out_line lock2 locked || bail "the second lock did not lock"
kill -9 "${PID_lock2:?}"
wait "$PID_lock2" 2>/dev/null
wait_for 5 log_has "the locker went away without unlocking"
both_all 000000
ok $? "locker killed: the outputs stay covered (all black, no window)"
inject type "lost"
sleep 0.3
! out_has win "text: xyzlost"
ok $? "locker killed: the window gets no keys"
end_client lock2
WAYLAND_DISPLAY=$T_SOCKET-trusted spawn_fed lock3 "$PE" lock --color 0000ff --stdin
wait_for 10 out_line lock3 locked
ok $? "a new locker takes the abandoned lock over"
wait_for 5 both_all 0000ff
ok $? "and shows its lock surfaces"
feed lock3 unlock
wait_for 5 out_line lock3 unlocked && wait_for 5 shows_colour ff8000
ok $? "and can unlock: the window is back"
end_client lock3

# ---- swaylock, as a real locker: run as a throwaway user (it authenticates the user it
# runs as, through PAM), reaching the trusted socket through permissions opened for it.
if command -v swaylock >/dev/null && command -v setpriv >/dev/null; then
	LOCK_USER=lumen-locktest
	LOCK_PW=lumen-test-pw-5
	id "$LOCK_USER" >/dev/null 2>&1 || useradd -M -s /usr/sbin/nologin "$LOCK_USER" 2>/dev/null
	echo "$LOCK_USER:$LOCK_PW" | chpasswd
	chmod 711 "$T_DIR" "$XDG_RUNTIME_DIR"
	chmod 666 "$XDG_RUNTIME_DIR/$T_SOCKET-trusted"
	mkdir -m 700 "$T_DIR/lockrun"
	chown "$LOCK_USER" "$T_DIR/lockrun"
	swaylock_as_user() { # NAME
		spawn "$1" setpriv --reuid="$LOCK_USER" --regid="$LOCK_USER" --init-groups \
			env XDG_RUNTIME_DIR="$T_DIR/lockrun" HOME="$T_DIR/lockrun" \
			WAYLAND_DISPLAY="$XDG_RUNTIME_DIR/$T_SOCKET-trusted" swaylock -d -u -c 0000ff
	}
	locks_before=$(grep -c "session lock complete" "$T_DIR/lumen.log")
	lock_count_is() { [ "$(grep -c "session lock complete" "$T_DIR/lumen.log")" -ge "$1" ]; }
	unlocks_before=$(grep -c "session unlocked" "$T_DIR/lumen.log")
	unlock_count_is() { [ "$(grep -c "session unlocked" "$T_DIR/lumen.log")" -ge "$1" ]; }

	swaylock_as_user sl
	wait_for 15 lock_count_is $((locks_before + 1))
	ok $? "swaylock: the session locks through ext-session-lock"
	wait_for 5 both_all 0000ff
	ok $? "swaylock: both outputs show only swaylock's colour"
	inject type "not-the-password" key Return tap
	wait_for 15 grep -qiE "pam_authenticate failed|authentication fail" "$T_DIR/sl.out"
	ok $? "swaylock: a wrong password is refused ($(grep -m1 -iE 'pam_authenticate' "$T_DIR/sl.out" | sed 's/.*\] //'))"
	alive sl && both_all 0000ff && ! unlock_count_is $((unlocks_before + 1))
	ok $? "swaylock: after it the session stays locked"
	inject type "$LOCK_PW" key Return tap
	wait_for 15 exited sl
	ok $? "swaylock: the right password ends it"
	unlock_count_is $((unlocks_before + 1)) && wait_for 5 shows_colour ff8000
	ok $? "swaylock: the session is unlocked and the window shown"

	swaylock_as_user sl2
	wait_for 15 lock_count_is $((locks_before + 2)) || bail "swaylock did not lock again"
	kill -9 "${PID_sl2:?}"
	wait "$PID_sl2" 2>/dev/null
	wait_for 5 log_has "the locker went away without unlocking" && both_all 000000
	ok $? "swaylock killed: the session stays locked, no window shown"
	swaylock_as_user sl3
	wait_for 15 lock_count_is $((locks_before + 3)) && wait_for 5 both_all 0000ff
	ok $? "swaylock again: it takes the abandoned lock over"
	inject type "$LOCK_PW" key Return tap
	wait_for 15 exited sl3 && wait_for 5 shows_colour ff8000
	ok $? "swaylock again: the password unlocks, the window is back"
	chmod 700 "$T_DIR" "$XDG_RUNTIME_DIR"
	chmod 600 "$XDG_RUNTIME_DIR/$T_SOCKET-trusted"
else
	echo "# swaylock or setpriv is not installed: swaylock checks skipped"
fi

# recover: a fresh locker locks and unlocks, as after a locker that was killed by an error
recover() {
	WAYLAND_DISPLAY=$T_SOCKET-trusted spawn_fed rec "$PE" lock --color 0000ff --stdin
	wait_for 10 out_line rec locked && feed rec unlock && wait_for 5 out_line rec unlocked
	status=$?
	end_client rec
	rm -f "$T_DIR/rec.out"
	return $status
}

lock_error() { # KIND "protocol error CODE on INTERFACE"
	WAYLAND_DISPLAY=$T_SOCKET-trusted spawn err "$PE" lock-error "$1" --color 00ff00
	wait_for 10 exited err
	out_has err "$2"
	ok $? "lock error $1: $2 ($(grep -m1 'protocol error' "$T_DIR/err.out"))"
	end_client err
}
# "locked" waits for every output: a locker that covers only the first never gets it.
WAYLAND_DISPLAY=$T_SOCKET-trusted spawn one "$PE" lock-error one-output --color 00ff00
first_green() {
	capture "$T_DIR/one.png" HEADLESS-1 &&
		[ "$(count_colour "$T_DIR/one.png" 00ff00)" -eq $((1280 * 720)) ]
}
wait_for 10 first_green && capture "$T_DIR/one2.png" HEADLESS-2 &&
	[ "$(count_colour "$T_DIR/one2.png" 000000)" -eq $((800 * 600)) ] && sleep 0.3 &&
	! out_has one locked && alive one
ok $? "lock: with a lock surface on one output of two, the session is hidden but not 'locked'"
end_client one
recover || bail "cannot unlock after one-output"

lock_error unlock-early "protocol error 1 on"
recover || bail "cannot unlock after unlock-early"
lock_error destroy-locked "protocol error 0 on"
recover || bail "cannot unlock after destroy-locked"
lock_error duplicate-output "protocol error 3 on ext_session_lock_v1"
recover || bail "cannot unlock after duplicate-output"
lock_error commit-before-ack "protocol error 0 on ext_session_lock_surface_v1"
recover || bail "cannot unlock after commit-before-ack"
lock_error bad-size "protocol error 2 on ext_session_lock_surface_v1"
recover || bail "cannot unlock after bad-size"
lock_error null-buffer "protocol error 1 on ext_session_lock_surface_v1"
recover
ok $? "after every error the session stayed locked and a new locker could unlock it"
wait_for 5 shows_colour ff8000
ok $? "the window is back at the end"
end_client win


# ---- ext-idle-notify
spawn idle "$PE" idle 300
wait_for 10 out_line idle idled
ok $? "idle: 'idled' after the timeout without input"
inject move 5 5
wait_for 5 out_line idle resumed
ok $? "idle: 'resumed' at the next input"
wait_for 10 count_at_least idle idled 2
ok $? "idle: and 'idled' again after another quiet timeout"
end_client idle
spawn inh "$PE" idle 300 --inhibit --title idle-inhibitor
wait_window inh idle-inhibitor
spawn idle2 "$PE" idle 300
sleep 1.5
! out_has inh idled && ! out_has idle2 idled
ok $? "idle: a visible window's idle inhibitor holds every client's timer"
end_client inh
wait_for 10 out_line idle2 idled
ok $? "idle: once the inhibitor is gone, 'idled' comes"
end_client idle2

# ---- wp-single-pixel-buffer
# 256x128: wlroots 0.15's pixman renderer inverts the scale in 16.16 fixed point, and a
# 1x1 texture stretched to a size whose inverse is not exact loses its last column.
spawn sp "$PE" single-pixel 20c040ff --size 256x128 --title single-pixel
wait_window sp single-pixel
sp_shown() {
	capture "$T_DIR/sp.png" HEADLESS-1 && [ "$(count_colour "$T_DIR/sp.png" 20c040)" -eq 32768 ]
}
wait_for 5 sp_shown
ok $? "single-pixel: one pixel stretched by the viewport fills 256x128 ($(count_colour "$T_DIR/sp.png" 20c040))"
end_client sp

# ---- wp-cursor-shape
spawn shape "$PE" cursor-shape 9 --title shape
wait_window shape shape
read -r sx sy sw sh < <(window_box shape)
inject move-abs $((sx + sw / 2)) $((sy + sh / 2)) 2080 720
wait_for 5 out_line shape "shape set 9"
wait_for 5 log_has "cursor shape 9: showing 'text'"
ok $? "cursor-shape: shape 9 (text) shows the theme's 'text' cursor"
end_client shape
# It maps under the pointer, gets an enter at once and dies of its error.
spawn badshape "$PE" cursor-shape 999 --title badshape
wait_for 5 out_line badshape mapped
inject move 1 0
wait_for 5 exited badshape
out_has badshape "protocol error 1 on wp_cursor_shape_device_v1"
ok $? "cursor-shape: a shape outside the enum is a protocol error"
end_client badshape

# ---- wp-security-context
sandbox="$XDG_RUNTIME_DIR/sandbox-0"
WAYLAND_DISPLAY=$T_SOCKET-trusted spawn_fed sc "$PE" security-context "$sandbox" \
	--app-id org.example.Sandboxed --stdin
wait_for 10 out_line sc listening
ok $? "security-context: a trusted client makes a sandbox socket"
WAYLAND_DISPLAY=$sandbox "$TC_GLOBALS" >"$T_DIR/sandboxed.txt" 2>&1
grep -q "^wl_compositor " "$T_DIR/sandboxed.txt"
ok $? "security-context: a client connects through it"
leaked=""
for g in zwlr_screencopy_manager_v1 zwp_virtual_keyboard_manager_v1 \
		ext_session_lock_manager_v1 ext_foreign_toplevel_list_v1 ext_workspace_manager_v1; do
	grep -q "^$g " "$T_DIR/sandboxed.txt" && leaked="$leaked $g"
done
[ -z "$leaked" ]
ok $? "security-context: the sandboxed client sees no privileged global (seen:${leaked:- none})"
log_has "sandboxed client connected (engine org.lumen.test, app org.example.Sandboxed"
ok $? "security-context: its metadata is known to the compositor"
WAYLAND_DISPLAY=$sandbox spawn nested "$PE" security-context "$XDG_RUNTIME_DIR/sandbox-1"
wait_for 5 exited nested
out_has nested "protocol error 2 on wp_security_context_manager_v1"
ok $? "security-context: a sandboxed client cannot nest another context"
feed sc quit
wait_for 5 exited sc
wait_for 5 log_has "security context of org.lumen.test closed by its engine"
! WAYLAND_DISPLAY=$sandbox "$TC_GLOBALS" >/dev/null 2>&1
ok $? "security-context: once the engine closes its end, nobody is accepted any more"
end_client sc

# ---- wp-content-type and wp-tearing-control: the output commit policy
spawn game "$PE" tearing async --content-type game --fullscreen --app-id org.example.Game \
	--title game
wait_window game game
wait_for 5 log_has "tearing refused for fullscreen 'org.example.Game' (allow_tearing is off; content game)"
ok $? "tearing: a fullscreen game asking for async is refused while allow_tearing is off"
printf '[output HEADLESS-1]\nallow_tearing = yes\n' >>"$T_DIR/lumen.ini"
"$LUMENCTL" reload >/dev/null
wait_for 5 log_has "output HEADLESS-1: tearing allowed (fullscreen 'org.example.Game' asks for async, content game)"
ok $? "tearing: with allow_tearing = yes on its output, the policy lets it tear"
end_client game
wait_for 5 log_has "output HEADLESS-1: vsync"
ok $? "tearing: back to vsync once the window is gone"
spawn vs "$PE" tearing vsync --fullscreen --app-id org.example.Calm --title calm
wait_window vs calm
sleep 0.3
! log_has "tearing allowed (fullscreen 'org.example.Calm'"
ok $? "tearing: a fullscreen window that asks for vsync does not tear"
end_client vs

# ---- ext-foreign-toplevel-list
WAYLAND_DISPLAY=$T_SOCKET-trusted spawn_fed tl "$PE" toplevels --stdin
spawn_fed ft "$PE" content-type none --title ft-one --app-id org.example.One --stdin
wait_window ft ft-one
wait_for 5 out_has tl "title 1 ft-one"
ok $? "toplevel list: a new window is announced with its title"
out_has tl "app_id 1 org.example.One" && grep -q "^identifier 1 lumen-" "$T_DIR/tl.out" &&
	out_has tl "done 1"
ok $? "toplevel list: and its app id, identifier and done"
feed ft "title renamed"
wait_for 5 out_has tl "title 1 renamed"
ok $? "toplevel list: a title change is sent"
end_client ft
wait_for 5 out_line tl "closed 1"
ok $? "toplevel list: a closed window is 'closed'"
feed tl stop
wait_for 5 out_line tl finished
ok $? "toplevel list: stop is answered with 'finished'"
end_client tl
spawn tlplain "$PE" toplevels
wait_for 5 exited tlplain
out_has tlplain "missing ext_foreign_toplevel_list_v1"
ok $? "toplevel list: an ordinary client does not get it"

# ---- ext-workspace
WAYLAND_DISPLAY=$T_SOCKET-trusted spawn_fed ws "$PE" workspaces --stdin
wait_for 5 out_line ws "done"
out_has ws "group 1 output HEADLESS-1" && out_has ws "group 2 output HEADLESS-2"
ok $? "workspaces: one group per output"
out_line ws "state 1 1" && out_line ws "state 2 1" && out_line ws "state 3 0"
ok $? "workspaces: 1 and 2 are active (shown), 3 is not"
out_line ws "enter 1 1" && out_line ws "enter 2 2"
ok $? "workspaces: each is in the group of the output it is shown on"
[ "$(grep -c '^workspace .* name ' "$T_DIR/ws.out")" -eq 9 ]
ok $? "workspaces: all nine are listed"
feed ws "activate 5"
wait_for 5 json_is 5 "[o['workspace'] for o in j['outputs'] if o['name']=='HEADLESS-1'][0]" outputs
ok $? "workspaces: activating 5 shows it (on the focused output)"
wait_for 5 out_line ws "state 5 1" && out_line ws "state 1 0"
ok $? "workspaces: the client is told 5 is active and 1 is not"
inject mod super press key 7 tap mod super release
wait_for 5 out_line ws "state 7 1"
ok $? "workspaces: a switch by key binding is sent too"
feed ws stop
wait_for 5 out_line ws finished
ok $? "workspaces: stop is answered with 'finished'"
end_client ws
inject mod super press key 1 tap mod super release


# ---- wp-fractional-scale: output scales 1.5 (config), 1.25 and 1.75 (wlr-randr)
# crisp_stats FILE X Y W H: "EQUAL NONBW" over that region: how many pixels equal their
# right-hand neighbour, and how many are neither black nor white. A 1-px checkerboard
# shown 1:1 has "0 0"; one scaled by the compositor has runs of equal pixels.
crisp_stats() {
	"$PNG_TOOL" crop "$1" "$2" "$3" "$4" "$5" "$T_DIR/crop.png" || return 1
	python3 - "$T_DIR/crop.png" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
pos, idat = 8, b''
while pos < len(data):
    length, kind = struct.unpack('>I4s', data[pos:pos + 8])
    chunk = data[pos + 8:pos + 8 + length]
    pos += 12 + length
    if kind == b'IHDR':
        width, height, depth, ctype = struct.unpack('>IIBB', chunk[:10])
    elif kind == b'IDAT':
        idat += chunk
bpp = {2: 3, 6: 4}[ctype]
stride = width * bpp
raw = zlib.decompress(idat)
prev, rows, i = bytearray(stride), [], 0
for y in range(height):
    ftype, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    for k in range(stride):
        a = line[k - bpp] if k >= bpp else 0
        b = prev[k]
        c = prev[k - bpp] if k >= bpp else 0
        if ftype == 1:
            line[k] = (line[k] + a) & 255
        elif ftype == 2:
            line[k] = (line[k] + b) & 255
        elif ftype == 3:
            line[k] = (line[k] + (a + b) // 2) & 255
        elif ftype == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[k] = (line[k] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line)
    prev = line
equal = nonbw = 0
for r in rows:
    px = [bytes(r[x * bpp:x * bpp + 3]) for x in range(width)]
    nonbw += sum(1 for p in px if p not in (b'\0\0\0', b'\xff\xff\xff'))
    equal += sum(1 for x in range(width - 1) if px[x] == px[x + 1])
print(equal, nonbw)
PY
}

# window_phys TITLE: "OUTPUT X Y", the output the window's content starts on and where,
# in that output's pixels, 2 pixels in from its top left corner
window_phys() {
	python3 -c "
import json, subprocess, sys
run = lambda *a: json.loads(subprocess.check_output(['$LUMENCTL', '-c', *a]))
w = [w for w in run('windows')['windows'] if w['title'] == '$1'][0]
for o in run('outputs')['outputs']:
    s = o['scale']
    if o['x'] <= w['x'] < o['x'] + o['width'] / s and o['y'] <= w['y'] < o['y'] + o['height'] / s:
        print(o['name'], round((w['x'] - o['x']) * s) + 2, round((w['y'] - o['y']) * s) + 2)
        break
else:
    sys.exit(1)"
}

# check_crisp NAME TITLE SCALE BW BH: the window's buffer is BWxBH and shows 1:1
check_crisp() {
	wait_for 10 out_line "$1" "buffer $4 $5" || return 1
	stats=""
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		read -r out px py < <(window_phys "$2") || return 1
		capture "$T_DIR/frac.png" "$out" || return 1
		stats=$(crisp_stats "$T_DIR/frac.png" "$px" "$py" $(($4 - 4)) $(($5 - 4)))
		[ "$stats" = "0 0" ] && return 0
		sleep 0.2
	done
	diag "scale $3: equal-neighbour and grey pixels: $stats"
	return 1
}

printf 'scale = 1.5\n' >>"$T_DIR/lumen.ini" # in the [output HEADLESS-1] section above
"$LUMENCTL" reload >/dev/null
inject move-abs 10 10 2080 720
spawn frac "$PE" checker --fractional --size 200x160 --title crisp
wait_window frac crisp
wait_for 5 out_line frac "preferred_scale 180"
ok $? "fractional: a window on the 1.5 output is told 180/120"
check_crisp frac crisp 1.5 300 240
ok $? "fractional: it draws 300x240 for 200x160 and the 1-px checker shows crisp"
WAYLAND_DISPLAY=$T_SOCKET-trusted wlr-randr --output HEADLESS-1 --scale 1.25
wait_for 5 out_line frac "preferred_scale 150"
ok $? "fractional: at 1.25 (wlr-randr) it is told 150/120"
check_crisp frac crisp 1.25 250 200
ok $? "fractional: and shows crisp at 250x200"
WAYLAND_DISPLAY=$T_SOCKET-trusted wlr-randr --output HEADLESS-1 --scale 1.75
wait_for 5 out_line frac "preferred_scale 210"
ok $? "fractional: at 1.75 it is told 210/120"
check_crisp frac crisp 1.75 350 280
ok $? "fractional: and shows crisp at 350x280"
end_client frac
inject move-abs 10 10 2080 720 # new windows open on the output under the pointer
spawn plain "$PE" checker --size 200x160 --title plain
wait_window plain plain
wait_for 5 out_line plain "buffer 200 160"
read -r _ _ cw ch < <(window_box plain)
[ "$cw" = 200 ] && [ "$ch" = 160 ]
ok $? "fractional: a client that does not use it keeps its logical size (${cw}x$ch)"
read -r out px py < <(window_phys plain)
capture "$T_DIR/plain.png" "$out"
stats=$(crisp_stats "$T_DIR/plain.png" "$px" "$py" 346 276)
equal=${stats% *}
[ "$out" = HEADLESS-1 ] && [ "${equal:-0}" -gt 10000 ]
ok $? "fractional: and is scaled up by the compositor on the 1.75 output (on $out; equal neighbours: $equal)"
end_client plain
WAYLAND_DISPLAY=$T_SOCKET-trusted "$PE" fractional-twice >"$T_DIR/twice.out" 2>&1
out_has twice "protocol error 0 on wp_fractional_scale_manager_v1"
ok $? "fractional: a second fractional scale object for a surface is a protocol error"

done_testing
