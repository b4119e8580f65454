/* store_person: people. */
#include <stdlib.h>
#include <string.h>

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
	free(p);
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
	bind_str(st, 4, p->first_name ? p->first_name : "");
	bind_str(st, 5, p->middle_name ? p->middle_name : "");
	bind_str(st, 6, p->last_name ? p->last_name : "");
	bind_str(st, 7, p->common_name ? p->common_name : "");
	bind_str(st, 8, p->secret_id_hash);
	sqlite3_bind_int64(st, 9, store_now());
	return insert(db, st);
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
