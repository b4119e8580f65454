/*
 * clientcert: the client (S/MIME) certificate pipeline.  Everything slow
 * (key generation, signature, PKCS#12 encryption) happens before the
 * write transaction; the transaction only records, so a crash before
 * COMMIT leaves nothing and one after it leaves everything.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "buf.h"
#include "cacache.h"
#include "clientcert.h"
#include "escrow.h"
#include "issue.h"
#include "keygen.h"
#include "log.h"
#include "notify.h"
#include "p12.h"
#include "person.h"
#include "policy.h"
#include "secret.h"
#include "store.h"
#include "throttle.h"
#include "vcode.h"

#define CLIENTCERT_GENERIC	"The certificate could not be issued. " \
	"Please try again later."

/* What one run of the pipeline holds; clientcert_issue frees it all. */
struct cc {
	struct db			*db;
	const struct config		*cfg;
	const struct clientcert_order	*o;
	struct customer			*cust;
	struct account			*acc;
	struct profile			*prof;
	struct org			*org;
	struct ca_rec			*rec;
	struct cacache			*ca;		/* owned by the cache */
	struct policy_scope		*scope;
	char				*cn;		/* the certificate's CN */
	char				*email;		/* order->email, writable for the view */
	EVP_PKEY			*key;		/* server-made, else NULL */
	struct csr			 view;		/* what policy and issue_make read */
	char				*emails[1];
	struct request			 rq;		/* the row as recorded */
	unsigned char			*csr_der;	/* user CSR, stored without challenge */
	struct issue_cert		 ic;
	unsigned char			*p12[P12_N_ENCODINGS];
	size_t				 p12_len[P12_N_ENCODINGS];
	struct escrow_key_list		*escrow;	/* tiers to seal to, or NULL */
	unsigned char			*blob;		/* the sealed key, or NULL */
	size_t				 blob_len;
	char				*cert_id;
	char				*pickup;	/* the pick-up secret, hex */
	char				*old_id;	/* a renewal: the renewed certificate's ID */
	long long			 old_ca;	/* and its CA, whose CRL lists it */
	long long			 row_id;	/* the request recorded */
	char				*err;
	size_t				 errlen;
};

/* Writes a message for the person into the result and returns st. */
static enum clientcert_status __attribute__((format(printf, 3, 4)))
cc_fail(struct cc *c, enum clientcert_status st, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
	return st;
}

