/* clock: times for pages and mails, always in UTC so every reader agrees. */
#include <stdio.h>
#include <time.h>

#include "clock.h"

void
clock_format(long long t, char *out, size_t len)
{
	time_t		 tt = (time_t)t;
	struct tm	 tm;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL) {
		snprintf(out, len, "-");
		return;
	}
	strftime(out, len, "%Y-%m-%d %H:%M UTC", &tm);
}
