/* store: typed records over db. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "log.h"
#include "secret.h"
#include "store.h"

/* Returns a malloc'ed copy of column i ("" for NULL), or NULL on no memory. */
static char *
col_str(sqlite3_stmt *st, int i)
{
	const unsigned char	*s = sqlite3_column_text(st, i);

	return strdup(s ? (const char *)s : "");
}

/* Returns a malloc'ed copy of column i, keeping SQL NULL as NULL. */
static char *
col_str_null(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	return col_str(st, i);
}

/* Copies a BLOB column into out and len (NULL, 0 for SQL NULL); returns 1 on success. */
static int
col_blob(sqlite3_stmt *st, int i, unsigned char **out, size_t *len)
{
	const void	*p = sqlite3_column_blob(st, i);
	int		 n = sqlite3_column_bytes(st, i);

	*out = NULL;
	*len = 0;
	if (p == NULL || n <= 0)
		return 1;
	if ((*out = malloc((size_t)n)) == NULL)
		return 0;
	memcpy(*out, p, (size_t)n);
	*len = (size_t)n;
	return 1;
}

#define col_ll(st, i)	((long long)sqlite3_column_int64((st), (i)))
#define col_int(st, i)	sqlite3_column_int((st), (i))

/* Binds text, or SQL NULL for a NULL pointer. */
static void
bind_str(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

/* Binds an optional reference: 0 becomes SQL NULL. */
static void
bind_ref(sqlite3_stmt *st, int i, long long id)
{
	if (id == 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, id);
}

long long
store_now(void)
{
#ifdef CERTDESK_TEST_CLOCK
	/*
	 * Only test builds read the clock from the environment: in a
	 * production program anyone who can set the environment of the web
	 * server would move expiry, codes and throttle windows.
	 */
	const char	*s = getenv("CERTDESK_NOW");

	if (s != NULL && *s != '\0')
		return strtoll(s, NULL, 10);
#endif
	return (long long)time(NULL);
}

/* Runs an INSERT statement; returns the new rowid or 0. */
static long long
insert(struct db *db, sqlite3_stmt *st)
{
	if (!db_exec_stmt(db, st))
		return 0;
	return db_last_id(db);
}

/*
 * Generic readers: a row reader fills one record from the current row;
 * read_one steps once, read_list collects every row.
 */
typedef void *(*row_fn)(sqlite3_stmt *);
typedef void (*free_fn)(void *);

/* Returns the record of the statement's first row, or NULL. */
static void *
read_one(sqlite3_stmt *st, row_fn row)
{
	void	*r = NULL;
	int	 rc;

	if (st == NULL)
		return NULL;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		r = row(st);
	else if (rc != SQLITE_DONE)
		log_err("sqlite step: %s", sqlite3_errstr(rc));
	/*
	 * Reset ends the read transaction at once; clearing the bindings
	 * drops this request's values (a customer URI, a code's HMAC) from
	 * the statement the worker keeps.
	 */
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return r;
}

struct any_list {
	void	**items;
	size_t	  n;
};

/* Returns a list of every row's record (possibly empty), or NULL on error. */
static void *
read_list(sqlite3_stmt *st, row_fn row, free_fn fr)
{
	struct any_list	*l;
	void		*r, **p;
	size_t		 cap = 0;
	int		 rc;

	if (st == NULL || (l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((r = row(st)) == NULL)
			goto fail;
		if (l->n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((p = reallocarray(l->items, cap, sizeof(*p))) == NULL) {
				fr(r);
				goto fail;
			}
			l->items = p;
		}
		l->items[l->n++] = r;
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_reset(st);
	return l;
fail:
	log_err("sqlite list: %s", sqlite3_errstr(rc));
	sqlite3_reset(st);
	while (l->n > 0)
		fr(l->items[--l->n]);
	free(l->items);
	free(l);
	return NULL;
}

/* Frees a list built by read_list. */
static void
free_list(void *lp, free_fn fr)
{
	struct any_list	*l = lp;
	size_t		 i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		fr(l->items[i]);
	free(l->items);
	free(l);
}

/* ---- customers ---- */

static void *
row_customer(sqlite3_stmt *st)
{
	struct customer	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->id = col_ll(st, 0);
	c->uri = col_str(st, 1);
	c->name = col_str(st, 2);
	return c;
}

void
store_customer_free(struct customer *c)
{
	if (c == NULL)
		return;
	free(c->uri);
	free(c->name);
	free(c);
}

long long
store_customer_add(struct db *db, const char *uri, const char *name)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_CUSTOMER_INSERT);

	if (st == NULL)
		return 0;
	bind_str(st, 1, uri);
	bind_str(st, 2, name);
	sqlite3_bind_int64(st, 3, store_now());
	return insert(db, st);
}

struct customer *
store_customer_by_uri(struct db *db, const char *uri)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_CUSTOMER_BY_URI);

	if (st == NULL)
		return NULL;
	bind_str(st, 1, uri);
	return read_one(st, row_customer);
}

struct customer *
store_customer_by_id(struct db *db, long long id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_CUSTOMER_BY_ID);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	return read_one(st, row_customer);
}

