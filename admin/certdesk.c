/*
 * certdesk: the administrator's command-line tool.  Every change it makes
 * writes an audit event; errors go to stderr and exit with status 1.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "admin.h"
#include "log.h"
#include "notify.h"
#include "secret.h"

static const struct command *const command_tables[] = {
	admin_setup_commands,
	admin_org_commands,
	admin_profile_commands,
	admin_person_commands,
	admin_escrow_commands,
	admin_request_commands,
	admin_bulk_commands,
	admin_maintain_commands,
	admin_backup_commands,
	NULL
};

int
admin_fail(const char *fmt, ...)
{
	va_list	 ap;

	fputs("certdesk: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

int
admin_args(int argc, char **argv, const struct opt *opts, char **pos,
    int maxpos)
{
	int	 i, npos = 0;

	for (i = 0; i < argc; i++) {
		const struct opt	*o;
		const char		*name, *eq, *val = NULL;
		size_t			 nlen;

		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return -2;
		if (strncmp(argv[i], "--", 2) != 0 || argv[i][2] == '\0') {
			if (npos == maxpos) {
				admin_fail("unexpected argument '%s'", argv[i]);
				return -1;
			}
			pos[npos++] = argv[i];
			continue;
		}
		name = argv[i] + 2;
		eq = strchr(name, '=');
		nlen = eq ? (size_t)(eq - name) : strlen(name);
		for (o = opts; o->name != NULL; o++)
			if (strlen(o->name) == nlen &&
			    strncmp(o->name, name, nlen) == 0)
				break;
		if (o->name == NULL) {
			admin_fail("unknown option --%.*s (see --help)",
			    (int)nlen, name);
			return -1;
		}
		if (o->flag != NULL) {
			if (eq != NULL) {
				admin_fail("--%s takes no value", o->name);
				return -1;
			}
			*o->flag = 1;
			continue;
		}
		/* An entry with neither slot is a mistake in a command table. */
		if (o->str == NULL) {
			admin_fail("--%s cannot be used", o->name);
			return -1;
		}
		if (eq != NULL)
			val = eq + 1;
		else if (i + 1 < argc)
			val = argv[++i];
		else {
			admin_fail("--%s needs a value", o->name);
			return -1;
		}
		*o->str = val;
	}
	return npos;
}

int
admin_int(const char *s)
{
	long	 v;

	v = strtol(s, NULL, 10);
	if (v > INT_MAX)
		return INT_MAX;
	if (v < INT_MIN)
		return INT_MIN;
	return (int)v;
}

int
admin_args_json(struct admin *a, int argc, char **argv, char **pos,
    int maxpos)
{
	const struct opt	 opts[] = {
		{ "json", NULL, &a->json, "JSON output" },
		{ NULL, NULL, NULL, NULL }
	};

	return admin_args(argc, argv, opts, pos, maxpos);
}

