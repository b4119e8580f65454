/*
 * bulkenroll: the Bulk Enrollment Form (guide 7.2.1, lines 4180-4215):
 * access code and email, then the p12 passphrase, key size and the CSV
 * file; the request's status page; and the download page of its
 * PKCS#12 files, which asks for the passphrase again (SPEC 4.4).  One
 * static function per page; the page comes from ?action=.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "app.h"
#include "bulk.h"
#include "bulkcsv.h"
#include "enroll.h"
#include "keygen.h"
#include "log.h"
#include "p12.h"
#include "secret.h"
#include "throttle.h"

#define MAX_BODY	(BULKCSV_MAX_BYTES + (size_t)64 * 1024)
#define ENROLL_TTL	(30L * 60)	/* how long a checked access code holds */
#define TOKEN_MAX	128
#define GENERIC_CODE_ERROR \
	"The access code or the email address is not valid for this form."
#define TITLE		"Bulk Enrollment Form"

enum page {
	PAGE_FORM,	/* before PAGE_CHECK: the first match wins */
	PAGE_CHECK,
	PAGE_STATUS,
	PAGE_DOWNLOAD,
	PAGE__MAX
};

enum key {
	KEY_ACCESSCODE,
	KEY_EMAIL,
	KEY_TOKEN,
	KEY_PASS,
	KEY_PASS2,
	KEY_KEYSIZE,
	KEY_T,
	KEY_SCR,
	KEY_PASSPHRASE,
	KEY__MAX
};

static int page_form(struct app_req *);
static int page_check(struct app_req *);
static int page_status(struct app_req *);
static int page_download(struct app_req *);

static const struct app_page pages[PAGE__MAX] = {
	/* Step 2 holds a signed token instead of the code: not throttled. */
	[PAGE_FORM] = { "", "2", APP_GET | APP_POST, NULL, TITLE, page_form },
	[PAGE_CHECK] = { "", NULL, APP_GET | APP_POST, "bulk-code", TITLE,
	    page_check },
	[PAGE_STATUS] = { "status", NULL, APP_GET, "bulk-token",
	    "Bulk Enrollment Status", page_status },
	[PAGE_DOWNLOAD] = { "download", NULL, APP_GET | APP_POST, "bulk-pass",
	    "Bulk Enrollment Download", page_download },
};

static const struct field fields[KEY__MAX] = {
	[KEY_ACCESSCODE] = { "accessCode", field_line, 128, 0, 0, 1 },
	[KEY_EMAIL] = { "email", field_line, 254, 0, 0, 0 },
	[KEY_TOKEN] = { "token", field_line, 512, 0, 0, 0 },
	[KEY_PASS] = { "p12Passphrase", field_line, BULK_PASS_MAX, 0, 0, 1 },
	[KEY_PASS2] = { "p12Passphrase2", field_line, BULK_PASS_MAX, 0, 0, 1 },
	[KEY_KEYSIZE] = { "keySize", field_line, 16, 0, 0, 0 },
	[KEY_T] = { "t", field_line, TOKEN_MAX, 0, 0, 0 },
	[KEY_SCR] = { "scr", field_line, 8, 0, 0, 0 },
	[KEY_PASSPHRASE] = { "passphrase", field_line, BULK_PASS_MAX, 0, 0, 1 },
};

static const enum endpoint_type types[] = { ENDPOINT_BULK };

static const struct program program = {
	.name = "bulkenroll",
	.segment = "bulkenroll",
	.match = ENDPOINT_EXT,
	.types = types,
	.n_types = 1,
	.not_found = "There is no bulk enrollment form at this address. "
	    "Check the link you were given.",
	.max_body = MAX_BODY,
	.page_param = "action",
	.step_param = "step",
	.pages = pages,
	.n_pages = PAGE__MAX,
	.fields = fields,
	.n_fields = KEY__MAX,
};

/* The key sizes the form offers (guide 4205: 2048 bits by default). */
static const enum key_type key_sizes[] = {
	KEY_RSA2048, KEY_RSA3072, KEY_RSA4096, KEY_EC256, KEY_EC384,
};
#define N_KEY_SIZES	(sizeof(key_sizes) / sizeof(key_sizes[0]))

/* ---- step 1: access code and email ---- */

