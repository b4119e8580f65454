/* scep_client: the requester's side of RFC 8894, for tests and the load generator. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "buf.h"
#include "csr.h"
#include "log.h"
#include "scep.h"

/* Returns the messageData DER for r's messageType (malloc'ed, caller frees). */
static unsigned char *
scep_client_payload(const struct scep_client_req *r, size_t *len)
{
	PKCS7_ISSUER_AND_SERIAL	*ias = NULL;
	unsigned char		*der = NULL, *a = NULL, *b = NULL, *p;
	int			 n = -1, na, nb, total;

	switch (r->msg_type) {
	case SCEP_MSG_GETCERT:
	case SCEP_MSG_GETCRL:
		if (r->issuer == NULL || r->serial == NULL ||
		    (ias = PKCS7_ISSUER_AND_SERIAL_new()) == NULL)
			goto out;
		X509_NAME_free(ias->issuer);
		ASN1_INTEGER_free(ias->serial);
		ias->issuer = X509_NAME_dup(r->issuer);
		ias->serial = ASN1_INTEGER_dup(r->serial);
		if (ias->issuer == NULL || ias->serial == NULL)
			goto out;
		n = i2d_PKCS7_ISSUER_AND_SERIAL(ias, &a);
		break;
	case SCEP_MSG_CERTPOLL:
		/* IssuerAndSubject ::= SEQUENCE { issuer Name, subject Name } */
		if (r->issuer == NULL || r->subject == NULL ||
		    (na = i2d_X509_NAME(r->issuer, &a)) <= 0 ||
		    (nb = i2d_X509_NAME(r->subject, &b)) <= 0 ||
		    na > INT_MAX / 2 || nb > INT_MAX / 2)
			goto out;
		total = ASN1_object_size(1, na + nb, V_ASN1_SEQUENCE);
		if (total <= 0 || (der = malloc((size_t)total)) == NULL)
			goto out;
		p = der;
		ASN1_put_object(&p, 1, na + nb, V_ASN1_SEQUENCE,
		    V_ASN1_UNIVERSAL);
		memcpy(p, a, (size_t)na);
		memcpy(p + na, b, (size_t)nb);
		*len = (size_t)total;
		goto out;
	default:
		if (r->csr == NULL)
			goto out;
		n = i2d_X509_REQ(r->csr, &a);
		break;
	}
	if (n <= 0 || (der = malloc((size_t)n)) == NULL)
		goto out;
	memcpy(der, a, (size_t)n);
	*len = (size_t)n;
out:
	PKCS7_ISSUER_AND_SERIAL_free(ias);
	OPENSSL_free(a);
	OPENSSL_free(b);
	return der;
}

/* Returns i2d of cms in OpenSSL memory the caller frees with OPENSSL_free. */
static unsigned char *
scep_client_cms_der(CMS_ContentInfo *cms, int *len)
{
	unsigned char	*der = NULL;

	if ((*len = i2d_CMS_ContentInfo(cms, &der)) <= 0)
		return NULL;
	return der;
}

/* Writes the lowercase hex SHA-256 of key's SubjectPublicKeyInfo; returns 1 on success. */
static int
scep_client_key_hash(EVP_PKEY *key, char hex[65])
{
	X509_PUBKEY	*xpk = NULL;
	int		 rc;

	rc = X509_PUBKEY_set(&xpk, key) == 1 && csr_spki_sha256(xpk, hex);
	X509_PUBKEY_free(xpk);
	return rc;
}

