/* test_store: typed records over a real, freshly migrated database. */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "db.h"
#include "log.h"
#include "secret.h"
#include "store.h"
#include "fixture.h"
#include "unit.h"

#define T0	1700000000LL

static char		 dbpath[PATH_MAX + 16];
static struct db	*db;

/* The rows most records hang off, created by fx_seed. */
static struct seed {
	long long	 customer, org, dept, profile, endpoint, account, ca;
} sd;

/* Sets the clock store_now() reports. */
static void
set_now(long long t)
{
	char	 s[32];

	snprintf(s, sizeof(s), "%lld", t);
	CU_ASSERT_FATAL(setenv("CERTDESK_NOW", s, 1) == 0);
}

/* A private directory with a server key and a migrated database. */
static void
fx_setup(void)
{
	CU_ASSERT_FATAL(fixture_dir_new("store") != NULL);
	fixture_path(dbpath, sizeof(dbpath), "certdesk.db");
	set_now(T0);
	CU_ASSERT_FATAL((db = fixture_db()) != NULL);
	memset(&sd, 0, sizeof(sd));
}

/* Closes everything and removes the directory. */
static void
fx_teardown(void)
{
	fixture_done();
	db = NULL;
}

/* Creates a customer with an organisation, department, profile, endpoint, account and CA. */
static void
fx_seed(void)
{
	struct org	 o = { 0 };
	struct profile	 p = { 0 };
	struct endpoint	 e = { 0 };
	struct account	 a = { 0 };

	CU_ASSERT_FATAL((sd.customer = store_customer_add(db, "acme",
	    "Acme Inc.")) > 0);
	o.customer_id = sd.customer;
	o.name = "Engineering";
	o.o = "Acme Engineering Ltd";
	CU_ASSERT_FATAL((sd.org = store_org_add(db, &o)) > 0);
	CU_ASSERT_FATAL((sd.dept = store_dept_add(db, sd.org, "Web", 0)) > 0);
	p.customer_id = sd.customer;
	p.name = "SSL 1y";
	p.type = CERT_SSL;
	p.terms = "365";
	p.key_types = "rsa2048,ec256";
	CU_ASSERT_FATAL((sd.profile = store_profile_add(db, &p)) > 0);
	e.customer_id = sd.customer;
	e.type = ENDPOINT_SSL;
	e.name = "SSL certificates";
	CU_ASSERT_FATAL((sd.endpoint = store_endpoint_add(db, &e)) > 0);
	a.endpoint_id = sd.endpoint;
	a.name = "web team";
	a.org_id = sd.org;
	a.code = "seed-code-0001";
	CU_ASSERT_FATAL((sd.account = store_account_add(db, &a)) > 0);
	CU_ASSERT_FATAL((sd.ca = store_ca_add(db, sd.customer, "Acme CA",
	    "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n",
	    "file:/etc/certdesk/ca.key", NULL)) > 0);
}

/* Returns column col of table for the row with id as a malloc'ed string (NULL for SQL NULL); caller frees. */
static char *
raw_text(const char *table, const char *col, long long id)
{
	sqlite3		*c = NULL;
	sqlite3_stmt	*st = NULL;
	char		 sql[256];
	char		*v = NULL;

	snprintf(sql, sizeof(sql), "SELECT %s FROM %s WHERE id = ?", col,
	    table);
	CU_ASSERT_FATAL(sqlite3_open_v2(dbpath, &c, SQLITE_OPEN_READONLY,
	    NULL) == SQLITE_OK);
	CU_ASSERT_FATAL(sqlite3_prepare_v2(c, sql, -1, &st, NULL) ==
	    SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(c);
	return v;
}

/* Returns 1 if s is exactly n lowercase hex digits. */
static int
is_hex(const char *s, size_t n)
{
	size_t	 i;

	if (s == NULL || strlen(s) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* ---- customers, CAs ---- */

static void
test_customer(void)
{
	struct customer		*c;
	struct customer_list	*l;
	long long		 a, b;

	fx_setup();
	CU_ASSERT_FATAL((b = store_customer_add(db, "zeta", "Zeta AG")) > 0);
	CU_ASSERT_FATAL((a = store_customer_add(db, "alpha", "Alpha")) > 0);
	CU_ASSERT(a != b);

	c = store_customer_by_uri(db, "zeta");
	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT_EQUAL(c->id, b);
	CU_ASSERT_STRING_EQUAL(c->uri, "zeta");
	CU_ASSERT_STRING_EQUAL(c->name, "Zeta AG");
	store_customer_free(c);
	c = store_customer_by_id(db, a);
	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT_STRING_EQUAL(c->uri, "alpha");
	CU_ASSERT_STRING_EQUAL(c->name, "Alpha");
	store_customer_free(c);
	CU_ASSERT_PTR_NULL(store_customer_by_uri(db, "nobody"));
	CU_ASSERT_PTR_NULL(store_customer_by_id(db, a + b + 100));

	/* The same URI twice is refused and changes nothing. */
	CU_ASSERT_EQUAL(store_customer_add(db, "zeta", "Impostor"), 0);
	CU_ASSERT_TRUE(db_was_constraint(db));
	c = store_customer_by_uri(db, "zeta");
	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT_STRING_EQUAL(c->name, "Zeta AG");
	store_customer_free(c);

	l = store_customer_list(db);
	CU_ASSERT_FATAL(l != NULL);
	CU_ASSERT_FATAL(l->n == 2);
	CU_ASSERT_STRING_EQUAL(l->items[0]->uri, "alpha");
	CU_ASSERT_STRING_EQUAL(l->items[1]->uri, "zeta");
	store_customer_list_free(l);
	store_customer_free(NULL);
	fx_teardown();
}

static void
test_ca(void)
{
	struct ca_rec	*c;
	struct ca_list	*l;
	long long	 second;

	fx_setup();
	fx_seed();
	c = store_ca_for_customer(db, sd.customer);
	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT_EQUAL(c->id, sd.ca);
	CU_ASSERT_EQUAL(c->customer_id, sd.customer);
	CU_ASSERT_STRING_EQUAL(c->name, "Acme CA");
	CU_ASSERT_PTR_NOT_NULL(strstr(c->cert_pem, "BEGIN CERTIFICATE"));
	CU_ASSERT_STRING_EQUAL(c->key_uri, "file:/etc/certdesk/ca.key");
	CU_ASSERT_STRING_EQUAL(c->chain_pem, "");
	CU_ASSERT_PTR_NULL(c->ra_cert_pem);
	CU_ASSERT_PTR_NULL(c->ra_key_uri);
	CU_ASSERT_PTR_NULL(c->next_cert_pem);
	CU_ASSERT_EQUAL(c->crl_number, 0);
	store_ca_free(c);

	CU_ASSERT_TRUE(store_ca_set_ra(db, sd.ca, "RA PEM", "file:/ra.key"));
	CU_ASSERT_TRUE(store_ca_set_next(db, sd.ca, "NEXT PEM"));
	CU_ASSERT_EQUAL(store_ca_next_crl_number(db, sd.ca), 1);
	CU_ASSERT_EQUAL(store_ca_next_crl_number(db, sd.ca), 2);
	CU_ASSERT_EQUAL(store_ca_next_crl_number(db, sd.ca + 99), -1);
	CU_ASSERT_FALSE(store_ca_set_ra(db, sd.ca + 99, "x", "y"));
	c = store_ca_by_id(db, sd.ca);
	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT_STRING_EQUAL(c->ra_cert_pem, "RA PEM");
	CU_ASSERT_STRING_EQUAL(c->ra_key_uri, "file:/ra.key");
	CU_ASSERT_STRING_EQUAL(c->next_cert_pem, "NEXT PEM");
	CU_ASSERT_EQUAL(c->crl_number, 2);
	store_ca_free(c);

	/* The issuing CA stays the first one created. */
	CU_ASSERT_FATAL((second = store_ca_add(db, sd.customer, "Acme CA 2",
	    "PEM2", "file:/ca2.key", "CHAIN")) > 0);
	c = store_ca_for_customer(db, sd.customer);
	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT_EQUAL(c->id, sd.ca);
	store_ca_free(c);
	l = store_ca_list(db, sd.customer);
	CU_ASSERT_FATAL(l != NULL);
	CU_ASSERT_FATAL(l->n == 2);
	CU_ASSERT_EQUAL(l->items[1]->id, second);
	CU_ASSERT_STRING_EQUAL(l->items[1]->chain_pem, "CHAIN");
	store_ca_list_free(l);
	fx_teardown();
}

/* ---- organisations, departments, domains ---- */

static void
test_org_dept(void)
{
	struct org	 o = { 0 }, *r;
	struct org_list	*ol;
	struct dept	*d;
	struct dept_list *dl;
	long long	 cid, id, id2, did;

	fx_setup();
	CU_ASSERT_FATAL((cid = store_customer_add(db, "acme", "Acme")) > 0);
	o.customer_id = cid;
	o.name = "Research";
	o.o = "Acme Research GmbH";
	o.ou = "Labs";
	o.l = "Berlin";
	o.st = "Berlin";
	o.c = "DE";
	o.admin_email = "pki@research.example";
	o.escrow_master = 1;
	o.escrow_org = 1;
	CU_ASSERT_FATAL((id = store_org_add(db, &o)) > 0);

	r = store_org_by_name(db, cid, "Research");
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_EQUAL(r->id, id);
	CU_ASSERT_EQUAL(r->customer_id, cid);
	CU_ASSERT_STRING_EQUAL(r->name, "Research");
	CU_ASSERT_STRING_EQUAL(r->o, "Acme Research GmbH");
	CU_ASSERT_STRING_EQUAL(r->ou, "Labs");
	CU_ASSERT_STRING_EQUAL(r->l, "Berlin");
	CU_ASSERT_STRING_EQUAL(r->st, "Berlin");
	CU_ASSERT_STRING_EQUAL(r->c, "DE");
	CU_ASSERT_STRING_EQUAL(r->admin_email, "pki@research.example");
	CU_ASSERT_EQUAL(r->escrow_master, 1);
	CU_ASSERT_EQUAL(r->escrow_org, 1);
	store_org_free(r);

	/* Without a subject O the organisation's name is used. */
	memset(&o, 0, sizeof(o));
	o.customer_id = cid;
	o.name = "Admin";
	CU_ASSERT_FATAL((id2 = store_org_add(db, &o)) > 0);
	r = store_org_by_id(db, id2);
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_STRING_EQUAL(r->o, "Admin");
	CU_ASSERT_STRING_EQUAL(r->ou, "");
	CU_ASSERT_STRING_EQUAL(r->admin_email, "");
	CU_ASSERT_EQUAL(r->escrow_master, 0);
	store_org_free(r);
	/* Names are unique per customer. */
	CU_ASSERT_EQUAL(store_org_add(db, &o), 0);
	CU_ASSERT_PTR_NULL(store_org_by_name(db, cid, "Nope"));
	CU_ASSERT_PTR_NULL(store_org_by_name(db, cid + 1, "Admin"));

	ol = store_org_list(db, cid);
	CU_ASSERT_FATAL(ol != NULL);
	CU_ASSERT_FATAL(ol->n == 2);
	CU_ASSERT_STRING_EQUAL(ol->items[0]->name, "Admin");
	CU_ASSERT_STRING_EQUAL(ol->items[1]->name, "Research");
	store_org_list_free(ol);

	CU_ASSERT_FATAL((did = store_dept_add(db, id, "Physics", 1)) > 0);
	CU_ASSERT(store_dept_add(db, id, "Chemistry", 0) > 0);
	CU_ASSERT_EQUAL(store_dept_add(db, id, "Physics", 0), 0);
	/* The same name in another organisation is a different department. */
	CU_ASSERT(store_dept_add(db, id2, "Physics", 0) > 0);
	CU_ASSERT_EQUAL(store_dept_add(db, id + id2 + 100, "Orphan", 0), 0);
	d = store_dept_by_name(db, id, "Physics");
	CU_ASSERT_FATAL(d != NULL);
	CU_ASSERT_EQUAL(d->id, did);
	CU_ASSERT_EQUAL(d->org_id, id);
	CU_ASSERT_STRING_EQUAL(d->name, "Physics");
	CU_ASSERT_EQUAL(d->escrow_dept, 1);
	store_dept_free(d);
	d = store_dept_by_id(db, did);
	CU_ASSERT_FATAL(d != NULL);
	CU_ASSERT_STRING_EQUAL(d->name, "Physics");
	store_dept_free(d);
	dl = store_dept_list(db, id);
	CU_ASSERT_FATAL(dl != NULL);
	CU_ASSERT_FATAL(dl->n == 2);
	CU_ASSERT_STRING_EQUAL(dl->items[0]->name, "Chemistry");
	CU_ASSERT_EQUAL(dl->items[0]->escrow_dept, 0);
	CU_ASSERT_STRING_EQUAL(dl->items[1]->name, "Physics");
	store_dept_list_free(dl);
	fx_teardown();
}

/* Finds the delegation of domain to org/dept in l, or NULL. */
static struct delegation *
find_delegation(struct delegation_list *l, const char *domain,
    long long org, long long dept)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->items[i]->domain, domain) == 0 &&
		    l->items[i]->org_id == org && l->items[i]->dept_id == dept)
			return l->items[i];
	return NULL;
}

