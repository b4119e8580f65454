/*
 * fuzz_bulkcsv: bulkcsv_parse must take any bytes without a crash or
 * leak, report every error with a line number the input has, and return
 * only rows that passed every rule: a known profile and term, a listed
 * server software, a Common Name, and no error on their line.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bulkcsv.h"
#include "log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct policy_delegation dels[] = {
	{ "example.com", 1, 0, CERT_SSL },
	{ "*.wild.example.org", 1, 0, CERT_SSL },
};
static const struct policy_scope scope = { dels, 2, 1, 0, NULL, NULL };
static struct profile standard = { 1, 1, "Standard", CERT_SSL, "365,730",
    "rsa2048", "", "", 0, 0, "" };
static struct profile multi = { 2, 1, "Multi", CERT_SSL, "365", "", "", "",
    1, 1, "" };
static struct profile *const profiles[] = { &standard, &multi };
static const char *const software[] = { "OTHER", "Apache/ModSSL" };

/* Parses one input and checks what came back against it. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int		 quiet;
	struct bulkcsv_rules	 ru = { profiles, 2, software, 2, &scope,
				    KEY_RSA2048 };
	struct bulkcsv		*bc;
	const struct bulkcsv_row *r;
	size_t			 i, j, lines = 1;
	char			 shown[800];

	if (!quiet) {
		log_quiet(1);
		quiet = 1;
	}
	/* Line breaks as the parser counts them: CRLF, LF or a lone CR. */
	for (i = 0; i < size; i++)
		lines += data[i] == '\r' || (data[i] == '\n' &&
		    (i == 0 || data[i - 1] != '\r'));
	if ((bc = bulkcsv_parse((const char *)data, size, &ru)) == NULL)
		return 0;
	/* Nothing good and nothing said is never an answer. */
	if (bc->nrows == 0 && bc->nerrors == 0)
		__builtin_trap();
	for (i = 0; i < bc->nerrors; i++) {
		if (bc->errors[i].line > lines || bc->errors[i].msg == NULL ||
		    bc->errors[i].msg[0] == '\0')
			__builtin_trap();
		if (i > 0 && bc->errors[i].line < bc->errors[i - 1].line)
			__builtin_trap();
		bulkcsv_format(&bc->errors[i], shown, sizeof(shown));
	}
	for (i = 0; i < bc->nrows; i++) {
		r = &bc->rows[i];
		if (r->line == 0 || r->line > lines || r->cn[0] == '\0' ||
		    (r->prof != &standard && r->prof != &multi) ||
		    (r->term_days != 365 && r->term_days != 730) ||
		    (strcmp(r->software, "OTHER") != 0 &&
		    strcmp(r->software, "Apache/ModSSL") != 0) ||
		    strncmp(r->names, r->cn, strlen(r->cn)) != 0 ||
		    strlen(r->cn) > 64)
			__builtin_trap();
		if (i > 0 && r->line <= bc->rows[i - 1].line)
			__builtin_trap();
		for (j = 0; j < bc->nerrors; j++)
			if (bc->errors[j].line == r->line)
				__builtin_trap();
	}
	bulkcsv_free(bc);
	return 0;
}
