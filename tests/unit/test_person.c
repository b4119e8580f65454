/* test_person: secret IDs and their lock, creation on first issuance, the field and domain rules, deletion. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "person.h"
#include "secret.h"
#include "store.h"
#include "fixture.h"
#include "unit.h"

static struct db	*db;
static long long	 cust, org, dept, org2;

/* A customer with two organisations, a department and example.com delegated for client certificates. */
static void
fx_setup(void)
{
	struct org	 o = { 0 };
	long long	 dom;

	CU_ASSERT_FATAL(fixture_dir_new("person") != NULL);
	CU_ASSERT_FATAL((db = fixture_db()) != NULL);
	CU_ASSERT_FATAL((cust = store_customer_add(db, "acme", "Acme")) > 0);
	o.customer_id = cust;
	o.name = "Eng";
	o.o = "Acme Eng";
	CU_ASSERT_FATAL((org = store_org_add(db, &o)) > 0);
	o.name = "Sales";
	CU_ASSERT_FATAL((org2 = store_org_add(db, &o)) > 0);
	CU_ASSERT_FATAL((dept = store_dept_add(db, org, "Web", 0)) > 0);
	CU_ASSERT_FATAL((dom = store_domain_add(db, cust, "example.com")) > 0);
	CU_ASSERT_FATAL(store_delegation_add(db, dom, org, 0, 0, 1, 0));
	CU_ASSERT_FATAL((dom = store_domain_add(db, cust, "web.example.org"))
	    > 0);
	CU_ASSERT_FATAL(store_delegation_add(db, dom, org, dept, 0, 1, 0));
	CU_ASSERT_FATAL((dom = store_domain_add(db, cust, "ssl.example.net"))
	    > 0);
	CU_ASSERT_FATAL(store_delegation_add(db, dom, org, 0, 1, 0, 0));
}

static void
fx_teardown(void)
{
	fixture_done();
	db = NULL;
}

/* Adds a person of org with email and (unless NULL) a secret ID; returns the id. */
static long long
add_person(long long in_org, const char *email, const char *secret)
{
	struct person	 p = { 0 };
	long long	 id;

	p.org_id = in_org;
	p.email = (char *)email;
	p.first_name = "Jane";
	p.last_name = "Doe";
	if (secret != NULL)
		CU_ASSERT_FATAL((p.secret_id_hash = secret_hash(secret)) !=
		    NULL);
	id = store_person_add(db, &p);
	free(p.secret_id_hash);
	CU_ASSERT_FATAL(id > 0);
	return id;
}

/* Returns the stored failure count of person id. */
static int
failures(long long id)
{
	struct person	*p = store_person_by_id(db, id);
	int		 n;

	CU_ASSERT_FATAL(p != NULL);
	n = p->secret_failures;
	store_person_free(p);
	return n;
}

/* The right secret ID finds the person (email in any case); a wrong one counts. */
static void
test_secret_ok_and_wrong(void)
{
	struct person	*p;
	long long	 id = add_person(org, "jane@example.com", "S3cret-ID");

	CU_ASSERT_EQUAL(person_secret_check(db, cust, "Jane@Example.COM",
	    "S3cret-ID", &p), PERSON_SECRET_OK);
	CU_ASSERT_FATAL(p != NULL);
	CU_ASSERT_EQUAL(p->id, id);
	store_person_free(p);
	CU_ASSERT_EQUAL(person_secret_check(db, cust, "jane@example.com",
	    "s3cret-id", &p), PERSON_SECRET_WRONG);
	CU_ASSERT_PTR_NULL(p);
	CU_ASSERT_EQUAL(person_secret_check(db, cust, "jane@example.com",
	    "", &p), PERSON_SECRET_WRONG);
	CU_ASSERT_EQUAL(failures(id), 1);
	/* A right answer clears the count before the lock. */
	CU_ASSERT_EQUAL(person_secret_check(db, cust, "jane@example.com",
	    "S3cret-ID", &p), PERSON_SECRET_OK);
	store_person_free(p);
	CU_ASSERT_EQUAL(failures(id), 0);
}

