/*
 * ca: the issuing CA.  The only module that holds a CA private key; keys are
 * named by OSSL_STORE URI ("file:/path", a plain path, or a provider URI such
 * as "pkcs11:..."), so moving the key into an HSM is a configuration change.
 * Callers pass inputs their policy has already checked; ca still refuses
 * anything it cannot issue correctly.
 */
#ifndef CERTDESK_CA_H
#define CERTDESK_CA_H

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

enum ca_alg {
	CA_RSA3072,
	CA_EC384
};

/* A loaded CA; ca_free releases it (key material is cleansed by OpenSSL). */
struct ca {
	X509		*cert;
	EVP_PKEY	*key;
	STACK_OF(X509)	*chain;		/* intermediates then root, not cert; may be empty */
	X509		*ra_cert;	/* SCEP RA certificate, may be NULL */
	EVP_PKEY	*ra_key;	/* its key, NULL when ra_cert is */
};

/* What the caller's policy has decided for one certificate. */
struct ca_issue {
	EVP_PKEY	 *pubkey;	/* subject public key, from a verified CSR */
	/*
	 * Optional: the SubjectPublicKeyInfo pubkey was decoded from (the
	 * CSR's, X509_REQ_get_X509_PUBKEY), put into the certificate byte
	 * for byte instead of encoding pubkey again.  The certificate then
	 * caches no decoded key: X509_get0_pubkey on it returns NULL, so
	 * take the key from the CSR.  Ignored unless X509_PUBKEY_get0(spki)
	 * is pubkey.
	 */
	const X509_PUBKEY *spki;
	const X509_NAME	 *subject;	/* see policy_subject */
	const char	**dns;		/* SAN dNSName */
	size_t		  ndns;
	const char	**emails;	/* SAN rfc822Name */
	size_t		  nemails;
	const char	**ips;		/* SAN iPAddress, IPv4 or IPv6 text */
	size_t		  nips;
	int		  days;		/* term, 1..3650 */
	const char	 *key_usage;	/* "digitalSignature,keyEncipherment"; NULL/"" = by key type */
	const char	 *ext_key_usage; /* "serverAuth,clientAuth"; NULL/"" = no EKU */
	const char	 *crl_url;	/* CRL distribution point URI or NULL */
	long		  backdate;	/* seconds notBefore is set back, 0..86400 */
};

/* One CRL entry; reason is the RFC 5280 CRLReason code (0 = unspecified). */
struct ca_revoked {
	const char	*serial_hex;
	long long	 revoked_at;	/* seconds since the epoch */
	int		 reason;
};

/*
 * Creates a self-signed root CA: writes its new key (RSA 3072 or EC P-384,
 * unencrypted PKCS#8 PEM, mode 0600) to key_path, which must not exist yet;
 * subject is "CN=Demo CA,O=Demo Org,C=US" (RFC 2253 order, most specific
 * first).  Returns the certificate PEM, which the caller frees, or NULL.
 */
char	*ca_init(const char *key_path, enum ca_alg alg, const char *subject,
	    int days);
/*
 * Returns 1 when cert_pem is a usable CA certificate (basicConstraints
 * CA:TRUE, keyCertSign and cRLSign, not expired), key_uri holds its private
 * key and chain_pem (NULL or intermediates then root) certifies it;
 * otherwise 0 with the reason in err.
 */
int	 ca_import_check(const char *cert_pem, const char *key_uri,
	    const char *chain_pem, char *err, size_t errlen);
/*
 * Returns a loaded CA (caller frees with ca_free) or NULL; chain_pem may be
 * NULL; ra_cert_pem and ra_key_uri are both NULL or both given.
 */
struct ca *ca_load(const char *cert_pem, const char *key_uri,
	    const char *chain_pem, const char *ra_cert_pem, const char *ra_key_uri);
/* Frees a CA loaded by ca_load; NULL-safe. */
void	 ca_free(struct ca *);
/*
 * Creates an RSA 2048 SCEP RA key at key_path (mode 0600, must not exist)
 * and returns the PEM of its certificate signed by the CA (digitalSignature,
 * keyEncipherment, CA:FALSE), which the caller frees, or NULL.
 */
char	*ca_ra_init(const struct ca *, const char *key_path,
	    const char *subject, int days);
/*
 * Returns a new end-entity certificate (caller frees with X509_free) built
 * only from req, never from a CSR's requested extensions, and writes its
 * 128-bit serial as 32 uppercase hex digits into serial_hex; NULL on error.
 */
X509	*ca_issue(const struct ca *, const struct ca_issue *req,
	    char serial_hex[33]);
/*
 * Returns a v2 CRL in DER (malloc'ed, caller frees) signed by the CA, valid
 * from now for days, listing the n entries, and stores its length in len;
 * NULL on error.
 */
unsigned char *ca_crl(const struct ca *, const struct ca_revoked *, size_t n,
	    long long crl_number, int days, size_t *len);
/* Returns a certificate as a PEM string (malloc'ed, caller frees) or NULL. */
char	*ca_cert_pem(const X509 *);
/* Returns a certificate as DER (malloc'ed, caller frees) and its length. */
unsigned char *ca_cert_der(const X509 *, size_t *len);
/* Returns the first certificate in a PEM string (caller X509_frees) or NULL. */
X509	*ca_cert_from_pem(const char *);
/* Returns every certificate in a PEM string, possibly none (caller frees
 * with sk_X509_pop_free(.., X509_free)), or NULL on a malformed one. */
STACK_OF(X509) *ca_chain_from_pem(const char *);

#endif
