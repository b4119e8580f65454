/*
 * test_web: path parsing, CSRF comparison, escaping templates, mail files,
 * and whole requests served as plain CGI by a forked copy of this binary.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

#include "buf.h"
#include "config.h"
#include "log.h"
#include "mail.h"
#include "tmpl.h"
#include "web.h"

static char	 tdir[64];		/* scratch directory for this run */
static char	 tpl[PATH_MAX];		/* templates: the real ones + hello.cs */
static char	 spool[PATH_MAX];	/* Mail.Dir */
static char	 conf[PATH_MAX];	/* CERTDESK_CONF for CGI children */
static char	 conf_https[PATH_MAX + 32];	/* the same with an https BaseURL */

/* Writes text to path; returns 1 ok. */
static int
put_file(const char *path, const char *text)
{
	FILE	*fp;
	int	 ok;

	if ((fp = fopen(path, "w")) == NULL)
		return 0;
	ok = fputs(text, fp) >= 0;
	return fclose(fp) == 0 && ok;
}

/* Reads a whole file into b; returns 1 ok. */
static int
get_file(const char *path, struct buf *b)
{
	FILE	*fp;
	char	 chunk[4096];
	size_t	 n;

	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_append(b, chunk, n);
	fclose(fp);
	return 1;
}

/* Removes every file in dir (one level). */
static void
empty_dir(const char *dir)
{
	DIR		*d;
	struct dirent	*e;
	char		 p[PATH_MAX * 2];

	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
}

/* Returns the number of *.eml files in dir and the name of the last one. */
static int
count_eml(const char *dir, char *last, size_t lastsz)
{
	DIR		*d;
	struct dirent	*e;
	size_t		 n;
	int		 count = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		n = strlen(e->d_name);
		if (n > 4 && strcmp(e->d_name + n - 4, ".eml") == 0) {
			count++;
			snprintf(last, lastsz, "%s/%s", dir, e->d_name);
		}
	}
	closedir(d);
	return count;
}

static int
suite_init(void)
{
	char		 cwd[PATH_MAX], p[PATH_MAX * 2], src[PATH_MAX * 2];
	const char	*names[] = { "layout", "error", "unavailable" };
	size_t		 i;
	struct buf	 c = { 0 };
	int		 ok;

	signal(SIGPIPE, SIG_IGN);
	log_quiet(1);
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return 1;
	snprintf(tdir, sizeof(tdir), "/tmp/test_web.XXXXXX");
	if (mkdtemp(tdir) == NULL)
		return 1;
	snprintf(tpl, sizeof(tpl), "%s/templates", tdir);
	snprintf(spool, sizeof(spool), "%s/spool", tdir);
	snprintf(conf, sizeof(conf), "%s/certdesk.hdf", tdir);
	if (mkdir(tpl, 0700) != 0 || mkdir(spool, 0700) != 0)
		return 1;
	snprintf(p, sizeof(p), "%s/mail", tpl);
	if (mkdir(p, 0700) != 0)
		return 1;
	/* The shipped layout and error pages, so the tests check them. */
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(src, sizeof(src), "%s/templates/%s.cs", cwd, names[i]);
		snprintf(p, sizeof(p), "%s/%s.cs", tpl, names[i]);
		if (access(src, R_OK) != 0 || symlink(src, p) != 0) {
			fprintf(stderr, "run from the source tree: %s\n", src);
			return 1;
		}
	}
	snprintf(p, sizeof(p), "%s/hello.cs", tpl);
	if (!put_file(p,
	    "<p id=\"name\"><?cs var:Hello.Name ?></p>\n"
	    "<p id=\"where\"><?cs var:Hello.Where ?></p>\n"
	    "<p id=\"csrf\">csrf_ok=<?cs var:Hello.CsrfOk ?></p>\n"
	    "<form method=\"post\" action=\"hello\"><?cs call:csrf_field() ?>"
	    "<button type=\"submit\">Go</button></form>\n"))
		return 1;
	snprintf(p, sizeof(p), "%s/mail/test.cs", tpl);
	if (!put_file(p, "Hello <?cs var:Mail.Name ?>,\n"
	    "your certificate <?cs var:Mail.Id ?> is ready.\n"))
		return 1;
	ok = buf_printf(&c, "Templates.Dir = %s\nMail.Dir = %s\n"
	    "Mail.From = certdesk@example.org\nLog.Quiet = 1\n", tpl, spool);
	ok = ok && put_file(conf, (char *)c.data);
	buf_free(&c);
	snprintf(conf_https, sizeof(conf_https), "CERTDESK_CONF=%s/https.hdf",
	    tdir);
	ok = ok && buf_printf(&c, "Templates.Dir = %s\nLog.Quiet = 1\n"
	    "BaseURL = https://certs.example.org\n", tpl);
	ok = ok && put_file(conf_https + 14, (char *)c.data);
	buf_free(&c);
	return ok ? 0 : 1;
}

static int
suite_clean(void)
{
	char	 cmd[PATH_MAX + 16];

	if (tdir[0] != '\0' && strncmp(tdir, "/tmp/test_web.", 14) == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tdir);
		if (system(cmd) != 0)
			return 1;
	}
	return 0;
}

/* ---- path parsing and CSRF ---- */

static void
test_parse_path_good(void)
{
	char	*c = NULL, *p = NULL, *r = NULL;

	CU_ASSERT_FATAL(web_parse_path("/customer/demo/ssl", &c, &p, &r));
	CU_ASSERT_STRING_EQUAL(c, "demo");
	CU_ASSERT_STRING_EQUAL(p, "ssl");
	CU_ASSERT_STRING_EQUAL(r, "");
	free(c);
	free(p);
	free(r);

	CU_ASSERT_FATAL(web_parse_path("/customer/acme-1/scep/ios/pkiclient.exe",
	    &c, &p, &r));
	CU_ASSERT_STRING_EQUAL(c, "acme-1");
	CU_ASSERT_STRING_EQUAL(p, "scep");
	CU_ASSERT_STRING_EQUAL(r, "ios/pkiclient.exe");
	free(c);
	free(p);
	free(r);

	CU_ASSERT_FATAL(web_parse_path("/customer/demo/smime/", &c, &p, &r));
	CU_ASSERT_STRING_EQUAL(p, "smime");
	CU_ASSERT_STRING_EQUAL(r, "");
	free(c);
	free(p);
	free(r);
}

static void
test_parse_path_bad(void)
{
	const char	*bad[] = {
		"", "/", "/customer", "/customer/", "/customer/demo",
		"/customer/demo/", "/customer//ssl", "/other/demo/ssl",
		"/customer/demo/../etc/passwd", "/customer/../demo/ssl",
		"/customer/demo/ssl/..", "/customer/de\tmo/ssl",
		"/customer/demo/ssl/\x01", "/customer/demo/ssl/caf\xc3\xa9",
		"/customer/de mo/ssl", "/customer/demo/s%sl",
		"customer/demo/ssl",
	};
	size_t		 i;
	char		*c, *p, *r;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = p = r = NULL;
		CU_ASSERT_EQUAL(web_parse_path(bad[i], &c, &p, &r), 0);
		CU_ASSERT_PTR_NULL(c);
	}
	CU_ASSERT_EQUAL(web_parse_path(NULL, &c, &p, &r), 0);
}

static void
test_csrf_equal(void)
{
	const char	*tok = "0123456789abcdef0123456789abcdef";

	CU_ASSERT_EQUAL(web_csrf_equal(tok, tok), 1);
	CU_ASSERT_EQUAL(web_csrf_equal("0123456789abcdef0123456789abcdee",
	    tok), 0);
	CU_ASSERT_EQUAL(web_csrf_equal("0123456789abcdef", tok), 0);
	CU_ASSERT_EQUAL(web_csrf_equal(tok, "0123456789abcdef"), 0);
	CU_ASSERT_EQUAL(web_csrf_equal("", ""), 0);
	CU_ASSERT_EQUAL(web_csrf_equal(NULL, tok), 0);
	CU_ASSERT_EQUAL(web_csrf_equal(tok, NULL), 0);
}

