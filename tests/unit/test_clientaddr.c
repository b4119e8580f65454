/* test_clientaddr: trusted proxy lists, the client behind them, throttle keys. */
#include <stdio.h>
#include <string.h>

#include "clientaddr.h"
#include "log.h"
#include "unit.h"

/* Returns the client resolve finds for (list, peer, xff); a static buffer. */
static const char *
client(const char *list, const char *peer, const char *xff)
{
	static char		 out[64];
	struct clientaddr_nets	 nets;

	CU_ASSERT_FATAL(clientaddr_nets_parse(list, &nets) == 1);
	CU_ASSERT(clientaddr_resolve(&nets, peer, xff, out, sizeof(out)) == 1);
	clientaddr_nets_free(&nets);
	return out;
}

/* Returns the throttle key of addr; a static buffer. */
static const char *
key(const char *addr)
{
	static char	 out[128];

	CU_ASSERT(clientaddr_key(addr, out, sizeof(out)) == 1);
	return out;
}

/* Returns 1 if list parses. */
static int
parses(const char *list)
{
	struct clientaddr_nets	 nets;
	int			 ok;

	ok = clientaddr_nets_parse(list, &nets);
	if (!ok)
		CU_ASSERT(nets.n == 0 && nets.v == NULL);
	clientaddr_nets_free(&nets);
	return ok;
}

/* Lists of IPv4 and IPv6 addresses and networks parse; typos are refused whole. */
static void
test_nets_parse(void)
{
	struct clientaddr_nets	 nets;

	CU_ASSERT_FATAL(clientaddr_nets_parse("127.0.0.1, 10.0.0.0/8,::1 "
	    "2001:db8::/32\t192.168.1.128/25", &nets) == 1);
	CU_ASSERT_EQUAL(nets.n, 5);
	clientaddr_nets_free(&nets);
	CU_ASSERT_EQUAL(nets.n, 0);
	clientaddr_nets_free(NULL);

	/* Unset or blank: no proxy is trusted. */
	CU_ASSERT_FATAL(clientaddr_nets_parse(NULL, &nets) == 1);
	CU_ASSERT_EQUAL(nets.n, 0);
	CU_ASSERT_FATAL(clientaddr_nets_parse(" , ,\t", &nets) == 1);
	CU_ASSERT_EQUAL(nets.n, 0);

	CU_ASSERT(parses("0.0.0.0/0"));
	CU_ASSERT(parses("::/0"));
	CU_ASSERT(parses("2001:db8::1/128"));
	CU_ASSERT(parses("::ffff:10.0.0.0/104"));

	CU_ASSERT_FALSE(parses("proxy.example.com"));
	CU_ASSERT_FALSE(parses("127.0.0.1, proxy"));
	CU_ASSERT_FALSE(parses("10.0.0.0/33"));
	CU_ASSERT_FALSE(parses("::/129"));
	CU_ASSERT_FALSE(parses("10.0.0.0/"));
	CU_ASSERT_FALSE(parses("10.0.0.0/8x"));
	CU_ASSERT_FALSE(parses("10.0.0.0/-8"));
	CU_ASSERT_FALSE(parses("10.0.0.0/0008"));
	CU_ASSERT_FALSE(parses("10.0.0.0/8/8"));
	CU_ASSERT_FALSE(parses("10.1"));
	CU_ASSERT_FALSE(parses("10.0.0.1:80"));
	CU_ASSERT_FALSE(parses("[::1]"));
	/* Host bits beyond the prefix: probably not what was meant. */
	CU_ASSERT_FALSE(parses("10.1.2.3/8"));
	CU_ASSERT_FALSE(parses("192.168.1.129/25"));
	CU_ASSERT_FALSE(parses("2001:db8::1/32"));
}

