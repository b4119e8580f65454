/*
 * validate: Account Validation after an access-code enrollment and User
 * Registration after an invitation (guide 3.3.4.1, 3.3.4.3, SPEC 4.2).
 * The mailed link /validate?requestCode=CODE&email=EMAIL opens the page
 * its code belongs to; once a code has been checked, the form carries a
 * signed token in its place, so an error never echoes the code.  A
 * valid submission issues the certificate and sends the person to the
 * collection page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "clientcert.h"
#include "clientform.h"
#include "csr.h"
#include "enroll.h"
#include "log.h"
#include "secret.h"
#include "throttle.h"
#include "vcode.h"

#define MAX_BODY	((size_t)16 * 1024)
#define STEP_TTL	(30LL * 60)	/* how long a checked code's token holds */
#define SCOPE		"validate-code"
#define GENERIC_ERROR \
	"The code or the email address is not correct. Check the link in " \
	"your email."
#define USED_ERROR \
	"This code has already been used: the certificate was issued. If " \
	"you need a new one, enroll again or ask your administrator for a " \
	"new invitation."

enum key {
	KEY_CODE,
	KEY_EMAIL,
	KEY_TOKEN,
	KEY_REF,
	KEY_PASSWORD,
	KEY_PASSWORD2,
	KEY_PASS,
	KEY_PASS2,
	KEY_EULA,
	KEY__MAX
};

static int page_validate(struct app_req *);

static const struct app_page pages[] = {
	{ "", NULL, APP_GET | APP_POST, SCOPE, "Account Validation",
	    page_validate },
};

static const struct field fields[KEY__MAX] = {
	[KEY_CODE] = { "requestCode", field_line, 128, 0, 0, 1 },
	[KEY_EMAIL] = { "email", field_line, 254, 0, 0, 0 },
	[KEY_TOKEN] = { "token", field_line, 512, 0, 0, 0 },
	[KEY_REF] = { "ref", field_line, 128, 0, 0, 0 },
	[KEY_PASSWORD] = { "password", field_line, ENROLL_PASS_MAX, 0, 0, 1 },
	[KEY_PASSWORD2] = { "password2", field_line, ENROLL_PASS_MAX, 0, 0, 1 },
	[KEY_PASS] = { "passphrase", field_line, ENROLL_PASS_MAX, 0, 0, 1 },
	[KEY_PASS2] = { "passphrase2", field_line, ENROLL_PASS_MAX, 0, 0, 1 },
	[KEY_EULA] = { "eula", field_flag, 16, 0, 0, 0 },
};

static const struct program program = {
	.name = "validate",
	.segment = "validate",
	.match = ENDPOINT_NONE,
	.not_found = "There is no such page.",
	.max_body = MAX_BODY,
	.pages = pages,
	.n_pages = sizeof(pages) / sizeof(pages[0]),
	.fields = fields,
	.n_fields = KEY__MAX,
};

/* Renders the form of kind (0 and no code: the empty validation form). */
static int
show_form(struct app_req *c, const struct clientform_code *k, const char *token,
    const char *ref, int allow_empty, int user_csr, int status,
    const char *error)
{
	HDF	*h = c->r->hdf;

	if (k != NULL && k->kind == VCODE_INVITATION) {
		hdf_set_value(h, "Page.Title", "User Registration");
		hdf_set_int_value(h, "Form.Registration", 1);
	}
	if (token != NULL) {
		hdf_set_value(h, "Form.Token", token);
		hdf_set_value(h, "Form.Ref", ref);
	}
	hdf_set_value(h, "Form.Email", app_str(c, KEY_EMAIL));
	hdf_set_int_value(h, "Form.AllowEmpty", allow_empty);
	hdf_set_int_value(h, "Form.UserCSR", user_csr);
	hdf_set_int_value(h, "Form.EULA", c->f[KEY_EULA].num != 0);
	if (error != NULL)
		hdf_set_value(h, "Page.Error", error);
	return web_page(c->r, status, "validate");
}

/* Renders the code form again with a message (a bad, used or expired code). */
static int
code_form(struct app_req *c, int status, const char *error)
{
	return show_form(c, NULL, NULL, NULL, 0, 0, status, error);
}

/* Returns the token standing for the checked code k (caller frees). */
static char *
make_token(const struct app_req *c, const struct clientform_code *k, char *ref,
    size_t len)
{
	struct buf	 b = { 0 };
	char		*t = NULL;
	long long	 ttl = k->expires - store_now();

	clientform_ref_make(k, ref, len);
	if (ttl > STEP_TTL)
		ttl = STEP_TTL;
	if (ttl > 0 && buf_printf(&b, "%s|%s", app_str(c, KEY_EMAIL), ref))
		t = app_token_make("validate", k->vcode_id, (char *)b.data,
		    (long)ttl);
	buf_free(&b);
	return t;
}

