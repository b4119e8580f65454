/* admin backup and restore: copies of the database, taken and put back. */
#include <stdio.h>
#include <string.h>

#include "admin.h"

/* Returns 0 after copying the live database into a new file (argv[0]). */
static int
cmd_backup(struct admin *a, int argc, char **argv)
{
	const struct opt	 opts[] = { { NULL, NULL, NULL, NULL } };
	char			*pos[1], path[4096], err[512];

	if (admin_args(argc, argv, opts, pos, 1) != 1)
		return -2;
	admin_db_path(a, path, sizeof(path));
	if (db_backup_to(path, pos[0], err, sizeof(err)) != DB_COPY_OK)
		return admin_fail("%s", err);
	printf("backup of %s written to %s\n", path, pos[0]);
	return 0;
}

/*
 * Returns 0 after putting a backup in place of the live database.  No
 * audit event: the restored database has its own history, and an event
 * written afterwards would claim a change the backup never saw.
 */
static int
cmd_restore(struct admin *a, int argc, char **argv)
{
	int			 force = 0;
	const struct opt	 opts[] = {
		{ "force", NULL, &force, "restore while the programs run" },
		{ NULL, NULL, NULL, NULL }
	};
	char			*pos[1], path[4096], err[512];

	if (admin_args(argc, argv, opts, pos, 1) != 1)
		return -2;
	admin_db_path(a, path, sizeof(path));
	if (db_restore_from(path, pos[0], force, err, sizeof(err)) !=
	    DB_COPY_OK)
		return admin_fail("%s", err);
	printf("%s restored from %s\n", path, pos[0]);
	/*
	 * Running workers keep what they read of customers, endpoints and
	 * CAs (the page lookups, the CA cache): restarted, they read the
	 * restored database.
	 */
	if (force)
		printf("restart the web server (or the certdesk-fcgi@ "
		    "services) so that the programs read the restored "
		    "database\n");
	return 0;
}

/* These run without admin_open: a backup must not migrate what it copies. */
const struct command admin_backup_commands[] = {
	{ "backup", NULL, cmd_backup, "backup FILE",
	    "copy the database into a new FILE (mode 0600) while the programs "
	    "run" },
	{ "restore", NULL, cmd_restore, "restore FILE [--force]",
	    "replace the database with the backup FILE (stop the programs "
	    "first, or --force)" },
	{ NULL, NULL, NULL, NULL, NULL }
};
