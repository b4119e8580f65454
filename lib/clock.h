/* clock: how certdesk shows a point in time to people. */
#ifndef CERTDESK_CLOCK_H
#define CERTDESK_CLOCK_H

#include <stddef.h>

/* Writes an epoch time as "2026-11-22 10:00 UTC" (or "-" for none) into out. */
void	clock_format(long long t, char *out, size_t len);

#endif
