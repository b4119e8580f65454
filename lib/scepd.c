/*
 * scepd: the server side of SCEP.  Once a message's transactionID and
 * senderNonce are readable, every outcome is a CertRep; issuing,
 * recording the certificate and the transaction, and consuming a one-time
 * challenge happen in one database transaction.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ca.h"
#include "csr.h"
#include "log.h"
#include "policy.h"
#include "scepd.h"
#include "throttle.h"

#define THROTTLE_SCOPE		"scep-challenge"
#define REASON_SUPERSEDED	4

int
scepd_answer_fail(struct scepd_answer *a, int fail_info, const char *fmt, ...)
{
	va_list	 ap;

	a->status = SCEP_STATUS_FAILURE;
	a->fail_info = fail_info;
	va_start(ap, fmt);
	vsnprintf(a->text, sizeof(a->text), fmt, ap);
	va_end(ap);
	return 0;
}

/* Sets a SUCCESS answer carrying one certificate (up-referenced); returns 1. */
int
scepd_answer_cert(struct scepd_answer *a, X509 *x)
{
	if ((a->certs = sk_X509_new_null()) == NULL || !X509_up_ref(x))
		return scepd_answer_fail(a, SCEP_FAIL_BADREQUEST,
		    "internal error");
	if (!sk_X509_push(a->certs, x)) {
		X509_free(x);
		return scepd_answer_fail(a, SCEP_FAIL_BADREQUEST,
		    "internal error");
	}
	a->status = SCEP_STATUS_SUCCESS;
	a->fail_info = SCEP_FAIL_NONE;
	a->text[0] = '\0';
	return 1;
}

/* Writes an audit event for this endpoint with the transactionID in its detail. */
void
scepd_audit(struct scepd_req *c, const char *action, const char *object,
    const char *outcome, const struct scep_msg *msg, const char *what)
{
	char	 detail[512];

	snprintf(detail, sizeof(detail), "transactionID=%s%s%s",
	    msg->transaction_id, what != NULL && *what ? "; " : "",
	    what != NULL ? what : "");
	audit_event(c->app->db, c->customer->id, &c->actor, action,
	    object != NULL ? object : c->endpoint->name, outcome, detail);
}

/* Returns the serial of x as uppercase hex (caller frees) or NULL. */
static char *
serial_hex(const ASN1_INTEGER *ai)
{
	BIGNUM	*bn = NULL;
	char	*h = NULL, *out = NULL;
	size_t	 len;

	if (ai == NULL || (bn = ASN1_INTEGER_to_BN(ai, NULL)) == NULL ||
	    (h = BN_bn2hex(bn)) == NULL)
		goto done;
	/* Our serials are stored as 32 digits: pad shorter ones. */
	len = strlen(h);
	if ((out = malloc(len < 32 ? 33 : len + 1)) == NULL)
		goto done;
	if (len < 32) {
		memset(out, '0', 32 - len);
		memcpy(out + 32 - len, h, len + 1);
	} else
		memcpy(out, h, len + 1);
done:
	OPENSSL_free(h);
	BN_free(bn);
	return out;
}

/* Returns the certificate stored on a request (caller frees) or NULL. */
static X509 *
request_cert(const struct request *rq)
{
	const unsigned char	*p = rq->cert_der;

	if (rq->cert_der == NULL || rq->cert_len == 0)
		return NULL;
	return d2i_X509(NULL, &p, (long)rq->cert_len);
}

/*
 * Returns the stored request of a certificate this CA issued to this
 * customer, looked up by serial and compared byte for byte (a forged
 * certificate with a copied issuer and serial does not match); caller
 * frees; NULL when x is not ours.
 */
static struct request *
our_request_for_cert(struct scepd_req *c, X509 *x)
{
	struct request	*rq = NULL;
	unsigned char	*der = NULL;
	char		*hex = NULL;
	size_t		 len = 0;

	if (x == NULL || X509_NAME_cmp(X509_get_issuer_name(x),
	    X509_get_subject_name(c->cache->ca->cert)) != 0)
		return NULL;
	if ((hex = serial_hex(X509_get0_serialNumber(x))) == NULL)
		return NULL;
	rq = store_request_by_serial(c->app->db, hex);
	free(hex);
	if (rq == NULL)
		return NULL;
	if (rq->customer_id != c->customer->id || rq->ca_id != c->rec->id ||
	    (der = ca_cert_der(x, &len)) == NULL || len != rq->cert_len ||
	    memcmp(der, rq->cert_der, len) != 0) {
		store_request_free(rq);
		rq = NULL;
	}
	free(der);
	return rq;
}

/*
 * Answers a transaction that exists already (retry of PKCSReq, CertPoll)
 * from its stored state: the same certificate, PENDING, or the FAILURE.
 * Records an approval or decline that happened since.
 */
