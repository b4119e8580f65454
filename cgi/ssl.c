/*
 * ssl: SSL Certificate Management (guide 3.2.3.1): enrollment with an
 * access code, renewal, download and revocation of SSL certificates.
 * One static function per page; the page comes from ?action=.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "issue.h"
#include "log.h"
#include "policy.h"
#include "secret.h"

#define MAX_BODY	(64 * 1024)	/* a 32 KiB CSR upload plus the form */
#define ENROLL_TTL	(30 * 60)	/* how long a checked access code holds */
#define GENERIC_CODE_ERROR \
	"The access code or the email address is not valid for this form."

enum page {
	PAGE_MENU,
	PAGE_ENROLL,
	PAGE__MAX
};

/* What one request of this program works with. */
struct ctx {
	struct app	*app;
	struct req	*r;
	struct customer	*customer;
	struct endpoint	*endpoint;
};

typedef int (*page_fn)(struct ctx *);

static int page_menu(struct ctx *);
static int page_enroll(struct ctx *);

static const char *const pages[PAGE__MAX] = {
	"",		/* PAGE_MENU */
	"enroll",	/* PAGE_ENROLL */
};

static const page_fn handlers[PAGE__MAX] = {
	page_menu,
	page_enroll,
};

/* Sets the base URL of this endpoint's form in Form.Action. */
static void
set_action_url(struct ctx *c)
{
	char	 url[512];

	snprintf(url, sizeof(url), "/customer/%s/ssl%s%s", c->customer->uri,
	    c->endpoint->ext[0] ? "/" : "", c->endpoint->ext);
	hdf_set_value(c->r->hdf, "Form.Action", url);
}

/* Returns 1 if the address may keep guessing; answers 429 and returns 0 otherwise. */
static int
guess_allowed(struct ctx *c)
{
	if (!throttle_blocked(c->app->db, "ssl-code", c->r->remote))
		return 1;
	log_warn("ssl: access-code guessing from %s throttled", c->r->remote);
	hdf_set_value(c->r->hdf, "Page.Title", "SSL Certificate Enrollment");
	web_error(c->r, 429, "Too many attempts",
	    "There were too many failed attempts from your address. "
	    "Please wait 15 minutes before trying again.");
	return 0;
}

/* The menu of guide 3.2.3.1: enrollment, renewal, download, revocation. */
static int
page_menu(struct ctx *c)
{
	hdf_set_value(c->r->hdf, "Page.Title", "SSL Certificate Management");
	hdf_set_value(c->r->hdf, "Endpoint.Help", c->endpoint->help);
	return web_page(c->r, 200, "ssl_menu");
}

/* Renders step 1 (access code and email) with an optional error. */
static int
enroll_step1(struct ctx *c, int status, const char *error)
{
	const char	*email = web_param(c->r, "email");

	hdf_set_value(c->r->hdf, "Page.Title", "SSL Certificate Enrollment");
	if (error != NULL)
		hdf_set_value(c->r->hdf, "Page.Error", error);
	/* Keep what they typed, except the access code. */
	hdf_set_value(c->r->hdf, "Form.Email", email ? email : "");
	return web_page(c->r, status, "ssl_enroll_step1");
}

/*
 * Checks an access code and email against the endpoint (SPEC 4.1 step 2);
 * returns the account (caller frees) or NULL with a failure recorded.
 */
static struct account *
check_access_code(struct ctx *c, const char *code, const char *email)
{
	struct account			*acc = NULL;
	struct delegation_list		*dl = NULL;
	struct policy_delegation	*pd = NULL;
	int				 ok = 0;

	if (code == NULL || email == NULL || *code == '\0' || *email == '\0' ||
	    strlen(code) > 128 || strlen(email) > 254)
		goto out;
	if ((acc = store_account_by_code(c->app->db, c->endpoint->id, code)) ==
	    NULL)
		goto out;
	if ((dl = store_delegation_list(c->app->db, c->customer->id)) == NULL ||
	    (pd = issue_delegations(dl)) == NULL)
		goto out;
	ok = policy_email_allowed(pd, dl->n, acc->org_id, acc->dept_id,
	    CERT_SSL, email);
out:
	free(pd);
	store_delegation_list_free(dl);
	if (!ok) {
		/* The log says which part failed; the page never does. */
		log_info("ssl: access code check failed from %s: %s",
		    c->r->remote, acc == NULL ? "unknown code" :
		    "email domain not delegated");
		throttle_fail(c->app->db, "ssl-code", c->r->remote);
		store_account_free(acc);
		return NULL;
	}
	return acc;
}

