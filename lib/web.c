/*
 * web: requests and responses over FastCGI (libfcgi's fcgiapp) or plain CGI
 * (stdio), with ClearSilver's cgi kit parsing query strings, cookies and
 * form bodies in both cases through its cgiwrap hooks.
 */
#include <sys/socket.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fastcgi.h>
#include <fcgiapp.h>
#include <openssl/crypto.h>

#include "clientaddr.h"
#include "log.h"
#include "secret.h"
#include "tmpl.h"
#include "web.h"

#define WEB_CSRF_COOKIE	"cd_csrf"
#define WEB_CSRF_HEXLEN	32	/* 128 bits */
#define WEB_TEMPLATES	"/usr/local/share/certdesk/templates"

/*
 * Most fields one request may carry, query string and form body together.
 * The cgi kit files every field after a linear walk over the same key's
 * earlier values, so a body of one key repeated costs quadratic time; the
 * largest form has about twenty fields.
 */
#define WEB_MAX_FIELDS		64
#define WEB_BOUNDARY_MAX	70	/* RFC 2046, section 5.1.1 */

/* Per-request state, freed by web_free. */
struct web_conn {
	int	 accepted;	/* a transport request is open */
	int	 responded;	/* headers went out */
	int	 head;		/* HEAD: headers only */
	int	 https;
	int	 csrf_new;	/* the token must be sent as a cookie */
	char	 csrf[WEB_CSRF_HEXLEN + 1];
	unsigned char csrf_seed[WEB_CSRF_HEXLEN / 2];	/* a new token's bytes */
	int	 seeded;	/* csrf_seed holds random bytes, not yet used */
	int	 form;		/* enum web_form of a POST */
	char	 kit_ctype[96];	/* CONTENT_TYPE as the kit sees it */
	char	 kit_clen[24];	/* CONTENT_LENGTH as the kit sees it */
	const unsigned char *kit_in;	/* what the kit's read hook hands out */
	size_t	 kit_in_len;
	size_t	 kit_in_off;	/* how much of it the kit has read */
	struct buf body;	/* the form body, fed to the kit */
};

/* What a form POST carries, by its Content-Type. */
enum web_form {
	WEB_FORM_NONE,		/* no body */
	WEB_FORM_URLENCODED,
	WEB_FORM_MULTIPART,
};

extern char **environ;

/*
 * Process-wide transport state only: the FastCGI connection object is
 * reset by libfcgi on every accept, and nothing a client sent lives here.
 */
static struct config	*web_cfg;
static int		 web_fcgi;	/* 1 under FastCGI */
static int		 web_unix;	/* 1 when the server connects by Unix socket */
static int		 web_cgi_served;
static int		 web_kit_ready;	/* the kit's error types exist */
static FCGX_Request	 web_fcgx;
static struct clientaddr_nets	 web_proxies;	/* Web.TrustedProxies */

/* The request variables this module reads. */
enum web_var {
	VAR_CONTENT_LENGTH,
	VAR_CONTENT_TYPE,
	VAR_HTTPS,
	VAR_HTTP_COOKIE,
	VAR_HTTP_USER_AGENT,
	VAR_HTTP_X_FORWARDED_FOR,
	VAR_PATH_INFO,
	VAR_QUERY_STRING,
	VAR_REMOTE_ADDR,
	VAR_REQUEST_METHOD,
	VAR_REQUEST_URI,
	VAR_SCRIPT_NAME,
	VAR__MAX
};

/* Their names, with lengths so that most of a request's are passed over unread. */
#define WEB_VAR(v)	[VAR_##v] = { #v, sizeof(#v) - 1 }
static const struct {
	const char	*name;
	size_t		 len;
} web_var_names[VAR__MAX] = {
	WEB_VAR(CONTENT_LENGTH),
	WEB_VAR(CONTENT_TYPE),
	WEB_VAR(HTTPS),
	WEB_VAR(HTTP_COOKIE),
	WEB_VAR(HTTP_USER_AGENT),
	WEB_VAR(HTTP_X_FORWARDED_FOR),
	WEB_VAR(PATH_INFO),
	WEB_VAR(QUERY_STRING),
	WEB_VAR(REMOTE_ADDR),
	WEB_VAR(REQUEST_METHOD),
	WEB_VAR(REQUEST_URI),
	WEB_VAR(SCRIPT_NAME),
};
#undef WEB_VAR

/*
 * The values of the current FastCGI request's variables, picked out of
 * libfcgi's list in one pass when it is accepted (pointers into that
 * list, which lives exactly as long as the request).  A name sent twice
 * comes from headers the server mapped alike (X-Forwarded-For and
 * X_Forwarded_For): which one a lookup found would be the client's
 * choice, so such a name counts as absent.
 */
static const char	*web_vars[VAR__MAX];
static unsigned char	 web_var_twice[VAR__MAX];

/*
 * Picks this module's variables out of the "NAME=value" list of the
 * request just accepted: libfcgi's, or the environment of a CGI run.
 */
static void
web_env_index(char **envp)
{
	const char	*p, *eq;
	size_t		 n, len;
	int		 v;

	memset(web_vars, 0, sizeof(web_vars));
	memset(web_var_twice, 0, sizeof(web_var_twice));
	for (n = 0; envp != NULL && envp[n] != NULL; n++) {
		p = envp[n];
		if ((eq = strchr(p, '=')) == NULL)
			continue;
		len = (size_t)(eq - p);
		for (v = 0; v < VAR__MAX; v++) {
			if (web_var_names[v].len != len ||
			    memcmp(web_var_names[v].name, p, len) != 0)
				continue;
			if (web_vars[v] != NULL)
				web_var_twice[v] = 1;
			web_vars[v] = eq + 1;
			break;
		}
	}
	for (v = 0; v < VAR__MAX; v++)
		if (web_var_twice[v])
			web_vars[v] = NULL;
}

/* Returns the request's variable v or NULL; borrowed. */
static const char *
web_env(enum web_var v)
{
	return web_vars[v];
}

static int	web_write(const void *, size_t);
static void	web_log_neoerr(const char *, NEOERR *);

/*
 * cgiwrap read hook: copies up to n bytes of what web_kit_parse feeds the
 * kit (the query string, then the body web_prepare read); returns the
 * count, 0 at its end.  The kit never reads the transport itself, so
 * every byte it parses has been counted and checked first.
 */