unsigned char *
scep_client_request(const struct scep_client_req *r, size_t *len)
{
	CMS_ContentInfo		*env = NULL, *sd = NULL;
	CMS_RecipientInfo	*ri;
	CMS_SignerInfo		*si;
	EVP_PKEY_CTX		*pctx;
	BIO			*in = NULL, *ein = NULL;
	const EVP_CIPHER	*cipher;
	const EVP_MD		*md;
	unsigned char		*payload = NULL, *envder = NULL, *sdder = NULL;
	unsigned char		*der = NULL, nonce[16];
	const unsigned char	*np;
	size_t			 plen = 0, nlen;
	int			 envlen = 0, sdlen = 0;
	char			 hex[65], num[16];
	const char		*txid;

	if ((cipher = scep_cipher_by_nid(r->cipher_nid, 1)) == NULL ||
	    (md = EVP_get_digestbynid(r->digest_nid)) == NULL) {
		log_err("scep: client cipher or digest not available");
		goto out;
	}
	if ((payload = scep_client_payload(r, &plen)) == NULL ||
	    (in = BIO_new_mem_buf(payload, (int)plen)) == NULL) {
		log_ossl("scep: client messageData");
		goto out;
	}
	if ((env = CMS_encrypt(NULL, NULL, cipher, CMS_BINARY | CMS_PARTIAL)) == NULL ||
	    (ri = CMS_add1_recipient_cert(env, r->recipient_cert,
	    CMS_KEY_PARAM)) == NULL) {
		log_ossl("scep: client CMS_encrypt");
		goto out;
	}
	if (r->oaep && ((pctx = CMS_RecipientInfo_get0_pkey_ctx(ri)) == NULL ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_OAEP_PADDING) <= 0)) {
		log_ossl("scep: client OAEP");
		goto out;
	}
	if (!CMS_final(env, in, NULL, CMS_BINARY) ||
	    (envder = scep_client_cms_der(env, &envlen)) == NULL) {
		log_ossl("scep: client envelope");
		goto out;
	}

	if ((txid = r->txid) == NULL) {
		if (!scep_client_key_hash(r->csr != NULL ?
		    X509_REQ_get0_pubkey(r->csr) : r->signer_key, hex))
			goto out;
		txid = hex;
	}
	if ((np = r->nonce) == NULL) {
		if (RAND_bytes(nonce, sizeof(nonce)) != 1)
			goto out;
		np = nonce;
		nlen = sizeof(nonce);
	} else
		nlen = r->nonce_len;
	/* An explicit length: with -1 OpenSSL takes data for an ASN1_STRING. */
	if (nlen > INT_MAX || strlen(txid) > INT_MAX)
		goto out;
	snprintf(num, sizeof(num), "%d", r->msg_type);

	if ((sd = CMS_sign(NULL, NULL, NULL, NULL,
	    CMS_BINARY | CMS_PARTIAL)) == NULL ||
	    (si = CMS_add1_signer(sd, r->signer_cert, r->signer_key, md,
	    CMS_BINARY | CMS_NOSMIMECAP)) == NULL) {
		log_ossl("scep: client CMS_sign");
		goto out;
	}
	if (!CMS_signed_add1_attr_by_NID(si, scep_oid_nid(SCEP_OID_MESSAGETYPE),
	    V_ASN1_PRINTABLESTRING, num, (int)strlen(num)) ||
	    !CMS_signed_add1_attr_by_NID(si, scep_oid_nid(SCEP_OID_TRANSACTIONID),
	    V_ASN1_PRINTABLESTRING, txid, (int)strlen(txid)) ||
	    !CMS_signed_add1_attr_by_NID(si, scep_oid_nid(SCEP_OID_SENDERNONCE),
	    V_ASN1_OCTET_STRING, np, (int)nlen)) {
		log_ossl("scep: client attributes");
		goto out;
	}
	if ((ein = BIO_new_mem_buf(envder, envlen)) == NULL ||
	    !CMS_final(sd, ein, NULL, CMS_BINARY) ||
	    (sdder = scep_client_cms_der(sd, &sdlen)) == NULL) {
		log_ossl("scep: client signing");
		goto out;
	}
	if ((der = malloc((size_t)sdlen)) == NULL)
		goto out;
	memcpy(der, sdder, (size_t)sdlen);
	*len = (size_t)sdlen;
out:
	BIO_free(in);
	BIO_free(ein);
	CMS_ContentInfo_free(env);
	CMS_ContentInfo_free(sd);
	OPENSSL_free(envder);
	OPENSSL_free(sdder);
	free(payload);
	return der;
}

void
scep_reply_free(struct scep_reply *r)
{
	if (r == NULL)
		return;
	free(r->fail_text);
	free(r->transaction_id);
	free(r->recipient_nonce);
	free(r->sender_nonce);
	sk_X509_pop_free(r->certs, X509_free);
	X509_CRL_free(r->crl);
	free(r);
}

/* Returns attribute nid of si or NULL; borrowed from si. */
static X509_ATTRIBUTE *
scep_client_attr(const CMS_SignerInfo *si, int nid)
{
	int	 loc;

	if (nid == NID_undef || (loc = CMS_signed_get_attr_by_NID(si, nid, -1)) < 0)
		return NULL;
	return CMS_signed_get_attr(si, loc);
}

