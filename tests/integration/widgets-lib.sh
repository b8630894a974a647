# Helpers for the lumen-widgets tests (widgets.sh, widgets-fractional.sh,
# widgets-touch.sh): sourced after lib.sh. The gallery's accessible tree (--a11y-dump)
# says where each widget is; these turn that into screen positions, clicks and counts.

# The server-side frame: content inside a 2 px border under a 28 px title bar.
FRAME_X=2 FRAME_Y=30
OUT_W=1280 OUT_H=720
DUMP="$T_DIR/a11y.json"

# Queries over the dump. find(role, name) is the first node with that role (and name).
cat >"$T_DIR/a11y.py" <<'PY'
import json, sys
def find(node, role, name=None):
    if node["role"] == role and (name is None or node["name"] == name):
        return node
    for c in node["children"]:
        r = find(c, role, name)
        if r:
            return r
    return None
def focused(node):
    if "focused" in node["states"]:
        return node
    for c in node["children"]:
        r = focused(c)
        if r:
            return r
    return None
def roles(node, acc):
    acc.add(node["role"])
    for c in node["children"]:
        roles(c, acc)
    return acc
j = json.load(open(sys.argv[1]))
f = lambda role, name=None: find(j, role, name)
r = eval(sys.argv[2])
print(int(r) if isinstance(r, bool) else r)
PY

a11y() { # python-expression over the dump (f(role, name), focused(j), roles(j, set()))
	python3 "$T_DIR/a11y.py" "$DUMP" "$1" 2>/dev/null
}

a11y_is() { # value expression
	[ "$(a11y "$2")" = "$1" ]
}

# Screen position of a widget's centre, and its rectangle on screen.
content_origin() {
	wx=$(window_field lumen-widgets x) && wy=$(window_field lumen-widgets y) || return 1
	CX=$((wx + FRAME_X)) CY=$((wy + FRAME_Y))
}

rect_of() { # role name -> "X Y W H" on screen
	content_origin || return 1
	b=$(a11y "' '.join(map(str, f('$1', '$2')['bounds']))") || return 1
	set -- $b
	echo "$((CX + $1)) $((CY + $2)) $3 $4"
}

click() { # role name
	r=$(rect_of "$1" "$2") || return 1
	set -- $r
	inject move-abs $(($1 + $3 / 2)) $(($2 + $4 / 2)) $OUT_W $OUT_H button left click
}

shoot() { # FILE
	WAYLAND_DISPLAY="$T_SOCKET-trusted" "$TC_CAPTURE" "$1" >/dev/null 2>&1
}

count_in() { # FILE role name RRGGBB
	r=$(rect_of "$2" "$3") || return 1
	"$PNG_TOOL" count "$1" $r "$4"
}

start_gallery() { # args...
	rm -f "$DUMP"
	spawn widgets "$TK_WIDGETS" --a11y-dump "$DUMP" "$@"
	wait_for 10 has_window lumen-widgets && wait_for 10 test -s "$DUMP"
}

# Ends the gallery and checks that it exits cleanly: status 0, no sanitizer report.
stop_gallery() {
	kill -TERM "$PID_widgets" 2>/dev/null
	wait "$PID_widgets"
	status=$?
	T_PIDS=$(echo " $T_PIDS " | sed "s/ $PID_widgets / /")
	report=$(grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T_DIR/widgets.out" | head -n 3)
	[ "$status" -eq 0 ] && [ -z "$report" ]
	ok $? "lumen-widgets $1 exits cleanly (status $status${report:+; $report})"
	[ -z "$report" ] || grep -A 30 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
		"$T_DIR/widgets.out" | head -n 60 | sed 's/^/# /'
}

dump_clients() {
	for name in widgets im im2 inject inputctl; do
		[ -s "$T_DIR/$name.out" ] || continue
		diag "---- $name (tail) ----"
		diag "$(tail -n 20 "$T_DIR/$name.out")"
	done
}
