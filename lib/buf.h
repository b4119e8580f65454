/* buf: a growable byte buffer, NUL-terminated for convenience. */
#ifndef CERTDESK_BUF_H
#define CERTDESK_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	unsigned char	*data;	/* always NUL-terminated when non-NULL */
	size_t		 len;
	size_t		 cap;
};

/* Appends len bytes; returns 1 on success, 0 when out of memory. */
int	buf_append(struct buf *, const void *, size_t);
/* Appends a C string; returns 1 on success, 0 when out of memory. */
int	buf_puts(struct buf *, const char *);
/* Appends printf-style formatted text; returns 1 on success, 0 on error. */
int	buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Detaches the contents as a malloc'ed string the caller frees; empties b. */
char	*buf_take(struct buf *);
/* Frees the storage and zeroes the struct. */
void	buf_free(struct buf *);
/* Like buf_free but cleanses the bytes first: use it for keys and secrets. */
void	buf_free_secret(struct buf *);

/*
 * Writes a printf-style message into the fixed buffer err of errlen bytes
 * (truncated, always terminated) when the caller gave room for one: how
 * library checks hand a person-readable reason to the caller.
 */
void	buf_msg(char *err, size_t errlen, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

#endif
