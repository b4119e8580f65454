/* admin: shared pieces of the certdesk command-line tool. */
#ifndef CERTDESK_ADMIN_H
#define CERTDESK_ADMIN_H

#include <stdio.h>

#include "config.h"
#include "db.h"
#include "issue.h"
#include "store.h"

/* What every command gets: open config and database, the chosen customer. */
struct admin {
	struct config	*cfg;
	struct db	*db;
	struct customer	*customer;	/* NULL until admin_customer() */
	const char	*customer_uri;	/* --customer, or NULL */
	int		 json;		/* --json */
	struct actor	 actor;
};

/* One option of a command: --name VALUE (str) or --name (flag). */
struct opt {
	const char	*name;
	const char	**str;		/* for options with a value */
	int		*flag;		/* for switches */
	const char	*help;
};

/* A command: group and verb, its handler, usage text. */
struct command {
	const char	*group;
	const char	*verb;
	int		(*run)(struct admin *, int argc, char **argv);
	const char	*usage;
	const char	*summary;
};

/*
 * Parses argv against opts (a NULL-named terminator ends it); positional
 * arguments are gathered in pos (at most maxpos).  Returns the number of
 * positionals, -1 on a usage error (already reported), -2 for --help.
 */
int	 admin_args(int argc, char **argv, const struct opt *opts,
	    char **pos, int maxpos);
/*
 * Returns the leading decimal number of s as atoi(3) would (0 when there
 * is none), clamped to int's range instead of overflowing.
 */
int	 admin_int(const char *s);
/* admin_args for commands whose only option is --json (sets a->json). */
int	 admin_args_json(struct admin *, int argc, char **argv, char **pos,
	    int maxpos);
/* Prints a message to stderr prefixed "certdesk: " and returns 1. */
int	 admin_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Returns the selected customer (loaded once), or NULL after reporting why. */
struct customer *admin_customer(struct admin *);
/* Writes s as a JSON string literal (with quotes) to f. */
void	 json_str(FILE *f, const char *s);
/* Reads a secret: the value itself, or from stdin when it is "-"; caller frees. */
char	*admin_secret_arg(const char *value);
/*
 * Returns the contents of path, at most max bytes and NUL-terminated, in
 * *len (caller frees; cleansed on the error paths), or NULL after
 * reporting.
 */
char	*admin_read_file(const char *path, size_t max, size_t *len);
/* Audits a change made by the administrator. */
void	 admin_audit(struct admin *, const char *action, const char *object,
	    const char *detail);
/* Writes the database's path (DB.Path, or certdesk.db in State.Dir) into buf. */
void	 admin_db_path(struct admin *, char *buf, size_t len);
/* Sends the notification that follows an issue/decline/revoke; logs failures. */
void	 admin_notify(struct admin *, long long request_id, const char *event);

extern const struct command admin_setup_commands[];
extern const struct command admin_org_commands[];
extern const struct command admin_profile_commands[];
extern const struct command admin_request_commands[];
extern const struct command admin_maintain_commands[];
extern const struct command admin_backup_commands[];
extern const struct command admin_person_commands[];
extern const struct command admin_escrow_commands[];
extern const struct command admin_bulk_commands[];

#endif
