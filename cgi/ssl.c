/*
 * ssl: SSL Certificate Management (guide 3.2.3.1, 3.2.5.2, 3.2.6.2):
 * enrollment with an access code, renewal, download and revocation of SSL
 * certificates.  One static function per page; the page comes from
 * ?action=.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


#include "app.h"
#include "csr.h"
#include "enroll.h"
#include "issue.h"
#include "log.h"
#include "notify.h"
#include "policy.h"
#include "secret.h"
#include "throttle.h"

#define MAX_BODY	((size_t)64 * 1024)	/* a 32 KiB CSR upload plus the form */
#define ENROLL_TTL	(30L * 60)	/* how long a checked access code holds */
#define CERT_ID_MAX	64
#define GENERIC_CODE_ERROR \
	"The access code or the email address is not valid for this form."
#define GENERIC_PASS_ERROR \
	"The certificate ID or the passphrase is not correct."

enum page {
	PAGE_MENU,
	PAGE_ENROLL_FORM,	/* before PAGE_ENROLL: the first match wins */
	PAGE_ENROLL,
	PAGE_RENEW,
	PAGE_DOWNLOAD,
	PAGE_REVOKE,
	PAGE__MAX
};

enum key {
	KEY_ACCESSCODE,
	KEY_EMAIL,
	KEY_TOKEN,
	KEY_CSR,
	KEY_GETCN,
	KEY_PROFILE,
	KEY_TERM,
	KEY_CN,
	KEY_SANS,
	KEY_AUTORENEW,
	KEY_AUTORENEWDAYS,
	KEY_PASS,
	KEY_PASS2,
	KEY_EXTREQ,
	KEY_COMMENTS,
	KEY_EULA,
	KEY_CERTID,
	KEY_REASON,
	KEY__MAX
};

static int page_menu(struct app_req *);
static int page_enroll(struct app_req *);
static int page_enroll_form(struct app_req *);
static int page_renew(struct app_req *);
static int page_download(struct app_req *);
static int page_revoke(struct app_req *);

static const struct app_page pages[PAGE__MAX] = {
	[PAGE_MENU] = { "", NULL, APP_GET, NULL,
	    "SSL Certificate Management", page_menu },
	/* Step 2 holds a signed token instead of the code: not throttled. */
	[PAGE_ENROLL_FORM] = { "enroll", "2", APP_GET | APP_POST, NULL,
	    "SSL Certificate Enrollment", page_enroll_form },
	[PAGE_ENROLL] = { "enroll", NULL, APP_GET | APP_POST, "ssl-code",
	    "SSL Certificate Enrollment", page_enroll },
	[PAGE_RENEW] = { "renew", NULL, APP_GET | APP_POST, "ssl-pass",
	    "SSL Certificate Renewal", page_renew },
	[PAGE_DOWNLOAD] = { "download", NULL, APP_GET | APP_POST, "cert-id",
	    "SSL Certificate Download", page_download },
	[PAGE_REVOKE] = { "revoke", NULL, APP_GET | APP_POST, "ssl-pass",
	    "SSL Certificate Revocation", page_revoke },
};

static const struct field fields[KEY__MAX] = {
	[KEY_ACCESSCODE] = { "accessCode", field_line, 128, 0, 0, 1 },
	[KEY_EMAIL] = { "email", field_line, 254, 0, 0, 0 },
	[KEY_TOKEN] = { "token", field_line, 512, 0, 0, 0 },
	[KEY_CSR] = { "csr", field_text, CSR_MAX_BYTES, 0, 0, 0 },
	[KEY_GETCN] = { "getcn", field_flag, 16, 0, 0, 0 },
	[KEY_PROFILE] = { "profile", field_line, 256, 0, 0, 0 },
	[KEY_TERM] = { "term", field_int, 8, 1, 3650, 0 },
	[KEY_CN] = { "commonName", field_line, 1024, 0, 0, 0 },
	[KEY_SANS] = { "sans", field_text, 16384, 0, 0, 0 },
	[KEY_AUTORENEW] = { "autoRenew", field_flag, 16, 0, 0, 0 },
	[KEY_AUTORENEWDAYS] = { "autoRenewDays", field_int, 8, 1, 90, 0 },
	[KEY_PASS] = { "passphrase", field_line, ENROLL_PASS_MAX, 0, 0, 1 },
	[KEY_PASS2] = { "passphrase2", field_line, ENROLL_PASS_MAX, 0, 0, 1 },
	[KEY_EXTREQ] = { "externalRequester", field_text, 4096, 0, 0, 0 },
	[KEY_COMMENTS] = { "comments", field_text, ENROLL_COMMENTS_MAX, 0, 0, 0 },
	[KEY_EULA] = { "eula", field_flag, 16, 0, 0, 0 },
	[KEY_CERTID] = { "certId", field_line, CERT_ID_MAX, 0, 0, 0 },
	[KEY_REASON] = { "reason", field_line, 64, 0, 0, 0 },
};

