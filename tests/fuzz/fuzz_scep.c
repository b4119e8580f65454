/* fuzz_scep: scep_parse must answer any bytes with NULL or an answerable message, never a crash or leak. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "buf.h"
#include "log.h"
#include "scep.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct scep_keys	 fz_keys;

/* Returns a self-signed certificate for key (caller frees), or NULL. */
static X509 *
fz_cert(EVP_PKEY *key, const char *cn)
{
	X509		*x;
	X509_NAME	*n;

	if ((x = X509_new()) == NULL || (n = X509_NAME_new()) == NULL)
		abort();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, n);
	X509_NAME_free(n);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	if (!X509_sign(x, key, EVP_sha256()))
		abort();
	return x;
}

/* Frees the keys at exit so that the leak checker sees a clean end. */
static void
fz_cleanup(void)
{
	X509_free(fz_keys.ra_cert);
	X509_free(fz_keys.ca_cert);
	EVP_PKEY_free(fz_keys.ra_key);
	EVP_PKEY_free(fz_keys.ca_key);
	scep_cleanup();
}

/* Generates the server's keys once: RSA generation per input would starve the fuzzer. */
static void
fz_init(void)
{
	log_quiet(1);
	if ((fz_keys.ra_key = EVP_RSA_gen(2048)) == NULL ||
	    (fz_keys.ca_key = EVP_RSA_gen(2048)) == NULL)
		abort();
	fz_keys.ra_cert = fz_cert(fz_keys.ra_key, "fuzz RA");
	fz_keys.ca_cert = fz_cert(fz_keys.ca_key, "fuzz CA");
	atexit(fz_cleanup);
}

/* Feeds bare messageData (what a decrypted envelope holds) to the payload decoder. */
static void
fz_payload(const uint8_t *data, size_t size)
{
	static const int	 types[] = { SCEP_MSG_PKCSREQ,
	    SCEP_MSG_RENEWALREQ, SCEP_MSG_CERTPOLL, SCEP_MSG_GETCERT,
	    SCEP_MSG_GETCRL };
	struct scep_msg		*m;

	if (size < 1 || (m = calloc(1, sizeof(*m))) == NULL)
		return;
	m->type = types[data[0] % (sizeof(types) / sizeof(types[0]))];
	m->fail_info = SCEP_FAIL_NONE;
	if (!scep_parse_payload(m, data + 1, size - 1)) {
		if (m->fail_info == SCEP_FAIL_NONE || m->fail_text[0] == '\0')
			__builtin_trap();
	} else if (m->fail_info == SCEP_FAIL_NONE) {
		if ((m->type == SCEP_MSG_PKCSREQ && m->csr == NULL) ||
		    (m->type == SCEP_MSG_GETCERT &&
		    (m->issuer == NULL || m->serial == NULL)) ||
		    (m->type == SCEP_MSG_CERTPOLL &&
		    (m->issuer == NULL || m->subject == NULL)))
			__builtin_trap();
	}
	scep_msg_free(m);
}

/*
 * Input forms: 'P' + type byte + messageData; 'B' + a GET message= value;
 * anything else is a whole pkiMessage (DER starts with 0x30).
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int		 ready;
	struct scep_msg		*m;
	struct buf		 b = { NULL, 0, 0 };
	unsigned char		*der;
	size_t			 len = 0;

	if (!ready) {
		fz_init();
		ready = 1;
	}
	if (size > 0 && data[0] == 'P') {
		fz_payload(data + 1, size - 1);
		return 0;
	}
	if (size > 0 && data[0] == 'B') {
		if (scep_b64_decode_lenient((const char *)data + 1, size - 1, &b) &&
		    b.len > (size - 1) * 3 / 4 + 1)
			__builtin_trap();
		buf_free(&b);
		return 0;
	}
	if ((m = scep_parse(data, size, &fz_keys, 1)) == NULL)
		return 0;
	/* Whatever parses must be answerable with a signed FAILURE. */
	if (m->transaction_id == NULL || !scep_txid_valid(m->transaction_id) ||
	    m->sender_nonce == NULL || m->fail_info < SCEP_FAIL_NONE ||
	    m->fail_info > SCEP_FAIL_BADCERTID ||
	    (m->fail_info != SCEP_FAIL_NONE && m->fail_text[0] == '\0'))
		__builtin_trap();
	der = scep_certrep(m, fz_keys.ra_cert, fz_keys.ra_key,
	    SCEP_STATUS_FAILURE, m->fail_info == SCEP_FAIL_NONE ?
	    SCEP_FAIL_BADREQUEST : m->fail_info, m->fail_text, NULL, NULL, &len);
	if (der == NULL || len == 0)
		__builtin_trap();
	free(der);
	scep_msg_free(m);
	return 0;
}
