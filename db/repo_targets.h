#ifndef OPOP_REPO_TARGETS_H
#define OPOP_REPO_TARGETS_H

#include "db.h"

struct targets_query {
  const char *indicator_code; /* NULL = any */
  const char *period;
  const char *program_id;
  const char *region_code;
  const char *pesantren_id;
  int province; /* 1: only targets with no scope field (the whole province) */
  const char *after_key, *after_seq;
  int limit;
};

/* One page: *items (caller decrefs); *next_key and *next_seq (caller frees) when more follow. */
enum dbq repo_targets_list(struct db_conn *conn, const struct targets_query *tq, json_t **items, char **next_key,
                           char **next_seq);
enum dbq repo_targets_count(struct db_conn *conn, const struct targets_query *tq, long long *total);
enum dbq repo_targets_get(struct db_conn *conn, const char *id, json_t **out);
enum dbq repo_targets_lock(struct db_conn *conn, const char *id, json_t **out);
/* doc: validated fields with "value" as decimal text. DBQ_NONE when its
 * indicator_code names no indicator. *out: the stored target (caller decrefs). */
enum dbq repo_targets_create(struct db_conn *conn, const json_t *doc, json_t **out);
/* A changed indicator is refused by the database (targets_indicator_immutable). */
enum dbq repo_targets_update(struct db_conn *conn, const char *id, const json_t *doc, json_t **out);
enum dbq repo_targets_delete(struct db_conn *conn, const char *id);

#endif