static const enum endpoint_type types[] = { ENDPOINT_SSL };

static const struct program program = {
	.name = "ssl",
	.segment = "ssl",
	.match = ENDPOINT_EXT,
	.types = types,
	.n_types = 1,
	.not_found = "There is no SSL enrollment form at this address. "
	    "Check the link you were given.",
	.max_body = MAX_BODY,
	.page_param = "action",
	.step_param = "step",
	.pages = pages,
	.n_pages = PAGE__MAX,
	.fields = fields,
	.n_fields = KEY__MAX,
};

/* Sets the collection page URL of a certificate ID in key. */
static void
set_collect_url(struct app_req *c, const char *key, const char *cert_id)
{
	char	 url[512];

	snprintf(url, sizeof(url), "/customer/%s/collect?id=%s",
	    c->customer->uri, cert_id);
	hdf_set_value(c->r->hdf, key, url);
}

/* The menu of guide 3.2.3.1: enrollment, renewal, download, revocation. */
static int
page_menu(struct app_req *c)
{
	hdf_set_value(c->r->hdf, "Page.Title", "SSL Certificate Management");
	hdf_set_value(c->r->hdf, "Endpoint.Help", c->endpoint->help);
	return web_page(c->r, 200, "ssl_menu");
}

/* ---- enrollment ---- */

/* Renders step 1 (access code and email) with an optional error. */
static int
enroll_step1(struct app_req *c, int status, const char *error)
{
	if (error != NULL)
		hdf_set_value(c->r->hdf, "Page.Error", error);
	/* Keep what they typed, except the access code. */
	hdf_set_value(c->r->hdf, "Form.Email", app_str(c, KEY_EMAIL));
	return web_page(c->r, status, "ssl_enroll_step1");
}

/*
 * Checks an access code and email against the endpoint (SPEC 4.1 step 2);
 * returns the account (caller frees) or NULL with a failure recorded.
 */
static struct account *
check_access_code(struct app_req *c)
{
	struct account	*acc;

	/* Counted before the check, so parallel guesses cannot overrun. */
	if (!throttle_attempt(c->app->db, "ssl-code", c->r->remote))
		return NULL;
	if ((acc = enroll_account(c->app->db, c->customer->id, c->endpoint->id,
	    CERT_SSL, app_str(c, KEY_ACCESSCODE), app_str(c, KEY_EMAIL))) ==
	    NULL)
		log_info("ssl: access code check failed from %s", c->r->remote);
	/* A failed attempt stays counted. */
	return acc;
}

/*
 * Fills the profiles (with their terms) offered by the account and the
 * union of their terms; returns the account's SSL profiles (caller frees)
 * or NULL.
 */
