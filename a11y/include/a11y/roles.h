#ifndef A11Y_ROLES_H
#define A11Y_ROLES_H

/* Names of lumen-a11y-v1's roles and states, as a screen reader says them. */

#include <stdint.h>

/** "button", "check box", "password", ...; "unknown" for a role out of range. */
const char *a11y_role_speech(uint32_t role);
/** "checked", "expanded", ... for one state bit; NULL for an unknown bit. */
const char *a11y_state_speech(uint32_t state);

#endif
