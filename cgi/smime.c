/* smime: the Client Certificate Management program; its pages are not available yet. */
#include "unavailable.h"

int
main(void)
{
	return unavailable_main("smime", "Client Certificate Management");
}
