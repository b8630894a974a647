#!/usr/bin/env python3
"""Boots a VM test's kernel and initramfs under QEMU (software emulation) and serves
the guest's requests on its serial console until it ends.

The guest writes lines to its console (ttyS0); those starting with "@@" are for us:
  @@screendump NAME   take a QMP screendump into OUTDIR/NAME.png, then answer "ok"
                      (or "fail REASON") on the console
  @@end STATUS        the guest's test is over; QEMU then powers off (or is killed)
  @@keys TEXT         type TEXT (a-z, 0-9, space) with QMP input-send-event, a press
                      and a release per character, then answer "ok" (or "fail
                      REASON"); QEMU hands them to its newest keyboard (a -device one
                      rather than the machine's PS/2: a device named in the command
                      must be bound to a display console, which -display none has not)
  @@click X Y         move QEMU's absolute pointer (a tablet) to X Y (0..32767 each, the
                      screen's extent) and click its left button; answer as above
  @@keydown KEY       press (@@keyup: release) one key (a-z, 0-9, spc), answer as above
  @@move DX DY        relative pointer motion (QEMU hands it to its newest mouse)
  @@device_add DRIVER ID   plug a device in (QMP device_add), answer as above
  @@device_del ID     ask the guest to unplug it (QMP device_del), answer as above
Everything the console prints goes to LOG as well.

Exit status: 0 when the guest reached @@end, 1 otherwise (timeout, QEMU died, ...).
QEMU is ended by its pid only.
"""
import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time


def connect(path, deadline, proc):
    while True:
        if proc.poll() is not None:
            raise RuntimeError("qemu exited (%d) before %s appeared" % (proc.returncode, path))
        if os.path.exists(path):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(path)
                return s
            except OSError:
                s.close()
        if time.monotonic() > deadline:
            raise RuntimeError("no socket %s" % path)
        time.sleep(0.05)


