/* test_bulk: the sealed delivery of bulk requests — the request's key under the passphrase, and the seals. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "bulk.h"
#include "keygen.h"
#include "unit.h"

static const char *const PASS = "correct horse battery";

/* Fills b with a fresh request key pair under PASS. */
static void
make_request(struct bulk_request *b)
{
	memset(b, 0, sizeof(*b));
	CU_ASSERT_FATAL(bulk_keypair(PASS, &b->recipient_der, &b->recipient_len,
	    &b->privkey_p8, &b->privkey_len));
}

static void
free_request(struct bulk_request *b)
{
	OPENSSL_free(b->recipient_der);
	OPENSSL_free(b->privkey_p8);
}

/* The passphrase opens the request's key; anything else does not. */
static void
test_passphrase(void)
{
	struct bulk_request	 b;
	EVP_PKEY		*k;

	make_request(&b);
	CU_ASSERT_PTR_NULL(memmem(b.privkey_p8, b.privkey_len, PASS,
	    strlen(PASS)));
	k = bulk_open_key(&b, PASS);
	CU_ASSERT_PTR_NOT_NULL(k);
	EVP_PKEY_free(k);
	CU_ASSERT_PTR_NULL(bulk_open_key(&b, "correct horse battery!"));
	CU_ASSERT_PTR_NULL(bulk_open_key(&b, ""));
	free_request(&b);
}

/* A sealed key opens to the same key with the request's key, and only with it. */
static void
test_seal_roundtrip(void)
{
	struct bulk_request	 b, other;
	EVP_PKEY		*key, *ber, *ber2, *back;
	unsigned char		*sealed = NULL;
	size_t			 len = 0;

	make_request(&b);
	make_request(&other);
	CU_ASSERT_FATAL((key = keygen_make(KEY_RSA2048)) != NULL);
	CU_ASSERT_FATAL(bulk_seal(&b, key, &sealed, &len));
	CU_ASSERT(len > 1000);
	CU_ASSERT_FATAL((ber = bulk_open_key(&b, PASS)) != NULL);
	back = bulk_unseal(&b, ber, sealed, len);
	CU_ASSERT_FATAL(back != NULL);
	CU_ASSERT_EQUAL(EVP_PKEY_eq(key, back), 1);
	EVP_PKEY_free(back);
	/* Another request's key cannot open it. */
	CU_ASSERT_FATAL((ber2 = bulk_open_key(&other, PASS)) != NULL);
	CU_ASSERT_PTR_NULL(bulk_unseal(&other, ber2, sealed, len));
	/* Nor can a damaged seal be opened. */
	sealed[len - 5] ^= 1;
	CU_ASSERT_PTR_NULL(bulk_unseal(&b, ber, sealed, len));
	EVP_PKEY_free(ber2);
	EVP_PKEY_free(ber);
	EVP_PKEY_free(key);
	OPENSSL_free(sealed);
	free_request(&b);
	free_request(&other);
}

/* EC keys are sealed as well as RSA ones. */
static void
test_seal_ec(void)
{
	struct bulk_request	 b;
	EVP_PKEY		*key, *ber, *back;
	unsigned char		*sealed = NULL;
	size_t			 len = 0;

	make_request(&b);
	CU_ASSERT_FATAL((key = keygen_make(KEY_EC384)) != NULL);
	CU_ASSERT_FATAL(bulk_seal(&b, key, &sealed, &len));
	CU_ASSERT_FATAL((ber = bulk_open_key(&b, PASS)) != NULL);
	CU_ASSERT_FATAL((back = bulk_unseal(&b, ber, sealed, len)) != NULL);
	CU_ASSERT_EQUAL(EVP_PKEY_eq(key, back), 1);
	EVP_PKEY_free(back);
	EVP_PKEY_free(ber);
	EVP_PKEY_free(key);
	OPENSSL_free(sealed);
	free_request(&b);
}

static void
register_tests(void)
{
	CU_pSuite	 s;

	if ((s = CU_add_suite("bulk", NULL, NULL)) == NULL)
		exit(2);
	UNIT_ADD(s, test_passphrase);
	UNIT_ADD(s, test_seal_roundtrip);
	UNIT_ADD(s, test_seal_ec);
}

UNIT_MAIN(register_tests)
