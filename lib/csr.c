/* csr: PKCS#10 parsing and the checks every enrollment path shares. */
#include <arpa/inet.h>
#include <sys/socket.h>

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "csr.h"
#include "log.h"
#include "policy.h"
#include "secret.h"
#include "strlist.h"

/* Outcome of turning an ASN.1 string into a C string. */
enum csr_text {
	CSR_TEXT_OK = 0,
	CSR_TEXT_INVALID,	/* not a string type, or a bad encoding */
	CSR_TEXT_NUL,		/* an embedded NUL would let a name lie */
	CSR_TEXT_NOMEM
};

static const struct {
	enum key_type	 type;
	const char	*token;
	const char	*name;
} csr_key_names[] = {
	{ KEY_RSA2048, "rsa2048", "RSA 2048" },
	{ KEY_RSA3072, "rsa3072", "RSA 3072" },
	{ KEY_RSA4096, "rsa4096", "RSA 4096" },
	{ KEY_EC256, "ec256", "EC P-256" },
	{ KEY_EC384, "ec384", "EC P-384" },
};

/*
 * Converts s to a malloc'ed UTF-8 C string in *out (caller frees);
 * returns CSR_TEXT_OK or the reason it refused.
 */
static enum csr_text
csr_asn1_text(const ASN1_STRING *s, char **out)
{
	unsigned char	*u = NULL;
	char		*p;
	int		 n;

	*out = NULL;
	if ((n = ASN1_STRING_to_UTF8(&u, s)) < 0)
		return CSR_TEXT_INVALID;
	if (memchr(u, '\0', (size_t)n) != NULL) {
		OPENSSL_clear_free(u, (size_t)n);
		return CSR_TEXT_NUL;
	}
	if ((p = malloc((size_t)n + 1)) == NULL) {
		OPENSSL_clear_free(u, (size_t)n);
		return CSR_TEXT_NOMEM;
	}
	memcpy(p, u, (size_t)n);
	p[n] = '\0';
	/* The same helper reads the challenge, so never leave a copy behind. */
	OPENSSL_clear_free(u, (size_t)n);
	*out = p;
	return CSR_TEXT_OK;
}

/*
 * Copies an IA5String SAN entry into a malloc'ed C string in *out (caller
 * frees); returns CSR_TEXT_OK or why it refused (NUL, non-ASCII, memory).
 */
static enum csr_text
csr_ia5_text(const ASN1_IA5STRING *s, char **out)
{
	const unsigned char	*d = ASN1_STRING_get0_data(s);
	int			 n = ASN1_STRING_length(s), i;
	char			*p;

	*out = NULL;
	for (i = 0; i < n; i++) {
		if (d[i] == '\0')
			return CSR_TEXT_NUL;
		if (d[i] < 0x20 || d[i] > 0x7e)
			return CSR_TEXT_INVALID;
	}
	if ((p = malloc((size_t)n + 1)) == NULL)
		return CSR_TEXT_NOMEM;
	memcpy(p, d, (size_t)n);
	p[n] = '\0';
	*out = p;
	return CSR_TEXT_OK;
}

