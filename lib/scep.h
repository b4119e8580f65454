/* scep: RFC 8894 codec: parse pkiMessages, build CertRep, GetCACert/GetCACaps payloads. */
#ifndef CERTDESK_SCEP_H
#define CERTDESK_SCEP_H

#include <stddef.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "buf.h"

/* messageType values (RFC 8894 3.2.1.2). */
#define SCEP_MSG_CERTREP	3
#define SCEP_MSG_RENEWALREQ	17
#define SCEP_MSG_PKCSREQ	19
#define SCEP_MSG_CERTPOLL	20
#define SCEP_MSG_GETCERT	21
#define SCEP_MSG_GETCRL		22

/* pkiStatus values. */
#define SCEP_STATUS_SUCCESS	0
#define SCEP_STATUS_FAILURE	2
#define SCEP_STATUS_PENDING	3

/* failInfo values; SCEP_FAIL_NONE means every check passed. */
#define SCEP_FAIL_NONE		(-1)
#define SCEP_FAIL_BADALG	0
#define SCEP_FAIL_BADMESSAGECHECK 1
#define SCEP_FAIL_BADREQUEST	2
#define SCEP_FAIL_BADTIME	3
#define SCEP_FAIL_BADCERTID	4

/* Which of the server's keys opened the envelope. */
#define SCEP_RECIPIENT_NONE	0
#define SCEP_RECIPIENT_RA	1
#define SCEP_RECIPIENT_CA	2

/* The keys the server holds; all borrowed.  ra_cert/ra_key may be NULL. */
struct scep_keys {
	X509		*ra_cert;
	EVP_PKEY	*ra_key;
	X509		*ca_cert;
	EVP_PKEY	*ca_key;
};

/* A parsed request pkiMessage; every pointer is owned and freed by scep_msg_free. */
struct scep_msg {
	int		 type;		/* messageType, raw number if unknown */
	char		*transaction_id;	/* NUL-terminated printable */
	unsigned char	*sender_nonce;
	size_t		 sender_nonce_len;
	X509		*signer;	/* signer certificate, NULL if missing */
	int		 digest_nid;	/* SignerInfo digest, NID_undef if unknown */
	int		 cipher_nid;	/* content encryption, NID_undef before read */
	int		 keytrans_nid;	/* NID_rsaEncryption or NID_rsaesOaep */
	int		 recipient;	/* SCEP_RECIPIENT_* that decrypted */
	int		 has_signing_time;
	time_t		 signing_time;
	/* payload: 19/17 csr; 21/22 issuer + serial; 20 issuer + subject */
	X509_REQ	*csr;
	X509_NAME	*issuer;
	X509_NAME	*subject;
	ASN1_INTEGER	*serial;
	int		 fail_info;	/* SCEP_FAIL_*; SCEP_FAIL_NONE when OK */
	char		 fail_text[160];
};

/*
 * Decodes a GET message= value (already URL-decoded, or not): tolerates
 * newlines, CR, %0A, spaces for '+', the URL-safe alphabet and missing
 * padding.  Appends to out; returns 1 on success, 0 on bad input.
 */
int	scep_b64_decode_lenient(const char *in, size_t len, struct buf *out);

/*
 * Parses a pkiMessage.  Returns NULL only when the outer SignedData or its
 * transactionID, senderNonce or messageType cannot be read (answer HTTP
 * 400); otherwise a message whose fail_info/fail_text tell whether every
 * check passed.  DES is accepted only when allow_des.  Caller frees with
 * scep_msg_free.
 */
struct scep_msg	*scep_parse(const unsigned char *der, size_t len,
	    const struct scep_keys *keys, int allow_des);
/*
 * Decodes the decrypted messageData of msg->type into msg's payload fields;
 * returns 1 on success, 0 (and sets badRequest) when it does not parse.
 */
int	scep_parse_payload(struct scep_msg *msg, const unsigned char *p,
	    size_t len);
