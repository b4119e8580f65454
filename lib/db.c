/* db: SQLite connection, migrations and every SQL statement of certdesk. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "log.h"

#include "db_migrations.h"

#define DB_BUSY_LIMIT_US	10000000L	/* give up on a lock after 10 s */
#define DB_BUSY_MAX_SLEEP_US	2000L
#define DB_RESTORE_WAIT_MS	500	/* how long restore waits for a lock */

struct db {
	sqlite3		*conn;
	sqlite3_stmt	*stmts[STMT__COUNT];
	int		 last_rc;
	long		 busy_waited;	/* microseconds, for db_busy */
};

/* Column lists shared by the SELECTs whose rows store.c reads. */
/* An escrow key k, with its organisation o and department d when joined. */
#define ESCROW_KEY_COLS "k.id, k.customer_id, k.tier, IFNULL(k.org_id, 0), " \
	"IFNULL(k.dept_id, 0), k.version, k.key_id, k.key_type, k.cert_der, " \
	"k.state, k.created, " \
	"(SELECT name FROM organization WHERE id = k.org_id), " \
	"(SELECT name FROM department WHERE id = k.dept_id), " \
	"(SELECT COUNT(*) FROM escrow_recipient er JOIN escrow_blob eb" \
	" ON eb.id = er.blob_id WHERE er.escrow_key_id = k.id" \
	" AND eb.state = 'current')"
#define CA_COLS "id, customer_id, name, cert_pem, key_uri, chain_pem, " \
	"ra_cert_pem, ra_key_uri, next_cert_pem, crl_number"
#define ORG_COLS "id, customer_id, name, subj_o, subj_ou, subj_l, subj_st, " \
	"subj_c, admin_email, escrow_master, escrow_org"
#define PROFILE_COLS "id, customer_id, name, type, terms, key_types, " \
	"key_usage, ext_key_usage, multi_domain, wildcard, description"
#define ENDPOINT_COLS "id, customer_id, type, name, ext, help, legacy_des"
#define ACCOUNT_COLS "id, endpoint_id, name, org_id, dept_id, profile_id, " \
	"term_days, auto_approve, manual_approval, revoke_on_renewal, " \
	"allow_empty_p12, p12_legacy, user_csr"
#define PERSON_COLS "id, org_id, dept_id, email, first_name, middle_name, " \
	"last_name, common_name, secret_id_hash, secret_failures, " \
	"alt_emails, phone, validation_type, principal_name, country, eppn, " \
	"created"
#define PERSON_COLS_P "p.id, p.org_id, p.dept_id, p.email, p.first_name, " \
	"p.middle_name, p.last_name, p.common_name, p.secret_id_hash, " \
	"p.secret_failures, p.alt_emails, p.phone, p.validation_type, " \
	"p.principal_name, p.country, p.eppn, p.created"
#define REQUEST_COLS "id, customer_id, cert_id, type, via, status, " \
	"account_id, profile_id, org_id, dept_id, person_id, ca_id, " \
	"term_days, common_name, sans, subject, csr_der, cert_der, serial, " \
	"not_before, not_after, requester_email, external_requesters, " \
	"comments, passphrase_hash, pass_failures, auto_renew, " \
	"auto_renew_days, renewal_of, requested_at, approved_at, issued_at, " \
	"collected_at, revoked_at, revoke_reason, revoke_comment, " \
	"decline_reason, key_type, first_name, middle_name, last_name"

