/* test_scep_codec: RFC 8894 codec round trips, failure mapping and GET decoding. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pkcs7.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "csr.h"
#include "log.h"
#include "scep.h"
#include "unit.h"

static EVP_PKEY	*ca_key, *ra_key, *cl_key;
static X509	*ca_cert, *ra_cert, *cl_cert, *issued;
static X509_REQ	*cl_csr;
static struct scep_keys	 keys;

/* Returns a fresh RSA 2048 key (caller frees). */
static EVP_PKEY *
gen_rsa(void)
{
	EVP_PKEY	*k = EVP_RSA_gen(2048);

	if (k == NULL) {
		ERR_print_errors_fp(stderr);
		exit(2);
	}
	return k;
}

/* Adds extension nid=value to x, issued by iss; exits on failure. */
static void
add_ext(X509 *x, X509 *iss, int nid, const char *value)
{
	X509V3_CTX	 ctx;
	X509_EXTENSION	*e;

	X509V3_set_ctx(&ctx, iss, x, NULL, NULL, 0);
	if ((e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL ||
	    !X509_add_ext(x, e, -1)) {
		ERR_print_errors_fp(stderr);
		exit(2);
	}
	X509_EXTENSION_free(e);
}

/*
 * Returns an unsigned certificate for pub named cn, valid from `from` to
 * `to` days from now, issued by iss (self-issued when iss is NULL).
 */
static X509 *
make_cert(const char *cn, EVP_PKEY *pub, X509 *iss, long from, long to,
    int serial)
{
	X509		*x = X509_new();
	X509_NAME	*n = X509_NAME_new();

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, iss != NULL ? X509_get_subject_name(iss) : n);
	X509_gmtime_adj(X509_getm_notBefore(x), from * 86400);
	X509_gmtime_adj(X509_getm_notAfter(x), to * 86400);
	X509_set_pubkey(x, pub);
	X509_NAME_free(n);
	add_ext(x, iss != NULL ? iss : x, NID_subject_key_identifier, "hash");
	return x;
}

/* Signs x with key; exits on failure. */
static void
sign_cert(X509 *x, EVP_PKEY *key)
{
	if (!X509_sign(x, key, EVP_sha256())) {
		ERR_print_errors_fp(stderr);
		exit(2);
	}
}

/* Returns a signed CSR for key with CN cn and PKCS#10 version v (caller frees). */
static X509_REQ *
make_csr(EVP_PKEY *key, const char *cn, long v)
{
	X509_REQ	*r = X509_REQ_new();
	X509_NAME	*n = X509_NAME_new();

	X509_REQ_set_version(r, v);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_REQ_set_subject_name(r, n);
	X509_NAME_free(n);
	X509_REQ_set_pubkey(r, key);
	X509_REQ_add1_attr_by_NID(r, NID_pkcs9_challengePassword,
	    MBSTRING_ASC, (const unsigned char *)"access-code-1", -1);
	if (!X509_REQ_sign(r, key, EVP_sha256())) {
		ERR_print_errors_fp(stderr);
		exit(2);
	}
	return r;
}

static int
suite_init(void)
{
	log_init("test_scep_codec");
	ca_key = gen_rsa();
	ra_key = gen_rsa();
	cl_key = gen_rsa();
	ca_cert = make_cert("Test SCEP CA", ca_key, NULL, -1, 3650, 1);
	add_ext(ca_cert, ca_cert, NID_basic_constraints, "critical,CA:TRUE");
	sign_cert(ca_cert, ca_key);
	ra_cert = make_cert("Test SCEP RA", ra_key, ca_cert, -1, 365, 2);
	add_ext(ra_cert, ca_cert, NID_key_usage,
	    "critical,digitalSignature,keyEncipherment");
	sign_cert(ra_cert, ca_key);
	cl_cert = make_cert("device-1.example.com", cl_key, NULL, -1, 1, 3);
	sign_cert(cl_cert, cl_key);
	issued = make_cert("device-1.example.com", cl_key, ca_cert,
	    0, 365, 4);
	sign_cert(issued, ca_key);
	cl_csr = make_csr(cl_key, "device-1.example.com", 0);
	keys.ra_cert = ra_cert;
	keys.ra_key = ra_key;
	keys.ca_cert = ca_cert;
	keys.ca_key = ca_key;
	return 0;
}

static int
suite_clean(void)
{
	X509_free(ca_cert);
	X509_free(ra_cert);
	X509_free(cl_cert);
	X509_free(issued);
	X509_REQ_free(cl_csr);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(ra_key);
	EVP_PKEY_free(cl_key);
	scep_cleanup();
	return 0;
}

/* Returns a request template: PKCSReq, AES-256, SHA-256, v1.5, to the RA. */
static struct scep_client_req
base_req(void)
{
	struct scep_client_req	 r;

	memset(&r, 0, sizeof(r));
	r.msg_type = SCEP_MSG_PKCSREQ;
	r.csr = cl_csr;
	r.signer_cert = cl_cert;
	r.signer_key = cl_key;
	r.recipient_cert = ra_cert;
	r.cipher_nid = NID_aes_256_cbc;
	r.digest_nid = NID_sha256;
	return r;
}