struct customer_list *
store_customer_list(struct db *db)
{
	return read_list(db_stmt(db, STMT_CUSTOMER_LIST), row_customer,
	    (free_fn)store_customer_free);
}

void
store_customer_list_free(struct customer_list *l)
{
	free_list(l, (free_fn)store_customer_free);
}

/* ---- CAs ---- */

static void *
row_ca(sqlite3_stmt *st)
{
	struct ca_rec	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->id = col_ll(st, 0);
	c->customer_id = col_ll(st, 1);
	c->name = col_str(st, 2);
	c->cert_pem = col_str(st, 3);
	c->key_uri = col_str(st, 4);
	c->chain_pem = col_str(st, 5);
	c->ra_cert_pem = col_str_null(st, 6);
	c->ra_key_uri = col_str_null(st, 7);
	c->next_cert_pem = col_str_null(st, 8);
	c->crl_number = col_ll(st, 9);
	return c;
}

void
store_ca_free(struct ca_rec *c)
{
	if (c == NULL)
		return;
	free(c->name);
	free(c->cert_pem);
	free(c->key_uri);
	free(c->chain_pem);
	free(c->ra_cert_pem);
	free(c->ra_key_uri);
	free(c->next_cert_pem);
	free(c);
}

long long
store_ca_add(struct db *db, long long customer_id, const char *name,
    const char *cert_pem, const char *key_uri, const char *chain_pem)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_CA_INSERT);

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, customer_id);
	bind_str(st, 2, name);
	bind_str(st, 3, cert_pem);
	bind_str(st, 4, key_uri);
	bind_str(st, 5, chain_pem ? chain_pem : "");
	sqlite3_bind_int64(st, 6, store_now());
	return insert(db, st);
}

struct ca_rec *
store_ca_for_customer(struct db *db, long long customer_id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_CA_BY_CUSTOMER);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, customer_id);
	return read_one(st, row_ca);
}

struct ca_rec *
store_ca_by_id(struct db *db, long long id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_CA_BY_ID);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	return read_one(st, row_ca);
}

struct ca_list *
store_ca_list(struct db *db, long long customer_id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_CA_BY_CUSTOMER);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, customer_id);
	return read_list(st, row_ca, (free_fn)store_ca_free);
}

void
store_ca_list_free(struct ca_list *l)
{
	free_list(l, (free_fn)store_ca_free);
}

int
store_ca_set_ra(struct db *db, long long ca_id, const char *cert_pem,
    const char *key_uri)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_CA_SET_RA);

	if (st == NULL)
		return 0;
	bind_str(st, 1, cert_pem);
	bind_str(st, 2, key_uri);
	sqlite3_bind_int64(st, 3, ca_id);
	return db_exec_stmt(db, st) && db_changes(db) == 1;
}

int
store_ca_set_next(struct db *db, long long ca_id, const char *cert_pem)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_CA_SET_NEXT);

	if (st == NULL)
		return 0;
	bind_str(st, 1, cert_pem);
	sqlite3_bind_int64(st, 2, ca_id);
	return db_exec_stmt(db, st) && db_changes(db) == 1;
}

long long
store_ca_next_crl_number(struct db *db, long long ca_id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_CA_NEXT_CRL_NUMBER);
	struct ca_rec	*c;
	long long	 n;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, ca_id);
	if (!db_exec_stmt(db, st) || db_changes(db) != 1)
		return -1;
	if ((c = store_ca_by_id(db, ca_id)) == NULL)
		return -1;
	n = c->crl_number;
	store_ca_free(c);
	return n;
}

/* ---- organisations and departments ---- */

static void *
row_org(sqlite3_stmt *st)
{
	struct org	*o;

	if ((o = calloc(1, sizeof(*o))) == NULL)
		return NULL;
	o->id = col_ll(st, 0);
	o->customer_id = col_ll(st, 1);
	o->name = col_str(st, 2);
	o->o = col_str(st, 3);
	o->ou = col_str(st, 4);
	o->l = col_str(st, 5);
	o->st = col_str(st, 6);
	o->c = col_str(st, 7);
	o->admin_email = col_str(st, 8);
	o->escrow_master = col_int(st, 9);
	o->escrow_org = col_int(st, 10);
	return o;
}

void
store_org_free(struct org *o)
{
	if (o == NULL)
		return;
	free(o->name);
	free(o->o);
	free(o->ou);
	free(o->l);
	free(o->st);
	free(o->c);
	free(o->admin_email);
	free(o);
}

long long
store_org_add(struct db *db, const struct org *o)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ORG_INSERT);

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, o->customer_id);
	bind_str(st, 2, o->name);
	bind_str(st, 3, o->o ? o->o : o->name);
	bind_str(st, 4, o->ou ? o->ou : "");
	bind_str(st, 5, o->l ? o->l : "");
	bind_str(st, 6, o->st ? o->st : "");
	bind_str(st, 7, o->c ? o->c : "");
	bind_str(st, 8, o->admin_email ? o->admin_email : "");
	sqlite3_bind_int(st, 9, o->escrow_master);
	sqlite3_bind_int(st, 10, o->escrow_org);
	sqlite3_bind_int64(st, 11, store_now());
	return insert(db, st);
}

