/*
 * escrow: sealing a private key to the escrow tiers, opening it again,
 * and making, writing, reading and splitting the tier keys.  Every CMS
 * algorithm is set explicitly, so that a change of OpenSSL's defaults
 * cannot make a blob that the documented stock command line no longer
 * opens.
 */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <libgfshare.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "escrow.h"
#include "keygen.h"
#include "log.h"
#include "store.h"

#define ESCROW_PBKDF2_ITER	600000	/* of a passphrase-protected tier key */
#define ESCROW_PBKDF2_SALT	16	/* bytes; OpenSSL's default is 8 */

const char *
escrow_tier_name(enum escrow_tier t)
{
	switch (t) {
	case ESCROW_MASTER:
		return "master";
	case ESCROW_ORG:
		return "organization";
	case ESCROW_DEPT:
		return "department";
	}
	return "";
}

int
escrow_tier_parse(const char *name)
{
	if (name == NULL)
		return -1;
	if (strcmp(name, "master") == 0)
		return ESCROW_MASTER;
	if (strcmp(name, "org") == 0 || strcmp(name, "organization") == 0)
		return ESCROW_ORG;
	if (strcmp(name, "dept") == 0 || strcmp(name, "department") == 0)
		return ESCROW_DEPT;
	return -1;
}

/*
 * Sets the key management of recipient ri as SPEC 4.3 fixes it; returns
 * 1, or 0 for a key that is neither RSA nor EC.
 */
static int
recipient_params(CMS_RecipientInfo *ri, X509 *cert)
{
	EVP_PKEY_CTX	*pctx = CMS_RecipientInfo_get0_pkey_ctx(ri);
	EVP_PKEY	*pub = X509_get0_pubkey(cert);

	if (pctx == NULL || pub == NULL)
		return 0;
	if (EVP_PKEY_is_a(pub, "RSA"))
		return EVP_PKEY_CTX_set_rsa_padding(pctx,
		    RSA_PKCS1_OAEP_PADDING) > 0 &&
		    EVP_PKEY_CTX_set_rsa_oaep_md(pctx, EVP_sha256()) > 0 &&
		    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) > 0;
	if (EVP_PKEY_is_a(pub, "EC")) {
		/*
		 * OpenSSL's KARI defaults to the X9.63 KDF with SHA-1 and
		 * to the wrap cipher matching the content key length; both
		 * are stated here: stdDH with SHA-256, AES-256 key wrap.  The
		 * KDF type stays unset: OpenSSL 3.0's CMS takes a set one
		 * for an unknown KDF and fills in X9.63 itself.
		 */
		return EVP_PKEY_CTX_set_ecdh_cofactor_mode(pctx, 0) > 0 &&
		    EVP_PKEY_CTX_set_ecdh_kdf_md(pctx, EVP_sha256()) > 0 &&
		    EVP_EncryptInit_ex(CMS_RecipientInfo_kari_get0_ctx(ri),
		    EVP_aes_256_wrap(), NULL, NULL, NULL) > 0;
	}
	return 0;
}

int
escrow_seal(const unsigned char *p8, size_t p8len, X509 *const *recips,
    size_t n, unsigned char **der, size_t *len)
{
	CMS_ContentInfo		*cms = NULL;
	CMS_RecipientInfo	*ri;
	BIO			*in = NULL;
	unsigned char		*out = NULL;
	size_t			 i;
	int			 dlen, ok = 0;

	if (n == 0 || p8len > INT_MAX) {
		log_err("escrow: nothing to seal to");
		return 0;
	}
	/* A new structure is detached until told otherwise; the blob holds all. */
	if ((cms = CMS_AuthEnvelopedData_create(EVP_aes_256_gcm())) == NULL ||
	    !CMS_set_detached(cms, 0))
		goto out;
	for (i = 0; i < n; i++) {
		/* CMS_KEY_PARAM: the parameters are ours to set before CMS_final. */
		if ((ri = CMS_add1_recipient_cert(cms, recips[i],
		    CMS_KEY_PARAM)) == NULL || !recipient_params(ri,
		    recips[i])) {
			log_err("escrow: recipient %zu is not an RSA or EC "
			    "tier certificate", i);
			goto out;
		}
	}
	if ((in = BIO_new_mem_buf(p8, (int)p8len)) == NULL ||
	    !CMS_final(cms, in, NULL, CMS_BINARY))
		goto out;
	if ((dlen = i2d_CMS_ContentInfo(cms, &out)) <= 0)
		goto out;
	*der = out;
	*len = (size_t)dlen;
	ok = 1;
out:
	if (!ok)
		log_ossl("escrow: cannot seal");
	BIO_free(in);
	CMS_ContentInfo_free(cms);
	return ok;
}

