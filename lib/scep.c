/* scep: RFC 8894 server side: parse pkiMessages, build CertRep and GetCACert/GetCACaps payloads. */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/cms.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/provider.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "buf.h"
#include "csr.h"
#include "log.h"
#include "scep.h"

/* Largest message we accept: d2i takes a long, and no real request is near this. */
#define SCEP_MAX_DER	(4L * 1024 * 1024)

static CRYPTO_ONCE	 scep_oid_once = CRYPTO_ONCE_STATIC_INIT;
static int		 scep_oid_nids[SCEP_OID__MAX];
static CRYPTO_ONCE	 scep_legacy_once = CRYPTO_ONCE_STATIC_INIT;
static int		 scep_legacy_ok;
/* Kept for the life of the process; reachable, so leak checkers agree. */
static OSSL_PROVIDER	*scep_prov_legacy, *scep_prov_default;

/* Registers the SCEP attribute OIDs (OpenSSL knows none of them). */
static void
scep_oid_init(void)
{
	static const struct {
		const char	*oid, *sn, *ln;
	} oids[SCEP_OID__MAX] = {
		{ "2.16.840.1.113733.1.9.2", "scepMessageType", "SCEP messageType" },
		{ "2.16.840.1.113733.1.9.3", "scepPkiStatus", "SCEP pkiStatus" },
		{ "2.16.840.1.113733.1.9.4", "scepFailInfo", "SCEP failInfo" },
		{ "2.16.840.1.113733.1.9.5", "scepSenderNonce", "SCEP senderNonce" },
		{ "2.16.840.1.113733.1.9.6", "scepRecipientNonce", "SCEP recipientNonce" },
		{ "2.16.840.1.113733.1.9.7", "scepTransactionID", "SCEP transactionID" },
		{ "1.3.6.1.5.5.7.24.1", "scepFailInfoText", "SCEP failInfoText" },
	};
	size_t	 i;
	int	 nid;

	for (i = 0; i < SCEP_OID__MAX; i++) {
		if ((nid = OBJ_txt2nid(oids[i].oid)) == NID_undef)
			nid = OBJ_create(oids[i].oid, oids[i].sn, oids[i].ln);
		if (nid == NID_undef)
			log_ossl("scep: OBJ_create %s", oids[i].oid);
		scep_oid_nids[i] = nid;
	}
}

int
scep_oid_nid(enum scep_oid which)
{
	if (which >= SCEP_OID__MAX ||
	    !CRYPTO_THREAD_run_once(&scep_oid_once, scep_oid_init))
		return NID_undef;
	return scep_oid_nids[which];
}

/*
 * Loads the legacy provider for single DES.  Loading it makes the default
 * provider no longer implicit, so load that explicitly too.
 */
static void
scep_legacy_init(void)
{
	if ((scep_prov_legacy = OSSL_PROVIDER_load(NULL, "legacy")) == NULL ||
	    (scep_prov_default = OSSL_PROVIDER_load(NULL, "default")) == NULL) {
		log_ossl("scep: cannot load the legacy provider");
		return;
	}
	scep_legacy_ok = 1;
}

void
scep_cleanup(void)
{
	if (scep_prov_legacy != NULL)
		OSSL_PROVIDER_unload(scep_prov_legacy);
	if (scep_prov_default != NULL)
		OSSL_PROVIDER_unload(scep_prov_default);
	scep_prov_legacy = scep_prov_default = NULL;
}

const EVP_CIPHER *
scep_cipher_by_nid(int nid, int allow_des)
{
	switch (nid) {
	case NID_des_ede3_cbc:
		return EVP_des_ede3_cbc();
	case NID_aes_128_cbc:
		return EVP_aes_128_cbc();
	case NID_aes_192_cbc:
		return EVP_aes_192_cbc();
	case NID_aes_256_cbc:
		return EVP_aes_256_cbc();
	case NID_des_cbc:
		if (!allow_des ||
		    !CRYPTO_THREAD_run_once(&scep_legacy_once, scep_legacy_init) ||
		    !scep_legacy_ok)
			return NULL;
		return EVP_des_cbc();
	default:
		return NULL;
	}
}

const EVP_MD *
scep_digest_by_nid(int nid)
{
	switch (nid) {
	case NID_sha1:
		return EVP_sha1();
	case NID_sha256:
		return EVP_sha256();
	case NID_sha384:
		return EVP_sha384();
	case NID_sha512:
		return EVP_sha512();
	default:
		return NULL;
	}
}

