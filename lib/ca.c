/* ca: CA creation and import, certificate issuance, CRLs. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/store.h>
#include <openssl/ui.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "ca.h"
#include "file.h"
#include "log.h"

#define CA_MAX_DAYS	3650	/* longest end-entity term */
#define CA_ROOT_DAYS	36500	/* longest CA or RA term */
#define CA_SKEW		300	/* seconds CA and RA certificates are backdated */
#define CA_NAME_MAX	32	/* RDNs accepted in a subject string */
#define CA_TOKEN_MAX	128	/* longest key usage or EKU name */

/* Key usage names (RFC 5280 4.2.1.3) and their bit numbers. */
static const struct {
	const char	*name;
	int		 bit;
} ca_ku_names[] = {
	{ "digitalSignature",	0 },
	{ "nonRepudiation",	1 },
	{ "contentCommitment",	1 },
	{ "keyEncipherment",	2 },
	{ "dataEncipherment",	3 },
	{ "keyAgreement",	4 },
	{ "keyCertSign",	5 },
	{ "cRLSign",		6 },
	{ "encipherOnly",	7 },
	{ "decipherOnly",	8 },
};

#define CA_KU_DS	(1u << 0)
#define CA_KU_KE	(1u << 2)
#define CA_KU_DE	(1u << 3)
#define CA_KU_CERT	(1u << 5)
#define CA_KU_CRL	(1u << 6)

/* Extended key usage names and their NIDs. */
static const struct {
	const char	*name;
	int		 nid;
} ca_eku_names[] = {
	{ "serverAuth",		NID_server_auth },
	{ "clientAuth",		NID_client_auth },
	{ "emailProtection",	NID_email_protect },
	{ "codeSigning",	NID_code_sign },
	{ "timeStamping",	NID_time_stamp },
	{ "OCSPSigning",	NID_OCSP_sign },
	{ "ipsecIKE",		NID_ipsec_IKE },
	{ "msSmartcardLogin",	NID_ms_smartcard_login },
	{ "msEFS",		NID_ms_efs },
};

/* Returns the digest to sign with for key: NULL for EdDSA, which has none. */
static const EVP_MD *
ca_md(const EVP_PKEY *key)
{
	int	 bits;

	if (EVP_PKEY_is_a(key, "ED25519") || EVP_PKEY_is_a(key, "ED448"))
		return NULL;
	if (EVP_PKEY_is_a(key, "EC")) {
		/* Match the digest to the curve's strength (RFC 5480 4). */
		bits = EVP_PKEY_get_bits(key);
		if (bits > 384)
			return EVP_sha512();
		if (bits > 256)
			return EVP_sha384();
	}
	return EVP_sha256();
}

/* Returns 1 when uri starts with an RFC 3986 scheme followed by ':'. */
static int
ca_has_scheme(const char *uri)
{
	const char	*p = uri;

	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return 0;
	for (p++; *p != '\0' && *p != ':'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' ||
		    *p == '.'))
			return 0;
	return *p == ':';
}

/*
 * Returns the first private key found at an OSSL_STORE URI or plain path
 * (caller frees with EVP_PKEY_free), or NULL.  The URI is never logged: a
 * pkcs11 URI may carry a PIN.
 */
static EVP_PKEY *
ca_key_load(const char *uri)
{
	char		*full = NULL;
	OSSL_STORE_CTX	*st = NULL;
	OSSL_STORE_INFO	*info;
	EVP_PKEY	*key = NULL;

	if (uri == NULL || *uri == '\0') {
		log_err("ca: no key URI");
		return NULL;
	}
	if (!ca_has_scheme(uri) && asprintf(&full, "file:%s", uri) == -1) {
		log_err("ca: out of memory");
		return NULL;
	}
	/* UI_null: a web worker must never stop to prompt on a terminal. */
	st = OSSL_STORE_open(full != NULL ? full : uri, UI_null(), NULL,
	    NULL, NULL);
	if (st == NULL) {
		log_ossl("ca: cannot open the key store");
		goto out;
	}
	if (OSSL_STORE_expect(st, OSSL_STORE_INFO_PKEY) != 1) {
		log_ossl("ca: OSSL_STORE_expect");
		goto out;
	}
	while (key == NULL && !OSSL_STORE_eof(st)) {
		if ((info = OSSL_STORE_load(st)) == NULL) {
			if (OSSL_STORE_error(st))
				break;
			continue;
		}
		if (OSSL_STORE_INFO_get_type(info) == OSSL_STORE_INFO_PKEY)
			key = OSSL_STORE_INFO_get1_PKEY(info);
		OSSL_STORE_INFO_free(info);
	}
	if (key == NULL)
		log_ossl("ca: no private key at the key URI");
out:
	OSSL_STORE_close(st);
	free(full);
	return key;
}

/*
 * Writes key as unencrypted PKCS#8 PEM to path with mode 0600, through a
 * temporary file renamed into place so no reader sees half a key; refuses
 * to replace an existing file because that would orphan a CA.  Returns 1 on
 * success.
 */
static int
ca_key_write(const char *path, EVP_PKEY *key)
{
	BIO		*mem = NULL;
	char		*tmp = NULL, *data;
	long		 len;
	int		 rc = 0, r;

	/* A secure-memory BIO cleanses the PEM text when freed. */
	if ((mem = BIO_new(BIO_s_secmem())) == NULL ||
	    !PEM_write_bio_PrivateKey(mem, key, NULL, NULL, 0, NULL, NULL)) {
		log_ossl("ca: cannot encode the private key");
		goto out;
	}
	if ((len = BIO_get_mem_data(mem, &data)) <= 0) {
		log_ossl("ca: cannot encode the private key");
		goto out;
	}
	if ((tmp = file_write_temp(path, data, (size_t)len, 0600)) == NULL)
		goto out;
	/* Never over an existing key: that would orphan a CA. */
	if ((r = file_install(tmp, path, FILE_NEW)) == -1)
		log_err("ca: %s already exists; not replacing a key", path);
	rc = r == 1;
out:
	free(tmp);
	BIO_free(mem);
	return rc;
}

/*
 * Returns a name parsed from "CN=Demo CA,O=Demo Org,C=US" (caller frees), or
 * NULL.  As in RFC 2253 the string lists the most specific RDN first, so the
 * entries are added in reverse; '\' escapes the next character.
 */
static X509_NAME *
ca_name_parse(const char *s)
{
	char		*copy = NULL, *types[CA_NAME_MAX], *vals[CA_NAME_MAX];
	char		*r, *w, *end;
	size_t		 n = 0, i;
	int		 last;
	X509_NAME	*name = NULL, *ret = NULL;

	if (s == NULL || (copy = strdup(s)) == NULL) {
		log_err("ca: no subject");
		return NULL;
	}
	r = copy;
	for (;;) {
		if (n == CA_NAME_MAX) {
			log_err("ca: subject has too many attributes");
			goto out;
		}
		while (*r == ' ')
			r++;
		types[n] = r;
		while (*r != '=' && *r != ',' && *r != '\0')
			r++;
		if (*r != '=') {
			log_err("ca: subject attribute without '=': %s", s);
			goto out;
		}
		for (end = r; end > types[n] && end[-1] == ' '; end--)
			continue;
		*end = '\0';
		for (r++; *r == ' '; r++)
			continue;
		vals[n] = w = r;
		while (*r != '\0' && *r != ',') {
			if (*r == '\\' && *++r == '\0') {
				log_err("ca: subject ends in '\\': %s", s);
				goto out;
			}
			*w++ = *r++;
		}
		last = *r == '\0';
		*w = '\0';
		if (*types[n] == '\0' || *vals[n] == '\0') {
			log_err("ca: empty attribute in subject: %s", s);
			goto out;
		}
		n++;
		if (last)
			break;
		r++;
	}
	if ((name = X509_NAME_new()) == NULL) {
		log_ossl("ca: X509_NAME_new");
		goto out;
	}
	for (i = n; i > 0; i--)
		if (!X509_NAME_add_entry_by_txt(name, types[i - 1],
		    MBSTRING_UTF8, (const unsigned char *)vals[i - 1], -1,
		    -1, 0)) {
			log_ossl("ca: bad subject attribute %s", types[i - 1]);
			goto out;
		}
	ret = name;
	name = NULL;
out:
	X509_NAME_free(name);
	free(copy);
	return ret;
}

