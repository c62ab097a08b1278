#ifndef OPOP_REPO_INDICATORS_H
#define OPOP_REPO_INDICATORS_H

#include "db.h"

struct indicators_query {
  const char *pillar; /* NULL = any */
  const char *unit;   /* NULL = any */
  const char *after_key, *after_seq;
  int limit;
};

/* One page: *items (caller decrefs); *next_key and *next_seq (caller frees) when more follow. */
enum dbq repo_indicators_list(struct db_conn *conn, const struct indicators_query *iq, json_t **items, char **next_key,
                              char **next_seq);
enum dbq repo_indicators_count(struct db_conn *conn, const struct indicators_query *iq, long long *total);
enum dbq repo_indicators_get(struct db_conn *conn, const char *id, json_t **out);
enum dbq repo_indicators_get_by_code(struct db_conn *conn, const char *code, json_t **out);
/* As get, locking the row for the rest of the transaction. */
enum dbq repo_indicators_lock(struct db_conn *conn, const char *id, json_t **out);
/* doc: validated writable fields. *out: the stored indicator (caller decrefs). */
enum dbq repo_indicators_create(struct db_conn *conn, const json_t *doc, json_t **out);
/* A changed code is refused by the database (indicators_code_immutable). */
enum dbq repo_indicators_update(struct db_conn *conn, const char *id, const json_t *doc, json_t **out);

#endif
