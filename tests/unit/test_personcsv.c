/* test_personcsv: the end-user CSV — both layouts, and each failure rule reported on its line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "personcsv.h"
#include "store.h"
#include "fixture.h"
#include "unit.h"

static struct db	*db;
static long long	 cust, eng, sales, web;

/*
 * Customer acme: organisations Eng (department Web) and Sales (department
 * Field); example.com delegated to Eng for client certificates,
 * web.example.org to Eng/Web only, ssl.example.net to Eng for SSL only,
 * sales.example.net to Sales; jane@example.com already a person of Eng.
 */
static void
fx_setup(void)
{
	struct org	 o = { 0 };
	struct person	 p = { 0 };
	long long	 dom;

	CU_ASSERT_FATAL(fixture_dir_new("personcsv") != NULL);
	CU_ASSERT_FATAL((db = fixture_db()) != NULL);
	CU_ASSERT_FATAL((cust = store_customer_add(db, "acme", "Acme")) > 0);
	o.customer_id = cust;
	o.name = "Eng";
	o.o = "Acme Eng";
	CU_ASSERT_FATAL((eng = store_org_add(db, &o)) > 0);
	o.name = "Sales";
	CU_ASSERT_FATAL((sales = store_org_add(db, &o)) > 0);
	CU_ASSERT_FATAL((web = store_dept_add(db, eng, "Web", 0)) > 0);
	CU_ASSERT_FATAL(store_dept_add(db, sales, "Field", 0) > 0);
	CU_ASSERT_FATAL((dom = store_domain_add(db, cust, "example.com")) > 0);
	CU_ASSERT_FATAL(store_delegation_add(db, dom, eng, 0, 0, 1, 0));
	CU_ASSERT_FATAL((dom = store_domain_add(db, cust, "web.example.org"))
	    > 0);
	CU_ASSERT_FATAL(store_delegation_add(db, dom, eng, web, 0, 1, 0));
	CU_ASSERT_FATAL((dom = store_domain_add(db, cust, "ssl.example.net"))
	    > 0);
	CU_ASSERT_FATAL(store_delegation_add(db, dom, eng, 0, 1, 0, 0));
	CU_ASSERT_FATAL((dom = store_domain_add(db, cust,
	    "sales.example.net")) > 0);
	CU_ASSERT_FATAL(store_delegation_add(db, dom, sales, 0, 0, 1, 0));
	p.org_id = eng;
	p.email = "jane@example.com";
	p.first_name = "Jane";
	p.last_name = "Doe";
	CU_ASSERT_FATAL(store_person_add(db, &p) > 0);
}

static void
fx_teardown(void)
{
	fixture_done();
	db = NULL;
}

/* Parses and checks text (with --org only_org when not NULL). */
static struct personcsv *
run(const char *text, const char *only_org)
{
	struct personcsv	*pc = personcsv_parse(text, strlen(text));

	CU_ASSERT_FATAL(pc != NULL);
	CU_ASSERT(personcsv_check(pc, db, cust, only_org));
	return pc;
}

/*
 * Asserts that text fails with exactly one error, on line, whose message
 * contains want, and that no row of it passed (every file here has its
 * one bad line and, where said, good ones around it: good of them).
 */
static void
fails(const char *text, size_t line, const char *want, size_t good)
{
	struct personcsv	*pc = run(text, NULL);

	CU_ASSERT_EQUAL(pc->nerrors, 1);
	if (pc->nerrors >= 1) {
		CU_ASSERT_EQUAL(pc->errors[0].line, line);
		if (strstr(pc->errors[0].msg, want) == NULL) {
			fprintf(stderr, "\n  line %zu: %s (wanted '%s')\n",
			    pc->errors[0].line, pc->errors[0].msg, want);
			CU_FAIL("message");
		}
	}
	CU_ASSERT_EQUAL(personcsv_good(pc), good);
	personcsv_free(pc);
}

#define GOOD1	"Ann,,Lee,ann@example.com,,standard,Eng,,,,,,\n"
#define GOOD2	"Bob,,Ray,bob@example.com,,,Eng,,,,,,\n"

