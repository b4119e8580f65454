/* app: per-process and per-request setup shared by the web programs. */
#include <inttypes.h>
#include <strings.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "buf.h"
#include "csr.h"
#include "cacache.h"
#include "clientcert.h"
#include "log.h"
#include "policy.h"
#include "secret.h"
#include "throttle.h"

int
app_init(struct app *a, const char *prog)
{
	const char	*state, *dbpath;
	char		 buf[4096];

	memset(a, 0, sizeof(*a));
	if (!web_init(prog) || (a->cfg = web_config()) == NULL)
		return 0;
	state = config_get(a->cfg, "State.Dir", "/var/lib/certdesk");
	if ((dbpath = config_get(a->cfg, "DB.Path", NULL)) == NULL) {
		snprintf(buf, sizeof(buf), "%s/certdesk.db", state);
		dbpath = buf;
	}
	if (!secret_load(config_get(a->cfg, "Secret.KeyFile",
	    "/var/lib/certdesk/server.key")))
		return 0;
	if ((a->db = db_open(dbpath)) == NULL)
		return 0;
	return 1;
}

/* Empties one cached site. */
static void
app_site_drop(struct app_site *s)
{
	free(s->uri);
	free(s->ext);
	store_customer_free(s->customer);
	store_endpoint_free(s->endpoint);
	memset(s, 0, sizeof(*s));
}

void
app_done(struct app *a)
{
	size_t	 i;

	for (i = 0; i < APP_SITES; i++)
		app_site_drop(&a->sites[i]);
	cacache_free_all();
	scep_cleanup();
	db_close(a->db);
	a->db = NULL;
	secret_done();
}

/* Writes the MAC of "purpose|id|expiry|bound" into mac; returns 1 on success. */
static int
token_mac(const char *purpose, long long id, long long expiry,
    const char *bound, char mac[SECRET_HMAC_HEX])
{
	struct buf	 b = { 0 };
	int		 ok;

	ok = buf_printf(&b, "%s|%lld|%lld|%s", purpose, id, expiry, bound) &&
	    secret_hmac_hex((const char *)b.data, mac);
	buf_free(&b);
	return ok;
}

char *
app_token_make(const char *purpose, long long id, const char *bound, long ttl)
{
	char		 mac[SECRET_HMAC_HEX];
	struct buf	 b = { 0 };
	long long	 expiry = store_now() + ttl;

	if (!token_mac(purpose, id, expiry, bound, mac) ||
	    !buf_printf(&b, "%lld.%lld.%s", id, expiry, mac)) {
		buf_free(&b);
		return NULL;
	}
	return buf_take(&b);
}

long long
app_token_check(const char *token, const char *purpose, const char *bound)
{
	char		 mac[SECRET_HMAC_HEX], *end;
	long long	 id, expiry;

	if (token == NULL)
		return 0;
	id = strtoll(token, &end, 10);
	if (*end != '.' || id <= 0)
		return 0;
	expiry = strtoll(end + 1, &end, 10);
	if (*end != '.' || expiry < store_now())
		return 0;
	if (!token_mac(purpose, id, expiry, bound, mac) ||
	    !secret_equal(end + 1, mac))
		return 0;
	return id;
}

/* ---- the program skeleton ---- */

/* Returns 1 when s holds no control byte but those allowed ("\t\r\n" or none). */
static int
field_clean(const char *s, const char *allowed)
{
	for (; *s != '\0'; s++)
		if (((unsigned char)*s < 0x20 && strchr(allowed, *s) == NULL) ||
		    (unsigned char)*s == 0x7f)
			return 0;
	return 1;
}

int
field_text(const struct field *f, const char *raw, struct field_value *v)
{
	if (strlen(raw) > f->max || !field_clean(raw, "\t\r\n"))
		return 0;
	v->str = raw;
	return 1;
}

int
field_line(const struct field *f, const char *raw, struct field_value *v)
{
	if (strlen(raw) > f->max || !field_clean(raw, ""))
		return 0;
	v->str = raw;
	return 1;
}

