#!/bin/sh
# Installs what Lumen needs to build, run and test, from Debian bookworm's packages.
# Run as root. Used by both commands at the top of README.md.
set -eu

BUILD="meson ninja-build pkg-config gcc clang libclang-rt-14-dev \
	libwayland-dev wayland-protocols libwlroots-dev libxkbcommon-dev libpixman-1-dev \
	libinih-dev libjson-c-dev libdrm-dev libinput-dev libudev-dev libseat-dev libpng-dev \
	libcairo2-dev libxcb1-dev libegl-dev libgles-dev libgbm-dev hwdata \
	libfontconfig-dev libfreetype-dev libharfbuzz-dev libfribidi-dev libunibreak-dev \
	librsvg2-dev libevdev-dev libespeak-ng-dev libspeechd-dev libatspi2.0-dev libthai-dev"
RUN="xwayland wayvnc foot fonts-dejavu-core xkb-data adwaita-icon-theme libegl-mesa0 libgl1-mesa-dri espeak-ng"
TEST="weston swaylock grim wtype wl-clipboard wlr-randr sway wlcs gtk-4-examples x11-apps \
	xvfb dbus-x11 passwd util-linux procps qemu-system-x86 qemu-system-gui busybox-static \
	libharfbuzz-bin libpango1.0-dev fonts-noto-core fonts-wqy-microhei fonts-noto-color-emoji \
	python3-gi gir1.2-gtk-4.0 fcitx5 \
	orca gtk-3-examples python3-pyatspi gir1.2-atspi-2.0 python3-speechd speech-dispatcher \
	chromium firefox-esr qml-qt6 qt6-wayland qml6-module-qtquick qml6-module-qtquick-controls \
	qml6-module-qtquick-templates qml6-module-qtquick-window qml6-module-qtquick-layouts \
	qml6-module-qtqml-workerscript python3-fonttools seatd udev"

want="$BUILD $RUN"
if [ "${1:-}" = "--test" ]; then
	want="$want $TEST"
fi

missing=""
for pkg in $want; do
	if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $pkg"
	fi
done
if [ -z "$missing" ]; then
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: these packages are missing and I am not root:$missing" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
