/* admin maintain: the periodic jobs, for a timer or cron. */
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "buf.h"
#include "maintain.h"

/* What one run reported, kept for the summary and --json. */
struct tally {
	int		 json;
	int		 renewed, notices, expired, unvalidated, purged, crls,
			 failed;
	struct buf	 j_renewed, j_notices, j_expired, j_unvalidated,
			 j_purged, j_crl, j_failed;
};

/* Appends s to b as a JSON string literal. */
static void
json_buf(struct buf *b, const char *s)
{
	const unsigned char	*p;

	buf_puts(b, "\"");
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			buf_printf(b, "\\%c", *p);
		else if (*p < 0x20)
			buf_printf(b, "\\u%04x", *p);
		else
			buf_append(b, p, 1);
	}
	buf_puts(b, "\"");
}

/* Appends the separator an array element needs after the first. */
static void
json_next(struct buf *b)
{
	if (b->len > 0)
		buf_puts(b, ",");
}

/* Prints an event as a line (stderr for failures) and keeps it for --json. */
static void
on_event(void *arg, const struct maintain_event *ev)
{
	struct tally	*t = arg;

	switch (ev->action) {
	case MAINT_RENEWED:
		t->renewed++;
		if (!t->json)
			printf("renewed %s → %s\n", ev->id,
			    ev->detail[0] ? ev->detail : "(due)");
		json_next(&t->j_renewed);
		buf_puts(&t->j_renewed, "{\"id\":");
		json_buf(&t->j_renewed, ev->id);
		buf_puts(&t->j_renewed, ",\"new\":");
		json_buf(&t->j_renewed, ev->detail);
		buf_puts(&t->j_renewed, "}");
		break;
	case MAINT_NOTICE:
		t->notices++;
		if (!t->json)
			printf("notice %lldd %s\n", ev->n, ev->id);
		json_next(&t->j_notices);
		buf_printf(&t->j_notices, "{\"days\":%lld,\"id\":", ev->n);
		json_buf(&t->j_notices, ev->id);
		buf_puts(&t->j_notices, "}");
		break;
	case MAINT_EXPIRED:
		t->expired++;
		if (!t->json)
			printf("expired %s\n", ev->id);
		json_next(&t->j_expired);
		json_buf(&t->j_expired, ev->id);
		break;
	case MAINT_UNVALIDATED:
		t->unvalidated++;
		if (!t->json)
			printf("unvalidated %s\n", ev->id);
		json_next(&t->j_unvalidated);
		json_buf(&t->j_unvalidated, ev->id);
		break;
	case MAINT_PURGED:
		t->purged += (int)ev->n;
		if (!t->json)
			printf("purged %lld %s\n", ev->n, ev->id);
		json_next(&t->j_purged);
		json_buf(&t->j_purged, ev->id);
		buf_printf(&t->j_purged, ":%lld", ev->n);
		break;
	case MAINT_CRL:
		t->crls++;
		if (!t->json && ev->n > 0)
			printf("crl %s published %lld\n", ev->id, ev->n);
		else if (!t->json)
			printf("crl %s due\n", ev->id);
		json_next(&t->j_crl);
		buf_puts(&t->j_crl, "{\"ca\":");
		json_buf(&t->j_crl, ev->id);
		buf_printf(&t->j_crl, ",\"number\":%lld}", ev->n);
		break;
	case MAINT_FAILED:
		t->failed++;
		fprintf(stderr, "certdesk: maintain: %s: %s\n", ev->id,
		    ev->detail);
		json_next(&t->j_failed);
		buf_puts(&t->j_failed, "{\"what\":");
		json_buf(&t->j_failed, ev->id);
		buf_puts(&t->j_failed, ",\"why\":");
		json_buf(&t->j_failed, ev->detail);
		buf_puts(&t->j_failed, "}");
		break;
	}
}

/* Returns the text of b, "" when empty; owned by b. */
static const char *
text(const struct buf *b)
{
	return b->len > 0 ? (const char *)b->data : "";
}

/* Prints the JSON object of a run. */
static void
print_json(const struct tally *t, int dry_run)
{
	printf("{\"dry_run\":%s,\"renewed\":[%s],\"notices\":[%s],"
	    "\"expired\":[%s],\"unvalidated\":[%s],\"purged\":{%s},"
	    "\"crl\":[%s],\"failed\":[%s],\"counts\":{\"renewed\":%d,"
	    "\"notices\":%d,\"expired\":%d,\"unvalidated\":%d,"
	    "\"purged\":%d,\"crl\":%d,\"failed\":%d}}\n",
	    dry_run ? "true" : "false", text(&t->j_renewed), text(&t->j_notices),
	    text(&t->j_expired), text(&t->j_unvalidated), text(&t->j_purged),
	    text(&t->j_crl), text(&t->j_failed),
	    t->renewed, t->notices, t->expired, t->unvalidated, t->purged,
	    t->crls, t->failed);
}

static int
cmd_maintain(struct admin *a, int argc, char **argv)
{
	int			 dry_run = 0, ok;
	const struct opt	 opts[] = {
		{ "dry-run", NULL, &dry_run, "report only; change and send nothing" },
		{ "json", NULL, &a->json, "JSON output" },
		{ NULL, NULL, NULL, NULL }
	};
	struct tally		 t;
	struct maintain		 m;
	char			*pos[1];

	if (admin_args(argc, argv, opts, pos, 0) < 0)
		return -2;
	memset(&t, 0, sizeof(t));
	memset(&m, 0, sizeof(m));
	t.json = a->json;
	m.db = a->db;
	m.cfg = a->cfg;
	m.now = store_now();
	m.dry_run = dry_run;
	m.report = on_event;
	m.arg = &t;
	ok = maintain_run(&m);
	if (a->json)
		print_json(&t, dry_run);
	else
		printf("%s%d renewed, %d notices, %d expired, %d unvalidated, "
		    "%d purged, %d CRLs published, %d failed\n",
		    dry_run ? "dry run: " : "", t.renewed, t.notices,
		    t.expired, t.unvalidated, t.purged, t.crls, t.failed);
	buf_free(&t.j_renewed);
	buf_free(&t.j_notices);
	buf_free(&t.j_expired);
	buf_free(&t.j_unvalidated);
	buf_free(&t.j_purged);
	buf_free(&t.j_crl);
	buf_free(&t.j_failed);
	return ok ? 0 : 1;
}

const struct command admin_maintain_commands[] = {
	{ "maintain", NULL, cmd_maintain, "maintain [--dry-run] [--json]",
	    "auto-renewal, expiry notices, Expired status, purges, CRL "
	    "freshness (for a timer or cron)" },
	{ NULL, NULL, NULL, NULL, NULL }
};
