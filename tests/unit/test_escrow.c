/*
 * test_escrow: the escrow blob and the tier keys.  Blobs are opened both
 * by lib/escrow.c and by the stock `openssl cms` command line README
 * documents, because the promise is that an organisation can recover a
 * key without certdesk; the algorithm identifiers are decoded one by one
 * so that an OpenSSL default change cannot slip in unnoticed.  The
 * second suite drives the client certificate pipeline of a real instance:
 * a required tier without a key blocks issuance before anything is made,
 * and an issued key is sealed to exactly the tiers required.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libgfshare.h>
#include <openssl/cms.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "clientcert.h"
#include "config.h"
#include "db.h"
#include "escrow.h"
#include "fixture.h"
#include "keygen.h"
#include "log.h"
#include "store.h"
#include "unit.h"

#define PASSWORD	"correct horse 8"

/* Three tiers: RSA 3072, EC P-384, RSA 3072; and a foreign EC key. */
static EVP_PKEY	*tk[3], *foreign_key, *user_key;
static X509	*tc[3], *foreign_cert;
static unsigned char *user_p8;
static size_t	 user_p8_len;

static int
setup(void)
{
	static const enum key_type types[3] = { KEY_RSA3072, KEY_EC384,
	    KEY_RSA3072 };
	int	 i;

	for (i = 0; i < 3; i++)
		if (!escrow_tier_make(types[i], "test tier", &tk[i], &tc[i]))
			return 1;
	if (!escrow_tier_make(KEY_EC384, "test tier", &foreign_key,
	    &foreign_cert) || (user_key = keygen_make(KEY_EC256)) == NULL ||
	    (user_p8 = escrow_p8(user_key, &user_p8_len)) == NULL)
		return 1;
	return 0;
}

static int
teardown(void)
{
	int	 i;

	for (i = 0; i < 3; i++) {
		EVP_PKEY_free(tk[i]);
		X509_free(tc[i]);
	}
	EVP_PKEY_free(foreign_key);
	X509_free(foreign_cert);
	EVP_PKEY_free(user_key);
	OPENSSL_clear_free(user_p8, user_p8_len);
	return 0;
}

/* Writes data to name in the fixture directory; path gets its path. */
static void
put(const char *name, const void *data, size_t len, char *path, size_t plen)
{
	FILE	*f;

	fixture_path(path, plen, name);
	f = fopen(path, "wb");
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT(fwrite(data, 1, len, f) == len);
	fclose(f);
}

/* Writes cert and key (PEM) into the fixture directory as tier.crt/tier.key. */
static void
put_tier(X509 *cert, EVP_PKEY *key)
{
	char	 path[PATH_MAX];
	FILE	*f;

	fixture_path(path, sizeof(path), "tier.crt");
	CU_ASSERT_FATAL((f = fopen(path, "w")) != NULL);
	CU_ASSERT(PEM_write_X509(f, cert));
	fclose(f);
	fixture_path(path, sizeof(path), "tier.key");
	CU_ASSERT_FATAL((f = fopen(path, "w")) != NULL);
	CU_ASSERT(PEM_write_PKCS8PrivateKey(f, key, NULL, NULL, 0, NULL,
	    NULL));
	fclose(f);
}

/*
 * Runs README's recovery command line on blob.der with tier.crt and
 * tier.key in the fixture directory; returns 1 when key.pem it writes
 * holds the user's key.
 */
static int
stock_recovers(void)
{
	char		 cmd[3 * PATH_MAX], path[PATH_MAX];
	EVP_PKEY	*k;
	FILE		*f;
	int		 ok;

	fixture_path(path, sizeof(path), "key.pem");
	unlink(path);
	snprintf(cmd, sizeof(cmd), "cd '%s' && openssl cms -decrypt -inform "
	    "DER -in blob.der -recip tier.crt -inkey tier.key 2>/dev/null | "
	    "openssl pkcs8 -inform DER -nocrypt -out key.pem 2>/dev/null",
	    fixture.dir);
	if (system(cmd) != 0 || (f = fopen(path, "r")) == NULL)
		return 0;
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	ok = k != NULL && EVP_PKEY_eq(k, user_key) == 1;
	EVP_PKEY_free(k);
	return ok;
}

/* Seals to the first n tiers and checks each opens it, alone, both ways. */
static void
seal_and_open(size_t n)
{
	unsigned char	*der = NULL, *p8 = NULL;
	size_t		 len = 0, p8len = 0, i;
	char		 path[PATH_MAX];
	EVP_PKEY	*k;

	CU_ASSERT_FATAL(escrow_seal(user_p8, user_p8_len, tc, n, &der, &len));
	put("blob.der", der, len, path, sizeof(path));
	for (i = 0; i < n; i++) {
		CU_ASSERT(escrow_open(der, len, tc[i], tk[i], &p8, &p8len) ==
		    ESCROW_OPENED);
		CU_ASSERT(p8len == user_p8_len &&
		    memcmp(p8, user_p8, p8len) == 0);
		k = escrow_p8_key(p8, p8len);
		CU_ASSERT(k != NULL && EVP_PKEY_eq(k, user_key) == 1);
		EVP_PKEY_free(k);
		OPENSSL_clear_free(p8, p8len);
		p8 = NULL;
		put_tier(tc[i], tk[i]);
		CU_ASSERT(stock_recovers());
	}
	/* A tier that is not a recipient, and a foreign key. */
	if (n < 3)
		CU_ASSERT(escrow_open(der, len, tc[2], tk[2], &p8, &p8len) ==
		    ESCROW_NOT_RECIPIENT);
	CU_ASSERT(escrow_open(der, len, foreign_cert, foreign_key, &p8,
	    &p8len) == ESCROW_NOT_RECIPIENT);
	put_tier(foreign_cert, foreign_key);
	CU_ASSERT(!stock_recovers());
	/* The foreign key under a recipient's certificate opens nothing. */
	put_tier(tc[1], foreign_key);
	CU_ASSERT(!stock_recovers());
	OPENSSL_free(der);
}

