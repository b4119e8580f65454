/* test_ca: CA creation, import, issuance, subjects, CRLs and the RA. */
#include <sys/stat.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ca.h"
#include "log.h"
#include "fixture.h"
#include "unit.h"

#define NSERIALS	10000

static const char	*dir = "";		/* the fixture directory */
static char		*rsa_pem, *ec_pem;	/* the two fixture roots */
static struct ca	*rsa_ca, *ec_ca;
static EVP_PKEY		*leaf_key;		/* one EC P-256 subject key */

/* Returns a path inside the test directory (static buffer, one at a time per slot). */
static const char *
path_in(int slot, const char *name)
{
	static char	 p[4][512];

	snprintf(p[slot], sizeof(p[slot]), "%s/%s", dir, name);
	return p[slot];
}

/* Returns the permission bits of a file, or -1. */
static int
file_mode(const char *path)
{
	struct stat	 sb;

	if (stat(path, &sb) == -1)
		return -1;
	return (int)(sb.st_mode & 07777);
}

/* Returns a fresh key of the given type; caller frees. */
static EVP_PKEY *
key_ec(const char *curve)
{
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);
}

/* Writes key as PEM to path for tests that need a key file; returns 1 on success. */
static int
key_save(const char *path, EVP_PKEY *key)
{
	FILE	*f;
	int	 ok;

	if ((f = fopen(path, "w")) == NULL)
		return 0;
	ok = PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
	return fclose(f) == 0 && ok;
}

/*
 * Returns X509_V_OK when leaf chains to anchor (through untrusted, with an
 * optional CRL checked) for purpose (0 = any), else the verify error.
 */
static int
verify(X509 *anchor, STACK_OF(X509) *untrusted, X509 *leaf, int purpose,
    X509_CRL *crl)
{
	X509_STORE	*store;
	X509_STORE_CTX	*ctx;
	int		 rc;

	store = X509_STORE_new();
	ctx = X509_STORE_CTX_new();
	if (store == NULL || ctx == NULL || !X509_STORE_add_cert(store, anchor) ||
	    !X509_STORE_CTX_init(ctx, store, leaf, untrusted)) {
		X509_STORE_CTX_free(ctx);
		X509_STORE_free(store);
		return -1;
	}
	if (purpose != 0)
		X509_STORE_CTX_set_purpose(ctx, purpose);
	if (crl != NULL) {
		X509_STORE_add_crl(store, crl);
		X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_CRL_CHECK);
	}
	rc = X509_verify_cert(ctx) == 1 ? X509_V_OK :
	    X509_STORE_CTX_get_error(ctx);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	ERR_clear_error();
	return rc;
}

/* Returns a subject name with one CN; caller frees. */
static X509_NAME *
name_cn(const char *cn)
{
	X509_NAME	*n = X509_NAME_new();

	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0);
	return n;
}

/* Returns the text of the first entry of nid in n (static buffer) or "". */
static const char *
name_get(const X509_NAME *n, int nid)
{
	static char	 buf[256];

	buf[0] = '\0';
	if (X509_NAME_get_text_by_NID(n, nid, buf, sizeof(buf)) < 0)
		buf[0] = '\0';
	return buf;
}

static const char	*tls_dns[] = { "www.example.com", "example.com" };
static const char	*tls_ips[] = { "192.0.2.1", "2001:db8::1" };
static const char	*tls_emails[] = { "ops@example.com" };

/* Fills a server-auth profile request for key with subject CN=www.example.com. */
static void
tls_request(struct ca_issue *r, EVP_PKEY *key, X509_NAME *subject)
{
	memset(r, 0, sizeof(*r));
	r->pubkey = key;
	r->subject = subject;
	r->dns = tls_dns;
	r->ndns = 2;
	r->ips = tls_ips;
	r->nips = 2;
	r->emails = tls_emails;
	r->nemails = 1;
	r->days = 365;
	r->key_usage = "digitalSignature,keyEncipherment";
	r->ext_key_usage = "serverAuth,clientAuth";
	r->crl_url = "http://pki.example.com/crl/demo.crl";
	r->backdate = 300;
}

/*
 * Creates the fixture CAs; returns 0 on success.  Called before the run
 * rather than as a CUnit suite init, whose failure would not fail the run.
 */
static int
fixtures_init(void)
{
	log_quiet(1);
	if ((dir = fixture_dir_new("ca")) == NULL)
		return 1;
	rsa_pem = ca_init(path_in(0, "rsa-ca.key"), CA_RSA3072,
	    "CN=Demo RSA CA,O=Demo Org,C=US", 7300);
	ec_pem = ca_init(path_in(1, "ec-ca.key"), CA_EC384,
	    "CN=Demo EC CA,O=Demo Org,C=US", 7300);
	if (rsa_pem == NULL || ec_pem == NULL)
		return 1;
	rsa_ca = ca_load(rsa_pem, path_in(0, "rsa-ca.key"), NULL, NULL, NULL);
	ec_ca = ca_load(ec_pem, path_in(1, "ec-ca.key"), NULL, NULL, NULL);
	leaf_key = key_ec("P-256");
	return rsa_ca == NULL || ec_ca == NULL || leaf_key == NULL;
}

static int
suite_clean(void)
{
	ca_free(rsa_ca);
	ca_free(ec_ca);
	EVP_PKEY_free(leaf_key);
	free(rsa_pem);
	free(ec_pem);
	fixture_done();
	return 0;
}

/* Checks what both root algorithms must give: a self-signed CA that verifies. */
static void
check_root(const char *pem, const char *key_path, int pkey_id, int bits,
    int sig_nid)
{
	X509		*x;
	BASIC_CONSTRAINTS *bc;
	EVP_PKEY	*pub;
	const ASN1_OCTET_STRING *ski;
	const ASN1_OCTET_STRING *akid;
	int		 crit = -1;
	FILE		*f;
	char		 line[64] = "";

	CU_ASSERT_PTR_NOT_NULL_FATAL(pem);
	x = ca_cert_from_pem(pem);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL(X509_get_version(x), X509_VERSION_3);
	CU_ASSERT_EQUAL(X509_self_signed(x, 1), 1);
	CU_ASSERT_EQUAL(verify(x, NULL, x, 0, NULL), X509_V_OK);
	pub = X509_get0_pubkey(x);
	CU_ASSERT_EQUAL(EVP_PKEY_get_base_id(pub), pkey_id);
	CU_ASSERT_EQUAL(EVP_PKEY_get_bits(pub), bits);
	CU_ASSERT_EQUAL(X509_get_signature_nid(x), sig_nid);
	bc = X509_get_ext_d2i(x, NID_basic_constraints, &crit, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(bc);
	CU_ASSERT(bc->ca != 0);
	CU_ASSERT_EQUAL(crit, 1);
	BASIC_CONSTRAINTS_free(bc);
	CU_ASSERT_EQUAL(X509_get_key_usage(x), KU_KEY_CERT_SIGN | KU_CRL_SIGN);
	crit = -1;
	ASN1_BIT_STRING_free(X509_get_ext_d2i(x, NID_key_usage, &crit, NULL));
	CU_ASSERT_EQUAL(crit, 1);
	ski = X509_get0_subject_key_id(x);
	akid = X509_get0_authority_key_id(x);
	CU_ASSERT_PTR_NOT_NULL(ski);
	CU_ASSERT_PTR_NOT_NULL(akid);
	if (ski != NULL && akid != NULL)
		CU_ASSERT_EQUAL(ASN1_OCTET_STRING_cmp(ski, akid), 0);
	/* RFC 2253 order: the string's last RDN (C) comes first. */
	CU_ASSERT_EQUAL(X509_NAME_entry_count(X509_get_subject_name(x)), 3);
	CU_ASSERT_EQUAL(OBJ_obj2nid(X509_NAME_ENTRY_get_object(
	    X509_NAME_get_entry(X509_get_subject_name(x), 0))),
	    NID_countryName);
	CU_ASSERT_STRING_EQUAL(name_get(X509_get_subject_name(x),
	    NID_organizationName), "Demo Org");
	CU_ASSERT_EQUAL(file_mode(key_path), 0600);
	if ((f = fopen(key_path, "r")) != NULL) {
		if (fgets(line, sizeof(line), f) == NULL)
			line[0] = '\0';
		fclose(f);
	}
	CU_ASSERT_STRING_EQUAL(line, "-----BEGIN PRIVATE KEY-----\n");
	X509_free(x);
}

static void
test_init_rsa(void)
{
	check_root(rsa_pem, path_in(0, "rsa-ca.key"), EVP_PKEY_RSA, 3072,
	    NID_sha256WithRSAEncryption);
}

static void
test_init_ec(void)
{
	check_root(ec_pem, path_in(0, "ec-ca.key"), EVP_PKEY_EC, 384,
	    NID_ecdsa_with_SHA384);
}

static void
test_init_refuses(void)
{
	struct stat	 before, after;
	DIR		*d;
	struct dirent	*e;
	int		 stray = 0;

	/* An existing key is never overwritten: it would orphan a CA. */
	CU_ASSERT_EQUAL_FATAL(stat(path_in(0, "ec-ca.key"), &before), 0);
	CU_ASSERT_PTR_NULL(ca_init(path_in(0, "ec-ca.key"), CA_EC384,
	    "CN=Again", 30));
	CU_ASSERT_EQUAL_FATAL(stat(path_in(0, "ec-ca.key"), &after), 0);
	CU_ASSERT_EQUAL(before.st_ino, after.st_ino);
	CU_ASSERT_EQUAL(before.st_size, after.st_size);
	CU_ASSERT_PTR_NULL(ca_init(path_in(0, "bad1.key"), CA_EC384,
	    "XX=Nope", 30));
	CU_ASSERT_PTR_NULL(ca_init(path_in(0, "bad2.key"), CA_EC384,
	    "CN=Demo,C=USA", 30));
	CU_ASSERT_PTR_NULL(ca_init(path_in(0, "bad3.key"), CA_EC384,
	    "CN=Demo", 0));
	CU_ASSERT_EQUAL(access(path_in(0, "bad1.key"), F_OK), -1);
	CU_ASSERT_EQUAL(access(path_in(0, "bad2.key"), F_OK), -1);
	CU_ASSERT_EQUAL(access(path_in(0, "bad3.key"), F_OK), -1);
	/* No temporary key file is left behind. */
	if ((d = opendir(dir)) != NULL) {
		while ((e = readdir(d)) != NULL)
			if (strstr(e->d_name, ".key.") != NULL)
				stray++;
		closedir(d);
	}
	CU_ASSERT_EQUAL(stray, 0);
}

static void
test_init_escaped_subject(void)
{
	char		*pem;
	X509		*x;

	pem = ca_init(path_in(0, "esc.key"), CA_EC384,
	    "CN=Demo\\, Inc. CA,O=Demo Org", 30);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pem);
	x = ca_cert_from_pem(pem);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_STRING_EQUAL(name_get(X509_get_subject_name(x),
	    NID_commonName), "Demo, Inc. CA");
	X509_free(x);
	free(pem);
}

