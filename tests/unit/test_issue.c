/*
 * test_issue: the certificate life cycle against a real instance — issue,
 * refuse to issue twice, decline, revoke with CRL publication, and that a
 * process killed at any moment of issuance leaves either a complete
 * certificate record or none.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "ca.h"
#include "config.h"
#include "csr.h"
#include "db.h"
#include "issue.h"
#include "log.h"
#include "secret.h"
#include "store.h"
#include "fixture.h"
#include "unit.h"

static const char	*dir = "";		/* the fixture directory */
static struct config	*cfg;
static struct db	*db;
static struct customer	*cust;
static struct org	*org;
static struct profile	*prof;
static EVP_PKEY		*subject_key;
static const struct actor test_actor = { "test", "127.0.0.1" };

/* Inserts a Requested SSL request for cn; returns its id. */
static long long
add_request(const char *cn)
{
	struct request	 r;
	size_t		 len;
	long long	 id;
	char		 sans[300];

	memset(&r, 0, sizeof(r));
	r.customer_id = cust->id;
	r.type = CERT_SSL;
	r.via = "web";
	r.status = REQ_REQUESTED;
	r.profile_id = prof->id;
	r.org_id = org->id;
	r.term_days = 365;
	r.common_name = (char *)cn;
	snprintf(sans, sizeof(sans), "%s", cn);
	r.sans = sans;
	r.requester_email = "alice@example.com";
	r.csr_der = fixture_csr(subject_key, cn, &len);
	r.csr_len = len;
	id = store_request_add(db, &r);
	free(r.csr_der);
	free(r.cert_id);
	return id;
}

/* Builds a populated instance with the admin CLI and opens it. */
static int
setup(void)
{
	if (!fixture_instance("issue", 1) || !fixture_instance_open())
		return 0;
	dir = fixture.dir;
	cfg = fixture.cfg;
	db = fixture.db;
	cust = fixture.customer;
	org = cust ? store_org_by_name(db, cust->id, "Demo Org") : NULL;
	prof = cust ? store_profile_by_name(db, cust->id, "SSL Standard") : NULL;
	subject_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	return cust && org && prof && subject_key;
}

static void
teardown(void)
{
	EVP_PKEY_free(subject_key);
	store_profile_free(prof);
	store_org_free(org);
	fixture_done();
}

/* Returns the CA certificate of the instance (caller frees). */
static X509 *
ca_cert(void)
{
	struct ca_rec	*rec = store_ca_for_customer(db, cust->id);
	X509		*x = rec ? ca_cert_from_pem(rec->cert_pem) : NULL;

	store_ca_free(rec);
	return x;
}

static void
test_issue_records_what_was_signed(void)
{
	long long	 id = add_request("www.example.com");
	struct request	*r;
	const unsigned char *p;
	X509		*x = NULL, *ca = ca_cert();
	X509_STORE	*st = X509_STORE_new();
	X509_STORE_CTX	*ctx = X509_STORE_CTX_new();
	ASN1_INTEGER	*sn;
	BIGNUM		*bn;
	char		*hex, err[256];

	CU_ASSERT_FATAL(id > 0 && ca != NULL);
	CU_ASSERT_EQUAL(issue_request(db, cfg, id, &test_actor, err,
	    sizeof(err)), 1);
	r = store_request_by_id(db, id);
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_EQUAL(r->status, REQ_ISSUED);
	CU_ASSERT_FATAL(r->cert_der != NULL && r->serial != NULL);
	p = r->cert_der;
	x = d2i_X509(NULL, &p, (long)r->cert_len);
	CU_ASSERT_FATAL(x != NULL);
	/* The recorded serial and dates are the certificate's own. */
	sn = X509_get_serialNumber(x);
	bn = ASN1_INTEGER_to_BN(sn, NULL);
	hex = BN_bn2hex(bn);
	CU_ASSERT_STRING_EQUAL(hex, r->serial);
	CU_ASSERT(ASN1_TIME_cmp_time_t(X509_get0_notAfter(x),
	    (time_t)r->not_after) == 0);
	CU_ASSERT(r->not_after - r->not_before > 364LL * 86400);
	/* The public key is the CSR's and the chain verifies. */
	CU_ASSERT(EVP_PKEY_eq(X509_get0_pubkey(x), subject_key) == 1);
	X509_STORE_add_cert(st, ca);
	X509_STORE_CTX_init(ctx, st, x, NULL);
	CU_ASSERT(X509_verify_cert(ctx) == 1);
	/* An audit event names the certificate. */
	{
		struct audit_list *l = store_audit_list(db, 5);
		int found = 0;
		size_t i;

		for (i = 0; l && i < l->n; i++)
			if (strcmp(l->items[i]->action, "certificate.issue") == 0 &&
			    strcmp(l->items[i]->object, r->cert_id) == 0)
				found = 1;
		CU_ASSERT(found);
		store_audit_list_free(l);
	}
	/* A second approval issues nothing new. */
	CU_ASSERT_EQUAL(issue_request(db, cfg, id, &test_actor, err,
	    sizeof(err)), 0);
	CU_ASSERT(strstr(err, "Issued") != NULL);
	OPENSSL_free(hex);
	BN_free(bn);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(st);
	X509_free(x);
	X509_free(ca);
	store_request_free(r);
}

