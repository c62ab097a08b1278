#include "repo_changes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql.h"

/* One statement, so the horizon and the rows come from the same snapshot:
 * every row below the horizon that will ever be visible is visible here. */
static const struct db_stmt changes_read = {
    "repo_changes_read",
    "SELECT change_json(c), c.xid::text, c.seq FROM changes c"
    " WHERE (c.xid, c.seq) > ($1::xid8, $2::bigint)"
    " AND c.xid < changes_horizon()"
    " AND ($4::text IS NULL OR c.entity = $4::text)"
    " ORDER BY c.xid, c.seq LIMIT $3::integer",
    4,
};

enum dbq repo_changes_read(struct db_conn *conn, const struct changes_query *cq, json_t **items, char **last_xid,
                           char **last_seq, int *more) {
  char limit[16];
  snprintf(limit, sizeof limit, "%d", cq->limit + 1);
  const char *vals[4] = {cq->after_xid, cq->after_seq, limit, cq->entity};
  *items = NULL;
  *last_xid = *last_seq = NULL;
  *more = 0;
  PGresult *res = db_exec(conn, &changes_read, vals);
  if (res == NULL)
    return db_failure(conn);
  int rows = PQntuples(res), n = rows < cq->limit ? rows : cq->limit;
  *items = json_array();
  for (int i = 0; i < n; i++)
    json_array_append_new(*items, json_loadb(PQgetvalue(res, i, 0), (size_t)PQgetlength(res, i, 0), 0, NULL));
  if (n > 0) {
    *last_xid = strdup(PQgetvalue(res, n - 1, 1));
    *last_seq = strdup(PQgetvalue(res, n - 1, 2));
  }
  *more = rows > cq->limit;
  PQclear(res);
  return DBQ_ONE;
}

static const struct db_stmt changes_expired = {
    "repo_changes_expired",
    "SELECT 1 WHERE changes_cursor_expired($1::xid8, $2::bigint)",
    2,
};

enum dbq repo_changes_expired(struct db_conn *conn, const char *xid, const char *seq) {
  const char *vals[2] = {xid, seq};
  return db_command(conn, &changes_expired, vals);
}
