/* test_vcode: mailed single-use codes — format, typing, email binding, expiry, single use; their TTLs. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "config.h"
#include "db.h"
#include "store.h"
#include "vcode.h"
#include "fixture.h"
#include "unit.h"

#define DAY	(24L * 60 * 60)

static struct db	*db;

/* A migrated database with the server key loaded. */
static void
fx_setup(void)
{
	CU_ASSERT_FATAL(fixture_dir_new("vcode") != NULL);
	CU_ASSERT_FATAL((db = fixture_db()) != NULL);
}

static void
fx_teardown(void)
{
	fixture_done();
	db = NULL;
}

/* Runs one query on the fixture's database file and returns its first column as text (caller frees), or NULL. */
static char *
query_text(const char *sql)
{
	char		 path[4096];
	sqlite3		*h;
	sqlite3_stmt	*st;
	char		*out = NULL;

	fixture_path(path, sizeof(path), "certdesk.db");
	if (sqlite3_open(path, &h) != SQLITE_OK)
		return NULL;
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW &&
		    sqlite3_column_text(st, 0) != NULL)
			out = strdup((const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	sqlite3_close(h);
	return out;
}

/* A code is 32 Crockford digits and differs every time. */
static void
test_format(void)
{
	char	*a, *b;
	size_t	 i;

	a = vcode_make(db, VCODE_INVITATION, 0, 0, 0, "a@example.org", DAY);
	b = vcode_make(db, VCODE_INVITATION, 0, 0, 0, "a@example.org", DAY);
	CU_ASSERT_FATAL(a != NULL && b != NULL);
	CU_ASSERT_EQUAL(strlen(a), 32);
	for (i = 0; i < strlen(a); i++)
		CU_ASSERT_PTR_NOT_NULL(strchr("0123456789ABCDEFGHJKMNPQRSTVWXYZ",
		    a[i]));
	CU_ASSERT_NOT_EQUAL(strcmp(a, b), 0);
	free(a);
	free(b);
}

/* The database holds an HMAC of the code, never the code. */
static void
test_stored_as_hmac(void)
{
	char	*code, *dump, sql[256];

	code = vcode_make(db, VCODE_VALIDATION, 0, 0, 0, "b@example.org", DAY);
	CU_ASSERT_FATAL(code != NULL);
	dump = query_text("SELECT code_hmac || '|' || email || '|' || kind"
	    " FROM validation_code");
	CU_ASSERT_FATAL(dump != NULL);
	CU_ASSERT_EQUAL(strlen(dump), 64 + strlen("|b@example.org|validation"));
	CU_ASSERT_PTR_NULL(strstr(dump, code));
	free(dump);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM validation_code WHERE"
	    " code_hmac LIKE '%%%s%%' OR email LIKE '%%%s%%'", code, code);
	dump = query_text(sql);
	CU_ASSERT_STRING_EQUAL(dump, "0");
	free(dump);
	free(code);
}

/* The code is found as typed: lower case, dashes, spaces, I/L for 1, O for 0. */
static void
test_forgiving_typing(void)
{
	struct vcode	 v;
	char		*code, typed[128];
	size_t		 i, n = 0;

	code = vcode_make(db, VCODE_VALIDATION, 0, 0, 0, "c@example.org", DAY);
	CU_ASSERT_FATAL(code != NULL);
	CU_ASSERT_EQUAL(vcode_find(db, VCODE_VALIDATION, code, "c@example.org",
	    &v), VCODE_OK);
	vcode_free(&v);
	for (i = 0; code[i] != '\0'; i++) {
		if (i > 0 && i % 4 == 0)
			typed[n++] = (i % 8 == 0) ? ' ' : '-';
		if (code[i] == '1')
			typed[n++] = (i % 2) ? 'l' : 'I';
		else if (code[i] == '0')
			typed[n++] = 'o';
		else
			typed[n++] = (char)tolower((unsigned char)code[i]);
	}
	typed[n] = '\0';
	CU_ASSERT_EQUAL(vcode_find(db, VCODE_VALIDATION, typed,
	    "C@Example.ORG", &v), VCODE_OK);
	CU_ASSERT_STRING_EQUAL(v.email, "c@example.org");
	vcode_free(&v);
	free(code);
}

