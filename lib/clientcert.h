/*
 * clientcert: the one pipeline that issues a client (S/MIME) certificate
 * from the web forms: check that every key escrow tier the organisation
 * requires has a key (before any key is made), check policy, make the key
 * (or take the user's CSR), sign outside the write lock, build both
 * PKCS#12 files, seal the key for escrow, then record request,
 * certificate, escrow blob, pick-up files, person, used code and audit
 * event in one transaction, and cleanse the key.  A failure at any step
 * leaves nothing behind.
 */
#ifndef CERTDESK_CLIENTCERT_H
#define CERTDESK_CLIENTCERT_H

#include <stddef.h>

#include "audit.h"
#include "config.h"
#include "csr.h"
#include "db.h"
#include "store.h"

#define CLIENTCERT_PICKUP_SECONDS	3600	/* the PKCS#12 files stay 1 hour */
#define CLIENTCERT_PICKUP_BYTES		((size_t)32)	/* the pick-up secret: 256 bits */

/* What to issue.  Strings are borrowed. */
struct clientcert_order {
	long long	 customer_id;
	long long	 account_id, org_id, dept_id;	/* dept 0: none */
	long long	 profile_id;
	int		 term_days;
	enum key_type	 key_type;	/* server-made key; ignored with csr */
	const struct csr *csr;		/* user-CSR accounts: the key is the user's */
	const char	*email;
	const char	*first, *middle, *last;
	const char	*password;	/* of the PKCS#12 files ("" only if allowed) */
	const char	*passphrase_hash; /* Argon2id of the renewal passphrase, or NULL */
	const char	*via;		/* "web" */
	long long	 request_id;	/* an Awaiting validation row to issue, or 0: a new row */
	long long	 vcode_id;	/* code consumed in the same transaction, or 0 */
	/*
	 * The certificate this renews, or 0: revoked as superseded in the
	 * issuing transaction, and the renewal refused unless it is Issued.
	 */
	long long	 renewal_of;
};

enum clientcert_status {
	CLIENTCERT_OK,
	CLIENTCERT_REFUSED,	/* policy said no: err is for the person */
	CLIENTCERT_CODE_USED,	/* the code was consumed by a concurrent request */
	CLIENTCERT_FAILED	/* internal: err is generic, the detail is logged */
};

struct clientcert_result {
	char		*cert_id;	/* the new certificate ID (caller frees) */
	/*
	 * The secret that unlocks the PKCS#12 files, in hex, for the
	 * browser that asked (caller cleanses and frees); NULL when no
	 * file was built (the user's CSR).
	 */
	char		*pickup;
	char		 err[256];
};

/*
 * Runs the pipeline for order on behalf of actor; on CLIENTCERT_OK fills
 * res->cert_id and res->pickup (caller frees both, cleansing pickup),
 * otherwise res->err.  Call outside any transaction.
 */
enum clientcert_status clientcert_issue(struct db *, const struct config *,
		    const struct clientcert_order *, const struct actor *,
		    struct clientcert_result *res);

/* Frees what a result holds, cleansing the pick-up secret; NULL-safe. */
void		 clientcert_result_free(struct clientcert_result *);

struct escrow_key_list;

/*
 * Returns 1 when every key escrow tier organisation org_id (and
 * department dept_id, 0 for none) requires has a key, with those keys in
 * *keys when keys is not NULL (caller frees with escrow_key_list_free).
 * Returns 0 when one has none: the refusal is audited for email and the
 * organisation's administrators are mailed (at most once an hour); the
 * person is to be shown ESCROW_BLOCKED_MSG.  Returns -1 on a database
 * error.  Only for keys the server makes: a user's CSR is never escrowed.
 */
int		 clientcert_escrow_ready(struct db *, const struct config *,
		    long long customer_id, long long org_id, long long dept_id,
		    const char *email, const struct actor *,
		    struct escrow_key_list **keys);

/*
 * When not NULL, called by clientcert_issue after the key is sealed and
 * before the certificate is recorded, outside any transaction: the
 * window in which another process may swap a tier key.  NULL in the
 * programs; the escrow tests set it to swap a key there.
 */
extern void	(*clientcert_before_record)(struct db *);

/*
 * Returns 1 when r is a client certificate whose key the server made (so
 * PKCS#12 files were built for it), 0 for a user's CSR or another type.
 */
int		 clientcert_server_key(const struct request *r);

enum pickup_status {
	PICKUP_OK,
	PICKUP_EXPIRED,		/* was there; the hour is over (or never built) */
	PICKUP_DENIED,		/* there, but the pick-up secret is missing or wrong */
	PICKUP_UNKNOWN		/* no such certificate of this customer */
};

/*
 * Returns the stored PKCS#12 of certificate cert_id of customer_id in
 * encoding enc ("modern" or "compatible") when secret (outside input,
 * NULL when absent) is its pick-up secret; on PICKUP_OK *der (caller
 * frees) and *len.  PICKUP_EXPIRED also for a certificate no longer
 * Issued; PICKUP_UNKNOWN also for an unknown encoding.
 */
enum pickup_status clientcert_pickup(struct db *, long long customer_id,
		    const char *cert_id, const char *enc, const char *secret,
		    unsigned char **der, size_t *len);

#endif
