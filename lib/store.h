/* store: typed records over db; callers never see SQL. */
#ifndef CERTDESK_STORE_H
#define CERTDESK_STORE_H

#include <stddef.h>

#include "db.h"
#include "policy.h"

/*
 * Every record is malloc'ed by its reader and freed by its _free function
 * (NULL-safe); strings inside are owned by the record.  Readers return
 * NULL both for "not found" and for errors (errors are logged).  Ids are
 * 64-bit rowids; 0 means "none" for optional references.
 */

/* The kinds of endpoint a customer publishes (stored as their names). */
enum endpoint_type {
	ENDPOINT_SSL,
	ENDPOINT_SMIME,
	ENDPOINT_DEVICE,
	ENDPOINT_BULK,
	ENDPOINT_SCEP_SMIME,
	ENDPOINT_SCEP_DEVICE,
	ENDPOINT__MAX
};

/* A request's status (stored as the guide's words). */
enum req_status {
	REQ_INVITED,
	REQ_AWAITING_VALIDATION,
	REQ_REQUESTED,
	REQ_APPROVED,
	REQ_APPLIED,
	REQ_ISSUED,
	REQ_DECLINED,
	REQ_REJECTED,
	REQ_REVOKED,
	REQ_EXPIRED,
	REQ__MAX
};

/* A bulk enrollment request's status (guide 4230-4290). */
enum ber_status {
	BER_AWAITING_APPROVAL,
	BER_APPROVING,		/* some lines approved, others still waiting */
	BER_APPROVED,		/* none waiting; approved lines not yet final */
	BER_DECLINED,		/* final: every line declined */
	BER_FAILED,		/* final: no certificate issued */
	BER_SUCCESSFUL,		/* final: every line final, some issued */
	BER__MAX
};

/* The status of one line (SCR) of a bulk request; its ICR is a request. */
enum scr_status {
	SCR_AWAITING_APPROVAL,
	SCR_APPROVED,
	SCR_DECLINED,		/* final */
	SCR_FAILED,		/* final: its ICR was rejected */
	SCR_ISSUED,		/* final */
	SCR__MAX
};

/* The stored name of an endpoint type; static. */
const char	*store_endpoint_type_name(enum endpoint_type);
/* Sets *out from a stored endpoint type name; returns 1, or 0 when unknown. */
int		 store_endpoint_type_parse(const char *, enum endpoint_type *out);
/* Sets *out from a stored certificate type ("ssl", ...); returns 1, or 0 when unknown. */
int		 store_cert_type_parse(const char *, enum cert_type *out);
/* Returns 1 for the endpoint types served by the SCEP program. */
int		 store_endpoint_scep(enum endpoint_type);
/* The stored name of a request status; static. */
const char	*store_status_name(enum req_status);
/* Sets *out from a stored status; returns 1, or 0 when unknown. */
int		 store_status_parse(const char *, enum req_status *out);
/* The stored names of bulk statuses ("Awaiting Approval", ...); static. */
const char	*store_ber_status_name(enum ber_status);
const char	*store_scr_status_name(enum scr_status);
/* Set *out from a stored bulk status; return 1, or 0 when unknown. */
int		 store_ber_status_parse(const char *, enum ber_status *out);
int		 store_scr_status_parse(const char *, enum scr_status *out);

struct customer {
	long long	 id;
	char		*uri;
	char		*name;
};

struct ca_rec {
	long long	 id;
	long long	 customer_id;
	char		*name;
	char		*cert_pem;
	char		*key_uri;
	char		*chain_pem;
	char		*ra_cert_pem;	/* NULL without an RA */
	char		*ra_key_uri;
	char		*next_cert_pem;	/* NULL without a rollover certificate */
	long long	 crl_number;
};

struct org {
	long long	 id;
	long long	 customer_id;
	char		*name;
	char		*o, *ou, *l, *st, *c;
	char		*admin_email;
	int		 escrow_master;
	int		 escrow_org;
};

