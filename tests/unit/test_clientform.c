/*
 * test_clientform: the rules of the client certificate forms — what an
 * enrollment form must hold, the PKCS#12 password rule, the key types a
 * profile offers, and which account serves a person.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "clientform.h"
#include "db.h"
#include "fixture.h"
#include "secret.h"
#include "unit.h"

/* example.com to org 1 for S/MIME; ssl.example for SSL only. */
static const struct policy_delegation dels[] = {
	{ "example.com", 1, 0, CERT_SMIME },
	{ "ssl.example", 1, 0, CERT_SSL },
	{ "other.org", 2, 0, CERT_SMIME },
};
static const struct policy_scope scope = { dels, 3, 1, 0, NULL, NULL };

static struct profile prof = {
	.id = 1, .name = "Client", .type = CERT_SMIME, .terms = "365,730",
	.key_types = "rsa2048,ec256", .description = ""
};
static struct profile ssl_prof = {
	.id = 2, .name = "Server", .type = CERT_SSL, .terms = "365",
	.key_types = "", .description = ""
};

/* A complete, valid access-code form; tests change one field each. */
static struct clientform_input
good(void)
{
	struct clientform_input	 in;

	memset(&in, 0, sizeof(in));
	in.prof = &prof;
	in.term = 365;
	in.key_type = "ec256";
	in.names = 1;
	in.first = "Alice";
	in.middle = "";
	in.last = "Smith";
	in.email = "alice@example.com";
	in.passphrase = 1;
	in.pass = "correct-horse";
	in.pass2 = "correct-horse";
	in.eula = 1;
	return in;
}

/* Runs clientform_check on in; returns its result, the message in err. */
static int
check(const struct clientform_input *in, enum key_type *kt, char *err,
    size_t len)
{
	err[0] = '\0';
	return clientform_check(&scope, in, kt, err, len);
}

/* A valid form passes and names the key type chosen. */
static void
test_check_good(void)
{
	struct clientform_input	 in = good();
	enum key_type		 kt = KEY_NONE;
	char			 err[256];

	CU_ASSERT_EQUAL(check(&in, &kt, err, sizeof(err)), 1);
	CU_ASSERT_EQUAL(kt, KEY_EC256);
	in.key_type = "rsa2048";
	in.term = 730;
	CU_ASSERT_EQUAL(check(&in, &kt, err, sizeof(err)), 1);
	CU_ASSERT_EQUAL(kt, KEY_RSA2048);
	/* A secret-ID form has no names to check. */
	in.names = 0;
	in.first = in.last = "";
	CU_ASSERT_EQUAL(check(&in, &kt, err, sizeof(err)), 1);
}

