/* admin organisation commands: org, dept, domain. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "policy.h"

/* Returns the named organisation of the customer, or NULL after reporting. */
static struct org *
find_org(struct admin *a, const char *name)
{
	struct org	*o;

	if (name == NULL) {
		admin_fail("--org NAME is required");
		return NULL;
	}
	if ((o = store_org_by_name(a->db, a->customer->id, name)) == NULL)
		admin_fail("no organisation '%s' (see: certdesk org list)", name);
	return o;
}

static int
cmd_org_add(struct admin *a, int argc, char **argv)
{
	struct org		 o;
	const char		*so = NULL, *ou = "", *l = "", *st = "", *c = "";
	const char		*mail = "";
	int			 em = 0, eo = 0;
	const struct opt	 opts[] = {
		{ "o", &so, NULL, "subject O (default: the name)" },
		{ "ou", &ou, NULL, "subject OU" },
		{ "l", &l, NULL, "subject L" },
		{ "st", &st, NULL, "subject ST" },
		{ "c", &c, NULL, "subject C (two letters)" },
		{ "admin-email", &mail, NULL, "administrators' address(es)" },
		{ "escrow-master", NULL, &em, "escrow keys to master admins" },
		{ "escrow-org", NULL, &eo, "escrow keys to org admins" },
		{ NULL, NULL, NULL, NULL }
	};
	char			*pos[1];

	if (admin_args(argc, argv, opts, pos, 1) != 1)
		return -2;
	if (admin_customer(a) == NULL)
		return 1;
	if (c[0] != '\0' && strlen(c) != 2)
		return admin_fail("--c must be a two-letter country code");
	memset(&o, 0, sizeof(o));
	o.customer_id = a->customer->id;
	o.name = pos[0];
	o.o = (char *)(so ? so : pos[0]);
	o.ou = (char *)ou;
	o.l = (char *)l;
	o.st = (char *)st;
	o.c = (char *)c;
	o.admin_email = (char *)mail;
	o.escrow_master = em;
	o.escrow_org = eo;
	if (store_org_add(a->db, &o) == 0) {
		if (em || eo)
			return admin_fail("organisation '%s' already exists; "
			    "its key escrow options were fixed when it was "
			    "created and cannot be changed", pos[0]);
		return admin_fail("organisation '%s' already exists", pos[0]);
	}
	admin_audit(a, "org.add", pos[0], NULL);
	printf("organisation %s added\n", pos[0]);
	return 0;
}

/* Prints one organisation as text or JSON. */
static void
print_org(struct admin *a, const struct org *o, int first)
{
	if (!a->json) {
		printf("%-24s O=%s OU=%s L=%s ST=%s C=%s admin=%s escrow=%s%s\n",
		    o->name, o->o, o->ou, o->l, o->st, o->c, o->admin_email,
		    o->escrow_master ? "master " : "",
		    o->escrow_org ? "organization" : "");
		return;
	}
	printf("%s{\"name\":", first ? "" : ",");
	json_str(stdout, o->name);
	printf(",\"o\":");
	json_str(stdout, o->o);
	printf(",\"ou\":");
	json_str(stdout, o->ou);
	printf(",\"l\":");
	json_str(stdout, o->l);
	printf(",\"st\":");
	json_str(stdout, o->st);
	printf(",\"c\":");
	json_str(stdout, o->c);
	printf(",\"admin_email\":");
	json_str(stdout, o->admin_email);
	printf(",\"escrow_master\":%s,\"escrow_org\":%s}",
	    o->escrow_master ? "true" : "false",
	    o->escrow_org ? "true" : "false");
}

static int
cmd_org_list(struct admin *a, int argc, char **argv)
{
	struct org_list	*l;
	char		*pos[1];
	size_t		 i;

	if (admin_args_json(a, argc, argv, pos, 0) < 0)
		return -2;
	if (admin_customer(a) == NULL)
		return 1;
	if ((l = store_org_list(a->db, a->customer->id)) == NULL)
		return admin_fail("cannot list organisations");
	if (a->json)
		fputc('[', stdout);
	for (i = 0; i < l->n; i++)
		print_org(a, l->items[i], i == 0);
	if (a->json)
		puts("]");
	store_org_list_free(l);
	return 0;
}