struct dept {
	long long	 id;
	long long	 org_id;
	char		*name;
	int		 escrow_dept;
};

struct delegation {
	char		*domain;
	long long	 org_id;
	long long	 dept_id;	/* 0: the whole organisation */
	int		 ssl, smime, device;
	char		*org_name;
	char		*dept_name;
};

struct profile {
	long long	 id;
	long long	 customer_id;
	char		*name;
	enum cert_type	 type;
	char		*terms;		/* days, comma separated */
	char		*key_types;	/* "rsa2048,ec256", ... */
	char		*key_usage;
	char		*ext_key_usage;
	int		 multi_domain;
	int		 wildcard;
	char		*description;
};

struct endpoint {
	long long	 id;
	long long	 customer_id;
	enum endpoint_type type;
	char		*name;
	char		*ext;		/* "" for the default endpoint of a type */
	char		*help;
	int		 legacy_des;
};

struct account {
	long long	 id;
	long long	 endpoint_id;
	char		*name;
	long long	 org_id;
	long long	 dept_id;
	long long	 profile_id;	/* SCEP */
	int		 term_days;	/* SCEP */
	int		 auto_approve;
	int		 manual_approval;
	int		 revoke_on_renewal;
	int		 allow_empty_p12;
	int		 p12_legacy;
	int		 user_csr;
	char		*code;		/* in: the access code (store hashes it) */
};

struct person {
	long long	 id;
	long long	 org_id;
	long long	 dept_id;
	char		*email;
	char		*first_name, *middle_name, *last_name;
	char		*common_name;
	char		*secret_id_hash;
	int		 secret_failures;
	char		*alt_emails;	/* space separated */
	char		*phone;
	char		*validation_type;	/* "standard" or "high" */
	char		*principal_name;
	char		*country;	/* two letters or "" */
	char		*eppn;
	long long	 created;
};

struct request {
	long long	 id;
	long long	 customer_id;
	char		*cert_id;
	enum cert_type	 type;
	char		*via;
	enum req_status	 status;
	long long	 account_id, profile_id, org_id, dept_id, person_id, ca_id;
	int		 term_days;
	char		*common_name;
	char		*sans;
	char		*subject;
	unsigned char	*csr_der;
	size_t		 csr_len;
	unsigned char	*cert_der;
	size_t		 cert_len;
	char		*serial;
	long long	 not_before, not_after;
	char		*requester_email;
	char		*external_requesters;
	char		*comments;
	char		*passphrase_hash;
	int		 pass_failures;
	int		 auto_renew;
	int		 auto_renew_days;
	long long	 renewal_of;
	long long	 requested_at, approved_at, issued_at, collected_at;
	long long	 revoked_at;
	int		 revoke_reason;
	char		*revoke_comment;
	char		*decline_reason;
	/* Client requests: the key the server makes and the person's names. */
	enum key_type	 key_type;	/* KEY_NONE: none chosen (stored as "") */
	char		*first_name, *middle_name, *last_name;
};

struct scep_txn {
	long long	 id;
	long long	 endpoint_id;
	char		*transaction_id;
	char		*pubkey_sha256;
	long long	 request_id;
	char		*status;	/* pending success failure */
	int		 fail_info;	/* -1: none */
};

struct scep_challenge {
	long long	 id;
	long long	 account_id;
	char		*subject_pattern;
	long long	 expires;
};

struct audit_event {
	long long	 id;
	long long	 at;
	char		*customer;
	char		*actor;
	char		*action;
	char		*object;
	char		*remote;
	char		*outcome;
	char		*detail;
};

