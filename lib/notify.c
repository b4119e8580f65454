/* notify: request life-cycle emails rendered from templates/mail/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "buf.h"
#include "clock.h"
#include "issue.h"
#include "log.h"
#include "mail.h"
#include "notify.h"
#include "store.h"
#include "tmpl.h"

/*
 * Sets a value someone typed: control characters (newlines above all)
 * become spaces, so a comment cannot add lines that pose as the mail's
 * own text, such as an approval command for another request.
 */
static void
set_typed(HDF *hdf, const char *name, const char *value)
{
	char	*v, *p;

	if ((v = strdup(value ? value : "")) == NULL)
		return;
	for (p = v; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	hdf_set_value(hdf, name, v);
	free(v);
}

/* Sends one message to each comma-separated address; returns 1 if all went. */
static int
send_all(const struct config *cfg, HDF *hdf, const char *tmpl,
    const char *addresses, const char *subject)
{
	char	*copy, *tok, *p, *save = NULL;
	int	 ok = 1, sent = 0;

	if ((copy = strdup(addresses)) == NULL)
		return 0;
	for (p = copy; (tok = strtok_r(p, ", ;", &save)) != NULL; p = NULL) {
		if (strchr(tok, '@') == NULL)
			continue;
		if (!mail_send(cfg, hdf, tmpl, tok, subject))
			ok = 0;
		sent++;
	}
	free(copy);
	if (sent == 0)
		log_warn("%s: no recipient address", tmpl);
	return ok;
}

/* Sets the template and subject of event ev; returns 1, or 0 when unknown. */
static int
event_mail(enum notify_event ev, const char **tmpl, const char **subject)
{
	switch (ev) {
	case NOTIFY_AWAITING:
		*tmpl = "mail/awaiting";
		*subject = "Certificate request awaiting approval";
		return 1;
	case NOTIFY_COLLECT:
		*tmpl = "mail/collect";
		*subject = "Your certificate is ready for collection";
		return 1;
	case NOTIFY_DECLINED:
		*tmpl = "mail/declined";
		*subject = "Your certificate request was declined";
		return 1;
	case NOTIFY_PASS_LOCKED:
		*tmpl = "mail/passphrase_locked";
		*subject = "Your certificate's passphrase is locked";
		return 1;
	case NOTIFY_REVOKED:
		*tmpl = "mail/revoked";
		*subject = "Your certificate was revoked";
		return 1;
	case NOTIFY_AUTO_RENEWAL:
		*tmpl = "mail/auto_renewal";
		*subject = "Auto-renewal of your certificate started";
		return 1;
	case NOTIFY_RENEWED:
		*tmpl = "mail/renewed";
		*subject = "Your certificate was renewed";
		return 1;
	case NOTIFY_EXPIRY:
		*tmpl = "mail/expiry";
		*subject = "Your certificate expires soon";
		return 1;
	}
	return 0;
}

/* Sets what the renewal mail names: the certificate renewed. */
static void
set_renewal_of(struct db *db, HDF *hdf, const struct request *r)
{
	struct request	*old;

	if (r->renewal_of == 0 ||
	    (old = store_request_by_id(db, r->renewal_of)) == NULL)
		return;
	hdf_set_value(hdf, "Cert.RenewalOf", old->cert_id);
	store_request_free(old);
}

/* notify_request, with days before notAfter for an expiry notice. */
static int
notify_send(struct db *db, const struct config *cfg, long long id,
    enum notify_event ev, int days)
{
	struct request	*r = NULL;
	struct customer	*cust = NULL;
	struct org	*org = NULL;
	struct profile	*prof = NULL;
	HDF		*hdf = NULL;
	NEOERR		*nerr;
	struct buf	 to = { 0 }, url = { 0 };
	char		 t1[64], t2[64];
	const char	*tmpl = NULL, *subject = NULL;
	int		 ok = 0;

	if ((r = store_request_by_id(db, id)) == NULL ||
	    (cust = store_customer_by_id(db, r->customer_id)) == NULL ||
	    (org = store_org_by_id(db, r->org_id)) == NULL ||
	    (prof = store_profile_by_id(db, r->profile_id)) == NULL)
		goto out;
	if ((nerr = hdf_init(&hdf)) != STATUS_OK) {
		nerr_ignore(&nerr);
		goto out;
	}
	if (!buf_printf(&url, "%s/customer/%s/collect?id=%s",
	    config_get(cfg, "BaseURL", "http://localhost"), cust->uri,
	    r->cert_id))
		goto out;
	clock_format(r->not_before, t1, sizeof(t1));
	clock_format(r->not_after, t2, sizeof(t2));
	hdf_set_value(hdf, "Customer.Name", cust->name);
	hdf_set_value(hdf, "Org.Name", org->name);
	hdf_set_value(hdf, "Cert.ID", r->cert_id);
	hdf_set_value(hdf, "Cert.Type", policy_type_name(r->type));
	hdf_set_value(hdf, "Cert.Status", store_status_name(r->status));
	set_typed(hdf, "Cert.CommonName", r->common_name);
	set_typed(hdf, "Cert.SANs", r->sans);
	set_typed(hdf, "Cert.Subject", r->subject);
	hdf_set_value(hdf, "Cert.Serial", r->serial ? r->serial : "");
	hdf_set_value(hdf, "Cert.Profile", prof->name);
	hdf_set_int_value(hdf, "Cert.TermDays", r->term_days);
	hdf_set_value(hdf, "Cert.NotBefore", t1);
	hdf_set_value(hdf, "Cert.NotAfter", t2);
	set_typed(hdf, "Cert.Requester", r->requester_email);
	set_typed(hdf, "Cert.Comments", r->comments);
	set_typed(hdf, "Cert.DeclineReason", r->decline_reason);
	hdf_set_value(hdf, "Cert.RevokeReason",
	    issue_reason_name(r->revoke_reason));
	hdf_set_value(hdf, "Cert.CollectURL", (const char *)url.data);
	hdf_set_int_value(hdf, "Cert.DaysLeft", days);
	set_renewal_of(db, hdf, r);

	/*
	 * Requesters hear about their certificate; admins about approvals.
	 * A lock concerns whoever holds the passphrase, and an auto-renewal
	 * whoever asked for it: the requester only.
	 */
	if (ev == NOTIFY_AWAITING) {
		buf_puts(&to, org->admin_email);
	} else if (ev == NOTIFY_PASS_LOCKED || ev == NOTIFY_AUTO_RENEWAL ||
	    ev == NOTIFY_RENEWED) {
		buf_puts(&to, r->requester_email);
	} else {
		buf_puts(&to, r->requester_email);
		if (r->external_requesters[0] != '\0') {
			buf_puts(&to, ",");
			buf_puts(&to, r->external_requesters);
		}
	}
	if (!event_mail(ev, &tmpl, &subject)) {
		log_err("notification %d is not known", (int)ev);
		goto out;
	}
	if (to.data == NULL || to.len == 0) {
		log_warn("%s for %s: no recipient configured", tmpl, r->cert_id);
		ok = 1;
		goto out;
	}
	ok = send_all(cfg, hdf, tmpl, (const char *)to.data, subject);
out:
	if (!ok)
		log_err("notification for request %lld not sent", id);
	buf_free(&to);
	buf_free(&url);
	hdf_destroy(&hdf);
	store_profile_free(prof);
	store_org_free(org);
	store_customer_free(cust);
	store_request_free(r);
	return ok;
}

int
notify_request(struct db *db, const struct config *cfg, long long id,
    enum notify_event ev)
{
	return notify_send(db, cfg, id, ev, 0);
}

int
notify_expiry(struct db *db, const struct config *cfg, long long id,
    int days)
{
	return notify_send(db, cfg, id, NOTIFY_EXPIRY, days);
}

/* Writes how the mail greets a person: the common name, else first and last name, else the address. */
static void
person_name(const struct person *p, char *out, size_t len)
{
	if (p->common_name[0] != '\0')
		snprintf(out, len, "%s", p->common_name);
	else if (p->first_name[0] != '\0' || p->last_name[0] != '\0')
		snprintf(out, len, "%s%s%s", p->first_name,
		    p->first_name[0] != '\0' && p->last_name[0] != '\0' ?
		    " " : "", p->last_name);
	else
		snprintf(out, len, "%s", p->email);
}

/* Cleanses the value of name in hdf in place: the renderer's copy of a secret. */
static void
hdf_cleanse(HDF *hdf, const char *name)
{
	char	*v = hdf_get_value(hdf, name, NULL);

	if (v != NULL)
		OPENSSL_cleanse(v, strlen(v));
}

int
notify_invitation(struct db *db, const struct config *cfg, long long person_id,
    long long account_id, const char *code, long long expires)
{
	struct person	*p = NULL;
	struct account	*acc = NULL;
	struct endpoint	*ep = NULL;
	struct customer	*cust = NULL;
	struct org	*org = NULL;
	HDF		*hdf = NULL;
	NEOERR		*nerr;
	struct buf	 url = { 0 };
	char		*ecode = NULL, *email = NULL, when[64], name[300];
	int		 ok = 0;

	if ((p = store_person_by_id(db, person_id)) == NULL ||
	    (acc = store_account_by_id(db, account_id)) == NULL ||
	    (ep = store_endpoint_by_id(db, acc->endpoint_id)) == NULL ||
	    (cust = store_customer_by_id(db, ep->customer_id)) == NULL ||
	    (org = store_org_by_id(db, p->org_id)) == NULL)
		goto out;
	if ((nerr = cgi_url_escape(code, &ecode)) != STATUS_OK ||
	    (nerr = cgi_url_escape(p->email, &email)) != STATUS_OK) {
		nerr_ignore(&nerr);
		goto out;
	}
	if ((nerr = hdf_init(&hdf)) != STATUS_OK) {
		nerr_ignore(&nerr);
		goto out;
	}
	if (!buf_printf(&url, "%s/customer/%s/validate?requestCode=%s&email=%s",
	    config_get(cfg, "BaseURL", "http://localhost"), cust->uri, ecode,
	    email))
		goto out;
	clock_format(expires, when, sizeof(when));
	person_name(p, name, sizeof(name));
	hdf_set_value(hdf, "Customer.Name", cust->name);
	hdf_set_value(hdf, "Org.Name", org->name);
	set_typed(hdf, "Person.Name", name);
	set_typed(hdf, "Person.Email", p->email);
	hdf_set_value(hdf, "Invitation.URL", (const char *)url.data);
	hdf_set_value(hdf, "Invitation.Code", code);
	hdf_set_value(hdf, "Invitation.Expires", when);
	ok = mail_send(cfg, hdf, "mail/invitation", p->email,
	    "Invitation | Email - You have requested email certificate "
	    "validation");
out:
	if (!ok)
		log_err("invitation for person %lld not sent", person_id);
	if (hdf != NULL) {
		hdf_cleanse(hdf, "Invitation.URL");
		hdf_cleanse(hdf, "Invitation.Code");
	}
	hdf_destroy(&hdf);
	if (url.data != NULL)
		OPENSSL_cleanse(url.data, url.len);
	buf_free(&url);
	if (ecode != NULL)
		OPENSSL_cleanse(ecode, strlen(ecode));
	free(ecode);
	free(email);
	store_org_free(org);
	store_customer_free(cust);
	store_endpoint_free(ep);
	store_account_free(acc);
	store_person_free(p);
	return ok;
}

int
notify_validation(struct db *db, const struct config *cfg, long long id,
    const char *code)
{
	struct request	*r = NULL;
	struct customer	*cust = NULL;
	HDF		*hdf = NULL;
	NEOERR		*nerr;
	struct buf	 url = { 0 }, name = { 0 };
	int		 ok = 0;

	if ((r = store_request_by_id(db, id)) == NULL ||
	    (cust = store_customer_by_id(db, r->customer_id)) == NULL)
		goto out;
	if ((nerr = hdf_init(&hdf)) != STATUS_OK) {
		nerr_ignore(&nerr);
		goto out;
	}
	/* The code is a link parameter: it is escaped as one, like the email. */
	if (!buf_printf(&url, "%s/customer/%s/validate?requestCode=",
	    config_get(cfg, "BaseURL", "http://localhost"), cust->uri) ||
	    !tmpl_url_append(&url, code) || !buf_puts(&url, "&email=") ||
	    !tmpl_url_append(&url, r->requester_email))
		goto out;
	buf_printf(&name, "%s%s%s", r->first_name, *r->last_name ? " " : "",
	    r->last_name);
	hdf_set_value(hdf, "Customer.Name", cust->name);
	set_typed(hdf, "Person.Name", name.data ? (char *)name.data : "");
	set_typed(hdf, "Person.Email", r->requester_email);
	hdf_set_value(hdf, "Validation.URL", (const char *)url.data);
	hdf_set_value(hdf, "Validation.Code", code);
	set_renewal_of(db, hdf, r);
	ok = mail_send(cfg, hdf, "mail/validation", r->requester_email,
	    r->renewal_of != 0 ? "Validation Email - You have requested the "
	    "renewal of your email certificate." : "Validation Email - You "
	    "have requested email certificate validation.");
out:
	if (!ok)
		log_err("validation email for request %lld not sent", id);
	if (hdf != NULL) {
		hdf_cleanse(hdf, "Validation.URL");
		hdf_cleanse(hdf, "Validation.Code");
	}
	buf_free_secret(&url);
	buf_free(&name);
	hdf_destroy(&hdf);
	store_customer_free(cust);
	store_request_free(r);
	return ok;
}

int
notify_escrow_missing(struct db *db, const struct config *cfg,
    long long org_id, long long dept_id, const char *email,
    const char *missing)
{
	struct org	*org = NULL;
	struct dept	*d = NULL;
	struct customer	*cust = NULL;
	HDF		*hdf = NULL;
	NEOERR		*nerr;
	int		 ok = 0;

	if ((org = store_org_by_id(db, org_id)) == NULL ||
	    (cust = store_customer_by_id(db, org->customer_id)) == NULL ||
	    (dept_id != 0 && (d = store_dept_by_id(db, dept_id)) == NULL))
		goto out;
	if ((nerr = hdf_init(&hdf)) != STATUS_OK) {
		nerr_ignore(&nerr);
		goto out;
	}
	hdf_set_value(hdf, "Customer.Name", cust->name);
	hdf_set_value(hdf, "Org.Name", org->name);
	if (d != NULL)
		hdf_set_value(hdf, "Dept.Name", d->name);
	set_typed(hdf, "Person.Email", email);
	hdf_set_value(hdf, "Escrow.Missing", missing);
	if (org->admin_email[0] == '\0') {
		log_warn("escrow: %s has no administrator address to tell "
		    "that key escrow is not set up", org->name);
		ok = 1;
		goto out;
	}
	ok = send_all(cfg, hdf, "mail/escrow_missing", org->admin_email,
	    "Key escrow not set up: client certificates cannot be issued");
out:
	if (!ok)
		log_err("escrow notice for organisation %lld not sent", org_id);
	hdf_destroy(&hdf);
	store_customer_free(cust);
	store_dept_free(d);
	store_org_free(org);
	return ok;
}
