/*
 * test_p12: server-made keys and the two PKCS#12 encodings.  Files are
 * read back with OpenSSL's own parser, and their algorithm identifiers
 * are decoded one by one, because a file that parses here may still be
 * one macOS or Windows refuses.  The User-Agent table uses real strings.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "csr.h"
#include "fixture.h"
#include "keygen.h"
#include "p12.h"
#include "unit.h"

#define PW	"correct horse 9"
#define NAME	"Zo\xc3\xab M\xc3\xbcller <zoe@example.com>"	/* UTF-8 */
#define ITER	10000

/* root -> issuing CA -> leaf (RSA 2048), and an EC leaf under the same CA. */
static EVP_PKEY	*k_root, *k_mid, *k_leaf, *k_ec;
static X509	*c_root, *c_mid, *c_leaf, *c_ec;
static STACK_OF(X509) *chain;	/* c_mid, c_root: borrowed */

static int
setup(void)
{
	if ((k_root = keygen_make(KEY_EC256)) == NULL ||
	    (k_mid = keygen_make(KEY_EC384)) == NULL ||
	    (k_leaf = keygen_make(KEY_RSA2048)) == NULL ||
	    (k_ec = keygen_make(KEY_EC256)) == NULL)
		return 1;
	c_root = fixture_cert("Test Root", k_root, NULL, k_root, 1, 1);
	c_mid = fixture_cert("Test Issuing CA", k_mid, c_root, k_root, 1, 2);
	c_leaf = fixture_cert(NAME, k_leaf, c_mid, k_mid, 0, 3);
	c_ec = fixture_cert("ec@example.com", k_ec, c_mid, k_mid, 0, 4);
	if (c_root == NULL || c_mid == NULL || c_leaf == NULL ||
	    c_ec == NULL || (chain = sk_X509_new_null()) == NULL ||
	    !sk_X509_push(chain, c_mid) || !sk_X509_push(chain, c_root))
		return 1;
	return 0;
}

static int
teardown(void)
{
	sk_X509_free(chain);
	X509_free(c_ec);
	X509_free(c_leaf);
	X509_free(c_mid);
	X509_free(c_root);
	EVP_PKEY_free(k_ec);
	EVP_PKEY_free(k_leaf);
	EVP_PKEY_free(k_mid);
	EVP_PKEY_free(k_root);
	return 0;
}

/* Returns the parsed file p12_build makes for these arguments (caller frees), or NULL. */
static PKCS12 *
build(enum p12_encoding enc, EVP_PKEY *key, X509 *cert, STACK_OF(X509) *ca,
    const char *pw, int iter)
{
	unsigned char		*der = NULL;
	const unsigned char	*p;
	size_t			 len = 0;
	PKCS12			*p12;

	if (!p12_build(enc, key, cert, ca, NAME, pw, iter, &der, &len))
		return NULL;
	p = der;
	p12 = d2i_PKCS12(NULL, &p, (long)len);
	/* Always DER: the whole buffer is one PKCS12, nothing after it. */
	CU_ASSERT_PTR_EQUAL(p, der + len);
	OPENSSL_free(der);
	return p12;
}

/* Returns the integer value of a, or -1. */
static long
int_of(const ASN1_INTEGER *a)
{
	return a != NULL ? ASN1_INTEGER_get(a) : -1;
}

/*
 * Asserts that alg is exactly enc's bag encryption: PBES2 with PBKDF2,
 * PRF HMAC-SHA256, a 16-byte salt, iter iterations and AES-256-CBC; or
 * the PKCS#12 3DES PBE with an 8-byte salt and iter iterations.
 */