static struct profile_list *
set_profiles(struct app_req *c, const struct account *acc)
{
	struct profile_list	*pl;
	struct buf		 labels = { 0 }, all = { 0 };
	size_t			 i;
	char			 key[64];

	if ((pl = store_account_profiles(c->app->db, acc->id)) == NULL)
		return NULL;
	for (i = 0; i < pl->n; i++) {
		const struct profile *pr = pl->items[i];

		if (pr->type != CERT_SSL)
			continue;
		buf_free(&labels);
		policy_terms_labels(pr->terms, &labels);
		buf_printf(&all, "%s%s", all.len ? "," : "", pr->terms);
		snprintf(key, sizeof(key), "Profiles.%zu.Name", i);
		hdf_set_value(c->r->hdf, key, pr->name);
		snprintf(key, sizeof(key), "Profiles.%zu.Terms", i);
		hdf_set_value(c->r->hdf, key, labels.data ?
		    (char *)labels.data : "");
		snprintf(key, sizeof(key), "Profiles.%zu.MultiDomain", i);
		hdf_set_int_value(c->r->hdf, key, pr->multi_domain);
		snprintf(key, sizeof(key), "Profiles.%zu.Wildcard", i);
		hdf_set_int_value(c->r->hdf, key, pr->wildcard);
		snprintf(key, sizeof(key), "Profiles.%zu.Description", i);
		hdf_set_value(c->r->hdf, key, pr->description);
	}
	buf_free(&labels);
	/* The union of the profiles' terms, shortest first. */
	app_set_terms(c, all.data != NULL ? (char *)all.data : "");
	buf_free(&all);
	return pl;
}


/* Copies what the user typed back into the form (never the passphrases). */
static void
keep_input(struct app_req *c, const char *csr_text)
{
	HDF	*h = c->r->hdf;

	hdf_set_value(h, "Form.Profile", app_str(c, KEY_PROFILE));
	/* Numbers reach the template as integers, or not at all. */
	if (c->f[KEY_TERM].state == FIELD_VALID)
		hdf_set_int_value(h, "Form.Term", (int)c->f[KEY_TERM].num);
	hdf_set_value(h, "Form.CSR", csr_text);
	hdf_set_value(h, "Form.CommonName", app_str(c, KEY_CN));
	hdf_set_value(h, "Form.SANs", app_str(c, KEY_SANS));
	hdf_set_int_value(h, "Form.AutoRenew", c->f[KEY_AUTORENEW].num != 0);
	if (c->f[KEY_AUTORENEWDAYS].state == FIELD_VALID)
		hdf_set_int_value(h, "Form.AutoRenewDays",
		    (int)c->f[KEY_AUTORENEWDAYS].num);
	hdf_set_value(h, "Form.ExternalRequester",
	    app_str(c, KEY_EXTREQ));
	hdf_set_value(h, "Form.Comments", app_str(c, KEY_COMMENTS));
	hdf_set_int_value(h, "Form.EULA", c->f[KEY_EULA].num != 0);
}

/*
 * Renders the full enrollment form (step 2) for a checked account, with
 * an error or a notice.
 */
static int
enroll_form(struct app_req *c, const struct account *acc, const char *email,
    int status, const char *error, const char *notice)
{
	struct profile_list	*pl = NULL;
	char			*token;
	int			 rc;

	if ((token = app_token_make("ssl-enroll", acc->id, email,
	    ENROLL_TTL)) == NULL || (pl = set_profiles(c, acc)) == NULL) {
		free(token);
		return web_error(c->r, 500, "Server error",
		    "The form could not be prepared. Please try again.");
	}
	hdf_set_value(c->r->hdf, "Page.Title", "SSL Certificate Enrollment");
	hdf_set_value(c->r->hdf, "Form.Token", token);
	hdf_set_value(c->r->hdf, "Form.Email", email);
	if (error != NULL)
		hdf_set_value(c->r->hdf, "Page.Error", error);
	if (notice != NULL)
		hdf_set_value(c->r->hdf, "Page.Notice", notice);
	rc = web_page(c->r, status, "ssl_enroll_form");
	store_profile_list_free(pl);
	free(token);
	return rc;
}

/* "Get CN from CSR": fills Common Name and SANs from the CSR, changes nothing. */
static int
enroll_getcn(struct app_req *c, const struct account *acc, const char *email,
    struct form_csr *fc)
{
	struct buf	 sans = { 0 };
	size_t		 i;
	int		 rc;

