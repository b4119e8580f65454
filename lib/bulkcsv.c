/* bulkcsv: the bulk SSL enrollment CSV, read with csvrec and checked line by line. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "bulkcsv.h"
#include "csvrec.h"
#include "enroll.h"

#define SHOWN_CHARS	200	/* characters of a value echoed in a message */
#define SHOWN_MAX	(SHOWN_CHARS * 4 + 1)
#define REPLACEMENT	"\xef\xbf\xbd"	/* U+FFFD, for a byte that is not UTF-8 */

/* The parse in progress, handed to the record callback. */
struct ctx {
	struct bulkcsv			*bc;
	const struct bulkcsv_rules	*rules;
	int				 too_many;	/* over the line limit */
	int				 nomem;
};

/*
 * Returns the length of the well-formed UTF-8 character at s (n bytes
 * left, n > 0), or 0 for a byte that does not start one: overlong forms,
 * surrogates and code points above U+10FFFF are not characters.
 */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t	 len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return len;
}

/*
 * Writes v into out as UTF-8 fit for the page: each byte that is not
 * part of a character becomes U+FFFD, and it stops after max characters
 * or where the next one would not fit, never inside one.  Returns out.
 */
static const char *
utf8_shown(const char *v, size_t max, char *out, size_t outlen)
{
	const unsigned char	*s = (const unsigned char *)v;
	const char		*put;
	size_t			 n = strlen(v), k, plen, o = 0, chars = 0;

	while (n > 0 && chars < max) {
		k = utf8_len(s, n);
		put = k > 0 ? (const char *)s : REPLACEMENT;
		plen = k > 0 ? k : sizeof(REPLACEMENT) - 1;
		if (o + plen >= outlen)
			break;
		memcpy(out + o, put, plen);
		o += plen;
		chars++;
		s += k > 0 ? k : 1;
		n -= k > 0 ? k : 1;
	}
	out[o] = '\0';
	return out;
}

/* Returns value v as a message shows it (at most SHOWN_CHARS, valid UTF-8) in out. */
static const char *
shown(const char *v, char out[SHOWN_MAX])
{
	return utf8_shown(v, SHOWN_CHARS, out, SHOWN_MAX);
}

/*
 * Records an error of code for line (0: the file); when memory runs out
 * it marks the parse lost, so a file with an error is never taken as clean.
 */
