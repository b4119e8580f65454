/*
 * test_enroll: the name and requester checks of the enrollment forms
 * (SPEC 4.1 step 4) over a fixed set of delegations.
 */
#include <string.h>

#include "enroll.h"
#include "unit.h"

/* example.com to org 1 for SSL; dept.example to org 1 / dept 7 only; smime.example for S/MIME only. */
static const struct policy_delegation dels[] = {
	{ "example.com", 1, 0, CERT_SSL | CERT_SMIME },
	{ "dept.example", 1, 7, CERT_SSL },
	{ "smime.example", 1, 0, CERT_SMIME },
	{ "other.org", 2, 0, CERT_SSL },
};
#define NDELS	(sizeof(dels) / sizeof(dels[0]))

static const struct policy_scope scope0 = { dels, NDELS, 1, 0, NULL, NULL };

/* Runs enroll_check_names for department dept and returns its result. */
static int
names_in(long long dept, int multi, int wild, const char *cn, const char *sans,
    struct buf *out, char *err, size_t errlen)
{
	struct policy_scope	 sc = { dels, NDELS, 1, dept, NULL, NULL };
	struct name_check	 nc = { &sc, multi, wild, cn, sans };

	err[0] = '\0';
	return enroll_check_names(&nc, out, err, errlen);
}

/* Runs enroll_check_names and returns its result; names and err are the caller's. */
static int
names(int multi, int wild, const char *cn, const char *sans, struct buf *out,
    char *err, size_t errlen)
{
	return names_in(0, multi, wild, cn, sans, out, err, errlen);
}

/* Accepted names come back CN first, lower case, deduplicated. */
static void
test_names_accepted(void)
{
	struct buf	 b = { 0 };
	char		 err[256];

	CU_ASSERT_EQUAL(names(0, 0, "www.example.com", "", &b, err,
	    sizeof(err)), 1);
	CU_ASSERT_STRING_EQUAL((char *)b.data, "www.example.com");
	buf_free(&b);
	CU_ASSERT_EQUAL(names(1, 0, "WWW.Example.com",
	    "api.example.com, www.example.com\n mail.example.com;api.example.com",
	    &b, err, sizeof(err)), 1);
	CU_ASSERT_STRING_EQUAL((char *)b.data,
	    "www.example.com,api.example.com,mail.example.com");
	buf_free(&b);
	CU_ASSERT_EQUAL(names(1, 1, "*.example.com", "example.com", &b, err,
	    sizeof(err)), 1);
	CU_ASSERT_STRING_EQUAL((char *)b.data, "*.example.com,example.com");
	buf_free(&b);
}

/*
 * One trailing dot is removed before the checks, so the certificate gets
 * "www.example.com" and a name given with and without its dot is listed
 * once; a second trailing dot is still an invalid name.
 */
