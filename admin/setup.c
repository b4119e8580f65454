/* admin setup commands: init, customer, ca, ra. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "admin.h"
#include "ca.h"
#include "log.h"

/* Reads a whole (small) text file; returns it (caller frees) or NULL. */
static char *
slurp(const char *path)
{
	FILE	*f;
	char	*s = NULL;
	long	 n;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    n < 1024L * 1024 && fseek(f, 0, SEEK_SET) == 0 &&
	    (s = malloc((size_t)n + 1)) != NULL) {
		if (fread(s, 1, (size_t)n, f) != (size_t)n) {
			free(s);
			s = NULL;
		} else
			s[n] = '\0';
	}
	/* Nothing was written to f, so a failed close loses nothing. */
	(void)fclose(f);
	return s;
}

/* Returns 1 if s is a safe CA name: it becomes part of file paths and URLs. */
static int
name_ok(const char *s)
{
	size_t	 n = strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");

	return n > 0 && n <= 32 && s[n] == '\0';
}

/* Returns the path for a new key file of the customer (caller frees). */
static char *
key_path(struct admin *a, const char *what)
{
	char	 p[4096];

	snprintf(p, sizeof(p), "%s/keys/%s-%s.key",
	    config_get(a->cfg, "State.Dir", "/var/lib/certdesk"),
	    a->customer->uri, what);
	return strdup(p);
}

static int
cmd_init(struct admin *a, int argc, char **argv)
{
	const struct opt	 opts[] = { { NULL, NULL, NULL, NULL } };
	char			*pos[1];

	if (admin_args(argc, argv, opts, pos, 0) < 0)
		return -2;
	printf("database ready (schema version %d)\n", db_version(a->db));
	return 0;
}

static int
cmd_customer_add(struct admin *a, int argc, char **argv)
{
	const char		*name = NULL;
	const struct opt	 opts[] = {
		{ "name", &name, NULL, "display name" },
		{ NULL, NULL, NULL, NULL }
	};
	char			*pos[1];
	const char		*p;
	long long		 id;

	if (admin_args(argc, argv, opts, pos, 1) != 1)
		return -2;
	for (p = pos[0]; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '_'))
			return admin_fail("customer URI '%s': use lowercase "
			    "letters, digits, '-' and '_' only", pos[0]);
	if (pos[0][0] == '\0' || strlen(pos[0]) > 64)
		return admin_fail("customer URI must be 1 to 64 characters");
	if ((id = store_customer_add(a->db, pos[0], name ? name : pos[0])) == 0)
		return admin_fail("customer '%s' already exists", pos[0]);
	a->customer = store_customer_by_id(a->db, id);
	admin_audit(a, "customer.add", pos[0], NULL);
	printf("customer %s added\n", pos[0]);
	return 0;
}

static int
cmd_customer_list(struct admin *a, int argc, char **argv)
{
	struct customer_list	*l;
	char			*pos[1];
	size_t			 i;

	if (admin_args_json(a, argc, argv, pos, 0) < 0)
		return -2;
	if ((l = store_customer_list(a->db)) == NULL)
		return admin_fail("cannot list customers");
	if (a->json)
		fputc('[', stdout);
	for (i = 0; i < l->n; i++) {
		if (a->json) {
			printf("%s{\"uri\":", i ? "," : "");
			json_str(stdout, l->items[i]->uri);
			printf(",\"name\":");
			json_str(stdout, l->items[i]->name);
			fputc('}', stdout);
		} else
			printf("%-20s %s\n", l->items[i]->uri, l->items[i]->name);
	}
	if (a->json)
		puts("]");
	store_customer_list_free(l);
	return 0;
}

static int
cmd_ca_init(struct admin *a, int argc, char **argv)
{
	const char		*name = "ca", *subject = NULL, *alg = "rsa3072";
	const char		*days = "3650";
	const struct opt	 opts[] = {
		{ "name", &name, NULL, "CA name, used in the CRL URL" },
		{ "subject", &subject, NULL, "e.g. \"CN=Acme CA,O=Acme,C=US\"" },
		{ "alg", &alg, NULL, "rsa3072 or ec384" },
		{ "days", &days, NULL, "validity" },
		{ NULL, NULL, NULL, NULL }
	};
	char			*pos[1], *pem = NULL, *kp = NULL, subj[512];
	enum ca_alg		 algo;
	struct ca_rec		*existing;
	int			 rc = 1;

	if (admin_args(argc, argv, opts, pos, 0) < 0)
		return -2;
	if (admin_customer(a) == NULL)
		return 1;
	if (!name_ok(name))
		return admin_fail("--name: 1 to 32 letters, digits, '-' or '_' "
		    "(it names the key file and the CRL URL)");
	if (strcmp(alg, "rsa3072") == 0)
		algo = CA_RSA3072;
	else if (strcmp(alg, "ec384") == 0)
		algo = CA_EC384;
	else
		return admin_fail("--alg must be rsa3072 or ec384");
	if ((existing = store_ca_for_customer(a->db, a->customer->id)) != NULL) {
		store_ca_free(existing);
		return admin_fail("customer %s already has a CA (see: certdesk "
		    "ca show)", a->customer->uri);
	}
	if (subject == NULL) {
		snprintf(subj, sizeof(subj), "CN=%s CA,O=%s", a->customer->name,
		    a->customer->name);
		subject = subj;
	}
	if ((kp = key_path(a, name)) == NULL)
		goto out;
	if ((pem = ca_init(kp, algo, subject, admin_int(days))) == NULL) {
		admin_fail("cannot create the CA (does %s exist already? is "
		    "the subject valid?)", kp);
		goto out;
	}
	if (store_ca_add(a->db, a->customer->id, name, pem, kp, "") == 0) {
		admin_fail("cannot record the CA");
		goto out;
	}
	admin_audit(a, "ca.init", name, subject);
	printf("CA %s created for %s; key in %s\n", name, a->customer->uri, kp);
	rc = 0;
out:
	free(pem);
	free(kp);
	return rc;
}

