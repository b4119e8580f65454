/*
 * admin escrow commands (SPEC 4.3): init, status, export, recover,
 * reencrypt.  Tier private keys come from files only (never argv), are
 * written once to new files and never kept; passphrases likewise.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "admin.h"
#include "cacache.h"
#include "escrow.h"
#include "file.h"
#include "issue.h"
#include "keygen.h"
#include "p12.h"

#define KEY_FILE_MAX		((size_t)64 * 1024)	/* a PEM tier key or one share */
#define SECRET_FILE_MAX		4096		/* a passphrase file */
/* What `openssl ... -passin file:F` reads of the first line, at most. */
#define SECRET_LINE_MAX		1023
#define REENCRYPT_BATCH		100		/* blobs per transaction and audit event */
#define MAX_SHARE_ARGS		ESCROW_MAX_SHARES

/* The tier a command names: the tier and the organisation and department it is of. */
struct scope {
	enum escrow_tier	 tier;
	struct org		*org;		/* NULL for master */
	struct dept		*dept;		/* department tier only */
	char			 label[300];	/* "organization Demo Org" */
};

static void
scope_free(struct scope *sc)
{
	store_dept_free(sc->dept);
	store_org_free(sc->org);
}

/* Loads the tier --tier, --org and --dept name; returns 1, or 0 after reporting. */
static int
scope_load(struct admin *a, const char *tier, const char *orgname,
    const char *deptname, struct scope *sc)
{
	int	 t;

	memset(sc, 0, sizeof(*sc));
	if ((t = escrow_tier_parse(tier)) < 0) {
		admin_fail("--tier must be master, org or dept");
		return 0;
	}
	sc->tier = (enum escrow_tier)t;
	if (sc->tier == ESCROW_MASTER) {
		if (orgname != NULL || deptname != NULL) {
			admin_fail("--tier master takes no --org or --dept");
			return 0;
		}
		snprintf(sc->label, sizeof(sc->label), "master");
		return 1;
	}
	if (orgname == NULL) {
		admin_fail("--tier %s needs --org ORG", tier);
		return 0;
	}
	if ((sc->org = store_org_by_name(a->db, a->customer->id, orgname)) ==
	    NULL) {
		admin_fail("no organisation '%s' (see: certdesk org list)",
		    orgname);
		return 0;
	}
	if (sc->tier == ESCROW_ORG) {
		if (deptname != NULL) {
			admin_fail("--tier org takes no --dept");
			return 0;
		}
		snprintf(sc->label, sizeof(sc->label), "organization %s",
		    sc->org->name);
		return 1;
	}
	if (deptname == NULL) {
		admin_fail("--tier dept needs --dept DEPT");
		return 0;
	}
	if ((sc->dept = store_dept_by_name(a->db, sc->org->id, deptname)) ==
	    NULL) {
		admin_fail("no department '%s' in %s", deptname,
		    sc->org->name);
		return 0;
	}
	snprintf(sc->label, sizeof(sc->label), "department %s/%s",
	    sc->org->name, sc->dept->name);
	return 1;
}

static long long
scope_org(const struct scope *sc)
{
	return sc->org != NULL ? sc->org->id : 0;
}

static long long
scope_dept(const struct scope *sc)
{
	return sc->dept != NULL ? sc->dept->id : 0;
}

/*
 * Returns the first line of the file path (caller frees with
 * free_secret), or NULL after reporting.  A line stock openssl would
 * read otherwise is refused, so that README's `-passin file:` commands
 * open what certdesk wrote: openssl keeps a carriage return as part of
 * the passphrase and reads at most SECRET_LINE_MAX bytes.
 */
static char *
read_secret(const char *path)
{
	char		*s;
	const char	*why = NULL;
	size_t		 len = 0, line;

	if ((s = admin_read_file(path, SECRET_FILE_MAX, &len)) == NULL)
		return NULL;
	line = strcspn(s, "\n");
	if (memchr(s, '\r', line) != NULL)
		why = "has a carriage return (\\r) on its first line, which "
		    "openssl -passin file: would read as part of the "
		    "passphrase; save it with Unix line ends";
	else if (line > SECRET_LINE_MAX)
		why = "holds a passphrase longer than 1023 bytes, more than "
		    "openssl -passin file: reads";
	else if (line == 0)
		why = "holds no passphrase on its first line";
	if (why != NULL) {
		OPENSSL_cleanse(s, len);
		free(s);
		admin_fail("%s %s", path, why);
		return NULL;
	}
	s[line] = '\0';
	return s;
}

static void
free_secret(char *s)
{
	if (s == NULL)
		return;
	OPENSSL_cleanse(s, strlen(s));
	free(s);
}

/*
 * Moves every "--name VALUE" (and "--name=VALUE") out of argv into vals
 * (at most max), so admin_args sees the rest; returns how many, or -1
 * after reporting.  *argc shrinks accordingly.
 */
static int
take_repeated(int *argc, char **argv, const char *name, const char **vals,
    int max)
{
	size_t	 nlen = strlen(name);
	int	 i, o = 0, n = 0;
	char	*arg;

	for (i = 0; i < *argc; i++) {
		arg = argv[i];
		if (strncmp(arg, "--", 2) == 0 && strncmp(arg + 2, name,
		    nlen) == 0 && (arg[2 + nlen] == '\0' ||
		    arg[2 + nlen] == '=')) {
			if (n == max) {
				admin_fail("at most %d --%s", max, name);
				return -1;
			}
			if (arg[2 + nlen] == '=')
				vals[n++] = arg + 3 + nlen;
			else if (i + 1 < *argc)
				vals[n++] = argv[++i];
			else {
				admin_fail("--%s needs a value", name);
				return -1;
			}
			continue;
		}
		argv[o++] = arg;
	}
	*argc = o;
	return n;
}

/*
 * Reads the tier private key from keyfile, or rejoins it from the share
 * files, opened with the passphrase in passfile (may be NULL).  Returns
 * the key (caller frees) or NULL after reporting.
 */