/* Returns 1 with k filled when the form's token and reference hold. */
static int
token_ok(struct app_req *c, struct clientform_code *k)
{
	struct buf	 b = { 0 };
	long long	 id = 0;

	if (!clientform_ref_parse(app_str(c, KEY_REF), k))
		return 0;
	if (buf_printf(&b, "%s|%s", app_str(c, KEY_EMAIL),
	    app_str(c, KEY_REF)))
		id = app_token_check(app_str(c, KEY_TOKEN), "validate",
		    (char *)b.data);
	buf_free(&b);
	return id != 0 && id == k->vcode_id;
}

/*
 * Looks the typed code up, as a validation code and then as an
 * invitation code; returns 1 with k filled, or 0 after answering (a
 * wrong code counts against the address).
 */
static int
lookup(struct app_req *c, struct clientform_code *k)
{
	struct vcode		 v;
	enum vcode_check	 vc;
	const char		*code = app_str(c, KEY_CODE);
	const char		*email = app_str(c, KEY_EMAIL);

	memset(k, 0, sizeof(*k));
	vc = vcode_find(c->app->db, VCODE_VALIDATION, code, email, &v);
	if (vc == VCODE_UNKNOWN)
		vc = vcode_find(c->app->db, VCODE_INVITATION, code, email, &v);
	switch (vc) {
	case VCODE_OK:
		k->kind = v.kind;
		k->vcode_id = v.id;
		k->request_id = v.request_id;
		k->person_id = v.person_id;
		k->account_id = v.account_id;
		k->expires = v.expires;
		vcode_free(&v);
		return 1;
	case VCODE_USED:
		vcode_free(&v);
		code_form(c, 200, USED_ERROR);
		return 0;
	case VCODE_EXPIRED:
		vcode_free(&v);
		code_form(c, 200, "This code has expired and can no longer be "
		    "used; nothing was issued. Please enroll again or ask "
		    "your administrator for a new invitation.");
		return 0;
	case VCODE_UNKNOWN:
		break;
	}
	throttle_fail(c->app->db, SCOPE, c->r->remote);
	log_info("validate: unknown code from %s", c->r->remote);
	code_form(c, 200, GENERIC_ERROR);
	return 0;
}

/* What a checked code issues: the order's borrowed parts, owned here. */
struct issue_ctx {
	struct request		*req;		/* validation */
	struct person		*person;	/* invitation */
	struct account		*acc;
	struct profile_list	*pl;
	struct csr		*csr;		/* validation with a user CSR */
	char			*hash;		/* invitation's passphrase */
};

/* Frees what an issue_ctx holds. */
static void
issue_ctx_free(struct issue_ctx *x)
{
	csr_free(x->csr);
	free(x->hash);
	store_profile_list_free(x->pl);
	store_account_free(x->acc);
	store_person_free(x->person);
	store_request_free(x->req);
}

/* What load found. */
enum load {
	LOAD_OK,
	LOAD_USED,	/* the request was validated meanwhile */
	LOAD_BAD	/* not this customer's, or gone */
};

/*
 * Reads k's code row again and checks it still says what k says: the
 * kind, the typed address, the same request or person and account, and
 * unused.  A form's token names a row by id, and the row can change
 * under it (a person edited or deleted, ids reused).
 */
static enum load
code_current(struct app_req *c, const struct clientform_code *k)
{
	struct vcode		 v;
	enum vcode_check	 vc;
	enum load		 l = LOAD_BAD;

	vc = vcode_by_id(c->app->db, k->kind, k->vcode_id, app_str(c,
	    KEY_EMAIL), &v);
	if (vc == VCODE_USED)
		l = LOAD_USED;
	else if (vc == VCODE_OK && v.account_id == k->account_id &&
	    (k->kind == VCODE_VALIDATION ? v.request_id == k->request_id :
	    v.person_id == k->person_id))
		l = LOAD_OK;
	vcode_free(&v);
	return l;
}

/*
 * Loads what k names and checks it belongs to this customer, is still
 * waiting and still belongs to the address the code was mailed to;
 * returns LOAD_OK, or why there is nothing to issue.
 */
