/* secret: random tokens, keyed hashes, slow hashes, constant-time compare, throttling. */
#ifndef CERTDESK_SECRET_H
#define CERTDESK_SECRET_H

#include <stddef.h>

struct db;

#define SECRET_HMAC_HEX		65	/* 64 hex digits and a NUL */
#define SECRET_KEY_BYTES	32

/* Guessing limits of SPEC §5. */
#define THROTTLE_LIMIT		10
#define THROTTLE_WINDOW		(15 * 60)

/*
 * Loads the server key from path, creating it (0600, random) when missing;
 * returns 1 on success.  Must be called before any keyed hash.
 */
int	 secret_init(const char *path);
/* Forgets the server key (cleansed). */
void	 secret_done(void);
/* Writes HMAC-SHA256(server key, value) as lowercase hex into out; returns 1 on success. */
int	 secret_hmac_hex(const char *value, char out[SECRET_HMAC_HEX]);
/* Returns nbytes of CSPRNG output as lowercase hex; caller frees. */
char	*secret_token(size_t nbytes);
/* Returns the Argon2id encoding of pw; caller frees. */
char	*secret_hash(const char *pw);
/* Returns 1 if pw matches the Argon2id encoding, 0 otherwise (also on error). */
int	 secret_verify(const char *encoded, const char *pw);
/* Constant-time equality of two strings (lengths compared without early exit on content). */
int	 secret_equal(const char *a, const char *b);

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
/* Takes back the attempt of a check that succeeded. */
int	 throttle_refund(struct db *, const char *scope, const char *key);
/* Forgets the key's failures (an administrator's reset). */
int	 throttle_reset(struct db *, const char *scope, const char *key);

#endif
