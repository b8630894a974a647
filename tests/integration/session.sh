#!/bin/bash
# lumen-session: it owns the Wayland sockets, starts displayd, the compositor and the
# autostart clients, and starts again whichever dies. The compositor is killed 20
# times in a row: each time a new one serves clients on the same socket, displayd keeps
# running (and, on its backend, keeps showing the last frame), and a client that
# connects while the compositor is down is served once it is back. Killing displayd is
# survived too. SIGTERM ends everything and removes the sockets.
#
# Runs with lumen-displayd when tests/meson.build names it (LUMEN_DISPLAYD), else with
# the compositor on wlroots' headless backend (--no-displayd).
. "$TESTS_DIR/lib.sh"

S_SOCKET=lumen-sess
SESSION_PID=""
export WAYLAND_DISPLAY=$S_SOCKET
export LUMEN_IPC_SOCKET="$XDG_RUNTIME_DIR/lumen-ipc.$S_SOCKET.sock"
export WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1
LOG="$T_DIR/session.log"

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# The pid in the last "started NAME (pid N" line of the session's log.
last_pid() { # name
	grep -o "started $1 (pid [0-9]*" "$LOG" | tail -n 1 | grep -o '[0-9]*$'
}
starts() { # name
	grep -c "started $1 (pid" "$LOG"
}
alive() { # pid
	[ -n "$1" ] && kill -0 "$1" 2>/dev/null
}
connects() { # a client connects and is served: it lists wl_compositor
	"$TC_GLOBALS" 2>/dev/null | grep -q '^wl_compositor '
}
new_pid() { # name old-pid
	p=$(last_pid "$1")
	[ -n "$p" ] && [ "$p" != "$2" ] && alive "$p"
}

with_displayd=0
if [ -n "${LUMEN_DISPLAYD:-}" ] && [ -x "$LUMEN_DISPLAYD" ]; then
	with_displayd=1
	displayd_opts=(--displayd "$LUMEN_DISPLAYD" --virtual 1280x720@60)
else
	displayd_opts=(--no-displayd)
fi

# The compositor's own [autostart]: a process that writes its pid and lives on.
cat >"$T_DIR/lumen.ini" <<EOF
[autostart]
marker = echo \$\$ >>$T_DIR/config-autostart.pids && exec sleep 1000
EOF

"$LUMEN_SESSION" -S "$S_SOCKET" "${displayd_opts[@]}" --compositor "$LUMEN" \
	--autostart "echo \$\$ >>$T_DIR/auto.pids && $TC_GLOBALS >$T_DIR/auto-globals.\$\$ && exec sleep 1000" \
	--autostart "$TC_GLOBALS >$T_DIR/once.\$\$" \
	-- --no-xwayland -c "$T_DIR/lumen.ini" -o 1280x720 >"$LOG" 2>&1 &
SESSION_PID=$!
T_PIDS="$T_PIDS $SESSION_PID"