static int
web_cb_read(void *data, char *b, int n)
{
	struct web_conn	*c = data;
	size_t		 left;

	if (c == NULL || n <= 0)
		return 0;
	if ((left = c->kit_in_len - c->kit_in_off) == 0)
		return 0;
	if ((size_t)n > left)
		n = (int)left;
	memcpy(b, c->kit_in + c->kit_in_off, (size_t)n);
	c->kit_in_off += (size_t)n;
	return n;
}

/*
 * cgiwrap printf hook: formats with the C library, because libfcgi's own
 * printf does not know every conversion (%zu); returns 0 on success.
 */
static int web_cb_writef(void *, const char *, va_list)
    __attribute__((format(printf, 2, 0)));

static int
web_cb_writef(void *data, const char *fmt, va_list ap)
{
	char	*s = NULL;
	int	 n, ok;

	(void)data;
	if ((n = vasprintf(&s, fmt, ap)) < 0)
		return -1;
	ok = web_write(s, (size_t)n);
	free(s);
	return ok ? 0 : -1;
}

/* cgiwrap write hook: returns the number of bytes written, -1 on error. */
static int
web_cb_write(void *data, const char *b, int n)
{
	(void)data;
	if (n < 0 || !web_write(b, (size_t)n))
		return -1;
	return n;
}

/*
 * cgiwrap getenv hook: returns NULL, so the kit reads no CGI variable.
 * web_kit_open gives it the few values it parses with; the kit's own
 * setup would copy some 140 variables and every header into the dataset.
 */
static char *
web_cb_getenv(void *data, const char *k)
{
	(void)data;
	(void)k;
	return NULL;
}

/* cgiwrap putenv hook: request parameters are read-only; returns -1. */
static int
web_cb_putenv(void *data, const char *k, const char *v)
{
	(void)data;
	(void)k;
	(void)v;
	return -1;
}

/* cgiwrap iterenv hook: the kit sees no variables; returns 0 with *k NULL. */
static int
web_cb_iterenv(void *data, int n, char **k, char **v)
{
	(void)data;
	(void)n;
	*k = *v = NULL;
	return 0;
}

/*
 * Points the kit's I/O hooks at c (NULL: nothing to read).  The hooks are
 * process-wide, so this runs before every use of the kit.
 */
static void
web_kit_hooks(struct web_conn *c)
{
	cgiwrap_init_emu(c, web_cb_read, web_cb_writef, web_cb_write,
	    web_cb_getenv, web_cb_putenv, web_cb_iterenv);
}

/* Returns 1 when the FastCGI listening socket is a Unix-domain one. */
static int
web_listens_unix(void)
{
	struct sockaddr_storage	 ss = { 0 };
	socklen_t		 len = sizeof(ss);

	return getsockname(FCGI_LISTENSOCK_FILENO, (struct sockaddr *)&ss,
	    &len) == 0 && ss.ss_family == AF_UNIX;
}

/*
 * Returns 1 when the server has sent all of the request: the end of the
 * input stream is in, read without waiting.  The one read is made with
 * the socket non-blocking, because a client decides when (or whether)
 * the rest of a body it announced arrives, and a worker must not sleep
 * on it with its answer still unsent.
 */
static int
web_input_done(void)
{
	FCGX_Stream	*in = web_fcgx.in;
	int		 fl, done;

	if (FCGX_HasSeenEOF(in) == EOF)
		return FCGX_GetError(in) == 0;
	if ((fl = fcntl(web_fcgx.ipcFd, F_GETFL)) == -1 ||
	    fcntl(web_fcgx.ipcFd, F_SETFL, fl | O_NONBLOCK) == -1)
		return 0;
	/* EOF with no error is the end; nothing there yet is an error. */
	done = FCGX_GetChar(in) == EOF && FCGX_GetError(in) == 0;
	if (fcntl(web_fcgx.ipcFd, F_SETFL, fl) == -1)
		done = 0;
	return done;
}

/*
 * Ends the FastCGI request.  libfcgi closes a connection by shutting
 * down its side and then waiting until the server closes the other,
 * so that a TCP reset cannot destroy an answer still in flight.  A Unix
 * socket never discards what was written, so once the server has sent
 * all of the request the worker closes at once and takes the next
 * request, instead of sleeping until the server gets round to closing.
 * Input not all in (a refused body, one still coming) keeps the wait:
 * the server may still be writing, and a closed socket would turn the
 * answer into its write error.
 */
static void
web_finish(void)
{
	if (web_unix && !web_fcgx.keepConnection && web_fcgx.in != NULL &&
	    web_input_done())
		(void)FCGX_Detach(&web_fcgx);
	FCGX_Finish_r(&web_fcgx);
}

int
web_init(const char *prog)
{
	log_init(prog);
	/* Before the server key or any request is in memory. */
	if (!secret_no_dumps())
		return 0;
	if (web_cfg == NULL && (web_cfg = config_load(NULL)) == NULL)
		return 0;
	if (config_int(web_cfg, "Log.Quiet", 0))
		log_quiet(1);
	/* A bad list stops the program: guessing the admin's intent is worse. */
	clientaddr_nets_free(&web_proxies);
	if (!clientaddr_nets_parse(config_get(web_cfg, "Web.TrustedProxies",
	    NULL), &web_proxies))
		return 0;
	/*
	 * cgi_init registers the kit's error types on its first call; the
	 * requests' kit objects are made by web_kit_open, which does not.
	 */
	if (web_kit_ready == 0) {
		CGI	*cgi = NULL;
		NEOERR	*err;

		web_kit_hooks(NULL);
		if ((err = cgi_init(&cgi, NULL)) != STATUS_OK) {
			web_log_neoerr("cgi_init", err);
			return 0;
		}
		cgi_destroy(&cgi);
		web_kit_ready = 1;
	}
	if (FCGX_IsCGI()) {
		web_fcgi = 0;
		return 1;
	}
	/* A client hanging up must not kill a worker serving thousands. */
	signal(SIGPIPE, SIG_IGN);
	if (FCGX_Init() != 0 || FCGX_InitRequest(&web_fcgx, 0, 0) != 0) {
		log_err("FastCGI initialisation failed");
		return 0;
	}
	web_fcgi = 1;
	web_unix = web_listens_unix();
	return 1;
}

const struct config *
web_config(void)
{
	return web_cfg;
}

/* Writes len bytes to the client; returns 1 ok, 0 on a write error. */
static int
web_write(const void *p, size_t len)
{
	const char	*s = p;
	size_t		 chunk;

	while (len > 0) {
		chunk = len > (1u << 20) ? (1u << 20) : len;
		if (web_fcgi) {
			if (FCGX_PutStr(s, (int)chunk, web_fcgx.out) !=
			    (int)chunk)
				return 0;
		} else if (fwrite(s, 1, chunk, stdout) != chunk)
			return 0;
		s += chunk;
		len -= chunk;
	}
	return 1;
}