	keep_input(c, fc->text ? fc->text : "");
	if (fc->csr == NULL)
		return enroll_form(c, acc, email, 200, fc->err, NULL);
	hdf_set_value(c->r->hdf, "Form.CommonName",
	    fc->csr->cn != NULL ? fc->csr->cn : "");
	for (i = 0; i < fc->csr->ndns; i++) {
		if (fc->csr->cn != NULL &&
		    strcasecmp(fc->csr->dns[i], fc->csr->cn) == 0)
			continue;
		buf_printf(&sans, "%s%s", sans.len ? ", " : "",
		    fc->csr->dns[i]);
	}
	hdf_set_value(c->r->hdf, "Form.SANs", sans.data ? (char *)sans.data :
	    "");
	buf_free(&sans);
	rc = enroll_form(c, acc, email, 200, fc->csr->cn == NULL ?
	    "The CSR has no Common Name; enter it below." : NULL,
	    fc->csr->cn != NULL ? "Common Name and Subject Alternative Names "
	    "were filled in from the CSR." : NULL);
	return rc;
}

/* Returns the account's SSL profile named name, or NULL (borrowed from pl). */
static const struct profile *
find_profile(const struct profile_list *pl, const char *name)
{
	size_t	 i;

	for (i = 0; i < pl->n; i++)
		if (pl->items[i]->type == CERT_SSL &&
		    strcmp(pl->items[i]->name, name) == 0)
			return pl->items[i];
	return NULL;
}

/* Runs the form's checks (enroll_check_ssl) on the typed fields. */
static int
enroll_check(struct app_req *c, const struct account *acc,
    const struct profile *prof, const struct form_csr *fc,
    struct buf *names, struct buf *extreq, char *err, size_t errlen)
{
	struct policy_scope	*sc;
	struct ssl_input	 in;
	int			 ok;

	memset(&in, 0, sizeof(in));
	in.prof = prof;
	in.term = (int)c->f[KEY_TERM].num;
	in.csr = fc->csr;
	in.csr_err = fc->err;
	in.cn = app_str(c, KEY_CN);
	in.sans = app_str(c, KEY_SANS);
	in.auto_renew = c->f[KEY_AUTORENEW].num != 0;
	in.auto_renew_days = (int)c->f[KEY_AUTORENEWDAYS].num;
	in.pass = app_str(c, KEY_PASS);
	in.pass2 = app_str(c, KEY_PASS2);
	in.ext_requesters = app_str(c, KEY_EXTREQ);
	in.comments_too_long = c->f[KEY_COMMENTS].state == FIELD_INVALID;
	in.eula = c->f[KEY_EULA].num != 0;
	if ((sc = policy_scope_load(c->app->db, c->customer->id, acc->org_id,
	    acc->dept_id)) == NULL) {
		snprintf(err, errlen, "The request could not be checked.");
		return 0;
	}
	ok = enroll_check_ssl(sc, &in, names, extreq, err, errlen);
	policy_scope_free(sc);
	return ok;
}

/* Fills the result page of a recorded request. */
static void
set_result(struct app_req *c, const struct request *r,
    const struct enroll_result *res, const char *heading)
{
	HDF	*h = c->r->hdf;

	hdf_set_value(h, "Result.Heading", heading);
	hdf_set_value(h, "Result.CertID", r->cert_id);
	hdf_set_value(h, "Result.CommonName", r->common_name);
	hdf_set_value(h, "Result.Email", r->requester_email);
	hdf_set_value(h, "Result.External", r->external_requesters);
	hdf_set_int_value(h, "Result.Issued", res->issued);
	hdf_set_int_value(h, "Result.MailFailed", !res->mailed);
	set_collect_url(c, "Result.CollectURL", r->cert_id);
}

