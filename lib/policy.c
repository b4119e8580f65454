/* policy: which names, terms and keys an account may have certified. */
#include <ctype.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/objects.h>
#include <openssl/x509.h>

#include "buf.h"
#include "csr.h"
#include "log.h"
#include "policy.h"
#include "store.h"
#include "strlist.h"

#define POLICY_NAME_MAX	253	/* RFC 1035 limit of a name's text form */
#define POLICY_MAX_DAYS	3650	/* ten years: longer terms are typos */

static const struct {
	enum cert_type	 type;
	const char	*name;
} policy_types[] = {
	{ CERT_SSL, "ssl" },
	{ CERT_SMIME, "smime" },
	{ CERT_DEVICE, "device" },
};

/* Writes a message for the user into err when the caller gave room for one. */
static void __attribute__((format(printf, 3, 4)))
policy_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int
policy_valid_dnsname(const char *name, int allow_wildcard)
{
	size_t	 n, i, lab = 0, labels = 0;
	int	 numeric = 1, wild = 0;
	char	 ch;

	if (name == NULL)
		return 0;
	n = strlen(name);
	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n == 0 || n > POLICY_NAME_MAX)
		return 0;
	if (name[0] == '*') {
		if (!allow_wildcard || n < 2 || name[1] != '.')
			return 0;
		wild = 1;
		i = 2;
	} else
		i = 0;
	for (; i <= n; i++) {
		/* The end of the name closes its last label like a dot. */
		ch = '.';
		if (i < n)
			ch = name[i];
		if (ch == '.') {
			/* Close a label: non-empty, short, no edge hyphen. */
			if (lab == 0 || lab > 63 || name[i - 1] == '-')
				return 0;
			labels++;
			lab = 0;
			if (i < n)
				numeric = 1;
			continue;
		}
		if (lab == 0 && ch == '-')
			return 0;
		if (!isascii((unsigned char)ch) ||
		    (!isalnum((unsigned char)ch) && ch != '-'))
			return 0;
		if (!isdigit((unsigned char)ch))
			numeric = 0;
		lab++;
	}
	/* An all-numeric last label would let an IPv4 address pass as a name. */
	if (numeric)
		return 0;
	/* "*.com" would cover a whole top-level domain. */
	if (wild && labels < 2)
		return 0;
	return 1;
}

/*
 * Copies name lowercased without its trailing dot into out (which holds
 * POLICY_NAME_MAX + 2 bytes); returns 1, or 0 when it does not fit.
 */
static int
policy_normalize(const char *name, char *out)
{
	size_t	 n, i;

	n = strlen(name);
	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n == 0 || n > POLICY_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)name[i]);
	out[n] = '\0';
	return 1;
}

/* Returns 1 if the normalized name lies within the normalized delegated domain. */
static int
policy_domain_covers(const char *dom, const char *name)
{
	size_t	 dl, nl, pl;

	if (strcmp(dom, name) == 0)
		return 1;
	nl = strlen(name);
	if (dom[0] == '*') {
		/* "*.example.com": exactly one label below example.com. */
		dom += 1;			/* ".example.com" */
		dl = strlen(dom);
		if (nl <= dl || strcmp(name + nl - dl, dom) != 0)
			return 0;
		pl = nl - dl;
		return memchr(name, '.', pl) == NULL &&
		    memchr(name, '*', pl) == NULL;
	}
	/* "example.com": itself and anything below, at a label boundary. */
	dl = strlen(dom);
	return nl > dl && name[nl - dl - 1] == '.' &&
	    strcmp(name + nl - dl, dom) == 0;
}

/* Returns 1 if delegation d applies to this org/dept and type. */
static int
policy_delegation_applies(const struct policy_delegation *d,
    long long org_id, long long dept_id, enum cert_type type)
{
	if (d->domain == NULL || d->org_id != org_id)
		return 0;
	/* An org-wide delegation serves every department; else only its own. */
	if (d->dept_id != 0 && d->dept_id != dept_id)
		return 0;
	return (d->types & (unsigned)type) != 0;
}

int
policy_name_allowed(const struct policy_delegation *dels, size_t n,
    long long org_id, long long dept_id, enum cert_type type,
    const char *name)
{
	char	 nm[POLICY_NAME_MAX + 2], dom[POLICY_NAME_MAX + 2];
	size_t	 i;

	if (name == NULL || dels == NULL || !policy_valid_dnsname(name, 1) ||
	    !policy_normalize(name, nm))
		return 0;
	for (i = 0; i < n; i++) {
		if (!policy_delegation_applies(&dels[i], org_id, dept_id, type))
			continue;
		/* A malformed delegation in the database must match nothing. */
		if (!policy_valid_dnsname(dels[i].domain, 1) ||
		    !policy_normalize(dels[i].domain, dom))
			continue;
		if (policy_domain_covers(dom, nm))
			return 1;
	}
	return 0;
}

