# Shared by browsers-chromium.sh and browsers-firefox.sh: a real browser on a 1920x1080
# output at scale 1.5 (1280x720 logical) shows data/browser-page.html, then opens its
# <select>. Sourced after lib.sh; the test sets BROWSER (a word for messages) and
# defines start_browser, which spawns the browser as "browser" (WAYLAND_DEBUG=client).
PAGE="$TESTS_DIR/integration/data/browser-page.html"
PNGC="$TESTS_DIR/integration/data/png-checker.py"
TITLE=${TITLE:-"lumen-page dpr=1.5"} # the window title the page gives
OUT_W=1280 OUT_H=720

browser_window() { # field
	window_field "$TITLE" "$1"
}

popup_count() {
	ipc_json "sum(len(w['popups']) for w in j['windows'])" windows
}

popups_are() { # N
	[ "$(popup_count 2>/dev/null)" = "$1" ]
}

# The magenta frame's box on the output ("X Y W H", output pixels) in $T_DIR/$1.
frame_box() { # PNG
	"$PNGC" bbox "$T_DIR/$1" ff00ff
}

# The browser's part of the test: map, scale, pixels, the <select> popup.
browser_checks() {
	printf '[output HEADLESS-1]\nscale = 1.5\n' >"$T_DIR/lumen.ini"
	start_lumen -o 1920x1080
	start_browser
	if ! wait_for 60 has_window "$TITLE"; then
		diag "windows: $("$LUMENCTL" -c windows)"
		tail -n 20 "$T_DIR/browser.out" | grep -v '^\[' | sed 's/^/# /'
		bail "$BROWSER did not map a window titled '$TITLE'"
	fi
	ok 0 "$BROWSER maps a window, and the page says devicePixelRatio is 1.5 (its title)"
	wait_for 5 grep -q 'wp_fractional_scale_v1[@#][0-9]*\.preferred_scale(180)' "$T_DIR/browser.out"
	ok $? "it binds wp_fractional_scale_v1 and is told 180/120"
	grep -q 'wp_viewport[@#][0-9]*\.set_destination(' "$T_DIR/browser.out"
	ok $? "it sets a wp_viewport destination for its surfaces"

	# The page, once drawn: the magenta frame (200 CSS px) is 300 output pixels wide.
	box=""
	framed() {
		capture "$T_DIR/page.png" && box=$(frame_box page.png) && set -- $box && [ "$3" = 300 ]
	}
	wait_for 20 framed
	ok $? "the page's 200 CSS px frame is 300 output pixels wide ($box)"
	set -- ${box:-0 0 0 0}
	# The frame's bottom edge is exact (a bar above the page may cover its top).
	FX=$1 FY=$(($2 + $4 - 300))
	# The canvas: 20 CSS px in (30 output pixels), 240 output pixels wide; 4 px margin.
	res=$("$PNGC" checker "$T_DIR/page.png" $((FX + 34)) $((FY + 34)) 232 232)
	set -- $res
	diag "canvas checker (pixels, crisp, gray): $res"
	[ "${1:-0}" -gt 50000 ] && [ "$2" = "$1" ] && [ "$3" = 0 ]
	ok $? "its canvas of single device pixels reaches the output 1:1: every pixel black or white and unlike its neighbours, no gray ($res)"
	# The control: the same region as a scale-1 buffer shown at 1.5 would be.
	"$TK_PNG_CHECK" upscale "$T_DIR/page.png" $((FX + 34)) $((FY + 34)) 160 160 "$T_DIR/up.png"
	ctl=$("$PNGC" checker "$T_DIR/up.png" 0 0 232 232)
	set -- $ctl
	[ "${2:-1}" -lt $((${1:-0} / 2)) ]
	ok $? "while the same pattern upscaled 3/2 is not crisp ($ctl)"

	# The <select> (CSS 240,40 160x40 from the frame's origin): a click opens its list.
	popups_are 0
	ok $? "no popup yet"
	sx=$(( (FX + 480) * 2 / 3 )) sy=$(( (FY + 90) * 2 / 3 ))
	VIEWPORTS=$(viewport_count)
	inject move-abs $sx $sy $OUT_W $OUT_H sleep 100 button left click
	# The list below the <select>: Chromium draws the options green as styled, Firefox
	# in its own colours, so what counts is how much of the page changed there.
	changed=0
	listed() { # [FILE]
		f="$T_DIR/${1:-select}.png"
		capture "$f" &&
			changed=$("$PNGC" diff "$T_DIR/page.png" "$f" $((FX + 360)) $((FY + 120)) 360 560) &&
			[ "$changed" -gt 5000 ]
	}
	wait_for 10 listed
	ok $? "a click on the <select> at $sx,$sy (logical) shows its list below it ($changed output pixels changed)"
	select_kind
	popup_buffer_ok
	ok $? "the list's surface is drawn at 1.5 too: buffer = viewport destination x 1.5 ($POPBUF)"
	inject key Escape tap
	wait_for 10 eval '! listed closed'
	ok $? "Escape closes it"
	wait_for 5 popups_are 0

	# The context menu near the output's bottom-right corner: an xdg_popup that the
	# positioner's flip keeps on the output, above and left of the pointer.
	wx=$(browser_window x) ww=$(browser_window width) wy=$(browser_window y) wh=$(browser_window height)
	cx=$(( wx + ww < OUT_W ? wx + ww - 40 : OUT_W - 40 ))
	cy=$(( wy + wh < OUT_H ? wy + wh - 40 : OUT_H - 40 ))
	VIEWPORTS=$(viewport_count)
	inject move-abs $cx $cy $OUT_W $OUT_H sleep 100 button right click
	wait_for 10 popups_are 1
	ok $? "a right click at $cx,$cy opens the context menu as an xdg_popup (IPC)"
	pop=$(ipc_json "' '.join(str(v) for w in j['windows'] for p in w['popups'] for v in (p['x'], p['y'], p['width'], p['height']))" windows)
	diag "context menu (logical x y w h): $pop"
	set -- ${pop:-0 0 0 0}
	# What the browser allowed (Chromium: slide x, flip y, resize y; Firefox: all).
	adj=$(grep -o 'set_constraint_adjustment([0-9]*)' "$T_DIR/browser.out" | tail -n 1 | tr -dc 0-9)
	adj=${adj:-0}
	if [ $((adj & 4)) != 0 ]; then
		xs="flipped left of the pointer" xok=$(($1 + $3 <= cx + 4))
	else
		xs="slid to the output's right edge" xok=$(($1 + $3 == OUT_W))
	fi
	[ "$3" -gt 50 ] && [ "$1" -ge 0 ] && [ "$2" -ge 0 ] && [ "$xok" = 1 ] &&
		[ $((adj & 8)) != 0 ] && [ $(($2 + $4)) -le $((cy + 4)) ] && [ $(($2 + $4)) -gt $((cy - 40)) ]
	ok $? "as its positioner allows (constraint_adjustment $adj) it was $xs and flipped above it, on the output ($pop)"
	PX=$(( $1 * 3 / 2 )) PY=$(( $2 * 3 / 2 )) PW=$(( $3 * 3 / 2 )) PH=$(( $4 * 3 / 2 ))
	changed=0
	menu_drawn() {
		capture "$T_DIR/menu.png" &&
			changed=$("$PNGC" diff "$T_DIR/page.png" "$T_DIR/menu.png" $PX $PY $PW $PH) &&
			[ "$changed" -gt $((PW * PH / 50)) ]
	}
	wait_for 10 menu_drawn
	ok $? "and is drawn there ($changed of $((PW * PH)) output pixels changed)"
	popup_buffer_ok
	ok $? "at 1.5: buffer = viewport destination x 1.5 ($POPBUF)"
	inject key Escape tap
	wait_for 10 popups_are 0
	ok $? "Escape closes it"
}