static void
test_domain_delegation(void)
{
	struct delegation_list	*l;
	struct delegation	*g;
	long long		 dom, wild;

	fx_setup();
	fx_seed();
	CU_ASSERT_FATAL((dom = store_domain_add(db, sd.customer,
	    "example.com")) > 0);
	CU_ASSERT_FATAL((wild = store_domain_add(db, sd.customer,
	    "*.example.org")) > 0);
	CU_ASSERT_EQUAL(store_domain_add(db, sd.customer, "example.com"), 0);
	CU_ASSERT_EQUAL(store_domain_id(db, sd.customer, "example.com"), dom);
	CU_ASSERT_EQUAL(store_domain_id(db, sd.customer, "*.example.org"),
	    wild);
	CU_ASSERT_EQUAL(store_domain_id(db, sd.customer, "example.net"), 0);
	CU_ASSERT_EQUAL(store_domain_id(db, sd.customer + 1, "example.com"),
	    0);

	CU_ASSERT_TRUE(store_delegation_add(db, dom, sd.org, 0, 1, 0, 1));
	CU_ASSERT_TRUE(store_delegation_add(db, wild, sd.org, sd.dept, 0, 1,
	    0));
	l = store_delegation_list(db, sd.customer);
	CU_ASSERT_FATAL(l != NULL);
	CU_ASSERT_EQUAL(l->n, 2);
	g = find_delegation(l, "example.com", sd.org, 0);
	CU_ASSERT_FATAL(g != NULL);
	CU_ASSERT_EQUAL(g->ssl, 1);
	CU_ASSERT_EQUAL(g->smime, 0);
	CU_ASSERT_EQUAL(g->device, 1);
	CU_ASSERT_STRING_EQUAL(g->org_name, "Engineering");
	CU_ASSERT_STRING_EQUAL(g->dept_name, "");
	g = find_delegation(l, "*.example.org", sd.org, sd.dept);
	CU_ASSERT_FATAL(g != NULL);
	CU_ASSERT_EQUAL(g->ssl, 0);
	CU_ASSERT_EQUAL(g->smime, 1);
	CU_ASSERT_EQUAL(g->device, 0);
	CU_ASSERT_STRING_EQUAL(g->dept_name, "Web");
	store_delegation_list_free(l);

	/* A delegation to an unknown organisation is refused. */
	CU_ASSERT_FALSE(store_delegation_add(db, dom, sd.org + 100, 0, 1, 1,
	    1));
	/* Another customer sees none of these. */
	l = store_delegation_list(db, sd.customer + 100);
	CU_ASSERT_FATAL(l != NULL);
	CU_ASSERT_EQUAL(l->n, 0);
	store_delegation_list_free(l);
	fx_teardown();
}

/*
 * Delegating the same domain to the same place twice is refused, for a
 * department and for the whole organisation alike ("certdesk domain
 * delegate" reports it as "already delegated").
 */
static void
test_delegation_duplicate(void)
{
	struct delegation_list	*l;
	long long		 dom;

	fx_setup();
	fx_seed();
	CU_ASSERT_FATAL((dom = store_domain_add(db, sd.customer,
	    "example.com")) > 0);
	CU_ASSERT_TRUE(store_delegation_add(db, dom, sd.org, sd.dept, 1, 0, 0));
	CU_ASSERT_FALSE(store_delegation_add(db, dom, sd.org, sd.dept, 1, 1,
	    1));
	CU_ASSERT_TRUE(store_delegation_add(db, dom, sd.org, 0, 1, 0, 0));
	CU_ASSERT_FALSE(store_delegation_add(db, dom, sd.org, 0, 1, 1, 1));
	l = store_delegation_list(db, sd.customer);
	CU_ASSERT_FATAL(l != NULL);
	CU_ASSERT_EQUAL(l->n, 2);
	store_delegation_list_free(l);
	fx_teardown();
}

/* ---- profiles and endpoints ---- */