int
policy_email_allowed(const struct policy_delegation *dels, size_t n,
    long long org_id, long long dept_id, enum cert_type type,
    const char *email)
{
	const char	*at, *p;

	if (email == NULL || (at = strchr(email, '@')) == NULL)
		return 0;
	if (at == email || at - email > 64)
		return 0;
	/*
	 * The local part is an RFC 5321 dot-atom: no second '@', no list
	 * separators, quotes or brackets that a mailer could read as more
	 * recipients, no leading, trailing or double dot.
	 */
	if (*email == '.' || at[-1] == '.')
		return 0;
	for (p = email; p < at; p++) {
		if (*p == '.' && p[1] == '.')
			return 0;
		if (!isalnum((unsigned char)*p) || !isascii((unsigned char)*p)) {
			if (strchr(".!#$%&'*+-/=?^_`{|}~", *p) == NULL ||
			    *p == '\0')
				return 0;
		}
	}
	/* A mailbox lives at a host, never at a wildcard. */
	if (!policy_valid_dnsname(at + 1, 0))
		return 0;
	return policy_name_allowed(dels, n, org_id, dept_id, type, at + 1);
}

long
policy_term_parse(const char *p, const char *end)
{
	static const struct {
		const char	*unit;
		long		 mult;
	} units[] = {
		{ "", 1 }, { "d", 1 }, { "day", 1 }, { "days", 1 },
		{ "y", 365 }, { "year", 365 }, { "years", 365 },
	};
	long	 v = 0;
	size_t	 i, ul;

	while (p < end && isspace((unsigned char)*p))
		p++;
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	if (p == end || !isdigit((unsigned char)*p))
		return -1;
	for (; p < end && isdigit((unsigned char)*p); p++) {
		v = v * 10 + (*p - '0');
		if (v > POLICY_MAX_DAYS)
			return -1;
	}
	while (p < end && isspace((unsigned char)*p))
		p++;
	ul = (size_t)(end - p);
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strlen(units[i].unit) == ul &&
		    strncasecmp(p, units[i].unit, ul) == 0) {
			v *= units[i].mult;
			return v > 0 && v <= POLICY_MAX_DAYS ? v : -1;
		}
	}
	return -1;
}

int
policy_term_allowed(const char *terms, int days)
{
	const char	*p, *end;
	long		 d;
	int		 found = 0;

	if (terms == NULL || days <= 0)
		return 0;
	for (p = terms; ; p = end + 1) {
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		/* A garbled list refuses everything rather than guessing. */
		if ((d = policy_term_parse(p, end)) < 0)
			return 0;
		if (d == days)
			found = 1;
		if (*end == '\0')
			break;
	}
	return found;
}

size_t
policy_terms(const char *terms, int *days, size_t max)
{
	const char	*p, *end;
	long		 d;
	size_t		 n = 0, i, j;
	int		 t;

	if (terms == NULL)
		return 0;
	for (p = terms; ; p = end + 1) {
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		if ((d = policy_term_parse(p, end)) > 0) {
			for (i = 0; i < n && days[i] != (int)d; i++)
				continue;
			if (i == n && n < max)
				days[n++] = (int)d;
		}
		if (*end == '\0')
			break;
	}
	/* Shortest first, as SCM lists them. */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && days[j - 1] > days[j]; j--) {
			t = days[j];
			days[j] = days[j - 1];
			days[j - 1] = t;
		}
	return n;
}

void
policy_term_label(int days, char *out, size_t len)
{
	if (days % 365 == 0)
		snprintf(out, len, "%d year%s", days / 365,
		    days == 365 ? "" : "s");
	else
		snprintf(out, len, "%d days", days);
}

int
policy_terms_labels(const char *terms, struct buf *out)
{
	int	 days[64];
	size_t	 i, n;
	char	 label[32];

	n = policy_terms(terms, days, sizeof(days) / sizeof(days[0]));
	for (i = 0; i < n; i++) {
		policy_term_label(days[i], label, sizeof(label));
		if (!buf_printf(out, "%s%s", i > 0 ? ", " : "", label))
			return 0;
	}
	return 1;
}

