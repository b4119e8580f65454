/*
 * test_clientcert: the client certificate pipeline against a real
 * instance — what a server-made key's certificate and PKCS#12 files
 * hold, the person made once, Awaiting validation rows and codes, user
 * CSRs, renewal, and that every refusal or failure writes nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "clientcert.h"
#include "config.h"
#include "csr.h"
#include "db.h"
#include "issue.h"
#include "log.h"
#include "p12.h"
#include "store.h"
#include "vcode.h"
#include "fixture.h"
#include "unit.h"

#define PASSWORD	"correct horse 8"

static struct db	*db;
static struct customer	*cust;
static struct org	*org;
static struct dept	*dept;
static struct profile	*prof, *ssl_prof, *ec_only;
static struct endpoint	*ep;
static struct account	*acc, *csr_acc;
static const struct actor test_actor = { "test", "127.0.0.1" };

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

/* What the tables that a refusal must not touch hold. */
struct counts {
	long long	 requests, persons, pickups, codes_used, audits;
};

static void
counts_get(struct counts *c)
{
	c->requests = count("SELECT COUNT(*) FROM request");
	c->persons = count("SELECT COUNT(*) FROM person");
	c->pickups = count("SELECT COUNT(*) FROM p12_pickup");
	c->codes_used = count("SELECT COUNT(*) FROM validation_code"
	    " WHERE used_at IS NOT NULL");
	c->audits = count("SELECT COUNT(*) FROM audit"
	    " WHERE action = 'certificate.issue'");
}

/* Asserts that nothing was written since before. */
static void
assert_unchanged(const struct counts *before)
{
	struct counts	 now;

	counts_get(&now);
	CU_ASSERT_EQUAL(now.requests, before->requests);
	CU_ASSERT_EQUAL(now.persons, before->persons);
	CU_ASSERT_EQUAL(now.pickups, before->pickups);
	CU_ASSERT_EQUAL(now.codes_used, before->codes_used);
	CU_ASSERT_EQUAL(now.audits, before->audits);
}

/* Fills o as a server-key order for email with the demo account. */
static void
order_init(struct clientcert_order *o, const char *email, enum key_type kt)
{
	memset(o, 0, sizeof(*o));
	o->customer_id = cust->id;
	o->account_id = acc->id;
	o->org_id = org->id;
	o->dept_id = dept->id;
	o->profile_id = prof->id;
	o->term_days = 365;
	o->key_type = kt;
	o->email = email;
	o->first = "Ann";
	o->middle = "B.";
	o->last = "Lee";
	o->password = PASSWORD;
	o->via = "web";
}

/* The pick-up secret of the last issuance, as the browser's cookie holds it. */
static char	 pickup[2 * CLIENTCERT_PICKUP_BYTES + 1];

/*
 * Runs the pipeline; returns its status and leaves the ID in *id (caller
 * frees) and the pick-up secret in pickup ("" when none).
 */
static enum clientcert_status
issue(const struct clientcert_order *o, char **id, char *err, size_t errlen)
{
	struct clientcert_result	 res;
	enum clientcert_status		 st;

	st = clientcert_issue(db, fixture.cfg, o, &test_actor, &res);
	snprintf(pickup, sizeof(pickup), "%s", res.pickup ? res.pickup : "");
	if (id != NULL) {
		*id = res.cert_id;
		res.cert_id = NULL;
	}
	clientcert_result_free(&res);
	if (err != NULL)
		snprintf(err, errlen, "%s", res.err);
	return st;
}

/* Returns the request of certificate ID id (caller frees). */
static struct request *
by_id(const char *id)
{
	return id != NULL ? store_request_by_cert_id(db, cust->id, id) : NULL;
}

/* Returns the certificate of r (caller frees). */
static X509 *
cert_of(const struct request *r)
{
	const unsigned char	*p = r->cert_der;

	return p != NULL ? d2i_X509(NULL, &p, (long)r->cert_len) : NULL;
}

/* Returns 1 when the key usage of x is exactly bits (KU_* flags). */
static int
ku_is(X509 *x, uint32_t bits)
{
	return (X509_get_extension_flags(x) & EXFLAG_KUSAGE) &&
	    X509_get_key_usage(x) == bits;
}

