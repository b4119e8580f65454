/* issue: request -> certificate, decline, revoke, CRL publication. */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "ca.h"
#include "csr.h"
#include "file.h"
#include "issue.h"
#include "log.h"
#include "policy.h"

static const char *const reason_names[] = {
	"unspecified", "keyCompromise", "cACompromise", "affiliationChanged",
	"superseded", "cessationOfOperation", "certificateHold", NULL,
	"removeFromCRL", "privilegeWithdrawn", "aACompromise"
};

int
issue_reason_code(const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof(reason_names) / sizeof(reason_names[0]); i++)
		if (reason_names[i] != NULL &&
		    strcasecmp(reason_names[i], name) == 0)
			return (int)i;
	return -1;
}

const char *
issue_reason_name(int code)
{
	if (code < 0 || code >= (int)(sizeof(reason_names) /
	    sizeof(reason_names[0])) || reason_names[code] == NULL)
		return "unspecified";
	return reason_names[code];
}

char *
issue_crl_path(const struct config *cfg, const char *customer_uri,
    const char *ca_name)
{
	struct buf	 b = { 0 };

	if (!buf_printf(&b, "%s/%s/%s.crl",
	    config_get(cfg, "CRL.Dir", "/var/lib/certdesk/crl"),
	    customer_uri, ca_name)) {
		buf_free(&b);
		return NULL;
	}
	return buf_take(&b);
}

char *
issue_crl_url(const struct config *cfg, const char *customer_uri,
    const char *ca_name)
{
	struct buf	 b = { 0 };

	if (!buf_printf(&b, "%s/customer/%s/crl/%s.crl",
	    config_get(cfg, "BaseURL", "http://localhost"), customer_uri,
	    ca_name)) {
		buf_free(&b);
		return NULL;
	}
	return buf_take(&b);
}

/* Loads the CA record's keys; returns the CA (caller frees) or NULL. */
static struct ca *
load_ca(const struct ca_rec *rec)
{
	return ca_load(rec->cert_pem, rec->key_uri,
	    rec->chain_pem[0] ? rec->chain_pem : NULL, rec->ra_cert_pem,
	    rec->ra_key_uri);
}

/*
 * Writes a CRL to a new file beside path, creating the CA's directory
 * when needed; returns its name (caller frees; install_crl removes it),
 * or NULL.
 */
static char *
write_temp_crl(const char *path, const unsigned char *der, size_t len)
{
	if (!issue_crl_dir(path))
		return NULL;
	return file_write_temp(path, der, len, 0644);
}

int
issue_crl_dir(const char *path)
{
	char	 dir[4096], *slash;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir) ||
	    (slash = strrchr(dir, '/')) == NULL)
		return 0;
	*slash = '\0';
	/*
	 * The web server serves this directory: 0755 whatever the umask
	 * (the CLI's 027, a service's 077), like the files' explicit 0644.
	 */
	if (mkdir(dir, 0755) == 0) {
		if (chmod(dir, 0755) == -1) {
			log_err("chmod %s: %s", dir, strerror(errno));
			return 0;
		}
	} else if (errno != EEXIST) {
		log_err("mkdir %s: %s", dir, strerror(errno));
		return 0;
	}
	return 1;
}

/*
 * Returns the crlNumber of the CRL at path read from its DER, or 0 when
 * there is none or it does not read as a CRL (then any CRL of ours
 * replaces it).
 */
static long long
decoded_crl_number(const char *path)
{
	X509_CRL	*crl = NULL;
	ASN1_INTEGER	*num = NULL;
	FILE		*f;
	int64_t		 n = 0;

	if ((f = fopen(path, "rb")) == NULL)
		return 0;
	crl = d2i_X509_CRL_fp(f, NULL);
	(void)fclose(f);
	if (crl != NULL && (num = X509_CRL_get_ext_d2i(crl, NID_crl_number,
	    NULL, NULL)) != NULL && !ASN1_INTEGER_get_int64(&n, num))
		n = 0;
	ASN1_INTEGER_free(num);
	X509_CRL_free(crl);
	return n;
}

/*
 * Returns the name of the file beside the CRL at path that records its
 * number (caller frees), or NULL.
 */
static char *
crl_number_path(const char *path)
{
	char	*s;
	size_t	 len = strlen(path) + sizeof(".number");

	if ((s = malloc(len)) != NULL)
		(void)snprintf(s, len, "%s.number", path);
	return s;
}

