/* policy: the issuing rules as pure functions (domain delegation, names, terms, keys). */
#ifndef CERTDESK_POLICY_H
#define CERTDESK_POLICY_H

#include <stddef.h>

#include "buf.h"
#include "csr.h"

enum cert_type {
	CERT_SSL = 1,
	CERT_SMIME = 2,
	CERT_DEVICE = 4
};
#define CERT_ALL	(CERT_SSL | CERT_SMIME | CERT_DEVICE)

/* One delegation of a domain to an organisation or one of its departments. */
struct policy_delegation {
	const char	*domain;	/* "example.com" or "*.example.com" */
	long long	 org_id;
	long long	 dept_id;	/* 0: the whole organisation */
	unsigned	 types;		/* CERT_* bitmask the delegation is enabled for */
};

struct db;
struct delegation_list;

/*
 * Where an account may certify names: the customer's delegations as
 * seen from one organisation and department.  Built by policy_scope_load
 * (freed with policy_scope_free), or by hand over a static array.
 */
struct policy_scope {
	const struct policy_delegation	*dels;
	size_t				 n;
	long long			 org_id;
	long long			 dept_id;	/* 0: the organisation */
	struct delegation_list		*list;		/* owned when loaded */
	struct policy_delegation	*own;		/* owned when loaded */
};

/* Returns the customer's delegations for org/dept (caller frees), or NULL on error. */
struct policy_scope *policy_scope_load(struct db *, long long customer_id,
	    long long org_id, long long dept_id);
/* Frees a loaded scope; NULL-safe. */
void	policy_scope_free(struct policy_scope *);

/*
 * Returns 1 if the DNS name (possibly a wildcard "*.x.y") lies in a
 * domain delegated to the org/dept for type, else 0.  "example.com"
 * covers itself and every name below it; "*.example.com" covers the
 * names exactly one label below and the wildcard itself.  An org-wide
 * delegation (dept_id 0) covers every department; a department's covers
 * only that department.  Case-insensitive; one trailing dot tolerated.
 */
int	policy_name_allowed(const struct policy_delegation *, size_t n,
	    long long org_id, long long dept_id, enum cert_type,
	    const char *name);
/* Returns 1 if the address is well formed and its domain is allowed as above. */
int	policy_email_allowed(const struct policy_delegation *, size_t n,
	    long long org_id, long long dept_id, enum cert_type,
	    const char *email);
/*
 * Returns 1 if name is a syntactically valid host name: LDH labels of
 * 1..63 characters, at most 253 in all, not ending in an all-numeric
 * label; with allow_wildcard, "*" may be the whole leftmost label of a
 * name with at least two more labels.
 */
int	policy_valid_dnsname(const char *name, int allow_wildcard);
/*
 * Removes one trailing dot from name in place when name is a host name
 * ("www.example.com." names the same host as "www.example.com"), so
 * that what is checked is what the certificate carries; returns name.
 * Anything else is left as it is: "a.example.com.." stays and fails
 * every check, and a person's name such as "Smith Jr." keeps its dot.
 */
char	*policy_name_trim_dot(char *name);
/*
 * Applies policy_name_trim_dot to the CSR's CN and dNSName entries;
 * csr_parse and csr_from_req call it when they extract the names, so
 * every program sees them the same way.
 */
void	 policy_csr_names_normalize(struct csr *);
/*
 * Returns the subject of a certificate of type for the checked CSR c
 * (caller frees with X509_NAME_free), or NULL: C, ST, L, O and OU from
 * the organisation (NULL or "" left out), then the CSR's first CN; for
 * S/MIME also its emailAddress, which policy checked.  Nothing else of
 * the CSR's subject is copied: an emailAddress in an SSL or device
 * request, serialNumber, UID or a second CN were never checked.
 */
X509_NAME *policy_subject(enum cert_type type, const struct csr *c,
	    const char *o, const char *ou, const char *l, const char *st,
	    const char *country);
