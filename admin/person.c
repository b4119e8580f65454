/*
 * admin person commands: end users (guide 3.3.3) — add, edit, delete,
 * list, show, import from CSV, invite, reset-secret-id, unlock.
 *
 * A secret ID is read from standard input or a file (never from the
 * command line, where ps and shell history would keep it) or generated;
 * it is stored only as Argon2id, and a generated one is printed once.
 * Nothing prints, logs or audits a secret ID or an invitation code.
 *
 * Editing a person (anything but the secret ID) or deleting one revokes
 * the person's issued certificates (guide 3.3.3.4), through issue_revoke
 * so the CRL is published again: affiliationChanged after an edit (the
 * details the certificate vouches for changed), cessationOfOperation
 * after a deletion (the person is gone).  Both ask for --yes when there
 * is anything to revoke.  A deleted person's requests stay, unlinked
 * from the person, with their requester, names and certificates; the
 * audit log records the deletion.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "admin.h"
#include "buf.h"
#include "clock.h"
#include "notify.h"
#include "person.h"
#include "personcsv.h"
#include "policy.h"
#include "secret.h"
#include "vcode.h"

/* The longest secret ID, as the guide's CSV allows. */
#define SECRET_ID_MAX	128

/* Cleanses and frees a secret string; NULL-safe. */
static void
secret_free(char *s)
{
	if (s == NULL)
		return;
	OPENSSL_cleanse(s, strlen(s));
	free(s);
}

/*
 * Returns the new secret ID the options ask for (caller frees with
 * secret_free) and sets *generated when it was made here; NULL with
 * *none set when no option asks for one, NULL otherwise after reporting.
 */
static char *
secret_option(const char *arg, const char *file, int generate,
    int *generated, int *none)
{
	char	*s = NULL, *nl;
	size_t	 len, i;

	*generated = 0;
	*none = 0;
	if ((arg != NULL) + (file != NULL) + (generate != 0) > 1) {
		admin_fail("give one of --secret-id -, --secret-id-file and "
		    "--generate-secret-id");
		return NULL;
	}
	if (arg == NULL && file == NULL && !generate) {
		*none = 1;
		return NULL;
	}
	if (generate) {
		*generated = 1;
		if ((s = secret_token(12)) == NULL)
			admin_fail("cannot make a secret ID");
		return s;
	}
	if (arg != NULL) {
		if (strcmp(arg, "-") != 0) {
			admin_fail("--secret-id takes '-' and reads the secret "
			    "ID from standard input (or use --secret-id-file)");
			return NULL;
		}
		if ((s = admin_secret_arg("-")) == NULL) {
			admin_fail("no secret ID on standard input");
			return NULL;
		}
	} else {
		if ((s = admin_read_file(file, 4096, &len)) == NULL)
			return NULL;
		/* One line: what follows its end is the file's newline. */
		if ((nl = strpbrk(s, "\r\n")) != NULL)
			*nl = '\0';
	}
	len = strlen(s);
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			break;
	if (len == 0 || len > SECRET_ID_MAX || i < len) {
		secret_free(s);
		admin_fail("a secret ID is 1 to %d characters without control "
		    "characters", SECRET_ID_MAX);
		return NULL;
	}
	return s;
}

/* Returns the Argon2id hash of secret (caller frees), or NULL after reporting. */
static char *
hash_secret(const char *secret)
{
	char	*h = secret_hash(secret);

	if (h == NULL)
		admin_fail("cannot hash the secret ID");
	return h;
}

/* Returns the organisation named name of the customer, or NULL after reporting. */
static struct org *
org_named(struct admin *a, const char *name)
{
	struct org	*o;

	if ((o = store_org_by_name(a->db, a->customer->id, name)) == NULL)
		admin_fail("no organisation '%s' (see: certdesk org list)", name);
	return o;
}

/*
 * Returns the person with email (in organisation orgname when given; it
 * must be when the address is a person in several), or NULL after
 * reporting.
 */
static struct person *
find_person(struct admin *a, const char *email, const char *orgname)
{
	struct person_list	*l;
	struct person		*p = NULL;
	struct org		*o;

	if (orgname != NULL) {
		if ((o = org_named(a, orgname)) == NULL)
			return NULL;
		if ((p = store_person_by_email(a->db, o->id, email)) == NULL)
			admin_fail("no person '%s' in %s (see: certdesk person "
			    "list)", email, o->name);
		store_org_free(o);
		return p;
	}
	if ((l = store_person_by_customer_email(a->db, a->customer->id,
	    email)) == NULL) {
		admin_fail("cannot read the persons");
		return NULL;
	}
	if (l->n == 0)
		admin_fail("no person '%s' (see: certdesk person list)", email);
	else if (l->n > 1)
		admin_fail("'%s' is a person in %zu organisations: choose one "
		    "with --org", email, l->n);
	else {
		p = l->items[0];
		l->items[0] = NULL;
	}
	store_person_list_free(l);
	return p;
}