/* Returns the number of characters (not bytes) in a UTF-8 string. */
static size_t
csr_utf8_chars(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

enum key_type
csr_key_classify(const EVP_PKEY *pkey, int *bits)
{
	char	 group[80];
	size_t	 glen = 0;
	int	 b, nid;

	if (bits != NULL)
		*bits = 0;
	if (pkey == NULL)
		return KEY_NONE;
	b = EVP_PKEY_get_bits(pkey);
	if (b < 0)
		b = 0;
	if (bits != NULL)
		*bits = b;
	/* RSA-PSS-only keys are "RSA-PSS", not "RSA": profiles never allow them. */
	if (EVP_PKEY_is_a(pkey, "RSA")) {
		if (b < 2048 || b > CSR_RSA_MAX_BITS)
			return KEY_NONE;
		if (b < 3072)
			return KEY_RSA2048;
		if (b < 4096)
			return KEY_RSA3072;
		return KEY_RSA4096;
	}
	if (EVP_PKEY_is_a(pkey, "EC")) {
		/* Explicit-parameter keys have no group name and stay KEY_NONE. */
		if (!EVP_PKEY_get_group_name(pkey, group, sizeof(group), &glen))
			return KEY_NONE;
		if ((nid = OBJ_sn2nid(group)) == NID_undef)
			nid = EC_curve_nist2nid(group);
		if (nid == NID_X9_62_prime256v1)
			return KEY_EC256;
		if (nid == NID_secp384r1)
			return KEY_EC384;
	}
	return KEY_NONE;
}

const char *
key_type_name(enum key_type t)
{
	size_t	 i;

	for (i = 0; i < sizeof(csr_key_names) / sizeof(csr_key_names[0]); i++)
		if (csr_key_names[i].type == t)
			return csr_key_names[i].name;
	return "unsupported key";
}

const char *
key_type_token(enum key_type t)
{
	size_t	 i;

	for (i = 0; i < sizeof(csr_key_names) / sizeof(csr_key_names[0]); i++)
		if (csr_key_names[i].type == t)
			return csr_key_names[i].token;
	return "";
}

unsigned
key_types_parse(const char *list)
{
	struct strlist_bit	 bits[sizeof(csr_key_names) / sizeof(csr_key_names[0])];
	size_t			 i;

	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		bits[i].token = csr_key_names[i].token;
		bits[i].bit = csr_key_names[i].type;
	}
	return strlist_mask(list, bits, sizeof(bits) / sizeof(bits[0]));
}

void
csr_free(struct csr *c)
{
	size_t	 i;

	if (c == NULL)
		return;
	X509_REQ_free(c->req);
	free(c->subject);
	free(c->cn);
	free(c->email);
	for (i = 0; i < c->ndns; i++)
		free(c->dns[i]);
	free(c->dns);
	for (i = 0; i < c->nemails; i++)
		free(c->emails[i]);
	free(c->emails);
	for (i = 0; i < c->nips; i++)
		free(c->ips[i]);
	free(c->ips);
	if (c->challenge != NULL) {
		/* For SCEP the challenge is an account's access code. */
		OPENSSL_cleanse(c->challenge, strlen(c->challenge));
		free(c->challenge);
	}
	OPENSSL_free(c->der);
	free(c);
}

/* Returns 1 if the request's key names its curve by OID, else 0. */
static int
csr_named_curve(X509_REQ *req)
{
	X509_ALGOR	*alg = NULL;
	X509_PUBKEY	*xpk;
	const void	*pval;
	int		 ptype;

	if ((xpk = X509_REQ_get_X509_PUBKEY(req)) == NULL ||
	    !X509_PUBKEY_get0_param(NULL, NULL, NULL, &alg, xpk) ||
	    alg == NULL)
		return 0;
	X509_ALGOR_get0(NULL, &ptype, &pval, alg);
	return ptype == V_ASN1_OBJECT;
}

/*
 * Refuses requests signed with a broken digest; returns 1, or 0 with err
 * set.  SHA-1 stays accepted (old devices sign with it); the certificate
 * is signed with the CA's own digest whatever the request used.
 */
static int
csr_check_sigalg(const struct csr *c, char *err, size_t errlen)
{
	int	 mdnid = NID_undef, pknid = NID_undef;

	if (!OBJ_find_sigid_algs(X509_REQ_get_signature_nid(c->req), &mdnid,
	    &pknid))
		return 1;	/* RSA-PSS, Ed25519: no digest named here */
	switch (mdnid) {
	case NID_md2:
	case NID_md4:
	case NID_md5:
	case NID_md5_sha1:
		buf_msg(err, errlen, "The CSR is signed with %s, which is "
		    "no longer safe; sign it with SHA-256 (for example "
		    "openssl req -sha256)", OBJ_nid2sn(mdnid));
		return 0;
	default:
		return 1;
	}
}

