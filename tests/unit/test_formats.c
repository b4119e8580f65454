/*
 * test_formats: the seven download encodings, checked for a self-signed
 * root CA and for an issuing CA below two levels of chain.  Certificates
 * are made here with EC P-256 keys.
 */
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "formats.h"
#include "unit.h"

/* A small PKI: root -> mid -> issuing -> leaf. */
static EVP_PKEY	*k_root, *k_mid, *k_iss, *k_leaf;
static X509	*c_root, *c_mid, *c_iss, *c_leaf;
static unsigned char *leaf_der;
static size_t	 leaf_len;
static char	*pem_root, *pem_iss, *pem_chain;	/* chain: mid, root */

/* Returns a new certificate for key signed by ikey (self-signed when issuer is NULL). */
static X509 *
make_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey,
    int is_ca, long serial)
{
	X509		*x = X509_new();
	X509_NAME	*name = X509_NAME_new();
	X509_EXTENSION	*ext;
	X509V3_CTX	 v3;

	X509_set_version(x, X509_VERSION_3);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints,
	    is_ca ? "critical,CA:TRUE" : "CA:FALSE");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	if (is_ca) {
		ext = X509V3_EXT_conf_nid(NULL, &v3, NID_key_usage,
		    "critical,keyCertSign,cRLSign");
		X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	X509_sign(x, ikey, EVP_sha256());
	X509_NAME_free(name);
	return x;
}

/* Returns the PEM of one certificate (caller frees). */
static char *
to_pem(X509 *x)
{
	BIO	*b = BIO_new(BIO_s_mem());
	char	*data, *s;
	long	 len;

	PEM_write_bio_X509(b, x);
	len = BIO_get_mem_data(b, &data);
	s = strndup(data, (size_t)len);
	BIO_free(b);
	return s;
}

static int
setup(void)
{
	unsigned char	*p = NULL;
	int		 n;
	char		*a, *b;

	k_root = EVP_EC_gen("P-256");
	k_mid = EVP_EC_gen("P-256");
	k_iss = EVP_EC_gen("P-256");
	k_leaf = EVP_EC_gen("P-256");
	if (!k_root || !k_mid || !k_iss || !k_leaf)
		return 1;
	c_root = make_cert("Test Root", k_root, NULL, k_root, 1, 1);
	c_mid = make_cert("Test Mid", k_mid, c_root, k_root, 1, 2);
	c_iss = make_cert("Test Issuing", k_iss, c_mid, k_mid, 1, 3);
	c_leaf = make_cert("www.example.com", k_leaf, c_iss, k_iss, 0, 4);
	if ((n = i2d_X509(c_leaf, &p)) <= 0)
		return 1;
	leaf_der = p;
	leaf_len = (size_t)n;
	pem_root = to_pem(c_root);
	pem_iss = to_pem(c_iss);
	a = to_pem(c_mid);
	b = to_pem(c_root);
	pem_chain = malloc(strlen(a) + strlen(b) + 1);
	strcpy(pem_chain, a);
	strcat(pem_chain, b);
	free(a);
	free(b);
	return 0;
}

static int
teardown(void)
{
	X509_free(c_root);
	X509_free(c_mid);
	X509_free(c_iss);
	X509_free(c_leaf);
	EVP_PKEY_free(k_root);
	EVP_PKEY_free(k_mid);
	EVP_PKEY_free(k_iss);
	EVP_PKEY_free(k_leaf);
	OPENSSL_free(leaf_der);
	free(pem_root);
	free(pem_iss);
	free(pem_chain);
	return 0;
}

/* Reads every certificate of a PEM buffer, in order. */
static STACK_OF(X509) *
read_pem_list(const struct buf *b)
{
	STACK_OF(X509)	*sk = sk_X509_new_null();
	BIO		*bio = BIO_new_mem_buf(b->data, (int)b->len);
	X509		*x;

	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
		sk_X509_push(sk, x);
	BIO_free(bio);
	return sk;
}

/* Asserts that list holds exactly the n certificates of want, in order. */
static void
assert_order(STACK_OF(X509) *list, X509 *const *want, int n)
{
	int	 i;

	CU_ASSERT_EQUAL_FATAL(sk_X509_num(list), n);
	for (i = 0; i < n; i++)
		CU_ASSERT_EQUAL(X509_cmp(sk_X509_value(list, i), want[i]), 0);
}