static int
cmd_org_show(struct admin *a, int argc, char **argv)
{
	struct org	*o;
	struct dept_list *dl;
	char		*pos[1];
	size_t		 i;

	if (admin_args_json(a, argc, argv, pos, 1) != 1)
		return -2;
	if (admin_customer(a) == NULL || (o = find_org(a, pos[0])) == NULL)
		return 1;
	print_org(a, o, 1);
	if ((dl = store_dept_list(a->db, o->id)) != NULL) {
		if (a->json) {
			printf("\n");
		} else {
			for (i = 0; i < dl->n; i++)
				printf("  department %s%s\n", dl->items[i]->name,
				    dl->items[i]->escrow_dept ? " (escrow)" : "");
		}
		store_dept_list_free(dl);
	}
	store_org_free(o);
	return 0;
}

static int
cmd_dept_add(struct admin *a, int argc, char **argv)
{
	const char		*orgname = NULL;
	int			 escrow = 0;
	const struct opt	 opts[] = {
		{ "org", &orgname, NULL, "organisation" },
		{ "escrow-dept", NULL, &escrow, "escrow keys to department admins" },
		{ "escrow", NULL, &escrow, "the same as --escrow-dept" },
		{ NULL, NULL, NULL, NULL }
	};
	char			*pos[1];
	struct org		*o;
	int			 rc = 0;

	if (admin_args(argc, argv, opts, pos, 1) != 1)
		return -2;
	if (admin_customer(a) == NULL || (o = find_org(a, orgname)) == NULL)
		return 1;
	if (store_dept_add(a->db, o->id, pos[0], escrow) == 0)
		rc = admin_fail("department '%s' already exists in %s%s", pos[0],
		    o->name, escrow ? "; its key escrow option was fixed when "
		    "it was created and cannot be changed" : "");
	else {
		admin_audit(a, "dept.add", pos[0], o->name);
		printf("department %s added to %s\n", pos[0], o->name);
	}
	store_org_free(o);
	return rc;
}

static int
cmd_dept_list(struct admin *a, int argc, char **argv)
{
	const char		*orgname = NULL;
	const struct opt	 opts[] = {
		{ "org", &orgname, NULL, "organisation" },
		{ "json", NULL, &a->json, "JSON output" },
		{ NULL, NULL, NULL, NULL }
	};
	char			*pos[1];
	struct org		*o;
	struct dept_list	*l;
	size_t			 i;

	if (admin_args(argc, argv, opts, pos, 0) < 0)
		return -2;
	if (admin_customer(a) == NULL || (o = find_org(a, orgname)) == NULL)
		return 1;
	if ((l = store_dept_list(a->db, o->id)) == NULL) {
		store_org_free(o);
		return admin_fail("cannot list departments");
	}
	if (a->json)
		fputc('[', stdout);
	for (i = 0; i < l->n; i++) {
		if (a->json) {
			printf("%s{\"name\":", i ? "," : "");
			json_str(stdout, l->items[i]->name);
			printf(",\"escrow\":%s}", l->items[i]->escrow_dept ?
			    "true" : "false");
		} else
			printf("%s\n", l->items[i]->name);
	}
	if (a->json)
		puts("]");
	store_dept_list_free(l);
	store_org_free(o);
	return 0;
}

static int
cmd_domain_add(struct admin *a, int argc, char **argv)
{
	char	*pos[1];

	if (admin_args_json(a, argc, argv, pos, 1) != 1)
		return -2;
	if (admin_customer(a) == NULL)
		return 1;
	if (!policy_valid_dnsname(pos[0], 1))
		return admin_fail("'%s' is not a domain name (example.com or "
		    "*.example.com)", pos[0]);
	if (store_domain_add(a->db, a->customer->id, pos[0]) == 0)
		return admin_fail("domain '%s' already exists", pos[0]);
	admin_audit(a, "domain.add", pos[0], NULL);
	printf("domain %s added\n", pos[0]);
	return 0;
}

