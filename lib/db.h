/* db: SQLite connection, migrations and the one table of SQL statements. */
#ifndef CERTDESK_DB_H
#define CERTDESK_DB_H

#include <stddef.h>

#include <sqlite3.h>

/*
 * Every statement the program runs, by name.  The SQL text lives in db.c
 * (db_sql[]) and nowhere else; store.c binds and reads them.
 */
enum stmt {
	STMT_CUSTOMER_INSERT,
	STMT_CUSTOMER_BY_URI,
	STMT_CUSTOMER_BY_ID,
	STMT_CUSTOMER_LIST,
	STMT_CA_INSERT,
	STMT_CA_BY_CUSTOMER,
	STMT_CA_BY_ID,
	STMT_CA_SET_RA,
	STMT_CA_SET_NEXT,
	STMT_CA_NEXT_CRL_NUMBER,
	STMT_CA_CRL_NUMBER_FLOOR,
	STMT_ORG_INSERT,
	STMT_ORG_BY_NAME,
	STMT_ORG_BY_ID,
	STMT_ORG_LIST,
	STMT_DEPT_INSERT,
	STMT_DEPT_BY_NAME,
	STMT_DEPT_BY_ID,
	STMT_DEPT_LIST,
	STMT_DOMAIN_INSERT,
	STMT_DOMAIN_BY_NAME,
	STMT_DOMAIN_LIST,
	STMT_DELEGATION_UPSERT,
	STMT_DELEGATION_LIST,
	STMT_PROFILE_INSERT,
	STMT_PROFILE_BY_NAME,
	STMT_PROFILE_BY_ID,
	STMT_PROFILE_LIST,
	STMT_ENDPOINT_INSERT,
	STMT_ENDPOINT_BY_TYPE_EXT,
	STMT_CUSTOMER_ENDPOINT,
	STMT_ENDPOINT_BY_ID,
	STMT_ENDPOINT_LIST,
	STMT_ENDPOINT_SET_LEGACY_DES,
	STMT_ACCOUNT_INSERT,
	STMT_ACCOUNT_BY_CODE,
	STMT_ACCOUNT_BY_NAME,
	STMT_ACCOUNT_BY_ID,
	STMT_ACCOUNT_LIST,
	STMT_ACCOUNT_SET_CODE,
	STMT_ACCOUNT_PROFILE_ADD,
	STMT_ACCOUNT_PROFILE_LIST,
	STMT_PERSON_INSERT,
	STMT_PERSON_BY_EMAIL,
	STMT_PERSON_BY_ID,
	STMT_PERSON_BY_CUSTOMER_EMAIL,
	STMT_PERSON_LIST,
	STMT_PERSON_UPDATE,
	STMT_PERSON_SET_SECRET,
	STMT_PERSON_SECRET_FAILURE,
	STMT_PERSON_SECRET_RESET,
	STMT_PERSON_DELETE,
	STMT_PERSON_DETACH,
	STMT_PERSON_CODES_DELETE,
	STMT_PERSON_CODES_UNUSED_DELETE,
	STMT_PERSON_ISSUED,
	STMT_REQUEST_INSERT,
	STMT_REQUEST_BY_CERT_ID,
	STMT_REQUEST_BY_ID,
	STMT_REQUEST_BY_SERIAL,
	STMT_REQUEST_LIST,
	STMT_REQUEST_LIST_STATUS,
	STMT_REQUEST_COUNT,
	STMT_REQUEST_SET_ISSUED,
	STMT_REQUEST_SET_STATUS,
	STMT_REQUEST_SET_CLIENT,
	STMT_REQUEST_SET_DECLINED,
	STMT_REQUEST_SET_REVOKED,
	STMT_REQUEST_SET_REVOKE_REASON,
	STMT_REQUEST_SET_COLLECTED,
	STMT_REQUEST_PASS_FAILURE,
	STMT_REQUEST_PENDING_RENEWALS,
	STMT_REQUEST_RENEWALS,
	STMT_REQUEST_PASS_RESET,
	STMT_REQUEST_REVOKED_BY_CA,
	STMT_REQUEST_SMIME_VALID,
	STMT_P12_INSERT,
	STMT_P12_GET,
	STMT_P12_COUNT,
	STMT_P12_UNTIL,
	STMT_SCEP_TXN_INSERT,
	STMT_SCEP_TXN_GET,
	STMT_SCEP_TXN_UPDATE,
	STMT_SCEP_TXN_BY_REQUEST,
	STMT_SCEP_CHALLENGE_INSERT,
	STMT_SCEP_CHALLENGE_GET,
	STMT_SCEP_CHALLENGE_USE,
	STMT_VCODE_INSERT,
	STMT_VCODE_BY_HMAC,
	STMT_VCODE_CONSUME,
	STMT_VCODE_BY_ID,
	STMT_VCODE_PENDING,
	STMT_AUDIT_INSERT,
	STMT_AUDIT_LIST,
	STMT_THROTTLE_GET,
	STMT_THROTTLE_SET,
	STMT_THROTTLE_DELETE,
	STMT_MAINT_RENEW_DUE,
	STMT_MAINT_RENEW_CLAIM,
	STMT_MAINT_RENEW_RELEASE,
	STMT_MAINT_NOTICE_DUE,
	STMT_MAINT_NOTICE_CLAIM,
	STMT_MAINT_NOTICE_RELEASE,
	STMT_MAINT_EXPIRE_DUE,
	STMT_MAINT_EXPIRE,
	STMT_MAINT_UNVALIDATED_DUE,
	STMT_MAINT_UNVALIDATED,
	STMT_MAINT_CODES_DUE,
	STMT_MAINT_CODES_PURGE,
	STMT_MAINT_P12_DUE,
	STMT_MAINT_P12_PURGE,
	STMT_MAINT_BULK_DUE,
	STMT_MAINT_BULK_PURGE,
	STMT_MAINT_BULK_TOKENS_PURGE,
	STMT_ESCROW_KEY_INSERT,
	STMT_ESCROW_KEY_FIND,
	STMT_ESCROW_KEY_NEXT_VERSION,
	STMT_ESCROW_KEY_LIST,
	STMT_ESCROW_KEY_PENDING,
	STMT_ESCROW_KEY_SET_STATE,
	STMT_ESCROW_KEY_DISCARD,
	STMT_ESCROW_BLOB_INSERT,
	STMT_ESCROW_BLOB_BY_REQUEST,
	STMT_ESCROW_BLOB_PAGE,
	STMT_ESCROW_BLOB_COUNT,
	STMT_ESCROW_BLOB_STALE,
	STMT_ESCROW_BLOB_DELETE,
	STMT_ESCROW_BLOB_PROMOTE,
	STMT_ESCROW_RECIPIENT_INSERT,
	STMT_ESCROW_RECIPIENT_KEYS,
	STMT_BULK_INSERT,
	STMT_BULK_ITEM_INSERT,
	STMT_BULK_BY_ID,
	STMT_BULK_BY_STATUS_TOKEN,
	STMT_BULK_BY_DOWNLOAD_TOKEN,
	STMT_BULK_LIST,
	STMT_BULK_ITEMS,
	STMT_BULK_SET_STATUS,
	STMT_BULK_SET_LINKS,
	STMT_BULK_ITEM_SET,
	STMT_BULK_ITEM_ISSUED,
	STMT_BULK_PASS_FAILURE,
	STMT_BULK_PASS_OK,
	STMT_BULK_UNLOCK,
	STMT__COUNT
};

