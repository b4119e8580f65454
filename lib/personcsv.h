/*
 * personcsv: the guide's end-user CSV (guide 3.3.3.2, lines 2470-2530),
 * read with csvrec and checked line by line.  One person per line, in
 * this order (13 fields, or 14 with the principal name of organisations
 * that use one):
 *
 *	First Name, Middle Name, Last Name, Email, Alternative Emails
 *	(space separated), Validation Type (standard, high or empty),
 *	Organization, Department, Secret ID, Phone, Country (two letters),
 *	[Principal Name,] EPPN, Common Name (empty: "First Last")
 *
 * Optional fields are present but empty.  A first line whose first field
 * reads "First Name" is a heading and skipped; a UTF-8 byte order mark
 * is ignored.  Each failure the guide lists is reported with its line
 * (the line the record starts on), at most one per line:
 *
 *	wrong number of fields; a required field empty; the organisation
 *	does not exist; the department does not exist, or not in that
 *	organisation; a primary or alternative email not valid; its
 *	domain not delegated (for client certificates) to the organisation,
 *	or to the department when one is given;
 *
 * and the field rules of person_fields_check, a field with a control
 * character, a person already there and an email twice in one
 * organisation.  The guide's rule on administrator roles has no
 * counterpart: the CLI runs as the one administrator of every
 * organisation.
 */
#ifndef CERTDESK_PERSONCSV_H
#define CERTDESK_PERSONCSV_H

#include <stddef.h>

#include "db.h"

#define PERSONCSV_MAX_BYTES	4194304	/* 4 MiB */
#define PERSONCSV_MAX_ROWS	20000

/* One person's line; strings are owned by the parse (secret_id cleansed on free). */
struct personcsv_row {
	size_t		 line;
	int		 ok;		/* 0 once the line failed a rule */
	char		*first, *middle, *last, *email, *alt_emails;
	char		*validation_type;	/* lower case, "" for none */
	char		*org, *dept, *secret_id, *phone, *country;
	char		*principal_name, *eppn, *common_name;
	long long	 org_id, dept_id;	/* set by personcsv_check */
};

struct personcsv_error {
	size_t		 line;		/* 0: the file as a whole */
	char		*msg;
};

struct personcsv {
	struct personcsv_row	*rows;
	size_t			 nrows;
	struct personcsv_error	*errors;	/* in line order */
	size_t			 nerrors;
};

/*
 * Parses len bytes of CSV and applies every rule that needs no database
 * (field count, required fields, formats); returns the parse (caller
 * frees with personcsv_free), or NULL when out of memory.
 */
struct personcsv *personcsv_parse(const char *data, size_t len);
/*
 * Applies the rules that need the customer's records to the rows still
 * good: organisation (only_org, when not NULL, fills an empty one and is
 * the only one allowed), department, domain delegation, persons already
 * there and twice in the file; sets org_id and dept_id.  Returns 1, or 0
 * on a database error (reported as a line-0 error too).
 */
int		 personcsv_check(struct personcsv *, struct db *,
		    long long customer_id, const char *only_org);
/* Returns how many rows passed every rule. */
size_t		 personcsv_good(const struct personcsv *);
/* Frees the parse, cleansing the secret IDs; NULL-safe. */
void		 personcsv_free(struct personcsv *);

#endif
