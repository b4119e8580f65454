/*
 * collect: Certificate Collection (guide 3.2.3.4): the page the collection
 * email links to (/collect?id=CERTID) with the certificate's details and
 * its download in the seven formats of the guide (?format=KEY); for a
 * client certificate whose key the server made, also the two PKCS#12
 * files (?p12=ENCODING) during the hour they are kept, to the browser
 * that holds their pick-up secret (a cookie set when it completed the
 * issuance).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "app.h"
#include "clientcert.h"
#include "clock.h"
#include "formats.h"
#include "issue.h"
#include "log.h"
#include "p12.h"
#include "secret.h"
#include "throttle.h"

#define CERT_ID_MAX	64
#define MAX_BODY	((size_t)16 * 1024)

enum key {
	KEY_ID,
	KEY_FORMAT,
	KEY_P12,
	KEY__MAX
};

static int page_collect(struct app_req *);

static const struct app_page pages[] = {
	{ "", NULL, APP_GET, NULL, "Certificate Collection", page_collect },
};

static const struct field fields[KEY__MAX] = {
	[KEY_ID] = { "id", field_line, CERT_ID_MAX, 0, 0, 0 },
	[KEY_FORMAT] = { "format", field_line, 32, 0, 0, 0 },
	[KEY_P12] = { "p12", field_line, 32, 0, 0, 0 },
};

static const struct program program = {
	.name = "collect",
	.segment = "collect",
	.match = ENDPOINT_NONE,
	.not_found = "There is no such page.",
	.max_body = MAX_BODY,
	.pages = pages,
	.n_pages = sizeof(pages) / sizeof(pages[0]),
	.fields = fields,
	.n_fields = KEY__MAX,
};

/* Returns 1 if the request holds a certificate that may be downloaded. */
static int
downloadable(const struct request *r)
{
	return r->cert_der != NULL && (r->status == REQ_ISSUED ||
	    r->status == REQ_EXPIRED);
}

/* Records the first collection of r (any download counts). */
static void
collected(struct app *app, struct req *req, const struct request *r,
    const char *what)
{
	struct actor	 who = { r->requester_email, req->remote };

	if (r->collected_at != 0)
		return;
	if (store_request_collected(app->db, r->id))
		audit_event(app->db, r->customer_id, &who,
		    "certificate.collect", r->cert_id, "success", what);
	else
		log_err("collect: collection of %s not recorded", r->cert_id);
}

/* Sends the certificate in one format and records the first collection. */
static int
send_format(struct app *app, struct req *req, const struct request *r,
    int fmt)
{
	const struct format_info	*fi = formats_info(fmt);
	struct ca_rec			*ca;
	struct buf			 out = { 0 };
	char				 name[128];
	int				 rc;

	if ((ca = store_ca_by_id(app->db, r->ca_id)) == NULL ||
	    !formats_encode(r->cert_der, r->cert_len, ca->cert_pem,
	    ca->chain_pem, fmt, &out)) {
		store_ca_free(ca);
		log_err("collect: %s could not be encoded as %s", r->cert_id,
		    fi->key);
		return web_error(req, 500, "Server error", "The certificate "
		    "could not be prepared. Please try again later.");
	}
	store_ca_free(ca);
	collected(app, req, r, fi->key);
	formats_filename(r->common_name, fmt, name, sizeof(name));
	rc = web_blob(req, 200, fi->content_type, name, out.data, out.len);
	buf_free(&out);
	return rc;
}

/*
 * Writes the name of r's PKCS#12 file in encoding enc into out (at most
 * WEB_FILENAME_MAX + 1 bytes): "<address>-<enc>.p12".  A long address
 * loses the end of its local part (then all but the start of the
 * domain), never the suffix that says what opens the file.
 */
static void
p12_filename(const struct request *r, const char *enc, char *out, size_t len)
{
	const char	*email = r->requester_email, *at;
	size_t		 room, keep, dom = 0, suf;

	if (len > WEB_FILENAME_MAX + 1)
		len = WEB_FILENAME_MAX + 1;
	suf = strlen(enc) + sizeof("-.p12") - 1;
	room = len > suf + 1 ? len - 1 - suf : 0;
	keep = strlen(email);
	at = strrchr(email, '@');
	if (keep > room) {
		/* Keep "@domain" and as much of the local part as fits. */
		dom = at != NULL && strlen(at) + 1 <= room ? strlen(at) : 0;
		keep = room - dom;
	}
	memcpy(out, email, keep);
	if (dom > 0)
		memcpy(out + keep, at, dom);
	if (len > keep + dom + suf)
		snprintf(out + keep + dom, len - keep - dom, "-%s.p12", enc);
	else
		out[keep + dom] = '\0';
}

/* Sets Cert.SANs to the stored name list with a space after each comma. */
static void
set_names(struct req *req, const char *sans)
{
	struct buf	 b = { 0 };
	const char	*p;

	for (p = sans; *p != '\0'; p++)
		if (!buf_append(&b, p, 1) || (*p == ',' && !buf_puts(&b, " ")))
			break;
	hdf_set_value(req->hdf, "Cert.SANs", b.data ? (char *)b.data : "");
	buf_free(&b);
}