/* Unknown addresses, persons without a secret ID and other customers are wrong, and count nothing. */
static void
test_secret_unknown(void)
{
	struct person	*p;
	long long	 other, id = add_person(org, "nosecret@example.com",
	    NULL);

	CU_ASSERT_EQUAL(person_secret_check(db, cust, "nobody@example.com",
	    "x", &p), PERSON_SECRET_WRONG);
	CU_ASSERT_EQUAL(person_secret_check(db, cust, "nosecret@example.com",
	    "x", &p), PERSON_SECRET_WRONG);
	CU_ASSERT_EQUAL(failures(id), 0);
	CU_ASSERT_FATAL((other = store_customer_add(db, "other", "Other")) > 0);
	add_person(org, "jim@example.com", "jims-secret");
	CU_ASSERT_EQUAL(person_secret_check(db, other, "jim@example.com",
	    "jims-secret", &p), PERSON_SECRET_WRONG);
	CU_ASSERT_PTR_NULL(p);
}

/* The tenth failure locks; then even the right secret is refused until an unlock. */
static void
test_secret_lock(void)
{
	struct person	*p;
	long long	 id = add_person(org, "lock@example.com", "right-one");
	int		 i;

	for (i = 1; i < PERSON_SECRET_MAX_FAILURES; i++)
		CU_ASSERT_EQUAL(person_secret_check(db, cust,
		    "lock@example.com", "wrong", &p), PERSON_SECRET_WRONG);
	CU_ASSERT_EQUAL(failures(id), PERSON_SECRET_MAX_FAILURES - 1);
	CU_ASSERT_EQUAL(person_secret_check(db, cust, "lock@example.com",
	    "wrong", &p), PERSON_SECRET_LOCKED);
	CU_ASSERT_EQUAL(failures(id), PERSON_SECRET_MAX_FAILURES);
	CU_ASSERT_EQUAL(person_secret_check(db, cust, "lock@example.com",
	    "right-one", &p), PERSON_SECRET_LOCKED);
	CU_ASSERT_PTR_NULL(p);
	CU_ASSERT_EQUAL(person_secret_check(db, cust, "lock@example.com",
	    "wrong", &p), PERSON_SECRET_LOCKED);
	/* The count stops at the limit and lives in the database. */
	CU_ASSERT_EQUAL(failures(id), PERSON_SECRET_MAX_FAILURES);
	p = store_person_by_id(db, id);
	CU_ASSERT_FATAL(p != NULL);
	CU_ASSERT(person_locked(p));
	store_person_free(p);
	/* What `person unlock` does. */
	CU_ASSERT(store_person_secret_reset(db, id, INT_MAX));
	CU_ASSERT_EQUAL(failures(id), 0);
	CU_ASSERT_EQUAL(person_secret_check(db, cust, "lock@example.com",
	    "right-one", &p), PERSON_SECRET_OK);
	store_person_free(p);
}

/* A new secret ID replaces the old one and clears the failures. */
static void
test_secret_reset(void)
{
	struct person	*p;
	long long	 id = add_person(org, "reset@example.com", "old-secret");
	char		*h;

	CU_ASSERT_EQUAL(person_secret_check(db, cust, "reset@example.com",
	    "bad", &p), PERSON_SECRET_WRONG);
	CU_ASSERT_FATAL((h = secret_hash("new-secret")) != NULL);
	CU_ASSERT(store_person_set_secret(db, id, h));
	free(h);
	CU_ASSERT_EQUAL(failures(id), 0);
	CU_ASSERT_EQUAL(person_secret_check(db, cust, "reset@example.com",
	    "old-secret", &p), PERSON_SECRET_WRONG);
	CU_ASSERT_EQUAL(person_secret_check(db, cust, "reset@example.com",
	    "new-secret", &p), PERSON_SECRET_OK);
	store_person_free(p);
}

/* The same address in two organisations: the secret ID says which person enrolls. */
static void
test_secret_two_orgs(void)
{
	struct person	*p;
	long long	 a = add_person(org, "twin@example.com", "secret-a");
	long long	 b = add_person(org2, "twin@example.com", "secret-b");

	CU_ASSERT_EQUAL(person_secret_check(db, cust, "twin@example.com",
	    "secret-b", &p), PERSON_SECRET_OK);
	CU_ASSERT_FATAL(p != NULL);
	CU_ASSERT_EQUAL(p->id, b);
	store_person_free(p);
	CU_ASSERT_EQUAL(person_secret_check(db, cust, "twin@example.com",
	    "secret-a", &p), PERSON_SECRET_OK);
	CU_ASSERT_FATAL(p != NULL);
	CU_ASSERT_EQUAL(p->id, a);
	store_person_free(p);
}

