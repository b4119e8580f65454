/*
 * clientaddr: which address a request comes from, and which address the
 * guessing limits count it by.
 *
 * The client is the direct peer (REMOTE_ADDR) unless the peer is one of
 * the proxies an administrator listed in Web.TrustedProxies; only then is
 * X-Forwarded-For read, from the right, each proxy having appended the
 * address it was connected from.  The walk skips addresses that are
 * trusted proxies themselves and stops at the first one that is not: that
 * is the client.  Everything to the left of it was written by the client
 * and is never looked at.  An entry that is not a plain IPv4 or IPv6
 * address (empty, "unknown", with a port or brackets) also stops the
 * walk, and the client is then the last address reached that was good,
 * which is a trusted proxy or the peer: a garbled header can never name
 * an address of the sender's choosing.  When every entry is a trusted
 * proxy, the left-most one is the client (mod_remoteip does the same).
 */
#ifndef CERTDESK_CLIENTADDR_H
#define CERTDESK_CLIENTADDR_H

#include <stddef.h>

/* One address or network of Web.TrustedProxies. */
struct clientaddr_net {
	int		 family;	/* AF_INET or AF_INET6 */
	unsigned char	 addr[16];	/* network; the first 4 bytes for AF_INET */
	unsigned	 bits;		/* prefix length */
};

/* A list of networks; empty (n == 0) trusts no proxy at all. */
struct clientaddr_nets {
	struct clientaddr_net	*v;
	size_t			 n;
};

/*
 * Parses a list of addresses and networks ("127.0.0.1, 10.0.0.0/8,
 * ::1, 2001:db8::/32", commas or blanks between them; NULL or empty is
 * the empty list) into out, which the caller frees with
 * clientaddr_nets_free.  Returns 1 on success, 0 (logged, out empty) on
 * an entry that is not an address, has a bad prefix length or host bits
 * set beyond its prefix: a typo must not quietly trust the wrong hosts.
 */
int	 clientaddr_nets_parse(const char *list, struct clientaddr_nets *out);
/* Frees what clientaddr_nets_parse allocated and empties the list; NULL-safe. */
void	 clientaddr_nets_free(struct clientaddr_nets *);
/* Returns 1 if addr is a plain address inside one of the networks, 0 otherwise. */
int	 clientaddr_trusted(const struct clientaddr_nets *, const char *addr);

/*
 * Writes the client's address into out as described above, from the peer
 * (REMOTE_ADDR; NULL gives "") and the X-Forwarded-For value (NULL when
 * absent); trusted may be NULL (no proxies).  Addresses come out in
 * canonical form, IPv4-mapped IPv6 as plain IPv4; a peer that is not an
 * address is copied as it is and never trusted.  Returns 1, or 0 if the
 * address did not fit in len bytes (out is then "").
 */
int	 clientaddr_resolve(const struct clientaddr_nets *trusted,
	    const char *peer, const char *xff, char *out, size_t len);

/*
 * Writes the key a throttle counts addr by into out: an IPv4 address,
 * also when IPv4-mapped (::ffff:a.b.c.d) or translated by NAT64
 * (64:ff9b::a.b.c.d), as the plain IPv4 address; any other IPv6 address
 * as its /64 ("2001:db8:1:2::/64"), since one host commonly holds the
 * whole prefix; anything else (an email, an account) as it is.  Returns
 * 1, or 0 if the key was cut to fit len bytes.
 */
int	 clientaddr_key(const char *addr, char *out, size_t len);

#endif