static void
test_names_trailing_dot(void)
{
	struct buf	 b = { 0 };
	char		 err[256];

	CU_ASSERT_EQUAL(names(1, 1, "WWW.example.com.",
	    "www.example.com, api.example.com., *.example.com.", &b, err,
	    sizeof(err)), 1);
	CU_ASSERT_STRING_EQUAL(b.data != NULL ? (char *)b.data : "",
	    "www.example.com,api.example.com,*.example.com");
	buf_free(&b);
	CU_ASSERT_EQUAL(names(0, 0, "www.example.com..", "", &b, err,
	    sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a valid host name"));
	CU_ASSERT_PTR_NULL(b.data);
	CU_ASSERT_EQUAL(names(1, 0, "www.example.com", "api.example.com..",
	    &b, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "api.example.com.."));
	CU_ASSERT_PTR_NULL(b.data);
}

/* Each rule refuses with its own message and leaves no names behind. */
static void
test_names_refused(void)
{
	struct buf	 b = { 0 };
	char		 err[256];

	CU_ASSERT_EQUAL(names(1, 1, "", "", &b, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "Enter the Common Name"));
	CU_ASSERT_EQUAL(names(1, 1, "a1234567890123456789012345678901234567890"
	    "12345678901234567890.example.com", "", &b, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "at most 64"));
	CU_ASSERT_EQUAL(names(1, 1, "www.other.org", "", &b, err,
	    sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not in a domain delegated"));
	CU_ASSERT_EQUAL(names(1, 1, "www.smime.example", "", &b, err,
	    sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not in a domain delegated"));
	CU_ASSERT_EQUAL(names(1, 1, "www.example.com", "api.other.org", &b,
	    err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "Subject Alternative Name"));
	CU_ASSERT_PTR_NULL(b.data);
	CU_ASSERT_EQUAL(names(0, 1, "www.example.com", "api.example.com", &b,
	    err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "multi-domain"));
	CU_ASSERT_EQUAL(names(1, 0, "*.example.com", "", &b, err,
	    sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "wildcard"));
	CU_ASSERT_EQUAL(names(1, 0, "www.example.com", "*.example.com", &b,
	    err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "wildcard"));
	CU_ASSERT_EQUAL(names(1, 1, "bad_name.example.com", "", &b, err,
	    sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a valid host name"));
	CU_ASSERT_EQUAL(names(1, 1, "www.example.com", "10.0.0.1", &b, err,
	    sizeof(err)), 0);
	CU_ASSERT_PTR_NULL(b.data);
}

/* A department's delegation covers only that department. */
static void
test_names_department(void)
{
	struct buf	 b = { 0 };
	char		 err[256];

	CU_ASSERT_EQUAL(names_in(7, 0, 0, "www.dept.example", "", &b, err,
	    sizeof(err)), 1);
	buf_free(&b);
	CU_ASSERT_EQUAL(names_in(3, 0, 0, "www.dept.example", "", &b, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(names_in(7, 0, 0, "www.example.com", "", &b, err,
	    sizeof(err)), 1);
	buf_free(&b);
}

/* The SAN limit keeps a form from carrying hundreds of names. */
static void
test_names_limit(void)
{
	struct buf	 b = { 0 }, sans = { 0 };
	char		 err[256];
	int		 i;

	for (i = 0; i < CSR_MAX_SANS + 5; i++)
		buf_printf(&sans, "h%d.example.com,", i);
	CU_ASSERT_EQUAL(names(1, 0, "www.example.com", (char *)sans.data, &b,
	    err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "At most"));
	buf_free(&sans);
}

/* External requesters: well formed, delegated, normalised, limited. */
static void
test_emails(void)
{
	struct buf	 b = { 0 };
	char		 err[256];
	int		 i;

	CU_ASSERT_EQUAL(enroll_check_emails(&scope0, CERT_SSL, "",
	    &b, err, sizeof(err)), 1);
	CU_ASSERT_PTR_NULL(b.data);
	CU_ASSERT_EQUAL(enroll_check_emails(&scope0, CERT_SSL,
	    "a@example.com,b@www.example.com  c@example.com", &b, err,
	    sizeof(err)), 1);
	CU_ASSERT_STRING_EQUAL((char *)b.data,
	    "a@example.com, b@www.example.com, c@example.com");
	buf_free(&b);
	CU_ASSERT_EQUAL(enroll_check_emails(&scope0, CERT_SSL,
	    "a@example.com, eve@other.org", &b, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "eve@other.org"));
	CU_ASSERT_PTR_NULL(b.data);
	CU_ASSERT_EQUAL(enroll_check_emails(&scope0, CERT_SSL,
	    "not-an-address", &b, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(enroll_check_emails(&scope0, CERT_SSL,
	    "x@smime.example", &b, err, sizeof(err)), 0);
	for (i = 0; i <= ENROLL_MAX_REQUESTERS; i++)
		buf_printf(&b, "u%d@example.com ", i);
	{
		char *list = buf_take(&b);

		CU_ASSERT_EQUAL(enroll_check_emails(&scope0,
		    CERT_SSL, list, &b, err, sizeof(err)), 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "At most"));
		free(list);
	}
}

static void
register_tests(void)
{
	CU_pSuite	 s = CU_add_suite("enroll", NULL, NULL);

	UNIT_ADD(s, test_names_accepted);
	UNIT_ADD(s, test_names_refused);
	UNIT_ADD(s, test_names_trailing_dot);
	UNIT_ADD(s, test_names_department);
	UNIT_ADD(s, test_names_limit);
	UNIT_ADD(s, test_emails);
}

UNIT_MAIN(register_tests)
