#ifndef OPOP_REPO_VISITS_H
#define OPOP_REPO_VISITS_H

#include "db.h"

struct visits_query {
  const char *pesantren_id; /* NULL = every pesantren */
  const char *mentor_id;    /* NULL = any */
  const char *aspect;       /* visits that covered this aspect; NULL = any */
  const char *after_key, *after_seq;
  int limit;
};

/* One page in the order recorded: *items (caller decrefs); *next_key and
 * *next_seq (caller frees) when more follow. */
enum dbq repo_visits_list(struct db_conn *conn, const struct visits_query *vq, json_t **items, char **next_key,
                          char **next_seq);
enum dbq repo_visits_count(struct db_conn *conn, const struct visits_query *vq, long long *total);
/* One visit; with pesantren_id set, only when it was a visit to that pesantren. *out caller decrefs. */
enum dbq repo_visits_get(struct db_conn *conn, const char *id, const char *pesantren_id, json_t **out);
/* doc: validated fields; mentor_id: the caller. DBQ_NONE when the pesantren does not exist. */
enum dbq repo_visits_create(struct db_conn *conn, const char *pesantren_id, const char *mentor_id, const json_t *doc,
                            json_t **out);

#endif