static void
assert_pbe(const X509_ALGOR *alg, enum p12_encoding enc, int iter)
{
	const ASN1_OBJECT	*obj;
	const void		*pval;
	int			 ptype;
	PBE2PARAM		*pbe2;
	PBKDF2PARAM		*kdf;
	PBEPARAM		*pbe;

	X509_ALGOR_get0(&obj, &ptype, &pval, alg);
	CU_ASSERT_EQUAL_FATAL(ptype, V_ASN1_SEQUENCE);
	if (enc == P12_COMPATIBLE) {
		CU_ASSERT_EQUAL(OBJ_obj2nid(obj),
		    NID_pbe_WithSHA1And3_Key_TripleDES_CBC);
		pbe = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBEPARAM),
		    alg->parameter);
		CU_ASSERT_PTR_NOT_NULL_FATAL(pbe);
		CU_ASSERT_EQUAL(int_of(pbe->iter), iter);
		CU_ASSERT_EQUAL(ASN1_STRING_length(pbe->salt), 8);
		PBEPARAM_free(pbe);
		return;
	}
	CU_ASSERT_EQUAL_FATAL(OBJ_obj2nid(obj), NID_pbes2);
	pbe2 = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM),
	    alg->parameter);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pbe2);
	CU_ASSERT_EQUAL(OBJ_obj2nid(pbe2->encryption->algorithm),
	    NID_aes_256_cbc);
	CU_ASSERT_EQUAL(OBJ_obj2nid(pbe2->keyfunc->algorithm), NID_id_pbkdf2);
	kdf = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBKDF2PARAM),
	    pbe2->keyfunc->parameter);
	CU_ASSERT_PTR_NOT_NULL(kdf);
	if (kdf != NULL) {
		CU_ASSERT_EQUAL(int_of(kdf->iter), iter);
		/* An absent PRF means HMAC-SHA1: it must be written. */
		CU_ASSERT_PTR_NOT_NULL(kdf->prf);
		if (kdf->prf != NULL)
			CU_ASSERT_EQUAL(OBJ_obj2nid(kdf->prf->algorithm),
			    NID_hmacWithSHA256);
		CU_ASSERT_EQUAL(kdf->salt->type, V_ASN1_OCTET_STRING);
		CU_ASSERT_EQUAL(ASN1_STRING_length(kdf->salt->value.octet_string),
		    16);
		/* No key length: AES-256 has one. */
		CU_ASSERT_PTR_NULL(kdf->keylength);
		PBKDF2PARAM_free(kdf);
	}
	PBE2PARAM_free(pbe2);
}

/* Asserts the MAC: the classic PKCS#12 MAC with enc's digest over iter iterations. */
static void
assert_mac(const PKCS12 *p12, enum p12_encoding enc, int iter)
{
	const ASN1_OCTET_STRING	*mac, *salt;
	const X509_ALGOR	*macalg;
	const ASN1_INTEGER	*miter;
	const ASN1_OBJECT	*obj;

	CU_ASSERT_TRUE_FATAL(PKCS12_mac_present(p12));
	PKCS12_get0_mac(&mac, &macalg, &salt, &miter, p12);
	X509_ALGOR_get0(&obj, NULL, NULL, macalg);
	/* Exactly the digest: PBMAC1 would name its own OID here. */
	CU_ASSERT_EQUAL(OBJ_obj2nid(obj),
	    enc == P12_MODERN ? NID_sha256 : NID_sha1);
	CU_ASSERT_EQUAL(ASN1_STRING_length(mac), enc == P12_MODERN ? 32 : 20);
	CU_ASSERT_EQUAL(ASN1_STRING_length(salt), 8);
	CU_ASSERT_EQUAL(int_of(miter), iter);
}

/* Asserts that bag carries NAME and the certificate's SHA-1 as local key id. */
static void
assert_bag_attrs(PKCS12_SAFEBAG *bag, X509 *cert)
{
	const ASN1_TYPE	*id;
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;
	char		*name;

	name = PKCS12_get_friendlyname(bag);
	CU_ASSERT_PTR_NOT_NULL(name);
	if (name != NULL)
		CU_ASSERT_STRING_EQUAL(name, NAME);
	OPENSSL_free(name);
	id = PKCS12_SAFEBAG_get0_attr(bag, NID_localKeyID);
	CU_ASSERT_PTR_NOT_NULL_FATAL(id);
	CU_ASSERT_EQUAL_FATAL(id->type, V_ASN1_OCTET_STRING);
	CU_ASSERT_FATAL(X509_digest(cert, EVP_sha1(), md, &mdlen));
	CU_ASSERT_EQUAL(ASN1_STRING_length(id->value.octet_string),
	    (int)mdlen);
	CU_ASSERT(memcmp(ASN1_STRING_get0_data(id->value.octet_string), md,
	    mdlen) == 0);
}