static void
test_load_roundtrip(void)
{
	struct ca	*ca;
	char		 uri[600];

	/* Same CA by a file: URI, not only a plain path. */
	snprintf(uri, sizeof(uri), "file:%s", path_in(0, "rsa-ca.key"));
	ca = ca_load(rsa_pem, uri, NULL, NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ca);
	CU_ASSERT_EQUAL(X509_cmp(ca->cert, rsa_ca->cert), 0);
	CU_ASSERT_EQUAL(EVP_PKEY_eq(ca->key, X509_get0_pubkey(ca->cert)), 1);
	CU_ASSERT_EQUAL(EVP_PKEY_eq(ca->key, rsa_ca->key), 1);
	CU_ASSERT_PTR_NOT_NULL(ca->chain);
	CU_ASSERT_EQUAL(sk_X509_num(ca->chain), 0);
	CU_ASSERT_PTR_NULL(ca->ra_cert);
	CU_ASSERT_PTR_NULL(ca->ra_key);
	ca_free(ca);
	/* The wrong key, a missing key or garbage PEM give no CA. */
	CU_ASSERT_PTR_NULL(ca_load(rsa_pem, path_in(0, "ec-ca.key"), NULL,
	    NULL, NULL));
	CU_ASSERT_PTR_NULL(ca_load(rsa_pem, path_in(0, "missing.key"), NULL,
	    NULL, NULL));
	CU_ASSERT_PTR_NULL(ca_load("not a certificate", path_in(0,
	    "rsa-ca.key"), NULL, NULL, NULL));
	ca_free(NULL);
}

static void
test_issue_verifies(void)
{
	struct ca_issue	 r;
	X509_NAME	*subj = name_cn("www.example.com");
	X509		*x;
	char		 hex[33];

	tls_request(&r, leaf_key, subj);
	x = ca_issue(ec_ca, &r, hex);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL(verify(ec_ca->cert, NULL, x, X509_PURPOSE_SSL_SERVER,
	    NULL), X509_V_OK);
	CU_ASSERT_EQUAL(X509_get_signature_nid(x), NID_ecdsa_with_SHA384);
	/* Another CA does not vouch for it. */
	CU_ASSERT_NOT_EQUAL(verify(rsa_ca->cert, NULL, x, 0, NULL), X509_V_OK);
	X509_free(x);

	x = ca_issue(rsa_ca, &r, hex);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL(verify(rsa_ca->cert, NULL, x, X509_PURPOSE_SSL_SERVER,
	    NULL), X509_V_OK);
	CU_ASSERT_EQUAL(X509_get_signature_nid(x),
	    NID_sha256WithRSAEncryption);
	X509_free(x);

	/* A client-only profile must not yield a usable server certificate. */
	r.ext_key_usage = "clientAuth";
	x = ca_issue(ec_ca, &r, hex);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL(verify(ec_ca->cert, NULL, x, X509_PURPOSE_SSL_CLIENT,
	    NULL), X509_V_OK);
	CU_ASSERT_NOT_EQUAL(verify(ec_ca->cert, NULL, x,
	    X509_PURPOSE_SSL_SERVER, NULL), X509_V_OK);
	X509_free(x);
	X509_NAME_free(subj);
}

/* Returns a CSR for key as a verifier sees it: signed, encoded, parsed again; caller frees. */
static X509_REQ *
parsed_csr(EVP_PKEY *key)
{
	X509_REQ		*req, *back = NULL;
	unsigned char		*der = NULL;
	const unsigned char	*p;
	int			 len;

	if ((req = X509_REQ_new()) == NULL)
		return NULL;
	if (X509_REQ_set_pubkey(req, key) &&
	    X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(req), "CN",
	    MBSTRING_ASC, (const unsigned char *)"www.example.com", -1, -1,
	    0) && X509_REQ_sign(req, key, EVP_sha256()) > 0 &&
	    (len = i2d_X509_REQ(req, &der)) > 0) {
		p = der;
		back = d2i_X509_REQ(NULL, &p, len);
	}
	OPENSSL_free(der);
	X509_REQ_free(req);
	return back;
}

/* Returns 1 when two X509_PUBKEYs encode to the same bytes. */
static int
spki_equal(const X509_PUBKEY *a, const X509_PUBKEY *b)
{
	unsigned char	*da = NULL, *db = NULL;
	int		 la, lb, eq;

	la = i2d_X509_PUBKEY(a, &da);
	lb = i2d_X509_PUBKEY(b, &db);
	eq = la > 0 && la == lb && memcmp(da, db, (size_t)la) == 0;
	OPENSSL_free(da);
	OPENSSL_free(db);
	return eq;
}

/* Returns the certificate DER-encoded and parsed back, as a relying party gets it; caller frees. */
static X509 *
reparsed(X509 *x)
{
	unsigned char		*der = NULL;
	const unsigned char	*p;
	X509			*back = NULL;
	int			 len;

	if ((len = i2d_X509(x, &der)) > 0) {
		p = der;
		back = d2i_X509(NULL, &p, len);
	}
	OPENSSL_free(der);
	return back;
}

/*
 * Issuing from the CSR's SubjectPublicKeyInfo (the SCEP fast path)
 * certifies exactly the requested key bytes, with the same SKI and key
 * usage as encoding the key afresh; an SPKI that is not the checked key's
 * is ignored, so only the key policy saw can be certified.
 */