static EVP_PKEY *
load_tier_key(const char *keyfile, const char *const *shares, int nshares,
    const char *passfile)
{
	unsigned char	*data[MAX_SHARE_ARGS], nrs[MAX_SHARE_ARGS];
	unsigned char	*pem = NULL;
	size_t		 len = 0, l = 0;
	char		*pass = NULL;
	const char	*why = NULL;
	EVP_PKEY	*key = NULL;
	int		 i, j, n = 0;

	if ((keyfile == NULL) == (nshares == 0)) {
		admin_fail("give the tier key as --key FILE or as --share "
		    "FILE once per share");
		return NULL;
	}
	if (passfile != NULL && (pass = read_secret(passfile)) == NULL)
		return NULL;
	if (keyfile != NULL) {
		if ((pem = (unsigned char *)admin_read_file(keyfile,
		    KEY_FILE_MAX, &len)) == NULL)
			goto out;
	} else {
		for (i = 0; i < nshares; i++) {
			if ((nrs[i] = (unsigned char)escrow_share_nr(
			    shares[i])) == 0) {
				admin_fail("%s: a share file name ends in its "
				    "share number (.001 to .255), as gfsplit "
				    "writes it", shares[i]);
				goto out;
			}
			for (j = 0; j < i; j++)
				if (nrs[j] == nrs[i]) {
					admin_fail("%s: share %u given twice",
					    shares[i], nrs[i]);
					goto out;
				}
			if ((data[n] = (unsigned char *)admin_read_file(
			    shares[i], KEY_FILE_MAX, &l)) == NULL)
				goto out;
			n++;
			if (i == 0)
				len = l;
			else if (l != len) {
				admin_fail("%s is not a share of the same key "
				    "as %s (length differs)", shares[i],
				    shares[0]);
				goto out;
			}
		}
		if (len == 0 || (pem = malloc(len + 1)) == NULL ||
		    !escrow_combine((const unsigned char *const *)data, nrs,
		    (unsigned)n, len, pem)) {
			admin_fail("cannot rejoin the shares");
			goto out;
		}
		pem[len] = '\0';
	}
	if ((key = escrow_key_parse(pem, len, pass, &why)) == NULL) {
		if (nshares > 0 && strcmp(why, "no private key in the file") ==
		    0)
			admin_fail("the %d shares do not rejoin a key: too few "
			    "shares, or shares of different keys", nshares);
		else
			admin_fail("%s: %s", keyfile ? keyfile : "shares",
			    why);
	}
out:
	for (i = 0; i < n; i++) {
		OPENSSL_cleanse(data[i], len);
		free(data[i]);
	}
	if (pem != NULL) {
		OPENSSL_cleanse(pem, len);
		free(pem);
	}
	free_secret(pass);
	return key;
}

/*
 * Writes data into the new file path with mode (never over an existing
 * one); returns 1, or 0 after reporting.
 */
static int
write_new(const char *path, const void *data, size_t len, mode_t mode)
{
	char	*tmp;
	int	 r;

	if ((tmp = file_write_temp(path, data, len, mode)) == NULL) {
		admin_fail("cannot write %s: %s", path, strerror(errno));
		return 0;
	}
	r = file_install(tmp, path, FILE_NEW);
	free(tmp);	/* the name; the file itself is installed or gone */
	if (r == -1) {
		admin_fail("%s already exists; certdesk never overwrites it",
		    path);
		return 0;
	}
	if (r == 0) {
		admin_fail("cannot write %s", path);
		return 0;
	}
	return 1;
}

/* Returns 1 when nothing is at path; otherwise reports and returns 0. */
static int
must_be_new(const char *path)
{
	struct stat	 sb;

	if (lstat(path, &sb) == 0) {
		admin_fail("%s already exists; certdesk never overwrites it",
		    path);
		return 0;
	}
	return 1;
}

/* What the options say about the tier key file to write. */
struct keyout {
	const char	*out;		/* the key file, or the stem of the shares */
	const char	*cert_out;	/* the certificate; derived from out if NULL */
	char		 cert_path[4096];
	unsigned	 shares, threshold;	/* 0: one file */
};

/* Settles the certificate's path and the share counts; returns 1, or 0 after reporting. */
static int
keyout_check(struct keyout *ko, const char *shares, const char *threshold)
{
	size_t		 n;
	unsigned	 i;
	char		 p[4200];

	if (ko->out == NULL) {
		admin_fail("--out FILE is required (the private key is "
		    "written there once and nowhere else)");
		return 0;
	}
	if (ko->cert_out != NULL)
		snprintf(ko->cert_path, sizeof(ko->cert_path), "%s",
		    ko->cert_out);
	else if ((n = strlen(ko->out)) > 4 &&
	    strcmp(ko->out + n - 4, ".key") == 0)
		snprintf(ko->cert_path, sizeof(ko->cert_path), "%.*s.crt",
		    (int)(n - 4), ko->out);
	else
		snprintf(ko->cert_path, sizeof(ko->cert_path), "%s.crt",
		    ko->out);
	if ((shares == NULL) != (threshold == NULL)) {
		admin_fail("--shares N and --threshold M go together");
		return 0;
	}
	if (shares != NULL) {
		ko->shares = (unsigned)admin_int(shares);
		ko->threshold = (unsigned)admin_int(threshold);
		if (ko->shares < 2 || ko->shares > ESCROW_MAX_SHARES ||
		    ko->threshold < 2 || ko->threshold > ko->shares) {
			admin_fail("--shares must be 2 to %d and --threshold "
			    "2 to --shares", ESCROW_MAX_SHARES);
			return 0;
		}
	}
	if (!must_be_new(ko->cert_path))
		return 0;
	if (ko->shares == 0)
		return must_be_new(ko->out);
	/* Share numbers are random: refuse when any could be taken. */
	for (i = 1; i <= ESCROW_MAX_SHARES; i++) {
		snprintf(p, sizeof(p), "%s.%03u", ko->out, i);
		if (!must_be_new(p))
			return 0;
	}
	return 1;
}

/*
 * Writes the tier key (PEM PKCS#8, encrypted under the passphrase in
 * passfile when given) to ko->out or as ko->shares gfsplit share files
 * ko->out.NNN, and the certificate beside it.  Returns 1, or 0 after
 * reporting (files written before the failure are removed).
 */
