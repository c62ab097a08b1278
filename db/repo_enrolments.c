#include "repo_enrolments.h"

#include "list.h"
#include "sql.h"

static const struct list_spec enrolments_spec = {
    "repo_enrolments_list", "SELECT enrolment_json(e) FROM enrolments e", "e.seq", "bigint", "e.seq", 0};

static int filters_for(const struct enrolments_query *eq, struct list_filter *f) {
  int n = 0;
  f[n++] = (struct list_filter){"e.program_id = $?::uuid", eq->program_id};
  if (eq->status)
    f[n++] = (struct list_filter){"e.status = $?", eq->status};
  return n;
}

enum dbq repo_enrolments_list(struct db_conn *conn, const struct enrolments_query *eq, json_t **items, char **next_key,
                              char **next_seq) {
  struct list_filter f[2];
  int n = filters_for(eq, f);
  return db_list(conn, &enrolments_spec, f, n, eq->after_key, eq->after_seq, eq->limit, items, next_key, next_seq);
}

enum dbq repo_enrolments_count(struct db_conn *conn, const struct enrolments_query *eq, long long *total) {
  struct list_filter f[2];
  int n = filters_for(eq, f);
  return db_list_count(conn, &enrolments_spec, f, n, total);
}

static const struct db_stmt enrolments_find = {
    "repo_enrolments_find",
    "SELECT enrolment_json(e) FROM enrolments e WHERE e.program_id = $1 AND e.pesantren_id = $2", 2};

enum dbq repo_enrolments_find(struct db_conn *conn, const char *program_id, const char *pesantren_id, json_t **out) {
  const char *vals[2] = {program_id, pesantren_id};
  return db_json_one(conn, &enrolments_find, vals, out);
}

static const struct db_stmt enrolments_lock = {
    "repo_enrolments_lock", "SELECT enrolment_json(e) FROM enrolments e WHERE e.id = $1 FOR UPDATE", 1};

enum dbq repo_enrolments_lock(struct db_conn *conn, const char *id, json_t **out) {
  const char *vals[1] = {id};
  return db_json_one(conn, &enrolments_lock, vals, out);
}

static const struct db_stmt enrolments_get = {"repo_enrolments_get",
                                              "SELECT enrolment_json(e) FROM enrolments e WHERE e.id = $1", 1};

/* The history rows are written by an AFTER trigger, which RETURNING does not
 * see: the answer of a write is read by a second statement. */
static enum dbq reread(struct db_conn *conn, json_t *written, json_t **out) {
  const char *vals[1] = {json_string_value(written)};
  return db_json_one(conn, &enrolments_get, vals, out);
}

static const struct db_stmt enrolments_create = {
    "repo_enrolments_create",
    "INSERT INTO enrolments AS e (program_id, pesantren_id) VALUES ($1, $2) RETURNING to_json(e.id)", 2};

enum dbq repo_enrolments_create(struct db_conn *conn, const char *program_id, const char *pesantren_id, json_t **out) {
  const char *vals[2] = {program_id, pesantren_id};
  json_t *id = NULL;
  *out = NULL;
  enum dbq q = db_json_one(conn, &enrolments_create, vals, &id);
  if (q == DBQ_ONE)
    q = reread(conn, id, out);
  json_decref(id);
  return q;
}

static const struct db_stmt enrolments_update = {
    "repo_enrolments_update",
    "UPDATE enrolments AS e SET status = $1::jsonb->>'status' WHERE e.id = $2 RETURNING to_json(e.id)", 2};

enum dbq repo_enrolments_update(struct db_conn *conn, const char *id, const json_t *doc, json_t **out) {
  json_t *written = NULL;
  *out = NULL;
  enum dbq q = db_json_doc(conn, &enrolments_update, doc, id, &written);
  if (q == DBQ_ONE)
    q = reread(conn, written, out);
  json_decref(written);
  return q;
}