/* Cookie header parsing: what web_cookie finds, pair by pair. */
static void
test_parse_cookies(void)
{
	HDF		*h = NULL;
	char		 name[65], hdr[160];

	CU_ASSERT_FATAL(hdf_init(&h) == STATUS_OK);
	CU_ASSERT_EQUAL(web_parse_cookies(h, NULL), 1);
	CU_ASSERT_PTR_NULL(hdf_get_obj(h, "Cookie"));
	CU_ASSERT_EQUAL(web_parse_cookies(h,
	    "cd_csrf=abc;cd_p12_A1=d=e ;  sp = x y ; q=\"v\""), 1);
	CU_ASSERT_STRING_EQUAL(hdf_get_value(h, "Cookie.cd_csrf", ""), "abc");
	CU_ASSERT_STRING_EQUAL(hdf_get_value(h, "Cookie.cd_p12_A1", ""), "d=e");
	CU_ASSERT_STRING_EQUAL(hdf_get_value(h, "Cookie.sp", ""), "x y");
	CU_ASSERT_STRING_EQUAL(hdf_get_value(h, "Cookie.q", ""), "\"v\"");
	/* A later pair of one name wins; empty names and values are skipped. */
	CU_ASSERT_EQUAL(web_parse_cookies(h, "t=1; t=2; e=; =v; bare; ;;"), 1);
	CU_ASSERT_STRING_EQUAL(hdf_get_value(h, "Cookie.t", ""), "2");
	CU_ASSERT_PTR_NULL(hdf_get_value(h, "Cookie.e", NULL));
	CU_ASSERT_PTR_NULL(hdf_get_value(h, "Cookie.bare", NULL));
	/* A dot would make a path in the dataset; other non-token names too. */
	CU_ASSERT_EQUAL(web_parse_cookies(h, "a.b=1; c d=2; x<y=3; ok=4"), 1);
	CU_ASSERT_PTR_NULL(hdf_get_obj(h, "Cookie.a"));
	CU_ASSERT_PTR_NULL(hdf_get_value(h, "Cookie.c d", NULL));
	CU_ASSERT_STRING_EQUAL(hdf_get_value(h, "Cookie.ok", ""), "4");
	/* Names up to 64 characters. */
	memset(name, 'n', 64);
	name[64] = '\0';
	snprintf(hdr, sizeof(hdr), "%s=long; %sX=longer", name, name);
	CU_ASSERT_EQUAL(web_parse_cookies(h, hdr), 1);
	snprintf(hdr, sizeof(hdr), "Cookie.%s", name);
	CU_ASSERT_STRING_EQUAL(hdf_get_value(h, hdr, ""), "long");
	snprintf(hdr, sizeof(hdr), "Cookie.%sX", name);
	CU_ASSERT_PTR_NULL(hdf_get_value(h, hdr, NULL));
	hdf_destroy(&h);
}

/* ---- templates ---- */

static void
test_tmpl_escapes(void)
{
	HDF		*h = NULL;
	struct buf	 out = { 0 };

	CU_ASSERT_FATAL(hdf_init(&h) == STATUS_OK);
	hdf_set_value(h, "X", "<script>alert('x')</script>&\"");
	/* Even a template that asks for no escaping gets it back. */
	hdf_set_value(h, "Config.VarEscapeMode", "none");
	CU_ASSERT_FATAL(tmpl_render_string(h, "[<?cs var:X ?>]", &out));
	CU_ASSERT_STRING_EQUAL((char *)out.data,
	    "[&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;]");
	buf_free(&out);

	/* A page included through Page.Template is escaped too. */
	hdf_set_value(h, "Hello.Name", "<b>bold</b>");
	hdf_set_value(h, "Page.Template", "hello.cs");
	hdf_set_value(h, "Static.URL", "/static");
	CU_ASSERT_FATAL(tmpl_render(h, tpl, "layout", &out));
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)out.data,
	    "<p id=\"name\">&lt;b&gt;bold&lt;/b&gt;</p>"));
	CU_ASSERT_PTR_NULL(strstr((char *)out.data, "<b>bold"));
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)out.data, "<!DOCTYPE html>"));
	buf_free(&out);

	/* Names that walk out of the template directory are refused. */
	CU_ASSERT_EQUAL(tmpl_render(h, tpl, "../certdesk", &out), 0);
	CU_ASSERT_EQUAL(tmpl_render(h, tpl, "/etc/passwd", &out), 0);
	CU_ASSERT_EQUAL(tmpl_render(h, tpl, "missing", &out), 0);
	buf_free(&out);

	/* Plain-text rendering leaves values alone and restores html mode. */
	hdf_set_value(h, "Mail.Name", "Ann <ann@example.org>");
	CU_ASSERT_FATAL(tmpl_render_text(h, tpl, "mail/test", &out));
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)out.data,
	    "Hello Ann <ann@example.org>,"));
	CU_ASSERT_STRING_EQUAL(hdf_get_value(h, "Config.VarEscapeMode", ""),
	    "html");
	buf_free(&out);
	hdf_destroy(&h);
}

/* ---- mail ---- */

static void
test_mail_dir_strips_injection(void)
{
	struct config	*cfg;
	HDF		*h = NULL;
	struct buf	 m = { 0 };
	char		 last[PATH_MAX * 2], *hdr, *line, *save = NULL;
	int		 to = 0, bcc = 0, subj = 0;

	empty_dir(spool);
	CU_ASSERT_FATAL((cfg = config_load(conf)) != NULL);
	CU_ASSERT_FATAL(hdf_init(&h) == STATUS_OK);
	hdf_set_value(h, "Mail.Name", "<Ann & Bob>");
	hdf_set_value(h, "Mail.Id", "ABC123");
	CU_ASSERT_EQUAL(mail_send(cfg, h, "mail/test",
	    "ann@example.org\r\nBcc: victim@example.net",
	    "Ready\nBcc: other@example.net"), 1);
	CU_ASSERT_EQUAL_FATAL(count_eml(spool, last, sizeof(last)), 1);
	CU_ASSERT_FATAL(get_file(last, &m));

	/* The name is "<digits>-<random>.eml" and no temporary is left. */
	CU_ASSERT(strrchr(last, '/')[1] >= '1' && strrchr(last, '/')[1] <= '9');
	CU_ASSERT_PTR_NOT_NULL(strchr(strrchr(last, '/'), '-'));

	CU_ASSERT_PTR_NOT_NULL(strstr((char *)m.data, "\n\nHello <Ann & Bob>,\n"
	    "your certificate ABC123 is ready.\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)m.data,
	    "From: certdesk@example.org\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)m.data, "\nDate: "));
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)m.data,
	    "\nMessage-ID: <"));
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)m.data,
	    "\nContent-Type: text/plain; charset=UTF-8\n"));
	hdr = strndup((char *)m.data, (size_t)(strstr((char *)m.data,
	    "\n\n") - (char *)m.data));
	for (line = strtok_r(hdr, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "To:", 3) == 0) {
			to++;
			CU_ASSERT_STRING_EQUAL(line,
			    "To: ann@example.orgBcc: victim@example.net");
		}
		if (strncasecmp(line, "Bcc:", 4) == 0)
			bcc++;
		if (strncmp(line, "Subject:", 8) == 0) {
			subj++;
			CU_ASSERT_STRING_EQUAL(line,
			    "Subject: ReadyBcc: other@example.net");
		}
		CU_ASSERT_PTR_NULL(strchr(line, '\r'));
	}
	CU_ASSERT_EQUAL(to, 1);
	CU_ASSERT_EQUAL(subj, 1);
	CU_ASSERT_EQUAL(bcc, 0);
	free(hdr);
	buf_free(&m);

	/* No recipient, no mail, and the failure is reported. */
	CU_ASSERT_EQUAL(mail_send(cfg, h, "mail/test", "\r\n", "x"), 0);
	CU_ASSERT_EQUAL(mail_send(cfg, h, "mail/missing", "a@example.org",
	    "x"), 0);
	CU_ASSERT_EQUAL(count_eml(spool, last, sizeof(last)), 1);
	hdf_destroy(&h);
	config_free(cfg);
}

static void
test_mail_command(void)
{
	struct config	*cfg;
	HDF		*h = NULL;
	struct buf	 m = { 0 }, c = { 0 };
	char		 conf2[PATH_MAX * 2], out[PATH_MAX * 2];

	snprintf(conf2, sizeof(conf2), "%s/cmd.hdf", tdir);
	snprintf(out, sizeof(out), "%s/piped.txt", tdir);
	buf_printf(&c, "Templates.Dir = %s\nMail.Command = cat > '%s'\n"
	    "Mail.From = desk@example.org\n", tpl, out);
	CU_ASSERT_FATAL(put_file(conf2, (char *)c.data));
	buf_free(&c);
	CU_ASSERT_FATAL((cfg = config_load(conf2)) != NULL);
	CU_ASSERT_FATAL(hdf_init(&h) == STATUS_OK);
	hdf_set_value(h, "Mail.Name", "Ann");
	hdf_set_value(h, "Mail.Id", "X1");
	CU_ASSERT_EQUAL(mail_send(cfg, h, "mail/test", "ann@example.org",
	    "Zertifikat f\xc3\xbcr Ann"), 1);
	CU_ASSERT_FATAL(get_file(out, &m));
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)m.data, "To: ann@example.org\n"));
	/* A non-ASCII subject travels as an RFC 2047 encoded word. */
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)m.data,
	    "Subject: =?UTF-8?B?WmVydGlmaWthdCBmw7xyIEFubg==?=\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)m.data,
	    "@example.org>\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)m.data, "Hello Ann,\n"));
	buf_free(&m);
	config_free(cfg);

	/* A command that fails is a failure, not a silent loss. */
	buf_printf(&c, "Templates.Dir = %s\nMail.Command = exit 75\n", tpl);
	CU_ASSERT_FATAL(put_file(conf2, (char *)c.data));
	buf_free(&c);
	CU_ASSERT_FATAL((cfg = config_load(conf2)) != NULL);
	CU_ASSERT_EQUAL(mail_send(cfg, h, "mail/test", "ann@example.org",
	    "x"), 0);
	config_free(cfg);
	hdf_destroy(&h);
}

