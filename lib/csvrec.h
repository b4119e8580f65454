/*
 * csvrec: the record reader under the uploaded CSV files (bulkcsv,
 * personcsv).  It drives libcsv over a whole file and hands each record
 * to a callback as NUL-terminated fields with the line the record starts
 * on, so each parser keeps only its own columns, messages and limits.
 *
 * A UTF-8 byte order mark is skipped; empty and blank lines are no
 * records; a quoted field may hold commas and line breaks, and the
 * record is still reported on the line it starts on.  Records end with
 * LF, CRLF or a lone CR; lines are counted at LF and CRLF, and at a lone
 * CR only when asked.  Fields are cleansed (OPENSSL_cleanse) when the
 * reader frees them, and so is libcsv's buffer: a column may be secret.
 *
 * Named csvrec, not csv: a lib/csv.h would hide libcsv's <csv.h> from
 * every file built with -Ilib, and csv_ is libcsv's prefix.
 */
#ifndef CERTDESK_CSVREC_H
#define CERTDESK_CSVREC_H

#include <stddef.h>

/* What a record carries besides its fields (bits of csvrec.flags). */
enum csvrec_flag {
	CSVREC_CONTROL	= 0x1,	/* a field holds a byte below 0x20 or 0x7f */
	CSVREC_TOO_MANY	= 0x2,	/* more fields than the caller keeps */
};

/* One record; the fields are the reader's and live until the callback returns. */
struct csvrec {
	char *const	*field;	/* min(nfield, max_fields) fields, then NULL */
	size_t		 nfield;	/* every field seen, kept or not */
	size_t		 line;		/* the line the record starts on, from 1 */
	unsigned	 flags;		/* enum csvrec_flag */
};

/* How to read. */
struct csvrec_opts {
	size_t		 max_fields;	/* fields kept per record (> 0) */
	int		 trim;		/* strip blanks (space, tab) around each field */
	int		 cr_line;	/* a lone CR ends a line too, not only a record */
};

/* How a read ended. */
enum csvrec_end {
	CSVREC_DONE,		/* every record handed over */
	CSVREC_STOPPED,		/* the callback returned 0 */
	CSVREC_OPEN_QUOTE,	/* the file ends inside quotes; that record is dropped */
	CSVREC_NOMEM,		/* out of memory: the rest of the file is unread */
};

/* Handles one record; returns 1 to go on, 0 to stop the read. */
typedef int	(*csvrec_fn)(const struct csvrec *, void *arg);

/*
 * Reads len bytes of CSV, calling fn with arg for each record in order;
 * returns how the read ended, and on CSVREC_OPEN_QUOTE sets *open_line
 * to the line the unclosed record starts on.
 */
enum csvrec_end	 csvrec_read(const char *data, size_t len,
		    const struct csvrec_opts *opts, csvrec_fn fn, void *arg,
		    size_t *open_line);

#endif