static void
answer_from_txn(struct scepd_req *c, struct scep_txn *t, struct scepd_answer *a)
{
	struct request	*rq = NULL;
	X509		*x = NULL;

	if (strcmp(t->status, "failure") == 0) {
		scepd_answer_fail(a, t->fail_info >= 0 ? t->fail_info :
		    SCEP_FAIL_BADREQUEST, "this transaction was refused");
		if ((rq = store_request_by_id(c->app->db, t->request_id)) !=
		    NULL && rq->decline_reason != NULL &&
		    rq->decline_reason[0] != '\0')
			snprintf(a->text, sizeof(a->text),
			    "the request was declined: %s", rq->decline_reason);
		goto out;
	}
	if ((rq = store_request_by_id(c->app->db, t->request_id)) == NULL) {
		scepd_answer_fail(a, SCEP_FAIL_BADCERTID,
		    "the request of this transaction no longer exists");
		goto out;
	}
	if (rq->status == REQ_DECLINED || rq->status == REQ_REJECTED) {
		if (rq->decline_reason != NULL && rq->decline_reason[0] != '\0')
			scepd_answer_fail(a, SCEP_FAIL_BADREQUEST,
			    "the request was declined: %s", rq->decline_reason);
		else
			scepd_answer_fail(a, SCEP_FAIL_BADREQUEST,
			    "the request was declined");
		if (strcmp(t->status, "failure") != 0)
			(void)store_scep_txn_update(c->app->db, t->id, "failure",
			    SCEP_FAIL_BADREQUEST, rq->id);
		goto out;
	}
	if ((x = request_cert(rq)) != NULL) {
		scepd_answer_cert(a, x);
		if (strcmp(t->status, "success") != 0)
			(void)store_scep_txn_update(c->app->db, t->id, "success",
			    -1, rq->id);
		goto out;
	}
	a->status = SCEP_STATUS_PENDING;
	a->fail_info = SCEP_FAIL_NONE;
out:
	X509_free(x);
	store_request_free(rq);
}

/* Writes the lowercase hex SHA-256 of x's SubjectPublicKeyInfo; returns 1 or 0. */
static int
cert_pubkey_sha256(X509 *x, char hex[65])
{
	/* The same bytes csr_pubkey_sha256 hashes for the transaction. */
	return x != NULL && csr_spki_sha256(X509_get_X509_PUBKEY(x), hex);
}

/* Returns 1 if x is, byte for byte, the certificate stored on request id. */
static int
is_request_cert(struct scepd_req *c, X509 *x, long long id)
{
	struct request	*rq = NULL;
	unsigned char	*der = NULL;
	size_t		 len = 0;
	int		 ok;

	ok = id != 0 && (rq = store_request_by_id(c->app->db, id)) != NULL &&
	    rq->customer_id == c->customer->id && rq->cert_der != NULL &&
	    (der = ca_cert_der(x, &len)) != NULL && len == rq->cert_len &&
	    memcmp(der, rq->cert_der, len) == 0;
	free(der);
	store_request_free(rq);
	return ok;
}

/*
 * Returns 1 if msg's signer proves it owns transaction t: it holds the
 * transaction's key (scep_parse checked the signature), or it is the
 * certificate issued on the transaction's request or the one that
 * request renewed.  Knowing a transactionID is not enough to be handed
 * its certificate.
 */
static int
signer_owns_txn(struct scepd_req *c, const struct scep_msg *msg,
    const struct scep_txn *t)
{
	struct request	*rq;
	char		 hex[65];
	long long	 renewed;

	if (msg->signer == NULL)
		return 0;
	if (cert_pubkey_sha256(msg->signer, hex) &&
	    strcmp(hex, t->pubkey_sha256) == 0)
		return 1;
	if (is_request_cert(c, msg->signer, t->request_id))
		return 1;
	if ((rq = store_request_by_id(c->app->db, t->request_id)) == NULL)
		return 0;
	renewed = rq->renewal_of;
	store_request_free(rq);
	return is_request_cert(c, msg->signer, renewed);
}

/* answer_from_txn for the owner of t only; others get FAILURE badRequest. */
static void
answer_owner(struct scepd_req *c, const struct scep_msg *msg,
    struct scep_txn *t, struct scepd_answer *a)
{
	if (!signer_owns_txn(c, msg, t)) {
		scepd_answer_fail(a, SCEP_FAIL_BADREQUEST, "transactionID %s "
		    "belongs to another key; sign with the key of the "
		    "request", msg->transaction_id);
		return;
	}
	answer_from_txn(c, t, a);
}

/* Returns the term for an account: its own, else the profile's first, else a year. */
static int
term_days(const struct account *acc, const struct profile *prof)
{
	int	 d;

	if (acc != NULL && acc->term_days > 0)
		return acc->term_days;
	if (prof != NULL && prof->terms != NULL &&
	    (d = (int)strtol(prof->terms, NULL, 10)) > 0)
		return d;
	return 365;
}

/* What commit_enrollment needs besides the request row. */
struct enrollment {
	struct csr		*csr;
	struct request		*rq;		/* filled in, inserted here */
	const struct profile	*prof;
	const struct org	*org;
	const X509_NAME		*subject;	/* renewal: the old subject */
	const struct request	*old;		/* renewal: superseded request */
	const struct scep_txn	*txn;		/* renewal within a transaction */
	int			 revoke_old;
	long long		 challenge_id;	/* one-time challenge to use up */
	int			 pending;
	const char		*pubkey_hex;
};

/*
 * Records the SCEP transaction of e inside the caller's database
 * transaction: a new one, or a renewal's moved to the new request.
 * Returns 1, or 0 with the answer set; when a concurrent retry got there
 * first it rolls back, clears *began and answers what that retry stored.
 */