static int
cmd_ca_import(struct admin *a, int argc, char **argv)
{
	const char		*name = "ca", *certf = NULL, *key = NULL;
	const char		*chainf = NULL;
	const struct opt	 opts[] = {
		{ "name", &name, NULL, "CA name" },
		{ "cert", &certf, NULL, "PEM certificate file" },
		{ "key", &key, NULL, "key file or OSSL_STORE URI" },
		{ "chain", &chainf, NULL, "PEM file: intermediates then root" },
		{ NULL, NULL, NULL, NULL }
	};
	char			*pos[1], *cert = NULL, *chain = NULL, err[256];
	int			 rc = 1;

	if (admin_args(argc, argv, opts, pos, 0) < 0 || certf == NULL ||
	    key == NULL)
		return -2;
	if (admin_customer(a) == NULL)
		return 1;
	if (!name_ok(name))
		return admin_fail("--name: 1 to 32 letters, digits, '-' or '_' "
		    "(it names the CRL URL)");
	if ((cert = slurp(certf)) == NULL)
		return admin_fail("cannot read %s", certf);
	if (chainf != NULL && (chain = slurp(chainf)) == NULL) {
		admin_fail("cannot read %s", chainf);
		goto out;
	}
	if (!ca_import_check(cert, key, chain, err, sizeof(err))) {
		admin_fail("%s", err);
		goto out;
	}
	if (store_ca_add(a->db, a->customer->id, name, cert, key,
	    chain ? chain : "") == 0) {
		admin_fail("cannot record the CA (does %s exist already?)", name);
		goto out;
	}
	admin_audit(a, "ca.import", name, certf);
	printf("CA %s imported for %s\n", name, a->customer->uri);
	rc = 0;
out:
	free(cert);
	free(chain);
	return rc;
}

/* Prints subject, serial and validity of a PEM certificate. */
static void
print_cert_summary(FILE *f, const char *label, const char *pem, int json)
{
	X509	*x;
	BIO	*b;
	char	*p = NULL;
	long	 n;

	if (pem == NULL || (x = ca_cert_from_pem(pem)) == NULL)
		return;
	if ((b = BIO_new(BIO_s_mem())) == NULL) {
		X509_free(x);
		return;
	}
	X509_NAME_print_ex(b, X509_get_subject_name(x), 0, XN_FLAG_RFC2253);
	BIO_puts(b, " | valid until ");
	ASN1_TIME_print(b, X509_get0_notAfter(x));
	BIO_write(b, "", 1);
	n = BIO_get_mem_data(b, &p);
	if (n > 0) {
		if (json) {
			fprintf(f, ",\"%s\":", label);
			json_str(f, p);
		} else
			fprintf(f, "%-8s %s\n", label, p);
	}
	BIO_free(b);
	X509_free(x);
}

static int
cmd_ca_show(struct admin *a, int argc, char **argv)
{
	struct ca_rec		*c;
	char			*pos[1], *crl;

	if (admin_args_json(a, argc, argv, pos, 0) < 0)
		return -2;
	if (admin_customer(a) == NULL)
		return 1;
	if ((c = store_ca_for_customer(a->db, a->customer->id)) == NULL)
		return admin_fail("customer %s has no CA (run: certdesk ca init)",
		    a->customer->uri);
	crl = issue_crl_url(a->cfg, a->customer->uri, c->name);
	if (a->json) {
		printf("{\"name\":");
		json_str(stdout, c->name);
		printf(",\"key\":");
		json_str(stdout, c->key_uri);
		printf(",\"crl_url\":");
		json_str(stdout, crl);
		print_cert_summary(stdout, "ca", c->cert_pem, 1);
		print_cert_summary(stdout, "ra", c->ra_cert_pem, 1);
		print_cert_summary(stdout, "next", c->next_cert_pem, 1);
		puts("}");
	} else {
		printf("name     %s\nkey      %s\ncrl      %s\n", c->name,
		    c->key_uri, crl ? crl : "");
		print_cert_summary(stdout, "ca", c->cert_pem, 0);
		print_cert_summary(stdout, "ra", c->ra_cert_pem, 0);
		print_cert_summary(stdout, "next", c->next_cert_pem, 0);
		if (c->chain_pem[0] != '\0')
			printf("chain    %s", "(imported chain present)\n");
	}
	free(crl);
	store_ca_free(c);
	return 0;
}

