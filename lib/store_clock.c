/*
 * store_clock: store_now alone, so that test builds can link a copy
 * compiled with -DCERTDESK_TEST_CLOCK ahead of the library.
 */
#include <stdlib.h>
#include <time.h>

#include "store.h"

/* Returns the current time in seconds since the epoch. */
long long
store_now(void)
{
#ifdef CERTDESK_TEST_CLOCK
	/*
	 * Only test builds read the clock from the environment: in a
	 * production program anyone who can set the environment of the web
	 * server would move expiry, codes and throttle windows.
	 */
	const char	*s = getenv("CERTDESK_NOW");

	if (s != NULL && *s != '\0')
		return strtoll(s, NULL, 10);
#endif
	return (long long)time(NULL);
}
