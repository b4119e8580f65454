/* personcsv: the guide's end-user CSV, read with csvrec and checked line by line. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "buf.h"
#include "csvrec.h"
#include "person.h"
#include "personcsv.h"
#include "store.h"

#define FIELDS_PLAIN	13	/* without a principal name */
#define FIELDS_UPN	14	/* with one */

/* The parse in progress, handed to the record callback. */
struct ctx {
	struct personcsv	*pc;
	size_t			 records;
	int			 nomem;
};

/* Records an error for line (0: the file); sets pc->nerrors. */
static void
add_error(struct personcsv *pc, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
add_error(struct personcsv *pc, size_t line, const char *fmt, ...)
{
	struct personcsv_error	*e;
	va_list			 ap;
	char			 msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	e = reallocarray(pc->errors, pc->nerrors + 1, sizeof(*e));
	if (e == NULL)
		return;
	pc->errors = e;
	if ((e[pc->nerrors].msg = strdup(msg)) == NULL)
		return;
	e[pc->nerrors++].line = line;
}

/* Returns a copy of s (the empty string for NULL), or NULL; sets *nomem. */
static char *
dup(const char *s, int *nomem)
{
	char	*d = strdup(s != NULL ? s : "");

	if (d == NULL)
		*nomem = 1;
	return d;
}

/* Frees what a row holds, cleansing the secret ID. */
static void
row_free(struct personcsv_row *r)
{
	if (r->secret_id != NULL)
		OPENSSL_cleanse(r->secret_id, strlen(r->secret_id));
	free(r->first);
	free(r->middle);
	free(r->last);
	free(r->email);
	free(r->alt_emails);
	free(r->validation_type);
	free(r->org);
	free(r->dept);
	free(r->secret_id);
	free(r->phone);
	free(r->country);
	free(r->principal_name);
	free(r->eppn);
	free(r->common_name);
}

/* Fills a person view of the row (borrowing its strings). */
static void
row_person(const struct personcsv_row *r, struct person *p)
{
	memset(p, 0, sizeof(*p));
	p->org_id = r->org_id;
	p->dept_id = r->dept_id;
	p->first_name = r->first;
	p->middle_name = r->middle;
	p->last_name = r->last;
	p->email = r->email;
	p->alt_emails = r->alt_emails;
	p->validation_type = r->validation_type;
	p->common_name = r->common_name;
	p->phone = r->phone;
	p->country = r->country;
	p->principal_name = r->principal_name;
	p->eppn = r->eppn;
}

/* Fills row r from the fields of rec; returns 1, or 0 when out of memory. */
static int
row_fill(const struct csvrec *rec, struct personcsv_row *r)
{
	char *const	*f = rec->field;
	char		 cn[300];
	int		 upn = rec->nfield == FIELDS_UPN, nomem = 0;
	char		*s;

	memset(r, 0, sizeof(*r));
	r->line = rec->line;
	r->ok = 1;
	r->first = dup(f[0], &nomem);
	r->middle = dup(f[1], &nomem);
	r->last = dup(f[2], &nomem);
	r->email = dup(f[3], &nomem);
	r->alt_emails = dup(f[4], &nomem);
	r->validation_type = dup(f[5], &nomem);
	r->org = dup(f[6], &nomem);
	r->dept = dup(f[7], &nomem);
	r->secret_id = dup(f[8], &nomem);
	r->phone = dup(f[9], &nomem);
	r->country = dup(f[10], &nomem);
	r->principal_name = dup(upn ? f[11] : "", &nomem);
	r->eppn = dup(f[upn ? 12 : 11], &nomem);
	r->common_name = dup(f[upn ? 13 : 12], &nomem);
	if (nomem)
		return 0;
	for (s = r->validation_type; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
	for (s = r->country; *s != '\0'; s++)
		*s = (char)toupper((unsigned char)*s);
	if (r->common_name[0] == '\0') {
		person_default_cn(r->first, r->last, cn, sizeof(cn));
		free(r->common_name);
		if ((r->common_name = strdup(cn)) == NULL)
			return 0;
	}
	return 1;
}

/* Applies the rules that need no database; 1 when the row passes. */
static int
row_rules(struct personcsv *pc, const struct personcsv_row *r)
{
	struct person	 p;
	char		 err[400];

	if (strlen(r->org) > 128) {
		add_error(pc, r->line, "the organisation is longer than 128 "
		    "characters");
		return 0;
	}
	if (strlen(r->dept) > 128) {
		add_error(pc, r->line, "the department is longer than 128 "
		    "characters");
		return 0;
	}
	if (strlen(r->secret_id) > 128) {
		add_error(pc, r->line, "the secret ID is longer than 128 "
		    "characters");
		return 0;
	}
	row_person(r, &p);
	if (!person_fields_check(&p, err, sizeof(err))) {
		add_error(pc, r->line, "%s", err);
		return 0;
	}
	return 1;
}

/* csvrec: one record, kept as a row when it passes; returns 0 to stop the read. */
static int
on_record(const struct csvrec *rec, void *data)
{
	struct ctx		*c = data;
	struct personcsv	*pc = c->pc;
	struct personcsv_row	*rows, r;

	if (c->records++ == 0 && rec->field[0] != NULL &&
	    strcasecmp(rec->field[0], "First Name") == 0)
		return 1;	/* a heading */
	if (c->records > PERSONCSV_MAX_ROWS) {
		add_error(pc, rec->line, "more than %d persons in one file; "
		    "split it", PERSONCSV_MAX_ROWS);
		return 0;
	}
	if (rec->nfield != FIELDS_PLAIN && rec->nfield != FIELDS_UPN) {
		add_error(pc, rec->line, "%zu field%s, expected %d (or %d "
		    "with a principal name)", rec->nfield, rec->nfield == 1 ?
		    "" : "s", FIELDS_PLAIN, FIELDS_UPN);
		return 1;
	}
	if (rec->flags & CSVREC_CONTROL) {
		add_error(pc, rec->line, "a field holds a control character "
		    "(a line break inside quotes, a tab, a NUL)");
		return 1;
	}
	if (!row_fill(rec, &r)) {
		row_free(&r);
		c->nomem = 1;
		return 0;
	}
	if (!row_rules(pc, &r)) {
		row_free(&r);
		return 1;
	}
	if ((rows = reallocarray(pc->rows, pc->nrows + 1, sizeof(*rows))) ==
	    NULL) {
		row_free(&r);
		c->nomem = 1;
		return 0;
	}
	pc->rows = rows;
	pc->rows[pc->nrows++] = r;
	return 1;
}

/* Orders errors by line (a line has at most one). */
static int
error_cmp(const void *a, const void *b)
{
	const struct personcsv_error *x = a, *y = b;

	return (x->line > y->line) - (x->line < y->line);
}

struct personcsv *
personcsv_parse(const char *data, size_t len)
{
	struct csvrec_opts	 opts = { FIELDS_UPN, 0, 0 };
	struct personcsv	*pc;
	struct ctx		 c;
	size_t			 open_line = 0;

	if ((pc = calloc(1, sizeof(*pc))) == NULL)
		return NULL;
	if (len > PERSONCSV_MAX_BYTES) {
		add_error(pc, 0, "the file is larger than %d bytes; split it",
		    PERSONCSV_MAX_BYTES);
		return pc;
	}
	memset(&c, 0, sizeof(c));
	c.pc = pc;
	switch (csvrec_read(data, len, &opts, on_record, &c, &open_line)) {
	case CSVREC_NOMEM:
		c.nomem = 1;
		break;
	case CSVREC_OPEN_QUOTE:
		add_error(pc, open_line, "a quoted field is not closed");
		break;
	case CSVREC_DONE:
	case CSVREC_STOPPED:	/* a limit, or no memory: the callback said which */
		break;
	}
	if (c.nomem) {
		personcsv_free(pc);
		return NULL;
	}
	if (pc->nrows == 0 && pc->nerrors == 0)
		add_error(pc, 0, "the file holds no persons");
	return pc;
}

/* Finds the organisation named name in l; NULL when none. */
static const struct org *
org_named(const struct org_list *l, const char *name)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->items[i]->name, name) == 0)
			return l->items[i];
	return NULL;
}

