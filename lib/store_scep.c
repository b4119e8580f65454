/* store_scep: SCEP transactions and challenges. */
#include <stdlib.h>
#include <string.h>

#include "secret.h"
#include "store_priv.h"

/* ---- SCEP transactions and challenges ---- */

static void *
row_scep_txn(sqlite3_stmt *st)
{
	struct scep_txn	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->id = col_ll(st, 0);
	t->endpoint_id = col_ll(st, 1);
	t->transaction_id = col_str(st, 2);
	t->pubkey_sha256 = col_str(st, 3);
	t->request_id = col_ll(st, 4);
	t->status = col_str(st, 5);
	t->fail_info = col_int(st, 6);
	return t;
}

void
store_scep_txn_free(struct scep_txn *t)
{
	if (t == NULL)
		return;
	free(t->transaction_id);
	free(t->pubkey_sha256);
	free(t->status);
	free(t);
}

long long
store_scep_txn_add(struct db *db, const struct scep_txn *t)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_SCEP_TXN_INSERT);

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, t->endpoint_id);
	bind_str(st, 2, t->transaction_id);
	bind_str(st, 3, t->pubkey_sha256);
	bind_ref(st, 4, t->request_id);
	bind_str(st, 5, t->status);
	if (t->fail_info >= 0)
		sqlite3_bind_int(st, 6, t->fail_info);
	sqlite3_bind_int64(st, 7, store_now());
	return insert(db, st);
}

struct scep_txn *
store_scep_txn_get(struct db *db, long long endpoint_id, const char *txid)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_SCEP_TXN_GET);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, endpoint_id);
	bind_str(st, 2, txid);
	return read_one(st, row_scep_txn);
}

struct scep_txn *
store_scep_txn_by_request(struct db *db, long long request_id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_SCEP_TXN_BY_REQUEST);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, request_id);
	return read_one(st, row_scep_txn);
}

int
store_scep_txn_update(struct db *db, long long id, const char *status,
    int fail_info, long long request_id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_SCEP_TXN_UPDATE);

	if (st == NULL)
		return 0;
	bind_str(st, 1, status);
	if (fail_info >= 0)
		sqlite3_bind_int(st, 2, fail_info);
	bind_ref(st, 3, request_id);
	sqlite3_bind_int64(st, 4, id);
	return db_exec_stmt(db, st) && db_changes(db) == 1;
}

long long
store_scep_challenge_add(struct db *db, long long account_id, const char *code,
    const char *subject_pattern, long long expires)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_SCEP_CHALLENGE_INSERT);
	char		 mac[SECRET_HMAC_HEX];

	if (st == NULL || !secret_hmac_hex(code, mac))
		return 0;
	sqlite3_bind_int64(st, 1, account_id);
	bind_str(st, 2, mac);
	bind_str(st, 3, subject_pattern ? subject_pattern : "");
	sqlite3_bind_int64(st, 4, expires);
	return insert(db, st);
}

static void *
row_challenge(sqlite3_stmt *st)
{
	struct scep_challenge	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->id = col_ll(st, 0);
	c->account_id = col_ll(st, 1);
	c->subject_pattern = col_str(st, 2);
	c->expires = col_ll(st, 3);
	return c;
}

struct scep_challenge *
store_scep_challenge_find(struct db *db, long long endpoint_id,
    const char *code)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_SCEP_CHALLENGE_GET);
	char		 mac[SECRET_HMAC_HEX];

	if (st == NULL || !secret_hmac_hex(code, mac))
		return NULL;
	sqlite3_bind_int64(st, 1, endpoint_id);
	bind_str(st, 2, mac);
	return read_one(st, row_challenge);
}

int
store_scep_challenge_use(struct db *db, long long id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_SCEP_CHALLENGE_USE);

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, store_now());
	sqlite3_bind_int64(st, 2, id);
	return db_exec_stmt(db, st) && db_changes(db) == 1;
}

void
store_scep_challenge_free(struct scep_challenge *c)
{
	if (c == NULL)
		return;
	free(c->subject_pattern);
	free(c);
}
