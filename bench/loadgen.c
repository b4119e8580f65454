/*
 * loadgen: SCEP enrollment load generator for `make bench-scep`.
 *
 * Reads GetCACaps and GetCACert, then builds every PKCSReq up front (RSA
 * keys, CSRs, throwaway signer certificates, envelopes) so that the timed
 * part is only HTTP exchanges with the server; the replies are verified
 * after the clock stops.  One process runs several concurrency levels, each
 * with its own keys: the server keys idempotency on the public key, so a
 * reused key would be answered from its transaction record instead of
 * being issued again.  Traffic goes to loopback addresses only.
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "log.h"
#include "scep.h"

#define LG_MAX_LEVELS	8
#define LG_MAX_THREADS	64
#define LG_MAX_RESPONSE	(1024 * 1024)

struct lg_url {
	char	host[64];
	char	port[8];
	char	path[512];
};

/* One enrollment: what is sent, what came back, how long it took. */
struct lg_job {
	EVP_PKEY	*key;
	X509		*signer;
	unsigned char	*msg;
	size_t		 msg_len;
	struct buf	 reply;
	int		 http_status;
	double		 latency_ms;
	char		 serial[80];
};

/* One concurrency level: its jobs and the shared cursor threads take from. */
struct lg_level {
	const struct lg_url *url;
	struct lg_job	*jobs;
	size_t		 njobs;
	size_t		 next;
	pthread_mutex_t	 lock;
	int		 keepalive;
	double		 deadline;	/* monotonic seconds; stop taking jobs after */
};

/* What the key-building threads share. */
struct lg_build {
	EVP_PKEY	**keys;		/* from the key file, or NULL: generate */
	size_t		 nkeys;
	struct lg_job	*jobs;
	size_t		 njobs;
	size_t		 next;
	pthread_mutex_t	 lock;
	X509		*recipient;
	const char	*code;
	int		 bits;
	int		 cipher_nid;
	int		 digest_nid;
	int		 level;
	int		 failed;
};

/* Returns monotonic time in seconds. */
static double
lg_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Parses http://127.0.0.1:PORT/path into u; returns 1, or 0 for any other host. */
static int
lg_parse_url(const char *s, struct lg_url *u)
{
	const char	*h, *colon, *slash;
	size_t		 n;

	if (strncmp(s, "http://", 7) != 0)
		return 0;
	h = s + 7;
	if ((slash = strchr(h, '/')) == NULL)
		return 0;
	colon = memchr(h, ':', (size_t)(slash - h));
	n = (size_t)((colon != NULL ? colon : slash) - h);
	if (n == 0 || n >= sizeof(u->host))
		return 0;
	memcpy(u->host, h, n);
	u->host[n] = '\0';
	/* Benchmark traffic stays on this machine. */
	if (strcmp(u->host, "127.0.0.1") != 0 && strcmp(u->host, "localhost") != 0)
		return 0;
	if (colon != NULL) {
		n = (size_t)(slash - colon - 1);
		if (n == 0 || n >= sizeof(u->port))
			return 0;
		memcpy(u->port, colon + 1, n);
		u->port[n] = '\0';
	} else
		snprintf(u->port, sizeof(u->port), "80");
	if (strlen(slash) >= sizeof(u->path))
		return 0;
	snprintf(u->path, sizeof(u->path), "%s", slash);
	return 1;
}

/* Returns a connected TCP socket to u (caller closes), or -1. */
static int
lg_connect(const struct lg_url *u)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	struct timeval	 tv = { 30, 0 };
	int		 fd = -1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(strcmp(u->host, "localhost") == 0 ? "127.0.0.1" : u->host,
	    u->port, &hints, &res) != 0)
		return -1;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype, 0)) < 0)
			continue;
		/* A stuck server must not hang the benchmark. */
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

/* Writes all of p; returns 1 on success. */
static int
lg_write_all(int fd, const void *p, size_t n)
{
	const unsigned char	*c = p;
	ssize_t			 w;

	while (n > 0) {
		if ((w = send(fd, c, n, MSG_NOSIGNAL)) < 0) {
			if (errno == EINTR)
				continue;
			return 0;
		}
		c += w;
		n -= (size_t)w;
	}
	return 1;
}

