/* store_priv: row helpers shared by the store record groups; not for callers. */
#ifndef CERTDESK_STORE_PRIV_H
#define CERTDESK_STORE_PRIV_H

#include <stddef.h>

#include "store.h"

#define col_ll(st, i)	((long long)sqlite3_column_int64((st), (i)))
#define col_int(st, i)	sqlite3_column_int((st), (i))

/*
 * Generic readers: a row reader fills one record from the current row;
 * read_one steps once, read_list collects every row.
 */
typedef void *(*row_fn)(sqlite3_stmt *);
typedef void (*free_fn)(void *);

/* Returns a malloc'ed copy of column i ("" for NULL), or NULL on no memory. */
char	*col_str(sqlite3_stmt *st, int i);

/* Returns a malloc'ed copy of column i, keeping SQL NULL as NULL. */
char	*col_str_null(sqlite3_stmt *st, int i);

/* Copies a BLOB column into out and len (NULL, 0 for SQL NULL); returns 1 on success. */
int	 col_blob(sqlite3_stmt *st, int i, unsigned char **out, size_t *len);

/* Binds text, or SQL NULL for a NULL pointer. */
void	 bind_str(sqlite3_stmt *st, int i, const char *s);

/* Binds an optional reference: 0 becomes SQL NULL. */
void	 bind_ref(sqlite3_stmt *st, int i, long long id);

/* Runs an INSERT statement; returns the new rowid or 0. */
long long	 insert(struct db *db, sqlite3_stmt *st);

/* Returns the record of the statement's first row, or NULL. */
void	*read_one(sqlite3_stmt *st, row_fn row);

/* Returns a list of every row's record (possibly empty), or NULL on error. */
void	*read_list(sqlite3_stmt *st, row_fn row, free_fn fr);

/* Returns the request of the current row (REQUEST_COLS), or NULL; store_request_free frees it. */
void	*row_request(sqlite3_stmt *st);

/* Returns the first column of a one-id statement's first row as a count, or -1. */
int	 count_by_id(struct db *db, enum stmt which, long long id);
/* Runs statement which with (id, limit); returns 1 ok, 0 on error. */
int	 exec_id_limit(struct db *db, enum stmt which, long long id, int limit);
/*
 * Runs a failure-counting UPDATE ... RETURNING with (id, limit); returns
 * the new count, or 0 when no row came back (the limit was reached).
 */
int	 count_failure(struct db *db, enum stmt which, long long id, int limit);

/* Frees a list built by read_list. */
void	 free_list(void *lp, free_fn fr);

#endif
