#!/usr/bin/python3
# The oracle of atspi-bridge.sh, and the AT-SPI2 side of bench-atspi: listens on AT-SPI2
# directly (libatspi through pyatspi, the path Orca takes) and prints, for every focus
# event in an application whose name contains FILTER, one line as lumen-reader would
# start to speak it: "NAME, ROLE WORDS" (role words read from a11y/client/roles.c, whose
# table is indexed by AT-SPI2's role values), after the wall-clock time it came, in s.
#
#   atspi-focus.py ROLES_C FILTER
import re
import sys
import time

import pyatspi


def role_words(path):
    text = open(path, encoding="utf-8").read()
    table = text[text.index("role_words[] = {"):]
    table = table[:table.index("};")]
    return re.findall(r'"([^"]*)"', table)


WORDS = role_words(sys.argv[1])
FILTER = sys.argv[2]


def on_focus(event):
    if not event.detail1:
        return
    stamp = time.time()
    try:
        app = event.host_application
        if app is None or FILTER not in (app.name or ""):
            return
        role = int(event.source.getRole())
        name = event.source.name or ""
    except Exception:  # gone meanwhile
        return
    word = WORDS[role] if 0 < role < len(WORDS) else "unknown"
    spoken = name + ", " + word if name else word
    print("%.6f\t%d\t%s" % (stamp, role, spoken), flush=True)


pyatspi.Registry.registerEventListener(on_focus, "object:state-changed:focused")
print("listening", flush=True)
pyatspi.Registry.start()
