/*
 * collect: Certificate Collection (guide 3.2.3.4): the page the collection
 * email links to (/collect?id=CERTID) with the certificate's details and
 * its download in the seven formats of the guide (?format=KEY).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "formats.h"
#include "issue.h"
#include "log.h"
#include "secret.h"

#define CERT_ID_MAX	64
#define TITLE		"Certificate Collection"

/* Formats an epoch time as "2026-11-22 10:00 UTC" into out. */
static void
fmt_time(long long t, char *out, size_t len)
{
	time_t		 tt = (time_t)t;
	struct tm	 tm;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL) {
		snprintf(out, len, "-");
		return;
	}
	strftime(out, len, "%Y-%m-%d %H:%M UTC", &tm);
}

/* Returns 1 if the request holds a certificate that may be downloaded. */
static int
downloadable(const struct request *r)
{
	return r->cert_der != NULL && (strcmp(r->status, "Issued") == 0 ||
	    strcmp(r->status, "Expired") == 0);
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
	if (r->collected_at == 0) {
		if (store_request_collected(app->db, r->id)) {
			struct actor who = { r->requester_email, req->remote };

			issue_audit(app->db, r->customer_id, &who,
			    "certificate.collect", r->cert_id, "success",
			    fi->key);
		} else {
			log_err("collect: collection of %s not recorded",
			    r->cert_id);
		}
	}
	formats_filename(r->common_name, fmt, name, sizeof(name));
	rc = web_blob(req, 200, fi->content_type, name, out.data, out.len);
	buf_free(&out);
	return rc;
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

/* Fills the details and the download links of the collection page. */
static void
set_details(struct app *app, struct req *req, const struct customer *cust,
    const struct request *r)
{
	struct profile	*prof;
	char		 t[64], key[64], url[512];
	int		 i;

	hdf_set_value(req->hdf, "Cert.ID", r->cert_id);
	hdf_set_value(req->hdf, "Cert.Status", r->status);
	hdf_set_value(req->hdf, "Cert.Type", r->type);
	hdf_set_value(req->hdf, "Cert.CommonName", r->common_name);
	set_names(req, r->sans);
	hdf_set_value(req->hdf, "Cert.Subject", r->subject);
	hdf_set_value(req->hdf, "Cert.Serial", r->serial ? r->serial : "");
	hdf_set_int_value(req->hdf, "Cert.TermDays", r->term_days);
	if ((prof = store_profile_by_id(app->db, r->profile_id)) != NULL) {
		hdf_set_value(req->hdf, "Cert.Profile", prof->name);
		store_profile_free(prof);
	}
	fmt_time(r->not_before, t, sizeof(t));
	hdf_set_value(req->hdf, "Cert.NotBefore", t);
	fmt_time(r->not_after, t, sizeof(t));
	hdf_set_value(req->hdf, "Cert.NotAfter", t);
	if (r->revoked_at > 0) {
		fmt_time(r->revoked_at, t, sizeof(t));
		hdf_set_value(req->hdf, "Cert.RevokedAt", t);
	}
	if (!downloadable(r))
		return;
	hdf_set_int_value(req->hdf, "Cert.Downloadable", 1);
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

/* Serves one request: the ID form, the collection page or a download. */
static void
serve(struct app *app, struct req *req)
{
	struct customer	*cust;
	struct request	*r = NULL;
	const char	*id, *format;
	char		 action[512];
	int		 fmt = -1;

	if ((cust = app_customer(app, req)) == NULL)
		return;
	hdf_set_value(req->hdf, "Page.Title", TITLE);
	snprintf(action, sizeof(action), "/customer/%s/collect", cust->uri);
	hdf_set_value(req->hdf, "Form.Action", action);
	if (req->rest[0] != '\0') {
		web_error(req, 404, "Not found", "There is no such page.");
		goto out;
	}
	id = web_param(req, "id");
	format = web_param(req, "format");
	if (id == NULL || *id == '\0') {
		web_page(req, 200, "collect");
		goto out;
	}
	if (format != NULL && (fmt = formats_lookup(format)) < 0) {
		web_error(req, 404, "Not found", "There is no such download "
		    "format.");
		goto out;
	}
	/* Certificate IDs are unguessable; guessing is throttled anyway. */
	if (throttle_blocked(app->db, "cert-id", req->remote)) {
		web_error(req, 429, "Too many attempts", "There were too many "
		    "failed attempts from your address. Please wait 15 "
		    "minutes before trying again.");
		goto out;
	}
	if (strlen(id) > CERT_ID_MAX || (r = store_request_by_cert_id(app->db,
	    cust->id, id)) == NULL) {
		throttle_fail(app->db, "cert-id", req->remote);
		log_info("collect: unknown certificate ID from %s", req->remote);
		hdf_set_value(req->hdf, "Form.CertID", id);
		hdf_set_value(req->hdf, "Page.Error", "There is no certificate "
		    "with this ID. Check the ID in your collection email.");
		web_page(req, 404, "collect");
		goto out;
	}
	if (fmt >= 0) {
		if (!downloadable(r)) {
			web_error(req, 404, "Not available", "This certificate "
			    "cannot be downloaded: it has not been issued or "
			    "it has been revoked.");
			goto out;
		}
		send_format(app, req, r, fmt);
		goto out;
	}
	set_details(app, req, cust, r);
	web_page(req, 200, "collect");
out:
	store_request_free(r);
	store_customer_free(cust);
}

int
main(void)
{
	struct app	 app;
	struct req	 r;

	if (!app_init(&app, "collect"))
		return 1;
	while (web_accept(&r, 16 * 1024)) {
		serve(&app, &r);
		web_free(&r);
	}
	app_done(&app);
	return 0;
}