/* ---- whole requests as plain CGI ---- */

/* The handler a CGI child runs for one request, chosen by mode. */
static void
child_handle(struct req *r, const char *mode)
{
	struct buf	 b = { 0 }, w = { 0 };
	int		 u;

	if (strcmp(mode, "page") == 0 || strcmp(mode, "big") == 0) {
		hdf_set_value(r->hdf, "Page.Title", "Hello");
		hdf_set_value(r->hdf, "Customer.Name", "Demo <Org>");
		hdf_set_value(r->hdf, "Hello.Name", web_param(r, "name"));
		buf_printf(&w, "%s|%s|%s|%s", r->method, r->customer_uri,
		    r->program, r->rest);
		hdf_set_value(r->hdf, "Hello.Where", (char *)w.data);
		hdf_set_int_value(r->hdf, "Hello.CsrfOk", r->csrf_ok);
		web_page(r, 200, "hello");
	} else if (strcmp(mode, "upload") == 0) {
		u = web_upload(r, "csr", 64, &b);
		buf_printf(&w, "upload=%d csrf=%d len=%zu data=%s", u,
		    r->csrf_ok, b.len, b.data != NULL ? (char *)b.data : "");
		web_text(r, 200, (char *)w.data);
	} else if (strcmp(mode, "redirect") == 0)
		web_redirect(r, "/customer/demo/ssl?step=2");
	else if (strcmp(mode, "badredirect") == 0)
		web_redirect(r, "/x\r\nSet-Cookie: a=b");
	else if (strcmp(mode, "unavailable") == 0)
		web_unavailable(r, "Device Certificate Enrollment");
	else if (strcmp(mode, "blob") == 0)
		web_blob(r, 200, "application/pkix-cert", "../cert\".cer",
		    "\x30\x00\x01", 3);
	else if (strcmp(mode, "error") == 0)
		web_error(r, 429, "Too many attempts", "Wait <15> minutes.");
	/* "silent": the handler forgets to answer. */
	buf_free(&b);
	buf_free(&w);
}

/*
 * A program's main loop as the CGI and FastCGI children run it; mode
 * "raw" reads bodies as bytes and echoes them.  Never returns.
 */
static void __attribute__((noreturn))
child_loop(const char *prog, const char *mode)
{
	struct req	 r;
	struct buf	 raw = { 0 };

	if (!web_init(prog))
		_exit(3);
	if (strcmp(mode, "raw") == 0) {
		while (web_accept_raw(&r, 1024, &raw)) {
			web_blob(&r, 200, "application/x-pki-message", NULL,
			    raw.data, raw.len);
			buf_free(&raw);
			web_free(&r);
		}
	} else
		/* "big" is "page" with room for many fields. */
		while (web_accept(&r, strcmp(mode, "big") == 0 ? 64 * 1024 :
		    1024)) {
			child_handle(&r, mode);
			web_free(&r);
		}
	fflush(stdout);
	_exit(0);
}

/*
 * Runs this binary's own web loop as a CGI child with env (NULL-ended
 * "K=V" list) and body on stdin; the raw response lands in out.  Returns
 * the child's exit status.
 */
static int
run_cgi(const char *mode, const char **env, const char *body, size_t blen,
    struct buf *out)
{
	int		 in[2], res[2], st, dn, quiet;
	pid_t		 pid;
	char		 chunk[4096];
	ssize_t		 n;
	size_t		 off = 0;

	if (pipe(in) != 0 || pipe(res) != 0)
		return -1;
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		quiet = getenv("TEST_WEB_LOG") == NULL;
		clearenv();
		setenv("CERTDESK_CONF", conf, 1);
		setenv("GATEWAY_INTERFACE", "CGI/1.1", 1);
		for (; *env != NULL; env++)
			putenv((char *)*env);
		dup2(in[0], STDIN_FILENO);
		dup2(res[1], STDOUT_FILENO);
		if (quiet && (dn = open("/dev/null", O_WRONLY)) >= 0)
			dup2(dn, STDERR_FILENO);
		close(in[0]);
		close(in[1]);
		close(res[0]);
		close(res[1]);
		child_loop("test_web", mode);
	}
	close(in[0]);
	close(res[1]);
	while (off < blen && (n = write(in[1], body + off, blen - off)) > 0)
		off += (size_t)n;
	close(in[1]);
	while ((n = read(res[0], chunk, sizeof(chunk))) > 0)
		buf_append(out, chunk, (size_t)n);
	close(res[0]);
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Returns the body of a CGI response (after the blank line) or NULL. */
static const char *
resp_body(const struct buf *b)
{
	const char	*p;

	if (b->data == NULL || (p = strstr((char *)b->data, "\r\n\r\n")) == NULL)
		return NULL;
	return p + 4;
}

/* Returns 1 when the response's header block holds the exact line. */
static int
resp_has_header(const struct buf *b, const char *line)
{
	const char	*end, *p;
	size_t		 n = strlen(line);

	if ((end = resp_body(b)) == NULL)
		return 0;
	for (p = (char *)b->data; p < end; p = strstr(p, "\r\n") + 2) {
		if (strncmp(p, line, n) == 0 && p[n] == '\r')
			return 1;
		if (strstr(p, "\r\n") == NULL)
			break;
	}
	return 0;
}

/* Asserts the headers every certdesk response must carry. */
static void
assert_security_headers(const struct buf *b)
{
	CU_ASSERT(resp_has_header(b, "Content-Security-Policy: default-src "
	    "'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
	    "frame-ancestors 'none'; base-uri 'none'"));
	CU_ASSERT(resp_has_header(b, "X-Frame-Options: DENY"));
	CU_ASSERT(resp_has_header(b, "X-Content-Type-Options: nosniff"));
	CU_ASSERT(resp_has_header(b, "Referrer-Policy: no-referrer"));
	CU_ASSERT(resp_has_header(b, "Cache-Control: no-store"));
}

/* Extracts the cd_csrf cookie value set by the response into tok[33]. */
static int
resp_cookie(const struct buf *b, char *tok)
{
	const char	*p;

	if ((p = strstr((char *)b->data, "\r\nSet-Cookie: cd_csrf=")) == NULL)
		return 0;
	p += strlen("\r\nSet-Cookie: cd_csrf=");
	if (strspn(p, "0123456789abcdef") != 32)
		return 0;
	memcpy(tok, p, 32);
	tok[32] = '\0';
	return strncmp(p + 32, "; Path=/customer/; HttpOnly; SameSite=Strict\r\n",
	    46) == 0;
}

/* Runs tidy on an HTML body when tidy is installed; returns its errors as a count (0 = clean). */
static int
tidy_errors(const char *html)
{
	char	 path[PATH_MAX * 2], cmd[PATH_MAX * 3];
	int	 st;

	if (access("/usr/bin/tidy", X_OK) != 0)
		return 0;
	snprintf(path, sizeof(path), "%s/page.html", tdir);
	if (!put_file(path, html))
		return 1;
	snprintf(cmd, sizeof(cmd), "tidy -errors -q '%s' >/dev/null 2>&1", path);
	st = system(cmd);
	/* tidy exits 1 for warnings, 2 for errors. */
	return WIFEXITED(st) && WEXITSTATUS(st) < 2 ? 0 : 1;
}

static void
test_cgi_page(void)
{
	const char	*env[] = { "REQUEST_METHOD=GET",
	    "SCRIPT_NAME=/customer/demo/ssl", "PATH_INFO=",
	    "QUERY_STRING=name=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
	    "REMOTE_ADDR=192.0.2.7", NULL };
	struct buf	 b = { 0 };
	const char	*body;
	char		 tok[33], input[128];

	CU_ASSERT_EQUAL_FATAL(run_cgi("page", env, "", 0, &b), 0);
	CU_ASSERT_FATAL(b.data != NULL);
	CU_ASSERT_EQUAL(strncmp((char *)b.data, "Status: 200 OK\r\n", 16), 0);
	CU_ASSERT(resp_has_header(&b, "Content-Type: text/html; charset=utf-8"));
	assert_security_headers(&b);
	CU_ASSERT_FATAL(resp_cookie(&b, tok));
	CU_ASSERT_FATAL((body = resp_body(&b)) != NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(body,
	    "<p id=\"name\">&lt;script&gt;alert(1)&lt;/script&gt;</p>"));
	CU_ASSERT_PTR_NULL(strstr(body, "<script"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "<p id=\"where\">GET|demo|ssl|</p>"));
	/* The form carries the same token the cookie holds. */
	snprintf(input, sizeof(input),
	    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", tok);
	CU_ASSERT_PTR_NOT_NULL(strstr(body, input));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "href=\"/static/certdesk.css\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "Demo &lt;Org&gt;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "<title>Hello"));
	CU_ASSERT_EQUAL(tidy_errors(body), 0);
	buf_free(&b);
}