void
json_str(FILE *f, const char *s)
{
	const unsigned char	*p;

	fputc('"', f);
	for (p = (const unsigned char *)(s ? s : ""); *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

struct customer *
admin_customer(struct admin *a)
{
	struct customer_list	*l;

	if (a->customer != NULL)
		return a->customer;
	if (a->customer_uri != NULL) {
		a->customer = store_customer_by_uri(a->db, a->customer_uri);
		if (a->customer == NULL)
			admin_fail("no customer '%s' (see: certdesk customer "
			    "list)", a->customer_uri);
		return a->customer;
	}
	/* With exactly one customer, --customer is optional. */
	if ((l = store_customer_list(a->db)) == NULL)
		return NULL;
	if (l->n == 1) {
		a->customer = l->items[0];
		l->n = 0;
	} else if (l->n == 0)
		admin_fail("no customer yet (run: certdesk customer add URI "
		    "--name NAME)");
	else
		admin_fail("several customers: choose one with --customer URI");
	store_customer_list_free(l);
	return a->customer;
}

char *
admin_secret_arg(const char *value)
{
	char	 line[1024];
	size_t	 n;

	if (value == NULL)
		return NULL;
	if (strcmp(value, "-") != 0)
		return strdup(value);
	/* From stdin, so the secret stays out of ps and shell history. */
	if (fgets(line, sizeof(line), stdin) == NULL)
		return NULL;
	n = strcspn(line, "\r\n");
	line[n] = '\0';
	value = strdup(line);
	OPENSSL_cleanse(line, sizeof(line));
	return (char *)value;
}

char *
admin_read_file(const char *path, size_t max, size_t *len)
{
	FILE	*f;
	char	*data;
	size_t	 n;

	if ((f = fopen(path, "rb")) == NULL) {
		admin_fail("cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	if ((data = malloc(max + 2)) == NULL) {
		(void)fclose(f);
		admin_fail("out of memory");
		return NULL;
	}
	n = fread(data, 1, max + 1, f);
	if (ferror(f)) {
		admin_fail("cannot read %s", path);
		(void)fclose(f);
		OPENSSL_cleanse(data, max + 2);
		free(data);
		return NULL;
	}
	(void)fclose(f);
	if (n > max) {
		admin_fail("%s is larger than %zu bytes", path, max);
		OPENSSL_cleanse(data, max + 2);
		free(data);
		return NULL;
	}
	data[n] = '\0';
	*len = n;
	return data;
}

void
admin_audit(struct admin *a, const char *action, const char *object,
    const char *detail)
{
	audit_event(a->db, a->customer ? a->customer->id : 0, &a->actor,
	    action, object, "success", detail);
}

void
admin_notify(struct admin *a, long long id, const char *event)
{
	enum notify_event	 ev;

	if (strcmp(event, "issued") == 0)
		ev = NOTIFY_COLLECT;
	else if (strcmp(event, "declined") == 0)
		ev = NOTIFY_DECLINED;
	else
		ev = NOTIFY_REVOKED;
	if (!notify_request(a->db, a->cfg, id, ev))
		fprintf(stderr, "certdesk: warning: the %s email could not be "
		    "sent (see the log); the request itself is recorded\n",
		    event);
}

/* Prints the list of commands. */
static void
usage(FILE *f)
{
	const struct command *const	*t;
	const struct command		*c;

	fputs("Usage: certdesk [--config FILE] [--customer URI] [--json] "
	    "GROUP COMMAND [ARGS]\n\nCommands:\n", f);
	for (t = command_tables; *t != NULL; t++)
		for (c = *t; c->group != NULL; c++) {
			char	 name[64];

			/* One name column, so help2man makes one entry of it. */
			snprintf(name, sizeof(name), "%s%s%s", c->group,
			    c->verb ? " " : "", c->verb ? c->verb : "");
			fprintf(f, "  %-18s  %s\n", name, c->summary);
		}
	fputs("\nOptions:\n  --config FILE   read FILE instead of the default "
	    "configuration\n  --customer URI  the customer the command "
	    "acts on\n  --json          JSON output from list and show "
	    "commands\n  --help          this list\n  --version       "
	    "the version of certdesk\n", f);
	fputs("\nEach command has --help.  The configuration is read from "
	    "--config, $CERTDESK_CONF\nor " CONFIG_DEFAULT_PATH ".\n", f);
}

/* Creates dir (and parents) with mode; returns 1 on success. */
static int
mkdirs(const char *dir, mode_t mode)
{
	char	 p[4096], *s;

	if (snprintf(p, sizeof(p), "%s", dir) >= (int)sizeof(p))
		return 0;
	for (s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) == -1 && errno != EEXIST)
			return 0;
		*s = '/';
	}
	if (mkdir(p, mode) == -1)
		return errno == EEXIST;
	/* The mode asked for, not what the umask left of it. */
	return chmod(p, mode) == 0;
}

void
admin_db_path(struct admin *a, char *buf, size_t len)
{
	const char	*dbpath = config_get(a->cfg, "DB.Path", NULL);

	if (dbpath != NULL)
		snprintf(buf, len, "%s", dbpath);
	else
		snprintf(buf, len, "%s/certdesk.db",
		    config_get(a->cfg, "State.Dir", "/var/lib/certdesk"));
}

/* Opens the state the commands need; `init` creates it first. */
static int
admin_open(struct admin *a, int creating)
{
	const char	*state = config_get(a->cfg, "State.Dir", "/var/lib/certdesk");
	char		 buf[4096], dbpath[4096], keyp[4096];

	if (creating) {
		if (!mkdirs(state, 0751)) {
			return admin_fail("cannot create %s: %s", state,
			    strerror(errno));
		}
		snprintf(buf, sizeof(buf), "%s/keys", state);
		if (!mkdirs(buf, 0700))
			return admin_fail("cannot create %s", buf);
		if (!mkdirs(config_get(a->cfg, "CRL.Dir", "/var/lib/certdesk/crl"),
		    0755))
			return admin_fail("cannot create the CRL directory");
	}
	admin_db_path(a, dbpath, sizeof(dbpath));
	snprintf(keyp, sizeof(keyp), "%s",
	    config_get(a->cfg, "Secret.KeyFile", "/var/lib/certdesk/server.key"));
	if (!creating && access(dbpath, F_OK) == -1)
		return admin_fail("no database at %s (run: certdesk init)", dbpath);
	if (!secret_init(keyp))
		return admin_fail("cannot load the server key %s", keyp);
	if ((a->db = db_open(dbpath)) == NULL)
		return admin_fail("cannot open the database %s", dbpath);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct admin			 a;
	const struct command *const	*t;
	const struct command		*c, *found = NULL;
	const char			*cfgpath = NULL;
	int				 i, rc, nodb = 0;

	memset(&a, 0, sizeof(a));
	log_init("certdesk");
	log_quiet(1);
	/* Before any passphrase, secret ID or key is read. */
	if (!secret_no_dumps())
		return 1;
	a.actor.name = "admin";
	a.actor.remote = "cli";
	umask(027);

	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			cfgpath = argv[++i];
		else if (strcmp(argv[i], "--customer") == 0 && i + 1 < argc)
			a.customer_uri = argv[++i];
		else if (strcmp(argv[i], "--json") == 0)
			a.json = 1;
		else if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("certdesk %s\n", CERTDESK_VERSION);
			return 0;
		} else {
			usage(stderr);
			return 1;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 1;
	}
	for (t = command_tables; *t != NULL && found == NULL; t++)
		for (c = *t; c->group != NULL; c++) {
			nodb = *t == admin_backup_commands;
			if (strcmp(c->group, argv[i]) != 0)
				continue;
			if (c->verb == NULL ||
			    (i + 1 < argc && strcmp(c->verb, argv[i + 1]) == 0)) {
				found = c;
				break;
			}
		}
	if (found == NULL) {
		admin_fail("unknown command '%s%s%s' (see certdesk --help)",
		    argv[i], i + 1 < argc ? " " : "", i + 1 < argc ? argv[i + 1] : "");
		return 1;
	}
	i += found->verb ? 2 : 1;
	/* --help works without any configuration or database. */
	for (rc = i; rc < argc; rc++)
		if (strcmp(argv[rc], "--help") == 0 || strcmp(argv[rc], "-h") == 0) {
			printf("usage: certdesk %s\n\n%s\n", found->usage,
			    found->summary);
			return 0;
		}
	if ((a.cfg = config_load(cfgpath)) == NULL)
		return admin_fail("cannot read the configuration %s",
		    cfgpath ? cfgpath : (getenv("CERTDESK_CONF") ?
		    getenv("CERTDESK_CONF") : CONFIG_DEFAULT_PATH));
	if (!nodb && admin_open(&a, found->verb == NULL &&
	    strcmp(found->group, "init") == 0) != 0) {
		config_free(a.cfg);
		return 1;
	}
	rc = found->run(&a, argc - i, argv + i);
	if (rc == -2) {
		/* --help was handled above, so this is a usage error. */
		fprintf(stderr, "usage: certdesk %s\n", found->usage);
		rc = 1;
	} else if (rc != 0)
		rc = 1;
	store_customer_free(a.customer);
	db_close(a.db);
	config_free(a.cfg);
	secret_done();
	return rc;
}
