#!/bin/bash
# Firefox ESR (MOZ_ENABLE_WAYLAND=1) under lumen at output scale 1.5, as
# browsers-chromium.sh checks Chromium: a window, wp_fractional_scale_v1 + wp_viewport
# (devicePixelRatio 1.5, a canvas of single device pixels reaches the output 1:1); its
# <select> list (a subsurface in Firefox) and its context menu (an xdg_popup, flipped at
# the output's corner) drawn at 1.5. A fresh profile whose user.js turns off
# first-run pages, telemetry, updates and the default-browser check.
# shellcheck source=tests/lib.sh
. "$TESTS_DIR/lib.sh"
TITLE="lumen-page dpr=1.5 — Mozilla Firefox"
. "$TESTS_DIR/integration/browsers-lib.sh"
BROWSER="Firefox ESR"
command -v firefox-esr >/dev/null || { echo "1..0 # SKIP firefox-esr is not installed"; exit 0; }

start_browser() {
	prof="$T_DIR/firefox"
	mkdir -p "$prof"
	cat >"$prof/user.js" <<'EOJ'
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("startup.homepage_welcome_url", "");
user_pref("startup.homepage_welcome_url.additional", "");
user_pref("browser.aboutwelcome.enabled", false);
user_pref("trailhead.firstrun.didSeeAboutWelcome", true);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("datareporting.healthreport.uploadEnabled", false);
user_pref("toolkit.telemetry.enabled", false);
user_pref("toolkit.telemetry.unified", false);
user_pref("app.update.enabled", false);
user_pref("app.update.auto", false);
user_pref("app.normandy.enabled", false);
user_pref("extensions.update.enabled", false);
user_pref("browser.search.update", false);
user_pref("browser.safebrowsing.malware.enabled", false);
user_pref("browser.safebrowsing.phishing.enabled", false);
user_pref("browser.safebrowsing.downloads.enabled", false);
user_pref("network.captive-portal-service.enabled", false);
user_pref("network.connectivity-service.enabled", false);
user_pref("browser.tabs.warnOnClose", false);
user_pref("browser.sessionstore.resume_from_crash", false);
user_pref("widget.wayland.fractional-scale.enabled", true);
EOJ
	MOZ_ENABLE_WAYLAND=1 WAYLAND_DEBUG=client spawn browser firefox-esr --profile "$prof" \
		--no-remote --new-instance "file://$PAGE"
}

# Firefox ESR 153 draws a <select> list that fits in its window as a wl_subsurface of
# the window (a new surface, not an xdg_popup); menus (the context menu) are xdg_popups.
select_kind() {
	popups_are 0 && grep -q -- '-> wl_subcompositor[@#][0-9]*\.get_subsurface' "$T_DIR/browser.out"
	ok $? "the list is a new wl_subsurface of the window, not an xdg_popup (as Firefox does)"
}

browser_checks
stop_lumen
done_testing
