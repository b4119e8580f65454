/* test_bulkcsv: the bulk SSL CSV — the guide's ten errors, each on its line, and the file rules. */
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "bulkcsv.h"
#include "unit.h"

/*
 * example.com delegated to organisation 1 for SSL; profiles "Standard"
 * (one name, 1 or 2 years, RSA only), "Multi" (SANs, 1 year) and
 * "Wild" (wildcards and SANs, 90 days).
 */
static const struct policy_delegation dels[] = {
	{ "example.com", 1, 0, CERT_SSL },
	{ "smime.example.org", 1, 0, CERT_SMIME },
};
static const struct policy_scope scope = { dels, 2, 1, 0, NULL, NULL };
static struct profile standard = { 1, 1, "Standard", CERT_SSL, "365,730",
    "rsa2048,rsa3072,rsa4096", "", "", 0, 0, "" };
static struct profile multi = { 2, 1, "Multi", CERT_SSL, "365", "", "", "",
    1, 0, "" };
static struct profile wild = { 3, 1, "Wild", CERT_SSL, "90", "", "", "", 1,
    1, "" };
static struct profile *const profiles[] = { &standard, &multi, &wild };
static const char *const software[] = { "OTHER", "Apache/ModSSL",
    "Microsoft IIS 7.x and later" };

/* Parses text with the rules above and key type kt. */
static struct bulkcsv *
run_kt(const char *text, size_t len, enum key_type kt)
{
	struct bulkcsv_rules	 ru = { profiles, 3, software, 3, &scope, kt };
	struct bulkcsv		*bc = bulkcsv_parse(text, len, &ru);

	CU_ASSERT_FATAL(bc != NULL);
	return bc;
}

static struct bulkcsv *
run(const char *text)
{
	return run_kt(text, strlen(text), KEY_RSA2048);
}

/* Returns error i of bc as the page shows it (static). */
static const char *
shown(const struct bulkcsv *bc, size_t i)
{
	static char	 out[800];

	bulkcsv_format(&bc->errors[i], out, sizeof(out));
	return out;
}

/*
 * Asserts that text fails with exactly one error, shown as want, of code,
 * and keeps its good lines (good of them).
 */
static void
fails(const char *text, enum bulkcsv_error code, const char *want,
    size_t good)
{
	struct bulkcsv	*bc = run(text);

	size_t		 i;

	CU_ASSERT_EQUAL(bc->nerrors, 1);
	for (i = 0; bc->nerrors != 1 && i < bc->nerrors; i++)
		fprintf(stderr, "\n  error: %s", shown(bc, i));
	if (bc->nerrors >= 1) {
		CU_ASSERT_EQUAL(bc->errors[0].code, code);
		if (strcmp(shown(bc, 0), want) != 0) {
			fprintf(stderr, "\n  got:  %s\n  want: %s\n",
			    shown(bc, 0), want);
			CU_FAIL("message");
		}
	}
	CU_ASSERT_EQUAL(bc->nrows, good);
	bulkcsv_free(bc);
}

#define GOOD1	"www.example.com, , Standard, 1 year, OTHER\n"
#define GOOD2	"mail.example.com, \"a.example.com, b.example.com\", Multi, " \
		"1 year, Apache/ModSSL\n"

