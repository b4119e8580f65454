/* test_secret: server key, keyed hashes, tokens, Argon2id, compare, throttling. */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "db.h"
#include "log.h"
#include "secret.h"
#include "throttle.h"
#include "store.h"
#include "fixture.h"
#include "unit.h"

/* Creates a fresh private directory for keys and databases. */
static void
fx_setup(void)
{
	CU_ASSERT_FATAL(fixture_dir_new("secret") != NULL);
}

/* Writes the path of name in the test directory into out. */
static void
fx_path(char *out, size_t len, const char *name)
{
	fixture_path(out, len, name);
}

/* Removes the directory and every file in it; forgets the key and the clock. */
static void
fx_teardown(void)
{
	fixture_done();
}

/* Returns 1 if s is exactly n lowercase hex digits. */
static int
is_hex(const char *s, size_t n)
{
	size_t	 i;

	if (strlen(s) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* Reads exactly SECRET_KEY_BYTES from path into key; returns 1 if the file has exactly that many. */
static int
read_key(const char *path, unsigned char key[SECRET_KEY_BYTES])
{
	FILE	*f;
	size_t	 n;
	int	 extra;

	if ((f = fopen(path, "rb")) == NULL)
		return 0;
	n = fread(key, 1, SECRET_KEY_BYTES, f);
	extra = fgetc(f);
	fclose(f);
	return n == SECRET_KEY_BYTES && extra == EOF;
}

/* The key file is created private, is 32 random bytes, and is reused. */
static void
test_key_file(void)
{
	struct stat	 sb;
	char		 path[128], path2[128];
	char		 h1[SECRET_HMAC_HEX], h2[SECRET_HMAC_HEX];
	char		 h3[SECRET_HMAC_HEX];
	unsigned char	 k1[SECRET_KEY_BYTES], k1again[SECRET_KEY_BYTES];
	unsigned char	 k2[SECRET_KEY_BYTES];
	mode_t		 old;

	fx_setup();
	fx_path(path, sizeof(path), "server.key");
	fx_path(path2, sizeof(path2), "other.key");

	/* A permissive umask must not leak into the key's mode. */
	old = umask(0);
	CU_ASSERT_FATAL(secret_init(path) == 1);
	umask(old);
	CU_ASSERT_FATAL(stat(path, &sb) == 0);
	CU_ASSERT(S_ISREG(sb.st_mode));
	CU_ASSERT_EQUAL(sb.st_mode & 07777, 0600);
	CU_ASSERT_EQUAL(sb.st_size, SECRET_KEY_BYTES);
	CU_ASSERT_FATAL(read_key(path, k1));
	CU_ASSERT_FATAL(secret_hmac_hex("access-code-1", h1));

	/* Reloading (a restarted worker) gives the very same hashes. */
	secret_done();
	CU_ASSERT_EQUAL(secret_hmac_hex("access-code-1", h2), 0);
	CU_ASSERT_FATAL(secret_init(path) == 1);
	CU_ASSERT_FATAL(secret_hmac_hex("access-code-1", h2));
	CU_ASSERT_STRING_EQUAL(h1, h2);
	CU_ASSERT_FATAL(read_key(path, k1again));
	CU_ASSERT(memcmp(k1, k1again, sizeof(k1)) == 0);

	/* Another installation's key gives other hashes. */
	secret_done();
	CU_ASSERT_FATAL(secret_init(path2) == 1);
	CU_ASSERT_FATAL(read_key(path2, k2));
	CU_ASSERT(memcmp(k1, k2, sizeof(k1)) != 0);
	CU_ASSERT_FATAL(secret_hmac_hex("access-code-1", h3));
	CU_ASSERT_STRING_NOT_EQUAL(h1, h3);

	/* And back again: the first key still yields the first hash. */
	secret_done();
	CU_ASSERT_FATAL(secret_init(path) == 1);
	CU_ASSERT_FATAL(secret_hmac_hex("access-code-1", h2));
	CU_ASSERT_STRING_EQUAL(h1, h2);
	fx_teardown();
}

/* A key file of the wrong size is refused instead of silently used. */
static void
test_key_file_bad(void)
{
	char	 path[128], h[SECRET_HMAC_HEX];
	FILE	*f;

	fx_setup();
	fx_path(path, sizeof(path), "short.key");
	CU_ASSERT_FATAL((f = fopen(path, "wb")) != NULL);
	fputs("too short", f);
	fclose(f);
	CU_ASSERT_EQUAL(secret_init(path), 0);
	CU_ASSERT_EQUAL(secret_hmac_hex("x", h), 0);
	/* A missing directory cannot hold a new key. */
	CU_ASSERT_EQUAL(secret_init("/nonexistent-dir/server.key"), 0);
	CU_ASSERT_EQUAL(secret_hmac_hex("x", h), 0);
	fx_teardown();
}

/* The web programs load the key and never make one: a missing key is an error. */
static void
test_key_load_never_creates(void)
{
	char		 path[128], h[SECRET_HMAC_HEX];
	struct stat	 st;

	fx_setup();
	fx_path(path, sizeof(path), "missing.key");
	CU_ASSERT_EQUAL(secret_load(path), 0);
	CU_ASSERT_EQUAL(stat(path, &st), -1);
	CU_ASSERT_EQUAL(secret_hmac_hex("x", h), 0);
	CU_ASSERT_FATAL(secret_init(path) == 1);
	CU_ASSERT_EQUAL(secret_load(path), 1);
	CU_ASSERT_EQUAL(secret_hmac_hex("x", h), 1);
	fx_teardown();
}

/*
 * A failed reload must not leave the old key half-overwritten and still in
 * use: hashes made then would match nothing stored, or worse, be made
 * under a predictable (cleansed, all-zero) key.
 */
static void
test_key_reload_fails_closed(void)
{
	char	 good[128], bad[128], h[SECRET_HMAC_HEX];
	FILE	*f;

	fx_setup();
	fx_path(good, sizeof(good), "server.key");
	fx_path(bad, sizeof(bad), "short.key");
	CU_ASSERT_FATAL((f = fopen(bad, "wb")) != NULL);
	fputs("0123456789", f);
	fclose(f);

	CU_ASSERT_FATAL(secret_init(good) == 1);
	CU_ASSERT_FATAL(secret_hmac_hex("x", h));
	CU_ASSERT_EQUAL(secret_init(bad), 0);
	CU_ASSERT_EQUAL(secret_hmac_hex("x", h), 0);

	CU_ASSERT_FATAL(secret_init(good) == 1);
	CU_ASSERT_EQUAL(secret_init("/nonexistent-dir/server.key"), 0);
	CU_ASSERT_EQUAL(secret_hmac_hex("x", h), 0);
	fx_teardown();
}

/* The keyed hash is HMAC-SHA256 under the key file, as 64 lowercase hex digits. */
static void
test_hmac_hex(void)
{
	char		 path[128], h[SECRET_HMAC_HEX], h2[SECRET_HMAC_HEX];
	char		 expect[SECRET_HMAC_HEX];
	unsigned char	 key[SECRET_KEY_BYTES], mac[32];
	size_t		 maclen = 0, i;
	const char	*value = "K7Q-93XZ-ACCESS";

	fx_setup();
	fx_path(path, sizeof(path), "server.key");
	CU_ASSERT_FATAL(secret_init(path) == 1);
	CU_ASSERT_FATAL(read_key(path, key));

	CU_ASSERT_FATAL(secret_hmac_hex(value, h));
	CU_ASSERT(is_hex(h, 64));
	/* Independent computation of the same MAC. */
	CU_ASSERT_FATAL(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key,
	    sizeof(key), (const unsigned char *)value, strlen(value), mac,
	    sizeof(mac), &maclen) != NULL);
	CU_ASSERT_FATAL(maclen == 32);
	for (i = 0; i < maclen; i++)
		snprintf(expect + 2 * i, 3, "%02x", mac[i]);
	CU_ASSERT_STRING_EQUAL(h, expect);

	/* Deterministic, and sensitive to every character. */
	CU_ASSERT_FATAL(secret_hmac_hex(value, h2));
	CU_ASSERT_STRING_EQUAL(h, h2);
	CU_ASSERT_FATAL(secret_hmac_hex("K7Q-93XZ-ACCESs", h2));
	CU_ASSERT_STRING_NOT_EQUAL(h, h2);
	CU_ASSERT_FATAL(secret_hmac_hex("", h2));
	CU_ASSERT(is_hex(h2, 64));
	CU_ASSERT_STRING_NOT_EQUAL(h, h2);
	fx_teardown();
}

/* Tokens are fresh lowercase hex of twice the requested bytes. */
static void
test_tokens(void)
{
	char	*a, *b, *c;

	a = secret_token(12);
	b = secret_token(12);
	CU_ASSERT_FATAL(a != NULL && b != NULL);
	CU_ASSERT(is_hex(a, 24));
	CU_ASSERT(is_hex(b, 24));
	CU_ASSERT_STRING_NOT_EQUAL(a, b);
	c = secret_token(32);
	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT(is_hex(c, 64));
	free(a);
	free(b);
	free(c);
	CU_ASSERT_PTR_NULL(secret_token(0));
	c = secret_token(1);
	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT(is_hex(c, 2));
	free(c);
	CU_ASSERT_PTR_NULL(secret_token(65));
}

/* Hex is two lowercase digits a byte, high nibble first, NUL-ended. */
static void
test_hex(void)
{
	const unsigned char	 b[] = { 0x00, 0x0f, 0xa5, 0xff, 0x10 };
	char			 out[2 * sizeof(b) + 2], r1[129], r2[129];

	memset(out, 'Z', sizeof(out));
	secret_hex(b, sizeof(b), out);
	CU_ASSERT_STRING_EQUAL(out, "000fa5ff10");
	CU_ASSERT_EQUAL(out[sizeof(out) - 1], 'Z');
	secret_hex(b, 0, out);
	CU_ASSERT_STRING_EQUAL(out, "");
	CU_ASSERT_EQUAL(secret_random_hex(r1, 64), 1);
	CU_ASSERT_EQUAL(secret_random_hex(r2, 64), 1);
	CU_ASSERT(is_hex(r1, 128));
	CU_ASSERT_STRING_NOT_EQUAL(r1, r2);
	CU_ASSERT_EQUAL(secret_random_hex(r1, 0), 0);
	CU_ASSERT_EQUAL(secret_random_hex(r1, 65), 0);
}

/* Returns the number after "tag=" in an Argon2 encoding, or -1. */
static long
argon_param(const char *enc, const char *tag)
{
	const char	*p = strstr(enc, tag);

	if (p == NULL)
		return -1;
	return strtol(p + strlen(tag), NULL, 10);
}

/* Argon2id accepts the password, rejects others and tampered encodings. */
static void
test_argon2id(void)
{
	const char	*pw = "correct horse battery staple";
	char		*h1, *h2, *bad;
	size_t		 n;

	h1 = secret_hash(pw);
	h2 = secret_hash(pw);
	CU_ASSERT_FATAL(h1 != NULL && h2 != NULL);
	CU_ASSERT_EQUAL(strncmp(h1, "$argon2id$", 10), 0);
	/* At least the OWASP minimum cost: 19 MiB, 2 passes. */
	CU_ASSERT(argon_param(h1, "m=") >= 19 * 1024);
	CU_ASSERT(argon_param(h1, "t=") >= 2);
	/* A fresh salt each time: equal passwords do not give equal hashes. */
	CU_ASSERT_STRING_NOT_EQUAL(h1, h2);

	CU_ASSERT_EQUAL(secret_verify(h1, pw), 1);
	CU_ASSERT_EQUAL(secret_verify(h2, pw), 1);
	CU_ASSERT_EQUAL(secret_verify(h1, "correct horse battery stapl"), 0);
	CU_ASSERT_EQUAL(secret_verify(h1, "correct horse battery staple "), 0);
	CU_ASSERT_EQUAL(secret_verify(h1, ""), 0);

	/* Change one character of the digest (the last field). */
	bad = strdup(h1);
	CU_ASSERT_FATAL(bad != NULL);
	n = strlen(bad);
	bad[n - 2] = bad[n - 2] == 'A' ? 'B' : 'A';
	CU_ASSERT_EQUAL(secret_verify(bad, pw), 0);
	free(bad);
	/* Change the salt. */
	bad = strdup(h1);
	CU_ASSERT_FATAL(bad != NULL);
	n = (size_t)(strrchr(bad, '$') - bad);
	bad[n - 2] = bad[n - 2] == 'A' ? 'B' : 'A';
	CU_ASSERT_EQUAL(secret_verify(bad, pw), 0);
	free(bad);
	/* The same digest claimed as Argon2i is not accepted either. */
	bad = strdup(h1);
	CU_ASSERT_FATAL(bad != NULL);
	memmove(bad + 8, bad + 9, strlen(bad + 9) + 1);	/* "$argon2i$..." */
	CU_ASSERT_EQUAL(secret_verify(bad, pw), 0);
	free(bad);
	CU_ASSERT_EQUAL(secret_verify("$argon2id$garbage", pw), 0);
	CU_ASSERT_EQUAL(secret_verify("", pw), 0);
	CU_ASSERT_EQUAL(secret_verify(NULL, pw), 0);
	CU_ASSERT_EQUAL(secret_verify(h1, NULL), 0);

	/* An empty passphrase is still hashed and verified like any other. */
	free(h2);
	h2 = secret_hash("");
	CU_ASSERT_FATAL(h2 != NULL);
	CU_ASSERT_EQUAL(secret_verify(h2, ""), 1);
	CU_ASSERT_EQUAL(secret_verify(h2, pw), 0);
	free(h1);
	free(h2);
}

/* Equality is exact: same content and same length. */
static void
test_equal(void)
{
	CU_ASSERT_EQUAL(secret_equal("abc123", "abc123"), 1);
	CU_ASSERT_EQUAL(secret_equal("", ""), 1);
	CU_ASSERT_EQUAL(secret_equal("abc123", "abc124"), 0);
	CU_ASSERT_EQUAL(secret_equal("xbc123", "abc123"), 0);
	/* A common prefix is not a match, in either order. */
	CU_ASSERT_EQUAL(secret_equal("abc", "abc123"), 0);
	CU_ASSERT_EQUAL(secret_equal("abc123", "abc"), 0);
	CU_ASSERT_EQUAL(secret_equal("", "a"), 0);
	CU_ASSERT_EQUAL(secret_equal("a", ""), 0);
	CU_ASSERT_EQUAL(secret_equal("ABC", "abc"), 0);
}

/* Sets the clock store_now() reports. */
static void
set_now(long long t)
{
	char	 s[32];

	snprintf(s, sizeof(s), "%lld", t);
	CU_ASSERT_FATAL(setenv("CERTDESK_NOW", s, 1) == 0);
}

/* Opens a fresh database in tmpdir; caller closes. */
static struct db *
open_db(void)
{
	char		 path[128];
	struct db	*db;

	fx_path(path, sizeof(path), "certdesk.db");
	db = db_open(path);
	CU_ASSERT_FATAL(db != NULL);
	return db;
}

#define T0	1700000000LL

/* Ten failures block for the rest of a 15-minute window from the first one. */
static void
test_throttle_window(void)
{
	struct db	*db;
	const char	*sc = "access-code", *ip = "203.0.113.7";
	long long	 start;
	int		 i, n;

	fx_setup();
	db = open_db();
	set_now(T0);
	CU_ASSERT_EQUAL(throttle_blocked(db, sc, ip), 0);
	for (i = 1; i <= 9; i++) {
		/* Spread over the window: it starts at the first failure. */
		set_now(T0 + (i - 1) * 60);
		CU_ASSERT_EQUAL(throttle_fail(db, sc, ip), 0);
		CU_ASSERT_EQUAL(throttle_blocked(db, sc, ip), 0);
	}
	set_now(T0 + 600);
	CU_ASSERT_EQUAL(throttle_fail(db, sc, ip), 1);
	CU_ASSERT_EQUAL(throttle_blocked(db, sc, ip), 1);

	/* The block lasts a whole window from the tenth failure. */
	set_now(T0 + 600 + THROTTLE_WINDOW - 1);
	CU_ASSERT_EQUAL(throttle_blocked(db, sc, ip), 1);
	/* Further guesses while blocked stay blocked. */
	CU_ASSERT_EQUAL(throttle_fail(db, sc, ip), 1);
	CU_ASSERT_EQUAL(throttle_blocked(db, sc, ip), 1);

	set_now(T0 + 600 + THROTTLE_WINDOW);
	CU_ASSERT_EQUAL(throttle_blocked(db, sc, ip), 0);
	/* The next failure opens a new window with a count of one. */
	CU_ASSERT_EQUAL(throttle_fail(db, sc, ip), 0);
	CU_ASSERT_EQUAL(throttle_blocked(db, sc, ip), 0);
	CU_ASSERT_FATAL(store_throttle_get(db, sc, ip, &start, &n));
	CU_ASSERT_EQUAL(start, T0 + 600 + THROTTLE_WINDOW);
	CU_ASSERT_EQUAL(n, 1);
	for (i = 2; i <= 9; i++)
		CU_ASSERT_EQUAL(throttle_fail(db, sc, ip), 0);
	CU_ASSERT_EQUAL(throttle_fail(db, sc, ip), 1);
	CU_ASSERT_EQUAL(throttle_blocked(db, sc, ip), 1);
	db_close(db);
	fx_teardown();
}

/* An explicit limit and window: every attempt counts, the one past the limit is refused. */
static void
test_throttle_attempt_n(void)
{
	struct db	*db;
	const char	*sc = "device-submit", *ip = "203.0.113.9";
	int		 i;

	fx_setup();
	db = open_db();
	set_now(T0);
	for (i = 1; i <= 20; i++)
		CU_ASSERT_EQUAL(throttle_attempt_n(db, sc, ip, 20, 3600), 1);
	CU_ASSERT_EQUAL(throttle_attempt_n(db, sc, ip, 20, 3600), 0);
	CU_ASSERT_EQUAL(throttle_blocked_n(db, sc, ip, 20, 3600), 1);
	/* Another address is not affected. */
	CU_ASSERT_EQUAL(throttle_attempt_n(db, sc, "198.51.100.1", 20, 3600),
	    1);
	/* The block lasts a whole window from the twentieth attempt. */
	set_now(T0 + 3599);
	CU_ASSERT_EQUAL(throttle_attempt_n(db, sc, ip, 20, 3600), 0);
	set_now(T0 + 3600);
	CU_ASSERT_EQUAL(throttle_blocked_n(db, sc, ip, 20, 3600), 0);
	CU_ASSERT_EQUAL(throttle_attempt_n(db, sc, ip, 20, 3600), 1);
	/* A short window forgets sooner than the default one would. */
	set_now(T0 + 3600 + 61);
	CU_ASSERT_EQUAL(throttle_blocked_n(db, sc, ip, 1, 60), 0);
	db_close(db);
	fx_teardown();
}

/*
 * Failures bunched at a window's edge: one at the start and nine just
 * before its end block, and the block does not lift a second later.
 */
static void
test_throttle_window_edge(void)
{
	struct db	*db;
	const char	*sc = "access-code", *ip = "198.51.100.9";
	int		 i;

	fx_setup();
	db = open_db();
	set_now(T0);
	CU_ASSERT_EQUAL(throttle_fail(db, sc, ip), 0);
	set_now(T0 + THROTTLE_WINDOW - 1);
	for (i = 2; i <= 9; i++)
		CU_ASSERT_EQUAL(throttle_fail(db, sc, ip), 0);
	CU_ASSERT_EQUAL(throttle_fail(db, sc, ip), 1);
	set_now(T0 + THROTTLE_WINDOW + 1);
	CU_ASSERT_EQUAL(throttle_blocked(db, sc, ip), 1);
	/* A whole window from the tenth failure (at T0 + W - 1). */
	set_now(T0 + 2 * THROTTLE_WINDOW - 2);
	CU_ASSERT_EQUAL(throttle_blocked(db, sc, ip), 1);
	set_now(T0 + 2 * THROTTLE_WINDOW - 1);
	CU_ASSERT_EQUAL(throttle_blocked(db, sc, ip), 0);
	db_close(db);
	fx_teardown();
}

/* An IPv6 host cannot escape by rotating addresses inside its /64. */
static void
test_throttle_ipv6_prefix(void)
{
	struct db	*db;
	const char	*sc = "access-code";
	char		 ip[64];
	int		 i;

	fx_setup();
	db = open_db();
	set_now(T0);
	for (i = 1; i <= 10; i++) {
		snprintf(ip, sizeof(ip), "2001:db8:1:2::%x", i);
		throttle_fail(db, sc, ip);
	}
	CU_ASSERT_EQUAL(throttle_blocked(db, sc, "2001:db8:1:2:ffff::1"), 1);
	/* Another /64 and IPv4 addresses are counted apart. */
	CU_ASSERT_EQUAL(throttle_blocked(db, sc, "2001:db8:1:3::1"), 0);
	CU_ASSERT_EQUAL(throttle_blocked(db, sc, "192.0.2.1"), 0);
	db_close(db);
	fx_teardown();
}

/*
 * IPv4 clients on a dual-stack socket arrive IPv4-mapped (::ffff:a.b.c.d):
 * each counts as its own IPv4 address, not all together as ::/64, where
 * one guesser would lock out every IPv4 user.
 */
static void
test_throttle_ipv4_mapped(void)
{
	struct db	*db;
	const char	*sc = "access-code";
	long long	 start;
	int		 i, n;

	fx_setup();
	db = open_db();
	set_now(T0);
	for (i = 1; i < THROTTLE_LIMIT; i++)
		CU_ASSERT_EQUAL(throttle_fail(db, sc, "::ffff:203.0.113.7"), 0);
	/* The same host over IPv4 shares the count. */
	CU_ASSERT_EQUAL(throttle_fail(db, sc, "203.0.113.7"), 1);
	CU_ASSERT_EQUAL(throttle_blocked(db, sc, "::ffff:203.0.113.7"), 1);
	CU_ASSERT_EQUAL(throttle_blocked(db, sc, "::ffff:cb00:7107"), 1);
	CU_ASSERT_FATAL(store_throttle_get(db, sc, "203.0.113.7", &start, &n));
	CU_ASSERT_EQUAL(n, THROTTLE_LIMIT);
	/* Everybody else is not blocked. */
	CU_ASSERT_EQUAL(throttle_blocked(db, sc, "::ffff:203.0.113.8"), 0);
	CU_ASSERT_EQUAL(throttle_blocked(db, sc, "::ffff:198.51.100.1"), 0);
	CU_ASSERT_EQUAL(throttle_blocked(db, sc, "198.51.100.1"), 0);
	CU_ASSERT_EQUAL(throttle_attempt(db, sc, "::ffff:198.51.100.1"), 1);
	/* Nor do IPv6 loopback guesses fall in with mapped IPv4 clients. */
	for (i = 0; i < THROTTLE_LIMIT; i++)
		throttle_fail(db, sc, "::1");
	CU_ASSERT_EQUAL(throttle_blocked(db, sc, "::1"), 1);
	CU_ASSERT_EQUAL(throttle_blocked(db, sc, "::ffff:192.0.2.1"), 0);
	/* An administrator's reset by either form frees the address. */
	CU_ASSERT_EQUAL(throttle_reset(db, sc, "::ffff:203.0.113.7"), 1);
	CU_ASSERT_EQUAL(throttle_blocked(db, sc, "203.0.113.7"), 0);
	db_close(db);
	fx_teardown();
}

/*
 * NAT64 clients (64:ff9b::/96) are IPv4 hosts behind a translator: each
 * counts by the IPv4 address it embeds, not all as 64:ff9b::/64.
 */
static void
test_throttle_nat64(void)
{
	struct db	*db;
	const char	*sc = "access-code";
	int		 i;

	fx_setup();
	db = open_db();
	set_now(T0);
	for (i = 0; i < THROTTLE_LIMIT; i++)
		throttle_fail(db, sc, "64:ff9b::203.0.113.7");
	CU_ASSERT_EQUAL(throttle_blocked(db, sc, "64:ff9b::cb00:7107"), 1);
	CU_ASSERT_EQUAL(throttle_blocked(db, sc, "203.0.113.7"), 1);
	CU_ASSERT_EQUAL(throttle_blocked(db, sc, "::ffff:203.0.113.7"), 1);
	CU_ASSERT_EQUAL(throttle_blocked(db, sc, "64:ff9b::203.0.113.8"), 0);
	CU_ASSERT_EQUAL(throttle_blocked(db, sc, "64:ff9b::c633:6401"), 0);
	CU_ASSERT_EQUAL(throttle_attempt(db, sc, "64:ff9b::198.51.100.1"), 1);
	db_close(db);
	fx_teardown();
}

/*
 * throttle_attempt counts before the slow check: ten attempts pass, the
 * eleventh is refused even though none was reported as failed; a refund
 * gives one back.
 */
static void
test_throttle_attempt_refund(void)
{
	struct db	*db;
	const char	*sc = "ssl-pass", *ip = "192.0.2.77";
	int		 i;

	fx_setup();
	db = open_db();
	set_now(T0);
	for (i = 1; i <= 10; i++)
		CU_ASSERT_EQUAL(throttle_attempt(db, sc, ip), 1);
	CU_ASSERT_EQUAL(throttle_attempt(db, sc, ip), 0);
	CU_ASSERT_EQUAL(throttle_blocked(db, sc, ip), 1);
	CU_ASSERT_EQUAL(throttle_refund(db, sc, ip), 1);
	CU_ASSERT_EQUAL(throttle_blocked(db, sc, ip), 0);
	CU_ASSERT_EQUAL(throttle_attempt(db, sc, ip), 1);
	CU_ASSERT_EQUAL(throttle_attempt(db, sc, ip), 0);
	/* Inside a caller's transaction it joins that transaction. */
	CU_ASSERT_FATAL(db_begin(db));
	CU_ASSERT_EQUAL(throttle_attempt(db, sc, "192.0.2.78"), 1);
	CU_ASSERT(db_commit(db));
	db_close(db);
	fx_teardown();
}

/* An administrator's reset (or a success) unblocks at once. */
static void
test_throttle_reset(void)
{
	struct db	*db;
	const char	*sc = "secret-id", *who = "alice@example.com";
	long long	 start;
	int		 i, n;

	fx_setup();
	db = open_db();
	set_now(T0);
	for (i = 0; i < THROTTLE_LIMIT; i++)
		throttle_fail(db, sc, who);
	CU_ASSERT_EQUAL(throttle_blocked(db, sc, who), 1);
	CU_ASSERT_EQUAL(throttle_reset(db, sc, who), 1);
	CU_ASSERT_EQUAL(throttle_blocked(db, sc, who), 0);
	CU_ASSERT_FATAL(store_throttle_get(db, sc, who, &start, &n));
	CU_ASSERT_EQUAL(n, 0);
	/* Counting starts from zero again. */
	for (i = 1; i < THROTTLE_LIMIT; i++)
		CU_ASSERT_EQUAL(throttle_fail(db, sc, who), 0);
	CU_ASSERT_EQUAL(throttle_blocked(db, sc, who), 0);
	/* Resetting a key that never failed is fine. */
	CU_ASSERT_EQUAL(throttle_reset(db, sc, "nobody"), 1);
	db_close(db);
	fx_teardown();
}

/* One address's failures do not block another, nor another scope. */
static void
test_throttle_independent(void)
{
	struct db	*db;
	int		 i;

	fx_setup();
	db = open_db();
	set_now(T0);
	for (i = 0; i < THROTTLE_LIMIT; i++)
		throttle_fail(db, "access-code", "203.0.113.7");
	CU_ASSERT_EQUAL(throttle_blocked(db, "access-code", "203.0.113.7"), 1);
	CU_ASSERT_EQUAL(throttle_blocked(db, "access-code", "203.0.113.8"), 0);
	CU_ASSERT_EQUAL(throttle_blocked(db, "passphrase", "203.0.113.7"), 0);
	CU_ASSERT_EQUAL(throttle_fail(db, "passphrase", "203.0.113.7"), 0);
	CU_ASSERT_EQUAL(throttle_fail(db, "access-code", "203.0.113.8"), 0);

	/* Resetting one key leaves the others as they were. */
	for (i = 0; i < THROTTLE_LIMIT; i++)
		throttle_fail(db, "access-code", "198.51.100.1");
	CU_ASSERT_EQUAL(throttle_reset(db, "access-code", "203.0.113.7"), 1);
	CU_ASSERT_EQUAL(throttle_blocked(db, "access-code", "203.0.113.7"), 0);
	CU_ASSERT_EQUAL(throttle_blocked(db, "access-code", "198.51.100.1"), 1);
	db_close(db);
	fx_teardown();
}

/* The counters live in the database, so every worker process shares them. */
static void
test_throttle_persists(void)
{
	struct db	*db, *db2;
	int		 i;

	fx_setup();
	db = open_db();
	db2 = open_db();
	set_now(T0);
	for (i = 0; i < THROTTLE_LIMIT - 1; i++)
		throttle_fail(db, "access-code", "203.0.113.9");
	CU_ASSERT_EQUAL(throttle_fail(db2, "access-code", "203.0.113.9"), 1);
	CU_ASSERT_EQUAL(throttle_blocked(db, "access-code", "203.0.113.9"), 1);
	db_close(db2);
	db_close(db);
	db = open_db();
	CU_ASSERT_EQUAL(throttle_blocked(db, "access-code", "203.0.113.9"), 1);
	db_close(db);
	fx_teardown();
}

/* After startup a crash leaves no core file and no one may read the memory. */
static void
test_no_dumps(void)
{
	struct rlimit	 rl;

	CU_ASSERT_FATAL(secret_no_dumps());
	CU_ASSERT_EQUAL(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
	CU_ASSERT_FATAL(getrlimit(RLIMIT_CORE, &rl) == 0);
	CU_ASSERT_EQUAL(rl.rlim_cur, 0);
	CU_ASSERT_EQUAL(rl.rlim_max, 0);
}

static void
register_secret(void)
{
	CU_pSuite	 s;

	log_quiet(1);
	s = CU_add_suite("secret", NULL, NULL);
	UNIT_ADD(s, test_key_file);
	UNIT_ADD(s, test_key_file_bad);
	UNIT_ADD(s, test_key_load_never_creates);
	UNIT_ADD(s, test_key_reload_fails_closed);
	UNIT_ADD(s, test_hmac_hex);
	UNIT_ADD(s, test_tokens);
	UNIT_ADD(s, test_hex);
	UNIT_ADD(s, test_argon2id);
	UNIT_ADD(s, test_equal);
	UNIT_ADD(s, test_throttle_window);
	UNIT_ADD(s, test_throttle_window_edge);
	UNIT_ADD(s, test_throttle_attempt_n);
	UNIT_ADD(s, test_throttle_ipv6_prefix);
	UNIT_ADD(s, test_throttle_ipv4_mapped);
	UNIT_ADD(s, test_throttle_nat64);
	UNIT_ADD(s, test_throttle_attempt_refund);
	UNIT_ADD(s, test_throttle_reset);
	UNIT_ADD(s, test_throttle_independent);
	UNIT_ADD(s, test_throttle_persists);
	UNIT_ADD(s, test_no_dumps);
}

UNIT_MAIN(register_secret)