/* A bulk enrollment request (BER). */
struct bulk_request {
	long long	 id;
	long long	 customer_id, account_id, org_id, dept_id;
	char		*requester_email;
	enum key_type	 key_type;
	enum ber_status	 status;
	unsigned char	*recipient_der;	/* self-signed certificate of the BER key */
	size_t		 recipient_len;
	unsigned char	*privkey_p8;	/* encrypted under the p12 passphrase */
	size_t		 privkey_len;
	long long	 download_expires;	/* 0: no links */
	long long	 created, completed_at;
	int		 pass_failures;	/* wrong p12 passphrases; locked at THROTTLE_LIMIT */
};

/* One line (SCR) of a bulk request, with its ICR's state. */
struct bulk_item {
	long long	 id;
	long long	 bulk_id;
	int		 scr;		/* 1.. in file order */
	int		 line;		/* in the CSV file */
	char		*common_name;
	char		*names;		/* "cn[,san...]" */
	long long	 profile_id;
	int		 term_days;
	char		*server_software;
	enum scr_status	 status;
	long long	 request_id;	/* the ICR, 0 before approval */
	unsigned char	*sealed_key;	/* NULL until issued, or purged */
	size_t		 sealed_len;
	char		*reason;
	int		 has_icr;	/* read: the ICR exists */
	enum req_status	 icr_status;	/* read: valid when has_icr */
	char		*cert_id;	/* read: the ICR's ID, "" without one */
	char		*profile;	/* read: the profile's name */
};

struct revoked_entry {
	char		*serial;
	long long	 revoked_at;
	int		 reason;
};

/* A list of records: items[0..n), freed with the matching _list_free. */
#define STORE_LIST(name, type) \
	struct name { type **items; size_t n; }

STORE_LIST(customer_list, struct customer);
STORE_LIST(ca_list, struct ca_rec);
STORE_LIST(org_list, struct org);
STORE_LIST(dept_list, struct dept);
STORE_LIST(delegation_list, struct delegation);
STORE_LIST(profile_list, struct profile);
STORE_LIST(endpoint_list, struct endpoint);
STORE_LIST(account_list, struct account);
STORE_LIST(request_list, struct request);
STORE_LIST(person_list, struct person);
STORE_LIST(audit_list, struct audit_event);
STORE_LIST(revoked_list, struct revoked_entry);
STORE_LIST(bulk_list, struct bulk_request);
STORE_LIST(bulk_item_list, struct bulk_item);

/*
 * Current time in seconds; $CERTDESK_NOW overrides it only in test builds
 * (compiled with -DCERTDESK_TEST_CLOCK, see the Makefile).
 */
long long	 store_now(void);

/* Inserts return the new id, or 0 on error (a duplicate is an error). */
long long	 store_customer_add(struct db *, const char *uri, const char *name);
struct customer	*store_customer_by_uri(struct db *, const char *uri);
struct customer	*store_customer_by_id(struct db *, long long);
struct customer_list *store_customer_list(struct db *);
void		 store_customer_free(struct customer *);
void		 store_customer_list_free(struct customer_list *);

long long	 store_ca_add(struct db *, long long customer_id, const char *name,
		    const char *cert_pem, const char *key_uri, const char *chain_pem);
/* The customer's issuing CA (the first one created). */
struct ca_rec	*store_ca_for_customer(struct db *, long long customer_id);
struct ca_rec	*store_ca_by_id(struct db *, long long);
struct ca_list	*store_ca_list(struct db *, long long customer_id);
int		 store_ca_set_ra(struct db *, long long ca_id, const char *cert_pem,
		    const char *key_uri);
int		 store_ca_set_next(struct db *, long long ca_id, const char *cert_pem);
/* Increments and returns the CA's CRL number, or -1 on error. */
long long	 store_ca_next_crl_number(struct db *, long long ca_id);
/* Raises the CA's last CRL number to at least floor; returns 1, 0 on error. */
int		 store_ca_crl_number_floor(struct db *, long long ca_id,
		    long long floor);
void		 store_ca_free(struct ca_rec *);
void		 store_ca_list_free(struct ca_list *);