static void
test_cgi_paths(void)
{
	const char	*lighttpd[] = { "REQUEST_METHOD=GET",
	    "SCRIPT_NAME=/customer", "PATH_INFO=/demo/ssl//a/./b", NULL };
	const char	*uri[] = { "REQUEST_METHOD=GET",
	    "REQUEST_URI=/customer/demo/collect/x%2Fy?id=1", NULL };
	const char	*dotdot[] = { "REQUEST_METHOD=GET",
	    "REQUEST_URI=/customer/demo/%2e%2e/etc/passwd", NULL };
	const char	*nul[] = { "REQUEST_METHOD=GET",
	    "REQUEST_URI=/customer/demo/ssl%00x", NULL };
	const char	*plain[] = { "REQUEST_METHOD=GET",
	    "SCRIPT_NAME=/customer", "PATH_INFO=/demo/../../etc/passwd", NULL };
	const char	*highbit[] = { "REQUEST_METHOD=GET",
	    "SCRIPT_NAME=/customer", "PATH_INFO=/demo/ssl/\xff", NULL };
	const char	**bad[] = { dotdot, nul, plain, highbit };
	struct buf	 b = { 0 };
	size_t		 i;

	CU_ASSERT_EQUAL(run_cgi("page", lighttpd, "", 0, &b), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)b.data,
	    "<p id=\"where\">GET|demo|ssl|a/b</p>"));
	buf_free(&b);

	CU_ASSERT_EQUAL(run_cgi("page", uri, "", 0, &b), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)b.data,
	    "<p id=\"where\">GET|demo|collect|x/y</p>"));
	buf_free(&b);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(run_cgi("page", bad[i], "", 0, &b), 0);
		CU_ASSERT_FATAL(b.data != NULL);
		CU_ASSERT_EQUAL(strncmp((char *)b.data,
		    "Status: 404 Not Found\r\n", 23), 0);
		assert_security_headers(&b);
		CU_ASSERT_PTR_NOT_NULL(strstr((char *)b.data,
		    "There is no page at this address."));
		/* The handler never ran. */
		CU_ASSERT_PTR_NULL(strstr((char *)b.data, "id=\"where\""));
		CU_ASSERT_EQUAL(tidy_errors(resp_body(&b)), 0);
		buf_free(&b);
	}
}

static void
test_cgi_post_csrf(void)
{
	const char	*tok = "00112233445566778899aabbccddeeff";
	const char	*good[] = { "REQUEST_METHOD=POST",
	    "SCRIPT_NAME=/customer/demo/ssl",
	    "CONTENT_TYPE=application/x-www-form-urlencoded",
	    "CONTENT_LENGTH=48",
	    "HTTP_COOKIE=other=1; cd_csrf=00112233445566778899aabbccddeeff",
	    NULL };
	const char	*nocookie[] = { "REQUEST_METHOD=POST",
	    "SCRIPT_NAME=/customer/demo/ssl",
	    "CONTENT_TYPE=application/x-www-form-urlencoded",
	    "CONTENT_LENGTH=48", NULL };
	char		 body[128], tok2[33];
	struct buf	 b = { 0 };

	snprintf(body, sizeof(body), "name=Ann+B&csrf=%s", tok);
	CU_ASSERT_EQUAL_FATAL(strlen(body), 48);
	CU_ASSERT_EQUAL(run_cgi("page", good, body, strlen(body), &b), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)b.data, "csrf_ok=1"));
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)b.data, "<p id=\"name\">Ann B</p>"));
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)b.data, "<p id=\"where\">POST|"));
	/* An existing valid cookie is kept, not replaced. */
	CU_ASSERT_PTR_NULL(strstr((char *)b.data, "Set-Cookie:"));
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)b.data, tok));
	buf_free(&b);

	/* Without the cookie the token proves nothing; a fresh one is set. */
	CU_ASSERT_EQUAL(run_cgi("page", nocookie, body, strlen(body), &b), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)b.data, "csrf_ok=0"));
	CU_ASSERT(resp_cookie(&b, tok2));
	CU_ASSERT(strcmp(tok2, tok) != 0);
	buf_free(&b);

	/* A different token in the form fails. */
	body[strlen(body) - 1] = '0';
	CU_ASSERT_EQUAL(run_cgi("page", good, body, strlen(body), &b), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)b.data, "csrf_ok=0"));
	buf_free(&b);
}

static void
test_cgi_limits_and_methods(void)
{
	const char	*big[] = { "REQUEST_METHOD=POST",
	    "SCRIPT_NAME=/customer/demo/ssl",
	    "CONTENT_TYPE=application/x-www-form-urlencoded",
	    "CONTENT_LENGTH=2000", NULL };
	const char	*put[] = { "REQUEST_METHOD=PUT",
	    "SCRIPT_NAME=/customer/demo/ssl", NULL };
	const char	*head[] = { "REQUEST_METHOD=HEAD",
	    "SCRIPT_NAME=/customer/demo/ssl", NULL };
	const char	*badlen[] = { "REQUEST_METHOD=POST",
	    "SCRIPT_NAME=/customer/demo/ssl", "CONTENT_LENGTH=12x", NULL };
	char		 body[2000];
	struct buf	 b = { 0 };

	memset(body, 'a', sizeof(body));
	CU_ASSERT_EQUAL(run_cgi("page", big, body, sizeof(body), &b), 0);
	CU_ASSERT_EQUAL(strncmp((char *)b.data,
	    "Status: 413 Content Too Large\r\n", 31), 0);
	assert_security_headers(&b);
	CU_ASSERT_PTR_NULL(strstr((char *)b.data, "id=\"where\""));
	buf_free(&b);

	CU_ASSERT_EQUAL(run_cgi("page", put, "", 0, &b), 0);
	CU_ASSERT_EQUAL(strncmp((char *)b.data,
	    "Status: 405 Method Not Allowed\r\n", 32), 0);
	buf_free(&b);

	CU_ASSERT_EQUAL(run_cgi("page", badlen, "", 0, &b), 0);
	CU_ASSERT_EQUAL(strncmp((char *)b.data, "Status: 400 ", 12), 0);
	buf_free(&b);

	/* HEAD: the page's headers, no body. */
	CU_ASSERT_EQUAL(run_cgi("page", head, "", 0, &b), 0);
	CU_ASSERT_EQUAL(strncmp((char *)b.data, "Status: 200 OK\r\n", 16), 0);
	CU_ASSERT_FATAL(resp_body(&b) != NULL);
	CU_ASSERT_STRING_EQUAL(resp_body(&b), "");
	buf_free(&b);
}

/* Builds a multipart body delimited by b with a csrf field and file content in the "csr" field. */
static void
multipart_b(char *body, size_t size, const char *b, const char *content)
{
	snprintf(body, size,
	    "--%s\r\n"
	    "Content-Disposition: form-data; name=\"csrf\"\r\n\r\n"
	    "00112233445566778899aabbccddeeff\r\n"
	    "--%s\r\n"
	    "Content-Disposition: form-data; name=\"csr\"; filename=\"a.csr\"\r\n"
	    "Content-Type: application/octet-stream\r\n\r\n"
	    "%s\r\n"
	    "--%s--\r\n", b, b, content, b);
}

/* Builds a multipart body with boundary XyZ (see multipart_b). */
static void
multipart(char *body, size_t size, const char *content)
{
	multipart_b(body, size, "XyZ", content);
}