wait_for 20 connects
ok $? "a client connects to the session's socket"
wait_for 10 "$LUMENCTL" outputs
ok $? "the compositor answers IPC"
[ -S "$XDG_RUNTIME_DIR/$S_SOCKET" ] && [ -f "$XDG_RUNTIME_DIR/$S_SOCKET.lock" ]
ok $? "the session made the socket $S_SOCKET and its lock file"
perm=$(stat -c %a "$XDG_RUNTIME_DIR/$S_SOCKET-trusted" 2>/dev/null)
[ -S "$XDG_RUNTIME_DIR/$S_SOCKET-trusted" ] && [ $((8#${perm:-777} & 8#077)) -eq 0 ]
ok $? "and $S_SOCKET-trusted, for its owner only (mode $perm)"
WAYLAND_DISPLAY=$S_SOCKET-trusted "$TC_GLOBALS" 2>/dev/null | grep -q '^zwlr_screencopy_manager_v1 '
ok $? "the trusted socket gives the privileged globals"
! "$TC_GLOBALS" 2>/dev/null | grep -q '^zwlr_screencopy_manager_v1 '
ok $? "the plain socket does not"

comp_pid=$(last_pid compositor)
displayd_pid=$(last_pid displayd)
if [ "$with_displayd" = 1 ]; then
	alive "$displayd_pid"
	ok $? "displayd runs (pid $displayd_pid)"
fi
backend=0
if [ "$with_displayd" = 1 ] && "$LUMENCTL" -c outputs 2>/dev/null | grep -q '"virtual-0"'; then
	backend=1
fi
diag "displayd: $with_displayd, compositor on displayd's outputs: $backend"

# ---- autostart
wait_for 10 test -s "$T_DIR/config-autostart.pids"
ok $? "the compositor ran its [autostart]"
wait_for 10 sh -c "ls $T_DIR/auto-globals.* >/dev/null 2>&1"
auto_file=$(ls "$T_DIR"/auto-globals.* 2>/dev/null | head -n 1)
wait_for 10 grep -q '^zwlr_foreign_toplevel_manager_v1 ' "$auto_file"
ok $? "a session autostart client is served, as a trusted client"
wait_for 10 grep -q "not started again: $TC_GLOBALS" "$LOG"
ok $? "an autostart client that exits with status 0 is not started again"
auto_pid=$(head -n 1 "$T_DIR/auto.pids")
kill -9 "$auto_pid"
wait_for 10 new_pid autostart "$auto_pid"
ok $? "one killed is started again (pid $auto_pid, then $(last_pid autostart))"
wait_for 10 test "$(ls "$T_DIR"/auto-globals.* 2>/dev/null | wc -l)" -ge 2
ok $? "and is served again"

# ---- a client drawing, and what displayd shows
draw_check() { # colour name: a new client's window shows its colour
	spawn "$2" "$TC_KEYLOG" --title "$2" --color "$1" --size 300x200
	wait_for 20 has_window "$2" || return 1
	sleep 0.5
	capture "$T_DIR/$2.png" || return 1
	n=$("$PNG_TOOL" count "$T_DIR/$2.png" 0 0 1280 720 "$1" 2>/dev/null)
	diag "$2: $n pixels of $1 in a screenshot"
	[ "${n:-0}" -ge 50000 ]
}
sleep 1 # the session counts a compositor that lived a second as stable (backoff.h)
draw_check 3366cc before
ok $? "a client draws before the crashes"

# ---- the restart window: the session is stopped, so the compositor stays dead
kill -STOP "$SESSION_PID"
comp_pid=$(last_pid compositor)
if [ "$backend" = 1 ]; then
	"$LUMEN_DISPLAYCTL" capture display:virtual/0 "$T_DIR/frame-before.png" >/dev/null 2>&1
fi
kill -9 "$comp_pid"
wait_for 5 sh -c "! kill -0 $comp_pid 2>/dev/null || grep -q zombie /proc/$comp_pid/status"
"$TC_GLOBALS" >"$T_DIR/waiting.out" 2>&1 &
waiting_pid=$!
T_PIDS="$T_PIDS $waiting_pid"
sleep 1
alive "$waiting_pid"
ok $? "a client connecting while the compositor is down waits (it neither fails nor returns)"
if [ "$backend" = 1 ]; then
	"$LUMEN_DISPLAYCTL" capture display:virtual/0 "$T_DIR/frame-down.png" >/dev/null 2>&1
	"$PNG_TOOL" compare "$T_DIR/frame-before.png" "$T_DIR/frame-down.png" >"$T_DIR/cmp.out" 2>&1
	ok $? "displayd keeps showing the last frame while no compositor runs ($(cat "$T_DIR/cmp.out"))"
	n=$("$PNG_TOOL" count "$T_DIR/frame-down.png" 0 0 1280 720 3366cc 2>/dev/null)
	[ "${n:-0}" -ge 50000 ]
	ok $? "with the window of the client that drew before ($n pixels)"
else
	echo "ok $((T_NUM + 1)) - displayd keeps showing the last frame # TODO needs the compositor's lumen-display backend"
	T_NUM=$((T_NUM + 1))
fi
kill -CONT "$SESSION_PID"
wait "$waiting_pid"
status=$?
grep -q '^wl_compositor ' "$T_DIR/waiting.out"
ok $? "once the compositor is back, it is served (status $status)"
wait_for 10 connects
sleep 1

# ---- twenty kills in a row
restarted=0
served=0
times=""
for i in $(seq 1 20); do
	old=$(last_pid compositor)
	t0=$(now_ms)
	kill -9 "$old"
	# Polled finely, to report how long a restart takes; the wait itself is generous.
	end=$((t0 + 10000))
	while ! new_pid compositor "$old" && [ "$(now_ms)" -lt "$end" ]; do
		sleep 0.01
	done
	t1=$(now_ms)
	new_pid compositor "$old" && restarted=$((restarted + 1))
	wait_for 10 connects && served=$((served + 1))
	t2=$(now_ms)
	times="$times $((t1 - t0))/$((t2 - t0))"
	# Let it run for the session's stability period, so the next death is a fresh one.
	sleep 1
done
diag "ms from kill -9 to a new compositor pid / to a client served:$times"
[ "$restarted" -eq 20 ]
ok $? "20 kills: the session started a new compositor each time ($restarted)"
[ "$served" -eq 20 ]
ok $? "and each new one served a new client on the same socket ($served)"
grep "compositor (pid [0-9]*) was killed by signal 9" "$LOG" | grep -q "starting it again in 0 ms"
ok $? "the session logs each death with its signal and restarts at once"
[ "$(starts compositor)" -eq 22 ]
ok $? "22 compositor starts in all ($(starts compositor))"
if [ "$with_displayd" = 1 ]; then
	alive "$displayd_pid" && [ "$(starts displayd)" -eq 1 ]
	ok $? "displayd never went down (pid $displayd_pid, started $(starts displayd) time)"
fi
[ "$(wc -l <"$T_DIR/config-autostart.pids")" -eq 1 ]
ok $? "the compositor's [autostart] ran on its first start only"
# Started once each, plus once after the kill above; the survivor of the crashes
# (it holds no connection) is not started a second time.
[ "$(starts autostart)" -eq 3 ] && [ "$(grep -c . "$T_DIR/auto.pids")" -eq 2 ]
ok $? "autostart clients are not started twice over ($(starts autostart) starts)"
draw_check 33cc66 after
ok $? "a new client draws after the crashes"
if [ "$backend" = 1 ]; then
	"$LUMEN_DISPLAYCTL" capture display:virtual/0 "$T_DIR/ds-after.png" >/dev/null 2>&1
	n=$("$PNG_TOOL" count "$T_DIR/ds-after.png" 0 0 1280 720 33cc66 2>/dev/null)
	[ "${n:-0}" -ge 50000 ]
	ok $? "and displayd shows it ($n pixels)"
else
	echo "ok $((T_NUM + 1)) - and displayd shows it # TODO needs the compositor's lumen-display backend"
	T_NUM=$((T_NUM + 1))
fi

# ---- displayd killed
if [ "$with_displayd" = 1 ]; then
	old_comp=$(last_pid compositor)
	kill -9 "$displayd_pid"
	wait_for 10 new_pid displayd "$displayd_pid"
	ok $? "a killed displayd is started again (pid $(last_pid displayd))"
	wait_for 10 new_pid compositor "$old_comp"
	ok $? "and the compositor with it (pid $(last_pid compositor))"
	wait_for 10 connects
	ok $? "clients are served again"
	if [ "$backend" = 1 ]; then
		wait_for 10 sh -c "\"$LUMENCTL\" -c outputs | grep -q '\"virtual-0\"'"
		ok $? "the compositor has displayd's output again"
	fi
	displayd_pid=$(last_pid displayd)
else
	echo "ok $((T_NUM + 1)) - a killed displayd is survived # SKIP lumen-displayd is not built"
	T_NUM=$((T_NUM + 1))
fi

# ---- the end: SIGTERM ends the children, newest first, and removes the sockets
comp_pid=$(last_pid compositor)
auto_pid=$(tail -n 1 "$T_DIR/auto.pids")
kill -TERM "$SESSION_PID"
wait "$SESSION_PID"
status=$?
T_PIDS=${T_PIDS/ $SESSION_PID/}
[ "$status" -eq 0 ]
ok $? "SIGTERM: the session exits with status 0 ($status)"
! alive "$comp_pid" && ! alive "$auto_pid" && ! alive "$displayd_pid"
ok $? "its children are gone"
order=$(sed -n '/: ending the session/,$p' "$LOG" | grep -o "ending [a-z]* (pid" |
	awk '{print $2}' | tr '\n' ' ')
case "$order" in
"autostart compositor displayd " | "autostart compositor ") true ;;
*) false ;;
esac
ok $? "ended newest first ($order)"
[ ! -e "$XDG_RUNTIME_DIR/$S_SOCKET" ] && [ ! -e "$XDG_RUNTIME_DIR/$S_SOCKET-trusted" ] &&
	[ ! -e "$XDG_RUNTIME_DIR/$S_SOCKET.lock" ]
ok $? "and its sockets are removed"
report=$(grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$LOG" | head -n 3)
[ -z "$report" ]
ok $? "no sanitizer report from the session or its children${report:+: $report}"

# The compositor's [autostart] process is not ours to supervise; end it by its pid.
for pid in $(cat "$T_DIR/config-autostart.pids" 2>/dev/null); do
	kill "$pid" 2>/dev/null
done
if [ "$T_FAILED" -gt 0 ]; then
	diag "---- session log (tail) ----"
	grep -v '\[wlroots/' "$LOG" | tail -n 60 | sed 's/^/# /'
fi
# ---- with lumen-inputd (--inputd): it starts after displayd and before the compositor,
# which gets LUMEN_INPUT; killed with a key held, it is started again (the compositor is
# not): the client sees the key released, and typing goes on through the new one.
LOG="$T_DIR/session-inputd.log"
printf '[keyboard]\nlayout = us\n' >"$T_DIR/lumen-inputd.ini"
masters() { grep -c "seat master of the input server" "$LOG"; }
masters_at_least() { [ "$(masters)" -ge "$1" ]; }
text_is() { # NAME TEXT: the client's text is now exactly TEXT
	[ "$(grep '^text: ' "$T_DIR/$1.out" | tail -n 1)" = "text: $2" ]
}
line_of() { # pattern: the number of the first line of the log that matches
	grep -n -m 1 "$1" "$LOG" | cut -d: -f1
}
"$LUMEN_SESSION" -S "$S_SOCKET" "${displayd_opts[@]}" --inputd "$LUMEN_INPUTD" \
	--inputd-arg --no-libinput --compositor "$LUMEN" \
	-- --no-xwayland -c "$T_DIR/lumen-inputd.ini" -o 1280x720 >"$LOG" 2>&1 &
SESSION_PID=$!
T_PIDS="$T_PIDS $SESSION_PID"
wait_for 20 masters_at_least 1
ok $? "--inputd: the compositor becomes the seat master of the session's inputd"
inputd_pid=$(last_pid inputd)
l_inputd=$(line_of "started inputd (pid") l_ready=$(line_of "inputd (pid [0-9]*) answers")
l_comp=$(line_of "started compositor (pid") l_disp=$(line_of "displayd (pid [0-9]*) answers")
[ -n "$l_inputd" ] && [ -n "$l_ready" ] && [ -n "$l_comp" ] && [ "$l_inputd" -lt "$l_ready" ] &&
	[ "$l_ready" -lt "$l_comp" ] &&
	{ [ "$with_displayd" -eq 0 ] || [ "${l_disp:-99999}" -lt "$l_inputd" ]; }
ok $? "inputd starts after displayd answers, and answers before the compositor starts (log lines ${l_disp:--} $l_inputd $l_ready $l_comp)"
comp_pid=$(last_pid compositor)
tr '\0' '\n' <"/proc/$comp_pid/environ" 2>/dev/null | grep -qx "LUMEN_INPUT=lumen-input-0"
ok $? "the compositor gets LUMEN_INPUT=lumen-input-0"

spawn kl "$TC_KEYLOG" --title kl
wait_for 10 out_has kl "focus in" || bail "the keylog client got no keyboard focus"
inputctl_until 'text_is kl "via session"' type "via session"
ok $? "text typed through the session's inputd arrives in the client"

"$LUMEN_INPUTCTL" press shift press x sleep 30000 >>"$T_DIR/inputctl.out" 2>&1 &
HOLDER=$!
T_PIDS="$T_PIDS $HOLDER"
wait_for 5 out_has kl "keysym: X"
ok $? "a key held through inputd (Shift+X) reaches the client"
kill -KILL "$inputd_pid"
wait_for 5 out_has kl "key released: X"
ok $? "inputd killed: the client sees the held key released"
kill "$HOLDER" 2>/dev/null
wait "$HOLDER" 2>/dev/null
wait_for 10 new_pid inputd "$inputd_pid"
ok $? "the session starts inputd again (pid $inputd_pid -> $(last_pid inputd))"
wait_for 10 masters_at_least 2
ok $? "the compositor is the seat master of the new inputd"
[ "$(starts compositor)" -eq 1 ] && alive "$comp_pid"
ok $? "the compositor is not started again for it ($(starts compositor) start(s))"
inputctl_until 'text_is kl "via sessionX again"' type " again"
ok $? "typing goes on after the restart"

kill "$PID_kl" 2>/dev/null
wait "$PID_kl" 2>/dev/null
inputd_pid=$(last_pid inputd)
kill -TERM "$SESSION_PID"
wait "$SESSION_PID"
status=$?
T_PIDS=${T_PIDS/ $SESSION_PID/}
[ "$status" -eq 0 ] && ! alive "$comp_pid" && ! alive "$inputd_pid"
ok $? "SIGTERM ends the session with inputd (status $status)"
order=$(sed -n '/: ending the session/,$p' "$LOG" | grep -o "ending [a-z]* (pid" |
	awk '{print $2}' | tr '\n' ' ')
case "$order" in
"compositor inputd displayd " | "compositor inputd ") true ;;
*) false ;;
esac
ok $? "inputd ends after the compositor, before displayd ($order)"
report=$(grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$LOG" | head -n 3)
[ -z "$report" ]
ok $? "no sanitizer report from the session with inputd${report:+: $report}"
if [ "$T_FAILED" -gt 0 ]; then
	diag "---- session with inputd: log (tail) ----"
	grep -v '\[wlroots/' "$LOG" | tail -n 60 | sed 's/^/# /'
fi
done_testing
