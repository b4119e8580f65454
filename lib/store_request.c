/* store_request: requests, certificates and revocation lists. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "secret.h"
#include "log.h"
#include "store_priv.h"

/* ---- requests and certificates ---- */

/* Returns the one key class a stored token names; KEY_NONE for "" or anything else. */
static enum key_type
store_key_type_parse(const char *s)
{
	unsigned	 m = s != NULL && *s != '\0' ? key_types_parse(s) : 0;

	/* A list names no single key; the column never holds one. */
	return m != 0 && (m & (m - 1)) == 0 ? (enum key_type)m : KEY_NONE;
}

void *
row_request(sqlite3_stmt *st)
{
	struct request	*r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->id = col_ll(st, 0);
	r->customer_id = col_ll(st, 1);
	r->cert_id = col_str(st, 2);
	r->via = col_str(st, 4);
	r->account_id = col_ll(st, 6);
	r->profile_id = col_ll(st, 7);
	r->org_id = col_ll(st, 8);
	r->dept_id = col_ll(st, 9);
	r->person_id = col_ll(st, 10);
	r->ca_id = col_ll(st, 11);
	r->term_days = col_int(st, 12);
	r->common_name = col_str(st, 13);
	r->sans = col_str(st, 14);
	r->subject = col_str(st, 15);
	col_blob(st, 16, &r->csr_der, &r->csr_len);
	col_blob(st, 17, &r->cert_der, &r->cert_len);
	r->serial = col_str_null(st, 18);
	r->not_before = col_ll(st, 19);
	r->not_after = col_ll(st, 20);
	r->requester_email = col_str(st, 21);
	r->external_requesters = col_str(st, 22);
	r->comments = col_str(st, 23);
	r->passphrase_hash = col_str_null(st, 24);
	r->pass_failures = col_int(st, 25);
	r->auto_renew = col_int(st, 26);
	r->auto_renew_days = col_int(st, 27);
	r->renewal_of = col_ll(st, 28);
	r->requested_at = col_ll(st, 29);
	r->approved_at = col_ll(st, 30);
	r->issued_at = col_ll(st, 31);
	r->collected_at = col_ll(st, 32);
	r->revoked_at = col_ll(st, 33);
	r->revoke_reason = col_int(st, 34);
	r->revoke_comment = col_str(st, 35);
	r->decline_reason = col_str(st, 36);
	r->key_type = store_key_type_parse((const char *)
	    sqlite3_column_text(st, 37));
	r->first_name = col_str(st, 38);
	r->middle_name = col_str(st, 39);
	r->last_name = col_str(st, 40);
	/* The schema's CHECKs make these known; a row that is not is refused. */
	if (!store_cert_type_parse((const char *)sqlite3_column_text(st, 3),
	    &r->type) || !store_status_parse((const char *)
	    sqlite3_column_text(st, 5), &r->status)) {
		log_err("request %lld: unknown type or status", r->id);
		store_request_free(r);
		return NULL;
	}
	return r;
}

void
store_request_free(struct request *r)
{
	if (r == NULL)
		return;
	free(r->cert_id);
	free(r->via);
	free(r->common_name);
	free(r->sans);
	free(r->subject);
	free(r->csr_der);
	free(r->cert_der);
	free(r->serial);
	free(r->requester_email);
	free(r->external_requesters);
	free(r->comments);
	free(r->passphrase_hash);
	free(r->revoke_comment);
	free(r->decline_reason);
	free(r->first_name);
	free(r->middle_name);
	free(r->last_name);
	free(r);
}