int
policy_key_allowed(unsigned allowed_mask, enum key_type kt)
{
	if (kt == KEY_NONE || (kt & KEY_ALL) != kt)
		return 0;
	return (allowed_mask & (unsigned)kt) != 0;
}

unsigned
policy_types_parse(const char *list)
{
	static const struct strlist_bit	 bits[] = {
		{ "ssl", CERT_SSL },
		{ "smime", CERT_SMIME },
		{ "device", CERT_DEVICE },
	};

	return strlist_mask(list, bits, sizeof(bits) / sizeof(bits[0]));
}

const char *
policy_type_name(enum cert_type t)
{
	size_t	 i;

	for (i = 0; i < sizeof(policy_types) / sizeof(policy_types[0]); i++)
		if (policy_types[i].type == t)
			return policy_types[i].name;
	return "unknown";
}

/* Checks one DNS name from a server CSR; returns 1, or 0 with err set. */
static int
policy_check_one(const struct policy_delegation *dels, size_t n,
    long long org_id, long long dept_id, enum cert_type type,
    const char *name, const char *what, int allow_wildcard,
    char *err, size_t errlen)
{
	if (!policy_valid_dnsname(name, 1)) {
		policy_seterr(err, errlen, "The %s \"%.80s\" is not a valid "
		    "host name", what, name);
		return 0;
	}
	if (name[0] == '*' && !allow_wildcard) {
		policy_seterr(err, errlen, "The %s \"%.80s\" is a wildcard, "
		    "which this certificate profile does not allow", what,
		    name);
		return 0;
	}
	if (!policy_name_allowed(dels, n, org_id, dept_id, type, name)) {
		policy_seterr(err, errlen, "The %s \"%.80s\" is not in a "
		    "domain delegated to your organisation for %s "
		    "certificates", what, name, type == CERT_SSL ? "SSL" :
		    policy_type_name(type));
		return 0;
	}
	return 1;
}

int
policy_check_server_names(const struct policy_delegation *dels, size_t n,
    long long org_id, long long dept_id, enum cert_type type,
    const struct csr *c, int allow_wildcard, char *err, size_t errlen)
{
	size_t	 i;

	if (c == NULL)
		return 0;
	if (c->nips > 0) {
		policy_seterr(err, errlen, "IP addresses cannot be certified; "
		    "remove them from the CSR");
		return 0;
	}
	if (c->nemails > 0) {
		policy_seterr(err, errlen, "Email addresses do not belong in "
		    "this certificate; remove them from the CSR");
		return 0;
	}
	if (c->cn == NULL && c->ndns == 0) {
		policy_seterr(err, errlen, "The CSR names no host: give it a "
		    "Common Name or a DNS subject alternative name");
		return 0;
	}
	if (c->cn != NULL && !policy_check_one(dels, n, org_id, dept_id,
	    type, c->cn, "Common Name", allow_wildcard, err, errlen))
		return 0;
	for (i = 0; i < c->ndns; i++)
		if (!policy_check_one(dels, n, org_id, dept_id, type,
		    c->dns[i], "name", allow_wildcard, err, errlen))
			return 0;
	return 1;
}

char *
policy_name_trim_dot(char *name)
{
	size_t	 n;

	if (name == NULL || (n = strlen(name)) < 2 || name[n - 1] != '.')
		return name;
	/* The check tolerates exactly one dot, so two never pass here. */
	if (policy_valid_dnsname(name, 1))
		name[n - 1] = '\0';
	return name;
}

void
policy_csr_names_normalize(struct csr *c)
{
	size_t	 i;

	if (c == NULL)
		return;
	policy_name_trim_dot(c->cn);
	for (i = 0; i < c->ndns; i++)
		policy_name_trim_dot(c->dns[i]);
}

