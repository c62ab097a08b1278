#include "repo_measurements.h"

#include "list.h"
#include "sql.h"

static const struct list_spec measurements_spec = {
    "repo_measurements_list", "SELECT measurement_json(m) FROM measurements m", "m.seq", "bigint", "m.seq", 0};

static int filters_for(const struct measurements_query *mq, struct list_filter *f) {
  int n = 0;
  if (mq->indicator_code)
    f[n++] = (struct list_filter){"m.indicator_id = (SELECT id FROM indicators WHERE code = $?)", mq->indicator_code};
  if (mq->pesantren_id)
    f[n++] = (struct list_filter){"m.pesantren_id = $?::uuid", mq->pesantren_id};
  if (mq->program_id)
    f[n++] = (struct list_filter){"m.program_id = $?::uuid", mq->program_id};
  if (mq->region_code)
    f[n++] =
        (struct list_filter){"m.pesantren_id IN (SELECT id FROM pesantren WHERE region_code = $?)", mq->region_code};
  if (mq->period)
    f[n++] = (struct list_filter){"m.period = $?", mq->period};
  if (mq->starts_from)
    f[n++] = (struct list_filter){"m.period_start >= $?::date", mq->starts_from};
  if (mq->starts_until)
    f[n++] = (struct list_filter){"m.period_start <= $?::date", mq->starts_until};
  if (mq->status)
    f[n++] = (struct list_filter){"m.status = $?", mq->status};
  if (mq->see_all)
    return n;
  if (mq->see_pesantren)
    f[n++] = (struct list_filter){"(m.status = 'verified' OR m.pesantren_id = $?::uuid)", mq->see_pesantren};
  else if (mq->see_regions)
    f[n++] = (struct list_filter){"(m.status = 'verified' OR m.pesantren_id IN (SELECT id FROM pesantren"
                                  " WHERE region_code = ANY ($?::text[])))",
                                  mq->see_regions};
  else
    f[n++] = (struct list_filter){"m.status = 'verified'", NULL};
  return n;
}

enum dbq repo_measurements_list(struct db_conn *conn, const struct measurements_query *mq, json_t **items,
                                char **next_key, char **next_seq) {
  struct list_filter f[9];
  int n = filters_for(mq, f);
  return db_list(conn, &measurements_spec, f, n, mq->after_key, mq->after_seq, mq->limit, items, next_key, next_seq);
}

enum dbq repo_measurements_count(struct db_conn *conn, const struct measurements_query *mq, long long *total) {
  struct list_filter f[9];
  int n = filters_for(mq, f);
  return db_list_count(conn, &measurements_spec, f, n, total);
}

static const struct db_stmt measurements_get = {"repo_measurements_get",
                                                "SELECT measurement_json(m) FROM measurements m WHERE m.id = $1", 1};

enum dbq repo_measurements_get(struct db_conn *conn, const char *id, json_t **out) {
  const char *vals[1] = {id};
  return db_json_one(conn, &measurements_get, vals, out);
}

static const struct db_stmt measurements_lock = {
    "repo_measurements_lock", "SELECT measurement_json(m) FROM measurements m WHERE m.id = $1 FOR UPDATE", 1};

enum dbq repo_measurements_lock(struct db_conn *conn, const char *id, json_t **out) {
  const char *vals[1] = {id};
  return db_json_one(conn, &measurements_lock, vals, out);
}

static const struct db_stmt measurements_lock_state = {
    "repo_measurements_lock_state",
    "SELECT json_build_object('status', m.status, 'pesantren_id', m.pesantren_id, 'region_code', p.region_code,"
    " 'version', m.version)"
    " FROM measurements m JOIN pesantren p ON p.id = m.pesantren_id WHERE m.id = $1 FOR UPDATE OF m",
    1,
};

enum dbq repo_measurements_lock_state(struct db_conn *conn, const char *id, json_t **out) {
  const char *vals[1] = {id};
  return db_json_one(conn, &measurements_lock_state, vals, out);
}

/* The indicator is resolved by code in the same statement: an unknown code
 * inserts nothing, which costs no extra round trip on the common path. A row
 * inserted has exactly the code it was given, so the answer is built with it
 * (measurement_json_coded, inlined) rather than looked up again. */