/* Renders step 1 with an optional error. */
static int
step1(struct app_req *c, int status, const char *error)
{
	if (error != NULL)
		hdf_set_value(c->r->hdf, "Page.Error", error);
	/* Keep what they typed, except the access code. */
	hdf_set_value(c->r->hdf, "Form.Email", app_str(c, KEY_EMAIL));
	return web_page(c->r, status, "bulk_step1");
}

/* Renders the full form (step 2) for a checked account, with errors. */
static int
full_form(struct app_req *c, const struct account *acc, const char *email,
    int status, const char *error)
{
	const char	*kt = app_str(c, KEY_KEYSIZE);
	char		*token, key[64];
	size_t		 i;
	int		 rc;

	if ((token = app_token_make("bulk-enroll", acc->id, email,
	    ENROLL_TTL)) == NULL)
		return web_error(c->r, 500, "Server error",
		    "The form could not be prepared. Please try again.");
	hdf_set_value(c->r->hdf, "Form.Token", token);
	hdf_set_value(c->r->hdf, "Form.Email", email);
	hdf_set_value(c->r->hdf, "Form.KeySize", *kt != '\0' ? kt :
	    key_type_token(KEY_RSA2048));
	for (i = 0; i < N_KEY_SIZES; i++) {
		snprintf(key, sizeof(key), "KeySizes.%zu.Token", i);
		hdf_set_value(c->r->hdf, key, key_type_token(key_sizes[i]));
		snprintf(key, sizeof(key), "KeySizes.%zu.Label", i);
		hdf_set_value(c->r->hdf, key, key_type_name(key_sizes[i]));
	}
	hdf_set_int_value(c->r->hdf, "Form.MaxLines", BULKCSV_MAX_LINES);
	if (error != NULL)
		hdf_set_value(c->r->hdf, "Page.Error", error);
	rc = web_page(c->r, status, "bulk_form");
	free(token);
	return rc;
}

/* Check Access Code: step 1 on GET, then the full form. */
static int
page_check(struct app_req *c)
{
	struct account	*acc;
	int		 rc;

	if (strcmp(c->r->method, "POST") != 0)
		return step1(c, 200, NULL);
	/* Counted before the check, so parallel guesses cannot overrun. */
	if (!throttle_attempt(c->app->db, "bulk-code", c->r->remote)) {
		(void)app_throttle_ok(c, "bulk-code");	/* answers 429 */
		return 1;
	}
	if ((acc = enroll_account(c->app->db, c->customer->id, c->endpoint->id,
	    CERT_SSL, app_str(c, KEY_ACCESSCODE), app_str(c, KEY_EMAIL))) ==
	    NULL) {
		log_info("bulkenroll: access code check failed from %s",
		    c->r->remote);
		return step1(c, 200, GENERIC_CODE_ERROR);
	}
	/* A valid code takes back only its own attempt. */
	throttle_refund(c->app->db, "bulk-code", c->r->remote);
	rc = full_form(c, acc, app_str(c, KEY_EMAIL), 200, NULL);
	store_account_free(acc);
	return rc;
}

/* ---- step 2: passphrase, key size, CSV ---- */

/* Puts every CSV error on the page, as the guide shows them. */
static void
set_csv_errors(struct app_req *c, const struct bulkcsv *bc)
{
	char	 key[64], msg[6400];
	size_t	 i;

	for (i = 0; i < bc->nerrors; i++) {
		bulkcsv_format(&bc->errors[i], msg, sizeof(msg));
		snprintf(key, sizeof(key), "CSVErrors.%zu", i);
		hdf_set_value(c->r->hdf, key, msg);
	}
	hdf_set_int_value(c->r->hdf, "CSVErrorCount", (int)bc->nerrors);
}

/* Sets Result.StatusURL for a status token. */
static void
set_status_url(struct app_req *c, const char *token)
{
	char	 url[512];

	if (bulk_url(url, sizeof(url), "", c->customer->uri, c->endpoint->ext,
	    "status", token))
		hdf_set_value(c->r->hdf, "Result.StatusURL", url);
}

/*
 * Checks the passphrase pair and key size; returns the key type, or
 * KEY_NONE with a message in err.
 */
