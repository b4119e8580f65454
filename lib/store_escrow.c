/* store_escrow: the escrow tier keys, blobs and recipients. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "escrow.h"
#include "store_priv.h"

/* Returns the key of the current row (ESCROW_KEY_COLS), or NULL. */
static void *
row_escrow_key(sqlite3_stmt *st)
{
	struct escrow_key	*k;
	const unsigned char	*p;
	int			 tier;

	if ((k = calloc(1, sizeof(*k))) == NULL)
		return NULL;
	k->id = col_ll(st, 0);
	k->customer_id = col_ll(st, 1);
	tier = escrow_tier_parse((const char *)sqlite3_column_text(st, 2));
	k->tier = tier < 0 ? ESCROW_MASTER : (enum escrow_tier)tier;
	k->org_id = col_ll(st, 3);
	k->dept_id = col_ll(st, 4);
	k->version = col_int(st, 5);
	k->key_id = col_str(st, 6);
	k->key_type = col_str(st, 7);
	p = sqlite3_column_blob(st, 8);
	if (p != NULL)
		k->cert = d2i_X509(NULL, &p, sqlite3_column_bytes(st, 8));
	k->state = col_str(st, 9);
	k->created = col_ll(st, 10);
	k->org_name = col_str(st, 11);
	k->dept_name = col_str(st, 12);
	k->blobs = col_ll(st, 13);
	if (tier < 0 || k->key_id == NULL || k->key_type == NULL ||
	    k->cert == NULL || k->state == NULL || k->org_name == NULL ||
	    k->dept_name == NULL) {
		escrow_key_free(k);
		return NULL;
	}
	return k;
}

void
escrow_key_free(struct escrow_key *k)
{
	if (k == NULL)
		return;
	free(k->key_id);
	free(k->key_type);
	X509_free(k->cert);
	free(k->state);
	free(k->org_name);
	free(k->dept_name);
	free(k);
}

static void
free_key(void *k)
{
	escrow_key_free(k);
}

void
escrow_key_list_free(struct escrow_key_list *l)
{
	free_list(l, free_key);
}

long long
store_escrow_key_add(struct db *db, const struct escrow_key *k,
    const char *state)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ESCROW_KEY_INSERT);
	unsigned char	*der = NULL;
	long long	 id;
	int		 n;

	if (st == NULL || (n = i2d_X509(k->cert, &der)) <= 0)
		return 0;
	sqlite3_bind_int64(st, 1, k->customer_id);
	bind_str(st, 2, escrow_tier_name(k->tier));
	bind_ref(st, 3, k->org_id);
	bind_ref(st, 4, k->dept_id);
	sqlite3_bind_int(st, 5, k->version);
	bind_str(st, 6, k->key_id);
	bind_str(st, 7, k->key_type);
	sqlite3_bind_blob(st, 8, der, n, SQLITE_TRANSIENT);
	bind_str(st, 9, state);
	sqlite3_bind_int64(st, 10, store_now());
	id = insert(db, st);
	OPENSSL_free(der);
	return id;
}

/* Binds the four columns that name a tier scope, from position 1. */
static void
bind_scope(sqlite3_stmt *st, long long customer_id, enum escrow_tier tier,
    long long org_id, long long dept_id)
{
	sqlite3_bind_int64(st, 1, customer_id);
	bind_str(st, 2, escrow_tier_name(tier));
	sqlite3_bind_int64(st, 3, tier == ESCROW_MASTER ? 0 : org_id);
	sqlite3_bind_int64(st, 4, tier == ESCROW_DEPT ? dept_id : 0);
}

struct escrow_key_list *
store_escrow_keys_find(struct db *db, long long customer_id,
    enum escrow_tier tier, long long org_id, long long dept_id,
    const char *state)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ESCROW_KEY_FIND);

	if (st == NULL)
		return NULL;
	bind_scope(st, customer_id, tier, org_id, dept_id);
	bind_str(st, 5, state);
	return read_list(st, row_escrow_key, free_key);
}

struct escrow_key *
store_escrow_key_active(struct db *db, long long customer_id,
    enum escrow_tier tier, long long org_id, long long dept_id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ESCROW_KEY_FIND);

	if (st == NULL)
		return NULL;
	bind_scope(st, customer_id, tier, org_id, dept_id);
	bind_str(st, 5, "active");
	return read_one(st, row_escrow_key);
}

int
store_escrow_key_next_version(struct db *db, long long customer_id,
    enum escrow_tier tier, long long org_id, long long dept_id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ESCROW_KEY_NEXT_VERSION);
	int		 v = 0;

	if (st == NULL)
		return 0;
	bind_scope(st, customer_id, tier, org_id, dept_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = col_int(st, 0);
	sqlite3_reset(st);
	return v;
}

