/* csvrec: libcsv driven byte by byte, records handed over with the line they start on. */
#include <stdlib.h>
#include <string.h>

#include <csv.h>
#include <openssl/crypto.h>

#include "csvrec.h"

/* The read in progress, handed to libcsv's callbacks. */
struct reader {
	const struct csvrec_opts *opts;
	csvrec_fn		 fn;
	void			*arg;
	char			**field;	/* opts->max_fields slots */
	struct csvrec		 rec;
	size_t			 line;		/* the line being read, from 1 */
	int			 in_record;
	size_t			 quotes;	/* '"' seen in the record */
	int			 open_quote;	/* the file ends inside quotes */
	int			 stop;
	int			 nomem;
};

/* Cleanses and frees the fields of the record just read. */
static void
drop_fields(struct reader *r)
{
	size_t	 i;

	for (i = 0; i < r->opts->max_fields; i++) {
		if (r->field[i] != NULL) {
			OPENSSL_cleanse(r->field[i], strlen(r->field[i]));
			free(r->field[i]);
			r->field[i] = NULL;
		}
	}
	r->rec.nfield = 0;
	r->rec.flags = 0;
}

/* libcsv: one field of the current record, kept (trimmed if asked) while there is room. */
static void
on_field(void *s, size_t len, void *data)
{
	struct reader		*r = data;
	const unsigned char	*p = s;
	size_t			 i;
	char			*f;

	for (i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] == 0x7f)
			r->rec.flags |= CSVREC_CONTROL;
	if (r->opts->trim) {
		while (len > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
	}
	if (r->rec.nfield < r->opts->max_fields) {
		if ((f = malloc(len + 1)) == NULL) {
			r->nomem = 1;
		} else {
			if (len > 0)
				memcpy(f, p, len);
			f[len] = '\0';
			r->field[r->rec.nfield] = f;
		}
	} else
		r->rec.flags |= CSVREC_TOO_MANY;
	r->rec.nfield++;
}

/* libcsv: the end of a record, handed over unless the read is already lost or over. */
static void
on_record(int term, void *data)
{
	struct reader	*r = data;

	(void)term;
	r->in_record = 0;
	r->quotes = 0;
	if (!r->nomem && !r->stop && !r->open_quote && !r->fn(&r->rec, r->arg))
		r->stop = 1;
	drop_fields(r);
}

enum csvrec_end
csvrec_read(const char *data, size_t len, const struct csvrec_opts *opts,
    csvrec_fn fn, void *arg, size_t *open_line)
{
	struct csv_parser	 p;
	struct reader		 r;
	enum csvrec_end		 end;
	size_t			 i;
	unsigned char		 ch, prev = 0;

	memset(&r, 0, sizeof(r));
	if (opts->max_fields == 0 ||
	    (r.field = calloc(opts->max_fields, sizeof(*r.field))) == NULL)
		return CSVREC_NOMEM;
	if (csv_init(&p, 0) != 0) {
		free(r.field);
		return CSVREC_NOMEM;
	}
	r.opts = opts;
	r.fn = fn;
	r.arg = arg;
	r.rec.field = r.field;
	r.line = 1;
	i = len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	/*
	 * One byte at a time, so each record is reported on the line it
	 * starts on: a quoted field may carry a line break into the next.
	 */
	for (; i < len && !r.nomem && !r.stop; i++) {
		ch = (unsigned char)data[i];
		if (!r.in_record && ch != ' ' && ch != '\t' && ch != '\r' &&
		    ch != '\n') {
			r.in_record = 1;
			r.rec.line = r.line;
		}
		if (ch == '"')
			r.quotes++;
		/*
		 * libcsv fails only when out of memory or on a field too big
		 * for it: the rest of the file is unread, so the read fails.
		 */
		if (csv_parse(&p, &ch, 1, on_field, on_record, &r) != 1) {
			r.nomem = 1;
			break;
		}
		/* CRLF, LF and, if asked, a lone CR (a record end to libcsv). */
		if ((ch == '\r' && opts->cr_line) ||
		    (ch == '\n' && (prev != '\r' || !opts->cr_line)))
			r.line++;
		prev = ch;
	}
	/* An odd number of quotes: the last field runs to the end of the file. */
	if (!r.nomem && !r.stop && r.in_record && r.quotes % 2 != 0) {
		r.open_quote = 1;
		if (open_line != NULL)
			*open_line = r.rec.line;
	}
	if (!r.nomem && !r.stop && !r.open_quote)
		(void)csv_fini(&p, on_field, on_record, &r);
	drop_fields(&r);
	if (p.entry_buf != NULL)
		OPENSSL_cleanse(p.entry_buf, p.entry_size);
	csv_free(&p);
	free(r.field);
	if (r.nomem)
		end = CSVREC_NOMEM;
	else if (r.stop)
		end = CSVREC_STOPPED;
	else if (r.open_quote)
		end = CSVREC_OPEN_QUOTE;
	else
		end = CSVREC_DONE;
	return end;
}