unsigned char *
escrow_p8(EVP_PKEY *key, size_t *len)
{
	PKCS8_PRIV_KEY_INFO	*inf;
	unsigned char		*der = NULL;
	int			 n;

	if ((inf = EVP_PKEY2PKCS8(key)) == NULL)
		return NULL;
	n = i2d_PKCS8_PRIV_KEY_INFO(inf, &der);
	PKCS8_PRIV_KEY_INFO_free(inf);	/* cleanses the key octets */
	if (n <= 0)
		return NULL;
	*len = (size_t)n;
	return der;
}

EVP_PKEY *
escrow_p8_key(const unsigned char *p8, size_t len)
{
	PKCS8_PRIV_KEY_INFO	*inf;
	const unsigned char	*p = p8;
	EVP_PKEY		*key = NULL;

	if (len > LONG_MAX ||
	    (inf = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)len)) == NULL)
		return NULL;
	key = EVP_PKCS82PKEY(inf);
	PKCS8_PRIV_KEY_INFO_free(inf);
	return key;
}

/* Returns 1 when cert names one of the recipients of cms. */
static int
is_recipient(CMS_ContentInfo *cms, X509 *cert)
{
	STACK_OF(CMS_RecipientInfo)	*ris;
	CMS_RecipientInfo		*ri;
	int				 i, type;

	if ((ris = CMS_get0_RecipientInfos(cms)) == NULL)
		return 0;
	for (i = 0; i < sk_CMS_RecipientInfo_num(ris); i++) {
		ri = sk_CMS_RecipientInfo_value(ris, i);
		type = CMS_RecipientInfo_type(ri);
		if (type == CMS_RECIPINFO_TRANS &&
		    CMS_RecipientInfo_ktri_cert_cmp(ri, cert) == 0)
			return 1;
		if (type == CMS_RECIPINFO_AGREE) {
			STACK_OF(CMS_RecipientEncryptedKey) *reks =
			    CMS_RecipientInfo_kari_get0_reks(ri);
			int j;

			for (j = 0; j < sk_CMS_RecipientEncryptedKey_num(reks);
			    j++)
				if (CMS_RecipientEncryptedKey_cert_cmp(
				    sk_CMS_RecipientEncryptedKey_value(reks, j),
				    cert) == 0)
					return 1;
		}
	}
	return 0;
}

enum escrow_open
escrow_open(const unsigned char *der, size_t len, X509 *tier_cert,
    EVP_PKEY *tier_key, unsigned char **p8, size_t *p8len)
{
	CMS_ContentInfo		*cms;
	const unsigned char	*p = der;
	BIO			*out = NULL;
	BUF_MEM			*bm;
	enum escrow_open	 st = ESCROW_BROKEN;

	if (len > LONG_MAX ||
	    (cms = d2i_CMS_ContentInfo(NULL, &p, (long)len)) == NULL) {
		ERR_clear_error();
		return ESCROW_BROKEN;
	}
	if (OBJ_obj2nid(CMS_get0_type(cms)) !=
	    NID_id_smime_ct_authEnvelopedData)
		goto out;
	if (!is_recipient(cms, tier_cert)) {
		st = ESCROW_NOT_RECIPIENT;
		goto out;
	}
	if ((out = BIO_new(BIO_s_mem())) == NULL ||
	    !CMS_decrypt(cms, tier_key, tier_cert, NULL, out, CMS_BINARY))
		goto out;
	BIO_get_mem_ptr(out, &bm);
	if (bm->length == 0 || (*p8 = OPENSSL_memdup(bm->data,
	    bm->length)) == NULL)
		goto out;
	*p8len = bm->length;
	st = ESCROW_OPENED;
out:
	if (out != NULL) {
		BIO_get_mem_ptr(out, &bm);
		OPENSSL_cleanse(bm->data, bm->max);
	}
	BIO_free(out);
	CMS_ContentInfo_free(cms);
	ERR_clear_error();
	return st;
}