/* Writes the names of p's organisation and department ("" for none) into the buffers. */
static void
names_of(struct admin *a, const struct person *p, char *org, size_t olen,
    char *dept, size_t dlen)
{
	struct org	*o = store_org_by_id(a->db, p->org_id);
	struct dept	*d = p->dept_id ? store_dept_by_id(a->db, p->dept_id) :
	    NULL;

	snprintf(org, olen, "%s", o ? o->name : "?");
	snprintf(dept, dlen, "%s", d ? d->name : "");
	store_org_free(o);
	store_dept_free(d);
}

/* Prints a JSON member "name":value (a string) after a comma unless first. */
static void
jmember(const char *name, const char *value, int first)
{
	printf("%s\"%s\":", first ? "" : ",", name);
	json_str(stdout, value);
}

/* Prints one person as text (full: every field) or JSON; never the secret ID. */
static void
print_person(struct admin *a, const struct person *p, int first, int full,
    int certs)
{
	char		 org[256], dept[256], t[64];
	const char	*secret = p->secret_id_hash ? "set" : "not set";

	names_of(a, p, org, sizeof(org), dept, sizeof(dept));
	clock_format(p->created, t, sizeof(t));
	if (a->json) {
		printf("%s{", first ? "" : ",");
		jmember("email", p->email, 1);
		jmember("org", org, 0);
		jmember("dept", dept, 0);
		jmember("first_name", p->first_name, 0);
		jmember("middle_name", p->middle_name, 0);
		jmember("last_name", p->last_name, 0);
		jmember("common_name", p->common_name, 0);
		jmember("alt_emails", p->alt_emails, 0);
		jmember("phone", p->phone, 0);
		jmember("validation_type", p->validation_type, 0);
		jmember("principal_name", p->principal_name, 0);
		jmember("country", p->country, 0);
		jmember("eppn", p->eppn, 0);
		jmember("secret_id", secret, 0);
		printf(",\"secret_failures\":%d,\"locked\":%s",
		    p->secret_failures, person_locked(p) ? "true" : "false");
		jmember("created", t, 0);
		if (full)
			printf(",\"certificates\":%d", certs);
		putchar('}');
		return;
	}
	if (!full) {
		printf("%-32s %-16s %-12s %-28s secret ID %s%s\n", p->email, org,
		    dept[0] ? dept : "-", p->common_name, secret,
		    person_locked(p) ? " (locked)" : "");
		return;
	}
	printf("email           %s\norganisation    %s\ndepartment      %s\n"
	    "name            %s%s%s %s\ncommon name     %s\n"
	    "alt. emails     %s\nphone           %s\nvalidation      %s\n"
	    "principal name  %s\ncountry         %s\nEPPN            %s\n"
	    "secret ID       %s",
	    p->email, org, dept[0] ? dept : "-", p->first_name,
	    p->middle_name[0] ? " " : "", p->middle_name, p->last_name,
	    p->common_name, p->alt_emails, p->phone, p->validation_type,
	    p->principal_name, p->country, p->eppn, secret);
	if (person_locked(p))
		printf(" (locked after %d failures; certdesk person unlock)",
		    p->secret_failures);
	else if (p->secret_failures > 0)
		printf(" (%d failed attempts)", p->secret_failures);
	printf("\ncertificates    %d issued\ncreated         %s\n", certs, t);
}

/* The field options add and edit share. */
struct fields {
	const char	*first, *middle, *last, *cn, *phone, *alt, *vt;
	const char	*upn, *country, *eppn, *dept, *email;
};

#define FIELD_OPTS(f)							\
	{ "first", &(f).first, NULL, "first name" },			\
	{ "middle", &(f).middle, NULL, "middle name" },			\
	{ "last", &(f).last, NULL, "last name" },			\
	{ "cn", &(f).cn, NULL, "common name (default: first and last)" }, \
	{ "phone", &(f).phone, NULL, "phone number" },			\
	{ "alt-emails", &(f).alt, NULL, "alternative emails, space separated" }, \
	{ "validation", &(f).vt, NULL, "standard or high" },		\
	{ "principal-name", &(f).upn, NULL, "principal name (an email)" }, \
	{ "country", &(f).country, NULL, "two-letter country code" },	\
	{ "eppn", &(f).eppn, NULL, "eduPersonPrincipalName" },		\
	{ "dept", &(f).dept, NULL, "department (\"\": none)" }

/* Replaces *slot with a copy of value when value is given; 0 when out of memory. */
static int
set_field(char **slot, const char *value)
{
	char	*c;

	if (value == NULL)
		return 1;
	if ((c = strdup(value)) == NULL)
		return 0;
	free(*slot);
	*slot = c;
	return 1;
}

