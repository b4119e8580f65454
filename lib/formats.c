/* formats: certificate download encodings (PEM variants and PKCS#7). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "ca.h"
#include "formats.h"
#include "log.h"

/*
 * The PEM types: application/pem-certificate-chain (RFC 8555 §9.1) where
 * the file is exactly "certificate, then the chain that certifies it",
 * application/x-pem-file for the other PEM bundles, and the PKCS#7
 * certs-only type Windows and browsers recognise for .p7b.
 */
static const struct format_info format_table[FMT__COUNT] = {
	[FMT_CERT_PEM] = { "x509CO", "Certificate only, PEM encoded",
	    "application/pem-certificate-chain", "_cert.cer" },
	[FMT_ISSUER_AFTER_PEM] = { "pemia",
	    "Certificate (w/ issuer after), PEM encoded",
	    "application/pem-certificate-chain", ".pem" },
	[FMT_CHAIN_PEM] = { "x509", "Certificate (w/ chain), PEM encoded",
	    "application/x-pem-file", ".cer" },
	[FMT_PKCS7_DER] = { "bin", "PKCS#7",
	    "application/x-pkcs7-certificates", ".p7b" },
	[FMT_PKCS7_PEM] = { "base64", "PKCS#7, PEM encoded",
	    "application/x-pem-file", ".crt" },
	[FMT_CHAIN_ONLY_PEM] = { "x509IOR",
	    "Intermediate(s)/Root only, PEM encoded",
	    "application/x-pem-file", "_interm.cer" },
	[FMT_ROOT_FIRST_PEM] = { "x509IO",
	    "Root/Intermediate(s) only, PEM encoded",
	    "application/x-pem-file", "_interm_reverse.cer" },
};

const struct format_info *
formats_info(enum cert_format fmt)
{
	if ((int)fmt < 0 || fmt >= FMT__COUNT)
		return NULL;
	return &format_table[fmt];
}

int
formats_lookup(const char *key)
{
	int	 i;

	if (key == NULL)
		return -1;
	for (i = 0; i < FMT__COUNT; i++)
		if (strcmp(format_table[i].key, key) == 0)
			return i;
	return -1;
}

void
formats_filename(const char *common_name, enum cert_format fmt, char *out,
    size_t outlen)
{
	const struct format_info	*fi = formats_info(fmt);
	const char			*cn = common_name;
	char				 stem[80];
	size_t				 i = 0;

	if (outlen == 0)
		return;
	if (cn != NULL && strncmp(cn, "*.", 2) == 0) {
		snprintf(stem, sizeof(stem), "STAR");
		i = 4;
		cn++;
	}
	for (; cn != NULL && *cn != '\0' && i < sizeof(stem) - 1; cn++) {
		unsigned char ch = (unsigned char)*cn;

		stem[i++] = (char)((isalnum(ch) || ch == '-') ? ch : '_');
	}
	stem[i] = '\0';
	if (i == 0)
		snprintf(stem, sizeof(stem), "certificate");
	snprintf(out, outlen, "%s%s", stem, fi != NULL ? fi->suffix : "");
}

/* Appends the PEM of each certificate of list[from..to] (either direction). */
static int
append_pem(BIO *bio, STACK_OF(X509) *list, int from, int to)
{
	int	 step = from <= to ? 1 : -1, i;

	for (i = from; ; i += step) {
		if (!PEM_write_bio_X509(bio, sk_X509_value(list, i)))
			return 0;
		if (i == to)
			break;
	}
	return 1;
}

/*
 * Returns a certs-only PKCS#7 SignedData holding every certificate of
 * list in order, with detached empty content like `openssl crl2pkcs7`
 * (caller frees with PKCS7_free), or NULL.
 */
