/*
 * fuzz_clientref: clientform_ref_parse reads the validation page's "ref"
 * field, which anyone can send; any bytes must be accepted or refused
 * without a crash, and what it accepts must read back the same.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "clientform.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Parses one input as a NUL-terminated field value; checks a round trip. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct clientform_code	 k, k2;
	char			 in[256], out[256];

	if (size >= sizeof(in))
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	if (!clientform_ref_parse(in, &k))
		return 0;
	if (k.vcode_id <= 0 || k.account_id <= 0)
		__builtin_trap();
	clientform_ref_make(&k, out, sizeof(out));
	if (!clientform_ref_parse(out, &k2) || memcmp(&k, &k2, sizeof(k)) != 0)
		__builtin_trap();
	return 0;
}