/*
 * Applies the given fields to p (org already set), resolving the
 * department in p's organisation, then checks the guide's rules and the
 * domain delegations.  Returns 1, or 0 after reporting.
 */
static int
apply_fields(struct admin *a, struct person *p, const struct fields *f)
{
	struct dept	*d;
	char		 err[400], cn[300];

	if (!set_field(&p->email, f->email) ||
	    !set_field(&p->first_name, f->first) ||
	    !set_field(&p->middle_name, f->middle) ||
	    !set_field(&p->last_name, f->last) ||
	    !set_field(&p->common_name, f->cn) ||
	    !set_field(&p->phone, f->phone) ||
	    !set_field(&p->alt_emails, f->alt) ||
	    !set_field(&p->validation_type, f->vt) ||
	    !set_field(&p->principal_name, f->upn) ||
	    !set_field(&p->country, f->country) ||
	    !set_field(&p->eppn, f->eppn))
		return admin_fail("out of memory") == 0;
	if (f->dept != NULL && f->dept[0] == '\0')
		p->dept_id = 0;
	else if (f->dept != NULL) {
		if ((d = store_dept_by_name(a->db, p->org_id, f->dept)) ==
		    NULL)
			return admin_fail("no department '%s' in that "
			    "organisation", f->dept) == 0;
		p->dept_id = d->id;
		store_dept_free(d);
	}
	if (p->common_name == NULL || p->common_name[0] == '\0') {
		person_default_cn(p->first_name, p->last_name, cn, sizeof(cn));
		if (!set_field(&p->common_name, cn))
			return 0;
	}
	if (!person_fields_check(p, err, sizeof(err)) ||
	    !person_domains_check(a->db, a->customer->id, p, err,
	    sizeof(err)))
		return admin_fail("%s", err) == 0;
	return 1;
}

/* Returns how many issued certificates the person has, or -1. */
static int
issued_count(struct admin *a, long long person_id)
{
	struct request_list	*l = store_person_issued(a->db, person_id);
	int			 n;

	if (l == NULL)
		return -1;
	n = (int)l->n;
	store_request_list_free(l);
	return n;
}

/*
 * Revokes every certificate in l with reason (issue_revoke publishes the
 * CRL) and tells their holders.  Returns 0, or 1 after reporting which
 * could not be revoked.
 */
static int
revoke_all(struct admin *a, struct request_list *l, int reason,
    const char *why)
{
	char	 err[256];
	size_t	 i;
	int	 rc = 0;

	for (i = 0; i < l->n; i++) {
		const struct request *r = l->items[i];

		err[0] = '\0';
		if (!issue_revoke(a->db, a->cfg, r->id, reason, why,
		    &a->actor, err, sizeof(err))) {
			rc = admin_fail("certificate %s was not revoked: %s "
			    "(run: certdesk cert revoke %s)", r->cert_id, err,
			    r->cert_id);
			continue;
		}
		admin_notify(a, r->id, "revoked");
		if (err[0] != '\0')
			rc = admin_fail("certificate %s revoked, but %s",
			    r->cert_id, err);
		else
			printf("certificate %s revoked (%s)\n", r->cert_id,
			    issue_reason_name(reason));
	}
	return rc;
}

static int
cmd_person_add(struct admin *a, int argc, char **argv)
{
	struct fields		 f = { 0 };
	const char		*orgname = NULL, *sid = NULL, *sidfile = NULL;
	int			 gen = 0, generated, none, rc = 1;
	const struct opt	 opts[] = {
		{ "org", &orgname, NULL, "organisation" },
		FIELD_OPTS(f),
		{ "secret-id", &sid, NULL, "'-': read the secret ID from stdin" },
		{ "secret-id-file", &sidfile, NULL, "read the secret ID from FILE" },
		{ "generate-secret-id", NULL, &gen, "make one, printed once" },
		{ NULL, NULL, NULL, NULL }
	};
	char			*pos[1], *secret = NULL, detail[300];
	struct person		*p = NULL;
	struct org		*o = NULL;

	if (admin_args(argc, argv, opts, pos, 1) != 1)
		return -2;
	if (admin_customer(a) == NULL)
		return 1;
	if (orgname == NULL)
		return admin_fail("--org NAME is required");
	if ((o = org_named(a, orgname)) == NULL)
		return 1;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		goto out;
	p->org_id = o->id;
	f.email = pos[0];
	if (!apply_fields(a, p, &f))
		goto out;
	secret = secret_option(sid, sidfile, gen, &generated, &none);
	if (secret == NULL && !none)
		goto out;
	if (secret != NULL && (p->secret_id_hash = hash_secret(secret)) ==
	    NULL)
		goto out;
	if (store_person_add(a->db, p) == 0) {
		admin_fail("a person with the email '%s' already exists in %s",
		    p->email, o->name);
		goto out;
	}
	snprintf(detail, sizeof(detail), "%s; secret ID %s", o->name,
	    secret ? "set" : "not set");
	admin_audit(a, "person.add", p->email, detail);
	printf("person %s added to %s\n", p->email, o->name);
	if (generated)
		printf("secret ID: %s\n(shown only now: give it to the person "
		    "out of band)\n", secret);
	rc = 0;
out:
	secret_free(secret);
	store_person_free(p);
	store_org_free(o);
	return rc;
}