static void
test_profile(void)
{
	struct profile		 p = { 0 }, *r;
	struct profile_list	*l;
	long long		 id, id2;

	fx_setup();
	fx_seed();
	p.customer_id = sd.customer;
	p.name = "Client 2y";
	p.type = CERT_SMIME;
	p.terms = "365,730";
	p.key_types = "rsa2048,rsa3072,ec384";
	p.key_usage = "digitalSignature,keyEncipherment";
	p.ext_key_usage = "clientAuth,emailProtection";
	p.multi_domain = 1;
	p.wildcard = 1;
	p.description = "Mail signing and encryption";
	CU_ASSERT_FATAL((id = store_profile_add(db, &p)) > 0);
	r = store_profile_by_name(db, sd.customer, "Client 2y");
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_EQUAL(r->id, id);
	CU_ASSERT_EQUAL(r->customer_id, sd.customer);
	CU_ASSERT_STRING_EQUAL(r->name, "Client 2y");
	CU_ASSERT_EQUAL(r->type, CERT_SMIME);
	CU_ASSERT_STRING_EQUAL(r->terms, "365,730");
	CU_ASSERT_STRING_EQUAL(r->key_types, "rsa2048,rsa3072,ec384");
	CU_ASSERT_STRING_EQUAL(r->key_usage,
	    "digitalSignature,keyEncipherment");
	CU_ASSERT_STRING_EQUAL(r->ext_key_usage, "clientAuth,emailProtection");
	CU_ASSERT_EQUAL(r->multi_domain, 1);
	CU_ASSERT_EQUAL(r->wildcard, 1);
	CU_ASSERT_STRING_EQUAL(r->description, "Mail signing and encryption");
	store_profile_free(r);
	r = store_profile_by_id(db, sd.profile);
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_STRING_EQUAL(r->name, "SSL 1y");
	CU_ASSERT_STRING_EQUAL(r->key_usage, "");
	CU_ASSERT_EQUAL(r->wildcard, 0);
	store_profile_free(r);

	CU_ASSERT_EQUAL(store_profile_add(db, &p), 0);	/* same name */
	p.name = "Odd";
	p.type = (enum cert_type)0;	/* none of the stored names */
	CU_ASSERT_EQUAL(store_profile_add(db, &p), 0);	/* unknown type */

	l = store_profile_list(db, sd.customer);
	CU_ASSERT_FATAL(l != NULL);
	CU_ASSERT_FATAL(l->n == 2);
	CU_ASSERT_STRING_EQUAL(l->items[0]->name, "Client 2y");
	CU_ASSERT_STRING_EQUAL(l->items[1]->name, "SSL 1y");
	store_profile_list_free(l);

	/* The profiles a form account offers. */
	p.name = "Unassigned";
	p.type = CERT_SSL;
	CU_ASSERT_FATAL((id2 = store_profile_add(db, &p)) > 0);
	CU_ASSERT_TRUE(store_account_profile_add(db, sd.account, sd.profile));
	CU_ASSERT_TRUE(store_account_profile_add(db, sd.account, id));
	CU_ASSERT_FALSE(store_account_profile_add(db, sd.account, id));
	l = store_account_profiles(db, sd.account);
	CU_ASSERT_FATAL(l != NULL);
	CU_ASSERT_FATAL(l->n == 2);
	CU_ASSERT_EQUAL(l->items[0]->id, id);
	CU_ASSERT_EQUAL(l->items[1]->id, sd.profile);
	CU_ASSERT(l->items[0]->id != id2 && l->items[1]->id != id2);
	store_profile_list_free(l);
	fx_teardown();
}

/* The page lookup: a customer and its endpoint of the first type that has one. */
static void
test_customer_endpoint(void)
{
	static const enum endpoint_type scep[] = {
		ENDPOINT_SCEP_DEVICE, ENDPOINT_SCEP_SMIME
	};
	static const enum endpoint_type three[] = {
		ENDPOINT_SSL, ENDPOINT_SMIME, ENDPOINT_DEVICE
	};
	struct endpoint		 e = { 0 };
	struct customer		*c;
	struct endpoint		*ep;
	long long		 dev, mail;

	fx_setup();
	fx_seed();
	e.customer_id = sd.customer;
	e.type = ENDPOINT_SCEP_SMIME;
	e.name = "Phones";
	e.ext = "corp";
	e.help = "";
	CU_ASSERT_FATAL((mail = store_endpoint_add(db, &e)) > 0);

	/* Only the second type has "corp": that one. */
	CU_ASSERT_TRUE(store_customer_endpoint(db, "acme", scep, 2, "corp",
	    &c, &ep));
	CU_ASSERT_FATAL(c != NULL && ep != NULL);
	CU_ASSERT_EQUAL(c->id, sd.customer);
	CU_ASSERT_STRING_EQUAL(c->name, "Acme Inc.");
	CU_ASSERT_EQUAL(ep->id, mail);
	CU_ASSERT_EQUAL(ep->type, ENDPOINT_SCEP_SMIME);
	store_customer_free(c);
	store_endpoint_free(ep);

	/* Both types have it: the first type wins, as the program lists them. */
	e.type = ENDPOINT_SCEP_DEVICE;
	e.name = "Routers";
	CU_ASSERT_FATAL((dev = store_endpoint_add(db, &e)) > 0);
	CU_ASSERT_TRUE(store_customer_endpoint(db, "acme", scep, 2, "corp",
	    &c, &ep));
	CU_ASSERT_FATAL(c != NULL && ep != NULL);
	CU_ASSERT_EQUAL(ep->id, dev);
	store_customer_free(c);
	store_endpoint_free(ep);
	CU_ASSERT_TRUE(store_customer_endpoint(db, "acme", scep + 1, 1, "corp",
	    &c, &ep));
	CU_ASSERT_FATAL(ep != NULL);
	CU_ASSERT_EQUAL(ep->id, mail);
	store_customer_free(c);
	store_endpoint_free(ep);

	/* The default SSL endpoint has the empty extension; another has none. */
	CU_ASSERT_TRUE(store_customer_endpoint(db, "acme", three, 1, "",
	    &c, &ep));
	CU_ASSERT_FATAL(ep != NULL);
	CU_ASSERT_EQUAL(ep->id, sd.endpoint);
	CU_ASSERT_STRING_EQUAL(ep->ext, "");
	store_customer_free(c);
	store_endpoint_free(ep);
	CU_ASSERT_TRUE(store_customer_endpoint(db, "acme", three, 1, "corp",
	    &c, &ep));
	CU_ASSERT_PTR_NOT_NULL(c);
	CU_ASSERT_PTR_NULL(ep);
	store_customer_free(c);

	/* No types: the customer alone. */
	CU_ASSERT_TRUE(store_customer_endpoint(db, "acme", NULL, 0, NULL,
	    &c, &ep));
	CU_ASSERT_PTR_NOT_NULL(c);
	CU_ASSERT_PTR_NULL(ep);
	store_customer_free(c);

	/* An unknown customer has no endpoint, even one another customer has. */
	CU_ASSERT_TRUE(store_customer_endpoint(db, "nobody", scep, 2, "corp",
	    &c, &ep));
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_PTR_NULL(ep);

	/* More than two types is a programming error, refused. */
	CU_ASSERT_FALSE(store_customer_endpoint(db, "acme", three, 3, "",
	    &c, &ep));
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_PTR_NULL(ep);
	fx_teardown();
}

static void
test_endpoint(void)
{
	struct endpoint		 e = { 0 }, *r;
	struct endpoint_list	*l;
	long long		 id;

	fx_setup();
	fx_seed();
	e.customer_id = sd.customer;
	e.type = ENDPOINT_SCEP_DEVICE;
	e.name = "Routers";
	e.ext = "routers";
	e.help = "Ask the network team.";
	e.legacy_des = 1;
	CU_ASSERT_FATAL((id = store_endpoint_add(db, &e)) > 0);
	r = store_endpoint_find(db, sd.customer, ENDPOINT_SCEP_DEVICE, "routers");
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_EQUAL(r->id, id);
	CU_ASSERT_EQUAL(r->customer_id, sd.customer);
	CU_ASSERT_EQUAL(r->type, ENDPOINT_SCEP_DEVICE);
	CU_ASSERT_STRING_EQUAL(r->name, "Routers");
	CU_ASSERT_STRING_EQUAL(r->ext, "routers");
	CU_ASSERT_STRING_EQUAL(r->help, "Ask the network team.");
	CU_ASSERT_EQUAL(r->legacy_des, 1);
	store_endpoint_free(r);

	/* The default endpoint of a type has the empty extension. */
	r = store_endpoint_find(db, sd.customer, ENDPOINT_SSL, NULL);
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_EQUAL(r->id, sd.endpoint);
	CU_ASSERT_STRING_EQUAL(r->ext, "");
	CU_ASSERT_EQUAL(r->legacy_des, 0);
	store_endpoint_free(r);
	CU_ASSERT_PTR_NULL(store_endpoint_find(db, sd.customer, ENDPOINT_SSL, "x"));
	CU_ASSERT_PTR_NULL(store_endpoint_find(db, sd.customer, ENDPOINT_SMIME, ""));

	CU_ASSERT_TRUE(store_endpoint_set_legacy_des(db, id, 0));
	r = store_endpoint_by_id(db, id);
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_EQUAL(r->legacy_des, 0);
	store_endpoint_free(r);
	CU_ASSERT_FALSE(store_endpoint_set_legacy_des(db, id + 100, 1));

	/* One endpoint per (type, extension); unknown types are refused. */
	CU_ASSERT_EQUAL(store_endpoint_add(db, &e), 0);
	e.type = ENDPOINT__MAX;
	e.ext = "other";
	CU_ASSERT_EQUAL(store_endpoint_add(db, &e), 0);

	l = store_endpoint_list(db, sd.customer);
	CU_ASSERT_FATAL(l != NULL);
	CU_ASSERT_FATAL(l->n == 2);
	CU_ASSERT_EQUAL(l->items[0]->type, ENDPOINT_SCEP_DEVICE);
	CU_ASSERT_EQUAL(l->items[1]->type, ENDPOINT_SSL);
	store_endpoint_list_free(l);
	fx_teardown();
}