static const char *const db_sql[STMT__COUNT] = {
	[STMT_CUSTOMER_INSERT] =
	    "INSERT INTO customer (uri, name, created) VALUES (?, ?, ?)",
	[STMT_CUSTOMER_BY_URI] =
	    "SELECT id, uri, name FROM customer WHERE uri = ?",
	[STMT_CUSTOMER_BY_ID] =
	    "SELECT id, uri, name FROM customer WHERE id = ?",
	[STMT_CUSTOMER_LIST] =
	    "SELECT id, uri, name FROM customer ORDER BY uri",
	[STMT_CA_INSERT] =
	    "INSERT INTO ca (customer_id, name, cert_pem, key_uri, chain_pem,"
	    " created) VALUES (?, ?, ?, ?, ?, ?)",
	[STMT_CA_BY_CUSTOMER] =
	    "SELECT " CA_COLS " FROM ca WHERE customer_id = ? ORDER BY id",
	[STMT_CA_BY_ID] =
	    "SELECT " CA_COLS " FROM ca WHERE id = ?",
	[STMT_CA_SET_RA] =
	    "UPDATE ca SET ra_cert_pem = ?, ra_key_uri = ? WHERE id = ?",
	[STMT_CA_SET_NEXT] =
	    "UPDATE ca SET next_cert_pem = ? WHERE id = ?",
	[STMT_CA_NEXT_CRL_NUMBER] =
	    "UPDATE ca SET crl_number = crl_number + 1 WHERE id = ?",
	[STMT_CA_CRL_NUMBER_FLOOR] =
	    "UPDATE ca SET crl_number = ? WHERE id = ? AND crl_number < ?",
	[STMT_ORG_INSERT] =
	    "INSERT INTO organization (customer_id, name, subj_o, subj_ou,"
	    " subj_l, subj_st, subj_c, admin_email, escrow_master, escrow_org,"
	    " created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[STMT_ORG_BY_NAME] =
	    "SELECT " ORG_COLS " FROM organization"
	    " WHERE customer_id = ? AND name = ?",
	[STMT_ORG_BY_ID] =
	    "SELECT " ORG_COLS " FROM organization WHERE id = ?",
	[STMT_ORG_LIST] =
	    "SELECT " ORG_COLS " FROM organization WHERE customer_id = ?"
	    " ORDER BY name",
	[STMT_DEPT_INSERT] =
	    "INSERT INTO department (org_id, name, escrow_dept, created)"
	    " VALUES (?, ?, ?, ?)",
	[STMT_DEPT_BY_NAME] =
	    "SELECT id, org_id, name, escrow_dept FROM department"
	    " WHERE org_id = ? AND name = ?",
	[STMT_DEPT_BY_ID] =
	    "SELECT id, org_id, name, escrow_dept FROM department WHERE id = ?",
	[STMT_DEPT_LIST] =
	    "SELECT id, org_id, name, escrow_dept FROM department"
	    " WHERE org_id = ? ORDER BY name",
	[STMT_DOMAIN_INSERT] =
	    "INSERT INTO domain (customer_id, name, created) VALUES (?, ?, ?)",
	[STMT_DOMAIN_BY_NAME] =
	    "SELECT id, customer_id, name FROM domain"
	    " WHERE customer_id = ? AND name = ?",
	[STMT_DOMAIN_LIST] =
	    "SELECT id, customer_id, name FROM domain WHERE customer_id = ?"
	    " ORDER BY name",
	/*
	 * UNIQUE never fires for a NULL dept_id (NULLs are distinct), so the
	 * insert checks for an existing whole-organisation row itself.
	 */
	[STMT_DELEGATION_UPSERT] =
	    "INSERT INTO delegation (domain_id, org_id, dept_id, ssl, smime,"
	    " device) SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE NOT EXISTS"
	    " (SELECT 1 FROM delegation WHERE domain_id = ?1 AND org_id = ?2"
	    " AND dept_id IS NOT DISTINCT FROM ?3)",
	[STMT_DELEGATION_LIST] =
	    "SELECT d.name, g.org_id, COALESCE(g.dept_id, 0), g.ssl, g.smime,"
	    " g.device, o.name, COALESCE(p.name, '')"
	    " FROM delegation g JOIN domain d ON d.id = g.domain_id"
	    " JOIN organization o ON o.id = g.org_id"
	    " LEFT JOIN department p ON p.id = g.dept_id"
	    " WHERE d.customer_id = ? ORDER BY d.name, o.name",
	[STMT_PROFILE_INSERT] =
	    "INSERT INTO profile (customer_id, name, type, terms, key_types,"
	    " key_usage, ext_key_usage, multi_domain, wildcard, description,"
	    " created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[STMT_PROFILE_BY_NAME] =
	    "SELECT " PROFILE_COLS " FROM profile"
	    " WHERE customer_id = ? AND name = ?",
	[STMT_PROFILE_BY_ID] =
	    "SELECT " PROFILE_COLS " FROM profile WHERE id = ?",
	[STMT_PROFILE_LIST] =
	    "SELECT " PROFILE_COLS " FROM profile WHERE customer_id = ?"
	    " ORDER BY name",
	[STMT_ENDPOINT_INSERT] =
	    "INSERT INTO endpoint (customer_id, type, name, ext, help,"
	    " legacy_des, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
	[STMT_ENDPOINT_BY_TYPE_EXT] =
	    "SELECT " ENDPOINT_COLS " FROM endpoint"
	    " WHERE customer_id = ? AND type = ? AND ext = ?",
	/*
	 * A page's customer and its endpoints of two types (the same type
	 * twice when there is one) in one statement: one snapshot and one
	 * lock of the database instead of a transaction around two.  Two
	 * joins rather than an ORDER BY, which would sort in a temporary
	 * b-tree on every request.
	 */
	[STMT_CUSTOMER_ENDPOINT] =
	    "SELECT c.id, c.uri, c.name,"
	    " e1.id, e1.customer_id, e1.type, e1.name, e1.ext, e1.help,"
	    " e1.legacy_des,"
	    " e2.id, e2.customer_id, e2.type, e2.name, e2.ext, e2.help,"
	    " e2.legacy_des FROM customer c"
	    " LEFT JOIN endpoint e1 ON e1.customer_id = c.id AND e1.type = ?3"
	    " AND e1.ext = ?2"
	    " LEFT JOIN endpoint e2 ON e2.customer_id = c.id AND e2.type = ?4"
	    " AND e2.ext = ?2"
	    " WHERE c.uri = ?1",
	[STMT_ENDPOINT_BY_ID] =
	    "SELECT " ENDPOINT_COLS " FROM endpoint WHERE id = ?",
	[STMT_ENDPOINT_LIST] =
	    "SELECT " ENDPOINT_COLS " FROM endpoint WHERE customer_id = ?"
	    " ORDER BY type, ext",
	[STMT_ENDPOINT_SET_LEGACY_DES] =
	    "UPDATE endpoint SET legacy_des = ? WHERE id = ?",
	[STMT_ACCOUNT_INSERT] =
	    "INSERT INTO account (endpoint_id, name, org_id, dept_id,"
	    " code_hmac, profile_id, term_days, auto_approve, manual_approval,"
	    " revoke_on_renewal, allow_empty_p12, p12_legacy, user_csr,"
	    " created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[STMT_ACCOUNT_BY_CODE] =
	    "SELECT " ACCOUNT_COLS " FROM account"
	    " WHERE endpoint_id = ? AND code_hmac = ?",
	[STMT_ACCOUNT_BY_NAME] =
	    "SELECT " ACCOUNT_COLS " FROM account"
	    " WHERE endpoint_id = ? AND name = ?",
	[STMT_ACCOUNT_BY_ID] =
	    "SELECT " ACCOUNT_COLS " FROM account WHERE id = ?",
	[STMT_ACCOUNT_LIST] =
	    "SELECT " ACCOUNT_COLS " FROM account WHERE endpoint_id = ?"
	    " ORDER BY name",
	[STMT_ACCOUNT_SET_CODE] =
	    "UPDATE account SET code_hmac = ? WHERE id = ?",
	[STMT_ACCOUNT_PROFILE_ADD] =
	    "INSERT INTO account_profile (account_id, profile_id)"
	    " VALUES (?, ?)",
	[STMT_ACCOUNT_PROFILE_LIST] =
	    "SELECT " PROFILE_COLS " FROM profile WHERE id IN"
	    " (SELECT profile_id FROM account_profile WHERE account_id = ?)"
	    " ORDER BY name",
	[STMT_PERSON_INSERT] =
	    "INSERT INTO person (org_id, dept_id, email, first_name,"
	    " middle_name, last_name, common_name, secret_id_hash, created,"
	    " alt_emails, phone, validation_type, principal_name, country,"
	    " eppn) VALUES (?, ?, lower(?), ?, ?, ?, ?, ?, ?, lower(?), ?, ?,"
	    " lower(?), ?, ?)",
	[STMT_PERSON_BY_EMAIL] =
	    "SELECT " PERSON_COLS " FROM person WHERE org_id = ?"
	    " AND email = lower(?)",
	[STMT_PERSON_BY_ID] =
	    "SELECT " PERSON_COLS " FROM person WHERE id = ?",
	[STMT_PERSON_BY_CUSTOMER_EMAIL] =
	    "SELECT " PERSON_COLS_P " FROM person p"
	    " JOIN organization o ON o.id = p.org_id"
	    " WHERE o.customer_id = ? AND p.email = lower(?) ORDER BY p.id",
	[STMT_PERSON_LIST] =
	    "SELECT " PERSON_COLS_P " FROM person p"
	    " JOIN organization o ON o.id = p.org_id"
	    " WHERE o.customer_id = ? ORDER BY o.name, p.email",
	[STMT_PERSON_UPDATE] =
	    "UPDATE person SET org_id = ?, dept_id = ?, email = lower(?),"
	    " first_name = ?, middle_name = ?, last_name = ?, common_name = ?,"
	    " alt_emails = lower(?), phone = ?, validation_type = ?,"
	    " principal_name = lower(?), country = ?, eppn = ? WHERE id = ?",
	[STMT_PERSON_SET_SECRET] =
	    "UPDATE person SET secret_id_hash = ?, secret_failures = 0"
	    " WHERE id = ?",
	[STMT_PERSON_SECRET_FAILURE] =
	    "UPDATE person SET secret_failures = secret_failures + 1"
	    " WHERE id = ? AND secret_failures < ?",
	[STMT_PERSON_SECRET_RESET] =
	    "UPDATE person SET secret_failures = 0 WHERE id = ?"
	    " AND secret_failures < ?",
	[STMT_PERSON_DELETE] =
	    "DELETE FROM person WHERE id = ?",
	[STMT_PERSON_DETACH] =
	    "UPDATE request SET person_id = NULL WHERE person_id = ?",
	[STMT_PERSON_CODES_DELETE] =
	    "DELETE FROM validation_code WHERE person_id = ?",
	/* Codes mailed for details the person no longer has. */
	[STMT_PERSON_CODES_UNUSED_DELETE] =
	    "DELETE FROM validation_code WHERE person_id = ?"
	    " AND used_at IS NULL",
	[STMT_PERSON_ISSUED] =
	    "SELECT " REQUEST_COLS " FROM request WHERE person_id = ?"
	    " AND status = 'Issued' ORDER BY id",
	[STMT_REQUEST_INSERT] =
	    "INSERT INTO request (customer_id, cert_id, type, via, status,"
	    " account_id, profile_id, org_id, dept_id, person_id, ca_id,"
	    " term_days, common_name, sans, csr_der, requester_email,"
	    " external_requesters, comments, passphrase_hash, auto_renew,"
	    " auto_renew_days, renewal_of, requested_at, subject, cert_der,"
	    " serial, not_before, not_after, approved_at, issued_at,"
	    " key_type, first_name, middle_name, last_name)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
	    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[STMT_REQUEST_BY_CERT_ID] =
	    "SELECT " REQUEST_COLS " FROM request"
	    " WHERE customer_id = ? AND cert_id = ?",
	[STMT_REQUEST_BY_ID] =
	    "SELECT " REQUEST_COLS " FROM request WHERE id = ?",
	[STMT_REQUEST_BY_SERIAL] =
	    "SELECT " REQUEST_COLS " FROM request WHERE serial = ?",
	[STMT_REQUEST_LIST] =
	    "SELECT " REQUEST_COLS " FROM request WHERE customer_id = ?"
	    " ORDER BY id",
	[STMT_REQUEST_LIST_STATUS] =
	    "SELECT " REQUEST_COLS " FROM request WHERE customer_id = ?"
	    " AND status = ? ORDER BY id",
	[STMT_REQUEST_COUNT] =
	    "SELECT COUNT(*) FROM request",
	[STMT_REQUEST_SET_ISSUED] =
	    "UPDATE request SET status = 'Issued', ca_id = ?, subject = ?,"
	    " cert_der = ?, serial = ?, not_before = ?, not_after = ?,"
	    " approved_at = COALESCE(approved_at, ?), issued_at = ?"
	    " WHERE id = ? AND status IN ('Requested', 'Approved', 'Applied',"
	    " 'Awaiting validation', 'Invited')",
	[STMT_REQUEST_SET_STATUS] =
	    "UPDATE request SET status = ? WHERE id = ?",
	[STMT_REQUEST_SET_CLIENT] =
	    "UPDATE request SET person_id = ?, common_name = ?, sans = ?,"
	    " requester_email = ?, key_type = ?, first_name = ?,"
	    " middle_name = ?, last_name = ?,"
	    " passphrase_hash = COALESCE(?, passphrase_hash) WHERE id = ?",
	[STMT_REQUEST_SET_DECLINED] =
	    "UPDATE request SET status = 'Declined', decline_reason = ?"
	    " WHERE id = ? AND status = 'Requested'",
	[STMT_REQUEST_SET_REVOKED] =
	    "UPDATE request SET status = 'Revoked', revoked_at = ?,"
	    " revoke_reason = ?, revoke_comment = ?"
	    " WHERE id = ? AND status = 'Issued'",
	/* The revocation date stays: only what is known of it changes. */
	[STMT_REQUEST_SET_REVOKE_REASON] =
	    "UPDATE request SET revoke_reason = ?, revoke_comment = ?"
	    " WHERE id = ? AND status = 'Revoked' AND revoke_reason <> ?",
	[STMT_REQUEST_SET_COLLECTED] =
	    "UPDATE request SET collected_at = ? WHERE id = ?"
	    " AND collected_at IS NULL",
	/*
	 * Reserving the attempt before the slow check keeps the lock exact;
	 * the new count tells the one attempt that reached the limit.
	 */
	[STMT_REQUEST_PASS_FAILURE] =
	    "UPDATE request SET pass_failures = pass_failures + 1"
	    " WHERE id = ? AND pass_failures < ? RETURNING pass_failures",
	[STMT_REQUEST_PENDING_RENEWALS] =
	    "SELECT COUNT(*) FROM request WHERE renewal_of = ?"
	    " AND status IN ('Requested', 'Approved')",
	[STMT_REQUEST_RENEWALS] =
	    "SELECT COUNT(*) FROM request WHERE renewal_of = ?",
	[STMT_REQUEST_PASS_RESET] =
	    "UPDATE request SET pass_failures = 0 WHERE id = ?",
	/* RFC 5280 3.3: an expired certificate may leave the CRL. */
	[STMT_REQUEST_REVOKED_BY_CA] =
	    "SELECT serial, revoked_at, revoke_reason FROM request"
	    " WHERE ca_id = ? AND status = 'Revoked' AND not_after > ?"
	    " ORDER BY revoked_at",
	/* A person's unexpired client certificates, newest first. */
	[STMT_REQUEST_SMIME_VALID] =
	    "SELECT " REQUEST_COLS " FROM request WHERE customer_id = ?"
	    " AND type = 'smime' AND status IN ('Issued', 'Revoked')"
	    " AND not_after > ?"
	    " AND lower(requester_email) = lower(?) ORDER BY id DESC",
	[STMT_P12_INSERT] =
	    "INSERT INTO p12_pickup (request_id, encoding, p12_der, expires,"
	    " token_hmac) VALUES (?, ?, ?, ?, ?)",
	/* Looked up by the secret's HMAC: no comparison touches the secret. */
	[STMT_P12_GET] =
	    "SELECT p12_der FROM p12_pickup WHERE request_id = ?"
	    " AND encoding = ? AND expires > ? AND token_hmac = ?",
	[STMT_P12_COUNT] =
	    "SELECT COUNT(*) FROM p12_pickup WHERE request_id = ?",
	[STMT_P12_UNTIL] =
	    "SELECT COALESCE(MAX(expires), 0) FROM p12_pickup"
	    " WHERE request_id = ? AND expires > ?",
	[STMT_SCEP_TXN_INSERT] =
	    "INSERT INTO scep_txn (endpoint_id, transaction_id, pubkey_sha256,"
	    " request_id, status, fail_info, created)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?)",
	[STMT_SCEP_TXN_GET] =
	    "SELECT id, endpoint_id, transaction_id, pubkey_sha256,"
	    " COALESCE(request_id, 0), status, COALESCE(fail_info, -1)"
	    " FROM scep_txn WHERE endpoint_id = ? AND transaction_id = ?",
	[STMT_SCEP_TXN_UPDATE] =
	    "UPDATE scep_txn SET status = ?, fail_info = ?, request_id = ?"
	    " WHERE id = ?",
	[STMT_SCEP_TXN_BY_REQUEST] =
	    "SELECT id, endpoint_id, transaction_id, pubkey_sha256,"
	    " COALESCE(request_id, 0), status, COALESCE(fail_info, -1)"
	    " FROM scep_txn WHERE request_id = ?",
	[STMT_SCEP_CHALLENGE_INSERT] =
	    "INSERT INTO scep_challenge (account_id, code_hmac,"
	    " subject_pattern, expires) VALUES (?, ?, ?, ?)",
	[STMT_SCEP_CHALLENGE_GET] =
	    "SELECT c.id, c.account_id, c.subject_pattern, c.expires"
	    " FROM scep_challenge c JOIN account a ON a.id = c.account_id"
	    " WHERE a.endpoint_id = ? AND c.code_hmac = ? AND c.used_at IS NULL",
	[STMT_SCEP_CHALLENGE_USE] =
	    "UPDATE scep_challenge SET used_at = ? WHERE id = ?"
	    " AND used_at IS NULL",
	[STMT_VCODE_INSERT] =
	    "INSERT INTO validation_code (request_id, person_id, account_id,"
	    " kind, code_hmac, email, expires) VALUES (?, ?, ?, ?, ?, ?, ?)",
	[STMT_VCODE_BY_HMAC] =
	    "SELECT id, kind, request_id, person_id, account_id, email,"
	    " expires, used_at FROM validation_code"
	    " WHERE code_hmac = ? AND kind = ?",
	[STMT_VCODE_CONSUME] =
	    "UPDATE validation_code SET used_at = ? WHERE id = ?"
	    " AND used_at IS NULL",
	/* Validation mails to an address that can still be used. */
	[STMT_VCODE_PENDING] =
	    "SELECT COUNT(*) FROM validation_code v JOIN request r"
	    " ON r.id = v.request_id WHERE v.kind = 'validation'"
	    " AND v.used_at IS NULL AND v.expires > ?"
	    " AND r.status = 'Awaiting validation'"
	    " AND lower(v.email) = lower(?)",
	[STMT_VCODE_BY_ID] =
	    "SELECT id, kind, request_id, person_id, account_id, email,"
	    " expires, used_at FROM validation_code WHERE id = ? AND kind = ?",
	[STMT_AUDIT_INSERT] =
	    "INSERT INTO audit (at, customer_id, actor, action, object, remote,"
	    " outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	[STMT_AUDIT_LIST] =
	    "SELECT a.id, a.at, COALESCE(c.uri, ''), a.actor, a.action,"
	    " a.object, a.remote, a.outcome, a.detail FROM audit a"
	    " LEFT JOIN customer c ON c.id = a.customer_id"
	    " ORDER BY a.id DESC LIMIT ?",
	[STMT_THROTTLE_GET] =
	    "SELECT window_start, failures FROM throttle"
	    " WHERE scope = ? AND key = ?",
	[STMT_THROTTLE_SET] =
	    "INSERT OR REPLACE INTO throttle (scope, key, window_start,"
	    " failures) VALUES (?, ?, ?, ?)",
	[STMT_THROTTLE_DELETE] =
	    "DELETE FROM throttle WHERE scope = ? AND key = ?",
	/*
	 * maintain: SSL certificates due for auto-renewal (?1 now), not
	 * claimed yet and with no renewal other than a declined one.
	 * auto_renew_days 0 (never set) means 30.
	 */
	[STMT_MAINT_RENEW_DUE] =
	    "SELECT " REQUEST_COLS " FROM request WHERE type = 'ssl'"
	    " AND status = 'Issued' AND auto_renew = 1"
	    " AND auto_renewed_at IS NULL AND not_after - ?1 <="
	    " COALESCE(NULLIF(auto_renew_days, 0), 30) * 86400"
	    " AND NOT EXISTS (SELECT 1 FROM request n"
	    " WHERE n.renewal_of = request.id AND n.status <> 'Declined')"
	    " ORDER BY id",
	/* The claim: only the one run that changes the row renews. */
	[STMT_MAINT_RENEW_CLAIM] =
	    "UPDATE request SET auto_renewed_at = ?1 WHERE id = ?2"
	    " AND status = 'Issued' AND auto_renewed_at IS NULL"
	    " AND NOT EXISTS (SELECT 1 FROM request n"
	    " WHERE n.renewal_of = ?2 AND n.status <> 'Declined')",
	[STMT_MAINT_RENEW_RELEASE] =
	    "UPDATE request SET auto_renewed_at = NULL WHERE id = ?",
	/*
	 * Certificates whose notice for threshold ?3 is due: notAfter in
	 * (?1, ?2], the window down to the next smaller threshold, and not
	 * sent; SCEP ones only when ?4 is 1.
	 */
	[STMT_MAINT_NOTICE_DUE] =
	    "SELECT " REQUEST_COLS " FROM request WHERE status = 'Issued'"
	    " AND not_after > ?1 AND not_after <= ?2"
	    " AND (via <> 'scep' OR ?4 = 1)"
	    " AND NOT EXISTS (SELECT 1 FROM notice n"
	    " WHERE n.request_id = request.id AND n.threshold = ?3)"
	    " ORDER BY id",
	[STMT_MAINT_NOTICE_CLAIM] =
	    "INSERT OR IGNORE INTO notice (request_id, threshold, sent_at)"
	    " VALUES (?, ?, ?)",
	[STMT_MAINT_NOTICE_RELEASE] =
	    "DELETE FROM notice WHERE request_id = ? AND threshold = ?",
	[STMT_MAINT_EXPIRE_DUE] =
	    "SELECT cert_id FROM request WHERE status = 'Issued'"
	    " AND not_after <= ? ORDER BY id",
	[STMT_MAINT_EXPIRE] =
	    "UPDATE request SET status = 'Expired' WHERE status = 'Issued'"
	    " AND not_after <= ? RETURNING cert_id",
	/*
	 * Access-code requests whose validation code expired (or was
	 * purged) unused: nobody can validate them any more.
	 */
	[STMT_MAINT_UNVALIDATED_DUE] =
	    "SELECT cert_id FROM request WHERE status = 'Awaiting validation'"
	    " AND NOT EXISTS (SELECT 1 FROM validation_code v"
	    " WHERE v.request_id = request.id AND v.used_at IS NULL"
	    " AND v.expires > ?1) ORDER BY id",
	[STMT_MAINT_UNVALIDATED] =
	    "UPDATE request SET status = 'Expired'"
	    " WHERE status = 'Awaiting validation'"
	    " AND NOT EXISTS (SELECT 1 FROM validation_code v"
	    " WHERE v.request_id = request.id AND v.used_at IS NULL"
	    " AND v.expires > ?1) RETURNING cert_id",
	[STMT_MAINT_CODES_DUE] =
	    "SELECT COUNT(*) FROM validation_code WHERE expires <= ?",
	[STMT_MAINT_CODES_PURGE] =
	    "DELETE FROM validation_code WHERE expires <= ?",
	[STMT_MAINT_P12_DUE] =
	    "SELECT COUNT(*) FROM p12_pickup WHERE expires <= ?",
	[STMT_MAINT_P12_PURGE] =
	    "DELETE FROM p12_pickup WHERE expires <= ?",
	/*
	 * Bulk material: the sealed keys of requests past purge_after (kept
	 * a while after the links expire, so that `bulk resend` can still
	 * send fresh ones), and the links past download_expires.
	 */
	[STMT_MAINT_BULK_DUE] =
	    "SELECT COUNT(*) FROM bulk_item WHERE sealed_key IS NOT NULL"
	    " AND bulk_id IN (SELECT id FROM bulk_request"
	    " WHERE purge_after <= ?)",
	[STMT_MAINT_BULK_PURGE] =
	    "UPDATE bulk_item SET sealed_key = NULL WHERE sealed_key IS NOT NULL"
	    " AND bulk_id IN (SELECT id FROM bulk_request"
	    " WHERE purge_after <= ?)",
	[STMT_MAINT_BULK_TOKENS_PURGE] =
	    "UPDATE bulk_request SET download_token_hmac = NULL"
	    " WHERE download_expires <= ? AND download_token_hmac IS NOT NULL",
	[STMT_ESCROW_KEY_INSERT] =
	    "INSERT INTO escrow_key (customer_id, tier, org_id, dept_id,"
	    " version, key_id, key_type, cert_der, state, created)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	/* A tier scope is (customer, tier, org or 0, department or 0). */
	[STMT_ESCROW_KEY_FIND] =
	    "SELECT " ESCROW_KEY_COLS " FROM escrow_key k"
	    " WHERE k.customer_id = ? AND k.tier = ? AND IFNULL(k.org_id, 0) = ?"
	    " AND IFNULL(k.dept_id, 0) = ? AND k.state = ? ORDER BY k.version",
	[STMT_ESCROW_KEY_NEXT_VERSION] =
	    "SELECT COALESCE(MAX(version), 0) + 1 FROM escrow_key"
	    " WHERE customer_id = ? AND tier = ? AND IFNULL(org_id, 0) = ?"
	    " AND IFNULL(dept_id, 0) = ?",
	[STMT_ESCROW_KEY_LIST] =
	    "SELECT " ESCROW_KEY_COLS " FROM escrow_key k"
	    " LEFT JOIN organization o ON o.id = k.org_id"
	    " LEFT JOIN department d ON d.id = k.dept_id"
	    " WHERE k.customer_id = ? AND k.state = 'active'"
	    " ORDER BY CASE k.tier WHEN 'master' THEN 0 WHEN 'organization'"
	    " THEN 1 ELSE 2 END, o.name, d.name",
	[STMT_ESCROW_KEY_PENDING] =
	    "SELECT " ESCROW_KEY_COLS " FROM escrow_key k"
	    " WHERE k.customer_id = ? AND k.state = 'pending' ORDER BY k.id",
	[STMT_ESCROW_KEY_SET_STATE] =
	    "UPDATE escrow_key SET state = ? WHERE id = ?",
	/* Kept, so that its version is never given to another key. */
	[STMT_ESCROW_KEY_DISCARD] =
	    "UPDATE escrow_key SET state = 'retired', discarded = 1"
	    " WHERE id = ? AND state = 'pending'",
	[STMT_ESCROW_BLOB_INSERT] =
	    "INSERT INTO escrow_blob (request_id, cms_der, state, created)"
	    " VALUES (?, ?, ?, ?)",
	[STMT_ESCROW_BLOB_BY_REQUEST] =
	    "SELECT id, request_id, cms_der FROM escrow_blob"
	    " WHERE request_id = ? AND state = 'current'",
	/*
	 * The blobs (of a state) sealed to a key, in id order from after an
	 * id; current ones only while their request has no pending twin
	 * sealed to the run's new key (what a re-encryption still has to
	 * do).  Twins of other keys do not count: another tier's run left
	 * them, and skipping for them would never finish.
	 */
	[STMT_ESCROW_BLOB_PAGE] =
	    "SELECT b.id, b.request_id, b.cms_der FROM escrow_blob b"
	    " JOIN escrow_recipient r ON r.blob_id = b.id"
	    " WHERE r.escrow_key_id = ? AND b.state = ? AND b.id > ?"
	    " AND (b.state = 'pending' OR NOT EXISTS (SELECT 1 FROM escrow_blob p"
	    " JOIN escrow_recipient pr ON pr.blob_id = p.id"
	    " WHERE p.request_id = b.request_id AND p.state = 'pending'"
	    " AND pr.escrow_key_id = ?))"
	    " ORDER BY b.id LIMIT ?",
	[STMT_ESCROW_BLOB_COUNT] =
	    "SELECT COUNT(*) FROM escrow_blob b"
	    " JOIN escrow_recipient r ON r.blob_id = b.id"
	    " WHERE r.escrow_key_id = ? AND b.state = ?",
	/* Current blobs with a recipient that is no longer the active key. */
	[STMT_ESCROW_BLOB_STALE] =
	    "SELECT COUNT(DISTINCT b.id) FROM escrow_blob b"
	    " JOIN escrow_recipient r ON r.blob_id = b.id"
	    " JOIN escrow_key k ON k.id = r.escrow_key_id"
	    " WHERE k.customer_id = ? AND b.state = 'current'"
	    " AND k.state <> 'active'",
	[STMT_ESCROW_BLOB_DELETE] =
	    "DELETE FROM escrow_blob WHERE state = ? AND id IN"
	    " (SELECT blob_id FROM escrow_recipient WHERE escrow_key_id = ?)",
	[STMT_ESCROW_BLOB_PROMOTE] =
	    "UPDATE escrow_blob SET state = 'current' WHERE state = 'pending'"
	    " AND id IN (SELECT blob_id FROM escrow_recipient"
	    " WHERE escrow_key_id = ?)",
	[STMT_ESCROW_RECIPIENT_INSERT] =
	    "INSERT INTO escrow_recipient (blob_id, escrow_key_id, tier, key_id,"
	    " version) VALUES (?, ?, ?, ?, ?)",
	[STMT_ESCROW_RECIPIENT_KEYS] =
	    "SELECT " ESCROW_KEY_COLS " FROM escrow_recipient r"
	    " JOIN escrow_key k ON k.id = r.escrow_key_id"
	    " WHERE r.blob_id = ? ORDER BY k.id",
#define BULK_COLS " id, customer_id, account_id, org_id, dept_id," \
	" requester_email, key_type, status, recipient_der, privkey_p8," \
	" download_expires, created, completed_at, pass_failures FROM bulk_request"
	[STMT_BULK_INSERT] =
	    "INSERT INTO bulk_request (customer_id, account_id, org_id, dept_id,"
	    " requester_email, key_type, status, recipient_der, privkey_p8,"
	    " status_token_hmac, created) VALUES (?, ?, ?, ?, ?, ?,"
	    " 'Awaiting Approval', ?, ?, ?, ?)",
	[STMT_BULK_ITEM_INSERT] =
	    "INSERT INTO bulk_item (bulk_id, scr, line, common_name, names,"
	    " profile_id, term_days, server_software, status)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'Awaiting Approval')",
	[STMT_BULK_BY_ID] = "SELECT" BULK_COLS " WHERE id = ?",
	[STMT_BULK_BY_STATUS_TOKEN] =
	    "SELECT" BULK_COLS " WHERE status_token_hmac = ?",
	[STMT_BULK_BY_DOWNLOAD_TOKEN] =
	    "SELECT" BULK_COLS " WHERE download_token_hmac = ?"
	    " AND download_expires > ?",
	[STMT_BULK_LIST] =
	    "SELECT" BULK_COLS " WHERE customer_id = ? ORDER BY id",
#undef BULK_COLS
	/* An item with its ICR's status and ID ("" without one). */
	[STMT_BULK_ITEMS] =
	    "SELECT i.id, i.bulk_id, i.scr, i.line, i.common_name, i.names,"
	    " i.profile_id, i.term_days, i.server_software, i.status,"
	    " i.request_id, i.sealed_key, i.reason, r.status, r.cert_id,"
	    " p.name FROM bulk_item i LEFT JOIN request r ON r.id = i.request_id"
	    " LEFT JOIN profile p ON p.id = i.profile_id"
	    " WHERE i.bulk_id = ? ORDER BY i.scr",
	[STMT_BULK_SET_STATUS] =
	    "UPDATE bulk_request SET status = ?,"
	    " completed_at = CASE WHEN ? THEN COALESCE(completed_at, ?) END"
	    " WHERE id = ?",
	[STMT_BULK_SET_LINKS] =
	    "UPDATE bulk_request SET download_token_hmac = ?,"
	    " download_expires = ?, purge_after = ? WHERE id = ?",
	[STMT_BULK_ITEM_SET] =
	    "UPDATE bulk_item SET status = ?, request_id = COALESCE(?, request_id),"
	    " reason = ? WHERE id = ?",
	/*
	 * Reserving the attempt before the slow PBKDF2 keeps the lock exact;
	 * the new count tells the one attempt that reached the limit.
	 */
	[STMT_BULK_PASS_FAILURE] =
	    "UPDATE bulk_request SET pass_failures = pass_failures + 1"
	    " WHERE id = ? AND pass_failures < ? RETURNING pass_failures",
	/* A right passphrase clears the count, but never a lock. */
	[STMT_BULK_PASS_OK] =
	    "UPDATE bulk_request SET pass_failures = 0"
	    " WHERE id = ? AND pass_failures < ?",
	[STMT_BULK_UNLOCK] =
	    "UPDATE bulk_request SET pass_failures = 0 WHERE id = ?",
	/* Only an item still Approved gets its key: a rerun changes nothing. */
	[STMT_BULK_ITEM_ISSUED] =
	    "UPDATE bulk_item SET status = 'Issued', sealed_key = ?"
	    " WHERE id = ? AND status = 'Approved'",
};