/*
 * Returns a fresh positive 128-bit serial (caller frees) and writes it as
 * hex.  The first byte is non-zero with its high bit clear, so the DER
 * INTEGER is exactly 16 bytes: positive without a padding byte and never
 * shorter.
 */
static ASN1_INTEGER *
ca_serial_new(char hex[33])
{
	static const char	 digits[] = "0123456789ABCDEF";
	unsigned char		 b[16];
	BIGNUM			*bn;
	ASN1_INTEGER		*ai;
	size_t			 i;

	do {
		if (RAND_bytes(b, sizeof(b)) != 1) {
			log_ossl("ca: RAND_bytes");
			return NULL;
		}
		b[0] &= 0x7f;
	} while (b[0] == 0);
	if ((bn = BN_bin2bn(b, sizeof(b), NULL)) == NULL) {
		log_ossl("ca: BN_bin2bn");
		return NULL;
	}
	if ((ai = BN_to_ASN1_INTEGER(bn, NULL)) == NULL)
		log_ossl("ca: BN_to_ASN1_INTEGER");
	BN_free(bn);
	for (i = 0; i < sizeof(b); i++) {
		hex[2 * i] = digits[b[i] >> 4];
		hex[2 * i + 1] = digits[b[i] & 0xf];
	}
	hex[32] = '\0';
	return ai;
}

/*
 * Copies the algorithm and key bits of src into dst as they are encoded;
 * returns 1 on success, 0 (dst untouched) for a parameter type a key's
 * AlgorithmIdentifier never has.
 */
static int
ca_spki_copy(X509_PUBKEY *dst, const X509_PUBKEY *src)
{
	X509_ALGOR		*alg;
	const ASN1_OBJECT	*obj;
	const void		*pval;
	const unsigned char	*bits;
	ASN1_OBJECT		*aobj = NULL;
	void			*param = NULL;
	unsigned char		*copy = NULL;
	int			 ptype, nbits;

	if (!X509_PUBKEY_get0_param(NULL, &bits, &nbits, &alg, src) ||
	    bits == NULL || nbits <= 0)
		return 0;
	X509_ALGOR_get0(&obj, &ptype, &pval, alg);
	switch (ptype) {
	case V_ASN1_UNDEF:
	case V_ASN1_NULL:
		break;
	case V_ASN1_OBJECT:		/* EC: the named curve */
		if ((param = OBJ_dup(pval)) == NULL)
			goto fail;
		break;
	case V_ASN1_SEQUENCE:		/* RSA-PSS, DSA, explicit curves */
		if ((param = ASN1_STRING_dup(pval)) == NULL)
			goto fail;
		break;
	default:
		return 0;
	}
	if ((aobj = OBJ_dup(obj)) == NULL ||
	    (copy = OPENSSL_memdup(bits, (size_t)nbits)) == NULL)
		goto fail;
	/* On success set0 owns aobj, param and copy; on failure nothing. */
	if (!X509_PUBKEY_set0_param(dst, aobj, ptype, param, copy, nbits))
		goto fail;
	return 1;
fail:
	log_ossl("ca: cannot copy the SubjectPublicKeyInfo");
	ASN1_OBJECT_free(aobj);
	if (ptype == V_ASN1_OBJECT)
		ASN1_OBJECT_free(param);
	else
		ASN1_STRING_free(param);
	OPENSSL_free(copy);
	return 0;
}

/*
 * Sets the subject public key of x: spki's bytes when it is the encoding
 * pubkey was decoded from (X509_PUBKEY_get0 caches that very key), else
 * pubkey encoded afresh.  X509_set_pubkey makes OpenSSL 3.0 look up an
 * encoder and a decoder and round-trip the key through them, which costs
 * more than verifying an RSA signature; copying the bytes costs nothing.
 * Returns 1 on success.
 */
static int
ca_set_pubkey(X509 *x, EVP_PKEY *pubkey, const X509_PUBKEY *spki)
{
	if (spki != NULL && X509_PUBKEY_get0(spki) == pubkey &&
	    ca_spki_copy(X509_get_X509_PUBKEY(x), spki))
		return 1;
	return X509_set_pubkey(x, pubkey);
}

/*
 * Returns an unsigned v3 certificate (caller frees) with serial, names,
 * validity and public key set (see ca_set_pubkey for spki, which may be
 * NULL); issuer NULL means self-signed.  notAfter is cut at the issuer's
 * own notAfter, since no relying party would accept a certificate
 * outliving its issuer.
 */
static X509 *
ca_cert_start(X509 *issuer, const X509_NAME *subject, EVP_PKEY *pubkey,
    const X509_PUBKEY *spki, int days, long backdate, char hex[33])
{
	X509		*x = NULL, *ret = NULL;
	ASN1_INTEGER	*serial = NULL;
	const ASN1_TIME	*inot;
	time_t		 now = time(NULL);

	if ((x = X509_new()) == NULL ||
	    !X509_set_version(x, X509_VERSION_3)) {
		log_ossl("ca: X509_new");
		goto out;
	}
	if ((serial = ca_serial_new(hex)) == NULL)
		goto out;
	if (!X509_set_serialNumber(x, serial) ||
	    !X509_set_subject_name(x, subject) ||
	    !X509_set_issuer_name(x, issuer != NULL ?
	    X509_get_subject_name(issuer) : subject) ||
	    !ca_set_pubkey(x, pubkey, spki)) {
		log_ossl("ca: cannot fill the certificate");
		goto out;
	}
	if (X509_time_adj_ex(X509_getm_notBefore(x), 0, -backdate,
	    &now) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), days, 0, &now) == NULL) {
		log_ossl("ca: cannot set the validity");
		goto out;
	}
	if (issuer != NULL) {
		inot = X509_get0_notAfter(issuer);
		if (ASN1_TIME_compare(X509_get0_notAfter(x), inot) > 0) {
			log_info("ca: validity cut to the CA's expiry");
			if (!X509_set1_notAfter(x, inot)) {
				log_ossl("ca: X509_set1_notAfter");
				goto out;
			}
		}
	}
	ret = x;
	x = NULL;
out:
	ASN1_INTEGER_free(serial);
	X509_free(x);
	return ret;
}

/* Adds an extension given in openssl.cnf syntax; returns 1 on success. */
static int
ca_ext_conf(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION	*ext;
	int		 ok;

	if ((ext = X509V3_EXT_nconf_nid(NULL, ctx, nid, value)) == NULL) {
		log_ossl("ca: extension %s", OBJ_nid2sn(nid));
		return 0;
	}
	if (!(ok = X509_add_ext(x, ext, -1)))
		log_ossl("ca: X509_add_ext %s", OBJ_nid2sn(nid));
	X509_EXTENSION_free(ext);
	return ok;
}

