/* device: the Device Certificate Enrollment program; its pages are not available yet. */
#include "unavailable.h"

int
main(void)
{
	return unavailable_main("device", "Device Certificate Enrollment");
}