/*
 * Asserts the whole layout of a file of encoding enc: an encrypted safe
 * with the certificate (with attributes) then the chain in order, a data
 * safe with one shrouded key bag (with the same attributes), every
 * encryption and the MAC exactly as the encoding says.
 */
static void
assert_layout(PKCS12 *p12, enum p12_encoding enc, const char *pw, int iter,
    X509 *cert, int nchain)
{
	STACK_OF(PKCS7)			*safes;
	STACK_OF(PKCS12_SAFEBAG)	*bags;
	PKCS7				*p7;
	PKCS12_SAFEBAG			*bag;
	X509				*x;
	const X509_ALGOR		*alg;
	int				 i;

	assert_mac(p12, enc, iter);
	safes = PKCS12_unpack_authsafes(p12);
	CU_ASSERT_PTR_NOT_NULL_FATAL(safes);
	CU_ASSERT_EQUAL_FATAL(sk_PKCS7_num(safes), 2);

	p7 = sk_PKCS7_value(safes, 0);
	CU_ASSERT_EQUAL_FATAL(OBJ_obj2nid(p7->type), NID_pkcs7_encrypted);
	assert_pbe(p7->d.encrypted->enc_data->algorithm, enc, iter);
	bags = PKCS12_unpack_p7encdata(p7, pw, (int)strlen(pw));
	CU_ASSERT_PTR_NOT_NULL_FATAL(bags);
	CU_ASSERT_EQUAL(sk_PKCS12_SAFEBAG_num(bags), 1 + nchain);
	for (i = 0; i < sk_PKCS12_SAFEBAG_num(bags); i++) {
		bag = sk_PKCS12_SAFEBAG_value(bags, i);
		CU_ASSERT_EQUAL(PKCS12_SAFEBAG_get_nid(bag), NID_certBag);
		x = PKCS12_SAFEBAG_get1_cert(bag);
		CU_ASSERT_PTR_NOT_NULL(x);
		if (x != NULL && i == 0)
			CU_ASSERT_EQUAL(X509_cmp(x, cert), 0);
		if (x != NULL && i > 0)
			CU_ASSERT_EQUAL(X509_cmp(x, sk_X509_value(chain, i - 1)),
			    0);
		if (i == 0)
			assert_bag_attrs(bag, cert);
		else
			CU_ASSERT_PTR_NULL(PKCS12_SAFEBAG_get0_attrs(bag));
		X509_free(x);
	}
	sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);

	p7 = sk_PKCS7_value(safes, 1);
	CU_ASSERT_EQUAL_FATAL(OBJ_obj2nid(p7->type), NID_pkcs7_data);
	bags = PKCS12_unpack_p7data(p7);
	CU_ASSERT_PTR_NOT_NULL_FATAL(bags);
	CU_ASSERT_EQUAL_FATAL(sk_PKCS12_SAFEBAG_num(bags), 1);
	bag = sk_PKCS12_SAFEBAG_value(bags, 0);
	CU_ASSERT_EQUAL(PKCS12_SAFEBAG_get_nid(bag), NID_pkcs8ShroudedKeyBag);
	X509_SIG_get0(PKCS12_SAFEBAG_get0_pkcs8(bag), &alg, NULL);
	assert_pbe(alg, enc, iter);
	assert_bag_attrs(bag, cert);
	sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
	sk_PKCS7_pop_free(safes, PKCS7_free);
}

/*
 * Asserts that PKCS12_parse opens p12 with pw into the key of cert, cert
 * itself with its friendly name and local key id, and the chain.
 */