static void
test_decline_then_no_issue(void)
{
	long long	 id = add_request("declined.example.com");
	struct request	*r;
	char		 err[256];

	CU_ASSERT_EQUAL(issue_decline(db, id, "not ours", &test_actor, err,
	    sizeof(err)), 1);
	CU_ASSERT_EQUAL(issue_request(db, cfg, id, &test_actor, err,
	    sizeof(err)), 0);
	r = store_request_by_id(db, id);
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_EQUAL(r->status, REQ_DECLINED);
	CU_ASSERT_STRING_EQUAL(r->decline_reason, "not ours");
	CU_ASSERT(r->cert_der == NULL && r->serial == NULL);
	store_request_free(r);
}

static void
test_revoke_publishes_crl(void)
{
	long long	 id = add_request("revoked.example.com");
	struct request	*r;
	char		 err[256], *path;
	FILE		*f = NULL;
	X509_CRL	*crl = NULL;
	X509		*ca = ca_cert();
	ASN1_INTEGER	*sn = NULL;
	BIGNUM		*bn = NULL;
	X509_REVOKED	*rev = NULL;

	CU_ASSERT_FATAL(issue_request(db, cfg, id, &test_actor, err,
	    sizeof(err)) == 1);
	CU_ASSERT_EQUAL(issue_revoke(db, cfg, id, 1, "key lost", &test_actor,
	    err, sizeof(err)), 1);
	/* Revoking twice is refused. */
	CU_ASSERT_EQUAL(issue_revoke(db, cfg, id, 1, "", &test_actor, err,
	    sizeof(err)), 0);
	r = store_request_by_id(db, id);
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_EQUAL(r->status, REQ_REVOKED);
	CU_ASSERT_EQUAL(r->revoke_reason, 1);
	path = issue_crl_path(cfg, "demo", "ca");
	CU_ASSERT_FATAL(path != NULL && (f = fopen(path, "rb")) != NULL);
	crl = d2i_X509_CRL_fp(f, NULL);
	fclose(f);
	CU_ASSERT_FATAL(crl != NULL);
	CU_ASSERT(X509_CRL_verify(crl, X509_get0_pubkey(ca)) == 1);
	BN_hex2bn(&bn, r->serial);
	sn = BN_to_ASN1_INTEGER(bn, NULL);
	CU_ASSERT(X509_CRL_get0_by_serial(crl, &rev, sn) == 1);
	ASN1_INTEGER_free(sn);
	BN_free(bn);
	X509_CRL_free(crl);
	X509_free(ca);
	free(path);
	store_request_free(r);
}

/* Runs one SQL statement on the test's own connection; returns 1 on success. */
static int
sql(const char *text)
{
	sqlite3_stmt	*any = db_stmt(db, STMT_CA_BY_ID);

	return any != NULL &&
	    sqlite3_exec(sqlite3_db_handle(any), text, NULL, NULL, NULL) ==
	    SQLITE_OK;
}

