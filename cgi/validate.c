/* validate: the Account Validation program; its pages are not available yet. */
#include "unavailable.h"

int
main(void)
{
	return unavailable_main("validate", "Account Validation");
}
