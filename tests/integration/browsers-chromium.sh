#!/bin/bash
# Chromium (--ozone-platform=wayland) under lumen at output scale 1.5: it maps a window,
# uses wp_fractional_scale_v1 + wp_viewport (devicePixelRatio 1.5, a canvas of single
# device pixels reaches the output 1:1: pixels); its <select> list is an xdg_popup
# drawn at 1.5, and its context menu, opened at the output's corner, an xdg_popup
# flipped to stay on the output. As root Chromium needs --no-sandbox.
# shellcheck source=tests/lib.sh
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/integration/browsers-lib.sh"
BROWSER=Chromium
command -v chromium >/dev/null || { echo "1..0 # SKIP chromium is not installed"; exit 0; }

start_browser() {
	mkdir -p "$T_DIR/chromium"
	sandbox=
	[ "$(id -u)" = 0 ] && sandbox=--no-sandbox
	WAYLAND_DEBUG=client spawn browser chromium --ozone-platform=wayland $sandbox \
		--user-data-dir="$T_DIR/chromium" --no-first-run --no-default-browser-check \
		--disable-gpu --disable-extensions --disable-sync --disable-background-networking \
		--disable-component-update --password-store=basic --use-mock-keychain \
		--app="file://$PAGE"
}

# Chromium shows the <select> list as an xdg_popup of its own.
select_kind() {
	popups_are 1
	ok $? "the list is an xdg_popup (IPC)"
}

browser_checks
stop_lumen
done_testing
