/* enroll: form checks and request recording shared by the enrollment forms. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "csr.h"
#include "enroll.h"
#include "log.h"
#include "notify.h"
#include "secret.h"
#include "throttle.h"

#define SEPARATORS	", \t\r\n;"

/* Lower-cases s in place; returns it. */
static char *
lower(char *s)
{
	char	*p;

	for (p = s; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}

int
enroll_check_name(const struct policy_delegation *dels, size_t n,
    long long org_id, long long dept_id, enum cert_type type,
    const char *name, const char *what, int allow_wildcard, char *err,
    size_t errlen)
{
	if (!policy_valid_dnsname(name, 1)) {
		buf_msg(err, errlen, "The %s \"%.80s\" is not a valid "
		    "host name.", what, name);
		return 0;
	}
	if (name[0] == '*' && !allow_wildcard) {
		buf_msg(err, errlen, "The %s \"%.80s\" is a wildcard, "
		    "which the selected certificate profile does not allow.",
		    what, name);
		return 0;
	}
	if (!policy_name_allowed(dels, n, org_id, dept_id, type, name)) {
		buf_msg(err, errlen, "The %s \"%.80s\" is not in a "
		    "domain delegated to your organization for %s "
		    "certificates.", what, name,
		    type == CERT_SSL ? "SSL" : policy_type_name(type));
		return 0;
	}
	return 1;
}

/* Returns 1 if the comma-separated list already holds name (exact). */
static int
list_has(const struct buf *list, const char *name)
{
	const char	*p, *end;
	size_t		 len = strlen(name);

	if (list->data == NULL)
		return 0;
	for (p = (const char *)list->data; *p != '\0'; p = end) {
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		if ((size_t)(end - p) == len && strncmp(p, name, len) == 0)
			return 1;
		if (*end == ',')
			end++;
	}
	return 0;
}

int
enroll_check_names(const struct name_check *nc, struct buf *names, char *err,
    size_t errlen)
{
	const struct policy_scope	*sc = nc->scope;
	const char			*cn = nc->cn, *sans = nc->sans;
	char	*copy = NULL, *tok, *p, *save = NULL, *lcn = NULL;
	size_t	 count = 0;
	int	 ok = 0;

	if (cn == NULL || *cn == '\0') {
		buf_msg(err, errlen, "Enter the Common Name (or use "
		    "\"Get CN from CSR\").");
		goto out;
	}
	if (strlen(cn) > 64) {
		buf_msg(err, errlen, "The Common Name may have at most "
		    "64 characters.");
		goto out;
	}
	if ((lcn = strdup(cn)) == NULL)
		goto out;
	/* The same names as a CSR's (csr_parse): no trailing dot. */
	policy_name_trim_dot(lower(lcn));
	if (!enroll_check_name(sc->dels, sc->n, sc->org_id, sc->dept_id,
	    CERT_SSL, lcn, "Common Name", nc->wildcard, err, errlen))
		goto out;
	if (!buf_puts(names, lcn))
		goto out;
	if ((copy = strdup(sans != NULL ? sans : "")) == NULL)
		goto out;
	for (p = copy; (tok = strtok_r(p, SEPARATORS, &save)) != NULL;
	    p = NULL) {
		policy_name_trim_dot(lower(tok));
		if (!nc->multi_domain) {
			buf_msg(err, errlen, "Subject Alternative Names "
			    "are only allowed with a multi-domain certificate "
			    "profile; clear the field or choose another "
			    "profile.");
			goto out;
		}
		if (!enroll_check_name(sc->dels, sc->n, sc->org_id,
		    sc->dept_id, CERT_SSL, tok, "Subject Alternative Name",
		    nc->wildcard, err, errlen))
			goto out;
		if (list_has(names, tok))
			continue;
		if (++count >= CSR_MAX_SANS) {
			buf_msg(err, errlen, "At most %d Subject "
			    "Alternative Names are allowed.", CSR_MAX_SANS - 1);
			goto out;
		}
		if (!buf_puts(names, ",") || !buf_puts(names, tok))
			goto out;
	}
	ok = 1;
out:
	if (!ok) {
		if (err != NULL && errlen > 0 && err[0] == '\0')
			buf_msg(err, errlen, "The names could not be "
			    "checked.");
		buf_free(names);
	}
	free(copy);
	free(lcn);
	return ok;
}

int
enroll_check_emails(const struct policy_scope *sc, enum cert_type type,
    const char *list, struct buf *out, char *err, size_t errlen)
{
	char	*copy, *tok, *p, *save = NULL;
	size_t	 count = 0;
	int	 ok = 0;

	if ((copy = strdup(list != NULL ? list : "")) == NULL)
		return 0;
	for (p = copy; (tok = strtok_r(p, SEPARATORS, &save)) != NULL;
	    p = NULL) {
		if (strlen(tok) > 254 || !policy_email_allowed(sc->dels, sc->n,
		    sc->org_id, sc->dept_id, type, tok)) {
			buf_msg(err, errlen, "The External Requester "
			    "\"%.80s\" is not an email address in a domain "
			    "delegated to your organization.", tok);
			goto out;
		}
		if (++count > ENROLL_MAX_REQUESTERS) {
			buf_msg(err, errlen, "At most %d External "
			    "Requesters are allowed.", ENROLL_MAX_REQUESTERS);
			goto out;
		}
		if ((count > 1 && !buf_puts(out, ", ")) || !buf_puts(out, tok))
			goto out;
	}
	ok = 1;
out:
	if (!ok)
		buf_free(out);
	free(copy);
	return ok;
}

/*
 * Returns the id of the requester's person in r's organisation, creating
 * "requesterSSL <domain>" (guide 3.3.3) when there is none; 0 on error.
 */
static long long
requester_person(struct db *db, const struct request *r)
{
	struct person	*found, p;
	const char	*domain = r->common_name;
	char		 cn[128];
	long long	 id;

	if ((found = store_person_by_email(db, r->org_id,
	    r->requester_email)) != NULL) {
		id = found->id;
		store_person_free(found);
		return id;
	}
	if (strncmp(domain, "*.", 2) == 0)
		domain += 2;
	memset(&p, 0, sizeof(p));
	snprintf(cn, sizeof(cn), "requesterSSL %s", domain);
	p.org_id = r->org_id;
	p.dept_id = r->dept_id;
	p.email = r->requester_email;
	p.first_name = "requesterSSL";
	p.last_name = (char *)domain;
	p.common_name = cn;
	return store_person_add(db, &p);
}

void
enroll_renewal_copy(const struct request *old, const char *via,
    struct request *nr)
{
	*nr = *old;
	nr->id = 0;
	nr->cert_id = NULL;
	nr->via = (char *)via;
	nr->status = REQ_REQUESTED;
	nr->cert_der = NULL;
	nr->cert_len = 0;
	nr->serial = NULL;
	nr->renewal_of = old->id;
}

int
enroll_submit(struct db *db, const struct config *cfg, struct request *r,
    int auto_approve, const struct actor *who, struct enroll_result *res,
    char *err, size_t errlen)
{
	char	 ierr[256];
	int	 began = 0, ok = 0;

	memset(res, 0, sizeof(*res));
	buf_msg(err, errlen, "The request could not be recorded. "
	    "Please try again later.");
	if (!db_begin(db))
		goto out;
	began = 1;
	if (r->person_id == 0 && (r->person_id = requester_person(db, r)) == 0)
		goto out;
	if ((res->id = store_request_add(db, r)) == 0)
		goto out;
	audit_event(db, r->customer_id, who, r->renewal_of ? "request.renew" :
	    "request.submit", r->cert_id, "success", r->common_name);
	if (!db_commit(db))
		goto out;
	began = 0;
	ok = 1;
	err[0] = '\0';
	log_info("request %s recorded for %s", r->cert_id, r->common_name);

	if (auto_approve) {
		if (issue_request(db, cfg, res->id, who, ierr, sizeof(ierr))) {
			res->issued = 1;
			res->mailed = notify_request(db, cfg, res->id,
			    NOTIFY_COLLECT);
			goto out;
		}
		/* Still a valid request: an administrator can approve it. */
		log_err("auto-approval of %s failed: %s", r->cert_id, ierr);
	}
	res->mailed = notify_request(db, cfg, res->id, NOTIFY_AWAITING);
out:
	if (began) {
		db_rollback(db);
		res->id = 0;
	}
	return ok;
}

int
enroll_check_ssl(const struct policy_scope *sc, const struct ssl_input *in,
    struct buf *names, struct buf *extreq, char *err, size_t errlen)
{
	struct name_check	 nc;
	const struct profile	*prof = in->prof;
	size_t			 cnlen;

	if (prof == NULL) {
		buf_msg(err, errlen, "Choose one of the certificate "
		    "profiles offered.");
		return 0;
	}
	if (!policy_term_allowed(prof->terms, in->term)) {
		buf_msg(err, errlen, "The certificate term is not "
		    "available for the profile %s; choose one of its terms.",
		    prof->name);
		return 0;
	}
	if (in->csr == NULL) {
		buf_msg(err, errlen, "%s", in->csr_err);
		return 0;
	}
	if (!policy_key_allowed(key_types_parse(prof->key_types),
	    in->csr->key_type)) {
		buf_msg(err, errlen, "The CSR's key (%s) is not allowed by "
		    "the profile %s.", key_type_name(in->csr->key_type),
		    prof->name);
		return 0;
	}
	nc.scope = sc;
	nc.multi_domain = prof->multi_domain;
	nc.wildcard = prof->wildcard;
	nc.cn = in->cn;
	nc.sans = in->sans;
	if (!enroll_check_names(&nc, names, err, errlen))
		return 0;
	/* names starts with the CN as checked: without its trailing dot. */
	cnlen = in->csr->cn != NULL ? strlen(in->csr->cn) : 0;
	if (in->csr->cn == NULL || cnlen != strcspn((char *)names->data, ",") ||
	    strncasecmp(in->csr->cn, (char *)names->data, cnlen) != 0) {
		buf_msg(err, errlen, "The Common Name \"%.64s\" does not "
		    "match the CSR's Common Name \"%.64s\"; use \"Get CN from "
		    "CSR\".", in->cn, in->csr->cn != NULL ? in->csr->cn : "");
		buf_free(names);
		return 0;
	}
	if (in->auto_renew && in->auto_renew_days == 0) {
		buf_msg(err, errlen, "Auto renew needs a number of days "
		    "before expiration between 1 and 90.");
		return 0;
	}
	if (strlen(in->pass) < ENROLL_PASS_MIN ||
	    strlen(in->pass) > ENROLL_PASS_MAX) {
		buf_msg(err, errlen, "The Annual Renewal Passphrase must "
		    "have %d to %d characters.", ENROLL_PASS_MIN,
		    ENROLL_PASS_MAX);
		return 0;
	}
	if (!secret_equal(in->pass, in->pass2)) {
		buf_msg(err, errlen, "The passphrase and its confirmation "
		    "differ; enter the same passphrase twice.");
		return 0;
	}
	if (!enroll_check_emails(sc, CERT_SSL, in->ext_requesters, extreq, err,
	    errlen))
		return 0;
	if (in->comments_too_long) {
		buf_msg(err, errlen, "Comments may have at most %d "
		    "characters.", ENROLL_COMMENTS_MAX);
		return 0;
	}
	if (!in->eula) {
		buf_msg(err, errlen, "Please read and agree to the terms "
		    "of the EULA.");
		return 0;
	}
	return 1;
}

int
enroll_check_device(const struct policy_scope *sc,
    const struct device_input *in, struct buf *sans, char *err, size_t errlen)
{
	const struct profile	*prof = in->prof;
	char			 perr[256];

	if (prof == NULL || prof->type != CERT_DEVICE) {
		buf_msg(err, errlen, "Choose one of the certificate "
		    "profiles offered.");
		return 0;
	}
	if (!policy_term_allowed(prof->terms, in->term)) {
		buf_msg(err, errlen, "The certificate term is not "
		    "available for the profile %s; choose one of its terms.",
		    prof->name);
		return 0;
	}
	if (in->email_invalid) {
		buf_msg(err, errlen, "The email address is not valid; enter "
		    "one address of up to 254 characters.");
		return 0;
	}
	if (*in->email == '\0') {
		buf_msg(err, errlen, "Enter your email address.");
		return 0;
	}
	if (!policy_email_allowed(sc->dels, sc->n, sc->org_id, sc->dept_id,
	    CERT_DEVICE, in->email)) {
		buf_msg(err, errlen, "\"%.80s\" is not an email address in a "
		    "domain delegated to your organization.", in->email);
		return 0;
	}
	if (in->csr == NULL) {
		buf_msg(err, errlen, "%s", in->csr_err);
		return 0;
	}
	/* An empty key list allows every class we issue for, as for SCEP. */
	if (!policy_check_key(prof->key_types, prof->name, in->csr, perr,
	    sizeof(perr))) {
		buf_msg(err, errlen, "The CSR's key (%s) is not allowed by "
		    "the profile %s.", key_type_name(in->csr->key_type),
		    prof->name);
		return 0;
	}
	if (!policy_check_device(sc, in->csr, prof->wildcard,
	    prof->multi_domain, prof->name, sans, perr, sizeof(perr))) {
		buf_free(sans);
		buf_msg(err, errlen, "%s.", perr);
		return 0;
	}
	return 1;
}

struct account *
enroll_account(struct db *db, long long customer_id, long long endpoint_id,
    enum cert_type type, const char *code, const char *email)
{
	struct account		*acc = NULL;
	struct policy_scope	*sc = NULL;
	int			 ok = 0;

	if (code == NULL || email == NULL || *code == '\0' || *email == '\0')
		goto out;
	if ((acc = store_account_by_code(db, endpoint_id, code)) == NULL)
		goto out;
	if ((sc = policy_scope_load(db, customer_id, acc->org_id,
	    acc->dept_id)) == NULL)
		goto out;
	ok = policy_email_allowed(sc->dels, sc->n, sc->org_id, sc->dept_id,
	    type, email);
out:
	policy_scope_free(sc);
	if (!ok) {
		log_info("access code check failed: %s", acc == NULL ?
		    "unknown code" : "email domain not delegated");
		store_account_free(acc);
		return NULL;
	}
	return acc;
}

int
enroll_renewal_ok(const struct policy_scope *sc, const struct request *old,
    const struct profile *prof, char *err, size_t errlen)
{
	struct name_check	 nc;
	struct buf		 names = { 0 };
	struct csr		*csr;
	const char		*sans = strchr(old->sans, ',');
	int			 ok = 0;

	switch (old->status) {
	case REQ_ISSUED:
	case REQ_EXPIRED:
		ok = 1;
		break;
	case REQ_REVOKED:
		buf_msg(err, errlen, "This certificate has been revoked and "
		    "cannot be renewed. Please enroll a new certificate "
		    "instead.");
		return 0;
	case REQ_INVITED:
	case REQ_AWAITING_VALIDATION:
	case REQ_REQUESTED:
	case REQ_APPROVED:
	case REQ_APPLIED:
	case REQ_DECLINED:
	case REQ_REJECTED:
	case REQ__MAX:
		break;
	}
	if (!ok) {
		buf_msg(err, errlen, "This certificate has not been issued yet, "
		    "so it cannot be renewed.");
		return 0;
	}
	nc.scope = sc;
	nc.multi_domain = prof->multi_domain;
	nc.wildcard = prof->wildcard;
	nc.cn = old->common_name;
	nc.sans = sans != NULL ? sans + 1 : "";
	ok = enroll_check_names(&nc, &names, err, errlen);
	buf_free(&names);
	if (!ok)
		return 0;
	/* The profile may have dropped a key type since. */
	if ((csr = csr_parse(old->csr_der, old->csr_len, err, errlen)) == NULL)
		return 0;
	ok = policy_key_allowed(key_types_parse(prof->key_types),
	    csr->key_type);
	if (!ok)
		buf_msg(err, errlen, "The profile %s no longer allows %s "
		    "keys; please enroll a new certificate with a new key.",
		    prof->name, key_type_name(csr->key_type));
	csr_free(csr);
	return ok;
}

enum pass_check
enroll_passphrase(struct db *db, const struct config *cfg,
    long long customer_id, enum cert_type type, const char *scope,
    const char *remote, const char *cert_id, const char *pass,
    struct request **out)
{
	struct request	*r = NULL;
	int		 tries = 0;

	*out = NULL;
	/*
	 * The Argon2 check is slow: count the attempt first (per address and
	 * per certificate) and refund it on success, so parallel requests
	 * cannot all slip in under the limits.
	 */
	if (!throttle_attempt(db, scope, remote))
		return PASS_THROTTLED;
	if (*cert_id != '\0' && *pass != '\0')
		r = store_request_by_cert_id(db, customer_id, cert_id);
	if (r != NULL && (tries = store_request_pass_failure(db, r->id,
	    THROTTLE_LIMIT)) == 0) {
		log_warn("passphrase of %s is locked", r->cert_id);
		store_request_free(r);
		return PASS_LOCKED;
	}
	if (r == NULL || r->type != type || r->passphrase_hash == NULL ||
	    !secret_verify(r->passphrase_hash, pass)) {
		log_info("wrong certificate ID or passphrase from %s", remote);
		/*
		 * Only the attempt that reached the limit locks, so the
		 * requester hears of the lock once, however many follow.
		 */
		if (r != NULL && tries == THROTTLE_LIMIT) {
			log_warn("passphrase of %s locked now", r->cert_id);
			notify_request(db, cfg, r->id, NOTIFY_PASS_LOCKED);
		}
		store_request_free(r);
		return PASS_WRONG;
	}
	throttle_refund(db, scope, remote);
	store_request_pass_reset(db, r->id);
	*out = r;
	return PASS_OK;
}
