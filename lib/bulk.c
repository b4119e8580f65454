/* bulk: bulk SSL enrollment — submission, approval, issuing per line, sealed delivery. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <zip.h>

#include "bulk.h"
#include "cacache.h"
#include "enroll.h"
#include "issue.h"
#include "keygen.h"
#include "log.h"
#include "mail.h"
#include "secret.h"

#define RECIPIENT_DAYS	(10L * 365)	/* the recipient certificate only names a key */

/* ---- the request's key pair and the seals ---- */

/* Returns a self-signed certificate of key, the CMS recipient (caller frees), or NULL. */
static X509 *
recipient_cert(EVP_PKEY *key)
{
	X509		*x;
	X509_NAME	*name = NULL;
	unsigned char	 serial[16];
	BIGNUM		*bn = NULL;
	int		 ok = 0;

	if ((x = X509_new()) == NULL || !X509_set_version(x, 2) ||
	    RAND_bytes(serial, sizeof(serial)) != 1)
		goto out;
	serial[0] &= 0x7f;
	if ((bn = BN_bin2bn(serial, sizeof(serial), NULL)) == NULL ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL)
		goto out;
	if ((name = X509_NAME_new()) == NULL ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"certdesk bulk request", -1, -1, 0) ||
	    !X509_set_subject_name(x, name) || !X509_set_issuer_name(x, name))
		goto out;
	if (X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), (int)RECIPIENT_DAYS, 0,
	    NULL) == NULL || !X509_set_pubkey(x, key) ||
	    X509_sign(x, key, EVP_sha256()) <= 0)
		goto out;
	ok = 1;
out:
	BN_free(bn);
	X509_NAME_free(name);
	if (!ok) {
		log_ossl("bulk: recipient certificate");
		X509_free(x);
		return NULL;
	}
	return x;
}

int
bulk_keypair(const char *pass, unsigned char **cert, size_t *cert_len,
    unsigned char **p8, size_t *p8_len)
{
	EVP_PKEY		*key = NULL;
	X509			*x = NULL;
	PKCS8_PRIV_KEY_INFO	*inf = NULL;
	X509_ALGOR		*pbe = NULL;
	X509_SIG		*sig = NULL;
	unsigned char		*c = NULL, *k = NULL;
	int			 clen, klen, ok = 0;

	if ((key = keygen_make(KEY_EC256)) == NULL ||
	    (x = recipient_cert(key)) == NULL)
		goto out;
	if ((inf = EVP_PKEY2PKCS8(key)) == NULL ||
	    (pbe = PKCS5_pbe2_set_iv(EVP_aes_256_cbc(), BULK_KDF_ITER, NULL,
	    BULK_KDF_SALT, NULL, NID_hmacWithSHA256)) == NULL)
		goto out;
	if ((sig = PKCS8_set0_pbe(pass, (int)strlen(pass), inf, pbe)) == NULL)
		goto out;
	pbe = NULL;	/* the X509_SIG owns it */
	if ((clen = i2d_X509(x, &c)) <= 0 || (klen = i2d_X509_SIG(sig, &k)) <= 0)
		goto out;
	*cert = c;
	*cert_len = (size_t)clen;
	*p8 = k;
	*p8_len = (size_t)klen;
	c = k = NULL;
	ok = 1;
out:
	if (!ok)
		log_ossl("bulk: request key pair");
	OPENSSL_free(c);
	OPENSSL_free(k);
	X509_SIG_free(sig);
	X509_ALGOR_free(pbe);
	PKCS8_PRIV_KEY_INFO_free(inf);
	X509_free(x);
	EVP_PKEY_free(key);
	return ok;
}

EVP_PKEY *
bulk_open_key(const struct bulk_request *b, const char *pass)
{
	const unsigned char	*p = b->privkey_p8;
	X509_SIG		*sig;
	PKCS8_PRIV_KEY_INFO	*inf = NULL;
	EVP_PKEY		*key = NULL;

	if ((sig = d2i_X509_SIG(NULL, &p, (long)b->privkey_len)) != NULL &&
	    (inf = PKCS8_decrypt(sig, pass, (int)strlen(pass))) != NULL)
		key = EVP_PKCS82PKEY(inf);
	/* A wrong passphrase is an expected outcome, not an error to log. */
	ERR_clear_error();
	PKCS8_PRIV_KEY_INFO_free(inf);
	X509_SIG_free(sig);
	return key;
}

/* Returns the request's recipient certificate (caller frees), or NULL. */
static X509 *
recipient_of(const struct bulk_request *b)
{
	const unsigned char	*p = b->recipient_der;

	return d2i_X509(NULL, &p, (long)b->recipient_len);
}