/* Parses a small decimal attribute; returns the value or -1. */
static int
scep_client_number(const CMS_SignerInfo *si, int nid)
{
	unsigned char	*s;
	size_t		 n = 0, i;
	int		 v = -1;

	if ((s = scep_attr_dup(scep_client_attr(si, nid), &n)) == NULL)
		return -1;
	if (n > 0 && n < 6) {
		v = 0;
		for (i = 0; i < n; i++) {
			if (s[i] < '0' || s[i] > '9') {
				v = -1;
				break;
			}
			v = v * 10 + (s[i] - '0');
		}
	}
	free(s);
	return v;
}

/* Decrypts a SUCCESS reply's envelope and collects its certificates and CRL; returns 1 on success. */
static int
scep_client_open(struct scep_reply *rep, BIO *content, X509 *cert,
    EVP_PKEY *key)
{
	PKCS7			*p7 = NULL, *inner = NULL;
	CMS_ContentInfo		*env = NULL;
	STACK_OF(X509)		*certs;
	STACK_OF(X509_CRL)	*crls;
	BIO			*out = NULL;
	BUF_MEM			*bm = NULL;
	const unsigned char	*p;
	char			*data;
	long			 n;
	int			 i, rc = 0;

	if ((n = BIO_get_mem_data(content, &data)) <= 0)
		goto out;
	p = (const unsigned char *)data;
	if ((p7 = d2i_PKCS7(NULL, &p, n)) == NULL || !PKCS7_type_is_enveloped(p7))
		goto out;
	rep->cipher_nid = OBJ_obj2nid(p7->d.enveloped->enc_data->algorithm->algorithm);
	p = (const unsigned char *)data;
	if ((env = d2i_CMS_ContentInfo(NULL, &p, n)) == NULL ||
	    (out = BIO_new(BIO_s_mem())) == NULL ||
	    !CMS_decrypt(env, key, cert, NULL, out, CMS_BINARY))
		goto out;
	BIO_get_mem_ptr(out, &bm);
	p = (const unsigned char *)bm->data;
	if ((inner = d2i_PKCS7(NULL, &p, (long)bm->length)) == NULL ||
	    !PKCS7_type_is_signed(inner))
		goto out;
	certs = inner->d.sign->cert;
	crls = inner->d.sign->crl;
	if ((rep->certs = sk_X509_new_null()) == NULL)
		goto out;
	for (i = 0; i < sk_X509_num(certs); i++) {
		X509	*x = sk_X509_value(certs, i);

		if (!X509_up_ref(x))
			goto out;
		if (!sk_X509_push(rep->certs, x)) {
			X509_free(x);
			goto out;
		}
	}
	if (sk_X509_CRL_num(crls) > 0 &&
	    (rep->crl = X509_CRL_dup(sk_X509_CRL_value(crls, 0))) == NULL)
		goto out;
	rc = 1;
out:
	BIO_free(out);
	CMS_ContentInfo_free(env);
	PKCS7_free(p7);
	PKCS7_free(inner);
	return rc;
}