/* Returns the reason phrase for the status codes certdesk sends. */
static const char *
web_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 303: return "See Other";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 410: return "Gone";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Status";
	}
}

static int	web_send(struct req *, int, const char *, const char *,
		    const void *, size_t);

/* Answers a bare 500 when a response could not be built; always returns 0. */
static int
web_internal(struct req *r)
{
	(void)web_send(r, 500, "text/plain", NULL, "Internal server error.\n",
	    23);
	return 0;
}

/* Returns 1 when s holds no CR, LF or other control byte (safe in a header line). */
static int
web_header_safe(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			return 0;
	return 1;
}

/*
 * Writes the one response of a request: status line, content type,
 * security headers, extra (complete header lines or NULL), then body
 * unless HEAD.  Returns 1 ok, 0 on failure (logged).
 */
static int
web_send(struct req *r, int status, const char *ctype, const char *extra,
    const void *body, size_t len)
{
	struct buf	 h = { 0 };
	int		 rc = 0;

	if (r == NULL || r->conn == NULL || !r->conn->accepted) {
		log_err("response without a request");
		return 0;
	}
	if (r->conn->responded) {
		log_err("second response to one request refused");
		return 0;
	}
	r->conn->responded = 1;
	if (status < 100 || status > 599)
		status = 500;
	/* The fixed headers are copied, not formatted: every answer has them. */
	if (!buf_printf(&h, "Status: %d %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\n", status, web_reason(status), ctype,
	    len) || !buf_puts(&h,
	    "Content-Security-Policy: default-src 'none'; style-src 'self'; "
	    "img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
	    "base-uri 'none'\r\n"
	    "X-Frame-Options: DENY\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "Referrer-Policy: no-referrer\r\n"
	    "Cache-Control: no-store\r\n") ||
	    (extra != NULL && !buf_puts(&h, extra)) || !buf_puts(&h, "\r\n")) {
		log_err("response headers: out of memory");
		goto out;
	}
	if (!web_write(h.data, h.len) ||
	    (!r->conn->head && len > 0 && !web_write(body, len))) {
		log_warn("client went away while sending %d", status);
		goto out;
	}
	rc = 1;
out:
	buf_free(&h);
	return rc;
}

/* Returns 1 when s is exactly a token this module issues (32 lowercase hex). */
static int
web_csrf_wellformed(const char *s)
{
	size_t	 i;

	if (s == NULL)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == WEB_CSRF_HEXLEN;
}

int
web_csrf_equal(const char *form, const char *cookie)
{
	size_t	 n;

	if (form == NULL || cookie == NULL)
		return 0;
	n = strlen(cookie);
	if (n == 0 || strlen(form) != n)
		return 0;
	return CRYPTO_memcmp(form, cookie, n) == 0;
}

/* Returns 1 when c may appear in a customer or program path segment. */
static int
web_segchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

int
web_parse_path(const char *path, char **customer, char **program, char **rest)
{
	const char	*p, *c, *g;
	size_t		 clen, glen;
	char		*cu = NULL, *pr = NULL, *re = NULL;

	if (path == NULL || strstr(path, "..") != NULL)
		return 0;
	for (p = path; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			return 0;
	if (strncmp(path, "/customer/", 10) != 0)
		return 0;
	c = path + 10;
	for (clen = 0; web_segchar(c[clen]); clen++)
		continue;
	if (clen == 0 || clen > 64 || c[clen] != '/')
		return 0;
	g = c + clen + 1;
	for (glen = 0; web_segchar(g[glen]); glen++)
		continue;
	if (glen == 0 || (g[glen] != '/' && g[glen] != '\0'))
		return 0;
	p = g + glen;
	if (*p == '/')
		p++;
	if ((cu = strndup(c, clen)) == NULL ||
	    (pr = strndup(g, glen)) == NULL || (re = strdup(p)) == NULL) {
		free(cu);
		free(pr);
		free(re);
		return 0;
	}
	*customer = cu;
	*program = pr;
	*rest = re;
	return 1;
}

/* Returns the value of a hex digit or -1. */
static int
web_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Returns the request path as a malloc'ed string the caller frees:
 * SCRIPT_NAME + PATH_INFO, or the decoded REQUEST_URI without its query
 * when the server gives neither; repeated '/' and "." segments removed.
 * NULL when there is no usable path (bad escapes, NUL, out of memory).
 */
static char *
web_request_path(void)
{
	const char	*sn, *pi, *uri;
	struct buf	 b = { 0 };
	char		*s, *in, *out;
	int		 hi, lo;

	sn = web_env(VAR_SCRIPT_NAME);
	pi = web_env(VAR_PATH_INFO);
	if ((sn != NULL && *sn != '\0') || (pi != NULL && *pi != '\0')) {
		if (!buf_puts(&b, sn != NULL ? sn : "") ||
		    !buf_puts(&b, pi != NULL ? pi : ""))
			goto fail;
	} else if ((uri = web_env(VAR_REQUEST_URI)) != NULL) {
		for (; *uri != '\0' && *uri != '?' && *uri != '#'; uri++) {
			unsigned char	 ch = (unsigned char)*uri;

			if (ch == '%') {
				if ((hi = web_hexval(uri[1])) < 0 ||
				    (lo = web_hexval(uri[2])) < 0)
					goto fail;
				ch = (unsigned char)(hi * 16 + lo);
				uri += 2;
			}
			/* A decoded NUL would cut the path short unseen. */
			if (ch == '\0' || !buf_append(&b, &ch, 1))
				goto fail;
		}
	}
	if ((s = buf_take(&b)) == NULL)
		goto fail;
	/* Normalise in place: the output never outruns the input. */
	for (in = out = s; *in != '\0'; ) {
		if (in[0] == '/' && in[1] == '/') {
			in++;
			continue;
		}
		if (in[0] == '/' && in[1] == '.' &&
		    (in[2] == '/' || in[2] == '\0')) {
			in += 2;
			continue;
		}
		*out++ = *in++;
	}
	*out = '\0';
	return s;
fail:
	buf_free(&b);
	return NULL;
}

/*
 * Parses CONTENT_LENGTH into *len (0 when absent); returns 1 ok, 0 when it
 * is not a plain decimal number.
 */
static int
web_content_length(size_t *len)
{
	const char		*s;
	unsigned long long	 v = 0;

	*len = 0;
	if ((s = web_env(VAR_CONTENT_LENGTH)) == NULL || *s == '\0')
		return 1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || v > (~0ULL - 9) / 10)
			return 0;
		v = v * 10 + (unsigned long long)(*s - '0');
	}
	if (v > (size_t)-1)
		return 0;
	*len = (size_t)v;
	return 1;
}

