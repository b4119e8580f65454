/*
 * smime: Client Certificate Management (guide 3.3.4, SPEC 4.2):
 * enrollment and renewal of client (S/MIME) certificates by access code
 * or by secret ID, and revocation.  One static function per page; the
 * page comes from ?action=, the secret-ID variants carry swt=sid, and
 * the second step of each flow carries step=2 with a signed token in
 * place of the secret the first step checked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "clock.h"
#include "clientcert.h"
#include "clientform.h"
#include "csr.h"
#include "enroll.h"
#include "issue.h"
#include "log.h"
#include "notify.h"
#include "person.h"
#include "policy.h"
#include "secret.h"
#include "throttle.h"
#include "tmpl.h"

#define MAX_BODY	((size_t)64 * 1024)	/* a 32 KiB CSR upload plus the form */
#define STEP_TTL	(30L * 60)	/* how long a checked first step holds */
#define MAX_LISTED	20		/* certificates listed for a choice */
#define CERT_ID_MAX	64
#define GENERIC_CODE_ERROR \
	"The access code or the email address is not valid for this form."
#define GENERIC_SID_ERROR \
	"The email address or the secret identifier is not correct."
#define GENERIC_PASS_ERROR \
	"The email address or the passphrase is not correct."
#define SID_LOCKED_ERROR \
	"Your secret identifier is locked after too many failed attempts. " \
	"Please ask your administrator to unlock it."
#define PASS_LOCKED_ERROR \
	"The passphrase of your certificates is locked after too many " \
	"failed attempts. Please ask your administrator to unlock it."

enum page {
	PAGE_MENU,
	PAGE_ENROLL_FORM,	/* before PAGE_ENROLL: the first match wins */
	PAGE_ENROLL,
	PAGE_RENEW_FORM,
	PAGE_RENEW,
	PAGE_REVOKE_FORM,
	PAGE_REVOKE,
	PAGE_VALIDATE,
	PAGE__MAX
};

enum key {
	KEY_ACCESSCODE,
	KEY_EMAIL,
	KEY_SWT,
	KEY_TOKEN,
	KEY_ALLOWED,
	KEY_SECRETID,
	KEY_FIRST,
	KEY_MIDDLE,
	KEY_LAST,
	KEY_PROFILE,
	KEY_TERM,
	KEY_KEYTYPE,
	KEY_CSR,
	KEY_PASS,
	KEY_PASS2,
	KEY_PASSWORD,
	KEY_PASSWORD2,
	KEY_EULA,
	KEY_CERTID,
	KEY_REASON,
	KEY_COMMENTS,
	KEY_REQCODE,
	KEY_SEL0,	/* KEY_SEL0 .. KEY_SEL0 + MAX_LISTED - 1: revocation choices */
	KEY__MAX = KEY_SEL0 + MAX_LISTED
};

static int page_menu(struct app_req *);
static int page_enroll(struct app_req *);
static int page_enroll_form(struct app_req *);
static int page_renew(struct app_req *);
static int page_renew_form(struct app_req *);
static int page_revoke(struct app_req *);
static int page_revoke_form(struct app_req *);
static int page_validate(struct app_req *);

/*
 * The first steps count their guesses themselves (access code, secret
 * ID and passphrase have their own scopes); the second steps hold a
 * signed token instead of a secret.
 */
static const struct app_page pages[PAGE__MAX] = {
	[PAGE_MENU] = { "", NULL, APP_GET, NULL,
	    "Client Certificate Management", page_menu },
	[PAGE_ENROLL_FORM] = { "enroll", "2", APP_GET | APP_POST, NULL,
	    "Client Certificate Enrollment", page_enroll_form },
	[PAGE_ENROLL] = { "enroll", NULL, APP_GET | APP_POST, NULL,
	    "Client Certificate Enrollment", page_enroll },
	[PAGE_RENEW_FORM] = { "renew", "2", APP_GET | APP_POST, NULL,
	    "Client Certificate Renewal", page_renew_form },
	[PAGE_RENEW] = { "renew", NULL, APP_GET | APP_POST, NULL,
	    "Client Certificate Renewal", page_renew },
	[PAGE_REVOKE_FORM] = { "revoke", "2", APP_GET | APP_POST, NULL,
	    "Client Certificate Revocation", page_revoke_form },
	[PAGE_REVOKE] = { "revoke", NULL, APP_GET | APP_POST, "smime-pass",
	    "Client Certificate Revocation", page_revoke },
	/* SCM's validation links: the same page as /validate. */
	[PAGE_VALIDATE] = { "validate", NULL, APP_GET, NULL,
	    "Account Validation", page_validate },
};

#define SEL(n) [KEY_SEL0 + (n)] = { "sel" #n, field_line, CERT_ID_MAX, 0, 0, 0 }

static const struct field fields[KEY__MAX] = {
	[KEY_ACCESSCODE] = { "accessCode", field_line, 128, 0, 0, 1 },
	[KEY_EMAIL] = { "email", field_line, 254, 0, 0, 0 },
	[KEY_SWT] = { "swt", field_line, 8, 0, 0, 0 },
	[KEY_TOKEN] = { "token", field_line, 512, 0, 0, 0 },
	[KEY_ALLOWED] = { "allowed", field_line,
	    (size_t)(CERT_ID_MAX + 1) * MAX_LISTED, 0, 0, 0 },
	[KEY_SECRETID] = { "secretId", field_line, 128, 0, 0, 1 },
	[KEY_FIRST] = { "firstName", field_line, 128, 0, 0, 0 },
	[KEY_MIDDLE] = { "middleName", field_line, 128, 0, 0, 0 },
	[KEY_LAST] = { "lastName", field_line, 128, 0, 0, 0 },
	[KEY_PROFILE] = { "profile", field_line, 256, 0, 0, 0 },
	[KEY_TERM] = { "term", field_int, 8, 1, 3650, 0 },
	[KEY_KEYTYPE] = { "keyType", field_line, 16, 0, 0, 0 },
	[KEY_CSR] = { "csr", field_text, CSR_MAX_BYTES, 0, 0, 0 },
	[KEY_PASS] = { "passphrase", field_line, ENROLL_PASS_MAX, 0, 0, 1 },
	[KEY_PASS2] = { "passphrase2", field_line, ENROLL_PASS_MAX, 0, 0, 1 },
	[KEY_PASSWORD] = { "password", field_line, ENROLL_PASS_MAX, 0, 0, 1 },
	[KEY_PASSWORD2] = { "password2", field_line, ENROLL_PASS_MAX, 0, 0, 1 },
	[KEY_EULA] = { "eula", field_flag, 16, 0, 0, 0 },
	[KEY_CERTID] = { "certId", field_line, CERT_ID_MAX, 0, 0, 0 },
	[KEY_REASON] = { "reason", field_line, 64, 0, 0, 0 },
	[KEY_COMMENTS] = { "comments", field_text, ENROLL_COMMENTS_MAX, 0, 0, 0 },
	[KEY_REQCODE] = { "requestCode", field_line, 128, 0, 0, 1 },
	SEL(0), SEL(1), SEL(2), SEL(3), SEL(4), SEL(5), SEL(6), SEL(7),
	SEL(8), SEL(9), SEL(10), SEL(11), SEL(12), SEL(13), SEL(14), SEL(15),
	SEL(16), SEL(17), SEL(18), SEL(19),
};