/* The guide's two examples, with quoting, spaces, and the row's values. */
static void
test_guide_examples(void)
{
	struct bulkcsv	*bc = run(GOOD1 GOOD2
	    "*.example.com,\"x.example.com,y.example.com\",Wild,90 days,other\n");

	CU_ASSERT_EQUAL(bc->nerrors, 0);
	CU_ASSERT_FATAL(bc->nrows == 3);
	CU_ASSERT_EQUAL(bc->lines, 3);
	CU_ASSERT_EQUAL(bc->rows[0].line, 1);
	CU_ASSERT_STRING_EQUAL(bc->rows[0].cn, "www.example.com");
	CU_ASSERT_STRING_EQUAL(bc->rows[0].names, "www.example.com");
	CU_ASSERT_PTR_EQUAL(bc->rows[0].prof, &standard);
	CU_ASSERT_EQUAL(bc->rows[0].term_days, 365);
	CU_ASSERT_STRING_EQUAL(bc->rows[0].software, "OTHER");
	CU_ASSERT_STRING_EQUAL(bc->rows[1].names,
	    "mail.example.com,a.example.com,b.example.com");
	CU_ASSERT_STRING_EQUAL(bc->rows[1].software, "Apache/ModSSL");
	CU_ASSERT_STRING_EQUAL(bc->rows[2].cn, "*.example.com");
	CU_ASSERT_EQUAL(bc->rows[2].term_days, 90);
	/* The list's spelling, whatever the file's case. */
	CU_ASSERT_STRING_EQUAL(bc->rows[2].software, "OTHER");
	bulkcsv_free(bc);
}

/* A byte order mark, CRLF, blank lines and blank-only lines change nothing but line numbers. */
static void
test_bom_crlf_blank(void)
{
	struct bulkcsv	*bc = run("\xef\xbb\xbf" "www.example.com, , Standard, "
	    "2 years, OTHER\r\n\r\n   \r\n"
	    "  api.example.com ,\"\", Standard ,730, OTHER  \r\n"
	    "\n" "bad.example.com, , Nope, 1 year, OTHER\r\n");

	CU_ASSERT_FATAL(bc->nrows == 2);
	CU_ASSERT_EQUAL(bc->rows[0].line, 1);
	CU_ASSERT_EQUAL(bc->rows[0].term_days, 730);
	CU_ASSERT_EQUAL(bc->rows[1].line, 4);
	CU_ASSERT_STRING_EQUAL(bc->rows[1].cn, "api.example.com");
	CU_ASSERT_FATAL(bc->nerrors == 1);
	CU_ASSERT_STRING_EQUAL(shown(bc, 0), "Line 6 - field 'certType' "
	    "contains disallowed value: Nope");
	bulkcsv_free(bc);
}

/* Errors 1 to 4: each required field missing alone, on line 2. */
static void
test_required_fields(void)
{
	fails(GOOD1 ", , Standard, 1 year, OTHER\n" GOOD2, BULKCSV_NO_CN,
	    "Line 2 - Required field 'commonName' is not specified.", 2);
	fails(GOOD1 "x.example.com, , , 1 year, OTHER\n" GOOD2,
	    BULKCSV_NO_TYPE,
	    "Line 2 - Required field 'certType' is not specified.", 2);
	fails(GOOD1 "x.example.com, , Standard, , OTHER\n" GOOD2,
	    BULKCSV_NO_TERM,
	    "Line 2 - Required field 'certTerm' is not specified.", 2);
	fails(GOOD1 "x.example.com, , Standard, 1 year,\n" GOOD2,
	    BULKCSV_NO_SOFTWARE,
	    "Line 2 - Required field 'serverSoftware' is not specified", 2);
}

/* Error 5: SANs run together with blanks or semicolons. */
static void
test_san_delimiter(void)
{
	const char *want = "Line 2 - Please use commas only to delimit domain "
	    "alternative names (for example - domain_one.com, "
	    "domain_two.com, etc.)";

	fails(GOOD1 "x.example.com, \"a.example.com b.example.com\", Multi, "
	    "1 year, OTHER\n", BULKCSV_SAN_DELIMITER, want, 1);
	fails(GOOD1 "x.example.com, a.example.com;b.example.com, Multi, "
	    "1 year, OTHER\n", BULKCSV_SAN_DELIMITER, want, 1);
}

