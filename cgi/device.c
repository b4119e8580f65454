/*
 * device: Device Certificate Enrollment (guide 3.5.2.2, SPEC 4.5): a
 * requester sends a CSR for a device to the endpoint's one account, and
 * an administrator approves it.  There is no access code: the endpoint's
 * URL extension is the form's only gate, so every submission counts
 * against the address's "device-submit" limit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "app.h"
#include "csr.h"
#include "enroll.h"
#include "log.h"
#include "policy.h"
#include "throttle.h"

#define MAX_BODY	((size_t)64 * 1024)	/* a 32 KiB CSR upload plus the form */
#define SUBMIT_SCOPE	"device-submit"
#define SUBMIT_LIMIT	20		/* submissions per address and window */
#define SUBMIT_WINDOW	(60LL * 60)

enum page {
	PAGE_FORM,
	PAGE__MAX
};

enum key {
	KEY_PROFILE,
	KEY_TERM,
	KEY_EMAIL,
	KEY_CSR,
	KEY__MAX
};

static int page_form(struct app_req *);

static const struct app_page pages[PAGE__MAX] = {
	/* Throttled by the page itself: its limit is not the guessing one. */
	[PAGE_FORM] = { "", NULL, APP_GET | APP_POST, NULL,
	    "Device Certificate Enrollment", page_form },
};

static const struct field fields[KEY__MAX] = {
	[KEY_PROFILE] = { "profile", field_line, 256, 0, 0, 0 },
	[KEY_TERM] = { "term", field_int, 8, 1, 3650, 0 },
	[KEY_EMAIL] = { "email", field_line, 254, 0, 0, 0 },
	[KEY_CSR] = { "csr", field_text, CSR_MAX_BYTES, 0, 0, 0 },
};

static const enum endpoint_type types[] = { ENDPOINT_DEVICE };

static const struct program program = {
	.name = "device",
	.segment = "device",
	.match = ENDPOINT_EXT,
	.types = types,
	.n_types = 1,
	.not_found = "There is no device enrollment form at this address. "
	    "Check the link you were given.",
	.max_body = MAX_BODY,
	.pages = pages,
	.n_pages = PAGE__MAX,
	.fields = fields,
	.n_fields = KEY__MAX,
};

/* What one request works with: the account and its device profiles. */
struct device_ctx {
	struct account		*acc;
	struct profile_list	*pl;	/* every profile of the account */
	size_t			 n_device;	/* how many of them are device profiles */
	const struct profile	*only;	/* the device profile when there is one */
};

/*
 * Loads the endpoint's account and its device profiles into x; returns 1,
 * or 0 after answering 503 when the endpoint has not exactly one account
 * or the account no device profile.
 */
static int
load_account(struct app_req *c, struct device_ctx *x)
{
	struct account_list	*al;
	size_t			 i;

	memset(x, 0, sizeof(*x));
	if ((al = store_account_list(c->app->db, c->endpoint->id)) != NULL &&
	    al->n == 1) {
		x->acc = al->items[0];
		al->items[0] = NULL;
		al->n = 0;
	}
	/* Two accounts would leave the organisation to chance. */
	if (al != NULL && al->n > 1)
		log_warn("device: endpoint %s has %zu accounts, not one",
		    c->endpoint->ext, al->n);
	store_account_list_free(al);
	if (x->acc != NULL &&
	    (x->pl = store_account_profiles(c->app->db, x->acc->id)) != NULL)
		for (i = 0; i < x->pl->n; i++)
			if (x->pl->items[i]->type == CERT_DEVICE) {
				x->n_device++;
				x->only = x->pl->items[i];
			}
	if (x->n_device > 0)
		return 1;
	log_warn("device: endpoint %s has no account with a device profile",
	    c->endpoint->ext);
	app_error(c, 503, "Not configured", "This device enrollment form is "
	    "not configured yet. Please contact your administrator.");
	return 0;
}