/* Returns the value of header name in the header block hdr (borrowed, up to CR), or NULL. */
static const char *
lg_header(const char *hdr, const char *name)
{
	const char	*p = hdr;
	size_t		 n = strlen(name);

	while ((p = strstr(p, "\r\n")) != NULL) {
		p += 2;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			p += n + 1;
			while (*p == ' ')
				p++;
			return p;
		}
	}
	return NULL;
}

/* Decodes a chunked body from raw into out; returns 1 when complete. */
static int
lg_unchunk(const unsigned char *raw, size_t len, struct buf *out)
{
	size_t		 pos = 0, sz;
	char		*end;

	for (;;) {
		const unsigned char	*nl;

		if (pos >= len || (nl = memchr(raw + pos, '\n', len - pos)) == NULL)
			return 0;
		sz = strtoul((const char *)raw + pos, &end, 16);
		pos = (size_t)(nl - raw) + 1;
		if (sz == 0)
			return 1;
		if (sz > len - pos || len - pos - sz < 2)
			return 0;
		if (!buf_append(out, raw + pos, sz))
			return 0;
		pos += sz + 2;
	}
}

/*
 * Sends one request over *fd (connecting when *fd < 0) and reads the
 * response body into body; closes and resets *fd unless keep-alive holds.
 * Returns the HTTP status or -1.
 */
