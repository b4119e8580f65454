/*
 * unavailable.h: the main() of a program whose pages are not built yet:
 * it resolves the customer like every program (404 for an unknown one)
 * and answers 503 under its page title.
 */
#ifndef CERTDESK_UNAVAILABLE_H
#define CERTDESK_UNAVAILABLE_H

#include "app.h"

/* Serves every request of prog with a 503 page titled title; returns the exit status. */
static int
unavailable_main(const char *prog, const char *title)
{
	struct app	 app;
	struct req	 r;
	struct customer	*c;

	if (!app_init(&app, prog))
		return 1;
	while (web_accept(&r, 64 * 1024)) {
		if ((c = app_customer(&app, &r)) != NULL) {
			hdf_set_value(r.hdf, "Page.Title", title);
			web_unavailable(&r, title);
			store_customer_free(c);
		}
		web_free(&r);
	}
	app_done(&app);
	return 0;
}

#endif