/*
 * Returns the PKCS#12 encoding this browser gets by default, and in
 * *why the reason the page gives (static): the platform the User-Agent
 * names, or the account's choice.
 */
static enum p12_encoding
default_encoding(struct app *app, struct req *req, const struct request *r,
    const char **why)
{
	struct account		*acc;
	enum p12_encoding	 dflt = P12_MODERN, e;

	if ((acc = store_account_by_id(app->db, r->account_id)) != NULL &&
	    acc->p12_legacy)
		dflt = P12_COMPATIBLE;
	store_account_free(acc);
	e = p12_encoding_for_agent(web_user_agent(req), dflt);
	if (e != dflt)
		*why = "platform";
	else if (e == P12_COMPATIBLE)
		*why = "account";
	else
		*why = "modern";
	return e;
}

/*
 * Fills Pickup.* for a client certificate whose key the server made: the
 * two files while they are kept, each named by what opens it, the one
 * this browser should take first, and until when; else that they expired.
 */
static void
set_pickups(struct app *app, struct req *req, const struct customer *cust,
    const struct request *r, int has_secret)
{
	static const char *const opens[P12_N_ENCODINGS] = {
		[P12_MODERN] = "for Windows, Firefox/Thunderbird, Java, "
		    "OpenSSL 3",
		[P12_COMPATIBLE] = "for macOS, iOS/iPadOS, Android up to 13, "
		    "Windows Server 2016",
	};
	enum p12_encoding	 best;
	const char		*why = "", *enc;
	long long		 until;
	char			 key[64], val[512];
	int			 i;

	if (!clientcert_server_key(r))
		return;		/* the person holds the key: certificate only */
	hdf_set_int_value(req->hdf, "Pickup.ServerKey", 1);
	if ((until = store_p12_until(app->db, r->id, store_now())) <= 0) {
		hdf_set_int_value(req->hdf, "Pickup.Expired", 1);
		return;
	}
	/* The ID alone is in logs and lists: no links without the secret. */
	if (!has_secret) {
		hdf_set_int_value(req->hdf, "Pickup.NoSecret", 1);
		return;
	}
	best = default_encoding(app, req, r, &why);
	hdf_set_value(req->hdf, "Pickup.Why", why);
	clock_format(until, val, sizeof(val));
	hdf_set_value(req->hdf, "Pickup.Until", val);
	/* The default first, so it is the first button. */
	for (i = 0; i < P12_N_ENCODINGS; i++) {
		enum p12_encoding e = i == 0 ? best : (enum p12_encoding)
		    (best == P12_MODERN ? P12_COMPATIBLE : P12_MODERN);

		enc = p12_encoding_name(e);
		snprintf(key, sizeof(key), "Pickup.Files.%d.Encoding", i);
		hdf_set_value(req->hdf, key, enc);
		snprintf(key, sizeof(key), "Pickup.Files.%d.Opens", i);
		hdf_set_value(req->hdf, key, opens[e]);
		snprintf(key, sizeof(key), "Pickup.Files.%d.Default", i);
		hdf_set_int_value(req->hdf, key, i == 0);
		snprintf(val, sizeof(val), "/customer/%s/collect?id=%s&p12=%s",
		    cust->uri, r->cert_id, enc);
		snprintf(key, sizeof(key), "Pickup.Files.%d.URL", i);
		hdf_set_value(req->hdf, key, val);
		p12_filename(r, enc, val, sizeof(val));
		snprintf(key, sizeof(key), "Pickup.Files.%d.File", i);
		hdf_set_value(req->hdf, key, val);
	}
}

/*
 * Fills the details and the download links of the collection page; the
 * PKCS#12 links only when the browser holds the pick-up secret.
 */
