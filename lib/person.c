/* person: end users — field rules, secret IDs with their lock, creation on first issuance. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "log.h"
#include "person.h"
#include "policy.h"
#include "secret.h"

int
person_locked(const struct person *p)
{
	return p->secret_failures >= PERSON_SECRET_MAX_FAILURES;
}

/* Returns 1 if every character of s is a letter, digit or one of extra. */
static int
chars_ok(const char *s, const char *extra)
{
	for (; *s != '\0'; s++)
		if (!isascii((unsigned char)*s) ||
		    (!isalnum((unsigned char)*s) && strchr(extra, *s) == NULL))
			return 0;
	return 1;
}

int
person_email_valid(const char *s)
{
	const char	*at;
	size_t		 n;

	if (s == NULL || (n = strlen(s)) < 3 || n > 128 ||
	    !chars_ok(s, ".-_@") || (at = strchr(s, '@')) == NULL ||
	    strchr(at + 1, '@') != NULL)
		return 0;
	if (at == s || at - s > 64 || *s == '.' || at[-1] == '.')
		return 0;
	for (; s < at; s++)
		if (s[0] == '.' && s[1] == '.')
			return 0;
	return policy_valid_dnsname(at + 1, 0);
}

/* Returns 1 if the space-separated list holds only valid addresses (or none). */
static int
email_list_valid(const char *list, char *bad, size_t badlen)
{
	char	*copy, *tok, *save = NULL, *p;
	int	 ok = 1;

	if ((copy = strdup(list)) == NULL)
		return 0;
	for (p = copy; ok && (tok = strtok_r(p, " ", &save)) != NULL;
	    p = NULL)
		if (!person_email_valid(tok)) {
			snprintf(bad, badlen, "%s", tok);
			ok = 0;
		}
	free(copy);
	return ok;
}

/* Checks one name field: min..128 characters of the guide's set. */
static int
name_ok(const char *what, const char *s, size_t min, char *err,
    size_t errlen)
{
	size_t	 n = strlen(s);

	if (n < min) {
		buf_msg(err, errlen, "%s is required", what);
		return 0;
	}
	if (n > 128) {
		buf_msg(err, errlen, "%s is longer than 128 characters", what);
		return 0;
	}
	if (!chars_ok(s, ".- ")) {
		buf_msg(err, errlen, "%s may hold only letters A-Z, digits, "
		    "dots, dashes and spaces", what);
		return 0;
	}
	return 1;
}

/* Returns s, or "" for NULL. */
static const char *
str(const char *s)
{
	return s != NULL ? s : "";
}

int
person_names_check(const char *first, const char *middle, const char *last,
    char *err, size_t errlen)
{
	return name_ok("the first name", str(first), 1, err, errlen) &&
	    name_ok("the middle name", str(middle), 0, err, errlen) &&
	    name_ok("the last name", str(last), 1, err, errlen);
}

int
person_fields_check(const struct person *p, char *err, size_t errlen)
{
	const char	*s;
	char		 bad[160];

	if (!person_names_check(p->first_name, p->middle_name, p->last_name,
	    err, errlen))
		return 0;
	if (str(p->email)[0] == '\0') {
		buf_msg(err, errlen, "the email address is required");
		return 0;
	}
	if (!person_email_valid(p->email)) {
		buf_msg(err, errlen, "the email address '%s' is not valid",
		    p->email);
		return 0;
	}
	if (strlen(str(p->alt_emails)) > 128) {
		buf_msg(err, errlen, "the alternative emails are longer than "
		    "128 characters");
		return 0;
	}
	if (!email_list_valid(str(p->alt_emails), bad, sizeof(bad))) {
		buf_msg(err, errlen, "the alternative email address '%s' is "
		    "not valid", bad);
		return 0;
	}
	s = str(p->validation_type);
	if (s[0] != '\0' && strcmp(s, "standard") != 0 &&
	    strcmp(s, "high") != 0) {
		buf_msg(err, errlen, "the validation type must be standard or "
		    "high");
		return 0;
	}
	s = str(p->common_name);
	if (strlen(s) > 64 || !chars_ok(s, " .,-_'@()&/")) {
		buf_msg(err, errlen, "the common name must be at most 64 "
		    "letters, digits, spaces and . , - _ ' @ ( ) & /");
		return 0;
	}
	s = str(p->phone);
	if (strlen(s) > 32 || strspn(s, "0123456789 +-().") != strlen(s) ||
	    (s[0] != '\0' && strpbrk(s, "0123456789") == NULL)) {
		buf_msg(err, errlen, "the phone number must be at most 32 "
		    "digits, spaces and + - ( ) .");
		return 0;
	}
	s = str(p->country);
	if (s[0] != '\0' && (strlen(s) != 2 || !isalpha((unsigned char)s[0]) ||
	    !isalpha((unsigned char)s[1]))) {
		buf_msg(err, errlen, "the country must be a two-letter code");
		return 0;
	}
	if (str(p->principal_name)[0] != '\0' &&
	    !person_email_valid(p->principal_name)) {
		buf_msg(err, errlen, "the principal name '%s' is not an email "
		    "address", p->principal_name);
		return 0;
	}
	if (str(p->eppn)[0] != '\0' && !person_email_valid(p->eppn)) {
		buf_msg(err, errlen, "the EPPN '%s' is not of the form "
		    "user@domain", p->eppn);
		return 0;
	}
	return 1;
}