/* Returns 1 if some organisation of l other than not_id has a department name. */
static int
dept_elsewhere(struct db *db, const struct org_list *l, long long not_id,
    const char *name)
{
	struct dept	*d;
	size_t		 i;

	for (i = 0; i < l->n; i++) {
		if (l->items[i]->id == not_id)
			continue;
		if ((d = store_dept_by_name(db, l->items[i]->id, name)) !=
		    NULL) {
			store_dept_free(d);
			return 1;
		}
	}
	return 0;
}

/* Applies the database rules to one row; 1 when it passes. */
static int
row_check(struct personcsv *pc, size_t k, struct db *db,
    long long customer_id, const struct org_list *orgs, const char *only_org)
{
	struct personcsv_row	*r = &pc->rows[k];
	const struct org	*o;
	struct dept		*d;
	struct person		 p, *there;
	char			 err[400];
	size_t			 j;

	if (r->org[0] == '\0' && only_org != NULL) {
		free(r->org);
		if ((r->org = strdup(only_org)) == NULL)
			return 0;
	}
	if (r->org[0] == '\0') {
		add_error(pc, r->line, "the organisation is required");
		return 0;
	}
	if (only_org != NULL && strcmp(r->org, only_org) != 0) {
		add_error(pc, r->line, "the organisation '%s' is not the one "
		    "given with --org ('%s')", r->org, only_org);
		return 0;
	}
	if ((o = org_named(orgs, r->org)) == NULL) {
		add_error(pc, r->line, "the organisation '%s' does not exist",
		    r->org);
		return 0;
	}
	r->org_id = o->id;
	if (r->dept[0] != '\0') {
		if ((d = store_dept_by_name(db, o->id, r->dept)) == NULL) {
			if (dept_elsewhere(db, orgs, o->id, r->dept))
				add_error(pc, r->line, "the department '%s' "
				    "does not exist in the organisation '%s'",
				    r->dept, o->name);
			else
				add_error(pc, r->line, "the department '%s' "
				    "does not exist", r->dept);
			return 0;
		}
		r->dept_id = d->id;
		store_dept_free(d);
	}
	row_person(r, &p);
	if (!person_domains_check(db, customer_id, &p, err, sizeof(err))) {
		add_error(pc, r->line, "%s", err);
		return 0;
	}
	if ((there = store_person_by_email(db, o->id, r->email)) != NULL) {
		store_person_free(there);
		add_error(pc, r->line, "a person with the email address '%s' "
		    "already exists in the organisation '%s'", r->email,
		    o->name);
		return 0;
	}
	for (j = 0; j < k; j++)
		if (pc->rows[j].ok && pc->rows[j].org_id == o->id &&
		    strcasecmp(pc->rows[j].email, r->email) == 0) {
			add_error(pc, r->line, "the email address '%s' is "
			    "already on line %zu", r->email, pc->rows[j].line);
			return 0;
		}
	return 1;
}

