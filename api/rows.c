#include "rows.h"

#include <string.h>
#include <yder.h>

#include "constraints.h"
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

json_t *row_db_failed(struct db_conn *db, enum dbq q, const char *duplicate, int conflict_field) {
  const struct db_error *e = db_last_error(db);
  const struct constraint_info *c = e ? constraint_find(e->constraint) : NULL;
  if (q == DBQ_UNAVAILABLE || e == NULL)
    return row_failed(503, NULL, "The database became unavailable.");
  if (c)
    return row_failed(c->status, c->status == 409 && !conflict_field ? NULL : c->field, c->message);
  if (strcmp(e->sqlstate, "23505") == 0)
    return row_failed(409, NULL, duplicate);
  if (strncmp(e->sqlstate, "22", 2) == 0 || strncmp(e->sqlstate, "23", 2) == 0)
    return row_failed(422, NULL, "A value breaks a rule of the data.");
  y_log_message(Y_LOG_LEVEL_ERROR, "row_db_failed: %s (%s)", e->message, e->sqlstate);
  return row_failed(500, NULL, "An unexpected error occurred; it has been logged.");
}

json_t *row_stored(struct db_conn *db, enum dbq q, const json_t *doc, const char *duplicate, int conflict_field) {
  json_t *res;
  if (q == DBQ_ROLLBACK)
    return row_result(200);
  if (q < 0)
    return row_db_failed(db, q, duplicate, conflict_field);
  res = row_result(201);
  json_object_set(res, "id", json_object_get(doc, "id"));
  return res;
}
