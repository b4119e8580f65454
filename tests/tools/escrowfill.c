/*
 * escrowfill: escrow blobs in bulk for tests/e2e/test_escrow.sh, on the
 * instance $CERTDESK_CONF names, without the web forms.
 *
 *	escrowfill fill N
 *		adds N client requests of customer "demo" (organisation
 *		"Demo Org"), each with a fresh EC P-256 key sealed to the
 *		active master tier key, in one transaction.
 *	escrowfill check OLD.crt OLD.key NEW.crt NEW.key
 *		opens every blob of every request with both tier keys (NEW
 *		may be "-": not written yet) and prints
 *		"requests=R old=A new=B neither=C": how many requests have a
 *		blob that opens (to a PKCS#8 key) with the old key, the new
 *		key, neither.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "config.h"
#include "db.h"
#include "escrow.h"
#include "keygen.h"
#include "secret.h"
#include "store.h"

static struct db	*db;
static struct customer	*cust;

static int
fill(int n)
{
	struct escrow_key	*k;
	struct escrow_key_list	 l;
	struct org		*o;
	struct profile		*prof;
	struct request		 r;
	EVP_PKEY		*key;
	X509			*certs[1];
	unsigned char		*p8, *der;
	size_t			 p8len = 0, len = 0;
	int			 i;

	if ((k = store_escrow_key_active(db, cust->id, ESCROW_MASTER, 0,
	    0)) == NULL || (o = store_org_by_name(db, cust->id,
	    "Demo Org")) == NULL || (prof = store_profile_by_name(db, cust->id,
	    "Client Authentication and Email")) == NULL) {
		fprintf(stderr, "escrowfill: no master key, Demo Org or "
		    "client profile\n");
		return 1;
	}
	certs[0] = k->cert;
	l.items = &k;
	l.n = 1;
	if (!db_begin(db))
		return 1;
	for (i = 0; i < n; i++) {
		memset(&r, 0, sizeof(r));
		r.customer_id = cust->id;
		r.type = CERT_SMIME;
		r.via = (char *)"admin";
		r.status = REQ_ISSUED;
		r.org_id = o->id;
		r.profile_id = prof->id;
		r.term_days = 365;
		r.common_name = (char *)"Fill";
		r.sans = (char *)"fill@example.com";
		r.requester_email = (char *)"fill@example.com";
		if ((key = keygen_make(KEY_EC256)) == NULL ||
		    store_request_add(db, &r) == 0 ||
		    (p8 = escrow_p8(key, &p8len)) == NULL ||
		    !escrow_seal(p8, p8len, certs, 1, &der, &len) ||
		    !escrow_record(db, r.id, der, len, "current", &l)) {
			fprintf(stderr, "escrowfill: cannot add blob %d\n", i);
			db_rollback(db);
			return 1;
		}
		OPENSSL_clear_free(p8, p8len);
		OPENSSL_free(der);
		EVP_PKEY_free(key);
		free(r.cert_id);
	}
	if (!db_commit(db))
		return 1;
	store_profile_free(prof);
	store_org_free(o);
	escrow_key_free(k);
	return 0;
}

/* Reads a PEM certificate and key pair; returns 1, or 0 when path is "-". */
static int
load(const char *crt, const char *keyf, X509 **x, EVP_PKEY **k)
{
	FILE	*f;

	*x = NULL;
	*k = NULL;
	if (strcmp(crt, "-") == 0)
		return 0;
	if ((f = fopen(crt, "r")) != NULL) {
		*x = PEM_read_X509(f, NULL, NULL, NULL);
		fclose(f);
	}
	if ((f = fopen(keyf, "r")) != NULL) {
		*k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		fclose(f);
	}
	return *x != NULL && *k != NULL;
}

/* Returns 1 when der opens with (x, k) to a private key. */
static int
opens(const unsigned char *der, size_t len, X509 *x, EVP_PKEY *k)
{
	unsigned char	*p8 = NULL;
	size_t		 p8len = 0;
	EVP_PKEY	*u;
	int		 ok;

	if (x == NULL || escrow_open(der, len, x, k, &p8, &p8len) !=
	    ESCROW_OPENED)
		return 0;
	u = escrow_p8_key(p8, p8len);
	ok = u != NULL;
	EVP_PKEY_free(u);
	OPENSSL_clear_free(p8, p8len);
	return ok;
}

static int
check(char **argv)
{
	sqlite3		*h = sqlite3_db_handle(db_stmt(db, STMT_CA_BY_ID));
	sqlite3_stmt	*st = NULL;
	X509		*ox, *nx;
	EVP_PKEY	*ok, *nk;
	long long	 req, last = -1, n = 0, o = 0, nw = 0, neither = 0;
	int		 have_old = 0, have_new = 0;

	if (!load(argv[0], argv[1], &ox, &ok)) {
		fprintf(stderr, "escrowfill: cannot read the old key\n");
		return 1;
	}
	(void)load(argv[2], argv[3], &nx, &nk);
	if (sqlite3_prepare_v2(h, "SELECT request_id, cms_der FROM escrow_blob"
	    " ORDER BY request_id", -1, &st, NULL) != SQLITE_OK)
		return 1;
	for (;;) {
		int	 rc = sqlite3_step(st);

		req = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -2;
		if (req != last && last != -1) {
			n++;
			o += have_old;
			nw += have_new;
			neither += !have_old && !have_new;
			have_old = have_new = 0;
		}
		if (rc != SQLITE_ROW)
			break;
		last = req;
		have_old |= opens(sqlite3_column_blob(st, 1),
		    (size_t)sqlite3_column_bytes(st, 1), ox, ok);
		have_new |= opens(sqlite3_column_blob(st, 1),
		    (size_t)sqlite3_column_bytes(st, 1), nx, nk);
	}
	sqlite3_finalize(st);
	printf("requests=%lld old=%lld new=%lld neither=%lld\n", n, o, nw,
	    neither);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct config	*cfg;
	int		 rc = 2;

	if ((cfg = config_load(NULL)) == NULL ||
	    !secret_init(config_get(cfg, "Secret.KeyFile", "")) ||
	    (db = db_open(config_get(cfg, "DB.Path", ""))) == NULL ||
	    (cust = store_customer_by_uri(db, "demo")) == NULL) {
		fprintf(stderr, "escrowfill: no instance\n");
		return 1;
	}
	if (argc == 3 && strcmp(argv[1], "fill") == 0)
		rc = fill(atoi(argv[2]));
	else if (argc == 6 && strcmp(argv[1], "check") == 0)
		rc = check(argv + 2);
	else
		fprintf(stderr, "usage: escrowfill fill N | check OLD.crt "
		    "OLD.key NEW.crt|- NEW.key|-\n");
	store_customer_free(cust);
	db_close(db);
	config_free(cfg);
	return rc;
}