/* Encodes and reads back a PEM format. */
static void
check_pem(const char *ca, const char *chain, enum cert_format fmt,
    X509 *const *want, int n)
{
	struct buf	 b = { 0 };
	STACK_OF(X509)	*sk;

	CU_ASSERT_FATAL(formats_encode(leaf_der, leaf_len, ca, chain, fmt,
	    &b) == 1);
	CU_ASSERT(strncmp((char *)b.data, "-----BEGIN CERTIFICATE-----",
	    27) == 0);
	sk = read_pem_list(&b);
	assert_order(sk, want, n);
	sk_X509_pop_free(sk, X509_free);
	buf_free(&b);
}

/* Every PEM order, for a root CA: the chain is the root alone. */
static void
test_pem_root_ca(void)
{
	X509 *const	 leaf[] = { c_leaf };
	X509 *const	 ia[] = { c_leaf, c_root };
	X509 *const	 ch[] = { c_root, c_leaf };
	X509 *const	 only[] = { c_root };

	/* c_leaf was issued by c_iss; order checks need no signature. */
	check_pem(pem_root, NULL, FMT_CERT_PEM, leaf, 1);
	check_pem(pem_root, "", FMT_ISSUER_AFTER_PEM, ia, 2);
	check_pem(pem_root, NULL, FMT_CHAIN_PEM, ch, 2);
	check_pem(pem_root, NULL, FMT_CHAIN_ONLY_PEM, only, 1);
	check_pem(pem_root, NULL, FMT_ROOT_FIRST_PEM, only, 1);
}

/* Every PEM order for an issuing CA with an intermediate above it. */
static void
test_pem_intermediate_ca(void)
{
	X509 *const	 leaf[] = { c_leaf };
	X509 *const	 ia[] = { c_leaf, c_iss, c_mid, c_root };
	X509 *const	 ch[] = { c_root, c_mid, c_iss, c_leaf };
	X509 *const	 up[] = { c_iss, c_mid, c_root };
	X509 *const	 down[] = { c_root, c_mid, c_iss };

	check_pem(pem_iss, pem_chain, FMT_CERT_PEM, leaf, 1);
	check_pem(pem_iss, pem_chain, FMT_ISSUER_AFTER_PEM, ia, 4);
	check_pem(pem_iss, pem_chain, FMT_CHAIN_PEM, ch, 4);
	check_pem(pem_iss, pem_chain, FMT_CHAIN_ONLY_PEM, up, 3);
	check_pem(pem_iss, pem_chain, FMT_ROOT_FIRST_PEM, down, 3);
}

/* The issuer-after bundle is a path a verifier accepts with only the root trusted. */
static void
test_issuer_after_verifies(void)
{
	struct buf	 b = { 0 };
	STACK_OF(X509)	*sk, *untrusted;
	X509_STORE	*store = X509_STORE_new();
	X509_STORE_CTX	*ctx = X509_STORE_CTX_new();

	CU_ASSERT_FATAL(formats_encode(leaf_der, leaf_len, pem_iss, pem_chain,
	    FMT_ISSUER_AFTER_PEM, &b) == 1);
	sk = read_pem_list(&b);
	X509_STORE_add_cert(store, c_root);
	untrusted = sk_X509_new_null();
	sk_X509_push(untrusted, sk_X509_value(sk, 1));
	sk_X509_push(untrusted, sk_X509_value(sk, 2));
	X509_STORE_CTX_init(ctx, store, sk_X509_value(sk, 0), untrusted);
	CU_ASSERT_EQUAL(X509_verify_cert(ctx), 1);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	sk_X509_free(untrusted);
	sk_X509_pop_free(sk, X509_free);
	buf_free(&b);
}

/* Reads the certificates of a certs-only PKCS#7 and checks its shape. */
static void
check_p7(PKCS7 *p7, X509 *const *want, int n)
{
	STACK_OF(X509)	*certs;

	CU_ASSERT_FATAL(p7 != NULL);
	CU_ASSERT(PKCS7_type_is_signed(p7));
	CU_ASSERT(PKCS7_get_detached(p7) == 1);
	CU_ASSERT_EQUAL(sk_PKCS7_SIGNER_INFO_num(PKCS7_get_signer_info(p7)),
	    0);
	certs = p7->d.sign->cert;
	assert_order(certs, want, n);
}

