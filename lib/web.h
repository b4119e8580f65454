/*
 * web: the request/response layer every FastCGI program shares.  The same
 * binary runs under FastCGI or as a plain CGI program (which is how tests
 * drive it); this module is the only one that includes fcgiapp.h.
 *
 * A program's main loop:
 *
 *	if (!web_init("ssl"))
 *		return 1;
 *	while (web_accept(&r, 64 * 1024)) {
 *		handle(&r);		(exactly one web_page/_blob/... call)
 *		web_free(&r);
 *	}
 *
 * HDF names the layout uses (handlers set them on req->hdf):
 *   Page.Title, Page.Error (red box), Page.Notice (blue box),
 *   Customer.Name; set by web: Static.URL, CSRF.Token, Page.Template.
 * Forms include the token with <?cs call:csrf_field() ?> (defined by the
 * layout), which writes <input type="hidden" name="csrf" ...>.
 */
#ifndef CERTDESK_WEB_H
#define CERTDESK_WEB_H

#include <stddef.h>

#include <ClearSilver.h>

#include "buf.h"
#include "config.h"

struct web_conn;

struct req {
	const char	*method;	/* "GET", "POST", "HEAD" */
	char		*script_path;	/* SCRIPT_NAME + PATH_INFO, normalised */
	char		*customer_uri;	/* from /customer/<uri>/... */
	char		*program;	/* segment after the customer: "ssl", "scep", ... */
	char		*rest;		/* after the program segment, no leading '/' (may be "") */
	char		 remote[64];	/* the client (clientaddr_resolve) */
	char		 id[17];	/* random request id for the log */
	CGI		*cgi;		/* cgi->hdf holds Query.*, Cookie.*, page data */
	HDF		*hdf;		/* == cgi->hdf: handlers set page data here */
	int		 csrf_ok;	/* POST carried a valid token */
	struct web_conn	*conn;		/* private: response state */
};

/* Once per process: loads the config, log_init, FCGX_Init under FastCGI; 1 ok, 0 fail. */
int	web_init(const char *prog);
/* The configuration web_init loaded (borrowed; NULL before web_init). */
const struct config *web_config(void);

/*
 * Waits for the next request and parses path, query, cookies and form body
 * (urlencoded or multipart).  Requests that are malformed (bad path: 404,
 * method: 405, body over max_body: 413, unparseable, multipart without a
 * sane boundary or more than 64 fields: 400, a POST body that is not form
 * data: 415) are answered here and never reach the caller.  Returns 1 with *r filled (free with
 * web_free), 0 when there are no more requests (shutdown; under plain CGI
 * after the one request).
 */
int	web_accept(struct req *, size_t max_body);
/*
 * Like web_accept, but reads the body as raw bytes by CONTENT_LENGTH into
 * body (caller frees with buf_free) whatever the Content-Type (SCEP);
 * the query string is still parsed into Query.*; csrf_ok stays 0.
 */
int	web_accept_raw(struct req *, size_t max_body, struct buf *body);
/* Query.name or NULL (a form field wins over the query string); borrowed from req->hdf. */
const char *web_param(struct req *, const char *name);
/* The request's User-Agent header, or "" (borrowed; only for choosing what to offer). */
const char *web_user_agent(const struct req *);
/*
 * Reads the uploaded file of form field name into out (caller frees):
 * 1 ok, 0 no file (none in this request, or a handle that names none)
 * or an empty one, -1 larger than max or unreadable.
 */
int	web_upload(struct req *, const char *name, size_t max, struct buf *out);
/* Overwrites the value of form field name in place (secrets); NULL-safe. */
void	web_wipe_param(struct req *, const char *name);
/* Releases everything the request holds and finishes the response; NULL-safe. */
void	web_free(struct req *);
/*
 * Under plain CGI, lets the next web_accept serve one more request from
 * the environment and stdin the caller has put in place; no effect under
 * FastCGI.  Only tests and fuzzers call it, to drive a sequence of
 * requests through one process as a FastCGI worker would serve them.
 */
void	web_cgi_rearm(void);

/*
 * Responses: each request gets exactly one.  All carry the security headers
 * (CSP without inline script or style, X-Frame-Options DENY, nosniff,
 * Referrer-Policy no-referrer, Cache-Control no-store) and a "Status:"
 * line; HEAD requests get the headers only.  Each returns 1 when the
 * response was written, 0 on failure (logged).
 */
/* Renders templates/<name>.cs inside layout.cs with req->hdf; sets the CSRF cookie and CSRF.Token. */
int	web_page(struct req *, int status, const char *template_name);
/* The longest attachment filename web_blob sends; longer ones are cut. */
#define WEB_FILENAME_MAX	127
/* Sends bytes as content_type; download_name (NULL: inline) becomes an attachment filename. */
int	web_blob(struct req *, int status, const char *content_type,
	    const char *download_name, const void *, size_t);
/* Sends text with "Content-Type: text/plain" exactly (no charset: SCEP clients compare it). */
int	web_text(struct req *, int status, const char *text);
/* The HTML error page (error.cs) with status 400, 403, 404, 405, 413, 429, 500 or 503. */
int	web_error(struct req *, int status, const char *title, const char *message);
/* A 303 See Other to location (CR/LF refused). */
int	web_redirect(struct req *, const char *location);
/*
 * web_redirect, setting cookie name=value (both of [0-9A-Za-z_-]) for
 * path and max_age seconds, HttpOnly, SameSite=Strict, and Secure when
 * the request came over HTTPS; without a name, no cookie.
 */
int	web_redirect_cookie(struct req *, const char *location,
	    const char *name, const char *value, const char *path,
	    int max_age);
/* The value of the request's cookie name (borrowed), or NULL. */
const char *web_cookie(struct req *, const char *name);

/*
 * Files a Cookie header's pairs into hdf as Cookie.<name> (web_cookie
 * reads them); returns 1, or 0 when out of memory.
 */
int	web_parse_cookies(HDF *, const char *header);
/* A 503 "not yet available" page under the program's page title. */
int	web_unavailable(struct req *, const char *title);

/*
 * Splits a normalised path "/customer/<uri>/<program>[/<rest>]" into
 * malloc'ed parts the caller frees; 1 ok, 0 when the path is not of that
 * form or carries "..", control or non-ASCII bytes.
 */
int	web_parse_path(const char *path, char **customer, char **program,
	    char **rest);
/* 1 when the form token equals the cookie token (both non-empty, constant time). */
int	web_csrf_equal(const char *form, const char *cookie);

#endif
