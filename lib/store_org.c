/*
 * store_org: customers, CAs, organisations, departments, domains,
 * delegations, profiles, endpoints and accounts.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "secret.h"
#include "log.h"
#include "store_priv.h"

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

int
store_ca_crl_number_floor(struct db *db, long long ca_id, long long floor)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_CA_CRL_NUMBER_FLOOR);

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, floor);
	sqlite3_bind_int64(st, 2, ca_id);
	sqlite3_bind_int64(st, 3, floor);
	return db_exec_stmt(db, st);
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
	p->terms = col_str(st, 4);
	p->key_types = col_str(st, 5);
	p->key_usage = col_str(st, 6);
	p->ext_key_usage = col_str(st, 7);
	p->multi_domain = col_int(st, 8);
	p->wildcard = col_int(st, 9);
	p->description = col_str(st, 10);
	if (!store_cert_type_parse((const char *)sqlite3_column_text(st, 3),
	    &p->type)) {
		log_err("profile %lld: unknown type", p->id);
		store_profile_free(p);
		return NULL;
	}
	return p;
}

void
store_profile_free(struct profile *p)
{
	if (p == NULL)
		return;
	free(p->name);
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
	bind_str(st, 3, policy_type_name(p->type));
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

/*
 * Returns the endpoint whose ENDPOINT_COLS start at column base of the
 * row (caller frees), or NULL.
 */
static struct endpoint *
endpoint_at(sqlite3_stmt *st, int base)
{
	struct endpoint	*e;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	e->id = col_ll(st, base);
	e->customer_id = col_ll(st, base + 1);
	e->name = col_str(st, base + 3);
	e->ext = col_str(st, base + 4);
	e->help = col_str(st, base + 5);
	e->legacy_des = col_int(st, base + 6);
	if (!store_endpoint_type_parse((const char *)sqlite3_column_text(st,
	    base + 2), &e->type)) {
		log_err("endpoint %lld: unknown type", e->id);
		store_endpoint_free(e);
		return NULL;
	}
	return e;
}

static void *
row_endpoint(sqlite3_stmt *st)
{
	return endpoint_at(st, 0);
}

void
store_endpoint_free(struct endpoint *e)
{
	if (e == NULL)
		return;
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
	bind_str(st, 2, store_endpoint_type_name(e->type));
	bind_str(st, 3, e->name);
	bind_str(st, 4, e->ext ? e->ext : "");
	bind_str(st, 5, e->help ? e->help : "");
	sqlite3_bind_int(st, 6, e->legacy_des);
	sqlite3_bind_int64(st, 7, store_now());
	return insert(db, st);
}

struct endpoint *
store_endpoint_find(struct db *db, long long customer_id,
    enum endpoint_type type, const char *ext)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ENDPOINT_BY_TYPE_EXT);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, customer_id);
	bind_str(st, 2, store_endpoint_type_name(type));
	bind_str(st, 3, ext ? ext : "");
	return read_one(st, row_endpoint);
}

int
store_customer_endpoint(struct db *db, const char *uri,
    const enum endpoint_type *types, size_t ntypes, const char *ext,
    struct customer **cp, struct endpoint **ep)
{
	sqlite3_stmt	*st;
	int		 rc, base, ok = 1;

	*cp = NULL;
	*ep = NULL;
	if (ntypes > 2) {
		log_err("customer lookup: more than two endpoint types");
		return 0;
	}
	if ((st = db_stmt(db, STMT_CUSTOMER_ENDPOINT)) == NULL)
		return 0;
	bind_str(st, 1, uri);
	/* Left unbound (NULL), the extension and types match no endpoint. */
	if (ntypes > 0) {
		bind_str(st, 2, ext != NULL ? ext : "");
		bind_str(st, 3, store_endpoint_type_name(types[0]));
		bind_str(st, 4, store_endpoint_type_name(types[ntypes - 1]));
	}
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* The first type's endpoint (columns 3-9), else the second's. */
		base = sqlite3_column_type(st, 3) != SQLITE_NULL ? 3 : 10;
		if ((*cp = row_customer(st)) == NULL ||
		    (sqlite3_column_type(st, base) != SQLITE_NULL &&
		    (*ep = endpoint_at(st, base)) == NULL))
			ok = 0;
	} else if (rc != SQLITE_DONE) {
		log_err("sqlite step: %s", sqlite3_errstr(rc));
		ok = 0;
	}
	/* As read_one: no snapshot kept, no request's value left bound. */
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (!ok) {
		store_customer_free(*cp);
		*cp = NULL;
	}
	return ok;
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