struct org *
store_org_by_name(struct db *db, long long customer_id, const char *name)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ORG_BY_NAME);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, customer_id);
	bind_str(st, 2, name);
	return read_one(st, row_org);
}

struct org *
store_org_by_id(struct db *db, long long id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ORG_BY_ID);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	return read_one(st, row_org);
}

struct org_list *
store_org_list(struct db *db, long long customer_id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ORG_LIST);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, customer_id);
	return read_list(st, row_org, (free_fn)store_org_free);
}

void
store_org_list_free(struct org_list *l)
{
	free_list(l, (free_fn)store_org_free);
}

static void *
row_dept(sqlite3_stmt *st)
{
	struct dept	*d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->id = col_ll(st, 0);
	d->org_id = col_ll(st, 1);
	d->name = col_str(st, 2);
	d->escrow_dept = col_int(st, 3);
	return d;
}

void
store_dept_free(struct dept *d)
{
	if (d == NULL)
		return;
	free(d->name);
	free(d);
}

long long
store_dept_add(struct db *db, long long org_id, const char *name,
    int escrow_dept)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_DEPT_INSERT);

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, org_id);
	bind_str(st, 2, name);
	sqlite3_bind_int(st, 3, escrow_dept);
	sqlite3_bind_int64(st, 4, store_now());
	return insert(db, st);
}

struct dept *
store_dept_by_name(struct db *db, long long org_id, const char *name)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_DEPT_BY_NAME);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, org_id);
	bind_str(st, 2, name);
	return read_one(st, row_dept);
}

struct dept *
store_dept_by_id(struct db *db, long long id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_DEPT_BY_ID);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	return read_one(st, row_dept);
}

struct dept_list *
store_dept_list(struct db *db, long long org_id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_DEPT_LIST);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, org_id);
	return read_list(st, row_dept, (free_fn)store_dept_free);
}

void
store_dept_list_free(struct dept_list *l)
{
	free_list(l, (free_fn)store_dept_free);
}

/* ---- domains and delegations ---- */

long long
store_domain_add(struct db *db, long long customer_id, const char *name)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_DOMAIN_INSERT);

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, customer_id);
	bind_str(st, 2, name);
	sqlite3_bind_int64(st, 3, store_now());
	return insert(db, st);
}

long long
store_domain_id(struct db *db, long long customer_id, const char *name)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_DOMAIN_BY_NAME);
	long long	 id = 0;

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, customer_id);
	bind_str(st, 2, name);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = col_ll(st, 0);
	sqlite3_reset(st);
	return id;
}

int
store_delegation_add(struct db *db, long long domain_id, long long org_id,
    long long dept_id, int ssl, int smime, int device)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_DELEGATION_UPSERT);

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, domain_id);
	sqlite3_bind_int64(st, 2, org_id);
	bind_ref(st, 3, dept_id);
	sqlite3_bind_int(st, 4, ssl);
	sqlite3_bind_int(st, 5, smime);
	sqlite3_bind_int(st, 6, device);
	return db_exec_stmt(db, st) && db_changes(db) == 1;
}

static void *
row_delegation(sqlite3_stmt *st)
{
	struct delegation	*d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->domain = col_str(st, 0);
	d->org_id = col_ll(st, 1);
	d->dept_id = col_ll(st, 2);
	d->ssl = col_int(st, 3);
	d->smime = col_int(st, 4);
	d->device = col_int(st, 5);
	d->org_name = col_str(st, 6);
	d->dept_name = col_str(st, 7);
	return d;
}

static void
delegation_free(void *p)
{
	struct delegation	*d = p;

	free(d->domain);
	free(d->org_name);
	free(d->dept_name);
	free(d);
}

struct delegation_list *
store_delegation_list(struct db *db, long long customer_id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_DELEGATION_LIST);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, customer_id);
	return read_list(st, row_delegation, delegation_free);
}

void
store_delegation_list_free(struct delegation_list *l)
{
	free_list(l, delegation_free);
}

/* ---- profiles ---- */

static void *
row_profile(sqlite3_stmt *st)
{
	struct profile	*p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->id = col_ll(st, 0);
	p->customer_id = col_ll(st, 1);
	p->name = col_str(st, 2);
	p->type = col_str(st, 3);
	p->terms = col_str(st, 4);
	p->key_types = col_str(st, 5);
	p->key_usage = col_str(st, 6);
	p->ext_key_usage = col_str(st, 7);
	p->multi_domain = col_int(st, 8);
	p->wildcard = col_int(st, 9);
	p->description = col_str(st, 10);
	return p;
}

void
store_profile_free(struct profile *p)
{
	if (p == NULL)
		return;
	free(p->name);
	free(p->type);
	free(p->terms);
	free(p->key_types);
	free(p->key_usage);
	free(p->ext_key_usage);
	free(p->description);
	free(p);
}

long long
store_profile_add(struct db *db, const struct profile *p)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_PROFILE_INSERT);

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, p->customer_id);
	bind_str(st, 2, p->name);
	bind_str(st, 3, p->type);
	bind_str(st, 4, p->terms);
	bind_str(st, 5, p->key_types);
	bind_str(st, 6, p->key_usage ? p->key_usage : "");
	bind_str(st, 7, p->ext_key_usage ? p->ext_key_usage : "");
	sqlite3_bind_int(st, 8, p->multi_domain);
	sqlite3_bind_int(st, 9, p->wildcard);
	bind_str(st, 10, p->description ? p->description : "");
	sqlite3_bind_int64(st, 11, store_now());
	return insert(db, st);
}