static int
commit_txn(struct scepd_req *c, const struct scep_msg *msg,
    const struct enrollment *e, struct scepd_answer *a, int *began)
{
	struct db		*db = c->app->db;
	struct scep_txn		 t, *again = NULL;
	int			 ok = 0;

	memset(&t, 0, sizeof(t));
	t.endpoint_id = c->endpoint->id;
	t.transaction_id = msg->transaction_id;
	t.pubkey_sha256 = (char *)e->pubkey_hex;
	t.request_id = e->rq->id;
	t.status = e->pending ? "pending" : "success";
	t.fail_info = -1;
	if (e->txn != NULL) {
		/*
		 * A renewal that reuses its transactionID moves the transaction
		 * to the new request, unless a concurrent retry of the same
		 * renewal did so first: the write lock held since db_begin
		 * makes this read authoritative.
		 */
		again = store_scep_txn_get(db, c->endpoint->id,
		    msg->transaction_id);
		if (again == NULL || again->request_id != e->txn->request_id) {
			db_rollback(db);
			*began = 0;
			if (again == NULL)
				scepd_answer_fail(a, SCEP_FAIL_BADREQUEST,
				    "the transaction could not be recorded");
			else
				answer_owner(c, msg, again, a);
			goto out;
		}
		if (!store_scep_txn_update(db, e->txn->id, "success", -1,
		    e->rq->id)) {
			scepd_answer_fail(a, SCEP_FAIL_BADREQUEST,
			    "the transaction could not be recorded");
			goto out;
		}
	} else if (store_scep_txn_add(db, &t) == 0) {
		/* A concurrent retry won the race: answer what it stored. */
		db_rollback(db);
		*began = 0;
		again = store_scep_txn_get(db, c->endpoint->id,
		    msg->transaction_id);
		if (again == NULL)
			scepd_answer_fail(a, SCEP_FAIL_BADREQUEST,
			    "the transaction could not be recorded");
		else if (strcmp(again->pubkey_sha256, e->pubkey_hex) != 0)
			scepd_answer_fail(a, SCEP_FAIL_BADREQUEST,
			    "transactionID %s is in use with a different "
			    "public key", msg->transaction_id);
		else
			answer_owner(c, msg, again, a);
		goto out;
	}
	ok = 1;
out:
	store_scep_txn_free(again);
	return ok;
}

/*
 * Audits and commits an enrollment left for approval; returns 1 once
 * committed, else 0 with the answer set.
 */
static int
commit_pending(struct scepd_req *c, const struct scep_msg *msg,
    const struct enrollment *e, struct scepd_answer *a)
{
	char	 what[160];

	snprintf(what, sizeof(what), "awaiting approval");
	scepd_audit(c, e->old != NULL ? "scep.renew" : "scep.enroll",
	    e->rq->cert_id, "pending", msg, what);
	if (!db_commit(c->app->db))
		return scepd_answer_fail(a, SCEP_FAIL_BADREQUEST,
		    "the request could not be recorded");
	a->status = SCEP_STATUS_PENDING;
	a->fail_info = SCEP_FAIL_NONE;
	a->audited = 1;
	return 1;
}

/*
 * Revokes the superseded certificate when e says so, audits and commits
 * an issued enrollment, and answers its certificate ic; returns 1 once
 * committed, else 0 with the answer set.
 */
static int
commit_issued(struct scepd_req *c, const struct scep_msg *msg,
    const struct enrollment *e, const struct issue_cert *ic,
    struct scepd_answer *a)
{
	struct db	*db = c->app->db;
	char		 what[160];

	if (e->old != NULL && e->revoke_old) {
		if (!store_request_revoke(db, e->old->id, REASON_SUPERSEDED,
		    "superseded by SCEP renewal"))
			return scepd_answer_fail(a, SCEP_FAIL_BADREQUEST,
			    "the renewed certificate could not be revoked");
		scepd_audit(c, "certificate.revoke", e->old->cert_id,
		    "success", msg, "superseded by SCEP renewal");
	}
	if (e->old != NULL)
		snprintf(what, sizeof(what), "renewal of %s", e->old->cert_id);
	else
		what[0] = '\0';
	scepd_audit(c, e->old != NULL ? "scep.renew" : "scep.enroll",
	    e->rq->cert_id, "success", msg, what);
	if (!db_commit(db))
		return scepd_answer_fail(a, SCEP_FAIL_BADREQUEST,
		    "the certificate could not be recorded");
	/*
	 * The CRL lists only what committed; the renewed certificate stays
	 * revoked if it cannot be written now, and the next one lists it.
	 */
	if (e->old != NULL && e->revoke_old &&
	    !issue_publish_crl(db, c->app->cfg, c->rec->id))
		log_err("scep %s: the CRL could not be published after the "
		    "renewal revoked %s", msg->transaction_id, e->old->cert_id);
	scepd_answer_cert(a, ic->cert);
	a->audited = 1;
	return 1;
}

/*
 * Records an enrollment the policy accepted, in one transaction: uses up
 * the one-time challenge, inserts the request and the SCEP transaction,
 * and either leaves it for approval (PENDING) or issues it (SUCCESS),
 * revoking the superseded certificate when the account says so.
 */