static void
test_issue_spki_from_csr(void)
{
	struct ca_issue	 r;
	X509_NAME	*subj = name_cn("www.example.com");
	EVP_PKEY	*rsa = NULL, *other = NULL;
	EVP_PKEY	*keys[3];
	X509_REQ	*req = NULL, *oreq = NULL;
	X509		*x = NULL, *y = NULL, *xb = NULL, *yb = NULL;
	ASN1_BIT_STRING	*kux, *kuy;
	char		 hex[33];
	size_t		 i;

	rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	other = key_ec("P-384");
	CU_ASSERT_PTR_NOT_NULL_FATAL(rsa);
	CU_ASSERT_PTR_NOT_NULL_FATAL(other);
	keys[0] = leaf_key;
	keys[1] = rsa;
	keys[2] = other;
	for (i = 0; i < 3; i++) {
		req = parsed_csr(keys[i]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(req);
		tls_request(&r, X509_REQ_get0_pubkey(req), subj);
		r.spki = X509_REQ_get_X509_PUBKEY(req);
		x = ca_issue(rsa_ca, &r, hex);
		r.spki = NULL;
		y = ca_issue(rsa_ca, &r, hex);
		CU_ASSERT_PTR_NOT_NULL_FATAL(x);
		CU_ASSERT_PTR_NOT_NULL_FATAL(y);
		CU_ASSERT_TRUE(spki_equal(X509_get_X509_PUBKEY(x),
		    X509_REQ_get_X509_PUBKEY(req)));
		xb = reparsed(x);
		yb = reparsed(y);
		CU_ASSERT_PTR_NOT_NULL_FATAL(xb);
		CU_ASSERT_PTR_NOT_NULL_FATAL(yb);
		CU_ASSERT_EQUAL(EVP_PKEY_eq(X509_get0_pubkey(xb), keys[i]), 1);
		CU_ASSERT_EQUAL(verify(rsa_ca->cert, NULL, xb,
		    X509_PURPOSE_SSL_SERVER, NULL), X509_V_OK);
		CU_ASSERT_PTR_NOT_NULL_FATAL(X509_get0_subject_key_id(xb));
		CU_ASSERT_EQUAL(ASN1_OCTET_STRING_cmp(
		    X509_get0_subject_key_id(xb),
		    X509_get0_subject_key_id(yb)), 0);
		kux = X509_get_ext_d2i(xb, NID_key_usage, NULL, NULL);
		kuy = X509_get_ext_d2i(yb, NID_key_usage, NULL, NULL);
		CU_ASSERT_TRUE(kux != NULL && kuy != NULL &&
		    ASN1_STRING_cmp(kux, kuy) == 0);
		ASN1_BIT_STRING_free(kux);
		ASN1_BIT_STRING_free(kuy);
		X509_free(x);
		X509_free(y);
		X509_free(xb);
		X509_free(yb);
		x = y = xb = yb = NULL;
		if (i < 2)
			X509_REQ_free(req);
		else
			oreq = req;
		req = NULL;
	}

	/* Another key's SPKI next to the checked key: the checked key wins. */
	tls_request(&r, leaf_key, subj);
	r.spki = X509_REQ_get_X509_PUBKEY(oreq);
	x = ca_issue(rsa_ca, &r, hex);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	xb = reparsed(x);
	CU_ASSERT_PTR_NOT_NULL_FATAL(xb);
	CU_ASSERT_EQUAL(EVP_PKEY_eq(X509_get0_pubkey(xb), leaf_key), 1);
	CU_ASSERT_FALSE(spki_equal(X509_get_X509_PUBKEY(xb),
	    X509_REQ_get_X509_PUBKEY(oreq)));
	X509_free(x);
	X509_free(xb);
	X509_REQ_free(oreq);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(other);
	X509_NAME_free(subj);
}

/* Returns the EKU NIDs of x in order into nids; returns their count or -1. */
static int
eku_nids(X509 *x, int *nids, int max)
{
	EXTENDED_KEY_USAGE	*eku;
	int			 i, n;

	if ((eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL)) == NULL)
		return -1;
	n = sk_ASN1_OBJECT_num(eku);
	for (i = 0; i < n && i < max; i++)
		nids[i] = OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i));
	EXTENDED_KEY_USAGE_free(eku);
	return n;
}

static void
test_issue_extensions(void)
{
	struct ca_issue		 r;
	X509_NAME		*subj = name_cn("www.example.com");
	X509			*x;
	BASIC_CONSTRAINTS	*bc;
	GENERAL_NAMES		*san;
	GENERAL_NAME		*g;
	CRL_DIST_POINTS		*dps;
	DIST_POINT		*dp;
	GENERAL_NAME		*uri;
	ASN1_TIME		*now;
	const ASN1_INTEGER	*sn;
	BIGNUM			*bn;
	char			 hex[33], *bnhex;
	int			 crit = -1, nids[8], day, sec;
	static const unsigned char ip4[] = { 192, 0, 2, 1 };
	static const unsigned char ip6[] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0,
	    0, 0, 0, 0, 0, 0, 0, 0, 1 };

	tls_request(&r, leaf_key, subj);
	x = ca_issue(ec_ca, &r, hex);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL(X509_get_version(x), X509_VERSION_3);
	CU_ASSERT_EQUAL(X509_NAME_cmp(X509_get_issuer_name(x),
	    X509_get_subject_name(ec_ca->cert)), 0);
	CU_ASSERT_EQUAL(X509_NAME_cmp(X509_get_subject_name(x), subj), 0);

	/* serial_hex is the certificate's serial. */
	sn = X509_get0_serialNumber(x);
	bn = ASN1_INTEGER_to_BN(sn, NULL);
	bnhex = BN_bn2hex(bn);
	CU_ASSERT_STRING_EQUAL(bnhex, hex);
	OPENSSL_free(bnhex);
	BN_free(bn);

	bc = X509_get_ext_d2i(x, NID_basic_constraints, &crit, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(bc);
	CU_ASSERT_EQUAL(bc->ca, 0);
	CU_ASSERT_EQUAL(crit, 1);
	BASIC_CONSTRAINTS_free(bc);

	/* An EC key cannot encipher keys: the profile's keyEncipherment goes. */
	CU_ASSERT_EQUAL(X509_get_key_usage(x), KU_DIGITAL_SIGNATURE);
	ASN1_BIT_STRING_free(X509_get_ext_d2i(x, NID_key_usage, &crit, NULL));
	CU_ASSERT_EQUAL(crit, 1);

	CU_ASSERT_EQUAL_FATAL(eku_nids(x, nids, 8), 2);
	CU_ASSERT_EQUAL(nids[0], NID_server_auth);
	CU_ASSERT_EQUAL(nids[1], NID_client_auth);

	san = X509_get_ext_d2i(x, NID_subject_alt_name, &crit, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(san);
	CU_ASSERT_EQUAL(crit, 0);
	CU_ASSERT_EQUAL_FATAL(sk_GENERAL_NAME_num(san), 5);
	g = sk_GENERAL_NAME_value(san, 0);
	CU_ASSERT_EQUAL(g->type, GEN_DNS);
	CU_ASSERT_STRING_EQUAL(ASN1_STRING_get0_data(g->d.dNSName),
	    "www.example.com");
	g = sk_GENERAL_NAME_value(san, 1);
	CU_ASSERT_EQUAL(g->type, GEN_DNS);
	CU_ASSERT_STRING_EQUAL(ASN1_STRING_get0_data(g->d.dNSName),
	    "example.com");
	g = sk_GENERAL_NAME_value(san, 2);
	CU_ASSERT_EQUAL(g->type, GEN_EMAIL);
	CU_ASSERT_STRING_EQUAL(ASN1_STRING_get0_data(g->d.rfc822Name),
	    "ops@example.com");
	g = sk_GENERAL_NAME_value(san, 3);
	CU_ASSERT_EQUAL(g->type, GEN_IPADD);
	CU_ASSERT_EQUAL(ASN1_STRING_length(g->d.iPAddress), 4);
	CU_ASSERT_EQUAL(memcmp(ASN1_STRING_get0_data(g->d.iPAddress), ip4, 4),
	    0);
	g = sk_GENERAL_NAME_value(san, 4);
	CU_ASSERT_EQUAL(g->type, GEN_IPADD);
	CU_ASSERT_EQUAL(ASN1_STRING_length(g->d.iPAddress), 16);
	CU_ASSERT_EQUAL(memcmp(ASN1_STRING_get0_data(g->d.iPAddress), ip6,
	    16), 0);
	GENERAL_NAMES_free(san);

	CU_ASSERT_PTR_NOT_NULL(X509_get0_subject_key_id(x));
	CU_ASSERT_PTR_NOT_NULL_FATAL(X509_get0_authority_key_id(x));
	CU_ASSERT_EQUAL(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(x),
	    X509_get0_subject_key_id(ec_ca->cert)), 0);

	dps = X509_get_ext_d2i(x, NID_crl_distribution_points, NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dps);
	CU_ASSERT_EQUAL_FATAL(sk_DIST_POINT_num(dps), 1);
	dp = sk_DIST_POINT_value(dps, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dp->distpoint);
	CU_ASSERT_EQUAL_FATAL(dp->distpoint->type, 0);
	CU_ASSERT_EQUAL_FATAL(sk_GENERAL_NAME_num(
	    dp->distpoint->name.fullname), 1);
	uri = sk_GENERAL_NAME_value(dp->distpoint->name.fullname, 0);
	CU_ASSERT_EQUAL(uri->type, GEN_URI);
	CU_ASSERT_STRING_EQUAL(ASN1_STRING_get0_data(
	    uri->d.uniformResourceIdentifier),
	    "http://pki.example.com/crl/demo.crl");
	CRL_DIST_POINTS_free(dps);

	/* Exactly these extensions: BC, KU, EKU, SAN, SKI, AKI, CRLDP. */
	CU_ASSERT_EQUAL(X509_get_ext_count(x), 7);

	/* notBefore is backdated by 300 s; notAfter is the term. */
	now = ASN1_TIME_set(NULL, time(NULL));
	CU_ASSERT_EQUAL(ASN1_TIME_diff(&day, &sec, X509_get0_notBefore(x),
	    now), 1);
	CU_ASSERT(day == 0 && sec >= 300 && sec <= 310);
	CU_ASSERT_EQUAL(ASN1_TIME_diff(&day, &sec, now,
	    X509_get0_notAfter(x)), 1);
	CU_ASSERT(abs(day * 86400 + sec - 365 * 86400) <= 10);
	ASN1_TIME_free(now);
	X509_free(x);
	X509_NAME_free(subj);
}

