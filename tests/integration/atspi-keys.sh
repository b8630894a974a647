#!/bin/bash
# Keys for screen readers (compositor/src/atspi-keys.c), on a private D-Bus session bus
# with the real AT-SPI2 bus (at-spi-bus-launcher, at-spi2-registryd, activated by it):
# - with no keystroke listener, typing arrives as ever;
# - an AT-SPI2 keystroke listener (libatspi, as Orca 43 registers one) hears the keys
#   typed through the virtual keyboard, with their keysym, keycode and modifiers, and a
#   key it consumes never reaches the focused client while the others do, in order;
# - org.freedesktop.a11y.KeyboardMonitor refuses a caller that does not own
#   org.gnome.Orca.KeyboardMonitor, and sends KeyEvent signals to one that does, which
#   may grab a key from clients;
# - lumen-session --screen-reader turns org.a11y.Status on, and goes on without a bus.
. "$TESTS_DIR/lib.sh"
# A loaded machine (CI: 2 cores, ASan) may need more than the default 150 ms to answer;
# the slow listener below still answers later than this.
export LUMEN_ATSPI_KEY_TIMEOUT_MS=400

AT="$TESTS_DIR/clients/atspi-keys.py"
command -v dbus-daemon >/dev/null && [ -x /usr/libexec/at-spi-bus-launcher ] &&
	/usr/bin/python3 -c "import gi; gi.require_version('Atspi', '2.0')" 2>/dev/null || {
	echo "1..0 # SKIP needs dbus-daemon, at-spi2-core and gir1.2-atspi-2.0"
	exit 0
}

# Without a session bus, lumen-session says so and goes on.
mkdir -m 700 "$T_DIR/nobus-run"
XDG_RUNTIME_DIR="$T_DIR/nobus-run" timeout 20 "$LUMEN_SESSION" --no-displayd -S lumen-nobus \
	--screen-reader --compositor /bin/true >"$T_DIR/session-nobus.log" 2>&1
[ $? -eq 0 ] && grep -q "no session bus" "$T_DIR/session-nobus.log"
ok $? "lumen-session --screen-reader with no session bus: says so, and the session runs"

start_session_bus
status_is() { # PROPERTY: org.a11y.Status PROPERTY is true
	busctl --user get-property org.a11y.Bus /org/a11y/bus org.a11y.Status "$1" 2>/dev/null |
		grep -qx "b true"
}

# lumen-session turns AT-SPI2 on (activating the AT-SPI2 bus) when a screen reader runs.
mkdir -m 700 "$T_DIR/session-run"
XDG_RUNTIME_DIR="$T_DIR/session-run" "$LUMEN_SESSION" --no-displayd -S lumen-sess \
	--screen-reader --compositor /bin/true >"$T_DIR/session.log" 2>&1 &
sess=$!
wait_for 10 status_is ScreenReaderEnabled
ok $? "lumen-session --screen-reader: org.a11y.Status ScreenReaderEnabled is true"
status_is IsEnabled
ok $? "lumen-session --screen-reader: org.a11y.Status IsEnabled is true"
kill "$sess" 2>/dev/null
wait "$sess" 2>/dev/null

start_inputd
start_lumen -d
spawn keylog "$TC_KEYLOG" --title keylog
wait_for 10 out_has keylog "focus in" || bail "the keylog client got no keyboard focus"
wait_for 10 grep -q "accessibility is on" "$T_DIR/lumen.log"
ok $? "lumen saw org.a11y.Status turn on"
wait_for 10 grep -q "on the AT-SPI2 bus" "$T_DIR/lumen.log"
ok $? "lumen connected to the AT-SPI2 bus"

typed() { # TEXT: the keylog client's text is TEXT
	[ "$(grep '^text: ' "$T_DIR/keylog.out" | tail -n 1)" = "text: $1" ]
}

# No listener yet: keys go straight through.
inject type "ab"
wait_for 10 typed "ab"
ok $? "with no keystroke listener, typing arrives"