static int
cmd_person_edit(struct admin *a, int argc, char **argv)
{
	struct fields		 f = { 0 };
	const char		*orgname = NULL;
	int			 yes = 0, n, rc = 1;
	const struct opt	 opts[] = {
		{ "org", &orgname, NULL, "the person's organisation" },
		{ "email", &f.email, NULL, "new email address" },
		FIELD_OPTS(f),
		{ "yes", NULL, &yes, "revoke the person's certificates" },
		{ NULL, NULL, NULL, NULL }
	};
	char			*pos[1];
	struct person		*p = NULL;
	struct request_list	*certs = NULL;

	if (admin_args(argc, argv, opts, pos, 1) != 1)
		return -2;
	if (f.email == NULL && f.first == NULL && f.middle == NULL &&
	    f.last == NULL && f.cn == NULL && f.phone == NULL &&
	    f.alt == NULL && f.vt == NULL && f.upn == NULL &&
	    f.country == NULL && f.eppn == NULL && f.dept == NULL)
		return admin_fail("nothing to change (see: certdesk person "
		    "edit --help)");
	if (admin_customer(a) == NULL ||
	    (p = find_person(a, pos[0], orgname)) == NULL)
		return 1;
	if (!apply_fields(a, p, &f))
		goto out;
	if ((certs = store_person_issued(a->db, p->id)) == NULL) {
		admin_fail("cannot read the person's certificates");
		goto out;
	}
	n = (int)certs->n;
	if (n > 0 && !yes) {
		admin_fail("editing %s revokes %d certificate%s; repeat with "
		    "--yes", pos[0], n, n == 1 ? "" : "s");
		goto out;
	}
	if (!store_person_update(a->db, p)) {
		admin_fail("cannot update %s (is %s already a person of that "
		    "organisation?)", pos[0], p->email);
		goto out;
	}
	admin_audit(a, "person.edit", pos[0], strcmp(pos[0], p->email) ?
	    p->email : NULL);
	printf("person %s updated\n", p->email);
	rc = revoke_all(a, certs, 3 /* affiliationChanged */,
	    "person details changed");
out:
	store_request_list_free(certs);
	store_person_free(p);
	return rc;
}

static int
cmd_person_delete(struct admin *a, int argc, char **argv)
{
	const char		*orgname = NULL;
	int			 yes = 0, n, rc = 1;
	const struct opt	 opts[] = {
		{ "org", &orgname, NULL, "the person's organisation" },
		{ "yes", NULL, &yes, "revoke the person's certificates" },
		{ NULL, NULL, NULL, NULL }
	};
	char			*pos[1], org[256], dept[256];
	struct person		*p = NULL;
	struct request_list	*certs = NULL;

	if (admin_args(argc, argv, opts, pos, 1) != 1)
		return -2;
	if (admin_customer(a) == NULL ||
	    (p = find_person(a, pos[0], orgname)) == NULL)
		return 1;
	if ((certs = store_person_issued(a->db, p->id)) == NULL) {
		admin_fail("cannot read the person's certificates");
		goto out;
	}
	n = (int)certs->n;
	if (n > 0 && !yes) {
		admin_fail("deleting %s revokes %d certificate%s; repeat with "
		    "--yes", pos[0], n, n == 1 ? "" : "s");
		goto out;
	}
	names_of(a, p, org, sizeof(org), dept, sizeof(dept));
	if (!db_begin(a->db))
		goto out;
	if (!store_person_delete(a->db, p->id) || !db_commit(a->db)) {
		db_rollback(a->db);
		admin_fail("cannot delete %s", pos[0]);
		goto out;
	}
	admin_audit(a, "person.delete", p->email, org);
	printf("person %s deleted from %s\n", p->email, org);
	rc = revoke_all(a, certs, 5 /* cessationOfOperation */,
	    "person deleted");
out:
	store_request_list_free(certs);
	store_person_free(p);
	return rc;
}

