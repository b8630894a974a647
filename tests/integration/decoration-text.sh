#!/bin/bash
# Title bar text through fonts/: a title mixing Latin, Arabic, CJK and an emoji is
# drawn across the bar (fallback fonts, the emoji in colour), a long title is cut with
# an ellipsis before the buttons, and once the output's scale turns 2 (wlr-randr) the
# title is drawn again at 2x (glyph edges a device pixel wide), not a 1x bar stretched.
. "$TESTS_DIR/lib.sh"

BG=3584e4
# Reads an RGB(A) 8-bit PNG (what lumenctl screenshot writes) and answers one question
# about the whole image: ink columns, colour-emoji pixels, or how much ink is edge.
cat >"$T_DIR/bar.py" <<'PY'
import struct, sys, zlib
def read_png(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6)
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, rows, prev = zlib.decompress(idat), [], bytearray(w * bpp)
    stride = w * bpp
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(w)])
        prev = line
    return w, h, rows
w, h, rows = read_png(sys.argv[2])
bg = tuple(int(sys.argv[3][i:i + 2], 16) for i in (0, 2, 4))
ink = lambda p: max(abs(p[i] - bg[i]) for i in range(3)) > 60
if sys.argv[1] == "ink":  # first and last ink column, and % of 8 px strips between with ink
    cols = [x for x in range(w) if any(ink(rows[y][x]) for y in range(h))]
    if not cols:
        print("-1 -1 0"); sys.exit()
    strips = range(cols[0] // 8, cols[-1] // 8 + 1)
    inked = sum(1 for s in strips if any(s * 8 <= x < s * 8 + 8 for x in cols))
    print(cols[0], cols[-1], 100 * inked // len(strips))
elif sys.argv[1] == "emoji":  # saturated yellow/orange: colour emoji
    print(sum(1 for r in rows for p in r if p[0] > 200 and p[1] > 120 and p[2] < 100))
elif sys.argv[1] == "edges":  # % of the ink that is partial coverage (glyph edges)
    # Coverage of the (white) text from the red channel: the bar's is 0x35.
    cov = [(p[0] - bg[0]) / (255 - bg[0]) for r in rows for p in r]
    solid = sum(1 for a in cov if a > 0.9)
    partial = sum(1 for a in cov if 0.1 < a <= 0.9)
    print(100 * partial // max(solid + partial, 1))
PY
bar() { # question file
	python3 "$T_DIR/bar.py" "$1" "$2" "$BG"
}

printf '[decorations]\nfocused = #%s\nunfocused = #5e5c64\n' "$BG" >"$T_DIR/lumen.ini"
start_lumen

MIXED="Lumen مرحبا بالعالم 漢字テスト 😀 end"
spawn a "$TC_KEYLOG" --title "$MIXED" --size 560x150 --color 000000
wait_for 20 has_window "$MIXED"
aid=$(window_field "$MIXED" id)
# Where it stays in view once the output is 640x360 logical (scale 2, below).
"$LUMENCTL" move "$aid" to 20 40 >/dev/null
sleep 0.5
capture "$T_DIR/mixed.png"
x=$(window_field "$MIXED" x); y=$(window_field "$MIXED" y); w=$(window_field "$MIXED" width)
# The title's room: from the left border + 10 to the buttons (3 × 34 px) less 12.
room=$((w - 4 - 102 - 12))
"$PNG_TOOL" crop "$T_DIR/mixed.png" $((x + 2)) $((y + 2)) $((room + 12)) 28 "$T_DIR/mixed-bar.png"
read -r first last pct <<<"$(bar ink "$T_DIR/mixed-bar.png")"
[ "$first" -ge 8 ] && [ "$first" -le 14 ] && [ $((last - first)) -gt 200 ] && [ "$pct" -ge 85 ]
ok $? "the mixed Latin/Arabic/CJK/emoji title covers the bar from x $first to $last ($pct% of 8 px strips inked)"
yellow=$(bar emoji "$T_DIR/mixed-bar.png")
[ "$yellow" -gt 20 ]
ok $? "the emoji in the title is drawn in colour, from the emoji font ($yellow yellow pixels)"
edges1=$(bar edges "$T_DIR/mixed-bar.png")

LONG="A very long window title that cannot fit: $(printf 'word %.0s' $(seq 60))the end"
spawn b "$TC_KEYLOG" --title "$LONG" --size 500x200 --color 000000
wait_for 20 has_window "the end" || wait_for 5 has_windows 2
lid=$("$LUMENCTL" -c windows | python3 -c "
import json,sys
print([w['id'] for w in json.load(sys.stdin)['windows'] if w['title'].endswith('the end')][0])")
"$LUMENCTL" move "$lid" to 100 400 >/dev/null
"$LUMENCTL" focus "$lid" >/dev/null
sleep 0.5
capture "$T_DIR/long.png"
lw=$(ipc_json "[w['width'] for w in j['windows'] if w['id']==$lid][0]" windows)
# The bar up to the minimize button's glyph (at 2 + 34/2 + 2×34 ± 7 px from the right).
"$PNG_TOOL" crop "$T_DIR/long.png" 102 402 $((lw - 4 - 96)) 28 "$T_DIR/long-bar.png"
read -r first last pct <<<"$(bar ink "$T_DIR/long-bar.png")"
end=$((lw - 4 - 102 - 2))   # where the title's room ends, in the crop
[ "$last" -le "$end" ] && [ "$last" -ge $((end - 30)) ]
ok $? "a long title stops before the buttons (last ink at $last, room ends at $end, bar $lw wide)"
"$PNG_TOOL" crop "$T_DIR/long.png" $((102 + last + 1)) 402 $((lw - 4 - 96 - last - 1)) 28 "$T_DIR/gap.png"
read -r gfirst _ _ <<<"$(bar ink "$T_DIR/gap.png")"
[ "$gfirst" = -1 ]
ok $? "and the bar is plain between the ellipsized title and the minimize button"

# Output scale 2 at run time: the bar is drawn again at the new scale, with nothing
# else changing (the first window focused again first, while still at scale 1).
"$LUMENCTL" focus "$aid" >/dev/null
sleep 0.3
WAYLAND_DISPLAY=$T_SOCKET-trusted wlr-randr --output HEADLESS-1 --scale 2 \
	2>"$T_DIR/randr.err"
ok $? "wlr-randr sets scale 2"
sleep 0.5
capture "$T_DIR/scale2.png"
read -r sw sh <<<"$("$PNG_TOOL" size "$T_DIR/scale2.png")"
scale=$(ipc_json "j['outputs'][0]['scale']" outputs)
[ "$sw" = 1280 ] && [ "${scale%.*}" = 2 ]
ok $? "the output is at scale 2 and the screenshot has its device pixels ($sw x $sh, scale $scale)"
"$PNG_TOOL" crop "$T_DIR/scale2.png" $((2 * x + 4)) $((2 * y + 4)) $((2 * room + 24)) 56 \
	"$T_DIR/scale2-bar.png"
read -r first last pct <<<"$(bar ink "$T_DIR/scale2-bar.png")"
edges2=$(bar edges "$T_DIR/scale2-bar.png")
# Glyph edges are one device pixel wide whatever the scale, so at 2x a smaller part
# of the ink is edge; a bar drawn at 1x and stretched keeps the 1x proportion.
[ $((last - first)) -gt 400 ] && [ $((edges2 * 4)) -lt $((edges1 * 3)) ]
ok $? "the title is drawn at 2x: ink over $((last - first)) device px, $edges2% of it edges (at scale 1: $edges1%)"
done_testing