static int
lg_http(int *fd, const struct lg_url *u, const char *method, const char *query,
    const unsigned char *data, size_t dlen, int keepalive, struct buf *body,
    char *ctype, size_t ctlen)
{
	struct buf	 req = { 0 }, raw = { 0 };
	char		 chunk[16384], *hend, *hdr = NULL;
	const char	*v;
	size_t		 hlen, clen = 0;
	ssize_t		 r;
	int		 status = -1, have_len = 0, chunked = 0, close_after, attempt;

	for (attempt = 0; attempt < 2 && status < 0; attempt++) {
		int	 reused = *fd >= 0;

		buf_free(&req);
		buf_free(&raw);
		free(hdr);
		hdr = NULL;
		if (*fd < 0 && (*fd = lg_connect(u)) < 0)
			break;
		if (!buf_printf(&req, "%s %s?%s HTTP/1.1\r\nHost: %s:%s\r\n"
		    "Connection: %s\r\n", method, u->path, query, u->host, u->port,
		    keepalive ? "keep-alive" : "close") ||
		    (data != NULL && !buf_printf(&req, "Content-Type: "
		    "application/x-pki-message\r\nContent-Length: %zu\r\n", dlen)) ||
		    !buf_puts(&req, "\r\n") ||
		    (data != NULL && !buf_append(&req, data, dlen)))
			break;
		if (!lg_write_all(*fd, req.data, req.len)) {
			close(*fd);
			*fd = -1;
			if (reused)
				continue;
			break;
		}
		/* Headers, then the body by Content-Length, chunks or EOF. */
		hend = NULL;
		for (;;) {
			if ((r = recv(*fd, chunk, sizeof(chunk), 0)) < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			if (!buf_append(&raw, chunk, (size_t)r) || raw.len > LG_MAX_RESPONSE)
				goto fail;
			if (hend == NULL && (hend = strstr((char *)raw.data, "\r\n\r\n")) != NULL) {
				hlen = (size_t)(hend - (char *)raw.data) + 4;
				if ((hdr = strndup((char *)raw.data, hlen)) == NULL)
					goto fail;
				if ((v = lg_header(hdr, "Content-Length")) != NULL) {
					clen = strtoul(v, NULL, 10);
					have_len = 1;
				}
				v = lg_header(hdr, "Transfer-Encoding");
				chunked = v != NULL && strncasecmp(v, "chunked", 7) == 0;
			}
			if (hend != NULL && have_len && raw.len - hlen >= clen)
				break;
			if (hend != NULL && chunked &&
			    memmem(raw.data + hlen, raw.len - hlen, "0\r\n\r\n", 5) != NULL)
				break;
		}
		if (hdr == NULL) {
			/* A kept-alive connection the server closed: once more. */
			close(*fd);
			*fd = -1;
			if (reused)
				continue;
			break;
		}
		if (sscanf(hdr, "HTTP/1.%*d %d", &status) != 1)
			goto fail;
		hlen = strlen(hdr);
		if (chunked) {
			if (!lg_unchunk(raw.data + hlen, raw.len - hlen, body))
				goto fail;
		} else if (!buf_append(body, raw.data + hlen,
		    have_len && clen < raw.len - hlen ? clen : raw.len - hlen))
			goto fail;
		if (ctype != NULL && ctlen > 0) {
			ctype[0] = '\0';
			if ((v = lg_header(hdr, "Content-Type")) != NULL)
				snprintf(ctype, ctlen, "%.*s", (int)strcspn(v, "\r\n"), v);
		}
		v = lg_header(hdr, "Connection");
		close_after = !keepalive || (v != NULL && strncasecmp(v, "close", 5) == 0) ||
		    (!have_len && !chunked);
		if (close_after) {
			close(*fd);
			*fd = -1;
		}
	}
	buf_free(&req);
	buf_free(&raw);
	free(hdr);
	return status;
fail:
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
	buf_free(&req);
	buf_free(&raw);
	free(hdr);
	return -1;
}

/*
 * Returns the certificate requests are encrypted to and replies signed by:
 * from an RA/CA PKCS#7 the first certificate that is not a CA, else the
 * first one; from a bare certificate that certificate.  Caller frees.
 */
static X509 *
lg_recipient(const struct buf *b, const char *ctype)
{
	PKCS7			*p7 = NULL;
	STACK_OF(X509)		*certs = NULL;
	X509			*x = NULL;
	const unsigned char	*p = b->data;
	int			 i;

	if (strstr(ctype, "ca-ra-cert") == NULL)
		return d2i_X509(NULL, &p, (long)b->len);
	if ((p7 = d2i_PKCS7(NULL, &p, (long)b->len)) == NULL ||
	    !PKCS7_type_is_signed(p7) || (certs = p7->d.sign->cert) == NULL ||
	    sk_X509_num(certs) == 0)
		goto out;
	for (i = 0; i < sk_X509_num(certs); i++)
		if (X509_check_ca(sk_X509_value(certs, i)) == 0)
			break;
	x = sk_X509_value(certs, i < sk_X509_num(certs) ? i : 0);
	if (!X509_up_ref(x))
		x = NULL;
out:
	PKCS7_free(p7);
	return x;
}

/*
 * Reads up to max PEM private keys from path into a new array (caller
 * frees each key and the array); *n is how many.  A missing file gives
 * an empty array.
 */
static EVP_PKEY **
lg_keys_load(const char *path, size_t max, size_t *n)
{
	EVP_PKEY	**keys;
	FILE		*f;

	*n = 0;
	if ((keys = calloc(max, sizeof(*keys))) == NULL)
		return NULL;
	if ((f = fopen(path, "r")) == NULL)
		return keys;
	while (*n < max && (keys[*n] = PEM_read_PrivateKey(f, NULL, NULL, NULL)) != NULL)
		(*n)++;
	fclose(f);
	ERR_clear_error();
	return keys;
}

/* Writes the jobs' keys to path (mode 0600) so a later run can reuse them; returns 1 on success. */
static int
lg_keys_save(const char *path, const struct lg_job *jobs, size_t n)
{
	FILE	*f;
	size_t	 i;
	int	 fd, ok = 1;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
		return 0;
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		return 0;
	}
	for (i = 0; i < n && ok; i++)
		if (jobs[i].key != NULL)
			ok = PEM_write_PrivateKey(f, jobs[i].key, NULL, NULL, 0, NULL, NULL);
	return fclose(f) == 0 && ok;
}

