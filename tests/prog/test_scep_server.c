/*
 * test_scep_server: the SCEP program pkiclient.exe driven as a plain CGI
 * program against a temporary instance (CA, RA, demo endpoints and
 * accounts made by the certdesk CLI), with pkiMessages built by the
 * library's client side.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "db.h"
#include "log.h"
#include "scep.h"
#include "store.h"
#include "fixture.h"
#include "unit.h"

#define CT_PKI		"application/x-pki-message"
#define P_DEVICE	"/demo/scep/device/pkiclient.exe"
#define P_SMIME		"/demo/scep/smime/pkiclient.exe"
#define P_APPROVAL	"/demo/scep/device-approval/pkiclient.exe"
#define P_LEGACY	"/demo/scep/legacy/pkiclient.exe"
#define P_ROTATE	"/demo/scep/rotate/pkiclient.exe"
#define P_RECHECK	"/demo/scep/recheck/pkiclient.exe"
#define CODE		"demo-scep-2026"
#define NKEYS		5

/* How a pkiMessage travels. */
enum style {
	POST,		/* raw body, odd Content-Type */
	GET,		/* standard base64, percent-encoded */
	GET_NEWLINES,	/* %0A every 64 characters, '+' left raw (a space) */
	GET_URLSAFE	/* URL-safe alphabet, no padding */
};

struct resp {
	int		 exit_ok;	/* the program exited with status 0 */
	int		 status;
	char		 ctype[128];
	unsigned char	*body;
	size_t		 len;
};

static char	 root[PATH_MAX], dir[PATH_MAX], conf[PATH_MAX + 32];
static char	 prog[PATH_MAX + 32], admin_bin[PATH_MAX + 32];
static char	 prod_prog[PATH_MAX + 32];
static char	 cgi_log[PATH_MAX + 32];
static X509	*ca_cert, *ra_cert;
static EVP_PKEY	*keys[NKEYS], *weak_key;
static X509	*signers[NKEYS];
static struct db *db;
static int	 txn_counter;

/* Exits the run: a fixture that cannot be built is a failure, not a skip. */
static void
die(const char *what)
{
	fprintf(stderr, "test_scep_server: %s\n", what);
	ERR_print_errors_fp(stderr);
	exit(2);
}

/* Fills envp with the CGI variables of one request (strings in store). */
static void
cgi_env(char **envp, char store[][PATH_MAX + 64], size_t *n,
    const char *name, const char *value)
{
	snprintf(store[*n], PATH_MAX + 64, "%s=%s", name, value);
	envp[*n] = store[*n];
	(*n)++;
}

/*
 * Runs pkiclient.exe once as CGI; query may be NULL; now (seconds) is
 * handed over as CERTDESK_NOW when not 0.  Fills out (caller frees body).
 */
static void
run_cgi_full(const char *method, const char *path, const char *query,
    const void *body, size_t blen, const char *remote, long long now,
    struct resp *out)
{
	static const char *const pass[] = { "PATH", "ASAN_OPTIONS",
	    "UBSAN_OPTIONS", "LSAN_OPTIONS", NULL };
	static char	 store[24][PATH_MAX + 64];
	char		*envp[25], lenbuf[32], nowbuf[32];
	char		*argv[] = { prog, NULL };
	int		 in[2], outp[2], st, fd;
	size_t		 n = 0, i, cap = 0;
	ssize_t		 r;
	pid_t		 pid;
	unsigned char	*buf = NULL, *hdr_end = NULL, *p;
	char		*line, *save = NULL;

	memset(out, 0, sizeof(*out));
	cgi_env(envp, store, &n, "GATEWAY_INTERFACE", "CGI/1.1");
	cgi_env(envp, store, &n, "SERVER_PROTOCOL", "HTTP/1.0");
	cgi_env(envp, store, &n, "REQUEST_METHOD", method);
	cgi_env(envp, store, &n, "SCRIPT_NAME", "/customer");
	cgi_env(envp, store, &n, "PATH_INFO", path);
	cgi_env(envp, store, &n, "QUERY_STRING", query != NULL ? query : "");
	cgi_env(envp, store, &n, "REMOTE_ADDR", remote != NULL ? remote :
	    "127.0.0.1");
	cgi_env(envp, store, &n, "CERTDESK_CONF", conf);
	if (body != NULL) {
		snprintf(lenbuf, sizeof(lenbuf), "%zu", blen);
		cgi_env(envp, store, &n, "CONTENT_LENGTH", lenbuf);
		/* Clients send anything here; the server must not care. */
		cgi_env(envp, store, &n, "CONTENT_TYPE",
		    "application/x-www-form-urlencoded");
	}
	if (now != 0) {
		snprintf(nowbuf, sizeof(nowbuf), "%lld", now);
		cgi_env(envp, store, &n, "CERTDESK_NOW", nowbuf);
	}
	for (i = 0; pass[i] != NULL; i++)
		if (getenv(pass[i]) != NULL)
			cgi_env(envp, store, &n, pass[i], getenv(pass[i]));
	envp[n] = NULL;

	if (pipe(in) == -1 || pipe(outp) == -1)
		die("pipe");
	if ((pid = fork()) == -1)
		die("fork");
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(outp[1], 1);
		if ((fd = open(cgi_log, O_WRONLY | O_CREAT | O_APPEND,
		    0600)) != -1)
			dup2(fd, 2);
		close(in[0]);
		close(in[1]);
		close(outp[0]);
		close(outp[1]);
		execve(prog, argv, envp);
		_exit(127);
	}
	close(in[0]);
	close(outp[1]);
	if (body != NULL && blen > 0) {
		const unsigned char	*b = body;
		size_t			 left = blen;

		while (left > 0 && (r = write(in[1], b, left)) > 0) {
			b += r;
			left -= (size_t)r;
		}
	}
	close(in[1]);
	for (;;) {
		if (out->len + 8192 > cap) {
			unsigned char	*nb;

			cap = cap ? cap * 2 : 65536;
			if ((nb = realloc(buf, cap + 1)) == NULL)
				die("out of memory");
			buf = nb;
		}
		if ((r = read(outp[0], buf + out->len, cap - out->len)) <= 0)
			break;
		out->len += (size_t)r;
	}
	close(outp[0]);
	waitpid(pid, &st, 0);
	out->exit_ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
	if (buf == NULL)
		return;
	buf[out->len] = '\0';
	for (p = buf; p + 3 < buf + out->len; p++)
		if (memcmp(p, "\r\n\r\n", 4) == 0) {
			hdr_end = p;
			break;
		}
	if (hdr_end == NULL) {
		free(buf);
		out->len = 0;
		return;
	}
	*hdr_end = '\0';
	for (line = strtok_r((char *)buf, "\r\n", &save); line != NULL;
	    line = strtok_r(NULL, "\r\n", &save)) {
		if (strncmp(line, "Status: ", 8) == 0)
			out->status = atoi(line + 8);
		else if (strncmp(line, "Content-Type: ", 14) == 0)
			snprintf(out->ctype, sizeof(out->ctype), "%s",
			    line + 14);
	}
	out->len -= (size_t)(hdr_end + 4 - buf);
	if ((out->body = malloc(out->len + 1)) == NULL)
		die("out of memory");
	memcpy(out->body, hdr_end + 4, out->len);
	out->body[out->len] = '\0';
	free(buf);
}

/* A GET without body from the loopback address. */
static void
run_get(const char *path, const char *query, struct resp *out)
{
	run_cgi_full("GET", path, query, NULL, 0, NULL, 0, out);
}

/* Runs the certdesk CLI on the instance; returns its exit status, output in out. */
static int
admin(char *out, size_t outlen, const char *fmt, ...)
{
	char	 args[2048], cmd[2 * PATH_MAX + 2200];
	FILE	*f;
	size_t	 n = 0;
	va_list	 ap;
	int	 st;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "CERTDESK_CONF='%s' '%s' %s 2>&1", conf,
	    admin_bin, args);
	if ((f = popen(cmd, "r")) == NULL)
		die("popen");
	if (out != NULL && outlen > 0) {
		n = fread(out, 1, outlen - 1, f);
		out[n] = '\0';
	} else {
		char	 sink[512];

		while (fread(sink, 1, sizeof(sink), f) > 0)
			continue;
	}
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Returns a self-signed certificate for key named cn valid from..to days from now. */
static X509 *
self_signed(EVP_PKEY *key, const char *cn, long from, long to)
{
	X509		*x = X509_new();
	X509_NAME	*n = X509_NAME_new();

	if (x == NULL || n == NULL)
		die("X509_new");
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1 + txn_counter++);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, n);
	X509_gmtime_adj(X509_getm_notBefore(x), from * 86400);
	X509_gmtime_adj(X509_getm_notAfter(x), to * 86400);
	X509_set_pubkey(x, key);
	X509_NAME_free(n);
	if (!X509_sign(x, key, EVP_sha256()))
		die("X509_sign");
	return x;
}

/*
 * Returns a CSR for key (caller frees): CN cn, optional subject
 * emailAddress, optional challengePassword, optional SAN email.
 */
static X509_REQ *
make_csr(EVP_PKEY *key, const char *cn, const char *email,
    const char *challenge, const char *san_email)
{
	X509_REQ			*r = X509_REQ_new();
	X509_NAME			*n = X509_NAME_new();
	STACK_OF(X509_EXTENSION)	*exts;
	X509_EXTENSION			*e;
	char				 v[256];

	if (r == NULL || n == NULL)
		die("X509_REQ_new");
	if (cn != NULL)
		X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
		    (const unsigned char *)cn, -1, -1, 0);
	if (email != NULL)
		X509_NAME_add_entry_by_NID(n, NID_pkcs9_emailAddress,
		    MBSTRING_ASC, (const unsigned char *)email, -1, -1, 0);
	X509_REQ_set_subject_name(r, n);
	X509_NAME_free(n);
	X509_REQ_set_pubkey(r, key);
	if (challenge != NULL)
		X509_REQ_add1_attr_by_NID(r, NID_pkcs9_challengePassword,
		    MBSTRING_ASC, (const unsigned char *)challenge, -1);
	if (san_email != NULL) {
		snprintf(v, sizeof(v), "email:%s", san_email);
		if ((exts = sk_X509_EXTENSION_new_null()) == NULL ||
		    (e = X509V3_EXT_conf_nid(NULL, NULL,
		    NID_subject_alt_name, v)) == NULL)
			die("SAN");
		sk_X509_EXTENSION_push(exts, e);
		X509_REQ_add_extensions(r, exts);
		sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	}
	if (!X509_REQ_sign(r, key, EVP_sha256()))
		die("X509_REQ_sign");
	return r;
}

/*
 * Returns a CSR for key (caller frees) whose subject is the NULL-ended
 * list of "field=value" entries (field as OpenSSL names it: CN,
 * emailAddress, serialNumber, UID), with an optional challengePassword
 * and an optional subjectAltName in OpenSSL's config syntax
 * ("DNS:a,email:b").
 */
static X509_REQ *
make_csr_subject(EVP_PKEY *key, const char *const *subject,
    const char *challenge, const char *sans)
{
	X509_REQ			*r = X509_REQ_new();
	X509_NAME			*n = X509_NAME_new();
	STACK_OF(X509_EXTENSION)	*exts;
	X509_EXTENSION			*e;
	char				 field[64];
	const char			*eq;
	size_t				 i;

	if (r == NULL || n == NULL)
		die("X509_REQ_new");
	for (i = 0; subject != NULL && subject[i] != NULL; i++) {
		if ((eq = strchr(subject[i], '=')) == NULL ||
		    (size_t)(eq - subject[i]) >= sizeof(field))
			die("bad subject entry");
		memcpy(field, subject[i], (size_t)(eq - subject[i]));
		field[eq - subject[i]] = '\0';
		if (!X509_NAME_add_entry_by_txt(n, field, MBSTRING_ASC,
		    (const unsigned char *)eq + 1, -1, -1, 0))
			die("X509_NAME_add_entry_by_txt");
	}
	X509_REQ_set_subject_name(r, n);
	X509_NAME_free(n);
	X509_REQ_set_pubkey(r, key);
	if (challenge != NULL)
		X509_REQ_add1_attr_by_NID(r, NID_pkcs9_challengePassword,
		    MBSTRING_ASC, (const unsigned char *)challenge, -1);
	if (sans != NULL) {
		if ((exts = sk_X509_EXTENSION_new_null()) == NULL ||
		    (e = X509V3_EXT_conf_nid(NULL, NULL,
		    NID_subject_alt_name, sans)) == NULL)
			die("SAN");
		sk_X509_EXTENSION_push(exts, e);
		X509_REQ_add_extensions(r, exts);
		sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	}
	if (!X509_REQ_sign(r, key, EVP_sha256()))
		die("X509_REQ_sign");
	return r;
}

/* Returns a request template: PKCSReq of key i, AES-256, SHA-256, to the RA. */
static struct scep_client_req
base_req(int i, X509_REQ *csr)
{
	struct scep_client_req	 r;

	memset(&r, 0, sizeof(r));
	r.msg_type = SCEP_MSG_PKCSREQ;
	r.csr = csr;
	r.signer_cert = signers[i];
	r.signer_key = keys[i];
	r.recipient_cert = ra_cert;
	r.cipher_nid = NID_aes_256_cbc;
	r.digest_nid = NID_sha256;
	return r;
}

/* Writes a fresh transactionID into buf. */
static const char *
new_txid(char *buf, size_t len)
{
	snprintf(buf, len, "T%dP%ldX%d", (int)getpid(), (long)time(NULL),
	    ++txn_counter);
	return buf;
}