viewport_count() {
	grep -c -- '-> wp_viewporter[@#][0-9]*\.get_viewport' "$T_DIR/browser.out"
}

# The popup's last buffer vs its viewport (the last surface given a viewport, from the
# WAYLAND_DEBUG trace; Chromium prints ids with '#', libwayland with '@'), which must
# be one created since VIEWPORTS were.
popup_buffer_ok() {
	POPBUF=$(python3 - "$T_DIR/browser.out" "$VIEWPORTS" <<'PY'
import re, sys
I = r'[@#](\d+)'
pat = {
    'buffer': re.compile(r'-> wl_shm_pool' + I + r'\.create_buffer\(new id wl_buffer' + I + r', \d+, (\d+), (\d+),'),
    'dmabuf': re.compile(r'-> zwp_linux_buffer_params_v1' + I + r'\.create_immed\(new id wl_buffer' + I + r', (\d+), (\d+),'),
    'viewport': re.compile(r'-> wp_viewporter' + I + r'\.get_viewport\(new id wp_viewport' + I + r', wl_surface' + I + r'\)'),
    'attach': re.compile(r'-> wl_surface' + I + r'\.attach\(wl_buffer' + I + ','),
    'dest': re.compile(r'-> wp_viewport' + I + r'\.set_destination\((-?\d+), (-?\d+)\)'),
}
buffers, viewports, state, order = {}, {}, {}, []
for line in open(sys.argv[1], errors='replace'):
    for kind, rx in pat.items():
        m = rx.search(line)
        if m:
            break
    else:
        continue
    g = m.groups()
    if kind in ('buffer', 'dmabuf'):
        buffers[g[1]] = (int(g[2]), int(g[3]))
    elif kind == 'viewport':
        viewports[g[1]] = g[2]
        state[g[2]] = {'buf': None, 'dest': None}
        order.append(g[2])
    elif kind == 'attach' and g[0] in state and g[1] in buffers:
        state[g[0]]['buf'] = buffers[g[1]]
    elif kind == 'dest' and g[0] in viewports:
        state[viewports[g[0]]]['dest'] = (int(g[1]), int(g[2]))
if len(order) <= int(sys.argv[2]):
    print('no new surface with a viewport')
    sys.exit(1)
s = state[order[-1]]
print(s['buf'], s['dest'])
if not s['buf'] or not s['dest']:
    sys.exit(1)
r = lambda v: int(v * 3 / 2 + 0.5)
sys.exit(0 if s['buf'] == (r(s['dest'][0]), r(s['dest'][1])) else 1)
PY
)
}