static void
test_cgi_upload(void)
{
	char		 body[1024], len[64], cookie[80];
	const char	*env[] = { "REQUEST_METHOD=POST",
	    "SCRIPT_NAME=/customer/demo/ssl",
	    "CONTENT_TYPE=multipart/form-data; boundary=XyZ", len, cookie,
	    NULL };
	struct buf	 b = { 0 };

	snprintf(cookie, sizeof(cookie),
	    "HTTP_COOKIE=cd_csrf=00112233445566778899aabbccddeeff");
	multipart(body, sizeof(body), "-----BEGIN CSR-----");
	snprintf(len, sizeof(len), "CONTENT_LENGTH=%zu", strlen(body));
	CU_ASSERT_EQUAL(run_cgi("upload", env, body, strlen(body), &b), 0);
	CU_ASSERT(resp_has_header(&b, "Content-Type: text/plain"));
	CU_ASSERT_STRING_EQUAL(resp_body(&b),
	    "upload=1 csrf=1 len=19 data=-----BEGIN CSR-----");
	buf_free(&b);

	/* A file larger than the field's own limit (64) is refused. */
	multipart(body, sizeof(body), "0123456789012345678901234567890123456"
	    "789012345678901234567890123456789");
	snprintf(len, sizeof(len), "CONTENT_LENGTH=%zu", strlen(body));
	CU_ASSERT_EQUAL(run_cgi("upload", env, body, strlen(body), &b), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)b.data, "upload=-1 "));
	buf_free(&b);

	/* No file chosen: an empty part counts as none. */
	multipart(body, sizeof(body), "");
	snprintf(len, sizeof(len), "CONTENT_LENGTH=%zu", strlen(body));
	CU_ASSERT_EQUAL(run_cgi("upload", env, body, strlen(body), &b), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)b.data, "upload=0 "));
	buf_free(&b);
}

/* Runs one POST to /customer/demo/ssl with ctype (NULL: none) and body; returns the response status or -1. */
static int
post_status(const char *mode, const char *ctype, const char *extra,
    const char *body, size_t blen, struct buf *out)
{
	char		 ct[256], len[64];
	const char	*env[] = { "REQUEST_METHOD=POST",
	    "SCRIPT_NAME=/customer/demo/ssl",
	    "HTTP_COOKIE=cd_csrf=00112233445566778899aabbccddeeff", len,
	    extra, NULL, NULL };

	snprintf(len, sizeof(len), "CONTENT_LENGTH=%zu", blen);
	if (ctype != NULL) {
		snprintf(ct, sizeof(ct), "CONTENT_TYPE=%s", ctype);
		env[extra != NULL ? 5 : 4] = ct;
	}
	if (run_cgi(mode, env, body, blen, out) != 0 || out->data == NULL ||
	    strncmp((char *)out->data, "Status: ", 8) != 0)
		return -1;
	return atoi((char *)out->data + 8);
}

static void
test_cgi_content_types(void)
{
	const char	*form = "csrf=00112233445566778899aabbccddeeff";
	const char	*bad400[] = {
		"multipart/form-data",
		"multipart/form-data; boundary=",
		"multipart/form-data; boundary=\"\"",
		"multipart/form-data; charset=utf-8",
		"multipart/form-data; boundary=XyZ; boundary=XyZ",
		"multipart/form-data; boundary=Xy!Z",
		"multipart/form-data; boundary=\"XyZ \"",
		"multipart/form-data; boundary=\"Xy\\\"Z\"",
		"multipart/form-data; boundary=XyZ junk",
		"multipart/form-data; boundary=\"XyZ",
		"multipart/form-data;boundary",
		"multipart/form-data; boundary=01234567890123456789012345678901"
		    "234567890123456789012345678901234567890",
		"garbage", "/", "text/",
	};
	const char	*bad415[] = {
		NULL, "", "text/plain", "application/json", "multipart/mixed; boundary=XyZ",
		"multipart/form-datax; boundary=XyZ",
		"application/x-www-form-urlencodedx",
	};
	char		 body[1024], ct[128];
	struct buf	 b = { 0 };
	size_t		 i;

	/* The crash body: a multipart type without boundary, lines in it. */
	for (i = 0; i < sizeof(bad400) / sizeof(bad400[0]); i++) {
		CU_ASSERT_EQUAL(post_status("page", bad400[i], NULL,
		    "a\r\nb\r\n", 6, &b), 400);
		CU_ASSERT(resp_has_header(&b,
		    "Content-Type: text/html; charset=utf-8"));
		CU_ASSERT_PTR_NULL(strstr((char *)b.data, "id=\"where\""));
		buf_free(&b);
	}
	for (i = 0; i < sizeof(bad415) / sizeof(bad415[0]); i++) {
		CU_ASSERT_EQUAL(post_status("page", bad415[i], NULL, form,
		    strlen(form), &b), 415);
		CU_ASSERT_EQUAL(strncmp((char *)b.data,
		    "Status: 415 Unsupported Media Type\r\n", 36), 0);
		CU_ASSERT_PTR_NOT_NULL(strstr((char *)b.data,
		    "This form takes form data only."));
		CU_ASSERT_PTR_NULL(strstr((char *)b.data, "id=\"where\""));
		CU_ASSERT_EQUAL(tidy_errors(resp_body(&b)), 0);
		buf_free(&b);
	}

	/* Media types are case-insensitive, parameters allowed. */
	CU_ASSERT_EQUAL(post_status("page",
	    "Application/X-WWW-Form-URLencoded ; charset=\"UTF-8\"", NULL,
	    form, strlen(form), &b), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)b.data, "csrf_ok=1"));
	buf_free(&b);
	/* A POST without a body needs no type; it proves nothing. */
	CU_ASSERT_EQUAL(post_status("page", NULL, NULL, "", 0, &b), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)b.data, "csrf_ok=0"));
	buf_free(&b);

	/* Quoted boundaries, RFC 2046's odd characters, 70 characters. */
	multipart_b(body, sizeof(body), "a b'()+_,-./:=?", "C1");
	CU_ASSERT_EQUAL(post_status("upload",
	    "MULTIPART/form-data; charset=utf-8; BOUNDARY=\"a b'()+_,-./:=?\"",
	    NULL, body, strlen(body), &b), 200);
	CU_ASSERT_STRING_EQUAL(resp_body(&b), "upload=1 csrf=1 len=2 data=C1");
	buf_free(&b);
	multipart_b(body, sizeof(body), "0123456789012345678901234567890123"
	    "456789012345678901234567890123456789", "C2");
	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=0123456789"
	    "012345678901234567890123456789012345678901234567890123456789");
	CU_ASSERT_EQUAL(post_status("upload", ct, NULL, body, strlen(body),
	    &b), 200);
	CU_ASSERT_STRING_EQUAL(resp_body(&b), "upload=1 csrf=1 len=2 data=C2");
	buf_free(&b);
}

/* A multipart part holding a file of the field "other". */
#define OTHER_PART	"--XyZ\r\nContent-Disposition: form-data; " \
	"name=\"other\"; filename=\"o\"\r\n\r\nOTHER\r\n"
/* A multipart text part naming handle h as the field csr's. */
#define CSR_HANDLE(h)	"--XyZ\r\nContent-Disposition: form-data; " \
	"name=\"csr.FileHandle\"\r\n\r\n" h "\r\n"

/* Posts body as multipart (extra: one more CGI variable or NULL); the handler must find no csr upload. */
static void
upload_refused(const char *extra, const char *body)
{
	struct buf	 b = { 0 };

	CU_ASSERT_EQUAL(post_status("upload",
	    "multipart/form-data; boundary=XyZ", extra, body, strlen(body),
	    &b), 200);
	CU_ASSERT_PTR_NOT_NULL(b.data != NULL ?
	    strstr((char *)b.data, "upload=0 ") : NULL);
	buf_free(&b);
}

static void
test_cgi_upload_handle_spoof(void)
{
	const char	*get[] = { "REQUEST_METHOD=GET",
	    "SCRIPT_NAME=/customer/demo/ssl",
	    "QUERY_STRING=csr.FileHandle=1", NULL };
	const char	*form = "csr.FileHandle=1&csrf=00112233445566778899aabbccddeeff";
	struct buf	 b = { 0 };

	/* A handle named in the form, with no upload in the request. */
	CU_ASSERT_EQUAL(post_status("upload",
	    "application/x-www-form-urlencoded", NULL, form, strlen(form), &b),
	    200);
	CU_ASSERT_FATAL(resp_body(&b) != NULL);
	CU_ASSERT_STRING_EQUAL(resp_body(&b), "upload=0 csrf=1 len=0 data=");
	buf_free(&b);
	CU_ASSERT_EQUAL(run_cgi("upload", get, "", 0, &b), 0);
	CU_ASSERT_FATAL(resp_body(&b) != NULL);
	CU_ASSERT_STRING_EQUAL(resp_body(&b), "upload=0 csrf=0 len=0 data=");
	buf_free(&b);

	/* A handle past the uploads the request carries, or before them. */
	upload_refused(NULL, OTHER_PART CSR_HANDLE("2") "--XyZ--\r\n");
	upload_refused(NULL, CSR_HANDLE("0") "--XyZ--\r\n");
	/*
	 * Another part's file, claimed by a field named csr.FileHandle in
	 * the body or in the address: the file stays the other field's.
	 */
	upload_refused(NULL, OTHER_PART CSR_HANDLE("1") "--XyZ--\r\n");
	upload_refused("QUERY_STRING=csr.FileHandle=1", OTHER_PART "--XyZ--\r\n");
}

