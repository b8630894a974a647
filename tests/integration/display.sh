#!/bin/bash
# lumen on lumen-displayd's virtual outputs: real clients' pixels read back through
# displayd's own capture (a second path, independent of screencopy), presentation
# feedback from displayd's vblanks, hotplug in both directions, and what happens when
# displayd goes away.
. "$TESTS_DIR/lib.sh"
start_displayd --virtual 1280x720@60 --virtual 1024x768@60
# weston 10's demos bind xdg_wm_base at the version offered and then abort on v5's
# wm_capabilities, which they have no handler for: offer them v3.
LUMEN_XDG_WM_BASE_VERSION=3 start_lumen

outputs=$("$LUMENCTL" -c outputs)
diag "$outputs"
json_is 2 "len(j['outputs'])" outputs
ok $? "lumen has displayd's two outputs"
json_is "virtual-0 1280 720|virtual-1 1024 768" \
	"'|'.join('%s %d %d' % (o['name'], o['width'], o['height']) for o in j['outputs'])" outputs
ok $? "named after displayd's outputs, at displayd's modes"
grep -q "display server lumen-display-0: 2 output(s)" "$T_DIR/lumen.log"
ok $? "lumen says it runs on the display server"

# ---- foot: the text reaches displayd, and both captures agree exactly
spawn foot foot -o 'cursor.blink=no' sh -c 'echo LUMEN-DISPLAY-TEXT; exec sleep 100'
wait_for 20 has_window foot
ok $? "foot maps"
sleep 1
x=$(window_field foot x); y=$(window_field foot y)
"$LUMEN_DISPLAYCTL" capture display:virtual/0 "$T_DIR/ds-foot.png" >"$T_DIR/displayctl.out" 2>&1
ok $? "lumen-displayctl captures virtual-0"
[ "$("$PNG_TOOL" size "$T_DIR/ds-foot.png" 2>/dev/null)" = "1280 720" ]
ok $? "the capture is 1280x720"
# The first text line of foot: glyphs in the foreground colour on the background.
colours=$("$PNG_TOOL" distinct "$T_DIR/ds-foot.png" $((x + 2)) $((y + 2)) 200 18 2>/dev/null)
[ "${colours:-0}" -ge 3 ]
ok $? "the text of foot's command is there ($colours colours where it is)"
capture "$T_DIR/sc-foot.png" virtual-0
"$PNG_TOOL" compare "$T_DIR/ds-foot.png" "$T_DIR/sc-foot.png" >"$T_DIR/compare.out"
ok $? "displayd's capture equals screencopy's ($(cat "$T_DIR/compare.out"))"

# ---- the pointer is on displayd's cursor plane: in displayd's capture, not in the frame
# that screencopy copies, and nowhere else different
inject move-abs 700 400 2304 720
cursor_shows() {
	"$LUMEN_DISPLAYCTL" capture display:virtual/0 "$T_DIR/ds-cursor.png" >/dev/null 2>&1 &&
		capture "$T_DIR/sc-cursor.png" virtual-0 &&
		! "$PNG_TOOL" compare "$T_DIR/ds-cursor.png" "$T_DIR/sc-cursor.png" >/dev/null
}
wait_for 5 cursor_shows
ok $? "the pointer shows in displayd's capture and not in the composited frame"
for f in ds-cursor sc-cursor; do
	"$PNG_TOOL" fill "$T_DIR/$f.png" 668 368 288 288 ff00ff
done
"$PNG_TOOL" compare "$T_DIR/ds-cursor.png" "$T_DIR/sc-cursor.png" >"$T_DIR/compare.out"
ok $? "the two differ only where the cursor image is ($(cat "$T_DIR/compare.out") elsewhere)"
inject move-abs 2200 700 2304 720

# ---- gamma (zwlr_gamma_control_v1) and power (zwlr_output_power_v1) reach displayd,
# which applies them to what the screen shows
red_pixel=""
for xy in "$((x + 4)) $((y + 4))" "$((x + 60)) $((y - 12))" "$((x + 20)) $((y + 8))" "5 5" "640 700"; do
	c=$("$PNG_TOOL" pixel "$T_DIR/ds-foot.png" $xy 2>/dev/null)
	if [ -n "$c" ] && [ "${c:0:2}" != 00 ]; then
		red_pixel=$xy
		red_colour=$c
		break
	fi
