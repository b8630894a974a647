#!/bin/bash
# Keyboards in several languages, through lumen-inputd: text typed with layouts us, de,
# fr, ru, ara and jp (lumen's keymap set to the same layout in lumen.ini) arrives as the
# exact UTF-8 expected in our key logger and in a GTK4 text field; dead keys and a
# compose sequence make the composed character in GTK; the layout switches by an xkb
# option (grp:alt_shift_toggle, grp:win_space_toggle) and by a binding, each reported
# over IPC; with per_window_layout each window keeps its layout across focus changes.
. "$TESTS_DIR/lib.sh"

GTK_ENTRY="$TESTS_DIR/clients/gtk4-entry.py"
have_gtk=1
/usr/bin/python3 -c 'import gi; gi.require_version("Gtk", "4.0"); from gi.repository import Gtk' \
	2>/dev/null || have_gtk=0

# keyboard_config LINES...: [keyboard] with these lines, then lumenctl reload.
keyboard_config() {
	printf '[keyboard]\n' >"$T_DIR/lumen.ini"
	printf '%s\n' "$@" >>"$T_DIR/lumen.ini"
	[ -z "$LUMEN_PID" ] || "$LUMENCTL" reload >/dev/null
}

text_is() { # NAME TEXT: the client's last text line is exactly TEXT
	[ "$(grep '^text: ' "$T_DIR/$1.out" | tail -n 1)" = "text: $2" ]
}

focused() { # app_id-or-title
	field_is "$1" focused 1
}