/*
 * Returns the authorityKeyIdentifier form for certificates and CRLs of
 * issuer: its key id, or issuer name and serial for an imported CA old
 * enough to lack a subjectKeyIdentifier (RFC 5280 4.2.1.1 allows both).
 */
static const char *
ca_aki_form(X509 *issuer)
{
	return X509_get0_subject_key_id(issuer) != NULL ? "keyid:always" :
	    "issuer:always";
}

/* Adds SKI and AKI and signs x with key (self-signed when issuer is NULL); returns 1 on success. */
static int
ca_cert_finish(X509 *x, X509 *issuer, EVP_PKEY *key)
{
	X509V3_CTX	 ctx;

	X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	/* A new root has just been given its SKI: always use the key id. */
	if (!ca_ext_conf(x, &ctx, NID_subject_key_identifier, "hash") ||
	    !ca_ext_conf(x, &ctx, NID_authority_key_identifier,
	    issuer != NULL ? ca_aki_form(issuer) : "keyid:always"))
		return 0;
	if (X509_sign(x, key, ca_md(key)) <= 0) {
		log_ossl("ca: X509_sign");
		return 0;
	}
	return 1;
}

/*
 * Reads the next comma-separated name from *sp into tok, trimmed; returns
 * 1 with a name, 0 at the end, -1 when a name is too long.
 */
static int
ca_token(const char **sp, char tok[CA_TOKEN_MAX])
{
	const char	*s = *sp, *b, *e;

	while (*s == ' ' || *s == '\t' || *s == ',')
		s++;
	if (*s == '\0') {
		*sp = s;
		return 0;
	}
	b = s;
	while (*s != '\0' && *s != ',')
		s++;
	for (e = s; e > b && (e[-1] == ' ' || e[-1] == '\t'); e--)
		continue;
	*sp = s;
	if ((size_t)(e - b) >= CA_TOKEN_MAX)
		return -1;
	memcpy(tok, b, (size_t)(e - b));
	tok[e - b] = '\0';
	return 1;
}

/*
 * Parses a key usage list into bits; returns 1 on success, 0 on an unknown
 * name or one an end-entity certificate must not carry.
 */
static int
ca_ku_parse(const char *list, unsigned *bits)
{
	char	 tok[CA_TOKEN_MAX];
	size_t	 i;
	int	 t;

	*bits = 0;
	while ((t = ca_token(&list, tok)) == 1) {
		for (i = 0; i < sizeof(ca_ku_names) / sizeof(ca_ku_names[0]);
		    i++)
			if (strcasecmp(tok, ca_ku_names[i].name) == 0)
				break;
		if (i == sizeof(ca_ku_names) / sizeof(ca_ku_names[0])) {
			log_err("ca: unknown key usage '%s'", tok);
			return 0;
		}
		*bits |= 1u << ca_ku_names[i].bit;
	}
	if (t == -1) {
		log_err("ca: key usage name too long");
		return 0;
	}
	/* With CA:FALSE these would be a contradiction (RFC 5280 4.2.1.9). */
	if (*bits & (CA_KU_CERT | CA_KU_CRL)) {
		log_err("ca: keyCertSign/cRLSign are not for end entities");
		return 0;
	}
	return 1;
}

/* Adds the critical key usage extension; returns 1 on success. */
static int
ca_ku_add(X509 *x, const char *list, const EVP_PKEY *pubkey)
{
	ASN1_BIT_STRING	*bs = NULL;
	unsigned	 bits;
	int		 rsa, i, rc = 0;

	rsa = EVP_PKEY_is_a(pubkey, "RSA") || EVP_PKEY_is_a(pubkey, "RSA-PSS");
	if (list == NULL || *list == '\0')
		bits = rsa ? CA_KU_DS | CA_KU_KE : CA_KU_DS;
	else if (!ca_ku_parse(list, &bits))
		return 0;
	/*
	 * One profile often serves RSA and EC keys; an EC key cannot
	 * encipher keys or data (RFC 5480 3), so those bits are dropped.
	 */
	if (!rsa)
		bits &= ~(CA_KU_KE | CA_KU_DE);
	if (bits == 0) {
		log_err("ca: key usage '%s' leaves nothing for this key type",
		    list);
		return 0;
	}
	if ((bs = ASN1_BIT_STRING_new()) == NULL) {
		log_ossl("ca: ASN1_BIT_STRING_new");
		return 0;
	}
	for (i = 0; i < 9; i++)
		if ((bits & (1u << i)) && !ASN1_BIT_STRING_set_bit(bs, i, 1)) {
			log_ossl("ca: ASN1_BIT_STRING_set_bit");
			goto out;
		}
	if (X509_add1_ext_i2d(x, NID_key_usage, bs, 1, X509V3_ADD_DEFAULT) != 1) {
		log_ossl("ca: key usage");
		goto out;
	}
	rc = 1;
out:
	ASN1_BIT_STRING_free(bs);
	return rc;
}

/* Returns 1 when s is a non-empty dotted OID like 1.3.6.1.4.1.311.20.2.2. */
static int
ca_is_oid(const char *s)
{
	if (*s < '0' || *s > '9')
		return 0;
	for (; *s != '\0'; s++)
		if ((*s < '0' || *s > '9') && *s != '.')
			return 0;
	return 1;
}

/* Adds extended key usage from a name list (NULL or "" adds none); returns 1 on success. */
static int
ca_eku_add(X509 *x, const char *list)
{
	EXTENDED_KEY_USAGE	*eku = NULL;
	ASN1_OBJECT		*obj = NULL;
	char			 tok[CA_TOKEN_MAX];
	size_t			 i;
	int			 t, j, rc = 0;

	if (list == NULL || *list == '\0')
		return 1;
	if ((eku = sk_ASN1_OBJECT_new_null()) == NULL) {
		log_ossl("ca: sk_ASN1_OBJECT_new_null");
		return 0;
	}
	while ((t = ca_token(&list, tok)) == 1) {
		for (i = 0; i < sizeof(ca_eku_names) / sizeof(ca_eku_names[0]);
		    i++)
			if (strcasecmp(tok, ca_eku_names[i].name) == 0)
				break;
		if (i < sizeof(ca_eku_names) / sizeof(ca_eku_names[0]))
			obj = OBJ_nid2obj(ca_eku_names[i].nid);
		else if (ca_is_oid(tok))
			obj = OBJ_txt2obj(tok, 1);
		if (obj == NULL) {
			log_err("ca: unknown extended key usage '%s'", tok);
			goto out;
		}
		for (j = 0; j < sk_ASN1_OBJECT_num(eku); j++)
			if (OBJ_cmp(sk_ASN1_OBJECT_value(eku, j), obj) == 0)
				break;
		if (j < sk_ASN1_OBJECT_num(eku)) {
			ASN1_OBJECT_free(obj);
		} else if (!sk_ASN1_OBJECT_push(eku, obj)) {
			log_ossl("ca: sk_ASN1_OBJECT_push");
			goto out;
		}
		obj = NULL;
	}
	if (t == -1) {
		log_err("ca: extended key usage name too long");
		goto out;
	}
	if (sk_ASN1_OBJECT_num(eku) > 0 && X509_add1_ext_i2d(x,
	    NID_ext_key_usage, eku, 0, X509V3_ADD_DEFAULT) != 1) {
		log_ossl("ca: extended key usage");
		goto out;
	}
	rc = 1;
out:
	ASN1_OBJECT_free(obj);
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	return rc;
}

