/*
 * test_maintain: the jobs of `certdesk maintain` against a real instance —
 * auto-renewal once on its day, expiry notices once per threshold,
 * Expired past notAfter, purges, CRL freshness, a dry run that changes
 * nothing, and two runs at once that do no action twice.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "config.h"
#include "db.h"
#include "issue.h"
#include "log.h"
#include "maintain.h"
#include "store.h"
#include "vcode.h"
#include "fixture.h"
#include "unit.h"

#define DAY	86400LL

static struct db	*db;
static struct customer	*cust;
static struct org	*org;
static struct profile	*prof;
static struct endpoint	*ep;
static struct account	*manual, *automatic;
static EVP_PKEY		*subject_key;
static const struct actor test_actor = { "test", "127.0.0.1" };

/* What one run reported, by kind. */
struct seen {
	int	 n[MAINT_FAILED + 1];
	char	 ids[64][64];	/* certificate IDs of renewals and notices */
	long long days[64];	/* a notice's threshold; -1 for a renewal */
	int	 nids;
};

/* Counts an event into the struct seen at arg. */
static void
count_event(void *arg, const struct maintain_event *ev)
{
	struct seen	*s = arg;

	s->n[ev->action]++;
	if ((ev->action == MAINT_RENEWED || ev->action == MAINT_NOTICE) &&
	    s->nids < 64) {
		snprintf(s->ids[s->nids], sizeof(s->ids[0]), "%s", ev->id);
		/* A renewal is told from the notices by days -1. */
		s->days[s->nids++] = ev->action == MAINT_RENEWED ? -1 : ev->n;
	}
}

/* Runs job (or every job when NULL) at now on dbh; fills s. */
static void
run_at(struct db *dbh, int (*job)(struct maintain *), long long now,
    int dry_run, struct seen *s)
{
	struct maintain	 m;

	memset(s, 0, sizeof(*s));
	memset(&m, 0, sizeof(m));
	m.db = dbh;
	m.cfg = fixture.cfg;
	m.now = now;
	m.dry_run = dry_run;
	m.report = count_event;
	m.arg = s;
	if (job != NULL)
		job(&m);
	else
		maintain_run(&m);
}

/* Returns how often s lists cert_id (with days, unless days is 0). */
static int
seen_id(const struct seen *s, const char *cert_id, long long days)
{
	int	 i, n = 0;

	for (i = 0; i < s->nids; i++)
		if (strcmp(s->ids[i], cert_id) == 0 &&
		    (days == 0 || s->days[i] == days))
			n++;
	return n;
}

/*
 * Issues an SSL certificate for cn through account acc, via via, with
 * auto_renew days (0: none); returns the request (caller frees) or NULL.
 */
static struct request *
issued(const char *cn, const struct account *acc, const char *via,
    int renew_days)
{
	struct request	 r;
	size_t		 len;
	long long	 id;
	char		 err[256];

	memset(&r, 0, sizeof(r));
	r.customer_id = cust->id;
	r.type = CERT_SSL;
	r.via = (char *)via;
	r.status = REQ_REQUESTED;
	r.account_id = acc->id;
	r.profile_id = prof->id;
	r.org_id = org->id;
	r.term_days = 365;
	r.common_name = (char *)cn;
	r.sans = (char *)cn;
	r.requester_email = "alice@example.com";
	r.external_requesters = "ops@example.com";
	r.auto_renew = renew_days > 0;
	r.auto_renew_days = renew_days;
	r.csr_der = fixture_csr(subject_key, cn, &len);
	r.csr_len = len;
	id = store_request_add(db, &r);
	free(r.csr_der);
	free(r.cert_id);
	if (id <= 0 || !issue_request(db, fixture.cfg, id, &test_actor, err,
	    sizeof(err)))
		return NULL;
	return store_request_by_id(db, id);
}