static int
keyout_write(const struct keyout *ko, EVP_PKEY *key, X509 *cert,
    const char *passfile)
{
	unsigned char	*sh[ESCROW_MAX_SHARES], nrs[ESCROW_MAX_SHARES];
	char		*pem = NULL, *pass = NULL, p[4200];
	BIO		*b = NULL;
	BUF_MEM		*bm;
	size_t		 len = 0;
	unsigned	 i, made = 0, written = 0;
	int		 ok = 0, key_written = 0;

	if (passfile != NULL && (pass = read_secret(passfile)) == NULL)
		return 0;
	if ((pem = escrow_key_pem(key, pass, &len)) == NULL) {
		admin_fail("cannot encode the tier key");
		goto out;
	}
	if (ko->shares == 0) {
		if (!write_new(ko->out, pem, len, 0600))
			goto out;
		key_written = 1;
	} else {
		for (made = 0; made < ko->shares; made++)
			if ((sh[made] = malloc(len)) == NULL)
				goto out;
		if (!escrow_split((unsigned char *)pem, len, ko->shares,
		    ko->threshold, sh, nrs)) {
			admin_fail("cannot split the tier key");
			goto out;
		}
		for (written = 0; written < ko->shares; written++) {
			snprintf(p, sizeof(p), "%s.%03u", ko->out,
			    nrs[written]);
			if (!write_new(p, sh[written], len, 0600))
				goto out;
		}
	}
	if ((b = BIO_new(BIO_s_mem())) == NULL || !PEM_write_bio_X509(b,
	    cert)) {
		admin_fail("cannot encode the tier certificate");
		goto out;
	}
	BIO_get_mem_ptr(b, &bm);
	if (!write_new(ko->cert_path, bm->data, bm->length, 0644))
		goto out;
	ok = 1;
out:
	if (!ok) {
		/* Only what this run made: OUT may be someone else's. */
		if (key_written)
			(void)unlink(ko->out);
		for (i = 0; i < written; i++) {
			snprintf(p, sizeof(p), "%s.%03u", ko->out, nrs[i]);
			(void)unlink(p);
		}
	}
	for (i = 0; i < made; i++) {
		OPENSSL_cleanse(sh[i], len);
		free(sh[i]);
	}
	BIO_free(b);
	OPENSSL_clear_free(pem, len);
	free_secret(pass);
	return ok;
}

/* Returns the key type --key-type names (rsa3072, rsa4096, p384), or KEY_NONE after reporting. */
static enum key_type
tier_key_type(const char *name)
{
	if (strcmp(name, "rsa3072") == 0)
		return KEY_RSA3072;
	if (strcmp(name, "rsa4096") == 0)
		return KEY_RSA4096;
	if (strcmp(name, "p384") == 0 || strcmp(name, "ec384") == 0)
		return KEY_EC384;
	admin_fail("--key-type must be rsa3072, rsa4096 or p384");
	return KEY_NONE;
}

/* Returns the stored token of a tier key type. */
static const char *
tier_key_token(enum key_type t)
{
	return t == KEY_EC384 ? "p384" : key_type_token(t);
}

/*
 * Makes a key pair of type for scope sc at version and fills k for
 * recording (k->key_id to free); returns 1, or 0 after reporting.
 */
static int
tier_new(struct admin *a, const struct scope *sc, enum key_type type,
    int version, EVP_PKEY **key, struct escrow_key *k)
{
	char	 cn[400];

	snprintf(cn, sizeof(cn), "certdesk key escrow %s %s v%d",
	    a->customer->uri, sc->label, version);
	memset(k, 0, sizeof(*k));
	if (!escrow_tier_make(type, cn, key, &k->cert) ||
	    (k->key_id = escrow_key_id(k->cert)) == NULL) {
		admin_fail("cannot make the tier key");
		return 0;
	}
	k->customer_id = a->customer->id;
	k->tier = sc->tier;
	k->org_id = scope_org(sc);
	k->dept_id = scope_dept(sc);
	k->version = version;
	k->key_type = (char *)tier_key_token(type);
	return 1;
}

static int
cmd_escrow_init(struct admin *a, int argc, char **argv)
{
	const char		*tier = NULL, *orgname = NULL, *deptname = NULL;
	const char		*ktype = "rsa3072", *passfile = NULL;
	const char		*shares = NULL, *threshold = NULL;
	struct keyout		 ko;
	const struct opt	 opts[] = {
		{ "tier", &tier, NULL, "master, org or dept" },
		{ "org", &orgname, NULL, "organisation (org and dept tiers)" },
		{ "dept", &deptname, NULL, "department (dept tier)" },
		{ "key-type", &ktype, NULL, "rsa3072 (default), rsa4096, p384" },
		{ "passphrase-file", &passfile, NULL,
		    "encrypt the key with the passphrase in this file" },
		{ "out", &ko.out, NULL, "new file for the private key" },
		{ "cert-out", &ko.cert_out, NULL,
		    "new file for the certificate (default: OUT as .crt)" },
		{ "shares", &shares, NULL, "split the key into N shares" },
		{ "threshold", &threshold, NULL, "M shares rejoin it" },
		{ NULL, NULL, NULL, NULL }
	};
	struct scope		 sc;
	struct escrow_key	 k, *old;
	EVP_PKEY		*key = NULL;
	enum key_type		 type;
	char			*pos[1], detail[512];
	int			 version, rc = 1;

	memset(&ko, 0, sizeof(ko));
	memset(&k, 0, sizeof(k));
	if (admin_args(argc, argv, opts, pos, 0) != 0)
		return -2;
	if (admin_customer(a) == NULL)
		return 1;
	if (!scope_load(a, tier, orgname, deptname, &sc))
		goto out;
	if ((type = tier_key_type(ktype)) == KEY_NONE ||
	    !keyout_check(&ko, shares, threshold))
		goto out;
	if ((old = store_escrow_key_active(a->db, a->customer->id, sc.tier,
	    scope_org(&sc), scope_dept(&sc))) != NULL) {
		admin_fail("the %s tier already has key version %d (key id "
		    "%s); to replace it use: certdesk escrow reencrypt",
		    sc.label, old->version, old->key_id);
		escrow_key_free(old);
		goto out;
	}
	if ((version = store_escrow_key_next_version(a->db, a->customer->id,
	    sc.tier, scope_org(&sc), scope_dept(&sc))) == 0) {
		admin_fail("cannot read the escrow keys");
		goto out;
	}
	if (!tier_new(a, &sc, type, version, &key, &k))
		goto out;
	/* The key file first: a key in the database whose private half never reached the administrator would seal keys nobody can open. */
	if (!keyout_write(&ko, key, k.cert, passfile))
		goto out;
	if (store_escrow_key_add(a->db, &k, "active") == 0) {
		admin_fail("cannot record the tier key; remove the files just "
		    "written and try again");
		goto out;
	}
	snprintf(detail, sizeof(detail), "key id %s version %d %s%s",
	    k.key_id, version, k.key_type, ko.shares ? " split" : "");
	admin_audit(a, "escrow.init", sc.label, detail);
	printf("escrow key for the %s tier: key id %s, version %d, %s\n",
	    sc.label, k.key_id, version, k.key_type);
	if (ko.shares)
		printf("private key split into %u shares %s.NNN, any %u of "
		    "which rejoin it\n", ko.shares, ko.out, ko.threshold);
	else
		printf("private key written to %s\n", ko.out);
	printf("certificate written to %s\n"
	    "certdesk keeps only the certificate: store the private key "
	    "offline.\n", ko.cert_path);
	rc = 0;
out:
	free(k.key_id);
	X509_free(k.cert);
	EVP_PKEY_free(key);
	scope_free(&sc);
	return rc;
}