/* The guide's examples, in both layouts, with everything filled. */
static void
test_good_both_layouts(void)
{
	struct personcsv	*pc;
	struct personcsv_row	*r;

	pc = run("\xef\xbb\xbf" "First Name,Middle Name,Last Name,Email,Alt,VT,"
	    "Org,Dept,SID,Phone,C,EPPN,CN\n"
	    "First1,Middle1,Last1,User1-al@web.example.org,"
	    "User1-sec-al@example.com,Standard,Eng,Web,Secret1,380487000001,"
	    "ua,User@System.example,\"First1 Last1\"\r\n"
	    "\n"
	    "First2,,Last2,user2@example.com,,high,Eng,,Secret2,,,,\n"
	    "First3,,Last3,user3@example.com,,,Eng,,,,UA,"
	    "user3@example.com,u3@example.com,\n", NULL);
	CU_ASSERT_EQUAL(pc->nerrors, 0);
	CU_ASSERT_FATAL(pc->nrows == 3);
	CU_ASSERT_EQUAL(personcsv_good(pc), 3);
	r = &pc->rows[0];
	CU_ASSERT_EQUAL(r->line, 2);
	CU_ASSERT_STRING_EQUAL(r->first, "First1");
	CU_ASSERT_STRING_EQUAL(r->middle, "Middle1");
	CU_ASSERT_STRING_EQUAL(r->email, "User1-al@web.example.org");
	CU_ASSERT_STRING_EQUAL(r->alt_emails, "User1-sec-al@example.com");
	CU_ASSERT_STRING_EQUAL(r->validation_type, "standard");
	CU_ASSERT_STRING_EQUAL(r->secret_id, "Secret1");
	CU_ASSERT_STRING_EQUAL(r->phone, "380487000001");
	CU_ASSERT_STRING_EQUAL(r->country, "UA");
	CU_ASSERT_STRING_EQUAL(r->principal_name, "");
	CU_ASSERT_STRING_EQUAL(r->eppn, "User@System.example");
	CU_ASSERT_STRING_EQUAL(r->common_name, "First1 Last1");
	CU_ASSERT_EQUAL(r->org_id, eng);
	CU_ASSERT_EQUAL(r->dept_id, web);
	/* Line 3 is empty: the next record starts on line 4. */
	r = &pc->rows[1];
	CU_ASSERT_EQUAL(r->line, 4);
	CU_ASSERT_STRING_EQUAL(r->validation_type, "high");
	CU_ASSERT_STRING_EQUAL(r->common_name, "First2 Last2");
	CU_ASSERT_EQUAL(r->dept_id, 0);
	/* 14 fields: the principal name comes before the EPPN. */
	r = &pc->rows[2];
	CU_ASSERT_EQUAL(r->line, 5);
	CU_ASSERT_STRING_EQUAL(r->principal_name, "user3@example.com");
	CU_ASSERT_STRING_EQUAL(r->eppn, "u3@example.com");
	personcsv_free(pc);
}

/* Lines do not have the correct number of fields. */
static void
test_field_count(void)
{
	fails(GOOD1 "Jim,,Lu,jim@example.com,,,Eng,,,,\n" GOOD2, 2,
	    "11 fields, expected 13", 2);
	fails(GOOD1 GOOD2 "Jim,,Lu,jim@example.com,,,Eng,,,,,,,,\n", 3,
	    "15 fields", 2);
}

/* Any mandatory field is not completed (first, last, email, organisation). */
static void
test_mandatory(void)
{
	fails(GOOD1 ",,Lu,jim@example.com,,,Eng,,,,,,\n", 2,
	    "first name is required", 1);
	fails("Jim,,,jim@example.com,,,Eng,,,,,,\n" GOOD1, 1,
	    "last name is required", 1);
	fails(GOOD1 "Jim,,Lu,,,,Eng,,,,,,\n", 2,
	    "email address is required", 1);
	fails(GOOD1 "Jim,,Lu,jim@example.com,,,,,,,,,\n", 2,
	    "organisation is required", 1);
}

/* The organisation does not exist. */
static void
test_org_missing(void)
{
	fails(GOOD1 "Jim,,Lu,jim@example.com,,,Marketing,,,,,,\n", 2,
	    "organisation 'Marketing' does not exist", 1);
}

/* The department does not exist, or not for the organisation given. */
static void
test_dept(void)
{
	fails(GOOD1 "Jim,,Lu,jim@example.com,,,Eng,Nowhere,,,,,\n", 2,
	    "department 'Nowhere' does not exist", 1);
	fails(GOOD1 "Jim,,Lu,jim@example.com,,,Eng,Field,,,,,\n", 2,
	    "department 'Field' does not exist in the organisation 'Eng'", 1);
}

