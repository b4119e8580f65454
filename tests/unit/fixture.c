/* fixture: the temporary directory, database and instance the suites share. */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

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

/* Adds the extension nid with value (OpenSSL's config syntax) to x; returns 1 or 0. */
static int
fixture_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value)
{
	X509_EXTENSION	*ext;
	int		 ok;

	if ((ext = X509V3_EXT_conf_nid(NULL, v3, nid, value)) == NULL)
		return 0;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

X509 *
fixture_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey,
    int is_ca, long serial)
{
	X509		*x = X509_new();
	X509_NAME	*name = X509_NAME_new();
	X509V3_CTX	 v3;
	int		 ok;

	ok = x != NULL && name != NULL &&
	    X509_set_version(x, X509_VERSION_3) &&
	    ASN1_INTEGER_set(X509_get_serialNumber(x), serial) &&
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0) &&
	    X509_set_subject_name(x, name) &&
	    X509_set_issuer_name(x, issuer != NULL ?
	    X509_get_subject_name(issuer) : name) &&
	    X509_gmtime_adj(X509_getm_notBefore(x), -3600) != NULL &&
	    X509_gmtime_adj(X509_getm_notAfter(x), 86400) != NULL &&
	    X509_set_pubkey(x, key);
	if (ok) {
		X509V3_set_ctx(&v3, issuer != NULL ? issuer : x, x, NULL,
		    NULL, 0);
		ok = fixture_ext(x, &v3, NID_subject_key_identifier, "hash") &&
		    fixture_ext(x, &v3, NID_authority_key_identifier,
		    "keyid") && (is_ca ?
		    fixture_ext(x, &v3, NID_basic_constraints,
		    "critical,CA:TRUE") &&
		    fixture_ext(x, &v3, NID_key_usage,
		    "critical,keyCertSign,cRLSign") :
		    fixture_ext(x, &v3, NID_basic_constraints, "CA:FALSE") &&
		    fixture_ext(x, &v3, NID_key_usage,
		    "critical,digitalSignature,keyEncipherment") &&
		    fixture_ext(x, &v3, NID_ext_key_usage,
		    "emailProtection")) &&
		    X509_sign(x, ikey, EVP_sha256()) > 0;
	}
	X509_NAME_free(name);
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
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
