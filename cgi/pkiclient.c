/* pkiclient: the SCEP program; its pages are not available yet. */
#include "unavailable.h"

int
main(void)
{
	return unavailable_main("pkiclient", "SCEP");
}