/*
 * Returns the key usage list a certificate of type for key gets: the
 * profile's (profile_ku, borrowed) when it names one; else, for S/MIME,
 * digitalSignature with keyEncipherment for an RSA key or keyAgreement
 * for an EC key (static), so mail can be encrypted to either; else NULL,
 * which leaves ca to its default by key type.
 */
const char *policy_key_usage(enum cert_type type, const char *profile_ku,
	    const EVP_PKEY *key);
/*
 * Returns 1 if days is one of the terms in a list like "365,730" (items
 * may also read "1 year", "2 years", "90 days"), else 0.
 */
int	policy_term_allowed(const char *terms, int days);
/*
 * Parses one term such as "365", "90 days" or "2 years" between p and end
 * (the one term syntax of profiles, forms and the CLI); returns the days
 * (1 to ten years) or -1.
 */
long	policy_term_parse(const char *p, const char *end);
/* Fills days with the distinct terms of a list, shortest first; returns how many (at most max). */
size_t	policy_terms(const char *terms, int *days, size_t max);
/* Writes a term's label ("1 year", "2 years", "90 days") into out. */
void	policy_term_label(int days, char *out, size_t len);
/* Appends the labels of a terms list to out, joined by ", " ("1 year, 2 years"); returns 1, 0 out of memory. */
int	policy_terms_labels(const char *terms, struct buf *out);
/* Returns 1 if the key type is a real key class present in allowed_mask. */
int	policy_key_allowed(unsigned allowed_mask, enum key_type);
/* Returns the CERT_* mask for a list like "ssl,smime,device", 0 if any token is unknown. */
unsigned policy_types_parse(const char *list);
/* Returns a static name for one type: "ssl", "smime" or "device". */
const char *policy_type_name(enum cert_type);
/*
 * Checks the names of an SSL or device CSR: the CN (if any) and every
 * dNSName must be valid, allowed for org/dept and type, wildcards only
 * with allow_wildcard; IP addresses and email SANs are refused.  Returns
 * 1, or 0 with a message for the user in err.
 */
int	policy_check_server_names(const struct policy_delegation *, size_t n,
	    long long org_id, long long dept_id, enum cert_type,
	    const struct csr *, int allow_wildcard, char *err, size_t errlen);

struct buf;

/*
 * Returns 1 when pattern is NULL or empty, or when the CSR names
 * something and every name that can reach the certificate (CN,
 * emailAddress, each dNSName and rfc822Name) matches the extended
 * regular expression as a whole, case-insensitively; else 0.  A
 * one-time challenge's pattern names what it may certify, so a name
 * that merely contains a match, or an extra SAN, is refused.
 */
int	policy_challenge_matches(const char *pattern, const struct csr *);
/*
 * The S/MIME rule: the CSR has a CN and an email address; every email
 * address (emailAddress and each rfc822Name) lies in a domain of the
 * scope, and so does a CN that is an email address or a host name (a
 * person's name needs none).  Returns 1, or 0 with a message in err.
 */
int	policy_check_smime(const struct policy_scope *, const struct csr *,
	    char *err, size_t errlen);
/* Returns the address an S/MIME certificate for a checked CSR carries (borrowed). */
const char *policy_smime_email(const struct csr *);
/*
 * The device rule: policy_check_server_names for CERT_DEVICE, then the
 * distinct names (dNSNames, and the CN as RFC 6125 wants) are written
 * comma-separated to sans; more than one needs multi_domain, as on the
 * web forms.  profile names the profile in err.  Returns 1, or 0 with a
 * message in err.
 */
int	policy_check_device(const struct policy_scope *, const struct csr *,
	    int allow_wildcard, int multi_domain, const char *profile,
	    struct buf *sans, char *err, size_t errlen);
/*
 * Returns 1 when the profile's key_types list (empty: every class)
 * allows the CSR's key, else 0 with a message naming profile in err.
 */
int	policy_check_key(const char *key_types, const char *profile,
	    const struct csr *, char *err, size_t errlen);

#endif