/* Builds jobs off the shared cursor until none are left; returns NULL. */
static void *
lg_build_thread(void *arg)
{
	struct lg_build		*b = arg;
	struct scep_client_req	 r;
	X509_REQ		*csr;
	struct lg_job		*j;
	char			 cn[96];
	size_t			 i;

	for (;;) {
		pthread_mutex_lock(&b->lock);
		i = b->next++;
		pthread_mutex_unlock(&b->lock);
		if (i >= b->njobs)
			break;
		j = &b->jobs[i];
		snprintf(cn, sizeof(cn), "bench-%d-%zu-%ld.example.com", b->level, i,
		    (long)getpid());
		csr = NULL;
		if (i < b->nkeys && b->keys[i] != NULL && EVP_PKEY_up_ref(b->keys[i]))
			j->key = b->keys[i];
		else
			j->key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)b->bits);
		if (j->key == NULL ||
		    (j->signer = scep_client_selfsigned(j->key, cn)) == NULL ||
		    (csr = scep_client_csr(j->key, cn, b->code)) == NULL) {
			X509_REQ_free(csr);
			pthread_mutex_lock(&b->lock);
			b->failed++;
			pthread_mutex_unlock(&b->lock);
			continue;
		}
		memset(&r, 0, sizeof(r));
		r.msg_type = SCEP_MSG_PKCSREQ;
		r.csr = csr;
		r.signer_cert = j->signer;
		r.signer_key = j->key;
		r.recipient_cert = b->recipient;
		r.cipher_nid = b->cipher_nid;
		r.digest_nid = b->digest_nid;
		if ((j->msg = scep_client_request(&r, &j->msg_len)) == NULL) {
			pthread_mutex_lock(&b->lock);
			b->failed++;
			pthread_mutex_unlock(&b->lock);
		}
		X509_REQ_free(csr);
	}
	return NULL;
}