static void
assert_opens(PKCS12 *p12, const char *pw, X509 *cert, int nchain)
{
	EVP_PKEY	*key = NULL;
	X509		*x = NULL;
	STACK_OF(X509)	*ca = NULL;
	unsigned char	*alias;
	int		 len, i, j, found;

	CU_ASSERT_TRUE_FATAL(PKCS12_parse(p12, pw, &key, &x, &ca));
	CU_ASSERT_PTR_NOT_NULL(key);
	CU_ASSERT_PTR_NOT_NULL(x);
	if (key != NULL && x != NULL) {
		CU_ASSERT_EQUAL(X509_cmp(x, cert), 0);
		CU_ASSERT_TRUE(X509_check_private_key(x, key));
		alias = X509_alias_get0(x, &len);
		CU_ASSERT(alias != NULL && len == (int)strlen(NAME) &&
		    memcmp(alias, NAME, (size_t)len) == 0);
		CU_ASSERT_PTR_NOT_NULL(X509_keyid_get0(x, &len));
	}
	CU_ASSERT_EQUAL(sk_X509_num(ca), nchain);
	for (i = 0; i < nchain; i++) {
		found = 0;
		for (j = 0; j < sk_X509_num(ca); j++)
			found |= X509_cmp(sk_X509_value(ca, j),
			    sk_X509_value(chain, i)) == 0;
		CU_ASSERT_TRUE(found);
	}
	sk_X509_pop_free(ca, X509_free);
	X509_free(x);
	EVP_PKEY_free(key);
}

/* Builds, opens and dissects one file of each encoding with each key. */
static void
test_p12_layout(void)
{
	PKCS12	*p12;
	int	 enc;

	for (enc = 0; enc < P12_N_ENCODINGS; enc++) {
		p12 = build(enc, k_leaf, c_leaf, chain, PW, ITER);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p12);
		assert_opens(p12, PW, c_leaf, 2);
		assert_layout(p12, enc, PW, ITER, c_leaf, 2);
		PKCS12_free(p12);

		p12 = build(enc, k_ec, c_ec, chain, PW, 2048);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p12);
		assert_opens(p12, PW, c_ec, 2);
		assert_layout(p12, enc, PW, 2048, c_ec, 2);
		PKCS12_free(p12);
	}
}

/* A wrong password neither verifies the MAC nor opens the file. */
static void
test_p12_wrong_password(void)
{
	PKCS12		*p12;
	EVP_PKEY	*key = NULL;
	X509		*x = NULL;
	int		 enc;

	for (enc = 0; enc < P12_N_ENCODINGS; enc++) {
		p12 = build(enc, k_leaf, c_leaf, chain, PW, ITER);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p12);
		CU_ASSERT_TRUE(PKCS12_verify_mac(p12, PW, -1));
		CU_ASSERT_FALSE(PKCS12_verify_mac(p12, "correct horse 8", -1));
		CU_ASSERT_FALSE(PKCS12_parse(p12, "correct horse 8", &key, &x,
		    NULL));
		CU_ASSERT_FALSE(PKCS12_parse(p12, "", &key, &x, NULL));
		CU_ASSERT_PTR_NULL(key);
		CU_ASSERT_PTR_NULL(x);
		PKCS12_free(p12);
	}
}

/*
 * The empty password still encrypts and MACs, as the empty BMPString
 * with its terminator (what "" means to every importer), not as the
 * absent password that NULL means to OpenSSL.
 */
static void
test_p12_empty_password(void)
{
	PKCS12	*p12;
	int	 enc;

	for (enc = 0; enc < P12_N_ENCODINGS; enc++) {
		p12 = build(enc, k_ec, c_ec, chain, "", ITER);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p12);
		CU_ASSERT_TRUE(PKCS12_verify_mac(p12, "", 0));
		CU_ASSERT_FALSE(PKCS12_verify_mac(p12, NULL, 0));
		CU_ASSERT_FALSE(PKCS12_verify_mac(p12, PW, -1));
		assert_opens(p12, "", c_ec, 2);
		assert_layout(p12, enc, "", ITER, c_ec, 2);
		PKCS12_free(p12);
	}
}

