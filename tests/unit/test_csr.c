/* test_csr: PKCS#10 parsing and checks, on requests generated here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "csr.h"
#include "log.h"
#include "unit.h"

static EVP_PKEY	*k_rsa1024, *k_rsa2048, *k_rsa3072, *k_rsa4096, *k_ec256, *k_ec384,
		*k_ec521, *k_k256;

/* What a test request should carry; NULL fields are left out. */
struct reqspec {
	const char	*cn;
	size_t		 cnlen;		/* 0: strlen(cn) */
	const char	*email;
	const char	*san;		/* X509V3 config syntax: "DNS:a,IP:1.2.3.4" */
	const char	*challenge;
	long		 version;	/* stored version field; 0 is v1 */
};

/* Returns a signed request for key as described by s; caller frees. */
static X509_REQ *
make_req(EVP_PKEY *key, const struct reqspec *s)
{
	X509_REQ			*req;
	X509_NAME			*name;
	X509_EXTENSION			*ext;
	STACK_OF(X509_EXTENSION)	*exts;

	CU_ASSERT_FATAL((req = X509_REQ_new()) != NULL);
	CU_ASSERT_FATAL(X509_REQ_set_version(req, s->version));
	name = X509_REQ_get_subject_name(req);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
	    (const unsigned char *)"Example Org", -1, -1, 0);
	/*
	 * V_ASN1_UTF8STRING instead of MBSTRING_UTF8 skips OpenSSL's own
	 * length limit, so the test can build what a hostile client sends.
	 */
	if (s->cn != NULL)
		CU_ASSERT_FATAL(X509_NAME_add_entry_by_NID(name,
		    NID_commonName, V_ASN1_UTF8STRING,
		    (const unsigned char *)s->cn,
		    s->cnlen ? (int)s->cnlen : -1, -1, 0));
	if (s->email != NULL)
		CU_ASSERT_FATAL(X509_NAME_add_entry_by_NID(name,
		    NID_pkcs9_emailAddress, MBSTRING_ASC,
		    (const unsigned char *)s->email, -1, -1, 0));
	if (s->san != NULL) {
		CU_ASSERT_FATAL((exts = sk_X509_EXTENSION_new_null()) != NULL);
		ext = X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name,
		    s->san);
		CU_ASSERT_FATAL(ext != NULL);
		sk_X509_EXTENSION_push(exts, ext);
		CU_ASSERT_FATAL(X509_REQ_add_extensions(req, exts));
		sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	}
	if (s->challenge != NULL)
		CU_ASSERT_FATAL(X509_REQ_add1_attr_by_NID(req,
		    NID_pkcs9_challengePassword, MBSTRING_ASC,
		    (const unsigned char *)s->challenge, -1));
	CU_ASSERT_FATAL(X509_REQ_set_pubkey(req, key));
	CU_ASSERT_FATAL(X509_REQ_sign(req, key, EVP_sha256()) > 0);
	return req;
}

/* Returns the DER of a request built from s in a malloc'ed buffer; caller frees. */
static unsigned char *
make_der(EVP_PKEY *key, const struct reqspec *s, size_t *len)
{
	X509_REQ	*req = make_req(key, s);
	unsigned char	*der = NULL, *copy;
	int		 n;

	n = i2d_X509_REQ(req, &der);
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_FATAL((copy = malloc((size_t)n)) != NULL);
	memcpy(copy, der, (size_t)n);
	OPENSSL_free(der);
	X509_REQ_free(req);
	*len = (size_t)n;
	return copy;
}

/* Returns the PEM of the same request as a malloc'ed string; caller frees. */
static char *
der_to_pem(const unsigned char *der, size_t len)
{
	const unsigned char	*p = der;
	X509_REQ		*req;
	BIO			*bio;
	BUF_MEM			*mem;
	char			*s;

	CU_ASSERT_FATAL((req = d2i_X509_REQ(NULL, &p, (long)len)) != NULL);
	CU_ASSERT_FATAL((bio = BIO_new(BIO_s_mem())) != NULL);
	CU_ASSERT_FATAL(PEM_write_bio_X509_REQ(bio, req));
	BIO_get_mem_ptr(bio, &mem);
	CU_ASSERT_FATAL((s = strndup(mem->data, mem->length)) != NULL);
	BIO_free(bio);
	X509_REQ_free(req);
	return s;
}

/* Parses a fresh request for key and returns the result (caller frees). */
static struct csr *
parse_spec(EVP_PKEY *key, const struct reqspec *s, char *err, size_t errlen)
{
	unsigned char	*der;
	size_t		 len;
	struct csr	*c;

	der = make_der(key, s, &len);
	c = csr_parse(der, len, err, errlen);
	free(der);
	return c;
}

