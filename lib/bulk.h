/*
 * bulk: bulk SSL enrollment (SPEC 4.4, guide 4220-4290) — the BER/SCR/ICR
 * state machine, the issuing of one line, and the sealed delivery that
 * keeps the p12 passphrase out of every store.
 *
 * The passphrase is never stored.  At submission a key pair is made for
 * the request (EC P-256); its public half goes into a self-signed
 * certificate (CMS names recipients by certificate) and its private
 * half is kept only as a PKCS#8 EncryptedPrivateKeyInfo under the
 * passphrase (PBES2: PBKDF2-HMAC-SHA256, AES-256-CBC).  At approval each
 * certificate's new private key is sealed to that certificate (CMS
 * AuthEnvelopedData, AES-256-GCM, ECDH key agreement).  The download
 * page asks for the passphrase, decrypts the request's key with it,
 * opens the seals in memory and builds each PKCS#12 under the same
 * passphrase.  A wrong passphrase fails the PKCS#8 decryption; no hash
 * of it is kept.
 */
#ifndef CERTDESK_BULK_H
#define CERTDESK_BULK_H

#include <stddef.h>

#include <ClearSilver.h>
#include <openssl/evp.h>

#include "audit.h"
#include "buf.h"
#include "bulkcsv.h"
#include "config.h"
#include "db.h"
#include "p12.h"
#include "store.h"

#define BULK_PASS_MIN		8	/* the p12 passphrase */
#define BULK_PASS_MAX		256
#define BULK_KDF_ITER		300000	/* PBKDF2 of the request's key */
#define BULK_KDF_SALT		16	/* its random salt, bytes (OpenSSL's default is 8) */

/*
 * Makes a request's key pair and returns 1 with the recipient
 * certificate (*cert, DER) and the private key encrypted under pass
 * (*p8, DER EncryptedPrivateKeyInfo); the caller frees both with
 * OPENSSL_free.  0 on failure (logged).
 */
int		 bulk_keypair(const char *pass, unsigned char **cert,
		    size_t *cert_len, unsigned char **p8, size_t *p8_len);
/*
 * Returns the request's private key when pass decrypts it (caller frees
 * with EVP_PKEY_free), or NULL for a wrong passphrase or damaged data.
 */
EVP_PKEY	*bulk_open_key(const struct bulk_request *, const char *pass);
/*
 * Seals key (as PKCS#8) to the request's recipient certificate; returns
 * 1 with *out (caller frees with OPENSSL_free), or 0 (logged).
 */
int		 bulk_seal(const struct bulk_request *, EVP_PKEY *key,
		    unsigned char **out, size_t *out_len);
/*
 * Opens a seal with the request's private key; returns the sealed key
 * (caller frees with EVP_PKEY_free), or NULL (logged).
 */
EVP_PKEY	*bulk_unseal(const struct bulk_request *, EVP_PKEY *ber_key,
		    const unsigned char *sealed, size_t len);

/* What a form line may ask for, loaded for one account. */
struct bulk_rules {
	struct bulkcsv_rules	 csv;
	struct profile_list	*profiles;
	struct policy_scope	*scope;
	const char		*software[CONFIG_BULK_SOFTWARE_MAX];
};

/*
 * Loads the rules of account acc (its SSL profiles, its delegations, the
 * configured Server Software) for key type kt; returns 1, or 0 (logged).
 * Free with bulk_rules_free.
 */
int		 bulk_rules_load(struct db *, const struct config *,
		    long long customer_id, const struct account *acc,
		    enum key_type kt, struct bulk_rules *out);
void		 bulk_rules_free(struct bulk_rules *);
/*
 * Sets Bulk.* (ID, Requester, KeyType, Status, Lines) and Bulk.Items.N.*
 * (SCR, Line, CommonName, Names, Profile, Term, Status, ICR, Reason) in
 * hdf for request b and its lines (NULL: none), for the status page and
 * the mails alike.
 */
void		 bulk_set_hdf(HDF *, const struct bulk_request *,
		    const struct bulk_item_list *);

/* What the form submitted, already checked. */
struct bulk_submission {
	long long		 customer_id;
	const struct account	*acc;
	const char		*email;
	enum key_type		 key_type;
	const char		*pass;	/* used, never kept */
	const struct bulkcsv	*csv;	/* with no errors */
};

struct bulk_result {
	long long	 id;
	char		*status_token;	/* the status page's link (caller frees) */
	int		 mailed;	/* the administrators were told */
};

/*
 * Records the request and its lines (Awaiting Approval) in one
 * transaction, then mails "SSL Bulk Awaiting Approval" to the
 * organisation's administrators.  Returns 1 with res filled, or 0 with a
 * message in err and nothing recorded.
 */