/* Runs one SQL script; returns 1 on success. */
static int
db_exec(struct db *db, const char *sql)
{
	char	*msg = NULL;

	if (sqlite3_exec(db->conn, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_err("sqlite: %s", msg ? msg : "error");
		sqlite3_free(msg);
		return 0;
	}
	return 1;
}

int
db_version(struct db *db)
{
	sqlite3_stmt	*st = NULL;
	int		 v = -1;

	if (sqlite3_prepare_v2(db->conn, "PRAGMA user_version", -1, &st,
	    NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/*
 * Applies every migration above the stored user_version, each in its own
 * transaction together with the version bump, so a failure leaves the
 * database at the last complete version.
 */
static int
db_migrate(struct db *db)
{
	int	 have, want, i;
	char	 bump[64];

	want = (int)(sizeof(db_migrations) / sizeof(db_migrations[0]));
	if (!db_begin(db))
		return 0;
	if ((have = db_version(db)) < 0)
		goto fail;
	if (have > want) {
		log_err("database schema version %d is newer than this "
		    "program (%d)", have, want);
		goto fail;
	}
	for (i = have; i < want; i++) {
		snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", i + 1);
		if (!db_exec(db, db_migrations[i]) || !db_exec(db, bump))
			goto fail;
	}
	return db_commit(db);
fail:
	db_rollback(db);
	return 0;
}

/*
 * SQLite busy handler; returns nonzero to try again.  The built-in
 * busy_timeout sleeps 1, 2, 5, 10 ms ... between tries, while a write
 * transaction here lasts well under a millisecond: concurrent FastCGI
 * workers would sleep far longer than the lock is held.  Short sleeps
 * growing to 2 ms keep them busy, and the 10 s limit stays.
 */
static int
db_busy(void *arg, int tries)
{
	long		*waited = arg;
	long		 us;
	struct timespec	 ts;

	if (tries == 0)
		*waited = 0;
	if (*waited >= DB_BUSY_LIMIT_US)
		return 0;
	us = 50L << (tries < 6 ? tries : 6);
	if (us > DB_BUSY_MAX_SLEEP_US)
		us = DB_BUSY_MAX_SLEEP_US;
	ts.tv_sec = 0;
	ts.tv_nsec = us * 1000L;
	nanosleep(&ts, NULL);
	*waited += us;
	return 1;
}

struct db *
db_open(const char *path)
{
	struct db	*db;

	if ((db = calloc(1, sizeof(*db))) == NULL)
		return NULL;
	/*
	 * SQLite counts every allocation under a process-wide mutex for
	 * statistics nothing here reads; off before SQLite initialises
	 * (later it is refused, harmlessly: a second open of the process).
	 */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	/*
	 * A connection serves one thread: the programs and the CLI have no
	 * threads (bulk approval forks), so SQLite's locking of the
	 * connection would be work for nothing on every call.
	 */
	if (sqlite3_open_v2(path, &db->conn, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		log_err("cannot open database %s: %s", path,
		    db->conn ? sqlite3_errmsg(db->conn) : "no memory");
		goto fail;
	}
	/* Concurrent FastCGI workers wait for each other instead of failing. */
	sqlite3_busy_handler(db->conn, db_busy, &db->busy_waited);
	if (!db_exec(db, "PRAGMA synchronous = NORMAL") ||
	    !db_exec(db, "PRAGMA foreign_keys = ON") ||
	    /* Deleted PKCS#12 files and codes must not live on in free pages. */
	    !db_exec(db, "PRAGMA secure_delete = ON"))
		goto fail;
	/* Refuse a newer schema before changing anything in the file. */
	if (!db_migrate(db) || !db_exec(db, "PRAGMA journal_mode = WAL"))
		goto fail;
	return db;
fail:
	db_close(db);
	return NULL;
}

void
db_close(struct db *db)
{
	size_t	 i;

	if (db == NULL)
		return;
	for (i = 0; i < STMT__COUNT; i++)
		sqlite3_finalize(db->stmts[i]);
	sqlite3_close(db->conn);
	free(db);
}

sqlite3_stmt *
db_stmt(struct db *db, enum stmt s)
{
	/*
	 * Prepared once per connection, so once per worker, and kept until
	 * db_close: the customer and endpoint lookups of every request then
	 * skip SQL parsing.  PERSISTENT tells SQLite the statement lives long
	 * (it allocates it outside the lookaside pool); after a schema change
	 * SQLite prepares it again by itself on the next step.
	 */
	if (db->stmts[s] == NULL) {
		if (sqlite3_prepare_v3(db->conn, db_sql[s], -1,
		    SQLITE_PREPARE_PERSISTENT, &db->stmts[s], NULL) !=
		    SQLITE_OK) {
			log_err("sqlite prepare %d: %s", (int)s,
			    sqlite3_errmsg(db->conn));
			return NULL;
		}
	}
	sqlite3_reset(db->stmts[s]);
	sqlite3_clear_bindings(db->stmts[s]);
	return db->stmts[s];
}

int
db_exec_stmt(struct db *db, sqlite3_stmt *st)
{
	db->last_rc = sqlite3_step(st);
	if (db->last_rc != SQLITE_DONE) {
		log_err("sqlite step: %s", sqlite3_errmsg(db->conn));
		sqlite3_reset(st);
		return 0;
	}
	sqlite3_reset(st);
	return 1;
}

int
db_was_constraint(struct db *db)
{
	return (db->last_rc & 0xff) == SQLITE_CONSTRAINT;
}

int
db_begin(struct db *db)
{
	return db_exec(db, "BEGIN IMMEDIATE");
}

int
db_commit(struct db *db)
{
	return db_exec(db, "COMMIT");
}

int
db_rollback(struct db *db)
{
	/* Rolling back with no open transaction is harmless; stay quiet. */
	if (sqlite3_get_autocommit(db->conn))
		return 1;
	return db_exec(db, "ROLLBACK");
}

int
db_in_transaction(struct db *db)
{
	return !sqlite3_get_autocommit(db->conn);
}

long long
db_last_id(struct db *db)
{
	return sqlite3_last_insert_rowid(db->conn);
}

int
db_changes(struct db *db)
{
	return sqlite3_changes(db->conn);
}

/* Formats a message into err (when given) and returns rc. */
static enum db_copy
copy_fail(enum db_copy rc, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static enum db_copy
copy_fail(enum db_copy rc, char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* Returns 1 after making dst's directory entry durable (fsync of the directory). */
static int
sync_dir_of(const char *dst)
{
	char	 dir[4096];
	int	 fd, ok;

	if (snprintf(dir, sizeof(dir), "%s", dst) >= (int)sizeof(dir))
		return 0;
	if ((fd = open(dirname(dir), O_RDONLY | O_DIRECTORY)) == -1)
		return 0;
	ok = fsync(fd) == 0;
	close(fd);
	return ok;
}

/* Returns 1 when the file at tmp holds the whole copy, flushed to disk. */
static int
sync_file(const char *tmp)
{
	int	 fd, ok;

	if ((fd = open(tmp, O_RDONLY)) == -1)
		return 0;
	ok = fsync(fd) == 0;
	close(fd);
	return ok;
}

/*
 * Copies every page of src's main database into dst's in one step, so
 * the copy is one snapshot: in WAL mode the read transaction it holds
 * does not stop writers.  Returns the SQLite result.
 */
static int
copy_pages(sqlite3 *dst, sqlite3 *src)
{
	sqlite3_backup	*b;
	int		 rc;

	if ((b = sqlite3_backup_init(dst, "main", src, "main")) == NULL)
		return sqlite3_errcode(dst);
	do {
		rc = sqlite3_backup_step(b, -1);
		/* A writer's lock is short; busy means try the step again. */
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(5);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(b);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

enum db_copy
db_backup_to(const char *path, const char *dst, char *err, size_t errlen)
{
	sqlite3		*src = NULL, *out = NULL;
	char		 tmp[4096];
	int		 fd;
	enum db_copy	 ret = DB_COPY_FAILED;

	if (access(dst, F_OK) == 0)
		return copy_fail(DB_COPY_EXISTS, err, errlen,
		    "%s exists; choose a new file name", dst);
	if (snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", dst) >=
	    (int)sizeof(tmp))
		return copy_fail(ret, err, errlen, "file name too long");
	/* mkstemp creates the file 0600: the copy holds every secret hash. */
	if ((fd = mkstemp(tmp)) == -1)
		return copy_fail(ret, err, errlen, "cannot create %s: %s", tmp,
		    strerror(errno));
	close(fd);
	/* Read-write without CREATE: a missing database is an error, and
	 * without db_open no migration ever runs on the source. */
	if (sqlite3_open_v2(path, &src, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		copy_fail(ret, err, errlen, "cannot open %s: %s", path,
		    sqlite3_errmsg(src));
		goto out;
	}
	sqlite3_busy_timeout(src, 10000);
	if (sqlite3_open_v2(tmp, &out, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK || copy_pages(out, src) != SQLITE_OK) {
		copy_fail(ret, err, errlen, "backup of %s failed: %s", path,
		    sqlite3_errmsg(out ? out : src));
		goto out;
	}
	/* A backup is one file: no -wal or -shm beside it. */
	if (sqlite3_exec(out, "PRAGMA journal_mode = DELETE", NULL, NULL,
	    NULL) != SQLITE_OK || sqlite3_close(out) != SQLITE_OK) {
		copy_fail(ret, err, errlen, "cannot finish %s", tmp);
		goto out;
	}
	out = NULL;
	/* link() fails if dst appeared meanwhile: never a replaced file. */
	if (!sync_file(tmp) || link(tmp, dst) == -1) {
		int	 e = errno;

		ret = copy_fail(e == EEXIST ? DB_COPY_EXISTS : ret, err,
		    errlen, "cannot create %s: %s", dst, strerror(e));
		goto out;
	}
	ret = sync_dir_of(dst) ? DB_COPY_OK :
	    copy_fail(ret, err, errlen, "cannot sync the directory of %s", dst);
out:
	sqlite3_close(out);
	sqlite3_close(src);
	unlink(tmp);
	return ret;
}

/* Returns the first column of sql's first row as text in buf ("" if none). */
static void
query_text(sqlite3 *c, const char *sql, char *buf, size_t len)
{
	sqlite3_stmt	*st = NULL;
	const char	*v;

	buf[0] = '\0';
	if (sqlite3_prepare_v2(c, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW &&
	    (v = (const char *)sqlite3_column_text(st, 0)) != NULL)
		snprintf(buf, len, "%s", v);
	sqlite3_finalize(st);
}

/*
 * Checks that the backup at src is whole and a certdesk database this
 * build can open.  Returns DB_COPY_OK or why not, with a message in err.
 */
static enum db_copy
restore_check(sqlite3 *src, const char *name, char *err, size_t errlen)
{
	char	 v[256];
	int	 ver, want;

	want = (int)(sizeof(db_migrations) / sizeof(db_migrations[0]));
	query_text(src, "PRAGMA integrity_check", v, sizeof(v));
	if (strcmp(v, "ok") != 0)
		return copy_fail(DB_COPY_NOT_CERTDESK, err, errlen,
		    "%s fails the integrity check: %s", name,
		    v[0] ? v : sqlite3_errmsg(src));
	query_text(src, "SELECT COUNT(*) FROM sqlite_schema WHERE type ="
	    " 'table' AND name IN ('customer', 'request', 'audit')", v,
	    sizeof(v));
	query_text(src, strcmp(v, "3") == 0 ? "PRAGMA user_version" :
	    "SELECT 0", v, sizeof(v));
	if ((ver = (int)strtol(v, NULL, 10)) < 1)
		return copy_fail(DB_COPY_NOT_CERTDESK, err, errlen,
		    "%s is not a certdesk database", name);
	if (ver > want)
		return copy_fail(DB_COPY_TOO_NEW, err, errlen, "%s has schema "
		    "version %d, newer than this program's %d", name, ver, want);
	return DB_COPY_OK;
}

enum db_copy
db_restore_from(const char *path, const char *src, int force, char *err,
    size_t errlen)
{
	sqlite3		*in = NULL, *live = NULL;
	enum db_copy	 ret;

	if (sqlite3_open_v2(src, &in, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		ret = copy_fail(DB_COPY_NOT_CERTDESK, err, errlen,
		    "cannot open %s: %s", src, sqlite3_errmsg(in));
		goto out;
	}
	if ((ret = restore_check(in, src, err, errlen)) != DB_COPY_OK)
		goto out;
	ret = DB_COPY_FAILED;
	if (sqlite3_open_v2(path, &live, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		copy_fail(ret, err, errlen, "cannot open %s: %s", path,
		    sqlite3_errmsg(live));
		goto out;
	}
	/*
	 * Every connection to a WAL database keeps a shared lock on it, idle
	 * FastCGI workers included; an exclusive lock is therefore only had
	 * when nobody else has the file open.  Workers that kept running
	 * would go on with the caches of the old contents.
	 */
	if (!force) {
		sqlite3_busy_timeout(live, DB_RESTORE_WAIT_MS);
		if (sqlite3_exec(live, "PRAGMA locking_mode = EXCLUSIVE;"
		    " BEGIN EXCLUSIVE; SELECT COUNT(*) FROM sqlite_schema;"
		    " COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
			ret = copy_fail(DB_COPY_IN_USE, err, errlen, "%s is in use "
			    "by other processes (stop the web server first, or "
			    "use --force)", path);
			goto out;
		}
	} else
		sqlite3_busy_timeout(live, 10000);
	/* The backup API writes every page in one transaction of live's. */
	if (copy_pages(live, in) != SQLITE_OK) {
		copy_fail(ret, err, errlen, "restore into %s failed: %s", path,
		    sqlite3_errmsg(live));
		goto out;
	}
	ret = DB_COPY_OK;
out:
	sqlite3_close(live);
	sqlite3_close(in);
	return ret;
}