/* Fills the profiles (with their terms) offered by the account. */
static int
set_profiles(struct ctx *c, const struct account *acc)
{
	struct profile_list	*pl;
	size_t			 i;
	char			 key[64];

	if ((pl = store_account_profiles(c->app->db, acc->id)) == NULL)
		return 0;
	for (i = 0; i < pl->n; i++) {
		const struct profile *p = pl->items[i];

		if (strcmp(p->type, "ssl") != 0)
			continue;
		snprintf(key, sizeof(key), "Profiles.%zu.Name", i);
		hdf_set_value(c->r->hdf, key, p->name);
		snprintf(key, sizeof(key), "Profiles.%zu.Terms", i);
		hdf_set_value(c->r->hdf, key, p->terms);
		snprintf(key, sizeof(key), "Profiles.%zu.MultiDomain", i);
		hdf_set_int_value(c->r->hdf, key, p->multi_domain);
		snprintf(key, sizeof(key), "Profiles.%zu.Description", i);
		hdf_set_value(c->r->hdf, key, p->description);
	}
	store_profile_list_free(pl);
	return 1;
}

/* Renders the full enrollment form (step 2) for a checked account. */
static int
enroll_form(struct ctx *c, const struct account *acc, const char *email,
    int status, const char *error)
{
	char	*token;

	if ((token = app_token_make("ssl-enroll", acc->id, email,
	    ENROLL_TTL)) == NULL || !set_profiles(c, acc)) {
		free(token);
		return web_error(c->r, 500, "Server error",
		    "The form could not be prepared. Please try again.");
	}
	hdf_set_value(c->r->hdf, "Page.Title", "SSL Certificate Enrollment");
	hdf_set_value(c->r->hdf, "Form.Token", token);
	hdf_set_value(c->r->hdf, "Form.Email", email);
	if (error != NULL)
		hdf_set_value(c->r->hdf, "Page.Error", error);
	free(token);
	return web_page(c->r, status, "ssl_enroll_form");
}

/* Enrollment: step 1 on GET, the access-code check on POST. */
static int
page_enroll(struct ctx *c)
{
	struct account	*acc;
	const char	*email;
	int		 rc;

	if (strcmp(c->r->method, "POST") != 0)
		return enroll_step1(c, 200, NULL);
	if (!guess_allowed(c))
		return 1;
	email = web_param(c->r, "email");
	if ((acc = check_access_code(c, web_param(c->r, "accessCode"),
	    email)) == NULL)
		return enroll_step1(c, 200, GENERIC_CODE_ERROR);
	throttle_reset(c->app->db, "ssl-code", c->r->remote);
	rc = enroll_form(c, acc, email, 200, NULL);
	store_account_free(acc);
	return rc;
}

/* Finds the page named by ?action=; PAGE__MAX when unknown. */
static enum page
page_lookup(const char *action)
{
	size_t	 i;

	if (action == NULL)
		return PAGE_MENU;
	for (i = 0; i < PAGE__MAX; i++)
		if (strcmp(pages[i], action) == 0)
			return (enum page)i;
	return PAGE__MAX;
}

/* Serves one request: customer, endpoint, CSRF, then the page. */
static void
serve(struct app *app, struct req *r)
{
	struct ctx	 c;
	enum page	 p;

	memset(&c, 0, sizeof(c));
	c.app = app;
	c.r = r;
	if ((c.customer = app_customer(app, r)) == NULL)
		return;
	/* /ssl or /ssl/<ext>; anything deeper is not ours. */
	if (strchr(r->rest, '/') != NULL || (c.endpoint =
	    store_endpoint_find(app->db, c.customer->id, "ssl", r->rest)) ==
	    NULL) {
		web_error(r, 404, "Not found", "There is no SSL enrollment "
		    "form at this address. Check the link you were given.");
		goto out;
	}
	set_action_url(&c);
	if ((p = page_lookup(web_param(r, "action"))) == PAGE__MAX) {
		web_error(r, 404, "Not found", "There is no such page.");
		goto out;
	}
	if (strcmp(r->method, "POST") == 0 && !r->csrf_ok) {
		web_error(r, 403, "Form expired", "This form has expired or was "
		    "not sent from this site. Please go back, reload the page "
		    "and submit it again.");
		goto out;
	}
	handlers[p](&c);
out:
	store_endpoint_free(c.endpoint);
	store_customer_free(c.customer);
}

int
main(void)
{
	struct app	 app;
	struct req	 r;

	if (!app_init(&app, "ssl"))
		return 1;
	while (web_accept(&r, MAX_BODY)) {
		serve(&app, &r);
		web_free(&r);
	}
	app_done(&app);
	return 0;
}