int
bulk_seal(const struct bulk_request *b, EVP_PKEY *key, unsigned char **out,
    size_t *out_len)
{
	X509			*rc = NULL;
	STACK_OF(X509)		*sk = NULL;
	PKCS8_PRIV_KEY_INFO	*inf = NULL;
	unsigned char		*der = NULL, *o = NULL;
	int			 len = 0, olen, ok = 0;
	BIO			*in = NULL;
	CMS_ContentInfo		*cms = NULL;

	if ((rc = recipient_of(b)) == NULL || (sk = sk_X509_new_null()) ==
	    NULL || !sk_X509_push(sk, rc))
		goto out;
	if ((inf = EVP_PKEY2PKCS8(key)) == NULL ||
	    (len = i2d_PKCS8_PRIV_KEY_INFO(inf, &der)) <= 0 ||
	    (in = BIO_new_mem_buf(der, len)) == NULL)
		goto out;
	/* AES-256-GCM makes CMS_encrypt build AuthEnvelopedData. */
	if ((cms = CMS_encrypt(sk, in, EVP_aes_256_gcm(), CMS_BINARY)) == NULL ||
	    (olen = i2d_CMS_ContentInfo(cms, &o)) <= 0)
		goto out;
	*out = o;
	*out_len = (size_t)olen;
	ok = 1;
out:
	if (!ok)
		log_ossl("bulk: seal");
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	if (der != NULL)
		OPENSSL_clear_free(der, (size_t)len);
	PKCS8_PRIV_KEY_INFO_free(inf);
	sk_X509_free(sk);
	X509_free(rc);
	return ok;
}

EVP_PKEY *
bulk_unseal(const struct bulk_request *b, EVP_PKEY *ber_key,
    const unsigned char *sealed, size_t len)
{
	const unsigned char	*p = sealed, *q;
	X509			*rc = NULL;
	CMS_ContentInfo		*cms = NULL;
	BIO			*out = NULL;
	BUF_MEM			*bm = NULL;
	PKCS8_PRIV_KEY_INFO	*inf = NULL;
	EVP_PKEY		*key = NULL;

	if ((rc = recipient_of(b)) == NULL ||
	    (cms = d2i_CMS_ContentInfo(NULL, &p, (long)len)) == NULL ||
	    (out = BIO_new(BIO_s_mem())) == NULL ||
	    !CMS_decrypt(cms, ber_key, rc, NULL, out, CMS_BINARY))
		goto out;
	BIO_get_mem_ptr(out, &bm);
	q = (const unsigned char *)bm->data;
	if ((inf = d2i_PKCS8_PRIV_KEY_INFO(NULL, &q, (long)bm->length)) != NULL)
		key = EVP_PKCS82PKEY(inf);
out:
	if (key == NULL)
		log_ossl("bulk: unseal");
	if (bm != NULL && bm->data != NULL)
		OPENSSL_cleanse(bm->data, bm->length);
	PKCS8_PRIV_KEY_INFO_free(inf);
	BIO_free(out);
	CMS_ContentInfo_free(cms);
	X509_free(rc);
	return key;
}

/* ---- rules and submission ---- */

int
bulk_rules_load(struct db *db, const struct config *cfg, long long customer_id,
    const struct account *acc, enum key_type kt, struct bulk_rules *out)
{
	memset(out, 0, sizeof(*out));
	if ((out->profiles = store_account_profiles(db, acc->id)) == NULL ||
	    (out->scope = policy_scope_load(db, customer_id, acc->org_id,
	    acc->dept_id)) == NULL) {
		bulk_rules_free(out);
		return 0;
	}
	out->csv.profiles = out->profiles->items;
	out->csv.nprofiles = out->profiles->n;
	out->csv.nsoftware = config_bulk_software(cfg, out->software,
	    CONFIG_BULK_SOFTWARE_MAX);
	out->csv.software = out->software;
	out->csv.scope = out->scope;
	out->csv.key_type = kt;
	return 1;
}

void
bulk_rules_free(struct bulk_rules *r)
{
	store_profile_list_free(r->profiles);
	policy_scope_free(r->scope);
	memset(r, 0, sizeof(*r));
}

void
bulk_set_hdf(HDF *hdf, const struct bulk_request *b,
    const struct bulk_item_list *items)
{
	char		 key[64], label[32];
	size_t		 i, n = items != NULL ? items->n : 0;

	hdf_set_int_value(hdf, "Bulk.ID", (int)b->id);
	hdf_set_value(hdf, "Bulk.Requester", b->requester_email);
	hdf_set_value(hdf, "Bulk.KeyType", key_type_name(b->key_type));
	hdf_set_value(hdf, "Bulk.Status", store_ber_status_name(b->status));
	hdf_set_int_value(hdf, "Bulk.Lines", (int)n);
	for (i = 0; i < n; i++) {
		const struct bulk_item *it = items->items[i];

		snprintf(key, sizeof(key), "Bulk.Items.%zu.SCR", i);
		hdf_set_int_value(hdf, key, it->scr);
		snprintf(key, sizeof(key), "Bulk.Items.%zu.Line", i);
		hdf_set_int_value(hdf, key, it->line);
		snprintf(key, sizeof(key), "Bulk.Items.%zu.CommonName", i);
		hdf_set_value(hdf, key, it->common_name);
		snprintf(key, sizeof(key), "Bulk.Items.%zu.Names", i);
		hdf_set_value(hdf, key, it->names);
		snprintf(key, sizeof(key), "Bulk.Items.%zu.Profile", i);
		hdf_set_value(hdf, key, it->profile);
		policy_term_label(it->term_days, label, sizeof(label));
		snprintf(key, sizeof(key), "Bulk.Items.%zu.Term", i);
		hdf_set_value(hdf, key, label);
		snprintf(key, sizeof(key), "Bulk.Items.%zu.Status", i);
		hdf_set_value(hdf, key, store_scr_status_name(it->status));
		snprintf(key, sizeof(key), "Bulk.Items.%zu.ICR", i);
		hdf_set_value(hdf, key, it->has_icr ?
		    store_status_name(it->icr_status) : "");
		snprintf(key, sizeof(key), "Bulk.Items.%zu.Reason", i);
		hdf_set_value(hdf, key, it->reason);
	}
}