static int
cmd_person_list(struct admin *a, int argc, char **argv)
{
	const char		*orgname = NULL;
	const struct opt	 opts[] = {
		{ "org", &orgname, NULL, "only this organisation" },
		{ "json", NULL, &a->json, "JSON output" },
		{ NULL, NULL, NULL, NULL }
	};
	char			*pos[1];
	struct person_list	*l;
	struct org		*o = NULL;
	size_t			 i;
	int			 first = 1;

	if (admin_args(argc, argv, opts, pos, 0) < 0)
		return -2;
	if (admin_customer(a) == NULL)
		return 1;
	if (orgname != NULL && (o = org_named(a, orgname)) == NULL)
		return 1;
	if ((l = store_person_list(a->db, a->customer->id)) == NULL) {
		store_org_free(o);
		return admin_fail("cannot list persons");
	}
	if (a->json)
		putchar('[');
	for (i = 0; i < l->n; i++) {
		if (o != NULL && l->items[i]->org_id != o->id)
			continue;
		print_person(a, l->items[i], first, 0, 0);
		first = 0;
	}
	if (a->json)
		puts("]");
	store_person_list_free(l);
	store_org_free(o);
	return 0;
}

static int
cmd_person_show(struct admin *a, int argc, char **argv)
{
	const char		*orgname = NULL;
	const struct opt	 opts[] = {
		{ "org", &orgname, NULL, "the person's organisation" },
		{ "json", NULL, &a->json, "JSON output" },
		{ NULL, NULL, NULL, NULL }
	};
	char			*pos[1];
	struct person		*p;
	int			 n;

	if (admin_args(argc, argv, opts, pos, 1) != 1)
		return -2;
	if (admin_customer(a) == NULL ||
	    (p = find_person(a, pos[0], orgname)) == NULL)
		return 1;
	if ((n = issued_count(a, p->id)) < 0) {
		store_person_free(p);
		return admin_fail("cannot read the person's certificates");
	}
	print_person(a, p, 1, 1, n);
	if (a->json)
		putchar('\n');
	store_person_free(p);
	return 0;
}

static int
cmd_person_reset_secret(struct admin *a, int argc, char **argv)
{
	const char		*orgname = NULL, *sid = NULL, *sidfile = NULL;
	int			 gen = 0, generated, none, rc = 1;
	const struct opt	 opts[] = {
		{ "org", &orgname, NULL, "the person's organisation" },
		{ "secret-id", &sid, NULL, "'-': read the secret ID from stdin" },
		{ "secret-id-file", &sidfile, NULL, "read the secret ID from FILE" },
		{ "generate-secret-id", NULL, &gen, "make one, printed once" },
		{ NULL, NULL, NULL, NULL }
	};
	char			*pos[1], *secret = NULL, *hash = NULL;
	struct person		*p = NULL;

	if (admin_args(argc, argv, opts, pos, 1) != 1)
		return -2;
	if (admin_customer(a) == NULL ||
	    (p = find_person(a, pos[0], orgname)) == NULL)
		return 1;
	secret = secret_option(sid, sidfile, gen, &generated, &none);
	if (secret == NULL) {
		if (none)
			admin_fail("give the new secret ID with --secret-id -, "
			    "--secret-id-file FILE or --generate-secret-id");
		goto out;
	}
	if ((hash = hash_secret(secret)) == NULL)
		goto out;
	if (!store_person_set_secret(a->db, p->id, hash)) {
		admin_fail("cannot store the secret ID of %s", pos[0]);
		goto out;
	}
	admin_audit(a, "person.reset-secret-id", p->email, NULL);
	printf("secret ID of %s reset\n", p->email);
	if (generated)
		printf("secret ID: %s\n(shown only now: give it to the person "
		    "out of band)\n", secret);
	rc = 0;
out:
	free(hash);
	secret_free(secret);
	store_person_free(p);
	return rc;
}

static int
cmd_person_unlock(struct admin *a, int argc, char **argv)
{
	const char		*orgname = NULL;
	const struct opt	 opts[] = {
		{ "org", &orgname, NULL, "the person's organisation" },
		{ NULL, NULL, NULL, NULL }
	};
	char			*pos[1];
	struct person		*p;

	if (admin_args(argc, argv, opts, pos, 1) != 1)
		return -2;
	if (admin_customer(a) == NULL ||
	    (p = find_person(a, pos[0], orgname)) == NULL)
		return 1;
	if (!store_person_secret_reset(a->db, p->id, INT_MAX)) {
		store_person_free(p);
		return admin_fail("cannot unlock %s", pos[0]);
	}
	admin_audit(a, "person.unlock", p->email, NULL);
	printf("secret ID of %s unlocked\n", p->email);
	store_person_free(p);
	return 0;
}

/*
 * Returns the client-certificate (smime) account name, on endpoint spec
 * (smime[/EXT]) or else on any smime endpoint, or NULL after reporting.
 */
