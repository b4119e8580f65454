/*
 * file: atomic writes for keys, CRLs and the server key.  A reader sees
 * the old file or the new one, never half of either.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"
#include "log.h"

char *
file_write_temp(const char *path, const void *data, size_t len, mode_t mode)
{
	const char	*p = data;
	char		*tmp = NULL;
	ssize_t		 w;
	size_t		 off;
	mode_t		 old;
	int		 fd;

	if (asprintf(&tmp, "%s.XXXXXX", path) == -1) {
		log_err("%s: out of memory", path);
		return NULL;
	}
	/* umask is process-wide; every program here is single-threaded. */
	old = umask(077);
	fd = mkstemp(tmp);
	umask(old);
	if (fd == -1) {
		log_err("cannot create %s: %s", tmp, strerror(errno));
		free(tmp);
		return NULL;
	}
	if (fchmod(fd, mode) == -1) {
		log_err("fchmod %s: %s", tmp, strerror(errno));
		goto fail;
	}
	for (off = 0; off < len; off += (size_t)w) {
		if ((w = write(fd, p + off, len - off)) == -1 && errno == EINTR) {
			w = 0;
			continue;
		}
		if (w <= 0) {
			log_err("write %s: %s", tmp, strerror(errno));
			goto fail;
		}
	}
	if (fsync(fd) == -1) {
		log_err("fsync %s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (close(fd) == -1) {
		fd = -1;
		log_err("close %s: %s", tmp, strerror(errno));
		goto fail;
	}
	return tmp;
fail:
	if (fd != -1)
		close(fd);
	unlink(tmp);
	free(tmp);
	return NULL;
}

int
file_install(char *tmp, const char *path, enum file_install how)
{
	char	*dircopy;
	int	 dfd, rc = 1;

	switch (how) {
	case FILE_REPLACE:
		if (rename(tmp, path) == -1) {
			log_err("rename to %s: %s", path, strerror(errno));
			rc = 0;
		}
		break;
	case FILE_NEW:
		/* link() is atomic and never replaces: a racing writer wins. */
		if (link(tmp, path) == -1) {
			rc = errno == EEXIST ? -1 : 0;
			if (rc == 0)
				log_err("link to %s: %s", path,
				    strerror(errno));
		}
		break;
	}
	(void)unlink(tmp);
	if (rc != 1)
		return rc;
	/* The directory entry itself must survive a crash. */
	if ((dircopy = strdup(path)) != NULL &&
	    (dfd = open(dirname(dircopy), O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) != -1) {
		(void)fsync(dfd);
		close(dfd);
	}
	free(dircopy);
	return 1;
}