static const enum endpoint_type types[] = { ENDPOINT_SMIME };

static const struct program program = {
	.name = "smime",
	.segment = "smime",
	.match = ENDPOINT_EXT,
	.types = types,
	.n_types = 1,
	.not_found = "There is no client certificate form at this address. "
	    "Check the link you were given.",
	.max_body = MAX_BODY,
	.page_param = "action",
	.step_param = "step",
	.pages = pages,
	.n_pages = PAGE__MAX,
	.fields = fields,
	.n_fields = KEY__MAX,
};

/* Whether the request names the secret-ID variant of a flow (swt=sid). */
static int
by_sid(const struct app_req *c)
{
	return strcmp(app_str(c, KEY_SWT), "sid") == 0;
}

/* Answers the error page of an internal failure. */
static int
server_error(struct app_req *c)
{
	return web_error(c->r, 500, "Server error", "The request could not "
	    "be completed. Please try again later.");
}

/* The menu of guide 3.3.4.1: the five ways in. */
static int
page_menu(struct app_req *c)
{
	hdf_set_value(c->r->hdf, "Endpoint.Help", c->endpoint->help);
	return web_page(c->r, 200, "smime_menu");
}

/* SCM's link …/smime?action=validate&requestCode=…&email=… lands on validate. */
static int
page_validate(struct app_req *c)
{
	struct buf	 url = { 0 };
	int		 rc;

	if (!buf_printf(&url, "/customer/%s/validate?requestCode=",
	    c->customer->uri) || !tmpl_url_append(&url,
	    app_str(c, KEY_REQCODE)) || !buf_puts(&url, "&email=") ||
	    !tmpl_url_append(&url, app_str(c, KEY_EMAIL))) {
		buf_free_secret(&url);
		return server_error(c);
	}
	rc = web_redirect(c->r, (char *)url.data);
	buf_free_secret(&url);
	return rc;
}

/* ---- the enrollment form ---- */

/* Sets Profiles.N (name, description, terms, key types) of one profile. */
static void
set_profile(struct app_req *c, size_t i, const struct profile *pr)
{
	struct buf	 labels = { 0 };
	enum key_type	 kt[5];
	size_t		 j, n;
	char		 key[64];

	policy_terms_labels(pr->terms, &labels);
	snprintf(key, sizeof(key), "Profiles.%zu.Terms", i);
	hdf_set_value(c->r->hdf, key, labels.data ? (char *)labels.data : "");
	buf_free(&labels);
	n = clientform_key_types(pr, kt);
	for (j = 0; j < n; j++)
		buf_printf(&labels, "%s%s", labels.len ? ", " : "",
		    key_type_name(kt[j]));
	snprintf(key, sizeof(key), "Profiles.%zu.KeyTypes", i);
	hdf_set_value(c->r->hdf, key, labels.data ? (char *)labels.data : "");
	buf_free(&labels);
	snprintf(key, sizeof(key), "Profiles.%zu.Name", i);
	hdf_set_value(c->r->hdf, key, pr->name);
	snprintf(key, sizeof(key), "Profiles.%zu.Description", i);
	hdf_set_value(c->r->hdf, key, pr->description);
}

/* Sets Terms.N and KeyTypes.N: the union over the account's profiles. */
static void
set_choices(struct app_req *c, const char *terms, unsigned keys)
{
	enum key_type	 kt[5];
	struct profile	 all;
	size_t		 i, n;
	char		 key[64];

	app_set_terms(c, terms);
	memset(&all, 0, sizeof(all));
	all.key_types = "";
	n = clientform_key_types(&all, kt);
	for (i = 0; i < n; i++) {
		if ((keys & kt[i]) == 0)
			continue;
		snprintf(key, sizeof(key), "KeyTypes.%zu.Token", i);
		hdf_set_value(c->r->hdf, key, key_type_token(kt[i]));
		snprintf(key, sizeof(key), "KeyTypes.%zu.Label", i);
		hdf_set_value(c->r->hdf, key, key_type_name(kt[i]));
	}
}

/*
 * Fills the account's S/MIME profiles, the union of their terms and key
 * types; returns the profiles (caller frees) or NULL.
 */
static struct profile_list *
set_profiles(struct app_req *c, const struct account *acc)
{
	struct profile_list	*pl;
	struct buf		 terms = { 0 };
	enum key_type		 kt[5];
	unsigned		 keys = 0;
	size_t			 i, j, n = 0;

	if ((pl = store_account_profiles(c->app->db, acc->id)) == NULL)
		return NULL;
	for (i = 0; i < pl->n; i++) {
		const struct profile *pr = pl->items[i];

		if (pr->type != CERT_SMIME)
			continue;
		set_profile(c, n++, pr);
		buf_printf(&terms, "%s%s", terms.len ? "," : "", pr->terms);
		for (j = clientform_key_types(pr, kt); j > 0; j--)
			keys |= kt[j - 1];
	}
	hdf_set_int_value(c->r->hdf, "Form.ProfileCount", (int)n);
	set_choices(c, terms.data ? (char *)terms.data : "", keys);
	buf_free(&terms);
	return pl;
}

/* Returns the account's S/MIME profile named name (the only one when name is ""), borrowed. */
static const struct profile *
find_profile(const struct profile_list *pl, const char *name)
{
	const struct profile	*only = NULL;
	size_t			 i, n = 0;

	for (i = 0; i < pl->n; i++) {
		if (pl->items[i]->type != CERT_SMIME)
			continue;
		if (strcmp(pl->items[i]->name, name) == 0)
			return pl->items[i];
		only = pl->items[i];
		n++;
	}
	return *name == '\0' && n == 1 ? only : NULL;
}