done
diag "a pixel with red in it: ($red_pixel) $red_colour"
spawn_trusted gamma "$TC_OUTPUT_CTL" gamma virtual-0
wait_for 10 out_has gamma "gamma set"
ok $? "a gamma client sets ramps ($(head -n 1 "$T_DIR/gamma.out"))"
gamma_is() { # FILE: the red pixel has lost its red, and kept green and blue
	"$LUMEN_DISPLAYCTL" capture display:virtual/0 "$1" >/dev/null 2>&1 &&
		[ "$("$PNG_TOOL" pixel "$1" $red_pixel)" = "00${red_colour:2:4}" ]
}
wait_for 5 gamma_is "$T_DIR/ds-gamma.png"
ok $? "displayd shows the ramps: ($red_pixel) $red_colour is now $("$PNG_TOOL" pixel "$T_DIR/ds-gamma.png" $red_pixel 2>/dev/null)"
kill "$PID_gamma"
colour_back() {
	"$LUMEN_DISPLAYCTL" capture display:virtual/0 "$T_DIR/ds-nogamma.png" >/dev/null 2>&1 &&
		[ "$("$PNG_TOOL" pixel "$T_DIR/ds-nogamma.png" $red_pixel)" = "$red_colour" ]
}
wait_for 5 colour_back
ok $? "when the gamma client goes, the colours come back"

WAYLAND_DISPLAY=$T_SOCKET-trusted "$TC_OUTPUT_CTL" power off virtual-0 >"$T_DIR/power.out" 2>&1
ok $? "an output power client switches virtual-0 off ($(tr '\n' ' ' <"$T_DIR/power.out"))"
all_black() {
	"$LUMEN_DISPLAYCTL" capture display:virtual/0 "$T_DIR/ds-off.png" >/dev/null 2>&1 &&
		[ "$("$PNG_TOOL" count "$T_DIR/ds-off.png" 0 0 1280 720 000000)" = 921600 ]
}
wait_for 5 all_black
ok $? "displayd shows nothing on it"
WAYLAND_DISPLAY=$T_SOCKET-trusted "$TC_OUTPUT_CTL" power on virtual-0 >"$T_DIR/power.out" 2>&1
ok $? "and back on ($(tr '\n' ' ' <"$T_DIR/power.out"))"
wait_for 5 colour_back
ok $? "with the picture back"

# ---- a fullscreen wl_shm client: wlroots offers its buffer for direct scan-out, which the
# backend must refuse in its test (the fd is not ours to pass) so that lumen composites
spawn full "$TC_KEYLOG" --start fullscreen --color 2080c0 --title ds-full
wait_for 20 has_window ds-full
full_shows() {
	"$LUMEN_DISPLAYCTL" capture display:virtual/0 "$T_DIR/ds-full.png" >/dev/null 2>&1 &&
		[ "$("$PNG_TOOL" pixel "$T_DIR/ds-full.png" 640 360)" = 2080c0 ]
}
wait_for 10 full_shows
ok $? "a fullscreen shm client's colour fills virtual-0 in displayd's capture"
sleep 0.5
! grep -q "neither shm nor dmabuf" "$T_DIR/lumen.log"
ok $? "with no error about buffers the backend cannot import"
kill "$PID_full"

# ---- weston-simple-shm on the second output
"$LUMENCTL" focus "$(window_field foot id)" >/dev/null
spawn shm weston-simple-shm
wait_for 20 has_window simple-shm
"$LUMENCTL" move "$(window_field simple-shm id)" workspace 2 >/dev/null 2>&1
wait_for 10 field_is simple-shm output virtual-1
ok $? "weston-simple-shm is on virtual-1"
sleep 0.5
"$LUMEN_DISPLAYCTL" capture display:virtual/1 "$T_DIR/ds-shm.png" >/dev/null 2>&1
sx=$(( $(window_field simple-shm x) - 1280 )); sy=$(window_field simple-shm y)
sw=$(window_field simple-shm width); sh=$(window_field simple-shm height)
colours=$("$PNG_TOOL" distinct "$T_DIR/ds-shm.png" $((sx + 10)) $((sy + 40)) $((sw - 20)) \
	$((sh - 50)) 2>/dev/null)