int		 bulk_submit(struct db *, const struct config *,
		    const struct bulk_submission *, const struct actor *,
		    struct bulk_result *res, char *err, size_t errlen);

/*
 * Approves the lines scrs[0..n) (n 0: every line) that await approval:
 * each gets its ICR (a request, status Requested) in one transaction.
 * Returns how many were approved, or -1 with a message in err.
 */
int		 bulk_approve(struct db *, long long id, const int *scrs,
		    size_t n, const struct actor *, char *err, size_t errlen);
/* Declines lines as bulk_approve approves them; returns how many, or -1. */
int		 bulk_decline(struct db *, long long id, const int *scrs,
		    size_t n, const char *reason, const struct actor *,
		    char *err, size_t errlen);
/*
 * Marks the ICRs of the request's approved, unfinished lines Applied and
 * returns their line ids (caller frees; *n of them), or NULL with *n 0
 * when there are none or on error.
 */
long long	*bulk_pending(struct db *, long long id, size_t *n);

/* What bulk_process_item did with one line. */
enum bulk_outcome {
	BULK_ITEM_ISSUED,
	BULK_ITEM_FAILED,	/* a rule no longer holds: ICR Rejected, SCR Failed */
	BULK_ITEM_SKIPPED,	/* already final (another run got there) */
	BULK_ITEM_ERROR		/* not done; a later run may retry */
};

struct bulk_worker;

/*
 * Returns a worker for request id on its own connection db (caller frees
 * with bulk_worker_free), or NULL (logged): what every line needs (CA,
 * organisation, delegations, profiles) is loaded once.
 */
struct bulk_worker *bulk_worker_new(struct db *, const struct config *,
		    long long id, const struct actor *);
/*
 * Issues line item_id: checks the rules again, makes the key, signs
 * outside the write lock, seals the key, then records certificate and
 * seal in one transaction that first checks the line is still
 * unissued, so a rerun after a kill issues nothing twice.  Writes the
 * line's number into *scr, the seconds key generation took into
 * *keygen (when not NULL; what the approval is held to) and a reason for
 * a failure into err.
 */
enum bulk_outcome bulk_process_item(struct bulk_worker *, long long item_id,
		    int *scr, double *keygen, char *err, size_t errlen);
void		 bulk_worker_free(struct bulk_worker *);

/*
 * Sets the request's status from its lines (guide 4230-4290); when it
 * becomes final other than Declined, mails "SSL Bulk Enroll Completed"
 * with fresh download links.  Returns 1, or 0 on error; *status (may be
 * NULL) gets the status.
 */
int		 bulk_settle(struct db *, const struct config *, long long id,
		    const struct actor *, enum ber_status *status);
/*
 * Mails the requester fresh download links valid config_bulk_link_ttl,
 * then stores them in place of the old ones.  Returns 1 when the mail
 * was handed over and the links stored; 0 when the mail was not sent
 * (the old links, if any, still work); -1 when it was sent but the new
 * links could not be stored (they do not work; the old ones still do).
 */
int		 bulk_send_links(struct db *, const struct config *,
		    long long id, const struct actor *);

/*
 * Returns the PBKDF2/MAC iteration count of bulk PKCS#12 files: at least
 * BULK_KDF_ITER, the count of the request's key under the same passphrase.
 */
int		 bulk_p12_iterations(const struct config *);
/*
 * Builds the PKCS#12 of an issued line under pass from its seal; returns
 * 1 with *der (caller frees with OPENSSL_clear_free) or 0 (logged).
 */
int		 bulk_p12(struct db *, const struct config *,
		    const struct bulk_request *, const struct bulk_item *,
		    EVP_PKEY *ber_key, const char *pass, enum p12_encoding,
		    unsigned char **der, size_t *len);
/*
 * Builds a zip of the PKCS#12 of every issued line (named by SCR and
 * Common Name) into out (caller frees with buf_free_secret); 1 or 0.
 */
int		 bulk_zip(struct db *, const struct config *,
		    const struct bulk_request *, const struct bulk_item_list *,
		    EVP_PKEY *ber_key, const char *pass, enum p12_encoding,
		    struct buf *out);
/*
 * Writes the address of a request's page, action "status" or "download",
 * with its token into out: base ("" for a path) then the form's own path,
 * with the endpoint's extension ext ("" for none).  1, or 0 when it does
 * not fit.
 */
int		 bulk_url(char *out, size_t len, const char *base,
		    const char *customer_uri, const char *ext,
		    const char *action, const char *token);
/* Writes the file name of an issued line's PKCS#12 ("3-www.example.com.p12"). */
void		 bulk_p12_name(const struct bulk_item *, char *out, size_t len);

#endif