/* Appends n urlencoded fields "a=" (after a first one when sep) to b. */
static void
add_pairs(struct buf *b, int n, int sep)
{
	int	 i;

	for (i = 0; i < n; i++)
		buf_puts(b, i == 0 && !sep ? "a=" : "&a=");
}

/* Replaces b with a multipart body of n parts, the first the csrf token. */
static void
multipart_parts(struct buf *b, int n)
{
	int	 i;

	buf_free(b);
	for (i = 0; i < n; i++)
		buf_printf(b, "--XyZ\r\nContent-Disposition: form-data; "
		    "name=\"%s\"\r\n\r\n%s\r\n", i == 0 ? "csrf" : "a",
		    i == 0 ? "00112233445566778899aabbccddeeff" : "x");
	buf_puts(b, "--XyZ--\r\n");
}

static void
test_cgi_field_cap(void)
{
	const char	*tok = "csrf=00112233445566778899aabbccddeeff";
	struct buf	 body = { 0 }, b = { 0 }, q = { 0 };
	const char	*get[] = { "REQUEST_METHOD=GET",
	    "SCRIPT_NAME=/customer/demo/ssl", NULL, NULL };
	int		 i;

	/* 64 fields pass, with csrf among them. */
	buf_puts(&body, tok);
	add_pairs(&body, 63, 1);
	CU_ASSERT_EQUAL(post_status("big", "application/x-www-form-urlencoded",
	    NULL, (char *)body.data, body.len, &b), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)b.data, "csrf_ok=1"));
	buf_free(&b);
	/* The 65th is refused before the kit parses any. */
	add_pairs(&body, 1, 1);
	CU_ASSERT_EQUAL(post_status("big", "application/x-www-form-urlencoded",
	    NULL, (char *)body.data, body.len, &b), 400);
	CU_ASSERT_PTR_NULL(strstr((char *)b.data, "id=\"where\""));
	buf_free(&b);
	/* Empty pairs are no fields, as the kit splits them. */
	buf_free(&body);
	buf_puts(&body, tok);
	for (i = 0; i < 200; i++)
		buf_puts(&body, "&&");
	CU_ASSERT_EQUAL(post_status("big", "application/x-www-form-urlencoded",
	    NULL, (char *)body.data, body.len, &b), 200);
	buf_free(&b);

	/* The query string counts too, alone and with the body. */
	buf_puts(&q, "QUERY_STRING=");
	add_pairs(&q, 65, 0);
	get[2] = (char *)q.data;
	CU_ASSERT_EQUAL(run_cgi("page", get, "", 0, &b), 0);
	CU_ASSERT_EQUAL(strncmp((char *)b.data, "Status: 400 ", 12), 0);
	CU_ASSERT_PTR_NULL(strstr((char *)b.data, "id=\"where\""));
	buf_free(&b);
	buf_free(&q);
	buf_puts(&q, "QUERY_STRING=");
	add_pairs(&q, 32, 0);
	buf_free(&body);
	buf_puts(&body, tok);
	add_pairs(&body, 32, 1);
	CU_ASSERT_EQUAL(post_status("big", "application/x-www-form-urlencoded",
	    (char *)q.data, (char *)body.data, body.len, &b), 400);
	buf_free(&b);
	buf_free(&q);

	/* Multipart: parts are counted by their delimiter lines. */
	for (i = 65; i >= 64; i--) {
		multipart_parts(&body, i);
		CU_ASSERT_EQUAL(post_status("big",
		    "multipart/form-data; boundary=XyZ", NULL,
		    (char *)body.data, body.len, &b), i == 65 ? 400 : 200);
		if (i == 64)
			CU_ASSERT_PTR_NOT_NULL(strstr((char *)b.data,
			    "csrf_ok=1"));
		buf_free(&b);
	}

	/* The quadratic case: 64 KiB of one key repeated. */
	buf_free(&body);
	add_pairs(&body, 64 * 1024 / 3 - 1, 0);
	CU_ASSERT_EQUAL(post_status("big", "application/x-www-form-urlencoded",
	    NULL, (char *)body.data, body.len, &b), 400);
	buf_free(&b);
	buf_free(&body);
}

/*
 * The kit keeps one value per part header and leaks the first when a part
 * repeats one, a few bytes a time in a worker that lives for thousands.
 */
static void
test_cgi_multipart_repeated_header(void)
{
	const char	*bad[] = {
		"--XyZ\r\nContent-Type: a/b\r\ncontent-type: c/d\r\n\r\nx\r\n"
		    "--XyZ--\r\n",
		"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n"
		    "Content-Disposition: form-data; name=\"b\"\r\n\r\nx\r\n"
		    "--XyZ--\r\n",
		/* The kit reads headers across a delimiter, and folded lines. */
		"--XyZ\r\nContent-Encoding: binary\r\n\tfolded\r\n--XyZ\r\n"
		    "CONTENT-ENCODING: 8bit\r\n\r\nx\r\n--XyZ--\r\n",
	};
	const char	*good =
	    "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n"
	    "Content-Type: text/plain\r\n\r\n"
	    "00112233445566778899aabbccddeeff\r\n"
	    "--XyZ\r\nContent-Disposition: form-data; name=\"csr\"; "
	    "filename=\"a\"\r\nContent-Type: text/plain\r\n\r\n"
	    "Content-Type: in the data\r\n--XyZ--\r\n";
	struct buf	 b = { 0 };
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(post_status("upload",
		    "multipart/form-data; boundary=XyZ", NULL, bad[i],
		    strlen(bad[i]), &b), 400);
		buf_free(&b);
	}
	/* One of each per part, and header-like lines in the data, pass. */
	CU_ASSERT_EQUAL(post_status("upload",
	    "multipart/form-data; boundary=XyZ", NULL, good, strlen(good), &b),
	    200);
	CU_ASSERT_STRING_EQUAL(resp_body(&b),
	    "upload=1 csrf=1 len=25 data=Content-Type: in the data");
	buf_free(&b);
}

static void
test_cgi_csrf_cookie_secure(void)
{
	const char	*https_base[] = { "REQUEST_METHOD=GET",
	    "SCRIPT_NAME=/customer/demo/ssl", conf_https, NULL };
	const char	*https_on[] = { "REQUEST_METHOD=GET",
	    "SCRIPT_NAME=/customer/demo/ssl", "HTTPS=on", NULL };
	const char	*plain[] = { "REQUEST_METHOD=GET",
	    "SCRIPT_NAME=/customer/demo/ssl", NULL };
	struct buf	 b = { 0 };

	/* Behind a TLS-terminating proxy only BaseURL says https. */
	CU_ASSERT_EQUAL(run_cgi("page", https_base, "", 0, &b), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)b.data,
	    "; Path=/customer/; HttpOnly; SameSite=Strict; Secure\r\n"));
	buf_free(&b);
	CU_ASSERT_EQUAL(run_cgi("page", https_on, "", 0, &b), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)b.data,
	    "; SameSite=Strict; Secure\r\n"));
	buf_free(&b);
	CU_ASSERT_EQUAL(run_cgi("page", plain, "", 0, &b), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)b.data, "Set-Cookie: cd_csrf="));
	CU_ASSERT_PTR_NULL(strstr((char *)b.data, "Secure"));
	buf_free(&b);
}

static void
test_cgi_raw_body(void)
{
	const char	 msg[] = "\x30\x82\x00\x05\x00\r\n\x01\x02";
	const char	*env[] = { "REQUEST_METHOD=POST",
	    "SCRIPT_NAME=/customer/demo/scep/ios/pkiclient.exe",
	    "QUERY_STRING=operation=PKIOperation",
	    "CONTENT_TYPE=application/x-www-form-urlencoded",
	    "CONTENT_LENGTH=9", NULL };
	const char	*shortb[] = { "REQUEST_METHOD=POST",
	    "SCRIPT_NAME=/customer/demo/scep/ios/pkiclient.exe",
	    "CONTENT_LENGTH=50", NULL };
	struct buf	 b = { 0 };
	const char	*body;

	/* Binary bytes come back untouched whatever the Content-Type said. */
	CU_ASSERT_EQUAL(run_cgi("raw", env, msg, 9, &b), 0);
	CU_ASSERT(resp_has_header(&b, "Content-Type: application/x-pki-message"));
	CU_ASSERT(resp_has_header(&b, "Content-Length: 9"));
	CU_ASSERT_FATAL((body = resp_body(&b)) != NULL);
	CU_ASSERT_EQUAL(b.len - (size_t)(body - (char *)b.data), 9);
	CU_ASSERT_EQUAL(memcmp(body, msg, 9), 0);
	buf_free(&b);

	CU_ASSERT_EQUAL(run_cgi("raw", shortb, msg, 9, &b), 0);
	CU_ASSERT_EQUAL(strncmp((char *)b.data, "Status: 400 ", 12), 0);
	buf_free(&b);
}