/* Returns 1 when x's subjectAltName is exactly the one rfc822Name email. */
static int
san_is_email(X509 *x, const char *email)
{
	GENERAL_NAMES	*gens;
	GENERAL_NAME	*g;
	int		 ok = 0;

	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	if (gens != NULL && sk_GENERAL_NAME_num(gens) == 1) {
		g = sk_GENERAL_NAME_value(gens, 0);
		ok = g->type == GEN_EMAIL && strcmp((const char *)
		    ASN1_STRING_get0_data(g->d.rfc822Name), email) == 0;
	}
	GENERAL_NAMES_free(gens);
	return ok;
}

/*
 * Opens pick-up enc of certificate id with the password and checks that
 * it holds the certificate x, the key of its public key, the CA chain and
 * the friendly name.
 */
static void
check_pickup(const char *id, const char *enc, X509 *x, const char *friendly)
{
	unsigned char	*der = NULL;
	const unsigned char *p;
	size_t		 len = 0;
	PKCS12		*p12 = NULL;
	EVP_PKEY	*key = NULL;
	X509		*cert = NULL;
	STACK_OF(X509)	*ca = NULL;
	const unsigned char *alias;
	int		 alen = 0;

	CU_ASSERT_EQUAL_FATAL(clientcert_pickup(db, cust->id, id, enc, pickup,
	    &der, &len), PICKUP_OK);
	p = der;
	CU_ASSERT_PTR_NOT_NULL_FATAL(p12 = d2i_PKCS12(NULL, &p, (long)len));
	CU_ASSERT_EQUAL(PKCS12_verify_mac(p12, "wrong password", -1), 0);
	CU_ASSERT_EQUAL_FATAL(PKCS12_parse(p12, PASSWORD, &key, &cert, &ca),
	    1);
	CU_ASSERT_EQUAL(X509_cmp(cert, x), 0);
	CU_ASSERT_EQUAL(EVP_PKEY_eq(key, X509_get0_pubkey(x)), 1);
	CU_ASSERT(ca != NULL && sk_X509_num(ca) >= 1);
	alias = X509_alias_get0(cert, &alen);
	CU_ASSERT(alias != NULL && (size_t)alen == strlen(friendly) &&
	    memcmp(alias, friendly, (size_t)alen) == 0);
	sk_X509_pop_free(ca, X509_free);
	X509_free(cert);
	EVP_PKEY_free(key);
	PKCS12_free(p12);
	OPENSSL_clear_free(der, len);
}

/* One server-key issuance of type kt, checked from the row to the files. */
static void
check_server_key(enum key_type kt, const char *email, uint32_t ku)
{
	struct clientcert_order	 o;
	struct request		*r = NULL;
	X509			*x = NULL;
	char			*id = NULL, err[256], *cn, friendly[128];
	int			 pos;

	order_init(&o, email, kt);
	CU_ASSERT_EQUAL_FATAL(issue(&o, &id, err, sizeof(err)),
	    CLIENTCERT_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r = by_id(id));
	CU_ASSERT_EQUAL(r->status, REQ_ISSUED);
	CU_ASSERT_EQUAL(r->type, CERT_SMIME);
	CU_ASSERT_EQUAL(r->key_type, kt);
	CU_ASSERT_STRING_EQUAL(r->first_name, "Ann");
	CU_ASSERT_STRING_EQUAL(r->middle_name, "B.");
	CU_ASSERT_STRING_EQUAL(r->last_name, "Lee");
	CU_ASSERT_STRING_EQUAL(r->sans, email);
	CU_ASSERT_STRING_EQUAL(r->common_name, "Ann B. Lee");
	CU_ASSERT(r->person_id > 0);
	CU_ASSERT_EQUAL(clientcert_server_key(r), 1);
	CU_ASSERT_EQUAL(store_p12_count(db, r->id), 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x = cert_of(r));
	CU_ASSERT_EQUAL(csr_key_classify(X509_get0_pubkey(x), NULL), kt);
	/* CN from the names, no emailAddress RDN: no profile asks for one. */
	pos = X509_NAME_get_index_by_NID(X509_get_subject_name(x),
	    NID_commonName, -1);
	CU_ASSERT_FATAL(pos >= 0);
	cn = NULL;
	CU_ASSERT(ASN1_STRING_to_UTF8((unsigned char **)&cn,
	    X509_NAME_ENTRY_get_data(X509_NAME_get_entry(
	    X509_get_subject_name(x), pos))) > 0);
	CU_ASSERT(cn != NULL && strcmp(cn, "Ann B. Lee") == 0);
	OPENSSL_free(cn);
	CU_ASSERT_EQUAL(X509_NAME_get_index_by_NID(X509_get_subject_name(x),
	    NID_pkcs9_emailAddress, -1), -1);
	CU_ASSERT(san_is_email(x, email));
	CU_ASSERT(ku_is(x, ku));
	/* The demo profile says emailProtection and clientAuth. */
	CU_ASSERT_EQUAL(X509_get_extended_key_usage(x),
	    XKU_SMIME | XKU_SSL_CLIENT);
	snprintf(friendly, sizeof(friendly), "Ann Lee <%s>", email);
	check_pickup(id, "modern", x, friendly);
	check_pickup(id, "compatible", x, friendly);
	X509_free(x);
	store_request_free(r);
	free(id);
}