struct profile *
store_profile_by_name(struct db *db, long long customer_id, const char *name)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_PROFILE_BY_NAME);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, customer_id);
	bind_str(st, 2, name);
	return read_one(st, row_profile);
}

struct profile *
store_profile_by_id(struct db *db, long long id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_PROFILE_BY_ID);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	return read_one(st, row_profile);
}

struct profile_list *
store_profile_list(struct db *db, long long customer_id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_PROFILE_LIST);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, customer_id);
	return read_list(st, row_profile, (free_fn)store_profile_free);
}

struct profile_list *
store_account_profiles(struct db *db, long long account_id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ACCOUNT_PROFILE_LIST);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, account_id);
	return read_list(st, row_profile, (free_fn)store_profile_free);
}

void
store_profile_list_free(struct profile_list *l)
{
	free_list(l, (free_fn)store_profile_free);
}

/* ---- endpoints ---- */

static void *
row_endpoint(sqlite3_stmt *st)
{
	struct endpoint	*e;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	e->id = col_ll(st, 0);
	e->customer_id = col_ll(st, 1);
	e->type = col_str(st, 2);
	e->name = col_str(st, 3);
	e->ext = col_str(st, 4);
	e->help = col_str(st, 5);
	e->legacy_des = col_int(st, 6);
	return e;
}

void
store_endpoint_free(struct endpoint *e)
{
	if (e == NULL)
		return;
	free(e->type);
	free(e->name);
	free(e->ext);
	free(e->help);
	free(e);
}

long long
store_endpoint_add(struct db *db, const struct endpoint *e)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ENDPOINT_INSERT);

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, e->customer_id);
	bind_str(st, 2, e->type);
	bind_str(st, 3, e->name);
	bind_str(st, 4, e->ext ? e->ext : "");
	bind_str(st, 5, e->help ? e->help : "");
	sqlite3_bind_int(st, 6, e->legacy_des);
	sqlite3_bind_int64(st, 7, store_now());
	return insert(db, st);
}

struct endpoint *
store_endpoint_find(struct db *db, long long customer_id, const char *type,
    const char *ext)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ENDPOINT_BY_TYPE_EXT);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, customer_id);
	bind_str(st, 2, type);
	bind_str(st, 3, ext ? ext : "");
	return read_one(st, row_endpoint);
}

struct endpoint *
store_endpoint_by_id(struct db *db, long long id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ENDPOINT_BY_ID);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	return read_one(st, row_endpoint);
}

struct endpoint_list *
store_endpoint_list(struct db *db, long long customer_id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ENDPOINT_LIST);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, customer_id);
	return read_list(st, row_endpoint, (free_fn)store_endpoint_free);
}

void
store_endpoint_list_free(struct endpoint_list *l)
{
	free_list(l, (free_fn)store_endpoint_free);
}

int
store_endpoint_set_legacy_des(struct db *db, long long id, int on)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ENDPOINT_SET_LEGACY_DES);

	if (st == NULL)
		return 0;
	sqlite3_bind_int(st, 1, on);
	sqlite3_bind_int64(st, 2, id);
	return db_exec_stmt(db, st) && db_changes(db) == 1;
}

/* ---- accounts ---- */

static void *
row_account(sqlite3_stmt *st)
{
	struct account	*a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	a->id = col_ll(st, 0);
	a->endpoint_id = col_ll(st, 1);
	a->name = col_str(st, 2);
	a->org_id = col_ll(st, 3);
	a->dept_id = col_ll(st, 4);
	a->profile_id = col_ll(st, 5);
	a->term_days = col_int(st, 6);
	a->auto_approve = col_int(st, 7);
	a->manual_approval = col_int(st, 8);
	a->revoke_on_renewal = col_int(st, 9);
	a->allow_empty_p12 = col_int(st, 10);
	a->p12_legacy = col_int(st, 11);
	a->user_csr = col_int(st, 12);
	return a;
}

void
store_account_free(struct account *a)
{
	if (a == NULL)
		return;
	free(a->name);
	if (a->code != NULL) {
		OPENSSL_cleanse(a->code, strlen(a->code));
		free(a->code);
	}
	free(a);
}

long long
store_account_add(struct db *db, const struct account *a)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ACCOUNT_INSERT);
	char		 mac[SECRET_HMAC_HEX];

	if (st == NULL || a->code == NULL || !secret_hmac_hex(a->code, mac))
		return 0;
	sqlite3_bind_int64(st, 1, a->endpoint_id);
	bind_str(st, 2, a->name);
	sqlite3_bind_int64(st, 3, a->org_id);
	bind_ref(st, 4, a->dept_id);
	bind_str(st, 5, mac);
	bind_ref(st, 6, a->profile_id);
	sqlite3_bind_int(st, 7, a->term_days);
	sqlite3_bind_int(st, 8, a->auto_approve);
	sqlite3_bind_int(st, 9, a->manual_approval);
	sqlite3_bind_int(st, 10, a->revoke_on_renewal);
	sqlite3_bind_int(st, 11, a->allow_empty_p12);
	sqlite3_bind_int(st, 12, a->p12_legacy);
	sqlite3_bind_int(st, 13, a->user_csr);
	sqlite3_bind_int64(st, 14, store_now());
	return insert(db, st);
}