/* Copies what the person typed back into the form (never secrets). */
static void
keep_input(struct app_req *c, const char *csr_text)
{
	HDF	*h = c->r->hdf;

	hdf_set_value(h, "Form.FirstName", app_str(c, KEY_FIRST));
	hdf_set_value(h, "Form.MiddleName", app_str(c, KEY_MIDDLE));
	hdf_set_value(h, "Form.LastName", app_str(c, KEY_LAST));
	hdf_set_value(h, "Form.Profile", app_str(c, KEY_PROFILE));
	if (c->f[KEY_TERM].state == FIELD_VALID)
		hdf_set_int_value(h, "Form.Term", (int)c->f[KEY_TERM].num);
	hdf_set_value(h, "Form.KeyType", app_str(c, KEY_KEYTYPE));
	hdf_set_value(h, "Form.CSR", csr_text != NULL ? csr_text : "");
	hdf_set_int_value(h, "Form.EULA", c->f[KEY_EULA].num != 0);
}

/*
 * Renders the enrollment form (step 2) of account acc for email: with
 * the names and a passphrase (access code), or with a password and a
 * passphrase for a known person (secret ID, person_id != 0).
 */
static int
enroll_form(struct app_req *c, const struct account *acc, long long person_id,
    const char *email, int status, const char *error)
{
	struct profile_list	*pl = NULL;
	char			*token;
	int			 rc;

	token = person_id != 0 ?
	    app_token_make("smime-sid", person_id, email, STEP_TTL) :
	    app_token_make("smime-enroll", acc->id, email, STEP_TTL);
	if (token == NULL || (pl = set_profiles(c, acc)) == NULL) {
		free(token);
		return server_error(c);
	}
	if (person_id != 0) {
		hdf_set_value(c->r->hdf, "Page.Title",
		    "Digital Certificate Download");
		hdf_set_int_value(c->r->hdf, "Form.SID", 1);
	}
	hdf_set_value(c->r->hdf, "Form.Token", token);
	hdf_set_value(c->r->hdf, "Form.Email", email);
	hdf_set_int_value(c->r->hdf, "Form.UserCSR", acc->user_csr);
	hdf_set_int_value(c->r->hdf, "Form.AllowEmpty", acc->allow_empty_p12);
	if (error != NULL)
		hdf_set_value(c->r->hdf, "Page.Error", error);
	rc = web_page(c->r, status, "smime_enroll_form");
	store_profile_list_free(pl);
	free(token);
	return rc;
}

/* Renders step 1 of enrollment (access code or secret ID) with an optional error. */
static int
enroll_step1(struct app_req *c, int status, const char *error)
{
	if (error != NULL)
		hdf_set_value(c->r->hdf, "Page.Error", error);
	hdf_set_value(c->r->hdf, "Form.Email", app_str(c, KEY_EMAIL));
	if (by_sid(c)) {
		hdf_set_value(c->r->hdf, "Page.Title",
		    "Digital Certificate Download");
		return web_page(c->r, status, "smime_sid_step1");
	}
	return web_page(c->r, status, "smime_enroll_step1");
}

/*
 * Checks access code and email (scope "smime-code", counted before the
 * check and refunded on success); returns the account (caller frees) or
 * NULL after answering the page.
 */
static struct account *
check_access_code(struct app_req *c, int (*again)(struct app_req *, int,
    const char *))
{
	struct account	*acc;

	if (!app_throttle_ok(c, "smime-code"))
		return NULL;
	if (!throttle_attempt(c->app->db, "smime-code", c->r->remote)) {
		app_throttle_ok(c, "smime-code");
		return NULL;
	}
	if ((acc = enroll_account(c->app->db, c->customer->id,
	    c->endpoint->id, CERT_SMIME, app_str(c, KEY_ACCESSCODE),
	    app_str(c, KEY_EMAIL))) == NULL) {
		log_info("smime: access code check failed from %s",
		    c->r->remote);
		again(c, 200, GENERIC_CODE_ERROR);
		return NULL;
	}
	/* A valid code takes back only its own attempt. */
	throttle_refund(c->app->db, "smime-code", c->r->remote);
	return acc;
}

/*
 * Checks email and secret ID (per address in "smime-sid", per person by
 * person_secret_check); returns the person (caller frees) or NULL after
 * answering the page.
 */
static struct person *
check_secret_id(struct app_req *c, int (*again)(struct app_req *, int,
    const char *))
{
	struct person	*p = NULL;

	if (!app_throttle_ok(c, "smime-sid"))
		return NULL;
	if (!throttle_attempt(c->app->db, "smime-sid", c->r->remote)) {
		app_throttle_ok(c, "smime-sid");
		return NULL;
	}
	switch (person_secret_check(c->app->db, c->customer->id,
	    app_str(c, KEY_EMAIL), app_str(c, KEY_SECRETID), &p)) {
	case PERSON_SECRET_OK:
		throttle_refund(c->app->db, "smime-sid", c->r->remote);
		return p;
	case PERSON_SECRET_LOCKED:
		log_warn("smime: locked secret ID tried from %s", c->r->remote);
		again(c, 200, SID_LOCKED_ERROR);
		return NULL;
	case PERSON_SECRET_WRONG:
		break;
	}
	log_info("smime: secret ID check failed from %s", c->r->remote);
	again(c, 200, GENERIC_SID_ERROR);
	return NULL;
}

/* Returns the form account serving person p (caller frees), or NULL after answering. */
static struct account *
person_account(struct app_req *c, const struct person *p,
    int (*again)(struct app_req *, int, const char *))
{
	struct account	*acc;

	if ((acc = clientform_person_account(c->app->db, c->endpoint->id,
	    p->org_id, p->dept_id)) == NULL)
		again(c, 200, "This form has no enrollment account for your "
		    "organization. Please ask your administrator.");
	return acc;
}