/*
 * Returns 1 after writing the line the number file holds for the CRL st
 * describes to buf: the number, then what tells that very file apart, so
 * a number file left behind by an interrupted publication never vouches
 * for a CRL it was not written for.
 */
static int
crl_number_line(char *buf, size_t size, long long number,
    const struct stat *st)
{
	int	 n;

	n = snprintf(buf, size, "%lld %llu %lld %lld %ld\n", number,
	    (unsigned long long)st->st_ino, (long long)st->st_size,
	    (long long)st->st_mtim.tv_sec, (long)st->st_mtim.tv_nsec);
	return n > 0 && (size_t)n < size;
}

/*
 * Returns the crlNumber of the CRL published at path, or 0 when there is
 * none or it does not read as a CRL.  The number file answers when it
 * matches the CRL; decoding a CRL of many entries costs more than
 * building it, so that is the fallback (a CRL published before number
 * files existed, or one whose number file did not get written).
 */
static long long
published_crl_number(const char *path)
{
	struct stat	 st;
	char		*npath, line[160], want[160], *end;
	FILE		*f;
	long long	 n;

	if (stat(path, &st) == -1)
		return 0;
	if ((npath = crl_number_path(path)) == NULL)
		return decoded_crl_number(path);
	line[0] = '\0';
	if ((f = fopen(npath, "r")) != NULL) {
		if (fgets(line, sizeof(line), f) == NULL)
			line[0] = '\0';
		(void)fclose(f);
	}
	free(npath);
	errno = 0;
	n = strtoll(line, &end, 10);
	if (errno == 0 && end != line && n > 0 &&
	    crl_number_line(want, sizeof(want), n, &st) &&
	    strcmp(line, want) == 0)
		return n;
	return decoded_crl_number(path);
}

/*
 * Records number as that of the CRL just installed at path (under the
 * directory lock); returns 1, or 0 when it could not (logged), which
 * costs the next publisher a decode but nothing else.
 */
static int
write_crl_number(const char *path, long long number)
{
	struct stat	 st;
	char		*npath = NULL, *tmp = NULL, line[160];
	int		 ok = 0;

	if (stat(path, &st) == -1 ||
	    !crl_number_line(line, sizeof(line), number, &st) ||
	    (npath = crl_number_path(path)) == NULL)
		goto out;
	if ((tmp = file_write_temp(npath, line, strlen(line), 0644)) == NULL)
		goto out;
	ok = file_install(tmp, npath, FILE_REPLACE) == 1;
out:
	if (!ok)
		log_err("CRL %lld: number file of %s not written", number,
		    path);
	free(tmp);
	free(npath);
	return ok;
}

/*
 * Renames the CRL in tmp (numbered number) over path unless path already
 * holds a CRL with a number at least as high, which then wins, and tmp is
 * removed; returns 1 when path holds one or the other.  Publishers of one CA can finish in
 * any order, so the comparison and the rename run under an exclusive
 * flock on the directory (the rename replaces path itself, so a lock on
 * it would not hold).  A higher number was allocated later, and each
 * publisher reads the revocations after its number committed, so the
 * CRL that wins lists every revocation the losing one listed that is
 * still in force.
 */
static int
install_crl(const char *path, char *tmp, long long number)
{
	char		 dir[4096], *slash;
	long long	 current;
	int		 dfd, ok = 0;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL)
		return 0;
	*slash = '\0';
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		log_err("open %s: %s", dir, strerror(errno));
		(void)unlink(tmp);
		return 0;
	}
	if (flock(dfd, LOCK_EX) == -1) {
		log_err("flock %s: %s", dir, strerror(errno));
		goto out;
	}
	if ((current = published_crl_number(path)) >= number) {
		log_info("CRL %lld not installed: %s holds number %lld",
		    number, path, current);
		ok = 1;
		goto out;
	}
	ok = file_install(tmp, path, FILE_REPLACE) == 1;
	tmp = NULL;
	if (ok)
		(void)write_crl_number(path, number);
out:
	if (tmp != NULL)
		(void)unlink(tmp);
	close(dfd);	/* releases the lock */
	return ok;
}

