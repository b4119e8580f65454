/* tmpl: ClearSilver rendering; HTML pages always escape every variable. */
#ifndef CERTDESK_TMPL_H
#define CERTDESK_TMPL_H

#include <ClearSilver.h>

#include "buf.h"

/*
 * Renders dir/<name>.cs with hdf, appending to out (caller frees).
 * Config.VarEscapeMode is set to html before parsing, so every var is
 * HTML-escaped; dir becomes the include path (hdf.loadpaths.0), so a
 * template may include:Page.Template.  name is "page" or "mail/collect"
 * (letters, digits, '_', '-', '/'; no ".." ).  1 ok, 0 error (logged).
 * The parse is kept for the life of the process and done again when one
 * of its files changes; it holds nothing of hdf after the call.
 */
int	tmpl_render(HDF *hdf, const char *dir, const char *name, struct buf *out);
/*
 * Same for plain-text output (mail bodies): no escaping at all, so the
 * result must never be served as HTML.  Leaves the escape mode at html.
 */
int	tmpl_render_text(HDF *hdf, const char *dir, const char *name,
	    struct buf *out);
/* Renders a template held in a string with HTML escaping; 1 ok, 0 error (logged). */
int	tmpl_render_string(HDF *hdf, const char *text, struct buf *out);

/*
 * Appends value to out URL-encoded as a query parameter (ClearSilver's
 * cgi_url_escape), for links built outside a template; returns 1 on
 * success.
 */
int	tmpl_url_append(struct buf *out, const char *value);

#endif
