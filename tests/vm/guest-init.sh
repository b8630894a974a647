#!/bin/busybox sh
# /init of the VM tests' initramfs: a bare system on busybox, the kernel modules the
# test needs (loaded in the order prepare-kernel.sh wrote), then /test.sh with the
# serial console as its terminal. Power off when it returns, whatever happened.
/bin/busybox --install -s /bin
export PATH=/usr/bin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# /tmp stays the initramfs' own (already writable): data staged at host paths under
# /tmp (a checkout in /tmp, as CI may have) must not be hidden by a fresh tmpfs.
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
exec </dev/ttyS0 >/dev/ttyS0 2>&1
stty -echo 2>/dev/null

echo "@@guest up $(cut -d' ' -f1 /proc/uptime)s"
while read -r m; do
	insmod "/lib/modules/$m" || echo "@@insmod $m failed"
done </lib/modules/load-order

sh /test.sh
echo "@@end $?"
sync
poweroff -f
