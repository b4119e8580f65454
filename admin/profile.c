/* admin enrollment commands: profile, endpoint, account, scep challenge. */
#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "admin.h"
#include "csr.h"
#include "policy.h"
#include "secret.h"


/* Returns the term in days of "365", "1 year", "90 days", ...; 0 if invalid. */
static int
parse_term(const char *s)
{
	long	 d;

	if (s == NULL || (d = policy_term_parse(s, s + strlen(s))) < 0)
		return 0;
	return (int)d;
}

/* Writes the public URL of an endpoint into out. */
static void
endpoint_url(struct admin *a, const struct endpoint *e, char *out, size_t len)
{
	const char	*base = config_get(a->cfg, "BaseURL", "http://localhost");
	const char	*prog = store_endpoint_type_name(e->type);
	int		 ext = e->ext[0] != '\0';

	switch (e->type) {
	case ENDPOINT_SCEP_SMIME:
	case ENDPOINT_SCEP_DEVICE:
		snprintf(out, len, "%s/customer/%s/scep/%s/pkiclient.exe", base,
		    a->customer->uri, e->ext);
		return;
	case ENDPOINT_BULK:
		prog = "bulkenroll";
		break;
	case ENDPOINT_SSL:
	case ENDPOINT_SMIME:
	case ENDPOINT_DEVICE:
	case ENDPOINT__MAX:
		break;
	}
	snprintf(out, len, "%s/customer/%s/%s%s%s", base, a->customer->uri,
	    prog, ext ? "/" : "", e->ext);
}

/* Finds an endpoint by "TYPE" or "TYPE/EXT"; returns it or NULL after reporting. */
static struct endpoint *
find_endpoint(struct admin *a, const char *spec)
{
	char			 type[32];
	const char		*slash, *ext = "";
	struct endpoint		*e = NULL;
	enum endpoint_type	 t;

	if (spec == NULL) {
		admin_fail("--endpoint TYPE[/EXT] is required");
		return NULL;
	}
	slash = strchr(spec, '/');
	snprintf(type, sizeof(type), "%.*s",
	    (int)(slash ? (size_t)(slash - spec) : strlen(spec)), spec);
	if (slash != NULL)
		ext = slash + 1;
	if (!store_endpoint_type_parse(type, &t) ||
	    (e = store_endpoint_find(a->db, a->customer->id, t, ext)) == NULL)
		admin_fail("no endpoint '%s' (see: certdesk endpoint list)", spec);
	return e;
}

static int
cmd_profile_add(struct admin *a, int argc, char **argv)
{
	struct profile		 p;
	const char		*type = NULL, *terms = "365", *keys = NULL;
	const char		*ku = "", *eku = NULL, *desc = "";
	int			 multi = 0, wild = 0;
	const struct opt	 opts[] = {
		{ "type", &type, NULL, "ssl, smime or device" },
		{ "terms", &terms, NULL, "days, comma separated: 365,730" },
		{ "keys", &keys, NULL, "rsa2048,rsa3072,rsa4096,ec256,ec384" },
		{ "ku", &ku, NULL, "key usage names" },
		{ "eku", &eku, NULL, "extended key usage names" },
		{ "multi-domain", NULL, &multi, "allow SANs" },
		{ "wildcard", NULL, &wild, "allow wildcard names" },
		{ "description", &desc, NULL, "shown to users" },
		{ NULL, NULL, NULL, NULL }
	};
	char			*pos[1], *copy, *tok, *save = NULL, *s;

	memset(&p, 0, sizeof(p));
	if (admin_args(argc, argv, opts, pos, 1) != 1 || type == NULL)
		return -2;
	if (admin_customer(a) == NULL)
		return 1;
	if (!store_cert_type_parse(type, &p.type))
		return admin_fail("--type must be ssl, smime or device");
	if (keys == NULL)
		keys = "rsa2048,rsa3072,rsa4096,ec256,ec384";
	if (key_types_parse(keys) == 0)
		return admin_fail("--keys: use rsa2048, rsa3072, rsa4096, "
		    "ec256, ec384");
	if ((copy = strdup(terms)) == NULL)
		return 1;
	for (s = copy; (tok = strtok_r(s, ",", &save)) != NULL; s = NULL)
		if (parse_term(tok) == 0) {
			free(copy);
			return admin_fail("--terms: '%s' is not a term (days "
			    "1..3650)", tok);
		}
	free(copy);
	if (eku == NULL)
		eku = p.type == CERT_SSL ? "serverAuth,clientAuth" :
		    p.type == CERT_SMIME ? "emailProtection,clientAuth" :
		    "clientAuth";
	p.customer_id = a->customer->id;
	p.name = pos[0];
	p.terms = (char *)terms;
	p.key_types = (char *)keys;
	p.key_usage = (char *)ku;
	p.ext_key_usage = (char *)eku;
	p.multi_domain = multi;
	p.wildcard = wild;
	p.description = (char *)desc;
	if (store_profile_add(a->db, &p) == 0)
		return admin_fail("profile '%s' already exists", pos[0]);
	admin_audit(a, "profile.add", pos[0], type);
	printf("profile %s added\n", pos[0]);
	return 0;
}