[ "${colours:-0}" -ge 20 ]
ok $? "its moving pattern reaches displayd ($colours colours)"

# ---- presentation feedback comes from displayd's vblanks
spawn pres "$TC_PROTOCOLS" presentation --frames 30 --timeout 20 --title ds-pres
wait_for 20 out_has pres "summary "
summary=$(grep '^summary ' "$T_DIR/pres.out")
diag "$summary"
case "$summary" in *"presented 30 discarded 0 "*) true ;; *) false ;; esac
ok $? "all 30 frames are reported presented"
case "$summary" in *"seq-increasing yes time-increasing yes "*) true ;; *) false ;; esac
ok $? "with increasing vblank sequence numbers and timestamps"
# displayd latches at vblank: VSYNC | HW_CLOCK | HW_COMPLETION, refresh of 60 Hz.
n_vsync=$(grep -c '^presented .* refresh 1666[0-9]* flags 0x7$' "$T_DIR/pres.out")
[ "$n_vsync" = 30 ]
ok $? "each with displayd's refresh and vsync flags ($n_vsync of 30)"
spawn wpres weston-presentation-shm
wait_for 10 sh -c "grep -c 'p2p' '$T_DIR/wpres.out' | grep -qv '^[0-4]$'"
intervals=$(grep -o 'p2p *[0-9]*' "$T_DIR/wpres.out" | awk '{print $2}' | sed -n '3,12p' | tr '\n' ' ')
diag "weston-presentation-shm p2p (ms): $intervals"
[ -n "$intervals" ]
ok $? "weston-presentation-shm receives presented feedback"

# ---- hotplug: an output added by displayctl appears to clients, a removed one takes its
# windows elsewhere
"$LUMEN_DISPLAYCTL" add 800x600@60 >/dev/null 2>&1
wait_for 10 json_is 3 "len(j['outputs'])" outputs
ok $? "an output hotplugged in displayd appears in lumen"
list=$(WAYLAND_DISPLAY=$T_SOCKET-trusted wlr-randr 2>&1)
echo "$list" | grep -q '^virtual-2 ' && echo "$list" | grep -q '800x600'
ok $? "and to clients (wlr-randr lists virtual-2 at 800x600)"
"$LUMEN_DISPLAYCTL" remove display:virtual/1 >/dev/null 2>&1
wait_for 10 json_is 2 "len(j['outputs'])" outputs
ok $? "an output removed in displayd goes from lumen"
wait_for 10 sh -c "[ \"\$(\"$LUMENCTL\" -c windows | python3 -c \"import json,sys; print([w['output'] for w in json.load(sys.stdin)['windows'] if w['app_id']=='simple-shm'][0])\")\" != virtual-1 ]"
ok $? "the window that was on it lives on another output ($(window_field simple-shm output))"

# ---- displayd goes away: lumen says so and exits with an error for the session to see
for pid in $T_PIDS; do kill "$pid" 2>/dev/null; done
kill -9 "$DISPLAYD_PID"
wait "$DISPLAYD_PID" 2>/dev/null
DISPLAYD_PID=""
wait_for 10 sh -c "! kill -0 $LUMEN_PID 2>/dev/null"
ok $? "lumen stops when displayd is killed"
wait "$LUMEN_PID"
status=$?
LUMEN_PID=""
[ "$status" = 1 ] && grep -q "lost the display server" "$T_DIR/lumen.log"
ok $? "with status 1 ($status) and 'lost the display server' in its log"
report=$(grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T_DIR/lumen.log" | head -n 3)
[ -z "$report" ]
ok $? "and no sanitizer report${report:+: $report}"
done_testing