/* Enrollment step 1: access code or secret ID, then the form. */
static int
page_enroll(struct app_req *c)
{
	struct account	*acc;
	struct person	*p;
	int		 rc;

	if (strcmp(c->r->method, "POST") != 0)
		return enroll_step1(c, 200, NULL);
	if (!by_sid(c)) {
		if ((acc = check_access_code(c, enroll_step1)) == NULL)
			return 1;
		rc = enroll_form(c, acc, 0, app_str(c, KEY_EMAIL), 200, NULL);
		store_account_free(acc);
		return rc;
	}
	if ((p = check_secret_id(c, enroll_step1)) == NULL)
		return 1;
	rc = 1;
	if ((acc = person_account(c, p, enroll_step1)) != NULL)
		rc = enroll_form(c, acc, p->id, p->email, 200, NULL);
	store_account_free(acc);
	store_person_free(p);
	return rc;
}

/* What step 2 of an enrollment works with. */
struct enroll_ctx {
	struct account		*acc;
	struct person		*person;	/* secret ID only */
	struct profile_list	*pl;
	const struct profile	*prof;
	struct form_csr		 fc;
	const char		*email;
};

/* Frees what an enroll_ctx holds. */
static void
enroll_ctx_free(struct enroll_ctx *e)
{
	app_form_csr_free(&e->fc);
	store_profile_list_free(e->pl);
	store_person_free(e->person);
	store_account_free(e->acc);
}

/*
 * Loads step 2's account (and person) from the token; returns 1, or 0
 * after answering with step 1 when the token is forged or stale.
 */
static int
enroll_load(struct app_req *c, struct enroll_ctx *e)
{
	long long	 id;
	int		 sid = by_sid(c);

	id = app_token_check(app_str(c, KEY_TOKEN), sid ? "smime-sid" :
	    "smime-enroll", e->email);
	/*
	 * Person ids are reused after a delete: the token's person must
	 * still be the one with the address it was made for.
	 */
	if (id != 0 && sid &&
	    (e->person = store_person_by_id(c->app->db, id)) != NULL &&
	    strcasecmp(e->person->email, e->email) == 0)
		e->acc = clientform_person_account(c->app->db, c->endpoint->id,
		    e->person->org_id, e->person->dept_id);
	else if (id != 0 && !sid)
		e->acc = store_account_by_id(c->app->db, id);
	if (e->acc == NULL || e->acc->endpoint_id != c->endpoint->id) {
		enroll_step1(c, 200, "This form has expired. Please start "
		    "again.");
		return 0;
	}
	if ((e->pl = store_account_profiles(c->app->db, e->acc->id)) == NULL) {
		server_error(c);
		return 0;
	}
	e->prof = find_profile(e->pl, app_str(c, KEY_PROFILE));
	if (e->acc->user_csr)
		app_form_csr(c, "csrFile", KEY_CSR, &e->fc);
	return 1;
}

/* Runs clientform_check on step 2's fields; returns 1, or 0 with err. */
static int
enroll_check(struct app_req *c, const struct enroll_ctx *e, enum key_type *kt,
    char *err, size_t errlen)
{
	struct clientform_input	 in;
	struct policy_scope	*sc;
	int			 ok;

	memset(&in, 0, sizeof(in));
	in.prof = e->prof;
	in.term = (int)c->f[KEY_TERM].num;
	in.key_type = app_str(c, KEY_KEYTYPE);
	in.names = e->person == NULL;
	in.first = app_str(c, KEY_FIRST);
	in.middle = app_str(c, KEY_MIDDLE);
	in.last = app_str(c, KEY_LAST);
	in.email = e->email;
	in.user_csr = e->acc->user_csr;
	in.csr = e->fc.csr;
	in.csr_err = e->fc.err;
	in.passphrase = 1;
	in.pass = app_str(c, KEY_PASS);
	in.pass2 = app_str(c, KEY_PASS2);
	in.eula = c->f[KEY_EULA].num != 0;
	if ((sc = policy_scope_load(c->app->db, c->customer->id,
	    e->acc->org_id, e->acc->dept_id)) == NULL) {
		buf_msg(err, errlen, "The request could not be checked.");
		return 0;
	}
	ok = clientform_check(sc, &in, kt, err, errlen);
	policy_scope_free(sc);
	/* Secret-ID enrollment sets the PKCS#12 password on the same form. */
	if (ok && e->person != NULL && !e->acc->user_csr)
		ok = clientform_check_password(app_str(c, KEY_PASSWORD),
		    app_str(c, KEY_PASSWORD2), e->email, in.pass, NULL,
		    e->acc->allow_empty_p12, err, errlen);
	return ok;
}

/* Access code: records the request awaiting validation and confirms. */
static int
enroll_pending(struct app_req *c, const struct enroll_ctx *e, enum key_type kt)
{
	struct clientform_pending	 p;
	struct clientform_result	 res;
	struct actor			 who = { e->email, c->r->remote };
	char				 err[512], *name;

	memset(&p, 0, sizeof(p));
	p.customer_id = c->customer->id;
	p.acc = e->acc;
	p.prof = e->prof;
	p.term = (int)c->f[KEY_TERM].num;
	p.kt = kt;
	p.csr = e->acc->user_csr ? e->fc.csr : NULL;
	p.first = app_str(c, KEY_FIRST);
	p.middle = app_str(c, KEY_MIDDLE);
	p.last = app_str(c, KEY_LAST);
	p.email = e->email;
	p.pass = app_str(c, KEY_PASS);
	if (!clientform_submit(c->app->db, c->app->cfg, &p, &who, &res, err,
	    sizeof(err))) {
		keep_input(c, e->fc.text);
		return enroll_form(c, e->acc, 0, e->email,
		    res.refused ? 200 : 500, err);
	}
	name = clientform_full_name(p.first, p.middle, p.last);
	hdf_set_value(c->r->hdf, "Result.Email", e->email);
	hdf_set_value(c->r->hdf, "Result.Name", name ? name : "");
	hdf_set_int_value(c->r->hdf, "Result.MailFailed", !res.mailed);
	free(name);
	return web_page(c->r, 200, "smime_confirm");
}

