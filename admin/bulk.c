/*
 * admin bulk commands: bulk SSL enrollment requests (BER) — list, show,
 * approve or decline them whole or line by line (SCR), issue the
 * approved lines on every core, and resend the download links.
 */
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "bulk.h"
#include "log.h"
#include "throttle.h"

#define MAX_SCRS	10000
#define BAR_WIDTH	40

/* Formats an epoch time ("-" for none) into out. */
static const char *
when(long long t, char *out, size_t len)
{
	time_t		 tt = (time_t)t;
	struct tm	 tm;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL)
		snprintf(out, len, "-");
	else
		strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return out;
}

/* Returns the customer's bulk request named by the text id, or NULL after reporting. */
static struct bulk_request *
find_bulk(struct admin *a, const char *text)
{
	struct bulk_request	*b = NULL;
	char			*end;
	long long		 id;

	if (admin_customer(a) == NULL)
		return NULL;
	id = strtoll(text, &end, 10);
	if (*text != '\0' && *end == '\0' && id > 0)
		b = store_bulk_by_id(a->db, id);
	if (b != NULL && b->customer_id != a->customer->id) {
		store_bulk_free(b);
		b = NULL;
	}
	if (b == NULL)
		admin_fail("no bulk request %s", text);
	return b;
}

/* Prints one request as a line or a JSON object (left open unless close). */
static void
print_bulk(struct admin *a, const struct bulk_request *b, size_t lines,
    int first, int close)
{
	char	 t[32];

	if (a->json) {
		printf("%s{\"id\":%lld,\"status\":", first ? "" : ",", b->id);
		json_str(stdout, store_ber_status_name(b->status));
		printf(",\"requester\":");
		json_str(stdout, b->requester_email);
		printf(",\"key_type\":");
		json_str(stdout, key_type_token(b->key_type));
		printf(",\"lines\":%zu,\"locked\":%s,\"created\":", lines,
		    b->pass_failures >= THROTTLE_LIMIT ? "true" : "false");
		json_str(stdout, when(b->created, t, sizeof(t)));
		if (close)
			printf("}");
		return;
	}
	printf("%-6lld %-18s %-8s %5zu  %s  %s\n", b->id,
	    store_ber_status_name(b->status), key_type_token(b->key_type),
	    lines, when(b->created, t, sizeof(t)), b->requester_email);
}

static int
cmd_bulk_list(struct admin *a, int argc, char **argv)
{
	struct bulk_list	*l;
	struct bulk_item_list	*items;
	char			*pos[1];
	size_t			 i;

	if (admin_args_json(a, argc, argv, pos, 0) != 0)
		return -2;
	if (admin_customer(a) == NULL)
		return 1;
	if ((l = store_bulk_list(a->db, a->customer->id)) == NULL)
		return admin_fail("cannot list bulk requests");
	if (a->json)
		printf("[");
	else if (l->n > 0)
		printf("%-6s %-18s %-8s %5s  %-20s  %s\n", "ID", "STATUS", "KEY",
		    "LINES", "CREATED", "REQUESTER");
	for (i = 0; i < l->n; i++) {
		items = store_bulk_items(a->db, l->items[i]->id);
		print_bulk(a, l->items[i], items != NULL ? items->n : 0, i == 0,
		    1);
		store_bulk_item_list_free(items);
	}
	if (a->json)
		printf("]\n");
	store_bulk_list_free(l);
	return 0;
}

