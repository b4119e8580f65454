/* store_maintain: the claims and sweeps of `certdesk maintain`. */
#include <stdlib.h>

#include "log.h"
#include "store_priv.h"

/* Runs st (bound) as an UPDATE/INSERT/DELETE; returns the rows changed, or -1. */
static int
changed(struct db *db, sqlite3_stmt *st)
{
	if (!db_exec_stmt(db, st))
		return -1;
	return db_changes(db);
}

struct request_list *
store_maint_renewals_due(struct db *db, long long now)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_MAINT_RENEW_DUE);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, now);
	return read_list(st, row_request, (free_fn)store_request_free);
}

int
store_maint_renew_claim(struct db *db, long long id, long long now)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_MAINT_RENEW_CLAIM);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, id);
	return changed(db, st);
}

int
store_maint_renew_release(struct db *db, long long id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_MAINT_RENEW_RELEASE);

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, id);
	return db_exec_stmt(db, st);
}

struct request_list *
store_maint_notices_due(struct db *db, long long after, long long until,
    int threshold, int scep)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_MAINT_NOTICE_DUE);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, until);
	sqlite3_bind_int(st, 3, threshold);
	sqlite3_bind_int(st, 4, scep ? 1 : 0);
	return read_list(st, row_request, (free_fn)store_request_free);
}

int
store_maint_notice_claim(struct db *db, long long id, int threshold,
    long long now)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_MAINT_NOTICE_CLAIM);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, threshold);
	sqlite3_bind_int64(st, 3, now);
	return changed(db, st);
}

int
store_maint_notice_release(struct db *db, long long id, int threshold)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_MAINT_NOTICE_RELEASE);

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, threshold);
	return db_exec_stmt(db, st);
}

/*
 * Runs due (dry run) or mark with now, calling each with every ID it
 * returns; returns how many, or -1.
 */
static int
mark_each(struct db *db, enum stmt due, enum stmt mark, long long now,
    int dry_run, void (*each)(void *, const char *), void *arg)
{
	sqlite3_stmt	*st;
	int		 rc, n = 0;

	if ((st = db_stmt(db, dry_run ? due : mark)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		each(arg, (const char *)sqlite3_column_text(st, 0));
		n++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? n : -1;
}

int
store_maint_expire(struct db *db, long long now, int dry_run,
    void (*each)(void *, const char *), void *arg)
{
	int	 n;

	if ((n = mark_each(db, STMT_MAINT_EXPIRE_DUE, STMT_MAINT_EXPIRE, now,
	    dry_run, each, arg)) < 0)
		log_err("maintain: cannot mark expired certificates");
	return n;
}

int
store_maint_unvalidated(struct db *db, long long now, int dry_run,
    void (*each)(void *, const char *), void *arg)
{
	int	 n;

	if ((n = mark_each(db, STMT_MAINT_UNVALIDATED_DUE,
	    STMT_MAINT_UNVALIDATED, now, dry_run, each, arg)) < 0)
		log_err("maintain: cannot mark unvalidated requests expired");
	return n;
}

int
store_maint_purge(struct db *db, enum maint_purge what, long long now,
    int dry_run)
{
	enum stmt	 count = STMT_MAINT_CODES_DUE, purge = STMT_MAINT_CODES_PURGE;
	sqlite3_stmt	*st;
	int		 n = -1;

	switch (what) {
	case MAINT_PURGE_CODES:
		count = STMT_MAINT_CODES_DUE;
		purge = STMT_MAINT_CODES_PURGE;
		break;
	case MAINT_PURGE_P12:
		count = STMT_MAINT_P12_DUE;
		purge = STMT_MAINT_P12_PURGE;
		break;
	case MAINT_PURGE_BULK:
		count = STMT_MAINT_BULK_DUE;
		purge = STMT_MAINT_BULK_PURGE;
		break;
	}
	if ((st = db_stmt(db, dry_run ? count : purge)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	if (!dry_run) {
		if ((n = changed(db, st)) < 0 || what != MAINT_PURGE_BULK)
			return n;
		/* The download links go with the files they led to. */
		if ((st = db_stmt(db, STMT_MAINT_BULK_TOKENS_PURGE)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, now);
		return changed(db, st) < 0 ? -1 : n;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		n = col_int(st, 0);
	sqlite3_reset(st);
	return n;
}