int
field_int(const struct field *f, const char *raw, struct field_value *v)
{
	long long	 n = 0;
	const char	*p;

	if (strlen(raw) > f->max || strlen(raw) > 18)
		return 0;
	for (p = raw; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		n = n * 10 + (*p - '0');
	}
	if (n < f->lo || n > f->hi)
		return 0;
	v->str = raw;
	v->num = n;
	return 1;
}

int
field_flag(const struct field *f, const char *raw, struct field_value *v)
{
	(void)f;
	(void)raw;
	v->num = 1;
	return 1;
}

const char *
app_str(const struct app_req *c, size_t key)
{
	if (key >= c->prog->n_fields || c->f[key].state != FIELD_VALID)
		return "";
	return c->f[key].str;
}

/*
 * Writes the name of cert_id's pick-up cookie into out: one per
 * certificate, so a second issuance in the same browser keeps the
 * first's.  Returns 1, or 0 when cert_id is not a plain ID.
 */
static int
pickup_cookie(const char *cert_id, char *out, size_t len)
{
	const char	*p;

	for (p = cert_id; *p != '\0'; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z')))
			return 0;
	return *cert_id != '\0' &&
	    (size_t)snprintf(out, len, "cd_p12_%s", cert_id) < len;
}

int
app_to_collect(struct app_req *c, const char *cert_id, const char *pickup)
{
	char	 url[512], path[300], name[96];

	if ((size_t)snprintf(url, sizeof(url), "/customer/%s/collect?id=%s",
	    c->customer->uri, cert_id) >= sizeof(url) ||
	    (size_t)snprintf(path, sizeof(path), "/customer/%s/collect",
	    c->customer->uri) >= sizeof(path) ||
	    !pickup_cookie(cert_id, name, sizeof(name))) {
		log_err("collect link for %s too long", cert_id);
		return web_error(c->r, 500, "Server error", "The certificate "
		    "was issued but the page could not be shown.");
	}
	if (pickup == NULL)
		return web_redirect(c->r, url);
	return web_redirect_cookie(c->r, url, name, pickup, path,
	    CLIENTCERT_PICKUP_SECONDS);
}

const char *
app_pickup_secret(struct app_req *c, const char *cert_id)
{
	char	 name[96];

	if (!pickup_cookie(cert_id, name, sizeof(name)))
		return NULL;
	return web_cookie(c->r, name);
}

int
app_error(struct app_req *c, int status, const char *title,
    const char *message)
{
	struct buf	 b = { 0 };

	if (!c->prog->plain_errors) {
		web_error(c->r, status, title, message);
		return 1;
	}
	if (buf_printf(&b, "%s\n", message))
		web_text(c->r, status, (char *)b.data);
	else
		web_text(c->r, status, title);
	buf_free(&b);
	return 1;
}

int
app_throttle_ok(struct app_req *c, const char *scope)
{
	if (!throttle_blocked(c->app->db, scope, c->r->remote))
		return 1;
	log_warn("%s: %s guessing from %s throttled", c->prog->name, scope,
	    c->r->remote);
	app_error(c, 429, "Too many attempts", "There were too many failed "
	    "attempts from your address. Please wait 15 minutes before "
	    "trying again.");
	return 0;
}

/*
 * Writes into ext the endpoint extension the rest of the path names for
 * the program; returns 1, or 0 when it names none (no endpoint, or a
 * path of the wrong shape).
 */
static int
app_endpoint_ext(const struct app_req *c, char *ext, size_t extlen)
{
	const struct program	*p = c->prog;
	size_t			 n;

	if (p->match == ENDPOINT_NONE || strcmp(c->r->program, p->segment) != 0)
		return 0;
	n = strcspn(c->r->rest, "/");
	if (n >= extlen || (p->match == ENDPOINT_EXT &&
	    c->r->rest[n] != '\0') || (p->match == ENDPOINT_FIRST_SEGMENT &&
	    n == 0))
		return 0;
	memcpy(ext, c->r->rest, n);
	ext[n] = '\0';
	return 1;
}

/* Returns the page the request names, or NULL. */
static const struct app_page *
app_page(const struct app_req *c)
{
	const struct program	*p = c->prog;
	const char		*name = NULL, *step = NULL;
	size_t			 i;
	int			 same;

	if (p->page_param == NULL)
		return &p->pages[0];
	if ((name = web_param(c->r, p->page_param)) == NULL)
		name = "";
	if (p->step_param != NULL)
		step = web_param(c->r, p->step_param);
	for (i = 0; i < p->n_pages; i++) {
		same = p->page_nocase ? strcasecmp(p->pages[i].name, name) == 0 :
		    strcmp(p->pages[i].name, name) == 0;
		if (!same)
			continue;
		if (p->pages[i].step == NULL || (step != NULL &&
		    strcmp(p->pages[i].step, step) == 0))
			return &p->pages[i];
	}
	return NULL;
}

/* Checks every declared field of the request into c->f. */
static void
app_fields(struct app_req *c)
{
	const struct field	*f;
	const char		*raw;
	size_t			 i;

	for (i = 0; i < c->prog->n_fields; i++) {
		f = &c->prog->fields[i];
		c->f[i].str = "";
		c->f[i].num = 0;
		if ((raw = web_param(c->r, f->name)) == NULL || *raw == '\0')
			c->f[i].state = FIELD_ABSENT;
		else if (f->check(f, raw, &c->f[i]))
			c->f[i].state = FIELD_VALID;
		else {
			c->f[i].state = FIELD_INVALID;
			c->f[i].str = "";
			c->f[i].num = 0;
			log_info("%s: field %s refused", c->prog->name,
			    f->name);
		}
	}
}

/* Sets Form.Action to this program's address for the endpoint, where forms post. */
static void
app_form_action(struct app_req *c)
{
	struct buf	 b = { 0 };
	const char	*ext = c->endpoint != NULL ? c->endpoint->ext : "";

	if (buf_printf(&b, "/customer/%s/%s%s%s", c->customer->uri,
	    c->prog->segment, *ext != '\0' ? "/" : "", ext))
		hdf_set_value(c->r->hdf, "Form.Action", (char *)b.data);
	buf_free(&b);
}

/*
 * Customers and endpoints are never changed or deleted once created
 * (SCEP's legacy_des aside: its program sets fresh_sites), and a restore
 * is made with the web server stopped (`restore --force` tells the admin
 * to restart it), so a customer and endpoint a worker has read stay
 * true.  A page shown by GET or HEAD takes them from the worker's few
 * cached sites instead of the database; a POST, which records things,
 * reads them afresh, and so does every lookup that found nothing, so a
 * new customer or endpoint is served at once.
 * Entries are dropped after APP_SITE_TTL seconds all the same, so that a
 * change made behind certdesk's back shows within that time.
 */
#define APP_SITE_TTL	5

/* Returns the monotonic clock in whole seconds. */
static long long
app_seconds(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec;
}

/*
 * Points c at the cached customer and endpoint for the URL's customer
 * and ext (NULL: no endpoint wanted); returns 1 when there were any.
 */
static int
app_site_get(struct app_req *c, const char *ext)
{
	struct app_site	*s;
	long long	 now = app_seconds();
	size_t		 i;

	for (i = 0; i < APP_SITES; i++) {
		s = &c->app->sites[i];
		if (s->uri == NULL || strcmp(s->uri, c->r->customer_uri) != 0 ||
		    (s->ext == NULL) != (ext == NULL) ||
		    (ext != NULL && strcmp(s->ext, ext) != 0))
			continue;
		if (now >= s->until) {
			app_site_drop(s);
			return 0;
		}
		c->customer = s->customer;
		c->endpoint = s->endpoint;
		c->site_cached = 1;
		return 1;
	}
	return 0;
}

/* Hands c's customer and endpoint to the cache, when memory allows. */
static void
app_site_put(struct app_req *c, const char *ext)
{
	struct app_site	*s = &c->app->sites[c->app->next_site];

	app_site_drop(s);
	if ((s->uri = strdup(c->r->customer_uri)) == NULL ||
	    (ext != NULL && (s->ext = strdup(ext)) == NULL)) {
		app_site_drop(s);
		return;
	}
	s->customer = c->customer;
	s->endpoint = c->endpoint;
	s->until = app_seconds() + APP_SITE_TTL;
	c->site_cached = 1;
	c->app->next_site = (c->app->next_site + 1) % APP_SITES;
}

/* Sets c's customer and endpoint from the cache or the database. */
static void
app_site(struct app_req *c, const char *ext, int post)
{
	const struct program	*p = c->prog;
	int			 cache = !post && !p->fresh_sites;

	if (c->r->customer_uri == NULL ||
	    (cache && app_site_get(c, ext)))
		return;
	(void)store_customer_endpoint(c->app->db, c->r->customer_uri,
	    p->types, ext != NULL ? p->n_types : 0, ext, &c->customer,
	    &c->endpoint);
	if (cache && c->customer != NULL &&
	    (ext == NULL || c->endpoint != NULL))
		app_site_put(c, ext);
}

/* Resolves everything a page relies on, then runs it; frees what it resolved. */
static void
app_dispatch(struct app_req *c)
{
	const struct program	*p = c->prog;
	char			 ext[128] = "";
	unsigned		 m;

	m = strcmp(c->r->method, "POST") == 0 ? APP_POST : APP_GET;
	app_site(c, app_endpoint_ext(c, ext, sizeof(ext)) ? ext : NULL,
	    m == APP_POST);
	if (c->customer == NULL || strcmp(c->r->program, p->segment) != 0) {
		app_error(c, 404, "Not found", p->plain_errors ? p->not_found :
		    "There is no certificate service at this address. Check "
		    "the link you were given.");
		goto out;
	}
	hdf_set_value(c->r->hdf, "Customer.Name", c->customer->name);
	hdf_set_value(c->r->hdf, "Customer.URI", c->customer->uri);
	if (p->match == ENDPOINT_NONE ? c->r->rest[0] != '\0' :
	    c->endpoint == NULL) {
		app_error(c, 404, "Not found", p->not_found);
		goto out;
	}
	app_form_action(c);
	if ((c->page = app_page(c)) == NULL) {
		if (p->plain_errors)
			app_error(c, 400, "Bad request", "Unknown operation.");
		else
			app_error(c, 404, "Not found", "There is no such page.");
		goto out;
	}
	if (c->page->title != NULL)
		hdf_set_value(c->r->hdf, "Page.Title", c->page->title);
	if ((c->page->methods & m) == 0) {
		app_error(c, 405, "Method not allowed", "This page does not "
		    "accept this kind of request.");
		goto out;
	}
	if (m == APP_POST && !p->raw_body && !c->r->csrf_ok) {
		app_error(c, 403, "Form expired", "This form has expired or "
		    "was not sent from this site. Please go back, reload the "
		    "page and submit it again.");
		goto out;
	}
	if (m == APP_POST && c->page->throttle != NULL &&
	    !app_throttle_ok(c, c->page->throttle))
		goto out;
	app_fields(c);
	c->page->fn(c);
out:
	if (!c->site_cached) {
		store_endpoint_free(c->endpoint);
		store_customer_free(c->customer);
	}
}

int
app_serve(const struct program *prog)
{
	struct app		 app;
	struct app_req		 c;
	struct req		 r;
	struct buf		 body = { 0 };
	struct field_value	*f;
	size_t			 i;
	int			 more;

	if ((f = calloc(prog->n_fields + 1, sizeof(*f))) == NULL ||
	    !app_init(&app, prog->name)) {
		free(f);
		return 1;
	}
	for (;;) {
		more = prog->raw_body ?
		    web_accept_raw(&r, prog->max_body, &body) :
		    web_accept(&r, prog->max_body);
		if (!more)
			break;
		memset(&c, 0, sizeof(c));
		c.app = &app;
		c.r = &r;
		c.prog = prog;
		c.f = f;
		c.body = &body;
		app_dispatch(&c);
		/* A worker's heap outlives the request: no secret stays in it. */
		for (i = 0; i < prog->n_fields; i++)
			if (prog->fields[i].secret)
				web_wipe_param(&r, prog->fields[i].name);
		memset(f, 0, prog->n_fields * sizeof(*f));
		web_free(&r);
		buf_free_secret(&body);
	}
	free(f);
	app_done(&app);
	return 0;
}

void
app_form_csr(struct app_req *c, const char *upload, size_t key,
    struct form_csr *fc)
{
	struct buf	 up = { 0 };
	const char	*pasted = app_str(c, key);
	int		 rc;

	memset(fc, 0, sizeof(*fc));
	rc = web_upload(c->r, upload, CSR_MAX_BYTES, &up);
	if (rc < 0) {
		snprintf(fc->err, sizeof(fc->err), "The uploaded CSR is "
		    "larger than 32 KiB (Max CSR size is 32K).");
		fc->text = strdup("");
		return;
	}
	if (rc > 0) {
		fc->csr = csr_parse(up.data, up.len, fc->err, sizeof(fc->err));
		/* A DER upload comes back as PEM so the next submit keeps it. */
		fc->text = fc->csr != NULL ? csr_pem(fc->csr) : strdup("");
		buf_free(&up);
		return;
	}
	if (c->f[key].state == FIELD_INVALID) {
		snprintf(fc->err, sizeof(fc->err), "The CSR is larger than "
		    "32 KiB (Max CSR size is 32K) or is not text.");
		fc->text = strdup("");
		return;
	}
	fc->text = strdup(pasted);
	if (*pasted == '\0') {
		snprintf(fc->err, sizeof(fc->err), "Paste or upload the CSR.");
		return;
	}
	fc->csr = csr_parse(pasted, strlen(pasted), fc->err, sizeof(fc->err));
}

void
app_form_csr_free(struct form_csr *fc)
{
	csr_free(fc->csr);
	free(fc->text);
	fc->csr = NULL;
	fc->text = NULL;
}

size_t
app_set_terms(struct app_req *c, const char *terms)
{
	int	 days[64];
	size_t	 i, n;
	char	 key[64], label[32];

	n = policy_terms(terms, days, sizeof(days) / sizeof(days[0]));
	for (i = 0; i < n; i++) {
		policy_term_label(days[i], label, sizeof(label));
		snprintf(key, sizeof(key), "Terms.%zu.Days", i);
		hdf_set_int_value(c->r->hdf, key, days[i]);
		snprintf(key, sizeof(key), "Terms.%zu.Label", i);
		hdf_set_value(c->r->hdf, key, label);
	}
	return n;
}

void
app_set_reasons(struct app_req *c)
{
	/* A holder's own reasons; the CA ones and certificateHold are not offered. */
	static const struct {
		const char	*name;
		const char	*label;
	} reasons[] = {
		{ "unspecified", "Unspecified" },
		{ "keyCompromise", "Key compromise" },
		{ "affiliationChanged", "Affiliation changed" },
		{ "superseded", "Superseded" },
		{ "cessationOfOperation", "Cessation of operation" },
	};
	size_t	 i;
	char	 key[64];

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		snprintf(key, sizeof(key), "Reasons.%zu.Name", i);
		hdf_set_value(c->r->hdf, key, reasons[i].name);
		snprintf(key, sizeof(key), "Reasons.%zu.Label", i);
		hdf_set_value(c->r->hdf, key, reasons[i].label);
	}
}
