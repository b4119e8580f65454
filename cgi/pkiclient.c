/*
 * pkiclient.exe: the SCEP server (RFC 8894, SPEC 4.5.1) at
 * /customer/<uri>/scep/<ext>/pkiclient.exe[/anything].
 *
 * GetCACaps, GetCACert and GetNextCACert answer from the customer's CA
 * record; PKIOperation carries PKCSReq, RenewalReq, CertPoll, GetCert and
 * GetCRL.  Once a message's transactionID and senderNonce are readable,
 * every outcome is a signed CertRep; only an unreadable message gets
 * HTTP 400.  What each message does is lib/scepd.c; this program decodes,
 * dispatches and answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "app.h"
#include "cacache.h"
#include "log.h"
#include "scep.h"
#include "scepd.h"

#define MAX_BODY		((size_t)64 * 1024)	/* pkiMessages are a few KiB */
#define MAX_MESSAGE		((size_t)2 * MAX_BODY)	/* the same in base64, URL-encoded */
#define SIGNING_TIME_SLACK	86400		/* devices without a clock drift */
#define CT_PKI			"application/x-pki-message"
#define CT_NEXT_CA		"application/x-x509-next-ca-cert"

enum key {
	KEY_OPERATION,
	KEY_MESSAGE,
	KEY__MAX
};

static int	page_caps(struct app_req *);
static int	page_cacert(struct app_req *);
static int	page_nextcacert(struct app_req *);
static int	page_pki(struct app_req *);

/* Operations answer GET and POST alike: clients differ in what they send. */
static const struct app_page pages[] = {
	{ "GetCACaps", NULL, APP_GET | APP_POST, NULL, NULL, page_caps },
	{ "GetCACert", NULL, APP_GET | APP_POST, NULL, NULL, page_cacert },
	{ "GetNextCACert", NULL, APP_GET | APP_POST, NULL, NULL,
	    page_nextcacert },
	{ "PKIOperation", NULL, APP_GET | APP_POST, NULL, NULL, page_pki },
};

/* A GET PKIOperation carries the whole pkiMessage in base64. */
static const struct field fields[KEY__MAX] = {
	[KEY_OPERATION] = { "operation", field_line, 64, 0, 0, 0 },
	[KEY_MESSAGE] = { "message", field_text, MAX_MESSAGE, 0, 0, 0 },
};

static const enum endpoint_type types[] = {
	ENDPOINT_SCEP_DEVICE,
	ENDPOINT_SCEP_SMIME,
};

static const struct program program = {
	.name = "pkiclient.exe",
	.segment = "scep",
	.match = ENDPOINT_FIRST_SEGMENT,
	.types = types,
	.n_types = sizeof(types) / sizeof(types[0]),
	.not_found = "There is no SCEP service at this address.",
	.max_body = MAX_BODY,
	.raw_body = 1,
	.plain_errors = 1,
	/* The endpoint's legacy_des can change while a worker runs. */
	.fresh_sites = 1,
	.page_param = "operation",
	.page_nocase = 1,
	.pages = pages,
	.n_pages = sizeof(pages) / sizeof(pages[0]),
	.fields = fields,
	.n_fields = KEY__MAX,
};

/* Returns the audit action name of a messageType. */
static const char *
action_name(int type)
{
	switch (type) {
	case SCEP_MSG_PKCSREQ:
		return "scep.enroll";
	case SCEP_MSG_RENEWALREQ:
		return "scep.renew";
	case SCEP_MSG_CERTPOLL:
		return "scep.poll";
	case SCEP_MSG_GETCERT:
		return "scep.getcert";
	case SCEP_MSG_GETCRL:
		return "scep.getcrl";
	default:
		return "scep.request";
	}
}

/* Returns 1 for the messageTypes whose SUCCESS carries an envelope. */
static int
may_succeed(int type)
{
	return type == SCEP_MSG_PKCSREQ || type == SCEP_MSG_RENEWALREQ ||
	    type == SCEP_MSG_CERTPOLL || type == SCEP_MSG_GETCERT ||
	    type == SCEP_MSG_GETCRL;
}

