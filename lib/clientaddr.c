/* clientaddr: the client behind trusted proxies, and the address a throttle counts. */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clientaddr.h"
#include "log.h"

/* ::ffff:0:0/96, IPv4-mapped IPv6 (RFC 4291 2.5.5.2). */
static const unsigned char	 ca_mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};
/* 64:ff9b::/96, the NAT64 well-known prefix (RFC 6052). */
static const unsigned char	 ca_nat64[12] = {
	0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0
};

/* Returns 1 if c is a blank, which may stand around and between entries. */
static int
ca_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Parses the n bytes at s as one IPv4 or IPv6 address into *family and
 * a (16 bytes; an IPv4 address in the first 4), without unmapping;
 * returns 1 on success.  inet_pton is strict: no ports, brackets, zone
 * ids, octal or short IPv4 forms.
 */
static int
ca_pton(const char *s, size_t n, int *family, unsigned char a[16])
{
	char	 tmp[INET6_ADDRSTRLEN];

	if (n == 0 || n >= sizeof(tmp))
		return 0;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	memset(a, 0, 16);
	if (memchr(tmp, ':', n) != NULL) {
		*family = AF_INET6;
		return inet_pton(AF_INET6, tmp, a) == 1;
	}
	*family = AF_INET;
	return inet_pton(AF_INET, tmp, a) == 1;
}

/*
 * Like ca_pton, but an IPv4-mapped address becomes the IPv4 address it
 * carries: a dual-stack socket shows an IPv4 peer that way, and it is the
 * same host either way.
 */
static int
ca_parse(const char *s, size_t n, int *family, unsigned char a[16])
{
	if (!ca_pton(s, n, family, a))
		return 0;
	if (*family == AF_INET6 && memcmp(a, ca_mapped, 12) == 0) {
		memmove(a, a + 12, 4);
		memset(a + 4, 0, 12);
		*family = AF_INET;
	}
	return 1;
}

/* Returns 1 if the address (family, a) lies inside net. */
static int
ca_in(const struct clientaddr_net *net, int family, const unsigned char *a)
{
	unsigned	 whole = net->bits / 8, rest = net->bits % 8;
	unsigned char	 mask;

	if (net->family != family)
		return 0;
	if (memcmp(net->addr, a, whole) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - rest));
	return (net->addr[whole] & mask) == (a[whole] & mask);
}

/* Returns 1 if (family, a) lies inside one of the networks of nets (NULL: none). */
static int
ca_listed(const struct clientaddr_nets *nets, int family,
    const unsigned char *a)
{
	size_t	 i;

	if (nets == NULL)
		return 0;
	for (i = 0; i < nets->n; i++)
		if (ca_in(&nets->v[i], family, a))
			return 1;
	return 0;
}

/*
 * Parses one entry "address" or "address/bits" of n bytes into net;
 * returns 1 on success.  Host bits beyond the prefix are refused rather
 * than cleared: "10.1.2.3/8" may well be a typo for a /24.
 */
static int
ca_parse_net(const char *s, size_t n, struct clientaddr_net *net)
{
	const char	*slash;
	size_t		 alen, i;
	unsigned	 bits = 0, max;
	unsigned char	 mask;

	slash = memchr(s, '/', n);
	alen = slash != NULL ? (size_t)(slash - s) : n;
	if (!ca_pton(s, alen, &net->family, net->addr))
		return 0;
	max = net->family == AF_INET ? 32 : 128;
	if (slash == NULL)
		bits = max;
	else {
		if (slash + 1 == s + n || n - alen - 1 > 3)
			return 0;
		for (i = alen + 1; i < n; i++) {
			if (s[i] < '0' || s[i] > '9')
				return 0;
			bits = bits * 10 + (unsigned)(s[i] - '0');
		}
		if (bits > max)
			return 0;
	}
	for (i = bits / 8; i < 16; i++) {
		mask = i == bits / 8 ? (unsigned char)(0xff >> (bits % 8)) : 0xff;
		if (net->addr[i] & mask)
			return 0;
	}
	/* Peers are compared unmapped (ca_parse), so list them that way too. */
	if (net->family == AF_INET6 && bits >= 96 &&
	    memcmp(net->addr, ca_mapped, 12) == 0) {
		memmove(net->addr, net->addr + 12, 4);
		memset(net->addr + 4, 0, 12);
		net->family = AF_INET;
		bits -= 96;
	}
	net->bits = bits;
	return 1;
}

