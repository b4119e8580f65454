/* csr: parse a PEM or DER PKCS#10 request, verify it and pull out what policy needs. */
#ifndef CERTDESK_CSR_H
#define CERTDESK_CSR_H

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* Key classes a profile can allow; one bit each so a profile keeps a mask. */
enum key_type {
	KEY_NONE = 0,		/* anything we never issue for */
	KEY_RSA2048 = 1,	/* RSA 2048..3071 bits */
	KEY_RSA3072 = 2,	/* RSA 3072..4095 bits */
	KEY_RSA4096 = 4,	/* RSA 4096..16384 bits */
	KEY_EC256 = 8,		/* EC P-256 */
	KEY_EC384 = 16		/* EC P-384 */
};
#define KEY_ALL	(KEY_RSA2048 | KEY_RSA3072 | KEY_RSA4096 | KEY_EC256 | KEY_EC384)

#define CSR_MAX_BYTES	((size_t)32 * 1024)	/* largest CSR we read, PEM or DER */
#define CSR_MAX_SANS	100		/* most subjectAltName entries we accept */
#define CSR_MAX_CN	64		/* RFC 5280 ub-common-name, in characters */
#define CSR_RSA_MAX_BITS 16384

struct csr {
	X509_REQ	 *req;
	EVP_PKEY	 *pkey;		/* borrowed from req */
	enum key_type	  key_type;
	int		  key_bits;
	char		 *subject;	/* RFC 2253 one-line */
	char		 *cn;		/* first CN (UTF-8) or NULL */
	char		 *email;	/* first emailAddress RDN or NULL */
	char		**dns;		/* SAN dNSName entries */
	size_t		  ndns;
	char		**emails;	/* SAN rfc822Name entries */
	size_t		  nemails;
	char		**ips;		/* SAN iPAddress entries, as text */
	size_t		  nips;
	char		 *challenge;	/* challengePassword or NULL; cleansed on free */
	unsigned char	 *der;		/* DER encoding of the request */
	size_t		  der_len;
};

/*
 * Parses PEM or DER (auto-detected), checks size, key and self-signature
 * and extracts the fields; returns the request, which the caller frees
 * with csr_free, or NULL with a message for the user in err.
 */
struct csr	*csr_parse(const void *data, size_t len, char *err, size_t errlen);
/*
 * Same checks as csr_parse for an already decoded request, of which it
 * takes ownership even on failure; returns the request (caller frees with
 * csr_free) or NULL with a message in err.
 */
struct csr	*csr_from_req(X509_REQ *req, char *err, size_t errlen);
/*
 * Like csr_parse for DER this server stored after csr_parse or
 * csr_from_req accepted it: the signature is not checked again, because
 * the stored copy may have had its challengePassword removed (see
 * csr_der_without_challenge).  Never use it on input from outside.
 */
struct csr	*csr_parse_stored(const void *der, size_t len, char *err,
		    size_t errlen);
/*
 * Returns the DER of the request without its challengePassword attribute
 * (malloc'ed, caller frees; length in len), for storage: the access code
 * must not sit in the database in clear.  When there is no challenge the
 * bytes are the request as received.  NULL on error.
 */
unsigned char	*csr_der_without_challenge(const struct csr *, size_t *len);
/* Frees the request and cleanses its challenge; NULL-safe. */
void		 csr_free(struct csr *);
/*
 * Returns the key class of pkey (KEY_NONE for weak or unsupported keys)
 * and stores its size in bits in *bits when bits is not NULL.
 */
enum key_type	 csr_key_classify(const EVP_PKEY *pkey, int *bits);
/* Returns a static display name such as "RSA 2048" or "EC P-256". */
const char	*key_type_name(enum key_type);
/* Returns the token of one key class ("rsa2048", as key_types_parse reads it; static), or "" for KEY_NONE. */
const char	*key_type_token(enum key_type);
/*
 * Returns the mask for a list such as "rsa2048, ec256" (tokens rsa2048,
 * rsa3072, rsa4096, ec256, ec384, case-insensitive), or 0 if any token
 * is unknown or the list is empty.
 */
unsigned	 key_types_parse(const char *list);
/*
 * Writes the lowercase hex SHA-256 of the request's SubjectPublicKeyInfo
 * DER into out; returns 1 on success, 0 on failure.
 */
int		 csr_pubkey_sha256(const struct csr *, char out[65]);
/*
 * Writes the lowercase hex SHA-256 of a SubjectPublicKeyInfo's DER into
 * out (a CSR's, a certificate's: one key, one hash everywhere); returns 1
 * on success, 0 on failure (logged).
 */
int		 csr_spki_sha256(X509_PUBKEY *, char out[65]);

/* Returns the CSR as PEM text (caller frees), or NULL. */
char	*csr_pem(const struct csr *);

#endif