struct escrow_key_list *
store_escrow_key_list(struct db *db, long long customer_id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ESCROW_KEY_LIST);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, customer_id);
	return read_list(st, row_escrow_key, free_key);
}

struct escrow_key_list *
store_escrow_keys_pending(struct db *db, long long customer_id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ESCROW_KEY_PENDING);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, customer_id);
	return read_list(st, row_escrow_key, free_key);
}

int
store_escrow_key_set_state(struct db *db, long long id, const char *state)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ESCROW_KEY_SET_STATE);

	if (st == NULL)
		return 0;
	bind_str(st, 1, state);
	sqlite3_bind_int64(st, 2, id);
	return db_exec_stmt(db, st) && db_changes(db) == 1;
}

int
store_escrow_key_discard(struct db *db, long long id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ESCROW_KEY_DISCARD);

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, id);
	return db_exec_stmt(db, st) && db_changes(db) == 1;
}

long long
store_escrow_blob_add(struct db *db, long long request_id,
    const unsigned char *der, size_t len, const char *state)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ESCROW_BLOB_INSERT);

	if (st == NULL || len > INT_MAX)
		return 0;
	sqlite3_bind_int64(st, 1, request_id);
	sqlite3_bind_blob(st, 2, der, (int)len, SQLITE_TRANSIENT);
	bind_str(st, 3, state);
	sqlite3_bind_int64(st, 4, store_now());
	return insert(db, st);
}

int
store_escrow_recipient_add(struct db *db, long long blob_id,
    const struct escrow_key *k)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ESCROW_RECIPIENT_INSERT);

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, blob_id);
	sqlite3_bind_int64(st, 2, k->id);
	bind_str(st, 3, escrow_tier_name(k->tier));
	bind_str(st, 4, k->key_id);
	sqlite3_bind_int(st, 5, k->version);
	return db_exec_stmt(db, st);
}

/* Returns the blob of the current row (id, request_id, cms_der), or NULL. */
static void *
row_escrow_blob(sqlite3_stmt *st)
{
	struct escrow_blob	*b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	b->id = col_ll(st, 0);
	b->request_id = col_ll(st, 1);
	if (!col_blob(st, 2, &b->der, &b->len) || b->der == NULL) {
		free(b);
		return NULL;
	}
	return b;
}

void
escrow_blob_free(struct escrow_blob *b)
{
	if (b == NULL)
		return;
	free(b->der);
	free(b);
}

static void
free_blob(void *b)
{
	escrow_blob_free(b);
}

void
escrow_blob_list_free(struct escrow_blob_list *l)
{
	free_list(l, free_blob);
}

struct escrow_blob *
store_escrow_blob_by_request(struct db *db, long long request_id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ESCROW_BLOB_BY_REQUEST);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, request_id);
	return read_one(st, row_escrow_blob);
}

struct escrow_blob_list *
store_escrow_blob_page(struct db *db, long long key_id, const char *state,
    long long twin_key_id, long long after, int limit)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ESCROW_BLOB_PAGE);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, key_id);
	bind_str(st, 2, state);
	sqlite3_bind_int64(st, 3, after);
	sqlite3_bind_int64(st, 4, twin_key_id);
	sqlite3_bind_int(st, 5, limit);
	return read_list(st, row_escrow_blob, free_blob);
}

long long
store_escrow_blob_count(struct db *db, long long key_id, const char *state)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ESCROW_BLOB_COUNT);
	long long	 n = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, key_id);
	bind_str(st, 2, state);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = col_ll(st, 0);
	sqlite3_reset(st);
	return n;
}

long long
store_escrow_blob_stale(struct db *db, long long customer_id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ESCROW_BLOB_STALE);
	long long	 n = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, customer_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = col_ll(st, 0);
	sqlite3_reset(st);
	return n;
}

int
store_escrow_blob_delete(struct db *db, long long key_id, const char *state)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ESCROW_BLOB_DELETE);

	if (st == NULL)
		return 0;
	bind_str(st, 1, state);
	sqlite3_bind_int64(st, 2, key_id);
	return db_exec_stmt(db, st);
}

int
store_escrow_blob_promote(struct db *db, long long key_id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ESCROW_BLOB_PROMOTE);

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, key_id);
	return db_exec_stmt(db, st);
}

struct escrow_key_list *
store_escrow_recipients(struct db *db, long long blob_id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ESCROW_RECIPIENT_KEYS);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, blob_id);
	return read_list(st, row_escrow_key, free_key);
}