# end NAME: ends a client started with spawn.
end() {
	eval "pid=\$PID_$1"
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

layout_index_is() { # N
	json_is "$1" "j['index']" get-layout
}


keyboard_config "layout = us"
start_inputd
start_lumen
wait_input_master 1 || bail "lumen did not become inputd's master"

# --- Six layouts, two clients -------------------------------------------------------
# Each string uses keys that differ from us in that layout (de: z/y, ß, AltGr @ and €;
# fr: azerty, accented keys; jp: @ [ ] : on keys of their own) or its script.
layouts=(us de fr ru ara jp)
declare -A sample=(
	[us]='Hello, World! 123 @#$%^&*()_+{}|:"<>?~'
	[de]='Grüße aus Köln: Äpfel, Öl & Zucker für 5 € @ Yps!'
	[fr]='Voilà: ça, été, où & zèbre à 5 € (azerty)'
	[ru]='Съешь же ещё этих мягких французских булок, да выпей чаю!'
	[ara]='مرحبا بالعالم، كيف حالك؟'
	[jp]='Tokyo "@[x]" 10:30 ^_^ {ok} +=*'
)
for l in "${layouts[@]}"; do
	s=${sample[$l]}
	keyboard_config "layout = $l"
	spawn "kl_$l" "$TC_KEYLOG" --title "kl-$l"
	wait_for 10 focused "kl-$l" || bail "kl-$l got no focus"
	inputctl_until 'text_is "kl_$l" "$s"' --layout "$l" type "$s"
	ok $? "$l: '$s' arrives in the key logger exactly"
	end "kl_$l"
	if [ "$have_gtk" = 1 ]; then
		spawn "gtk_$l" "$GTK_ENTRY" "gtk-$l"
		wait_for 20 focused "gtk-$l" || bail "gtk-$l got no focus"
		inputctl_until 'text_is "gtk_$l" "$s"' --layout "$l" type "$s"
		ok $? "$l: '$s' arrives in a GTK4 text field exactly"
		end "gtk_$l"
	fi
done

# jp(kana): the kana keyboard types Japanese.
keyboard_config "layout = jp" "variant = kana"
spawn kl_kana "$TC_KEYLOG" --title kl-kana
wait_for 10 focused kl-kana || bail "kl-kana got no focus"
inputctl_until 'text_is kl_kana "トウキョウ"' --layout jp --variant kana type "トウキョウ"
ok $? "jp(kana): 'トウキョウ' arrives in the key logger exactly"
end kl_kana

# --- Dead keys and compose, in GTK --------------------------------------------------
if [ "$have_gtk" = 1 ]; then
	keyboard_config "layout = de"
	spawn gtk_dead "$GTK_ENTRY" gtk-dead
	wait_for 20 focused gtk-dead || bail "gtk-dead got no focus"
	# de: the key right of ß is dead_acute, with Shift dead_grave.
	inputctl_until 'text_is gtk_dead "éà"' --layout de key equal key e key shift+equal key a
	ok $? "de dead keys: ´ e and \` a make éà in GTK"
	keyboard_config "layout = us" "variant = intl"
	inputctl_until 'text_is gtk_dead "éàéü"' key apostrophe key e key shift+apostrophe key u
	ok $? "us(intl) dead keys: ' e and \" u make éü in GTK"
	keyboard_config "layout = us" "options = compose:ralt"
	inputctl_until 'text_is gtk_dead "éàéü©ä"' key rightalt key o key c key rightalt key shift+apostrophe key a
	ok $? "compose:ralt: Compose o c and Compose \" a make ©ä in GTK"
	end gtk_dead
else
	diag "GTK4 for python (gir1.2-gtk-4.0) is missing: GTK checks skipped"
fi

# --- Switching ----------------------------------------------------------------------
"$LUMENCTL" subscribe layout >"$T_DIR/events.out" 2>&1 &
T_PIDS="$T_PIDS $!"
keyboard_config "layout = us,ru" "options = grp:alt_shift_toggle"
spawn sw "$TC_KEYLOG" --title sw
wait_for 10 focused sw || bail "sw got no focus"
inputctl_until 'layout_index_is 1' key alt+shift
ok $? "grp:alt_shift_toggle: Alt+Shift switches to the second layout"
wait_for 5 grep -q '"Russian' "$T_DIR/events.out"
ok $? "a subscriber hears of the switch"
wait_for 5 out_has sw "layout: Russian"
ok $? "the client is told of the Russian layout"
inputctl_until 'text_is sw "мир"' --layout ru type "мир"
ok $? "keys typed on a new keyboard are Russian (the layout is the seat's)"
inputctl_until 'layout_index_is 0' key alt+shift
ok $? "Alt+Shift again switches back"
inputctl_until 'text_is sw "мир ok"' type " ok"
ok $? "and typing is Latin again"

# Super+Space is also the default layout-next binding: the keymap's switch must not be
# doubled by the binding's.
keyboard_config "layout = us,ru" "options = grp:win_space_toggle"
inputctl_until 'layout_index_is 1' key super+space
ok $? "grp:win_space_toggle: Super+Space switches once, to the second layout"
inputctl_until 'text_is sw "мир okда"' --layout ru type "да"
ok $? "and typing is Russian"

# By binding alone (no xkb option): the default Super+Space layout-next, and one of
# our own, pressed while the Russian layout is on: Ctrl+Alt+k is then Cyrillic_el, and
# the binding matches through the key's Latin layout.
keyboard_config "layout = us,ru"
printf '[bindings]\nCtrl+Alt+k = layout 0\n' >>"$T_DIR/lumen.ini"
"$LUMENCTL" reload >/dev/null
inputctl_until 'layout_index_is 0' key ctrl+alt+k
ok $? "a binding (Ctrl+Alt+k = layout 0) switches to the first layout"
inputctl_until 'layout_index_is 1' key super+space
ok $? "the default binding Super+Space switches to the next"
inputctl_until 'text_is sw "мир okда!"' --layout ru type "!"
inputctl_until 'layout_index_is 0' key super+space
inputctl_until 'text_is sw "мир okда!!"' type "!"
ok $? "typing follows each switch"
end sw

# --- Per window ---------------------------------------------------------------------
keyboard_config "layout = us,ru" "per_window_layout = yes"
spawn wa "$TC_KEYLOG" --title wa
wait_for 10 focused wa || bail "wa got no focus"
spawn wb "$TC_KEYLOG" --title wb
wait_for 10 focused wb || bail "wb got no focus"
ida=$(window_field wa id) idb=$(window_field wb id)
"$LUMENCTL" focus "$ida" >/dev/null
wait_for 5 focused wa
inputctl_until 'layout_index_is 1' key super+space
inputctl_until 'text_is wa "да"' --layout ru type "да"
ok $? "window A is switched to Russian"
"$LUMENCTL" focus "$idb" >/dev/null
wait_for 5 layout_index_is 0
ok $? "window B, focused, has its own layout (the first)"
inputctl_until 'text_is wb "no"' type "no"
ok $? "typing in B is Latin"
"$LUMENCTL" focus "$ida" >/dev/null
wait_for 5 layout_index_is 1
ok $? "back to window A: its Russian layout is restored"
inputctl_until 'text_is wa "дада"' --layout ru type "да"
ok $? "typing in A is Russian again"
"$LUMENCTL" focus "$idb" >/dev/null
wait_for 5 layout_index_is 0
ok $? "and B is still Latin"

stop_lumen
stop_inputd
done_testing
