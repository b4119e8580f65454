/* config: HDF configuration, read with ClearSilver's own parser. */
#include <stdlib.h>

#include "config.h"
#include "log.h"

struct config *
config_load(const char *path)
{
	struct config	*c;
	NEOERR		*err;

	if (path == NULL)
		path = getenv("CERTDESK_CONF");
	if (path == NULL)
		path = CONFIG_DEFAULT_PATH;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((err = hdf_init(&c->hdf)) != STATUS_OK) {
		nerr_ignore(&err);
		free(c);
		return NULL;
	}
	if ((err = hdf_read_file(c->hdf, path)) != STATUS_OK) {
		STRING	 s;

		string_init(&s);
		nerr_error_string(err, &s);
		log_err("config %s: %s", path, s.buf ? s.buf : "unreadable");
		string_clear(&s);
		nerr_ignore(&err);
		config_free(c);
		return NULL;
	}
	return c;
}

const char *
config_get(const struct config *c, const char *key, const char *def)
{
	return hdf_get_value(c->hdf, key, def);
}

int
config_int(const struct config *c, const char *key, int def)
{
	return hdf_get_int_value(c->hdf, key, def);
}

int
config_p12_iterations(const struct config *c)
{
	int	 n = config_int(c, "P12.Iterations", CONFIG_P12_ITER_DEFAULT);

	/*
	 * Fewer makes guessing a file's password cheap; many more makes
	 * every issuance (two files) slow enough to look like a hang.
	 */
	if (n < CONFIG_P12_ITER_MIN || n > CONFIG_P12_ITER_MAX) {
		log_err("config: P12.Iterations %d is outside %d..%d; using %d",
		    n, CONFIG_P12_ITER_MIN, CONFIG_P12_ITER_MAX,
		    CONFIG_P12_ITER_DEFAULT);
		return CONFIG_P12_ITER_DEFAULT;
	}
	return n;
}

/* Returns key's number of days (def when unset), held to 1..365, in seconds. */
static long
days(const struct config *c, const char *key, int def)
{
	int	 d = config_int(c, key, def);

	if (d < 1)
		d = 1;
	if (d > 365)
		d = 365;
	return (long)d * 24 * 60 * 60;
}

long
config_validation_ttl(const struct config *c)
{
	return days(c, "Codes.ValidationDays", 7);
}

long
config_invitation_ttl(const struct config *c)
{
	return days(c, "Codes.InvitationDays", 30);
}

long
config_bulk_link_ttl(const struct config *c)
{
	return days(c, "Bulk.LinkDays", 2);
}

long
config_bulk_keep(const struct config *c)
{
	return days(c, "Bulk.KeepDays", 30);
}

/* The server types SCM offers for SSL certificates, OTHER first (guide 2016). */
static const char *const bulk_software[] = {
	"OTHER", "AOL", "Apache/ModSSL", "Apache-SSL (Ben-SSL, not Stronghold)",
	"C2Net Stronghold", "Cisco 3000 Series VPN Concentrator", "Citrix",
	"Cobalt Raq", "Covalent Server Software", "Ensim", "H-Sphere",
	"IBM HTTP Server", "IBM Internet Connection Server", "iPlanet",
	"Java Web Server (Javasoft / Sun)", "Lotus Domino", "Lotus Domino Go!",
	"Microsoft IIS 1.x to 4.x", "Microsoft IIS 5.x to 6.x",
	"Microsoft IIS 7.x and later", "Netscape Enterprise Server",
	"Netscape FastTrack", "Nginx", "Novell Web Server", "Oracle", "Plesk",
	"Quid Pro Quo", "R3 SSL Server", "Raven SSL", "RedHat Linux",
	"SAP Web Application Server", "Tomcat", "Website Professional",
	"WebStar 4.x and later", "WebTen (from Tenon)", "WHM/cPanel",
	"Zeus Web Server",
};

size_t
config_bulk_software(const struct config *c, const char **out, size_t max)
{
	HDF		*node;
	const char	*v;
	size_t		 n = 0, i;

	node = c != NULL ? hdf_get_obj(c->hdf, "Bulk.ServerSoftware") : NULL;
	for (node = node != NULL ? hdf_obj_child(node) : NULL;
	    node != NULL && n < max; node = hdf_obj_next(node))
		if ((v = hdf_obj_value(node)) != NULL && *v != '\0')
			out[n++] = v;
	if (n > 0)
		return n;
	for (i = 0; i < sizeof(bulk_software) / sizeof(bulk_software[0]) &&
	    n < max; i++)
		out[n++] = bulk_software[i];
	return n;
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	hdf_destroy(&c->hdf);
	free(c);
}
