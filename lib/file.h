/*
 * file: the one way certdesk writes a file others read — whole or not at
 * all: a synced temporary file beside the target, then renamed or linked
 * into place.
 */
#ifndef CERTDESK_FILE_H
#define CERTDESK_FILE_H

#include <stddef.h>
#include <sys/types.h>

/* How file_install puts a temporary file in place. */
enum file_install {
	FILE_REPLACE,	/* rename over the target, whatever it holds */
	FILE_NEW	/* link only where nothing exists yet */
};

/*
 * Writes len bytes to a new file path.XXXXXX with the given mode (created
 * under umask 077, so it is never more open than mode), synced to disk;
 * returns its name (caller frees, and unlinks it unless it was installed),
 * or NULL with nothing left behind (logged).
 */
char	*file_write_temp(const char *path, const void *data, size_t len,
	    mode_t mode);
/*
 * Puts tmp in place as path and syncs the directory, so the change
 * survives a crash; tmp is gone afterwards in every case.  Returns 1
 * installed, -1 when FILE_NEW found path already there, 0 on error
 * (logged).
 */
int	 file_install(char *tmp, const char *path, enum file_install);

#endif
