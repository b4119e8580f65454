/* secret: tokens, HMAC under the server key, Argon2id, throttling. */
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "file.h"
#include "log.h"
#include "secret.h"

/*
 * Argon2id cost: 19 MiB, 2 passes, 1 lane (the OWASP minimum); a guess costs
 * the attacker that much, and throttling caps the rate on top.
 */
#define ARGON_T		2
#define ARGON_M		(19 * 1024)
#define ARGON_P		1
#define ARGON_SALT	16
#define ARGON_HASH	32

static unsigned char	 secret_key[SECRET_KEY_BYTES];
static int		 secret_loaded;

/* Writes a fresh random key to path atomically with mode 0600; returns 1 on success. */
static int
secret_create(const char *path)
{
	char	*tmp;

	if (RAND_bytes(secret_key, sizeof(secret_key)) != 1 ||
	    (tmp = file_write_temp(path, secret_key, sizeof(secret_key),
	    0600)) == NULL)
		return 0;
	/* When another process won the race, its key is the one: use it. */
	if (file_install(tmp, path, FILE_NEW) == 0) {
		free(tmp);
		return 0;
	}
	free(tmp);
	return 1;
}

/* Loads the key at path, creating it first when create and it is missing; 1 ok. */
static int
secret_read(const char *path, int create)
{
	int	 fd;
	ssize_t	 n;

	secret_loaded = 0;	/* no half-read key stays in use */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno != ENOENT || !create) {
			log_err("cannot open key %s: %s", path, strerror(errno));
			return 0;
		}
		if (!secret_create(path))
			return 0;
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			return 0;
	}
	n = read(fd, secret_key, sizeof(secret_key));
	close(fd);
	if (n != (ssize_t)sizeof(secret_key)) {
		log_err("server key %s is not %d bytes", path, SECRET_KEY_BYTES);
		OPENSSL_cleanse(secret_key, sizeof(secret_key));
		return 0;
	}
	secret_loaded = 1;
	return 1;
}

int
secret_init(const char *path)
{
	return secret_read(path, 1);
}

int
secret_no_dumps(void)
{
	struct rlimit	 rl = { 0, 0 };
	int		 ok = 1;

	if (setrlimit(RLIMIT_CORE, &rl) == -1) {
		log_err("setrlimit(RLIMIT_CORE): %s", strerror(errno));
		ok = 0;
	}
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1) {
		log_err("prctl(PR_SET_DUMPABLE): %s", strerror(errno));
		ok = 0;
	}
	return ok;
}

int
secret_load(const char *path)
{
	return secret_read(path, 0);
}

void
secret_done(void)
{
	OPENSSL_cleanse(secret_key, sizeof(secret_key));
	secret_loaded = 0;
}

void
secret_hex(const void *bytes, size_t n, char *out)
{
	static const char	 digits[] = "0123456789abcdef";
	const unsigned char	*p = bytes;
	size_t			 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0xf];
	}
	out[2 * n] = '\0';
}

/*
 * The kernel's generator directly: a page's request ID and form token
 * cost a third of what RAND_bytes' locked DRBG does, and every form
 * request takes two.
 */
int
secret_random(void *p, size_t n)
{
	unsigned char	*b = p;
	ssize_t		 got;

	while (n > 0) {
		if ((got = getrandom(b, n, 0)) < 0) {
			if (errno == EINTR)
				continue;
			log_err("getrandom: %s", strerror(errno));
			return 0;
		}
		b += got;
		n -= (size_t)got;
	}
	return 1;
}

int
secret_random_hex(char *out, size_t nbytes)
{
	unsigned char	 raw[64];

	if (nbytes == 0 || nbytes > sizeof(raw) || !secret_random(raw, nbytes))
		return 0;
	secret_hex(raw, nbytes, out);
	OPENSSL_cleanse(raw, sizeof(raw));
	return 1;
}

int
secret_hmac_hex(const char *value, char out[SECRET_HMAC_HEX])
{
	unsigned char	 mac[EVP_MAX_MD_SIZE];
	unsigned int	 len = 0;

	if (!secret_loaded) {
		log_err("server key not loaded");
		return 0;
	}
	if (HMAC(EVP_sha256(), secret_key, sizeof(secret_key),
	    (const unsigned char *)value, strlen(value), mac, &len) == NULL ||
	    len != 32) {
		log_ossl("HMAC");
		return 0;
	}
	secret_hex(mac, len, out);
	return 1;
}

char *
secret_token(size_t nbytes)
{
	char	*s;

	if ((s = malloc(2 * nbytes + 1)) == NULL)
		return NULL;
	if (!secret_random_hex(s, nbytes)) {
		free(s);
		return NULL;
	}
	return s;
}

char *
secret_hash(const char *pw)
{
	unsigned char	 salt[ARGON_SALT];
	size_t		 len;
	char		*enc;
	int		 rc;

	if (RAND_bytes(salt, sizeof(salt)) != 1)
		return NULL;
	len = argon2_encodedlen(ARGON_T, ARGON_M, ARGON_P, sizeof(salt),
	    ARGON_HASH, Argon2_id);
	if ((enc = malloc(len)) == NULL)
		return NULL;
	rc = argon2id_hash_encoded(ARGON_T, ARGON_M, ARGON_P, pw, strlen(pw),
	    salt, sizeof(salt), ARGON_HASH, enc, len);
	if (rc != ARGON2_OK) {
		log_err("argon2: %s", argon2_error_message(rc));
		free(enc);
		return NULL;
	}
	return enc;
}

int
secret_verify(const char *encoded, const char *pw)
{
	if (encoded == NULL || pw == NULL ||
	    strncmp(encoded, "$argon2id$", 10) != 0)
		return 0;
	/* libargon2 compares the digests in constant time itself. */
	return argon2id_verify(encoded, pw, strlen(pw)) == ARGON2_OK;
}

int
secret_equal(const char *a, const char *b)
{
	size_t	 la = strlen(a), lb = strlen(b);

	if (la != lb)
		return 0;
	return CRYPTO_memcmp(a, b, la) == 0;
}
