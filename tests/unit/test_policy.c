/* test_policy: domain delegation, name syntax, terms and key rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "csr.h"
#include "log.h"
#include "policy.h"
#include "unit.h"

#define ORG_A	1
#define ORG_B	2
#define DEPT_A1	11
#define DEPT_A2	12

/*
 * Org A has example.com for SSL only, *.wild.test for SSL and S/MIME,
 * and its department A1 alone has dept.example.net for all types.
 * Org B has other.org for everything.
 */
static const struct policy_delegation dels[] = {
	{ "example.com", ORG_A, 0, CERT_SSL },
	{ "*.wild.test", ORG_A, 0, CERT_SSL | CERT_SMIME },
	{ "dept.example.net", ORG_A, DEPT_A1, CERT_ALL },
	{ "Other.ORG.", ORG_B, 0, CERT_ALL },
};
static const size_t ndels = sizeof(dels) / sizeof(dels[0]);

/* Shorthand: is name allowed for org A, no department, for SSL? */
static int
ssl_a(const char *name)
{
	return policy_name_allowed(dels, ndels, ORG_A, 0, CERT_SSL, name);
}

static void
test_delegated_and_foreign(void)
{
	CU_ASSERT_TRUE(ssl_a("example.com"));
	CU_ASSERT_TRUE(ssl_a("www.example.com"));
	CU_ASSERT_TRUE(ssl_a("a.b.example.com"));
	CU_ASSERT_FALSE(ssl_a("example.org"));
	CU_ASSERT_FALSE(ssl_a("other.org"));
	CU_ASSERT_FALSE(ssl_a("com"));
	/* Another org's domain is not ours, and ours is not theirs. */
	CU_ASSERT_TRUE(policy_name_allowed(dels, ndels, ORG_B, 0, CERT_SSL,
	    "www.other.org"));
	CU_ASSERT_FALSE(policy_name_allowed(dels, ndels, ORG_B, 0, CERT_SSL,
	    "www.example.com"));
	CU_ASSERT_FALSE(policy_name_allowed(NULL, 0, ORG_A, 0, CERT_SSL,
	    "example.com"));
	CU_ASSERT_FALSE(ssl_a(NULL));
}

static void
test_lookalikes(void)
{
	CU_ASSERT_FALSE(ssl_a("badexample.com"));
	CU_ASSERT_FALSE(ssl_a("www.badexample.com"));
	CU_ASSERT_FALSE(ssl_a("example.com.evil.org"));
	CU_ASSERT_FALSE(ssl_a("example.comm"));
	CU_ASSERT_FALSE(ssl_a("xample.com"));
	CU_ASSERT_FALSE(ssl_a("example-com"));
	CU_ASSERT_FALSE(ssl_a("www.example.com.."));
	CU_ASSERT_FALSE(ssl_a(".example.com"));
	CU_ASSERT_FALSE(ssl_a("www..example.com"));
	CU_ASSERT_FALSE(ssl_a("www.example.com\n"));
	CU_ASSERT_FALSE(ssl_a("www example.com"));
	CU_ASSERT_FALSE(ssl_a("www.ex\xc3\xa4mple.com"));
	CU_ASSERT_FALSE(ssl_a(""));
}

static void
test_case_and_trailing_dot(void)
{
	CU_ASSERT_TRUE(ssl_a("WWW.Example.COM"));
	CU_ASSERT_TRUE(ssl_a("www.example.com."));
	CU_ASSERT_TRUE(ssl_a("EXAMPLE.COM."));
	/* The delegation itself is stored as "Other.ORG.". */
	CU_ASSERT_TRUE(policy_name_allowed(dels, ndels, ORG_B, 0, CERT_SSL,
	    "other.org"));
	CU_ASSERT_TRUE(policy_name_allowed(dels, ndels, ORG_B, 0, CERT_SSL,
	    "mail.OTHER.org."));
}

