/*
 * p12make: writes the two PKCS#12 encodings of one freshly made key and
 * certificate, for tests/e2e/test_p12_interop.sh, which opens them with
 * other implementations.  The certificate is signed by a throw-away
 * intermediate below a throw-away root, so the files carry a chain of
 * two.
 *
 *	p12make KEYTYPE PASSWORD ITER FRIENDLY-NAME PREFIX
 *
 * writes PREFIX-modern.p12, PREFIX-compatible.p12, PREFIX-cert.pem (the
 * end-entity certificate) and PREFIX-root.pem.  No private key is written
 * except inside the password-protected files.
 */
#include <stdio.h>
#include <stdlib.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "fixture.h"
#include "keygen.h"
#include "p12.h"

/* Writes len bytes of data to path; returns 1, or 0 with a message. */
static int
write_file(const char *path, const unsigned char *data, size_t len)
{
	FILE	*f;
	int	 ok;

	if ((f = fopen(path, "wb")) == NULL) {
		perror(path);
		return 0;
	}
	ok = fwrite(data, 1, len, f) == len;
	if (fclose(f) != 0)
		ok = 0;
	if (!ok)
		perror(path);
	return ok;
}

/* Writes cert as PEM to path; returns 1, or 0 with a message. */
static int
write_pem(const char *path, X509 *cert)
{
	FILE	*f;
	int	 ok;

	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		return 0;
	}
	ok = PEM_write_X509(f, cert);
	if (fclose(f) != 0)
		ok = 0;
	if (!ok)
		fprintf(stderr, "%s: cannot write\n", path);
	return ok;
}

int
main(int argc, char *argv[])
{
	EVP_PKEY	*kroot = NULL, *kmid = NULL, *key = NULL;
	X509		*root = NULL, *mid = NULL, *cert = NULL;
	STACK_OF(X509)	*chain = NULL;
	unsigned char	*der;
	size_t		 len;
	char		 path[4096];
	enum key_type	 type;
	int		 enc, iter, rc = 1;

	if (argc != 6 || (type = keygen_type_parse(argv[1])) == KEY_NONE ||
	    (iter = atoi(argv[3])) < 1) {
		fprintf(stderr, "usage: p12make rsa2048|rsa3072|rsa4096|ec256"
		    "|ec384 PASSWORD ITER FRIENDLY-NAME PREFIX\n");
		return 2;
	}
	if ((kroot = keygen_make(KEY_EC256)) == NULL ||
	    (kmid = keygen_make(KEY_EC256)) == NULL ||
	    (key = keygen_make(type)) == NULL ||
	    (root = fixture_cert("p12make Root", kroot, NULL, kroot, 1,
	    1)) == NULL ||
	    (mid = fixture_cert("p12make Issuing CA", kmid, root, kroot, 1,
	    2)) == NULL ||
	    (cert = fixture_cert(argv[4], key, mid, kmid, 0, 3)) == NULL ||
	    (chain = sk_X509_new_null()) == NULL ||
	    !sk_X509_push(chain, mid) || !sk_X509_push(chain, root)) {
		fprintf(stderr, "p12make: cannot make the certificates\n");
		goto out;
	}
	for (enc = 0; enc < P12_N_ENCODINGS; enc++) {
		if (!p12_build(enc, key, cert, chain, argv[4], argv[2], iter,
		    &der, &len)) {
			fprintf(stderr, "p12make: p12_build %s failed\n",
			    p12_encoding_name(enc));
			goto out;
		}
		snprintf(path, sizeof(path), "%s-%s.p12", argv[5],
		    p12_encoding_name(enc));
		if (!write_file(path, der, len)) {
			OPENSSL_free(der);
			goto out;
		}
		OPENSSL_free(der);
	}
	snprintf(path, sizeof(path), "%s-cert.pem", argv[5]);
	if (!write_pem(path, cert))
		goto out;
	snprintf(path, sizeof(path), "%s-root.pem", argv[5]);
	if (!write_pem(path, root))
		goto out;
	rc = 0;
out:
	sk_X509_free(chain);
	X509_free(cert);
	X509_free(mid);
	X509_free(root);
	EVP_PKEY_free(key);
	EVP_PKEY_free(kmid);
	EVP_PKEY_free(kroot);
	return rc;
}
