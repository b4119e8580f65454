/* clientform: the rules of the client certificate forms. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "buf.h"
#include "clientcert.h"
#include "clientform.h"
#include "config.h"
#include "escrow.h"
#include "keygen.h"
#include "log.h"
#include "notify.h"
#include "person.h"
#include "secret.h"
#include "throttle.h"
#include "vcode.h"

/* The key types a server makes, in the order forms offer them. */
static const enum key_type key_order[] = {
	KEY_RSA2048, KEY_RSA3072, KEY_RSA4096, KEY_EC256, KEY_EC384
};

size_t
clientform_key_types(const struct profile *prof, enum key_type out[5])
{
	unsigned	 mask = *prof->key_types ?
			    key_types_parse(prof->key_types) : KEY_ALL;
	size_t		 i, n = 0;

	for (i = 0; i < sizeof(key_order) / sizeof(key_order[0]); i++)
		if (policy_key_allowed(mask, key_order[i]))
			out[n++] = key_order[i];
	return n;
}

/* Checks the names of the form; returns 1, or 0 with a message in err. */
static int
check_names(const struct clientform_input *in, char *err, size_t errlen)
{
	char	 why[160];

	if (*in->first == '\0' || *in->last == '\0') {
		buf_msg(err, errlen, "Enter your first name and last name.");
		return 0;
	}
	if (strlen(in->first) + strlen(in->last) > CLIENTFORM_NAME_MAX) {
		buf_msg(err, errlen, "First Name and Last Name together may "
		    "have at most %d characters.", CLIENTFORM_NAME_MAX);
		return 0;
	}
	/* The person is made from these names: the CLI's rules apply. */
	if (!person_names_check(in->first, in->middle, in->last, why,
	    sizeof(why))) {
		buf_msg(err, errlen, "Check your name: %s.", why);
		return 0;
	}
	return 1;
}

/* Checks the user's CSR against the scope and profile; 1, or 0 with err. */
static int
check_csr(const struct policy_scope *sc, const struct clientform_input *in,
    char *err, size_t errlen)
{
	char		 perr[256];
	const char	*addr;

	if (in->csr == NULL) {
		buf_msg(err, errlen, "%s", in->csr_err ? in->csr_err :
		    "Paste or upload the CSR.");
		return 0;
	}
	if (!policy_check_key(in->prof->key_types, in->prof->name, in->csr,
	    perr, sizeof(perr))) {
		buf_msg(err, errlen, "The CSR's key (%s) is not allowed by the "
		    "profile %s.", key_type_name(in->csr->key_type),
		    in->prof->name);
		return 0;
	}
	if (!policy_check_smime(sc, in->csr, perr, sizeof(perr))) {
		buf_msg(err, errlen, "%s", perr);
		return 0;
	}
	addr = policy_smime_email(in->csr);
	if (addr == NULL || strcasecmp(addr, in->email) != 0) {
		buf_msg(err, errlen, "The CSR's email address is not %.80s; "
		    "make a CSR for the address you enroll.", in->email);
		return 0;
	}
	return 1;
}

/* Checks profile, term and key type or CSR; 1 with *kt, or 0 with err. */
static int
check_certificate(const struct policy_scope *sc,
    const struct clientform_input *in, enum key_type *kt, char *err,
    size_t errlen)
{
	if (in->prof == NULL || in->prof->type != CERT_SMIME) {
		buf_msg(err, errlen, "Choose one of the certificate profiles "
		    "offered.");
		return 0;
	}
	if (in->term <= 0 || !policy_term_allowed(in->prof->terms, in->term)) {
		buf_msg(err, errlen, "Choose one of the terms of the profile "
		    "%s.", in->prof->name);
		return 0;
	}
	*kt = KEY_NONE;
	if (in->user_csr)
		return check_csr(sc, in, err, errlen);
	*kt = keygen_type_parse(in->key_type);
	/* An empty key list allows every class we issue for, as for CSRs. */
	if (*kt == KEY_NONE || !policy_key_allowed(*in->prof->key_types ?
	    key_types_parse(in->prof->key_types) : KEY_ALL, *kt)) {
		*kt = KEY_NONE;
		buf_msg(err, errlen, "Choose one of the key types of the "
		    "profile %s.", in->prof->name);
		return 0;
	}
	return 1;
}