static enum key_type
check_inputs(struct app_req *c, char *err, size_t errlen)
{
	const char	*p1 = app_str(c, KEY_PASS), *p2 = app_str(c, KEY_PASS2);
	enum key_type	 kt;
	size_t		 i;

	if (c->f[KEY_PASS].state == FIELD_INVALID ||
	    strlen(p1) < BULK_PASS_MIN) {
		buf_msg(err, errlen, "The p12 passphrase must have at least %d "
		    "characters.", BULK_PASS_MIN);
		return KEY_NONE;
	}
	if (strcmp(p1, p2) != 0) {
		buf_msg(err, errlen, "The two p12 passphrases are not the "
		    "same.");
		return KEY_NONE;
	}
	kt = keygen_type_parse(*app_str(c, KEY_KEYSIZE) != '\0' ?
	    app_str(c, KEY_KEYSIZE) : "rsa2048");
	for (i = 0; i < N_KEY_SIZES; i++)
		if (key_sizes[i] == kt)
			return kt;
	buf_msg(err, errlen, "Choose a key size.");
	return KEY_NONE;
}

/* Submit: checks everything, then records the request or shows every error. */
static int
page_form(struct app_req *c)
{
	struct account		*acc = NULL;
	struct bulk_rules	 rules;
	struct bulkcsv		*bc = NULL;
	struct bulk_submission	 s;
	struct bulk_result	 res;
	struct actor		 who;
	struct buf		 csv = { 0 };
	const char		*email = app_str(c, KEY_EMAIL);
	enum key_type		 kt;
	long long		 acc_id;
	char			 err[512];
	int			 rc, up;

	memset(&rules, 0, sizeof(rules));
	memset(&res, 0, sizeof(res));
	if (strcmp(c->r->method, "POST") != 0)
		return step1(c, 200, NULL);
	acc_id = app_token_check(app_str(c, KEY_TOKEN), "bulk-enroll", email);
	if (acc_id == 0 || (acc = store_account_by_id(c->app->db, acc_id)) ==
	    NULL || acc->endpoint_id != c->endpoint->id) {
		store_account_free(acc);
		return step1(c, 200, "This form has expired. Please enter "
		    "your access code again.");
	}
	if ((kt = check_inputs(c, err, sizeof(err))) == KEY_NONE) {
		rc = full_form(c, acc, email, 200, err);
		goto out;
	}
	if ((up = web_upload(c->r, "csvFile", BULKCSV_MAX_BYTES, &csv)) <= 0) {
		rc = full_form(c, acc, email, up < 0 ? 413 : 200, up < 0 ?
		    "The CSV file is larger than 1 MiB; split it into several "
		    "requests." : "Choose the CSV file to upload.");
		goto out;
	}
	if (!bulk_rules_load(c->app->db, c->app->cfg, c->customer->id, acc, kt,
	    &rules) || (bc = bulkcsv_parse((const char *)csv.data, csv.len,
	    &rules.csv)) == NULL) {
		rc = web_error(c->r, 500, "Server error",
		    "The file could not be checked. Please try again.");
		goto out;
	}
	if (bc->nerrors > 0) {
		set_csv_errors(c, bc);
		rc = full_form(c, acc, email, 200, NULL);
		goto out;
	}
	memset(&s, 0, sizeof(s));
	s.customer_id = c->customer->id;
	s.acc = acc;
	s.email = email;
	s.key_type = kt;
	s.pass = app_str(c, KEY_PASS);
	s.csv = bc;
	who.name = email;
	who.remote = c->r->remote;
	if (!bulk_submit(c->app->db, c->app->cfg, &s, &who, &res, err,
	    sizeof(err))) {
		rc = full_form(c, acc, email, 500, err);
		goto out;
	}
	hdf_set_int_value(c->r->hdf, "Result.ID", (int)res.id);
	hdf_set_int_value(c->r->hdf, "Result.Lines", (int)bc->nrows);
	hdf_set_value(c->r->hdf, "Result.Email", email);
	hdf_set_int_value(c->r->hdf, "Result.MailFailed", !res.mailed);
	set_status_url(c, res.status_token);
	rc = web_page(c->r, 200, "bulk_done");
out:
	free(res.status_token);
	bulkcsv_free(bc);
	bulk_rules_free(&rules);
	buf_free(&csv);
	store_account_free(acc);
	return rc;
}

/* ---- status page ---- */


/*
 * Returns the request whose token (of kind status or download) is in
 * ?t=, or NULL after counting a failure for the address.
 */
