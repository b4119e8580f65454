/*
 * smimebench: times the client certificate pipeline (clientcert_issue:
 * key, signature, both PKCS#12 files, the recording transaction) on the
 * instance $CERTDESK_CONF names, per key type, and key generation alone
 * in the same run as the reference.  bench/bench-smime runs it.
 *
 *	smimebench ACCOUNT N TYPE[:N] ...
 *
 * TYPE is rsa2048, rsa3072, rsa4096, ec256 or ec384; ":N" sets that
 * type's count.  Every issuance is for a new address, so each makes a
 * person too, as a first enrollment does.  Prints one line per type.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "clientcert.h"
#include "config.h"
#include "db.h"
#include "keygen.h"
#include "log.h"
#include "secret.h"
#include "store.h"

/* Returns the monotonic clock in milliseconds. */
static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Returns the q-quantile (nearest rank) of the n sorted values. */
static double
quantile(const double *v, size_t n, double q)
{
	size_t	 i = (size_t)(q * (double)n + 0.999999);

	if (i == 0)
		i = 1;
	return v[(i > n ? n : i) - 1];
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
	struct actor		 who = { "smimebench", "" };
	int			 terms[16], a, rc = 1;
	static unsigned long	 seq;

	if (argc < 4) {
		fprintf(stderr, "usage: smimebench ACCOUNT N TYPE[:N] ...\n");
		return 2;
	}
	log_quiet(1);
	if ((cfg = config_load(NULL)) == NULL ||
	    !secret_init(config_get(cfg, "Secret.KeyFile", "")) ||
	    (db = db_open(config_get(cfg, "DB.Path", ""))) == NULL ||
	    (cust = store_customer_by_uri(db, "demo")) == NULL ||
	    (ep = store_endpoint_find(db, cust->id, ENDPOINT_SMIME, "")) ==
	    NULL || (acc = store_account_by_name(db, ep->id, argv[1])) ==
	    NULL || (profs = store_account_profiles(db, acc->id)) == NULL ||
	    profs->n == 0 ||
	    policy_terms(profs->items[0]->terms, terms, 16) == 0) {
		fprintf(stderr, "smimebench: no instance, account or profile\n");
		goto out;
	}
	printf("%-8s %5s %10s %10s %10s %10s %12s\n", "key", "n",
	    "issue p50", "issue p99", "keygen p50", "keygen p99",
	    "keygen/issue");
	for (a = 3; a < argc; a++) {
		char		 type[16], email[128], *colon;
		enum key_type	 kt;
		long		 n = strtol(argv[2], NULL, 10);
		double		*iss, *gen, t;
		long		 i;

		snprintf(type, sizeof(type), "%s", argv[a]);
		if ((colon = strchr(type, ':')) != NULL) {
			*colon = '\0';
			n = strtol(colon + 1, NULL, 10);
		}
		if ((kt = keygen_type_parse(type)) == KEY_NONE || n < 1) {
			fprintf(stderr, "smimebench: %s?\n", argv[a]);
			goto out;
		}
		iss = calloc((size_t)n, sizeof(*iss));
		gen = calloc((size_t)n, sizeof(*gen));
		if (iss == NULL || gen == NULL)
			goto out;
		/* Interleaved, so both see the same machine state. */
		for (i = 0; i < n; i++) {
			struct clientcert_order	 o;
			struct clientcert_result res;
			EVP_PKEY		*k;

			t = now_ms();
			k = keygen_make(kt);
			gen[i] = now_ms() - t;
			EVP_PKEY_free(k);
			memset(&o, 0, sizeof(o));
			snprintf(email, sizeof(email),
			    "bench-%s-%ld-%lu@example.com", type, (long)time(NULL),
			    seq++);
			o.customer_id = cust->id;
			o.account_id = acc->id;
			o.org_id = acc->org_id;
			o.dept_id = acc->dept_id;
			o.profile_id = profs->items[0]->id;
			o.term_days = terms[0];
			o.key_type = kt;
			o.email = email;
			o.first = "Bench";
			o.middle = "";
			o.last = "Person";
			o.password = "bench password 1";
			o.via = "web";
			t = now_ms();
			if (clientcert_issue(db, cfg, &o, &who, &res) !=
			    CLIENTCERT_OK) {
				fprintf(stderr, "smimebench: %s\n", res.err);
				free(iss);
				free(gen);
				goto out;
			}
			iss[i] = now_ms() - t;
			free(res.cert_id);
		}
		qsort(iss, (size_t)n, sizeof(*iss), cmp_double);
		qsort(gen, (size_t)n, sizeof(*gen), cmp_double);
		printf("%-8s %5ld %7.1f ms %7.1f ms %7.1f ms %7.1f ms %12.2f\n",
		    type, n, quantile(iss, (size_t)n, 0.5),
		    quantile(iss, (size_t)n, 0.99), quantile(gen, (size_t)n,
		    0.5), quantile(gen, (size_t)n, 0.99),
		    quantile(gen, (size_t)n, 0.5) / quantile(iss, (size_t)n,
		    0.5));
		fflush(stdout);
		free(iss);
		free(gen);
	}
	rc = 0;
out:
	store_profile_list_free(profs);
	store_account_free(acc);
	store_endpoint_free(ep);
	store_customer_free(cust);
	db_close(db);
	config_free(cfg);
	return rc;
}