static int
suite_init(void)
{
	log_quiet(1);
	k_rsa1024 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	k_rsa2048 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	k_rsa3072 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072);
	k_rsa4096 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)4096);
	k_ec256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	k_ec384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	k_ec521 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
	k_k256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp256k1");
	return k_rsa1024 && k_rsa2048 && k_rsa3072 && k_rsa4096 && k_ec256 && k_ec384 &&
	    k_ec521 && k_k256 ? 0 : 1;
}

static int
suite_clean(void)
{
	EVP_PKEY_free(k_rsa1024);
	EVP_PKEY_free(k_rsa2048);
	EVP_PKEY_free(k_rsa3072);
	EVP_PKEY_free(k_rsa4096);
	EVP_PKEY_free(k_ec256);
	EVP_PKEY_free(k_ec384);
	EVP_PKEY_free(k_ec521);
	EVP_PKEY_free(k_k256);
	return 0;
}

static void
test_supported_keys(void)
{
	static const struct reqspec s = { .cn = "www.example.com" };
	struct {
		EVP_PKEY	**key;
		enum key_type	  type;
		int		  bits;
	} cases[] = {
		{ &k_rsa2048, KEY_RSA2048, 2048 },
		{ &k_rsa3072, KEY_RSA3072, 3072 },
		{ &k_rsa4096, KEY_RSA4096, 4096 },
		{ &k_ec256, KEY_EC256, 256 },
		{ &k_ec384, KEY_EC384, 384 },
	};
	char		 err[256];
	struct csr	*c;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		c = parse_spec(*cases[i].key, &s, err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		CU_ASSERT_EQUAL(c->key_type, cases[i].type);
		CU_ASSERT_EQUAL(c->key_bits, cases[i].bits);
		CU_ASSERT_PTR_NOT_NULL(c->pkey);
		CU_ASSERT_STRING_EQUAL(c->cn, "www.example.com");
		csr_free(c);
	}
}

static void
test_weak_keys_rejected(void)
{
	static const struct reqspec s = { .cn = "www.example.com" };
	char		 err[256];
	int		 bits;

	err[0] = '\0';
	CU_ASSERT_PTR_NULL(parse_spec(k_rsa1024, &s, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "at least 2048 bits"));

	err[0] = '\0';
	CU_ASSERT_PTR_NULL(parse_spec(k_ec521, &s, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "P-256 or P-384"));

	err[0] = '\0';
	CU_ASSERT_PTR_NULL(parse_spec(k_k256, &s, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "P-256 or P-384"));

	/* The classifier reports the size even when it refuses the key. */
	CU_ASSERT_EQUAL(csr_key_classify(k_rsa1024, &bits), KEY_NONE);
	CU_ASSERT_EQUAL(bits, 1024);
	CU_ASSERT_EQUAL(csr_key_classify(k_ec521, &bits), KEY_NONE);
	CU_ASSERT_EQUAL(bits, 521);
	CU_ASSERT_EQUAL(csr_key_classify(k_k256, &bits), KEY_NONE);
	CU_ASSERT_EQUAL(bits, 256);
	CU_ASSERT_EQUAL(csr_key_classify(k_ec384, &bits), KEY_EC384);
}

static void
test_bad_signature_rejected(void)
{
	static const struct reqspec s = { .cn = "www.example.com" };
	EVP_PKEY	*keys[] = { k_rsa2048, k_ec256 };
	unsigned char	*der;
	size_t		 len, i;
	char		 err[256];
	struct csr	*c;

	for (i = 0; i < 2; i++) {
		der = make_der(keys[i], &s, &len);
		/* The signature BIT STRING is the last field of the DER. */
		der[len - 1] ^= 0x01;
		err[0] = '\0';
		c = csr_parse(der, len, err, sizeof(err));
		CU_ASSERT_PTR_NULL(c);
		CU_ASSERT_STRING_EQUAL(err, "The CSR signature does not verify");
		csr_free(c);
		free(der);
	}
}