/* Without a chain the file holds the certificate alone. */
static void
test_p12_no_chain(void)
{
	PKCS12		*p12;
	EVP_PKEY	*key = NULL;
	X509		*x = NULL;
	STACK_OF(X509)	*ca = NULL;
	int		 enc;

	for (enc = 0; enc < P12_N_ENCODINGS; enc++) {
		p12 = build(enc, k_leaf, c_leaf, NULL, PW, ITER);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p12);
		CU_ASSERT_TRUE(PKCS12_parse(p12, PW, &key, &x, &ca));
		CU_ASSERT_TRUE(x != NULL && key != NULL &&
		    X509_check_private_key(x, key));
		/* PKCS12_parse leaves no stack when there are no CA certificates. */
		CU_ASSERT_TRUE(sk_X509_num(ca) <= 0);
		sk_X509_pop_free(ca, X509_free);
		ca = NULL;
		X509_free(x);
		x = NULL;
		EVP_PKEY_free(key);
		key = NULL;
		PKCS12_free(p12);
	}
}

/* What p12_build refuses: a key of another certificate, no password, no iterations. */
static void
test_p12_refuses(void)
{
	unsigned char	*der = NULL;
	size_t		 len = 0;

	CU_ASSERT_FALSE(p12_build(P12_MODERN, k_ec, c_leaf, chain, NAME, PW,
	    ITER, &der, &len));
	CU_ASSERT_FALSE(p12_build(P12_MODERN, k_leaf, c_leaf, chain, NAME,
	    NULL, ITER, &der, &len));
	CU_ASSERT_FALSE(p12_build(P12_COMPATIBLE, k_leaf, c_leaf, chain, NAME,
	    PW, 0, &der, &len));
	CU_ASSERT_FALSE(p12_build((enum p12_encoding)7, k_leaf, c_leaf, chain,
	    NAME, PW, ITER, &der, &len));
	CU_ASSERT_PTR_NULL(der);
	CU_ASSERT_EQUAL(len, 0);
}

static void
test_p12_names(void)
{
	CU_ASSERT_STRING_EQUAL(p12_encoding_name(P12_MODERN), "modern");
	CU_ASSERT_STRING_EQUAL(p12_encoding_name(P12_COMPATIBLE),
	    "compatible");
	CU_ASSERT_EQUAL(p12_encoding_parse("modern"), P12_MODERN);
	CU_ASSERT_EQUAL(p12_encoding_parse("Compatible"), P12_COMPATIBLE);
	CU_ASSERT_EQUAL(p12_encoding_parse("legacy"), P12_COMPATIBLE);
	CU_ASSERT_EQUAL(p12_encoding_parse("rc2"), -1);
	CU_ASSERT_EQUAL(p12_encoding_parse(""), -1);
	CU_ASSERT_EQUAL(p12_encoding_parse(NULL), -1);
}