static void
test_seal_one_tier(void)
{
	seal_and_open(1);
}

static void
test_seal_two_tiers(void)
{
	seal_and_open(2);
}

static void
test_seal_three_tiers(void)
{
	seal_and_open(3);
}

/* Returns the NID of an X509_ALGOR's parameter that is itself an algorithm. */
static int
param_alg_nid(const X509_ALGOR *alg)
{
	const void		*pval;
	const ASN1_STRING	*s;
	const unsigned char	*p;
	X509_ALGOR		*inner;
	int			 ptype, nid = NID_undef;

	X509_ALGOR_get0(NULL, &ptype, &pval, alg);
	if (ptype != V_ASN1_SEQUENCE)
		return NID_undef;
	s = pval;
	p = ASN1_STRING_get0_data(s);
	if ((inner = d2i_X509_ALGOR(NULL, &p, ASN1_STRING_length(s))) != NULL)
		nid = OBJ_obj2nid(inner->algorithm);
	X509_ALGOR_free(inner);
	return nid;
}

/* The identifiers SPEC 4.3 fixes, decoded from the blob itself. */
static void
test_seal_algorithms(void)
{
	unsigned char		*der = NULL;
	const unsigned char	*p;
	size_t			 len = 0;
	CMS_ContentInfo		*cms;
	STACK_OF(CMS_RecipientInfo) *ris;
	CMS_RecipientInfo	*ri;
	X509_ALGOR		*alg;
	RSA_OAEP_PARAMS		*oaep;
	const void		*pval;
	const ASN1_STRING	*s;
	int			 ptype, i, ktri = 0, kari = 0;
	char			 path[PATH_MAX], cmd[2 * PATH_MAX];

	CU_ASSERT_FATAL(escrow_seal(user_p8, user_p8_len, tc, 2, &der, &len));
	p = der;
	CU_ASSERT_FATAL((cms = d2i_CMS_ContentInfo(NULL, &p, (long)len)) !=
	    NULL);
	CU_ASSERT(OBJ_obj2nid(CMS_get0_type(cms)) ==
	    NID_id_smime_ct_authEnvelopedData);
	ris = CMS_get0_RecipientInfos(cms);
	CU_ASSERT_FATAL(sk_CMS_RecipientInfo_num(ris) == 2);
	for (i = 0; i < 2; i++) {
		ri = sk_CMS_RecipientInfo_value(ris, i);
		if (CMS_RecipientInfo_type(ri) == CMS_RECIPINFO_TRANS) {
			ktri++;
			CU_ASSERT(CMS_RecipientInfo_ktri_get0_algs(ri, NULL,
			    NULL, &alg) == 1);
			CU_ASSERT(OBJ_obj2nid(alg->algorithm) ==
			    NID_rsaesOaep);
			X509_ALGOR_get0(NULL, &ptype, &pval, alg);
			CU_ASSERT_FATAL(ptype == V_ASN1_SEQUENCE);
			s = pval;
			p = ASN1_STRING_get0_data(s);
			oaep = d2i_RSA_OAEP_PARAMS(NULL, &p,
			    ASN1_STRING_length(s));
			CU_ASSERT_FATAL(oaep != NULL);
			CU_ASSERT(oaep->hashFunc != NULL && OBJ_obj2nid(
			    oaep->hashFunc->algorithm) == NID_sha256);
			CU_ASSERT(oaep->maskGenFunc != NULL && OBJ_obj2nid(
			    oaep->maskGenFunc->algorithm) == NID_mgf1);
			CU_ASSERT(oaep->maskGenFunc != NULL &&
			    param_alg_nid(oaep->maskGenFunc) == NID_sha256);
			RSA_OAEP_PARAMS_free(oaep);
		} else if (CMS_RecipientInfo_type(ri) == CMS_RECIPINFO_AGREE) {
			kari++;
			CU_ASSERT(CMS_RecipientInfo_kari_get0_alg(ri, &alg,
			    NULL) == 1);
			CU_ASSERT(OBJ_obj2nid(alg->algorithm) ==
			    NID_dhSinglePass_stdDH_sha256kdf_scheme);
			CU_ASSERT(param_alg_nid(alg) == NID_id_aes256_wrap);
		}
	}
	CU_ASSERT(ktri == 1 && kari == 1);
	CMS_ContentInfo_free(cms);
	/* The content cipher, as the stock tool prints it. */
	put("blob.der", der, len, path, sizeof(path));
	snprintf(cmd, sizeof(cmd), "openssl cms -cmsout -print -inform DER "
	    "-in '%s' | grep -q 'algorithm: aes-256-gcm'", path);
	CU_ASSERT(system(cmd) == 0);
	OPENSSL_free(der);
}