static struct bulk_request *
by_token(struct app_req *c, int download)
{
	struct bulk_request	*b = NULL;
	struct account		*acc = NULL;
	char			 hmac[SECRET_HMAC_HEX];
	const char		*t = app_str(c, KEY_T);

	if (*t != '\0' && secret_hmac_hex(t, hmac))
		b = download ? store_bulk_by_download_token(c->app->db, hmac,
		    store_now()) : store_bulk_by_status_token(c->app->db, hmac);
	/* Its pages live under the endpoint its account belongs to only. */
	if (b != NULL && (b->customer_id != c->customer->id ||
	    (acc = store_account_by_id(c->app->db, b->account_id)) == NULL ||
	    acc->endpoint_id != c->endpoint->id)) {
		store_bulk_free(b);
		b = NULL;
	}
	store_account_free(acc);
	if (b == NULL && !download)
		throttle_fail(c->app->db, "bulk-token", c->r->remote);
	return b;
}

/* The request's own page: its status and every line's (guide 4220-4290). */
static int
page_status(struct app_req *c)
{
	struct bulk_request	*b;
	struct bulk_item_list	*items;
	int			 rc;

	/* Links are 256-bit tokens; guessing them is refused all the same. */
	if (!app_throttle_ok(c, "bulk-token"))
		return 1;
	if ((b = by_token(c, 0)) == NULL)
		return web_error(c->r, 404, "Not found", "There is no bulk "
		    "request at this address. Check the link you were given.");
	if ((items = store_bulk_items(c->app->db, b->id)) == NULL) {
		store_bulk_free(b);
		return web_error(c->r, 500, "Server error", "The request could "
		    "not be read. Please try again later.");
	}
	bulk_set_hdf(c->r->hdf, b, items);
	rc = web_page(c->r, 200, "bulk_status");
	store_bulk_item_list_free(items);
	store_bulk_free(b);
	return rc;
}

/* ---- download ---- */

/* Renders the passphrase form of the download page, with an optional error. */
static int
download_form(struct app_req *c, const struct bulk_item_list *items,
    int status, const char *error)
{
	char	 key[64], name[160];
	size_t	 i, k = 0;

	hdf_set_value(c->r->hdf, "Form.T", app_str(c, KEY_T));
	hdf_set_value(c->r->hdf, "Form.SCR", app_str(c, KEY_SCR));
	for (i = 0; items != NULL && i < items->n; i++) {
		if (items->items[i]->status != SCR_ISSUED)
			continue;
		snprintf(key, sizeof(key), "Files.%zu.SCR", k);
		hdf_set_int_value(c->r->hdf, key, items->items[i]->scr);
		bulk_p12_name(items->items[i], name, sizeof(name));
		snprintf(key, sizeof(key), "Files.%zu.Name", k++);
		hdf_set_value(c->r->hdf, key, name);
	}
	if (error != NULL)
		hdf_set_value(c->r->hdf, "Page.Error", error);
	return web_page(c->r, status, "bulk_download");
}

/* Returns the issued line numbered scr, or NULL (borrowed). */
static const struct bulk_item *
issued_line(const struct bulk_item_list *items, const char *scr)
{
	size_t	 i;
	char	 n[16];

	for (i = 0; i < items->n; i++) {
		snprintf(n, sizeof(n), "%d", items->items[i]->scr);
		if (strcmp(n, scr) == 0 && items->items[i]->status ==
		    SCR_ISSUED)
			return items->items[i];
	}
	return NULL;
}

/*
 * Records that the attempt just made locked request b's passphrase; only
 * that one attempt gets here, so the lock is audited once.  No mail: the
 * passphrase-locked template speaks of one certificate's renewal.
 */
static void
pass_locked(struct app_req *c, const struct bulk_request *b)
{
	struct actor	 who;
	char		 obj[32];

	log_warn("bulkenroll: p12 passphrase of BER %lld locked now", b->id);
	who.name = "bulkenroll";
	who.remote = c->r->remote;
	snprintf(obj, sizeof(obj), "BER %lld", b->id);
	audit_event(c->app->db, b->customer_id, &who, "bulk lock", obj, "ok",
	    "p12 passphrase locked after 10 failures");
}

/*
 * The mailed links: the passphrase opens the seals in memory; the
 * PKCS#12 (scr=N) or a zip of all (scr=all) is built under it.
 */
