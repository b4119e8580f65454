/*
 * app: what every web program sets up once per process (configuration,
 * server key, database) and once per request (the customer from the URL).
 */
#ifndef CERTDESK_APP_H
#define CERTDESK_APP_H

#include "config.h"
#include "db.h"
#include "store.h"
#include "web.h"

/* A customer and endpoint a worker has read, for pages shown by GET. */
struct app_site {
	char			*uri;		/* the customer's, as in the URL */
	char			*ext;		/* the endpoint's; NULL: none wanted */
	struct customer		*customer;
	struct endpoint		*endpoint;
	long long		 until;		/* monotonic second it is dropped */
};

#define APP_SITES	32

struct app {
	const struct config	*cfg;	/* borrowed from web */
	struct db		*db;	/* one connection per worker process */
	struct app_site		 sites[APP_SITES];
	size_t			 next_site;	/* the slot a new entry takes */
};

/* Initialises web, the server key and the database; returns 1 on success. */
int		 app_init(struct app *, const char *prog);
/* Closes what app_init opened and frees the CAs the worker loaded. */
void		 app_done(struct app *);
/*
 * Returns a token binding purpose, an id and a string (e.g. an account and
 * an email) for ttl seconds, HMAC'ed with the server key (caller frees).
 */
char		*app_token_make(const char *purpose, long long id,
		    const char *bound, long ttl);
/*
 * Verifies a token from app_token_make for purpose and bound; returns the
 * id it carries, or 0 when it is forged, altered or expired.
 */
long long	 app_token_check(const char *token, const char *purpose,
		    const char *bound);

/*
 * The program skeleton (model: kcgi's khttp_parse with its field table).
 * A program is its tables: pages, fields, the endpoint types its URL
 * names; main() is one call to app_serve().  Before a page function runs,
 * app_serve has resolved customer and endpoint (404), the page (404), the
 * method (405), the CSRF token of a POST (403) and the page's throttle
 * (429), and checked every declared field once into a typed value.
 */

/* Whether a declared field came with the request and passed its check. */
enum field_state {
	FIELD_ABSENT,	/* not sent, or sent empty */
	FIELD_VALID,
	FIELD_INVALID	/* sent, but over its length or of the wrong form */
};

/* One field's checked value; strings are borrowed from the request. */
struct field_value {
	enum field_state	 state;
	const char		*str;	/* the value when VALID, else "" */
	long long		 num;	/* field_int's number; field_flag's 1 */
};

struct field;

/* A field check: fills v from the non-empty raw value; returns 1 valid, 0 not. */
typedef int (*field_check)(const struct field *, const char *raw,
    struct field_value *v);

/* One declared form or query field. */
struct field {
	const char	*name;		/* as in the form (Query.<name>) */
	field_check	 check;		/* field_text, field_line, field_int, ... */
	size_t		 max;		/* longest value accepted, in bytes */
	long long	 lo, hi;	/* field_int's bounds */
	int		 secret;	/* wiped after the request, never echoed */
};

/* Text of up to max bytes; line breaks and tabs are the only controls allowed. */
int	field_text(const struct field *, const char *, struct field_value *);
/* One line of up to max bytes without any control character. */
int	field_line(const struct field *, const char *, struct field_value *);
/* A decimal integer in [lo, hi], without sign or spaces; its value in num. */
int	field_int(const struct field *, const char *, struct field_value *);
/* A checkbox: any value sets it (num = 1). */
int	field_flag(const struct field *, const char *, struct field_value *);

/* Methods a page answers; HEAD rides on GET. */
#define APP_GET		0x1
#define APP_POST	0x2

struct app_req;

/* One page (or protocol operation) of a program; returns 1 when answered. */
typedef int (*page_fn)(struct app_req *);

struct app_page {
	const char	*name;	/* value of the program's page parameter ("" when absent) */
	const char	*step;	/* with step_param: this value only; NULL: any */
	unsigned	 methods;
	const char	*throttle; /* scope whose block answers 429 before a POST */
	const char	*title;	/* Page.Title, also of its error pages */
	page_fn		 fn;
};

