/* POST /v1/measurements/batch: up to 1000 measurements in one request, each
 * row in its own transaction, so a bad row never blocks the good ones and no
 * row is half-done. The answer says per row what happened, in order. */
#include "handlers.h"

#include <stdio.h>
#include <string.h>
#include <yder.h>

#include "http.h"
#include "measurement.h"
#include "reply.h"
#include "repo_measurements.h"
#include "rules.h"

#define BATCH_MAX 1000

struct row_tx {
  json_t *stored; /* the validated row, value as text (borrowed) */
  json_t *doc;    /* the created measurement (owned) */
  struct outcome fail;
};

/* Each row commits without waiting for the disk; the flush before the answer
 * makes them all durable at once, so a batch costs one wait, not a thousand. */
static enum dbq row_body(struct db_conn *conn, void *arg) {
  struct row_tx *t = arg;
  json_decref(t->doc);
  t->doc = NULL;
  enum dbq q = repo_measurements_create_unflushed(conn, t->stored, &t->doc);
  if (q != DBQ_NONE)
    return q;
  outcome_set(&t->fail, 422, "indicator_code", "does not name an indicator");
  return DBQ_ROLLBACK;
}

static json_t *row_result(size_t index, int status) {
  return json_pack("{s:I, s:i}", "index", (json_int_t)index, "status", status);
}

static json_t *row_failed(size_t index, int status, const char *field, const char *message) {
  json_t *res = row_result(index, status);
  if (field) {
    json_t *errors = json_array();
    errors_add(errors, field, message);
    json_object_set_new(res, "errors", errors);
  } else {
    json_object_set_new(res, "detail", json_string(message));
  }
  return res;
}

/* What a failed insert means for the client, as reply_db says it for one request. */
static json_t *row_db_failed(size_t index, struct db_conn *db, enum dbq q) {
  const struct db_error *e = db_last_error(db);
  struct problem p = problem_from_db(q, e, 1);
  if (p.server_fault)
    y_log_message(Y_LOG_LEVEL_ERROR, "batch_row: row %zu failed: %s (%s)", index, e->message, e->sqlstate);
  json_t *res = row_failed(index, p.status, p.field, p.detail);
  json_object_set_new(res, "type", json_string(p.type));
  return res;
}

/* One row, validated like a single POST and stored in its own transaction. */
static json_t *batch_row(struct req *r, struct db_conn *db, size_t index, json_t *row) {
  json_t *errors = NULL, *res = NULL;
  struct row_tx t = {0};
  const char *refused;
  if (!json_is_object(row))
    return row_failed(index, 422, "body", "must be a JSON object");
  errors = json_array();
  if (measurement_validate(row, errors) > 0) {
    res = row_result(index, 422);
    json_object_set(res, "errors", errors);
    goto out;
  }
  if ((refused = measurement_refused(r, row)) != NULL) {
    res = row_failed(index, 403, NULL, refused);
    goto out;
  }
  t.stored = json_deep_copy(row);
  measure_value_to_text(t.stored);
  struct db_actor actor = req_actor(r);
  enum dbq q = db_tx(db, &actor, row_body, &t);
  if (q == DBQ_ROLLBACK)
    res = row_failed(index, t.fail.status, t.fail.field[0] ? t.fail.field : NULL, t.fail.detail);
  else if (q < 0)
    res = row_db_failed(index, db, q);
  else {
    res = row_result(index, 201);
    json_object_set(res, "id", json_object_get(t.doc, "id"));
  }
out:
  json_decref(t.stored);
  json_decref(t.doc);
  json_decref(errors);
  return res;
}

/* The body is {"items": [1..1000 objects]}: 0, or -1 after answering 422. */
static int batch_shape_ok(struct req *r, json_t *body) {
  json_t *items = json_object_get(body, "items");
  const char *key;
  json_t *value;
  json_object_foreach(body, key, value) {
    if (strcmp(key, "items") != 0) {
      reply_field(r, 422, key, "is not a known field");
      return -1;
    }
  }
  if (!json_is_array(items) || json_array_size(items) < 1 || json_array_size(items) > BATCH_MAX) {
    reply_field(r, 422, "items", "must be an array of 1 to 1000 measurements");
    return -1;
  }
  return 0;
}

void h_measurements_batch(struct req *r) {
  json_t *body = req_json_body(r), *results = NULL, *answer = NULL, *row, *res;
  struct db_conn *db;
  long long created = 0;
  int lost = 0;
  size_t i;
  char hash[65];
  if (body == NULL || batch_shape_ok(r, body) != 0 || req_idempotent_replay(r, body, hash) || (db = req_db(r)) == NULL)
    goto out;
  results = json_array();
  json_array_foreach(json_object_get(body, "items"), i, row) {
    res = batch_row(r, db, i, row);
    json_int_t status = json_integer_value(json_object_get(res, "status"));
    json_array_append_new(results, res);
    created += status == 201;
    if ((lost = status == 503))
      break;
  }
  /* Nothing is answered as created before it is on disk. A lost connection
   * may have taken rows committed without waiting with it, so then nothing is
   * claimed: the client sends the batch again, and rows that were kept answer 409. */
  enum dbq q = created > 0 ? repo_measurements_flush(db) : DBQ_ONE;
  if (lost || q == DBQ_UNAVAILABLE) {
    reply_problem(r, 503,
                  "The database became unavailable during the batch; send it again "
                  "(rows already stored answer 409).");
    goto out;
  }
  if (q < 0) {
    reply_db(r, q);
    goto out;
  }
  answer = json_pack("{s:O, s:I, s:I}", "items", results, "created", (json_int_t)created, "failed",
                     (json_int_t)(json_array_size(results) - (size_t)created));
  req_idempotent_keep(r, hash, 200, answer);
  reply_rows(r, 200, answer);
out:
  json_decref(answer);
  json_decref(results);
  json_decref(body);
}