/* Adds extension nid with value to cert, self-issued; returns 1 or 0. */
static int
add_ext(X509 *cert, int nid, const char *value)
{
	X509V3_CTX	 ctx;
	X509_EXTENSION	*ext;
	int		 ok;

	X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL)
		return 0;
	ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

int
escrow_tier_make(enum key_type type, const char *cn, EVP_PKEY **keyp,
    X509 **certp)
{
	EVP_PKEY	*key = NULL;
	X509		*cert = NULL;
	X509_NAME	*name;
	BIGNUM		*sn = NULL;
	ASN1_INTEGER	*asn = NULL;
	int		 ok = 0, is_rsa;

	if ((key = keygen_make(type)) == NULL)
		return 0;
	is_rsa = EVP_PKEY_is_a(key, "RSA");
	if ((cert = X509_new()) == NULL || !X509_set_version(cert, 2) ||
	    (sn = BN_new()) == NULL || !BN_rand(sn, 127, BN_RAND_TOP_ONE,
	    BN_RAND_BOTTOM_ANY) || (asn = BN_to_ASN1_INTEGER(sn, NULL)) ==
	    NULL || !X509_set_serialNumber(cert, asn) ||
	    (name = X509_get_subject_name(cert)) == NULL ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0) ||
	    !X509_set_issuer_name(cert, name) ||
	    X509_gmtime_adj(X509_getm_notBefore(cert), 0) == NULL ||
	    /* RFC 5280 4.1.2.5: no well-defined expiration date. */
	    !ASN1_TIME_set_string(X509_getm_notAfter(cert),
	    "99991231235959Z") || !X509_set_pubkey(cert, key) ||
	    !add_ext(cert, NID_basic_constraints, "critical,CA:FALSE") ||
	    !add_ext(cert, NID_key_usage, is_rsa ?
	    "critical,keyEncipherment" : "critical,keyAgreement") ||
	    !add_ext(cert, NID_subject_key_identifier, "hash") ||
	    X509_sign(cert, key, EVP_sha256()) <= 0) {
		log_ossl("escrow: cannot make the tier certificate");
		goto out;
	}
	*keyp = key;
	*certp = cert;
	key = NULL;
	cert = NULL;
	ok = 1;
out:
	ASN1_INTEGER_free(asn);
	BN_free(sn);
	X509_free(cert);
	EVP_PKEY_free(key);
	return ok;
}

