/* audit: who did what to which record, kept in the database for the administrator. */
#ifndef CERTDESK_AUDIT_H
#define CERTDESK_AUDIT_H

struct db;

/* Who acts, for the audit log: "admin", an email, "scep:<transactionID>". */
struct actor {
	const char	*name;
	const char	*remote;	/* remote address or "" */
};

/*
 * Records an audit event; a failure is logged, never returned, because
 * the action it describes has already happened.
 */
void	 audit_event(struct db *, long long customer_id, const struct actor *,
	    const char *action, const char *object, const char *outcome,
	    const char *detail);

#endif