/* Sets hdf's Customer.Name and Bulk.* for request b and its lines (NULL: none). */
static void
mail_data(HDF *hdf, const struct customer *cust, const struct bulk_request *b,
    const struct bulk_item_list *items)
{
	hdf_set_value(hdf, "Customer.Name", cust->name);
	bulk_set_hdf(hdf, b, items);
}

/* Mails "SSL Bulk Awaiting Approval" to the administrators of request id; 1 sent. */
static int
mail_awaiting(struct db *db, const struct config *cfg, long long id)
{
	struct bulk_request	*b = NULL;
	struct bulk_item_list	*items = NULL;
	struct customer		*cust = NULL;
	struct org		*org = NULL;
	HDF			*hdf = NULL;
	int			 ok = 0;

	if ((b = store_bulk_by_id(db, id)) == NULL ||
	    (items = store_bulk_items(db, id)) == NULL ||
	    (cust = store_customer_by_id(db, b->customer_id)) == NULL ||
	    (org = store_org_by_id(db, b->org_id)) == NULL ||
	    hdf_init(&hdf) != STATUS_OK)
		goto out;
	mail_data(hdf, cust, b, items);
	if (org->admin_email[0] == '\0') {
		log_warn("bulk %lld: organisation %s has no administrator "
		    "address", id, org->name);
		ok = 1;
		goto out;
	}
	ok = mail_send(cfg, hdf, "mail/bulk_awaiting", org->admin_email,
	    "SSL Bulk Awaiting Approval");
out:
	if (!ok)
		log_err("bulk %lld: the awaiting-approval mail was not sent", id);
	hdf_destroy(&hdf);
	store_org_free(org);
	store_customer_free(cust);
	store_bulk_item_list_free(items);
	store_bulk_free(b);
	return ok;
}

int
bulk_submit(struct db *db, const struct config *cfg,
    const struct bulk_submission *s, const struct actor *who,
    struct bulk_result *res, char *err, size_t errlen)
{
	struct bulk_request	 b;
	struct bulk_item	 it;
	unsigned char		*cert = NULL, *p8 = NULL;
	char			*token = NULL, hmac[SECRET_HMAC_HEX], obj[32],
				 detail[64];
	size_t			 i, cert_len = 0, p8_len = 0;
	int			 ok = 0;

	memset(res, 0, sizeof(*res));
	/* The slow part (PBKDF2) before the write lock. */
	if (!bulk_keypair(s->pass, &cert, &cert_len, &p8, &p8_len) ||
	    (token = secret_token(32)) == NULL ||
	    !secret_hmac_hex(token, hmac)) {
		buf_msg(err, errlen, "The request could not be recorded.");
		goto out;
	}
	memset(&b, 0, sizeof(b));
	b.customer_id = s->customer_id;
	b.account_id = s->acc->id;
	b.org_id = s->acc->org_id;
	b.dept_id = s->acc->dept_id;
	b.requester_email = (char *)s->email;
	b.key_type = s->key_type;
	b.recipient_der = cert;
	b.recipient_len = cert_len;
	b.privkey_p8 = p8;
	b.privkey_len = p8_len;
	if (!db_begin(db)) {
		buf_msg(err, errlen, "The request could not be recorded.");
		goto out;
	}
	if ((res->id = store_bulk_add(db, &b, hmac)) == 0)
		goto fail;
	for (i = 0; i < s->csv->nrows; i++) {
		const struct bulkcsv_row *r = &s->csv->rows[i];

		memset(&it, 0, sizeof(it));
		it.bulk_id = res->id;
		it.scr = (int)i + 1;
		it.line = (int)r->line;
		it.common_name = r->cn;
		it.names = r->names;
		it.profile_id = r->prof->id;
		it.term_days = r->term_days;
		it.server_software = r->software;
		if (store_bulk_item_add(db, &it) == 0)
			goto fail;
	}
	snprintf(obj, sizeof(obj), "BER %lld", res->id);
	snprintf(detail, sizeof(detail), "%zu lines, %s", s->csv->nrows,
	    key_type_token(s->key_type));
	audit_event(db, s->customer_id, who, "bulk submit", obj, "ok", detail);
	if (!db_commit(db))
		goto fail;
	res->status_token = token;
	token = NULL;
	res->mailed = mail_awaiting(db, cfg, res->id);
	ok = 1;
	goto out;
fail:
	db_rollback(db);
	res->id = 0;
	buf_msg(err, errlen, "The request could not be recorded.");
out:
	free(token);
	OPENSSL_free(cert);
	OPENSSL_free(p8);
	return ok;
}

/* ---- approval ---- */

/* Returns 1 when line scr is one of scrs[0..n), or n is 0 (every line). */
static int
chosen(int scr, const int *scrs, size_t n)
{
	size_t	 i;

	if (n == 0)
		return 1;
	for (i = 0; i < n; i++)
		if (scrs[i] == scr)
			return 1;
	return 0;
}

/*
 * Checks that every number in scrs names a line of items; returns 1, or
 * 0 with a message in err.
 */
