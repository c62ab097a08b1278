#ifndef OPOP_REPO_PROGRAMS_H
#define OPOP_REPO_PROGRAMS_H

#include "db.h"

struct programs_query {
  const char *pillar; /* NULL = any */
  const char *year;   /* decimal text */
  const char *status;
  const char *q;    /* literal, case-insensitive, on name */
  const char *sort; /* "seq", "name", "year" or "created_at" */
  int desc;
  const char *after_key, *after_seq; /* the cursor; NULL on the first page */
  int limit;
};

/* One page: *items array (caller decrefs); *next_key and *next_seq (caller frees) when more follow. */
enum dbq repo_programs_list(struct db_conn *conn, const struct programs_query *pq, json_t **items, char **next_key,
                            char **next_seq);
enum dbq repo_programs_count(struct db_conn *conn, const struct programs_query *pq, long long *total);
/* *out: the programme (caller decrefs), or NULL with DBQ_NONE. */
enum dbq repo_programs_get(struct db_conn *conn, const char *id, json_t **out);
/* As get, locking the row for the rest of the transaction. */
enum dbq repo_programs_lock(struct db_conn *conn, const char *id, json_t **out);
/* doc: validated writable fields. *out: the stored programme. */
enum dbq repo_programs_create(struct db_conn *conn, const json_t *doc, json_t **out);
enum dbq repo_programs_update(struct db_conn *conn, const char *id, const json_t *doc, json_t **out);

#endif