static void
test_tier_cert(void)
{
	char	*id;
	int	 i;

	for (i = 0; i < 3; i++) {
		CU_ASSERT(X509_check_private_key(tc[i], tk[i]) == 1);
		CU_ASSERT(X509_get0_subject_key_id(tc[i]) != NULL);
		id = escrow_key_id(tc[i]);
		CU_ASSERT(id != NULL && strlen(id) == 40 &&
		    strspn(id, "0123456789abcdef") == 40);
		free(id);
	}
	CU_ASSERT(X509_get_key_usage(tc[0]) == KU_KEY_ENCIPHERMENT);
	CU_ASSERT(X509_get_key_usage(tc[1]) == KU_KEY_AGREEMENT);
}

/* Returns the PBKDF2 salt length of an encrypted PKCS#8 PEM, or -1. */
static int
pbkdf2_salt_len(const char *pem, size_t len)
{
	BIO			*b;
	X509_SIG		*sig = NULL;
	const X509_ALGOR	*alg = NULL;
	PBE2PARAM		*pbe2 = NULL;
	PBKDF2PARAM		*kdf = NULL;
	int			 n = -1;

	if ((b = BIO_new_mem_buf(pem, (int)len)) != NULL &&
	    (sig = PEM_read_bio_PKCS8(b, NULL, NULL, NULL)) != NULL) {
		X509_SIG_get0(sig, &alg, NULL);
		if (OBJ_obj2nid(alg->algorithm) == NID_pbes2 &&
		    (pbe2 = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM),
		    alg->parameter)) != NULL &&
		    OBJ_obj2nid(pbe2->keyfunc->algorithm) == NID_id_pbkdf2 &&
		    (kdf = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBKDF2PARAM),
		    pbe2->keyfunc->parameter)) != NULL &&
		    kdf->salt->type == V_ASN1_OCTET_STRING)
			n = kdf->salt->value.octet_string->length;
	}
	PBKDF2PARAM_free(kdf);
	PBE2PARAM_free(pbe2);
	X509_SIG_free(sig);
	BIO_free(b);
	return n;
}

static void
test_key_pem(void)
{
	char		*pem;
	size_t		 len = 0;
	EVP_PKEY	*k;
	const char	*why = NULL;

	pem = escrow_key_pem(tk[1], NULL, &len);
	CU_ASSERT_FATAL(pem != NULL);
	CU_ASSERT(strstr(pem, "-----BEGIN PRIVATE KEY-----") != NULL);
	k = escrow_key_parse((unsigned char *)pem, len, NULL, &why);
	CU_ASSERT(k != NULL && EVP_PKEY_eq(k, tk[1]) == 1);
	EVP_PKEY_free(k);
	OPENSSL_clear_free(pem, len);

	pem = escrow_key_pem(tk[1], "tier pass 1", &len);
	CU_ASSERT_FATAL(pem != NULL);
	CU_ASSERT(strstr(pem, "-----BEGIN ENCRYPTED PRIVATE KEY-----") !=
	    NULL);
	k = escrow_key_parse((unsigned char *)pem, len, "tier pass 1", &why);
	CU_ASSERT(k != NULL && EVP_PKEY_eq(k, tk[1]) == 1);
	EVP_PKEY_free(k);
	CU_ASSERT(escrow_key_parse((unsigned char *)pem, len, "wrong",
	    &why) == NULL);
	CU_ASSERT_STRING_EQUAL(why, "wrong passphrase or damaged key file");
	CU_ASSERT(escrow_key_parse((unsigned char *)pem, len, NULL, &why) ==
	    NULL);
	CU_ASSERT_EQUAL(pbkdf2_salt_len(pem, len), 16);
	OPENSSL_clear_free(pem, len);
	CU_ASSERT(escrow_key_parse((const unsigned char *)"junk", 4, NULL,
	    &why) == NULL);
	CU_ASSERT_STRING_EQUAL(why, "no private key in the file");
}

