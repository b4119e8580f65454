/*
 * bulkcsv: the guide's CSV for bulk SSL enrollment (guide 3.2.4.1-2,
 * lines 2006-2050), read with csvrec.  One certificate per line:
 *
 *	Common Name, "SAN, SAN", Certificate Type, Certificate Term,
 *	Server Software
 *
 * The SAN field may be empty; the type is a profile's name, the term as
 * the profile shows it ("1 year", "2 years", "90 days" or days).  A
 * UTF-8 byte order mark, CRLF or LF line ends, blank lines and spaces
 * around fields are accepted.  Every failure is reported with the line
 * its record starts on, all of them at once: the ten errors of the
 * guide in its wording, then the rules the /ssl form applies (names
 * delegated, wildcards only where the profile allows, a Common Name of
 * at most 64 characters, the key type allowed by the profile) and a
 * Common Name twice in one file.
 *
 * The module is named bulkcsv, not csv: a lib/csv.h would hide libcsv's
 * <csv.h> from every file built with -Ilib, and csv_ is libcsv's prefix.
 * It reads no database: the caller hands over the account's profiles,
 * the delegations and the allowed server software.
 */
#ifndef CERTDESK_BULKCSV_H
#define CERTDESK_BULKCSV_H

#include <stddef.h>

#include "csr.h"
#include "policy.h"
#include "store.h"

#define BULKCSV_MAX_BYTES	((size_t)1024 * 1024)	/* 1 MiB */
#define BULKCSV_MAX_LINES	10000
#define BULKCSV_FIELDS		5

/* The ten errors of guide 2031-2050 (numbered as there), and ours. */
enum bulkcsv_error {
	BULKCSV_NO_CN = 1,	/* Required field 'commonName' ... */
	BULKCSV_NO_TYPE,	/* Required field 'certType' ... */
	BULKCSV_NO_TERM,	/* Required field 'certTerm' ... */
	BULKCSV_NO_SOFTWARE,	/* Required field 'serverSoftware' ... */
	BULKCSV_SAN_DELIMITER,	/* Please use commas only ... */
	BULKCSV_BAD_TYPE,	/* field 'certType' contains disallowed value */
	BULKCSV_BAD_TERM,	/* field 'certTerm' ... */
	BULKCSV_BAD_SOFTWARE,	/* field 'serverSoftware' ... */
	BULKCSV_FIELD_COUNT,	/* Incorrect values - Actual fields quantity */
	BULKCSV_SAN_NOT_ALLOWED, /* Field 'san' contains non-empty value */
	BULKCSV_RULE,		/* an SSL rule of the /ssl form, or a duplicate */
	BULKCSV_FILE		/* the file as a whole (line 0) */
};

/* What a line may ask for: the account's SSL profiles and the rest. */
struct bulkcsv_rules {
	struct profile *const	*profiles;	/* borrowed */
	size_t			 nprofiles;
	const char *const	*software;	/* allowed Server Software names */
	size_t			 nsoftware;
	const struct policy_scope *scope;	/* the account's delegations */
	enum key_type		 key_type;	/* the form's key; KEY_NONE: any */
};

/* One good line; strings owned by the parse. */
struct bulkcsv_row {
	size_t			 line;
	char			*cn;		/* lower case, no trailing dot */
	char			*names;		/* "cn[,san...]", distinct */
	const struct profile	*prof;		/* borrowed from the rules */
	int			 term_days;
	char			*software;	/* as the list spells it */
};

struct bulkcsv_problem {
	size_t			 line;		/* 0: the file as a whole */
	enum bulkcsv_error	 code;
	char			*msg;		/* without "Line N - " */
};

struct bulkcsv {
	struct bulkcsv_row	*rows;
	size_t			 nrows;
	struct bulkcsv_problem	*errors;	/* in line order */
	size_t			 nerrors;
	size_t			 lines;		/* records read (blank lines not) */
	int			 lost;	/* parsing: an error could not be kept */
};

/*
 * Parses len bytes against rules and returns every good line and every
 * error (caller frees with bulkcsv_free), or NULL when out of memory.
 * A file over BULKCSV_MAX_BYTES or BULKCSV_MAX_LINES lines is refused
 * as a whole; nothing may be stored while nerrors is not 0.
 */
struct bulkcsv	*bulkcsv_parse(const char *data, size_t len,
		    const struct bulkcsv_rules *rules);
/* Writes error e as the guide shows it ("Line 3 - ...") into out. */
void		 bulkcsv_format(const struct bulkcsv_problem *e, char *out,
		    size_t len);
/* Frees the parse; NULL-safe. */
void		 bulkcsv_free(struct bulkcsv *);

#endif
