/*
 * scepreq: writes PKCSReq pkiMessages (DER) to files, one per new RSA key,
 * for bench/scep-cost, which feeds them to one pkiclient.exe worker under
 * callgrind.  The messages are built here, outside the measured process,
 * so that the instruction count is the server's alone.
 *
 *   scepreq -r recipient.pem -k challenge -n count -o prefix
 *
 * writes prefix-0.der ... prefix-(count-1).der, AES-256-CBC + SHA-256.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "scep.h"

/* Builds and writes one request file; returns 1 on success. */
static int
sr_one(X509 *recipient, const char *code, const char *prefix, int i)
{
	struct scep_client_req	 r;
	EVP_PKEY		*key = NULL;
	X509			*signer = NULL;
	X509_REQ		*csr = NULL;
	unsigned char		*msg = NULL;
	size_t			 len = 0;
	char			 cn[96], path[4096];
	FILE			*f = NULL;
	int			 ok = 0;

	snprintf(cn, sizeof(cn), "cost-%d-%ld.example.com", i, (long)getpid());
	if ((key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048)) == NULL ||
	    (signer = scep_client_selfsigned(key, cn)) == NULL ||
	    (csr = scep_client_csr(key, cn, code)) == NULL)
		goto out;
	memset(&r, 0, sizeof(r));
	r.msg_type = SCEP_MSG_PKCSREQ;
	r.csr = csr;
	r.signer_cert = signer;
	r.signer_key = key;
	r.recipient_cert = recipient;
	r.cipher_nid = NID_aes_256_cbc;
	r.digest_nid = NID_sha256;
	if ((msg = scep_client_request(&r, &len)) == NULL)
		goto out;
	snprintf(path, sizeof(path), "%s-%d.der", prefix, i);
	if ((f = fopen(path, "wb")) == NULL)
		goto out;
	ok = fwrite(msg, 1, len, f) == len;
	ok = fclose(f) == 0 && ok;
out:
	free(msg);
	X509_REQ_free(csr);
	X509_free(signer);
	EVP_PKEY_free(key);
	return ok;
}

int
main(int argc, char *argv[])
{
	const char	*rpath = NULL, *code = NULL, *prefix = NULL;
	X509		*recipient = NULL;
	FILE		*f;
	int		 ch, n = 0, i;

	while ((ch = getopt(argc, argv, "r:k:n:o:")) != -1) {
		switch (ch) {
		case 'r': rpath = optarg; break;
		case 'k': code = optarg; break;
		case 'n': n = atoi(optarg); break;
		case 'o': prefix = optarg; break;
		default:
			goto usage;
		}
	}
	if (rpath == NULL || code == NULL || prefix == NULL || n <= 0)
		goto usage;
	if ((f = fopen(rpath, "r")) == NULL ||
	    (recipient = PEM_read_X509(f, NULL, NULL, NULL)) == NULL) {
		fprintf(stderr, "scepreq: cannot read %s\n", rpath);
		return 1;
	}
	fclose(f);
	for (i = 0; i < n; i++)
		if (!sr_one(recipient, code, prefix, i)) {
			fprintf(stderr, "scepreq: request %d failed\n", i);
			X509_free(recipient);
			return 1;
		}
	X509_free(recipient);
	return 0;
usage:
	fprintf(stderr, "usage: scepreq -r recipient.pem -k challenge "
	    "-n count -o prefix\n");
	return 2;
}