/* 2 of 3 shares rejoin the key file; 1 does not; gfcombine agrees. */
static void
test_shares(void)
{
	char		*pem, path[PATH_MAX], cmd[3 * PATH_MAX], name[32];
	size_t		 len = 0;
	unsigned char	*sh[3], nrs[3], *out;
	const unsigned char *two[2];
	unsigned char	 twonr[2];
	const char	*why;
	EVP_PKEY	*k;
	FILE		*f;
	int		 i;

	pem = escrow_key_pem(tk[0], NULL, &len);
	CU_ASSERT_FATAL(pem != NULL);
	for (i = 0; i < 3; i++)
		CU_ASSERT_FATAL((sh[i] = malloc(len)) != NULL);
	CU_ASSERT_FATAL((out = malloc(len)) != NULL);
	CU_ASSERT_FATAL(escrow_split((unsigned char *)pem, len, 3, 2, sh,
	    nrs));
	CU_ASSERT(nrs[0] != 0 && nrs[1] != 0 && nrs[2] != 0 &&
	    nrs[0] != nrs[1] && nrs[1] != nrs[2] && nrs[0] != nrs[2]);
	/* A process that only rejoins never split: libgfshare needs its random source set all the same. */
	gfshare_fill_rand = NULL;
	two[0] = sh[2];
	two[1] = sh[0];
	twonr[0] = nrs[2];
	twonr[1] = nrs[0];
	CU_ASSERT(escrow_combine(two, twonr, 2, len, out));
	CU_ASSERT(memcmp(out, pem, len) == 0);
	k = escrow_key_parse(out, len, NULL, &why);
	CU_ASSERT(k != NULL && EVP_PKEY_eq(k, tk[0]) == 1);
	EVP_PKEY_free(k);
	CU_ASSERT(escrow_combine(two, twonr, 1, len, out));
	CU_ASSERT(memcmp(out, pem, len) != 0);
	CU_ASSERT(escrow_key_parse(out, len, NULL, &why) == NULL);
	/* The share files, named as gfsplit names them, for gfcombine. */
	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "s.key.%03u", nrs[i]);
		put(name, sh[i], len, path, sizeof(path));
		CU_ASSERT(escrow_share_nr(path) == nrs[i]);
	}
	snprintf(cmd, sizeof(cmd), "cd '%s' && gfcombine -o joined.key "
	    "s.key.%03u s.key.%03u", fixture.dir, nrs[1], nrs[2]);
	CU_ASSERT(system(cmd) == 0);
	fixture_path(path, sizeof(path), "joined.key");
	CU_ASSERT_FATAL((f = fopen(path, "r")) != NULL);
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	CU_ASSERT(k != NULL && EVP_PKEY_eq(k, tk[0]) == 1);
	EVP_PKEY_free(k);
	CU_ASSERT(!escrow_split((unsigned char *)pem, len, 3, 4, sh, nrs));
	CU_ASSERT(!escrow_split((unsigned char *)pem, len, 1, 1, sh, nrs));
	for (i = 0; i < 3; i++)
		free(sh[i]);
	free(out);
	OPENSSL_clear_free(pem, len);
}

static void
test_share_nr(void)
{
	CU_ASSERT(escrow_share_nr("a/tier.key.001") == 1);
	CU_ASSERT(escrow_share_nr("tier.key.255") == 255);
	CU_ASSERT(escrow_share_nr("tier.key.256") == 0);
	CU_ASSERT(escrow_share_nr("tier.key.000") == 0);
	CU_ASSERT(escrow_share_nr("tier.key") == 0);
	CU_ASSERT(escrow_share_nr("tier.key.1a") == 0);
	CU_ASSERT(escrow_share_nr("tier.") == 0);
}

static void
test_tier_names(void)
{
	CU_ASSERT(escrow_tier_parse("master") == ESCROW_MASTER);
	CU_ASSERT(escrow_tier_parse("org") == ESCROW_ORG);
	CU_ASSERT(escrow_tier_parse("department") == ESCROW_DEPT);
	CU_ASSERT(escrow_tier_parse("root") == -1);
	CU_ASSERT_STRING_EQUAL(escrow_tier_name(ESCROW_ORG), "organization");
}

/* ---- the pipeline ---- */

static struct db	*db;
static struct customer	*cust;
static struct profile	*prof;
static struct endpoint	*ep;
static const struct actor test_actor = { "test", "127.0.0.1" };

/* An organisation with its department and account, by the tiers it requires. */
struct scope {
	struct org	*org;
	struct dept	*dept;
	struct account	*acc;
};
static struct scope	 one, two, three;	/* master; +org; +dept */
static struct scope	 csr;			/* org tier never set up; user CSRs */
static EVP_PKEY	*master_key, *org2_key, *org3_key, *dept3_key;
static X509	*master_cert, *org2_cert, *org3_cert, *dept3_cert;