unsigned char *
scep_attr_dup(X509_ATTRIBUTE *a, size_t *len)
{
	ASN1_TYPE	*t;
	unsigned char	*p;
	size_t		 n;

	if (a == NULL || X509_ATTRIBUTE_count(a) != 1 ||
	    (t = X509_ATTRIBUTE_get0_type(a, 0)) == NULL)
		return NULL;
	/* Devices disagree on string types; any string form will do. */
	switch (t->type) {
	case V_ASN1_PRINTABLESTRING:
	case V_ASN1_UTF8STRING:
	case V_ASN1_IA5STRING:
	case V_ASN1_T61STRING:
	case V_ASN1_OCTET_STRING:
		break;
	default:
		return NULL;
	}
	n = (size_t)ASN1_STRING_length(t->value.asn1_string);
	if ((p = malloc(n + 1)) == NULL)
		return NULL;
	if (n > 0)
		memcpy(p, ASN1_STRING_get0_data(t->value.asn1_string), n);
	p[n] = '\0';
	*len = n;
	return p;
}

/* Returns the value 0-63 of a base64 character in either alphabet, or -1. */
static int
scep_b64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == ' ' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* Returns the value of a hex digit or -1. */
static int
scep_hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Written by hand because EVP_DecodeBlock insists on padding and the
 * standard alphabet, and what devices send has neither reliably.
 */
int
scep_b64_decode_lenient(const char *in, size_t len, struct buf *out)
{
	unsigned long	 acc = 0;
	unsigned char	 b;
	size_t		 i;
	int		 c, v, bits = 0, pad = 0;

	for (i = 0; i < len; i++) {
		c = (unsigned char)in[i];
		/* Base64 never contains '%', so a %XX left over is URL encoding. */
		if (c == '%' && i + 2 < len &&
		    scep_hex_value(in[i + 1]) >= 0 &&
		    scep_hex_value(in[i + 2]) >= 0) {
			c = scep_hex_value(in[i + 1]) * 16 +
			    scep_hex_value(in[i + 2]);
			i += 2;
		}
		if (c == '\r' || c == '\n' || c == '\t')
			continue;
		if (c == '=') {
			pad = 1;
			continue;
		}
		if (pad || (v = scep_b64_value(c)) < 0)
			return 0;
		acc = (acc << 6) | (unsigned long)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			b = (unsigned char)(acc >> bits);
			if (!buf_append(out, &b, 1))
				return 0;
			acc &= (1UL << bits) - 1;
		}
	}
	/* One dangling character carries only 6 bits: not a whole byte. */
	return bits < 6;
}

int
scep_msg_fail(struct scep_msg *msg, int fail_info, const char *fmt, ...)
{
	va_list	 ap;

	msg->fail_info = fail_info;
	va_start(ap, fmt);
	vsnprintf(msg->fail_text, sizeof(msg->fail_text), fmt, ap);
	va_end(ap);
	return 0;
}

void
scep_msg_free(struct scep_msg *msg)
{
	if (msg == NULL)
		return;
	free(msg->transaction_id);
	free(msg->sender_nonce);
	X509_free(msg->signer);
	X509_REQ_free(msg->csr);
	X509_NAME_free(msg->issuer);
	X509_NAME_free(msg->subject);
	ASN1_INTEGER_free(msg->serial);
	free(msg);
}

int
scep_txid_valid(const char *txid)
{
	size_t	 i;

	if (txid == NULL || txid[0] == '\0')
		return 0;
	for (i = 0; txid[i] != '\0'; i++) {
		if (i >= 128)
			return 0;
		/* PrintableString: letters, digits, space and '()+,-./:=? */
		if (!isalnum((unsigned char)txid[i]) &&
		    strchr(" '()+,-./:=?", txid[i]) == NULL)
			return 0;
	}
	return 1;
}

const char *
scep_msg_type_name(int type)
{
	switch (type) {
	case SCEP_MSG_CERTREP:
		return "CertRep";
	case SCEP_MSG_RENEWALREQ:
		return "RenewalReq";
	case SCEP_MSG_PKCSREQ:
		return "PKCSReq";
	case SCEP_MSG_CERTPOLL:
		return "CertPoll";
	case SCEP_MSG_GETCERT:
		return "GetCert";
	case SCEP_MSG_GETCRL:
		return "GetCRL";
	default:
		return "unknown";
	}
}

