#!/bin/bash
# The protocols wlroots 0.15 lacks, served by lumen itself (issue 5): ext-session-lock
# (with our locker and with swaylock), ext-idle-notify, wp-fractional-scale,
# wp-single-pixel-buffer, wp-cursor-shape, wp-security-context, wp-content-type with
# wp-tearing-control, ext-foreign-toplevel-list and ext-workspace. Each is put to work by
# lumen-test-protocols-ext, which prints what it was answered, and checked where a person
# would notice: the pixels on screen, who gets the keys, what a panel lists.
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
kill -9 "$PID_lock2"
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

done_testing