/* Returns base64 of der encoded for a query string in the given style (caller frees). */
static char *
encode_get(const unsigned char *der, size_t len, enum style style)
{
	struct buf	 q = { 0 };
	unsigned char	*b64;
	int		 n, i;

	if ((b64 = malloc(4 * ((len + 2) / 3) + 1)) == NULL)
		die("out of memory");
	n = EVP_EncodeBlock(b64, der, (int)len);
	buf_puts(&q, "operation=PKIOperation&message=");
	for (i = 0; i < n; i++) {
		char	 ch = (char)b64[i];

		if (style == GET_NEWLINES && i > 0 && i % 64 == 0)
			buf_puts(&q, "%0A");
		if (style == GET_URLSAFE) {
			if (ch == '=')
				continue;
			ch = ch == '+' ? '-' : ch == '/' ? '_' : ch;
			buf_append(&q, &ch, 1);
		} else if (ch == '+')
			buf_puts(&q, style == GET_NEWLINES ? "+" : "%2B");
		else if (ch == '/')
			buf_puts(&q, "%2F");
		else if (ch == '=')
			buf_puts(&q, "%3D");
		else
			buf_append(&q, &ch, 1);
	}
	free(b64);
	return buf_take(&q);
}

/* Sends a built pkiMessage; fills out. */
static void
send_der(const unsigned char *der, size_t len, const char *path,
    enum style style, const char *remote, long long now, struct resp *out)
{
	char	*q;

	if (style == POST) {
		run_cgi_full("POST", path, "operation=PKIOperation", der, len,
		    remote, now, out);
		return;
	}
	q = encode_get(der, len, style);
	run_cgi_full("GET", path, q, NULL, 0, remote, now, out);
	free(q);
}

/*
 * Sends request cr (a fresh transactionID and nonce unless set) and
 * returns the verified CertRep (caller frees), checking what every reply
 * must carry: exact Content-Type, transactionID, recipientNonce echo and
 * a fresh 16-byte senderNonce.
 */
static struct scep_reply *
pki_full(struct scep_client_req *cr, const char *path, enum style style,
    const char *remote, long long now)
{
	unsigned char		 nonce[16];
	char			 txid[64];
	unsigned char		*der;
	size_t			 len = 0;
	struct resp		 rs;
	struct scep_reply	*rep = NULL;

	if (cr->txid == NULL)
		cr->txid = new_txid(txid, sizeof(txid));
	if (cr->nonce == NULL) {
		RAND_bytes(nonce, sizeof(nonce));
		cr->nonce = nonce;
		cr->nonce_len = sizeof(nonce);
	}
	if ((der = scep_client_request(cr, &len)) == NULL)
		die("scep_client_request");
	send_der(der, len, path, style, remote, now, &rs);
	free(der);
	CU_ASSERT(rs.exit_ok);
	CU_ASSERT_EQUAL(rs.status, 200);
	CU_ASSERT_STRING_EQUAL(rs.ctype, CT_PKI);
	if (rs.status == 200)
		rep = scep_client_parse_reply(rs.body, rs.len, ra_cert,
		    cr->signer_cert, cr->signer_key);
	CU_ASSERT_PTR_NOT_NULL(rep);
	if (rep != NULL) {
		CU_ASSERT_EQUAL(rep->message_type, SCEP_MSG_CERTREP);
		CU_ASSERT_STRING_EQUAL(rep->transaction_id, cr->txid);
		CU_ASSERT(rep->recipient_nonce_len == cr->nonce_len &&
		    memcmp(rep->recipient_nonce, cr->nonce, cr->nonce_len) == 0);
		CU_ASSERT(rep->sender_nonce_len == 16 &&
		    memcmp(rep->sender_nonce, cr->nonce, 16) != 0);
		CU_ASSERT_EQUAL(rep->sig_nid, NID_rsaEncryption);
	}
	free(rs.body);
	if (cr->txid == txid)
		cr->txid = NULL;
	if (cr->nonce == nonce)
		cr->nonce = NULL;
	return rep;
}

/* pki_full from the loopback address with the real clock. */
static struct scep_reply *
pki(struct scep_client_req *cr, const char *path, enum style style)
{
	return pki_full(cr, path, style, NULL, 0);
}

/* Sends a PKCSReq of key i with csr to path and returns the reply. */
static struct scep_reply *
send_csr(int i, X509_REQ *csr, const char *path)
{
	struct scep_client_req	 cr = base_req(i, csr);

	return pki(&cr, path, POST);
}

/* Asserts a FAILURE reply with failInfo fi and returns its text (static copy). */
static int
expect_fail(struct scep_reply *rep, int fi)
{
	int	 ok;

	if (rep == NULL)
		return 0;
	ok = rep->status == SCEP_STATUS_FAILURE && rep->fail_info == fi &&
	    rep->fail_text != NULL && rep->fail_text[0] != '\0';
	if (!ok)
		fprintf(stderr, "\n  expected failInfo %d, got status %d "
		    "failInfo %d (%s)\n", fi, rep->status, rep->fail_info,
		    rep->fail_text != NULL ? rep->fail_text : "");
	scep_reply_free(rep);
	return ok;
}

/* Like expect_fail, and the failInfoText must contain what. */
static int
expect_fail_text(struct scep_reply *rep, int fi, const char *what)
{
	if (rep != NULL && (rep->fail_text == NULL ||
	    strstr(rep->fail_text, what) == NULL)) {
		fprintf(stderr, "\n  expected a failInfoText with \"%s\", "
		    "got \"%s\"\n", what, rep->fail_text != NULL ?
		    rep->fail_text : "");
		scep_reply_free(rep);
		return 0;
	}
	return expect_fail(rep, fi);
}

/* Returns the issued certificate of a SUCCESS reply (up-referenced), checked against key. */
static X509 *
expect_cert(struct scep_reply *rep, EVP_PKEY *key)
{
	X509	*x;

	if (rep == NULL)
		return NULL;
	if (rep->status != SCEP_STATUS_SUCCESS || rep->certs == NULL ||
	    sk_X509_num(rep->certs) < 1) {
		fprintf(stderr, "\n  expected SUCCESS, got status %d "
		    "failInfo %d (%s)\n", rep->status, rep->fail_info,
		    rep->fail_text != NULL ? rep->fail_text : "");
		scep_reply_free(rep);
		return NULL;
	}
	x = sk_X509_value(rep->certs, 0);
	X509_up_ref(x);
	scep_reply_free(rep);
	CU_ASSERT_EQUAL(X509_verify(x, X509_get0_pubkey(ca_cert)), 1);
	CU_ASSERT_EQUAL(EVP_PKEY_eq(X509_get0_pubkey(x), key), 1);
	CU_ASSERT_EQUAL(X509_NAME_cmp(X509_get_issuer_name(x),
	    X509_get_subject_name(ca_cert)), 0);
	return x;
}

/* Returns 1 if x's subject has CN cn. */
static int
has_cn(X509 *x, const char *cn)
{
	char	 buf[256];

	return x != NULL && X509_NAME_get_text_by_NID(X509_get_subject_name(x),
	    NID_commonName, buf, sizeof(buf)) > 0 && strcmp(buf, cn) == 0;
}

/* Enrolls key i with CN cn on path with the access code; returns the certificate or NULL. */
static X509 *
enroll(int i, const char *cn, const char *path)
{
	X509_REQ		*csr = make_csr(keys[i], cn, NULL, CODE, NULL);
	struct scep_client_req	 cr = base_req(i, csr);
	X509			*x;

	x = expect_cert(pki(&cr, path, POST), keys[i]);
	X509_REQ_free(csr);
	return x;
}

/* Returns the stored request behind a certificate (caller frees). */
static struct request *
request_of(X509 *x)
{
	BIGNUM	*bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char	*hex = BN_bn2hex(bn);
	struct request *r = store_request_by_serial(db, hex);

	OPENSSL_free(hex);
	BN_free(bn);
	return r;
}

/* Returns the request of a transaction on an endpoint ext (caller frees). */
static struct request *
request_of_txn(const char *type, const char *ext, const char *txid)
{
	struct customer		*c = store_customer_by_uri(db, "demo");
	enum endpoint_type	 et = ENDPOINT__MAX;
	struct endpoint		*e = c != NULL &&
				    store_endpoint_type_parse(type, &et) ?
				    store_endpoint_find(db, c->id, et, ext) : NULL;
	struct scep_txn	*t = e ? store_scep_txn_get(db, e->id, txid) : NULL;
	struct request	*r = t ? store_request_by_id(db, t->request_id) : NULL;

	store_scep_txn_free(t);
	store_endpoint_free(e);
	store_customer_free(c);
	return r;
}

/* Returns the certificate stored on a request (caller frees) or NULL. */
static X509 *
request_cert_of(const struct request *rq)
{
	const unsigned char	*p = rq->cert_der;

	if (p == NULL || rq->cert_len == 0)
		return NULL;
	return d2i_X509(NULL, &p, (long)rq->cert_len);
}

/* Finds the build directory from this binary's path and the programs in it. */
static void
find_programs(void)
{
	char	 self[PATH_MAX], *s;
	ssize_t	 n;

	if (getcwd(root, sizeof(root)) == NULL)
		die("getcwd");
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) <= 0)
		die("readlink /proc/self/exe");
	self[n] = '\0';
	/* <build>/tests/test_scep_server */
	if ((s = strrchr(self, '/')) != NULL)
		*s = '\0';
	if ((s = strrchr(self, '/')) != NULL)
		*s = '\0';
	/* The test build, which reads CERTDESK_NOW; see the Makefile. */
	snprintf(prog, sizeof(prog), "%s/tests/pkiclient.exe", self);
	snprintf(prod_prog, sizeof(prod_prog), "%s/cgi/pkiclient.exe", self);
	if (access(prog, X_OK) != 0) {
		fprintf(stderr, "test_scep_server: %s missing, using "
		    "build/tests/pkiclient.exe\n", prog);
		snprintf(prog, sizeof(prog), "%s/build/tests/pkiclient.exe",
		    root);
		snprintf(prod_prog, sizeof(prod_prog),
		    "%s/build/cgi/pkiclient.exe", root);
	}
	snprintf(admin_bin, sizeof(admin_bin), "%s/certdesk", self);
	if (access(admin_bin, X_OK) != 0)
		snprintf(admin_bin, sizeof(admin_bin), "%s/build/certdesk",
		    root);
	if (access(prog, X_OK) != 0 || access(prod_prog, X_OK) != 0 ||
	    access(admin_bin, X_OK) != 0)
		die("build pkiclient.exe and certdesk first (make "
		    "build/tests/test_scep_server)");
}

/* Reads the RA and CA certificates the way a client does: GetCACert. */
static void
fetch_ca(void)
{
	struct resp		 rs;
	const unsigned char	*p;
	PKCS7			*p7;
	STACK_OF(X509)		*certs;

	run_get(P_DEVICE, "operation=GetCACert&message=0", &rs);
	if (rs.status != 200 || strcmp(rs.ctype,
	    "application/x-x509-ca-ra-cert") != 0)
		die("GetCACert failed");
	p = rs.body;
	if ((p7 = d2i_PKCS7(NULL, &p, (long)rs.len)) == NULL ||
	    !PKCS7_type_is_signed(p7) ||
	    (certs = p7->d.sign->cert) == NULL || sk_X509_num(certs) < 2)
		die("GetCACert: not a certs-only PKCS#7 with RA and CA");
	ra_cert = sk_X509_value(certs, 0);
	ca_cert = sk_X509_value(certs, 1);
	X509_up_ref(ra_cert);
	X509_up_ref(ca_cert);
	PKCS7_free(p7);
	free(rs.body);
}

static int
suite_init(void)
{
	char	 dbpath[PATH_MAX + 32], name[64];
	int	 i;

	log_init("test_scep_server");
	log_quiet(1);
	signal(SIGPIPE, SIG_IGN);
	find_programs();
	if (!fixture_instance("scep", 8080))
		die("instance setup failed (see setup.log in the temp dir)");
	snprintf(dir, sizeof(dir), "%s", fixture.dir);
	snprintf(conf, sizeof(conf), "%s/certdesk.hdf", dir);
	snprintf(cgi_log, sizeof(cgi_log), "%s/cgi.log", dir);
	if (admin(NULL, 0, "endpoint add --type scep-device --ext legacy "
	    "--legacy-des --name Legacy") != 0 ||
	    admin(NULL, 0, "account add legacy --endpoint scep-device/legacy "
	    "--org 'Demo Org' --code " CODE " --profile Device --term 365") != 0 ||
	    admin(NULL, 0, "endpoint add --type scep-device --ext rotate "
	    "--name Rotate") != 0 ||
	    admin(NULL, 0, "account add rotate --endpoint scep-device/rotate "
	    "--org 'Demo Org' --code " CODE " --profile Device --term 365 "
	    "--revoke-on-renewal") != 0)
		die("extra endpoints could not be set up");
	snprintf(dbpath, sizeof(dbpath), "%s/state/certdesk.db", dir);
	if ((db = db_open(dbpath)) == NULL)
		die("db_open");
	fetch_ca();
	for (i = 0; i < NKEYS; i++) {
		if ((keys[i] = EVP_RSA_gen(2048)) == NULL)
			die("EVP_RSA_gen");
		snprintf(name, sizeof(name), "throwaway %d", i);
		signers[i] = self_signed(keys[i], name, -1, 1);
	}
	if ((weak_key = EVP_RSA_gen(1024)) == NULL)
		die("EVP_RSA_gen 1024");
	return 0;
}

static int
suite_clean(void)
{
	int	 i;

	for (i = 0; i < NKEYS; i++) {
		EVP_PKEY_free(keys[i]);
		X509_free(signers[i]);
	}
	EVP_PKEY_free(weak_key);
	X509_free(ca_cert);
	X509_free(ra_cert);
	db_close(db);
	scep_cleanup();
	if (getenv("KEEP_SCEP_TEST_DIR") == NULL)
		fixture_done();
	return 0;
}

