/* buf: growable byte buffer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "buf.h"

/* Makes room for extra bytes plus a NUL; returns 1 on success. */
static int
buf_reserve(struct buf *b, size_t extra)
{
	size_t		 need, ncap;
	unsigned char	*p;

	if (extra > ((size_t)-1) / 2 - b->len)
		return 0;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 1;
	ncap = b->cap ? b->cap : 256;
	while (ncap < need)
		ncap *= 2;
	/*
	 * Never realloc: the old block may hold a secret, so copy it and
	 * cleanse the old storage before freeing it.
	 */
	if ((p = malloc(ncap)) == NULL)
		return 0;
	if (b->data != NULL) {
		memcpy(p, b->data, b->len);
		OPENSSL_cleanse(b->data, b->cap);
		free(b->data);
	}
	b->data = p;
	b->cap = ncap;
	b->data[b->len] = '\0';
	return 1;
}

int
buf_append(struct buf *b, const void *p, size_t n)
{
	if (!buf_reserve(b, n))
		return 0;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 1;
}

int
buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	/* Formatted once when it fits in the room left, else measured first. */
	if (b->cap > b->len) {
		va_start(ap, fmt);
		n = vsnprintf((char *)b->data + b->len, b->cap - b->len, fmt,
		    ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return 1;
		}
		b->data[b->len] = '\0';
	}
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !buf_reserve(b, (size_t)n))
		return 0;
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 1;
}

char *
buf_take(struct buf *b)
{
	char	*s;

	if (b->data == NULL && !buf_reserve(b, 0))
		return NULL;
	s = (char *)b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void
buf_free_secret(struct buf *b)
{
	if (b->data != NULL)
		OPENSSL_cleanse(b->data, b->cap);
	buf_free(b);
}

void
buf_msg(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}
