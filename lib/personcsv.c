/* personcsv: the guide's end-user CSV, parsed with libcsv and checked line by line. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <csv.h>
#include <openssl/crypto.h>

#include "buf.h"
#include "person.h"
#include "personcsv.h"
#include "store.h"

#define FIELDS_PLAIN	13	/* without a principal name */
#define FIELDS_UPN	14	/* with one */
#define FIELDS_KEPT	16	/* fields kept per record: enough to tell */

/* The parse in progress, handed to libcsv's callbacks. */
struct ctx {
	struct personcsv	*pc;
	char			*field[FIELDS_KEPT];
	size_t			 nfield;	/* every field seen, kept or not */
	int			 control;	/* a field held a control byte */
	size_t			 line;		/* the line being read, from 1 */
	size_t			 start;		/* the line the record began on */
	int			 in_record;
	size_t			 quotes;	/* '"' seen in the record */
	int			 open_quote;	/* the file ends inside quotes */
	size_t			 records;
	int			 too_many;
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

/* Frees the fields of the record just read, cleansed: one is a secret ID. */
static void
drop_fields(struct ctx *c)
{
	size_t	 i;

	for (i = 0; i < FIELDS_KEPT; i++) {
		if (c->field[i] != NULL) {
			OPENSSL_cleanse(c->field[i], strlen(c->field[i]));
			free(c->field[i]);
			c->field[i] = NULL;
		}
	}
	c->nfield = 0;
	c->control = 0;
}

/* libcsv: one field of the current record. */
static void
on_field(void *s, size_t len, void *data)
{
	struct ctx	*c = data;
	const unsigned char *p = s;
	size_t		 i;
	char		*f;

	for (i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] == 0x7f)
			c->control = 1;
	if (c->nfield < FIELDS_KEPT) {
		if ((f = malloc(len + 1)) == NULL) {
			c->nomem = 1;
		} else {
			if (len > 0)
				memcpy(f, s, len);
			f[len] = '\0';
			c->field[c->nfield] = f;
		}
	}
	c->nfield++;
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

/* Fills row r from the record's fields; returns 1, or 0 when out of memory. */
static int
row_fill(struct ctx *c, struct personcsv_row *r)
{
	char	**f = c->field, cn[300];
	int	 upn = c->nfield == FIELDS_UPN, nomem = 0;
	char	*s;

	memset(r, 0, sizeof(*r));
	r->line = c->start;
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

/* libcsv: the end of a record. */
static void
on_record(int term, void *data)
{
	struct ctx		*c = data;
	struct personcsv	*pc = c->pc;
	struct personcsv_row	*rows, r;

	(void)term;
	c->in_record = 0;
	c->quotes = 0;
	if (c->nomem || c->too_many || c->open_quote)
		goto out;
	if (c->records++ == 0 && c->field[0] != NULL &&
	    strcasecmp(c->field[0], "First Name") == 0)
		goto out;	/* a heading */
	if (c->records > PERSONCSV_MAX_ROWS) {
		add_error(pc, c->start, "more than %d persons in one file; "
		    "split it", PERSONCSV_MAX_ROWS);
		c->too_many = 1;
		goto out;
	}
	if (c->nfield != FIELDS_PLAIN && c->nfield != FIELDS_UPN) {
		add_error(pc, c->start, "%zu field%s, expected %d (or %d with "
		    "a principal name)", c->nfield, c->nfield == 1 ? "" : "s",
		    FIELDS_PLAIN, FIELDS_UPN);
		goto out;
	}
	if (c->control) {
		add_error(pc, c->start, "a field holds a control character "
		    "(a line break inside quotes, a tab, a NUL)");
		goto out;
	}
	if (!row_fill(c, &r)) {
		row_free(&r);
		c->nomem = 1;
		goto out;
	}
	if (!row_rules(pc, &r)) {
		row_free(&r);
		goto out;
	}
	if ((rows = reallocarray(pc->rows, pc->nrows + 1, sizeof(*rows))) ==
	    NULL) {
		row_free(&r);
		c->nomem = 1;
		goto out;
	}
	pc->rows = rows;
	pc->rows[pc->nrows++] = r;
out:
	drop_fields(c);
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
	struct personcsv	*pc;
	struct csv_parser	 p;
	struct ctx		 c;
	size_t			 i;
	unsigned char		 ch;

	if ((pc = calloc(1, sizeof(*pc))) == NULL)
		return NULL;
	if (len > PERSONCSV_MAX_BYTES) {
		add_error(pc, 0, "the file is larger than %d bytes; split it",
		    PERSONCSV_MAX_BYTES);
		return pc;
	}
	if (csv_init(&p, 0) != 0) {
		free(pc);
		return NULL;
	}
	memset(&c, 0, sizeof(c));
	c.pc = pc;
	c.line = 1;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	else
		i = 0;
	/*
	 * One byte at a time, so each record is reported on the line it
	 * starts on: a quoted field may carry a line break into the next.
	 */
	for (; i < len && !c.nomem && !c.too_many; i++) {
		ch = (unsigned char)data[i];
		if (!c.in_record && ch != ' ' && ch != '\t' && ch != '\r' &&
		    ch != '\n') {
			c.in_record = 1;
			c.start = c.line;
		}
		if (ch == '"')
			c.quotes++;
		if (csv_parse(&p, &ch, 1, on_field, on_record, &c) != 1)
			break;
		if (ch == '\n')
			c.line++;
	}
	/* An odd number of quotes: the last field runs to the end of the file. */
	if (c.in_record && c.quotes % 2 != 0) {
		add_error(pc, c.start, "a quoted field is not closed");
		c.open_quote = 1;
	}
	if (!c.nomem && !c.too_many)
		(void)csv_fini(&p, on_field, on_record, &c);
	drop_fields(&c);
	if (p.entry_buf != NULL)
		OPENSSL_cleanse(p.entry_buf, p.entry_size);
	csv_free(&p);
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
