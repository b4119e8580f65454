/* admin request commands: request, cert, crl, audit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "admin.h"
#include "issue.h"
#include "log.h"

/* Formats an epoch time for listings ("-" for none) into out. */
static const char *
when(long long t, char *out, size_t len)
{
	time_t		 tt = (time_t)t;
	struct tm	 tm;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL)
		snprintf(out, len, "-");
	else
		strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return out;
}

/* Finds a request of the customer by its certificate ID, or NULL after reporting. */
static struct request *
find_request(struct admin *a, const char *cert_id)
{
	struct request	*r;

	if (admin_customer(a) == NULL)
		return NULL;
	if ((r = store_request_by_cert_id(a->db, a->customer->id, cert_id)) ==
	    NULL)
		admin_fail("no request or certificate with ID '%s'", cert_id);
	return r;
}

/* Prints a request as one line, a block, or JSON. */
static void
print_request(struct admin *a, const struct request *r, int first, int full)
{
	const char	*type = policy_type_name(r->type);
	const char	*status = store_status_name(r->status);
	char		 t1[32], t2[32], t3[32];

	if (a->json) {
		printf("%s{\"id\":", first ? "" : ",");
		json_str(stdout, r->cert_id);
		printf(",\"type\":");
		json_str(stdout, type);
		printf(",\"via\":");
		json_str(stdout, r->via);
		printf(",\"status\":");
		json_str(stdout, status);
		printf(",\"common_name\":");
		json_str(stdout, r->common_name);
		printf(",\"sans\":");
		json_str(stdout, r->sans);
		printf(",\"subject\":");
		json_str(stdout, r->subject);
		printf(",\"serial\":");
		json_str(stdout, r->serial);
		printf(",\"requester\":");
		json_str(stdout, r->requester_email);
		printf(",\"term_days\":%d,\"requested\":", r->term_days);
		json_str(stdout, when(r->requested_at, t1, sizeof(t1)));
		printf(",\"not_after\":");
		json_str(stdout, when(r->not_after, t2, sizeof(t2)));
		printf(",\"revoked\":");
		json_str(stdout, when(r->revoked_at, t3, sizeof(t3)));
		printf(",\"pass_failures\":%d}", r->pass_failures);
		return;
	}
	if (!full) {
		printf("%-26s %-6s %-5s %-10s %-32s %s\n", r->cert_id, type,
		    r->via, status, r->serial ? r->serial : "-",
		    r->common_name);
		return;
	}
	printf("id          %s\ntype        %s (via %s)\nstatus      %s\n"
	    "common name %s\nSANs        %s\nsubject     %s\nserial      %s\n"
	    "term        %d days\nrequester   %s\nexternal    %s\n"
	    "comments    %s\nrequested   %s\n",
	    r->cert_id, type, r->via, status, r->common_name, r->sans,
	    r->subject, r->serial ? r->serial : "-", r->term_days,
	    r->requester_email, r->external_requesters, r->comments,
	    when(r->requested_at, t1, sizeof(t1)));
	if (r->issued_at)
		printf("issued      %s\nvalid until %s\n",
		    when(r->issued_at, t1, sizeof(t1)),
		    when(r->not_after, t2, sizeof(t2)));
	if (r->collected_at)
		printf("collected   %s\n", when(r->collected_at, t1, sizeof(t1)));
	if (r->revoked_at)
		printf("revoked     %s (%s) %s\n",
		    when(r->revoked_at, t1, sizeof(t1)),
		    issue_reason_name(r->revoke_reason), r->revoke_comment);
	if (r->decline_reason[0] != '\0')
		printf("declined    %s\n", r->decline_reason);
	if (r->pass_failures > 0)
		printf("passphrase  %d failed attempts%s\n", r->pass_failures,
		    r->pass_failures >= 10 ? " (locked; certdesk cert unlock)" : "");
}

/* Lists requests; certs_only keeps issued/revoked certificates. */
static int
list_requests(struct admin *a, int argc, char **argv, int certs_only)
{
	const char		*status = NULL;
	const struct opt	 opts[] = {
		{ "status", &status, NULL, "only this status (Requested, Issued, ...)" },
		{ "json", NULL, &a->json, "JSON output" },
		{ NULL, NULL, NULL, NULL }
	};
	struct request_list	*l;
	enum req_status		 want;
	char			*pos[1];
	size_t			 i;
	int			 first = 1;

	if (admin_args(argc, argv, opts, pos, 0) < 0)
		return -2;
	if (admin_customer(a) == NULL)
		return 1;
	if (status != NULL && !store_status_parse(status, &want))
		return admin_fail("--status: no such status '%s'", status);
	if ((l = store_request_list(a->db, a->customer->id,
	    status != NULL ? &want : NULL)) == NULL)
		return admin_fail("cannot list requests");
	if (a->json)
		fputc('[', stdout);
	for (i = 0; i < l->n; i++) {
		if (certs_only && l->items[i]->cert_der == NULL)
			continue;
		print_request(a, l->items[i], first, 0);
		first = 0;
	}
	if (a->json)
		puts("]");
	store_request_list_free(l);
	return 0;
}