long long	 store_org_add(struct db *, const struct org *);
struct org	*store_org_by_name(struct db *, long long customer_id, const char *);
struct org	*store_org_by_id(struct db *, long long);
struct org_list	*store_org_list(struct db *, long long customer_id);
void		 store_org_free(struct org *);
void		 store_org_list_free(struct org_list *);

long long	 store_dept_add(struct db *, long long org_id, const char *name,
		    int escrow_dept);
struct dept	*store_dept_by_name(struct db *, long long org_id, const char *);
struct dept	*store_dept_by_id(struct db *, long long);
struct dept_list *store_dept_list(struct db *, long long org_id);
void		 store_dept_free(struct dept *);
void		 store_dept_list_free(struct dept_list *);

long long	 store_domain_add(struct db *, long long customer_id, const char *name);
/* Returns the domain's id, 0 if it does not exist. */
long long	 store_domain_id(struct db *, long long customer_id, const char *name);
int		 store_delegation_add(struct db *, long long domain_id, long long org_id,
		    long long dept_id, int ssl, int smime, int device);
struct delegation_list *store_delegation_list(struct db *, long long customer_id);
void		 store_delegation_list_free(struct delegation_list *);

long long	 store_profile_add(struct db *, const struct profile *);
struct profile	*store_profile_by_name(struct db *, long long customer_id, const char *);
struct profile	*store_profile_by_id(struct db *, long long);
struct profile_list *store_profile_list(struct db *, long long customer_id);
/* Profiles assigned to a form account. */
struct profile_list *store_account_profiles(struct db *, long long account_id);
void		 store_profile_free(struct profile *);
void		 store_profile_list_free(struct profile_list *);

long long	 store_endpoint_add(struct db *, const struct endpoint *);
struct endpoint	*store_endpoint_find(struct db *, long long customer_id,
		    enum endpoint_type, const char *ext);
/*
 * Finds the customer at uri and its endpoint of extension ext and of the
 * first of ntypes (at most two) types that has one; *cp and *ep are
 * NULL where there is none (caller frees both).  ntypes 0 looks up the
 * customer alone.  Returns 1, or 0 on error (logged, both NULL).
 */
int		 store_customer_endpoint(struct db *, const char *uri,
		    const enum endpoint_type *types, size_t ntypes,
		    const char *ext, struct customer **cp, struct endpoint **ep);
struct endpoint	*store_endpoint_by_id(struct db *, long long);
struct endpoint_list *store_endpoint_list(struct db *, long long customer_id);
int		 store_endpoint_set_legacy_des(struct db *, long long id, int on);
void		 store_endpoint_free(struct endpoint *);
void		 store_endpoint_list_free(struct endpoint_list *);

/* Hashes a->code with the server key; the code itself is never stored. */
long long	 store_account_add(struct db *, const struct account *);
/* Finds the endpoint's account whose access code is code, or NULL. */
struct account	*store_account_by_code(struct db *, long long endpoint_id,
		    const char *code);
struct account	*store_account_by_name(struct db *, long long endpoint_id,
		    const char *name);
struct account	*store_account_by_id(struct db *, long long);
struct account_list *store_account_list(struct db *, long long endpoint_id);
int		 store_account_set_code(struct db *, long long id, const char *code);
int		 store_account_profile_add(struct db *, long long account_id,
		    long long profile_id);
void		 store_account_free(struct account *);
void		 store_account_list_free(struct account_list *);

/*
 * Persons.  Emails (primary, alternative, principal name) are stored in
 * lower case and found case-insensitively; NULL strings of a person to
 * add or update are stored as "" ("standard" for the validation type).
 */
long long	 store_person_add(struct db *, const struct person *);
struct person	*store_person_by_email(struct db *, long long org_id, const char *);
struct person	*store_person_by_id(struct db *, long long);
/* Every person of the customer's organisations with email, oldest first. */
struct person_list *store_person_by_customer_email(struct db *,
		    long long customer_id, const char *email);
