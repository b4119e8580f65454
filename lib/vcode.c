/* vcode: mailed single-use codes, stored only as an HMAC under the server key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "log.h"
#include "secret.h"
#include "store.h"
#include "vcode.h"

/* 20 random bytes are 160 bits, exactly 32 base32 digits of 5 bits. */
#define VCODE_BYTES	20
#define VCODE_LEN	32

/* Crockford's alphabet: no I, L, O or U, so misreadings map back. */
static const char	 crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* Returns the stored name of kind. */
static const char *
kind_name(enum vcode_kind k)
{
	switch (k) {
	case VCODE_VALIDATION:
		return "validation";
	case VCODE_INVITATION:
		return "invitation";
	}
	return "validation";
}

/*
 * Writes code as the canonical 32 digits into out (VCODE_LEN + 1 bytes):
 * case folded, spaces and dashes dropped, I and L read as 1, O as 0.
 * Returns 1, or 0 when what remains is not 32 Crockford digits.
 */
static int
normalize(const char *code, char out[VCODE_LEN + 1])
{
	size_t	 n = 0;
	char	 c;

	for (; *code != '\0'; code++) {
		c = *code;
		if (c == ' ' || c == '-' || c == '\t')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c == 'I' || c == 'L')
			c = '1';
		else if (c == 'O')
			c = '0';
		if (c == '\0' || strchr(crockford, c) == NULL || n == VCODE_LEN)
			return 0;
		out[n++] = c;
	}
	out[n] = '\0';
	return n == VCODE_LEN;
}

/*
 * Writes the HMAC under which the canonical code is stored; the prefix
 * keeps these apart from the other keyed hashes of the server key.
 */
static int
code_mac(const char *canon, char mac[SECRET_HMAC_HEX])
{
	char	 in[sizeof("vcode:") + VCODE_LEN];
	int	 ok;

	snprintf(in, sizeof(in), "vcode:%s", canon);
	ok = secret_hmac_hex(in, mac);
	OPENSSL_cleanse(in, sizeof(in));
	return ok;
}

/* Binds an optional id: 0 becomes SQL NULL. */
static void
bind_id(sqlite3_stmt *st, int i, long long id)
{
	if (id == 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, id);
}

