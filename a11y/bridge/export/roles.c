/*
 * AT-SPI2 role names (AtspiRole's nicks, as atspi_role_get_name gives them), by
 * lumen-a11y-v1 role, whose values are AtspiRole's. They are the words the reader speaks
 * (a11y/client/roles.c) except where speech says it shorter.
 */
#include "a11y/roles.h"
#include "export-private.h"
#include "lumen-a11y-v1-client-protocol.h"

const char *atspi_export_role_name(uint32_t role) {
	static const struct {
		uint32_t role;
		const char *name;
	} nicks[] = {
		{ LUMEN_A11Y_PROVIDER_V1_ROLE_INVALID, "invalid" },
		{ LUMEN_A11Y_PROVIDER_V1_ROLE_PASSWORD_TEXT, "password text" },
		{ LUMEN_A11Y_PROVIDER_V1_ROLE_PUSH_BUTTON, "push button" },
		{ LUMEN_A11Y_PROVIDER_V1_ROLE_REDUNDANT_OBJECT, "redundant object" },
		{ LUMEN_A11Y_PROVIDER_V1_ROLE_PUSH_BUTTON_MENU, "push button menu" },
	};
	for (size_t i = 0; i < sizeof(nicks) / sizeof(nicks[0]); i++) {
		if (nicks[i].role == role) {
			return nicks[i].name;
		}
	}
	return a11y_role_speech(role);
}