/* Reads exactly len body bytes into out; returns 1 ok, 0 on a short body. */
static int
web_read_body(size_t len, struct buf *out)
{
	char	 chunk[8192];
	size_t	 want;
	int	 n;

	while (len > 0) {
		want = len < sizeof(chunk) ? len : sizeof(chunk);
		if (web_fcgi)
			n = FCGX_GetStr(chunk, (int)want, web_fcgx.in);
		else
			n = (int)fread(chunk, 1, want, stdin);
		if (n <= 0)
			return 0;
		if (!buf_append(out, chunk, (size_t)n))
			return 0;
		len -= (size_t)n;
	}
	return 1;
}

/* Logs a NEOERR from the cgi kit and frees it. */
static void
web_log_neoerr(const char *what, NEOERR *err)
{
	STRING	 s;

	string_init(&s);
	nerr_error_string(err, &s);
	log_warn("%s: %s", what, s.buf != NULL ? s.buf : "error");
	string_clear(&s);
	nerr_ignore(&err);
}

/* Returns 1 when c may appear in an HTTP token (RFC 9110, section 5.6.2). */
static int
web_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("!#$%&'*+-.^_`|~",
	    c) != NULL);
}

/* Returns 1 when c may appear in a multipart boundary (RFC 2046, bchars). */
static int
web_bchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("'()+_,-./:=? ",
	    c) != NULL);
}

/*
 * Classifies the Content-Type of a form POST into *form and, for
 * multipart, copies its boundary into boundary (WEB_BOUNDARY_MAX + 1
 * bytes).  Returns 0 when a form takes it, 400 when it is malformed or a
 * multipart type lacks one sane boundary, 415 for any other media type.
 */
static int
web_form_type(const char *ct, enum web_form *form, char *boundary)
{
	const char	*p = ct, *type, *name, *val, *bval = NULL;
	size_t		 tlen, nlen, vlen, blen = 0, i;
	int		 nb = 0, quoted, bquoted = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	for (type = p; web_tchar(*p); p++)
		continue;
	if (p == type || *p++ != '/' || !web_tchar(*p))
		return 400;
	while (web_tchar(*p))
		p++;
	tlen = (size_t)(p - type);
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != ';')
			break;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		for (name = p; web_tchar(*p); p++)
			continue;
		if ((nlen = (size_t)(p - name)) == 0) {
			if (*p == '\0' || *p == ';')
				continue;
			return 400;
		}
		if (*p++ != '=')
			return 400;
		if ((quoted = *p == '"')) {
			for (val = ++p; *p != '"'; p++)
				if (*p == '\0' || (*p == '\\' && *++p == '\0'))
					return 400;
			vlen = (size_t)(p++ - val);
		} else {
			for (val = p; web_tchar(*p); p++)
				continue;
			if ((vlen = (size_t)(p - val)) == 0)
				return 400;
		}
		if (nlen == 8 && strncasecmp(name, "boundary", 8) == 0) {
			nb++;
			bval = val;
			blen = vlen;
			bquoted = quoted;
		}
	}
	if (*p != '\0')
		return 400;
	if (tlen == 33 &&
	    strncasecmp(type, "application/x-www-form-urlencoded", 33) == 0) {
		*form = WEB_FORM_URLENCODED;
		return 0;
	}
	if (tlen != 19 || strncasecmp(type, "multipart/form-data", 19) != 0)
		return 415;
	if (nb != 1 || blen == 0 || blen > WEB_BOUNDARY_MAX ||
	    bval[blen - 1] == ' ')
		return 400;
	for (i = 0; i < blen; i++)
		if (!web_bchar(bval[i]) || (!bquoted && bval[i] == ' '))
			return 400;
	memcpy(boundary, bval, blen);
	boundary[blen] = '\0';
	*form = WEB_FORM_MULTIPART;
	return 0;
}

/*
 * Returns the number of fields in an urlencoded string of len bytes: its
 * non-empty '&'-separated pairs, as the kit splits them.
 */
static size_t
web_count_pairs(const char *s, size_t len)
{
	size_t	 i, n = 0;

	for (i = 0; i < len; i++)
		if (s[i] != '&' && (i == 0 || s[i - 1] == '&'))
			n++;
	return n;
}

/*
 * Returns the bit of a part header whose value the kit keeps (and leaks
 * when a second one replaces it), 0 for any other line.
 */
static int
web_part_header(const char *s, size_t l)
{
	static const char *const names[] = {
		"content-disposition", "content-type", "content-encoding",
	};
	const char	*colon;
	size_t		 i, n;

	if ((colon = memchr(s, ':', l)) == NULL)
		return 0;
	n = (size_t)(colon - s);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (n == strlen(names[i]) && strncasecmp(s, names[i], n) == 0)
			return 1 << i;
	return 0;
}

/*
 * Copies the multipart body in into out with every delimiter line of
 * boundary rewritten for canon, a fresh boundary of fixed length.  The kit
 * remembers the length of the last boundary by the address of its copy,
 * so a shorter or longer boundary that malloc places at the same address
 * would be matched with a stale length: with every boundary it sees of one
 * length, nothing of an earlier request matters.  A line is a delimiter
 * exactly when the kit would take it for one.  Returns the number of parts
 * (delimiters before the closing one), -2 when a part repeats a header the
 * kit would leak, -1 when out of memory.
 */