/* Returns 1 when s is non-empty printable ASCII without spaces (IA5 in practice). */
static int
ca_ia5_ok(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s < 0x21 || *s > 0x7e)
			return 0;
	return 1;
}

/* Appends an IA5String general name of the given type; returns 1 on success. */
static int
ca_gen_ia5(GENERAL_NAMES *gens, int type, const char *s)
{
	GENERAL_NAME	*gen = NULL;
	ASN1_IA5STRING	*ia5 = NULL;

	if (!ca_ia5_ok(s)) {
		log_err("ca: name '%s' is not printable ASCII", s ? s : "");
		return 0;
	}
	if ((gen = GENERAL_NAME_new()) == NULL ||
	    (ia5 = ASN1_IA5STRING_new()) == NULL ||
	    !ASN1_STRING_set(ia5, s, (int)strlen(s))) {
		log_ossl("ca: general name");
		goto err;
	}
	GENERAL_NAME_set0_value(gen, type, ia5);
	ia5 = NULL;
	if (!sk_GENERAL_NAME_push(gens, gen)) {
		log_ossl("ca: sk_GENERAL_NAME_push");
		goto err;
	}
	return 1;
err:
	ASN1_IA5STRING_free(ia5);
	GENERAL_NAME_free(gen);
	return 0;
}

/*
 * Adds subjectAltName; critical when the subject is empty, as RFC 5280
 * 4.2.1.6 requires.  Returns 1 on success (or when there are no names).
 */
static int
ca_san_add(X509 *x, const struct ca_issue *req, int subject_empty)
{
	GENERAL_NAMES		*gens = NULL;
	GENERAL_NAME		*gen = NULL;
	ASN1_OCTET_STRING	*ip = NULL;
	size_t			 i;
	int			 rc = 0;

	if (req->ndns + req->nemails + req->nips == 0)
		return 1;
	if ((gens = sk_GENERAL_NAME_new_null()) == NULL) {
		log_ossl("ca: sk_GENERAL_NAME_new_null");
		return 0;
	}
	for (i = 0; i < req->ndns; i++)
		if (!ca_gen_ia5(gens, GEN_DNS, req->dns[i]))
			goto out;
	for (i = 0; i < req->nemails; i++)
		if (!ca_gen_ia5(gens, GEN_EMAIL, req->emails[i]))
			goto out;
	for (i = 0; i < req->nips; i++) {
		if (req->ips[i] == NULL ||
		    (ip = a2i_IPADDRESS(req->ips[i])) == NULL) {
			ERR_clear_error();
			log_err("ca: bad IP address '%s'",
			    req->ips[i] ? req->ips[i] : "");
			goto out;
		}
		if ((gen = GENERAL_NAME_new()) == NULL) {
			log_ossl("ca: GENERAL_NAME_new");
			goto out;
		}
		GENERAL_NAME_set0_value(gen, GEN_IPADD, ip);
		ip = NULL;
		if (!sk_GENERAL_NAME_push(gens, gen)) {
			log_ossl("ca: sk_GENERAL_NAME_push");
			goto out;
		}
		gen = NULL;
	}
	if (X509_add1_ext_i2d(x, NID_subject_alt_name, gens, subject_empty,
	    X509V3_ADD_DEFAULT) != 1) {
		log_ossl("ca: subjectAltName");
		goto out;
	}
	rc = 1;
out:
	ASN1_OCTET_STRING_free(ip);
	GENERAL_NAME_free(gen);
	GENERAL_NAMES_free(gens);
	return rc;
}

/*
 * Adds a CRL distribution point with one URI, built as ASN.1 rather than a
 * config string so that a ',' in the URL cannot inject more names.
 * Returns 1 on success.
 */
static int
ca_crldp_add(X509 *x, const char *url)
{
	CRL_DIST_POINTS	*dps = NULL;
	DIST_POINT	*dp = NULL;
	GENERAL_NAMES	*names = NULL;
	int		 rc = 0;

	if (!ca_ia5_ok(url) || strchr(url, ':') == NULL) {
		log_err("ca: bad CRL URL '%s'", url);
		return 0;
	}
	if ((names = sk_GENERAL_NAME_new_null()) == NULL ||
	    !ca_gen_ia5(names, GEN_URI, url)) {
		log_ossl("ca: CRL distribution point");
		goto out;
	}
	if ((dps = sk_DIST_POINT_new_null()) == NULL ||
	    (dp = DIST_POINT_new()) == NULL ||
	    (dp->distpoint = DIST_POINT_NAME_new()) == NULL) {
		log_ossl("ca: CRL distribution point");
		goto out;
	}
	dp->distpoint->type = 0;	/* fullName */
	dp->distpoint->name.fullname = names;
	names = NULL;
	if (!sk_DIST_POINT_push(dps, dp)) {
		log_ossl("ca: sk_DIST_POINT_push");
		goto out;
	}
	dp = NULL;
	if (X509_add1_ext_i2d(x, NID_crl_distribution_points, dps, 0,
	    X509V3_ADD_DEFAULT) != 1) {
		log_ossl("ca: CRL distribution point");
		goto out;
	}
	rc = 1;
out:
	GENERAL_NAMES_free(names);
	DIST_POINT_free(dp);
	sk_DIST_POINT_pop_free(dps, DIST_POINT_free);
	return rc;
}

char *
ca_init(const char *key_path, enum ca_alg alg, const char *subject, int days)
{
	EVP_PKEY	*key = NULL;
	X509_NAME	*name = NULL;
	X509		*x = NULL;
	X509V3_CTX	 ctx;
	char		 hex[33], *pem = NULL, *ret = NULL;

	if (key_path == NULL || days <= 0 || days > CA_ROOT_DAYS) {
		log_err("ca: init needs a key path and 1..%d days",
		    CA_ROOT_DAYS);
		return NULL;
	}
	if ((name = ca_name_parse(subject)) == NULL)
		goto out;
	key = alg == CA_EC384 ? EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384") :
	    EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072);
	if (key == NULL) {
		log_ossl("ca: key generation");
		goto out;
	}
	if ((x = ca_cert_start(NULL, name, key, NULL, days, CA_SKEW, hex)) == NULL)
		goto out;
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	if (!ca_ext_conf(x, &ctx, NID_basic_constraints, "critical,CA:TRUE") ||
	    !ca_ext_conf(x, &ctx, NID_key_usage,
	    "critical,keyCertSign,cRLSign") ||
	    !ca_cert_finish(x, NULL, key))
		goto out;
	/* Encode first so that a failure leaves no orphaned key file. */
	if ((pem = ca_cert_pem(x)) == NULL || !ca_key_write(key_path, key))
		goto out;
	ret = pem;
	pem = NULL;
out:
	free(pem);
	X509_free(x);
	X509_NAME_free(name);
	EVP_PKEY_free(key);
	return ret;
}

