/*
 * test_tmpl: the per-worker template cache: output equal to a fresh parse
 * over many renders with different data, no data carried from one render
 * to the next, files re-read when they change, escape modes kept apart.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

#include "buf.h"
#include "log.h"
#include "tmpl.h"

static char	 tdir[64];	/* templates of this run */

/* Writes text to dir/name; returns 1 ok. */
static int
put(const char *name, const char *text)
{
	char	 p[PATH_MAX];
	FILE	*fp;
	int	 ok;

	snprintf(p, sizeof(p), "%s/%s", tdir, name);
	if ((fp = fopen(p, "w")) == NULL)
		return 0;
	ok = fputs(text, fp) >= 0;
	return fclose(fp) == 0 && ok;
}

/* Sets the modification time of dir/name to t seconds; returns 1 ok. */
static int
set_mtime(const char *name, time_t t)
{
	char		 p[PATH_MAX];
	struct timespec	 ts[2];

	snprintf(p, sizeof(p), "%s/%s", tdir, name);
	ts[0].tv_sec = ts[1].tv_sec = t;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	return utimensat(AT_FDCWD, p, ts, 0) == 0;
}

/*
 * Renders name (a page inside layout when page is set) with the given
 * Hello.Name and list items; returns the output, caller frees, or NULL.
 */
static char *
render(const char *name, const char *page, const char *hello,
    const char *const *items, size_t nitems, int text)
{
	HDF		*hdf = NULL;
	struct buf	 out = { 0 };
	char		 key[64];
	size_t		 i;
	int		 ok;

	if (hdf_init(&hdf) != STATUS_OK)
		return NULL;
	if (page != NULL)
		hdf_set_value(hdf, "Page.Template", page);
	if (hello != NULL)
		hdf_set_value(hdf, "Hello.Name", hello);
	for (i = 0; i < nitems; i++) {
		snprintf(key, sizeof(key), "Items.%zu.Label", i);
		hdf_set_value(hdf, key, items[i]);
	}
	ok = text ? tmpl_render_text(hdf, tdir, name, &out) :
	    tmpl_render(hdf, tdir, name, &out);
	hdf_destroy(&hdf);
	if (!ok) {
		buf_free(&out);
		return NULL;
	}
	return out.data != NULL ? buf_take(&out) : strdup("");
}

static int
suite_init(void)
{
	log_quiet(1);
	snprintf(tdir, sizeof(tdir), "/tmp/test_tmpl.XXXXXX");
	if (mkdtemp(tdir) == NULL)
		return 1;
	/* A layout like the real one: a macro, an include, conditionals. */
	return !(put("layout.cs",
	    "<?cs def:item(x) ?>[<?cs var:x ?>]<?cs /def ?>"
	    "<h1><?cs if:Hello.Name ?><?cs var:Hello.Name ?><?cs else ?>"
	    "nobody<?cs /if ?></h1>\n<?cs include:Page.Template ?>\n") &&
	    put("a.cs", "A:<?cs each:i = Items ?><?cs call:item(i.Label) ?>"
	    "<?cs /each ?>") &&
	    put("b.cs", "B:<?cs var:Hello.Name ?>") &&
	    put("plain.cs", "v=<?cs var:Hello.Name ?>") &&
	    put("change.cs", "old"));
}