static long
web_multipart_canon(const struct buf *in, const char *boundary,
    const char *canon, struct buf *out)
{
	const char	*s = (const char *)in->data, *end, *nl;
	size_t		 bl = strlen(boundary), l, cl;
	long		 parts = 0;
	int		 cr, close, hdr = 0, first = 0, seen = 0, bit;

	if (s == NULL)
		return 0;
	for (end = s + in->len; s < end; s = nl + 1) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		l = (size_t)(nl - s);
		/*
		 * Part headers run, as the kit reads them, from a delimiter
		 * to an empty line or one that starts with other white
		 * space than a folded header's, whatever lies between.
		 */
		if (hdr) {
			if (l == 0 || (isspace((unsigned char)s[0]) &&
			    (first || (s[0] != ' ' && s[0] != '\t'))))
				hdr = 0;
			else if ((bit = web_part_header(s, l)) & seen)
				return -2;
			else
				seen |= bit;
			first = 0;
		}
		if (nl == end) {
			if (!buf_append(out, s, l))
				return -1;
			break;
		}
		cr = l > 0 && s[l - 1] == '\r';
		cl = l - (size_t)cr;
		close = cl == bl + 4 && s[cl - 2] == '-' && s[cl - 1] == '-';
		if ((cl == bl + 2 || close) && s[0] == '-' && s[1] == '-' &&
		    memcmp(s + 2, boundary, bl) == 0) {
			if (!buf_printf(out, "--%s%s%s", canon,
			    close ? "--" : "", cr ? "\r\n" : "\n"))
				return -1;
			if (!close) {
				parts++;
				if (!hdr) {
					hdr = first = 1;
					seen = 0;
				}
			}
			continue;
		}
		if (!buf_append(out, s, l + 1))
			return -1;
	}
	return parts;
}

/*
 * Reads and checks a form POST's body into r->conn->body, in the shape
 * the kit parses, and sets what the kit sees of its type and length.
 * Returns 0 ok, else the HTTP status to refuse it with and *why.
 */
static int
web_form_body(struct req *r, size_t len, size_t nquery, const char **why)
{
	struct web_conn	*c = r->conn;
	struct buf	 raw = { 0 };
	const char	*ct = web_env(VAR_CONTENT_TYPE);
	char		 boundary[WEB_BOUNDARY_MAX + 1], canon[9 + 32 + 1];
	enum web_form	 form = WEB_FORM_NONE;
	size_t		 nfields = nquery;
	long		 parts;
	int		 status = 0;

	if (ct == NULL || *ct == '\0') {
		/* Only a POST without a body may come without a type. */
		if (len == 0)
			return 0;
		*why = "This form takes form data only.";
		return 415;
	}
	if ((status = web_form_type(ct, &form, boundary)) != 0) {
		*why = status == 415 ? "This form takes form data only." :
		    "The form data's type could not be read.";
		return status;
	}
	if (!web_read_body(len, &raw)) {
		*why = "The request body was incomplete.";
		status = 400;
		goto out;
	}
	c->form = form;
	if (form == WEB_FORM_URLENCODED) {
		nfields += web_count_pairs((const char *)raw.data, raw.len);
		c->body = raw;
		raw = (struct buf){ 0 };
		snprintf(c->kit_ctype, sizeof(c->kit_ctype),
		    "application/x-www-form-urlencoded");
	} else {
		snprintf(canon, sizeof(canon), "certdesk-");
		if (!secret_random_hex(canon + 9, 16) ||
		    (parts = web_multipart_canon(&raw, boundary, canon,
		    &c->body)) == -1) {
			log_err("form body: out of memory");
			*why = "The form data could not be read.";
			status = 500;
			goto out;
		}
		if (parts < 0) {
			log_info("form part with a repeated header refused");
			*why = "The form data could not be read.";
			status = 400;
			goto out;
		}
		nfields += (size_t)parts;
		snprintf(c->kit_ctype, sizeof(c->kit_ctype),
		    "multipart/form-data; boundary=%s", canon);
	}
	if (nfields > WEB_MAX_FIELDS) {
		log_info("%zu form fields refused", nfields);
		*why = "The form carries more fields than it has.";
		status = 400;
		goto out;
	}
	snprintf(c->kit_clen, sizeof(c->kit_clen), "%zu", c->body.len);
out:
	buf_free_secret(&raw);
	return status;
}

/*
 * Checks the request the transport just accepted before the kit sees any
 * of it and, for a form POST, reads its body.  Returns 0 when it may be
 * served, else the HTTP status to refuse it with and its *title, *why.
 */
static int
web_check(struct req *r, size_t max_body, struct buf *raw,
    const char **title, const char **why)
{
	const char	*q;
	size_t		 len, nquery;
	int		 status;

	*title = "Bad request";
	if (r->method == NULL) {
		*title = "Method not allowed";
		*why = "This address accepts GET and POST requests only.";
		return 405;
	}
	if ((r->script_path = web_request_path()) == NULL ||
	    !web_parse_path(r->script_path, &r->customer_uri, &r->program,
	    &r->rest)) {
		log_info("path refused");
		*title = "Page not found";
		*why = "There is no page at this address.";
		return 404;
	}
	if (!web_content_length(&len)) {
		*why = "The request's length could not be read.";
		return 400;
	}
	if (len > max_body) {
		log_info("body of %zu bytes over the limit of %zu", len,
		    max_body);
		*title = "Request too large";
		*why = "What you sent is larger than this page accepts.";
		return 413;
	}
	q = web_env(VAR_QUERY_STRING);
	nquery = q != NULL ? web_count_pairs(q, strlen(q)) : 0;
	if (nquery > WEB_MAX_FIELDS) {
		log_info("%zu query fields refused", nquery);
		*why = "The address carries more fields than this page has.";
		return 400;
	}
	if (raw != NULL) {
		if (!web_read_body(len, raw)) {
			log_info("body shorter than its Content-Length");
			*why = "The request body was incomplete.";
			return 400;
		}
		return 0;
	}
	if (strcmp(r->method, "POST") != 0)
		return 0;
	if ((status = web_form_body(r, len, nquery, why)) != 0) {
		log_info("form body refused with %d", status);
		if (status == 415)
			*title = "Unsupported form data";
		else if (status == 500)
			*title = "Internal error";
	}
	return status;
}

#define WEB_COOKIE_NAME_MAX	64

/* Returns 1 when c may appear in the cookie names certdesk sets: [0-9A-Za-z_-]. */
static int
web_cookie_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c == '_' || c == '-';
}

/*
 * Files each "name=value" pair of a Cookie header as Cookie.<name>, the
 * way the kit's own setup did: blanks around both trimmed, a pair with
 * an empty name or value skipped, a later pair of one name winning.
 * Names other than cookie tokens are skipped too, as web_cookie asks for
 * tokens only and a dot would make a path in the dataset.  Returns 1,
 * or 0 when out of memory.
 */