/* Returns the first integer the query gives, or -1. */
static long long
count(const char *query)
{
	sqlite3		*h = sqlite3_db_handle(db_stmt(db, STMT_CA_BY_ID));
	sqlite3_stmt	*st = NULL;
	long long	 n = -1;

	if (sqlite3_prepare_v2(h, query, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Makes organisation name requiring the tiers given, its department and account. */
static int
scope_make(struct scope *sc, const char *name, int master, int orgt,
    int dept, int user_csr)
{
	struct org	 o;
	struct account	 a;
	long long	 dom;

	memset(&o, 0, sizeof(o));
	o.customer_id = cust->id;
	o.name = (char *)name;
	o.o = (char *)name;
	o.ou = o.l = o.st = (char *)"";
	o.c = (char *)"US";
	o.admin_email = (char *)"escrow-admin@example.com";
	o.escrow_master = master;
	o.escrow_org = orgt;
	if (store_org_add(db, &o) == 0 ||
	    (sc->org = store_org_by_name(db, cust->id, name)) == NULL ||
	    store_dept_add(db, sc->org->id, "Sec", dept) == 0 ||
	    (sc->dept = store_dept_by_name(db, sc->org->id, "Sec")) == NULL ||
	    (dom = store_domain_id(db, cust->id, "example.com")) == 0 ||
	    !store_delegation_add(db, dom, sc->org->id, 0, 0, 1, 0))
		return 0;
	memset(&a, 0, sizeof(a));
	a.endpoint_id = ep->id;
	a.name = (char *)name;
	a.org_id = sc->org->id;
	a.dept_id = sc->dept->id;
	a.code = (char *)name;
	a.user_csr = user_csr;
	return store_account_add(db, &a) != 0 &&
	    (sc->acc = store_account_by_name(db, ep->id, name)) != NULL &&
	    store_account_profile_add(db, sc->acc->id, prof->id);
}

static void
scope_free(struct scope *sc)
{
	store_account_free(sc->acc);
	store_dept_free(sc->dept);
	store_org_free(sc->org);
}

static int
pipeline_setup(void)
{
	db = fixture.db;
	cust = fixture.customer;
	prof = store_profile_by_name(db, cust->id,
	    "Client Authentication and Email");
	ep = store_endpoint_find(db, cust->id, ENDPOINT_SMIME, "");
	if (prof == NULL || ep == NULL ||
	    !scope_make(&one, "Escrow One", 1, 0, 0, 0) ||
	    !scope_make(&two, "Escrow Two", 1, 1, 0, 0) ||
	    !scope_make(&three, "Escrow Three", 1, 1, 1, 0) ||
	    !scope_make(&csr, "Escrow CSR", 0, 1, 0, 1))
		return 1;
	return 0;
}

static int
pipeline_teardown(void)
{
	scope_free(&one);
	scope_free(&two);
	scope_free(&three);
	scope_free(&csr);
	EVP_PKEY_free(master_key);
	EVP_PKEY_free(org2_key);
	EVP_PKEY_free(org3_key);
	EVP_PKEY_free(dept3_key);
	X509_free(master_cert);
	X509_free(org2_cert);
	X509_free(org3_cert);
	X509_free(dept3_cert);
	store_profile_free(prof);
	store_endpoint_free(ep);
	return 0;
}

/* Issues a server-key certificate for email in sc; returns the status. */
static enum clientcert_status
issue(const struct scope *sc, const char *email, enum key_type kt,
    char **id, char *err, size_t errlen)
{
	struct clientcert_order		 o;
	struct clientcert_result	 res;
	enum clientcert_status		 st;

	memset(&o, 0, sizeof(o));
	o.customer_id = cust->id;
	o.account_id = sc->acc->id;
	o.org_id = sc->org->id;
	o.dept_id = sc->dept->id;
	o.profile_id = prof->id;
	o.term_days = 365;
	o.key_type = kt;
	o.email = email;
	o.first = "Eve";
	o.last = "Scrow";
	o.password = PASSWORD;
	o.via = "web";
	st = clientcert_issue(db, fixture.cfg, &o, &test_actor, &res);
	if (id != NULL) {
		*id = res.cert_id;
		res.cert_id = NULL;
	}
	clientcert_result_free(&res);
	snprintf(err, errlen, "%s", res.err);
	return st;
}

/* Records tier t of sc with key type kt; the key pair stays in *key, *cert. */
static int
tier_add(enum escrow_tier t, const struct scope *sc, enum key_type kt,
    EVP_PKEY **key, X509 **cert)
{
	struct escrow_key	 k;
	char			*kid;
	long long		 id;

	if (!escrow_tier_make(kt, "test tier", key, cert) ||
	    (kid = escrow_key_id(*cert)) == NULL)
		return 0;
	memset(&k, 0, sizeof(k));
	k.customer_id = cust->id;
	k.tier = t;
	k.org_id = t == ESCROW_MASTER ? 0 : sc->org->id;
	k.dept_id = t == ESCROW_DEPT ? sc->dept->id : 0;
	k.version = 1;
	k.key_id = kid;
	k.key_type = (char *)key_type_token(kt);
	k.cert = *cert;
	id = store_escrow_key_add(db, &k, "active");
	free(kid);
	return id != 0;
}


/*
 * While a required tier has no key, the person gets the message, the
 * administrators a mail, and nothing but the audit event is written.
 */
static void
test_blocked_until_keys(void)
{
	char		 err[256];
	char		*id = NULL;
	long long	 req, persons, blobs, audits, refused;
	char		 cmd[PATH_MAX + 128];

	req = count("SELECT COUNT(*) FROM request");
	persons = count("SELECT COUNT(*) FROM person");
	blobs = count("SELECT COUNT(*) FROM escrow_blob");
	audits = count("SELECT COUNT(*) FROM audit");
	CU_ASSERT_EQUAL(issue(&three, "eve@example.com", KEY_EC256, &id, err,
	    sizeof(err)), CLIENTCERT_REFUSED);
	CU_ASSERT_PTR_NULL(id);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "certificates cannot be issued "
	    "until your administrator sets up key escrow"));
	CU_ASSERT_EQUAL(count("SELECT COUNT(*) FROM request"), req);
	CU_ASSERT_EQUAL(count("SELECT COUNT(*) FROM person"), persons);
	CU_ASSERT_EQUAL(count("SELECT COUNT(*) FROM escrow_blob"), blobs);
	CU_ASSERT_EQUAL(count("SELECT COUNT(*) FROM audit"), audits + 1);
	refused = count("SELECT COUNT(*) FROM audit WHERE outcome = 'refused'"
	    " AND detail = 'key escrow not set up: master, organization, "
	    "department'");
	CU_ASSERT_EQUAL(refused, 1);
	/* The administrators heard of it. */
	snprintf(cmd, sizeof(cmd), "grep -rlq 'Tiers without a key: master, "
	    "organization, department' '%s/mail'", fixture.dir);
	CU_ASSERT_EQUAL(system(cmd), 0);

	/* The master key alone is not enough for three tiers. */
	CU_ASSERT_FATAL(tier_add(ESCROW_MASTER, NULL, KEY_RSA3072,
	    &master_key, &master_cert));
	CU_ASSERT_EQUAL(issue(&three, "eve@example.com", KEY_EC256, NULL, err,
	    sizeof(err)), CLIENTCERT_REFUSED);
	CU_ASSERT_EQUAL(count("SELECT COUNT(*) FROM audit WHERE detail ="
	    " 'key escrow not set up: organization, department'"), 1);
	CU_ASSERT_EQUAL(issue(&two, "eve@example.com", KEY_EC256, NULL, err,
	    sizeof(err)), CLIENTCERT_REFUSED);
	CU_ASSERT_EQUAL(count("SELECT COUNT(*) FROM request"), req);
	CU_ASSERT_EQUAL(count("SELECT COUNT(*) FROM person"), persons);
}

/* Checks that the blob of certificate id opens with each key, to its key. */
static void
check_sealed(const char *id, size_t ntiers, EVP_PKEY *const *keys,
    X509 *const *certs)
{
	struct request		*r;
	struct escrow_blob	*b;
	struct escrow_key_list	*rl;
	const unsigned char	*p;
	unsigned char		*p8 = NULL;
	size_t			 p8len = 0, i;
	EVP_PKEY		*k;
	X509			*x;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r = store_request_by_cert_id(db,
	    cust->id, id));
	p = r->cert_der;
	CU_ASSERT_PTR_NOT_NULL_FATAL(x = d2i_X509(NULL, &p,
	    (long)r->cert_len));
	CU_ASSERT_PTR_NOT_NULL_FATAL(b = store_escrow_blob_by_request(db,
	    r->id));
	CU_ASSERT_PTR_NOT_NULL_FATAL(rl = store_escrow_recipients(db, b->id));
	CU_ASSERT_EQUAL(rl->n, ntiers);
	for (i = 0; i < ntiers; i++) {
		CU_ASSERT_EQUAL(escrow_open(b->der, b->len, certs[i], keys[i],
		    &p8, &p8len), ESCROW_OPENED);
		k = escrow_p8_key(p8, p8len);
		CU_ASSERT(k != NULL && X509_check_private_key(x, k) == 1);
		EVP_PKEY_free(k);
		OPENSSL_clear_free(p8, p8len);
		p8 = NULL;
	}
	escrow_key_list_free(rl);
	escrow_blob_free(b);
	X509_free(x);
	store_request_free(r);
}

