#!/bin/sh
# prepare-kernel.sh CACHE_DIR [MODULE...]
#
# Fetches Debian's own kernel with apt-get (the linux-image-amd64 metapackage's
# version, or the newest 6.1.0-N-amd64 apt offers), unpacks it with dpkg -x, runs
# busybox depmod on it, and keeps in CACHE_DIR only what a VM test boots:
#   CACHE_DIR/vmlinuz
#   CACHE_DIR/modules/*.ko        the named modules and everything they depend on
#   CACHE_DIR/modules/load-order  their file names, dependencies first
#   CACHE_DIR/version
# A second run with the same module list does nothing (the cache is kept).
# Exit 77: no kernel can be had (no apt, no network); anything else non-zero is a bug.
set -eu

cache=$1
shift
modules="$*"
[ -n "$modules" ] || modules="virtio_pci virtio-gpu"

stamp="modules: $modules"
if [ -f "$cache/ready" ] && [ "$(cat "$cache/ready")" = "$stamp" ] && [ -f "$cache/vmlinuz" ]; then
	exit 0
fi

if ! command -v apt-get >/dev/null || ! command -v dpkg >/dev/null; then
	echo "prepare-kernel: no apt-get/dpkg here" >&2
	exit 77
fi
command -v busybox >/dev/null || {
	echo "prepare-kernel: busybox (busybox-static) is needed for depmod and the guest" >&2
	exit 77
}

pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-6\.1\.0-[0-9]*-amd64\)$/\1/p' | head -n 1)
if [ -z "$pkg" ]; then
	pkg=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' 2>/dev/null |
		cut -d' ' -f1 | sort -V | tail -n 1)
fi
[ -n "$pkg" ] || {
	echo "prepare-kernel: apt offers no linux-image-6.1.0-*-amd64 (apt-get update?)" >&2
	exit 77
}
version=${pkg#linux-image-}

rm -rf "$cache"
mkdir -p "$cache/modules"
work=$(mktemp -d "${TMPDIR:-/tmp}/lumen-vm-kernel.XXXXXX")
trap 'rm -rf "$work"' EXIT
# apt-get download as root drops to _apt, which must be able to write here.
chmod 777 "$work"
if ! (cd "$work" && apt-get download -q "$pkg" >"$work/apt.log" 2>&1); then
	cat "$work/apt.log" >&2
	echo "prepare-kernel: apt-get download $pkg failed" >&2
	exit 77
fi
dpkg -x "$work"/linux-image-*.deb "$work/root"
busybox depmod -b "$work/root" "$version"

moddir="$work/root/lib/modules/$version"
cp "$work/root/boot/vmlinuz-$version" "$cache/vmlinuz"

# Dependencies first: a depth-first walk of modules.dep, each module once.
# Names given with - or _ match either spelling, as modprobe's do.
seen=" "
order=""
visit() { # path relative to $moddir
	case "$seen" in *" $1 "*) return 0 ;; esac
	seen="$seen$1 "
	deps=$(grep "^$1:" "$moddir/modules.dep" | cut -d: -f2)
	for d in $deps; do
		visit "$d"
	done
	order="$order $1"
}
for m in $modules; do
	pat=$(echo "$m" | sed 's/[-_]/[-_]/g')
	path=$(grep -E "/$pat\.ko(\.xz|\.zst|\.gz)?:" "$moddir/modules.dep" | head -n 1 | cut -d: -f1)
	[ -n "$path" ] || {
		echo "prepare-kernel: $version has no module $m" >&2
		exit 1
	}
	visit "$path"
done
: >"$cache/modules/load-order"
for p in $order; do
	base=$(basename "$p")
	case "$base" in
	*.ko) cp "$moddir/$p" "$cache/modules/$base" ;;
	*.ko.xz) xz -dc "$moddir/$p" >"$cache/modules/${base%.xz}"; base=${base%.xz} ;;
	*.ko.zst) zstd -qdc "$moddir/$p" >"$cache/modules/${base%.zst}"; base=${base%.zst} ;;
	*.ko.gz) gzip -dc "$moddir/$p" >"$cache/modules/${base%.gz}"; base=${base%.gz} ;;
	esac
	echo "$base" >>"$cache/modules/load-order"
done
echo "$version" >"$cache/version"
echo "$stamp" >"$cache/ready"
echo "prepare-kernel: $version with $(wc -l <"$cache/modules/load-order") modules in $cache" >&2