static enum load
load(struct app_req *c, const struct clientform_code *k, struct issue_ctx *x)
{
	struct endpoint	*ep = NULL;
	const char	*email = app_str(c, KEY_EMAIL);
	enum load	 l;
	int		 ok;

	if ((l = code_current(c, k)) != LOAD_OK)
		return l;
	x->acc = store_account_by_id(c->app->db, k->account_id);
	if (x->acc != NULL)
		ep = store_endpoint_by_id(c->app->db, x->acc->endpoint_id);
	ok = ep != NULL && ep->customer_id == c->customer->id;
	store_endpoint_free(ep);
	if (!ok)
		return LOAD_BAD;
	/*
	 * The certificate names the person's or the request's address:
	 * it must still be the one the code was mailed to.
	 */
	if (k->kind == VCODE_INVITATION)
		return (x->person = store_person_by_id(c->app->db,
		    k->person_id)) != NULL && strcasecmp(x->person->email,
		    email) == 0 ? LOAD_OK : LOAD_BAD;
	if ((x->req = store_request_by_id(c->app->db, k->request_id)) ==
	    NULL || x->req->customer_id != c->customer->id ||
	    strcasecmp(x->req->requester_email, email) != 0)
		return LOAD_BAD;
	return x->req->status == REQ_AWAITING_VALIDATION ? LOAD_OK : LOAD_USED;
}

/* Fills o for a validation: everything but the password comes from the request. */
static int
order_validation(struct app_req *c, struct issue_ctx *x,
    struct clientcert_order *o, char *err, size_t errlen)
{
	const struct request	*r = x->req;

	if (x->acc->user_csr && (x->csr = csr_parse_stored(r->csr_der,
	    r->csr_len, err, errlen)) == NULL)
		return 0;
	if (!x->acc->user_csr && !clientform_check_password(
	    app_str(c, KEY_PASSWORD), app_str(c, KEY_PASSWORD2),
	    r->requester_email, NULL, r->passphrase_hash,
	    x->acc->allow_empty_p12, err, errlen))
		return 0;
	o->org_id = r->org_id;
	o->dept_id = r->dept_id;
	o->profile_id = r->profile_id;
	o->term_days = r->term_days;
	o->key_type = r->key_type;
	o->csr = x->csr;
	o->email = r->requester_email;
	o->first = r->first_name;
	o->middle = r->middle_name;
	o->last = r->last_name;
	o->request_id = r->id;
	/* A renewal by access code waits here for the mailbox owner. */
	o->renewal_of = r->renewal_of;
	return 1;
}

/*
 * Chooses what an invitation issues, which its page does not ask: the
 * account's first S/MIME profile, its shortest term and first key type.
 * Returns 1, or 0 with a message in err.
 */
static int
invitation_choice(struct app_req *c, struct issue_ctx *x,
    struct clientcert_order *o, char *err, size_t errlen)
{
	const struct profile	*prof = NULL;
	enum key_type		 kt[5];
	int			 days[64];
	size_t			 i;

	if ((x->pl = store_account_profiles(c->app->db, x->acc->id)) != NULL)
		for (i = 0; i < x->pl->n && prof == NULL; i++)
			if (x->pl->items[i]->type == CERT_SMIME)
				prof = x->pl->items[i];
	if (prof == NULL || policy_terms(prof->terms, days, 64) == 0 ||
	    clientform_key_types(prof, kt) == 0) {
		buf_msg(err, errlen, "The account of your invitation offers no "
		    "client certificate profile. Please ask your "
		    "administrator.");
		return 0;
	}
	o->profile_id = prof->id;
	o->term_days = days[0];
	o->key_type = kt[0];
	return 1;
}

/* Fills o for an invitation: the person's details and the form's secrets. */
static int
order_invitation(struct app_req *c, struct issue_ctx *x,
    struct clientcert_order *o, char *err, size_t errlen)
{
	const struct person	*p = x->person;
	const char		*pass = app_str(c, KEY_PASS);

	if (p == NULL)
		return 0;
	if (!clientform_check_password(app_str(c, KEY_PASSWORD),
	    app_str(c, KEY_PASSWORD2), p->email, pass, NULL,
	    x->acc->allow_empty_p12, err, errlen))
		return 0;
	if (strlen(pass) < ENROLL_PASS_MIN || strlen(pass) > ENROLL_PASS_MAX) {
		buf_msg(err, errlen, "The passphrase must have %d to %d "
		    "characters.", ENROLL_PASS_MIN, ENROLL_PASS_MAX);
		return 0;
	}
	if (!secret_equal(pass, app_str(c, KEY_PASS2))) {
		buf_msg(err, errlen, "The passphrase and its confirmation "
		    "differ; enter the same passphrase twice.");
		return 0;
	}
	if (c->f[KEY_EULA].num == 0) {
		buf_msg(err, errlen, "Accept the EULA to enroll.");
		return 0;
	}
	if (!invitation_choice(c, x, o, err, errlen))
		return 0;
	if ((x->hash = secret_hash(pass)) == NULL) {
		buf_msg(err, errlen, "The request could not be recorded.");
		return 0;
	}
	o->org_id = p->org_id;
	o->dept_id = p->dept_id;
	o->email = p->email;
	o->first = p->first_name;
	o->middle = p->middle_name;
	o->last = p->last_name;
	o->passphrase_hash = x->hash;
	return 1;
}