/* Sealing to 1, 2 and 3 tiers, RSA and EC tier keys mixed. */
static void
test_sealed_at_issue(void)
{
	char		 err[256], *id = NULL;
	EVP_PKEY	*k2[2], *k3[3];
	X509		*c2[2], *c3[3];

	CU_ASSERT_FATAL(master_key != NULL);
	CU_ASSERT_EQUAL_FATAL(issue(&one, "eve@example.com", KEY_EC256, &id,
	    err, sizeof(err)), CLIENTCERT_OK);
	check_sealed(id, 1, &master_key, &master_cert);
	free(id);

	CU_ASSERT_FATAL(tier_add(ESCROW_ORG, &two, KEY_EC384, &org2_key,
	    &org2_cert));
	CU_ASSERT_EQUAL_FATAL(issue(&two, "eve@example.com", KEY_RSA2048, &id,
	    err, sizeof(err)), CLIENTCERT_OK);
	k2[0] = master_key;
	k2[1] = org2_key;
	c2[0] = master_cert;
	c2[1] = org2_cert;
	check_sealed(id, 2, k2, c2);
	free(id);

	CU_ASSERT_FATAL(tier_add(ESCROW_ORG, &three, KEY_RSA3072, &org3_key,
	    &org3_cert));
	CU_ASSERT_FATAL(tier_add(ESCROW_DEPT, &three, KEY_EC384, &dept3_key,
	    &dept3_cert));
	CU_ASSERT_EQUAL_FATAL(issue(&three, "eve@example.com", KEY_EC256, &id,
	    err, sizeof(err)), CLIENTCERT_OK);
	k3[0] = master_key;
	k3[1] = org3_key;
	k3[2] = dept3_key;
	c3[0] = master_cert;
	c3[1] = org3_cert;
	c3[2] = dept3_cert;
	check_sealed(id, 3, k3, c3);
	/* Recipient rows name tier, key id and version. */
	CU_ASSERT_EQUAL(count("SELECT COUNT(*) FROM escrow_recipient WHERE"
	    " version = 1 AND length(key_id) = 40 AND tier IN ('master',"
	    " 'organization', 'department')"), 6);
	free(id);
}