/* Membership follows the prefix bit by bit, and IPv4-mapped peers match IPv4 entries. */
static void
test_trusted(void)
{
	struct clientaddr_nets	 nets;

	CU_ASSERT_FATAL(clientaddr_nets_parse("127.0.0.1 10.0.0.0/8 "
	    "192.168.1.128/25 2001:db8::/32 ::1 ::ffff:172.16.0.1", &nets) == 1);
	CU_ASSERT(clientaddr_trusted(&nets, "127.0.0.1"));
	CU_ASSERT(clientaddr_trusted(&nets, "::ffff:127.0.0.1"));
	CU_ASSERT_FALSE(clientaddr_trusted(&nets, "127.0.0.2"));
	CU_ASSERT(clientaddr_trusted(&nets, "10.255.1.2"));
	CU_ASSERT_FALSE(clientaddr_trusted(&nets, "11.0.0.1"));
	CU_ASSERT(clientaddr_trusted(&nets, "192.168.1.128"));
	CU_ASSERT(clientaddr_trusted(&nets, "192.168.1.255"));
	CU_ASSERT_FALSE(clientaddr_trusted(&nets, "192.168.1.127"));
	CU_ASSERT(clientaddr_trusted(&nets, "2001:db8:ffff::1"));
	CU_ASSERT(clientaddr_trusted(&nets, "2001:0DB8::7"));
	CU_ASSERT_FALSE(clientaddr_trusted(&nets, "2001:db9::1"));
	CU_ASSERT(clientaddr_trusted(&nets, "::1"));
	CU_ASSERT_FALSE(clientaddr_trusted(&nets, "::2"));
	CU_ASSERT(clientaddr_trusted(&nets, "172.16.0.1"));
	/* A NAT64 address is an outside host, not the proxy it embeds. */
	CU_ASSERT_FALSE(clientaddr_trusted(&nets, "64:ff9b::127.0.0.1"));
	CU_ASSERT_FALSE(clientaddr_trusted(&nets, "localhost"));
	CU_ASSERT_FALSE(clientaddr_trusted(&nets, ""));
	CU_ASSERT_FALSE(clientaddr_trusted(&nets, NULL));
	clientaddr_nets_free(&nets);
	CU_ASSERT_FALSE(clientaddr_trusted(NULL, "127.0.0.1"));
}

/* Without a trusted peer X-Forwarded-For is never read, whatever it says. */
static void
test_resolve_untrusted_peer(void)
{
	char	 out[64];

	CU_ASSERT_STRING_EQUAL(client(NULL, "192.0.2.1", "198.51.100.7"),
	    "192.0.2.1");
	CU_ASSERT_STRING_EQUAL(client("", "127.0.0.1", "198.51.100.7"),
	    "127.0.0.1");
	/* A spoofed header from a host that is not the proxy. */
	CU_ASSERT_STRING_EQUAL(client("127.0.0.1", "192.0.2.1",
	    "198.51.100.7"), "192.0.2.1");
	CU_ASSERT_STRING_EQUAL(client("127.0.0.1", "192.0.2.1",
	    "198.51.100.7, 127.0.0.1"), "192.0.2.1");
	/* Canonical forms: IPv4-mapped comes out as IPv4. */
	CU_ASSERT_STRING_EQUAL(client(NULL, "::ffff:192.0.2.1", NULL),
	    "192.0.2.1");
	CU_ASSERT_STRING_EQUAL(client(NULL, "2001:DB8:0:0::7", NULL),
	    "2001:db8::7");
	/* NAT64 stays what the server saw; the throttle key unmaps it. */
	CU_ASSERT_STRING_EQUAL(client(NULL, "64:ff9b::192.0.2.1", NULL),
	    "64:ff9b::c000:201");
	/* No peer, or one that is no address: copied, never trusted. */
	CU_ASSERT_STRING_EQUAL(client("0.0.0.0/0 ::/0", NULL, "198.51.100.7"),
	    "");
	CU_ASSERT_STRING_EQUAL(client("0.0.0.0/0 ::/0", "unix:/run/x",
	    "198.51.100.7"), "unix:/run/x");
	/* Too small a buffer gives nothing rather than half an address. */
	CU_ASSERT_EQUAL(clientaddr_resolve(NULL, "198.51.100.17", NULL, out,
	    8), 0);
	CU_ASSERT_STRING_EQUAL(out, "");
	CU_ASSERT_EQUAL(clientaddr_resolve(NULL, "unix:/run/x", NULL, out,
	    8), 0);
	CU_ASSERT_STRING_EQUAL(out, "");
}