/* Checks the key and fills key_type/key_bits; returns 1, or 0 with err set. */
static int
csr_check_key(struct csr *c, char *err, size_t errlen)
{
	if ((c->pkey = X509_REQ_get0_pubkey(c->req)) == NULL) {
		buf_msg(err, errlen, "The CSR's public key cannot be read");
		return 0;
	}
	c->key_type = csr_key_classify(c->pkey, &c->key_bits);
	/*
	 * OpenSSL maps explicit parameters that equal P-256 to its name,
	 * so look at the encoding: RFC 5480 allows only namedCurve.
	 */
	if (EVP_PKEY_is_a(c->pkey, "EC") && !csr_named_curve(c->req)) {
		c->key_type = KEY_NONE;
		buf_msg(err, errlen, "The CSR's EC key carries explicit "
		    "curve parameters; create it with a named curve (P-256 or "
		    "P-384), as RFC 5480 requires");
		return 0;
	}
	if (c->key_type != KEY_NONE)
		return 1;
	if (EVP_PKEY_is_a(c->pkey, "RSA") && c->key_bits < 2048)
		buf_msg(err, errlen, "RSA keys must be at least 2048 bits "
		    "(this one has %d)", c->key_bits);
	else if (EVP_PKEY_is_a(c->pkey, "RSA"))
		buf_msg(err, errlen, "RSA keys larger than %d bits are not "
		    "supported", CSR_RSA_MAX_BITS);
	else if (EVP_PKEY_is_a(c->pkey, "EC"))
		buf_msg(err, errlen, "EC keys must use the curve P-256 or "
		    "P-384");
	else
		buf_msg(err, errlen, "The CSR's key type is not supported; "
		    "use RSA (2048 bits or more) or EC P-256/P-384");
	return 0;
}

