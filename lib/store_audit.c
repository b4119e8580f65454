/* store_audit: audit events and throttle rows. */
#include <stdlib.h>
#include <string.h>

#include "store_priv.h"

/* ---- audit ---- */

int
store_audit_add(struct db *db, long long customer_id, const char *actor,
    const char *action, const char *object, const char *remote,
    const char *outcome, const char *detail)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_AUDIT_INSERT);

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, store_now());
	bind_ref(st, 2, customer_id);
	bind_str(st, 3, actor ? actor : "");
	bind_str(st, 4, action);
	bind_str(st, 5, object ? object : "");
	bind_str(st, 6, remote ? remote : "");
	bind_str(st, 7, outcome);
	bind_str(st, 8, detail ? detail : "");
	return db_exec_stmt(db, st);
}

static void *
row_audit(sqlite3_stmt *st)
{
	struct audit_event	*e;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	e->id = col_ll(st, 0);
	e->at = col_ll(st, 1);
	e->customer = col_str(st, 2);
	e->actor = col_str(st, 3);
	e->action = col_str(st, 4);
	e->object = col_str(st, 5);
	e->remote = col_str(st, 6);
	e->outcome = col_str(st, 7);
	e->detail = col_str(st, 8);
	return e;
}

static void
audit_event_free(void *p)
{
	struct audit_event	*e = p;

	free(e->customer);
	free(e->actor);
	free(e->action);
	free(e->object);
	free(e->remote);
	free(e->outcome);
	free(e->detail);
	free(e);
}

struct audit_list *
store_audit_list(struct db *db, int limit)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_AUDIT_LIST);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int(st, 1, limit);
	return read_list(st, row_audit, audit_event_free);
}

void
store_audit_list_free(struct audit_list *l)
{
	free_list(l, audit_event_free);
}

/* ---- throttling ---- */

int
store_throttle_get(struct db *db, const char *scope, const char *key,
    long long *window_start, int *failures)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_THROTTLE_GET);
	int		 rc;

	*window_start = 0;
	*failures = 0;
	if (st == NULL)
		return 0;
	bind_str(st, 1, scope);
	bind_str(st, 2, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*window_start = col_ll(st, 0);
		*failures = col_int(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

int
store_throttle_set(struct db *db, const char *scope, const char *key,
    long long window_start, int failures)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_THROTTLE_SET);

	if (st == NULL)
		return 0;
	bind_str(st, 1, scope);
	bind_str(st, 2, key);
	sqlite3_bind_int64(st, 3, window_start);
	sqlite3_bind_int(st, 4, failures);
	return db_exec_stmt(db, st);
}

int
store_throttle_clear(struct db *db, const char *scope, const char *key)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_THROTTLE_DELETE);

	if (st == NULL)
		return 0;
	bind_str(st, 1, scope);
	bind_str(st, 2, key);
	return db_exec_stmt(db, st);
}