/* Step 2 submitted: Get CN from CSR, or the checks and the new request. */
static int
page_enroll_form(struct app_req *c)
{
	struct account		*acc = NULL;
	struct profile_list	*pl = NULL;
	const struct profile	*prof;
	struct form_csr		 fc;
	struct buf		 names = { 0 }, extreq = { 0 };
	struct request		 req;
	struct enroll_result	 res;
	struct actor		 who;
	const char		*email = app_str(c, KEY_EMAIL);
	char			 err[512], *hash = NULL;
	long long		 acc_id;
	int			 rc;

	if (strcmp(c->r->method, "POST") != 0)
		return enroll_step1(c, 200, NULL);
	memset(&fc, 0, sizeof(fc));
	acc_id = app_token_check(app_str(c, KEY_TOKEN), "ssl-enroll", email);
	if (acc_id == 0 || (acc = store_account_by_id(c->app->db, acc_id)) ==
	    NULL || acc->endpoint_id != c->endpoint->id) {
		store_account_free(acc);
		return enroll_step1(c, 200, "This form has expired. Please "
		    "enter your access code again.");
	}
	app_form_csr(c, "csrFile", KEY_CSR, &fc);
	if (c->f[KEY_GETCN].num) {
		rc = enroll_getcn(c, acc, email, &fc);
		goto out;
	}
	if ((pl = store_account_profiles(c->app->db, acc->id)) == NULL) {
		rc = web_error(c->r, 500, "Server error",
		    "The form could not be checked. Please try again.");
		goto out;
	}
	prof = find_profile(pl, app_str(c, KEY_PROFILE));
	if (!enroll_check(c, acc, prof, &fc, &names, &extreq, err,
	    sizeof(err))) {
		keep_input(c, fc.text ? fc.text : "");
		rc = enroll_form(c, acc, email, 200, err, NULL);
		goto out;
	}
	if ((hash = secret_hash(app_str(c, KEY_PASS))) == NULL) {
		rc = web_error(c->r, 500, "Server error",
		    "The request could not be recorded. Please try again.");
		goto out;
	}
	memset(&req, 0, sizeof(req));
	req.customer_id = c->customer->id;
	req.type = CERT_SSL;
	req.via = "web";
	req.status = REQ_REQUESTED;
	req.account_id = acc->id;
	req.profile_id = prof->id;
	req.org_id = acc->org_id;
	req.dept_id = acc->dept_id;
	req.term_days = (int)c->f[KEY_TERM].num;
	/* names is "cn[,san...]": the CN stands alone in common_name. */
	req.common_name = strndup((char *)names.data,
	    strcspn((char *)names.data, ","));
	req.sans = (char *)names.data;
	req.csr_der = fc.csr->der;
	req.csr_len = fc.csr->der_len;
	req.requester_email = (char *)email;
	req.external_requesters = extreq.data ? (char *)extreq.data : "";
	req.comments = (char *)app_str(c, KEY_COMMENTS);
	req.passphrase_hash = hash;
	req.auto_renew = (int)c->f[KEY_AUTORENEW].num;
	req.auto_renew_days = req.auto_renew ?
	    (int)c->f[KEY_AUTORENEWDAYS].num : 0;
	who.name = email;
	who.remote = c->r->remote;
	if (req.common_name == NULL || !enroll_submit(c->app->db,
	    c->app->cfg, &req, acc->auto_approve, &who, &res, err,
	    sizeof(err))) {
		keep_input(c, fc.text ? fc.text : "");
		rc = enroll_form(c, acc, email, 500, err[0] ? err :
		    "The request could not be recorded.", NULL);
	} else {
		hdf_set_value(c->r->hdf, "Page.Title",
		    "SSL Certificate Enrollment");
		set_result(c, &req, &res, "Your request has been submitted.");
		rc = web_page(c->r, 200, "ssl_done");
	}
	free(req.common_name);
	free(req.cert_id);
out:
	free(hash);
	buf_free(&names);
	buf_free(&extreq);
	app_form_csr_free(&fc);
	store_profile_list_free(pl);
	store_account_free(acc);
	return rc;
}

/* Enrollment: step 1 on GET, the access-code check, then step 2. */
static int
page_enroll(struct app_req *c)
{
	struct account	*acc;
	const char	*email;
	int		 rc;

	if (strcmp(c->r->method, "POST") != 0)
		return enroll_step1(c, 200, NULL);
	email = app_str(c, KEY_EMAIL);
	if ((acc = check_access_code(c)) == NULL)
		return enroll_step1(c, 200, GENERIC_CODE_ERROR);
	/*
	 * A valid code takes back only its own attempt: knowing one code
	 * must not reset the count of guesses at the others.
	 */
	throttle_refund(c->app->db, "ssl-code", c->r->remote);
	rc = enroll_form(c, acc, email, 200, NULL, NULL);
	store_account_free(acc);
	return rc;
}

