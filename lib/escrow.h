/*
 * escrow: key escrow (SPEC 4.3).  A server-made private key is sealed, as
 * DER PKCS#8, in one CMS AuthEnvelopedData (AES-256-GCM) with one
 * recipient per tier the organisation and department require, so that
 * any one tier key opens it — with certdesk, or with stock
 * `openssl cms -decrypt` when certdesk is gone.  The tier keys are made
 * here too; only their self-signed certificates are ever stored.
 */
#ifndef CERTDESK_ESCROW_H
#define CERTDESK_ESCROW_H

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "csr.h"

struct db;

enum escrow_tier {
	ESCROW_MASTER,		/* the customer's master administrators */
	ESCROW_ORG,		/* one organisation's administrators */
	ESCROW_DEPT		/* one department's administrators */
};
#define ESCROW_N_TIERS	3

#define ESCROW_MAX_SHARES	255	/* Shamir shares are numbered 1..255 */

/* The message a person sees while a required tier has no key (guide 12.5.1). */
#define ESCROW_BLOCKED_MSG	"Client certificates cannot be issued " \
	"until your administrator sets up key escrow."

/* Returns "master", "organization" or "department" (static). */
const char	*escrow_tier_name(enum escrow_tier);
/* Returns the tier named by name ("org" and "dept" too), or -1. */
int		 escrow_tier_parse(const char *name);

/*
 * Seals the DER PKCS#8 PrivateKeyInfo p8 to the n tier certificates
 * recips (RSA: KeyTransRecipientInfo, RSAES-OAEP SHA-256/MGF1-SHA-256;
 * EC: KeyAgreeRecipientInfo, dhSinglePass-stdDH-sha256kdf, AES-256 key
 * wrap).  Returns 1 with the DER CMS in *der (caller frees with
 * OPENSSL_free) and *len, or 0 (logged).  p8 stays the caller's.
 */
int		 escrow_seal(const unsigned char *p8, size_t p8len,
		    X509 *const *recips, size_t n, unsigned char **der,
		    size_t *len);
/*
 * Returns the DER PKCS#8 PrivateKeyInfo of key (caller frees with
 * OPENSSL_clear_free(*p8, *len)), or NULL.
 */
unsigned char	*escrow_p8(EVP_PKEY *key, size_t *len);
/* Returns the key of a DER PKCS#8 PrivateKeyInfo (caller frees), or NULL. */
EVP_PKEY	*escrow_p8_key(const unsigned char *p8, size_t len);

enum escrow_open {
	ESCROW_OPENED,
	ESCROW_NOT_RECIPIENT,	/* cert names no recipient of the blob */
	ESCROW_BROKEN		/* not a blob, or the key does not open it */
};
/*
 * Opens blob der with the tier key tier_key whose certificate is
 * tier_cert.  On ESCROW_OPENED *p8 holds the DER PKCS#8 (caller frees
 * with OPENSSL_clear_free(*p8, *p8len)).
 */
enum escrow_open escrow_open(const unsigned char *der, size_t len,
		    X509 *tier_cert, EVP_PKEY *tier_key, unsigned char **p8,
		    size_t *p8len);

/*
 * Makes a tier key pair of type (RSA 3072/4096 or EC P-384 in practice)
 * and its self-signed certificate with subject CN=cn, a Subject Key
 * Identifier and the key usage a recipient needs.  Returns 1 with *key
 * and *cert (caller frees both), or 0 (logged).
 */
int		 escrow_tier_make(enum key_type type, const char *cn,
		    EVP_PKEY **key, X509 **cert);
/* Returns the certificate's Subject Key Identifier as lowercase hex (caller frees), or NULL. */
char		*escrow_key_id(X509 *cert);
/*
 * Returns the PEM of key as PKCS#8 (caller frees with
 * OPENSSL_clear_free(pem, *len)), encrypted with PBES2 (PBKDF2-HMAC-
 * SHA256, AES-256-CBC) under passphrase unless it is NULL; NULL on error.
 */
char		*escrow_key_pem(EVP_PKEY *key, const char *passphrase,
		    size_t *len);
/*
 * Returns the private key in pem (PEM PKCS#8, encrypted or not, or a
 * traditional PEM key) opened with passphrase (may be NULL), or NULL
 * with *why set: "wrong passphrase or damaged key file" or "no private
 * key in the file".
 */
EVP_PKEY	*escrow_key_parse(const unsigned char *pem, size_t len,
		    const char *passphrase, const char **why);

/*
 * Splits secret into n Shamir shares of which any m rejoin it, each as
 * long as secret, in the format of gfsplit(1): share i is shares[i] with
 * the share number nrs[i] (distinct, 1..255, random).  shares must hold
 * n buffers of len bytes.  Returns 1, or 0.
 */
int		 escrow_split(const unsigned char *secret, size_t len,
		    unsigned n, unsigned m, unsigned char *const *shares,
		    unsigned char *nrs);
/*
 * Rejoins n shares of len bytes with numbers nrs into out (len bytes).
 * Fewer than the threshold gives bytes that are not the secret; the
 * caller finds that out when it parses them.  Returns 1, or 0.
 */
int		 escrow_combine(const unsigned char *const *shares,
		    const unsigned char *nrs, unsigned n, size_t len,
		    unsigned char *out);
/*
 * Returns the share number of a gfsplit share file name (the decimal
 * suffix after the last dot: "tier.key.042" is 42), or 0 when it has none.
 */
unsigned	 escrow_share_nr(const char *path);

/* ---- records (lib/store_escrow.c) ---- */

