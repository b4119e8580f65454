/*
 * enroll: what the web forms that take a CSR for server names share — the
 * name and requester checks of SPEC 4.1 step 4 and the recording of a new
 * request with its approval (issue at once, or wait for an administrator).
 */
#ifndef CERTDESK_ENROLL_H
#define CERTDESK_ENROLL_H

#include <stddef.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "issue.h"
#include "policy.h"
#include "store.h"

#define ENROLL_MAX_REQUESTERS	10	/* external requester addresses per request */

/*
 * Checks one host name for a certificate: syntax, wildcard only when
 * allow_wildcard, and delegation to org/dept for type.  what names the
 * field in the message ("Common Name").  Returns 1, or 0 with a message
 * for the user in err.
 */
int	 enroll_check_name(const struct policy_delegation *, size_t n,
	    long long org_id, long long dept_id, enum cert_type,
	    const char *name, const char *what, int allow_wildcard,
	    char *err, size_t errlen);
/*
 * Checks a form's Common Name and its SAN list (separated by commas or
 * white space) against a profile (multi_domain, wildcard) and the
 * delegations, and appends the certificate's names to names: the CN,
 * then each further distinct SAN, lower case, without the one trailing
 * dot a name may have (policy_name_trim_dot), comma separated.  Returns
 * 1, or 0 with a message in err (names is then freed).
 */
int	 enroll_check_names(const struct policy_delegation *, size_t n,
	    long long org_id, long long dept_id, int multi_domain,
	    int wildcard, const char *cn, const char *sans, struct buf *names,
	    char *err, size_t errlen);
/*
 * Checks a list of external requester addresses (commas or white space;
 * may be empty): each well formed and in a domain delegated to org/dept
 * for type.  Appends them to out as "a@x, b@y".  Returns 1, or 0 with a
 * message in err (out is then freed).
 */
int	 enroll_check_emails(const struct policy_delegation *, size_t n,
	    long long org_id, long long dept_id, enum cert_type,
	    const char *list, struct buf *out, char *err, size_t errlen);

/* What enroll_submit did. */
struct enroll_result {
	long long	 id;		/* the new request */
	int		 issued;	/* the CA issued it at once */
	int		 mailed;	/* every notification was handed over */
};

/*
 * Records r (status "Requested", cert_id NULL; store_request_add writes
 * the new certificate ID into it) together with its requester, created
 * as a person "requesterSSL <domain>" of r's organisation when unknown,
 * in one transaction.  Then, with auto_approve, issues it and sends the
 * collection email; otherwise (or if issuing fails) emails the
 * organisation's administrators.  Returns 1 with res filled, or 0 with a
 * message in err and nothing recorded.
 */
int	 enroll_submit(struct db *, const struct config *, struct request *r,
	    int auto_approve, const struct actor *, struct enroll_result *res,
	    char *err, size_t errlen);

#endif