/* Extracts subject text, CN and emailAddress; returns 1, or 0 with err set. */
static int
csr_read_subject(struct csr *c, char *err, size_t errlen)
{
	const X509_NAME		*name;
	const X509_NAME_ENTRY	*e;
	BIO			*bio = NULL;
	BUF_MEM			*mem;
	char			*text = NULL;
	int			 i, n, nid, rc = 0;
	enum csr_text		 tr;

	if ((name = X509_REQ_get_subject_name(c->req)) == NULL) {
		buf_msg(err, errlen, "The CSR has no subject");
		goto out;
	}
	n = X509_NAME_entry_count(name);
	for (i = 0; i < n; i++) {
		e = X509_NAME_get_entry(name, i);
		nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
		tr = csr_asn1_text(X509_NAME_ENTRY_get_data(e), &text);
		if (tr == CSR_TEXT_NOMEM) {
			buf_msg(err, errlen, "Out of memory");
			log_err("csr: out of memory reading the subject");
			goto out;
		}
		if (tr == CSR_TEXT_NUL) {
			buf_msg(err, errlen, "The CSR subject contains a "
			    "NUL byte");
			goto out;
		}
		if (tr != CSR_TEXT_OK) {
			buf_msg(err, errlen, "The CSR subject contains a "
			    "value that is not valid text");
			goto out;
		}
		if (nid == NID_commonName &&
		    csr_utf8_chars(text) > CSR_MAX_CN) {
			buf_msg(err, errlen, "The CSR's Common Name is "
			    "longer than %d characters", CSR_MAX_CN);
			goto out;
		}
		/*
		 * Policy checks the first CN, and the subject is built from
		 * it alone (policy_subject), so a second CN is dropped.  A
		 * second emailAddress is refused: S/MIME requesters mean
		 * every address they list, and only one is checked.
		 */
		if (nid == NID_pkcs9_emailAddress && c->email != NULL) {
			buf_msg(err, errlen, "The CSR subject has more than "
			    "one email address");
			goto out;
		}
		if (nid == NID_commonName && c->cn == NULL) {
			c->cn = text;
			text = NULL;
		} else if (nid == NID_pkcs9_emailAddress) {
			c->email = text;
			text = NULL;
		}
		free(text);
		text = NULL;
	}

	/* Readable UTF-8 for people; RFC 2253 escaping for the syntax. */
	if ((bio = BIO_new(BIO_s_mem())) == NULL ||
	    X509_NAME_print_ex(bio, name, 0,
	    XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0 ||
	    BIO_get_mem_ptr(bio, &mem) <= 0) {
		buf_msg(err, errlen, "The CSR subject cannot be printed");
		log_ossl("csr: X509_NAME_print_ex");
		goto out;
	}
	/* An empty subject leaves the BIO without any storage. */
	c->subject = mem->length > 0 ? strndup(mem->data, mem->length) :
	    strdup("");
	if (c->subject == NULL) {
		buf_msg(err, errlen, "Out of memory");
		log_err("csr: out of memory");
		goto out;
	}
	rc = 1;
out:
	free(text);
	BIO_free(bio);
	return rc;
}

/* Converts an iPAddress SAN to text in a malloc'ed string; NULL if malformed. */
static char *
csr_ip_text(const ASN1_OCTET_STRING *o)
{
	char	 buf[INET6_ADDRSTRLEN];
	int	 af;

	switch (ASN1_STRING_length(o)) {
	case 4:
		af = AF_INET;
		break;
	case 16:
		af = AF_INET6;
		break;
	default:
		return NULL;
	}
	if (inet_ntop(af, ASN1_STRING_get0_data(o), buf, sizeof(buf)) == NULL)
		return NULL;
	return strdup(buf);
}

/* Extracts the requested SANs; returns 1, or 0 with err set. */
static int
csr_read_sans(struct csr *c, char *err, size_t errlen)
{
	STACK_OF(X509_EXTENSION)	*exts = NULL;
	GENERAL_NAMES			*gens = NULL;
	const GENERAL_NAME		*g;
	char				*s;
	int				 i, n, crit = -1, rc = 0;
	enum csr_text			 tr;

	exts = X509_REQ_get_extensions(c->req);
	if (exts == NULL) {
		/* Some OpenSSL 3.0 releases return NULL for "no extensions". */
		if (X509_REQ_get_attr_by_NID(c->req, NID_ext_req, -1) >= 0 ||
		    X509_REQ_get_attr_by_NID(c->req, NID_ms_ext_req, -1) >= 0) {
			buf_msg(err, errlen, "The CSR's requested "
			    "extensions are malformed");
			goto out;
		}
		rc = 1;
		goto out;
	}
	gens = X509V3_get_d2i(exts, NID_subject_alt_name, &crit, NULL);
	if (gens == NULL) {
		if (crit == -1) {
			rc = 1;
			goto out;
		}
		buf_msg(err, errlen, crit == -2 ?
		    "The CSR has more than one subjectAltName extension" :
		    "The CSR's subjectAltName extension is malformed");
		goto out;
	}
	if ((n = sk_GENERAL_NAME_num(gens)) > CSR_MAX_SANS) {
		buf_msg(err, errlen, "The CSR has more than %d subject "
		    "alternative names", CSR_MAX_SANS);
		goto out;
	}
	if (n > 0 &&
	    ((c->dns = calloc((size_t)n, sizeof(char *))) == NULL ||
	    (c->emails = calloc((size_t)n, sizeof(char *))) == NULL ||
	    (c->ips = calloc((size_t)n, sizeof(char *))) == NULL)) {
		buf_msg(err, errlen, "Out of memory");
		log_err("csr: out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		g = sk_GENERAL_NAME_value(gens, i);
		switch (g->type) {
		case GEN_DNS:
		case GEN_EMAIL:
			tr = csr_ia5_text(g->type == GEN_DNS ?
			    g->d.dNSName : g->d.rfc822Name, &s);
			if (tr == CSR_TEXT_NOMEM) {
				buf_msg(err, errlen, "Out of memory");
				log_err("csr: out of memory");
				goto out;
			}
			if (tr != CSR_TEXT_OK) {
				buf_msg(err, errlen, "The CSR contains a "
				    "%s name with a NUL byte or non-ASCII "
				    "characters (use the xn-- form of "
				    "international domain names)",
				    g->type == GEN_DNS ? "DNS" : "email");
				goto out;
			}
			if (g->type == GEN_DNS)
				c->dns[c->ndns++] = s;
			else
				c->emails[c->nemails++] = s;
			break;
		case GEN_IPADD:
			if ((s = csr_ip_text(g->d.iPAddress)) == NULL) {
				buf_msg(err, errlen, "The CSR contains a "
				    "malformed IP address");
				goto out;
			}
			c->ips[c->nips++] = s;
			break;
		default:
			/* Other forms are never issued: the profile decides. */
			break;
		}
	}
	rc = 1;
out:
	GENERAL_NAMES_free(gens);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	return rc;
}

/* Extracts the challengePassword; returns 1, or 0 with err set. */
static int
csr_read_challenge(struct csr *c, char *err, size_t errlen)
{
	X509_ATTRIBUTE	*attr;
	ASN1_TYPE	*t;
	int		 idx;
	enum csr_text	 tr;

	idx = X509_REQ_get_attr_by_NID(c->req, NID_pkcs9_challengePassword,
	    -1);
	if (idx < 0)
		return 1;
	if ((attr = X509_REQ_get_attr(c->req, idx)) == NULL ||
	    X509_ATTRIBUTE_count(attr) != 1 ||
	    (t = X509_ATTRIBUTE_get0_type(attr, 0)) == NULL) {
		buf_msg(err, errlen, "The CSR's challengePassword is "
		    "malformed");
		return 0;
	}
	switch (t->type) {
	case V_ASN1_PRINTABLESTRING:
	case V_ASN1_UTF8STRING:
	case V_ASN1_IA5STRING:
	case V_ASN1_T61STRING:
	case V_ASN1_BMPSTRING:
	case V_ASN1_UNIVERSALSTRING:
		break;
	default:
		buf_msg(err, errlen, "The CSR's challengePassword is not "
		    "a text string");
		return 0;
	}
	tr = csr_asn1_text(t->value.asn1_string, &c->challenge);
	if (tr == CSR_TEXT_OK)
		return 1;
	if (tr == CSR_TEXT_NOMEM) {
		buf_msg(err, errlen, "Out of memory");
		log_err("csr: out of memory");
	} else
		buf_msg(err, errlen, "The CSR's challengePassword is not "
		    "valid text");
	return 0;
}

/*
 * csr_from_req with the signature check optional: only for requests this
 * server verified before it stored them (see csr_parse_stored).
 */
static struct csr *
csr_from_req_checked(X509_REQ *req, int verify, char *err, size_t errlen);

struct csr *
csr_from_req(X509_REQ *req, char *err, size_t errlen)
{
	return csr_from_req_checked(req, 1, err, errlen);
}

static struct csr *
csr_from_req_checked(X509_REQ *req, int verify, char *err, size_t errlen)
{
	struct csr	*c = NULL;
	int		 len, ok = 0;

	if (req == NULL) {
		buf_msg(err, errlen, "No CSR was given");
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		X509_REQ_free(req);
		buf_msg(err, errlen, "Out of memory");
		log_err("csr: out of memory");
		return NULL;
	}
	c->req = req;
	if ((len = i2d_X509_REQ(req, &c->der)) <= 0) {
		buf_msg(err, errlen, "The CSR cannot be encoded");
		goto out;
	}
	c->der_len = (size_t)len;
	if (c->der_len > CSR_MAX_BYTES) {
		buf_msg(err, errlen, "The CSR is larger than 32 KiB");
		goto out;
	}
	/* Cheap key checks first: no point verifying with a key we refuse. */
	if (!csr_check_key(c, err, errlen))
		goto out;
	/*
	 * The signature covers the request info as received (OpenSSL keeps
	 * its encoding), so a wrong version field does not break it, and we
	 * do not look at the version: real devices get it wrong.
	 */
	if (!csr_check_sigalg(c, err, errlen))
		goto out;
	if (verify && X509_REQ_verify(req, c->pkey) != 1) {
		buf_msg(err, errlen, "The CSR signature does not verify");
		goto out;
	}
	if (!csr_read_subject(c, err, errlen) ||
	    !csr_read_sans(c, err, errlen) ||
	    !csr_read_challenge(c, err, errlen))
		goto out;
	/* Every program then checks and certifies the same names. */
	policy_csr_names_normalize(c);
	ok = 1;
out:
	/* Errors here come from the user's input: keep them out of the log. */
	ERR_clear_error();
	if (!ok) {
		csr_free(c);
		return NULL;
	}
	return c;
}

/*
 * Decodes base64 without PEM armour (people paste the body alone) into a
 * malloc'ed buffer in *out (caller frees); returns its length or 0.
 */
static size_t
csr_unarmour(const unsigned char *p, size_t len, unsigned char **out)
{
	EVP_ENCODE_CTX	*ctx = NULL;
	unsigned char	*d = NULL;
	int		 n = 0, m = 0;
	size_t		 i, rc = 0;

	*out = NULL;
	for (i = 0; i < len; i++)
		if (!isalnum(p[i]) && p[i] != '+' && p[i] != '/' &&
		    p[i] != '=' && !isspace(p[i]))
			return 0;
	if ((ctx = EVP_ENCODE_CTX_new()) == NULL ||
	    (d = malloc(len + 1)) == NULL)
		goto out;
	EVP_DecodeInit(ctx);
	if (EVP_DecodeUpdate(ctx, d, &n, p, (int)len) < 0 ||
	    EVP_DecodeFinal(ctx, d + n, &m) != 1 || n + m <= 0)
		goto out;
	rc = (size_t)n + (size_t)m;
	*out = d;
	d = NULL;
out:
	free(d);
	EVP_ENCODE_CTX_free(ctx);
	return rc;
}

/*
 * Returns a copy of the PEM text p with white space cut from both ends of
 * every line (malloc'ed, caller frees; length in *outlen), or NULL.  Mail
 * clients and web pages indent pasted text, and OpenSSL's PEM reader
 * finds "-----BEGIN" only at the start of a line.
 */
static char *
csr_pem_trim(const unsigned char *p, size_t len, size_t *outlen)
{
	const unsigned char	*line, *end, *nl;
	char			*out;
	size_t			 n = 0;

	/* A last line without its newline gets one, and then the NUL. */
	if ((out = malloc(len + 2)) == NULL)
		return NULL;
	for (line = p; line < p + len; line = nl + 1) {
		if ((nl = memchr(line, '\n', (size_t)(p + len - line))) ==
		    NULL)
			nl = p + len;
		end = nl;
		while (line < end && (*line == ' ' || *line == '\t' ||
		    *line == '\r'))
			line++;
		while (end > line && (end[-1] == ' ' || end[-1] == '\t' ||
		    end[-1] == '\r'))
			end--;
		memcpy(out + n, line, (size_t)(end - line));
		n += (size_t)(end - line);
		out[n++] = '\n';
	}
	out[n] = '\0';
	*outlen = n;
	return out;
}

/* Parses PEM or DER as csr_parse does; verify 0 skips the signature check. */
static struct csr *
csr_parse_checked(const void *data, size_t len, int verify, char *err,
    size_t errlen);

struct csr *
csr_parse(const void *data, size_t len, char *err, size_t errlen)
{
	return csr_parse_checked(data, len, 1, err, errlen);
}

struct csr *
csr_parse_stored(const void *der, size_t len, char *err, size_t errlen)
{
	return csr_parse_checked(der, len, 0, err, errlen);
}

static struct csr *
csr_parse_checked(const void *data, size_t len, int verify, char *err,
    size_t errlen)
{
	const unsigned char	*p = data, *q;
	unsigned char		*der = NULL, *raw = NULL;
	char			*pemname = NULL, *pemhdr = NULL, *pem = NULL;
	long			 derlen = 0;
	size_t			 rawlen, pemlen = 0;
	BIO			*bio = NULL;
	X509_REQ		*req = NULL;
	struct csr		*c = NULL;

	if (data == NULL || len == 0) {
		buf_msg(err, errlen, "The CSR is empty");
		goto out;
	}
	if (len > CSR_MAX_BYTES) {
		buf_msg(err, errlen, "The CSR is larger than 32 KiB");
		goto out;
	}
	/* DER starts with a SEQUENCE tag; its fields may hold any text. */
	if (p[0] != 0x30 && memmem(p, len, "-----BEGIN", 10) != NULL) {
		if ((pem = csr_pem_trim(p, len, &pemlen)) == NULL ||
		    (bio = BIO_new_mem_buf(pem, (int)pemlen)) == NULL) {
			buf_msg(err, errlen, "Out of memory");
			log_ossl("csr: BIO_new_mem_buf");
			goto out;
		}
		if (!PEM_read_bio(bio, &pemname, &pemhdr, &der, &derlen)) {
			buf_msg(err, errlen, "The CSR is not a valid PEM "
			    "or DER PKCS#10 request");
			goto out;
		}
		if (strstr(pemname, "PRIVATE KEY") != NULL) {
			buf_msg(err, errlen, "This is a private key, not "
			    "a CSR: keep it secret and paste the certificate "
			    "signing request instead");
			goto out;
		}
		if (strcmp(pemname, PEM_STRING_X509_REQ) != 0 &&
		    strcmp(pemname, PEM_STRING_X509_REQ_OLD) != 0) {
			buf_msg(err, errlen, "The PEM data is not a "
			    "CERTIFICATE REQUEST");
			goto out;
		}
		p = der;
		len = (size_t)derlen;
	} else if (p[0] != 0x30 && (rawlen = csr_unarmour(p, len, &raw)) > 0) {
		p = raw;
		len = rawlen;
	}
	q = p;
	req = d2i_X509_REQ(NULL, &q, (long)len);
	if (req == NULL) {
		buf_msg(err, errlen, "The CSR is not a valid PEM or DER "
		    "PKCS#10 request");
		goto out;
	}
	if ((size_t)(q - p) != len) {
		buf_msg(err, errlen, "The CSR has unexpected data after "
		    "the request");
		goto out;
	}
	c = csr_from_req_checked(req, verify, err, errlen);
	req = NULL;
out:
	ERR_clear_error();
	X509_REQ_free(req);
	OPENSSL_free(pemname);
	OPENSSL_free(pemhdr);
	OPENSSL_free(der);
	free(raw);
	BIO_free(bio);
	free(pem);
	return c;
}

int
csr_spki_sha256(X509_PUBKEY *xpk, char out[65])
{
	unsigned char	*spki = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0;
	int		 n, rc = 0;

	/*
	 * The SPKI's DER as parsed (a CSR's as its requester sent it), the
	 * bytes `openssl pkey -pubin -outform DER` gives; i2d_PUBKEY of an
	 * EVP_PKEY would run OpenSSL 3's encoder lookup on every request.
	 */
	if (xpk == NULL || (n = i2d_X509_PUBKEY(xpk, &spki)) <= 0) {
		log_ossl("csr: i2d_X509_PUBKEY");
		goto out;
	}
	if (!EVP_Digest(spki, (size_t)n, md, &mdlen, EVP_sha256(), NULL) ||
	    mdlen != 32) {
		log_ossl("csr: EVP_Digest");
		goto out;
	}
	secret_hex(md, mdlen, out);
	rc = 1;
out:
	OPENSSL_free(spki);
	return rc;
}

int
csr_pubkey_sha256(const struct csr *c, char out[65])
{
	if (c == NULL || c->req == NULL)
		return 0;
	return csr_spki_sha256(X509_REQ_get_X509_PUBKEY(c->req), out);
}

unsigned char *
csr_der_without_challenge(const struct csr *c, size_t *len)
{
	X509_REQ	*dup = NULL;
	X509_ATTRIBUTE	*a;
	unsigned char	*out = NULL, *der = NULL;
	int		 idx, n;

	*len = 0;
	/* Nothing to remove: the request as received, signature intact. */
	if (X509_REQ_get_attr_by_NID(c->req, NID_pkcs9_challengePassword,
	    -1) < 0) {
		if ((out = malloc(c->der_len)) != NULL) {
			memcpy(out, c->der, c->der_len);
			*len = c->der_len;
		}
		return out;
	}
	if ((dup = X509_REQ_dup(c->req)) == NULL)
		goto out;
	while ((idx = X509_REQ_get_attr_by_NID(dup,
	    NID_pkcs9_challengePassword, -1)) >= 0) {
		if ((a = X509_REQ_delete_attr(dup, idx)) == NULL)
			goto out;
		X509_ATTRIBUTE_free(a);
	}
	if ((n = i2d_X509_REQ(dup, &der)) <= 0)
		goto out;
	if ((out = malloc((size_t)n)) != NULL) {
		memcpy(out, der, (size_t)n);
		*len = (size_t)n;
	}
out:
	if (out == NULL)
		log_ossl("csr: cannot remove the challenge password");
	OPENSSL_free(der);
	X509_REQ_free(dup);
	return out;
}

char *
csr_pem(const struct csr *csr)
{
	BIO	*bio;
	char	*data, *s = NULL;
	long	 len;

	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		return NULL;
	if (PEM_write_bio_X509_REQ(bio, csr->req) &&
	    (len = BIO_get_mem_data(bio, &data)) > 0)
		s = strndup(data, (size_t)len);
	BIO_free(bio);
	return s;
}
