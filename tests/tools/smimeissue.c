/*
 * smimeissue: issues one client certificate through clientcert_issue on
 * the instance $CERTDESK_CONF names, as the validation page would, for
 * tests that need one before (or without) the forms.
 *
 *	smimeissue ACCOUNT EMAIL KEYTYPE PASSWORD [CSR-FILE]
 *
 * ACCOUNT is an account of customer "demo"'s default client web form
 * endpoint; its first profile that allows the key and that profile's
 * shortest term are used.
 * With CSR-FILE (PEM or DER) the certificate is for that key and KEYTYPE
 * is ignored.  Prints the certificate ID and, when PKCS#12 files were
 * built, their pick-up secret (what the browser's cookie would hold)
 * after a space; exits 1 (message on stderr) when refused or failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "clientcert.h"
#include "keygen.h"
#include "secret.h"
#include "store.h"

/* Returns the first of the account's profiles that allows kt, or NULL. */
static const struct profile *
profile_for(const struct profile_list *l, enum key_type kt)
{
	unsigned	 mask;
	size_t		 i;

	for (i = 0; i < l->n; i++) {
		if ((mask = key_types_parse(l->items[i]->key_types)) == 0)
			mask = KEY_ALL;
		if ((mask & (unsigned)kt) != 0)
			return l->items[i];
	}
	return NULL;
}

int
main(int argc, char *argv[])
{
	struct config		*cfg = NULL;
	struct db		*db = NULL;
	struct customer		*cust = NULL;
	struct endpoint		*ep = NULL;
	struct account		*acc = NULL;
	struct profile_list	*profs = NULL;
	const struct profile	*prof;
	enum key_type		 kt;
	struct csr		*csr = NULL;
	struct clientcert_order	 o;
	struct clientcert_result res;
	struct actor		 who = { "smimeissue", "" };
	struct buf		 in = { 0 };
	char			 err[256];
	int			 terms[16], rc = 1;
	FILE			*f;
	size_t			 n;

	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: smimeissue ACCOUNT EMAIL KEYTYPE "
		    "PASSWORD [CSR-FILE]\n");
		return 2;
	}
	if ((cfg = config_load(NULL)) == NULL ||
	    !secret_init(config_get(cfg, "Secret.KeyFile", "")) ||
	    (db = db_open(config_get(cfg, "DB.Path", ""))) == NULL ||
	    (cust = store_customer_by_uri(db, "demo")) == NULL ||
	    (ep = store_endpoint_find(db, cust->id, ENDPOINT_SMIME, "")) ==
	    NULL || (acc = store_account_by_name(db, ep->id, argv[1])) ==
	    NULL || (profs = store_account_profiles(db, acc->id)) == NULL ||
	    profs->n == 0) {
		fprintf(stderr, "smimeissue: no instance, account or profile\n");
		goto out;
	}
	if (argc == 6) {
		if ((f = fopen(argv[5], "rb")) == NULL) {
			perror(argv[5]);
			goto out;
		}
		do {
			char	 chunk[4096];

			n = fread(chunk, 1, sizeof(chunk), f);
			if (n > 0 && !buf_append(&in, chunk, n))
				n = 0;
		} while (n > 0);
		fclose(f);
		if ((csr = csr_parse(in.data, in.len, err, sizeof(err))) ==
		    NULL) {
			fprintf(stderr, "smimeissue: %s\n", err);
			goto out;
		}
	}
	kt = csr != NULL ? csr->key_type : keygen_type_parse(argv[3]);
	if ((prof = profile_for(profs, kt)) == NULL ||
	    policy_terms(prof->terms, terms, 16) == 0) {
		fprintf(stderr, "smimeissue: no profile for this key\n");
		goto out;
	}
	memset(&o, 0, sizeof(o));
	o.customer_id = cust->id;
	o.account_id = acc->id;
	o.org_id = acc->org_id;
	o.dept_id = acc->dept_id;
	o.profile_id = prof->id;
	o.term_days = terms[0];
	o.key_type = kt;
	o.csr = csr;
	o.email = argv[2];
	o.first = "Test";
	o.middle = "";
	o.last = "Person";
	o.password = argv[4];
	o.via = "web";
	if (clientcert_issue(db, cfg, &o, &who, &res) != CLIENTCERT_OK) {
		fprintf(stderr, "smimeissue: %s\n", res.err);
		goto out;
	}
	printf("%s%s%s\n", res.cert_id, res.pickup ? " " : "",
	    res.pickup ? res.pickup : "");
	clientcert_result_free(&res);
	rc = 0;
out:
	buf_free(&in);
	csr_free(csr);
	store_profile_list_free(profs);
	store_account_free(acc);
	store_endpoint_free(ep);
	store_customer_free(cust);
	db_close(db);
	config_free(cfg);
	return rc;
}
