/*
 * maintain: the periodic jobs of SPEC 4.8 behind `certdesk maintain` —
 * auto-renewal, expiry notices, Issued to Expired, purges, CRL freshness.
 * Each job takes every action with a claim (a conditional UPDATE or
 * INSERT in a BEGIN IMMEDIATE transaction) and acts only when the claim
 * changed a row, so a second run, also one at the same time, does
 * nothing twice.
 */
#ifndef CERTDESK_MAINTAIN_H
#define CERTDESK_MAINTAIN_H

#include "config.h"
#include "db.h"

/* What a job did (or, with dry_run, would do). */
enum maintain_action {
	MAINT_RENEWED,		/* id: old certificate, detail: new request */
	MAINT_NOTICE,		/* id: certificate, n: threshold in days */
	MAINT_EXPIRED,		/* id: certificate */
	MAINT_UNVALIDATED,	/* id: request whose validation code expired */
	MAINT_PURGED,		/* id: "codes", "p12" or "bulk", n: how many */
	MAINT_CRL,		/* id: customer/CA, n: crlNumber (0 in a dry run) */
	MAINT_FAILED		/* id: what, detail: why */
};

struct maintain_event {
	enum maintain_action	 action;
	const char		*id;
	const char		*detail;	/* "" when none */
	long long		 n;
};

/* One run: its inputs, its reporter and what failed. */
struct maintain {
	struct db		*db;
	const struct config	*cfg;
	long long		 now;		/* store_now() */
	int			 dry_run;	/* report, change and send nothing */
	void			(*report)(void *arg, const struct maintain_event *);
	void			*arg;
	int			 failed;	/* failures so far */
};

/*
 * Each job returns how many actions it took (would take), reporting each;
 * failures are reported, counted in m->failed, and the job goes on.
 */
/* Starts the renewal of SSL certificates with auto_renew that are due. */
int	 maintain_renewals(struct maintain *m);
/* Sends expiry notices at the thresholds of Notify.ExpiryDays. */
int	 maintain_notices(struct maintain *m);
/*
 * Marks Issued certificates past notAfter Expired, and requests whose
 * validation code expired unused too.
 */
int	 maintain_expire(struct maintain *m);
/* Deletes expired codes, PKCS#12 pick-ups and bulk download material. */
int	 maintain_purge(struct maintain *m);
/* Republishes every CA's CRL that is missing or near its nextUpdate. */
int	 maintain_crls(struct maintain *m);
/* Runs every job in that order; returns 1 when nothing failed. */
int	 maintain_run(struct maintain *m);

#endif
