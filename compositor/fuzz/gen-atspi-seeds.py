#!/usr/bin/python3
# Writes the seeds of fuzz-atspi (compositor/fuzz/corpus/atspi/): D-Bus messages as a
# peer sends them, serialized by GDBus, one or more a file.
#   python3 compositor/fuzz/gen-atspi-seeds.py
import os

from gi.repository import Gio, GLib

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus', 'atspi')
serial = 0


def message(kind, body, member='M', iface='org.a11y.atspi.DeviceEventListener'):
    global serial
    serial += 1
    if kind == 'call':
        m = Gio.DBusMessage.new_method_call(':1.1', '/org/a11y/lumen/keys', iface, member)
    elif kind == 'reply':
        call = Gio.DBusMessage.new_method_call(':1.1', '/a', 'a.b', 'C')
        call.set_serial(1000 + serial)
        m = call.new_method_reply()
    else:
        m = Gio.DBusMessage.new_signal('/org/a11y/bus', iface, member)
    if body is not None:
        m.set_body(body)
    m.set_serial(serial)
    m.set_sender(':1.7')
    return m.to_blob(Gio.DBusCapabilityFlags.NONE)


def listener(name, mask):
    return (name, '/org/a11y/atspi/listeners/0', 0, 3, [(0, 0xffc2, 'F5', 0)], mask,
            (True, True, False))


seeds = {
    'notify-event': [message('call', GLib.Variant('((uiuuisb))',
                                                  ((0, 97, 38, 0, 123456, 'a', True),)),
                             'NotifyEvent')],
    'set-key-grabs': [message('call', GLib.Variant('(aua(uu))',
                                                   ([0xff63, 0xff9e], [(0x68, 0), (0x74, 4)])),
                              'SetKeyGrabs', 'org.freedesktop.a11y.KeyboardMonitor')],
    'set-key-grabs-empty': [message('call', GLib.Variant('(aua(uu))', ([], [])),
                                    'SetKeyGrabs', 'org.freedesktop.a11y.KeyboardMonitor')],
    'listeners': [message('reply', GLib.Variant('(a(souua(iisi)u(bbb)))',
                                                ([listener(':1.1', 0), listener(':1.2', 255)],)))],
    'listeners-none': [message('reply', GLib.Variant('(a(souua(iisi)u(bbb)))', ([],)))],
    'status': [message('reply', GLib.Variant('(a{sv})', ({
        'IsEnabled': GLib.Variant('b', True),
        'ScreenReaderEnabled': GLib.Variant('b', False)},)))],
    'status-odd': [message('reply', GLib.Variant('(a{sv})', ({
        'IsEnabled': GLib.Variant('s', 'yes'), 'Other': GLib.Variant('u', 3)},)))],
    'properties-changed': [message('signal', GLib.Variant('(sa{sv}as)', (
        'org.a11y.Status', {'ScreenReaderEnabled': GLib.Variant('b', True)}, [])),
        'PropertiesChanged', 'org.freedesktop.DBus.Properties')],
}
seeds['several'] = seeds['notify-event'] + seeds['set-key-grabs'] + seeds['status']

os.makedirs(HERE, exist_ok=True)
for name, blobs in seeds.items():
    with open(os.path.join(HERE, name), 'wb') as f:
        for blob in blobs:
            f.write(blob)
