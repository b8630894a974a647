#!/bin/sh
# stage-mesa.sh DIR: Debian's Mesa for a VM guest, staged once into DIR (rebuilt when
# the host's Mesa changes): the megadriver under the names the loader asks for (swrast
# for surfaceless, kms_swrast for virtio-gpu 2D, virtio_gpu for virgl), libEGL_mesa and
# glvnd's vendor file, and the libraries those link (ldd), not libc. The guest points
# LD_LIBRARY_PATH at DIR/lib, LIBGL_DRIVERS_PATH and GBM_DRIVERS_PATH at DIR/dri and
# __EGL_VENDOR_LIBRARY_DIRS at DIR/egl; mkinitramfs.sh copies DIR in with +DIR.
# Exits 77 when the host has no Mesa to stage.
set -eu
stage=$1
multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
libdir=/usr/lib/$multiarch
if [ ! -e "$libdir/dri/swrast_dri.so" ] || [ ! -e "$libdir/libEGL_mesa.so.0" ]; then
	echo "Debian's Mesa is not installed (libegl-mesa0, libgl1-mesa-dri)" >&2
	exit 77
fi
stamp="$(stat -c %Y "$libdir/dri/swrast_dri.so" "$libdir/libEGL_mesa.so.0" | tr '\n' ' ')"
if [ -f "$stage/ready" ] && [ "$(cat "$stage/ready")" = "$stamp" ]; then
	exit 0
fi
rm -rf "$stage"
mkdir -p "$stage/lib" "$stage/dri" "$stage/egl"
cp -L "$libdir/dri/swrast_dri.so" "$stage/dri/swrast_dri.so"
ln -s swrast_dri.so "$stage/dri/kms_swrast_dri.so"
ln -s swrast_dri.so "$stage/dri/virtio_gpu_dri.so"
cp -L "$libdir/libEGL_mesa.so.0" "$stage/lib/"
cp /usr/share/glvnd/egl_vendor.d/50_mesa.json "$stage/egl/"
for lib in $( (ldd "$libdir/dri/swrast_dri.so"; ldd "$libdir/libEGL_mesa.so.0") |
		sed -n 's/.*=> \(\/[^ ]*\) (.*/\1/p' | sort -u); do
	case "$(basename "$lib")" in
	libc.so.* | libm.so.* | libpthread.so.* | libdl.so.* | librt.so.* | ld-linux*) ;;
	*) cp -L "$lib" "$stage/lib/" ;;
	esac
done
echo "$stamp" >"$stage/ready"
