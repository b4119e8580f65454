/* test_bulk: the sealed delivery of bulk requests — the request's key under the passphrase, and the seals. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

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

/* The request's key is under PBKDF2 with a 16-byte salt and 300 000 iterations. */
static void
test_kdf_params(void)
{
	struct bulk_request	 b;
	const unsigned char	*p;
	const X509_ALGOR	*alg;
	const ASN1_OBJECT	*oid;
	const void		*param;
	X509_SIG		*sig;
	PBE2PARAM		*pbe2 = NULL;
	PBKDF2PARAM		*kdf = NULL;
	int			 ptype;

	make_request(&b);
	p = b.privkey_p8;
	CU_ASSERT_FATAL((sig = d2i_X509_SIG(NULL, &p, (long)b.privkey_len)) !=
	    NULL);
	X509_SIG_get0(sig, &alg, NULL);
	X509_ALGOR_get0(&oid, &ptype, &param, alg);
	CU_ASSERT_EQUAL_FATAL(OBJ_obj2nid(oid), NID_pbes2);
	CU_ASSERT_FATAL((pbe2 = ASN1_TYPE_unpack_sequence(
	    ASN1_ITEM_rptr(PBE2PARAM), alg->parameter)) != NULL);
	CU_ASSERT_FATAL((kdf = ASN1_TYPE_unpack_sequence(
	    ASN1_ITEM_rptr(PBKDF2PARAM), pbe2->keyfunc->parameter)) != NULL);
	CU_ASSERT_EQUAL(kdf->salt->type, V_ASN1_OCTET_STRING);
	CU_ASSERT_EQUAL(ASN1_STRING_length(kdf->salt->value.octet_string), 16);
	CU_ASSERT_EQUAL(ASN1_INTEGER_get(kdf->iter), BULK_KDF_ITER);
	PBKDF2PARAM_free(kdf);
	PBE2PARAM_free(pbe2);
	X509_SIG_free(sig);
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
	UNIT_ADD(s, test_kdf_params);
}

UNIT_MAIN(register_tests)