/* Sends jobs off the level's cursor until none are left or time is up; returns NULL. */
static void *
lg_send_thread(void *arg)
{
	struct lg_level	*lv = arg;
	struct lg_job	*j;
	double		 t0;
	size_t		 i;
	int		 fd = -1;

	for (;;) {
		pthread_mutex_lock(&lv->lock);
		i = lv->next++;
		pthread_mutex_unlock(&lv->lock);
		if (i >= lv->njobs || lg_now() > lv->deadline)
			break;
		j = &lv->jobs[i];
		if (j->msg == NULL)
			continue;
		t0 = lg_now();
		j->http_status = lg_http(&fd, lv->url, "POST",
		    "operation=PKIOperation", j->msg, j->msg_len, lv->keepalive,
		    &j->reply, NULL, 0);
		j->latency_ms = (lg_now() - t0) * 1000.0;
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

/*
 * A reply check for servers whose CertRep the strict parser refuses (the
 * SignerInfo carries sha256WithRSAEncryption where RFC 8894 clients such as
 * strongSwan expect rsaEncryption): verify the signature against the
 * recipient certificate, require pkiStatus SUCCESS, open the envelope.
 * Returns the issued certificate (caller frees) or NULL.
 */
static X509 *
lg_lenient_cert(const struct buf *reply, X509 *server, X509 *signer, EVP_PKEY *key,
    int *cipher_nid)
{
	CMS_ContentInfo			*cms = NULL, *env = NULL;
	STACK_OF(CMS_SignerInfo)	*sis;
	STACK_OF(X509)			*trust = NULL;
	PKCS7				*inner = NULL, *outer = NULL;
	BIO				*content = NULL, *plain = NULL;
	BUF_MEM				*bm;
	X509				*cert = NULL;
	unsigned char			*status = NULL;
	const unsigned char		*p = reply->data;
	char				*data;
	long				 n;
	size_t				 slen = 0;
	int				 loc;

	if ((cms = d2i_CMS_ContentInfo(NULL, &p, (long)reply->len)) == NULL ||
	    (trust = sk_X509_new_null()) == NULL || !sk_X509_push(trust, server) ||
	    (content = BIO_new(BIO_s_mem())) == NULL ||
	    !CMS_verify(cms, trust, NULL, NULL, content, CMS_NO_SIGNER_CERT_VERIFY |
	    CMS_BINARY) ||
	    (sis = CMS_get0_SignerInfos(cms)) == NULL || sk_CMS_SignerInfo_num(sis) != 1)
		goto out;
	loc = CMS_signed_get_attr_by_NID(sk_CMS_SignerInfo_value(sis, 0),
	    scep_oid_nid(SCEP_OID_PKISTATUS), -1);
	if (loc < 0 || (status = scep_attr_dup(CMS_signed_get_attr(
	    sk_CMS_SignerInfo_value(sis, 0), loc), &slen)) == NULL ||
	    slen != 1 || status[0] != '0')
		goto out;
	if ((n = BIO_get_mem_data(content, &data)) <= 0)
		goto out;
	p = (const unsigned char *)data;
	if ((outer = d2i_PKCS7(NULL, &p, n)) != NULL && PKCS7_type_is_enveloped(outer))
		*cipher_nid = OBJ_obj2nid(outer->d.enveloped->enc_data->algorithm->algorithm);
	/* Such servers may answer with single DES whatever was asked. */
	scep_cipher_by_nid(NID_des_cbc, 1);
	p = (const unsigned char *)data;
	if ((env = d2i_CMS_ContentInfo(NULL, &p, n)) == NULL ||
	    (plain = BIO_new(BIO_s_mem())) == NULL ||
	    !CMS_decrypt(env, key, signer, NULL, plain, CMS_BINARY))
		goto out;
	BIO_get_mem_ptr(plain, &bm);
	p = (const unsigned char *)bm->data;
	if ((inner = d2i_PKCS7(NULL, &p, (long)bm->length)) == NULL ||
	    !PKCS7_type_is_signed(inner) || sk_X509_num(inner->d.sign->cert) < 1)
		goto out;
	cert = X509_dup(sk_X509_value(inner->d.sign->cert, 0));
out:
	ERR_clear_error();
	free(status);
	PKCS7_free(inner);
	PKCS7_free(outer);
	BIO_free(content);
	BIO_free(plain);
	sk_X509_free(trust);
	CMS_ContentInfo_free(cms);
	CMS_ContentInfo_free(env);
	return cert;
}

/* qsort comparator for doubles. */
static int
lg_cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* qsort comparator for the serial strings of jobs. */
static int
lg_cmp_serial(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Frees what a job holds. */
static void
lg_job_free(struct lg_job *j)
{
	EVP_PKEY_free(j->key);
	X509_free(j->signer);
	free(j->msg);
	buf_free(&j->reply);
}

static void
lg_usage(void)
{
	fprintf(stderr, "usage: loadgen -u http://127.0.0.1:PORT/path [-n per-level] "
	    "[-c 1,2,8] [-k challenge] [-b bits] [-T seconds] [-K keyfile] [-1]\n"
	    "  -n  enrollments per concurrency level (default 400)\n"
	    "  -c  concurrency levels (default 1,2,8)\n"
	    "  -k  challenge password (default none)\n"
	    "  -b  RSA key size of the enrolled keys (default 2048)\n"
	    "  -T  time limit per level in seconds (default 300)\n"
	    "  -K  PEM file of keys: used if present, written otherwise (secret:\n"
	    "      for benchmarks only; every key must be new to the server)\n"
	    "  -1  one connection per request instead of keep-alive\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct lg_url		 url;
	struct lg_build		 b;
	struct lg_level		 lv;
	struct buf		 caps = { 0 }, cacert = { 0 };
	pthread_t		 th[LG_MAX_THREADS];
	struct lg_job		*jobs = NULL;
	X509			*recipient = NULL;
	char			 ctype[128], **serials = NULL, *list = NULL, *tok;
	const char		*url_s = NULL, *code = NULL, *levels_s = "1,2,8";
	const char		*alg, *keyfile = NULL;
	double			*lat = NULL, t0, wall, limit = 300;
	size_t			 per = 400, i, total, nlev = 0, nser = 0, k;
	long			 ncpu;
	int			 levels[LG_MAX_LEVELS], bits = 2048, keepalive = 1;
	int			 ch, fd = -1, st, l, nth, rc = 1, strict_fail = 0;
	int			 reply_cipher = NID_undef, reply_digest = NID_undef;

	memset(&b, 0, sizeof(b));
	while ((ch = getopt(argc, argv, "u:n:c:k:b:T:K:1")) != -1) {
		switch (ch) {
		case 'u': url_s = optarg; break;
		case 'n': per = strtoul(optarg, NULL, 10); break;
		case 'c': levels_s = optarg; break;
		case 'k': code = optarg; break;
		case 'b': bits = atoi(optarg); break;
		case 'T': limit = atof(optarg); break;
		case '1': keepalive = 0; break;
		case 'K': keyfile = optarg; break;
		default: lg_usage();
		}
	}
	if (url_s == NULL || !lg_parse_url(url_s, &url) || per == 0 ||
	    per > 100000 || bits < 1024 || bits > 8192 || limit <= 0)
		lg_usage();
	if ((list = strdup(levels_s)) == NULL)
		goto out;
	for (tok = strtok(list, ","); tok != NULL && nlev < LG_MAX_LEVELS;
	    tok = strtok(NULL, ",")) {
		levels[nlev] = atoi(tok);
		if (levels[nlev] < 1 || levels[nlev] > LG_MAX_THREADS)
			lg_usage();
		nlev++;
	}
	log_init("loadgen");

	/* What the server offers decides the algorithms, the same way for every server. */
	st = lg_http(&fd, &url, "GET", "operation=GetCACaps", NULL, 0, 0, &caps, NULL, 0);
	if (st != 200) {
		fprintf(stderr, "loadgen: GetCACaps answered %d\n", st);
		goto out;
	}
	if (caps.data != NULL && strstr((char *)caps.data, "AES") != NULL &&
	    strstr((char *)caps.data, "SHA-256") != NULL) {
		b.cipher_nid = NID_aes_256_cbc;
		b.digest_nid = NID_sha256;
		alg = "AES-256-CBC + SHA-256";
	} else if (caps.data != NULL && strstr((char *)caps.data, "DES3") != NULL) {
		b.cipher_nid = NID_des_ede3_cbc;
		b.digest_nid = NID_sha1;
		alg = "3DES-CBC + SHA-1";
	} else {
		b.cipher_nid = NID_des_cbc;
		b.digest_nid = NID_sha1;
		alg = "DES-CBC + SHA-1";
	}
	st = lg_http(&fd, &url, "GET", "operation=GetCACert", NULL, 0, 0, &cacert,
	    ctype, sizeof(ctype));
	if (st != 200 || cacert.data == NULL ||
	    (recipient = lg_recipient(&cacert, ctype)) == NULL) {
		fprintf(stderr, "loadgen: GetCACert answered %d (%s)\n", st, ctype);
		goto out;
	}
	printf("url %s\n", url_s);
	printf("algorithms %s\n", alg);
	{
		char	 sub[256];

		X509_NAME_oneline(X509_get_subject_name(recipient), sub, sizeof(sub));
		printf("recipient %s\n", sub);
	}
	printf("keepalive %s\n", keepalive ? "yes" : "no");

	/* Every key, CSR and request message for every level, before any timing. */
	total = per * nlev;
	if ((jobs = calloc(total, sizeof(*jobs))) == NULL ||
	    (lat = calloc(per, sizeof(*lat))) == NULL ||
	    (serials = calloc(total, sizeof(*serials))) == NULL)
		goto out;
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	nth = ncpu < 1 ? 1 : ncpu > LG_MAX_THREADS ? LG_MAX_THREADS : (int)ncpu;
	if (keyfile != NULL && (b.keys = lg_keys_load(keyfile, total, &b.nkeys)) == NULL)
		goto out;
	b.recipient = recipient;
	b.code = code;
	b.bits = bits;
	b.jobs = jobs;
	b.njobs = total;
	b.level = 0;
	pthread_mutex_init(&b.lock, NULL);
	t0 = lg_now();
	for (l = 0; l < nth; l++)
		pthread_create(&th[l], NULL, lg_build_thread, &b);
	for (l = 0; l < nth; l++)
		pthread_join(th[l], NULL);
	pthread_mutex_destroy(&b.lock);
	printf("prepared %zu requests (RSA %d, %zu keys reused) in %.1f s on %d threads, "
	    "%d failed\n", total, bits, b.nkeys < total ? b.nkeys : total,
	    lg_now() - t0, nth, b.failed);
	if (keyfile != NULL && b.nkeys < total && !lg_keys_save(keyfile, jobs, total))
		fprintf(stderr, "loadgen: cannot write %s\n", keyfile);
	fflush(stdout);

	for (k = 0; k < nlev; k++) {
		struct lg_job	*lj = jobs + k * per;
		size_t		 ok = 0, fails = 0, sent = 0, nlat = 0;

		memset(&lv, 0, sizeof(lv));
		lv.url = &url;
		lv.jobs = lj;
		lv.njobs = per;
		lv.keepalive = keepalive;
		pthread_mutex_init(&lv.lock, NULL);
		t0 = lg_now();
		lv.deadline = t0 + limit;
		for (l = 0; l < levels[k]; l++)
			pthread_create(&th[l], NULL, lg_send_thread, &lv);
		for (l = 0; l < levels[k]; l++)
			pthread_join(th[l], NULL);
		wall = lg_now() - t0;
		pthread_mutex_destroy(&lv.lock);

		/* Now, with the clock stopped, check every answer. */
		for (i = 0; i < per; i++) {
			struct lg_job		*j = &lj[i];
			struct scep_reply	*rep = NULL;
			X509			*cert = NULL;
			int			 good = 0;

			if (j->http_status != 0)
				sent++;
			if (j->http_status == 200 && j->reply.len > 0) {
				rep = scep_client_parse_reply(j->reply.data, j->reply.len,
				    recipient, j->signer, j->key);
				if (rep != NULL && rep->status == SCEP_STATUS_SUCCESS &&
				    sk_X509_num(rep->certs) > 0) {
					cert = X509_dup(sk_X509_value(rep->certs, 0));
					reply_cipher = rep->cipher_nid;
					reply_digest = rep->digest_nid;
				} else if (rep == NULL &&
				    (cert = lg_lenient_cert(&j->reply, recipient,
				    j->signer, j->key, &reply_cipher)) != NULL)
					strict_fail++;
				scep_reply_free(rep);
			}
			if (cert != NULL) {
				EVP_PKEY	*pk = X509_get0_pubkey(cert);
				BIGNUM		*bn;
				char		*hex;

				good = pk != NULL && EVP_PKEY_eq(pk, j->key) == 1;
				bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
				hex = bn != NULL ? BN_bn2hex(bn) : NULL;
				if (hex != NULL) {
					snprintf(j->serial, sizeof(j->serial), "%s", hex);
					serials[nser++] = j->serial;
				}
				OPENSSL_free(hex);
				BN_free(bn);
				X509_free(cert);
			}
			if (good) {
				ok++;
				lat[nlat++] = j->latency_ms;
			} else
				fails++;
		}
		ERR_clear_error();
		qsort(lat, nlat, sizeof(*lat), lg_cmp_double);
		printf("level concurrency=%d n=%zu sent=%zu ok=%zu fail=%zu wall=%.2fs "
		    "rate=%.1f/s p50=%.1fms p99=%.1fms\n", levels[k], per, sent, ok,
		    fails, wall, wall > 0 ? (double)ok / wall : 0.0,
		    nlat ? lat[nlat / 2] : 0.0,
		    nlat ? lat[nlat * 99 / 100 < nlat ? nlat * 99 / 100 : nlat - 1] : 0.0);
		fflush(stdout);
	}
	qsort(serials, nser, sizeof(*serials), lg_cmp_serial);
	{
		size_t	 dup = 0;

		for (i = 1; i < nser; i++)
			if (strcmp(serials[i], serials[i - 1]) == 0)
				dup++;
		printf("serials %zu duplicates %zu\n", nser, dup);
	}
	printf("reply-cipher %s\n", reply_cipher == NID_undef ? "unknown" : OBJ_nid2sn(reply_cipher));
	if (reply_digest != NID_undef)
		printf("reply-digest %s\n", OBJ_nid2sn(reply_digest));
	if (strict_fail > 0)
		printf("note %d replies failed the strict RFC 8894 check "
		    "(SignerInfo signature algorithm not rsaEncryption) and were "
		    "accepted by the lenient one\n", strict_fail);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (jobs != NULL)
		for (i = 0; i < per * nlev; i++)
			lg_job_free(&jobs[i]);
	free(jobs);
	for (i = 0; i < b.nkeys; i++)
		EVP_PKEY_free(b.keys[i]);
	free(b.keys);
	free(lat);
	free(serials);
	free(list);
	X509_free(recipient);
	buf_free(&caps);
	buf_free(&cacert);
	scep_cleanup();
	return rc;
}