static void
test_wildcards(void)
{
	/* A wildcard request under a plain delegation. */
	CU_ASSERT_TRUE(ssl_a("*.example.com"));
	CU_ASSERT_TRUE(ssl_a("*.b.example.com"));
	CU_ASSERT_FALSE(ssl_a("*.badexample.com"));

	/* "*.wild.test": one label below, and the wildcard itself. */
	CU_ASSERT_TRUE(ssl_a("www.wild.test"));
	CU_ASSERT_TRUE(ssl_a("*.wild.test"));
	CU_ASSERT_TRUE(ssl_a("*.WILD.test."));
	CU_ASSERT_FALSE(ssl_a("wild.test"));
	CU_ASSERT_FALSE(ssl_a("a.b.wild.test"));
	CU_ASSERT_FALSE(ssl_a("*.a.wild.test"));
	CU_ASSERT_FALSE(ssl_a("xwild.test"));
	CU_ASSERT_FALSE(ssl_a("www.xwild.test"));

	/* Wildcards only as the whole leftmost label. */
	CU_ASSERT_FALSE(ssl_a("w*.example.com"));
	CU_ASSERT_FALSE(ssl_a("www.*.example.com"));
	CU_ASSERT_FALSE(ssl_a("*"));
	CU_ASSERT_FALSE(ssl_a("*.com"));
}

static void
test_per_type_enablement(void)
{
	/* example.com is enabled for SSL, not for S/MIME or devices. */
	CU_ASSERT_TRUE(policy_name_allowed(dels, ndels, ORG_A, 0, CERT_SSL,
	    "www.example.com"));
	CU_ASSERT_FALSE(policy_name_allowed(dels, ndels, ORG_A, 0,
	    CERT_SMIME, "www.example.com"));
	CU_ASSERT_FALSE(policy_name_allowed(dels, ndels, ORG_A, 0,
	    CERT_DEVICE, "www.example.com"));
	CU_ASSERT_FALSE(policy_email_allowed(dels, ndels, ORG_A, 0,
	    CERT_SMIME, "alice@example.com"));
	CU_ASSERT_TRUE(policy_email_allowed(dels, ndels, ORG_A, 0, CERT_SSL,
	    "alice@example.com"));
	/* *.wild.test is enabled for S/MIME too. */
	CU_ASSERT_TRUE(policy_email_allowed(dels, ndels, ORG_A, 0,
	    CERT_SMIME, "bob@mail.wild.test"));
	CU_ASSERT_FALSE(policy_email_allowed(dels, ndels, ORG_A, 0,
	    CERT_DEVICE, "bob@mail.wild.test"));
}

static void
test_department_scope(void)
{
	/* Org-wide delegations cover every department. */
	CU_ASSERT_TRUE(policy_name_allowed(dels, ndels, ORG_A, DEPT_A1,
	    CERT_SSL, "www.example.com"));
	CU_ASSERT_TRUE(policy_name_allowed(dels, ndels, ORG_A, DEPT_A2,
	    CERT_SSL, "www.example.com"));
	/* A department's delegation covers only that department. */
	CU_ASSERT_TRUE(policy_name_allowed(dels, ndels, ORG_A, DEPT_A1,
	    CERT_DEVICE, "host.dept.example.net"));
	CU_ASSERT_FALSE(policy_name_allowed(dels, ndels, ORG_A, DEPT_A2,
	    CERT_DEVICE, "host.dept.example.net"));
	/* An account without a department gets org-wide delegations only. */
	CU_ASSERT_FALSE(policy_name_allowed(dels, ndels, ORG_A, 0,
	    CERT_DEVICE, "host.dept.example.net"));
	/* The department id alone never crosses organisations. */
	CU_ASSERT_FALSE(policy_name_allowed(dels, ndels, ORG_B, DEPT_A1,
	    CERT_DEVICE, "host.dept.example.net"));
	CU_ASSERT_TRUE(policy_email_allowed(dels, ndels, ORG_A, DEPT_A1,
	    CERT_SMIME, "carol@dept.example.net"));
	CU_ASSERT_FALSE(policy_email_allowed(dels, ndels, ORG_A, DEPT_A2,
	    CERT_SMIME, "carol@dept.example.net"));
}