/* Secret ID: issues at once and sends the person to the collection page. */
static int
enroll_now(struct app_req *c, const struct enroll_ctx *e, enum key_type kt)
{
	struct clientcert_order		 o;
	struct clientcert_result	 res;
	struct actor			 who = { e->email, c->r->remote };
	char				*hash;
	int				 rc = 1;

	if ((hash = secret_hash(app_str(c, KEY_PASS))) == NULL)
		return server_error(c);
	memset(&o, 0, sizeof(o));
	memset(&res, 0, sizeof(res));
	o.customer_id = c->customer->id;
	o.account_id = e->acc->id;
	o.org_id = e->person->org_id;
	o.dept_id = e->person->dept_id;
	o.profile_id = e->prof->id;
	o.term_days = (int)c->f[KEY_TERM].num;
	o.key_type = kt;
	o.csr = e->acc->user_csr ? e->fc.csr : NULL;
	o.email = e->person->email;
	o.first = e->person->first_name;
	o.middle = e->person->middle_name;
	o.last = e->person->last_name;
	o.password = app_str(c, KEY_PASSWORD);
	o.passphrase_hash = hash;
	o.via = "web";
	switch (clientcert_issue(c->app->db, c->app->cfg, &o, &who, &res)) {
	case CLIENTCERT_OK:
		rc = app_to_collect(c, res.cert_id, res.pickup);
		break;
	case CLIENTCERT_REFUSED:
	case CLIENTCERT_CODE_USED:
	case CLIENTCERT_FAILED:
		keep_input(c, e->fc.text);
		rc = enroll_form(c, e->acc, e->person->id, e->email, 200,
		    res.err[0] ? res.err : "The certificate could not be "
		    "issued. Please try again later.");
		break;
	}
	clientcert_result_free(&res);
	free(hash);
	return rc;
}

/* Enrollment step 2: the checks, then a pending request or a certificate. */
static int
page_enroll_form(struct app_req *c)
{
	struct enroll_ctx	 e;
	enum key_type		 kt = KEY_NONE;
	char			 err[512];
	int			 rc;

	if (strcmp(c->r->method, "POST") != 0)
		return enroll_step1(c, 200, NULL);
	memset(&e, 0, sizeof(e));
	e.email = app_str(c, KEY_EMAIL);
	if (!enroll_load(c, &e)) {
		enroll_ctx_free(&e);
		return 1;
	}
	if (!enroll_check(c, &e, &kt, err, sizeof(err))) {
		keep_input(c, e.fc.text);
		rc = enroll_form(c, e.acc, e.person ? e.person->id : 0, e.email,
		    200, err);
	} else if (e.person == NULL) {
		rc = enroll_pending(c, &e, kt);
	} else {
		rc = enroll_now(c, &e, kt);
	}
	enroll_ctx_free(&e);
	return rc;
}

/* ---- renewal and revocation: who holds which certificates ---- */

/*
 * Answers the outcome of a passphrase check other than PASS_OK on the
 * page again renders.
 */
static void
pass_refused(struct app_req *c, enum pass_check pc, const char *scope,
    int (*again)(struct app_req *, int, const char *))
{
	switch (pc) {
	case PASS_THROTTLED:
		app_throttle_ok(c, scope);
		break;
	case PASS_LOCKED:
		again(c, 200, PASS_LOCKED_ERROR);
		break;
	case PASS_WRONG:
	case PASS_OK:
		again(c, 200, GENERIC_PASS_ERROR);
		break;
	}
}

/*
 * Lists the certificates of l in Certs.N (ID, name, serial, validity;
 * only those with status want) and writes their IDs, comma separated,
 * to allowed; returns how many.
 */
static size_t
set_certs(struct app_req *c, const struct request_list *l,
    enum req_status want, struct buf *allowed)
{
	char	 key[64], t[64];
	size_t	 i, n = 0;

	for (i = 0; i < l->n && n < MAX_LISTED; i++) {
		const struct request *r = l->items[i];

		if (r->status != want)
			continue;
		snprintf(key, sizeof(key), "Certs.%zu.ID", n);
		hdf_set_value(c->r->hdf, key, r->cert_id);
		snprintf(key, sizeof(key), "Certs.%zu.Name", n);
		hdf_set_value(c->r->hdf, key, r->common_name);
		snprintf(key, sizeof(key), "Certs.%zu.Serial", n);
		hdf_set_value(c->r->hdf, key, r->serial ? r->serial : "");
		clock_format(r->not_after, t, sizeof(t));
		snprintf(key, sizeof(key), "Certs.%zu.NotAfter", n);
		hdf_set_value(c->r->hdf, key, t);
		snprintf(key, sizeof(key), "Certs.%zu.Field", n);
		snprintf(t, sizeof(t), "sel%zu", n);
		hdf_set_value(c->r->hdf, key, t);
		buf_printf(allowed, "%s%s", allowed->len ? "," : "", r->cert_id);
		n++;
	}
	return n;
}

