/*
 * formats: the seven download encodings of an issued certificate offered
 * on the collection page (guide 3.2.2, "Download"), named by the keys SCM
 * uses in its download links so that SCM users' scripts keep working.
 *
 * "Chain" below means the issuing CA certificate followed by the CA's own
 * chain (intermediates, then the root); for a self-signed root CA it is
 * just the root.
 */
#ifndef CERTDESK_FORMATS_H
#define CERTDESK_FORMATS_H

#include <stddef.h>

#include "buf.h"

enum cert_format {
	FMT_CERT_PEM,		/* x509CO: certificate only, PEM (.cer) */
	FMT_ISSUER_AFTER_PEM,	/* pemia: certificate, then chain, PEM (.pem) */
	FMT_CHAIN_PEM,		/* x509: root ... issuer, then certificate, PEM (.cer) */
	FMT_PKCS7_DER,		/* bin: PKCS#7 certs-only, DER (.p7b) */
	FMT_PKCS7_PEM,		/* base64: PKCS#7 certs-only, PEM (.crt) */
	FMT_CHAIN_ONLY_PEM,	/* x509IOR: intermediate(s) then root, PEM (.cer) */
	FMT_ROOT_FIRST_PEM,	/* x509IO: root then intermediate(s), PEM (.cer) */
	FMT__COUNT
};

struct format_info {
	const char	*key;		/* value of ?format= */
	const char	*label;		/* the guide's wording */
	const char	*content_type;
	const char	*suffix;	/* appended to the file name stem */
};

/* Returns the static description of a format (NULL when out of range). */
const struct format_info *formats_info(enum cert_format);
/* Returns the format whose key is key (exact match), or -1. */
int	 formats_lookup(const char *key);
/*
 * Encodes the certificate (DER) with the CA certificate (PEM) and its
 * chain (PEM, intermediates then root; NULL or "" for a root CA) in fmt,
 * appending to out; returns 1, or 0 on malformed input (logged; out is
 * freed then).  The caller frees out with buf_free.
 */
int	 formats_encode(const unsigned char *cert_der, size_t cert_len,
	    const char *ca_cert_pem, const char *chain_pem,
	    enum cert_format fmt, struct buf *out);
/*
 * Writes a download file name for a certificate into out: the common name
 * with dots as '_' and a leading wildcard as "STAR", or "certificate"
 * when it has none, plus the format's suffix.
 */
void	 formats_filename(const char *common_name, enum cert_format fmt,
	    char *out, size_t outlen);

#endif