int
issue_publish_crl(struct db *db, const struct config *cfg, long long ca_id)
{
	struct ca_rec		*rec = NULL;
	struct customer		*cust = NULL;
	struct revoked_list	*rl = NULL;
	struct ca_revoked	*entries = NULL;
	struct ca		*ca = NULL;
	unsigned char		*der = NULL;
	char			*path = NULL, *tmp = NULL;
	size_t			 len = 0, i;
	long long		 number = -1;
	int			 ok = 0;

	/*
	 * Inside a caller's transaction the CRL would list what may still
	 * roll back, and would build under the write lock.
	 */
	if (db_in_transaction(db)) {
		log_err("CRL of CA %lld: publication inside a transaction",
		    ca_id);
		return 0;
	}
	if ((rec = store_ca_by_id(db, ca_id)) == NULL ||
	    (cust = store_customer_by_id(db, rec->customer_id)) == NULL ||
	    (path = issue_crl_path(cfg, cust->uri, rec->name)) == NULL ||
	    (ca = load_ca(rec)) == NULL)
		goto out;
	/*
	 * The number in a transaction of its own: committed even if the
	 * publication fails below, so no two CRLs ever share a number.
	 */
	if (!db_begin(db))
		goto out;
	/*
	 * Above the published CRL's number too: after a restore from an
	 * older backup the database's counter is behind the file, and a
	 * lower number would never replace it (install_crl).
	 */
	if (!store_ca_crl_number_floor(db, ca_id, published_crl_number(path)) ||
	    (number = store_ca_next_crl_number(db, ca_id)) < 0 ||
	    !db_commit(db)) {
		db_rollback(db);
		number = -1;
		goto out;
	}
	/* Read after the number committed: see install_crl. */
	if ((rl = store_revoked_list(db, ca_id, store_now())) == NULL)
		goto out;
	if ((entries = calloc(rl->n + 1, sizeof(*entries))) == NULL)
		goto out;
	for (i = 0; i < rl->n; i++) {
		entries[i].serial_hex = rl->items[i]->serial;
		entries[i].revoked_at = rl->items[i]->revoked_at;
		entries[i].reason = rl->items[i]->reason;
	}
	der = ca_crl(ca, entries, rl->n, number,
	    config_int(cfg, "CRL.Days", 7), &len);
	if (der == NULL)
		goto out;
	if ((tmp = write_temp_crl(path, der, len)) == NULL)
		goto out;
	ok = install_crl(path, tmp, number);
out:
	if (!ok)
		log_err("CRL %lld of CA %lld not published", number, ca_id);
	free(path);
	free(tmp);
	free(der);
	ca_free(ca);
	free(entries);
	store_revoked_list_free(rl);
	store_customer_free(cust);
	store_ca_free(rec);
	return ok;
}

/* Splits a comma-separated list into trimmed non-empty items; caller frees both. */
static char **
split_list(const char *s, size_t *n, char **storage)
{
	char	**v = NULL, *p, *tok, *save = NULL;
	size_t	  cap = 0;

	*n = 0;
	if ((*storage = strdup(s ? s : "")) == NULL)
		return NULL;
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return NULL;
	for (p = *storage; (tok = strtok_r(p, ",", &save)) != NULL; p = NULL) {
		char	*end;
		char	**nv;

		while (*tok == ' ' || *tok == '\t')
			tok++;
		end = tok + strlen(tok);
		while (end > tok && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*tok == '\0')
			continue;
		if (*n + 1 >= cap) {
			cap = cap ? cap * 2 : 8;
			if ((nv = reallocarray(v, cap, sizeof(*v))) == NULL) {
				free(v);
				return NULL;
			}
			v = nv;
		}
		v[(*n)++] = tok;
	}
	return v;
}