static void
commit_enrollment(struct scepd_req *c, const struct scep_msg *msg,
    struct enrollment *e, struct scepd_answer *a)
{
	struct db		*db = c->app->db;
	struct issue_cert	 ic;
	int			 began = 0;
	long long		 id;

	memset(&ic, 0, sizeof(ic));
	/*
	 * Sign before taking the write lock, which the other workers wait
	 * for: the signature needs no database.  The certificate exists
	 * only if the transaction below commits; it is sent after the
	 * COMMIT, and a rollback drops it unsent and unrecorded.
	 */
	if (!e->pending && !issue_make(c->cache->ca, c->cache->crl_url, e->rq,
	    e->csr, e->org, e->prof, e->subject, &ic)) {
		scepd_answer_fail(a, SCEP_FAIL_BADREQUEST,
		    "the CA could not issue the certificate");
		return;
	}
	if (!db_begin(db)) {
		scepd_answer_fail(a, SCEP_FAIL_BADREQUEST,
		    "the server is busy; try again");
		goto out;
	}
	began = 1;
	if (e->challenge_id != 0 &&
	    !store_scep_challenge_use(db, e->challenge_id)) {
		scepd_answer_fail(a, SCEP_FAIL_BADREQUEST,
		    "the challenge password has already been used");
		goto out;
	}
	/* An issued request is inserted Issued: one INSERT, no UPDATE. */
	if (e->pending)
		id = store_request_add(db, e->rq);
	else
		id = issue_add_issued(db, e->rq, c->rec->id, &ic);
	if (id == 0) {
		scepd_answer_fail(a, SCEP_FAIL_BADREQUEST,
		    "the request could not be recorded");
		goto out;
	}
	if (!commit_txn(c, msg, e, a, &began))
		goto out;
	/*
	 * A different renewal of the same certificate may have committed
	 * since enroll_renewal looked; under the write lock this count is
	 * authoritative, and ours is the one row it may find.
	 */
	if (e->old != NULL && store_request_renewals(db, e->old->id) != 1) {
		scepd_answer_fail(a, SCEP_FAIL_BADREQUEST, "certificate %s "
		    "has been renewed already; renew the newer one",
		    e->old->cert_id);
		goto out;
	}
	if (e->pending ? commit_pending(c, msg, e, a) :
	    commit_issued(c, msg, e, &ic, a))
		began = 0;
out:
	if (began)
		db_rollback(db);
	issue_cert_free(&ic);
}

/*
 * Finds the account a challengePassword opens: an access code of this
 * endpoint, or an unused, unexpired one-time challenge (whose id goes to
 * *challenge_id).  Returns the account (caller frees) or NULL with the
 * answer set; failed guesses are throttled per address.
 */
static struct account *
check_challenge(struct scepd_req *c, const struct csr *csr,
    long long *challenge_id, struct scepd_answer *a)
{
	struct db		*db = c->app->db;
	struct account		*acc = NULL;
	struct scep_challenge	*ch = NULL;

	*challenge_id = 0;
	if (csr->challenge == NULL || csr->challenge[0] == '\0') {
		scepd_answer_fail(a, SCEP_FAIL_BADREQUEST,
		    "the CSR carries no challengePassword");
		return NULL;
	}
	/*
	 * Count the attempt before looking: parallel guesses then cannot
	 * all pass the check before any failure is recorded.  A right
	 * challenge takes its attempt back.
	 */
	if (!throttle_attempt(db, THROTTLE_SCOPE, c->r->remote)) {
		scepd_answer_fail(a, SCEP_FAIL_BADREQUEST,
		    "too many failed challenges; try again later");
		return NULL;
	}
	if ((acc = store_account_by_code(db, c->endpoint->id,
	    csr->challenge)) != NULL) {
		(void)throttle_refund(db, THROTTLE_SCOPE, c->r->remote);
		return acc;
	}
	ch = store_scep_challenge_find(db, c->endpoint->id, csr->challenge);
	if (ch != NULL && ch->expires > store_now()) {
		(void)throttle_refund(db, THROTTLE_SCOPE, c->r->remote);
		if (!policy_challenge_matches(ch->subject_pattern, csr)) {
			scepd_answer_fail(a, SCEP_FAIL_BADREQUEST, "the "
			    "subject is not one this challenge was issued "
			    "for");
			store_scep_challenge_free(ch);
			return NULL;
		}
		if ((acc = store_account_by_id(db, ch->account_id)) != NULL)
			*challenge_id = ch->id;
	}
	store_scep_challenge_free(ch);
	if (acc == NULL)
		scepd_answer_fail(a, SCEP_FAIL_BADREQUEST,
		    "the challenge password is wrong or expired");
	return acc;
}

/*
 * Applies the endpoint's name policy to a first enrollment and writes the
 * SANs the certificate will carry into sans; returns 1, or 0 with the
 * answer set.  Requested extensions are never copied: only names that
 * passed the policy are.
 */
static int
check_names(struct scepd_req *c, const struct account *acc,
    const struct profile *prof, const struct csr *csr, struct buf *sans,
    struct scepd_answer *a)
{
	struct policy_scope	*sc;
	char			 err[256];
	int			 ok;