static void
test_caps_cacert_and_urls(void)
{
	struct resp		 rs;
	const unsigned char	*p;
	PKCS7			*p7;
	ASN1_BIT_STRING		*ku;

	run_get(P_DEVICE, "operation=GetCACaps&message=0,1,2", &rs);
	CU_ASSERT(rs.exit_ok);
	CU_ASSERT_EQUAL(rs.status, 200);
	CU_ASSERT_STRING_EQUAL(rs.ctype, "text/plain");
	CU_ASSERT_PTR_NOT_NULL(rs.body != NULL ?
	    strstr((char *)rs.body, "POSTPKIOperation\n") : NULL);
	CU_ASSERT(rs.body != NULL && strstr((char *)rs.body, "AES\n") &&
	    strstr((char *)rs.body, "DES3\n") &&
	    strstr((char *)rs.body, "SHA-384\n") &&
	    strstr((char *)rs.body, "Renewal\n") &&
	    strstr((char *)rs.body, "SCEPStandard") &&
	    strstr((char *)rs.body, "GetNextCACert") == NULL);
	free(rs.body);

	/* POST works for every operation; the extra path is Windows'. */
	run_cgi_full("POST", P_DEVICE "/pkiclient.exe", "operation=GetCACaps",
	    "", 0, NULL, 0, &rs);
	CU_ASSERT_EQUAL(rs.status, 200);
	CU_ASSERT_STRING_EQUAL(rs.ctype, "text/plain");
	free(rs.body);

	run_get(P_SMIME, "operation=GetCACert", &rs);
	CU_ASSERT_EQUAL(rs.status, 200);
	CU_ASSERT_STRING_EQUAL(rs.ctype, "application/x-x509-ca-ra-cert");
	p = rs.body;
	p7 = d2i_PKCS7(NULL, &p, (long)rs.len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p7);
	CU_ASSERT_EQUAL(sk_X509_num(p7->d.sign->cert), 2);
	CU_ASSERT_EQUAL(X509_cmp(sk_X509_value(p7->d.sign->cert, 0), ra_cert), 0);
	CU_ASSERT_EQUAL(X509_cmp(sk_X509_value(p7->d.sign->cert, 1), ca_cert), 0);
	PKCS7_free(p7);
	free(rs.body);
	/* The RA can sign and decrypt; it is issued by the CA. */
	ku = X509_get_ext_d2i(ra_cert, NID_key_usage, NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ku);
	CU_ASSERT(ASN1_BIT_STRING_get_bit(ku, 0) &&
	    ASN1_BIT_STRING_get_bit(ku, 2));
	ASN1_BIT_STRING_free(ku);
	CU_ASSERT_EQUAL(X509_verify(ra_cert, X509_get0_pubkey(ca_cert)), 1);

	/* certmonger asks for GetCAChain: 400 text, the next request works. */
	run_get(P_DEVICE, "operation=GetCAChain", &rs);
	CU_ASSERT(rs.exit_ok);
	CU_ASSERT_EQUAL(rs.status, 400);
	CU_ASSERT_STRING_EQUAL(rs.ctype, "text/plain");
	free(rs.body);
	run_get(P_DEVICE, "operation=GetNextCACert", &rs);
	CU_ASSERT(rs.status >= 400);
	free(rs.body);

	run_get("/nosuch/scep/device/pkiclient.exe", "operation=GetCACaps", &rs);
	CU_ASSERT_EQUAL(rs.status, 404);
	free(rs.body);
	run_get("/demo/scep/nosuch/pkiclient.exe", "operation=GetCACaps", &rs);
	CU_ASSERT_EQUAL(rs.status, 404);
	CU_ASSERT_STRING_EQUAL(rs.ctype, "text/plain");
	free(rs.body);

	/* Garbage and a missing message: HTTP 400, nothing else. */
	run_cgi_full("POST", P_DEVICE, "operation=PKIOperation", "garbage", 7,
	    NULL, 0, &rs);
	CU_ASSERT(rs.exit_ok);
	CU_ASSERT_EQUAL(rs.status, 400);
	CU_ASSERT_STRING_EQUAL(rs.ctype, "text/plain");
	free(rs.body);
	run_get(P_DEVICE, "operation=PKIOperation", &rs);
	CU_ASSERT_EQUAL(rs.status, 400);
	free(rs.body);
}

static void
test_algorithm_matrix(void)
{
	static const int	 ciphers[] = { NID_des_ede3_cbc,
	    NID_aes_128_cbc, NID_aes_192_cbc, NID_aes_256_cbc };
	static const int	 digests[] = { NID_sha1, NID_sha256, NID_sha512 };
	struct scep_client_req	 cr;
	struct scep_reply	*rep;
	X509_REQ		*csr;
	X509			*x;
	size_t			 c, d;
	int			 get, oaep, k = 0;
	char			 cn[64];

	for (c = 0; c < sizeof(ciphers) / sizeof(ciphers[0]); c++)
		for (d = 0; d < sizeof(digests) / sizeof(digests[0]); d++)
			for (get = 0; get < 2; get++)
				for (oaep = 0; oaep < 2; oaep++, k++) {
		snprintf(cn, sizeof(cn), "m%d.example.com", k);
		csr = make_csr(keys[k % NKEYS], cn, NULL, CODE, NULL);
		cr = base_req(k % NKEYS, csr);
		cr.cipher_nid = ciphers[c];
		cr.digest_nid = digests[d];
		cr.oaep = oaep;
		rep = pki(&cr, P_DEVICE, get ? GET : POST);
		if (rep != NULL) {
			CU_ASSERT_EQUAL(rep->cipher_nid, ciphers[c]);
			CU_ASSERT_EQUAL(rep->digest_nid, digests[d]);
		}
		x = expect_cert(rep, keys[k % NKEYS]);
		CU_ASSERT_PTR_NOT_NULL(x);
		CU_ASSERT(has_cn(x, cn));
		X509_free(x);
		X509_REQ_free(csr);
	}
}

static void
test_get_encodings(void)
{
	static const enum style	 styles[] = { GET_NEWLINES, GET_URLSAFE };
	struct scep_client_req	 cr;
	X509_REQ		*csr;
	X509			*x;
	size_t			 i;
	char			 cn[64];

	for (i = 0; i < sizeof(styles) / sizeof(styles[0]); i++) {
		snprintf(cn, sizeof(cn), "get%zu.example.com", i);
		csr = make_csr(keys[1], cn, NULL, CODE, NULL);
		cr = base_req(1, csr);
		x = expect_cert(pki(&cr, P_DEVICE, styles[i]), keys[1]);
		CU_ASSERT(has_cn(x, cn));
		X509_free(x);
		X509_REQ_free(csr);
	}
}

/* Re-encodes a request after fn changed it; returns the DER (caller frees). */
static unsigned char *
tampered(struct scep_client_req *cr, void (*fn)(CMS_ContentInfo *),
    size_t *outlen)
{
	CMS_ContentInfo		*cms;
	unsigned char		*der, *out = NULL, *copy;
	const unsigned char	*p;
	size_t			 len = 0;
	int			 n;

	if ((der = scep_client_request(cr, &len)) == NULL)
		die("scep_client_request");
	p = der;
	if ((cms = d2i_CMS_ContentInfo(NULL, &p, (long)len)) == NULL)
		die("d2i_CMS_ContentInfo");
	fn(cms);
	if ((n = i2d_CMS_ContentInfo(cms, &out)) <= 0 ||
	    (copy = malloc((size_t)n)) == NULL)
		die("i2d_CMS_ContentInfo");
	memcpy(copy, out, (size_t)n);
	*outlen = (size_t)n;
	OPENSSL_free(out);
	CMS_ContentInfo_free(cms);
	free(der);
	return copy;
}

/* Changes the last byte of the signed content: messageDigest no longer matches. */
static void
flip_content(CMS_ContentInfo *cms)
{
	ASN1_OCTET_STRING	**pos = CMS_get0_content(cms);
	unsigned char		*d = (unsigned char *)ASN1_STRING_get0_data(*pos);

	d[ASN1_STRING_length(*pos) - 1] ^= 0x01;
}

/* Changes one byte of the signature. */
static void
flip_signature(CMS_ContentInfo *cms)
{
	CMS_SignerInfo		*si = sk_CMS_SignerInfo_value(
	    CMS_get0_SignerInfos(cms), 0);
	ASN1_OCTET_STRING	*sig = CMS_SignerInfo_get0_signature(si);
	unsigned char		*d = (unsigned char *)ASN1_STRING_get0_data(sig);

	d[ASN1_STRING_length(sig) / 2] ^= 0x40;
}

/* Sends a tampered request and parses the reply; the caller checks it. */
static struct scep_reply *
send_tampered(void (*fn)(CMS_ContentInfo *))
{
	X509_REQ		*csr = make_csr(keys[0], "t.example.com", NULL,
	    CODE, NULL);
	struct scep_client_req	 cr = base_req(0, csr);
	struct scep_reply	*rep = NULL;
	struct resp		 rs;
	unsigned char		*der;
	size_t			 len = 0;
	char			 txid[64];

	cr.txid = new_txid(txid, sizeof(txid));
	der = tampered(&cr, fn, &len);
	send_der(der, len, P_DEVICE, POST, NULL, 0, &rs);
	CU_ASSERT(rs.exit_ok);
	CU_ASSERT_EQUAL(rs.status, 200);
	CU_ASSERT_STRING_EQUAL(rs.ctype, CT_PKI);
	if (rs.status == 200)
		rep = scep_client_parse_reply(rs.body, rs.len, ra_cert,
		    cr.signer_cert, cr.signer_key);
	CU_ASSERT_PTR_NOT_NULL(rep);
	if (rep != NULL)
		CU_ASSERT_STRING_EQUAL(rep->transaction_id, txid);
	free(rs.body);
	free(der);
	X509_REQ_free(csr);
	return rep;
}

static void
test_failinfo_mapping(void)
{
	struct scep_client_req	 cr;
	X509_REQ		*csr;
	X509			*x, *weak_signer;
	long long		 before = store_request_count(db);

	/* Wrong challenge. */
	csr = make_csr(keys[0], "a.example.com", NULL, "not-the-code", NULL);
	cr = base_req(0, csr);
	CU_ASSERT(expect_fail(pki(&cr, P_DEVICE, POST), SCEP_FAIL_BADREQUEST));
	X509_REQ_free(csr);
	/* No challenge at all. */
	csr = make_csr(keys[0], "a.example.com", NULL, NULL, NULL);
	cr = base_req(0, csr);
	CU_ASSERT(expect_fail(pki(&cr, P_DEVICE, GET), SCEP_FAIL_BADREQUEST));
	X509_REQ_free(csr);

	CU_ASSERT(expect_fail(send_tampered(flip_signature),
	    SCEP_FAIL_BADMESSAGECHECK));
	CU_ASSERT(expect_fail(send_tampered(flip_content),
	    SCEP_FAIL_BADMESSAGECHECK));

	/* Encrypted to someone else (the client itself). */
	csr = make_csr(keys[0], "a.example.com", NULL, CODE, NULL);
	cr = base_req(0, csr);
	cr.recipient_cert = signers[1];
	CU_ASSERT(expect_fail(pki(&cr, P_DEVICE, POST),
	    SCEP_FAIL_BADMESSAGECHECK));

	/* Single DES: refused by default, accepted with legacy-des. */
	cr = base_req(0, csr);
	cr.cipher_nid = NID_des_cbc;
	cr.digest_nid = NID_sha1;
	CU_ASSERT(expect_fail(pki(&cr, P_DEVICE, POST), SCEP_FAIL_BADALG));
	x = expect_cert(pki(&cr, P_LEGACY, POST), keys[0]);
	CU_ASSERT_PTR_NOT_NULL(x);
	X509_free(x);

	/* MD5 is never accepted. */
	cr = base_req(0, csr);
	cr.digest_nid = NID_md5;
	CU_ASSERT(expect_fail(pki(&cr, P_LEGACY, POST), SCEP_FAIL_BADALG));

	/* Unknown messageType. */
	cr = base_req(0, csr);
	cr.msg_type = 99;
	CU_ASSERT(expect_fail(pki(&cr, P_DEVICE, POST), SCEP_FAIL_BADREQUEST));
	X509_REQ_free(csr);

	/* RSA 1024. */
	weak_signer = self_signed(weak_key, "weak", -1, 1);
	csr = make_csr(weak_key, "weak.example.com", NULL, CODE, NULL);
	cr = base_req(0, csr);
	cr.signer_cert = weak_signer;
	cr.signer_key = weak_key;
	CU_ASSERT(expect_fail(pki(&cr, P_DEVICE, POST), SCEP_FAIL_BADREQUEST));
	X509_REQ_free(csr);
	X509_free(weak_signer);

	/* A name outside the delegated domains. */
	csr = make_csr(keys[0], "host.foreign.org", NULL, CODE, NULL);
	cr = base_req(0, csr);
	CU_ASSERT(expect_fail(pki(&cr, P_DEVICE, POST), SCEP_FAIL_BADREQUEST));
	X509_REQ_free(csr);

	/* A client certificate needs an emailAddress. */
	csr = make_csr(keys[0], "Alice Example", NULL, CODE, NULL);
	cr = base_req(0, csr);
	CU_ASSERT(expect_fail(pki(&cr, P_SMIME, POST), SCEP_FAIL_BADREQUEST));
	X509_REQ_free(csr);
	/* ... and one in a foreign domain with a foreign CN is refused too. */
	csr = make_csr(keys[0], "Alice Example", "alice@foreign.org", CODE,
	    NULL);
	cr = base_req(0, csr);
	CU_ASSERT(expect_fail(pki(&cr, P_SMIME, POST), SCEP_FAIL_BADREQUEST));
	X509_REQ_free(csr);

	/* signingTime three days off the server's clock. */
	csr = make_csr(keys[0], "late.example.com", NULL, CODE, NULL);
	cr = base_req(0, csr);
	CU_ASSERT(expect_fail(pki_full(&cr, P_DEVICE, POST, NULL,
	    (long long)time(NULL) + 3 * 86400), SCEP_FAIL_BADTIME));
	X509_REQ_free(csr);

	/* None of these left a request behind. */
	CU_ASSERT_EQUAL(store_request_count(db), before + 1);	/* the DES one */
}

