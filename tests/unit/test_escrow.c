/*
 * test_escrow: the escrow blob and the tier keys.  Blobs are opened both
 * by lib/escrow.c and by the stock `openssl cms` command line README
 * documents, because the promise is that an organisation can recover a
 * key without certdesk; the algorithm identifiers are decoded one by one
 * so that an OpenSSL default change cannot slip in unnoticed.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/cms.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "escrow.h"
#include "fixture.h"
#include "keygen.h"
#include "unit.h"

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

	if (fixture_dir_new("escrow") == NULL)
		return 1;
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
	fixture_done();
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

static void
register_tests(void)
{
	CU_pSuite	 s = CU_add_suite("escrow", setup, teardown);

	UNIT_ADD(s, test_seal_one_tier);
	UNIT_ADD(s, test_seal_two_tiers);
	UNIT_ADD(s, test_seal_three_tiers);
	UNIT_ADD(s, test_seal_algorithms);
	UNIT_ADD(s, test_tier_cert);
	UNIT_ADD(s, test_key_pem);
	UNIT_ADD(s, test_shares);
	UNIT_ADD(s, test_share_nr);
	UNIT_ADD(s, test_tier_names);
}

UNIT_MAIN(register_tests)
