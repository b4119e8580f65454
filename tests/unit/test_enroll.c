/*
 * test_enroll: the name and requester checks of the enrollment forms
 * (SPEC 4.1 step 4) over a fixed set of delegations.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

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

/* dev.example to org 1 for device certificates; example.com not. */
static const struct policy_delegation devdels[] = {
	{ "dev.example", 1, 0, CERT_DEVICE },
	{ "example.com", 1, 0, CERT_SSL },
};

/* Returns a parsed EC P-256 request for cn and an optional SAN; caller frees. */
static struct csr *
device_csr(const char *cn, const char *san)
{
	EVP_PKEY			*key;
	X509_REQ			*req;
	X509_EXTENSION			*ext;
	STACK_OF(X509_EXTENSION)	*exts;
	unsigned char			*der = NULL;
	struct csr			*c;
	char				 err[256];
	int				 len;

	CU_ASSERT_FATAL((key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")) !=
	    NULL);
	CU_ASSERT_FATAL((req = X509_REQ_new()) != NULL);
	CU_ASSERT_FATAL(X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(req),
	    "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0));
	if (san != NULL) {
		CU_ASSERT_FATAL((exts = sk_X509_EXTENSION_new_null()) != NULL);
		ext = X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name,
		    san);
		CU_ASSERT_FATAL(ext != NULL);
		sk_X509_EXTENSION_push(exts, ext);
		CU_ASSERT_FATAL(X509_REQ_add_extensions(req, exts));
		sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	}
	CU_ASSERT_FATAL(X509_REQ_set_pubkey(req, key));
	CU_ASSERT_FATAL(X509_REQ_sign(req, key, EVP_sha256()) > 0);
	CU_ASSERT_FATAL((len = i2d_X509_REQ(req, &der)) > 0);
	c = csr_parse(der, (size_t)len, err, sizeof(err));
	CU_ASSERT_FATAL(c != NULL);
	OPENSSL_free(der);
	X509_REQ_free(req);
	EVP_PKEY_free(key);
	return c;
}

/* Runs enroll_check_device with in; err and sans are the caller's. */
static int
device_check(const struct device_input *in, struct buf *sans, char *err,
    size_t errlen)
{
	struct policy_scope	 sc = { devdels, 2, 1, 0, NULL, NULL };

	err[0] = '\0';
	return enroll_check_device(&sc, in, sans, err, errlen);
}

/* The device form's checks, each failure with its own message. */
static void
test_device(void)
{
	struct profile		 prof, ssl, rsa;
	struct device_input	 in;
	struct buf		 b = { 0 };
	struct csr		*ok = device_csr("gw.dev.example",
				    "DNS:gw.dev.example"), *foreign;
	char			 err[512];

	memset(&prof, 0, sizeof(prof));
	prof.name = "Device";
	prof.type = CERT_DEVICE;
	prof.terms = "365";
	prof.key_types = "";
	ssl = prof;
	ssl.type = CERT_SSL;
	rsa = prof;
	rsa.key_types = "rsa2048";
	memset(&in, 0, sizeof(in));
	in.prof = &prof;
	in.term = 365;
	in.email = "ops@dev.example";
	in.csr = ok;
	CU_ASSERT_EQUAL(device_check(&in, &b, err, sizeof(err)), 1);
	CU_ASSERT_STRING_EQUAL((char *)b.data, "gw.dev.example");
	buf_free(&b);

	in.prof = &ssl;
	CU_ASSERT_EQUAL(device_check(&in, &b, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "profiles offered"));
	in.prof = &prof;
	in.term = 730;
	CU_ASSERT_EQUAL(device_check(&in, &b, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "term"));
	in.term = 365;
	in.email = "";
	CU_ASSERT_EQUAL(device_check(&in, &b, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "Enter your email"));
	in.email_invalid = 1;
	CU_ASSERT_EQUAL(device_check(&in, &b, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not valid"));
	in.email_invalid = 0;
	in.email = "ops@example.com";	/* delegated, but not for devices */
	CU_ASSERT_EQUAL(device_check(&in, &b, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not an email address"));
	in.email = "not an address";
	CU_ASSERT_EQUAL(device_check(&in, &b, err, sizeof(err)), 0);
	in.email = "ops@dev.example";
	in.csr = NULL;
	in.csr_err = "The CSR is not valid.";
	CU_ASSERT_EQUAL(device_check(&in, &b, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(err, "The CSR is not valid.");
	in.csr = ok;
	in.prof = &rsa;
	CU_ASSERT_EQUAL(device_check(&in, &b, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "EC P-256"));
	in.prof = &prof;
	foreign = device_csr("gw.example.com", NULL);
	in.csr = foreign;
	CU_ASSERT_EQUAL(device_check(&in, &b, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "gw.example.com"));
	CU_ASSERT_PTR_NULL(b.data);
	csr_free(foreign);
	/* A second name needs a multi-domain profile. */
	foreign = device_csr("gw.dev.example", "DNS:b.dev.example");
	in.csr = foreign;
	CU_ASSERT_EQUAL(device_check(&in, &b, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "multi-domain"));
	prof.multi_domain = 1;
	CU_ASSERT_EQUAL(device_check(&in, &b, err, sizeof(err)), 1);
	CU_ASSERT_STRING_EQUAL((char *)b.data, "b.dev.example,gw.dev.example");
	buf_free(&b);
	csr_free(foreign);
	csr_free(ok);
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
	UNIT_ADD(s, test_device);
}

UNIT_MAIN(register_tests)