static void
test_issue_key_usage(void)
{
	struct ca_issue	 r;
	X509_NAME	*subj = name_cn("host.example.com");
	EVP_PKEY	*rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	X509		*x;
	char		 hex[33];
	int		 nids[4];

	CU_ASSERT_PTR_NOT_NULL_FATAL(rsa);
	tls_request(&r, rsa, subj);
	/* Empty key usage: by key type. */
	r.key_usage = "";
	x = ca_issue(rsa_ca, &r, hex);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL(X509_get_key_usage(x),
	    KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT);
	X509_free(x);
	r.pubkey = leaf_key;
	x = ca_issue(rsa_ca, &r, hex);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL(X509_get_key_usage(x), KU_DIGITAL_SIGNATURE);
	X509_free(x);
	/* Names are honoured as given, with spaces and case tolerated. */
	r.pubkey = rsa;
	r.key_usage = " digitalSignature , nonRepudiation,keyencipherment";
	r.ext_key_usage = "emailProtection, clientAuth,1.3.6.1.4.1.311.20.2.2";
	x = ca_issue(rsa_ca, &r, hex);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL(X509_get_key_usage(x), KU_DIGITAL_SIGNATURE |
	    KU_NON_REPUDIATION | KU_KEY_ENCIPHERMENT);
	CU_ASSERT_EQUAL_FATAL(eku_nids(x, nids, 4), 3);
	CU_ASSERT_EQUAL(nids[0], NID_email_protect);
	CU_ASSERT_EQUAL(nids[1], NID_client_auth);
	CU_ASSERT_EQUAL(nids[2], NID_ms_smartcard_login);
	X509_free(x);
	/* No EKU in the profile: no EKU extension. */
	r.key_usage = NULL;
	r.ext_key_usage = NULL;
	r.crl_url = NULL;
	x = ca_issue(rsa_ca, &r, hex);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL(eku_nids(x, nids, 4), -1);
	CU_ASSERT_EQUAL(X509_get_ext_by_NID(x, NID_crl_distribution_points,
	    -1), -1);
	X509_free(x);
	EVP_PKEY_free(rsa);
	X509_NAME_free(subj);
}

static void
test_issue_refuses(void)
{
	struct ca_issue	 r;
	X509_NAME	*subj = name_cn("www.example.com");
	const char	*bad_ip[] = { "192.0.2" };
	const char	*bad_dns[] = { "www example.com" };
	char		 hex[33] = "untouched";

	tls_request(&r, NULL, subj);
	CU_ASSERT_PTR_NULL(ca_issue(ec_ca, &r, hex));
	r.pubkey = leaf_key;
	r.days = 0;
	CU_ASSERT_PTR_NULL(ca_issue(ec_ca, &r, hex));
	r.days = 3651;
	CU_ASSERT_PTR_NULL(ca_issue(ec_ca, &r, hex));
	r.days = -5;
	CU_ASSERT_PTR_NULL(ca_issue(ec_ca, &r, hex));
	r.days = 365;
	r.key_usage = "digitalSigniture";
	CU_ASSERT_PTR_NULL(ca_issue(ec_ca, &r, hex));
	r.key_usage = "digitalSignature,keyCertSign";
	CU_ASSERT_PTR_NULL(ca_issue(ec_ca, &r, hex));
	r.key_usage = "keyEncipherment";	/* nothing left for EC */
	CU_ASSERT_PTR_NULL(ca_issue(ec_ca, &r, hex));
	r.key_usage = NULL;
	r.ext_key_usage = "serverAuth,anyThingGoes";
	CU_ASSERT_PTR_NULL(ca_issue(ec_ca, &r, hex));
	r.ext_key_usage = "serverAuth";
	r.ips = bad_ip;
	r.nips = 1;
	CU_ASSERT_PTR_NULL(ca_issue(ec_ca, &r, hex));
	r.nips = 0;
	r.dns = bad_dns;
	r.ndns = 1;
	CU_ASSERT_PTR_NULL(ca_issue(ec_ca, &r, hex));
	r.ndns = 0;
	r.crl_url = "http://x/a b";
	CU_ASSERT_PTR_NULL(ca_issue(ec_ca, &r, hex));
	r.crl_url = NULL;
	r.backdate = -1;
	CU_ASSERT_PTR_NULL(ca_issue(ec_ca, &r, hex));
	r.backdate = 0;
	/* Neither subject nor SAN: nothing would name the holder. */
	r.subject = NULL;
	r.nemails = 0;
	CU_ASSERT_PTR_NULL(ca_issue(ec_ca, &r, hex));
	CU_ASSERT_STRING_EQUAL(hex, "untouched");
	X509_NAME_free(subj);
}

static void
test_issue_empty_subject_san_critical(void)
{
	struct ca_issue	 r;
	X509		*x;
	char		 hex[33];
	int		 crit = -1;

	tls_request(&r, leaf_key, NULL);
	r.nemails = 0;
	r.nips = 0;
	x = ca_issue(ec_ca, &r, hex);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL(X509_NAME_entry_count(X509_get_subject_name(x)), 0);
	GENERAL_NAMES_free(X509_get_ext_d2i(x, NID_subject_alt_name, &crit,
	    NULL));
	CU_ASSERT_EQUAL(crit, 1);
	CU_ASSERT_EQUAL(verify(ec_ca->cert, NULL, x, X509_PURPOSE_SSL_SERVER,
	    NULL), X509_V_OK);
	X509_free(x);
}

static void
test_issue_caps_at_ca_expiry(void)
{
	char		*pem;
	struct ca	*shortca;
	struct ca_issue	 r;
	X509_NAME	*subj = name_cn("www.example.com");
	X509		*x;
	char		 hex[33];

	pem = ca_init(path_in(0, "short.key"), CA_EC384, "CN=Short CA", 30);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pem);
	shortca = ca_load(pem, path_in(0, "short.key"), NULL, NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(shortca);
	tls_request(&r, leaf_key, subj);
	x = ca_issue(shortca, &r, hex);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL(ASN1_TIME_compare(X509_get0_notAfter(x),
	    X509_get0_notAfter(shortca->cert)), 0);
	X509_free(x);
	ca_free(shortca);
	free(pem);
	X509_NAME_free(subj);
}

/* Orders 16-byte serials for the uniqueness check. */
static int
serial_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

static void
test_serials_unique(void)
{
	struct ca_issue		 r;
	X509_NAME		*subj = name_cn("dev.example.com");
	unsigned char		(*serials)[16];
	const ASN1_INTEGER	*sn;
	const unsigned char	*d;
	X509			*x;
	char			 hex[33], want[33];
	int			 i, j, bad = 0, dup = 0;

	serials = calloc(NSERIALS, 16);
	CU_ASSERT_PTR_NOT_NULL_FATAL(serials);
	memset(&r, 0, sizeof(r));
	r.pubkey = leaf_key;
	r.subject = subj;
	r.days = 30;
	r.ext_key_usage = "clientAuth";
	for (i = 0; i < NSERIALS; i++) {
		if ((x = ca_issue(ec_ca, &r, hex)) == NULL) {
			bad++;
			break;
		}
		sn = X509_get0_serialNumber(x);
		d = ASN1_STRING_get0_data(sn);
		/* Positive, exactly 16 bytes, no leading zero byte. */
		if (ASN1_STRING_type(sn) != V_ASN1_INTEGER ||
		    ASN1_STRING_length(sn) != 16 || d[0] == 0 ||
		    (d[0] & 0x80) != 0 || i2d_ASN1_INTEGER(sn, NULL) != 18)
			bad++;
		else {
			memcpy(serials[i], d, 16);
			for (j = 0; j < 16; j++)
				snprintf(want + 2 * j, 3, "%02X", d[j]);
			if (strcmp(want, hex) != 0)
				bad++;
		}
		X509_free(x);
	}
	CU_ASSERT_EQUAL(bad, 0);
	qsort(serials, NSERIALS, 16, serial_cmp);
	for (i = 1; i < NSERIALS; i++)
		if (memcmp(serials[i - 1], serials[i], 16) == 0)
			dup++;
	CU_ASSERT_EQUAL(dup, 0);
	free(serials);
	X509_NAME_free(subj);
}

