#!/usr/bin/env python3
"""vm-run.py for a QEMU that shows its scanout in an SDL window on an X display.

With virgl (virtio-gpu-gl-pci, -display sdl,gl=on) QEMU's scanout lives in a GL
texture and QMP's screendump answers "no surface". This runs vm-run.py unchanged except
for its screendumps: each "@@screendump NAME" of the guest becomes a grab of QEMU's SDL
window on $DISPLAY (xwd, from x11-apps), written as OUTDIR/NAME.png; the guest gets
the same "ok" / "fail REASON" answer as before.

    vm-run-x11.py [vm-run.py's options]          (DISPLAY must name the X server)
    vm-run-x11.py --bbox PNG RRGGBB              prints "X Y W H", the bounding box of
                                                 that colour in a grab ("none" if absent)

A screendump named "mark-SOMETHING" grabs nothing: it appends "mark-SOMETHING
QEMU_CPU_S WALL_S" to OUTDIR/marks.txt (QEMU's CPU time, all threads, and the host's
monotonic clock) and answers "ok" once written, so a guest can bracket a measurement
with the host's view of what it cost (virgl renders in QEMU, on the host).

The window is found by its title, which the QEMU wrapper of the caller sets with
-name (QEMU titles its first console's window "QEMU (NAME-0)"); LUMEN_VM_WINDOW names
it, default "QEMU (lumen-vm-0)". Without such a window the whole root window is
grabbed.
"""
import importlib.util
import os
import struct
import subprocess
import sys
import time
import zlib


def load_vm_run():
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location("vm_run", os.path.join(here, "vm-run.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def xwd_to_rgb(data):
    """(width, height, rows of RGB bytes) of an XWD dump in ZPixmap, 24/32 bits a pixel."""
    if len(data) < 100:
        raise RuntimeError("xwd: short dump (%d bytes)" % len(data))
    # The header's 25 CARD32 fields; xwd writes them most significant byte first.
    fields = struct.unpack(">25I", data[:100])
    (header_size, version, pixmap_format, depth, width, height, _xoffset, byte_order,
     _bitmap_unit, _bit_order, _bitmap_pad, bpp, bytes_per_line, _visual_class,
     red_mask, green_mask, blue_mask, _bits_per_rgb, _colormap_entries, ncolors) = fields[:20]
    if version != 7 or pixmap_format != 2 or bpp not in (24, 32) or depth < 24:
        raise RuntimeError("xwd: unexpected dump (version %d, format %d, depth %d, %d bpp)"
                           % (version, pixmap_format, depth, bpp))
    start = header_size + ncolors * 12
    if len(data) < start + height * bytes_per_line:
        raise RuntimeError("xwd: dump cut short")

    def shift(mask):
        return (mask & -mask).bit_length() - 1

    rs, gs, bs = shift(red_mask), shift(green_mask), shift(blue_mask)
    step = bpp // 8
    order = "<" if byte_order == 0 else ">"
    rows = []
    fast = (step == 4 and byte_order == 0 and
            (red_mask, green_mask, blue_mask) == (0xff0000, 0xff00, 0xff))
    for y in range(height):
        line = data[start + y * bytes_per_line:start + y * bytes_per_line + width * step]
        if fast:  # B, G, R, X in memory: pick the bytes
            row = bytearray(width * 3)
            row[0::3] = line[2::4]
            row[1::3] = line[1::4]
            row[2::3] = line[0::4]
            rows.append(bytes(row))
            continue
        if step == 4:
            pixels = struct.unpack(order + "%dI" % width, line)
        else:
            pixels = [int.from_bytes(line[i:i + 3], "little" if byte_order == 0 else "big")
                      for i in range(0, len(line), 3)]
        row = bytearray(width * 3)
        for x, p in enumerate(pixels):
            row[3 * x] = (p & red_mask) >> rs
            row[3 * x + 1] = (p & green_mask) >> gs
            row[3 * x + 2] = (p & blue_mask) >> bs
        rows.append(bytes(row))
    return width, height, rows


def write_png(path, width, height, rows):
    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body +
                struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff))

    raw = b"".join(b"\0" + row for row in rows)
    png = (b"\x89PNG\r\n\x1a\n" +
           chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
           chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(png)
    os.replace(tmp, path)


def grab(path):
    title = os.environ.get("LUMEN_VM_WINDOW", "QEMU (lumen-vm-0)")
    dump = None
    for target in (["-name", title], ["-root"]):
        r = subprocess.run(["xwd", "-silent", "-nobdrs"] + target, capture_output=True,
                           timeout=60)
        if r.returncode == 0 and r.stdout:
            dump = r.stdout
            break
    if dump is None:
        raise RuntimeError("xwd failed: %s" % r.stderr.decode("utf-8", "replace").strip())
    write_png(path, *xwd_to_rgb(dump))


def read_png_rgb(path):
    """(width, height, rows) of a PNG written by write_png (8-bit RGB, filter 0)."""
    with open(path, "rb") as f:
        data = f.read()
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
            if depth != 8 or ctype != 2:
                raise RuntimeError("%s: not an 8-bit RGB PNG" % path)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    rows = []
    for y in range(height):
        line = raw[y * (3 * width + 1):(y + 1) * (3 * width + 1)]
        if line[0] != 0:
            raise RuntimeError("%s: filtered rows are not read here" % path)
        rows.append(line[1:])
    return width, height, rows


def bbox(path, rgb):
    width, height, rows = read_png_rgb(path)
    want = bytes.fromhex(rgb)
    x0, y0, x1, y1 = width, height, -1, -1
    for y, row in enumerate(rows):
        i = row.find(want)
        while i >= 0 and i % 3:  # a match across two pixels does not count
            i = row.find(want, i + 1)
        if i < 0:
            continue
        j = row.rfind(want)
        while j % 3:
            j = row.rfind(want, 0, j + 2)
        first, last = i // 3, j // 3
        x0, x1 = min(x0, first), max(x1, last)
        y0, y1 = min(y0, y), max(y1, y)
    if x1 < 0:
        return "none"
    return "%d %d %d %d" % (x0, y0, x1 - x0 + 1, y1 - y0 + 1)


def qemu_cpu_s():
    """CPU seconds of our child process (QEMU: the wrapper execs it), all its threads."""
    me = os.getpid()
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == me:  # field 4, ppid
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def mark(path):
    name = os.path.basename(path)[:-len(".png")]
    with open(os.path.join(os.path.dirname(path), "marks.txt"), "a") as f:
        f.write("%s %.3f %.6f\n" % (name, qemu_cpu_s(), time.monotonic()))


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--bbox":
        print(bbox(sys.argv[2], sys.argv[3]))
        return 0
    vm_run = load_vm_run()
    command = vm_run.Qmp.command

    def grabbing_command(self, name, **args):
        if name == "screendump":
            try:
                if os.path.basename(args["filename"]).startswith("mark-"):
                    mark(args["filename"])
                else:
                    grab(args["filename"])
            except (OSError, subprocess.SubprocessError) as e:
                raise RuntimeError("grab: %s" % e)
            return {}
        return command(self, name, **args)

    vm_run.Qmp.command = grabbing_command
    return vm_run.main()


if __name__ == "__main__":
    sys.exit(main())
