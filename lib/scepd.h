/*
 * scepd: the server side of SCEP (RFC 8894, SPEC 4.5.1) over the scep
 * codec — enrollment and renewal (challenge, policy, issue, record the
 * request, the transaction and the audit event in one database
 * transaction), CertPoll, GetCert and GetCRL, each filling in the CertRep
 * the program then signs and sends.
 */
#ifndef CERTDESK_SCEPD_H
#define CERTDESK_SCEPD_H

#include <openssl/x509.h>

#include "app.h"
#include "cacache.h"
#include "issue.h"
#include "scep.h"
#include "store.h"
#include "web.h"

/* What one request works with; everything is freed after the request. */
struct scepd_req {
	struct app	*app;
	struct req	*r;
	struct customer	*customer;
	struct endpoint	*endpoint;
	struct ca_rec	*rec;
	struct cacache	*cache;
	struct actor	 actor;
	char		 actor_name[160];
};

/* The CertRep being prepared for one pkiMessage. */
struct scepd_answer {
	int		 status;
	int		 fail_info;
	char		 text[200];
	STACK_OF(X509)	*certs;
	X509_CRL	*crl;
	int		 audited;	/* a handler wrote the audit event itself */
};

/* Sets a FAILURE answer with a printf-formatted failInfoText; returns 0. */
int	 scepd_answer_fail(struct scepd_answer *, int fail_info,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Sets a SUCCESS answer carrying one certificate (up-referenced); returns 1. */
int	 scepd_answer_cert(struct scepd_answer *, X509 *);
/*
 * Writes an audit event for this endpoint (object, else the endpoint's
 * name) with msg's transactionID and what in its detail.
 */
void	 scepd_audit(struct scepd_req *, const char *action,
	    const char *object, const char *outcome,
	    const struct scep_msg *msg, const char *what);

/*
 * The handlers of one verified pkiMessage (c->cache loaded): each fills
 * in a, and sets a->audited when it wrote the audit event itself; a
 * FAILURE it did not audit is the caller's to audit.
 */
/* PKCSReq and RenewalReq; takes msg's CSR over. */
void	 scepd_enroll(struct scepd_req *c, struct scep_msg *msg,
	    struct scepd_answer *a);
/* CertPoll: the state of an earlier PKCSReq by transactionID. */
void	 scepd_poll(struct scepd_req *c, const struct scep_msg *msg,
	    struct scepd_answer *a);
/* GetCert: a certificate we issued, by issuer and serial. */
void	 scepd_getcert(struct scepd_req *c, const struct scep_msg *msg,
	    struct scepd_answer *a);
/* GetCRL: the current CRL of our CA (in a->crl, the caller frees). */
void	 scepd_getcrl(struct scepd_req *c, const struct scep_msg *msg,
	    struct scepd_answer *a);

#endif