/* A letter outside the alphabet (U) makes the code unknown rather than guessed at. */
static void
test_foreign_letter(void)
{
	struct vcode	 v;
	char		*code;

	code = vcode_make(db, VCODE_VALIDATION, 0, 0, 0, "d@example.org", DAY);
	CU_ASSERT_FATAL(code != NULL);
	/* U is not a Crockford digit: no code contains it, none is found. */
	code[5] = 'U';
	CU_ASSERT_EQUAL(vcode_find(db, VCODE_VALIDATION, code,
	    "d@example.org", &v), VCODE_UNKNOWN);
	free(code);
}

/* The ids and the expiry come back; another email, kind or a changed digit is unknown. */
static void
test_binding(void)
{
	struct vcode	 v;
	char		*code, *other;
	long long	 before = store_now();

	code = vcode_make(db, VCODE_INVITATION, 0, 0, 0, "e@example.org",
	    30 * DAY);
	CU_ASSERT_FATAL(code != NULL);
	CU_ASSERT_EQUAL(vcode_find(db, VCODE_INVITATION, code,
	    "e@example.org", &v), VCODE_OK);
	CU_ASSERT_EQUAL(v.kind, VCODE_INVITATION);
	CU_ASSERT(v.expires >= before + 30 * DAY &&
	    v.expires <= store_now() + 30 * DAY);
	CU_ASSERT_EQUAL(v.used_at, 0);
	vcode_free(&v);
	CU_ASSERT_EQUAL(vcode_find(db, VCODE_INVITATION, code,
	    "f@example.org", &v), VCODE_UNKNOWN);
	CU_ASSERT_PTR_NULL(v.email);
	CU_ASSERT_EQUAL(vcode_find(db, VCODE_VALIDATION, code,
	    "e@example.org", &v), VCODE_UNKNOWN);
	other = strdup(code);
	other[0] = other[0] == 'A' ? 'B' : 'A';
	CU_ASSERT_EQUAL(vcode_find(db, VCODE_INVITATION, other,
	    "e@example.org", &v), VCODE_UNKNOWN);
	other[31] = '\0';
	CU_ASSERT_EQUAL(vcode_find(db, VCODE_INVITATION, other,
	    "e@example.org", &v), VCODE_UNKNOWN);
	CU_ASSERT_EQUAL(vcode_find(db, VCODE_INVITATION, "", "e@example.org",
	    &v), VCODE_UNKNOWN);
	free(other);
	free(code);
}

/* A code past its expiry says so. */
static void
test_expiry(void)
{
	struct vcode	 v;
	char		*code, now[32];

	snprintf(now, sizeof(now), "%lld", store_now());
	setenv("CERTDESK_NOW", now, 1);
	code = vcode_make(db, VCODE_VALIDATION, 0, 0, 0, "g@example.org", DAY);
	CU_ASSERT_FATAL(code != NULL);
	snprintf(now, sizeof(now), "%lld", store_now() + DAY - 1);
	setenv("CERTDESK_NOW", now, 1);
	CU_ASSERT_EQUAL(vcode_find(db, VCODE_VALIDATION, code,
	    "g@example.org", &v), VCODE_OK);
	vcode_free(&v);
	snprintf(now, sizeof(now), "%lld", store_now() + 1);
	setenv("CERTDESK_NOW", now, 1);
	CU_ASSERT_EQUAL(vcode_find(db, VCODE_VALIDATION, code,
	    "g@example.org", &v), VCODE_EXPIRED);
	vcode_free(&v);
	free(code);
}

/* A code is consumed once; the second consumer loses and the code reads as used. */
static void
test_single_use(void)
{
	struct vcode	 v;
	char		*code;
	long long	 id;

	code = vcode_make(db, VCODE_VALIDATION, 0, 0, 0, "h@example.org", DAY);
	CU_ASSERT_FATAL(code != NULL);
	CU_ASSERT_FATAL(vcode_find(db, VCODE_VALIDATION, code,
	    "h@example.org", &v) == VCODE_OK);
	id = v.id;
	vcode_free(&v);
	CU_ASSERT_EQUAL(vcode_consume(db, id), 1);
	CU_ASSERT_EQUAL(vcode_consume(db, id), 0);
	CU_ASSERT_EQUAL(vcode_find(db, VCODE_VALIDATION, code,
	    "h@example.org", &v), VCODE_USED);
	CU_ASSERT(v.used_at > 0);
	vcode_free(&v);
	free(code);
}

/*
 * A row read again by id answers as by code: bound to its address and
 * kind, and used once consumed; an unknown id is unknown.
 */