/*
 * Returns a DER round-tripped CSR signed by key that asks for CA:TRUE and
 * codeSigning, as a hostile requester would; caller frees.
 */
static X509_REQ *
hostile_csr(EVP_PKEY *key)
{
	X509_REQ			*req, *back;
	X509_NAME			*n;
	STACK_OF(X509_EXTENSION)	*exts;
	unsigned char			*der = NULL;
	const unsigned char		*p;
	int				 len;

	req = X509_REQ_new();
	n = X509_NAME_new();
	X509_NAME_add_entry_by_txt(n, "O", MBSTRING_UTF8,
	    (const unsigned char *)"Totally Legit Bank", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
	    (const unsigned char *)"www.example.com", -1, -1, 0);
	X509_REQ_set_subject_name(req, n);
	X509_NAME_free(n);
	X509_REQ_set_pubkey(req, key);
	exts = sk_X509_EXTENSION_new_null();
	sk_X509_EXTENSION_push(exts, X509V3_EXT_nconf_nid(NULL, NULL,
	    NID_basic_constraints, "critical,CA:TRUE"));
	sk_X509_EXTENSION_push(exts, X509V3_EXT_nconf_nid(NULL, NULL,
	    NID_ext_key_usage, "codeSigning,serverAuth"));
	sk_X509_EXTENSION_push(exts, X509V3_EXT_nconf_nid(NULL, NULL,
	    NID_subject_alt_name, "DNS:www.bank.example"));
	X509_REQ_add_extensions(req, exts);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_REQ_sign(req, key, EVP_sha256());
	len = i2d_X509_REQ(req, &der);
	X509_REQ_free(req);
	p = der;
	back = len > 0 ? d2i_X509_REQ(NULL, &p, len) : NULL;
	OPENSSL_free(der);
	return back;
}

static void
test_issue_ignores_csr_extensions(void)
{
	X509_REQ			*csr;
	STACK_OF(X509_EXTENSION)	*asked;
	EVP_PKEY			*pub;
	X509_NAME			*subj;
	struct ca_issue			 r;
	BASIC_CONSTRAINTS		*bc;
	GENERAL_NAMES			*san;
	X509				*x;
	char				 hex[33];
	int				 nids[4];
	const char			*dns[] = { "www.example.com" };

	csr = hostile_csr(leaf_key);
	CU_ASSERT_PTR_NOT_NULL_FATAL(csr);
	pub = X509_REQ_get_pubkey(csr);
	CU_ASSERT_EQUAL(X509_REQ_verify(csr, pub), 1);
	/* The fixture really does ask for the extensions. */
	asked = X509_REQ_get_extensions(csr);
	CU_ASSERT_EQUAL(sk_X509_EXTENSION_num(asked), 3);
	sk_X509_EXTENSION_pop_free(asked, X509_EXTENSION_free);

	/* What policy_subject gives for an organisation "Demo Org", US. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(subj = X509_NAME_new());
	CU_ASSERT_FATAL(X509_NAME_add_entry_by_txt(subj, "C", MBSTRING_UTF8,
	    (const unsigned char *)"US", -1, -1, 0));
	CU_ASSERT_FATAL(X509_NAME_add_entry_by_txt(subj, "O", MBSTRING_UTF8,
	    (const unsigned char *)"Demo Org", -1, -1, 0));
	CU_ASSERT_FATAL(X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_UTF8,
	    (const unsigned char *)"www.example.com", -1, -1, 0));
	memset(&r, 0, sizeof(r));
	r.pubkey = pub;
	r.subject = subj;
	r.dns = dns;
	r.ndns = 1;
	r.days = 90;
	r.ext_key_usage = "serverAuth";
	x = ca_issue(ec_ca, &r, hex);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL(X509_check_ca(x), 0);
	bc = X509_get_ext_d2i(x, NID_basic_constraints, NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(bc);
	CU_ASSERT_EQUAL(bc->ca, 0);
	BASIC_CONSTRAINTS_free(bc);
	CU_ASSERT_EQUAL_FATAL(eku_nids(x, nids, 4), 1);
	CU_ASSERT_EQUAL(nids[0], NID_server_auth);
	CU_ASSERT_EQUAL(X509_get_extended_key_usage(x) & XKU_CODE_SIGN, 0);
	san = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(san);
	CU_ASSERT_EQUAL(sk_GENERAL_NAME_num(san), 1);
	GENERAL_NAMES_free(san);
	CU_ASSERT_STRING_EQUAL(name_get(X509_get_subject_name(x),
	    NID_organizationName), "Demo Org");
	/* The issued key is the CSR's key. */
	CU_ASSERT_EQUAL(EVP_PKEY_eq(X509_get0_pubkey(x), leaf_key), 1);
	X509_free(x);
	X509_NAME_free(subj);
	EVP_PKEY_free(pub);
	X509_REQ_free(csr);
}

/* Returns the reason code of a CRL entry, 0 when it has none, -1 on error. */
static int
entry_reason(X509_REVOKED *rv)
{
	ASN1_ENUMERATED	*e;
	int		 crit, code;

	e = X509_REVOKED_get_ext_d2i(rv, NID_crl_reason, &crit, NULL);
	if (e == NULL)
		return crit == -1 ? 0 : -1;
	code = (int)ASN1_ENUMERATED_get(e);
	ASN1_ENUMERATED_free(e);
	return code;
}