	if ((sc = policy_scope_load(c->app->db, c->customer->id, acc->org_id,
	    acc->dept_id)) == NULL)
		return scepd_answer_fail(a, SCEP_FAIL_BADREQUEST,
		    "internal error");
	if (c->endpoint->type == ENDPOINT_SCEP_SMIME) {
		ok = policy_check_smime(sc, csr, err, sizeof(err));
		if (ok && !buf_puts(sans, policy_smime_email(csr))) {
			ok = 0;
			snprintf(err, sizeof(err), "the email address is not "
			    "usable");
		}
	} else
		ok = policy_check_device(sc, csr, prof->wildcard,
		    prof->multi_domain, prof->name, sans, err, sizeof(err));
	policy_scope_free(sc);
	if (!ok)
		return scepd_answer_fail(a, SCEP_FAIL_BADREQUEST, "%s", err);
	return 1;
}

/* Returns 1 when the profile allows the CSR's key, else 0 with the answer set. */
static int
check_key(const struct profile *prof, const struct csr *csr,
    struct scepd_answer *a)
{
	char	 err[256];

	if (!policy_check_key(prof->key_types, prof->name, csr, err,
	    sizeof(err)))
		return scepd_answer_fail(a, SCEP_FAIL_BADREQUEST, "%s", err);
	return 1;
}

/* A first enrollment: challenge, policy, then record (and maybe issue). */
static void
enroll_new(struct scepd_req *c, const struct scep_msg *msg, struct csr *csr,
    const char *pubkey_hex, struct scepd_answer *a)
{
	struct account	*acc = NULL;
	struct profile	*prof = NULL;
	struct org	*org = NULL;
	struct request	 rq;
	struct enrollment	 e;
	struct buf	 sans = { 0 };
	const char	*email = NULL;
	long long	 challenge_id = 0;

	memset(&rq, 0, sizeof(rq));
	if ((acc = check_challenge(c, csr, &challenge_id, a)) == NULL)
		goto out;
	if ((prof = store_profile_by_id(c->app->db, acc->profile_id)) == NULL ||
	    (org = store_org_by_id(c->app->db, acc->org_id)) == NULL) {
		scepd_answer_fail(a, SCEP_FAIL_BADREQUEST,
		    "the account has no certificate profile");
		goto out;
	}
	if (!check_key(prof, csr, a) ||
	    !check_names(c, acc, prof, csr, &sans, a))
		goto out;
	if (c->endpoint->type == ENDPOINT_SCEP_SMIME)
		email = (const char *)sans.data;
	rq.customer_id = c->customer->id;
	rq.type = c->endpoint->type == ENDPOINT_SCEP_SMIME ? CERT_SMIME :
	    CERT_DEVICE;
	rq.via = "scep";
	rq.status = REQ_REQUESTED;
	rq.account_id = acc->id;
	rq.profile_id = prof->id;
	rq.org_id = acc->org_id;
	rq.dept_id = acc->dept_id;
	rq.ca_id = c->rec->id;
	rq.term_days = term_days(acc, prof);
	rq.common_name = csr->cn != NULL ? csr->cn : "";
	rq.sans = sans.data != NULL ? (char *)sans.data : "";
	/*
	 * Only a request that waits for approval needs its CSR again; it is
	 * kept without the challenge, which is the access code.  A request
	 * issued at once is recorded with its certificate, which carries the
	 * key and the names, and skips the cost of re-encoding the CSR.
	 */
	if (acc->manual_approval && (rq.csr_der =
	    csr_der_without_challenge(csr, &rq.csr_len)) == NULL) {
		scepd_answer_fail(a, SCEP_FAIL_BADREQUEST, "internal error");
		goto out;
	}
	rq.requester_email = (char *)(email != NULL ? email : "");
	memset(&e, 0, sizeof(e));
	e.csr = csr;
	e.rq = &rq;
	e.prof = prof;
	e.org = org;
	e.challenge_id = challenge_id;
	e.pending = acc->manual_approval;
	e.pubkey_hex = pubkey_hex;
	commit_enrollment(c, msg, &e, a);
out:
	/* cert_id (from the store) and csr_der are ours; the rest is borrowed. */
	free(rq.cert_id);
	free(rq.csr_der);
	buf_free(&sans);
	store_org_free(org);
	store_profile_free(prof);
	store_account_free(acc);
}

/* Returns the first entry nid of name as UTF-8 (caller OPENSSL_frees) or NULL. */
static char *
name_entry_utf8(const X509_NAME *name, int nid)
{
	unsigned char	*u = NULL;
	int		 pos;

	if ((pos = X509_NAME_get_index_by_NID(name, nid, -1)) < 0 ||
	    ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(
	    X509_NAME_get_entry(name, pos))) < 0)
		return NULL;
	return (char *)u;
}

/* The names a renewal would certify, laid out as a CSR for check_names. */
struct renewal_names {
	struct csr	 view;		/* only the name fields are set */
	char		*storage;	/* the split copy of the SANs */
};

/* Frees what renewal_names_get allocated; NULL-safe fields. */
static void
renewal_names_free(struct renewal_names *rn)
{
	OPENSSL_free(rn->view.cn);
	OPENSSL_free(rn->view.email);
	free(rn->view.dns);
	free(rn->view.emails);
	free(rn->view.ips);
	free(rn->storage);
	memset(rn, 0, sizeof(*rn));
}

