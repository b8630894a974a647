#!/usr/bin/python3
"""Reads and drives AT-SPI2 applications through libatspi (gi Atspi), as Orca would.

  atspi-probe.py apps                       names of the desktop's applications
  atspi-probe.py dump APP                   the app's tree as JSON (role, name, states,
                                            actions, value, text, interfaces, extents)
  atspi-probe.py find APP ROLE [NAME]       one node as JSON (first match)
  atspi-probe.py do APP ROLE NAME ACTION    runs the named action; prints its result
  atspi-probe.py set-value APP ROLE NAME V  sets the Value's current value
  atspi-probe.py focus APP ROLE NAME        Component.grab_focus
  atspi-probe.py caret APP ROLE NAME N      Text.set_caret_offset
  atspi-probe.py texts APP                  every Text interface's whole text, one a line
  atspi-probe.py events APP SECONDS         object/window events until then (or SIGTERM),
                                            one a line

APP is an application's name (the exported tree's app id). Exit status 1 when not found.
"""
import json
import signal
import sys

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi, GLib  # noqa: E402


def find_app(name):
    desktop = Atspi.get_desktop(0)
    for i in range(desktop.get_child_count()):
        app = desktop.get_child_at_index(i)
        if app is not None and app.get_name() == name:
            return app
    return None


def states(obj):
    s = obj.get_state_set()
    return sorted(Atspi.StateType(v).value_nick for v in range(Atspi.StateType.LAST_DEFINED)
                  if s.contains(Atspi.StateType(v)))


def describe(obj, depth=0):
    d = {
        "role": obj.get_role_name(),
        "name": obj.get_name(),
        "states": states(obj),
        "interfaces": sorted(obj.get_interfaces()),
    }
    action = obj.get_action_iface()
    if action is not None:
        d["actions"] = [action.get_action_name(i) for i in range(action.get_n_actions())]
    value = obj.get_value_iface()
    if value is not None:
        d["value"] = value.get_current_value()
        d["range"] = [value.get_minimum_value(), value.get_maximum_value()]
    text = obj.get_text_iface()
    if text is not None:
        n = text.get_character_count()
        d["text"] = text.get_text(0, n)
        d["caret"] = text.get_caret_offset()
    comp = obj.get_component_iface()
    if comp is not None:
        e = comp.get_extents(Atspi.CoordType.SCREEN)
        d["extents"] = [e.x, e.y, e.width, e.height]
    d["children"] = [describe(obj.get_child_at_index(i), depth + 1)
                     for i in range(obj.get_child_count()) if depth < 64]
    return d


def walk(obj):
    yield obj
    for i in range(obj.get_child_count()):
        child = obj.get_child_at_index(i)
        if child is not None:
            yield from walk(child)


def find(app, role, name=None):
    for obj in walk(app):
        if obj.get_role_name() == role and (name is None or obj.get_name() == name):
            return obj
    return None


def main(argv):
    cmd = argv[1]
    if cmd == "apps":
        desktop = Atspi.get_desktop(0)
        for i in range(desktop.get_child_count()):
            app = desktop.get_child_at_index(i)
            print(app.get_name() if app is not None else "")
        return 0
    app = find_app(argv[2])
    if app is None:
        print("no application %r" % argv[2], file=sys.stderr)
        return 1
    if cmd == "dump":
        print(json.dumps(describe(app)))
        return 0
    if cmd == "texts":
        for obj in walk(app):
            text = obj.get_text_iface()
            if text is not None:
                n = text.get_character_count()
                whole = text.get_text(0, n)
                pieces = [whole, text.get_text(0, -1)]
                for off in range(n + 1):
                    for kind in (Atspi.TextBoundaryType.CHAR, Atspi.TextBoundaryType.WORD_START,
                                 Atspi.TextBoundaryType.LINE_START):
                        pieces.append(text.get_text_at_offset(off, kind).content)
                    pieces.append(chr(text.get_character_at_offset(off) or 32))
                print("%s|%s|%s" % (obj.get_role_name(), obj.get_name(), " ".join(pieces)))
        return 0
    if cmd == "events":
        seen = []

        def on_event(ev):
            src = ev.source
            seen.append("%s %s|%s %d %s" % (ev.type, src.get_role_name() if src else "",
                                             src.get_name() if src else "", ev.detail1,
                                             ev.any_data if isinstance(ev.any_data, (str, float, int))
                                             else ""))
        listener = Atspi.EventListener.new(on_event)
        for kind in ("object:", "window:", "focus:"):
            listener.register(kind)
        loop = GLib.MainLoop()
        GLib.timeout_add(int(float(argv[3]) * 1000), loop.quit)
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
        print("listening", flush=True)
        loop.run()
        for line in seen:
            print(line)
        return 0
    obj = find(app, argv[3], argv[4] if len(argv) > 4 else None)
    if obj is None:
        print("no %s %r" % (argv[3], argv[4] if len(argv) > 4 else None), file=sys.stderr)
        return 1
    if cmd == "find":
        d = describe(obj)
        d.pop("children")
        print(json.dumps(d))
    elif cmd == "do":
        action = obj.get_action_iface()
        names = [action.get_action_name(i) for i in range(action.get_n_actions())]
        print(int(action.do_action(names.index(argv[5]))))
    elif cmd == "set-value":
        print(int(obj.get_value_iface().set_current_value(float(argv[5]))))
    elif cmd == "focus":
        print(int(obj.get_component_iface().grab_focus()))
    elif cmd == "caret":
        print(int(obj.get_text_iface().set_caret_offset(int(argv[5]))))
    else:
        print("unknown command %r" % cmd, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