static PKCS7 *
certs_only(STACK_OF(X509) *list)
{
	PKCS7	*p7;
	int	 i;

	if ((p7 = PKCS7_new()) == NULL)
		return NULL;
	if (!PKCS7_set_type(p7, NID_pkcs7_signed) ||
	    !PKCS7_content_new(p7, NID_pkcs7_data) ||
	    !PKCS7_set_detached(p7, 1))
		goto fail;
	for (i = 0; i < sk_X509_num(list); i++)
		if (!PKCS7_add_certificate(p7, sk_X509_value(list, i)))
			goto fail;
	return p7;
fail:
	PKCS7_free(p7);
	return NULL;
}

int
formats_encode(const unsigned char *cert_der, size_t cert_len,
    const char *ca_cert_pem, const char *chain_pem, enum cert_format fmt,
    struct buf *out)
{
	const unsigned char	*p = cert_der;
	X509			*leaf = NULL, *ca = NULL;
	STACK_OF(X509)		*chain = NULL, *all = NULL;
	PKCS7			*p7 = NULL;
	BIO			*bio = NULL;
	char			*data;
	long			 len;
	int			 n, ok = 0;

	if (cert_der == NULL || cert_len == 0 || cert_len > (size_t)1024 * 1024 ||
	    ca_cert_pem == NULL || (int)fmt < 0 || fmt >= FMT__COUNT)
		goto out;
	if ((leaf = d2i_X509(NULL, &p, (long)cert_len)) == NULL ||
	    p != cert_der + cert_len) {
		log_ossl("formats: certificate");
		goto out;
	}
	if ((ca = ca_cert_from_pem(ca_cert_pem)) == NULL) {
		log_ossl("formats: CA certificate");
		goto out;
	}
	/* all = leaf, issuing CA, its chain: each certified by the next. */
	if ((all = sk_X509_new_null()) == NULL ||
	    !sk_X509_push(all, leaf))
		goto out;
	leaf = NULL;
	if (!sk_X509_push(all, ca))
		goto out;
	ca = NULL;
	if (chain_pem != NULL && chain_pem[0] != '\0') {
		if ((chain = ca_chain_from_pem(chain_pem)) == NULL) {
			log_ossl("formats: CA chain");
			goto out;
		}
		while (sk_X509_num(chain) > 0) {
			X509 *x = sk_X509_shift(chain);

			if (!sk_X509_push(all, x)) {
				X509_free(x);
				goto out;
			}
		}
	}
	n = sk_X509_num(all);
	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		goto out;

	switch (fmt) {
	case FMT_CERT_PEM:
		ok = append_pem(bio, all, 0, 0);
		break;
	case FMT_ISSUER_AFTER_PEM:
		ok = append_pem(bio, all, 0, n - 1);
		break;
	case FMT_CHAIN_PEM:
		ok = append_pem(bio, all, n - 1, 0);
		break;
	case FMT_CHAIN_ONLY_PEM:
		ok = append_pem(bio, all, 1, n - 1);
		break;
	case FMT_ROOT_FIRST_PEM:
		ok = append_pem(bio, all, n - 1, 1);
		break;
	case FMT_PKCS7_DER:
	case FMT_PKCS7_PEM:
		if ((p7 = certs_only(all)) == NULL)
			break;
		ok = fmt == FMT_PKCS7_DER ? i2d_PKCS7_bio(bio, p7) :
		    PEM_write_bio_PKCS7(bio, p7);
		break;
	case FMT__COUNT:
		break;
	}
	if (!ok) {
		log_ossl("formats: encoding");
		goto out;
	}
	ok = 0;
	if ((len = BIO_get_mem_data(bio, &data)) <= 0 ||
	    !buf_append(out, data, (size_t)len))
		goto out;
	ok = 1;
out:
	if (!ok)
		buf_free(out);
	BIO_free(bio);
	PKCS7_free(p7);
	sk_X509_pop_free(chain, X509_free);
	sk_X509_pop_free(all, X509_free);
	X509_free(ca);
	X509_free(leaf);
	return ok;
}