static struct account *
find_smime_account(struct admin *a, const char *name, const char *spec)
{
	struct endpoint_list	*el;
	struct account		*acc = NULL, *other;
	const struct endpoint	*e;
	char			 want[160];
	size_t			 i, found = 0;

	if (name == NULL) {
		admin_fail("--account NAME (a client certificate account) is "
		    "required");
		return NULL;
	}
	if ((el = store_endpoint_list(a->db, a->customer->id)) == NULL) {
		admin_fail("cannot list endpoints");
		return NULL;
	}
	for (i = 0; i < el->n; i++) {
		e = el->items[i];
		if (e->type != ENDPOINT_SMIME)
			continue;
		snprintf(want, sizeof(want), "smime%s%s", e->ext[0] ? "/" : "",
		    e->ext);
		if (spec != NULL && strcmp(spec, want) != 0)
			continue;
		if ((other = store_account_by_name(a->db, e->id, name)) ==
		    NULL)
			continue;
		found++;
		if (acc == NULL)
			acc = other;
		else
			store_account_free(other);
	}
	store_endpoint_list_free(el);
	if (found == 0)
		admin_fail("no client certificate account '%s' (see: certdesk "
		    "account list --endpoint smime)", name);
	else if (found > 1)
		admin_fail("several client certificate endpoints have an "
		    "account '%s': choose one with --endpoint smime/EXT", name);
	if (found != 1) {
		store_account_free(acc);
		return NULL;
	}
	return acc;
}

/*
 * Checks that account acc may enroll person p: the same organisation,
 * and p's email in a domain delegated to the account's organisation or
 * department for client certificates.  Returns 1, or 0 with a message.
 */
static int
account_fits(struct admin *a, const struct account *acc,
    const struct person *p, char *err, size_t errlen)
{
	struct policy_scope	*sc;
	int			 ok;

	if (acc->org_id != p->org_id) {
		buf_msg(err, errlen, "the account '%s' belongs to another "
		    "organisation than %s", acc->name, p->email);
		return 0;
	}
	if ((sc = policy_scope_load(a->db, a->customer->id, acc->org_id,
	    acc->dept_id)) == NULL) {
		buf_msg(err, errlen, "cannot read the delegations");
		return 0;
	}
	ok = policy_email_allowed(sc->dels, sc->n, sc->org_id, sc->dept_id,
	    CERT_SMIME, p->email);
	policy_scope_free(sc);
	if (!ok)
		buf_msg(err, errlen, "the domain of %s is not delegated for "
		    "client certificates where the account '%s' enrolls",
		    p->email, acc->name);
	return ok;
}

/*
 * Makes an invitation code for p on acc and mails it, in one
 * transaction: a mail that cannot be sent leaves no code behind.
 * Returns 1, or 0 after reporting.
 */
static int
invite(struct admin *a, const struct person *p, const struct account *acc)
{
	long		 ttl = config_invitation_ttl(a->cfg);
	long long	 expires;
	char		*code, when[64], detail[300];

	if (!db_begin(a->db)) {
		admin_fail("cannot open a transaction");
		return 0;
	}
	expires = store_now() + ttl;
	if ((code = vcode_make(a->db, VCODE_INVITATION, 0, p->id, acc->id,
	    p->email, ttl)) == NULL) {
		db_rollback(a->db);
		admin_fail("cannot make an invitation code for %s", p->email);
		return 0;
	}
	if (!notify_invitation(a->db, a->cfg, p->id, acc->id, code,
	    expires)) {
		secret_free(code);
		db_rollback(a->db);
		admin_fail("the invitation mail to %s could not be sent (see "
		    "the log); no invitation code was kept", p->email);
		return 0;
	}
	secret_free(code);
	if (!db_commit(a->db)) {
		db_rollback(a->db);
		admin_fail("the invitation to %s was mailed but could not be "
		    "recorded: its code will not work; invite again", p->email);
		return 0;
	}
	clock_format(expires, when, sizeof(when));
	snprintf(detail, sizeof(detail), "account %s, until %s", acc->name,
	    when);
	admin_audit(a, "person.invite", p->email, detail);
	printf("invitation mailed to %s (valid until %s)\n", p->email, when);
	return 1;
}

static int
cmd_person_invite(struct admin *a, int argc, char **argv)
{
	const char		*orgname = NULL, *accname = NULL, *ep = NULL;
	const struct opt	 opts[] = {
		{ "org", &orgname, NULL, "the person's organisation" },
		{ "account", &accname, NULL, "client certificate account" },
		{ "endpoint", &ep, NULL, "smime/EXT when several have it" },
		{ NULL, NULL, NULL, NULL }
	};
	char			*pos[1], err[300];
	struct person		*p = NULL;
	struct account		*acc = NULL;
	int			 rc = 1;

	if (admin_args(argc, argv, opts, pos, 1) != 1)
		return -2;
	if (admin_customer(a) == NULL ||
	    (acc = find_smime_account(a, accname, ep)) == NULL ||
	    (p = find_person(a, pos[0], orgname)) == NULL)
		goto out;
	if (!account_fits(a, acc, p, err, sizeof(err))) {
		admin_fail("%s", err);
		goto out;
	}
	rc = invite(a, p, acc) ? 0 : 1;
out:
	store_person_free(p);
	store_account_free(acc);
	return rc;
}