/*
 * Fills rn with what the renewal of old (certificate oldx) would certify:
 * the old subject's first CN and emailAddress, which the new certificate
 * keeps, and the SANs stored on old, which it carries again; read as a
 * CSR's names, so that the PKCSReq rules judge them.  Returns 1 or 0
 * (free rn with renewal_names_free either way).
 */
static int
renewal_names_get(const struct request *old, X509 *oldx,
    struct renewal_names *rn)
{
	const X509_NAME	*subj = X509_get_subject_name(oldx);
	char		*p, *tok, *save = NULL;
	size_t		 cap;

	memset(rn, 0, sizeof(*rn));
	rn->view.cn = name_entry_utf8(subj, NID_commonName);
	rn->view.email = name_entry_utf8(subj, NID_pkcs9_emailAddress);
	if ((rn->storage = strdup(old->sans != NULL ? old->sans : "")) == NULL)
		return 0;
	/* No more entries than commas plus one. */
	for (cap = 1, p = rn->storage; *p != '\0'; p++)
		cap += *p == ',';
	rn->view.dns = calloc(cap, sizeof(char *));
	rn->view.emails = calloc(cap, sizeof(char *));
	rn->view.ips = calloc(cap, sizeof(char *));
	if (rn->view.dns == NULL || rn->view.emails == NULL ||
	    rn->view.ips == NULL)
		return 0;
	for (p = rn->storage; (tok = strtok_r(p, ", ", &save)) != NULL;
	    p = NULL) {
		if (strchr(tok, '@') != NULL)
			rn->view.emails[rn->view.nemails++] = tok;
		else if (strchr(tok, ':') != NULL ||
		    strspn(tok, "0123456789.") == strlen(tok))
			rn->view.ips[rn->view.nips++] = tok;
		else
			rn->view.dns[rn->view.ndns++] = tok;
	}
	return 1;
}

/*
 * A renewal signed by a valid certificate of ours: no challenge, the old
 * subject and names, judged again by today's rules (the account as it is
 * now, its profile's keys and names, the delegations of its organisation)
 * exactly as a PKCSReq would be; issued at once because the certificate
 * it renews was approved already.  A certificate is renewed once: a
 * retry of that renewal is answered from its transaction before this.
 */
static void
enroll_renewal(struct scepd_req *c, const struct scep_msg *msg, struct csr *csr,
    const struct request *old, const struct scep_txn *txn,
    const char *pubkey_hex, struct scepd_answer *a)
{
	struct account		*acc = NULL;
	struct profile		*prof = NULL;
	struct org		*org = NULL;
	X509			*oldx = NULL;
	struct request		 rq;
	struct enrollment		 e;
	struct renewal_names	 rn;
	struct buf		 sans = { 0 };

	memset(&rq, 0, sizeof(rq));
	memset(&rn, 0, sizeof(rn));
	if ((oldx = request_cert(old)) == NULL) {
		scepd_answer_fail(a, SCEP_FAIL_BADREQUEST,
		    "the certificate to renew has no usable record");
		goto out;
	}
	if (store_request_renewals(c->app->db, old->id) != 0) {
		scepd_answer_fail(a, SCEP_FAIL_BADREQUEST, "certificate %s "
		    "has been renewed already; renew the newer one",
		    old->cert_id);
		goto out;
	}
	if ((acc = store_account_by_id(c->app->db, old->account_id)) == NULL) {
		scepd_answer_fail(a, SCEP_FAIL_BADREQUEST,
		    "the account of the certificate to renew no longer exists");
		goto out;
	}
	/* The old subject names the organisation the account had then. */
	if (acc->org_id != old->org_id || acc->dept_id != old->dept_id) {
		scepd_answer_fail(a, SCEP_FAIL_BADREQUEST, "the account now "
		    "belongs to another organisation or department; enroll "
		    "anew");
		goto out;
	}
	if ((prof = store_profile_by_id(c->app->db, acc->profile_id)) == NULL ||
	    (org = store_org_by_id(c->app->db, acc->org_id)) == NULL) {
		scepd_answer_fail(a, SCEP_FAIL_BADREQUEST,
		    "the account has no certificate profile");
		goto out;
	}
	if (!renewal_names_get(old, oldx, &rn)) {
		scepd_answer_fail(a, SCEP_FAIL_BADREQUEST, "internal error");
		goto out;
	}
	if (!check_key(prof, csr, a) ||
	    !check_names(c, acc, prof, &rn.view, &sans, a))
		goto out;
	rq.customer_id = c->customer->id;
	rq.type = old->type;
	rq.via = "scep";
	rq.status = REQ_REQUESTED;
	rq.account_id = acc->id;
	rq.profile_id = prof->id;
	rq.org_id = acc->org_id;
	rq.dept_id = acc->dept_id;
	rq.ca_id = c->rec->id;
	rq.term_days = term_days(acc, prof);
	rq.common_name = old->common_name;
	rq.sans = sans.data != NULL ? (char *)sans.data : "";
	/* Issued at once (see above): the certificate is the record. */
	rq.requester_email = old->requester_email;
	rq.renewal_of = old->id;
	memset(&e, 0, sizeof(e));
	e.csr = csr;
	e.rq = &rq;
	e.prof = prof;
	e.org = org;
	e.subject = X509_get_subject_name(oldx);
	e.old = old;
	e.txn = txn;
	e.revoke_old = acc->revoke_on_renewal;
	e.pubkey_hex = pubkey_hex;
	commit_enrollment(c, msg, &e, a);
out:
	free(rq.cert_id);
	free(rq.csr_der);
	buf_free(&sans);
	renewal_names_free(&rn);
	X509_free(oldx);
	store_org_free(org);
	store_profile_free(prof);
	store_account_free(acc);
}

