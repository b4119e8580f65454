/*
 * smimebench: times the client certificate pipeline (clientcert_issue:
 * key, signature, both PKCS#12 files, the recording transaction) on the
 * instance $CERTDESK_CONF names, per key type, and key generation alone
 * in the same run as the reference.  bench/bench-smime runs it.
 *
 *	smimebench ACCOUNT N TYPE[:N] ...
 *	smimebench -p ACCOUNT N TYPE
 *	smimebench -k N TYPE
 *
 * TYPE is rsa2048, rsa3072, rsa4096, ec256 or ec384; ":N" sets that
 * type's count.  Every issuance is for a new address, so each makes a
 * person too, as a first enrollment does.  Prints one line per type.
 * With -p it issues nothing: it leaves N Awaiting validation requests
 * for TYPE, as the access-code enrollment form does, and prints "CODE
 * EMAIL" for each, for bench-smime to validate through the web server.
 * With -k it times key generation alone and prints p50 and p99.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "clientcert.h"
#include "config.h"
#include "db.h"
#include "keygen.h"
#include "log.h"
#include "vcode.h"
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

/* -k: times n key generations of type kt; returns the exit status. */
static int
keygen_only(long n, enum key_type kt)
{
	double		*gen, t;
	long		 i;
	EVP_PKEY	*k;

	if (n < 1 || (gen = calloc((size_t)n, sizeof(*gen))) == NULL)
		return 1;
	for (i = 0; i < n; i++) {
		t = now_ms();
		k = keygen_make(kt);
		gen[i] = now_ms() - t;
		EVP_PKEY_free(k);
	}
	qsort(gen, (size_t)n, sizeof(*gen), cmp_double);
	printf("%.1f %.1f\n", quantile(gen, (size_t)n, 0.5),
	    quantile(gen, (size_t)n, 0.99));
	free(gen);
	return 0;
}

/* -p: leaves n Awaiting validation requests with their codes; prints them. */
static int
prepare(struct db *db, const struct customer *cust,
    const struct account *acc, const struct profile *prof, int term,
    long n, enum key_type kt)
{
	struct request	 r;
	char		 email[128], *code;
	long		 i;
	long long	 id;

	for (i = 0; i < n; i++) {
		snprintf(email, sizeof(email), "bench-v-%s-%ld-%ld@example.com",
		    key_type_token(kt), (long)time(NULL), i);
		memset(&r, 0, sizeof(r));
		r.customer_id = cust->id;
		r.type = CERT_SMIME;
		r.via = "web";
		r.status = REQ_AWAITING_VALIDATION;
		r.account_id = acc->id;
		r.profile_id = prof->id;
		r.org_id = acc->org_id;
		r.dept_id = acc->dept_id;
		r.term_days = term;
		r.requester_email = email;
		r.key_type = kt;
		r.first_name = "Bench";
		r.last_name = "Person";
		if (!db_begin(db))
			return 1;
		code = NULL;
		if ((id = store_request_add(db, &r)) == 0 ||
		    (code = vcode_make(db, VCODE_VALIDATION, id, 0, acc->id,
		    email, 3600)) == NULL || !db_commit(db)) {
			db_rollback(db);
			free(r.cert_id);
			free(code);
			return 1;
		}
		printf("%s %s\n", code, email);
		OPENSSL_cleanse(code, strlen(code));
		free(code);
		free(r.cert_id);
	}
	return 0;
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
	struct actor		 who = { "smimebench", "" };
	int			 terms[16], a, rc = 1;
	static unsigned long	 seq;

	int			 prep = 0;

	if (argc == 4 && strcmp(argv[1], "-k") == 0)
		return keygen_only(strtol(argv[2], NULL, 10),
		    keygen_type_parse(argv[3]));
	if (argc > 1 && strcmp(argv[1], "-p") == 0) {
		prep = 1;
		argv++;
		argc--;
	}
	if (argc < 4 || (prep && argc != 4)) {
		fprintf(stderr, "usage: smimebench [-p] ACCOUNT N TYPE[:N] "
		    "...\n       smimebench -k N TYPE\n");
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
	    profs->n == 0) {
		fprintf(stderr, "smimebench: no instance, account or profile\n");
		goto out;
	}
	if (prep) {
		enum key_type	 kt = keygen_type_parse(argv[3]);

		if ((prof = profile_for(profs, kt)) == NULL ||
		    policy_terms(prof->terms, terms, 16) == 0) {
			fprintf(stderr, "smimebench: no profile for %s\n",
			    argv[3]);
			goto out;
		}
		rc = prepare(db, cust, acc, prof, terms[0],
		    strtol(argv[2], NULL, 10), kt);
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
		if ((kt = keygen_type_parse(type)) == KEY_NONE || n < 1 ||
		    (prof = profile_for(profs, kt)) == NULL ||
		    policy_terms(prof->terms, terms, 16) == 0) {
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
			o.profile_id = prof->id;
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