int
ca_import_check(const char *cert_pem, const char *key_uri,
    const char *chain_pem, char *err, size_t errlen)
{
	X509		*cert = NULL;
	EVP_PKEY	*key = NULL;
	STACK_OF(X509)	*chain = NULL, *untrusted = NULL;
	X509_STORE	*store = NULL;
	X509_STORE_CTX	*vctx = NULL;
	uint32_t	 flags, ku;
	int		 n, i, rc = 0;

	buf_msg(err, errlen, "internal error");
	if (cert_pem == NULL || (cert = ca_cert_from_pem(cert_pem)) == NULL) {
		buf_msg(err, errlen, "the certificate is not a PEM X.509 "
		    "certificate");
		goto out;
	}
	if ((key = ca_key_load(key_uri)) == NULL) {
		buf_msg(err, errlen, "no private key could be loaded from "
		    "the key URI");
		goto out;
	}
	if (X509_check_private_key(cert, key) != 1) {
		buf_msg(err, errlen, "the private key does not match the "
		    "certificate");
		goto out;
	}
	flags = X509_get_extension_flags(cert);
	if (flags & EXFLAG_INVALID) {
		buf_msg(err, errlen, "the certificate has malformed "
		    "extensions");
		goto out;
	}
	if (!(flags & EXFLAG_BCONS) || !(flags & EXFLAG_CA)) {
		buf_msg(err, errlen, "the certificate is not a CA "
		    "certificate (no basicConstraints CA:TRUE)");
		goto out;
	}
	/* Without a keyUsage extension every usage is allowed. */
	ku = X509_get_key_usage(cert);
	if ((ku & (KU_KEY_CERT_SIGN | KU_CRL_SIGN)) !=
	    (KU_KEY_CERT_SIGN | KU_CRL_SIGN)) {
		buf_msg(err, errlen, "the certificate's key usage lacks "
		    "keyCertSign or cRLSign");
		goto out;
	}
	if (X509_cmp_current_time(X509_get0_notAfter(cert)) <= 0) {
		buf_msg(err, errlen, "the certificate has expired");
		goto out;
	}
	if (X509_cmp_current_time(X509_get0_notBefore(cert)) >= 0) {
		buf_msg(err, errlen, "the certificate is not valid yet");
		goto out;
	}
	if (chain_pem != NULL &&
	    (chain = ca_chain_from_pem(chain_pem)) == NULL) {
		buf_msg(err, errlen, "the chain is not PEM certificates");
		goto out;
	}
	n = chain != NULL ? sk_X509_num(chain) : 0;
	if (n == 0) {
		/* An intermediate may come without its chain. */
		if (X509_self_signed(cert, 0) == 1 &&
		    X509_self_signed(cert, 1) != 1) {
			buf_msg(err, errlen, "the self-signed certificate's "
			    "signature does not verify");
			goto out;
		}
		rc = 1;
		goto out;
	}
	/*
	 * The last chain certificate is the anchor (partial chains allowed so
	 * an intermediate may end it); every listed certificate must be on
	 * the path, or the chain served to clients would carry strays.
	 */
	if ((store = X509_STORE_new()) == NULL ||
	    !X509_STORE_add_cert(store, sk_X509_value(chain, n - 1)) ||
	    (untrusted = sk_X509_new_null()) == NULL) {
		log_ossl("ca: X509_STORE");
		goto out;
	}
	for (i = 0; i < n - 1; i++)
		if (!sk_X509_push(untrusted, sk_X509_value(chain, i))) {
			log_ossl("ca: sk_X509_push");
			goto out;
		}
	if ((vctx = X509_STORE_CTX_new()) == NULL ||
	    !X509_STORE_CTX_init(vctx, store, cert, untrusted)) {
		log_ossl("ca: X509_STORE_CTX_init");
		goto out;
	}
	X509_STORE_CTX_set_flags(vctx, X509_V_FLAG_PARTIAL_CHAIN);
	if (X509_verify_cert(vctx) != 1) {
		buf_msg(err, errlen, "the chain does not certify the "
		    "certificate: %s", X509_verify_cert_error_string(
		    X509_STORE_CTX_get_error(vctx)));
		goto out;
	}
	if (sk_X509_num(X509_STORE_CTX_get0_chain(vctx)) != n + 1) {
		buf_msg(err, errlen, "the chain holds certificates that are "
		    "not on the certificate's path");
		goto out;
	}
	rc = 1;
out:
	if (rc)
		buf_msg(err, errlen, "ok");
	ERR_clear_error();
	X509_STORE_CTX_free(vctx);
	X509_STORE_free(store);
	sk_X509_free(untrusted);
	sk_X509_pop_free(chain, X509_free);
	EVP_PKEY_free(key);
	X509_free(cert);
	return rc;
}

struct ca *
ca_load(const char *cert_pem, const char *key_uri, const char *chain_pem,
    const char *ra_cert_pem, const char *ra_key_uri)
{
	struct ca	*ca = NULL, *ret = NULL;

	if (cert_pem == NULL || key_uri == NULL ||
	    (ra_cert_pem == NULL) != (ra_key_uri == NULL)) {
		log_err("ca: load needs a certificate, a key and both or "
		    "neither RA parts");
		return NULL;
	}
	if ((ca = calloc(1, sizeof(*ca))) == NULL) {
		log_err("ca: out of memory");
		return NULL;
	}
	if ((ca->cert = ca_cert_from_pem(cert_pem)) == NULL) {
		log_ossl("ca: CA certificate");
		goto out;
	}
	if ((ca->key = ca_key_load(key_uri)) == NULL)
		goto out;
	if (X509_check_private_key(ca->cert, ca->key) != 1) {
		log_ossl("ca: the CA key does not match the CA certificate");
		goto out;
	}
	ca->chain = chain_pem != NULL ? ca_chain_from_pem(chain_pem) :
	    sk_X509_new_null();
	if (ca->chain == NULL) {
		log_ossl("ca: CA chain");
		goto out;
	}
	if (ra_cert_pem != NULL) {
		if ((ca->ra_cert = ca_cert_from_pem(ra_cert_pem)) == NULL) {
			log_ossl("ca: RA certificate");
			goto out;
		}
		if ((ca->ra_key = ca_key_load(ra_key_uri)) == NULL)
			goto out;
		if (X509_check_private_key(ca->ra_cert, ca->ra_key) != 1) {
			log_ossl("ca: the RA key does not match the RA "
			    "certificate");
			goto out;
		}
	}
	ret = ca;
	ca = NULL;
out:
	ca_free(ca);
	return ret;
}

void
ca_free(struct ca *ca)
{
	if (ca == NULL)
		return;
	/* EVP_PKEY_free clears private key material before freeing it. */
	EVP_PKEY_free(ca->key);
	EVP_PKEY_free(ca->ra_key);
	X509_free(ca->cert);
	X509_free(ca->ra_cert);
	sk_X509_pop_free(ca->chain, X509_free);
	free(ca);
}