static int
scrs_exist(const struct bulk_item_list *items, const int *scrs, size_t n,
    char *err, size_t errlen)
{
	size_t	 i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < items->n; j++)
			if (items->items[j]->scr == scrs[i])
				break;
		if (j == items->n) {
			buf_msg(err, errlen, "the request has no line (SCR) %d",
			    scrs[i]);
			return 0;
		}
	}
	return 1;
}

/*
 * Approves (decline 0) or declines the chosen lines of request id that
 * await approval, in one transaction; returns how many, or -1.
 */
static int
decide(struct db *db, long long id, const int *scrs, size_t n, int decline,
    const char *reason, const struct actor *who, char *err, size_t errlen)
{
	struct bulk_request	*b = NULL;
	struct bulk_item_list	*items = NULL;
	struct request		 r;
	long long		 rid;
	size_t			 i;
	int			 count = 0;
	char			 obj[32], detail[300];

	if (!db_begin(db)) {
		buf_msg(err, errlen, "the database is busy");
		return -1;
	}
	if ((b = store_bulk_by_id(db, id)) == NULL ||
	    (items = store_bulk_items(db, id)) == NULL) {
		buf_msg(err, errlen, "no bulk request %lld", id);
		goto fail;
	}
	if (!scrs_exist(items, scrs, n, err, errlen))
		goto fail;
	for (i = 0; i < items->n; i++) {
		const struct bulk_item *it = items->items[i];

		if (it->status != SCR_AWAITING_APPROVAL ||
		    !chosen(it->scr, scrs, n))
			continue;
		if (decline) {
			if (!store_bulk_item_set(db, it->id, SCR_DECLINED, 0,
			    reason))
				goto fail;
			count++;
			continue;
		}
		memset(&r, 0, sizeof(r));
		r.customer_id = b->customer_id;
		r.type = CERT_SSL;
		r.via = "bulk";
		r.status = REQ_REQUESTED;
		r.account_id = b->account_id;
		r.profile_id = it->profile_id;
		r.org_id = b->org_id;
		r.dept_id = b->dept_id;
		r.term_days = it->term_days;
		r.common_name = it->common_name;
		r.sans = it->names;
		r.requester_email = b->requester_email;
		r.key_type = b->key_type;
		rid = store_request_add(db, &r);
		free(r.cert_id);
		if (rid == 0 || !store_bulk_item_set(db, it->id, SCR_APPROVED,
		    rid, ""))
			goto fail;
		count++;
	}
	snprintf(obj, sizeof(obj), "BER %lld", id);
	snprintf(detail, sizeof(detail), "%d lines%s%.200s", count,
	    decline && reason != NULL && *reason != '\0' ? ": " : "",
	    decline && reason != NULL ? reason : "");
	audit_event(db, b->customer_id, who, decline ? "bulk decline" :
	    "bulk approve", obj, "ok", detail);
	if (!db_commit(db)) {
		buf_msg(err, errlen, "the change could not be recorded");
		goto fail;
	}
	store_bulk_item_list_free(items);
	store_bulk_free(b);
	return count;
fail:
	db_rollback(db);
	if (err != NULL && errlen > 0 && err[0] == '\0')
		buf_msg(err, errlen, "the change could not be recorded");
	store_bulk_item_list_free(items);
	store_bulk_free(b);
	return -1;
}

int
bulk_approve(struct db *db, long long id, const int *scrs, size_t n,
    const struct actor *who, char *err, size_t errlen)
{
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	return decide(db, id, scrs, n, 0, NULL, who, err, errlen);
}

int
bulk_decline(struct db *db, long long id, const int *scrs, size_t n,
    const char *reason, const struct actor *who, char *err, size_t errlen)
{
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	return decide(db, id, scrs, n, 1, reason, who, err, errlen);
}

long long *
bulk_pending(struct db *db, long long id, size_t *n)
{
	struct bulk_item_list	*items;
	long long		*ids = NULL;
	size_t			 i;

	*n = 0;
	if (!db_begin(db))
		return NULL;
	if ((items = store_bulk_items(db, id)) == NULL ||
	    (ids = calloc(items->n + 1, sizeof(*ids))) == NULL)
		goto fail;
	for (i = 0; i < items->n; i++) {
		const struct bulk_item *it = items->items[i];

		if (it->status != SCR_APPROVED || !it->has_icr)
			continue;
		/* Requested -> Applied when the work on it starts (guide 4270). */
		if (it->icr_status == REQ_REQUESTED &&
		    !store_request_set_status(db, it->request_id, REQ_APPLIED))
			goto fail;
		ids[(*n)++] = it->id;
	}
	if (!db_commit(db))
		goto fail;
	store_bulk_item_list_free(items);
	if (*n == 0) {
		free(ids);
		return NULL;
	}
	return ids;
fail:
	db_rollback(db);
	store_bulk_item_list_free(items);
	free(ids);
	*n = 0;
	return NULL;
}

/* ---- issuing one line ---- */

struct bulk_worker {
	struct db		*db;
	const struct config	*cfg;
	struct actor		 who;
	struct bulk_request	*b;
	struct customer		*cust;
	struct org		*org;
	struct ca_rec		*rec;
	struct cacache		*ca;		/* owned by the cache */
	struct profile_list	*profiles;	/* the account's, as the form offers */
	struct bulk_item_list	*items;
};