static void
test_server_key_ec(void)
{
	check_server_key(KEY_EC256, "ann@example.com",
	    KU_DIGITAL_SIGNATURE | KU_KEY_AGREEMENT);
}

static void
test_server_key_rsa(void)
{
	check_server_key(KEY_RSA2048, "ann@example.com",
	    KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT);
}

/* The person is made on the first issuance and found on the next. */
static void
test_person_once(void)
{
	struct clientcert_order	 o;
	struct request		*a = NULL, *b = NULL;
	char			*ida = NULL, *idb = NULL;
	long long		 persons;

	order_init(&o, "carl@example.com", KEY_EC256);
	o.first = "Carl";
	o.middle = "";
	o.last = "Ohm";
	persons = count("SELECT COUNT(*) FROM person");
	CU_ASSERT_EQUAL_FATAL(issue(&o, &ida, NULL, 0), CLIENTCERT_OK);
	CU_ASSERT_EQUAL(count("SELECT COUNT(*) FROM person"), persons + 1);
	CU_ASSERT_EQUAL(count("SELECT COUNT(*) FROM person WHERE email ="
	    " 'carl@example.com' AND first_name = 'Carl' AND last_name ="
	    " 'Ohm'"), 1);
	CU_ASSERT_EQUAL_FATAL(issue(&o, &idb, NULL, 0), CLIENTCERT_OK);
	CU_ASSERT_EQUAL(count("SELECT COUNT(*) FROM person"), persons + 1);
	a = by_id(ida);
	b = by_id(idb);
	CU_ASSERT_FATAL(a != NULL && b != NULL);
	CU_ASSERT_EQUAL(a->person_id, b->person_id);
	CU_ASSERT_STRING_EQUAL(a->common_name, "Carl Ohm");
	CU_ASSERT_STRING_NOT_EQUAL(ida, idb);
	store_request_free(a);
	store_request_free(b);
	free(ida);
	free(idb);
}

/* Each refusal names the reason for the person and writes nothing. */
static void
test_refusals_write_nothing(void)
{
	struct clientcert_order	 o;
	struct counts		 before;
	char			 err[256];

	counts_get(&before);
	order_init(&o, "eve@other.org", KEY_EC256);
	CU_ASSERT_EQUAL(issue(&o, NULL, err, sizeof(err)),
	    CLIENTCERT_REFUSED);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "eve@other.org does not lie in "
	    "a domain of this account"));
	assert_unchanged(&before);

	order_init(&o, "ann@example.com", KEY_EC256);
	o.term_days = 99;
	CU_ASSERT_EQUAL(issue(&o, NULL, err, sizeof(err)),
	    CLIENTCERT_REFUSED);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "term of 99 days"));

	order_init(&o, "ann@example.com", KEY_EC256);
	o.profile_id = ssl_prof->id;
	CU_ASSERT_EQUAL(issue(&o, NULL, err, sizeof(err)),
	    CLIENTCERT_REFUSED);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not offered"));

	order_init(&o, "ann@example.com", KEY_RSA2048);
	o.profile_id = ec_only->id;
	CU_ASSERT_EQUAL(issue(&o, NULL, err, sizeof(err)),
	    CLIENTCERT_REFUSED);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "RSA 2048 is not one"));

	order_init(&o, "ann@example.com", KEY_NONE);
	CU_ASSERT_EQUAL(issue(&o, NULL, err, sizeof(err)),
	    CLIENTCERT_REFUSED);

	order_init(&o, "ann@example.com", KEY_EC256);
	o.password = "";
	CU_ASSERT_EQUAL(issue(&o, NULL, err, sizeof(err)),
	    CLIENTCERT_REFUSED);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "password"));

	order_init(&o, "ann@example.com", KEY_EC256);
	o.first = "Bartholomew-Maximilian";
	o.middle = "";
	o.last = "Featherstonehaugh-Cholmondeley-Wolfeschlegelsteinhausen";
	CU_ASSERT_EQUAL(issue(&o, NULL, err, sizeof(err)),
	    CLIENTCERT_REFUSED);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "too long"));
	assert_unchanged(&before);
}