static void
test_by_id(void)
{
	struct vcode	 v;
	char		*code;
	long long	 id;

	code = vcode_make(db, VCODE_INVITATION, 0, 0, 0, "j@example.org", DAY);
	CU_ASSERT_FATAL(code != NULL);
	CU_ASSERT_FATAL(vcode_find(db, VCODE_INVITATION, code,
	    "j@example.org", &v) == VCODE_OK);
	id = v.id;
	vcode_free(&v);
	CU_ASSERT_EQUAL(vcode_by_id(db, VCODE_INVITATION, id, "J@Example.ORG",
	    &v), VCODE_OK);
	CU_ASSERT_EQUAL(v.id, id);
	vcode_free(&v);
	CU_ASSERT_EQUAL(vcode_by_id(db, VCODE_INVITATION, id,
	    "other@example.org", &v), VCODE_UNKNOWN);
	CU_ASSERT_EQUAL(vcode_by_id(db, VCODE_VALIDATION, id, "j@example.org",
	    &v), VCODE_UNKNOWN);
	CU_ASSERT_EQUAL(vcode_by_id(db, VCODE_INVITATION, id + 1000,
	    "j@example.org", &v), VCODE_UNKNOWN);
	CU_ASSERT_EQUAL(vcode_consume(db, id), 1);
	CU_ASSERT_EQUAL(vcode_by_id(db, VCODE_INVITATION, id, "j@example.org",
	    &v), VCODE_USED);
	vcode_free(&v);
	free(code);
}

/* A rolled-back transaction leaves no code behind. */
static void
test_rollback(void)
{
	struct vcode	 v;
	char		*code;

	CU_ASSERT_FATAL(db_begin(db));
	code = vcode_make(db, VCODE_INVITATION, 0, 0, 0, "i@example.org", DAY);
	CU_ASSERT_FATAL(code != NULL);
	CU_ASSERT_FATAL(db_rollback(db));
	CU_ASSERT_EQUAL(vcode_find(db, VCODE_INVITATION, code,
	    "i@example.org", &v), VCODE_UNKNOWN);
	free(code);
}

/* Writes text to name in the fixture directory and loads it as the configuration. */
static struct config *
config_with(const char *text)
{
	char	 path[4096];
	FILE	*f;

	fixture_path(path, sizeof(path), "test.hdf");
	if ((f = fopen(path, "w")) == NULL)
		return NULL;
	fputs(text, f);
	fclose(f);
	return config_load(path);
}

/* Codes.ValidationDays and Codes.InvitationDays: defaults, set values, bounds. */
static void
test_ttl_config(void)
{
	struct config	*c;

	CU_ASSERT_FATAL((c = config_with("BaseURL = x\n")) != NULL);
	CU_ASSERT_EQUAL(config_validation_ttl(c), 7 * DAY);
	CU_ASSERT_EQUAL(config_invitation_ttl(c), 30 * DAY);
	config_free(c);
	CU_ASSERT_FATAL((c = config_with("Codes.ValidationDays = 3\n"
	    "Codes.InvitationDays = 14\n")) != NULL);
	CU_ASSERT_EQUAL(config_validation_ttl(c), 3 * DAY);
	CU_ASSERT_EQUAL(config_invitation_ttl(c), 14 * DAY);
	config_free(c);
	CU_ASSERT_FATAL((c = config_with("Codes.ValidationDays = 0\n"
	    "Codes.InvitationDays = 100000\n")) != NULL);
	CU_ASSERT_EQUAL(config_validation_ttl(c), DAY);
	CU_ASSERT_EQUAL(config_invitation_ttl(c), 365 * DAY);
	config_free(c);
}

static void
register_tests(void)
{
	CU_pSuite	 s;

	s = CU_add_suite_with_setup_and_teardown("vcode", NULL, NULL,
	    fx_setup, fx_teardown);
	UNIT_ADD(s, test_format);
	UNIT_ADD(s, test_stored_as_hmac);
	UNIT_ADD(s, test_forgiving_typing);
	UNIT_ADD(s, test_foreign_letter);
	UNIT_ADD(s, test_binding);
	UNIT_ADD(s, test_expiry);
	UNIT_ADD(s, test_single_use);
	UNIT_ADD(s, test_by_id);
	UNIT_ADD(s, test_rollback);
	UNIT_ADD(s, test_ttl_config);
}

UNIT_MAIN(register_tests)