/* Prints one status line or JSON object; k NULL: a required tier without a key. */
static void
status_row(struct admin *a, int *first, const char *tier, const char *org,
    const char *dept, const struct escrow_key *k)
{
	char	 scope[300];

	if (a->json) {
		printf("%s{\"tier\":", *first ? "" : ",");
		json_str(stdout, tier);
		printf(",\"org\":");
		json_str(stdout, org);
		printf(",\"dept\":");
		json_str(stdout, dept);
		if (k != NULL) {
			printf(",\"initialised\":true,\"key_id\":");
			json_str(stdout, k->key_id);
			printf(",\"version\":%d,\"key_type\":", k->version);
			json_str(stdout, k->key_type);
			printf(",\"blobs\":%lld}", k->blobs);
		} else
			printf(",\"initialised\":false}");
		*first = 0;
		return;
	}
	snprintf(scope, sizeof(scope), "%s%s%s", org, dept[0] ? "/" : "",
	    dept);
	if (k != NULL)
		printf("%-13s %-24s %s  v%-3d %-8s %lld blobs\n", tier,
		    scope[0] ? scope : "-", k->key_id, k->version,
		    k->key_type, k->blobs);
	else
		printf("%-13s %-24s not initialised: client certificates "
		    "cannot be issued\n", tier, scope[0] ? scope : "-");
	*first = 0;
}

/* Returns 1 when l holds a key of tier for org and dept. */
static int
has_key(const struct escrow_key_list *l, enum escrow_tier tier,
    long long org, long long dept)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		if (l->items[i]->tier == tier && l->items[i]->org_id == org &&
		    l->items[i]->dept_id == dept)
			return 1;
	return 0;
}

static int
cmd_escrow_status(struct admin *a, int argc, char **argv)
{
	struct escrow_key_list	*l;
	struct org_list		*ol;
	struct dept_list	*dl;
	const struct org	*o;
	char			*pos[1];
	size_t			 i, j;
	long long		 stale;
	int			 first = 1, master_needed = 0;

	if (admin_args_json(a, argc, argv, pos, 0) != 0)
		return -2;
	if (admin_customer(a) == NULL)
		return 1;
	if ((l = store_escrow_key_list(a->db, a->customer->id)) == NULL ||
	    (ol = store_org_list(a->db, a->customer->id)) == NULL) {
		escrow_key_list_free(l);
		return admin_fail("cannot read the escrow keys");
	}
	if (a->json)
		fputc('[', stdout);
	for (i = 0; i < l->n; i++)
		status_row(a, &first, escrow_tier_name(l->items[i]->tier),
		    l->items[i]->org_name, l->items[i]->dept_name,
		    l->items[i]);
	/* Tiers an organisation or department requires and nobody set up. */
	for (i = 0; i < ol->n; i++)
		master_needed |= ol->items[i]->escrow_master;
	if (master_needed && !has_key(l, ESCROW_MASTER, 0, 0))
		status_row(a, &first, "master", "", "", NULL);
	for (i = 0; i < ol->n; i++) {
		o = ol->items[i];
		if (o->escrow_org && !has_key(l, ESCROW_ORG, o->id, 0))
			status_row(a, &first, "organization", o->name, "",
			    NULL);
		if ((dl = store_dept_list(a->db, o->id)) == NULL)
			continue;
		for (j = 0; j < dl->n; j++)
			if (dl->items[j]->escrow_dept && !has_key(l,
			    ESCROW_DEPT, o->id, dl->items[j]->id))
				status_row(a, &first, "department", o->name,
				    dl->items[j]->name, NULL);
		store_dept_list_free(dl);
	}
	if (a->json)
		puts("]");
	else if (first)
		printf("no escrow keys, and no organisation requires one\n");
	else if ((stale = store_escrow_blob_stale(a->db,
	    a->customer->id)) >= 0)
		/* Must be 0: nothing re-seals a blob a retired key opens. */
		printf("%lld current blobs sealed to a key that is not "
		    "active\n", stale);
	store_org_list_free(ol);
	escrow_key_list_free(l);
	return 0;
}

/* Returns the certificate cert_id's request and its current blob; 1, or 0 after reporting. */
static int
load_blob(struct admin *a, const char *cert_id, struct request **r,
    struct escrow_blob **b)
{
	*b = NULL;
	if ((*r = store_request_by_cert_id(a->db, a->customer->id,
	    cert_id)) == NULL) {
		admin_fail("no certificate %s", cert_id);
		return 0;
	}
	if ((*b = store_escrow_blob_by_request(a->db, (*r)->id)) == NULL) {
		admin_fail("certificate %s has no escrowed key (its key was "
		    "the user's own, or its organisation requires no escrow)",
		    cert_id);
		store_request_free(*r);
		*r = NULL;
		return 0;
	}
	return 1;
}

static int
cmd_escrow_export(struct admin *a, int argc, char **argv)
{
	const char		*out = NULL;
	const struct opt	 opts[] = {
		{ "out", &out, NULL, "new file for the DER CMS blob" },
		{ NULL, NULL, NULL, NULL }
	};
	struct request		*r = NULL;
	struct escrow_blob	*b = NULL;
	char			*pos[1];
	int			 rc = 1;

	if (admin_args(argc, argv, opts, pos, 1) != 1)
		return -2;
	if (admin_customer(a) == NULL)
		return 1;
	if (out == NULL)
		return admin_fail("--out FILE.der is required");
	if (!load_blob(a, pos[0], &r, &b))
		return 1;
	if (write_new(out, b->der, b->len, 0600)) {
		admin_audit(a, "escrow.export", pos[0], NULL);
		printf("escrow blob of %s written to %s (%zu bytes, DER CMS "
		    "AuthEnvelopedData)\n", pos[0], out, b->len);
		rc = 0;
	}
	escrow_blob_free(b);
	store_request_free(r);
	return rc;
}

/* Returns the recipient of l whose certificate holds key's public half, or NULL. */
static struct escrow_key *
recipient_of(const struct escrow_key_list *l, EVP_PKEY *key)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		if (EVP_PKEY_eq(X509_get0_pubkey(l->items[i]->cert), key) == 1)
			return l->items[i];
	return NULL;
}