/* A long middle name is left out of the CN rather than refused. */
static void
test_long_middle_name(void)
{
	struct clientcert_order	 o;
	struct request		*r;
	char			*id = NULL;

	order_init(&o, "dora@example.com", KEY_EC256);
	o.first = "Dora";
	o.middle = "Anastasia Josephine Wilhelmina Konstanze Friederike";
	o.last = "Vandersloot";
	CU_ASSERT_EQUAL_FATAL(issue(&o, &id, NULL, 0), CLIENTCERT_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r = by_id(id));
	CU_ASSERT_STRING_EQUAL(r->common_name, "Dora Vandersloot");
	CU_ASSERT_STRING_EQUAL(r->middle_name, o.middle);
	store_request_free(r);
	free(id);
}

/* An order without names (an invitation) takes the person's common name. */
static void
test_common_name_from_person(void)
{
	struct clientcert_order	 o;
	struct person		 p;
	struct request		*r;
	char			*id = NULL;

	memset(&p, 0, sizeof(p));
	p.org_id = org->id;
	p.dept_id = dept->id;
	p.email = "kim@example.com";
	p.common_name = "Kim Park (Sales)";
	CU_ASSERT_FATAL(store_person_add(db, &p) > 0);
	order_init(&o, "kim@example.com", KEY_EC256);
	o.first = o.middle = o.last = "";
	CU_ASSERT_EQUAL_FATAL(issue(&o, &id, NULL, 0), CLIENTCERT_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r = by_id(id));
	CU_ASSERT_STRING_EQUAL(r->common_name, "Kim Park (Sales)");
	store_request_free(r);
	free(id);
}

/* Makes a code of kind for email in its own transaction; returns its id. */
static long long
code_for(enum vcode_kind kind, long long request_id, const char *email)
{
	struct vcode	 v;
	char		*code;
	long long	 id = 0;

	CU_ASSERT_FATAL(db_begin(db));
	code = vcode_make(db, kind, request_id, 0, acc->id, email, 3600);
	CU_ASSERT_FATAL(code != NULL && db_commit(db));
	if (vcode_find(db, kind, code, email, &v) == VCODE_OK)
		id = v.id;
	vcode_free(&v);
	OPENSSL_clear_free(code, strlen(code));
	CU_ASSERT_FATAL(id > 0);
	return id;
}

/* Returns an Awaiting validation row for email as the enrollment form leaves it. */
static long long
awaiting(const char *email)
{
	struct request	 r;
	long long	 id;

	memset(&r, 0, sizeof(r));
	r.customer_id = cust->id;
	r.type = CERT_SMIME;
	r.via = "web";
	r.status = REQ_AWAITING_VALIDATION;
	r.account_id = acc->id;
	r.profile_id = prof->id;
	r.org_id = org->id;
	r.dept_id = dept->id;
	r.term_days = 365;
	r.requester_email = (char *)email;
	r.key_type = KEY_EC256;
	r.first_name = "Fay";
	r.last_name = "Gold";
	r.passphrase_hash = "$argon2id$stand-in";
	id = store_request_add(db, &r);
	free(r.cert_id);
	CU_ASSERT_FATAL(id > 0);
	return id;
}

/*
 * Validation issues the Awaiting validation row itself and uses its code
 * in the same transaction; the same code (or row) a second time says so
 * and writes nothing.
 */