int
personcsv_check(struct personcsv *pc, struct db *db, long long customer_id,
    const char *only_org)
{
	struct org_list	*orgs;
	size_t		 k;

	if ((orgs = store_org_list(db, customer_id)) == NULL) {
		add_error(pc, 0, "cannot read the organisations");
		return 0;
	}
	for (k = 0; k < pc->nrows; k++)
		if (pc->rows[k].ok &&
		    !row_check(pc, k, db, customer_id, orgs, only_org))
			pc->rows[k].ok = 0;
	store_org_list_free(orgs);
	if (pc->nerrors > 1)
		qsort(pc->errors, pc->nerrors, sizeof(*pc->errors), error_cmp);
	return 1;
}

size_t
personcsv_good(const struct personcsv *pc)
{
	size_t	 i, n = 0;

	for (i = 0; i < pc->nrows; i++)
		n += pc->rows[i].ok != 0;
	return n;
}

void
personcsv_free(struct personcsv *pc)
{
	size_t	 i;

	if (pc == NULL)
		return;
	for (i = 0; i < pc->nrows; i++)
		row_free(&pc->rows[i]);
	for (i = 0; i < pc->nerrors; i++)
		free(pc->errors[i].msg);
	free(pc->rows);
	free(pc->errors);
	free(pc);
}
