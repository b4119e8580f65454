/*
 * p12: PKCS#12 files in the two encodings of SPEC 4.2.  The file is put
 * together bag by bag rather than with PKCS12_create, because that
 * chooses the PBES2 PRF and the salt lengths itself: here every
 * algorithm identifier is made explicitly, so what a platform receives
 * cannot change with an OpenSSL update.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "log.h"
#include "p12.h"

/*
 * Salt lengths: 16 bytes for PBKDF2 (NIST SP 800-132 asks for at least
 * 128 bits); 8 bytes for the PKCS#12 PBE and the MAC, the length every
 * implementation of the old scheme writes and reads.
 */
#define P12_PBES2_SALT	16
#define P12_PBE_SALT	8
#define P12_MAC_SALT	8
/* Longer passwords are refused rather than silently cut. */
#define P12_PASSWORD_MAX 1024

static const char *const p12_names[P12_N_ENCODINGS] = {
	[P12_MODERN] = "modern",
	[P12_COMPATIBLE] = "compatible",
};

/*
 * Returns the encryption algorithm identifier of enc with a fresh random
 * salt (and IV) for iter iterations (caller frees), or NULL.
 */
static X509_ALGOR *
p12_pbe(enum p12_encoding enc, int iter)
{
	X509_ALGOR	*alg = NULL;

	switch (enc) {
	case P12_MODERN:
		alg = PKCS5_pbe2_set_iv_ex(EVP_aes_256_cbc(), iter, NULL,
		    P12_PBES2_SALT, NULL, NID_hmacWithSHA256, NULL);
		break;
	case P12_COMPATIBLE:
		alg = PKCS5_pbe_set_ex(NID_pbe_WithSHA1And3_Key_TripleDES_CBC,
		    iter, NULL, P12_PBE_SALT, NULL);
		break;
	}
	if (alg == NULL)
		log_ossl("p12: %s algorithm identifier", p12_encoding_name(enc));
	return alg;
}

/* Returns the MAC digest of enc (static). */
static const EVP_MD *
p12_mac_md(enum p12_encoding enc)
{
	switch (enc) {
	case P12_MODERN:
		return EVP_sha256();
	case P12_COMPATIBLE:
		return EVP_sha1();
	}
	return NULL;
}

/*
 * Adds the friendly name (when there is one) and the local key id that
 * tie a key bag to its certificate bag; returns 1, or 0 (logged).
 */
static int
p12_bag_attrs(PKCS12_SAFEBAG *bag, const char *friendly_name,
    unsigned char *keyid, int keyidlen)
{
	if ((friendly_name != NULL &&
	    !PKCS12_add_friendlyname_utf8(bag, friendly_name, -1)) ||
	    !PKCS12_add_localkeyid(bag, keyid, keyidlen)) {
		log_ossl("p12: bag attributes");
		return 0;
	}
	return 1;
}

/*
 * Returns the shrouded key bag holding key encrypted under password
 * (caller frees), or NULL (logged).  The unencrypted PKCS#8 is cleansed
 * by its free function.
 */
static PKCS12_SAFEBAG *
p12_key_bag(enum p12_encoding enc, EVP_PKEY *key, const char *password,
    int passlen, int iter)
{
	PKCS8_PRIV_KEY_INFO	*p8 = NULL;
	X509_ALGOR		*alg = NULL;
	X509_SIG		*sig = NULL;
	PKCS12_SAFEBAG		*bag = NULL;

	if ((p8 = EVP_PKEY2PKCS8(key)) == NULL) {
		log_ossl("p12: key to PKCS#8");
		goto out;
	}
	if ((alg = p12_pbe(enc, iter)) == NULL)
		goto out;
	/* On success the X509_SIG owns alg. */
	if ((sig = PKCS8_set0_pbe_ex(password, passlen, p8, alg, NULL,
	    NULL)) == NULL) {
		log_ossl("p12: encrypting the key");
		goto out;
	}
	alg = NULL;
	if ((bag = PKCS12_SAFEBAG_create0_pkcs8(sig)) == NULL) {
		log_ossl("p12: key bag");
		goto out;
	}
	sig = NULL;
out:
	X509_SIG_free(sig);
	X509_ALGOR_free(alg);
	PKCS8_PRIV_KEY_INFO_free(p8);
	return bag;
}

/*
 * Returns a PKCS#7 EncryptedData holding bags encrypted under password
 * (caller frees), or NULL (logged).  PKCS12_pack_p7encdata would pick
 * the PBES2 PRF itself, hence the assembly by hand.
 */
