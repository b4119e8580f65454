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

#endif
