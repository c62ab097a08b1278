#include "repo_targets.h"

#include "list.h"
#include "sql.h"

static const struct list_spec targets_spec = {
    "repo_targets_list", "SELECT target_json(t) FROM targets t", "t.seq", "bigint", "t.seq", 0};

static int filters_for(const struct targets_query *tq, struct list_filter *f) {
  int n = 0;
  if (tq->indicator_code)
    f[n++] = (struct list_filter){"t.indicator_id = (SELECT id FROM indicators WHERE code = $?)", tq->indicator_code};
  if (tq->period)
    f[n++] = (struct list_filter){"t.period = $?", tq->period};
  if (tq->program_id)
    f[n++] = (struct list_filter){"t.program_id = $?::uuid", tq->program_id};
  if (tq->region_code)
    f[n++] = (struct list_filter){"t.region_code = $?", tq->region_code};
  if (tq->pesantren_id)
    f[n++] = (struct list_filter){"t.pesantren_id = $?::uuid", tq->pesantren_id};
  if (tq->province)
    f[n++] = (struct list_filter){"t.program_id IS NULL AND t.region_code IS NULL AND t.pesantren_id IS NULL", NULL};
  return n;
}

enum dbq repo_targets_list(struct db_conn *conn, const struct targets_query *tq, json_t **items, char **next_key,
                           char **next_seq) {
  struct list_filter f[6];
  int n = filters_for(tq, f);
  return db_list(conn, &targets_spec, f, n, tq->after_key, tq->after_seq, tq->limit, items, next_key, next_seq);
}

enum dbq repo_targets_count(struct db_conn *conn, const struct targets_query *tq, long long *total) {
  struct list_filter f[6];
  int n = filters_for(tq, f);
  return db_list_count(conn, &targets_spec, f, n, total);
}

static const struct db_stmt targets_get = {"repo_targets_get", "SELECT target_json(t) FROM targets t WHERE t.id = $1",
                                           1};

enum dbq repo_targets_get(struct db_conn *conn, const char *id, json_t **out) {
  const char *vals[1] = {id};
  return db_json_one(conn, &targets_get, vals, out);
}

static const struct db_stmt targets_lock = {"repo_targets_lock",
                                            "SELECT target_json(t) FROM targets t WHERE t.id = $1 FOR UPDATE", 1};

enum dbq repo_targets_lock(struct db_conn *conn, const char *id, json_t **out) {
  const char *vals[1] = {id};
  return db_json_one(conn, &targets_lock, vals, out);
}

static const struct db_stmt targets_create = {
    "repo_targets_create",
    "INSERT INTO targets AS t (indicator_id, period, value, program_id, region_code, pesantren_id)"
    " SELECT i.id, d->>'period', (d->>'value')::numeric, (d->>'program_id')::uuid, d->>'region_code',"
    " (d->>'pesantren_id')::uuid"
    " FROM (SELECT $1::jsonb AS d) AS src JOIN indicators i ON i.code = src.d->>'indicator_code'"
    " RETURNING target_json(t)",
    1,
};

enum dbq repo_targets_create(struct db_conn *conn, const json_t *doc, json_t **out) {
  return db_json_doc(conn, &targets_create, doc, NULL, out);
}

static const struct db_stmt targets_update = {
    "repo_targets_update",
    "UPDATE targets AS t SET (indicator_id, period, value, program_id, region_code, pesantren_id) ="
    " (SELECT (SELECT id FROM indicators WHERE code = d->>'indicator_code'), d->>'period', (d->>'value')::numeric,"
    " (d->>'program_id')::uuid, d->>'region_code', (d->>'pesantren_id')::uuid FROM (SELECT $1::jsonb AS d) AS src)"
    " WHERE t.id = $2 RETURNING target_json(t)",
    2,
};

enum dbq repo_targets_update(struct db_conn *conn, const char *id, const json_t *doc, json_t **out) {
  return db_json_doc(conn, &targets_update, doc, id, out);
}

static const struct db_stmt targets_delete = {"repo_targets_delete", "DELETE FROM targets WHERE id = $1", 1};

enum dbq repo_targets_delete(struct db_conn *conn, const char *id) {
  const char *vals[1] = {id};
  return db_command(conn, &targets_delete, vals);
}