spawn at /usr/bin/python3 "$AT" listen F5 x
wait_for 15 out_has at listening || bail "the AT-SPI2 listener did not start"
wait_for 10 grep -q "keystroke listeners: yes" "$T_DIR/lumen.log"
ok $? "lumen learnt of the keystroke listener"

inject type "c" key F5 tap type "d" key x tap type "e"
wait_for 10 typed "abcde"
ok $? "keys the listener lets go arrive, in order ('$(grep '^text: ' "$T_DIR/keylog.out" | tail -n 1)')"
! grep -q "keysym: F5" "$T_DIR/keylog.out"
ok $? "F5, consumed by the listener, did not reach the client"
! grep -q "keysym: x" "$T_DIR/keylog.out"
ok $? "x, consumed by the listener, did not reach the client (nor its release)"
! grep -q "released: x" "$T_DIR/keylog.out" && ! grep -q "released: F5" "$T_DIR/keylog.out"
ok $? "the releases of consumed keys did not reach the client"
out_has at "press c hw=54 mods=0 text=c"
ok $? "the listener heard c: keysym, keycode 54 (evdev 46 + 8), no modifiers"
out_has at "press F5 hw=71 mods=0 text=F5" && out_has at "release F5 hw=71"
ok $? "the listener heard F5 pressed and released"
# Shift is bit 0 of the X modifier mask, Control bit 2.
inject mod ctrl press key F5 tap mod ctrl release type "E"
wait_for 10 out_has at "press F5 hw=71 mods=4"
ok $? "the listener heard Ctrl+F5 with the Control modifier (mask 4)"
wait_for 10 out_has at "press E hw=26 mods=1 text=E"
ok $? "the listener heard Shift+e as E with the Shift modifier (mask 1)"
wait_for 10 typed "abcdeE"
ok $? "Shift+e reached the client as E, after the consumed Ctrl+F5"
# The same through lumen-inputd, the way a real keyboard's keys come.
inputctl_until 'typed "abcdeEq"' key f5 key q
ok $? "through lumen-inputd: q arrives after F5"
[ "$(grep -c "keysym: F5" "$T_DIR/keylog.out")" -eq 0 ]
ok $? "through lumen-inputd: F5, consumed by the listener, did not reach the client"
out_has at "press q hw=24 mods=0 text=q" && [ "$(grep -c "press F5 hw=71 mods=0" "$T_DIR/at.out")" -eq 2 ]
ok $? "through lumen-inputd: the listener heard F5 and q (keycode 16 + 8)"
kill "$PID_at" 2>/dev/null
wait "$PID_at" 2>/dev/null
# at-spi2-registryd 2.46 keeps a listener that left without deregistering: lumen goes
# on asking it, and the registry answers at once that nobody consumed the key.
inject type "f"
wait_for 10 typed "abcdeEqf"
ok $? "with the listener gone, typing arrives"

# org.freedesktop.a11y.KeyboardMonitor
/usr/bin/python3 "$AT" monitor-refused >"$T_DIR/refused.out" 2>&1
grep -q "refused org.freedesktop.DBus.Error.AccessDenied" "$T_DIR/refused.out"
ok $? "KeyboardMonitor refuses a caller without org.gnome.Orca.KeyboardMonitor ($(cat "$T_DIR/refused.out"))"
spawn mon /usr/bin/python3 "$AT" monitor F6
wait_for 15 out_has mon watching
ok $? "KeyboardMonitor accepts the owner of org.gnome.Orca.KeyboardMonitor"
inject type "g" key F6 tap type "h"
wait_for 10 out_has mon "keyevent pressed g state=0 unichar=103 keycode=42"
ok $? "the watcher gets KeyEvent for g (keysym, unichar, keycode 34 + 8)"
wait_for 10 out_has mon "keyevent released h"
ok $? "the watcher gets KeyEvent for the release of h"
out_has mon "keyevent pressed F6"
ok $? "the watcher gets KeyEvent for its grabbed F6"
wait_for 10 typed "abcdeEqfgh"
ok $? "watched keys still reach the client"
! grep -q "keysym: F6" "$T_DIR/keylog.out"
ok $? "F6, grabbed with SetKeyGrabs, did not reach the client"
kill "$PID_mon" 2>/dev/null
wait "$PID_mon" 2>/dev/null
wait_for 10 grep -q "KeyboardMonitor: .* left" "$T_DIR/lumen.log"
ok $? "lumen forgot the monitor's client when it left the bus"
inject key F6 tap
wait_for 10 out_has keylog "keysym: F6"
ok $? "with the grabber gone, F6 reaches the client"