int
scep_msg_pubkey_sha256(const struct scep_msg *msg, char hex[65])
{
	if (msg->csr == NULL)
		return 0;
	return csr_spki_sha256(X509_REQ_get_X509_PUBKEY(msg->csr), hex);
}

/* Returns attribute nid of si or NULL; borrowed from si. */
static X509_ATTRIBUTE *
scep_si_attr(const CMS_SignerInfo *si, int nid)
{
	int	 loc;

	if (nid == NID_undef || (loc = CMS_signed_get_attr_by_NID(si, nid, -1)) < 0)
		return NULL;
	return CMS_signed_get_attr(si, loc);
}

/* Parses a decimal messageType; returns 1 and sets *type, or 0. */
static int
scep_parse_number(const unsigned char *s, size_t len, int *type)
{
	size_t	 i;
	int	 v = 0;

	if (len == 0 || len > 6)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*type = v;
	return 1;
}

/* Reads the signingTime attribute if there is one, leniently. */
static void
scep_read_signing_time(struct scep_msg *msg, const CMS_SignerInfo *si)
{
	X509_ATTRIBUTE	*a;
	ASN1_TYPE	*t;
	ASN1_TIME	*tm = NULL;
	struct tm	 tmv;

	if ((a = scep_si_attr(si, NID_pkcs9_signingTime)) == NULL ||
	    X509_ATTRIBUTE_count(a) != 1 ||
	    (t = X509_ATTRIBUTE_get0_type(a, 0)) == NULL)
		return;
	if (t->type == V_ASN1_UTCTIME)
		tm = t->value.utctime;
	else if (t->type == V_ASN1_GENERALIZEDTIME)
		tm = t->value.generalizedtime;
	if (tm == NULL || !ASN1_TIME_to_tm(tm, &tmv))
		return;
	msg->signing_time = timegm(&tmv);
	msg->has_signing_time = 1;
}

/* Returns an upper-case display name for an algorithm NID; static. */
static const char *
scep_alg_name(int nid)
{
	switch (nid) {
	case NID_md5:
		return "MD5";
	case NID_md2:
		return "MD2";
	case NID_md4:
		return "MD4";
	case NID_des_cbc:
		return "DES";
	case NID_rc2_cbc:
	case NID_rc2_40_cbc:
	case NID_rc2_64_cbc:
		return "RC2";
	case NID_undef:
		return "(unknown)";
	default:
		return OBJ_nid2sn(nid);
	}
}

/* Decodes an IssuerAndSubject SEQUENCE; returns 1 on success. */
static int
scep_parse_issuer_subject(struct scep_msg *msg, const unsigned char *p,
    size_t len)
{
	const unsigned char	*q = p, *end;
	long			 sl;
	int			 tag, cls, r;

	r = ASN1_get_object(&q, &sl, &tag, &cls, (long)len);
	if ((r & 0x80) || r == 0x21 || tag != V_ASN1_SEQUENCE ||
	    cls != V_ASN1_UNIVERSAL)
		return 0;
	end = q + sl;
	if ((msg->issuer = d2i_X509_NAME(NULL, &q, end - q)) == NULL ||
	    (msg->subject = d2i_X509_NAME(NULL, &q, end - q)) == NULL)
		return 0;
	return 1;
}

int
scep_parse_payload(struct scep_msg *msg, const unsigned char *p, size_t len)
{
	PKCS7_ISSUER_AND_SERIAL	*ias = NULL;
	const unsigned char	*q = p;
	int			 rc = 0;

	if (len > SCEP_MAX_DER)
		return scep_msg_fail(msg, SCEP_FAIL_BADREQUEST,
		    "messageData is too large");
	ERR_set_mark();
	switch (msg->type) {
	case SCEP_MSG_PKCSREQ:
	case SCEP_MSG_RENEWALREQ:
		/* d2i does not judge the version field, which old devices get wrong. */
		if ((msg->csr = d2i_X509_REQ(NULL, &q, (long)len)) == NULL) {
			scep_msg_fail(msg, SCEP_FAIL_BADREQUEST,
			    "PKCS#10 request does not parse");
			goto out;
		}
		break;
	case SCEP_MSG_GETCERT:
	case SCEP_MSG_GETCRL:
		if ((ias = d2i_PKCS7_ISSUER_AND_SERIAL(NULL, &q, (long)len)) == NULL) {
			scep_msg_fail(msg, SCEP_FAIL_BADREQUEST,
			    "IssuerAndSerialNumber does not parse");
			goto out;
		}
		if ((msg->issuer = X509_NAME_dup(ias->issuer)) == NULL ||
		    (msg->serial = ASN1_INTEGER_dup(ias->serial)) == NULL) {
			log_ossl("scep: copying IssuerAndSerialNumber");
			scep_msg_fail(msg, SCEP_FAIL_BADREQUEST,
			    "IssuerAndSerialNumber cannot be read");
			goto out;
		}
		break;
	case SCEP_MSG_CERTPOLL:
		if (!scep_parse_issuer_subject(msg, p, len)) {
			scep_msg_fail(msg, SCEP_FAIL_BADREQUEST,
			    "IssuerAndSubject does not parse");
			goto out;
		}
		break;
	default:
		break;
	}
	rc = 1;
out:
	PKCS7_ISSUER_AND_SERIAL_free(ias);
	/* Decoding errors are answered in fail_text, not left queued. */
	ERR_pop_to_mark();
	return rc;
}

