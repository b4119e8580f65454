/* keygen: server-made key pairs of the types a profile allows. */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "csr.h"
#include "keygen.h"
#include "log.h"

/*
 * Returns a new key generation context for type with every parameter set
 * (caller frees), or NULL.  The exponent and the named-curve encoding are
 * set even where they are OpenSSL's defaults, so a default change cannot
 * alter what a certificate carries.
 */
static EVP_PKEY_CTX *
keygen_ctx(enum key_type type)
{
	EVP_PKEY_CTX	*ctx = NULL;
	OSSL_PARAM	 params[3];
	unsigned int	 bits = 0, e = 65537;
	const char	*curve = NULL;
	char		 enc[] = OSSL_PKEY_EC_ENCODING_GROUP;

	switch (type) {
	case KEY_RSA2048:
		bits = 2048;
		break;
	case KEY_RSA3072:
		bits = 3072;
		break;
	case KEY_RSA4096:
		bits = 4096;
		break;
	case KEY_EC256:
		curve = SN_X9_62_prime256v1;
		break;
	case KEY_EC384:
		curve = SN_secp384r1;
		break;
	case KEY_NONE:
		break;
	}
	if (bits == 0 && curve == NULL) {
		log_err("keygen: no key type %d", (int)type);
		return NULL;
	}
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, bits ? "RSA" : "EC",
	    NULL)) == NULL || EVP_PKEY_keygen_init(ctx) <= 0) {
		log_ossl("keygen: context for %s", key_type_name(type));
		EVP_PKEY_CTX_free(ctx);
		return NULL;
	}
	if (bits) {
		params[0] = OSSL_PARAM_construct_uint(OSSL_PKEY_PARAM_RSA_BITS,
		    &bits);
		params[1] = OSSL_PARAM_construct_uint(OSSL_PKEY_PARAM_RSA_E, &e);
	} else {
		params[0] = OSSL_PARAM_construct_utf8_string(
		    OSSL_PKEY_PARAM_GROUP_NAME, (char *)curve, 0);
		params[1] = OSSL_PARAM_construct_utf8_string(
		    OSSL_PKEY_PARAM_EC_ENCODING, enc, 0);
	}
	params[2] = OSSL_PARAM_construct_end();
	if (EVP_PKEY_CTX_set_params(ctx, params) <= 0) {
		log_ossl("keygen: parameters for %s", key_type_name(type));
		EVP_PKEY_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

EVP_PKEY *
keygen_make(enum key_type type)
{
	EVP_PKEY_CTX	*ctx;
	EVP_PKEY	*key = NULL;

	if ((ctx = keygen_ctx(type)) == NULL)
		return NULL;
	if (EVP_PKEY_generate(ctx, &key) <= 0) {
		log_ossl("keygen: generating %s", key_type_name(type));
		key = NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	return key;
}

enum key_type
keygen_type_parse(const char *name)
{
	/*
	 * The tokens are csr.c's, read by its list parser; a list names
	 * several types, and here exactly one is wanted.
	 */
	if (name == NULL || strchr(name, ',') != NULL)
		return KEY_NONE;
	switch (key_types_parse(name)) {
	case KEY_RSA2048:
		return KEY_RSA2048;
	case KEY_RSA3072:
		return KEY_RSA3072;
	case KEY_RSA4096:
		return KEY_RSA4096;
	case KEY_EC256:
		return KEY_EC256;
	case KEY_EC384:
		return KEY_EC384;
	default:
		return KEY_NONE;
	}
}