/*
 * Returns the request a transaction points at when msg is signed by that
 * very certificate (byte for byte): a client that keeps its key and
 * derives the transactionID from it (micromdm's scepclient) renews under
 * the transactionID of its first enrollment.  The caller checks that the
 * certificate is still valid.  Caller frees; NULL for a plain retry.
 */
static struct request *
txn_renewal(struct scepd_req *c, const struct scep_msg *msg,
    const struct scep_txn *t)
{
	struct request	*rq = NULL;
	unsigned char	*der = NULL;
	size_t		 len = 0;
	int		 ok = 0;

	if (msg->signer == NULL || strcmp(t->status, "success") != 0 ||
	    t->request_id == 0 ||
	    X509_NAME_cmp(X509_get_issuer_name(msg->signer),
	    X509_get_subject_name(c->cache->ca->cert)) != 0)
		return NULL;
	if ((rq = store_request_by_id(c->app->db, t->request_id)) == NULL)
		return NULL;
	if (rq->customer_id == c->customer->id && rq->ca_id == c->rec->id &&
	    rq->cert_der != NULL &&
	    (der = ca_cert_der(msg->signer, &len)) != NULL &&
	    len == rq->cert_len && memcmp(der, rq->cert_der, len) == 0)
		ok = 1;
	free(der);
	if (!ok) {
		store_request_free(rq);
		rq = NULL;
	}
	return rq;
}

/*
 * Returns 1 if the certificate of request old may be renewed here without
 * a challenge: it came through SCEP from an account that still exists and
 * belongs to this endpoint.  The account vouched for the first
 * certificate; another endpoint's accounts (another profile, approval
 * rule or certificate type) and the web forms did not vouch for this one.
 */
static int
renews_here(struct scepd_req *c, const struct request *old)
{
	struct account	*acc;
	int		 ok;

	if (old->via == NULL || strcmp(old->via, "scep") != 0 ||
	    old->account_id == 0 ||
	    (acc = store_account_by_id(c->app->db, old->account_id)) == NULL)
		return 0;
	ok = acc->endpoint_id == c->endpoint->id;
	store_account_free(acc);
	return ok;
}

/* PKCSReq and RenewalReq; takes msg's CSR over. */
void
scepd_enroll(struct scepd_req *c, struct scep_msg *msg, struct scepd_answer *a)
{
	struct scep_txn	*t = NULL;
	struct request	*old = NULL;
	struct csr	*csr = NULL;
	const char	*why;
	char		 hex[65], err[256];
	long long	 now = store_now();
	int		 ours = 0;

	if (msg->csr == NULL) {
		scepd_answer_fail(a, SCEP_FAIL_BADREQUEST,
		    "the message carries no certificate request");
		goto out;
	}
	/*
	 * Verify the CSR before the transaction is looked at: its public
	 * key selects the transaction, and only a CSR signed with that key
	 * proves it.  csr_from_req takes the parsed request over instead
	 * of a copy: X509_REQ_dup re-encodes and re-decodes the public key,
	 * which in OpenSSL 3.0 costs more than the RSA verification.
	 */
	csr = csr_from_req(msg->csr, err, sizeof(err));
	msg->csr = NULL;
	if (csr == NULL) {
		scepd_answer_fail(a, SCEP_FAIL_BADREQUEST, "%s", err);
		goto out;
	}
	if (!csr_pubkey_sha256(csr, hex)) {
		scepd_answer_fail(a, SCEP_FAIL_BADREQUEST, "internal error");
		goto out;
	}
	t = store_scep_txn_get(c->app->db, c->endpoint->id,
	    msg->transaction_id);
	if (t != NULL) {
		if (strcmp(t->pubkey_sha256, hex) != 0) {
			scepd_answer_fail(a, SCEP_FAIL_BADREQUEST,
			    "transactionID %s is in use with a different "
			    "public key", msg->transaction_id);
			goto out;
		}
		old = txn_renewal(c, msg, t);
		if (old != NULL && !renews_here(c, old)) {
			store_request_free(old);
			old = NULL;
		}
		if (old == NULL || !issue_renewable(old, now, &why)) {
			if (old != NULL && msg->type == SCEP_MSG_RENEWALREQ)
				scepd_answer_fail(a, SCEP_FAIL_BADREQUEST,
				    "the certificate to renew is %s", why);
			else
				answer_owner(c, msg, t, a);
			goto out;
		}
	}
	ours = old == NULL && X509_NAME_cmp(X509_get_issuer_name(msg->signer),
	    X509_get_subject_name(c->cache->ca->cert)) == 0;
	if (ours && (old = our_request_for_cert(c, msg->signer)) != NULL &&
	    !renews_here(c, old)) {
		/* Not this endpoint's to renew: a new enrollment, or refused. */
		store_request_free(old);
		old = NULL;
		if (msg->type == SCEP_MSG_RENEWALREQ) {
			scepd_answer_fail(a, SCEP_FAIL_BADREQUEST, "the "
			    "certificate to renew was not issued through "
			    "this SCEP endpoint");
			goto out;
		}
	}
	if (old != NULL && !issue_renewable(old, now, &why)) {
		if (msg->type == SCEP_MSG_RENEWALREQ) {
			scepd_answer_fail(a, SCEP_FAIL_BADREQUEST, "the "
			    "certificate to renew is %s", why);
			goto out;
		}
		store_request_free(old);
		old = NULL;
	}
	if (old == NULL && msg->type == SCEP_MSG_RENEWALREQ) {
		scepd_answer_fail(a, SCEP_FAIL_BADREQUEST, "RenewalReq must be "
		    "signed by a valid certificate this CA issued");
		goto out;
	}
	if (old != NULL)
		enroll_renewal(c, msg, csr, old, t, hex, a);
	else
		enroll_new(c, msg, csr, hex, a);
out:
	csr_free(csr);
	store_request_free(old);
	store_scep_txn_free(t);
}

