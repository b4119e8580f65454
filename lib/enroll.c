/* enroll: form checks and request recording shared by the enrollment forms. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "enroll.h"
#include "log.h"
#include "notify.h"

#define SEPARATORS	", \t\r\n;"

/* Formats a message for the user into err. */
static void
enroll_seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
enroll_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Lower-cases s in place; returns it. */
static char *
lower(char *s)
{
	char	*p;

	for (p = s; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}

int
enroll_check_name(const struct policy_delegation *dels, size_t n,
    long long org_id, long long dept_id, enum cert_type type,
    const char *name, const char *what, int allow_wildcard, char *err,
    size_t errlen)
{
	if (!policy_valid_dnsname(name, 1)) {
		enroll_seterr(err, errlen, "The %s \"%.80s\" is not a valid "
		    "host name.", what, name);
		return 0;
	}
	if (name[0] == '*' && !allow_wildcard) {
		enroll_seterr(err, errlen, "The %s \"%.80s\" is a wildcard, "
		    "which the selected certificate profile does not allow.",
		    what, name);
		return 0;
	}
	if (!policy_name_allowed(dels, n, org_id, dept_id, type, name)) {
		enroll_seterr(err, errlen, "The %s \"%.80s\" is not in a "
		    "domain delegated to your organization for %s "
		    "certificates.", what, name,
		    type == CERT_SSL ? "SSL" : policy_type_name(type));
		return 0;
	}
	return 1;
}

/* Returns 1 if the comma-separated list already holds name (exact). */
static int
list_has(const struct buf *list, const char *name)
{
	const char	*p, *end;
	size_t		 len = strlen(name);

	if (list->data == NULL)
		return 0;
	for (p = (const char *)list->data; *p != '\0'; p = end) {
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		if ((size_t)(end - p) == len && strncmp(p, name, len) == 0)
			return 1;
		if (*end == ',')
			end++;
	}
	return 0;
}

int
enroll_check_names(const struct policy_delegation *dels, size_t n,
    long long org_id, long long dept_id, int multi_domain, int wildcard,
    const char *cn, const char *sans, struct buf *names, char *err,
    size_t errlen)
{
	char	*copy = NULL, *tok, *p, *save = NULL, *lcn = NULL;
	size_t	 count = 0;
	int	 ok = 0;

	if (cn == NULL || *cn == '\0') {
		enroll_seterr(err, errlen, "Enter the Common Name (or use "
		    "\"Get CN from CSR\").");
		goto out;
	}
	if (strlen(cn) > 64) {
		enroll_seterr(err, errlen, "The Common Name may have at most "
		    "64 characters.");
		goto out;
	}
	if ((lcn = strdup(cn)) == NULL)
		goto out;
	/* The same names as a CSR's (csr_parse): no trailing dot. */
	policy_name_trim_dot(lower(lcn));
	if (!enroll_check_name(dels, n, org_id, dept_id, CERT_SSL, lcn,
	    "Common Name", wildcard, err, errlen))
		goto out;
	if (!buf_puts(names, lcn))
		goto out;
	if ((copy = strdup(sans != NULL ? sans : "")) == NULL)
		goto out;
	for (p = copy; (tok = strtok_r(p, SEPARATORS, &save)) != NULL;
	    p = NULL) {
		policy_name_trim_dot(lower(tok));
		if (!multi_domain) {
			enroll_seterr(err, errlen, "Subject Alternative Names "
			    "are only allowed with a multi-domain certificate "
			    "profile; clear the field or choose another "
			    "profile.");
			goto out;
		}
		if (!enroll_check_name(dels, n, org_id, dept_id, CERT_SSL,
		    tok, "Subject Alternative Name", wildcard, err, errlen))
			goto out;
		if (list_has(names, tok))
			continue;
		if (++count >= CSR_MAX_SANS) {
			enroll_seterr(err, errlen, "At most %d Subject "
			    "Alternative Names are allowed.", CSR_MAX_SANS - 1);
			goto out;
		}
		if (!buf_puts(names, ",") || !buf_puts(names, tok))
			goto out;
	}
	ok = 1;
out:
	if (!ok) {
		if (err != NULL && errlen > 0 && err[0] == '\0')
			enroll_seterr(err, errlen, "The names could not be "
			    "checked.");
		buf_free(names);
	}
	free(copy);
	free(lcn);
	return ok;
}

int
enroll_check_emails(const struct policy_delegation *dels, size_t n,
    long long org_id, long long dept_id, enum cert_type type,
    const char *list, struct buf *out, char *err, size_t errlen)
{
	char	*copy, *tok, *p, *save = NULL;
	size_t	 count = 0;
	int	 ok = 0;

	if ((copy = strdup(list != NULL ? list : "")) == NULL)
		return 0;
	for (p = copy; (tok = strtok_r(p, SEPARATORS, &save)) != NULL;
	    p = NULL) {
		if (strlen(tok) > 254 || !policy_email_allowed(dels, n, org_id,
		    dept_id, type, tok)) {
			enroll_seterr(err, errlen, "The External Requester "
			    "\"%.80s\" is not an email address in a domain "
			    "delegated to your organization.", tok);
			goto out;
		}
		if (++count > ENROLL_MAX_REQUESTERS) {
			enroll_seterr(err, errlen, "At most %d External "
			    "Requesters are allowed.", ENROLL_MAX_REQUESTERS);
			goto out;
		}
		if ((count > 1 && !buf_puts(out, ", ")) || !buf_puts(out, tok))
			goto out;
	}
	ok = 1;
out:
	if (!ok)
		buf_free(out);
	free(copy);
	return ok;
}

/*
 * Returns the id of the requester's person in r's organisation, creating
 * "requesterSSL <domain>" (guide 3.3.3) when there is none; 0 on error.
 */
static long long
requester_person(struct db *db, const struct request *r)
{
	struct person	*found, p;
	const char	*domain = r->common_name;
	char		 cn[128];
	long long	 id;

	if ((found = store_person_by_email(db, r->org_id,
	    r->requester_email)) != NULL) {
		id = found->id;
		store_person_free(found);
		return id;
	}
	if (strncmp(domain, "*.", 2) == 0)
		domain += 2;
	memset(&p, 0, sizeof(p));
	snprintf(cn, sizeof(cn), "requesterSSL %s", domain);
	p.org_id = r->org_id;
	p.dept_id = r->dept_id;
	p.email = r->requester_email;
	p.first_name = "requesterSSL";
	p.last_name = (char *)domain;
	p.common_name = cn;
	return store_person_add(db, &p);
}

int
enroll_submit(struct db *db, const struct config *cfg, struct request *r,
    int auto_approve, const struct actor *who, struct enroll_result *res,
    char *err, size_t errlen)
{
	char	 ierr[256];
	int	 began = 0, ok = 0;

	memset(res, 0, sizeof(*res));
	enroll_seterr(err, errlen, "The request could not be recorded. "
	    "Please try again later.");
	if (!db_begin(db))
		goto out;
	began = 1;
	if (r->person_id == 0 && (r->person_id = requester_person(db, r)) == 0)
		goto out;
	if ((res->id = store_request_add(db, r)) == 0)
		goto out;
	issue_audit(db, r->customer_id, who, r->renewal_of ? "request.renew" :
	    "request.submit", r->cert_id, "success", r->common_name);
	if (!db_commit(db))
		goto out;
	began = 0;
	ok = 1;
	err[0] = '\0';
	log_info("request %s recorded for %s", r->cert_id, r->common_name);

	if (auto_approve) {
		if (issue_request(db, cfg, res->id, who, ierr, sizeof(ierr))) {
			res->issued = 1;
			res->mailed = notify_request(db, cfg, res->id,
			    NOTIFY_COLLECT);
			goto out;
		}
		/* Still a valid request: an administrator can approve it. */
		log_err("auto-approval of %s failed: %s", r->cert_id, ierr);
	}
	res->mailed = notify_request(db, cfg, res->id, NOTIFY_AWAITING);
out:
	if (began) {
		db_rollback(db);
		res->id = 0;
	}
	return ok;
}