stop_inputd

# A screen reader slower to answer than lumen waits (COMP_ATSPI_TIMEOUT_MS): late
# answers, fast keys between slow ones, and a virtual keyboard that goes away while its
# only key is still waiting for the registry. Every key reaches the client once, in
# order, and the registry hears each press and release.
spawn slow /usr/bin/python3 "$AT" listen-slow 600 2 4 Tab
wait_for 15 out_has slow listening || bail "the slow AT-SPI2 listener did not start"
inject type "2"
wait_for 10 typed "abcdeEqfgh2"
ok $? "a key still waiting for a slow listener when its keyboard went away reaches the client"
wait_for 10 out_has slow "release 2 hw=11"
ok $? "and the listener heard its press and release"
# The keyboard stays while lumen stops waiting, and answers come after later keys went.
inject type "1234" sleep 600 type "567" sleep 600
wait_for 10 typed "abcdeEqfgh21234567"
ok $? "fast keys between slow ones arrive once, in order ('$(grep '^text: ' "$T_DIR/keylog.out" | tail -n 1)')"
inject key Tab tap
inject type "z"
wait_for 10 typed "abcdeEqfgh21234567z"
ok $? "a slow Tab, then z, arrive ('$(grep '^text: ' "$T_DIR/keylog.out" | tail -n 1)')"
[ "$(grep -c "^keysym: Tab" "$T_DIR/keylog.out")" -eq 1 ] &&
	[ "$(grep -c "^key released: Tab" "$T_DIR/keylog.out")" -eq 1 ]
ok $? "the Tab reached the client once, press and release"
wait_for 20 out_has slow "release z"
heard=$(grep -o '^\(press\|release\) [0-9a-zA-Z]*' "$T_DIR/slow.out" | tr '\n' ' ')
[ "$heard" = "press 2 release 2 press 1 release 1 press 2 release 2 press 3 release 3 press 4 release 4 press 5 release 5 press 6 release 6 press 7 release 7 press Tab release Tab press z release z " ]
ok $? "the listener heard every press and release, in order ($heard)"
# What lumen sent, heard back from the registry after it stopped waiting, is not the
# client's own report (the keylog client reports nothing to AT-SPI2).
! grep -q "reports its keys" "$T_DIR/lumen.log"
ok $? "lumen did not take its own late keys for the client's reports"
# A client gone after lumen stopped waiting for its key, before the registry tells of that
# key: lumen must not hold on to the client (under ASan, a use after free).
spawn victim "$TC_KEYLOG" --title victim
wait_for 10 out_has victim "focus in" || bail "the second keylog client got no keyboard focus"
inject type "24" sleep 2500 &
injector=$!
wait_for 10 out_has victim "key released: 4"
ok $? "a client gets keys, pressed and released, that lumen stopped waiting for"
kill "$PID_victim" 2>/dev/null
wait "$PID_victim" 2>/dev/null
wait_for 20 eval '[ "$(grep -c "^release 4 " "$T_DIR/slow.out")" -ge 2 ]'
ok $? "the listener heard the keys of the client that went"
wait "$injector"
kill -0 "$LUMEN_PID" 2>/dev/null && ! grep -q "reports its keys" "$T_DIR/lumen.log"
ok $? "lumen goes on, and took nobody for a reporter"
kill "$PID_slow" 2>/dev/null
wait "$PID_slow" 2>/dev/null
done_testing