static int
cmd_ca_rollover(struct admin *a, int argc, char **argv)
{
	const char		*certf = NULL;
	const struct opt	 opts[] = {
		{ "cert", &certf, NULL, "PEM of the next CA certificate" },
		{ NULL, NULL, NULL, NULL }
	};
	char			*pos[1], *pem;
	struct ca_rec		*c;
	X509			*x;
	int			 rc = 1;

	if (admin_args(argc, argv, opts, pos, 0) < 0 || certf == NULL)
		return -2;
	if (admin_customer(a) == NULL)
		return 1;
	if ((c = store_ca_for_customer(a->db, a->customer->id)) == NULL)
		return admin_fail("customer %s has no CA", a->customer->uri);
	if ((pem = slurp(certf)) == NULL || (x = ca_cert_from_pem(pem)) == NULL) {
		admin_fail("%s is not a PEM certificate", certf);
		goto out;
	}
	X509_free(x);
	if (!store_ca_set_next(a->db, c->id, pem)) {
		admin_fail("cannot record the rollover certificate");
		goto out;
	}
	admin_audit(a, "ca.rollover", c->name, certf);
	printf("rollover certificate set; GetNextCACert now serves it\n");
	rc = 0;
out:
	free(pem);
	store_ca_free(c);
	return rc;
}

static int
cmd_ra_init(struct admin *a, int argc, char **argv)
{
	const char		*subject = NULL, *days = "1095";
	const struct opt	 opts[] = {
		{ "subject", &subject, NULL, "RA subject" },
		{ "days", &days, NULL, "validity" },
		{ NULL, NULL, NULL, NULL }
	};
	char			*pos[1], *kp = NULL, *pem = NULL, subj[512];
	struct ca_rec		*c = NULL;
	struct ca		*ca = NULL;
	int			 rc = 1;

	if (admin_args(argc, argv, opts, pos, 0) < 0)
		return -2;
	if (admin_customer(a) == NULL)
		return 1;
	if ((c = store_ca_for_customer(a->db, a->customer->id)) == NULL)
		return admin_fail("customer %s has no CA (run: certdesk ca init)",
		    a->customer->uri);
	if (c->ra_cert_pem != NULL) {
		admin_fail("the CA already has an RA certificate");
		goto out;
	}
	if (subject == NULL) {
		snprintf(subj, sizeof(subj), "CN=%s SCEP RA,O=%s",
		    a->customer->name, a->customer->name);
		subject = subj;
	}
	if ((ca = ca_load(c->cert_pem, c->key_uri, NULL, NULL, NULL)) == NULL) {
		admin_fail("cannot load the CA key %s", c->key_uri);
		goto out;
	}
	if ((kp = key_path(a, "ra")) == NULL ||
	    (pem = ca_ra_init(ca, kp, subject, admin_int(days))) == NULL) {
		admin_fail("cannot create the RA certificate");
		goto out;
	}
	if (!store_ca_set_ra(a->db, c->id, pem, kp)) {
		admin_fail("cannot record the RA certificate");
		goto out;
	}
	admin_audit(a, "ra.init", c->name, subject);
	printf("RA certificate created; key in %s\n", kp);
	rc = 0;
out:
	free(kp);
	free(pem);
	ca_free(ca);
	store_ca_free(c);
	return rc;
}

const struct command admin_setup_commands[] = {
	{ "init", NULL, cmd_init, "init",
	    "create the state directory, server key and database" },
	{ "customer", "add", cmd_customer_add, "customer add URI --name NAME",
	    "add a customer (tenant); URLs start /customer/URI/" },
	{ "customer", "list", cmd_customer_list, "customer list [--json]",
	    "list customers" },
	{ "ca", "init", cmd_ca_init,
	    "ca init [--name ca] [--subject DN] [--alg rsa3072|ec384] [--days N]",
	    "create the customer's issuing CA" },
	{ "ca", "import", cmd_ca_import,
	    "ca import --cert FILE --key FILE|URI [--chain FILE] [--name ca]",
	    "import an existing CA with its chain" },
	{ "ca", "show", cmd_ca_show, "ca show [--json]",
	    "show the CA, RA and CRL URL" },
	{ "ca", "rollover", cmd_ca_rollover, "ca rollover --cert FILE",
	    "set the next CA certificate served by GetNextCACert" },
	{ "ra", "init", cmd_ra_init, "ra init [--subject DN] [--days N]",
	    "create the SCEP RA certificate signed by the CA" },
	{ NULL, NULL, NULL, NULL, NULL }
};