/* Each wrong field is refused with its own message. */
static void
test_check_refusals(void)
{
	struct clientform_input	 in;
	enum key_type		 kt;
	char			 err[256];
	char			 first[41], last[26];

	in = good();
	in.last = "";
	CU_ASSERT_EQUAL(check(&in, &kt, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "first name and last name"));
	/* First and last together: 64 pass, 65 do not. */
	memset(first, 'A', 40);
	first[40] = '\0';
	memset(last, 'B', 24);
	last[24] = '\0';
	in = good();
	in.first = first;
	in.last = last;
	CU_ASSERT_EQUAL(check(&in, &kt, err, sizeof(err)), 1);
	last[24] = 'B';
	last[25] = '\0';
	CU_ASSERT_EQUAL(check(&in, &kt, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "at most 64"));
	in = good();
	in.email = "alice@ssl.example";
	CU_ASSERT_EQUAL(check(&in, &kt, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not an email address in a domain"));
	in.email = "alice@other.org";
	CU_ASSERT_EQUAL(check(&in, &kt, err, sizeof(err)), 0);
	in = good();
	in.prof = NULL;
	CU_ASSERT_EQUAL(check(&in, &kt, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "certificate profiles"));
	in.prof = &ssl_prof;
	CU_ASSERT_EQUAL(check(&in, &kt, err, sizeof(err)), 0);
	in = good();
	in.term = 90;
	CU_ASSERT_EQUAL(check(&in, &kt, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "terms"));
	in = good();
	in.key_type = "rsa4096";
	CU_ASSERT_EQUAL(check(&in, &kt, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "key types of the profile Client"));
	in.key_type = "rsa1024";
	CU_ASSERT_EQUAL(check(&in, &kt, err, sizeof(err)), 0);
	in = good();
	in.pass = in.pass2 = "short";
	CU_ASSERT_EQUAL(check(&in, &kt, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "passphrase must have"));
	in = good();
	in.pass2 = "correct-horsf";
	CU_ASSERT_EQUAL(check(&in, &kt, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "differ"));
	in = good();
	in.eula = 0;
	CU_ASSERT_EQUAL(check(&in, &kt, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "EULA"));
}

/* A user CSR must name the email, lie in the scope and have an allowed key. */
static void
test_check_csr(void)
{
	struct clientform_input	 in = good();
	EVP_PKEY		*key = EVP_EC_gen("P-256");
	X509_NAME		*name = X509_NAME_new();
	struct csr		*csr = NULL;
	unsigned char		*der = NULL;
	enum key_type		 kt = KEY_EC256;
	size_t			 len = 0;
	char			 err[256];

	CU_ASSERT_PTR_NOT_NULL_FATAL(key);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)"Alice Smith", -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "emailAddress", MBSTRING_ASC,
	    (const unsigned char *)"alice@example.com", -1, -1, 0);
	der = fixture_csr_name(key, name, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	csr = csr_parse(der, len, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(csr);
	in.user_csr = 1;
	in.csr = csr;
	CU_ASSERT_EQUAL(check(&in, &kt, err, sizeof(err)), 1);
	CU_ASSERT_EQUAL(kt, KEY_NONE);
	in.email = "bob@example.com";
	CU_ASSERT_EQUAL(check(&in, &kt, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "CSR's email address"));
	in = good();
	in.user_csr = 1;
	in.csr = NULL;
	in.csr_err = "Paste or upload the CSR.";
	CU_ASSERT_EQUAL(check(&in, &kt, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(err, "Paste or upload the CSR.");
	csr_free(csr);
	free(der);
	X509_NAME_free(name);
	EVP_PKEY_free(key);
}

/* The PKCS#12 password rule of SPEC 4.2. */
static void
test_password(void)
{
	char	 err[256], *hash;

	CU_ASSERT_EQUAL(clientform_check_password("pkcs12-pw", "pkcs12-pw",
	    "a@example.com", "passphrase", NULL, 0, err, sizeof(err)), 1);
	CU_ASSERT_EQUAL(clientform_check_password("pkcs12-pw", "pkcs12-px",
	    "a@example.com", NULL, NULL, 0, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "differ"));
	CU_ASSERT_EQUAL(clientform_check_password("1234567", "1234567",
	    "a@example.com", NULL, NULL, 0, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "at least 8"));
	CU_ASSERT_EQUAL(clientform_check_password("12345678", "12345678",
	    "a@example.com", NULL, NULL, 0, err, sizeof(err)), 1);
	CU_ASSERT_EQUAL(clientform_check_password("A@Example.com",
	    "A@Example.com", "a@example.com", NULL, NULL, 0, err,
	    sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "email"));
	CU_ASSERT_EQUAL(clientform_check_password("passphrase", "passphrase",
	    "a@example.com", "passphrase", NULL, 0, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "passphrase"));
	/* Empty only where the account allows it. */
	CU_ASSERT_EQUAL(clientform_check_password("", "", "a@example.com",
	    NULL, NULL, 0, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(clientform_check_password("", "", "a@example.com",
	    NULL, NULL, 1, err, sizeof(err)), 1);
	/* Against the stored hash when the passphrase is not known in clear. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(fixture_dir_new("clientform"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(fixture_db());
	hash = secret_hash("old-passphrase");
	CU_ASSERT_PTR_NOT_NULL_FATAL(hash);
	CU_ASSERT_EQUAL(clientform_check_password("old-passphrase",
	    "old-passphrase", "a@example.com", NULL, hash, 0, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(clientform_check_password("new-password",
	    "new-password", "a@example.com", NULL, hash, 0, err,
	    sizeof(err)), 1);
	free(hash);
	fixture_done();
}

/* A profile offers its key types in the forms' order; an empty list offers all. */
static void
test_key_types(void)
{
	struct profile	 p = prof;
	enum key_type	 kt[5];

	p.key_types = "ec256, rsa2048";
	CU_ASSERT_EQUAL(clientform_key_types(&p, kt), 2);
	CU_ASSERT_EQUAL(kt[0], KEY_RSA2048);
	CU_ASSERT_EQUAL(kt[1], KEY_EC256);
	p.key_types = "";
	CU_ASSERT_EQUAL(clientform_key_types(&p, kt), 5);
	CU_ASSERT_EQUAL(kt[4], KEY_EC384);
}

/* "First Middle Last", without doubled spaces for a missing middle name. */
static void
test_full_name(void)
{
	char	*n;

	n = clientform_full_name("Alice", "Q", "Smith");
	CU_ASSERT_STRING_EQUAL(n, "Alice Q Smith");
	free(n);
	n = clientform_full_name("Alice", "", "Smith");
	CU_ASSERT_STRING_EQUAL(n, "Alice Smith");
	free(n);
}

/* References read back what was written, and nothing else. */
static void
test_ref(void)
{
	struct clientform_code	 k, r;
	char			 out[128];

	memset(&k, 0, sizeof(k));
	k.kind = VCODE_VALIDATION;
	k.vcode_id = 7;
	k.request_id = 42;
	k.account_id = 3;
	clientform_ref_make(&k, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "v.7.42.3");
	CU_ASSERT_EQUAL(clientform_ref_parse(out, &r), 1);
	CU_ASSERT_EQUAL(r.kind, VCODE_VALIDATION);
	CU_ASSERT_EQUAL(r.request_id, 42);
	CU_ASSERT_EQUAL(clientform_ref_parse("i.7.9.3", &r), 1);
	CU_ASSERT_EQUAL(r.kind, VCODE_INVITATION);
	CU_ASSERT_EQUAL(r.person_id, 9);
	CU_ASSERT_EQUAL(r.request_id, 0);
	CU_ASSERT_EQUAL(clientform_ref_parse("v.7.42", &r), 0);
	CU_ASSERT_EQUAL(clientform_ref_parse("v.7.42.3.1", &r), 0);
	CU_ASSERT_EQUAL(clientform_ref_parse("v.7.0.3", &r), 0);
	CU_ASSERT_EQUAL(clientform_ref_parse("v.7.-4.3", &r), 0);
	CU_ASSERT_EQUAL(clientform_ref_parse("v.7. 4.3", &r), 0);
	CU_ASSERT_EQUAL(clientform_ref_parse("x.7.4.3", &r), 0);
	CU_ASSERT_EQUAL(clientform_ref_parse("v.99999999999999999999.4.3", &r), 0);
	CU_ASSERT_EQUAL(clientform_ref_parse("", &r), 0);
}

/* Adds an account named name of endpoint ep for org/dept; returns its id. */
static long long
account(struct db *db, long long ep, const char *name, long long org,
    long long dept)
{
	struct account	 a;

	memset(&a, 0, sizeof(a));
	a.endpoint_id = ep;
	a.name = (char *)name;
	a.org_id = org;
	a.dept_id = dept;
	a.code = (char *)name;
	return store_account_add(db, &a);
}

/* A person's department account wins; else the organisation's; never another's. */
static void
test_person_account(void)
{
	struct db	*db;
	struct org	 o;
	struct endpoint	 e;
	struct account	*a;
	long long	 cust, org1, org2, dept, ep, whole, it;

	CU_ASSERT_PTR_NOT_NULL_FATAL(fixture_dir_new("clientform"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(db = fixture_db());
	cust = store_customer_add(db, "demo", "Demo");
	memset(&o, 0, sizeof(o));
	o.customer_id = cust;
	o.name = "One";
	org1 = store_org_add(db, &o);
	o.name = "Two";
	org2 = store_org_add(db, &o);
	dept = store_dept_add(db, org1, "IT", 0);
	memset(&e, 0, sizeof(e));
	e.customer_id = cust;
	e.type = ENDPOINT_SMIME;
	e.name = "Client";
	e.ext = "";
	e.help = "";
	ep = store_endpoint_add(db, &e);
	CU_ASSERT_FATAL(org1 > 0 && org2 > 0 && dept > 0 && ep > 0);
	/* No account of the person's organisation: none. */
	CU_ASSERT_PTR_NULL(clientform_person_account(db, ep, org1, 0));
	account(db, ep, "other", org2, 0);
	CU_ASSERT_PTR_NULL(clientform_person_account(db, ep, org1, 0));
	it = account(db, ep, "it", org1, dept);
	/* A department's account serves only that department. */
	CU_ASSERT_PTR_NULL(clientform_person_account(db, ep, org1, 0));
	whole = account(db, ep, "whole", org1, 0);
	a = clientform_person_account(db, ep, org1, dept);
	CU_ASSERT_FATAL(a != NULL);
	CU_ASSERT_EQUAL(a->id, it);
	store_account_free(a);
	a = clientform_person_account(db, ep, org1, 0);
	CU_ASSERT_FATAL(a != NULL);
	CU_ASSERT_EQUAL(a->id, whole);
	store_account_free(a);
	fixture_done();
}

static void
register_suites(void)
{
	CU_pSuite	 s = CU_add_suite("clientform", NULL, NULL);

	UNIT_ADD(s, test_check_good);
	UNIT_ADD(s, test_check_refusals);
	UNIT_ADD(s, test_check_csr);
	UNIT_ADD(s, test_password);
	UNIT_ADD(s, test_key_types);
	UNIT_ADD(s, test_full_name);
	UNIT_ADD(s, test_ref);
	UNIT_ADD(s, test_person_account);
}

UNIT_MAIN(register_suites)