/* person_get_or_add creates once (common name "First Last"), then finds. */
static void
test_get_or_add(void)
{
	struct person	*p, *q;

	p = person_get_or_add(db, org, dept, "New.User@Example.com", "New",
	    "M", "User");
	CU_ASSERT_FATAL(p != NULL);
	CU_ASSERT_STRING_EQUAL(p->email, "new.user@example.com");
	CU_ASSERT_STRING_EQUAL(p->common_name, "New User");
	CU_ASSERT_STRING_EQUAL(p->middle_name, "M");
	CU_ASSERT_EQUAL(p->dept_id, dept);
	CU_ASSERT_STRING_EQUAL(p->validation_type, "standard");
	CU_ASSERT_PTR_NULL(p->secret_id_hash);
	q = person_get_or_add(db, org, 0, "new.user@example.com", "Other",
	    "", "Name");
	CU_ASSERT_FATAL(q != NULL);
	CU_ASSERT_EQUAL(q->id, p->id);
	CU_ASSERT_STRING_EQUAL(q->first_name, "New");
	store_person_free(p);
	store_person_free(q);
}

/* Returns 1 if the person with one field changed passes person_fields_check. */
static int
fields_with(const char *field, const char *value, char *err, size_t len)
{
	struct person	 p = { 0 };

	p.first_name = "Jane";
	p.last_name = "Doe";
	p.email = "jane@example.com";
	if (strcmp(field, "first") == 0)
		p.first_name = (char *)value;
	else if (strcmp(field, "middle") == 0)
		p.middle_name = (char *)value;
	else if (strcmp(field, "last") == 0)
		p.last_name = (char *)value;
	else if (strcmp(field, "email") == 0)
		p.email = (char *)value;
	else if (strcmp(field, "alt") == 0)
		p.alt_emails = (char *)value;
	else if (strcmp(field, "vt") == 0)
		p.validation_type = (char *)value;
	else if (strcmp(field, "cn") == 0)
		p.common_name = (char *)value;
	else if (strcmp(field, "phone") == 0)
		p.phone = (char *)value;
	else if (strcmp(field, "country") == 0)
		p.country = (char *)value;
	else if (strcmp(field, "upn") == 0)
		p.principal_name = (char *)value;
	else if (strcmp(field, "eppn") == 0)
		p.eppn = (char *)value;
	err[0] = '\0';
	return person_fields_check(&p, err, len);
}

/* The guide's field rules. */
static void
test_fields(void)
{
	char	 err[256], long129[130];

	memset(long129, 'a', 129);
	long129[129] = '\0';
	CU_ASSERT(fields_with("middle", "Q. van-Der", err, sizeof(err)));
	CU_ASSERT(!fields_with("first", "", err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "first name is required"));
	CU_ASSERT(!fields_with("last", "O'Brien", err, sizeof(err)));
	CU_ASSERT(!fields_with("first", long129, err, sizeof(err)));
	CU_ASSERT(!fields_with("middle", "<b>", err, sizeof(err)));
	CU_ASSERT(!fields_with("email", "jane", err, sizeof(err)));
	CU_ASSERT(!fields_with("email", "a@b@example.com", err, sizeof(err)));
	CU_ASSERT(!fields_with("email", "jane+x@example.com", err,
	    sizeof(err)));
	CU_ASSERT(!fields_with("email", "jane..d@example.com", err,
	    sizeof(err)));
	CU_ASSERT(!fields_with("email", "jane@-bad-", err, sizeof(err)));
	CU_ASSERT(fields_with("alt", "a@example.com b@example.com", err,
	    sizeof(err)));
	CU_ASSERT(!fields_with("alt", "a@example.com,b@example.com", err,
	    sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "alternative"));
	CU_ASSERT(fields_with("vt", "high", err, sizeof(err)));
	CU_ASSERT(!fields_with("vt", "medium", err, sizeof(err)));
	CU_ASSERT(fields_with("cn", "Jane Doe", err, sizeof(err)));
	CU_ASSERT(!fields_with("cn", "Jane\nDoe", err, sizeof(err)));
	CU_ASSERT(fields_with("phone", "+380 48 700-00-01", err, sizeof(err)));
	CU_ASSERT(!fields_with("phone", "call me", err, sizeof(err)));
	CU_ASSERT(!fields_with("phone", "--", err, sizeof(err)));
	CU_ASSERT(fields_with("country", "UA", err, sizeof(err)));
	CU_ASSERT(!fields_with("country", "UKR", err, sizeof(err)));
	CU_ASSERT(fields_with("upn", "jane@example.com", err, sizeof(err)));
	CU_ASSERT(!fields_with("upn", "jane", err, sizeof(err)));
	CU_ASSERT(fields_with("eppn", "jd@univ.edu", err, sizeof(err)));
	CU_ASSERT(!fields_with("eppn", "jd", err, sizeof(err)));
}