/* How the part of the path after the program segment names an endpoint. */
enum endpoint_match {
	ENDPOINT_NONE,		/* no endpoint: nothing may follow */
	ENDPOINT_EXT,		/* /<program>[/<ext>], nothing deeper */
	ENDPOINT_FIRST_SEGMENT	/* /<program>/<ext>[/anything] (SCEP) */
};

struct program {
	const char		*name;		/* log prefix and web_init name */
	const char		*segment;	/* path segment after the customer */
	enum endpoint_match	 match;
	const enum endpoint_type *types;	/* tried in order; n_types of them */
	size_t			 n_types;
	const char		*not_found;	/* 404 text for an unknown endpoint */
	size_t			 max_body;
	int			 raw_body;	/* read the body as bytes, no form, no CSRF */
	int			 plain_errors;	/* answer errors as text/plain (protocols) */
	const char		*page_param;	/* "action", "operation"; NULL: one page */
	int			 page_nocase;	/* page names compare case-insensitively */
	const char		*step_param;	/* e.g. "step"; NULL: pages have no steps */
	const struct app_page	*pages;
	size_t			 n_pages;
	const struct field	*fields;	/* indexed by the program's enum key */
	size_t			 n_fields;
	int			 fresh_sites;	/* never reuse a customer or endpoint read before */
};

/* What a page function works with; everything is freed after the request. */
struct app_req {
	struct app		*app;
	struct req		*r;
	const struct program	*prog;
	const struct app_page	*page;
	struct customer		*customer;
	struct endpoint		*endpoint;	/* NULL with ENDPOINT_NONE */
	int			 site_cached;	/* both belong to app->sites */
	struct field_value	*f;		/* f[KEY_X], n_fields of them */
	const struct buf	*body;		/* raw_body programs: the bytes */
};

/* Serves requests with prog until shutdown; returns main()'s exit status. */
int		 app_serve(const struct program *prog);
/* The checked value of field key, or "" when absent or invalid; borrowed. */
const char	*app_str(const struct app_req *, size_t key);
/*
 * Returns 1 when the address may go on guessing in scope; otherwise
 * answers 429 (page title kept) and returns 0.
 */
int		 app_throttle_ok(struct app_req *, const char *scope);
/* The CSR a form sent, read once per request. */
struct form_csr {
	struct csr	*csr;		/* parsed, or NULL with err */
	char		*text;		/* what the form shows back (caller frees) */
	char		 err[256];
};

/*
 * Reads the CSR from the upload field upload (preferred, PEM or DER) or
 * the pasted text field key and parses it; fc->csr is NULL with fc->err
 * set when there is none or it is bad.  Free with app_form_csr_free.
 */
void		 app_form_csr(struct app_req *, const char *upload, size_t key,
		    struct form_csr *fc);
/* Frees what app_form_csr filled in. */
void		 app_form_csr_free(struct form_csr *);
/*
 * Sends the browser that completed an issuance to the collection page of
 * cert_id, handing it the PKCS#12 pick-up secret (NULL: none) as a
 * cookie of that page only, for the hour the files are kept; returns 1.
 */
int		 app_to_collect(struct app_req *, const char *cert_id,
		    const char *pickup);
/* The pick-up secret the browser holds for cert_id (borrowed), or NULL. */
const char	*app_pickup_secret(struct app_req *, const char *cert_id);
/*
 * Sets Terms.N.Days and Terms.N.Label for the distinct terms of a list
 * (days, comma separated), shortest first; returns how many.
 */
size_t		 app_set_terms(struct app_req *, const char *terms);
/* Sets Reasons.N.Name and .Label: the revocation reasons an end user may give (SPEC 4.6). */
void		 app_set_reasons(struct app_req *);
/* Answers status with title and message as the program answers errors; returns 1. */
int		 app_error(struct app_req *, int status, const char *title,
		    const char *message);

#endif