int
clientform_check(const struct policy_scope *sc,
    const struct clientform_input *in, enum key_type *kt, char *err,
    size_t errlen)
{
	if (in->names && !check_names(in, err, errlen))
		return 0;
	if (*in->email == '\0' || !policy_email_allowed(sc->dels, sc->n,
	    sc->org_id, sc->dept_id, CERT_SMIME, in->email)) {
		buf_msg(err, errlen, "\"%.80s\" is not an email address in a "
		    "domain delegated to your organization for client "
		    "certificates.", in->email);
		return 0;
	}
	if (!check_certificate(sc, in, kt, err, errlen))
		return 0;
	if (in->passphrase) {
		if (strlen(in->pass) < ENROLL_PASS_MIN ||
		    strlen(in->pass) > ENROLL_PASS_MAX) {
			buf_msg(err, errlen, "The passphrase must have %d to "
			    "%d characters.", ENROLL_PASS_MIN, ENROLL_PASS_MAX);
			return 0;
		}
		if (!secret_equal(in->pass, in->pass2)) {
			buf_msg(err, errlen, "The passphrase and its "
			    "confirmation differ; enter the same passphrase "
			    "twice.");
			return 0;
		}
	}
	if (!in->eula) {
		buf_msg(err, errlen, "Accept the EULA to enroll.");
		return 0;
	}
	return 1;
}

int
clientform_check_password(const char *pw, const char *pw2, const char *email,
    const char *passphrase, const char *passphrase_hash, int allow_empty,
    char *err, size_t errlen)
{
	if (!secret_equal(pw, pw2)) {
		buf_msg(err, errlen, "The password and its confirmation differ; "
		    "enter the same password twice.");
		return 0;
	}
	if (*pw == '\0') {
		if (allow_empty)
			return 1;
		buf_msg(err, errlen, "Enter a password of at least %d "
		    "characters to protect your certificate file.",
		    CLIENTFORM_PASSWORD_MIN);
		return 0;
	}
	if (strlen(pw) < CLIENTFORM_PASSWORD_MIN) {
		buf_msg(err, errlen, "The password must have at least %d "
		    "characters.", CLIENTFORM_PASSWORD_MIN);
		return 0;
	}
	if (strcasecmp(pw, email) == 0) {
		buf_msg(err, errlen, "The password must not be your email "
		    "address.");
		return 0;
	}
	if ((passphrase != NULL && secret_equal(pw, passphrase)) ||
	    (passphrase_hash != NULL && secret_verify(passphrase_hash, pw))) {
		buf_msg(err, errlen, "The password must differ from your "
		    "passphrase.");
		return 0;
	}
	return 1;
}

char *
clientform_full_name(const char *first, const char *middle, const char *last)
{
	struct buf	 b = { 0 };

	if (!buf_printf(&b, "%s%s%s%s%s", first, *middle ? " " : "", middle,
	    *last ? " " : "", last)) {
		buf_free(&b);
		return NULL;
	}
	return buf_take(&b);
}

/*
 * Inserts the request, its details and its code inside the caller's
 * transaction; returns the code (caller cleanses and frees) or NULL.
 */
static char *
record_pending(struct db *db, const struct config *cfg,
    const struct clientform_pending *p, struct request *r)
{
	if (store_request_add(db, r) == 0)
		return NULL;
	return vcode_make(db, VCODE_VALIDATION, r->id, 0, p->acc->id, p->email,
	    config_validation_ttl(cfg));
}

int
clientform_submit(struct db *db, const struct config *cfg,
    const struct clientform_pending *p, const struct actor *who,
    struct clientform_result *res, char *err, size_t errlen)
{
	struct request	 r;
	char		*code = NULL, *hash = NULL, *name = NULL;
	int		 ok = 0, n;