/* Prints one profile as text or JSON. */
static void
print_profile(struct admin *a, const struct profile *p, int first)
{
	if (!a->json) {
		printf("%-24s %-6s terms=%s keys=%s eku=%s%s%s\n", p->name,
		    policy_type_name(p->type), p->terms, p->key_types, p->ext_key_usage,
		    p->multi_domain ? " multi-domain" : "",
		    p->wildcard ? " wildcard" : "");
		return;
	}
	printf("%s{\"name\":", first ? "" : ",");
	json_str(stdout, p->name);
	printf(",\"type\":");
	json_str(stdout, policy_type_name(p->type));
	printf(",\"terms\":");
	json_str(stdout, p->terms);
	printf(",\"keys\":");
	json_str(stdout, p->key_types);
	printf(",\"key_usage\":");
	json_str(stdout, p->key_usage);
	printf(",\"ext_key_usage\":");
	json_str(stdout, p->ext_key_usage);
	printf(",\"multi_domain\":%s,\"wildcard\":%s,\"description\":",
	    p->multi_domain ? "true" : "false", p->wildcard ? "true" : "false");
	json_str(stdout, p->description);
	fputc('}', stdout);
}

static int
cmd_profile_list(struct admin *a, int argc, char **argv)
{
	struct profile_list	*l;
	char			*pos[1];
	size_t			 i;

	if (admin_args_json(a, argc, argv, pos, 0) < 0)
		return -2;
	if (admin_customer(a) == NULL)
		return 1;
	if ((l = store_profile_list(a->db, a->customer->id)) == NULL)
		return admin_fail("cannot list profiles");
	if (a->json)
		fputc('[', stdout);
	for (i = 0; i < l->n; i++)
		print_profile(a, l->items[i], i == 0);
	if (a->json)
		puts("]");
	store_profile_list_free(l);
	return 0;
}

static int
cmd_profile_show(struct admin *a, int argc, char **argv)
{
	struct profile		*p;
	char			*pos[1];

	if (admin_args_json(a, argc, argv, pos, 1) != 1)
		return -2;
	if (admin_customer(a) == NULL)
		return 1;
	if ((p = store_profile_by_name(a->db, a->customer->id, pos[0])) == NULL)
		return admin_fail("no profile '%s'", pos[0]);
	print_profile(a, p, 1);
	if (a->json)
		fputc('\n', stdout);
	else if (p->description[0] != '\0')
		printf("  %s\n", p->description);
	store_profile_free(p);
	return 0;
}

