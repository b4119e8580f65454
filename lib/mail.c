/* mail: render a notification and deliver it to sendmail or a spool directory. */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "buf.h"
#include "log.h"
#include "mail.h"
#include "secret.h"
#include "tmpl.h"

#define MAIL_TEMPLATES	"/usr/local/share/certdesk/templates"
#define MAIL_COMMAND	"/usr/sbin/sendmail -t -i"
#define MAIL_FROM	"certdesk@localhost"

/*
 * Returns a malloc'ed copy of s without CR, LF or other control bytes
 * (tabs become spaces), so a value can never start a new header line;
 * caller frees.  NULL when out of memory.
 */
static char *
mail_header_value(const char *s)
{
	char	*c, *o;

	if (s == NULL)
		s = "";
	if ((c = strdup(s)) == NULL)
		return NULL;
	for (o = c; *s != '\0'; s++) {
		if (*s == '\t')
			*o++ = ' ';
		else if ((unsigned char)*s >= 0x20 && *s != 0x7f)
			*o++ = *s;
	}
	*o = '\0';
	return c;
}

/*
 * Appends "Subject: " and the subject, as RFC 2047 UTF-8 encoded words
 * when it is not plain ASCII; returns 1 ok, 0 out of memory.
 */
static int
mail_subject(struct buf *m, const char *s)
{
	unsigned char	 enc[4 * 48 / 3 + 4];
	const char	*p;
	size_t		 len, n;
	int		 ascii = 1, first = 1;

	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			ascii = 0;
	if (ascii)
		return buf_printf(m, "Subject: %s\n", s);
	if (!buf_puts(m, "Subject:"))
		return 0;
	len = strlen(s);
	while (len > 0) {
		/*
		 * At most 45 bytes per word keeps each under the 75-character
		 * limit; never split inside a UTF-8 sequence.
		 */
		n = len < 45 ? len : 45;
		while (n < len && n > 1 &&
		    ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		EVP_EncodeBlock(enc, (const unsigned char *)s, (int)n);
		/* Later words go on folded continuation lines. */
		if (!buf_printf(m, "%s=?UTF-8?B?%s?=", first ? " " : "\n ",
		    enc))
			return 0;
		first = 0;
		s += n;
		len -= n;
	}
	return buf_puts(m, "\n");
}

/*
 * Builds the complete message into m; returns 1 ok, 0 on failure
 * (logged).
 */
static int
mail_compose(struct buf *m, const char *from, const char *to,
    const char *subject, const struct buf *body)
{
	char		 date[64], id[33];
	unsigned char	 rnd[16];
	const char	*domain;
	struct tm	 tm;
	time_t		 now;

	now = time(NULL);
	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000",
	    &tm) == 0) {
		log_err("mail: cannot format the date");
		return 0;
	}
	if (!secret_random(rnd, sizeof(rnd)))
		return 0;
	secret_hex(rnd, sizeof(rnd), id);
	if ((domain = strrchr(from, '@')) != NULL && domain[1] != '\0' &&
	    strchr(domain, '>') == NULL)
		domain++;
	else
		domain = "certdesk.invalid";
	if (!buf_printf(m, "From: %s\nTo: %s\n", from, to) ||
	    !mail_subject(m, subject) ||
	    !buf_printf(m, "Date: %s\nMessage-ID: <%lld.%s@%s>\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=UTF-8\n"
	    "Content-Transfer-Encoding: 8bit\n"
	    "Auto-Submitted: auto-generated\n\n",
	    date, (long long)now, id, domain) ||
	    (body->data != NULL && (!buf_append(m, body->data, body->len) ||
	    (body->len > 0 && body->data[body->len - 1] != '\n' &&
	    !buf_puts(m, "\n"))))) {
		log_err("mail: out of memory");
		return 0;
	}
	return 1;
}

/* Writes all of p to fd; returns 1 ok, 0 on error (errno set). */
static int
mail_write_all(int fd, const unsigned char *p, size_t len, int sock)
{
	ssize_t	 n;

	while (len > 0) {
		if (sock)
			/* A command that quits early must not SIGPIPE the worker. */
			n = send(fd, p, len, MSG_NOSIGNAL);
		else
			n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		p += n;
		len -= (size_t)n;
	}
	return 1;
}

/*
 * Stores the message as dir/<time>-<random>.eml, written under a hidden
 * temporary name first so a reader never sees half a message; returns 1
 * ok, 0 on failure (logged).
 */
