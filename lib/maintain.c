/* maintain: the periodic jobs of `certdesk maintain` (see maintain.h). */
#include <sys/file.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "audit.h"
#include "buf.h"
#include "enroll.h"
#include "issue.h"
#include "log.h"
#include "maintain.h"
#include "notify.h"
#include "policy.h"
#include "store.h"

#define DAY			86400LL
#define MAINT_MAX_THRESHOLDS	16

static const struct actor maint_actor = { "maintain", "cli" };

/* Reports one event to the caller. */
static void
report(struct maintain *m, enum maintain_action action, const char *id,
    const char *detail, long long n)
{
	struct maintain_event	 ev;

	ev.action = action;
	ev.id = id ? id : "";
	ev.detail = detail ? detail : "";
	ev.n = n;
	if (action == MAINT_FAILED) {
		m->failed++;
		log_err("maintain: %s: %s", ev.id, ev.detail);
	}
	if (m->report != NULL)
		m->report(m->arg, &ev);
}

/*
 * Runs a claim (a store_maint_*_claim call through fn) in its own
 * BEGIN IMMEDIATE transaction; returns what it returned (1: ours).
 */
static int
claim(struct maintain *m, int (*fn)(struct db *, long long, long long, int),
    long long id, int arg)
{
	int	 n;

	if (!db_begin(m->db))
		return -1;
	if ((n = fn(m->db, id, m->now, arg)) < 0 || !db_commit(m->db)) {
		db_rollback(m->db);
		return -1;
	}
	return n;
}

/* store_maint_renew_claim in claim()'s shape. */
static int
renew_claim(struct db *db, long long id, long long now, int unused)
{
	(void)unused;
	return store_maint_renew_claim(db, id, now);
}

/* store_maint_notice_claim in claim()'s shape. */
static int
notice_claim(struct db *db, long long id, long long now, int threshold)
{
	return store_maint_notice_claim(db, id, threshold, now);
}

/* Whether old may still be renewed as it is today; 0 with a reason in err. */
static int
renewal_allowed(struct maintain *m, const struct request *old, char *err,
    size_t errlen)
{
	struct policy_scope	*sc = NULL;
	struct profile		*prof = NULL;
	int			 ok = 0;

	if ((prof = store_profile_by_id(m->db, old->profile_id)) == NULL ||
	    (sc = policy_scope_load(m->db, old->customer_id, old->org_id,
	    old->dept_id)) == NULL)
		snprintf(err, errlen, "cannot load its profile and policy");
	else
		ok = enroll_renewal_ok(sc, old, prof, err, errlen);
	policy_scope_free(sc);
	store_profile_free(prof);
	return ok;
}

/*
 * Renews old, whose claim this run holds: the same details and CSR,
 * approved as the account's enrollments are, then the requester's mail.
 * Returns 1, or 0 after reporting (the claim is given back when the
 * request could not be recorded, so the next run tries again).
 */
static int
renew_one(struct maintain *m, const struct request *old)
{
	struct request		 nr;
	struct account		*acc;
	struct enroll_result	 res;
	char			 err[512];
	int			 ok;

	/* A renewal policy no longer allows stays claimed: never retried. */
	if (!renewal_allowed(m, old, err, sizeof(err))) {
		audit_event(m->db, old->customer_id, &maint_actor,
		    "request.auto-renew", old->cert_id, "failure", err);
		report(m, MAINT_FAILED, old->cert_id, err, 0);
		return 0;
	}
	acc = store_account_by_id(m->db, old->account_id);
	enroll_renewal_copy(old, old->via, &nr);
	ok = enroll_submit(m->db, m->cfg, &nr, acc != NULL && acc->auto_approve,
	    &maint_actor, &res, err, sizeof(err));
	store_account_free(acc);
	if (!ok) {
		if (!store_maint_renew_release(m->db, old->id))
			log_err("maintain: %s stays claimed", old->cert_id);
		report(m, MAINT_FAILED, old->cert_id, err, 0);
		free(nr.cert_id);
		return 0;
	}
	report(m, MAINT_RENEWED, old->cert_id, nr.cert_id, 0);
	if (!notify_request(m->db, m->cfg, res.id, NOTIFY_AUTO_RENEWAL) ||
	    !res.mailed)
		report(m, MAINT_FAILED, nr.cert_id, "a notification could "
		    "not be sent (the renewal request is recorded)", 0);
	free(nr.cert_id);
	return 1;
}

