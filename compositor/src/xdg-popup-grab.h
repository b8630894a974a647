/*
 * The xdg_popup grab, for xdg-wm-base.c (xdg-popup-grab.c): the grabbing popups are
 * comp_xdg_shell.grab.popups, topmost first.
 */
#ifndef COMP_XDG_POPUP_GRAB_H
#define COMP_XDG_POPUP_GRAB_H

#include "xdg-wm-base.h"

/** The shell the popup's client bound (xdg-wm-base.c). */
struct comp_xdg_shell *comp_xdg_popup_shell(struct comp_xdg_popup *popup);
/** Sets the shell's pointer, keyboard and touch grab interfaces. */
void comp_xdg_grab_init(struct comp_xdg_shell *shell);
/** The topmost grabbing popup, or NULL. */
struct comp_xdg_popup *comp_xdg_grab_top(struct comp_xdg_shell *shell);
/** Gives the keyboard to the topmost grabbing popup. */
void comp_xdg_grab_focus_top(struct comp_xdg_shell *shell);
/** The popup leaves the grab (unmapped, destroyed or dismissed); the last ends it. */
void comp_xdg_grab_remove_popup(struct comp_xdg_popup *popup);

#endif