/* Prints the recipients of a blob to stderr, for a key that is none of them. */
static void
print_recipients(const struct escrow_key_list *l)
{
	size_t	 i;

	fprintf(stderr, "certdesk: the blob is sealed to:\n");
	for (i = 0; i < l->n; i++)
		fprintf(stderr, "  %s%s%s%s%s key id %s version %d\n",
		    escrow_tier_name(l->items[i]->tier),
		    l->items[i]->org_name[0] ? " " : "", l->items[i]->org_name,
		    l->items[i]->dept_name[0] ? "/" : "",
		    l->items[i]->dept_name, l->items[i]->key_id,
		    l->items[i]->version);
}

/*
 * Builds the PKCS#12 of key and the certificate of r with the CA chain
 * in encoding enc; returns 1 with *der, *len, or 0 after reporting.
 */
static int
recover_p12(struct admin *a, const struct request *r, EVP_PKEY *key, X509 *x,
    const char *password, enum p12_encoding enc, unsigned char **der,
    size_t *len)
{
	struct ca_rec	*rec;
	struct cacache	*ca;
	STACK_OF(X509)	*chain = NULL;
	char		*friendly = NULL;
	int		 i, ok = 0;

	if ((rec = store_ca_for_customer(a->db, a->customer->id)) == NULL ||
	    (ca = cacache_get(a->cfg, a->customer, rec)) == NULL) {
		store_ca_free(rec);
		admin_fail("cannot load the CA for the PKCS#12 chain");
		return 0;
	}
	if ((chain = sk_X509_new_null()) == NULL ||
	    !sk_X509_push(chain, ca->ca->cert))
		goto out;
	for (i = 0; i < sk_X509_num(ca->ca->chain); i++)
		if (!sk_X509_push(chain, sk_X509_value(ca->ca->chain, i)))
			goto out;
	if (asprintf(&friendly, "%s <%s>", r->common_name,
	    r->requester_email) == -1) {
		friendly = NULL;
		goto out;
	}
	ok = p12_build(enc, key, x, chain, friendly, password,
	    config_p12_iterations(a->cfg), der, len);
out:
	if (!ok)
		admin_fail("cannot build the PKCS#12 file");
	free(friendly);
	sk_X509_free(chain);	/* the certificates are the CA's */
	store_ca_free(rec);
	return ok;
}

/*
 * Revokes the certificate of r with keyCompromise (or changes the reason
 * of its revocation to it), audits what happened, then installs the
 * PKCS#12 at out; returns 1, or 0 after reporting.  The file is written
 * beside out but installed only once the revocation stands: a key that
 * left escrow may be in anyone's hands, so it never leaves while its
 * certificate is still good, and nothing is left when revoking fails.
 */
static int
recover_finish(struct admin *a, const struct request *r,
    const struct escrow_key *k, const unsigned char *p12, size_t p12len,
    const char *out)
{
	char	*tmp, err[256], detail[512];
	int	 was_issued, reason_change, installed;

	if ((tmp = file_write_temp(out, p12, p12len, 0600)) == NULL) {
		admin_fail("cannot write %s: %s", out, strerror(errno));
		return 0;
	}
	was_issued = r->status == REQ_ISSUED;
	/* Superseded by a renewal (the common case) no longer says enough. */
	reason_change = r->status == REQ_REVOKED && r->revoke_reason != 1;
	err[0] = '\0';
	if ((was_issued && !issue_revoke(a->db, a->cfg, r->id, 1,
	    "key recovered from escrow", &a->actor, err, sizeof(err))) ||
	    (reason_change && !issue_revoke_reason(a->db, a->cfg, r->id, 1,
	    "key recovered from escrow", &a->actor, err, sizeof(err)))) {
		(void)unlink(tmp);
		free(tmp);
		admin_fail("certificate %s could not be %s: %s; the key was "
		    "not written", r->cert_id, was_issued ? "revoked" :
		    "given reason keyCompromise", err);
		return 0;
	}
	snprintf(detail, sizeof(detail), "%s key id %s version %d%s",
	    escrow_tier_name(k->tier), k->key_id, k->version,
	    was_issued ? "; revoked keyCompromise" : reason_change ?
	    "; revocation reason changed to keyCompromise" : "");
	admin_audit(a, "escrow.recover", r->cert_id, detail);
	if (was_issued)
		admin_notify(a, r->id, "revoked");
	installed = file_install(tmp, out, FILE_NEW);
	free(tmp);	/* the name; the file is installed or gone */
	if (installed != 1) {
		admin_fail(installed == -1 ? "%s appeared meanwhile; certdesk "
		    "never overwrites it (the certificate stays revoked; "
		    "recover again to another file)" : "cannot write %s (the "
		    "certificate stays revoked; recover again)", out);
		return 0;
	}
	printf("key of %s recovered with the %s tier key (key id %s, "
	    "version %d) into %s\n", r->cert_id, escrow_tier_name(k->tier),
	    k->key_id, k->version, out);
	if (was_issued)
		printf("certificate %s revoked (keyCompromise)%s\n",
		    r->cert_id, err[0] == '\0' ? "; CRL updated" : "");
	else if (reason_change)
		printf("certificate %s was already revoked (%s); reason "
		    "changed to keyCompromise%s\n", r->cert_id,
		    issue_reason_name(r->revoke_reason),
		    err[0] == '\0' ? "; CRL updated" : "");
	else
		printf("certificate %s was already %s\n", r->cert_id,
		    store_status_name(r->status));
	if (err[0] != '\0') {
		/* Revoked all the same; the next publication lists it. */
		admin_fail("%s", err);
		return 0;
	}
	return 1;
}