/*
 * Opens the pkcsPKIEnvelope in os with whichever server key it is
 * addressed to; returns 1 with the plaintext in plain, or 0 with the
 * failure recorded in msg.
 */
static int
scep_open_envelope(struct scep_msg *msg, const ASN1_OCTET_STRING *os,
    const struct scep_keys *keys, int allow_des, struct buf *plain)
{
	PKCS7				*p7 = NULL;
	CMS_ContentInfo			*env = NULL;
	STACK_OF(CMS_RecipientInfo)	*ris;
	CMS_RecipientInfo		*ri;
	X509_ALGOR			*kalg = NULL;
	BIO				*out = NULL;
	X509				*cert = NULL;
	EVP_PKEY			*key = NULL;
	BUF_MEM				*bm = NULL;
	const unsigned char		*p;
	int				 i, rc = 0, knid;

	/*
	 * CMS has no getter for the content-encryption algorithm, but the
	 * PKCS7 structures are public: read it there, decrypt with CMS,
	 * which also understands RSAES-OAEP.
	 */
	ERR_set_mark();
	p = ASN1_STRING_get0_data(os);
	if ((p7 = d2i_PKCS7(NULL, &p, ASN1_STRING_length(os))) == NULL ||
	    !PKCS7_type_is_enveloped(p7) || p7->d.enveloped == NULL ||
	    p7->d.enveloped->enc_data == NULL ||
	    p7->d.enveloped->enc_data->algorithm == NULL) {
		scep_msg_fail(msg, SCEP_FAIL_BADMESSAGECHECK,
		    "content is not a pkcsPKIEnvelope (EnvelopedData)");
		goto out;
	}
	msg->cipher_nid = OBJ_obj2nid(p7->d.enveloped->enc_data->algorithm->algorithm);
	if (msg->cipher_nid == NID_des_cbc && !allow_des) {
		scep_msg_fail(msg, SCEP_FAIL_BADALG,
		    "content encryption DES is not allowed");
		goto out;
	}
	if (scep_cipher_by_nid(msg->cipher_nid, allow_des) == NULL) {
		scep_msg_fail(msg, SCEP_FAIL_BADALG,
		    "content encryption %s is not supported",
		    scep_alg_name(msg->cipher_nid));
		goto out;
	}

	p = ASN1_STRING_get0_data(os);
	if ((env = d2i_CMS_ContentInfo(NULL, &p, ASN1_STRING_length(os))) == NULL ||
	    (ris = CMS_get0_RecipientInfos(env)) == NULL) {
		scep_msg_fail(msg, SCEP_FAIL_BADMESSAGECHECK,
		    "pkcsPKIEnvelope does not parse");
		goto out;
	}
	for (i = 0; i < sk_CMS_RecipientInfo_num(ris) && key == NULL; i++) {
		ri = sk_CMS_RecipientInfo_value(ris, i);
		if (CMS_RecipientInfo_type(ri) != CMS_RECIPINFO_TRANS)
			continue;
		if (keys->ra_cert != NULL && keys->ra_key != NULL &&
		    CMS_RecipientInfo_ktri_cert_cmp(ri, keys->ra_cert) == 0) {
			cert = keys->ra_cert;
			key = keys->ra_key;
			msg->recipient = SCEP_RECIPIENT_RA;
		} else if (keys->ca_cert != NULL && keys->ca_key != NULL &&
		    CMS_RecipientInfo_ktri_cert_cmp(ri, keys->ca_cert) == 0) {
			cert = keys->ca_cert;
			key = keys->ca_key;
			msg->recipient = SCEP_RECIPIENT_CA;
		} else
			continue;
		if (!CMS_RecipientInfo_ktri_get0_algs(ri, NULL, NULL, &kalg) ||
		    kalg == NULL)
			knid = NID_undef;
		else
			knid = OBJ_obj2nid(kalg->algorithm);
		msg->keytrans_nid = knid;
	}
	if (key == NULL) {
		scep_msg_fail(msg, SCEP_FAIL_BADMESSAGECHECK,
		    "envelope is not encrypted to this server");
		goto out;
	}
	if (msg->keytrans_nid != NID_rsaEncryption &&
	    msg->keytrans_nid != NID_rsaesOaep) {
		scep_msg_fail(msg, SCEP_FAIL_BADALG,
		    "key transport %s is not supported",
		    scep_alg_name(msg->keytrans_nid));
		goto out;
	}
	/* Secure memory BIO: the plaintext holds the challengePassword. */
	if ((out = BIO_new(BIO_s_secmem())) == NULL) {
		log_ossl("scep: BIO_new");
		scep_msg_fail(msg, SCEP_FAIL_BADMESSAGECHECK,
		    "envelope cannot be decrypted");
		goto out;
	}
	if (!CMS_decrypt_set1_pkey(env, key, cert) ||
	    !CMS_decrypt(env, NULL, NULL, NULL, out, CMS_BINARY)) {
		scep_msg_fail(msg, SCEP_FAIL_BADMESSAGECHECK,
		    "envelope cannot be decrypted");
		goto out;
	}
	BIO_get_mem_ptr(out, &bm);
	if (bm == NULL || !buf_append(plain, bm->data, bm->length)) {
		scep_msg_fail(msg, SCEP_FAIL_BADMESSAGECHECK,
		    "envelope cannot be decrypted");
		goto out;
	}
	rc = 1;
out:
	BIO_free(out);
	CMS_ContentInfo_free(env);
	PKCS7_free(p7);
	ERR_pop_to_mark();
	return rc;
}

