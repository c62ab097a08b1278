#include "repo_indicators.h"

#include "list.h"
#include "sql.h"

#define INDICATOR_COLUMNS "code, name, unit, pillar, aggregation, higher_is_better, description"
#define INDICATOR_VALUES                                                                                               \
  "d->>'code', d->>'name', d->>'unit', d->>'pillar', d->>'aggregation',"                                               \
  " coalesce((d->>'higher_is_better')::boolean, true), d->>'description'"

static const struct list_spec indicators_spec = {
    "repo_indicators_list", "SELECT indicator_json(i) FROM indicators i", "i.seq", "bigint", "i.seq", 0};

static int filters_for(const struct indicators_query *iq, struct list_filter *f) {
  int n = 0;
  if (iq->pillar)
    f[n++] = (struct list_filter){"i.pillar = $?", iq->pillar};
  if (iq->unit)
    f[n++] = (struct list_filter){"i.unit = $?", iq->unit};
  return n;
}

enum dbq repo_indicators_list(struct db_conn *conn, const struct indicators_query *iq, json_t **items, char **next_key,
                              char **next_seq) {
  struct list_filter f[2];
  int n = filters_for(iq, f);
  return db_list(conn, &indicators_spec, f, n, iq->after_key, iq->after_seq, iq->limit, items, next_key, next_seq);
}

enum dbq repo_indicators_count(struct db_conn *conn, const struct indicators_query *iq, long long *total) {
  struct list_filter f[2];
  int n = filters_for(iq, f);
  return db_list_count(conn, &indicators_spec, f, n, total);
}

static const struct db_stmt indicators_get = {"repo_indicators_get",
                                              "SELECT indicator_json(i) FROM indicators i WHERE i.id = $1", 1};

enum dbq repo_indicators_get(struct db_conn *conn, const char *id, json_t **out) {
  const char *vals[1] = {id};
  return db_json_one(conn, &indicators_get, vals, out);
}

static const struct db_stmt indicators_get_by_code = {
    "repo_indicators_get_by_code", "SELECT indicator_json(i) FROM indicators i WHERE i.code = $1", 1};

enum dbq repo_indicators_get_by_code(struct db_conn *conn, const char *code, json_t **out) {
  const char *vals[1] = {code};
  return db_json_one(conn, &indicators_get_by_code, vals, out);
}

static const struct db_stmt indicators_lock = {
    "repo_indicators_lock", "SELECT indicator_json(i) FROM indicators i WHERE i.id = $1 FOR UPDATE", 1};

enum dbq repo_indicators_lock(struct db_conn *conn, const char *id, json_t **out) {
  const char *vals[1] = {id};
  return db_json_one(conn, &indicators_lock, vals, out);
}

static const struct db_stmt indicators_create = {
    "repo_indicators_create",
    "INSERT INTO indicators AS i (" INDICATOR_COLUMNS ") SELECT " INDICATOR_VALUES
    " FROM (SELECT $1::jsonb AS d) AS src RETURNING indicator_json(i)",
    1,
};

enum dbq repo_indicators_create(struct db_conn *conn, const json_t *doc, json_t **out) {
  return db_json_doc(conn, &indicators_create, doc, NULL, out);
}

static const struct db_stmt indicators_update = {
    "repo_indicators_update",
    "UPDATE indicators AS i SET (" INDICATOR_COLUMNS ") = (SELECT " INDICATOR_VALUES
    " FROM (SELECT $1::jsonb AS d) AS src) WHERE i.id = $2 RETURNING indicator_json(i)",
    2,
};

enum dbq repo_indicators_update(struct db_conn *conn, const char *id, const json_t *doc, json_t **out) {
  return db_json_doc(conn, &indicators_update, doc, id, out);
}