struct bulk_worker *
bulk_worker_new(struct db *db, const struct config *cfg, long long id,
    const struct actor *who)
{
	struct bulk_worker	*w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->db = db;
	w->cfg = cfg;
	w->who = *who;
	if ((w->b = store_bulk_by_id(db, id)) == NULL ||
	    (w->cust = store_customer_by_id(db, w->b->customer_id)) == NULL ||
	    (w->org = store_org_by_id(db, w->b->org_id)) == NULL ||
	    (w->profiles = store_account_profiles(db, w->b->account_id)) ==
	    NULL ||
	    (w->items = store_bulk_items(db, id)) == NULL ||
	    (w->rec = store_ca_for_customer(db, w->b->customer_id)) == NULL ||
	    (w->ca = cacache_get(cfg, w->cust, w->rec)) == NULL) {
		log_err("bulk %lld: cannot load what issuing needs", id);
		bulk_worker_free(w);
		return NULL;
	}
	return w;
}

void
bulk_worker_free(struct bulk_worker *w)
{
	if (w == NULL)
		return;
	store_bulk_free(w->b);
	store_customer_free(w->cust);
	store_org_free(w->org);
	store_ca_free(w->rec);
	store_profile_list_free(w->profiles);
	store_bulk_item_list_free(w->items);
	free(w);
}

/* Returns the worker's line item_id, or NULL (borrowed). */
static const struct bulk_item *
worker_item(const struct bulk_worker *w, long long item_id)
{
	size_t	 i;

	for (i = 0; i < w->items->n; i++)
		if (w->items->items[i]->id == item_id)
			return w->items->items[i];
	return NULL;
}

/* Returns profile id when it is still one of the account's, or NULL (borrowed). */
static const struct profile *
worker_profile(const struct bulk_worker *w, long long id)
{
	size_t	 i;

	for (i = 0; i < w->profiles->n; i++)
		if (w->profiles->items[i]->id == id)
			return w->profiles->items[i];
	return NULL;
}

/*
 * Applies the rules of the /ssl form to a line again, as things are now
 * (a delegation may have gone since submission); 1, or 0 with err.
 */
static int
rules_hold(struct bulk_worker *w, const struct bulk_item *it,
    const struct profile *prof, char *err, size_t errlen)
{
	struct policy_scope	*sc;
	struct name_check	 nc;
	struct buf		 names = { 0 };
	const char		*sans;
	unsigned		 mask;
	int			 ok;

	if (prof == NULL || prof->type != CERT_SSL) {
		buf_msg(err, errlen, "The certificate type '%s' is no longer "
		    "offered to this account.", it->profile);
		return 0;
	}
	if (!policy_term_allowed(prof->terms, it->term_days)) {
		buf_msg(err, errlen, "The term is no longer allowed for "
		    "'%s'.", prof->name);
		return 0;
	}
	mask = prof->key_types[0] != '\0' ? key_types_parse(prof->key_types) :
	    KEY_ALL;
	if (!policy_key_allowed(mask, w->b->key_type)) {
		buf_msg(err, errlen, "The key type %s is no longer allowed for "
		    "'%s'.", key_type_name(w->b->key_type), prof->name);
		return 0;
	}
	if ((sc = policy_scope_load(w->db, w->b->customer_id, w->b->org_id,
	    w->b->dept_id)) == NULL) {
		buf_msg(err, errlen, "The rules could not be read.");
		return 0;
	}
	sans = strchr(it->names, ',');
	memset(&nc, 0, sizeof(nc));
	nc.scope = sc;
	nc.multi_domain = prof->multi_domain;
	nc.wildcard = prof->wildcard;
	nc.cn = it->common_name;
	nc.sans = sans != NULL ? sans + 1 : "";
	ok = enroll_check_names(&nc, &names, err, errlen);
	buf_free(&names);
	policy_scope_free(sc);
	return ok;
}

/* Rejects the line's ICR and fails the line, if nobody finished it first. */
static enum bulk_outcome
fail_item(struct bulk_worker *w, const struct bulk_item *it, const char *why)
{
	struct request	*r = NULL;
	char		 obj[64];

	if (!db_begin(w->db))
		return BULK_ITEM_ERROR;
	if ((r = store_request_by_id(w->db, it->request_id)) == NULL)
		goto fail;
	if (r->status != REQ_REQUESTED && r->status != REQ_APPLIED) {
		db_rollback(w->db);
		store_request_free(r);
		return BULK_ITEM_SKIPPED;
	}
	/* The reason stays with the line; the request table has no Invalid. */
	if (!store_request_set_status(w->db, r->id, REQ_REJECTED) ||
	    !store_bulk_item_set(w->db, it->id, SCR_FAILED, 0, why))
		goto fail;
	snprintf(obj, sizeof(obj), "BER %lld SCR %d", w->b->id, it->scr);
	audit_event(w->db, w->b->customer_id, &w->who, "bulk reject", obj,
	    "ok", why);
	if (!db_commit(w->db))
		goto fail;
	store_request_free(r);
	return BULK_ITEM_FAILED;
fail:
	db_rollback(w->db);
	store_request_free(r);
	return BULK_ITEM_ERROR;
}

