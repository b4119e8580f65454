/* fixture: the temporary directory, database and instance the suites share. */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "config.h"
#include "db.h"
#include "secret.h"
#include "store.h"

#include "fixture.h"

struct fixture	 fixture;

const char *
fixture_dir_new(const char *suite)
{
	snprintf(fixture.dir, sizeof(fixture.dir),
	    "/tmp/certdesk-test-%s.XXXXXX", suite);
	if (mkdtemp(fixture.dir) == NULL) {
		fixture.dir[0] = '\0';
		return NULL;
	}
	return fixture.dir;
}

void
fixture_path(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", fixture.dir, name);
}

struct db *
fixture_db(void)
{
	char	 key[PATH_MAX + 16], path[PATH_MAX + 16];

	fixture_path(key, sizeof(key), "server.key");
	fixture_path(path, sizeof(path), "certdesk.db");
	if (secret_init(key) != 1)
		return NULL;
	fixture.db = db_open(path);
	return fixture.db;
}

int
fixture_instance(const char *suite, int port)
{
	char	 root[PATH_MAX], cmd[3 * PATH_MAX + 256];
	int	 n;

	if (getcwd(root, sizeof(root)) == NULL ||
	    fixture_dir_new(suite) == NULL)
		return 0;
	/* The same script the end-to-end tests use, so both see one instance. */
	n = snprintf(cmd, sizeof(cmd), "cd '%s' && ROOT='%s' bash -c '"
	    ". tests/e2e/instance.sh && instance_config \"%s\" %d && "
	    "instance_populate \"%s\"' >'%s/setup.log' 2>&1",
	    root, root, fixture.dir, port, fixture.dir, fixture.dir);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return 0;
	return system(cmd) == 0;
}

int
fixture_instance_open(void)
{
	char	 conf[PATH_MAX + 32], key[PATH_MAX + 32], path[PATH_MAX + 32];

	fixture_path(conf, sizeof(conf), "certdesk.hdf");
	fixture_path(key, sizeof(key), "state/server.key");
	fixture_path(path, sizeof(path), "state/certdesk.db");
	if ((fixture.cfg = config_load(conf)) == NULL || !secret_init(key) ||
	    (fixture.db = db_open(path)) == NULL)
		return 0;
	fixture.customer = store_customer_by_uri(fixture.db, "demo");
	return fixture.customer != NULL;
}

unsigned char *
fixture_csr_name(EVP_PKEY *key, X509_NAME *name, size_t *len)
{
	X509_REQ	*req = X509_REQ_new();
	unsigned char	*der = NULL;
	int		 l;

	X509_REQ_set_subject_name(req, name);
	X509_REQ_set_pubkey(req, key);
	X509_REQ_sign(req, key, EVP_sha256());
	l = i2d_X509_REQ(req, &der);
	*len = l > 0 ? (size_t)l : 0;
	X509_REQ_free(req);
	return der;
}

unsigned char *
fixture_csr(EVP_PKEY *key, const char *cn, size_t *len)
{
	X509_NAME	*n = X509_NAME_new();
	unsigned char	*der;

	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	der = fixture_csr_name(key, n, len);
	X509_NAME_free(n);
	return der;
}

/* Returns 0 after removing one entry, so nftw walks on whatever fails. */
static int
remove_entry(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	if (remove(path) != 0)
		fprintf(stderr, "fixture: cannot remove %s\n", path);
	return 0;
}

void
fixture_done(void)
{
	store_customer_free(fixture.customer);
	db_close(fixture.db);
	config_free(fixture.cfg);
	secret_done();
	unsetenv("CERTDESK_NOW");
	/* Depth first and without following links: only what we created. */
	if (fixture.dir[0] != '\0')
		(void)nftw(fixture.dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	memset(&fixture, 0, sizeof(fixture));
}