X509_NAME *
policy_subject(enum cert_type type, const struct csr *c, const char *o,
    const char *ou, const char *l, const char *st, const char *country)
{
	const struct {
		int		 nid;
		const char	*val;
	} rdn[] = {
		{ NID_countryName,		country },
		{ NID_stateOrProvinceName,	st },
		{ NID_localityName,		l },
		{ NID_organizationName,		o },
		{ NID_organizationalUnitName,	ou },
		{ NID_commonName,		c != NULL ? c->cn : NULL },
		/* Only S/MIME checks the mailbox (SPEC 4.5.1). */
		{ NID_pkcs9_emailAddress,	c != NULL && type == CERT_SMIME ?
						    c->email : NULL },
	};
	X509_NAME	*name = NULL;
	size_t		 i;

	if ((name = X509_NAME_new()) == NULL) {
		log_ossl("policy: X509_NAME_new");
		return NULL;
	}
	for (i = 0; i < sizeof(rdn) / sizeof(rdn[0]); i++) {
		if (rdn[i].val == NULL || *rdn[i].val == '\0')
			continue;
		/* A bad value (a three-letter country) is an error, not a drop. */
		if (!X509_NAME_add_entry_by_NID(name, rdn[i].nid,
		    MBSTRING_UTF8, (const unsigned char *)rdn[i].val, -1, -1,
		    0)) {
			log_ossl("policy: subject %s '%s'",
			    OBJ_nid2sn(rdn[i].nid), rdn[i].val);
			X509_NAME_free(name);
			return NULL;
		}
	}
	return name;
}

const char *
policy_key_usage(enum cert_type type, const char *profile_ku,
    const EVP_PKEY *key)
{
	if (profile_ku != NULL && *profile_ku != '\0')
		return profile_ku;
	if (type != CERT_SMIME || key == NULL)
		return NULL;
	/* An EC key takes part in mail encryption by key agreement (RFC 8550). */
	if (EVP_PKEY_is_a(key, "EC"))
		return "digitalSignature,keyAgreement";
	return "digitalSignature,keyEncipherment";
}

struct policy_scope *
policy_scope_load(struct db *db, long long customer_id, long long org_id,
    long long dept_id)
{
	struct policy_scope	*sc;
	size_t			 i;

	if ((sc = calloc(1, sizeof(*sc))) == NULL ||
	    (sc->list = store_delegation_list(db, customer_id)) == NULL ||
	    (sc->own = calloc(sc->list->n + 1, sizeof(*sc->own))) == NULL) {
		policy_scope_free(sc);
		return NULL;
	}
	for (i = 0; i < sc->list->n; i++) {
		const struct delegation *d = sc->list->items[i];

		sc->own[i].domain = d->domain;
		sc->own[i].org_id = d->org_id;
		sc->own[i].dept_id = d->dept_id;
		sc->own[i].types = (d->ssl ? CERT_SSL : 0) |
		    (d->smime ? CERT_SMIME : 0) | (d->device ? CERT_DEVICE : 0);
	}
	sc->dels = sc->own;
	sc->n = sc->list->n;
	sc->org_id = org_id;
	sc->dept_id = dept_id;
	return sc;
}

void
policy_scope_free(struct policy_scope *sc)
{
	if (sc == NULL)
		return;
	free(sc->own);
	store_delegation_list_free(sc->list);
	free(sc);
}

/* Returns 1 if the compiled pattern matches the whole of name. */
static int
policy_re_matches(const regex_t *re, const char *name)
{
	return regexec(re, name, 0, NULL, 0) == 0;
}

int
policy_challenge_matches(const char *pattern, const struct csr *csr)
{
	regex_t	 re;
	char	*anchored = NULL;
	size_t	 i, names = 0;
	int	 ok = 0;

	if (pattern == NULL || pattern[0] == '\0')
		return 1;
	/* Anchored here, so an admin's "host.example.com" means just that. */
	if (asprintf(&anchored, "^(%s)$", pattern) == -1)
		return 0;
	if (regcomp(&re, anchored, REG_EXTENDED | REG_NOSUB | REG_ICASE) != 0) {
		log_err("policy: a one-time challenge's subject pattern does "
		    "not compile");
		free(anchored);
		return 0;
	}
	free(anchored);
	if (csr->cn != NULL && (names++, !policy_re_matches(&re, csr->cn)))
		goto out;
	if (csr->email != NULL &&
	    (names++, !policy_re_matches(&re, csr->email)))
		goto out;
	for (i = 0; i < csr->ndns; i++, names++)
		if (!policy_re_matches(&re, csr->dns[i]))
			goto out;
	for (i = 0; i < csr->nemails; i++, names++)
		if (!policy_re_matches(&re, csr->emails[i]))
			goto out;
	ok = names > 0;
out:
	regfree(&re);
	return ok;
}

/* Returns 1 if s reads as a host name (dotted LDH labels), not a person's name. */
static int
policy_looks_like_host(const char *s)
{
	return strchr(s, '.') != NULL && policy_valid_dnsname(s, 1);
}

const char *
policy_smime_email(const struct csr *csr)
{
	if (csr->email != NULL)
		return csr->email;
	return csr->nemails > 0 ? csr->emails[0] : NULL;
}