static void
test_email_syntax(void)
{
	CU_ASSERT_TRUE(policy_email_allowed(dels, ndels, ORG_B, 0, CERT_SMIME,
	    "first.last+tag@Other.org"));
	CU_ASSERT_FALSE(policy_email_allowed(dels, ndels, ORG_B, 0,
	    CERT_SMIME, "other.org"));
	CU_ASSERT_FALSE(policy_email_allowed(dels, ndels, ORG_B, 0,
	    CERT_SMIME, "@other.org"));
	CU_ASSERT_FALSE(policy_email_allowed(dels, ndels, ORG_B, 0,
	    CERT_SMIME, "a b@other.org"));
	CU_ASSERT_FALSE(policy_email_allowed(dels, ndels, ORG_B, 0,
	    CERT_SMIME, "a@*.other.org"));
	CU_ASSERT_FALSE(policy_email_allowed(dels, ndels, ORG_B, 0,
	    CERT_SMIME, "a@other.org.evil.com"));
	CU_ASSERT_FALSE(policy_email_allowed(dels, ndels, ORG_B, 0,
	    CERT_SMIME, "a@badother.org"));
	/* A second "@" is never part of an address we accept. */
	CU_ASSERT_FALSE(policy_email_allowed(dels, ndels, ORG_B, 0,
	    CERT_SMIME, "a@other.org@evil.com"));
	/*
	 * Local parts a mailer could read as more recipients or another
	 * address are refused, though the domain is right.
	 */
	{
		static const char *const smuggled[] = {
			"attacker@evil.example,x@other.org",
			"<a@evil.example>@other.org",
			"a;b@other.org", "a\"b@other.org", "(c)a@other.org",
			".a@other.org", "a.@other.org", "a..b@other.org",
			"a\tb@other.org", "caf\xc3\xa9@other.org",
		};
		size_t	 i;

		for (i = 0; i < sizeof(smuggled) / sizeof(smuggled[0]); i++)
			CU_ASSERT_FALSE(policy_email_allowed(dels, ndels, ORG_B,
			    0, CERT_SMIME, smuggled[i]));
	}
	CU_ASSERT_TRUE(policy_email_allowed(dels, ndels, ORG_B, 0, CERT_SMIME,
	    "o'brien_x-y=z!#$%&*/?^`{|}~@other.org"));
	CU_ASSERT_FALSE(policy_email_allowed(dels, ndels, ORG_B, 0,
	    CERT_SMIME, NULL));
}