int
maintain_renewals(struct maintain *m)
{
	struct request_list	*l;
	size_t			 i;
	int			 n = 0, c;

	if ((l = store_maint_renewals_due(m->db, m->now)) == NULL) {
		report(m, MAINT_FAILED, "auto-renewal", "cannot list "
		    "certificates", 0);
		return 0;
	}
	for (i = 0; i < l->n; i++) {
		const struct request	*old = l->items[i];

		if (m->dry_run) {
			report(m, MAINT_RENEWED, old->cert_id, "", 0);
			n++;
			continue;
		}
		if ((c = claim(m, renew_claim, old->id, 0)) < 0)
			report(m, MAINT_FAILED, old->cert_id, "cannot claim "
			    "its auto-renewal", 0);
		else if (c == 1)
			n += renew_one(m, old);
	}
	store_request_list_free(l);
	return n;
}

/* Compares ints for qsort, ascending. */
static int
int_cmp(const void *a, const void *b)
{
	int	 x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/*
 * Parses Notify.ExpiryDays ("30,14,7") into t, ascending without
 * duplicates; returns how many, or -1 for an entry that is not 1..3650.
 */
static int
thresholds(const struct config *cfg, int *t)
{
	const char	*p = config_get(cfg, "Notify.ExpiryDays", "30,14,7");
	char		*end;
	long		 v;
	int		 n = 0, i, k = 0;

	while (*p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		v = strtol(p, &end, 10);
		if (end == p || v < 1 || v > 3650 || n == MAINT_MAX_THRESHOLDS)
			return -1;
		t[n++] = (int)v;
		p = end;
	}
	qsort(t, (size_t)n, sizeof(*t), int_cmp);
	for (i = 0; i < n; i++)
		if (k == 0 || t[k - 1] != t[i])
			t[k++] = t[i];
	return k;
}

/* Sends the notice for threshold days about r, whose claim this run holds. */
static int
notice_one(struct maintain *m, const struct request *r, int days)
{
	if (notify_expiry(m->db, m->cfg, r->id, days)) {
		report(m, MAINT_NOTICE, r->cert_id, "", days);
		return 1;
	}
	/* Unsent: forget it, so the next run tries again. */
	if (!db_begin(m->db) ||
	    !store_maint_notice_release(m->db, r->id, days) ||
	    !db_commit(m->db))
		db_rollback(m->db);
	report(m, MAINT_FAILED, r->cert_id, "the expiry notice could not be "
	    "sent", days);
	return 0;
}

int
maintain_notices(struct maintain *m)
{
	struct request_list	*l;
	int			 t[MAINT_MAX_THRESHOLDS] = { 0 }, nt, i, c, n = 0;
	size_t			 j;

	if ((nt = thresholds(m->cfg, t)) < 0) {
		report(m, MAINT_FAILED, "Notify.ExpiryDays", "not a list of "
		    "days (1 to 3650)", 0);
		return 0;
	}
	/*
	 * Each certificate gets the notice of the smallest threshold it is
	 * within: a run that first sees it 10 days ahead sends the 14-day
	 * one, not the 30-day one as well.
	 */
	for (i = 0; i < nt; i++) {
		l = store_maint_notices_due(m->db,
		    m->now + (i > 0 ? t[i - 1] : 0) * DAY, m->now + t[i] * DAY,
		    t[i], config_int(m->cfg, "Notify.SCEP", 0) == 1);
		if (l == NULL) {
			report(m, MAINT_FAILED, "expiry notices", "cannot list "
			    "certificates", 0);
			continue;
		}
		for (j = 0; j < l->n; j++) {
			if (m->dry_run) {
				report(m, MAINT_NOTICE, l->items[j]->cert_id,
				    "", t[i]);
				n++;
			} else if ((c = claim(m, notice_claim,
			    l->items[j]->id, t[i])) < 0)
				report(m, MAINT_FAILED, l->items[j]->cert_id,
				    "cannot record the expiry notice", t[i]);
			else if (c == 1)
				n += notice_one(m, l->items[j], t[i]);
		}
		store_request_list_free(l);
	}
	return n;
}

/* Appends one certificate ID and a newline to the buffer arg. */
static void
add_id(void *arg, const char *id)
{
	buf_printf(arg, "%s\n", id ? id : "");
}

/*
 * Runs one marking UPDATE (mark) in its own transaction and reports
 * action for every ID it changed; returns how many.
 */
static int
expire_one(struct maintain *m, int (*mark)(struct db *, long long, int,
    void (*)(void *, const char *), void *), enum maintain_action action,
    const char *why)
{
	struct buf	 ids = { 0 };
	char		*p, *nl;
	int		 n;

	if (!m->dry_run && !db_begin(m->db))
		n = -1;
	else if ((n = mark(m->db, m->now, m->dry_run, add_id, &ids)) < 0 ||
	    (!m->dry_run && !db_commit(m->db))) {
		if (!m->dry_run)
			db_rollback(m->db);
		n = -1;
	}
	if (n < 0) {
		report(m, MAINT_FAILED, "expiry", why, 0);
		buf_free(&ids);
		return 0;
	}
	/* Reported once committed: the IDs the one UPDATE changed. */
	for (p = (char *)ids.data; p != NULL && *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = '\0';
		report(m, action, p, "", 0);
	}
	buf_free(&ids);
	return n;
}

int
maintain_expire(struct maintain *m)
{
	return expire_one(m, store_maint_expire, MAINT_EXPIRED,
	    "cannot mark expired certificates") +
	    expire_one(m, store_maint_unvalidated, MAINT_UNVALIDATED,
	    "cannot mark unvalidated requests expired");
}

int
maintain_purge(struct maintain *m)
{
	static const struct {
		enum maint_purge	 what;
		const char		*name;
	} kinds[] = {
		{ MAINT_PURGE_CODES, "codes" },
		{ MAINT_PURGE_P12, "p12" },
		{ MAINT_PURGE_BULK, "bulk" },
	};
	long long	 got[3];
	size_t		 i;
	int		 total = 0;

	if (!m->dry_run && !db_begin(m->db))
		goto fail;
	for (i = 0; i < 3; i++)
		if ((got[i] = store_maint_purge(m->db, kinds[i].what, m->now,
		    m->dry_run)) < 0)
			break;
	if (i < 3 || (!m->dry_run && !db_commit(m->db))) {
		if (!m->dry_run)
			db_rollback(m->db);
		goto fail;
	}
	for (i = 0; i < 3; i++) {
		if (got[i] > 0)
			report(m, MAINT_PURGED, kinds[i].name, "", got[i]);
		total += (int)got[i];
	}
	return total;
fail:
	report(m, MAINT_FAILED, "purge", "cannot delete expired material", 0);
	return 0;
}

/*
 * Reads the CRL at path: sets *next to its nextUpdate and *number to its
 * crlNumber; returns 1, or 0 when there is no readable CRL.
 */
static int
crl_state(const char *path, long long *next, long long *number)
{
	FILE		*f;
	X509_CRL	*crl = NULL;
	ASN1_INTEGER	*num = NULL;
	const ASN1_TIME	*nu;
	struct tm	 tm;
	int64_t		 v = 0;
	int		 ok = 0;

	if ((f = fopen(path, "rb")) == NULL)
		return 0;
	crl = d2i_X509_CRL_fp(f, NULL);
	(void)fclose(f);
	if (crl == NULL || (nu = X509_CRL_get0_nextUpdate(crl)) == NULL ||
	    !ASN1_TIME_to_tm(nu, &tm))
		goto out;
	*next = (long long)timegm(&tm);
	num = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);
	if (num != NULL && ASN1_INTEGER_get_int64(&v, num))
		*number = (long long)v;
	else
		*number = -1;
	ok = 1;
out:
	ASN1_INTEGER_free(num);
	X509_CRL_free(crl);
	return ok;
}