/* Seconds on the monotonic clock. */
static double
mono(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum bulk_outcome
bulk_process_item(struct bulk_worker *w, long long item_id, int *scr,
    double *keygen, char *err, size_t errlen)
{
	const struct bulk_item	*it;
	const struct profile	*prof;
	struct request		*r = NULL;
	EVP_PKEY		*key = NULL;
	struct csr		 view;
	struct issue_cert	 ic;
	unsigned char		*sealed = NULL;
	size_t			 sealed_len = 0;
	enum bulk_outcome	 out = BULK_ITEM_ERROR;
	char			 why[300], obj[64];
	double			 t0;

	memset(&ic, 0, sizeof(ic));
	why[0] = '\0';
	if (keygen != NULL)
		*keygen = 0;
	if ((it = worker_item(w, item_id)) == NULL) {
		buf_msg(err, errlen, "no such line");
		return BULK_ITEM_ERROR;
	}
	*scr = it->scr;
	if ((r = store_request_by_id(w->db, it->request_id)) == NULL) {
		buf_msg(err, errlen, "the line has no certificate request");
		return BULK_ITEM_ERROR;
	}
	if (r->status != REQ_REQUESTED && r->status != REQ_APPLIED) {
		store_request_free(r);
		return BULK_ITEM_SKIPPED;
	}
	prof = worker_profile(w, it->profile_id);
	if (!rules_hold(w, it, prof, why, sizeof(why))) {
		buf_msg(err, errlen, "%s", why);
		store_request_free(r);
		return fail_item(w, it, why);
	}
	/* The slow part, outside any transaction: key, signature, seal. */
	memset(&view, 0, sizeof(view));
	t0 = mono();
	key = keygen_make(w->b->key_type);
	if (keygen != NULL)
		*keygen = mono() - t0;
	if (key == NULL)
		goto out;
	view.pkey = key;
	view.key_type = w->b->key_type;
	view.cn = it->common_name;
	if (!issue_make(w->ca->ca, w->ca->crl_url, r, &view, w->org, prof,
	    NULL, &ic) || !bulk_seal(w->b, key, &sealed, &sealed_len))
		goto out;
	if (!db_begin(w->db))
		goto out;
	/* Set only while still Approved: a second run finds nothing to do. */
	if (!store_bulk_item_issued(w->db, it->id, sealed, sealed_len)) {
		db_rollback(w->db);
		out = BULK_ITEM_SKIPPED;
		goto out;
	}
	if (!issue_record(w->db, r->id, r->cert_id, w->rec->id, &ic)) {
		db_rollback(w->db);
		goto out;
	}
	snprintf(obj, sizeof(obj), "BER %lld SCR %d", w->b->id, it->scr);
	audit_event(w->db, w->b->customer_id, &w->who, "bulk issue", obj,
	    "ok", r->cert_id);
	if (!db_commit(w->db)) {
		db_rollback(w->db);
		goto out;
	}
	out = BULK_ITEM_ISSUED;
out:
	if (out == BULK_ITEM_ERROR)
		buf_msg(err, errlen, "the certificate could not be issued "
		    "(see the log); run `certdesk bulk process` again");
	issue_cert_free(&ic);
	if (sealed != NULL)
		OPENSSL_free(sealed);
	EVP_PKEY_free(key);
	store_request_free(r);
	return out;
}

/* ---- completion ---- */

/* Returns the status the lines give (guide 4230-4290). */
static enum ber_status
status_of(const struct bulk_item_list *items)
{
	size_t	 i, n = items->n, waiting = 0, open = 0, declined = 0,
		 issued = 0;

	for (i = 0; i < n; i++) {
		switch (items->items[i]->status) {
		case SCR_AWAITING_APPROVAL:
			waiting++;
			break;
		case SCR_APPROVED:
			open++;
			break;
		case SCR_DECLINED:
			declined++;
			break;
		case SCR_ISSUED:
			issued++;
			break;
		case SCR_FAILED:
		case SCR__MAX:
			break;
		}
	}
	if (waiting == n)
		return BER_AWAITING_APPROVAL;
	if (waiting > 0)
		return BER_APPROVING;
	if (open > 0)
		return BER_APPROVED;
	if (declined == n)
		return BER_DECLINED;
	return issued > 0 ? BER_SUCCESSFUL : BER_FAILED;
}

/* Returns 1 for the statuses after which nothing changes. */
static int
final(enum ber_status s)
{
	return s == BER_DECLINED || s == BER_FAILED || s == BER_SUCCESSFUL;
}

int
bulk_settle(struct db *db, const struct config *cfg, long long id,
    const struct actor *who, enum ber_status *status)
{
	struct bulk_request	*b = NULL;
	struct bulk_item_list	*items = NULL;
	enum ber_status		 now;
	int			 completed = 0;
	char			 obj[32];

	if (!db_begin(db))
		return 0;
	if ((b = store_bulk_by_id(db, id)) == NULL ||
	    (items = store_bulk_items(db, id)) == NULL)
		goto fail;
	now = status_of(items);
	if (now != b->status) {
		if (!store_bulk_set_status(db, id, now))
			goto fail;
		completed = final(now) && !final(b->status);
		snprintf(obj, sizeof(obj), "BER %lld", id);
		audit_event(db, b->customer_id, who, "bulk status", obj, "ok",
		    store_ber_status_name(now));
	}
	if (!db_commit(db))
		goto fail;
	if (status != NULL)
		*status = now;
	store_bulk_item_list_free(items);
	store_bulk_free(b);
	/* Declined requests end without a mail (guide 4288). */
	if (completed && now != BER_DECLINED)
		(void)bulk_send_links(db, cfg, id, who);
	return 1;
fail:
	db_rollback(db);
	store_bulk_item_list_free(items);
	store_bulk_free(b);
	return 0;
}

int
bulk_url(char *out, size_t len, const char *base, const char *customer_uri,
    const char *ext, const char *action, const char *token)
{
	int	 n;

	n = snprintf(out, len, "%s/customer/%s/bulkenroll%s%s?action=%s&t=%s",
	    base, customer_uri, *ext != '\0' ? "/" : "", ext, action, token);
	return n > 0 && (size_t)n < len;
}

int
bulk_send_links(struct db *db, const struct config *cfg, long long id,
    const struct actor *who)
{
	struct bulk_request	*b = NULL;
	struct bulk_item_list	*items = NULL;
	struct customer		*cust = NULL;
	struct account		*acc = NULL;
	struct endpoint		*ep = NULL;
	HDF			*hdf = NULL;
	char			*token = NULL, hmac[SECRET_HMAC_HEX], url[1024],
				 key[64], obj[32], until[32];
	long long		 now = store_now(), expires;
	size_t			 i, k = 0;
	time_t			 t;
	struct tm		 tm;
	int			 ok = 0;

	if ((b = store_bulk_by_id(db, id)) == NULL ||
	    (items = store_bulk_items(db, id)) == NULL ||
	    (cust = store_customer_by_id(db, b->customer_id)) == NULL ||
	    (acc = store_account_by_id(db, b->account_id)) == NULL ||
	    (ep = store_endpoint_by_id(db, acc->endpoint_id)) == NULL ||
	    (token = secret_token(32)) == NULL ||
	    !secret_hmac_hex(token, hmac) || hdf_init(&hdf) != STATUS_OK) {
		log_err("bulk %lld: the links could not be prepared", id);
		goto out;
	}
	expires = now + config_bulk_link_ttl(cfg);
	mail_data(hdf, cust, b, items);
	/* The links name the endpoint the request came through. */
	if (!bulk_url(url, sizeof(url), config_get(cfg, "BaseURL",
	    "http://localhost"), cust->uri, ep->ext, "download", token)) {
		log_err("bulk %lld: the download address is too long", id);
		goto out;
	}
	for (i = 0; i < items->n; i++) {
		const struct bulk_item *it = items->items[i];

		if (it->status != SCR_ISSUED)
			continue;
		snprintf(key, sizeof(key), "Bulk.Files.%zu.SCR", k);
		hdf_set_int_value(hdf, key, it->scr);
		snprintf(key, sizeof(key), "Bulk.Files.%zu.CommonName", k);
		hdf_set_value(hdf, key, it->common_name);
		snprintf(key, sizeof(key), "Bulk.Files.%zu.URL", k++);
		hdf_set_valuef(hdf, "%s=%s&scr=%d", key, url, it->scr);
	}
	hdf_set_int_value(hdf, "Bulk.Issued", (int)k);
	hdf_set_valuef(hdf, "Bulk.ZipURL=%s&scr=all", url);
	t = (time_t)expires;
	if (gmtime_r(&t, &tm) != NULL)
		strftime(until, sizeof(until), "%Y-%m-%d %H:%M UTC", &tm);
	else
		snprintf(until, sizeof(until), "-");
	hdf_set_value(hdf, "Bulk.LinksUntil", until);
	/*
	 * Mailed first, stored after: the old links (only the newest
	 * token's hash is kept) die only once the new ones went out.  The
	 * mail queue takes longer than the swap, so nobody clicks a new
	 * link before it is stored.
	 */
	snprintf(obj, sizeof(obj), "BER %lld", id);
	if (!mail_send(cfg, hdf, "mail/bulk_completed", b->requester_email,
	    "SSL Bulk Enroll Completed")) {
		log_err("bulk %lld: the completion mail was not sent; the "
		    "links stay as they were", id);
		audit_event(db, b->customer_id, who, "bulk links", obj,
		    "mail failed", b->requester_email);
		goto out;
	}
	if (!store_bulk_set_links(db, id, hmac, expires, expires +
	    config_bulk_keep(cfg))) {
		log_err("bulk %lld: the mailed links could not be stored and "
		    "do not work; send them again", id);
		audit_event(db, b->customer_id, who, "bulk links", obj,
		    "not stored", b->requester_email);
		ok = -1;
		goto out;
	}
	audit_event(db, b->customer_id, who, "bulk links", obj, "ok",
	    b->requester_email);
	ok = 1;
out:
	if (token != NULL)
		OPENSSL_clear_free(token, strlen(token));
	hdf_destroy(&hdf);
	store_endpoint_free(ep);
	store_account_free(acc);
	store_customer_free(cust);
	store_bulk_item_list_free(items);
	store_bulk_free(b);
	return ok;
}

/* ---- delivery ---- */

void
bulk_p12_name(const struct bulk_item *it, char *out, size_t len)
{
	char	*p;

	snprintf(out, len, "%d-%s.p12", it->scr, it->common_name);
	/* A wildcard's star is no friend of file systems. */
	for (p = out; *p != '\0'; p++)
		if (*p == '*')
			*p = '_';
}

int
bulk_p12_iterations(const struct config *cfg)
{
	int	 n = config_p12_iterations(cfg);

	/*
	 * The file is under the passphrase that also guards the request's
	 * key: fewer iterations would make a leaked file a cheaper test of
	 * that passphrase than the key itself.
	 */
	return n > BULK_KDF_ITER ? n : BULK_KDF_ITER;
}

int
bulk_p12(struct db *db, const struct config *cfg, const struct bulk_request *b,
    const struct bulk_item *it, EVP_PKEY *ber_key, const char *pass,
    enum p12_encoding enc, unsigned char **der, size_t *len)
{
	struct request		*r = NULL;
	struct customer		*cust = NULL;
	struct ca_rec		*rec = NULL;
	struct cacache		*ca;
	STACK_OF(X509)		*chain = NULL;
	X509			*cert = NULL;
	EVP_PKEY		*key = NULL;
	const unsigned char	*p;
	int			 i, ok = 0;

	if (it->status != SCR_ISSUED || it->sealed_key == NULL)
		return 0;
	if ((r = store_request_by_id(db, it->request_id)) == NULL ||
	    r->cert_der == NULL ||
	    (cust = store_customer_by_id(db, b->customer_id)) == NULL ||
	    (rec = store_ca_by_id(db, r->ca_id)) == NULL ||
	    (ca = cacache_get(cfg, cust, rec)) == NULL)
		goto out;
	p = r->cert_der;
	if ((cert = d2i_X509(NULL, &p, (long)r->cert_len)) == NULL ||
	    (key = bulk_unseal(b, ber_key, it->sealed_key, it->sealed_len)) ==
	    NULL)
		goto out;
	if ((chain = sk_X509_new_null()) == NULL ||
	    !sk_X509_push(chain, ca->ca->cert))
		goto out;
	for (i = 0; i < sk_X509_num(ca->ca->chain); i++)
		if (!sk_X509_push(chain, sk_X509_value(ca->ca->chain, i)))
			goto out;
	ok = p12_build(enc, key, cert, chain, it->common_name, pass,
	    bulk_p12_iterations(cfg), der, len);
out:
	sk_X509_free(chain);	/* the certificates are the CA's */
	EVP_PKEY_free(key);
	X509_free(cert);
	store_ca_free(rec);
	store_customer_free(cust);
	store_request_free(r);
	return ok;
}

int
bulk_zip(struct db *db, const struct config *cfg, const struct bulk_request *b,
    const struct bulk_item_list *items, EVP_PKEY *ber_key, const char *pass,
    enum p12_encoding enc, struct buf *out)
{
	zip_error_t	 ze;
	zip_source_t	*src = NULL, *fs;
	zip_t		*za = NULL;
	zip_stat_t	 zs;
	zip_int64_t	 idx, got;
	unsigned char	**ders = NULL, *data = NULL;
	size_t		*lens = NULL, i, n = 0;
	char		 name[128];
	int		 ok = 0, opened = 0;

	zip_error_init(&ze);
	zip_stat_init(&zs);
	if ((ders = calloc(items->n + 1, sizeof(*ders))) == NULL ||
	    (lens = calloc(items->n + 1, sizeof(*lens))) == NULL ||
	    (src = zip_source_buffer_create(NULL, 0, 0, &ze)) == NULL ||
	    (za = zip_open_from_source(src, ZIP_TRUNCATE, &ze)) == NULL)
		goto out;
	/* zip_close would free the source the archive lands in. */
	zip_source_keep(src);
	for (i = 0; i < items->n; i++) {
		const struct bulk_item *it = items->items[i];

		if (it->status != SCR_ISSUED)
			continue;
		if (!bulk_p12(db, cfg, b, it, ber_key, pass, enc, &ders[n],
		    &lens[n]))
			goto out;
		bulk_p12_name(it, name, sizeof(name));
		fs = zip_source_buffer(za, ders[n], lens[n], 0);
		n++;
		if (fs == NULL)
			goto out;
		if ((idx = zip_file_add(za, name, fs, ZIP_FL_ENC_UTF_8)) < 0) {
			zip_source_free(fs);
			goto out;
		}
		/* PKCS#12 files are encrypted: deflate would gain nothing. */
		(void)zip_set_file_compression(za, (zip_uint64_t)idx,
		    ZIP_CM_STORE, 0);
	}
	if (zip_close(za) != 0)
		goto out;
	za = NULL;
	if (zip_source_open(src) != 0)
		goto out;
	opened = 1;
	if (zip_source_stat(src, &zs) != 0 || !(zs.valid & ZIP_STAT_SIZE) ||
	    zs.size > INT_MAX || (data = malloc(zs.size + 1)) == NULL)
		goto out;
	if ((got = zip_source_read(src, data, zs.size)) < 0 ||
	    (zip_uint64_t)got != zs.size || !buf_append(out, data, zs.size))
		goto out;
	ok = 1;
out:
	if (!ok)
		log_err("bulk %lld: the zip could not be built", b->id);
	if (opened)
		zip_source_close(src);
	if (za != NULL)
		zip_discard(za);
	if (src != NULL)
		zip_source_free(src);
	zip_error_fini(&ze);
	if (data != NULL)
		OPENSSL_clear_free(data, zs.size);
	for (i = 0; i < n; i++)
		OPENSSL_clear_free(ders[i], lens[i]);
	free(ders);
	free(lens);
	return ok;
}