/* Prints the parse's errors, one per line, to stderr. */
static void
print_errors(const char *file, const struct personcsv *pc)
{
	size_t	 i;

	for (i = 0; i < pc->nerrors; i++) {
		if (pc->errors[i].line == 0)
			fprintf(stderr, "%s: %s\n", file, pc->errors[i].msg);
		else
			fprintf(stderr, "line %zu: %s\n", pc->errors[i].line,
			    pc->errors[i].msg);
	}
}

/*
 * With --invite, a good row whose person the account cannot enroll
 * fails like any other rule: checked before anything is imported.
 * Returns how many rows it refused (reported on stderr).
 */
static size_t
check_invitable(struct admin *a, struct personcsv *pc,
    const struct account *acc)
{
	struct person	 p;
	char		 err[300];
	size_t		 i, bad = 0;

	for (i = 0; i < pc->nrows; i++) {
		struct personcsv_row *r = &pc->rows[i];

		if (!r->ok)
			continue;
		memset(&p, 0, sizeof(p));
		p.org_id = r->org_id;
		p.email = r->email;
		if (!account_fits(a, acc, &p, err, sizeof(err))) {
			fprintf(stderr, "line %zu: %s\n", r->line, err);
			r->ok = 0;
			bad++;
		}
	}
	return bad;
}

/* Fills p from a good row (borrowing its strings) with the secret's hash. */
static void
row_to_person(const struct personcsv_row *r, char *hash, struct person *p)
{
	memset(p, 0, sizeof(*p));
	p->org_id = r->org_id;
	p->dept_id = r->dept_id;
	p->email = r->email;
	p->first_name = r->first;
	p->middle_name = r->middle;
	p->last_name = r->last;
	p->common_name = r->common_name;
	p->alt_emails = r->alt_emails;
	p->phone = r->phone;
	p->validation_type = r->validation_type;
	p->principal_name = r->principal_name;
	p->country = r->country;
	p->eppn = r->eppn;
	p->secret_id_hash = hash;
}

/*
 * Inserts the good rows in one transaction; ids[i] gets row i's person
 * (0 for rows not imported).  Returns how many, or -1 after reporting
 * (nothing imported then).
 */
static long
import_rows(struct admin *a, const char *file, struct personcsv *pc,
    long long *ids)
{
	struct person	 p;
	char		**hash, detail[300];
	size_t		 i;
	long		 n = -1;

	if ((hash = calloc(pc->nrows + 1, sizeof(*hash))) == NULL) {
		admin_fail("out of memory");
		return -1;
	}
	/* The slow hashes first, so the write lock is held only to insert. */
	for (i = 0; i < pc->nrows; i++)
		if (pc->rows[i].ok && pc->rows[i].secret_id[0] != '\0' &&
		    (hash[i] = hash_secret(pc->rows[i].secret_id)) == NULL)
			goto out;
	if (!db_begin(a->db)) {
		admin_fail("cannot open a transaction");
		goto out;
	}
	for (n = 0, i = 0; i < pc->nrows; i++) {
		if (!pc->rows[i].ok)
			continue;
		row_to_person(&pc->rows[i], hash[i], &p);
		if ((ids[i] = store_person_add(a->db, &p)) == 0) {
			db_rollback(a->db);
			admin_fail("line %zu: cannot add %s; nothing imported",
			    pc->rows[i].line, p.email);
			n = -1;
			goto out;
		}
		snprintf(detail, sizeof(detail), "import %s line %zu; secret "
		    "ID %s", file, pc->rows[i].line, hash[i] ? "set" :
		    "not set");
		admin_audit(a, "person.add", p.email, detail);
		n++;
	}
	if (!db_commit(a->db)) {
		db_rollback(a->db);
		admin_fail("cannot commit the import; nothing imported");
		n = -1;
	}
out:
	for (i = 0; i < pc->nrows; i++)
		free(hash[i]);
	free(hash);
	return n;
}