/*
 * Checks the content digest against the messageDigest attribute ourselves
 * so that a mismatch can be told apart from a bad signature.
 */
static int
scep_check_message_digest(const CMS_SignerInfo *si, const EVP_MD *md,
    const ASN1_OCTET_STRING *os)
{
	unsigned char	*want = NULL, got[EVP_MAX_MD_SIZE];
	unsigned int	 gotlen = 0;
	size_t		 wantlen = 0;
	int		 rc = 0;

	if ((want = scep_attr_dup(scep_si_attr(si, NID_pkcs9_messageDigest),
	    &wantlen)) == NULL)
		goto out;
	if (!EVP_Digest(ASN1_STRING_get0_data(os),
	    (size_t)ASN1_STRING_length(os), got, &gotlen, md, NULL))
		goto out;
	rc = wantlen == gotlen && CRYPTO_memcmp(want, got, gotlen) == 0;
out:
	free(want);
	return rc;
}

struct scep_msg *
scep_parse(const unsigned char *der, size_t len, const struct scep_keys *keys,
    int allow_des)
{
	CMS_ContentInfo			*cms = NULL;
	STACK_OF(CMS_SignerInfo)	*sis;
	CMS_SignerInfo			*si;
	X509_ALGOR			*dig = NULL;
	X509				*signer = NULL;
	ASN1_OCTET_STRING		**pos;
	const EVP_MD			*md;
	struct scep_msg			*msg = NULL, *ret = NULL;
	struct buf			 plain = { NULL, 0, 0 };
	unsigned char			*s = NULL;
	const unsigned char		*p = der;
	size_t				 slen = 0;

	ERR_set_mark();
	if (der == NULL || len == 0 || len > SCEP_MAX_DER)
		goto out;
	if ((cms = d2i_CMS_ContentInfo(NULL, &p, (long)len)) == NULL ||
	    OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed ||
	    (sis = CMS_get0_SignerInfos(cms)) == NULL ||
	    sk_CMS_SignerInfo_num(sis) < 1)
		goto out;
	si = sk_CMS_SignerInfo_value(sis, 0);
	if ((msg = calloc(1, sizeof(*msg))) == NULL)
		goto out;
	msg->fail_info = SCEP_FAIL_NONE;
	msg->digest_nid = msg->cipher_nid = msg->keytrans_nid = NID_undef;

	s = scep_attr_dup(scep_si_attr(si,
	    scep_oid_nid(SCEP_OID_MESSAGETYPE)), &slen);
	if (s == NULL || !scep_parse_number(s, slen, &msg->type))
		goto out;
	msg->transaction_id = (char *)scep_attr_dup(scep_si_attr(si,
	    scep_oid_nid(SCEP_OID_TRANSACTIONID)), &slen);
	/*
	 * An OCTET STRING may hold a NUL: read as a C string it would be a
	 * shorter, different ID, and the reply must echo the real one.
	 */
	if (msg->transaction_id == NULL ||
	    strlen(msg->transaction_id) != slen ||
	    !scep_txid_valid(msg->transaction_id))
		goto out;
	msg->sender_nonce = scep_attr_dup(scep_si_attr(si,
	    scep_oid_nid(SCEP_OID_SENDERNONCE)), &msg->sender_nonce_len);
	if (msg->sender_nonce == NULL)
		goto out;
	/* From here on the client gets a signed FAILURE, never HTTP 400. */
	ret = msg;
	scep_read_signing_time(msg, si);

	CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, NULL);
	if (dig != NULL)
		msg->digest_nid = OBJ_obj2nid(dig->algorithm);
	if ((md = scep_digest_by_nid(msg->digest_nid)) == NULL) {
		scep_msg_fail(msg, SCEP_FAIL_BADALG,
		    "digest %s is not supported", scep_alg_name(msg->digest_nid));
		goto out;
	}
	/* Matches embedded certificates to the signer; no chain is built. */
	(void)CMS_set1_signers_certs(cms, NULL, 0);
	CMS_SignerInfo_get0_algs(si, NULL, &signer, NULL, NULL);
	if (signer == NULL) {
		scep_msg_fail(msg, SCEP_FAIL_BADMESSAGECHECK,
		    "signer certificate is missing from the pkiMessage");
		goto out;
	}
	if (!X509_up_ref(signer))
		goto out;
	msg->signer = signer;
	if (CMS_SignerInfo_verify(si) != 1) {
		scep_msg_fail(msg, SCEP_FAIL_BADMESSAGECHECK,
		    "signature of the pkiMessage does not verify");
		goto out;
	}
	if ((pos = CMS_get0_content(cms)) == NULL || *pos == NULL) {
		scep_msg_fail(msg, SCEP_FAIL_BADMESSAGECHECK,
		    "pkiMessage carries no content");
		goto out;
	}
	if (!scep_check_message_digest(si, md, *pos)) {
		scep_msg_fail(msg, SCEP_FAIL_BADMESSAGECHECK,
		    "messageDigest attribute does not match");
		goto out;
	}
	switch (msg->type) {
	case SCEP_MSG_PKCSREQ:
	case SCEP_MSG_RENEWALREQ:
	case SCEP_MSG_CERTPOLL:
	case SCEP_MSG_GETCERT:
	case SCEP_MSG_GETCRL:
		break;
	default:
		scep_msg_fail(msg, SCEP_FAIL_BADREQUEST,
		    "messageType %d is not supported", msg->type);
		goto out;
	}
	if (!scep_open_envelope(msg, *pos, keys, allow_des, &plain))
		goto out;
	scep_parse_payload(msg, plain.data, plain.len);
