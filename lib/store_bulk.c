/* store_bulk: bulk enrollment requests (BER) and their lines (SCR). */
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "keygen.h"
#include "log.h"
#include "store_priv.h"

long long
store_bulk_add(struct db *db, const struct bulk_request *b,
    const char *status_hmac)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_BULK_INSERT);

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, b->customer_id);
	sqlite3_bind_int64(st, 2, b->account_id);
	sqlite3_bind_int64(st, 3, b->org_id);
	bind_ref(st, 4, b->dept_id);
	bind_str(st, 5, b->requester_email);
	bind_str(st, 6, key_type_token(b->key_type));
	sqlite3_bind_blob(st, 7, b->recipient_der, (int)b->recipient_len,
	    SQLITE_STATIC);
	sqlite3_bind_blob(st, 8, b->privkey_p8, (int)b->privkey_len,
	    SQLITE_STATIC);
	bind_str(st, 9, status_hmac);
	sqlite3_bind_int64(st, 10, store_now());
	return insert(db, st);
}

long long
store_bulk_item_add(struct db *db, const struct bulk_item *it)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_BULK_ITEM_INSERT);

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, it->bulk_id);
	sqlite3_bind_int(st, 2, it->scr);
	sqlite3_bind_int(st, 3, it->line);
	bind_str(st, 4, it->common_name);
	bind_str(st, 5, it->names);
	sqlite3_bind_int64(st, 6, it->profile_id);
	sqlite3_bind_int(st, 7, it->term_days);
	bind_str(st, 8, it->server_software);
	return insert(db, st);
}

/* Returns the bulk request of the current row, or NULL. */
static void *
row_bulk(sqlite3_stmt *st)
{
	struct bulk_request	*b;
	char			*kt, *status;
	int			 ok;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	b->id = col_ll(st, 0);
	b->customer_id = col_ll(st, 1);
	b->account_id = col_ll(st, 2);
	b->org_id = col_ll(st, 3);
	b->dept_id = col_ll(st, 4);
	b->requester_email = col_str(st, 5);
	kt = col_str(st, 6);
	status = col_str(st, 7);
	ok = kt != NULL && status != NULL && b->requester_email != NULL &&
	    store_ber_status_parse(status, &b->status) &&
	    (b->key_type = keygen_type_parse(kt)) != KEY_NONE &&
	    col_blob(st, 8, &b->recipient_der, &b->recipient_len) &&
	    col_blob(st, 9, &b->privkey_p8, &b->privkey_len);
	if (!ok)
		log_err("store: bulk request %lld unreadable", b->id);
	free(kt);
	free(status);
	b->download_expires = col_ll(st, 10);
	b->created = col_ll(st, 11);
	b->completed_at = col_ll(st, 12);
	b->pass_failures = col_int(st, 13);
	if (!ok) {
		store_bulk_free(b);
		return NULL;
	}
	return b;
}

/* Returns the bulk line of the current row (STMT_BULK_ITEMS), or NULL. */
static void *
row_item(sqlite3_stmt *st)
{
	struct bulk_item	*it;
	char			*status, *icr;
	int			 ok;

	if ((it = calloc(1, sizeof(*it))) == NULL)
		return NULL;
	it->id = col_ll(st, 0);
	it->bulk_id = col_ll(st, 1);
	it->scr = col_int(st, 2);
	it->line = col_int(st, 3);
	it->common_name = col_str(st, 4);
	it->names = col_str(st, 5);
	it->profile_id = col_ll(st, 6);
	it->term_days = col_int(st, 7);
	it->server_software = col_str(st, 8);
	status = col_str(st, 9);
	it->request_id = col_ll(st, 10);
	it->reason = col_str(st, 12);
	icr = col_str_null(st, 13);
	it->cert_id = col_str(st, 14);
	it->profile = col_str(st, 15);
	it->has_icr = icr != NULL;
	ok = status != NULL && store_scr_status_parse(status, &it->status) &&
	    (icr == NULL || store_status_parse(icr, &it->icr_status)) &&
	    col_blob(st, 11, &it->sealed_key, &it->sealed_len) &&
	    it->common_name != NULL && it->names != NULL &&
	    it->server_software != NULL && it->reason != NULL &&
	    it->cert_id != NULL && it->profile != NULL;
	free(status);
	free(icr);
	if (!ok) {
		log_err("store: bulk line %lld unreadable", it->id);
		store_bulk_item_free(it);
		return NULL;
	}
	return it;
}