/* One User-Agent and whether it must get the compatible file whatever the default. */
static const struct agent {
	const char	*ua;
	int		 compatible;
} agents[] = {
	/* Safari, macOS */
	{ "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) "
	  "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 "
	  "Safari/605.1.15", 1 },
	/* Chrome, macOS: the Keychain opens the download */
	{ "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) "
	  "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
	  "Safari/537.36", 1 },
	/* Safari, iPhone */
	{ "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) "
	  "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1.2 "
	  "Mobile/15E148 Safari/604.1", 1 },
	/* Safari, iPad in mobile mode */
	{ "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) "
	  "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 "
	  "Mobile/15E148 Safari/604.1", 1 },
	/* Safari, iPad in desktop mode (the default since iPadOS 13) */
	{ "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) "
	  "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 "
	  "Safari/605.1.15", 1 },
	/* Safari, iPod touch */
	{ "Mozilla/5.0 (iPod touch; CPU iPhone OS 15_7 like Mac OS X) "
	  "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/15.6 "
	  "Mobile/15E148 Safari/604.1", 1 },
	/* Chrome, Android 13 */
	{ "Mozilla/5.0 (Linux; Android 13; SM-S901B) AppleWebKit/537.36 "
	  "(KHTML, like Gecko) Chrome/112.0.0.0 Mobile Safari/537.36", 1 },
	/* Android 12L */
	{ "Mozilla/5.0 (Linux; Android 12.1; Lenovo TB-J716F) "
	  "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/108.0.0.0 "
	  "Safari/537.36", 1 },
	/* Android 4.4 stock browser */
	{ "Mozilla/5.0 (Linux; U; Android 4.4.2; en-us; SCH-I535 "
	  "Build/KOT49H) AppleWebKit/534.30 (KHTML, like Gecko) "
	  "Version/4.0 Mobile Safari/534.30", 1 },
	/* Chrome's reduced User-Agent: "Android 10; K" on every version */
	{ "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 "
	  "(KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36", 1 },
	/* Android without a version */
	{ "Mozilla/5.0 (Linux; Android; Mobile) Gecko", 1 },
	/* Chrome (WebView), Android 14 */
	{ "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UD1A.230803.041; "
	  "wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 "
	  "Chrome/119.0.6045.163 Mobile Safari/537.36", 0 },
	/* Chrome, Android 14, full User-Agent */
	{ "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 "
	  "(KHTML, like Gecko) Chrome/119.0.0.0 Mobile Safari/537.36", 0 },
	/* Firefox, Android 15 */
	{ "Mozilla/5.0 (Android 15; Mobile; rv:133.0) Gecko/133.0 "
	  "Firefox/133.0", 0 },
	/* Edge, Windows 11 */
	{ "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
	  "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 "
	  "Edg/120.0.0.0", 0 },
	/* Firefox, Linux */
	{ "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 "
	  "Firefox/121.0", 0 },
	/* Thunderbird, Windows */
	{ "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:115.0) "
	  "Gecko/20100101 Thunderbird/115.5.2", 0 },
	/* Chrome, ChromeOS */
	{ "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 "
	  "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", 0 },
	{ "curl/7.88.1", 0 },
	{ "", 0 },
	/* garbage */
	{ "Android 99999999999", 1 },
	{ "\xff\xfe\x01Macintos", 0 },
};

static void
test_p12_agents(void)
{
	size_t		 i;
	int		 d;
	char		*huge;
	const size_t	 hugelen = 1 << 20;

	for (i = 0; i < sizeof(agents) / sizeof(agents[0]); i++)
		for (d = 0; d < P12_N_ENCODINGS; d++) {
			if (p12_encoding_for_agent(agents[i].ua, d) !=
			    (agents[i].compatible ? P12_COMPATIBLE :
			    (enum p12_encoding)d))
				fprintf(stderr, "agent %zu: %s\n", i,
				    agents[i].ua);
			CU_ASSERT_EQUAL(p12_encoding_for_agent(agents[i].ua, d),
			    agents[i].compatible ? P12_COMPATIBLE : d);
		}
	CU_ASSERT_EQUAL(p12_encoding_for_agent(NULL, P12_MODERN), P12_MODERN);
	CU_ASSERT_EQUAL(p12_encoding_for_agent(NULL, P12_COMPATIBLE),
	    P12_COMPATIBLE);
	/* A megabyte of "Android " then a version: read in linear time. */
	huge = malloc(hugelen + 16);
	CU_ASSERT_PTR_NOT_NULL_FATAL(huge);
	for (i = 0; i + 8 <= hugelen; i += 8)
		memcpy(huge + i, "Android ", 8);
	strcpy(huge + i, "Android 14");
	CU_ASSERT_EQUAL(p12_encoding_for_agent(huge, P12_MODERN), P12_MODERN);
	memset(huge, 'A', hugelen);
	huge[hugelen] = '\0';
	CU_ASSERT_EQUAL(p12_encoding_for_agent(huge, P12_MODERN), P12_MODERN);
	free(huge);
}

