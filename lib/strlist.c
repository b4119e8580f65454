/* strlist: comma-separated lists of known tokens. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "strlist.h"

unsigned
strlist_mask(const char *list, const struct strlist_bit *bits, size_t nbits)
{
	const char	*p, *end;
	unsigned	 mask = 0;
	size_t		 i, n;
	int		 found;

	if (list == NULL)
		return 0;
	for (p = list; ; p = end + 1) {
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		while (p < end && isspace((unsigned char)*p))
			p++;
		n = (size_t)(end - p);
		while (n > 0 && isspace((unsigned char)p[n - 1]))
			n--;
		found = 0;
		for (i = 0; i < nbits; i++)
			if (strlen(bits[i].token) == n &&
			    strncasecmp(p, bits[i].token, n) == 0) {
				mask |= bits[i].bit;
				found = 1;
			}
		if (!found)
			return 0;
		if (*end == '\0')
			break;
	}
	return mask;
}
