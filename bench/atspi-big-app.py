#!/usr/bin/python3
# bench-atspi's application: a GTK 4 window with a large accessible tree (COUNT buttons,
# each with its label: about 2 x COUNT + 8 AT-SPI2 objects), which prints, for every
# focus change, the wall-clock time GTK moved focus (notify::focus-widget, before GTK
# tells AT-SPI2) and the focused button's label:
#
#   atspi-big-app.py [COUNT]   ->   "focus 1795308611.510123<TAB>Item 7"
import sys
import time

import gi

gi.require_version("Gtk", "4.0")
from gi.repository import Gtk  # noqa: E402

COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 3000


def on_focus(window, _pspec):
    stamp = time.time()
    widget = window.get_focus()
    label = widget.get_label() if isinstance(widget, Gtk.Button) else ""
    print("focus %.6f\t%s" % (stamp, label or ""), flush=True)


def on_activate(app):
    window = Gtk.ApplicationWindow(application=app, title="Big tree")
    window.set_default_size(400, 600)
    box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL)
    for i in range(COUNT):
        box.append(Gtk.Button(label="Item %d" % i))
    scroller = Gtk.ScrolledWindow()
    scroller.set_child(box)
    window.set_child(scroller)
    window.connect("notify::focus-widget", on_focus)
    window.present()
    print("ready", flush=True)


app = Gtk.Application(application_id="org.lumen.BigTree")
app.connect("activate", on_activate)
app.run([sys.argv[0]])
