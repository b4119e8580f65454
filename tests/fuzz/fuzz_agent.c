/*
 * fuzz_agent: the outside strings p12 and keygen read, the User-Agent
 * header and a form's key type and encoding name.  The input is one
 * string; the choice must be one of the two encodings whatever the
 * default, and the parsers must return a known value or their "none".
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keygen.h"
#include "p12.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*s;
	enum p12_encoding e;
	enum key_type	 t;
	int		 d, n;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	for (d = 0; d < P12_N_ENCODINGS; d++) {
		e = p12_encoding_for_agent(s, (enum p12_encoding)d);
		if (e != P12_COMPATIBLE && e != (enum p12_encoding)d)
			abort();
	}
	n = p12_encoding_parse(s);
	if (n < -1 || n >= P12_N_ENCODINGS)
		abort();
	t = keygen_type_parse(s);
	if (t != KEY_NONE && t != KEY_RSA2048 && t != KEY_RSA3072 &&
	    t != KEY_RSA4096 && t != KEY_EC256 && t != KEY_EC384)
		abort();
	free(s);
	return 0;
}