/*
 * Returns 1 if msg's signer certificate holds an RSA key: every message
 * that can succeed gets its answer encrypted to that certificate, and
 * SCEP's envelope uses RSA key transport.
 */
static int
signer_is_rsa(const struct scep_msg *msg)
{
	const EVP_PKEY	*spk;

	return msg->signer != NULL &&
	    (spk = X509_get0_pubkey(msg->signer)) != NULL &&
	    EVP_PKEY_get_base_id(spk) == EVP_PKEY_RSA;
}

/* PKIOperation: decodes the body or m (?message=), dispatches, answers a CertRep. */
static void
op_pki(struct scepd_req *c, const struct buf *body, const char *m)
{
	struct scep_msg	*msg = NULL;
	struct buf	 der = { 0 };
	struct scepd_answer a;
	const unsigned char *p;
	unsigned char	*reply = NULL;
	size_t		 len, rlen = 0;
	long long	 now;

	memset(&a, 0, sizeof(a));
	if (body->len > 0) {
		p = body->data;
		len = body->len;
	} else if (*m != '\0' &&
	    scep_b64_decode_lenient(m, strlen(m), &der) && der.len > 0) {
		p = der.data;
		len = der.len;
	} else {
		web_text(c->r, 400, "PKIOperation needs a message.\n");
		goto out;
	}
	if ((c->cache = cacache_get(c->app->cfg, c->customer, c->rec)) == NULL) {
		web_text(c->r, 503, "The SCEP service is not configured.\n");
		goto out;
	}
	if ((msg = scep_parse(p, len, &c->cache->keys,
	    c->endpoint->legacy_des)) == NULL) {
		log_info("scep: unreadable pkiMessage from %s", c->r->remote);
		web_text(c->r, 400, "The SCEP message could not be read.\n");
		goto out;
	}
	snprintf(c->actor_name, sizeof(c->actor_name), "scep:%s",
	    msg->transaction_id);
	now = store_now();
	if (msg->fail_info == SCEP_FAIL_NONE && msg->has_signing_time &&
	    (msg->signing_time > now + SIGNING_TIME_SLACK ||
	    msg->signing_time < now - SIGNING_TIME_SLACK))
		scep_msg_fail(msg, SCEP_FAIL_BADTIME, "signingTime is more "
		    "than a day away from the server's clock");
	if (msg->fail_info != SCEP_FAIL_NONE)
		scepd_answer_fail(&a, msg->fail_info, "%s", msg->fail_text);
	else if (may_succeed(msg->type) && !signer_is_rsa(msg))
		scepd_answer_fail(&a, SCEP_FAIL_BADREQUEST,
		    "the signer key must be RSA to receive an encrypted reply");
	else {
		switch (msg->type) {
		case SCEP_MSG_PKCSREQ:
		case SCEP_MSG_RENEWALREQ:
			scepd_enroll(c, msg, &a);
			break;
		case SCEP_MSG_CERTPOLL:
			scepd_poll(c, msg, &a);
			break;
		case SCEP_MSG_GETCERT:
			scepd_getcert(c, msg, &a);
			break;
		case SCEP_MSG_GETCRL:
			scepd_getcrl(c, msg, &a);
			break;
		default:
			scepd_answer_fail(&a, SCEP_FAIL_BADREQUEST,
			    "messageType %d is not supported", msg->type);
			break;
		}
	}
	if (a.status == SCEP_STATUS_FAILURE && !a.audited)
		scepd_audit(c, action_name(msg->type), NULL, "failure", msg, a.text);
	log_info("scep %s %s: %s%s%s", scep_msg_type_name(msg->type),
	    msg->transaction_id, a.status == SCEP_STATUS_SUCCESS ? "SUCCESS" :
	    a.status == SCEP_STATUS_PENDING ? "PENDING" : "FAILURE",
	    a.status == SCEP_STATUS_FAILURE ? ": " : "",
	    a.status == SCEP_STATUS_FAILURE ? a.text : "");
	reply = scep_certrep(msg, c->cache->sign_cert, c->cache->sign_key,
	    a.status, a.fail_info, a.text, a.certs, a.crl, &rlen);
	if (reply == NULL && a.status == SCEP_STATUS_SUCCESS) {
		/* The envelope failed; a signed FAILURE still tells the client. */
		log_err("scep %s: the reply could not be encrypted to the "
		    "signer", msg->transaction_id);
		reply = scep_certrep(msg, c->cache->sign_cert,
		    c->cache->sign_key, SCEP_STATUS_FAILURE,
		    SCEP_FAIL_BADREQUEST, "the reply could not be encrypted "
		    "to the signer certificate", NULL, NULL, &rlen);
	}
	if (reply == NULL) {
		web_text(c->r, 500, "The reply could not be built.\n");
		goto out;
	}
	web_blob(c->r, 200, CT_PKI, NULL, reply, rlen);
out:
	free(reply);
	sk_X509_pop_free(a.certs, X509_free);
	X509_CRL_free(a.crl);
	scep_msg_free(msg);
	buf_free(&der);
}