struct db;

/* Opens (creating if needed) and migrates the database; caller frees with db_close. */
struct db	*db_open(const char *path);
/* Closes the connection and finalises cached statements; NULL-safe. */
void		 db_close(struct db *);
/* Returns the cached, reset and unbound statement; owned by db. */
sqlite3_stmt	*db_stmt(struct db *, enum stmt);
/* Steps a statement that returns no rows; returns 1 on SQLITE_DONE. */
int		 db_exec_stmt(struct db *, sqlite3_stmt *);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK; each returns 1 on success. */
int		 db_begin(struct db *);
int		 db_commit(struct db *);
int		 db_rollback(struct db *);
/* Returns 1 while a transaction is open on the connection. */
int		 db_in_transaction(struct db *);
/* Returns the rowid of the last insert. */
long long	 db_last_id(struct db *);
/* Returns the number of rows the last statement changed. */
int		 db_changes(struct db *);
/* Returns the schema version (PRAGMA user_version). */
int		 db_version(struct db *);
/* Returns 1 if the last failed step was a UNIQUE/constraint violation. */
int		 db_was_constraint(struct db *);

/* Outcomes of db_backup_to and db_restore_from; DB_COPY_OK is 0. */
enum db_copy {
	DB_COPY_OK,
	DB_COPY_EXISTS,		/* the backup file is already there */
	DB_COPY_NOT_CERTDESK,	/* not a database, damaged, or not ours */
	DB_COPY_TOO_NEW,	/* schema newer than this build */
	DB_COPY_IN_USE,		/* other processes hold the database */
	DB_COPY_FAILED		/* I/O or SQLite error; err says which */
};

/*
 * Copies the database at path into a new file dst (mode 0600) with
 * SQLite's online backup: one consistent snapshot while the programs go
 * on writing.  Never migrates path, never replaces an existing dst.
 * Returns DB_COPY_OK or why not, with a message in err.
 */
enum db_copy	 db_backup_to(const char *path, const char *dst, char *err,
		    size_t errlen);
/*
 * Replaces the database at path (created if missing) with the contents
 * of the backup src, in one transaction.  src must pass integrity_check
 * and carry a schema this build knows.  Unless force is set, refuses
 * while another process has path open.  Returns DB_COPY_OK or why not,
 * with a message in err.
 */
enum db_copy	 db_restore_from(const char *path, const char *src, int force,
		    char *err, size_t errlen);

#endif
