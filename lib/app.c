/* app: per-process and per-request setup shared by the web programs. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "buf.h"
#include "log.h"
#include "secret.h"

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
	if (!secret_init(config_get(a->cfg, "Secret.KeyFile",
	    "/var/lib/certdesk/server.key")))
		return 0;
	if ((a->db = db_open(dbpath)) == NULL)
		return 0;
	return 1;
}

void
app_done(struct app *a)
{
	db_close(a->db);
	a->db = NULL;
	secret_done();
}

struct customer *
app_customer(struct app *a, struct req *r)
{
	struct customer	*c = NULL;

	if (r->customer_uri != NULL)
		c = store_customer_by_uri(a->db, r->customer_uri);
	if (c == NULL) {
		web_error(r, 404, "Not found",
		    "There is no certificate service at this address. "
		    "Check the link you were given.");
		return NULL;
	}
	hdf_set_value(r->hdf, "Customer.Name", c->name);
	hdf_set_value(r->hdf, "Customer.URI", c->uri);
	return c;
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