int
web_parse_cookies(HDF *hdf, const char *header)
{
	char		 key[7 + WEB_COOKIE_NAME_MAX + 1], *val = NULL;
	const char	*p = header, *k, *ke, *v, *ve;
	size_t		 i;
	int		 ok = 1;

	while (p != NULL && *p != '\0' && ok) {
		for (k = p; *k == ' ' || *k == '\t'; k++)
			continue;
		for (ke = k; *ke != '\0' && *ke != '=' && *ke != ';'; ke++)
			continue;
		v = ve = ke;
		if (*ke == '=')
			for (v = ve = ke + 1; *ve != '\0' && *ve != ';'; ve++)
				continue;
		p = *ve == ';' ? ve + 1 : NULL;
		while (ke > k && (ke[-1] == ' ' || ke[-1] == '\t'))
			ke--;
		while (*v == ' ' || *v == '\t')
			v++;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		if (ke == k || ve == v || (size_t)(ke - k) > WEB_COOKIE_NAME_MAX)
			continue;
		for (i = 0; k + i < ke && web_cookie_char(k[i]); i++)
			continue;
		if (k + i != ke)
			continue;
		memcpy(key, "Cookie.", 7);
		memcpy(key + 7, k, i);
		key[7 + i] = '\0';
		if ((val = strndup(v, (size_t)(ve - v))) == NULL ||
		    hdf_set_value(hdf, key, val) != STATUS_OK)
			ok = 0;
		free(val);
		val = NULL;
	}
	return ok;
}

/*
 * Has the kit parse n bytes at in as an urlencoded form with the given
 * method, type and length in its dataset.  Returns 1 ok, 0 when the kit
 * failed (logged).
 */
static int
web_kit_feed(struct req *r, const char *method, const char *ctype,
    const char *clen, const void *in, size_t n)
{
	struct web_conn	*c = r->conn;
	NEOERR		*err;

	c->kit_in = in;
	c->kit_in_len = n;
	c->kit_in_off = 0;
	if ((err = hdf_set_value(r->hdf, "CGI.RequestMethod", method)) ||
	    (err = hdf_set_value(r->hdf, "CGI.ContentType", ctype)) ||
	    (err = hdf_set_value(r->hdf, "CGI.ContentLength", clen)) ||
	    (err = cgi_parse(r->cgi))) {
		web_log_neoerr("form data", err);
		return 0;
	}
	return 1;
}

/*
 * Gives r a kit object of its own holding the cookies and, unless the
 * request is being refused, the query string's fields.  The kit's
 * urlencoded parser reads the query string, fed to it as a body, so a
 * field means the same in the address and in a form.  Returns 1, or 0
 * when out of memory or the kit failed (logged).
 */
static int
web_kit_open(struct req *r, int refused)
{
	const char	*q;
	char		 qlen[24];
	NEOERR		*err;

	web_kit_hooks(r->conn);
	if ((r->cgi = calloc(1, sizeof(*r->cgi))) == NULL) {
		log_err("request: out of memory");
		return 0;
	}
	if ((err = hdf_init(&r->cgi->hdf)) != STATUS_OK) {
		web_log_neoerr("request", err);
		return 0;
	}
	r->hdf = r->cgi->hdf;
	if (!web_parse_cookies(r->hdf, web_env(VAR_HTTP_COOKIE))) {
		log_err("request: out of memory");
		return 0;
	}
	q = refused ? NULL : web_env(VAR_QUERY_STRING);
	if (q != NULL && *q != '\0') {
		snprintf(qlen, sizeof(qlen), "%zu", strlen(q));
		if (!web_kit_feed(r, "POST", "application/x-www-form-urlencoded",
		    qlen, q, strlen(q)))
			return 0;
	}
	return 1;
}

/*
 * Sets up r for the request the transport just accepted.  Returns 1 when
 * the caller should handle it, 0 when it has been answered here already
 * (bad method, path, size, type or body) or setup failed.
 */
static int
web_prepare(struct req *r, size_t max_body, struct buf *raw)
{
	const char	*m, *v, *title = NULL, *why = NULL;
	unsigned char	 rnd[8 + WEB_CSRF_HEXLEN / 2];
	int		 status;

	if ((r->conn = calloc(1, sizeof(*r->conn))) == NULL) {
		log_err("request: out of memory");
		return 0;
	}
	r->conn->accepted = 1;
	/*
	 * One draw gives the request id and the bytes of the CSRF token a
	 * visitor without one is handed, so a first visit costs one call.
	 */
	if (!secret_random(rnd, sizeof(rnd)))
		return 0;
	secret_hex(rnd, 8, r->id);
	memcpy(r->conn->csrf_seed, rnd + 8, sizeof(r->conn->csrf_seed));
	r->conn->seeded = 1;
	OPENSSL_cleanse(rnd, sizeof(rnd));
	log_set_request(r->id);
	/* X-Forwarded-For counts only when a trusted proxy is the peer. */
	if (!clientaddr_resolve(&web_proxies, web_env(VAR_REMOTE_ADDR),
	    web_env(VAR_HTTP_X_FORWARDED_FOR), r->remote, sizeof(r->remote)))
		log_warn("peer address too long");
	/* Behind a TLS-terminating proxy HTTPS is unset; the site is not. */
	if (((v = web_env(VAR_HTTPS)) != NULL && strcasecmp(v, "on") == 0) ||
	    strncasecmp(config_get(web_cfg, "BaseURL", ""), "https://", 8) == 0)
		r->conn->https = 1;
	m = web_env(VAR_REQUEST_METHOD);
	if (m != NULL && strcmp(m, "GET") == 0)
		r->method = "GET";
	else if (m != NULL && strcmp(m, "POST") == 0)
		r->method = "POST";
	else if (m != NULL && strcmp(m, "HEAD") == 0) {
		r->method = "HEAD";
		r->conn->head = 1;
	}
	if (r->method == NULL)
		log_info("method %s refused", m != NULL ? m : "(none)");

	status = web_check(r, max_body, raw, &title, &why);
	/*
	 * A refused request's fields are never parsed: they may be the
	 * attack.  Without a form body the kit sees no type or length.
	 */
	if (!web_kit_open(r, status != 0)) {
		cgi_destroy(&r->cgi);
		r->hdf = NULL;
		web_text(r, 400, "Bad request.\n");
		return 0;
	}
	if (hdf_set_value(r->hdf, "Static.URL",
	    config_get(web_cfg, "Static.URL", "/static")) != STATUS_OK ||
	    hdf_set_value(r->hdf, "Request.Id", r->id) != STATUS_OK) {
		log_err("request: out of memory");
		return 0;
	}
	if (status != 0) {
		web_error(r, status, title, why);
		return 0;
	}
	if (r->conn->form != WEB_FORM_NONE &&
	    !web_kit_feed(r, "POST", r->conn->kit_ctype, r->conn->kit_clen,
	    r->conn->body.data, r->conn->body.len)) {
		web_error(r, 400, "Bad request",
		    "The form data could not be read.");
		return 0;
	}

	v = hdf_get_value(r->hdf, "Cookie." WEB_CSRF_COOKIE, NULL);
	if (web_csrf_wellformed(v))
		memcpy(r->conn->csrf, v, WEB_CSRF_HEXLEN + 1);
	if (raw == NULL && strcmp(r->method, "POST") == 0)
		r->csrf_ok = web_csrf_equal(web_param(r, "csrf"),
		    r->conn->csrf);
	return 1;
}