/* GetCACaps: what this server supports, one capability per line. */
static void
op_caps(struct scepd_req *c)
{
	char	*caps;

	if (c->rec == NULL) {
		web_text(c->r, 503, "The SCEP service is not configured.\n");
		return;
	}
	if ((caps = scep_caps(c->rec->next_cert_pem != NULL &&
	    c->rec->next_cert_pem[0] != '\0')) == NULL) {
		web_text(c->r, 500, "Internal error.\n");
		return;
	}
	web_text(c->r, 200, caps);
	free(caps);
}

/* GetCACert and GetNextCACert from the cached payloads. */
static void
op_cacert(struct scepd_req *c, int next)
{
	if ((c->cache = cacache_get(c->app->cfg, c->customer, c->rec)) == NULL) {
		web_text(c->r, 503, "The SCEP service is not configured.\n");
		return;
	}
	if (!next)
		web_blob(c->r, 200, c->cache->cacert_type, NULL,
		    c->cache->cacert, c->cache->cacert_len);
	else if (c->cache->nextca == NULL)
		web_text(c->r, 404, "No rollover CA certificate is "
		    "configured.\n");
	else
		web_blob(c->r, 200, CT_NEXT_CA, NULL, c->cache->nextca,
		    c->cache->nextca_len);
}

/* Fills c for one request of q; ctx_close() frees what it loaded. */
static void
ctx_open(struct scepd_req *c, struct app_req *q)
{
	memset(c, 0, sizeof(*c));
	c->app = q->app;
	c->r = q->r;
	c->customer = q->customer;
	c->endpoint = q->endpoint;
	snprintf(c->actor_name, sizeof(c->actor_name), "scep");
	c->actor.name = c->actor_name;
	c->actor.remote = q->r->remote;
	c->rec = store_ca_for_customer(q->app->db, q->customer->id);
}

/* Frees what ctx_open loaded; customer and endpoint belong to the skeleton. */
static void
ctx_close(struct scepd_req *c)
{
	store_ca_free(c->rec);
	c->rec = NULL;
}

/* GetCACaps; returns 1 (answered). */
static int
page_caps(struct app_req *q)
{
	struct scepd_req c;

	ctx_open(&c, q);
	op_caps(&c);
	ctx_close(&c);
	return 1;
}

/* GetCACert; returns 1 (answered). */
static int
page_cacert(struct app_req *q)
{
	struct scepd_req c;

	ctx_open(&c, q);
	op_cacert(&c, 0);
	ctx_close(&c);
	return 1;
}

/* GetNextCACert; returns 1 (answered). */
static int
page_nextcacert(struct app_req *q)
{
	struct scepd_req c;

	ctx_open(&c, q);
	op_cacert(&c, 1);
	ctx_close(&c);
	return 1;
}

/* PKIOperation, the message in the body (POST) or in ?message= (GET); returns 1. */
static int
page_pki(struct app_req *q)
{
	struct scepd_req c;

	ctx_open(&c, q);
	op_pki(&c, q->body, app_str(q, KEY_MESSAGE));
	ctx_close(&c);
	return 1;
}

int
main(void)
{
	return app_serve(&program);
}