int
policy_check_smime(const struct policy_scope *sc, const struct csr *csr,
    char *err, size_t errlen)
{
	const char	*email = policy_smime_email(csr);
	size_t		 i;

	if (csr->cn == NULL || email == NULL) {
		policy_seterr(err, errlen, "a client certificate request "
		    "needs a CN and an emailAddress");
		return 0;
	}
	/* One name in a delegated domain does not vouch for the others. */
	if (csr->email != NULL && !policy_email_allowed(sc->dels, sc->n,
	    sc->org_id, sc->dept_id, CERT_SMIME, csr->email)) {
		policy_seterr(err, errlen, "the email address %s does not lie "
		    "in a domain of this account", csr->email);
		return 0;
	}
	for (i = 0; i < csr->nemails; i++)
		if (!policy_email_allowed(sc->dels, sc->n, sc->org_id,
		    sc->dept_id, CERT_SMIME, csr->emails[i])) {
			policy_seterr(err, errlen, "the email address %s does "
			    "not lie in a domain of this account",
			    csr->emails[i]);
			return 0;
		}
	if (strchr(csr->cn, '@') != NULL) {
		if (!policy_email_allowed(sc->dels, sc->n, sc->org_id,
		    sc->dept_id, CERT_SMIME, csr->cn)) {
			policy_seterr(err, errlen, "the CN %s is an email "
			    "address outside the domains of this account",
			    csr->cn);
			return 0;
		}
	} else if (policy_looks_like_host(csr->cn) &&
	    !policy_name_allowed(sc->dels, sc->n, sc->org_id, sc->dept_id,
	    CERT_SMIME, csr->cn)) {
		policy_seterr(err, errlen, "the CN %s is a host name outside "
		    "the domains of this account", csr->cn);
		return 0;
	}
	/* The address becomes a SAN list entry, where a comma separates. */
	if (strchr(email, ',') != NULL) {
		policy_seterr(err, errlen, "the email address is not usable");
		return 0;
	}
	return 1;
}

/* Returns 1 if the CSR's dNSName i repeats an earlier one (any case). */
static int
policy_listed_before(const struct csr *csr, size_t i)
{
	size_t	 j;

	for (j = 0; j < i; j++)
		if (strcasecmp(csr->dns[j], csr->dns[i]) == 0)
			return 1;
	return 0;
}

/* Appends name to the comma-separated list in sans; returns 1 on success. */
static int
policy_san_add(struct buf *sans, const char *name)
{
	return (sans->len == 0 || buf_puts(sans, ",")) &&
	    buf_puts(sans, name);
}

int
policy_check_device(const struct policy_scope *sc, const struct csr *csr,
    int allow_wildcard, int multi_domain, const char *profile,
    struct buf *sans, char *err, size_t errlen)
{
	size_t	 i, names = 0;
	int	 cn_listed = 0;

	if (!policy_check_server_names(sc->dels, sc->n, sc->org_id,
	    sc->dept_id, CERT_DEVICE, csr, allow_wildcard, err, errlen))
		return 0;
	for (i = 0; i < csr->ndns; i++) {
		if (csr->cn != NULL && strcasecmp(csr->dns[i], csr->cn) == 0)
			cn_listed = 1;
		if (policy_listed_before(csr, i))
			continue;
		if (!policy_san_add(sans, csr->dns[i]))
			goto nomem;
		names++;
	}
	/* The CN, a checked host name, becomes a SAN as RFC 6125 wants. */
	if (csr->cn != NULL && !cn_listed) {
		if (!policy_san_add(sans, csr->cn))
			goto nomem;
		names++;
	}
	if (names > 1 && !multi_domain) {
		policy_seterr(err, errlen, "Subject Alternative Names other "
		    "than the CN need a multi-domain certificate profile, and "
		    "%s is not one", profile);
		return 0;
	}
	return 1;
nomem:
	policy_seterr(err, errlen, "internal error");
	return 0;
}

int
policy_check_key(const char *key_types, const char *profile,
    const struct csr *csr, char *err, size_t errlen)
{
	unsigned	 mask = key_types_parse(key_types);

	if (mask == 0)
		mask = KEY_ALL;
	if (!policy_key_allowed(mask, csr->key_type)) {
		policy_seterr(err, errlen, "key type %s is not allowed by "
		    "profile %s", key_type_name(csr->key_type), profile);
		return 0;
	}
	return 1;
}
