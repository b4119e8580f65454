/* notify: the emails of SPEC §4.7 that follow a request's life cycle. */
#ifndef CERTDESK_NOTIFY_H
#define CERTDESK_NOTIFY_H

#include "config.h"
#include "db.h"

enum notify_event {
	NOTIFY_AWAITING,	/* to the organisation's administrators */
	NOTIFY_COLLECT,		/* issued: to requester and external requesters */
	NOTIFY_DECLINED,
	NOTIFY_REVOKED,
	NOTIFY_PASS_LOCKED,	/* to the requester: passphrase locked */
	NOTIFY_AUTO_RENEWAL,	/* about the renewal request maintain made */
	NOTIFY_RENEWED,		/* to the requester: a renewal was issued */
	NOTIFY_EXPIRY		/* see notify_expiry */
};

/*
 * Sends the email for event about request id to its recipients; returns 1
 * when every message was handed over, 0 otherwise (logged; the request
 * itself stays valid and the administrator can resend).
 */
int	 notify_request(struct db *, const struct config *, long long id,
	    enum notify_event);
/*
 * Sends the expiry notice (NOTIFY_EXPIRY) of request id, days before its
 * notAfter, to the requester and external requesters; returns as
 * notify_request.
 */
int	 notify_expiry(struct db *, const struct config *, long long id,
	    int days);

/*
 * Sends the validation email of the Awaiting validation client request
 * id (guide 3.3.4.1): the link to the Account Validation page with code
 * and email, and the code itself.  Returns as notify_request.
 */
int	 notify_validation(struct db *, const struct config *, long long id,
	    const char *code);

/*
 * Mails the invitation code (in clear, from vcode_make) to the person
 * person_id for account account_id: templates/mail/invitation.cs with
 * the link <BaseURL>/customer/<uri>/validate?requestCode=CODE&email=EMAIL
 * (both URL-encoded) and the code, valid until expires.  The code goes
 * into the mail only; what the renderer held of it is cleansed.
 * Returns 1 when the message was handed over, 0 otherwise (logged
 * without the code): the caller then rolls the code back.
 */
int	 notify_invitation(struct db *, const struct config *,
	    long long person_id, long long account_id, const char *code,
	    long long expires);

/*
 * Tells the administrators of organisation org_id (dept_id, 0 for none)
 * that email could not be issued a client certificate because the key
 * escrow tiers named in missing have no key (templates/mail/
 * escrow_missing.cs).  Returns as notify_request.
 */
int	 notify_escrow_missing(struct db *, const struct config *,
	    long long org_id, long long dept_id, const char *email,
	    const char *missing);

#endif