/* Domains must be delegated for client certificates to the org or the department. */
static void
test_domains(void)
{
	struct person	 p = { 0 };
	char		 err[256];

	p.org_id = org;
	p.email = "jane@example.com";
	CU_ASSERT(person_domains_check(db, cust, &p, err, sizeof(err)));
	p.dept_id = dept;
	CU_ASSERT(person_domains_check(db, cust, &p, err, sizeof(err)));
	/* A department's delegation covers only that department. */
	p.email = "jane@web.example.org";
	CU_ASSERT(person_domains_check(db, cust, &p, err, sizeof(err)));
	p.dept_id = 0;
	CU_ASSERT(!person_domains_check(db, cust, &p, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "jane@web.example.org"));
	/* SSL only is not active for client certificates. */
	p.email = "jane@ssl.example.net";
	CU_ASSERT(!person_domains_check(db, cust, &p, err, sizeof(err)));
	p.email = "jane@example.com";
	p.alt_emails = "j@example.com jane@elsewhere.test";
	CU_ASSERT(!person_domains_check(db, cust, &p, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "jane@elsewhere.test"));
	p.org_id = org2;
	p.alt_emails = NULL;
	CU_ASSERT(!person_domains_check(db, cust, &p, err, sizeof(err)));
}

/* Editing keeps the secret; deleting keeps the person's requests, unlinked, and drops the codes. */
static void
test_update_delete(void)
{
	struct person	*p;
	long long	 id = add_person(org, "edit@example.com", "keep-me");

	p = store_person_by_id(db, id);
	CU_ASSERT_FATAL(p != NULL);
	free(p->last_name);
	p->last_name = strdup("Smith");
	free(p->email);
	p->email = strdup("Edit.Two@Example.com");
	CU_ASSERT(store_person_update(db, p));
	store_person_free(p);
	p = store_person_by_email(db, org, "edit.two@example.com");
	CU_ASSERT_FATAL(p != NULL);
	CU_ASSERT_STRING_EQUAL(p->last_name, "Smith");
	CU_ASSERT(secret_verify(p->secret_id_hash, "keep-me"));
	store_person_free(p);
	CU_ASSERT(store_person_delete(db, id));
	CU_ASSERT_PTR_NULL(store_person_by_id(db, id));
	CU_ASSERT(!store_person_delete(db, id));
}

static void
register_tests(void)
{
	CU_pSuite	 s;

	s = CU_add_suite_with_setup_and_teardown("person", NULL, NULL,
	    fx_setup, fx_teardown);
	UNIT_ADD(s, test_secret_ok_and_wrong);
	UNIT_ADD(s, test_secret_unknown);
	UNIT_ADD(s, test_secret_lock);
	UNIT_ADD(s, test_secret_reset);
	UNIT_ADD(s, test_secret_two_orgs);
	UNIT_ADD(s, test_get_or_add);
	UNIT_ADD(s, test_fields);
	UNIT_ADD(s, test_domains);
	UNIT_ADD(s, test_update_delete);
}

UNIT_MAIN(register_tests)