static int
cmd_bulk_show(struct admin *a, int argc, char **argv)
{
	struct bulk_request	*b;
	struct bulk_item_list	*items;
	char			*pos[1], t[32];
	size_t			 i;

	if (admin_args_json(a, argc, argv, pos, 1) != 1)
		return -2;
	if ((b = find_bulk(a, pos[0])) == NULL)
		return 1;
	if ((items = store_bulk_items(a->db, b->id)) == NULL) {
		store_bulk_free(b);
		return admin_fail("cannot read bulk request %s", pos[0]);
	}
	if (a->json) {
		print_bulk(a, b, items->n, 1, 0);
		printf(",\"scrs\":[");
		for (i = 0; i < items->n; i++) {
			const struct bulk_item *it = items->items[i];

			printf("%s{\"scr\":%d,\"line\":%d,\"common_name\":",
			    i ? "," : "", it->scr, it->line);
			json_str(stdout, it->common_name);
			printf(",\"names\":");
			json_str(stdout, it->names);
			printf(",\"profile\":");
			json_str(stdout, it->profile);
			printf(",\"term_days\":%d,\"server_software\":",
			    it->term_days);
			json_str(stdout, it->server_software);
			printf(",\"status\":");
			json_str(stdout, store_scr_status_name(it->status));
			printf(",\"icr\":");
			json_str(stdout, it->cert_id);
			printf(",\"icr_status\":");
			json_str(stdout, it->has_icr ?
			    store_status_name(it->icr_status) : "");
			printf(",\"reason\":");
			json_str(stdout, it->reason);
			printf("}");
		}
		printf("]}\n");
	} else {
		printf("request     %lld\nstatus      %s\nrequester   %s\n"
		    "key         %s\ncreated     %s\n", b->id,
		    store_ber_status_name(b->status), b->requester_email,
		    key_type_name(b->key_type), when(b->created, t, sizeof(t)));
		if (b->completed_at)
			printf("completed   %s\n", when(b->completed_at, t,
			    sizeof(t)));
		if (b->download_expires)
			printf("links until %s\n", when(b->download_expires, t,
			    sizeof(t)));
		if (b->pass_failures > 0)
			printf("passphrase  %d failed attempts%s\n",
			    b->pass_failures, b->pass_failures >=
			    THROTTLE_LIMIT ? " (locked; certdesk bulk unlock)" :
			    "");
		printf("\n%-4s %-5s %-18s %-26s %-9s %s\n", "SCR", "LINE",
		    "STATUS", "ICR", "ICR-STAT", "NAMES (PROFILE, DAYS)");
		for (i = 0; i < items->n; i++) {
			const struct bulk_item *it = items->items[i];

			printf("%-4d %-5d %-18s %-26s %-9s %s (%s, %d)%s%s\n",
			    it->scr, it->line, store_scr_status_name(it->status),
			    it->cert_id[0] ? it->cert_id : "-", it->has_icr ?
			    store_status_name(it->icr_status) : "-", it->names,
			    it->profile, it->term_days, it->reason[0] ? ": " :
			    "", it->reason);
		}
	}
	store_bulk_item_list_free(items);
	store_bulk_free(b);
	return 0;
}

/*
 * Reads the SCR numbers of --scr LIST (commas) and of the positionals
 * after the request; returns how many into scrs, or -1 after reporting.
 */
static int
scr_numbers(const char *list, char **pos, int npos, int *scrs)
{
	char	*copy, *tok, *save = NULL, *p, *end;
	int	 n = 0, i;
	long	 v;

	if (list == NULL) {
		if (npos > 1) {
			admin_fail("unexpected argument '%s' (use --scr)",
			    pos[1]);
			return -1;
		}
		return 0;
	}
	if ((copy = strdup(list)) == NULL)
		return -1;
	for (i = 0, p = copy; ; p = NULL) {
		if ((tok = strtok_r(p, ", ", &save)) == NULL) {
			if (++i >= npos)
				break;
			free(copy);
			if ((copy = strdup(pos[i])) == NULL)
				return -1;
			save = NULL;
			p = copy;
			if ((tok = strtok_r(p, ", ", &save)) == NULL)
				continue;
		}
		v = strtol(tok, &end, 10);
		if (*end != '\0' || v < 1 || v > MAX_SCRS || n == MAX_SCRS) {
			free(copy);
			admin_fail("'%s' is not a line (SCR) number", tok);
			return -1;
		}
		scrs[n++] = (int)v;
	}
	free(copy);
	return n;
}