static void
test_validation_row_and_code(void)
{
	struct clientcert_order	 o;
	struct request		*before_row, *r;
	struct counts		 before;
	long long		 row = awaiting("fay@example.com");
	long long		 code = code_for(VCODE_VALIDATION, row,
				    "fay@example.com");
	char			*id = NULL, err[256];

	before_row = store_request_by_id(db, row);
	CU_ASSERT_PTR_NOT_NULL_FATAL(before_row);
	order_init(&o, "fay@example.com", KEY_EC256);
	o.first = "Fay";
	o.middle = "";
	o.last = "Gold";
	o.request_id = row;
	o.vcode_id = code;
	CU_ASSERT_EQUAL_FATAL(issue(&o, &id, err, sizeof(err)),
	    CLIENTCERT_OK);
	CU_ASSERT_STRING_EQUAL(id, before_row->cert_id);
	r = by_id(id);
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_EQUAL(r->id, row);
	CU_ASSERT_EQUAL(r->status, REQ_ISSUED);
	CU_ASSERT(r->person_id > 0);
	CU_ASSERT_STRING_EQUAL(r->common_name, "Fay Gold");
	CU_ASSERT_STRING_EQUAL(r->sans, "fay@example.com");
	/* The passphrase set at enrollment stays when validation sends none. */
	CU_ASSERT_STRING_EQUAL(r->passphrase_hash, "$argon2id$stand-in");
	CU_ASSERT_EQUAL(store_p12_count(db, row), 2);
	CU_ASSERT_EQUAL(count("SELECT COUNT(*) FROM validation_code WHERE"
	    " used_at IS NOT NULL AND request_id IN (SELECT id FROM request"
	    " WHERE requester_email = 'fay@example.com')"), 1);
	store_request_free(r);
	free(id);

	/* The code again: used, and nothing more written. */
	counts_get(&before);
	CU_ASSERT_EQUAL(issue(&o, NULL, err, sizeof(err)),
	    CLIENTCERT_CODE_USED);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "already been used"));
	assert_unchanged(&before);
	/* A fresh code for a row already issued: refused the same way. */
	o.vcode_id = code_for(VCODE_VALIDATION, row, "fay@example.com");
	counts_get(&before);
	CU_ASSERT_EQUAL(issue(&o, NULL, err, sizeof(err)),
	    CLIENTCERT_CODE_USED);
	assert_unchanged(&before);
	store_request_free(before_row);
}

/*
 * A failure after the signature (the row to record on does not exist)
 * rolls back the used code and the new person: nothing remains.
 */
static void
test_failure_after_signing(void)
{
	struct clientcert_order	 o;
	struct counts		 before;
	long long		 code = code_for(VCODE_VALIDATION, 0,
				    "gil@example.com");
	char			 err[256];

	counts_get(&before);
	order_init(&o, "gil@example.com", KEY_EC256);
	o.request_id = 999999;
	o.vcode_id = code;
	CU_ASSERT_EQUAL(issue(&o, NULL, err, sizeof(err)),
	    CLIENTCERT_FAILED);
	CU_ASSERT_PTR_NULL(strstr(err, "999999"));
	assert_unchanged(&before);
	CU_ASSERT_EQUAL(count("SELECT COUNT(*) FROM person WHERE email ="
	    " 'gil@example.com'"), 0);
	/* The code is still good for a retry that works. */
	o.request_id = 0;
	CU_ASSERT_EQUAL(issue(&o, NULL, err, sizeof(err)), CLIENTCERT_OK);
	CU_ASSERT_EQUAL(count("SELECT COUNT(*) FROM validation_code WHERE"
	    " used_at IS NOT NULL AND email = 'gil@example.com'"), 1);
}

/* A user-CSR account: the certificate carries the CSR's key, no files are built. */
static void
test_user_csr(void)
{
	struct clientcert_order	 o;
	EVP_PKEY		*key = EVP_PKEY_Q_keygen(NULL, NULL, "EC",
				    "P-256");
	unsigned char		*der;
	size_t			 len;
	struct csr		*csr;
	struct request		*r;
	X509			*x;
	char			*id = NULL, err[256];
	unsigned char		*p12 = NULL;
	size_t			 p12len = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(key);
	der = fixture_csr(key, "Hal Ito", &len);
	csr = csr_parse(der, len, err, sizeof(err));
	free(der);
	CU_ASSERT_PTR_NOT_NULL_FATAL(csr);
	order_init(&o, "hal@example.com", KEY_NONE);
	o.account_id = csr_acc->id;
	o.csr = csr;
	o.password = NULL;
	o.first = "Hal";
	o.middle = "";
	o.last = "Ito";
	CU_ASSERT_EQUAL_FATAL(issue(&o, &id, err, sizeof(err)),
	    CLIENTCERT_OK);
	r = by_id(id);
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_EQUAL(clientcert_server_key(r), 0);
	CU_ASSERT_EQUAL(store_p12_count(db, r->id), 0);
	CU_ASSERT_EQUAL(r->key_type, KEY_EC256);
	x = cert_of(r);
	CU_ASSERT_FATAL(x != NULL);
	CU_ASSERT_EQUAL(EVP_PKEY_eq(X509_get0_pubkey(x), key), 1);
	CU_ASSERT(san_is_email(x, "hal@example.com"));
	CU_ASSERT_STRING_EQUAL(pickup, "");
	CU_ASSERT_EQUAL(clientcert_pickup(db, cust->id, id, "modern", pickup,
	    &p12, &p12len), PICKUP_EXPIRED);
	X509_free(x);
	store_request_free(r);
	free(id);
	csr_free(csr);
	EVP_PKEY_free(key);
}

