/* log: stderr logging; never writes to the client. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>

#include "log.h"

static const char	*log_prog = "certdesk";
static char		 log_req[40];
static int		 log_silent;

void
log_init(const char *prog)
{
	log_prog = prog;
}

void
log_quiet(int on)
{
	log_silent = on;
}

void
log_set_request(const char *id)
{
	if (id == NULL)
		log_req[0] = '\0';
	else
		snprintf(log_req, sizeof(log_req), "%s", id);
}

/* Writes one line with a level tag; the message is cut at 2 KiB. */
static void log_line(const char *, const char *, va_list)
    __attribute__((format(printf, 2, 0)));

static void
log_line(const char *level, const char *fmt, va_list ap)
{
	char	 msg[2048];
	size_t	 i;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* Keep one event on one line so log parsers and humans agree. */
	for (i = 0; msg[i] != '\0'; i++)
		if (msg[i] == '\n' || msg[i] == '\r')
			msg[i] = ' ';
	fprintf(stderr, "%s[%s]%s%s: %s\n", log_prog, level,
	    log_req[0] ? " req=" : "", log_req, msg);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	if (log_silent)
		return;
	va_start(ap, fmt);
	log_line("info", fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_line("warn", fmt, ap);
	va_end(ap);
}

void
log_err(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_line("error", fmt, ap);
	va_end(ap);
}

void
log_ossl(const char *fmt, ...)
{
	va_list		 ap;
	unsigned long	 e;
	char		 es[256];

	va_start(ap, fmt);
	log_line("error", fmt, ap);
	va_end(ap);
	while ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, es, sizeof(es));
		fprintf(stderr, "%s[error]%s%s:   openssl: %s\n", log_prog,
		    log_req[0] ? " req=" : "", log_req, es);
	}
}