/* ---- certificate ID + passphrase: renewal and revocation ---- */

/* Renders the renewal or revocation form with an optional error. */
static int
pass_form(struct app_req *c, enum page p, int status, const char *error)
{
	if (error != NULL)
		hdf_set_value(c->r->hdf, "Page.Error", error);
	hdf_set_value(c->r->hdf, "Form.CertID", app_str(c, KEY_CERTID));
	if (p == PAGE_REVOKE) {
		hdf_set_value(c->r->hdf, "Form.Comments", app_str(c, KEY_COMMENTS));
		hdf_set_value(c->r->hdf, "Form.Reason", app_str(c, KEY_REASON));
		app_set_reasons(c);
	}
	return web_page(c->r, status, p == PAGE_RENEW ? "ssl_renew" :
	    "ssl_revoke");
}

/*
 * Checks the certificate ID and passphrase of a renewal or revocation
 * (SPEC 5: per-address throttle, per-certificate lock).  Returns the SSL
 * request (caller frees), or NULL after answering the page itself.
 */
static struct request *
check_passphrase(struct app_req *c, enum page p)
{
	struct request	*r = NULL;

	if (c->f[KEY_CERTID].state == FIELD_ABSENT ||
	    c->f[KEY_PASS].state == FIELD_ABSENT) {
		pass_form(c, p, 200, "Enter your certificate ID and passphrase.");
		return NULL;
	}
	switch (enroll_passphrase(c->app->db, c->app->cfg, c->customer->id,
	    CERT_SSL, "ssl-pass", c->r->remote, app_str(c, KEY_CERTID),
	    app_str(c, KEY_PASS), &r)) {
	case PASS_OK:
		return r;
	case PASS_THROTTLED:
		app_throttle_ok(c, "ssl-pass");
		break;
	case PASS_LOCKED:
		web_error(c->r, 429, "Passphrase locked", "This certificate's "
		    "passphrase is locked after too many failed attempts. "
		    "Please ask your administrator to unlock it.");
		break;
	case PASS_WRONG:
		pass_form(c, p, 200, GENERIC_PASS_ERROR);
		break;
	}
	return NULL;
}

/* Whether old may be renewed under prof as things are today; 0 with a message in err. */
static int
renewal_ok(struct app_req *c, const struct request *old,
    const struct profile *prof, char *err, size_t errlen)
{
	struct policy_scope	*sc;
	int			 ok;

	if ((sc = policy_scope_load(c->app->db, c->customer->id, old->org_id,
	    old->dept_id)) == NULL) {
		snprintf(err, errlen, "The certificate could not be renewed.");
		return 0;
	}
	ok = enroll_renewal_ok(sc, old, prof, err, errlen);
	policy_scope_free(sc);
	return ok;
}

/* Renewal (guide 3.2.5.2): certificate ID + passphrase → a new request. */
static int
page_renew(struct app_req *c)
{
	struct request		*old = NULL, nr;
	struct account		*acc = NULL;
	struct profile		*prof = NULL;
	struct enroll_result	 res;
	struct actor		 who;
	char			 err[512];
	int			 rc;

	if (strcmp(c->r->method, "POST") != 0)
		return pass_form(c, PAGE_RENEW, 200, NULL);
	if ((old = check_passphrase(c, PAGE_RENEW)) == NULL)
		return 1;
	if ((prof = store_profile_by_id(c->app->db, old->profile_id)) == NULL) {
		rc = web_error(c->r, 500, "Server error", "The certificate "
		    "could not be renewed. Please try again later.");
		goto out;
	}
	if (!renewal_ok(c, old, prof, err, sizeof(err))) {
		rc = pass_form(c, PAGE_RENEW, 200, err);
		goto out;
	}
	if (store_request_pending_renewals(c->app->db, old->id) != 0) {
		rc = pass_form(c, PAGE_RENEW, 200, "A renewal of this "
		    "certificate is already waiting for approval.");
		goto out;
	}
	acc = store_account_by_id(c->app->db, old->account_id);
	/* The same details and CSR; the copy's strings stay owned by old. */
	enroll_renewal_copy(old, "web", &nr);
	who.name = old->requester_email;
	who.remote = c->r->remote;
	if (!enroll_submit(c->app->db, c->app->cfg, &nr,
	    acc != NULL && acc->auto_approve, &who, &res, err, sizeof(err))) {
		rc = pass_form(c, PAGE_RENEW, 500, err);
	} else {
		hdf_set_value(c->r->hdf, "Page.Title", "SSL Certificate Renewal");
		set_result(c, &nr, &res, "Your renewal request has been "
		    "submitted.");
		hdf_set_value(c->r->hdf, "Result.RenewalOf", old->cert_id);
		rc = web_page(c->r, 200, "ssl_done");
	}
	free(nr.cert_id);
out:
	store_profile_free(prof);
	store_account_free(acc);
	store_request_free(old);
	return rc;
}