struct scep_reply *
scep_client_parse_reply(const unsigned char *der, size_t len, X509 *ra_cert,
    X509 *signer_cert, EVP_PKEY *signer_key)
{
	CMS_ContentInfo			*cms = NULL;
	STACK_OF(CMS_SignerInfo)	*sis;
	STACK_OF(X509)			*ra = NULL;
	CMS_SignerInfo			*si;
	X509_ALGOR			*dig = NULL, *sig = NULL;
	BIO				*content = NULL;
	struct scep_reply		*rep = NULL, *ret = NULL;
	const unsigned char		*p = der;
	size_t				 n = 0;

	ERR_set_mark();
	if (len > LONG_MAX ||
	    (cms = d2i_CMS_ContentInfo(NULL, &p, (long)len)) == NULL ||
	    OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed ||
	    (sis = CMS_get0_SignerInfos(cms)) == NULL ||
	    sk_CMS_SignerInfo_num(sis) != 1) {
		log_err("scep: reply is not a SignedData with one signer");
		goto out;
	}
	si = sk_CMS_SignerInfo_value(sis, 0);
	if ((rep = calloc(1, sizeof(*rep))) == NULL)
		goto out;
	rep->cipher_nid = NID_undef;
	CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, &sig);
	rep->digest_nid = dig != NULL ? OBJ_obj2nid(dig->algorithm) : NID_undef;
	rep->sig_nid = sig != NULL ? OBJ_obj2nid(sig->algorithm) : NID_undef;
	if (rep->sig_nid != NID_rsaEncryption) {
		log_err("scep: reply signature algorithm is %s, not rsaEncryption",
		    OBJ_nid2sn(rep->sig_nid));
		goto out;
	}
	/* Only the RA certificate may have signed it; no chain is needed. */
	if ((ra = sk_X509_new_null()) == NULL || !sk_X509_push(ra, ra_cert) ||
	    (content = BIO_new(BIO_s_mem())) == NULL ||
	    !CMS_verify(cms, ra, NULL, NULL, content, CMS_NOINTERN |
	    CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY)) {
		log_ossl("scep: reply signature does not verify");
		goto out;
	}
	rep->message_type = scep_client_number(si,
	    scep_oid_nid(SCEP_OID_MESSAGETYPE));
	rep->status = scep_client_number(si, scep_oid_nid(SCEP_OID_PKISTATUS));
	rep->fail_info = scep_client_number(si, scep_oid_nid(SCEP_OID_FAILINFO));
	rep->fail_text = (char *)scep_attr_dup(scep_client_attr(si,
	    scep_oid_nid(SCEP_OID_FAILINFOTEXT)), &n);
	rep->transaction_id = (char *)scep_attr_dup(scep_client_attr(si,
	    scep_oid_nid(SCEP_OID_TRANSACTIONID)), &n);
	rep->recipient_nonce = scep_attr_dup(scep_client_attr(si,
	    scep_oid_nid(SCEP_OID_RECIPIENTNONCE)), &rep->recipient_nonce_len);
	rep->sender_nonce = scep_attr_dup(scep_client_attr(si,
	    scep_oid_nid(SCEP_OID_SENDERNONCE)), &rep->sender_nonce_len);
	if (rep->message_type != SCEP_MSG_CERTREP || rep->status < 0 ||
	    rep->transaction_id == NULL || rep->recipient_nonce == NULL ||
	    rep->sender_nonce == NULL) {
		log_err("scep: reply lacks a required attribute");
		goto out;
	}
	if (rep->status == SCEP_STATUS_FAILURE && rep->fail_info < 0) {
		log_err("scep: FAILURE reply without failInfo");
		goto out;
	}
	if (rep->status == SCEP_STATUS_SUCCESS &&
	    !scep_client_open(rep, content, signer_cert, signer_key)) {
		log_ossl("scep: cannot open the reply envelope");
		goto out;
	}
	ret = rep;
out:
	if (ret == NULL)
		scep_reply_free(rep);
	BIO_free(content);
	sk_X509_free(ra);
	CMS_ContentInfo_free(cms);
	ERR_pop_to_mark();
	return ret;
}

X509 *
scep_client_selfsigned(EVP_PKEY *key, const char *cn)
{
	X509		*x;
	X509_NAME	*name;

	if ((x = X509_new()) == NULL)
		return NULL;
	name = X509_get_subject_name(x);
	if (!X509_set_version(x, X509_VERSION_3) ||
	    !ASN1_INTEGER_set(X509_get_serialNumber(x), 1) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0) ||
	    !X509_set_issuer_name(x, name) ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), 86400) == NULL ||
	    !X509_set_pubkey(x, key) || X509_sign(x, key, EVP_sha256()) <= 0) {
		X509_free(x);
		return NULL;
	}
	return x;
}

X509_REQ *
scep_client_csr(EVP_PKEY *key, const char *cn, const char *code)
{
	X509_REQ	*req;

	if ((req = X509_REQ_new()) == NULL)
		return NULL;
	if (!X509_REQ_set_version(req, X509_REQ_VERSION_1) ||
	    !X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(req), "CN",
	    MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0) ||
	    !X509_REQ_set_pubkey(req, key) ||
	    (code != NULL && !X509_REQ_add1_attr_by_NID(req,
	    NID_pkcs9_challengePassword, MBSTRING_ASC,
	    (const unsigned char *)code, -1)) ||
	    X509_REQ_sign(req, key, EVP_sha256()) <= 0) {
		X509_REQ_free(req);
		return NULL;
	}
	return req;
}