char *
vcode_make(struct db *db, enum vcode_kind kind, long long request_id,
    long long person_id, long long account_id, const char *email, long ttl)
{
	unsigned char	 raw[VCODE_BYTES];
	char		 mac[SECRET_HMAC_HEX];
	char		*code;
	sqlite3_stmt	*st;
	size_t		 i, bit;
	unsigned	 v;

	if (email == NULL || ttl <= 0 ||
	    (code = malloc(VCODE_LEN + 1)) == NULL)
		return NULL;
	if (RAND_bytes(raw, sizeof(raw)) != 1) {
		log_ossl("RAND_bytes");
		free(code);
		return NULL;
	}
	for (i = 0; i < VCODE_LEN; i++) {
		bit = i * 5;
		v = ((unsigned)raw[bit / 8] << 8) |
		    (bit / 8 + 1 < sizeof(raw) ? raw[bit / 8 + 1] : 0);
		code[i] = crockford[(v >> (11 - bit % 8)) & 0x1f];
	}
	code[VCODE_LEN] = '\0';
	OPENSSL_cleanse(raw, sizeof(raw));
	if (!code_mac(code, mac) ||
	    (st = db_stmt(db, STMT_VCODE_INSERT)) == NULL)
		goto fail;
	bind_id(st, 1, request_id);
	bind_id(st, 2, person_id);
	bind_id(st, 3, account_id);
	sqlite3_bind_text(st, 4, kind_name(kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, mac, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, email, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 7, store_now() + ttl);
	if (!db_exec_stmt(db, st))
		goto fail;
	return code;
fail:
	OPENSSL_cleanse(code, VCODE_LEN + 1);
	free(code);
	return NULL;
}

/* Returns a malloc'ed copy of text column i ("" for NULL), or NULL. */
static char *
col_text(sqlite3_stmt *st, int i)
{
	const unsigned char	*s = sqlite3_column_text(st, i);

	return strdup(s != NULL ? (const char *)s : "");
}

/*
 * Reads the row st stepped to into *out (free with vcode_free) when its
 * email is email (case-insensitive); returns what the row says of it.
 */
static enum vcode_check
read_row(sqlite3_stmt *st, enum vcode_kind kind, const char *email,
    struct vcode *out)
{
	const char	*row_email;
	struct vcode	 v;

	/* A code is bound to the address it was mailed to. */
	row_email = (const char *)sqlite3_column_text(st, 5);
	if (row_email == NULL || strcasecmp(row_email, email) != 0)
		return VCODE_UNKNOWN;
	memset(&v, 0, sizeof(v));
	v.id = sqlite3_column_int64(st, 0);
	v.kind = kind;
	v.request_id = sqlite3_column_int64(st, 2);
	v.person_id = sqlite3_column_int64(st, 3);
	v.account_id = sqlite3_column_int64(st, 4);
	v.expires = sqlite3_column_int64(st, 6);
	v.used_at = sqlite3_column_int64(st, 7);
	if ((v.email = col_text(st, 5)) == NULL)
		return VCODE_UNKNOWN;
	*out = v;
	if (v.used_at != 0)
		return VCODE_USED;
	if (v.expires <= store_now())
		return VCODE_EXPIRED;
	return VCODE_OK;
}

enum vcode_check
vcode_find(struct db *db, enum vcode_kind kind, const char *code,
    const char *email, struct vcode *out)
{
	char		 canon[VCODE_LEN + 1], mac[SECRET_HMAC_HEX];
	sqlite3_stmt		*st;
	enum vcode_check	 vc = VCODE_UNKNOWN;
	int			 ok;

	memset(out, 0, sizeof(*out));
	if (code == NULL || email == NULL)
		return VCODE_UNKNOWN;
	ok = normalize(code, canon) && code_mac(canon, mac);
	OPENSSL_cleanse(canon, sizeof(canon));
	/* Looked up by its HMAC: no comparison ever touches the code. */
	if (!ok || (st = db_stmt(db, STMT_VCODE_BY_HMAC)) == NULL)
		return VCODE_UNKNOWN;
	sqlite3_bind_text(st, 1, mac, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, kind_name(kind), -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		vc = read_row(st, kind, email, out);
	/* An open statement would hold its read snapshot past the request. */
	sqlite3_reset(st);
	return vc;
}

enum vcode_check
vcode_by_id(struct db *db, enum vcode_kind kind, long long id,
    const char *email, struct vcode *out)
{
	sqlite3_stmt		*st;
	enum vcode_check	 vc = VCODE_UNKNOWN;

	memset(out, 0, sizeof(*out));
	if (email == NULL || (st = db_stmt(db, STMT_VCODE_BY_ID)) == NULL)
		return VCODE_UNKNOWN;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, kind_name(kind), -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		vc = read_row(st, kind, email, out);
	/* An open statement would hold its read snapshot past the request. */
	sqlite3_reset(st);
	return vc;
}

int
vcode_consume(struct db *db, long long id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_VCODE_CONSUME);

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, store_now());
	sqlite3_bind_int64(st, 2, id);
	/* Only the first of two racing requests changes the row. */
	return db_exec_stmt(db, st) && db_changes(db) == 1;
}

int
vcode_pending(struct db *db, const char *email)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_VCODE_PENDING);
	int		 n = -1;

	if (st == NULL || email == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, store_now());
	sqlite3_bind_text(st, 2, email, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return n;
}

void
vcode_free(struct vcode *v)
{
	if (v == NULL)
		return;
	free(v->email);
	v->email = NULL;
}
