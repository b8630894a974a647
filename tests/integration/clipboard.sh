#!/bin/bash
# wl-copy then wl-paste round-trips text, for the clipboard and the primary selection,
# from ordinary (untrusted) clients: wl-clipboard then works through a focused surface
# and wl_data_device, as it must for sandboxed apps.
. "$TESTS_DIR/lib.sh"
start_lumen

text='Lumen clipboard: ünïcödé ✓ 漢字'
# Something must hold focus for a plain client to set a selection.
spawn focus "$TC_KEYLOG" --title clip-focus
wait_for 20 has_window clip-focus

printf '%s' "$text" | wl-copy 2>"$T_DIR/copy.err"
ok $? "wl-copy sets the clipboard"
got=$(timeout 10 wl-paste --no-newline 2>"$T_DIR/paste.err")
[ "$got" = "$text" ]
ok $? "wl-paste gives the same text back ('$got')"

primary='primary selection text'
printf '%s' "$primary" | wl-copy --primary 2>>"$T_DIR/copy.err"
ok $? "wl-copy --primary sets the primary selection"
got=$(timeout 10 wl-paste --primary --no-newline 2>>"$T_DIR/paste.err")
[ "$got" = "$primary" ]
ok $? "wl-paste --primary gives it back ('$got')"
got=$(timeout 10 wl-paste --no-newline 2>>"$T_DIR/paste.err")
[ "$got" = "$text" ]
ok $? "the clipboard still holds its own text"

# The trusted route: data-control, with no surface needed.
got=$(printf 'via data-control' | WAYLAND_DISPLAY=$T_SOCKET-trusted wl-copy && \
	WAYLAND_DISPLAY=$T_SOCKET-trusted timeout 10 wl-paste --no-newline)
[ "$got" = "via data-control" ]
ok $? "on the trusted socket the round trip uses data-control ('$got')"
done_testing