static int
cmd_domain_delegate(struct admin *a, int argc, char **argv)
{
	const char		*orgname = NULL, *deptname = NULL;
	const char		*types = "ssl,smime,device";
	const struct opt	 opts[] = {
		{ "org", &orgname, NULL, "organisation" },
		{ "dept", &deptname, NULL, "department (default: whole org)" },
		{ "types", &types, NULL, "ssl,smime,device" },
		{ NULL, NULL, NULL, NULL }
	};
	char			*pos[1], detail[256];
	struct org		*o;
	struct dept		*d = NULL;
	long long		 dom;
	unsigned		 t;
	int			 rc = 1;

	if (admin_args(argc, argv, opts, pos, 1) != 1)
		return -2;
	if (admin_customer(a) == NULL || (o = find_org(a, orgname)) == NULL)
		return 1;
	if ((t = policy_types_parse(types)) == 0) {
		admin_fail("--types: use ssl, smime and device, comma separated");
		goto out;
	}
	if ((dom = store_domain_id(a->db, a->customer->id, pos[0])) == 0) {
		admin_fail("no domain '%s' (run: certdesk domain add %s)",
		    pos[0], pos[0]);
		goto out;
	}
	if (deptname != NULL &&
	    (d = store_dept_by_name(a->db, o->id, deptname)) == NULL) {
		admin_fail("no department '%s' in %s", deptname, o->name);
		goto out;
	}
	if (!store_delegation_add(a->db, dom, o->id, d ? d->id : 0,
	    (t & CERT_SSL) != 0, (t & CERT_SMIME) != 0,
	    (t & CERT_DEVICE) != 0)) {
		admin_fail("cannot delegate (already delegated there?)");
		goto out;
	}
	snprintf(detail, sizeof(detail), "%s%s%s types=%s", o->name,
	    d ? "/" : "", d ? d->name : "", types);
	admin_audit(a, "domain.delegate", pos[0], detail);
	printf("domain %s delegated to %s\n", pos[0], detail);
	rc = 0;
out:
	store_dept_free(d);
	store_org_free(o);
	return rc;
}

static int
cmd_domain_list(struct admin *a, int argc, char **argv)
{
	struct delegation_list	*l;
	char			*pos[1];
	size_t			 i;

	if (admin_args_json(a, argc, argv, pos, 0) < 0)
		return -2;
	if (admin_customer(a) == NULL)
		return 1;
	if ((l = store_delegation_list(a->db, a->customer->id)) == NULL)
		return admin_fail("cannot list domains");
	if (a->json)
		fputc('[', stdout);
	for (i = 0; i < l->n; i++) {
		const struct delegation *d = l->items[i];

		if (a->json) {
			printf("%s{\"domain\":", i ? "," : "");
			json_str(stdout, d->domain);
			printf(",\"org\":");
			json_str(stdout, d->org_name);
			printf(",\"dept\":");
			json_str(stdout, d->dept_name);
			printf(",\"ssl\":%s,\"smime\":%s,\"device\":%s}",
			    d->ssl ? "true" : "false",
			    d->smime ? "true" : "false",
			    d->device ? "true" : "false");
		} else
			printf("%-30s %s%s%s %s%s%s\n", d->domain, d->org_name,
			    d->dept_name[0] ? "/" : "", d->dept_name,
			    d->ssl ? "ssl " : "", d->smime ? "smime " : "",
			    d->device ? "device" : "");
	}
	if (a->json)
		puts("]");
	store_delegation_list_free(l);
	return 0;
}

const struct command admin_org_commands[] = {
	{ "org", "add", cmd_org_add,
	    "org add NAME [--o O] [--ou OU] [--l L] [--st ST] [--c CC] "
	    "[--admin-email ADDR] [--escrow-master] [--escrow-org]",
	    "add an organisation with its subject defaults and key escrow "
	    "tiers (fixed at creation)" },
	{ "org", "list", cmd_org_list, "org list [--json]",
	    "list organisations" },
	{ "org", "show", cmd_org_show, "org show NAME [--json]",
	    "show an organisation and its departments" },
	{ "dept", "add", cmd_dept_add, "dept add NAME --org ORG [--escrow-dept]",
	    "add a department" },
	{ "dept", "list", cmd_dept_list, "dept list --org ORG [--json]",
	    "list an organisation's departments" },
	{ "domain", "add", cmd_domain_add, "domain add NAME",
	    "add a domain (example.com or *.example.com)" },
	{ "domain", "delegate", cmd_domain_delegate,
	    "domain delegate NAME --org ORG [--dept DEPT] [--types ssl,smime,device]",
	    "delegate a domain to an organisation or department" },
	{ "domain", "list", cmd_domain_list, "domain list [--json]",
	    "list domains and their delegations" },
	{ NULL, NULL, NULL, NULL, NULL }
};
