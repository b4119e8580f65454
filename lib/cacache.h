/*
 * cacache: each customer's CA as this worker process loaded it, kept
 * across requests so that any program issues or answers SCEP with keys
 * loaded once per worker, not once per request.
 */
#ifndef CERTDESK_CACACHE_H
#define CERTDESK_CACACHE_H

#include <stddef.h>

#include <openssl/x509.h>

#include "ca.h"
#include "config.h"
#include "scep.h"
#include "store.h"

/*
 * What one customer's CA looks like to this process: the keys and the
 * GetCACert/GetNextCACert payloads, built once and rebuilt only when the
 * CA row changes.  Holds no request data, so keeping it across requests
 * does not leak one client's data to the next; it saves loading keys and
 * encoding certificates on every request.
 */
struct cacache {
	struct cacache	*next;
	long long	 customer_id;
	long long	 ca_id;
	char		*cert_pem, *key_uri, *chain_pem;
	char		*ra_cert_pem, *ra_key_uri, *next_cert_pem;
	struct ca	*ca;
	struct scep_keys keys;
	X509		*sign_cert;	/* signs CertReps: the RA, else the CA */
	EVP_PKEY	*sign_key;
	unsigned char	*cacert;	/* GetCACert body */
	size_t		 cacert_len;
	const char	*cacert_type;
	unsigned char	*nextca;	/* GetNextCACert body, NULL without one */
	size_t		 nextca_len;
	char		*crl_url;
};

/*
 * Returns the customer's loaded CA from rec, loading it on first use and
 * again when the CA row changed (rollover, new RA); owned by the cache.
 * NULL when rec is NULL or the CA cannot be loaded (logged).
 */
struct cacache	*cacache_get(const struct config *, const struct customer *,
		    const struct ca_rec *rec);
/* Frees every entry; app_done calls it (leak checkers watch the keys). */
void		 cacache_free_all(void);

#endif