static PKCS7 *
p12_encrypted_safe(enum p12_encoding enc, STACK_OF(PKCS12_SAFEBAG) *bags,
    const char *password, int passlen, int iter)
{
	PKCS7			*p7 = NULL;
	PKCS7_ENC_CONTENT	*ec;
	X509_ALGOR		*alg = NULL;
	ASN1_OCTET_STRING	*data = NULL;

	if ((alg = p12_pbe(enc, iter)) == NULL)
		goto fail;
	if ((data = PKCS12_item_i2d_encrypt_ex(alg,
	    ASN1_ITEM_rptr(PKCS12_SAFEBAGS), password, passlen, bags, 1,
	    NULL, NULL)) == NULL) {
		log_ossl("p12: encrypting the certificates");
		goto fail;
	}
	if ((p7 = PKCS7_new()) == NULL ||
	    !PKCS7_set_type(p7, NID_pkcs7_encrypted)) {
		log_ossl("p12: encrypted safe");
		goto fail;
	}
	ec = p7->d.encrypted->enc_data;
	X509_ALGOR_free(ec->algorithm);
	ec->algorithm = alg;
	ASN1_OCTET_STRING_free(ec->enc_data);
	ec->enc_data = data;
	return p7;
fail:
	PKCS7_free(p7);
	ASN1_OCTET_STRING_free(data);
	X509_ALGOR_free(alg);
	return NULL;
}

/*
 * Returns the certificate bags: cert with its attributes, then the chain
 * in the order given (caller frees with its bags), or NULL (logged).
 */
static STACK_OF(PKCS12_SAFEBAG) *
p12_cert_bags(X509 *cert, STACK_OF(X509) *chain, const char *friendly_name,
    unsigned char *keyid, int keyidlen)
{
	STACK_OF(PKCS12_SAFEBAG)	*bags;
	PKCS12_SAFEBAG			*bag;
	int				 i;

	if ((bags = sk_PKCS12_SAFEBAG_new_null()) == NULL)
		goto fail;
	if ((bag = PKCS12_SAFEBAG_create_cert(cert)) == NULL ||
	    !sk_PKCS12_SAFEBAG_push(bags, bag)) {
		PKCS12_SAFEBAG_free(bag);
		goto fail;
	}
	if (!p12_bag_attrs(bag, friendly_name, keyid, keyidlen))
		goto fail;
	for (i = 0; i < sk_X509_num(chain); i++)
		if ((bag = PKCS12_SAFEBAG_create_cert(sk_X509_value(chain,
		    i))) == NULL || !sk_PKCS12_SAFEBAG_push(bags, bag)) {
			PKCS12_SAFEBAG_free(bag);
			goto fail;
		}
	return bags;
fail:
	log_ossl("p12: certificate bags");
	sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
	return NULL;
}

/*
 * Returns the authenticated safe of the file: the certificates in an
 * encrypted safe, then the shrouded key bag in a data safe (the layout
 * Windows and OpenSSL write); caller frees, NULL on failure (logged).
 */
static STACK_OF(PKCS7) *
p12_safes(enum p12_encoding enc, EVP_PKEY *key, X509 *cert,
    STACK_OF(X509) *chain, const char *friendly_name, const char *password,
    int passlen, int iter)
{
	STACK_OF(PKCS7)			*safes = NULL;
	STACK_OF(PKCS12_SAFEBAG)	*certs = NULL, *keys = NULL;
	PKCS12_SAFEBAG			*kbag = NULL;
	PKCS7				*p7 = NULL;
	unsigned char			 keyid[EVP_MAX_MD_SIZE];
	unsigned int			 keyidlen;
	int				 ok = 0;

	/* The local key id is the certificate's SHA-1 hash, as OpenSSL's. */
	if (!X509_digest(cert, EVP_sha1(), keyid, &keyidlen)) {
		log_ossl("p12: certificate hash");
		goto out;
	}
	if ((certs = p12_cert_bags(cert, chain, friendly_name, keyid,
	    (int)keyidlen)) == NULL)
		goto out;
	if ((kbag = p12_key_bag(enc, key, password, passlen, iter)) == NULL ||
	    !p12_bag_attrs(kbag, friendly_name, keyid, (int)keyidlen))
		goto out;
	if ((keys = sk_PKCS12_SAFEBAG_new_null()) == NULL ||
	    !sk_PKCS12_SAFEBAG_push(keys, kbag)) {
		log_ossl("p12: key safe");
		goto out;
	}
	kbag = NULL;
	if ((safes = sk_PKCS7_new_null()) == NULL) {
		log_ossl("p12: safes");
		goto out;
	}
	if ((p7 = p12_encrypted_safe(enc, certs, password, passlen,
	    iter)) == NULL || !sk_PKCS7_push(safes, p7))
		goto out;
	if ((p7 = PKCS12_pack_p7data(keys)) == NULL ||
	    !sk_PKCS7_push(safes, p7)) {
		log_ossl("p12: key safe");
		goto out;
	}
	p7 = NULL;
	ok = 1;
out:
	PKCS7_free(p7);
	PKCS12_SAFEBAG_free(kbag);
	sk_PKCS12_SAFEBAG_pop_free(keys, PKCS12_SAFEBAG_free);
	sk_PKCS12_SAFEBAG_pop_free(certs, PKCS12_SAFEBAG_free);
	if (!ok) {
		sk_PKCS7_pop_free(safes, PKCS7_free);
		safes = NULL;
	}
	return safes;
}