/* ---- accounts ---- */

static void
test_account(void)
{
	struct account		 a = { 0 }, *r;
	struct account_list	*l;
	char			 mac[SECRET_HMAC_HEX];
	char			*stored;
	long long		 id;

	fx_setup();
	fx_seed();
	a.endpoint_id = sd.endpoint;
	a.name = "devices";
	a.org_id = sd.org;
	a.dept_id = sd.dept;
	a.profile_id = sd.profile;
	a.term_days = 730;
	a.auto_approve = 1;
	a.manual_approval = 1;
	a.revoke_on_renewal = 1;
	a.allow_empty_p12 = 1;
	a.p12_legacy = 1;
	a.user_csr = 1;
	a.code = "Xq7-PLM2-access";
	CU_ASSERT_FATAL((id = store_account_add(db, &a)) > 0);

	r = store_account_by_code(db, sd.endpoint, "Xq7-PLM2-access");
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_EQUAL(r->id, id);
	CU_ASSERT_EQUAL(r->endpoint_id, sd.endpoint);
	CU_ASSERT_STRING_EQUAL(r->name, "devices");
	CU_ASSERT_EQUAL(r->org_id, sd.org);
	CU_ASSERT_EQUAL(r->dept_id, sd.dept);
	CU_ASSERT_EQUAL(r->profile_id, sd.profile);
	CU_ASSERT_EQUAL(r->term_days, 730);
	CU_ASSERT_EQUAL(r->auto_approve, 1);
	CU_ASSERT_EQUAL(r->manual_approval, 1);
	CU_ASSERT_EQUAL(r->revoke_on_renewal, 1);
	CU_ASSERT_EQUAL(r->allow_empty_p12, 1);
	CU_ASSERT_EQUAL(r->p12_legacy, 1);
	CU_ASSERT_EQUAL(r->user_csr, 1);
	/* The record never carries the code back out. */
	CU_ASSERT_PTR_NULL(r->code);
	store_account_free(r);

	/* Optional references read back as 0. */
	r = store_account_by_id(db, sd.account);
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_EQUAL(r->dept_id, 0);
	CU_ASSERT_EQUAL(r->profile_id, 0);
	CU_ASSERT_EQUAL(r->auto_approve, 0);
	store_account_free(r);
	r = store_account_by_name(db, sd.endpoint, "devices");
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_EQUAL(r->id, id);
	store_account_free(r);

	/* Wrong codes, near misses and other endpoints find nothing. */
	CU_ASSERT_PTR_NULL(store_account_by_code(db, sd.endpoint,
	    "Xq7-PLM2-acces"));
	CU_ASSERT_PTR_NULL(store_account_by_code(db, sd.endpoint,
	    "xq7-plm2-access"));
	CU_ASSERT_PTR_NULL(store_account_by_code(db, sd.endpoint, ""));
	CU_ASSERT_PTR_NULL(store_account_by_code(db, sd.endpoint + 100,
	    "Xq7-PLM2-access"));

	/* Only the keyed hash is in the database. */
	stored = raw_text("account", "code_hmac", id);
	CU_ASSERT_FATAL(stored != NULL);
	CU_ASSERT_PTR_NULL(strstr(stored, "Xq7-PLM2-access"));
	CU_ASSERT(is_hex(stored, 64));
	CU_ASSERT_FATAL(secret_hmac_hex("Xq7-PLM2-access", mac));
	CU_ASSERT_STRING_EQUAL(stored, mac);
	free(stored);

	/* A new code replaces the old one. */
	CU_ASSERT_TRUE(store_account_set_code(db, id, "new-code-42"));
	CU_ASSERT_PTR_NULL(store_account_by_code(db, sd.endpoint,
	    "Xq7-PLM2-access"));
	r = store_account_by_code(db, sd.endpoint, "new-code-42");
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_EQUAL(r->id, id);
	store_account_free(r);

	l = store_account_list(db, sd.endpoint);
	CU_ASSERT_FATAL(l != NULL);
	CU_ASSERT_FATAL(l->n == 2);
	CU_ASSERT_STRING_EQUAL(l->items[0]->name, "devices");
	CU_ASSERT_STRING_EQUAL(l->items[1]->name, "web team");
	store_account_list_free(l);
	fx_teardown();
}

/* An access code selects one account: the same code twice on an endpoint is refused. */
static void
test_account_duplicates(void)
{
	struct account	 a = { 0 }, *r;
	struct endpoint	 e = { 0 };
	long long	 ep2, id;

	fx_setup();
	fx_seed();
	a.endpoint_id = sd.endpoint;
	a.name = "second team";
	a.org_id = sd.org;
	a.code = "seed-code-0001";		/* the seed account's code */
	CU_ASSERT_EQUAL(store_account_add(db, &a), 0);
	CU_ASSERT_TRUE(db_was_constraint(db));
	r = store_account_by_code(db, sd.endpoint, "seed-code-0001");
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_EQUAL(r->id, sd.account);
	store_account_free(r);
	/* Changing another account's code to a taken one is refused too. */
	a.code = "unique-code";
	CU_ASSERT_FATAL((id = store_account_add(db, &a)) > 0);
	CU_ASSERT_FALSE(store_account_set_code(db, id, "seed-code-0001"));
	r = store_account_by_code(db, sd.endpoint, "unique-code");
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_EQUAL(r->id, id);
	store_account_free(r);

	/* Same name on the endpoint: refused. */
	a.name = "web team";
	a.code = "yet-another-code";
	CU_ASSERT_EQUAL(store_account_add(db, &a), 0);
	/* No code at all: refused. */
	a.name = "no code";
	a.code = NULL;
	CU_ASSERT_EQUAL(store_account_add(db, &a), 0);

	/* Another endpoint may use the same code for its own account. */
	e.customer_id = sd.customer;
	e.type = ENDPOINT_SMIME;
	e.name = "Client certificates";
	CU_ASSERT_FATAL((ep2 = store_endpoint_add(db, &e)) > 0);
	a.endpoint_id = ep2;
	a.name = "web team";
	a.code = "seed-code-0001";
	CU_ASSERT_FATAL((id = store_account_add(db, &a)) > 0);
	r = store_account_by_code(db, ep2, "seed-code-0001");
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_EQUAL(r->id, id);
	store_account_free(r);
	r = store_account_by_code(db, sd.endpoint, "seed-code-0001");
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_EQUAL(r->id, sd.account);
	store_account_free(r);
	fx_teardown();
}

/* ---- persons ---- */

static void
test_person(void)
{
	struct person	 p = { 0 }, *r;
	char		*hash;
	long long	 id;

	fx_setup();
	fx_seed();
	CU_ASSERT_FATAL((hash = secret_hash("secret-id-77")) != NULL);
	p.org_id = sd.org;
	p.dept_id = sd.dept;
	p.email = "jane.doe@example.com";
	p.first_name = "Jane";
	p.middle_name = "Q.";
	p.last_name = "Doe";
	p.common_name = "Jane Q. Doe";
	p.secret_id_hash = hash;
	CU_ASSERT_FATAL((id = store_person_add(db, &p)) > 0);

	r = store_person_by_email(db, sd.org, "jane.doe@example.com");
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_EQUAL(r->id, id);
	CU_ASSERT_EQUAL(r->org_id, sd.org);
	CU_ASSERT_EQUAL(r->dept_id, sd.dept);
	CU_ASSERT_STRING_EQUAL(r->email, "jane.doe@example.com");
	CU_ASSERT_STRING_EQUAL(r->first_name, "Jane");
	CU_ASSERT_STRING_EQUAL(r->middle_name, "Q.");
	CU_ASSERT_STRING_EQUAL(r->last_name, "Doe");
	CU_ASSERT_STRING_EQUAL(r->common_name, "Jane Q. Doe");
	CU_ASSERT_EQUAL(r->secret_failures, 0);
	/* The secret ID given at creation is what enrollment checks later. */
	CU_ASSERT_PTR_NOT_NULL(r->secret_id_hash);
	if (r->secret_id_hash != NULL) {
		CU_ASSERT_STRING_EQUAL(r->secret_id_hash, hash);
		CU_ASSERT_EQUAL(secret_verify(r->secret_id_hash,
		    "secret-id-77"), 1);
	}
	store_person_free(r);

	/* A person without a department or secret ID. */
	memset(&p, 0, sizeof(p));
	p.org_id = sd.org;
	p.email = "bob@example.com";
	CU_ASSERT_FATAL((id = store_person_add(db, &p)) > 0);
	r = store_person_by_id(db, id);
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_EQUAL(r->dept_id, 0);
	CU_ASSERT_STRING_EQUAL(r->first_name, "");
	CU_ASSERT_PTR_NULL(r->secret_id_hash);
	store_person_free(r);

	/* One person per email within an organisation. */
	CU_ASSERT_EQUAL(store_person_add(db, &p), 0);
	CU_ASSERT_PTR_NULL(store_person_by_email(db, sd.org,
	    "nobody@example.com"));
	free(hash);
	fx_teardown();
}

