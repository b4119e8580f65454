/* tmpl: ClearSilver rendering into a struct buf, errors turned into log lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "tmpl.h"

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

/*
 * Parses and renders either the file dir/name.cs or the string text under
 * the given escape mode; returns 1 ok, 0 error (logged).
 */
static int
tmpl_run(HDF *hdf, const char *mode, const char *dir, const char *name,
    const char *text, struct buf *out)
{
	CSPARSE	*cs = NULL;
	NEOERR	*err;
	char	 path[4096], *copy = NULL;
	int	 rc = 0;

	/*
	 * cs_init reads the escape mode, so it must be in the HDF first;
	 * handlers cannot override it because request data lives under
	 * Query.*, never Config.*.
	 */
	if ((err = hdf_set_value(hdf, "Config.VarEscapeMode", mode)) != STATUS_OK)
		return tmpl_fail(err, "escape mode");
	if (dir != NULL &&
	    (err = hdf_set_value(hdf, "hdf.loadpaths.0", dir)) != STATUS_OK)
		return tmpl_fail(err, "load path");
	if ((err = cs_init(&cs, hdf)) != STATUS_OK) {
		tmpl_fail(err, "init");
		goto out;
	}
	if ((err = cgi_register_strfuncs(cs)) != STATUS_OK) {
		tmpl_fail(err, "functions");
		goto out;
	}
	if (text != NULL) {
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
	} else {
		if (!tmpl_name_ok(name)) {
			log_err("template: refusing name \"%s\"",
			    name != NULL ? name : "(null)");
			goto out;
		}
		if ((size_t)snprintf(path, sizeof(path), "%s/%s.cs", dir,
		    name) >= sizeof(path)) {
			log_err("template %s: path too long", name);
			goto out;
		}
		if ((err = cs_parse_file(cs, path)) != STATUS_OK) {
			tmpl_fail(err, path);
			goto out;
		}
	}
	if ((err = cs_render(cs, out, tmpl_out)) != STATUS_OK) {
		tmpl_fail(err, text != NULL ? "string" : name);
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
	return tmpl_run(hdf, "html", dir, name, NULL, out);
}

int
tmpl_render_text(HDF *hdf, const char *dir, const char *name, struct buf *out)
{
	int	 rc;
	NEOERR	*err;

	rc = tmpl_run(hdf, "none", dir, name, NULL, out);
	/* Whoever renders this HDF next as a page must get escaping back. */
	if ((err = hdf_set_value(hdf, "Config.VarEscapeMode", "html")) !=
	    STATUS_OK)
		rc = tmpl_fail(err, "escape mode");
	return rc;
}

int
tmpl_render_string(HDF *hdf, const char *text, struct buf *out)
{
	return tmpl_run(hdf, "html", NULL, NULL, text, out);
}
