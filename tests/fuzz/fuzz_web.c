/*
 * fuzz_web: sequences of requests through one process's web_accept and
 * web_free, as a FastCGI worker serves them, so that state one request
 * leaves behind meets the next.  Plain-CGI mode: each request's
 * environment and stdin are put in place and web_cgi_rearm lets
 * web_accept take one more.
 *
 * Input: records separated by a line "%%".  A record is five header
 * lines, then the body (the rest of the record, CONTENT_LENGTH is its
 * length):
 *
 *	METHOD
 *	Content-Type ("-" for none)
 *	query string
 *	Cookie header ("-" for none)
 *	form field the handler reads as an upload
 *	body...
 *
 * Every request must get exactly one response with a status line, and
 * never a 5xx: the handler itself always answers.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "web.h"

#define FUZZ_MAX_BODY	(64 * 1024)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	 fuzz_dir[64];
static char	 fuzz_in[128];	/* the current request's stdin */
static char	 fuzz_out[128];	/* where its response goes */

/* Sets up the configuration, stdin and stdout once; returns 1 ok. */
static int
fuzz_setup(void)
{
	char	 conf[128], cwd[512];
	FILE	*fp;

	log_quiet(1);
	snprintf(fuzz_dir, sizeof(fuzz_dir), "/tmp/fuzz_web.XXXXXX");
	if (mkdtemp(fuzz_dir) == NULL || getcwd(cwd, sizeof(cwd)) == NULL)
		return 0;
	snprintf(conf, sizeof(conf), "%s/certdesk.hdf", fuzz_dir);
	snprintf(fuzz_in, sizeof(fuzz_in), "%s/stdin", fuzz_dir);
	snprintf(fuzz_out, sizeof(fuzz_out), "%s/stdout", fuzz_dir);
	if ((fp = fopen(conf, "w")) == NULL)
		return 0;
	/* The shipped templates: make fuzz runs from the source tree. */
	fprintf(fp, "Templates.Dir = %s/templates\nLog.Quiet = 1\n"
	    "BaseURL = https://certs.example.org\n", cwd);
	if (fclose(fp) != 0 || (fp = fopen(fuzz_in, "w")) == NULL ||
	    fclose(fp) != 0)
		return 0;
	setenv("CERTDESK_CONF", conf, 1);
	setenv("GATEWAY_INTERFACE", "CGI/1.1", 1);
	setenv("SCRIPT_NAME", "/customer/demo/ssl", 1);
	setenv("REMOTE_ADDR", "192.0.2.1", 1);
	/* Descriptor 0 must be a file, not a socket, for plain CGI. */
	if (freopen(fuzz_in, "r", stdin) == NULL ||
	    freopen(fuzz_out, "w+", stdout) == NULL)
		return 0;
	return web_init("fuzz_web");
}

/* Sets or, for NULL or "-", removes one CGI variable from n bytes. */
static void
fuzz_env(const char *name, const uint8_t *v, size_t n)
{
	char	*s;

	if (n == 0 || (n == 1 && v[0] == '-')) {
		unsetenv(name);
		return;
	}
	if ((s = strndup((const char *)v, n)) == NULL)
		return;
	setenv(name, s, 1);
	free(s);
}

/* Returns the next header line of a record and advances *p past it. */
static size_t
fuzz_line(const uint8_t **p, const uint8_t *end, const uint8_t **line)
{
	const uint8_t	*nl;
	size_t		 n;

	*line = *p;
	if ((nl = memchr(*p, '\n', (size_t)(end - *p))) == NULL) {
		n = (size_t)(end - *p);
		*p = end;
		return n;
	}
	n = (size_t)(nl - *p);
	*p = nl + 1;
	return n;
}

/* The handler: reads fields and the upload, then answers. */
static void
fuzz_handle(struct req *r, const char *upload)
{
	struct buf	 b = { 0 };
	const char	*v;
	size_t		 sum = 0;
	int		 u;

	u = web_upload(r, upload, 32 * 1024, &b);
	if (u == 1 && (b.data == NULL || b.len == 0))
		__builtin_trap();
	if (u != 1 && b.data != NULL)
		__builtin_trap();
	buf_free(&b);
	if ((u = web_upload(r, "csrFile", 32 * 1024, &b)) == 1)
		sum += b.len;
	buf_free(&b);
	if ((v = web_param(r, "csrf")) != NULL)
		sum += strlen(v);
	if ((v = web_param(r, "email")) != NULL)
		sum += strlen(v);
	if ((v = web_cookie(r, "cd_csrf")) != NULL)
		sum += strlen(v);
	if ((v = web_cookie(r, "cd_p12_A1")) != NULL)
		sum += strlen(v);
	(void)sum;
	web_text(r, 200, r->csrf_ok ? "csrf ok\n" : "done\n");
}