/* A tier key as recorded; escrow_key_free frees it. */
struct escrow_key {
	long long	 id, customer_id;
	long long	 org_id, dept_id;	/* 0: none (master tier) */
	enum escrow_tier tier;
	int		 version;
	char		*key_id;		/* hex Subject Key Identifier */
	char		*key_type;		/* "rsa3072", "rsa4096", "ec384" */
	X509		*cert;			/* self-signed tier certificate */
	char		*state;			/* pending, active, retired */
	long long	 created;
	char		*org_name, *dept_name;	/* "" when none */
	long long	 blobs;			/* current blobs sealed to it */
};
struct escrow_key_list {
	struct escrow_key	**items;
	size_t			  n;
};
/* One sealed key: the blob of a request. */
struct escrow_blob {
	long long	 id, request_id;
	unsigned char	*der;
	size_t		 len;
};
struct escrow_blob_list {
	struct escrow_blob	**items;
	size_t			  n;
};

/* Inserts k (its cert, tier and scope, version, key id and type) in state; returns the id or 0. */
long long	 store_escrow_key_add(struct db *, const struct escrow_key *k,
		    const char *state);
/* Returns the keys of a tier scope in state, oldest version first, or NULL. */
struct escrow_key_list *store_escrow_keys_find(struct db *,
		    long long customer_id, enum escrow_tier, long long org_id,
		    long long dept_id, const char *state);
/* Returns the active key of a tier scope (caller frees), or NULL. */
struct escrow_key *store_escrow_key_active(struct db *, long long customer_id,
		    enum escrow_tier, long long org_id, long long dept_id);
/* Returns the version the next key of a tier scope gets, or 0 on error. */
int		 store_escrow_key_next_version(struct db *,
		    long long customer_id, enum escrow_tier, long long org_id,
		    long long dept_id);
/* Returns every active key of the customer, master first, or NULL. */
struct escrow_key_list *store_escrow_key_list(struct db *,
		    long long customer_id);
/* Returns every pending key of the customer, oldest first (caller frees), or NULL. */
struct escrow_key_list *store_escrow_keys_pending(struct db *,
		    long long customer_id);
/* Sets a key's state; returns 1 when a row changed. */
int		 store_escrow_key_set_state(struct db *, long long id,
		    const char *state);
/*
 * Marks a pending key discarded (retired, never active; its pending
 * blobs must be gone) and keeps it, so its version is never reused;
 * returns 1 when it was pending.
 */
int		 store_escrow_key_discard(struct db *, long long id);
void		 escrow_key_free(struct escrow_key *);
void		 escrow_key_list_free(struct escrow_key_list *);

/* Inserts a blob of request_id in state ("current", "pending"); returns its id or 0. */
long long	 store_escrow_blob_add(struct db *, long long request_id,
		    const unsigned char *der, size_t len, const char *state);
/* Records that blob_id is sealed to key k; returns 1 on success. */
int		 store_escrow_recipient_add(struct db *, long long blob_id,
		    const struct escrow_key *k);
/* Returns the current blob of a request (caller frees), or NULL. */
struct escrow_blob *store_escrow_blob_by_request(struct db *,
		    long long request_id);
/*
 * Returns up to limit blobs in state sealed to key key_id with ids above
 * after, in id order (caller frees), or NULL on error.  Current blobs
 * whose request already has a pending one sealed to twin_key_id
 * (re-encrypted to that new key, not yet swapped in) are left out.
 */
struct escrow_blob_list *store_escrow_blob_page(struct db *, long long key_id,
		    const char *state, long long twin_key_id, long long after,
		    int limit);
/* Returns how many blobs in state are sealed to key_id, or -1. */
long long	 store_escrow_blob_count(struct db *, long long key_id,
		    const char *state);
/*
 * Returns how many current blobs of customer_id have a recipient that is
 * not an active key (sealed to a retired key: nothing re-seals them), or
 * -1.  Always 0 unless something went wrong.
 */
long long	 store_escrow_blob_stale(struct db *, long long customer_id);
/* Deletes the blobs in state sealed to key_id (and their recipients); 1 on success. */
int		 store_escrow_blob_delete(struct db *, long long key_id,
		    const char *state);
/* Makes the pending blobs sealed to key_id current; 1 on success. */
int		 store_escrow_blob_promote(struct db *, long long key_id);
/* Returns the keys blob_id is sealed to (caller frees), or NULL. */
struct escrow_key_list *store_escrow_recipients(struct db *, long long blob_id);
void		 escrow_blob_free(struct escrow_blob *);
void		 escrow_blob_list_free(struct escrow_blob_list *);

/* ---- what issuance asks ---- */

/*
 * Returns the active keys of every tier the organisation org_id (and the
 * department dept_id, 0 for none) require, in *keys (caller frees; empty
 * when none is required).  Returns 1 when every required tier has a key;
 * 0 when one has none, with the missing tiers named in missing ("master,
 * organization"); -1 on a database error.
 */
int		 escrow_required(struct db *, long long org_id,
		    long long dept_id, struct escrow_key_list **keys,
		    char *missing, size_t missinglen);
/*
 * Records blob der of request_id in state with one recipient row per key
 * of keys, inside the caller's transaction; returns 1 on success.
 */
int		 escrow_record(struct db *, long long request_id,
		    const unsigned char *der, size_t len, const char *state,
		    const struct escrow_key_list *keys);
/* Returns the certificates of keys in an array (caller frees the array only), or NULL. */
X509		**escrow_key_certs(const struct escrow_key_list *keys);

#endif