static void
add_error(struct bulkcsv *bc, size_t line, enum bulkcsv_error code,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
add_error(struct bulkcsv *bc, size_t line, enum bulkcsv_error code,
    const char *fmt, ...)
{
	struct bulkcsv_problem	*e;
	va_list			 ap;
	char			 raw[2048], msg[sizeof(raw) * 3];

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/* A message may quote the file (a name in a rule's message): UTF-8 only. */
	utf8_shown(raw, sizeof(raw), msg, sizeof(msg));
	e = reallocarray(bc->errors, bc->nerrors + 1, sizeof(*e));
	if (e == NULL) {
		bc->lost = 1;
		return;
	}
	bc->errors = e;
	if ((e[bc->nerrors].msg = strdup(msg)) == NULL) {
		bc->lost = 1;
		return;
	}
	e[bc->nerrors].line = line;
	e[bc->nerrors++].code = code;
}

/* Returns the rules' profile named name (exactly, as the guide asks), or NULL. */
static const struct profile *
find_profile(const struct bulkcsv_rules *ru, const char *name)
{
	size_t	 i;

	for (i = 0; i < ru->nprofiles; i++)
		if (ru->profiles[i]->type == CERT_SSL &&
		    strcmp(ru->profiles[i]->name, name) == 0)
			return ru->profiles[i];
	return NULL;
}

/* Returns the allowed spelling of software (any case), or NULL. */
static const char *
find_software(const struct bulkcsv_rules *ru, const char *name)
{
	size_t	 i;

	for (i = 0; i < ru->nsoftware; i++)
		if (strcasecmp(ru->software[i], name) == 0)
			return ru->software[i];
	return NULL;
}

/*
 * Returns 1 when the SAN field separates its names by commas only: a
 * name with a blank, ';' or '|' inside is two names run together.
 */
static int
san_commas_only(const char *san)
{
	const char	*p, *end, *q;

	for (p = san; *p != '\0'; p = *end == ',' ? end + 1 : end) {
		end = p + strcspn(p, ",");
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		q = end;
		while (q > p && (q[-1] == ' ' || q[-1] == '\t'))
			q--;
		for (; p < q; p++)
			if (*p == ' ' || *p == '\t' || *p == ';' || *p == '|')
				return 0;
	}
	return 1;
}

/* Returns 1 when the form's key type is one the profile allows. */
static int
key_allowed(const struct profile *prof, enum key_type kt)
{
	unsigned	 mask;

	if (kt == KEY_NONE)
		return 1;
	mask = prof->key_types[0] != '\0' ? key_types_parse(prof->key_types) :
	    KEY_ALL;
	return policy_key_allowed(mask, kt);
}

/*
 * Applies the guide's checks and the /ssl rules to the fields of rec;
 * fills r and returns 1 when the line passes, 0 when it failed (its
 * errors recorded) or on no memory (c->nomem).
 */
static int
check_record(struct ctx *c, const struct csvrec *rec, struct bulkcsv_row *r)
{
	struct bulkcsv		*bc = c->bc;
	const struct bulkcsv_rules *ru = c->rules;
	const struct profile	*prof = NULL;
	const char		*cn, *san, *type, *term, *sw, *soft = NULL;
	struct name_check	 nc;
	struct buf		 names = { 0 };
	size_t			 line = rec->line;
	long			 days = -1;
	int			 bad = 0;
	char			 err[400], v1[SHOWN_MAX], v2[SHOWN_MAX];

	if (rec->nfield != BULKCSV_FIELDS) {
		add_error(bc, line, BULKCSV_FIELD_COUNT, "Incorrect values - "
		    "Actual fields quantity: %zu, expected fields quantity: %d",
		    rec->nfield, BULKCSV_FIELDS);
		return 0;
	}
	if (rec->flags & CSVREC_CONTROL) {
		add_error(bc, line, BULKCSV_RULE, "A field holds a control "
		    "character (a line break inside quotes, a tab, a NUL).");
		return 0;
	}
	cn = rec->field[0];
	san = rec->field[1];
	type = rec->field[2];
	term = rec->field[3];
	sw = rec->field[4];
	if (*cn == '\0' && ++bad)
		add_error(bc, line, BULKCSV_NO_CN, "Required field "
		    "'commonName' is not specified.");
	if (*type == '\0' && ++bad)
		add_error(bc, line, BULKCSV_NO_TYPE, "Required field "
		    "'certType' is not specified.");
	if (*term == '\0' && ++bad)
		add_error(bc, line, BULKCSV_NO_TERM, "Required field "
		    "'certTerm' is not specified.");
	if (*sw == '\0' && ++bad)
		add_error(bc, line, BULKCSV_NO_SOFTWARE, "Required field "
		    "'serverSoftware' is not specified");
	if (!san_commas_only(san) && ++bad)
		add_error(bc, line, BULKCSV_SAN_DELIMITER, "Please use commas "
		    "only to delimit domain alternative names (for example - "
		    "domain_one.com, domain_two.com, etc.)");
	if (*type != '\0' && (prof = find_profile(ru, type)) == NULL && ++bad)
		add_error(bc, line, BULKCSV_BAD_TYPE, "field 'certType' "
		    "contains disallowed value: %s", shown(type, v1));
	if (prof != NULL && *term != '\0') {
		days = policy_term_parse(term, term + strlen(term));
		if ((days <= 0 || !policy_term_allowed(prof->terms,
		    (int)days)) && ++bad)
			add_error(bc, line, BULKCSV_BAD_TERM, "field 'certTerm' "
			    "contains disallowed value: %s", shown(term, v1));
	}
	if (*sw != '\0' && (soft = find_software(ru, sw)) == NULL && ++bad)
		add_error(bc, line, BULKCSV_BAD_SOFTWARE, "field "
		    "'serverSoftware' contains disallowed value: %s",
		    shown(sw, v1));
	if (prof != NULL && *san != '\0' && !prof->multi_domain && ++bad)
		add_error(bc, line, BULKCSV_SAN_NOT_ALLOWED, "Field 'san' "
		    "contains non-empty value: '%s'. Subject "
		    "alternative names are not allowed for '%s"
		    "' certificate type.", shown(san, v1), shown(prof->name,
		    v2));
	if (bad)
		return 0;
	if (!key_allowed(prof, ru->key_type)) {
		add_error(bc, line, BULKCSV_RULE, "The key type %s is not "
		    "allowed for the certificate type '%s'.",
		    key_type_name(ru->key_type), shown(prof->name, v1));
		return 0;
	}
	memset(&nc, 0, sizeof(nc));
	nc.scope = ru->scope;
	nc.multi_domain = prof->multi_domain;
	nc.wildcard = prof->wildcard;
	nc.cn = cn;
	nc.sans = san;
	err[0] = '\0';
	if (!enroll_check_names(&nc, &names, err, sizeof(err))) {
		add_error(bc, line, BULKCSV_RULE, "%s", err);
		return 0;
	}
	memset(r, 0, sizeof(*r));
	r->line = line;
	r->prof = prof;
	r->term_days = (int)days;
	r->names = buf_take(&names);
	r->software = strdup(soft);
	if (r->names != NULL)
		r->cn = strndup(r->names, strcspn(r->names, ","));
	if (r->names == NULL || r->software == NULL || r->cn == NULL) {
		free(r->names);
		free(r->software);
		free(r->cn);
		c->nomem = 1;
		return 0;
	}
	return 1;
}

/* csvrec: one record, kept as a row when it passes; returns 0 to stop the read. */
static int
on_record(const struct csvrec *rec, void *data)
{
	struct ctx		*c = data;
	struct bulkcsv		*bc = c->bc;
	struct bulkcsv_row	*rows, r;

	if (++bc->lines > BULKCSV_MAX_LINES) {
		add_error(bc, 0, BULKCSV_FILE, "The CSV file has more than %d "
		    "lines; split it into several requests.",
		    BULKCSV_MAX_LINES);
		c->too_many = 1;
		return 0;
	}
	if (!check_record(c, rec, &r))
		return !c->nomem;
	if ((rows = reallocarray(bc->rows, bc->nrows + 1, sizeof(*rows))) ==
	    NULL) {
		free(r.cn);
		free(r.names);
		free(r.software);
		c->nomem = 1;
		return 0;
	}
	bc->rows = rows;
	bc->rows[bc->nrows++] = r;
	return 1;
}

/* Orders errors by line, and a line's by the guide's numbers. */
static int
error_cmp(const void *a, const void *b)
{
	const struct bulkcsv_problem *x = a, *y = b;

	if (x->line != y->line)
		return (x->line > y->line) - (x->line < y->line);
	return ((int)x->code > (int)y->code) - ((int)x->code < (int)y->code);
}

/* Orders indexes into the rows arg by Common Name, then line. */
static int
cn_cmp(const void *a, const void *b, void *arg)
{
	const struct bulkcsv_row *rows = arg;
	const struct bulkcsv_row *x = &rows[*(const size_t *)a];
	const struct bulkcsv_row *y = &rows[*(const size_t *)b];
	int	 d = strcmp(x->cn, y->cn);

	if (d != 0)
		return d;
	return (x->line > y->line) - (x->line < y->line);
}

/*
 * Reports each Common Name already on an earlier line and drops those
 * rows; sorting keeps a 10 000-line file from n^2 comparisons.  Returns
 * 1, or 0 when out of memory.
 */
static int
check_duplicates(struct bulkcsv *bc)
{
	size_t	*ix, i, j;
	char	*drop, v1[SHOWN_MAX];

	if (bc->nrows < 2)
		return 1;
	if ((ix = calloc(bc->nrows, sizeof(*ix))) == NULL)
		return 0;
	if ((drop = calloc(bc->nrows, 1)) == NULL) {
		free(ix);
		return 0;
	}
	for (i = 0; i < bc->nrows; i++)
		ix[i] = i;
	qsort_r(ix, bc->nrows, sizeof(*ix), cn_cmp, bc->rows);
	for (i = 1; i < bc->nrows; i++) {
		const struct bulkcsv_row *prev = &bc->rows[ix[i - 1]];
		const struct bulkcsv_row *cur = &bc->rows[ix[i]];

		if (strcmp(prev->cn, cur->cn) != 0)
			continue;
		/* The first line of a run of equal names is the one kept. */
		for (j = i; j > 0 && strcmp(bc->rows[ix[j - 1]].cn,
		    cur->cn) == 0; j--)
			;
		add_error(bc, cur->line, BULKCSV_RULE, "The Common Name '"
		    "%s' is already on line %zu.", shown(cur->cn, v1),
		    bc->rows[ix[j]].line);
		drop[ix[i]] = 1;
	}
	for (i = j = 0; i < bc->nrows; i++) {
		if (drop[i]) {
			free(bc->rows[i].cn);
			free(bc->rows[i].names);
			free(bc->rows[i].software);
			continue;
		}
		bc->rows[j++] = bc->rows[i];
	}
	bc->nrows = j;
	free(drop);
	free(ix);
	return 1;
}

struct bulkcsv *
bulkcsv_parse(const char *data, size_t len, const struct bulkcsv_rules *rules)
{
	struct csvrec_opts	 opts = { BULKCSV_FIELDS, 1, 1 };
	struct bulkcsv		*bc;
	struct ctx		 c;
	size_t			 open_line = 0;

	if ((bc = calloc(1, sizeof(*bc))) == NULL)
		return NULL;
	if (len > BULKCSV_MAX_BYTES) {
		add_error(bc, 0, BULKCSV_FILE, "The CSV file is larger than "
		    "1 MiB (%zu bytes); split it into several requests.",
		    BULKCSV_MAX_BYTES);
		if (bc->lost) {
			bulkcsv_free(bc);
			return NULL;
		}
		return bc;
	}
	memset(&c, 0, sizeof(c));
	c.bc = bc;
	c.rules = rules;
	switch (csvrec_read(data, len, &opts, on_record, &c, &open_line)) {
	case CSVREC_NOMEM:
		c.nomem = 1;
		break;
	case CSVREC_OPEN_QUOTE:
		add_error(bc, open_line, BULKCSV_RULE, "A quoted field is not "
		    "closed.");
		break;
	case CSVREC_DONE:
	case CSVREC_STOPPED:	/* a limit, or no memory: the callback said which */
		break;
	}
	if (!c.nomem && !c.too_many && !check_duplicates(bc))
		c.nomem = 1;
	if (bc->nrows == 0 && bc->nerrors == 0 && !c.nomem)
		add_error(bc, 0, BULKCSV_FILE, "The CSV file holds no "
		    "certificates.");
	if (c.nomem || bc->lost) {
		bulkcsv_free(bc);
		return NULL;
	}
	if (bc->nerrors > 1)
		qsort(bc->errors, bc->nerrors, sizeof(*bc->errors), error_cmp);
	return bc;
}

void
bulkcsv_format(const struct bulkcsv_problem *e, char *out, size_t len)
{
	if (e->line == 0)
		snprintf(out, len, "%s", e->msg);
	else
		snprintf(out, len, "Line %zu - %s", e->line, e->msg);
}

void
bulkcsv_free(struct bulkcsv *bc)
{
	size_t	 i;

	if (bc == NULL)
		return;
	for (i = 0; i < bc->nrows; i++) {
		free(bc->rows[i].cn);
		free(bc->rows[i].names);
		free(bc->rows[i].software);
	}
	for (i = 0; i < bc->nerrors; i++)
		free(bc->errors[i].msg);
	free(bc->rows);
	free(bc->errors);
	free(bc);
}
