#ifndef OPOP_ROWS_H
#define OPOP_ROWS_H

/* What happened to one row of a batch or an import, as its answer says it:
 * {"status"} with "errors" [{field, message}] or a "detail" and its "type". */

#include <jansson.h>

#include "db.h"

json_t *row_result(int status);
/* A failed row: errors naming field when one is given, else a detail. */
json_t *row_failed(int status, const char *field, const char *message);
/* What a failed write means for the client, as reply_db says it for one
 * request (problem_from_db), with the problem's type. */
json_t *row_db_failed(struct db_conn *db, enum dbq q);

/* The answer to a row's transaction that ended with q: 200 when rolled back
 * (a dry run), 201 with the id of doc, or as row_db_failed. */
json_t *row_stored(struct db_conn *db, enum dbq q, const json_t *doc);

#endif