/* Every person of the customer, by organisation name and email. */
struct person_list *store_person_list(struct db *, long long customer_id);
/*
 * Writes every field of p but the secret ID and its failure count, and
 * deletes the person's unused codes when the email, organisation or
 * department changed; returns 1, or 0 on error.
 */
int		 store_person_update(struct db *, const struct person *);
/* Sets the secret ID's hash (NULL: none) and clears the failures; 1 ok. */
int		 store_person_set_secret(struct db *, long long id,
		    const char *hash);
/*
 * Counts one wrong secret ID unless limit is reached; returns 1 when it
 * was counted, 0 when the person was already at the limit or on error.
 */
int		 store_person_secret_failure(struct db *, long long id,
		    int limit);
/* Clears the failure count if it is below limit (INT_MAX: always); 1 ok. */
int		 store_person_secret_reset(struct db *, long long id, int limit);
/*
 * Deletes the person: the person's requests stay, without the link, and
 * the person's invitation codes go; inside the caller's transaction.
 */
int		 store_person_delete(struct db *, long long id);
/* The person's issued certificates (status Issued), oldest first. */
struct request_list *store_person_issued(struct db *, long long person_id);
void		 store_person_free(struct person *);
void		 store_person_list_free(struct person_list *);

/*
 * Inserts a request with a fresh random certificate ID (written into
 * r->cert_id, which the caller must have left NULL; freed with r).  With
 * r->cert_der set the row is born issued (status as given, normally
 * Issued): certificate, serial, subject and validity are stored and
 * approved_at and issued_at are the request time, in one INSERT.
 */
long long	 store_request_add(struct db *, struct request *);
struct request	*store_request_by_cert_id(struct db *, long long customer_id,
		    const char *cert_id);
struct request	*store_request_by_id(struct db *, long long);
struct request	*store_request_by_serial(struct db *, const char *serial);
/* status NULL: every request of the customer, else those in *status. */
struct request_list *store_request_list(struct db *, long long customer_id,
		    const enum req_status *status);
long long	 store_request_count(struct db *);
int		 store_request_set_issued(struct db *, long long id, long long ca_id,
		    const char *subject, const unsigned char *der, size_t len,
		    const char *serial, long long not_before, long long not_after);
int		 store_request_set_status(struct db *, long long id,
		    enum req_status);
/*
 * Writes what issuing a client request settles on row id: person_id,
 * common_name, sans, requester_email, key_type and the names from r, and
 * r->passphrase_hash unless it is NULL.  Returns 1 when the row changed.
 */
int		 store_request_set_client(struct db *, long long id,
		    const struct request *r);
int		 store_request_decline(struct db *, long long id, const char *reason);
int		 store_request_revoke(struct db *, long long id, int reason,
		    const char *comment);
/* Sets the reason (and comment) of a Revoked row; returns 1 when it changed. */
int		 store_request_set_revoke_reason(struct db *, long long id,
		    int reason, const char *comment);
int		 store_request_collected(struct db *, long long id);
/*
 * Counts one passphrase attempt unless limit is reached; returns the count
 * including this attempt (limit for the one that locks), or 0 when not
 * counted.
 */
int		 store_request_pass_failure(struct db *, long long id, int limit);
/* Returns how many renewals of request id await approval, or -1. */
int		 store_request_pending_renewals(struct db *, long long id);
/* Returns how many requests renew request id, in any status, or -1. */
int		 store_request_renewals(struct db *, long long id);
int		 store_request_pass_reset(struct db *, long long id);
/*
 * Returns the revoked certificates of CA ca_id whose notAfter is after
 * now, oldest revocation first (caller frees), or NULL.
 */
struct revoked_list *store_revoked_list(struct db *, long long ca_id,
		    long long now);
void		 store_request_free(struct request *);
void		 store_request_list_free(struct request_list *);
void		 store_revoked_list_free(struct revoked_list *);