/* Returns the account's device profile named name, or NULL (borrowed). */
static const struct profile *
find_profile(const struct device_ctx *x, const char *name)
{
	size_t	 i;

	/* A single profile is shown as text, and is the choice. */
	if (x->n_device == 1 && *name == '\0')
		return x->only;
	for (i = 0; i < x->pl->n; i++)
		if (x->pl->items[i]->type == CERT_DEVICE &&
		    strcmp(x->pl->items[i]->name, name) == 0)
			return x->pl->items[i];
	return NULL;
}

/* Sets the terms of the device profiles (their union, shortest first) in the form. */
static void
set_terms(struct app_req *c, const struct device_ctx *x)
{
	struct buf	 all = { 0 };
	size_t		 i, n;

	for (i = 0; i < x->pl->n; i++)
		if (x->pl->items[i]->type == CERT_DEVICE)
			buf_printf(&all, "%s%s", all.len ? "," : "",
			    x->pl->items[i]->terms);
	n = app_set_terms(c, all.data != NULL ? (char *)all.data : "");
	buf_free(&all);
	hdf_set_int_value(c->r->hdf, "Form.TermCount", (int)n);
}

/* Renders the form for the account's device profiles, with an optional error. */
static int
device_form(struct app_req *c, const struct device_ctx *x, const char *error,
    const char *csr_text)
{
	HDF	*h = c->r->hdf;
	size_t	 i, j = 0;
	char	 key[64];

	if (error != NULL)
		hdf_set_value(h, "Page.Error", error);
	for (i = 0; i < x->pl->n; i++) {
		if (x->pl->items[i]->type != CERT_DEVICE)
			continue;
		snprintf(key, sizeof(key), "Profiles.%zu.Name", j);
		hdf_set_value(h, key, x->pl->items[i]->name);
		snprintf(key, sizeof(key), "Profiles.%zu.Description", j++);
		hdf_set_value(h, key, x->pl->items[i]->description);
	}
	hdf_set_int_value(h, "Form.ProfileCount", (int)x->n_device);
	set_terms(c, x);
	/* Keep what they typed; numbers reach the template only as numbers. */
	hdf_set_value(h, "Form.Profile", x->n_device == 1 ? x->only->name :
	    app_str(c, KEY_PROFILE));
	if (c->f[KEY_TERM].state == FIELD_VALID)
		hdf_set_int_value(h, "Form.Term", (int)c->f[KEY_TERM].num);
	hdf_set_value(h, "Form.Email", app_str(c, KEY_EMAIL));
	hdf_set_value(h, "Form.CSR", csr_text);
	return web_page(c->r, 200, "device_form");
}

/* Runs enroll_check_device on the typed fields; returns its result. */
static int
device_check(struct app_req *c, const struct device_ctx *x,
    const struct profile *prof, const struct form_csr *fc, struct buf *sans,
    char *err, size_t errlen)
{
	struct policy_scope	*sc;
	struct device_input	 in;
	int			 ok;

	memset(&in, 0, sizeof(in));
	in.prof = prof;
	in.term = (int)c->f[KEY_TERM].num;
	in.email = app_str(c, KEY_EMAIL);
	in.email_invalid = c->f[KEY_EMAIL].state == FIELD_INVALID;
	in.csr = fc->csr;
	in.csr_err = fc->err;
	if ((sc = policy_scope_load(c->app->db, c->customer->id,
	    x->acc->org_id, x->acc->dept_id)) == NULL) {
		snprintf(err, errlen, "The request could not be checked.");
		return 0;
	}
	ok = enroll_check_device(sc, &in, sans, err, errlen);
	policy_scope_free(sc);
	return ok;
}

/*
 * Records the checked request for an administrator's approval and
 * renders the confirmation; returns 1 when answered, 0 with err set when
 * nothing was recorded.
 */
