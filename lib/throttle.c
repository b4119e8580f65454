/*
 * throttle: guessing limits of SPEC 5 per (scope, key), kept in the
 * database through store so every worker of every program shares them.
 */
#include <netinet/in.h>

#include <stdio.h>
#include <string.h>

#include "clientaddr.h"
#include "log.h"
#include "store.h"
#include "throttle.h"

/*
 * Writes the throttling key for key into out: addresses count as
 * clientaddr_key says (IPv4 however it arrived, IPv6 by its /64);
 * anything else is used as it is.
 */
static void
throttle_key(const char *key, char *out, size_t len)
{
	(void)clientaddr_key(key, out, len);
}

int
throttle_blocked(struct db *db, const char *scope, const char *key)
{
	return throttle_blocked_n(db, scope, key, THROTTLE_LIMIT,
	    THROTTLE_WINDOW);
}

int
throttle_blocked_n(struct db *db, const char *scope, const char *key,
    int limit, long long window)
{
	long long	 start;
	int		 n;
	char		 k[INET6_ADDRSTRLEN + 128];

	throttle_key(key, k, sizeof(k));
	if (!store_throttle_get(db, scope, k, &start, &n))
		return 1;	/* fail closed: an unreadable counter blocks */
	if (store_now() - start >= window)
		return 0;
	return n >= limit;
}

/*
 * Adds one failure to the key's window; returns the new count, or
 * limit when the counter cannot be written (fail closed).
 * Reaching the limit restarts the window, so a key that got there is
 * refused for a whole window from that moment, however its earlier
 * failures were spread.
 */
static int
throttle_add(struct db *db, const char *scope, const char *k, int limit,
    long long window)
{
	long long	 start, now = store_now();
	int		 n;

	if (!store_throttle_get(db, scope, k, &start, &n))
		return limit;
	if (n == 0 || now - start >= window) {
		start = now;
		n = 0;
	}
	n++;
	if (n == limit)
		start = now;
	if (!store_throttle_set(db, scope, k, start, n))
		return limit;
	return n;
}

int
throttle_fail(struct db *db, const char *scope, const char *key)
{
	char	 k[INET6_ADDRSTRLEN + 128];

	throttle_key(key, k, sizeof(k));
	return throttle_add(db, scope, k, THROTTLE_LIMIT, THROTTLE_WINDOW) >=
	    THROTTLE_LIMIT;
}

int
throttle_attempt(struct db *db, const char *scope, const char *key)
{
	return throttle_attempt_n(db, scope, key, THROTTLE_LIMIT,
	    THROTTLE_WINDOW);
}

int
throttle_attempt_n(struct db *db, const char *scope, const char *key,
    int limit, long long window)
{
	char	 k[INET6_ADDRSTRLEN + 128];
	int	 own, ok = 0;

	/*
	 * Check and count in one write transaction: parallel requests then
	 * cannot all pass the check before any of them is counted.
	 */
	own = !db_in_transaction(db);
	if (own && !db_begin(db))
		return 0;
	if (!throttle_blocked_n(db, scope, key, limit, window)) {
		throttle_key(key, k, sizeof(k));
		ok = throttle_add(db, scope, k, limit, window) <= limit;
	}
	if (own && !db_commit(db)) {
		db_rollback(db);
		ok = 0;
	}
	return ok;
}

int
throttle_refund(struct db *db, const char *scope, const char *key)
{
	long long	 start;
	int		 n;
	char		 k[INET6_ADDRSTRLEN + 128];

	throttle_key(key, k, sizeof(k));
	if (!store_throttle_get(db, scope, k, &start, &n))
		return 0;
	if (n <= 0)
		return 1;
	return store_throttle_set(db, scope, k, start, n - 1);
}

int
throttle_reset(struct db *db, const char *scope, const char *key)
{
	char	 k[INET6_ADDRSTRLEN + 128];

	throttle_key(key, k, sizeof(k));
	return store_throttle_clear(db, scope, k);
}