/* Converts an ASN1_TIME to seconds since the epoch; returns 1 on success. */
static int
asn1_time_epoch(const ASN1_TIME *t, long long *out)
{
	struct tm	 tm;

	if (ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	*out = (long long)timegm(&tm);
	return 1;
}

/* Returns 1 if s looks like an IPv4 or IPv6 literal. */
static int
is_ip(const char *s)
{
	return strchr(s, ':') != NULL ||
	    strspn(s, "0123456789.") == strlen(s);
}

/* Returns the RFC 2253 text of name (caller frees) or NULL. */
static char *
name_text(const X509_NAME *name)
{
	BIO	*mem;
	char	*s = NULL;
	BUF_MEM	*bm;

	if ((mem = BIO_new(BIO_s_mem())) == NULL)
		return NULL;
	if (X509_NAME_print_ex(mem, name, 0, XN_FLAG_RFC2253) >= 0) {
		BIO_get_mem_ptr(mem, &bm);
		if ((s = malloc(bm->length + 1)) != NULL) {
			memcpy(s, bm->data, bm->length);
			s[bm->length] = '\0';
		}
	}
	BIO_free(mem);
	return s;
}

void
issue_cert_free(struct issue_cert *ic)
{
	if (ic == NULL)
		return;
	X509_free(ic->cert);
	free(ic->der);
	free(ic->subject);
	memset(ic, 0, sizeof(*ic));
}

int
issue_make(const struct ca *ca, const char *crl_url, const struct request *r,
    const struct csr *csr, const struct org *org, const struct profile *prof,
    const X509_NAME *subject, struct issue_cert *out)
{
	struct ca_issue	 spec;
	struct issue_cert ic;
	X509_NAME	*subj = NULL;
	char		*storage = NULL;
	char		**items = NULL;
	const char	**dns = NULL, **emails = NULL, **ips = NULL;
	size_t		 nitems = 0, ndns = 0, nemails = 0, nips = 0, i;
	int		 ok = 0;

	memset(&ic, 0, sizeof(ic));
	if (subject != NULL)
		subj = X509_NAME_dup(subject);
	else
		subj = policy_subject(r->type, csr,
		    org->o, org->ou, org->l, org->st, org->c);
	if (subj == NULL)
		goto out;
	/* SANs are what policy accepted at submission, stored on the request. */
	if ((items = split_list(r->sans, &nitems, &storage)) == NULL)
		goto out;
	dns = calloc(nitems + 1, sizeof(*dns));
	emails = calloc(nitems + 1, sizeof(*emails));
	ips = calloc(nitems + 1, sizeof(*ips));
	if (dns == NULL || emails == NULL || ips == NULL)
		goto out;
	for (i = 0; i < nitems; i++) {
		if (strchr(items[i], '@') != NULL)
			emails[nemails++] = items[i];
		else if (is_ip(items[i]))
			ips[nips++] = items[i];
		else
			dns[ndns++] = items[i];
	}
	memset(&spec, 0, sizeof(spec));
	spec.pubkey = csr->pkey;
	/*
	 * The CSR's own encoding: no re-encoding of a verified key.  A key
	 * the server made has no request around it; ca encodes it.
	 */
	spec.spki = csr->req != NULL ? X509_REQ_get_X509_PUBKEY(csr->req) :
	    NULL;
	spec.subject = subj;
	spec.dns = dns;
	spec.ndns = ndns;
	spec.emails = emails;
	spec.nemails = nemails;
	spec.ips = ips;
	spec.nips = nips;
	spec.days = r->term_days;
	spec.key_usage = policy_key_usage(r->type, prof->key_usage,
	    csr->pkey);
	spec.ext_key_usage = prof->ext_key_usage;
	spec.crl_url = crl_url;
	spec.backdate = 300;
	if ((ic.cert = ca_issue(ca, &spec, ic.serial)) == NULL)
		goto out;
	if ((ic.der = ca_cert_der(ic.cert, &ic.len)) == NULL ||
	    (ic.subject = name_text(X509_get_subject_name(ic.cert))) == NULL)
		goto out;
	/* The CA may cut the validity to its own; record what was signed. */
	if (!asn1_time_epoch(X509_get0_notBefore(ic.cert), &ic.not_before) ||
	    !asn1_time_epoch(X509_get0_notAfter(ic.cert), &ic.not_after))
		goto out;
	*out = ic;
	memset(&ic, 0, sizeof(ic));
	ok = 1;
out:
	issue_cert_free(&ic);
	free(dns);
	free(emails);
	free(ips);
	free(items);
	free(storage);
	X509_NAME_free(subj);
	return ok;
}

int
issue_record(struct db *db, long long request_id, const char *cert_id,
    long long ca_id, const struct issue_cert *ic)
{
	if (!store_request_set_issued(db, request_id, ca_id, ic->subject,
	    ic->der, ic->len, ic->serial, ic->not_before, ic->not_after))
		return 0;
	log_info("issued %s serial %s", cert_id, ic->serial);
	return 1;
}

long long
issue_add_issued(struct db *db, struct request *r, long long ca_id,
    const struct issue_cert *ic)
{
	struct request	 row = *r;
	long long	 id;

	row.status = REQ_ISSUED;
	row.ca_id = ca_id;
	row.subject = ic->subject;
	row.cert_der = ic->der;
	row.cert_len = ic->len;
	row.serial = (char *)ic->serial;
	row.not_before = ic->not_before;
	row.not_after = ic->not_after;
	id = store_request_add(db, &row);
	/* The store allocated the certificate ID; it goes back with r. */
	r->cert_id = row.cert_id;
	if (id == 0)
		return 0;
	r->id = id;
	r->requested_at = row.requested_at;
	log_info("issued %s serial %s", r->cert_id, ic->serial);
	return id;
}

X509 *
issue_sign(struct db *db, const struct ca *ca, long long ca_id,
    const char *crl_url, const struct request *r, const struct csr *csr,
    const struct org *org, const struct profile *prof,
    const X509_NAME *subject)
{
	struct issue_cert	 ic;
	X509			*ret = NULL;

	if (!issue_make(ca, crl_url, r, csr, org, prof, subject, &ic))
		return NULL;
	if (issue_record(db, r->id, r->cert_id, ca_id, &ic)) {
		ret = ic.cert;
		ic.cert = NULL;
	}
	issue_cert_free(&ic);
	return ret;
}

/* Returns 1 when a request in status s may still be approved and issued. */
static int
approvable(enum req_status s)
{
	switch (s) {
	case REQ_REQUESTED:
	case REQ_APPROVED:
	case REQ_AWAITING_VALIDATION:
		return 1;
	case REQ_INVITED:
	case REQ_APPLIED:
	case REQ_ISSUED:
	case REQ_DECLINED:
	case REQ_REJECTED:
	case REQ_REVOKED:
	case REQ_EXPIRED:
	case REQ__MAX:
		return 0;
	}
	return 0;
}

int
issue_request(struct db *db, const struct config *cfg, long long id,
    const struct actor *who, char *err, size_t errlen)
{
	struct request	*r = NULL;
	struct ca_rec	*rec = NULL;
	struct customer	*cust = NULL;
	struct profile	*prof = NULL;
	struct org	*org = NULL;
	struct csr	*csr = NULL;
	struct ca	*ca = NULL;
	X509		*cert = NULL;
	BIGNUM		*bn = NULL;
	char		*crl = NULL, *serial = NULL, cerr[256];
	int		 ok = 0, began = 0;

	snprintf(err, errlen, "internal error");
	if (!db_begin(db))
		goto out;
	began = 1;
	if ((r = store_request_by_id(db, id)) == NULL) {
		snprintf(err, errlen, "no such request");
		goto out;
	}
	if (!approvable(r->status)) {
		snprintf(err, errlen, "request %s is %s, not Requested",
		    r->cert_id, store_status_name(r->status));
		goto out;
	}
	if (strcmp(r->via, "bulk") == 0) {
		snprintf(err, errlen, "request %s is a line of a bulk request; "
		    "use certdesk bulk approve or process", r->cert_id);
		goto out;
	}
	if (r->csr_der == NULL) {
		snprintf(err, errlen, "request %s has no CSR", r->cert_id);
		goto out;
	}
	if ((cust = store_customer_by_id(db, r->customer_id)) == NULL ||
	    (prof = store_profile_by_id(db, r->profile_id)) == NULL ||
	    (org = store_org_by_id(db, r->org_id)) == NULL)
		goto out;
	if ((rec = store_ca_for_customer(db, r->customer_id)) == NULL) {
		snprintf(err, errlen, "customer %s has no CA "
		    "(run: certdesk ca init)", cust->uri);
		goto out;
	}
	/* Verified when it was submitted; the stored copy may lack its challenge. */
	if ((csr = csr_parse_stored(r->csr_der, r->csr_len, cerr,
	    sizeof(cerr))) == NULL) {
		snprintf(err, errlen, "stored CSR unusable: %s", cerr);
		goto out;
	}
	if ((ca = load_ca(rec)) == NULL) {
		snprintf(err, errlen, "the CA key cannot be loaded");
		goto out;
	}
	if ((crl = issue_crl_url(cfg, cust->uri, rec->name)) == NULL)
		goto out;
	if ((cert = issue_sign(db, ca, rec->id, crl, r, csr, org, prof,
	    NULL)) == NULL) {
		snprintf(err, errlen, "the CA could not sign and record the "
		    "certificate");
		goto out;
	}
	if ((bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL)) ==
	    NULL || (serial = BN_bn2hex(bn)) == NULL)
		goto out;
	audit_event(db, r->customer_id, who, "certificate.issue", r->cert_id,
	    "success", serial);
	if (!db_commit(db))
		goto out;
	began = 0;
	ok = 1;
	err[0] = '\0';
out:
	if (began)
		db_rollback(db);
	OPENSSL_free(serial);
	BN_free(bn);
	X509_free(cert);
	free(crl);
	ca_free(ca);
	csr_free(csr);
	store_org_free(org);
	store_profile_free(prof);
	store_customer_free(cust);
	store_ca_free(rec);
	store_request_free(r);
	return ok;
}