static int
cmd_request_list(struct admin *a, int argc, char **argv)
{
	return list_requests(a, argc, argv, 0);
}

static int
cmd_cert_list(struct admin *a, int argc, char **argv)
{
	return list_requests(a, argc, argv, 1);
}

static int
cmd_request_show(struct admin *a, int argc, char **argv)
{
	struct request		*r;
	char			*pos[1];

	if (admin_args_json(a, argc, argv, pos, 1) != 1)
		return -2;
	if ((r = find_request(a, pos[0])) == NULL)
		return 1;
	print_request(a, r, 1, 1);
	if (a->json)
		fputc('\n', stdout);
	store_request_free(r);
	return 0;
}

static int
cmd_cert_show(struct admin *a, int argc, char **argv)
{
	struct request		*r;
	char			*pos[1];
	int			 pem = 0;
	const struct opt	 opts2[] = {
		{ "json", NULL, &a->json, "JSON output" },
		{ "pem", NULL, &pem, "print the certificate PEM" },
		{ NULL, NULL, NULL, NULL }
	};

	if (admin_args(argc, argv, opts2, pos, 1) != 1)
		return -2;
	if ((r = find_request(a, pos[0])) == NULL)
		return 1;
	if (pem && r->cert_der != NULL) {
		const unsigned char	*p = r->cert_der;
		X509			*x = d2i_X509(NULL, &p, (long)r->cert_len);

		if (x != NULL) {
			BIO *out = BIO_new_fp(stdout, BIO_NOCLOSE);

			PEM_write_bio_X509(out, x);
			BIO_free(out);
			X509_free(x);
		}
	} else {
		print_request(a, r, 1, 1);
		if (a->json)
			fputc('\n', stdout);
	}
	store_request_free(r);
	return 0;
}

static int
cmd_request_approve(struct admin *a, int argc, char **argv)
{
	const struct opt	 opts[] = { { NULL, NULL, NULL, NULL } };
	struct request		*r;
	char			*pos[1], err[256];

	if (admin_args(argc, argv, opts, pos, 1) != 1)
		return -2;
	if ((r = find_request(a, pos[0])) == NULL)
		return 1;
	if (!issue_request(a->db, a->cfg, r->id, &a->actor, err, sizeof(err))) {
		store_request_free(r);
		return admin_fail("cannot approve %s: %s", pos[0], err);
	}
	/* SCEP devices fetch their certificate by polling; no email then. */
	if (strcmp(r->via, "scep") != 0)
		admin_notify(a, r->id, "issued");
	printf("request %s approved and issued\n", pos[0]);
	store_request_free(r);
	return 0;
}

static int
cmd_request_decline(struct admin *a, int argc, char **argv)
{
	const char		*reason = "";
	const struct opt	 opts[] = {
		{ "reason", &reason, NULL, "told to the requester" },
		{ NULL, NULL, NULL, NULL }
	};
	struct request		*r;
	char			*pos[1], err[256];

	if (admin_args(argc, argv, opts, pos, 1) != 1)
		return -2;
	if ((r = find_request(a, pos[0])) == NULL)
		return 1;
	if (!issue_decline(a->db, r->id, reason, &a->actor, err, sizeof(err))) {
		store_request_free(r);
		return admin_fail("cannot decline %s: %s", pos[0], err);
	}
	if (strcmp(r->via, "scep") != 0)
		admin_notify(a, r->id, "declined");
	printf("request %s declined\n", pos[0]);
	store_request_free(r);
	return 0;
}

static int
cmd_cert_revoke(struct admin *a, int argc, char **argv)
{
	const char		*reason = "unspecified", *comment = "";
	const struct opt	 opts[] = {
		{ "reason", &reason, NULL, "unspecified keyCompromise "
		    "affiliationChanged superseded cessationOfOperation" },
		{ "comment", &comment, NULL, "kept with the revocation" },
		{ NULL, NULL, NULL, NULL }
	};
	struct request		*r;
	char			*pos[1], err[256];
	int			 code;

	if (admin_args(argc, argv, opts, pos, 1) != 1)
		return -2;
	code = issue_reason_code(reason);
	if (code != 0 && code != 1 && code != 3 && code != 4 && code != 5)
		return admin_fail("--reason must be unspecified, keyCompromise, "
		    "affiliationChanged, superseded or cessationOfOperation");
	if ((r = find_request(a, pos[0])) == NULL)
		return 1;
	if (!issue_revoke(a->db, a->cfg, r->id, code, comment, &a->actor, err,
	    sizeof(err))) {
		store_request_free(r);
		return admin_fail("cannot revoke %s: %s", pos[0], err);
	}
	admin_notify(a, r->id, "revoked");
	if (err[0] != '\0') {
		store_request_free(r);
		return admin_fail("certificate %s revoked (%s), but %s", pos[0],
		    reason, err);
	}
	printf("certificate %s revoked (%s); CRL updated\n", pos[0], reason);
	store_request_free(r);
	return 0;
}