/*
 * Republishes the CRL of ca at path when it is missing or its nextUpdate
 * is within margin.  A lock file beside it serialises runs; whoever gets
 * it second sees the crlNumber changed and leaves it.  Returns 1 when
 * published (would be), 0 when fresh or failed (reported).
 */
static int
crl_one(struct maintain *m, const char *label, const struct ca_rec *ca,
    const char *path, long long margin)
{
	struct ca_rec	*now_ca;
	char		 lock[4096];
	long long	 next = 0, seen = -2, again = -2;
	int		 fd, ok;

	if (crl_state(path, &next, &seen) && next - m->now > margin)
		return 0;
	if (m->dry_run) {
		report(m, MAINT_CRL, label, "", 0);
		return 1;
	}
	snprintf(lock, sizeof(lock), "%s.lock", path);
	/* A new customer's CA has published nothing yet: no directory. */
	fd = -1;
	if (!issue_crl_dir(path) ||
	    (fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) == -1 ||
	    flock(fd, LOCK_EX) == -1) {
		if (fd != -1)
			close(fd);
		report(m, MAINT_FAILED, label, "cannot lock the CRL", 0);
		return 0;
	}
	if (crl_state(path, &next, &again) && again != seen) {
		close(fd);
		return 0;
	}
	ok = issue_publish_crl(m->db, m->cfg, ca->id);
	close(fd);
	if (!ok) {
		report(m, MAINT_FAILED, label, "cannot publish the CRL", 0);
		return 0;
	}
	now_ca = store_ca_by_id(m->db, ca->id);
	report(m, MAINT_CRL, label, "", now_ca ? now_ca->crl_number : 0);
	store_ca_free(now_ca);
	return 1;
}