static void
test_cgi_other_responses(void)
{
	const char	*env[] = { "REQUEST_METHOD=GET",
	    "SCRIPT_NAME=/customer/demo/device", NULL };
	struct buf	 b = { 0 };

	CU_ASSERT_EQUAL(run_cgi("redirect", env, "", 0, &b), 0);
	CU_ASSERT_EQUAL(strncmp((char *)b.data, "Status: 303 See Other\r\n",
	    23), 0);
	CU_ASSERT(resp_has_header(&b, "Location: /customer/demo/ssl?step=2"));
	assert_security_headers(&b);
	buf_free(&b);

	CU_ASSERT_EQUAL(run_cgi("badredirect", env, "", 0, &b), 0);
	CU_ASSERT_EQUAL(strncmp((char *)b.data, "Status: 500 ", 12), 0);
	CU_ASSERT_PTR_NULL(strstr((char *)b.data, "Set-Cookie: a=b"));
	buf_free(&b);

	CU_ASSERT_EQUAL(run_cgi("unavailable", env, "", 0, &b), 0);
	CU_ASSERT_EQUAL(strncmp((char *)b.data,
	    "Status: 503 Service Unavailable\r\n", 33), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)b.data, "not yet available"));
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)b.data,
	    "<h1>Device Certificate Enrollment</h1>"));
	CU_ASSERT_EQUAL(tidy_errors(resp_body(&b)), 0);
	buf_free(&b);

	CU_ASSERT_EQUAL(run_cgi("blob", env, "", 0, &b), 0);
	CU_ASSERT(resp_has_header(&b, "Content-Type: application/pkix-cert"));
	CU_ASSERT(resp_has_header(&b,
	    "Content-Disposition: attachment; filename=\"_._cert_.cer\""));
	assert_security_headers(&b);
	buf_free(&b);

	CU_ASSERT_EQUAL(run_cgi("error", env, "", 0, &b), 0);
	CU_ASSERT_EQUAL(strncmp((char *)b.data,
	    "Status: 429 Too Many Requests\r\n", 31), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)b.data, "Wait &lt;15&gt; minutes."));
	CU_ASSERT_EQUAL(tidy_errors(resp_body(&b)), 0);
	buf_free(&b);

	/* A handler that forgets to answer still yields a 500, not silence. */
	CU_ASSERT_EQUAL(run_cgi("silent", env, "", 0, &b), 0);
	CU_ASSERT_EQUAL(strncmp((char *)b.data,
	    "Status: 500 Internal Server Error\r\n", 35), 0);
	buf_free(&b);
}

/* ---- the same requests over FastCGI ---- */

/*
 * Starts a FastCGI child of this binary listening on the Unix socket
 * path, as a web server's process manager would; returns its pid or -1.
 */
static pid_t
fcgi_start(const char *mode, const char *path)
{
	struct sockaddr_un	 sa;
	int			 s, dn;
	pid_t			 pid;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	if ((s = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
	    bind(s, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(s, 8) != 0)
		return -1;
	if ((pid = fork()) != 0) {
		close(s);
		return pid;
	}
	setenv("CERTDESK_CONF", conf, 1);
	/* FastCGI's convention: the listening socket is descriptor 0. */
	dup2(s, STDIN_FILENO);
	close(s);
	if ((dn = open("/dev/null", O_RDWR)) >= 0) {
		dup2(dn, STDOUT_FILENO);
		if (getenv("TEST_WEB_LOG") == NULL)
			dup2(dn, STDERR_FILENO);
	}
	child_loop("test_web_fcgi", mode);
}

/* Appends one FastCGI record header and content to b. */
static void
fcgi_record(struct buf *b, int type, const void *data, size_t len)
{
	unsigned char	 h[8] = { 1, (unsigned char)type, 0, 1,
	    (unsigned char)(len >> 8), (unsigned char)len, 0, 0 };

	buf_append(b, h, sizeof(h));
	buf_append(b, data, len);
}

/* Appends a FastCGI name-value pair (both lengths under 128) to b. */
static void
fcgi_pair(struct buf *b, const char *kv)
{
	const char	*eq = strchr(kv, '=');
	unsigned char	 l[2];

	l[0] = (unsigned char)(eq - kv);
	l[1] = (unsigned char)strlen(eq + 1);
	buf_append(b, l, 2);
	buf_append(b, kv, (size_t)(eq - kv));
	buf_append(b, eq + 1, strlen(eq + 1));
}

/*
 * Sends one request as a web server would (BEGIN_REQUEST, PARAMS, STDIN)
 * and collects the STDOUT stream into out; returns 1 when END_REQUEST
 * arrived.
 */
static int
fcgi_request(const char *path, const char **env, const char *body,
    size_t blen, struct buf *out)
{
	struct sockaddr_un	 sa;
	struct buf		 req = { 0 }, params = { 0 }, in = { 0 };
	const unsigned char	 begin[8] = { 0, 1, 0, 0, 0, 0, 0, 0 };
	unsigned char		 h[8];
	size_t			 off, clen, n;
	int			 s, ended = 0, tries;
	ssize_t			 k;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if ((s = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		return 0;
	for (tries = 0; connect(s, (struct sockaddr *)&sa, sizeof(sa)) != 0;
	    tries++) {
		if (tries > 200) {
			close(s);
			return 0;
		}
		usleep(10000);
	}
	fcgi_record(&req, 1, begin, sizeof(begin));
	fcgi_pair(&params, "GATEWAY_INTERFACE=CGI/1.1");
	for (; *env != NULL; env++)
		fcgi_pair(&params, *env);
	fcgi_record(&req, 4, params.data, params.len);
	fcgi_record(&req, 4, NULL, 0);
	for (off = 0; off < blen; off += n) {
		n = blen - off > 8000 ? 8000 : blen - off;
		fcgi_record(&req, 5, body + off, n);
	}
	fcgi_record(&req, 5, NULL, 0);
	for (off = 0; off < req.len; off += (size_t)k)
		if ((k = write(s, req.data + off, req.len - off)) <= 0)
			break;
	/* Read every record the application sends until END_REQUEST. */
	while ((k = read(s, h, sizeof(h))) > 0) {
		buf_append(&in, h, (size_t)k);
		if (in.len < 8)
			continue;
		memcpy(h, in.data, 8);
		clen = ((size_t)h[4] << 8 | h[5]) + h[6];
		while (in.len < 8 + clen) {
			unsigned char	 tmp[4096];

			if ((k = read(s, tmp, sizeof(tmp) < 8 + clen - in.len ?
			    sizeof(tmp) : 8 + clen - in.len)) <= 0)
				goto done;
			buf_append(&in, tmp, (size_t)k);
		}
		if (h[1] == 6)		/* STDOUT */
			buf_append(out, in.data + 8, ((size_t)h[4] << 8 | h[5]));
		if (h[1] == 3) {	/* END_REQUEST */
			ended = 1;
			break;
		}
		memmove(in.data, in.data + 8 + clen, in.len - 8 - clen);
		in.len -= 8 + clen;
	}
done:
	close(s);
	buf_free(&req);
	buf_free(&params);
	buf_free(&in);
	return ended;
}

/* Stops a FastCGI child started by fcgi_start. */
static void
fcgi_stop(pid_t pid, const char *path)
{
	int	 st;

	kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
	unlink(path);
}

static void
test_fcgi_requests(void)
{
	char		 sock[128], tok[33], cookie[80], len[64];
	char		 body[1024];
	const char	*first[] = { "REQUEST_METHOD=GET",
	    "SCRIPT_NAME=/customer", "PATH_INFO=/demo/ssl/one",
	    "QUERY_STRING=name=%3Ci%3Efirst", "REMOTE_ADDR=192.0.2.1", NULL };
	const char	*second[] = { "REQUEST_METHOD=POST",
	    "SCRIPT_NAME=/customer", "PATH_INFO=/demo/smime",
	    "CONTENT_TYPE=application/x-www-form-urlencoded", len, cookie,
	    NULL };
	const char	*bad[] = { "REQUEST_METHOD=GET",
	    "SCRIPT_NAME=/customer", "PATH_INFO=/demo/../x", NULL };
	const char	*upload[] = { "REQUEST_METHOD=POST",
	    "SCRIPT_NAME=/customer/demo/ssl",
	    "CONTENT_TYPE=multipart/form-data; boundary=XyZ", len, cookie,
	    NULL };
	struct buf	 b = { 0 };
	pid_t		 pid;
	int		 i;

	snprintf(sock, sizeof(sock), "%s/fcgi.sock", tdir);
	CU_ASSERT_FATAL((pid = fcgi_start("page", sock)) > 0);

	CU_ASSERT(fcgi_request(sock, first, NULL, 0, &b));
	CU_ASSERT_FATAL(b.data != NULL);
	CU_ASSERT_EQUAL(strncmp((char *)b.data, "Status: 200 OK\r\n", 16), 0);
	assert_security_headers(&b);
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)b.data,
	    "<p id=\"name\">&lt;i&gt;first</p>"));
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)b.data,
	    "<p id=\"where\">GET|demo|ssl|one</p>"));
	CU_ASSERT_FATAL(resp_cookie(&b, tok));
	buf_free(&b);

	/* The next request in the same worker sees nothing of the first. */
	snprintf(cookie, sizeof(cookie), "HTTP_COOKIE=cd_csrf=%s", tok);
	snprintf(body, sizeof(body), "csrf=%s", tok);
	snprintf(len, sizeof(len), "CONTENT_LENGTH=%zu", strlen(body));
	CU_ASSERT(fcgi_request(sock, second, body, strlen(body), &b));
	CU_ASSERT_FATAL(b.data != NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)b.data, "<p id=\"name\"></p>"));
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)b.data,
	    "<p id=\"where\">POST|demo|smime|</p>"));
	CU_ASSERT_PTR_NOT_NULL(strstr((char *)b.data, "csrf_ok=1"));
	CU_ASSERT_PTR_NULL(strstr((char *)b.data, "Set-Cookie:"));
	buf_free(&b);

	/* A refused path is answered and the worker carries on. */
	CU_ASSERT(fcgi_request(sock, bad, NULL, 0, &b));
	CU_ASSERT_EQUAL(strncmp((char *)b.data, "Status: 404 ", 12), 0);
	buf_free(&b);
	CU_ASSERT(fcgi_request(sock, first, NULL, 0, &b));
	CU_ASSERT_EQUAL(strncmp((char *)b.data, "Status: 200 ", 12), 0);
	buf_free(&b);
	fcgi_stop(pid, sock);

	/* Multipart bodies arrive through the cgi kit's read hook. */
	CU_ASSERT_FATAL((pid = fcgi_start("upload", sock)) > 0);
	snprintf(cookie, sizeof(cookie),
	    "HTTP_COOKIE=cd_csrf=00112233445566778899aabbccddeeff");
	multipart(body, sizeof(body), "-----BEGIN CSR-----");
	snprintf(len, sizeof(len), "CONTENT_LENGTH=%zu", strlen(body));
	CU_ASSERT(fcgi_request(sock, upload, body, strlen(body), &b));
	CU_ASSERT_FATAL(resp_body(&b) != NULL);
	CU_ASSERT_STRING_EQUAL(resp_body(&b),
	    "upload=1 csrf=1 len=19 data=-----BEGIN CSR-----");
	buf_free(&b);
	fcgi_stop(pid, sock);

	/* Raw bodies (SCEP) come through byte for byte, NULs included. */
	CU_ASSERT_FATAL((pid = fcgi_start("raw", sock)) > 0);
	for (i = 0; i < 1000; i++)
		body[i] = (char)(i * 7);
	snprintf(len, sizeof(len), "CONTENT_LENGTH=1000");
	CU_ASSERT(fcgi_request(sock, upload, body, 1000, &b));
	CU_ASSERT_FATAL(resp_body(&b) != NULL);
	CU_ASSERT(resp_has_header(&b, "Content-Length: 1000"));
	CU_ASSERT_EQUAL(b.len - (size_t)(resp_body(&b) - (char *)b.data), 1000);
	CU_ASSERT_EQUAL(memcmp(resp_body(&b), body, 1000), 0);
	buf_free(&b);
	fcgi_stop(pid, sock);
}