/* Revocation (guide 3.2.6.2): certificate ID + passphrase + reason + comments. */
static int
page_revoke(struct app_req *c)
{
	struct request	*r = NULL;
	struct actor	 who;
	const char	*comments = app_str(c, KEY_COMMENTS);
	char		 err[256];
	int		 code, rc, mailed;

	if (strcmp(c->r->method, "POST") != 0)
		return pass_form(c, PAGE_REVOKE, 200, NULL);
	code = issue_reason_code(app_str(c, KEY_REASON));
	if (code != 0 && code != 1 && code != 3 && code != 4 && code != 5)
		return pass_form(c, PAGE_REVOKE, 200, "Choose a revocation "
		    "reason.");
	if (*comments == '\0')
		return pass_form(c, PAGE_REVOKE, 200, "Enter a comment (up to "
		    "1024 characters) saying why the certificate is revoked.");
	if ((r = check_passphrase(c, PAGE_REVOKE)) == NULL)
		return 1;
	if (r->status != REQ_ISSUED) {
		snprintf(err, sizeof(err), "This certificate is %s; only issued "
		    "certificates can be revoked.", store_status_name(r->status));
		rc = pass_form(c, PAGE_REVOKE, 200, err);
		goto out;
	}
	who.name = r->requester_email;
	who.remote = c->r->remote;
	if (!issue_revoke(c->app->db, c->app->cfg, r->id, code, comments, &who,
	    err, sizeof(err))) {
		log_err("ssl: revocation of %s failed: %s", r->cert_id, err);
		rc = web_error(c->r, 500, "Server error", "The certificate "
		    "could not be revoked. Please try again later.");
		goto out;
	}
	mailed = notify_request(c->app->db, c->app->cfg, r->id,
	    NOTIFY_REVOKED);
	hdf_set_value(c->r->hdf, "Result.CertID", r->cert_id);
	hdf_set_value(c->r->hdf, "Result.CommonName", r->common_name);
	hdf_set_value(c->r->hdf, "Result.Serial", r->serial);
	hdf_set_value(c->r->hdf, "Result.Reason", issue_reason_name(code));
	hdf_set_int_value(c->r->hdf, "Result.MailFailed", !mailed);
	rc = web_page(c->r, 200, "ssl_revoked");
out:
	store_request_free(r);
	return rc;
}

/* Download: certificate ID → the collection page. */
static int
page_download(struct app_req *c)
{
	struct request	*r = NULL;
	const char	*id = app_str(c, KEY_CERTID);
	char		 url[512];

	if (strcmp(c->r->method, "POST") != 0)
		return web_page(c->r, 200, "ssl_download");
	if (*id != '\0')
		r = store_request_by_cert_id(c->app->db, c->customer->id, id);
	if (r == NULL || r->type != CERT_SSL) {
		store_request_free(r);
		throttle_fail(c->app->db, "cert-id", c->r->remote);
		hdf_set_value(c->r->hdf, "Form.CertID", id);
		hdf_set_value(c->r->hdf, "Page.Error", "There is no SSL "
		    "certificate with this ID. Check the ID in your email.");
		return web_page(c->r, 200, "ssl_download");
	}
	snprintf(url, sizeof(url), "/customer/%s/collect?id=%s",
	    c->customer->uri, r->cert_id);
	store_request_free(r);
	return web_redirect(c->r, url);
}

int
main(void)
{
	return app_serve(&program);
}