/* Issues, revokes three of four certificates under ca and checks the CRL. */
static void
check_crl(struct ca *ca, int sig_nid)
{
	struct ca_issue	 r;
	X509_NAME	*subj = name_cn("www.example.com");
	X509		*certs[4] = { NULL, NULL, NULL, NULL };
	char		 hex[4][33];
	struct ca_revoked rev[3];
	static const int reasons[3] = { 1, 4, 0 };
	unsigned char	*der;
	const unsigned char *p;
	size_t		 len;
	X509_CRL	*crl;
	X509_REVOKED	*found;
	ASN1_INTEGER	*num;
	const ASN1_OCTET_STRING *aki;
	AUTHORITY_KEYID	*akid;
	int		 i, day, sec;
	time_t		 now = time(NULL);

	tls_request(&r, leaf_key, subj);
	for (i = 0; i < 4; i++) {
		certs[i] = ca_issue(ca, &r, hex[i]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(certs[i]);
	}
	for (i = 0; i < 3; i++) {
		rev[i].serial_hex = hex[i];
		rev[i].revoked_at = (long long)now - 3600 * (i + 1);
		rev[i].reason = reasons[i];
	}
	der = ca_crl(ca, rev, 3, 42, 7, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	p = der;
	crl = d2i_X509_CRL(NULL, &p, (long)len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(crl);
	CU_ASSERT_EQUAL(p, der + len);
	CU_ASSERT_EQUAL(X509_CRL_verify(crl, X509_get0_pubkey(ca->cert)), 1);
	CU_ASSERT_EQUAL(X509_CRL_get_signature_nid(crl), sig_nid);
	CU_ASSERT_EQUAL(X509_CRL_get_version(crl), X509_CRL_VERSION_2);
	CU_ASSERT_EQUAL(X509_NAME_cmp(X509_CRL_get_issuer(crl),
	    X509_get_subject_name(ca->cert)), 0);
	CU_ASSERT_EQUAL(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)), 3);
	for (i = 0; i < 3; i++) {
		found = NULL;
		CU_ASSERT_EQUAL(X509_CRL_get0_by_serial(crl, &found,
		    X509_get0_serialNumber(certs[i])), 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(found);
		CU_ASSERT_EQUAL(entry_reason(found), reasons[i]);
		/* unspecified is written by leaving reasonCode out. */
		if (reasons[i] == 0)
			CU_ASSERT_EQUAL(X509_REVOKED_get_ext_by_NID(found,
			    NID_crl_reason, -1), -1);
		CU_ASSERT_EQUAL(ASN1_TIME_cmp_time_t(
		    X509_REVOKED_get0_revocationDate(found),
		    (time_t)rev[i].revoked_at), 0);
	}
	found = NULL;
	CU_ASSERT_EQUAL(X509_CRL_get0_by_serial(crl, &found,
	    X509_get0_serialNumber(certs[3])), 0);

	num = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(num);
	CU_ASSERT_EQUAL(ASN1_INTEGER_get(num), 42);
	ASN1_INTEGER_free(num);
	akid = X509_CRL_get_ext_d2i(crl, NID_authority_key_identifier, NULL,
	    NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(akid);
	aki = akid->keyid;
	CU_ASSERT_PTR_NOT_NULL(aki);
	if (aki != NULL)
		CU_ASSERT_EQUAL(ASN1_OCTET_STRING_cmp(aki,
		    X509_get0_subject_key_id(ca->cert)), 0);
	AUTHORITY_KEYID_free(akid);
	CU_ASSERT_EQUAL(ASN1_TIME_diff(&day, &sec, X509_CRL_get0_lastUpdate(crl),
	    X509_CRL_get0_nextUpdate(crl)), 1);
	CU_ASSERT(day == 7 && sec == 0);

	/* What relying parties see: revoked certificates fail, others pass. */
	CU_ASSERT_EQUAL(verify(ca->cert, NULL, certs[0], 0, crl),
	    X509_V_ERR_CERT_REVOKED);
	CU_ASSERT_EQUAL(verify(ca->cert, NULL, certs[2], 0, crl),
	    X509_V_ERR_CERT_REVOKED);
	CU_ASSERT_EQUAL(verify(ca->cert, NULL, certs[3], 0, crl), X509_V_OK);

	X509_CRL_free(crl);
	free(der);
	for (i = 0; i < 4; i++)
		X509_free(certs[i]);
	X509_NAME_free(subj);
}

static void
test_crl_ec(void)
{
	check_crl(ec_ca, NID_ecdsa_with_SHA384);
}

static void
test_crl_rsa(void)
{
	check_crl(rsa_ca, NID_sha256WithRSAEncryption);
}

static void
test_crl_refuses(void)
{
	struct ca_revoked	 rev[1];
	unsigned char		*der;
	const unsigned char	*p;
	X509_CRL		*crl;
	size_t			 len = 0;

	/* An empty CRL is still a valid, signed CRL. */
	der = ca_crl(ec_ca, NULL, 0, 1, 7, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	p = der;
	crl = d2i_X509_CRL(NULL, &p, (long)len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(crl);
	CU_ASSERT_EQUAL(X509_CRL_verify(crl, X509_get0_pubkey(ec_ca->cert)),
	    1);
	/* OpenSSL leaves the list NULL when empty; sk_num(NULL) is -1. */
	CU_ASSERT(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)) <= 0);
	X509_CRL_free(crl);
	free(der);

	rev[0].serial_hex = "-12AB";
	rev[0].revoked_at = (long long)time(NULL);
	rev[0].reason = 1;
	CU_ASSERT_PTR_NULL(ca_crl(ec_ca, rev, 1, 2, 7, &len));
	rev[0].serial_hex = "12ab";
	rev[0].reason = 7;
	CU_ASSERT_PTR_NULL(ca_crl(ec_ca, rev, 1, 2, 7, &len));
	rev[0].reason = 5;
	der = ca_crl(ec_ca, rev, 1, 2, 7, &len);
	CU_ASSERT_PTR_NOT_NULL(der);
	free(der);
	CU_ASSERT_PTR_NULL(ca_crl(ec_ca, rev, 1, 2, 0, &len));
}

/*
 * Returns 1 after adding the n entries of rev to crl the way ca_crl did
 * before it wrote them as DER itself: one X509_REVOKED each, then sorted.
 */
static int
ref_crl_entries(X509_CRL *crl, const struct ca_revoked *rev, size_t n)
{
	X509_REVOKED	*r;
	ASN1_TIME	*t = NULL;
	ASN1_INTEGER	*sn = NULL;
	ASN1_ENUMERATED	*reason = NULL;
	BIGNUM		*bn = NULL;
	size_t		 i;
	int		 ok = 0;

	for (i = 0; i < n; i++) {
		r = NULL;
		if (BN_hex2bn(&bn, rev[i].serial_hex) == 0 ||
		    (sn = BN_to_ASN1_INTEGER(bn, NULL)) == NULL ||
		    (t = ASN1_TIME_set(NULL, (time_t)rev[i].revoked_at)) ==
		    NULL || (r = X509_REVOKED_new()) == NULL ||
		    !X509_REVOKED_set_serialNumber(r, sn) ||
		    !X509_REVOKED_set_revocationDate(r, t))
			goto out;
		if (rev[i].reason != 0 &&
		    ((reason = ASN1_ENUMERATED_new()) == NULL ||
		    !ASN1_ENUMERATED_set(reason, rev[i].reason) ||
		    !X509_REVOKED_add1_ext_i2d(r, NID_crl_reason, reason, 0,
		    0)))
			goto out;
		if (!X509_CRL_add0_revoked(crl, r))
			goto out;
		r = NULL;
		ASN1_ENUMERATED_free(reason);
		ASN1_INTEGER_free(sn);
		ASN1_TIME_free(t);
		reason = NULL;
		sn = NULL;
		t = NULL;
	}
	ok = X509_CRL_sort(crl);
out:
	X509_REVOKED_free(r);
	ASN1_ENUMERATED_free(reason);
	ASN1_INTEGER_free(sn);
	ASN1_TIME_free(t);
	BN_free(bn);
	return ok;
}

/*
 * Returns the CRL ca_crl built from X509_CRL objects, signed with md
 * (caller frees with X509_CRL_free), or NULL: the reference the DER
 * writer must match.
 */
static X509_CRL *
ref_crl(const struct ca *ca, const EVP_MD *md, const struct ca_revoked *rev,
    size_t n, long long number, int days)
{
	X509_CRL	*crl;
	ASN1_TIME	*t = NULL;
	ASN1_INTEGER	*num = NULL;
	X509_EXTENSION	*ext = NULL;
	X509V3_CTX	 ctx;
	time_t		 now = time(NULL);
	int		 ok = 0;

	if ((crl = X509_CRL_new()) == NULL ||
	    !X509_CRL_set_version(crl, X509_CRL_VERSION_2) ||
	    !X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca->cert)) ||
	    (t = ASN1_TIME_set(NULL, now)) == NULL ||
	    !X509_CRL_set1_lastUpdate(crl, t) ||
	    ASN1_TIME_adj(t, now, days, 0) == NULL ||
	    !X509_CRL_set1_nextUpdate(crl, t) ||
	    !ref_crl_entries(crl, rev, n) ||
	    (num = ASN1_INTEGER_new()) == NULL ||
	    !ASN1_INTEGER_set_int64(num, number) ||
	    !X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0))
		goto out;
	X509V3_set_ctx(&ctx, ca->cert, NULL, NULL, crl, 0);
	if ((ext = X509V3_EXT_nconf_nid(NULL, &ctx,
	    NID_authority_key_identifier, "keyid:always")) == NULL ||
	    !X509_CRL_add_ext(crl, ext, -1) ||
	    X509_CRL_sign(crl, ca->key, md) <= 0)
		goto out;
	ok = 1;
out:
	X509_EXTENSION_free(ext);
	ASN1_INTEGER_free(num);
	ASN1_TIME_free(t);
	if (!ok) {
		X509_CRL_free(crl);
		crl = NULL;
	}
	return crl;
}

/*
 * Fills the n entries of rev (serials written to hex, 42 octets each)
 * with serials of every shape: leading zeros, a set top bit with and
 * without a full 20 octets, odd digit counts, zero, and times either side
 * of 2050, where UTCTime gives way to GeneralizedTime.
 */
static void
ref_crl_input(struct ca_revoked *rev, char (*hex)[42], size_t n, time_t now)
{
	static const int	 reasons[] = { 0, 1, 2, 3, 4, 5, 6, 9, 10 };
	size_t			 i;

	for (i = 0; i < n; i++) {
		switch (i % 5) {
		case 0:
			snprintf(hex[i], 42, "000000%zX", i * 7919 + 1);
			break;
		case 1:
			snprintf(hex[i], 42, "%02zX%08zX", 0x80 | (i & 0x7f),
			    i);
			break;
		case 2:
			snprintf(hex[i], 42, "%zx", i);
			break;
		case 3:
			snprintf(hex[i], 42, "%s%038zX",
			    i % 10 == 3 ? "FF" : "7F", i);
			break;
		default:
			if (i == 4)
				snprintf(hex[i], 42, "0");
			else
				snprintf(hex[i], 42, "0000%08lx%04zx",
				    (unsigned long)((i * 2654435761UL) &
				    0xffffffffUL), i);
			break;
		}
		rev[i].serial_hex = hex[i];
		rev[i].reason = reasons[i % (sizeof(reasons) /
		    sizeof(reasons[0]))];
		if (i % 97 == 0)	/* 2050-01-01 on */
			rev[i].revoked_at = 2524608000LL + (long long)i;
		else if (i % 89 == 0)	/* 2049-12-31 23:59:59 */
			rev[i].revoked_at = 2524607999LL;
		else
			rev[i].revoked_at = (long long)now - 37 * (long long)i;
	}
}

