/* secret: random tokens, keyed hashes, slow hashes, constant-time compare; pure crypto. */
#ifndef CERTDESK_SECRET_H
#define CERTDESK_SECRET_H

#include <stddef.h>

#define SECRET_HMAC_HEX		65	/* 64 hex digits and a NUL */
#define SECRET_KEY_BYTES	32

/*
 * Loads the server key from path, creating it (0600, random) when missing;
 * returns 1 on success.  Must be called before any keyed hash.
 */
int	 secret_init(const char *path);
/*
 * Loads the server key from path, which must exist: the web programs
 * never make one, since a new key silently invalidates every stored
 * access code and token.  Returns 1 on success.
 */
int	 secret_load(const char *path);
/*
 * Keeps the process's memory (server key, passphrases, private keys) out
 * of core files and other users' ptrace/proc reads: no core dumps, not
 * dumpable.  Called once at startup of every program; returns 1, or 0
 * (logged) when the kernel refused.
 */
int	 secret_no_dumps(void);
/* Forgets the server key (cleansed). */
void	 secret_done(void);
/* Writes HMAC-SHA256(server key, value) as lowercase hex into out; returns 1 on success. */
int	 secret_hmac_hex(const char *value, char out[SECRET_HMAC_HEX]);
/* Returns nbytes of CSPRNG output as lowercase hex; caller frees. */
char	*secret_token(size_t nbytes);
/* Writes nbytes of CSPRNG output as lowercase hex and a NUL into out (2 * nbytes + 1, nbytes <= 64); returns 1, 0 on error (logged). */
int	 secret_random_hex(char *out, size_t nbytes);
/* Fills p with n bytes from the kernel's CSPRNG; returns 1, 0 on error (logged). */
int	 secret_random(void *p, size_t n);
/* Writes n bytes as lowercase hex and a NUL into out (2n + 1 bytes). */
void	 secret_hex(const void *bytes, size_t n, char *out);
/* Returns the Argon2id encoding of pw; caller frees. */
char	*secret_hash(const char *pw);
/* Returns 1 if pw matches the Argon2id encoding, 0 otherwise (also on error). */
int	 secret_verify(const char *encoded, const char *pw);
/* Constant-time equality of two strings (lengths compared without early exit on content). */
int	 secret_equal(const char *a, const char *b);

#endif
