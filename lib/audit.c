/* audit: the audit trail every program and the CLI write through. */
#include "audit.h"
#include "log.h"
#include "store.h"

void
audit_event(struct db *db, long long customer_id, const struct actor *a,
    const char *action, const char *object, const char *outcome,
    const char *detail)
{
	if (!store_audit_add(db, customer_id, a ? a->name : "system", action,
	    object, a ? a->remote : "", outcome, detail))
		log_err("audit event %s %s not recorded", action, object);
}