static void
set_details(struct app *app, struct req *req, const struct customer *cust,
    const struct request *r, int has_secret)
{
	struct profile	*prof;
	char		 t[64], key[64], url[512];
	int		 i;

	hdf_set_value(req->hdf, "Cert.ID", r->cert_id);
	hdf_set_value(req->hdf, "Cert.Status", store_status_name(r->status));
	hdf_set_value(req->hdf, "Cert.Type", policy_type_name(r->type));
	hdf_set_value(req->hdf, "Cert.CommonName", r->common_name);
	set_names(req, r->sans);
	hdf_set_value(req->hdf, "Cert.Subject", r->subject);
	hdf_set_value(req->hdf, "Cert.Serial", r->serial ? r->serial : "");
	hdf_set_int_value(req->hdf, "Cert.TermDays", r->term_days);
	if ((prof = store_profile_by_id(app->db, r->profile_id)) != NULL) {
		hdf_set_value(req->hdf, "Cert.Profile", prof->name);
		store_profile_free(prof);
	}
	clock_format(r->not_before, t, sizeof(t));
	hdf_set_value(req->hdf, "Cert.NotBefore", t);
	clock_format(r->not_after, t, sizeof(t));
	hdf_set_value(req->hdf, "Cert.NotAfter", t);
	if (r->revoked_at > 0) {
		clock_format(r->revoked_at, t, sizeof(t));
		hdf_set_value(req->hdf, "Cert.RevokedAt", t);
	}
	if (!downloadable(r))
		return;
	hdf_set_int_value(req->hdf, "Cert.Downloadable", 1);
	if (r->status == REQ_ISSUED)
		set_pickups(app, req, cust, r, has_secret);
	for (i = 0; i < FMT__COUNT; i++) {
		const struct format_info *fi = formats_info(i);

		snprintf(url, sizeof(url), "/customer/%s/collect?id=%s&format=%s",
		    cust->uri, r->cert_id, fi->key);
		snprintf(key, sizeof(key), "Formats.%d.URL", i);
		hdf_set_value(req->hdf, key, url);
		snprintf(key, sizeof(key), "Formats.%d.Label", i);
		hdf_set_value(req->hdf, key, fi->label);
		formats_filename(r->common_name, i, url, sizeof(url));
		snprintf(key, sizeof(key), "Formats.%d.File", i);
		hdf_set_value(req->hdf, key, url);
	}
}

/* Sends a PKCS#12 file of r, or says it expired; returns 1. */
static int
send_p12(struct app_req *c, const struct request *r, const char *enc)
{
	unsigned char	*der = NULL;
	size_t		 len = 0;
	char		 name[WEB_FILENAME_MAX + 1];

	/* A key the person made never had a file here. */
	if (!clientcert_server_key(r))
		return web_error(c->r, 404, "Not found", "There is no such "
		    "file.");
	switch (clientcert_pickup(c->app->db, c->customer->id, r->cert_id,
	    enc, app_pickup_secret(c, r->cert_id), &der, &len)) {
	case PICKUP_OK:
		break;
	case PICKUP_EXPIRED:
		set_details(c->app, c->r, c->customer, r, 0);
		return web_page(c->r, 410, "collect");
	case PICKUP_DENIED:
		log_info("collect: PKCS#12 of %s asked without its pick-up "
		    "secret from %s", r->cert_id, c->r->remote);
		set_details(c->app, c->r, c->customer, r, 0);
		return web_page(c->r, 403, "collect");
	case PICKUP_UNKNOWN:
		return web_error(c->r, 404, "Not found", "There is no such "
		    "file.");
	}
	collected(c->app, c->r, r, enc);
	/* web_blob turns anything but letters, digits, ".-_@" into '_'. */
	p12_filename(r, enc, name, sizeof(name));
	web_blob(c->r, 200, "application/x-pkcs12", name, der, len);
	OPENSSL_clear_free(der, len);
	return 1;
}

/* The ID form, the collection page of a certificate, or one of its downloads. */
static int
page_collect(struct app_req *c)
{
	struct request	*r = NULL;
	const char	*id = app_str(c, KEY_ID);
	int		 fmt = -1;

	if (c->f[KEY_ID].state == FIELD_ABSENT)
		return web_page(c->r, 200, "collect");
	if (c->f[KEY_FORMAT].state != FIELD_ABSENT &&
	    (fmt = formats_lookup(app_str(c, KEY_FORMAT))) < 0)
		return web_error(c->r, 404, "Not found", "There is no such "
		    "download format.");
	if (c->f[KEY_P12].state != FIELD_ABSENT &&
	    p12_encoding_parse(app_str(c, KEY_P12)) < 0)
		return web_error(c->r, 404, "Not found", "There is no such "
		    "file.");
	/* Certificate IDs are unguessable; guessing is throttled anyway. */
	if (!app_throttle_ok(c, "cert-id"))
		return 1;
	if (*id == '\0' || (r = store_request_by_cert_id(c->app->db,
	    c->customer->id, id)) == NULL) {
		throttle_fail(c->app->db, "cert-id", c->r->remote);
		log_info("collect: unknown certificate ID from %s",
		    c->r->remote);
		hdf_set_value(c->r->hdf, "Form.CertID", id);
		hdf_set_value(c->r->hdf, "Page.Error", "There is no certificate "
		    "with this ID. Check the ID in your collection email.");
		return web_page(c->r, 404, "collect");
	}
	if (c->f[KEY_P12].state != FIELD_ABSENT) {
		send_p12(c, r, p12_encoding_name((enum p12_encoding)
		    p12_encoding_parse(app_str(c, KEY_P12))));
	} else if (fmt >= 0) {
		if (!downloadable(r))
			web_error(c->r, 404, "Not available", "This certificate "
			    "cannot be downloaded: it has not been issued or "
			    "it has been revoked.");
		else
			send_format(c->app, c->r, r, fmt);
	} else {
		set_details(c->app, c->r, c->customer, r,
		    app_pickup_secret(c, r->cert_id) != NULL);
		web_page(c->r, 200, "collect");
	}
	store_request_free(r);
	return 1;
}

int
main(void)
{
	return app_serve(&program);
}
