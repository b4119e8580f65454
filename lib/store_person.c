/* store_person: people. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "secret.h"
#include "store_priv.h"

/* ---- persons ---- */

static void *
row_person(sqlite3_stmt *st)
{
	struct person	*p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->id = col_ll(st, 0);
	p->org_id = col_ll(st, 1);
	p->dept_id = col_ll(st, 2);
	p->email = col_str(st, 3);
	p->first_name = col_str(st, 4);
	p->middle_name = col_str(st, 5);
	p->last_name = col_str(st, 6);
	p->common_name = col_str(st, 7);
	p->secret_id_hash = col_str_null(st, 8);
	p->secret_failures = col_int(st, 9);
	p->alt_emails = col_str(st, 10);
	p->phone = col_str(st, 11);
	p->validation_type = col_str(st, 12);
	p->principal_name = col_str(st, 13);
	p->country = col_str(st, 14);
	p->eppn = col_str(st, 15);
	p->created = col_ll(st, 16);
	if (p->email == NULL || p->first_name == NULL ||
	    p->middle_name == NULL || p->last_name == NULL ||
	    p->common_name == NULL || p->alt_emails == NULL ||
	    p->phone == NULL || p->validation_type == NULL ||
	    p->principal_name == NULL || p->country == NULL ||
	    p->eppn == NULL) {
		store_person_free(p);
		return NULL;
	}
	return p;
}

void
store_person_free(struct person *p)
{
	if (p == NULL)
		return;
	free(p->email);
	free(p->first_name);
	free(p->middle_name);
	free(p->last_name);
	free(p->common_name);
	free(p->secret_id_hash);
	free(p->alt_emails);
	free(p->phone);
	free(p->validation_type);
	free(p->principal_name);
	free(p->country);
	free(p->eppn);
	free(p);
}

void
store_person_list_free(struct person_list *l)
{
	free_list(l, (free_fn)store_person_free);
}

/* Returns s, or "" for NULL. */
static const char *
or_empty(const char *s)
{
	return s != NULL ? s : "";
}

long long
store_person_add(struct db *db, const struct person *p)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_PERSON_INSERT);

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, p->org_id);
	bind_ref(st, 2, p->dept_id);
	bind_str(st, 3, p->email);
	bind_str(st, 4, or_empty(p->first_name));
	bind_str(st, 5, or_empty(p->middle_name));
	bind_str(st, 6, or_empty(p->last_name));
	bind_str(st, 7, or_empty(p->common_name));
	bind_str(st, 8, p->secret_id_hash);
	sqlite3_bind_int64(st, 9, store_now());
	bind_str(st, 10, or_empty(p->alt_emails));
	bind_str(st, 11, or_empty(p->phone));
	bind_str(st, 12, p->validation_type != NULL &&
	    p->validation_type[0] != '\0' ? p->validation_type : "standard");
	bind_str(st, 13, or_empty(p->principal_name));
	bind_str(st, 14, or_empty(p->country));
	bind_str(st, 15, or_empty(p->eppn));
	return insert(db, st);
}

int
store_person_update(struct db *db, const struct person *p)
{
	struct person	*was;
	sqlite3_stmt	*st;
	int		 moved;

	if ((was = store_person_by_id(db, p->id)) == NULL)
		return 0;
	moved = was->org_id != p->org_id || was->dept_id != p->dept_id ||
	    p->email == NULL || strcasecmp(was->email, p->email) != 0;
	store_person_free(was);
	if ((st = db_stmt(db, STMT_PERSON_UPDATE)) == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, p->org_id);
	bind_ref(st, 2, p->dept_id);
	bind_str(st, 3, p->email);
	bind_str(st, 4, or_empty(p->first_name));
	bind_str(st, 5, or_empty(p->middle_name));
	bind_str(st, 6, or_empty(p->last_name));
	bind_str(st, 7, or_empty(p->common_name));
	bind_str(st, 8, or_empty(p->alt_emails));
	bind_str(st, 9, or_empty(p->phone));
	bind_str(st, 10, p->validation_type != NULL &&
	    p->validation_type[0] != '\0' ? p->validation_type : "standard");
	bind_str(st, 11, or_empty(p->principal_name));
	bind_str(st, 12, or_empty(p->country));
	bind_str(st, 13, or_empty(p->eppn));
	sqlite3_bind_int64(st, 14, p->id);
	if (!db_exec_stmt(db, st) || db_changes(db) != 1)
		return 0;
	/*
	 * A code mailed for the old address, organisation or department
	 * must not issue under the new ones.
	 */
	if (!moved)
		return 1;
	st = db_stmt(db, STMT_PERSON_CODES_UNUSED_DELETE);
	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, p->id);
	return db_exec_stmt(db, st);
}

struct person *
store_person_by_email(struct db *db, long long org_id, const char *email)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_PERSON_BY_EMAIL);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, org_id);
	bind_str(st, 2, email);
	return read_one(st, row_person);
}

struct person *
store_person_by_id(struct db *db, long long id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_PERSON_BY_ID);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	return read_one(st, row_person);
}

struct person_list *
store_person_by_customer_email(struct db *db, long long customer_id,
    const char *email)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_PERSON_BY_CUSTOMER_EMAIL);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, customer_id);
	bind_str(st, 2, email);
	return read_list(st, row_person, (free_fn)store_person_free);
}

struct person_list *
store_person_list(struct db *db, long long customer_id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_PERSON_LIST);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, customer_id);
	return read_list(st, row_person, (free_fn)store_person_free);
}

int
store_person_set_secret(struct db *db, long long id, const char *hash)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_PERSON_SET_SECRET);

	if (st == NULL)
		return 0;
	bind_str(st, 1, hash);
	sqlite3_bind_int64(st, 2, id);
	return db_exec_stmt(db, st) && db_changes(db) == 1;
}

int
store_person_secret_failure(struct db *db, long long id, int limit)
{
	return exec_id_limit(db, STMT_PERSON_SECRET_FAILURE, id, limit) &&
	    db_changes(db) == 1;
}

int
store_person_secret_reset(struct db *db, long long id, int limit)
{
	return exec_id_limit(db, STMT_PERSON_SECRET_RESET, id, limit);
}

/* Runs one statement that takes the person's id alone; 1 ok. */
static int
by_person(struct db *db, enum stmt which, long long id)
{
	sqlite3_stmt	*st = db_stmt(db, which);

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, id);
	return db_exec_stmt(db, st);
}

int
store_person_delete(struct db *db, long long id)
{
	/*
	 * The requests keep their requester, names, subject and certificate,
	 * and the audit log says who was deleted: the trail stays whole
	 * while the email becomes free for a new person.
	 */
	if (!by_person(db, STMT_PERSON_DETACH, id) ||
	    !by_person(db, STMT_PERSON_CODES_DELETE, id) ||
	    !by_person(db, STMT_PERSON_DELETE, id))
		return 0;
	return db_changes(db) == 1;
}

struct request_list *
store_person_issued(struct db *db, long long person_id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_PERSON_ISSUED);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, person_id);
	return read_list(st, row_request, (free_fn)store_request_free);
}