static int
cmd_escrow_recover(struct admin *a, int argc, char **argv)
{
	const char		*keyfile = NULL, *passfile = NULL, *out = NULL;
	const char		*p12passfile = NULL, *encname = "modern";
	const char		*shares[MAX_SHARE_ARGS];
	const struct opt	 opts[] = {
		{ "key", &keyfile, NULL, "the tier private key (PEM)" },
		{ "passphrase-file", &passfile, NULL,
		    "the tier key's passphrase, if it has one" },
		{ "out", &out, NULL, "new file for the PKCS#12" },
		{ "p12-password-file", &p12passfile, NULL,
		    "the PKCS#12 password" },
		{ "encoding", &encname, NULL, "modern (default) or compatible" },
		{ NULL, NULL, NULL, NULL }
	};
	struct request		*r = NULL;
	struct escrow_blob	*b = NULL;
	struct escrow_key_list	*rl = NULL;
	struct escrow_key	*k;
	EVP_PKEY		*tkey = NULL, *ukey = NULL;
	X509			*x = NULL;
	const unsigned char	*p;
	unsigned char		*p8 = NULL, *p12 = NULL;
	size_t			 p8len = 0, p12len = 0;
	char			*pos[1], *p12pass = NULL;
	int			 nshares, enc, rc = 1;

	if ((nshares = take_repeated(&argc, argv, "share", shares,
	    MAX_SHARE_ARGS)) < 0)
		return 1;
	if (admin_args(argc, argv, opts, pos, 1) != 1)
		return -2;
	if (admin_customer(a) == NULL)
		return 1;
	if (out == NULL || p12passfile == NULL)
		return admin_fail("--out FILE.p12 and --p12-password-file F "
		    "are required");
	if ((enc = p12_encoding_parse(encname)) < 0)
		return admin_fail("--encoding must be modern or compatible");
	if (!must_be_new(out))
		return 1;
	if (!load_blob(a, pos[0], &r, &b))
		return 1;
	if ((rl = store_escrow_recipients(a->db, b->id)) == NULL) {
		admin_fail("cannot read the recipients of the blob");
		goto out;
	}
	if ((tkey = load_tier_key(keyfile, shares, nshares, passfile)) ==
	    NULL)
		goto out;
	if ((k = recipient_of(rl, tkey)) == NULL) {
		admin_fail("this key is not a recipient of the escrow blob of "
		    "%s; nothing was changed", pos[0]);
		print_recipients(rl);
		goto out;
	}
	if (escrow_open(b->der, b->len, k->cert, tkey, &p8, &p8len) !=
	    ESCROW_OPENED || (ukey = escrow_p8_key(p8, p8len)) == NULL) {
		admin_fail("the escrow blob of %s does not open with this key; "
		    "nothing was changed", pos[0]);
		goto out;
	}
	p = r->cert_der;
	if (p == NULL || (x = d2i_X509(NULL, &p, (long)r->cert_len)) ==
	    NULL || X509_check_private_key(x, ukey) != 1) {
		admin_fail("the escrowed key does not match the certificate "
		    "%s; nothing was changed", pos[0]);
		goto out;
	}
	if ((p12pass = read_secret(p12passfile)) == NULL ||
	    !recover_p12(a, r, ukey, x, p12pass, (enum p12_encoding)enc,
	    &p12, &p12len))
		goto out;
	if (recover_finish(a, r, k, p12, p12len, out))
		rc = 0;
out:
	free_secret(p12pass);
	OPENSSL_clear_free(p12, p12len);
	OPENSSL_clear_free(p8, p8len);
	EVP_PKEY_free(ukey);
	EVP_PKEY_free(tkey);
	X509_free(x);
	escrow_key_list_free(rl);
	escrow_blob_free(b);
	store_request_free(r);
	return rc;
}

/* What one re-encryption run holds. */
struct reenc {
	struct admin		*a;
	const struct scope	*sc;
	struct escrow_key	*old;		/* the active key */
	EVP_PKEY		*old_key;
	struct escrow_key	 new;		/* the pending key, recorded */
	EVP_PKEY		*new_key;
	long long		 total, done;
	int			 tty;
};

/*
 * Re-seals blob b to its recipients with the new tier key in place of
 * the old, checks the new blob opens with the new key to the same key,
 * and records it as pending beside b, inside the caller's transaction.
 * Returns 1, or 0 after reporting.
 */
static int
reseal_one(struct reenc *re, const struct escrow_blob *b)
{
	struct escrow_key_list	*rl, view = { NULL, 0 };
	X509			**certs = NULL;
	unsigned char		*p8 = NULL, *chk = NULL, *der = NULL;
	size_t			 p8len = 0, chklen = 0, len = 0, i;
	int			 ok = 0, found = 0;

	/* The recipients as they are, with the new key where the old one was. */
	if ((rl = store_escrow_recipients(re->a->db, b->id)) == NULL ||
	    (view.items = calloc(rl->n, sizeof(struct escrow_key *))) == NULL)
		goto out;
	view.n = rl->n;
	for (i = 0; i < rl->n; i++) {
		view.items[i] = rl->items[i];
		if (rl->items[i]->id == re->old->id) {
			view.items[i] = &re->new;
			found = 1;
		}
	}
	if (!found || (certs = escrow_key_certs(&view)) == NULL)
		goto out;
	if (escrow_open(b->der, b->len, re->old->cert, re->old_key, &p8,
	    &p8len) != ESCROW_OPENED) {
		admin_fail("blob %lld does not open with the old key; nothing "
		    "was replaced", b->id);
		goto out;
	}
	if (!escrow_seal(p8, p8len, certs, view.n, &der, &len) ||
	    escrow_open(der, len, re->new.cert, re->new_key, &chk,
	    &chklen) != ESCROW_OPENED || chklen != p8len ||
	    CRYPTO_memcmp(chk, p8, p8len) != 0) {
		admin_fail("blob %lld: the new blob does not open to the same "
		    "key; nothing was replaced", b->id);
		goto out;
	}
	ok = escrow_record(re->a->db, b->request_id, der, len, "pending",
	    &view);
out:
	free(view.items);	/* borrowed entries */
	escrow_key_list_free(rl);
	free(certs);
	OPENSSL_free(der);
	OPENSSL_clear_free(chk, chklen);
	OPENSSL_clear_free(p8, p8len);
	return ok;
}

/* Shows how far the run is, on a terminal only. */
static void
progress(const struct reenc *re, int final)
{
	if (!re->tty)
		return;
	fprintf(stderr, "\rre-encrypted %lld of %lld blobs", re->done,
	    re->total);
	if (final)
		fputc('\n', stderr);
	(void)fflush(stderr);
}

/*
 * Re-seals every current blob of the old key that has no pending twin
 * yet, REENCRYPT_BATCH per transaction with an audit event each.
 * Returns 1, or 0 after reporting (committed batches stay pending).
 */
static int
reseal_all(struct reenc *re)
{
	struct escrow_blob_list	*page;
	struct db		*db = re->a->db;
	char			 detail[128];
	long long		 after = 0, first;
	size_t			 i;

	for (;;) {
		if ((page = store_escrow_blob_page(db, re->old->id, "current",
		    re->new.id, after, REENCRYPT_BATCH)) == NULL) {
			admin_fail("cannot read the escrow blobs");
			return 0;
		}
		if (page->n == 0) {
			escrow_blob_list_free(page);
			return 1;
		}
		first = re->done + 1;
		if (!db_begin(db)) {
			escrow_blob_list_free(page);
			admin_fail("cannot start a transaction");
			return 0;
		}
		for (i = 0; i < page->n; i++) {
			if (!reseal_one(re, page->items[i])) {
				db_rollback(db);
				escrow_blob_list_free(page);
				return 0;
			}
			after = page->items[i]->id;
		}
		if (!db_commit(db)) {
			db_rollback(db);
			escrow_blob_list_free(page);
			admin_fail("cannot record the new blobs");
			return 0;
		}
		re->done += (long long)page->n;
		snprintf(detail, sizeof(detail), "blobs %lld-%lld of %lld to "
		    "version %d", first, re->done, re->total, re->new.version);
		admin_audit(re->a, "escrow.reencrypt.batch", re->sc->label,
		    detail);
		progress(re, 0);
		escrow_blob_list_free(page);
	}
}

