/* store: the row helpers every record group shares (see store_priv.h). */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_priv.h"

/* Returns a malloc'ed copy of column i ("" for NULL), or NULL on no memory. */
char *
col_str(sqlite3_stmt *st, int i)
{
	const unsigned char	*s = sqlite3_column_text(st, i);

	return strdup(s ? (const char *)s : "");
}

/* Returns a malloc'ed copy of column i, keeping SQL NULL as NULL. */
char *
col_str_null(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	return col_str(st, i);
}

/* Binds text, or SQL NULL for a NULL pointer. */
void
bind_str(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

/* Binds an optional reference: 0 becomes SQL NULL. */
void
bind_ref(sqlite3_stmt *st, int i, long long id)
{
	if (id == 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, id);
}

/* Runs an INSERT statement; returns the new rowid or 0. */
long long
insert(struct db *db, sqlite3_stmt *st)
{
	if (!db_exec_stmt(db, st))
		return 0;
	return db_last_id(db);
}

/* Copies a BLOB column into out and len (NULL, 0 for SQL NULL); returns 1 on success. */
int
col_blob(sqlite3_stmt *st, int i, unsigned char **out, size_t *len)
{
	const void	*p = sqlite3_column_blob(st, i);
	int		 n = sqlite3_column_bytes(st, i);

	*out = NULL;
	*len = 0;
	if (p == NULL || n <= 0)
		return 1;
	if ((*out = malloc((size_t)n)) == NULL)
		return 0;
	memcpy(*out, p, (size_t)n);
	*len = (size_t)n;
	return 1;
}

/* Returns the record of the statement's first row, or NULL. */
void *
read_one(sqlite3_stmt *st, row_fn row)
{
	void	*r = NULL;
	int	 rc;

	if (st == NULL)
		return NULL;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		r = row(st);
	else if (rc != SQLITE_DONE)
		log_err("sqlite step: %s", sqlite3_errstr(rc));
	/*
	 * Reset ends the read transaction at once; clearing the bindings
	 * drops this request's values (a customer URI, a code's HMAC) from
	 * the statement the worker keeps.
	 */
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return r;
}

struct any_list {
	void	**items;
	size_t	  n;
};

/* Returns a list of every row's record (possibly empty), or NULL on error. */
void *
read_list(sqlite3_stmt *st, row_fn row, free_fn fr)
{
	struct any_list	*l;
	void		*r, **p;
	size_t		 cap = 0;
	int		 rc;

	if (st == NULL || (l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((r = row(st)) == NULL)
			goto fail;
		if (l->n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((p = reallocarray(l->items, cap, sizeof(*p))) == NULL) {
				fr(r);
				goto fail;
			}
			l->items = p;
		}
		l->items[l->n++] = r;
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_reset(st);
	return l;
fail:
	log_err("sqlite list: %s", sqlite3_errstr(rc));
	sqlite3_reset(st);
	while (l->n > 0)
		fr(l->items[--l->n]);
	free(l->items);
	free(l);
	return NULL;
}

/* Frees a list built by read_list. */
void
free_list(void *lp, free_fn fr)
{
	struct any_list	*l = lp;
	size_t		 i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		fr(l->items[i]);
	free(l->items);
	free(l);
}

int
count_by_id(struct db *db, enum stmt which, long long id)
{
	sqlite3_stmt	*st = db_stmt(db, which);
	int		 n = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = col_int(st, 0);
	sqlite3_reset(st);
	return n;
}

int
exec_id_limit(struct db *db, enum stmt which, long long id, int limit)
{
	sqlite3_stmt	*st = db_stmt(db, which);

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, limit);
	return db_exec_stmt(db, st);
}

int
count_failure(struct db *db, enum stmt which, long long id, int limit)
{
	sqlite3_stmt	*st = db_stmt(db, which);
	int		 n = 0;

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, limit);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = col_int(st, 0);
	sqlite3_reset(st);
	return n;
}