int
issue_decline(struct db *db, long long id, const char *reason,
    const struct actor *who, char *err, size_t errlen)
{
	struct request	*r = NULL;
	int		 ok = 0;

	if (!db_begin(db)) {
		snprintf(err, errlen, "database busy");
		return 0;
	}
	if ((r = store_request_by_id(db, id)) == NULL) {
		snprintf(err, errlen, "no such request");
		goto out;
	}
	/* A bulk line's request follows its line (certdesk bulk decline). */
	if (strcmp(r->via, "bulk") == 0) {
		snprintf(err, errlen, "request %s is a line of a bulk request; "
		    "use certdesk bulk decline", r->cert_id);
		goto out;
	}
	if (!store_request_decline(db, id, reason)) {
		snprintf(err, errlen, "request %s is %s, not Requested",
		    r->cert_id, store_status_name(r->status));
		goto out;
	}
	audit_event(db, r->customer_id, who, "request.decline", r->cert_id,
	    "success", reason);
	ok = db_commit(db);
out:
	if (!ok)
		db_rollback(db);
	store_request_free(r);
	return ok;
}

/*
 * Revokes row id (Issued) or, with again set, changes the reason of its
 * revocation (Revoked); the body of issue_revoke and issue_revoke_reason.
 */
static int
revoke_commit(struct db *db, const struct config *cfg, long long id,
    int reason, const char *comment, const struct actor *who, int again,
    char *err, size_t errlen)
{
	struct request	*r = NULL;
	char		 detail[96];
	int		 ok = 0;

	if (!db_begin(db)) {
		snprintf(err, errlen, "database busy");
		return 0;
	}
	if ((r = store_request_by_id(db, id)) == NULL) {
		snprintf(err, errlen, "no such certificate");
		goto out;
	}
	if (again ? !store_request_set_revoke_reason(db, id, reason,
	    comment) : !store_request_revoke(db, id, reason, comment)) {
		if (again && r->status == REQ_REVOKED)
			snprintf(err, errlen, "certificate %s is already "
			    "revoked with reason %s", r->cert_id,
			    issue_reason_name(reason));
		else
			snprintf(err, errlen, "certificate %s is %s, not %s",
			    r->cert_id, store_status_name(r->status),
			    again ? "Revoked" : "Issued");
		goto out;
	}
	if (again)
		snprintf(detail, sizeof(detail), "%s (was %s)",
		    issue_reason_name(reason),
		    issue_reason_name(r->revoke_reason));
	else
		snprintf(detail, sizeof(detail), "%s",
		    issue_reason_name(reason));
	audit_event(db, r->customer_id, who, "certificate.revoke", r->cert_id,
	    "success", detail);
	if (!db_commit(db)) {
		snprintf(err, errlen, "the revocation could not be recorded");
		goto out;
	}
	ok = 1;
	err[0] = '\0';
	/*
	 * Only a committed revocation may reach the CRL; the caller tells
	 * nobody before this returns.  It stays revoked if the CRL cannot
	 * be written: the next publication lists it.
	 */
	if (!issue_publish_crl(db, cfg, r->ca_id))
		snprintf(err, errlen, "the CRL could not be published; run "
		    "certdesk crl generate");
out:
	if (!ok)
		db_rollback(db);
	store_request_free(r);
	return ok;
}

int
issue_revoke(struct db *db, const struct config *cfg, long long id,
    int reason, const char *comment, const struct actor *who, char *err,
    size_t errlen)
{
	return revoke_commit(db, cfg, id, reason, comment, who, 0, err,
	    errlen);
}

int
issue_revoke_reason(struct db *db, const struct config *cfg, long long id,
    int reason, const char *comment, const struct actor *who, char *err,
    size_t errlen)
{
	return revoke_commit(db, cfg, id, reason, comment, who, 1, err,
	    errlen);
}

int
issue_renewable(const struct request *old, long long now, const char **reason)
{
	/* Anything but Issued (revoked, on hold, replaced) ends renewal. */
	if (old->status != REQ_ISSUED) {
		*reason = "revoked";
		return 0;
	}
	if (old->not_after <= now) {
		*reason = "expired";
		return 0;
	}
	*reason = NULL;
	return 1;
}