out:
	if (ret == NULL)
		scep_msg_free(msg);
	free(s);
	buf_free_secret(&plain);
	CMS_ContentInfo_free(cms);
	/* A hostile message must not leave errors for the next caller. */
	ERR_pop_to_mark();
	return ret;
}

/* Adds a string attribute to a PKCS7 SignerInfo; returns 1 on success. */
static int
scep_p7_add_string(PKCS7_SIGNER_INFO *si, int nid, int type,
    const void *data, size_t len)
{
	ASN1_STRING	*str;

	if (nid == NID_undef || len > INT_MAX ||
	    (str = ASN1_STRING_type_new(type)) == NULL)
		return 0;
	if (!ASN1_STRING_set(str, data, (int)len) ||
	    !PKCS7_add_signed_attribute(si, nid, type, str)) {
		ASN1_STRING_free(str);
		return 0;
	}
	return 1;
}

/* Returns i2d of p7 in malloc'ed memory the caller frees with free(). */
static unsigned char *
scep_p7_der(PKCS7 *p7, size_t *len)
{
	unsigned char	*der = NULL, *p;
	int		 n;

	if ((n = i2d_PKCS7(p7, NULL)) <= 0 || (der = malloc((size_t)n)) == NULL)
		return NULL;
	p = der;
	if (i2d_PKCS7(p7, &p) != n) {
		free(der);
		return NULL;
	}
	*len = (size_t)n;
	return der;
}