static int
cmd_endpoint_add(struct admin *a, int argc, char **argv)
{
	struct endpoint		 e;
	const char		*type = NULL, *ext = "", *help = "", *name = NULL;
	const char		*p;
	int			 des = 0;
	const struct opt	 opts[] = {
		{ "type", &type, NULL, "ssl smime device bulk scep-smime scep-device" },
		{ "ext", &ext, NULL, "URI extension (required for SCEP)" },
		{ "name", &name, NULL, "display name" },
		{ "help", &help, NULL, "help text shown on the form" },
		{ "legacy-des", NULL, &des, "SCEP: accept single DES (old devices)" },
		{ NULL, NULL, NULL, NULL }
	};
	char			*pos[1], url[1024];

	if (admin_args(argc, argv, opts, pos, 0) < 0 || type == NULL)
		return -2;
	if (admin_customer(a) == NULL)
		return 1;
	memset(&e, 0, sizeof(e));
	if (!store_endpoint_type_parse(type, &e.type))
		return admin_fail("--type must be one of ssl, smime, device, "
		    "bulk, scep-smime, scep-device");
	for (p = ext; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return admin_fail("--ext: letters, digits, '-' and '_' only");
	if (store_endpoint_scep(e.type) && ext[0] == '\0')
		return admin_fail("SCEP endpoints need --ext (the URL reads "
		    "/scep/EXT/pkiclient.exe)");
	if (des && !store_endpoint_scep(e.type))
		return admin_fail("--legacy-des only applies to SCEP endpoints");
	e.customer_id = a->customer->id;
	e.ext = (char *)ext;
	e.name = (char *)(name ? name : (ext[0] ? ext : type));
	e.help = (char *)help;
	e.legacy_des = des;
	if (store_endpoint_add(a->db, &e) == 0)
		return admin_fail("a %s endpoint with extension '%s' already "
		    "exists", type, ext);
	endpoint_url(a, &e, url, sizeof(url));
	admin_audit(a, "endpoint.add", url, type);
	printf("%s\n", url);
	return 0;
}

static int
cmd_endpoint_list(struct admin *a, int argc, char **argv)
{
	struct endpoint_list	*l;
	char			*pos[1], url[1024];
	size_t			 i;

	if (admin_args_json(a, argc, argv, pos, 0) < 0)
		return -2;
	if (admin_customer(a) == NULL)
		return 1;
	if ((l = store_endpoint_list(a->db, a->customer->id)) == NULL)
		return admin_fail("cannot list endpoints");
	if (a->json)
		fputc('[', stdout);
	for (i = 0; i < l->n; i++) {
		const struct endpoint *e = l->items[i];

		endpoint_url(a, e, url, sizeof(url));
		if (a->json) {
			printf("%s{\"type\":", i ? "," : "");
			json_str(stdout, store_endpoint_type_name(e->type));
			printf(",\"ext\":");
			json_str(stdout, e->ext);
			printf(",\"name\":");
			json_str(stdout, e->name);
			printf(",\"url\":");
			json_str(stdout, url);
			printf(",\"legacy_des\":%s}", e->legacy_des ? "true" : "false");
		} else
			printf("%-12s %-16s %s%s\n",
			    store_endpoint_type_name(e->type),
			    e->ext[0] ? e->ext : "-", url,
			    e->legacy_des ? "  (legacy DES on)" : "");
	}
	if (a->json)
		puts("]");
	store_endpoint_list_free(l);
	return 0;
}

/* Checks that an access code is long enough to resist throttled guessing. */
static int
code_ok(const char *code)
{
	return code != NULL && strlen(code) >= 8 && strlen(code) <= 128;
}

/*
 * Returns 1 if every profile in the comma-separated list exists and, for a
 * SCEP term (term_days > 0), allows that term; the first one's id goes to
 * *first (left 0 for an empty list).  Returns 0 after reporting why not.
 */
static int
account_profiles_check(struct admin *a, const char *profiles, int term_days,
    long long *first)
{
	struct profile	*p = NULL;
	char		*plist, *tok, *s, *save = NULL;
	int		 ok = 0;

	if ((plist = strdup(profiles)) == NULL)
		return 0;
	for (s = plist; (tok = strtok_r(s, ",", &save)) != NULL; s = NULL) {
		store_profile_free(p);
		if ((p = store_profile_by_name(a->db, a->customer->id, tok)) ==
		    NULL) {
			admin_fail("--profile: no profile '%s'", tok);
			goto out;
		}
		if (*first == 0)
			*first = p->id;
		if (term_days > 0 && !policy_term_allowed(p->terms, term_days)) {
			admin_fail("--term %d days is not a term of profile %s "
			    "(%s)", term_days, p->name, p->terms);
			goto out;
		}
	}
	ok = 1;
out:
	store_profile_free(p);
	free(plist);
	return ok;
}

/* Returns 1 once account id may use every profile in the list; 0 after reporting why not. */
static int
account_profiles_link(struct admin *a, long long id, const char *profiles)
{
	struct profile	*p = NULL;
	char		*plist, *tok, *s, *save = NULL;
	int		 ok = 0;

	if ((plist = strdup(profiles)) == NULL)
		return 0;
	for (s = plist; (tok = strtok_r(s, ",", &save)) != NULL; s = NULL) {
		store_profile_free(p);
		p = store_profile_by_name(a->db, a->customer->id, tok);
		if (p == NULL || !store_account_profile_add(a->db, id, p->id)) {
			admin_fail("cannot assign profile '%s' (listed twice?)", tok);
			goto out;
		}
	}
	ok = 1;
out:
	store_profile_free(p);
	free(plist);
	return ok;
}

static int
cmd_account_add(struct admin *a, int argc, char **argv)
{
	struct account		 acc;
	const char		*ep = NULL, *orgname = NULL, *deptname = NULL;
	const char		*code_arg = NULL, *profiles = NULL, *term = NULL;
	int			 autoap = 0, manual = 0, revoke = 0, empty = 0;
	int			 legacy = 0, usercsr = 0;
	const struct opt	 opts[] = {
		{ "endpoint", &ep, NULL, "TYPE or TYPE/EXT" },
		{ "org", &orgname, NULL, "organisation" },
		{ "dept", &deptname, NULL, "department" },
		{ "code", &code_arg, NULL, "access code, or - to read stdin" },
		{ "profile", &profiles, NULL, "profile name(s), comma separated" },
		{ "term", &term, NULL, "SCEP: term (365, 1 year)" },
		{ "auto-approve", NULL, &autoap, "SSL: issue without approval" },
		{ "manual-approval", NULL, &manual, "SCEP/device: wait for approval" },
		{ "revoke-on-renewal", NULL, &revoke, "SCEP: revoke the renewed cert" },
		{ "allow-empty-p12", NULL, &empty, "client: allow empty PKCS#12 password" },
		{ "p12-legacy", NULL, &legacy, "client: compatible PKCS#12 by default" },
		{ "user-csr", NULL, &usercsr, "client: user supplies a CSR" },
		{ NULL, NULL, NULL, NULL }
	};
	char			*pos[1], *code = NULL;
	struct endpoint		*e = NULL;
	struct org		*o = NULL;
	struct dept		*d = NULL;
	long long		 id, first_profile = 0;
	int			 rc = 1, is_scep, began = 0;

	if (admin_args(argc, argv, opts, pos, 1) != 1 || code_arg == NULL ||
	    profiles == NULL)
		return -2;
	if (admin_customer(a) == NULL || (e = find_endpoint(a, ep)) == NULL)
		return 1;
	is_scep = store_endpoint_scep(e->type);
	code = admin_secret_arg(code_arg);
	if (!code_ok(code)) {
		admin_fail("access codes must be 8 to 128 characters");
		goto out;
	}
	if (orgname == NULL ||
	    (o = store_org_by_name(a->db, a->customer->id, orgname)) == NULL) {
		admin_fail("--org: no organisation '%s'", orgname ? orgname : "");
		goto out;
	}
	if (deptname != NULL &&
	    (d = store_dept_by_name(a->db, o->id, deptname)) == NULL) {
		admin_fail("--dept: no department '%s' in %s", deptname, o->name);
		goto out;
	}
	memset(&acc, 0, sizeof(acc));
	if (is_scep) {
		if (strchr(profiles, ',') != NULL) {
			admin_fail("SCEP accounts have exactly one --profile");
			goto out;
		}
		if ((acc.term_days = parse_term(term ? term : "365")) == 0) {
			admin_fail("--term: use days (365) or years (1 year)");
			goto out;
		}
	}
	if (!db_begin(a->db))
		goto out;
	began = 1;
	acc.endpoint_id = e->id;
	acc.name = pos[0];
	acc.org_id = o->id;
	acc.dept_id = d ? d->id : 0;
	acc.auto_approve = autoap;
	acc.manual_approval = manual;
	acc.revoke_on_renewal = revoke;
	acc.allow_empty_p12 = empty;
	acc.p12_legacy = legacy;
	acc.user_csr = usercsr;
	acc.code = code;
	/* Resolve every profile before the account exists. */
	if (!account_profiles_check(a, profiles, is_scep ? acc.term_days : 0,
	    &first_profile))
		goto out;
	acc.profile_id = is_scep ? first_profile : 0;
	if ((id = store_account_add(a->db, &acc)) == 0) {
		admin_fail("account '%s' exists, or its access code is already "
		    "used on this endpoint", pos[0]);
		goto out;
	}
	if (!account_profiles_link(a, id, profiles))
		goto out;
	/* The audit trail names the account, never its code. */
	admin_audit(a, "account.add", pos[0], ep);
	if (!db_commit(a->db))
		goto out;
	began = 0;
	printf("account %s added to %s\n", pos[0], ep);
	rc = 0;
out:
	if (began)
		db_rollback(a->db);
	if (code != NULL) {
		OPENSSL_cleanse(code, strlen(code));
		free(code);
	}
	store_dept_free(d);
	store_org_free(o);
	store_endpoint_free(e);
	return rc;
}

static int
cmd_account_list(struct admin *a, int argc, char **argv)
{
	const char		*ep = NULL;
	const struct opt	 opts[] = {
		{ "endpoint", &ep, NULL, "TYPE or TYPE/EXT" },
		{ "json", NULL, &a->json, "JSON output" },
		{ NULL, NULL, NULL, NULL }
	};
	struct endpoint		*e;
	struct account_list	*l;
	struct profile_list	*pl;
	char			*pos[1];
	size_t			 i, j;

	if (admin_args(argc, argv, opts, pos, 0) < 0)
		return -2;
	if (admin_customer(a) == NULL || (e = find_endpoint(a, ep)) == NULL)
		return 1;
	if ((l = store_account_list(a->db, e->id)) == NULL) {
		store_endpoint_free(e);
		return admin_fail("cannot list accounts");
	}
	if (a->json)
		fputc('[', stdout);
	for (i = 0; i < l->n; i++) {
		const struct account *acc = l->items[i];
		struct org *o = store_org_by_id(a->db, acc->org_id);

		pl = store_account_profiles(a->db, acc->id);
		if (a->json) {
			printf("%s{\"name\":", i ? "," : "");
			json_str(stdout, acc->name);
			printf(",\"org\":");
			json_str(stdout, o ? o->name : "");
			printf(",\"term_days\":%d,\"auto_approve\":%s,"
			    "\"manual_approval\":%s,\"profiles\":[",
			    acc->term_days, acc->auto_approve ? "true" : "false",
			    acc->manual_approval ? "true" : "false");
			for (j = 0; pl && j < pl->n; j++) {
				if (j)
					fputc(',', stdout);
				json_str(stdout, pl->items[j]->name);
			}
			printf("]}");
		} else {
			printf("%-20s org=%s", acc->name, o ? o->name : "?");
			for (j = 0; pl && j < pl->n; j++)
				printf("%s%s", j ? "," : " profiles=",
				    pl->items[j]->name);
			if (acc->term_days)
				printf(" term=%d", acc->term_days);
			printf("%s%s%s\n", acc->auto_approve ? " auto-approve" : "",
			    acc->manual_approval ? " manual-approval" : "",
			    acc->revoke_on_renewal ? " revoke-on-renewal" : "");
		}
		store_profile_list_free(pl);
		store_org_free(o);
	}
	if (a->json)
		puts("]");
	store_account_list_free(l);
	store_endpoint_free(e);
	return 0;
}

static int
cmd_account_set_code(struct admin *a, int argc, char **argv)
{
	const char		*ep = NULL, *code_arg = NULL;
	const struct opt	 opts[] = {
		{ "endpoint", &ep, NULL, "TYPE or TYPE/EXT" },
		{ "code", &code_arg, NULL, "new access code, or - for stdin" },
		{ NULL, NULL, NULL, NULL }
	};
	struct endpoint		*e;
	struct account		*acc = NULL;
	char			*pos[1], *code = NULL;
	int			 rc = 1;

	if (admin_args(argc, argv, opts, pos, 1) != 1 || code_arg == NULL)
		return -2;
	if (admin_customer(a) == NULL || (e = find_endpoint(a, ep)) == NULL)
		return 1;
	code = admin_secret_arg(code_arg);
	if (!code_ok(code)) {
		admin_fail("access codes must be 8 to 128 characters");
		goto out;
	}
	if ((acc = store_account_by_name(a->db, e->id, pos[0])) == NULL) {
		admin_fail("no account '%s' on %s", pos[0], ep);
		goto out;
	}
	if (!store_account_set_code(a->db, acc->id, code)) {
		admin_fail("that access code is already used on this endpoint");
		goto out;
	}
	admin_audit(a, "account.set-code", pos[0], ep);
	printf("access code of %s changed\n", pos[0]);
	rc = 0;
out:
	if (code != NULL) {
		OPENSSL_cleanse(code, strlen(code));
		free(code);
	}
	store_account_free(acc);
	store_endpoint_free(e);
	return rc;
}

static int
cmd_scep_challenge(struct admin *a, int argc, char **argv)
{
	const char		*ep = NULL, *name = NULL, *pattern = "";
	const char		*ttl = "60m";
	const struct opt	 opts[] = {
		{ "endpoint", &ep, NULL, "scep-device/EXT or scep-smime/EXT" },
		{ "account", &name, NULL, "account name" },
		{ "subject-pattern", &pattern, NULL, "extended regex the CN must match" },
		{ "ttl", &ttl, NULL, "lifetime: 60m, 2h, 3600s" },
		{ NULL, NULL, NULL, NULL }
	};
	struct endpoint_list	*el = NULL;
	struct account		*acc = NULL;
	struct endpoint		*e = NULL;
	char			*pos[1], *code = NULL, *end;
	regex_t			 re;
	long			 secs;
	size_t			 i;
	int			 rc = 1;

	if (admin_args(argc, argv, opts, pos, 0) < 0 || name == NULL)
		return -2;
	if (admin_customer(a) == NULL)
		return 1;
	secs = strtol(ttl, &end, 10);
	if (*end == 'm')
		secs *= 60;
	else if (*end == 'h')
		secs *= 3600;
	else if (*end != 's' && *end != '\0')
		secs = 0;
	if (secs <= 0 || secs > 7L * 86400)
		return admin_fail("--ttl: use e.g. 60m, 2h or 3600s (at most 7 days)");
	if (pattern[0] != '\0') {
		if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
			return admin_fail("--subject-pattern is not a valid "
			    "extended regular expression");
		regfree(&re);
	}
	/* Without --endpoint, the account is looked up on every SCEP endpoint. */
	if (ep != NULL) {
		if ((e = find_endpoint(a, ep)) == NULL)
			return 1;
		acc = store_account_by_name(a->db, e->id, name);
	} else if ((el = store_endpoint_list(a->db, a->customer->id)) != NULL) {
		for (i = 0; i < el->n && acc == NULL; i++)
			if (store_endpoint_scep(el->items[i]->type))
				acc = store_account_by_name(a->db,
				    el->items[i]->id, name);
	}
	if (acc == NULL) {
		admin_fail("no SCEP account '%s'", name);
		goto out;
	}
	if ((code = secret_token(16)) == NULL)
		goto out;
	if (store_scep_challenge_add(a->db, acc->id, code, pattern,
	    store_now() + secs) == 0) {
		admin_fail("cannot store the challenge");
		goto out;
	}
	admin_audit(a, "scep.challenge", name, pattern);
	printf("%s\n", code);
	rc = 0;
out:
	if (code != NULL) {
		OPENSSL_cleanse(code, strlen(code));
		free(code);
	}
	store_account_free(acc);
	store_endpoint_free(e);
	store_endpoint_list_free(el);
	return rc;
}

const struct command admin_profile_commands[] = {
	{ "profile", "add", cmd_profile_add,
	    "profile add NAME --type ssl|smime|device [--terms 365,730] "
	    "[--keys rsa2048,ec256] [--ku LIST] [--eku LIST] [--multi-domain] "
	    "[--wildcard] [--description TEXT]",
	    "add a certificate profile" },
	{ "profile", "list", cmd_profile_list, "profile list [--json]",
	    "list profiles" },
	{ "profile", "show", cmd_profile_show, "profile show NAME [--json]",
	    "show a profile" },
	{ "endpoint", "add", cmd_endpoint_add,
	    "endpoint add --type TYPE [--ext EXT] [--name NAME] [--help TEXT] "
	    "[--legacy-des]",
	    "add an enrollment endpoint; prints its URL" },
	{ "endpoint", "list", cmd_endpoint_list, "endpoint list [--json]",
	    "list endpoints with their URLs" },
	{ "account", "add", cmd_account_add,
	    "account add NAME --endpoint TYPE[/EXT] --org ORG [--dept DEPT] "
	    "--code CODE|- --profile P[,P...] [--term T] [--auto-approve] "
	    "[--manual-approval] [--revoke-on-renewal] [--allow-empty-p12] "
	    "[--p12-legacy] [--user-csr]",
	    "add an account (access code) to an endpoint" },
	{ "account", "list", cmd_account_list,
	    "account list --endpoint TYPE[/EXT] [--json]",
	    "list an endpoint's accounts" },
	{ "account", "set-code", cmd_account_set_code,
	    "account set-code NAME --endpoint TYPE[/EXT] --code CODE|-",
	    "change an account's access code" },
	{ "scep", "challenge", cmd_scep_challenge,
	    "scep challenge --account NAME [--endpoint TYPE/EXT] "
	    "[--subject-pattern RE] [--ttl 60m]",
	    "print a one-time SCEP challenge password" },
	{ NULL, NULL, NULL, NULL, NULL }
};