/* Errors 6, 7 and 8: a value not on offer. */
static void
test_disallowed_values(void)
{
	fails(GOOD1 "x.example.com, , EliteSSL Certificate, 1 year, OTHER\n",
	    BULKCSV_BAD_TYPE, "Line 2 - field 'certType' contains disallowed "
	    "value: EliteSSL Certificate", 1);
	fails(GOOD1 "x.example.com, , Standard, 3 years, OTHER\n",
	    BULKCSV_BAD_TERM, "Line 2 - field 'certTerm' contains disallowed "
	    "value: 3 years", 1);
	fails(GOOD1 "x.example.com, , Standard, forever, OTHER\n",
	    BULKCSV_BAD_TERM, "Line 2 - field 'certTerm' contains disallowed "
	    "value: forever", 1);
	fails(GOOD1 "x.example.com, , Standard, 1 year, Netscape 3\n",
	    BULKCSV_BAD_SOFTWARE, "Line 2 - field 'serverSoftware' contains "
	    "disallowed value: Netscape 3", 1);
}

/* Error 9: four or six fields (the SANs not quoted). */
static void
test_field_count(void)
{
	fails(GOOD1 "x.example.com, Standard, 1 year, OTHER\n",
	    BULKCSV_FIELD_COUNT, "Line 2 - Incorrect values - Actual fields "
	    "quantity: 4, expected fields quantity: 5", 1);
	fails(GOOD1 "x.example.com, a.example.com, b.example.com, Multi, "
	    "1 year, OTHER\n", BULKCSV_FIELD_COUNT, "Line 2 - Incorrect "
	    "values - Actual fields quantity: 6, expected fields quantity: 5",
	    1);
}

/* Error 10: SANs for a profile that is not multi-domain. */
static void
test_san_not_allowed(void)
{
	fails(GOOD1 "x.example.com, \"a.example.com, b.example.com\", "
	    "Standard, 1 year, OTHER\n", BULKCSV_SAN_NOT_ALLOWED,
	    "Line 2 - Field 'san' contains non-empty value: 'a.example.com, "
	    "b.example.com'. Subject alternative names are not allowed for "
	    "'Standard' certificate type.", 1);
}

/* The ten in one file: every one reported, each on its own line, in order. */
static void
test_all_ten_at_once(void)
{
	static const enum bulkcsv_error want[] = {
		BULKCSV_NO_CN, BULKCSV_NO_TYPE, BULKCSV_NO_TERM,
		BULKCSV_NO_SOFTWARE, BULKCSV_SAN_DELIMITER, BULKCSV_BAD_TYPE,
		BULKCSV_BAD_TERM, BULKCSV_BAD_SOFTWARE, BULKCSV_FIELD_COUNT,
		BULKCSV_SAN_NOT_ALLOWED,
	};
	struct bulkcsv	*bc = run(GOOD1
	    ", , Standard, 1 year, OTHER\n"				/* 2 */
	    "b.example.com, , , 1 year, OTHER\n"			/* 3 */
	    "c.example.com, , Standard, , OTHER\n"			/* 4 */
	    "d.example.com, , Standard, 1 year, \n"			/* 5 */
	    "\n"
	    "e.example.com, \"a.example.com b.example.com\", Multi, "
	    "1 year, OTHER\n"						/* 7 */
	    "f.example.com, , Elite, 1 year, OTHER\n"			/* 8 */
	    "g.example.com, , Multi, 2 years, OTHER\n"			/* 9 */
	    "h.example.com, , Multi, 1 year, Gopher\n"			/* 10 */
	    "i.example.com, Multi, 1 year, OTHER\n"			/* 11 */
	    "j.example.com, k.example.com, Standard, 1 year, OTHER\n"	/* 12 */
	    GOOD2);							/* 13 */
	static const size_t lines[] = { 2, 3, 4, 5, 7, 8, 9, 10, 11, 12 };
	size_t		 i;

	CU_ASSERT_FATAL(bc->nerrors == 10);
	for (i = 0; i < 10; i++) {
		CU_ASSERT_EQUAL(bc->errors[i].line, lines[i]);
		CU_ASSERT_EQUAL(bc->errors[i].code, want[i]);
	}
	CU_ASSERT_EQUAL(bc->nrows, 2);
	CU_ASSERT_EQUAL(bc->lines, 12);	/* records: line 6 is blank */
	bulkcsv_free(bc);
}