static int
mail_to_dir(const char *dir, const struct buf *m)
{
	char	 tmp[4096], final[4096], *base;
	size_t	 blen;
	int	 fd = -1, rc = 0, made = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%lld-XXXXXX.eml.tmp", dir,
	    (long long)time(NULL)) >= sizeof(tmp)) {
		log_err("mail: spool path too long");
		return 0;
	}
	if ((fd = mkstemps(tmp, 8)) < 0) {
		log_err("mail: mkstemps %s: %s", tmp, strerror(errno));
		goto out;
	}
	made = 1;
	if (!mail_write_all(fd, m->data, m->len, 0) || fsync(fd) != 0) {
		log_err("mail: write %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		log_err("mail: close %s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	base = strrchr(tmp, '/') + 1;
	blen = strlen(base);
	if ((size_t)snprintf(final, sizeof(final), "%s/%.*s", dir,
	    (int)(blen - 1 - 4), base + 1) >= sizeof(final)) {
		log_err("mail: spool path too long");
		goto out;
	}
	/* link, unlike rename, never replaces an existing message. */
	if (link(tmp, final) != 0) {
		log_err("mail: link %s: %s", final, strerror(errno));
		goto out;
	}
	rc = 1;
out:
	if (fd >= 0)
		close(fd);
	if (made)
		unlink(tmp);
	return rc;
}

/*
 * Pipes the message into cmd run by /bin/sh -c; returns 1 when it exited
 * 0, else 0 (logged).
 */
static int
mail_to_command(const char *cmd, const struct buf *m)
{
	int	 sv[2] = { -1, -1 }, st, ok, rc = 0;
	pid_t	 pid, w;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		log_err("mail: socketpair: %s", strerror(errno));
		return 0;
	}
	if ((pid = fork()) < 0) {
		log_err("mail: fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		/*
		 * Under plain CGI stdout is the HTTP response: the command's
		 * chatter goes to the error log instead.
		 */
		if (dup2(sv[1], STDIN_FILENO) < 0 ||
		    dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
			_exit(127);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	sv[1] = -1;
	ok = mail_write_all(sv[0], m->data, m->len, 1);
	if (!ok)
		log_err("mail: writing to \"%s\": %s", cmd, strerror(errno));
	shutdown(sv[0], SHUT_WR);
	close(sv[0]);
	sv[0] = -1;
	while ((w = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
		continue;
	if (w < 0) {
		log_err("mail: waitpid: %s", strerror(errno));
		goto out;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		log_err("mail: \"%s\" failed (status %d)", cmd,
		    WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		goto out;
	}
	rc = ok;
out:
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	return rc;
}

int
mail_send(const struct config *cfg, HDF *data, const char *tmpl,
    const char *to, const char *subject)
{
	struct buf	 body = { 0 }, msg = { 0 };
	char		*hto = NULL, *hsubj = NULL, *hfrom = NULL;
	const char	*dir;
	int		 rc = 0;

	if (!tmpl_render_text(data, config_get(cfg, "Templates.Dir",
	    MAIL_TEMPLATES), tmpl, &body)) {
		log_err("mail %s: template failed", tmpl);
		goto out;
	}
	if ((hto = mail_header_value(to)) == NULL ||
	    (hsubj = mail_header_value(subject)) == NULL ||
	    (hfrom = mail_header_value(config_get(cfg, "Mail.From",
	    MAIL_FROM))) == NULL) {
		log_err("mail: out of memory");
		goto out;
	}
	if (hto[0] == '\0' || strchr(hto, '@') == NULL) {
		log_err("mail %s: no usable recipient", tmpl);
		goto out;
	}
	if (!mail_compose(&msg, hfrom, hto, hsubj, &body))
		goto out;
	dir = config_get(cfg, "Mail.Dir", NULL);
	if (dir != NULL && dir[0] != '\0')
		rc = mail_to_dir(dir, &msg);
	else
		rc = mail_to_command(config_get(cfg, "Mail.Command",
		    MAIL_COMMAND), &msg);
	if (rc)
		log_info("mail %s sent", tmpl);
	else
		log_err("mail %s not sent", tmpl);
out:
	buf_free(&body);
	buf_free(&msg);
	free(hto);
	free(hsubj);
	free(hfrom);
	return rc;
}