static void
test_smime(void)
{
	struct scep_client_req	 cr;
	X509_REQ		*csr;
	X509			*x;
	GENERAL_NAMES		*gens;
	GENERAL_NAME		*g;
	ASN1_STRING		*s;

	/* emailAddress in the subject. */
	csr = make_csr(keys[2], "Alice Example", "alice@example.com", CODE,
	    NULL);
	cr = base_req(2, csr);
	x = expect_cert(pki(&cr, P_SMIME, POST), keys[2]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT(has_cn(x, "Alice Example"));
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(gens);
	CU_ASSERT_EQUAL(sk_GENERAL_NAME_num(gens), 1);
	g = sk_GENERAL_NAME_value(gens, 0);
	s = GENERAL_NAME_get0_value(g, NULL);
	CU_ASSERT(g->type == GEN_EMAIL && strcmp((const char *)
	    ASN1_STRING_get0_data(s), "alice@example.com") == 0);
	GENERAL_NAMES_free(gens);
	X509_free(x);
	X509_REQ_free(csr);

	/* Or as a SAN rfc822Name. */
	csr = make_csr(keys[2], "Bob Example", NULL, CODE, "bob@example.com");
	cr = base_req(2, csr);
	x = expect_cert(pki(&cr, P_SMIME, GET), keys[2]);
	CU_ASSERT_PTR_NOT_NULL(x);
	X509_free(x);
	X509_REQ_free(csr);
}

static void
test_idempotent_retry(void)
{
	struct scep_client_req	 cr;
	X509_REQ		*csr, *csr2;
	X509			*x1, *x2;
	char			 txid[64];
	long long		 n;

	csr = make_csr(keys[3], "retry.example.com", NULL, CODE, NULL);
	cr = base_req(3, csr);
	cr.txid = new_txid(txid, sizeof(txid));
	x1 = expect_cert(pki(&cr, P_DEVICE, POST), keys[3]);
	n = store_request_count(db);
	x2 = expect_cert(pki(&cr, P_DEVICE, GET), keys[3]);
	CU_ASSERT_PTR_NOT_NULL(x1);
	CU_ASSERT(x1 != NULL && x2 != NULL && X509_cmp(x1, x2) == 0);
	CU_ASSERT_EQUAL(store_request_count(db), n);

	/* The same transactionID with another key. */
	csr2 = make_csr(keys[2], "retry.example.com", NULL, CODE, NULL);
	cr = base_req(2, csr2);
	cr.txid = txid;
	CU_ASSERT(expect_fail(pki(&cr, P_DEVICE, POST), SCEP_FAIL_BADREQUEST));
	CU_ASSERT_EQUAL(store_request_count(db), n);
	X509_free(x1);
	X509_free(x2);
	X509_REQ_free(csr);
	X509_REQ_free(csr2);
}

static void
test_lenient_signers(void)
{
	struct scep_client_req	 cr;
	X509_REQ		*csr;
	X509			*expired, *x;

	/* Expired throwaway signer whose subject differs from the CSR's. */
	expired = self_signed(keys[1], "expired throwaway", -30, -1);
	csr = make_csr(keys[1], "lenient.example.com", NULL, CODE, NULL);
	cr = base_req(1, csr);
	cr.signer_cert = expired;
	x = expect_cert(pki(&cr, P_DEVICE, POST), keys[1]);
	CU_ASSERT(has_cn(x, "lenient.example.com"));
	X509_free(x);
	X509_REQ_free(csr);
	X509_free(expired);
}

static void
test_queries(void)
{
	struct scep_client_req	 cr;
	struct scep_reply	*rep;
	X509			*x;
	X509_NAME		*other;
	ASN1_INTEGER		*sn;

	x = enroll(0, "query.example.com", P_DEVICE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);

	/* GetCert by issuer and serial. */
	cr = base_req(0, NULL);
	cr.msg_type = SCEP_MSG_GETCERT;
	cr.issuer = X509_get_issuer_name(x);
	cr.serial = (ASN1_INTEGER *)X509_get0_serialNumber(x);
	rep = pki(&cr, P_DEVICE, POST);
	CU_ASSERT(rep != NULL && rep->status == SCEP_STATUS_SUCCESS &&
	    rep->certs != NULL && X509_cmp(sk_X509_value(rep->certs, 0), x) == 0);
	scep_reply_free(rep);

	sn = ASN1_INTEGER_new();
	ASN1_INTEGER_set(sn, 12345);
	cr.serial = sn;
	CU_ASSERT(expect_fail(pki(&cr, P_DEVICE, GET), SCEP_FAIL_BADCERTID));

	/* GetCRL for our issuer; a foreign issuer is unknown. */
	cr.msg_type = SCEP_MSG_GETCRL;
	rep = pki(&cr, P_DEVICE, POST);
	CU_ASSERT(rep != NULL && rep->status == SCEP_STATUS_SUCCESS &&
	    rep->crl != NULL &&
	    X509_CRL_verify(rep->crl, X509_get0_pubkey(ca_cert)) == 1);
	scep_reply_free(rep);
	other = X509_NAME_new();
	X509_NAME_add_entry_by_txt(other, "CN", MBSTRING_ASC,
	    (const unsigned char *)"Someone Else CA", -1, -1, 0);
	cr.issuer = other;
	CU_ASSERT(expect_fail(pki(&cr, P_DEVICE, POST), SCEP_FAIL_BADCERTID));

	/* CertPoll for a transaction nobody started. */
	cr.msg_type = SCEP_MSG_CERTPOLL;
	cr.issuer = X509_get_subject_name(ca_cert);
	cr.subject = other;
	cr.txid = "never-seen-transaction";
	CU_ASSERT(expect_fail(pki(&cr, P_DEVICE, POST), SCEP_FAIL_BADCERTID));

	X509_NAME_free(other);
	ASN1_INTEGER_free(sn);
	X509_free(x);
}

/* Polls transaction txid on the approval endpoint with key i; returns the reply. */
static struct scep_reply *
poll_txn(int i, const char *txid, const char *cn)
{
	struct scep_client_req	 cr = base_req(i, NULL);
	X509_NAME		*subj = X509_NAME_new();
	struct scep_reply	*rep;

	X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	cr.msg_type = SCEP_MSG_CERTPOLL;
	cr.issuer = X509_get_subject_name(ca_cert);
	cr.subject = subj;
	cr.txid = txid;
	rep = pki(&cr, P_APPROVAL, POST);
	X509_NAME_free(subj);
	return rep;
}

static void
test_manual_approval(void)
{
	struct scep_client_req	 cr;
	struct scep_reply	*rep;
	struct request		*rq;
	X509_REQ		*csr;
	X509			*x, *x2;
	char			 txid[64], txid2[64], out[512];

	csr = make_csr(keys[1], "approve.example.com", NULL, CODE, NULL);
	cr = base_req(1, csr);
	cr.txid = new_txid(txid, sizeof(txid));
	rep = pki(&cr, P_APPROVAL, POST);
	CU_ASSERT(rep != NULL && rep->status == SCEP_STATUS_PENDING);
	scep_reply_free(rep);
	rep = poll_txn(1, txid, "approve.example.com");
	CU_ASSERT(rep != NULL && rep->status == SCEP_STATUS_PENDING);
	scep_reply_free(rep);

	rq = request_of_txn("scep-device", "device-approval", txid);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rq);
	CU_ASSERT_EQUAL(rq->status, REQ_REQUESTED);
	CU_ASSERT_STRING_EQUAL(rq->via, "scep");
	CU_ASSERT_EQUAL(admin(out, sizeof(out), "request approve %s",
	    rq->cert_id), 0);
	store_request_free(rq);

	x = expect_cert(poll_txn(1, txid, "approve.example.com"), keys[1]);
	CU_ASSERT(has_cn(x, "approve.example.com"));
	/* A PKCSReq retry now gets the same certificate. */
	x2 = expect_cert(pki(&cr, P_APPROVAL, GET), keys[1]);
	CU_ASSERT(x != NULL && x2 != NULL && X509_cmp(x, x2) == 0);
	X509_free(x);
	X509_free(x2);
	X509_REQ_free(csr);

	/* Declined: the poll fails with badRequest. */
	csr = make_csr(keys[2], "decline.example.com", NULL, CODE, NULL);
	cr = base_req(2, csr);
	cr.txid = new_txid(txid2, sizeof(txid2));
	rep = pki(&cr, P_APPROVAL, POST);
	CU_ASSERT(rep != NULL && rep->status == SCEP_STATUS_PENDING);
	scep_reply_free(rep);
	rq = request_of_txn("scep-device", "device-approval", txid2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rq);
	CU_ASSERT_EQUAL(admin(out, sizeof(out), "request decline %s "
	    "--reason 'unknown device'", rq->cert_id), 0);
	store_request_free(rq);
	CU_ASSERT(expect_fail(poll_txn(2, txid2, "decline.example.com"),
	    SCEP_FAIL_BADREQUEST));
	X509_REQ_free(csr);
}