/* Issues a new request for cn; returns its id, or 0. */
static long long
issued(const char *cn)
{
	long long	 id = add_request(cn);
	char		 err[256];

	if (id <= 0 || issue_request(db, cfg, id, &test_actor, err,
	    sizeof(err)) != 1)
		return 0;
	return id;
}

/* Returns the published CRL of the demo CA (caller frees) or NULL. */
static X509_CRL *
published_crl(void)
{
	char		*path = issue_crl_path(cfg, "demo", "ca");
	FILE		*f;
	X509_CRL	*crl = NULL;

	if (path != NULL && (f = fopen(path, "rb")) != NULL) {
		crl = d2i_X509_CRL_fp(f, NULL);
		fclose(f);
	}
	free(path);
	return crl;
}

/* Returns the crlNumber of crl, or -1. */
static long long
crl_number(const X509_CRL *crl)
{
	ASN1_INTEGER	*num;
	int64_t		 n = -1;

	if (crl == NULL || (num = X509_CRL_get_ext_d2i(crl, NID_crl_number,
	    NULL, NULL)) == NULL)
		return -1;
	if (!ASN1_INTEGER_get_int64(&n, num))
		n = -1;
	ASN1_INTEGER_free(num);
	return n;
}

/* Returns 1 if crl lists the certificate of request id. */
static int
crl_lists(const X509_CRL *crl, long long id)
{
	struct request	*r = store_request_by_id(db, id);
	BIGNUM		*bn = NULL;
	ASN1_INTEGER	*sn = NULL;
	X509_REVOKED	*rev = NULL;
	int		 found = 0;

	if (crl != NULL && r != NULL && r->serial != NULL &&
	    BN_hex2bn(&bn, r->serial) > 0 &&
	    (sn = BN_to_ASN1_INTEGER(bn, NULL)) != NULL)
		found = X509_CRL_get0_by_serial((X509_CRL *)crl, &rev, sn) == 1;
	ASN1_INTEGER_free(sn);
	BN_free(bn);
	store_request_free(r);
	return found;
}

/* Returns the status of request id (static copy). */
static const char *
status_of(long long id)
{
	static char	 status[32];
	struct request	*r = store_request_by_id(db, id);

	snprintf(status, sizeof(status), "%s", r != NULL ?
	    store_status_name(r->status) : "?");
	store_request_free(r);
	return status;
}

/*
 * RFC 5280 3.3 lets a CRL drop a certificate once it has expired: a
 * revoked certificate past its notAfter leaves the next CRL, a revoked
 * one still within it stays.
 */
static void
test_crl_leaves_expired_off(void)
{
	struct ca_rec	*rec = store_ca_for_customer(db, cust->id);
	long long	 live = issued("live-revoked.example.com");
	long long	 dead = issued("expired-revoked.example.com");
	char		 err[256], q[160];
	X509_CRL	*crl;

	CU_ASSERT_FATAL(rec != NULL && live > 0 && dead > 0);
	CU_ASSERT_EQUAL(issue_revoke(db, cfg, live, 1, "", &test_actor, err,
	    sizeof(err)), 1);
	CU_ASSERT_EQUAL(issue_revoke(db, cfg, dead, 1, "", &test_actor, err,
	    sizeof(err)), 1);
	crl = published_crl();
	CU_ASSERT(crl_lists(crl, live) && crl_lists(crl, dead));
	X509_CRL_free(crl);
	snprintf(q, sizeof(q), "UPDATE request SET not_after = %lld "
	    "WHERE id = %lld", (long long)time(NULL) - 60, dead);
	CU_ASSERT_FATAL(sql(q));
	CU_ASSERT_EQUAL(issue_publish_crl(db, cfg, rec->id), 1);
	crl = published_crl();
	CU_ASSERT_PTR_NOT_NULL(crl);
	CU_ASSERT(crl_lists(crl, live));
	CU_ASSERT_FALSE(crl_lists(crl, dead));
	X509_CRL_free(crl);
	store_ca_free(rec);
}