/*
 * One worker, one multipart request after another: the kit's multipart
 * parser keeps state between them (the last boundary and its length).
 */
static void
test_fcgi_multipart_sequence(void)
{
	char		 sock[128], ct[128], len[64], body[1024];
	const char	*env[] = { "REQUEST_METHOD=POST",
	    "SCRIPT_NAME=/customer/demo/ssl", ct, len,
	    "HTTP_COOKIE=cd_csrf=00112233445566778899aabbccddeeff", NULL };
	const char	*spoof = "csr.FileHandle=1";
	struct buf	 b = { 0 };
	pid_t		 pid;

	snprintf(sock, sizeof(sock), "%s/fcgi-seq.sock", tdir);
	CU_ASSERT_FATAL((pid = fcgi_start("upload", sock)) > 0);

	snprintf(ct, sizeof(ct), "CONTENT_TYPE=multipart/form-data; "
	    "boundary=XyZ");
	multipart(body, sizeof(body), "FIRST");
	snprintf(len, sizeof(len), "CONTENT_LENGTH=%zu", strlen(body));
	CU_ASSERT(fcgi_request(sock, env, body, strlen(body), &b));
	CU_ASSERT_FATAL(resp_body(&b) != NULL);
	CU_ASSERT_STRING_EQUAL(resp_body(&b),
	    "upload=1 csrf=1 len=5 data=FIRST");
	buf_free(&b);

	/* A longer boundary whose copy may land where the last one was. */
	snprintf(ct, sizeof(ct), "CONTENT_TYPE=multipart/form-data; "
	    "boundary=ABCDEFGHIJKLMNOP");
	multipart_b(body, sizeof(body), "ABCDEFGHIJKLMNOP", "SECOND");
	snprintf(len, sizeof(len), "CONTENT_LENGTH=%zu", strlen(body));
	CU_ASSERT(fcgi_request(sock, env, body, strlen(body), &b));
	CU_ASSERT_FATAL(resp_body(&b) != NULL);
	CU_ASSERT_STRING_EQUAL(resp_body(&b),
	    "upload=1 csrf=1 len=6 data=SECOND");
	buf_free(&b);

	/* No boundary after a multipart request: refused, worker alive. */
	snprintf(ct, sizeof(ct), "CONTENT_TYPE=multipart/form-data");
	snprintf(len, sizeof(len), "CONTENT_LENGTH=6");
	CU_ASSERT(fcgi_request(sock, env, "a\r\nb\r\n", 6, &b));
	CU_ASSERT_FATAL(b.data != NULL);
	CU_ASSERT_EQUAL(strncmp((char *)b.data, "Status: 400 ", 12), 0);
	buf_free(&b);

	/* A handle without an upload, in the same worker. */
	snprintf(ct, sizeof(ct),
	    "CONTENT_TYPE=application/x-www-form-urlencoded");
	snprintf(len, sizeof(len), "CONTENT_LENGTH=%zu", strlen(spoof));
	CU_ASSERT(fcgi_request(sock, env, spoof, strlen(spoof), &b));
	CU_ASSERT_FATAL(resp_body(&b) != NULL);
	CU_ASSERT_STRING_EQUAL(resp_body(&b), "upload=0 csrf=0 len=0 data=");
	buf_free(&b);

	snprintf(ct, sizeof(ct), "CONTENT_TYPE=multipart/form-data; "
	    "boundary=XyZ");
	multipart(body, sizeof(body), "AGAIN");
	snprintf(len, sizeof(len), "CONTENT_LENGTH=%zu", strlen(body));
	CU_ASSERT(fcgi_request(sock, env, body, strlen(body), &b));
	CU_ASSERT_FATAL(resp_body(&b) != NULL);
	CU_ASSERT_STRING_EQUAL(resp_body(&b),
	    "upload=1 csrf=1 len=5 data=AGAIN");
	buf_free(&b);
	fcgi_stop(pid, sock);
}

static void
register_tests(void)
{
	CU_pSuite	 s;

	s = CU_add_suite("web", suite_init, suite_clean);
	UNIT_ADD(s, test_parse_path_good);
	UNIT_ADD(s, test_parse_path_bad);
	UNIT_ADD(s, test_csrf_equal);
	UNIT_ADD(s, test_parse_cookies);
	UNIT_ADD(s, test_tmpl_escapes);
	UNIT_ADD(s, test_mail_dir_strips_injection);
	UNIT_ADD(s, test_mail_command);
	UNIT_ADD(s, test_cgi_page);
	UNIT_ADD(s, test_cgi_paths);
	UNIT_ADD(s, test_cgi_post_csrf);
	UNIT_ADD(s, test_cgi_limits_and_methods);
	UNIT_ADD(s, test_cgi_upload);
	UNIT_ADD(s, test_cgi_content_types);
	UNIT_ADD(s, test_cgi_upload_handle_spoof);
	UNIT_ADD(s, test_cgi_field_cap);
	UNIT_ADD(s, test_cgi_multipart_repeated_header);
	UNIT_ADD(s, test_cgi_csrf_cookie_secure);
	UNIT_ADD(s, test_cgi_raw_body);
	UNIT_ADD(s, test_cgi_other_responses);
	UNIT_ADD(s, test_fcgi_requests);
	UNIT_ADD(s, test_fcgi_multipart_sequence);
}

UNIT_MAIN(register_tests)