static void
test_dnsname_syntax(void)
{
	char	 name[300];

	CU_ASSERT_TRUE(policy_valid_dnsname("example.com", 0));
	CU_ASSERT_TRUE(policy_valid_dnsname("a-b.c0.example.com.", 0));
	CU_ASSERT_TRUE(policy_valid_dnsname("xn--bcher-kva.example", 0));
	CU_ASSERT_TRUE(policy_valid_dnsname("localhost", 0));
	CU_ASSERT_TRUE(policy_valid_dnsname("*.example.com", 1));
	CU_ASSERT_FALSE(policy_valid_dnsname("*.example.com", 0));
	CU_ASSERT_FALSE(policy_valid_dnsname("*.com", 1));
	CU_ASSERT_FALSE(policy_valid_dnsname("*example.com", 1));
	CU_ASSERT_FALSE(policy_valid_dnsname("a.*.example.com", 1));
	CU_ASSERT_FALSE(policy_valid_dnsname("*.*.example.com", 1));
	CU_ASSERT_FALSE(policy_valid_dnsname("-a.example.com", 0));
	CU_ASSERT_FALSE(policy_valid_dnsname("a-.example.com", 0));
	CU_ASSERT_FALSE(policy_valid_dnsname("a_b.example.com", 0));
	CU_ASSERT_FALSE(policy_valid_dnsname("a..example.com", 0));
	CU_ASSERT_FALSE(policy_valid_dnsname(".example.com", 0));
	CU_ASSERT_FALSE(policy_valid_dnsname("example.com..", 0));
	CU_ASSERT_FALSE(policy_valid_dnsname("", 0));
	CU_ASSERT_FALSE(policy_valid_dnsname(".", 0));
	CU_ASSERT_FALSE(policy_valid_dnsname(NULL, 1));
	CU_ASSERT_FALSE(policy_valid_dnsname("192.0.2.1", 0));
	CU_ASSERT_FALSE(policy_valid_dnsname("exa mple.com", 0));

	/* Labels up to 63 characters, names up to 253. */
	memset(name, 'a', 63);
	strcpy(name + 63, ".example.com");
	CU_ASSERT_TRUE(policy_valid_dnsname(name, 0));
	memset(name, 'a', 64);
	strcpy(name + 64, ".example.com");
	CU_ASSERT_FALSE(policy_valid_dnsname(name, 0));
	/* 4 labels of 61 + 3 dots + "com" = 250; one more 'a' label = 252. */
	memset(name, 0, sizeof(name));
	memset(name, 'a', 61); name[61] = '.';
	memset(name + 62, 'b', 61); name[123] = '.';
	memset(name + 124, 'c', 61); name[185] = '.';
	memset(name + 186, 'd', 61); name[247] = '.';
	strcpy(name + 248, "com");
	CU_ASSERT_EQUAL(strlen(name), 251);
	CU_ASSERT_TRUE(policy_valid_dnsname(name, 0));
	strcpy(name + 248, "a.com");
	CU_ASSERT_EQUAL(strlen(name), 253);
	CU_ASSERT_TRUE(policy_valid_dnsname(name, 0));
	strcpy(name + 248, "ab.com");
	CU_ASSERT_FALSE(policy_valid_dnsname(name, 0));
	/* The trailing dot does not count toward the limit. */
	strcpy(name + 248, "a.com.");
	CU_ASSERT_TRUE(policy_valid_dnsname(name, 0));
}

static void
test_terms(void)
{
	CU_ASSERT_TRUE(policy_term_allowed("365,730", 365));
	CU_ASSERT_TRUE(policy_term_allowed("365,730", 730));
	CU_ASSERT_FALSE(policy_term_allowed("365,730", 1095));
	CU_ASSERT_FALSE(policy_term_allowed("365,730", 36));
	CU_ASSERT_FALSE(policy_term_allowed("365,730", 0));
	CU_ASSERT_FALSE(policy_term_allowed("365,730", -365));
	CU_ASSERT_TRUE(policy_term_allowed(" 90 , 365 ", 90));
	CU_ASSERT_TRUE(policy_term_allowed("1 year, 2 years", 730));
	CU_ASSERT_TRUE(policy_term_allowed("90 days,1 Year", 365));
	CU_ASSERT_FALSE(policy_term_allowed("1 year, 2 years", 1));
	/* A garbled list allows nothing. */
	CU_ASSERT_FALSE(policy_term_allowed("365,abc", 365));
	CU_ASSERT_FALSE(policy_term_allowed("365,", 365));
	CU_ASSERT_FALSE(policy_term_allowed("-365", 365));
	CU_ASSERT_FALSE(policy_term_allowed("99999999999999999999", 365));
	CU_ASSERT_FALSE(policy_term_allowed("", 365));
	CU_ASSERT_FALSE(policy_term_allowed(NULL, 365));
}

