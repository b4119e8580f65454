/*
 * app: what every web program sets up once per process (configuration,
 * server key, database) and once per request (the customer from the URL).
 */
#ifndef CERTDESK_APP_H
#define CERTDESK_APP_H

#include "config.h"
#include "db.h"
#include "store.h"
#include "web.h"

struct app {
	const struct config	*cfg;	/* borrowed from web */
	struct db		*db;	/* one connection per worker process */
};

/* Initialises web, the server key and the database; returns 1 on success. */
int		 app_init(struct app *, const char *prog);
/* Closes what app_init opened. */
void		 app_done(struct app *);
/*
 * Returns the customer named in the URL (caller frees) and sets
 * Customer.Name; answers 404 itself and returns NULL when there is none.
 */
struct customer	*app_customer(struct app *, struct req *);
/*
 * Returns a token binding purpose, an id and a string (e.g. an account and
 * an email) for ttl seconds, HMAC'ed with the server key (caller frees).
 */
char		*app_token_make(const char *purpose, long long id,
		    const char *bound, long ttl);
/*
 * Verifies a token from app_token_make for purpose and bound; returns the
 * id it carries, or 0 when it is forged, altered or expired.
 */
long long	 app_token_check(const char *token, const char *purpose,
		    const char *bound);

#endif