	memset(res, 0, sizeof(*res));
	memset(&r, 0, sizeof(r));
	/* Refused now rather than at validation, when the person has done it all. */
	if (p->csr == NULL) {
		switch (clientcert_escrow_ready(db, cfg, p->customer_id,
		    p->acc->org_id, p->acc->dept_id, p->email, who, NULL)) {
		case 1:
			break;
		case 0:
			res->refused = 1;
			buf_msg(err, errlen, ESCROW_BLOCKED_MSG);
			return 0;
		default:
			buf_msg(err, errlen, "The request could not be "
			    "recorded.");
			return 0;
		}
	}
	if ((hash = p->passphrase_hash != NULL ? strdup(p->passphrase_hash) :
	    secret_hash(p->pass)) == NULL ||
	    (name = clientform_full_name(p->first, p->middle, p->last)) ==
	    NULL) {
		buf_msg(err, errlen, "The request could not be recorded.");
		goto out;
	}
	r.customer_id = p->customer_id;
	r.type = CERT_SMIME;
	r.via = "web";
	r.status = REQ_AWAITING_VALIDATION;
	r.account_id = p->acc->id;
	r.profile_id = p->prof->id;
	r.org_id = p->acc->org_id;
	r.dept_id = p->acc->dept_id;
	r.term_days = p->term;
	r.common_name = name;
	r.sans = (char *)p->email;
	r.requester_email = (char *)p->email;
	r.passphrase_hash = hash;
	r.renewal_of = p->renewal_of;
	r.key_type = p->kt;
	r.first_name = (char *)p->first;
	r.middle_name = (char *)p->middle;
	r.last_name = (char *)p->last;
	if (p->csr != NULL) {
		r.csr_der = p->csr->der;
		r.csr_len = p->csr->der_len;
	}
	if (!db_begin(db)) {
		buf_msg(err, errlen, "The request could not be recorded.");
		goto out;
	}
	/* One checked access code must not flood a mailbox. */
	if ((n = vcode_pending(db, p->email)) >= CLIENTFORM_PENDING_MAX) {
		db_rollback(db);
		log_info("client enrollment for %s refused: %d validation "
		    "mails wait", p->email, n);
		res->refused = 1;
		buf_msg(err, errlen, "A validation email was already sent to "
		    "this address. Use the link in it, or wait until it "
		    "expires before asking again.");
		goto out;
	}
	if (n < 0 || (code = record_pending(db, cfg, p, &r)) == NULL ||
	    !db_commit(db)) {
		db_rollback(db);
		log_err("client enrollment for %s not recorded", p->email);
		buf_msg(err, errlen, "The request could not be recorded. "
		    "Please try again.");
		goto out;
	}
	audit_event(db, p->customer_id, who, p->renewal_of != 0 ?
	    "request.renew" : "request.submit", r.cert_id, "success",
	    "awaiting validation");
	res->request_id = r.id;
	res->mailed = notify_validation(db, cfg, r.id, code);
	ok = 1;
out:
	if (code != NULL) {
		OPENSSL_cleanse(code, strlen(code));
		free(code);
	}
	free(r.cert_id);
	free(hash);
	free(name);
	return ok;
}

struct account *
clientform_person_account(struct db *db, long long endpoint_id,
    long long org_id, long long dept_id)
{
	struct account_list	*l;
	struct account		*found = NULL;
	size_t			 i, pick = (size_t)-1;

	if ((l = store_account_list(db, endpoint_id)) == NULL)
		return NULL;
	for (i = 0; i < l->n; i++) {
		if (l->items[i]->org_id != org_id)
			continue;
		if (dept_id != 0 && l->items[i]->dept_id == dept_id) {
			pick = i;
			break;
		}
		if (l->items[i]->dept_id == 0 && pick == (size_t)-1)
			pick = i;
	}
	if (pick != (size_t)-1)
		found = store_account_by_id(db, l->items[pick]->id);
	store_account_list_free(l);
	return found;
}

/*
 * Counts a failure on each certificate of l not yet locked; the one
 * that reaches the limit mails its requester.
 */