struct account *
store_account_by_code(struct db *db, long long endpoint_id, const char *code)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ACCOUNT_BY_CODE);
	char		 mac[SECRET_HMAC_HEX];

	/*
	 * The lookup is by keyed hash, so the comparison that matters (the
	 * hash) is done by the index, never on the code itself.
	 */
	if (st == NULL || !secret_hmac_hex(code, mac))
		return NULL;
	sqlite3_bind_int64(st, 1, endpoint_id);
	bind_str(st, 2, mac);
	return read_one(st, row_account);
}

struct account *
store_account_by_name(struct db *db, long long endpoint_id, const char *name)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ACCOUNT_BY_NAME);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, endpoint_id);
	bind_str(st, 2, name);
	return read_one(st, row_account);
}

struct account *
store_account_by_id(struct db *db, long long id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ACCOUNT_BY_ID);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	return read_one(st, row_account);
}

struct account_list *
store_account_list(struct db *db, long long endpoint_id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ACCOUNT_LIST);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, endpoint_id);
	return read_list(st, row_account, (free_fn)store_account_free);
}

void
store_account_list_free(struct account_list *l)
{
	free_list(l, (free_fn)store_account_free);
}

int
store_account_set_code(struct db *db, long long id, const char *code)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ACCOUNT_SET_CODE);
	char		 mac[SECRET_HMAC_HEX];

	if (st == NULL || !secret_hmac_hex(code, mac))
		return 0;
	bind_str(st, 1, mac);
	sqlite3_bind_int64(st, 2, id);
	return db_exec_stmt(db, st) && db_changes(db) == 1;
}

int
store_account_profile_add(struct db *db, long long account_id,
    long long profile_id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ACCOUNT_PROFILE_ADD);

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, account_id);
	sqlite3_bind_int64(st, 2, profile_id);
	return db_exec_stmt(db, st);
}

/* ---- persons ---- */

static void *
row_person(sqlite3_stmt *st)
{
	struct person	*p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->id = col_ll(st, 0);
	p->org_id = col_ll(st, 1);
	p->dept_id = col_ll(st, 2);
	p->email = col_str(st, 3);
	p->first_name = col_str(st, 4);
	p->middle_name = col_str(st, 5);
	p->last_name = col_str(st, 6);
	p->common_name = col_str(st, 7);
	p->secret_id_hash = col_str_null(st, 8);
	p->secret_failures = col_int(st, 9);
	return p;
}

void
store_person_free(struct person *p)
{
	if (p == NULL)
		return;
	free(p->email);
	free(p->first_name);
	free(p->middle_name);
	free(p->last_name);
	free(p->common_name);
	free(p->secret_id_hash);
	free(p);
}

long long
store_person_add(struct db *db, const struct person *p)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_PERSON_INSERT);

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, p->org_id);
	bind_ref(st, 2, p->dept_id);
	bind_str(st, 3, p->email);
	bind_str(st, 4, p->first_name ? p->first_name : "");
	bind_str(st, 5, p->middle_name ? p->middle_name : "");
	bind_str(st, 6, p->last_name ? p->last_name : "");
	bind_str(st, 7, p->common_name ? p->common_name : "");
	bind_str(st, 8, p->secret_id_hash);
	sqlite3_bind_int64(st, 9, store_now());
	return insert(db, st);
}

struct person *
store_person_by_email(struct db *db, long long org_id, const char *email)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_PERSON_BY_EMAIL);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, org_id);
	bind_str(st, 2, email);
	return read_one(st, row_person);
}

struct person *
store_person_by_id(struct db *db, long long id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_PERSON_BY_ID);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	return read_one(st, row_person);
}

/* ---- requests and certificates ---- */

static void *
row_request(sqlite3_stmt *st)
{
	struct request	*r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->id = col_ll(st, 0);
	r->customer_id = col_ll(st, 1);
	r->cert_id = col_str(st, 2);
	r->type = col_str(st, 3);
	r->via = col_str(st, 4);
	r->status = col_str(st, 5);
	r->account_id = col_ll(st, 6);
	r->profile_id = col_ll(st, 7);
	r->org_id = col_ll(st, 8);
	r->dept_id = col_ll(st, 9);
	r->person_id = col_ll(st, 10);
	r->ca_id = col_ll(st, 11);
	r->term_days = col_int(st, 12);
	r->common_name = col_str(st, 13);
	r->sans = col_str(st, 14);
	r->subject = col_str(st, 15);
	col_blob(st, 16, &r->csr_der, &r->csr_len);
	col_blob(st, 17, &r->cert_der, &r->cert_len);
	r->serial = col_str_null(st, 18);
	r->not_before = col_ll(st, 19);
	r->not_after = col_ll(st, 20);
	r->requester_email = col_str(st, 21);
	r->external_requesters = col_str(st, 22);
	r->comments = col_str(st, 23);
	r->passphrase_hash = col_str_null(st, 24);
	r->pass_failures = col_int(st, 25);
	r->auto_renew = col_int(st, 26);
	r->auto_renew_days = col_int(st, 27);
	r->renewal_of = col_ll(st, 28);
	r->requested_at = col_ll(st, 29);
	r->approved_at = col_ll(st, 30);
	r->issued_at = col_ll(st, 31);
	r->collected_at = col_ll(st, 32);
	r->revoked_at = col_ll(st, 33);
	r->revoke_reason = col_int(st, 34);
	r->revoke_comment = col_str(st, 35);
	r->decline_reason = col_str(st, 36);
	return r;
}