/* Returns the DER of crl's TBSCertList (caller frees), or NULL. */
static unsigned char *
tbs_der(X509_CRL *crl, int *len)
{
	unsigned char	*der = NULL;

	*len = i2d_re_X509_CRL_tbs(crl, &der);
	return *len > 0 ? der : NULL;
}

/*
 * Builds a CRL of many entries with ca_crl and with X509_CRL objects and
 * checks they agree entry by entry and, when both carry the same
 * thisUpdate, byte for byte in the TBSCertList.
 */
static void
check_crl_reference(struct ca *ca, const EVP_MD *md)
{
	enum { N = 1000 };
	static struct ca_revoked rev[N];
	static char		 hex[N][42];
	unsigned char		*der, *a, *b, *ea = NULL, *eb = NULL;
	const unsigned char	*p;
	X509_CRL		*crl, *ref;
	STACK_OF(X509_REVOKED)	*ra, *rb;
	ASN1_INTEGER		*num;
	size_t			 len;
	int			 i, alen, blen, la, lb;

	ref_crl_input(rev, hex, N, time(NULL));
	der = ca_crl(ca, rev, N, 77, 7, &len);
	ref = ref_crl(ca, md, rev, N, 77, 7);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
	p = der;
	crl = d2i_X509_CRL(NULL, &p, (long)len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(crl);
	CU_ASSERT_EQUAL(p, der + len);
	CU_ASSERT_EQUAL(X509_CRL_verify(crl, X509_get0_pubkey(ca->cert)), 1);
	CU_ASSERT_EQUAL(X509_CRL_get_signature_nid(crl),
	    X509_CRL_get_signature_nid(ref));
	CU_ASSERT_EQUAL(X509_NAME_cmp(X509_CRL_get_issuer(crl),
	    X509_CRL_get_issuer(ref)), 0);
	num = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(num);
	CU_ASSERT_EQUAL(ASN1_INTEGER_get(num), 77);
	ASN1_INTEGER_free(num);
	CU_ASSERT_EQUAL(X509_CRL_get_ext_count(crl),
	    X509_CRL_get_ext_count(ref));
	ra = X509_CRL_get_REVOKED(crl);
	rb = X509_CRL_get_REVOKED(ref);
	CU_ASSERT_EQUAL_FATAL(sk_X509_REVOKED_num(ra), N);
	CU_ASSERT_EQUAL_FATAL(sk_X509_REVOKED_num(rb), N);
	for (i = 0; i < N; i++) {
		/* The same entries in the same order, encoded alike. */
		la = i2d_X509_REVOKED(sk_X509_REVOKED_value(ra, i), &ea);
		lb = i2d_X509_REVOKED(sk_X509_REVOKED_value(rb, i), &eb);
		CU_ASSERT(la > 0 && la == lb && memcmp(ea, eb, (size_t)la) == 0);
		OPENSSL_free(ea);
		OPENSSL_free(eb);
		ea = NULL;
		eb = NULL;
	}
	/* Built in the same second, the signed bytes are the same. */
	if (ASN1_TIME_compare(X509_CRL_get0_lastUpdate(crl),
	    X509_CRL_get0_lastUpdate(ref)) == 0) {
		a = tbs_der(crl, &alen);
		b = tbs_der(ref, &blen);
		CU_ASSERT(a != NULL && b != NULL && alen == blen &&
		    memcmp(a, b, (size_t)alen) == 0);
		OPENSSL_free(a);
		OPENSSL_free(b);
	}
	X509_CRL_free(ref);
	X509_CRL_free(crl);
	free(der);
}

static void
test_crl_reference_rsa(void)
{
	check_crl_reference(rsa_ca, EVP_sha256());
}

static void
test_crl_reference_ec(void)
{
	check_crl_reference(ec_ca, EVP_sha384());
}

static void
test_ra(void)
{
	char		*pem;
	X509		*ra;
	struct ca	*ca;

	pem = ca_ra_init(rsa_ca, path_in(0, "ra.key"),
	    "CN=certdesk SCEP RA,O=Demo Org,C=US", 365);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pem);
	CU_ASSERT_EQUAL(file_mode(path_in(0, "ra.key")), 0600);
	ra = ca_cert_from_pem(pem);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ra);
	CU_ASSERT_EQUAL(X509_get_key_usage(ra),
	    KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT);
	CU_ASSERT_EQUAL(X509_check_ca(ra), 0);
	CU_ASSERT_EQUAL(EVP_PKEY_get_base_id(X509_get0_pubkey(ra)),
	    EVP_PKEY_RSA);
	CU_ASSERT_EQUAL(EVP_PKEY_get_bits(X509_get0_pubkey(ra)), 2048);
	CU_ASSERT_EQUAL(verify(rsa_ca->cert, NULL, ra, 0, NULL), X509_V_OK);
	CU_ASSERT_EQUAL(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(ra),
	    X509_get0_subject_key_id(rsa_ca->cert)), 0);

	ca = ca_load(rsa_pem, path_in(0, "rsa-ca.key"), NULL, pem,
	    path_in(1, "ra.key"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(ca);
	CU_ASSERT_PTR_NOT_NULL(ca->ra_cert);
	CU_ASSERT_EQUAL(EVP_PKEY_eq(ca->ra_key, X509_get0_pubkey(ra)), 1);
	ca_free(ca);
	/* The RA certificate with another key, or half an RA, is refused. */
	CU_ASSERT_PTR_NULL(ca_load(rsa_pem, path_in(0, "rsa-ca.key"), NULL,
	    pem, path_in(1, "rsa-ca.key")));
	CU_ASSERT_PTR_NULL(ca_load(rsa_pem, path_in(0, "rsa-ca.key"), NULL,
	    pem, NULL));
	X509_free(ra);
	free(pem);
}

/*
 * Returns the PEM of an intermediate CA signed by rsa_ca for key (caller
 * frees), built by hand as an imported CA would come from elsewhere;
 * with_ski 0 leaves out SKI and AKI, as some old CAs do.
 */
static char *
intermediate_pem(EVP_PKEY *key, int with_ski)
{
	X509		*x = X509_new();
	X509_NAME	*n = name_cn("Demo Issuing CA");
	X509V3_CTX	 ctx;
	X509_EXTENSION	*e;
	char		*pem;
	static const struct {
		int		 nid;
		const char	*v;
	} exts[] = {
		{ NID_basic_constraints, "critical,CA:TRUE,pathlen:0" },
		{ NID_key_usage, "critical,keyCertSign,cRLSign" },
		{ NID_subject_key_identifier, "hash" },
		{ NID_authority_key_identifier, "keyid:always" },
	};
	size_t		 i;

	X509_set_version(x, X509_VERSION_3);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 4242);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, X509_get_subject_name(rsa_ca->cert));
	X509_gmtime_adj(X509_getm_notBefore(x), -60);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 365);
	X509_set_pubkey(x, key);
	X509V3_set_ctx(&ctx, rsa_ca->cert, x, NULL, NULL, 0);
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		if (!with_ski && (exts[i].nid == NID_subject_key_identifier ||
		    exts[i].nid == NID_authority_key_identifier))
			continue;
		e = X509V3_EXT_nconf_nid(NULL, &ctx, exts[i].nid, exts[i].v);
		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
	}
	X509_sign(x, rsa_ca->key, EVP_sha256());
	pem = ca_cert_pem(x);
	X509_free(x);
	X509_NAME_free(n);
	return pem;
}

