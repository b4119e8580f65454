/*
 * vcode: the single-use codes mailed to a person — validation codes after
 * an access-code enrollment (7 days) and invitation codes (30 days).
 * Only an HMAC of a code is stored; a code is checked in constant time
 * (by looking up its HMAC) and consumed inside the caller's transaction.
 */
#ifndef CERTDESK_VCODE_H
#define CERTDESK_VCODE_H

#include <stddef.h>

#include "db.h"

enum vcode_kind {
	VCODE_VALIDATION,
	VCODE_INVITATION
};

/* What a code row says. */
struct vcode {
	long long	 id;
	enum vcode_kind	 kind;
	long long	 request_id;	/* validation: the Awaiting validation request */
	long long	 person_id;	/* invitation: the invited person */
	long long	 account_id;	/* the account whose rules apply */
	char		*email;
	long long	 expires;
	long long	 used_at;	/* 0 while unused */
};

enum vcode_check {
	VCODE_OK,
	VCODE_UNKNOWN,		/* no such code, or another email */
	VCODE_EXPIRED,
	VCODE_USED
};

/*
 * Makes a code of kind for email (≥ 128 bits from the CSPRNG, printed as
 * 32 characters of Crockford base32), stores its HMAC with the ids and an
 * expiry ttl seconds from now inside the caller's transaction, and returns
 * the code in clear for the mail (caller cleanses and frees), or NULL.
 */
char		*vcode_make(struct db *, enum vcode_kind, long long request_id,
		    long long person_id, long long account_id,
		    const char *email, long ttl);
/*
 * Looks up code for email (case-insensitive email, code as typed: spaces
 * and dashes ignored, case-insensitive); fills *out (free with
 * vcode_free) when the answer is VCODE_OK, VCODE_EXPIRED or VCODE_USED.
 */
enum vcode_check vcode_find(struct db *, enum vcode_kind, const char *code,
		    const char *email, struct vcode *out);
/*
 * Reads code row id again, as vcode_find does, for a form that carries
 * the row's id in a signed token instead of the code: the same answers,
 * VCODE_UNKNOWN also when the row is gone or of another kind.
 */
enum vcode_check vcode_by_id(struct db *, enum vcode_kind, long long id,
		    const char *email, struct vcode *out);
/*
 * Marks code row id used at now inside the caller's transaction, only if
 * it is still unused; returns 1, or 0 when another request used it first.
 */
int		 vcode_consume(struct db *, long long id);
/*
 * Returns how many unused, unexpired validation codes of requests still
 * Awaiting validation were mailed to email (case-insensitive), or -1.
 */
int		 vcode_pending(struct db *, const char *email);
/* Frees what a vcode holds; NULL-safe. */
void		 vcode_free(struct vcode *);

#endif