/* Returns a degenerate SignedData holding certs and/or crl as DER, caller frees. */
static unsigned char *
scep_degenerate(STACK_OF(X509) *certs, X509_CRL *crl, size_t *len)
{
	PKCS7		*p7 = NULL;
	unsigned char	*der = NULL;
	int		 i;

	if ((p7 = PKCS7_new()) == NULL ||
	    !PKCS7_set_type(p7, NID_pkcs7_signed) ||
	    !PKCS7_content_new(p7, NID_pkcs7_data)) {
		log_ossl("scep: PKCS7_new");
		goto out;
	}
	/* certs-only: eContentType id-data with no eContent at all. */
	ASN1_OCTET_STRING_free(p7->d.sign->contents->d.data);
	p7->d.sign->contents->d.data = NULL;
	for (i = 0; i < sk_X509_num(certs); i++)
		if (!PKCS7_add_certificate(p7, sk_X509_value(certs, i))) {
			log_ossl("scep: PKCS7_add_certificate");
			goto out;
		}
	if (crl != NULL && !PKCS7_add_crl(p7, crl)) {
		log_ossl("scep: PKCS7_add_crl");
		goto out;
	}
	if ((der = scep_p7_der(p7, len)) == NULL)
		log_ossl("scep: i2d_PKCS7");
out:
	PKCS7_free(p7);
	return der;
}

unsigned char *
scep_certs_only(STACK_OF(X509) *certs, size_t *len)
{
	return scep_degenerate(certs, NULL, len);
}

char *
scep_caps(int next_ca)
{
	struct buf	 b = { NULL, 0, 0 };

	/* strongSwan picks AES only when SHA-384 is listed too. */
	if (!buf_puts(&b, "AES\nDES3\n") ||
	    (next_ca && !buf_puts(&b, "GetNextCACert\n")) ||
	    !buf_puts(&b, "POSTPKIOperation\nRenewal\nSHA-1\nSHA-256\n"
	    "SHA-384\nSHA-512\nSCEPStandard\n")) {
		buf_free(&b);
		return NULL;
	}
	return buf_take(&b);
}

/*
 * Returns the pkcsPKIEnvelope for a SUCCESS reply: the degenerate
 * SignedData encrypted to the requester's signer certificate with its
 * cipher and PKCS#1 v1.5 key transport.  DER, caller frees.
 */
static unsigned char *
scep_reply_envelope(const struct scep_msg *req, STACK_OF(X509) *certs,
    X509_CRL *crl, size_t *len)
{
	STACK_OF(X509)		*rcpt = NULL;
	const EVP_CIPHER	*cipher;
	PKCS7			*p7 = NULL;
	BIO			*in = NULL;
	unsigned char		*inner = NULL, *der = NULL;
	size_t			 innerlen = 0;

	if (req->signer == NULL) {
		log_err("scep: SUCCESS reply without a requester certificate");
		goto out;
	}
	if ((cipher = scep_cipher_by_nid(req->cipher_nid,
	    req->cipher_nid == NID_des_cbc)) == NULL)
		cipher = EVP_aes_256_cbc();
	if ((inner = scep_degenerate(certs, crl, &innerlen)) == NULL)
		goto out;
	if ((rcpt = sk_X509_new_null()) == NULL ||
	    !sk_X509_push(rcpt, req->signer) ||
	    (in = BIO_new_mem_buf(inner, (int)innerlen)) == NULL) {
		log_ossl("scep: allocating the reply envelope");
		goto out;
	}
	if ((p7 = PKCS7_encrypt(rcpt, in, cipher, PKCS7_BINARY)) == NULL) {
		log_ossl("scep: PKCS7_encrypt to the requester");
		goto out;
	}
	if ((der = scep_p7_der(p7, len)) == NULL)
		log_ossl("scep: i2d_PKCS7");
out:
	PKCS7_free(p7);
	BIO_free(in);
	sk_X509_free(rcpt);
	free(inner);
	return der;
}

