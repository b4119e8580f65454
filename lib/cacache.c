/* cacache: the per-worker cache of loaded customer CAs. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cacache.h"
#include "issue.h"
#include "log.h"

#define CT_CA			"application/x-x509-ca-cert"
#define CT_CA_RA		"application/x-x509-ca-ra-cert"

/* Holds no request data, so keeping it does not leak one client's to the next. */
static struct cacache	*caches;

/* Returns 1 if two optional strings are equal (NULL equals NULL). */
static int
same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Returns a strdup of s, or of "" for NULL; caller frees. */
static char *
dup_str(const char *s)
{
	return strdup(s != NULL ? s : "");
}

/* Frees a cache entry's contents and the entry; NULL-safe. */
static void
cacache_entry_free(struct cacache *k)
{
	if (k == NULL)
		return;
	free(k->cert_pem);
	free(k->key_uri);
	free(k->chain_pem);
	free(k->ra_cert_pem);
	free(k->ra_key_uri);
	free(k->next_cert_pem);
	ca_free(k->ca);
	free(k->cacert);
	free(k->nextca);
	free(k->crl_url);
	free(k);
}

/* Returns 1 if the cache entry was built from exactly this CA record. */
static int
cacache_matches(const struct cacache *k, const struct ca_rec *rec)
{
	return k->ca_id == rec->id &&
	    same_str(k->cert_pem, rec->cert_pem) &&
	    same_str(k->key_uri, rec->key_uri) &&
	    same_str(k->chain_pem, rec->chain_pem != NULL ? rec->chain_pem : "") &&
	    same_str(k->ra_cert_pem, rec->ra_cert_pem != NULL ?
	    rec->ra_cert_pem : "") &&
	    same_str(k->ra_key_uri, rec->ra_key_uri != NULL ?
	    rec->ra_key_uri : "") &&
	    same_str(k->next_cert_pem, rec->next_cert_pem != NULL ?
	    rec->next_cert_pem : "");
}

/* Returns 1 if x is self-signed (a root). */
static int
is_root(X509 *x)
{
	return X509_check_issued(x, x) == X509_V_OK;
}

/*
 * Builds the GetCACert body: with an RA (or intermediates) a certs-only
 * PKCS#7 with the RA first, then the CA and its chain, the root only when
 * SCEP.IncludeRoot is on; without either the CA certificate as DER.
 */
static int
cacache_build_cacert(struct cacache *k, const struct config *cfg)
{
	STACK_OF(X509)	*certs = NULL;
	int		 i, n, ok = 0, include_root;

	n = sk_X509_num(k->ca->chain);
	if (k->ca->ra_cert == NULL && n <= 0) {
		k->cacert = ca_cert_der(k->ca->cert, &k->cacert_len);
		k->cacert_type = CT_CA;
		return k->cacert != NULL;
	}
	include_root = config_int(cfg, "SCEP.IncludeRoot", 1);
	if ((certs = sk_X509_new_null()) == NULL)
		goto out;
	if (k->ca->ra_cert != NULL && !sk_X509_push(certs, k->ca->ra_cert))
		goto out;
	/* The issuing CA itself is always sent, even when it is the root. */
	if (!sk_X509_push(certs, k->ca->cert))
		goto out;
	for (i = 0; i < n; i++) {
		X509	*x = sk_X509_value(k->ca->chain, i);

		if (!include_root && is_root(x))
			continue;
		if (!sk_X509_push(certs, x))
			goto out;
	}
	k->cacert = scep_certs_only(certs, &k->cacert_len);
	k->cacert_type = CT_CA_RA;
	ok = k->cacert != NULL;
out:
	sk_X509_free(certs);
	return ok;
}

/*
 * Builds the GetNextCACert body (RFC 8894 4.7): a SignedData, signed by
 * the current RA or CA, whose content is a certs-only PKCS#7 holding the
 * rollover CA certificate.
 */
