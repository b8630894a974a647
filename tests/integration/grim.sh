#!/bin/bash
# grim (screencopy) takes a screenshot whose pixels match the harness's own capture.
. "$TESTS_DIR/lib.sh"
start_lumen

spawn a "$TC_KEYLOG" --title grim-a --color ff0000
spawn b "$TC_KEYLOG" --title grim-b --color 0000ff
wait_for 20 has_windows 2
ok $? "two windows map"
sleep 0.5
WAYLAND_DISPLAY=$T_SOCKET-trusted grim "$T_DIR/grim.png" 2>"$T_DIR/grim.err"
ok $? "grim takes a screenshot on the trusted socket"
capture "$T_DIR/ours.png"
ok $? "the harness captures the output"
size=$("$PNG_TOOL" size "$T_DIR/grim.png")
[ "$size" = "1280 720" ]
ok $? "grim's image is the output's size ($size)"
"$PNG_TOOL" compare "$T_DIR/grim.png" "$T_DIR/ours.png" >"$T_DIR/cmp.out"
ok $? "grim's pixels match the harness capture ($(cat "$T_DIR/cmp.out"))"
red=$("$PNG_TOOL" count "$T_DIR/grim.png" 0 0 1280 720 ff0000)
blue=$("$PNG_TOOL" count "$T_DIR/grim.png" 0 0 1280 720 0000ff)
[ "$red" -gt 1000 ] && [ "$blue" -gt 1000 ]
ok $? "both windows' colours are in it (red $red, blue $blue)"
"$TC_CAPTURE" --help >/dev/null 2>&1
WAYLAND_DISPLAY=$T_SOCKET-trusted "$TC_CAPTURE" "$T_DIR/tc.png" >/dev/null 2>&1 || \
	WAYLAND_DISPLAY=$T_SOCKET-trusted "$TC_CAPTURE" --output HEADLESS-1 "$T_DIR/tc.png" >/dev/null 2>&1
"$PNG_TOOL" compare "$T_DIR/tc.png" "$T_DIR/ours.png" >/dev/null
ok $? "our own screencopy client agrees too"
done_testing