/* Frees a message; NULL-safe. */
void	scep_msg_free(struct scep_msg *);
/* Sets msg's fail_info and a printf-formatted fail_text; returns 0. */
int	scep_msg_fail(struct scep_msg *msg, int fail_info, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/*
 * Writes the lowercase hex SHA-256 of the CSR's SubjectPublicKeyInfo into
 * hex (65 bytes); returns 1, or 0 when the message carries no CSR.
 */
int	scep_msg_pubkey_sha256(const struct scep_msg *msg, char hex[65]);
/* Returns 1 if txid is a usable transactionID (1-128 PrintableString characters). */
int	scep_txid_valid(const char *txid);
/* Returns the short name of a messageType ("PKCSReq", ...) or "unknown". */
const char *scep_msg_type_name(int type);

/*
 * Builds a CertRep pkiMessage answering req, signed by signer_cert/key
 * with req's digest and rsaEncryption.  pki_status is SCEP_STATUS_*;
 * fail_info/fail_text are used on FAILURE only.  On SUCCESS the reply
 * carries certs (issued first) or crl, encrypted to req's signer with
 * req's cipher; that needs an RSA signer certificate in req.  Returns DER
 * the caller frees with free(), length in *len, or NULL on error (logged).
 */
unsigned char	*scep_certrep(const struct scep_msg *req, X509 *signer_cert,
	    EVP_PKEY *signer_key, int pki_status, int fail_info,
	    const char *fail_text, STACK_OF(X509) *certs, X509_CRL *crl,
	    size_t *len);
/* Returns a degenerate certs-only PKCS#7 (DER, caller frees with free()). */
unsigned char	*scep_certs_only(STACK_OF(X509) *certs, size_t *len);
/* Returns the GetCACaps text, one capability per line (caller frees). */
char	*scep_caps(int next_ca);

/*
 * Client side, for tests and the load generator.
 */

/* What a client request carries; all pointers borrowed. */
struct scep_client_req {
	int		 msg_type;	/* SCEP_MSG_*, or any number */
	X509_REQ	*csr;		/* PKCSReq, RenewalReq */
	X509_NAME	*issuer;	/* GetCert, GetCRL, CertPoll */
	X509_NAME	*subject;	/* CertPoll */
	ASN1_INTEGER	*serial;	/* GetCert, GetCRL */
	X509		*signer_cert;
	EVP_PKEY	*signer_key;
	X509		*recipient_cert;
	int		 cipher_nid;	/* NID_des_ede3_cbc, NID_aes_128_cbc, ... */
	int		 digest_nid;	/* NID_sha256, ... */
	int		 oaep;		/* RSAES-OAEP key transport instead of v1.5 */
	const char	*txid;		/* NULL: hex SHA-256 of the public key */
	const unsigned char *nonce;	/* NULL: 16 random bytes */
	size_t		 nonce_len;
};

/* A parsed CertRep; freed by scep_reply_free. */
struct scep_reply {
	int		 message_type;
	int		 status;	/* SCEP_STATUS_* */
	int		 fail_info;	/* -1 when absent */
	char		*fail_text;	/* NULL when absent */
	char		*transaction_id;
	unsigned char	*recipient_nonce;
	size_t		 recipient_nonce_len;
	unsigned char	*sender_nonce;
	size_t		 sender_nonce_len;
	int		 digest_nid;	/* SignerInfo digestAlgorithm */
	int		 sig_nid;	/* SignerInfo signatureAlgorithm */
	int		 cipher_nid;	/* envelope content encryption, SUCCESS only */
	STACK_OF(X509)	*certs;		/* SUCCESS only */
	X509_CRL	*crl;		/* SUCCESS to GetCRL only */
};

/*
 * Returns a self-signed throwaway signer certificate for key named cn, as
 * a device makes before it has a certificate (caller frees), or NULL.
 */
X509		*scep_client_selfsigned(EVP_PKEY *key, const char *cn);
/*
 * Returns a CSR for key with subject CN=cn and, when code is not NULL,
 * that challengePassword, signed with SHA-256 (caller frees), or NULL.
 */
X509_REQ	*scep_client_csr(EVP_PKEY *key, const char *cn, const char *code);
/* Returns a signed, encrypted request pkiMessage (DER, caller frees with free()). */
unsigned char	*scep_client_request(const struct scep_client_req *,
	    size_t *len);
/*
 * Verifies a CertRep strictly (signed by ra_cert, rsaEncryption signature,
 * messageType CertRep) and opens its envelope with the client's signer
 * key.  Returns the reply (caller frees with scep_reply_free) or NULL.
 */
struct scep_reply	*scep_client_parse_reply(const unsigned char *der,
	    size_t len, X509 *ra_cert, X509 *signer_cert, EVP_PKEY *signer_key);
/* Frees a reply; NULL-safe. */
void	scep_reply_free(struct scep_reply *);

/*
 * Shared by scep.c and scep_client.c.
 */

/* SCEP attribute OIDs, registered with OpenSSL on first use. */
enum scep_oid {
	SCEP_OID_MESSAGETYPE,
	SCEP_OID_PKISTATUS,
	SCEP_OID_FAILINFO,
	SCEP_OID_SENDERNONCE,
	SCEP_OID_RECIPIENTNONCE,
	SCEP_OID_TRANSACTIONID,
	SCEP_OID_FAILINFOTEXT,
	SCEP_OID__MAX
};

/* Returns the NID of a SCEP attribute, registering the OIDs once. */
int	scep_oid_nid(enum scep_oid);
/*
 * Returns the content-encryption cipher for nid (3DES, AES-CBC, and DES
 * when allow_des, which loads the legacy provider) or NULL; static, not freed.
 */
const EVP_CIPHER *scep_cipher_by_nid(int nid, int allow_des);
/*
 * Unloads the providers scep_cipher_by_nid loaded for DES; call once at
 * program exit (leak checkers otherwise see the legacy provider's memory).
 */
void	scep_cleanup(void);
/* Returns the digest for SHA-1/256/384/512 or NULL; static, not freed. */
const EVP_MD *scep_digest_by_nid(int nid);
/*
 * Copies the single string value of attribute a (NULL-safe) into a
 * malloc'ed NUL-terminated buffer the caller frees, its length in *len;
 * returns NULL when a is NULL, multi-valued or not a string.
 */
unsigned char	*scep_attr_dup(X509_ATTRIBUTE *a, size_t *len);

#endif
