/*
 * fuzz_escrow: what escrow reads from outside — a tier key file (PEM,
 * maybe encrypted, maybe rejoined from damaged shares), an escrow blob
 * (DER CMS from a database or an export), and a share file's name.  The
 * blob is opened with a fixed EC tier key; nothing may crash, and a blob
 * may only open to bytes that are then parsed as PKCS#8.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "escrow.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static EVP_PKEY	*tier_key;
static X509	*tier_cert;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	EVP_PKEY	*k;
	const char	*why = NULL;
	unsigned char	*p8 = NULL;
	size_t		 p8len = 0;
	char		*s;
	unsigned	 nr;

	if (tier_key == NULL && !escrow_tier_make(KEY_EC384, "fuzz",
	    &tier_key, &tier_cert))
		abort();
	k = escrow_key_parse(data, size, "fuzz passphrase", &why);
	if (k == NULL && why == NULL)
		abort();
	EVP_PKEY_free(k);
	if (escrow_open(data, size, tier_cert, tier_key, &p8, &p8len) ==
	    ESCROW_OPENED) {
		EVP_PKEY_free(escrow_p8_key(p8, p8len));
		OPENSSL_clear_free(p8, p8len);
	}
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	nr = escrow_share_nr(s);
	if (nr > ESCROW_MAX_SHARES)
		abort();
	free(s);
	return 0;
}