/* Behind trusted proxies the right-most untrusted address is the client. */
static void
test_resolve_proxy(void)
{
	const char	*tp = "127.0.0.1, 10.0.0.0/8, ::1";

	CU_ASSERT_STRING_EQUAL(client(tp, "127.0.0.1", "198.51.100.7"),
	    "198.51.100.7");
	CU_ASSERT_STRING_EQUAL(client(tp, "::ffff:127.0.0.1", "198.51.100.7"),
	    "198.51.100.7");
	CU_ASSERT_STRING_EQUAL(client(tp, "::1", " 2001:DB8::7\t"),
	    "2001:db8::7");
	CU_ASSERT_STRING_EQUAL(client(tp, "127.0.0.1", "::ffff:198.51.100.7"),
	    "198.51.100.7");
	/* What the client wrote itself, left of its address, is ignored. */
	CU_ASSERT_STRING_EQUAL(client(tp, "127.0.0.1",
	    "203.0.113.66, 10.0.0.1, 198.51.100.7"), "198.51.100.7");
	CU_ASSERT_STRING_EQUAL(client(tp, "127.0.0.1",
	    "garbage, 198.51.100.7"), "198.51.100.7");
	/* Hops through further trusted proxies are skipped. */
	CU_ASSERT_STRING_EQUAL(client(tp, "127.0.0.1",
	    "198.51.100.7, 10.1.2.3,10.4.5.6"), "198.51.100.7");
	/* Only trusted addresses: the left-most is the client. */
	CU_ASSERT_STRING_EQUAL(client(tp, "127.0.0.1", "10.0.0.5, 10.0.0.6"),
	    "10.0.0.5");
	/* No header: the proxy itself (a health check, say). */
	CU_ASSERT_STRING_EQUAL(client(tp, "127.0.0.1", NULL), "127.0.0.1");
	CU_ASSERT_STRING_EQUAL(client(tp, "10.9.9.9", NULL), "10.9.9.9");
}

/*
 * A malformed entry ends the walk at the last good address reached, which
 * is always a trusted proxy or the peer: the sender cannot pick its key.
 */
static void
test_resolve_malformed(void)
{
	const char	*tp = "127.0.0.1, 10.0.0.0/8";

	CU_ASSERT_STRING_EQUAL(client(tp, "127.0.0.1", ""), "127.0.0.1");
	CU_ASSERT_STRING_EQUAL(client(tp, "127.0.0.1", "  "), "127.0.0.1");
	CU_ASSERT_STRING_EQUAL(client(tp, "127.0.0.1", "unknown"),
	    "127.0.0.1");
	CU_ASSERT_STRING_EQUAL(client(tp, "127.0.0.1", "198.51.100.7, unknown"),
	    "127.0.0.1");
	CU_ASSERT_STRING_EQUAL(client(tp, "127.0.0.1",
	    "198.51.100.7, unknown, 10.0.0.6"), "10.0.0.6");
	CU_ASSERT_STRING_EQUAL(client(tp, "127.0.0.1", "198.51.100.7,"),
	    "127.0.0.1");
	CU_ASSERT_STRING_EQUAL(client(tp, "127.0.0.1", "198.51.100.7,,10.0.0.6"),
	    "10.0.0.6");
	CU_ASSERT_STRING_EQUAL(client(tp, "127.0.0.1", ",198.51.100.7"),
	    "198.51.100.7");
	CU_ASSERT_STRING_EQUAL(client(tp, "127.0.0.1", "198.51.100.7:4711"),
	    "127.0.0.1");
	CU_ASSERT_STRING_EQUAL(client(tp, "127.0.0.1", "[2001:db8::7]"),
	    "127.0.0.1");
	CU_ASSERT_STRING_EQUAL(client(tp, "127.0.0.1", "fe80::1%eth0"),
	    "127.0.0.1");
	CU_ASSERT_STRING_EQUAL(client(tp, "127.0.0.1", "198.51.100.007"),
	    "127.0.0.1");
	CU_ASSERT_STRING_EQUAL(client(tp, "127.0.0.1", "3325256711"),
	    "127.0.0.1");
	CU_ASSERT_STRING_EQUAL(client(tp, "127.0.0.1",
	    "198.51.100.7 198.51.100.8"), "127.0.0.1");
	CU_ASSERT_STRING_EQUAL(client(tp, "127.0.0.1",
	    "1111:2222:3333:4444:5555:6666:7777:8888:9999"), "127.0.0.1");
}

