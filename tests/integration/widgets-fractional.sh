#!/bin/bash
# lumen-widgets on a fractionally scaled output (wp_fractional_scale_v1 + wp_viewporter):
# at 1.5 the gallery draws a buffer of exactly its logical size times 1.5 (rounded half
# away from zero, as the protocol asks) with buffer scale 1 and a viewport back to the
# logical size, so lumen shows it 1:1; its text is drawn at 1.5, not a scale-1 picture
# upscaled (pixels); a widget lands at the output pixels its logical bounds say. Then
# 1.25 and 1.75, changed at run time with wlr-randr, give buffers of those sizes too.
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/integration/widgets-lib.sh"

# A 1920x1080 output at 1.5 is 1280x720 logical: the layout the helpers assume.
PHYS_W=1920 PHYS_H=1080

# last_buffer [popup]: the last buffer that the gallery's window (or, with "popup", the
# surface it created last) attached, from the WAYLAND_DEBUG trace: "BW BH DW DH S" (buffer
# size, viewport destination, buffer scale). Object ids are reused once freed, so each
# surface is known by the viewport created for it.
last_buffer() {
	python3 - "$T_DIR/widgets.out" "${1:-window}" <<'PY'
import re, sys
buffers, viewports, state, order = {}, {}, {}, []
pat = {
    'buffer': re.compile(r'-> wl_shm_pool@\d+\.create_buffer\(new id wl_buffer@(\d+), \d+, (\d+), (\d+),'),
    'viewport': re.compile(r'-> wp_viewporter@\d+\.get_viewport\(new id wp_viewport@(\d+), wl_surface@(\d+)\)'),
    'attach': re.compile(r'-> wl_surface@(\d+)\.attach\(wl_buffer@(\d+),'),
    'scale': re.compile(r'-> wl_surface@(\d+)\.set_buffer_scale\((\d+)\)'),
    'dest': re.compile(r'-> wp_viewport@(\d+)\.set_destination\((-?\d+), (-?\d+)\)'),
}
for line in open(sys.argv[1], errors='replace'):
    for kind, rx in pat.items():
        m = rx.search(line)
        if m:
            break
    else:
        continue
    g = m.groups()
    if kind == 'buffer':
        buffers[g[0]] = [int(g[1]), int(g[2])]
    elif kind == 'viewport':
        viewports[g[0]] = g[1]
        state[g[1]] = {'buf': None, 'dest': None, 'scale': 1}
        order.append(g[1])
    elif kind == 'attach' and g[0] in state and g[1] in buffers:
        state[g[0]]['buf'] = buffers[g[1]]
    elif kind == 'scale' and g[0] in state:
        state[g[0]]['scale'] = int(g[1])
    elif kind == 'dest' and g[0] in viewports:
        state[viewports[g[0]]]['dest'] = [int(g[1]), int(g[2])]
if not order:
    sys.exit(1)
s = state[order[-1] if sys.argv[2] == 'popup' else order[0]]
if not s['buf'] or not s['dest']:
    sys.exit(1)
print(*s['buf'], *s['dest'], s['scale'])
PY
}

# buffer_is SCALE [popup]: the last buffer is the viewport destination times SCALE,
# rounded half away from zero, at buffer scale 1 (BUF holds what was seen)
buffer_is() {
	BUF=$(last_buffer "${2:-window}") || return 1
	set -- "$1" $BUF
	python3 -c "
import decimal, sys
s, bw, bh, dw, dh, bs = decimal.Decimal('$1'), $2, $3, $4, $5, $6
r = lambda v: int((v * s).to_integral_value(rounding=decimal.ROUND_HALF_UP))
sys.exit(0 if (bw, bh) == (r(dw), r(dh)) and dw > 0 and bs == 1 else 1)"
}

# phys_rect SCALE X Y W H (logical, on the layout) -> "X Y W H" in output pixels
phys_rect() {
	python3 -c "
import decimal
s = decimal.Decimal('$1')
r = lambda v: int((v * s).to_integral_value(rounding=decimal.ROUND_HALF_UP))
x, y, w, h = $2, $3, $4, $5
print(r(x), r(y), r(x + w) - r(x), r(y + h) - r(y))"
}

printf '[output HEADLESS-1]\nscale = 1.5\n' >"$T_DIR/lumen.ini"
start_lumen -o ${PHYS_W}x$PHYS_H
rm -f "$DUMP"
WAYLAND_DEBUG=client spawn widgets "$TK_WIDGETS" --a11y-dump "$DUMP"
wait_for 10 has_window lumen-widgets && wait_for 10 test -s "$DUMP" ||
	{ dump_clients; bail "lumen-widgets did not start at scale 1.5"; }
wait_for 5 grep -q 'wp_fractional_scale_v1@[0-9]*\.preferred_scale(180)' "$T_DIR/widgets.out"
ok $? "the gallery is told the preferred scale 180/120"
wait_for 5 buffer_is 1.5
ok $? "it draws a buffer of its logical size times 1.5 at buffer scale 1, through a viewport ($BUF: buffer, destination, scale)"
set -- $BUF
LW=$3 LH=$4
ww=$(window_field lumen-widgets width) wh=$(window_field lumen-widgets height)
[ "$ww" -eq $((LW + 2 * FRAME_X)) ] && [ "$wh" -eq $((LH + FRAME_Y + FRAME_X)) ]
ok $? "the window is its logical size (${LW}x$LH content, ${ww}x$wh with its frame), not the buffer's"