char *
ca_ra_init(const struct ca *ca, const char *key_path, const char *subject,
    int days)
{
	EVP_PKEY	*key = NULL;
	X509_NAME	*name = NULL;
	X509		*x = NULL;
	X509V3_CTX	 ctx;
	char		 hex[33], *pem = NULL, *ret = NULL;

	if (ca == NULL || ca->cert == NULL || ca->key == NULL ||
	    key_path == NULL || days <= 0 || days > CA_ROOT_DAYS) {
		log_err("ca: RA init needs a CA, a key path and 1..%d days",
		    CA_ROOT_DAYS);
		return NULL;
	}
	if ((name = ca_name_parse(subject)) == NULL)
		goto out;
	/* RSA: SCEP clients encrypt to the RA with RSA key transport. */
	if ((key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048)) ==
	    NULL) {
		log_ossl("ca: RA key generation");
		goto out;
	}
	if ((x = ca_cert_start(ca->cert, name, key, NULL, days, CA_SKEW,
	    hex)) == NULL)
		goto out;
	X509V3_set_ctx(&ctx, ca->cert, x, NULL, NULL, 0);
	if (!ca_ext_conf(x, &ctx, NID_basic_constraints,
	    "critical,CA:FALSE") ||
	    !ca_ext_conf(x, &ctx, NID_key_usage,
	    "critical,digitalSignature,keyEncipherment") ||
	    !ca_cert_finish(x, ca->cert, ca->key))
		goto out;
	if ((pem = ca_cert_pem(x)) == NULL || !ca_key_write(key_path, key))
		goto out;
	ret = pem;
	pem = NULL;
out:
	free(pem);
	X509_free(x);
	X509_NAME_free(name);
	EVP_PKEY_free(key);
	return ret;
}

X509 *
ca_issue(const struct ca *ca, const struct ca_issue *req,
    char serial_hex[33])
{
	X509		*x = NULL, *ret = NULL;
	X509V3_CTX	 ctx;
	char		 hex[33];
	int		 subject_empty;

	if (ca == NULL || ca->cert == NULL || ca->key == NULL || req == NULL ||
	    serial_hex == NULL) {
		log_err("ca: issue without a CA or a request");
		return NULL;
	}
	if (req->pubkey == NULL) {
		log_err("ca: issue without a public key");
		return NULL;
	}
	if (req->days <= 0 || req->days > CA_MAX_DAYS) {
		log_err("ca: term of %d days is outside 1..%d", req->days,
		    CA_MAX_DAYS);
		return NULL;
	}
	if (req->backdate < 0 || req->backdate > 86400) {
		log_err("ca: backdate of %ld s is outside 0..86400",
		    req->backdate);
		return NULL;
	}
	if ((req->ndns && req->dns == NULL) ||
	    (req->nemails && req->emails == NULL) ||
	    (req->nips && req->ips == NULL)) {
		log_err("ca: SAN count without names");
		return NULL;
	}
	subject_empty = req->subject == NULL ||
	    X509_NAME_entry_count(req->subject) == 0;
	if (subject_empty && req->ndns + req->nemails + req->nips == 0) {
		log_err("ca: neither a subject nor a subjectAltName");
		return NULL;
	}
	if (req->subject == NULL) {
		X509_NAME	*empty;

		if ((empty = X509_NAME_new()) == NULL) {
			log_ossl("ca: X509_NAME_new");
			return NULL;
		}
		x = ca_cert_start(ca->cert, empty, req->pubkey, req->spki,
		    req->days, req->backdate, hex);
		X509_NAME_free(empty);
	} else
		x = ca_cert_start(ca->cert, req->subject, req->pubkey,
		    req->spki, req->days, req->backdate, hex);
	if (x == NULL)
		goto out;
	X509V3_set_ctx(&ctx, ca->cert, x, NULL, NULL, 0);
	if (!ca_ext_conf(x, &ctx, NID_basic_constraints,
	    "critical,CA:FALSE") ||
	    !ca_ku_add(x, req->key_usage, req->pubkey) ||
	    !ca_eku_add(x, req->ext_key_usage) ||
	    !ca_san_add(x, req, subject_empty))
		goto out;
	if (req->crl_url != NULL && *req->crl_url != '\0' &&
	    !ca_crldp_add(x, req->crl_url))
		goto out;
	if (!ca_cert_finish(x, ca->cert, ca->key))
		goto out;
	memcpy(serial_hex, hex, sizeof(hex));
	ret = x;
	x = NULL;
out:
	X509_free(x);
	return ret;
}

/* Returns 1 for a CRLReason a full CRL may carry (RFC 5280 5.3.1). */
static int
ca_reason_ok(int reason)
{
	/* 7 is unassigned; removeFromCRL (8) belongs in delta CRLs only. */
	return reason >= 0 && reason <= 10 && reason != 7 && reason != 8;
}

/* One CRL entry as DER pieces, ready to be sorted and written. */
struct crl_ent {
	unsigned char	 serial[21];	/* INTEGER content, sign byte included */
	unsigned char	 time[15];	/* UTCTime or GeneralizedTime content */
	unsigned char	 serial_len;
	unsigned char	 time_len;
	unsigned char	 time_tag;
	unsigned char	 reason;
	size_t		 index;		/* position in the input: ties stay put */
};

/* The reasonCode extension (RFC 5280 5.3.1) up to its one-byte value. */
static const unsigned char crl_reason_ext[] = {
	0x30, 0x0c, 0x30, 0x0a, 0x06, 0x03, 0x55, 0x1d, 0x15,
	0x04, 0x03, 0x0a, 0x01
};

/* Returns how many octets the DER length len takes. */
static size_t
der_len_size(size_t len)
{
	size_t	 n = 1;

	if (len < 0x80)
		return 1;
	for (; len > 0; len >>= 8)
		n++;
	return n;
}

/* Returns the octets of a tag and length written at p (which must fit them). */
static size_t
der_put_head(unsigned char *p, unsigned char tag, size_t len)
{
	size_t	 n, i;

	p[0] = tag;
	if (len < 0x80) {
		p[1] = (unsigned char)len;
		return 2;
	}
	n = der_len_size(len) - 1;
	p[1] = (unsigned char)(0x80 | n);
	for (i = 0; i < n; i++)
		p[2 + i] = (unsigned char)(len >> (8 * (n - 1 - i)));
	return 2 + n;
}

/*
 * Returns the size of the whole TLV at p (at most avail octets) and writes
 * its header size to hlen, or returns 0 when it does not fit or is not
 * DER this code writes (single-octet tag, definite length).
 */
static size_t
der_tlv_size(const unsigned char *p, size_t avail, size_t *hlen)
{
	size_t	 len = 0, n, i;

	if (avail < 2 || (p[0] & 0x1f) == 0x1f)
		return 0;
	if (p[1] < 0x80) {
		len = p[1];
		n = 0;
	} else {
		n = p[1] & 0x7f;
		if (n == 0 || n > sizeof(size_t) || avail < 2 + n)
			return 0;
		for (i = 0; i < n; i++)
			len = (len << 8) | p[2 + i];
	}
	*hlen = 2 + n;
	if (len > avail - *hlen)
		return 0;
	return *hlen + len;
}

/* Returns the value of the hex digit c, or -1. */
static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Returns 1 after writing the serial in hex (at most 20 octets, RFC 5280
 * 4.1.2.2) to e as the content of a positive DER
 * INTEGER: no superfluous leading zero, a zero octet before a set top bit.
 */
static int
crl_ent_serial(struct crl_ent *e, const char *hex)
{
	unsigned char	 mag[20];
	size_t		 len, i, m = 0, skip = 0;
	int		 hi, lo;

	len = hex == NULL ? 0 : strlen(hex);
	if (len == 0 || len > 40) {
		log_err("ca: bad serial length");
		return 0;
	}
	for (i = 0; i < len; i++)
		if (hex_value(hex[i]) < 0) {
			log_err("ca: serial is not hex: %s", hex);
			return 0;
		}
	i = 0;
	/* An odd count starts with a lone low nibble. */
	if (len % 2 == 1) {
		mag[m++] = (unsigned char)hex_value(hex[0]);
		i = 1;
	}
	for (; i < len; i += 2) {
		hi = hex_value(hex[i]);
		lo = hex_value(hex[i + 1]);
		mag[m++] = (unsigned char)(hi << 4 | lo);
	}
	while (skip + 1 < m && mag[skip] == 0)
		skip++;
	e->serial_len = 0;
	if (mag[skip] & 0x80)
		e->serial[e->serial_len++] = 0;
	memcpy(e->serial + e->serial_len, mag + skip, m - skip);
	e->serial_len += (unsigned char)(m - skip);
	return 1;
}

