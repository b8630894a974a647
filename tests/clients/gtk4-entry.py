#!/usr/bin/python3
# A GTK4 window with one text field (Gtk.Entry), for tests of what a real toolkit makes
# of the keys it gets: layouts, dead keys, compose sequences, input methods. It prints
# "focus in" when the field has the keyboard and "text: TEXT" (the whole text, each time
# it changes) on stdout, one line at a time, and "pressed N X Y" for each press (mouse or
# touch) on the window. Usage: gtk4-entry.py [TITLE]
import sys

import gi

gi.require_version("Gtk", "4.0")
from gi.repository import Gio, Gtk  # noqa: E402

title = sys.argv[1] if len(sys.argv) > 1 else "gtk4-entry"


def say(line):
    print(line, flush=True)


def on_activate(app):
    win = Gtk.ApplicationWindow(application=app, title=title)
    win.set_default_size(400, 120)
    entry = Gtk.Entry()
    entry.connect("changed", lambda e: say("text: " + e.get_text()))
    focus = Gtk.EventControllerFocus()
    focus.connect("enter", lambda c: say("focus in"))
    focus.connect("leave", lambda c: say("focus out"))
    entry.add_controller(focus)
    click = Gtk.GestureClick()
    click.set_propagation_phase(Gtk.PropagationPhase.CAPTURE)
    click.connect("pressed", lambda g, n, x, y: say("pressed %d %d %d" % (n, x, y)))
    win.add_controller(click)
    win.set_child(entry)
    win.present()
    entry.grab_focus()
    say("mapped")


app = Gtk.Application(application_id="org.lumen.TestEntry",
                      flags=Gio.ApplicationFlags.NON_UNIQUE)
app.connect("activate", on_activate)
sys.exit(app.run([sys.argv[0]]))