char *
escrow_key_id(X509 *cert)
{
	const ASN1_OCTET_STRING	*ski = X509_get0_subject_key_id(cert);
	char			*hex, *p;

	if (ski == NULL || (hex = OPENSSL_buf2hexstr(
	    ASN1_STRING_get0_data(ski), ASN1_STRING_length(ski))) == NULL)
		return NULL;
	/* "AB:CD:…" from OpenSSL; the key id is plain lowercase hex. */
	for (p = hex; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	{
		char	*r = hex, *w = hex;

		for (; *r != '\0'; r++)
			if (*r != ':')
				*w++ = *r;
		*w = '\0';
	}
	p = strdup(hex);
	OPENSSL_free(hex);
	return p;
}

char *
escrow_key_pem(EVP_PKEY *key, const char *passphrase, size_t *len)
{
	PKCS8_PRIV_KEY_INFO	*inf = NULL;
	X509_ALGOR		*alg = NULL;
	X509_SIG		*enc = NULL;
	BIO			*b = NULL;
	BUF_MEM			*bm;
	char			*pem = NULL;
	unsigned char		 salt[ESCROW_PBKDF2_SALT];
	int			 ok = 0;

	if ((b = BIO_new(BIO_s_mem())) == NULL ||
	    (inf = EVP_PKEY2PKCS8(key)) == NULL)
		goto out;
	if (passphrase == NULL) {
		ok = PEM_write_bio_PKCS8_PRIV_KEY_INFO(b, inf);
	} else {
		if (RAND_bytes(salt, sizeof(salt)) != 1 ||
		    (alg = PKCS5_pbe2_set_iv(EVP_aes_256_cbc(),
		    ESCROW_PBKDF2_ITER, salt, (int)sizeof(salt), NULL,
		    NID_hmacWithSHA256)) == NULL ||
		    (enc = PKCS8_set0_pbe(passphrase, (int)strlen(passphrase),
		    inf, alg)) == NULL)
			goto out;
		alg = NULL;	/* owned by enc */
		ok = PEM_write_bio_PKCS8(b, enc);
	}
	if (ok) {
		ok = 0;
		BIO_get_mem_ptr(b, &bm);
		if ((pem = OPENSSL_malloc(bm->length + 1)) == NULL)
			goto out;
		memcpy(pem, bm->data, bm->length);
		pem[bm->length] = '\0';
		*len = bm->length;
		ok = 1;
	}
out:
	if (!ok)
		log_ossl("escrow: cannot encode the tier key");
	if (b != NULL) {
		BIO_get_mem_ptr(b, &bm);
		OPENSSL_cleanse(bm->data, bm->max);
	}
	BIO_free(b);
	X509_SIG_free(enc);
	X509_ALGOR_free(alg);
	PKCS8_PRIV_KEY_INFO_free(inf);
	return ok ? pem : NULL;
}

/* Hands the passphrase to PEM_read_bio_PrivateKey; never prompts. */
static int
pass_cb(char *buf, int size, int rwflag, void *u)
{
	const char	*pass = u;
	size_t		 n;

	(void)rwflag;
	if (pass == NULL)
		return -1;	/* an encrypted key without a passphrase */
	if ((n = strlen(pass)) > (size_t)size)
		return -1;
	memcpy(buf, pass, n);
	return (int)n;
}

EVP_PKEY *
escrow_key_parse(const unsigned char *pem, size_t len, const char *passphrase,
    const char **why)
{
	BIO		*b;
	EVP_PKEY	*key = NULL;

	*why = "no private key in the file";
	if (len > INT_MAX || (b = BIO_new_mem_buf(pem, (int)len)) == NULL)
		return NULL;
	key = PEM_read_bio_PrivateKey(b, NULL, pass_cb, (void *)passphrase);
	BIO_free(b);
	if (key == NULL && memmem(pem, len, "ENCRYPTED", 9) != NULL)
		*why = "wrong passphrase or damaged key file";
	ERR_clear_error();
	return key;
}

/* libgfshare's source of coefficients: the CSPRNG, never random(3). */
static void
gf_rand(unsigned char *buf, unsigned int n)
{
	if (RAND_bytes(buf, (int)n) != 1)
		abort();	/* predictable shares would give the key away */
}

int
escrow_split(const unsigned char *secret, size_t len, unsigned n, unsigned m,
    unsigned char *const *shares, unsigned char *nrs)
{
	gfshare_ctx	*ctx;
	unsigned char	*copy, r;
	unsigned	 i, j;
	int		 dup;

	if (n < 2 || n > ESCROW_MAX_SHARES || m < 2 || m > n ||
	    len == 0 || len > UINT_MAX)
		return 0;
	gfshare_fill_rand = gf_rand;
	/* Distinct random share numbers, as gfsplit picks them. */
	for (i = 0; i < n; i++) {
		do {
			if (RAND_bytes(&r, 1) != 1)
				return 0;
			for (dup = r == 0, j = 0; j < i; j++)
				dup |= nrs[j] == r;
		} while (dup);
		nrs[i] = r;
	}
	if ((copy = OPENSSL_memdup(secret, len)) == NULL)
		return 0;
	if ((ctx = gfshare_ctx_init_enc(nrs, n, (unsigned char)m,
	    (unsigned)len)) == NULL) {
		OPENSSL_clear_free(copy, len);
		return 0;
	}
	gfshare_ctx_enc_setsecret(ctx, copy);
	for (i = 0; i < n; i++)
		gfshare_ctx_enc_getshare(ctx, (unsigned char)i, shares[i]);
	gfshare_ctx_free(ctx);		/* cleanses its coefficients */
	OPENSSL_clear_free(copy, len);
	return 1;
}

int
escrow_combine(const unsigned char *const *shares, const unsigned char *nrs,
    unsigned n, size_t len, unsigned char *out)
{
	gfshare_ctx	*ctx;
	unsigned char	 numbers[ESCROW_MAX_SHARES];
	unsigned	 i;

	if (n == 0 || n > ESCROW_MAX_SHARES || len == 0 || len > UINT_MAX)
		return 0;
	memcpy(numbers, nrs, n);
	/* gfshare_ctx_free scrubs with it: it must be set here too. */
	gfshare_fill_rand = gf_rand;
	if ((ctx = gfshare_ctx_init_dec(numbers, n, (unsigned)len)) == NULL)
		return 0;
	for (i = 0; i < n; i++)
		gfshare_ctx_dec_giveshare(ctx, (unsigned char)i,
		    (unsigned char *)shares[i]);
	gfshare_ctx_dec_extract(ctx, out);
	gfshare_ctx_free(ctx);
	return 1;
}

unsigned
escrow_share_nr(const char *path)
{
	const char	*dot = strrchr(path, '.'), *p;
	unsigned	 v = 0;

	if (dot == NULL || dot[1] == '\0' || strlen(dot + 1) > 3)
		return 0;
	for (p = dot + 1; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p))
			return 0;
		v = v * 10 + (unsigned)(*p - '0');
	}
	return v <= ESCROW_MAX_SHARES ? v : 0;
}

