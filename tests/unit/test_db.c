/* test_db: opening, migrating and transactions of the SQLite database. */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "db.h"
#include "db_migrations.h"
#include "log.h"
#include "fixture.h"
#include "unit.h"

/* The migrations this program carries; the schema version it must reach. */
#define NMIGRATIONS	((int)(sizeof(db_migrations) / sizeof(db_migrations[0])))

/* Tables the rest of certdesk reads and writes through store. */
static const char *const core_tables[] = {
	"customer", "ca", "organization", "department", "domain",
	"delegation", "profile", "endpoint", "account", "account_profile",
	"person", "request", "escrow_key", "escrow_blob", "escrow_recipient",
	"validation_code", "p12_pickup", "bulk_request", "bulk_item",
	"scep_txn", "scep_challenge", "audit", "throttle",
};

static char	 dbpath[PATH_MAX + 16];

/* Creates a fresh private directory and names the database inside it. */
static void
fx_setup(void)
{
	CU_ASSERT_FATAL(fixture_dir_new("db") != NULL);
	fixture_path(dbpath, sizeof(dbpath), "certdesk.db");
}

/* Removes the directory and every file in it (the database and its WAL). */
static void
fx_teardown(void)
{
	fixture_done();
}

/* Returns a second, independent connection to the test database; caller closes. */
static sqlite3 *
raw_open(void)
{
	sqlite3	*c = NULL;

	CU_ASSERT_FATAL(sqlite3_open_v2(dbpath, &c, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) == SQLITE_OK);
	sqlite3_busy_timeout(c, 5000);
	return c;
}

/* Returns the first column of the first row of sql as an integer (-1: no row). */
static long long
raw_int(sqlite3 *c, const char *sql)
{
	sqlite3_stmt	*st = NULL;
	long long	 v = -1;

	CU_ASSERT_FATAL(sqlite3_prepare_v2(c, sql, -1, &st, NULL) ==
	    SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Returns 1 if the database behind c has a table called name. */
static int
raw_has_table(sqlite3 *c, const char *name)
{
	sqlite3_stmt	*st = NULL;
	int		 found;

	CU_ASSERT_FATAL(sqlite3_prepare_v2(c, "SELECT 1 FROM sqlite_master"
	    " WHERE type = 'table' AND name = ?", -1, &st, NULL) == SQLITE_OK);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

/* Inserts a customer through db's own statement; returns 1 on success. */
static int
add_customer(struct db *db, const char *uri)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_CUSTOMER_INSERT);

	CU_ASSERT_FATAL(st != NULL);
	sqlite3_bind_text(st, 1, uri, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, "Customer", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, 1700000000);
	return db_exec_stmt(db, st);
}

/* Inserts an organisation of customer_id; returns 1 on success. */
static int
add_org(struct db *db, long long customer_id, const char *name)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ORG_INSERT);
	int		 i;

	CU_ASSERT_FATAL(st != NULL);
	sqlite3_bind_int64(st, 1, customer_id);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
	for (i = 4; i <= 8; i++)
		sqlite3_bind_text(st, i, "", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 9, 0);
	sqlite3_bind_int(st, 10, 0);
	sqlite3_bind_int64(st, 11, 1700000000);
	return db_exec_stmt(db, st);
}

/* Returns the id of the customer with uri, or 0 if db has none. */
static long long
customer_id(struct db *db, const char *uri)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_CUSTOMER_BY_URI);
	long long	 id = 0;

	CU_ASSERT_FATAL(st != NULL);
	sqlite3_bind_text(st, 1, uri, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return id;
}