void
store_request_free(struct request *r)
{
	if (r == NULL)
		return;
	free(r->cert_id);
	free(r->type);
	free(r->via);
	free(r->status);
	free(r->common_name);
	free(r->sans);
	free(r->subject);
	free(r->csr_der);
	free(r->cert_der);
	free(r->serial);
	free(r->requester_email);
	free(r->external_requesters);
	free(r->comments);
	free(r->passphrase_hash);
	free(r->revoke_comment);
	free(r->decline_reason);
	free(r);
}

long long
store_request_add(struct db *db, struct request *r)
{
	sqlite3_stmt	*st;
	long long	 id = 0;
	int		 tries;

	/* A collision of 96 random bits is not expected; retry anyway. */
	for (tries = 0; tries < 3 && id == 0; tries++) {
		free(r->cert_id);
		if ((r->cert_id = secret_token(12)) == NULL)
			return 0;
		if ((st = db_stmt(db, STMT_REQUEST_INSERT)) == NULL)
			return 0;
		sqlite3_bind_int64(st, 1, r->customer_id);
		bind_str(st, 2, r->cert_id);
		bind_str(st, 3, r->type);
		bind_str(st, 4, r->via);
		bind_str(st, 5, r->status);
		bind_ref(st, 6, r->account_id);
		sqlite3_bind_int64(st, 7, r->profile_id);
		sqlite3_bind_int64(st, 8, r->org_id);
		bind_ref(st, 9, r->dept_id);
		bind_ref(st, 10, r->person_id);
		bind_ref(st, 11, r->ca_id);
		sqlite3_bind_int(st, 12, r->term_days);
		bind_str(st, 13, r->common_name ? r->common_name : "");
		bind_str(st, 14, r->sans ? r->sans : "");
		if (r->csr_der != NULL)
			sqlite3_bind_blob(st, 15, r->csr_der, (int)r->csr_len,
			    SQLITE_TRANSIENT);
		bind_str(st, 16, r->requester_email ? r->requester_email : "");
		bind_str(st, 17, r->external_requesters ?
		    r->external_requesters : "");
		bind_str(st, 18, r->comments ? r->comments : "");
		bind_str(st, 19, r->passphrase_hash);
		sqlite3_bind_int(st, 20, r->auto_renew);
		sqlite3_bind_int(st, 21, r->auto_renew_days);
		bind_ref(st, 22, r->renewal_of);
		r->requested_at = store_now();
		sqlite3_bind_int64(st, 23, r->requested_at);
		bind_str(st, 24, r->cert_der != NULL && r->subject != NULL ?
		    r->subject : "");
		if (r->cert_der != NULL) {
			/* Issued at once: approved and issued when requested. */
			sqlite3_bind_blob(st, 25, r->cert_der, (int)r->cert_len,
			    SQLITE_TRANSIENT);
			bind_str(st, 26, r->serial);
			sqlite3_bind_int64(st, 27, r->not_before);
			sqlite3_bind_int64(st, 28, r->not_after);
			sqlite3_bind_int64(st, 29, r->requested_at);
			sqlite3_bind_int64(st, 30, r->requested_at);
		}
		id = insert(db, st);
		if (id == 0 && !db_was_constraint(db))
			break;
	}
	if (id != 0)
		r->id = id;
	return id;
}

struct request *
store_request_by_cert_id(struct db *db, long long customer_id,
    const char *cert_id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_REQUEST_BY_CERT_ID);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, customer_id);
	bind_str(st, 2, cert_id);
	return read_one(st, row_request);
}

struct request *
store_request_by_id(struct db *db, long long id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_REQUEST_BY_ID);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	return read_one(st, row_request);
}

struct request *
store_request_by_serial(struct db *db, const char *serial)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_REQUEST_BY_SERIAL);

	if (st == NULL)
		return NULL;
	bind_str(st, 1, serial);
	return read_one(st, row_request);
}

struct request_list *
store_request_list(struct db *db, long long customer_id, const char *status)
{
	sqlite3_stmt	*st;

	st = db_stmt(db, status ? STMT_REQUEST_LIST_STATUS : STMT_REQUEST_LIST);
	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, customer_id);
	if (status != NULL)
		bind_str(st, 2, status);
	return read_list(st, row_request, (free_fn)store_request_free);
}

void
store_request_list_free(struct request_list *l)
{
	free_list(l, (free_fn)store_request_free);
}

