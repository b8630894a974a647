#!/usr/bin/env python3
"""Writes the seed corpus of fuzz-a11y-requests (a11y/fuzz/corpus/a11y-requests): the
bytes real clients of lumen-a11yd write, each behind the trust byte. Run from the
repository root after changing protocols/lumen-a11y-v1.xml."""
import os, struct, sys

def s(text):
    b = text.encode() + b'\0'
    return struct.pack('<I', len(b)) + b + b'\0' * ((4 - len(b) % 4) % 4)

def arr(b):
    return struct.pack('<I', len(b)) + b + b'\0' * ((4 - len(b) % 4) % 4)

def msg(obj, op, *args):
    body = b''.join(a if isinstance(a, bytes) else struct.pack('<I', a & 0xffffffff) for a in args)
    return struct.pack('<II', obj, (8 + len(body)) << 16 | op) + body

def u32s(*v):
    return arr(struct.pack('<%dI' % len(v), *v))

def dbl(*v):
    return arr(struct.pack('<%dd' % len(v), *v))

HELLO = msg(1, 1, 2) + msg(2, 0, 1, s('lumen_a11y_v1'), 1, 3)
HELLO2 = msg(1, 1, 2) + msg(2, 0, 1, s('lumen_a11y_v1'), 2, 3)
# provider 4
PROV = msg(3, 1, 4, s('app'))
def node(i, role, states, name, desc=''):
    return msg(4, 2, i, role, states, s(name), s(desc))
TREE = (msg(4, 1) + node(1, 23, 0, 'Window') + msg(4, 5, 1, u32s(2, 3, 4, 5)) +
        node(2, 43, 2, 'OK') + msg(4, 6, 2, s('press')) + msg(4, 3, 2, 10, 10, 80, 24) +
        node(3, 79, 0x202, 'Name') + msg(4, 7, 3, s('Ada'), 3, 0, 3) +
        node(4, 40, 0x802, 'Password') + msg(4, 7, 4, s('hunter2'), 7, 0, 0) +
        node(5, 51, 2, 'Volume') + msg(4, 4, 5, dbl(50, 0, 100)) +
        msg(4, 9, 1, 2))
seeds = {
    'provider-tree': b'\0' + HELLO + PROV + TREE + msg(4, 10, s('Saved'), 0) +
        node(2, 43, 3, 'Apply') + node(1, 23, 0, 'Window') + msg(4, 5, 1, u32s(2, 3, 4)) +
        msg(4, 8, 5) + msg(4, 9, 1, 2),
    'consumer': b'\1' + HELLO + PROV + TREE + msg(3, 2, 5) + msg(5, 1, 0x1f) + msg(5, 2, 7) +
        msg(5, 3, 8, 2) + msg(5, 4, 9, 2, 2, 1, s(''), arr(b''), 0, 0) +
        msg(5, 4, 10, 2, 5, 3, s(''), dbl(75), 0, 0) + msg(4, 11, 1, 0) + msg(5, 0),
    'wm': b'\1' + HELLO + PROV + msg(3, 3, 5) + TREE +
        msg(5, 1, 7, os.getpid(), s('app'), s('Window'), 100, 50, 640, 480) + msg(5, 3, 7) +
        msg(5, 1, 7, 1, s('app'), s('Renamed'), 0, 0, 10, 10) + msg(5, 2, 7) + msg(5, 3, 0),
    'untrusted-consumer': b'\0' + HELLO + msg(3, 2, 5),
    'bad-tree-cycle': b'\0' + HELLO + PROV + node(1, 23, 0, 'a') + msg(4, 5, 1, u32s(2)) +
        node(2, 39, 0, 'b') + msg(4, 5, 2, u32s(1)) + msg(4, 9, 1, 0),
    'bad-dangling': b'\0' + HELLO + PROV + node(1, 23, 0, 'a') + msg(4, 5, 1, u32s(9)) +
        msg(4, 9, 1, 0),
    'bad-value': b'\0' + HELLO + PROV + node(1, 51, 0, 'a') + msg(4, 4, 1, dbl(1, 9, 2)),
    'bad-utf8': b'\0' + HELLO + PROV + msg(4, 2, 1, 23, 0, arr(b'\xff\xfe\0'), s('')),
    'announce-flood': b'\0' + HELLO + PROV + TREE + msg(4, 10, s('spam'), 1) * 200,
    # Version 2: a bridge's provider for another process (trusted only), with a child
    # list sent in two parts; then the same untrusted, and a pid that is no pid.
    'provider-for': b'\1' + HELLO2 + msg(3, 4, 4, s('atspi:gtk4-demo'), 1) + TREE +
        msg(4, 5, 1, u32s(6)) + node(6, 29, 0, 'More') + msg(4, 9, 1, 2),
    'provider-for-untrusted': b'\0' + HELLO2 + msg(3, 4, 4, s('atspi:x'), 1),
    'provider-for-bad-pid': b'\1' + HELLO2 + msg(3, 4, 4, s('atspi:x'), 0) +
        msg(3, 4, 5, s('atspi:y'), -7),
    'provider-for-v1': b'\1' + HELLO + msg(3, 4, 4, s('atspi:x'), 1),
}
out = sys.argv[1] if len(sys.argv) > 1 else 'a11y/fuzz/corpus/a11y-requests'
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name), 'wb') as f:
        f.write(data)
print(len(seeds), 'seeds in', out)
