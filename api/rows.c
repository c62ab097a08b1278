#include "rows.h"

#include <yder.h>

#include "constraints.h"
#include "problems.h"
#include "reply.h"

json_t *row_result(int status) {
  return json_pack("{s:i}", "status", status);
}

json_t *row_failed(int status, const char *field, const char *message) {
  json_t *res = row_result(status);
  if (field) {
    json_t *errors = json_array();
    errors_add(errors, field, message);
    json_object_set_new(res, "errors", errors);
  } else {
    json_object_set_new(res, "detail", json_string(message));
  }
  return res;
}

json_t *row_db_failed(struct db_conn *db, enum dbq q) {
  const struct db_error *e = db_last_error(db);
  struct problem p = problem_from_db(q, e, 1);
  if (p.server_fault)
    y_log_message(Y_LOG_LEVEL_ERROR, "row_db_failed: %s (%s)", e->message, e->sqlstate);
  json_t *res = row_failed(p.status, p.field, p.detail);
  json_object_set_new(res, "type", json_string(p.type));
  /* A conflict on one named field (a second NSPP) also names it, so a sheet's
   * row points at its cell; the detail stays for clients reading only that. */
  const struct constraint_info *c = p.status == 409 ? constraint_find(e->constraint) : NULL;
  if (c && c->field) {
    json_t *errors = json_array();
    errors_add(errors, c->field, p.detail);
    json_object_set_new(res, "errors", errors);
  }
  return res;
}

json_t *row_stored(struct db_conn *db, enum dbq q, const json_t *doc) {
  json_t *res;
  if (q == DBQ_ROLLBACK)
    return row_result(200);
  if (q < 0)
    return row_db_failed(db, q);
  res = row_result(201);
  json_object_set(res, "id", json_object_get(doc, "id"));
  return res;
}