/* A long header of trusted hops is walked to its left end. */
static void
test_resolve_long(void)
{
	char	 xff[4096];
	size_t	 n = 0;
	int	 i;

	n += (size_t)snprintf(xff + n, sizeof(xff) - n, "198.51.100.7");
	for (i = 0; i < 200; i++)
		n += (size_t)snprintf(xff + n, sizeof(xff) - n, ", 10.0.%d.%d",
		    i / 250, i % 250);
	CU_ASSERT_FATAL(n < sizeof(xff));
	CU_ASSERT_STRING_EQUAL(client("127.0.0.1 10.0.0.0/8", "127.0.0.1",
	    xff), "198.51.100.7");
}

/* IPv4 however it arrives counts as itself; IPv6 by its /64; other keys as they are. */
static void
test_key(void)
{
	char	 out[8];

	CU_ASSERT_STRING_EQUAL(key("203.0.113.7"), "203.0.113.7");
	CU_ASSERT_STRING_EQUAL(key("::ffff:203.0.113.7"), "203.0.113.7");
	CU_ASSERT_STRING_EQUAL(key("::FFFF:cb00:7107"), "203.0.113.7");
	CU_ASSERT_STRING_EQUAL(key("64:ff9b::203.0.113.7"), "203.0.113.7");
	CU_ASSERT_STRING_EQUAL(key("64:ff9b::cb00:7107"), "203.0.113.7");
	CU_ASSERT_STRING_EQUAL(key("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
	CU_ASSERT_STRING_EQUAL(key("::1"), "::/64");
	/* Only the well-known /96 is NAT64; the rest of 64:ff9b:: is IPv6. */
	CU_ASSERT_STRING_EQUAL(key("64:ff9b:1::cb00:7107"), "64:ff9b:1::/64");
	CU_ASSERT_STRING_EQUAL(key("64:ff9b:0:0:1::7"), "64:ff9b::/64");
	CU_ASSERT_STRING_EQUAL(key("alice@example.com"), "alice@example.com");
	CU_ASSERT_STRING_EQUAL(key("unix:/run/x"), "unix:/run/x");
	CU_ASSERT_STRING_EQUAL(key(""), "");
	CU_ASSERT_EQUAL(clientaddr_key("203.0.113.7", out, sizeof(out)), 0);
	CU_ASSERT_EQUAL(clientaddr_key("2001:db8::1", out, sizeof(out)), 0);
}

static void
register_clientaddr(void)
{
	CU_pSuite	 s;

	log_quiet(1);
	s = CU_add_suite("clientaddr", NULL, NULL);
	UNIT_ADD(s, test_nets_parse);
	UNIT_ADD(s, test_trusted);
	UNIT_ADD(s, test_resolve_untrusted_peer);
	UNIT_ADD(s, test_resolve_proxy);
	UNIT_ADD(s, test_resolve_malformed);
	UNIT_ADD(s, test_resolve_long);
	UNIT_ADD(s, test_key);
}

UNIT_MAIN(register_clientaddr)
