#!/usr/bin/env python3
"""Pixel questions about a screenshot, for browsers.sh and qt6-popups.sh (no PIL on
the test machines: a small PNG reader on zlib; 8-bit RGB/RGBA, not interlaced).

  png-checker.py bbox FILE RRGGBB [TOL]      -> "X Y W H" of the pixels of that colour, or exit 1
  png-checker.py checker FILE X Y W H        -> "N CRISP GRAY": of N pixels, how many are pure
                                                black/white and differ from their right and
                                                lower neighbours (a 1-device-pixel checker),
                                                how many are neither black nor white
  png-checker.py count FILE X Y W H RRGGBB [TOL] -> how many pixels are that colour
  png-checker.py diff FILE OTHER X Y W H     -> how many pixels differ between the two
"""
import struct
import sys
import zlib


def read_png(path):
    data = open(path, 'rb').read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise SystemExit('not a PNG')
    pos, idat, w = 8, [], 0
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b'IHDR':
            w, h, depth, ctype, _, _, interlace = struct.unpack('>IIBBBBB', body)
            if depth != 8 or ctype not in (2, 6) or interlace:
                raise SystemExit('unsupported PNG (depth %d, colour type %d)' % (depth, ctype))
            bpp = 3 if ctype == 2 else 4
        elif kind == b'IDAT':
            idat.append(body)
        elif kind == b'IEND':
            break
    raw = zlib.decompress(b''.join(idat))
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return w, h, bpp, rows


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    if cmd == 'diff':
        a, b = read_png(path), read_png(sys.argv[3])
        x0, y0, cw, ch = (int(v) for v in sys.argv[4:8])
        n = 0
        for y in range(y0, min(a[1], b[1], y0 + ch)):
            ra, rb = a[3][y], b[3][y]
            for x in range(x0, min(a[0], b[0], x0 + cw)):
                if ra[x * a[2]:x * a[2] + 3] != rb[x * b[2]:x * b[2] + 3]:
                    n += 1
        print(n)
        return
    w, h, bpp, rows = read_png(path)

    def px(x, y):
        r = rows[y]
        return r[x * bpp], r[x * bpp + 1], r[x * bpp + 2]

    def near(p, q, tol):
        return all(abs(a - b) <= tol for a, b in zip(p, q))

    def colour(s):
        return tuple(int(s[i:i + 2], 16) for i in (0, 2, 4))

    if cmd == 'bbox':
        want, tol = colour(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 0
        xs, ys = [], []
        for y in range(h):
            for x in range(w):
                if near(px(x, y), want, tol):
                    xs.append(x)
                    ys.append(y)
        if not xs:
            sys.exit(1)
        print(min(xs), min(ys), max(xs) - min(xs) + 1, max(ys) - min(ys) + 1)
        return
    x0, y0, cw, ch = (int(v) for v in sys.argv[3:7])
    x1, y1 = min(w, x0 + cw), min(h, y0 + ch)
    if cmd == 'count':
        want, tol = colour(sys.argv[7]), int(sys.argv[8]) if len(sys.argv) > 8 else 0
        print(sum(1 for y in range(y0, y1) for x in range(x0, x1) if near(px(x, y), want, tol)))
        return
    if cmd == 'checker':
        n = crisp = gray = 0
        for y in range(y0, y1 - 1):
            for x in range(x0, x1 - 1):
                p = px(x, y)
                n += 1
                bw = p in ((0, 0, 0), (255, 255, 255))
                if not bw:
                    gray += 1
                elif px(x + 1, y) != p and px(x, y + 1) != p:
                    crisp += 1
        print(n, crisp, gray)
        return
    raise SystemExit('unknown command ' + cmd)


main()