/* PKCS#7 DER and PEM carry leaf then chain. */
static void
test_pkcs7(void)
{
	X509 *const		 all[] = { c_leaf, c_iss, c_mid, c_root };
	struct buf		 b = { 0 };
	const unsigned char	*p;
	PKCS7			*p7;
	BIO			*bio;

	CU_ASSERT_FATAL(formats_encode(leaf_der, leaf_len, pem_iss, pem_chain,
	    FMT_PKCS7_DER, &b) == 1);
	CU_ASSERT_EQUAL(b.data[0], 0x30);
	p = b.data;
	p7 = d2i_PKCS7(NULL, &p, (long)b.len);
	CU_ASSERT(p == b.data + b.len);
	check_p7(p7, all, 4);
	PKCS7_free(p7);
	buf_free(&b);

	CU_ASSERT_FATAL(formats_encode(leaf_der, leaf_len, pem_iss, pem_chain,
	    FMT_PKCS7_PEM, &b) == 1);
	CU_ASSERT(strncmp((char *)b.data, "-----BEGIN PKCS7-----", 21) == 0);
	bio = BIO_new_mem_buf(b.data, (int)b.len);
	p7 = PEM_read_bio_PKCS7(bio, NULL, NULL, NULL);
	check_p7(p7, all, 4);
	PKCS7_free(p7);
	BIO_free(bio);
	buf_free(&b);
}

/* Malformed input fails cleanly and leaves no buffer behind. */
static void
test_bad_input(void)
{
	struct buf	 b = { 0 };
	unsigned char	 junk[] = { 0x30, 0x03, 0x02, 0x01, 0x01 };

	CU_ASSERT_EQUAL(formats_encode(junk, sizeof(junk), pem_root, NULL,
	    FMT_CERT_PEM, &b), 0);
	CU_ASSERT_PTR_NULL(b.data);
	CU_ASSERT_EQUAL(formats_encode(leaf_der, leaf_len, "not a pem", NULL,
	    FMT_CERT_PEM, &b), 0);
	CU_ASSERT_EQUAL(formats_encode(leaf_der, leaf_len - 1, pem_root, NULL,
	    FMT_CERT_PEM, &b), 0);
	CU_ASSERT_EQUAL(formats_encode(leaf_der, leaf_len, pem_root,
	    "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
	    FMT_CHAIN_PEM, &b), 0);
	CU_ASSERT_EQUAL(formats_encode(leaf_der, leaf_len, pem_root, NULL,
	    FMT__COUNT, &b), 0);
	CU_ASSERT_PTR_NULL(b.data);
}

/* Keys, labels, types and file names the collection page relies on. */
static void
test_names(void)
{
	char	 name[128];
	int	 i;

	CU_ASSERT_EQUAL(formats_lookup("x509CO"), FMT_CERT_PEM);
	CU_ASSERT_EQUAL(formats_lookup("bin"), FMT_PKCS7_DER);
	CU_ASSERT_EQUAL(formats_lookup("x509IO"), FMT_ROOT_FIRST_PEM);
	CU_ASSERT_EQUAL(formats_lookup("x509IOR"), FMT_CHAIN_ONLY_PEM);
	CU_ASSERT_EQUAL(formats_lookup("X509CO"), -1);
	CU_ASSERT_EQUAL(formats_lookup(NULL), -1);
	for (i = 0; i < FMT__COUNT; i++)
		CU_ASSERT_EQUAL(formats_lookup(formats_info(i)->key), i);
	CU_ASSERT_PTR_NULL(formats_info(FMT__COUNT));
	CU_ASSERT_STRING_EQUAL(formats_info(FMT_PKCS7_DER)->content_type,
	    "application/x-pkcs7-certificates");
	formats_filename("www.example.com", FMT_PKCS7_DER, name, sizeof(name));
	CU_ASSERT_STRING_EQUAL(name, "www_example_com.p7b");
	formats_filename("*.example.com", FMT_ISSUER_AFTER_PEM, name,
	    sizeof(name));
	CU_ASSERT_STRING_EQUAL(name, "STAR_example_com.pem");
	formats_filename("", FMT_CERT_PEM, name, sizeof(name));
	CU_ASSERT_STRING_EQUAL(name, "certificate_cert.cer");
	formats_filename("a\"b/c", FMT_PKCS7_PEM, name, sizeof(name));
	CU_ASSERT_STRING_EQUAL(name, "a_b_c.crt");
}

static void
register_tests(void)
{
	CU_pSuite	 s = CU_add_suite("formats", setup, teardown);

	UNIT_ADD(s, test_pem_root_ca);
	UNIT_ADD(s, test_pem_intermediate_ca);
	UNIT_ADD(s, test_issuer_after_verifies);
	UNIT_ADD(s, test_pkcs7);
	UNIT_ADD(s, test_bad_input);
	UNIT_ADD(s, test_names);
}

UNIT_MAIN(register_tests)