/* Returns the first integer the query gives, or -1. */
static long long
count(const char *query)
{
	sqlite3		*h = sqlite3_db_handle(db_stmt(db, STMT_CA_BY_ID));
	sqlite3_stmt	*st = NULL;
	long long	 n = -1;

	if (sqlite3_prepare_v2(h, query, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Runs one SQL statement; returns 1 on success. */
static int
sql(const char *text)
{
	sqlite3	*h = sqlite3_db_handle(db_stmt(db, STMT_CA_BY_ID));

	return sqlite3_exec(h, text, NULL, NULL, NULL) == SQLITE_OK;
}

/*
 * Returns how many mails in Mail.Dir contain both needle and also
 * (also NULL: any mail when needle is NULL too).
 */
static int
mails(const char *needle, const char *also)
{
	const char	*dir = config_get(fixture.cfg, "Mail.Dir", "");
	DIR		*d = opendir(dir);
	struct dirent	*e;
	char		 path[4096], text[16384];
	int		 n = 0;

	while (d != NULL && (e = readdir(d)) != NULL) {
		FILE	*f;
		size_t	 len;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		len = fread(text, 1, sizeof(text) - 1, f);
		text[len] = '\0';
		fclose(f);
		if ((needle == NULL || strstr(text, needle) != NULL) &&
		    (also == NULL || strstr(text, also) != NULL))
			n++;
	}
	if (d != NULL)
		closedir(d);
	return n;
}

/* Returns the status of request id. */
static enum req_status
status_of(long long id)
{
	struct request	*r = store_request_by_id(db, id);
	enum req_status	 s = r ? r->status : REQ__MAX;

	store_request_free(r);
	return s;
}

static int
setup(void)
{
	if (!fixture_instance("maintain", 1) || !fixture_instance_open())
		return 0;
	db = fixture.db;
	cust = fixture.customer;
	org = store_org_by_name(db, cust->id, "Demo Org");
	prof = store_profile_by_name(db, cust->id, "SSL Standard");
	ep = store_endpoint_find(db, cust->id, ENDPOINT_SSL, "");
	manual = ep ? store_account_by_name(db, ep->id, "ssl") : NULL;
	automatic = ep ? store_account_by_name(db, ep->id, "ssl-auto") : NULL;
	subject_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	return org && prof && manual && automatic && subject_key;
}

static void
teardown(void)
{
	EVP_PKEY_free(subject_key);
	store_account_free(manual);
	store_account_free(automatic);
	store_endpoint_free(ep);
	store_profile_free(prof);
	store_org_free(org);
	fixture_done();
}

/*
 * Auto-renewal starts auto_renew_days before notAfter and not a day
 * earlier, once: a second run leaves it.  An auto-approving account's
 * renewal is issued at once; another one's waits and the admins hear.
 */
static void
test_auto_renewal_once(void)
{
	struct request	*a = issued("auto.example.com", automatic, "web", 20);
	struct request	*b = issued("manual.example.com", manual, "web", 20);
	struct request	*plain = issued("plain.example.com", automatic, "web", 0);
	struct request_list *l;
	struct seen	 s;
	int		 awaiting = mails("awaiting approval", NULL);

	CU_ASSERT_FATAL(a != NULL && b != NULL && plain != NULL);
	run_at(db, maintain_renewals, a->not_after - 21 * DAY, 0, &s);
	CU_ASSERT_EQUAL(s.n[MAINT_RENEWED], 0);
	CU_ASSERT_EQUAL(store_request_renewals(db, a->id), 0);
	run_at(db, maintain_renewals, a->not_after - 19 * DAY, 0, &s);
	CU_ASSERT_EQUAL(s.n[MAINT_FAILED], 0);
	CU_ASSERT_EQUAL(seen_id(&s, a->cert_id, 0), 1);
	CU_ASSERT_EQUAL(seen_id(&s, b->cert_id, 0), 1);
	CU_ASSERT_EQUAL(seen_id(&s, plain->cert_id, 0), 0);
	CU_ASSERT_EQUAL(store_request_renewals(db, a->id), 1);
	CU_ASSERT_EQUAL(store_request_renewals(db, b->id), 1);
	CU_ASSERT_EQUAL(store_request_renewals(db, plain->id), 0);
	CU_ASSERT_EQUAL(mails("Auto-renewal of your certificate started",
	    "auto.example.com"), 1);
	CU_ASSERT_EQUAL(mails("awaiting approval", NULL), awaiting + 1);
	/* The renewals: issued at once, or waiting, with the same CSR. */
	l = store_request_list(db, cust->id, NULL);
	CU_ASSERT_FATAL(l != NULL);
	for (size_t i = 0; i < l->n; i++) {
		const struct request	*n = l->items[i];

		if (n->renewal_of == a->id) {
			CU_ASSERT_EQUAL(n->status, REQ_ISSUED);
			CU_ASSERT_EQUAL(n->csr_len, a->csr_len);
			CU_ASSERT_STRING_EQUAL(n->sans, a->sans);
		} else if (n->renewal_of == b->id)
			CU_ASSERT_EQUAL(n->status, REQ_REQUESTED);
	}
	store_request_list_free(l);
	run_at(db, maintain_renewals, a->not_after - 5 * DAY, 0, &s);
	CU_ASSERT_EQUAL(seen_id(&s, a->cert_id, 0), 0);
	CU_ASSERT_EQUAL(seen_id(&s, b->cert_id, 0), 0);
	CU_ASSERT_EQUAL(store_request_renewals(db, a->id), 1);
	CU_ASSERT_EQUAL(store_request_renewals(db, b->id), 1);
	store_request_free(a);
	store_request_free(b);
	store_request_free(plain);
}

/*
 * One notice per threshold, to requester and external requester, never
 * repeated; a run that first sees a certificate inside 14 days sends the
 * 14-day notice only.  SCEP certificates only with Notify.SCEP = 1.
 */
static void
test_notices_each_threshold_once(void)
{
	struct request	*c = issued("notice.example.com", manual, "web", 0);
	struct request	*late = issued("late.example.com", manual, "web", 0);
	struct request	*dev = issued("scep.example.com", manual, "scep", 0);
	struct seen	 s;
	char		 q[256];

	CU_ASSERT_FATAL(c != NULL && late != NULL && dev != NULL);
	/* late comes 5 days before its notAfter into the first run's view. */
	snprintf(q, sizeof(q), "UPDATE request SET not_after = %lld"
	    " WHERE id = %lld", c->not_after - 26 * DAY, late->id);
	CU_ASSERT_FATAL(sql(q));
	run_at(db, maintain_notices, c->not_after - 31 * DAY, 0, &s);
	CU_ASSERT_EQUAL(seen_id(&s, c->cert_id, 0), 0);
	CU_ASSERT_EQUAL(seen_id(&s, late->cert_id, 7), 1);
	run_at(db, maintain_notices, c->not_after - 29 * DAY, 0, &s);
	CU_ASSERT_EQUAL(seen_id(&s, c->cert_id, 30), 1);
	CU_ASSERT_EQUAL(mails(c->cert_id, "expires in 30 days"), 2);
	run_at(db, maintain_notices, c->not_after - 20 * DAY, 0, &s);
	CU_ASSERT_EQUAL(seen_id(&s, c->cert_id, 0), 0);
	run_at(db, maintain_notices, c->not_after - 13 * DAY, 0, &s);
	CU_ASSERT_EQUAL(seen_id(&s, c->cert_id, 14), 1);
	run_at(db, maintain_notices, c->not_after - 13 * DAY, 0, &s);
	CU_ASSERT_EQUAL(seen_id(&s, c->cert_id, 0), 0);
	CU_ASSERT_EQUAL(mails(c->cert_id, "expires in 14 days"), 2);
	run_at(db, maintain_notices, c->not_after - 6 * DAY, 0, &s);
	CU_ASSERT_EQUAL(seen_id(&s, c->cert_id, 7), 1);
	CU_ASSERT_EQUAL(seen_id(&s, dev->cert_id, 0), 0);
	run_at(db, maintain_notices, c->not_after - 1 * DAY, 0, &s);
	CU_ASSERT_EQUAL(seen_id(&s, c->cert_id, 0), 0);
	CU_ASSERT_EQUAL(mails(c->cert_id, "Your certificate expires soon"), 6);
	/* late was first seen 6 days ahead: the 7-day notice alone. */
	CU_ASSERT_EQUAL(mails(late->cert_id, "Your certificate expires soon"), 2);
	CU_ASSERT_EQUAL(mails(late->cert_id, "expires in 7 days"), 2);
	CU_ASSERT_EQUAL(mails(dev->cert_id, NULL), 0);
	hdf_set_value(fixture.cfg->hdf, "Notify.SCEP", "1");
	run_at(db, maintain_notices, c->not_after - 1 * DAY, 0, &s);
	CU_ASSERT_EQUAL(seen_id(&s, dev->cert_id, 7), 1);
	hdf_set_value(fixture.cfg->hdf, "Notify.SCEP", "0");
	CU_ASSERT_EQUAL(count("SELECT COUNT(*) FROM notice"), count(
	    "SELECT COUNT(DISTINCT request_id || '/' || threshold) FROM notice"));
	store_request_free(c);
	store_request_free(late);
	store_request_free(dev);
}

/* A list the configuration gets wrong is a failure, not silence. */
static void
test_notices_bad_config(void)
{
	struct seen	 s;

	hdf_set_value(fixture.cfg->hdf, "Notify.ExpiryDays", "30,soon");
	run_at(db, maintain_notices, store_now(), 0, &s);
	CU_ASSERT_EQUAL(s.n[MAINT_FAILED], 1);
	hdf_set_value(fixture.cfg->hdf, "Notify.ExpiryDays", "10, 3 ,10");
	run_at(db, maintain_notices, store_now(), 0, &s);
	CU_ASSERT_EQUAL(s.n[MAINT_FAILED], 0);
	hdf_remove_tree(fixture.cfg->hdf, "Notify.ExpiryDays");
}

/* Expired material goes; what is still valid stays. */
static void
test_purges(void)
{
	long long	 now = store_now();
	char		 q[2048];
	struct seen	 s;

	snprintf(q, sizeof(q),
	    "INSERT INTO validation_code (kind, code_hmac, email, expires)"
	    " VALUES ('validation', 'h1', 'a@example.com', %lld),"
	    " ('invitation', 'h2', 'a@example.com', %lld),"
	    " ('invitation', 'h3', 'a@example.com', %lld);"
	    "INSERT INTO p12_pickup (request_id, encoding, p12_der, expires)"
	    " SELECT id, e.n, x'00', %lld FROM request,"
	    " (SELECT 'modern' AS n UNION SELECT 'compatible') e"
	    " WHERE request.id IN (SELECT id FROM request ORDER BY id"
	    " LIMIT 2);"
	    "UPDATE p12_pickup SET expires = %lld WHERE request_id ="
	    " (SELECT MAX(request_id) FROM p12_pickup);"
	    "INSERT INTO bulk_request (customer_id, account_id, org_id,"
	    " requester_email, key_type, status, recipient_der, privkey_p8,"
	    " status_token_hmac, download_token_hmac, download_expires,"
	    " purge_after, created)"
	    " SELECT %lld, id, org_id, 'a@example.com', 'rsa2048',"
	    " 'Successful', x'00', x'00', 's1', 't1', %lld, %lld, %lld"
	    " FROM account WHERE name = 'bulk';"
	    "INSERT INTO bulk_item (bulk_id, scr, line, common_name, names,"
	    " profile_id, term_days, server_software, status, sealed_key)"
	    " SELECT MAX(id), 1, 1, 'a.example.com', 'a.example.com',"
	    " (SELECT MIN(id) FROM profile), 365, 'OTHER', 'Issued', x'00'"
	    " FROM bulk_request;",
	    now - 1, now - 100, now + 3600, now - 1, now + 3600,
	    cust->id, now - 1, now - 1, now - 7200);
	CU_ASSERT_FATAL(sql(q));
	run_at(db, maintain_purge, now, 1, &s);
	CU_ASSERT_EQUAL(count("SELECT COUNT(*) FROM validation_code"), 3);
	CU_ASSERT_EQUAL(count("SELECT COUNT(*) FROM p12_pickup"), 4);
	CU_ASSERT_EQUAL(s.n[MAINT_PURGED], 3);
	run_at(db, maintain_purge, now, 0, &s);
	CU_ASSERT_EQUAL(s.n[MAINT_FAILED], 0);
	CU_ASSERT_EQUAL(s.n[MAINT_PURGED], 3);
	CU_ASSERT_EQUAL(count("SELECT COUNT(*) FROM validation_code"), 1);
	/* Both files of the expired pick-up go, both of the other stay. */
	CU_ASSERT_EQUAL(count("SELECT COUNT(*) FROM p12_pickup"), 2);
	CU_ASSERT_EQUAL(count("SELECT COUNT(DISTINCT request_id)"
	    " FROM p12_pickup"), 1);
	CU_ASSERT_EQUAL(count("SELECT COUNT(*) FROM bulk_item"
	    " WHERE sealed_key IS NOT NULL"), 0);
	CU_ASSERT_EQUAL(count("SELECT COUNT(*) FROM bulk_request"
	    " WHERE download_token_hmac IS NOT NULL"), 0);
	run_at(db, maintain_purge, now, 0, &s);
	CU_ASSERT_EQUAL(s.n[MAINT_PURGED], 0);
}

/*
 * Records an access-code request Awaiting validation for email with a
 * validation code expiring ttl seconds from now (0: no code); returns
 * its ID (caller frees) or NULL.
 */
static char *
awaiting(const char *email, long ttl)
{
	struct request	 r;
	char		*code;
	long long	 id;

	memset(&r, 0, sizeof(r));
	r.customer_id = cust->id;
	r.type = CERT_SMIME;
	r.via = "web";
	r.status = REQ_AWAITING_VALIDATION;
	r.account_id = manual->id;
	r.profile_id = prof->id;
	r.org_id = org->id;
	r.term_days = 365;
	r.common_name = "Pat Doe";
	r.sans = (char *)email;
	r.requester_email = (char *)email;
	if ((id = store_request_add(db, &r)) <= 0)
		return NULL;
	if (ttl != 0) {
		code = vcode_make(db, VCODE_VALIDATION, id, 0, manual->id, email,
		    ttl > 0 ? ttl : 1);
		free(code);
	}
	return r.cert_id;
}

/*
 * A request Awaiting validation whose code expired, or is gone, becomes
 * Expired and is reported once; one whose code still holds stays.
 */
static void
test_unvalidated(void)
{
	long long	 now = store_now();
	char		*a, *b, *c, q[256];
	struct seen	 s;

	a = awaiting("pat@example.com", -1);
	b = awaiting("pat@example.com", 3600);
	c = awaiting("lee@example.com", 0);
	CU_ASSERT_FATAL(a != NULL && b != NULL && c != NULL);
	snprintf(q, sizeof(q), "UPDATE validation_code SET expires = %lld"
	    " WHERE request_id = (SELECT id FROM request WHERE cert_id ="
	    " '%s')", now - 1, a);
	CU_ASSERT_FATAL(sql(q));
	run_at(db, maintain_expire, now, 1, &s);
	CU_ASSERT_EQUAL(s.n[MAINT_UNVALIDATED], 2);
	CU_ASSERT_EQUAL(count("SELECT COUNT(*) FROM request"
	    " WHERE status = 'Awaiting validation'"), 3);
	run_at(db, maintain_expire, now, 0, &s);
	CU_ASSERT_EQUAL(s.n[MAINT_UNVALIDATED], 2);
	CU_ASSERT_EQUAL(s.n[MAINT_FAILED], 0);
	snprintf(q, sizeof(q), "SELECT COUNT(*) FROM request WHERE"
	    " status = 'Expired' AND cert_id IN ('%s', '%s')", a, c);
	CU_ASSERT_EQUAL(count(q), 2);
	snprintf(q, sizeof(q), "SELECT COUNT(*) FROM request WHERE"
	    " status = 'Awaiting validation' AND cert_id = '%s'", b);
	CU_ASSERT_EQUAL(count(q), 1);
	run_at(db, maintain_expire, now, 0, &s);
	CU_ASSERT_EQUAL(s.n[MAINT_UNVALIDATED], 0);
	free(a);
	free(b);
	free(c);
}

/* A missing CRL or one near its nextUpdate is published; a fresh one is not. */
static void
test_crl_freshness(void)
{
	char		*path = issue_crl_path(fixture.cfg, "demo", "ca");
	struct stat	 sb;
	struct seen	 s;
	long long	 now = store_now();

	CU_ASSERT_FATAL(path != NULL);
	run_at(db, maintain_crls, now, 0, &s);
	CU_ASSERT_EQUAL(s.n[MAINT_CRL], 0);
	unlink(path);
	run_at(db, maintain_crls, now, 1, &s);
	CU_ASSERT_EQUAL(s.n[MAINT_CRL], 1);
	CU_ASSERT_NOT_EQUAL(stat(path, &sb), 0);
	run_at(db, maintain_crls, now, 0, &s);
	CU_ASSERT_EQUAL(s.n[MAINT_CRL], 1);
	CU_ASSERT_EQUAL(stat(path, &sb), 0);
	run_at(db, maintain_crls, now, 0, &s);
	CU_ASSERT_EQUAL(s.n[MAINT_CRL], 0);
	/* CRL.Days is 7: with 3 days left (under half) it is renewed. */
	run_at(db, maintain_crls, now + 4 * DAY, 0, &s);
	CU_ASSERT_EQUAL(s.n[MAINT_CRL], 1);
	CU_ASSERT_EQUAL(s.n[MAINT_FAILED], 0);
	free(path);
}

/* A dry run reports what a real run then does, and changes nothing. */
static void
test_dry_run_changes_nothing(void)
{
	struct request	*d = issued("dry.example.com", automatic, "web", 10);
	char		*path = issue_crl_path(fixture.cfg, "demo", "ca");
	struct stat	 before, after;
	struct seen	 dry, real;
	long long	 now, reqs, notices, expired;
	int		 nmail = mails(NULL, NULL), i;

	CU_ASSERT_FATAL(d != NULL && path != NULL);
	now = d->not_after - 8 * DAY;
	reqs = count("SELECT COUNT(*) FROM request");
	notices = count("SELECT COUNT(*) FROM notice");
	expired = count("SELECT COUNT(*) FROM request WHERE status = 'Expired'");
	CU_ASSERT_EQUAL(stat(path, &before), 0);
	run_at(db, NULL, now, 1, &dry);
	CU_ASSERT(dry.n[MAINT_RENEWED] >= 1);
	CU_ASSERT(dry.n[MAINT_NOTICE] >= 1);
	CU_ASSERT_EQUAL(dry.n[MAINT_CRL], 1);
	CU_ASSERT_EQUAL(count("SELECT COUNT(*) FROM request"), reqs);
	CU_ASSERT_EQUAL(count("SELECT COUNT(*) FROM notice"), notices);
	CU_ASSERT_EQUAL(count("SELECT COUNT(*) FROM request"
	    " WHERE status = 'Expired'"), expired);
	CU_ASSERT_EQUAL(mails(NULL, NULL), nmail);
	CU_ASSERT_EQUAL(stat(path, &after), 0);
	CU_ASSERT_EQUAL(before.st_ino, after.st_ino);
	CU_ASSERT_EQUAL(before.st_mtime, after.st_mtime);
	run_at(db, NULL, now, 0, &real);
	CU_ASSERT_EQUAL(real.n[MAINT_FAILED], 0);
	CU_ASSERT_EQUAL(real.n[MAINT_RENEWED], dry.n[MAINT_RENEWED]);
	CU_ASSERT_EQUAL(real.n[MAINT_CRL], dry.n[MAINT_CRL]);
	/*
	 * The real run also notifies about the renewals it just issued
	 * (their notAfter is a year from the real clock, near the test's).
	 */
	for (i = 0; i < dry.nids; i++)
		CU_ASSERT_EQUAL(seen_id(&real, dry.ids[i], dry.days[i]), 1);
	CU_ASSERT_EQUAL(count("SELECT COUNT(*) FROM notice"),
	    notices + real.n[MAINT_NOTICE]);
	store_request_free(d);
	free(path);
}

/* Runs job at now in a child on its own connection; returns its pid, the pipe in *fd. */
static pid_t
spawn(int (*job)(struct maintain *), long long now, int *fd)
{
	int	 p[2];
	pid_t	 pid;

	if (pipe(p) != 0)
		return -1;
	if ((pid = fork()) == 0) {
		struct db	*own;
		struct seen	 s;

		close(p[0]);
		if ((own = db_open(config_get(fixture.cfg, "DB.Path", ""))) ==
		    NULL)
			_exit(2);
		run_at(own, job, now, 0, &s);
		if (write(p[1], &s, sizeof(s)) != (ssize_t)sizeof(s))
			_exit(3);
		db_close(own);
		_exit(0);
	}
	close(p[1]);
	*fd = p[0];
	return pid;
}

/* Reads what the child pid reported into s and reaps it; returns 1 if it exited 0. */
static int
reap(pid_t pid, int fd, struct seen *s)
{
	int	 st = 0, ok;

	ok = read(fd, s, sizeof(*s)) == (ssize_t)sizeof(*s);
	close(fd);
	return waitpid(pid, &st, 0) == pid && ok && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0;
}

/* Two runs that both find the CRL missing publish it once. */
static void
test_concurrent_crl(void)
{
	char		*path = issue_crl_path(fixture.cfg, "demo", "ca");
	struct seen	 got[2];
	pid_t		 pid[2];
	int		 fd[2], i;

	CU_ASSERT_FATAL(path != NULL);
	unlink(path);
	for (i = 0; i < 2; i++)
		pid[i] = spawn(maintain_crls, store_now(), &fd[i]);
	for (i = 0; i < 2; i++)
		CU_ASSERT(pid[i] > 0 && reap(pid[i], fd[i], &got[i]));
	CU_ASSERT_EQUAL(got[0].n[MAINT_CRL] + got[1].n[MAINT_CRL], 1);
	CU_ASSERT_EQUAL(got[0].n[MAINT_FAILED] + got[1].n[MAINT_FAILED], 0);
	CU_ASSERT_EQUAL(access(path, R_OK), 0);
	free(path);
}

/*
 * Two processes running every job at once: together they take exactly
 * the actions one dry run lists, none twice.
 */
static void
test_concurrent_runs(void)
{
	struct request	*e = issued("race1.example.com", automatic, "web", 10);
	struct request	*f = issued("race2.example.com", manual, "web", 0);
	struct seen	 dry, got[2];
	long long	 now;
	int		 fds[2], i, k;
	pid_t		 pid[2];

	CU_ASSERT_FATAL(e != NULL && f != NULL);
	now = e->not_after - 5 * DAY;
	run_at(db, NULL, now, 1, &dry);
	CU_ASSERT(dry.n[MAINT_RENEWED] >= 1 && dry.n[MAINT_NOTICE] >= 2);
	for (i = 0; i < 2; i++)
		pid[i] = spawn(NULL, now, &fds[i]);
	for (i = 0; i < 2; i++)
		CU_ASSERT(pid[i] > 0 && reap(pid[i], fds[i], &got[i]));
	/*
	 * Between them, each action once, and every one the dry run listed.
	 * (A renewal issued by the first may be due for the second under the
	 * test clock, a year ahead of the real one: another certificate.)
	 */
	CU_ASSERT_EQUAL(got[0].n[MAINT_EXPIRED] + got[1].n[MAINT_EXPIRED],
	    dry.n[MAINT_EXPIRED]);
	for (i = 0; i < 2; i++)
		for (k = 0; k < got[i].nids; k++)
			CU_ASSERT_EQUAL(seen_id(&got[0], got[i].ids[k],
			    got[i].days[k]) + seen_id(&got[1], got[i].ids[k],
			    got[i].days[k]), 1);
	for (k = 0; k < dry.nids; k++)
		CU_ASSERT_EQUAL(seen_id(&got[0], dry.ids[k], dry.days[k]) +
		    seen_id(&got[1], dry.ids[k], dry.days[k]), 1);
	CU_ASSERT_EQUAL(got[0].n[MAINT_FAILED] + got[1].n[MAINT_FAILED], 0);
	CU_ASSERT_EQUAL(store_request_renewals(db, e->id), 1);
	/*
	 * One mail for the renewal of this certificate: by its ID, because
	 * when the second run starts after the first has ended it renews the
	 * first's new certificate too, same name, and mails about that one.
	 */
	CU_ASSERT_EQUAL(mails("Auto-renewal of your certificate started",
	    e->cert_id), 1);
	CU_ASSERT_EQUAL(mails(f->cert_id, "expires in 7 days"), 2);
	store_request_free(e);
	store_request_free(f);
}

/* Issued past notAfter becomes Expired, once; Revoked stays Revoked. */
static void
test_expired(void)
{
	struct request	*g = issued("old.example.com", manual, "web", 0);
	struct request	*h = issued("gone.example.com", manual, "web", 0);
	char		 err[256];
	struct seen	 s;

	CU_ASSERT_FATAL(g != NULL && h != NULL);
	CU_ASSERT_EQUAL(issue_revoke(db, fixture.cfg, h->id, 1, "", &test_actor,
	    err, sizeof(err)), 1);
	run_at(db, maintain_expire, g->not_after - 1, 0, &s);
	CU_ASSERT_EQUAL(status_of(g->id), REQ_ISSUED);
	run_at(db, maintain_expire, g->not_after + 1, 1, &s);
	CU_ASSERT(s.n[MAINT_EXPIRED] >= 1);
	CU_ASSERT_EQUAL(status_of(g->id), REQ_ISSUED);
	run_at(db, maintain_expire, g->not_after + 1, 0, &s);
	CU_ASSERT(s.n[MAINT_EXPIRED] >= 1);
	CU_ASSERT_EQUAL(status_of(g->id), REQ_EXPIRED);
	CU_ASSERT_EQUAL(status_of(h->id), REQ_REVOKED);
	run_at(db, maintain_expire, g->not_after + 1, 0, &s);
	CU_ASSERT_EQUAL(s.n[MAINT_EXPIRED], 0);
	CU_ASSERT_EQUAL(count("SELECT COUNT(*) FROM request WHERE status ="
	    " 'Issued' AND not_after <= (SELECT MAX(not_after) FROM request"
	    " WHERE common_name = 'old.example.com')"), 0);
	store_request_free(g);
	store_request_free(h);
}

static void
register_tests(void)
{
	CU_pSuite	 s;

	log_quiet(1);
	if (!setup()) {
		fprintf(stderr, "test_maintain: cannot set up an instance\n");
		exit(1);
	}
	atexit(teardown);
	s = CU_add_suite("maintain", NULL, NULL);
	UNIT_ADD(s, test_auto_renewal_once);
	UNIT_ADD(s, test_notices_each_threshold_once);
	UNIT_ADD(s, test_notices_bad_config);
	UNIT_ADD(s, test_purges);
	UNIT_ADD(s, test_crl_freshness);
	UNIT_ADD(s, test_dry_run_changes_nothing);
	UNIT_ADD(s, test_concurrent_runs);
	UNIT_ADD(s, test_concurrent_crl);
	UNIT_ADD(s, test_expired);
	UNIT_ADD(s, test_unvalidated);
}

UNIT_MAIN(register_tests)