/*
 * After a restore from an older backup the database's CRL counter is
 * behind the published file; the next CRL must still be published, with
 * a higher number, and list what was revoked since.
 */
static void
test_crl_after_restore(void)
{
	struct ca_rec	*rec = store_ca_for_customer(db, cust->id);
	long long	 a = issued("restore-a.example.com");
	long long	 b = issued("restore-b.example.com");
	long long	 n1;
	char		 err[256], dbfile[4096];
	sqlite3		*raw = NULL;
	X509_CRL	*crl;

	CU_ASSERT_FATAL(rec != NULL && a > 0 && b > 0);
	CU_ASSERT_EQUAL(issue_revoke(db, cfg, a, 1, "", &test_actor, err,
	    sizeof(err)), 1);
	crl = published_crl();
	n1 = crl_number(crl);
	X509_CRL_free(crl);
	/* What a restore of an older database does to the counter. */
	fixture_path(dbfile, sizeof(dbfile), "state/certdesk.db");
	CU_ASSERT_FATAL(sqlite3_open(dbfile, &raw) == SQLITE_OK);
	CU_ASSERT_FATAL(sqlite3_exec(raw, "UPDATE ca SET crl_number = 0",
	    NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(raw);
	CU_ASSERT_EQUAL(issue_revoke(db, cfg, b, 1, "", &test_actor, err,
	    sizeof(err)), 1);
	crl = published_crl();
	CU_ASSERT(crl_number(crl) > n1);
	CU_ASSERT(crl_lists(crl, a) && crl_lists(crl, b));
	X509_CRL_free(crl);
	store_ca_free(rec);
}

/*
 * crlNumber strictly increases and a number is never used twice, not
 * even after a publication that failed: the number is committed before
 * the file is written.  The revocation itself stands when only the CRL
 * could not be written, and the next publication lists it.
 */
static void
test_crl_numbers_never_reused(void)
{
	struct ca_rec	*rec = store_ca_for_customer(db, cust->id);
	long long	 a = issued("number-a.example.com");
	long long	 b = issued("number-b.example.com");
	long long	 n1, n2;
	char		 err[256], *path = issue_crl_path(cfg, "demo", "ca");
	char		 aside[300];
	X509_CRL	*crl;

	CU_ASSERT_FATAL(rec != NULL && path != NULL && a > 0 && b > 0);
	CU_ASSERT_EQUAL(issue_revoke(db, cfg, a, 1, "", &test_actor, err,
	    sizeof(err)), 1);
	crl = published_crl();
	n1 = crl_number(crl);
	CU_ASSERT(n1 > 0 && crl_lists(crl, a));
	X509_CRL_free(crl);

	/* The CRL's path is a directory: the rename fails. */
	snprintf(aside, sizeof(aside), "%s.aside", path);
	CU_ASSERT_FATAL(rename(path, aside) == 0 && mkdir(path, 0755) == 0);
	err[0] = '\0';
	CU_ASSERT_EQUAL(issue_revoke(db, cfg, b, 1, "", &test_actor, err,
	    sizeof(err)), 1);
	CU_ASSERT(strstr(err, "CRL") != NULL);
	CU_ASSERT_STRING_EQUAL(status_of(b), "Revoked");
	CU_ASSERT_EQUAL(issue_publish_crl(db, cfg, rec->id), 0);
	CU_ASSERT_FATAL(rmdir(path) == 0 && rename(aside, path) == 0);

	/* Two numbers went to the failed attempts; neither comes back. */
	CU_ASSERT_EQUAL(issue_publish_crl(db, cfg, rec->id), 1);
	crl = published_crl();
	n2 = crl_number(crl);
	CU_ASSERT(n2 >= n1 + 3);
	CU_ASSERT(crl_lists(crl, a) && crl_lists(crl, b));
	X509_CRL_free(crl);
	CU_ASSERT_EQUAL(issue_publish_crl(db, cfg, rec->id), 1);
	crl = published_crl();
	CU_ASSERT_EQUAL(crl_number(crl), n2 + 1);
	X509_CRL_free(crl);

	/* Inside a transaction it refuses: what it lists could roll back. */
	CU_ASSERT_FATAL(db_begin(db));
	CU_ASSERT_EQUAL(issue_publish_crl(db, cfg, rec->id), 0);
	db_rollback(db);
	crl = published_crl();
	CU_ASSERT_EQUAL(crl_number(crl), n2 + 1);
	X509_CRL_free(crl);
	free(path);
	store_ca_free(rec);
}

/* Returns the bytes of the published CRL (caller frees) and their length. */
static unsigned char *
crl_bytes(size_t *len)
{
	char		*path = issue_crl_path(cfg, "demo", "ca");
	FILE		*f;
	unsigned char	*data = NULL;
	long		 n;

	*len = 0;
	if (path != NULL && (f = fopen(path, "rb")) != NULL) {
		if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
		    fseek(f, 0, SEEK_SET) == 0 &&
		    (data = malloc((size_t)n)) != NULL &&
		    fread(data, 1, (size_t)n, f) == (size_t)n)
			*len = (size_t)n;
		fclose(f);
	}
	free(path);
	return data;
}

/*
 * The CRL is written only after the revocation commits: a revocation
 * whose transaction rolls back (here a trigger aborts it at its last
 * statement) leaves the published file as it was, byte for byte.
 */
static void
test_crl_only_after_commit(void)
{
	long long	 id = issued("rolled-back.example.com");
	unsigned char	*before, *after;
	size_t		 blen, alen;
	char		 err[256];

	CU_ASSERT_FATAL(id > 0);
	before = crl_bytes(&blen);
	CU_ASSERT_FATAL(before != NULL);
	CU_ASSERT_FATAL(sql("CREATE TEMP TRIGGER abort_revoke AFTER INSERT "
	    "ON audit WHEN NEW.action = 'certificate.revoke' "
	    "BEGIN SELECT RAISE(ROLLBACK, 'test rollback'); END"));
	CU_ASSERT_EQUAL(issue_revoke(db, cfg, id, 1, "", &test_actor, err,
	    sizeof(err)), 0);
	CU_ASSERT_FATAL(sql("DROP TRIGGER abort_revoke"));
	CU_ASSERT_STRING_EQUAL(status_of(id), "Issued");
	after = crl_bytes(&alen);
	CU_ASSERT(after != NULL && alen == blen &&
	    memcmp(before, after, blen) == 0);
	free(before);
	free(after);
}

/*
 * The SCEP path: a certificate signed with issue_make before any
 * transaction exists nowhere until issue_add_issued commits it; a
 * rollback leaves no row and no serial behind, and the committed row
 * holds exactly what was signed, issued in one INSERT.
 */
static void
test_sign_then_record(void)
{
	struct ca_rec	*rec = store_ca_for_customer(db, cust->id);
	struct ca	*ca = NULL;
	struct csr	*csr = NULL;
	struct request	 r, *g = NULL, *h = NULL;
	struct issue_cert ic;
	unsigned char	*der;
	char		 err[256], *crl = NULL;
	size_t		 len;
	long long	 id, rid;
	X509		*x = NULL;
	const unsigned char *p;

	memset(&ic, 0, sizeof(ic));
	CU_ASSERT_FATAL(rec != NULL);
	ca = ca_load(rec->cert_pem, rec->key_uri, NULL, NULL, NULL);
	der = fixture_csr(subject_key, "signed-first.example.com", &len);
	csr = csr_parse(der, len, err, sizeof(err));
	crl = issue_crl_url(cfg, "demo", rec->name);
	CU_ASSERT_FATAL(ca != NULL && csr != NULL && crl != NULL);
	memset(&r, 0, sizeof(r));
	r.customer_id = cust->id;
	r.type = CERT_DEVICE;
	r.via = "scep";
	r.status = REQ_REQUESTED;
	r.profile_id = prof->id;
	r.org_id = org->id;
	r.term_days = 365;
	r.common_name = "signed-first.example.com";
	r.sans = "signed-first.example.com";
	r.csr_der = der;
	r.csr_len = len;
	CU_ASSERT_FATAL(issue_make(ca, crl, &r, csr, org, prof, NULL, &ic));
	CU_ASSERT_FATAL(ic.cert != NULL && ic.der != NULL && ic.subject != NULL);
	CU_ASSERT_EQUAL(strlen(ic.serial), 32);
	/* Signed, not recorded: the serial is unknown to the database. */
	CU_ASSERT_PTR_NULL(g = store_request_by_serial(db, ic.serial));
	store_request_free(g);

	/* A rollback discards the signed certificate. */
	CU_ASSERT_FATAL(db_begin(db));
	CU_ASSERT((id = issue_add_issued(db, &r, rec->id, &ic)) > 0);
	CU_ASSERT_FATAL(r.cert_id != NULL);
	CU_ASSERT_FATAL(db_rollback(db));
	CU_ASSERT_PTR_NULL(g = store_request_by_cert_id(db, cust->id,
	    r.cert_id));
	store_request_free(g);
	CU_ASSERT_PTR_NULL(g = store_request_by_serial(db, ic.serial));
	store_request_free(g);
	free(r.cert_id);
	r.cert_id = NULL;

	/* A commit records exactly what was signed, Issued from the start. */
	CU_ASSERT_FATAL(db_begin(db));
	CU_ASSERT_FATAL((id = issue_add_issued(db, &r, rec->id, &ic)) > 0);
	CU_ASSERT_FATAL(db_commit(db));
	g = store_request_by_serial(db, ic.serial);
	CU_ASSERT_FATAL(g != NULL);
	CU_ASSERT_EQUAL(g->id, id);
	CU_ASSERT_STRING_EQUAL(g->cert_id, r.cert_id);
	CU_ASSERT_EQUAL(g->status, REQ_ISSUED);
	CU_ASSERT_EQUAL(g->ca_id, rec->id);
	CU_ASSERT_STRING_EQUAL(g->subject, ic.subject);
	CU_ASSERT(g->cert_len == ic.len &&
	    memcmp(g->cert_der, ic.der, ic.len) == 0);
	CU_ASSERT(g->not_before == ic.not_before &&
	    g->not_after == ic.not_after);
	CU_ASSERT(g->issued_at == g->requested_at &&
	    g->approved_at == g->requested_at && g->issued_at > 0);
	CU_ASSERT(g->csr_len == len && memcmp(g->csr_der, der, len) == 0);
	/* What a client gets back is the CSR's key, certified by our CA. */
	p = g->cert_der;
	x = d2i_X509(NULL, &p, (long)g->cert_len);
	CU_ASSERT_FATAL(x != NULL);
	CU_ASSERT(EVP_PKEY_eq(X509_get0_pubkey(x), subject_key) == 1);
	CU_ASSERT(X509_verify(x, X509_get0_pubkey(ca->cert)) == 1);
	/* The same serial cannot be recorded twice. */
	free(r.cert_id);
	r.cert_id = NULL;
	CU_ASSERT_FATAL(db_begin(db));
	CU_ASSERT_EQUAL(issue_add_issued(db, &r, rec->id, &ic), 0);
	CU_ASSERT(db_rollback(db));

	/* issue_record completes a row inserted Requested (approval path). */
	free(r.cert_id);
	r.cert_id = NULL;
	issue_cert_free(&ic);
	CU_ASSERT_FATAL((rid = store_request_add(db, &r)) > 0);
	CU_ASSERT_FATAL(issue_make(ca, crl, &r, csr, org, prof, NULL, &ic));
	CU_ASSERT_FATAL(db_begin(db));
	CU_ASSERT(issue_record(db, rid, r.cert_id, rec->id, &ic));
	CU_ASSERT_FATAL(db_commit(db));
	h = store_request_by_id(db, rid);
	CU_ASSERT_FATAL(h != NULL);
	CU_ASSERT_EQUAL(h->status, REQ_ISSUED);
	CU_ASSERT_STRING_EQUAL(h->serial, ic.serial);
	CU_ASSERT(h->cert_len == ic.len &&
	    memcmp(h->cert_der, ic.der, ic.len) == 0);

	store_request_free(h);
	X509_free(x);
	store_request_free(g);
	issue_cert_free(&ic);
	free(r.cert_id);
	free(crl);
	free(der);
	csr_free(csr);
	ca_free(ca);
	store_ca_free(rec);
}

/*
 * Kills issuing processes at random moments; every request must end up
 * either untouched (Requested, no certificate) or complete (Issued with
 * certificate and serial): never a certificate without its record.
 */
static void
test_kill_during_issue_is_atomic(void)
{
	enum { N = 24 };
	long long	 ids[N];
	int		 i, complete = 0, untouched = 0, broken = 0;
	char		 cn[64];

	for (i = 0; i < N; i++) {
		snprintf(cn, sizeof(cn), "crash%d.example.com", i);
		ids[i] = add_request(cn);
		CU_ASSERT_FATAL(ids[i] > 0);
	}
	srand((unsigned)getpid());
	for (i = 0; i < N; i++) {
		pid_t	 pid;
		int	 st;

		if ((pid = fork()) == 0) {
			struct db *cdb;
			char	 err[256], dbp[160];

			snprintf(dbp, sizeof(dbp), "%s/state/certdesk.db", dir);
			if ((cdb = db_open(dbp)) == NULL)
				_exit(2);
			_exit(issue_request(cdb, cfg, ids[i], &test_actor, err,
			    sizeof(err)) ? 0 : 1);
		}
		CU_ASSERT_FATAL(pid > 0);
		/* 0..40 ms: from before BEGIN to after COMMIT. */
		usleep((useconds_t)(rand() % 40000));
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	for (i = 0; i < N; i++) {
		struct request *r = store_request_by_id(db, ids[i]);

		CU_ASSERT_FATAL(r != NULL);
		if (r->status == REQ_ISSUED && r->cert_der != NULL &&
		    r->serial != NULL && r->issued_at > 0)
			complete++;
		else if (r->status == REQ_REQUESTED &&
		    r->cert_der == NULL && r->serial == NULL && r->issued_at == 0)
			untouched++;
		else
			broken++;
		store_request_free(r);
	}
	CU_ASSERT_EQUAL(broken, 0);
	CU_ASSERT_EQUAL(complete + untouched, N);
	/* The survivors can still be issued: no lock or half state left. */
	for (i = 0; i < N; i++) {
		char	 err[256];
		struct request *r = store_request_by_id(db, ids[i]);

		if (r != NULL && r->status == REQ_REQUESTED)
			CU_ASSERT(issue_request(db, cfg, ids[i], &test_actor,
			    err, sizeof(err)) == 1);
		store_request_free(r);
	}
	printf("\n    killed mid-issue: %d complete, %d untouched\n", complete,
	    untouched);
}

/*
 * Returns the DER of a CSR signed by subject_key whose subject is the
 * NULL-ended list of field=value pairs, in that order (caller frees).
 */
static unsigned char *
make_csr_fields(const char *const *fields, size_t *len)
{
	X509_NAME	*n = X509_NAME_new();
	unsigned char	*der;

	for (; fields[0] != NULL; fields += 2)
		CU_ASSERT_FATAL(X509_NAME_add_entry_by_txt(n, fields[0],
		    MBSTRING_ASC, (const unsigned char *)fields[1], -1, -1,
		    0));
	der = fixture_csr_name(subject_key, n, len);
	X509_NAME_free(n);
	return der;
}

/*
 * Signs csr_fields as a request of type with the organisation o and
 * returns the RFC 2253 subject of the certificate (caller frees).
 */
static char *
issued_subject(const char *type, const char *const *csr_fields,
    const struct org *o)
{
	struct ca_rec	*rec = store_ca_for_customer(db, cust->id);
	struct ca	*ca = NULL;
	struct csr	*csr = NULL;
	struct request	 r;
	struct issue_cert ic;
	unsigned char	*der;
	char		 err[256], *subject = NULL;
	size_t		 len;

	memset(&ic, 0, sizeof(ic));
	CU_ASSERT_FATAL(rec != NULL);
	ca = ca_load(rec->cert_pem, rec->key_uri, NULL, NULL, NULL);
	der = make_csr_fields(csr_fields, &len);
	csr = csr_parse(der, len, err, sizeof(err));
	CU_ASSERT_FATAL(ca != NULL && csr != NULL);
	memset(&r, 0, sizeof(r));
	r.customer_id = cust->id;
	CU_ASSERT_FATAL(store_cert_type_parse(type, &r.type));
	r.status = REQ_REQUESTED;
	r.profile_id = prof->id;
	r.org_id = o->id;
	r.term_days = 365;
	r.sans = strcmp(type, "smime") == 0 ? "alice@example.com" :
	    "www.example.com";
	if (issue_make(ca, NULL, &r, csr, o, prof, NULL, &ic)) {
		subject = ic.subject;
		ic.subject = NULL;
	}
	CU_ASSERT_PTR_NOT_NULL(subject);
	issue_cert_free(&ic);
	csr_free(csr);
	free(der);
	ca_free(ca);
	store_ca_free(rec);
	return subject;
}

/*
 * SPEC 4.1 step 4: the subject of an SSL or device certificate is the CN
 * and the organisation's O/OU/L/ST/C; nothing else the requester wrote
 * (a mailbox nobody checked, serialNumber, UID, a second CN, its own O
 * and C) reaches it.  S/MIME keeps its checked emailAddress.
 */
static void
test_subject_is_cn_and_org(void)
{
	static const char *const hostile[] = {
		"C", "XX", "O", "Evil Corp", "CN", "www.example.com.",
		"emailAddress", "ceo@victim.org", "serialNumber", "42",
		"UID", "root", "CN", "www.victim.test", NULL, NULL,
	};
	static const char *const person[] = {
		"CN", "Alice Example", "emailAddress", "alice@example.com",
		"serialNumber", "42", "CN", "Mallory", NULL, NULL,
	};
	static const char *const types[] = { "ssl", "device" };
	struct org	 o = *org;
	char		*subj;
	size_t		 i;

	o.ou = "IT";
	o.l = "Springfield";
	o.st = "Oregon";
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		subj = issued_subject(types[i], hostile, &o);
		CU_ASSERT_STRING_EQUAL(subj != NULL ? subj : "",
		    "CN=www.example.com,OU=IT,O=Demo Org,L=Springfield,"
		    "ST=Oregon,C=US");
		free(subj);
	}
	subj = issued_subject("smime", person, &o);
	CU_ASSERT_STRING_EQUAL(subj != NULL ? subj : "",
	    "emailAddress=alice@example.com,CN=Alice Example,OU=IT,"
	    "O=Demo Org,L=Springfield,ST=Oregon,C=US");
	free(subj);
	/* Empty organisation values are left out, not written empty. */
	o.ou = "";
	o.l = NULL;
	o.st = NULL;
	subj = issued_subject("ssl", hostile, &o);
	CU_ASSERT_STRING_EQUAL(subj != NULL ? subj : "",
	    "CN=www.example.com,O=Demo Org,C=US");
	free(subj);
}

static void
register_tests(void)
{
	CU_pSuite	 s;

	log_quiet(1);
	if (!setup()) {
		fprintf(stderr, "test_issue: cannot set up an instance\n");
		exit(1);
	}
	atexit(teardown);
	s = CU_add_suite("issue", NULL, NULL);
	UNIT_ADD(s, test_issue_records_what_was_signed);
	UNIT_ADD(s, test_decline_then_no_issue);
	UNIT_ADD(s, test_revoke_publishes_crl);
	UNIT_ADD(s, test_crl_leaves_expired_off);
	UNIT_ADD(s, test_crl_numbers_never_reused);
	UNIT_ADD(s, test_crl_after_restore);
	UNIT_ADD(s, test_crl_only_after_commit);
	UNIT_ADD(s, test_sign_then_record);
	UNIT_ADD(s, test_subject_is_cn_and_org);
	UNIT_ADD(s, test_kill_during_issue_is_atomic);
}

UNIT_MAIN(register_tests)
