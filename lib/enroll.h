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
/* The names a form asks for, and what may certify them. */
struct name_check {
	const struct policy_scope	*scope;
	int				 multi_domain;	/* the profile's */
	int				 wildcard;	/* the profile's */
	const char			*cn;
	const char			*sans;	/* commas or white space */
};

/*
 * Checks a form's Common Name and its SAN list against a profile
 * (multi_domain, wildcard) and the scope's delegations, and appends the
 * certificate's names to names: the CN, then each further distinct SAN,
 * lower case, without the one trailing dot a name may have
 * (policy_name_trim_dot), comma separated.  Returns 1, or 0 with a
 * message in err (names is then freed).
 */
int	 enroll_check_names(const struct name_check *, struct buf *names,
	    char *err, size_t errlen);
/*
 * Checks a list of external requester addresses (commas or white space;
 * may be empty): each well formed and in a domain delegated to org/dept
 * for type in the scope.  Appends them to out as "a@x, b@y".  Returns 1, or 0 with a
 * message in err (out is then freed).
 */
int	 enroll_check_emails(const struct policy_scope *, enum cert_type,
	    const char *list, struct buf *out, char *err, size_t errlen);

#define ENROLL_PASS_MIN		8	/* shortest renewal passphrase */
#define ENROLL_PASS_MAX		256
#define ENROLL_COMMENTS_MAX	1024

/* What the SSL enrollment form submitted, its fields already typed. */
struct ssl_input {
	const struct profile	*prof;		/* NULL: not one of the account's */
	int			 term;		/* days; 0 when not a number */
	const struct csr	*csr;		/* NULL: csr_err says why */
	const char		*csr_err;
	const char		*cn;
	const char		*sans;
	int			 auto_renew;
	int			 auto_renew_days; /* 0 when not 1..90 */
	const char		*pass, *pass2;
	const char		*ext_requesters;
	int			 comments_too_long;
	int			 eula;
};

/*
 * The checks of SPEC 4.1 step 4 on a submitted SSL form, in the order the
 * form shows them; returns 1 with the certificate's names ("cn[,san...]")
 * and external requesters filled, or 0 with the first failure's message
 * in err.
 */
int	 enroll_check_ssl(const struct policy_scope *, const struct ssl_input *,
	    struct buf *names, struct buf *extreq, char *err, size_t errlen);
/* What the device enrollment form submitted, its fields already typed. */
struct device_input {
	const struct profile	*prof;		/* NULL: not one of the account's */
	int			 term;		/* days; 0 when not a number */
	const char		*email;		/* "" when absent or invalid */
	int			 email_invalid;	/* sent, but too long or not one line */
	const struct csr	*csr;		/* NULL: csr_err says why */
	const char		*csr_err;
};

/*
 * The checks of the device form (SPEC 4.5) in the order the form shows
 * them: profile, term, the requester's email (well formed and in a
 * domain delegated to the account's organisation for device
 * certificates, as the SSL form asks of its requesters), the CSR, its key
 * against the profile, and its names (policy_check_device).  Returns 1
 * with the certificate's distinct names, comma separated, in sans, or 0
 * with the first failure's message in err (sans is then freed).
 */
int	 enroll_check_device(const struct policy_scope *,
	    const struct device_input *, struct buf *sans, char *err,
	    size_t errlen);
/*
 * Returns the account of the endpoint whose access code is code when the
 * email's domain is delegated to its organisation for type (caller
 * frees), or NULL; the log says which part failed, a page never should.
 */
struct account *enroll_account(struct db *, long long customer_id,
	    long long endpoint_id, enum cert_type, const char *code,
	    const char *email);
/*
 * Checks that an earlier request may be renewed under its profile as it
 * is today: issued (or expired, not revoked), its names still delegated,
 * its CSR's key still allowed.
 * Returns 1, or 0 with a message in err.
 */
int	 enroll_renewal_ok(const struct policy_scope *, const struct request *,
	    const struct profile *, char *err, size_t errlen);

/*
 * Fills nr as the renewal of old through via ("web", ...): the same
 * details and CSR, status Requested, no certificate, renewal_of old.
 * nr's strings stay owned by old (free only nr->cert_id, which
 * enroll_submit writes).
 */
void	 enroll_renewal_copy(const struct request *old, const char *via,
	    struct request *nr);

/* What a certificate ID and passphrase check found. */
enum pass_check {
	PASS_OK,		/* the request is returned */
	PASS_THROTTLED,		/* the address has guessed too often */
	PASS_LOCKED,		/* the certificate's passphrase is locked */
	PASS_WRONG		/* no such certificate, or a wrong passphrase */
};

/*
 * Checks a certificate ID and the passphrase set at enrollment for a
 * certificate of type (SPEC 5): the attempt is counted per address
 * (scope) and per certificate before the slow Argon2 check and refunded
 * on success; the tenth failure locks the certificate and mails its
 * requester once.  Returns PASS_OK with *out set (caller frees), or why
 * not.
 */
enum pass_check enroll_passphrase(struct db *, const struct config *,
	    long long customer_id, enum cert_type, const char *scope,
	    const char *remote, const char *cert_id, const char *pass,
	    struct request **out);

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
