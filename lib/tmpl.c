/* tmpl: ClearSilver rendering into a struct buf, errors turned into log lines. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "tmpl.h"

#define TMPL_CACHE_MAX	32	/* every page and mail of a program, twice */
#define TMPL_FILES_MAX	8	/* files behind one parse: layout, page, ... */
#define TMPL_FILE_MAX	(1024L * 1024)	/* a template larger is a mistake */

/* A file a cached parse was read from, as it was when read. */
struct tmpl_file {
	char		*path;
	dev_t		 dev;
	ino_t		 ino;
	off_t		 size;
	struct timespec	 mtime;
};

/*
 * One parsed template, kept for the life of a worker: parsing costs far
 * more than rendering, and a worker renders the same dozen pages for
 * thousands of requests.  An entry holds template text, its parse tree
 * and a small HDF of its own with the three values parsing reads
 * (Config.VarEscapeMode, hdf.loadpaths.0, Page.Template, all set by the
 * program, never by a client), and all three are in the key.  A
 * request's HDF is attached for one render and detached after it, so
 * nothing a request brought survives it here.
 */
struct tmpl_entry {
	char			*key;
	CSPARSE			*cs;
	HDF			*hdf;
	struct tmpl_file	 files[TMPL_FILES_MAX];
	size_t			 nfiles;
	int			 overflow;	/* read more files than recorded */
};

static struct tmpl_entry	 tmpl_cache[TMPL_CACHE_MAX];
static size_t			 tmpl_victim;	/* next slot reused when full */

/* Appends one chunk of rendered output to the buf behind ctx. */
static NEOERR *
tmpl_out(void *ctx, char *s)
{
	if (!buf_puts(ctx, s))
		return nerr_raise(NERR_NOMEM, "template output");
	return STATUS_OK;
}

/* Logs a NEOERR with its traceback and frees it; always returns 0. */
static int
tmpl_fail(NEOERR *err, const char *what)
{
	STRING	 s;

	string_init(&s);
	nerr_error_traceback(err, &s);
	log_err("template %s: %s", what, s.buf != NULL ? s.buf : "error");
	string_clear(&s);
	nerr_ignore(&err);
	return 0;
}

/* Returns 1 when name is a safe relative template name. */
static int
tmpl_name_ok(const char *name)
{
	const char	*p;

	if (name == NULL || name[0] == '\0' || name[0] == '/' ||
	    strstr(name, "..") != NULL)
		return 0;
	for (p = name; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
		    *p == '/'))
			return 0;
	return 1;
}

/* Frees a cache entry's contents and empties its slot. */
static void
tmpl_drop(struct tmpl_entry *e)
{
	size_t	 i;

	cs_destroy(&e->cs);
	hdf_destroy(&e->hdf);
	for (i = 0; i < e->nfiles; i++)
		free(e->files[i].path);
	free(e->key);
	memset(e, 0, sizeof(*e));
}

/*
 * ClearSilver file loader for a parse being cached: reads the file named
 * (relative names through hdf.loadpaths, as ClearSilver's own loader)
 * into *contents, which the parser owns and frees, and records what the
 * file was so that a later change is seen.  Returns STATUS_OK or the
 * error for the log.
 */
