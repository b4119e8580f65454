/*
 * fixture.h: the setup the suites share — a private temporary directory,
 * the server key and a migrated database in it, or a whole instance (the
 * configuration, database, CA, RA and customer "demo" that the end-to-end
 * tests populate).  One fixture at a time; fixture_done() undoes it all.
 */
#ifndef CERTDESK_FIXTURE_H
#define CERTDESK_FIXTURE_H

#include <limits.h>
#include <stddef.h>

#include <openssl/x509.h>

struct config;
struct customer;
struct db;

/* What the fixture made; members stay NULL until made, all owned by it. */
struct fixture {
	char		 dir[PATH_MAX];	/* "" until fixture_dir_new() */
	struct config	*cfg;		/* fixture_instance_open() */
	struct db	*db;		/* fixture_db(), fixture_instance_open() */
	struct customer	*customer;	/* "demo", fixture_instance_open() */
};

extern struct fixture	 fixture;

/*
 * Returns the path of a new private directory named after suite
 * (/tmp/certdesk-test-SUITE.XXXXXX), kept in fixture.dir; NULL on failure.
 */
const char	*fixture_dir_new(const char *suite);
/* Writes the path of name inside the fixture directory into out. */
void		 fixture_path(char *out, size_t len, const char *name);
/*
 * Returns a migrated database certdesk.db in the fixture directory, with
 * the server key server.key loaded; the fixture closes it.  NULL on failure.
 */
struct db	*fixture_db(void);
/*
 * Returns 1 once a new fixture directory (named after suite) holds an
 * instance configured for port and populated by tests/e2e/instance.sh,
 * run from the current directory (the source tree); its output goes to
 * setup.log in that directory.  Returns 0 on failure.
 */
int		 fixture_instance(const char *suite, int port);
/*
 * Returns 1 once the instance's configuration, server key, database and
 * customer "demo" are loaded into fixture; 0 if any of them is not.
 */
int		 fixture_instance_open(void);
/*
 * Returns the DER of a CSR for the subject CN=cn, with the public key of
 * key and signed by it (SHA-256), its length in len; the caller frees it.
 */
unsigned char	*fixture_csr(EVP_PKEY *key, const char *cn, size_t *len);
/* The same for the subject name (which stays the caller's). */
unsigned char	*fixture_csr_name(EVP_PKEY *key, X509_NAME *name, size_t *len);
/*
 * Returns a certificate (caller frees) for subject CN=cn and key, valid
 * from an hour ago for a day, signed with SHA-256 by ikey as issuer
 * (self-signed when issuer is NULL): a CA when is_ca, else an end entity
 * for S/MIME (digitalSignature, keyEncipherment, emailProtection).
 * NULL on failure.
 */
X509		*fixture_cert(const char *cn, EVP_PKEY *key, X509 *issuer,
		    EVP_PKEY *ikey, int is_ca, long serial);
/*
 * Frees what the fixture holds, forgets the server key and the test
 * clock (CERTDESK_NOW), and removes the directory with all it contains.
 */
void		 fixture_done(void);

#endif