/* Each type gives a key csr.c classifies as that type, with e = 65537 or a named curve. */
static void
test_keygen_types(void)
{
	static const struct {
		enum key_type	 type;
		int		 bits;
		const char	*curve;
	} want[] = {
		{ KEY_RSA2048, 2048, NULL },
		{ KEY_RSA3072, 3072, NULL },
		{ KEY_RSA4096, 4096, NULL },
		{ KEY_EC256, 256, "prime256v1" },
		{ KEY_EC384, 384, "secp384r1" },
	};
	EVP_PKEY	*key;
	BIGNUM		*e;
	char		 s[64];
	size_t		 i;
	int		 bits;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		key = keygen_make(want[i].type);
		CU_ASSERT_PTR_NOT_NULL_FATAL(key);
		bits = 0;
		CU_ASSERT_EQUAL(csr_key_classify(key, &bits), want[i].type);
		CU_ASSERT_EQUAL(bits, want[i].bits);
		if (want[i].curve == NULL) {
			e = NULL;
			CU_ASSERT_TRUE(EVP_PKEY_get_bn_param(key,
			    OSSL_PKEY_PARAM_RSA_E, &e));
			CU_ASSERT_TRUE(e != NULL && BN_is_word(e, 65537));
			BN_free(e);
		} else {
			CU_ASSERT_TRUE(EVP_PKEY_get_utf8_string_param(key,
			    OSSL_PKEY_PARAM_GROUP_NAME, s, sizeof(s), NULL));
			CU_ASSERT_STRING_EQUAL(s, want[i].curve);
			CU_ASSERT_TRUE(EVP_PKEY_get_utf8_string_param(key,
			    OSSL_PKEY_PARAM_EC_ENCODING, s, sizeof(s), NULL));
			CU_ASSERT_STRING_EQUAL(s, OSSL_PKEY_EC_ENCODING_GROUP);
		}
		EVP_PKEY_free(key);
	}
	CU_ASSERT_PTR_NULL(keygen_make(KEY_NONE));
	CU_ASSERT_PTR_NULL(keygen_make(KEY_ALL));
}

static void
test_keygen_parse(void)
{
	CU_ASSERT_EQUAL(keygen_type_parse("rsa2048"), KEY_RSA2048);
	CU_ASSERT_EQUAL(keygen_type_parse("rsa3072"), KEY_RSA3072);
	CU_ASSERT_EQUAL(keygen_type_parse("RSA4096"), KEY_RSA4096);
	CU_ASSERT_EQUAL(keygen_type_parse("ec256"), KEY_EC256);
	CU_ASSERT_EQUAL(keygen_type_parse(" ec384 "), KEY_EC384);
	CU_ASSERT_EQUAL(keygen_type_parse("rsa1024"), KEY_NONE);
	CU_ASSERT_EQUAL(keygen_type_parse("ec521"), KEY_NONE);
	CU_ASSERT_EQUAL(keygen_type_parse("rsa2048,ec256"), KEY_NONE);
	CU_ASSERT_EQUAL(keygen_type_parse("rsa2048,rsa2048"), KEY_NONE);
	CU_ASSERT_EQUAL(keygen_type_parse("rsa2048,"), KEY_NONE);
	CU_ASSERT_EQUAL(keygen_type_parse(""), KEY_NONE);
	CU_ASSERT_EQUAL(keygen_type_parse(NULL), KEY_NONE);
}

static void
register_tests(void)
{
	CU_pSuite	 k = CU_add_suite("keygen", NULL, NULL);
	CU_pSuite	 p = CU_add_suite("p12", setup, teardown);

	if (k == NULL || p == NULL)
		exit(2);
	UNIT_ADD(k, test_keygen_types);
	UNIT_ADD(k, test_keygen_parse);
	UNIT_ADD(p, test_p12_layout);
	UNIT_ADD(p, test_p12_wrong_password);
	UNIT_ADD(p, test_p12_empty_password);
	UNIT_ADD(p, test_p12_no_chain);
	UNIT_ADD(p, test_p12_refuses);
	UNIT_ADD(p, test_p12_names);
	UNIT_ADD(p, test_p12_agents);
}

UNIT_MAIN(register_tests)