/* A renewal revokes the certificate it renews as superseded. */
static void
test_renewal_supersedes(void)
{
	struct clientcert_order	 o;
	struct request		*old, *nw;
	char			*oldid = NULL, *newid = NULL;

	order_init(&o, "ida@example.com", KEY_EC256);
	CU_ASSERT_EQUAL_FATAL(issue(&o, &oldid, NULL, 0), CLIENTCERT_OK);
	old = by_id(oldid);
	CU_ASSERT_FATAL(old != NULL);
	o.renewal_of = old->id;
	CU_ASSERT_EQUAL_FATAL(issue(&o, &newid, NULL, 0), CLIENTCERT_OK);
	store_request_free(old);
	old = by_id(oldid);
	nw = by_id(newid);
	CU_ASSERT_FATAL(old != NULL && nw != NULL);
	CU_ASSERT_EQUAL(old->status, REQ_REVOKED);
	CU_ASSERT_EQUAL(old->revoke_reason, 4);	/* superseded */
	CU_ASSERT_EQUAL(nw->status, REQ_ISSUED);
	CU_ASSERT_EQUAL(nw->renewal_of, old->id);
	store_request_free(old);
	store_request_free(nw);
	free(oldid);
	free(newid);
}

/*
 * A renewal of a certificate revoked (or renewed) meanwhile is refused
 * and writes nothing; the superseded revocation and its audit row come
 * with the issuance.
 */
static void
test_renewal_of_revoked(void)
{
	struct clientcert_order	 o;
	struct counts		 before;
	struct request		*old;
	char			*oldid = NULL, *newid = NULL, err[256], q[256];

	order_init(&o, "ivy@example.com", KEY_EC256);
	CU_ASSERT_EQUAL_FATAL(issue(&o, &oldid, NULL, 0), CLIENTCERT_OK);
	old = by_id(oldid);
	CU_ASSERT_FATAL(old != NULL);
	o.renewal_of = old->id;
	CU_ASSERT_EQUAL_FATAL(issue(&o, &newid, NULL, 0), CLIENTCERT_OK);
	snprintf(q, sizeof(q), "SELECT COUNT(*) FROM audit WHERE action ="
	    " 'certificate.revoke' AND object = '%s'", oldid);
	CU_ASSERT_EQUAL(count(q), 1);
	/* The same renewal again (a second pending one validated). */
	counts_get(&before);
	CU_ASSERT_EQUAL(issue(&o, NULL, err, sizeof(err)), CLIENTCERT_REFUSED);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "revoked or renewed meanwhile"));
	assert_unchanged(&before);
	CU_ASSERT_EQUAL(count(q), 1);
	store_request_free(old);
	free(oldid);
	free(newid);
}

/*
 * Pick-ups answer for the hour only, for Issued certificates of the
 * customer, in the two encodings; maintain's purge removes them after.
 */
