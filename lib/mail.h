/* mail: notifications rendered from templates/mail/ and handed to sendmail. */
#ifndef CERTDESK_MAIL_H
#define CERTDESK_MAIL_H

#include <ClearSilver.h>

#include "config.h"

/*
 * Renders templates/<tmpl>.cs (e.g. "mail/collect") with data as a plain
 * text body (no HTML escaping) and sends it to `to` with subject.  Header
 * values lose any CR/LF so no caller input can add headers.  Delivery:
 * into config Mail.Dir as one <time>-<random>.eml file per message when
 * that key is set (demo, tests), else piped to Mail.Command (default
 * "/usr/sbin/sendmail -t -i") run by /bin/sh -c.  From: is Mail.From.
 * Returns 1 when delivered to the directory or the command exited 0,
 * 0 otherwise (always logged).
 */
int	mail_send(const struct config *, HDF *data, const char *tmpl,
	    const char *to, const char *subject);

#endif