static NEOERR *
tmpl_load(void *ctx, HDF *hdf, const char *name, char **contents)
{
	struct tmpl_entry	*e = ctx;
	struct tmpl_file	*f;
	struct stat		 st;
	NEOERR			*err;
	char			 full[PATH_MAX], *text = NULL;
	size_t			 got = 0;
	ssize_t			 n;
	int			 fd;

	*contents = NULL;
	if (name[0] != '/') {
		if ((err = hdf_search_path(hdf, name, full)) != STATUS_OK)
			return nerr_pass(err);
		name = full;
	}
	if ((fd = open(name, O_RDONLY | O_CLOEXEC)) < 0)
		return nerr_raise_errno(errno == ENOENT ? NERR_NOT_FOUND :
		    NERR_SYSTEM, "open %s", name);
	/* The identity is taken from the open file, so it is what was read. */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > TMPL_FILE_MAX) {
		close(fd);
		return nerr_raise(NERR_SYSTEM, "%s: not a template file", name);
	}
	if ((text = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return nerr_raise(NERR_NOMEM, "%s", name);
	}
	while (got < (size_t)st.st_size &&
	    (n = read(fd, text + got, (size_t)st.st_size - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(text);
			close(fd);
			return nerr_raise_errno(NERR_IO, "read %s", name);
		}
		got += (size_t)n;
	}
	close(fd);
	text[got] = '\0';
	if (e->nfiles == TMPL_FILES_MAX)
		e->overflow = 1;
	else {
		f = &e->files[e->nfiles];
		if ((f->path = strdup(name)) == NULL) {
			free(text);
			return nerr_raise(NERR_NOMEM, "%s", name);
		}
		f->dev = st.st_dev;
		f->ino = st.st_ino;
		/* A short read leaves a size that cannot match: read again. */
		f->size = (off_t)got == st.st_size ? st.st_size : -1;
		f->mtime = st.st_mtim;
		e->nfiles++;
	}
	*contents = text;
	return STATUS_OK;
}

/* Returns 1 when every file behind e is still the one that was parsed. */
static int
tmpl_fresh(const struct tmpl_entry *e)
{
	const struct tmpl_file	*f;
	struct stat		 st;
	size_t			 i;

	if (e->overflow)
		return 0;
	for (i = 0; i < e->nfiles; i++) {
		f = &e->files[i];
		if (stat(f->path, &st) != 0 || st.st_dev != f->dev ||
		    st.st_ino != f->ino || st.st_size != f->size ||
		    st.st_mtim.tv_sec != f->mtime.tv_sec ||
		    st.st_mtim.tv_nsec != f->mtime.tv_nsec)
			return 0;
	}
	return 1;
}

/*
 * Parses path into the empty slot e under key, with a private HDF holding
 * only what parsing reads; returns 1 ok, 0 error (logged, slot empty).
 */
static int
tmpl_parse(struct tmpl_entry *e, const char *key, const char *mode,
    const char *dir, const char *page, const char *path)
{
	NEOERR	*err;

	if ((e->key = strdup(key)) == NULL) {
		log_err("template: out of memory");
		goto fail;
	}
	if ((err = hdf_init(&e->hdf)) != STATUS_OK ||
	    (err = hdf_set_value(e->hdf, "Config.VarEscapeMode", mode)) !=
	    STATUS_OK ||
	    (err = hdf_set_value(e->hdf, "hdf.loadpaths.0", dir)) !=
	    STATUS_OK ||
	    (page != NULL &&
	    (err = hdf_set_value(e->hdf, "Page.Template", page)) !=
	    STATUS_OK)) {
		tmpl_fail(err, "parse data");
		goto fail;
	}
	/* cs_init reads the escape mode, which is then fixed in the tree. */
	if ((err = cs_init(&e->cs, e->hdf)) != STATUS_OK) {
		tmpl_fail(err, "init");
		goto fail;
	}
	if ((err = cgi_register_strfuncs(e->cs)) != STATUS_OK) {
		tmpl_fail(err, "functions");
		goto fail;
	}
	cs_register_fileload(e->cs, e, tmpl_load);
	if ((err = cs_parse_file(e->cs, path)) != STATUS_OK) {
		tmpl_fail(err, path);
		goto fail;
	}
	e->cs->hdf = NULL;
	return 1;
fail:
	tmpl_drop(e);
	return 0;
}

/*
 * Returns the parsed template for mode, dir/name.cs and the HDF's
 * Page.Template, parsing it (again) when it is not cached or one of its
 * files changed; owned by the cache, NULL on error (logged).
 */
static struct tmpl_entry *
tmpl_get(HDF *hdf, const char *mode, const char *dir, const char *name)
{
	struct tmpl_entry	*e, *slot = NULL;
	struct buf		 key = { 0 };
	const char		*page;
	char			 path[4096];
	size_t			 i;

	if (!tmpl_name_ok(name)) {
		log_err("template: refusing name \"%s\"",
		    name != NULL ? name : "(null)");
		return NULL;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.cs", dir, name) >=
	    sizeof(path)) {
		log_err("template %s: path too long", name);
		return NULL;
	}
	/* include:Page.Template is resolved while parsing: it is in the key. */
	page = hdf_get_value(hdf, "Page.Template", NULL);
	if (!buf_printf(&key, "%s\n%s\n%s\n%s", mode, dir, path,
	    page != NULL ? page : "")) {
		log_err("template: out of memory");
		return NULL;
	}
	for (i = 0; i < TMPL_CACHE_MAX; i++) {
		e = &tmpl_cache[i];
		if (e->key == NULL) {
			if (slot == NULL)
				slot = e;
			continue;
		}
		if (strcmp(e->key, (char *)key.data) != 0)
			continue;
		if (tmpl_fresh(e)) {
			buf_free(&key);
			return e;
		}
		tmpl_drop(e);
		slot = e;
		break;
	}
	if (slot == NULL) {
		slot = &tmpl_cache[tmpl_victim];
		tmpl_victim = (tmpl_victim + 1) % TMPL_CACHE_MAX;
		tmpl_drop(slot);
	}
	if (!tmpl_parse(slot, (char *)key.data, mode, dir, page, path))
		slot = NULL;
	buf_free(&key);
	return slot;
}

/*
 * Renders dir/name.cs from the cache under the given escape mode with
 * the data in hdf; returns 1 ok, 0 error (logged).
 */
static int
tmpl_run_file(HDF *hdf, const char *mode, const char *dir, const char *name,
    struct buf *out)
{
	struct tmpl_entry	*e;
	NEOERR			*err;

	if (dir == NULL) {
		log_err("template %s: no template directory", name);
		return 0;
	}
	/*
	 * Kept in the request's data too, as before the cache: whoever looks
	 * at it sees the mode the page was rendered under.
	 */
	if ((err = hdf_set_value(hdf, "Config.VarEscapeMode", mode)) != STATUS_OK)
		return tmpl_fail(err, "escape mode");
	if ((err = hdf_set_value(hdf, "hdf.loadpaths.0", dir)) != STATUS_OK)
		return tmpl_fail(err, "load path");
	if ((e = tmpl_get(hdf, mode, dir, name)) == NULL)
		return 0;
	e->cs->hdf = hdf;
	err = cs_render(e->cs, out, tmpl_out);
	/* Nothing of this request may stay reachable from the cache. */
	e->cs->hdf = NULL;
	e->cs->output_ctx = NULL;
	e->cs->output_cb = NULL;
	if (err != STATUS_OK) {
		/* A render that stopped half-way may leave state behind. */
		tmpl_drop(e);
		return tmpl_fail(err, name);
	}
	return 1;
}

/*
 * Parses and renders the template in the string text with HTML escaping;
 * returns 1 ok, 0 error (logged).  Not cached: each text is its own.
 */
static int
tmpl_run_string(HDF *hdf, const char *text, struct buf *out)
{
	CSPARSE	*cs = NULL;
	NEOERR	*err;
	char	*copy = NULL;
	int	 rc = 0;

	if ((err = hdf_set_value(hdf, "Config.VarEscapeMode", "html")) !=
	    STATUS_OK)
		return tmpl_fail(err, "escape mode");
	if ((err = cs_init(&cs, hdf)) != STATUS_OK) {
		tmpl_fail(err, "init");
		goto out;
	}
	if ((err = cgi_register_strfuncs(cs)) != STATUS_OK) {
		tmpl_fail(err, "functions");
		goto out;
	}
	/* cs_parse_string takes ownership of the copy. */
	if ((copy = strdup(text)) == NULL) {
		log_err("template: out of memory");
		goto out;
	}
	err = cs_parse_string(cs, copy, strlen(copy));
	copy = NULL;
	if (err != STATUS_OK) {
		tmpl_fail(err, "string");
		goto out;
	}
	if ((err = cs_render(cs, out, tmpl_out)) != STATUS_OK) {
		tmpl_fail(err, "string");
		goto out;
	}
	rc = 1;
out:
	cs_destroy(&cs);
	return rc;
}

int
tmpl_render(HDF *hdf, const char *dir, const char *name, struct buf *out)
{
	return tmpl_run_file(hdf, "html", dir, name, out);
}

int
tmpl_render_text(HDF *hdf, const char *dir, const char *name, struct buf *out)
{
	int	 rc;
	NEOERR	*err;

	rc = tmpl_run_file(hdf, "none", dir, name, out);
	/* Whoever renders this HDF next as a page must get escaping back. */
	if ((err = hdf_set_value(hdf, "Config.VarEscapeMode", "html")) !=
	    STATUS_OK)
		rc = tmpl_fail(err, "escape mode");
	return rc;
}

int
tmpl_render_string(HDF *hdf, const char *text, struct buf *out)
{
	return tmpl_run_string(hdf, text, out);
}

int
tmpl_url_append(struct buf *out, const char *value)
{
	NEOERR	*nerr;
	char	*esc = NULL;
	int	 ok;

	if ((nerr = cgi_url_escape(value, &esc)) != STATUS_OK) {
		nerr_ignore(&nerr);
		return 0;
	}
	ok = buf_puts(out, esc);
	free(esc);
	return ok;
}