/*
 * Returns the client certificates of the customer for email
 * (case-insensitive), Issued or Revoked, whose notAfter is after now,
 * newest first (caller frees).
 */
struct request_list *store_request_smime_valid(struct db *,
		    long long customer_id, const char *email, long long now);

long long	 store_scep_txn_add(struct db *, const struct scep_txn *);
struct scep_txn	*store_scep_txn_get(struct db *, long long endpoint_id,
		    const char *transaction_id);
struct scep_txn	*store_scep_txn_by_request(struct db *, long long request_id);
int		 store_scep_txn_update(struct db *, long long id, const char *status,
		    int fail_info, long long request_id);
void		 store_scep_txn_free(struct scep_txn *);

/* Stores a one-time challenge (hashed); returns its id or 0. */
long long	 store_scep_challenge_add(struct db *, long long account_id,
		    const char *code, const char *subject_pattern, long long expires);
/* An unused challenge of the endpoint matching code, or NULL. */
struct scep_challenge *store_scep_challenge_find(struct db *, long long endpoint_id,
		    const char *code);
/* Marks a challenge used; returns 1 only for the first caller. */
int		 store_scep_challenge_use(struct db *, long long id);
void		 store_scep_challenge_free(struct scep_challenge *);

int		 store_audit_add(struct db *, long long customer_id, const char *actor,
		    const char *action, const char *object, const char *remote,
		    const char *outcome, const char *detail);
struct audit_list *store_audit_list(struct db *, int limit);
void		 store_audit_list_free(struct audit_list *);

/*
 * maintain.  The claims run inside the caller's BEGIN IMMEDIATE and
 * return the rows they changed (1: this caller took the action, 0:
 * another run did), or -1 on error.
 */
/* Issued SSL certificates due for auto-renewal at now, unclaimed (caller frees). */
struct request_list *store_maint_renewals_due(struct db *, long long now);
/* Claims request id's auto-renewal. */
int		 store_maint_renew_claim(struct db *, long long id, long long now);
/* Gives a claim back after the renewal failed; returns 1 on success. */
int		 store_maint_renew_release(struct db *, long long id);
/*
 * Issued certificates with notAfter in (after, until] whose notice for
 * threshold is not recorded; SCEP ones only when scep (caller frees).
 */
struct request_list *store_maint_notices_due(struct db *, long long after,
		    long long until, int threshold, int scep);
/* Records the notice (INSERT OR IGNORE) before it is sent. */
int		 store_maint_notice_claim(struct db *, long long id, int threshold,
		    long long now);
/* Forgets a notice that could not be sent; returns 1 on success. */
int		 store_maint_notice_release(struct db *, long long id, int threshold);
/*
 * Marks every Issued certificate past its notAfter Expired (with
 * dry_run, only lists them), calling each with every certificate ID.
 * Returns how many, or -1.
 */
int		 store_maint_expire(struct db *, long long now, int dry_run,
		    void (*each)(void *, const char *), void *arg);
/*
 * Marks every request Awaiting validation whose validation code expired
 * or is gone Expired (with dry_run, only lists them), calling each with
 * every request's ID.  Returns how many, or -1.
 */
int		 store_maint_unvalidated(struct db *, long long now, int dry_run,
		    void (*each)(void *, const char *), void *arg);
/* What store_maint_purge deletes. */
enum maint_purge {
	MAINT_PURGE_CODES,	/* validation and invitation codes */
	MAINT_PURGE_P12,	/* one-time PKCS#12 pick-ups */
	MAINT_PURGE_BULK	/* bulk download files and links */
};
/* Deletes (with dry_run, counts) what expired by now; returns how many, or -1. */
int		 store_maint_purge(struct db *, enum maint_purge, long long now,
		    int dry_run);