/*
 * Adds the active key of one required tier to l, or its name to missing;
 * returns 0 on a database error.
 */
static int
require_tier(struct db *db, long long customer_id, enum escrow_tier tier,
    long long org_id, long long dept_id, struct escrow_key_list *l,
    struct buf *missing)
{
	struct escrow_key	*k, **p;

	if ((k = store_escrow_key_active(db, customer_id, tier, org_id,
	    dept_id)) == NULL)
		return (missing->len == 0 || buf_puts(missing, ", ")) &&
		    buf_puts(missing, escrow_tier_name(tier));
	if ((p = reallocarray(l->items, l->n + 1, sizeof(struct escrow_key *))) == NULL) {
		escrow_key_free(k);
		return 0;
	}
	l->items = p;
	l->items[l->n++] = k;
	return 1;
}

int
escrow_required(struct db *db, long long org_id, long long dept_id,
    struct escrow_key_list **keys, char *missing, size_t missinglen)
{
	struct escrow_key_list	*l;
	struct org		*o;
	struct dept		*d = NULL;
	struct buf		 miss = { 0 };
	int			 ret = -1;

	*keys = NULL;
	if (missinglen > 0)
		missing[0] = '\0';
	if ((o = store_org_by_id(db, org_id)) == NULL ||
	    (dept_id != 0 && (d = store_dept_by_id(db, dept_id)) == NULL) ||
	    (l = calloc(1, sizeof(*l))) == NULL) {
		store_org_free(o);
		store_dept_free(d);
		return -1;
	}
	if ((o->escrow_master && !require_tier(db, o->customer_id,
	    ESCROW_MASTER, 0, 0, l, &miss)) ||
	    (o->escrow_org && !require_tier(db, o->customer_id, ESCROW_ORG,
	    o->id, 0, l, &miss)) ||
	    (d != NULL && d->escrow_dept && !require_tier(db, o->customer_id,
	    ESCROW_DEPT, o->id, d->id, l, &miss))) {
		escrow_key_list_free(l);
		goto out;
	}
	if (miss.len > 0) {
		snprintf(missing, missinglen, "%.*s", (int)miss.len,
		    (const char *)miss.data);
		escrow_key_list_free(l);
		ret = 0;
		goto out;
	}
	*keys = l;
	ret = 1;
out:
	buf_free(&miss);
	store_dept_free(d);
	store_org_free(o);
	return ret;
}

int
escrow_record(struct db *db, long long request_id, const unsigned char *der,
    size_t len, const char *state, const struct escrow_key_list *keys)
{
	long long	 blob;
	size_t		 i;

	if ((blob = store_escrow_blob_add(db, request_id, der, len,
	    state)) == 0)
		return 0;
	for (i = 0; i < keys->n; i++)
		if (!store_escrow_recipient_add(db, blob, keys->items[i]))
			return 0;
	return 1;
}

X509 **
escrow_key_certs(const struct escrow_key_list *keys)
{
	X509	**certs;
	size_t	  i;

	if ((certs = calloc(keys->n + 1, sizeof(X509 *))) == NULL)
		return NULL;
	for (i = 0; i < keys->n; i++)
		certs[i] = keys->items[i]->cert;
	return certs;
}