/* CertPoll: the state of an earlier PKCSReq by transactionID. */
void
scepd_poll(struct scepd_req *c, const struct scep_msg *msg,
    struct scepd_answer *a)
{
	struct scep_txn	*t;

	if ((t = store_scep_txn_get(c->app->db, c->endpoint->id,
	    msg->transaction_id)) == NULL) {
		scepd_answer_fail(a, SCEP_FAIL_BADCERTID,
		    "no request with transactionID %s", msg->transaction_id);
		return;
	}
	answer_owner(c, msg, t, a);
	if (a->status != SCEP_STATUS_FAILURE) {
		scepd_audit(c, "scep.poll", NULL,
		    a->status == SCEP_STATUS_SUCCESS ? "success" : "pending",
		    msg, NULL);
		a->audited = 1;
	}
	store_scep_txn_free(t);
}

/*
 * Returns 1 if name, from a GetCert or GetCRL issuerAndSerial, names this
 * CA: its subject, or the RA's.  sscep fills the issuer with the subject
 * of the certificate given with -c, which is the RA certificate whenever
 * GetCACert returned one (SPEC 4.5.1); the RA issues nothing, so its
 * name can only mean the CA it speaks for.
 */
static int
our_issuer(struct scepd_req *c, const X509_NAME *name)
{
	const X509	*ra = c->cache->ca->ra_cert;

	if (name == NULL)
		return 0;
	return X509_NAME_cmp(name,
	    X509_get_subject_name(c->cache->ca->cert)) == 0 ||
	    (ra != NULL && X509_NAME_cmp(name, X509_get_subject_name(ra)) == 0);
}

/* GetCert: a certificate we issued, by issuer and serial. */
void
scepd_getcert(struct scepd_req *c, const struct scep_msg *msg,
    struct scepd_answer *a)
{
	struct request	*rq = NULL;
	X509		*x = NULL;
	char		*hex = NULL;

	if (!our_issuer(c, msg->issuer) ||
	    (hex = serial_hex(msg->serial)) == NULL ||
	    (rq = store_request_by_serial(c->app->db, hex)) == NULL ||
	    rq->customer_id != c->customer->id ||
	    (x = request_cert(rq)) == NULL) {
		scepd_answer_fail(a, SCEP_FAIL_BADCERTID, "no certificate "
		    "with this issuer and serial number");
		goto out;
	}
	scepd_answer_cert(a, x);
	scepd_audit(c, "scep.getcert", rq->cert_id, "success", msg, NULL);
	a->audited = 1;
out:
	X509_free(x);
	free(hex);
	store_request_free(rq);
}

/* Returns the published CRL, publishing it first if there is none yet; NULL on error. */
static X509_CRL *
current_crl(struct scepd_req *c)
{
	X509_CRL	*crl = NULL;
	char		*path = NULL;
	FILE		*f = NULL;
	int		 tries;

	if ((path = issue_crl_path(c->app->cfg, c->customer->uri,
	    c->rec->name)) == NULL)
		return NULL;
	for (tries = 0; tries < 2 && crl == NULL; tries++) {
		if ((f = fopen(path, "rb")) != NULL) {
			crl = d2i_X509_CRL_fp(f, NULL);
			(void)fclose(f);
			if (crl != NULL)
				break;
		} else if (errno != ENOENT)
			log_err("scep: %s: %s", path, strerror(errno));
		if (tries > 0 ||
		    !issue_publish_crl(c->app->db, c->app->cfg, c->rec->id))
			break;
	}
	free(path);
	return crl;
}

/* GetCRL: the current CRL of our CA. */
void
scepd_getcrl(struct scepd_req *c, const struct scep_msg *msg,
    struct scepd_answer *a)
{
	if (!our_issuer(c, msg->issuer)) {
		scepd_answer_fail(a, SCEP_FAIL_BADCERTID,
		    "certificates of this issuer are not known here");
		return;
	}
	if ((a->crl = current_crl(c)) == NULL) {
		scepd_answer_fail(a, SCEP_FAIL_BADCERTID,
		    "no CRL is available for this issuer");
		return;
	}
	a->status = SCEP_STATUS_SUCCESS;
	a->fail_info = SCEP_FAIL_NONE;
	scepd_audit(c, "scep.getcrl", NULL, "success", msg, NULL);
	a->audited = 1;
}