static int
suite_clean(void)
{
	DIR		*d;
	struct dirent	*e;
	char		 p[PATH_MAX];

	if ((d = opendir(tdir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s", tdir, e->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(tdir);
	return 0;
}

/* One user's data never shows in the next render of any page. */
static void
test_no_data_between_renders(void)
{
	const char	*secret[] = { "card-4111", "<pin>" };
	char		*s;

	s = render("layout", "a.cs", "alice", secret, 2, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s, "<h1>alice</h1>\nA:[card-4111][&lt;pin&gt;]\n");
	free(s);
	/* The same page, then the other page, for someone with no data. */
	s = render("layout", "a.cs", NULL, NULL, 0, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s, "<h1>nobody</h1>\nA:\n");
	free(s);
	s = render("layout", "b.cs", NULL, NULL, 0, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s, "<h1>nobody</h1>\nB:\n");
	free(s);
}

/* A worker rendering thousands of pages gives what a fresh parse gives. */
static void
test_many_renders(void)
{
	const char	*items[3], *shown[3];
	char		 name[32], esc[48], l0[32], l1[32], want[256], *s;
	size_t		 n, k;
	int		 i, bad = 0;

	for (i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "user%d<&>", i);
		snprintf(esc, sizeof(esc), "user%d&lt;&amp;&gt;", i);
		snprintf(l0, sizeof(l0), "x%d", i);
		snprintf(l1, sizeof(l1), "y%d", i * 7);
		items[0] = shown[0] = l0;
		items[1] = shown[1] = l1;
		items[2] = name;
		shown[2] = esc;
		switch (i % 3) {
		case 0:
			n = (size_t)(i % 4);
			s = render("layout", "a.cs", i % 2 ? name : NULL,
			    items, n, 0);
			snprintf(want, sizeof(want), "<h1>%s</h1>\nA:",
			    i % 2 ? esc : "nobody");
			for (k = 0; k < n; k++)
				snprintf(want + strlen(want),
				    sizeof(want) - strlen(want), "[%s]",
				    shown[k]);
			strcat(want, "\n");
			break;
		case 1:
			s = render("layout", "b.cs", name, NULL, 0, 0);
			snprintf(want, sizeof(want), "<h1>%s</h1>\nB:%s\n",
			    esc, esc);
			break;
		default:
			s = render("plain", NULL, name, NULL, 0, 1);
			snprintf(want, sizeof(want), "v=%s", name);
			break;
		}
		if (s == NULL || strcmp(s, want) != 0) {
			if (bad++ == 0)
				fprintf(stderr, "render %d: got \"%s\", want "
				    "\"%s\"\n", i, s != NULL ? s : "(null)",
				    want);
		}
		free(s);
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* A template file is read again when it changes, however it changes. */
static void
test_reread_on_change(void)
{
	char	*s;
	char	 p[PATH_MAX], q[PATH_MAX];

	CU_ASSERT_FATAL(set_mtime("change.cs", 1000000000));
	s = render("change", NULL, NULL, NULL, 0, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s, "old");
	free(s);

	/* Rewritten in place, same size, only the time differs. */
	CU_ASSERT_FATAL(put("change.cs", "new"));
	CU_ASSERT_FATAL(set_mtime("change.cs", 1000000001));
	s = render("change", NULL, NULL, NULL, 0, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s, "new");
	free(s);

	/* Same time, other size. */
	CU_ASSERT_FATAL(put("change.cs", "longer"));
	CU_ASSERT_FATAL(set_mtime("change.cs", 1000000001));
	s = render("change", NULL, NULL, NULL, 0, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s, "longer");
	free(s);

	/* Replaced by rename, as installers do: same size and time. */
	CU_ASSERT_FATAL(put("change.tmp", "LONGER"));
	CU_ASSERT_FATAL(set_mtime("change.tmp", 1000000001));
	snprintf(p, sizeof(p), "%s/change.tmp", tdir);
	snprintf(q, sizeof(q), "%s/change.cs", tdir);
	CU_ASSERT_FATAL(rename(p, q) == 0);
	s = render("change", NULL, NULL, NULL, 0, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s, "LONGER");
	free(s);

	/* An included page counts too, not only the file named. */
	CU_ASSERT_FATAL(put("b.cs", "b2:<?cs var:Hello.Name ?>"));
	s = render("layout", "b.cs", "z", NULL, 0, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s, "<h1>z</h1>\nb2:z\n");
	free(s);
	CU_ASSERT_FATAL(put("b.cs", "B:<?cs var:Hello.Name ?>"));

	/* A broken template fails, and works again once it is fixed. */
	CU_ASSERT_FATAL(put("change.cs", "<?cs /if ?>stray"));
	CU_ASSERT_PTR_NULL(render("change", NULL, NULL, NULL, 0, 0));
	CU_ASSERT_FATAL(put("change.cs", "fixed"));
	s = render("change", NULL, NULL, NULL, 0, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s, "fixed");
	free(s);

	/* A template that disappears is an error, not an old copy. */
	CU_ASSERT_FATAL(unlink(q) == 0);
	CU_ASSERT_PTR_NULL(render("change", NULL, NULL, NULL, 0, 0));
}

/* Pages escape and mails do not, whichever of them was cached first. */
static void
test_modes_apart(void)
{
	char	*s;

	s = render("plain", NULL, "<b>", NULL, 0, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s, "v=&lt;b&gt;");
	free(s);
	s = render("plain", NULL, "<b>", NULL, 0, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s, "v=<b>");
	free(s);
	s = render("plain", NULL, "<b>", NULL, 0, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s, "v=&lt;b&gt;");
	free(s);
}

/* More templates than the cache holds still render right. */
static void
test_more_than_cached(void)
{
	char	 name[32], text[64], want[64], *s;
	int	 i, round, bad = 0;

	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "many%d.cs", i);
		snprintf(text, sizeof(text), "%d:<?cs var:Hello.Name ?>", i);
		CU_ASSERT_FATAL(put(name, text));
	}
	for (round = 0; round < 3; round++)
		for (i = 0; i < 40; i++) {
			snprintf(name, sizeof(name), "many%d", i);
			snprintf(want, sizeof(want), "%d:r%d", i, round);
			snprintf(text, sizeof(text), "r%d", round);
			s = render(name, NULL, text, NULL, 0, 0);
			if (s == NULL || strcmp(s, want) != 0)
				bad++;
			free(s);
		}
	CU_ASSERT_EQUAL(bad, 0);
}

static void
register_tests(void)
{
	CU_pSuite	 s;

	s = CU_add_suite("tmpl", suite_init, suite_clean);
	UNIT_ADD(s, test_no_data_between_renders);
	UNIT_ADD(s, test_many_renders);
	UNIT_ADD(s, test_reread_on_change);
	UNIT_ADD(s, test_modes_apart);
	UNIT_ADD(s, test_more_than_cached);
}

UNIT_MAIN(register_tests)