/* An empty file gets every migration, the matching version and every table. */
static void
test_migrate_fresh(void)
{
	struct db	*db;
	sqlite3		*c;
	FILE		*f;
	const char	*p, *q;
	char		 name[64];
	size_t		 i, n;

	fx_setup();
	CU_ASSERT_FATAL(NMIGRATIONS >= 1);
	/* An existing but empty file is what an installer's touch leaves. */
	CU_ASSERT_FATAL((f = fopen(dbpath, "w")) != NULL);
	fclose(f);
	db = db_open(dbpath);
	CU_ASSERT_FATAL(db != NULL);
	CU_ASSERT_EQUAL(db_version(db), NMIGRATIONS);
	db_close(db);

	c = raw_open();
	CU_ASSERT_EQUAL(raw_int(c, "PRAGMA user_version"), NMIGRATIONS);
	for (i = 0; i < sizeof(core_tables) / sizeof(core_tables[0]); i++) {
		if (!raw_has_table(c, core_tables[i]))
			fprintf(stderr, "missing table %s\n", core_tables[i]);
		CU_ASSERT(raw_has_table(c, core_tables[i]));
	}
	/* And whatever later migrations add, too. */
	for (i = 0; i < (size_t)NMIGRATIONS; i++) {
		for (p = db_migrations[i]; (p = strstr(p, "CREATE TABLE ")) !=
		    NULL; p = q) {
			p += strlen("CREATE TABLE ");
			for (q = p, n = 0; *q != ' ' && *q != '(' &&
			    *q != '\0' && n < sizeof(name) - 1; q++)
				name[n++] = *q;
			name[n] = '\0';
			CU_ASSERT(raw_has_table(c, name));
		}
	}
	sqlite3_close(c);
	fx_teardown();
}