/* Returns 1 when id is one of the comma-separated IDs in allowed. */
static int
id_allowed(const char *allowed, const char *id)
{
	size_t		 n = strlen(id);
	const char	*p = allowed;

	if (n == 0)
		return 0;
	while ((p = strstr(p, id)) != NULL) {
		if ((p == allowed || p[-1] == ',') &&
		    (p[n] == ',' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

/* Returns the token binding email and the allowed IDs for purpose (caller frees). */
static char *
choice_token(const char *purpose, const char *email, const char *allowed)
{
	struct buf	 b = { 0 };
	char		*t = NULL;

	if (buf_printf(&b, "%s|%s", email, allowed))
		t = app_token_make(purpose, 1, (char *)b.data, STEP_TTL);
	buf_free(&b);
	return t;
}

/* Returns 1 when step 2's token holds for its email and allowed IDs. */
static int
choice_ok(struct app_req *c, const char *purpose)
{
	struct buf	 b = { 0 };
	int		 ok;

	ok = buf_printf(&b, "%s|%s", app_str(c, KEY_EMAIL),
	    app_str(c, KEY_ALLOWED)) && app_token_check(app_str(c, KEY_TOKEN),
	    purpose, (char *)b.data) != 0;
	buf_free(&b);
	return ok;
}

/*
 * Step 1 of renewal and revocation: identifies the person (access code
 * or secret ID for renewal; email alone for revocation, org 0) and finds
 * their certificates by passphrase.  Returns the list (caller frees) or
 * NULL after answering.
 */
static struct request_list *
identify(struct app_req *c, int renewal,
    int (*again)(struct app_req *, int, const char *))
{
	struct request_list	*l = NULL;
	struct account		*acc = NULL;
	struct person		*p = NULL;
	long long		 org = 0;
	enum pass_check		 pc;
	const char		*email = app_str(c, KEY_EMAIL);

	if (renewal && by_sid(c)) {
		if ((p = check_secret_id(c, again)) == NULL)
			return NULL;
		org = p->org_id;
		store_person_free(p);
	} else if (renewal) {
		if ((acc = check_access_code(c, again)) == NULL)
			return NULL;
		org = acc->org_id;
		store_account_free(acc);
	}
	if (!app_throttle_ok(c, "smime-pass"))
		return NULL;
	pc = clientform_passphrase(c->app->db, c->app->cfg, c->customer->id,
	    org, "smime-pass", c->r->remote, email, app_str(c, KEY_PASS), &l);
	if (pc != PASS_OK) {
		pass_refused(c, pc, "smime-pass", again);
		return NULL;
	}
	return l;
}

/* Returns how many requests of l have status s. */
static size_t
count_status(const struct request_list *l, enum req_status s)
{
	size_t	 i, n = 0;

	for (i = 0; i < l->n; i++)
		if (l->items[i]->status == s)
			n++;
	return n;
}

/* ---- renewal ---- */

/*
 * Returns the purpose of renewal step 2's token: a secret-ID step 1
 * issues at once, an access-code one only through the mailbox, so a
 * token of one variant must not open the other.
 */
static const char *
renew_purpose(const struct app_req *c)
{
	return by_sid(c) ? "smime-renew-sid" : "smime-renew";
}

/* Renders renewal step 1 (access code or secret ID, email, passphrase). */
static int
renew_step1(struct app_req *c, int status, const char *error)
{
	if (error != NULL)
		hdf_set_value(c->r->hdf, "Page.Error", error);
	hdf_set_value(c->r->hdf, "Form.Email", app_str(c, KEY_EMAIL));
	hdf_set_int_value(c->r->hdf, "Form.SID", by_sid(c));
	return web_page(c->r, status, "smime_renew");
}

/*
 * Says whether the renewal takes a CSR (a user-CSR account) or sets a
 * password, and whether an empty one is allowed, from the account of
 * the newest certificate listed.
 */
static void
set_renew_account(struct app_req *c, const struct request_list *l)
{
	struct account	*acc;

	if (l->n == 0 || (acc = store_account_by_id(c->app->db,
	    l->items[0]->account_id)) == NULL)
		return;
	hdf_set_int_value(c->r->hdf, "Form.UserCSR", acc->user_csr);
	hdf_set_int_value(c->r->hdf, "Form.AllowEmpty", acc->allow_empty_p12);
	store_account_free(acc);
}

/* Renders renewal step 2 (which certificate, new password) for the list l. */
static int
renew_form(struct app_req *c, const struct request_list *l, int status,
    const char *error)
{
	struct buf	 allowed = { 0 };
	char		*token = NULL;
	int		 rc;

	set_certs(c, l, REQ_ISSUED, &allowed);
	set_renew_account(c, l);
	/* Nothing left to choose (revoked meanwhile): the first step again. */
	if (allowed.data == NULL)
		return renew_step1(c, status, error);
	if ((token = choice_token(renew_purpose(c),
	    app_str(c, KEY_EMAIL), (char *)allowed.data)) == NULL) {
		buf_free(&allowed);
		return server_error(c);
	}
	hdf_set_value(c->r->hdf, "Form.Token", token);
	hdf_set_value(c->r->hdf, "Form.Allowed", (char *)allowed.data);
	hdf_set_value(c->r->hdf, "Form.Email", app_str(c, KEY_EMAIL));
	/* The newest certificate is chosen until the person picks another. */
	hdf_set_value(c->r->hdf, "Form.CertID", *app_str(c, KEY_CERTID) ?
	    app_str(c, KEY_CERTID) : hdf_get_value(c->r->hdf, "Certs.0.ID", ""));
	hdf_set_int_value(c->r->hdf, "Form.SID", by_sid(c));
	if (error != NULL)
		hdf_set_value(c->r->hdf, "Page.Error", error);
	rc = web_page(c->r, status, "smime_renew_form");
	free(token);
	buf_free(&allowed);
	return rc;
}

/* Renewal step 1: identify, then choose the certificate and a password. */
static int
page_renew(struct app_req *c)
{
	struct request_list	*l;
	int			 rc;

	if (strcmp(c->r->method, "POST") != 0)
		return renew_step1(c, 200, NULL);
	if ((l = identify(c, 1, renew_step1)) == NULL)
		return 1;
	if (count_status(l, REQ_ISSUED) == 0)
		rc = renew_step1(c, 200, "Your certificate has been revoked "
		    "and cannot be renewed. Please enroll a new certificate "
		    "instead.");
	else
		rc = renew_form(c, l, 200, NULL);
	store_request_list_free(l);
	return rc;
}

/*
 * Returns the certificates step 2's signed allowed list names (caller
 * frees), to show the same choice again after an error; NULL on error.
 */
static struct request_list *
list_allowed(struct app_req *c)
{
	struct request_list	*l;
	struct request		*r;
	const char		*allowed = app_str(c, KEY_ALLOWED);
	char			 id[CERT_ID_MAX + 1];
	size_t			 n;

	if ((l = calloc(1, sizeof(*l))) == NULL ||
	    (l->items = calloc(MAX_LISTED, sizeof(struct request *))) ==
	    NULL) {
		free(l);
		return NULL;
	}
	while (*allowed != '\0' && l->n < MAX_LISTED) {
		n = strcspn(allowed, ",");
		if (n < sizeof(id)) {
			memcpy(id, allowed, n);
			id[n] = '\0';
			if ((r = store_request_by_cert_id(c->app->db,
			    c->customer->id, id)) != NULL)
				l->items[l->n++] = r;
		}
		allowed += n + (allowed[n] == ',');
	}
	return l;
}

/* Re-renders renewal step 2 with an error, listing the allowed certificates again. */
static int
renew_again(struct app_req *c, int status, const char *error)
{
	struct request_list	*l;
	int			 rc;

	if ((l = list_allowed(c)) == NULL)
		return server_error(c);
	rc = renew_form(c, l, status, error);
	store_request_list_free(l);
	return rc;
}

/* Fills the order renewing old with a new key under password; strings borrowed. */
static void
renew_order(struct app_req *c, const struct request *old,
    const struct form_csr *fc, struct clientcert_order *o)
{
	memset(o, 0, sizeof(*o));
	o->customer_id = c->customer->id;
	o->account_id = old->account_id;
	o->org_id = old->org_id;
	o->dept_id = old->dept_id;
	o->profile_id = old->profile_id;
	o->term_days = old->term_days;
	o->key_type = old->key_type;
	o->csr = fc->csr;
	o->email = old->requester_email;
	o->first = old->first_name;
	o->middle = old->middle_name;
	o->last = old->last_name;
	o->password = app_str(c, KEY_PASSWORD);
	o->passphrase_hash = old->passphrase_hash;
	o->via = "web";
	o->renewal_of = old->id;
}

/*
 * Returns the first key type the profile offers, for renewing a
 * certificate whose key type was not kept (one made from a CSR).
 */
static enum key_type
first_key_type(struct app_req *c, long long profile_id)
{
	struct profile	*prof;
	enum key_type	 kt[5], t = KEY_NONE;

	if ((prof = store_profile_by_id(c->app->db, profile_id)) != NULL &&
	    clientform_key_types(prof, kt) > 0)
		t = kt[0];
	store_profile_free(prof);
	return t;
}

/*
 * Renewal by access code: whoever knows the access code and the
 * passphrase is not yet the owner of the address, so the renewal waits
 * for validation from the mailbox like an enrollment; the PKCS#12
 * password is set there.  Records it and answers the confirmation.
 */
static int
renew_pending(struct app_req *c, const struct request *old,
    const struct account *acc)
{
	struct clientform_pending	 p;
	struct clientform_result	 res;
	struct form_csr			 fc;
	struct profile			*prof;
	struct actor			 who = { old->requester_email,
					    c->r->remote };
	char				 err[512], *name = NULL;
	int				 rc;

	memset(&fc, 0, sizeof(fc));
	if ((prof = store_profile_by_id(c->app->db, old->profile_id)) ==
	    NULL)
		return server_error(c);
	if (acc->user_csr) {
		app_form_csr(c, "csrFile", KEY_CSR, &fc);
		if (fc.csr == NULL) {
			rc = renew_again(c, 200, fc.err);
			goto out;
		}
	}
	memset(&p, 0, sizeof(p));
	p.customer_id = c->customer->id;
	p.acc = acc;
	p.prof = prof;
	p.term = old->term_days;
	p.kt = fc.csr != NULL ? KEY_NONE : old->key_type != KEY_NONE ?
	    old->key_type : first_key_type(c, old->profile_id);
	p.csr = fc.csr;
	p.first = old->first_name;
	p.middle = old->middle_name;
	p.last = old->last_name;
	p.email = old->requester_email;
	p.passphrase_hash = old->passphrase_hash;
	p.renewal_of = old->id;
	if (!clientform_submit(c->app->db, c->app->cfg, &p, &who, &res, err,
	    sizeof(err))) {
		rc = renew_again(c, 200, err);
		goto out;
	}
	name = clientform_full_name(p.first, p.middle, p.last);
	hdf_set_value(c->r->hdf, "Result.Email", p.email);
	hdf_set_value(c->r->hdf, "Result.Name", name ? name : "");
	hdf_set_value(c->r->hdf, "Result.RenewalOf", old->cert_id);
	hdf_set_int_value(c->r->hdf, "Result.MailFailed", !res.mailed);
	rc = web_page(c->r, 200, "smime_confirm");
out:
	free(name);
	store_profile_free(prof);
	app_form_csr_free(&fc);
	return rc;
}

/* Issues the renewal of old and answers; the pipeline revokes old as superseded. */
static int
renew_issue(struct app_req *c, const struct request *old,
    const struct account *acc)
{
	struct clientcert_order		 o;
	struct clientcert_result	 res;
	struct form_csr			 fc;
	struct actor			 who = { old->requester_email,
					    c->r->remote };
	char				 err[512];
	int				 rc;

	memset(&fc, 0, sizeof(fc));
	memset(&res, 0, sizeof(res));
	if (acc->user_csr) {
		app_form_csr(c, "csrFile", KEY_CSR, &fc);
		if (fc.csr == NULL) {
			rc = renew_again(c, 200, fc.err);
			goto out;
		}
	} else if (!clientform_check_password(app_str(c, KEY_PASSWORD),
	    app_str(c, KEY_PASSWORD2), old->requester_email, NULL,
	    old->passphrase_hash, acc->allow_empty_p12, err, sizeof(err))) {
		rc = renew_again(c, 200, err);
		goto out;
	}
	renew_order(c, old, &fc, &o);
	if (o.key_type == KEY_NONE && fc.csr == NULL)
		o.key_type = first_key_type(c, old->profile_id);
	if (clientcert_issue(c->app->db, c->app->cfg, &o, &who, &res) ==
	    CLIENTCERT_OK)
		rc = app_to_collect(c, res.cert_id, res.pickup);
	else
		rc = renew_again(c, 200, res.err[0] ? res.err : "The "
		    "certificate could not be renewed. Please try again later.");
out:
	clientcert_result_free(&res);
	app_form_csr_free(&fc);
	return rc;
}

/* Renewal step 2: the chosen certificate gets a new key and certificate. */
static int
page_renew_form(struct app_req *c)
{
	struct request	*old = NULL;
	struct account	*acc = NULL;
	const char	*id = app_str(c, KEY_CERTID), *reason = NULL;
	int		 rc;

	if (strcmp(c->r->method, "POST") != 0)
		return renew_step1(c, 200, NULL);
	if (!choice_ok(c, renew_purpose(c)))
		return renew_step1(c, 200, "This form has expired. Please "
		    "start again.");
	if (!id_allowed(app_str(c, KEY_ALLOWED), id))
		return renew_again(c, 200, "Choose the certificate to renew.");
	if ((old = store_request_by_cert_id(c->app->db, c->customer->id,
	    id)) == NULL) {
		rc = renew_again(c, 200, "Choose the certificate to renew.");
		goto out;
	}
	/* The account was deleted: nothing says how to issue any more. */
	if ((acc = store_account_by_id(c->app->db, old->account_id)) ==
	    NULL || acc->endpoint_id != c->endpoint->id) {
		rc = renew_again(c, 200, "The enrollment account of this "
		    "certificate no longer exists here, so it cannot be renewed "
		    "on this form. Please enroll a new certificate or ask your "
		    "administrator.");
		goto out;
	}
	if (!issue_renewable(old, store_now(), &reason)) {
		rc = renew_again(c, 200, strcmp(reason, "revoked") == 0 ?
		    "This certificate has been revoked and cannot be renewed. "
		    "Please enroll a new certificate instead." :
		    "This certificate has expired and cannot be renewed. "
		    "Please enroll a new certificate instead.");
		goto out;
	}
	rc = by_sid(c) ? renew_issue(c, old, acc) : renew_pending(c, old, acc);
out:
	store_account_free(acc);
	store_request_free(old);
	return rc;
}

/* ---- revocation ---- */

/* Sets Reasons.N for the reason list. */
static void
set_reasons(struct app_req *c)
{
	app_set_reasons(c);
	hdf_set_value(c->r->hdf, "Form.Reason", app_str(c, KEY_REASON));
	hdf_set_value(c->r->hdf, "Form.Comments", app_str(c, KEY_COMMENTS));
}

/* Renders revocation step 1 (email, passphrase). */
static int
revoke_step1(struct app_req *c, int status, const char *error)
{
	if (error != NULL)
		hdf_set_value(c->r->hdf, "Page.Error", error);
	hdf_set_value(c->r->hdf, "Form.Email", app_str(c, KEY_EMAIL));
	return web_page(c->r, status, "smime_revoke");
}

/* Renders the list of certificates to revoke (step 2). */
static int
revoke_list(struct app_req *c, const struct request_list *l, int status,
    const char *error)
{
	struct buf	 allowed = { 0 };
	char		*token = NULL;
	int		 rc;

	set_certs(c, l, REQ_ISSUED, &allowed);
	if (allowed.data == NULL)
		return revoke_step1(c, status, error);
	if ((token = choice_token("smime-revoke",
	    app_str(c, KEY_EMAIL), (char *)allowed.data)) == NULL) {
		buf_free(&allowed);
		return server_error(c);
	}
	set_reasons(c);
	hdf_set_value(c->r->hdf, "Form.Token", token);
	hdf_set_value(c->r->hdf, "Form.Allowed", (char *)allowed.data);
	hdf_set_value(c->r->hdf, "Form.Email", app_str(c, KEY_EMAIL));
	if (error != NULL)
		hdf_set_value(c->r->hdf, "Page.Error", error);
	rc = web_page(c->r, status, "smime_revoke_list");
	free(token);
	buf_free(&allowed);
	return rc;
}

/* Revocation step 1: email and passphrase, then the person's certificates. */
static int
page_revoke(struct app_req *c)
{
	struct request_list	*l;
	int			 rc;

	if (strcmp(c->r->method, "POST") != 0)
		return revoke_step1(c, 200, NULL);
	if ((l = identify(c, 0, revoke_step1)) == NULL)
		return 1;
	if (count_status(l, REQ_ISSUED) == 0)
		rc = revoke_step1(c, 200, "Your certificates with this "
		    "passphrase have already been revoked.");
	else
		rc = revoke_list(c, l, 200, NULL);
	store_request_list_free(l);
	return rc;
}

/* What revoke_one did. */
enum revoked {
	REVOKED_NOW,
	REVOKED_ALREADY,	/* not Issued any more: a second submission */
	REVOKED_FAILED		/* logged */
};

/* Revokes the certificate with ID id; returns what it did. */
static enum revoked
revoke_one(struct app_req *c, const char *id, int code, size_t n)
{
	struct request	*r;
	struct actor	 who;
	char		 err[256], key[64];
	int		 ok;

	if ((r = store_request_by_cert_id(c->app->db, c->customer->id, id)) ==
	    NULL || r->type != CERT_SMIME) {
		store_request_free(r);
		return REVOKED_FAILED;
	}
	if (r->status != REQ_ISSUED) {
		store_request_free(r);
		return REVOKED_ALREADY;
	}
	who.name = r->requester_email;
	who.remote = c->r->remote;
	ok = issue_revoke(c->app->db, c->app->cfg, r->id, code,
	    app_str(c, KEY_COMMENTS), &who, err, sizeof(err));
	if (ok) {
		if (!notify_request(c->app->db, c->app->cfg, r->id,
		    NOTIFY_REVOKED))
			hdf_set_int_value(c->r->hdf, "Result.MailFailed", 1);
		snprintf(key, sizeof(key), "Revoked.%zu.ID", n);
		hdf_set_value(c->r->hdf, key, r->cert_id);
		snprintf(key, sizeof(key), "Revoked.%zu.Name", n);
		hdf_set_value(c->r->hdf, key, r->common_name);
		snprintf(key, sizeof(key), "Revoked.%zu.Serial", n);
		hdf_set_value(c->r->hdf, key, r->serial ? r->serial : "");
	} else {
		log_err("smime: revocation of %s failed", r->cert_id);
	}
	store_request_free(r);
	return ok ? REVOKED_NOW : REVOKED_FAILED;
}

/* Revocation step 2: the chosen certificates are revoked and the CRL published. */
static int
page_revoke_form(struct app_req *c)
{
	const char	*allowed = app_str(c, KEY_ALLOWED), *id;
	size_t		 i, n = 0, chosen = 0, already = 0;
	int		 code;

	if (strcmp(c->r->method, "POST") != 0)
		return revoke_step1(c, 200, NULL);
	if (!choice_ok(c, "smime-revoke"))
		return revoke_step1(c, 200, "This form has expired. Please "
		    "start again.");
	code = c->f[KEY_REASON].state == FIELD_ABSENT ? 0 :
	    issue_reason_code(app_str(c, KEY_REASON));
	for (i = 0; i < MAX_LISTED; i++)
		if (id_allowed(allowed, app_str(c, KEY_SEL0 + i)))
			chosen++;
	if (chosen == 0 || (code != 0 && code != 1 && code != 3 &&
	    code != 4 && code != 5)) {
		struct request_list *l = list_allowed(c);
		int rc;

		if (l == NULL)
			return server_error(c);
		rc = revoke_list(c, l, 200, chosen == 0 ?
		    "Select one or more certificates to revoke." :
		    "Choose a revocation reason.");
		store_request_list_free(l);
		return rc;
	}
	for (i = 0; i < MAX_LISTED; i++) {
		id = app_str(c, KEY_SEL0 + i);
		if (!id_allowed(allowed, id))
			continue;
		switch (revoke_one(c, id, code, n)) {
		case REVOKED_NOW:
			n++;
			break;
		case REVOKED_ALREADY:
			already++;
			break;
		case REVOKED_FAILED:
			break;
		}
	}
	/* The form sent twice: the first submission did it all. */
	if (n == 0 && already == chosen)
		return revoke_step1(c, 200, chosen == 1 ? "This certificate "
		    "has already been revoked." : "These certificates have "
		    "already been revoked.");
	if (n == 0)
		return server_error(c);
	hdf_set_value(c->r->hdf, "Result.Reason", issue_reason_name(code));
	return web_page(c->r, 200, "smime_revoked");
}

int
main(void)
{
	return app_serve(&program);
}