/* ---- requests ---- */

static const unsigned char csr_bytes[] = {
	0x30, 0x82, 0x00, 0x05, 0x00, 0xff, 0x00, 0x01, 0x02
};
static const unsigned char cert_bytes[] = {
	0x30, 0x00, 0x7f, 0x80, 0x00, 0x00, 0x42
};

/* Adds a request of the seed account with status; returns its id. */
static long long
add_request(enum req_status status, char **cert_id)
{
	struct request	 r = { 0 };
	long long	 id;

	r.customer_id = sd.customer;
	r.type = CERT_SSL;
	r.via = "web";
	r.status = status;
	r.account_id = sd.account;
	r.profile_id = sd.profile;
	r.org_id = sd.org;
	r.term_days = 365;
	r.common_name = "www.example.com";
	id = store_request_add(db, &r);
	CU_ASSERT_FATAL(id > 0);
	if (cert_id != NULL)
		*cert_id = r.cert_id;
	else
		free(r.cert_id);
	return id;
}

static void
test_request_roundtrip(void)
{
	struct request		 r = { 0 }, *g;
	struct person		 p = { 0 };
	char			*hash;
	long long		 id, pid, first;

	fx_setup();
	fx_seed();
	first = add_request(REQ_REQUESTED, NULL);
	p.org_id = sd.org;
	p.email = "jane@example.com";
	CU_ASSERT_FATAL((pid = store_person_add(db, &p)) > 0);
	CU_ASSERT_FATAL((hash = secret_hash("renew-me")) != NULL);

	set_now(T0 + 5);
	r.customer_id = sd.customer;
	r.type = CERT_SMIME;
	r.via = "scep";
	r.status = REQ_AWAITING_VALIDATION;
	r.account_id = sd.account;
	r.profile_id = sd.profile;
	r.org_id = sd.org;
	r.dept_id = sd.dept;
	r.person_id = pid;
	r.ca_id = sd.ca;
	r.term_days = 730;
	r.common_name = "Jane Doe";
	r.sans = "jane@example.com,j.doe@example.com";
	r.csr_der = (unsigned char *)csr_bytes;
	r.csr_len = sizeof(csr_bytes);
	r.requester_email = "jane@example.com";
	r.external_requesters = "ext1@example.net,ext2@example.net";
	r.comments = "for the new laptop";
	r.passphrase_hash = hash;
	r.auto_renew = 1;
	r.auto_renew_days = 30;
	r.renewal_of = first;
	CU_ASSERT_FATAL((id = store_request_add(db, &r)) > 0);
	CU_ASSERT_EQUAL(r.id, id);
	CU_ASSERT_EQUAL(r.requested_at, T0 + 5);
	CU_ASSERT(is_hex(r.cert_id, 24));

	g = store_request_by_cert_id(db, sd.customer, r.cert_id);
	CU_ASSERT_FATAL(g != NULL);
	CU_ASSERT_EQUAL(g->id, id);
	CU_ASSERT_EQUAL(g->customer_id, sd.customer);
	CU_ASSERT_STRING_EQUAL(g->cert_id, r.cert_id);
	CU_ASSERT_EQUAL(g->type, CERT_SMIME);
	CU_ASSERT_STRING_EQUAL(g->via, "scep");
	CU_ASSERT_EQUAL(g->status, REQ_AWAITING_VALIDATION);
	CU_ASSERT_EQUAL(g->account_id, sd.account);
	CU_ASSERT_EQUAL(g->profile_id, sd.profile);
	CU_ASSERT_EQUAL(g->org_id, sd.org);
	CU_ASSERT_EQUAL(g->dept_id, sd.dept);
	CU_ASSERT_EQUAL(g->person_id, pid);
	CU_ASSERT_EQUAL(g->ca_id, sd.ca);
	CU_ASSERT_EQUAL(g->term_days, 730);
	CU_ASSERT_STRING_EQUAL(g->common_name, "Jane Doe");
	CU_ASSERT_STRING_EQUAL(g->sans, "jane@example.com,j.doe@example.com");
	CU_ASSERT_STRING_EQUAL(g->subject, "");
	/* Binary data with NUL bytes comes back byte for byte. */
	CU_ASSERT_FATAL(g->csr_len == sizeof(csr_bytes));
	CU_ASSERT(memcmp(g->csr_der, csr_bytes, sizeof(csr_bytes)) == 0);
	CU_ASSERT_PTR_NULL(g->cert_der);
	CU_ASSERT_EQUAL(g->cert_len, 0);
	CU_ASSERT_PTR_NULL(g->serial);
	CU_ASSERT_EQUAL(g->not_before, 0);
	CU_ASSERT_EQUAL(g->not_after, 0);
	CU_ASSERT_STRING_EQUAL(g->requester_email, "jane@example.com");
	CU_ASSERT_STRING_EQUAL(g->external_requesters,
	    "ext1@example.net,ext2@example.net");
	CU_ASSERT_STRING_EQUAL(g->comments, "for the new laptop");
	CU_ASSERT_STRING_EQUAL(g->passphrase_hash, hash);
	CU_ASSERT_EQUAL(secret_verify(g->passphrase_hash, "renew-me"), 1);
	CU_ASSERT_EQUAL(g->pass_failures, 0);
	CU_ASSERT_EQUAL(g->auto_renew, 1);
	CU_ASSERT_EQUAL(g->auto_renew_days, 30);
	CU_ASSERT_EQUAL(g->renewal_of, first);
	CU_ASSERT_EQUAL(g->requested_at, T0 + 5);
	CU_ASSERT_EQUAL(g->approved_at, 0);
	CU_ASSERT_EQUAL(g->issued_at, 0);
	CU_ASSERT_EQUAL(g->collected_at, 0);
	CU_ASSERT_EQUAL(g->revoked_at, 0);
	CU_ASSERT_EQUAL(g->revoke_reason, 0);
	CU_ASSERT_STRING_EQUAL(g->revoke_comment, "");
	CU_ASSERT_STRING_EQUAL(g->decline_reason, "");
	store_request_free(g);

	/* The certificate ID is only valid for its own customer. */
	CU_ASSERT_PTR_NULL(store_request_by_cert_id(db, sd.customer + 1,
	    r.cert_id));
	CU_ASSERT_PTR_NULL(store_request_by_cert_id(db, sd.customer,
	    "000000000000000000000000"));
	g = store_request_by_id(db, first);
	CU_ASSERT_FATAL(g != NULL);
	/* Unset optional references read back as 0, unset texts as "". */
	CU_ASSERT_EQUAL(g->dept_id, 0);
	CU_ASSERT_EQUAL(g->person_id, 0);
	CU_ASSERT_EQUAL(g->ca_id, 0);
	CU_ASSERT_EQUAL(g->renewal_of, 0);
	CU_ASSERT_PTR_NULL(g->csr_der);
	CU_ASSERT_PTR_NULL(g->passphrase_hash);
	CU_ASSERT_STRING_EQUAL(g->sans, "");
	store_request_free(g);

	/* Passphrase failure counter. */
	CU_ASSERT_EQUAL(store_request_pass_failure(db, id, 10), 1);
	CU_ASSERT_EQUAL(store_request_pass_failure(db, id, 10), 2);
	/* The attempt that reaches the limit says so, for the lock mail. */
	CU_ASSERT_EQUAL(store_request_pass_failure(db, id, 3), 3);
	/* At the limit nothing more is counted: the lock is exact. */
	CU_ASSERT_EQUAL(store_request_pass_failure(db, id, 3), 0);
	g = store_request_by_id(db, id);
	CU_ASSERT_FATAL(g != NULL);
	CU_ASSERT_EQUAL(g->pass_failures, 3);
	store_request_free(g);
	CU_ASSERT_TRUE(store_request_pass_reset(db, id));
	g = store_request_by_id(db, id);
	CU_ASSERT_FATAL(g != NULL);
	CU_ASSERT_EQUAL(g->pass_failures, 0);
	store_request_free(g);

	/* A request must name an existing profile and a known status. */
	free(r.cert_id);
	r.cert_id = NULL;
	r.profile_id = sd.profile + 100;
	CU_ASSERT_EQUAL(store_request_add(db, &r), 0);
	free(r.cert_id);
	r.cert_id = NULL;
	r.profile_id = sd.profile;
	r.status = REQ__MAX;
	CU_ASSERT_EQUAL(store_request_add(db, &r), 0);
	free(r.cert_id);
	CU_ASSERT_EQUAL(store_request_count(db), 2);
	free(hash);
	fx_teardown();
}