/* Writes v (0-99) as two decimal digits at p; returns p + 2. */
static unsigned char *
put2(unsigned char *p, int v)
{
	p[0] = (unsigned char)('0' + v / 10);
	p[1] = (unsigned char)('0' + v % 10);
	return p + 2;
}

/*
 * Returns 1 after writing t to e as ASN1_TIME_set would: UTCTime for the
 * years 1950-2049, GeneralizedTime otherwise (RFC 5280 4.1.2.5).  The
 * digits are written by hand: snprintf here was a quarter of the time of
 * a 100 000-entry CRL.
 */
static int
crl_ent_time(struct crl_ent *e, long long t)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;
	unsigned char	*p = e->time;
	int		 year;

	if (gmtime_r(&tt, &tm) == NULL || tm.tm_year + 1900 > 9999 ||
	    tm.tm_year + 1900 < 0) {
		log_err("ca: revocation time %lld out of range", t);
		return 0;
	}
	year = tm.tm_year + 1900;
	if (year >= 1950 && year < 2050) {
		e->time_tag = V_ASN1_UTCTIME;
		p = put2(p, year % 100);
	} else {
		e->time_tag = V_ASN1_GENERALIZEDTIME;
		p = put2(p, year / 100);
		p = put2(p, year % 100);
	}
	p = put2(p, tm.tm_mon + 1);
	p = put2(p, tm.tm_mday);
	p = put2(p, tm.tm_hour);
	p = put2(p, tm.tm_min);
	p = put2(p, tm.tm_sec);
	*p++ = 'Z';
	e->time_len = (unsigned char)(p - e->time);
	return 1;
}

/* Returns the qsort order of two entries: by serial value, as X509_CRL_sort. */
static int
crl_ent_cmp(const void *va, const void *vb)
{
	const struct crl_ent	*a = va, *b = vb;
	int			 c;

	/* Positive and minimal, so the longer content is the larger. */
	if (a->serial_len != b->serial_len)
		return a->serial_len < b->serial_len ? -1 : 1;
	if ((c = memcmp(a->serial, b->serial, a->serial_len)) != 0)
		return c;
	return a->index < b->index ? -1 : a->index > b->index;
}

/* Returns the size of the DER SEQUENCE content of entry e. */
static size_t
crl_ent_size(const struct crl_ent *e)
{
	return 2 + e->serial_len + 2 + e->time_len +
	    (e->reason != 0 ? sizeof(crl_reason_ext) + 1 : 0);
}

/*
 * Returns revokedCertificates in DER (malloc'ed, caller frees) for the n
 * entries of rev, sorted by serial, and writes its size to len; NULL when
 * an entry is bad (logged).  Writing the bytes directly spares one
 * X509_REVOKED and its extension stack per entry, which dominates the
 * cost of a large CRL.
 */
static unsigned char *
crl_revoked_der(const struct ca_revoked *rev, size_t n, size_t *len)
{
	struct crl_ent	*ents;
	unsigned char	*der = NULL, *p;
	size_t		 i, body = 0, sz;

	if ((ents = calloc(n, sizeof(*ents))) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (!ca_reason_ok(rev[i].reason) || rev[i].revoked_at < 0) {
			log_err("ca: bad CRL entry %zu (reason %d)", i,
			    rev[i].reason);
			goto out;
		}
		if (!crl_ent_serial(&ents[i], rev[i].serial_hex) ||
		    !crl_ent_time(&ents[i], rev[i].revoked_at))
			goto out;
		/* RFC 5280 5.3.1: absent rather than unspecified (0). */
		ents[i].reason = (unsigned char)rev[i].reason;
		ents[i].index = i;
		body += 2 + crl_ent_size(&ents[i]);
	}
	qsort(ents, n, sizeof(*ents), crl_ent_cmp);
	*len = 1 + der_len_size(body) + body;
	if ((der = malloc(*len)) == NULL)
		goto out;
	p = der + der_put_head(der, 0x30, body);
	for (i = 0; i < n; i++) {
		sz = crl_ent_size(&ents[i]);
		p += der_put_head(p, 0x30, sz);
		p += der_put_head(p, V_ASN1_INTEGER, ents[i].serial_len);
		memcpy(p, ents[i].serial, ents[i].serial_len);
		p += ents[i].serial_len;
		p += der_put_head(p, ents[i].time_tag, ents[i].time_len);
		memcpy(p, ents[i].time, ents[i].time_len);
		p += ents[i].time_len;
		if (ents[i].reason != 0) {
			memcpy(p, crl_reason_ext, sizeof(crl_reason_ext));
			p += sizeof(crl_reason_ext);
			*p++ = ents[i].reason;
		}
	}
out:
	free(ents);
	return der;
}

/*
 * Returns the CRL with everything but its entries (malloc'ed by OpenSSL:
 * caller frees with X509_CRL_free), signed once so OpenSSL fills in the
 * signature AlgorithmIdentifier the TBS must carry, or NULL (logged).
 */
static X509_CRL *
crl_head(const struct ca *ca, long long crl_number, int days)
{
	X509_CRL	*crl = NULL;
	ASN1_TIME	*t = NULL;
	ASN1_INTEGER	*num = NULL;
	X509_EXTENSION	*ext = NULL;
	X509V3_CTX	 ctx;
	time_t		 now = time(NULL);
	int		 ok = 0;

	if ((crl = X509_CRL_new()) == NULL ||
	    !X509_CRL_set_version(crl, X509_CRL_VERSION_2) ||
	    !X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca->cert)) ||
	    (t = ASN1_TIME_set(NULL, now)) == NULL ||
	    !X509_CRL_set1_lastUpdate(crl, t) ||
	    ASN1_TIME_adj(t, now, days, 0) == NULL ||
	    !X509_CRL_set1_nextUpdate(crl, t)) {
		log_ossl("ca: CRL header");
		goto out;
	}
	if ((num = ASN1_INTEGER_new()) == NULL ||
	    !ASN1_INTEGER_set_int64(num, crl_number) ||
	    !X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0)) {
		log_ossl("ca: crlNumber");
		goto out;
	}
	X509V3_set_ctx(&ctx, ca->cert, NULL, NULL, crl, 0);
	if ((ext = X509V3_EXT_nconf_nid(NULL, &ctx,
	    NID_authority_key_identifier, ca_aki_form(ca->cert))) == NULL ||
	    !X509_CRL_add_ext(crl, ext, -1)) {
		log_ossl("ca: CRL authority key identifier");
		goto out;
	}
	if (X509_CRL_sign(crl, ca->key, ca_md(ca->key)) <= 0) {
		log_ossl("ca: X509_CRL_sign");
		goto out;
	}
	ok = 1;
out:
	X509_EXTENSION_free(ext);
	ASN1_INTEGER_free(num);
	ASN1_TIME_free(t);
	if (!ok) {
		X509_CRL_free(crl);
		crl = NULL;
	}
	return crl;
}

