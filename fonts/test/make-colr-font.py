#!/usr/bin/env python3
"""Writes a tiny COLRv0/CPAL colour font for the tests, since Debian ships none:
'A' is two layers side by side (left red, right blue), 'B' one green layer over a
foreground-coloured bar (palette index 0xFFFF, the text colour). Family
"Lumen COLR Test". Usage: make-colr-font.py OUT.ttf"""
import sys

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen

UPEM = 1000


def rect(x0, y0, x1, y1):
    pen = TTGlyphPen(None)
    pen.moveTo((x0, y0))
    pen.lineTo((x0, y1))
    pen.lineTo((x1, y1))
    pen.lineTo((x1, y0))
    pen.closePath()
    return pen.glyph()


def build(path):
    order = [".notdef", "A", "B", "space", "a.left", "a.right", "b.body", "b.bar"]
    fb = FontBuilder(UPEM, isTTF=True)
    fb.setupGlyphOrder(order)
    fb.setupCharacterMap({0x41: "A", 0x42: "B", 0x20: "space"})
    glyphs = {
        ".notdef": rect(50, 0, 550, 700),
        # The base glyphs' own outlines are what a renderer without COLR would show.
        "A": rect(50, 0, 850, 700),
        "B": rect(50, 0, 850, 700),
        "space": TTGlyphPen(None).glyph(),
        "a.left": rect(50, 0, 450, 700),
        "a.right": rect(450, 0, 850, 700),
        "b.body": rect(50, 200, 850, 700),
        "b.bar": rect(50, 0, 850, 150),
    }
    fb.setupGlyf(glyphs)
    # The left side bearing must be each outline's xMin: renderers place glyphs by it.
    fb.setupHorizontalMetrics({g: (900 if g != "space" else 300, getattr(glyphs[g], "xMin", 0))
                               for g in order})
    fb.setupHorizontalHeader(ascent=800, descent=-200)
    fb.setupNameTable({"familyName": "Lumen COLR Test", "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=800, sTypoDescender=-200, usWinAscent=800, usWinDescent=200)
    fb.setupPost()
    # Palette 0: red, blue, green (RGBA 0..1).
    fb.setupCPAL([[(1.0, 0.0, 0.0, 1.0), (0.0, 0.0, 1.0, 1.0), (0.0, 0.8, 0.0, 1.0)]])
    fb.setupCOLR({
        "A": [("a.left", 0), ("a.right", 1)],
        "B": [("b.body", 2), ("b.bar", 0xFFFF)],
    }, version=0)
    fb.save(path)


if __name__ == "__main__":
    build(sys.argv[1])
