/* collect: the Certificate Collection program; its pages are not available yet. */
#include "unavailable.h"

int
main(void)
{
	return unavailable_main("collect", "Certificate Collection");
}
