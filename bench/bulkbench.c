/*
 * bulkbench: the two measurements bench-bulk needs besides the real
 * program — how long one key takes to generate (the reference the
 * approval is held to), and how long the CSV parser takes on a file.
 *
 *	bulkbench -k N TYPE	makes N keys of TYPE one after another;
 *				prints the mean seconds per key
 *	bulkbench -p FILE	parses FILE as a bulk CSV (profile "SSL
 *				Standard", example.com delegated, the
 *				default Server Software); prints lines,
 *				errors and milliseconds
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "bulkcsv.h"
#include "config.h"
#include "keygen.h"

/* Seconds on the monotonic clock. */
static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Times n keys of type name; returns the exit status. */
static int
keys(int n, const char *name)
{
	enum key_type	 kt = keygen_type_parse(name);
	EVP_PKEY	*k;
	double		 t0;
	int		 i;

	if (kt == KEY_NONE || n < 1)
		return 2;
	t0 = now();
	for (i = 0; i < n; i++) {
		if ((k = keygen_make(kt)) == NULL)
			return 1;
		EVP_PKEY_free(k);
	}
	printf("%.6f\n", (now() - t0) / n);
	return 0;
}

/* Times one parse of path; returns the exit status. */
static int
parse(const char *path)
{
	static const struct policy_delegation dels[] = {
		{ "example.com", 1, 0, CERT_SSL },
	};
	static const struct policy_scope scope = { dels, 1, 1, 0, NULL, NULL };
	static struct profile std = { 1, 1, "SSL Standard", CERT_SSL,
	    "365,730", "", "", "", 0, 0, "" };
	static struct profile *const profiles[] = { &std };
	const char		*sw[CONFIG_BULK_SOFTWARE_MAX];
	struct bulkcsv_rules	 ru = { profiles, 1, sw, 0, &scope,
				    KEY_RSA2048 };
	struct bulkcsv		*bc;
	FILE			*f;
	char			*data;
	long			 len;
	double			 t0, t1;

	ru.nsoftware = config_bulk_software(NULL, sw, CONFIG_BULK_SOFTWARE_MAX);
	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (data = malloc((size_t)len + 1)) == NULL ||
	    fread(data, 1, (size_t)len, f) != (size_t)len) {
		perror(path);
		return 1;
	}
	(void)fclose(f);
	t0 = now();
	bc = bulkcsv_parse(data, (size_t)len, &ru);
	t1 = now();
	if (bc == NULL)
		return 1;
	printf("%zu lines, %zu errors, %.1f ms\n", bc->nrows, bc->nerrors,
	    (t1 - t0) * 1000);
	bulkcsv_free(bc);
	free(data);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "-k") == 0)
		return keys((int)strtol(argv[2], NULL, 10), argv[3]);
	if (argc == 3 && strcmp(argv[1], "-p") == 0)
		return parse(argv[2]);
	fprintf(stderr, "usage: bulkbench -k N TYPE | -p FILE\n");
	return 2;
}