/* Returns the number of characters (not bytes) of the UTF-8 text s. */
static size_t
utf8_chars(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* Returns "a b c" of the non-empty parts (caller frees), or NULL. */
static char *
join_names(const char *a, const char *b, const char *c)
{
	const char	*parts[3] = { a, b, c };
	struct buf	 out = { 0 };
	size_t		 i;

	for (i = 0; i < 3; i++) {
		if (parts[i] == NULL || *parts[i] == '\0')
			continue;
		if ((out.len > 0 && !buf_puts(&out, " ")) ||
		    !buf_puts(&out, parts[i])) {
			buf_free(&out);
			return NULL;
		}
	}
	if (out.len == 0 && !buf_puts(&out, "")) {
		buf_free(&out);
		return NULL;
	}
	return buf_take(&out);
}

/*
 * Settles the certificate's CN: "First Middle Last" as the person gave
 * them, without the middle name when that would pass the 64 characters a
 * CN may hold; the common name of the person on record only when the
 * order carries no names (an invitation of someone the CSV gave only a
 * common name).
 */
static enum clientcert_status
cc_name(struct cc *c)
{
	const struct clientcert_order	*o = c->o;
	struct person			*p;

	c->cn = join_names(o->first, o->middle, o->last);
	if (c->cn != NULL && utf8_chars(c->cn) > CSR_MAX_CN) {
		free(c->cn);
		c->cn = join_names(o->first, NULL, o->last);
	}
	if (c->cn != NULL && c->cn[0] == '\0' &&
	    (p = store_person_by_email(c->db, o->org_id, o->email)) != NULL) {
		free(c->cn);
		c->cn = p->common_name[0] != '\0' ? strdup(p->common_name) :
		    join_names(p->first_name, p->middle_name, p->last_name);
		store_person_free(p);
	}
	if (c->cn == NULL)
		return cc_fail(c, CLIENTCERT_FAILED, CLIENTCERT_GENERIC);
	if (c->cn[0] == '\0')
		return cc_fail(c, CLIENTCERT_REFUSED, "Enter your first and "
		    "last name: the certificate carries your name.");
	if (utf8_chars(c->cn) > CSR_MAX_CN)
		return cc_fail(c, CLIENTCERT_REFUSED, "Your first and last "
		    "name together are too long for a certificate (at most "
		    "%d characters).", CSR_MAX_CN);
	return CLIENTCERT_OK;
}

/* Returns 1 when the profile is one of the account's. */
static int
profile_assigned(struct db *db, long long account_id, long long profile_id)
{
	struct profile_list	*l;
	size_t			 i;
	int			 found = 0;

	if ((l = store_account_profiles(db, account_id)) == NULL)
		return 0;
	for (i = 0; i < l->n; i++)
		if (l->items[i]->id == profile_id)
			found = 1;
	store_profile_list_free(l);
	return found;
}

/* Loads what the order names and checks it belongs together. */
static enum clientcert_status
cc_load(struct cc *c)
{
	const struct clientcert_order	*o = c->o;
	struct request			*old;

	if ((c->cust = store_customer_by_id(c->db, o->customer_id)) == NULL ||
	    (c->acc = store_account_by_id(c->db, o->account_id)) == NULL ||
	    (c->prof = store_profile_by_id(c->db, o->profile_id)) == NULL ||
	    (c->org = store_org_by_id(c->db, o->org_id)) == NULL) {
		log_err("clientcert: order names an unknown customer, account, "
		    "profile or organisation");
		return cc_fail(c, CLIENTCERT_FAILED, CLIENTCERT_GENERIC);
	}
	if (c->prof->customer_id != c->cust->id ||
	    c->org->customer_id != c->cust->id ||
	    c->acc->org_id != o->org_id) {
		log_err("clientcert: account %lld, profile %lld and "
		    "organisation %lld do not belong together", c->acc->id,
		    c->prof->id, c->org->id);
		return cc_fail(c, CLIENTCERT_FAILED, CLIENTCERT_GENERIC);
	}
	if (c->prof->type != CERT_SMIME ||
	    !profile_assigned(c->db, c->acc->id, c->prof->id))
		return cc_fail(c, CLIENTCERT_REFUSED, "The certificate "
		    "profile %s is not offered for client certificates here.",
		    c->prof->name);
	if (!policy_term_allowed(c->prof->terms, o->term_days))
		return cc_fail(c, CLIENTCERT_REFUSED, "The certificate term "
		    "of %d days is not one the profile %s allows.",
		    o->term_days, c->prof->name);
	if (o->renewal_of != 0) {
		old = store_request_by_id(c->db, o->renewal_of);
		if (old == NULL || old->customer_id != c->cust->id ||
		    old->type != CERT_SMIME) {
			store_request_free(old);
			log_err("clientcert: renewal of %lld, not a client "
			    "certificate of this customer", o->renewal_of);
			return cc_fail(c, CLIENTCERT_FAILED,
			    CLIENTCERT_GENERIC);
		}
		c->old_ca = old->ca_id;
		c->old_id = strdup(old->cert_id);
		store_request_free(old);
		if (c->old_id == NULL)
			return cc_fail(c, CLIENTCERT_FAILED,
			    CLIENTCERT_GENERIC);
	}
	if ((c->rec = store_ca_for_customer(c->db, c->cust->id)) == NULL ||
	    (c->ca = cacache_get(c->cfg, c->cust, c->rec)) == NULL) {
		log_err("clientcert: customer %s has no usable CA",
		    c->cust->uri);
		return cc_fail(c, CLIENTCERT_FAILED, CLIENTCERT_GENERIC);
	}
	if ((c->scope = policy_scope_load(c->db, c->cust->id, o->org_id,
	    o->dept_id)) == NULL)
		return cc_fail(c, CLIENTCERT_FAILED, CLIENTCERT_GENERIC);
	return CLIENTCERT_OK;
}

/*
 * Applies the S/MIME rule to what the certificate will name (the CN and
 * the email as its one rfc822Name), the same rule SCEP's S/MIME
 * endpoints apply to a CSR, and the profile's key rule to the key.
 */
static enum clientcert_status
cc_policy(struct cc *c)
{
	const struct clientcert_order	*o = c->o;
	char				 err[256];
	unsigned			 mask;

	if ((c->email = strdup(o->email)) == NULL)
		return cc_fail(c, CLIENTCERT_FAILED, CLIENTCERT_GENERIC);
	c->emails[0] = c->email;
	c->view.cn = c->cn;
	c->view.emails = c->emails;
	c->view.nemails = 1;
	if (!policy_check_smime(c->scope, &c->view, err, sizeof(err)))
		return cc_fail(c, CLIENTCERT_REFUSED, "This certificate "
		    "cannot be issued: %s.", err);
	if (o->csr != NULL) {
		if (!policy_check_key(c->prof->key_types, c->prof->name,
		    o->csr, err, sizeof(err)))
			return cc_fail(c, CLIENTCERT_REFUSED, "This "
			    "certificate cannot be issued: %s.", err);
		return CLIENTCERT_OK;
	}
	if ((mask = key_types_parse(c->prof->key_types)) == 0)
		mask = KEY_ALL;
	/* KEY_* holds nothing below RSA 2048 or P-256. */
	if (!policy_key_allowed(mask, o->key_type))
		return cc_fail(c, CLIENTCERT_REFUSED, "The key type %s is not "
		    "one the profile %s allows.", key_type_name(o->key_type),
		    c->prof->name);
	if (o->password == NULL ||
	    (o->password[0] == '\0' && !c->acc->allow_empty_p12))
		return cc_fail(c, CLIENTCERT_REFUSED, "Choose a password for "
		    "the certificate file.");
	return CLIENTCERT_OK;
}

/* Makes the key (or takes the user's) and fills the row to record. */
static enum clientcert_status
cc_key(struct cc *c)
{
	const struct clientcert_order	*o = c->o;
	struct request			*r = &c->rq;

	if (o->csr != NULL) {
		/* The certificate carries the CSR's key, in its own encoding. */
		c->view.req = o->csr->req;
		c->view.pkey = o->csr->pkey;
		c->view.key_type = o->csr->key_type;
		if ((c->csr_der = csr_der_without_challenge(o->csr,
		    &r->csr_len)) == NULL)
			return cc_fail(c, CLIENTCERT_FAILED,
			    CLIENTCERT_GENERIC);
		r->csr_der = c->csr_der;
	} else {
		if ((c->key = keygen_make(o->key_type)) == NULL)
			return cc_fail(c, CLIENTCERT_FAILED,
			    CLIENTCERT_GENERIC);
		c->view.pkey = c->key;
		c->view.key_type = o->key_type;
	}
	r->customer_id = c->cust->id;
	r->type = CERT_SMIME;
	r->via = (char *)(o->via != NULL ? o->via : "web");
	r->status = REQ_ISSUED;
	r->account_id = c->acc->id;
	r->profile_id = c->prof->id;
	r->org_id = o->org_id;
	r->dept_id = o->dept_id;
	r->ca_id = c->rec->id;
	r->term_days = o->term_days;
	r->common_name = c->cn;
	r->sans = c->email;
	r->requester_email = c->email;
	r->passphrase_hash = (char *)o->passphrase_hash;
	r->renewal_of = o->renewal_of;
	r->key_type = c->view.key_type;
	r->first_name = (char *)(o->first != NULL ? o->first : "");
	r->middle_name = (char *)(o->middle != NULL ? o->middle : "");
	r->last_name = (char *)(o->last != NULL ? o->last : "");
	return CLIENTCERT_OK;
}

/* Signs with the worker's loaded CA; touches no database. */
static enum clientcert_status
cc_sign(struct cc *c)
{
	if (!issue_make(c->ca->ca, c->ca->crl_url, &c->rq, &c->view, c->org,
	    c->prof, NULL, &c->ic))
		return cc_fail(c, CLIENTCERT_FAILED, CLIENTCERT_GENERIC);
	return CLIENTCERT_OK;
}

/* Builds both PKCS#12 files: key, certificate, the CA and its chain. */
static enum clientcert_status
cc_p12(struct cc *c)
{
	STACK_OF(X509)	*chain = NULL;
	char		*friendly = NULL;
	int		 i, iter, ok = 0;

	if (c->key == NULL)
		return CLIENTCERT_OK;	/* the user holds the key */
	if ((chain = sk_X509_new_null()) == NULL ||
	    !sk_X509_push(chain, c->ca->ca->cert))
		goto out;
	for (i = 0; i < sk_X509_num(c->ca->ca->chain); i++)
		if (!sk_X509_push(chain, sk_X509_value(c->ca->ca->chain, i)))
			goto out;
	/* What a key store lists the key as: the person and the address. */
	if ((c->o->first != NULL && c->o->first[0] != '\0' &&
	    c->o->last != NULL && c->o->last[0] != '\0' ?
	    asprintf(&friendly, "%s %s <%s>", c->o->first, c->o->last,
	    c->email) : asprintf(&friendly, "%s <%s>", c->cn, c->email)) ==
	    -1) {
		friendly = NULL;
		goto out;
	}
	iter = config_p12_iterations(c->cfg);
	for (i = 0; i < P12_N_ENCODINGS; i++)
		if (!p12_build((enum p12_encoding)i, c->key, c->ic.cert, chain,
		    friendly, c->o->password, iter, &c->p12[i],
		    &c->p12_len[i]))
			goto out;
	ok = 1;
out:
	free(friendly);
	sk_X509_free(chain);	/* the certificates are the CA's */
	return ok ? CLIENTCERT_OK :
	    cc_fail(c, CLIENTCERT_FAILED, CLIENTCERT_GENERIC);
}

void	(*clientcert_before_record)(struct db *);

/*
 * The administrators of an organisation hear that escrow is not set up
 * at most once per ESCROW_NOTICE_WINDOW: every refused order would
 * otherwise mail them again.
 */
#define ESCROW_NOTICE_SCOPE	"escrow-notice"
#define ESCROW_NOTICE_WINDOW	3600LL

int
clientcert_escrow_ready(struct db *db, const struct config *cfg,
    long long customer_id, long long org_id, long long dept_id,
    const char *email, const struct actor *who,
    struct escrow_key_list **keys)
{
	struct escrow_key_list	*l = NULL;
	char			 missing[128], detail[192], key[32];
	int			 r;

	r = escrow_required(db, org_id, dept_id, &l, missing,
	    sizeof(missing));
	if (keys != NULL)
		*keys = l;
	else
		escrow_key_list_free(l);
	if (r != 0)
		return r;
	snprintf(detail, sizeof(detail), "key escrow not set up: %s",
	    missing);
	audit_event(db, customer_id, who, "certificate.issue", email,
	    "refused", detail);
	snprintf(key, sizeof(key), "org:%lld", org_id);
	if (throttle_attempt_n(db, ESCROW_NOTICE_SCOPE, key, 1,
	    ESCROW_NOTICE_WINDOW) && !notify_escrow_missing(db, cfg, org_id,
	    dept_id, email, missing))
		/* Not sent: the next refusal tries again. */
		(void)throttle_refund(db, ESCROW_NOTICE_SCOPE, key);
	return 0;
}

/*
 * Loads the escrow tiers the organisation and department require, before
 * any key exists.  A required tier without a key refuses the order with
 * the message for the person, tells the organisation's administrators,
 * and leaves nothing behind but the audit event (guide 12.5.1).  A
 * user's CSR is never escrowed: the server never sees that key.
 */
static enum clientcert_status
cc_escrow_check(struct cc *c, const struct actor *who)
{
	if (c->o->csr != NULL)
		return CLIENTCERT_OK;
	switch (clientcert_escrow_ready(c->db, c->cfg, c->cust->id,
	    c->o->org_id, c->o->dept_id, c->o->email, who, &c->escrow)) {
	case 1:
		return CLIENTCERT_OK;
	case 0:
		return cc_fail(c, CLIENTCERT_REFUSED, ESCROW_BLOCKED_MSG);
	default:
		return cc_fail(c, CLIENTCERT_FAILED, CLIENTCERT_GENERIC);
	}
}

/*
 * Seals the server-made key to every required tier (SPEC 4.3), after the
 * PKCS#12 files so that the plaintext PKCS#8 exists only here, cleansed
 * at once; cc_record stores the blob in the certificate's transaction.
 */
static enum clientcert_status
cc_escrow_seal(struct cc *c)
{
	unsigned char	*p8;
	size_t		 p8len = 0;
	X509		**certs;
	int		 ok;

	if (c->key == NULL || c->escrow == NULL || c->escrow->n == 0)
		return CLIENTCERT_OK;
	if ((certs = escrow_key_certs(c->escrow)) == NULL)
		return cc_fail(c, CLIENTCERT_FAILED, CLIENTCERT_GENERIC);
	if ((p8 = escrow_p8(c->key, &p8len)) == NULL) {
		free(certs);
		return cc_fail(c, CLIENTCERT_FAILED, CLIENTCERT_GENERIC);
	}
	ok = escrow_seal(p8, p8len, certs, c->escrow->n, &c->blob,
	    &c->blob_len);
	OPENSSL_clear_free(p8, p8len);
	free(certs);
	return ok ? CLIENTCERT_OK :
	    cc_fail(c, CLIENTCERT_FAILED, CLIENTCERT_GENERIC);
}

/*
 * Returns CLIENTCERT_OK when the blob is sealed to the tier keys active
 * now, inside cc_record's transaction.  An `escrow reencrypt` may have
 * swapped a tier key in since cc_escrow_check read them; a blob sealed
 * only to the retired key would never be re-sealed, so the key (still
 * in memory) is sealed again to the fresh keys.
 */
static enum clientcert_status
cc_escrow_fresh(struct cc *c)
{
	struct escrow_key_list	*l = NULL;
	char			 missing[128];
	size_t			 i;
	int			 r, same;

	if (c->blob == NULL)
		return CLIENTCERT_OK;
	r = escrow_required(c->db, c->o->org_id, c->o->dept_id, &l, missing,
	    sizeof(missing));
	if (r != 1) {
		escrow_key_list_free(l);
		return r == 0 ? cc_fail(c, CLIENTCERT_REFUSED,
		    ESCROW_BLOCKED_MSG) : cc_fail(c, CLIENTCERT_FAILED,
		    CLIENTCERT_GENERIC);
	}
	same = l->n == c->escrow->n;
	for (i = 0; same && i < l->n; i++)
		same = l->items[i]->id == c->escrow->items[i]->id;
	if (same) {
		escrow_key_list_free(l);
		return CLIENTCERT_OK;
	}
	escrow_key_list_free(c->escrow);
	c->escrow = l;
	OPENSSL_free(c->blob);
	c->blob = NULL;
	c->blob_len = 0;
	return cc_escrow_seal(c);
}

/*
 * Writes the HMAC under which the pick-up secret is stored (the prefix
 * keeps it apart from the server key's other keyed hashes); returns 1,
 * or 0 for a secret that cannot be one (NULL or too long).
 */
static int
pickup_mac(const char *secret, char mac[SECRET_HMAC_HEX])
{
	char	 in[sizeof("p12:") + 2 * CLIENTCERT_PICKUP_BYTES];
	int	 ok;

	if (secret == NULL || strlen(secret) != 2 * CLIENTCERT_PICKUP_BYTES)
		return 0;
	snprintf(in, sizeof(in), "p12:%s", secret);
	ok = secret_hmac_hex(in, mac);
	OPENSSL_cleanse(in, sizeof(in));
	return ok;
}

/*
 * Revokes the renewed certificate as superseded inside cc_record's
 * transaction, so the two never part; refuses the renewal when it is no
 * longer Issued (revoked or renewed meanwhile).
 */
static enum clientcert_status
cc_supersede(struct cc *c, const struct actor *who)
{
	char	 comment[128];

	snprintf(comment, sizeof(comment), "renewed by %s", c->cert_id);
	if (!store_request_revoke(c->db, c->o->renewal_of, 4, comment))
		return cc_fail(c, CLIENTCERT_REFUSED, "The certificate you "
		    "renew has been revoked or renewed meanwhile and cannot be "
		    "renewed. Please enroll a new certificate instead.");
	audit_event(c->db, c->cust->id, who, "certificate.revoke", c->old_id,
	    "success", issue_reason_name(4));
	return CLIENTCERT_OK;
}

/* Records everything in one transaction; nothing is kept when it fails. */
static enum clientcert_status
cc_record(struct cc *c, const struct actor *who)
{
	const struct clientcert_order	*o = c->o;
	struct person			*p = NULL;
	struct request			*row = NULL;
	enum clientcert_status		 st = CLIENTCERT_FAILED;
	long long			 id, expires;
	char				 mac[SECRET_HMAC_HEX];
	int				 i;

	/* Only a browser that holds the secret gets the files. */
	if (c->key != NULL && ((c->pickup = secret_token(
	    CLIENTCERT_PICKUP_BYTES)) == NULL || !pickup_mac(c->pickup, mac)))
		return cc_fail(c, CLIENTCERT_FAILED, CLIENTCERT_GENERIC);
	if (!db_begin(c->db))
		return cc_fail(c, CLIENTCERT_FAILED, CLIENTCERT_GENERIC);
	if (o->vcode_id != 0 && !vcode_consume(c->db, o->vcode_id)) {
		st = cc_fail(c, CLIENTCERT_CODE_USED, "This code has already "
		    "been used.");
		goto out;
	}
	if ((p = person_get_or_add(c->db, o->org_id, o->dept_id, c->email,
	    o->first, o->middle, o->last)) == NULL)
		goto fail;
	c->rq.person_id = p->id;
	if (o->request_id != 0) {
		if ((row = store_request_by_id(c->db, o->request_id)) == NULL ||
		    row->customer_id != c->cust->id ||
		    row->type != CERT_SMIME) {
			log_err("clientcert: request %lld is not a client "
			    "request of this customer", o->request_id);
			goto fail;
		}
		if (row->status != REQ_AWAITING_VALIDATION) {
			st = cc_fail(c, CLIENTCERT_CODE_USED, "This request "
			    "has already been validated.");
			goto out;
		}
		if (!issue_record(c->db, row->id, row->cert_id, c->rec->id,
		    &c->ic) || !store_request_set_client(c->db, row->id,
		    &c->rq))
			goto fail;
		id = row->id;
		c->cert_id = strdup(row->cert_id);
	} else {
		if ((id = issue_add_issued(c->db, &c->rq, c->rec->id,
		    &c->ic)) == 0)
			goto fail;
		c->cert_id = c->rq.cert_id;
		c->rq.cert_id = NULL;
	}
	if (c->cert_id == NULL)
		goto fail;
	c->row_id = id;
	if ((st = cc_escrow_fresh(c)) != CLIENTCERT_OK)
		goto out;
	if (c->blob != NULL && !escrow_record(c->db, id, c->blob, c->blob_len,
	    "current", c->escrow))
		goto fail;
	expires = store_now() + CLIENTCERT_PICKUP_SECONDS;
	for (i = 0; i < P12_N_ENCODINGS; i++)
		if (c->p12[i] != NULL && !store_p12_add(c->db, id,
		    p12_encoding_name((enum p12_encoding)i), c->p12[i],
		    c->p12_len[i], expires, mac))
			goto fail;
	audit_event(c->db, c->cust->id, who, "certificate.issue", c->cert_id,
	    "success", c->ic.serial);
	if (o->renewal_of != 0 && (st = cc_supersede(c, who)) != CLIENTCERT_OK)
		goto out;
	if (!db_commit(c->db))
		goto fail;
	st = CLIENTCERT_OK;
	goto out;
fail:
	st = cc_fail(c, CLIENTCERT_FAILED, CLIENTCERT_GENERIC);
out:
	if (st != CLIENTCERT_OK) {
		db_rollback(c->db);
		free(c->cert_id);
		c->cert_id = NULL;
	}
	store_request_free(row);
	store_person_free(p);
	return st;
}

/* Frees and cleanses what the pipeline held. */
static void
cc_free(struct cc *c)
{
	int	 i;

	for (i = 0; i < P12_N_ENCODINGS; i++)
		OPENSSL_clear_free(c->p12[i], c->p12_len[i]);
	OPENSSL_free(c->blob);
	escrow_key_list_free(c->escrow);
	EVP_PKEY_free(c->key);		/* cleanses the private part */
	issue_cert_free(&c->ic);
	free(c->rq.cert_id);
	free(c->csr_der);
	free(c->cert_id);
	free(c->old_id);
	if (c->pickup != NULL) {
		OPENSSL_cleanse(c->pickup, strlen(c->pickup));
		free(c->pickup);
	}
	free(c->email);
	free(c->cn);
	policy_scope_free(c->scope);
	store_ca_free(c->rec);
	store_org_free(c->org);
	store_profile_free(c->prof);
	store_account_free(c->acc);
	store_customer_free(c->cust);
}

enum clientcert_status
clientcert_issue(struct db *db, const struct config *cfg,
    const struct clientcert_order *o, const struct actor *who,
    struct clientcert_result *res)
{
	struct cc		 c;
	enum clientcert_status	 st;

	/* Callers pass a result they have not set: everything is written here. */
	memset(res, 0, sizeof(*res));
	memset(&c, 0, sizeof(c));
	c.db = db;
	c.cfg = cfg;
	c.o = o;
	c.err = res->err;
	c.errlen = sizeof(res->err);
	if (db_in_transaction(db) || o->email == NULL) {
		log_err("clientcert: called inside a transaction or without "
		    "an email");
		st = cc_fail(&c, CLIENTCERT_FAILED, CLIENTCERT_GENERIC);
		goto out;
	}
	if ((st = cc_load(&c)) != CLIENTCERT_OK ||
	    (st = cc_escrow_check(&c, who)) != CLIENTCERT_OK ||
	    (st = cc_name(&c)) != CLIENTCERT_OK ||
	    (st = cc_policy(&c)) != CLIENTCERT_OK ||
	    (st = cc_key(&c)) != CLIENTCERT_OK ||
	    (st = cc_sign(&c)) != CLIENTCERT_OK ||
	    (st = cc_p12(&c)) != CLIENTCERT_OK ||
	    (st = cc_escrow_seal(&c)) != CLIENTCERT_OK)
		goto out;
	if (clientcert_before_record != NULL)
		clientcert_before_record(db);
	if ((st = cc_record(&c, who)) != CLIENTCERT_OK)
		goto out;
	if (o->renewal_of != 0) {
		/* Committed: the superseded certificate may reach the CRL. */
		if (!issue_publish_crl(db, cfg, c.old_ca))
			log_err("clientcert: the CRL could not be published "
			    "after %s superseded %s; run certdesk crl generate",
			    c.cert_id, c.old_id);
		/* Whoever renewed, the owner of the address hears of it. */
		notify_request(db, cfg, c.row_id, NOTIFY_RENEWED);
	}
	res->cert_id = c.cert_id;
	c.cert_id = NULL;
	res->pickup = c.pickup;
	c.pickup = NULL;
out:
	cc_free(&c);
	return st;
}

void
clientcert_result_free(struct clientcert_result *res)
{
	if (res == NULL)
		return;
	free(res->cert_id);
	res->cert_id = NULL;
	if (res->pickup != NULL) {
		OPENSSL_cleanse(res->pickup, strlen(res->pickup));
		free(res->pickup);
		res->pickup = NULL;
	}
}

int
clientcert_server_key(const struct request *r)
{
	/* A user-CSR request keeps its CSR; a key the server made has none. */
	return r->type == CERT_SMIME && r->csr_der == NULL;
}

enum pickup_status
clientcert_pickup(struct db *db, long long customer_id, const char *cert_id,
    const char *enc, const char *secret, unsigned char **der, size_t *len)
{
	struct request		*r;
	enum pickup_status	 st = PICKUP_EXPIRED;
	char			 mac[SECRET_HMAC_HEX];
	int			 e;
	long long		 now = store_now();

	if ((r = store_request_by_cert_id(db, customer_id, cert_id)) == NULL)
		return PICKUP_UNKNOWN;
	/* Rows are named by p12_encoding_name; enc may be an alias. */
	if ((e = p12_encoding_parse(enc)) < 0)
		st = PICKUP_UNKNOWN;
	/* A revoked certificate's key is of no use to anyone. */
	else if (r->status != REQ_ISSUED || store_p12_until(db, r->id,
	    now) <= 0)
		st = PICKUP_EXPIRED;
	else if (!pickup_mac(secret, mac) || store_p12_get(db, r->id,
	    p12_encoding_name((enum p12_encoding)e), now, mac, der,
	    len) != 1)
		st = PICKUP_DENIED;
	else
		st = PICKUP_OK;
	store_request_free(r);
	return st;
}