/* Checks the one response the last request wrote, then empties stdout. */
static void
fuzz_response(void)
{
	char	 head[32];
	size_t	 n;
	long	 len;

	fflush(stdout);
	if ((len = ftell(stdout)) <= 0)
		__builtin_trap();	/* no response at all */
	rewind(stdout);
	n = fread(head, 1, sizeof(head) - 1, stdout);
	head[n] = '\0';
	if (strncmp(head, "Status: ", 8) != 0 || head[8] < '2' ||
	    head[8] > '4')
		__builtin_trap();
	if (ftruncate(fileno(stdout), 0) != 0)
		__builtin_trap();
	rewind(stdout);
}

#define FUZZ_ENV_MAX	256	/* environment entries a request may see */

/*
 * Points environ at a copy of it followed by the "&"-separated pieces of
 * s (n bytes) as raw entries, so that the variable list web.c parses has
 * names the fuzzer chose: twice the same, prefixes of its names, no "=".
 * *saved keeps the real environ, *made what to free.
 */
static void
fuzz_raw_env(const uint8_t *s, size_t n, char **list, char ***saved,
    char **made, size_t *nmade)
{
	const uint8_t	*amp;
	size_t		 i = 0, k;

	*saved = environ;
	*nmade = 0;
	for (; environ[i] != NULL && i < FUZZ_ENV_MAX / 2; i++)
		list[i] = environ[i];
	while (n > 0 && i < FUZZ_ENV_MAX - 1) {
		amp = memchr(s, '&', n);
		k = amp != NULL ? (size_t)(amp - s) : n;
		if ((made[*nmade] = strndup((const char *)s, k)) == NULL)
			break;
		list[i++] = made[(*nmade)++];
		s += k;
		n -= k;
		if (n > 0) {
			s++;
			n--;
		}
	}
	list[i] = NULL;
	environ = list;
}

/* Runs one request from a record of n bytes. */
static void
fuzz_request(const uint8_t *rec, size_t n)
{
	const uint8_t	*p = rec, *end = rec + n, *l, *raw;
	char		 clen[32], upload[64];
	char		*list[FUZZ_ENV_MAX], *made[FUZZ_ENV_MAX], **saved;
	size_t		 k, rawlen, nmade, i;
	struct req	 r;
	FILE		*fp;

	k = fuzz_line(&p, end, &l);
	fuzz_env("REQUEST_METHOD", l, k);
	k = fuzz_line(&p, end, &l);
	fuzz_env("CONTENT_TYPE", l, k);
	k = fuzz_line(&p, end, &l);
	fuzz_env("QUERY_STRING", l, k);
	raw = l;
	rawlen = k;
	k = fuzz_line(&p, end, &l);
	fuzz_env("HTTP_COOKIE", l, k);
	k = fuzz_line(&p, end, &l);
	snprintf(upload, sizeof(upload), "%.*s", (int)(k < 63 ? k : 63),
	    (const char *)l);
	snprintf(clen, sizeof(clen), "%zu", (size_t)(end - p));
	setenv("CONTENT_LENGTH", clen, 1);

	if ((fp = fopen(fuzz_in, "w")) == NULL)
		return;
	if (end > p)
		fwrite(p, 1, (size_t)(end - p), fp);
	fclose(fp);
	if (freopen(fuzz_in, "r", stdin) == NULL)
		__builtin_trap();

	/* The query string's pieces also arrive as variables of their own. */
	fuzz_raw_env(raw, rawlen, list, &saved, made, &nmade);
	web_cgi_rearm();
	if (web_accept(&r, FUZZ_MAX_BODY)) {
		fuzz_handle(&r, upload);
		web_free(&r);
	}
	environ = saved;
	for (i = 0; i < nmade; i++)
		free(made[i]);
	fuzz_response();
}

/* Splits the input into records and serves each in turn. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int	 ready;
	const uint8_t	*p = data, *end = data + size, *sep;
	int		 count = 0;

	if (!ready) {
		if (!fuzz_setup())
			abort();
		ready = 1;
	}
	while (p < end && count++ < 16) {
		sep = memmem(p, (size_t)(end - p), "\n%%\n", 4);
		if (sep == NULL) {
			fuzz_request(p, (size_t)(end - p));
			break;
		}
		fuzz_request(p, (size_t)(sep - p));
		p = sep + 4;
	}
	return 0;
}