/* Opening a current database again migrates nothing and keeps its rows. */
static void
test_reopen_keeps_data(void)
{
	struct db	*db;
	sqlite3		*c;
	long long	 id;

	fx_setup();
	CU_ASSERT_FATAL((db = db_open(dbpath)) != NULL);
	CU_ASSERT_FATAL(add_customer(db, "acme"));
	id = db_last_id(db);
	CU_ASSERT(id > 0);
	CU_ASSERT_EQUAL(db_changes(db), 1);
	CU_ASSERT_EQUAL(customer_id(db, "acme"), id);
	db_close(db);

	/*
	 * A marker table the migrations do not know: had they run again,
	 * their CREATE TABLEs would have failed the open; had the file been
	 * recreated, the marker would be gone.
	 */
	c = raw_open();
	CU_ASSERT_FATAL(sqlite3_exec(c, "CREATE TABLE marker (x INTEGER);"
	    " INSERT INTO marker VALUES (42)", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(c);

	CU_ASSERT_FATAL((db = db_open(dbpath)) != NULL);
	CU_ASSERT_EQUAL(db_version(db), NMIGRATIONS);
	CU_ASSERT_EQUAL(customer_id(db, "acme"), id);
	db_close(db);

	CU_ASSERT_FATAL((db = db_open(dbpath)) != NULL);
	CU_ASSERT_EQUAL(customer_id(db, "acme"), id);
	db_close(db);

	c = raw_open();
	CU_ASSERT_EQUAL(raw_int(c, "SELECT x FROM marker"), 42);
	CU_ASSERT_EQUAL(raw_int(c, "SELECT COUNT(*) FROM customer"), 1);
	CU_ASSERT_EQUAL(raw_int(c, "PRAGMA user_version"), NMIGRATIONS);
	sqlite3_close(c);
	fx_teardown();
}

/* A database written by a newer certdesk is refused and not modified. */
static void
test_newer_version_refused(void)
{
	struct db	*db;
	sqlite3		*c;
	char		 sql[128];

	fx_setup();
	c = raw_open();
	snprintf(sql, sizeof(sql), "CREATE TABLE future (x INTEGER);"
	    " INSERT INTO future VALUES (7); PRAGMA user_version = %d",
	    NMIGRATIONS + 1);
	CU_ASSERT_FATAL(sqlite3_exec(c, sql, NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(c);

	db = db_open(dbpath);
	CU_ASSERT_PTR_NULL(db);
	db_close(db);

	c = raw_open();
	CU_ASSERT_EQUAL(raw_int(c, "PRAGMA user_version"), NMIGRATIONS + 1);
	CU_ASSERT_EQUAL(raw_int(c, "SELECT x FROM future"), 7);
	CU_ASSERT_EQUAL(raw_int(c, "SELECT COUNT(*) FROM sqlite_master"), 1);
	CU_ASSERT(!raw_has_table(c, "customer"));
	sqlite3_close(c);
	fx_teardown();
}

/* Returns the whole file at path in a malloc'ed buffer and its size in len; caller frees. */
static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE		*f;
	unsigned char	*p;
	long		 n;

	CU_ASSERT_FATAL((f = fopen(path, "rb")) != NULL);
	CU_ASSERT_FATAL(fseek(f, 0, SEEK_END) == 0);
	CU_ASSERT_FATAL((n = ftell(f)) > 0);
	rewind(f);
	CU_ASSERT_FATAL((p = malloc((size_t)n)) != NULL);
	CU_ASSERT_FATAL(fread(p, 1, (size_t)n, f) == (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return p;
}

/*
 * Refusing a newer database must not write to it at all, not even its
 * journal mode: the newer program (or a downgrade's rollback) owns it.
 */
static void
test_newer_version_file_unchanged(void)
{
	struct db	*db;
	sqlite3		*c;
	sqlite3_stmt	*st = NULL;
	unsigned char	*before, *after;
	size_t		 nbefore, nafter;
	char		 sql[128];

	fx_setup();
	c = raw_open();
	snprintf(sql, sizeof(sql), "CREATE TABLE future (x INTEGER);"
	    " PRAGMA user_version = %d", NMIGRATIONS + 1);
	CU_ASSERT_FATAL(sqlite3_exec(c, sql, NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(c);
	before = slurp(dbpath, &nbefore);

	db = db_open(dbpath);
	CU_ASSERT_PTR_NULL(db);
	db_close(db);

	after = slurp(dbpath, &nafter);
	CU_ASSERT_EQUAL(nafter, nbefore);
	CU_ASSERT(nafter == nbefore && memcmp(before, after, nbefore) == 0);
	c = raw_open();
	CU_ASSERT_FATAL(sqlite3_prepare_v2(c, "PRAGMA journal_mode", -1, &st,
	    NULL) == SQLITE_OK);
	CU_ASSERT_FATAL(sqlite3_step(st) == SQLITE_ROW);
	CU_ASSERT_STRING_EQUAL((const char *)sqlite3_column_text(st, 0),
	    "delete");
	sqlite3_finalize(st);
	sqlite3_close(c);
	free(before);
	free(after);
	fx_teardown();
}

/* References must point at existing rows. */
static void
test_foreign_keys(void)
{
	struct db	*db;
	sqlite3		*c;
	long long	 cid;

	fx_setup();
	CU_ASSERT_FATAL((db = db_open(dbpath)) != NULL);
	CU_ASSERT_FATAL(add_customer(db, "acme"));
	cid = db_last_id(db);

	CU_ASSERT_FALSE(add_org(db, cid + 1000, "Orphan"));
	CU_ASSERT_TRUE(db_was_constraint(db));
	/* The same insert for the real customer passes: only the key failed. */
	CU_ASSERT_TRUE(add_org(db, cid, "Real"));
	CU_ASSERT_FALSE(db_was_constraint(db));
	db_close(db);

	c = raw_open();
	CU_ASSERT_EQUAL(raw_int(c, "SELECT COUNT(*) FROM organization"), 1);
	CU_ASSERT_EQUAL(raw_int(c,
	    "SELECT COUNT(*) FROM organization WHERE name = 'Orphan'"), 0);
	sqlite3_close(c);
	fx_teardown();
}

/* A duplicate is reported as a constraint violation, not a generic error. */
static void
test_unique_is_constraint(void)
{
	struct db	*db;

	fx_setup();
	CU_ASSERT_FATAL((db = db_open(dbpath)) != NULL);
	CU_ASSERT_TRUE(add_customer(db, "acme"));
	CU_ASSERT_FALSE(add_customer(db, "acme"));
	CU_ASSERT_TRUE(db_was_constraint(db));
	db_close(db);
	fx_teardown();
}

/* Concurrent workers rely on write-ahead logging. */
static void
test_wal_mode(void)
{
	struct db	*db;
	sqlite3		*c;
	sqlite3_stmt	*st = NULL;

	fx_setup();
	CU_ASSERT_FATAL((db = db_open(dbpath)) != NULL);
	CU_ASSERT_FATAL(add_customer(db, "acme"));

	c = raw_open();
	CU_ASSERT_FATAL(sqlite3_prepare_v2(c, "PRAGMA journal_mode", -1, &st,
	    NULL) == SQLITE_OK);
	CU_ASSERT_FATAL(sqlite3_step(st) == SQLITE_ROW);
	CU_ASSERT_STRING_EQUAL((const char *)sqlite3_column_text(st, 0),
	    "wal");
	sqlite3_finalize(st);
	sqlite3_close(c);
	db_close(db);
	fx_teardown();
}

/* A rolled-back insert is gone; a committed one survives a reopen. */
static void
test_rollback_and_commit(void)
{
	struct db	*db;
	sqlite3		*c;

	fx_setup();
	CU_ASSERT_FATAL((db = db_open(dbpath)) != NULL);

	CU_ASSERT_FATAL(db_begin(db));
	CU_ASSERT_FATAL(add_customer(db, "ghost"));
	/* Visible inside the transaction, invisible to everyone else. */
	CU_ASSERT(customer_id(db, "ghost") > 0);
	c = raw_open();
	CU_ASSERT_EQUAL(raw_int(c, "SELECT COUNT(*) FROM customer"), 0);
	sqlite3_close(c);
	CU_ASSERT_TRUE(db_rollback(db));
	CU_ASSERT_EQUAL(customer_id(db, "ghost"), 0);
	/* Rolling back with nothing open is harmless. */
	CU_ASSERT_TRUE(db_rollback(db));

	CU_ASSERT_FATAL(db_begin(db));
	CU_ASSERT_FATAL(add_customer(db, "kept"));
	CU_ASSERT_TRUE(db_commit(db));
	db_close(db);

	CU_ASSERT_FATAL((db = db_open(dbpath)) != NULL);
	CU_ASSERT(customer_id(db, "kept") > 0);
	CU_ASSERT_EQUAL(customer_id(db, "ghost"), 0);
	db_close(db);
	fx_teardown();
}

/* When one step of a multi-statement change fails, none of it stays. */
static void
test_failure_mid_transaction(void)
{
	struct db	*db;
	sqlite3		*c;
	long long	 cid;

	fx_setup();
	CU_ASSERT_FATAL((db = db_open(dbpath)) != NULL);
	CU_ASSERT_FATAL(add_customer(db, "before"));

	CU_ASSERT_FATAL(db_begin(db));
	CU_ASSERT_FATAL(add_customer(db, "half"));
	cid = db_last_id(db);
	CU_ASSERT_FATAL(add_org(db, cid, "First"));
	/* The third statement breaks a foreign key. */
	CU_ASSERT_FALSE(add_org(db, cid + 1000, "Broken"));
	CU_ASSERT_TRUE(db_rollback(db));

	CU_ASSERT_EQUAL(customer_id(db, "half"), 0);
	CU_ASSERT(customer_id(db, "before") > 0);
	db_close(db);

	c = raw_open();
	CU_ASSERT_EQUAL(raw_int(c, "SELECT COUNT(*) FROM customer"), 1);
	CU_ASSERT_EQUAL(raw_int(c, "SELECT COUNT(*) FROM organization"), 0);
	sqlite3_close(c);

	/* A second writer is not left waiting on a dangling transaction. */
	CU_ASSERT_FATAL((db = db_open(dbpath)) != NULL);
	CU_ASSERT_TRUE(db_begin(db));
	CU_ASSERT_TRUE(db_commit(db));
	db_close(db);
	fx_teardown();
}

/* A path that cannot be a database yields NULL, not a crash. */
static void
test_open_bad_path(void)
{
	struct db	*db;
	FILE		*f;

	fx_setup();
	CU_ASSERT_PTR_NULL(db_open("/nonexistent-dir/certdesk.db"));
	/* A file that is not SQLite is refused and left alone. */
	CU_ASSERT_FATAL((f = fopen(dbpath, "w")) != NULL);
	fputs("this is not a database, just some text that is long enough "
	    "to fill the header SQLite looks at first.\n", f);
	fclose(f);
	db = db_open(dbpath);
	CU_ASSERT_PTR_NULL(db);
	db_close(db);
	fx_teardown();
}

/* Returns the number of customers in the database file at path (-1: none). */
static long long
count_customers(const char *path)
{
	sqlite3		*c = NULL;
	long long	 n;

	CU_ASSERT_FATAL(sqlite3_open_v2(path, &c, SQLITE_OPEN_READONLY, NULL) ==
	    SQLITE_OK);
	n = raw_int(c, "SELECT COUNT(*) FROM customer");
	sqlite3_close(c);
	return n;
}

/*
 * A backup is one file, mode 0600, with what was committed when it began,
 * not the writes of a transaction still open; an existing file is kept.
 */
static void
test_backup_snapshot(void)
{
	struct db	*db;
	sqlite3		*c;
	struct stat	 sb;
	char		 bak[PATH_MAX + 16], wal[PATH_MAX + 32], err[256];

	fx_setup();
	fixture_path(bak, sizeof(bak), "copy.db");
	CU_ASSERT_FATAL((db = db_open(dbpath)) != NULL);
	CU_ASSERT_TRUE(add_customer(db, "one"));
	CU_ASSERT_TRUE(add_customer(db, "two"));
	/* A writer in the middle of a transaction does not stop the copy. */
	c = raw_open();
	CU_ASSERT_EQUAL(sqlite3_exec(c, "BEGIN IMMEDIATE; INSERT INTO customer"
	    " (uri, name, created) VALUES ('three', 'x', 1)", NULL, NULL, NULL),
	    SQLITE_OK);
	CU_ASSERT_EQUAL(db_backup_to(dbpath, bak, err, sizeof(err)), DB_COPY_OK);
	CU_ASSERT_EQUAL(sqlite3_exec(c, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(c);
	CU_ASSERT_EQUAL_FATAL(stat(bak, &sb), 0);
	CU_ASSERT_EQUAL(sb.st_mode & 07777, 0600);
	snprintf(wal, sizeof(wal), "%s-wal", bak);
	CU_ASSERT_NOT_EQUAL(access(wal, F_OK), 0);
	CU_ASSERT_EQUAL(count_customers(bak), 2);
	/* The same name again is refused and the first copy stays as it was. */
	CU_ASSERT_EQUAL(db_backup_to(dbpath, bak, err, sizeof(err)),
	    DB_COPY_EXISTS);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "exists"));
	CU_ASSERT_EQUAL(count_customers(bak), 2);
	db_close(db);
	fx_teardown();
}

/* A backup of a database that is not there fails and leaves no file. */
static void
test_backup_missing_source(void)
{
	char	 bak[PATH_MAX + 16], err[256];

	fx_setup();
	fixture_path(bak, sizeof(bak), "copy.db");
	CU_ASSERT_EQUAL(db_backup_to(dbpath, bak, err, sizeof(err)),
	    DB_COPY_FAILED);
	CU_ASSERT_NOT_EQUAL(access(bak, F_OK), 0);
	CU_ASSERT_NOT_EQUAL(access(dbpath, F_OK), 0);
	fx_teardown();
}

/*
 * Restore refuses while another connection has the database open, then
 * with --force or once it is closed puts the backup's contents back.
 */
static void
test_restore_in_use(void)
{
	struct db	*db;
	char		 bak[PATH_MAX + 16], err[256];

	fx_setup();
	fixture_path(bak, sizeof(bak), "copy.db");
	CU_ASSERT_FATAL((db = db_open(dbpath)) != NULL);
	CU_ASSERT_TRUE(add_customer(db, "kept"));
	CU_ASSERT_EQUAL(db_backup_to(dbpath, bak, err, sizeof(err)), DB_COPY_OK);
	CU_ASSERT_TRUE(add_customer(db, "later"));
	CU_ASSERT_EQUAL(db_restore_from(dbpath, bak, 0, err, sizeof(err)),
	    DB_COPY_IN_USE);
	CU_ASSERT_EQUAL(customer_id(db, "later") > 0, 1);
	CU_ASSERT_EQUAL(db_restore_from(dbpath, bak, 1, err, sizeof(err)),
	    DB_COPY_OK);
	CU_ASSERT_EQUAL(customer_id(db, "later"), 0);
	CU_ASSERT_TRUE(add_customer(db, "again"));
	db_close(db);
	CU_ASSERT_EQUAL(db_restore_from(dbpath, bak, 0, err, sizeof(err)),
	    DB_COPY_OK);
	CU_ASSERT_FATAL((db = db_open(dbpath)) != NULL);
	CU_ASSERT_TRUE(customer_id(db, "kept") > 0);
	CU_ASSERT_EQUAL(customer_id(db, "again"), 0);
	CU_ASSERT_EQUAL(db_version(db), NMIGRATIONS);
	db_close(db);
	fx_teardown();
}

/* Restore takes only whole certdesk databases this build can read. */
static void
test_restore_refuses_foreign(void)
{
	struct db	*db;
	sqlite3		*c = NULL;
	FILE		*f;
	char		 bak[PATH_MAX + 16], other[PATH_MAX + 16], err[256];
	char		 sql[64];

	fx_setup();
	fixture_path(bak, sizeof(bak), "copy.db");
	fixture_path(other, sizeof(other), "other.db");
	CU_ASSERT_FATAL((db = db_open(dbpath)) != NULL);
	CU_ASSERT_TRUE(add_customer(db, "kept"));
	db_close(db);
	/* Plain text, and an SQLite file without certdesk's tables. */
	CU_ASSERT_FATAL((f = fopen(bak, "w")) != NULL);
	fputs("not a database\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(db_restore_from(dbpath, bak, 0, err, sizeof(err)),
	    DB_COPY_NOT_CERTDESK);
	CU_ASSERT_FATAL(sqlite3_open(other, &c) == SQLITE_OK);
	CU_ASSERT_EQUAL(sqlite3_exec(c, "CREATE TABLE t (x); PRAGMA "
	    "user_version = 3", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(c);
	CU_ASSERT_EQUAL(db_restore_from(dbpath, other, 1, err, sizeof(err)),
	    DB_COPY_NOT_CERTDESK);
	/* A backup from a newer certdesk. */
	unlink(bak);
	CU_ASSERT_EQUAL(db_backup_to(dbpath, bak, err, sizeof(err)), DB_COPY_OK);
	CU_ASSERT_FATAL(sqlite3_open(bak, &c) == SQLITE_OK);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", NMIGRATIONS + 1);
	CU_ASSERT_EQUAL(sqlite3_exec(c, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(c);
	CU_ASSERT_EQUAL(db_restore_from(dbpath, bak, 1, err, sizeof(err)),
	    DB_COPY_TOO_NEW);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "newer"));
	CU_ASSERT_EQUAL(count_customers(dbpath), 1);
	fx_teardown();
}

static void
register_db(void)
{
	CU_pSuite	 s;

	log_quiet(1);
	s = CU_add_suite("db", NULL, NULL);
	UNIT_ADD(s, test_migrate_fresh);
	UNIT_ADD(s, test_reopen_keeps_data);
	UNIT_ADD(s, test_newer_version_refused);
	UNIT_ADD(s, test_newer_version_file_unchanged);
	UNIT_ADD(s, test_foreign_keys);
	UNIT_ADD(s, test_unique_is_constraint);
	UNIT_ADD(s, test_wal_mode);
	UNIT_ADD(s, test_rollback_and_commit);
	UNIT_ADD(s, test_failure_mid_transaction);
	UNIT_ADD(s, test_open_bad_path);
	UNIT_ADD(s, test_backup_snapshot);
	UNIT_ADD(s, test_backup_missing_source);
	UNIT_ADD(s, test_restore_in_use);
	UNIT_ADD(s, test_restore_refuses_foreign);
}

UNIT_MAIN(register_db)