static int
cmd_person_import(struct admin *a, int argc, char **argv)
{
	const char		*orgname = NULL, *accname = NULL, *ep = NULL;
	int			 partial = 0, inv = 0, rc = 1;
	const struct opt	 opts[] = {
		{ "org", &orgname, NULL, "organisation of lines without one "
		    "(and the only one allowed)" },
		{ "partial", NULL, &partial, "import the good lines when "
		    "some fail" },
		{ "invite", NULL, &inv, "mail each imported person an "
		    "invitation" },
		{ "account", &accname, NULL, "client certificate account "
		    "for --invite" },
		{ "endpoint", &ep, NULL, "smime/EXT when several have it" },
		{ NULL, NULL, NULL, NULL }
	};
	char			*pos[1], *data = NULL;
	struct personcsv	*pc = NULL;
	struct account		*acc = NULL;
	struct org		*o = NULL;
	struct person		*p;
	long long		*ids = NULL;
	size_t			 len, i, good, failed, unsent;
	long			 n;

	if (admin_args(argc, argv, opts, pos, 1) != 1)
		return -2;
	if (admin_customer(a) == NULL)
		return 1;
	if (inv != (accname != NULL))
		return admin_fail("--invite and --account go together");
	if (orgname != NULL && (o = org_named(a, orgname)) == NULL)
		return 1;
	if (inv && (acc = find_smime_account(a, accname, ep)) == NULL)
		goto out;
	if ((data = admin_read_file(pos[0], PERSONCSV_MAX_BYTES, &len)) == NULL)
		goto out;
	pc = personcsv_parse(data, len);
	OPENSSL_cleanse(data, len);
	if (pc == NULL) {
		admin_fail("out of memory");
		goto out;
	}
	personcsv_check(pc, a->db, a->customer->id, orgname);
	print_errors(pos[0], pc);
	failed = pc->nerrors;
	if (acc != NULL)
		failed += check_invitable(a, pc, acc);
	good = personcsv_good(pc);
	if (good == 0 || (failed > 0 && !partial)) {
		admin_fail("nothing imported: %zu line%s failed%s", failed,
		    failed == 1 ? "" : "s", good > 0 ? "; fix them, or "
		    "repeat with --partial to import the good ones" : "");
		goto out;
	}
	if ((ids = calloc(pc->nrows + 1, sizeof(*ids))) == NULL)
		goto out;
	if ((n = import_rows(a, pos[0], pc, ids)) < 0)
		goto out;
	printf("imported %ld person%s from %s\n", n, n == 1 ? "" : "s",
	    pos[0]);
	rc = 0;
	if (failed > 0)
		printf("%zu line%s skipped (--partial)\n", failed,
		    failed == 1 ? "" : "s");
	for (unsent = 0, i = 0; acc != NULL && i < pc->nrows; i++) {
		if (ids[i] == 0 || (p = store_person_by_id(a->db, ids[i])) ==
		    NULL)
			continue;
		if (!invite(a, p, acc))
			unsent++;
		store_person_free(p);
	}
	if (unsent > 0)
		rc = admin_fail("%zu invitation%s could not be sent; the "
		    "persons are imported: run certdesk person invite for "
		    "them", unsent, unsent == 1 ? "" : "s");
out:
	free(ids);
	free(data);
	personcsv_free(pc);
	store_account_free(acc);
	store_org_free(o);
	return rc;
}

const struct command admin_person_commands[] = {
	{ "person", "add", cmd_person_add,
	    "person add EMAIL --org ORG --first F --last L [--middle M] "
	    "[--cn CN] [--dept DEPT] [--phone P] [--alt-emails \"A B\"] "
	    "[--validation standard|high] [--principal-name UPN] "
	    "[--country CC] [--eppn EPPN] [--secret-id - | --secret-id-file "
	    "FILE | --generate-secret-id]",
	    "add an end user (secret ID from stdin, a file, or generated)" },
	{ "person", "edit", cmd_person_edit,
	    "person edit EMAIL [--org ORG] [--email NEW] [--first F] "
	    "[--middle M] [--last L] [--cn CN] [--dept DEPT] [--phone P] "
	    "[--alt-emails \"A B\"] [--validation V] [--principal-name UPN] "
	    "[--country CC] [--eppn EPPN] [--yes]",
	    "change an end user; revokes their certificates (with --yes)" },
	{ "person", "delete", cmd_person_delete,
	    "person delete EMAIL [--org ORG] [--yes]",
	    "delete an end user; revokes their certificates (with --yes)" },
	{ "person", "list", cmd_person_list, "person list [--org ORG] [--json]",
	    "list end users" },
	{ "person", "show", cmd_person_show,
	    "person show EMAIL [--org ORG] [--json]", "show one end user" },
	{ "person", "import", cmd_person_import,
	    "person import FILE.csv [--org ORG] [--partial] [--invite "
	    "--account NAME [--endpoint smime/EXT]]",
	    "import end users from a CSV file (all lines or, --partial, the "
	    "good ones)" },
	{ "person", "invite", cmd_person_invite,
	    "person invite EMAIL --account NAME [--org ORG] [--endpoint "
	    "smime/EXT]",
	    "mail an end user an invitation to enroll" },
	{ "person", "reset-secret-id", cmd_person_reset_secret,
	    "person reset-secret-id EMAIL [--org ORG] (--secret-id - | "
	    "--secret-id-file FILE | --generate-secret-id)",
	    "set a new secret ID and clear its failures" },
	{ "person", "unlock", cmd_person_unlock,
	    "person unlock EMAIL [--org ORG]",
	    "clear the secret ID failures of a locked end user" },
	{ NULL, NULL, NULL, NULL, NULL }
};