/* The primary email is not valid, or its domain cannot be determined. */
static void
test_primary_invalid(void)
{
	fails(GOOD1 "Jim,,Lu,jim.example.com,,,Eng,,,,,,\n", 2,
	    "email address 'jim.example.com' is not valid", 1);
	fails(GOOD1 "Jim,,Lu,jim@,,,Eng,,,,,,\n", 2, "is not valid", 1);
	fails(GOOD1 "Jim,,Lu,ji m@example.com,,,Eng,,,,,,\n", 2,
	    "is not valid", 1);
}

/* The primary email's domain is not delegated to the organisation, or not active (client certificates). */
static void
test_primary_not_delegated(void)
{
	fails(GOOD1 "Jim,,Lu,jim@sales.example.net,,,Eng,,,,,,\n", 2,
	    "'jim@sales.example.net' is not delegated to the organisation", 1);
	fails(GOOD1 "Jim,,Lu,jim@ssl.example.net,,,Eng,,,,,,\n", 2,
	    "not delegated to the organisation", 1);
}

/* The primary email's domain is not delegated to the department given. */
static void
test_primary_not_dept(void)
{
	fails(GOOD1 "Jim,,Lu,jim@web.example.org,,,Eng,,,,,,\n", 2,
	    "not delegated to the organisation", 1);
	/* example.com belongs to Eng: not to Sales nor its department. */
	fails(GOOD1 "Jim,,Lu,jim@example.com,,,Sales,Field,,,,,\n", 2,
	    "not delegated to the department", 1);
}

/* The alternative email is not valid. */
static void
test_alt_invalid(void)
{
	fails(GOOD1 "Jim,,Lu,jim@example.com,j@example.com x@,,Eng,,,,,,\n",
	    2, "alternative email address 'x@' is not valid", 1);
}

/* The alternative email's domain is not delegated to the organisation or the department. */
static void
test_alt_not_delegated(void)
{
	fails(GOOD1 "Jim,,Lu,jim@example.com,jim@sales.example.net,,Eng,,,"
	    ",,,\n", 2, "alternative email address 'jim@sales.example.net' "
	    "is not delegated to the organisation", 1);
	fails(GOOD1 "Jim,,Lu,jim@sales.example.net,jim@example.com,,Sales,"
	    "Field,,,,,\n", 2, "alternative email address 'jim@example.com' "
	    "is not delegated to the department", 1);
}

/* The character and length table, and the other field rules. */
static void
test_field_rules(void)
{
	char	 buf[1024];
	char	 long129[130];

	memset(long129, 'x', 129);
	long129[129] = '\0';
	fails(GOOD1 "J<i>m,,Lu,jim@example.com,,,Eng,,,,,,\n", 2,
	    "only letters", 1);
	snprintf(buf, sizeof(buf), GOOD1 "%s,,Lu,jim@example.com,,,Eng,,,,,,\n",
	    long129);
	fails(buf, 2, "longer than 128", 1);
	snprintf(buf, sizeof(buf), GOOD1 "Jim,,Lu,jim@example.com,,,%s,,,,,,\n",
	    long129);
	fails(buf, 2, "organisation is longer than 128", 1);
	snprintf(buf, sizeof(buf), GOOD1 "Jim,,Lu,jim@example.com,,,Eng,,%s,,,"
	    ",\n", long129);
	fails(buf, 2, "secret ID is longer than 128", 1);
	fails(GOOD1 "Jim,,Lu,jim@example.com,,medium,Eng,,,,,,\n", 2,
	    "standard or high", 1);
	fails(GOOD1 "Jim,,Lu,jim@example.com,,,Eng,,,,USA,,\n", 2,
	    "two-letter", 1);
	fails(GOOD1 "Jim,,Lu,jim@example.com,,,Eng,,,12ab,,,\n", 2,
	    "phone number", 1);
	fails(GOOD1 "Jim,,Lu,jim@example.com,,,Eng,,,,,nope,,Jim Lu\n", 2,
	    "principal name 'nope'", 1);
	fails(GOOD1 "Jim,,Lu,jim@example.com,,,Eng,,,,,\"a\nb\",\n", 2,
	    "control character", 1);
}