/*
 * Opens every pending blob of the new key with the new key, as stored.
 * Returns the number that open, or -1 on error.
 */
static long long
verify_pending(struct reenc *re)
{
	struct escrow_blob_list	*page;
	unsigned char		*p8;
	size_t			 p8len, i;
	long long		 after = 0, n = 0;

	for (;;) {
		if ((page = store_escrow_blob_page(re->a->db, re->new.id,
		    "pending", 0, after, 500)) == NULL)
			return -1;
		if (page->n == 0)
			break;
		for (i = 0; i < page->n; i++) {
			p8 = NULL;
			p8len = 0;
			if (escrow_open(page->items[i]->der,
			    page->items[i]->len, re->new.cert, re->new_key,
			    &p8, &p8len) == ESCROW_OPENED)
				n++;
			OPENSSL_clear_free(p8, p8len);
			after = page->items[i]->id;
		}
		escrow_blob_list_free(page);
	}
	escrow_blob_list_free(page);
	return n;
}

/*
 * Replaces the old blobs by the new ones and the old key by the new, in
 * one transaction, once every old blob has a verified pending twin.
 * Returns 1 done, 0 after reporting, -1 when blobs were added meanwhile
 * (the caller re-seals those and tries again).
 */
static int
swap(struct reenc *re)
{
	struct db	*db = re->a->db;
	long long	 cur, pend, ok;

	if ((ok = verify_pending(re)) < 0) {
		admin_fail("cannot read the new blobs");
		return 0;
	}
	if (!db_begin(db)) {
		admin_fail("cannot start a transaction");
		return 0;
	}
	cur = store_escrow_blob_count(db, re->old->id, "current");
	pend = store_escrow_blob_count(db, re->new.id, "pending");
	if (cur < 0 || pend < 0) {
		db_rollback(db);
		admin_fail("cannot count the blobs");
		return 0;
	}
	if (cur != pend || ok != pend) {
		db_rollback(db);
		if (ok != pend) {
			admin_fail("%lld of %lld new blobs do not open with "
			    "the new key; the old ones stay", pend - ok, pend);
			return 0;
		}
		return -1;	/* certificates issued meanwhile */
	}
	if (!store_escrow_blob_delete(db, re->old->id, "current") ||
	    !store_escrow_blob_promote(db, re->new.id) ||
	    !store_escrow_key_set_state(db, re->old->id, "retired") ||
	    !store_escrow_key_set_state(db, re->new.id, "active") ||
	    !db_commit(db)) {
		db_rollback(db);
		admin_fail("cannot replace the old blobs; they stay, and the "
		    "old key still opens them");
		return 0;
	}
	return 1;
}

/*
 * Returns 1 when no other tier has an unfinished re-encryption, or 0
 * after naming it: its pending blobs would be counted against this run
 * and its key discarded by nobody.  The interrupted tier is finished (or
 * its leftovers discarded) by running it again.
 */
static int
others_finished(struct admin *a, const struct scope *sc)
{
	struct escrow_key_list	*l;
	const struct escrow_key	*k;
	size_t			 i;
	int			 ok = 1;

	if ((l = store_escrow_keys_pending(a->db, a->customer->id)) == NULL) {
		admin_fail("cannot read the escrow keys");
		return 0;
	}
	for (i = 0; i < l->n && ok; i++) {
		k = l->items[i];
		if (k->tier == sc->tier && k->org_id == scope_org(sc) &&
		    k->dept_id == scope_dept(sc))
			continue;
		admin_fail("the re-encryption of the %s tier%s%s%s%s was "
		    "interrupted; run certdesk escrow reencrypt for that tier "
		    "again first", escrow_tier_name(k->tier),
		    k->org_name[0] ? " of " : "", k->org_name,
		    k->dept_name[0] ? "/" : "", k->dept_name);
		ok = 0;
	}
	escrow_key_list_free(l);
	return ok;
}

/*
 * Discards what an interrupted run of the same tier left: its pending
 * blobs, and its key, which is kept as discarded so that its version
 * (on the key file that run may have written) is never given again.
 */
static int
discard_unfinished(struct admin *a, const struct scope *sc)
{
	struct escrow_key_list	*l;
	size_t			 i;
	int			 ok = 1;

	if ((l = store_escrow_keys_find(a->db, a->customer->id, sc->tier,
	    scope_org(sc), scope_dept(sc), "pending")) == NULL)
		return 0;
	for (i = 0; i < l->n && ok; i++) {
		fprintf(stderr, "certdesk: discarding the unfinished "
		    "re-encryption to version %d of the %s tier\n",
		    l->items[i]->version, sc->label);
		ok = db_begin(a->db) && store_escrow_blob_delete(a->db,
		    l->items[i]->id, "pending") &&
		    store_escrow_key_discard(a->db, l->items[i]->id) &&
		    db_commit(a->db);
		if (!ok)
			db_rollback(a->db);
	}
	escrow_key_list_free(l);
	return ok;
}

/*
 * Returns a descriptor holding the customer's re-encryption lock (close
 * releases it), or -1 after reporting: two runs at once would discard
 * each other's new blobs as unfinished.
 */
static int
reencrypt_lock(struct admin *a)
{
	char	 path[4096];
	int	 fd;

	snprintf(path, sizeof(path), "%s/escrow-%s.lock",
	    config_get(a->cfg, "State.Dir", "/var/lib/certdesk"),
	    a->customer->uri);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		admin_fail("cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		(void)close(fd);
		admin_fail("another escrow re-encryption is running");
		return -1;
	}
	return fd;
}

