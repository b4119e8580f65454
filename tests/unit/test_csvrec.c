/* test_csvrec: the CSV record reader — fields, line numbers, flags and how a read ends. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvrec.h"
#include "unit.h"

#define MAX_RECS	16

/* What the callback saw: each record as "line nfield flags: f0|f1|...". */
struct seen {
	char	 rec[MAX_RECS][256];
	size_t	 n;
	size_t	 stop_after;	/* 0: never stop */
};

/* Writes rec into the next slot of the seen arg; returns 0 after stop_after records. */
static int
collect(const struct csvrec *rec, void *arg)
{
	struct seen	*s = arg;
	char		*out;
	size_t		 i, kept, o;

	CU_ASSERT_FATAL(s->n < MAX_RECS);
	out = s->rec[s->n++];
	o = (size_t)snprintf(out, sizeof(s->rec[0]), "%zu %zu %u:", rec->line,
	    rec->nfield, rec->flags);
	kept = rec->flags & CSVREC_TOO_MANY ? 3 : rec->nfield;
	for (i = 0; i < kept && o < sizeof(s->rec[0]); i++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(rec->field[i]);
		o += (size_t)snprintf(out + o, sizeof(s->rec[0]) - o, "%s%s",
		    i > 0 ? "|" : " ", rec->field[i]);
	}
	return s->stop_after == 0 || s->n < s->stop_after;
}

/* Reads text keeping three fields, trimmed or not, into s; returns how it ended. */
static enum csvrec_end
read3(const char *text, int trim, struct seen *s, size_t *open_line)
{
	struct csvrec_opts	 o = { 3, trim, 1 };

	return csvrec_read(text, strlen(text), &o, collect, s, open_line);
}

/* Commas and line breaks inside quotes stay in the field; "" is one quote. */
static void
test_quoted(void)
{
	struct seen	 s = { 0 };

	CU_ASSERT_EQUAL(read3("a,\"b,c\",\"d\ne\"\n\"x \"\"y\"\"\",,z\n", 0,
	    &s, NULL), CSVREC_DONE);
	CU_ASSERT_EQUAL_FATAL(s.n, 2);
	/* The line break is a control byte: the parsers refuse it. */
	CU_ASSERT_STRING_EQUAL(s.rec[0], "1 3 1: a|b,c|d\ne");
	CU_ASSERT_STRING_EQUAL(s.rec[1], "3 3 0: x \"y\"||z");
}

/* Each line end ends a record; a lone CR counts as a line only when asked. */
static void
test_line_ends(void)
{
	struct seen		 s = { 0 };
	struct csvrec_opts	 o = { 3, 0, 0 };
	const char		*text = "a\r\nb\rc\n";

	CU_ASSERT_EQUAL(read3("a\r\nb\r\n\r\nc\rd\ne", 0, &s, NULL),
	    CSVREC_DONE);
	CU_ASSERT_EQUAL_FATAL(s.n, 5);
	CU_ASSERT_STRING_EQUAL(s.rec[0], "1 1 0: a");
	CU_ASSERT_STRING_EQUAL(s.rec[1], "2 1 0: b");
	CU_ASSERT_STRING_EQUAL(s.rec[2], "4 1 0: c");
	CU_ASSERT_STRING_EQUAL(s.rec[3], "5 1 0: d");
	/* The last line has no line end and is a record all the same. */
	CU_ASSERT_STRING_EQUAL(s.rec[4], "6 1 0: e");
	s.n = 0;
	CU_ASSERT_EQUAL(csvrec_read(text, strlen(text), &o, collect, &s, NULL),
	    CSVREC_DONE);
	CU_ASSERT_EQUAL_FATAL(s.n, 3);
	CU_ASSERT_STRING_EQUAL(s.rec[0], "1 1 0: a");
	CU_ASSERT_STRING_EQUAL(s.rec[1], "2 1 0: b");
	CU_ASSERT_STRING_EQUAL(s.rec[2], "2 1 0: c");
}

/* A record is on the line it starts on, past the breaks of quoted fields. */
static void
test_line_numbers(void)
{
	struct seen	 s = { 0 };

	CU_ASSERT_EQUAL(read3("\"one\ntwo\r\nthree\",x\n  \nnext,\"\n\"\n"
	    "last\n", 0, &s, NULL), CSVREC_DONE);
	CU_ASSERT_EQUAL_FATAL(s.n, 3);
	CU_ASSERT_STRING_EQUAL(s.rec[0], "1 2 1: one\ntwo\r\nthree|x");
	CU_ASSERT_STRING_EQUAL(s.rec[1], "5 2 1: next|\n");
	CU_ASSERT_STRING_EQUAL(s.rec[2], "7 1 0: last");
}