static int
cacache_build_nextca(struct cacache *k)
{
	STACK_OF(X509)	*certs = NULL;
	X509		*next = NULL;
	unsigned char	*inner = NULL, *p;
	size_t		 innerlen = 0;
	BIO		*in = NULL;
	PKCS7		*p7 = NULL;
	int		 n, ok = 0;

	if ((next = ca_cert_from_pem(k->next_cert_pem)) == NULL) {
		log_err("cacache: the rollover CA certificate does not parse");
		goto out;
	}
	if ((certs = sk_X509_new_null()) == NULL ||
	    !sk_X509_push(certs, next))
		goto out;
	if ((inner = scep_certs_only(certs, &innerlen)) == NULL ||
	    innerlen > INT_MAX)
		goto out;
	if ((in = BIO_new_mem_buf(inner, (int)innerlen)) == NULL ||
	    (p7 = PKCS7_sign(k->sign_cert, k->sign_key, NULL, in,
	    PKCS7_BINARY | PKCS7_NOSMIMECAP)) == NULL) {
		log_ossl("cacache: GetNextCACert signature");
		goto out;
	}
	if ((n = i2d_PKCS7(p7, NULL)) <= 0 ||
	    (k->nextca = malloc((size_t)n)) == NULL)
		goto out;
	p = k->nextca;
	if (i2d_PKCS7(p7, &p) != n) {
		free(k->nextca);
		k->nextca = NULL;
		goto out;
	}
	k->nextca_len = (size_t)n;
	ok = 1;
out:
	PKCS7_free(p7);
	BIO_free(in);
	free(inner);
	sk_X509_free(certs);
	X509_free(next);
	return ok;
}

struct cacache *
cacache_get(const struct config *cfg, const struct customer *cust,
    const struct ca_rec *rec)
{
	struct cacache	**pp, *k;

	if (rec == NULL)
		return NULL;
	for (pp = &caches; (k = *pp) != NULL; pp = &k->next)
		if (k->customer_id == cust->id)
			break;
	if (k != NULL) {
		if (cacache_matches(k, rec))
			return k;
		*pp = k->next;
		cacache_entry_free(k);
	}
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return NULL;
	k->customer_id = cust->id;
	k->ca_id = rec->id;
	if ((k->cert_pem = dup_str(rec->cert_pem)) == NULL ||
	    (k->key_uri = dup_str(rec->key_uri)) == NULL ||
	    (k->chain_pem = dup_str(rec->chain_pem)) == NULL ||
	    (k->ra_cert_pem = dup_str(rec->ra_cert_pem)) == NULL ||
	    (k->ra_key_uri = dup_str(rec->ra_key_uri)) == NULL ||
	    (k->next_cert_pem = dup_str(rec->next_cert_pem)) == NULL)
		goto fail;
	k->ca = ca_load(rec->cert_pem, rec->key_uri,
	    k->chain_pem[0] != '\0' ? k->chain_pem : NULL,
	    k->ra_cert_pem[0] != '\0' ? k->ra_cert_pem : NULL,
	    k->ra_cert_pem[0] != '\0' ? k->ra_key_uri : NULL);
	if (k->ca == NULL) {
		log_err("cacache: the CA of customer %s cannot be loaded",
		    cust->uri);
		goto fail;
	}
	k->keys.ra_cert = k->ca->ra_cert;
	k->keys.ra_key = k->ca->ra_key;
	k->keys.ca_cert = k->ca->cert;
	k->keys.ca_key = k->ca->key;
	k->sign_cert = k->ca->ra_cert != NULL ? k->ca->ra_cert : k->ca->cert;
	k->sign_key = k->ca->ra_cert != NULL ? k->ca->ra_key : k->ca->key;
	if (!cacache_build_cacert(k, cfg))
		goto fail;
	if (k->next_cert_pem[0] != '\0' && !cacache_build_nextca(k))
		goto fail;
	if ((k->crl_url = issue_crl_url(cfg, cust->uri,
	    rec->name)) == NULL)
		goto fail;
	k->next = caches;
	caches = k;
	return k;
fail:
	cacache_entry_free(k);
	return NULL;
}

void
cacache_free_all(void)
{
	struct cacache	*k;

	while ((k = caches) != NULL) {
		caches = k->next;
		cacache_entry_free(k);
	}
}