long long
store_request_add(struct db *db, struct request *r)
{
	sqlite3_stmt	*st;
	long long	 id = 0;
	int		 tries;

	/* A collision of 96 random bits is not expected; retry anyway. */
	for (tries = 0; tries < 3 && id == 0; tries++) {
		free(r->cert_id);
		if ((r->cert_id = secret_token(12)) == NULL)
			return 0;
		if ((st = db_stmt(db, STMT_REQUEST_INSERT)) == NULL)
			return 0;
		sqlite3_bind_int64(st, 1, r->customer_id);
		bind_str(st, 2, r->cert_id);
		bind_str(st, 3, policy_type_name(r->type));
		bind_str(st, 4, r->via);
		bind_str(st, 5, store_status_name(r->status));
		bind_ref(st, 6, r->account_id);
		sqlite3_bind_int64(st, 7, r->profile_id);
		sqlite3_bind_int64(st, 8, r->org_id);
		bind_ref(st, 9, r->dept_id);
		bind_ref(st, 10, r->person_id);
		bind_ref(st, 11, r->ca_id);
		sqlite3_bind_int(st, 12, r->term_days);
		bind_str(st, 13, r->common_name ? r->common_name : "");
		bind_str(st, 14, r->sans ? r->sans : "");
		if (r->csr_der != NULL)
			sqlite3_bind_blob(st, 15, r->csr_der, (int)r->csr_len,
			    SQLITE_TRANSIENT);
		bind_str(st, 16, r->requester_email ? r->requester_email : "");
		bind_str(st, 17, r->external_requesters ?
		    r->external_requesters : "");
		bind_str(st, 18, r->comments ? r->comments : "");
		bind_str(st, 19, r->passphrase_hash);
		sqlite3_bind_int(st, 20, r->auto_renew);
		sqlite3_bind_int(st, 21, r->auto_renew_days);
		bind_ref(st, 22, r->renewal_of);
		r->requested_at = store_now();
		sqlite3_bind_int64(st, 23, r->requested_at);
		bind_str(st, 24, r->cert_der != NULL && r->subject != NULL ?
		    r->subject : "");
		if (r->cert_der != NULL) {
			/* Issued at once: approved and issued when requested. */
			sqlite3_bind_blob(st, 25, r->cert_der, (int)r->cert_len,
			    SQLITE_TRANSIENT);
			bind_str(st, 26, r->serial);
			sqlite3_bind_int64(st, 27, r->not_before);
			sqlite3_bind_int64(st, 28, r->not_after);
			sqlite3_bind_int64(st, 29, r->requested_at);
			sqlite3_bind_int64(st, 30, r->requested_at);
		}
		bind_str(st, 31, key_type_token(r->key_type));
		bind_str(st, 32, r->first_name ? r->first_name : "");
		bind_str(st, 33, r->middle_name ? r->middle_name : "");
		bind_str(st, 34, r->last_name ? r->last_name : "");
		id = insert(db, st);
		if (id == 0 && !db_was_constraint(db))
			break;
	}
	if (id != 0)
		r->id = id;
	return id;
}

struct request *
store_request_by_cert_id(struct db *db, long long customer_id,
    const char *cert_id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_REQUEST_BY_CERT_ID);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, customer_id);
	bind_str(st, 2, cert_id);
	return read_one(st, row_request);
}

struct request *
store_request_by_id(struct db *db, long long id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_REQUEST_BY_ID);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	return read_one(st, row_request);
}

struct request *
store_request_by_serial(struct db *db, const char *serial)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_REQUEST_BY_SERIAL);

	if (st == NULL)
		return NULL;
	bind_str(st, 1, serial);
	return read_one(st, row_request);
}

struct request_list *
store_request_list(struct db *db, long long customer_id,
    const enum req_status *status)
{
	sqlite3_stmt	*st;

	st = db_stmt(db, status ? STMT_REQUEST_LIST_STATUS : STMT_REQUEST_LIST);
	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, customer_id);
	if (status != NULL)
		bind_str(st, 2, store_status_name(*status));
	return read_list(st, row_request, (free_fn)store_request_free);
}

void
store_request_list_free(struct request_list *l)
{
	free_list(l, (free_fn)store_request_free);
}

long long
store_request_count(struct db *db)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_REQUEST_COUNT);
	long long	 n = -1;

	if (st == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = col_ll(st, 0);
	sqlite3_reset(st);
	return n;
}

int
store_request_set_issued(struct db *db, long long id, long long ca_id,
    const char *subject, const unsigned char *der, size_t len,
    const char *serial, long long not_before, long long not_after)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_REQUEST_SET_ISSUED);
	long long	 now = store_now();

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, ca_id);
	bind_str(st, 2, subject);
	sqlite3_bind_blob(st, 3, der, (int)len, SQLITE_TRANSIENT);
	bind_str(st, 4, serial);
	sqlite3_bind_int64(st, 5, not_before);
	sqlite3_bind_int64(st, 6, not_after);
	sqlite3_bind_int64(st, 7, now);
	sqlite3_bind_int64(st, 8, now);
	sqlite3_bind_int64(st, 9, id);
	return db_exec_stmt(db, st) && db_changes(db) == 1;
}

int
store_request_set_status(struct db *db, long long id, enum req_status status)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_REQUEST_SET_STATUS);

	if (st == NULL)
		return 0;
	bind_str(st, 1, store_status_name(status));
	sqlite3_bind_int64(st, 2, id);
	return db_exec_stmt(db, st) && db_changes(db) == 1;
}

int
store_request_decline(struct db *db, long long id, const char *reason)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_REQUEST_SET_DECLINED);

	if (st == NULL)
		return 0;
	bind_str(st, 1, reason ? reason : "");
	sqlite3_bind_int64(st, 2, id);
	return db_exec_stmt(db, st) && db_changes(db) == 1;
}

int
store_request_revoke(struct db *db, long long id, int reason,
    const char *comment)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_REQUEST_SET_REVOKED);

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, store_now());
	sqlite3_bind_int(st, 2, reason);
	bind_str(st, 3, comment ? comment : "");
	sqlite3_bind_int64(st, 4, id);
	return db_exec_stmt(db, st) && db_changes(db) == 1;
}

