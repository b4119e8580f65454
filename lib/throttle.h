/* throttle: guessing limits per address and per secret, on top of store. */
#ifndef CERTDESK_THROTTLE_H
#define CERTDESK_THROTTLE_H

struct db;

/* Guessing limits of SPEC §5. */
#define THROTTLE_LIMIT		10
#define THROTTLE_WINDOW		(15LL * 60)

/*
 * Throttling by (scope, key), e.g. ("access-code", "203.0.113.7"): a key is
 * blocked once it has THROTTLE_LIMIT failures inside a window that starts
 * at its first failure; reaching the limit restarts the window, so the
 * block lasts a whole window.  Addresses count as clientaddr_key says:
 * IPv4 (also IPv4-mapped or NAT64) by itself, IPv6 by its /64.
 */
/* Returns 1 if the key is blocked now. */
int	 throttle_blocked(struct db *, const char *scope, const char *key);
/* Records a failure; returns 1 if the key is now blocked. */
int	 throttle_fail(struct db *, const char *scope, const char *key);
/*
 * Counts an attempt before a slow check (Argon2): returns 1 if the key may
 * try (the attempt is then counted as a failure until refunded), 0 if it
 * is blocked.  Check and count are one transaction, so parallel requests
 * cannot slip past the limit together.
 */
int	 throttle_attempt(struct db *, const char *scope, const char *key);
/*
 * throttle_blocked and throttle_attempt with their own limit and window
 * (seconds), for counts that are not guesses, such as submissions of a
 * form that needs no secret; the key's counter is shared with the other
 * calls on the same scope, so a scope keeps to one limit.
 */
int	 throttle_blocked_n(struct db *, const char *scope, const char *key,
	    int limit, long long window);
int	 throttle_attempt_n(struct db *, const char *scope, const char *key,
	    int limit, long long window);
/* Takes back the attempt of a check that succeeded. */
int	 throttle_refund(struct db *, const char *scope, const char *key);
/* Forgets the key's failures (an administrator's reset). */
int	 throttle_reset(struct db *, const char *scope, const char *key);

#endif