unsigned char *
scep_certrep(const struct scep_msg *req, X509 *signer_cert,
    EVP_PKEY *signer_key, int pki_status, int fail_info,
    const char *fail_text, STACK_OF(X509) *certs, X509_CRL *crl, size_t *len)
{
	PKCS7			*p7 = NULL;
	PKCS7_SIGNER_INFO	*si;
	BIO			*bio = NULL;
	X509_ALGOR		*sigalg = NULL;
	const EVP_MD		*md;
	unsigned char		*env = NULL, *der = NULL, nonce[16];
	size_t			 envlen = 0;
	char			 num[16];

	if ((md = scep_digest_by_nid(req->digest_nid)) == NULL)
		md = EVP_sha256();
	if (pki_status == SCEP_STATUS_SUCCESS &&
	    (env = scep_reply_envelope(req, certs, crl, &envlen)) == NULL)
		goto out;
	if (RAND_bytes(nonce, sizeof(nonce)) != 1) {
		log_ossl("scep: RAND_bytes");
		goto out;
	}
	if ((p7 = PKCS7_new()) == NULL ||
	    !PKCS7_set_type(p7, NID_pkcs7_signed) ||
	    !PKCS7_content_new(p7, NID_pkcs7_data) ||
	    (si = PKCS7_add_signature(p7, signer_cert, signer_key, md)) == NULL ||
	    !PKCS7_add_certificate(p7, signer_cert)) {
		log_ossl("scep: building CertRep SignedData");
		goto out;
	}
	/*
	 * PKCS7 labels an RSA SignerInfo rsaEncryption, which strongSwan
	 * insists on; set it explicitly so that no default can change it.
	 */
	PKCS7_SIGNER_INFO_get0_algs(si, NULL, NULL, &sigalg);
	if (EVP_PKEY_is_a(signer_key, "RSA") && sigalg != NULL &&
	    !X509_ALGOR_set0(sigalg,
	    OBJ_nid2obj(NID_rsaEncryption), V_ASN1_NULL, NULL)) {
		log_ossl("scep: X509_ALGOR_set0");
		goto out;
	}
	snprintf(num, sizeof(num), "%d", SCEP_MSG_CERTREP);
	if (!PKCS7_add_attrib_content_type(si, NULL) ||
	    !PKCS7_add0_attrib_signing_time(si, NULL) ||
	    !scep_p7_add_string(si, scep_oid_nid(SCEP_OID_MESSAGETYPE),
	    V_ASN1_PRINTABLESTRING, num, strlen(num)))
		goto attr;
	snprintf(num, sizeof(num), "%d", pki_status);
	if (!scep_p7_add_string(si, scep_oid_nid(SCEP_OID_PKISTATUS),
	    V_ASN1_PRINTABLESTRING, num, strlen(num)) ||
	    !scep_p7_add_string(si, scep_oid_nid(SCEP_OID_TRANSACTIONID),
	    V_ASN1_PRINTABLESTRING, req->transaction_id,
	    strlen(req->transaction_id)) ||
	    !scep_p7_add_string(si, scep_oid_nid(SCEP_OID_RECIPIENTNONCE),
	    V_ASN1_OCTET_STRING, req->sender_nonce, req->sender_nonce_len) ||
	    !scep_p7_add_string(si, scep_oid_nid(SCEP_OID_SENDERNONCE),
	    V_ASN1_OCTET_STRING, nonce, sizeof(nonce)))
		goto attr;
	if (pki_status == SCEP_STATUS_FAILURE) {
		if (fail_info < SCEP_FAIL_BADALG || fail_info > SCEP_FAIL_BADCERTID)
			fail_info = SCEP_FAIL_BADREQUEST;
		snprintf(num, sizeof(num), "%d", fail_info);
		if (!scep_p7_add_string(si, scep_oid_nid(SCEP_OID_FAILINFO),
		    V_ASN1_PRINTABLESTRING, num, strlen(num)))
			goto attr;
		if (fail_text != NULL && fail_text[0] != '\0' &&
		    !scep_p7_add_string(si, scep_oid_nid(SCEP_OID_FAILINFOTEXT),
		    V_ASN1_UTF8STRING, fail_text, strlen(fail_text)))
			goto attr;
	}
	if ((bio = PKCS7_dataInit(p7, NULL)) == NULL ||
	    (envlen > 0 && BIO_write(bio, env, (int)envlen) != (int)envlen) ||
	    BIO_flush(bio) != 1 || !PKCS7_dataFinal(p7, bio)) {
		log_ossl("scep: signing CertRep");
		goto out;
	}
	if ((der = scep_p7_der(p7, len)) == NULL)
		log_ossl("scep: i2d_PKCS7");
	goto out;
attr:
	log_ossl("scep: adding CertRep attributes");
out:
	BIO_free_all(bio);
	PKCS7_free(p7);
	free(env);
	return der;
}