/* A person already there, and the same email twice in one file. */
static void
test_duplicates(void)
{
	fails(GOOD1 "Jane,,Doe,Jane@Example.com,,,Eng,,,,,,\n", 2,
	    "already exists in the organisation 'Eng'", 1);
	fails(GOOD1 "Ann,,Lee,ANN@example.com,,,Eng,,,,,,\n", 2,
	    "already on line 1", 1);
}

/* Several bad lines: each is reported with its line number, in order. */
static void
test_many_errors(void)
{
	struct personcsv	*pc;

	pc = run(GOOD1
	    "Jim,,Lu,jim@example.com,,,Nowhere,,,,,,\n"
	    "Kim,,Lu\n"
	    GOOD2
	    "Lin,,Lu,lin@sales.example.net,,,Eng,,,,,,\n", NULL);
	CU_ASSERT_FATAL(pc->nerrors == 3);
	CU_ASSERT_EQUAL(pc->errors[0].line, 2);
	CU_ASSERT_EQUAL(pc->errors[1].line, 3);
	CU_ASSERT_EQUAL(pc->errors[2].line, 5);
	CU_ASSERT_EQUAL(personcsv_good(pc), 2);
	CU_ASSERT(pc->rows[0].ok && pc->rows[0].line == 1);
	personcsv_free(pc);
}

/* --org fills an empty organisation and refuses any other. */
static void
test_only_org(void)
{
	struct personcsv	*pc;

	pc = run("Jim,,Lu,jim@example.com,,,,,,,,,\n"
	    "Kim,,Lu,kim@sales.example.net,,,Sales,,,,,,\n", "Eng");
	CU_ASSERT_FATAL(pc->nerrors == 1);
	CU_ASSERT_EQUAL(pc->errors[0].line, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(pc->errors[0].msg, "--org"));
	CU_ASSERT_EQUAL(pc->rows[0].org_id, eng);
	CU_ASSERT(pc->rows[0].ok);
	personcsv_free(pc);
}

/* A record with a quoted line break is reported on the line it starts; an open quote at the end is reported. */
static void
test_lines_and_quotes(void)
{
	static const char	 nul[] = "Jim,,Lu,jim@example.com,,,Eng,,a\0b,,,,\n";
	struct personcsv	*pc;

	fails(GOOD1 GOOD2 "Jim,,Lu,jim@example.com,\"\nx\",,Eng,,,,,,\n", 3,
	    "control character", 2);
	pc = run(GOOD1 "Jim,,Lu,\"jim@example.com,,,Eng,,,,,,\n", NULL);
	CU_ASSERT_FATAL(pc->nerrors == 1);
	CU_ASSERT_EQUAL(pc->errors[0].line, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(pc->errors[0].msg, "not closed"));
	personcsv_free(pc);
	pc = run("", NULL);
	CU_ASSERT_FATAL(pc->nerrors == 1);
	CU_ASSERT_EQUAL(pc->errors[0].line, 0);
	personcsv_free(pc);
	/* A NUL byte inside a field. */
	pc = personcsv_parse(nul, sizeof(nul) - 1);
	CU_ASSERT_FATAL(pc != NULL);
	CU_ASSERT_EQUAL(pc->nrows, 0);
	CU_ASSERT_EQUAL(pc->nerrors, 1);
	personcsv_free(pc);
}

static void
register_tests(void)
{
	CU_pSuite	 s;

	s = CU_add_suite_with_setup_and_teardown("personcsv", NULL, NULL,
	    fx_setup, fx_teardown);
	UNIT_ADD(s, test_good_both_layouts);
	UNIT_ADD(s, test_field_count);
	UNIT_ADD(s, test_mandatory);
	UNIT_ADD(s, test_org_missing);
	UNIT_ADD(s, test_dept);
	UNIT_ADD(s, test_primary_invalid);
	UNIT_ADD(s, test_primary_not_delegated);
	UNIT_ADD(s, test_primary_not_dept);
	UNIT_ADD(s, test_alt_invalid);
	UNIT_ADD(s, test_alt_not_delegated);
	UNIT_ADD(s, test_field_rules);
	UNIT_ADD(s, test_duplicates);
	UNIT_ADD(s, test_many_errors);
	UNIT_ADD(s, test_only_org);
	UNIT_ADD(s, test_lines_and_quotes);
}

UNIT_MAIN(register_tests)