static void
test_keys(void)
{
	unsigned	 mask = key_types_parse("rsa2048,ec256");

	CU_ASSERT_TRUE(policy_key_allowed(mask, KEY_RSA2048));
	CU_ASSERT_TRUE(policy_key_allowed(mask, KEY_EC256));
	CU_ASSERT_FALSE(policy_key_allowed(mask, KEY_RSA4096));
	CU_ASSERT_FALSE(policy_key_allowed(mask, KEY_EC384));
	CU_ASSERT_FALSE(policy_key_allowed(mask, KEY_NONE));
	/* Even a mask with every bit set never admits a weak key. */
	CU_ASSERT_FALSE(policy_key_allowed(~0u, KEY_NONE));
	CU_ASSERT_TRUE(policy_key_allowed(KEY_ALL, KEY_RSA3072));
	CU_ASSERT_FALSE(policy_key_allowed(0, KEY_RSA2048));
}

static void
test_types(void)
{
	CU_ASSERT_EQUAL(policy_types_parse("ssl,smime"), CERT_SSL | CERT_SMIME);
	CU_ASSERT_EQUAL(policy_types_parse(" Device "), CERT_DEVICE);
	CU_ASSERT_EQUAL(policy_types_parse("ssl,email"), 0);
	CU_ASSERT_EQUAL(policy_types_parse(""), 0);
	CU_ASSERT_STRING_EQUAL(policy_type_name(CERT_SMIME), "smime");
}

static EVP_PKEY	*key;

static int
suite_init(void)
{
	log_quiet(1);
	key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	return key == NULL;
}

static int
suite_clean(void)
{
	EVP_PKEY_free(key);
	return 0;
}

/* Parses a fresh EC P-256 request with the given CN and SANs; caller frees. */
static struct csr *
server_csr(const char *cn, const char *san)
{
	X509_REQ			*req;
	X509_EXTENSION			*ext;
	STACK_OF(X509_EXTENSION)	*exts;
	struct csr			*c;
	char				 err[256];

	CU_ASSERT_FATAL((req = X509_REQ_new()) != NULL);
	if (cn != NULL)
		X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(req),
		    "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	if (san != NULL) {
		exts = sk_X509_EXTENSION_new_null();
		ext = X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name,
		    san);
		CU_ASSERT_FATAL(exts != NULL && ext != NULL);
		sk_X509_EXTENSION_push(exts, ext);
		CU_ASSERT_FATAL(X509_REQ_add_extensions(req, exts));
		sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	}
	CU_ASSERT_FATAL(X509_REQ_set_pubkey(req, key));
	CU_ASSERT_FATAL(X509_REQ_sign(req, key, EVP_sha256()) > 0);
	c = csr_from_req(req, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	return c;
}

/* Runs policy_check_server_names for org A/SSL and returns its verdict. */
static int
check_a(const char *cn, const char *san, int wild, char *err)
{
	struct csr	*c = server_csr(cn, san);
	int		 ok;

	err[0] = '\0';
	ok = policy_check_server_names(dels, ndels, ORG_A, 0, CERT_SSL, c,
	    wild, err, 256);
	csr_free(c);
	return ok;
}