static void
test_subject_tampering_rejected(void)
{
	static const struct reqspec s = { .cn = "www.example.com" };
	unsigned char	*der, *p;
	size_t		 len;
	char		 err[256];

	/* Change the signed CN; the signature must catch it. */
	der = make_der(k_ec256, &s, &len);
	p = memmem(der, len, "www.example.com", 15);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	p[0] = 'x';
	err[0] = '\0';
	CU_ASSERT_PTR_NULL(csr_parse(der, len, err, sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err, "The CSR signature does not verify");
	free(der);
}

static void
test_malformed_rejected(void)
{
	static const struct reqspec s = { .cn = "www.example.com" };
	static const char garbage[] = "hello, this is not a CSR at all";
	static const char badpem[] = "-----BEGIN CERTIFICATE REQUEST-----\n"
	    "bm90IGEgcmVxdWVzdA==\n-----END CERTIFICATE REQUEST-----\n";
	unsigned char	*der, *junk;
	size_t		 len, cut;
	char		 err[256];

	der = make_der(k_ec256, &s, &len);

	for (cut = 1; cut < len; cut += 7) {
		err[0] = '\0';
		CU_ASSERT_PTR_NULL(csr_parse(der, len - cut, err, sizeof(err)));
		CU_ASSERT(err[0] != '\0');
	}

	CU_ASSERT_FATAL((junk = malloc(len + 1)) != NULL);
	memcpy(junk, der, len);
	junk[len] = 0;
	err[0] = '\0';
	CU_ASSERT_PTR_NULL(csr_parse(junk, len + 1, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "after the request"));
	free(junk);

	err[0] = '\0';
	CU_ASSERT_PTR_NULL(csr_parse(garbage, sizeof(garbage) - 1, err,
	    sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err,
	    "The CSR is not a valid PEM or DER PKCS#10 request");

	err[0] = '\0';
	CU_ASSERT_PTR_NULL(csr_parse(badpem, sizeof(badpem) - 1, err,
	    sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err,
	    "The CSR is not a valid PEM or DER PKCS#10 request");

	err[0] = '\0';
	CU_ASSERT_PTR_NULL(csr_parse("", 0, err, sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err, "The CSR is empty");
	CU_ASSERT_PTR_NULL(csr_parse(NULL, 0, NULL, 0));

	free(der);
}

static void
test_private_key_pasted(void)
{
	BIO	*bio;
	BUF_MEM	*mem;
	char	 err[256];

	CU_ASSERT_FATAL((bio = BIO_new(BIO_s_mem())) != NULL);
	CU_ASSERT_FATAL(PEM_write_bio_PrivateKey(bio, k_ec256, NULL, NULL, 0,
	    NULL, NULL));
	BIO_get_mem_ptr(bio, &mem);
	err[0] = '\0';
	CU_ASSERT_PTR_NULL(csr_parse(mem->data, mem->length, err,
	    sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "private key"));
	BIO_free(bio);
}

static void
test_pem_and_der_agree(void)
{
	static const struct reqspec s = {
		.cn = "www.example.com",
		.email = "hostmaster@example.com",
		.san = "DNS:www.example.com,DNS:example.com,"
		    "email:ops@example.com,IP:192.0.2.7,IP:2001:db8::1",
		.challenge = "s3cret-code",
	};
	unsigned char	*der;
	char		*pem, *old, *body, err[256], h1[65], h2[65];
	size_t		 len, i;
	struct csr	*a, *b, *o, *u;

	der = make_der(k_rsa2048, &s, &len);
	pem = der_to_pem(der, len);
	a = csr_parse(der, len, err, sizeof(err));
	b = csr_parse(pem, strlen(pem), err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_STRING_EQUAL(a->subject, b->subject);
	CU_ASSERT_STRING_EQUAL(a->cn, b->cn);
	CU_ASSERT_STRING_EQUAL(a->email, b->email);
	CU_ASSERT_STRING_EQUAL(a->challenge, b->challenge);
	CU_ASSERT_EQUAL(a->key_type, b->key_type);
	CU_ASSERT_EQUAL_FATAL(a->ndns, b->ndns);
	for (i = 0; i < a->ndns; i++)
		CU_ASSERT_STRING_EQUAL(a->dns[i], b->dns[i]);
	CU_ASSERT_EQUAL_FATAL(a->nips, b->nips);
	for (i = 0; i < a->nips; i++)
		CU_ASSERT_STRING_EQUAL(a->ips[i], b->ips[i]);
	CU_ASSERT_EQUAL_FATAL(a->der_len, b->der_len);
	CU_ASSERT(memcmp(a->der, b->der, a->der_len) == 0);
	CU_ASSERT(a->der_len == len && memcmp(a->der, der, len) == 0);
	CU_ASSERT(csr_pubkey_sha256(a, h1) && csr_pubkey_sha256(b, h2));
	CU_ASSERT_STRING_EQUAL(h1, h2);

	/* Older tools write "NEW CERTIFICATE REQUEST". */
	CU_ASSERT_FATAL((old = malloc(strlen(pem) + 16)) != NULL);
	body = strstr(pem, "\n") + 1;
	snprintf(old, strlen(pem) + 16,
	    "-----BEGIN NEW CERTIFICATE REQUEST-----\n%.*s"
	    "-----END NEW CERTIFICATE REQUEST-----\n",
	    (int)(strstr(pem, "-----END") - body), body);
	o = csr_parse(old, strlen(old), err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(o);
	if (o != NULL)
		CU_ASSERT_STRING_EQUAL(o->cn, "www.example.com");

	/* The base64 body alone, as people sometimes paste it. */
	*strstr(body, "-----END") = '\0';
	u = csr_parse(body, strlen(body), err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(u);
	if (u != NULL)
		CU_ASSERT_STRING_EQUAL(u->subject, a->subject);

	csr_free(a);
	csr_free(b);
	csr_free(o);
	csr_free(u);
	free(old);
	free(pem);
	free(der);
}

static void
test_fields_extracted(void)
{
	static const struct reqspec s = {
		.cn = "www.example.com",
		.email = "hostmaster@example.com",
		.san = "DNS:www.example.com,DNS:*.example.com,"
		    "email:ops@example.com,IP:192.0.2.7,IP:2001:db8::1,"
		    "URI:https://example.com/",
		.challenge = "s3cret-code",
	};
	char		 err[256];
	struct csr	*c;

	c = parse_spec(k_ec256, &s, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(c->subject,
	    "emailAddress=hostmaster@example.com,CN=www.example.com,"
	    "O=Example Org");
	CU_ASSERT_STRING_EQUAL(c->cn, "www.example.com");
	CU_ASSERT_STRING_EQUAL(c->email, "hostmaster@example.com");
	CU_ASSERT_EQUAL_FATAL(c->ndns, 2);
	CU_ASSERT_STRING_EQUAL(c->dns[0], "www.example.com");
	CU_ASSERT_STRING_EQUAL(c->dns[1], "*.example.com");
	CU_ASSERT_EQUAL_FATAL(c->nemails, 1);
	CU_ASSERT_STRING_EQUAL(c->emails[0], "ops@example.com");
	CU_ASSERT_EQUAL_FATAL(c->nips, 2);
	CU_ASSERT_STRING_EQUAL(c->ips[0], "192.0.2.7");
	CU_ASSERT_STRING_EQUAL(c->ips[1], "2001:db8::1");
	CU_ASSERT_STRING_EQUAL(c->challenge, "s3cret-code");
	csr_free(c);
}

static void
test_no_optional_fields(void)
{
	static const struct reqspec s = { .cn = NULL };
	char		 err[256];
	struct csr	*c;

	c = parse_spec(k_ec256, &s, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NULL(c->cn);
	CU_ASSERT_PTR_NULL(c->email);
	CU_ASSERT_PTR_NULL(c->challenge);
	CU_ASSERT_EQUAL(c->ndns + c->nemails + c->nips, 0);
	CU_ASSERT_STRING_EQUAL(c->subject, "O=Example Org");
	csr_free(c);
}

static void
test_empty_subject_and_pem_lookalike(void)
{
	static const struct reqspec s = { .cn = NULL,
	    .san = "DNS:-----BEGIN.example.com" };
	X509_REQ	*req;
	char		 err[256];
	struct csr	*c;

	/* Devices often put every name in the SANs and leave the subject empty. */
	req = make_req(k_ec256, &s);
	X509_NAME_ENTRY_free(X509_NAME_delete_entry(
	    X509_REQ_get_subject_name(req), 0));
	CU_ASSERT_FATAL(X509_REQ_sign(req, k_ec256, EVP_sha256()) > 0);
	c = csr_from_req(req, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(c->subject, "");
	csr_free(c);

	/* DER whose fields contain PEM armour text is still read as DER. */
	c = parse_spec(k_ec256, &s, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL_FATAL(c->ndns, 1);
	CU_ASSERT_STRING_EQUAL(c->dns[0], "-----BEGIN.example.com");
	csr_free(c);
}

static void
test_cn_limits(void)
{
	char		 cn[80], err[256];
	struct reqspec	 s = { .cn = cn };
	struct csr	*c;

	/* 64 characters pass, even when some take two bytes in UTF-8. */
	memset(cn, 'a', 64);
	cn[64] = '\0';
	c = parse_spec(k_ec256, &s, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(c);
	csr_free(c);
	memcpy(cn, "\xc3\xa9", 2);
	memset(cn + 2, 'a', 63);
	cn[65] = '\0';
	c = parse_spec(k_ec256, &s, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(c);
	csr_free(c);

	memset(cn, 'a', 65);
	cn[65] = '\0';
	err[0] = '\0';
	CU_ASSERT_PTR_NULL(parse_spec(k_ec256, &s, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "longer than 64"));

	/* "evil.com\0.example.com" must not be read as one name or another. */
	s.cn = "evil.com\0.example.com";
	s.cnlen = 21;
	err[0] = '\0';
	CU_ASSERT_PTR_NULL(parse_spec(k_ec256, &s, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "NUL"));
}

static void
test_nul_in_san_rejected(void)
{
	X509_REQ			*req;
	GENERAL_NAMES			*gens;
	GENERAL_NAME			*g;
	ASN1_IA5STRING			*ia5;
	STACK_OF(X509_EXTENSION)	*exts = NULL;
	unsigned char			*der = NULL;
	char				 err[256];
	int				 n;

	/* Built by hand: the config syntax cannot express an embedded NUL. */
	CU_ASSERT_FATAL((req = X509_REQ_new()) != NULL);
	gens = GENERAL_NAMES_new();
	g = GENERAL_NAME_new();
	ia5 = ASN1_IA5STRING_new();
	CU_ASSERT_FATAL(gens && g && ia5);
	CU_ASSERT_FATAL(ASN1_STRING_set(ia5, "evil.com\0.example.com", 21));
	GENERAL_NAME_set0_value(g, GEN_DNS, ia5);
	sk_GENERAL_NAME_push(gens, g);
	CU_ASSERT_FATAL(X509V3_add1_i2d(&exts, NID_subject_alt_name, gens, 0,
	    X509V3_ADD_DEFAULT) == 1);
	CU_ASSERT_FATAL(X509_REQ_add_extensions(req, exts));
	CU_ASSERT_FATAL(X509_REQ_set_pubkey(req, k_ec256));
	CU_ASSERT_FATAL(X509_REQ_sign(req, k_ec256, EVP_sha256()) > 0);
	n = i2d_X509_REQ(req, &der);
	CU_ASSERT_FATAL(n > 0);
	err[0] = '\0';
	CU_ASSERT_PTR_NULL(csr_parse(der, (size_t)n, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "NUL"));
	OPENSSL_free(der);
	GENERAL_NAMES_free(gens);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_REQ_free(req);
}

/*
 * Returns a SAN config string (caller frees) with n DNS names, each with
 * `labels` extra 63-character labels to make the request large.
 */
static char *
many_sans(size_t n, size_t labels)
{
	char	 label[64], *s;
	size_t	 i, j, cap = n * (labels * 64 + 40) + 1, len = 0;

	memset(label, 'a', 63);
	label[63] = '\0';
	CU_ASSERT_FATAL((s = malloc(cap)) != NULL);
	s[0] = '\0';
	for (i = 0; i < n; i++) {
		len += (size_t)snprintf(s + len, cap - len, "%sDNS:h%zu",
		    i ? "," : "", i);
		for (j = 0; j < labels; j++)
			len += (size_t)snprintf(s + len, cap - len, ".%s",
			    label);
		len += (size_t)snprintf(s + len, cap - len, ".example.com");
	}
	return s;
}

static void
test_san_count_and_size_limits(void)
{
	char		*sans, err[256];
	struct reqspec	 s = { .cn = "www.example.com" };
	struct csr	*c;
	unsigned char	*der;
	size_t		 len;

	sans = many_sans(100, 0);
	s.san = sans;
	c = parse_spec(k_ec256, &s, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(c);
	if (c != NULL)
		CU_ASSERT_EQUAL(c->ndns, 100);
	csr_free(c);
	free(sans);

	sans = many_sans(101, 0);
	s.san = sans;
	err[0] = '\0';
	CU_ASSERT_PTR_NULL(parse_spec(k_ec256, &s, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "more than 100"));
	free(sans);

	/* A well-formed request over 32 KiB is refused for its size alone. */
	sans = many_sans(99, 6);
	s.san = sans;
	der = make_der(k_ec256, &s, &len);
	CU_ASSERT(len > CSR_MAX_BYTES);
	err[0] = '\0';
	CU_ASSERT_PTR_NULL(csr_parse(der, len, err, sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err, "The CSR is larger than 32 KiB");
	/* The same through csr_from_req, which SCEP uses. */
	{
		const unsigned char	*p = der;
		X509_REQ		*req = d2i_X509_REQ(NULL, &p, (long)len);

		CU_ASSERT_PTR_NOT_NULL_FATAL(req);
		err[0] = '\0';
		CU_ASSERT_PTR_NULL(csr_from_req(req, err, sizeof(err)));
		CU_ASSERT_STRING_EQUAL(err, "The CSR is larger than 32 KiB");
	}
	free(der);
	free(sans);
}

static void
test_oversize_input_rejected(void)
{
	unsigned char	*blob;
	char		 err[256];

	CU_ASSERT_FATAL((blob = calloc(1, CSR_MAX_BYTES + 1)) != NULL);
	blob[0] = 0x30;
	err[0] = '\0';
	CU_ASSERT_PTR_NULL(csr_parse(blob, CSR_MAX_BYTES + 1, err,
	    sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err, "The CSR is larger than 32 KiB");
	free(blob);
}

static void
test_wrong_version_tolerated(void)
{
	static const struct reqspec s = { .cn = "dev1.example.com",
	    .version = 1 };
	char		 err[256] = "";
	struct csr	*c;

	c = parse_spec(k_ec256, &s, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(c);
	if (c != NULL)
		CU_ASSERT_EQUAL(X509_REQ_get_version(c->req), 1);
	csr_free(c);
}

static void
test_from_req(void)
{
	static const struct reqspec s = { .cn = "dev1.example.com",
	    .challenge = "abc" };
	X509_REQ	*req;
	char		 err[256];
	struct csr	*c;

	req = make_req(k_ec384, &s);
	c = csr_from_req(req, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_EQUAL(c->req, req);
	CU_ASSERT_EQUAL(c->key_type, KEY_EC384);
	CU_ASSERT_STRING_EQUAL(c->challenge, "abc");
	csr_free(c);

	/* Ownership passes even when the request is refused. */
	req = make_req(k_rsa1024, &s);
	err[0] = '\0';
	CU_ASSERT_PTR_NULL(csr_from_req(req, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "at least 2048"));
	CU_ASSERT_PTR_NULL(csr_from_req(NULL, err, sizeof(err)));
}

static void
test_pubkey_sha256(void)
{
	static const struct reqspec s = { .cn = "dev1.example.com" };
	unsigned char	*spki = NULL, md[32];
	char		 hex[65], want[65], err[256];
	int		 n, i;
	struct csr	*a, *b;

	a = parse_spec(k_ec256, &s, err, sizeof(err));
	b = parse_spec(k_ec384, &s, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	n = i2d_PUBKEY(k_ec256, &spki);
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_FATAL(EVP_Digest(spki, (size_t)n, md, NULL, EVP_sha256(),
	    NULL));
	for (i = 0; i < 32; i++)
		snprintf(want + 2 * i, 3, "%02x", md[i]);
	CU_ASSERT_TRUE(csr_pubkey_sha256(a, hex));
	CU_ASSERT_STRING_EQUAL(hex, want);
	CU_ASSERT_TRUE(csr_pubkey_sha256(b, hex));
	CU_ASSERT_STRING_NOT_EQUAL(hex, want);
	OPENSSL_free(spki);
	csr_free(a);
	csr_free(b);
}

static void
test_key_type_names(void)
{
	CU_ASSERT_STRING_EQUAL(key_type_name(KEY_RSA2048), "RSA 2048");
	CU_ASSERT_STRING_EQUAL(key_type_name(KEY_RSA3072), "RSA 3072");
	CU_ASSERT_STRING_EQUAL(key_type_name(KEY_RSA4096), "RSA 4096");
	CU_ASSERT_STRING_EQUAL(key_type_name(KEY_EC256), "EC P-256");
	CU_ASSERT_STRING_EQUAL(key_type_name(KEY_EC384), "EC P-384");

	CU_ASSERT_EQUAL(key_types_parse("rsa2048,ec256"),
	    KEY_RSA2048 | KEY_EC256);
	CU_ASSERT_EQUAL(key_types_parse(" RSA4096 , ec384,rsa3072"),
	    KEY_RSA4096 | KEY_EC384 | KEY_RSA3072);
	CU_ASSERT_EQUAL(key_types_parse("rsa2048,rsa3072,rsa4096,ec256,ec384"),
	    KEY_ALL);
	CU_ASSERT_EQUAL(key_types_parse("rsa1024"), 0);
	CU_ASSERT_EQUAL(key_types_parse("rsa2048,ec521"), 0);
	CU_ASSERT_EQUAL(key_types_parse("rsa2048,,ec256"), 0);
	CU_ASSERT_EQUAL(key_types_parse(""), 0);
	CU_ASSERT_EQUAL(key_types_parse(NULL), 0);
}

/*
 * A second emailAddress would reach an S/MIME certificate unchecked
 * (policy looks at one), so such requests are refused outright.  A second
 * CN is kept out of every certificate by policy_subject, which copies the
 * first CN only: the request passes and names the first CN.
 */
static void
test_duplicate_subject_names(void)
{
	X509_REQ	*req;
	unsigned char	*der = NULL;
	char		 err[256];
	struct csr	*c;
	int		 n;
	static const char *const dup_fields[] = { "CN", "emailAddress" };
	size_t		 i;

	for (i = 0; i < 2; i++) {
		struct reqspec	 rs = { "dev1.example.com", 0,
		    "a@example.com", NULL, NULL, 0 };

		req = make_req(k_ec256, &rs);
		X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(req),
		    dup_fields[i], MBSTRING_ASC,
		    (const unsigned char *)(i == 0 ? "www.victim.test" :
		    "ceo@victim.test"), -1, -1, 0);
		CU_ASSERT_FATAL(X509_REQ_sign(req, k_ec256, EVP_sha256()) > 0);
		n = i2d_X509_REQ(req, &der);
		CU_ASSERT_FATAL(n > 0);
		err[0] = '\0';
		c = csr_parse(der, (size_t)n, err, sizeof(err));
		if (i == 0) {
			CU_ASSERT_PTR_NOT_NULL(c);
			if (c != NULL)
				CU_ASSERT_STRING_EQUAL(c->cn,
				    "dev1.example.com");
		} else {
			CU_ASSERT_PTR_NULL(c);
			CU_ASSERT_PTR_NOT_NULL(strstr(err, "more than one"));
		}
		csr_free(c);
		OPENSSL_free(der);
		der = NULL;
		X509_REQ_free(req);
	}
}

/*
 * One trailing dot of a host name is removed when the names are read, so
 * every program checks and certifies "www.example.com"; two dots stay
 * (and fail policy), and a person's name keeps its dot.
 */
static void
test_trailing_dot_normalised(void)
{
	static const struct reqspec s = {
		.cn = "WWW.example.com.",
		.san = "DNS:www.example.com.,DNS:api.example.com..,"
		    "DNS:*.example.com.",
	};
	static const struct reqspec person = { .cn = "Smith Jr." };
	static const struct reqspec two = { .cn = "www.example.com.." };
	char		 err[256];
	struct csr	*c;

	c = parse_spec(k_ec256, &s, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(c->cn, "WWW.example.com");
	CU_ASSERT_EQUAL_FATAL(c->ndns, 3);
	CU_ASSERT_STRING_EQUAL(c->dns[0], "www.example.com");
	CU_ASSERT_STRING_EQUAL(c->dns[1], "api.example.com..");
	CU_ASSERT_STRING_EQUAL(c->dns[2], "*.example.com");
	csr_free(c);
	c = parse_spec(k_ec256, &person, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(c->cn, "Smith Jr.");
	csr_free(c);
	c = parse_spec(k_ec256, &two, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(c->cn, "www.example.com..");
	csr_free(c);
}

/*
 * RFC 5480 requires a named curve; OpenSSL maps explicit parameters that
 * equal P-256 to the name prime256v1, so only the encoding tells.
 */
static void
test_explicit_ec_params_rejected(void)
{
	static const struct reqspec s = { .cn = "www.example.com" };
	EVP_PKEY		*k;
	X509_REQ		*req;
	X509_ALGOR		*alg = NULL;
	const void		*pval;
	unsigned char		*der = NULL;
	char			 err[256];
	struct csr		*c;
	int			 n, ptype = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(k = EVP_PKEY_dup(k_ec256));
	CU_ASSERT_FATAL(EVP_PKEY_set_utf8_string_param(k,
	    OSSL_PKEY_PARAM_EC_ENCODING, OSSL_PKEY_EC_ENCODING_EXPLICIT));
	req = make_req(k, &s);
	/* The fixture really carries explicit parameters. */
	CU_ASSERT_FATAL(X509_PUBKEY_get0_param(NULL, NULL, NULL, &alg,
	    X509_REQ_get_X509_PUBKEY(req)) == 1);
	X509_ALGOR_get0(NULL, &ptype, &pval, alg);
	CU_ASSERT_EQUAL_FATAL(ptype, V_ASN1_SEQUENCE);
	n = i2d_X509_REQ(req, &der);
	CU_ASSERT_FATAL(n > 0);
	err[0] = '\0';
	c = csr_parse(der, (size_t)n, err, sizeof(err));
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "named curve"));
	csr_free(c);
	/* The same key with its curve named is fine. */
	c = parse_spec(k_ec256, &s, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(c);
	CU_ASSERT_EQUAL(c != NULL ? c->key_type : KEY_NONE, KEY_EC256);
	csr_free(c);
	OPENSSL_free(der);
	X509_REQ_free(req);
	EVP_PKEY_free(k);
}

/* Returns the DER of a request for key signed with md (malloc'ed; caller frees). */
static unsigned char *
signed_with(EVP_PKEY *key, const EVP_MD *md, size_t *len)
{
	static const struct reqspec s = { .cn = "www.example.com" };
	X509_REQ	*req = make_req(key, &s);
	unsigned char	*der = NULL, *copy;
	int		 n;

	CU_ASSERT_FATAL(X509_REQ_sign(req, key, md) > 0);
	n = i2d_X509_REQ(req, &der);
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_FATAL((copy = malloc((size_t)n)) != NULL);
	memcpy(copy, der, (size_t)n);
	OPENSSL_free(der);
	X509_REQ_free(req);
	*len = (size_t)n;
	return copy;
}

/* MD5 signatures are forgeable: refused; SHA-1 stays for old devices. */
static void
test_md5_signature_rejected(void)
{
	unsigned char	*der;
	size_t		 len;
	char		 err[256];
	struct csr	*c;
	X509_REQ	*req;
	const unsigned char *p;

	der = signed_with(k_rsa2048, EVP_md5(), &len);
	/* The fixture really is md5WithRSAEncryption and verifies. */
	p = der;
	CU_ASSERT_PTR_NOT_NULL_FATAL(req = d2i_X509_REQ(NULL, &p, (long)len));
	CU_ASSERT_EQUAL(X509_REQ_get_signature_nid(req),
	    NID_md5WithRSAEncryption);
	CU_ASSERT_EQUAL(X509_REQ_verify(req, X509_REQ_get0_pubkey(req)), 1);
	X509_REQ_free(req);
	err[0] = '\0';
	c = csr_parse(der, len, err, sizeof(err));
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "MD5"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "SHA-256"));
	csr_free(c);
	free(der);

	der = signed_with(k_rsa2048, EVP_sha1(), &len);
	c = csr_parse(der, len, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(c);
	csr_free(c);
	free(der);
	der = signed_with(k_ec256, EVP_sha1(), &len);
	c = csr_parse(der, len, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(c);
	csr_free(c);
	free(der);
}

/*
 * Text pasted from a mail or a web page arrives indented, with trailing
 * blanks and CRLF line ends: white space around every line is ignored.
 */
static void
test_pem_with_white_space(void)
{
	static const struct reqspec s = { .cn = "www.example.com",
	    .san = "DNS:www.example.com" };
	unsigned char	*der;
	char		*pem, *line, *save = NULL;
	size_t		 len;
	char		 err[256];
	struct buf	 out = { 0 };
	struct csr	*c;

	der = make_der(k_ec256, &s, &len);
	pem = der_to_pem(der, len);
	/* "  \t-----BEGIN ...-----  \r\n" and so on for every line. */
	for (line = strtok_r(pem, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		CU_ASSERT_FATAL(buf_printf(&out, "  \t%s \t\r\n", line));
	c = csr_parse(out.data, out.len, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->der_len, len);
	CU_ASSERT(memcmp(c->der, der, len) == 0);
	CU_ASSERT_STRING_EQUAL(c->cn, "www.example.com");
	csr_free(c);
	/* The last line without its newline, indented by tabs only. */
	buf_free(&out);
	free(pem);
	pem = der_to_pem(der, len);
	save = NULL;
	for (line = strtok_r(pem, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		CU_ASSERT_FATAL(buf_printf(&out, "%s\t\t%s", out.len ? "\n" :
		    "", line));
	c = csr_parse(out.data, out.len, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(c);
	csr_free(c);
	buf_free(&out);
	free(pem);
	free(der);
}

/*
 * The stored copy of a request loses its challengePassword (an access
 * code must not sit in the database in clear); csr_parse_stored reads it
 * back with the same fields though its signature no longer covers it.
 */
static void
test_stored_without_challenge(void)
{
	struct reqspec	 rs = { "dev2.example.com", 0, NULL,
	    "DNS:dev2.example.com", "the-access-code-2026", 0 };
	unsigned char	*der, *stored;
	size_t		 len, slen;
	char		 err[256];
	struct csr	*c, *s2;

	der = make_der(k_ec256, &rs, &len);
	c = csr_parse(der, len, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(c->challenge, "the-access-code-2026");
	stored = csr_der_without_challenge(c, &slen);
	CU_ASSERT_PTR_NOT_NULL_FATAL(stored);
	CU_ASSERT_PTR_NULL(memmem(stored, slen, "the-access-code-2026", 20));
	s2 = csr_parse_stored(stored, slen, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s2);
	CU_ASSERT_PTR_NULL(s2->challenge);
	CU_ASSERT_STRING_EQUAL(s2->cn, "dev2.example.com");
	CU_ASSERT_EQUAL(s2->ndns, 1);
	CU_ASSERT(EVP_PKEY_eq(s2->pkey, c->pkey) == 1);
	/* From outside, the same bytes fail: the signature is broken. */
	CU_ASSERT_PTR_NULL(csr_parse(stored, slen, err, sizeof(err)));
	csr_free(s2);
	free(stored);
	csr_free(c);
	free(der);

	/* Without a challenge the stored bytes are the request as received. */
	rs.challenge = NULL;
	der = make_der(k_ec256, &rs, &len);
	c = csr_parse(der, len, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	stored = csr_der_without_challenge(c, &slen);
	CU_ASSERT_EQUAL_FATAL(slen, len);
	CU_ASSERT(memcmp(stored, der, len) == 0);
	free(stored);
	csr_free(c);
	free(der);
}

static void
register_tests(void)
{
	CU_pSuite	 s;

	s = CU_add_suite("csr", suite_init, suite_clean);
	if (s == NULL)
		exit(2);
	UNIT_ADD(s, test_supported_keys);
	UNIT_ADD(s, test_weak_keys_rejected);
	UNIT_ADD(s, test_bad_signature_rejected);
	UNIT_ADD(s, test_subject_tampering_rejected);
	UNIT_ADD(s, test_malformed_rejected);
	UNIT_ADD(s, test_private_key_pasted);
	UNIT_ADD(s, test_pem_and_der_agree);
	UNIT_ADD(s, test_fields_extracted);
	UNIT_ADD(s, test_no_optional_fields);
	UNIT_ADD(s, test_empty_subject_and_pem_lookalike);
	UNIT_ADD(s, test_cn_limits);
	UNIT_ADD(s, test_nul_in_san_rejected);
	UNIT_ADD(s, test_san_count_and_size_limits);
	UNIT_ADD(s, test_oversize_input_rejected);
	UNIT_ADD(s, test_wrong_version_tolerated);
	UNIT_ADD(s, test_from_req);
	UNIT_ADD(s, test_pubkey_sha256);
	UNIT_ADD(s, test_key_type_names);
	UNIT_ADD(s, test_duplicate_subject_names);
	UNIT_ADD(s, test_trailing_dot_normalised);
	UNIT_ADD(s, test_explicit_ec_params_rejected);
	UNIT_ADD(s, test_md5_signature_rejected);
	UNIT_ADD(s, test_pem_with_white_space);
	UNIT_ADD(s, test_stored_without_challenge);
}

UNIT_MAIN(register_tests)