long long
store_request_count(struct db *db)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_REQUEST_COUNT);
	long long	 n = -1;

	if (st == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = col_ll(st, 0);
	sqlite3_reset(st);
	return n;
}

int
store_request_set_issued(struct db *db, long long id, long long ca_id,
    const char *subject, const unsigned char *der, size_t len,
    const char *serial, long long not_before, long long not_after)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_REQUEST_SET_ISSUED);
	long long	 now = store_now();

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, ca_id);
	bind_str(st, 2, subject);
	sqlite3_bind_blob(st, 3, der, (int)len, SQLITE_TRANSIENT);
	bind_str(st, 4, serial);
	sqlite3_bind_int64(st, 5, not_before);
	sqlite3_bind_int64(st, 6, not_after);
	sqlite3_bind_int64(st, 7, now);
	sqlite3_bind_int64(st, 8, now);
	sqlite3_bind_int64(st, 9, id);
	return db_exec_stmt(db, st) && db_changes(db) == 1;
}

int
store_request_set_status(struct db *db, long long id, const char *status)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_REQUEST_SET_STATUS);

	if (st == NULL)
		return 0;
	bind_str(st, 1, status);
	sqlite3_bind_int64(st, 2, id);
	return db_exec_stmt(db, st) && db_changes(db) == 1;
}

int
store_request_decline(struct db *db, long long id, const char *reason)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_REQUEST_SET_DECLINED);

	if (st == NULL)
		return 0;
	bind_str(st, 1, reason ? reason : "");
	sqlite3_bind_int64(st, 2, id);
	return db_exec_stmt(db, st) && db_changes(db) == 1;
}

int
store_request_revoke(struct db *db, long long id, int reason,
    const char *comment)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_REQUEST_SET_REVOKED);

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, store_now());
	sqlite3_bind_int(st, 2, reason);
	bind_str(st, 3, comment ? comment : "");
	sqlite3_bind_int64(st, 4, id);
	return db_exec_stmt(db, st) && db_changes(db) == 1;
}

int
store_request_collected(struct db *db, long long id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_REQUEST_SET_COLLECTED);

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, store_now());
	sqlite3_bind_int64(st, 2, id);
	return db_exec_stmt(db, st);
}

int
store_request_pass_failure(struct db *db, long long id, int limit)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_REQUEST_PASS_FAILURE);
	int		 n = 0;

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, limit);
	/* No row: the limit was already reached (or no such request). */
	if (sqlite3_step(st) == SQLITE_ROW)
		n = col_int(st, 0);
	sqlite3_reset(st);
	return n;
}

int
store_request_pending_renewals(struct db *db, long long id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_REQUEST_PENDING_RENEWALS);
	int		 n = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = col_int(st, 0);
	sqlite3_reset(st);
	return n;
}

int
store_request_renewals(struct db *db, long long id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_REQUEST_RENEWALS);
	int		 n = -1;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = col_int(st, 0);
	sqlite3_reset(st);
	return n;
}

int
store_request_pass_reset(struct db *db, long long id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_REQUEST_PASS_RESET);

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, id);
	return db_exec_stmt(db, st) && db_changes(db) == 1;
}

static void *
row_revoked(sqlite3_stmt *st)
{
	struct revoked_entry	*e;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	e->serial = col_str(st, 0);
	e->revoked_at = col_ll(st, 1);
	e->reason = col_int(st, 2);
	return e;
}

static void
revoked_free(void *p)
{
	struct revoked_entry	*e = p;

	free(e->serial);
	free(e);
}

struct revoked_list *
store_revoked_list(struct db *db, long long ca_id, long long now)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_REQUEST_REVOKED_BY_CA);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, ca_id);
	sqlite3_bind_int64(st, 2, now);
	return read_list(st, row_revoked, revoked_free);
}

void
store_revoked_list_free(struct revoked_list *l)
{
	free_list(l, revoked_free);
}

/* ---- SCEP transactions and challenges ---- */

static void *
row_scep_txn(sqlite3_stmt *st)
{
	struct scep_txn	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->id = col_ll(st, 0);
	t->endpoint_id = col_ll(st, 1);
	t->transaction_id = col_str(st, 2);
	t->pubkey_sha256 = col_str(st, 3);
	t->request_id = col_ll(st, 4);
	t->status = col_str(st, 5);
	t->fail_info = col_int(st, 6);
	return t;
}

void
store_scep_txn_free(struct scep_txn *t)
{
	if (t == NULL)
		return;
	free(t->transaction_id);
	free(t->pubkey_sha256);
	free(t->status);
	free(t);
}

long long
store_scep_txn_add(struct db *db, const struct scep_txn *t)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_SCEP_TXN_INSERT);

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, t->endpoint_id);
	bind_str(st, 2, t->transaction_id);
	bind_str(st, 3, t->pubkey_sha256);
	bind_ref(st, 4, t->request_id);
	bind_str(st, 5, t->status);
	if (t->fail_info >= 0)
		sqlite3_bind_int(st, 6, t->fail_info);
	sqlite3_bind_int64(st, 7, store_now());
	return insert(db, st);
}