struct bulk_request *
store_bulk_by_id(struct db *db, long long id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_BULK_BY_ID);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	return read_one(st, row_bulk);
}

struct bulk_request *
store_bulk_by_status_token(struct db *db, const char *hmac)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_BULK_BY_STATUS_TOKEN);

	if (st == NULL)
		return NULL;
	bind_str(st, 1, hmac);
	return read_one(st, row_bulk);
}

struct bulk_request *
store_bulk_by_download_token(struct db *db, const char *hmac, long long now)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_BULK_BY_DOWNLOAD_TOKEN);

	if (st == NULL)
		return NULL;
	bind_str(st, 1, hmac);
	sqlite3_bind_int64(st, 2, now);
	return read_one(st, row_bulk);
}

struct bulk_list *
store_bulk_list(struct db *db, long long customer_id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_BULK_LIST);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, customer_id);
	return read_list(st, row_bulk, (free_fn)store_bulk_free);
}

struct bulk_item_list *
store_bulk_items(struct db *db, long long bulk_id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_BULK_ITEMS);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, bulk_id);
	return read_list(st, row_item, (free_fn)store_bulk_item_free);
}

int
store_bulk_set_status(struct db *db, long long id, enum ber_status s)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_BULK_SET_STATUS);
	int		 final = 0;

	if (st == NULL)
		return 0;
	switch (s) {
	case BER_AWAITING_APPROVAL:
	case BER_APPROVING:
	case BER_APPROVED:
	case BER__MAX:
		break;
	case BER_DECLINED:
	case BER_FAILED:
	case BER_SUCCESSFUL:
		final = 1;
		break;
	}
	bind_str(st, 1, store_ber_status_name(s));
	sqlite3_bind_int(st, 2, final);
	sqlite3_bind_int64(st, 3, store_now());
	sqlite3_bind_int64(st, 4, id);
	return db_exec_stmt(db, st);
}

int
store_bulk_set_links(struct db *db, long long id, const char *hmac,
    long long expires, long long purge_after)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_BULK_SET_LINKS);

	if (st == NULL)
		return 0;
	bind_str(st, 1, hmac);
	sqlite3_bind_int64(st, 2, expires);
	sqlite3_bind_int64(st, 3, purge_after);
	sqlite3_bind_int64(st, 4, id);
	return db_exec_stmt(db, st);
}

int
store_bulk_item_set(struct db *db, long long item_id, enum scr_status s,
    long long request_id, const char *reason)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_BULK_ITEM_SET);

	if (st == NULL)
		return 0;
	bind_str(st, 1, store_scr_status_name(s));
	bind_ref(st, 2, request_id);
	bind_str(st, 3, reason != NULL ? reason : "");
	sqlite3_bind_int64(st, 4, item_id);
	return db_exec_stmt(db, st);
}

int
store_bulk_item_issued(struct db *db, long long item_id,
    const unsigned char *sealed, size_t len)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_BULK_ITEM_ISSUED);

	if (st == NULL)
		return 0;
	sqlite3_bind_blob(st, 1, sealed, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, item_id);
	return db_exec_stmt(db, st) && db_changes(db) == 1;
}

int
store_bulk_pass_failure(struct db *db, long long id, int limit)
{
	/* No row: the limit was already reached. */
	return count_failure(db, STMT_BULK_PASS_FAILURE, id, limit);
}

int
store_bulk_pass_ok(struct db *db, long long id, int limit)
{
	return exec_id_limit(db, STMT_BULK_PASS_OK, id, limit);
}

int
store_bulk_unlock(struct db *db, long long id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_BULK_UNLOCK);

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, id);
	return db_exec_stmt(db, st) && db_changes(db) == 1;
}

void
store_bulk_free(struct bulk_request *b)
{
	if (b == NULL)
		return;
	free(b->requester_email);
	free(b->recipient_der);
	free(b->privkey_p8);
	free(b);
}

void
store_bulk_list_free(struct bulk_list *l)
{
	free_list(l, (free_fn)store_bulk_free);
}

void
store_bulk_item_free(struct bulk_item *it)
{
	if (it == NULL)
		return;
	free(it->common_name);
	free(it->names);
	free(it->server_software);
	free(it->sealed_key);
	free(it->reason);
	free(it->cert_id);
	free(it->profile);
	free(it);
}

void
store_bulk_item_list_free(struct bulk_item_list *l)
{
	free_list(l, (free_fn)store_bulk_item_free);
}