static void
test_renewal(void)
{
	struct scep_client_req	 cr;
	struct request		*rq;
	X509_REQ		*csr;
	X509			*old, *renewed, *stranger;

	old = enroll(0, "renew.example.com", P_DEVICE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(old);

	/* Signed with the old certificate, no challenge, another CN asked. */
	csr = make_csr(keys[1], "other.example.com", NULL, NULL, NULL);
	cr = base_req(1, csr);
	cr.msg_type = SCEP_MSG_RENEWALREQ;
	cr.signer_cert = old;
	cr.signer_key = keys[0];
	renewed = expect_cert(pki(&cr, P_DEVICE, POST), keys[1]);
	CU_ASSERT_PTR_NOT_NULL(renewed);
	CU_ASSERT(renewed != NULL && X509_NAME_cmp(X509_get_subject_name(renewed),
	    X509_get_subject_name(old)) == 0);
	CU_ASSERT(renewed != NULL && X509_cmp(renewed, old) != 0);
	X509_free(renewed);
	rq = request_of(old);
	CU_ASSERT(rq != NULL && rq->status == REQ_ISSUED);
	store_request_free(rq);
	X509_REQ_free(csr);

	/* macOS renews with PKCSReq; the old certificate stays valid. */
	X509_free(old);
	old = enroll(0, "renew-macos.example.com", P_DEVICE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(old);
	csr = make_csr(keys[1], "renew-macos.example.com", NULL, NULL, NULL);
	cr = base_req(1, csr);
	cr.signer_cert = old;
	cr.signer_key = keys[0];
	renewed = expect_cert(pki(&cr, P_DEVICE, GET), keys[1]);
	CU_ASSERT(has_cn(renewed, "renew-macos.example.com"));
	X509_free(renewed);
	rq = request_of(old);
	CU_ASSERT(rq != NULL && rq->status == REQ_ISSUED);
	store_request_free(rq);
	X509_REQ_free(csr);

	/* RenewalReq signed by a certificate we never issued. */
	stranger = self_signed(keys[1], "renew.example.com", -1, 1);
	csr = make_csr(keys[1], "renew.example.com", NULL, NULL, NULL);
	cr = base_req(1, csr);
	cr.msg_type = SCEP_MSG_RENEWALREQ;
	cr.signer_cert = stranger;
	CU_ASSERT(expect_fail(pki(&cr, P_DEVICE, POST), SCEP_FAIL_BADREQUEST));
	X509_free(stranger);

	/* A forgery naming our CA as issuer with a real serial is not ours. */
	stranger = self_signed(keys[1], "renew.example.com", -1, 1);
	X509_set_issuer_name(stranger, X509_get_issuer_name(old));
	X509_set_serialNumber(stranger,
	    (ASN1_INTEGER *)X509_get0_serialNumber(old));
	X509_sign(stranger, keys[1], EVP_sha256());
	cr.signer_cert = stranger;
	CU_ASSERT(expect_fail(pki(&cr, P_DEVICE, POST), SCEP_FAIL_BADREQUEST));
	X509_free(stranger);
	X509_free(old);

	/* An account that revokes on renewal. */
	old = enroll(2, "rotate.example.com", P_ROTATE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(old);
	cr = base_req(1, csr);
	cr.msg_type = SCEP_MSG_RENEWALREQ;
	cr.signer_cert = old;
	cr.signer_key = keys[2];
	renewed = expect_cert(pki(&cr, P_ROTATE, POST), keys[1]);
	CU_ASSERT(has_cn(renewed, "rotate.example.com"));
	X509_free(renewed);
	rq = request_of(old);
	CU_ASSERT(rq != NULL && rq->status == REQ_REVOKED &&
	    rq->revoke_reason == 4);
	store_request_free(rq);
	/* A revoked certificate cannot renew again. */
	CU_ASSERT(expect_fail(pki(&cr, P_ROTATE, POST), SCEP_FAIL_BADREQUEST));
	X509_free(old);
	X509_REQ_free(csr);
}

/*
 * micromdm's scepclient renews with the key and transactionID of its first
 * enrollment, signed by the certificate it got then: a new certificate,
 * not the stored answer; a retry of that renewal gets the same new one.
 */
static void
test_renewal_same_txid(void)
{
	struct scep_client_req	 cr;
	struct request		*rq;
	X509_REQ		*csr;
	X509			*first, *renewed, *again, *retry;
	char			 txid[64];
	long long		 n;

	csr = make_csr(keys[4], "samekey.example.com", NULL, CODE, NULL);
	cr = base_req(4, csr);
	cr.txid = new_txid(txid, sizeof(txid));
	first = expect_cert(pki(&cr, P_DEVICE, POST), keys[4]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(first);

	/* A plain retry, still signed by the throwaway: the stored answer. */
	n = store_request_count(db);
	retry = expect_cert(pki(&cr, P_DEVICE, POST), keys[4]);
	CU_ASSERT(retry != NULL && X509_cmp(retry, first) == 0);
	CU_ASSERT_EQUAL(store_request_count(db), n);
	X509_free(retry);

	/* The renewal: same key, same transactionID, signed by the first. */
	cr.msg_type = SCEP_MSG_RENEWALREQ;
	cr.signer_cert = first;
	renewed = expect_cert(pki(&cr, P_DEVICE, POST), keys[4]);
	CU_ASSERT_PTR_NOT_NULL(renewed);
	CU_ASSERT(renewed != NULL && X509_cmp(renewed, first) != 0);
	CU_ASSERT(renewed != NULL && ASN1_INTEGER_cmp(
	    X509_get0_serialNumber(renewed),
	    X509_get0_serialNumber(first)) != 0);
	CU_ASSERT(renewed != NULL && X509_NAME_cmp(
	    X509_get_subject_name(renewed), X509_get_subject_name(first)) == 0);
	CU_ASSERT_EQUAL(store_request_count(db), n + 1);
	/* The transaction now points at the renewal, which names the first. */
	rq = request_of_txn("scep-device", "device", txid);
	CU_ASSERT(rq != NULL && renewed != NULL && rq->cert_der != NULL &&
	    rq->renewal_of != 0);
	if (rq != NULL && renewed != NULL) {
		X509	*stored = request_cert_of(rq);

		CU_ASSERT(stored != NULL && X509_cmp(stored, renewed) == 0);
		X509_free(stored);
	}
	store_request_free(rq);
	/* The first certificate stays valid. */
	rq = request_of(first);
	CU_ASSERT(rq != NULL && rq->status == REQ_ISSUED);
	store_request_free(rq);

	/* A retry of the renewal, signed by the first again: no third one. */
	again = expect_cert(pki(&cr, P_DEVICE, GET), keys[4]);
	CU_ASSERT(again != NULL && renewed != NULL &&
	    X509_cmp(again, renewed) == 0);
	CU_ASSERT_EQUAL(store_request_count(db), n + 1);
	X509_free(again);

	/* A retry signed by the throwaway also gets the renewed one. */
	cr.msg_type = SCEP_MSG_PKCSREQ;
	cr.signer_cert = signers[4];
	again = expect_cert(pki(&cr, P_DEVICE, POST), keys[4]);
	CU_ASSERT(again != NULL && renewed != NULL &&
	    X509_cmp(again, renewed) == 0);
	CU_ASSERT_EQUAL(store_request_count(db), n + 1);
	X509_free(again);

	/* The next renewal under the same ID, signed by the renewed one. */
	cr.msg_type = SCEP_MSG_PKCSREQ;	/* macOS style */
	cr.signer_cert = renewed;
	again = expect_cert(pki(&cr, P_DEVICE, POST), keys[4]);
	CU_ASSERT(again != NULL && renewed != NULL &&
	    X509_cmp(again, renewed) != 0 && X509_cmp(again, first) != 0);
	CU_ASSERT(has_cn(again, "samekey.example.com"));
	CU_ASSERT_EQUAL(store_request_count(db), n + 2);
	X509_free(again);
	X509_free(renewed);
	X509_free(first);
	X509_REQ_free(csr);
}

static void
test_one_time_challenge(void)
{
	struct scep_client_req	 cr;
	X509_REQ		*csr;
	X509			*x;
	char			 code[256], *nl;
	long long		 n;

	CU_ASSERT_EQUAL_FATAL(admin(code, sizeof(code), "scep challenge "
	    "--account scep-device --endpoint scep-device/device "
	    "--subject-pattern '^ot[0-9]+\\.example\\.com$'"), 0);
	if ((nl = strchr(code, '\n')) != NULL)
		*nl = '\0';
	CU_ASSERT_FATAL(strlen(code) >= 16);

	/* A name the pattern does not allow: refused, challenge kept. */
	n = store_request_count(db);
	csr = make_csr(keys[3], "other.example.com", NULL, code, NULL);
	cr = base_req(3, csr);
	CU_ASSERT(expect_fail(pki(&cr, P_DEVICE, POST), SCEP_FAIL_BADREQUEST));
	CU_ASSERT_EQUAL(store_request_count(db), n);
	X509_REQ_free(csr);

	csr = make_csr(keys[3], "ot1.example.com", NULL, code, NULL);
	cr = base_req(3, csr);
	x = expect_cert(pki(&cr, P_DEVICE, POST), keys[3]);
	CU_ASSERT(has_cn(x, "ot1.example.com"));
	X509_free(x);
	X509_REQ_free(csr);

	/* Used up. */
	csr = make_csr(keys[3], "ot2.example.com", NULL, code, NULL);
	cr = base_req(3, csr);
	CU_ASSERT(expect_fail(pki(&cr, P_DEVICE, POST), SCEP_FAIL_BADREQUEST));
	X509_REQ_free(csr);
}

static void
test_throttle_and_audit(void)
{
	struct scep_client_req	 cr;
	struct scep_reply	*rep;
	struct audit_list	*al;
	X509_REQ		*csr;
	char			 txid[64];
	size_t			 i;
	int			 found = 0, leaked = 0;

	csr = make_csr(keys[0], "guess.example.com", NULL, "guess", NULL);
	for (i = 0; i < 10; i++) {
		cr = base_req(0, csr);
		CU_ASSERT(expect_fail(pki_full(&cr, P_DEVICE, POST,
		    "192.0.2.77", 0), SCEP_FAIL_BADREQUEST));
	}
	X509_REQ_free(csr);
	/* Even the right code is refused from that address now. */
	csr = make_csr(keys[0], "guess.example.com", NULL, CODE, NULL);
	cr = base_req(0, csr);
	cr.txid = new_txid(txid, sizeof(txid));
	rep = pki_full(&cr, P_DEVICE, POST, "192.0.2.77", 0);
	CU_ASSERT(rep != NULL && rep->status == SCEP_STATUS_FAILURE &&
	    rep->fail_text != NULL && strstr(rep->fail_text, "too many"));
	scep_reply_free(rep);
	/* Other addresses are not affected. */
	cr.txid = NULL;
	rep = pki_full(&cr, P_DEVICE, POST, "192.0.2.78", 0);
	CU_ASSERT(rep != NULL && rep->status == SCEP_STATUS_SUCCESS);
	scep_reply_free(rep);
	X509_REQ_free(csr);

	/* The failure is audited with its transactionID; no code is logged. */
	al = store_audit_list(db, 5000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(al);
	for (i = 0; i < al->n; i++) {
		const struct audit_event *e = al->items[i];

		const char *detail = e->detail ? e->detail : "";
		const char *object = e->object ? e->object : "";

		if (strstr(detail, txid) != NULL && e->outcome != NULL &&
		    strcmp(e->outcome, "failure") == 0 && e->remote != NULL &&
		    strcmp(e->remote, "192.0.2.77") == 0)
			found = 1;
		if (strstr(detail, CODE) != NULL ||
		    strstr(detail, "guess") != NULL ||
		    strstr(object, CODE) != NULL)
			leaked = 1;
	}
	CU_ASSERT(found);
	CU_ASSERT(!leaked);
	store_audit_list_free(al);
}

static void
test_next_ca(void)
{
	struct resp		 rs;
	const unsigned char	*p;
	PKCS7			*p7;
	BIO			*out = NULL;
	STACK_OF(X509)		*trust = NULL;
	X509			*next;
	FILE			*f;
	char			 path[PATH_MAX + 32];
	int			 found = 0, i;

	/* Any certificate will do to stand for the next CA here. */
	next = self_signed(keys[3], "Demo Root CA 2", -1, 3650);
	snprintf(path, sizeof(path), "%s/next.pem", dir);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	PEM_write_X509(f, next);
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(admin(NULL, 0, "ca rollover --cert '%s'",
	    path), 0);

	run_get(P_DEVICE, "operation=GetCACaps", &rs);
	CU_ASSERT(rs.body != NULL &&
	    strstr((char *)rs.body, "GetNextCACert\n") != NULL);
	free(rs.body);

	/* Signed by the current RA; its content is a certs-only PKCS#7. */
	run_get(P_DEVICE, "operation=GetNextCACert", &rs);
	CU_ASSERT_EQUAL(rs.status, 200);
	CU_ASSERT_STRING_EQUAL(rs.ctype, "application/x-x509-next-ca-cert");
	p = rs.body;
	p7 = d2i_PKCS7(NULL, &p, (long)rs.len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p7);
	trust = sk_X509_new_null();
	sk_X509_push(trust, ra_cert);
	out = BIO_new(BIO_s_mem());
	CU_ASSERT_EQUAL(PKCS7_verify(p7, trust, NULL, NULL, out,
	    PKCS7_NOVERIFY | PKCS7_NOINTERN | PKCS7_BINARY), 1);
	PKCS7_free(p7);
	p7 = NULL;
	{
		BUF_MEM	*bm;

		BIO_get_mem_ptr(out, &bm);
		p = (const unsigned char *)bm->data;
		p7 = d2i_PKCS7(NULL, &p, (long)bm->length);
	}
	CU_ASSERT_PTR_NOT_NULL(p7);
	if (p7 != NULL && PKCS7_type_is_signed(p7))
		for (i = 0; i < sk_X509_num(p7->d.sign->cert); i++)
			if (X509_cmp(sk_X509_value(p7->d.sign->cert, i),
			    next) == 0)
				found = 1;
	CU_ASSERT(found);
	PKCS7_free(p7);
	BIO_free(out);
	sk_X509_free(trust);
	free(rs.body);
	X509_free(next);
}

/* Replaces the transactionID with an OCTET STRING holding a NUL. */
static void
nul_txid(CMS_ContentInfo *cms)
{
	static const unsigned char	 id[] = "T1\0evil";
	CMS_SignerInfo			*si = sk_CMS_SignerInfo_value(
	    CMS_get0_SignerInfos(cms), 0);
	int				 nid = scep_oid_nid(SCEP_OID_TRANSACTIONID);
	int				 loc;

	if ((loc = CMS_signed_get_attr_by_NID(si, nid, -1)) < 0)
		die("no transactionID to replace");
	X509_ATTRIBUTE_free(CMS_signed_delete_attr(si, loc));
	if (!CMS_signed_add1_attr_by_NID(si, nid, V_ASN1_OCTET_STRING, id,
	    (int)sizeof(id) - 1))
		die("CMS_signed_add1_attr_by_NID");
}

/*
 * A transactionID with an embedded NUL cannot be echoed faithfully: the
 * server must not answer under a truncated one (it would mix the
 * transaction up with "T1"), so the message is unreadable: HTTP 400.
 */
static void
test_txid_with_nul(void)
{
	X509_REQ		*csr = make_csr(keys[0], "nul.example.com",
	    NULL, CODE, NULL);
	struct scep_client_req	 cr = base_req(0, csr);
	struct resp		 rs;
	unsigned char		*der;
	size_t			 len = 0;

	cr.txid = "T1";
	der = tampered(&cr, nul_txid, &len);
	send_der(der, len, P_DEVICE, POST, NULL, 0, &rs);
	CU_ASSERT(rs.exit_ok);
	CU_ASSERT_EQUAL(rs.status, 400);
	CU_ASSERT_STRING_EQUAL(rs.ctype, "text/plain");
	free(rs.body);
	free(der);
	X509_REQ_free(csr);
}

/*
 * A SUCCESS reply is encrypted to the signer certificate, which needs an
 * RSA key: an EC signer gets a signed FAILURE that says so, for every
 * message that could succeed, never an HTTP error.
 */
static void
test_ec_signer(void)
{
	static const int	 types[] = { SCEP_MSG_PKCSREQ,
	    SCEP_MSG_RENEWALREQ, SCEP_MSG_CERTPOLL, SCEP_MSG_GETCERT,
	    SCEP_MSG_GETCRL };
	EVP_PKEY		*ec = EVP_EC_gen("P-256");
	X509			*ecx, *x;
	X509_REQ		*csr;
	X509_NAME		*subj = X509_NAME_new();
	struct scep_client_req	 cr;
	struct scep_reply	*rep;
	size_t			 i;
	long long		 n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ec);
	ecx = self_signed(ec, "ec throwaway", -1, 1);
	x = enroll(0, "ecsigner.example.com", P_DEVICE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_ASC,
	    (const unsigned char *)"ecsigner.example.com", -1, -1, 0);
	csr = make_csr(ec, "ecsigner2.example.com", NULL, CODE, NULL);
	n = store_request_count(db);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		cr = base_req(0, NULL);
		cr.msg_type = types[i];
		cr.signer_cert = ecx;
		cr.signer_key = ec;
		cr.csr = csr;
		cr.issuer = X509_get_issuer_name(x);
		cr.subject = subj;
		cr.serial = (ASN1_INTEGER *)X509_get0_serialNumber(x);
		rep = pki(&cr, P_DEVICE, POST);
		CU_ASSERT(rep != NULL && rep->fail_text != NULL &&
		    strstr(rep->fail_text, "must be RSA") != NULL);
		CU_ASSERT(expect_fail(rep, SCEP_FAIL_BADREQUEST));
	}
	CU_ASSERT_EQUAL(store_request_count(db), n);
	X509_REQ_free(csr);
	X509_NAME_free(subj);
	X509_free(x);
	X509_free(ecx);
	EVP_PKEY_free(ec);
}

/* Returns 1 if x carries the email address anywhere (subject or SAN). */
static int
cert_has_email(X509 *x, const char *email)
{
	GENERAL_NAMES	*gens;
	char		 buf[256];
	int		 i, found = 0;

	if (x == NULL)
		return 0;
	if (X509_NAME_get_text_by_NID(X509_get_subject_name(x),
	    NID_pkcs9_emailAddress, buf, sizeof(buf)) > 0 &&
	    strcasecmp(buf, email) == 0)
		found = 1;
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	for (i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		GENERAL_NAME	*g = sk_GENERAL_NAME_value(gens, i);
		ASN1_STRING	*s;
		int		 type;

		s = GENERAL_NAME_get0_value(g, &type);
		if (type == GEN_EMAIL && (size_t)ASN1_STRING_length(s) ==
		    strlen(email) && strncasecmp((const char *)
		    ASN1_STRING_get0_data(s), email, strlen(email)) == 0)
			found = 1;
	}
	GENERAL_NAMES_free(gens);
	return found;
}

/*
 * On the S/MIME endpoint every email address that reaches the
 * certificate must itself lie in a domain of the account, and a CN that
 * is a host name must too: a delegated host name does not vouch for a
 * mailbox elsewhere, nor a delegated mailbox for a foreign host.
 */
static void
test_smime_every_name_checked(void)
{
	static const char *const host_foreign_mail[] = {
	    "CN=host.example.com", "emailAddress=ceo@victim-bank.com", NULL };
	static const char *const person_foreign_mail[] = {
	    "CN=Carol Example", "emailAddress=carol@victim-bank.com", NULL };
	static const char *const person_good_mail[] = {
	    "CN=Carol Example", "emailAddress=carol@example.com", NULL };
	static const char *const foreign_host_good_mail[] = {
	    "CN=host.victim-bank.com", "emailAddress=dave@example.com", NULL };
	static const char *const good_host_good_mail[] = {
	    "CN=host.example.com", "emailAddress=erin@example.com", NULL };
	static const char *const mail_cn_foreign[] = {
	    "CN=ceo@victim-bank.com", "emailAddress=frank@example.com", NULL };
	static const char *const no_subject_mail[] = {
	    "CN=Grace Example", NULL };
	X509_REQ	*csr;
	X509		*x;
	long long	 n = store_request_count(db);

	/* The repro: a delegated host name with someone else's mailbox. */
	csr = make_csr_subject(keys[2], host_foreign_mail, CODE, NULL);
	CU_ASSERT(expect_fail(send_csr(2, csr, P_SMIME), SCEP_FAIL_BADREQUEST));
	X509_REQ_free(csr);
	/* A person's name with a foreign mailbox. */
	csr = make_csr_subject(keys[2], person_foreign_mail, CODE, NULL);
	CU_ASSERT(expect_fail(send_csr(2, csr, P_SMIME), SCEP_FAIL_BADREQUEST));
	X509_REQ_free(csr);
	/* A good subject address with a foreign one in the SAN. */
	csr = make_csr_subject(keys[2], person_good_mail, CODE,
	    "email:carol@victim-bank.com");
	CU_ASSERT(expect_fail(send_csr(2, csr, P_SMIME), SCEP_FAIL_BADREQUEST));
	X509_REQ_free(csr);
	/* Only SAN addresses, the second one foreign. */
	csr = make_csr_subject(keys[2], no_subject_mail, CODE,
	    "email:grace@example.com,email:grace@victim-bank.com");
	CU_ASSERT(expect_fail(send_csr(2, csr, P_SMIME), SCEP_FAIL_BADREQUEST));
	X509_REQ_free(csr);
	/* A foreign host name as CN with a delegated mailbox. */
	csr = make_csr_subject(keys[2], foreign_host_good_mail, CODE, NULL);
	CU_ASSERT(expect_fail(send_csr(2, csr, P_SMIME), SCEP_FAIL_BADREQUEST));
	X509_REQ_free(csr);
	/* A CN that is a foreign mailbox. */
	csr = make_csr_subject(keys[2], mail_cn_foreign, CODE, NULL);
	CU_ASSERT(expect_fail(send_csr(2, csr, P_SMIME), SCEP_FAIL_BADREQUEST));
	X509_REQ_free(csr);
	CU_ASSERT_EQUAL(store_request_count(db), n);

	/* What stays allowed: a person's name, or a delegated host name. */
	csr = make_csr_subject(keys[2], person_good_mail, CODE,
	    "email:carol@example.com");
	x = expect_cert(send_csr(2, csr, P_SMIME), keys[2]);
	CU_ASSERT(has_cn(x, "Carol Example"));
	CU_ASSERT(cert_has_email(x, "carol@example.com"));
	X509_free(x);
	X509_REQ_free(csr);
	csr = make_csr_subject(keys[2], good_host_good_mail, CODE, NULL);
	x = expect_cert(send_csr(2, csr, P_SMIME), keys[2]);
	CU_ASSERT(has_cn(x, "host.example.com"));
	CU_ASSERT(cert_has_email(x, "erin@example.com"));
	CU_ASSERT(!cert_has_email(x, "ceo@victim-bank.com"));
	X509_free(x);
	X509_REQ_free(csr);
}

/* Returns a one-time challenge for the device endpoint bound to pattern. */
static void
challenge_for(const char *pattern, char *code, size_t len)
{
	char	*nl;

	CU_ASSERT_EQUAL_FATAL(admin(code, len, "scep challenge --account "
	    "scep-device --endpoint scep-device/device --subject-pattern "
	    "'%s'", pattern), 0);
	if ((nl = strchr(code, '\n')) != NULL)
		*nl = '\0';
	CU_ASSERT_FATAL(strlen(code) >= 16);
}

/*
 * A one-time challenge's pattern is the whole name, not a part of it,
 * and every name the certificate will carry must fit it: the CN and
 * each DNS SAN.
 */
static void
test_challenge_pattern_binds_every_name(void)
{
	static const char *const cn_ot5[] = { "CN=ot5.example.com", NULL };
	static const char *const cn_ot6[] = {
	    "CN=vpn-ot6-example-com.example.com", NULL };
	static const char *const cn_ot6_upper[] = { "CN=OT6.Example.COM",
	    NULL };
	char		 code[256], code6[256];
	X509_REQ	*csr;
	X509		*x;
	long long	 n = store_request_count(db);

	challenge_for("ot5\\.example\\.com", code, sizeof(code));
	/* The repro: the CN fits, the SANs are other hosts. */
	csr = make_csr_subject(keys[3], cn_ot5, code,
	    "DNS:ot5.example.com,DNS:www.example.com,DNS:mail.example.com");
	CU_ASSERT(expect_fail_text(send_csr(3, csr, P_DEVICE),
	    SCEP_FAIL_BADREQUEST, "challenge"));
	X509_REQ_free(csr);
	CU_ASSERT_EQUAL(store_request_count(db), n);
	/* The refusal did not use the challenge up: the right name works. */
	csr = make_csr_subject(keys[3], cn_ot5, code, "DNS:ot5.example.com");
	x = expect_cert(send_csr(3, csr, P_DEVICE), keys[3]);
	CU_ASSERT(has_cn(x, "ot5.example.com"));
	X509_free(x);
	X509_REQ_free(csr);

	/* Unanchored, "ot6.example.com" would be found inside this name. */
	challenge_for("ot6.example.com", code6, sizeof(code6));
	csr = make_csr_subject(keys[3], cn_ot6, code6, NULL);
	CU_ASSERT(expect_fail_text(send_csr(3, csr, P_DEVICE),
	    SCEP_FAIL_BADREQUEST, "challenge"));
	X509_REQ_free(csr);
	/* DNS names are case-insensitive, so is the match. */
	csr = make_csr_subject(keys[3], cn_ot6_upper, code6, NULL);
	x = expect_cert(send_csr(3, csr, P_DEVICE), keys[3]);
	CU_ASSERT_PTR_NOT_NULL(x);
	X509_free(x);
	X509_REQ_free(csr);
}

/* Returns the number of dNSName entries of x's subjectAltName. */
static int
dns_sans(X509 *x)
{
	GENERAL_NAMES	*gens;
	int		 i, n = 0;

	if (x == NULL)
		return -1;
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	for (i = 0; i < sk_GENERAL_NAME_num(gens); i++)
		if (sk_GENERAL_NAME_value(gens, i)->type == GEN_DNS)
			n++;
	GENERAL_NAMES_free(gens);
	return n;
}

/*
 * A profile that is not multi-domain certifies one host name, on SCEP as
 * on the web forms: SANs other than the CN are refused; a multi-domain
 * profile takes them.
 */
static void
test_multi_domain_profile(void)
{
	static const char *const m1[] = { "CN=m1.example.com", NULL };
	X509_REQ	*csr;
	X509		*x;
	long long	 n = store_request_count(db);

	csr = make_csr_subject(keys[1], m1, CODE,
	    "DNS:m1.example.com,DNS:m2.example.com,DNS:m3.example.com");
	CU_ASSERT(expect_fail_text(send_csr(1, csr, P_DEVICE),
	    SCEP_FAIL_BADREQUEST, "multi-domain"));
	CU_ASSERT_EQUAL(store_request_count(db), n);
	X509_REQ_free(csr);
	/* Without a CN, two SANs are two names all the same. */
	csr = make_csr_subject(keys[1], NULL, CODE,
	    "DNS:m4.example.com,DNS:m5.example.com");
	CU_ASSERT(expect_fail(send_csr(1, csr, P_DEVICE),
	    SCEP_FAIL_BADREQUEST));
	X509_REQ_free(csr);

	/* The CN repeated as a SAN (any case) is still one name. */
	csr = make_csr_subject(keys[1], m1, CODE, "DNS:M1.example.com");
	x = expect_cert(send_csr(1, csr, P_DEVICE), keys[1]);
	CU_ASSERT(has_cn(x, "m1.example.com"));
	CU_ASSERT_EQUAL(dns_sans(x), 1);
	X509_free(x);
	X509_REQ_free(csr);

	/* A multi-domain device profile takes them all. */
	CU_ASSERT_EQUAL_FATAL(admin(NULL, 0, "profile add 'Device Multi' "
	    "--type device --terms 365 --eku clientAuth --multi-domain"), 0);
	CU_ASSERT_EQUAL_FATAL(admin(NULL, 0, "endpoint add --type scep-device "
	    "--ext multi --name Multi"), 0);
	CU_ASSERT_EQUAL_FATAL(admin(NULL, 0, "account add multi --endpoint "
	    "scep-device/multi --org 'Demo Org' --code " CODE " --profile "
	    "'Device Multi' --term 365"), 0);
	csr = make_csr_subject(keys[1], m1, CODE,
	    "DNS:m1.example.com,DNS:m2.example.com,DNS:m3.example.com");
	x = expect_cert(send_csr(1, csr, "/demo/scep/multi/pkiclient.exe"),
	    keys[1]);
	CU_ASSERT(has_cn(x, "m1.example.com"));
	CU_ASSERT_EQUAL(dns_sans(x), 3);
	X509_free(x);
	X509_REQ_free(csr);
}

/*
 * A renewal needs no challenge because the account that issued the old
 * certificate vouches for it: only that account's endpoint renews it.
 * Elsewhere a request signed by the certificate is a new enrollment.
 */
static void
test_renewal_stays_on_its_endpoint(void)
{
	struct scep_client_req	 cr;
	struct scep_reply	*rep;
	X509_REQ		*csr, *csr_code;
	X509			*old, *x;
	const char		*paths[] = { P_APPROVAL, P_SMIME, P_ROTATE };
	size_t			 i;
	long long		 n;

	old = enroll(0, "crossrenew.example.com", P_DEVICE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(old);
	csr = make_csr(keys[1], "crossrenew.example.com", NULL, NULL, NULL);
	n = store_request_count(db);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		/* RenewalReq elsewhere: refused. */
		cr = base_req(1, csr);
		cr.msg_type = SCEP_MSG_RENEWALREQ;
		cr.signer_cert = old;
		cr.signer_key = keys[0];
		CU_ASSERT(expect_fail(pki(&cr, paths[i], POST),
		    SCEP_FAIL_BADREQUEST));
		/* PKCSReq (macOS style) elsewhere: needs a challenge. */
		cr.msg_type = SCEP_MSG_PKCSREQ;
		CU_ASSERT(expect_fail_text(pki(&cr, paths[i], POST),
		    SCEP_FAIL_BADREQUEST, "challenge"));
	}
	CU_ASSERT_EQUAL(store_request_count(db), n);

	/* With the access code it is a new enrollment there: it waits. */
	csr_code = make_csr(keys[1], "crossrenew.example.com", NULL, CODE,
	    NULL);
	cr = base_req(1, csr_code);
	cr.signer_cert = old;
	cr.signer_key = keys[0];
	rep = pki(&cr, P_APPROVAL, POST);
	CU_ASSERT(rep != NULL && rep->status == SCEP_STATUS_PENDING);
	scep_reply_free(rep);
	X509_REQ_free(csr_code);

	/* On its own endpoint the renewal still works. */
	cr = base_req(1, csr);
	cr.msg_type = SCEP_MSG_RENEWALREQ;
	cr.signer_cert = old;
	cr.signer_key = keys[0];
	x = expect_cert(pki(&cr, P_DEVICE, POST), keys[1]);
	CU_ASSERT(has_cn(x, "crossrenew.example.com"));
	X509_free(x);
	X509_REQ_free(csr);
	X509_free(old);
}

/* Runs one SQL statement on the test's own connection; returns 1 on success. */
static int
sql(const char *text)
{
	sqlite3_stmt	*any = db_stmt(db, STMT_CA_BY_ID);

	return any != NULL &&
	    sqlite3_exec(sqlite3_db_handle(any), text, NULL, NULL, NULL) ==
	    SQLITE_OK;
}

/* Sends a RenewalReq for key i signed by old (with old_key); returns the reply. */
static struct scep_reply *
renew(int i, const char *cn, X509 *old, EVP_PKEY *old_key, const char *path)
{
	X509_REQ		*csr = make_csr(keys[i], cn, NULL, NULL, NULL);
	struct scep_client_req	 cr = base_req(i, csr);
	struct scep_reply	*rep;

	cr.msg_type = SCEP_MSG_RENEWALREQ;
	cr.signer_cert = old;
	cr.signer_key = old_key;
	rep = pki(&cr, path, POST);
	X509_REQ_free(csr);
	return rep;
}

/*
 * A renewal is judged by today's rules as a PKCSReq is: refused once the
 * domain's delegation is gone, once the account's profile no longer
 * allows the key, or once the account has another profile that does not;
 * allowed again when the rule is back.  Nothing is recorded when refused.
 */
static void
test_renewal_rechecks_today(void)
{
	X509		*old, *x;
	long long	 n;

	CU_ASSERT_FATAL(admin(NULL, 0, "domain add renewgone.example.org") ==
	    0 && admin(NULL, 0, "domain delegate renewgone.example.org "
	    "--org 'Demo Org' --types device") == 0 &&
	    admin(NULL, 0, "profile add 'Device RSA' --type device --terms 365 "
	    "--keys rsa2048,rsa3072 --eku clientAuth") == 0 &&
	    admin(NULL, 0, "profile add 'Device EC' --type device --terms 365 "
	    "--keys ec256 --eku clientAuth") == 0 &&
	    admin(NULL, 0, "endpoint add --type scep-device --ext recheck "
	    "--name Recheck") == 0 &&
	    admin(NULL, 0, "account add recheck --endpoint scep-device/recheck "
	    "--org 'Demo Org' --code " CODE " --profile 'Device RSA' "
	    "--term 365") == 0);

	/* The delegation of the certificate's domain was withdrawn. */
	old = enroll(0, "host.renewgone.example.org", P_RECHECK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(old);
	CU_ASSERT_FATAL(sql("UPDATE delegation SET device = 0 WHERE domain_id "
	    "= (SELECT id FROM domain WHERE name = 'renewgone.example.org')"));
	n = store_request_count(db);
	CU_ASSERT(expect_fail_text(renew(1, "host.renewgone.example.org", old,
	    keys[0], P_RECHECK), SCEP_FAIL_BADREQUEST,
	    "host.renewgone.example.org"));
	CU_ASSERT_EQUAL(store_request_count(db), n);
	CU_ASSERT_FATAL(sql("UPDATE delegation SET device = 1 WHERE domain_id "
	    "= (SELECT id FROM domain WHERE name = 'renewgone.example.org')"));
	x = expect_cert(renew(1, "host.renewgone.example.org", old, keys[0],
	    P_RECHECK), keys[1]);
	CU_ASSERT(has_cn(x, "host.renewgone.example.org"));
	X509_free(x);
	X509_free(old);

	/* The profile dropped RSA keys. */
	old = enroll(0, "keys.example.com", P_RECHECK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(old);
	CU_ASSERT_FATAL(sql("UPDATE profile SET key_types = 'ec256' "
	    "WHERE name = 'Device RSA'"));
	n = store_request_count(db);
	CU_ASSERT(expect_fail_text(renew(1, "keys.example.com", old, keys[0],
	    P_RECHECK), SCEP_FAIL_BADREQUEST, "not allowed"));
	CU_ASSERT_EQUAL(store_request_count(db), n);
	CU_ASSERT_FATAL(sql("UPDATE profile SET key_types = 'rsa2048,rsa3072' "
	    "WHERE name = 'Device RSA'"));
	X509_free(old);

	/* The account now issues under a profile without RSA keys. */
	old = enroll(0, "account.example.com", P_RECHECK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(old);
	CU_ASSERT_FATAL(sql("UPDATE account SET profile_id = (SELECT id FROM "
	    "profile WHERE name = 'Device EC') WHERE name = 'recheck'"));
	n = store_request_count(db);
	CU_ASSERT(expect_fail_text(renew(1, "account.example.com", old, keys[0],
	    P_RECHECK), SCEP_FAIL_BADREQUEST, "Device EC"));
	CU_ASSERT_EQUAL(store_request_count(db), n);
	CU_ASSERT_FATAL(sql("UPDATE account SET profile_id = (SELECT id FROM "
	    "profile WHERE name = 'Device RSA') WHERE name = 'recheck'"));
	x = expect_cert(renew(1, "account.example.com", old, keys[0],
	    P_RECHECK), keys[1]);
	CU_ASSERT(has_cn(x, "account.example.com"));
	X509_free(x);
	X509_free(old);
}

/*
 * A certificate starts one renewal: a retry of that transaction gets the
 * same certificate, while a second, different renewal (RenewalReq or a
 * macOS-style PKCSReq under a new transactionID, same or other key) is
 * refused; the renewed certificate renews in turn.
 */
static void
test_renewal_only_once(void)
{
	struct scep_client_req	 cr;
	X509_REQ		*csr;
	X509			*old, *first, *again, *next;
	char			 txid[64];
	long long		 n;

	old = enroll(2, "once.example.com", P_DEVICE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(old);
	csr = make_csr(keys[3], "once.example.com", NULL, NULL, NULL);
	cr = base_req(3, csr);
	cr.msg_type = SCEP_MSG_RENEWALREQ;
	cr.signer_cert = old;
	cr.signer_key = keys[2];
	cr.txid = new_txid(txid, sizeof(txid));
	first = expect_cert(pki(&cr, P_DEVICE, POST), keys[3]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(first);
	n = store_request_count(db);

	/* The same transaction again: the same certificate, nothing new. */
	again = expect_cert(pki(&cr, P_DEVICE, GET), keys[3]);
	CU_ASSERT(again != NULL && X509_cmp(again, first) == 0);
	X509_free(again);
	CU_ASSERT_EQUAL(store_request_count(db), n);

	/* Another transaction with the same key: refused. */
	cr.txid = NULL;
	CU_ASSERT(expect_fail_text(pki(&cr, P_DEVICE, POST),
	    SCEP_FAIL_BADREQUEST, "renewed already"));
	/* macOS style, another key: refused too. */
	X509_REQ_free(csr);
	csr = make_csr(keys[4], "once.example.com", NULL, NULL, NULL);
	cr = base_req(4, csr);
	cr.signer_cert = old;
	cr.signer_key = keys[2];
	CU_ASSERT(expect_fail_text(pki(&cr, P_DEVICE, POST),
	    SCEP_FAIL_BADREQUEST, "renewed already"));
	CU_ASSERT_EQUAL(store_request_count(db), n);

	/* The renewed certificate is the one to renew now. */
	cr.signer_cert = first;
	cr.signer_key = keys[3];
	next = expect_cert(pki(&cr, P_DEVICE, POST), keys[4]);
	CU_ASSERT(has_cn(next, "once.example.com"));
	CU_ASSERT(next != NULL && X509_cmp(next, first) != 0);
	X509_free(next);
	X509_free(first);
	X509_free(old);
	X509_REQ_free(csr);
}

/*
 * sscep puts the subject of its -c certificate, the RA when GetCACert
 * returned one, in the issuerAndSerial of GetCert and GetCRL: that names
 * our CA too.
 */
static void
test_ra_subject_names_our_ca(void)
{
	struct scep_client_req	 cr;
	struct scep_reply	*rep;
	X509			*x;

	x = enroll(0, "sscep.example.com", P_DEVICE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	cr = base_req(0, NULL);
	cr.msg_type = SCEP_MSG_GETCERT;
	cr.issuer = X509_get_subject_name(ra_cert);
	cr.serial = (ASN1_INTEGER *)X509_get0_serialNumber(x);
	rep = pki(&cr, P_DEVICE, POST);
	CU_ASSERT(rep != NULL && rep->status == SCEP_STATUS_SUCCESS &&
	    rep->certs != NULL && X509_cmp(sk_X509_value(rep->certs, 0), x) == 0);
	scep_reply_free(rep);

	cr.msg_type = SCEP_MSG_GETCRL;
	rep = pki(&cr, P_DEVICE, GET);
	CU_ASSERT(rep != NULL && rep->status == SCEP_STATUS_SUCCESS &&
	    rep->crl != NULL &&
	    X509_CRL_verify(rep->crl, X509_get0_pubkey(ca_cert)) == 1);
	scep_reply_free(rep);
	X509_free(x);
}

/*
 * Returns 1 if the file holds needle.  The scan runs in a child process:
 * closing any descriptor of a database file drops the POSIX locks SQLite
 * holds on it in this process, which lets other writers corrupt it.
 */
static int
file_contains(const char *path, const char *needle)
{
	pid_t	 pid;
	int	 st;

	if ((pid = fork()) == -1)
		die("fork");
	if (pid == 0) {
		FILE		*f;
		unsigned char	*data = NULL;
		size_t		 len = 0, cap = 0, n, nl = strlen(needle), i;

		if ((f = fopen(path, "rb")) == NULL)
			_exit(0);	/* no WAL file is no copy */
		for (;;) {
			if (len + 65536 > cap) {
				unsigned char	*nb;

				cap = cap ? cap * 2 : 1 << 20;
				if ((nb = realloc(data, cap)) == NULL)
					_exit(2);
				data = nb;
			}
			if ((n = fread(data + len, 1, cap - len, f)) == 0)
				break;
			len += n;
		}
		for (i = 0; i + nl <= len; i++)
			if (memcmp(data + i, needle, nl) == 0)
				_exit(1);
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) == 2)
		die("scan of a database file failed");
	return WEXITSTATUS(st) == 1;
}

/*
 * The access code travels in the CSR's challengePassword; the stored
 * CSR must not keep it (SPEC 5: secrets only as keyed hashes), and the
 * approval of a stored CSR still works without it.
 */
static void
test_code_not_stored(void)
{
	struct scep_client_req	 cr;
	struct scep_reply	*rep;
	struct request		*rq;
	X509_REQ		*csr;
	X509			*x;
	unsigned char		 rnd[12];
	char			 code[64], txid[64], path[PATH_MAX + 64];
	char			 out[512];
	size_t			 i;

	RAND_bytes(rnd, sizeof(rnd));
	snprintf(code, sizeof(code), "scan-");
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(code + 5 + 2 * i, 3, "%02x", rnd[i]);
	CU_ASSERT_EQUAL_FATAL(admin(NULL, 0, "account add codescan "
	    "--endpoint scep-device/device --org 'Demo Org' --code %s "
	    "--profile Device --term 365", code), 0);
	CU_ASSERT_EQUAL_FATAL(admin(NULL, 0, "account add codescan-approval "
	    "--endpoint scep-device/device-approval --org 'Demo Org' "
	    "--code %s --profile Device --term 365 --manual-approval", code),
	    0);

	csr = make_csr(keys[2], "codescan.example.com", NULL, code, NULL);
	x = expect_cert(send_csr(2, csr, P_DEVICE), keys[2]);
	CU_ASSERT(has_cn(x, "codescan.example.com"));
	X509_free(x);
	X509_REQ_free(csr);

	csr = make_csr(keys[2], "codescan-wait.example.com", NULL, code, NULL);
	cr = base_req(2, csr);
	cr.txid = new_txid(txid, sizeof(txid));
	rep = pki(&cr, P_APPROVAL, POST);
	CU_ASSERT(rep != NULL && rep->status == SCEP_STATUS_PENDING);
	scep_reply_free(rep);

	/* Nowhere in the database: not in a row, not in the WAL. */
	snprintf(path, sizeof(path), "%s/state/certdesk.db", dir);
	CU_ASSERT(!file_contains(path, code));
	snprintf(path, sizeof(path), "%s/state/certdesk.db-wal", dir);
	CU_ASSERT(!file_contains(path, code));

	/* The stored CSR still serves the approval. */
	rq = request_of_txn("scep-device", "device-approval", txid);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rq);
	CU_ASSERT(rq->csr_der != NULL && rq->csr_len > 0);
	CU_ASSERT_EQUAL(admin(out, sizeof(out), "request approve %s",
	    rq->cert_id), 0);
	store_request_free(rq);
	x = expect_cert(poll_txn(2, txid, "codescan-wait.example.com"),
	    keys[2]);
	CU_ASSERT(has_cn(x, "codescan-wait.example.com"));
	X509_free(x);
	X509_REQ_free(csr);
}

#define RACERS	40

/*
 * Sends the wrong-challenge CSR from remote at now in a child process;
 * the child exits 0 for "wrong", 1 for "too many", 2 for anything else.
 */
static pid_t
guess_in_child(X509_REQ *csr, const char *remote, long long now)
{
	struct scep_client_req	 cr;
	struct scep_reply	*rep;
	pid_t			 pid;
	int			 code = 2;

	if ((pid = fork()) != 0)
		return pid;
	cr = base_req(0, csr);
	rep = pki_full(&cr, P_DEVICE, POST, remote, now);
	if (rep != NULL && rep->status == SCEP_STATUS_FAILURE &&
	    rep->fail_text != NULL) {
		if (strstr(rep->fail_text, "too many") != NULL)
			code = 1;
		else if (strstr(rep->fail_text, "wrong") != NULL)
			code = 0;
	}
	scep_reply_free(rep);
	_exit(code);
}

/*
 * Ten failed challenges from one address block it, however the guesses
 * arrive: each attempt is counted before the challenge is looked at, in
 * the same write transaction as the check, so guesses sent together
 * cannot all pass the check before any is counted.
 */
static void
test_throttle_counts_before_checking(void)
{
	struct scep_client_req	 cr;
	X509_REQ		*wrong, *right;
	pid_t			 pids[RACERS];
	long long		 now = (long long)time(NULL);
	int			 i, st, nwrong = 0, nmany = 0;

	wrong = make_csr(keys[0], "race.example.com", NULL, "wrong-guess",
	    NULL);
	right = make_csr(keys[0], "race.example.com", NULL, CODE, NULL);
	/* One after the other, on a fixed clock. */
	for (i = 0; i < 10; i++) {
		cr = base_req(0, wrong);
		CU_ASSERT(expect_fail_text(pki_full(&cr, P_DEVICE, POST,
		    "192.0.2.81", now), SCEP_FAIL_BADREQUEST, "wrong"));
	}
	cr = base_req(0, right);
	CU_ASSERT(expect_fail_text(pki_full(&cr, P_DEVICE, POST,
	    "192.0.2.81", now + 60), SCEP_FAIL_BADREQUEST,
	    "too many failed challenges"));

	/*
	 * All at once: while this connection holds the write lock every
	 * request waits at its start (the schema check takes the lock), so
	 * the commit releases them together.  A throttle that checks first
	 * and counts later lets most of them through.
	 */
	CU_ASSERT_FATAL(db_begin(db));
	for (i = 0; i < RACERS; i++)
		if ((pids[i] = guess_in_child(wrong, "192.0.2.82", now)) == -1)
			die("fork");
	sleep(3);
	CU_ASSERT(db_commit(db));
	for (i = 0; i < RACERS; i++) {
		if (waitpid(pids[i], &st, 0) != pids[i] || !WIFEXITED(st))
			continue;
		if (WEXITSTATUS(st) == 0)
			nwrong++;
		else if (WEXITSTATUS(st) == 1)
			nmany++;
	}
	if (nwrong != 10)
		fprintf(stderr, "\n  race: %d wrong, %d too many\n", nwrong,
		    nmany);
	CU_ASSERT_EQUAL(nwrong, 10);
	CU_ASSERT_EQUAL(nmany, RACERS - 10);
	/* And the address stays blocked for the right code too. */
	cr = base_req(0, right);
	CU_ASSERT(expect_fail_text(pki_full(&cr, P_DEVICE, POST,
	    "192.0.2.82", now + 60), SCEP_FAIL_BADREQUEST, "too many"));
	X509_REQ_free(wrong);
	X509_REQ_free(right);
}

/* Sends a CertPoll for txid on path signed by signer/key; returns the reply. */
static struct scep_reply *
poll_as(X509 *signer, EVP_PKEY *key, const char *txid, const char *path)
{
	struct scep_client_req	 cr = base_req(0, NULL);
	X509_NAME		*subj = X509_NAME_new();
	struct scep_reply	*rep;

	X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_ASC,
	    (const unsigned char *)"whoever", -1, -1, 0);
	cr.msg_type = SCEP_MSG_CERTPOLL;
	cr.issuer = X509_get_subject_name(ca_cert);
	cr.subject = subj;
	cr.txid = txid;
	cr.signer_cert = signer;
	cr.signer_key = key;
	rep = pki(&cr, path, POST);
	X509_NAME_free(subj);
	return rep;
}

/* Asserts a reply that is not SUCCESS and carries no certificate. */
static int
expect_no_cert(struct scep_reply *rep)
{
	int	 ok = rep != NULL && rep->status == SCEP_STATUS_FAILURE &&
	    (rep->certs == NULL || sk_X509_num(rep->certs) == 0);

	if (rep != NULL && !ok)
		fprintf(stderr, "\n  expected FAILURE without a certificate, "
		    "got status %d\n", rep->status);
	scep_reply_free(rep);
	return ok;
}

/*
 * Knowing a transactionID is not owning it: CertPoll and a retry are
 * answered from the stored transaction only when the message is signed
 * with the transaction's key, and a retry's CSR must verify before the
 * transaction is looked at.
 */
static void
test_txn_needs_its_key(void)
{
	X509_REQ		*csr, *forged;
	X509			*victim, *x, *attacker;
	struct scep_client_req	 cr;
	char			 txid[64];
	long long		 n;

	/* The victim (key 3) enrolls under txid. */
	csr = make_csr(keys[3], "victim.example.com", NULL, CODE, NULL);
	cr = base_req(3, csr);
	cr.txid = new_txid(txid, sizeof(txid));
	victim = expect_cert(pki(&cr, P_DEVICE, POST), keys[3]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(victim);
	attacker = self_signed(keys[2], "victim.example.com", -1, 1);
	n = store_request_count(db);

	/* CertPoll with the victim's transactionID from another key. */
	CU_ASSERT(expect_no_cert(poll_as(attacker, keys[2], txid, P_DEVICE)));

	/* The victim's public key in a CSR that does not verify. */
	forged = make_csr(keys[2], "victim.example.com", NULL, CODE, NULL);
	X509_REQ_set_pubkey(forged, keys[3]);
	cr = base_req(2, forged);
	cr.signer_cert = attacker;
	cr.txid = txid;
	CU_ASSERT(expect_no_cert(pki(&cr, P_DEVICE, POST)));
	X509_REQ_free(forged);

	/* The victim's own CSR replayed under another signer. */
	cr = base_req(2, csr);
	cr.signer_cert = attacker;
	cr.txid = txid;
	CU_ASSERT(expect_no_cert(pki(&cr, P_DEVICE, GET)));
	CU_ASSERT_EQUAL(store_request_count(db), n);

	/* The owner still polls and retries. */
	x = expect_cert(poll_as(signers[3], keys[3], txid, P_DEVICE), keys[3]);
	CU_ASSERT(x != NULL && X509_cmp(x, victim) == 0);
	X509_free(x);
	cr = base_req(3, csr);
	cr.txid = txid;
	x = expect_cert(pki(&cr, P_DEVICE, POST), keys[3]);
	CU_ASSERT(x != NULL && X509_cmp(x, victim) == 0);
	X509_free(x);
	/* ... also when it signs with the certificate it got. */
	x = expect_cert(poll_as(victim, keys[3], txid, P_DEVICE), keys[3]);
	CU_ASSERT(x != NULL && X509_cmp(x, victim) == 0);
	X509_free(x);
	CU_ASSERT_EQUAL(store_request_count(db), n);

	X509_free(attacker);
	X509_free(victim);
	X509_REQ_free(csr);
}

/* Returns the number of entries of x's subject with nid. */
static int
subject_count(X509 *x, int nid)
{
	X509_NAME	*n = X509_get_subject_name(x);
	int		 i = -1, count = 0;

	while ((i = X509_NAME_get_index_by_NID(n, nid, i)) >= 0)
		count++;
	return count;
}

/*
 * Only checked names reach a certificate: a CSR with two CNs is refused
 * (which one would the policy have checked?), and subject fields the
 * policy never looks at, such as serialNumber or UID, are dropped.
 */
static void
test_subject_only_checked_names(void)
{
	static const char *const two_cns[] = { "CN=one.example.com",
	    "CN=two.example.com", NULL };
	static const char *const extras[] = { "CN=extras.example.com",
	    "serialNumber=C02XYZ", "UID=admin", NULL };
	static const char *const smime_extras[] = { "CN=Heidi Example",
	    "emailAddress=heidi@example.com", "serialNumber=42",
	    "UID=root", NULL };
	X509_REQ	*csr;
	X509		*x;
	long long	 n = store_request_count(db);

	/* The second CN was never checked: the certificate names the first. */
	csr = make_csr_subject(keys[1], two_cns, CODE, NULL);
	x = expect_cert(send_csr(1, csr, P_DEVICE), keys[1]);
	CU_ASSERT_PTR_NOT_NULL(x);
	if (x != NULL) {
		CU_ASSERT(has_cn(x, "one.example.com"));
		CU_ASSERT_EQUAL(subject_count(x, NID_commonName), 1);
	}
	X509_free(x);
	X509_REQ_free(csr);
	CU_ASSERT_EQUAL(store_request_count(db), n + 1);

	csr = make_csr_subject(keys[1], extras, CODE, NULL);
	x = expect_cert(send_csr(1, csr, P_DEVICE), keys[1]);
	CU_ASSERT_PTR_NOT_NULL(x);
	if (x != NULL) {
		CU_ASSERT(has_cn(x, "extras.example.com"));
		CU_ASSERT_EQUAL(subject_count(x, NID_commonName), 1);
		CU_ASSERT_EQUAL(subject_count(x, NID_serialNumber), 0);
		CU_ASSERT_EQUAL(subject_count(x, NID_userId), 0);
	}
	X509_free(x);
	X509_REQ_free(csr);

	csr = make_csr_subject(keys[1], smime_extras, CODE, NULL);
	x = expect_cert(send_csr(1, csr, P_SMIME), keys[1]);
	CU_ASSERT_PTR_NOT_NULL(x);
	if (x != NULL) {
		CU_ASSERT(has_cn(x, "Heidi Example"));
		CU_ASSERT(cert_has_email(x, "heidi@example.com"));
		CU_ASSERT_EQUAL(subject_count(x, NID_serialNumber), 0);
		CU_ASSERT_EQUAL(subject_count(x, NID_userId), 0);
	}
	X509_free(x);
	X509_REQ_free(csr);
}

/*
 * CERTDESK_NOW moves the clock of the test build only: three days ahead,
 * the test build answers badTime to a request signed now, while the
 * production program, which install ships, issues it.
 */
static void
test_clock_only_in_test_builds(void)
{
	struct scep_client_req	 cr;
	X509_REQ		*csr;
	X509			*x;
	char			 saved[sizeof(prog)];
	long long		 later = (long long)time(NULL) + 3 * 86400;

	csr = make_csr(keys[0], "clock.example.com", NULL, CODE, NULL);
	cr = base_req(0, csr);
	CU_ASSERT(expect_fail(pki_full(&cr, P_DEVICE, POST, NULL, later),
	    SCEP_FAIL_BADTIME));
	memcpy(saved, prog, sizeof(prog));
	memcpy(prog, prod_prog, sizeof(prog));
	cr = base_req(0, csr);
	x = expect_cert(pki_full(&cr, P_DEVICE, POST, NULL, later), keys[0]);
	memcpy(prog, saved, sizeof(prog));
	CU_ASSERT_PTR_NOT_NULL(x);
	X509_free(x);
	X509_REQ_free(csr);
}

/* Returns the RFC 2253 text of x's subject (static buffer). */
static const char *
subject_text(X509 *x)
{
	static char	 text[512];
	BIO		*bio = BIO_new(BIO_s_mem());
	int		 n;

	text[0] = '\0';
	if (bio != NULL && x != NULL && X509_NAME_print_ex(bio,
	    X509_get_subject_name(x), 0, XN_FLAG_RFC2253) >= 0 &&
	    (n = BIO_read(bio, text, sizeof(text) - 1)) > 0)
		text[n] = '\0';
	BIO_free(bio);
	return text;
}

/* Returns the dNSName SANs of x joined by commas (static buffer). */
static const char *
dns_san_text(X509 *x)
{
	static char	 text[512];
	GENERAL_NAMES	*gens;
	const GENERAL_NAME *g;
	int		 i;

	text[0] = '\0';
	if ((gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL,
	    NULL)) == NULL)
		return text;
	for (i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		g = sk_GENERAL_NAME_value(gens, i);
		if (g->type != GEN_DNS)
			continue;
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
		    "%s%s", text[0] != '\0' ? "," : "",
		    (const char *)ASN1_STRING_get0_data(g->d.dNSName));
	}
	GENERAL_NAMES_free(gens);
	return text;
}

/*
 * SPEC 4.1 step 4 for a device endpoint: the subject is the CN and the
 * organisation's values (Demo Org, US), and nothing else the requester
 * wrote; a name's one trailing dot is gone from CN and SAN, two fail.
 */
static void
test_device_subject_is_cn_and_org(void)
{
	static const char *const hostile[] = { "C=XX", "O=Evil Corp",
	    "CN=dev7.example.com.", "emailAddress=ceo@victim.org",
	    "serialNumber=42", "UID=root", "CN=www.victim.test", NULL };
	static const char *const two_dots[] = { "CN=dev8.example.com..",
	    NULL };
	X509_REQ	*csr;
	X509		*x;
	long long	 n;

	csr = make_csr_subject(keys[3], hostile, CODE,
	    "DNS:dev7.example.com.");
	x = expect_cert(send_csr(3, csr, P_DEVICE), keys[3]);
	CU_ASSERT_PTR_NOT_NULL(x);
	CU_ASSERT_STRING_EQUAL(subject_text(x),
	    "CN=dev7.example.com,O=Demo Org,C=US");
	CU_ASSERT_STRING_EQUAL(x != NULL ? dns_san_text(x) : "",
	    "dev7.example.com");
	CU_ASSERT(x == NULL || !cert_has_email(x, "ceo@victim.org"));
	X509_free(x);
	X509_REQ_free(csr);

	n = store_request_count(db);
	/* A CSR signed with MD5 is refused as a bad request, nothing stored. */
	csr = make_csr_subject(keys[4], two_dots + 1, CODE,
	    "DNS:dev9.example.com");
	CU_ASSERT_FATAL(X509_REQ_sign(csr, keys[4], EVP_md5()) > 0);
	CU_ASSERT(expect_fail(send_csr(4, csr, P_DEVICE), SCEP_FAIL_BADREQUEST));
	X509_REQ_free(csr);
	csr = make_csr_subject(keys[3], two_dots, CODE, NULL);
	CU_ASSERT(expect_fail(send_csr(3, csr, P_DEVICE), SCEP_FAIL_BADREQUEST));
	X509_REQ_free(csr);
	CU_ASSERT_EQUAL(store_request_count(db), n);
}

static void
register_tests(void)
{
	CU_pSuite	 s;

	s = CU_add_suite("scep_server", suite_init, suite_clean);
	if (s == NULL)
		exit(2);
	UNIT_ADD(s, test_caps_cacert_and_urls);
	UNIT_ADD(s, test_algorithm_matrix);
	UNIT_ADD(s, test_get_encodings);
	UNIT_ADD(s, test_failinfo_mapping);
	UNIT_ADD(s, test_smime);
	UNIT_ADD(s, test_idempotent_retry);
	UNIT_ADD(s, test_lenient_signers);
	UNIT_ADD(s, test_queries);
	UNIT_ADD(s, test_manual_approval);
	UNIT_ADD(s, test_renewal);
	UNIT_ADD(s, test_renewal_same_txid);
	UNIT_ADD(s, test_one_time_challenge);
	UNIT_ADD(s, test_throttle_and_audit);
	UNIT_ADD(s, test_next_ca);
	UNIT_ADD(s, test_txid_with_nul);
	UNIT_ADD(s, test_ec_signer);
	UNIT_ADD(s, test_smime_every_name_checked);
	UNIT_ADD(s, test_challenge_pattern_binds_every_name);
	UNIT_ADD(s, test_multi_domain_profile);
	UNIT_ADD(s, test_renewal_stays_on_its_endpoint);
	UNIT_ADD(s, test_code_not_stored);
	UNIT_ADD(s, test_throttle_counts_before_checking);
	UNIT_ADD(s, test_txn_needs_its_key);
	UNIT_ADD(s, test_subject_only_checked_names);
	UNIT_ADD(s, test_clock_only_in_test_builds);
	UNIT_ADD(s, test_device_subject_is_cn_and_org);
	UNIT_ADD(s, test_renewal_rechecks_today);
	UNIT_ADD(s, test_renewal_only_once);
	UNIT_ADD(s, test_ra_subject_names_our_ca);
}

UNIT_MAIN(register_tests)
