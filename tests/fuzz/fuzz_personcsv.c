/*
 * fuzz_personcsv: personcsv_parse must take any bytes without a crash or
 * leak, report every refused line with a line number the input has, and
 * return only rows that passed the rules.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "log.h"
#include "personcsv.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Parses one input and checks what came back against it. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int		 quiet;
	struct personcsv	*pc;
	const struct personcsv_row *r;
	size_t			 i, lines = 1, sum = 0;

	if (!quiet) {
		log_quiet(1);
		quiet = 1;
	}
	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	if ((pc = personcsv_parse((const char *)data, size)) == NULL)
		return 0;
	/* Nothing good and nothing said is never an answer. */
	if (pc->nrows == 0 && pc->nerrors == 0)
		__builtin_trap();
	for (i = 0; i < pc->nerrors; i++) {
		if (pc->errors[i].line > lines || pc->errors[i].msg == NULL ||
		    pc->errors[i].msg[0] == '\0')
			__builtin_trap();
		if (i > 0 && pc->errors[i].line < pc->errors[i - 1].line)
			__builtin_trap();
	}
	for (i = 0; i < pc->nrows; i++) {
		r = &pc->rows[i];
		if (!r->ok || r->line == 0 || r->line > lines ||
		    r->first[0] == '\0' || r->last[0] == '\0' ||
		    strchr(r->email, '@') == NULL || r->common_name[0] == '\0')
			__builtin_trap();
		/* Reading each string lets ASan catch a bad pointer. */
		sum += strlen(r->middle) + strlen(r->alt_emails) +
		    strlen(r->validation_type) + strlen(r->org) +
		    strlen(r->dept) + strlen(r->secret_id) + strlen(r->phone) +
		    strlen(r->country) + strlen(r->principal_name) +
		    strlen(r->eppn);
	}
	if (personcsv_good(pc) != pc->nrows)
		__builtin_trap();
	(void)sum;
	personcsv_free(pc);
	return 0;
}
