#!/bin/sh
# mkinitramfs.sh OUT.cpio KERNEL_CACHE GUEST_SCRIPT [BINARY...]
#
# Packs an uncompressed initramfs (newc cpio) for a VM test:
#   /init                 guest-init.sh (beside this file): mounts, loads modules, runs
#                         /test.sh, powers off
#   /test.sh              GUEST_SCRIPT
#   /bin/busybox          static busybox (its applets are linked at boot)
#   /lib/modules/         the modules prepare-kernel.sh kept, with their load-order
#   /usr/bin/NAME         each BINARY, plus every shared library it links (walked with
#                         ldd, at the same path as on the host) and the dynamic loader
# Adding a program to the guest is one more BINARY argument (e.g. lumen, foot); a
# BINARY of the form SRC=NAME is installed as /usr/bin/NAME. An argument +PATH copies a
# host file or directory to the same path in the guest (data a program reads, e.g.
# +/usr/share/X11/xkb for lumen's keymaps, +/usr/share/fonts/truetype/dejavu).
set -eu

out=$1
cache=$2
script=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)

root=$(mktemp -d "${TMPDIR:-/tmp}/lumen-vm-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/usr/bin" "$root/lib/modules" "$root/dev" "$root/proc" \
	"$root/sys" "$root/tmp" "$root/run" "$root/etc"
busybox=$(command -v busybox)
file -L "$busybox" 2>/dev/null | grep -q 'statically linked' || {
	# Without file(1), trust ldd: a static binary is "not a dynamic executable".
	if ldd "$busybox" >/dev/null 2>&1; then
		echo "mkinitramfs: $busybox is not static (install busybox-static)" >&2
		exit 1
	fi
}
cp "$busybox" "$root/bin/busybox"
cp "$here/guest-init.sh" "$root/init"
cp "$script" "$root/test.sh"
chmod 755 "$root/init" "$root/test.sh"
cp "$cache"/modules/*.ko "$cache/modules/load-order" "$root/lib/modules/"
echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
echo "root:x:0:" >"$root/etc/group"

copy_lib() { # host path
	[ -e "$root$1" ] && return 0
	mkdir -p "$root$(dirname "$1")"
	cp -L "$1" "$root$1"
}

for spec in "$@"; do
	case "$spec" in
	+/*)
		path=${spec#+}
		mkdir -p "$root$(dirname "$path")"
		cp -a "$path" "$root$path"
		continue
		;;
	esac
	src=${spec%%=*}
	name=$(basename "$src")
	case "$spec" in *=*) name=${spec#*=} ;; esac
	[ -x "$src" ] || {
		echo "mkinitramfs: $src is not an executable" >&2
		exit 1
	}
	cp -L "$src" "$root/usr/bin/$name"
	# "libfoo.so => /path (addr)", "/lib64/ld-linux-x86-64.so.2 (addr)"; the vdso has no path.
	libs=$(ldd "$src" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\) (.*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p')
	for lib in $libs; do
		copy_lib "$lib"
	done
done
# The loader is also reachable through /lib64 on x86-64 Debian (a link on the host).
if [ -e /lib64/ld-linux-x86-64.so.2 ] && [ ! -e "$root/lib64/ld-linux-x86-64.so.2" ] &&
	[ -n "$*" ]; then
	copy_lib /lib64/ld-linux-x86-64.so.2
fi

(cd "$root" && find . | sort | busybox cpio -o -H newc 2>/dev/null) >"$out.tmp"
mv "$out.tmp" "$out"