static int
device_submit(struct app_req *c, const struct device_ctx *x,
    const struct profile *prof, const struct form_csr *fc,
    const struct buf *sans, char *err, size_t errlen)
{
	struct request		 req;
	struct enroll_result	 res;
	struct actor		 who;
	char			 url[512];
	const char		*email = app_str(c, KEY_EMAIL);

	memset(&req, 0, sizeof(req));
	req.customer_id = c->customer->id;
	req.type = CERT_DEVICE;
	req.via = "web";
	req.status = REQ_REQUESTED;
	req.account_id = x->acc->id;
	req.profile_id = prof->id;
	req.org_id = x->acc->org_id;
	req.dept_id = x->acc->dept_id;
	req.term_days = (int)c->f[KEY_TERM].num;
	/* As SCEP records a device: the CSR's CN, the checked names. */
	req.common_name = fc->csr->cn != NULL ? fc->csr->cn : "";
	req.sans = sans->data != NULL ? (char *)sans->data : "";
	req.csr_der = fc->csr->der;
	req.csr_len = fc->csr->der_len;
	req.requester_email = (char *)email;
	req.external_requesters = "";
	req.comments = "";
	who.name = email;
	who.remote = c->r->remote;
	/* The extension is no secret: an administrator approves every request. */
	if (!enroll_submit(c->app->db, c->app->cfg, &req, 0, &who, &res, err,
	    errlen))
		return 0;
	hdf_set_value(c->r->hdf, "Result.CertID", req.cert_id);
	hdf_set_value(c->r->hdf, "Result.CommonName", *req.common_name ?
	    req.common_name : req.sans);
	hdf_set_value(c->r->hdf, "Result.Email", email);
	hdf_set_value(c->r->hdf, "Result.Profile", prof->name);
	hdf_set_int_value(c->r->hdf, "Result.MailFailed", !res.mailed);
	snprintf(url, sizeof(url), "/customer/%s/collect?id=%s",
	    c->customer->uri, req.cert_id);
	hdf_set_value(c->r->hdf, "Result.CollectURL", url);
	free(req.cert_id);
	web_page(c->r, 200, "device_done");
	return 1;
}

/*
 * Counts a submission against the address; returns 1 when it may go on,
 * or 0 after answering 429.
 */
static int
submit_allowed(struct app_req *c)
{
	int	 limit = config_int(c->app->cfg, "Device.SubmitLimit",
		    SUBMIT_LIMIT);

	if (limit < 1)
		limit = SUBMIT_LIMIT;
	/* Every submission counts, good or bad: the form has no secret. */
	if (throttle_attempt_n(c->app->db, SUBMIT_SCOPE, c->r->remote, limit,
	    SUBMIT_WINDOW))
		return 1;
	log_warn("device: submissions from %s throttled", c->r->remote);
	app_error(c, 429, "Too many requests", "There were too many "
	    "submissions from your address. Please try again in an hour.");
	return 0;
}

/* The form on GET; on POST the checks and, when they pass, the new request. */
static int
page_form(struct app_req *c)
{
	struct device_ctx	 x;
	struct form_csr		 fc;
	struct buf		 sans = { 0 };
	const struct profile	*prof;
	char			 err[512];
	int			 rc = 1;

	memset(&fc, 0, sizeof(fc));
	if (!load_account(c, &x))
		goto out;
	if (strcmp(c->r->method, "POST") != 0) {
		rc = device_form(c, &x, NULL, "");
		goto out;
	}
	if (!submit_allowed(c))
		goto out;
	app_form_csr(c, "csrFile", KEY_CSR, &fc);
	prof = find_profile(&x, app_str(c, KEY_PROFILE));
	if (!device_check(c, &x, prof, &fc, &sans, err, sizeof(err))) {
		rc = device_form(c, &x, err, fc.text ? fc.text : "");
		goto out;
	}
	if (!device_submit(c, &x, prof, &fc, &sans, err, sizeof(err))) {
		rc = device_form(c, &x, err, fc.text ? fc.text : "");
	}
out:
	buf_free(&sans);
	app_form_csr_free(&fc);
	store_profile_list_free(x.pl);
	store_account_free(x.acc);
	return rc;
}

int
main(void)
{
	return app_serve(&program);
}
