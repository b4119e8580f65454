/*
 * clientform: the rules of the client (S/MIME) certificate forms (SPEC
 * 4.2) that the smime and validate programs share: what an enrollment
 * form must hold, the PKCS#12 password rule, recording an access-code
 * enrollment until its email is validated, the account that serves a
 * person who enrolls by secret ID, and finding a person's certificates
 * by their passphrase for renewal and revocation.
 */
#ifndef CERTDESK_CLIENTFORM_H
#define CERTDESK_CLIENTFORM_H

#include <stddef.h>

#include "audit.h"
#include "config.h"
#include "csr.h"
#include "db.h"
#include "enroll.h"
#include "policy.h"
#include "store.h"
#include "vcode.h"

#define CLIENTFORM_NAME_MAX	64	/* first + last name (guide 2436) */
#define CLIENTFORM_PASSWORD_MIN	8	/* PKCS#12 password (guide 2700) */

/* What a client enrollment form submitted, its fields already typed. */
struct clientform_input {
	const struct profile	*prof;	/* NULL: not one of the account's */
	int			 term;	/* days; 0 when not a number */
	const char		*key_type; /* as sent: "rsa2048", ... */
	int			 names;	/* the form asks for the names below */
	const char		*first, *middle, *last;
	const char		*email;
	int			 user_csr; /* the account takes the user's CSR */
	const struct csr	*csr;	/* user_csr: NULL when csr_err says why */
	const char		*csr_err;
	int			 passphrase; /* the form asks for a passphrase */
	const char		*pass, *pass2;
	int			 eula;
};

/*
 * Checks a submitted client enrollment form in the order the form shows
 * its fields: names, email (delegated for S/MIME in the scope), profile,
 * term, key type (the profile's) or the CSR (the S/MIME rule, its key
 * allowed by the profile, its address the email), passphrase, EULA.
 * Returns 1 with the key type in *kt (KEY_NONE with a CSR), or 0 with
 * the first failure's message in err.
 */
int	 clientform_check(const struct policy_scope *,
	    const struct clientform_input *, enum key_type *kt, char *err,
	    size_t errlen);
/*
 * The PKCS#12 password rule (SPEC 4.2): the same twice, at least
 * CLIENTFORM_PASSWORD_MIN characters, not the email, and not the
 * passphrase (given in clear, or as its Argon2 hash when only that is
 * known; either may be NULL); empty only when allow_empty.  Returns 1,
 * or 0 with a message in err.
 */
int	 clientform_check_password(const char *pw, const char *pw2,
	    const char *email, const char *passphrase,
	    const char *passphrase_hash, int allow_empty, char *err,
	    size_t errlen);
/*
 * Fills out with the key types prof offers a server-made key, strongest
 * last as listed in csr.h (an empty list offers them all); returns how
 * many (at most 5).
 */
size_t	 clientform_key_types(const struct profile *prof, enum key_type out[5]);
/* Returns the name "First Middle Last" of a certificate (caller frees). */
char	*clientform_full_name(const char *first, const char *middle,
	    const char *last);

/* An access-code enrollment waiting for its email to be validated. */
struct clientform_pending {
	long long		 customer_id;
	const struct account	*acc;
	const struct profile	*prof;
	int			 term;
	enum key_type		 kt;	/* KEY_NONE with a CSR */
	const struct csr	*csr;	/* user-CSR accounts, else NULL */
	const char		*first, *middle, *last, *email;
	const char		*pass;	/* the renewal passphrase, hashed here */
	const char		*passphrase_hash; /* a renewal: the old one's, in place of pass */
	long long		 renewal_of;	/* the certificate this renews, or 0 */
};

/* Unused validation mails an address may hold before another is refused. */
#define CLIENTFORM_PENDING_MAX	3

/* What clientform_submit did. */
struct clientform_result {
	long long	 request_id;
	int		 mailed;	/* the validation email was handed over */
	int		 refused;	/* 0 returned: for the person, not a fault */
};

/*
 * Records p as a request "Awaiting validation" with its client details
 * and a validation code (config_validation_ttl) in one
 * transaction, then sends the validation email (which says so when p
 * renews a certificate).  Returns 1 with res
 * filled (a mail failure is logged and reported in res, the request
 * stays), or 0 with a message in err and nothing recorded; res->refused
 * then says the message is for the person, not a fault: a key escrow tier
 * the organisation requires has no key yet (the key made at validation
 * could not be escrowed), or CLIENTFORM_PENDING_MAX validation mails to
 * the address can still be used.
 */
int	 clientform_submit(struct db *, const struct config *,
	    const struct clientform_pending *, const struct actor *,
	    struct clientform_result *res, char *err, size_t errlen);

/*
 * Returns the account of endpoint_id that serves a person of org_id and
 * dept_id enrolling by secret ID or invitation (caller frees), or NULL:
 * an account of the person's department first, then one of the whole
 * organisation, the oldest of each.
 */
struct account *clientform_person_account(struct db *, long long endpoint_id,
	    long long org_id, long long dept_id);

/*
 * Finds the customer's unexpired client certificates of email, issued or
 * revoked (a renewal must say why it refuses one), whose passphrase is
 * pass (SPEC 5): the attempt is counted per address in
 * scope before the Argon2 checks and refunded on success; a miss counts
 * one failure on each of the email's certificates, the tenth locks it
 * (its requester is told once), and a locked certificate never matches.
 * With org_id, only certificates of that organisation count.  Returns
 * PASS_OK with *out (caller frees, never empty), or why not.
 */
enum pass_check clientform_passphrase(struct db *, const struct config *,
	    long long customer_id, long long org_id, const char *scope,
	    const char *remote, const char *email, const char *pass,
	    struct request_list **out);

/*
 * A checked validation or invitation code: what the validation page
 * carries from the request that checked the code to the one that issues,
 * as the reference a signed token binds ("v.CODE.REQUEST.ACCOUNT" or
 * "i.CODE.PERSON.ACCOUNT"), never the code itself.
 */
struct clientform_code {
	enum vcode_kind	 kind;
	long long	 vcode_id;
	long long	 request_id;	/* validation */
	long long	 person_id;	/* invitation */
	long long	 account_id;
	long long	 expires;	/* from the lookup; not in the reference */
};

/* Writes the reference of k into out. */
void	 clientform_ref_make(const struct clientform_code *k, char *out,
	    size_t len);
/*
 * Reads a reference (outside input: a form field) into k; returns 1 when
 * it is exactly one of the two forms with positive ids, else 0.
 */
int	 clientform_ref_parse(const char *ref, struct clientform_code *k);

#endif