static const struct db_stmt measurements_create = {
    "repo_measurements_create",
    "INSERT INTO measurements AS m"
    " (indicator_id, pesantren_id, program_id, period, value, note, evidence_url, created_by)"
    " SELECT i.id, (d->>'pesantren_id')::uuid, (d->>'program_id')::uuid, d->>'period', (d->>'value')::numeric,"
    " d->>'note', d->>'evidence_url', nullif(current_setting('opop.actor', true), '')::uuid"
    " FROM (SELECT $1::jsonb AS d) AS src JOIN indicators i ON i.code = src.d->>'indicator_code'"
    " RETURNING measurement_json_coded(m, $1::jsonb->>'indicator_code')",
    1,
};

enum dbq repo_measurements_create(struct db_conn *conn, const json_t *doc, json_t **out) {
  return db_json_doc(conn, &measurements_create, doc, NULL, out);
}

static const struct db_stmt measurements_update = {
    "repo_measurements_update",
    "UPDATE measurements AS m SET (indicator_id, pesantren_id, program_id, period, value, note, evidence_url) ="
    " (SELECT (SELECT id FROM indicators WHERE code = d->>'indicator_code'), (d->>'pesantren_id')::uuid,"
    " (d->>'program_id')::uuid, d->>'period', (d->>'value')::numeric, d->>'note', d->>'evidence_url'"
    " FROM (SELECT $1::jsonb AS d) AS src)"
    " WHERE m.id = $2 RETURNING measurement_json(m)",
    2,
};

enum dbq repo_measurements_update(struct db_conn *conn, const char *id, const json_t *doc, json_t **out) {
  return db_json_doc(conn, &measurements_update, doc, id, out);
}

static const struct db_stmt measurements_set_status = {
    "repo_measurements_set_status",
    "UPDATE measurements AS m SET status = $2, rejection_reason = coalesce($3, m.rejection_reason)"
    " WHERE m.id = $1 RETURNING measurement_json(m)",
    3,
};

enum dbq repo_measurements_set_status(struct db_conn *conn, const char *id, const char *status, const char *reason,
                                      json_t **out) {
  const char *vals[3] = {id, status, reason};
  return db_json_one(conn, &measurements_set_status, vals, out);
}

static const struct db_stmt measurements_delete = {"repo_measurements_delete", "DELETE FROM measurements WHERE id = $1",
                                                   1};

enum dbq repo_measurements_delete(struct db_conn *conn, const char *id) {
  const char *vals[1] = {id};
  return db_command(conn, &measurements_delete, vals);
}

/* A commit waits for the disk unless synchronous_commit is off. The setting is
 * made by the row's own filter (a volatile call is evaluated, never planned
 * away) and is local, so it ends with this transaction. */
static const struct db_stmt measurements_create_unflushed = {
    "repo_measurements_create_unflushed",
    "INSERT INTO measurements AS m"
    " (indicator_id, pesantren_id, program_id, period, value, note, evidence_url, created_by)"
    " SELECT i.id, (d->>'pesantren_id')::uuid, (d->>'program_id')::uuid, d->>'period', (d->>'value')::numeric,"
    " d->>'note', d->>'evidence_url', nullif(current_setting('opop.actor', true), '')::uuid"
    " FROM (SELECT $1::jsonb AS d) AS src JOIN indicators i ON i.code = src.d->>'indicator_code'"
    " WHERE set_config('synchronous_commit', 'off', true) IS NOT NULL"
    " RETURNING measurement_json(m)",
    1,
};

enum dbq repo_measurements_create_unflushed(struct db_conn *conn, const json_t *doc, json_t **out) {
  return db_json_doc(conn, &measurements_create_unflushed, doc, NULL, out);
}

/* pg_current_xact_id() gives the statement's own transaction an id, so its
 * commit writes a record and waits for the log up to it. */
static const struct db_stmt measurements_flush = {"repo_measurements_flush", "SELECT pg_current_xact_id()", 0};

enum dbq repo_measurements_flush(struct db_conn *conn) {
  return db_command(conn, &measurements_flush, NULL);
}