static void
test_server_names(void)
{
	char	 err[256];

	CU_ASSERT_TRUE(check_a("www.example.com",
	    "DNS:www.example.com,DNS:a.wild.test", 0, err));
	CU_ASSERT_TRUE(check_a(NULL, "DNS:www.example.com", 0, err));
	CU_ASSERT_FALSE(check_a("www.example.com",
	    "DNS:www.example.com,DNS:www.evil.org", 0, err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "www.evil.org"));
	CU_ASSERT_FALSE(check_a("evil.org", NULL, 0, err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "Common Name"));
	CU_ASSERT_FALSE(check_a("*.example.com", NULL, 0, err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "wildcard"));
	CU_ASSERT_TRUE(check_a("*.example.com", NULL, 1, err));
	CU_ASSERT_FALSE(check_a("John Smith", NULL, 0, err));
	CU_ASSERT_FALSE(check_a("www.example.com", "IP:192.0.2.1", 0, err));
	CU_ASSERT_FALSE(check_a("www.example.com", "email:a@example.com", 0,
	    err));
	CU_ASSERT_FALSE(check_a(NULL, NULL, 0, err));
	/* One trailing dot is removed when the CSR is read; two fail. */
	CU_ASSERT_TRUE(check_a("www.example.com.", "DNS:www.example.com.", 0,
	    err));
	CU_ASSERT_FALSE(check_a("www.example.com..", NULL, 0, err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a valid host name"));
	CU_ASSERT_FALSE(check_a("www.example.com", "DNS:www.example.com..",
	    0, err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a valid host name"));
}

/*
 * One trailing dot comes off a host name and only then: a second dot
 * stays to fail the checks, and a person's name keeps its dot.
 */
static void
test_name_trim_dot(void)
{
	static const struct {
		const char	*in, *out;
	} cases[] = {
		{ "www.example.com.", "www.example.com" },
		{ "*.example.com.", "*.example.com" },
		{ "localhost.", "localhost" },
		{ "www.example.com", "www.example.com" },
		{ "www.example.com..", "www.example.com.." },
		{ "Smith Jr.", "Smith Jr." },
		{ "a@example.com.", "a@example.com." },
		{ ".", "." },
		{ "", "" },
	};
	char	 buf[64];
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(buf, sizeof(buf), "%s", cases[i].in);
		CU_ASSERT_STRING_EQUAL(policy_name_trim_dot(buf),
		    cases[i].out);
	}
	CU_ASSERT_PTR_NULL(policy_name_trim_dot(NULL));
}

/* Returns the RFC 2253 text of name (static buffer) for comparisons. */
static const char *
name_str(const X509_NAME *name)
{
	static char	 text[512];
	BIO		*bio = BIO_new(BIO_s_mem());
	int		 n;

	text[0] = '\0';
	if (bio != NULL && name != NULL &&
	    X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) >= 0 &&
	    (n = BIO_read(bio, text, sizeof(text) - 1)) > 0)
		text[n] = '\0';
	BIO_free(bio);
	return text;
}

/*
 * The subject is built by policy per type: CN and the organisation's
 * values; an SSL or device certificate never takes the CSR's mailbox,
 * serialNumber, UID, second CN or its own O/C; S/MIME keeps the checked
 * emailAddress.
 */
static void
test_subject(void)
{
	static const char *const fields[] = {
		"C", "XX", "O", "Evil Corp", "CN", "www.example.com",
		"emailAddress", "ceo@victim.org", "serialNumber", "42",
		"UID", "root", "CN", "www.victim.test", NULL,
	};
	X509_REQ	*req;
	X509_NAME	*n;
	struct csr	*c;
	char		 err[256];
	size_t		 i;

	CU_ASSERT_FATAL((req = X509_REQ_new()) != NULL);
	for (i = 0; fields[i] != NULL; i += 2)
		CU_ASSERT_FATAL(X509_NAME_add_entry_by_txt(
		    X509_REQ_get_subject_name(req), fields[i], MBSTRING_ASC,
		    (const unsigned char *)fields[i + 1], -1, -1, 0));
	CU_ASSERT_FATAL(X509_REQ_set_pubkey(req, key));
	CU_ASSERT_FATAL(X509_REQ_sign(req, key, EVP_sha256()) > 0);
	c = csr_from_req(req, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);

	n = policy_subject(CERT_SSL, c, "Acme Inc", "IT", "Springfield",
	    "Oregon", "US");
	CU_ASSERT_STRING_EQUAL(name_str(n), "CN=www.example.com,OU=IT,"
	    "O=Acme Inc,L=Springfield,ST=Oregon,C=US");
	X509_NAME_free(n);
	n = policy_subject(CERT_DEVICE, c, "Acme Inc", "", NULL, NULL, "US");
	CU_ASSERT_STRING_EQUAL(name_str(n), "CN=www.example.com,O=Acme Inc,"
	    "C=US");
	X509_NAME_free(n);
	n = policy_subject(CERT_SMIME, c, "Acme Inc", NULL, NULL, NULL, NULL);
	CU_ASSERT_STRING_EQUAL(name_str(n), "emailAddress=ceo@victim.org,"
	    "CN=www.example.com,O=Acme Inc");
	X509_NAME_free(n);
	/* Nothing from the organisation: the CN alone, none of the CSR's O/C. */
	n = policy_subject(CERT_SSL, c, NULL, NULL, NULL, NULL, NULL);
	CU_ASSERT_STRING_EQUAL(name_str(n), "CN=www.example.com");
	X509_NAME_free(n);
	/* A bad country from the configuration is an error, not a drop. */
	CU_ASSERT_PTR_NULL(policy_subject(CERT_SSL, c, "Acme", NULL, NULL,
	    NULL, "USA"));
	csr_free(c);
}

/* A one-time challenge's pattern matches every name whole, never a part. */
static void
test_challenge_pattern(void)
{
	struct csr	*c = server_csr("host.example.com", NULL);
	struct csr	*extra = server_csr("host.example.com",
	    "DNS:host.example.com,DNS:evil.org");

	CU_ASSERT(policy_challenge_matches(NULL, c));
	CU_ASSERT(policy_challenge_matches("", c));
	CU_ASSERT(policy_challenge_matches("host\\.example\\.com", c));
	CU_ASSERT(policy_challenge_matches("HOST\\.example\\.com", c));
	CU_ASSERT(policy_challenge_matches("[a-z]+\\.example\\.com", c));
	/* Anchored: a match inside the name is not the name. */
	CU_ASSERT(!policy_challenge_matches("example", c));
	CU_ASSERT(!policy_challenge_matches("host", c));
	CU_ASSERT(!policy_challenge_matches("example\\.com", c));
	/* An alternation cannot escape the anchors either. */
	CU_ASSERT(!policy_challenge_matches("nothing|host", c));
	/* Every name must match: an extra SAN beside a matching CN fails. */
	CU_ASSERT(!policy_challenge_matches("host\\.example\\.com", extra));
	CU_ASSERT(policy_challenge_matches("host\\.example\\.com|evil\\.org",
	    extra));
	/* A pattern that does not compile grants nothing. */
	CU_ASSERT(!policy_challenge_matches("(", c));
	csr_free(c);
	csr_free(extra);
}

/* Runs policy_check_smime for org A and returns its verdict. */
static int
smime_a(const char *cn, const char *san, char *err)
{
	struct policy_scope	 sc = { dels, ndels, ORG_A, 0, NULL, NULL };
	struct csr		*c = server_csr(cn, san);
	int			 ok;

	err[0] = '\0';
	ok = policy_check_smime(&sc, c, err, 256);
	csr_free(c);
	return ok;
}

/* The S/MIME rule: every address and a host-like CN in the scope. */
static void
test_smime_names(void)
{
	char		 err[256];
	struct csr	*c;

	CU_ASSERT(smime_a("Alice Example", "email:alice@a.wild.test", err));
	CU_ASSERT(smime_a("alice@a.wild.test", "email:alice@a.wild.test",
	    err));
	/* An address in another organisation's domain is refused. */
	CU_ASSERT(!smime_a("Alice Example", "email:alice@a.wild.test,"
	    "email:alice@other.org", err));
	CU_ASSERT(strstr(err, "alice@other.org") != NULL);
	CU_ASSERT(!smime_a("Alice Example", "email:alice@other.org", err));
	/* A domain delegated for SSL only does not cover S/MIME. */
	CU_ASSERT(!smime_a("Alice Example", "email:alice@example.com", err));
	/* A host-name CN outside the scope is refused... */
	CU_ASSERT(!smime_a("www.example.com", "email:alice@a.wild.test",
	    err));
	CU_ASSERT(strstr(err, "host name") != NULL);
	/* ...and so is a CN that is a foreign address. */
	CU_ASSERT(!smime_a("bob@other.org", "email:alice@a.wild.test", err));
	/* A person's name with a dot is not a host name. */
	CU_ASSERT(smime_a("Smith Jr.", "email:alice@a.wild.test", err));
	/* Both a CN and an address are needed. */
	CU_ASSERT(!smime_a("Alice Example", NULL, err));
	CU_ASSERT(!smime_a(NULL, "email:alice@a.wild.test", err));
	c = server_csr("Alice", "email:alice@a.wild.test");
	CU_ASSERT_STRING_EQUAL(policy_smime_email(c), "alice@a.wild.test");
	csr_free(c);
}

/* The device rule: names in scope, distinct SANs, multi-domain profiles. */
static void
test_device_names(void)
{
	struct policy_scope	 sc = { dels, ndels, ORG_A, DEPT_A1, NULL,
	    NULL };
	struct buf		 sans = { 0 };
	struct csr		*c;
	char			 err[256];

	c = server_csr("a.dept.example.net", "DNS:A.dept.example.net");
	CU_ASSERT(policy_check_device(&sc, c, 0, 0, "p", &sans, err,
	    sizeof(err)));
	CU_ASSERT_STRING_EQUAL((char *)sans.data, "A.dept.example.net");
	csr_free(c);
	buf_free(&sans);

	c = server_csr("a.dept.example.net", "DNS:b.dept.example.net,"
	    "DNS:B.DEPT.example.net");
	CU_ASSERT(!policy_check_device(&sc, c, 0, 0, "single", &sans, err,
	    sizeof(err)));
	CU_ASSERT(strstr(err, "single") != NULL);
	buf_free(&sans);
	CU_ASSERT(policy_check_device(&sc, c, 0, 1, "multi", &sans, err,
	    sizeof(err)));
	CU_ASSERT_STRING_EQUAL((char *)sans.data,
	    "b.dept.example.net,a.dept.example.net");
	csr_free(c);
	buf_free(&sans);

	/* example.com is delegated for SSL only. */
	c = server_csr("www.example.com", NULL);
	CU_ASSERT(!policy_check_device(&sc, c, 0, 1, "p", &sans, err,
	    sizeof(err)));
	csr_free(c);
	buf_free(&sans);
}

/* A profile's key list limits the CSR's key; an empty list allows all. */
static void
test_check_key(void)
{
	struct csr	*c = server_csr("a.dept.example.net", NULL);
	char		 err[256];

	CU_ASSERT(policy_check_key("", "p", c, err, sizeof(err)));
	CU_ASSERT(policy_check_key("rsa3072,ec256", "p", c, err,
	    sizeof(err)));
	CU_ASSERT(!policy_check_key("rsa3072", "strict", c, err,
	    sizeof(err)));
	CU_ASSERT(strstr(err, "strict") != NULL);
	csr_free(c);
}

static void
register_tests(void)
{
	CU_pSuite	 s;

	if ((s = CU_add_suite("policy", suite_init, suite_clean)) == NULL)
		exit(2);
	UNIT_ADD(s, test_delegated_and_foreign);
	UNIT_ADD(s, test_lookalikes);
	UNIT_ADD(s, test_case_and_trailing_dot);
	UNIT_ADD(s, test_name_trim_dot);
	UNIT_ADD(s, test_subject);
	UNIT_ADD(s, test_wildcards);
	UNIT_ADD(s, test_per_type_enablement);
	UNIT_ADD(s, test_department_scope);
	UNIT_ADD(s, test_email_syntax);
	UNIT_ADD(s, test_dnsname_syntax);
	UNIT_ADD(s, test_terms);
	UNIT_ADD(s, test_keys);
	UNIT_ADD(s, test_types);
	UNIT_ADD(s, test_server_names);
	UNIT_ADD(s, test_challenge_pattern);
	UNIT_ADD(s, test_smime_names);
	UNIT_ADD(s, test_device_names);
	UNIT_ADD(s, test_check_key);
}

UNIT_MAIN(register_tests)