/* Seconds on the monotonic clock. */
static double
mono(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Draws the progress bar, or prints one line per SCR when not on a terminal. */
static void
progress(int tty, size_t done, size_t total, size_t issued, size_t failed,
    int scr, const char *what, const char *msg)
{
	size_t	 fill = total ? done * BAR_WIDTH / total : BAR_WIDTH, i;

	if (!tty) {
		printf("SCR %d: %s%s%s\n", scr, what, msg[0] ? ": " : "", msg);
		(void)fflush(stdout);
		return;
	}
	printf("\r[");
	for (i = 0; i < BAR_WIDTH; i++)
		putchar(i < fill ? '#' : ' ');
	printf("] %zu/%zu issued %zu failed %zu", done, total, issued, failed);
	(void)fflush(stdout);
}

/*
 * A worker process: takes the next line of ids from the shared counter
 * next until none is left, issues it and reports it on fd.  Taking lines
 * one at a time, rather than a fixed share each, keeps every core busy
 * to the end although RSA key generation varies widely in cost.
 */
static void __attribute__((noreturn))
worker(struct admin *a, long long id, const long long *ids, size_t nids,
    size_t *next, int fd, pid_t parent)
{
	size_t			 k;
	struct bulk_worker	*w = NULL;
	struct db		*db;
	char			 path[4096], err[200], line[300];
	enum bulk_outcome	 o;
	double			 kg;
	int			 scr, len;

	/* If the administrator kills the command, its workers go too. */
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	admin_db_path(a, path, sizeof(path));
	if ((db = db_open(path)) == NULL ||
	    (w = bulk_worker_new(db, a->cfg, id, &a->actor)) == NULL)
		_exit(1);
	while ((k = __atomic_fetch_add(next, 1, __ATOMIC_SEQ_CST)) < nids) {
		scr = 0;
		err[0] = '\0';
		o = bulk_process_item(w, ids[k], &scr, &kg, err, sizeof(err));
		/* One write per line, shorter than PIPE_BUF: never interleaved. */
		len = snprintf(line, sizeof(line), "%d %d %.6f %s\n", scr,
		    (int)o, kg, err);
		if (len > 0 && write(fd, line, (size_t)len) != len)
			break;
	}
	bulk_worker_free(w);
	db_close(db);
	_exit(0);
}

/*
 * Takes the lock of request id for this run and its workers, waiting
 * while another run (a concurrent approve or process) holds it, so no
 * line is generated and signed twice.  It is an open file description
 * lock on byte id of one file beside the database: the forked workers
 * share it, and the kernel drops it when they all end, kill -9 included,
 * so an interrupted run stays resumable.  Returns the descriptor to
 * close when done, or -1 after reporting.
 */
static int
lock_bulk(struct admin *a, long long id)
{
	struct flock	 fl;
	char		 path[4096];
	size_t		 len;
	int		 fd;

	admin_db_path(a, path, sizeof(path));
	len = strlen(path);
	if (len + sizeof("-bulk.lock") > sizeof(path)) {
		admin_fail("the database path is too long");
		return -1;
	}
	memcpy(path + len, "-bulk.lock", sizeof("-bulk.lock"));
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		admin_fail("cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = (off_t)id;
	fl.l_len = 1;
	if (fcntl(fd, F_OFD_SETLK, &fl) == -1) {
		if (errno != EAGAIN && errno != EACCES)
			goto fail;
		fprintf(stderr, "bulk request %lld: another run is issuing its "
		    "lines; waiting for it\n", id);
		while (fcntl(fd, F_OFD_SETLKW, &fl) == -1)
			if (errno != EINTR)
				goto fail;
	}
	return fd;
fail:
	admin_fail("cannot lock %s: %s", path, strerror(errno));
	close(fd);
	return -1;
}

/*
 * Issues every approved, unfinished line of request id with one worker
 * process per core, then settles the request.  Returns 0 when every
 * line got a final status, 1 otherwise.
 */
static int
issue_lines(struct admin *a, long long id)
{
	long long	*ids;
	size_t		 nids, n = 0, k, done = 0, issued = 0, failed = 0, *next;
	long		 cores;
	pid_t		*pids = NULL, me = getpid();
	int		 fds[2] = { -1, -1 }, tty = isatty(STDOUT_FILENO), rc = 0,
			 scr, o, st;
	FILE		*in = NULL;
	char		 line[400], *msg;
	double		 kg, keygen = 0, t0 = 0, wall = 0;
	enum ber_status	 status;
	static const char *const what[] = { "Issued", "Failed", "already done",
	    "not done" };

	ids = bulk_pending(a->db, id, &nids);
	if (nids > 0) {
		cores = sysconf(_SC_NPROCESSORS_ONLN);
		n = cores > 0 ? (size_t)cores : 1;
		if (n > nids)
			n = nids;
		next = mmap(NULL, sizeof(*next), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (next == MAP_FAILED || (pids = calloc(n, sizeof(*pids))) ==
		    NULL || pipe(fds) == -1) {
			if (next != MAP_FAILED)
				munmap(next, sizeof(*next));
			free(ids);
			free(pids);
			return admin_fail("cannot start the workers: %s",
			    strerror(errno));
		}
		*next = 0;
		(void)fflush(stdout);
		(void)fflush(stderr);
		t0 = mono();
		for (k = 0; k < n; k++) {
			if ((pids[k] = fork()) == -1) {
				admin_fail("fork: %s", strerror(errno));
				break;
			}
			if (pids[k] == 0) {
				close(fds[0]);
				worker(a, id, ids, nids, next, fds[1], me);
			}
		}
		close(fds[1]);
		if ((in = fdopen(fds[0], "r")) == NULL)
			close(fds[0]);
		while (in != NULL && fgets(line, sizeof(line), in) != NULL) {
			/* "SCR OUTCOME KEYGEN-SECONDS MESSAGE", from a worker. */
			line[strcspn(line, "\n")] = '\0';
			scr = (int)strtol(line, &msg, 10);
			o = (int)strtol(msg, &msg, 10);
			kg = strtod(msg, &msg);
			if (*msg != ' ' || o < 0 || o > (int)BULK_ITEM_ERROR)
				continue;
			keygen += kg;
			done++;
			issued += o == (int)BULK_ITEM_ISSUED;
			failed += o == (int)BULK_ITEM_FAILED;
			if (o == (int)BULK_ITEM_ERROR)
				rc = 1;
			progress(tty, done, nids, issued, failed, scr, what[o],
			    msg + 1);
		}
		if (in != NULL)
			(void)fclose(in);
		for (k = 0; k < n; k++)
			if (pids[k] > 0 && (waitpid(pids[k], &st, 0) == -1 ||
			    !WIFEXITED(st) || WEXITSTATUS(st) != 0))
				rc = 1;
		wall = mono() - t0;
		if (tty)
			putchar('\n');
		if (done < nids)
			rc = 1;
		munmap(next, sizeof(*next));
		free(pids);
		free(ids);
	}
	if (!bulk_settle(a->db, a->cfg, id, &a->actor, &status))
		return admin_fail("cannot update bulk request %lld", id);
	printf("bulk request %lld: %s (%zu issued, %zu failed now)\n", id,
	    store_ber_status_name(status), issued, failed);
	/* How close the run came to key generation alone on every core. */
	if (nids > 0)
		printf("%zu workers, %.2f s; key generation %.2f core-seconds "
		    "(%.2f s on %zu cores)\n", n, wall, keygen, keygen /
		    (double)n, n);
	if (rc != 0)
		admin_fail("some lines were not done; run: certdesk bulk process "
		    "%lld", id);
	return rc;
}

/*
 * Issues the request's approved lines and settles it under the
 * request's lock (lock_bulk), so that one run at a time does it and one
 * run sends the completion mail.  Returns 0 when every line got a final
 * status, 1 otherwise.
 */
static int
process(struct admin *a, long long id)
{
	int	 lock, rc;

	if ((lock = lock_bulk(a, id)) == -1)
		return 1;
	rc = issue_lines(a, id);
	close(lock);
	return rc;
}

/* approve (decline 0) or decline ID [--scr N...] [--reason TEXT]. */
static int
decide(struct admin *a, int argc, char **argv, int decline)
{
	const char		*list = NULL, *reason = "";
	const struct opt	 approve_opts[] = {
		{ "scr", &list, NULL, "only these lines (SCR numbers)" },
		{ NULL, NULL, NULL, NULL }
	};
	const struct opt	 decline_opts[] = {
		{ "scr", &list, NULL, "only these lines (SCR numbers)" },
		{ "reason", &reason, NULL, "told to the requester" },
		{ NULL, NULL, NULL, NULL }
	};
	struct bulk_request	*b;
	char			*pos[64], err[256];
	int			*scrs, npos, n, count;
	long long		 id;
	enum ber_status		 status;

	npos = admin_args(argc, argv, decline ? decline_opts : approve_opts,
	    pos, 64);
	if (npos < 1)
		return -2;
	if ((b = find_bulk(a, pos[0])) == NULL)
		return 1;
	id = b->id;
	store_bulk_free(b);
	if ((scrs = calloc(MAX_SCRS, sizeof(*scrs))) == NULL)
		return admin_fail("out of memory");
	if ((n = scr_numbers(list, pos, npos, scrs)) < 0) {
		free(scrs);
		return 1;
	}
	count = decline ? bulk_decline(a->db, id, scrs, (size_t)n, reason,
	    &a->actor, err, sizeof(err)) : bulk_approve(a->db, id, scrs,
	    (size_t)n, &a->actor, err, sizeof(err));
	free(scrs);
	if (count < 0)
		return admin_fail("cannot %s bulk request %lld: %s", decline ?
		    "decline" : "approve", id, err);
	printf("bulk request %lld: %d line%s %s\n", id, count,
	    count == 1 ? "" : "s", decline ? "declined" : "approved");
	if (!decline)
		return process(a, id);
	if (!bulk_settle(a->db, a->cfg, id, &a->actor, &status))
		return admin_fail("cannot update bulk request %lld", id);
	printf("bulk request %lld: %s\n", id, store_ber_status_name(status));
	return 0;
}

static int
cmd_bulk_approve(struct admin *a, int argc, char **argv)
{
	return decide(a, argc, argv, 0);
}

static int
cmd_bulk_decline(struct admin *a, int argc, char **argv)
{
	return decide(a, argc, argv, 1);
}

static int
cmd_bulk_process(struct admin *a, int argc, char **argv)
{
	const struct opt	 opts[] = { { NULL, NULL, NULL, NULL } };
	struct bulk_request	*b;
	char			*pos[1];
	long long		 id;

	if (admin_args(argc, argv, opts, pos, 1) != 1)
		return -2;
	if ((b = find_bulk(a, pos[0])) == NULL)
		return 1;
	id = b->id;
	store_bulk_free(b);
	return process(a, id);
}

static int
cmd_bulk_resend(struct admin *a, int argc, char **argv)
{
	const struct opt	 opts[] = { { NULL, NULL, NULL, NULL } };
	struct bulk_request	*b;
	struct bulk_item_list	*items;
	char			*pos[1];
	size_t			 i, purged = 0;
	int			 ok;

	if (admin_args(argc, argv, opts, pos, 1) != 1)
		return -2;
	if ((b = find_bulk(a, pos[0])) == NULL)
		return 1;
	if (b->status != BER_SUCCESSFUL && b->status != BER_FAILED) {
		admin_fail("bulk request %lld is %s; links go out once every "
		    "line is final", b->id, store_ber_status_name(b->status));
		store_bulk_free(b);
		return 1;
	}
	if ((items = store_bulk_items(a->db, b->id)) == NULL) {
		store_bulk_free(b);
		return admin_fail("cannot read bulk request %s", pos[0]);
	}
	for (i = 0; i < items->n; i++)
		if (items->items[i]->status == SCR_ISSUED &&
		    items->items[i]->sealed_key == NULL)
			purged++;
	store_bulk_item_list_free(items);
	if (purged > 0) {
		admin_fail("the keys of bulk request %lld were purged "
		    "(Bulk.KeepDays after its links expired); its certificates "
		    "stay valid but can no longer be downloaded", b->id);
		store_bulk_free(b);
		return 1;
	}
	ok = bulk_send_links(a->db, a->cfg, b->id, &a->actor);
	if (ok == 1)
		printf("bulk request %lld: new download links sent to %s (the "
		    "old ones no longer work)\n", b->id, b->requester_email);
	else if (ok == 0)
		admin_fail("bulk request %lld: the mail to %s could not be sent "
		    "(see the log); the old links still work", b->id,
		    b->requester_email);
	else
		admin_fail("bulk request %lld: the mail to %s went out but its "
		    "links could not be stored, so they do not work; the old "
		    "links still work; run certdesk bulk resend %lld again",
		    b->id, b->requester_email, b->id);
	store_bulk_free(b);
	return ok == 1 ? 0 : 1;
}

/* unlock ID: clears the wrong-passphrase count that locked the downloads. */
static int
cmd_bulk_unlock(struct admin *a, int argc, char **argv)
{
	const struct opt	 opts[] = { { NULL, NULL, NULL, NULL } };
	struct bulk_request	*b;
	char			*pos[1], obj[32];
	int			 was;

	if (admin_args(argc, argv, opts, pos, 1) != 1)
		return -2;
	if ((b = find_bulk(a, pos[0])) == NULL)
		return 1;
	was = b->pass_failures;
	if (!store_bulk_unlock(a->db, b->id)) {
		store_bulk_free(b);
		return admin_fail("cannot unlock bulk request %s", pos[0]);
	}
	snprintf(obj, sizeof(obj), "BER %lld", b->id);
	admin_audit(a, "bulk unlock", obj, was >= THROTTLE_LIMIT ? "was locked" :
	    "was not locked");
	printf("bulk request %lld: p12 passphrase unlocked%s\n", b->id,
	    was >= THROTTLE_LIMIT ? "" : " (it was not locked)");
	store_bulk_free(b);
	return 0;
}

const struct command admin_bulk_commands[] = {
	{ "bulk", "list", cmd_bulk_list, "bulk list [--json]",
	    "list bulk SSL enrollment requests" },
	{ "bulk", "show", cmd_bulk_show, "bulk show ID [--json]",
	    "show a bulk request and its lines (SCRs)" },
	{ "bulk", "approve", cmd_bulk_approve,
	    "bulk approve ID [--scr N[,N...] [N...]]",
	    "approve the request or some lines, and issue them on every core" },
	{ "bulk", "decline", cmd_bulk_decline,
	    "bulk decline ID [--scr N[,N...] [N...]] [--reason TEXT]",
	    "decline the request or some lines" },
	{ "bulk", "process", cmd_bulk_process, "bulk process ID",
	    "issue the approved lines not yet done (after an interruption)" },
	{ "bulk", "resend", cmd_bulk_resend, "bulk resend ID",
	    "mail fresh download links (the old ones stop working)" },
	{ "bulk", "unlock", cmd_bulk_unlock, "bulk unlock ID",
	    "unlock the downloads after 10 wrong p12 passphrases" },
	{ NULL, NULL, NULL, NULL, NULL }
};