/* An organisation without escrow keeps no blob; neither does a user CSR. */
static void
test_not_escrowed(void)
{
	long long	 blobs = count("SELECT COUNT(*) FROM escrow_blob");
	struct clientcert_order		 o;
	struct clientcert_result	 res;
	struct org	*demo;
	struct dept	*it;
	struct account	*acc;

	demo = store_org_by_name(db, cust->id, "Demo Org");
	it = demo ? store_dept_by_name(db, demo->id, "IT") : NULL;
	acc = store_account_by_name(db, ep->id, "smime");
	CU_ASSERT_FATAL(demo != NULL && it != NULL && acc != NULL);
	memset(&o, 0, sizeof(o));
	o.customer_id = cust->id;
	o.account_id = acc->id;
	o.org_id = demo->id;
	o.dept_id = it->id;
	o.profile_id = prof->id;
	o.term_days = 365;
	o.key_type = KEY_EC256;
	o.email = "plain@example.com";
	o.first = "Pl";
	o.last = "Ain";
	o.password = PASSWORD;
	CU_ASSERT_EQUAL(clientcert_issue(db, fixture.cfg, &o, &test_actor,
	    &res), CLIENTCERT_OK);
	clientcert_result_free(&res);
	CU_ASSERT_EQUAL(count("SELECT COUNT(*) FROM escrow_blob"), blobs);

	/* A user's CSR: the server never sees the key, so nothing blocks it. */
	{
		EVP_PKEY	*uk = keygen_make(KEY_EC256);
		unsigned char	*der;
		size_t		 len = 0;
		struct csr	*c;
		char		 err[256];

		CU_ASSERT_FATAL(uk != NULL);
		der = fixture_csr(uk, "Cee Ess", &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c = csr_parse(der, len, err,
		    sizeof(err)));
		o.account_id = csr.acc->id;
		o.org_id = csr.org->id;
		o.dept_id = csr.dept->id;
		o.csr = c;
		o.email = "cee@example.com";
		CU_ASSERT_EQUAL(clientcert_issue(db, fixture.cfg, &o,
		    &test_actor, &res), CLIENTCERT_OK);
		clientcert_result_free(&res);
		CU_ASSERT_EQUAL(count("SELECT COUNT(*) FROM escrow_blob"),
		    blobs);
		/* The same organisation refuses a server-made key. */
		o.csr = NULL;
		o.account_id = csr.acc->id;
		CU_ASSERT_EQUAL(clientcert_issue(db, fixture.cfg, &o,
		    &test_actor, &res), CLIENTCERT_REFUSED);
		CU_ASSERT_STRING_EQUAL(res.err, ESCROW_BLOCKED_MSG);
		clientcert_result_free(&res);
		csr_free(c);
		free(der);
		EVP_PKEY_free(uk);
	}
	store_account_free(acc);
	store_dept_free(it);
	store_org_free(demo);
}

/* Returns how many mails in the fixture's mail directory name org, or -1. */
static int
mails_about(const char *org)
{
	char	 cmd[PATH_MAX + 160];
	FILE	*f;
	int	 n = -1;

	snprintf(cmd, sizeof(cmd), "grep -rlF 'organisation %s' '%s/mail' |"
	    " wc -l", org, fixture.dir);
	if ((f = popen(cmd, "r")) == NULL)
		return -1;
	if (fscanf(f, "%d", &n) != 1)
		n = -1;
	(void)pclose(f);
	return n;
}

/*
 * Every refused order of an organisation without its escrow keys would
 * mail its administrators; they hear of it once an hour.
 */