static int
cmd_cert_unlock(struct admin *a, int argc, char **argv)
{
	const struct opt	 opts[] = { { NULL, NULL, NULL, NULL } };
	struct request		*r;
	char			*pos[1];

	if (admin_args(argc, argv, opts, pos, 1) != 1)
		return -2;
	if ((r = find_request(a, pos[0])) == NULL)
		return 1;
	if (!store_request_pass_reset(a->db, r->id)) {
		store_request_free(r);
		return admin_fail("cannot unlock %s", pos[0]);
	}
	admin_audit(a, "certificate.unlock", r->cert_id, NULL);
	printf("passphrase of %s unlocked\n", pos[0]);
	store_request_free(r);
	return 0;
}

static int
cmd_crl_generate(struct admin *a, int argc, char **argv)
{
	const struct opt	 opts[] = { { NULL, NULL, NULL, NULL } };
	struct ca_rec		*c;
	char			*pos[1], *path;
	int			 ok;

	if (admin_args(argc, argv, opts, pos, 0) < 0)
		return -2;
	if (admin_customer(a) == NULL)
		return 1;
	if ((c = store_ca_for_customer(a->db, a->customer->id)) == NULL)
		return admin_fail("customer %s has no CA", a->customer->uri);
	/* Published outside any transaction: see issue_publish_crl. */
	ok = issue_publish_crl(a->db, a->cfg, c->id);
	if (ok)
		admin_audit(a, "crl.generate", c->name, NULL);
	if (!ok) {
		store_ca_free(c);
		return admin_fail("cannot generate the CRL (see the messages "
		    "above)");
	}
	path = issue_crl_path(a->cfg, a->customer->uri, c->name);
	printf("CRL written to %s\n", path ? path : "?");
	free(path);
	store_ca_free(c);
	return 0;
}

static int
cmd_audit_list(struct admin *a, int argc, char **argv)
{
	const char		*limit = "50";
	const struct opt	 opts[] = {
		{ "limit", &limit, NULL, "newest N events" },
		{ "json", NULL, &a->json, "JSON output" },
		{ NULL, NULL, NULL, NULL }
	};
	struct audit_list	*l;
	char			*pos[1], t[32];
	size_t			 i;

	if (admin_args(argc, argv, opts, pos, 0) < 0)
		return -2;
	if ((l = store_audit_list(a->db, admin_int(limit))) == NULL)
		return admin_fail("cannot read the audit log");
	if (a->json)
		fputc('[', stdout);
	for (i = 0; i < l->n; i++) {
		const struct audit_event *e = l->items[i];

		if (a->json) {
			printf("%s{\"at\":", i ? "," : "");
			json_str(stdout, when(e->at, t, sizeof(t)));
			printf(",\"customer\":");
			json_str(stdout, e->customer);
			printf(",\"actor\":");
			json_str(stdout, e->actor);
			printf(",\"action\":");
			json_str(stdout, e->action);
			printf(",\"object\":");
			json_str(stdout, e->object);
			printf(",\"remote\":");
			json_str(stdout, e->remote);
			printf(",\"outcome\":");
			json_str(stdout, e->outcome);
			printf(",\"detail\":");
			json_str(stdout, e->detail);
			fputc('}', stdout);
		} else
			printf("%s %-8s %-22s %-22s %-28s %-8s %s\n",
			    when(e->at, t, sizeof(t)), e->customer, e->actor,
			    e->action, e->object, e->outcome, e->detail);
	}
	if (a->json)
		puts("]");
	store_audit_list_free(l);
	return 0;
}

const struct command admin_request_commands[] = {
	{ "request", "list", cmd_request_list,
	    "request list [--status STATUS] [--json]", "list requests" },
	{ "request", "show", cmd_request_show, "request show ID [--json]",
	    "show one request" },
	{ "request", "approve", cmd_request_approve, "request approve ID",
	    "approve: the CA issues and the requester is told" },
	{ "request", "decline", cmd_request_decline,
	    "request decline ID [--reason TEXT]", "decline a request" },
	{ "cert", "list", cmd_cert_list, "cert list [--status S] [--json]",
	    "list issued certificates" },
	{ "cert", "show", cmd_cert_show, "cert show ID [--json] [--pem]",
	    "show a certificate" },
	{ "cert", "revoke", cmd_cert_revoke,
	    "cert revoke ID [--reason R] [--comment TEXT]",
	    "revoke a certificate and regenerate the CRL" },
	{ "cert", "unlock", cmd_cert_unlock, "cert unlock ID",
	    "reset a certificate's failed passphrase count" },
	{ "crl", "generate", cmd_crl_generate, "crl generate",
	    "regenerate the customer's CRL" },
	{ "audit", "list", cmd_audit_list, "audit list [--limit N] [--json]",
	    "show the newest audit events" },
	{ NULL, NULL, NULL, NULL, NULL }
};
