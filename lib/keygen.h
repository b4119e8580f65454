/*
 * keygen: key pairs the server makes for a client (S/MIME) certificate
 * or a bulk request, of the types profiles allow.
 */
#ifndef CERTDESK_KEYGEN_H
#define CERTDESK_KEYGEN_H

#include <openssl/evp.h>

#include "csr.h"

/*
 * Returns a fresh key pair of type (one KEY_* bit: RSA 2048/3072/4096 with
 * e = 65537, EC P-256/P-384 with named-curve encoding), or NULL (logged).
 * The caller frees it with EVP_PKEY_free, which cleanses the private part.
 */
EVP_PKEY	*keygen_make(enum key_type type);
/* Returns the key type named "rsa2048", "rsa3072", "rsa4096", "ec256" or "ec384", or KEY_NONE. */
enum key_type	 keygen_type_parse(const char *name);

#endif
