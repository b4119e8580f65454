/* strlist: the comma-separated lists that configuration and forms use ("rsa2048, ec256"). */
#ifndef CERTDESK_STRLIST_H
#define CERTDESK_STRLIST_H

#include <stddef.h>

/* One known token of a list and the bit it stands for. */
struct strlist_bit {
	const char	*token;
	unsigned	 bit;
};

/*
 * Returns the OR of the bits of every token in list (case-insensitive,
 * spaces around tokens ignored), or 0 if list is NULL or empty or any
 * token is unknown: a typo must not silently narrow or widen a setting.
 */
unsigned	 strlist_mask(const char *list, const struct strlist_bit *, size_t n);

#endif