static void
test_pickup_expiry_and_purge(void)
{
	struct clientcert_order	 o;
	struct request		*r;
	unsigned char		*der = NULL;
	size_t			 len = 0;
	char			*id = NULL, q[256];
	long long		 now = store_now();

	order_init(&o, "joe@example.com", KEY_EC256);
	CU_ASSERT_EQUAL_FATAL(issue(&o, &id, NULL, 0), CLIENTCERT_OK);
	r = by_id(id);
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT(store_p12_until(db, r->id, now) >=
	    now + CLIENTCERT_PICKUP_SECONDS);
	CU_ASSERT(store_p12_until(db, r->id, now) <=
	    store_now() + CLIENTCERT_PICKUP_SECONDS);
	CU_ASSERT_EQUAL(strlen(pickup), 2 * CLIENTCERT_PICKUP_BYTES);
	CU_ASSERT_EQUAL(clientcert_pickup(db, cust->id, id, "rc2-40", pickup,
	    &der, &len), PICKUP_UNKNOWN);
	/* SCM's name for the compatible file finds it. */
	CU_ASSERT_EQUAL_FATAL(clientcert_pickup(db, cust->id, id, "legacy",
	    pickup, &der, &len), PICKUP_OK);
	OPENSSL_clear_free(der, len);
	der = NULL;
	CU_ASSERT_EQUAL(clientcert_pickup(db, cust->id, "NO-SUCH-ID",
	    "modern", pickup, &der, &len), PICKUP_UNKNOWN);
	CU_ASSERT_EQUAL(clientcert_pickup(db, cust->id + 1000, id, "modern",
	    pickup, &der, &len), PICKUP_UNKNOWN);
	CU_ASSERT_PTR_NULL(der);
	/* An hour later: expired, though the rows wait for the purge. */
	snprintf(q, sizeof(q), "UPDATE p12_pickup SET expires = %lld"
	    " WHERE request_id = %lld", now - 1, r->id);
	CU_ASSERT_FATAL(sql(q));
	CU_ASSERT_EQUAL(clientcert_pickup(db, cust->id, id, "modern", pickup,
	    &der, &len), PICKUP_EXPIRED);
	CU_ASSERT_EQUAL(store_p12_until(db, r->id, now), 0);
	CU_ASSERT_EQUAL(store_p12_count(db, r->id), 2);
	CU_ASSERT(store_maint_purge(db, MAINT_PURGE_P12, now, 0) >= 2);
	CU_ASSERT_EQUAL(store_p12_count(db, r->id), 0);
	CU_ASSERT_EQUAL(clientcert_pickup(db, cust->id, id, "compatible",
	    pickup, &der, &len), PICKUP_EXPIRED);
	store_request_free(r);
	free(id);
}

/*
 * The PKCS#12 files open only with their pick-up secret: the certificate
 * ID alone, no secret, another issuance's secret or a changed one are
 * refused, and only an HMAC of the secret is stored.
 */
static void
test_pickup_secret(void)
{
	struct clientcert_order	 o;
	struct request		*r;
	unsigned char		*der = NULL;
	size_t			 len = 0;
	char			*id = NULL, *other = NULL, mine[sizeof(pickup)];
	char			 q[512], c0;

	order_init(&o, "kim@example.com", KEY_EC256);
	CU_ASSERT_EQUAL_FATAL(issue(&o, &id, NULL, 0), CLIENTCERT_OK);
	memcpy(mine, pickup, sizeof(mine));
	CU_ASSERT_EQUAL(strlen(mine), 2 * CLIENTCERT_PICKUP_BYTES);
	CU_ASSERT_EQUAL_FATAL(issue(&o, &other, NULL, 0), CLIENTCERT_OK);
	CU_ASSERT_STRING_NOT_EQUAL(mine, pickup);
	CU_ASSERT_EQUAL(clientcert_pickup(db, cust->id, id, "modern", NULL,
	    &der, &len), PICKUP_DENIED);
	CU_ASSERT_EQUAL(clientcert_pickup(db, cust->id, id, "modern", "",
	    &der, &len), PICKUP_DENIED);
	CU_ASSERT_EQUAL(clientcert_pickup(db, cust->id, id, "modern", pickup,
	    &der, &len), PICKUP_DENIED);
	c0 = mine[0];
	mine[0] = c0 == '0' ? '1' : '0';
	CU_ASSERT_EQUAL(clientcert_pickup(db, cust->id, id, "modern", mine,
	    &der, &len), PICKUP_DENIED);
	mine[0] = c0;
	CU_ASSERT_PTR_NULL(der);
	CU_ASSERT_EQUAL_FATAL(clientcert_pickup(db, cust->id, id, "modern",
	    mine, &der, &len), PICKUP_OK);
	OPENSSL_clear_free(der, len);
	r = by_id(id);
	CU_ASSERT_FATAL(r != NULL);
	/* Both files keep a 64-digit HMAC, never the secret. */
	snprintf(q, sizeof(q), "SELECT COUNT(*) FROM p12_pickup WHERE"
	    " request_id = %lld AND length(token_hmac) = 64 AND"
	    " instr(token_hmac, '%s') = 0", r->id, mine);
	CU_ASSERT_EQUAL(count(q), 2);
	store_request_free(r);
	free(other);
	free(id);
}