static void
test_import_check(void)
{
	char		 err[256];
	char		*leaf_pem, *inter_pem;
	struct ca_issue	 r;
	X509_NAME	*subj = name_cn("www.example.com");
	X509		*leaf;
	EVP_PKEY	*ikey = key_ec("P-256");
	struct ca	*ica;
	STACK_OF(X509)	*untrusted;
	char		 hex[33];

	CU_ASSERT_EQUAL(ca_import_check(rsa_pem, path_in(0, "rsa-ca.key"),
	    NULL, err, sizeof(err)), 1);
	CU_ASSERT_EQUAL(ca_import_check(ec_pem, path_in(0, "ec-ca.key"),
	    NULL, err, sizeof(err)), 1);

	/* A key that does not match. */
	CU_ASSERT_EQUAL(ca_import_check(ec_pem, path_in(0, "rsa-ca.key"),
	    NULL, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "does not match"));
	CU_ASSERT_EQUAL(ca_import_check(ec_pem, path_in(0, "nonexistent"),
	    NULL, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(ca_import_check("garbage", path_in(0, "ec-ca.key"),
	    NULL, err, sizeof(err)), 0);

	/* A matching key but an end-entity certificate. */
	CU_ASSERT_EQUAL_FATAL(key_save(path_in(0, "leaf.key"), leaf_key), 1);
	tls_request(&r, leaf_key, subj);
	leaf = ca_issue(ec_ca, &r, hex);
	CU_ASSERT_PTR_NOT_NULL_FATAL(leaf);
	leaf_pem = ca_cert_pem(leaf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(leaf_pem);
	CU_ASSERT_EQUAL(ca_import_check(leaf_pem, path_in(0, "leaf.key"),
	    NULL, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a CA"));

	/* An intermediate with its root, the wrong root, or a stray. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(ikey);
	CU_ASSERT_EQUAL_FATAL(key_save(path_in(0, "inter.key"), ikey), 1);
	inter_pem = intermediate_pem(ikey, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(inter_pem);
	CU_ASSERT_EQUAL(ca_import_check(inter_pem, path_in(0, "inter.key"),
	    rsa_pem, err, sizeof(err)), 1);
	CU_ASSERT_EQUAL(ca_import_check(inter_pem, path_in(0, "inter.key"),
	    NULL, err, sizeof(err)), 1);
	CU_ASSERT_EQUAL(ca_import_check(inter_pem, path_in(0, "inter.key"),
	    ec_pem, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "chain"));
	{
		char	 both[16384];

		snprintf(both, sizeof(both), "%s%s", ec_pem, rsa_pem);
		CU_ASSERT_EQUAL(ca_import_check(inter_pem,
		    path_in(0, "inter.key"), both, err, sizeof(err)), 0);
	}

	/* Loaded with its chain, the intermediate issues verifiable certs. */
	ica = ca_load(inter_pem, path_in(0, "inter.key"), rsa_pem, NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ica);
	CU_ASSERT_EQUAL(sk_X509_num(ica->chain), 1);
	X509_free(leaf);
	leaf = ca_issue(ica, &r, hex);
	CU_ASSERT_PTR_NOT_NULL_FATAL(leaf);
	CU_ASSERT_EQUAL(X509_get_signature_nid(leaf), NID_ecdsa_with_SHA256);
	untrusted = sk_X509_new_null();
	sk_X509_push(untrusted, ica->cert);
	CU_ASSERT_EQUAL(verify(rsa_ca->cert, untrusted, leaf,
	    X509_PURPOSE_SSL_SERVER, NULL), X509_V_OK);
	sk_X509_free(untrusted);
	ca_free(ica);

	X509_free(leaf);
	free(leaf_pem);
	free(inter_pem);
	EVP_PKEY_free(ikey);
	X509_NAME_free(subj);
}

static void
test_legacy_ca_without_ski(void)
{
	EVP_PKEY		*ikey = key_ec("P-256");
	char			*pem, hex[33];
	struct ca		*ica;
	struct ca_issue		 r;
	X509_NAME		*subj = name_cn("www.example.com");
	X509			*leaf;
	AUTHORITY_KEYID		*akid;
	STACK_OF(X509)		*untrusted;
	struct ca_revoked	 rev;
	unsigned char		*der;
	size_t			 len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ikey);
	CU_ASSERT_EQUAL_FATAL(key_save(path_in(0, "old.key"), ikey), 1);
	pem = intermediate_pem(ikey, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pem);
	ica = ca_load(pem, path_in(0, "old.key"), rsa_pem, NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ica);
	CU_ASSERT_PTR_NULL(X509_get0_subject_key_id(ica->cert));
	tls_request(&r, leaf_key, subj);
	leaf = ca_issue(ica, &r, hex);
	CU_ASSERT_PTR_NOT_NULL_FATAL(leaf);
	/* AKI names the issuer by name and serial instead of a key id. */
	akid = X509_get_ext_d2i(leaf, NID_authority_key_identifier, NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(akid);
	CU_ASSERT_PTR_NULL(akid->keyid);
	CU_ASSERT_PTR_NOT_NULL(akid->issuer);
	CU_ASSERT_EQUAL(ASN1_INTEGER_cmp(akid->serial,
	    X509_get0_serialNumber(ica->cert)), 0);
	AUTHORITY_KEYID_free(akid);
	untrusted = sk_X509_new_null();
	sk_X509_push(untrusted, ica->cert);
	CU_ASSERT_EQUAL(verify(rsa_ca->cert, untrusted, leaf,
	    X509_PURPOSE_SSL_SERVER, NULL), X509_V_OK);
	sk_X509_free(untrusted);
	rev.serial_hex = hex;
	rev.revoked_at = (long long)time(NULL);
	rev.reason = 1;
	der = ca_crl(ica, &rev, 1, 1, 7, &len);
	CU_ASSERT_PTR_NOT_NULL(der);
	free(der);
	X509_free(leaf);
	ca_free(ica);
	free(pem);
	EVP_PKEY_free(ikey);
	X509_NAME_free(subj);
}

static void
test_pem_der(void)
{
	X509		*x, *back;
	unsigned char	*der;
	const unsigned char *p;
	size_t		 len;
	STACK_OF(X509)	*sk;
	char		 both[16384];

	x = ca_cert_from_pem(ec_pem);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	der = ca_cert_der(x, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	p = der;
	back = d2i_X509(NULL, &p, (long)len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);
	CU_ASSERT_EQUAL(X509_cmp(x, back), 0);
	X509_free(back);
	free(der);
	snprintf(both, sizeof(both), "%s%s", ec_pem, rsa_pem);
	sk = ca_chain_from_pem(both);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sk);
	CU_ASSERT_EQUAL(sk_X509_num(sk), 2);
	CU_ASSERT_EQUAL(X509_cmp(sk_X509_value(sk, 0), x), 0);
	sk_X509_pop_free(sk, X509_free);
	sk = ca_chain_from_pem("");
	CU_ASSERT_PTR_NOT_NULL_FATAL(sk);
	CU_ASSERT_EQUAL(sk_X509_num(sk), 0);
	sk_X509_pop_free(sk, X509_free);
	/* A damaged certificate in a chain is an error, not a shorter chain. */
	snprintf(both, sizeof(both), "%s-----BEGIN CERTIFICATE-----\nAAAA\n"
	    "-----END CERTIFICATE-----\n", ec_pem);
	CU_ASSERT_PTR_NULL(ca_chain_from_pem(both));
	CU_ASSERT_PTR_NULL(ca_cert_from_pem("nothing here"));
	X509_free(x);
}

static void
register_ca(void)
{
	CU_pSuite	 s;

	if (fixtures_init() != 0) {
		fprintf(stderr, "test_ca: cannot create the fixture CAs\n");
		exit(1);
	}
	if ((s = CU_add_suite("ca", NULL, suite_clean)) == NULL)
		exit(2);
	UNIT_ADD(s, test_init_rsa);
	UNIT_ADD(s, test_init_ec);
	UNIT_ADD(s, test_init_refuses);
	UNIT_ADD(s, test_init_escaped_subject);
	UNIT_ADD(s, test_load_roundtrip);
	UNIT_ADD(s, test_issue_verifies);
	UNIT_ADD(s, test_issue_spki_from_csr);
	UNIT_ADD(s, test_issue_extensions);
	UNIT_ADD(s, test_issue_key_usage);
	UNIT_ADD(s, test_issue_refuses);
	UNIT_ADD(s, test_issue_empty_subject_san_critical);
	UNIT_ADD(s, test_issue_caps_at_ca_expiry);
	UNIT_ADD(s, test_issue_ignores_csr_extensions);
	UNIT_ADD(s, test_crl_ec);
	UNIT_ADD(s, test_crl_rsa);
	UNIT_ADD(s, test_crl_refuses);
	UNIT_ADD(s, test_crl_reference_rsa);
	UNIT_ADD(s, test_crl_reference_ec);
	UNIT_ADD(s, test_ra);
	UNIT_ADD(s, test_import_check);
	UNIT_ADD(s, test_legacy_ca_without_ski);
	UNIT_ADD(s, test_pem_der);
	UNIT_ADD(s, test_serials_unique);
}

UNIT_MAIN(register_ca)
