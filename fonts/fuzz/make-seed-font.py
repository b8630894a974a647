#!/usr/bin/env python3
"""Writes a tiny TrueType font (two glyphs: .notdef and a square for 'A') built from
scratch, as a seed for fuzz-fonts: the fuzzer mutates it into the truncated and
corrupt fonts that the loader must refuse. Usage: make-seed-font.py OUT"""
import struct
import sys


def table_checksum(data):
    data += b"\0" * (-len(data) % 4)
    return sum(struct.unpack(">%dI" % (len(data) // 4), data)) & 0xFFFFFFFF


def build():
    upem = 1000
    head = struct.pack(">IIIIHHqqhhhhHHhhh", 0x00010000, 0x00010000, 0, 0x5F0F3CF5, 0x000B,
                       upem, 0, 0, 0, 0, 500, 700, 0, 8, 2, 0, 0)
    hhea = struct.pack(">IhhhHhhhhhhhhhhhH", 0x00010000, 800, -200, 0, 600, 0, 0, 500, 700,
                       1, 0, 0, 0, 0, 0, 0, 2)
    maxp = struct.pack(">IHHHHHHHHHHHHHH", 0x00010000, 2, 4, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0,
                       0, 0)
    hmtx = struct.pack(">HhHh", 600, 0, 600, 0)
    # glyph 1: one contour, a square from (0,0) to (500,700), all points on the curve.
    xs, ys = [0, 0, 500, 500], [0, 700, 700, 0]
    glyph = struct.pack(">hhhhhH", 1, 0, 0, 500, 700, 3) + struct.pack(">H", 0)
    glyph += bytes([0x01] * 4)
    px = py = 0
    for x in xs:
        glyph += struct.pack(">h", x - px)
        px = x
    for y in ys:
        glyph += struct.pack(">h", y - py)
        py = y
    glyph += b"\0" * (len(glyph) % 2)
    glyf = glyph
    loca = struct.pack(">HHH", 0, 0, len(glyph) // 2)
    # cmap format 4: 'A' -> 1, plus the closing 0xFFFF segment.
    segs = [(0x41, 0x41, 1 - 0x41), (0xFFFF, 0xFFFF, 1)]
    seg_x2 = 2 * len(segs)
    sub = struct.pack(">HHHHHHH", 4, 0, 0, seg_x2, 4, 1, 0)
    sub += b"".join(struct.pack(">H", e) for _, e, _ in segs) + b"\0\0"
    sub += b"".join(struct.pack(">H", s) for s, _, _ in segs)
    sub += b"".join(struct.pack(">h", d if d < 0x8000 else d - 0x10000) for _, _, d in segs)
    sub += b"".join(struct.pack(">H", 0) for _ in segs)
    sub = sub[:2] + struct.pack(">H", len(sub)) + sub[4:]
    cmap = struct.pack(">HHHHI", 0, 1, 3, 1, 12) + sub
    post = struct.pack(">IIhhIIIII", 0x00030000, 0, -100, 50, 0, 0, 0, 0, 0)
    tables = {b"cmap": cmap, b"glyf": glyf, b"head": head, b"hhea": hhea, b"hmtx": hmtx,
              b"loca": loca, b"maxp": maxp, b"post": post}
    n = len(tables)
    out = struct.pack(">IHHHH", 0x00010000, n, 128, 3, n * 16 - 128)
    offset = 12 + 16 * n
    body = b""
    for tag in sorted(tables):
        data = tables[tag]
        out += struct.pack(">4sIII", tag, table_checksum(data), offset + len(body), len(data))
        body += data + b"\0" * (-len(data) % 4)
    return out + body


if __name__ == "__main__":
    with open(sys.argv[1], "wb") as f:
        f.write(b"\x80" + build())  # first byte: the fuzzer's "font" mode