/*
 * PKCS#12 pick-ups: one file per (request, encoding name) until expires,
 * with the HMAC of the pick-up secret that unlocks it.  The DER is the
 * password-protected file; nothing else of the key is kept.
 */
int		 store_p12_add(struct db *, long long request_id,
		    const char *encoding, const unsigned char *der, size_t len,
		    long long expires, const char *token_hmac);
/*
 * Returns 1 with the file (caller frees, with OPENSSL_clear_free or
 * free) when request_id has one in encoding under token_hmac that
 * expires after now; 0 when it has none (or another secret) or it
 * expired; -1 on error.
 */
int		 store_p12_get(struct db *, long long request_id,
		    const char *encoding, long long now, const char *token_hmac,
		    unsigned char **der, size_t *len);
/* Returns how many pick-up files request_id holds (expired ones too), or -1. */
int		 store_p12_count(struct db *, long long request_id);
/* Returns the latest expiry of request_id's pick-ups after now, 0 if none, -1 on error. */
long long	 store_p12_until(struct db *, long long request_id, long long now);

/*
 * Bulk requests.  store_bulk_add stores b (status Awaiting Approval)
 * with the keyed hash of its status link; tokens are looked up by their
 * keyed hashes, a download token only before its expiry at now.
 */
long long	 store_bulk_add(struct db *, const struct bulk_request *b,
		    const char *status_hmac);
/* Adds line it of bulk request it->bulk_id (Awaiting Approval); returns its id or 0. */
long long	 store_bulk_item_add(struct db *, const struct bulk_item *it);
struct bulk_request *store_bulk_by_id(struct db *, long long id);
struct bulk_request *store_bulk_by_status_token(struct db *,
		    const char *hmac);
struct bulk_request *store_bulk_by_download_token(struct db *,
		    const char *hmac, long long now);
struct bulk_list *store_bulk_list(struct db *, long long customer_id);
/* The lines of a bulk request in order, with their ICRs (caller frees). */
struct bulk_item_list *store_bulk_items(struct db *, long long bulk_id);
/* Sets the status (completed_at once a final one is first set); 1 ok. */
int		 store_bulk_set_status(struct db *, long long id,
		    enum ber_status);
/* Replaces the download link (hmac NULL: none) and its times; 1 ok. */
int		 store_bulk_set_links(struct db *, long long id,
		    const char *hmac, long long expires, long long purge_after);
/* Sets a line's status, its ICR (0: unchanged) and reason; 1 ok. */
int		 store_bulk_item_set(struct db *, long long item_id,
		    enum scr_status, long long request_id, const char *reason);
/*
 * Marks an Approved line Issued with its sealed key; returns 1 when it
 * changed, 0 when the line was not Approved (already done) or on error.
 */
int		 store_bulk_item_issued(struct db *, long long item_id,
		    const unsigned char *sealed, size_t len);
/*
 * Counts one p12 passphrase attempt on bulk request id before it is
 * checked; returns the new count, or 0 when it already has limit (locked)
 * or on error.
 */
int		 store_bulk_pass_failure(struct db *, long long id, int limit);
/* Clears the count after a right passphrase unless it reached limit; 1 or 0. */
int		 store_bulk_pass_ok(struct db *, long long id, int limit);
/* Clears the count of bulk request id, lock or not; 1 or 0. */
int		 store_bulk_unlock(struct db *, long long id);
void		 store_bulk_free(struct bulk_request *);
void		 store_bulk_list_free(struct bulk_list *);
void		 store_bulk_item_free(struct bulk_item *);
void		 store_bulk_item_list_free(struct bulk_item_list *);

/* Throttle counters: failures within a fixed window starting at the first. */
int		 store_throttle_get(struct db *, const char *scope, const char *key,
		    long long *window_start, int *failures);
int		 store_throttle_set(struct db *, const char *scope, const char *key,
		    long long window_start, int failures);
int		 store_throttle_clear(struct db *, const char *scope, const char *key);

#endif