class Qmp:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.recv()  # greeting
        self.command("qmp_capabilities")

    def recv(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise RuntimeError("QMP closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def command(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = self.recv()
            if "return" in reply:
                return reply["return"]
            if "error" in reply:
                raise RuntimeError("%s: %s" % (name, reply["error"].get("desc")))
            # events ({"event": ...}) are skipped


def send_keys(qmp, text):
    """Types text (a-z, 0-9, space): a key press and release each."""
    for c in text:
        if c.isascii() and c.isalnum():
            code = c.lower()
        elif c == " ":
            code = "spc"
        else:
            raise RuntimeError("no key for %r" % c)
        for down in (True, False):
            qmp.command("input-send-event", events=[
                {"type": "key", "data": {"down": down, "key": {"type": "qcode", "data": code}}}])


def send_key(qmp, key, down):
    """Presses or releases one key."""
    if not (key == "spc" or (len(key) == 1 and key.isascii() and key.isalnum())):
        raise RuntimeError("no key %r" % key)
    qmp.command("input-send-event", events=[
        {"type": "key", "data": {"down": down, "key": {"type": "qcode", "data": key.lower()}}}])


def send_click(qmp, x, y):
    """Moves the absolute pointer to x, y and clicks its left button."""
    qmp.command("input-send-event", events=[
        {"type": "abs", "data": {"axis": "x", "value": x}},
        {"type": "abs", "data": {"axis": "y", "value": y}}])
    for down in (True, False):
        qmp.command("input-send-event", events=[
            {"type": "btn", "data": {"down": down, "button": "left"}}])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--initrd", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--outdir", required=True)
    ap.add_argument("--timeout", type=float, default=150)
    ap.add_argument("--memory", default="1024")
    ap.add_argument("--append", default="")
    ap.add_argument("--gpu", default="virtio-gpu-pci")
    ap.add_argument("--device", action="append", default=[],
                    help="one more -device for QEMU (repeatable)")
    args = ap.parse_args()

    run = os.path.join(args.outdir, "qemu-run")
    os.makedirs(run, exist_ok=True)
    serial_path = os.path.join(run, "serial.sock")
    qmp_path = os.path.join(run, "qmp.sock")
    for p in (serial_path, qmp_path):
        if os.path.exists(p):
            os.unlink(p)

    cmdline = "console=ttyS0 quiet loglevel=4 panic=-1 rdinit=/init " + args.append
    cmd = [
        args.qemu, "-accel", "tcg", "-m", args.memory, "-nodefaults", "-no-reboot",
        "-vga", "none", "-device", args.gpu, "-display", "none",
    ] + [w for d in args.device for w in ("-device", d)] + [
        "-kernel", args.kernel, "-initrd", args.initrd, "-append", cmdline,
        # The console is logged from what we read here: QEMU's own logfile= repeats
        # characters whenever a write to the socket has to be retried.
        "-chardev", "socket,id=ser0,path=%s,server=on,wait=on" % serial_path,
        "-serial", "chardev:ser0",
        "-qmp", "unix:%s,server=on,wait=off" % qmp_path,
    ]
    start = time.monotonic()
    deadline = start + args.timeout
    qemu_err = open(os.path.join(args.outdir, "qemu.stderr"), "w")
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=qemu_err, stderr=qemu_err)
    ended = None
    log = open(args.log, "wb")
    try:
        serial = connect(serial_path, deadline, proc)
        qmp = Qmp(connect(qmp_path, deadline, proc))
        buf = b""
        while ended is None:
            left = deadline - time.monotonic()
            if left <= 0:
                print("vm-run: timeout after %.0f s" % args.timeout, file=sys.stderr)
                break
            serial.settimeout(min(left, 1.0))
            try:
                data = serial.recv(65536)
            except socket.timeout:
                if proc.poll() is not None:
                    print("vm-run: qemu exited (%d)" % proc.returncode, file=sys.stderr)
                    break
                continue
            if not data:
                print("vm-run: console closed", file=sys.stderr)
                break
            log.write(data)
            log.flush()
            buf += data
            while b"\n" in buf:
                raw, buf = buf.split(b"\n", 1)
                line = raw.decode("utf-8", "replace").strip("\r")
                at = line.find("@@")
                if at < 0:
                    continue
                words = line[at + 2:].split()
                if not words:
                    continue
                if words[0] == "screendump" and len(words) == 2:
                    name = "".join(c for c in words[1] if c.isalnum() or c in "-_")
                    path = os.path.join(os.path.abspath(args.outdir), name + ".png")
                    try:
                        qmp.command("screendump", filename=path, format="png")
                        reply = b"ok\n"
                    except RuntimeError as e:
                        reply = ("fail %s\n" % e).encode()
                    serial.sendall(reply)
                elif words[0] == "keys" and len(words) >= 2:
                    text = line[at + 2:].split(None, 1)[1]
                    try:
                        send_keys(qmp, text)
                        reply = b"ok\n"
                    except RuntimeError as e:
                        reply = ("fail %s\n" % e).encode()
                    serial.sendall(reply)
                elif words[0] == "click" and len(words) == 3:
                    try:
                        send_click(qmp, int(words[1]), int(words[2]))
                        reply = b"ok\n"
                    except (RuntimeError, ValueError) as e:
                        reply = ("fail %s\n" % e).encode()
                    serial.sendall(reply)
                elif words[0] in ("keydown", "keyup", "device_add", "device_del", "move"):
                    try:
                        if words[0] in ("keydown", "keyup") and len(words) == 2:
                            send_key(qmp, words[1], words[0] == "keydown")
                        elif words[0] == "move" and len(words) == 3:
                            qmp.command("input-send-event", events=[
                                {"type": "rel", "data": {"axis": "x", "value": int(words[1])}},
                                {"type": "rel", "data": {"axis": "y", "value": int(words[2])}}])
                        elif words[0] == "device_add" and len(words) == 3:
                            qmp.command("device_add", driver=words[1], id=words[2])
                        elif words[0] == "device_del" and len(words) == 2:
                            qmp.command("device_del", id=words[1])
                        else:
                            raise RuntimeError("bad request %r" % line[at:])
                        reply = b"ok\n"
                    except (RuntimeError, ValueError) as e:
                        reply = ("fail %s\n" % e).encode()
                    serial.sendall(reply)
                elif words[0] == "end":
                    ended = words[1] if len(words) > 1 else "?"
        if ended is not None:
            # The guest powers off by itself; give it a moment.
            try:
                proc.wait(timeout=max(1.0, min(20.0, deadline - time.monotonic())))
            except subprocess.TimeoutExpired:
                pass
    except RuntimeError as e:
        print("vm-run: %s" % e, file=sys.stderr)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        qemu_err.close()
        log.close()
    print("vm-run: %s in %.1f s" % ("guest ended (%s)" % ended if ended is not None
                                    else "guest did not end", time.monotonic() - start),
          file=sys.stderr)
    return 0 if ended is not None else 1


if __name__ == "__main__":
    sys.exit(main())
