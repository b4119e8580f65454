/* bulkenroll: the Bulk Enrollment Form program; its pages are not available yet. */
#include "unavailable.h"

int
main(void)
{
	return unavailable_main("bulkenroll", "Bulk Enrollment Form");
}
