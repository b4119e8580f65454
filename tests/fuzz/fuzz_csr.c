/* fuzz_csr: csr_parse must refuse or accept any bytes without a crash or leak. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "csr.h"
#include "log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Parses one input and, when it is accepted, touches every field it returned. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int	 quiet;
	struct csr	*c;
	char		 err[256], hash[65];
	size_t		 i, sum = 0;

	if (!quiet) {
		log_quiet(1);
		quiet = 1;
	}
	err[0] = '\0';
	if ((c = csr_parse(data, size, err, sizeof(err))) == NULL) {
		/* Every refusal must explain itself to the user. */
		if (err[0] == '\0')
			__builtin_trap();
		return 0;
	}
	/* Reading each string lets ASan catch a bad length or pointer. */
	sum += strlen(c->subject);
	if (c->cn != NULL)
		sum += strlen(c->cn);
	if (c->email != NULL)
		sum += strlen(c->email);
	if (c->challenge != NULL)
		sum += strlen(c->challenge);
	for (i = 0; i < c->ndns; i++)
		sum += strlen(c->dns[i]);
	for (i = 0; i < c->nemails; i++)
		sum += strlen(c->emails[i]);
	for (i = 0; i < c->nips; i++)
		sum += strlen(c->ips[i]);
	if (c->key_type == KEY_NONE || c->der_len == 0 ||
	    c->der_len > CSR_MAX_BYTES || !csr_pubkey_sha256(c, hash))
		__builtin_trap();
	(void)sum;
	csr_free(c);
	return 0;
}
