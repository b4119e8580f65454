/*
 * person: the rules about end users (SPEC §2 "Person") shared by the CLI
 * and the client-certificate forms: finding a person by email, checking a
 * secret ID with its lock, creating a person on first issuance.
 */
#ifndef CERTDESK_PERSON_H
#define CERTDESK_PERSON_H

#include <stddef.h>

#include "config.h"
#include "db.h"
#include "store.h"

#define PERSON_SECRET_MAX_FAILURES	10	/* then locked until `person unlock` */

enum person_secret {
	PERSON_SECRET_OK,
	PERSON_SECRET_WRONG,	/* unknown email, no secret ID, or a wrong one */
	PERSON_SECRET_LOCKED	/* too many failures; an administrator unlocks */
};

/*
 * Checks secret for the person of customer_id with email (primary, case
 * insensitive).  A wrong secret counts one failure on that person (the
 * tenth locks); a right one resets the count unless already locked.
 * Fills *out (caller frees with store_person_free) on PERSON_SECRET_OK.
 * The failure that locks answers PERSON_SECRET_LOCKED already, so the
 * form can say so at once.  An unknown email costs the same Argon2id
 * verification as a known one.  Runs inside or outside a transaction.
 */
enum person_secret person_secret_check(struct db *, long long customer_id,
		    const char *email, const char *secret, struct person **out);
/*
 * Returns the person of org_id with email, creating it from the given
 * names (inside the caller's transaction) when there is none; the caller
 * frees it with store_person_free.  NULL on a database error.
 */
struct person	*person_get_or_add(struct db *, long long org_id,
		    long long dept_id, const char *email, const char *first,
		    const char *middle, const char *last);

/* Returns 1 when the person's secret ID is locked by failures. */
int		 person_locked(const struct person *);
/*
 * Returns 1 if s is an email address as the guide's person rules allow:
 * 3 to 128 characters of A-Z a-z 0-9 . - _ and one @, a local part of at
 * most 64 without leading, trailing or double dots, a host name after.
 */
int		 person_email_valid(const char *s);
/*
 * Checks the fields of p against the guide's rules for persons (guide
 * 3.3.3.1-2): first and last name 1-128 of A-Z a-z 0-9 . - space, middle
 * name 0-128 of those, primary and alternative emails (space separated)
 * as person_email_valid, validation type standard or high, common name
 * (at most 64, no control characters), phone (at most 32 of digits,
 * spaces and + - ( ) .), country (two letters or none), principal name
 * and EPPN (an email address or none).  Returns 1, or 0 with the
 * reason in err.
 */
int		 person_fields_check(const struct person *p, char *err,
		    size_t errlen);
/*
 * The name rules of person_fields_check alone (NULL is ""), for forms
 * that create a person later: returns 1, or 0 with the reason in err.
 */
int		 person_names_check(const char *first, const char *middle,
		    const char *last, char *err, size_t errlen);
/*
 * Checks that the person's primary and alternative email domains are
 * delegated, enabled for client certificates, to p's organisation (or,
 * with p->dept_id, to that department or the whole organisation).
 * Returns 1, or 0 with the reason naming the address in err.
 */
int		 person_domains_check(struct db *, long long customer_id,
		    const struct person *p, char *err, size_t errlen);
/* Writes "First Last" (the guide's default common name) into out. */
void		 person_default_cn(const char *first, const char *last,
		    char *out, size_t len);

#endif
