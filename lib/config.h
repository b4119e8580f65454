/* config: the one HDF configuration file (/etc/certdesk/certdesk.hdf or $CERTDESK_CONF). */
#ifndef CERTDESK_CONFIG_H
#define CERTDESK_CONFIG_H

#include <ClearSilver.h>

/*
 * Known keys (all optional, defaults in config.c):
 *   DB.Path, State.Dir, Templates.Dir, Static.Dir, BaseURL,
 *   Mail.Command, Mail.From, Secret.KeyFile, CRL.Dir,
 *   SCEP.IncludeRoot, P12.Iterations, Log.Quiet, Web.TrustedProxies,
 *   Device.SubmitLimit
 *   Notify.ExpiryDays, Notify.SCEP, CRL.Days,
 *   Codes.ValidationDays, Codes.InvitationDays,
 *   Bulk.LinkDays, Bulk.KeepDays, Bulk.ServerSoftware.N
 */
struct config {
	HDF	*hdf;
};

/* Reads path (NULL: $CERTDESK_CONF, then the default); caller frees with config_free. */
struct config	*config_load(const char *path);
/* Returns the value of key or def; borrowed from the config. */
const char	*config_get(const struct config *, const char *key, const char *def);
/* Returns the integer value of key or def. */
int		 config_int(const struct config *, const char *key, int def);
/*
 * Returns P12.Iterations, the PBKDF2 and MAC iteration count of the
 * PKCS#12 files people download: 10 000 by default; a value outside
 * 1 000 to 1 000 000 is logged and the default used instead.
 */
int		 config_p12_iterations(const struct config *);
/*
 * Returns how long a mailed code stays valid, in seconds:
 * Codes.ValidationDays (default 7) and Codes.InvitationDays (default 30),
 * each held to 1..365 days so a typo cannot make a code eternal or dead.
 */
long		 config_validation_ttl(const struct config *);
long		 config_invitation_ttl(const struct config *);
/*
 * Returns how long the links of a completed bulk request work, in
 * seconds: Bulk.LinkDays (default 2, guide 4285); and how long its
 * sealed keys stay for `certdesk bulk resend` after that: Bulk.KeepDays
 * (default 30).  Both held to 1..365 days.
 */
long		 config_bulk_link_ttl(const struct config *);
long		 config_bulk_keep(const struct config *);
/*
 * Fills out with the Server Software names a bulk CSV line may give
 * (borrowed): the values of Bulk.ServerSoftware.0, .1, ... when set,
 * else OTHER and the server types SCM lists.  Returns how many (at
 * most max).
 */
size_t		 config_bulk_software(const struct config *, const char **out,
		    size_t max);
#define CONFIG_BULK_SOFTWARE_MAX	128
/* Frees the config; NULL-safe. */
void		 config_free(struct config *);

#define CONFIG_DEFAULT_PATH "/etc/certdesk/certdesk.hdf"
#define CONFIG_P12_ITER_DEFAULT	10000
#define CONFIG_P12_ITER_MIN	1000
#define CONFIG_P12_ITER_MAX	1000000

#endif