int
p12_build(enum p12_encoding enc, EVP_PKEY *key, X509 *cert,
    STACK_OF(X509) *chain, const char *friendly_name, const char *password,
    int iter, unsigned char **der, size_t *len)
{
	STACK_OF(PKCS7)	*safes = NULL;
	PKCS12		*p12 = NULL;
	unsigned char	*out = NULL;
	size_t		 passlen;
	int		 n, rc = 0;

	if ((unsigned)enc >= P12_N_ENCODINGS || key == NULL || cert == NULL ||
	    password == NULL || iter < 1) {
		log_err("p12: bad arguments");
		return 0;
	}
	/*
	 * The password is never NULL: OpenSSL reads NULL as "no password"
	 * and "" as the empty BMPString, and the empty password must be the
	 * latter, which every importer tries.
	 */
	if ((passlen = strlen(password)) > P12_PASSWORD_MAX) {
		log_err("p12: password longer than %d bytes", P12_PASSWORD_MAX);
		return 0;
	}
	if (!X509_check_private_key(cert, key)) {
		log_ossl("p12: the key is not the certificate's");
		return 0;
	}
	if ((safes = p12_safes(enc, key, cert, chain, friendly_name, password,
	    (int)passlen, iter)) == NULL)
		goto out;
	if ((p12 = PKCS12_init(NID_pkcs7_data)) == NULL ||
	    !PKCS12_pack_authsafes(p12, safes)) {
		log_ossl("p12: authenticated safe");
		goto out;
	}
	/* Always the classic PKCS#12 MAC, never PBMAC1. */
	if (!PKCS12_set_mac(p12, password, (int)passlen, NULL, P12_MAC_SALT,
	    iter, p12_mac_md(enc))) {
		log_ossl("p12: MAC");
		goto out;
	}
	if ((n = i2d_PKCS12(p12, &out)) <= 0) {
		log_ossl("p12: DER");
		goto out;
	}
	*der = out;
	*len = (size_t)n;
	rc = 1;
out:
	PKCS12_free(p12);
	sk_PKCS7_pop_free(safes, PKCS7_free);
	return rc;
}

const char *
p12_encoding_name(enum p12_encoding enc)
{
	if ((unsigned)enc >= P12_N_ENCODINGS)
		return "unknown";
	return p12_names[enc];
}

int
p12_encoding_parse(const char *name)
{
	int	 i;

	if (name == NULL)
		return -1;
	for (i = 0; i < P12_N_ENCODINGS; i++)
		if (strcasecmp(name, p12_names[i]) == 0)
			return i;
	/* SCM's word for the compatible encoding. */
	if (strcasecmp(name, "legacy") == 0)
		return P12_COMPATIBLE;
	return -1;
}

/*
 * Returns the major Android version a User-Agent names, 0 when it names
 * Android without a readable version, or -1 when it does not name it.
 */
static int
p12_android_major(const char *ua)
{
	const char	*p;
	int		 major, digits;

	for (p = strstr(ua, "Android"); p != NULL;
	    p = strstr(p, "Android")) {
		p += sizeof("Android") - 1;
		while (*p == ' ' || *p == '/')
			p++;
		major = digits = 0;
		/* A version is at most a few digits; more is garbage. */
		while (isdigit((unsigned char)*p) && digits < 4) {
			major = major * 10 + (*p++ - '0');
			digits++;
		}
		if (digits > 0 && !isdigit((unsigned char)*p))
			return major;
	}
	return strstr(ua, "Android") != NULL ? 0 : -1;
}

enum p12_encoding
p12_encoding_for_agent(const char *user_agent, enum p12_encoding dflt)
{
	/*
	 * iPadOS in desktop mode says "Macintosh"; every other Apple
	 * browser says one of the rest.  Chrome for Mac also reaches the
	 * Keychain, which is what opens the file.
	 */
	static const char *const apple[] = {
		"Macintosh", "Mac OS X", "iPhone", "iPad", "iPod",
	};
	size_t	 i;
	int	 android;

	if (user_agent == NULL)
		return dflt;
	for (i = 0; i < sizeof(apple) / sizeof(apple[0]); i++)
		if (strstr(user_agent, apple[i]) != NULL)
			return P12_COMPATIBLE;
	/*
	 * Android 14 reads AES files; 13 and older do not.  When the
	 * version is unreadable the compatible file is the one that opens
	 * on every Android.  Chrome's reduced User-Agent says "Android 10"
	 * on every version, so Chrome on Android always gets compatible,
	 * which opens there.
	 */
	if ((android = p12_android_major(user_agent)) >= 0)
		return android <= 13 ? P12_COMPATIBLE : dflt;
	return dflt;
}