/* Empty and blank lines are no records; a byte order mark is skipped. */
static void
test_empty_lines(void)
{
	struct seen	 s = { 0 };

	CU_ASSERT_EQUAL(read3("\xef\xbb\xbf\n\n \t \r\n\na,b\n\n", 0, &s,
	    NULL), CSVREC_DONE);
	CU_ASSERT_EQUAL_FATAL(s.n, 1);
	CU_ASSERT_STRING_EQUAL(s.rec[0], "5 2 0: a|b");
	s.n = 0;
	CU_ASSERT_EQUAL(read3("", 0, &s, NULL), CSVREC_DONE);
	CU_ASSERT_EQUAL(read3("\xef\xbb\xbf", 0, &s, NULL), CSVREC_DONE);
	CU_ASSERT_EQUAL(read3("\n \n\r\n", 1, &s, NULL), CSVREC_DONE);
	CU_ASSERT_EQUAL(s.n, 0);
}

/* Blanks inside quotes are trimmed only when asked; other fields keep theirs inside. */
static void
test_trim(void)
{
	struct seen	 s = { 0 };
	const char	*text = "\" a \",\"\tb\t\", c d \n";

	CU_ASSERT_EQUAL(read3(text, 1, &s, NULL), CSVREC_DONE);
	CU_ASSERT_EQUAL(read3(text, 0, &s, NULL), CSVREC_DONE);
	CU_ASSERT_EQUAL_FATAL(s.n, 2);
	/* The tabs are still seen as control bytes when trimmed away. */
	CU_ASSERT_STRING_EQUAL(s.rec[0], "1 3 1: a|b|c d");
	CU_ASSERT_STRING_EQUAL(s.rec[1], "1 3 1:  a |\tb\t|c d");
}

/* A tab, a NUL or DEL in a field flags the record, and only that record. */
static void
test_control(void)
{
	static const char text[] = "a\tb,c\nd,e\x7f\nok\n\"x\0y\"\n";
	struct seen		 s = { 0 };
	struct csvrec_opts	 o = { 3, 0, 1 };

	CU_ASSERT_EQUAL(csvrec_read(text, sizeof(text) - 1, &o, collect, &s,
	    NULL), CSVREC_DONE);
	CU_ASSERT_EQUAL_FATAL(s.n, 4);
	CU_ASSERT_STRING_EQUAL(s.rec[0], "1 2 1: a\tb|c");
	CU_ASSERT_STRING_EQUAL(s.rec[1], "2 2 1: d|e\x7f");
	CU_ASSERT_STRING_EQUAL(s.rec[2], "3 1 0: ok");
	CU_ASSERT_STRING_EQUAL(s.rec[3], "4 1 1: x");
}

/* Fields past max_fields are counted, not kept, and the record says so. */
static void
test_too_many(void)
{
	struct seen	 s = { 0 };

	CU_ASSERT_EQUAL(read3("1,2,3,4,5\n1,2,3\n", 0, &s, NULL),
	    CSVREC_DONE);
	CU_ASSERT_EQUAL_FATAL(s.n, 2);
	CU_ASSERT_STRING_EQUAL(s.rec[0], "1 5 2: 1|2|3");
	CU_ASSERT_STRING_EQUAL(s.rec[1], "2 3 0: 1|2|3");
}

/* The callback's 0 ends the read: no further record, not even the last. */
static void
test_stop(void)
{
	struct seen	 s = { 0 };

	s.stop_after = 2;
	CU_ASSERT_EQUAL(read3("a\nb\nc\nd", 0, &s, NULL), CSVREC_STOPPED);
	CU_ASSERT_EQUAL(s.n, 2);
	s.n = 0;
	CU_ASSERT_EQUAL(read3("a\nb", 0, &s, NULL), CSVREC_STOPPED);
	CU_ASSERT_EQUAL(s.n, 2);
}

/* A file ending inside quotes drops that record and names its first line. */
static void
test_open_quote(void)
{
	struct seen	 s = { 0 };
	size_t		 line = 0;

	CU_ASSERT_EQUAL(read3("a,b\n\nc,\"d\ne,f\n", 0, &s, &line),
	    CSVREC_OPEN_QUOTE);
	CU_ASSERT_EQUAL(line, 3);
	CU_ASSERT_EQUAL_FATAL(s.n, 1);
	CU_ASSERT_STRING_EQUAL(s.rec[0], "1 2 0: a|b");
	/* Quotes closed again are no open quote. */
	s.n = 0;
	CU_ASSERT_EQUAL(read3("\"a\"\"\",\"\"\n", 0, &s, &line), CSVREC_DONE);
	CU_ASSERT_EQUAL_FATAL(s.n, 1);
	CU_ASSERT_STRING_EQUAL(s.rec[0], "1 2 0: a\"|");
}

static void
register_tests(void)
{
	CU_pSuite	 s;

	s = CU_add_suite("csvrec", NULL, NULL);
	if (s == NULL)
		exit(2);
	UNIT_ADD(s, test_quoted);
	UNIT_ADD(s, test_line_ends);
	UNIT_ADD(s, test_line_numbers);
	UNIT_ADD(s, test_empty_lines);
	UNIT_ADD(s, test_trim);
	UNIT_ADD(s, test_control);
	UNIT_ADD(s, test_too_many);
	UNIT_ADD(s, test_stop);
	UNIT_ADD(s, test_open_quote);
}

UNIT_MAIN(register_tests)