int
store_request_set_revoke_reason(struct db *db, long long id, int reason,
    const char *comment)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_REQUEST_SET_REVOKE_REASON);

	if (st == NULL)
		return 0;
	sqlite3_bind_int(st, 1, reason);
	bind_str(st, 2, comment ? comment : "");
	sqlite3_bind_int64(st, 3, id);
	sqlite3_bind_int(st, 4, reason);
	return db_exec_stmt(db, st) && db_changes(db) == 1;
}

int
store_request_collected(struct db *db, long long id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_REQUEST_SET_COLLECTED);

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, store_now());
	sqlite3_bind_int64(st, 2, id);
	return db_exec_stmt(db, st);
}

int
store_request_set_client(struct db *db, long long id, const struct request *r)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_REQUEST_SET_CLIENT);

	if (st == NULL)
		return 0;
	bind_ref(st, 1, r->person_id);
	bind_str(st, 2, r->common_name ? r->common_name : "");
	bind_str(st, 3, r->sans ? r->sans : "");
	bind_str(st, 4, r->requester_email ? r->requester_email : "");
	bind_str(st, 5, key_type_token(r->key_type));
	bind_str(st, 6, r->first_name ? r->first_name : "");
	bind_str(st, 7, r->middle_name ? r->middle_name : "");
	bind_str(st, 8, r->last_name ? r->last_name : "");
	bind_str(st, 9, r->passphrase_hash);
	sqlite3_bind_int64(st, 10, id);
	return db_exec_stmt(db, st) && db_changes(db) == 1;
}

int
store_request_pass_failure(struct db *db, long long id, int limit)
{
	/* No row: the limit was already reached (or no such request). */
	return count_failure(db, STMT_REQUEST_PASS_FAILURE, id, limit);
}

int
store_request_pending_renewals(struct db *db, long long id)
{
	return count_by_id(db, STMT_REQUEST_PENDING_RENEWALS, id);
}

int
store_request_renewals(struct db *db, long long id)
{
	return count_by_id(db, STMT_REQUEST_RENEWALS, id);
}

int
store_request_pass_reset(struct db *db, long long id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_REQUEST_PASS_RESET);

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, id);
	return db_exec_stmt(db, st) && db_changes(db) == 1;
}

static void *
row_revoked(sqlite3_stmt *st)
{
	struct revoked_entry	*e;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	e->serial = col_str(st, 0);
	e->revoked_at = col_ll(st, 1);
	e->reason = col_int(st, 2);
	return e;
}

static void
revoked_free(void *p)
{
	struct revoked_entry	*e = p;

	free(e->serial);
	free(e);
}

struct revoked_list *
store_revoked_list(struct db *db, long long ca_id, long long now)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_REQUEST_REVOKED_BY_CA);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, ca_id);
	sqlite3_bind_int64(st, 2, now);
	return read_list(st, row_revoked, revoked_free);
}

void
store_revoked_list_free(struct revoked_list *l)
{
	free_list(l, revoked_free);
}

/* ---- PKCS#12 pick-ups ---- */

int
store_p12_add(struct db *db, long long request_id, const char *encoding,
    const unsigned char *der, size_t len, long long expires,
    const char *token_hmac)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_P12_INSERT);

	if (st == NULL || len > INT_MAX || token_hmac == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, request_id);
	bind_str(st, 2, encoding);
	sqlite3_bind_blob(st, 3, der, (int)len, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, expires);
	bind_str(st, 5, token_hmac);
	return db_exec_stmt(db, st);
}

int
store_p12_get(struct db *db, long long request_id, const char *encoding,
    long long now, const char *token_hmac, unsigned char **der, size_t *len)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_P12_GET);
	int		 rc, ret = -1;

	if (st == NULL || token_hmac == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, request_id);
	bind_str(st, 2, encoding);
	sqlite3_bind_int64(st, 3, now);
	bind_str(st, 4, token_hmac);
	if ((rc = sqlite3_step(st)) == SQLITE_DONE)
		ret = 0;
	else if (rc == SQLITE_ROW)
		ret = col_blob(st, 0, der, len) && *der != NULL ? 1 : -1;
	sqlite3_reset(st);
	return ret;
}

int
store_p12_count(struct db *db, long long request_id)
{
	return count_by_id(db, STMT_P12_COUNT, request_id);
}

long long
store_p12_until(struct db *db, long long request_id, long long now)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_P12_UNTIL);
	long long	 until = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, request_id);
	sqlite3_bind_int64(st, 2, now);
	if (sqlite3_step(st) == SQLITE_ROW)
		until = col_ll(st, 0);
	sqlite3_reset(st);
	return until;
}