/*
 * Returns the TBSCertList of head with revoked (len rlen, may be 0: then
 * left out, as OpenSSL does) placed after nextUpdate (malloc'ed, caller
 * frees) and writes its size to len, or NULL.
 */
static unsigned char *
crl_tbs(X509_CRL *head, const unsigned char *revoked, size_t rlen,
    size_t *len)
{
	unsigned char	*tbs = NULL, *p, *ret = NULL;
	size_t		 outer, hlen, total, at, sz, body;
	int		 tlen, i;

	if ((tlen = i2d_re_X509_CRL_tbs(head, &tbs)) <= 0) {
		log_ossl("ca: i2d_re_X509_CRL_tbs");
		return NULL;
	}
	total = (size_t)tlen;
	if (der_tlv_size(tbs, total, &outer) != total)
		goto bad;
	/* version, signature, issuer, thisUpdate, nextUpdate */
	for (at = outer, i = 0; i < 5; i++, at += sz)
		if ((sz = der_tlv_size(tbs + at, total - at, &hlen)) == 0)
			goto bad;
	body = total - outer + rlen;
	*len = 1 + der_len_size(body) + body;
	if ((ret = malloc(*len)) == NULL)
		goto out;
	p = ret + der_put_head(ret, 0x30, body);
	memcpy(p, tbs + outer, at - outer);
	p += at - outer;
	if (rlen > 0)
		memcpy(p, revoked, rlen);
	p += rlen;
	memcpy(p, tbs + at, total - at);
	goto out;
bad:
	log_err("ca: unexpected TBSCertList encoding");
out:
	OPENSSL_free(tbs);
	return ret;
}

/*
 * Returns the CertificateList (malloc'ed, caller frees) of tbs signed with
 * ca's key under the algorithm head was signed with, and writes its size
 * to len, or NULL (logged).
 */
static unsigned char *
crl_sign(const struct ca *ca, const X509_CRL *head, const unsigned char *tbs,
    size_t tlen, size_t *len)
{
	const X509_ALGOR	*alg;
	const ASN1_BIT_STRING	*hsig;
	EVP_MD_CTX		*mctx = NULL;
	unsigned char		*adr = NULL, *sig = NULL, *der = NULL, *p;
	size_t			 slen = 0, body;
	int			 alen;

	X509_CRL_get0_signature(head, &hsig, &alg);
	if ((alen = i2d_X509_ALGOR(alg, &adr)) <= 0 ||
	    (mctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(mctx, NULL, ca_md(ca->key), NULL,
	    ca->key) != 1 ||
	    EVP_DigestSign(mctx, NULL, &slen, tbs, tlen) != 1 ||
	    (sig = malloc(slen)) == NULL ||
	    EVP_DigestSign(mctx, sig, &slen, tbs, tlen) != 1) {
		log_ossl("ca: CRL signature");
		goto out;
	}
	body = tlen + (size_t)alen + 1 + der_len_size(slen + 1) + slen + 1;
	*len = 1 + der_len_size(body) + body;
	if ((der = malloc(*len)) == NULL)
		goto out;
	p = der + der_put_head(der, 0x30, body);
	memcpy(p, tbs, tlen);
	p += tlen;
	memcpy(p, adr, (size_t)alen);
	p += alen;
	p += der_put_head(p, V_ASN1_BIT_STRING, slen + 1);
	*p++ = 0;	/* no unused bits */
	memcpy(p, sig, slen);
out:
	free(sig);
	OPENSSL_free(adr);
	EVP_MD_CTX_free(mctx);
	return der;
}

unsigned char *
ca_crl(const struct ca *ca, const struct ca_revoked *rev, size_t n,
    long long crl_number, int days, size_t *len)
{
	X509_CRL	*head = NULL;
	unsigned char	*revoked = NULL, *tbs = NULL, *der = NULL;
	size_t		 rlen = 0, tlen = 0;

	if (ca == NULL || ca->cert == NULL || ca->key == NULL ||
	    (n > 0 && rev == NULL) || len == NULL || crl_number < 0 ||
	    days <= 0 || days > CA_MAX_DAYS) {
		log_err("ca: bad CRL parameters");
		return NULL;
	}
	if (n > 0 && (revoked = crl_revoked_der(rev, n, &rlen)) == NULL)
		goto out;
	if ((head = crl_head(ca, crl_number, days)) == NULL ||
	    (tbs = crl_tbs(head, revoked, rlen, &tlen)) == NULL)
		goto out;
	der = crl_sign(ca, head, tbs, tlen, len);
out:
	free(tbs);
	free(revoked);
	X509_CRL_free(head);
	return der;
}

char *
ca_cert_pem(const X509 *x)
{
	BIO	*bio;
	char	*data, *ret = NULL;
	long	 len;

	if (x == NULL)
		return NULL;
	if ((bio = BIO_new(BIO_s_mem())) == NULL ||
	    !PEM_write_bio_X509(bio, x) ||
	    (len = BIO_get_mem_data(bio, &data)) <= 0) {
		log_ossl("ca: PEM_write_bio_X509");
		goto out;
	}
	if ((ret = malloc((size_t)len + 1)) == NULL) {
		log_err("ca: out of memory");
		goto out;
	}
	memcpy(ret, data, (size_t)len);
	ret[len] = '\0';
out:
	BIO_free(bio);
	return ret;
}

unsigned char *
ca_cert_der(const X509 *x, size_t *len)
{
	unsigned char	*der, *p;
	int		 n;

	if (x == NULL || len == NULL || (n = i2d_X509(x, NULL)) <= 0) {
		log_ossl("ca: i2d_X509");
		return NULL;
	}
	if ((der = malloc((size_t)n)) == NULL) {
		log_err("ca: out of memory");
		return NULL;
	}
	p = der;
	if (i2d_X509(x, &p) != n) {
		log_ossl("ca: i2d_X509");
		free(der);
		return NULL;
	}
	*len = (size_t)n;
	return der;
}

X509 *
ca_cert_from_pem(const char *pem)
{
	BIO	*bio;
	X509	*x;

	if (pem == NULL || (bio = BIO_new_mem_buf(pem, -1)) == NULL)
		return NULL;
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	return x;
}

STACK_OF(X509) *
ca_chain_from_pem(const char *pem)
{
	BIO		*bio = NULL;
	STACK_OF(X509)	*sk = NULL, *ret = NULL;
	X509		*x;
	unsigned long	 e;

	if (pem == NULL || (bio = BIO_new_mem_buf(pem, -1)) == NULL ||
	    (sk = sk_X509_new_null()) == NULL) {
		log_ossl("ca: chain");
		goto out;
	}
	ERR_set_mark();
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
		if (!sk_X509_push(sk, x)) {
			X509_free(x);
			ERR_clear_last_mark();
			log_ossl("ca: sk_X509_push");
			goto out;
		}
	/* Running out of PEM blocks is how the loop ends; anything else is bad input. */
	e = ERR_peek_last_error();
	if (e != 0 && !(ERR_GET_LIB(e) == ERR_LIB_PEM &&
	    ERR_GET_REASON(e) == PEM_R_NO_START_LINE)) {
		ERR_clear_last_mark();
		log_ossl("ca: malformed certificate in chain");
		goto out;
	}
	ERR_pop_to_mark();
	ret = sk;
	sk = NULL;
out:
	sk_X509_pop_free(sk, X509_free);
	BIO_free(bio);
	return ret;
}
