/* POST /v1/measurements/batch: up to 1000 measurements in one request, each
 * row in its own transaction, so a bad row never blocks the good ones and no
 * row is half-done. The answer says per row what happened, in order. */
#include "handlers.h"

#include <stdio.h>
#include <string.h>
#include <yder.h>

#include "http.h"
#include "import.h"
#include "measurement.h"
#include "reply.h"
#include "repo_measurements.h"
#include "rows.h"
#include "rules.h"

#define BATCH_MAX 1000

struct row_tx {
  json_t *stored; /* the validated row, value as text (borrowed) */
  json_t *doc;    /* the created measurement (owned) */
  int dry_run;
  struct outcome fail;
};

/* Each row commits without waiting for the disk; the flush before the answer
 * makes them all durable at once, so a batch costs one wait, not a thousand. */
static enum dbq row_body(struct db_conn *conn, void *arg) {
  struct row_tx *t = arg;
  json_decref(t->doc);
  t->doc = NULL;
  enum dbq q = repo_measurements_create_unflushed(conn, t->stored, &t->doc);
  if (q == DBQ_ONE && t->dry_run)
    return DBQ_ROLLBACK;
  if (q != DBQ_NONE)
    return q;
  outcome_set(&t->fail, 422, "indicator_code", "does not name an indicator");
  return DBQ_ROLLBACK;
}

/* One row, validated like a single POST and stored in its own transaction
 * (rolled back in a dry run, which answers 200 for a good row). */
static json_t *batch_row(struct req *r, struct db_conn *db, json_t *row, int dry_run) {
  json_t *errors = NULL, *res = NULL;
  struct row_tx t = {.dry_run = dry_run};
  const char *refused;
  if (!json_is_object(row))
    return row_failed(422, "body", "must be a JSON object");
  errors = json_array();
  if (measurement_validate(row, errors) > 0) {
    res = row_result(422);
    json_object_set(res, "errors", errors);
    goto out;
  }
  if ((refused = measurement_refused(r, row)) != NULL) {
    res = row_failed(403, NULL, refused);
    goto out;
  }
  t.stored = json_deep_copy(row);
  measure_value_to_text(t.stored);
  struct db_actor actor = req_actor(r);
  enum dbq q = db_tx(db, &actor, row_body, &t);
  if (q == DBQ_ROLLBACK && t.fail.status != 0)
    res = row_failed(t.fail.status, t.fail.field[0] ? t.fail.field : NULL, t.fail.detail);
  else
    res = row_stored(db, q, t.doc);
out:
  json_decref(t.stored);
  json_decref(t.doc);
  json_decref(errors);
  return res;
}

/* The items of a body {"items": [1..1000 objects]} (caller decrefs), or NULL
 * after answering 400 or 422. */
static json_t *batch_items(struct req *r) {
  json_t *body = req_json_body(r), *items = NULL, *value;
  const char *key;
  if (body == NULL)
    return NULL;
  json_object_foreach(body, key, value) {
    if (strcmp(key, "items") != 0) {
      reply_field(r, 422, key, "is not a known field");
      goto out;
    }
  }
  items = json_object_get(body, "items");
  if (!json_is_array(items) || json_array_size(items) < 1 || json_array_size(items) > BATCH_MAX) {
    reply_field(r, 422, "items", "must be an array of 1 to 1000 measurements");
    items = NULL;
  }
  json_incref(items);
out:
  json_decref(body);
  return items;
}

/* Stores every row and answers; rows are the JSON items, or with sheet the
 * import's [{"row", "body"}]. hash: the Idempotency-Key's, or NULL. */
static void answer_rows(struct req *r, struct db_conn *db, const json_t *rows, int dry_run, int sheet,
                        const char *hash) {
  json_t *results = json_array(), *row, *res;
  long long created = 0;
  int lost = 0;
  size_t i;
  json_array_foreach(rows, i, row) {
    res = batch_row(r, db, sheet ? json_object_get(row, "body") : row, dry_run);
    json_object_set_new(res, sheet ? "row" : "index",
                        sheet ? json_incref(json_object_get(row, "row")) : json_integer((json_int_t)i));
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
  if (lost || q == DBQ_UNAVAILABLE)
    reply_problem(r, 503,
                  "The database became unavailable during the batch; send it again "
                  "(rows already stored answer 409).");
  else if (q < 0)
    reply_db(r, q);
  else
    import_reply(r, results, hash);
  json_decref(results);
}

/* The rows come as {"items": [...]} or as a CSV or XLSX file; ?dry_run=true
 * stores nothing. */
void h_measurements_batch(struct req *r) {
  static const char *const allowed[] = {"dry_run", NULL};
  int dry_run = 0, sheet = import_is_sheet(r);
  json_t *rows = NULL;
  struct db_conn *db;
  char hash[65];
  if (req_query_allowed(r, allowed) != 0 || import_dry_run(r, &dry_run) != 0)
    return;
  rows = sheet ? import_read(r, measurement_fields, MEASUREMENT_NFIELDS) : batch_items(r);
  if (rows != NULL && !import_replay(r, rows, dry_run, hash) && (db = req_db(r)) != NULL)
    answer_rows(r, db, rows, dry_run, sheet, hash);
  json_decref(rows);
}