/* Checks one address against the scope; 0 with a message naming it. */
static int
domain_ok(const struct policy_scope *sc, const char *what, const char *email,
    char *err, size_t errlen)
{
	if (policy_email_allowed(sc->dels, sc->n, sc->org_id, sc->dept_id,
	    CERT_SMIME, email))
		return 1;
	buf_msg(err, errlen, "the domain of the %s '%s' is not delegated to "
	    "the %s for client certificates", what, email,
	    sc->dept_id != 0 ? "department" : "organisation");
	return 0;
}

int
person_domains_check(struct db *db, long long customer_id,
    const struct person *p, char *err, size_t errlen)
{
	struct policy_scope	*sc;
	char			*copy, *tok, *save = NULL, *s;
	int			 ok;

	if ((sc = policy_scope_load(db, customer_id, p->org_id,
	    p->dept_id)) == NULL) {
		buf_msg(err, errlen, "cannot read the delegations");
		return 0;
	}
	ok = domain_ok(sc, "email address", p->email, err, errlen);
	if (ok && (copy = strdup(str(p->alt_emails))) != NULL) {
		for (s = copy; ok && (tok = strtok_r(s, " ", &save)) != NULL;
		    s = NULL)
			ok = domain_ok(sc, "alternative email address", tok,
			    err, errlen);
		free(copy);
	}
	policy_scope_free(sc);
	return ok;
}

void
person_default_cn(const char *first, const char *last, char *out, size_t len)
{
	snprintf(out, len, "%s%s%s", str(first),
	    str(first)[0] != '\0' && str(last)[0] != '\0' ? " " : "",
	    str(last));
}

/*
 * Spends one Argon2id verification on a hash no secret matches, so that
 * an address without a secret ID answers as slowly as one with.
 */
static void
verify_dummy(const char *secret)
{
	static char	*dummy;

	if (dummy == NULL)
		dummy = secret_hash("certdesk: no secret ID here");
	if (dummy != NULL)
		(void)secret_verify(dummy, secret);
}

enum person_secret
person_secret_check(struct db *db, long long customer_id, const char *email,
    const char *secret, struct person **out)
{
	struct person_list	*l;
	struct person		*p, *match = NULL;
	size_t			 i, with = 0, locked = 0, newly = 0;
	enum person_secret	 rc;

	*out = NULL;
	if (email == NULL || secret == NULL || secret[0] == '\0')
		return PERSON_SECRET_WRONG;
	if ((l = store_person_by_customer_email(db, customer_id, email)) ==
	    NULL)
		return PERSON_SECRET_WRONG;
	/*
	 * The same address may be a person in two organisations; whichever
	 * of them the secret ID belongs to is the one enrolling.  A locked
	 * person is never verified: the right secret must not open it.
	 */
	for (i = 0; i < l->n && match == NULL; i++) {
		p = l->items[i];
		if (p->secret_id_hash == NULL)
			continue;
		with++;
		if (person_locked(p)) {
			locked++;
			continue;
		}
		if (secret_verify(p->secret_id_hash, secret))
			match = p;
	}
	if (with == 0)
		verify_dummy(secret);
	if (match != NULL) {
		if (!store_person_secret_reset(db, match->id,
		    PERSON_SECRET_MAX_FAILURES))
			log_warn("person %lld: cannot clear the secret ID "
			    "failures", match->id);
		match->secret_failures = 0;
		for (i = 0; i < l->n; i++)
			if (l->items[i] == match)
				l->items[i] = NULL;
		*out = match;
		rc = PERSON_SECRET_OK;
	} else {
		for (i = 0; i < l->n; i++) {
			p = l->items[i];
			if (p->secret_id_hash == NULL || person_locked(p))
				continue;
			if (store_person_secret_failure(db, p->id,
			    PERSON_SECRET_MAX_FAILURES) &&
			    p->secret_failures + 1 >= PERSON_SECRET_MAX_FAILURES)
				newly++;
		}
		rc = with > 0 && locked + newly == with ?
		    PERSON_SECRET_LOCKED : PERSON_SECRET_WRONG;
	}
	store_person_list_free(l);
	return rc;
}

struct person *
person_get_or_add(struct db *db, long long org_id, long long dept_id,
    const char *email, const char *first, const char *middle,
    const char *last)
{
	struct person	*found, p;
	char		 cn[160];
	long long	 id;

	if ((found = store_person_by_email(db, org_id, email)) != NULL)
		return found;
	memset(&p, 0, sizeof(p));
	person_default_cn(first, last, cn, sizeof(cn));
	p.org_id = org_id;
	p.dept_id = dept_id;
	p.email = (char *)email;
	p.first_name = (char *)str(first);
	p.middle_name = (char *)str(middle);
	p.last_name = (char *)str(last);
	p.common_name = cn;
	if ((id = store_person_add(db, &p)) == 0)
		return NULL;
	return store_person_by_id(db, id);
}