static int
cmd_escrow_reencrypt(struct admin *a, int argc, char **argv)
{
	const char		*tier = NULL, *orgname = NULL, *deptname = NULL;
	const char		*keyfile = NULL, *passfile = NULL;
	const char		*newpassfile = NULL, *ktype = NULL;
	const char		*sharesn = NULL, *threshold = NULL;
	const char		*shares[MAX_SHARE_ARGS];
	struct keyout		 ko;
	const struct opt	 opts[] = {
		{ "tier", &tier, NULL, "master, org or dept" },
		{ "org", &orgname, NULL, "organisation (org and dept tiers)" },
		{ "dept", &deptname, NULL, "department (dept tier)" },
		{ "key", &keyfile, NULL, "the old tier private key (PEM)" },
		{ "passphrase-file", &passfile, NULL,
		    "the old key's passphrase, if it has one" },
		{ "key-type", &ktype, NULL,
		    "rsa3072, rsa4096, p384 (default: the old key's)" },
		{ "out", &ko.out, NULL, "new file for the new private key" },
		{ "cert-out", &ko.cert_out, NULL,
		    "new file for the new certificate (default: OUT as .crt)" },
		{ "new-passphrase-file", &newpassfile, NULL,
		    "encrypt the new key with the passphrase in this file" },
		{ "shares", &sharesn, NULL, "split the new key into N shares" },
		{ "threshold", &threshold, NULL, "M shares rejoin it" },
		{ NULL, NULL, NULL, NULL }
	};
	struct scope		 sc;
	struct reenc		 re;
	enum key_type		 type;
	char			*pos[1], detail[512];
	int			 nshares, version, r, lock = -1, rc = 1;

	memset(&ko, 0, sizeof(ko));
	memset(&re, 0, sizeof(re));
	memset(&sc, 0, sizeof(sc));
	if ((nshares = take_repeated(&argc, argv, "share", shares,
	    MAX_SHARE_ARGS)) < 0)
		return 1;
	if (admin_args(argc, argv, opts, pos, 0) != 0)
		return -2;
	if (admin_customer(a) == NULL)
		return 1;
	re.a = a;
	re.sc = &sc;
	re.tty = isatty(STDERR_FILENO);
	if ((lock = reencrypt_lock(a)) == -1)
		return 1;
	if (!scope_load(a, tier, orgname, deptname, &sc) ||
	    !keyout_check(&ko, sharesn, threshold) || !others_finished(a, &sc))
		goto out;
	if ((re.old = store_escrow_key_active(a->db, a->customer->id, sc.tier,
	    scope_org(&sc), scope_dept(&sc))) == NULL) {
		admin_fail("the %s tier has no key; set one up with: certdesk "
		    "escrow init", sc.label);
		goto out;
	}
	if ((type = tier_key_type(ktype != NULL ? ktype :
	    re.old->key_type)) == KEY_NONE)
		goto out;
	if ((re.old_key = load_tier_key(keyfile, shares, nshares,
	    passfile)) == NULL)
		goto out;
	if (EVP_PKEY_eq(X509_get0_pubkey(re.old->cert), re.old_key) != 1) {
		admin_fail("this is not the current key of the %s tier (key id "
		    "%s, version %d); nothing was changed", sc.label,
		    re.old->key_id, re.old->version);
		goto out;
	}
	if (!discard_unfinished(a, &sc)) {
		admin_fail("cannot discard an unfinished re-encryption");
		goto out;
	}
	if ((version = store_escrow_key_next_version(a->db, a->customer->id,
	    sc.tier, scope_org(&sc), scope_dept(&sc))) == 0 ||
	    !tier_new(a, &sc, type, version, &re.new_key, &re.new))
		goto out;
	/* The new key file first, before any blob is sealed to it. */
	if (!keyout_write(&ko, re.new_key, re.new.cert, newpassfile))
		goto out;
	if ((re.new.id = store_escrow_key_add(a->db, &re.new, "pending")) ==
	    0) {
		admin_fail("cannot record the new tier key");
		goto out;
	}
	re.total = store_escrow_blob_count(a->db, re.old->id, "current");
	do {
		if (!reseal_all(&re))
			goto out;
	} while ((r = swap(&re)) == -1);
	if (r == 0)
		goto out;
	progress(&re, 1);
	snprintf(detail, sizeof(detail), "%lld blobs; version %d (key id %s) "
	    "retired, version %d (key id %s, %s) active", re.done,
	    re.old->version, re.old->key_id, version, re.new.key_id,
	    re.new.key_type);
	admin_audit(a, "escrow.reencrypt", sc.label, detail);
	printf("re-encrypted %lld blobs of the %s tier: key version %d "
	    "(key id %s) is active, version %d retired\n", re.done, sc.label,
	    version, re.new.key_id, re.old->version);
	if (ko.shares)
		printf("new private key split into %u shares %s.NNN, any %u "
		    "of which rejoin it\n", ko.shares, ko.out, ko.threshold);
	else
		printf("new private key written to %s\n", ko.out);
	printf("new certificate written to %s\n", ko.cert_path);
	rc = 0;
out:
	free(re.new.key_id);
	X509_free(re.new.cert);
	EVP_PKEY_free(re.new_key);
	EVP_PKEY_free(re.old_key);
	escrow_key_free(re.old);
	scope_free(&sc);
	(void)close(lock);
	return rc;
}

const struct command admin_escrow_commands[] = {
	{ "escrow", "init", cmd_escrow_init,
	    "escrow init --tier master|org|dept [--org ORG] [--dept DEPT] "
	    "[--key-type rsa3072|rsa4096|p384] [--passphrase-file F] "
	    "--out FILE [--cert-out FILE] [--shares N --threshold M]",
	    "make a tier key pair; write the private key once, keep the "
	    "certificate" },
	{ "escrow", "status", cmd_escrow_status, "escrow status [--json]",
	    "key id, version, type and blob count per tier" },
	{ "escrow", "export", cmd_escrow_export,
	    "escrow export CERT-ID --out FILE.der",
	    "write a certificate's escrow blob (DER CMS)" },
	{ "escrow", "recover", cmd_escrow_recover,
	    "escrow recover CERT-ID --key FILE|--share F1 --share F2 ... "
	    "[--passphrase-file F] --out FILE.p12 --p12-password-file F "
	    "[--encoding modern|compatible]",
	    "write the escrowed key as PKCS#12 and revoke the certificate "
	    "(keyCompromise)" },
	{ "escrow", "reencrypt", cmd_escrow_reencrypt,
	    "escrow reencrypt --tier master|org|dept [--org ORG] [--dept DEPT] "
	    "--key OLD|--share F ... [--passphrase-file F] [--key-type T] "
	    "--out NEWFILE [--cert-out FILE] [--new-passphrase-file F] "
	    "[--shares N --threshold M]",
	    "replace a tier key and re-seal every blob of the tier to the "
	    "new one" },
	{ NULL, NULL, NULL, NULL, NULL }
};