/* Builds r and parses it with the test keys; returns the message or NULL. */
static struct scep_msg *
build_parse(const struct scep_client_req *r, int allow_des)
{
	unsigned char	*der;
	size_t		 len = 0;
	struct scep_msg	*m;

	der = scep_client_request(r, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	m = scep_parse(der, len, &keys, allow_des);
	free(der);
	return m;
}

/* Returns a SUCCESS CertRep for m carrying the issued and CA certificates, parsed by the client. */
static struct scep_reply *
reply_success(const struct scep_msg *m)
{
	STACK_OF(X509)		*certs = sk_X509_new_null();
	unsigned char		*der;
	size_t			 len = 0;
	struct scep_reply	*rep;

	sk_X509_push(certs, issued);
	sk_X509_push(certs, ca_cert);
	der = scep_certrep(m, ra_cert, ra_key, SCEP_STATUS_SUCCESS, -1, NULL,
	    certs, NULL, &len);
	sk_X509_free(certs);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	rep = scep_client_parse_reply(der, len, ra_cert, cl_cert, cl_key);
	free(der);
	return rep;
}

static void
test_roundtrip_matrix(void)
{
	static const int	 ciphers[] = { NID_des_ede3_cbc, NID_aes_128_cbc,
	    NID_aes_192_cbc, NID_aes_256_cbc };
	static const int	 digests[] = { NID_sha1, NID_sha256, NID_sha512 };
	struct scep_client_req	 r = base_req();
	struct scep_msg		*m;
	struct scep_reply	*rep;
	unsigned char		 nonce[16];
	char			 hex[65];
	size_t			 c, d;
	int			 oaep;

	memset(nonce, 0xa5, sizeof(nonce));
	r.nonce = nonce;
	r.nonce_len = sizeof(nonce);
	for (c = 0; c < sizeof(ciphers) / sizeof(ciphers[0]); c++)
	for (d = 0; d < sizeof(digests) / sizeof(digests[0]); d++)
	for (oaep = 0; oaep < 2; oaep++) {
		r.cipher_nid = ciphers[c];
		r.digest_nid = digests[d];
		r.oaep = oaep;
		m = build_parse(&r, 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		CU_ASSERT_EQUAL(m->fail_info, SCEP_FAIL_NONE);
		if (m->fail_info != SCEP_FAIL_NONE)
			fprintf(stderr, "%s/%s/%d: %s\n", OBJ_nid2sn(ciphers[c]),
			    OBJ_nid2sn(digests[d]), oaep, m->fail_text);
		CU_ASSERT_EQUAL(m->type, SCEP_MSG_PKCSREQ);
		CU_ASSERT_EQUAL(m->cipher_nid, ciphers[c]);
		CU_ASSERT_EQUAL(m->digest_nid, digests[d]);
		CU_ASSERT_EQUAL(m->keytrans_nid,
		    oaep ? NID_rsaesOaep : NID_rsaEncryption);
		CU_ASSERT_EQUAL(m->recipient, SCEP_RECIPIENT_RA);
		CU_ASSERT_TRUE(m->has_signing_time);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m->csr);
		CU_ASSERT_EQUAL(X509_NAME_cmp(X509_REQ_get_subject_name(m->csr),
		    X509_REQ_get_subject_name(cl_csr)), 0);
		CU_ASSERT_EQUAL(X509_cmp(m->signer, cl_cert), 0);
		/* The default transactionID is the key hash the server checks. */
		CU_ASSERT_TRUE(scep_msg_pubkey_sha256(m, hex));
		CU_ASSERT_STRING_EQUAL(m->transaction_id, hex);

		rep = reply_success(m);
		CU_ASSERT_PTR_NOT_NULL_FATAL(rep);
		CU_ASSERT_EQUAL(rep->status, SCEP_STATUS_SUCCESS);
		CU_ASSERT_EQUAL(rep->cipher_nid, ciphers[c]);
		CU_ASSERT_EQUAL(rep->digest_nid, digests[d]);
		CU_ASSERT_EQUAL(rep->sig_nid, NID_rsaEncryption);
		CU_ASSERT_STRING_EQUAL(rep->transaction_id, m->transaction_id);
		CU_ASSERT_EQUAL(rep->recipient_nonce_len, sizeof(nonce));
		CU_ASSERT_EQUAL(memcmp(rep->recipient_nonce, nonce,
		    sizeof(nonce)), 0);
		CU_ASSERT_EQUAL(rep->sender_nonce_len, 16);
		CU_ASSERT_PTR_NOT_NULL_FATAL(rep->certs);
		CU_ASSERT_EQUAL_FATAL(sk_X509_num(rep->certs), 2);
		CU_ASSERT_EQUAL(X509_cmp(sk_X509_value(rep->certs, 0), issued), 0);
		CU_ASSERT_EQUAL(X509_cmp(sk_X509_value(rep->certs, 1), ca_cert), 0);
		scep_reply_free(rep);
		scep_msg_free(m);
	}
}

/* Checks the CertRep's encoding directly, not through our own client. */
static void
test_certrep_encoding(void)
{
	struct scep_client_req	 r = base_req();
	struct scep_msg		*m;
	PKCS7			*p7;
	PKCS7_SIGNER_INFO	*si;
	X509_ALGOR		*dig = NULL, *sig = NULL;
	unsigned char		*der;
	const unsigned char	*p;
	size_t			 len = 0;

	r.digest_nid = NID_sha384;
	m = build_parse(&r, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	der = scep_certrep(m, ra_cert, ra_key, SCEP_STATUS_PENDING, -1, NULL,
	    NULL, NULL, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	p = der;
	p7 = d2i_PKCS7(NULL, &p, (long)len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p7);
	CU_ASSERT_TRUE(PKCS7_type_is_signed(p7));
	CU_ASSERT_EQUAL_FATAL(sk_PKCS7_SIGNER_INFO_num(PKCS7_get_signer_info(p7)), 1);
	si = sk_PKCS7_SIGNER_INFO_value(PKCS7_get_signer_info(p7), 0);
	PKCS7_SIGNER_INFO_get0_algs(si, NULL, &dig, &sig);
	CU_ASSERT_EQUAL(OBJ_obj2nid(dig->algorithm), NID_sha384);
	CU_ASSERT_EQUAL(OBJ_obj2nid(sig->algorithm), NID_rsaEncryption);
	/* The RA certificate travels with the reply. */
	CU_ASSERT_EQUAL_FATAL(sk_X509_num(p7->d.sign->cert), 1);
	CU_ASSERT_EQUAL(X509_cmp(sk_X509_value(p7->d.sign->cert, 0), ra_cert), 0);
	CU_ASSERT_PTR_NOT_NULL(PKCS7_get_signed_attribute(si,
	    NID_pkcs9_signingTime));
	CU_ASSERT_PTR_NOT_NULL(PKCS7_get_signed_attribute(si,
	    NID_pkcs9_messageDigest));
	CU_ASSERT_PTR_NOT_NULL(PKCS7_get_signed_attribute(si,
	    NID_pkcs9_contentType));
	CU_ASSERT_PTR_NULL(PKCS7_get_signed_attribute(si,
	    scep_oid_nid(SCEP_OID_FAILINFO)));
	PKCS7_free(p7);
	free(der);
	scep_msg_free(m);
}

static void
test_nonces(void)
{
	static const unsigned char	 seven[7] = { 1, 2, 3, 4, 5, 6, 7 };
	struct scep_client_req		 r = base_req();
	struct scep_msg			*m;
	struct scep_reply		*a, *b;

	r.nonce = seven;
	r.nonce_len = sizeof(seven);
	r.txid = "my-transaction-42";
	m = build_parse(&r, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(m->fail_info, SCEP_FAIL_NONE);
	CU_ASSERT_EQUAL(m->sender_nonce_len, 7);
	CU_ASSERT_STRING_EQUAL(m->transaction_id, "my-transaction-42");
	a = reply_success(m);
	b = reply_success(m);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(a->recipient_nonce_len, 7);
	CU_ASSERT_EQUAL(memcmp(a->recipient_nonce, seven, 7), 0);
	CU_ASSERT_STRING_EQUAL(a->transaction_id, "my-transaction-42");
	CU_ASSERT_EQUAL(a->sender_nonce_len, 16);
	CU_ASSERT_EQUAL(b->sender_nonce_len, 16);
	CU_ASSERT_NOT_EQUAL(memcmp(a->sender_nonce, b->sender_nonce, 16), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(a->sender_nonce, seven, 7), 0);
	scep_reply_free(a);
	scep_reply_free(b);
	scep_msg_free(m);
}

static void
test_failure_and_pending_replies(void)
{
	struct scep_client_req	 r = base_req();
	struct scep_msg		*m;
	struct scep_reply	*rep;
	unsigned char		*der;
	size_t			 len = 0;

	m = build_parse(&r, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	der = scep_certrep(m, ra_cert, ra_key, SCEP_STATUS_FAILURE,
	    SCEP_FAIL_BADREQUEST, "challenge password is wrong", NULL, NULL,
	    &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	rep = scep_client_parse_reply(der, len, ra_cert, cl_cert, cl_key);
	free(der);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rep);
	CU_ASSERT_EQUAL(rep->status, SCEP_STATUS_FAILURE);
	CU_ASSERT_EQUAL(rep->fail_info, SCEP_FAIL_BADREQUEST);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rep->fail_text);
	CU_ASSERT_STRING_EQUAL(rep->fail_text, "challenge password is wrong");
	CU_ASSERT_PTR_NULL(rep->certs);
	CU_ASSERT_STRING_EQUAL(rep->transaction_id, m->transaction_id);
	scep_reply_free(rep);

	der = scep_certrep(m, ra_cert, ra_key, SCEP_STATUS_PENDING, -1, NULL,
	    NULL, NULL, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	rep = scep_client_parse_reply(der, len, ra_cert, cl_cert, cl_key);
	free(der);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rep);
	CU_ASSERT_EQUAL(rep->status, SCEP_STATUS_PENDING);
	CU_ASSERT_EQUAL(rep->fail_info, -1);
	CU_ASSERT_PTR_NULL(rep->fail_text);
	scep_reply_free(rep);

	/* A reply not signed by the RA is rejected by a strict client. */
	der = scep_certrep(m, ca_cert, ca_key, SCEP_STATUS_PENDING, -1, NULL,
	    NULL, NULL, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	CU_ASSERT_PTR_NULL(scep_client_parse_reply(der, len, ra_cert, cl_cert,
	    cl_key));
	free(der);
	scep_msg_free(m);
}

static void
test_des(void)
{
	struct scep_client_req	 r = base_req();
	struct scep_msg		*m;
	struct scep_reply	*rep;

	r.cipher_nid = NID_des_cbc;
	r.digest_nid = NID_sha1;
	m = build_parse(&r, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(m->fail_info, SCEP_FAIL_BADALG);
	CU_ASSERT_PTR_NOT_NULL(strstr(m->fail_text, "DES"));
	CU_ASSERT_PTR_NULL(m->csr);
	scep_msg_free(m);

	m = build_parse(&r, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(m->fail_info, SCEP_FAIL_NONE);
	CU_ASSERT_EQUAL(m->cipher_nid, NID_des_cbc);
	CU_ASSERT_PTR_NOT_NULL(m->csr);
	rep = reply_success(m);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rep);
	CU_ASSERT_EQUAL(rep->cipher_nid, NID_des_cbc);
	CU_ASSERT_EQUAL(rep->digest_nid, NID_sha1);
	scep_reply_free(rep);
	scep_msg_free(m);
}

static void
test_md5_is_badalg(void)
{
	struct scep_client_req	 r = base_req();
	struct scep_msg		*m;
	struct scep_reply	*rep;
	unsigned char		*der;
	size_t			 len = 0;

	r.digest_nid = NID_md5;
	m = build_parse(&r, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(m->fail_info, SCEP_FAIL_BADALG);
	CU_ASSERT_STRING_EQUAL(m->fail_text, "digest MD5 is not supported");
	/* The FAILURE reply itself must not be signed with MD5. */
	der = scep_certrep(m, ra_cert, ra_key, SCEP_STATUS_FAILURE,
	    m->fail_info, m->fail_text, NULL, NULL, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	rep = scep_client_parse_reply(der, len, ra_cert, cl_cert, cl_key);
	free(der);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rep);
	CU_ASSERT_EQUAL(rep->fail_info, SCEP_FAIL_BADALG);
	CU_ASSERT_NOT_EQUAL(rep->digest_nid, NID_md5);
	scep_reply_free(rep);
	scep_msg_free(m);
}

/* Re-encodes a request after changing it with fn; returns the parsed message. */
static struct scep_msg *
tamper_parse(void (*fn)(CMS_ContentInfo *))
{
	struct scep_client_req	 r = base_req();
	CMS_ContentInfo		*cms;
	unsigned char		*der, *out = NULL;
	const unsigned char	*p;
	size_t			 len = 0;
	int			 n;
	struct scep_msg		*m;

	der = scep_client_request(&r, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	p = der;
	cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cms);
	fn(cms);
	n = i2d_CMS_ContentInfo(cms, &out);
	CU_ASSERT_FATAL(n > 0);
	m = scep_parse(out, (size_t)n, &keys, 0);
	OPENSSL_free(out);
	CMS_ContentInfo_free(cms);
	free(der);
	return m;
}

/* Changes the last byte of the signed content (inside the ciphertext). */
static void
flip_content(CMS_ContentInfo *cms)
{
	ASN1_OCTET_STRING	**pos = CMS_get0_content(cms);
	unsigned char		*d = (unsigned char *)ASN1_STRING_get0_data(*pos);

	d[ASN1_STRING_length(*pos) - 1] ^= 0x01;
}

/* Changes one byte of the SignerInfo's signature. */
static void
flip_signature(CMS_ContentInfo *cms)
{
	CMS_SignerInfo		*si = sk_CMS_SignerInfo_value(
	    CMS_get0_SignerInfos(cms), 0);
	ASN1_OCTET_STRING	*sig = CMS_SignerInfo_get0_signature(si);
	unsigned char		*d = (unsigned char *)ASN1_STRING_get0_data(sig);

	d[ASN1_STRING_length(sig) / 2] ^= 0x40;
}

static void
test_bad_message_check(void)
{
	struct scep_client_req	 r = base_req();
	struct scep_msg		*m;

	m = tamper_parse(flip_content);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(m->fail_info, SCEP_FAIL_BADMESSAGECHECK);
	CU_ASSERT_STRING_EQUAL(m->fail_text,
	    "messageDigest attribute does not match");
	CU_ASSERT_PTR_NULL(m->csr);
	scep_msg_free(m);

	m = tamper_parse(flip_signature);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(m->fail_info, SCEP_FAIL_BADMESSAGECHECK);
	CU_ASSERT_STRING_EQUAL(m->fail_text,
	    "signature of the pkiMessage does not verify");
	scep_msg_free(m);

	/* Encrypted to the client's own certificate, not to the RA or CA. */
	r.recipient_cert = cl_cert;
	m = build_parse(&r, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(m->fail_info, SCEP_FAIL_BADMESSAGECHECK);
	CU_ASSERT_STRING_EQUAL(m->fail_text,
	    "envelope is not encrypted to this server");
	/* Identifiers are kept so that the FAILURE can be answered. */
	CU_ASSERT_PTR_NOT_NULL(m->transaction_id);
	CU_ASSERT_PTR_NOT_NULL(m->sender_nonce);
	scep_msg_free(m);
}

static void
test_unknown_type(void)
{
	struct scep_client_req	 r = base_req();
	struct scep_msg		*m;

	r.msg_type = 99;
	m = build_parse(&r, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(m->type, 99);
	CU_ASSERT_EQUAL(m->fail_info, SCEP_FAIL_BADREQUEST);
	CU_ASSERT_PTR_NOT_NULL(strstr(m->fail_text, "99"));
	scep_msg_free(m);
}

static void
test_unparseable(void)
{
	struct scep_client_req	 r = base_req();
	STACK_OF(X509)		*certs = sk_X509_new_null();
	unsigned char		*der, garbage[300];
	size_t			 len = 0, i;

	der = scep_client_request(&r, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	CU_ASSERT_PTR_NULL(scep_parse(der, len / 2, &keys, 0));
	CU_ASSERT_PTR_NULL(scep_parse(der, 10, &keys, 0));
	CU_ASSERT_PTR_NULL(scep_parse(der, 0, &keys, 0));
	free(der);
	for (i = 0; i < sizeof(garbage); i++)
		garbage[i] = (unsigned char)(i * 7 + 3);
	CU_ASSERT_PTR_NULL(scep_parse(garbage, sizeof(garbage), &keys, 0));
	/* A SignedData without SCEP attributes has no transactionID to answer. */
	sk_X509_push(certs, ra_cert);
	der = scep_certs_only(certs, &len);
	sk_X509_free(certs);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	CU_ASSERT_PTR_NULL(scep_parse(der, len, &keys, 0));
	free(der);
	CU_ASSERT_EQUAL(ERR_peek_error(), 0);
}

static void
test_lenient_signers(void)
{
	struct scep_client_req	 r = base_req();
	struct scep_msg		*m;
	X509			*expired, *other, *aki;
	X509_REQ		*v3csr;

	expired = make_cert("device-1.example.com", cl_key, NULL,
	    -30, -1, 5);
	sign_cert(expired, cl_key);
	other = make_cert("throwaway signer", cl_key, NULL, -1, 1, 6);
	sign_cert(other, cl_key);
	aki = make_cert("device-1.example.com", cl_key, NULL, -1, 1, 7);
	add_ext(aki, aki, NID_authority_key_identifier,
	    "critical,keyid:always");
	sign_cert(aki, cl_key);

	r.signer_cert = expired;
	m = build_parse(&r, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(m->fail_info, SCEP_FAIL_NONE);
	CU_ASSERT_EQUAL(X509_cmp(m->signer, expired), 0);
	scep_msg_free(m);

	r.signer_cert = other;
	m = build_parse(&r, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(m->fail_info, SCEP_FAIL_NONE);
	CU_ASSERT_PTR_NOT_NULL(m->csr);
	scep_msg_free(m);

	r.signer_cert = aki;
	m = build_parse(&r, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(m->fail_info, SCEP_FAIL_NONE);
	scep_msg_free(m);

	/* A PKCS#10 with a wrong version number still decodes. */
	v3csr = make_csr(cl_key, "device-1.example.com", 2);
	r.signer_cert = cl_cert;
	r.csr = v3csr;
	m = build_parse(&r, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(m->fail_info, SCEP_FAIL_NONE);
	CU_ASSERT_PTR_NOT_NULL(m->csr);
	scep_msg_free(m);

	X509_REQ_free(v3csr);
	X509_free(expired);
	X509_free(other);
	X509_free(aki);
}

static void
test_envelope_to_ca(void)
{
	struct scep_client_req	 r = base_req();
	struct scep_msg		*m;
	struct scep_keys	 caonly = { NULL, NULL, ca_cert, ca_key };

	r.recipient_cert = ca_cert;
	r.msg_type = SCEP_MSG_RENEWALREQ;
	m = build_parse(&r, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(m->fail_info, SCEP_FAIL_NONE);
	CU_ASSERT_EQUAL(m->type, SCEP_MSG_RENEWALREQ);
	CU_ASSERT_EQUAL(m->recipient, SCEP_RECIPIENT_CA);
	CU_ASSERT_PTR_NOT_NULL(m->csr);
	scep_msg_free(m);

	/* Without an RA the CA alone must do. */
	{
		unsigned char	*der;
		size_t		 len = 0;

		der = scep_client_request(&r, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(der);
		m = scep_parse(der, len, &caonly, 0);
		free(der);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		CU_ASSERT_EQUAL(m->fail_info, SCEP_FAIL_NONE);
		scep_msg_free(m);
	}
}

static void
test_query_payloads(void)
{
	struct scep_client_req	 r = base_req();
	struct scep_msg		*m;
	struct scep_reply	*rep;
	X509_CRL		*crl;
	unsigned char		*der;
	size_t			 len = 0;

	r.csr = NULL;
	r.msg_type = SCEP_MSG_GETCERT;
	r.issuer = X509_get_issuer_name(issued);
	r.serial = X509_get_serialNumber(issued);
	m = build_parse(&r, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(m->fail_info, SCEP_FAIL_NONE);
	CU_ASSERT_EQUAL(m->type, SCEP_MSG_GETCERT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m->issuer);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m->serial);
	CU_ASSERT_EQUAL(X509_NAME_cmp(m->issuer, X509_get_subject_name(ca_cert)), 0);
	CU_ASSERT_EQUAL(ASN1_INTEGER_get(m->serial), 4);
	scep_msg_free(m);

	r.msg_type = SCEP_MSG_GETCRL;
	m = build_parse(&r, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(m->fail_info, SCEP_FAIL_NONE);
	CU_ASSERT_EQUAL(m->type, SCEP_MSG_GETCRL);
	CU_ASSERT_EQUAL(ASN1_INTEGER_get(m->serial), 4);
	/* GetCRL SUCCESS carries the CRL inside the envelope. */
	crl = X509_CRL_new();
	X509_CRL_set_version(crl, 1);
	X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca_cert));
	{
		ASN1_TIME	*t = X509_time_adj_ex(NULL, 0, 0, NULL);

		X509_CRL_set1_lastUpdate(crl, t);
		ASN1_TIME_free(t);
		t = X509_time_adj_ex(NULL, 7, 0, NULL);
		X509_CRL_set1_nextUpdate(crl, t);
		ASN1_TIME_free(t);
	}
	X509_CRL_sign(crl, ca_key, EVP_sha256());
	der = scep_certrep(m, ra_cert, ra_key, SCEP_STATUS_SUCCESS, -1, NULL,
	    NULL, crl, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	rep = scep_client_parse_reply(der, len, ra_cert, cl_cert, cl_key);
	free(der);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rep);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rep->crl);
	CU_ASSERT_EQUAL(X509_CRL_cmp(rep->crl, crl), 0);
	scep_reply_free(rep);
	X509_CRL_free(crl);
	scep_msg_free(m);

	r.msg_type = SCEP_MSG_CERTPOLL;
	r.serial = NULL;
	r.issuer = X509_get_subject_name(ca_cert);
	r.subject = X509_REQ_get_subject_name(cl_csr);
	m = build_parse(&r, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(m->fail_info, SCEP_FAIL_NONE);
	CU_ASSERT_EQUAL(m->type, SCEP_MSG_CERTPOLL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m->subject);
	CU_ASSERT_EQUAL(X509_NAME_cmp(m->issuer, r.issuer), 0);
	CU_ASSERT_EQUAL(X509_NAME_cmp(m->subject, r.subject), 0);
	CU_ASSERT_PTR_NULL(m->csr);
	scep_msg_free(m);
}

/* Returns 1 when the lenient decoder turns in into the bytes want. */
static int
b64_is(const char *in, const char *want)
{
	struct buf	 b = { NULL, 0, 0 };
	int		 ok;

	ok = scep_b64_decode_lenient(in, strlen(in), &b) &&
	    b.len == strlen(want) && (b.len == 0 || memcmp(b.data, want, b.len) == 0);
	buf_free(&b);
	return ok;
}

static void
test_b64_lenient(void)
{
	struct buf	 b = { NULL, 0, 0 };
	unsigned char	 bin[] = { 0xfb, 0xff, 0xbf, 0x00, 0x10 };
	struct scep_client_req	 r = base_req();
	unsigned char	*der;
	char		*enc;
	size_t		 len = 0, i, j;
	struct scep_msg	*m;
	int		 n;

	CU_ASSERT_TRUE(b64_is("aGVsbG8gd29ybGQ=", "hello world"));
	CU_ASSERT_TRUE(b64_is("aGVsbG8gd29ybGQ", "hello world"));
	CU_ASSERT_TRUE(b64_is("aGVs\nbG8g%0Ad29y\r\nbGQ=", "hello world"));
	CU_ASSERT_TRUE(b64_is("aGVs%0abG8gd29ybGQ%3D", "hello world"));
	CU_ASSERT_FALSE(b64_is("aGVsbG8=d29ybGQ", "hello world"));
	CU_ASSERT_FALSE(b64_is("aGVs*bG8", "hel"));
	CU_ASSERT_FALSE(b64_is("aGVsb", "hel"));
	/* +/ alphabet, space for '+', and URL-safe -_ all decode alike. */
	CU_ASSERT_TRUE(scep_b64_decode_lenient("+/+/ABA", 7, &b));
	CU_ASSERT_EQUAL(b.len, sizeof(bin));
	CU_ASSERT_EQUAL(memcmp(b.data, bin, sizeof(bin)), 0);
	buf_free(&b);
	CU_ASSERT_TRUE(scep_b64_decode_lenient(" / /ABA=", 8, &b));
	CU_ASSERT_EQUAL(memcmp(b.data, bin, sizeof(bin)), 0);
	buf_free(&b);
	CU_ASSERT_TRUE(scep_b64_decode_lenient("-_-_ABA", 7, &b));
	CU_ASSERT_EQUAL(memcmp(b.data, bin, sizeof(bin)), 0);
	buf_free(&b);

	/* A whole pkiMessage mangled the way GET clients mangle it. */
	der = scep_client_request(&r, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	enc = malloc(len * 2 + 8);
	n = EVP_EncodeBlock((unsigned char *)enc, der, (int)len);
	CU_ASSERT_FATAL(n > 0);
	{
		char	*mangled = malloc((size_t)n * 2 + 8);

		for (i = 0, j = 0; i < (size_t)n; i++) {
			if (i > 0 && i % 64 == 0) {
				memcpy(mangled + j, "%0A", 3);
				j += 3;
			}
			if (enc[i] == '+')
				mangled[j++] = ' ';
			else if (enc[i] == '/')
				mangled[j++] = '_';
			else if (enc[i] != '=')
				mangled[j++] = enc[i];
		}
		CU_ASSERT_TRUE(scep_b64_decode_lenient(mangled, j, &b));
		free(mangled);
	}
	CU_ASSERT_EQUAL(b.len, len);
	m = scep_parse(b.data, b.len, &keys, 0);
	CU_ASSERT_PTR_NOT_NULL(m);
	if (m != NULL)
		CU_ASSERT_EQUAL(m->fail_info, SCEP_FAIL_NONE);
	scep_msg_free(m);
	buf_free(&b);
	free(enc);
	free(der);
}

static void
test_certs_only_and_caps(void)
{
	STACK_OF(X509)		*certs = sk_X509_new_null();
	PKCS7			*p7;
	unsigned char		*der;
	const unsigned char	*p;
	size_t			 len = 0;
	char			*caps;

	sk_X509_push(certs, ra_cert);
	sk_X509_push(certs, ca_cert);
	der = scep_certs_only(certs, &len);
	sk_X509_free(certs);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	p = der;
	p7 = d2i_PKCS7(NULL, &p, (long)len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p7);
	CU_ASSERT_TRUE(PKCS7_type_is_signed(p7));
	CU_ASSERT_EQUAL(sk_PKCS7_SIGNER_INFO_num(PKCS7_get_signer_info(p7)), 0);
	CU_ASSERT_EQUAL_FATAL(sk_X509_num(p7->d.sign->cert), 2);
	CU_ASSERT_EQUAL(X509_cmp(sk_X509_value(p7->d.sign->cert, 0), ra_cert), 0);
	CU_ASSERT_EQUAL(X509_cmp(sk_X509_value(p7->d.sign->cert, 1), ca_cert), 0);
	PKCS7_free(p7);
	free(der);

	caps = scep_caps(0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(caps);
	CU_ASSERT_STRING_EQUAL(caps, "AES\nDES3\nPOSTPKIOperation\nRenewal\n"
	    "SHA-1\nSHA-256\nSHA-384\nSHA-512\nSCEPStandard\n");
	free(caps);
	caps = scep_caps(1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(caps);
	CU_ASSERT_PTR_NOT_NULL(strstr(caps, "\nGetNextCACert\n"));
	free(caps);

	CU_ASSERT_TRUE(scep_txid_valid("0123abcdef"));
	CU_ASSERT_TRUE(scep_txid_valid("Windows (test) 1:2"));
	CU_ASSERT_FALSE(scep_txid_valid(""));
	CU_ASSERT_FALSE(scep_txid_valid("a;b"));
	CU_ASSERT_FALSE(scep_txid_valid("a\nb"));
}

/* Writes prefix (if any) and len bytes to dir/name; used to refresh the fuzz seeds. */
static void
write_seed(const char *dir, const char *name, const char *prefix,
    const void *p, size_t len)
{
	char	 path[512];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL)
		return;
	if (prefix != NULL)
		fwrite(prefix, 1, strlen(prefix), f);
	fwrite(p, 1, len, f);
	fclose(f);
}

/*
 * With SCEP_SEED_DIR set, writes seeds for fuzz_scep: whole pkiMessages,
 * 'P' + type selector + bare messageData, and 'B' + a mangled GET value.
 */
static void
test_write_fuzz_seeds(void)
{
	struct scep_client_req	 r = base_req();
	const char		*dir = getenv("SCEP_SEED_DIR");
	unsigned char		*der, *p = NULL;
	size_t			 len = 0;
	int			 n;

	if (dir == NULL)
		return;
	der = scep_client_request(&r, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	write_seed(dir, "pkcsreq-aes256-sha256", NULL, der, len);
	free(der);
	r.msg_type = SCEP_MSG_GETCERT;
	r.csr = NULL;
	r.issuer = X509_get_issuer_name(issued);
	r.serial = X509_get_serialNumber(issued);
	r.cipher_nid = NID_des_ede3_cbc;
	r.digest_nid = NID_sha1;
	r.oaep = 1;
	r.nonce = (const unsigned char *)"1234567";
	r.nonce_len = 7;
	der = scep_client_request(&r, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	write_seed(dir, "getcert-3des-sha1-oaep", NULL, der, len);
	free(der);

	n = i2d_X509_REQ(cl_csr, &p);
	CU_ASSERT_FATAL(n > 0);
	write_seed(dir, "payload-pkcsreq", "PA", p, (size_t)n);
	OPENSSL_free(p);
	p = NULL;
	n = i2d_X509_NAME(X509_get_subject_name(ca_cert), &p);
	CU_ASSERT_FATAL(n > 0);
	{
		unsigned char	 seq[4] = { 0x30, 0x82, 0, 0 };
		struct buf	 b = { NULL, 0, 0 };

		seq[2] = (unsigned char)((2 * n) >> 8);
		seq[3] = (unsigned char)(2 * n);
		buf_append(&b, seq, 4);
		buf_append(&b, p, (size_t)n);
		buf_append(&b, p, (size_t)n);
		write_seed(dir, "payload-certpoll", "PC", b.data, b.len);
		buf_free(&b);
	}
	OPENSSL_free(p);
	write_seed(dir, "get-mangled", "B", "aGVs\nbG8g%0Ad29y-_ bGQ", 22);
}

/*
 * The client helpers make what a device sends first: a self-signed signer
 * that verifies with its own key, and a CSR the server's parser accepts
 * with the challenge where the server looks for it.
 */
static void
test_client_helpers(void)
{
	X509		*x = scep_client_selfsigned(cl_key, "device-42");
	X509_REQ	*req = scep_client_csr(cl_key, "device-42.example.com",
			    "the-code");
	X509_REQ	*bare = scep_client_csr(cl_key, "d.example.com", NULL);
	struct csr	*c;
	char		 err[256];

	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_PTR_NOT_NULL_FATAL(req);
	CU_ASSERT_PTR_NOT_NULL_FATAL(bare);
	CU_ASSERT(X509_verify(x, cl_key) == 1);
	CU_ASSERT(X509_check_issued(x, x) == X509_V_OK);
	CU_ASSERT(X509_cmp_current_time(X509_get0_notAfter(x)) > 0);
	c = csr_from_req(req, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(c->cn, "device-42.example.com");
	CU_ASSERT_STRING_EQUAL(c->challenge, "the-code");
	csr_free(c);
	CU_ASSERT_EQUAL(X509_REQ_get_attr_by_NID(bare,
	    NID_pkcs9_challengePassword, -1), -1);
	X509_REQ_free(bare);
	X509_free(x);
}

static void
register_tests(void)
{
	CU_pSuite	 s;

	s = CU_add_suite("scep_codec", suite_init, suite_clean);
	UNIT_ADD(s, test_roundtrip_matrix);
	UNIT_ADD(s, test_certrep_encoding);
	UNIT_ADD(s, test_nonces);
	UNIT_ADD(s, test_failure_and_pending_replies);
	UNIT_ADD(s, test_des);
	UNIT_ADD(s, test_md5_is_badalg);
	UNIT_ADD(s, test_bad_message_check);
	UNIT_ADD(s, test_unknown_type);
	UNIT_ADD(s, test_unparseable);
	UNIT_ADD(s, test_lenient_signers);
	UNIT_ADD(s, test_envelope_to_ca);
	UNIT_ADD(s, test_query_payloads);
	UNIT_ADD(s, test_b64_lenient);
	UNIT_ADD(s, test_certs_only_and_caps);
	UNIT_ADD(s, test_client_helpers);
	UNIT_ADD(s, test_write_fuzz_seeds);
}

UNIT_MAIN(register_tests)
