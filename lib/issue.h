/*
 * issue: the certificate life cycle shared by every program and the CLI —
 * issue an approved request (CA signature and database record in one
 * transaction), decline, revoke, and publish the CRL.
 */
#ifndef CERTDESK_ISSUE_H
#define CERTDESK_ISSUE_H

#include <stddef.h>

#include <openssl/x509.h>

#include "audit.h"
#include "ca.h"
#include "config.h"
#include "csr.h"
#include "db.h"
#include "store.h"

/*
 * Issues the certificate of request id (status Requested or Approved):
 * loads the customer's CA, applies the profile, signs, and records the
 * certificate in the same transaction.  Returns 1, or 0 with a reason in
 * err (nothing is changed then).
 */
int	 issue_request(struct db *, const struct config *, long long id,
	    const struct actor *, char *err, size_t errlen);
/*
 * A certificate signed but not yet recorded.  It carries the CSR's
 * SubjectPublicKeyInfo bytes and no decoded key (see struct ca_issue):
 * X509_get0_pubkey(cert) returns NULL; the key is the CSR's.
 */
struct issue_cert {
	X509		*cert;
	unsigned char	*der;		/* cert's DER */
	size_t		 len;
	char		 serial[33];	/* uppercase hex */
	char		*subject;	/* RFC 2253 text of cert's subject */
	long long	 not_before, not_after;	/* as signed */
};

/*
 * Signs request r with the loaded CA ca and fills out (the caller frees it
 * with issue_cert_free); touches no database, so a caller can sign before
 * taking the write lock and record inside the transaction that also
 * decides whether the certificate exists: a rollback discards it, and
 * nothing may hand it out before the COMMIT.  The subject is built by
 * policy_subject for r->type from the CSR and the organisation unless
 * subject is given (a renewal keeps the old one); SANs are r->sans; the
 * profile sets EKU, and key usage as policy_key_usage says.  A csr
 * without req (a key the server made, in csr->pkey) is encoded anew.
 * Returns 1, or 0 (out untouched).
 */
int	 issue_make(const struct ca *ca, const char *crl_url,
	    const struct request *r, const struct csr *csr,
	    const struct org *org, const struct profile *prof,
	    const X509_NAME *subject, struct issue_cert *out);
/*
 * Records a certificate from issue_make on the existing row request_id
 * (public id cert_id, for the log) as Issued by CA record ca_id; runs
 * inside the caller's transaction.  Returns 1 on success.
 */
int	 issue_record(struct db *, long long request_id, const char *cert_id,
	    long long ca_id, const struct issue_cert *);
/*
 * Inserts request r already Issued with the certificate from issue_make
 * by CA record ca_id (one INSERT instead of an INSERT and an UPDATE under
 * the write lock); runs inside the caller's transaction.  Writes the new
 * certificate ID (caller frees; r->cert_id must be NULL), r->id and
 * r->requested_at.  Returns the row id, or 0.
 */
long long issue_add_issued(struct db *, struct request *r, long long ca_id,
	    const struct issue_cert *);
/* Frees what an issue_cert holds and zeroes it; NULL-safe. */
void	 issue_cert_free(struct issue_cert *);
/*
 * issue_make then issue_record on r's row, inside the caller's
 * transaction.  Returns the certificate (caller frees; no decoded key,
 * see struct issue_cert) or NULL.
 */
X509	*issue_sign(struct db *, const struct ca *ca, long long ca_id,
	    const char *crl_url, const struct request *r, const struct csr *csr,
	    const struct org *org, const struct profile *prof,
	    const X509_NAME *subject);
/* Declines a Requested request; returns 1 or 0 with a reason in err. */
int	 issue_decline(struct db *, long long id, const char *reason,
	    const struct actor *, char *err, size_t errlen);
/*
 * Revokes an Issued certificate with an RFC 5280 reason, commits, then
 * republishes the CA's CRL (issue_publish_crl).  Returns 0 with a reason
 * in err when nothing changed; 1 when revoked, with err "" or, if the CRL
 * could not be written, a warning in err (the revocation stands and the
 * next publication lists it).  Call outside any transaction.
 */
int	 issue_revoke(struct db *, const struct config *, long long id,
	    int reason, const char *comment, const struct actor *,
	    char *err, size_t errlen);
/*
 * As issue_revoke, for a certificate already Revoked with another
 * reason: changes its reason (the revocation date stays), audited, and
 * republishes the CRL.  Returns 0 with a reason in err when nothing
 * changed (not Revoked, or already with that reason).
 */
int	 issue_revoke_reason(struct db *, const struct config *, long long id,
	    int reason, const char *comment, const struct actor *,
	    char *err, size_t errlen);
/*
 * Publishes the CA's CRL (DER) at its path after the revocations it lists
 * committed: allocates the next crlNumber in a short transaction of its
 * own (used up even if publishing fails), reads the revoked certificates
 * still within their notAfter without holding the write lock, signs, and
 * renames a temp file over the path unless a concurrent publisher put a
 * higher number there.  Returns 1 on success, 0 (logged) on failure or
 * when called inside a transaction.
 */
int	 issue_publish_crl(struct db *, const struct config *, long long ca_id);
/* Creates the directory a CRL at path goes in (0755) unless it exists; 1 ok. */
int	 issue_crl_dir(const char *path);
/* Returns the published file path of a CA's CRL (caller frees). */
char	*issue_crl_path(const struct config *, const char *customer_uri,
	    const char *ca_name);
/* Returns the URL of a CA's CRL as printed in certificates (caller frees). */
char	*issue_crl_url(const struct config *, const char *customer_uri,
	    const char *ca_name);
/* Returns the RFC 5280 code for a reason name ("keyCompromise"), or -1. */
int	 issue_reason_code(const char *name);
/* Returns the name of an RFC 5280 reason code. */
const char *issue_reason_name(int code);
/*
 * Returns 1 when the certificate of old may be renewed at now: it is
 * still issued and not yet expired; else 0 with *reason ("revoked" or
 * "expired", static) for the client.
 */
int	 issue_renewable(const struct request *old, long long now,
	    const char **reason);

#endif