/* Certificate IDs are 24 lowercase hex digits, never repeated. */
static void
test_request_cert_ids(void)
{
	enum { N = 300 };
	char		*ids[N];
	size_t		 i, j;
	int		 dup = 0, bad = 0;

	fx_setup();
	fx_seed();
	for (i = 0; i < N; i++) {
		add_request(REQ_REQUESTED, &ids[i]);
		if (!is_hex(ids[i], 24))
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	for (i = 0; i < N; i++)
		for (j = i + 1; j < N; j++)
			if (strcmp(ids[i], ids[j]) == 0)
				dup++;
	CU_ASSERT_EQUAL(dup, 0);
	CU_ASSERT_EQUAL(store_request_count(db), N);
	for (i = 0; i < N; i++)
		free(ids[i]);
	fx_teardown();
}

static void
test_request_list(void)
{
	struct request_list	*l;
	long long		 a, b, c;

	fx_setup();
	fx_seed();
	a = add_request(REQ_REQUESTED, NULL);
	b = add_request(REQ_INVITED, NULL);
	c = add_request(REQ_REQUESTED, NULL);
	l = store_request_list(db, sd.customer, NULL);
	CU_ASSERT_FATAL(l != NULL);
	CU_ASSERT_FATAL(l->n == 3);
	CU_ASSERT_EQUAL(l->items[0]->id, a);
	CU_ASSERT_EQUAL(l->items[1]->id, b);
	CU_ASSERT_EQUAL(l->items[2]->id, c);
	store_request_list_free(l);
	l = store_request_list(db, sd.customer, &(const enum req_status){ REQ_REQUESTED });
	CU_ASSERT_FATAL(l != NULL);
	CU_ASSERT_FATAL(l->n == 2);
	CU_ASSERT_EQUAL(l->items[0]->id, a);
	CU_ASSERT_EQUAL(l->items[1]->id, c);
	store_request_list_free(l);
	l = store_request_list(db, sd.customer, &(const enum req_status){ REQ_REVOKED });
	CU_ASSERT_FATAL(l != NULL);
	CU_ASSERT_EQUAL(l->n, 0);
	store_request_list_free(l);
	l = store_request_list(db, sd.customer + 1, NULL);
	CU_ASSERT_FATAL(l != NULL);
	CU_ASSERT_EQUAL(l->n, 0);
	store_request_list_free(l);
	fx_teardown();
}

/* Issuing records the certificate once; nothing re-issues or issues a declined request. */
static void
test_request_issue(void)
{
	struct request	*g;
	long long	 id, dec;

	fx_setup();
	fx_seed();
	id = add_request(REQ_REQUESTED, NULL);
	set_now(T0 + 100);
	CU_ASSERT_TRUE(store_request_set_issued(db, id, sd.ca,
	    "CN=www.example.com,O=Acme", cert_bytes, sizeof(cert_bytes),
	    "0a1b2c", T0 + 40, T0 + 40 + 365 * 86400LL));
	g = store_request_by_id(db, id);
	CU_ASSERT_FATAL(g != NULL);
	CU_ASSERT_EQUAL(g->status, REQ_ISSUED);
	CU_ASSERT_EQUAL(g->ca_id, sd.ca);
	CU_ASSERT_STRING_EQUAL(g->subject, "CN=www.example.com,O=Acme");
	CU_ASSERT_FATAL(g->cert_len == sizeof(cert_bytes));
	CU_ASSERT(memcmp(g->cert_der, cert_bytes, sizeof(cert_bytes)) == 0);
	CU_ASSERT_STRING_EQUAL(g->serial, "0a1b2c");
	CU_ASSERT_EQUAL(g->not_before, T0 + 40);
	CU_ASSERT_EQUAL(g->not_after, T0 + 40 + 365 * 86400LL);
	CU_ASSERT_EQUAL(g->issued_at, T0 + 100);
	CU_ASSERT_EQUAL(g->approved_at, T0 + 100);
	store_request_free(g);
	g = store_request_by_serial(db, "0a1b2c");
	CU_ASSERT_FATAL(g != NULL);
	CU_ASSERT_EQUAL(g->id, id);
	store_request_free(g);
	CU_ASSERT_PTR_NULL(store_request_by_serial(db, "0a1b2d"));

	/* A second issue of the same request changes nothing. */
	set_now(T0 + 200);
	CU_ASSERT_FALSE(store_request_set_issued(db, id, sd.ca, "CN=other",
	    cert_bytes, 3, "ffff", T0, T0 + 1));
	g = store_request_by_id(db, id);
	CU_ASSERT_FATAL(g != NULL);
	CU_ASSERT_STRING_EQUAL(g->serial, "0a1b2c");
	CU_ASSERT_STRING_EQUAL(g->subject, "CN=www.example.com,O=Acme");
	CU_ASSERT_EQUAL(g->cert_len, sizeof(cert_bytes));
	CU_ASSERT_EQUAL(g->issued_at, T0 + 100);
	store_request_free(g);

	/* Declined is final. */
	dec = add_request(REQ_REQUESTED, NULL);
	CU_ASSERT_TRUE(store_request_decline(db, dec, "not our domain"));
	CU_ASSERT_FALSE(store_request_decline(db, dec, "twice"));
	CU_ASSERT_FALSE(store_request_set_issued(db, dec, sd.ca, "CN=x",
	    cert_bytes, sizeof(cert_bytes), "0d0d", T0, T0 + 1));
	g = store_request_by_id(db, dec);
	CU_ASSERT_FATAL(g != NULL);
	CU_ASSERT_EQUAL(g->status, REQ_DECLINED);
	CU_ASSERT_STRING_EQUAL(g->decline_reason, "not our domain");
	CU_ASSERT_PTR_NULL(g->cert_der);
	CU_ASSERT_PTR_NULL(g->serial);
	CU_ASSERT_EQUAL(g->issued_at, 0);
	store_request_free(g);
	/* An issued certificate cannot be declined afterwards. */
	CU_ASSERT_FALSE(store_request_decline(db, id, "too late"));

	/* Serials are unique: a second certificate cannot reuse one. */
	dec = add_request(REQ_REQUESTED, NULL);
	CU_ASSERT_FALSE(store_request_set_issued(db, dec, sd.ca, "CN=y",
	    cert_bytes, sizeof(cert_bytes), "0a1b2c", T0, T0 + 1));
	CU_ASSERT_FALSE(store_request_set_issued(db, dec + 100, sd.ca, "CN=y",
	    cert_bytes, sizeof(cert_bytes), "0e0e", T0, T0 + 1));

	/* Collection is stamped once. */
	set_now(T0 + 300);
	CU_ASSERT_TRUE(store_request_collected(db, id));
	set_now(T0 + 400);
	store_request_collected(db, id);
	g = store_request_by_id(db, id);
	CU_ASSERT_FATAL(g != NULL);
	CU_ASSERT_EQUAL(g->collected_at, T0 + 300);
	store_request_free(g);
	fx_teardown();
}

/* Approval time set before issuing is kept. */
static void
test_request_status(void)
{
	struct request	*g;
	long long	 id;

	fx_setup();
	fx_seed();
	id = add_request(REQ_REQUESTED, NULL);
	CU_ASSERT_TRUE(store_request_set_status(db, id, REQ_APPROVED));
	CU_ASSERT_FALSE(store_request_set_status(db, id, REQ__MAX));
	CU_ASSERT_FALSE(store_request_set_status(db, id + 100, REQ_APPROVED));
	g = store_request_by_id(db, id);
	CU_ASSERT_FATAL(g != NULL);
	CU_ASSERT_EQUAL(g->status, REQ_APPROVED);
	store_request_free(g);
	/* Approved requests can be issued. */
	CU_ASSERT_TRUE(store_request_set_issued(db, id, sd.ca, "CN=a",
	    cert_bytes, sizeof(cert_bytes), "01", T0, T0 + 10));
	fx_teardown();
}

/* Issues request id with serial at the current clock. */
static void
issue(long long id, long long ca, const char *serial)
{
	CU_ASSERT_FATAL(store_request_set_issued(db, id, ca, "CN=x",
	    cert_bytes, sizeof(cert_bytes), serial, T0, T0 + 86400));
}

static void
test_request_revoke(void)
{
	struct request		*g;
	struct revoked_list	*l;
	long long		 a, b, c, d, pending, ca2;

	fx_setup();
	fx_seed();
	CU_ASSERT_FATAL((ca2 = store_ca_add(db, sd.customer, "Second CA",
	    "PEM", "file:/ca2.key", NULL)) > 0);
	a = add_request(REQ_REQUESTED, NULL);
	b = add_request(REQ_REQUESTED, NULL);
	c = add_request(REQ_REQUESTED, NULL);
	d = add_request(REQ_REQUESTED, NULL);
	pending = add_request(REQ_REQUESTED, NULL);
	issue(a, sd.ca, "aa");
	issue(b, sd.ca, "bb");
	issue(c, ca2, "cc");
	issue(d, sd.ca, "dd");

	/* Only an issued certificate can be revoked. */
	CU_ASSERT_FALSE(store_request_revoke(db, pending, 1, "no cert"));
	g = store_request_by_id(db, pending);
	CU_ASSERT_FATAL(g != NULL);
	CU_ASSERT_EQUAL(g->status, REQ_REQUESTED);
	CU_ASSERT_EQUAL(g->revoked_at, 0);
	store_request_free(g);

	set_now(T0 + 500);
	CU_ASSERT_TRUE(store_request_revoke(db, b, 1, "key lost"));
	set_now(T0 + 600);
	CU_ASSERT_TRUE(store_request_revoke(db, c, 4, NULL));
	set_now(T0 + 700);
	CU_ASSERT_TRUE(store_request_revoke(db, a, 5, "replaced"));
	g = store_request_by_id(db, b);
	CU_ASSERT_FATAL(g != NULL);
	CU_ASSERT_EQUAL(g->status, REQ_REVOKED);
	CU_ASSERT_EQUAL(g->revoked_at, T0 + 500);
	CU_ASSERT_EQUAL(g->revoke_reason, 1);
	CU_ASSERT_STRING_EQUAL(g->revoke_comment, "key lost");
	store_request_free(g);

	/* Revoking twice keeps the first time and reason. */
	set_now(T0 + 800);
	CU_ASSERT_FALSE(store_request_revoke(db, b, 3, "again"));
	g = store_request_by_id(db, b);
	CU_ASSERT_FATAL(g != NULL);
	CU_ASSERT_EQUAL(g->revoked_at, T0 + 500);
	CU_ASSERT_EQUAL(g->revoke_reason, 1);
	CU_ASSERT_STRING_EQUAL(g->revoke_comment, "key lost");
	store_request_free(g);

	/* Each CA's CRL lists its own revocations, oldest first. */
	l = store_revoked_list(db, sd.ca, T0 + 1000);
	CU_ASSERT_FATAL(l != NULL);
	CU_ASSERT_FATAL(l->n == 2);
	CU_ASSERT_STRING_EQUAL(l->items[0]->serial, "bb");
	CU_ASSERT_EQUAL(l->items[0]->revoked_at, T0 + 500);
	CU_ASSERT_EQUAL(l->items[0]->reason, 1);
	CU_ASSERT_STRING_EQUAL(l->items[1]->serial, "aa");
	CU_ASSERT_EQUAL(l->items[1]->revoked_at, T0 + 700);
	CU_ASSERT_EQUAL(l->items[1]->reason, 5);
	store_revoked_list_free(l);
	l = store_revoked_list(db, ca2, T0 + 1000);
	CU_ASSERT_FATAL(l != NULL);
	CU_ASSERT_FATAL(l->n == 1);
	CU_ASSERT_STRING_EQUAL(l->items[0]->serial, "cc");
	CU_ASSERT_EQUAL(l->items[0]->reason, 4);
	store_revoked_list_free(l);
	/* Past their notAfter they leave the CRL (RFC 5280 3.3). */
	l = store_revoked_list(db, sd.ca, T0 + 86400);
	CU_ASSERT_FATAL(l != NULL);
	CU_ASSERT_EQUAL(l->n, 0);
	store_revoked_list_free(l);
	l = store_revoked_list(db, ca2 + 100, T0 + 1000);
	CU_ASSERT_FATAL(l != NULL);
	CU_ASSERT_EQUAL(l->n, 0);
	store_revoked_list_free(l);
	fx_teardown();
}

/* ---- SCEP ---- */

static void
test_scep_txn(void)
{
	struct scep_txn	 t = { 0 }, *g;
	struct endpoint	 e = { 0 };
	long long	 id, ep2, req;

	fx_setup();
	fx_seed();
	req = add_request(REQ_REQUESTED, NULL);
	t.endpoint_id = sd.endpoint;
	t.transaction_id = "5A0B8D2E-TXN";
	t.pubkey_sha256 = "9f86d081884c7d659a2feaa0c55ad015"
	    "a3bf4f1b2b0b822cd15d6c15b0f00a08";
	t.status = "pending";
	t.fail_info = -1;
	CU_ASSERT_FATAL((id = store_scep_txn_add(db, &t)) > 0);
	g = store_scep_txn_get(db, sd.endpoint, "5A0B8D2E-TXN");
	CU_ASSERT_FATAL(g != NULL);
	CU_ASSERT_EQUAL(g->id, id);
	CU_ASSERT_EQUAL(g->endpoint_id, sd.endpoint);
	CU_ASSERT_STRING_EQUAL(g->transaction_id, "5A0B8D2E-TXN");
	CU_ASSERT_STRING_EQUAL(g->pubkey_sha256, t.pubkey_sha256);
	CU_ASSERT_EQUAL(g->request_id, 0);
	CU_ASSERT_STRING_EQUAL(g->status, "pending");
	CU_ASSERT_EQUAL(g->fail_info, -1);
	store_scep_txn_free(g);

	/* A retried transaction ID on the same endpoint is not a new one. */
	t.status = "success";
	CU_ASSERT_EQUAL(store_scep_txn_add(db, &t), 0);
	CU_ASSERT_TRUE(db_was_constraint(db));
	g = store_scep_txn_get(db, sd.endpoint, "5A0B8D2E-TXN");
	CU_ASSERT_FATAL(g != NULL);
	CU_ASSERT_STRING_EQUAL(g->status, "pending");
	store_scep_txn_free(g);
	/* On another endpoint the same ID is independent. */
	e.customer_id = sd.customer;
	e.type = ENDPOINT_SCEP_DEVICE;
	e.name = "SCEP";
	CU_ASSERT_FATAL((ep2 = store_endpoint_add(db, &e)) > 0);
	t.endpoint_id = ep2;
	t.status = "failure";
	t.fail_info = 0;		/* badAlg is 0, not "none" */
	CU_ASSERT_FATAL(store_scep_txn_add(db, &t) > 0);
	g = store_scep_txn_get(db, ep2, "5A0B8D2E-TXN");
	CU_ASSERT_FATAL(g != NULL);
	CU_ASSERT_STRING_EQUAL(g->status, "failure");
	CU_ASSERT_EQUAL(g->fail_info, 0);
	store_scep_txn_free(g);
	CU_ASSERT_PTR_NULL(store_scep_txn_get(db, sd.endpoint, "other"));

	/* The outcome is recorded for CertPoll. */
	CU_ASSERT_TRUE(store_scep_txn_update(db, id, "success", -1, req));
	g = store_scep_txn_by_request(db, req);
	CU_ASSERT_FATAL(g != NULL);
	CU_ASSERT_EQUAL(g->id, id);
	CU_ASSERT_STRING_EQUAL(g->status, "success");
	CU_ASSERT_EQUAL(g->fail_info, -1);
	CU_ASSERT_EQUAL(g->request_id, req);
	store_scep_txn_free(g);
	CU_ASSERT_TRUE(store_scep_txn_update(db, id, "failure", 2, 0));
	g = store_scep_txn_get(db, sd.endpoint, "5A0B8D2E-TXN");
	CU_ASSERT_FATAL(g != NULL);
	CU_ASSERT_STRING_EQUAL(g->status, "failure");
	CU_ASSERT_EQUAL(g->fail_info, 2);
	CU_ASSERT_EQUAL(g->request_id, 0);
	store_scep_txn_free(g);
	CU_ASSERT_FALSE(store_scep_txn_update(db, id, "bogus", -1, 0));
	CU_ASSERT_FALSE(store_scep_txn_update(db, id + 100, "success", -1,
	    0));
	fx_teardown();
}

static void
test_scep_challenge(void)
{
	struct scep_challenge	*c;
	char			*stored;
	long long		 id;

	fx_setup();
	fx_seed();
	CU_ASSERT_FATAL((id = store_scep_challenge_add(db, sd.account,
	    "one-time-7F3A", "*.devices.example.com", T0 + 3600)) > 0);
	stored = raw_text("scep_challenge", "code_hmac", id);
	CU_ASSERT_FATAL(stored != NULL);
	CU_ASSERT_PTR_NULL(strstr(stored, "one-time-7F3A"));
	CU_ASSERT(is_hex(stored, 64));
	free(stored);

	c = store_scep_challenge_find(db, sd.endpoint, "one-time-7F3A");
	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT_EQUAL(c->id, id);
	CU_ASSERT_EQUAL(c->account_id, sd.account);
	CU_ASSERT_STRING_EQUAL(c->subject_pattern, "*.devices.example.com");
	CU_ASSERT_EQUAL(c->expires, T0 + 3600);
	store_scep_challenge_free(c);
	CU_ASSERT_PTR_NULL(store_scep_challenge_find(db, sd.endpoint,
	    "one-time-7F3B"));
	CU_ASSERT_PTR_NULL(store_scep_challenge_find(db, sd.endpoint + 100,
	    "one-time-7F3A"));
	/* Finding does not consume it (a failed issuance keeps it). */
	c = store_scep_challenge_find(db, sd.endpoint, "one-time-7F3A");
	CU_ASSERT_PTR_NOT_NULL(c);
	store_scep_challenge_free(c);

	/* Exactly one use. */
	CU_ASSERT_EQUAL(store_scep_challenge_use(db, id), 1);
	CU_ASSERT_EQUAL(store_scep_challenge_use(db, id), 0);
	CU_ASSERT_PTR_NULL(store_scep_challenge_find(db, sd.endpoint,
	    "one-time-7F3A"));
	stored = raw_text("scep_challenge", "used_at", id);
	CU_ASSERT_FATAL(stored != NULL);
	CU_ASSERT_EQUAL(strtoll(stored, NULL, 10), T0);
	free(stored);

	/* The same code cannot be issued twice. */
	CU_ASSERT_EQUAL(store_scep_challenge_add(db, sd.account,
	    "one-time-7F3A", "", T0 + 3600), 0);
	CU_ASSERT_EQUAL(store_scep_challenge_add(db, sd.account + 100,
	    "another", "", T0 + 3600), 0);
	CU_ASSERT_EQUAL(store_scep_challenge_use(db, id + 100), 0);
	fx_teardown();
}

/* ---- throttle counters and audit ---- */

static void
test_throttle_counters(void)
{
	long long	 start;
	int		 n;

	fx_setup();
	CU_ASSERT_TRUE(store_throttle_get(db, "access-code", "192.0.2.1",
	    &start, &n));
	CU_ASSERT_EQUAL(start, 0);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_TRUE(store_throttle_set(db, "access-code", "192.0.2.1",
	    T0, 3));
	CU_ASSERT_TRUE(store_throttle_set(db, "passphrase", "192.0.2.1",
	    T0 + 9, 1));
	CU_ASSERT_TRUE(store_throttle_get(db, "access-code", "192.0.2.1",
	    &start, &n));
	CU_ASSERT_EQUAL(start, T0);
	CU_ASSERT_EQUAL(n, 3);
	/* Setting again replaces, it does not add a row. */
	CU_ASSERT_TRUE(store_throttle_set(db, "access-code", "192.0.2.1",
	    T0 + 1, 4));
	CU_ASSERT_TRUE(store_throttle_get(db, "access-code", "192.0.2.1",
	    &start, &n));
	CU_ASSERT_EQUAL(start, T0 + 1);
	CU_ASSERT_EQUAL(n, 4);
	CU_ASSERT_TRUE(store_throttle_get(db, "access-code", "192.0.2.2",
	    &start, &n));
	CU_ASSERT_EQUAL(n, 0);

	CU_ASSERT_TRUE(store_throttle_clear(db, "access-code", "192.0.2.1"));
	CU_ASSERT_TRUE(store_throttle_get(db, "access-code", "192.0.2.1",
	    &start, &n));
	CU_ASSERT_EQUAL(start, 0);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_TRUE(store_throttle_get(db, "passphrase", "192.0.2.1",
	    &start, &n));
	CU_ASSERT_EQUAL(start, T0 + 9);
	CU_ASSERT_EQUAL(n, 1);
	fx_teardown();
}

static void
test_audit(void)
{
	struct audit_list	*l;
	struct audit_event	*e;

	fx_setup();
	fx_seed();
	set_now(T0 + 1);
	CU_ASSERT_TRUE(store_audit_add(db, sd.customer, "admin",
	    "request.approve", "cert-1", "127.0.0.1", "ok", "first"));
	set_now(T0 + 2);
	CU_ASSERT_TRUE(store_audit_add(db, 0, "jane@example.com",
	    "request.revoke", NULL, NULL, "denied", NULL));
	set_now(T0 + 3);
	CU_ASSERT_TRUE(store_audit_add(db, sd.customer, "device",
	    "scep.enroll", "cn=router1", "198.51.100.3", "ok", "third"));

	/* Newest first. */
	l = store_audit_list(db, 10);
	CU_ASSERT_FATAL(l != NULL);
	CU_ASSERT_FATAL(l->n == 3);
	CU_ASSERT_STRING_EQUAL(l->items[0]->action, "scep.enroll");
	CU_ASSERT_STRING_EQUAL(l->items[1]->action, "request.revoke");
	CU_ASSERT_STRING_EQUAL(l->items[2]->action, "request.approve");
	CU_ASSERT(l->items[0]->id > l->items[1]->id);
	CU_ASSERT(l->items[1]->id > l->items[2]->id);

	e = l->items[2];
	CU_ASSERT_EQUAL(e->at, T0 + 1);
	CU_ASSERT_STRING_EQUAL(e->customer, "acme");
	CU_ASSERT_STRING_EQUAL(e->actor, "admin");
	CU_ASSERT_STRING_EQUAL(e->object, "cert-1");
	CU_ASSERT_STRING_EQUAL(e->remote, "127.0.0.1");
	CU_ASSERT_STRING_EQUAL(e->outcome, "ok");
	CU_ASSERT_STRING_EQUAL(e->detail, "first");
	e = l->items[1];
	CU_ASSERT_EQUAL(e->at, T0 + 2);
	CU_ASSERT_STRING_EQUAL(e->customer, "");
	CU_ASSERT_STRING_EQUAL(e->actor, "jane@example.com");
	CU_ASSERT_STRING_EQUAL(e->object, "");
	CU_ASSERT_STRING_EQUAL(e->remote, "");
	CU_ASSERT_STRING_EQUAL(e->outcome, "denied");
	CU_ASSERT_STRING_EQUAL(e->detail, "");
	store_audit_list_free(l);

	/* The limit keeps the newest. */
	l = store_audit_list(db, 2);
	CU_ASSERT_FATAL(l != NULL);
	CU_ASSERT_FATAL(l->n == 2);
	CU_ASSERT_STRING_EQUAL(l->items[0]->action, "scep.enroll");
	CU_ASSERT_STRING_EQUAL(l->items[1]->action, "request.revoke");
	store_audit_list_free(l);
	fx_teardown();
}

/* The test clock overrides the system clock. */
static void
test_now(void)
{
	set_now(1234567890);
	CU_ASSERT_EQUAL(store_now(), 1234567890LL);
	unsetenv("CERTDESK_NOW");
	CU_ASSERT(store_now() > 1600000000LL);
}

static void
register_store(void)
{
	CU_pSuite	 s;

	log_quiet(1);
	s = CU_add_suite("store", NULL, NULL);
	UNIT_ADD(s, test_now);
	UNIT_ADD(s, test_customer);
	UNIT_ADD(s, test_ca);
	UNIT_ADD(s, test_org_dept);
	UNIT_ADD(s, test_domain_delegation);
	UNIT_ADD(s, test_delegation_duplicate);
	UNIT_ADD(s, test_profile);
	UNIT_ADD(s, test_customer_endpoint);
	UNIT_ADD(s, test_endpoint);
	UNIT_ADD(s, test_account);
	UNIT_ADD(s, test_account_duplicates);
	UNIT_ADD(s, test_person);
	UNIT_ADD(s, test_request_roundtrip);
	UNIT_ADD(s, test_request_cert_ids);
	UNIT_ADD(s, test_request_list);
	UNIT_ADD(s, test_request_issue);
	UNIT_ADD(s, test_request_status);
	UNIT_ADD(s, test_request_revoke);
	UNIT_ADD(s, test_scep_txn);
	UNIT_ADD(s, test_scep_challenge);
	UNIT_ADD(s, test_throttle_counters);
	UNIT_ADD(s, test_audit);
}

UNIT_MAIN(register_store)