int
clientaddr_nets_parse(const char *list, struct clientaddr_nets *out)
{
	struct clientaddr_net	*v;
	const char		*p, *e;

	out->v = NULL;
	out->n = 0;
	if (list == NULL)
		return 1;
	for (p = list; *p != '\0'; p = e) {
		while (*p == ',' || ca_blank(*p))
			p++;
		if (*p == '\0')
			break;
		for (e = p; *e != '\0' && *e != ',' && !ca_blank(*e); e++)
			continue;
		if ((v = reallocarray(out->v, out->n + 1, sizeof(*v))) ==
		    NULL) {
			log_err("trusted proxies: out of memory");
			goto fail;
		}
		out->v = v;
		if (!ca_parse_net(p, (size_t)(e - p), &out->v[out->n])) {
			log_err("trusted proxies: \"%.*s\" is not an address "
			    "or network", (int)(e - p), p);
			goto fail;
		}
		out->n++;
	}
	return 1;
fail:
	clientaddr_nets_free(out);
	return 0;
}

void
clientaddr_nets_free(struct clientaddr_nets *nets)
{
	if (nets == NULL)
		return;
	free(nets->v);
	nets->v = NULL;
	nets->n = 0;
}

int
clientaddr_trusted(const struct clientaddr_nets *nets, const char *addr)
{
	unsigned char	 a[16];
	int		 family;

	if (addr == NULL || !ca_parse(addr, strlen(addr), &family, a))
		return 0;
	return ca_listed(nets, family, a);
}

/* Writes (family, a) in canonical text into out; returns 1, or 0 with out "" if it did not fit. */
static int
ca_ntop(int family, const unsigned char *a, char *out, size_t len)
{
	if (inet_ntop(family, a, out, (socklen_t)len) == NULL) {
		out[0] = '\0';
		return 0;
	}
	return 1;
}

int
clientaddr_resolve(const struct clientaddr_nets *trusted, const char *peer,
    const char *xff, char *out, size_t len)
{
	const char	*end, *p, *s, *e;
	unsigned char	 a[16], b[16];
	int		 family, fb;

	if (len == 0)
		return 0;
	out[0] = '\0';
	if (peer == NULL)
		return 1;
	if (!ca_parse(peer, strlen(peer), &family, a)) {
		if (strlen(peer) >= len)
			return 0;
		memcpy(out, peer, strlen(peer) + 1);
		return 1;
	}
	if (xff == NULL || !ca_listed(trusted, family, a))
		return ca_ntop(family, a, out, len);

	/* (family, a) is always the last good address reached. */
	for (end = xff + strlen(xff); end > xff; end = p - 1) {
		for (p = end; p > xff && p[-1] != ','; p--)
			continue;
		for (s = p; s < end && ca_blank(*s); s++)
			continue;
		for (e = end; e > s && ca_blank(e[-1]); e--)
			continue;
		if (!ca_parse(s, (size_t)(e - s), &fb, b))
			break;
		family = fb;
		memcpy(a, b, sizeof(a));
		if (!ca_listed(trusted, family, a) || p == xff)
			break;
	}
	return ca_ntop(family, a, out, len);
}

int
clientaddr_key(const char *addr, char *out, size_t len)
{
	unsigned char	 a[16];
	char		 text[INET6_ADDRSTRLEN];
	int		 family, n;

	if (addr != NULL && ca_parse(addr, strlen(addr), &family, a)) {
		if (family == AF_INET6 && memcmp(a, ca_nat64, 12) == 0) {
			/* The IPv4 host behind the translator. */
			memmove(a, a + 12, 4);
			family = AF_INET;
		} else if (family == AF_INET6)
			memset(a + 8, 0, 8);
		if (inet_ntop(family, a, text, sizeof(text)) != NULL) {
			n = snprintf(out, len, "%s%s", text,
			    family == AF_INET6 ? "/64" : "");
			return n >= 0 && (size_t)n < len;
		}
	}
	n = snprintf(out, len, "%s", addr != NULL ? addr : "");
	return n >= 0 && (size_t)n < len;
}