/* Waits for the next transport request; returns 1 when one is open, 0 at the end. */
static int
web_wait(void)
{
	if (web_fcgi) {
		if (FCGX_Accept_r(&web_fcgx) < 0)
			return 0;
		web_env_index(web_fcgx.envp);
		return 1;
	}
	if (web_cgi_served)
		return 0;
	web_cgi_served = 1;
	web_env_index(environ);
	return 1;
}

void
web_cgi_rearm(void)
{
	web_cgi_served = 0;
}

/* Shared body of web_accept and web_accept_raw. */
static int
web_next(struct req *r, size_t max_body, struct buf *raw)
{
	memset(r, 0, sizeof(*r));
	if (web_cfg == NULL) {
		log_err("web_accept before web_init");
		return 0;
	}
	while (web_wait()) {
		if (web_prepare(r, max_body, raw))
			return 1;
		web_free(r);
		if (raw != NULL)
			buf_free(raw);
		if (!web_fcgi)
			return 0;
	}
	return 0;
}

int
web_accept(struct req *r, size_t max_body)
{
	return web_next(r, max_body, NULL);
}

int
web_accept_raw(struct req *r, size_t max_body, struct buf *body)
{
	return web_next(r, max_body, body);
}

const char *
web_param(struct req *r, const char *name)
{
	HDF	*q;

	if (r->hdf == NULL || name == NULL ||
	    (q = hdf_get_obj(r->hdf, "Query")) == NULL)
		return NULL;
	return hdf_get_value(q, name, NULL);
}

const char *
web_user_agent(const struct req *r)
{
	const char	*v;

	/* The variables belong to the request being served, which r is. */
	(void)r;
	v = web_env(VAR_HTTP_USER_AGENT);
	return v != NULL ? v : "";
}

/*
 * Returns how many top-level fields name handle h as theirs.  The kit
 * files an upload's handle as <field>.FileHandle, but any field can be
 * named "x.FileHandle" too; a handle two fields claim is not trusted.
 */
static int
web_handle_claims(HDF *hdf, int h)
{
	HDF	*q, *f;
	int	 n = 0;

	if ((q = hdf_get_obj(hdf, "Query")) == NULL)
		return 0;
	for (f = hdf_obj_child(q); f != NULL; f = hdf_obj_next(f))
		if (hdf_get_int_value(f, "FileHandle", -1) == h)
			n++;
	return n;
}

int
web_upload(struct req *r, const char *name, size_t max, struct buf *out)
{
	FILE	*fp;
	char	 chunk[8192], key[256];
	size_t	 n;
	int	 h;

	if (r->cgi == NULL || name == NULL || *name == '\0' ||
	    (size_t)snprintf(key, sizeof(key), "Query.%s.FileHandle", name) >=
	    sizeof(key))
		return 0;
	/*
	 * The handle is a form value like any other, so a request can name
	 * one without an upload; cgi_filehandle trusts it blindly.
	 */
	h = hdf_get_int_value(r->cgi->hdf, key, -1);
	if (r->cgi->files == NULL || h < 1 || h > uListLength(r->cgi->files) ||
	    web_handle_claims(r->cgi->hdf, h) != 1 ||
	    (fp = cgi_filehandle(r->cgi, name)) == NULL)
		return 0;
	rewind(fp);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		if (out->len + n > max) {
			buf_free(out);
			return -1;
		}
		if (!buf_append(out, chunk, n)) {
			buf_free(out);
			return -1;
		}
	}
	if (ferror(fp)) {
		log_err("upload %s: read error", name);
		buf_free(out);
		return -1;
	}
	if (out->len == 0) {
		/* Browsers send an empty part when no file was chosen. */
		buf_free(out);
		return 0;
	}
	return 1;
}

void
web_wipe_param(struct req *r, const char *name)
{
	HDF	*q, *f;
	char	*v;

	if (r == NULL || r->cgi == NULL ||
	    (q = hdf_get_obj(r->cgi->hdf, "Query")) == NULL ||
	    (f = hdf_get_obj(q, name)) == NULL)
		return;
	if ((v = hdf_obj_value(f)) != NULL)
		OPENSSL_cleanse(v, strlen(v));
	/* A repeated field keeps every value as a child: .0, .1, ... */
	for (f = hdf_obj_child(f); f != NULL; f = hdf_obj_next(f))
		if ((v = hdf_obj_value(f)) != NULL)
			OPENSSL_cleanse(v, strlen(v));
}

void
web_free(struct req *r)
{
	if (r == NULL)
		return;
	if (r->conn != NULL && r->conn->accepted && !r->conn->responded) {
		log_err("handler sent no response");
		web_error(r, 500, "Internal error",
		    "The server could not complete this request.");
	}
	cgi_destroy(&r->cgi);
	if (r->conn != NULL)
		buf_free_secret(&r->conn->body);
	free(r->script_path);
	free(r->customer_uri);
	free(r->program);
	free(r->rest);
	if (r->conn != NULL && r->conn->accepted) {
		if (web_fcgi)
			web_finish();
		else
			(void)fflush(stdout);
	}
	if (r->conn != NULL)
		OPENSSL_cleanse(r->conn, sizeof(*r->conn));
	free(r->conn);
	/* They pointed into the request's variables, freed with it. */
	memset(web_vars, 0, sizeof(web_vars));
	log_set_request(NULL);
	memset(r, 0, sizeof(*r));
}

/* Returns 1 when name is a plain page template name (no path tricks). */
static int
web_template_ok(const char *name)
{
	const char	*p;

	if (name == NULL || *name == '\0' || strstr(name, "..") != NULL)
		return 0;
	for (p = name; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' &&
		    *p != '/')
			return 0;
	return name[0] != '/';
}