static int
page_download(struct app_req *c)
{
	struct bulk_request	*b;
	struct bulk_item_list	*items = NULL;
	const struct bulk_item	*it = NULL;
	struct account		*acc = NULL;
	EVP_PKEY		*key = NULL;
	struct buf		 zip = { 0 };
	unsigned char		*der = NULL;
	size_t			 len = 0;
	enum p12_encoding	 enc;
	const char		*scr = app_str(c, KEY_SCR);
	char			 name[160];
	int			 rc, tries, all = strcmp(scr, "all") == 0;

	if (!app_throttle_ok(c, "bulk-token"))
		return 1;
	if ((b = by_token(c, 1)) == NULL) {
		throttle_fail(c->app->db, "bulk-token", c->r->remote);
		return web_error(c->r, 404, "Link expired", "This download "
		    "link is not valid or has expired. Ask your administrator "
		    "to send the links again.");
	}
	if ((items = store_bulk_items(c->app->db, b->id)) == NULL) {
		rc = web_error(c->r, 500, "Server error", "The request could "
		    "not be read. Please try again later.");
		goto out;
	}
	if (!all && (it = issued_line(items, scr)) == NULL) {
		rc = download_form(c, items, 404, "There is no certificate "
		    "with this number in the request.");
		goto out;
	}
	if (strcmp(c->r->method, "POST") != 0) {
		rc = download_form(c, items, 200, NULL);
		goto out;
	}
	/* Counted before the slow decryption, refunded when it works. */
	if (!throttle_attempt(c->app->db, "bulk-pass", c->r->remote)) {
		(void)app_throttle_ok(c, "bulk-pass");	/* answers 429 */
		rc = 1;
		goto out;
	}
	/*
	 * The passphrase is a per-request secret (SPEC 5): besides the
	 * address, the request itself counts failures and locks at the
	 * limit, whatever addresses the guesses come from.
	 */
	if ((tries = store_bulk_pass_failure(c->app->db, b->id,
	    THROTTLE_LIMIT)) == 0) {
		log_warn("bulkenroll: p12 passphrase of BER %lld is locked",
		    b->id);
		rc = web_error(c->r, 429, "Passphrase locked", "The p12 "
		    "passphrase of this bulk request is locked after too many "
		    "failed attempts. Please ask your administrator to unlock "
		    "it.");
		goto out;
	}
	if (c->f[KEY_PASSPHRASE].state != FIELD_VALID ||
	    (key = bulk_open_key(b, app_str(c, KEY_PASSPHRASE))) == NULL) {
		log_info("bulkenroll: wrong p12 passphrase for BER %lld from "
		    "%s", b->id, c->r->remote);
		if (tries == THROTTLE_LIMIT)
			pass_locked(c, b);
		rc = download_form(c, items, 200, "The p12 passphrase is not "
		    "correct.");
		goto out;
	}
	(void)store_bulk_pass_ok(c->app->db, b->id, THROTTLE_LIMIT);
	throttle_refund(c->app->db, "bulk-pass", c->r->remote);
	acc = store_account_by_id(c->app->db, b->account_id);
	enc = p12_encoding_for_agent(web_user_agent(c->r), acc != NULL &&
	    acc->p12_legacy ? P12_COMPATIBLE : P12_MODERN);
	if (all) {
		if (!bulk_zip(c->app->db, c->app->cfg, b, items, key,
		    app_str(c, KEY_PASSPHRASE), enc, &zip)) {
			rc = web_error(c->r, 500, "Server error", "The files "
			    "could not be prepared. Please try again later.");
			goto out;
		}
		snprintf(name, sizeof(name), "bulk-%lld.zip", b->id);
		rc = web_blob(c->r, 200, "application/zip", name, zip.data,
		    zip.len);
		goto out;
	}
	if (!bulk_p12(c->app->db, c->app->cfg, b, it, key,
	    app_str(c, KEY_PASSPHRASE), enc, &der, &len)) {
		rc = web_error(c->r, 500, "Server error", "The file could not "
		    "be prepared. Please try again later.");
		goto out;
	}
	bulk_p12_name(it, name, sizeof(name));
	rc = web_blob(c->r, 200, "application/x-pkcs12", name, der, len);
out:
	if (der != NULL)
		OPENSSL_clear_free(der, len);
	buf_free_secret(&zip);
	EVP_PKEY_free(key);
	store_account_free(acc);
	store_bulk_item_list_free(items);
	store_bulk_free(b);
	return rc;
}

int
main(void)
{
	return app_serve(&program);
}