# --- Where a widget lands: click the check box (logical coordinates, the pointer's
# extent is the 1280x720 layout), then find its accent square on the 1920x1080 output.
click check-box "Remember me"
wait_for 5 a11y_is 1 "'checked' in f('check-box')['states']"
ok $? "a click at the check box's logical bounds checks it"
r=$(rect_of check-box "Remember me")
set -- $r
# The indicator: 18x18 logical, 2 px in, centred vertically in the widget's box.
IX=$(($1 + 2)) IY=$(($2 + ($4 - 18) / 2))
want=$(phys_rect 1.5 $IX $IY 18 18)
square_drawn() {
	shoot "$T_DIR/frac.png" || return 1
	got=$("$TK_PNG_CHECK" bbox "$T_DIR/frac.png" $(phys_rect 1.5 $(($1 - 8)) $(($2 - 8)) $(($3 + 16)) $(($4 + 16))) 3584e4 0)
	[ "$got" != "bbox none" ]
}
got="bbox none"
wait_for 5 square_drawn "$@"
read -r _ gx gy gw gh _ <<<"$got"
read -r wx wy ww wh <<<"$want"
dx=$((gx - wx)) dy=$((gy - wy))
[ "$gw" = "$ww" ] && [ "$gh" = "$wh" ] && [ "${dx#-}" -le 1 ] && [ "${dy#-}" -le 1 ]
ok $? "its accent square is ${gw}x$gh at $gx,$gy on the output (expected ${ww}x$wh at $wx,$wy, within a pixel)"

# --- The menu's popup is a surface of its own, told the same scale.
click menu-button Menu
wait_for 5 a11y_is 1 "'expanded' in f('menu-button')['states'] and f('menu') is not None"
ok $? "the menu opens at 1.5"
wait_for 5 buffer_is 1.5 popup
ok $? "and its popup draws at 1.5 too ($BUF)"
inject key Escape tap
wait_for 5 a11y_is 0 "'expanded' in f('menu-button')['states']"

# --- The heading's text at 1.5: glyph edges with detail that a 3/2 upscale lacks.
content_origin
b=$(a11y "' '.join(map(str, f('heading', 'Lumen widgets')['bounds']))")
set -- $b
HL="$((CX + $1)) $((CY + $2)) $3 $4" # logical, on the layout
read -r X Y W H <<<"$(phys_rect 1.5 $HL)"
res=$("$TK_PNG_CHECK" triples "$T_DIR/frac.png" $X $Y $W $H)
diag "runs of 3 pixels in the heading at 1.5: $res"
set -- $res
[ "$2" -gt 100 ] && [ "$4" -gt $(($2 / 5)) ]
ok $? "the heading's glyph edges have detail in every run of 3 pixels, as no 3/2 upscale has ($res)"
distinct=$("$PNG_TOOL" distinct "$T_DIR/frac.png" $X $Y $W $H)
[ "$distinct" -gt 8 ]
ok $? "and are antialiased ($distinct colours)"

# The control: the same heading at scale 1, upscaled 3/2 by nearest neighbour as a
# compositor would show a scale-1 buffer, has no such detail at its phase.
WAYLAND_DISPLAY=$T_SOCKET-trusted wlr-randr --output HEADLESS-1 --scale 1
wait_for 5 grep -q 'preferred_scale(120)' "$T_DIR/widgets.out"
wait_for 5 buffer_is 1
sleep 0.3
shoot "$T_DIR/one.png"
content_origin
set -- $b
"$TK_PNG_CHECK" upscale "$T_DIR/one.png" $((CX + $1)) $((CY + $2)) $3 $4 "$T_DIR/up.png"
set -- $("$PNG_TOOL" size "$T_DIR/up.png" 2>/dev/null || echo 0 0)
ctl=$("$TK_PNG_CHECK" triples "$T_DIR/up.png" 0 0 $((W < ${1:-0} ? W : ${1:-0})) $((H < ${2:-0} ? H : ${2:-0})))
diag "the scale-1 heading upscaled 3/2: $ctl"
set -- $ctl
[ "${4:-1}" -eq 0 ] && [ "${2:-0}" -gt 100 ]
ok $? "while the scale-1 heading upscaled 3/2 has none ($ctl)"

# --- 1.25 and 1.75 at run time: buffers of exactly those sizes.
for s in 1.25:150 1.75:210; do
	scale=${s%:*} num=${s#*:}
	WAYLAND_DISPLAY=$T_SOCKET-trusted wlr-randr --output HEADLESS-1 --scale "$scale"
	wait_for 5 grep -q "preferred_scale($num)" "$T_DIR/widgets.out"
	ok $? "at $scale (wlr-randr) the gallery is told $num/120"
	wait_for 5 buffer_is "$scale"
	ok $? "and draws a buffer of its logical size times $scale ($BUF)"
done
a11y_is 1 "'checked' in f('check-box')['states']"
ok $? "and its state survived the scale changes"

stop_gallery "(fractional)"
stop_lumen
[ "$T_FAILED" -eq 0 ] || dump_clients
done_testing