static void
test_notice_hourly(void)
{
	const char	*q = "SELECT COUNT(*) FROM audit WHERE outcome ="
	    " 'refused' AND detail = 'key escrow not set up: organization'";
	char		 err[256], now[32];
	long long	 refused;
	int		 i;

	/* test_not_escrowed was refused twice in this organisation: one mail. */
	CU_ASSERT_EQUAL(mails_about("Escrow CSR"), 1);
	refused = count(q);
	CU_ASSERT(refused >= 2);
	for (i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(issue(&csr, "eve@example.com", KEY_EC256,
		    NULL, err, sizeof(err)), CLIENTCERT_REFUSED);
	CU_ASSERT_EQUAL(mails_about("Escrow CSR"), 1);
	CU_ASSERT_EQUAL(count(q), refused + 3);	/* each still audited */
	/* An hour on, the next refusal mails again. */
	snprintf(now, sizeof(now), "%lld", store_now() + 3601);
	setenv("CERTDESK_NOW", now, 1);
	CU_ASSERT_EQUAL(issue(&csr, "eve@example.com", KEY_EC256, NULL, err,
	    sizeof(err)), CLIENTCERT_REFUSED);
	unsetenv("CERTDESK_NOW");
	CU_ASSERT_EQUAL(mails_about("Escrow CSR"), 2);
}

/*
 * A re-encryption skips a current blob only for a pending twin sealed to
 * its own new key: a twin an interrupted run of another tier left would
 * otherwise hide the blob from every page and the run never end.
 */
static void
test_page_twin(void)
{
	struct escrow_key	*org, *dept;
	struct escrow_key_list	 one_key;
	struct escrow_blob_list	*page;
	struct escrow_blob	*b;
	size_t			 n0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(org = store_escrow_key_active(db,
	    cust->id, ESCROW_ORG, three.org->id, 0));
	CU_ASSERT_PTR_NOT_NULL_FATAL(dept = store_escrow_key_active(db,
	    cust->id, ESCROW_DEPT, three.org->id, three.dept->id));
	CU_ASSERT_PTR_NOT_NULL_FATAL(page = store_escrow_blob_page(db,
	    org->id, "current", 0, 0, 100));
	n0 = page->n;
	CU_ASSERT_FATAL(n0 >= 1);
	b = page->items[0];
	/* The department tier's run re-sealed it, then was killed. */
	one_key.items = &dept;
	one_key.n = 1;
	CU_ASSERT_FATAL(escrow_record(db, b->request_id, b->der, b->len,
	    "pending", &one_key));
	escrow_blob_list_free(page);
	CU_ASSERT_PTR_NOT_NULL_FATAL(page = store_escrow_blob_page(db,
	    org->id, "current", org->id + 1000, 0, 100));
	CU_ASSERT_EQUAL(page->n, n0);
	escrow_blob_list_free(page);
	CU_ASSERT_PTR_NOT_NULL_FATAL(page = store_escrow_blob_page(db,
	    org->id, "current", dept->id, 0, 100));
	CU_ASSERT_EQUAL(page->n, n0 - 1);
	escrow_blob_list_free(page);
	CU_ASSERT(store_escrow_blob_delete(db, dept->id, "pending"));
	escrow_key_free(org);
	escrow_key_free(dept);
}

static EVP_PKEY	*swap_key;
static X509	*swap_cert;

/*
 * What the commit of `escrow reencrypt` does to the master tier, run in
 * the window between sealing and recording: the old key retired, a new
 * version active.
 */
static void
swap_master(struct db *d)
{
	struct escrow_key	*old, k;
	char			*kid;

	clientcert_before_record = NULL;
	if ((old = store_escrow_key_active(d, cust->id, ESCROW_MASTER, 0,
	    0)) == NULL)
		return;
	if (escrow_tier_make(KEY_RSA3072, "test tier", &swap_key,
	    &swap_cert) && (kid = escrow_key_id(swap_cert)) != NULL) {
		memset(&k, 0, sizeof(k));
		k.customer_id = cust->id;
		k.tier = ESCROW_MASTER;
		k.version = old->version + 1;
		k.key_id = kid;
		k.key_type = (char *)"rsa3072";
		k.cert = swap_cert;
		if (db_begin(d) && store_escrow_key_set_state(d, old->id,
		    "retired") && store_escrow_key_add(d, &k, "active") != 0)
			(void)db_commit(d);
		else
			db_rollback(d);
		free(kid);
	}
	escrow_key_free(old);
}

/*
 * A key issued while a re-encryption swaps the tier key is sealed to
 * the key active when it is recorded, never only to the retired one
 * (which nothing would re-seal).
 */
static void
test_sealed_to_swapped_key(void)
{
	char			 err[256], *id = NULL;
	struct request		*r;
	struct escrow_blob	*b;
	unsigned char		*p8 = NULL;
	size_t			 p8len = 0;

	CU_ASSERT_FATAL(master_key != NULL);
	clientcert_before_record = swap_master;
	CU_ASSERT_EQUAL_FATAL(issue(&one, "eve@example.com", KEY_EC256, &id,
	    err, sizeof(err)), CLIENTCERT_OK);
	CU_ASSERT_PTR_NULL(clientcert_before_record);	/* the swap ran */
	CU_ASSERT_PTR_NOT_NULL_FATAL(swap_key);
	check_sealed(id, 1, &swap_key, &swap_cert);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r = store_request_by_cert_id(db,
	    cust->id, id));
	CU_ASSERT_PTR_NOT_NULL_FATAL(b = store_escrow_blob_by_request(db,
	    r->id));
	CU_ASSERT_EQUAL(escrow_open(b->der, b->len, master_cert, master_key,
	    &p8, &p8len), ESCROW_NOT_RECIPIENT);
	OPENSSL_clear_free(p8, p8len);
	/* What `escrow status` counts: the new blob is not among them. */
	CU_ASSERT_EQUAL(store_escrow_blob_stale(db, cust->id),
	    count("SELECT COUNT(DISTINCT blob_id) FROM escrow_recipient"
	    " WHERE version = 1 AND tier = 'master'"));
	escrow_blob_free(b);
	store_request_free(r);
	free(id);
	EVP_PKEY_free(swap_key);
	X509_free(swap_cert);
}

static void
register_tests(void)
{
	CU_pSuite	 s, p;

	log_quiet(1);
	if (!fixture_instance("escrow", 1) || !fixture_instance_open()) {
		fprintf(stderr, "test_escrow: cannot set up an instance\n");
		fixture_done();
		exit(1);
	}
	atexit(fixture_done);
	s = CU_add_suite("escrow", setup, teardown);
	UNIT_ADD(s, test_seal_one_tier);
	UNIT_ADD(s, test_seal_two_tiers);
	UNIT_ADD(s, test_seal_three_tiers);
	UNIT_ADD(s, test_seal_algorithms);
	UNIT_ADD(s, test_tier_cert);
	UNIT_ADD(s, test_key_pem);
	UNIT_ADD(s, test_shares);
	UNIT_ADD(s, test_share_nr);
	UNIT_ADD(s, test_tier_names);
	p = CU_add_suite("escrow at issue", pipeline_setup, pipeline_teardown);
	UNIT_ADD(p, test_blocked_until_keys);
	UNIT_ADD(p, test_sealed_at_issue);
	UNIT_ADD(p, test_not_escrowed);
	UNIT_ADD(p, test_page_twin);
	UNIT_ADD(p, test_notice_hourly);
	UNIT_ADD(p, test_sealed_to_swapped_key);
}

UNIT_MAIN(register_tests)
