/*
 * escrow: key escrow (SPEC 4.3).  A server-made private key is sealed, as
 * DER PKCS#8, in one CMS AuthEnvelopedData (AES-256-GCM) with one
 * recipient per tier the organisation and department require, so that
 * any one tier key opens it — with certdesk, or with stock
 * `openssl cms -decrypt` when certdesk is gone.  The tier keys are made
 * here too; only their self-signed certificates are ever stored.
 */
#ifndef CERTDESK_ESCROW_H
#define CERTDESK_ESCROW_H

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "csr.h"

struct db;

enum escrow_tier {
	ESCROW_MASTER,		/* the customer's master administrators */
	ESCROW_ORG,		/* one organisation's administrators */
	ESCROW_DEPT		/* one department's administrators */
};
#define ESCROW_N_TIERS	3

#define ESCROW_MAX_SHARES	255	/* Shamir shares are numbered 1..255 */

/* The message a person sees while a required tier has no key (guide 12.5.1). */
#define ESCROW_BLOCKED_MSG	"Client certificates cannot be issued " \
	"until your administrator sets up key escrow."

/* Returns "master", "organization" or "department" (static). */
const char	*escrow_tier_name(enum escrow_tier);
/* Returns the tier named by name ("org" and "dept" too), or -1. */
int		 escrow_tier_parse(const char *name);

/*
 * Seals the DER PKCS#8 PrivateKeyInfo p8 to the n tier certificates
 * recips (RSA: KeyTransRecipientInfo, RSAES-OAEP SHA-256/MGF1-SHA-256;
 * EC: KeyAgreeRecipientInfo, dhSinglePass-stdDH-sha256kdf, AES-256 key
 * wrap).  Returns 1 with the DER CMS in *der (caller frees with
 * OPENSSL_free) and *len, or 0 (logged).  p8 stays the caller's.
 */
int		 escrow_seal(const unsigned char *p8, size_t p8len,
		    X509 *const *recips, size_t n, unsigned char **der,
		    size_t *len);
/*
 * Returns the DER PKCS#8 PrivateKeyInfo of key (caller frees with
 * OPENSSL_clear_free(*p8, *len)), or NULL.
 */
unsigned char	*escrow_p8(EVP_PKEY *key, size_t *len);
/* Returns the key of a DER PKCS#8 PrivateKeyInfo (caller frees), or NULL. */
EVP_PKEY	*escrow_p8_key(const unsigned char *p8, size_t len);

enum escrow_open {
	ESCROW_OPENED,
	ESCROW_NOT_RECIPIENT,	/* cert names no recipient of the blob */
	ESCROW_BROKEN		/* not a blob, or the key does not open it */
};
/*
 * Opens blob der with the tier key tier_key whose certificate is
 * tier_cert.  On ESCROW_OPENED *p8 holds the DER PKCS#8 (caller frees
 * with OPENSSL_clear_free(*p8, *p8len)).
 */
enum escrow_open escrow_open(const unsigned char *der, size_t len,
		    X509 *tier_cert, EVP_PKEY *tier_key, unsigned char **p8,
		    size_t *p8len);

/*
 * Makes a tier key pair of type (RSA 3072/4096 or EC P-384 in practice)
 * and its self-signed certificate with subject CN=cn, a Subject Key
 * Identifier and the key usage a recipient needs.  Returns 1 with *key
 * and *cert (caller frees both), or 0 (logged).
 */
int		 escrow_tier_make(enum key_type type, const char *cn,
		    EVP_PKEY **key, X509 **cert);
/* Returns the certificate's Subject Key Identifier as lowercase hex (caller frees), or NULL. */
char		*escrow_key_id(X509 *cert);
/*
 * Returns the PEM of key as PKCS#8 (caller frees with
 * OPENSSL_clear_free(pem, *len)), encrypted with PBES2 (PBKDF2-HMAC-
 * SHA256, AES-256-CBC) under passphrase unless it is NULL; NULL on error.
 */
char		*escrow_key_pem(EVP_PKEY *key, const char *passphrase,
		    size_t *len);
/*
 * Returns the private key in pem (PEM PKCS#8, encrypted or not, or a
 * traditional PEM key) opened with passphrase (may be NULL), or NULL
 * with *why set: "wrong passphrase or damaged key file" or "no private
 * key in the file".
 */
EVP_PKEY	*escrow_key_parse(const unsigned char *pem, size_t len,
		    const char *passphrase, const char **why);

/*
 * Splits secret into n Shamir shares of which any m rejoin it, each as
 * long as secret, in the format of gfsplit(1): share i is shares[i] with
 * the share number nrs[i] (distinct, 1..255, random).  shares must hold
 * n buffers of len bytes.  Returns 1, or 0.
 */
int		 escrow_split(const unsigned char *secret, size_t len,
		    unsigned n, unsigned m, unsigned char *const *shares,
		    unsigned char *nrs);
/*
 * Rejoins n shares of len bytes with numbers nrs into out (len bytes).
 * Fewer than the threshold gives bytes that are not the secret; the
 * caller finds that out when it parses them.  Returns 1, or 0.
 */
int		 escrow_combine(const unsigned char *const *shares,
		    const unsigned char *nrs, unsigned n, size_t len,
		    unsigned char *out);
/*
 * Returns the share number of a gfsplit share file name (the decimal
 * suffix after the last dot: "tier.key.042" is 42), or 0 when it has none.
 */
unsigned	 escrow_share_nr(const char *path);

#endif
