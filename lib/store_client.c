/* store_client: what client (S/MIME) requests keep beside the common columns. */
#include <stdlib.h>

#include "store_priv.h"

struct request_list *
store_request_smime_valid(struct db *db, long long customer_id,
    const char *email, long long now)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_REQUEST_SMIME_VALID);

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, customer_id);
	sqlite3_bind_int64(st, 2, now);
	bind_str(st, 3, email);
	return read_list(st, row_request, (free_fn)store_request_free);
}
