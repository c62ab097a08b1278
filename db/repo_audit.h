#ifndef OPOP_REPO_AUDIT_H
#define OPOP_REPO_AUDIT_H

/* Reading the audit trail. Rows are written by the database itself (the
 * opop_track trigger and the auth repository), never here. */

#include "db.h"

struct audit_query {
  const char *entity;                /* NULL = any */
  const char *entity_id;             /* a UUID, or NULL */
  const char *actor_id;              /* a UUID, or NULL */
  const char *from, *to;             /* RFC 3339 timestamps, both bounds inclusive to the second; NULL = open */
  int oldest_first;                  /* 0: newest first (the default) */
  const char *after_key, *after_seq; /* the cursor; NULL on the first page */
  int limit;
};

/* One page: *items array (caller decrefs); *next_key and *next_seq (caller frees) when more follow. */
enum dbq repo_audit_list(struct db_conn *conn, const struct audit_query *aq, json_t **items, char **next_key,
                         char **next_seq);
enum dbq repo_audit_count(struct db_conn *conn, const struct audit_query *aq, long long *total);

#endif