struct scep_txn *
store_scep_txn_get(struct db *db, long long endpoint_id, const char *txid)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_SCEP_TXN_GET);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, endpoint_id);
	bind_str(st, 2, txid);
	return read_one(st, row_scep_txn);
}

struct scep_txn *
store_scep_txn_by_request(struct db *db, long long request_id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_SCEP_TXN_BY_REQUEST);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, request_id);
	return read_one(st, row_scep_txn);
}

int
store_scep_txn_update(struct db *db, long long id, const char *status,
    int fail_info, long long request_id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_SCEP_TXN_UPDATE);

	if (st == NULL)
		return 0;
	bind_str(st, 1, status);
	if (fail_info >= 0)
		sqlite3_bind_int(st, 2, fail_info);
	bind_ref(st, 3, request_id);
	sqlite3_bind_int64(st, 4, id);
	return db_exec_stmt(db, st) && db_changes(db) == 1;
}

long long
store_scep_challenge_add(struct db *db, long long account_id, const char *code,
    const char *subject_pattern, long long expires)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_SCEP_CHALLENGE_INSERT);
	char		 mac[SECRET_HMAC_HEX];

	if (st == NULL || !secret_hmac_hex(code, mac))
		return 0;
	sqlite3_bind_int64(st, 1, account_id);
	bind_str(st, 2, mac);
	bind_str(st, 3, subject_pattern ? subject_pattern : "");
	sqlite3_bind_int64(st, 4, expires);
	return insert(db, st);
}

static void *
row_challenge(sqlite3_stmt *st)
{
	struct scep_challenge	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->id = col_ll(st, 0);
	c->account_id = col_ll(st, 1);
	c->subject_pattern = col_str(st, 2);
	c->expires = col_ll(st, 3);
	return c;
}

struct scep_challenge *
store_scep_challenge_find(struct db *db, long long endpoint_id,
    const char *code)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_SCEP_CHALLENGE_GET);
	char		 mac[SECRET_HMAC_HEX];

	if (st == NULL || !secret_hmac_hex(code, mac))
		return NULL;
	sqlite3_bind_int64(st, 1, endpoint_id);
	bind_str(st, 2, mac);
	return read_one(st, row_challenge);
}

int
store_scep_challenge_use(struct db *db, long long id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_SCEP_CHALLENGE_USE);

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, store_now());
	sqlite3_bind_int64(st, 2, id);
	return db_exec_stmt(db, st) && db_changes(db) == 1;
}

void
store_scep_challenge_free(struct scep_challenge *c)
{
	if (c == NULL)
		return;
	free(c->subject_pattern);
	free(c);
}

/* ---- audit ---- */

int
store_audit_add(struct db *db, long long customer_id, const char *actor,
    const char *action, const char *object, const char *remote,
    const char *outcome, const char *detail)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_AUDIT_INSERT);

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, store_now());
	bind_ref(st, 2, customer_id);
	bind_str(st, 3, actor ? actor : "");
	bind_str(st, 4, action);
	bind_str(st, 5, object ? object : "");
	bind_str(st, 6, remote ? remote : "");
	bind_str(st, 7, outcome);
	bind_str(st, 8, detail ? detail : "");
	return db_exec_stmt(db, st);
}

static void *
row_audit(sqlite3_stmt *st)
{
	struct audit_event	*e;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	e->id = col_ll(st, 0);
	e->at = col_ll(st, 1);
	e->customer = col_str(st, 2);
	e->actor = col_str(st, 3);
	e->action = col_str(st, 4);
	e->object = col_str(st, 5);
	e->remote = col_str(st, 6);
	e->outcome = col_str(st, 7);
	e->detail = col_str(st, 8);
	return e;
}

static void
audit_event_free(void *p)
{
	struct audit_event	*e = p;

	free(e->customer);
	free(e->actor);
	free(e->action);
	free(e->object);
	free(e->remote);
	free(e->outcome);
	free(e->detail);
	free(e);
}

struct audit_list *
store_audit_list(struct db *db, int limit)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_AUDIT_LIST);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int(st, 1, limit);
	return read_list(st, row_audit, audit_event_free);
}

void
store_audit_list_free(struct audit_list *l)
{
	free_list(l, audit_event_free);
}

/* ---- throttling ---- */

int
store_throttle_get(struct db *db, const char *scope, const char *key,
    long long *window_start, int *failures)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_THROTTLE_GET);
	int		 rc;

	*window_start = 0;
	*failures = 0;
	if (st == NULL)
		return 0;
	bind_str(st, 1, scope);
	bind_str(st, 2, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*window_start = col_ll(st, 0);
		*failures = col_int(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

int
store_throttle_set(struct db *db, const char *scope, const char *key,
    long long window_start, int failures)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_THROTTLE_SET);

	if (st == NULL)
		return 0;
	bind_str(st, 1, scope);
	bind_str(st, 2, key);
	sqlite3_bind_int64(st, 3, window_start);
	sqlite3_bind_int(st, 4, failures);
	return db_exec_stmt(db, st);
}

int
store_throttle_clear(struct db *db, const char *scope, const char *key)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_THROTTLE_DELETE);

	if (st == NULL)
		return 0;
	bind_str(st, 1, scope);
	bind_str(st, 2, key);
	return db_exec_stmt(db, st);
}
