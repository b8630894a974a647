#!/usr/bin/python3
# Stands in for a screen reader, for tests of the keys lumen gives them
# (compositor/src/atspi-keys.c). Prints one line per thing heard, flushed.
#
#   atspi-keys.py listen [KEYSYM...]   an AT-SPI2 keystroke listener (synchronous, may
#                                      consume), as Orca 43 registers one: prints
#                                      "press|release NAME hw=N mods=M text=T" per key,
#                                      and consumes the keys named (press and release)
#   atspi-keys.py listen-slow MS KEYSYM...
#                                      the same listener, consuming nothing, that takes
#                                      MS milliseconds to answer for the keys named
#   atspi-keys.py monitor-refused      calls KeyboardMonitor.WatchKeyboard without owning
#                                      org.gnome.Orca.KeyboardMonitor: prints
#                                      "refused ERROR-NAME" or "accepted"
#   atspi-keys.py monitor [KEYSYM...]  owns org.gnome.Orca.KeyboardMonitor, watches the
#                                      keyboard and grabs the keys named (SetKeyGrabs):
#                                      prints "watching", then "keyevent pressed|released
#                                      NAME state=S unichar=U keycode=K" per KeyEvent
import sys
import time

import gi

gi.require_version('Atspi', '2.0')
gi.require_version('Gdk', '3.0')
from gi.repository import Atspi, Gdk, Gio, GLib  # noqa: E402


def out(line):
    print(line, flush=True)


def listen(names, slow_ms=0, slow=()):
    consume = set(names)
    slow = set(slow)

    def on_key(event):
        name = Gdk.keyval_name(event.id) or hex(event.id)
        kind = 'press' if event.type == Atspi.EventType.KEY_PRESSED_EVENT else 'release'
        out('%s %s hw=%d mods=%d text=%s' % (kind, name, event.hw_code, event.modifiers,
                                             event.event_string))
        if name in slow:
            time.sleep(slow_ms / 1000)
        return name in consume

    listener = Atspi.DeviceListener.new(on_key)
    types = (1 << Atspi.EventType.KEY_PRESSED_EVENT) | (1 << Atspi.EventType.KEY_RELEASED_EVENT)
    mode = Atspi.KeyListenerSyncType.SYNCHRONOUS | Atspi.KeyListenerSyncType.CANCONSUME
    # Every modifier combination, as Orca does (one registration per mask).
    for mask in range(256):
        Atspi.register_keystroke_listener(listener, None, mask, types, mode)
    out('listening')
    GLib.MainLoop().run()


MANAGER = ('org.freedesktop.a11y.Manager', '/org/freedesktop/a11y/Manager',
           'org.freedesktop.a11y.KeyboardMonitor')


def call(bus, method, args=None):
    return bus.call_sync(MANAGER[0], MANAGER[1], MANAGER[2], method, args, None,
                         Gio.DBusCallFlags.NONE, 5000, None)


def monitor_refused():
    bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
    try:
        call(bus, 'WatchKeyboard')
        out('accepted')
    except GLib.Error as e:
        out('refused %s' % Gio.DBusError.get_remote_error(e))


def monitor(names):
    bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
    reply = bus.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus',
                          'org.freedesktop.DBus', 'RequestName',
                          GLib.Variant('(su)', ('org.gnome.Orca.KeyboardMonitor', 4)),
                          None, Gio.DBusCallFlags.NONE, 5000, None)
    if reply.unpack()[0] != 1:
        out('name not owned')
        sys.exit(1)

    def on_signal(conn, sender, path, iface, member, params):
        released, state, keysym, unichar, keycode = params.unpack()
        out('keyevent %s %s state=%d unichar=%d keycode=%d' % (
            'released' if released else 'pressed', Gdk.keyval_name(keysym), state, unichar,
            keycode))

    bus.signal_subscribe(None, MANAGER[2], 'KeyEvent', MANAGER[1], None,
                         Gio.DBusSignalFlags.NONE, on_signal)
    grabs = [(Gdk.keyval_from_name(n), 0) for n in names]
    call(bus, 'SetKeyGrabs', GLib.Variant('(aua(uu))', ([], grabs)))
    call(bus, 'WatchKeyboard')
    out('watching')
    GLib.MainLoop().run()


def main():
    if len(sys.argv) < 2:
        sys.exit('usage: atspi-keys.py listen|listen-slow MS|monitor-refused|monitor '
                 '[KEYSYM...]')
    what, names = sys.argv[1], sys.argv[2:]
    if what == 'listen':
        listen(names)
    elif what == 'listen-slow' and names:
        listen([], int(names[0]), names[1:])
    elif what == 'monitor-refused':
        monitor_refused()
    elif what == 'monitor':
        monitor(names)
    else:
        sys.exit('unknown command %s' % what)


if __name__ == '__main__':
    main()