/* Checks the form for k and issues; answers the page either way. */
static int
issue(struct app_req *c, const struct clientform_code *k, const char *token,
    const char *ref)
{
	struct issue_ctx		 x;
	struct clientcert_order		 o;
	struct clientcert_result	 res;
	struct actor			 who = { app_str(c, KEY_EMAIL),
					    c->r->remote };
	char				 err[512];
	int				 rc = 1, ok;

	memset(&x, 0, sizeof(x));
	memset(&o, 0, sizeof(o));
	memset(&res, 0, sizeof(res));
	err[0] = '\0';
	switch (load(c, k, &x)) {
	case LOAD_OK:
		break;
	case LOAD_USED:
		rc = code_form(c, 200, USED_ERROR);
		goto out;
	case LOAD_BAD:
		rc = code_form(c, 200, GENERIC_ERROR);
		goto out;
	}
	o.customer_id = c->customer->id;
	o.account_id = x.acc->id;
	o.password = app_str(c, KEY_PASSWORD);
	o.via = "web";
	o.vcode_id = k->vcode_id;
	ok = k->kind == VCODE_VALIDATION ?
	    order_validation(c, &x, &o, err, sizeof(err)) :
	    order_invitation(c, &x, &o, err, sizeof(err));
	if (!ok) {
		rc = show_form(c, k, token, ref, x.acc->allow_empty_p12,
		    x.acc->user_csr, 200, err);
		goto out;
	}
	switch (clientcert_issue(c->app->db, c->app->cfg, &o, &who, &res)) {
	case CLIENTCERT_OK:
		rc = app_to_collect(c, res.cert_id, res.pickup);
		break;
	case CLIENTCERT_CODE_USED:
		rc = code_form(c, 200, USED_ERROR);
		break;
	case CLIENTCERT_REFUSED:
	case CLIENTCERT_FAILED:
		rc = show_form(c, k, token, ref, x.acc->allow_empty_p12,
		    x.acc->user_csr, 200, res.err[0] ? res.err : "The "
		    "certificate could not be issued. Please try again later.");
		break;
	}
out:
	clientcert_result_free(&res);
	issue_ctx_free(&x);
	return rc;
}

/* Account Validation or User Registration: the form, then the issuance. */
static int
page_validate(struct app_req *c)
{
	struct clientform_code	 k;
	struct account	*acc;
	char		*token = NULL, ref[128];
	int		 rc, from_token, post;

	post = strcmp(c->r->method, "POST") == 0;
	from_token = post && c->f[KEY_TOKEN].state == FIELD_VALID;
	if (!post && c->f[KEY_CODE].state == FIELD_ABSENT)
		return code_form(c, 200, NULL);
	if (from_token && !token_ok(c, &k))
		return code_form(c, 200, "This form has expired. Please open "
		    "the link in your email again.");
	/* A GET with a code looks it up too: count its guesses as well. */
	if (!from_token && !post && !app_throttle_ok(c, SCOPE))
		return 1;
	if (!from_token && !lookup(c, &k))
		return 1;
	if ((token = from_token ? strdup(app_str(c, KEY_TOKEN)) :
	    make_token(c, &k, ref, sizeof(ref))) == NULL)
		return code_form(c, 200, "This code has expired and can no "
		    "longer be used; nothing was issued.");
	if (from_token)
		snprintf(ref, sizeof(ref), "%s", app_str(c, KEY_REF));
	if (post) {
		rc = issue(c, &k, token, ref);
	} else {
		acc = store_account_by_id(c->app->db, k.account_id);
		rc = show_form(c, &k, token, ref, acc && acc->allow_empty_p12,
		    acc && acc->user_csr && k.kind == VCODE_VALIDATION, 200,
		    NULL);
		store_account_free(acc);
	}
	free(token);
	return rc;
}

int
main(void)
{
	return app_serve(&program);
}
