/*
 * p12: the PKCS#12 files a person downloads, in the two encodings SPEC
 * 4.2 names, every algorithm set explicitly so an OpenSSL default change
 * cannot alter what a platform receives.
 */
#ifndef CERTDESK_P12_H
#define CERTDESK_P12_H

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

enum p12_encoding {
	P12_MODERN,	/* PBES2 PBKDF2-HMAC-SHA256 + AES-256-CBC, HMAC-SHA256 MAC */
	P12_COMPATIBLE	/* pbeWithSHAAnd3-KeyTripleDES-CBC, SHA-1 MAC */
};
#define P12_N_ENCODINGS	2

/*
 * Builds the DER PKCS#12 holding key, cert and chain (intermediates then
 * root; may be NULL) with friendly name and a localKeyId on the key and
 * certificate bags, protected by password ("" allowed: still encrypted
 * and MACed with the empty password) using iter iterations.  Returns 1
 * with *der (caller frees with OPENSSL_free) and *len, or 0 (logged).
 */
int		 p12_build(enum p12_encoding, EVP_PKEY *key, X509 *cert,
		    STACK_OF(X509) *chain, const char *friendly_name,
		    const char *password, int iter, unsigned char **der,
		    size_t *len);
/* Returns "modern" or "compatible" (static). */
const char	*p12_encoding_name(enum p12_encoding);
/* Returns the encoding named by name, or -1. */
int		 p12_encoding_parse(const char *name);
/*
 * Returns the encoding a browser with this User-Agent opens: compatible
 * for macOS, iOS/iPadOS and Android up to 13; otherwise dflt.
 */
enum p12_encoding p12_encoding_for_agent(const char *user_agent,
		    enum p12_encoding dflt);

#endif