static void
count_failures(struct db *db, const struct config *cfg,
    const struct request_list *l)
{
	size_t	 i;
	int	 tries;

	for (i = 0; i < l->n; i++) {
		tries = store_request_pass_failure(db, l->items[i]->id,
		    THROTTLE_LIMIT);
		if (tries == THROTTLE_LIMIT) {
			log_warn("passphrase of %s locked now",
			    l->items[i]->cert_id);
			notify_request(db, cfg, l->items[i]->id,
			    NOTIFY_PASS_LOCKED);
		}
	}
}

enum pass_check
clientform_passphrase(struct db *db, const struct config *cfg,
    long long customer_id, long long org_id, const char *scope,
    const char *remote, const char *email, const char *pass,
    struct request_list **out)
{
	struct request_list	*l, *hit;
	size_t			 i, n = 0, locked = 0;

	*out = NULL;
	if (!throttle_attempt(db, scope, remote))
		return PASS_THROTTLED;
	if (*email == '\0' || *pass == '\0' || (l = store_request_smime_valid(db,
	    customer_id, email, store_now())) == NULL)
		return PASS_WRONG;
	/* Keep only the organisation's; a locked one never matches. */
	for (i = 0; i < l->n; i++) {
		struct request *r = l->items[i];

		if (org_id != 0 && r->org_id != org_id) {
			store_request_free(r);
			continue;
		}
		if (r->pass_failures >= THROTTLE_LIMIT)
			locked++;
		l->items[n++] = r;
	}
	l->n = n;
	if ((hit = calloc(1, sizeof(*hit))) == NULL ||
	    (hit->items = calloc(n + 1, sizeof(struct request *))) == NULL) {
		free(hit);
		store_request_list_free(l);
		return PASS_WRONG;
	}
	for (i = 0; i < l->n; i++) {
		struct request *r = l->items[i];

		if (r->pass_failures < THROTTLE_LIMIT &&
		    r->passphrase_hash != NULL &&
		    secret_verify(r->passphrase_hash, pass)) {
			hit->items[hit->n++] = r;
			l->items[i] = NULL;
		}
	}
	if (hit->n == 0) {
		log_info("wrong email or passphrase from %s", remote);
		count_failures(db, cfg, l);
		store_request_list_free(l);
		store_request_list_free(hit);
		return locked > 0 && locked == n ? PASS_LOCKED : PASS_WRONG;
	}
	throttle_refund(db, scope, remote);
	for (i = 0; i < hit->n; i++)
		store_request_pass_reset(db, hit->items[i]->id);
	/* The list's NULLs were handed over to hit. */
	for (i = 0; i < l->n; i++)
		store_request_free(l->items[i]);
	l->n = 0;
	store_request_list_free(l);
	*out = hit;
	return PASS_OK;
}

void
clientform_ref_make(const struct clientform_code *k, char *out, size_t len)
{
	snprintf(out, len, "%c.%lld.%lld.%lld",
	    k->kind == VCODE_VALIDATION ? 'v' : 'i', k->vcode_id,
	    k->kind == VCODE_VALIDATION ? k->request_id : k->person_id,
	    k->account_id);
}

/*
 * Reads n positive decimal ids, each after a dot, from p into ids;
 * returns 1 when that is all p holds.
 */
static int
ref_ids(const char *p, long long *ids, int n)
{
	char	*end;
	int	 i;

	for (i = 0; i < n; i++) {
		if (*p++ != '.' || *p < '1' || *p > '9')
			return 0;
		errno = 0;
		ids[i] = strtoll(p, &end, 10);
		if (errno != 0 || ids[i] <= 0)
			return 0;
		p = end;
	}
	return *p == '\0';
}

int
clientform_ref_parse(const char *ref, struct clientform_code *k)
{
	long long	 ids[3];

	memset(k, 0, sizeof(*k));
	if ((ref[0] != 'v' && ref[0] != 'i') || !ref_ids(ref + 1, ids, 3))
		return 0;
	k->kind = ref[0] == 'v' ? VCODE_VALIDATION : VCODE_INVITATION;
	k->vcode_id = ids[0];
	if (k->kind == VCODE_VALIDATION)
		k->request_id = ids[1];
	else
		k->person_id = ids[1];
	k->account_id = ids[2];
	return 1;
}