int
maintain_crls(struct maintain *m)
{
	struct customer_list	*cl;
	struct ca_list		*al;
	char			 label[512], *path;
	long long		 margin;
	size_t			 i, j;
	int			 n = 0;

	/* Half the validity: a failed publication leaves days to notice it. */
	margin = config_int(m->cfg, "CRL.Days", 7) * DAY / 2;
	if ((cl = store_customer_list(m->db)) == NULL) {
		report(m, MAINT_FAILED, "crl", "cannot list customers", 0);
		return 0;
	}
	for (i = 0; i < cl->n; i++) {
		if ((al = store_ca_list(m->db, cl->items[i]->id)) == NULL) {
			report(m, MAINT_FAILED, cl->items[i]->uri, "cannot "
			    "list its CAs", 0);
			continue;
		}
		for (j = 0; j < al->n; j++) {
			snprintf(label, sizeof(label), "%s/%s",
			    cl->items[i]->uri, al->items[j]->name);
			path = issue_crl_path(m->cfg, cl->items[i]->uri,
			    al->items[j]->name);
			if (path == NULL)
				report(m, MAINT_FAILED, label, "no memory", 0);
			else
				n += crl_one(m, label, al->items[j], path,
				    margin);
			free(path);
		}
		store_ca_list_free(al);
	}
	store_customer_list_free(cl);
	return n;
}

int
maintain_run(struct maintain *m)
{
	maintain_renewals(m);
	maintain_notices(m);
	maintain_expire(m);
	maintain_purge(m);
	maintain_crls(m);
	return m->failed == 0;
}