int
web_page(struct req *r, int status, const char *template_name)
{
	struct buf	 out = { 0 }, hdr = { 0 };
	char		 page[256];
	int		 rc = 0;

	if (r == NULL || r->conn == NULL || r->hdf == NULL)
		return web_text(r, status, web_reason(status));
	if (!web_template_ok(template_name) ||
	    (size_t)snprintf(page, sizeof(page), "%s.cs", template_name) >=
	    sizeof(page)) {
		log_err("page template name refused");
		goto fail;
	}
	if (r->conn->csrf[0] == '\0') {
		/* No drawn bytes (the draw failed): no page, never a fixed token. */
		if (!r->conn->seeded)
			goto fail;
		secret_hex(r->conn->csrf_seed, sizeof(r->conn->csrf_seed),
		    r->conn->csrf);
		OPENSSL_cleanse(r->conn->csrf_seed, sizeof(r->conn->csrf_seed));
		r->conn->seeded = 0;
		r->conn->csrf_new = 1;
	}
	if (hdf_set_value(r->hdf, "CSRF.Token", r->conn->csrf) != STATUS_OK ||
	    hdf_set_value(r->hdf, "Page.Template", page) != STATUS_OK) {
		log_err("page: out of memory");
		goto fail;
	}
	if (!tmpl_render(r->hdf, config_get(web_cfg, "Templates.Dir",
	    WEB_TEMPLATES), "layout", &out))
		goto fail;
	if (r->conn->csrf_new && !buf_printf(&hdr,
	    "Set-Cookie: " WEB_CSRF_COOKIE "=%s; Path=/customer/; HttpOnly; "
	    "SameSite=Strict%s\r\n", r->conn->csrf,
	    r->conn->https ? "; Secure" : "")) {
		log_err("page: out of memory");
		goto fail;
	}
	rc = web_send(r, status, "text/html; charset=utf-8",
	    hdr.data != NULL ? (char *)hdr.data : NULL, out.data, out.len);
	goto out;
fail:
	/* No HTML without a template: a short plain answer instead. */
	rc = web_internal(r);
out:
	buf_free(&out);
	buf_free(&hdr);
	return rc;
}

int
web_blob(struct req *r, int status, const char *content_type,
    const char *download_name, const void *data, size_t len)
{
	struct buf	 hdr = { 0 };
	char		 name[WEB_FILENAME_MAX + 1];
	size_t		 i;
	int		 rc;

	if (content_type == NULL || !web_header_safe(content_type)) {
		log_err("blob: content type refused");
		return web_internal(r);
	}
	if (download_name != NULL) {
		/*
		 * Only characters that need no quoting in any browser's
		 * filename parser; the rest become '_'.
		 */
		for (i = 0; i < sizeof(name) - 1 && download_name[i] != '\0';
		    i++) {
			name[i] = '_';
			/* '@' too: a PKCS#12 file is named by its address. */
			if ((web_segchar(download_name[i]) ||
			    download_name[i] == '@') &&
			    !(i == 0 && download_name[i] == '.'))
				name[i] = download_name[i];
		}
		name[i] = '\0';
		if (i == 0 || !buf_printf(&hdr,
		    "Content-Disposition: attachment; filename=\"%s\"\r\n",
		    name)) {
			log_err("blob: download name refused");
			buf_free(&hdr);
			return web_internal(r);
		}
	}
	rc = web_send(r, status, content_type,
	    hdr.data != NULL ? (char *)hdr.data : NULL, data, len);
	buf_free(&hdr);
	return rc;
}

int
web_text(struct req *r, int status, const char *text)
{
	return web_send(r, status, "text/plain", NULL, text,
	    text != NULL ? strlen(text) : 0);
}

int
web_error(struct req *r, int status, const char *title, const char *message)
{
	if (title == NULL)
		title = web_reason(status);
	if (message == NULL)
		message = "";
	if (r == NULL || r->hdf == NULL)
		return web_text(r, status, title);
	/* A form's own message would contradict the error page. */
	hdf_remove_tree(r->hdf, "Page.Error");
	hdf_remove_tree(r->hdf, "Page.Notice");
	if (hdf_set_value(r->hdf, "Page.Title", title) != STATUS_OK ||
	    hdf_set_value(r->hdf, "Error.Title", title) != STATUS_OK ||
	    hdf_set_value(r->hdf, "Error.Message", message) != STATUS_OK) {
		log_err("error page: out of memory");
		return web_text(r, status, title);
	}
	return web_page(r, status, "error");
}

int
web_redirect(struct req *r, const char *location)
{
	return web_redirect_cookie(r, location, NULL, NULL, NULL, 0);
}

/* Returns 1 when s is a cookie name or value of [0-9A-Za-z_-] only. */
static int
web_cookie_token(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!web_cookie_char(*s))
			return 0;
	return 1;
}

int
web_redirect_cookie(struct req *r, const char *location, const char *name,
    const char *value, const char *path, int max_age)
{
	struct buf	 hdr = { 0 };
	int		 rc;

	if (location == NULL || *location == '\0' ||
	    !web_header_safe(location)) {
		log_err("redirect target refused");
		return web_internal(r);
	}
	if (name != NULL && (!web_cookie_token(name) ||
	    !web_cookie_token(value) || path == NULL || *path != '/' ||
	    !web_header_safe(path) || strchr(path, ';') != NULL)) {
		log_err("redirect: cookie refused");
		return web_internal(r);
	}
	/* As the CSRF cookie: script never reads it, no other site sends it. */
	if (!buf_printf(&hdr, "Location: %s\r\n", location) ||
	    (name != NULL && !buf_printf(&hdr, "Set-Cookie: %s=%s; Path=%s; "
	    "Max-Age=%d; HttpOnly; SameSite=Strict%s\r\n", name, value, path,
	    max_age, r->conn != NULL && r->conn->https ? "; Secure" : ""))) {
		log_err("redirect: out of memory");
		buf_free_secret(&hdr);
		return web_internal(r);
	}
	rc = web_send(r, 303, "text/plain", (char *)hdr.data, NULL, 0);
	buf_free_secret(&hdr);
	return rc;
}

const char *
web_cookie(struct req *r, const char *name)
{
	struct buf	 key = { 0 };
	const char	*v = NULL;

	if (r == NULL || r->hdf == NULL || !web_cookie_token(name))
		return NULL;
	if (buf_printf(&key, "Cookie.%s", name))
		v = hdf_get_value(r->hdf, (char *)key.data, NULL);
	buf_free(&key);
	return v;
}

int
web_unavailable(struct req *r, const char *title)
{
	if (r != NULL && r->hdf != NULL &&
	    hdf_set_value(r->hdf, "Page.Title", title) != STATUS_OK) {
		log_err("unavailable page: out of memory");
		return web_text(r, 503, "Not yet available.\n");
	}
	return web_page(r, 503, "unavailable");
}
