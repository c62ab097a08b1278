#include "repo_visits.h"

#include <stdlib.h>

#include "list.h"
#include "sql.h"

static const struct list_spec visits_spec = {
    "repo_visits_list", "SELECT visit_json(v) FROM visits v", "v.seq", "bigint", "v.seq", 0};

static int filters_for(const struct visits_query *vq, struct list_filter *f) {
  int n = 0;
  if (vq->pesantren_id)
    f[n++] = (struct list_filter){"v.pesantren_id = $?::uuid", vq->pesantren_id};
  if (vq->mentor_id)
    f[n++] = (struct list_filter){"v.mentor_id = $?::uuid", vq->mentor_id};
  if (vq->aspect)
    f[n++] = (struct list_filter){"$? = ANY (v.aspects)", vq->aspect};
  return n;
}

enum dbq repo_visits_list(struct db_conn *conn, const struct visits_query *vq, json_t **items, char **next_key,
                          char **next_seq) {
  struct list_filter f[4];
  int n = filters_for(vq, f);
  return db_list(conn, &visits_spec, f, n, vq->after_key, vq->after_seq, vq->limit, items, next_key, next_seq);
}

enum dbq repo_visits_count(struct db_conn *conn, const struct visits_query *vq, long long *total) {
  struct list_filter f[4];
  int n = filters_for(vq, f);
  return db_list_count(conn, &visits_spec, f, n, total);
}

static const struct db_stmt visits_get = {
    "repo_visits_get",
    "SELECT visit_json(v) FROM visits v WHERE v.id = $1 AND ($2::uuid IS NULL OR v.pesantren_id = $2::uuid)", 2};

enum dbq repo_visits_get(struct db_conn *conn, const char *id, const char *pesantren_id, json_t **out) {
  const char *vals[2] = {id, pesantren_id};
  return db_json_one(conn, &visits_get, vals, out);
}

/* From the pesantren row, so a missing pesantren is "no row" (a 404 of the path). */
static const struct db_stmt visits_create = {
    "repo_visits_create",
    "INSERT INTO visits AS v (pesantren_id, mentor_id, visited_on, aspects, notes, follow_up)"
    " SELECT s.id, $3::uuid, (d->>'visited_on')::date,"
    " ARRAY(SELECT a FROM jsonb_array_elements_text(d->'aspects') WITH ORDINALITY AS x(a, n) ORDER BY n),"
    " d->>'notes', d->>'follow_up'"
    " FROM (SELECT $1::jsonb AS d) AS src, pesantren s WHERE s.id = $2 RETURNING visit_json(v)",
    3,
};

enum dbq repo_visits_create(struct db_conn *conn, const char *pesantren_id, const char *mentor_id, const json_t *doc,
                            json_t **out) {
  char *text = json_dumps(doc, JSON_COMPACT);
  *out = NULL;
  if (text == NULL)
    return DBQ_HARD;
  const char *vals[3] = {text, pesantren_id, mentor_id};
  enum dbq q = db_json_one(conn, &visits_create, vals, out);
  free(text);
  return q;
}