/* P12.Iterations: the default, a configured value, and nonsense refused. */
static void
test_iterations(void)
{
	CU_ASSERT_EQUAL(config_p12_iterations(fixture.cfg), 10000);
	hdf_set_value(fixture.cfg->hdf, "P12.Iterations", "20000");
	CU_ASSERT_EQUAL(config_p12_iterations(fixture.cfg), 20000);
	hdf_set_value(fixture.cfg->hdf, "P12.Iterations", "1");
	CU_ASSERT_EQUAL(config_p12_iterations(fixture.cfg), 10000);
	hdf_remove_tree(fixture.cfg->hdf, "P12.Iterations");
}

static int
setup(void)
{
	struct profile	 p;
	struct account	 a;

	if (!fixture_instance("clientcert", 1) || !fixture_instance_open())
		return 0;
	db = fixture.db;
	cust = fixture.customer;
	org = store_org_by_name(db, cust->id, "Demo Org");
	dept = org ? store_dept_by_name(db, org->id, "IT") : NULL;
	prof = store_profile_by_name(db, cust->id,
	    "Client Authentication and Email");
	ssl_prof = store_profile_by_name(db, cust->id, "SSL Standard");
	ep = store_endpoint_find(db, cust->id, ENDPOINT_SMIME, "");
	acc = ep ? store_account_by_name(db, ep->id, "smime") : NULL;
	if (org == NULL || dept == NULL || prof == NULL || ssl_prof == NULL ||
	    acc == NULL)
		return 0;
	/* An EC-only profile on the demo account, and a user-CSR account. */
	memset(&p, 0, sizeof(p));
	p.customer_id = cust->id;
	p.name = "Client EC";
	p.type = CERT_SMIME;
	p.terms = "365";
	p.key_types = "ec256";
	p.ext_key_usage = "emailProtection";
	if (store_profile_add(db, &p) == 0 ||
	    (ec_only = store_profile_by_name(db, cust->id, "Client EC")) ==
	    NULL || !store_account_profile_add(db, acc->id, ec_only->id))
		return 0;
	memset(&a, 0, sizeof(a));
	a.endpoint_id = ep->id;
	a.name = "smime-csr";
	a.org_id = org->id;
	a.dept_id = dept->id;
	a.user_csr = 1;
	a.code = "demo-smime-csr-2026";
	if (store_account_add(db, &a) == 0 ||
	    (csr_acc = store_account_by_name(db, ep->id, "smime-csr")) ==
	    NULL || !store_account_profile_add(db, csr_acc->id, prof->id))
		return 0;
	return 1;
}

static void
teardown(void)
{
	store_account_free(acc);
	store_account_free(csr_acc);
	store_endpoint_free(ep);
	store_profile_free(prof);
	store_profile_free(ssl_prof);
	store_profile_free(ec_only);
	store_dept_free(dept);
	store_org_free(org);
	fixture_done();
}

static void
register_suites(void)
{
	CU_pSuite	 s;

	log_quiet(1);
	if (!setup()) {
		fprintf(stderr, "test_clientcert: cannot set up an instance\n");
		fixture_done();
		exit(1);
	}
	atexit(teardown);
	s = CU_add_suite("clientcert", NULL, NULL);
	UNIT_ADD(s, test_server_key_ec);
	UNIT_ADD(s, test_server_key_rsa);
	UNIT_ADD(s, test_person_once);
	UNIT_ADD(s, test_refusals_write_nothing);
	UNIT_ADD(s, test_long_middle_name);
	UNIT_ADD(s, test_common_name_from_person);
	UNIT_ADD(s, test_validation_row_and_code);
	UNIT_ADD(s, test_failure_after_signing);
	UNIT_ADD(s, test_user_csr);
	UNIT_ADD(s, test_renewal_supersedes);
	UNIT_ADD(s, test_pickup_expiry_and_purge);
	UNIT_ADD(s, test_pickup_secret);
	UNIT_ADD(s, test_renewal_of_revoked);
	UNIT_ADD(s, test_iterations);
}

UNIT_MAIN(register_suites)