/* A line with several faults reports each of them. */
static void
test_one_line_many_errors(void)
{
	struct bulkcsv	*bc = run(", , , , \n");

	CU_ASSERT_FATAL(bc->nerrors == 4);
	CU_ASSERT_EQUAL(bc->errors[0].code, BULKCSV_NO_CN);
	CU_ASSERT_EQUAL(bc->errors[3].code, BULKCSV_NO_SOFTWARE);
	CU_ASSERT_EQUAL(bc->nrows, 0);
	bulkcsv_free(bc);
}

/* The /ssl rules per line: delegation, wildcard, CN length, key type, duplicates. */
static void
test_ssl_rules(void)
{
	char	 line[300];

	fails(GOOD1 "www.example.net, , Standard, 1 year, OTHER\n",
	    BULKCSV_RULE, "Line 2 - The Common Name \"www.example.net\" is not "
	    "in a domain delegated to your organization for SSL "
	    "certificates.", 1);
	fails(GOOD1 "x.example.com, \"a.example.com, mail.smime.example.org\""
	    ", Multi, 1 year, OTHER\n", BULKCSV_RULE, "Line 2 - The Subject "
	    "Alternative Name \"mail.smime.example.org\" is not in a domain "
	    "delegated to your organization for SSL certificates.", 1);
	fails(GOOD1 "*.example.com, , Standard, 1 year, OTHER\n", BULKCSV_RULE,
	    "Line 2 - The Common Name \"*.example.com\" is a wildcard, which "
	    "the selected certificate profile does not allow.", 1);
	snprintf(line, sizeof(line), GOOD1 "%.60s.example.com, , Standard, "
	    "1 year, OTHER\n", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	fails(line, BULKCSV_RULE, "Line 2 - The Common Name may have at most "
	    "64 characters.", 1);
	fails(GOOD1 GOOD2 "\"WWW.example.com\", , Multi, 1 year, OTHER\n",
	    BULKCSV_RULE, "Line 3 - The Common Name 'www.example.com' is "
	    "already on line 1.", 2);
	fails(GOOD1 "x.example.com, \"\", Standard, 1 year, OTHER\n"
	    "\"x.example.com\n\", , Standard, 1 year, OTHER\n", BULKCSV_RULE,
	    "Line 3 - A field holds a control character (a line break inside "
	    "quotes, a tab, a NUL).", 2);
	fails(GOOD1 "x.example.com, \"a.example.com, , Multi, 1 year, OTHER\n",
	    BULKCSV_RULE, "Line 2 - A quoted field is not closed.", 1);
}

/* EC keys only where every profile named allows them. */
static void
test_key_type(void)
{
	const char	*text = GOOD2 GOOD1;
	struct bulkcsv	*bc = run_kt(text, strlen(text), KEY_EC256);

	CU_ASSERT_FATAL(bc->nerrors == 1);
	CU_ASSERT_STRING_EQUAL(shown(bc, 0), "Line 2 - The key type EC P-256 "
	    "is not allowed for the certificate type 'Standard'.");
	bulkcsv_free(bc);
	bc = run_kt(GOOD2, strlen(GOOD2), KEY_EC256);
	CU_ASSERT_EQUAL(bc->nerrors, 0);
	CU_ASSERT_EQUAL(bc->nrows, 1);
	bulkcsv_free(bc);
}

/* Builds a file of n distinct good lines (caller frees). */
static char *
many(size_t n, size_t *len)
{
	struct buf	 b = { 0 };
	size_t		 i;

	for (i = 0; i < n; i++)
		CU_ASSERT_FATAL(buf_printf(&b, "host%zu.example.com, , Standard, "
		    "1 year, OTHER\n", i));
	*len = b.len;
	return buf_take(&b);
}

/* 10 000 lines pass; 10 001 lines, or more than 1 MiB, are refused whole. */
static void
test_limits(void)
{
	struct bulkcsv	*bc;
	char		*text, *big;
	size_t		 len;

	text = many(BULKCSV_MAX_LINES, &len);
	bc = run_kt(text, len, KEY_RSA2048);
	CU_ASSERT_EQUAL(bc->nerrors, 0);
	CU_ASSERT_EQUAL(bc->nrows, BULKCSV_MAX_LINES);
	bulkcsv_free(bc);
	free(text);

	text = many(BULKCSV_MAX_LINES + 1, &len);
	bc = run_kt(text, len, KEY_RSA2048);
	CU_ASSERT_FATAL(bc->nerrors == 1);
	CU_ASSERT_EQUAL(bc->errors[0].line, 0);
	CU_ASSERT_EQUAL(bc->errors[0].code, BULKCSV_FILE);
	CU_ASSERT_STRING_EQUAL(shown(bc, 0), "The CSV file has more than "
	    "10000 lines; split it into several requests.");
	bulkcsv_free(bc);
	free(text);

	CU_ASSERT_FATAL((big = malloc(BULKCSV_MAX_BYTES + 1)) != NULL);
	memset(big, '\n', BULKCSV_MAX_BYTES + 1);
	memcpy(big, GOOD1, strlen(GOOD1));
	bc = run_kt(big, BULKCSV_MAX_BYTES + 1, KEY_RSA2048);
	CU_ASSERT_FATAL(bc->nerrors == 1);
	CU_ASSERT_EQUAL(bc->errors[0].code, BULKCSV_FILE);
	CU_ASSERT_EQUAL(bc->nrows, 0);
	bulkcsv_free(bc);
	/* Exactly 1 MiB is still read. */
	bc = run_kt(big, BULKCSV_MAX_BYTES, KEY_RSA2048);
	CU_ASSERT_EQUAL(bc->nerrors, 0);
	CU_ASSERT_EQUAL(bc->nrows, 1);
	bulkcsv_free(bc);
	free(big);
}

/* An empty file, or blank lines only, is an error, not an empty request. */
static void
test_empty(void)
{
	fails("", BULKCSV_FILE, "The CSV file holds no certificates.", 0);
	fails("\xef\xbb\xbf\r\n\n  \n", BULKCSV_FILE,
	    "The CSV file holds no certificates.", 0);
}

/* Returns 1 when s is well-formed UTF-8 (glibc's iconv refuses anything else). */
static int
is_utf8(const char *s)
{
	iconv_t		 cd = iconv_open("UTF-8", "UTF-8");
	char		 out[8192], *in = (char *)s, *o = out;
	size_t		 inlen = strlen(s), outlen = sizeof(out), r;

	CU_ASSERT_FATAL(cd != (iconv_t)-1);
	r = iconv(cd, &in, &inlen, &o, &outlen);
	iconv_close(cd);
	return r != (size_t)-1 && inlen == 0;
}

/*
 * Bytes that are not UTF-8 are shown as U+FFFD, and a long value is cut
 * at 200 characters, never inside one: the page is UTF-8.
 */
static void
test_shown_utf8(void)
{
	struct bulkcsv	*bc;
	struct buf	 b = { 0 }, v = { 0 };
	const char	*m;
	int		 i;

	bc = run("a.example.com, , Bad\xff\xc3Type, 1 year, OTHER\n");
	CU_ASSERT_EQUAL_FATAL(bc->nerrors, 1);
	CU_ASSERT_STRING_EQUAL(bc->errors[0].msg, "field 'certType' contains "
	    "disallowed value: Bad\xef\xbf\xbd\xef\xbf\xbdType");
	bulkcsv_free(bc);
	/* An overlong '/' and a surrogate are not characters either. */
	bc = run("a.example.com, , x\xc0\xafy\xed\xa0\x80z, 1 year, OTHER\n");
	CU_ASSERT_EQUAL_FATAL(bc->nerrors, 1);
	CU_ASSERT(is_utf8(bc->errors[0].msg));
	CU_ASSERT_PTR_NULL(strstr(bc->errors[0].msg, "\xc0"));
	bulkcsv_free(bc);
	/* 300 two-byte characters: 200 of them are shown, whole. */
	for (i = 0; i < 300; i++)
		CU_ASSERT_FATAL(buf_puts(&v, "\xc3\xa9"));
	CU_ASSERT_FATAL(buf_printf(&b, "a.example.com, , Standard, 1 year, %s\n",
	    (const char *)v.data));
	bc = run((const char *)b.data);
	CU_ASSERT_EQUAL_FATAL(bc->nerrors, 1);
	m = strstr(bc->errors[0].msg, "value: ");
	CU_ASSERT_FATAL(m != NULL);
	CU_ASSERT_EQUAL(strlen(m + 7), 400);
	CU_ASSERT(is_utf8(bc->errors[0].msg));
	bulkcsv_free(bc);
	buf_free(&b);
	buf_free(&v);
	/* A rule's message quoting a bad name is UTF-8 too. */
	bc = run("w\xffw.example.com, , Standard, 1 year, OTHER\n");
	CU_ASSERT_FATAL(bc->nerrors >= 1);
	CU_ASSERT(is_utf8(bc->errors[0].msg));
	bulkcsv_free(bc);
}

/*
 * Growing the error list fails while this is set: this definition takes
 * the place of the C library's for the library linked into the test.
 */
static int	 fail_error_list;

void *
reallocarray(void *p, size_t n, size_t size)
{
	if (fail_error_list && size == sizeof(struct bulkcsv_problem))
		return NULL;
	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	return realloc(p, n * size);
}

/* An error that cannot be kept fails the parse: the file is never clean. */
static void
test_error_lost(void)
{
	struct bulkcsv_rules	 ru = { profiles, 3, software, 3, &scope,
	    KEY_RSA2048 };
	const char		*text = "a.example.com, , Standard, 1 year, "
	    "OTHER\nb.example.com, , Nonesuch, 1 year, OTHER\n";
	struct bulkcsv		*bc;

	fail_error_list = 1;
	bc = bulkcsv_parse(text, strlen(text), &ru);
	fail_error_list = 0;
	CU_ASSERT_PTR_NULL(bc);
	bulkcsv_free(bc);
	/* The same file with memory to spare: one error, one good line. */
	bc = run(text);
	CU_ASSERT_EQUAL(bc->nerrors, 1);
	CU_ASSERT_EQUAL(bc->nrows, 1);
	bulkcsv_free(bc);
}

static void
register_tests(void)
{
	CU_pSuite	 s;

	s = CU_add_suite("bulkcsv", NULL, NULL);
	if (s == NULL)
		exit(2);
	UNIT_ADD(s, test_guide_examples);
	UNIT_ADD(s, test_bom_crlf_blank);
	UNIT_ADD(s, test_required_fields);
	UNIT_ADD(s, test_san_delimiter);
	UNIT_ADD(s, test_disallowed_values);
	UNIT_ADD(s, test_field_count);
	UNIT_ADD(s, test_san_not_allowed);
	UNIT_ADD(s, test_all_ten_at_once);
	UNIT_ADD(s, test_one_line_many_errors);
	UNIT_ADD(s, test_ssl_rules);
	UNIT_ADD(s, test_key_type);
	UNIT_ADD(s, test_limits);
	UNIT_ADD(s, test_empty);
	UNIT_ADD(s, test_error_lost);
	UNIT_ADD(s, test_shown_utf8);
}

UNIT_MAIN(register_tests)
